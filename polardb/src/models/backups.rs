//! Chapter 14 (backups) and the four backup-policy actions the overview lists without a
//! section of their own (fields from the official SDK models).

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// CreateBackup: starts a manual backup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBackup {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The client token that is used to ensure the idempotence of the request and prevent duplicate submissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

impl Action for CreateBackup {
    const NAME: &'static str = "CreateBackup";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateBackupResponse;
}

/// Response of [`CreateBackup`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateBackupResponse {
    /// The backup set ID.
    pub backup_job_id: String,
    /// The request ID.
    pub request_id: String,
}

/// DeleteBackup: deletes a backup set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteBackup {
    /// The backup ID.
    pub backup_id: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DeleteBackup {
    const NAME: &'static str = "DeleteBackup";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteBackupResponse;
}

/// Response of [`DeleteBackup`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteBackupResponse {
    /// The ID of the request.
    pub request_id: String,
}

/// DescribeBackups: the backup sets of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBackups {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The end time of the query.
    pub end_time: String,
    /// The start time of the query.
    pub start_time: String,
    /// The backup ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_id: Option<String>,
    /// The backup status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_status: Option<String>,
    /// The backup mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_mode: Option<String>,
    /// The number of entries per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
}

impl Action for DescribeBackups {
    const NAME: &'static str = "DescribeBackups";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeBackupsResponse;
}

/// Response of [`DescribeBackups`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeBackupsResponse {
    pub items: BackupItems,
    /// The page number.
    pub page_number: String,
    /// The number of entries on the current page.
    pub page_record_count: String,
    /// The request ID.
    pub request_id: String,
    /// The total size of level-2 backups in the specified region.
    pub total_level2_backup_size: String,
    /// The total number of entries.
    pub total_record_count: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BackupItems {
    pub backup: Vec<Backup>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Backup {
    pub backup_end_time: String,
    pub backup_id: String,
    pub backup_method: String,
    pub backup_mode: String,
    pub backup_set_size: String,
    pub backup_start_time: String,
    pub backup_status: String,
    pub backup_type: String,
    pub backups_level: String,
    pub comment: String,
    pub consistent_time: String,
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    pub expect_expire_time: String,
    pub expect_expire_type: String,
    pub is_avail: String,
    pub table_restore_meta_status: String,
    /// Whether the backup set can be deleted (`Enabled`) or not (`Disabled`); from the reference.
    pub store_status: String,
}

/// DescribeBackupTasks: the backup jobs in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBackupTasks {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The backup job ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_job_id: Option<String>,
    /// The backup mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_mode: Option<String>,
}

impl Action for DescribeBackupTasks {
    const NAME: &'static str = "DescribeBackupTasks";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeBackupTasksResponse;
}

/// Response of [`DescribeBackupTasks`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeBackupTasksResponse {
    pub items: BackupJobItems,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BackupJobItems {
    pub backup_job: Vec<BackupJob>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BackupJob {
    pub backup_job_id: String,
    pub backup_progress_status: String,
    pub job_mode: String,
    pub process: String,
    pub start_time: String,
    pub task_action: String,
}

/// DescribeBackupLogs: the log backups of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBackupLogs {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The end time of the query.
    pub end_time: String,
    /// The start time of the query.
    pub start_time: String,
    /// The number of entries per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
}

impl Action for DescribeBackupLogs {
    const NAME: &'static str = "DescribeBackupLogs";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeBackupLogsResponse;
}

/// Response of [`DescribeBackupLogs`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeBackupLogsResponse {
    pub items: BackupLogItems,
    /// The page number.
    pub page_number: String,
    /// The number of entries on the current page.
    pub page_record_count: String,
    /// The request ID.
    pub request_id: String,
    /// The total number of entries.
    pub total_record_count: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BackupLogItems {
    pub backup_log: Vec<BackupLog>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BackupLog {
    pub backup_log_end_time: String,
    pub backup_log_id: String,
    pub backup_log_name: String,
    pub backup_log_size: String,
    pub backup_log_start_time: String,
    pub download_link: String,
    pub intranet_download_link: String,
    pub link_expired_time: String,
}

/// DescribeDetachedBackups: the backup sets kept after a cluster was released.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDetachedBackups {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The end of the time range to query.
    pub end_time: String,
    /// The beginning of the time range to query.
    pub start_time: String,
    /// The backup ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_id: Option<String>,
    /// The backup status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_status: Option<String>,
    /// The backup mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_mode: Option<String>,
    /// The number of entries per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
}

impl Action for DescribeDetachedBackups {
    const NAME: &'static str = "DescribeDetachedBackups";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDetachedBackupsResponse;
}

/// Response of [`DescribeDetachedBackups`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDetachedBackupsResponse {
    pub items: DetachedBackupItems,
    /// The page number.
    pub page_number: String,
    /// The number of entries on the current page.
    pub page_record_count: String,
    /// The request ID.
    pub request_id: String,
    /// The total number of entries.
    pub total_record_count: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DetachedBackupItems {
    pub backup: Vec<DetachedBackup>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DetachedBackup {
    pub backup_end_time: String,
    pub backup_id: String,
    pub backup_method: String,
    pub backup_mode: String,
    pub backup_set_size: String,
    pub backup_start_time: String,
    pub backup_status: String,
    pub backup_type: String,
    pub backups_level: String,
    pub consistent_time: String,
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    pub is_avail: String,
    pub store_status: String,
}

/// DescribeDBClustersWithBackups: the clusters (including released ones) that have backups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClustersWithBackups {
    /// The region ID.
    pub region_id: String,
    /// The ID of the cluster.
    #[serde(rename = "DBClusterIds", skip_serializing_if = "Option::is_none")]
    pub db_cluster_ids: Option<String>,
    /// The cluster name.
    #[serde(
        rename = "DBClusterDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_cluster_description: Option<String>,
    /// The database engine type.
    #[serde(rename = "DBType", skip_serializing_if = "Option::is_none")]
    pub db_type: Option<String>,
    /// Specifies whether the cluster is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<i32>,
    /// The number of records on each page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    /// The database engine version.
    #[serde(rename = "DBVersion", skip_serializing_if = "Option::is_none")]
    pub db_version: Option<String>,
}

impl Action for DescribeDBClustersWithBackups {
    const NAME: &'static str = "DescribeDBClustersWithBackups";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClustersWithBackupsResponse;
}

/// Response of [`DescribeDBClustersWithBackups`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClustersWithBackupsResponse {
    pub items: DBClusterWithBackupsItems,
    /// The page number.
    pub page_number: i64,
    /// The number of clusters on the current page.
    pub page_record_count: i64,
    /// The request ID.
    pub request_id: String,
    /// The total number of entries returned.
    pub total_record_count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterWithBackupsItems {
    #[serde(rename = "DBCluster")]
    pub db_cluster: Vec<DBClusterWithBackups>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DBClusterWithBackups {
    pub create_time: String,
    #[serde(rename = "DBClusterDescription")]
    pub db_cluster_description: String,
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    #[serde(rename = "DBClusterNetworkType")]
    pub db_cluster_network_type: String,
    #[serde(rename = "DBClusterStatus")]
    pub db_cluster_status: String,
    #[serde(rename = "DBNodeClass")]
    pub db_node_class: String,
    #[serde(rename = "DBType")]
    pub db_type: String,
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    pub deleted_time: String,
    pub deletion_lock: i64,
    pub engine: String,
    pub expire_time: String,
    pub expired: String,
    pub is_deleted: i64,
    pub lock_mode: String,
    pub pay_type: String,
    pub region_id: String,
    pub vpc_id: String,
    pub zone_id: String,
}

/// DescribeBackupPolicy: the data backup policy of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBackupPolicy {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeBackupPolicy {
    const NAME: &'static str = "DescribeBackupPolicy";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeBackupPolicyResponse;
}

/// Response of [`DescribeBackupPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeBackupPolicyResponse {
    pub advanced_data_policies: AdvancedDataPolicies,
    /// The advanced backup policy option.
    pub advanced_policy_option: String,
    /// The backup frequency.
    pub backup_frequency: String,
    /// The current backup policy level.
    pub backup_policy_level: String,
    /// Indicates whether to retain backups when the cluster is deleted.
    pub backup_retention_policy_on_cluster_deletion: String,
    /// The backup frequency.
    pub data_level1_backup_frequency: String,
    /// The level-1 backup cycle.
    pub data_level1_backup_period: String,
    /// The retention period of level-1 backups.
    pub data_level1_backup_retention_period: String,
    /// The time period during which automatic backups are performed.
    pub data_level1_backup_time: String,
    /// The destination region for cross-region level-2 backups.
    pub data_level2_backup_another_region_region: String,
    /// The retention epoch of level-2 cross-region backup.
    pub data_level2_backup_another_region_retention_period: String,
    /// The level-2 backup cycle.
    pub data_level2_backup_period: String,
    /// The retention epoch of level-2 backups.
    pub data_level2_backup_retention_period: String,
    /// Indicates whether the immutable backup for cross-region backup is enabled.
    pub enable_cross_region_immutable_backup: bool,
    /// Indicates whether immutable backup is enabled.
    pub enable_immutable_backup: bool,
    /// The data backup cycle.
    pub preferred_backup_period: String,
    /// The time period during which automatic backups are performed.
    pub preferred_backup_time: String,
    /// The time of the next backup.
    pub preferred_next_backup_time: String,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedDataPolicies {
    pub advanced_data_policy: Vec<AdvancedDataPolicy>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedDataPolicy {
    pub auto_created: bool,
    pub bak_type: String,
    pub dest_region: String,
    pub dest_type: String,
    pub dump_action: String,
    pub filter_key: String,
    pub filter_type: String,
    pub filter_value: String,
    pub only_preserve_one_each_day: bool,
    pub only_preserve_one_each_hour: bool,
    pub policy_id: String,
    pub retention_type: String,
    pub retention_value: String,
    pub src_region: String,
    pub src_type: String,
    pub storage_class: String,
}

/// ModifyBackupPolicy: changes the data backup policy of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyBackupPolicy {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The level of the backup policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_policy_level: Option<String>,
    /// The backup cycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_backup_period: Option<String>,
    /// The time period during which automatic backups are performed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_backup_time: Option<String>,
    /// The backup frequency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_frequency: Option<String>,
    /// Specifies whether to retain backups when a cluster is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_retention_policy_on_cluster_deletion: Option<String>,
    /// The backup frequency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level1_backup_frequency: Option<String>,
    /// The backup cycle for level-1 backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level1_backup_period: Option<String>,
    /// The retention period of level-1 backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level1_backup_retention_period: Option<String>,
    /// The time period during which automatic backups are performed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level1_backup_time: Option<String>,
    /// The backup cycle for level-2 backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level2_backup_period: Option<String>,
    /// The retention epoch of level-2 backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level2_backup_retention_period: Option<String>,
    /// The destination region for cross-region backup of level-2 backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level2_backup_another_region_region: Option<String>,
    /// The retention epoch for cross-region backup of level-2 backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_level2_backup_another_region_retention_period: Option<String>,
    /// The advanced policies: a JSON array of objects (the SDK sends its list JSON-encoded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced_data_policies: Option<String>,
}

impl Action for ModifyBackupPolicy {
    const NAME: &'static str = "ModifyBackupPolicy";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyBackupPolicyResponse;
}

/// Response of [`ModifyBackupPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyBackupPolicyResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeLogBackupPolicy: the log backup policy of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLogBackupPolicy {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeLogBackupPolicy {
    const NAME: &'static str = "DescribeLogBackupPolicy";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeLogBackupPolicyResponse;
}

/// Response of [`DescribeLogBackupPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeLogBackupPolicyResponse {
    pub advanced_log_policies: AdvancedLogPolicies,
    /// Indicates whether the log backup feature is enabled.
    pub enable_backup_log: i64,
    /// The region in which the cross-region log backup is stored.
    pub log_backup_another_region_region: String,
    /// The retention period of the cross-region log backup.
    pub log_backup_another_region_retention_period: String,
    /// The retention period of the log backup.
    pub log_backup_retention_period: i64,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedLogPolicies {
    pub advanced_log_policy: Vec<AdvancedLogPolicy>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedLogPolicy {
    pub dest_region: String,
    pub dest_type: String,
    pub enable_log_backup: i64,
    pub log_retention_type: String,
    pub log_retention_value: String,
    pub policy_id: String,
    pub src_region: String,
    pub src_type: String,
}

/// ModifyLogBackupPolicy: changes the log backup policy of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyLogBackupPolicy {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The log retention period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_backup_retention_period: Option<String>,
    /// The region for cross-region log backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_backup_another_region_region: Option<String>,
    /// The retention period for cross-region backups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_backup_another_region_retention_period: Option<String>,
    /// The advanced policies: a JSON array of objects (the SDK sends its list JSON-encoded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced_log_policies: Option<String>,
}

impl Action for ModifyLogBackupPolicy {
    const NAME: &'static str = "ModifyLogBackupPolicy";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyLogBackupPolicyResponse;
}

/// Response of [`ModifyLogBackupPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyLogBackupPolicyResponse {
    /// The request ID.
    pub request_id: String,
}
