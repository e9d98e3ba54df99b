//! The error of a submission, in words, where the form is.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};
use crate::AppError;

/// An error of a change, in words: a refusal of the API gets the catalogue's explanation
/// of its code (the reference's error table) in the language in use, above the API's own
/// message as it gave it; every upstream error keeps its code and RequestId for support.
pub fn change_error<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    let i18n = use_i18n();
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            let (words, said) = explain(&e);
            let detail = match &e {
                AppError::Upstream {
                    code, request_id, ..
                } if request_id.is_empty() => Some(code.clone()),
                AppError::Upstream {
                    code, request_id, ..
                } => Some(format!("{code} · RequestId {request_id}")),
                _ => None,
            };
            view! {
                <div class="form-error change-error" role="alert" data-testid="change-error">
                    <p>{words}</p>
                    {said.map(|m| view! { <p class="api-message">{t!(i18n, kit.api_said)}" "{m}</p> })}
                    {detail.map(|d| view! { <p class="mono muted">{d}</p> })}
                    {approval_link(&e)}
                </div>
            }
        })
    }
}

/// An error in words in the language in use, and what the API said when that is not
/// those words: for an API refusal whose code the catalogue explains, the explanation and
/// the API's message; else the API's message alone (after the console's hint, in the
/// language in use). The console's own errors are in the language in use.
pub fn explain(e: &AppError) -> (String, Option<String>) {
    let locale = super::words::locale();
    match e {
        AppError::Upstream { code, message, .. } => {
            match super::words::api_error_explanation(locale, code) {
                Some(words) => (words.to_string(), Some(message.clone())),
                None => (super::message_in(locale, message), None),
            }
        }
        other => (error_words(locale, other), None),
    }
}

/// An error in one line: [`explain`]'s words, what the API said, and for an API refusal
/// its code and RequestId.
pub fn one_line(e: &AppError) -> String {
    let (words, said) = explain(e);
    let mut line = words;
    if let Some(said) = said {
        line.push(' ');
        line.push_str(&said);
    }
    if let AppError::Upstream {
        code, request_id, ..
    } = e
    {
        line.push_str(&format!(" ({code}, RequestId {request_id})"));
    }
    line
}

/// The console's own error in words in `locale`: the kinds whose words are the console's,
/// translated here; the words the backend and the reference's rules wrote, through the
/// message catalogue (`kit::messages`).
pub fn error_words(locale: crate::i18n::Locale, e: &AppError) -> String {
    use crate::i18n::td_string;
    match e {
        AppError::Unauthenticated => td_string!(locale, kit.please_sign_in).to_string(),
        AppError::PasswordChangeRequired => {
            td_string!(locale, kit.password_change_required).to_string()
        }
        AppError::NotFound(what) => td_string!(locale, kit.not_found_what, what = what).to_string(),
        AppError::ApprovalRequired {
            policy, approvals, ..
        } => td_string!(
            locale,
            kit.approval_required,
            policy = policy,
            approvals = approvals
        )
        .to_string(),
        AppError::Kept { requests, .. } => {
            td_string!(locale, kit.kept, requests = requests).to_string()
        }
        AppError::TooLarge(n) => td_string!(locale, kit.too_large, n = n).to_string(),
        AppError::TooMany(n) => td_string!(locale, kit.too_many, n = n).to_string(),
        // What the backend and the reference's rules wrote (English), in the language.
        AppError::Invalid { field, message } if locale == crate::i18n::Locale::zh => format!(
            "{}：{}",
            super::message_in(locale, field),
            super::message_in(locale, message)
        ),
        AppError::SignInFailed(m)
        | AppError::Forbidden(m)
        | AppError::Conflict(m)
        | AppError::Unavailable(m)
        | AppError::Internal(m) => super::message_in(locale, m),
        other => other.to_string(),
    }
}

/// For a change an approval policy held back: the link to its draft, where approval is
/// asked with a reason and a schedule.
pub fn approval_link(e: &AppError) -> Option<impl IntoView> {
    let i18n = use_i18n();
    match e {
        AppError::ApprovalRequired { draft, .. } if !draft.is_empty() => Some(
            view! {
                <a class="button" href=format!("/changes/{draft}") data-testid="request-approval">
                    {t!(i18n, kit.request_approval)}
                </a>
            }
            .into_any(),
        ),
        AppError::Kept { draft, .. } => Some(
            view! {
                <a class="button" href=format!("/changes/{draft}") data-testid="open-draft">
                    {t!(i18n, kit.open_draft)}
                </a>
            }
            .into_any(),
        ),
        _ => None,
    }
}

/// The error of an action's last submission, in words.
pub fn form_error<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            view! {
                <p class="form-error" role="alert">{one_line(&e)} " " {approval_link(&e)}</p>
            }
        })
    }
}
