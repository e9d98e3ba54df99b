//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// Adds `count` read-only nodes of `class` in `zone` (CreateDBNodes). Returns the RequestId.
#[server]
pub async fn add_read_nodes(
    account: String,
    region: String,
    cluster: String,
    count: u32,
    class: String,
    zone: String,
) -> Result<String, AppError> {
    if !(1..=MAX_READERS as u32).contains(&count) {
        return Err(invalid("Number of nodes", "must be from 1 to 15"));
    }
    if class.trim().is_empty() {
        return Err(invalid("Class", "is required"));
    }
    let mut params = vec![("DBClusterId".to_string(), cluster)];
    for i in 1..=count {
        params.push((format!("DBNode.{i}.TargetClass"), class.trim().to_string()));
        if !zone.is_empty() {
            params.push((format!("DBNode.{i}.ZoneId"), zone.clone()));
        }
    }
    let answer = crate::api::call_api(account, region, "CreateDBNodes".into(), params).await?;
    Ok(answer.request_id)
}

/// Removes one read-only node (DeleteDBNodes). Returns the RequestId.
#[server]
pub async fn remove_read_node(
    account: String,
    region: String,
    cluster: String,
    node: String,
) -> Result<String, AppError> {
    if node.is_empty() {
        return Err(invalid("Node", "is required"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteDBNodes".into(),
        vec![("DBClusterId".into(), cluster), ("DBNodeId.1".into(), node)],
    )
    .await?;
    Ok(answer.request_id)
}

/// Restarts one node (RestartDBNode). Returns the RequestId.
#[server]
pub async fn restart_node(
    account: String,
    region: String,
    node: String,
) -> Result<String, AppError> {
    if node.is_empty() {
        return Err(invalid("Node", "is required"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "RestartDBNode".into(),
        vec![("DBNodeId".into(), node)],
    )
    .await?;
    Ok(answer.request_id)
}

/// Changes the class of all nodes (ModifyDBNodeClass). Returns the RequestId.
#[server]
pub async fn change_node_class(
    account: String,
    region: String,
    cluster: String,
    class: String,
    modify_type: String,
) -> Result<String, AppError> {
    if class.trim().is_empty() {
        return Err(invalid("Class", "is required"));
    }
    if modify_type != "Upgrade" && modify_type != "Downgrade" {
        return Err(invalid("Change type", "must be Upgrade or Downgrade"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyDBNodeClass".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBNodeTargetClass".into(), class.trim().to_string()),
            ("ModifyType".into(), modify_type),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// The node classes on sale for this cluster's engine, version, billing and zone
/// (DescribeDBClusterAvailableResources), smallest first as the API lists them.
#[server]
pub async fn available_node_classes(
    account: String,
    region: String,
    pay_type: String,
    db_type: String,
    db_version: String,
    zone: String,
) -> Result<Vec<String>, AppError> {
    let mut params = vec![("PayType".to_string(), pay_type)];
    if !db_type.is_empty() {
        params.push(("DBType".into(), db_type));
        params.push(("DBVersion".into(), db_version));
    }
    if !zone.is_empty() {
        params.push(("ZoneId".into(), zone));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DescribeDBClusterAvailableResources".into(),
        params,
    )
    .await?;
    let body: polardb::models::DescribeDBClusterAvailableResourcesResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterAvailableResources answer had an unexpected shape: {e}"
            ))
        })?;
    let mut classes: Vec<String> = Vec::new();
    for z in body.available_zones {
        for e in z.supported_engines {
            for r in e.available_resources {
                if !classes.contains(&r.db_node_class) {
                    classes.push(r.db_node_class);
                }
            }
        }
    }
    Ok(classes)
}
