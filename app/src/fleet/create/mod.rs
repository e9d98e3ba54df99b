//! `/clusters/new`: the create wizard for PolarDB for PostgreSQL clusters. Steps: where and
//! how it is paid for; zone, engine version and node class (from
//! DescribeDBClusterAvailableResources); network (VPC and vSwitch); name and tags; a summary
//! before anything is sent. The CreateDBCluster call carries a ClientToken made for this
//! set of answers and reused when the user retries, so a retry never creates a second
//! cluster. Afterwards the new cluster's page shows the creation's progress.
//!
//! The same wizard clones a cluster or restores one of its backups to a new cluster
//! (`/clusters/new?from=ID&point=…`): CreationOption=CloneFromPolarDB with SourceResourceId
//! and CloneDataPoint — the latest data, a completed backup set, or a time inside the range
//! the source's backups and log backups cover. The clone is made in the source's cloud
//! account and region, with its engine version (CreateDBCluster 6.1, SourceResourceId).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};

use crate::api::console_context;
use crate::i18n::{td_string, Locale};
#[cfg(feature = "ssr")]
use crate::kit::zones::offers;
use crate::kit::zones::ZoneOffer;
use crate::kit::{change_error, cluster_href, pay_type_label, ErrorBox, Loading};
use crate::AppError;
use polardb::rules::{
    clone_point, clone_point_problem, description_problem, ip_list, vpc_id_problem,
    vswitch_id_problem, ClonePoint, MAX_WHITELIST_ENTRIES,
};

mod page;
mod server;
mod source;
mod steps;
pub use page::*;
pub use server::*;

// ---------------------------------------------------------------------------------------
// The language of the wizard's messages.

/// The language messages are written in (the kit's).
pub use crate::kit::words::locale;

/// A field of the wizard (as [`create_problem`] names it) in words.
pub fn field_label(locale: Locale, field: &str) -> String {
    match field {
        "Cloud account" => td_string!(locale, fleet.cloud_account),
        "Region" => td_string!(locale, fleet.region),
        "Zone" => td_string!(locale, fleet.zone),
        "Engine version" => td_string!(locale, fleet.engine_version),
        "Node class" => td_string!(locale, fleet.node_class),
        "Source cluster" => td_string!(locale, fleet.source_cluster),
        "Data point" => td_string!(locale, fleet.data_point),
        "Subscription length" => td_string!(locale, fleet.subscription_length),
        "Billing" => td_string!(locale, fleet.col_billing),
        "Whitelist" => td_string!(locale, fleet.whitelist),
        "Description" => td_string!(locale, fleet.description),
        "Resource group" => td_string!(locale, fleet.resource_group),
        "Tags" => td_string!(locale, fleet.tags),
        // VPC, vSwitch, ClientToken: written alike in every language.
        other => other,
    }
    .to_string()
}

/// What is wrong with a field, as a sentence: `Zone must be a zone of cn-hangzhou.`
pub fn problem_text(field: &str, problem: &str) -> String {
    let locale = locale();
    let label = field_label(locale, field);
    td_string!(
        locale,
        fleet.field_problem,
        field = label,
        problem = problem
    )
    .to_string()
}

// ---------------------------------------------------------------------------------------
// Rules of the API reference (CreateDBCluster 6.1, DescribeDBClusters 6.3 for tags),
// checked as the user types and again on the server.

/// What is wrong with a subscription length: Month 1–9, Year 1–3.
pub fn used_time_problem(period: &str, used_time: &str) -> Option<String> {
    let locale = locale();
    let n: u32 = match used_time.trim().parse() {
        Ok(n) => n,
        Err(_) => return Some(td_string!(locale, fleet.must_be_whole_number).into()),
    };
    match period {
        "Month" if (1..=9).contains(&n) => None,
        "Month" => Some(td_string!(locale, fleet.must_be_1_to_9_months).into()),
        "Year" if (1..=3).contains(&n) => None,
        "Year" => Some(td_string!(locale, fleet.must_be_1_to_3_years).into()),
        _ => Some(td_string!(locale, fleet.period_month_or_year).into()),
    }
}

/// What is wrong with a tag: a key of 1 to 64 characters, a value of at most 64; neither
/// may start with `aliyun`, `acs:`, `http://` or `https://`.
pub fn tag_problem(key: &str, value: &str) -> Option<String> {
    let reserved = |s: &str| {
        let l = s.to_ascii_lowercase();
        ["aliyun", "acs:", "http://", "https://"]
            .iter()
            .any(|p| l.starts_with(p))
    };
    let locale = locale();
    if key.is_empty() {
        return (!value.is_empty()).then(|| td_string!(locale, fleet.tag_value_needs_key).into());
    }
    if key.chars().count() > 64 {
        return Some(td_string!(locale, fleet.tag_key_too_long).into());
    }
    if value.chars().count() > 64 {
        return Some(td_string!(locale, fleet.tag_value_too_long).into());
    }
    if reserved(key) || reserved(value) {
        return Some(td_string!(locale, fleet.tag_reserved_prefix).into());
    }
    None
}

/// What is wrong with a ClientToken: at most 64 ASCII characters.
pub fn client_token_problem(t: &str) -> Option<String> {
    if t.len() > 64 || !t.is_ascii() {
        Some(td_string!(locale(), fleet.client_token_rule).into())
    } else {
        None
    }
}

/// What is wrong with a resource group ID (ResourceGroupId): `rg-` and letters or digits.
pub fn resource_group_problem(id: &str) -> Option<String> {
    let ok = id.len() > 3
        && id.len() <= 64
        && id.starts_with("rg-")
        && id[3..].bytes().all(|b| b.is_ascii_alphanumeric());
    (!ok).then(|| td_string!(locale(), fleet.resource_group_rule).into())
}

/// What is wrong with the first whitelist (SecurityIPList): IPv4 addresses or CIDR blocks,
/// each once, at most 1000; empty is the service's default.
pub fn security_ips_problem(text: &str) -> Option<String> {
    match ip_list(text) {
        Err(problems) => Some(problems.join("; ")),
        Ok(list) if list.len() > MAX_WHITELIST_ENTRIES => Some(
            td_string!(
                locale(),
                fleet.whitelist_too_long,
                max = MAX_WHITELIST_ENTRIES,
                given = list.len()
            )
            .to_string(),
        ),
        Ok(_) => None,
    }
}

/// Everything the wizard asks for; the server checks it again before CreateDBCluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    pub account: String,
    pub region: String,
    pub zone: String,
    pub version: String,
    pub class: String,
    pub vpc: String,
    pub vswitch: String,
    /// Postpaid or Prepaid.
    pub pay_type: String,
    /// Month or Year (Prepaid).
    pub period: String,
    /// Months 1–9 or years 1–3 (Prepaid).
    pub used_time: String,
    /// Renew the subscription automatically (Prepaid).
    pub auto_renew: bool,
    pub description: String,
    pub tags: Vec<(String, String)>,
    pub client_token: String,
    /// The cluster whose data the new one starts with (a clone or a restore); empty for a
    /// new, empty cluster.
    pub source: String,
    /// The CloneDataPoint of a clone: `LATEST`, a backup set ID or `YYYY-MM-DDThh:mm:ssZ`.
    pub point: String,
    /// The first IP whitelist (SecurityIPList), as typed; empty: the service's default.
    pub security_ips: String,
    /// Transparent data encryption (TDEStatus): cannot be turned off later.
    pub tde: bool,
    /// The resource group (ResourceGroupId); empty: the account's default group.
    pub resource_group: String,
}

/// A cluster a clone can be made from, as the wizard shows it: its engine version, its
/// completed backups and the times its data can be restored to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloneSource {
    pub id: String,
    pub name: String,
    pub status: String,
    pub version: String,
    /// Completed backup sets, newest first: (ID, when it is consistent to, Manual or
    /// Automated).
    pub backups: Vec<(String, String, String)>,
    /// The restorable window, seconds since the epoch (UTC), both ends included.
    pub window: Option<(i64, i64)>,
}

impl CloneSource {
    /// What is wrong with cloning it at `point` now, by the reference's rules.
    pub fn point_problem(&self, point: &str, now: i64) -> Option<String> {
        let point = match clone_point(point) {
            Ok(p) => p,
            Err(e) => return Some(e),
        };
        let ids: Vec<String> = self.backups.iter().map(|b| b.0.clone()).collect();
        clone_point_problem(&point, &ids, self.window, now)
    }
}

/// The point of a clone in words.
pub fn point_label(point: &str) -> String {
    let locale = locale();
    match clone_point(point) {
        Ok(ClonePoint::Latest) => td_string!(locale, fleet.point_is_latest).into(),
        Ok(ClonePoint::Backup(id)) => {
            td_string!(locale, fleet.point_is_backup, id = id).to_string()
        }
        Ok(ClonePoint::Time(t)) => {
            let at = ClonePoint::Time(t).param();
            td_string!(locale, fleet.point_is_time, at = at).to_string()
        }
        Err(_) => point.to_string(),
    }
}

/// The first problem of a request: (field, what is wrong).
pub fn create_problem(r: &CreateRequest) -> Option<(&'static str, String)> {
    let locale = locale();
    let req = |field: &'static str, v: &str| {
        v.trim()
            .is_empty()
            .then(|| (field, td_string!(locale, fleet.is_required).to_string()))
    };
    if let Some(p) = req("Cloud account", &r.account)
        .or_else(|| req("Region", &r.region))
        .or_else(|| req("Zone", &r.zone))
        .or_else(|| req("Engine version", &r.version))
        .or_else(|| req("Node class", &r.class))
    {
        return Some(p);
    }
    if !r.source.is_empty() {
        let id_ok = r.source.len() <= 64
            && r.source.starts_with("pc-")
            && r.source
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !id_ok {
            return Some((
                "Source cluster",
                td_string!(locale, fleet.must_be_cluster_id).into(),
            ));
        }
        if let Err(p) = clone_point(&r.point) {
            return Some(("Data point", p));
        }
    }
    if !r.zone.starts_with(&r.region) {
        let region = &r.region;
        return Some((
            "Zone",
            td_string!(locale, fleet.must_be_zone_of, region = region).to_string(),
        ));
    }
    if !r.class.starts_with("polar.pg.") {
        return Some((
            "Node class",
            td_string!(locale, fleet.must_be_pg_class).into(),
        ));
    }
    match r.pay_type.as_str() {
        "Postpaid" => {}
        "Prepaid" => {
            if let Some(p) = used_time_problem(&r.period, &r.used_time) {
                return Some(("Subscription length", p));
            }
        }
        _ => return Some(("Billing", td_string!(locale, fleet.must_be_pay_type).into())),
    }
    if let Some(p) = vpc_id_problem(&r.vpc) {
        return Some(("VPC", p));
    }
    if let Some(p) = vswitch_id_problem(&r.vpc, &r.vswitch) {
        return Some(("vSwitch", p));
    }
    if let Some(p) = security_ips_problem(&r.security_ips) {
        return Some(("Whitelist", p));
    }
    if !r.description.is_empty() {
        if let Some(p) = description_problem(&r.description) {
            return Some(("Description", p));
        }
    }
    if !r.resource_group.is_empty() {
        if let Some(p) = resource_group_problem(&r.resource_group) {
            return Some(("Resource group", p));
        }
    }
    if r.tags.len() > 20 {
        return Some(("Tags", td_string!(locale, fleet.at_most_20_tags).into()));
    }
    let mut keys = std::collections::HashSet::new();
    for (k, v) in &r.tags {
        if let Some(p) = tag_problem(k, v) {
            return Some(("Tags", p));
        }
        if !keys.insert(k) {
            return Some((
                "Tags",
                td_string!(locale, fleet.key_twice, key = k).to_string(),
            ));
        }
    }
    if let Some(p) = client_token_problem(&r.client_token) {
        return Some(("ClientToken", p));
    }
    None
}

/// The CreateDBCluster parameters of a (valid) request.
#[cfg(feature = "ssr")]
pub fn create_request(r: &CreateRequest) -> polardb::models::CreateDBCluster {
    let prepaid = r.pay_type == "Prepaid";
    let vpc = !r.vpc.is_empty();
    let clone = !r.source.is_empty();
    polardb::models::CreateDBCluster {
        region_id: r.region.clone(),
        zone_id: Some(r.zone.clone()),
        db_type: "PostgreSQL".into(),
        db_version: r.version.clone(),
        db_node_class: r.class.clone(),
        pay_type: r.pay_type.clone(),
        cluster_network_type: Some("VPC".into()),
        creation_option: Some(if clone { "CloneFromPolarDB" } else { "Normal" }.into()),
        source_resource_id: clone.then(|| r.source.clone()),
        clone_data_point: clone.then(|| r.point.clone()),
        period: prepaid.then(|| r.period.clone()),
        used_time: prepaid.then(|| r.used_time.trim().to_string()),
        auto_renew: prepaid.then_some(r.auto_renew),
        vpc_id: vpc.then(|| r.vpc.clone()),
        v_switch_id: vpc.then(|| r.vswitch.clone()),
        db_cluster_description: (!r.description.is_empty()).then(|| r.description.clone()),
        client_token: (!r.client_token.is_empty()).then(|| r.client_token.clone()),
        security_ip_list: ip_list(&r.security_ips)
            .ok()
            .filter(|l| !l.is_empty())
            .map(|l| l.join(",")),
        tde_status: r.tde.then_some(true),
        resource_group_id: (!r.resource_group.is_empty()).then(|| r.resource_group.clone()),
        ..Default::default()
    }
}

/// A fresh ClientToken for one set of wizard answers (unique, not secret).
pub fn new_client_token() -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::web_sys::js_sys::{Date, Math};
        let r = |bits: f64| (Math::random() * bits) as u64;
        format!(
            "pcw-{:x}-{:013x}{:013x}",
            Date::now() as u64,
            r(4_503_599_627_370_496.0),
            r(4_503_599_627_370_496.0)
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        // Server-side renders never submit; the gateway makes a token when none is sent.
        String::new()
    }
}

#[cfg(test)]
mod tests;
