//! The error type of every server function: what a user may be told, nothing more.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No signed-in user.
    #[error("Please sign in.")]
    Unauthenticated,
    /// Wrong credentials, or a disabled user.
    #[error("{0}")]
    SignInFailed(String),
    /// The user's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Bad input: names the field and the rule.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The PolarDB API refused; its words, code and RequestId.
    #[error("{message} ({code}, RequestId {request_id})")]
    Upstream {
        code: String,
        message: String,
        request_id: String,
    },
    /// Something on the server side is down (database, key store).
    #[error("{0}")]
    Unavailable(String),
    /// Transport or encoding errors of the server-function machinery.
    #[error("{0}")]
    ServerFn(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<backend::BackendError> for AppError {
    fn from(e: backend::BackendError) -> Self {
        use backend::BackendError as B;
        match e {
            B::Invalid { field, message } => AppError::Invalid {
                field: field.to_string(),
                message,
            },
            B::Upstream(api) => AppError::Upstream {
                code: api.code.clone(),
                message: api.human(),
                request_id: api.request_id,
            },
            B::NotFound(what) => AppError::Invalid {
                field: what.to_string(),
                message: "does not exist".into(),
            },
            B::Conflict(m) => AppError::Invalid {
                field: "request".into(),
                message: m,
            },
            B::Database(err) => {
                tracing::error!(error = %err, "database error");
                if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    opts.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
                }
                AppError::Unavailable(
                    "The console's database is unavailable; try again shortly.".into(),
                )
            }
            B::Crypto => AppError::Unavailable("A stored secret could not be decrypted.".into()),
            B::Forbidden(reason) => {
                if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    opts.set_status(axum::http::StatusCode::FORBIDDEN);
                }
                AppError::Forbidden(reason)
            }
            B::AuditUnavailable => {
                if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    opts.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
                }
                AppError::Unavailable(
                    "The audit trail cannot be written right now, so nothing was sent. Try again shortly.".into(),
                )
            }
        }
    }
}
