//! Typed requests and responses for every action of the API. Field names are the API's
//! own (PascalCase) and the JSON shapes are the official SDK models' (list wrappers such as
//! `Items.DBCluster[]`).
//!
//! * Requests carry the parameters of the API reference's tables (common parameters and
//!   `Action` left out): required ones as plain values, optional ones as `Option`, `Name.N`
//!   lists as `Vec` (flattened to `Name.1`, `Name.2`, … by [`Action::to_params`]).
//!   Parameters the API takes as comma-separated or JSON text stay `String`.
//! * Responses follow the SDK's response-body models (a superset of the reference's
//!   fields). Every response struct is `#[serde(default)]`, so a field the service leaves
//!   out becomes its default instead of an error.
//! * [`ACTIONS`] lists every action with its kind and resource scope.
//!
//! Files follow the reference's chapters: `regions` (05), `clusters` (06), `security`
//! (07, 11), `nodes` (08), `parameters` (09), `endpoints` (10), `accounts` (12),
//! `databases` (13), `backups` (14 and the backup-policy actions), `tags` (15),
//! `maintenance` (16), `schedule` (17), `monitoring` (18).

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::fmt;

mod accounts;
mod backups;
mod clusters;
mod databases;
mod endpoints;
mod maintenance;
mod monitoring;
mod nodes;
mod parameters;
mod regions;
mod schedule;
mod security;
mod tags;

pub use accounts::*;
pub use backups::*;
pub use clusters::*;
pub use databases::*;
pub use endpoints::*;
pub use maintenance::*;
pub use monitoring::*;
pub use nodes::*;
pub use parameters::*;
pub use regions::*;
pub use schedule::*;
pub use security::*;
pub use tags::*;

/// Whether an action only reads or changes something. Drives retries, roles and audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionKind {
    Read,
    Write,
}

/// One API action: its name, kind, parameters and typed response.
pub trait Action: Serialize {
    const NAME: &'static str;
    const KIND: ActionKind;
    type Response: DeserializeOwned + Serialize;

    /// The request's parameters as the flat `Key=Value` list the RPC style sends.
    fn to_params(&self) -> Vec<(String, String)> {
        flatten_params(&serde_json::to_value(self).unwrap_or(serde_json::Value::Null))
    }
}

/// Flattens a serialized request into RPC parameters: scalars as they are, lists as
/// `Name.1`, `Name.2`, lists of objects as `Name.1.Field`; `null` values are left out.
pub fn flatten_params(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        use serde_json::Value;
        match v {
            Value::Null => {}
            Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
            Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{prefix}.{}", i + 1), item, out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, item, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// A tag as a request parameter (`Tag.N.Key`, `Tag.N.Value`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagParam {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// Stands in for a secret (a password) in `Debug` output.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

pub(crate) const REDACTED: Redacted = Redacted;

/// What an action addresses, for authorization and audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceScope {
    /// No single cluster: the region or account (listings, creation, region-wide events,
    /// actions on several clusters at once such as tagging, and node-addressed actions
    /// that do not take a `DBClusterId`).
    Region,
    /// One cluster, named by the required `DBClusterId` parameter.
    Cluster,
    /// A new cluster in the region (CreateDBCluster): decided region-wide (`dbcluster/*`)
    /// and, besides, on every cluster it names (the source a clone or a restore copies).
    /// A cluster named as the source never stands in for the region (sixth attack run,
    /// F1: a role allowed one cluster created clusters by naming it as the source).
    Create,
}

/// What a parameter names, as the catalogue declares it per action (see [`ActionInfo::names`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Names {
    /// A cluster id (`pc-…`), alone or as the entries of a `Name.N` list.
    Cluster,
    /// Cluster ids separated by commas (`DBClusterIds`).
    Clusters,
    /// A node id (`pi-…`), alone or as `Name.N`; the gateway resolves it to its cluster.
    Node,
    /// Node ids separated by commas.
    Nodes,
    /// An endpoint id (`pe-…`) of the cluster named beside it.
    Endpoint,
    /// A database account of the cluster named beside it.
    Account,
    /// A database of the cluster named beside it.
    Database,
    /// A backup set of the cluster named beside it.
    Backup,
    /// Backup sets of the cluster named beside it, separated by commas (DeleteBackup's
    /// `BackupId`, 14.2); before a write the gateway checks each is that cluster's.
    Backups,
    /// A scheduled task of the cluster named beside it (CancelScheduleTasks' `TaskId`,
    /// 17.2); before the write the gateway checks it is that cluster's.
    Task,
    /// The nodes of a custom endpoint, separated by commas (10.2, 10.4 `Nodes`): role
    /// names within the cluster named beside it for PostgreSQL (`Writer,Reader1`), node
    /// ids (`pi-…`) for MySQL. A node id is resolved to its cluster like any node, so it
    /// must be a node of the cluster named.
    EndpointNodes,
    /// A region named by a parameter of its own (DescribePendingMaintenanceAction's
    /// `Region`): it must be the region the call is made in, which the decision is on.
    Region,
    /// Maintenance-event ids separated by commas (ModifyPendingMaintenanceAction's `Ids`);
    /// the gateway resolves each to its cluster.
    Events,
}

/// One entry of the action catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    pub name: &'static str,
    pub kind: ActionKind,
    pub resource: ResourceScope,
    /// The parameters that name resources, and what they name. An access decision covers
    /// every resource named here (an action naming none is decided region-wide).
    pub names: &'static [(&'static str, Names)],
}

/// Builds [`ACTIONS`] from the [`Action`] impls, so names and kinds cannot drift, plus the
/// per-action dispatch that reads flat parameters into the typed request.
macro_rules! catalogue {
    ($($action:ident => $scope:ident [$($param:ident: $names:ident),*],)*) => {
        /// Every action of the API (version 2017-08-01), in the reference's order.
        pub const ACTIONS: &[ActionInfo] = &[$(
            ActionInfo {
                name: <$action as Action>::NAME,
                kind: <$action as Action>::KIND,
                resource: ResourceScope::$scope,
                names: &[$((stringify!($param), Names::$names)),*],
            },
        )*];

        /// Reads an unflattened request into the action's typed request and writes it
        /// out again as flat parameters (the canonical list; see [`crate::request`]).
        pub(crate) fn typed_params(
            name: &str,
            value: serde_json::Value,
        ) -> Result<Vec<(String, String)>, String> {
            match name {
                $(<$action as Action>::NAME => crate::lenient::from_value::<$action>(value)
                    .map(|r| r.to_params())
                    .map_err(|e| e.to_string()),)*
                _ => Err(format!("{name} is not in the catalogue")),
            }
        }

        /// The parameter names of an action's typed request (top level, as the API spells
        /// them); empty for a name outside the catalogue.
        pub fn request_fields(name: &str) -> &'static [&'static str] {
            match name {
                $(<$action as Action>::NAME => fields_of::<$action>(),)*
                _ => &[],
            }
        }

        /// An answer read into the action's typed response and written out again: what
        /// pages and scripts receive instead of the upstream body as it came.
        pub fn typed_response(
            name: &str,
            answer: crate::answer::Answer,
        ) -> Result<serde_json::Value, String> {
            match name {
                $(<$action as Action>::NAME => {
                    answer.read::<<$action as Action>::Response>()
                        .map_err(|e| e.to_string())
                        .and_then(|r| serde_json::to_value(r).map_err(|e| e.to_string()))
                })*
                _ => Err(format!("{name} is not in the catalogue")),
            }
        }

        /// [`typed_response`] written out as JSON text straight from the typed response
        /// (#18: the value between them was a fifth of a proxied call's work).
        pub fn typed_response_text(
            name: &str,
            answer: crate::answer::Answer,
        ) -> Result<String, String> {
            match name {
                $(<$action as Action>::NAME => {
                    answer.read::<<$action as Action>::Response>()
                        .map_err(|e| e.to_string())
                        .and_then(|r| serde_json::to_string(&r).map_err(|e| e.to_string()))
                })*
                _ => Err(format!("{name} is not in the catalogue")),
            }
        }

        /// Each action's parameters when built with `Default`: required parameters are
        /// present (empty), optional ones absent. Lets tests check the scopes.
        #[cfg(test)]
        fn default_params() -> Vec<(&'static str, Vec<(String, String)>)> {
            vec![$((<$action as Action>::NAME, $action::default().to_params()),)*]
        }

        /// An action's parameters as its typed request's `Default` writes them: required
        /// ones present (empty or zero), optional ones absent. A skeleton for tests and
        /// tools to fill in; empty for a name outside the catalogue.
        pub fn skeleton_params(name: &str) -> Vec<(String, String)> {
            match name {
                $(<$action as Action>::NAME => $action::default().to_params(),)*
                _ => Vec::new(),
            }
        }
    };
}

/// The field names serde's derive hands to `deserialize_struct`: the request's parameters.
fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    struct Probe<'a>(&'a mut &'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            *self.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

catalogue! {
    // 05 regions
    DescribeRegions => Region [],
    // 06 clusters
    CreateDBCluster => Create [SourceResourceId: Cluster],
    DeleteDBCluster => Cluster [DBClusterId: Cluster],
    DescribeDBClusters => Region [DBClusterIds: Clusters, DBNodeIds: Nodes],
    DescribeDBClusterAttribute => Cluster [DBClusterId: Cluster],
    DescribeTasks => Region [DBClusterId: Cluster, DBNodeId: Node],
    ModifyDBClusterDescription => Cluster [DBClusterId: Cluster],
    ModifyDBClusterDeletion => Cluster [DBClusterId: Cluster],
    ModifyDBClusterMaintainTime => Cluster [DBClusterId: Cluster],
    FailoverDBCluster => Cluster [DBClusterId: Cluster, TargetDBNodeId: Node],
    ModifyDBClusterPrimaryZone => Cluster [DBClusterId: Cluster],
    ModifyAutoRenewAttribute => Region [DBClusterIds: Clusters],
    DescribeAutoRenewAttribute => Region [DBClusterIds: Clusters],
    DescribeDBClusterAvailableResources => Region [],
    // 07 data security
    ModifyDBClusterAccessWhitelist => Cluster [DBClusterId: Cluster],
    DescribeDBClusterAccessWhitelist => Cluster [DBClusterId: Cluster],
    DescribeDBClusterSSL => Cluster [DBClusterId: Cluster],
    ModifyDBClusterSSL => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint],
    // 08 nodes
    CreateDBNodes => Cluster [DBClusterId: Cluster],
    DeleteDBNodes => Cluster [DBClusterId: Cluster, DBNodeId: Node],
    RestartDBNode => Region [DBNodeId: Node],
    ModifyDBNodeClass => Cluster [DBClusterId: Cluster],
    // 09 parameters
    DescribeDBClusterParameters => Cluster [DBClusterId: Cluster],
    ModifyDBClusterParameters => Cluster [DBClusterId: Cluster],
    // 10 endpoints
    CreateDBEndpointAddress => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint],
    // `Nodes` of the endpoint actions names nodes by role (`Writer,Reader1`) for PostgreSQL
    // (10.2, 说明), within the cluster named; a node id (the MySQL form) must be its node.
    CreateDBClusterEndpoint => Cluster [DBClusterId: Cluster, Nodes: EndpointNodes],
    DescribeDBClusterEndpoints => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint],
    ModifyDBClusterEndpoint => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint, Nodes: EndpointNodes],
    ModifyDBEndpointAddress => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint],
    DeleteDBEndpointAddress => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint],
    DeleteDBClusterEndpoint => Cluster [DBClusterId: Cluster, DBEndpointId: Endpoint],
    // 11 SQL collection
    DescribeDBClusterAuditLogCollector => Cluster [DBClusterId: Cluster],
    ModifyDBClusterAuditLogCollector => Cluster [DBClusterId: Cluster],
    // 12 accounts
    CreateAccount => Cluster [DBClusterId: Cluster, AccountName: Account, DBName: Database],
    DescribeAccounts => Cluster [DBClusterId: Cluster, AccountName: Account],
    ModifyAccountDescription => Cluster [DBClusterId: Cluster, AccountName: Account],
    DeleteAccount => Cluster [DBClusterId: Cluster, AccountName: Account],
    ModifyAccountPassword => Cluster [DBClusterId: Cluster, AccountName: Account],
    CheckAccountName => Cluster [DBClusterId: Cluster, AccountName: Account],
    // 13 databases
    CreateDatabase => Cluster [DBClusterId: Cluster, DBName: Database, AccountName: Account],
    DescribeDatabases => Cluster [DBClusterId: Cluster, DBName: Database],
    DeleteDatabase => Cluster [DBClusterId: Cluster, DBName: Database],
    CheckDBName => Cluster [DBClusterId: Cluster, DBName: Database],
    DescribeDBInitializeVariable => Cluster [DBClusterId: Cluster],
    // 14 backups
    CreateBackup => Cluster [DBClusterId: Cluster],
    DeleteBackup => Cluster [DBClusterId: Cluster, BackupId: Backups],
    DescribeBackups => Cluster [DBClusterId: Cluster, BackupId: Backup],
    DescribeBackupTasks => Cluster [DBClusterId: Cluster],
    DescribeBackupLogs => Cluster [DBClusterId: Cluster],
    DescribeDetachedBackups => Cluster [DBClusterId: Cluster, BackupId: Backup],
    DescribeDBClustersWithBackups => Region [DBClusterIds: Clusters],
    // backup policies (listed in the overview, no section of their own)
    DescribeBackupPolicy => Cluster [DBClusterId: Cluster],
    ModifyBackupPolicy => Cluster [DBClusterId: Cluster],
    DescribeLogBackupPolicy => Cluster [DBClusterId: Cluster],
    ModifyLogBackupPolicy => Cluster [DBClusterId: Cluster],
    // 15 tags
    TagResources => Region [ResourceId: Cluster],
    UntagResources => Region [ResourceId: Cluster],
    ListTagResources => Region [ResourceId: Cluster],
    // 16 pending maintenance events
    DescribePendingMaintenanceAction => Region [Region: Region],
    DescribePendingMaintenanceActions => Region [],
    ModifyPendingMaintenanceAction => Region [Ids: Events],
    // 17 scheduled tasks
    DescribeScheduleTasks => Region [DBClusterId: Cluster],
    CancelScheduleTasks => Cluster [DBClusterId: Cluster, TaskId: Task],
    // 18 monitoring
    DescribeDBNodePerformance => Region [DBNodeId: Node, DBClusterId: Cluster],
    DescribeDBClusterMonitor => Cluster [DBClusterId: Cluster],
    DescribeDBClusterPerformance => Cluster [DBClusterId: Cluster],
    ModifyDBClusterMonitor => Cluster [DBClusterId: Cluster],
}

/// The catalogue entry of an action, by its exact name.
pub fn action_info(name: &str) -> Option<&'static ActionInfo> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// Actions that take a `ClientToken` (an idempotency key): CreateDBCluster,
/// FailoverDBCluster, CreateDBNodes, DeleteDBNodes, ModifyDBNodeClass,
/// CreateDBClusterEndpoint, CreateAccount, CreateBackup. Only these may be retried as writes.
pub const CLIENT_TOKEN_ACTIONS: &[&str] = &[
    "CreateDBCluster",
    "FailoverDBCluster",
    "CreateDBNodes",
    "DeleteDBNodes",
    "ModifyDBNodeClass",
    "CreateDBClusterEndpoint",
    "CreateAccount",
    "CreateBackup",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_objects_flatten_with_one_based_indexes() {
        let req = DescribeDBClusters {
            region_id: "cn-hangzhou".into(),
            tag: vec![
                TagParam {
                    key: "env".into(),
                    value: "prod".into(),
                },
                TagParam {
                    key: "team".into(),
                    value: String::new(),
                },
            ],
            page_size: Some(50),
            ..Default::default()
        };
        let mut params = req.to_params();
        params.sort();
        assert_eq!(
            params,
            vec![
                ("PageSize".to_string(), "50".to_string()),
                ("RegionId".to_string(), "cn-hangzhou".to_string()),
                ("Tag.1.Key".to_string(), "env".to_string()),
                ("Tag.1.Value".to_string(), "prod".to_string()),
                ("Tag.2.Key".to_string(), "team".to_string()),
                ("Tag.2.Value".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn the_typed_answer_as_text_is_the_typed_answer() {
        // Numbers as text, a lone entry for a list, a key the model does not have.
        let sent = serde_json::json!({
            "RequestId": "r-1",
            "PageNumber": "1",
            "TotalRecordCount": 1,
            "PageRecordCount": "1",
            "Extra": "dropped",
            "Items": {"DBCluster": {"DBClusterId": "pc-1", "DBNodeNumber": "2"}},
        });
        let value = typed_response("DescribeDBClusters", sent.clone().into()).unwrap();
        let text = typed_response_text("DescribeDBClusters", sent.into()).unwrap();
        let read: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read, value);
        assert_eq!(value["PageNumber"], 1);
        assert_eq!(value["Items"]["DBCluster"][0]["DBClusterId"], "pc-1");
        assert!(value.get("Extra").is_none());
        assert!(typed_response_text(
            "DescribeDBClusters",
            serde_json::json!({"PageNumber": "x"}).into()
        )
        .unwrap_err()
        .contains("PageNumber"));
        assert!(typed_response_text("NoSuchAction", serde_json::json!({}).into()).is_err());
    }

    #[test]
    fn catalogue_names_are_unique_and_kinds_follow_the_verb() {
        let mut names: Vec<_> = ACTIONS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
        for a in ACTIONS {
            let read = ["Describe", "List", "Check"]
                .iter()
                .any(|p| a.name.starts_with(p));
            let expected = if read {
                ActionKind::Read
            } else {
                ActionKind::Write
            };
            assert_eq!(a.kind, expected, "{}", a.name);
            assert_eq!(action_info(a.name), Some(a));
        }
        assert_eq!(action_info("NoSuchAction"), None);
    }

    #[test]
    fn every_parameter_that_names_a_cluster_or_node_is_declared() {
        for a in ACTIONS {
            let fields = request_fields(a.name);
            assert!(
                a.name == "DescribeRegions" || !fields.is_empty(),
                "{} has fields",
                a.name
            );
            for (param, _) in a.names {
                assert!(fields.contains(param), "{}: {param} is a parameter", a.name);
            }
            for f in fields {
                let names_one = f.contains("DBCluster") && f.ends_with("Id")
                    || f.contains("DBClusterIds")
                    || f.contains("DBNode") && (f.ends_with("Id") || f.ends_with("Ids"))
                    || *f == "ResourceId"
                    || *f == "SourceResourceId"
                    || *f == "DBEndpointId";
                if names_one {
                    assert!(
                        a.names.iter().any(|(p, _)| p == f),
                        "{}: {f} names a resource but is not declared",
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn cluster_scope_means_a_required_db_cluster_id() {
        let params = default_params();
        assert_eq!(params.len(), ACTIONS.len());
        for (name, params) in params {
            let takes_cluster = params.iter().any(|(k, _)| k == "DBClusterId");
            let scope = action_info(name).unwrap().resource;
            assert_eq!(
                scope == ResourceScope::Cluster,
                takes_cluster,
                "{name}: scope {scope:?}, params {params:?}"
            );
        }
    }
}
