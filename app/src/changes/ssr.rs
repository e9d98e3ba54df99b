//! The server side of the server functions of `/changes` (`api`), on the server only: times
//! and IDs read, who may see a change, a change as a row, and the schedule and the requests
//! of an ask (one, or one per target cluster).

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

pub fn row(c: ChangeItem) -> super::api::ChangeRow {
    super::api::ChangeRow {
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
pub fn asked(submitted: backend::changes::Submitted) -> super::api::ChangeAsked {
    super::api::ChangeAsked {
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

pub fn schedule(ask: &super::api::ChangeAsk) -> Result<Schedule, AppError> {
    match ask.schedule.trim() {
        "" | "now" => Ok(Schedule::Now),
        "window" => Ok(Schedule::Window),
        "at" => polardb::rules::read_time(&ask.run_at)
            .map(Schedule::At)
            .ok_or_else(|| {
                crate::error::invalid("run_at", td_string!(request_locale(), changes.err_run_at))
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
pub fn steps(ask: &super::api::ChangeAsk) -> Result<Vec<backend::changes::Step>, AppError> {
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
            polardb::request::Request::for_cluster(&ask.action, &t.region, &ask.params, &t.cluster)
                .map(|request| step(&t.account, request))
                .map_err(refused)
        })
        .collect()
}
