//! Chapter 17: scheduled tasks, i.e. CreateDBNodes, ModifyDBNodeClass and
//! ModifyDBClusterPrimaryZone called with `PlannedStartTime`. A pending task starts its
//! job by itself once its start time has come (see `World::tick`).

use polardb::models as m;

use crate::handlers::Ctx;
use crate::state::{Effect, ScheduleTask};
use crate::util::{fmt_minute, ok, paginate, parse_time, Fault, Res};

/// `PlannedStartTime` / `PlannedEndTime` of a schedulable action: `None` when the action
/// runs now. The rule is the reference's, shared with the console
/// ([`polardb::rules::planned_window_problem`]): the start within the next 24 hours, the
/// end at least 30 minutes after it (by default exactly 30 minutes).
pub fn planned_window(c: &Ctx) -> Result<Option<(i64, i64)>, Fault> {
    let start = c.p.opt("PlannedStartTime").unwrap_or("");
    let end = c.p.opt("PlannedEndTime").unwrap_or("");
    if start.is_empty() && !end.is_empty() {
        return Err(Fault::missing("PlannedStartTime"));
    }
    if let Some((field, rule)) =
        polardb::rules::planned_window_problem(start, end, c.now.div_euclid(1000))
    {
        return Err(Fault::invalid_because(
            field,
            &format!("The {field} {rule}."),
        ));
    }
    if start.is_empty() {
        return Ok(None);
    }
    let start = parse_time(start).ok_or_else(|| Fault::invalid("PlannedStartTime"))?;
    let end = match end {
        "" => start + polardb::rules::PLANNED_WINDOW_SECS * 1000,
        e => parse_time(e).ok_or_else(|| Fault::invalid("PlannedEndTime"))?,
    };
    Ok(Some((start, end)))
}

/// Puts a scheduled task on cluster `i`; one pending task per cluster at a time.
pub fn add(
    c: &mut Ctx,
    i: usize,
    action: &str,
    job_status: &str,
    window: (i64, i64),
    order_id: &str,
    effect: Effect,
) -> Result<String, Fault> {
    if c.w.clusters[i]
        .schedule_tasks
        .iter()
        .any(|t| t.status == "pending")
    {
        return Err(Fault::new(
            400,
            "ScheduleTaskExist",
            "The specified cluster already has a scheduled task.",
        ));
    }
    let n = c.w.next_seq();
    let task_id = crate::state::uuid_like(n);
    c.w.clusters[i].schedule_tasks.push(ScheduleTask {
        task_id: task_id.clone(),
        action: action.to_string(),
        status: "pending".into(),
        planned_start_ms: window.0,
        planned_end_ms: window.1,
        order_id: order_id.to_string(),
        job_status: job_status.to_string(),
        step_ms: c.speed,
        effect,
    });
    Ok(task_id)
}

const STATUSES: &[&str] = &[
    "pending",
    "executing",
    "failure",
    "finish",
    "cancel",
    "expired",
    "rollback",
];

const TASK_ACTIONS: &[&str] = &[
    "CreateDBNodes",
    "ModifyDBNodeClass",
    "UpgradeDBClusterVersion",
    "ModifyDBClusterPrimaryZone",
];

/// DescribeScheduleTasks.
pub fn describe(c: &mut Ctx) -> Res {
    let status = c.p.enum_opt("Status", STATUSES)?;
    let action = c.p.enum_opt("TaskAction", TASK_ACTIONS)?;
    let region = c.p.opt("RegionId");
    if let Some(r) = region {
        if c.w.region(r).is_none() {
            return Err(Fault::region_not_found());
        }
    }
    let cluster = c.p.opt("DBClusterId");
    if let Some(id) = cluster {
        if c.w.cluster(id).is_none() {
            return Err(Fault::cluster_not_found());
        }
    }
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let mut infos: Vec<(i64, m::TimerInfo)> = Vec::new();
    for cl in &c.w.clusters {
        if cluster.is_some_and(|id| id != cl.id) || region.is_some_and(|r| r != cl.region_id) {
            continue;
        }
        for t in &cl.schedule_tasks {
            if status.is_some_and(|s| s != t.status) || action.is_some_and(|a| a != t.action) {
                continue;
            }
            infos.push((
                t.planned_start_ms,
                m::TimerInfo {
                    action: t.action.clone(),
                    crontab_job_id: String::new(),
                    db_cluster_id: cl.id.clone(),
                    db_cluster_description: cl.description.clone(),
                    db_cluster_status: cl.status.clone(),
                    order_id: if matches!(t.action.as_str(), "CreateDBNodes" | "ModifyDBNodeClass")
                    {
                        t.order_id.clone()
                    } else {
                        String::new()
                    },
                    planned_end_time: fmt_minute(t.planned_end_ms),
                    planned_flashing_off_time: String::new(),
                    planned_start_time: fmt_minute(t.planned_start_ms),
                    planned_time: fmt_minute(t.planned_start_ms + 60_000),
                    region: cl.region_id.clone(),
                    status: t.status.clone(),
                    task_cancel: t.status == "pending",
                    task_id: t.task_id.clone(),
                },
            ));
        }
    }
    infos.sort_by_key(|b| std::cmp::Reverse(b.0));
    let total = infos.len();
    let page: Vec<m::TimerInfo> = paginate(infos, size, number)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    ok(m::DescribeScheduleTasksResponse {
        data: m::ScheduleTaskPage {
            page_number: number as i64,
            page_size: page.len() as i64,
            timer_infos: page,
            total_record_count: total as i64,
        },
        message: "Successful".into(),
        request_id: String::new(),
        success: true,
        code: "200".into(),
    })
}

/// CancelScheduleTasks: only pending tasks can be cancelled.
pub fn cancel(c: &mut Ctx) -> Res {
    let task_id = c.p.required("TaskId")?.to_string();
    let cl = c.cluster_mut()?;
    let Some(t) = cl.schedule_tasks.iter_mut().find(|t| t.task_id == task_id) else {
        return Err(Fault::new(
            404,
            "InvalidTaskId.NotFound",
            "The specified TaskId does not exist.",
        ));
    };
    if t.status != "pending" {
        return Err(Fault::new(
            403,
            "OperationDenied.IncorrectTaskStatus",
            "The operation is not permitted due to status of the task.",
        ));
    }
    t.status = "cancel".into();
    // Nodes created by a scheduled CreateDBNodes never came to exist.
    ok(m::CancelScheduleTasksResponse {
        request_id: String::new(),
        success: true,
    })
}
