//! Changes as data (#15): a change is a record of the canonical requests it will send (to
//! one cluster or a fleet), who asked and why, the approvals it needs and has, when it
//! runs, and how each request went.
//!
//! There is one path: a page's "apply now" is a change that needs no approval and no
//! schedule ([`Changes::apply_now`]), run at once by the request that made it. A change
//! that needs approvals (an [`ApprovalPolicy`] covers it) or waits for a time is stored and
//! run by [`Changes::run_due`] — once across console processes (claimed with `SKIP LOCKED`),
//! after a restart as well. Every request still goes through the gateway as the requester:
//! their role decides at the moment it is sent, and the gateway itself refuses a write a
//! policy covers unless it is a step of a running, approved change ([`Gate`]).
//!
//! Secrets are never stored: a change whose request carries a password runs at once or is
//! refused (it cannot wait for approval or a time).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use polardb::models::ActionKind;
use polardb::request::Request;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::Resource;
use crate::audit::{self, Audit, Event, Outcome};
use crate::gateway::{Caller, Gateway, Invoked};
use crate::identity::Identity;
use crate::BackendError;

mod collect;
mod policy;
mod preview;
mod runner;
mod settle;
mod views;

pub use policy::{ApprovalPolicy, Gate, NewPolicy, Requirement};
pub use preview::{may_see, Preview};
pub use runner::Verdict;
pub use settle::Settle;

/// The most requests one change sends.
pub const MAX_STEPS: usize = 500;

/// How many of one user's changes may await approval at once: each waiting change is
/// brought up to date whenever an approval policy is added or deleted (attack run 22, F3).
pub const MAX_WAITING: i64 = 50;
/// How long a runner's claim on a change holds; a change whose runner stopped is taken
/// over after this.
const CLAIM: Duration = Duration::from_secs(300);
/// Requests of one batch in flight at once.
const AT_ONCE: usize = 8;

/// Where a change is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    AwaitingApproval,
    Approved,
    Scheduled,
    Running,
    Succeeded,
    PartlyFailed,
    Failed,
    Cancelled,
    Rejected,
    Expired,
}

impl State {
    pub const ALL: &'static [State] = &[
        State::Draft,
        State::AwaitingApproval,
        State::Approved,
        State::Scheduled,
        State::Running,
        State::Succeeded,
        State::PartlyFailed,
        State::Failed,
        State::Cancelled,
        State::Rejected,
        State::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::AwaitingApproval => "awaiting_approval",
            State::Approved => "approved",
            State::Scheduled => "scheduled",
            State::Running => "running",
            State::Succeeded => "succeeded",
            State::PartlyFailed => "partly_failed",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Rejected => "rejected",
            State::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Succeeded
                | State::PartlyFailed
                | State::Failed
                | State::Cancelled
                | State::Rejected
                | State::Expired
        )
    }
}

/// When a change runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// As soon as it may (at once, or when approved).
    Now,
    /// At this time (seconds since the Unix epoch), or when approved if later.
    At(i64),
    /// In each cluster's maintenance window (`MaintainTime`, read when the change is asked).
    Window,
}

impl Schedule {
    fn kind(self) -> &'static str {
        match self {
            Schedule::Now => "now",
            Schedule::At(_) => "at",
            Schedule::Window => "window",
        }
    }
}

/// How a fleet change rolls out: a canary batch, then batches; it stops when more than
/// `max_failures` requests have failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rollout {
    pub canary: u32,
    pub batch_size: u32,
    pub max_failures: u32,
}

impl Default for Rollout {
    fn default() -> Self {
        Rollout {
            canary: 1,
            batch_size: 10,
            max_failures: 0,
        }
    }
}

impl Rollout {
    fn check(&self) -> Result<(), BackendError> {
        if !(1..=100).contains(&self.canary) {
            return Err(BackendError::invalid("canary", "must be 1 to 100 clusters"));
        }
        if !(1..=100).contains(&self.batch_size) {
            return Err(BackendError::invalid(
                "batch_size",
                "must be 1 to 100 clusters",
            ));
        }
        if self.max_failures > 1000 {
            return Err(BackendError::invalid("max_failures", "must be 0 to 1000"));
        }
        Ok(())
    }

    /// The batch of the `i`-th request (0: the canary).
    fn batch_of(&self, i: usize) -> i32 {
        let canary = self.canary as usize;
        if i < canary {
            0
        } else {
            (1 + (i - canary) / self.batch_size as usize) as i32
        }
    }
}

/// One request of a change, in one cloud account.
#[derive(Clone, Debug)]
pub struct Step {
    pub account: String,
    pub request: Request,
    /// What a preview read before (the values a revert puts back).
    pub before: Option<Value>,
}

/// A change as asked.
#[derive(Clone, Debug)]
pub struct NewChange {
    pub title: String,
    pub reason: String,
    pub steps: Vec<Step>,
    pub schedule: Schedule,
    pub rollout: Rollout,
    pub revert_of: Option<Uuid>,
    pub retry_of: Option<Uuid>,
}

/// Whether the API itself runs a request later: it carries a `PlannedStartTime`
/// (CreateDBNodes 8.1, ModifyDBNodeClass 8.4, ModifyDBClusterPrimaryZone 6.9.2), and its
/// scheduled task is followed on `/tasks`.
pub fn planned_by_api(request: &Request) -> bool {
    request
        .get("PlannedStartTime")
        .is_some_and(|v| !v.trim().is_empty())
}

/// A change at a time: each request of an action the API schedules itself gets that time
/// as its `PlannedStartTime` (to the minute, not earlier), unless it has one, so the API's
/// own scheduling is used (and its task shows on `/tasks`) and the console sends it at once
/// (or when approved). Only within the API's 24 hours ahead.
fn use_planned_start(new: &mut NewChange) -> Result<(), BackendError> {
    // A time of its own and another one for the change: which one was meant is not for
    // the console to guess (attack run 19, N4; run 20, N2: in windows too, and an end alone).
    if new.schedule != Schedule::Now
        && new.steps.iter().any(|s| {
            planned_by_api(&s.request)
                || s.request
                    .get("PlannedEndTime")
                    .is_some_and(|v| !v.trim().is_empty())
        })
    {
        return Err(BackendError::invalid(
            if new.schedule == Schedule::Window {
                "schedule"
            } else {
                "run_at"
            },
            "a request carries its own PlannedStartTime or PlannedEndTime: ask it to run now, or later without them",
        ));
    }
    let Schedule::At(at) = new.schedule else {
        return Ok(());
    };
    // Beyond the API's 24 hours the console's scheduler sends it at its time instead.
    let now = OffsetDateTime::now_utc().unix_timestamp();
    if at > now + polardb::rules::PLANNED_AHEAD_SECS - 600 {
        return Ok(());
    }
    for step in &mut new.steps {
        let action = step.request.action().name;
        // 8.4: a class change is planned only as an upgrade.
        if planned_by_api(&step.request)
            || !polardb::models::request_fields(action).contains(&"PlannedStartTime")
            || step
                .request
                .get("ModifyType")
                .is_some_and(|t| t != "Upgrade")
        {
            continue;
        }
        // `YYYY-MM-DDThh:mm:ssZ` (UTC), at the minute.
        let minute = polardb::rules::api_minute(at + 59);
        let mut params = step.request.params().to_vec();
        params.push((
            "PlannedStartTime".into(),
            format!("{}:00Z", minute.trim_end_matches('Z')),
        ));
        step.request = Request::parse(action, step.request.region_str(), &params)?;
    }
    Ok(())
}

/// Actions that destroy or interrupt something: a change of one that waits needs a reason.
pub fn risky(action: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "Delete", "Failover", "Restart", "Reset", "Revoke", "Untag", "Switch", "Close",
    ];
    PREFIXES.iter().any(|p| action.starts_with(p))
        || matches!(
            action,
            "ModifyDBNodeClass"
                | "ModifyDBClusterPrimaryZone"
                | "TransformDBClusterPayType"
                | "ModifyDBNodesClass"
        )
}

/// The parameters without the idempotency key the gateway adds.
fn without_token(params: &[(String, String)]) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(k, _)| k != "ClientToken")
        .cloned()
        .collect()
}

/// A stored parameter list (`[[key, value], ...]`).
fn params_of(v: &Value) -> Option<Vec<(String, String)>> {
    v.as_array()?
        .iter()
        .map(|pair| {
            let pair = pair.as_array()?;
            Some((
                pair.first()?.as_str()?.to_string(),
                pair.get(1)?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// A parameter list as stored: secrets replaced (a change holding one never waits).
fn stored(params: &[(String, String)]) -> Value {
    Value::Array(
        params
            .iter()
            .filter(|(k, _)| k != "ClientToken")
            .map(|(k, v)| {
                let v = if audit::is_secret_param(k) {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                json!([k, v])
            })
            .collect(),
    )
}

/// Whether a request carries a secret parameter (even an empty one: what is stored in its
/// place must never be sent).
fn has_secret(request: &Request) -> bool {
    request
        .params()
        .iter()
        .any(|(k, _)| audit::is_secret_param(k))
}

/// How one request of a change went.
#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    pub seq: i32,
    pub batch: i32,
    pub cloud_account: String,
    pub region: String,
    pub cluster: String,
    /// Every cluster the request names (through nodes and events too).
    pub clusters: Vec<String>,
    pub action: String,
    pub params: Value,
    pub before: Option<Value>,
    pub maintain_window: Option<String>,
    pub state: String,
    pub request_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    /// The statuses of its clusters last read while it settled.
    pub cluster_status: Option<String>,
    pub settled_at: Option<OffsetDateTime>,
}

/// An approval or a rejection.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub user_id: Uuid,
    pub username: String,
    pub decision: String,
    pub comment: String,
    pub decided_at: OffsetDateTime,
}

/// A change as its page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeView {
    pub id: Uuid,
    pub title: String,
    pub reason: String,
    pub requested_by: Uuid,
    pub requester: String,
    pub action: String,
    pub state: State,
    pub policy: Option<String>,
    pub approvals_needed: i32,
    pub approver_roles: Vec<String>,
    pub schedule: String,
    pub run_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub canary: i32,
    pub batch_size: i32,
    pub max_failures: i32,
    pub revert_of: Option<Uuid>,
    pub retry_of: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub steps: Vec<StepView>,
    pub decisions: Vec<Decision>,
}

/// A change in a list.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeItem {
    pub id: Uuid,
    pub title: String,
    pub requested_by: Uuid,
    pub requester: String,
    pub action: String,
    pub state: State,
    pub approvals_needed: i32,
    pub approvals: i64,
    pub schedule: String,
    pub run_at: Option<OffsetDateTime>,
    pub steps: i64,
    pub failed: i64,
    pub created_at: OffsetDateTime,
    /// Every (cloud account, region, cluster) it names.
    pub targets: Vec<(String, String, String)>,
}

/// Which changes a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Asked by this user.
    Mine(Uuid),
    /// Awaiting approval by a member of this role, not asked by this user.
    AwaitingMe(Uuid),
    Scheduled,
    Running,
    Recent,
}

/// What asking for a change gave.
#[derive(Debug)]
pub struct Submitted {
    pub id: Uuid,
    pub state: State,
    pub requirement: Option<Requirement>,
}

/// A step as the runner reads it.
struct Pending {
    seq: i32,
    batch: i32,
    account: String,
    region: String,
    action: String,
    params: Value,
    window: Option<String>,
    /// `settling`: sent before a runner stopped, only followed now.
    state: String,
    clusters: Vec<String>,
}

#[derive(Clone)]
pub struct Changes {
    pool: PgPool,
    /// A write sent at once writes its change on these (see [`Identity::lanes`]).
    lanes: crate::db::Lanes,
    audit: Audit,
    gateway: Gateway,
    identity: Identity,
    /// This process, as a claim names it.
    runner: String,
    /// Wakes this process's scheduler (a change approved or asked to run now).
    woken: std::sync::Arc<tokio::sync::Notify>,
    /// Where changes awaiting approval, decided and finished are told (notification rules).
    notify: Option<crate::notify::Notifier>,
    /// How accepted requests are followed until their clusters settle.
    settle: Settle,
}

fn ts(secs: i64) -> Result<OffsetDateTime, BackendError> {
    OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|_| BackendError::invalid("run_at", "is not a time the console can keep"))
}

impl Changes {
    pub fn new(pool: PgPool, audit: Audit, gateway: Gateway, identity: Identity) -> Self {
        Changes {
            lanes: identity.lanes(),
            pool,
            audit,
            gateway,
            identity,
            runner: Uuid::new_v4().to_string(),
            woken: Default::default(),
            notify: None,
            settle: Settle::default(),
        }
    }

    /// Follows accepted requests with these intervals (the tests shorten them).
    pub fn with_settle(mut self, settle: Settle) -> Self {
        self.settle = settle;
        self
    }

    /// Tells the notification rules of changes awaiting approval, decided and finished.
    pub fn with_notifier(mut self, notify: crate::notify::Notifier) -> Self {
        self.notify = Some(notify);
        self
    }

    /// The same, sending through `gateway` (a gateway reconfigured after start).
    pub fn with_gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = gateway;
        self
    }

    pub fn gate(&self) -> Gate {
        Gate::new(self.pool.clone(), self.lanes.clone())
    }

    /// Calls `action` like [`Gateway::invoke`], a write as an apply-now change
    /// ([`Changes::apply_now`]): how pages and the JSON API send.
    pub async fn invoke(
        &self,
        caller: &Caller,
        account: &str,
        region: &str,
        action: &str,
        params: Vec<(String, String)>,
    ) -> Result<Invoked, BackendError> {
        match Request::parse(action, region, &params) {
            Ok(request) if request.action().kind == ActionKind::Write => {
                self.apply_now(caller, account, request).await
            }
            // A read, or a request the gateway refuses (and records) as it stands.
            _ => {
                self.gateway
                    .invoke(caller, account, region, action, params)
                    .await
            }
        }
    }

    /// [`Changes::invoke`] with a typed request and response.
    pub async fn invoke_typed<A: polardb::models::Action>(
        &self,
        caller: &Caller,
        account: &str,
        region: &str,
        request: &A,
    ) -> Result<A::Response, BackendError> {
        if A::KIND == ActionKind::Read {
            return self
                .gateway
                .invoke_typed(caller, account, region, request)
                .await;
        }
        let Ok(canonical) = Request::from_typed(region, request) else {
            // Refused and recorded by the gateway.
            return self
                .gateway
                .invoke_typed(caller, account, region, request)
                .await;
        };
        self.apply_now(caller, account, canonical).await?.typed()
    }

    /// A write page's "apply now": a change of one request with no approval and no
    /// schedule, run by this request. Refused ([`BackendError::ApprovalRequired`]) when a
    /// policy covers it: then it must be asked with [`Changes::submit`].
    pub async fn apply_now(
        &self,
        caller: &Caller,
        account: &str,
        request: Request,
    ) -> Result<Invoked, BackendError> {
        if request.action().kind == ActionKind::Read {
            return self.gateway.invoke_request(caller, account, request).await;
        }
        if caller.collect {
            let (draft, requests) = self.keep(caller, account, request).await?;
            return Err(BackendError::Kept { draft, requests });
        }
        let title = title_of(&request);
        // Who may see the change: every cluster it names (a failed look-up is the gateway's
        // to refuse and record when the request is sent).
        let clusters = match self.gateway.clusters_for(caller, account, &request).await {
            Ok((_, c)) => c,
            Err(_) => request.resources().clusters,
        };
        let (id, _) = self
            .insert(
                Uuid::new_v4(),
                caller,
                &NewChange {
                    title,
                    reason: String::new(),
                    steps: vec![Step {
                        account: account.to_string(),
                        request: request.clone(),
                        before: None,
                    }],
                    schedule: Schedule::Now,
                    rollout: Rollout::default(),
                    revert_of: None,
                    retry_of: None,
                },
                State::Running,
                None,
                None,
                &[None],
                &[clusters],
                false,
            )
            .await?;
        let mut caller = caller.clone();
        caller.change = Some(id);
        // How its one request went and how the change ended are written by the gateway
        // when the answer comes, before its outcome record (#18); here only when the request
        // was refused before it was sent, or that write failed.
        let settled = AtomicBool::new(false);
        let answer = self
            .gateway
            .invoke_now(&caller, account, request.clone(), &settled)
            .await;
        if let Err(BackendError::ApprovalRequired {
            policy, approvals, ..
        }) = answer
        {
            return Err(self.held_back(id, &request, policy, approvals).await);
        }
        if !settled.load(Ordering::Acquire) {
            if let Err(e) = outcome(&answer, false).write(&self.lanes, id, false).await {
                tracing::error!(change = %id, error = %e, "could not record how a change ended");
            }
        }
        answer
    }

    /// An apply-now change a policy held back becomes a draft its requester can ask
    /// approval for (on its page, with a reason); one carrying a password cannot wait, so it
    /// is removed and the refusal says so.
    async fn held_back(
        &self,
        id: Uuid,
        request: &Request,
        policy: String,
        approvals: i32,
    ) -> BackendError {
        let kept = if has_secret(request) {
            sqlx::query!("DELETE FROM changes WHERE id = $1", id)
                .execute(&self.pool)
                .await
                .map(|_| false)
        } else {
            sqlx::query!(
                "WITH steps AS (
                     UPDATE change_steps SET state = 'pending', started_at = NULL WHERE change_id = $1
                 )
                 UPDATE changes SET state = 'draft', claimed_by = NULL, claimed_until = NULL,
                        policy = $2, approvals_needed = $3, updated_at = now()
                 WHERE id = $1",
                id,
                policy,
                approvals
            )
            .execute(&self.pool)
            .await
            .map(|_| true)
        };
        let draft = match kept {
            Ok(kept) => kept.then_some(id),
            Err(e) => {
                tracing::error!(change = %id, error = %e, "could not keep a held-back change as a draft");
                None
            }
        };
        BackendError::ApprovalRequired {
            policy,
            approvals,
            draft,
        }
    }

    /// Asks for a change: the approvals its requests need are found (the strictest policy
    /// over every request), and it is stored awaiting them, or scheduled (at once, at its
    /// time, in its windows). Stored with its audit record (`ChangeRequested`) or not at all.
    pub async fn submit(
        &self,
        caller: &Caller,
        mut new: NewChange,
    ) -> Result<Submitted, BackendError> {
        use_planned_start(&mut new)?;
        let plan = self.plan(caller, &new).await?;
        for (step, preview) in new.steps.iter_mut().zip(&plan.previews) {
            if step.before.is_none() {
                step.before = preview.clone();
            }
        }
        self.insert(
            plan.id,
            caller,
            &new,
            plan.state,
            plan.requirement.as_ref(),
            plan.run_at,
            &plan.windows,
            &plan.clusters,
            true,
        )
        .await?;
        if plan.state == State::AwaitingApproval {
            self.announce(crate::notify::EventKind::ChangeAwaitingApproval, plan.id)
                .await;
        }
        Ok(Submitted {
            id: plan.id,
            state: plan.state,
            requirement: plan.requirement,
        })
    }

    /// Asks for a draft (a page's write a policy held back, see [`Changes::apply_now`]):
    /// with a reason and a schedule it becomes a change like [`Changes::submit`]'s. Only
    /// its requester asks.
    pub async fn submit_draft(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
        schedule: Schedule,
    ) -> Result<Submitted, BackendError> {
        // No longer collected into from here on (waiting for a keep under way, so its
        // request is part of what is planned; attack run 19, F4); put back if asking fails.
        let was_collecting: bool = sqlx::query_scalar!(
            r#"UPDATE changes c SET collecting = false
               FROM (SELECT collecting FROM changes WHERE id = $1 FOR UPDATE) old
               WHERE c.id = $1
               RETURNING old.collecting AS "collecting!""#,
            id
        )
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or(false);
        let asked = self.ask_draft(caller, id, reason, schedule).await;
        if asked.is_err() && was_collecting {
            sqlx::query!(
                "UPDATE changes SET collecting = true WHERE id = $1 AND state = 'draft'",
                id
            )
            .execute(&self.pool)
            .await?;
        }
        asked
    }

    async fn ask_draft(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
        schedule: Schedule,
    ) -> Result<Submitted, BackendError> {
        let draft = self.get(id).await?;
        if Some(draft.requested_by) != caller.actor.user_id {
            let reason = "only the requester of a draft asks for it".to_string();
            let mut e = Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Denied);
            e.params = json!({ "change": id });
            e.error_message = Some(reason.clone());
            self.audit.append(&e).await?;
            return Err(BackendError::Forbidden(reason));
        }
        if draft.state != State::Draft {
            return Err(BackendError::Conflict(format!(
                "the change is {}, not a draft",
                draft.state.as_str().replace('_', " ")
            )));
        }
        let steps = draft
            .steps
            .iter()
            .map(|s| {
                let params = params_of(&s.params).ok_or_else(|| {
                    BackendError::invalid("params", "the stored request cannot be read")
                })?;
                Ok(Step {
                    account: s.cloud_account.clone(),
                    request: Request::parse(&s.action, &s.region, &params)?,
                    before: s.before.clone(),
                })
            })
            .collect::<Result<Vec<_>, BackendError>>()?;
        let new = NewChange {
            title: draft.title,
            reason: reason.to_string(),
            steps,
            schedule,
            rollout: Rollout {
                canary: draft.canary as u32,
                batch_size: draft.batch_size as u32,
                max_failures: draft.max_failures as u32,
            },
            revert_of: draft.revert_of,
            retry_of: draft.retry_of,
        };
        let mut new = new;
        use_planned_start(&mut new)?;
        let plan = self.plan(caller, &new).await?;
        let mut tx = self.audit.begin_change().await?;
        if plan.state == State::AwaitingApproval {
            if let Some(user) = caller.actor.user_id {
                Self::room_to_wait(tx.conn(), user).await?;
            }
        }
        let r = plan.requirement.as_ref();
        let expires_at = r
            .map(|r| OffsetDateTime::now_utc() + time::Duration::hours(i64::from(r.expires_hours)));
        let updated = sqlx::query!(
            "UPDATE changes SET state = $2, reason = $3, policy = $4, approvals_needed = $5,
                    approver_roles = $6, expires_hours = $7, schedule = $8, run_at = $9,
                    expires_at = $10, updated_at = now()
             WHERE id = $1 AND state = 'draft'",
            id,
            plan.state.as_str(),
            new.reason.trim(),
            r.map(|r| r.policy.clone()),
            r.map(|r| r.approvals).unwrap_or(0),
            &r.map(|r| r.approver_roles.clone()).unwrap_or_default(),
            r.map(|r| r.expires_hours).unwrap_or(72),
            new.schedule.kind(),
            plan.run_at,
            expires_at,
        )
        .execute(tx.conn())
        .await?;
        if updated.rows_affected() == 0 {
            return Err(BackendError::Conflict(
                "the draft was asked for already".into(),
            ));
        }
        // Exactly the requests planned, none kept meanwhile.
        let now_steps: i64 = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM change_steps WHERE change_id = $1"#,
            id
        )
        .fetch_one(tx.conn())
        .await?;
        if now_steps != new.steps.len() as i64 {
            return Err(BackendError::Conflict(
                "requests were added to the draft while it was asked for: ask again".into(),
            ));
        }
        for (i, (((w, p), c), step)) in plan
            .windows
            .iter()
            .zip(&plan.previews)
            .zip(&plan.clusters)
            .zip(&new.steps)
            .enumerate()
        {
            // The parameters too: a time given to the API (`PlannedStartTime`).
            sqlx::query!(
                "UPDATE change_steps SET maintain_window = $3, before = coalesce(before, $4),
                        clusters = $5::text[], cluster = coalesce(($5::text[])[1], ''),
                        params = $6
                 WHERE change_id = $1 AND seq = $2",
                id,
                i as i32,
                w.clone(),
                p.clone(),
                c,
                stored(step.request.params())
            )
            .execute(tx.conn())
            .await?;
        }
        let mut e = Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Ok);
        e.params = requested_params(id, &new, plan.state, r, plan.run_at);
        tx.commit(&e).await?;
        if plan.state == State::AwaitingApproval {
            self.announce(crate::notify::EventKind::ChangeAwaitingApproval, id)
                .await;
        }
        Ok(Submitted {
            id,
            state: plan.state,
            requirement: plan.requirement,
        })
    }

    /// What a change needs and where it starts: its rules checked, the caller's role
    /// decided on each request, the approvals found, windows read.
    /// Refused (409) when `user` has [`MAX_WAITING`] changes awaiting approval already.
    /// Called in the transaction that stores a waiting change, under a lock of the user's
    /// until it ends, so asks at once are counted one after another (attack run 23, F1:
    /// counted before, each saw room).
    async fn room_to_wait(conn: &mut sqlx::PgConnection, user: Uuid) -> Result<(), BackendError> {
        sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended('polar-waiting:' || $1::text, 0))",
            user.to_string()
        )
        .execute(&mut *conn)
        .await?;
        let waiting = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM changes
               WHERE requested_by = $1 AND state = 'awaiting_approval'"#,
            user
        )
        .fetch_one(&mut *conn)
        .await?;
        if waiting >= MAX_WAITING {
            return Err(BackendError::Conflict(format!(
                "you have {waiting} changes awaiting approval, the most one user may have: cancel some or wait for their decisions"
            )));
        }
        Ok(())
    }

    async fn plan(&self, caller: &Caller, new: &NewChange) -> Result<Plan, BackendError> {
        let title = new.title.trim();
        if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
            return Err(BackendError::invalid(
                "title",
                "must be 1 to 200 characters without control characters",
            ));
        }
        if new.reason.chars().count() > 2000 || new.reason.contains('\0') {
            return Err(BackendError::invalid(
                "reason",
                "must be at most 2000 characters",
            ));
        }
        if new.steps.is_empty() || new.steps.len() > MAX_STEPS {
            return Err(BackendError::invalid(
                "targets",
                format!("a change sends 1 to {MAX_STEPS} requests"),
            ));
        }
        new.rollout.check()?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if let Schedule::At(at) = new.schedule {
            if at < now - 60 {
                return Err(BackendError::invalid("run_at", "is in the past"));
            }
            if at > now + 366 * 86_400 {
                return Err(BackendError::invalid("run_at", "must be within a year"));
            }
        }
        let mut requirement = None;
        let mut windows = Vec::with_capacity(new.steps.len());
        let mut previews = Vec::with_capacity(new.steps.len());
        let mut clusters = Vec::with_capacity(new.steps.len());
        for step in &new.steps {
            // Asking reads (policies, tags, windows) for each request: one of the user's
            // tokens each, like the calls they stand for.
            self.gateway.take_token(
                caller.actor.user_id,
                &caller.actor.name,
                step.request.action().name,
            )?;
            if step.request.action().kind == ActionKind::Read {
                return Err(BackendError::invalid(
                    "action",
                    format!(
                        "{} only reads; a change sends writes",
                        step.request.action().name
                    ),
                ));
            }
            // Every cluster the request names, through nodes and events too: each is decided
            // on, counts for the policies, and decides who may see the change.
            let (account, named) = self
                .gateway
                .clusters_for(caller, &step.account, &step.request)
                .await?;
            self.decide(caller, step, &named).await?;
            let r = self
                .gateway
                .requirement_for(caller, &account, &step.request, &named)
                .await?;
            requirement =
                Requirement::merged(&[requirement, r].into_iter().flatten().collect::<Vec<_>>());
            clusters.push(named);
            previews.push(match self.preview(caller, step).await {
                Ok(p) => p.and_then(|p| serde_json::to_value(p).ok()),
                // The API could not say now: asked without a preview (and no revert).
                Err(BackendError::Upstream(e)) => {
                    tracing::info!(error = %e, "no preview of a request: its read failed");
                    None
                }
                Err(e) => return Err(e),
            });
            windows.push(if new.schedule == Schedule::Window {
                Some(self.window_of(caller, step).await?)
            } else {
                None
            });
        }
        let waits = requirement.is_some() || new.schedule != Schedule::Now;
        // An asked change is run by the scheduler from what is stored, and a password is
        // never stored: one that carries a password is applied at once from its page.
        if new.steps.iter().any(|s| has_secret(&s.request)) {
            return Err(BackendError::invalid(
                "params",
                "a password is never stored, so a change carrying one cannot be asked for: apply it at once from its page",
            ));
        }
        let action = new.steps[0].request.action().name;
        if (requirement.is_some() || (waits && risky(action)))
            && new.reason.trim().chars().count() < 3
        {
            return Err(BackendError::invalid(
                "reason",
                "is required for a change that needs approval or deletes, restarts or fails over something (at least 3 characters)",
            ));
        }
        let state = if requirement.is_some() {
            State::AwaitingApproval
        } else {
            State::Scheduled
        };
        let run_at = match new.schedule {
            // The API schedules these itself (see `use_planned_start`): sent at once.
            Schedule::At(_) if new.steps.iter().all(|s| planned_by_api(&s.request)) => {
                Some(ts(now)?)
            }
            Schedule::At(at) => Some(ts(at)?),
            // The first window to open; each request waits for its own.
            Schedule::Window => Some(ts(windows
                .iter()
                .flatten()
                .filter_map(|w| polardb::rules::next_window_start(w, now))
                .min()
                .unwrap_or(now))?),
            Schedule::Now => Some(ts(now)?),
        };
        Ok(Plan {
            id: Uuid::new_v4(),
            state,
            requirement,
            run_at,
            windows,
            previews,
            clusters,
        })
    }

    /// The caller's role decides on each cluster a step names before it is stored (and
    /// again when it is sent): a change nobody could run is not asked.
    async fn decide(
        &self,
        caller: &Caller,
        step: &Step,
        clusters: &[String],
    ) -> Result<(), BackendError> {
        let action = step.request.action().name;
        let region = step.request.region_str().to_string();
        let named = step.request.resources().clusters;
        let mut targets: Vec<Option<String>> = clusters.iter().cloned().map(Some).collect();
        if targets.is_empty()
            || step.request.action().resource == polardb::models::ResourceScope::Create
        {
            targets.insert(0, None);
        }
        for cluster in targets {
            let resource = Resource {
                account: step.account.clone(),
                region: region.clone(),
                cluster: cluster.clone(),
            };
            if let crate::access::Decision::Deny(mut reason) = caller
                .policy
                .decide(&format!("polardb:{action}"), &resource)
            {
                // A cluster found through a node or an event is not named back.
                let derived = cluster.as_ref().is_some_and(|c| !named.contains(c));
                if derived {
                    reason = format!(
                        "polardb:{action} is not allowed by your role on the cluster of what the request names"
                    );
                }
                let mut e =
                    Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Denied);
                e.cloud_account = Some(audit::safe_text(&step.account, 64));
                e.region = Some(region.clone());
                e.resource = json!({ "cluster": if derived { None } else { cluster } });
                e.params = json!({ "action": action });
                e.error_message = Some(reason.clone());
                self.audit.append(&e).await?;
                return Err(BackendError::Forbidden(reason));
            }
        }
        Ok(())
    }

    /// The maintenance window of the cluster a step names (read as the caller).
    async fn window_of(&self, caller: &Caller, step: &Step) -> Result<String, BackendError> {
        let Some(cluster) = step.request.resources().clusters.first().cloned() else {
            return Err(BackendError::invalid(
                "schedule",
                format!(
                    "{} names no cluster, so it has no maintenance window",
                    step.request.action().name
                ),
            ));
        };
        let answer = self
            .gateway
            .invoke_typed(
                caller,
                &step.account,
                step.request.region_str(),
                &polardb::models::DescribeDBClusterAttribute {
                    db_cluster_id: cluster.clone(),
                },
            )
            .await?;
        if polardb::rules::maintain_window(&answer.maintain_time).is_none() {
            return Err(BackendError::invalid(
                "schedule",
                format!("{cluster} has no maintenance window the console can read"),
            ));
        }
        Ok(answer.maintain_time)
    }

    /// Stores a change and its steps; with `record`, together with its `ChangeRequested`
    /// record (fail closed). An apply-now change is recorded by the gateway's own records
    /// of its request, which name the change.
    #[allow(clippy::too_many_arguments)]
    async fn insert(
        &self,
        id: Uuid,
        caller: &Caller,
        new: &NewChange,
        state: State,
        requirement: Option<&Requirement>,
        run_at: Option<OffsetDateTime>,
        windows: &[Option<String>],
        clusters: &[Vec<String>],
        record: bool,
    ) -> Result<(Uuid, i64), BackendError> {
        let user_id = caller.actor.user_id.ok_or_else(|| {
            BackendError::Forbidden("a change is asked by a signed-in user".into())
        })?;
        let expires_at = requirement
            .map(|r| OffsetDateTime::now_utc() + time::Duration::hours(i64::from(r.expires_hours)));
        let claimed = (state == State::Running).then(|| self.runner.clone());
        let rows = Rows {
            id,
            user_id,
            requester: &caller.actor.name,
            new,
            state,
            requirement,
            run_at,
            expires_at,
            windows,
            clusters,
            claimed,
        };
        if !record {
            // An apply-now change has no record of its own: its request's intent and
            // outcome records name it. Its commit does not wait for the disk (#18): the
            // intent record, committed with the disk before the request is sent, is later
            // in the same log, so flushing it flushes the change first; a change whose
            // request never got a record was never sent.
            let mut lane = self.lanes.take().await?;
            rows.write(&mut lane, true).await?;
            lane.done();
            return Ok((id, 0));
        }
        let mut tx = self.audit.begin_change().await?;
        if state == State::AwaitingApproval {
            Self::room_to_wait(tx.conn(), user_id).await?;
        }
        rows.write(tx.conn(), false).await?;
        let mut e = Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Ok);
        e.params = requested_params(id, new, state, requirement, run_at);
        let seq = tx.commit(&e).await?;
        Ok((id, seq))
    }

    /// Records how a request went; an accepted one that is followed is `settling`.
    async fn step_done(
        &self,
        change: Uuid,
        seq: i32,
        answer: &Result<Invoked, BackendError>,
        followed: bool,
    ) {
        let Ended {
            step: state,
            request_id,
            code,
            message,
        } = outcome(answer, followed);
        if let Err(e) = sqlx::query!(
            "UPDATE change_steps SET state = $3, request_id = $4, error_code = $5,
                    error_message = $6,
                    finished_at = CASE WHEN $3 = 'settling' THEN NULL ELSE now() END,
                    started_at = coalesce(started_at, now())
             WHERE change_id = $1 AND seq = $2",
            change,
            seq,
            state,
            request_id,
            code,
            message.map(|m| audit::safe_text(&m, 1000)),
        )
        .execute(&self.pool)
        .await
        {
            tracing::error!(change = %change, error = %e, "could not record how a request of a change went");
        }
    }
}

/// A request's step as its answer leaves it (an accepted one that is followed is
/// `settling`).
fn outcome(answer: &Result<Invoked, BackendError>, followed: bool) -> Ended {
    match answer {
        Ok(i) => Ended {
            step: if followed { "settling" } else { "succeeded" },
            request_id: Some(i.request_id.clone()),
            code: None,
            message: None,
        },
        Err(BackendError::Upstream(api)) => Ended::refused(api),
        Err(e) => Ended {
            step: "failed",
            request_id: None,
            code: Some(error_code(e).to_string()),
            message: Some(e.to_string()),
        },
    }
}

/// How a request of a change went: its step's state, request id, error code and message.
pub(crate) struct Ended {
    pub step: &'static str,
    pub request_id: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
}

impl Ended {
    /// As the API answered `result` (the gateway's view, before its outcome record).
    pub(crate) fn of(
        result: &Result<polardb::answer::Answer, polardb::ApiError>,
        request_id: &str,
    ) -> Self {
        match result {
            Ok(_) => Ended {
                step: "succeeded",
                request_id: Some(request_id.to_string()),
                code: None,
                message: None,
            },
            Err(api) => Ended::refused(api),
        }
    }

    /// The API's refusal.
    fn refused(api: &polardb::ApiError) -> Self {
        Ended {
            step: "failed",
            request_id: Some(api.request_id.clone()).filter(|s| !s.is_empty()),
            code: Some(api.code.clone()),
            message: Some(api.human()),
        }
    }

    /// An apply-now change's one step, and the change, in one statement. `quiet`: the
    /// commit does not wait for the disk — only when a record committed with it later
    /// follows (the gateway's outcome record: flushing the log to it flushes this first).
    pub(crate) async fn write(
        &self,
        lanes: &crate::db::Lanes,
        id: Uuid,
        quiet: bool,
    ) -> Result<(), sqlx::Error> {
        // An apply-now change ends as its one request did.
        let state = if self.step == "succeeded" {
            State::Succeeded
        } else {
            State::Failed
        };
        let mut lane = lanes.take().await?;
        sqlx::query!(
            "WITH quiet AS (
                 SELECT set_config('synchronous_commit', 'off', true) WHERE $7::bool
             ), step AS (
                 UPDATE change_steps SET state = $3, request_id = $4, error_code = $5,
                        error_message = $6, finished_at = now(),
                        started_at = coalesce(started_at, now())
                 WHERE change_id = $1 AND seq = 0 AND (SELECT count(*) FROM quiet) >= 0
             )
             UPDATE changes SET state = $2, finished_at = now(), updated_at = now(),
                    claimed_by = NULL, claimed_until = NULL
             WHERE id = $1",
            id,
            state.as_str(),
            self.step,
            self.request_id,
            self.code,
            self.message.as_deref().map(|m| audit::safe_text(m, 1000)),
            quiet,
        )
        .execute(&mut *lane)
        .await?;
        lane.done();
        Ok(())
    }
}

/// What [`Changes::plan`] found.
struct Plan {
    id: Uuid,
    state: State,
    requirement: Option<Requirement>,
    run_at: Option<OffsetDateTime>,
    windows: Vec<Option<String>>,
    /// Each request's preview (see [`preview`]), as stored.
    previews: Vec<Option<Value>>,
    /// Every cluster each request names.
    clusters: Vec<Vec<String>>,
}

/// The parameters of a `ChangeRequested` record.
fn requested_params(
    id: Uuid,
    new: &NewChange,
    state: State,
    requirement: Option<&Requirement>,
    run_at: Option<OffsetDateTime>,
) -> Value {
    json!({
        "change": id,
        "title": new.title.trim(),
        "action": new.steps.first().map(|s| s.request.action().name),
        "requests": new.steps.len(),
        "state": state.as_str(),
        "schedule": new.schedule.kind(),
        "run_at": run_at.map(|t| polardb::rules::api_minute(t.unix_timestamp())),
        "policy": requirement.map(|r| r.policy.clone()),
        "approvals_needed": requirement.map(|r| r.approvals).unwrap_or(0),
    })
}

/// The rows of a new change.
struct Rows<'a> {
    id: Uuid,
    user_id: Uuid,
    requester: &'a str,
    new: &'a NewChange,
    state: State,
    requirement: Option<&'a Requirement>,
    run_at: Option<OffsetDateTime>,
    expires_at: Option<OffsetDateTime>,
    windows: &'a [Option<String>],
    clusters: &'a [Vec<String>],
    claimed: Option<String>,
}

impl Rows<'_> {
    /// The change and all its requests in one statement. `quiet`: its commit does not wait
    /// for the disk (`synchronous_commit` off for this transaction only; see
    /// [`Changes::insert`] for when that holds).
    async fn write(&self, conn: &mut sqlx::PgConnection, quiet: bool) -> Result<(), BackendError> {
        let new = self.new;
        let requirement = self.requirement;
        let action = new.steps[0].request.action().name;
        let n = new.steps.len();
        let mut seq = Vec::with_capacity(n);
        let mut batch = Vec::with_capacity(n);
        let mut account = Vec::with_capacity(n);
        let mut region = Vec::with_capacity(n);
        let mut cluster = Vec::with_capacity(n);
        let mut acts = Vec::with_capacity(n);
        let mut params = Vec::with_capacity(n);
        let mut before = Vec::with_capacity(n);
        let mut window = Vec::with_capacity(n);
        let mut clusters = Vec::with_capacity(n);
        for (i, step) in new.steps.iter().enumerate() {
            let named = self.clusters.get(i).cloned().unwrap_or_default();
            seq.push(i as i32);
            batch.push(new.rollout.batch_of(i));
            account.push(step.account.clone());
            region.push(step.request.region_str().to_string());
            cluster.push(named.first().cloned().unwrap_or_default());
            acts.push(step.request.action().name.to_string());
            params.push(stored(step.request.params()));
            before.push(step.before.clone());
            window.push(self.windows.get(i).cloned().flatten());
            clusters.push(Value::from(named));
        }
        // Sent by the request that made it: running from the start, so a runner taking over
        // after a crash never sends it again.
        let step_state = if self.state == State::Running {
            "running"
        } else {
            "pending"
        };
        sqlx::query!(
            "WITH quiet AS (
                 SELECT set_config('synchronous_commit', 'off', true) WHERE $21::bool
             ), change AS (
                 INSERT INTO changes (id, title, reason, requested_by, requester, action, state,
                     policy, approvals_needed, approver_roles, expires_hours, schedule, run_at,
                     expires_at, canary, batch_size, max_failures, revert_of, retry_of, claimed_by,
                     claimed_until)
                 SELECT $1::uuid, $2::text, $3::text, $4::uuid, $5::text, $6::text, $7::text,
                     $8::text, $9::int, $10::text[], $11::int, $12::text, $13::timestamptz,
                     $14::timestamptz, $15::int, $16::int, $17::int, $18::uuid, $19::uuid,
                     $20::text,
                     CASE WHEN $20::text IS NULL THEN NULL ELSE now() + interval '5 minutes' END
                 WHERE (SELECT count(*) FROM quiet) >= 0
                 RETURNING id
             )
             INSERT INTO change_steps (change_id, seq, batch, cloud_account, region, cluster,
                 action, params, before, maintain_window, state, started_at, clusters)
             SELECT change.id, s.seq, s.batch, s.account, s.region, s.cluster, s.action,
                 s.params, s.before, s.maintain_window, $32::text,
                 CASE WHEN $32::text = 'running' THEN now() END,
                 ARRAY(SELECT jsonb_array_elements_text(s.clusters))
             FROM change, UNNEST($22::int[], $23::int[], $24::text[], $25::text[], $26::text[],
                 $27::text[], $28::jsonb[], $29::jsonb[], $30::text[], $31::jsonb[])
                 AS s (seq, batch, account, region, cluster, action, params, before,
                       maintain_window, clusters)",
            self.id,
            new.title.trim(),
            new.reason.trim(),
            self.user_id,
            self.requester,
            action,
            self.state.as_str(),
            requirement.map(|r| r.policy.clone()),
            requirement.map(|r| r.approvals).unwrap_or(0),
            &requirement
                .map(|r| r.approver_roles.clone())
                .unwrap_or_default(),
            requirement.map(|r| r.expires_hours).unwrap_or(72),
            new.schedule.kind(),
            self.run_at,
            self.expires_at,
            new.rollout.canary as i32,
            new.rollout.batch_size as i32,
            new.rollout.max_failures as i32,
            new.revert_of,
            new.retry_of,
            self.claimed,
            quiet,
            &seq,
            &batch,
            &account,
            &region,
            &cluster,
            &acts,
            &params,
            &before as &[Option<Value>],
            &window as &[Option<String>],
            &clusters,
            step_state,
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// A short code for a refusal that is not the API's.
fn error_code(e: &BackendError) -> &'static str {
    match e {
        BackendError::Forbidden(_) => "Forbidden",
        BackendError::ApprovalRequired { .. } => "ApprovalRequired",
        BackendError::Kept { .. } => "Kept",
        BackendError::Invalid { .. } | BackendError::Request(_) => "InvalidRequest",
        BackendError::NotFound(_) => "NotFound",
        BackendError::Throttled(_) => "Throttled",
        BackendError::AuditUnavailable => "AuditUnavailable",
        _ => "ConsoleError",
    }
}

/// A change's title made from its request: names only, read alike in every language of
/// the console (`ModifyDBClusterDescription · pc-a`, `… · pc-a +2`, `… · cn-hangzhou`).
pub fn title_of(request: &Request) -> String {
    let named = request.resources();
    let action = request.action().name;
    match named.clusters.first() {
        Some(c) if named.clusters.len() > 1 => {
            format!("{action} · {c} +{}", named.clusters.len() - 1)
        }
        Some(c) => format!("{action} · {c}"),
        None => format!("{action} · {}", request.region_str()),
    }
}
