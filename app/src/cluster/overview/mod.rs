//! `/clusters/:id?account=A&region=R`: the Overview section of a cluster (the attributes
//! of DescribeDBClusterAttribute and the cluster-wide changes: description, maintenance
//! window, deletion protection, deletion, failover, primary zone, renewal).
//!
//! Every call is a typed request through `crate::call::Api` (role check, audit trail); the
//! server functions here only check their input first, so a wrong value never reaches the API.

use leptos::prelude::*;
use polardb::rules::description_problem;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::{language, load_error, lock_mode_label, ClusterCtx, ClusterData};
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::kit::{
    api_word, api_word_in, change_error, cluster_href, human_bytes, human_time, pay_type_label,
    problem_line, role_short, Dialog, DialogActions, FieldHint, Loading, PlannedWindow,
    StatusBadge, POLL,
};
use crate::AppError;

mod billing;
mod page;
mod parts;
mod server;
pub use page::*;
use parts::{outcome_banners, storage_and_network, DeleteDialog};
pub use server::*;

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
    let l = language();
    let example = td_string!(l, cluster.window_format);
    let Some((a, b)) = v.split_once('-') else {
        return Some(example.into());
    };
    let (Some((ha, ma)), Some((hb, mb))) = (parse_hhmmz(a), parse_hhmmz(b)) else {
        return Some(example.into());
    };
    if ha > 23 || hb > 23 || ma > 59 || mb > 59 {
        return Some(td_string!(l, cluster.window_range).into());
    }
    if ma != 0 || mb != 0 {
        return Some(td_string!(l, cluster.window_on_the_hour).into());
    }
    if (ha + 1) % 24 != hb {
        let window = format!("{ha:02}:00Z-{:02}:00Z", (ha + 1) % 24);
        return Some(td_string!(l, cluster.window_one_hour, window = window).to_string());
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

fn version_status_label(s: &str) -> String {
    let l = language();
    match s {
        "Stable" => td_string!(l, cluster.version_stable).into(),
        "Old" => td_string!(l, cluster.version_old).into(),
        "HighRisk" => td_string!(l, cluster.version_high_risk).into(),
        "" => "—".into(),
        other => api_word_in(l, other),
    }
}

/// Renewal settings in words, in the language in use.
pub fn renewal_label(r: &Renewal) -> String {
    let l = language();
    match r.status.as_str() {
        "AutoRenewal" => {
            let n = r.duration;
            match (r.unit == "Year", n == 1) {
                (true, true) => td_string!(l, cluster.renews_for_year, n = n).to_string(),
                (true, false) => td_string!(l, cluster.renews_for_years, n = n).to_string(),
                (false, true) => td_string!(l, cluster.renews_for_month, n = n).to_string(),
                (false, false) => td_string!(l, cluster.renews_for_months, n = n).to_string(),
            }
        }
        "Normal" => td_string!(l, cluster.renewed_by_hand).into(),
        "NotRenewal" => td_string!(l, cluster.not_renewed).into(),
        other => api_word_in(l, other),
    }
}

fn category_label(c: &str) -> String {
    let l = language();
    match c {
        "Normal" => td_string!(l, cluster.category_normal).into(),
        "Basic" => td_string!(l, cluster.category_basic).into(),
        "Archive" => td_string!(l, cluster.category_archive).into(),
        "NormalMultimaster" => td_string!(l, cluster.category_multimaster).into(),
        "SENormal" => td_string!(l, cluster.category_standard).into(),
        "" => "—".into(),
        other => api_word_in(l, other),
    }
}

// ---------------------------------------------------------------------------------------
// Server functions: check the input, then call the API through `crate::call::Api`.

#[cfg(feature = "ssr")]
use crate::error::invalid;

fn retention_label(v: &str) -> &'static str {
    let l = language();
    match v {
        "ALL" => td_string!(l, cluster.retention_all),
        "LATEST" => td_string!(l, cluster.retention_latest),
        "NONE" => td_string!(l, cluster.retention_none),
        _ => td_string!(l, cluster.retention_unknown),
    }
}

pub use polardb::rules::renewal_problem;

/// The zone of the cluster's primary node (the first of its zones when no node says).
fn primary_zone_of(d: &ClusterData) -> String {
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
    let l = language();
    if zone.is_empty() {
        return Some(td_string!(l, cluster.zone_choose).into());
    }
    if !zone.starts_with(region) {
        return Some(td_string!(l, cluster.zone_in_region, region = region).to_string());
    }
    if zone == current {
        return Some(td_string!(l, cluster.zone_already, zone = zone).to_string());
    }
    if vswitch.is_empty() {
        return Some(td_string!(l, cluster.zone_vswitch_required).into());
    }
    polardb::rules::vswitch_id_problem("vpc-placeholder0", vswitch).map(|p| format!("vSwitch {p}"))
}

/// A subscription's renewal settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    /// AutoRenewal, Normal or NotRenewal.
    pub status: String,
    pub duration: i64,
    pub unit: String,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Description,
    MaintainTime,
    PrimaryZone,
    Renewal,
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
