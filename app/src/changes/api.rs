//! Server functions of `/changes` (#15): ask for a change (one cluster, or the same
//! request on a fleet), list and read changes, approve, reject, cancel. The backend
//! (`backend::changes`) keeps the rules; every function here is one signed-in user, one
//! service call, a DTO out. A change is shown only to a user whose role reads every
//! cluster it names (or who asked for it).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A cluster a fleet change sends its request to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCluster {
    pub account: String,
    pub region: String,
    pub cluster: String,
}

/// A change as a page asks for it: one request (`account`, `region`, `action`,
/// `params`), sent as it is, or — with `targets` — to each of those clusters in turn
/// (the cluster it names and its region replaced by theirs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeAsk {
    pub title: String,
    #[serde(default)]
    pub reason: String,
    pub account: String,
    pub region: String,
    pub action: String,
    #[serde(default)]
    pub params: Vec<(String, String)>,
    #[serde(default)]
    pub targets: Vec<TargetCluster>,
    /// `now`, `at` (with `run_at`, `yyyy-MM-ddTHH:mmZ`) or `window`.
    #[serde(default)]
    pub schedule: String,
    #[serde(default)]
    pub run_at: String,
    #[serde(default)]
    pub canary: Option<u32>,
    #[serde(default)]
    pub batch_size: Option<u32>,
    #[serde(default)]
    pub max_failures: Option<u32>,
}

/// What asking gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeAsked {
    pub id: String,
    pub state: String,
    /// The policy that asks for approvals (empty: none).
    pub policy: String,
    pub approvals_needed: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub id: String,
    pub title: String,
    pub requester: String,
    pub action: String,
    pub state: String,
    pub approvals: i64,
    pub approvals_needed: i32,
    pub schedule: String,
    /// When it runs next (UTC), if it waits for a time.
    pub run_at: String,
    pub steps: i64,
    pub failed: i64,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    pub seq: i32,
    pub batch: i32,
    pub account: String,
    pub region: String,
    pub cluster: String,
    pub action: String,
    /// `key=value` pairs as sent (a password shown as `<redacted>`).
    pub params: Vec<(String, String)>,
    pub window: String,
    /// The preview: the values before and after (empty: none could be read).
    pub before: Vec<(String, String)>,
    pub after: Vec<(String, String)>,
    /// A parameter that takes effect only after a restart changes.
    pub restart: bool,
    pub state: String,
    pub request_id: String,
    pub error: String,
    pub finished: String,
    /// The statuses of its clusters last read while it settled (empty: not followed).
    #[serde(default)]
    pub cluster_status: String,
    /// When the API itself starts it (`PlannedStartTime`; a task on `/tasks`).
    #[serde(default)]
    pub planned: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRow {
    pub username: String,
    pub decision: String,
    pub comment: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeDetail {
    pub id: String,
    pub title: String,
    pub reason: String,
    pub requester: String,
    pub action: String,
    pub state: String,
    pub policy: String,
    pub approvals_needed: i32,
    pub approver_roles: Vec<String>,
    pub schedule: String,
    pub run_at: String,
    pub expires_at: String,
    pub canary: i32,
    pub batch_size: i32,
    pub max_failures: i32,
    pub created: String,
    pub finished: String,
    pub steps: Vec<StepRow>,
    pub decisions: Vec<DecisionRow>,
    /// The signed-in user may approve or reject it now.
    pub may_decide: bool,
    /// The signed-in user may cancel it now.
    pub may_cancel: bool,
    /// It finished and kept a way back for what it changed.
    pub may_revert: bool,
    /// It finished with requests that failed or were not sent.
    pub may_retry: bool,
}

#[cfg(feature = "ssr")]
use super::ssr;

/// Asks for a change. It runs at once when no policy asks for approvals and no time was
/// chosen; otherwise it waits on `/changes`.
#[server(input = server_fn::codec::Json, endpoint = "request_change")]
pub async fn request_change(ask: ChangeAsk) -> Result<ChangeAsked, AppError> {
    use backend::changes::{NewChange, Rollout, State};
    let api = crate::call::Api::signed_in().await?;
    let schedule = ssr::schedule(&ask)?;
    let steps = ssr::steps(&ask)?;
    let defaults = Rollout::default();
    let new = NewChange {
        title: ask.title.clone(),
        reason: ask.reason.clone(),
        steps,
        schedule,
        rollout: Rollout {
            canary: ask.canary.unwrap_or(defaults.canary),
            batch_size: ask.batch_size.unwrap_or(defaults.batch_size),
            max_failures: ask.max_failures.unwrap_or(defaults.max_failures),
        },
        revert_of: None,
        retry_of: None,
    };
    let submitted = api.backend().changes.submit(api.caller(), new).await?;
    if submitted.state == State::Scheduled {
        api.backend().changes.wake();
    }
    Ok(ssr::asked(submitted))
}

/// Changes: `mine`, `awaiting` (my approval), `scheduled`, `running` or `recent`.
#[server(input = server_fn::codec::Json, endpoint = "changes")]
pub async fn changes(which: String) -> Result<Vec<ChangeRow>, AppError> {
    use backend::changes::Listing;
    let api = crate::call::Api::signed_in().await?;
    let user = api.user().id;
    let listing = match which.as_str() {
        "mine" => Listing::Mine(user),
        "awaiting" => Listing::AwaitingMe(user),
        "scheduled" => Listing::Scheduled,
        "running" => Listing::Running,
        "recent" | "" => Listing::Recent,
        _ => {
            return Err(crate::error::invalid(
                "which",
                crate::i18n::td_string!(crate::api::ssr::request_locale(), changes.err_which),
            ))
        }
    };
    let items = api
        .backend()
        .changes
        .list(listing, &api.user().role, 200)
        .await?;
    let policy = &api.caller().policy;
    Ok(items
        .into_iter()
        .filter(|c| ssr::visible(policy, user, c.requested_by, c.targets.clone()))
        .map(ssr::row)
        .collect())
}

/// One change with its requests, decisions and what the user may do with it.
#[server(input = server_fn::codec::Json, endpoint = "change")]
pub async fn change(id: String) -> Result<ChangeDetail, AppError> {
    use backend::changes::State;
    let api = crate::call::Api::signed_in().await?;
    let id = ssr::change_id(&id)?;
    let c = ssr::require_visible(&api, id).await?;
    let user = api.user();
    let decided = c.decisions.iter().any(|d| d.user_id == user.id);
    let may_decide = c.state == State::AwaitingApproval
        && c.requested_by != user.id
        && !decided
        && c.approver_roles.contains(&user.role);
    let admin = api.caller().policy.grants_everything();
    let may_cancel = matches!(
        c.state,
        State::Draft | State::AwaitingApproval | State::Approved | State::Scheduled
    ) && (c.requested_by == user.id || admin);
    let finished = matches!(
        c.state,
        State::Succeeded | State::PartlyFailed | State::Failed
    );
    // A preview shows what its read found: only to users whose role allows that read.
    let policy = api.caller().policy.clone();
    let sees = |s: &backend::changes::StepView| {
        backend::changes::may_see(&policy, &s.cloud_account, &s.region, &s.action, &s.clusters)
    };
    let may_revert = finished
        && c.steps.iter().filter(|s| s.before.is_some()).all(&sees)
        && c.steps.iter().any(|s| {
            s.state == "succeeded"
                && ssr::preview_of(&s.before).is_some_and(|p| !p.revert.is_empty())
        });
    let may_retry = matches!(c.state, State::PartlyFailed | State::Failed)
        && c.steps
            .iter()
            .any(|s| matches!(s.state.as_str(), "failed" | "skipped"));
    Ok(ChangeDetail {
        id: c.id.to_string(),
        title: c.title,
        reason: c.reason,
        requester: c.requester,
        action: c.action,
        state: c.state.as_str().into(),
        policy: c.policy.unwrap_or_default(),
        approvals_needed: c.approvals_needed,
        approver_roles: c.approver_roles,
        schedule: c.schedule,
        run_at: ssr::when(c.run_at),
        expires_at: ssr::when(c.expires_at),
        canary: c.canary,
        batch_size: c.batch_size,
        max_failures: c.max_failures,
        created: ssr::when(Some(c.created_at)),
        finished: ssr::when(c.finished_at),
        steps: c
            .steps
            .into_iter()
            .map(|s| {
                let preview = ssr::preview_of(&s.before).filter(|_| sees(&s));
                StepRow {
                    seq: s.seq,
                    batch: s.batch,
                    account: s.cloud_account,
                    region: s.region,
                    cluster: s.cluster,
                    action: s.action,
                    params: serde_json::from_value(s.params.clone()).unwrap_or_default(),
                    window: s.maintain_window.unwrap_or_default(),
                    before: preview
                        .as_ref()
                        .map(|p| p.before.clone().into_iter().collect())
                        .unwrap_or_default(),
                    after: preview
                        .as_ref()
                        .map(|p| p.after.clone().into_iter().collect())
                        .unwrap_or_default(),
                    restart: preview.is_some_and(|p| p.restart),
                    state: s.state,
                    request_id: s.request_id.unwrap_or_default(),
                    error: match (s.error_code, s.error_message) {
                        (Some(code), Some(m)) => format!("{code}: {m}"),
                        (Some(code), None) => code,
                        (None, m) => m.unwrap_or_default(),
                    },
                    finished: ssr::when(s.finished_at),
                    cluster_status: s.cluster_status.unwrap_or_default(),
                    planned: ssr::params_planned(&s.params),
                }
            })
            .collect(),
        decisions: c
            .decisions
            .into_iter()
            .map(|d| DecisionRow {
                username: d.username,
                decision: d.decision,
                comment: d.comment,
                at: ssr::when(Some(d.decided_at)),
            })
            .collect(),
        may_decide,
        may_cancel,
        may_revert,
        may_retry,
    })
}

/// Approves (`approve`) or rejects (`reject`) a change awaiting approval.
#[server(input = server_fn::codec::Json, endpoint = "decide_change")]
pub async fn decide_change(
    id: String,
    verdict: String,
    #[server(default)] comment: String,
) -> Result<String, AppError> {
    use backend::changes::{State, Verdict};
    let api = crate::call::Api::signed_in().await?;
    let id = ssr::change_id(&id)?;
    ssr::require_visible(&api, id).await?;
    let verdict = match verdict.as_str() {
        "approve" => Verdict::Approve,
        "reject" => Verdict::Reject,
        _ => {
            return Err(crate::error::invalid(
                "verdict",
                crate::i18n::td_string!(crate::api::ssr::request_locale(), changes.err_verdict),
            ))
        }
    };
    let state = api
        .backend()
        .changes
        .decide_on(api.caller(), &api.user().role, id, verdict, &comment)
        .await?;
    if state == State::Scheduled {
        api.backend().changes.wake();
    }
    Ok(state.as_str().into())
}

/// Cancels a change that has not started (its requester, or an administrator).
#[server(input = server_fn::codec::Json, endpoint = "cancel_change")]
pub async fn cancel_change(id: String) -> Result<(), AppError> {
    let api = crate::call::Api::signed_in().await?;
    let id = ssr::change_id(&id)?;
    ssr::require_visible(&api, id).await?;
    let admin = api.caller().policy.grants_everything();
    Ok(api
        .backend()
        .changes
        .cancel(api.caller(), id, admin)
        .await?)
}

/// Asks for a draft (a write a policy held back): with a reason, now or at a time or in
/// each cluster's maintenance window.
#[server(input = server_fn::codec::Json, endpoint = "submit_change")]
pub async fn submit_change(
    id: String,
    reason: String,
    #[server(default)] schedule: String,
    #[server(default)] run_at: String,
) -> Result<ChangeAsked, AppError> {
    use backend::changes::State;
    let api = crate::call::Api::signed_in().await?;
    let id = ssr::change_id(&id)?;
    let schedule = ssr::schedule(&ChangeAsk {
        schedule,
        run_at,
        ..Default::default()
    })?;
    let submitted = api
        .backend()
        .changes
        .submit_draft(api.caller(), id, &reason, schedule)
        .await?;
    if submitted.state == State::Scheduled {
        api.backend().changes.wake();
    }
    Ok(ssr::asked(submitted))
}

/// Asks for a change that puts back what a finished change changed (its previews' old
/// values), as a new change.
#[server(input = server_fn::codec::Json, endpoint = "revert_change")]
pub async fn revert_change(id: String) -> Result<ChangeAsked, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let id = ssr::change_id(&id)?;
    ssr::require_visible(&api, id).await?;
    let submitted = api.backend().changes.revert(api.caller(), id).await?;
    api.backend().changes.wake();
    Ok(ssr::asked(submitted))
}

/// Asks again, as a new change, for the requests of a change that failed or were not sent.
#[server(input = server_fn::codec::Json, endpoint = "retry_change")]
pub async fn retry_change(id: String) -> Result<ChangeAsked, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let id = ssr::change_id(&id)?;
    ssr::require_visible(&api, id).await?;
    let submitted = api.backend().changes.retry(api.caller(), id).await?;
    api.backend().changes.wake();
    Ok(ssr::asked(submitted))
}
