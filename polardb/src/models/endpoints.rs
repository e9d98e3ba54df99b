//! Chapter 10: endpoints and their addresses (connection strings).

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// CreateDBEndpointAddress: creates a public address for an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDBEndpointAddress {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The endpoint ID.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
    /// The network type of the new endpoint.
    pub net_type: String,
    /// The prefix of the new endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_string_prefix: Option<String>,
}

impl Action for CreateDBEndpointAddress {
    const NAME: &'static str = "CreateDBEndpointAddress";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateDBEndpointAddressResponse;
}

/// Response of [`CreateDBEndpointAddress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateDBEndpointAddressResponse {
    /// The request ID.
    pub request_id: String,
}

/// CreateDBClusterEndpoint: creates a custom cluster endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDBClusterEndpoint {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The type of the custom cluster endpoint.
    pub endpoint_type: String,
    /// The read load nodes to add to the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// The read/write mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_write_mode: Option<String>,
    /// Specifies whether new nodes are automatically added to this endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_add_new_nodes: Option<String>,
    /// The advanced configurations of the cluster endpoint in JSON format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_config: Option<String>,
    /// The client token that is used to ensure the idempotence of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// The name of the custom cluster endpoint.
    #[serde(
        rename = "DBEndpointDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_endpoint_description: Option<String>,
}

impl Action for CreateDBClusterEndpoint {
    const NAME: &'static str = "CreateDBClusterEndpoint";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateDBClusterEndpointResponse;
}

/// Response of [`CreateDBClusterEndpoint`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateDBClusterEndpointResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeDBClusterEndpoints: the endpoints of a cluster and their addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterEndpoints {
    /// The ID of the cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The ID of the cluster endpoint.
    #[serde(rename = "DBEndpointId", skip_serializing_if = "Option::is_none")]
    pub db_endpoint_id: Option<String>,
}

impl Action for DescribeDBClusterEndpoints {
    const NAME: &'static str = "DescribeDBClusterEndpoints";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterEndpointsResponse;
}

/// Response of [`DescribeDBClusterEndpoints`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterEndpointsResponse {
    /// A list of cluster endpoints.
    pub items: Vec<DBClusterEndpoint>,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterEndpoint {
    /// The connection addresses for the endpoint.
    pub address_items: Vec<EndpointAddress>,
    /// Indicates whether new nodes are automatically added to the default cluster endpoint.
    pub auto_add_new_nodes: String,
    /// The connection string.
    pub connection_string: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The endpoint name.
    #[serde(rename = "DBEndpointDescription")]
    pub db_endpoint_description: String,
    /// The endpoint ID.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
    /// The advanced settings for the cluster endpoint.
    pub endpoint_config: String,
    /// The type of the cluster endpoint.
    pub endpoint_type: String,
    /// The network type.
    pub net_type: String,
    /// The role of each node in the endpoint.
    pub node_with_roles: String,
    /// The list of nodes configured for the endpoint.
    pub nodes: String,
    /// The policy for handling global consistency read timeouts.
    pub polar_scc_timeout_action: String,
    /// The timeout period for global consistency reads.
    pub polar_scc_wait_timeout: String,
    /// The port.
    pub port: String,
    /// The protocol type.
    pub protocol: String,
    /// The read/write mode.
    pub read_write_mode: String,
    /// Indicates whether global consistency (high-performance mode) is enabled for the node.
    pub scc_mode: String,
    /// The service name.
    pub service_name: String,
    /// The VPC ID.
    #[serde(rename = "VPCId")]
    pub vpc_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndpointAddress {
    /// The connection string.
    pub connection_string: String,
    /// Indicates whether the endpoint is a dashboard endpoint for a PolarDB Search node.
    pub dashboard_used: bool,
    /// The IP address.
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    /// The network type.
    pub net_type: String,
    /// The port.
    pub port: String,
    /// The connection string for the private domain name.
    pub private_zone_connection_string: String,
    /// The VPC ID.
    #[serde(rename = "VPCId")]
    pub vpc_id: String,
    /// The vSwitch ID.
    pub v_switch_id: String,
    /// The VPC instance ID.
    pub vpc_instance_id: String,
}

/// ModifyDBClusterEndpoint: changes an endpoint (read/write mode, nodes, auto-add, consistency).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterEndpoint {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The cluster endpoint ID.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
    /// The read load nodes to add to the target endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// The read/write mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_write_mode: Option<String>,
    /// Specifies whether new nodes are automatically added to the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_add_new_nodes: Option<String>,
    /// The advanced configuration of the cluster endpoint in JSON format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_config: Option<String>,
    /// The name of the endpoint.
    #[serde(
        rename = "DBEndpointDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_endpoint_description: Option<String>,
}

impl Action for ModifyDBClusterEndpoint {
    const NAME: &'static str = "ModifyDBClusterEndpoint";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterEndpointResponse;
}

/// Response of [`ModifyDBClusterEndpoint`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterEndpointResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyDBEndpointAddress: changes the public or private address of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBEndpointAddress {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The ID of the connection address.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
    /// The network type of the connection address.
    pub net_type: String,
    /// The new connection string prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_string_prefix: Option<String>,
    /// The prefix of the private domain name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_zone_address_prefix: Option<String>,
    /// The private zone name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_zone_name: Option<String>,
    /// The port number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
}

impl Action for ModifyDBEndpointAddress {
    const NAME: &'static str = "ModifyDBEndpointAddress";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBEndpointAddressResponse;
}

/// Response of [`ModifyDBEndpointAddress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBEndpointAddressResponse {
    /// The request ID.
    pub request_id: String,
}

/// DeleteDBEndpointAddress: releases the public address of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDBEndpointAddress {
    /// The ID of the cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The ID of the endpoint.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
    /// The network type of the endpoint.
    pub net_type: String,
}

impl Action for DeleteDBEndpointAddress {
    const NAME: &'static str = "DeleteDBEndpointAddress";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteDBEndpointAddressResponse;
}

/// Response of [`DeleteDBEndpointAddress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteDBEndpointAddressResponse {
    /// The ID of the request.
    pub request_id: String,
}

/// DeleteDBClusterEndpoint: releases a custom cluster endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDBClusterEndpoint {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The custom cluster endpoint ID.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
}

impl Action for DeleteDBClusterEndpoint {
    const NAME: &'static str = "DeleteDBClusterEndpoint";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteDBClusterEndpointResponse;
}

/// Response of [`DeleteDBClusterEndpoint`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteDBClusterEndpointResponse {
    /// The request ID.
    pub request_id: String,
}
