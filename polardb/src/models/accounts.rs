//! Chapter 12: database accounts.

use super::{Action, ActionKind, REDACTED};
use serde::{Deserialize, Serialize};

/// CreateAccount: creates a database account.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAccount {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The account name.
    pub account_name: String,
    /// The account password.
    pub account_password: String,
    /// The account type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// The description of the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_description: Option<String>,
    /// The name of the database that the account is authorized to access.
    #[serde(rename = "DBName", skip_serializing_if = "Option::is_none")]
    pub db_name: Option<String>,
    /// The permissions of the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_privilege: Option<String>,
    /// The client token that is used to ensure the idempotence of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

impl std::fmt::Debug for CreateAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateAccount")
            .field("db_cluster_id", &self.db_cluster_id)
            .field("account_name", &self.account_name)
            .field("account_password", &REDACTED)
            .field("account_type", &self.account_type)
            .field("account_description", &self.account_description)
            .field("db_name", &self.db_name)
            .field("account_privilege", &self.account_privilege)
            .field("client_token", &self.client_token)
            .finish()
    }
}

impl Action for CreateAccount {
    const NAME: &'static str = "CreateAccount";
    const KIND: ActionKind = ActionKind::Write;
    type Response = CreateAccountResponse;
}

/// Response of [`CreateAccount`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateAccountResponse {
    /// The request ID.
    pub request_id: String,
}

/// DescribeAccounts: the database accounts of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAccounts {
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The account name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The page number of the returned page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    /// The number of entries returned per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

impl Action for DescribeAccounts {
    const NAME: &'static str = "DescribeAccounts";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeAccountsResponse;
}

/// Response of [`DescribeAccounts`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DescribeAccountsResponse {
    /// The details of the account.
    pub accounts: Vec<Account>,
    /// The page number.
    pub page_number: i64,
    /// The number of entries returned per page.
    pub page_record_count: i64,
    /// The request ID.
    pub request_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Account {
    /// The description of the database account.
    pub account_description: String,
    /// The lock status of the account.
    pub account_lock_state: String,
    /// The name of the database account.
    pub account_name: String,
    /// The validity period of the password.
    pub account_password_valid_time: String,
    /// The status of the database account.
    pub account_status: String,
    /// The type of the account.
    pub account_type: String,
    /// The list of database permissions that are granted to the account.
    pub database_privileges: Vec<DatabasePrivilege>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DatabasePrivilege {
    /// The permissions of the account.
    pub account_privilege: String,
    /// The database name.
    #[serde(rename = "DBName")]
    pub db_name: String,
}

/// ModifyAccountDescription: changes the description of an account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyAccountDescription {
    /// The description of the account.
    pub account_description: String,
    /// The account name.
    pub account_name: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for ModifyAccountDescription {
    const NAME: &'static str = "ModifyAccountDescription";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyAccountDescriptionResponse;
}

/// Response of [`ModifyAccountDescription`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyAccountDescriptionResponse {
    /// The request ID.
    pub request_id: String,
}

/// DeleteAccount: deletes a database account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteAccount {
    /// The account name.
    pub account_name: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for DeleteAccount {
    const NAME: &'static str = "DeleteAccount";
    const KIND: ActionKind = ActionKind::Write;
    type Response = DeleteAccountResponse;
}

/// Response of [`DeleteAccount`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteAccountResponse {
    /// The request ID.
    pub request_id: String,
}

/// ModifyAccountPassword: changes the password of an account.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyAccountPassword {
    /// The username of the account.
    pub account_name: String,
    /// The cluster ID.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
    /// The new password of the account.
    pub new_account_password: String,
}

impl std::fmt::Debug for ModifyAccountPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModifyAccountPassword")
            .field("account_name", &self.account_name)
            .field("db_cluster_id", &self.db_cluster_id)
            .field("new_account_password", &REDACTED)
            .finish()
    }
}

impl Action for ModifyAccountPassword {
    const NAME: &'static str = "ModifyAccountPassword";
    const KIND: ActionKind = ActionKind::Write;
    type Response = ModifyAccountPasswordResponse;
}

/// Response of [`ModifyAccountPassword`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ModifyAccountPasswordResponse {
    /// The request ID.
    pub request_id: String,
}

/// CheckAccountName: checks that an account name is valid and not taken.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckAccountName {
    /// The name of the account.
    pub account_name: String,
    /// The ID of the cluster.
    #[serde(rename = "DBClusterId")]
    pub db_cluster_id: String,
}

impl Action for CheckAccountName {
    const NAME: &'static str = "CheckAccountName";
    const KIND: ActionKind = ActionKind::Read;
    type Response = CheckAccountNameResponse;
}

/// Response of [`CheckAccountName`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckAccountNameResponse {
    /// The request ID.
    pub request_id: String,
}
