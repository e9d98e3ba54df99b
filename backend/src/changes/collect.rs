//! Collecting: "Schedule…" for every page. A user who turns on "Collect changes" (the top
//! bar; saved with the user, so it holds in every session and process) has each write from
//! the pages and the JSON API kept as the next request of one draft change instead of
//! sent. On the draft's page they ask for it with a reason — now, at a time, or in each
//! cluster's maintenance window — and approval policies apply as to any change; its
//! requests go one at a time and stop at the first failure.
//!
//! The role decides on each request when it is kept (as when it is asked and again when it
//! is sent); a request carrying a password is never kept (a password is never stored).

use serde_json::json;
use uuid::Uuid;

use super::{has_secret, stored, title_of, Changes, NewChange, Rollout, Schedule, State, Step};
use crate::audit::{Event, Outcome};
use crate::gateway::Caller;
use crate::BackendError;
use polardb::request::Request;

impl Changes {
    /// Keeps `request` as the next request of the caller's collecting draft (made when
    /// there is none) with its record (`ChangeDrafted`); answers the draft and how many
    /// requests it has.
    pub async fn keep(
        &self,
        caller: &Caller,
        account: &str,
        request: Request,
    ) -> Result<(Uuid, i64), BackendError> {
        let user_id = caller.actor.user_id.ok_or_else(|| {
            BackendError::Forbidden("a change is collected by a signed-in user".into())
        })?;
        if has_secret(&request) {
            return Err(BackendError::invalid(
                "params",
                "a password is never stored, so this request cannot wait in a draft: stop collecting changes (top bar) to apply it now",
            ));
        }
        self.gateway
            .take_token(user_id.into(), &caller.actor.name, request.action().name)?;
        let (_, clusters) = self.gateway.clusters_for(caller, account, &request).await?;
        let step = Step {
            account: account.to_string(),
            request,
            before: None,
        };
        self.decide(caller, &step, &clusters).await?;

        let mut tx = self.audit.begin_change().await?;
        // One keep of a user at a time, so concurrent ones share one draft (attack run 19).
        sqlx::query!("SELECT id FROM users WHERE id = $1 FOR UPDATE", user_id)
            .fetch_optional(tx.conn())
            .await?;
        let open = sqlx::query!(
            "SELECT id, title FROM changes
             WHERE requested_by = $1 AND state = 'draft' AND collecting
             ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
            user_id
        )
        .fetch_optional(tx.conn())
        .await?;
        let (id, seq) = match open {
            Some(draft) => {
                let n: i64 = sqlx::query_scalar!(
                    r#"SELECT count(*) AS "n!" FROM change_steps WHERE change_id = $1"#,
                    draft.id
                )
                .fetch_one(tx.conn())
                .await?;
                if n as usize >= super::MAX_STEPS {
                    return Err(BackendError::invalid(
                        "params",
                        format!(
                            "a change sends at most {} requests: ask for your draft first",
                            super::MAX_STEPS
                        ),
                    ));
                }
                let first = draft
                    .title
                    .split(" (+")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                sqlx::query!(
                    "INSERT INTO change_steps (change_id, seq, batch, cloud_account, region,
                         cluster, action, params, state, clusters)
                     VALUES ($1, $2, $2, $3, $4, coalesce(($7::text[])[1], ''), $5, $6,
                         'pending', $7::text[])",
                    draft.id,
                    n as i32,
                    step.account,
                    step.request.region_str(),
                    step.request.action().name,
                    stored(step.request.params()),
                    &clusters
                )
                .execute(tx.conn())
                .await?;
                sqlx::query!(
                    "UPDATE changes SET title = $2, updated_at = now() WHERE id = $1",
                    draft.id,
                    format!("{first} (+{n})")
                )
                .execute(tx.conn())
                .await?;
                (draft.id, n)
            }
            None => {
                let id = Uuid::new_v4();
                let new = NewChange {
                    title: title_of(&step.request),
                    reason: String::new(),
                    steps: vec![step.clone()],
                    schedule: Schedule::Now,
                    // One at a time, in the order kept; the first failure stops the rest.
                    rollout: Rollout {
                        canary: 1,
                        batch_size: 1,
                        max_failures: 0,
                    },
                    revert_of: None,
                    retry_of: None,
                };
                super::Rows {
                    id,
                    user_id,
                    requester: &caller.actor.name,
                    new: &new,
                    state: State::Draft,
                    requirement: None,
                    run_at: None,
                    expires_at: None,
                    windows: &[None],
                    clusters: std::slice::from_ref(&clusters),
                    claimed: None,
                }
                .write(tx.conn(), false)
                .await?;
                sqlx::query!("UPDATE changes SET collecting = true WHERE id = $1", id)
                    .execute(tx.conn())
                    .await?;
                (id, 0)
            }
        };
        let mut e = Event::security(caller.actor.clone(), "ChangeDrafted", Outcome::Ok);
        e.params = json!({
            "change": id,
            "request": seq + 1,
            "cloud_account": step.account,
            "region": step.request.region_str(),
            "action": step.request.action().name,
            "clusters": clusters,
        });
        tx.commit(&e).await?;
        Ok((id, seq + 1))
    }
}
