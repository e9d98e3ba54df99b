//! Chapters 07 (data security: whitelists, SSL) and 11 (SQL collection / audit log).

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// ModifyDBClusterAccessWhitelist: creates or changes an IP whitelist or the security groups of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterAccessWhitelist {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The type of the whitelist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub white_list_type: Option<String>,
    /// The name of the IP whitelist group.
    #[serde(
        rename = "DBClusterIPArrayName",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_cluster_ip_array_name: Option<String>,
    /// The attribute of the IP whitelist group.
    #[serde(
        rename = "DBClusterIPArrayAttribute",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_cluster_ip_array_attribute: Option<String>,
    /// The IP addresses or CIDR blocks in the IP whitelist group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_ips: Option<String>,
    /// The method used to modify the IP whitelist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modify_mode: Option<String>,
    /// The security group IDs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<String>,
}

impl Action for ModifyDBClusterAccessWhitelist {
    const NAME: &'static str = "ModifyDBClusterAccessWhitelist";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterAccessWhitelistResponse;
}

/// Response of [`ModifyDBClusterAccessWhitelist`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterAccessWhitelistResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeDBClusterAccessWhitelist: the IP whitelists and security groups allowed to reach a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterAccessWhitelist {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBClusterAccessWhitelist {
    const NAME: &'static str = "DescribeDBClusterAccessWhitelist";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterAccessWhitelistResponse;
}

/// Response of [`DescribeDBClusterAccessWhitelist`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterAccessWhitelistResponse {
    #[serde(rename = "DBClusterSecurityGroups")]
    pub db_cluster_security_groups: DBClusterSecurityGroups,
    pub items: DBClusterIPArrayItems,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterSecurityGroups {
    #[serde(rename = "DBClusterSecurityGroup")]
    pub db_cluster_security_group: Vec<DBClusterSecurityGroup>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterIPArrayItems {
    #[serde(rename = "DBClusterIPArray")]
    pub db_cluster_ip_array: Vec<DBClusterIPArray>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterSecurityGroup {
    pub security_group_id: String,
    pub security_group_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterIPArray {
    #[serde(rename = "DBClusterIPArrayAttribute")]
    pub db_cluster_ip_array_attribute: String,
    #[serde(rename = "DBClusterIPArrayName")]
    pub db_cluster_ip_array_name: String,
    pub security_ips: String,
}

/// DescribeDBClusterSSL: the SSL settings of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterSSL {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBClusterSSL {
    const NAME: &'static str = "DescribeDBClusterSSL";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterSSLResponse;
}

/// Response of [`DescribeDBClusterSSL`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterSSLResponse {
    /// The list of SSL connection information.
    pub items: Vec<DBClusterSSLItem>,
    /// The request ID.
    pub request_id: String,
    /// Indicates whether automatic SSL certificate rotation is enabled.
    #[serde(rename = "SSLAutoRotate")]
    pub ssl_auto_rotate: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterSSLItem {
    /// The cluster endpoint ID.
    #[serde(rename = "DBEndpointId")]
    pub db_endpoint_id: String,
    /// Indicates whether automatic SSL certificate rotation is enabled.
    #[serde(rename = "SSLAutoRotate")]
    pub ssl_auto_rotate: String,
    /// The SSL connection address.
    #[serde(rename = "SSLConnectionString")]
    pub ssl_connection_string: String,
    /// Indicates whether Secure Sockets Layer (SSL) encryption is enabled.
    #[serde(rename = "SSLEnabled")]
    pub ssl_enabled: String,
    /// The expiration time of the SSL certificate.
    #[serde(rename = "SSLExpireTime")]
    pub ssl_expire_time: String,
}

/// ModifyDBClusterSSL: turns SSL on or off, or renews the CA certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterSSL {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The SSL status to set.
    #[serde(rename = "SSLEnabled", skip_serializing_if = "Option::is_none")]
    pub ssl_enabled: Option<String>,
    /// The endpoint ID.
    #[serde(rename = "DBEndpointId", skip_serializing_if = "Option::is_none")]
    pub db_endpoint_id: Option<String>,
    /// The network type of the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_type: Option<String>,
    /// Specifies whether to enable automatic SSL certificate rotation.
    #[serde(rename = "SSLAutoRotate", skip_serializing_if = "Option::is_none")]
    pub ssl_auto_rotate: Option<String>,
}

impl Action for ModifyDBClusterSSL {
    const NAME: &'static str = "ModifyDBClusterSSL";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterSSLResponse;
}

/// Response of [`ModifyDBClusterSSL`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterSSLResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeDBClusterAuditLogCollector: whether SQL collection (audit log, SQL insight) is on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterAuditLogCollector {
    /// The ID of the cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBClusterAuditLogCollector {
    const NAME: &'static str = "DescribeDBClusterAuditLogCollector";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterAuditLogCollectorResponse;
}

/// Response of [`DescribeDBClusterAuditLogCollector`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterAuditLogCollectorResponse {
    /// The status of SQL collector.
    pub collector_status: String,
    /// The request ID.
    pub request_id: String,
}

/// ModifyDBClusterAuditLogCollector: turns SQL collection (audit log, SQL insight) on or off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterAuditLogCollector {
    /// Specifies whether to enable or disable SQL collector.
    pub collector_status: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for ModifyDBClusterAuditLogCollector {
    const NAME: &'static str = "ModifyDBClusterAuditLogCollector";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterAuditLogCollectorResponse;
}

/// Response of [`ModifyDBClusterAuditLogCollector`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterAuditLogCollectorResponse {
    /// The request ID.
    pub request_id: String,
}
