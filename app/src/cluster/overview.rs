//! `/clusters/:id?account=A&region=R`: the Overview section of a cluster (the attributes
//! of DescribeDBClusterAttribute and the cluster-wide changes: description, maintenance
//! window, deletion protection, deletion, failover, primary zone, renewal).
//!
//! Every call goes through `call_api` (role check, audit trail); the server functions
//! here only check their input first, so a wrong value never reaches the API.

use leptos::prelude::*;
use polardb::rules::description_problem;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::api::call_api;
use crate::cluster::frame::{load_error, lock_mode_label, ClusterCtx, ClusterData};
use crate::kit::{
    change_error, cluster_href, human_bytes, human_time, pay_type_label, problem_line, role_short,
    Dialog, DialogActions, FieldHint, Loading, StatusBadge, POLL,
};
use crate::AppError;

// ---------------------------------------------------------------------------------------
// Rules of the API reference, checked as the user types and again on the server.

/// Parses `HH:mmZ` into (hour, minute).
fn parse_hhmmz(s: &str) -> Option<(u32, u32)> {
    let s = s.strip_suffix('Z')?;
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?))
}

/// What is wrong with a maintenance window (ModifyDBClusterMaintainTime, 6.8): `HH:mmZ-HH:mmZ`
/// in UTC, on the hour, one hour long.
pub fn maintain_time_problem(v: &str) -> Option<String> {
    let example = "write HH:mmZ-HH:mmZ in UTC, e.g. 16:00Z-17:00Z";
    let Some((a, b)) = v.split_once('-') else {
        return Some(example.into());
    };
    let (Some((ha, ma)), Some((hb, mb))) = (parse_hhmmz(a), parse_hhmmz(b)) else {
        return Some(example.into());
    };
    if ha > 23 || hb > 23 || ma > 59 || mb > 59 {
        return Some("hours go from 00 to 23 and minutes from 00 to 59".into());
    }
    if ma != 0 || mb != 0 {
        return Some("must start and end on the hour (minutes 00)".into());
    }
    if (ha + 1) % 24 != hb {
        return Some(format!(
            "must last exactly one hour: {ha:02}:00Z-{:02}:00Z",
            (ha + 1) % 24
        ));
    }
    None
}

/// `16:00Z-17:00Z` → `00:00–01:00 UTC+08:00` (the reference's worked example).
pub fn maintain_time_china(v: &str) -> Option<String> {
    let (a, b) = v.split_once('-')?;
    let ((ha, ma), (hb, mb)) = (parse_hhmmz(a)?, parse_hhmmz(b)?);
    Some(format!(
        "{:02}:{ma:02}–{:02}:{mb:02} UTC+08:00",
        (ha + 8) % 24,
        (hb + 8) % 24
    ))
}

fn version_status_label(s: &str) -> &str {
    match s {
        "Stable" => "Stable",
        "Old" => "Old: an upgrade is recommended",
        "HighRisk" => "High risk: upgrade now",
        "" => "—",
        other => other,
    }
}

/// Renewal settings in words.
pub fn renewal_label(r: &Renewal) -> String {
    match r.status.as_str() {
        "AutoRenewal" => {
            let unit = if r.unit == "Year" { "year" } else { "month" };
            format!(
                "Renews automatically for {} {unit}{}",
                r.duration,
                if r.duration == 1 { "" } else { "s" }
            )
        }
        "Normal" => "Renewed by hand".into(),
        "NotRenewal" => "Not renewed: ends when it expires".into(),
        other => other.to_string(),
    }
}

fn category_label(c: &str) -> &str {
    match c {
        "Normal" => "Cluster Edition (Normal)",
        "Basic" => "Single Node (Basic)",
        "Archive" => "Archive",
        "NormalMultimaster" => "Multi-master Cluster",
        "SENormal" => "Standard Edition",
        "" => "—",
        other => other,
    }
}

// ---------------------------------------------------------------------------------------
// Server functions: check the input, then call the API through `call_api`.

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

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

fn retention_label(v: &str) -> &str {
    match v {
        "ALL" => "all backups are kept",
        "LATEST" => "the last backup (taken before release) is kept",
        "NONE" => "all backups are deleted with the cluster",
        _ => "unknown",
    }
}

/// What is wrong with auto-renewal settings (ModifyAutoRenewAttribute, 6.10.1): RenewalStatus
/// AutoRenewal, Normal or NotRenewal; with AutoRenewal, PeriodUnit Month (Duration 1, 2,
/// 3, 6 or 12) or Year (Duration 1 to 3).
pub fn renewal_problem(status: &str, duration: &str, unit: &str) -> Option<String> {
    match status {
        "Normal" | "NotRenewal" => return None,
        "AutoRenewal" => {}
        _ => return Some("the renewal status must be AutoRenewal, Normal or NotRenewal".into()),
    }
    let Ok(n) = duration.trim().parse::<u32>() else {
        return Some("the renewal length must be a whole number".into());
    };
    match unit {
        "Month" if [1, 2, 3, 6, 12].contains(&n) => None,
        "Month" => Some("renews for 1, 2, 3, 6 or 12 months".into()),
        "Year" if (1..=3).contains(&n) => None,
        "Year" => Some("renews for 1 to 3 years".into()),
        _ => Some("the unit must be Month or Year".into()),
    }
}

/// What is wrong with a new primary zone and its vSwitch (ModifyDBClusterPrimaryZone,
/// 6.9.2): a zone of the cluster's region other than the current one; for PostgreSQL the
/// vSwitch of the target zone is required.
pub fn primary_zone_problem(
    region: &str,
    current: &str,
    zone: &str,
    vswitch: &str,
) -> Option<String> {
    if zone.is_empty() {
        return Some("choose the new primary zone".into());
    }
    if !zone.starts_with(region) {
        return Some(format!("the zone must be in {region}"));
    }
    if zone == current {
        return Some(format!("the cluster is already in {zone}"));
    }
    if vswitch.is_empty() {
        return Some("the vSwitch of the new zone is required (PostgreSQL clusters)".into());
    }
    polardb::rules::vswitch_id_problem("vpc-placeholder0", vswitch).map(|p| format!("vSwitch {p}"))
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

/// A subscription's renewal settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    /// AutoRenewal, Normal or NotRenewal.
    pub status: String,
    pub duration: i64,
    pub unit: String,
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

/// A running task of the cluster, as DescribeTasks reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub action: String,
    pub progress: i64,
    pub step: String,
    /// `2/4`.
    pub step_info: String,
    pub remain: i64,
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

// ---------------------------------------------------------------------------------------
// Pages.

/// `/clusters/:id`: the Overview section.
#[component]
pub fn ClusterOverviewPage() -> impl IntoView {
    view! {
        <Overview />
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Description,
    MaintainTime,
    PrimaryZone,
    Renewal,
}

#[component]
fn Overview() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let rename = ServerAction::<ModifyClusterDescription>::new();
    let maintain = ServerAction::<ModifyClusterMaintainTime>::new();
    let protect = ServerAction::<ModifyClusterDeletion>::new();
    let delete = ServerAction::<DeleteCluster>::new();
    let retention = ServerAction::<BackupRetentionOnDeletion>::new();

    let editing = RwSignal::new(None::<Edit>);
    let description = RwSignal::new(String::new());
    let window = RwSignal::new(String::new());
    let dialog = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let backups = RwSignal::new(String::new());

    ctx.after_success(rename.value(), move || editing.set(None));
    ctx.after_success(maintain.value(), move || editing.set(None));
    ctx.after_success(protect.value(), || {});
    ctx.after_success(delete.value(), move || dialog.set(false));

    // Failover, primary zone, renewal, creation progress.
    let failover = ServerAction::<FailoverCluster>::new();
    let move_zone = ServerAction::<ModifyPrimaryZone>::new();
    let renew = ServerAction::<ModifyAutoRenew>::new();
    let failover_target = RwSignal::new(String::new());
    let failover_confirm = RwSignal::new(false);
    let zone_target = RwSignal::new(String::new());
    let zone_vswitch = RwSignal::new(String::new());
    let renew_status = RwSignal::new(String::new());
    let renew_duration = RwSignal::new("1".to_string());
    let renew_unit = RwSignal::new("Month".to_string());
    ctx.after_success(failover.value(), move || failover_confirm.set(false));
    ctx.after_success(move_zone.value(), move || editing.set(None));
    let renew_saved = RwSignal::new(0u32);
    ctx.after_success(renew.value(), move || {
        editing.set(None);
        renew_saved.update(|n| *n += 1);
    });
    let zones = ServerAction::<ZoneChoices>::new();
    let renewal = Resource::new(
        move || {
            let d = data.get().and_then(|r| r.ok())?;
            (d.attr.pay_type == "Prepaid").then(|| {
                (
                    d.account.clone(),
                    d.region.clone(),
                    d.attr.db_cluster_id.clone(),
                    renew_saved.get(),
                )
            })
        },
        |key| async move {
            match key {
                Some((a, r, c, _)) => auto_renew_settings(a, r, c).await,
                None => Ok(None),
            }
        },
    );
    // Creation progress: DescribeTasks, read again every few seconds while Creating.
    let task_tick = RwSignal::new(0u32);
    let tasks = Resource::new(
        move || {
            let d = data.get().and_then(|r| r.ok())?;
            (d.attr.db_cluster_status == "Creating").then(|| {
                (
                    d.account.clone(),
                    d.region.clone(),
                    d.attr.db_cluster_id.clone(),
                    d.attr.creation_time.clone(),
                    task_tick.get(),
                )
            })
        },
        |key| async move {
            match key {
                Some((a, r, c, since, _)) => cluster_tasks(a, r, c, since).await,
                None => Ok(Vec::new()),
            }
        },
    );
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let creating = matches!(data.get_untracked(), Some(Ok(d)) if d.attr.db_cluster_status == "Creating");
                if creating {
                    task_tick.update(|n| *n += 1);
                }
            },
            POLL,
        ) {
            on_cleanup(move || handle.clear());
        }
    });

    let current = move || data.get().and_then(|r| r.ok());
    let hydrated = ctx.hydrated;

    let description_problem_now = move || description_problem(&description.get());
    let window_problem_now = move || maintain_time_problem(window.get().trim());

    let save_description = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if description_problem_now().is_some() {
            return;
        }
        rename.dispatch(ModifyClusterDescription {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            description: description.get_untracked(),
        });
    };
    let save_window = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if window_problem_now().is_some() {
            return;
        }
        maintain.dispatch(ModifyClusterMaintainTime {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            maintain_time: window.get_untracked().trim().to_string(),
        });
    };
    let toggle_protection = move |_| {
        let Some(d) = current() else { return };
        protect.dispatch(ModifyClusterDeletion {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            protection: d.attr.deletion_lock == 0,
        });
    };
    let open_delete = move |_| {
        let Some(d) = current() else { return };
        typed.set(String::new());
        backups.set(String::new());
        delete.value().set(None);
        retention.value().set(None);
        retention.dispatch(BackupRetentionOnDeletion {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
        });
        dialog.set(true);
    };
    let confirm_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if typed.get_untracked().trim() != d.attr.db_cluster_id {
            return;
        }
        delete.dispatch(DeleteCluster {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            confirm: typed.get_untracked().trim().to_string(),
            backups: backups.get_untracked(),
        });
    };

    let confirm_failover = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if failover_target.get_untracked().is_empty() {
            return;
        }
        failover.dispatch(FailoverCluster {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            target: failover_target.get_untracked(),
        });
    };
    let primary_zone_of = |d: &ClusterData| {
        d.attr
            .db_nodes
            .iter()
            .find(|n| n.db_node_role == "Writer")
            .map(|n| n.zone_id.clone())
            .unwrap_or_else(|| {
                d.attr
                    .zone_ids
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
    };
    let zone_problem_now = move || {
        let d = current()?;
        primary_zone_problem(
            &d.region,
            &primary_zone_of(&d),
            &zone_target.get(),
            zone_vswitch.get().trim(),
        )
    };
    let open_zone = move |_| {
        let Some(d) = current() else { return };
        zone_target.set(String::new());
        zone_vswitch.set(String::new());
        move_zone.value().set(None);
        zones.dispatch(ZoneChoices {
            account: d.account.clone(),
            region: d.region.clone(),
            pay_type: d.attr.pay_type.clone(),
            version: d.attr.db_version.clone(),
            class: d
                .attr
                .db_nodes
                .first()
                .map(|n| n.db_node_class.clone())
                .unwrap_or_default(),
        });
        editing.set(Some(Edit::PrimaryZone));
    };
    let save_zone = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if zone_problem_now().is_some() {
            return;
        }
        move_zone.dispatch(ModifyPrimaryZone {
            account: d.account.clone(),
            region: d.region.clone(),
            cluster: d.attr.db_cluster_id.clone(),
            current: primary_zone_of(&d),
            zone: zone_target.get_untracked(),
            vswitch: zone_vswitch.get_untracked().trim().to_string(),
        });
    };
    let renew_problem_now = move || {
        renewal_problem(
            &renew_status.get(),
            &renew_duration.get(),
            &renew_unit.get(),
        )
    };
    let open_renewal = move |_| {
        let r = renewal
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .unwrap_or_default();
        renew_status.set(if r.status.is_empty() {
            "AutoRenewal".into()
        } else {
            r.status
        });
        renew_duration.set(if r.duration > 0 {
            r.duration.to_string()
        } else {
            "1".into()
        });
        renew_unit.set(if r.unit.is_empty() {
            "Month".into()
        } else {
            r.unit
        });
        renew.value().set(None);
        editing.set(Some(Edit::Renewal));
    };
    let save_renewal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if renew_problem_now().is_some() {
            return;
        }
        renew.dispatch(ModifyAutoRenew {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            status: renew_status.get_untracked(),
            duration: renew_duration.get_untracked(),
            unit: renew_unit.get_untracked(),
        });
    };

    view! {
        {move || failover.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="failover-requested">
                "Failover requested. The cluster shows Switching, then the chosen node is the primary."
            </div>
        })}
        {move || move_zone.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="zone-requested">
                "Primary zone change requested. The cluster shows TRANSING until the move is done."
            </div>
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = tasks.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="panel task-panel" data-testid="creation-progress">
                        <h2>"In progress"</h2>
                        {list.into_iter().map(|t| view! {
                            <div class="task">
                                <p>
                                    <strong>{if t.action == "CreateDBInstance" { "Creating the cluster".to_string() } else { t.action.clone() }}</strong>
                                    <span class="muted">{format!(" · step {} · {} · about {} s left", t.step_info, t.step, t.remain)}</span>
                                </p>
                                <progress max="100" value=t.progress.to_string() data-testid="task-progress">{format!("{}%", t.progress)}</progress>
                                <span class="muted">{format!(" {}%", t.progress)}</span>
                            </div>
                        }).collect_view()}
                        <p class="muted small-print">"You can leave this page; the creation goes on, and this page shows where it is when you come back."</p>
                    </section>
                })
            })}
        </Transition>
        {move || delete.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="delete-requested">
                "Deletion requested. The cluster shows Deleting until it is released, then disappears from the list."
            </div>
        })}
        <Transition fallback=|| view! { <Loading label="Reading the cluster…" /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let a = d.attr.clone();
                let locked = a.deletion_lock != 0;
                let prepaid = a.pay_type == "Prepaid";
                let running = d.running();
                let mut refusals = Vec::new();
                if locked {
                    refusals.push("Deletion protection is on: the API refuses to delete this cluster. Turn protection off first.".to_string());
                }
                if prepaid {
                    refusals.push("Subscription (Prepaid) clusters cannot be deleted through the API (it releases pay-as-you-go clusters only); a subscription ends when it expires.".to_string());
                }
                if !running {
                    refusals.push(format!("The cluster must be Running to be deleted (it is {}).", a.db_cluster_status));
                }
                let delete_refusal = (!refusals.is_empty()).then(|| refusals.join(" "));
                let storage_pct = if a.storage_max > 0 { (a.storage_used as f64 / a.storage_max as f64) * 100.0 } else { 0.0 };
                let readers = a.db_nodes.iter().filter(|n| n.db_node_role == "Reader").count();
                let writers = a.db_nodes.len() - readers;
                let current_description = a.db_cluster_description.clone();
                let current_window = a.maintain_time.clone();
                let can_rename = d.can("ModifyDBClusterDescription");
                let can_window = d.can("ModifyDBClusterMaintainTime");
                let can_protect = d.can("ModifyDBClusterDeletion");
                let can_delete = d.can("DeleteDBCluster");
                let nodes_href = cluster_href(&a.db_cluster_id, &d.account, &d.region, "nodes");
                let nodes_href2 = nodes_href.clone();
                let can_failover = d.can("FailoverDBCluster");
                let can_zone = d.can("ModifyDBClusterPrimaryZone");
                let can_renew = d.can("ModifyAutoRenewAttribute");
                let primary_zone = primary_zone_of(&d);
                let primary_node = a.db_nodes.iter().find(|n| n.db_node_role == "Writer").map(|n| n.db_node_id.clone()).unwrap_or_default();
                let reader_nodes: Vec<(String, String, String)> = a.db_nodes.iter()
                    .filter(|n| n.db_node_role == "Reader")
                    .map(|n| (n.db_node_id.clone(), n.zone_id.clone(), n.db_node_status.clone()))
                    .collect();
                let change_refusal = (!running).then(|| format!("Available while the cluster is Running (it is {}).", a.db_cluster_status));
                let tags = a.tags.clone();
                view! {
                    <div class="overview" data-testid="cluster-overview">
                        <section class="panel">
                            <h2>"Basics"</h2>
                            <dl class="kv">
                                <dt>"Description"</dt>
                                <dd>
                                    <span data-testid="field-description">{a.db_cluster_description.clone()}</span>
                                    {can_rename.then(|| view! {
                                        " "
                                        <button type="button" class="small-link link-button" data-testid="edit-description"
                                            disabled=move || !hydrated.get()
                                            on:click={
                                                let cur = current_description.clone();
                                                move |_| {
                                                    description.set(cur.clone());
                                                    rename.value().set(None);
                                                    editing.set(Some(Edit::Description));
                                                }
                                            }>"Edit"</button>
                                    })}
                                    {move || (editing.get() == Some(Edit::Description)).then(|| view! {
                                        <form class="edit-form" on:submit=save_description data-testid="description-form">
                                            <input type="text" aria-label="New description" data-testid="description-input"
                                                maxlength="300"
                                                prop:value=move || description.get()
                                                on:input=move |ev| description.set(event_target_value(&ev)) />
                                            <button type="submit" class="small primary-small" data-testid="save-description"
                                                disabled=move || description_problem_now().is_some() || rename.pending().get()>
                                                {move || if rename.pending().get() { "Saving…" } else { "Save" }}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                            <FieldHint testid="description-problem" problem=Signal::derive(move || description_problem_now().map(|p| problem_line("Description", &p)))
                                                hint="2–256 characters, starting with a letter or a Chinese character." />
                                            {change_error(rename.value())}
                                        </form>
                                    })}
                                </dd>
                                <dt>"Cluster ID"</dt><dd class="mono">{a.db_cluster_id.clone()}</dd>
                                <dt>"Status"</dt><dd><StatusBadge status=a.db_cluster_status.clone() /></dd>
                                <dt>"Engine"</dt><dd data-testid="field-engine">{format!("{} {} ({})", if a.db_type.is_empty() { "PostgreSQL".to_string() } else { a.db_type.clone() }, a.db_version, a.engine)}</dd>
                                <dt>"Minor version"</dt>
                                <dd>
                                    {version_status_label(&a.db_version_status).to_string()}
                                    <span class="muted">{if a.is_latest_version { " · latest kernel" } else { " · a newer kernel is available" }}</span>
                                    {(!a.auto_upgrade_minor_version.is_empty()).then(|| view! { <span class="muted">{format!(" · updates: {}", a.auto_upgrade_minor_version)}</span> })}
                                </dd>
                                <dt>"Edition"</dt>
                                <dd>{category_label(&a.category).to_string()}{(!a.sub_category.is_empty()).then(|| view! { <span class="muted">{format!(" · {} specification", a.sub_category)}</span> })}</dd>
                                <dt>"Nodes"</dt>
                                <dd><a href=nodes_href>{format!("{writers} primary, {readers} read-only")}</a></dd>
                                <dt>"Created"</dt><dd class="mono">{human_time(&a.creation_time)}</dd>
                            </dl>
                        </section>

                        <section class="panel">
                            <h2>"Storage"</h2>
                            <dl class="kv">
                                <dt>"Used"</dt>
                                <dd data-testid="field-storage">
                                    {format!("{} of {} ({:.2}%)", human_bytes(a.storage_used), human_bytes(a.storage_max), storage_pct)}
                                    <br />
                                    <meter class="storage-meter" min="0" max=a.storage_max.max(1).to_string() value=a.storage_used.max(0).to_string()
                                        aria-label="Storage used"></meter>
                                </dd>
                                <dt>"Storage type"</dt><dd>{if a.storage_type.is_empty() { "—".to_string() } else { a.storage_type.clone() }}</dd>
                                <dt>"Storage billing"</dt><dd>{pay_type_label(&a.storage_pay_type).to_string()}</dd>
                                <dt>"Level-1 backups"</dt><dd>{human_bytes(a.data_level1_backup_chain_size)}</dd>
                            </dl>
                        </section>

                        <section class="panel">
                            <h2>"Network and location"</h2>
                            <dl class="kv">
                                <dt>"Region"</dt><dd>{a.region_id.clone()}</dd>
                                <dt>"Zones"</dt><dd data-testid="field-zones">{a.zone_ids.split(',').filter(|z| !z.is_empty()).collect::<Vec<_>>().join(", ")}</dd>
                                <dt>"Network type"</dt><dd>{a.db_cluster_network_type.clone()}</dd>
                                <dt>"VPC"</dt><dd class="mono">{a.vpc_id.clone()}</dd>
                                <dt>"vSwitch"</dt><dd class="mono">{a.v_switch_id.clone()}</dd>
                                <dt>"Resource group"</dt><dd class="mono">{a.resource_group_id.clone()}</dd>
                            </dl>
                        </section>

                        <section class="panel" data-testid="deployment-panel">
                            <h2>"Primary and failover"</h2>
                            <dl class="kv">
                                <dt>"Primary node"</dt><dd class="mono" data-testid="field-primary-node">{primary_node.clone()}</dd>
                                <dt>"Primary zone"</dt>
                                <dd>
                                    <span data-testid="field-primary-zone">{primary_zone.clone()}</span>
                                    {(can_zone && running).then(|| view! {
                                        " "
                                        <button type="button" class="small-link link-button" data-testid="change-zone"
                                            disabled=move || !hydrated.get() on:click=open_zone>"Change"</button>
                                    })}
                                    {move || (editing.get() == Some(Edit::PrimaryZone)).then(|| view! {
                                        <form class="edit-form" on:submit=save_zone data-testid="zone-form">
                                            <select aria-label="New primary zone" data-testid="zone-select"
                                                on:change=move |ev| zone_target.set(event_target_value(&ev))>
                                                <option value="" selected=move || zone_target.get().is_empty()>"Choose a zone"</option>
                                                {move || zones.value().get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|z| {
                                                    let z2 = z.clone();
                                                    view! { <option value=z.clone() selected=move || zone_target.get() == z2>{z.clone()}</option> }
                                                }).collect_view()}
                                            </select>
                                            <input type="text" class="mono" aria-label="vSwitch in the new zone" placeholder="vsw-… in the new zone"
                                                data-testid="zone-vswitch" maxlength="64"
                                                prop:value=move || zone_vswitch.get()
                                                on:input=move |ev| zone_vswitch.set(event_target_value(&ev)) />
                                            <button type="submit" class="small primary-small" data-testid="save-zone"
                                                disabled=move || zone_problem_now().is_some() || move_zone.pending().get()>
                                                {move || if move_zone.pending().get() { "Moving…" } else { "Move now" }}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                            <FieldHint testid="zone-problem" problem=Signal::derive(move || zone_problem_now().map(|p| problem_line("Primary zone:", &p)))
                                                hint="The primary moves at once; connections drop briefly while it switches." />
                                            {change_error(zones.value())}
                                            {change_error(move_zone.value())}
                                        </form>
                                    })}
                                </dd>
                                <dt>"Failover"</dt>
                                <dd>
                                    {if reader_nodes.is_empty() {
                                        view! { <span class="muted">"No read-only node to fail over to. "</span><a href=nodes_href2.clone()>"Add one"</a> }.into_any()
                                    } else if !can_failover {
                                        view! { <span class="muted">{format!("{} read-only node(s) can take over.", reader_nodes.len())}</span> }.into_any()
                                    } else if let Some(why) = change_refusal.clone() {
                                        view! { <span class="muted" data-testid="failover-refused">{why}</span> }.into_any()
                                    } else {
                                        let readers = reader_nodes.clone();
                                        let primary = primary_node.clone();
                                        view! {
                                            <form class="edit-form" on:submit=confirm_failover data-testid="failover-form">
                                                <select aria-label="Read-only node to promote" data-testid="failover-target"
                                                    on:change=move |ev| { failover_target.set(event_target_value(&ev)); failover_confirm.set(false); }>
                                                    <option value="" selected=move || failover_target.get().is_empty()>"Choose a read-only node"</option>
                                                    {readers.iter().map(|(id, zone, status)| {
                                                        let id2 = id.clone();
                                                        view! { <option value=id.clone() selected=move || failover_target.get() == id2>{format!("{id} ({zone}, {status})")}</option> }
                                                    }).collect_view()}
                                                </select>
                                                {move || if failover_confirm.get() {
                                                    let target = failover_target.get();
                                                    view! {
                                                        <p class="confirm-line" data-testid="failover-confirm-text">
                                                            {format!("Promote {target} to primary? The current primary {primary} becomes read-only; connections drop briefly while the cluster switches.")}
                                                        </p>
                                                        <button type="submit" class="small danger solid" data-testid="confirm-failover"
                                                            disabled=move || failover.pending().get()>
                                                            {move || if failover.pending().get() { "Failing over…" } else { "Fail over" }}
                                                        </button>
                                                        <button type="button" class="small" on:click=move |_| failover_confirm.set(false)>"Cancel"</button>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <button type="button" class="small" data-testid="failover"
                                                            disabled=move || !hydrated.get() || failover_target.get().is_empty()
                                                            on:click=move |_| { failover.value().set(None); failover_confirm.set(true); }>
                                                            "Fail over…"
                                                        </button>
                                                    }.into_any()
                                                }}
                                                {change_error(failover.value())}
                                            </form>
                                        }.into_any()
                                    }}
                                </dd>
                            </dl>
                        </section>

                        <section class="panel">
                            <h2>"Billing"</h2>
                            <dl class="kv">
                                <dt>"Billing method"</dt><dd data-testid="field-pay-type">{pay_type_label(&a.pay_type).to_string()}</dd>
                                <dt>"Expires"</dt>
                                <dd>{if a.pay_type == "Prepaid" {
                                    format!("{}{}", human_time(&a.expire_time), if a.expired == "true" { " (expired)" } else { "" })
                                } else {
                                    "— (pay-as-you-go clusters do not expire)".to_string()
                                }}</dd>
                                <dt>"Lock mode"</dt><dd data-testid="field-lock-mode">{lock_mode_label(&a.lock_mode)}</dd>
                                {prepaid.then(|| view! {
                                    <dt>"Renewal"</dt>
                                    <dd>
                                        <Transition fallback=|| view! { <span class="muted">"…"</span> }>
                                            {move || Suspend::new(async move {
                                                match renewal.await {
                                                    Ok(Some(r)) => view! { <span data-testid="field-renewal">{renewal_label(&r)}</span> }.into_any(),
                                                    Ok(None) => view! { <span class="muted" data-testid="field-renewal">"—"</span> }.into_any(),
                                                    Err(e) => view! { <span class="field-error">{e.to_string()}</span> }.into_any(),
                                                }
                                            })}
                                        </Transition>
                                        {can_renew.then(|| view! {
                                            " "
                                            <button type="button" class="small-link link-button" data-testid="edit-renewal"
                                                disabled=move || !hydrated.get() on:click=open_renewal>"Edit"</button>
                                        })}
                                        {move || (editing.get() == Some(Edit::Renewal)).then(|| view! {
                                            <form class="edit-form" on:submit=save_renewal data-testid="renewal-form">
                                                <select aria-label="Renewal" data-testid="renewal-status"
                                                    on:change=move |ev| renew_status.set(event_target_value(&ev))>
                                                    <option value="AutoRenewal" selected=move || renew_status.get() == "AutoRenewal">"Renew automatically"</option>
                                                    <option value="Normal" selected=move || renew_status.get() == "Normal">"Renew by hand"</option>
                                                    <option value="NotRenewal" selected=move || renew_status.get() == "NotRenewal">"Do not renew"</option>
                                                </select>
                                                {move || (renew_status.get() == "AutoRenewal").then(|| view! {
                                                    <input type="number" min="1" max="12" aria-label="Renew for" data-testid="renewal-duration" class="narrow-input"
                                                        prop:value=move || renew_duration.get()
                                                        on:input=move |ev| renew_duration.set(event_target_value(&ev)) />
                                                    <select aria-label="Unit" data-testid="renewal-unit"
                                                        on:change=move |ev| renew_unit.set(event_target_value(&ev))>
                                                        <option value="Month" selected=move || renew_unit.get() == "Month">"months"</option>
                                                        <option value="Year" selected=move || renew_unit.get() == "Year">"years"</option>
                                                    </select>
                                                })}
                                                <button type="submit" class="small primary-small" data-testid="save-renewal"
                                                    disabled=move || renew_problem_now().is_some() || renew.pending().get()>
                                                    {move || if renew.pending().get() { "Saving…" } else { "Save" }}
                                                </button>
                                                <button type="button" class="small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                                <FieldHint testid="renewal-problem" problem=Signal::derive(move || renew_problem_now().map(|p| problem_line("Renewal:", &p)))
                                                    hint="Months: 1, 2, 3, 6 or 12; years: 1 to 3." />
                                                {change_error(renew.value())}
                                            </form>
                                        })}
                                    </dd>
                                })}
                            </dl>
                        </section>

                        <section class="panel">
                            <h2>"Maintenance and protection"</h2>
                            <dl class="kv">
                                <dt>"Maintenance window"</dt>
                                <dd>
                                    <span data-testid="field-maintain-time" class="mono">{a.maintain_time.clone()}</span>
                                    <span class="muted">{maintain_time_china(&a.maintain_time).map(|l| format!(" (UTC; {l})")).unwrap_or_default()}</span>
                                    {can_window.then(|| view! {
                                        " "
                                        <button type="button" class="small-link link-button" data-testid="edit-maintain-time"
                                            disabled=move || !hydrated.get()
                                            on:click={
                                                let cur = current_window.clone();
                                                move |_| {
                                                    window.set(cur.clone());
                                                    maintain.value().set(None);
                                                    editing.set(Some(Edit::MaintainTime));
                                                }
                                            }>"Edit"</button>
                                    })}
                                    {move || (editing.get() == Some(Edit::MaintainTime)).then(|| view! {
                                        <form class="edit-form" on:submit=save_window data-testid="maintain-form">
                                            <input type="text" class="mono" aria-label="New maintenance window" data-testid="maintain-input"
                                                placeholder="16:00Z-17:00Z" maxlength="20"
                                                prop:value=move || window.get()
                                                on:input=move |ev| window.set(event_target_value(&ev)) />
                                            <button type="submit" class="small primary-small" data-testid="save-maintain-time"
                                                disabled=move || window_problem_now().is_some() || maintain.pending().get()>
                                                {move || if maintain.pending().get() { "Saving…" } else { "Save" }}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                            <FieldHint testid="maintain-problem" problem=Signal::derive(move || window_problem_now().map(|p| problem_line("Maintenance window:", &p)))
                                                hint=Signal::derive(move || format!("One hour, on the hour, in UTC: {}.", maintain_time_china(window.get().trim()).unwrap_or_default())) />
                                            {change_error(maintain.value())}
                                        </form>
                                    })}
                                </dd>
                                <dt>"Deletion protection"</dt>
                                <dd>
                                    <span data-testid="field-deletion-protection">{if locked { "On" } else { "Off" }}</span>
                                    <span class="muted">{if locked { " · the cluster cannot be deleted" } else { " · the cluster can be deleted" }}</span>
                                    {can_protect.then(|| view! {
                                        " "
                                        <button type="button" class="small" data-testid="toggle-protection"
                                            disabled=move || !hydrated.get() || protect.pending().get()
                                            on:click=toggle_protection>
                                            {if locked { "Turn off" } else { "Turn on" }}
                                        </button>
                                    })}
                                    {change_error(protect.value())}
                                </dd>
                            </dl>
                        </section>

                        <section class="panel">
                            <h2>"Tags"</h2>
                            {if tags.is_empty() {
                                view! { <p class="muted">"No tags."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="tag-list" data-testid="field-tags">
                                        {tags.into_iter().map(|t| view! {
                                            <li class="tag"><span class="tag-key">{t.key}</span>{(!t.value.is_empty()).then(|| view! { <span class="tag-value">{t.value}</span> })}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>

                        {can_delete.then(|| view! {
                            <section class="panel panel-danger">
                                <h2>"Delete the cluster"</h2>
                                <p class="muted">"Releases the cluster, its nodes and its data. This cannot be undone."</p>
                                {match delete_refusal.clone() {
                                    Some(reason) => view! {
                                        <p class="refusal" data-testid="delete-refused" role="note">{reason}</p>
                                        <button type="button" class="small danger" data-testid="delete-cluster" disabled=true>"Delete cluster…"</button>
                                    }.into_any(),
                                    None => view! {
                                        <button type="button" class="small danger" data-testid="delete-cluster"
                                            disabled=move || !hydrated.get()
                                            on:click=open_delete>"Delete cluster…"</button>
                                    }.into_any(),
                                }}
                            </section>
                        })}
                    </div>
                }
                .into_any()
            })}
        </Transition>

        // The deletion dialog lives outside the refreshing part: nothing resets it while open.
        {move || dialog.get().then(|| {
            // A snapshot: the dialog is not rebuilt while it is open.
            let Some(d) = data.get_untracked().and_then(|r| r.ok()) else { return view! { <span></span> }.into_any() };
            let a = d.attr.clone();
            let id = a.db_cluster_id.clone();
            let id_check = id.clone();
            let node_list = a.db_nodes.iter().map(|n| format!("{} ({})", n.db_node_id, role_short(&n.db_node_role))).collect::<Vec<_>>().join(", ");
            let matches = move || typed.get().trim() == id_check;
            view! {
                <Dialog title_id="delete-title" title=format!("Delete {} ({})?", id, d.name()) testid="delete-dialog" on_close=move || dialog.set(false)>
                        <p>"Deleting releases the cluster at once. What is lost:"</p>
                        <ul class="loss-list">
                            <li>{format!("all data in the cluster ({} of storage)", human_bytes(a.storage_used))}</li>
                            <li>{format!("its {} nodes: {}", a.db_nodes.len(), node_list)}</li>
                            <li>"its endpoints and connection addresses, database accounts and databases, whitelists and parameters"</li>
                            <li>
                                "backups: "
                                {move || match backups.get().as_str() {
                                    "" => match retention.value().get() {
                                        Some(Ok(p)) if !p.is_empty() => format!("as the backup policy says ({p}): {}", retention_label(&p)),
                                        _ => "as the cluster's backup policy says".to_string(),
                                    },
                                    other => retention_label(other).to_string(),
                                }}
                            </li>
                        </ul>
                        <form class="stack-form" on:submit=confirm_delete>
                            <label>
                                <span>"Backups after deletion"</span>
                                <select data-testid="delete-backups" on:change=move |ev| backups.set(event_target_value(&ev))>
                                    <option value="" selected=true>"As the backup policy says"</option>
                                    <option value="LATEST">"Keep the last backup (LATEST)"</option>
                                    <option value="ALL">"Keep all backups (ALL)"</option>
                                    <option value="NONE">"Delete all backups (NONE)"</option>
                                </select>
                            </label>
                            <label>
                                <span>{format!("Type the cluster ID {id} to confirm")}</span>
                                <input type="text" class="mono" autocomplete="off" spellcheck="false" data-testid="delete-confirm-input"
                                    data-autofocus
                                    prop:value=move || typed.get()
                                    on:input=move |ev| typed.set(event_target_value(&ev)) />
                            </label>
                            {change_error(delete.value())}
                            <DialogActions>
                                <button type="button" class="small" data-testid="cancel-delete" on:click=move |_| dialog.set(false)>"Cancel"</button>
                                <button type="submit" class="small danger solid" data-testid="confirm-delete"
                                    disabled=move || !matches() || delete.pending().get()>
                                    {move || if delete.pending().get() { "Deleting…" } else { "Delete this cluster" }}
                                </button>
                            </DialogActions>
                        </form>
                </Dialog>
            }.into_any()
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_follow_the_reference() {
        assert_eq!(description_problem("orders-staging"), None);
        assert_eq!(description_problem("订单库"), None);
        assert_eq!(description_problem("ab"), None);
        assert!(description_problem("a").is_some());
        assert!(description_problem(&"a".repeat(257)).is_some());
        assert_eq!(description_problem(&"a".repeat(256)), None);
        assert!(description_problem("http://x").unwrap().contains("http"));
        assert!(description_problem("https://x").unwrap().contains("http"));
        assert!(description_problem("1abc").unwrap().contains("letter"));
        assert!(description_problem("-abc").is_some());
        assert!(description_problem(" abc").is_some());
    }

    #[test]
    fn maintenance_windows_are_one_hour_on_the_hour() {
        assert_eq!(maintain_time_problem("16:00Z-17:00Z"), None);
        assert_eq!(maintain_time_problem("23:00Z-00:00Z"), None);
        assert_eq!(maintain_time_problem("00:00Z-01:00Z"), None);
        assert!(maintain_time_problem("16:00Z-18:00Z")
            .unwrap()
            .contains("one hour"));
        assert!(maintain_time_problem("16:30Z-17:30Z")
            .unwrap()
            .contains("on the hour"));
        assert!(maintain_time_problem("16:00-17:00").is_some());
        assert!(maintain_time_problem("24:00Z-01:00Z").is_some());
        assert!(maintain_time_problem("6:00Z-7:00Z").is_some());
        assert!(maintain_time_problem("").is_some());
        assert_eq!(
            maintain_time_china("16:00Z-17:00Z").as_deref(),
            Some("00:00–01:00 UTC+08:00")
        );
    }

    #[test]
    fn links_carry_account_and_region() {
        assert_eq!(
            cluster_href("pc-1", "sandbox", "cn-hangzhou", ""),
            "/clusters/pc-1?account=sandbox&region=cn-hangzhou"
        );
        assert_eq!(
            cluster_href("pc-1", "my account", "", "nodes"),
            "/clusters/pc-1/nodes?account=my%20account"
        );
    }

    #[test]
    fn renewal_settings_follow_the_reference() {
        assert_eq!(renewal_problem("AutoRenewal", "1", "Month"), None);
        assert_eq!(renewal_problem("AutoRenewal", "12", "Month"), None);
        assert!(renewal_problem("AutoRenewal", "4", "Month").is_some());
        assert_eq!(renewal_problem("AutoRenewal", "3", "Year"), None);
        assert!(renewal_problem("AutoRenewal", "6", "Year").is_some());
        assert!(renewal_problem("AutoRenewal", "x", "Month").is_some());
        assert!(renewal_problem("AutoRenewal", "1", "Week").is_some());
        assert_eq!(renewal_problem("Normal", "", ""), None);
        assert_eq!(renewal_problem("NotRenewal", "", ""), None);
        assert!(renewal_problem("Sometimes", "1", "Month").is_some());
    }

    #[test]
    fn primary_zone_moves_need_another_zone_and_a_vswitch() {
        let ok = "vsw-bp1lyhtbyrmm3yzl2";
        assert_eq!(
            primary_zone_problem("cn-hangzhou", "cn-hangzhou-i", "cn-hangzhou-j", ok),
            None
        );
        assert!(
            primary_zone_problem("cn-hangzhou", "cn-hangzhou-i", "cn-hangzhou-i", ok)
                .unwrap()
                .contains("already")
        );
        assert!(
            primary_zone_problem("cn-hangzhou", "cn-hangzhou-i", "cn-shanghai-b", ok).is_some()
        );
        assert!(
            primary_zone_problem("cn-hangzhou", "cn-hangzhou-i", "cn-hangzhou-j", "")
                .unwrap()
                .contains("required")
        );
        assert!(
            primary_zone_problem("cn-hangzhou", "cn-hangzhou-i", "cn-hangzhou-j", "vsw-x")
                .is_some()
        );
        assert!(primary_zone_problem("cn-hangzhou", "cn-hangzhou-i", "", ok).is_some());
    }

    #[test]
    fn sizes_read_like_a_console() {
        assert_eq!(human_bytes(10_995_116_277_760), "10 TiB");
        assert_eq!(human_bytes(3_009_413_120), "2.8 GiB");
        assert_eq!(human_bytes(512), "512 B");
    }
}
