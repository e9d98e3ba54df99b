//! `/clusters/:id/backups`: the cluster's backup sets (DescribeBackups, filtered by time
//! range, mode, status and level, with sizes), a manual backup (CreateBackup) followed
//! through its stages (DescribeBackupTasks) until it is done, deletion of a backup
//! (DeleteBackup) after a confirmation and only where the reference allows it, the backup
//! logs with their download links (DescribeBackupLogs), and the backup policy
//! (DescribeBackupPolicy / ModifyBackupPolicy) and log-backup policy
//! (DescribeLogBackupPolicy / ModifyLogBackupPolicy) as forms checked before sending.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::{resolve, ClusterCtx};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::kit::chart::{fmt_minute, parse_minute};
use crate::kit::{
    api_word_in, change_error, clone_href, human_bytes, human_time, ConfirmDialog, Empty, ErrorBox,
    Loading, StatusBadge, POLL,
};
use crate::AppError;

mod list;
mod policies;
mod server;
pub use list::*;
pub use policies::*;
pub use server::*;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// At most three manual backups may exist at a time (14.1).
pub const MAX_MANUAL: usize = 3;
/// Page sizes the list actions accept (14.3, 14.5).
pub const PAGE_SIZES: &[u32] = &[30, 50, 100];
pub use polardb::rules::WEEKDAYS;
/// BackupFrequency: once a day, or every 12, 8 or 6 hours (high-frequency backups).
pub const FREQUENCIES: &[&str] = &["Normal", "2/24H", "3/24H", "4/24H"];

/// A BackupFrequency in words; an unknown one as it is.
pub fn frequency_label(locale: Locale, code: &str) -> String {
    match code {
        "Normal" => td_string!(locale, cluster_data.freq_normal).to_string(),
        "2/24H" => td_string!(locale, cluster_data.freq_12h).to_string(),
        "3/24H" => td_string!(locale, cluster_data.freq_8h).to_string(),
        "4/24H" => td_string!(locale, cluster_data.freq_6h).to_string(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Rules, checked as the user types and again on the server.

/// What is wrong with a query range (`YYYY-MM-DDThh:mm`, UTC; 14.3, 14.5: the end later
/// than the start). Empty means the default.
pub fn range_problem(locale: Locale, start: &str, end: &str) -> Option<String> {
    let s = if start.trim().is_empty() {
        None
    } else {
        Some(
            parse_minute(start)
                .ok_or_else(|| td_string!(locale, cluster_data.range_start_format).to_string()),
        )
    };
    let e = if end.trim().is_empty() {
        None
    } else {
        Some(
            parse_minute(end)
                .ok_or_else(|| td_string!(locale, cluster_data.range_end_format).to_string()),
        )
    };
    match (s, e) {
        (Some(Err(p)), _) | (_, Some(Err(p))) => Some(p),
        (Some(Ok(s)), Some(Ok(e))) if e <= s => {
            Some(td_string!(locale, cluster_data.range_end_after_start).to_string())
        }
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
pub fn delete_refusal(
    locale: Locale,
    b: &Backup,
    cluster_status: &str,
    successful: usize,
) -> Option<String> {
    if b.backup_mode != "Manual" || b.store_status == "Disabled" {
        return Some(td_string!(locale, cluster_data.refuse_delete_automatic).to_string());
    }
    if b.backup_status != "Success" {
        return Some(
            td_string!(
                locale,
                cluster_data.refuse_delete_not_completed,
                status = api_word_in(locale, &b.backup_status)
            )
            .to_string(),
        );
    }
    if cluster_status != "Running" {
        return Some(
            td_string!(
                locale,
                cluster_data.refuse_delete_not_running,
                status = api_word_in(locale, cluster_status)
            )
            .to_string(),
        );
    }
    if successful <= 1 {
        return Some(td_string!(locale, cluster_data.refuse_delete_last).to_string());
    }
    None
}

/// Why a manual backup cannot be started now, or `None`.
pub fn create_refusal(
    locale: Locale,
    cluster_status: &str,
    manual: usize,
    job_running: bool,
) -> Option<String> {
    if cluster_status != "Running" {
        return Some(
            td_string!(
                locale,
                cluster_data.refuse_create_not_running,
                status = api_word_in(locale, cluster_status)
            )
            .to_string(),
        );
    }
    if job_running {
        return Some(td_string!(locale, cluster_data.refuse_create_in_progress).to_string());
    }
    if manual >= MAX_MANUAL {
        return Some(
            td_string!(
                locale,
                cluster_data.refuse_create_max_manual,
                max = MAX_MANUAL
            )
            .to_string(),
        );
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
fn retention_problem(locale: Locale, v: &str, lo: i64, hi: i64, zero_ok: bool) -> Option<String> {
    let Ok(n) = v.trim().parse::<i64>() else {
        return Some(
            td_string!(locale, cluster_data.retention_whole_days, lo = lo, hi = hi).to_string(),
        );
    };
    if n == -1 || (zero_ok && n == 0) || (lo..=hi).contains(&n) {
        None
    } else if zero_ok {
        Some(
            td_string!(
                locale,
                cluster_data.retention_range_or_off,
                lo = lo,
                hi = hi
            )
            .to_string(),
        )
    } else {
        Some(td_string!(locale, cluster_data.retention_range, lo = lo, hi = hi).to_string())
    }
}

/// A field of the policy forms (as [`policy_problems`] and [`log_policy_problems`] name
/// it) in words.
pub fn policy_field_label(locale: Locale, field: &str) -> String {
    match field {
        "Backup days" => td_string!(locale, cluster_data.field_backup_days).to_string(),
        "Backup window" => td_string!(locale, cluster_data.field_backup_window).to_string(),
        "Backup frequency" => td_string!(locale, cluster_data.field_backup_frequency).to_string(),
        "Level-1 retention" => td_string!(locale, cluster_data.field_level1_retention).to_string(),
        "Level-2 retention" => td_string!(locale, cluster_data.field_level2_retention).to_string(),
        "Cross-region copy" => td_string!(locale, cluster_data.cross_region_copy).to_string(),
        "Cross-region retention" => {
            td_string!(locale, cluster_data.field_cross_region_retention).to_string()
        }
        "Backups after deletion" => {
            td_string!(locale, cluster_data.field_after_deletion).to_string()
        }
        "Log retention" => td_string!(locale, cluster_data.field_log_retention).to_string(),
        other => other.to_string(),
    }
}

/// The backup policy form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub preferred_backup_period: Vec<String>,
    pub preferred_backup_time: String,
    pub backup_frequency: String,
    pub data_level1_retention: String,
    pub data_level2_retention: String,
    pub data_level2_region: String,
    pub data_level2_region_retention: String,
    pub retention_on_deletion: String,
}

impl PolicyForm {
    pub fn from_policy(p: &BackupPolicy) -> Self {
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
/// region). The SDK's ModifyBackupPolicy marks BackupPolicyLevel (advanced backup),
/// DataLevel1BackupFrequency, DataLevel1BackupPeriod, DataLevel1BackupTime and
/// DataLevel2BackupPeriod "not supported by PolarDB for PostgreSQL": the form has none of
/// them and says so.
pub fn policy_problems(
    locale: Locale,
    f: &PolicyForm,
    cluster_region: &str,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if f.preferred_backup_period.len() < 2 {
        out.push((
            "Backup days",
            td_string!(locale, cluster_data.problem_two_days).to_string(),
        ));
    }
    if !backup_windows().contains(&f.preferred_backup_time) {
        out.push((
            "Backup window",
            td_string!(locale, cluster_data.problem_window).to_string(),
        ));
    }
    if !FREQUENCIES.contains(&f.backup_frequency.as_str()) {
        out.push((
            "Backup frequency",
            td_string!(locale, cluster_data.problem_frequency).to_string(),
        ));
    }
    match f.data_level1_retention.trim().parse::<i64>() {
        Ok(n) if (3..=14).contains(&n) => {}
        _ => out.push((
            "Level-1 retention",
            td_string!(locale, cluster_data.problem_level1).to_string(),
        )),
    }
    if let Some(p) = retention_problem(locale, &f.data_level2_retention, 30, 7300, true) {
        out.push(("Level-2 retention", p));
    }
    let region = f.data_level2_region.trim();
    if !region.is_empty() {
        if region == cluster_region {
            out.push((
                "Cross-region copy",
                td_string!(locale, cluster_data.problem_other_region).to_string(),
            ));
        }
        if let Some(p) = retention_problem(locale, &f.data_level2_region_retention, 30, 7300, false)
        {
            out.push(("Cross-region retention", p));
        }
    }
    if !["ALL", "LATEST", "NONE"].contains(&f.retention_on_deletion.as_str()) {
        out.push((
            "Backups after deletion",
            td_string!(locale, cluster_data.problem_on_deletion).to_string(),
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
pub fn log_policy_problems(
    locale: Locale,
    f: &LogPolicyForm,
    cluster_region: &str,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(p) = retention_problem(locale, &f.retention, 3, 7300, false) {
        out.push(("Log retention", p));
    }
    let region = f.region.trim();
    if !region.is_empty() {
        if region == cluster_region {
            out.push((
                "Cross-region copy",
                td_string!(locale, cluster_data.problem_other_region).to_string(),
            ));
        }
        if let Some(p) = retention_problem(locale, &f.region_retention, 30, 7300, true) {
            out.push(("Cross-region retention", p));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// What the page receives: the fields it shows of the API's answers (same names), so the
// browser does not need the API models.

/// Copies the named fields of an API model into the page's DTO of the same field names.
#[cfg(feature = "ssr")]
macro_rules! dto_from {
    ($model:ty => $dto:ident { $($f:ident),* $(,)? }) => {
        impl From<$model> for $dto {
            fn from(m: $model) -> Self {
                $dto { $($f: m.$f),* }
            }
        }
    };
}

/// A backup set (DescribeBackups).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub backup_id: String,
    pub backup_start_time: String,
    pub backup_end_time: String,
    pub backup_method: String,
    pub backup_mode: String,
    pub backup_set_size: String,
    pub backup_status: String,
    pub backup_type: String,
    pub backups_level: String,
    pub expect_expire_time: String,
    pub expect_expire_type: String,
    pub is_avail: String,
    /// Whether the backup set can be deleted (`Enabled`) or not (`Disabled`).
    pub store_status: String,
}

#[cfg(feature = "ssr")]
dto_from!(polardb::models::Backup => Backup {
    backup_id, backup_start_time, backup_end_time, backup_method, backup_mode,
    backup_set_size, backup_status, backup_type, backups_level, expect_expire_time,
    expect_expire_type, is_avail, store_status,
});

/// A backup job in progress (DescribeBackupTasks).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupJob {
    pub backup_job_id: String,
    pub backup_progress_status: String,
    pub job_mode: String,
    pub process: String,
    pub start_time: String,
    pub task_action: String,
}

#[cfg(feature = "ssr")]
dto_from!(polardb::models::BackupJob => BackupJob {
    backup_job_id, backup_progress_status, job_mode, process, start_time, task_action,
});

/// A log backup and its download links (DescribeBackupLogs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupLog {
    pub backup_log_id: String,
    pub backup_log_name: String,
    pub backup_log_size: String,
    pub backup_log_start_time: String,
    pub backup_log_end_time: String,
    pub download_link: String,
    pub intranet_download_link: String,
    pub link_expired_time: String,
}

#[cfg(feature = "ssr")]
dto_from!(polardb::models::BackupLog => BackupLog {
    backup_log_id, backup_log_name, backup_log_size, backup_log_start_time,
    backup_log_end_time, download_link, intranet_download_link, link_expired_time,
});

/// The backup policy (DescribeBackupPolicy).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupPolicy {
    pub preferred_backup_period: String,
    pub preferred_backup_time: String,
    pub preferred_next_backup_time: String,
    pub backup_frequency: String,
    pub data_level1_backup_retention_period: String,
    pub data_level2_backup_period: String,
    pub data_level2_backup_retention_period: String,
    pub data_level2_backup_another_region_region: String,
    pub data_level2_backup_another_region_retention_period: String,
    pub backup_retention_policy_on_cluster_deletion: String,
}

#[cfg(feature = "ssr")]
dto_from!(polardb::models::DescribeBackupPolicyResponse => BackupPolicy {
    preferred_backup_period, preferred_backup_time, preferred_next_backup_time,
    backup_frequency, data_level1_backup_retention_period, data_level2_backup_period,
    data_level2_backup_retention_period, data_level2_backup_another_region_region,
    data_level2_backup_another_region_retention_period,
    backup_retention_policy_on_cluster_deletion,
});

/// The log-backup policy (DescribeLogBackupPolicy).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogBackupPolicy {
    pub enable_backup_log: i64,
    pub log_backup_retention_period: i64,
    pub log_backup_another_region_region: String,
    pub log_backup_another_region_retention_period: String,
}

#[cfg(feature = "ssr")]
dto_from!(polardb::models::DescribeLogBackupPolicyResponse => LogBackupPolicy {
    enable_backup_log, log_backup_retention_period, log_backup_another_region_region,
    log_backup_another_region_retention_period,
});

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
use crate::error::invalid;

#[cfg(feature = "ssr")]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(feature = "ssr")]
async fn describe_backups(
    api: &crate::call::Api,
    account: &str,
    region: &str,
    request: &polardb::models::DescribeBackups,
) -> Result<polardb::models::DescribeBackupsResponse, AppError> {
    api.call(account, region, request).await
}

/// One page of backup logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogPage {
    pub items: Vec<BackupLog>,
    pub total: u32,
    pub page: u32,
    pub size: u32,
}

#[cfg(test)]
mod tests;
