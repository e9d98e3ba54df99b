//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;
#[cfg(feature = "ssr")]
use crate::call::Api;
#[cfg(feature = "ssr")]
use polardb::models as m;

/// Renames a cluster (ModifyDBClusterDescription). Returns the RequestId.
#[server]
pub async fn modify_cluster_description(
    account: String,
    region: String,
    cluster: String,
    description: String,
) -> Result<String, AppError> {
    if let Some(problem) = description_problem(&description) {
        return Err(invalid("Description", problem));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBClusterDescription {
                db_cluster_id: cluster,
                db_cluster_description: description,
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// Sets the maintenance window (ModifyDBClusterMaintainTime). Returns the RequestId.
#[server]
pub async fn modify_cluster_maintain_time(
    account: String,
    region: String,
    cluster: String,
    maintain_time: String,
) -> Result<String, AppError> {
    let maintain_time = maintain_time.trim().to_string();
    if let Some(problem) = maintain_time_problem(&maintain_time) {
        return Err(invalid("Maintenance window", problem));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBClusterMaintainTime {
                db_cluster_id: cluster,
                maintain_time,
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// Turns deletion protection on or off (ModifyDBClusterDeletion). Returns the RequestId.
#[server]
pub async fn modify_cluster_deletion(
    account: String,
    region: String,
    cluster: String,
    protection: bool,
) -> Result<String, AppError> {
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBClusterDeletion {
                db_cluster_id: cluster,
                protection: Some(protection),
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// Releases a cluster (DeleteDBCluster). `confirm` must repeat the cluster ID; `backups`
/// is ALL, LATEST, NONE, or empty for the cluster's backup policy. Returns the RequestId.
#[server]
pub async fn delete_cluster(
    account: String,
    region: String,
    cluster: String,
    confirm: String,
    backups: String,
) -> Result<String, AppError> {
    if confirm.trim() != cluster {
        return Err(invalid(
            "Confirmation",
            td_string!(language(), cluster.type_id_to_delete, id = &cluster).to_string(),
        ));
    }
    let retention = match backups.as_str() {
        "" => None,
        "ALL" | "LATEST" | "NONE" => Some(backups),
        _ => {
            return Err(invalid(
                "Backups",
                td_string!(language(), cluster.backups_must_be),
            ))
        }
    };
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::DeleteDBCluster {
                db_cluster_id: cluster,
                backup_retention_policy_on_cluster_deletion: retention,
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// What the cluster's backup policy keeps when the cluster is deleted (ALL, LATEST, NONE).
#[server]
pub async fn backup_retention_on_deletion(
    account: String,
    region: String,
    cluster: String,
) -> Result<String, AppError> {
    let api = Api::signed_in().await?;
    let policy = api
        .call(
            &account,
            &region,
            &m::DescribeBackupPolicy {
                db_cluster_id: cluster,
            },
        )
        .await?;
    Ok(policy.backup_retention_policy_on_cluster_deletion)
}

/// Fails the primary over to a chosen read-only node (FailoverDBCluster; the gateway adds
/// a ClientToken). Returns the RequestId.
#[server]
pub async fn failover_cluster(
    account: String,
    region: String,
    cluster: String,
    target: String,
) -> Result<String, AppError> {
    let target = target.trim().to_string();
    if target.is_empty() {
        return Err(invalid(
            "TargetDBNodeId",
            td_string!(language(), cluster.failover_target_required),
        ));
    }
    if !target.starts_with("pi-") {
        return Err(invalid(
            "TargetDBNodeId",
            td_string!(language(), cluster.failover_target_node_id),
        ));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::FailoverDBCluster {
                db_cluster_id: cluster,
                target_db_node_id: Some(target),
                ..Default::default()
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// The zones where the cluster's class is on sale (DescribeDBClusterAvailableResources).
#[server]
pub async fn zone_choices(
    account: String,
    region: String,
    pay_type: String,
    version: String,
    class: String,
) -> Result<Vec<String>, AppError> {
    let pay_type = if pay_type == "Prepaid" {
        pay_type
    } else {
        "Postpaid".into()
    };
    let api = Api::signed_in().await?;
    let parsed = api
        .call(
            &account,
            &region,
            &m::DescribeDBClusterAvailableResources {
                pay_type,
                region_id: Some(region.clone()),
                db_type: Some("PostgreSQL".into()),
                db_version: Some(version),
                db_node_class: (!class.is_empty()).then_some(class),
                ..Default::default()
            },
        )
        .await?;
    Ok(crate::kit::zones::offers(parsed)
        .into_iter()
        .map(|z| z.zone)
        .collect())
}

/// Moves the primary to another zone now (ModifyDBClusterPrimaryZone, FromTimeService=true)
/// or in a planned window (FromTimeService=false with PlannedStartTime/PlannedEndTime).
#[server]
pub async fn modify_primary_zone(
    account: String,
    region: String,
    cluster: String,
    current: String,
    zone: String,
    vswitch: String,
    planned: crate::kit::Planned,
) -> Result<String, AppError> {
    let api = Api::signed_in().await?;
    let (planned_start_time, planned_end_time) = crate::kit::planned_params(&planned)?;
    let vswitch = vswitch.trim().to_string();
    if let Some(p) = primary_zone_problem(&region, &current, &zone, &vswitch) {
        return Err(invalid("ZoneId", p));
    }
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBClusterPrimaryZone {
                db_cluster_id: cluster,
                zone_id: zone,
                v_switch_id: Some(vswitch),
                from_time_service: Some(planned_start_time.is_none()),
                planned_start_time,
                planned_end_time,
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// The renewal settings of a subscription cluster (DescribeAutoRenewAttribute).
#[server]
pub async fn auto_renew_settings(
    account: String,
    region: String,
    cluster: String,
) -> Result<Option<Renewal>, AppError> {
    let api = Api::signed_in().await?;
    let parsed = api
        .call(
            &account,
            &region,
            &m::DescribeAutoRenewAttribute {
                region_id: region.clone(),
                db_cluster_ids: Some(cluster.clone()),
                ..Default::default()
            },
        )
        .await?;
    Ok(parsed
        .items
        .auto_renew_attribute
        .into_iter()
        .find(|a| a.db_cluster_id == cluster)
        .map(|a| Renewal {
            status: a.renewal_status,
            duration: a.duration,
            unit: a.period_unit,
        }))
}

/// Changes a subscription's renewal (ModifyAutoRenewAttribute). Returns the RequestId.
#[server]
pub async fn modify_auto_renew(
    account: String,
    region: String,
    cluster: String,
    status: String,
    duration: String,
    unit: String,
) -> Result<String, AppError> {
    if let Some(p) = renewal_problem(&status, &duration, &unit) {
        return Err(invalid("RenewalStatus", p));
    }
    let (duration, period_unit) = if status == "AutoRenewal" {
        (Some(duration.trim().to_string()), Some(unit))
    } else {
        (None, None)
    };
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyAutoRenewAttribute {
                region_id: region.clone(),
                db_cluster_ids: cluster,
                renewal_status: Some(status),
                duration,
                period_unit,
                ..Default::default()
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// The cluster's running tasks since it was created (DescribeTasks; today it reports
/// cluster creation).
#[server]
pub async fn cluster_tasks(
    account: String,
    region: String,
    cluster: String,
    since: String,
) -> Result<Vec<TaskView>, AppError> {
    let start = match since.get(..16) {
        Some(s) if since.ends_with('Z') => format!("{s}Z"),
        _ => {
            return Err(invalid(
                "StartTime",
                td_string!(language(), cluster.creation_time_unknown),
            ))
        }
    };
    let end = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let end = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}Z",
        end.year(),
        end.month() as u8,
        end.day(),
        end.hour(),
        end.minute()
    );
    let api = Api::signed_in().await?;
    let parsed = api
        .call(
            &account,
            &region,
            &m::DescribeTasks {
                db_cluster_id: Some(cluster),
                start_time: start,
                end_time: end,
                ..Default::default()
            },
        )
        .await?;
    Ok(parsed
        .tasks
        .task
        .into_iter()
        .map(|t| TaskView {
            action: t.task_action,
            progress: t.progress,
            step: t.current_step_name,
            step_info: t.step_progress_info,
            remain: t.remain,
        })
        .collect())
}
