//! Tagging clusters, shared by the fleet's `/tags` page and a cluster's Tags tab:
//! TagResources / UntagResources, one call per region and per 50 clusters (15.1, 15.2).

use leptos::prelude::*;

use crate::i18n::td_string;
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
    let locale = super::words::locale();
    if targets.is_empty() {
        return Some(td_string!(locale, kit.select_one_cluster).to_string());
    }
    if targets.len() > MAX_TARGETS {
        return Some(
            td_string!(
                locale,
                kit.at_most_clusters,
                max = MAX_TARGETS,
                n = targets.len()
            )
            .to_string(),
        );
    }
    if targets.iter().any(|t| t.id.trim().is_empty()) {
        return Some(td_string!(locale, kit.empty_cluster_id).to_string());
    }
    None
}

/// The English plural ending of a count.
#[cfg(feature = "ssr")]
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The most clusters one tagging change names.
pub const MAX_TARGETS: usize = 1000;

/// (account, region) and the cluster IDs of each call there.
pub type RegionCalls = ((String, String), Vec<Vec<String>>);

/// The clusters grouped by cloud account and region, each group cut into calls of at most
/// 50 clusters.
pub fn calls_for(targets: &[Target]) -> Vec<RegionCalls> {
    let mut groups: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    let mut seen = std::collections::HashSet::new();
    for t in targets {
        if seen.insert((&t.account, &t.region, &t.id)) {
            groups
                .entry((t.account.clone(), t.region.clone()))
                .or_default()
                .push(t.id.clone());
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

/// One typed call of a fan-out (the signed-in user's context, read once per server
/// function and shared by the concurrent calls); a failure becomes the region's problem.
/// Used by tagging and by the fleet pages.
#[cfg(feature = "ssr")]
pub async fn call_in<A: polardb::models::Action>(
    c: &fanout::Ctx,
    account: &str,
    region: &str,
    request: &A,
) -> Result<A::Response, crate::api::RegionProblem> {
    c.backend
        .changes
        .invoke_typed(&c.caller, account, region, request)
        .await
        .map_err(|e| fanout::problem(account, region, e))
}

/// The change a tagging call makes.
#[cfg(feature = "ssr")]
enum TagChange {
    Add(Vec<polardb::models::TagParam>),
    Remove(Vec<String>),
}

#[cfg(feature = "ssr")]
impl TagChange {
    /// The change on `ids` in `region`: its request ID.
    async fn send(
        &self,
        c: &fanout::Ctx,
        account: &str,
        region: &str,
        ids: Vec<String>,
    ) -> Result<String, crate::api::RegionProblem> {
        use polardb::models as m;
        Ok(match self {
            TagChange::Add(tags) => {
                let request = m::TagResources {
                    region_id: region.to_string(),
                    resource_type: "cluster".into(),
                    resource_id: ids,
                    tag: tags.clone(),
                };
                call_in(c, account, region, &request).await?.request_id
            }
            TagChange::Remove(keys) => {
                let request = m::UntagResources {
                    region_id: region.to_string(),
                    resource_type: "cluster".into(),
                    resource_id: ids,
                    tag_key: keys.clone(),
                    ..Default::default()
                };
                call_in(c, account, region, &request).await?.request_id
            }
        })
    }
}

/// Sends one change (TagResources or UntagResources) per region and per 50 clusters.
#[cfg(feature = "ssr")]
async fn change_tags(
    targets: Vec<Target>,
    change: TagChange,
    done: impl Fn(usize) -> String,
) -> Result<Vec<RegionOutcome>, AppError> {
    let c = fanout::ctx().await?;
    let c = &c;
    let change = &change;
    let done = &done;
    let outcomes = fanout::join_all(
        calls_for(&targets)
            .into_iter()
            .map(|((account, region), chunks)| async move {
                let mut ids_done = 0;
                let mut request_ids = Vec::new();
                for ids in chunks {
                    let n = ids.len();
                    match change.send(c, &account, &region, ids).await {
                        Ok(rid) => {
                            ids_done += n;
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
    let params = tags
        .iter()
        .map(|(k, v)| polardb::models::TagParam {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    let n = tags.len();
    let locale = crate::api::ssr::request_locale();
    change_tags(targets, TagChange::Add(params), move |c| {
        let (s1, s2) = (plural(n), plural(c));
        td_string!(locale, kit.tags_added, n = n, s1 = s1, c = c, s2 = s2).to_string()
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
    let n = keys.len();
    let locale = crate::api::ssr::request_locale();
    change_tags(targets, TagChange::Remove(keys), move |c| {
        let (s1, s2) = (plural(n), plural(c));
        td_string!(locale, kit.tag_keys_removed, n = n, s1 = s1, c = c, s2 = s2).to_string()
    })
    .await
}

#[cfg(feature = "ssr")]
use crate::error::invalid;

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
