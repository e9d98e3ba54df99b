//! Chapter 16: pending maintenance events.

use polardb::models as m;

use crate::catalog::MAINTENANCE_TYPES;
use crate::handlers::Ctx;
use crate::util::{fmt_time, ok, paginate, parse_time, Fault, Res};

fn history_flag(c: &Ctx) -> Result<bool, Fault> {
    match c.p.opt("IsHistory") {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(Fault::unsupported("IsHistory")),
    }
}

/// Statuses 2 to 4 are pending; 5 to 7 are history.
fn is_history(status: i64) -> bool {
    status >= 5
}

/// DescribePendingMaintenanceAction.
pub fn describe(c: &mut Ctx) -> Res {
    let region = c.p.required("Region")?.to_string();
    let task_type = c.p.required("TaskType")?.to_string();
    if task_type != "all" && !MAINTENANCE_TYPES.contains(&task_type.as_str()) {
        return Err(Fault::unsupported("TaskType"));
    }
    if region == "all" && task_type != "all" {
        return Err(Fault::invalid_because(
            "TaskType",
            "When Region is all, TaskType must be all too.",
        ));
    }
    if region != "all" && c.w.region(&region).is_none() {
        return Err(Fault::region_not_found());
    }
    let history = history_flag(c)?;
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let mut items: Vec<m::PendingMaintenanceAction> = Vec::new();
    for cl in &c.w.clusters {
        if region != "all" && cl.region_id != region {
            continue;
        }
        for e in &cl.maintenance {
            if is_history(e.status) != history || (task_type != "all" && e.task_type != task_type) {
                continue;
            }
            items.push(m::PendingMaintenanceAction {
                created_time: e.created_time.clone(),
                db_cluster_id: cl.id.clone(),
                db_type: "PostgreSQL".into(),
                db_version: cl.db_version.clone(),
                deadline: e.deadline.clone(),
                id: e.id,
                modified_time: e.modified_time.clone(),
                prepare_interval: e.prepare_interval.clone(),
                region: cl.region_id.clone(),
                result_info: if e.status >= 6 {
                    e.result_info.clone()
                } else {
                    String::new()
                },
                start_time: e.start_time.clone(),
                status: e.status,
                switch_time: e.switch_time.clone(),
                task_type: e.task_type.clone(),
            });
        }
    }
    items.sort_by(|a, b| a.switch_time.cmp(&b.switch_time).then(a.id.cmp(&b.id)));
    let total = items.len();
    let page = paginate(items, size, number);
    ok(m::DescribePendingMaintenanceActionResponse {
        items: page,
        page_number: number as i64,
        page_size: size as i64,
        request_id: String::new(),
        total_record_count: total as i64,
    })
}

/// DescribePendingMaintenanceActions: counts per task type in a region.
pub fn describe_counts(c: &mut Ctx) -> Res {
    let region = c.p.required("RegionId")?.to_string();
    if c.w.region(&region).is_none() {
        return Err(Fault::region_not_found());
    }
    let history = history_flag(c)?;
    let type_list = MAINTENANCE_TYPES
        .iter()
        .filter_map(|t| {
            let count =
                c.w.clusters
                    .iter()
                    .filter(|cl| cl.region_id == region)
                    .flat_map(|cl| cl.maintenance.iter())
                    .filter(|e| e.task_type == *t && is_history(e.status) == history)
                    .count() as i64;
            (count > 0).then(|| m::PendingMaintenanceTypeCount {
                count,
                task_type: t.to_string(),
            })
        })
        .collect();
    ok(m::DescribePendingMaintenanceActionsResponse {
        request_id: String::new(),
        type_list,
    })
}

/// ModifyPendingMaintenanceAction: a new switch time (in the future, before the deadline)
/// for pending events that have not started.
pub fn modify(c: &mut Ctx) -> Res {
    let ids_text = c.p.required("Ids")?.to_string();
    let switch = c.p.required("SwitchTime")?;
    let switch = parse_time(switch).ok_or_else(|| Fault::invalid("SwitchTime"))?;
    let region = c.p.opt("RegionId").map(str::to_string);
    let mut ids: Vec<i64> = Vec::new();
    for id in ids_text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        ids.push(id.parse().map_err(|_| Fault::invalid("Ids"))?);
    }
    if ids.is_empty() {
        return Err(Fault::missing("Ids"));
    }
    if switch <= c.now {
        return Err(Fault::invalid_because(
            "SwitchTime",
            "The switch time must be in the future.",
        ));
    }
    // Check every id before changing anything.
    for id in &ids {
        let found = c.w.clusters.iter().find_map(|cl| {
            let e = cl.maintenance.iter().find(|e| e.id == *id)?;
            Some((cl.region_id.clone(), e.clone()))
        });
        let Some((event_region, e)) = found else {
            return Err(Fault::new(
                400,
                "InvalidTaskId.NotFound",
                "The specified task does not exist in our records.",
            ));
        };
        if region.as_ref().is_some_and(|r| r != &event_region) {
            return Err(Fault::new(
                400,
                "InvalidTaskId.NotFound",
                "The specified task does not exist in our records.",
            ));
        }
        if !(e.status == 2 || e.status == 3) {
            return Err(Fault::new(
                403,
                "OperationDenied.IncorrectTaskStatus",
                "The operation is not permitted due to status of the task.",
            ));
        }
        if parse_time(&e.deadline).is_some_and(|d| switch > d) {
            return Err(Fault::invalid_because(
                "SwitchTime",
                "The switch time must not be later than the deadline of the task.",
            ));
        }
    }
    let now = fmt_time(c.now);
    for cl in &mut c.w.clusters {
        for e in &mut cl.maintenance {
            if ids.contains(&e.id) {
                e.switch_time = fmt_time(switch);
                e.start_time = fmt_time(switch - 4 * 3_600_000);
                e.modified_time = now.clone();
                e.status = 3;
            }
        }
    }
    ok(m::ModifyPendingMaintenanceActionResponse {
        ids: ids_text,
        request_id: String::new(),
    })
}
