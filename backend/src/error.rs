//! The backend's error type. Its `Display` is safe to show a user: no SQL, no secrets.

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the console's database is unavailable")]
    Database(#[source] sqlx::Error),
    #[error("a stored secret could not be decrypted")]
    Crypto,
    #[error("{0}")]
    Upstream(#[from] polardb::ApiError),
    /// The role does not allow it; the reason names the action and resource.
    #[error("{0}")]
    Forbidden(String),
    /// The audit trail could not be written, so the call was not made.
    #[error("the audit trail cannot be written right now, so nothing was sent")]
    AuditUnavailable,
}

impl From<sqlx::Error> for BackendError {
    fn from(e: sqlx::Error) -> Self {
        BackendError::Database(e)
    }
}

impl BackendError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        BackendError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// A unique-constraint violation, told apart by the database's error code (23505).
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505"))
    }
}
