//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// The databases, the initialisation choices and the possible owners of a cluster.
#[server]
pub async fn databases_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<DatabasesData, AppError> {
    use crate::call::{may, parse_answer};
    use crate::cluster::frame::locate;
    let (account, region) = locate(account, region, &cluster).await?;
    let mut databases = Vec::new();
    for page in 1..=20u32 {
        let answer = crate::api::call_api(
            account.clone(),
            region.clone(),
            "DescribeDatabases".into(),
            vec![
                ("DBClusterId".into(), cluster.clone()),
                ("PageSize".into(), "100".into()),
                ("PageNumber".into(), page.to_string()),
            ],
        )
        .await?;
        let body: serde_json::Value = serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDatabases answer had an unexpected shape: {e}"
            ))
        })?;
        let list = items(body.get("Databases").and_then(|d| d.get("Database")));
        let n = list.len();
        for d in list {
            let accounts: Vec<(String, String)> =
                items(d.get("Accounts").and_then(|a| a.get("Account")))
                    .iter()
                    .map(|a| (text(a, "AccountName"), text(a, "AccountPrivilege")))
                    .collect();
            let owner = accounts
                .iter()
                .find(|(_, p)| p == "DBOwner")
                .or(accounts.first())
                .map(|(a, _)| a.clone())
                .unwrap_or_default();
            databases.push(DatabaseRow {
                name: text(&d, "DBName"),
                status: text(&d, "DBStatus"),
                description: text(&d, "DBDescription"),
                charset: text(&d, "CharacterSetName"),
                collate: text(&d, "Collate"),
                ctype: text(&d, "Ctype"),
                owner,
                accounts,
            });
        }
        if n < 100 {
            break;
        }
    }
    let answer = crate::api::call_api(
        account.clone(),
        region.clone(),
        "DescribeDBInitializeVariable".into(),
        vec![("DBClusterId".into(), cluster.clone())],
    )
    .await?;
    let vars: polardb::models::DescribeDBInitializeVariableResponse =
        parse_answer("DescribeDBInitializeVariable", &answer)?;
    let owners = crate::cluster::accounts::read_accounts(&account, &region, &cluster)
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
    if charset.is_empty() {
        return Err(invalid("Character set", "choose one"));
    }
    if collate.is_empty() || ctype.is_empty() {
        return Err(invalid("Collation", "choose the collation and ctype"));
    }
    if owner.is_empty() {
        return Err(invalid("Owner", "choose a Normal account"));
    }
    if !PRIVILEGES.contains(&privilege.as_str()) {
        return Err(invalid(
            "Privilege",
            "must be ReadWrite, ReadOnly, DMLOnly or DDLOnly",
        ));
    }
    crate::api::call_api(
        account.clone(),
        region.clone(),
        "CheckDBName".into(),
        vec![
            ("DBClusterId".into(), cluster.clone()),
            ("DBName".into(), name.clone()),
        ],
    )
    .await?;
    let answer = crate::api::call_api(
        account,
        region,
        "CreateDatabase".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBName".into(), name),
            ("DBDescription".into(), description),
            ("CharacterSetName".into(), charset),
            ("Collate".into(), collate),
            ("Ctype".into(), ctype),
            ("AccountName".into(), owner),
            ("AccountPrivilege".into(), privilege),
        ],
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
        return Err(invalid(
            "Confirmation",
            format!("type the database name {name} to delete it"),
        ));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteDatabase".into(),
        vec![("DBClusterId".into(), cluster), ("DBName".into(), name)],
    )
    .await?;
    Ok(answer.request_id)
}
