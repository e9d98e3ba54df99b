//! Chapter 13: databases.

use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// CreateDatabase: creates a database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDatabase {
    /// The ID of cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The name of the database.
    #[serde(rename = "DBName")]
    pub db_name: String,
    /// The character set that is used by the cluster.
    pub character_set_name: String,
    /// The description of the database.
    #[serde(rename = "DBDescription", skip_serializing_if = "Option::is_none")]
    pub db_description: Option<String>,
    /// The name of the account that is authorized to access the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The permissions that are granted to the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_privilege: Option<String>,
    /// The language that defines the collation rules in the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collate: Option<String>,
    /// The language that indicates the character type of the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctype: Option<String>,
}

impl Action for CreateDatabase {
    const NAME: &'static str = "CreateDatabase";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateDatabaseResponse;
}

/// Response of [`CreateDatabase`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateDatabaseResponse {
    /// The ID of the request.
    pub request_id: String,
}

/// DescribeDatabases: the databases of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDatabases {
    /// The ID of the cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The name of the database.
    #[serde(rename = "DBName", skip_serializing_if = "Option::is_none")]
    pub db_name: Option<String>,
    /// The number of the page to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    /// The number of entries to return on each page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

impl Action for DescribeDatabases {
    const NAME: &'static str = "DescribeDatabases";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDatabasesResponse;
}

/// Response of [`DescribeDatabases`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDatabasesResponse {
    pub databases: DatabaseList,
    /// The page number.
    pub page_number: i64,
    /// The number of entries returned on the current page.
    pub page_record_count: i64,
    /// The ID of the request.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DatabaseList {
    pub database: Vec<Database>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Database {
    pub accounts: DatabaseAccountList,
    pub character_set_name: String,
    #[serde(rename = "DBDescription")]
    pub db_description: String,
    #[serde(rename = "DBName")]
    pub db_name: String,
    #[serde(rename = "DBStatus")]
    pub db_status: String,
    pub engine: String,
    #[serde(rename = "MasterID")]
    pub master_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DatabaseAccountList {
    pub account: Vec<DatabaseAccount>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DatabaseAccount {
    pub account_name: String,
    pub account_privilege: String,
    pub account_status: String,
    pub privilege_status: String,
}

/// DeleteDatabase: deletes a database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDatabase {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The name of the database.
    #[serde(rename = "DBName")]
    pub db_name: String,
}

impl Action for DeleteDatabase {
    const NAME: &'static str = "DeleteDatabase";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteDatabaseResponse;
}

/// Response of [`DeleteDatabase`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteDatabaseResponse {
    /// The ID of the request.
    pub request_id: String,
}

/// CheckDBName: checks that a database name is valid and not taken.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckDBName {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The database name.
    #[serde(rename = "DBName")]
    pub db_name: String,
}

impl Action for CheckDBName {
    const NAME: &'static str = "CheckDBName";
    const KIND: ActionKind = ActionKind::Read;
    type Response = CheckDBNameResponse;
}

/// Response of [`CheckDBName`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckDBNameResponse {
    /// The database name.
    #[serde(rename = "DBName")]
    pub db_name: String,
    /// The request ID.
    pub request_id: String,
}

/// DescribeDBInitializeVariable: the character sets, collations and ctypes a new database may use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDBInitializeVariable {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DescribeDBInitializeVariable {
    const NAME: &'static str = "DescribeDBInitializeVariable";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeDBInitializeVariableResponse;
}

/// Response of [`DescribeDBInitializeVariable`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeDBInitializeVariableResponse {
    /// The database type.
    #[serde(rename = "DBType")]
    pub db_type: String,
    /// The database version.
    #[serde(rename = "DBVersion")]
    pub db_version: String,
    /// The request ID.
    pub request_id: String,
    pub variables: InitializeVariables,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InitializeVariables {
    pub variable: Vec<InitializeVariable>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InitializeVariable {
    pub charset: String,
    pub collate: String,
    pub ctype: String,
}
