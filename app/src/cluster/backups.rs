//! `/clusters/:id/backups`: the cluster's backup sets (DescribeBackups, filtered by time
//! range, mode, status and level, with sizes), a manual backup (CreateBackup) followed
//! through its stages (DescribeBackupTasks) until it is done, deletion of a backup
//! (DeleteBackup) after a confirmation and only where the reference allows it, the backup
//! logs with their download links (DescribeBackupLogs), and the backup policy
//! (DescribeBackupPolicy / ModifyBackupPolicy) and log-backup policy
//! (DescribeLogBackupPolicy / ModifyLogBackupPolicy) as forms checked before sending.

use leptos::prelude::*;
use polardb::models::{Backup, BackupJob, BackupLog};
use serde::{Deserialize, Serialize};

use crate::cluster::frame::{resolve, ClusterCtx};
use crate::kit::chart::{fmt_minute, parse_minute};
use crate::kit::{
    change_error, human_bytes, human_time, ConfirmDialog, Empty, ErrorBox, Loading, StatusBadge,
    POLL,
};
use crate::AppError;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// At most three manual backups may exist at a time (14.1).
pub const MAX_MANUAL: usize = 3;
/// Page sizes the list actions accept (14.3, 14.5).
pub const PAGE_SIZES: &[u32] = &[30, 50, 100];
pub const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// BackupFrequency: once a day, or every 12, 8 or 6 hours (high-frequency backups).
pub const FREQUENCIES: &[(&str, &str)] = &[
    ("Normal", "Once a day (in the backup window)"),
    ("2/24H", "Every 12 hours"),
    ("3/24H", "Every 8 hours"),
    ("4/24H", "Every 6 hours"),
];

// ---------------------------------------------------------------------------------------
// Rules, checked as the user types and again on the server.

/// What is wrong with a query range (`YYYY-MM-DDThh:mm`, UTC; 14.3, 14.5: the end later
/// than the start). Empty means the default.
pub fn range_problem(start: &str, end: &str) -> Option<String> {
    let s = if start.trim().is_empty() {
        None
    } else {
        Some(
            parse_minute(start)
                .ok_or("the start must be a date and time, YYYY-MM-DDThh:mm (UTC)")
                .map_err(String::from),
        )
    };
    let e = if end.trim().is_empty() {
        None
    } else {
        Some(
            parse_minute(end)
                .ok_or("the end must be a date and time, YYYY-MM-DDThh:mm (UTC)")
                .map_err(String::from),
        )
    };
    match (s, e) {
        (Some(Err(p)), _) | (_, Some(Err(p))) => Some(p),
        (Some(Ok(s)), Some(Ok(e))) if e <= s => Some("the end must be later than the start".into()),
        _ => None,
    }
}

/// The query range in the API's format: the given times, or the last 30 days up to the
/// next whole minute.
pub fn query_range(start: &str, end: &str, now_ms: i64) -> (String, String) {
    let end_ms = parse_minute(end)
        .unwrap_or_else(|| (now_ms + MINUTE - 1).div_euclid(MINUTE) * MINUTE + MINUTE);
    let start_ms = parse_minute(start).unwrap_or(end_ms - 30 * DAY);
    (fmt_minute(start_ms), fmt_minute(end_ms))
}

/// Why a backup may not be deleted (14.2: the cluster Running, the backup completed; only
/// backups whose StoreStatus is Enabled — the manual ones — can be deleted), or `None`.
/// `successful` counts the cluster's completed backups: the console never deletes the last.
pub fn delete_refusal(b: &Backup, cluster_status: &str, successful: usize) -> Option<String> {
    if b.backup_mode != "Manual" || b.store_status == "Disabled" {
        return Some(
            "Automatic backups cannot be deleted; they expire by the backup policy's retention (StoreStatus Disabled)."
                .into(),
        );
    }
    if b.backup_status != "Success" {
        return Some(format!(
            "Only completed backups can be deleted (this one is {}).",
            b.backup_status
        ));
    }
    if cluster_status != "Running" {
        return Some(format!(
            "The cluster must be Running to delete a backup (it is {cluster_status})."
        ));
    }
    if successful <= 1 {
        return Some("This is the cluster's only completed backup; the console keeps it.".into());
    }
    None
}

/// Why a manual backup cannot be started now, or `None`.
pub fn create_refusal(cluster_status: &str, manual: usize, job_running: bool) -> Option<String> {
    if cluster_status != "Running" {
        return Some(format!(
            "The cluster must be Running to take a backup (it is {cluster_status})."
        ));
    }
    if job_running {
        return Some("A backup is in progress; wait until it is done.".into());
    }
    if manual >= MAX_MANUAL {
        return Some(format!(
            "A cluster keeps at most {MAX_MANUAL} manual backups (14.1); delete one first."
        ));
    }
    None
}

/// Days of the week, as the API lists them: `Monday,Tuesday`.
pub fn join_days(days: &[String]) -> String {
    WEEKDAYS
        .iter()
        .filter(|d| days.iter().any(|x| x == *d))
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

pub fn split_days(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|d| WEEKDAYS.contains(d))
        .map(String::from)
        .collect()
}

/// The 24 backup windows the API accepts: one hour, on the hour, UTC.
pub fn backup_windows() -> Vec<String> {
    (0..24)
        .map(|h| format!("{h:02}:00Z-{:02}:00Z", (h + 1) % 24))
        .collect()
}

/// A retention that is `0` (off), `-1` (for ever) or within `lo..=hi` days.
fn retention_problem(v: &str, lo: i64, hi: i64, zero_ok: bool) -> Option<String> {
    let Ok(n) = v.trim().parse::<i64>() else {
        return Some(format!("must be a whole number of days from {lo} to {hi}"));
    };
    if n == -1 || (zero_ok && n == 0) || (lo..=hi).contains(&n) {
        None
    } else if zero_ok {
        Some(format!(
            "must be {lo}–{hi} days, -1 (kept for ever) or 0 (off)"
        ))
    } else {
        Some(format!("must be {lo}–{hi} days or -1 (kept for ever)"))
    }
}

/// The backup policy form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub preferred_backup_period: Vec<String>,
    pub preferred_backup_time: String,
    pub backup_frequency: String,
    pub data_level1_retention: String,
    pub data_level2_period: Vec<String>,
    pub data_level2_retention: String,
    pub data_level2_region: String,
    pub data_level2_region_retention: String,
    pub retention_on_deletion: String,
}

impl PolicyForm {
    pub fn from_policy(p: &polardb::models::DescribeBackupPolicyResponse) -> Self {
        let or = |a: &str, b: &str| {
            if a.is_empty() {
                b.to_string()
            } else {
                a.to_string()
            }
        };
        PolicyForm {
            preferred_backup_period: split_days(&p.preferred_backup_period),
            preferred_backup_time: p.preferred_backup_time.clone(),
            backup_frequency: or(&p.backup_frequency, "Normal"),
            data_level1_retention: or(&p.data_level1_backup_retention_period, "7"),
            data_level2_period: split_days(&p.data_level2_backup_period),
            data_level2_retention: or(&p.data_level2_backup_retention_period, "0"),
            data_level2_region: p.data_level2_backup_another_region_region.clone(),
            data_level2_region_retention: or(
                &p.data_level2_backup_another_region_retention_period,
                "0",
            ),
            retention_on_deletion: or(&p.backup_retention_policy_on_cluster_deletion, "NONE"),
        }
    }
}

/// What is wrong with a backup policy, field by field (ModifyBackupPolicy: at least two
/// days a week; a one-hour window on the hour; level-1 backups kept 3–14 days; level-2
/// backups kept 30–7300 days, -1 for ever or 0 for none; a cross-region copy to another
/// region).
pub fn policy_problems(f: &PolicyForm, cluster_region: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if f.preferred_backup_period.len() < 2 {
        out.push(("Backup days", "choose at least two days a week".to_string()));
    }
    if !backup_windows().contains(&f.preferred_backup_time) {
        out.push((
            "Backup window",
            "one hour, on the hour, in UTC (HH:00Z-HH:00Z)".to_string(),
        ));
    }
    if !FREQUENCIES.iter().any(|(v, _)| *v == f.backup_frequency) {
        out.push((
            "Backup frequency",
            "must be Normal, 2/24H, 3/24H or 4/24H".to_string(),
        ));
    }
    match f.data_level1_retention.trim().parse::<i64>() {
        Ok(n) if (3..=14).contains(&n) => {}
        _ => out.push(("Level-1 retention", "must be 3 to 14 days".to_string())),
    }
    if let Some(p) = retention_problem(&f.data_level2_retention, 30, 7300, true) {
        out.push(("Level-2 retention", p));
    }
    let level2_on = f.data_level2_retention.trim() != "0";
    if level2_on && f.data_level2_period.is_empty() {
        out.push((
            "Level-2 days",
            "choose the days level-2 backups are taken, or set the retention to 0".to_string(),
        ));
    }
    let region = f.data_level2_region.trim();
    if !region.is_empty() {
        if region == cluster_region {
            out.push((
                "Cross-region copy",
                "must be another region than the cluster's".to_string(),
            ));
        }
        if let Some(p) = retention_problem(&f.data_level2_region_retention, 30, 7300, false) {
            out.push(("Cross-region retention", p));
        }
    }
    if !["ALL", "LATEST", "NONE"].contains(&f.retention_on_deletion.as_str()) {
        out.push((
            "Backups after deletion",
            "must be ALL, LATEST or NONE".to_string(),
        ));
    }
    out
}

/// The log-backup policy form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPolicyForm {
    pub retention: String,
    pub region: String,
    pub region_retention: String,
}

/// What is wrong with a log-backup policy (ModifyLogBackupPolicy: kept 3–7300 days or -1;
/// a cross-region copy kept 30–7300 days, -1, or 0 for none).
pub fn log_policy_problems(f: &LogPolicyForm, cluster_region: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(p) = retention_problem(&f.retention, 3, 7300, false) {
        out.push(("Log retention", p));
    }
    let region = f.region.trim();
    if !region.is_empty() {
        if region == cluster_region {
            out.push((
                "Cross-region copy",
                "must be another region than the cluster's".to_string(),
            ));
        }
        if let Some(p) = retention_problem(&f.region_retention, 30, 7300, true) {
            out.push(("Cross-region retention", p));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Server functions.

/// One page of backups and what the page needs around it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackupPage {
    pub items: Vec<Backup>,
    pub total: u32,
    pub page: u32,
    pub size: u32,
    pub start: String,
    pub end: String,
    pub level2_size: i64,
    /// Manual backups of the cluster, whatever the filters.
    pub manual: usize,
    /// Completed backups of the cluster, whatever the filters.
    pub successful: usize,
    /// Which changes the user may make: CreateBackup, DeleteBackup, ModifyBackupPolicy,
    /// ModifyLogBackupPolicy.
    pub allowed: Vec<String>,
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[cfg(feature = "ssr")]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(feature = "ssr")]
fn parse<T: serde::de::DeserializeOwned>(action: &str, json: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        AppError::ServerFn(format!("The {action} answer had an unexpected shape: {e}"))
    })
}

#[cfg(feature = "ssr")]
async fn describe_backups(
    account: &str,
    region: &str,
    params: Vec<(String, String)>,
) -> Result<polardb::models::DescribeBackupsResponse, AppError> {
    let answer = crate::api::call_api(
        account.into(),
        region.into(),
        "DescribeBackups".into(),
        params,
    )
    .await?;
    parse("DescribeBackups", &answer.json)
}

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

/// One page of backup logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogPage {
    pub items: Vec<BackupLog>,
    pub total: u32,
    pub page: u32,
    pub size: u32,
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

/// Both policies of a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policies {
    pub data: polardb::models::DescribeBackupPolicyResponse,
    pub log: polardb::models::DescribeLogBackupPolicyResponse,
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

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/backups`.
#[component]
pub fn ClusterBackupsPage() -> impl IntoView {
    view! {
        <Backups />
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Filter {
    start: String,
    end: String,
    mode: String,
    status: String,
    level: String,
    page: u32,
    size: u32,
}

fn job_label(stage: &str) -> &str {
    match stage {
        "NoStart" => "not started",
        "Preparing" => "preparing",
        "Waiting" => "waiting",
        "Uploading" => "uploading",
        "Checking" => "checking",
        "Finished" => "finished",
        other => other,
    }
}

fn retention_days_label(v: &str) -> String {
    match v.trim() {
        "-1" => "kept for ever".into(),
        "0" => "off".into(),
        "" => "—".into(),
        n => format!("{n} days"),
    }
}

#[component]
fn Backups() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;

    let target = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| (d.account, d.region, d.attr.db_cluster_id))
    };
    let cluster_status = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| d.attr.db_cluster_status)
            .unwrap_or_default()
    };

    // Filters as typed, and as applied.
    let f_start = RwSignal::new(String::new());
    let f_end = RwSignal::new(String::new());
    let f_mode = RwSignal::new(String::new());
    let f_status = RwSignal::new(String::new());
    let f_level = RwSignal::new(String::new());
    let f_size = RwSignal::new(30u32);
    let filter = RwSignal::new(Filter {
        start: String::new(),
        end: String::new(),
        mode: String::new(),
        status: String::new(),
        level: String::new(),
        page: 1,
        size: 30,
    });
    let reload = RwSignal::new(0u32);
    let backups = Resource::new(
        move || (ctx.scope.get(), filter.get(), reload.get()),
        |(t, f, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => {
                    list_backups(a, r, c, f.start, f.end, f.mode, f.status, f.page, f.size).await
                }
                Err(e) => Err(e),
            })
        },
    );
    let log_page = RwSignal::new(1u32);
    let logs = Resource::new(
        move || {
            (
                ctx.scope.get(),
                filter.with(|f| (f.start.clone(), f.end.clone())),
                log_page.get(),
            )
        },
        |(t, (s, e), page)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => list_backup_logs(a, r, c, s, e, page).await,
                Err(e) => Err(e),
            })
        },
    );

    // Manual backups: the job followed, and the jobs in progress.
    let create = ServerAction::<CreateBackup>::new();
    let followed = RwSignal::new(None::<String>);
    let jobs_tick = RwSignal::new(0u32);
    let jobs = Resource::new(
        move || (ctx.scope.get(), followed.get(), jobs_tick.get()),
        |(t, job, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => backup_tasks(a, r, c, job.unwrap_or_default()).await,
                Err(e) => Err(e),
            })
        },
    );
    let completed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(job)) = create.value().get() {
            completed.set(None);
            followed.set(Some(job));
        }
    });
    // A followed job that reached Finished: the new backup is in the list.
    Effect::new(move |_| {
        let Some(Some(Ok(list))) = jobs.get() else {
            return;
        };
        if let Some(id) = followed.get_untracked() {
            if list
                .iter()
                .any(|j| j.backup_job_id == id && j.backup_progress_status == "Finished")
            {
                followed.set(None);
                completed.set(Some(id));
                reload.update(|n| *n += 1);
            }
        }
    });
    let job_running = move || {
        followed.get().is_some()
            || matches!(jobs.get(), Some(Some(Ok(list))) if list.iter().any(|j| j.backup_progress_status != "Finished"))
    };
    // Re-read the jobs while one runs.
    Effect::new(move |_| {
        hydrated.set(true);
        let tick = move || {
            let busy = followed.get_untracked().is_some()
                || matches!(jobs.get_untracked(), Some(Some(Ok(list))) if list.iter().any(|j| j.backup_progress_status != "Finished"));
            if busy {
                jobs_tick.update(|n| *n += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, POLL) {
            on_cleanup(move || handle.clear());
        }
    });

    // Deletion.
    let delete = ServerAction::<DeleteBackup>::new();
    let confirm = RwSignal::new(None::<Backup>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = delete.value().get() {
            confirm.set(None);
            reload.update(|n| *n += 1);
        }
    });

    let filter_problem = move || range_problem(&f_start.get(), &f_end.get());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if filter_problem().is_some() {
            return;
        }
        log_page.set(1);
        filter.set(Filter {
            start: f_start.get_untracked(),
            end: f_end.get_untracked(),
            mode: f_mode.get_untracked(),
            status: f_status.get_untracked(),
            level: f_level.get_untracked(),
            page: 1,
            size: f_size.get_untracked(),
        });
    };
    let start_backup = move |_| {
        let Some((account, region, cluster)) = target() else {
            return;
        };
        completed.set(None);
        create.dispatch(CreateBackup {
            account,
            region,
            cluster,
        });
    };

    let body = move || {
        view! {
            <section class="panel" data-testid="backup-actions">
                <div class="toolbar">
                    <h2>"Backups"</h2>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let Some(Ok(p)) = backups.await else { return ().into_any() };
                            if !p.allowed.iter().any(|a| a == "CreateBackup") {
                                return ().into_any();
                            }
                            let manual = p.manual;
                            view! {
                                <div class="toolbar-actions">
                                    {move || create_refusal(&cluster_status(), manual, job_running()).map(|r| view! {
                                        <span class="refusal" data-testid="create-refused" role="note">{r}</span>
                                    })}
                                    <button type="button" class="small primary-small" data-testid="create-backup"
                                        disabled=move || !hydrated.get() || create.pending().get()
                                            || create_refusal(&cluster_status(), manual, job_running()).is_some()
                                        on:click=start_backup>
                                        {move || if create.pending().get() { "Starting…" } else { "Back up now" }}
                                    </button>
                                </div>
                            }.into_any()
                        })}
                    </Transition>
                </div>
                {change_error(create.value())}
                {move || completed.get().map(|id| view! {
                    <div class="banner banner-ok" role="status" data-testid="backup-completed">
                        {format!("Manual backup {id} completed; it is in the list below.")}
                    </div>
                })}
                {move || match jobs.get() {
                    Some(Some(Ok(list))) if !list.is_empty() => view! {
                        <ul class="job-list" data-testid="backup-jobs">
                            {list.into_iter().map(|j| {
                                let pct = j.process.parse::<u32>().unwrap_or(0).min(100);
                                view! {
                                    <li data-job-id=j.backup_job_id.clone() data-stage=j.backup_progress_status.clone()>
                                        <span class="mono">{format!("Job {}", j.backup_job_id)}</span>
                                        <span>{format!(" · {} ({}) · {}", if j.job_mode == "Manual" { "manual" } else { "automatic" }, j.task_action, job_label(&j.backup_progress_status))}</span>
                                        <progress max="100" value=pct.to_string() aria-label="Backup progress"></progress>
                                        <span data-testid="job-percent">{format!("{pct}%")}</span>
                                        <span class="muted">{format!(" · started {}", human_time(&j.start_time))}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Some(Some(Err(e))) => view! { <ErrorBox error=e /> }.into_any(),
                    _ => ().into_any(),
                }}

                <form class="filters" data-testid="backup-filters" on:submit=apply>
                    <label>"From (UTC)"
                        <input type="datetime-local" data-testid="filter-start" prop:value=move || f_start.get()
                            on:input=move |ev| f_start.set(event_target_value(&ev)) />
                    </label>
                    <label>"To (UTC)"
                        <input type="datetime-local" data-testid="filter-end" prop:value=move || f_end.get()
                            on:input=move |ev| f_end.set(event_target_value(&ev)) />
                    </label>
                    <label>"Mode"
                        <select data-testid="filter-mode" on:change=move |ev| f_mode.set(event_target_value(&ev))>
                            <option value="">"Any"</option>
                            <option value="Automated">"Automatic"</option>
                            <option value="Manual">"Manual"</option>
                        </select>
                    </label>
                    <label>"Status"
                        <select data-testid="filter-status" on:change=move |ev| f_status.set(event_target_value(&ev))>
                            <option value="">"Any"</option>
                            <option value="Success">"Completed"</option>
                            <option value="Failed">"Failed"</option>
                        </select>
                    </label>
                    <label>"Level"
                        <select data-testid="filter-level" on:change=move |ev| f_level.set(event_target_value(&ev))>
                            <option value="">"Any"</option>
                            <option value="Level-1">"Level 1"</option>
                            <option value="Level-2">"Level 2"</option>
                        </select>
                    </label>
                    <label>"Per page"
                        <select on:change=move |ev| f_size.set(event_target_value(&ev).parse().unwrap_or(30))>
                            {PAGE_SIZES.iter().map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="small" data-testid="apply-filters" disabled=move || !hydrated.get() || filter_problem().is_some()>"Apply"</button>
                    <p class="field-hint">
                        {move || match filter_problem() {
                            Some(p) => view! { <span class="field-error" data-testid="filter-problem">{format!("Time range: {p}.")}</span> }.into_any(),
                            None => view! { <span class="muted">"Empty dates: the last 30 days. Every backup is a full snapshot (type FullBackup, method Snapshot); the API filters by mode and status, the level is filtered here."</span> }.into_any(),
                        }}
                    </p>
                </form>

                <Transition fallback=|| view! { <Loading label="Reading the backups…" /> }>
                    {move || Suspend::new(async move {
                        let p = match backups.await {
                            None => return view! { <Loading label="Reading the cluster…" /> }.into_any(),
                            Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(p)) => p,
                        };
                        let level = filter.get_untracked().level;
                        let can_delete = p.allowed.iter().any(|a| a == "DeleteBackup");
                        let status = cluster_status();
                        let successful = p.successful;
                        let rows: Vec<Backup> = p.items.iter().filter(|b| level.is_empty() || b.backups_level == level).cloned().collect();
                        let shown = rows.len();
                        let pages = p.total.div_ceil(p.size).max(1);
                        let page = p.page;
                        let body = if rows.is_empty() {
                            view! { <Empty title="No backups in this range." hint="Change the time range or the filters." /> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="grid" data-testid="backup-table">
                                        <thead><tr>
                                            <th>"Backup"</th><th>"Started"</th><th>"Finished"</th><th>"Mode"</th>
                                            <th>"Type · method"</th><th>"Level"</th><th class="num">"Size"</th><th>"Status"</th><th>"Expires"</th><th></th>
                                        </tr></thead>
                                        <tbody>
                                            {rows.into_iter().map(|b| {
                                                let refusal = delete_refusal(&b, &status, successful);
                                                let size = b.backup_set_size.parse::<i64>().map(human_bytes).unwrap_or_else(|_| b.backup_set_size.clone());
                                                let b2 = b.clone();
                                                view! {
                                                    <tr data-backup-id=b.backup_id.clone() data-mode=b.backup_mode.clone() data-status=b.backup_status.clone()>
                                                        <td class="mono">{b.backup_id.clone()}</td>
                                                        <td class="mono nowrap">{human_time(&b.backup_start_time)}</td>
                                                        <td class="mono nowrap">{human_time(&b.backup_end_time)}</td>
                                                        <td>{if b.backup_mode == "Manual" { "Manual" } else { "Automatic" }}</td>
                                                        <td class="muted">{format!("{} · {}", b.backup_type, b.backup_method)}</td>
                                                        <td>{b.backups_level.clone()}</td>
                                                        <td class="num" data-testid="backup-size" title=format!("{} bytes", b.backup_set_size)>{size}</td>
                                                        <td><StatusBadge status=b.backup_status.clone() />{(b.is_avail == "0").then(|| view! { <span class="muted">" unavailable"</span> })}</td>
                                                        <td class="mono nowrap">{if b.expect_expire_type == "NEVER" || b.expect_expire_time.is_empty() { "never".to_string() } else { human_time(&b.expect_expire_time) }}</td>
                                                        <td>
                                                            {can_delete.then(|| match refusal.clone() {
                                                                Some(r) => view! { <span class="muted small-print" data-testid="delete-refused">{r}</span> }.into_any(),
                                                                None => view! {
                                                                    <button type="button" class="small danger" data-testid="delete-backup"
                                                                        disabled=move || !hydrated.get()
                                                                        on:click={
                                                                            let b = b2.clone();
                                                                            move |_| { delete.value().set(None); confirm.set(Some(b.clone())); }
                                                                        }>"Delete"</button>
                                                                }.into_any(),
                                                            })}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        };
                        view! {
                            <p class="muted small-print" data-testid="backup-summary">
                                {format!("{} to {} (UTC): {} backup{}{}; manual backups {} of {MAX_MANUAL}; level-2 backups take {}.",
                                    p.start, p.end, p.total, if p.total == 1 { "" } else { "s" },
                                    if shown as u32 != p.items.len() as u32 { format!(" ({shown} of level {level} on this page)") } else { String::new() },
                                    p.manual, human_bytes(p.level2_size))}
                            </p>
                            {body}
                            {(pages > 1).then(|| view! {
                                <nav class="pager" aria-label="Backup pages">
                                    <button type="button" class="small" disabled=page <= 1 on:click=move |_| filter.update(|f| f.page = page - 1)>"← Previous"</button>
                                    <span>{format!("Page {page} of {pages}")}</span>
                                    <button type="button" class="small" disabled=page >= pages on:click=move |_| filter.update(|f| f.page = page + 1)>"Next →"</button>
                                </nav>
                            })}
                            <p class="muted small-print">"Deleting a backup frees much less space than its size: snapshots share data blocks (14.2). Only manual backups can be deleted, when completed and while the cluster is Running."</p>
                        }.into_any()
                    })}
                </Transition>
            </section>

            <Policies />

            <section class="panel" data-testid="backup-logs">
                <h2>"Backup logs"</h2>
                <Transition fallback=|| view! { <Loading label="Reading the backup logs…" /> }>
                    {move || Suspend::new(async move {
                        let l = match logs.await {
                            None => return view! { <Loading /> }.into_any(),
                            Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(l)) => l,
                        };
                        if l.items.is_empty() {
                            return view! { <Empty title="No backup logs in this range." /> }.into_any();
                        }
                        let pages = l.total.div_ceil(l.size).max(1);
                        let page = l.page;
                        view! {
                            <p class="muted small-print">{format!("{} log files (same time range as the backups). Download links expire; the intranet link works from the cluster's region only.", l.total)}</p>
                            <div class="table-wrap">
                                <table class="grid" data-testid="log-table">
                                    <thead><tr><th>"File"</th><th>"From"</th><th>"To"</th><th class="num">"Size"</th><th>"Download"</th><th>"Links expire"</th></tr></thead>
                                    <tbody>
                                        {l.items.into_iter().map(|g| view! {
                                            <tr data-log-id=g.backup_log_id.clone()>
                                                <td class="mono">{g.backup_log_name.clone()}</td>
                                                <td class="mono nowrap">{human_time(&g.backup_log_start_time)}</td>
                                                <td class="mono nowrap">{human_time(&g.backup_log_end_time)}</td>
                                                <td class="num">{g.backup_log_size.parse::<i64>().map(human_bytes).unwrap_or_default()}</td>
                                                <td class="nowrap">
                                                    <a href=g.download_link.clone() rel="noopener noreferrer" data-testid="log-download">"Internet"</a>
                                                    " · "
                                                    <a href=g.intranet_download_link.clone() rel="noopener noreferrer">"Intranet"</a>
                                                </td>
                                                <td class="mono nowrap">{human_time(&g.link_expired_time)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(pages > 1).then(|| view! {
                                <nav class="pager" aria-label="Backup log pages">
                                    <button type="button" class="small" disabled=page <= 1 on:click=move |_| log_page.set(page - 1)>"← Previous"</button>
                                    <span>{format!("Page {page} of {pages}")}</span>
                                    <button type="button" class="small" disabled=page >= pages on:click=move |_| log_page.set(page + 1)>"Next →"</button>
                                </nav>
                            })}
                        }.into_any()
                    })}
                </Transition>
            </section>

            {move || confirm.get().map(|b| {
                let size = b.backup_set_size.parse::<i64>().map(human_bytes).unwrap_or_default();
                let id = b.backup_id.clone();
                let send = move || {
                    let Some((account, region, cluster)) = target() else { return };
                    delete.dispatch(DeleteBackup { account, region, cluster, backup: id.clone(), confirm: id.clone() });
                };
                view! {
                    <ConfirmDialog title_id="backup-delete-title" title=format!("Delete backup {}?", b.backup_id) testid="delete-backup-dialog"
                        on_close=move || confirm.set(None) on_confirm=send pending=delete.pending() button="Delete backup"
                        sending="Deleting…" cancel_testid="cancel-delete-backup" confirm_testid="confirm-delete-backup">
                        <p>{format!("The manual backup taken {} ({size}) is deleted for good; the cluster can no longer be restored to that point from it. The space freed is much smaller than its size, since snapshots share data blocks.", human_time(&b.backup_start_time))}</p>
                        {change_error(delete.value())}
                    </ConfirmDialog>
                }
            })}
        }
    };
    view! {
        <Transition fallback=|| view! { <Loading label="Reading the cluster…" /> }>
            {move || Suspend::new(async move {
                // Rendered once the cluster is read, on the server and in the browser alike.
                match data.await {
                    Ok(_) => body().into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The two policy forms.
#[component]
fn Policies() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let target = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| (d.account, d.region, d.attr.db_cluster_id))
    };
    let reload = RwSignal::new(0u32);
    let policies = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(t, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => backup_policies(a, r, c).await,
                Err(e) => Err(e),
            })
        },
    );
    let allowed = Resource::new(
        move || ctx.scope.get(),
        |t| async move {
            match resolve(t).await {
                Ok((a, r, c)) => crate::api::permissions(
                    a,
                    r,
                    Some(c),
                    vec![
                        "polardb:ModifyBackupPolicy".into(),
                        "polardb:ModifyLogBackupPolicy".into(),
                    ],
                )
                .await
                .unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        },
    );
    let save = ServerAction::<SaveBackupPolicy>::new();
    let save_log = ServerAction::<SaveLogBackupPolicy>::new();
    let form = RwSignal::new(None::<PolicyForm>);
    let log_form = RwSignal::new(None::<LogPolicyForm>);
    let saved = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.set(None);
            saved.set(Some("Backup policy saved."));
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_log.value().get() {
            log_form.set(None);
            saved.set(Some("Log-backup policy saved."));
            reload.update(|n| *n += 1);
        }
    });
    let region = move || target().map(|t| t.1).unwrap_or_default();
    let problems = move || {
        form.get()
            .map(|f| policy_problems(&f, &region()))
            .unwrap_or_default()
    };
    let log_problems = move || {
        log_form
            .get()
            .map(|f| log_policy_problems(&f, &region()))
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some((account, region, cluster)), Some(f)) = (target(), form.get_untracked()) else {
            return;
        };
        if !problems().is_empty() {
            return;
        }
        save.dispatch(SaveBackupPolicy {
            account,
            region,
            cluster,
            form: f,
        });
    };
    let submit_log = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some((account, region, cluster)), Some(f)) = (target(), log_form.get_untracked())
        else {
            return;
        };
        if !log_problems().is_empty() {
            return;
        }
        save_log.dispatch(SaveLogBackupPolicy {
            account,
            region,
            cluster,
            form: f,
        });
    };
    let edit = move |f: fn(&mut PolicyForm, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            form.update(|x| {
                if let Some(x) = x {
                    f(x, v)
                }
            })
        }
    };
    let edit_log = move |f: fn(&mut LogPolicyForm, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            log_form.update(|x| {
                if let Some(x) = x {
                    f(x, v)
                }
            })
        }
    };
    let day_boxes = move |level2: bool| {
        WEEKDAYS
            .iter()
            .map(|d| {
                let d = *d;
                let checked = move || {
                    form.with(|f| {
                        f.as_ref().is_some_and(|f| {
                            let list = if level2 { &f.data_level2_period } else { &f.preferred_backup_period };
                            list.iter().any(|x| x == d)
                        })
                    })
                };
                view! {
                    <label class="day">
                        <input type="checkbox" data-day=d data-level=if level2 { "2" } else { "1" }
                            prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.update(|f| if let Some(f) = f {
                                    let list = if level2 { &mut f.data_level2_period } else { &mut f.preferred_backup_period };
                                    list.retain(|x| x != d);
                                    if on { list.push(d.to_string()); }
                                });
                            } />
                        {&d[..3]}
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <section class="panel" data-testid="backup-policy">
            <h2>"Backup policy"</h2>
            {move || saved.get().map(|s| view! { <div class="banner banner-ok" role="status" data-testid="policy-saved">{s}</div> })}
            <Transition fallback=|| view! { <Loading label="Reading the backup policy…" /> }>
                {move || Suspend::new(async move {
                    let p = match policies.await {
                        None => return view! { <Loading /> }.into_any(),
                        Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                        Some(Ok(p)) => p,
                    };
                    let allowed = allowed.await;
                    let can = allowed.iter().any(|a| a == "polardb:ModifyBackupPolicy");
                    let can_log = allowed.iter().any(|a| a == "polardb:ModifyLogBackupPolicy");
                    let d = p.data.clone();
                    let l = p.log.clone();
                    let start_form = PolicyForm::from_policy(&d);
                    let start_log = LogPolicyForm {
                        retention: l.log_backup_retention_period.to_string(),
                        region: l.log_backup_another_region_region.clone(),
                        region_retention: if l.log_backup_another_region_retention_period.is_empty() { "0".into() } else { l.log_backup_another_region_retention_period.clone() },
                    };
                    let freq = FREQUENCIES.iter().find(|(v, _)| *v == d.backup_frequency).map(|(_, l)| l.to_string()).unwrap_or(d.backup_frequency.clone());
                    view! {
                        <dl class="kv" data-testid="policy-view">
                            <dt>"Backup days"</dt><dd data-testid="policy-period">{d.preferred_backup_period.replace(',', ", ")}</dd>
                            <dt>"Backup window (UTC)"</dt><dd class="mono" data-testid="policy-time">{d.preferred_backup_time.clone()}</dd>
                            <dt>"Frequency"</dt><dd data-testid="policy-frequency">{freq}</dd>
                            <dt>"Next backup"</dt><dd class="mono">{human_time(&d.preferred_next_backup_time)}</dd>
                            <dt>"Level-1 backups kept"</dt><dd data-testid="policy-level1">{retention_days_label(&d.data_level1_backup_retention_period)}</dd>
                            <dt>"Level-2 backups"</dt><dd data-testid="policy-level2">{format!("{} · {}", if d.data_level2_backup_period.is_empty() { "no days".to_string() } else { d.data_level2_backup_period.replace(',', ", ") }, retention_days_label(&d.data_level2_backup_retention_period))}</dd>
                            <dt>"Cross-region level-2 copy"</dt><dd>{if d.data_level2_backup_another_region_region.is_empty() { "off".to_string() } else { format!("{} · {}", d.data_level2_backup_another_region_region, retention_days_label(&d.data_level2_backup_another_region_retention_period)) }}</dd>
                            <dt>"Backups after cluster deletion"</dt><dd data-testid="policy-on-deletion">{d.backup_retention_policy_on_cluster_deletion.clone()}</dd>
                        </dl>
                        {can.then(|| view! {
                            <button type="button" class="small" data-testid="edit-policy" disabled=move || !hydrated.get()
                                on:click={ let f = start_form.clone(); move |_| { save.value().set(None); saved.set(None); form.set(Some(f.clone())); } }>"Edit backup policy"</button>
                        })}
                        <h3 class="subhead">"Log backups"</h3>
                        <dl class="kv" data-testid="log-policy-view">
                            <dt>"Log backups"</dt><dd>{if l.enable_backup_log == 1 { "on" } else { "off" }}</dd>
                            <dt>"Kept"</dt><dd data-testid="log-policy-retention">{retention_days_label(&l.log_backup_retention_period.to_string())}</dd>
                            <dt>"Cross-region copy"</dt><dd>{if l.log_backup_another_region_region.is_empty() { "off".to_string() } else { format!("{} · {}", l.log_backup_another_region_region, retention_days_label(&l.log_backup_another_region_retention_period)) }}</dd>
                        </dl>
                        {can_log.then(|| view! {
                            <button type="button" class="small" data-testid="edit-log-policy" disabled=move || !hydrated.get()
                                on:click={ let f = start_log.clone(); move |_| { save_log.value().set(None); saved.set(None); log_form.set(Some(f.clone())); } }>"Edit log-backup policy"</button>
                        })}
                    }.into_any()
                })}
            </Transition>

            {move || form.get().is_some().then(|| {
                let cur = form.get_untracked().unwrap_or_default();
                view! {
                    <form class="stack-form policy-form" data-testid="policy-form" on:submit=submit>
                        <fieldset>
                            <legend>"Backup days (at least two)"</legend>
                            <div class="days" data-testid="policy-days">{day_boxes(false)}</div>
                        </fieldset>
                        <label>
                            <span>"Backup window (UTC, one hour)"</span>
                            <select data-testid="policy-window" on:change=edit(|f, v| f.preferred_backup_time = v)>
                                {backup_windows().into_iter().map(|w| {
                                    let sel = w == cur.preferred_backup_time;
                                    view! { <option value=w.clone() selected=sel>{w.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>"Frequency"</span>
                            <select data-testid="policy-frequency-select" on:change=edit(|f, v| f.backup_frequency = v)>
                                {FREQUENCIES.iter().map(|(v, l)| view! { <option value=*v selected=*v == cur.backup_frequency>{format!("{l} ({v})")}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>"Level-1 backups kept (3–14 days)"</span>
                            <input type="number" min="3" max="14" data-testid="policy-level1-input" prop:value=cur.data_level1_retention.clone()
                                on:input=edit(|f, v| f.data_level1_retention = v) />
                        </label>
                        <fieldset>
                            <legend>"Level-2 backup days"</legend>
                            <div class="days">{day_boxes(true)}</div>
                        </fieldset>
                        <label>
                            <span>"Level-2 backups kept (30–7300 days, -1 for ever, 0 off)"</span>
                            <input type="number" min="-1" max="7300" data-testid="policy-level2-input" prop:value=cur.data_level2_retention.clone()
                                on:input=edit(|f, v| f.data_level2_retention = v) />
                        </label>
                        <label>
                            <span>"Cross-region copy of level-2 backups (region ID, empty for none)"</span>
                            <input type="text" class="mono" prop:value=cur.data_level2_region.clone() on:input=edit(|f, v| f.data_level2_region = v) />
                        </label>
                        <label>
                            <span>"Cross-region copies kept (30–7300 days or -1)"</span>
                            <input type="number" min="-1" max="7300" prop:value=cur.data_level2_region_retention.clone() on:input=edit(|f, v| f.data_level2_region_retention = v) />
                        </label>
                        <label>
                            <span>"Backups after cluster deletion"</span>
                            <select data-testid="policy-deletion-select" on:change=edit(|f, v| f.retention_on_deletion = v)>
                                {[("ALL", "Keep all backups"), ("LATEST", "Keep the last backup"), ("NONE", "Delete all backups")].into_iter().map(|(v, l)| view! {
                                    <option value=v selected=v == cur.retention_on_deletion>{format!("{l} ({v})")}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <ul class="field-hint" data-testid="policy-problems">
                            {move || problems().into_iter().map(|(f, p)| view! { <li class="field-error">{format!("{f}: {p}.")}</li> }).collect_view()}
                        </ul>
                        {change_error(save.value())}
                        <div class="modal-actions">
                            <button type="button" class="small" on:click=move |_| form.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="save-policy"
                                disabled=move || !problems().is_empty() || save.pending().get()>
                                {move || if save.pending().get() { "Saving…" } else { "Save policy" }}
                            </button>
                        </div>
                    </form>
                }
            })}

            {move || log_form.get().is_some().then(|| {
                let cur = log_form.get_untracked().unwrap_or_default();
                view! {
                    <form class="stack-form policy-form" data-testid="log-policy-form" on:submit=submit_log>
                        <label>
                            <span>"Log backups kept (3–7300 days, or -1 for ever)"</span>
                            <input type="number" min="-1" max="7300" data-testid="log-retention-input" prop:value=cur.retention.clone()
                                on:input=edit_log(|f, v| f.retention = v) />
                        </label>
                        <label>
                            <span>"Cross-region copy (region ID, empty for none)"</span>
                            <input type="text" class="mono" prop:value=cur.region.clone() on:input=edit_log(|f, v| f.region = v) />
                        </label>
                        <label>
                            <span>"Cross-region copies kept (30–7300 days, -1 for ever, 0 off)"</span>
                            <input type="number" min="-1" max="7300" prop:value=cur.region_retention.clone() on:input=edit_log(|f, v| f.region_retention = v) />
                        </label>
                        <ul class="field-hint" data-testid="log-policy-problems">
                            {move || log_problems().into_iter().map(|(f, p)| view! { <li class="field-error">{format!("{f}: {p}.")}</li> }).collect_view()}
                        </ul>
                        {change_error(save_log.value())}
                        <div class="modal-actions">
                            <button type="button" class="small" on:click=move |_| log_form.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="save-log-policy"
                                disabled=move || !log_problems().is_empty() || save_log.pending().get()>
                                {move || if save_log.pending().get() { "Saving…" } else { "Save log-backup policy" }}
                            </button>
                        </div>
                    </form>
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(mode: &str, status: &str) -> Backup {
        Backup {
            backup_id: "1".into(),
            backup_mode: mode.into(),
            backup_status: status.into(),
            store_status: if mode == "Manual" {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn only_completed_manual_backups_of_a_running_cluster_are_deleted() {
        assert_eq!(
            delete_refusal(&backup("Manual", "Success"), "Running", 5),
            None
        );
        assert!(
            delete_refusal(&backup("Automated", "Success"), "Running", 5)
                .unwrap()
                .contains("Automatic")
        );
        assert!(delete_refusal(&backup("Manual", "Failed"), "Running", 5)
            .unwrap()
            .contains("completed"));
        assert!(delete_refusal(&backup("Manual", "Success"), "Rebooting", 5)
            .unwrap()
            .contains("Running"));
        assert!(delete_refusal(&backup("Manual", "Success"), "Running", 1)
            .unwrap()
            .contains("only"));
    }

    #[test]
    fn manual_backups_are_limited() {
        assert_eq!(create_refusal("Running", 2, false), None);
        assert!(create_refusal("Running", 3, false)
            .unwrap()
            .contains("at most 3"));
        assert!(create_refusal("Creating", 0, false).is_some());
        assert!(create_refusal("Running", 0, true).is_some());
    }

    #[test]
    fn ranges_are_checked_and_defaulted() {
        assert_eq!(range_problem("", ""), None);
        assert_eq!(range_problem("2026-01-01T00:00", "2026-01-02T00:00"), None);
        assert!(range_problem("2026-01-02T00:00", "2026-01-01T00:00")
            .unwrap()
            .contains("later"));
        assert!(range_problem("soon", "").unwrap().contains("start"));
        let now = parse_minute("2026-03-10T12:00Z").unwrap() + 30_000;
        assert_eq!(
            query_range("", "", now),
            (
                "2026-02-08T12:02Z".to_string(),
                "2026-03-10T12:02Z".to_string()
            )
        );
        assert_eq!(
            query_range("2026-01-01T00:00", "2026-01-02T00:00", now),
            (
                "2026-01-01T00:00Z".to_string(),
                "2026-01-02T00:00Z".to_string()
            )
        );
    }

    #[test]
    fn policies_follow_the_rules() {
        let good = PolicyForm {
            preferred_backup_period: vec!["Monday".into(), "Friday".into()],
            preferred_backup_time: "02:00Z-03:00Z".into(),
            backup_frequency: "Normal".into(),
            data_level1_retention: "7".into(),
            data_level2_period: vec![],
            data_level2_retention: "0".into(),
            data_level2_region: String::new(),
            data_level2_region_retention: "0".into(),
            retention_on_deletion: "LATEST".into(),
        };
        assert!(policy_problems(&good, "cn-hangzhou").is_empty());
        let bad = |f: fn(&mut PolicyForm)| {
            let mut x = good.clone();
            f(&mut x);
            policy_problems(&x, "cn-hangzhou")
        };
        assert_eq!(
            bad(|f| f.preferred_backup_period.truncate(1))[0].0,
            "Backup days"
        );
        assert_eq!(
            bad(|f| f.preferred_backup_time = "02:30Z-03:30Z".into())[0].0,
            "Backup window"
        );
        assert_eq!(
            bad(|f| f.data_level1_retention = "15".into())[0].0,
            "Level-1 retention"
        );
        assert_eq!(
            bad(|f| f.data_level1_retention = "2".into())[0].0,
            "Level-1 retention"
        );
        assert_eq!(
            bad(|f| f.backup_frequency = "5/24H".into())[0].0,
            "Backup frequency"
        );
        assert_eq!(
            bad(|f| f.data_level2_retention = "29".into())[0].0,
            "Level-2 retention"
        );
        assert_eq!(
            bad(|f| f.data_level2_retention = "30".into())[0].0,
            "Level-2 days"
        );
        assert!(bad(|f| {
            f.data_level2_retention = "-1".into();
            f.data_level2_period = vec!["Sunday".into()];
        })
        .is_empty());
        assert_eq!(
            bad(|f| f.data_level2_region = "cn-hangzhou".into())[0].0,
            "Cross-region copy"
        );
        assert_eq!(
            bad(|f| f.data_level2_region = "cn-beijing".into())[0].0,
            "Cross-region retention"
        );
        assert_eq!(
            join_days(&["Friday".into(), "Monday".into()]),
            "Monday,Friday"
        );
        assert_eq!(backup_windows().len(), 24);
        assert_eq!(backup_windows()[23], "23:00Z-00:00Z");
    }

    #[test]
    fn log_policies_follow_the_rules() {
        let f = |r: &str, reg: &str, rr: &str| {
            log_policy_problems(
                &LogPolicyForm {
                    retention: r.into(),
                    region: reg.into(),
                    region_retention: rr.into(),
                },
                "cn-hangzhou",
            )
        };
        assert!(f("7", "", "0").is_empty());
        assert!(f("-1", "", "").is_empty());
        assert!(f("7300", "cn-beijing", "30").is_empty());
        assert_eq!(f("2", "", "0")[0].0, "Log retention");
        assert_eq!(f("7301", "", "0")[0].0, "Log retention");
        assert_eq!(f("7", "cn-beijing", "10")[0].0, "Cross-region retention");
        assert_eq!(f("7", "cn-hangzhou", "30")[0].0, "Cross-region copy");
    }
}
