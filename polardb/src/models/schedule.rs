//! Chapter 17: scheduled tasks.

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// DescribeScheduleTasks: the scheduled tasks (actions called with `PlannedStartTime`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeScheduleTasks {
    /// The task status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The cluster ID.
    #[serde(rename = "DBClusterId", skip_serializing_if = "Option::is_none")]
    pub db_cluster_id: Option<String>,
    /// The region ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// The number of the page to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    /// The number of entries to return on each page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// The action of the scheduled task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_action: Option<String>,
}

impl Action for DescribeScheduleTasks {
    const NAME: &'static str = "DescribeScheduleTasks";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeScheduleTasksResponse;
}

/// Response of [`DescribeScheduleTasks`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeScheduleTasksResponse {
    /// The result set.
    pub data: ScheduleTaskPage,
    /// The response message.
    pub message: String,
    /// The request ID.
    pub request_id: String,
    /// Indicates whether the request was successful.
    pub success: bool,
    /// The result code (the reference example shows `"200"`).
    pub code: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ScheduleTaskPage {
    /// The page number.
    pub page_number: i64,
    /// The number of entries per page.
    pub page_size: i64,
    /// Details of scheduled tasks.
    pub timer_infos: Vec<TimerInfo>,
    /// The total number of entries.
    pub total_record_count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TimerInfo {
    /// The task type.
    pub action: String,
    /// The ID of the scheduled O\\&M task.
    pub crontab_job_id: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The cluster description.
    pub db_cluster_description: String,
    /// The cluster status.
    pub db_cluster_status: String,
    /// The order ID.
    pub order_id: String,
    /// The latest start time of the task.
    pub planned_end_time: String,
    /// The scheduled time for the transient switchover.
    pub planned_flashing_off_time: String,
    /// The scheduled start time of the task.
    pub planned_start_time: String,
    /// The estimated start time of the task.
    pub planned_time: String,
    /// The region ID of the task.
    pub region: String,
    /// The status of the task.
    pub status: String,
    /// Indicates whether the scheduled task can be canceled.
    pub task_cancel: bool,
    /// The task ID.
    pub task_id: String,
}

/// CancelScheduleTasks: cancels a scheduled task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelScheduleTasks {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The ID of the scheduled task to cancel.
    pub task_id: String,
}

impl Action for CancelScheduleTasks {
    const NAME: &'static str = "CancelScheduleTasks";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CancelScheduleTasksResponse;
}

/// Response of [`CancelScheduleTasks`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CancelScheduleTasksResponse {
    /// The request ID.
    pub request_id: String,
    /// Indicates whether the request was successful.
    pub success: bool,
}
