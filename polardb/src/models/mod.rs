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
}

/// One entry of the action catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    pub name: &'static str,
    pub kind: ActionKind,
    pub resource: ResourceScope,
}

/// Builds [`ACTIONS`] from the [`Action`] impls, so names and kinds cannot drift.
macro_rules! catalogue {
    ($($action:ident => $scope:ident,)*) => {
        /// Every action of the API (version 2017-08-01), in the reference's order.
        pub const ACTIONS: &[ActionInfo] = &[$(
            ActionInfo {
                name: <$action as Action>::NAME,
                kind: <$action as Action>::KIND,
                resource: ResourceScope::$scope,
            },
        )*];

        /// Each action's parameters when built with `Default`: required parameters are
        /// present (empty), optional ones absent. Lets tests check the scopes.
        #[cfg(test)]
        fn default_params() -> Vec<(&'static str, Vec<(String, String)>)> {
            vec![$((<$action as Action>::NAME, $action::default().to_params()),)*]
        }
    };
}

catalogue! {
    // 05 regions
    DescribeRegions => Region,
    // 06 clusters
    CreateDBCluster => Region,
    DeleteDBCluster => Cluster,
    DescribeDBClusters => Region,
    DescribeDBClusterAttribute => Cluster,
    DescribeTasks => Region,
    ModifyDBClusterDescription => Cluster,
    ModifyDBClusterDeletion => Cluster,
    ModifyDBClusterMaintainTime => Cluster,
    FailoverDBCluster => Cluster,
    ModifyDBClusterPrimaryZone => Cluster,
    ModifyAutoRenewAttribute => Region,
    DescribeAutoRenewAttribute => Region,
    DescribeDBClusterAvailableResources => Region,
    // 07 data security
    ModifyDBClusterAccessWhitelist => Cluster,
    DescribeDBClusterAccessWhitelist => Cluster,
    DescribeDBClusterSSL => Cluster,
    ModifyDBClusterSSL => Cluster,
    // 08 nodes
    CreateDBNodes => Cluster,
    DeleteDBNodes => Cluster,
    RestartDBNode => Region,
    ModifyDBNodeClass => Cluster,
    // 09 parameters
    DescribeDBClusterParameters => Cluster,
    ModifyDBClusterParameters => Cluster,
    // 10 endpoints
    CreateDBEndpointAddress => Cluster,
    CreateDBClusterEndpoint => Cluster,
    DescribeDBClusterEndpoints => Cluster,
    ModifyDBClusterEndpoint => Cluster,
    ModifyDBEndpointAddress => Cluster,
    DeleteDBEndpointAddress => Cluster,
    DeleteDBClusterEndpoint => Cluster,
    // 11 SQL collection
    DescribeDBClusterAuditLogCollector => Cluster,
    ModifyDBClusterAuditLogCollector => Cluster,
    // 12 accounts
    CreateAccount => Cluster,
    DescribeAccounts => Cluster,
    ModifyAccountDescription => Cluster,
    DeleteAccount => Cluster,
    ModifyAccountPassword => Cluster,
    CheckAccountName => Cluster,
    // 13 databases
    CreateDatabase => Cluster,
    DescribeDatabases => Cluster,
    DeleteDatabase => Cluster,
    CheckDBName => Cluster,
    DescribeDBInitializeVariable => Cluster,
    // 14 backups
    CreateBackup => Cluster,
    DeleteBackup => Cluster,
    DescribeBackups => Cluster,
    DescribeBackupTasks => Cluster,
    DescribeBackupLogs => Cluster,
    DescribeDetachedBackups => Cluster,
    DescribeDBClustersWithBackups => Region,
    // backup policies (listed in the overview, no section of their own)
    DescribeBackupPolicy => Cluster,
    ModifyBackupPolicy => Cluster,
    DescribeLogBackupPolicy => Cluster,
    ModifyLogBackupPolicy => Cluster,
    // 15 tags
    TagResources => Region,
    UntagResources => Region,
    ListTagResources => Region,
    // 16 pending maintenance events
    DescribePendingMaintenanceAction => Region,
    DescribePendingMaintenanceActions => Region,
    ModifyPendingMaintenanceAction => Region,
    // 17 scheduled tasks
    DescribeScheduleTasks => Region,
    CancelScheduleTasks => Cluster,
    // 18 monitoring
    DescribeDBNodePerformance => Region,
    DescribeDBClusterMonitor => Cluster,
    DescribeDBClusterPerformance => Cluster,
    ModifyDBClusterMonitor => Cluster,
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
