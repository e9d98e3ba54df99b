//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// The IP whitelist groups and security groups of a cluster.
#[server]
pub async fn whitelist_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<WhitelistData, AppError> {
    let (account, region) = locate(account, region, &cluster).await?;
    let api = crate::call::Api::signed_in().await?;
    let body = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeDBClusterAccessWhitelist {
                db_cluster_id: cluster.clone(),
            },
        )
        .await?;
    let allowed = may(
        &account,
        &region,
        &cluster,
        &["ModifyDBClusterAccessWhitelist"],
    )
    .await?;
    Ok(WhitelistData {
        groups: body
            .items
            .db_cluster_ip_array
            .into_iter()
            .map(|g| IpGroup {
                read_only: is_system_group(
                    &g.db_cluster_ip_array_name,
                    &g.db_cluster_ip_array_attribute,
                ),
                ips: split_ids(&g.security_ips),
                name: g.db_cluster_ip_array_name,
                attribute: g.db_cluster_ip_array_attribute,
            })
            .collect(),
        security_groups: body
            .db_cluster_security_groups
            .db_cluster_security_group
            .into_iter()
            .map(|g| (g.security_group_id, g.security_group_name))
            .collect(),
        can_modify: !allowed.is_empty(),
    })
}

/// Changes one IP whitelist group (ModifyDBClusterAccessWhitelist, WhiteListType IP).
/// `ips` is comma-separated; `confirm_wide` must be true when it holds a very wide block
/// and the mode adds entries. Returns the RequestId.
#[server]
pub async fn modify_ip_group(
    account: String,
    region: String,
    cluster: String,
    group: String,
    mode: String,
    ips: String,
    confirm_wide: bool,
) -> Result<String, AppError> {
    // Who asks, before anything they sent is read (fourteenth attack run, F2).
    let api = crate::call::Api::signed_in().await?;
    if let Some(p) = group_name_problem(&group) {
        return Err(invalid("Group name", p));
    }
    let locale = crate::api::ssr::request_locale();
    if is_system_group(&group, "") {
        return Err(invalid(
            "Group name",
            td_string!(locale, cluster_access.managed_by_service),
        ));
    }
    if !["Cover", "Append", "Delete"].contains(&mode.as_str()) {
        return Err(invalid(
            "Mode",
            td_string!(locale, cluster_access.mode_must_be),
        ));
    }
    let list = match parse_list(&ips) {
        Ok(l) if l.is_empty() => {
            return Err(invalid(
                "Addresses",
                td_string!(locale, cluster_access.at_least_one_needed),
            ))
        }
        Ok(l) if l.len() > MAX_ENTRIES => {
            return Err(invalid(
                "Addresses",
                td_string!(locale, cluster_access.at_most, max = MAX_ENTRIES),
            ))
        }
        Ok(l) => l,
        Err(p) => return Err(invalid("Addresses", p.join("; "))),
    };
    if mode != "Delete" && list.iter().any(|e| is_wide(e)) && !confirm_wide {
        return Err(invalid(
            "Addresses",
            td_string!(locale, cluster_access.wide_needs_confirmation),
        ));
    }
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyDBClusterAccessWhitelist {
                db_cluster_id: cluster,
                white_list_type: Some("IP".into()),
                db_cluster_ip_array_name: Some(group),
                modify_mode: Some(mode),
                security_ips: Some(list.join(",")),
                ..Default::default()
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// Sets the ECS security groups bound to the cluster (WhiteListType SecurityGroup); `ids`
/// is comma-separated, empty to unbind all. Returns the RequestId.
#[server]
pub async fn modify_security_groups(
    account: String,
    region: String,
    cluster: String,
    ids: String,
) -> Result<String, AppError> {
    if let Some(p) = security_groups_problem(&ids) {
        return Err(invalid("Security groups", p));
    }
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyDBClusterAccessWhitelist {
                db_cluster_id: cluster,
                white_list_type: Some("SecurityGroup".into()),
                security_group_ids: Some(split_ids(&ids).join(",")),
                ..Default::default()
            },
        )
        .await?;
    Ok(answer.request_id)
}
