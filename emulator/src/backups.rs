//! Chapter 14 (backups, backup jobs, log backups, backups of released clusters) and the
//! backup policy actions.

use polardb::models as m;

use crate::handlers::Ctx;
use crate::state::{BackupJob, BackupSet, Cluster};
use crate::util::{
    check_hour_window, day_start, fmt_minute, fmt_time, hash64, ok, paginate, time_range, Fault,
    Res,
};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
use polardb::rules::WEEKDAYS;
/// At most three manual backups may exist at a time.
const MAX_MANUAL: usize = 3;

fn backup_view(cl: &Cluster, b: &BackupSet, retention_days: i64) -> m::Backup {
    let manual = b.mode == "Manual";
    m::Backup {
        backup_end_time: fmt_time(b.end_ms),
        backup_id: b.id.clone(),
        backup_method: "Snapshot".into(),
        backup_mode: b.mode.clone(),
        backup_set_size: b.size.to_string(),
        backup_start_time: fmt_time(b.start_ms),
        backup_status: b.status.clone(),
        backup_type: "FullBackup".into(),
        backups_level: b.level.clone(),
        comment: String::new(),
        consistent_time: (b.end_ms / 1000).to_string(),
        db_cluster_id: cl.id.clone(),
        expect_expire_time: if manual {
            String::new()
        } else {
            fmt_time(b.start_ms + retention_days * DAY)
        },
        expect_expire_type: if manual { "NEVER" } else { "EXPIRED" }.into(),
        is_avail: if b.status == "Success" { "1" } else { "0" }.into(),
        table_restore_meta_status: String::new(),
        store_status: if manual { "Enabled" } else { "Disabled" }.into(),
    }
}

/// CreateBackup: a manual snapshot; the job goes through its stages, then a backup set.
pub fn create(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let cl = &c.w.clusters[i];
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    if cl.backup_jobs.iter().any(|j| !j.done) {
        return Err(Fault::new(
            403,
            "OperationDenied.BackupJobExists",
            "You cannot perform this operation; a backup job exists.",
        ));
    }
    if cl.backups.iter().filter(|b| b.mode == "Manual").count() >= MAX_MANUAL {
        return Err(Fault::new(
            403,
            "OperationDenied.BackupNum",
            "Exceeding the daily backup times of this DB cluster.",
        ));
    }
    let job_id = c.w.next_number(1_000_000_000);
    c.w.clusters[i].backup_jobs.push(BackupJob {
        id: job_id.clone(),
        mode: "Manual".into(),
        started_ms: c.now,
        step_ms: c.speed,
        done: false,
    });
    ok(m::CreateBackupResponse {
        backup_job_id: job_id,
        request_id: String::new(),
    })
}

/// DeleteBackup: manual, successful backup sets; several ids separated by commas.
pub fn delete(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let ids: Vec<String> =
        c.p.required("BackupId")?
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    let cl = &c.w.clusters[i];
    for id in &ids {
        let Some(b) = cl.backups.iter().find(|b| &b.id == id) else {
            return Err(Fault::new(
                404,
                "InvalidBackupId.NotFound",
                "The BackupId provided does not exist in our records.",
            ));
        };
        if b.status != "Success" {
            return Err(Fault::new(
                403,
                "OperationDenied.BackupStatus",
                "The operation is not permitted due to status of backup.",
            ));
        }
        if b.mode != "Manual" {
            return Err(Fault::new(
                403,
                "OperationDenied.BackupMethod",
                "The operation is not permitted method of backup.",
            ));
        }
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    c.w.clusters[i].backups.retain(|b| !ids.contains(&b.id));
    ok(m::DeleteBackupResponse::default())
}

/// DescribeBackups.
pub fn describe(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let (start, end) = time_range(c.p)?;
    let id = c.p.opt("BackupId");
    let status = c.p.enum_opt("BackupStatus", &["Success", "Failed"])?;
    let mode = c.p.enum_opt("BackupMode", &["Automated", "Manual"])?;
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let retention: i64 = cl
        .backup_policy
        .data_level1_backup_retention_period
        .parse()
        .unwrap_or(7);
    let mut items: Vec<&BackupSet> = cl
        .backups
        .iter()
        .filter(|b| b.start_ms >= start && b.start_ms <= end)
        .filter(|b| id.is_none_or(|x| x == b.id))
        .filter(|b| status.is_none_or(|s| s == b.status))
        .filter(|b| mode.is_none_or(|s| s == b.mode))
        .collect();
    items.sort_by_key(|b| std::cmp::Reverse(b.start_ms));
    let total = items.len();
    let level2: i64 = cl
        .backups
        .iter()
        .filter(|b| b.level == "Level-2")
        .map(|b| b.size)
        .sum();
    let page: Vec<m::Backup> = paginate(items, size, number)
        .into_iter()
        .map(|b| backup_view(cl, b, retention))
        .collect();
    ok(m::DescribeBackupsResponse {
        page_number: number.to_string(),
        page_record_count: page.len().to_string(),
        items: m::BackupItems { backup: page },
        request_id: String::new(),
        total_level2_backup_size: level2.to_string(),
        total_record_count: total.to_string(),
    })
}

/// DescribeBackupTasks: the jobs in progress (or the one asked for).
pub fn describe_tasks(c: &mut Ctx) -> Res {
    let now = c.now;
    let cl = c.cluster()?;
    let id = c.p.opt("BackupJobId");
    let mode = c.p.enum_opt("BackupMode", &["Automated", "Manual"])?;
    let jobs = cl
        .backup_jobs
        .iter()
        .filter(|j| match id {
            Some(x) => x == j.id,
            None => !j.done && now < j.due_ms(),
        })
        .filter(|j| mode.is_none_or(|m| m == j.mode))
        .map(|j| {
            let (stage, percent) = j.progress(now);
            m::BackupJob {
                backup_job_id: j.id.clone(),
                backup_progress_status: stage.into(),
                job_mode: j.mode.clone(),
                process: percent.to_string(),
                start_time: fmt_time(j.started_ms),
                task_action: if j.mode == "Manual" {
                    "TempBackupTask"
                } else {
                    "NormalBackupTask"
                }
                .into(),
            }
        })
        .collect();
    ok(m::DescribeBackupTasksResponse {
        items: m::BackupJobItems { backup_job: jobs },
        request_id: String::new(),
    })
}

/// The whole hours `[h, h + 1h)` (as hour numbers) whose log backups exist within
/// `[start, end]` (ms): after the cluster was created, within the log retention period,
/// finished by `now`.
fn log_hours(cl: &Cluster, start: i64, end: i64, now: i64) -> std::ops::RangeInclusive<i64> {
    let retention = cl.log_backup_policy.retention_period;
    let created = crate::util::parse_time(&cl.create_time).unwrap_or(0);
    let mut from = start.max(created);
    if retention > 0 {
        from = from.max(now - retention * DAY);
    }
    let to = end.min(now);
    (from + HOUR - 1).div_euclid(HOUR)..=to.div_euclid(HOUR) - 1
}

/// When the log backup of hour `h` ends (ms): a little before the hour does.
fn log_end(cl: &Cluster, h: i64) -> i64 {
    let hash = hash64(&[&cl.id, &h.to_string()]);
    h * HOUR + HOUR - 1000 - (hash % 600) as i64 * 1000
}

/// The times (seconds, UTC) a clone of the cluster may take its data from, by the rule of
/// `polardb::rules::restorable_window`: its successful backups and its log backups.
pub fn restorable(cl: &Cluster, now: i64) -> Option<(i64, i64)> {
    let hours = log_hours(cl, 0, now, now);
    if hours.is_empty() {
        return None;
    }
    let ends: Vec<i64> = cl
        .backups
        .iter()
        .filter(|b| b.status == "Success")
        .map(|b| b.end_ms / 1000)
        .collect();
    polardb::rules::restorable_window(
        &ends,
        Some(hours.start() * HOUR / 1000),
        Some(log_end(cl, *hours.end()) / 1000),
    )
}

/// DescribeBackupLogs: hourly WAL archives within the log retention period.
pub fn describe_logs(c: &mut Ctx) -> Res {
    let now = c.now;
    let cl = c.cluster()?;
    let (start, end) = time_range(c.p)?;
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let hours: Vec<i64> = log_hours(cl, start, end, now).collect();
    let total = hours.len();
    let region = &cl.region_id;
    let items: Vec<m::BackupLog> = paginate(hours, size, number)
        .into_iter()
        .map(|h| {
            let begin = h * HOUR;
            let hash = hash64(&[&cl.id, &h.to_string()]);
            let name = format!("{:08X}{:08X}{:08X}", 1, (h >> 8) & 0xffff_ffff, h & 0xff);
            let link = format!(
                "http://polardb-backup-{region}.oss-{region}.aliyuncs.com/{}/wal/{name}?Expires={}",
                cl.id,
                (now + DAY) / 1000
            );
            m::BackupLog {
                backup_log_end_time: fmt_time(log_end(cl, h)),
                backup_log_id: (2_000_000_000 + (h as u64 % 1_000_000_000)).to_string(),
                backup_log_name: name,
                backup_log_size: (16_777_216 + (hash % 1_000_000_000) as i64).to_string(),
                backup_log_start_time: fmt_time(begin),
                download_link: link.clone(),
                intranet_download_link: link.replace(
                    &format!(".oss-{region}."),
                    &format!(".oss-{region}-internal."),
                ),
                link_expired_time: fmt_time(now + DAY),
            }
        })
        .collect();
    ok(m::DescribeBackupLogsResponse {
        page_number: number.to_string(),
        page_record_count: items.len().to_string(),
        items: m::BackupLogItems { backup_log: items },
        request_id: String::new(),
        total_record_count: total.to_string(),
    })
}

/// DescribeDetachedBackups: the kept backups of a released cluster.
pub fn describe_detached(c: &mut Ctx) -> Res {
    let id = c.p.required("DBClusterId")?.to_string();
    if c.w.cluster(&id).is_some() {
        return Err(Fault::busy());
    }
    let Some(gone) = c.w.deleted.iter().find(|d| d.cluster.id == id) else {
        return Err(Fault::cluster_not_found());
    };
    let (start, end) = time_range(c.p)?;
    let backup_id = c.p.opt("BackupId");
    let status = c.p.enum_opt("BackupStatus", &["Success", "Failed"])?;
    let mode = c.p.enum_opt("BackupMode", &["Automated", "Manual"])?;
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let items: Vec<m::DetachedBackup> = gone
        .cluster
        .backups
        .iter()
        .filter(|b| b.start_ms >= start && b.start_ms <= end)
        .filter(|b| backup_id.is_none_or(|x| x == b.id))
        .filter(|b| status.is_none_or(|s| s == b.status))
        .filter(|b| mode.is_none_or(|s| s == b.mode))
        .map(|b| m::DetachedBackup {
            backup_end_time: fmt_time(b.end_ms),
            backup_id: b.id.clone(),
            backup_method: "Snapshot".into(),
            backup_mode: b.mode.clone(),
            backup_set_size: b.size.to_string(),
            backup_start_time: fmt_time(b.start_ms),
            backup_status: b.status.clone(),
            backup_type: "FullBackup".into(),
            backups_level: b.level.clone(),
            consistent_time: (b.end_ms / 1000).to_string(),
            db_cluster_id: id.clone(),
            is_avail: "1".into(),
            store_status: "Enabled".into(),
        })
        .collect();
    let total = items.len();
    let page = paginate(items, size, number);
    ok(m::DescribeDetachedBackupsResponse {
        page_number: number.to_string(),
        page_record_count: page.len().to_string(),
        items: m::DetachedBackupItems { backup: page },
        request_id: String::new(),
        total_record_count: total.to_string(),
    })
}

fn with_backups(cl: &Cluster, deleted_time: Option<&str>) -> m::DBClusterWithBackups {
    m::DBClusterWithBackups {
        create_time: cl.create_time.clone(),
        db_cluster_description: cl.description.clone(),
        db_cluster_id: cl.id.clone(),
        db_cluster_network_type: "VPC".into(),
        db_cluster_status: cl.status.clone(),
        db_node_class: cl.class(),
        db_type: "PostgreSQL".into(),
        db_version: cl.db_version.clone(),
        deleted_time: deleted_time.unwrap_or_default().to_string(),
        deletion_lock: cl.deletion_lock as i64,
        engine: "POLARDB".into(),
        expire_time: cl.expire_time.clone(),
        expired: "false".into(),
        is_deleted: i64::from(deleted_time.is_some()),
        lock_mode: cl.lock_mode.clone(),
        pay_type: cl.pay_type.clone(),
        region_id: cl.region_id.clone(),
        vpc_id: cl.vpc_id.clone(),
        zone_id: cl.zone_id.clone(),
    }
}

/// DescribeDBClustersWithBackups: live clusters with backups, and released ones that kept
/// theirs.
pub fn describe_clusters_with_backups(c: &mut Ctx) -> Res {
    let region = c.p.required("RegionId")?.to_string();
    if c.w.region(&region).is_none() {
        return Err(Fault::region_not_found());
    }
    let ids: Option<Vec<&str>> =
        c.p.opt("DBClusterIds")
            .map(|s| s.split(',').map(str::trim).collect());
    let desc = c.p.opt("DBClusterDescription");
    let db_type = c.p.enum_opt("DBType", &["MySQL", "PostgreSQL", "Oracle"])?;
    let version = c.p.opt("DBVersion");
    let deleted = match c.p.opt("IsDeleted") {
        None => None,
        Some("0") => Some(false),
        Some("1") => Some(true),
        Some(_) => return Err(Fault::unsupported("IsDeleted")),
    };
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let keep = |cl: &Cluster| {
        cl.region_id == region
            && ids.as_ref().is_none_or(|ids| ids.contains(&cl.id.as_str()))
            && desc.is_none_or(|d| cl.description.contains(d))
            && db_type.is_none_or(|t| t == "PostgreSQL")
            && version.is_none_or(|v| v == cl.db_version)
    };
    let mut items: Vec<m::DBClusterWithBackups> = Vec::new();
    if deleted != Some(true) {
        items.extend(
            c.w.clusters
                .iter()
                .filter(|cl| keep(cl) && !cl.backups.is_empty())
                .map(|cl| with_backups(cl, None)),
        );
    }
    if deleted != Some(false) {
        items.extend(
            c.w.deleted
                .iter()
                .filter(|d| keep(&d.cluster))
                .map(|d| with_backups(&d.cluster, Some(&d.deleted_time))),
        );
    }
    let total = items.len();
    let page = paginate(items, size, number);
    ok(m::DescribeDBClustersWithBackupsResponse {
        page_number: number as i64,
        page_record_count: page.len() as i64,
        items: m::DBClusterWithBackupsItems { db_cluster: page },
        request_id: String::new(),
        total_record_count: total as i64,
    })
}

/// The next automatic backup after `now`: the first policy day at the window's start.
fn next_backup(period: &str, window: &str, now: i64) -> String {
    let hour: i64 = window.get(..2).and_then(|h| h.parse().ok()).unwrap_or(18);
    let today = day_start(now);
    for d in 0..8 {
        let at = today + d * DAY + hour * HOUR;
        // 1970-01-01 was a Thursday.
        let weekday = WEEKDAYS[((at.div_euclid(DAY) + 3) % 7) as usize];
        if at > now && period.split(',').any(|p| p.trim() == weekday) {
            return fmt_minute(at);
        }
    }
    String::new()
}

/// DescribeBackupPolicy.
pub fn describe_policy(c: &mut Ctx) -> Res {
    let now = c.now;
    let cl = c.cluster()?;
    let p = &cl.backup_policy;
    ok(m::DescribeBackupPolicyResponse {
        advanced_data_policies: m::AdvancedDataPolicies::default(),
        advanced_policy_option: String::new(),
        backup_frequency: p.backup_frequency.clone(),
        backup_policy_level: "Normal".into(),
        backup_retention_policy_on_cluster_deletion: p
            .backup_retention_policy_on_cluster_deletion
            .clone(),
        data_level1_backup_frequency: p.data_level1_backup_frequency.clone(),
        data_level1_backup_period: p.preferred_backup_period.clone(),
        data_level1_backup_retention_period: p.data_level1_backup_retention_period.clone(),
        data_level1_backup_time: p.preferred_backup_time.clone(),
        data_level2_backup_another_region_region: p
            .data_level2_backup_another_region_region
            .clone(),
        data_level2_backup_another_region_retention_period: p
            .data_level2_backup_another_region_retention_period
            .clone(),
        data_level2_backup_period: p.data_level2_backup_period.clone(),
        data_level2_backup_retention_period: p.data_level2_backup_retention_period.clone(),
        enable_cross_region_immutable_backup: false,
        enable_immutable_backup: false,
        preferred_backup_period: p.preferred_backup_period.clone(),
        preferred_backup_time: p.preferred_backup_time.clone(),
        preferred_next_backup_time: next_backup(
            &p.preferred_backup_period,
            &p.preferred_backup_time,
            now,
        ),
        request_id: String::new(),
    })
}

/// A list of weekday names with at least `min` distinct days.
fn weekdays(name: &str, v: &str, min: usize) -> Result<String, Fault> {
    let mut days: Vec<&str> = Vec::new();
    for d in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !WEEKDAYS.contains(&d) {
            return Err(Fault::invalid(name));
        }
        if !days.contains(&d) {
            days.push(d);
        }
    }
    if days.len() < min {
        return Err(Fault::invalid_because(
            name,
            &format!("At least {min} days a week are required."),
        ));
    }
    days.sort_by_key(|d| WEEKDAYS.iter().position(|w| w == d));
    Ok(days.join(","))
}

/// A retention in days: `0` (off), `-1` (forever) or within `range`.
fn retention(name: &str, v: &str, range: std::ops::RangeInclusive<i64>) -> Result<String, Fault> {
    let n: i64 = v.trim().parse().map_err(|_| Fault::invalid(name))?;
    if n == 0 || n == -1 || range.contains(&n) {
        Ok(n.to_string())
    } else {
        Err(Fault::invalid(name))
    }
}

/// A cross-region destination: another existing region, or empty to switch it off.
fn other_region(c: &Ctx, cl: &Cluster, name: &str, v: &str) -> Result<String, Fault> {
    if v.is_empty() {
        return Ok(String::new());
    }
    if c.w.region(v).is_none() || v == cl.region_id {
        return Err(Fault::invalid(name));
    }
    Ok(v.to_string())
}

/// ModifyBackupPolicy.
pub fn modify_policy(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let p = c.p;
    let cl = &c.w.clusters[i];
    let mut policy = cl.backup_policy.clone();
    for name in ["PreferredBackupPeriod", "DataLevel1BackupPeriod"] {
        if let Some(v) = p.opt(name) {
            policy.preferred_backup_period = weekdays(name, v, 2)?;
        }
    }
    for name in ["PreferredBackupTime", "DataLevel1BackupTime"] {
        if let Some(v) = p.opt(name) {
            check_hour_window(name, v)?;
            policy.preferred_backup_time = v.to_string();
        }
    }
    const FREQUENCIES: &[&str] = &["Normal", "2/24H", "3/24H", "4/24H"];
    if let Some(v) = p.enum_opt("BackupFrequency", FREQUENCIES)? {
        policy.backup_frequency = v.to_string();
    }
    if let Some(v) = p.enum_opt("DataLevel1BackupFrequency", FREQUENCIES)? {
        policy.data_level1_backup_frequency = v.to_string();
    }
    if let Some(v) = p.opt("BackupRetentionPolicyOnClusterDeletion") {
        if !["ALL", "LATEST", "NONE"].contains(&v) {
            return Err(Fault::new(
                400,
                "InvalidBackupRetentionPolicyOnClusterDeletion.Malformed",
                "The specified BackupRetentionPolicyOnClusterDeletion is invalid.",
            ));
        }
        policy.backup_retention_policy_on_cluster_deletion = v.to_string();
    }
    if let Some(v) = p.opt("DataLevel1BackupRetentionPeriod") {
        let n: i64 = v
            .parse()
            .map_err(|_| Fault::invalid("DataLevel1BackupRetentionPeriod"))?;
        if !(3..=14).contains(&n) {
            return Err(Fault::invalid("DataLevel1BackupRetentionPeriod"));
        }
        policy.data_level1_backup_retention_period = n.to_string();
    }
    if let Some(v) = p.get("DataLevel2BackupPeriod") {
        policy.data_level2_backup_period = weekdays("DataLevel2BackupPeriod", v, 0)?;
    }
    if let Some(v) = p.opt("DataLevel2BackupRetentionPeriod") {
        policy.data_level2_backup_retention_period =
            retention("DataLevel2BackupRetentionPeriod", v, 30..=7300)?;
    }
    if let Some(v) = p.get("DataLevel2BackupAnotherRegionRegion") {
        policy.data_level2_backup_another_region_region =
            other_region(c, cl, "DataLevel2BackupAnotherRegionRegion", v.trim())?;
    }
    if let Some(v) = p.opt("DataLevel2BackupAnotherRegionRetentionPeriod") {
        policy.data_level2_backup_another_region_retention_period =
            retention("DataLevel2BackupAnotherRegionRetentionPeriod", v, 30..=7300)?;
    }
    if let Some(v) = p.opt("AdvancedDataPolicies") {
        let parsed: serde_json::Value =
            serde_json::from_str(v).map_err(|_| Fault::invalid("AdvancedDataPolicies"))?;
        if !parsed.is_array() {
            return Err(Fault::invalid("AdvancedDataPolicies"));
        }
    }
    if cl.status == "Deleting" || cl.status == "Creating" {
        return Err(Fault::busy());
    }
    c.w.clusters[i].backup_policy = policy;
    ok(m::ModifyBackupPolicyResponse::default())
}

/// DescribeLogBackupPolicy.
pub fn describe_log_policy(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let p = &cl.log_backup_policy;
    ok(m::DescribeLogBackupPolicyResponse {
        advanced_log_policies: m::AdvancedLogPolicies::default(),
        enable_backup_log: p.enable_backup_log,
        log_backup_another_region_region: p.another_region_region.clone(),
        log_backup_another_region_retention_period: p.another_region_retention_period.clone(),
        log_backup_retention_period: p.retention_period,
        request_id: String::new(),
    })
}

/// ModifyLogBackupPolicy.
pub fn modify_log_policy(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let p = c.p;
    let cl = &c.w.clusters[i];
    let mut policy = cl.log_backup_policy.clone();
    if let Some(v) = p.opt("LogBackupRetentionPeriod") {
        let n: i64 = v
            .parse()
            .map_err(|_| Fault::invalid("LogBackupRetentionPeriod"))?;
        if !(n == -1 || (3..=7300).contains(&n)) {
            return Err(Fault::invalid("LogBackupRetentionPeriod"));
        }
        policy.retention_period = n;
    }
    if let Some(v) = p.get("LogBackupAnotherRegionRegion") {
        policy.another_region_region =
            other_region(c, cl, "LogBackupAnotherRegionRegion", v.trim())?;
    }
    if let Some(v) = p.opt("LogBackupAnotherRegionRetentionPeriod") {
        policy.another_region_retention_period =
            retention("LogBackupAnotherRegionRetentionPeriod", v, 30..=7300)?;
    }
    if let Some(v) = p.opt("AdvancedLogPolicies") {
        let parsed: serde_json::Value =
            serde_json::from_str(v).map_err(|_| Fault::invalid("AdvancedLogPolicies"))?;
        if !parsed.is_array() {
            return Err(Fault::invalid("AdvancedLogPolicies"));
        }
    }
    if cl.status == "Deleting" || cl.status == "Creating" {
        return Err(Fault::busy());
    }
    c.w.clusters[i].log_backup_policy = policy;
    ok(m::ModifyLogBackupPolicyResponse::default())
}
