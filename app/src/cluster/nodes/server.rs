//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;
#[cfg(feature = "ssr")]
use crate::call::Api;
#[cfg(feature = "ssr")]
use polardb::models as m;

/// The endpoints new nodes can join (CreateDBNodes 8.1, EndpointBindList: the default
/// cluster endpoint and custom ones), from DescribeDBClusterEndpoints.
#[server]
pub async fn node_endpoints(
    account: String,
    region: String,
    cluster: String,
) -> Result<Vec<BindChoice>, AppError> {
    let api = Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &m::DescribeDBClusterEndpoints {
                db_cluster_id: cluster,
                ..Default::default()
            },
        )
        .await?;
    Ok(body
        .items
        .into_iter()
        .filter(|e| e.endpoint_type == "Cluster" || e.endpoint_type == "Custom")
        .map(|e| BindChoice {
            id: e.db_endpoint_id,
            kind: e.endpoint_type,
            description: e.db_endpoint_description,
            auto: e.auto_add_new_nodes == "Enable",
        })
        .collect())
}

/// Adds read-only nodes (CreateDBNodes), now or in a planned window (`planned` empty: now).
/// Returns the RequestId.
#[server]
pub async fn add_read_nodes(
    account: String,
    region: String,
    cluster: String,
    nodes: NewNodes,
    planned: crate::kit::Planned,
) -> Result<String, AppError> {
    let api = Api::signed_in().await?;
    let locale = crate::api::ssr::request_locale();
    let (planned_start_time, planned_end_time) = crate::kit::planned_params(&planned)?;
    let NewNodes {
        count,
        class,
        zone,
        endpoints,
    } = nodes;
    if let Some(p) = bind_list_problem(locale, &endpoints) {
        return Err(invalid("Endpoints", &p));
    }
    if !(1..=MAX_READERS as u32).contains(&count) {
        return Err(invalid(
            "Number of nodes",
            td_string!(locale, cluster_nodes.must_1_to_15),
        ));
    }
    if class.trim().is_empty() {
        return Err(invalid(
            "Class",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    let node = m::DBNodeParam {
        target_class: Some(class.trim().to_string()),
        zone_id: (!zone.is_empty()).then_some(zone),
    };
    let answer = api
        .call(
            &account,
            &region,
            &m::CreateDBNodes {
                db_cluster_id: cluster,
                db_node: vec![node; count as usize],
                endpoint_bind_list: (!endpoints.is_empty()).then(|| endpoints.join(",")),
                planned_start_time,
                planned_end_time,
                ..Default::default()
            },
        )
        .await?;
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
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Node",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &m::DeleteDBNodes {
                db_cluster_id: cluster,
                db_node_id: vec![node],
                ..Default::default()
            },
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
        let locale = crate::api::ssr::request_locale();
        return Err(invalid(
            "Node",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    let api = Api::signed_in().await?;
    let answer = api
        .call(&account, &region, &m::RestartDBNode { db_node_id: node })
        .await?;
    Ok(answer.request_id)
}

/// Changes the class of all nodes (ModifyDBNodeClass), now or, for an upgrade, in a planned
/// window (8.4: the window applies to upgrades only). Returns the RequestId.
#[server]
pub async fn change_node_class(
    account: String,
    region: String,
    cluster: String,
    class: String,
    modify_type: String,
    planned: crate::kit::Planned,
) -> Result<String, AppError> {
    let api = Api::signed_in().await?;
    let locale = crate::api::ssr::request_locale();
    let (planned_start_time, planned_end_time) = crate::kit::planned_params(&planned)?;
    if planned_start_time.is_some() && modify_type != "Upgrade" {
        return Err(invalid(
            "PlannedStartTime",
            td_string!(locale, cluster_nodes.planned_upgrades_only),
        ));
    }
    if class.trim().is_empty() {
        return Err(invalid(
            "Class",
            td_string!(locale, cluster_nodes.is_required),
        ));
    }
    if modify_type != "Upgrade" && modify_type != "Downgrade" {
        return Err(invalid(
            "Change type",
            td_string!(locale, cluster_nodes.must_upgrade_or_downgrade),
        ));
    }
    let answer = api
        .call(
            &account,
            &region,
            &m::ModifyDBNodeClass {
                db_cluster_id: cluster,
                db_node_target_class: class.trim().to_string(),
                modify_type,
                planned_start_time,
                planned_end_time,
                ..Default::default()
            },
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
    let (db_type, db_version) = if db_type.is_empty() {
        (None, None)
    } else {
        (Some(db_type), Some(db_version))
    };
    let api = Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &m::DescribeDBClusterAvailableResources {
                pay_type,
                db_type,
                db_version,
                zone_id: (!zone.is_empty()).then_some(zone),
                ..Default::default()
            },
        )
        .await?;
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
