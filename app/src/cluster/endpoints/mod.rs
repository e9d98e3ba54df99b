//! `/clusters/:id/endpoints`: the endpoints of a cluster (DescribeDBClusterEndpoints): the
//! primary endpoint, the default cluster endpoint and the custom ones, each with its
//! addresses (private and public) and settings. Custom endpoints are created
//! (CreateDBClusterEndpoint), changed (ModifyDBClusterEndpoint) and deleted
//! (DeleteDBClusterEndpoint); public addresses are created (CreateDBEndpointAddress),
//! changed (ModifyDBEndpointAddress) and released (DeleteDBEndpointAddress).
//!
//! Every field is checked with the rules of the API reference (chapter 10) as it is typed
//! and again in the server function, so a wrong value never reaches the API.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::{follow_cluster, load_error, ClusterCtx, ClusterData};
use crate::i18n::{td_string, Locale};
use crate::kit::{
    change_error, problem_line, ConfirmDialog, Dialog, DialogActions, Field, FieldHint, Loading,
    StatusBadge,
};
use crate::AppError;

mod address;
mod page;
mod server;
use address::AddressDialog;
pub use page::*;
pub use server::*;

/// PolarDB for PostgreSQL allows seven custom endpoints per cluster.
pub const MAX_CUSTOM: usize = 7;

/// Actions whose buttons this page shows only to those allowed.
pub const ENDPOINT_ACTIONS: &[&str] = &[
    "CreateDBClusterEndpoint",
    "ModifyDBClusterEndpoint",
    "DeleteDBClusterEndpoint",
    "CreateDBEndpointAddress",
    "ModifyDBEndpointAddress",
    "DeleteDBEndpointAddress",
];

// ---------------------------------------------------------------------------------------
// Rules of the API reference, checked as the user types and again on the server.

/// What is wrong with a connection string prefix (CreateDBEndpointAddress 10.1,
/// ModifyDBEndpointAddress 10.5): 6 to 30 characters, lowercase letters, digits and
/// hyphens, starting with a letter and ending with a letter or a digit. Said in `locale`.
pub fn prefix_problem(locale: Locale, p: &str) -> Option<String> {
    let n = p.chars().count();
    if !(6..=30).contains(&n) {
        return Some(td_string!(locale, cluster_nodes.prefix_length, n = n).to_string());
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let c = format!("{c:?}");
        return Some(td_string!(locale, cluster_nodes.prefix_chars, c = c).to_string());
    }
    if !p.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some(td_string!(locale, cluster_nodes.prefix_start).into());
    }
    if !p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some(td_string!(locale, cluster_nodes.prefix_end).into());
    }
    None
}

/// What is wrong with a port (ModifyDBEndpointAddress 10.5): a whole number from 3000 to 5999.
pub fn port_problem(locale: Locale, p: &str) -> Option<String> {
    match p.trim().parse::<u32>() {
        Ok(n) if (3000..=5999).contains(&n) => None,
        Ok(_) => Some(td_string!(locale, cluster_nodes.port_range).into()),
        Err(_) => Some(td_string!(locale, cluster_nodes.port_whole).into()),
    }
}

/// What is wrong with a custom endpoint's name (DBEndpointDescription): optional, at most
/// 64 characters, not starting with `http://` or `https://`.
pub fn endpoint_description_problem(locale: Locale, d: &str) -> Option<String> {
    let n = d.chars().count();
    if n > 64 {
        return Some(td_string!(locale, cluster_nodes.description_length, n = n).to_string());
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(td_string!(locale, cluster_nodes.description_http).into());
    }
    None
}

/// What is wrong with the read/write mode: ReadWrite or ReadOnly.
pub fn mode_problem(locale: Locale, mode: &str) -> Option<String> {
    match mode {
        "ReadWrite" | "ReadOnly" => None,
        _ => Some(td_string!(locale, cluster_nodes.mode_invalid).into()),
    }
}

/// What is wrong with the nodes of an endpoint (10.2, 10.4), given as role names
/// (`Writer`, `Reader1`, …): at least one; a ReadWrite endpoint needs at least two,
/// including the primary node (`Writer`).
pub fn endpoint_nodes_problem(locale: Locale, mode: &str, nodes: &[String]) -> Option<String> {
    if nodes.is_empty() {
        return Some(td_string!(locale, cluster_nodes.nodes_none).into());
    }
    if mode == "ReadWrite" {
        if nodes.len() < 2 {
            return Some(td_string!(locale, cluster_nodes.read_write_two).into());
        }
        if !nodes.iter().any(|n| n == "Writer") {
            return Some(td_string!(locale, cluster_nodes.read_write_primary).into());
        }
    }
    None
}

/// What is wrong with a consistency level (EndpointConfig ConsistLevel, 10.2): 0
/// (eventual) or 1 (session); 2 (global) is for PolarDB for MySQL only; a ReadOnly
/// endpoint takes 0 only.
pub fn consist_level_problem(locale: Locale, mode: &str, level: &str) -> Option<String> {
    match level {
        "0" => None,
        "1" if mode == "ReadOnly" => {
            Some(td_string!(locale, cluster_nodes.read_only_eventual).into())
        }
        "1" => None,
        "2" => Some(td_string!(locale, cluster_nodes.global_mysql).into()),
        _ => Some(td_string!(locale, cluster_nodes.level_invalid).into()),
    }
}

/// What is wrong with auto-adding new nodes: Enable or Disable.
pub fn auto_add_problem(locale: Locale, v: &str) -> Option<String> {
    match v {
        "Enable" | "Disable" => None,
        _ => Some(td_string!(locale, cluster_nodes.auto_add_invalid).into()),
    }
}

/// A consistency level in words.
pub fn consist_label(locale: Locale, level: &str) -> String {
    match level {
        "0" => td_string!(locale, cluster_nodes.level_eventual).into(),
        "1" => td_string!(locale, cluster_nodes.level_session).into(),
        "2" => td_string!(locale, cluster_nodes.level_global).into(),
        "" => "—".into(),
        other => other.into(),
    }
}

/// One setting of an endpoint's EndpointConfig JSON (values may be strings or numbers).
pub fn config_value(config: &str, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(config).ok()?;
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The endpoint's EndpointConfig with ConsistLevel set to `level`; other settings kept.
pub fn merged_config(existing: &str, level: &str) -> String {
    let mut map = match serde_json::from_str::<serde_json::Value>(existing) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    map.insert(
        "ConsistLevel".into(),
        serde_json::Value::String(level.into()),
    );
    serde_json::Value::Object(map).to_string()
}

/// Role names PolarDB for PostgreSQL uses for endpoint nodes, in the cluster's node order:
/// the primary is `Writer`, the read-only nodes `Reader1`, `Reader2`, … Returns (node id,
/// role name).
pub fn role_names(nodes: &[(String, String)]) -> Vec<(String, String)> {
    let mut reader = 0;
    nodes
        .iter()
        .map(|(id, role)| {
            if role == "Writer" {
                (id.clone(), "Writer".to_string())
            } else {
                reader += 1;
                (id.clone(), format!("Reader{reader}"))
            }
        })
        .collect()
}

/// The prefix of a connection string: what comes before its first dot.
pub fn prefix_of(connection_string: &str) -> String {
    connection_string
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn type_label(locale: Locale, kind: &str) -> String {
    match kind {
        "Primary" => td_string!(locale, cluster_nodes.type_primary).into(),
        "Cluster" => td_string!(locale, cluster_nodes.type_cluster).into(),
        "Custom" => td_string!(locale, cluster_nodes.type_custom).into(),
        other => crate::kit::api_word_in(locale, other),
    }
}

fn mode_label(locale: Locale, mode: &str) -> String {
    match mode {
        "ReadWrite" => td_string!(locale, cluster_nodes.mode_read_write).into(),
        "ReadOnly" => td_string!(locale, cluster_nodes.mode_read_only).into(),
        "" => "—".into(),
        other => crate::kit::api_word_in(locale, other),
    }
}

fn net_label(locale: Locale, net: &str) -> String {
    match net {
        "Private" => td_string!(locale, cluster_nodes.net_private).into(),
        "Public" => td_string!(locale, cluster_nodes.net_public).into(),
        "Inner" => td_string!(locale, cluster_nodes.net_inner).into(),
        other => crate::kit::api_word_in(locale, other),
    }
}

/// An address's network as a word inside a sentence ("the public address").
fn net_word(locale: Locale, net: &str) -> String {
    match net {
        "Public" => td_string!(locale, cluster_nodes.address_word_public).into(),
        "Private" => td_string!(locale, cluster_nodes.address_word_private).into(),
        other => other.to_lowercase(),
    }
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The endpoints of a cluster and which endpoint changes the user may make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointsData {
    pub items: Vec<Endpoint>,
    pub allowed: Vec<String>,
}

/// One endpoint as this page shows it (from DescribeDBClusterEndpoints' `Items`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub db_endpoint_id: String,
    /// `Primary`, `Cluster` or `Custom`.
    pub endpoint_type: String,
    pub db_endpoint_description: String,
    pub read_write_mode: String,
    pub auto_add_new_nodes: String,
    /// The EndpointConfig JSON.
    pub endpoint_config: String,
    /// Node IDs, comma-separated.
    pub nodes: String,
    pub address_items: Vec<Address>,
}

/// One address of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// `Private`, `Public` or `Inner`.
    pub net_type: String,
    pub connection_string: String,
    pub port: String,
    pub ip_address: String,
    pub vpc_id: String,
}

#[cfg(feature = "ssr")]
impl From<polardb::models::DBClusterEndpoint> for Endpoint {
    fn from(e: polardb::models::DBClusterEndpoint) -> Self {
        Endpoint {
            db_endpoint_id: e.db_endpoint_id,
            endpoint_type: e.endpoint_type,
            db_endpoint_description: e.db_endpoint_description,
            read_write_mode: e.read_write_mode,
            auto_add_new_nodes: e.auto_add_new_nodes,
            endpoint_config: e.endpoint_config,
            nodes: e.nodes,
            address_items: e
                .address_items
                .into_iter()
                .map(|a| Address {
                    net_type: a.net_type,
                    connection_string: a.connection_string,
                    port: a.port,
                    ip_address: a.ip_address,
                    vpc_id: a.vpc_id,
                })
                .collect(),
        }
    }
}

impl EndpointsData {
    pub fn can(&self, action: &str) -> bool {
        self.allowed.iter().any(|a| a == action)
    }
}

/// The settings of a custom or default endpoint as a form sends them: `nodes` are role
/// names (`Writer`, `Reader1`, …), `config` the full EndpointConfig JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSettings {
    pub mode: String,
    pub nodes: Vec<String>,
    pub auto_add: String,
    pub config: String,
    pub description: String,
}

/// Checks the settings of a custom or default endpoint; `nodes` are role names. Problems
/// are said in `locale`.
#[cfg(feature = "ssr")]
fn check_settings(
    locale: Locale,
    mode: &str,
    nodes: &[String],
    auto_add: &str,
    config: &str,
    description: Option<&str>,
) -> Result<(), AppError> {
    if let Some(p) = mode_problem(locale, mode) {
        return Err(invalid("Read/write mode", p));
    }
    if let Some(p) = endpoint_nodes_problem(locale, mode, nodes) {
        return Err(invalid("Nodes", p));
    }
    if let Some(p) = auto_add_problem(locale, auto_add) {
        return Err(invalid("Add new nodes automatically", p));
    }
    match serde_json::from_str::<serde_json::Value>(config) {
        Ok(serde_json::Value::Object(_)) => {}
        _ => {
            return Err(invalid(
                "Settings",
                td_string!(locale, cluster_nodes.config_object),
            ))
        }
    }
    if let Some(level) = config_value(config, "ConsistLevel") {
        if let Some(p) = consist_level_problem(locale, mode, &level) {
            return Err(invalid("Consistency level", p));
        }
    }
    if let Some(d) = description {
        if let Some(p) = endpoint_description_problem(locale, d) {
            return Err(invalid("Name", p));
        }
    }
    Ok(())
}

/// The endpoint a settings form is about: `None` for a new custom endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
struct EndpointTarget {
    id: Option<String>,
    kind: String,
    config: String,
}

/// The address an address form is about.
#[derive(Clone, Debug, PartialEq, Eq)]
struct AddressTarget {
    endpoint: String,
    net_type: String,
    /// False: a new public address.
    exists: bool,
    prefix: String,
    port: String,
}

/// The last successful change, said in the language in use by [`done_words`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Done {
    Created,
    Modified,
    Deleted,
    AddressCreated,
    AddressChanged,
    AddressReleased,
}

fn done_words(locale: Locale, done: Done) -> &'static str {
    match done {
        Done::Created => td_string!(locale, cluster_nodes.done_created),
        Done::Modified => td_string!(locale, cluster_nodes.done_modified),
        Done::Deleted => td_string!(locale, cluster_nodes.done_deleted),
        Done::AddressCreated => td_string!(locale, cluster_nodes.done_address_created),
        Done::AddressChanged => td_string!(locale, cluster_nodes.done_address_changed),
        Done::AddressReleased => td_string!(locale, cluster_nodes.done_address_released),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Confirm {
    DeleteEndpoint { id: String, name: String },
    ReleaseAddress { endpoint: String, address: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    const EN: Locale = Locale::en;

    #[test]
    fn prefixes_follow_the_reference() {
        assert_eq!(prefix_problem(EN, "test-1a"), None);
        assert_eq!(prefix_problem(EN, "abcdef"), None);
        assert_eq!(prefix_problem(EN, &"a".repeat(30)), None);
        assert!(prefix_problem(EN, "abcde").unwrap().contains("6 to 30"));
        assert!(prefix_problem(EN, &"a".repeat(31))
            .unwrap()
            .contains("6 to 30"));
        assert!(prefix_problem(EN, "Abcdef").unwrap().contains("lowercase"));
        assert!(prefix_problem(EN, "abc_def").unwrap().contains("hyphens"));
        assert!(prefix_problem(EN, "1abcdef").unwrap().contains("start"));
        assert!(prefix_problem(EN, "-abcdef").unwrap().contains("start"));
        assert!(prefix_problem(EN, "abcdef-").unwrap().contains("end"));
        assert_eq!(prefix_problem(EN, "abcde9"), None);
    }

    #[test]
    fn ports_are_3000_to_5999() {
        assert_eq!(port_problem(EN, "3000"), None);
        assert_eq!(port_problem(EN, "5999"), None);
        assert_eq!(port_problem(EN, "5433"), None);
        assert!(port_problem(EN, "2999").is_some());
        assert!(port_problem(EN, "6000").is_some());
        assert!(port_problem(EN, "abc").unwrap().contains("whole number"));
        assert!(port_problem(EN, "").is_some());
    }

    #[test]
    fn endpoint_nodes_and_modes() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            endpoint_nodes_problem(EN, "ReadOnly", &v(&["Reader1"])),
            None
        );
        assert!(endpoint_nodes_problem(EN, "ReadOnly", &[]).is_some());
        assert!(endpoint_nodes_problem(EN, "ReadWrite", &v(&["Writer"]))
            .unwrap()
            .contains("at least two"));
        assert!(
            endpoint_nodes_problem(EN, "ReadWrite", &v(&["Reader1", "Reader2"]))
                .unwrap()
                .contains("primary")
        );
        assert_eq!(
            endpoint_nodes_problem(EN, "ReadWrite", &v(&["Writer", "Reader1"])),
            None
        );
        assert_eq!(mode_problem(EN, "ReadWrite"), None);
        assert!(mode_problem(EN, "WriteOnly").is_some());
        assert_eq!(auto_add_problem(EN, "Enable"), None);
        assert!(auto_add_problem(EN, "yes").is_some());
    }

    #[test]
    fn consistency_levels() {
        assert_eq!(consist_level_problem(EN, "ReadOnly", "0"), None);
        assert!(consist_level_problem(EN, "ReadOnly", "1")
            .unwrap()
            .contains("ReadOnly"));
        assert_eq!(consist_level_problem(EN, "ReadWrite", "1"), None);
        assert!(consist_level_problem(EN, "ReadWrite", "2")
            .unwrap()
            .contains("MySQL"));
        assert!(consist_level_problem(EN, "ReadWrite", "x").is_some());
        assert_eq!(
            config_value(
                r#"{"ConsistLevel":"1","LoadBalanceStrategy":"load"}"#,
                "ConsistLevel"
            )
            .as_deref(),
            Some("1")
        );
        assert_eq!(config_value("{}", "ConsistLevel"), None);
        let merged = merged_config(r#"{"ConsistLevel":"1","LoadBalanceStrategy":"load"}"#, "0");
        assert_eq!(config_value(&merged, "ConsistLevel").as_deref(), Some("0"));
        assert_eq!(
            config_value(&merged, "LoadBalanceStrategy").as_deref(),
            Some("load")
        );
        assert_eq!(merged_config("", "1"), r#"{"ConsistLevel":"1"}"#);
    }

    #[test]
    fn descriptions_and_roles() {
        assert_eq!(endpoint_description_problem(EN, ""), None);
        assert_eq!(endpoint_description_problem(EN, "reporting"), None);
        assert!(endpoint_description_problem(EN, &"a".repeat(65)).is_some());
        assert!(endpoint_description_problem(EN, "https://x").is_some());
        let nodes = vec![
            ("pi-1".to_string(), "Reader".to_string()),
            ("pi-2".to_string(), "Writer".to_string()),
            ("pi-3".to_string(), "Reader".to_string()),
        ];
        let names: Vec<String> = role_names(&nodes).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["Reader1", "Writer", "Reader2"]);
        assert_eq!(
            prefix_of("pc-abc.rwlb.polardb-pg-public.rds.aliyuncs.com"),
            "pc-abc"
        );
    }
}
