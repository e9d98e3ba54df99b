//! Chapter 18: monitoring and performance.

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// DescribeDBNodePerformance: performance metrics of one node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBNodePerformance {
    /// The ID of the node in the PolarDB cluster.
    #[serde(rename = "DBNodeId")]
    pub db_node_id: String,
    /// The end of the time range to query.
    pub end_time: String,
    /// The performance metrics to query.
    pub key: String,
    /// The beginning of the time range to query.
    pub start_time: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId", skip_serializing_if = "Option::is_none")]
    pub db_cluster_id: Option<String>,
}

impl Action for DescribeDBNodePerformance {
    const NAME: &'static str = "DescribeDBNodePerformance";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBNodePerformanceResponse;
}

/// Response of [`DescribeDBNodePerformance`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBNodePerformanceResponse {
    /// The ID of the node in the PolarDB cluster.
    #[serde(rename = "DBNodeId")]
    pub db_node_id: String,
    /// The database engine type.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The database engine version.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The end of the time range.
    pub end_time: String,
    pub performance_keys: NodePerformanceKeys,
    /// The request ID.
    pub request_id: String,
    /// The beginning of the time range.
    pub start_time: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodePerformanceKeys {
    pub performance_item: Vec<NodePerformanceItem>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NodePerformanceItem {
    pub measurement: String,
    pub metric_name: String,
    pub points: PerformancePoints,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PerformancePoints {
    pub performance_item_value: Vec<PerformancePoint>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PerformancePoint {
    pub timestamp: i64,
    pub value: String,
}

/// DescribeDBClusterMonitor: the monitoring interval of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterMonitor {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBClusterMonitor {
    const NAME: &'static str = "DescribeDBClusterMonitor";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterMonitorResponse;
}

/// Response of [`DescribeDBClusterMonitor`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterMonitorResponse {
    /// The interval at which monitoring data is collected.
    pub period: String,
    /// The request ID.
    pub request_id: String,
}

/// DescribeDBClusterPerformance: performance metrics of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterPerformance {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The end of the time range to query.
    pub end_time: String,
    /// The performance metrics that you want to query.
    pub key: String,
    /// The beginning of the time range to query.
    pub start_time: String,
}

impl Action for DescribeDBClusterPerformance {
    const NAME: &'static str = "DescribeDBClusterPerformance";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterPerformanceResponse;
}

/// Response of [`DescribeDBClusterPerformance`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterPerformanceResponse {
    /// The database cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The compatible database type.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The compatible database version.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The end of the time range.
    pub end_time: String,
    pub performance_keys: ClusterPerformanceKeys,
    /// The request ID.
    pub request_id: String,
    /// The beginning of the time range.
    pub start_time: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ClusterPerformanceKeys {
    pub performance_item: Vec<ClusterPerformanceItem>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ClusterPerformanceItem {
    #[serde(rename = "DBNodeId")]
    pub db_node_id: String,
    pub measurement: String,
    pub metric_name: String,
    pub points: PerformancePoints,
}

/// ModifyDBClusterMonitor: changes the monitoring interval of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterMonitor {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The interval at which monitoring data is collected.
    pub period: String,
}

impl Action for ModifyDBClusterMonitor {
    const NAME: &'static str = "ModifyDBClusterMonitor";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterMonitorResponse;
}

/// Response of [`ModifyDBClusterMonitor`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterMonitorResponse {
    /// The request ID.
    pub request_id: String,
}
