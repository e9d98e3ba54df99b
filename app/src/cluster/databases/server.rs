//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// The databases, the initialisation choices and the possible owners of a cluster.
#[server]
pub async fn databases_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<DatabasesData, AppError> {
    use crate::call::may;
    use crate::cluster::frame::locate;
    let (account, region) = locate(account, region, &cluster).await?;
    let api = crate::call::Api::signed_in().await?;
    let mut databases = Vec::new();
    for page in 1..=20u32 {
        let body = api
            .call(
                &account,
                &region,
                &polardb::models::DescribeDatabases {
                    db_cluster_id: cluster.clone(),
                    page_size: Some(100),
                    page_number: Some(page),
                    ..Default::default()
                },
            )
            .await?;
        let list = body.databases.database;
        let n = list.len();
        for d in list {
            databases.push(database_row(d));
        }
        if n < 100 {
            break;
        }
    }
    let vars = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeDBInitializeVariable {
                db_cluster_id: cluster.clone(),
            },
        )
        .await?;
    let owners = crate::cluster::accounts::read_accounts(&api, &account, &region, &cluster)
        .await?
        .into_iter()
        .filter(|a| a.account_type == "Normal")
        .map(|a| a.account_name)
        .collect();
    let allowed = may(
        &account,
        &region,
        &cluster,
        &["CreateDatabase", "DeleteDatabase"],
    )
    .await?;
    Ok(DatabasesData {
        databases,
        variables: vars
            .variables
            .variable
            .into_iter()
            .map(|v| Variable {
                charset: v.charset,
                collate: v.collate,
                ctype: v.ctype,
            })
            .collect(),
        owners,
        can_create: allowed.iter().any(|a| a == "CreateDatabase"),
        can_delete: allowed.iter().any(|a| a == "DeleteDatabase"),
    })
}

/// Creates a database (CheckDBName, then CreateDatabase). Returns the RequestId.
#[server]
pub async fn create_database(
    account: String,
    region: String,
    cluster: String,
    name: String,
    description: String,
    charset: String,
    collate: String,
    ctype: String,
    owner: String,
    privilege: String,
) -> Result<String, AppError> {
    if let Some(p) = db_name_problem(&name) {
        return Err(invalid("Database name", p));
    }
    if let Some(p) = account_description_problem(&description, false) {
        return Err(invalid("Description", p));
    }
    let locale = crate::api::ssr::request_locale();
    if charset.is_empty() {
        return Err(invalid(
            "Character set",
            crate::i18n::td_string!(locale, cluster_access.choose_one),
        ));
    }
    if collate.is_empty() || ctype.is_empty() {
        return Err(invalid(
            "Collation",
            crate::i18n::td_string!(locale, cluster_access.choose_collation),
        ));
    }
    if owner.is_empty() {
        return Err(invalid(
            "Owner",
            crate::i18n::td_string!(locale, cluster_access.choose_normal_account),
        ));
    }
    if !PRIVILEGES.contains(&privilege.as_str()) {
        return Err(invalid(
            "Privilege",
            crate::i18n::td_string!(locale, cluster_access.privilege_must_be),
        ));
    }
    let api = crate::call::Api::signed_in().await?;
    api.call(
        &account,
        &region,
        &polardb::models::CheckDBName {
            db_cluster_id: cluster.clone(),
            db_name: name.clone(),
        },
    )
    .await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::CreateDatabase {
                db_cluster_id: cluster,
                db_name: name,
                db_description: Some(description),
                character_set_name: charset,
                collate: Some(collate),
                ctype: Some(ctype),
                account_name: Some(owner),
                account_privilege: Some(privilege),
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// Deletes a database (DeleteDatabase); `confirm` must repeat its name. Returns the RequestId.
#[server]
pub async fn delete_database(
    account: String,
    region: String,
    cluster: String,
    name: String,
    confirm: String,
) -> Result<String, AppError> {
    if name.is_empty() || confirm.trim() != name {
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Confirmation",
            crate::i18n::td_string!(locale, cluster_access.type_name_to_delete, name = &name),
        ));
    }
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::DeleteDatabase {
                db_cluster_id: cluster,
                db_name: name,
            },
        )
        .await?;
    Ok(answer.request_id)
}
