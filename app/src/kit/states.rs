//! Loading, empty, error and not-found states.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{t, t_string, use_i18n};
use crate::AppError;

#[component]
pub fn Loading(
    /// What is loading; "Loading…" in the language in use when not given.
    #[prop(into, optional)]
    label: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = move || {
        label
            .clone()
            .unwrap_or_else(|| t_string!(i18n, kit.loading).to_string())
    };
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
    let i18n = use_i18n();
    let signin = matches!(error, AppError::Unauthenticated);
    let password = matches!(error, AppError::PasswordChangeRequired);
    let words = {
        let error = error.clone();
        move || match &error {
            AppError::Unauthenticated => (t_string!(i18n, kit.signed_out).to_string(), None),
            other => super::feedback::explain(other),
        }
    };
    let upstream = match &error {
        AppError::Upstream {
            code, request_id, ..
        } => Some((code.clone(), request_id.clone())),
        _ => None,
    };
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">{{
                let words = words.clone();
                move || words().0
            }}</p>
            {move || words().1.map(|said| view! { <p class="state-hint">{said}</p> })}
            {upstream.map(|(code, request_id)| view! {
                <p class="state-hint mono">{move || t_string!(i18n, kit.code_request_id, code = code.clone(), request_id = request_id.clone()).to_string()}</p>
            })}
            {signin.then(|| view! { <a class="button" href="/signin" rel="external">{t!(i18n, kit.sign_in)}</a> })}
            {password.then(|| view! { <a class="button" href="/settings/password">{t!(i18n, kit.choose_password)}</a> })}
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
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, kit.not_found).to_string() />
        <main class="narrow">
            <h1>{t!(i18n, kit.not_found)}</h1>
            <p>{t!(i18n, kit.no_page)}</p>
            <a href="/clusters">{t!(i18n, kit.back_to_clusters)}</a>
        </main>
    }
}
