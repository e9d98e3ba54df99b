//! Tagging clusters, shared by the fleet's `/tags` page and a cluster's Tags tab:
//! TagResources / UntagResources, one call per region and per 50 clusters (15.1, 15.2).

use leptos::prelude::*;
use polardb::rules::MAX_RESOURCES_PER_CALL;
#[cfg(feature = "ssr")]
use polardb::rules::{tag_set_problem, untag_keys_problem};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::call::fanout;
use crate::kit::outcomes::RegionOutcome;
use crate::AppError;

/// A cluster addressed across accounts and regions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    pub account: String,
    pub region: String,
    pub id: String,
}

impl Target {
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.account, self.region, self.id)
    }
}

/// What is wrong with the chosen clusters.
pub fn targets_problem(targets: &[Target]) -> Option<String> {
    if targets.is_empty() {
        return Some("select at least one cluster".into());
    }
    if targets.iter().any(|t| t.id.trim().is_empty()) {
        return Some("a cluster ID is empty".into());
    }
    None
}

/// (account, region) and the cluster IDs of each call there.
pub type RegionCalls = ((String, String), Vec<Vec<String>>);

/// The clusters grouped by cloud account and region, each group cut into calls of at most
/// 50 clusters.
pub fn calls_for(targets: &[Target]) -> Vec<RegionCalls> {
    let mut groups: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for t in targets {
        let ids = groups
            .entry((t.account.clone(), t.region.clone()))
            .or_default();
        if !ids.contains(&t.id) {
            ids.push(t.id.clone());
        }
    }
    groups
        .into_iter()
        .map(|(place, ids)| {
            (
                place,
                ids.chunks(MAX_RESOURCES_PER_CALL)
                    .map(|c| c.to_vec())
                    .collect(),
            )
        })
        .collect()
}

/// `/clusters?tag=K&tagv=V`: the cluster list filtered by a tag (the list's own filter
/// parameters, see [`crate::api::ClusterFilter`]).
pub fn tag_filter_href(key: &str, value: &str) -> String {
    crate::api::ClusterFilter {
        tag_key: key.to_string(),
        tag_value: value.to_string(),
        ..Default::default()
    }
    .href()
}

/// Sends one change (TagResources or UntagResources) per region and per 50 clusters.
#[cfg(feature = "ssr")]
async fn change_tags(
    targets: Vec<Target>,
    action: &'static str,
    tag_params: Vec<(String, String)>,
    done: impl Fn(usize) -> String,
) -> Result<Vec<RegionOutcome>, AppError> {
    let c = fanout::ctx().await?;
    let c = &c;
    let tag_params = &tag_params;
    let done = &done;
    let outcomes = fanout::join_all(
        calls_for(&targets)
            .into_iter()
            .map(|((account, region), chunks)| async move {
                let mut ids_done = 0;
                let mut request_ids = Vec::new();
                for ids in chunks {
                    let mut params = vec![("ResourceType".to_string(), "cluster".to_string())];
                    for (i, id) in ids.iter().enumerate() {
                        params.push((format!("ResourceId.{}", i + 1), id.clone()));
                    }
                    params.extend(tag_params.iter().cloned());
                    match c.call(&account, &region, action, params).await {
                        Ok((_, rid)) => {
                            ids_done += ids.len();
                            request_ids.push(rid);
                        }
                        Err(mut p) => {
                            if ids_done > 0 {
                                p.message =
                                    format!("{} (after {} done)", p.message, done(ids_done));
                            }
                            return fanout::failed(p);
                        }
                    }
                }
                RegionOutcome {
                    account,
                    region,
                    ok: true,
                    detail: done(ids_done),
                    code: String::new(),
                    request_id: request_ids.join(", "),
                }
            })
            .collect(),
    )
    .await;
    Ok(outcomes)
}

/// Adds `tags` to every cluster of `targets` (TagResources; a key already there takes the
/// new value). One result a region.
#[server(input = server_fn::codec::Json)]
pub async fn tag_clusters(
    targets: Vec<Target>,
    tags: Vec<(String, String)>,
) -> Result<Vec<RegionOutcome>, AppError> {
    if let Some(p) = targets_problem(&targets) {
        return Err(invalid("Clusters", p));
    }
    let tags: Vec<(String, String)> = tags
        .into_iter()
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    if let Some(p) = tag_set_problem(&tags) {
        return Err(invalid("Tags", p));
    }
    let mut params = Vec::new();
    for (i, (k, v)) in tags.iter().enumerate() {
        params.push((format!("Tag.{}.Key", i + 1), k.clone()));
        params.push((format!("Tag.{}.Value", i + 1), v.clone()));
    }
    let n = tags.len();
    change_tags(targets, "TagResources", params, move |c| {
        format!(
            "{n} tag{} added to {c} cluster{}",
            if n == 1 { "" } else { "s" },
            if c == 1 { "" } else { "s" }
        )
    })
    .await
}

/// Removes the tag `keys` from every cluster of `targets` (UntagResources). One result a
/// region.
#[server(input = server_fn::codec::Json)]
pub async fn untag_clusters(
    targets: Vec<Target>,
    keys: Vec<String>,
) -> Result<Vec<RegionOutcome>, AppError> {
    if let Some(p) = targets_problem(&targets) {
        return Err(invalid("Clusters", p));
    }
    let keys: Vec<String> = keys.into_iter().map(|k| k.trim().to_string()).collect();
    if let Some(p) = untag_keys_problem(&keys) {
        return Err(invalid("Tag keys", p));
    }
    let params = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("TagKey.{}", i + 1), k.clone()))
        .collect();
    let n = keys.len();
    change_tags(targets, "UntagResources", params, move |c| {
        format!(
            "{n} tag key{} removed from {c} cluster{}",
            if n == 1 { "" } else { "s" },
            if c == 1 { "" } else { "s" }
        )
    })
    .await
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_go_per_region_fifty_clusters_at_a_time() {
        let mut targets: Vec<Target> = (0..120)
            .map(|i| Target {
                account: "a".into(),
                region: "cn-hangzhou".into(),
                id: format!("pc-{i}"),
            })
            .collect();
        targets.push(Target {
            account: "a".into(),
            region: "cn-beijing".into(),
            id: "pc-b".into(),
        });
        targets.push(targets[0].clone());
        let calls = calls_for(&targets);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].0 .1, "cn-beijing");
        assert_eq!(
            calls[1].1.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![50, 50, 20]
        );
        assert!(targets_problem(&[]).is_some());
    }

    #[test]
    fn tag_links_filter_the_cluster_list() {
        assert_eq!(
            tag_filter_href("team", "orders & co"),
            "/clusters?tag=team&tagv=orders%20%26%20co"
        );
    }
}
