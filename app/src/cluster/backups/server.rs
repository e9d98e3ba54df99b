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
    let locale = crate::api::ssr::request_locale();
    if let Some(p) = range_problem(locale, &start, &end) {
        return Err(invalid("Time range", p));
    }
    if !["", "Automated", "Manual"].contains(&mode.as_str()) {
        return Err(invalid(
            "Mode",
            td_string!(locale, cluster_data.invalid_mode).to_string(),
        ));
    }
    if !["", "Success", "Failed"].contains(&status.as_str()) {
        return Err(invalid(
            "Status",
            td_string!(locale, cluster_data.invalid_status).to_string(),
        ));
    }
    if !PAGE_SIZES.contains(&size) {
        return Err(invalid(
            "Page size",
            td_string!(locale, cluster_data.invalid_page_size).to_string(),
        ));
    }
    let page = page.max(1);
    let now = now_ms();
    let (start_s, end_s) = query_range(&start, &end, now);
    let api = crate::call::Api::signed_in().await?;
    let query = |start: String, end: String| polardb::models::DescribeBackups {
        db_cluster_id: cluster.clone(),
        start_time: start,
        end_time: end,
        ..Default::default()
    };
    let list = describe_backups(
        &api,
        &account,
        &region,
        &polardb::models::DescribeBackups {
            page_size: Some(size),
            page_number: Some(page),
            backup_mode: (!mode.is_empty()).then_some(mode),
            backup_status: (!status.is_empty()).then_some(status),
            ..query(start_s.clone(), end_s.clone())
        },
    )
    .await?;
    // Whatever the filters: the manual and the completed backups of all time.
    let (_, all_end) = query_range("", "", now);
    let everything = || polardb::models::DescribeBackups {
        page_size: Some(30),
        ..query("2000-01-01T00:00Z".to_string(), all_end.clone())
    };
    let manual = describe_backups(
        &api,
        &account,
        &region,
        &polardb::models::DescribeBackups {
            backup_mode: Some("Manual".into()),
            ..everything()
        },
    )
    .await?
    .total_record_count
    .parse()
    .unwrap_or(0);
    let successful = describe_backups(
        &api,
        &account,
        &region,
        &polardb::models::DescribeBackups {
            backup_status: Some("Success".into()),
            ..everything()
        },
    )
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
            "CreateDBCluster",
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
        items: list.items.backup.into_iter().map(Into::into).collect(),
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
    let api = crate::call::Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &polardb::models::CreateBackup {
                db_cluster_id: cluster,
                ..Default::default()
            },
        )
        .await?;
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
    let api = crate::call::Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeBackupTasks {
                db_cluster_id: cluster,
                backup_job_id: (!job.is_empty()).then_some(job),
                ..Default::default()
            },
        )
        .await?;
    Ok(body.items.backup_job.into_iter().map(Into::into).collect())
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
    let locale = crate::api::ssr::request_locale();
    if backup.is_empty() || backup.contains(',') {
        return Err(invalid(
            "Backup",
            td_string!(locale, cluster_data.invalid_one_backup).to_string(),
        ));
    }
    if confirm.trim() != backup {
        return Err(invalid(
            "Confirmation",
            td_string!(locale, cluster_data.invalid_confirm_delete, id = &backup).to_string(),
        ));
    }
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::DeleteBackup {
                db_cluster_id: cluster,
                backup_id: backup,
            },
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
    if let Some(p) = range_problem(crate::api::ssr::request_locale(), &start, &end) {
        return Err(invalid("Time range", p));
    }
    let (start_s, end_s) = query_range(&start, &end, now_ms());
    let page = page.max(1);
    let api = crate::call::Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeBackupLogs {
                db_cluster_id: cluster,
                start_time: start_s,
                end_time: end_s,
                page_size: Some(30),
                page_number: Some(page),
            },
        )
        .await?;
    Ok(LogPage {
        items: body.items.backup_log.into_iter().map(Into::into).collect(),
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
    let api = crate::call::Api::signed_in().await?;
    let data = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeBackupPolicy {
                db_cluster_id: cluster.clone(),
            },
        )
        .await?;
    let log = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeLogBackupPolicy {
                db_cluster_id: cluster,
            },
        )
        .await?;
    Ok(Policies {
        data: data.into(),
        log: log.into(),
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
    let locale = crate::api::ssr::request_locale();
    if let Some((field, p)) = policy_problems(locale, &form, &region).into_iter().next() {
        return Err(invalid(field, p));
    }
    let another_region = form.data_level2_region.trim().to_string();
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyBackupPolicy {
                db_cluster_id: cluster,
                preferred_backup_period: Some(join_days(&form.preferred_backup_period)),
                preferred_backup_time: Some(form.preferred_backup_time),
                backup_frequency: Some(form.backup_frequency),
                data_level1_backup_retention_period: Some(
                    form.data_level1_retention.trim().to_string(),
                ),
                data_level2_backup_retention_period: Some(
                    form.data_level2_retention.trim().to_string(),
                ),
                data_level2_backup_another_region_retention_period: (!another_region.is_empty())
                    .then(|| form.data_level2_region_retention.trim().to_string()),
                data_level2_backup_another_region_region: Some(another_region),
                backup_retention_policy_on_cluster_deletion: Some(form.retention_on_deletion),
                ..Default::default()
            },
        )
        .await?;
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
    let locale = crate::api::ssr::request_locale();
    if let Some((field, p)) = log_policy_problems(locale, &form, &region)
        .into_iter()
        .next()
    {
        return Err(invalid(field, p));
    }
    let another_region = form.region.trim().to_string();
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyLogBackupPolicy {
                db_cluster_id: cluster,
                log_backup_retention_period: Some(form.retention.trim().to_string()),
                log_backup_another_region_retention_period: (!another_region.is_empty())
                    .then(|| form.region_retention.trim().to_string()),
                log_backup_another_region_region: Some(another_region),
                ..Default::default()
            },
        )
        .await?;
    Ok(answer.request_id)
}
