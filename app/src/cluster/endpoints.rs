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
use polardb::models::DBClusterEndpoint;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::{follow_cluster, load_error, ClusterCtx, ClusterData};
use crate::kit::{
    change_error, problem_line, ConfirmDialog, Dialog, DialogActions, Field, FieldHint, Loading,
    StatusBadge,
};
use crate::AppError;

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
    pub items: Vec<DBClusterEndpoint>,
    pub allowed: Vec<String>,
}

impl EndpointsData {
    pub fn can(&self, action: &str) -> bool {
        self.allowed.iter().any(|a| a == action)
    }
}

/// Reads the endpoints (DescribeDBClusterEndpoints) and the user's permissions on them.
#[server]
pub async fn load_endpoints(
    account: String,
    region: String,
    cluster: String,
) -> Result<EndpointsData, AppError> {
    let answer = crate::api::call_api(
        account.clone(),
        region.clone(),
        "DescribeDBClusterEndpoints".into(),
        vec![("DBClusterId".into(), cluster.clone())],
    )
    .await?;
    let body: polardb::models::DescribeDBClusterEndpointsResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterEndpoints answer had an unexpected shape: {e}"
            ))
        })?;
    let allowed = crate::api::permissions(
        account,
        region,
        Some(cluster),
        ENDPOINT_ACTIONS
            .iter()
            .map(|a| format!("polardb:{a}"))
            .collect(),
    )
    .await?
    .into_iter()
    .map(|a| a.trim_start_matches("polardb:").to_string())
    .collect();
    Ok(EndpointsData {
        items: body.items,
        allowed,
    })
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

/// Creates a custom endpoint (CreateDBClusterEndpoint). `nodes` are role names
/// (`Writer`, `Reader1`, …). Returns the RequestId.
#[server]
pub async fn create_custom_endpoint(
    account: String,
    region: String,
    cluster: String,
    settings: EndpointSettings,
) -> Result<String, AppError> {
    let EndpointSettings {
        mode,
        nodes,
        auto_add,
        config,
        description,
    } = settings;
    let description = description.trim().to_string();
    check_settings(&mode, &nodes, &auto_add, &config, Some(&description))?;
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("EndpointType".into(), "Custom".into()),
        ("ReadWriteMode".into(), mode),
        ("Nodes".into(), nodes.join(",")),
        ("AutoAddNewNodes".into(), auto_add),
        ("EndpointConfig".into(), config),
    ];
    if !description.is_empty() {
        params.push(("DBEndpointDescription".into(), description));
    }
    let answer =
        crate::api::call_api(account, region, "CreateDBClusterEndpoint".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes an endpoint (ModifyDBClusterEndpoint): mode, nodes, auto-add, settings and, for
/// a custom endpoint, its name. The primary endpoint's settings cannot be changed.
#[server]
pub async fn modify_endpoint(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    kind: String,
    settings: EndpointSettings,
) -> Result<String, AppError> {
    let EndpointSettings {
        mode,
        nodes,
        auto_add,
        config,
        description,
    } = settings;
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    if kind == "Primary" {
        return Err(invalid(
            "Endpoint",
            "the primary endpoint always points at the primary node; its settings cannot be changed",
        ));
    }
    let description = description.trim().to_string();
    let custom = kind == "Custom";
    check_settings(
        &mode,
        &nodes,
        &auto_add,
        &config,
        custom.then_some(description.as_str()),
    )?;
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("DBEndpointId".into(), endpoint),
        ("ReadWriteMode".into(), mode),
        ("Nodes".into(), nodes.join(",")),
        ("AutoAddNewNodes".into(), auto_add),
        ("EndpointConfig".into(), config),
    ];
    if custom {
        params.push(("DBEndpointDescription".into(), description));
    }
    let answer =
        crate::api::call_api(account, region, "ModifyDBClusterEndpoint".into(), params).await?;
    Ok(answer.request_id)
}

/// Deletes a custom endpoint (DeleteDBClusterEndpoint). The primary and the default
/// cluster endpoints cannot be deleted. Returns the RequestId.
#[server]
pub async fn delete_custom_endpoint(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    kind: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    if kind != "Custom" {
        return Err(invalid(
            "Endpoint",
            "only custom endpoints can be deleted; the primary and the default cluster endpoints stay with the cluster",
        ));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteDBClusterEndpoint".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBEndpointId".into(), endpoint),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Creates a public address for an endpoint (CreateDBEndpointAddress, NetType Public). An
/// empty prefix lets the service choose one. Returns the RequestId.
#[server]
pub async fn create_public_address(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    prefix: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    let prefix = prefix.trim().to_string();
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("DBEndpointId".into(), endpoint),
        ("NetType".into(), "Public".into()),
    ];
    if !prefix.is_empty() {
        if let Some(p) = prefix_problem(&prefix) {
            return Err(invalid("Connection string prefix", p));
        }
        params.push(("ConnectionStringPrefix".into(), prefix));
    }
    let answer =
        crate::api::call_api(account, region, "CreateDBEndpointAddress".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes an address's prefix and/or port (ModifyDBEndpointAddress). Empty means
/// unchanged; one of them must change. Returns the RequestId.
#[server]
pub async fn modify_address(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    net_type: String,
    prefix: String,
    port: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    if net_type != "Public" && net_type != "Private" {
        return Err(invalid("Network type", "must be Public or Private"));
    }
    let (prefix, port) = (prefix.trim().to_string(), port.trim().to_string());
    if prefix.is_empty() && port.is_empty() {
        return Err(invalid(
            "Connection string prefix",
            "change the prefix or the port",
        ));
    }
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("DBEndpointId".into(), endpoint),
        ("NetType".into(), net_type),
    ];
    if !prefix.is_empty() {
        if let Some(p) = prefix_problem(&prefix) {
            return Err(invalid("Connection string prefix", p));
        }
        params.push(("ConnectionStringPrefix".into(), prefix));
    }
    if !port.is_empty() {
        if let Some(p) = port_problem(&port) {
            return Err(invalid("Port", p));
        }
        params.push(("Port".into(), port));
    }
    let answer =
        crate::api::call_api(account, region, "ModifyDBEndpointAddress".into(), params).await?;
    Ok(answer.request_id)
}

/// Releases an endpoint's public address (DeleteDBEndpointAddress). Returns the RequestId.
#[server]
pub async fn release_public_address(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteDBEndpointAddress".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBEndpointId".into(), endpoint),
            ("NetType".into(), "Public".into()),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

// ---------------------------------------------------------------------------------------
// Following the cluster.

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/endpoints`.
#[component]
pub fn ClusterEndpointsPage() -> impl IntoView {
    view! {
        <Endpoints />
    }
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

#[component]
fn Endpoints() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let tick = follow_cluster(ctx);
    let scope = ctx.scope;
    let changed = ctx.changed;
    let endpoints = Resource::new(
        move || (scope.get(), changed.get(), tick.get()),
        move |_| async move {
            let d = data.await?;
            load_endpoints(d.account, d.region, d.attr.db_cluster_id).await
        },
    );

    let create = ServerAction::<CreateCustomEndpoint>::new();
    let modify = ServerAction::<ModifyEndpoint>::new();
    let delete = ServerAction::<DeleteCustomEndpoint>::new();
    let add_address = ServerAction::<CreatePublicAddress>::new();
    let change_address = ServerAction::<ModifyAddress>::new();
    let release = ServerAction::<ReleasePublicAddress>::new();

    let form = RwSignal::new(None::<EndpointTarget>);
    let address_form = RwSignal::new(None::<AddressTarget>);
    let confirm = RwSignal::new(None::<Confirm>);
    let done = RwSignal::new(None::<String>);

    // The settings form.
    let mode = RwSignal::new("ReadOnly".to_string());
    let nodes = RwSignal::new(Vec::<String>::new());
    let auto_add = RwSignal::new("Disable".to_string());
    let level = RwSignal::new("0".to_string());
    let description = RwSignal::new(String::new());
    // The address form.
    let prefix = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());

    ctx.after_success(create.value(), move || {
        form.set(None);
        done.set(Some("Custom endpoint created.".into()));
    });
    ctx.after_success(modify.value(), move || {
        form.set(None);
        done.set(Some(
            "Changing the endpoint. The cluster shows CONFIG_SWITCHING until the change is in place."
                .into(),
        ));
    });
    ctx.after_success(delete.value(), move || {
        confirm.set(None);
        done.set(Some("Custom endpoint deleted.".into()));
    });
    ctx.after_success(add_address.value(), move || {
        address_form.set(None);
        done.set(Some(
            "Creating the public address. The cluster shows NetAddressCreating until it is ready."
                .into(),
        ));
    });
    ctx.after_success(change_address.value(), move || {
        address_form.set(None);
        done.set(Some(
            "Changing the address. The cluster shows NetAddressModifying until it is in place."
                .into(),
        ));
    });
    ctx.after_success(release.value(), move || {
        confirm.set(None);
        done.set(Some(
            "Releasing the public address. The cluster shows NetAddressDeleting until it is gone."
                .into(),
        ));
    });

    let current = move || data.get().and_then(|r| r.ok());
    // (node id, role name, node role) in the cluster's order.
    let cluster_nodes = move || -> Vec<(String, String, String)> {
        let Some(d) = current() else {
            return Vec::new();
        };
        let pairs: Vec<(String, String)> = d
            .attr
            .db_nodes
            .iter()
            .map(|n| (n.db_node_id.clone(), n.db_node_role.clone()))
            .collect();
        role_names(&pairs)
            .into_iter()
            .zip(pairs)
            .map(|((id, name), (_, role))| (id, name, role))
            .collect()
    };

    let custom_form = move || form.get().is_some_and(|t| t.kind == "Custom");
    let mode_problem_now = move || mode_problem(&mode.get());
    let nodes_problem_now = move || endpoint_nodes_problem(&mode.get(), &nodes.get());
    let level_problem_now = move || consist_level_problem(&mode.get(), &level.get());
    let description_problem_now = move || {
        if custom_form() {
            endpoint_description_problem(description.get().trim())
        } else {
            None
        }
    };
    let form_problem = move || {
        mode_problem_now()
            .or_else(nodes_problem_now)
            .or_else(level_problem_now)
            .or_else(description_problem_now)
    };
    let prefix_problem_now = move || {
        let p = prefix.get();
        let p = p.trim();
        if p.is_empty() {
            None
        } else {
            prefix_problem(p)
        }
    };
    let port_problem_now = move || {
        let p = port.get();
        let p = p.trim();
        if p.is_empty() {
            None
        } else {
            port_problem(p)
        }
    };
    let address_problem = move || {
        prefix_problem_now().or_else(port_problem_now).or_else(|| {
            let t = address_form.get()?;
            let (p, q) = (prefix.get(), port.get());
            (t.exists
                && (p.trim().is_empty() || p.trim() == t.prefix)
                && (q.trim().is_empty() || q.trim() == t.port))
                .then(|| "change the prefix or the port".to_string())
        })
    };

    let open_create = move |_| {
        mode.set("ReadOnly".into());
        nodes.set(
            cluster_nodes()
                .into_iter()
                .filter(|(_, _, role)| role != "Writer")
                .map(|(_, name, _)| name)
                .collect(),
        );
        auto_add.set("Disable".into());
        level.set("0".into());
        description.set(String::new());
        create.value().set(None);
        done.set(None);
        form.set(Some(EndpointTarget {
            id: None,
            kind: "Custom".into(),
            config: String::new(),
        }));
    };

    let submit_form = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(d), Some(t)) = (current(), form.get_untracked()) else {
            return;
        };
        if form_problem().is_some() {
            return;
        }
        let config = merged_config(&t.config, &level.get_untracked());
        let (account, region, cluster) = (d.account, d.region, d.attr.db_cluster_id);
        let settings = EndpointSettings {
            mode: mode.get_untracked(),
            nodes: nodes.get_untracked(),
            auto_add: auto_add.get_untracked(),
            config,
            description: description.get_untracked().trim().to_string(),
        };
        match t.id {
            None => {
                create.dispatch(CreateCustomEndpoint {
                    account,
                    region,
                    cluster,
                    settings,
                });
            }
            Some(id) => {
                modify.dispatch(ModifyEndpoint {
                    account,
                    region,
                    cluster,
                    endpoint: id,
                    kind: t.kind,
                    settings,
                });
            }
        }
    };

    let submit_address = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(d), Some(t)) = (current(), address_form.get_untracked()) else {
            return;
        };
        if address_problem().is_some() {
            return;
        }
        let (account, region, cluster) = (d.account, d.region, d.attr.db_cluster_id);
        let p = prefix.get_untracked().trim().to_string();
        if t.exists {
            let q = port.get_untracked().trim().to_string();
            change_address.dispatch(ModifyAddress {
                account,
                region,
                cluster,
                endpoint: t.endpoint,
                net_type: t.net_type,
                prefix: if p == t.prefix { String::new() } else { p },
                port: if q == t.port { String::new() } else { q },
            });
        } else {
            add_address.dispatch(CreatePublicAddress {
                account,
                region,
                cluster,
                endpoint: t.endpoint,
                prefix: p,
            });
        }
    };

    let confirm_change = move || {
        let (Some(d), Some(c)) = (current(), confirm.get_untracked()) else {
            return;
        };
        let (account, region, cluster) = (d.account, d.region, d.attr.db_cluster_id);
        match c {
            Confirm::DeleteEndpoint { id, .. } => {
                delete.dispatch(DeleteCustomEndpoint {
                    account,
                    region,
                    cluster,
                    endpoint: id,
                    kind: "Custom".into(),
                });
            }
            Confirm::ReleaseAddress { endpoint, .. } => {
                release.dispatch(ReleasePublicAddress {
                    account,
                    region,
                    cluster,
                    endpoint,
                });
            }
        }
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="endpoints-done">{m}</div> })}
        <Transition fallback=|| view! { <Loading label="Reading the endpoints…" /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d: ClusterData = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let e = match endpoints.await {
                    Ok(e) => e,
                    Err(e) => return load_error(e, id),
                };
                let running = d.running();
                let names = {
                    let pairs: Vec<(String, String)> = d.attr.db_nodes.iter().map(|n| (n.db_node_id.clone(), n.db_node_role.clone())).collect();
                    role_names(&pairs)
                };
                let name_of = move |node: &str| -> String {
                    names.iter().find(|(i, _)| i == node).map(|(_, n)| format!("{n} ({node})")).unwrap_or_else(|| node.to_string())
                };
                let customs = e.items.iter().filter(|x| x.endpoint_type == "Custom").count();
                let can_create = e.can("CreateDBClusterEndpoint");
                let can_modify = e.can("ModifyDBClusterEndpoint");
                let can_delete = e.can("DeleteDBClusterEndpoint");
                let can_add_address = e.can("CreateDBEndpointAddress");
                let can_change_address = e.can("ModifyDBEndpointAddress");
                let can_release = e.can("DeleteDBEndpointAddress");
                let full = customs >= MAX_CUSTOM;
                let not_running = (!running).then(|| format!(
                    "The cluster is {}; endpoint changes wait until it is Running.",
                    d.attr.db_cluster_status
                ));
                let mut items = e.items.clone();
                let order = |k: &str| match k { "Primary" => 0, "Cluster" => 1, _ => 2 };
                items.sort_by_key(|x| order(&x.endpoint_type));
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="endpoints-summary">
                            {format!("{} endpoints: {} custom (at most {}). ", items.len(), customs, MAX_CUSTOM)}
                            {not_running.clone().map(|m| view! { <span class="refusal">{m}</span> " " <StatusBadge status=d.attr.db_cluster_status.clone() /> })}
                        </p>
                        <div class="toolbar-actions">
                            {can_create.then(|| view! {
                                <button type="button" class="small" data-testid="create-endpoint"
                                    disabled=move || !hydrated.get() || !running || full
                                    title=full.then_some("This cluster has the most custom endpoints it can have (7).")
                                    on:click=open_create>"Create custom endpoint"</button>
                            })}
                        </div>
                    </div>
                    <div class="endpoint-list" data-testid="endpoint-list">
                        {items.into_iter().map(|ep| {
                            let kind = ep.endpoint_type.clone();
                            let custom = kind == "Custom";
                            let level_now = config_value(&ep.endpoint_config, "ConsistLevel").unwrap_or_default();
                            let balance = config_value(&ep.endpoint_config, "LoadBalanceStrategy");
                            let node_list = ep.nodes.split(',').filter(|s| !s.is_empty()).map(&name_of).collect::<Vec<_>>().join(", ");
                            let node_ids: Vec<String> = ep.nodes.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
                            let has_public = ep.address_items.iter().any(|a| a.net_type == "Public");
                            let title = if custom && !ep.db_endpoint_description.is_empty() {
                                format!("{} · {}", type_label(&kind), ep.db_endpoint_description)
                            } else {
                                type_label(&kind).to_string()
                            };
                            let edit_target = EndpointTarget { id: Some(ep.db_endpoint_id.clone()), kind: kind.clone(), config: ep.endpoint_config.clone() };
                            let edit_mode = ep.read_write_mode.clone();
                            let edit_auto = ep.auto_add_new_nodes.clone();
                            let edit_level = if level_now.is_empty() { "1".to_string() } else { level_now.clone() };
                            let edit_desc = ep.db_endpoint_description.clone();
                            let role_map: Vec<(String, String)> = {
                                let pairs: Vec<(String, String)> = d.attr.db_nodes.iter().map(|n| (n.db_node_id.clone(), n.db_node_role.clone())).collect();
                                role_names(&pairs)
                            };
                            let edit_nodes: Vec<String> = node_ids.iter().filter_map(|i| role_map.iter().find(|(x, _)| x == i).map(|(_, n)| n.clone())).collect();
                            let eid = ep.db_endpoint_id.clone();
                            let eid_pub = eid.clone();
                            let confirm_delete = Confirm::DeleteEndpoint {
                                id: eid.clone(),
                                name: if ep.db_endpoint_description.is_empty() { eid.clone() } else { format!("{} ({})", ep.db_endpoint_description, eid) },
                            };
                            view! {
                                <section class="panel endpoint" data-testid="endpoint" data-endpoint-id=eid.clone() data-type=kind.clone()>
                                    <div class="endpoint-head">
                                        <h2>{title}</h2>
                                        <span class="mono muted">{eid.clone()}</span>
                                    </div>
                                    <dl class="kv endpoint-settings">
                                        <dt>"Read/write mode"</dt><dd data-testid="endpoint-mode" data-mode=ep.read_write_mode.clone()>{mode_label(&ep.read_write_mode).to_string()}</dd>
                                        <dt>"Nodes"</dt><dd data-testid="endpoint-nodes">{if node_list.is_empty() { "—".to_string() } else { node_list }}</dd>
                                        <dt>"New nodes join"</dt><dd data-testid="endpoint-auto-add">{match ep.auto_add_new_nodes.as_str() { "Enable" => "Automatically (Enable)", "Disable" => "No (Disable)", _ => "—" }}</dd>
                                        {(!level_now.is_empty()).then(|| view! { <dt>"Consistency level"</dt><dd data-testid="endpoint-consistency">{consist_label(&level_now)}</dd> })}
                                        {balance.map(|b| view! { <dt>"Load balancing"</dt><dd>{if b == "load" { "By load (load)".to_string() } else { b }}</dd> })}
                                        {custom.then(|| view! { <dt>"Name"</dt><dd data-testid="endpoint-description">{if ep.db_endpoint_description.is_empty() { "—".to_string() } else { ep.db_endpoint_description.clone() }}</dd> })}
                                    </dl>
                                    <div class="table-wrap">
                                        <table class="grid addresses" data-testid="addresses">
                                            <thead><tr><th>"Network"</th><th>"Connection string"</th><th>"Port"</th><th>"IP address"</th><th>"VPC"</th><th></th></tr></thead>
                                            <tbody>
                                                {ep.address_items.iter().map(|a| {
                                                    let public = a.net_type == "Public";
                                                    let target = AddressTarget {
                                                        endpoint: eid.clone(),
                                                        net_type: a.net_type.clone(),
                                                        exists: true,
                                                        prefix: prefix_of(&a.connection_string),
                                                        port: a.port.clone(),
                                                    };
                                                    let release_target = Confirm::ReleaseAddress { endpoint: eid.clone(), address: a.connection_string.clone() };
                                                    view! {
                                                        <tr data-net-type=a.net_type.clone()>
                                                            <td class="nowrap">{net_label(&a.net_type).to_string()}</td>
                                                            <td class="mono" data-testid="address-connection">{a.connection_string.clone()}</td>
                                                            <td class="mono" data-testid="address-port">{a.port.clone()}</td>
                                                            <td class="mono">{a.ip_address.clone()}</td>
                                                            <td class="mono">{if a.vpc_id.is_empty() { "—".to_string() } else { a.vpc_id.clone() }}</td>
                                                            <td><div class="row-actions">
                                                                {(can_change_address && (public || a.net_type == "Private")).then(|| view! {
                                                                    <button type="button" class="small" data-testid="edit-address"
                                                                        disabled=move || !hydrated.get() || !running
                                                                        on:click={
                                                                            let t = target.clone();
                                                                            move |_| {
                                                                                prefix.set(t.prefix.clone());
                                                                                port.set(t.port.clone());
                                                                                change_address.value().set(None);
                                                                                done.set(None);
                                                                                address_form.set(Some(t.clone()));
                                                                            }
                                                                        }>"Change"</button>
                                                                })}
                                                                {(can_release && public).then(|| view! {
                                                                    <button type="button" class="small danger" data-testid="release-address"
                                                                        disabled=move || !hydrated.get() || !running
                                                                        on:click={
                                                                            let c = release_target.clone();
                                                                            move |_| {
                                                                                release.value().set(None);
                                                                                done.set(None);
                                                                                confirm.set(Some(c.clone()));
                                                                            }
                                                                        }>"Release"</button>
                                                                })}
                                                            </div></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <div class="endpoint-actions row-actions">
                                        {(can_add_address && !has_public).then(|| view! {
                                            <button type="button" class="small" data-testid="add-public-address"
                                                disabled=move || !hydrated.get() || !running
                                                on:click={
                                                    let endpoint = eid_pub.clone();
                                                    move |_| {
                                                        prefix.set(String::new());
                                                        port.set(String::new());
                                                        add_address.value().set(None);
                                                        done.set(None);
                                                        address_form.set(Some(AddressTarget { endpoint: endpoint.clone(), net_type: "Public".into(), exists: false, prefix: String::new(), port: String::new() }));
                                                    }
                                                }>"Create public address"</button>
                                        })}
                                        {(can_modify && kind != "Primary").then(|| view! {
                                            <button type="button" class="small" data-testid="edit-endpoint"
                                                disabled=move || !hydrated.get() || !running
                                                on:click={
                                                    let t = edit_target.clone();
                                                    let (m, a, l, ds, ns) = (edit_mode.clone(), edit_auto.clone(), edit_level.clone(), edit_desc.clone(), edit_nodes.clone());
                                                    move |_| {
                                                        mode.set(m.clone());
                                                        auto_add.set(a.clone());
                                                        level.set(l.clone());
                                                        description.set(ds.clone());
                                                        nodes.set(ns.clone());
                                                        modify.value().set(None);
                                                        done.set(None);
                                                        form.set(Some(t.clone()));
                                                    }
                                                }>"Change settings"</button>
                                        })}
                                        {(can_delete && custom).then(|| view! {
                                            <button type="button" class="small danger" data-testid="delete-endpoint"
                                                disabled=move || !hydrated.get() || !running
                                                on:click={
                                                    let c = confirm_delete.clone();
                                                    move |_| {
                                                        delete.value().set(None);
                                                        done.set(None);
                                                        confirm.set(Some(c.clone()));
                                                    }
                                                }>"Delete endpoint"</button>
                                        })}
                                    </div>
                                    {(!custom).then(|| view! {
                                        <p class="muted small-print" data-testid="endpoint-permanent">
                                            {if kind == "Primary" {
                                                "The primary endpoint always points at the primary node; it cannot be deleted and its settings cannot be changed."
                                            } else {
                                                "The default cluster endpoint stays with the cluster: it cannot be deleted."
                                            }}
                                        </p>
                                    })}
                                </section>
                            }
                        }).collect_view()}
                    </div>
                }
                .into_any()
            })}
        </Transition>

        // Forms and confirmations live outside the refreshing list: nothing resets them.
        {move || form.get().map(|t| {
            let creating = t.id.is_none();
            let custom = t.kind == "Custom";
            let heading = match &t.id {
                None => "Create a custom endpoint".to_string(),
                Some(id) => format!("Change {} {id}", type_label(&t.kind).to_lowercase()),
            };
            let pending = move || create.pending().get() || modify.pending().get();
            let problem = |p: Option<String>, subject: &'static str| p.map(|p| problem_line(subject, &p));
            view! {
                <Dialog title_id="endpoint-form-title" title=heading testid="endpoint-form" on_close=move || form.set(None)>
                    <form class="stack-form" on:submit=submit_form>
                        <Field label="Read/write mode" problem=Signal::derive(move || problem(mode_problem_now(), "Read/write mode"))>
                            <select data-testid="endpoint-mode-select" data-autofocus prop:value=move || mode.get()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if v == "ReadOnly" { level.set("0".into()); }
                                    mode.set(v);
                                }>
                                <option value="ReadOnly">"Read-only"</option>
                                <option value="ReadWrite">"Read/write (automatic read/write splitting)"</option>
                            </select>
                        </Field>
                        <fieldset class="node-picker" data-testid="endpoint-node-picker">
                            <legend>"Nodes"</legend>
                            {move || cluster_nodes().into_iter().map(|(id, name, role)| {
                                let n1 = name.clone();
                                let n2 = name.clone();
                                view! {
                                    <label class="check">
                                        <input type="checkbox" data-node=name.clone()
                                            prop:checked=move || nodes.get().contains(&n1)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let n = n2.clone();
                                                nodes.update(|v| {
                                                    v.retain(|x| *x != n);
                                                    if on { v.push(n); }
                                                });
                                            } />
                                        <span>{format!("{name} · {id}{}", if role == "Writer" { " (primary)" } else { "" })}</span>
                                    </label>
                                }
                            }).collect_view()}
                            <FieldHint testid="endpoint-nodes-problem" problem=Signal::derive(move || problem(nodes_problem_now(), "Nodes:"))
                                hint=Signal::derive(move || if mode.get() == "ReadOnly" && nodes.get().len() == 1 {
                                    "One node works, but if it fails the endpoint may be unavailable for up to an hour; choose two for production.".to_string()
                                } else { String::new() }) />
                        </fieldset>
                        <label>
                            <span>"New nodes join this endpoint"</span>
                            <select data-testid="endpoint-auto-add-select" prop:value=move || auto_add.get()
                                on:change=move |ev| auto_add.set(event_target_value(&ev))>
                                <option value="Disable">"No (Disable)"</option>
                                <option value="Enable">"Automatically (Enable)"</option>
                            </select>
                        </label>
                        <Field label="Consistency level" testid="endpoint-level-problem"
                            problem=Signal::derive(move || problem(level_problem_now(), "Consistency level:"))
                            hint="Global consistency (2) is for PolarDB for MySQL only; a read-only endpoint is eventually consistent.">
                            <select data-testid="endpoint-level-select" prop:value=move || level.get()
                                on:change=move |ev| level.set(event_target_value(&ev))>
                                <option value="0">"Eventual (0)"</option>
                                <option value="1">"Session (1)"</option>
                            </select>
                        </Field>
                        {custom.then(|| view! {
                            <Field label="Name (optional)" testid="endpoint-description-problem"
                                problem=Signal::derive(move || problem(description_problem_now(), "Name"))
                                hint="At most 64 characters.">
                                <input type="text" data-testid="endpoint-description-input" maxlength="80"
                                    prop:value=move || description.get()
                                    on:input=move |ev| description.set(event_target_value(&ev)) />
                            </Field>
                        })}
                        {change_error(create.value())}
                        {change_error(modify.value())}
                        <DialogActions>
                            <button type="button" class="small" on:click=move |_| form.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="submit-endpoint"
                                disabled=move || form_problem().is_some() || pending()>
                                {move || match (pending(), creating) {
                                    (true, _) => "Sending…",
                                    (false, true) => "Create endpoint",
                                    (false, false) => "Save changes",
                                }}
                            </button>
                        </DialogActions>
                    </form>
                </Dialog>
            }
        })}
        {move || address_form.get().map(|t| {
            let heading = if t.exists {
                format!("Change the {} address of {}", t.net_type.to_lowercase(), t.endpoint)
            } else {
                format!("Create a public address for {}", t.endpoint)
            };
            let exists = t.exists;
            let pending = move || add_address.pending().get() || change_address.pending().get();
            let problem = |p: Option<String>, subject: &'static str| p.map(|p| problem_line(subject, &p));
            view! {
                <Dialog title_id="address-form-title" title=heading testid="address-form" on_close=move || address_form.set(None)>
                    {(!exists).then(|| view! { <p class="muted">"The endpoint becomes reachable from the internet at this address; add the clients' addresses to a whitelist before connecting."</p> })}
                    <form class="stack-form" on:submit=submit_address>
                        <Field label=if exists { "Connection string prefix" } else { "Connection string prefix (optional)" }
                            testid="address-prefix-problem"
                            problem=Signal::derive(move || problem(prefix_problem_now(), "Connection string prefix"))
                            hint="6–30 lowercase letters, digits and hyphens; starts with a letter, ends with a letter or digit.">
                            <input type="text" class="mono" data-testid="address-prefix-input" data-autofocus maxlength="40"
                                autocomplete="off" spellcheck="false"
                                placeholder=if exists { "" } else { "chosen by the service" }
                                prop:value=move || prefix.get()
                                on:input=move |ev| prefix.set(event_target_value(&ev)) />
                        </Field>
                        {exists.then(|| view! {
                            <Field label="Port" testid="address-port-problem"
                                problem=Signal::derive(move || problem(port_problem_now(), "Port"))
                                hint="3000–5999. The reference documents the port for PolarDB for MySQL; the service may keep 5432 for PostgreSQL.">
                                <input type="text" class="mono" inputmode="numeric" data-testid="address-port-input" maxlength="5"
                                    prop:value=move || port.get()
                                    on:input=move |ev| port.set(event_target_value(&ev)) />
                            </Field>
                        })}
                        <p class="field-hint" data-testid="address-problem">
                            {move || address_problem().filter(|_| prefix_problem_now().is_none() && port_problem_now().is_none())
                                .map(|p| view! { <span class="muted">{format!("Nothing to change yet: {p}.")}</span> })}
                        </p>
                        {change_error(add_address.value())}
                        {change_error(change_address.value())}
                        <DialogActions>
                            <button type="button" class="small" on:click=move |_| address_form.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="submit-address"
                                disabled=move || address_problem().is_some() || pending()>
                                {move || match (pending(), exists) {
                                    (true, _) => "Sending…",
                                    (false, true) => "Save changes",
                                    (false, false) => "Create address",
                                }}
                            </button>
                        </DialogActions>
                    </form>
                </Dialog>
            }
        })}
        {move || confirm.get().map(|c| {
            let (title, body, button, error) = match &c {
                Confirm::DeleteEndpoint { id, name } => (
                    format!("Delete the custom endpoint {name}?"),
                    format!("{id} and its addresses are released; applications connecting through it lose their connections. This cannot be undone."),
                    "Delete endpoint",
                    change_error(delete.value()).into_any(),
                ),
                Confirm::ReleaseAddress { endpoint, address } => (
                    format!("Release the public address of {endpoint}?"),
                    format!("{address} stops answering; clients connecting over the internet through it lose their connections."),
                    "Release address",
                    change_error(release.value()).into_any(),
                ),
            };
            let pending = Signal::derive(move || delete.pending().get() || release.pending().get());
            view! {
                <ConfirmDialog title_id="endpoint-confirm-title" title=title on_close=move || confirm.set(None)
                    on_confirm=confirm_change pending=pending button=button>
                    <p>{body}</p>
                    {error}
                </ConfirmDialog>
            }
        })}
    }
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
