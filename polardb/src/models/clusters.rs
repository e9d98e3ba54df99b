use super::{Action, ActionKind, TagParam};
use serde::{Deserialize, Serialize};

/// DescribeDBClusters: the clusters of one region, a page at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusters {
    pub region_id: String,
    #[serde(rename = "DBClusterIds", skip_serializing_if = "Option::is_none")]
    pub db_cluster_ids: Option<String>,
    #[serde(
        rename = "DBClusterDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_cluster_description: Option<String>,
    #[serde(rename = "DBClusterStatus", skip_serializing_if = "Option::is_none")]
    pub db_cluster_status: Option<String>,
    #[serde(rename = "DBType", skip_serializing_if = "Option::is_none")]
    pub db_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_type: Option<String>,
    #[serde(rename = "DBNodeIds", skip_serializing_if = "Option::is_none")]
    pub db_node_ids: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<TagParam>,
}

impl Action for DescribeDBClusters {
    const NAME: &'static str = "DescribeDBClusters";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClustersResponse;
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClustersResponse {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub page_number: u32,
    #[serde(default)]
    pub page_record_count: u32,
    #[serde(default)]
    pub total_record_count: u32,
    #[serde(default)]
    pub items: DBClusterItems,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DBClusterItems {
    #[serde(rename = "DBCluster", default)]
    pub db_cluster: Vec<DBClusterSummary>,
}

/// One cluster as DescribeDBClusters lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DBClusterSummary {
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    #[serde(rename = "DBClusterDescription", default)]
    pub db_cluster_description: String,
    #[serde(rename = "DBClusterStatus", default)]
    pub db_cluster_status: String,
    #[serde(rename = "DBType", default)]
    pub db_type: String,
    #[serde(rename = "DBVersion", default)]
    pub db_version: String,
    #[serde(rename = "DBNodeClass", default)]
    pub db_node_class: String,
    #[serde(rename = "DBNodeNumber", default)]
    pub db_node_number: u32,
    #[serde(default)]
    pub region_id: String,
    #[serde(default)]
    pub zone_id: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub pay_type: String,
    #[serde(default)]
    pub create_time: String,
    #[serde(default)]
    pub expire_time: String,
    #[serde(default)]
    pub expired: String,
    #[serde(default)]
    pub lock_mode: String,
    #[serde(default)]
    pub deletion_lock: i32,
    #[serde(default)]
    pub engine: String,
    #[serde(default)]
    pub category: String,
    #[serde(rename = "DBClusterNetworkType", default)]
    pub db_cluster_network_type: String,
    #[serde(default)]
    pub resource_group_id: String,
    #[serde(default)]
    pub storage_used: i64,
    #[serde(rename = "DBNodes", default)]
    pub db_nodes: DBNodeList,
    #[serde(default)]
    pub tags: TagList,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DBNodeList {
    #[serde(rename = "DBNode", default)]
    pub db_node: Vec<DBNodeSummary>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DBNodeSummary {
    #[serde(rename = "DBNodeId")]
    pub db_node_id: String,
    #[serde(rename = "DBNodeClass", default)]
    pub db_node_class: String,
    #[serde(rename = "DBNodeRole", default)]
    pub db_node_role: String,
    #[serde(default)]
    pub zone_id: String,
    #[serde(default)]
    pub region_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagList {
    #[serde(rename = "Tag", default)]
    pub tag: Vec<Tag>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}
