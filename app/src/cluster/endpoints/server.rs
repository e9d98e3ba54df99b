//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// Reads the endpoints (DescribeDBClusterEndpoints) and the user's permissions on them.
#[server]
pub async fn load_endpoints(
    account: String,
    region: String,
    cluster: String,
) -> Result<EndpointsData, AppError> {
    let answer = crate::api::call_api(
        account.clone(),
        region.clone(),
        "DescribeDBClusterEndpoints".into(),
        vec![("DBClusterId".into(), cluster.clone())],
    )
    .await?;
    let body: polardb::models::DescribeDBClusterEndpointsResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterEndpoints answer had an unexpected shape: {e}"
            ))
        })?;
    let allowed = crate::api::permissions(
        account,
        region,
        Some(cluster),
        ENDPOINT_ACTIONS
            .iter()
            .map(|a| format!("polardb:{a}"))
            .collect(),
    )
    .await?
    .into_iter()
    .map(|a| a.trim_start_matches("polardb:").to_string())
    .collect();
    Ok(EndpointsData {
        items: body.items,
        allowed,
    })
}

/// Creates a custom endpoint (CreateDBClusterEndpoint). `nodes` are role names
/// (`Writer`, `Reader1`, …). Returns the RequestId.
#[server]
pub async fn create_custom_endpoint(
    account: String,
    region: String,
    cluster: String,
    settings: EndpointSettings,
) -> Result<String, AppError> {
    let EndpointSettings {
        mode,
        nodes,
        auto_add,
        config,
        description,
    } = settings;
    let description = description.trim().to_string();
    check_settings(&mode, &nodes, &auto_add, &config, Some(&description))?;
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("EndpointType".into(), "Custom".into()),
        ("ReadWriteMode".into(), mode),
        ("Nodes".into(), nodes.join(",")),
        ("AutoAddNewNodes".into(), auto_add),
        ("EndpointConfig".into(), config),
    ];
    if !description.is_empty() {
        params.push(("DBEndpointDescription".into(), description));
    }
    let answer =
        crate::api::call_api(account, region, "CreateDBClusterEndpoint".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes an endpoint (ModifyDBClusterEndpoint): mode, nodes, auto-add, settings and, for
/// a custom endpoint, its name. The primary endpoint's settings cannot be changed.
#[server]
pub async fn modify_endpoint(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    kind: String,
    settings: EndpointSettings,
) -> Result<String, AppError> {
    let EndpointSettings {
        mode,
        nodes,
        auto_add,
        config,
        description,
    } = settings;
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    if kind == "Primary" {
        return Err(invalid(
            "Endpoint",
            "the primary endpoint always points at the primary node; its settings cannot be changed",
        ));
    }
    let description = description.trim().to_string();
    let custom = kind == "Custom";
    check_settings(
        &mode,
        &nodes,
        &auto_add,
        &config,
        custom.then_some(description.as_str()),
    )?;
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("DBEndpointId".into(), endpoint),
        ("ReadWriteMode".into(), mode),
        ("Nodes".into(), nodes.join(",")),
        ("AutoAddNewNodes".into(), auto_add),
        ("EndpointConfig".into(), config),
    ];
    if custom {
        params.push(("DBEndpointDescription".into(), description));
    }
    let answer =
        crate::api::call_api(account, region, "ModifyDBClusterEndpoint".into(), params).await?;
    Ok(answer.request_id)
}

/// Deletes a custom endpoint (DeleteDBClusterEndpoint). The primary and the default
/// cluster endpoints cannot be deleted. Returns the RequestId.
#[server]
pub async fn delete_custom_endpoint(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    kind: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    if kind != "Custom" {
        return Err(invalid(
            "Endpoint",
            "only custom endpoints can be deleted; the primary and the default cluster endpoints stay with the cluster",
        ));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteDBClusterEndpoint".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBEndpointId".into(), endpoint),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Creates a public address for an endpoint (CreateDBEndpointAddress, NetType Public). An
/// empty prefix lets the service choose one. Returns the RequestId.
#[server]
pub async fn create_public_address(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    prefix: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    let prefix = prefix.trim().to_string();
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("DBEndpointId".into(), endpoint),
        ("NetType".into(), "Public".into()),
    ];
    if !prefix.is_empty() {
        if let Some(p) = prefix_problem(&prefix) {
            return Err(invalid("Connection string prefix", p));
        }
        params.push(("ConnectionStringPrefix".into(), prefix));
    }
    let answer =
        crate::api::call_api(account, region, "CreateDBEndpointAddress".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes an address's prefix and/or port (ModifyDBEndpointAddress). Empty means
/// unchanged; one of them must change. Returns the RequestId.
#[server]
pub async fn modify_address(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
    net_type: String,
    prefix: String,
    port: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    if net_type != "Public" && net_type != "Private" {
        return Err(invalid("Network type", "must be Public or Private"));
    }
    let (prefix, port) = (prefix.trim().to_string(), port.trim().to_string());
    if prefix.is_empty() && port.is_empty() {
        return Err(invalid(
            "Connection string prefix",
            "change the prefix or the port",
        ));
    }
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("DBEndpointId".into(), endpoint),
        ("NetType".into(), net_type),
    ];
    if !prefix.is_empty() {
        if let Some(p) = prefix_problem(&prefix) {
            return Err(invalid("Connection string prefix", p));
        }
        params.push(("ConnectionStringPrefix".into(), prefix));
    }
    if !port.is_empty() {
        if let Some(p) = port_problem(&port) {
            return Err(invalid("Port", p));
        }
        params.push(("Port".into(), port));
    }
    let answer =
        crate::api::call_api(account, region, "ModifyDBEndpointAddress".into(), params).await?;
    Ok(answer.request_id)
}

/// Releases an endpoint's public address (DeleteDBEndpointAddress). Returns the RequestId.
#[server]
pub async fn release_public_address(
    account: String,
    region: String,
    cluster: String,
    endpoint: String,
) -> Result<String, AppError> {
    if endpoint.is_empty() {
        return Err(invalid("Endpoint", "is required"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteDBEndpointAddress".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("DBEndpointId".into(), endpoint),
            ("NetType".into(), "Public".into()),
        ],
    )
    .await?;
    Ok(answer.request_id)
}
