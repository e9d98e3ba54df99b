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
pub(crate) mod ssr {
    use backend::changes::{ChangeItem, Schedule};
    use time::OffsetDateTime;

    use crate::api::ssr::request_locale;
    use crate::i18n::td_string;
    use crate::AppError;

    pub fn when(t: Option<OffsetDateTime>) -> String {
        t.map(|t| polardb::rules::api_minute(t.unix_timestamp()))
            .unwrap_or_default()
    }

    /// The `PlannedStartTime` among stored parameters (`[[key, value], ...]`).
    pub fn params_planned(params: &serde_json::Value) -> String {
        params
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p[0] == "PlannedStartTime")
            .and_then(|p| p[1].as_str())
            .unwrap_or_default()
            .to_string()
    }

    pub fn change_id(id: &str) -> Result<uuid::Uuid, AppError> {
        uuid::Uuid::parse_str(id.trim()).map_err(|_| {
            crate::error::invalid(
                "id",
                td_string!(request_locale(), changes.err_not_change_id),
            )
        })
    }

    /// Whether the user may read every cluster of a change (or asked for it).
    pub fn visible(
        policy: &backend::access::Policy,
        user: uuid::Uuid,
        requested_by: uuid::Uuid,
        targets: impl IntoIterator<Item = (String, String, String)>,
    ) -> bool {
        user == requested_by
            || targets.into_iter().all(|(account, region, cluster)| {
                policy
                    .decide(
                        "polardb:DescribeDBClusterAttribute",
                        &backend::access::Resource {
                            account,
                            region,
                            cluster: Some(cluster).filter(|c| !c.is_empty()),
                        },
                    )
                    .is_allowed()
            })
    }

    /// A change the user may not read is one they cannot act on either (404, as if absent).
    pub async fn require_visible(
        api: &crate::call::Api,
        id: uuid::Uuid,
    ) -> Result<backend::changes::ChangeView, AppError> {
        let c = api.backend().changes.get(id).await?;
        // Every cluster each request names (through nodes and events too), or its region.
        let targets: Vec<(String, String, String)> = c
            .steps
            .iter()
            .flat_map(|s| {
                let clusters = if s.clusters.is_empty() {
                    vec![String::new()]
                } else {
                    s.clusters.clone()
                };
                clusters
                    .into_iter()
                    .map(|c| (s.cloud_account.clone(), s.region.clone(), c))
            })
            .collect();
        if visible(&api.caller().policy, api.user().id, c.requested_by, targets) {
            Ok(c)
        } else {
            Err(AppError::NotFound(
                td_string!(request_locale(), changes.not_found_change).into(),
            ))
        }
    }

    pub fn row(c: ChangeItem) -> super::ChangeRow {
        super::ChangeRow {
            id: c.id.to_string(),
            title: c.title,
            requester: c.requester,
            action: c.action,
            state: c.state.as_str().into(),
            approvals: c.approvals,
            approvals_needed: c.approvals_needed,
            schedule: c.schedule,
            run_at: when(c.run_at),
            steps: c.steps,
            failed: c.failed,
            created: when(Some(c.created_at)),
        }
    }

    /// A request's stored preview.
    pub fn preview_of(before: &Option<serde_json::Value>) -> Option<backend::changes::Preview> {
        before
            .as_ref()
            .and_then(|b| serde_json::from_value(b.clone()).ok())
    }

    /// What asking gave, as the pages show it.
    pub fn asked(submitted: backend::changes::Submitted) -> super::ChangeAsked {
        super::ChangeAsked {
            id: submitted.id.to_string(),
            state: submitted.state.as_str().into(),
            policy: submitted
                .requirement
                .as_ref()
                .map(|r| r.policy.clone())
                .unwrap_or_default(),
            approvals_needed: submitted.requirement.map(|r| r.approvals).unwrap_or(0),
        }
    }

    pub fn schedule(ask: &super::ChangeAsk) -> Result<Schedule, AppError> {
        match ask.schedule.trim() {
            "" | "now" => Ok(Schedule::Now),
            "window" => Ok(Schedule::Window),
            "at" => polardb::rules::read_time(&ask.run_at)
                .map(Schedule::At)
                .ok_or_else(|| {
                    crate::error::invalid(
                        "run_at",
                        td_string!(request_locale(), changes.err_run_at),
                    )
                }),
            _ => Err(crate::error::invalid(
                "schedule",
                td_string!(request_locale(), changes.err_schedule),
            )),
        }
    }

    /// The requests of an ask: the one request, or one per target with the target's
    /// cluster (in the action's own cluster parameter: `DBClusterId`, `DBClusterIds`,
    /// `ResourceId.1`) and region. Each is decided on by the gateway like any request.
    pub fn steps(ask: &super::ChangeAsk) -> Result<Vec<backend::changes::Step>, AppError> {
        let step = |account: &str, request| backend::changes::Step {
            account: account.to_string(),
            request,
            before: None,
        };
        let refused = |e| AppError::from(backend::BackendError::Request(e));
        if ask.targets.is_empty() {
            let request = polardb::request::Request::parse(&ask.action, &ask.region, &ask.params)
                .map_err(refused)?;
            return Ok(vec![step(&ask.account, request)]);
        }
        if ask.targets.len() > backend::changes::MAX_STEPS {
            return Err(crate::error::invalid(
                "targets",
                td_string!(
                    request_locale(),
                    changes.err_targets_max,
                    n = backend::changes::MAX_STEPS
                )
                .to_string(),
            ));
        }
        if polardb::request::cluster_key(&ask.action).is_none() {
            return Err(crate::error::invalid(
                "targets",
                td_string!(
                    request_locale(),
                    changes.err_not_one_cluster,
                    action = &ask.action
                )
                .to_string(),
            ));
        }
        ask.targets
            .iter()
            .map(|t| {
                polardb::request::Request::for_cluster(
                    &ask.action,
                    &t.region,
                    &ask.params,
                    &t.cluster,
                )
                .map(|request| step(&t.account, request))
                .map_err(refused)
            })
            .collect()
    }
}

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
