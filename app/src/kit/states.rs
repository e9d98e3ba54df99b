//! Loading, empty, error and not-found states.

use leptos::prelude::*;
use leptos_meta::Title;

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
    let password = matches!(error, AppError::PasswordChangeRequired);
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">{title}</p>
            {(!detail.is_empty()).then(|| view! { <p class="state-hint mono">{detail.clone()}</p> })}
            {signin.then(|| view! { <a class="button" href="/signin" rel="external">"Sign in"</a> })}
            {password.then(|| view! { <a class="button" href="/settings/password">"Choose your password"</a> })}
        </div>
    }
}

/// The page for an address the console does not know (status 404 when server-rendered).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <main class="narrow">
            <h1>"Not found"</h1>
            <p>"There is no page at this address."</p>
            <a href="/clusters">"Back to clusters"</a>
        </main>
    }
}
