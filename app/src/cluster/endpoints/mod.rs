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
/// hyphens, starting with a letter and ending with a letter or a digit.
pub fn prefix_problem(p: &str) -> Option<String> {
    let n = p.chars().count();
    if !(6..=30).contains(&n) {
        return Some(format!("must have 6 to 30 characters (this has {n})"));
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "may contain only lowercase letters, digits and hyphens (not {c:?})"
        ));
    }
    if !p.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("must start with a lowercase letter".into());
    }
    if !p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("must end with a letter or a digit".into());
    }
    None
}

/// What is wrong with a port (ModifyDBEndpointAddress 10.5): a whole number from 3000 to 5999.
pub fn port_problem(p: &str) -> Option<String> {
    match p.trim().parse::<u32>() {
        Ok(n) if (3000..=5999).contains(&n) => None,
        Ok(_) => Some("must be from 3000 to 5999".into()),
        Err(_) => Some("must be a whole number from 3000 to 5999".into()),
    }
}

/// What is wrong with a custom endpoint's name (DBEndpointDescription): optional, at most
/// 64 characters, not starting with `http://` or `https://`.
pub fn endpoint_description_problem(d: &str) -> Option<String> {
    let n = d.chars().count();
    if n > 64 {
        return Some(format!("must have at most 64 characters (this has {n})"));
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some("must not start with http:// or https://".into());
    }
    None
}

/// What is wrong with the read/write mode: ReadWrite or ReadOnly.
pub fn mode_problem(mode: &str) -> Option<String> {
    match mode {
        "ReadWrite" | "ReadOnly" => None,
        _ => Some("must be ReadWrite or ReadOnly".into()),
    }
}

/// What is wrong with the nodes of an endpoint (10.2, 10.4), given as role names
/// (`Writer`, `Reader1`, …): at least one; a ReadWrite endpoint needs at least two,
/// including the primary node (`Writer`).
pub fn endpoint_nodes_problem(mode: &str, nodes: &[String]) -> Option<String> {
    if nodes.is_empty() {
        return Some("choose at least one node".into());
    }
    if mode == "ReadWrite" {
        if nodes.len() < 2 {
            return Some("a ReadWrite endpoint needs at least two nodes".into());
        }
        if !nodes.iter().any(|n| n == "Writer") {
            return Some("a ReadWrite endpoint of PolarDB for PostgreSQL must include the primary node (Writer)".into());
        }
    }
    None
}

/// What is wrong with a consistency level (EndpointConfig ConsistLevel, 10.2): 0
/// (eventual) or 1 (session); 2 (global) is for PolarDB for MySQL only; a ReadOnly
/// endpoint takes 0 only.
pub fn consist_level_problem(mode: &str, level: &str) -> Option<String> {
    match level {
        "0" => None,
        "1" if mode == "ReadOnly" => {
            Some("a ReadOnly endpoint takes eventual consistency (0) only".into())
        }
        "1" => None,
        "2" => Some("global consistency (2) is for PolarDB for MySQL only".into()),
        _ => Some("must be 0 (eventual) or 1 (session)".into()),
    }
}

/// What is wrong with auto-adding new nodes: Enable or Disable.
pub fn auto_add_problem(v: &str) -> Option<String> {
    match v {
        "Enable" | "Disable" => None,
        _ => Some("must be Enable or Disable".into()),
    }
}

/// A consistency level in words.
pub fn consist_label(level: &str) -> String {
    match level {
        "0" => "Eventual (0)".into(),
        "1" => "Session (1)".into(),
        "2" => "Global (2)".into(),
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

fn type_label(kind: &str) -> &str {
    match kind {
        "Primary" => "Primary endpoint",
        "Cluster" => "Default cluster endpoint",
        "Custom" => "Custom cluster endpoint",
        other => other,
    }
}

fn mode_label(mode: &str) -> &str {
    match mode {
        "ReadWrite" => "Read/write (automatic read/write splitting)",
        "ReadOnly" => "Read-only",
        "" => "—",
        other => other,
    }
}

fn net_label(net: &str) -> &str {
    match net {
        "Private" => "Private (VPC)",
        "Public" => "Public (internet)",
        "Inner" => "Classic network",
        other => other,
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

/// Checks the settings of a custom or default endpoint; `nodes` are role names.
#[cfg(feature = "ssr")]
fn check_settings(
    mode: &str,
    nodes: &[String],
    auto_add: &str,
    config: &str,
    description: Option<&str>,
) -> Result<(), AppError> {
    if let Some(p) = mode_problem(mode) {
        return Err(invalid("Read/write mode", p));
    }
    if let Some(p) = endpoint_nodes_problem(mode, nodes) {
        return Err(invalid("Nodes", p));
    }
    if let Some(p) = auto_add_problem(auto_add) {
        return Err(invalid("Add new nodes automatically", p));
    }
    match serde_json::from_str::<serde_json::Value>(config) {
        Ok(serde_json::Value::Object(_)) => {}
        _ => return Err(invalid("Settings", "EndpointConfig must be a JSON object")),
    }
    if let Some(level) = config_value(config, "ConsistLevel") {
        if let Some(p) = consist_level_problem(mode, &level) {
            return Err(invalid("Consistency level", p));
        }
    }
    if let Some(d) = description {
        if let Some(p) = endpoint_description_problem(d) {
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

#[derive(Clone, Debug, PartialEq, Eq)]
enum Confirm {
    DeleteEndpoint { id: String, name: String },
    ReleaseAddress { endpoint: String, address: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_follow_the_reference() {
        assert_eq!(prefix_problem("test-1a"), None);
        assert_eq!(prefix_problem("abcdef"), None);
        assert_eq!(prefix_problem(&"a".repeat(30)), None);
        assert!(prefix_problem("abcde").unwrap().contains("6 to 30"));
        assert!(prefix_problem(&"a".repeat(31)).unwrap().contains("6 to 30"));
        assert!(prefix_problem("Abcdef").unwrap().contains("lowercase"));
        assert!(prefix_problem("abc_def").unwrap().contains("hyphens"));
        assert!(prefix_problem("1abcdef").unwrap().contains("start"));
        assert!(prefix_problem("-abcdef").unwrap().contains("start"));
        assert!(prefix_problem("abcdef-").unwrap().contains("end"));
        assert_eq!(prefix_problem("abcde9"), None);
    }

    #[test]
    fn ports_are_3000_to_5999() {
        assert_eq!(port_problem("3000"), None);
        assert_eq!(port_problem("5999"), None);
        assert_eq!(port_problem("5433"), None);
        assert!(port_problem("2999").is_some());
        assert!(port_problem("6000").is_some());
        assert!(port_problem("abc").unwrap().contains("whole number"));
        assert!(port_problem("").is_some());
    }

    #[test]
    fn endpoint_nodes_and_modes() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(endpoint_nodes_problem("ReadOnly", &v(&["Reader1"])), None);
        assert!(endpoint_nodes_problem("ReadOnly", &[]).is_some());
        assert!(endpoint_nodes_problem("ReadWrite", &v(&["Writer"]))
            .unwrap()
            .contains("at least two"));
        assert!(
            endpoint_nodes_problem("ReadWrite", &v(&["Reader1", "Reader2"]))
                .unwrap()
                .contains("primary")
        );
        assert_eq!(
            endpoint_nodes_problem("ReadWrite", &v(&["Writer", "Reader1"])),
            None
        );
        assert_eq!(mode_problem("ReadWrite"), None);
        assert!(mode_problem("WriteOnly").is_some());
        assert_eq!(auto_add_problem("Enable"), None);
        assert!(auto_add_problem("yes").is_some());
    }

    #[test]
    fn consistency_levels() {
        assert_eq!(consist_level_problem("ReadOnly", "0"), None);
        assert!(consist_level_problem("ReadOnly", "1")
            .unwrap()
            .contains("ReadOnly"));
        assert_eq!(consist_level_problem("ReadWrite", "1"), None);
        assert!(consist_level_problem("ReadWrite", "2")
            .unwrap()
            .contains("MySQL"));
        assert!(consist_level_problem("ReadWrite", "x").is_some());
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
        assert_eq!(endpoint_description_problem(""), None);
        assert_eq!(endpoint_description_problem("reporting"), None);
        assert!(endpoint_description_problem(&"a".repeat(65)).is_some());
        assert!(endpoint_description_problem("https://x").is_some());
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
