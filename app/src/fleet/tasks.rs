//! `/tasks`: scheduled tasks of every cloud account and region — the changes sent with a
//! planned start time (CreateDBNodes, ModifyDBNodeClass, UpgradeDBClusterVersion,
//! ModifyDBClusterPrimaryZone) — from DescribeScheduleTasks (filters by cluster, status and
//! task type; every page), and cancelling a pending one (CancelScheduleTasks) after a
//! confirmation.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::{list_clusters, RegionProblem};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::kit::outcomes::problems_view;
use crate::kit::{
    change_error, cluster_href, human_time, top_bar_scope, use_hydrated, waiting, Column,
    ConfirmDialog, DataTable, Empty, ErrorBox, Loading, SortKey, StatusBadge, UNTIL_INTERACTIVE,
};
use crate::AppError;

/// The statuses of 17.1.
pub const STATUSES: &[&str] = &[
    "pending",
    "executing",
    "failure",
    "finish",
    "cancel",
    "expired",
    "rollback",
];

/// The task types of 17.1.
pub const TASK_ACTIONS: &[&str] = &[
    "CreateDBNodes",
    "ModifyDBNodeClass",
    "UpgradeDBClusterVersion",
    "ModifyDBClusterPrimaryZone",
];

/// Rows a page of the table shows.
pub const PAGE: usize = 20;

use crate::kit::words::locale as locale_here;

pub fn status_label(s: &str) -> &str {
    status_label_in(locale_here(), s)
}

pub fn status_label_in(locale: Locale, s: &str) -> &str {
    match s {
        "pending" => td_string!(locale, fleet_ops.tk_status_pending),
        "executing" => td_string!(locale, fleet_ops.tk_status_executing),
        "failure" => td_string!(locale, fleet_ops.tk_status_failure),
        "finish" => td_string!(locale, fleet_ops.tk_status_finish),
        "cancel" => td_string!(locale, fleet_ops.tk_status_cancel),
        "expired" => td_string!(locale, fleet_ops.tk_status_expired),
        "rollback" => td_string!(locale, fleet_ops.tk_status_rollback),
        other => other,
    }
}

pub fn action_label(a: &str) -> &str {
    let locale = locale_here();
    match a {
        "CreateDBNodes" => td_string!(locale, fleet_ops.tk_action_create_nodes),
        "ModifyDBNodeClass" => td_string!(locale, fleet_ops.tk_action_node_class),
        "UpgradeDBClusterVersion" => td_string!(locale, fleet_ops.tk_action_upgrade),
        "ModifyDBClusterPrimaryZone" => td_string!(locale, fleet_ops.tk_action_primary_zone),
        other => other,
    }
}

/// What is wrong with a filter value (empty means any).
pub fn filter_problem(status: &str, action: &str) -> Option<String> {
    filter_problem_in(locale_here(), status, action)
}

/// [`filter_problem`] in a given language.
pub fn filter_problem_in(locale: Locale, status: &str, action: &str) -> Option<String> {
    if !status.is_empty() && !STATUSES.contains(&status) {
        return Some(
            td_string!(
                locale,
                fleet_ops.tk_status_must_be,
                list = STATUSES.join(", ")
            )
            .to_string(),
        );
    }
    if !action.is_empty() && !TASK_ACTIONS.contains(&action) {
        return Some(
            td_string!(
                locale,
                fleet_ops.tk_type_must_be,
                list = TASK_ACTIONS.join(", ")
            )
            .to_string(),
        );
    }
    None
}

/// Only pending tasks can be cancelled (17.2).
pub fn cancel_problem(status: &str) -> Option<String> {
    cancel_problem_in(locale_here(), status)
}

/// [`cancel_problem`] in a given language.
pub fn cancel_problem_in(locale: Locale, status: &str) -> Option<String> {
    (status != "pending").then(|| {
        td_string!(
            locale,
            fleet_ops.tk_only_pending,
            status = status_label_in(locale, status).to_lowercase()
        )
        .to_string()
    })
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    pub account: String,
    pub region: String,
    pub task_id: String,
    pub cluster: String,
    pub description: String,
    pub cluster_status: String,
    pub action: String,
    pub status: String,
    pub planned_start: String,
    pub planned_end: String,
    pub planned_time: String,
    pub order_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TasksView {
    pub tasks: Vec<TaskRow>,
    pub problems: Vec<RegionProblem>,
    /// (account, region) pairs where CancelScheduleTasks is allowed.
    pub can_cancel: Vec<(String, String)>,
}

/// The filters of the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    /// `account|region|cluster`, or empty for every cluster.
    pub cluster: String,
    pub status: String,
    pub action: String,
}

/// One region's tasks, all pages.
#[cfg(feature = "ssr")]
async fn tasks_in(
    c: &crate::call::fanout::Ctx,
    account: &str,
    region: &str,
    cluster: Option<&str>,
    f: &TaskFilter,
) -> Result<Vec<TaskRow>, RegionProblem> {
    let mut out = Vec::new();
    let mut page = 1u32;
    loop {
        let request = polardb::models::DescribeScheduleTasks {
            page_size: Some(100),
            page_number: Some(page),
            db_cluster_id: cluster.map(str::to_string),
            status: (!f.status.is_empty()).then(|| f.status.clone()),
            task_action: (!f.action.is_empty()).then(|| f.action.clone()),
            ..Default::default()
        };
        let answer = crate::kit::tagging::call_in(c, account, region, &request).await?;
        let got = answer.data.timer_infos.len();
        out.extend(answer.data.timer_infos.into_iter().map(|t| TaskRow {
            account: account.to_string(),
            region: if t.region.is_empty() {
                region.to_string()
            } else {
                t.region
            },
            task_id: t.task_id,
            cluster: t.db_cluster_id,
            description: t.db_cluster_description,
            cluster_status: t.db_cluster_status,
            action: t.action,
            status: t.status,
            planned_start: t.planned_start_time,
            planned_end: t.planned_end_time,
            planned_time: t.planned_time,
            order_id: t.order_id,
        }));
        if got == 0 || out.len() as i64 >= answer.data.total_record_count || page >= 1000 {
            break;
        }
        page += 1;
    }
    Ok(out)
}

/// The scheduled tasks of the chosen accounts and regions (all when not chosen), filtered.
#[server(input = server_fn::codec::Json)]
pub async fn schedule_tasks(
    account: Option<String>,
    region: Option<String>,
    filter: TaskFilter,
) -> Result<TasksView, AppError> {
    use crate::call::fanout;
    let locale = crate::api::ssr::request_locale();
    if let Some(p) = filter_problem_in(locale, &filter.status, &filter.action) {
        return Err(AppError::Invalid {
            field: "Filter".into(),
            message: p,
        });
    }
    let c = fanout::ctx().await?;
    // A chosen cluster is asked of its own account and region only.
    let (places, cluster) = match filter.cluster.splitn(3, '|').collect::<Vec<_>>()[..] {
        [a, r, id] if !id.is_empty() => {
            (vec![(a.to_string(), r.to_string())], Some(id.to_string()))
        }
        _ => (
            c.places(
                account.as_deref().filter(|s| !s.is_empty()),
                region.as_deref().filter(|s| !s.is_empty()),
            )
            .await?,
            None,
        ),
    };
    let c = &c;
    let filter = &filter;
    let cluster = &cluster;
    let results = fanout::join_all(
        places
            .into_iter()
            .map(|(account, region)| async move {
                let r = tasks_in(c, &account, &region, cluster.as_deref(), filter).await;
                let can = c.allows("CancelScheduleTasks", &account, &region, None);
                (account, region, r, can)
            })
            .collect(),
    )
    .await;
    let mut view = TasksView {
        tasks: Vec::new(),
        problems: Vec::new(),
        can_cancel: Vec::new(),
    };
    for (account, region, r, can) in results {
        match r {
            Ok(list) => view.tasks.extend(list),
            Err(p) => view.problems.push(p),
        }
        if can {
            view.can_cancel.push((account, region));
        }
    }
    // Pending first, then the latest planned start first.
    view.tasks.sort_by(|a, b| {
        (b.status == "pending")
            .cmp(&(a.status == "pending"))
            .then(b.planned_start.cmp(&a.planned_start))
            .then(a.task_id.cmp(&b.task_id))
    });
    Ok(view)
}

/// Cancels a pending scheduled task (CancelScheduleTasks), after checking it is still
/// pending. Returns the RequestId.
#[server]
pub async fn cancel_schedule_task(
    account: String,
    region: String,
    cluster: String,
    task_id: String,
) -> Result<String, AppError> {
    let locale = crate::api::ssr::request_locale();
    let invalid = |field: &str, message: String| AppError::Invalid {
        field: field.into(),
        message,
    };
    if cluster.trim().is_empty() {
        return Err(invalid(
            "Cluster",
            td_string!(locale, fleet_ops.tk_is_required).to_string(),
        ));
    }
    if task_id.trim().is_empty() {
        return Err(invalid(
            "Task",
            td_string!(locale, fleet_ops.tk_is_required).to_string(),
        ));
    }
    // The task as it is now: only a pending one may be cancelled.
    let api = crate::call::Api::signed_in().await?;
    let list = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeScheduleTasks {
                db_cluster_id: Some(cluster.clone()),
                page_size: Some(100),
                ..Default::default()
            },
        )
        .await?;
    if let Some(t) = list.data.timer_infos.iter().find(|t| t.task_id == task_id) {
        if let Some(p) = cancel_problem_in(locale, &t.status) {
            return Err(invalid("Task", p));
        }
    }
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::CancelScheduleTasks {
                db_cluster_id: cluster,
                task_id,
            },
        )
        .await?;
    Ok(answer.request_id)
}

// ---------------------------------------------------------------------------------------
// The page.

#[component]
pub fn TasksPage() -> impl IntoView {
    let i18n = use_i18n();
    let scope = top_bar_scope();
    let version = RwSignal::new(0u32);
    let cluster = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let filter = Memo::new(move |_| TaskFilter {
        cluster: cluster.get(),
        status: status.get(),
        action: action.get(),
    });
    let data = Resource::new(
        move || (scope.get(), filter.get(), version.get()),
        |((account, region), filter, _)| schedule_tasks(account, region, filter),
    );
    let clusters = Resource::new(move || scope.get(), |(a, r)| list_clusters(a, r));
    let cancel = ServerAction::<CancelScheduleTask>::new();
    let confirm = RwSignal::new(None::<TaskRow>);
    let done = RwSignal::new(None::<String>);
    let hydrated = use_hydrated();
    Effect::new(move |_| match cancel.value().get() {
        Some(Ok(_)) => {
            if let Some(t) = confirm.get_untracked() {
                done.set(Some(
                    t_string!(
                        i18n,
                        fleet_ops.tk_cancelled,
                        task = t.task_id.clone(),
                        action = action_label(&t.action),
                        cluster = t.cluster.clone()
                    )
                    .to_string(),
                ));
            }
            confirm.set(None);
            version.update(|n| *n += 1);
        }
        Some(Err(AppError::Upstream { .. })) => version.update(|n| *n += 1),
        _ => {}
    });

    let confirm_cancel = move || {
        let Some(t) = confirm.get_untracked() else {
            return;
        };
        cancel.dispatch(CancelScheduleTask {
            account: t.account,
            region: t.region,
            cluster: t.cluster,
            task_id: t.task_id,
        });
    };

    view! {
        <Title text=move || t_string!(i18n, fleet_ops.tk_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, fleet_ops.tk_title)}</h1>
            <p class="muted">
                {move || {
                    let (a, r) = scope.get();
                    t_string!(
                        i18n,
                        fleet_ops.tk_lead,
                        account = a.unwrap_or_else(|| t_string!(i18n, fleet_ops.all_cloud_accounts).into()),
                        region = r.unwrap_or_else(|| t_string!(i18n, fleet_ops.all_regions).into())
                    )
                    .to_string()
                }}
            </p>
        </div>
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="tasks-done">{m}</div> })}
        <div class="filters" data-testid="task-filters">
            <Transition fallback=move || view! { <label>{t!(i18n, fleet_ops.col_cluster)}<select disabled=true title=UNTIL_INTERACTIVE><option>{t!(i18n, fleet_ops.tk_all_clusters)}</option></select></label> }>
                {move || Suspend::new(async move {
                    let list = clusters.await.map(|l| l.clusters).unwrap_or_default();
                    view! {
                        <label>
                            {t!(i18n, fleet_ops.col_cluster)}
                            <select data-testid="filter-cluster" title=move || waiting(hydrated) disabled=move || !hydrated.get() on:change=move |ev| cluster.set(event_target_value(&ev))>
                                <option value="" selected=move || cluster.get().is_empty()>{t!(i18n, fleet_ops.tk_all_clusters)}</option>
                                {list.into_iter().map(|c| {
                                    let value = format!("{}|{}|{}", c.account, c.region, c.id);
                                    let v2 = value.clone();
                                    view! {
                                        <option value=value selected=move || cluster.get() == v2>
                                            {format!("{} {} ({})", c.id, c.description, c.region)}
                                        </option>
                                    }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Transition>
            <label>
                {t!(i18n, fleet_ops.col_status)}
                <select data-testid="filter-status" title=move || waiting(hydrated) disabled=move || !hydrated.get() on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, fleet_ops.tk_any_status)}</option>
                    {STATUSES.iter().map(|s| view! { <option value=*s>{move || status_label(s).to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                {t!(i18n, fleet_ops.tk_task_type)}
                <select data-testid="filter-action" title=move || waiting(hydrated) disabled=move || !hydrated.get() on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, fleet_ops.tk_any_type)}</option>
                    {TASK_ACTIONS.iter().map(|a| view! { <option value=*a>{move || action_label(a).to_string()}</option> }).collect_view()}
                </select>
            </label>
        </div>
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet_ops.tk_loading) /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(v) => {
                        let total = v.tasks.len();
                        let can_cancel = v.can_cancel.clone();
                        view! {
                            {problems_view(v.problems.clone())}
                            {if total == 0 {
                                view! { <Empty title=t_string!(i18n, fleet_ops.tk_none) hint=t_string!(i18n, fleet_ops.tk_none_hint) /> }.into_any()
                            } else {
                                let columns = vec![
                                    Column::new(t_string!(i18n, fleet_ops.tk_col_task)).sorted_by(|t: &TaskRow| SortKey::text(&t.task_id)),
                                    Column::new(t_string!(i18n, fleet_ops.col_cluster)).sorted_by(|t: &TaskRow| SortKey::text(&t.cluster)),
                                    Column::new(t_string!(i18n, fleet_ops.col_type)).sorted_by(|t: &TaskRow| SortKey::text(action_label(&t.action))),
                                    Column::new(t_string!(i18n, fleet_ops.col_status)).sorted_by(|t: &TaskRow| SortKey::text(status_label(&t.status))),
                                    Column::new(t_string!(i18n, fleet_ops.tk_col_planned_start)).sorted_by(|t: &TaskRow| SortKey::text(&t.planned_start)),
                                    Column::new(t_string!(i18n, fleet_ops.tk_col_latest_start)).sorted_by(|t: &TaskRow| SortKey::text(&t.planned_end)),
                                    Column::new(t_string!(i18n, fleet_ops.tk_col_expected_start)).sorted_by(|t: &TaskRow| SortKey::text(&t.planned_time)),
                                    Column::new(""),
                                ];
                                let row = move |t: &TaskRow| {
                                    let cancellable = t.status == "pending" && can_cancel.contains(&(t.account.clone(), t.region.clone()));
                                    let row = t.clone();
                                    let order = t.order_id.clone();
                                    let (action, status) = (t.action.clone(), t.status.clone());
                                    view! {
                                        <tr data-task-id=t.task_id.clone() data-cluster-id=t.cluster.clone() data-status=t.status.clone()>
                                            <td class="mono small-print">{t.task_id.clone()}{(!t.order_id.is_empty()).then(|| view! { <div class="muted">{move || t_string!(i18n, fleet_ops.tk_order, id = order.clone()).to_string()}</div> })}</td>
                                            <td>
                                                <a class="mono" href=cluster_href(&t.cluster, &t.account, &t.region, "")>{t.cluster.clone()}</a>
                                                <div class="muted">{format!("{} · {} · {}", t.description, t.region, t.account)}</div>
                                                <StatusBadge status=t.cluster_status.clone() />
                                            </td>
                                            <td>{move || action_label(&action).to_string()}</td>
                                            <td data-testid="task-status">{move || status_label(&status).to_string()}</td>
                                            <td class="mono nowrap">{human_time(&t.planned_start)}</td>
                                            <td class="mono nowrap">{human_time(&t.planned_end)}</td>
                                            <td class="mono nowrap">{human_time(&t.planned_time)}</td>
                                            <td>
                                                {cancellable.then(|| view! {
                                                    <button type="button" class="small danger" data-testid="cancel-task"
                                                        disabled=move || !hydrated.get()
                                                        title=move || waiting(hydrated)
                                                        on:click={
                                                            let row = row.clone();
                                                            move |_| {
                                                                cancel.value().set(None);
                                                                done.set(None);
                                                                confirm.set(Some(row.clone()));
                                                            }
                                                        }>{t!(i18n, fleet_ops.tk_cancel_button)}</button>
                                                })}
                                            </td>
                                        </tr>
                                    }.into_any()
                                };
                                let text: fn(&TaskRow) -> String = |t| {
                                    format!("{} {} {} {} {} {} {}", t.task_id, t.order_id, t.cluster, t.description,
                                        action_label(&t.action), status_label(&t.status), t.region)
                                };
                                view! {
                                    <DataTable rows=v.tasks.clone() columns row testid="tasks-table" noun=t_string!(i18n, fleet_ops.tk_noun) text per_page=PAGE />
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Transition>

        {move || confirm.get().map(|t| {
            view! {
                <ConfirmDialog title_id="task-cancel-title" title=t_string!(i18n, fleet_ops.tk_confirm_title, cluster = t.cluster.clone()).to_string() testid="cancel-dialog"
                    on_close=move || confirm.set(None) on_confirm=confirm_cancel pending=cancel.pending() button=t_string!(i18n, fleet_ops.tk_confirm_button)
                    sending=t_string!(i18n, fleet_ops.tk_cancelling) cancel=t_string!(i18n, fleet_ops.tk_keep_it) cancel_testid="keep-task" confirm_testid="confirm-cancel-task">
                    <p>{t_string!(
                        i18n,
                        fleet_ops.tk_confirm_text,
                        action = action_label(&t.action),
                        cluster = t.cluster.clone(),
                        description = t.description.clone(),
                        start = human_time(&t.planned_start),
                        latest = human_time(&t.planned_end)
                    ).to_string()}</p>
                    <p class="mono muted small-print">{t_string!(i18n, fleet_ops.tk_task_id, id = t.task_id.clone()).to_string()}</p>
                    {change_error(cancel.value())}
                </ConfirmDialog>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_take_the_reference_values() {
        assert_eq!(filter_problem("", ""), None);
        assert_eq!(filter_problem("pending", "ModifyDBNodeClass"), None);
        assert!(filter_problem("done", "").unwrap().contains("status"));
        assert!(filter_problem("", "RestartDBNode")
            .unwrap()
            .contains("task type"));
    }

    #[test]
    fn only_pending_tasks_cancel() {
        assert_eq!(cancel_problem("pending"), None);
        assert!(cancel_problem("finish").unwrap().contains("finished"));
        assert!(cancel_problem("executing").is_some());
        assert!(cancel_problem("cancel").is_some());
    }
}
