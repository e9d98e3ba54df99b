//! Chapter 08: nodes.

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// CreateDBNodes: adds read-only nodes to a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDBNodes {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The client token that is used to ensure the idempotence of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// The ID of the cluster endpoint to which you want to add the new node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_bind_list: Option<String>,
    /// The earliest time to start running the scheduled task for adding nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_start_time: Option<String>,
    /// The latest time to start running the scheduled task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_end_time: Option<String>,
    /// The information about the new node. Sent as `DBNode.N`, N from 1.
    #[serde(rename = "DBNode", default, skip_serializing_if = "Vec::is_empty")]
    pub db_node: Vec<DBNodeParam>,
}

impl Action for CreateDBNodes {
    const NAME: &'static str = "CreateDBNodes";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateDBNodesResponse;
}

/// Response of [`CreateDBNodes`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateDBNodesResponse {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    #[serde(rename = "DBNodeIds")]
    pub db_node_ids: DBNodeIdList,
    /// The order ID.
    pub order_id: String,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBNodeIdList {
    #[serde(rename = "DBNodeId")]
    pub db_node_id: Vec<String>,
}

/// One new node of [`CreateDBNodes`] (`DBNode.N.TargetClass`, `DBNode.N.ZoneId`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DBNodeParam {
    /// The node class; the same as the existing nodes'.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_class: Option<String>,
    /// The zone; the same as the existing nodes'.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
}

/// DeleteDBNodes: removes read-only nodes from a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDBNodes {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The IDs of the nodes to be deleted. Sent as `DBNodeId.N`. Required.
    #[serde(rename = "DBNodeId", default, skip_serializing_if = "Vec::is_empty")]
    pub db_node_id: Vec<String>,
    /// The client token that is used to ensure the idempotence of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

impl Action for DeleteDBNodes {
    const NAME: &'static str = "DeleteDBNodes";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteDBNodesResponse;
}

/// Response of [`DeleteDBNodes`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteDBNodesResponse {
    /// The database cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The order ID.
    pub order_id: String,
    /// The request ID.
    pub request_id: String,
}

/// RestartDBNode: restarts one node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestartDBNode {
    /// The ID of the cluster node.
    #[serde(rename = "DBNodeId")]
    pub db_node_id: String,
}

impl Action for RestartDBNode {
    const NAME: &'static str = "RestartDBNode";
    const KIND: ActionKind = ActionKind::Write;
    type Response = RestartDBNodeResponse;
}

/// Response of [`RestartDBNode`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestartDBNodeResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyDBNodeClass: changes the node class of a cluster (upgrade or downgrade).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBNodeClass {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The target specifications for all nodes.
    #[serde(rename = "DBNodeTargetClass")]
    pub db_node_target_class: String,
    /// The modification type.
    pub modify_type: String,
    /// The client token that is used to ensure the idempotence of the request and prevent duplicate submissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// The earliest time to start the scheduled upgrade or downgrade task within the specified time window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_start_time: Option<String>,
    /// The latest time to start the scheduled task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_end_time: Option<String>,
}

impl Action for ModifyDBNodeClass {
    const NAME: &'static str = "ModifyDBNodeClass";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBNodeClassResponse;
}

/// Response of [`ModifyDBNodeClass`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBNodeClassResponse {
    /// The database cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The order ID.
    pub order_id: String,
    /// The request ID.
    pub request_id: String,
}
