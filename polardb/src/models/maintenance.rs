//! Chapter 16: pending maintenance events.

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// DescribePendingMaintenanceAction: the pending (or past) maintenance events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribePendingMaintenanceAction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// The region ID of the pending event.
    pub region: String,
    /// The task type of pending events.
    pub task_type: String,
    /// Specifies whether to return the historical tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_history: Option<i32>,
    /// The number of entries per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The number of the page to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
}

impl Action for DescribePendingMaintenanceAction {
    const NAME: &'static str = "DescribePendingMaintenanceAction";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribePendingMaintenanceActionResponse;
}

/// Response of [`DescribePendingMaintenanceAction`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribePendingMaintenanceActionResponse {
    /// Details about tasks.
    pub items: Vec<PendingMaintenanceAction>,
    /// The page number.
    pub page_number: i64,
    /// The number of entries per page.
    pub page_size: i64,
    /// The ID of the request.
    pub request_id: String,
    /// The total number of returned entries.
    pub total_record_count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PendingMaintenanceAction {
    /// The time when the task was created.
    pub created_time: String,
    /// The ID of the cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The type of the database engine.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The version of the database engine.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The deadline before which the task can be executed.
    pub deadline: String,
    /// The ID of the task.
    pub id: i64,
    /// The time when the parameter was modified.
    pub modified_time: String,
    /// The preparation time that is required before the pending event is switched.
    pub prepare_interval: String,
    /// The region ID of the pending event.
    pub region: String,
    /// The execution result of the task.
    pub result_info: String,
    /// The time when the task was executed in the background.
    pub start_time: String,
    /// The status of the pending task.
    pub status: i64,
    /// The time when the pending event was switched.
    pub switch_time: String,
    /// The type of the pending event.
    pub task_type: String,
}

/// DescribePendingMaintenanceActions: the number of pending maintenance events per task type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribePendingMaintenanceActions {
    /// The region ID.
    pub region_id: String,
    /// Specifies whether to return historical tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_history: Option<i32>,
}

impl Action for DescribePendingMaintenanceActions {
    const NAME: &'static str = "DescribePendingMaintenanceActions";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribePendingMaintenanceActionsResponse;
}

/// Response of [`DescribePendingMaintenanceActions`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribePendingMaintenanceActionsResponse {
    /// The request ID.
    pub request_id: String,
    /// The details of pending events.
    pub type_list: Vec<PendingMaintenanceTypeCount>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PendingMaintenanceTypeCount {
    /// The number of pending events.
    pub count: i64,
    /// The task type of the pending event.
    pub task_type: String,
}

/// ModifyPendingMaintenanceAction: changes the switch time of pending maintenance events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyPendingMaintenanceAction {
    /// The ID of the task.
    pub ids: String,
    /// The time that you specify for the background to perform the action that corresponds to the pending event.
    pub switch_time: String,
    /// The region ID of the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
}

impl Action for ModifyPendingMaintenanceAction {
    const NAME: &'static str = "ModifyPendingMaintenanceAction";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyPendingMaintenanceActionResponse;
}

/// Response of [`ModifyPendingMaintenanceAction`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyPendingMaintenanceActionResponse {
    /// The ID of the task.
    pub ids: String,
    /// The ID of the request.
    pub request_id: String,
}
