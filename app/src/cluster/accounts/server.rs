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
    let api = crate::call::Api::signed_in().await?;
    let list = read_accounts(&api, &account, &region, &cluster).await?;
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
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::CheckAccountName {
                db_cluster_id: cluster,
                account_name: name,
            },
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
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Account type",
            td_string!(locale, cluster_access.must_be_normal_or_super),
        ));
    }
    if let Some(p) = account_description_problem(&description, true) {
        return Err(invalid("Description", p));
    }
    if let Some(p) = passwords_problem(&password, &password_again) {
        return Err(invalid("Password", p));
    }
    let api = crate::call::Api::signed_in().await?;
    api.call(
        &account,
        &region,
        &polardb::models::CheckAccountName {
            db_cluster_id: cluster.clone(),
            account_name: name.clone(),
        },
    )
    .await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::CreateAccount {
                db_cluster_id: cluster,
                account_name: name,
                account_password: password,
                account_type: Some(kind),
                account_description: (!description.is_empty()).then_some(description),
                ..Default::default()
            },
        )
        .await?;
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
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyAccountDescription {
                db_cluster_id: cluster,
                account_name: name,
                account_description: description,
            },
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
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Account",
            td_string!(locale, cluster_access.is_required),
        ));
    }
    if let Some(p) = passwords_problem(&password, &password_again) {
        return Err(invalid("New password", p));
    }
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyAccountPassword {
                db_cluster_id: cluster,
                account_name: name,
                new_account_password: password,
            },
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
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Account",
            td_string!(locale, cluster_access.is_required),
        ));
    }
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::DeleteAccount {
                db_cluster_id: cluster,
                account_name: name,
            },
        )
        .await?;
    Ok(answer.request_id)
}
