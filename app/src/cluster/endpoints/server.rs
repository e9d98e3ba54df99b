//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;
#[cfg(feature = "ssr")]
use crate::call::Api;
#[cfg(feature = "ssr")]
use polardb::models as m;

/// Reads the endpoints (DescribeDBClusterEndpoints) and the user's permissions on them.
#[server]
pub async fn load_endpoints(
    account: String,
    region: String,
    cluster: String,
) -> Result<EndpointsData, AppError> {
    let api = Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &m::DescribeDBClusterEndpoints {
                db_cluster_id: cluster.clone(),
                ..Default::default()
            },
        )
        .await?;
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
        items: body.items.into_iter().map(Endpoint::from).collect(),
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
    let locale = crate::api::ssr::request_locale();
    check_settings(
        locale,
        &mode,
        &nodes,
        &auto_add,
        &config,
        Some(&description),
    )?;
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::CreateDBClusterEndpoint {
                db_cluster_id: cluster,
                endpoint_type: "Custom".into(),
                read_write_mode: Some(mode),
                nodes: Some(nodes.join(",")),
                auto_add_new_nodes: Some(auto_add),
                endpoint_config: Some(config),
                db_endpoint_description: (!description.is_empty()).then_some(description),
                ..Default::default()
            },
        )
        .await?;
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
    let locale = crate::api::ssr::request_locale();
    if endpoint.is_empty() {
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    if kind == "Primary" {
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.primary_fixed),
        ));
    }
    let description = description.trim().to_string();
    let custom = kind == "Custom";
    check_settings(
        locale,
        &mode,
        &nodes,
        &auto_add,
        &config,
        custom.then_some(description.as_str()),
    )?;
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBClusterEndpoint {
                db_cluster_id: cluster,
                db_endpoint_id: endpoint,
                read_write_mode: Some(mode),
                nodes: Some(nodes.join(",")),
                auto_add_new_nodes: Some(auto_add),
                endpoint_config: Some(config),
                db_endpoint_description: custom.then_some(description),
            },
        )
        .await?;
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
    let locale = crate::api::ssr::request_locale();
    if endpoint.is_empty() {
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    if kind != "Custom" {
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.only_custom_deleted),
        ));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::DeleteDBClusterEndpoint {
                db_cluster_id: cluster,
                db_endpoint_id: endpoint,
            },
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
    let locale = crate::api::ssr::request_locale();
    if endpoint.is_empty() {
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    let prefix = prefix.trim().to_string();
    if !prefix.is_empty() {
        if let Some(p) = prefix_problem(locale, &prefix) {
            return Err(invalid("Connection string prefix", p));
        }
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::CreateDBEndpointAddress {
                db_cluster_id: cluster,
                db_endpoint_id: endpoint,
                net_type: "Public".into(),
                connection_string_prefix: (!prefix.is_empty()).then_some(prefix),
            },
        )
        .await?;
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
    let locale = crate::api::ssr::request_locale();
    if endpoint.is_empty() {
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    if net_type != "Public" && net_type != "Private" {
        return Err(invalid(
            "Network type",
            td_string!(locale, cluster_nodes.net_public_or_private),
        ));
    }
    let (prefix, port) = (prefix.trim().to_string(), port.trim().to_string());
    if prefix.is_empty() && port.is_empty() {
        return Err(invalid(
            "Connection string prefix",
            td_string!(locale, cluster_nodes.change_prefix_or_port),
        ));
    }
    if !prefix.is_empty() {
        if let Some(p) = prefix_problem(locale, &prefix) {
            return Err(invalid("Connection string prefix", p));
        }
    }
    if !port.is_empty() {
        if let Some(p) = port_problem(locale, &port) {
            return Err(invalid("Port", p));
        }
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBEndpointAddress {
                db_cluster_id: cluster,
                db_endpoint_id: endpoint,
                net_type,
                connection_string_prefix: (!prefix.is_empty()).then_some(prefix),
                port: (!port.is_empty()).then_some(port),
                ..Default::default()
            },
        )
        .await?;
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
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Endpoint",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::DeleteDBEndpointAddress {
                db_cluster_id: cluster,
                db_endpoint_id: endpoint,
                net_type: "Public".into(),
            },
        )
        .await?;
    Ok(answer.request_id)
}
