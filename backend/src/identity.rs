//! Users and local passwords.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use sqlx::PgPool;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::BackendError;

/// Built-in roles, from least to most powerful.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A user of the console.
#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// A built-in role (`viewer`, `operator`, `admin`) or a custom role's name.
    pub role: String,
    pub auth_source: String,
    pub disabled: bool,
    /// Sessions made in an earlier epoch are no longer valid.
    pub session_epoch: i32,
}

/// A username as the console accepts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, BackendError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 128 {
            return Err(BackendError::invalid(
                "username",
                "must be 1 to 128 characters",
            ));
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(BackendError::invalid(
                "username",
                "must not contain spaces or control characters",
            ));
        }
        Ok(Username(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// argon2id with OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// Hashes a password into a PHC string.
pub fn hash_password(password: &str) -> Result<String, BackendError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| BackendError::Crypto)
}

/// Checks a password against a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// The rules a new local password must meet.
pub fn check_new_password(password: &str) -> Result<(), BackendError> {
    if password.chars().count() < 12 {
        return Err(BackendError::invalid(
            "password",
            "must be at least 12 characters",
        ));
    }
    if password.len() > 1024 {
        return Err(BackendError::invalid(
            "password",
            "must be at most 1024 bytes",
        ));
    }
    Ok(())
}

/// A fresh random password of 20 characters (for the bootstrap administrator).
pub fn generate_password() -> Zeroizing<String> {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = OsRng;
    Zeroizing::new(
        (0..20)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect(),
    )
}

#[derive(Clone)]
pub struct Identity {
    pool: PgPool,
}

/// The result of making sure a bootstrap administrator exists.
#[derive(Debug)]
pub enum Bootstrap {
    /// Users existed already; nothing was done.
    Existing,
    /// The administrator was created with the configured password.
    Created { username: String },
    /// The administrator was created with this generated password (print it once).
    Generated {
        username: String,
        password: Zeroizing<String>,
    },
}

impl Identity {
    pub fn new(pool: PgPool) -> Self {
        Identity { pool }
    }

    /// Creates the administrator `admin` when the console has no users yet.
    pub async fn bootstrap_admin(&self, password: Option<&str>) -> Result<Bootstrap, BackendError> {
        let count = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM users")
            .fetch_one(&self.pool)
            .await?;
        if count > 0 {
            return Ok(Bootstrap::Existing);
        }
        let username = Username::parse("admin")?;
        match password {
            Some(p) => {
                check_new_password(p).map_err(|_| {
                    BackendError::invalid(
                        "bootstrap_admin_password",
                        "must be at least 12 characters",
                    )
                })?;
                self.create_local(&username, "Administrator", Role::Admin, p)
                    .await?;
                Ok(Bootstrap::Created {
                    username: username.0,
                })
            }
            None => {
                let p = generate_password();
                self.create_local(&username, "Administrator", Role::Admin, &p)
                    .await?;
                Ok(Bootstrap::Generated {
                    username: username.0,
                    password: p,
                })
            }
        }
    }

    pub async fn create_local(
        &self,
        username: &Username,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, BackendError> {
        let hash = hash_password(password)?;
        let id = Uuid::new_v4();
        let result = sqlx::query!(
            "INSERT INTO users (id, username, display_name, role, password_hash, auth_source)
             VALUES ($1, $2, $3, $4, $5, 'local')",
            id,
            username.as_str(),
            display_name,
            role.as_str(),
            hash
        )
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => {}
            Err(e) if BackendError::is_unique_violation(&e) => {
                return Err(BackendError::invalid("username", "is already taken"))
            }
            Err(e) => return Err(e.into()),
        }
        Ok(User {
            id,
            username: username.as_str().to_string(),
            display_name: display_name.to_string(),
            role: role.as_str().to_string(),
            auth_source: "local".into(),
            disabled: false,
            session_epoch: 0,
        })
    }

    /// Checks a local username and password. Unknown users cost as much time as known ones.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, BackendError> {
        let row = sqlx::query!(
            "SELECT id, username, display_name, role, auth_source, disabled, password_hash, session_epoch
             FROM users WHERE username = $1",
            username.trim()
        )
        .fetch_optional(&self.pool)
        .await?;
        let password = password.to_string();
        let hash = row.as_ref().and_then(|r| r.password_hash.clone());
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(h) => verify_password(&password, &h),
            None => {
                let _ = verify_password(&password, DUMMY_HASH);
                false
            }
        })
        .await
        .unwrap_or(false);
        match row {
            Some(r) if ok && !r.disabled => Ok(Some(User {
                id: r.id,
                username: r.username,
                display_name: r.display_name,
                role: r.role,
                auth_source: r.auth_source,
                disabled: r.disabled,
                session_epoch: r.session_epoch,
            })),
            _ => Ok(None),
        }
    }

    /// The policy of a user's role: a built-in one, or a custom role's stored policy.
    /// An unknown or unreadable role grants nothing.
    pub async fn policy_for(&self, user: &User) -> Result<crate::access::Policy, BackendError> {
        if let Some(p) = crate::access::builtin_policy(&user.role) {
            return Ok(p);
        }
        let row = sqlx::query_scalar!("SELECT policy FROM roles WHERE name = $1", user.role)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// Failed sign-ins allowed per username or client address within the window.
    pub const MAX_FAILURES: i64 = 10;
    pub const FAILURE_WINDOW_MINUTES: i32 = 15;

    /// True when this username or address has failed too often recently (answer 429).
    pub async fn sign_in_blocked(
        &self,
        username: &str,
        client_addr: &str,
    ) -> Result<bool, BackendError> {
        let n = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM sign_in_failures
               WHERE (username = $1 OR client_addr = $2) AND at > now() - make_interval(mins => $3)"#,
            username,
            client_addr,
            Self::FAILURE_WINDOW_MINUTES
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n >= Self::MAX_FAILURES)
    }

    pub async fn record_failure(
        &self,
        username: &str,
        client_addr: &str,
    ) -> Result<(), BackendError> {
        sqlx::query!(
            "INSERT INTO sign_in_failures (username, client_addr) VALUES ($1, $2)",
            username,
            client_addr
        )
        .execute(&self.pool)
        .await?;
        sqlx::query!("DELETE FROM sign_in_failures WHERE at < now() - interval '1 day'")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn clear_failures(&self, username: &str) -> Result<(), BackendError> {
        sqlx::query!("DELETE FROM sign_in_failures WHERE username = $1", username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A user the SSO proxy vouches for: created on first sight; their role follows their
    /// groups (through the configured mapping) on every sign-in.
    pub async fn provision_proxy_user(
        &self,
        username: &Username,
        display_name: &str,
        email: Option<&str>,
        role: &str,
    ) -> Result<User, BackendError> {
        let row = sqlx::query!(
            r#"INSERT INTO users (id, username, display_name, email, role, auth_source)
               VALUES ($1, $2, $3, $4, $5, 'proxy')
               ON CONFLICT (username) DO UPDATE SET
                   display_name = EXCLUDED.display_name,
                   email = COALESCE(EXCLUDED.email, users.email),
                   role = CASE WHEN users.auth_source = 'proxy' THEN EXCLUDED.role ELSE users.role END,
                   updated_at = now()
               RETURNING id, username, display_name, role, auth_source, disabled, session_epoch"#,
            Uuid::new_v4(),
            username.as_str(),
            display_name,
            email,
            role
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(User {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            auth_source: row.auth_source,
            disabled: row.disabled,
            session_epoch: row.session_epoch,
        })
    }

    pub async fn find(&self, id: Uuid) -> Result<Option<User>, BackendError> {
        let row = sqlx::query!(
            "SELECT id, username, display_name, role, auth_source, disabled, session_epoch FROM users WHERE id = $1",
            id
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            auth_source: r.auth_source,
            disabled: r.disabled,
            session_epoch: r.session_epoch,
        }))
    }

    /// Changes a local user's password after checking the current one; ends the user's
    /// other sessions (the caller starts a fresh one).
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
    ) -> Result<i32, BackendError> {
        let row = sqlx::query!("SELECT password_hash FROM users WHERE id = $1", user.id)
            .fetch_one(&self.pool)
            .await?;
        let Some(hash) = row.password_hash else {
            return Err(BackendError::invalid(
                "current_password",
                "this account signs in through the SSO proxy and has no console password",
            ));
        };
        let current = current.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&current, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(BackendError::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        check_new_password(new).map_err(|e| match e {
            BackendError::Invalid { message, .. } => BackendError::invalid("new_password", message),
            other => other,
        })?;
        let new = new.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&new))
            .await
            .map_err(|_| BackendError::Crypto)??;
        let epoch = sqlx::query_scalar!(
            "UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = now()
             WHERE id = $1 RETURNING session_epoch",
            user.id,
            hash
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(epoch)
    }

    /// Notes a sign-in (shown on the users page).
    pub async fn signed_in(&self, id: Uuid) -> Result<(), BackendError> {
        sqlx::query!("UPDATE users SET last_sign_in_at = now() WHERE id = $1", id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A valid argon2id hash of a random string, verified against when the user is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZRSsMbWEmtOomYQbsRKMkq1SU4S0hnTsJk9yM43v0j0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(Username::parse("alice").is_ok());
        assert!(Username::parse("").is_err());
        assert!(Username::parse("a b").is_err());
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough password").is_ok());
        assert_eq!(generate_password().len(), 20);
    }
}
