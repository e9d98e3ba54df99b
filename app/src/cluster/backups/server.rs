//! The backup tab's server functions: the backup list and its log, manual backups, the policies.

use super::*;

/// The backups between `start` and `end` (UTC, `YYYY-MM-DDThh:mm`; empty: the last 30
/// days), of `mode` and `status` when given (DescribeBackups).
#[allow(clippy::too_many_arguments)]
#[server]
pub async fn list_backups(
    account: String,
    region: String,
    cluster: String,
    start: String,
    end: String,
    mode: String,
    status: String,
    page: u32,
    size: u32,
) -> Result<BackupPage, AppError> {
    if let Some(p) = range_problem(&start, &end) {
        return Err(invalid("Time range", p));
    }
    if !["", "Automated", "Manual"].contains(&mode.as_str()) {
        return Err(invalid("Mode", "must be Automated or Manual"));
    }
    if !["", "Success", "Failed"].contains(&status.as_str()) {
        return Err(invalid("Status", "must be Success or Failed"));
    }
    if !PAGE_SIZES.contains(&size) {
        return Err(invalid("Page size", "must be 30, 50 or 100"));
    }
    let page = page.max(1);
    let now = now_ms();
    let (start_s, end_s) = query_range(&start, &end, now);
    let mut params = vec![
        ("DBClusterId".to_string(), cluster.clone()),
        ("StartTime".to_string(), start_s.clone()),
        ("EndTime".to_string(), end_s.clone()),
        ("PageSize".to_string(), size.to_string()),
        ("PageNumber".to_string(), page.to_string()),
    ];
    if !mode.is_empty() {
        params.push(("BackupMode".into(), mode));
    }
    if !status.is_empty() {
        params.push(("BackupStatus".into(), status));
    }
    let list = describe_backups(&account, &region, params).await?;
    // Whatever the filters: the manual and the completed backups of all time.
    let (_, all_end) = query_range("", "", now);
    let everything = |extra: (&str, &str)| {
        vec![
            ("DBClusterId".to_string(), cluster.clone()),
            ("StartTime".to_string(), "2000-01-01T00:00Z".to_string()),
            ("EndTime".to_string(), all_end.clone()),
            ("PageSize".to_string(), "30".to_string()),
            (extra.0.to_string(), extra.1.to_string()),
        ]
    };
    let manual = describe_backups(&account, &region, everything(("BackupMode", "Manual")))
        .await?
        .total_record_count
        .parse()
        .unwrap_or(0);
    let successful = describe_backups(&account, &region, everything(("BackupStatus", "Success")))
        .await?
        .total_record_count
        .parse()
        .unwrap_or(0);
    let allowed = crate::api::permissions(
        account,
        region,
        Some(cluster),
        [
            "CreateBackup",
            "DeleteBackup",
            "ModifyBackupPolicy",
            "ModifyLogBackupPolicy",
        ]
        .iter()
        .map(|a| format!("polardb:{a}"))
        .collect(),
    )
    .await?
    .into_iter()
    .map(|a| a.trim_start_matches("polardb:").to_string())
    .collect();
    Ok(BackupPage {
        total: list.total_record_count.parse().unwrap_or(0),
        items: list.items.backup,
        page,
        size,
        start: start_s,
        end: end_s,
        level2_size: list.total_level2_backup_size.parse().unwrap_or(0),
        manual,
        successful,
        allowed,
    })
}

/// Starts a manual backup (CreateBackup). Returns the backup job's ID.
#[server]
pub async fn create_backup(
    account: String,
    region: String,
    cluster: String,
) -> Result<String, AppError> {
    let answer = crate::api::call_api(
        account,
        region,
        "CreateBackup".into(),
        vec![("DBClusterId".into(), cluster)],
    )
    .await?;
    let body: polardb::models::CreateBackupResponse = parse("CreateBackup", &answer.json)?;
    Ok(body.backup_job_id)
}

/// The backup jobs in progress, or the one job `job` (DescribeBackupTasks).
#[server]
pub async fn backup_tasks(
    account: String,
    region: String,
    cluster: String,
    job: String,
) -> Result<Vec<BackupJob>, AppError> {
    let mut params = vec![("DBClusterId".to_string(), cluster)];
    if !job.is_empty() {
        params.push(("BackupJobId".into(), job));
    }
    let answer =
        crate::api::call_api(account, region, "DescribeBackupTasks".into(), params).await?;
    let body: polardb::models::DescribeBackupTasksResponse =
        parse("DescribeBackupTasks", &answer.json)?;
    Ok(body.items.backup_job)
}

/// Deletes one manual backup (DeleteBackup). `confirm` repeats the backup ID. Returns the
/// RequestId.
#[server]
pub async fn delete_backup(
    account: String,
    region: String,
    cluster: String,
    backup: String,
    confirm: String,
) -> Result<String, AppError> {
    if backup.is_empty() || backup.contains(',') {
        return Err(invalid("Backup", "name exactly one backup"));
    }
    if confirm.trim() != backup {
        return Err(invalid(
            "Confirmation",
            format!("confirm the deletion of backup {backup}"),
        ));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteBackup".into(),
        vec![("DBClusterId".into(), cluster), ("BackupId".into(), backup)],
    )
    .await?;
    Ok(answer.request_id)
}

/// The backup logs between `start` and `end` (DescribeBackupLogs), with download links.
#[server]
pub async fn list_backup_logs(
    account: String,
    region: String,
    cluster: String,
    start: String,
    end: String,
    page: u32,
) -> Result<LogPage, AppError> {
    if let Some(p) = range_problem(&start, &end) {
        return Err(invalid("Time range", p));
    }
    let (start_s, end_s) = query_range(&start, &end, now_ms());
    let page = page.max(1);
    let answer = crate::api::call_api(
        account,
        region,
        "DescribeBackupLogs".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("StartTime".into(), start_s),
            ("EndTime".into(), end_s),
            ("PageSize".into(), "30".into()),
            ("PageNumber".into(), page.to_string()),
        ],
    )
    .await?;
    let body: polardb::models::DescribeBackupLogsResponse =
        parse("DescribeBackupLogs", &answer.json)?;
    Ok(LogPage {
        items: body.items.backup_log,
        total: body.total_record_count.parse().unwrap_or(0),
        page,
        size: 30,
    })
}

/// The backup policy and the log-backup policy (DescribeBackupPolicy,
/// DescribeLogBackupPolicy).
#[server]
pub async fn backup_policies(
    account: String,
    region: String,
    cluster: String,
) -> Result<Policies, AppError> {
    let data = crate::api::call_api(
        account.clone(),
        region.clone(),
        "DescribeBackupPolicy".into(),
        vec![("DBClusterId".into(), cluster.clone())],
    )
    .await?;
    let log = crate::api::call_api(
        account,
        region,
        "DescribeLogBackupPolicy".into(),
        vec![("DBClusterId".into(), cluster)],
    )
    .await?;
    Ok(Policies {
        data: parse("DescribeBackupPolicy", &data.json)?,
        log: parse("DescribeLogBackupPolicy", &log.json)?,
    })
}

/// Changes the backup policy (ModifyBackupPolicy). Returns the RequestId.
#[server(input = server_fn::codec::Json)]
pub async fn save_backup_policy(
    account: String,
    region: String,
    cluster: String,
    form: PolicyForm,
) -> Result<String, AppError> {
    if let Some((field, p)) = policy_problems(&form, &region).into_iter().next() {
        return Err(invalid(field, p));
    }
    let level2_days = if form.data_level2_retention.trim() == "0" {
        String::new()
    } else {
        join_days(&form.data_level2_period)
    };
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        (
            "PreferredBackupPeriod".to_string(),
            join_days(&form.preferred_backup_period),
        ),
        (
            "PreferredBackupTime".to_string(),
            form.preferred_backup_time,
        ),
        ("BackupFrequency".to_string(), form.backup_frequency),
        (
            "DataLevel1BackupRetentionPeriod".to_string(),
            form.data_level1_retention.trim().to_string(),
        ),
        ("DataLevel2BackupPeriod".to_string(), level2_days),
        (
            "DataLevel2BackupRetentionPeriod".to_string(),
            form.data_level2_retention.trim().to_string(),
        ),
        (
            "DataLevel2BackupAnotherRegionRegion".to_string(),
            form.data_level2_region.trim().to_string(),
        ),
        (
            "BackupRetentionPolicyOnClusterDeletion".to_string(),
            form.retention_on_deletion,
        ),
    ];
    if !form.data_level2_region.trim().is_empty() {
        params.push((
            "DataLevel2BackupAnotherRegionRetentionPeriod".into(),
            form.data_level2_region_retention.trim().to_string(),
        ));
    }
    let answer = crate::api::call_api(account, region, "ModifyBackupPolicy".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes the log-backup policy (ModifyLogBackupPolicy). Returns the RequestId.
#[server(input = server_fn::codec::Json)]
pub async fn save_log_backup_policy(
    account: String,
    region: String,
    cluster: String,
    form: LogPolicyForm,
) -> Result<String, AppError> {
    if let Some((field, p)) = log_policy_problems(&form, &region).into_iter().next() {
        return Err(invalid(field, p));
    }
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        (
            "LogBackupRetentionPeriod".to_string(),
            form.retention.trim().to_string(),
        ),
        (
            "LogBackupAnotherRegionRegion".to_string(),
            form.region.trim().to_string(),
        ),
    ];
    if !form.region.trim().is_empty() {
        params.push((
            "LogBackupAnotherRegionRetentionPeriod".into(),
            form.region_retention.trim().to_string(),
        ));
    }
    let answer =
        crate::api::call_api(account, region, "ModifyLogBackupPolicy".into(), params).await?;
    Ok(answer.request_id)
}
