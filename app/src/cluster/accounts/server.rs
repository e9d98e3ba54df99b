//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// The database accounts of a cluster and which changes the user may make.
#[server]
pub async fn accounts_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<AccountsData, AppError> {
    use crate::call::may;
    use crate::cluster::frame::locate;
    let (account, region) = locate(account, region, &cluster).await?;
    let list = read_accounts(&account, &region, &cluster).await?;
    let allowed = may(
        &account,
        &region,
        &cluster,
        &[
            "CreateAccount",
            "ModifyAccountDescription",
            "ModifyAccountPassword",
            "DeleteAccount",
        ],
    )
    .await?;
    let can = |a: &str| allowed.iter().any(|x| x == a);
    Ok(AccountsData {
        accounts: list
            .into_iter()
            .map(|a| DbAccountRow {
                name: a.account_name,
                kind: a.account_type,
                status: a.account_status,
                lock_state: a.account_lock_state,
                description: a.account_description,
                privileges: a
                    .database_privileges
                    .into_iter()
                    .map(|p| (p.db_name, p.account_privilege))
                    .collect(),
            })
            .collect(),
        can_create: can("CreateAccount"),
        can_describe: can("ModifyAccountDescription"),
        can_password: can("ModifyAccountPassword"),
        can_delete: can("DeleteAccount"),
    })
}

/// Asks the API whether a new account name is valid and free (CheckAccountName).
#[server]
pub async fn check_account_name(
    account: String,
    region: String,
    cluster: String,
    name: String,
) -> Result<String, AppError> {
    if let Some(p) = account_name_problem(&name) {
        return Err(invalid("Account name", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "CheckAccountName".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Creates a database account (CheckAccountName, then CreateAccount). Returns the RequestId.
#[server]
pub async fn create_db_account(
    account: String,
    region: String,
    cluster: String,
    name: String,
    kind: String,
    description: String,
    password: String,
    password_again: String,
) -> Result<String, AppError> {
    if let Some(p) = account_name_problem(&name) {
        return Err(invalid("Account name", p));
    }
    if kind != "Normal" && kind != "Super" {
        return Err(invalid("Account type", "must be Normal or Super"));
    }
    if let Some(p) = account_description_problem(&description, true) {
        return Err(invalid("Description", p));
    }
    if let Some(p) = passwords_problem(&password, &password_again) {
        return Err(invalid("Password", p));
    }
    crate::api::call_api(
        account.clone(),
        region.clone(),
        "CheckAccountName".into(),
        vec![
            ("DBClusterId".into(), cluster.clone()),
            ("AccountName".into(), name.clone()),
        ],
    )
    .await?;
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("AccountName".to_string(), name),
        ("AccountPassword".to_string(), password),
        ("AccountType".to_string(), kind),
    ];
    if !description.is_empty() {
        params.push(("AccountDescription".into(), description));
    }
    let answer = crate::api::call_api(account, region, "CreateAccount".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes an account's description (ModifyAccountDescription). Returns the RequestId.
#[server]
pub async fn modify_account_description(
    account: String,
    region: String,
    cluster: String,
    name: String,
    description: String,
) -> Result<String, AppError> {
    if let Some(p) = account_description_problem(&description, false) {
        return Err(invalid("Description", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyAccountDescription".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
            ("AccountDescription".into(), description),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Sets a new password (ModifyAccountPassword). Returns the RequestId.
#[server]
pub async fn reset_account_password(
    account: String,
    region: String,
    cluster: String,
    name: String,
    password: String,
    password_again: String,
) -> Result<String, AppError> {
    if name.is_empty() {
        return Err(invalid("Account", "is required"));
    }
    if let Some(p) = passwords_problem(&password, &password_again) {
        return Err(invalid("New password", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyAccountPassword".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
            ("NewAccountPassword".into(), password),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Deletes an account (DeleteAccount). Returns the RequestId.
#[server]
pub async fn delete_db_account(
    account: String,
    region: String,
    cluster: String,
    name: String,
) -> Result<String, AppError> {
    if name.is_empty() {
        return Err(invalid("Account", "is required"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteAccount".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
        ],
    )
    .await?;
    Ok(answer.request_id)
}
