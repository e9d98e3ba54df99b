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

use std::time::Duration;

use futures::StreamExt;
use polardb::models::ActionKind;
use polardb::request::Request;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::Resource;
use crate::audit::{self, Actor, Audit, Event, Outcome};
use crate::gateway::{Caller, Gateway, Invoked};
use crate::identity::Identity;
use crate::BackendError;

/// The most requests one change sends.
pub const MAX_STEPS: usize = 500;
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

/// Which writes need approvals, how many and from whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApprovalPolicy {
    pub id: Uuid,
    pub name: String,
    /// Empty: every write.
    pub actions: Vec<String>,
    pub cloud_account: Option<String>,
    pub region: Option<String>,
    pub tag_key: Option<String>,
    /// With a key and no value: any value of that key.
    pub tag_value: Option<String>,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

impl ApprovalPolicy {
    /// Whether it covers `action` in `account` and `region`, its tag aside.
    fn covers(&self, action: &str, account: &str, region: &str) -> bool {
        (self.actions.is_empty() || self.actions.iter().any(|a| a == action))
            && self.cloud_account.as_deref().is_none_or(|a| a == account)
            && self.region.as_deref().is_none_or(|r| r == region)
    }

    /// Whether a cluster with `tags` carries the policy's tag.
    fn tagged(&self, tags: &[(String, String)]) -> bool {
        match &self.tag_key {
            None => true,
            Some(key) => tags
                .iter()
                .any(|(k, v)| k == key && self.tag_value.as_deref().is_none_or(|x| x == v)),
        }
    }
}

/// A policy as an administrator writes it.
#[derive(Clone, Debug, Default)]
pub struct NewPolicy {
    pub name: String,
    pub actions: Vec<String>,
    pub cloud_account: Option<String>,
    pub region: Option<String>,
    pub tag_key: Option<String>,
    pub tag_value: Option<String>,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

impl NewPolicy {
    /// The rules of a policy, each refusal naming its field.
    pub fn check(&self) -> Result<(), BackendError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(BackendError::invalid(
                "name",
                "must be 1 to 64 characters without control characters",
            ));
        }
        for a in &self.actions {
            match polardb::models::action_info(a) {
                Some(info) if info.kind == ActionKind::Write => {}
                Some(_) => {
                    return Err(BackendError::invalid(
                        "actions",
                        format!("{a} only reads; approvals are for changes"),
                    ))
                }
                None => {
                    return Err(BackendError::invalid(
                        "actions",
                        format!(
                            "{:?} is not an action of the PolarDB API",
                            audit::safe_text(a, 64)
                        ),
                    ))
                }
            }
        }
        if let Some(r) = &self.region {
            polardb::request::RegionId::parse(r)
                .map_err(|e| BackendError::invalid("region", e.message))?;
        }
        if let Some(a) = &self.cloud_account {
            if a.is_empty() || a.chars().count() > 64 || a.chars().any(char::is_control) {
                return Err(BackendError::invalid(
                    "cloud_account",
                    "is not a cloud account name (1 to 64 characters)",
                ));
            }
        }
        match (&self.tag_key, &self.tag_value) {
            (None, Some(_)) => {
                return Err(BackendError::invalid(
                    "tag_key",
                    "is needed when a tag value is given",
                ))
            }
            (Some(k), v) => {
                if let Some(p) = polardb::rules::tag_key_problem(k) {
                    return Err(BackendError::invalid("tag_key", p));
                }
                if let Some(p) = v.as_deref().and_then(polardb::rules::tag_value_problem) {
                    return Err(BackendError::invalid("tag_value", p));
                }
            }
            (None, None) => {}
        }
        if !(1..=5).contains(&self.approvals) {
            return Err(BackendError::invalid("approvals", "must be 1 to 5"));
        }
        if self
            .approver_roles
            .iter()
            .any(|r| r.is_empty() || r.chars().count() > 64 || r.chars().any(char::is_control))
        {
            return Err(BackendError::invalid(
                "approver_roles",
                "a role name is 1 to 64 characters without control characters",
            ));
        }
        if self.approver_roles.is_empty() || self.approver_roles.len() > 16 {
            return Err(BackendError::invalid(
                "approver_roles",
                "must name 1 to 16 roles",
            ));
        }
        if !(1..=720).contains(&self.expires_hours) {
            return Err(BackendError::invalid(
                "expires_hours",
                "must be 1 to 720 hours",
            ));
        }
        Ok(())
    }
}

/// What a policy asks of a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub policy: String,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

impl Requirement {
    fn of(p: &ApprovalPolicy) -> Requirement {
        Requirement {
            policy: p.name.clone(),
            approvals: p.approvals,
            approver_roles: p.approver_roles.clone(),
            expires_hours: p.expires_hours,
        }
    }

    /// The stricter of two (more approvals; on a tie, the one kept first).
    fn stricter(a: Option<Requirement>, b: Option<Requirement>) -> Option<Requirement> {
        match (a, b) {
            (Some(a), Some(b)) if b.approvals > a.approvals => Some(b),
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
    }
}

/// The approval check the gateway makes on every write: policies read from the database on
/// each write (a policy added by another process holds at once), and whether the call is a
/// step of a running change that has its approvals.
#[derive(Clone)]
pub struct Gate {
    pool: PgPool,
}

impl Gate {
    pub fn new(pool: PgPool) -> Self {
        Gate { pool }
    }

    pub async fn policies(&self) -> Result<Vec<ApprovalPolicy>, BackendError> {
        let rows = sqlx::query!(
            "SELECT id, name, actions, cloud_account, region, tag_key, tag_value, approvals,
                    approver_roles, expires_hours
             FROM approval_policies ORDER BY name"
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ApprovalPolicy {
                id: r.id,
                name: r.name,
                actions: r.actions,
                cloud_account: r.cloud_account,
                region: r.region,
                tag_key: r.tag_key,
                tag_value: r.tag_value,
                approvals: r.approvals,
                approver_roles: r.approver_roles,
                expires_hours: r.expires_hours,
            })
            .collect())
    }

    /// The policies that may cover `action` in `account` and `region` (their tags aside).
    pub(crate) async fn candidates(
        &self,
        action: &str,
        account: &str,
        region: &str,
    ) -> Result<Vec<ApprovalPolicy>, BackendError> {
        Ok(self
            .policies()
            .await?
            .into_iter()
            .filter(|p| p.covers(action, account, region))
            .collect())
    }

    /// The strictest requirement of `candidates` for clusters with `tags` (`None`: the
    /// tags could not be read, so every tag matches — fail closed). A policy with a tag
    /// never covers a request that names no cluster.
    pub(crate) fn requirement(
        candidates: &[ApprovalPolicy],
        clusters: usize,
        tags: Option<&[(String, String)]>,
    ) -> Option<Requirement> {
        candidates
            .iter()
            .filter(|p| match (&p.tag_key, tags) {
                (None, _) => true,
                (Some(_), _) if clusters == 0 => false,
                (Some(_), None) => true,
                (Some(_), Some(t)) => p.tagged(t),
            })
            .map(Requirement::of)
            .fold(None, |acc, r| Requirement::stricter(acc, Some(r)))
    }

    /// Whether `request` is a running step of the running change `change`, which has at
    /// least `needed` approvals.
    pub(crate) async fn allows(
        &self,
        change: Uuid,
        needed: i32,
        request: &Request,
    ) -> Result<bool, BackendError> {
        let rows = sqlx::query!(
            r#"SELECT c.approvals_needed,
                      (SELECT count(*) FROM change_approvals a
                        WHERE a.change_id = c.id AND a.decision = 'approve') AS "approved!",
                      s.params
               FROM changes c JOIN change_steps s ON s.change_id = c.id
               WHERE c.id = $1 AND c.state = 'running' AND s.state = 'running' AND s.action = $2"#,
            change,
            request.action().name
        )
        .fetch_all(&self.pool)
        .await?;
        let sent = without_token(request.params());
        Ok(rows.into_iter().any(|r| {
            r.approvals_needed >= needed
                && r.approved >= i64::from(needed)
                && params_of(&r.params).is_some_and(|p| without_token(&p) == sent)
        }))
    }
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

fn has_secret(request: &Request) -> bool {
    request
        .params()
        .iter()
        .any(|(k, v)| audit::is_secret_param(k) && !v.is_empty())
}

/// How one request of a change went.
#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    pub seq: i32,
    pub batch: i32,
    pub cloud_account: String,
    pub region: String,
    pub cluster: String,
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
}

#[derive(Clone)]
pub struct Changes {
    pool: PgPool,
    audit: Audit,
    gateway: Gateway,
    identity: Identity,
    /// This process, as a claim names it.
    runner: String,
    /// Wakes this process's scheduler (a change approved or asked to run now).
    woken: std::sync::Arc<tokio::sync::Notify>,
}

fn ts(secs: i64) -> Result<OffsetDateTime, BackendError> {
    OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|_| BackendError::invalid("run_at", "is not a time the console can keep"))
}

impl Changes {
    pub fn new(pool: PgPool, audit: Audit, gateway: Gateway, identity: Identity) -> Self {
        Changes {
            pool,
            audit,
            gateway,
            identity,
            runner: Uuid::new_v4().to_string(),
            woken: Default::default(),
        }
    }

    /// The same, sending through `gateway` (a gateway reconfigured after start).
    pub fn with_gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = gateway;
        self
    }

    pub fn gate(&self) -> Gate {
        Gate::new(self.pool.clone())
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
        let invoked = self.apply_now(caller, account, canonical).await?;
        polardb::lenient::from_value(invoked.body).map_err(|e| {
            BackendError::Upstream(polardb::ApiError::transport(
                "InvalidResponse",
                format!(
                    "the {} response did not have the expected shape: {e}",
                    A::NAME
                ),
            ))
        })
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
        let title = title_of(&request);
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
                false,
            )
            .await?;
        let mut caller = caller.clone();
        caller.change = Some(id);
        let answer = self
            .gateway
            .invoke_request(&caller, account, request.clone())
            .await;
        if let Err(BackendError::ApprovalRequired {
            policy, approvals, ..
        }) = answer
        {
            return Err(self.held_back(id, &request, policy, approvals).await);
        }
        self.step_done(id, 0, &answer).await;
        let state = if answer.is_ok() {
            State::Succeeded
        } else {
            State::Failed
        };
        if let Err(e) = sqlx::query!(
            "UPDATE changes SET state = $2, finished_at = now(), updated_at = now(),
                    claimed_by = NULL, claimed_until = NULL
             WHERE id = $1",
            id,
            state.as_str()
        )
        .execute(&self.pool)
        .await
        {
            tracing::error!(change = %id, error = %e, "could not record how a change ended");
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
    pub async fn submit(&self, caller: &Caller, new: NewChange) -> Result<Submitted, BackendError> {
        let plan = self.plan(caller, &new).await?;
        self.insert(
            plan.id,
            caller,
            &new,
            plan.state,
            plan.requirement.as_ref(),
            plan.run_at,
            &plan.windows,
            true,
        )
        .await?;
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
        let plan = self.plan(caller, &new).await?;
        let mut tx = self.audit.begin_change().await?;
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
        for (i, w) in plan.windows.iter().enumerate() {
            sqlx::query!(
                "UPDATE change_steps SET maintain_window = $3 WHERE change_id = $1 AND seq = $2",
                id,
                i as i32,
                w.clone()
            )
            .execute(tx.conn())
            .await?;
        }
        let mut e = Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Ok);
        e.params = requested_params(id, &new, plan.state, r, plan.run_at);
        tx.commit(&e).await?;
        Ok(Submitted {
            id,
            state: plan.state,
            requirement: plan.requirement,
        })
    }

    /// What a change needs and where it starts: its rules checked, the caller's role
    /// decided on each request, the approvals found, windows read.
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
            self.decide(caller, step).await?;
            let r = self
                .gateway
                .requirement_for(caller, &step.account, &step.request)
                .await?;
            requirement = Requirement::stricter(requirement, r);
            windows.push(if new.schedule == Schedule::Window {
                Some(self.window_of(caller, step).await?)
            } else {
                None
            });
        }
        let waits = requirement.is_some() || new.schedule != Schedule::Now;
        if waits && new.steps.iter().any(|s| has_secret(&s.request)) {
            return Err(BackendError::invalid(
                "params",
                "a password cannot wait for an approval or a schedule (it is never stored): apply this change at once",
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
        })
    }

    /// The caller's role decides on each cluster a step names before it is stored (and
    /// again when it is sent): a change nobody could run is not asked.
    async fn decide(&self, caller: &Caller, step: &Step) -> Result<(), BackendError> {
        let action = step.request.action().name;
        let region = step.request.region_str().to_string();
        let named = step.request.resources();
        let mut targets: Vec<Option<String>> = named.clusters.iter().cloned().map(Some).collect();
        if targets.is_empty() {
            targets.push(None);
        }
        for cluster in targets {
            let resource = Resource {
                account: step.account.clone(),
                region: region.clone(),
                cluster: cluster.clone(),
            };
            if let crate::access::Decision::Deny(reason) = caller
                .policy
                .decide(&format!("polardb:{action}"), &resource)
            {
                let mut e =
                    Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Denied);
                e.cloud_account = Some(audit::safe_text(&step.account, 64));
                e.region = Some(region.clone());
                e.resource = json!({ "cluster": cluster });
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
            claimed,
        };
        if !record {
            // An apply-now change has no record of its own: its request's intent and
            // outcome records name it.
            let mut tx = self.pool.begin().await?;
            rows.write(&mut tx).await?;
            tx.commit().await?;
            return Ok((id, 0));
        }
        let mut tx = self.audit.begin_change().await?;
        rows.write(tx.conn()).await?;
        let mut e = Event::security(caller.actor.clone(), "ChangeRequested", Outcome::Ok);
        e.params = requested_params(id, new, state, requirement, run_at);
        let seq = tx.commit(&e).await?;
        Ok((id, seq))
    }

    /// Marks how a step went.
    async fn step_done(&self, change: Uuid, seq: i32, answer: &Result<Invoked, BackendError>) {
        let (state, request_id, code, message) = match answer {
            Ok(i) => ("succeeded", Some(i.request_id.clone()), None, None),
            Err(BackendError::Upstream(api)) => (
                "failed",
                Some(api.request_id.clone()).filter(|s| !s.is_empty()),
                Some(api.code.clone()),
                Some(api.human()),
            ),
            Err(e) => (
                "failed",
                None,
                Some(error_code(e).to_string()),
                Some(e.to_string()),
            ),
        };
        if let Err(e) = sqlx::query!(
            "UPDATE change_steps SET state = $3, request_id = $4, error_code = $5,
                    error_message = $6, finished_at = now(),
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
        let mut tx = self.audit.begin_change().await?;
        let row = sqlx::query!(
            r#"SELECT state, requested_by, approvals_needed, approver_roles, expires_hours,
                      schedule, run_at, expires_at < now() AS "expired!"
               FROM changes WHERE id = $1 FOR UPDATE"#,
            id
        )
        .fetch_optional(tx.conn())
        .await?
        .ok_or(BackendError::NotFound("change"))?;
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
        if !row.approver_roles.iter().any(|r| r == role) {
            drop(tx);
            return Err(refuse(format!(
                "only members of {} decide on this change",
                row.approver_roles.join(", ")
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
            "INSERT INTO change_approvals (change_id, user_id, username, decision, comment)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            id,
            user_id,
            caller.actor.name,
            match verdict {
                Verdict::Approve => "approve",
                Verdict::Reject => "reject",
            },
            comment
        )
        .execute(tx.conn())
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(BackendError::Conflict(
                "you have decided on this change already".into(),
            ));
        }
        let approved: i64 = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM change_approvals WHERE change_id = $1 AND decision = 'approve'"#,
            id
        )
        .fetch_one(tx.conn())
        .await?;
        let next = match verdict {
            Verdict::Reject => State::Rejected,
            Verdict::Approve if approved >= i64::from(row.approvals_needed) => State::Scheduled,
            Verdict::Approve => State::AwaitingApproval,
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
            "approvals_needed": row.approvals_needed,
            "state": next.as_str(),
            "comment": audit::safe_text(comment, 500),
        });
        tx.commit(&e).await?;
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
            "SELECT seq, batch, cloud_account, region, action, params, maintain_window
             FROM change_steps WHERE change_id = $1 AND state = 'pending' ORDER BY batch, seq",
            id
        )
        .fetch_all(&self.pool)
        .await?;
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
            };
            // In windows: only while the cluster's window is open; the rest wait for theirs.
            if change.schedule == "window" {
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

    /// Sends one step through the gateway (which decides and audits it) and records it.
    async fn send(&self, caller: &Caller, id: Uuid, step: Pending) {
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
        self.step_done(id, step.seq, &answer).await;
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
        Ok(())
    }

    /// One change with its requests and decisions.
    pub async fn get(&self, id: Uuid) -> Result<ChangeView, BackendError> {
        let c = sqlx::query!(
            "SELECT id, title, reason, requested_by, requester, action, state, policy,
                    approvals_needed, approver_roles, schedule, run_at, expires_at, canary,
                    batch_size, max_failures, revert_of, retry_of, created_at, finished_at
             FROM changes WHERE id = $1",
            id
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or(BackendError::NotFound("change"))?;
        let steps = sqlx::query!(
            "SELECT seq, batch, cloud_account, region, cluster, action, params, before,
                    maintain_window, state, request_id, error_code, error_message, started_at,
                    finished_at
             FROM change_steps WHERE change_id = $1 ORDER BY seq",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        let decisions = sqlx::query!(
            "SELECT user_id, username, decision, comment, decided_at
             FROM change_approvals WHERE change_id = $1 ORDER BY decided_at",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ChangeView {
            id: c.id,
            title: c.title,
            reason: c.reason,
            requested_by: c.requested_by,
            requester: c.requester,
            action: c.action,
            state: State::parse(&c.state).unwrap_or(State::Failed),
            policy: c.policy,
            approvals_needed: c.approvals_needed,
            approver_roles: c.approver_roles,
            schedule: c.schedule,
            run_at: c.run_at,
            expires_at: c.expires_at,
            canary: c.canary,
            batch_size: c.batch_size,
            max_failures: c.max_failures,
            revert_of: c.revert_of,
            retry_of: c.retry_of,
            created_at: c.created_at,
            finished_at: c.finished_at,
            steps: steps
                .into_iter()
                .map(|s| StepView {
                    seq: s.seq,
                    batch: s.batch,
                    cloud_account: s.cloud_account,
                    region: s.region,
                    cluster: s.cluster,
                    action: s.action,
                    params: s.params,
                    before: s.before,
                    maintain_window: s.maintain_window,
                    state: s.state,
                    request_id: s.request_id,
                    error_code: s.error_code,
                    error_message: s.error_message,
                    started_at: s.started_at,
                    finished_at: s.finished_at,
                })
                .collect(),
            decisions: decisions
                .into_iter()
                .map(|d| Decision {
                    user_id: d.user_id,
                    username: d.username,
                    decision: d.decision,
                    comment: d.comment,
                    decided_at: d.decided_at,
                })
                .collect(),
        })
    }

    /// A list of changes (newest first, at most `limit`); for [`Listing::AwaitingMe`],
    /// `role` is the user's role.
    pub async fn list(
        &self,
        which: Listing,
        role: &str,
        limit: i64,
    ) -> Result<Vec<ChangeItem>, BackendError> {
        let (mode, user) = match which {
            Listing::Mine(u) => ("mine", Some(u)),
            Listing::AwaitingMe(u) => ("awaiting", Some(u)),
            Listing::Scheduled => ("scheduled", None),
            Listing::Running => ("running", None),
            Listing::Recent => ("recent", None),
        };
        let rows = sqlx::query!(
            r#"SELECT c.id, c.title, c.requested_by, c.requester, c.action, c.state,
                      c.approvals_needed, c.schedule, c.run_at, c.created_at,
                      (SELECT coalesce(jsonb_agg(DISTINCT jsonb_build_array(s.cloud_account, s.region, s.cluster)), '[]'::jsonb)
                         FROM change_steps s WHERE s.change_id = c.id) AS "targets!",
                      (SELECT count(*) FROM change_approvals a WHERE a.change_id = c.id AND a.decision = 'approve') AS "approvals!",
                      (SELECT count(*) FROM change_steps s WHERE s.change_id = c.id) AS "steps!",
                      (SELECT count(*) FROM change_steps s WHERE s.change_id = c.id AND s.state = 'failed') AS "failed!"
               FROM changes c
               WHERE CASE $1
                   WHEN 'mine' THEN c.requested_by = $2
                   WHEN 'awaiting' THEN c.state = 'awaiting_approval' AND c.requested_by <> $2
                        AND $3 = ANY (c.approver_roles)
                        AND NOT EXISTS (SELECT 1 FROM change_approvals a WHERE a.change_id = c.id AND a.user_id = $2)
                   WHEN 'scheduled' THEN c.state IN ('scheduled', 'approved')
                   WHEN 'running' THEN c.state = 'running'
                   ELSE true END
               ORDER BY c.created_at DESC
               LIMIT $4"#,
            mode,
            user,
            role,
            limit.clamp(1, 500)
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ChangeItem {
                id: r.id,
                title: r.title,
                requested_by: r.requested_by,
                requester: r.requester,
                action: r.action,
                state: State::parse(&r.state).unwrap_or(State::Failed),
                approvals_needed: r.approvals_needed,
                approvals: r.approvals,
                schedule: r.schedule,
                run_at: r.run_at,
                steps: r.steps,
                failed: r.failed,
                created_at: r.created_at,
                targets: serde_json::from_value(r.targets).unwrap_or_default(),
            })
            .collect())
    }

    /// Every approval policy.
    pub async fn policies(&self) -> Result<Vec<ApprovalPolicy>, BackendError> {
        self.gate().policies().await
    }

    /// Adds a policy in the caller's administrative change (committed with its record).
    pub async fn add_policy(
        &self,
        conn: &mut sqlx::PgConnection,
        p: &NewPolicy,
    ) -> Result<Uuid, BackendError> {
        p.check()?;
        let id = Uuid::new_v4();
        let r = sqlx::query!(
            "INSERT INTO approval_policies (id, name, actions, cloud_account, region, tag_key,
                 tag_value, approvals, approver_roles, expires_hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            id,
            p.name.trim(),
            &p.actions,
            p.cloud_account,
            p.region,
            p.tag_key,
            p.tag_value,
            p.approvals,
            &p.approver_roles,
            p.expires_hours
        )
        .execute(&mut *conn)
        .await;
        match r {
            Ok(_) => Ok(id),
            Err(e) if BackendError::is_unique_violation(&e) => Err(BackendError::invalid(
                "name",
                format!("a policy called {:?} exists already", p.name.trim()),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a policy in the caller's administrative change; answers its name.
    pub async fn delete_policy(
        &self,
        conn: &mut sqlx::PgConnection,
        id: Uuid,
    ) -> Result<String, BackendError> {
        sqlx::query_scalar!(
            "DELETE FROM approval_policies WHERE id = $1 RETURNING name",
            id
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(BackendError::NotFound("approval policy"))
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

/// What [`Changes::plan`] found.
struct Plan {
    id: Uuid,
    state: State,
    requirement: Option<Requirement>,
    run_at: Option<OffsetDateTime>,
    windows: Vec<Option<String>>,
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
    claimed: Option<String>,
}

impl Rows<'_> {
    async fn write(&self, conn: &mut sqlx::PgConnection) -> Result<(), BackendError> {
        let new = self.new;
        let requirement = self.requirement;
        let action = new.steps[0].request.action().name;
        sqlx::query!(
            "INSERT INTO changes (id, title, reason, requested_by, requester, action, state, policy,
                 approvals_needed, approver_roles, expires_hours, schedule, run_at, expires_at,
                 canary, batch_size, max_failures, revert_of, retry_of, claimed_by, claimed_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, CASE WHEN $20::text IS NULL THEN NULL ELSE now() + interval '5 minutes' END)",
            self.id,
            new.title.trim(),
            new.reason.trim(),
            self.user_id,
            self.requester,
            action,
            self.state.as_str(),
            requirement.map(|r| r.policy.clone()),
            requirement.map(|r| r.approvals).unwrap_or(0),
            &requirement.map(|r| r.approver_roles.clone()).unwrap_or_default(),
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
        )
        .execute(&mut *conn)
        .await?;
        for (i, step) in new.steps.iter().enumerate() {
            let cluster = step
                .request
                .resources()
                .clusters
                .first()
                .cloned()
                .unwrap_or_default();
            sqlx::query!(
                "INSERT INTO change_steps (change_id, seq, batch, cloud_account, region, cluster,
                     action, params, before, maintain_window, state, started_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                     CASE WHEN $11 = 'running' THEN now() END)",
                self.id,
                i as i32,
                new.rollout.batch_of(i),
                step.account,
                step.request.region_str(),
                cluster,
                step.request.action().name,
                stored(step.request.params()),
                step.before,
                self.windows.get(i).cloned().flatten(),
                // Sent by the request that made it: running from the start, so a runner
                // taking over after a crash never sends it again.
                if self.state == State::Running {
                    "running"
                } else {
                    "pending"
                },
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// A short code for a refusal that is not the API's.
fn error_code(e: &BackendError) -> &'static str {
    match e {
        BackendError::Forbidden(_) => "Forbidden",
        BackendError::ApprovalRequired { .. } => "ApprovalRequired",
        BackendError::Invalid { .. } | BackendError::Request(_) => "InvalidRequest",
        BackendError::NotFound(_) => "NotFound",
        BackendError::Throttled(_) => "Throttled",
        BackendError::AuditUnavailable => "AuditUnavailable",
        _ => "ConsoleError",
    }
}

/// A change's title made from its request.
pub fn title_of(request: &Request) -> String {
    let named = request.resources();
    match named.clusters.first() {
        Some(c) if named.clusters.len() > 1 => {
            format!(
                "{} on {c} and {} more",
                request.action().name,
                named.clusters.len() - 1
            )
        }
        Some(c) => format!("{} on {c}", request.action().name),
        None => format!("{} in {}", request.action().name, request.region_str()),
    }
}
