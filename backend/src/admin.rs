//! Users and roles as administrators manage them.
//!
//! Every change runs on the caller's connection: the caller passes the transaction of an
//! [`crate::audit::Change`], so the change commits together with its audit record or not
//! at all.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::{Policy, BUILTIN_ROLES};
use crate::BackendError;

#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub auth_source: String,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
    pub last_sign_in_at: Option<OffsetDateTime>,
    pub must_change_password: bool,
}

#[derive(Clone, Debug)]
pub struct RoleRow {
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub policy: Value,
    pub users: i64,
}

/// Who manages users and roles: their id and their role's policy. They hand out no more
/// than they hold ([`Policy::within`]).
pub struct Manager<'a> {
    pub id: Uuid,
    pub policy: &'a Policy,
}

#[derive(Clone)]
pub struct Admin {
    pool: PgPool,
}

/// How long one comparison of two policies may take, how long a request waits for its
/// turn, and how many run at once in a process: a role too involved to place within the
/// manager's in that time is refused, and a flood of them is refused (409) at once rather
/// than holding the connections of their transactions (ninth attack run, E1).
const WITHIN_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);
const WITHIN_WAIT: std::time::Duration = std::time::Duration::from_millis(250);
const WITHIN_AT_ONCE: usize = 1;

fn within_turns() -> &'static tokio::sync::Semaphore {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    TURNS.get_or_init(|| tokio::sync::Semaphore::new(WITHIN_AT_ONCE))
}

/// [`Policy::within`] on a blocking thread, so that its work never holds the threads that
/// answer requests (eighth attack run, E1), within [`WITHIN_BUDGET`] and one at a time (a
/// caller waits at most [`WITHIN_WAIT`] for its turn). A policy beyond the size limits (stored
/// before they were) is never within.
async fn within(policy: &Policy, holder: &Policy) -> Result<bool, BackendError> {
    if policy.size_problem().is_some() || holder.size_problem().is_some() {
        return Ok(false);
    }
    // Nothing to compare, and no turn to wait for: an administrator is never held up by
    // another manager's comparisons (tenth attack run, F3).
    if holder.grants_everything() {
        return Ok(true);
    }
    let busy = || {
        BackendError::Conflict(
            "another role is being compared with its manager's; try again in a moment".into(),
        )
    };
    let turn = tokio::time::timeout(WITHIN_WAIT, within_turns().acquire())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    let (policy, holder) = (policy.clone(), holder.clone());
    let deadline = std::time::Instant::now() + WITHIN_BUDGET;
    let answer = tokio::task::spawn_blocking(move || policy.within_until(&holder, Some(deadline)))
        .await
        .unwrap_or(Some(false));
    drop(turn);
    answer.ok_or_else(|| {
        BackendError::invalid(
            "policy",
            "is too involved to compare with your role in time: use fewer or simpler patterns (fewer * and fewer Deny resources)",
        )
    })
}

/// Whether `policy` reads every cluster a Viewer reads: what one needs to hear of the whole
/// fleet (notification channels do; seventeenth attack run, N1: a manager of channels whose
/// role denied a cluster was told that cluster's events). Compared as a manager's grants
/// are ([`within`]).
pub async fn reads_whole_fleet(policy: &Policy) -> Result<bool, BackendError> {
    let viewer = crate::access::builtin_policy("viewer").unwrap_or_default();
    within(&viewer, policy).await
}

impl Admin {
    pub fn new(pool: PgPool) -> Self {
        Admin { pool }
    }

    pub async fn users(&self) -> Result<Vec<UserRow>, BackendError> {
        Ok(sqlx::query_as!(
            UserRow,
            "SELECT id, username, display_name, email, role, auth_source, disabled, created_at, last_sign_in_at,
                    must_change_password
             FROM users ORDER BY username"
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// A role's policy: a built-in one, or a custom role's stored policy; `None` when no
    /// role has the name.
    async fn role_policy(
        conn: &mut PgConnection,
        name: &str,
    ) -> Result<Option<Policy>, BackendError> {
        if let Some(p) = crate::access::builtin_policy(name) {
            return Ok(Some(p));
        }
        let stored = sqlx::query_scalar!("SELECT policy FROM roles WHERE name = $1", name)
            .fetch_optional(&mut *conn)
            .await?;
        // A stored policy that does not read grants nothing.
        Ok(stored.map(|v| serde_json::from_value(v).unwrap_or_default()))
    }

    /// May `by` act on `target` (change their role to `role`, disable them, end their
    /// sessions)? Only if the target's role grants no more than `by`'s, and so does `role`;
    /// nobody changes their own role (sixth attack run, F2).
    pub async fn check_manage(
        &self,
        conn: &mut PgConnection,
        by: &Manager<'_>,
        target: Uuid,
        role: Option<&str>,
    ) -> Result<(), BackendError> {
        if role.is_some() && target == by.id {
            return Err(BackendError::Forbidden(
                "you cannot change your own role; another administrator can".into(),
            ));
        }
        Self::one_at_a_time(conn).await?;
        let held = sqlx::query_scalar!("SELECT role FROM users WHERE id = $1 FOR UPDATE", target)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(BackendError::NotFound("user"))?;
        let held_policy = Self::role_policy(conn, &held).await?.unwrap_or_default();
        if !within(&held_policy, by.policy).await? {
            return Err(BackendError::Forbidden(format!(
                "this user's role ({held}) grants more than yours"
            )));
        }
        match role {
            Some(role) => Self::check_grant(conn, by, role).await,
            None => Ok(()),
        }
    }

    /// May `by` give a user the role `role` (a new user, or a change)? Only a role that
    /// exists and grants no more than `by`'s.
    pub async fn check_grant(
        conn: &mut PgConnection,
        by: &Manager<'_>,
        role: &str,
    ) -> Result<(), BackendError> {
        Self::one_at_a_time(conn).await?;
        match Self::role_policy(conn, role).await? {
            Some(p) if !within(&p, by.policy).await? => Err(BackendError::Forbidden(format!(
                "the role {role} grants more than yours"
            ))),
            Some(_) => Ok(()),
            None => Err(BackendError::invalid(
                "role",
                format!("{role:?} is not a role"),
            )),
        }
    }

    /// Changes to users happen one at a time across every console process, each in its
    /// own transaction until it commits (a transaction-level advisory lock): a check and the
    /// change it allows see the same users (eleventh attack run: a reset racing a promotion
    /// handed a user manager an administrator's one-time password, and two administrators
    /// acting on each other at once left none).
    async fn one_at_a_time(conn: &mut PgConnection) -> Result<(), BackendError> {
        sqlx::query!("SELECT pg_advisory_xact_lock(7040613313)")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Refuses a change that would leave no enabled administrator: `target` is the last
    /// one and is about to be deleted, disabled or given another role.
    async fn keep_an_administrator(
        conn: &mut PgConnection,
        target: Uuid,
    ) -> Result<(), BackendError> {
        Self::one_at_a_time(conn).await?;
        let admins = sqlx::query_scalar!(
            "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE"
        )
        .fetch_all(&mut *conn)
        .await?;
        if admins == [target] {
            return Err(BackendError::Conflict(
                "This is the last enabled administrator: make another user an administrator first."
                    .into(),
            ));
        }
        Ok(())
    }

    /// Deletes the user `target` on the caller's connection (the transaction of its audit
    /// record); their sessions stop working at once (every request loads the user) and
    /// their remembered devices go with them. The last enabled administrator is never
    /// deleted. The user's name.
    pub async fn delete_user(
        &self,
        conn: &mut PgConnection,
        target: Uuid,
    ) -> Result<String, BackendError> {
        Self::keep_an_administrator(conn, target).await?;
        sqlx::query_scalar!("DELETE FROM users WHERE id = $1 RETURNING username", target)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(BackendError::NotFound("user"))
    }

    /// A role `by` may write or remove: one granting no more than theirs, now and after.
    async fn check_role(
        conn: &mut PgConnection,
        by: &Manager<'_>,
        name: &str,
        new: Option<&Policy>,
    ) -> Result<(), BackendError> {
        let stronger = |what: &str| {
            Err(BackendError::Forbidden(format!(
                "the role {name} {what} more than yours"
            )))
        };
        if let Some(old) = Self::role_policy(conn, name).await? {
            if !within(&old, by.policy).await? {
                return stronger("grants");
            }
        }
        match new {
            Some(p) if !within(p, by.policy).await? => stronger("would grant"),
            _ => Ok(()),
        }
    }

    pub async fn set_role(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
        role: &str,
    ) -> Result<(), BackendError> {
        if role != "admin" {
            Self::keep_an_administrator(conn, user).await?;
        }
        // A one-time password still waiting to be replaced was handed to whoever set it,
        // for the role of then: a new role voids it (an administrator resets it again), so
        // no one holds the password of a user whose role grew after they set it.
        let r = sqlx::query!(
            "UPDATE users SET role = $2, updated_at = now(),
                    password_hash = CASE WHEN must_change_password AND role <> $2 THEN NULL ELSE password_hash END,
                    session_epoch = session_epoch + CASE WHEN must_change_password AND role <> $2 THEN 1 ELSE 0 END
             WHERE id = $1",
            user,
            role
        )
        .execute(&mut *conn)
        .await;
        match r {
            Ok(done) if done.rows_affected() == 0 => Err(BackendError::NotFound("user")),
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("23503") => Err(
                BackendError::invalid("role", format!("{role:?} is not a role")),
            ),
            Err(e) => Err(e.into()),
        }
    }

    /// Disables or enables a user. A disabled user's sessions stop working at once: every
    /// request loads the user and refuses a disabled one.
    pub async fn set_disabled(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
        disabled: bool,
    ) -> Result<(), BackendError> {
        if disabled {
            Self::keep_an_administrator(conn, user).await?;
        }
        let done = sqlx::query!(
            "UPDATE users SET disabled = $2, session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1",
            user,
            disabled
        )
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(BackendError::NotFound("user"));
        }
        Ok(())
    }

    /// Ends every session of a user, on every console process, at once.
    pub async fn end_sessions(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
    ) -> Result<(), BackendError> {
        let done = sqlx::query!(
            "UPDATE users SET session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1",
            user
        )
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(BackendError::NotFound("user"));
        }
        Ok(())
    }

    pub async fn roles(&self) -> Result<Vec<RoleRow>, BackendError> {
        let rows = sqlx::query!(
            r#"SELECT r.name, r.description, r.builtin, r.policy,
                      (SELECT count(*) FROM users u WHERE u.role = r.name) AS "users!"
               FROM roles r ORDER BY r.builtin DESC, r.name"#
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| RoleRow {
                policy: if r.builtin {
                    serde_json::to_value(crate::access::builtin_policy(&r.name).unwrap_or_default())
                        .unwrap_or(Value::Null)
                } else {
                    r.policy
                },
                name: r.name,
                description: r.description,
                builtin: r.builtin,
                users: r.users,
            })
            .collect())
    }

    /// Creates or replaces a custom role. The policy is validated first. Returns the role
    /// as stored: its name (trimmed) and its policy.
    pub async fn save_role(
        &self,
        conn: &mut PgConnection,
        by: &Manager<'_>,
        name: &str,
        description: &str,
        policy_json: &str,
    ) -> Result<SavedRole, BackendError> {
        let name = name.trim();
        let valid_name = !name.is_empty()
            && name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid_name {
            return Err(BackendError::invalid(
                "name",
                "must start with a lower-case letter and have at most 40 lower-case letters, digits, - or _",
            ));
        }
        if BUILTIN_ROLES.contains(&name) {
            return Err(BackendError::invalid(
                "name",
                "built-in roles cannot be changed",
            ));
        }
        let policy: Policy = serde_json::from_str(policy_json).map_err(|e| {
            BackendError::invalid("policy", format!("is not a valid policy document: {e}"))
        })?;
        policy.validate()?;
        // A cloud account named outright must be one of the console's (an Alibaba account
        // id or a name in another case would make a Deny that never applies).
        let accounts = sqlx::query_scalar!("SELECT name FROM cloud_accounts")
            .fetch_all(&mut *conn)
            .await?;
        for r in policy.statement.iter().flat_map(|s| &s.resource) {
            if let Some((_, account, _)) = crate::access::cluster_pattern_parts(r) {
                // A pattern of names must match one of them too (eighth attack run, E4:
                // `Sand*` for `sandbox` made a Deny that never applied).
                let known = accounts
                    .iter()
                    .any(|a| crate::access::glob(account, a, false));
                if account != "*" && !known {
                    return Err(BackendError::invalid(
                        "policy",
                        format!(
                            "Resource {r:?} names the cloud account {account:?}, which matches none of the console's (it has {}); names are case-sensitive",
                            accounts.join(", ")
                        ),
                    ));
                }
            }
        }
        Self::check_role(conn, by, name, Some(&policy)).await?;
        let value = serde_json::to_value(&policy)
            .map_err(|_| BackendError::invalid("policy", "cannot be stored"))?;
        sqlx::query!(
            "INSERT INTO roles (name, description, policy) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description,
                 policy = EXCLUDED.policy, updated_at = now()
             WHERE NOT roles.builtin",
            name,
            description.trim(),
            value
        )
        .execute(&mut *conn)
        .await?;
        Ok(SavedRole {
            name: name.to_string(),
            description: description.trim().to_string(),
            policy: value,
        })
    }

    pub async fn delete_role(
        &self,
        conn: &mut PgConnection,
        by: &Manager<'_>,
        name: &str,
    ) -> Result<(), BackendError> {
        if BUILTIN_ROLES.contains(&name) {
            return Err(BackendError::invalid(
                "name",
                "built-in roles cannot be deleted",
            ));
        }
        Self::check_role(conn, by, name, None).await?;
        let r = sqlx::query!("DELETE FROM roles WHERE name = $1 AND NOT builtin", name)
            .execute(&mut *conn)
            .await;
        match r {
            Ok(done) if done.rows_affected() == 0 => Err(BackendError::NotFound("role")),
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("23503") => {
                Err(BackendError::invalid(
                    "name",
                    "is still assigned to users; give them another role first",
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A custom role as [`Admin::save_role`] stored it.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedRole {
    pub name: String,
    pub description: String,
    pub policy: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tenth attack run, F3: while other managers' comparisons hold the one turn, an
    /// administrator's changes are still decided at once (they needed the turn and got 409).
    #[tokio::test]
    async fn an_administrator_needs_no_turn_to_compare() {
        let held = within_turns().acquire().await.unwrap();
        let any: Policy = serde_json::from_value(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:Describe*"], "Resource": ["acs:polardb:*:*:dbcluster/pc-*"]}]}))
        .unwrap();
        let admin = crate::access::builtin_policy("admin").unwrap();
        let started = std::time::Instant::now();
        assert!(within(&any, &admin).await.unwrap());
        assert!(
            started.elapsed() < WITHIN_WAIT,
            "it did not wait for the turn"
        );
        // A manager who is not unrestricted waits and is told to try again.
        let operator = crate::access::builtin_policy("operator").unwrap();
        assert!(matches!(
            within(&any, &operator).await,
            Err(BackendError::Conflict(_))
        ));
        drop(held);
    }
}
