//! Chapter 09: cluster parameters.

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// DescribeDBClusterParameters: the parameters of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBClusterParameters {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBClusterParameters {
    const NAME: &'static str = "DescribeDBClusterParameters";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBClusterParametersResponse;
}

/// Response of [`DescribeDBClusterParameters`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBClusterParametersResponse {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The database type.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The database engine version.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The engine.
    pub engine: String,
    /// The number of parameters.
    pub parameter_numbers: String,
    pub parameters: ParameterComparisonList,
    /// The request ID.
    pub request_id: String,
    pub running_parameters: RunningParameters,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ParameterComparisonList {
    pub parameters: Vec<ParameterComparison>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RunningParameters {
    pub parameter: Vec<RunningParameter>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ParameterComparison {
    pub is_equal: String,
    #[serde(rename = "IsInstancePolarDBKey")]
    pub is_instance_polar_db_key: String,
    pub is_instance_rds_key: String,
    #[serde(rename = "IsPolarDBKey")]
    pub is_polar_db_key: String,
    pub is_rds_key: String,
    #[serde(rename = "distParameterDescription")]
    pub dist_parameter_description: String,
    #[serde(rename = "distParameterName")]
    pub dist_parameter_name: String,
    #[serde(rename = "distParameterOptional")]
    pub dist_parameter_optional: String,
    #[serde(rename = "distParameterValue")]
    pub dist_parameter_value: String,
    #[serde(rename = "rdsParameterDescription")]
    pub rds_parameter_description: String,
    #[serde(rename = "rdsParameterName")]
    pub rds_parameter_name: String,
    #[serde(rename = "rdsParameterOptional")]
    pub rds_parameter_optional: String,
    #[serde(rename = "rdsParameterValue")]
    pub rds_parameter_value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RunningParameter {
    pub checking_code: String,
    pub data_type: String,
    pub default_parameter_value: String,
    pub factor: String,
    pub force_restart: bool,
    pub is_modifiable: bool,
    pub is_node_available: String,
    pub param_rely_rule: String,
    pub parameter_description: String,
    pub parameter_name: String,
    pub parameter_status: String,
    pub parameter_value: String,
}

/// ModifyDBClusterParameters: changes parameters of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyDBClusterParameters {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// A JSON string that consists of parameters and their values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<String>,
    /// The parameter template ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_group_id: Option<String>,
}

impl Action for ModifyDBClusterParameters {
    const NAME: &'static str = "ModifyDBClusterParameters";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyDBClusterParametersResponse;
}

/// Response of [`ModifyDBClusterParameters`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyDBClusterParametersResponse {
    /// The request ID.
    pub request_id: String,
}
