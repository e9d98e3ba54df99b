//! The error of a submission, in words, where the form is.

use leptos::prelude::*;

use crate::AppError;

/// An error of a change, in words: the API's refusals people meet here get a sentence of
/// their own; every upstream error keeps its code and RequestId for support.
pub fn change_error<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            let (words, detail) = explain(&e);
            view! {
                <div class="form-error change-error" role="alert" data-testid="change-error">
                    <p>{words}</p>
                    {detail.map(|d| view! { <p class="mono muted">{d}</p> })}
                    {approval_link(&e)}
                </div>
            }
        })
    }
}

fn explain(e: &AppError) -> (String, Option<String>) {
    match e {
        AppError::Upstream {
            code,
            message,
            request_id,
            ..
        } => {
            let words = match code.as_str() {
                "OperationDenied.LockMode" => "Deletion protection is on, so the API refuses to delete the cluster. Turn protection off first.".to_string(),
                "OperationDenied.DBClusterPayType" => "The API deletes pay-as-you-go clusters only; this one is a subscription.".to_string(),
                "OperationDenied.DBNodeNum" => "A cluster keeps one primary node and at least one read-only node.".to_string(),
                "OperationDenied.DBNodeRole" => "The primary node cannot be removed.".to_string(),
                "QuotaExceeded.DBNodeNum" => "A cluster has at most 15 read-only nodes.".to_string(),
                _ => message.clone(),
            };
            let detail = if request_id.is_empty() {
                code.clone()
            } else {
                format!("{code} · RequestId {request_id}")
            };
            (words, Some(detail))
        }
        other => (other.to_string(), None),
    }
}

/// For a change an approval policy held back: the link to its draft, where approval is
/// asked with a reason and a schedule.
pub fn approval_link(e: &AppError) -> Option<impl IntoView> {
    match e {
        AppError::ApprovalRequired { draft, .. } if !draft.is_empty() => Some(
            view! {
                <a class="button" href=format!("/changes/{draft}") data-testid="request-approval">
                    "Request approval"
                </a>
            }
            .into_any(),
        ),
        AppError::Kept { draft, .. } => Some(
            view! {
                <a class="button" href=format!("/changes/{draft}") data-testid="open-draft">
                    "Open the draft"
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
                <p class="form-error" role="alert">{e.to_string()} " " {approval_link(&e)}</p>
            }
        })
    }
}
