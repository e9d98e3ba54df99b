//! Shared building blocks: loading, empty and error states, status badges.

use leptos::prelude::*;

use crate::AppError;

#[component]
pub fn Loading(#[prop(into, default = "Loading…".to_string())] label: String) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

#[component]
pub fn Empty(#[prop(into)] title: String, #[prop(into, optional)] hint: String) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <p class="state-title">{title}</p>
            {(!hint.is_empty()).then(|| view! { <p class="state-hint">{hint.clone()}</p> })}
        </div>
    }
}

#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    let (title, detail) = match &error {
        AppError::Unauthenticated => ("You are signed out.".to_string(), String::new()),
        AppError::Upstream {
            code,
            message,
            request_id,
            ..
        } => (
            message.clone(),
            format!("Code {code} · RequestId {request_id}"),
        ),
        other => (other.to_string(), String::new()),
    };
    let signin = matches!(error, AppError::Unauthenticated);
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">{title}</p>
            {(!detail.is_empty()).then(|| view! { <p class="state-hint mono">{detail.clone()}</p> })}
            {signin.then(|| view! { <a class="button" href="/signin" rel="external">"Sign in"</a> })}
        </div>
    }
}

/// A cluster status as a coloured badge; transitional states pulse.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let class = match status.as_str() {
        "Running" => "badge badge-ok",
        "Stopped" | "Deleted" | "Locked" | "LockByExpiration" => "badge badge-bad",
        "Creating"
        | "Deleting"
        | "Rebooting"
        | "ClassChanging"
        | "Switching"
        | "DBNodeCreating"
        | "DBNodeDeleting"
        | "NetAddressCreating"
        | "NetAddressDeleting"
        | "MinorVersionUpgrading"
        | "Maintaining"
        | "Transing" => "badge badge-busy",
        _ => "badge",
    };
    view! { <span class=class>{status}</span> }
}
