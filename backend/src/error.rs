//! The backend's error type. Its `Display` is safe to show a user: no SQL, no secrets.

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A PolarDB call that is not a valid canonical request (see `polardb::request`):
    /// names the parameter and the rule. Invalid input (400).
    #[error("{0}")]
    Request(#[from] polardb::request::RequestError),
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
    /// The user has made too many calls; the next is possible after this long. (429)
    #[error("too many calls: try again in {} s", .0.as_secs().max(1))]
    Throttled(std::time::Duration),
    /// An approval policy covers this write: it is sent only as a step of an approved
    /// change (asked on `/changes`). (409)
    #[error("{policy} asks for {approvals} approval(s) before this is sent: request approval for it as a change")]
    ApprovalRequired {
        policy: String,
        approvals: i32,
        /// The draft change the console kept of the refused request (none when the
        /// request carried a password), to be asked for on its page.
        draft: Option<uuid::Uuid>,
    },
    /// Not sent: the user collects their changes, and this write was kept as a request of
    /// their draft change, asked for on its page (now, at a time, in the windows). (409)
    #[error("not sent: kept in your draft change ({requests} request(s)); ask for it there — now, at a time or in the maintenance window")]
    Kept { draft: uuid::Uuid, requests: i64 },
    /// The audit trail could not be written, so the call was not made.
    #[error("the audit trail cannot be written right now, so nothing was sent or changed")]
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

/// What a database error means for the request that met it, decided on sqlx's error kind
/// and PostgreSQL's SQLSTATE (never on message text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbFault {
    /// The database cannot be reached or cannot serve now: try again later (503).
    Unavailable,
    /// A value the database refuses to store or compare (SQLSTATE class 22, e.g. a NUL
    /// character, a string too long, a date out of range): the caller's input (400).
    BadValue,
    /// A unique constraint: the thing exists already (409).
    Duplicate,
    /// Anything else is the console's own fault (500).
    Internal,
}

impl DbFault {
    pub fn of(e: &sqlx::Error) -> DbFault {
        use sqlx::Error as E;
        match e {
            E::Io(_)
            | E::Tls(_)
            | E::Protocol(_)
            | E::PoolTimedOut
            | E::PoolClosed
            | E::WorkerCrashed => DbFault::Unavailable,
            E::Database(d) => {
                let code = d.code();
                let code = code.as_deref().unwrap_or_default();
                match code.get(..2).unwrap_or_default() {
                    "22" => DbFault::BadValue,
                    _ if code == "23505" => DbFault::Duplicate,
                    // connection exception, invalid authorization, invalid catalog name
                    // (the database is gone), transaction rollback (serialisation,
                    // deadlock), insufficient resources, operator intervention (shutdown,
                    // cannot connect now), system error; a read-only standby (25006); a
                    // database that does not accept connections (55000 at connect).
                    "08" | "28" | "3D" | "40" | "53" | "57" | "58" => DbFault::Unavailable,
                    _ if code == "25006" || code == "55000" => DbFault::Unavailable,
                    _ => DbFault::Internal,
                }
            }
            _ => DbFault::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_failures_are_unavailability() {
        assert_eq!(
            DbFault::of(&sqlx::Error::PoolTimedOut),
            DbFault::Unavailable
        );
        assert_eq!(DbFault::of(&sqlx::Error::PoolClosed), DbFault::Unavailable);
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(DbFault::of(&sqlx::Error::Io(io)), DbFault::Unavailable);
        assert_eq!(DbFault::of(&sqlx::Error::RowNotFound), DbFault::Internal);
    }
}
