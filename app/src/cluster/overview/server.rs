//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

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
    let answer = call_api(
        account,
        region,
        "ModifyDBClusterDescription".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBClusterDescription".into(), description),
        ],
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
    let answer = call_api(
        account,
        region,
        "ModifyDBClusterMaintainTime".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("MaintainTime".into(), maintain_time),
        ],
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
    let answer = call_api(
        account,
        region,
        "ModifyDBClusterDeletion".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("Protection".into(), protection.to_string()),
        ],
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
            format!("type the cluster ID {cluster} to delete it"),
        ));
    }
    let mut params = vec![("DBClusterId".to_string(), cluster)];
    match backups.as_str() {
        "" => {}
        "ALL" | "LATEST" | "NONE" => {
            params.push(("BackupRetentionPolicyOnClusterDeletion".into(), backups))
        }
        _ => return Err(invalid("Backups", "must be ALL, LATEST or NONE")),
    }
    let answer = call_api(account, region, "DeleteDBCluster".into(), params).await?;
    Ok(answer.request_id)
}

/// What the cluster's backup policy keeps when the cluster is deleted (ALL, LATEST, NONE).
#[server]
pub async fn backup_retention_on_deletion(
    account: String,
    region: String,
    cluster: String,
) -> Result<String, AppError> {
    let answer = call_api(
        account,
        region,
        "DescribeBackupPolicy".into(),
        vec![("DBClusterId".into(), cluster)],
    )
    .await?;
    let policy: polardb::models::DescribeBackupPolicyResponse = serde_json::from_str(&answer.json)
        .map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeBackupPolicy answer had an unexpected shape: {e}"
            ))
        })?;
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
            "choose the read-only node to promote (PostgreSQL clusters need one)",
        ));
    }
    if !target.starts_with("pi-") {
        return Err(invalid("TargetDBNodeId", "must be a node ID (pi-…)"));
    }
    let answer = call_api(
        account,
        region,
        "FailoverDBCluster".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("TargetDBNodeId".into(), target),
        ],
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
    let mut params = vec![
        ("PayType".to_string(), pay_type),
        ("RegionId".to_string(), region.clone()),
        ("DBType".to_string(), "PostgreSQL".to_string()),
        ("DBVersion".to_string(), version),
    ];
    if !class.is_empty() {
        params.push(("DBNodeClass".into(), class));
    }
    let answer = call_api(
        account,
        region,
        "DescribeDBClusterAvailableResources".into(),
        params,
    )
    .await?;
    let parsed: polardb::models::DescribeDBClusterAvailableResourcesResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterAvailableResources answer had an unexpected shape: {e}"
            ))
        })?;
    Ok(crate::kit::zones::offers(parsed)
        .into_iter()
        .map(|z| z.zone)
        .collect())
}

/// Moves the primary to another zone now (ModifyDBClusterPrimaryZone, FromTimeService=true).
#[server]
pub async fn modify_primary_zone(
    account: String,
    region: String,
    cluster: String,
    current: String,
    zone: String,
    vswitch: String,
) -> Result<String, AppError> {
    let vswitch = vswitch.trim().to_string();
    if let Some(p) = primary_zone_problem(&region, &current, &zone, &vswitch) {
        return Err(invalid("ZoneId", p));
    }
    let answer = call_api(
        account,
        region,
        "ModifyDBClusterPrimaryZone".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("ZoneId".into(), zone),
            ("VSwitchId".into(), vswitch),
            ("FromTimeService".into(), "true".into()),
        ],
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
    let answer = call_api(
        account,
        region.clone(),
        "DescribeAutoRenewAttribute".into(),
        vec![
            ("RegionId".into(), region),
            ("DBClusterIds".into(), cluster.clone()),
        ],
    )
    .await?;
    let parsed: polardb::models::DescribeAutoRenewAttributeResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeAutoRenewAttribute answer had an unexpected shape: {e}"
            ))
        })?;
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
    let mut params = vec![
        ("RegionId".to_string(), region.clone()),
        ("DBClusterIds".to_string(), cluster),
        ("RenewalStatus".to_string(), status.clone()),
    ];
    if status == "AutoRenewal" {
        params.push(("Duration".into(), duration.trim().to_string()));
        params.push(("PeriodUnit".into(), unit));
    }
    let answer = call_api(account, region, "ModifyAutoRenewAttribute".into(), params).await?;
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
                "the cluster's creation time is unknown",
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
    let answer = call_api(
        account,
        region,
        "DescribeTasks".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("StartTime".into(), start),
            ("EndTime".into(), end),
        ],
    )
    .await?;
    let parsed: polardb::models::DescribeTasksResponse = serde_json::from_str(&answer.json)
        .map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeTasks answer had an unexpected shape: {e}"
            ))
        })?;
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
