//! Chapter 06: cluster management (clusters, tasks, maintenance window, failover, renewal).

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

/// CreateDBCluster: creates a PolarDB cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDBCluster {
    /// The region ID.
    pub region_id: String,
    /// The zone ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    /// The type of the database engine.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The database DPI engine version number.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The node specification.
    #[serde(rename = "DBNodeClass")]
    pub db_node_class: String,
    /// The network type of the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_network_type: Option<String>,
    /// The name of the cluster.
    #[serde(
        rename = "DBClusterDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_cluster_description: Option<String>,
    /// The billing method.
    pub pay_type: String,
    /// Specifies whether to enable auto-renewal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_renew: Option<bool>,
    /// This is a required parameter to pass when PayType is set to Prepaid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// This parameter is required when PayType is set to Prepaid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_time: Option<String>,
    /// The VPC ID.
    #[serde(rename = "VPCId", skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The vSwitch ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v_switch_id: Option<String>,
    /// The method used to create the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_option: Option<String>,
    /// Instance ID of the source ApsaraDB RDS instance or the source PolarDB cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_resource_id: Option<String>,
    /// The point in time at which data is cloned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clone_data_point: Option<String>,
    /// The client token that is used to ensure the idempotence of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// The ID of the resource group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    /// The IP whitelist of the PolarDB cluster.
    #[serde(rename = "SecurityIPList", skip_serializing_if = "Option::is_none")]
    pub security_ip_list: Option<String>,
    /// Specifies whether to enable Transparent Data Encryption (TDE).
    #[serde(rename = "TDEStatus", skip_serializing_if = "Option::is_none")]
    pub tde_status: Option<bool>,
    /// The ID of the Global Database Network (GDN).
    #[serde(rename = "GDNId", skip_serializing_if = "Option::is_none")]
    pub gdn_id: Option<String>,
    /// The edition of the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_category: Option<String>,
    /// The default time zone of the cluster (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_time_zone: Option<String>,
    /// Specifies whether table names are case-sensitive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower_case_table_names: Option<String>,
    /// The data retention policy applied when the cluster is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_retention_policy_on_cluster_deletion: Option<String>,
    /// The minor version of the database engine.
    #[serde(rename = "DBMinorVersion", skip_serializing_if = "Option::is_none")]
    pub db_minor_version: Option<String>,
    /// The ID of the parameter template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_group_id: Option<String>,
}

impl Action for CreateDBCluster {
    const NAME: &'static str = "CreateDBCluster";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateDBClusterResponse;
}

/// Response of [`CreateDBCluster`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateDBClusterResponse {
    /// The Agentic cluster description.
    pub agentic_db_cluster_description: String,
    /// The Agentic cluster ID.
    pub agentic_db_cluster_id: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The order ID.
    pub order_id: String,
    /// The request ID.
    pub request_id: String,
    /// The ID of the resource group.
    pub resource_group_id: String,
}

/// DeleteDBCluster: releases a pay-as-you-go cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDBCluster {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The backup data retention policy when the cluster is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_retention_policy_on_cluster_deletion: Option<String>,
}

impl Action for DeleteDBCluster {
    const NAME: &'static str = "DeleteDBCluster";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteDBClusterResponse;
}

/// Response of [`DeleteDBCluster`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteDBClusterResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeDBClusterAttribute: the detailed attributes of one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterAttribute {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBClusterAttribute {
    const NAME: &'static str = "DescribeDBClusterAttribute";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterAttributeResponse;
}

/// Response of [`DescribeDBClusterAttribute`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterAttributeResponse {
    /// The start time of the free AI feature.
    pub ai_creating_time: String,
    /// The AI node type.
    pub ai_type: String,
    /// The CPU architecture.
    pub architecture: String,
    /// The minor version update policy.
    pub auto_upgrade_minor_version: String,
    /// The maximum number of blktags in the file system.
    pub blktag_total: i64,
    /// The current blktag usage.
    pub blktag_used: i64,
    pub branch: ClusterBranch,
    /// Indicates whether I/O performance burst is enabled for the ESSD AutoPL cloud disk.
    pub bursting_enabled: String,
    /// The product edition.
    pub category: String,
    /// Indicates whether the column store table is enabled.
    pub column_table: String,
    /// Indicates whether storage compression is enabled.
    pub compress_storage_mode: String,
    /// The size of the storage data after compression.
    pub compress_storage_used: i64,
    /// The connection resource quota (AgenticDB exclusive).
    pub connection_resource_quota: i64,
    /// The number of connection resources used (AgenticDB exclusive).
    pub connection_resource_used: i64,
    /// The time when the cluster was created.
    pub creation_time: String,
    /// The cluster description.
    #[serde(rename = "DBClusterDescription")]
    pub db_cluster_description: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The network type of the cluster.
    #[serde(rename = "DBClusterNetworkType")]
    pub db_cluster_network_type: String,
    /// The cluster status.
    #[serde(rename = "DBClusterStatus")]
    pub db_cluster_status: String,
    /// The node information.
    #[serde(rename = "DBNodes")]
    pub db_nodes: Vec<DBClusterNode>,
    /// The database engine type.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The database engine version.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The status of the current minor version.
    #[serde(rename = "DBVersionStatus")]
    pub db_version_status: String,
    /// The total size of level-1 backups (snapshots).
    pub data_level1_backup_chain_size: i64,
    /// The data replication mode.
    pub data_sync_mode: String,
    /// The lock status of cluster deletion.
    pub deletion_lock: i64,
    /// The cluster engine.
    pub engine: String,
    /// The expiration time of the cluster.
    pub expire_time: String,
    /// Indicates whether the cluster has expired.
    pub expired: String,
    /// Indicates whether resources for the new primary database are replenished after a cross-zone failover.
    pub has_complete_standby_res: bool,
    /// Indicates whether the hot standby storage cluster (and Standby compute nodes) is enabled.
    pub hot_standby_cluster: String,
    /// The automatic IMCI-based query acceleration feature.
    pub imci_auto_index: String,
    /// The failover with hot replica feature.
    pub imperceptible_switch: String,
    /// The maximum number of inodes in the file system.
    pub inode_total: i64,
    /// The current inode usage.
    pub inode_used: i64,
    /// Indicates whether the cluster is running the latest kernel version.
    pub is_latest_version: bool,
    /// Indicates whether the database proxy is the latest version.
    pub is_proxy_latest_version: bool,
    /// The lock mode.
    pub lock_mode: String,
    /// The maintenance window of the cluster.
    pub maintain_time: String,
    /// The Orca feature.
    pub orca: String,
    /// The billing method.
    pub pay_type: String,
    /// The provisioned read/write IOPS of the ESSD AutoPL cloud disk.
    pub provisioned_iops: String,
    /// The number of CPU cores of the database proxy.
    pub proxy_cpu_cores: String,
    /// The serverless type of the database proxy.
    pub proxy_serverless_type: String,
    /// The number of CPU cores in the standard configuration of the database proxy.
    pub proxy_standard_cpu_cores: String,
    /// The status of the database proxy.
    pub proxy_status: String,
    /// The type of the database proxy.
    pub proxy_type: String,
    /// The region ID.
    pub region_id: String,
    /// The request ID.
    pub request_id: String,
    /// The resource group ID.
    pub resource_group_id: String,
    /// This parameter is supported only for clusters that are restored from a backup set or to a point in time after June 1, 2024.
    pub restore_data_point: String,
    /// The cluster restoration method.
    pub restore_type: String,
    /// The row compression setting.
    pub row_compression: String,
    /// The storage size of SQL statements.
    #[serde(rename = "SQLSize")]
    pub sql_size: i64,
    /// The running status of the search node.
    pub search_cluster_status: String,
    /// The compressed storage data size of the search node.
    pub search_compress_storage_used: i64,
    /// The storage usage of the search node.
    pub search_storage_used: i64,
    /// The serverless type of the cluster.
    pub serverless_type: String,
    /// The ID of the source cluster.
    #[serde(rename = "SourceDBCluster")]
    pub source_db_cluster: String,
    /// The region ID of the source cluster.
    pub source_region_id: String,
    /// The cross-zone disaster recovery mode.
    #[serde(rename = "StandbyHAMode")]
    pub standby_ha_mode: String,
    pub storage_auto_scale: String,
    /// The maximum storage capacity for the current cluster specifications.
    pub storage_max: i64,
    /// The billing method for storage.
    pub storage_pay_type: String,
    /// The storage space billed by space (subscription).
    pub storage_space: i64,
    /// The storage type.
    pub storage_type: String,
    pub storage_upper_bound: i64,
    /// The storage usage.
    pub storage_used: i64,
    /// Indicates whether multi-zone strong data consistency is enabled for the cluster.
    pub strict_consistency: String,
    /// The specification type of the compute node.
    pub sub_category: String,
    /// Indicates whether the failover with hot replica feature that is compatible with IMCI is supported.
    pub support_instant_switch_with_imci: String,
    /// The tag information.
    pub tags: Vec<Tag>,
    /// The VPC ID.
    #[serde(rename = "VPCId")]
    pub vpc_id: String,
    /// The vSwitch ID.
    pub v_switch_id: String,
    /// The zone ID.
    pub zone_ids: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ClusterBranch {
    pub branch_lsn: String,
    pub branch_time: String,
    pub child_branch: Vec<ClusterChildBranch>,
    pub parent_ins_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterNode {
    /// The number of CPU cores added by automatically scaling local resources.
    pub added_cpu_cores: String,
    /// The number of CPU cores of the node.
    pub cpu_cores: String,
    /// The time when the node was created.
    pub creation_time: String,
    /// The CXL remote memory configuration.
    #[serde(rename = "DBNodeCXLRemoteMemory")]
    pub db_node_cxl_remote_memory: String,
    /// The node specifications.
    #[serde(rename = "DBNodeClass")]
    pub db_node_class: String,
    /// The node description.
    #[serde(rename = "DBNodeDescription")]
    pub db_node_description: String,
    /// The node ID.
    #[serde(rename = "DBNodeId")]
    pub db_node_id: String,
    /// The role of the node.
    #[serde(rename = "DBNodeRole")]
    pub db_node_role: String,
    /// The status of the node.
    #[serde(rename = "DBNodeStatus")]
    pub db_node_status: String,
    pub dedicated_host_model: bool,
    /// The failover priority.
    pub failover_priority: i64,
    /// Indicates whether hot standby is enabled.
    pub hot_replica_mode: String,
    /// Indicates whether In-Memory Column Index is enabled.
    pub imci_switch: String,
    /// The primary node ID of the Multi-master Cluster Edition.
    pub master_id: String,
    /// The maximum number of concurrent connections to the cluster.
    pub max_connections: i64,
    /// The maximum number of I/O requests per second (IOPS).
    #[serde(rename = "MaxIOPS")]
    pub max_iops: i64,
    /// The memory size of the node.
    pub memory_size: String,
    /// The name of the hot replica that corresponds to the node in the hot standby storage and compute architecture.
    pub mirror_ins_name: String,
    /// The multi-master local standby node.
    pub multi_master_local_standby: String,
    /// The multi-master primary node.
    pub multi_master_primary_node: String,
    /// The Orca feature.
    pub orca: String,
    pub remote_memory_max: i64,
    pub remote_memory_min: i64,
    pub remote_memory_recommended: i64,
    /// The remote memory size.
    pub remote_memory_size: String,
    /// Indicates whether the global consistency (high-performance mode) feature is enabled for the node.
    pub scc_mode: String,
    /// The routing weight.
    pub server_weight: String,
    /// The serverless type of the node.
    pub serverless_type: String,
    /// Indicates whether the node is in the primary zone or the secondary zone.
    pub sub_cluster: String,
    /// The cluster subgroup description.
    pub sub_group_description: String,
    /// The zone ID.
    pub zone_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ClusterChildBranch {
    pub branch_lsn: String,
    pub branch_time: String,
    #[serde(rename = "DBClusterDescription")]
    pub db_cluster_description: String,
    pub has_child: bool,
    pub ins_name: String,
}

/// DescribeTasks: the progress of tasks started through the API (such as creating a cluster).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTasks {
    /// The cluster ID.
    #[serde(rename = "DBClusterId", skip_serializing_if = "Option::is_none")]
    pub db_cluster_id: Option<String>,
    /// The node ID.
    #[serde(rename = "DBNodeId", skip_serializing_if = "Option::is_none")]
    pub db_node_id: Option<String>,
    /// The start time of the query.
    pub start_time: String,
    /// The end time of the query.
    pub end_time: String,
    /// The task status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The number of entries per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
}

impl Action for DescribeTasks {
    const NAME: &'static str = "DescribeTasks";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeTasksResponse;
}

/// Response of [`DescribeTasks`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeTasksResponse {
    /// The cluster ID associated with the task.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The end time of the query.
    pub end_time: String,
    /// The page number.
    pub page_number: i64,
    /// The number of records on the current page.
    pub page_record_count: i64,
    /// The request ID.
    pub request_id: String,
    /// The start time of the query.
    pub start_time: String,
    pub tasks: TaskList,
    /// The total number of records.
    pub total_record_count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskList {
    pub task: Vec<Task>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Task {
    pub begin_time: String,
    pub current_step_name: String,
    #[serde(rename = "DBName")]
    pub db_name: String,
    pub expected_finish_time: Option<String>,
    pub finish_time: String,
    pub progress: i64,
    pub progress_info: Option<String>,
    pub remain: i64,
    pub step_progress_info: String,
    pub steps_info: String,
    pub task_action: String,
    pub task_error_code: Option<String>,
    pub task_error_message: Option<String>,
    pub task_id: String,
}

/// ModifyDBClusterDescription: renames a cluster (its description).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterDescription {
    /// The name of the cluster.
    #[serde(rename = "DBClusterDescription")]
    pub db_cluster_description: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for ModifyDBClusterDescription {
    const NAME: &'static str = "ModifyDBClusterDescription";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterDescriptionResponse;
}

/// Response of [`ModifyDBClusterDescription`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterDescriptionResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyDBClusterDeletion: turns the cluster deletion lock on or off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterDeletion {
    /// The ID of the target cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// Specifies whether to enable or disable the cluster lock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<bool>,
}

impl Action for ModifyDBClusterDeletion {
    const NAME: &'static str = "ModifyDBClusterDeletion";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterDeletionResponse;
}

/// Response of [`ModifyDBClusterDeletion`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterDeletionResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyDBClusterMaintainTime: sets the routine maintenance window (`HH:mmZ-HH:mmZ`, UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterMaintainTime {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The maintenance window of the cluster.
    pub maintain_time: String,
}

impl Action for ModifyDBClusterMaintainTime {
    const NAME: &'static str = "ModifyDBClusterMaintainTime";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterMaintainTimeResponse;
}

/// Response of [`ModifyDBClusterMaintainTime`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterMaintainTimeResponse {
    /// The request ID.
    pub request_id: String,
}

/// FailoverDBCluster: manual failover: promotes a read-only node to primary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailoverDBCluster {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The ID of the node that you want to promote to the primary node.
    #[serde(rename = "TargetDBNodeId", skip_serializing_if = "Option::is_none")]
    pub target_db_node_id: Option<String>,
    /// The client token that is used to ensure the idempotence of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

impl Action for FailoverDBCluster {
    const NAME: &'static str = "FailoverDBCluster";
    const KIND: ActionKind = ActionKind::Write;
    type Response = FailoverDBClusterResponse;
}

/// Response of [`FailoverDBCluster`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FailoverDBClusterResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyDBClusterPrimaryZone: moves the cluster to another primary zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterPrimaryZone {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The ID of the new zone.
    pub zone_id: String,
    /// The ID of the vSwitch in the destination zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v_switch_id: Option<String>,
    /// The earliest time to start the scheduled task to change the zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_start_time: Option<String>,
    /// The latest time to start the scheduled task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_end_time: Option<String>,
    /// Specifies whether to perform the zone change immediately or at a scheduled time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_time_service: Option<bool>,
}

impl Action for ModifyDBClusterPrimaryZone {
    const NAME: &'static str = "ModifyDBClusterPrimaryZone";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterPrimaryZoneResponse;
}

/// Response of [`ModifyDBClusterPrimaryZone`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterPrimaryZoneResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyAutoRenewAttribute: sets the auto-renewal of subscription clusters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyAutoRenewAttribute {
    /// The ID of the database cluster.
    #[serde(rename = "DBClusterIds")]
    pub db_cluster_ids: String,
    /// The region ID.
    pub region_id: String,
    /// The auto-renewal status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_status: Option<String>,
    /// The auto-renewal period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// The unit of the auto-renewal period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_unit: Option<String>,
    /// The resource group ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
}

impl Action for ModifyAutoRenewAttribute {
    const NAME: &'static str = "ModifyAutoRenewAttribute";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyAutoRenewAttributeResponse;
}

/// Response of [`ModifyAutoRenewAttribute`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyAutoRenewAttributeResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeAutoRenewAttribute: the auto-renewal state of subscription clusters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutoRenewAttribute {
    /// The region ID.
    pub region_id: String,
    /// The ID of the cluster.
    #[serde(rename = "DBClusterIds", skip_serializing_if = "Option::is_none")]
    pub db_cluster_ids: Option<String>,
    /// The number of entries to return on each page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    /// The ID of the resource group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
}

impl Action for DescribeAutoRenewAttribute {
    const NAME: &'static str = "DescribeAutoRenewAttribute";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeAutoRenewAttributeResponse;
}

/// Response of [`DescribeAutoRenewAttribute`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeAutoRenewAttributeResponse {
    pub items: AutoRenewAttributeItems,
    /// The page number.
    pub page_number: i64,
    /// The total page count.
    pub page_record_count: i64,
    /// The request ID.
    pub request_id: String,
    /// The total number of entries.
    pub total_record_count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutoRenewAttributeItems {
    pub auto_renew_attribute: Vec<AutoRenewAttribute>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AutoRenewAttribute {
    pub auto_renew_enabled: bool,
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    pub duration: i64,
    pub period_unit: String,
    pub region_id: String,
    pub renewal_status: String,
}

/// DescribeDBClusterAvailableResources: the node classes on sale per zone and engine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterAvailableResources {
    /// The billing method.
    pub pay_type: String,
    /// The type of the database engine.
    #[serde(rename = "DBType", skip_serializing_if = "Option::is_none")]
    pub db_type: Option<String>,
    /// The version of the database engine.
    #[serde(rename = "DBVersion", skip_serializing_if = "Option::is_none")]
    pub db_version: Option<String>,
    /// The specifications of the node.
    #[serde(rename = "DBNodeClass", skip_serializing_if = "Option::is_none")]
    pub db_node_class: Option<String>,
    /// The region ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// The zone ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
}

impl Action for DescribeDBClusterAvailableResources {
    const NAME: &'static str = "DescribeDBClusterAvailableResources";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterAvailableResourcesResponse;
}

/// Response of [`DescribeDBClusterAvailableResources`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterAvailableResourcesResponse {
    /// The list of available resources.
    pub available_zones: Vec<AvailableZone>,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AvailableZone {
    /// The region ID.
    pub region_id: String,
    /// The list of available engines.
    pub supported_engines: Vec<SupportedEngine>,
    /// The zone ID.
    pub zone_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SupportedEngine {
    /// The available resources.
    pub available_resources: Vec<AvailableResource>,
    /// The version of the database engine.
    pub engine: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AvailableResource {
    /// The edition of the cluster.
    pub category: String,
    /// The specifications of the node.
    #[serde(rename = "DBNodeClass")]
    pub db_node_class: String,
}
