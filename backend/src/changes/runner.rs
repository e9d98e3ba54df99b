//! A change's life after it is asked: decisions, cancelling, expiry, and the scheduler
//! that runs due changes once across processes.

use std::time::Duration;

use futures::StreamExt;
use polardb::request::Request;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::policy::TagCache;
use super::{params_of, ts, Changes, Pending, Requirement, State, AT_ONCE, CLAIM};
use crate::audit::{self, Actor, Event, Outcome};
use crate::gateway::Caller;
use crate::notify::{rfc3339, EventKind, Message, Words};
use crate::BackendError;

/// How long a draft nobody asks for is kept.
pub const DRAFTS_KEPT_DAYS: i32 = 14;

/// What a decision on a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

impl Changes {
    /// An approval or a rejection by `caller`, whose role is `role`. The requester never
    /// decides on their own change; only members of the policy's approver roles decide; a
    /// change past its expiry is expired instead. Enough approvals schedule it (at once,
    /// at its time, or in its windows); one rejection ends it. Committed with its record
    /// (`ChangeApproved`, `ChangeRejected`) or not at all.
    pub async fn decide_on(
        &self,
        caller: &Caller,
        role: &str,
        id: Uuid,
        verdict: Verdict,
        comment: &str,
    ) -> Result<State, BackendError> {
        let user_id = caller.actor.user_id.ok_or_else(|| {
            BackendError::Forbidden("a change is approved by a signed-in user".into())
        })?;
        let comment = comment.trim();
        if comment.chars().count() > 2000 || comment.contains('\0') {
            return Err(BackendError::invalid(
                "comment",
                "must be at most 2000 characters",
            ));
        }
        // The policies as they are now decide, not those of when it was asked (attack run
        // 21, F1): read before the change is locked (tags may be read from the API), and
        // only for a change this caller could decide on, at one of their tokens. What was
        // read must still be the change when it is locked: one submitted or brought up to
        // date meanwhile is read again, never decided on what it was (attack run 22, F1).
        let mut known = TagCache::default();
        let mut tries = 0;
        let (live, mut tx, row) = loop {
            let before = sqlx::query!(
                "SELECT state, requested_by, updated_at FROM changes WHERE id = $1",
                id
            )
            .fetch_optional(&self.pool)
            .await?
            .ok_or(BackendError::NotFound("change"))?;
            let live = if before.state == State::AwaitingApproval.as_str()
                && before.requested_by != user_id
            {
                if tries == 0 {
                    self.gateway.take_token(
                        caller.actor.user_id,
                        &caller.actor.name,
                        "decide on a change",
                    )?;
                }
                self.live_requirements(caller, id, &mut known).await?
            } else {
                Vec::new()
            };
            let mut tx = self.audit.begin_change().await?;
            let row = sqlx::query!(
                r#"SELECT state, requested_by, approvals_needed, approver_roles, expires_hours,
                          schedule, run_at, policy, updated_at,
                          coalesce(expires_at < now(), false) AS "expired!"
                   FROM changes WHERE id = $1 FOR UPDATE"#,
                id
            )
            .fetch_optional(tx.conn())
            .await?
            .ok_or(BackendError::NotFound("change"))?;
            if row.state == before.state && row.updated_at == before.updated_at {
                break (live, tx, row);
            }
            drop(tx);
            tries += 1;
            if tries == 3 {
                return Err(BackendError::Conflict(
                    "the change is changing as you decide: open it again and decide then".into(),
                ));
            }
        };
        let now_asked = Requirement::merged(&live);
        let state = State::parse(&row.state).unwrap_or(State::Failed);
        let what = match verdict {
            Verdict::Approve => "ChangeApproved",
            Verdict::Reject => "ChangeRejected",
        };
        let refuse = |reason: String| async move {
            let mut e = Event::security(caller.actor.clone(), what, Outcome::Denied);
            e.params = json!({ "change": id });
            e.error_message = Some(reason.clone());
            match self.audit.append(&e).await {
                Ok(_) => BackendError::Forbidden(reason),
                Err(err) => err,
            }
        };
        if state != State::AwaitingApproval {
            return Err(BackendError::Conflict(format!(
                "the change is {}, not awaiting approval",
                state.as_str().replace('_', " ")
            )));
        }
        if row.requested_by == user_id {
            drop(tx);
            return Err(
                refuse("the requester of a change cannot approve or reject it".into()).await,
            );
        }
        // Deciders are the roles of the policies that hold it now (of those it was asked
        // under when none holds it any more).
        let approver_roles = now_asked
            .as_ref()
            .map_or(&row.approver_roles, |r| &r.approver_roles);
        if !approver_roles.iter().any(|r| r == role) {
            drop(tx);
            return Err(refuse(format!(
                "only members of {} decide on this change",
                approver_roles.join(", ")
            ))
            .await);
        }
        if row.expired {
            drop(tx);
            self.expire(id).await?;
            return Err(BackendError::Conflict(
                "the change waited too long for its approvals and has expired".into(),
            ));
        }
        let inserted = sqlx::query!(
            "INSERT INTO change_approvals (change_id, user_id, username, decision, comment, role)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            id,
            user_id,
            caller.actor.name,
            match verdict {
                Verdict::Approve => "approve",
                Verdict::Reject => "reject",
            },
            comment,
            role
        )
        .execute(tx.conn())
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(BackendError::Conflict(
                "you have decided on this change already".into(),
            ));
        }
        let roles = sqlx::query_scalar!(
            "SELECT role FROM change_approvals WHERE change_id = $1 AND decision = 'approve'",
            id
        )
        .fetch_all(tx.conn())
        .await?;
        let approved = roles.len() as i64;
        // Scheduled only when every policy that holds it now has its count from its own
        // roles (the gate checks the same when each request is sent; attack runs 19 and 21,
        // F1). When none holds it any more, the count it was asked with.
        let enough = match &now_asked {
            Some(_) => Requirement::unmet(&live, &roles).is_empty(),
            None => approved >= i64::from(row.approvals_needed),
        };
        let next = match verdict {
            Verdict::Reject => State::Rejected,
            Verdict::Approve if enough => State::Scheduled,
            Verdict::Approve => State::AwaitingApproval,
        };
        // The change shows, and its expiry follows, what is asked of it now.
        let (policy, approvals_needed, expires_hours) = match &now_asked {
            Some(r) => {
                set_requirement(tx.conn(), id, r).await?;
                (Some(r.policy.clone()), r.approvals, r.expires_hours)
            }
            None => (row.policy.clone(), row.approvals_needed, row.expires_hours),
        };
        // Approvals hold for the policy's hours: an approved change must have run by then.
        sqlx::query!(
            "UPDATE changes SET state = $2, updated_at = now(),
                    run_at = CASE WHEN $2 = 'scheduled' THEN greatest(coalesce(run_at, now()), now()) ELSE run_at END,
                    expires_at = CASE WHEN $2 = 'scheduled' THEN now() + make_interval(hours => expires_hours) ELSE expires_at END,
                    finished_at = CASE WHEN $2 = 'rejected' THEN now() ELSE finished_at END
             WHERE id = $1",
            id,
            next.as_str()
        )
        .execute(tx.conn())
        .await?;
        let mut e = Event::security(caller.actor.clone(), what, Outcome::Ok);
        e.params = json!({
            "change": id,
            "approvals": approved,
            "policy": policy,
            "approvals_needed": approvals_needed,
            "expires_hours": expires_hours,
            "state": next.as_str(),
            "comment": audit::safe_text(comment, 500),
        });
        tx.commit(&e).await?;
        match next {
            // A fact of each round: a change put back to waiting and approved again is told
            // again (attack run 23, N2).
            State::Scheduled => {
                let fact = format!("{}:{id}:{approved}", EventKind::ChangeApproved.as_str());
                self.announce_as(EventKind::ChangeApproved, id, fact, &mut known)
                    .await
            }
            State::Rejected => self.announce(EventKind::ChangeRejected, id).await,
            _ => {}
        }
        Ok(next)
    }

    /// Cancels a change that has not started (its requester, or `any` for an administrator).
    pub async fn cancel(&self, caller: &Caller, id: Uuid, any: bool) -> Result<(), BackendError> {
        let mut tx = self.audit.begin_change().await?;
        let row = sqlx::query!(
            "SELECT state, requested_by FROM changes WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(tx.conn())
        .await?
        .ok_or(BackendError::NotFound("change"))?;
        if !any && Some(row.requested_by) != caller.actor.user_id {
            drop(tx);
            let reason = "only the requester or an administrator cancels a change".to_string();
            let mut e = Event::security(caller.actor.clone(), "ChangeCancelled", Outcome::Denied);
            e.params = json!({ "change": id });
            e.error_message = Some(reason.clone());
            self.audit.append(&e).await?;
            return Err(BackendError::Forbidden(reason));
        }
        let state = State::parse(&row.state).unwrap_or(State::Failed);
        if !matches!(
            state,
            State::Draft | State::AwaitingApproval | State::Approved | State::Scheduled
        ) {
            return Err(BackendError::Conflict(format!(
                "the change is {}; only one that has not started can be cancelled",
                state.as_str().replace('_', " ")
            )));
        }
        sqlx::query!(
            "UPDATE changes SET state = 'cancelled', updated_at = now(), finished_at = now() WHERE id = $1",
            id
        )
        .execute(tx.conn())
        .await?;
        sqlx::query!(
            "UPDATE change_steps SET state = 'cancelled' WHERE change_id = $1 AND state = 'pending'",
            id
        )
        .execute(tx.conn())
        .await?;
        let mut e = Event::security(caller.actor.clone(), "ChangeCancelled", Outcome::Ok);
        e.params = json!({ "change": id, "was": state.as_str() });
        tx.commit(&e).await?;
        Ok(())
    }

    /// Expires a change (awaiting approval too long, or approved and not run in time).
    async fn expire(&self, id: Uuid) -> Result<bool, BackendError> {
        let mut tx = self.audit.begin_change().await?;
        let done = sqlx::query!(
            "UPDATE changes SET state = 'expired', updated_at = now(), finished_at = now()
             WHERE id = $1 AND state IN ('awaiting_approval', 'approved', 'scheduled')
               AND expires_at IS NOT NULL AND expires_at < now()",
            id
        )
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query!(
            "UPDATE change_steps SET state = 'cancelled' WHERE change_id = $1 AND state = 'pending'",
            id
        )
        .execute(tx.conn())
        .await?;
        let mut e = Event::security(system_actor(), "ChangeExpired", Outcome::Ok);
        e.params = json!({ "change": id });
        tx.commit(&e).await?;
        self.announce(EventKind::ChangeFailed, id).await;
        Ok(true)
    }

    /// The scheduler's round: expires what waited too long, then runs every change that is
    /// due at `now` (seconds since the epoch; the tests move it) — claimed so that one
    /// process runs it — and a change whose runner stopped. Answers how many it ran.
    pub async fn run_due(&self, now: i64) -> Result<usize, BackendError> {
        let stale = sqlx::query_scalar!(
            "SELECT id FROM changes
             WHERE state IN ('awaiting_approval', 'approved', 'scheduled')
               AND expires_at IS NOT NULL AND expires_at < now()
             LIMIT 100"
        )
        .fetch_all(&self.pool)
        .await?;
        for id in stale {
            self.expire(id).await?;
        }
        self.discard_old_drafts().await?;
        let at = ts(now)?;
        let mut ran = 0;
        for _ in 0..32 {
            let Some(id) = self.claim(at).await? else {
                break;
            };
            self.run(id, now).await?;
            ran += 1;
        }
        Ok(ran)
    }

    /// Drafts nobody asked for within [`DRAFTS_KEPT_DAYS`] are discarded, each with its
    /// record (`ChangeDiscarded`).
    async fn discard_old_drafts(&self) -> Result<(), BackendError> {
        let old = sqlx::query_scalar!(
            "SELECT id FROM changes
             WHERE state = 'draft' AND updated_at < now() - make_interval(days => $1)
             LIMIT 100",
            DRAFTS_KEPT_DAYS
        )
        .fetch_all(&self.pool)
        .await?;
        for id in old {
            let mut tx = self.audit.begin_change().await?;
            let gone = sqlx::query!(
                "DELETE FROM changes WHERE id = $1 AND state = 'draft'
                 RETURNING title, requester",
                id
            )
            .fetch_optional(tx.conn())
            .await?;
            let Some(gone) = gone else {
                continue;
            };
            let mut e = Event::security(system_actor(), "ChangeDiscarded", Outcome::Ok);
            e.params = json!({
                "change": id,
                "title": audit::safe_text(&gone.title, 200),
                "requester": gone.requester,
                "why": format!("a draft not asked for within {DRAFTS_KEPT_DAYS} days"),
            });
            tx.commit(&e).await?;
        }
        Ok(())
    }

    /// Asks this process's scheduler to look for due changes now.
    pub fn wake(&self) {
        self.woken.notify_one();
    }

    /// The scheduler of this process: [`Changes::run_due`] every `every`, and when woken,
    /// until `stop`.
    pub async fn run_until(self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            let now = OffsetDateTime::now_utc().unix_timestamp();
            if let Err(e) = self.run_due(now).await {
                tracing::warn!(error = %e, "changes: the scheduler cannot run");
            }
            let stopped = tokio::select! {
                _ = tokio::time::sleep(every) => false,
                _ = self.woken.notified() => false,
                changed = stop.changed() => changed.is_err() || *stop.borrow(),
            };
            if stopped {
                break;
            }
        }
    }

    /// Takes one due change for this process (its `ChangeStarted` record with it).
    async fn claim(&self, at: OffsetDateTime) -> Result<Option<Uuid>, BackendError> {
        let mut tx = self.audit.begin_change().await?;
        let row = sqlx::query!(
            "SELECT id, state FROM changes
             WHERE (state = 'scheduled' AND run_at <= $1)
                OR (state = 'running' AND claimed_until < now())
             ORDER BY run_at NULLS FIRST
             LIMIT 1 FOR UPDATE SKIP LOCKED",
            at
        )
        .fetch_optional(tx.conn())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        sqlx::query!(
            "UPDATE changes SET state = 'running', claimed_by = $2,
                    claimed_until = now() + make_interval(secs => $3), updated_at = now()
             WHERE id = $1",
            row.id,
            self.runner,
            CLAIM.as_secs_f64()
        )
        .execute(tx.conn())
        .await?;
        // A runner that stopped mid-request: that request's outcome is unknown here (the
        // audit trail has its intent); it is not sent twice.
        let lost = sqlx::query!(
            "UPDATE change_steps SET state = 'failed', error_code = 'RunnerStopped',
                    error_message = 'the console stopped while this request was being sent; see its audit records',
                    finished_at = now()
             WHERE change_id = $1 AND state = 'running'",
            row.id
        )
        .execute(tx.conn())
        .await?;
        let mut e = Event::security(system_actor(), "ChangeStarted", Outcome::Ok);
        e.params = json!({
            "change": row.id,
            "taken_over": row.state == "running",
            "lost_requests": lost.rows_affected(),
        });
        tx.commit(&e).await?;
        Ok(Some(row.id))
    }

    /// Runs a claimed change's pending requests as its requester, batch by batch.
    async fn run(&self, id: Uuid, now: i64) -> Result<(), BackendError> {
        let change = sqlx::query!(
            "SELECT requested_by, max_failures, approvals_needed, schedule FROM changes WHERE id = $1",
            id
        )
        .fetch_one(&self.pool)
        .await?;
        let caller = match self.requester(id, change.requested_by).await? {
            Ok(c) => c,
            Err(reason) => {
                sqlx::query!(
                    "UPDATE change_steps SET state = 'skipped', error_code = 'RequesterUnavailable',
                            error_message = $2, finished_at = now()
                     WHERE change_id = $1 AND state = 'pending'",
                    id,
                    reason
                )
                .execute(&self.pool)
                .await?;
                return self.finish(id).await;
            }
        };
        let steps = sqlx::query!(
            "SELECT seq, batch, cloud_account, region, action, params, maintain_window, state,
                    clusters
             FROM change_steps WHERE change_id = $1 AND state IN ('pending', 'settling')
             ORDER BY batch, seq",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        // Before its first request: a policy added since it was asked or approved asks for
        // its approvals first, so the change waits for them again instead of failing at the
        // gate (attack run 21, F1).
        if steps.iter().all(|s| s.state == "pending") {
            let live = self
                .live_requirements(&caller, id, &mut TagCache::default())
                .await?;
            let roles = sqlx::query_scalar!(
                "SELECT role FROM change_approvals WHERE change_id = $1 AND decision = 'approve'",
                id
            )
            .fetch_all(&self.pool)
            .await?;
            if !Requirement::unmet(&live, &roles).is_empty() {
                if let Some(needed) = Requirement::merged(&live) {
                    return self.wait_again(id, change.requested_by, &needed).await;
                }
            }
        }
        let mut waiting: Option<i64> = None;
        let mut batches: Vec<Vec<Pending>> = Vec::new();
        for s in steps {
            let step = Pending {
                seq: s.seq,
                batch: s.batch,
                account: s.cloud_account,
                region: s.region,
                action: s.action,
                params: s.params,
                window: s.maintain_window,
                state: s.state,
                clusters: s.clusters,
            };
            // In windows: only while the cluster's window is open; the rest wait for theirs
            // (one sent already is followed whatever the time).
            if change.schedule == "window" && step.state == "pending" {
                let next = step
                    .window
                    .as_deref()
                    .and_then(|w| polardb::rules::next_window_start(w, now));
                match next {
                    Some(t) if t > now => {
                        waiting = Some(waiting.map_or(t, |w| w.min(t)));
                        continue;
                    }
                    _ => {}
                }
            }
            match batches.last_mut() {
                Some(b) if b[0].batch == step.batch => b.push(step),
                _ => batches.push(vec![step]),
            }
        }
        let mut stopped = false;
        for batch in batches {
            let failed = self.failures(id).await?;
            if failed > i64::from(change.max_failures) {
                stopped = true;
                break;
            }
            let caller = &caller;
            futures::stream::iter(batch)
                .map(|step| async move { self.send(caller, id, step).await })
                .buffer_unordered(AT_ONCE)
                .collect::<Vec<()>>()
                .await;
        }
        if !stopped && self.failures(id).await? > i64::from(change.max_failures) {
            stopped = true;
        }
        if stopped {
            sqlx::query!(
                "UPDATE change_steps SET state = 'skipped', error_code = 'StoppedAtThreshold',
                        error_message = 'not sent: the change stopped when its failures passed the threshold',
                        finished_at = now()
                 WHERE change_id = $1 AND state = 'pending'",
                id
            )
            .execute(&self.pool)
            .await?;
        } else if let Some(next) = waiting {
            // Back to the scheduler until the next window opens.
            sqlx::query!(
                "UPDATE changes SET state = 'scheduled', run_at = $2, claimed_by = NULL,
                        claimed_until = NULL, updated_at = now()
                 WHERE id = $1",
                id,
                ts(next)?
            )
            .execute(&self.pool)
            .await?;
            return Ok(());
        }
        self.finish(id).await
    }

    /// After an approval policy is added or deleted: each change awaiting approval shows
    /// what the policies ask of it now — its policies, count and deciders, so the new
    /// deciders see it among those awaiting them — with a `ChangePoliciesUpdated` record,
    /// and is told again to the notification rules when it has new deciders. Decisions
    /// count the policies again when they are made. Look-ups are `caller`'s (the
    /// administrator's); a change that cannot be looked at now keeps what it showed. Never
    /// fails the policy change, which is committed already.
    pub async fn refresh_waiting(&self, caller: &Caller) {
        // Every waiting change, a page at a time (attack run 22, F4: only the oldest 500
        // were); each cluster's tags read once for all of them (F3).
        let mut known = TagCache::default();
        let mut after: Option<(OffsetDateTime, Uuid)> = None;
        loop {
            let (at, last) = after.unwrap_or((OffsetDateTime::UNIX_EPOCH, Uuid::nil()));
            let waiting = match sqlx::query!(
                "SELECT id, created_at, policy, approvals_needed, approver_roles FROM changes
                 WHERE state = 'awaiting_approval' AND (created_at, id) > ($1, $2)
                 ORDER BY created_at, id LIMIT 200",
                at,
                last
            )
            .fetch_all(&self.pool)
            .await
            {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(error = %e, "changes awaiting approval not brought up to date");
                    return;
                }
            };
            let Some(w) = waiting.last() else { return };
            after = Some((w.created_at, w.id));
            for w in waiting {
                let now_asked = match self.live_requirements(caller, w.id, &mut known).await {
                    Ok(live) => Requirement::merged(&live),
                    Err(e) => {
                        tracing::warn!(error = %e, change = %w.id, "a change awaiting approval not brought up to date");
                        continue;
                    }
                };
                let Some(r) = now_asked else { continue };
                if w.policy.as_deref() == Some(r.policy.as_str())
                    && w.approvals_needed == r.approvals
                    && w.approver_roles == r.approver_roles
                {
                    continue;
                }
                let new_deciders = r
                    .approver_roles
                    .iter()
                    .any(|x| !w.approver_roles.contains(x));
                match self
                    .show_policies(caller, w.id, &r, w.policy.as_deref())
                    .await
                {
                    Ok(true) if new_deciders => {
                        self.announce_again(EventKind::ChangeAwaitingApproval, w.id, &r, &mut known)
                            .await
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, change = %w.id, "a change awaiting approval not brought up to date")
                    }
                }
            }
        }
    }

    /// A waiting change shows what `r` asks of it, with its `ChangePoliciesUpdated` record
    /// (`false`: it no longer waits).
    async fn show_policies(
        &self,
        caller: &Caller,
        id: Uuid,
        r: &Requirement,
        was: Option<&str>,
    ) -> Result<bool, BackendError> {
        let mut tx = self.audit.begin_change().await?;
        if !set_requirement(tx.conn(), id, r).await? {
            return Ok(false);
        }
        let mut e = Event::security(caller.actor.clone(), "ChangePoliciesUpdated", Outcome::Ok);
        e.params = json!({
            "change": id,
            "policy": r.policy,
            "approvals_needed": r.approvals,
            "approver_roles": r.approver_roles,
            "was": was,
        });
        tx.commit(&e).await?;
        Ok(true)
    }

    /// Puts a claimed change that has sent nothing back to awaiting approval under what the
    /// policies ask now (`ChangeAwaitingApproval`, with the policies; announced as a change
    /// awaiting approval). Its approvals stay and count for the policies of their roles.
    /// When the requester has [`super::MAX_WAITING`] changes awaiting approval already, it
    /// is not put back but ends without sending anything (its requests `ApprovalRequired`),
    /// to be asked for again (attack run 24, F1: put-backs passed the cap).
    async fn wait_again(
        &self,
        id: Uuid,
        requester: Uuid,
        needed: &Requirement,
    ) -> Result<(), BackendError> {
        let mut tx = self.audit.begin_change().await?;
        if let Err(full) = Self::room_to_wait(tx.conn(), requester).await {
            drop(tx);
            let BackendError::Conflict(why) = full else {
                return Err(full);
            };
            sqlx::query!(
                "UPDATE change_steps SET state = 'skipped', error_code = 'ApprovalRequired',
                        error_message = $2, finished_at = now()
                 WHERE change_id = $1 AND state = 'pending'",
                id,
                format!(
                    "not sent: {} asks for approval since the change was asked, and it cannot wait for it ({why}); ask for it again",
                    needed.policy
                )
            )
            .execute(&self.pool)
            .await?;
            return self.finish(id).await;
        }
        let put_back = sqlx::query!(
            "UPDATE changes SET state = 'awaiting_approval', policy = $2, approvals_needed = $3,
                    approver_roles = $4, expires_hours = $5,
                    expires_at = now() + make_interval(hours => $5),
                    claimed_by = NULL, claimed_until = NULL, updated_at = now()
             WHERE id = $1 AND state = 'running'",
            id,
            needed.policy,
            needed.approvals,
            &needed.approver_roles,
            needed.expires_hours
        )
        .execute(tx.conn())
        .await?;
        if put_back.rows_affected() != 1 {
            return Ok(());
        }
        let mut e = Event::security(system_actor(), "ChangeAwaitingApproval", Outcome::Ok);
        e.params = json!({
            "change": id,
            "policy": needed.policy,
            "approvals_needed": needed.approvals,
            "approver_roles": needed.approver_roles,
            "reason": "an approval policy added since the change was asked covers it",
        });
        tx.commit(&e).await?;
        self.announce_again(
            EventKind::ChangeAwaitingApproval,
            id,
            needed,
            &mut TagCache::default(),
        )
        .await;
        Ok(())
    }

    /// The requester as the runner calls for them: their current role decides; a disabled
    /// or removed requester's change does not run.
    async fn requester(
        &self,
        id: Uuid,
        user: Uuid,
    ) -> Result<Result<Caller, String>, BackendError> {
        let Some(u) = self.identity.find(user).await? else {
            return Ok(Err("the requester's console account was removed".into()));
        };
        if u.disabled {
            return Ok(Err("the requester's console account is disabled".into()));
        }
        let policy = self.identity.policy_for(&u).await?;
        Ok(Ok(Caller {
            actor: Actor {
                user_id: Some(u.id),
                name: u.username,
                auth_method: "change".into(),
                client_addr: None,
                user_agent: None,
                request_id: Some(format!("change-{id}")),
            },
            policy,
            change: Some(id),
            collect: false,
        }))
    }

    async fn failures(&self, id: Uuid) -> Result<i64, BackendError> {
        Ok(sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM change_steps WHERE change_id = $1 AND state = 'failed'"#,
            id
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Sends one step through the gateway (which decides and audits it), records it, and
    /// follows it until its clusters settle ([`super::settle`]).
    async fn send(&self, caller: &Caller, id: Uuid, step: Pending) {
        if step.state == "settling" {
            return self.follow(caller, id, &step).await;
        }
        let started = sqlx::query!(
            "UPDATE change_steps SET state = 'running', started_at = now()
             WHERE change_id = $1 AND seq = $2 AND state = 'pending'",
            id,
            step.seq
        )
        .execute(&self.pool)
        .await;
        if !matches!(started, Ok(r) if r.rows_affected() == 1) {
            return;
        }
        let answer = match params_of(&step.params)
            .ok_or_else(|| BackendError::invalid("params", "the stored request cannot be read"))
            .and_then(|p| Ok(Request::parse(&step.action, &step.region, &p)?))
        {
            Ok(request) => {
                // The requester's rate holds for a fleet too: the runner waits for it.
                let mut tries = 0;
                loop {
                    match self
                        .gateway
                        .invoke_request(caller, &step.account, request.clone())
                        .await
                    {
                        Err(BackendError::Throttled(wait)) if tries < 120 => {
                            tries += 1;
                            tokio::time::sleep(wait.max(Duration::from_millis(100))).await;
                        }
                        other => break other,
                    }
                }
            }
            Err(e) => Err(e),
        };
        let follow = answer.is_ok()
            && !step.clusters.is_empty()
            && params_of(&step.params).is_some_and(|p| super::settle::followed(&step.action, &p));
        self.step_done(id, step.seq, &answer, follow).await;
        if follow {
            self.follow(caller, id, &step).await;
        }
    }

    /// Ends a change by how its requests went (`ChangeFinished`, with the counts).
    async fn finish(&self, id: Uuid) -> Result<(), BackendError> {
        let counts = sqlx::query!(
            r#"SELECT count(*) FILTER (WHERE state = 'succeeded') AS "ok!",
                      count(*) FILTER (WHERE state = 'failed') AS "failed!",
                      count(*) FILTER (WHERE state IN ('skipped', 'cancelled')) AS "skipped!"
               FROM change_steps WHERE change_id = $1"#,
            id
        )
        .fetch_one(&self.pool)
        .await?;
        let state = if counts.failed == 0 && counts.skipped == 0 {
            State::Succeeded
        } else if counts.ok == 0 {
            State::Failed
        } else {
            State::PartlyFailed
        };
        let mut tx = self.audit.begin_change().await?;
        sqlx::query!(
            "UPDATE changes SET state = $2, finished_at = now(), updated_at = now(),
                    claimed_by = NULL, claimed_until = NULL
             WHERE id = $1",
            id,
            state.as_str()
        )
        .execute(tx.conn())
        .await?;
        let mut e = Event::security(system_actor(), "ChangeFinished", Outcome::Ok);
        e.params = json!({
            "change": id,
            "state": state.as_str(),
            "succeeded": counts.ok,
            "failed": counts.failed,
            "skipped": counts.skipped,
        });
        tx.commit(&e).await?;
        let kind = if state == State::Succeeded {
            EventKind::ChangeSucceeded
        } else {
            EventKind::ChangeFailed
        };
        self.announce(kind, id).await;
        Ok(())
    }
}

impl Changes {
    /// Tells the notification rules about a change (never fails the change: a message
    /// that cannot be queued is logged).
    pub(super) async fn announce(&self, kind: EventKind, id: Uuid) {
        let fact = format!("{}:{id}", kind.as_str());
        self.announce_as(kind, id, fact, &mut TagCache::default())
            .await
    }

    /// Tells of a change again, now that `r` is asked of it: a fact of its own, not the
    /// first telling repeated (attack run 22, F2: it was dropped as told already).
    async fn announce_again(
        &self,
        kind: EventKind,
        id: Uuid,
        r: &Requirement,
        known: &mut TagCache,
    ) {
        let fact = format!(
            "{}:{id}:{}:{}:{}",
            kind.as_str(),
            r.policy,
            r.approvals,
            r.approver_roles.join(",")
        );
        self.announce_as(kind, id, fact, known).await
    }

    /// Tells of a change as fact `dedup`, the tags of its clusters from `known` where they
    /// were read already.
    async fn announce_as(&self, kind: EventKind, id: Uuid, dedup: String, known: &mut TagCache) {
        let Some(notify) = &self.notify else {
            return;
        };
        let c = match self.get(id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(change = %id, error = %e, "cannot read a change to tell of it");
                return;
            }
        };
        let first = c.steps.first();
        let clusters = c.steps.len();
        let on = match first {
            Some(s) if clusters > 1 => format!("{} and {} more", s.cluster, clusters - 1),
            Some(s) if !s.cluster.is_empty() => s.cluster.clone(),
            Some(s) => s.region.clone(),
            None => String::new(),
        };
        let on_zh = match first {
            Some(s) if clusters > 1 => format!("{} 等 {} 个集群", s.cluster, clusters),
            _ => on.clone(),
        };
        let when = |english: bool| match (c.schedule.as_str(), english) {
            ("window", true) => "in each cluster's maintenance window".to_string(),
            ("window", false) => "在各集群的维护窗口内执行".to_string(),
            ("at", true) => format!("at {}", c.run_at.map(rfc3339).unwrap_or_default()),
            ("at", false) => format!("于 {} 执行", c.run_at.map(rfc3339).unwrap_or_default()),
            (_, true) => "now".to_string(),
            (_, false) => "立即执行".to_string(),
        };
        let rejection = c.decisions.iter().find(|d| d.decision == "reject");
        let policy = c.policy.as_deref();
        let ((title, text), zh) = match kind {
            EventKind::ChangeAwaitingApproval => (
                (
                    format!("Change awaiting approval: {}", c.title),
                    format!(
                        "{} asks for {} on {on}: {}. {} needs {} approval(s) from {}. /changes/{id}",
                        c.requester,
                        c.action,
                        c.reason,
                        policy.unwrap_or("A policy"),
                        c.approvals_needed,
                        c.approver_roles.join(", ")
                    ),
                ),
                (
                    format!("变更待审批：{}", c.title),
                    format!(
                        "{} 申请对 {on_zh} 执行 {}：{}。{}需要 {} 的 {} 个审批。/changes/{id}",
                        c.requester,
                        c.action,
                        c.reason,
                        policy.map(|p| format!("策略 {p} ")).unwrap_or_else(|| "审批策略".into()),
                        c.approver_roles.join("、"),
                        c.approvals_needed
                    ),
                ),
            ),
            EventKind::ChangeApproved => (
                (
                    format!("Change approved: {}", c.title),
                    format!(
                        "{} on {on}, asked by {}, is approved and runs {}. /changes/{id}",
                        c.action,
                        c.requester,
                        when(true)
                    ),
                ),
                (
                    format!("变更已批准：{}", c.title),
                    format!(
                        "{} 申请的 {}（{on_zh}）已批准，将{}。/changes/{id}",
                        c.requester,
                        c.action,
                        when(false)
                    ),
                ),
            ),
            EventKind::ChangeRejected => (
                (
                    format!("Change rejected: {}", c.title),
                    format!(
                        "{} on {on}, asked by {}, was rejected{}. /changes/{id}",
                        c.action,
                        c.requester,
                        rejection
                            .map(|d| format!(" by {}: {}", d.username, d.comment))
                            .unwrap_or_default()
                    ),
                ),
                (
                    format!("变更已拒绝：{}", c.title),
                    format!(
                        "{} 申请的 {}（{on_zh}）{}。/changes/{id}",
                        c.requester,
                        c.action,
                        rejection
                            .map(|d| format!("被 {} 拒绝：{}", d.username, d.comment))
                            .unwrap_or_else(|| "已被拒绝".into())
                    ),
                ),
            ),
            _ => {
                let (ok, failed, skipped) = c.steps.iter().fold((0, 0, 0), |(o, f, s), x| match x
                    .state
                    .as_str()
                {
                    "succeeded" => (o + 1, f, s),
                    "failed" => (o, f + 1, s),
                    _ => (o, f, s + 1),
                });
                (
                    (
                        format!("Change {}: {}", c.state.as_str().replace('_', " "), c.title),
                        format!(
                            "{} on {on}, asked by {}: {ok} succeeded, {failed} failed, {skipped} not sent. /changes/{id}",
                            c.action, c.requester
                        ),
                    ),
                    (
                        format!("变更{}：{}", state_zh(c.state), c.title),
                        format!(
                            "{} 申请的 {}（{on_zh}）：{ok} 个成功，{failed} 个失败，{skipped} 个未发送。/changes/{id}",
                            c.requester, c.action
                        ),
                    ),
                )
            }
        };
        // The tags of every cluster of every request, for rules that filter by tag (read as
        // the console itself, once per account and region): a rule for env=prod hears of a
        // fleet change whatever cluster comes first (attack run 19, F3).
        let mut places: Vec<(&str, &str, Vec<String>)> = Vec::new();
        for s in &c.steps {
            let at = match places
                .iter_mut()
                .find(|(a, r, _)| *a == s.cloud_account && *r == s.region)
            {
                Some(p) => p,
                None => {
                    places.push((&s.cloud_account, &s.region, Vec::new()));
                    places.last_mut().expect("just pushed")
                }
            };
            for cluster in &s.clusters {
                if !at.2.contains(cluster) {
                    at.2.push(cluster.clone());
                }
            }
        }
        let mut tags = Vec::new();
        for (account, region, clusters) in places.iter().filter(|p| !p.2.is_empty()) {
            match known
                .tags(self, &notifier_caller(), account, region, clusters)
                .await
            {
                Some(found) => {
                    for t in found {
                        if !tags.contains(&t) {
                            tags.push(t);
                        }
                    }
                }
                None => {
                    tracing::warn!(change = %id, "cannot read the tags of a change's clusters")
                }
            }
        }
        let m = Message {
            kind,
            dedup,
            title,
            text,
            zh: Some(Words {
                title: zh.0,
                text: zh.1,
            }),
            cloud_account: first.map(|s| s.cloud_account.clone()),
            region: first.map(|s| s.region.clone()),
            cluster: first.map(|s| s.cluster.clone()).filter(|c| !c.is_empty()),
            tags,
            at: rfc3339(OffsetDateTime::now_utc()),
        };
        if let Err(e) = notify.publish(&m).await {
            tracing::warn!(change = %id, error = %e, "cannot queue the notification of a change");
        }
    }
}

/// Change `id`, awaiting approval, shows and expires by what `r` asks of it (`false`: it no
/// longer waits). The caller's transaction commits it with its record.
async fn set_requirement(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    r: &Requirement,
) -> Result<bool, BackendError> {
    let n = sqlx::query!(
        "UPDATE changes SET policy = $2, approvals_needed = $3, approver_roles = $4,
                expires_hours = $5, updated_at = now()
         WHERE id = $1 AND state = 'awaiting_approval'",
        id,
        r.policy,
        r.approvals,
        &r.approver_roles,
        r.expires_hours
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// A change's state in Chinese, for what is told of it.
fn state_zh(state: State) -> &'static str {
    match state {
        State::Draft => "草稿",
        State::AwaitingApproval => "待审批",
        State::Approved => "已批准",
        State::Scheduled => "已计划",
        State::Running => "执行中",
        State::Succeeded => "成功",
        State::PartlyFailed => "部分失败",
        State::Failed => "失败",
        State::Cancelled => "已取消",
        State::Rejected => "已拒绝",
        State::Expired => "已过期",
    }
}

/// The console reading what it tells of a change (a Viewer's reads, on the trail).
fn notifier_caller() -> Caller {
    Caller {
        actor: Actor {
            name: "changes (notifications)".into(),
            auth_method: "system".into(),
            ..Default::default()
        },
        policy: crate::access::builtin_policy("viewer").unwrap_or_default(),
        change: None,
        collect: false,
    }
}

/// The scheduler as the audit trail names it.
fn system_actor() -> Actor {
    Actor {
        user_id: None,
        name: "scheduler".into(),
        auth_method: "system".into(),
        ..Default::default()
    }
}
