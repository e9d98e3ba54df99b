//! The error type of every server function: what a user may be told, nothing more.
//!
//! Each variant has one HTTP status ([`AppError::status`]); the server sets it on every
//! server-function answer that carries an error, in one place (`server::web::errors`), so
//! no server function sets a status by hand.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No signed-in user. (401)
    #[error("Please sign in.")]
    Unauthenticated,
    /// Wrong credentials, or a disabled user. (401)
    #[error("{0}")]
    SignInFailed(String),
    /// The user's role does not allow this. (403)
    #[error("{0}")]
    Forbidden(String),
    /// The user signed in with a password an administrator set and must choose their own
    /// before anything else. (403)
    #[error("Choose your own password first (Settings → Your password): the one you signed in with was set by an administrator.")]
    PasswordChangeRequired,
    /// Bad input: names the field and the rule. (400)
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The thing named does not exist. (404)
    #[error("{0} not found")]
    NotFound(String),
    /// The change conflicts with what exists (a name already taken). (409)
    #[error("{0}")]
    Conflict(String),
    /// An approval policy covers this change: it must be requested on `/changes` and
    /// approved before it is sent. (409)
    #[error(
        "{policy} asks for {approvals} approval(s) before this is sent: request approval for it"
    )]
    ApprovalRequired {
        policy: String,
        approvals: i32,
        /// The draft change kept of the request: its page asks for the approvals.
        #[serde(default)]
        draft: String,
    },
    /// Not sent: kept as a request of the user's draft change (they collect changes).
    #[error("Not sent: kept in your draft change ({requests} request(s)). Ask for it there — now, at a time or in the maintenance window.")]
    Kept { draft: String, requests: i64 },
    /// The PolarDB API refused; its words, code and RequestId. A 4xx of the API is
    /// answered with that 4xx, a 5xx or a failed transport with 502.
    #[error("{message} ({code}, RequestId {request_id})")]
    Upstream {
        code: String,
        message: String,
        request_id: String,
        /// The API's HTTP status; 0 when no answer arrived.
        #[serde(default)]
        status: u16,
    },
    /// The request body is larger than this many bytes. (413)
    #[error("The request is larger than {0} bytes.")]
    TooLarge(u64),
    /// Too many calls by this user; another is possible after this many seconds. (429,
    /// with `Retry-After`)
    #[error("Too many calls in the last minute: try again in {0} s.")]
    TooMany(u64),
    /// Something on the server side is down (database, key store). (503)
    #[error("{0}")]
    Unavailable(String),
    /// A fault of the console itself; the details are in its log. (500)
    #[error("{0}")]
    Internal(String),
    /// Transport or encoding errors of the server-function machinery. (500)
    #[error("{0}")]
    ServerFn(String),
}

/// Invalid input in `field`, with the rule it breaks (HTTP 400).
pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::SignInFailed(_) => 401,
            AppError::Forbidden(_) | AppError::PasswordChangeRequired => 403,
            AppError::Invalid { .. } => 400,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) | AppError::ApprovalRequired { .. } | AppError::Kept { .. } => {
                409
            }
            AppError::TooLarge(_) => 413,
            AppError::TooMany(_) => 429,
            AppError::Upstream { status, .. } => match *status {
                // The API refused the console's own credentials: not a sign-in matter
                // for the person using the console.
                401 | 407 => 403,
                s @ 400..=499 => s,
                _ => 502,
            },
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) | AppError::ServerFn(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode are the caller's input, not a server fault.
            ServerFnErrorErr::Args(message) => AppError::Invalid {
                field: "arguments".into(),
                message,
            },
            ServerFnErrorErr::MissingArg(field) => AppError::Invalid {
                field,
                message: "is required".into(),
            },
            // On the server, this is a request body that could not be read (not UTF-8,
            // cut off); in the browser it is an answer that could not be read.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => AppError::Invalid {
                field: "request".into(),
                message,
            },
            other => AppError::ServerFn(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::BackendError> for AppError {
    /// In the request's language: what the backend wrote in English is translated here, on
    /// the server, so the browser carries only the catalogue of the rules it checks itself
    /// (`kit::messages`). The field stays the field's id.
    fn from(e: backend::BackendError) -> Self {
        let said = |m: &str| crate::kit::messages::message(m);
        match english(e) {
            AppError::Invalid { field, message } => AppError::Invalid {
                message: said(&message),
                field,
            },
            AppError::Upstream {
                code,
                message,
                request_id,
                status,
            } => AppError::Upstream {
                message: said(&message),
                code,
                request_id,
                status,
            },
            AppError::Forbidden(m) => AppError::Forbidden(said(&m)),
            AppError::Conflict(m) => AppError::Conflict(said(&m)),
            AppError::Unavailable(m) => AppError::Unavailable(said(&m)),
            AppError::Internal(m) => AppError::Internal(said(&m)),
            other => other,
        }
    }
}

/// A backend error as the app's, in the backend's words.
#[cfg(feature = "ssr")]
fn english(e: backend::BackendError) -> AppError {
    use backend::error::DbFault;
    use backend::BackendError as B;
    match e {
        B::Invalid { field, message } => AppError::Invalid {
            field: field.to_string(),
            message,
        },
        B::Request(r) => AppError::Invalid {
            field: r.field,
            message: r.message,
        },
        // The API's words as it gave them where the catalogue explains its code (the
        // page shows the explanation in the user's language beside them), else after
        // the console's hint.
        B::Upstream(api) => AppError::Upstream {
            code: api.code.clone(),
            message: if crate::kit::api_error_explanation(crate::i18n::Locale::en, &api.code)
                .is_some()
            {
                api.message.clone()
            } else {
                api.human()
            },
            request_id: api.request_id,
            status: api.status,
        },
        B::NotFound(what) => AppError::NotFound(what.to_string()),
        B::Conflict(m) => AppError::Conflict(m),
        B::Database(err) => match DbFault::of(&err) {
            DbFault::Unavailable => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable(
                    "The console's database is unavailable; try again shortly.".into(),
                )
            }
            DbFault::BadValue => {
                tracing::info!(error = %err, "the database refused a value of the request");
                AppError::Invalid {
                    field: "request".into(),
                    message: "holds a value that cannot be stored (a NUL character, a text too long, a number or date out of range)".into(),
                }
            }
            DbFault::Duplicate => AppError::Conflict("That already exists.".into()),
            DbFault::Internal => {
                tracing::error!(error = %err, "database error");
                AppError::Internal(
                    "The console failed to handle this request; the details are in its log."
                        .into(),
                )
            }
        },
        B::Crypto => AppError::Unavailable("A stored secret could not be decrypted.".into()),
        B::Forbidden(reason) => AppError::Forbidden(reason),
        B::Throttled(wait) => AppError::TooMany(wait.as_secs().max(1)),
        B::ApprovalRequired {
            policy,
            approvals,
            draft,
        } => AppError::ApprovalRequired {
            policy,
            approvals,
            draft: draft.map(|d| d.to_string()).unwrap_or_default(),
        },
        B::Kept { draft, requests } => AppError::Kept {
            draft: draft.to_string(),
            requests,
        },
        B::AuditUnavailable => AppError::Unavailable(
            "The audit trail cannot be written right now, so nothing was sent or changed. Try again shortly.".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream(status: u16) -> AppError {
        AppError::Upstream {
            code: "X".into(),
            message: "m".into(),
            request_id: "r".into(),
            status,
        }
    }

    #[test]
    fn every_error_has_its_status() {
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::Forbidden("no".into()).status(), 403);
        assert_eq!(
            AppError::Invalid {
                field: "f".into(),
                message: "m".into()
            }
            .status(),
            400
        );
        assert_eq!(AppError::NotFound("cluster".into()).status(), 404);
        assert_eq!(AppError::Conflict("exists".into()).status(), 409);
        assert_eq!(AppError::TooLarge(10).status(), 413);
        assert_eq!(upstream(404).status(), 404);
        assert_eq!(upstream(400).status(), 400);
        assert_eq!(upstream(429).status(), 429);
        assert_eq!(upstream(401).status(), 403);
        assert_eq!(upstream(500).status(), 502);
        assert_eq!(upstream(503).status(), 502);
        assert_eq!(upstream(0).status(), 502);
        assert_eq!(AppError::Unavailable("down".into()).status(), 503);
        assert_eq!(AppError::Internal("bug".into()).status(), 500);
    }

    #[test]
    fn undecodable_arguments_are_invalid_input() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("expected `,`".into()));
        assert_eq!(e.status(), 400);
        let e = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("account".into()));
        assert_eq!(
            e,
            AppError::Invalid {
                field: "account".into(),
                message: "is required".into()
            }
        );
    }

    #[test]
    fn an_old_upstream_error_without_status_still_decodes() {
        let e: AppError =
            serde_json::from_str(r#"{"Upstream":{"code":"C","message":"m","request_id":"r"}}"#)
                .unwrap();
        assert_eq!(e.status(), 502);
    }
}
