//! `/tags`: every tag key and value of every cluster, across cloud accounts and regions
//! (ListTagResources, all pages), the clusters carrying each, and tagging or untagging
//! several clusters at once (TagResources / UntagResources, one call per region and per
//! 50 clusters). `/clusters/:id/tags`: one cluster's own tags, shown and edited.
//!
//! Also home of the fan-out helpers the fleet-wide pages (/tags, /events, /tasks) share on
//! the server: every call goes through the gateway (role check, audit trail, signing), and
//! a region that fails is reported while the others still show.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::components::{Empty, ErrorBox, Loading, StatusBadge};
use crate::pages::cluster::{change_error, cluster_href, load_error, ClusterCtx, ClusterFrame};
use crate::AppError;

/// At most 50 clusters per TagResources / UntagResources call (15.1, 15.2).
pub const MAX_RESOURCES_PER_CALL: usize = 50;
/// At most 20 tags per call (15.1: `NumberExceed.Tags`, "Valid : 20"), and 20 keys per
/// UntagResources call (15.2).
pub const MAX_TAGS_PER_CALL: usize = 20;
/// A cluster carries at most 20 tags.
pub const MAX_TAGS_PER_CLUSTER: usize = 20;
/// Keys and values have at most 128 characters.
pub const MAX_TAG_LEN: usize = 128;

// ---------------------------------------------------------------------------------------
// Shared shapes of the fleet-wide pages.

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

/// What one region's call (or calls) of a change came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionOutcome {
    pub account: String,
    pub region: String,
    pub ok: bool,
    /// What was done, or the error in words.
    pub detail: String,
    pub code: String,
    pub request_id: String,
}

/// The results of a change, one line a region.
pub fn outcomes_view(list: Vec<RegionOutcome>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="outcomes" data-testid=testid>
            {list.into_iter().map(|o| {
                let class = if o.ok { "outcome outcome-ok" } else { "outcome outcome-bad" };
                view! {
                    <li class=class data-ok=o.ok.to_string() data-region=o.region.clone()>
                        <strong>{format!("{} · {}", o.region, o.account)}</strong>
                        ": "{o.detail.clone()}
                        {(!o.code.is_empty() || !o.request_id.is_empty()).then(|| view! {
                            <span class="mono muted">{format!(" {} RequestId {}", o.code, o.request_id)}</span>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The banners of regions whose reads failed.
pub fn problems_view(problems: Vec<RegionProblem>) -> impl IntoView {
    problems
        .into_iter()
        .map(|p| {
            let place = if p.region.is_empty() {
                format!("Cloud account {}", p.account)
            } else {
                format!("{} in {}", p.region, p.account)
            };
            view! {
                <div class="banner banner-error" role="alert" data-testid="region-problem" data-region=p.region.clone()>
                    <strong>{place}</strong>": "{p.message.clone()}
                    <span class="mono muted">{format!(" {} RequestId {}", p.code, p.request_id)}</span>
                </div>
            }
        })
        .collect_view()
}

/// The chosen cloud account and region of the top bar (none: all).
pub fn top_bar_scope() -> Memo<(Option<String>, Option<String>)> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        (
            q.get("account").filter(|s| !s.is_empty()),
            q.get("region").filter(|s| !s.is_empty()),
        )
    })
}

#[cfg(feature = "ssr")]
pub mod fanout {
    //! Server-side helpers of the fleet-wide pages.
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Poll;

    use backend::gateway::Caller;
    use backend::{Backend, BackendError};

    use super::RegionOutcome;
    use crate::api::RegionProblem;
    use crate::AppError;

    /// Runs the futures concurrently on the current task (the request's context stays).
    pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
        let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
        let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut done = true;
            for (i, f) in futures.iter_mut().enumerate() {
                if out[i].is_none() {
                    match f.as_mut().poll(cx) {
                        Poll::Ready(v) => out[i] = Some(v),
                        Poll::Pending => done = false,
                    }
                }
            }
            if done {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        out.into_iter().flatten().collect()
    }

    /// The signed-in user's backend and caller.
    pub struct Ctx {
        pub backend: Backend,
        pub caller: Caller,
    }

    pub async fn ctx() -> Result<Ctx, AppError> {
        let (backend, user) = crate::api::ssr::require_user().await?;
        let caller = crate::api::ssr::caller(&backend, &user).await?;
        Ok(Ctx { backend, caller })
    }

    impl Ctx {
        /// Every (cloud account, region) the user can see, narrowed to the chosen ones: an
        /// account's configured regions, else the regions the top bar offers.
        pub async fn places(
            &self,
            account: Option<&str>,
            region: Option<&str>,
        ) -> Result<Vec<(String, String)>, AppError> {
            let accounts = self.backend.vault.list_enabled().await?;
            let (_, all) = self.backend.gateway.choices(&self.caller).await?;
            let mut out = Vec::new();
            for a in accounts {
                if account.is_some_and(|n| n != a.name) {
                    continue;
                }
                let regions = if a.regions.is_empty() {
                    all.clone()
                } else {
                    a.regions.clone()
                };
                for r in regions {
                    if region.is_some_and(|q| q != r) {
                        continue;
                    }
                    out.push((a.name.clone(), r));
                }
            }
            out.sort();
            out.dedup();
            Ok(out)
        }

        /// One call through the gateway; a failure becomes the region's problem.
        pub async fn call(
            &self,
            account: &str,
            region: &str,
            action: &str,
            params: Vec<(String, String)>,
        ) -> Result<(serde_json::Value, String), RegionProblem> {
            self.backend
                .gateway
                .invoke(&self.caller, account, region, action, params)
                .await
                .map(|i| (i.body, i.request_id))
                .map_err(|e| problem(account, region, e))
        }

        /// Whether the user's role allows `action` in the region (on `cluster` when named).
        pub fn allows(
            &self,
            action: &str,
            account: &str,
            region: &str,
            cluster: Option<&str>,
        ) -> bool {
            self.caller
                .policy
                .decide(
                    &format!("polardb:{action}"),
                    &backend::access::Resource {
                        account: account.to_string(),
                        region: region.to_string(),
                        cluster: cluster.map(str::to_string),
                    },
                )
                .is_allowed()
        }
    }

    /// Reads an answer into its model.
    pub fn parse<T: serde::de::DeserializeOwned>(
        account: &str,
        region: &str,
        action: &str,
        body: serde_json::Value,
    ) -> Result<T, RegionProblem> {
        serde_json::from_value(body).map_err(|e| RegionProblem {
            account: account.to_string(),
            region: region.to_string(),
            code: "InvalidResponse".into(),
            message: format!("The {action} answer had an unexpected shape: {e}"),
            request_id: String::new(),
        })
    }

    pub fn problem(account: &str, region: &str, e: BackendError) -> RegionProblem {
        let (code, message, request_id) = match e {
            BackendError::Upstream(api) => (api.code.clone(), api.human(), api.request_id),
            BackendError::Forbidden(reason) => ("Forbidden".into(), reason, String::new()),
            other => ("ConsoleError".into(), other.to_string(), String::new()),
        };
        RegionProblem {
            account: account.to_string(),
            region: region.to_string(),
            code,
            message,
            request_id,
        }
    }

    pub fn failed(p: RegionProblem) -> RegionOutcome {
        RegionOutcome {
            account: p.account,
            region: p.region,
            ok: false,
            detail: p.message,
            code: p.code,
            request_id: p.request_id,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rules, checked as the user types and again on the server.

fn forbidden_text(s: &str) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("aliyun") {
        Some("must not start with aliyun")
    } else if lower.starts_with("acs:") {
        Some("must not start with acs:")
    } else if lower.contains("http://") || lower.contains("https://") {
        Some("must not contain http:// or https://")
    } else {
        None
    }
}

/// What is wrong with a tag key: 1 to 128 characters, not starting with `aliyun` or
/// `acs:`, without `http://` or `https://`.
pub fn tag_key_problem(key: &str) -> Option<String> {
    let n = key.chars().count();
    if key.trim().is_empty() {
        return Some("a tag key is required".into());
    }
    if n > MAX_TAG_LEN {
        return Some(format!(
            "a tag key has at most {MAX_TAG_LEN} characters (this has {n})"
        ));
    }
    forbidden_text(key).map(|p| format!("a tag key {p}"))
}

/// What is wrong with a tag value: at most 128 characters (may be empty), not starting
/// with `aliyun` or `acs:`, without `http://` or `https://`.
pub fn tag_value_problem(value: &str) -> Option<String> {
    let n = value.chars().count();
    if n > MAX_TAG_LEN {
        return Some(format!(
            "a tag value has at most {MAX_TAG_LEN} characters (this has {n})"
        ));
    }
    forbidden_text(value).map(|p| format!("a tag value {p}"))
}

/// What is wrong with a set of tags to add in one call.
pub fn tag_set_problem(tags: &[(String, String)]) -> Option<String> {
    if tags.is_empty() {
        return Some("add at least one tag".into());
    }
    if tags.len() > MAX_TAGS_PER_CALL {
        return Some(format!(
            "at most {MAX_TAGS_PER_CALL} tags at a time (this has {})",
            tags.len()
        ));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if let Some(p) = tag_key_problem(k).or_else(|| tag_value_problem(v)) {
            return Some(format!("tag {}: {p}", i + 1));
        }
        if tags[..i].iter().any(|(k2, _)| k2 == k) {
            return Some(format!("tag {}: the key {k} is given twice", i + 1));
        }
    }
    None
}

/// What is wrong with a set of keys to remove in one call.
pub fn untag_keys_problem(keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        return Some("choose at least one tag key to remove".into());
    }
    if keys.len() > MAX_TAGS_PER_CALL {
        return Some(format!(
            "at most {MAX_TAGS_PER_CALL} tag keys at a time (this has {})",
            keys.len()
        ));
    }
    keys.iter().find_map(|k| tag_key_problem(k))
}

/// Which cluster would carry more than 20 tags after adding `tags`: `existing` lists each
/// cluster's id and current keys.
pub fn capacity_problem(
    existing: &[(String, Vec<String>)],
    tags: &[(String, String)],
) -> Option<String> {
    existing.iter().find_map(|(id, keys)| {
        let mut all: Vec<&str> = keys.iter().map(String::as_str).collect();
        for (k, _) in tags {
            if !all.contains(&k.as_str()) {
                all.push(k);
            }
        }
        (all.len() > MAX_TAGS_PER_CLUSTER).then(|| {
            format!(
                "{id} would carry {} tags; a cluster carries at most {MAX_TAGS_PER_CLUSTER}",
                all.len()
            )
        })
    })
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

// ---------------------------------------------------------------------------------------
// Server functions.

/// A cluster and its tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedCluster {
    pub account: String,
    pub region: String,
    pub id: String,
    pub description: String,
    pub status: String,
    pub tags: Vec<(String, String)>,
    /// False when the region's tags could not be read.
    pub tags_known: bool,
}

impl TaggedCluster {
    pub fn target(&self) -> Target {
        Target {
            account: self.account.clone(),
            region: self.region.clone(),
            id: self.id.clone(),
        }
    }
}

/// Every cluster with its tags, what failed, and where the user may change tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsView {
    pub clusters: Vec<TaggedCluster>,
    pub problems: Vec<RegionProblem>,
    /// (account, region) pairs where TagResources is allowed.
    pub can_tag: Vec<(String, String)>,
    /// (account, region) pairs where UntagResources is allowed.
    pub can_untag: Vec<(String, String)>,
}

/// The tags of `ids` (one region): ListTagResources per 50 clusters, following NextToken.
#[cfg(feature = "ssr")]
async fn tags_in(
    c: &fanout::Ctx,
    account: &str,
    region: &str,
    ids: &[String],
) -> Result<Vec<polardb::models::TagResource>, RegionProblem> {
    let mut out = Vec::new();
    for chunk in ids.chunks(MAX_RESOURCES_PER_CALL) {
        let mut token = String::new();
        for _page in 0..1000 {
            let mut params = vec![("ResourceType".to_string(), "cluster".to_string())];
            for (i, id) in chunk.iter().enumerate() {
                params.push((format!("ResourceId.{}", i + 1), id.clone()));
            }
            if !token.is_empty() {
                params.push(("NextToken".into(), token.clone()));
            }
            let (body, _) = c.call(account, region, "ListTagResources", params).await?;
            let answer: polardb::models::ListTagResourcesResponse =
                fanout::parse(account, region, "ListTagResources", body)?;
            out.extend(answer.tag_resources.tag_resource);
            if answer.next_token.is_empty() || answer.next_token == token {
                break;
            }
            token = answer.next_token;
        }
    }
    Ok(out)
}

/// Every cluster of the chosen accounts and regions (all when not chosen) with its tags.
#[server]
pub async fn tag_overview(
    account: Option<String>,
    region: Option<String>,
) -> Result<TagsView, AppError> {
    let c = fanout::ctx().await?;
    let query = backend::gateway::FleetQuery {
        account: account.filter(|s| !s.is_empty()),
        region: region.filter(|s| !s.is_empty()),
    };
    let fleet = c.backend.gateway.fleet(&c.caller, &query).await?;
    let mut problems: Vec<RegionProblem> = fleet
        .failures
        .into_iter()
        .map(|f| {
            fanout::problem(
                &f.account,
                &f.region,
                backend::BackendError::Upstream(f.error),
            )
        })
        .collect();
    let mut groups: std::collections::BTreeMap<(String, String), Vec<TaggedCluster>> =
        Default::default();
    for f in fleet.clusters {
        let cl = f.cluster;
        groups
            .entry((f.account.clone(), cl.region_id.clone()))
            .or_default()
            .push(TaggedCluster {
                account: f.account,
                region: cl.region_id,
                id: cl.db_cluster_id,
                description: cl.db_cluster_description,
                status: cl.db_cluster_status,
                tags: Vec::new(),
                tags_known: false,
            });
    }
    let c = &c;
    let results = fanout::join_all(
        groups
            .into_iter()
            .map(|((account, region), mut clusters)| async move {
                let ids: Vec<String> = clusters.iter().map(|x| x.id.clone()).collect();
                let result = tags_in(c, &account, &region, &ids).await;
                let mut problem = None;
                match result {
                    Ok(list) => {
                        for x in clusters.iter_mut() {
                            x.tags_known = true;
                            x.tags = list
                                .iter()
                                .filter(|t| t.resource_id == x.id)
                                .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
                                .collect();
                        }
                    }
                    Err(p) => problem = Some(p),
                }
                let can = (
                    c.allows("TagResources", &account, &region, None),
                    c.allows("UntagResources", &account, &region, None),
                );
                ((account, region), clusters, problem, can)
            })
            .collect(),
    )
    .await;
    let mut view = TagsView {
        clusters: Vec::new(),
        problems: Vec::new(),
        can_tag: Vec::new(),
        can_untag: Vec::new(),
    };
    for (place, clusters, problem, (tag, untag)) in results {
        view.clusters.extend(clusters);
        problems.extend(problem);
        if tag {
            view.can_tag.push(place.clone());
        }
        if untag {
            view.can_untag.push(place);
        }
    }
    view.problems = problems;
    Ok(view)
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

// ---------------------------------------------------------------------------------------
// The /tags page.

/// One row of the tag form.
#[derive(Clone, Copy)]
struct TagRow {
    n: u32,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

fn new_row(n: u32) -> TagRow {
    TagRow {
        n,
        key: RwSignal::new(String::new()),
        value: RwSignal::new(String::new()),
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[component]
pub fn TagsPage() -> impl IntoView {
    let scope = top_bar_scope();
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || (scope.get(), version.get()),
        |((account, region), _)| tag_overview(account, region),
    );
    let tag = ServerAction::<TagClusters>::new();
    let untag = ServerAction::<UntagClusters>::new();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    // Selected clusters, by Target::key.
    let selected = RwSignal::new(Vec::<String>::new());
    let filter = RwSignal::new(String::new());
    let next_row = RwSignal::new(1u32);
    let rows = RwSignal::new(vec![new_row(0)]);
    let remove_keys = RwSignal::new(Vec::<String>::new());

    for value in [tag.value(), untag.value()] {
        Effect::new(move |_| {
            if let Some(Ok(_)) = value.get() {
                version.update(|n| *n += 1);
            }
        });
    }

    let view_now = move || data.get().and_then(|r| r.ok());
    let chosen = move || -> Vec<TaggedCluster> {
        let sel = selected.get();
        view_now()
            .map(|v| {
                v.clusters
                    .into_iter()
                    .filter(|c| sel.contains(&c.target().key()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let form_tags = move || -> Vec<(String, String)> {
        rows.get()
            .iter()
            .map(|r| {
                (
                    r.key.get().trim().to_string(),
                    r.value.get().trim().to_string(),
                )
            })
            .filter(|(k, v)| !(k.is_empty() && v.is_empty()))
            .collect()
    };
    let not_allowed = move |list: &[(String, String)], chosen: &[TaggedCluster], what: &str| {
        chosen
            .iter()
            .find(|c| !list.contains(&(c.account.clone(), c.region.clone())))
            .map(|c| {
                format!(
                    "your role may not {what} tags in {} ({})",
                    c.region, c.account
                )
            })
    };
    let tag_problem = move || {
        let chosen = chosen();
        let targets: Vec<Target> = chosen.iter().map(|c| c.target()).collect();
        let tags = form_tags();
        targets_problem(&targets)
            .or_else(|| tag_set_problem(&tags))
            .or_else(|| {
                let existing: Vec<(String, Vec<String>)> = chosen
                    .iter()
                    .map(|c| (c.id.clone(), c.tags.iter().map(|t| t.0.clone()).collect()))
                    .collect();
                capacity_problem(&existing, &tags)
            })
            .or_else(|| {
                let v = view_now()?;
                not_allowed(&v.can_tag, &chosen, "add")
            })
    };
    // Keys carried by the selected clusters.
    let keys_of_selected = move || {
        let mut keys: Vec<String> = chosen()
            .iter()
            .flat_map(|c| c.tags.iter().map(|t| t.0.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    let untag_problem = move || {
        let chosen = chosen();
        let targets: Vec<Target> = chosen.iter().map(|c| c.target()).collect();
        let keys: Vec<String> = remove_keys
            .get()
            .into_iter()
            .filter(|k| keys_of_selected().contains(k))
            .collect();
        targets_problem(&targets)
            .or_else(|| untag_keys_problem(&keys))
            .or_else(|| {
                let v = view_now()?;
                not_allowed(&v.can_untag, &chosen, "remove")
            })
    };

    let submit_tag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if tag_problem().is_some() {
            return;
        }
        untag.value().set(None);
        tag.dispatch(TagClusters {
            targets: chosen().iter().map(|c| c.target()).collect(),
            tags: form_tags(),
        });
    };
    let submit_untag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if untag_problem().is_some() {
            return;
        }
        tag.value().set(None);
        let keys: Vec<String> = remove_keys
            .get_untracked()
            .into_iter()
            .filter(|k| keys_of_selected().contains(k))
            .collect();
        untag.dispatch(UntagClusters {
            targets: chosen().iter().map(|c| c.target()).collect(),
            keys,
        });
    };

    view! {
        <Title text="Tags" />
        <div class="page-head">
            <h1>"Tags"</h1>
            <p class="muted">
                {move || {
                    let (a, r) = scope.get();
                    format!(
                        "Every tag of every cluster · {} · {}",
                        a.unwrap_or_else(|| "all cloud accounts".into()),
                        r.unwrap_or_else(|| "all regions".into())
                    )
                }}
            </p>
        </div>
        <Transition fallback=|| view! { <Loading label="Reading the tags of every region…" /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(v) => {
                        // key -> value -> clusters
                        let mut index: std::collections::BTreeMap<(String, String), Vec<TaggedCluster>> = Default::default();
                        for c in &v.clusters {
                            for (k, val) in &c.tags {
                                index.entry((k.clone(), val.clone())).or_default().push(c.clone());
                            }
                        }
                        let n_keys = {
                            let mut ks: Vec<&String> = index.keys().map(|(k, _)| k).collect();
                            ks.dedup();
                            ks.len()
                        };
                        let n_pairs = index.len();
                        view! {
                            {problems_view(v.problems.clone())}
                            <section class="panel tags-index">
                                <h2>"Tag keys and values"</h2>
                                {if index.is_empty() {
                                    view! { <Empty title="No cluster carries a tag." hint="Select clusters below and add a tag." /> }.into_any()
                                } else {
                                    view! {
                                        <p class="muted" data-testid="tag-summary">{format!("{n_keys} keys, {n_pairs} key–value pairs")}</p>
                                        <div class="table-wrap">
                                        <table class="grid" data-testid="tag-index">
                                            <thead><tr><th>"Key"</th><th>"Value"</th><th class="num">"Clusters"</th><th>"Carried by"</th><th></th></tr></thead>
                                            <tbody>
                                                {index.into_iter().map(|((k, val), list)| view! {
                                                    <tr data-tag-key=k.clone() data-tag-value=val.clone()>
                                                        <td class="mono">{k.clone()}</td>
                                                        <td class="mono">{if val.is_empty() { "(empty)".to_string() } else { val.clone() }}</td>
                                                        <td class="num" data-testid="tag-count">{list.len()}</td>
                                                        <td>
                                                            <span class="id-list">
                                                                {list.iter().map(|c| view! {
                                                                    <a class="mono" data-testid="tagged-cluster" href=cluster_href(&c.id, &c.account, &c.region, "tags")
                                                                        title=c.description.clone()>{c.id.clone()}</a>
                                                                }).collect_view()}
                                                            </span>
                                                        </td>
                                                        <td><a class="small-link" data-testid="tag-filter-link" href=tag_filter_href(&k, &val)>"In the cluster list"</a></td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            <section class="panel tags-clusters">
                                <h2>"Clusters"</h2>
                                <div class="filters">
                                    <label>
                                        "Find"
                                        <input type="search" data-testid="cluster-filter" placeholder="ID, description, tag"
                                            prop:value=move || filter.get()
                                            on:input=move |ev| filter.set(event_target_value(&ev)) />
                                    </label>
                                    <p class="muted" data-testid="selected-count">{move || format!("{} selected", selected.get().len())}</p>
                                    <button type="button" class="small" data-testid="clear-selection"
                                        disabled=move || !hydrated.get() || selected.get().is_empty()
                                        on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
                                </div>
                                <div class="table-wrap">
                                <table class="grid" data-testid="tag-clusters">
                                    <thead><tr><th></th><th>"Cluster"</th><th>"Status"</th><th>"Region"</th><th>"Account"</th><th>"Tags"</th></tr></thead>
                                    <tbody>
                                        {v.clusters.iter().map(|c| {
                                            let key = c.target().key();
                                            let key2 = key.clone();
                                            let haystack = format!("{} {} {}", c.id, c.description,
                                                c.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")).to_lowercase();
                                            let shown = move || {
                                                let f = filter.get().trim().to_lowercase();
                                                f.is_empty() || haystack.contains(&f)
                                            };
                                            let tags = c.tags.clone();
                                            let known = c.tags_known;
                                            view! {
                                                <tr data-cluster-id=c.id.clone() data-region=c.region.clone() prop:hidden=move || !shown()>
                                                    <td>
                                                        <input type="checkbox" data-testid="select-cluster" aria-label=format!("Select {}", c.id)
                                                            disabled=move || !hydrated.get()
                                                            prop:checked=move || selected.get().contains(&key)
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                selected.update(|s| {
                                                                    s.retain(|x| x != &key2);
                                                                    if on { s.push(key2.clone()); }
                                                                });
                                                            } />
                                                    </td>
                                                    <td>
                                                        <a class="mono" href=cluster_href(&c.id, &c.account, &c.region, "tags")>{c.id.clone()}</a>
                                                        <div class="muted">{c.description.clone()}</div>
                                                    </td>
                                                    <td><StatusBadge status=c.status.clone() /></td>
                                                    <td>{c.region.clone()}</td>
                                                    <td>{c.account.clone()}</td>
                                                    <td data-testid="cluster-tags">
                                                        {if !known {
                                                            view! { <span class="muted">"unknown (the region's tags could not be read)"</span> }.into_any()
                                                        } else if tags.is_empty() {
                                                            view! { <span class="muted">"none"</span> }.into_any()
                                                        } else {
                                                            view! {
                                                                <ul class="tag-list">
                                                                    {tags.into_iter().map(|(k, v)| view! {
                                                                        <li class="tag" data-tag-key=k.clone()><span class="tag-key">{k.clone()}</span>{(!v.is_empty()).then(|| view! { <span class="tag-value">{v}</span> })}</li>
                                                                    }).collect_view()}
                                                                </ul>
                                                            }.into_any()
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>

        // The forms live outside the refreshing part: nothing resets them.
        <div class="tag-forms">
            <section class="panel form-panel" data-testid="tag-form-panel">
                <h2>"Add tags to the selected clusters"</h2>
                <p class="muted small-print">
                    {format!("Up to {MAX_TAGS_PER_CALL} tags at a time; keys and values up to {MAX_TAG_LEN} characters, not starting with aliyun or acs:, without http:// or https://. A key the cluster already has takes the new value. Sent once per region, {MAX_RESOURCES_PER_CALL} clusters a call.")}
                </p>
                <form class="stack-form" on:submit=submit_tag>
                    <For each=move || rows.get() key=|r| r.n children=move |row: TagRow| view! {
                        <div class="tag-row">
                            <input type="text" placeholder="Key" aria-label="Tag key" data-testid="tag-key" maxlength="200"
                                prop:value=move || row.key.get()
                                on:input=move |ev| row.key.set(event_target_value(&ev)) />
                            <input type="text" placeholder="Value" aria-label="Tag value" data-testid="tag-value" maxlength="200"
                                prop:value=move || row.value.get()
                                on:input=move |ev| row.value.set(event_target_value(&ev)) />
                            <button type="button" class="small" aria-label="Remove this row"
                                disabled=move || rows.get().len() <= 1
                                on:click=move |_| rows.update(|rs| rs.retain(|r| r.n != row.n))>"×"</button>
                        </div>
                    } />
                    <div>
                        <button type="button" class="small" data-testid="add-tag-row"
                            disabled=move || { let full = rows.get().len() >= MAX_TAGS_PER_CALL; !hydrated.get() || full }
                            on:click=move |_| {
                                let n = next_row.get_untracked();
                                next_row.set(n + 1);
                                rows.update(|rs| rs.push(new_row(n)));
                            }>"Another tag"</button>
                    </div>
                    <p class="field-hint" data-testid="tag-problem">
                        {move || match tag_problem() {
                            Some(p) => view! { <span class="field-error">{format!("{}.", capitalise(&p))}</span> }.into_any(),
                            None => view! { <span class="muted">{format!("Ready to tag {} clusters.", chosen().len())}</span> }.into_any(),
                        }}
                    </p>
                    {change_error(tag.value())}
                    <div>
                        <button type="submit" class="small primary-small" data-testid="submit-tag"
                            disabled=move || !hydrated.get() || tag_problem().is_some() || tag.pending().get()>
                            {move || if tag.pending().get() { "Tagging…".to_string() } else { format!("Add tags to {} clusters", chosen().len()) }}
                        </button>
                    </div>
                    {move || tag.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "tag-outcomes"))}
                </form>
            </section>
            <section class="panel form-panel" data-testid="untag-form-panel">
                <h2>"Remove tags from the selected clusters"</h2>
                <form class="stack-form" on:submit=submit_untag>
                    {move || {
                        let keys = keys_of_selected();
                        if keys.is_empty() {
                            view! { <p class="muted">"The selected clusters carry no tags."</p> }.into_any()
                        } else {
                            view! {
                                <div class="key-choices">
                                    {keys.into_iter().map(|k| {
                                        let k2 = k.clone();
                                        let k3 = k.clone();
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" data-testid="untag-key" value=k.clone()
                                                    prop:checked=move || remove_keys.get().contains(&k2)
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        remove_keys.update(|s| {
                                                            s.retain(|x| x != &k3);
                                                            if on { s.push(k3.clone()); }
                                                        });
                                                    } />
                                                <span class="mono">{k}</span>
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            }.into_any()
                        }
                    }}
                    <p class="field-hint" data-testid="untag-problem">
                        {move || untag_problem().map(|p| view! { <span class="field-error">{format!("{}.", capitalise(&p))}</span> })}
                    </p>
                    {change_error(untag.value())}
                    <div>
                        <button type="submit" class="small danger" data-testid="submit-untag"
                            disabled=move || !hydrated.get() || untag_problem().is_some() || untag.pending().get()>
                            {move || if untag.pending().get() { "Removing…".to_string() } else { format!("Remove from {} clusters", chosen().len()) }}
                        </button>
                    </div>
                    {move || untag.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "untag-outcomes"))}
                </form>
            </section>
        </div>
    }
}

// ---------------------------------------------------------------------------------------
// The cluster's Tags tab.

/// `/clusters/:id/tags`.
#[component]
pub fn ClusterTagsPage() -> impl IntoView {
    view! {
        <ClusterFrame tab="tags">
            <ClusterTags />
        </ClusterFrame>
    }
}

#[component]
fn ClusterTags() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let tag = ServerAction::<TagClusters>::new();
    let untag = ServerAction::<UntagClusters>::new();
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);

    // Which changes the role allows here (tags are decided region-wide: the calls name
    // clusters as ResourceId.N).
    // Keyed on the address only (not on the cluster's answer), so the server resolves it
    // once and the browser hydrates with the same answer.
    let allowed = Resource::new(
        move || ctx.scope.get(),
        |scope| async move {
            let (account, region) = if scope.account.is_empty() || scope.region.is_empty() {
                let d = crate::pages::cluster::load_cluster(scope).await?;
                (d.account, d.region)
            } else {
                (scope.account, scope.region)
            };
            crate::api::permissions(
                account,
                region,
                None,
                vec![
                    "polardb:TagResources".into(),
                    "polardb:UntagResources".into(),
                ],
            )
            .await
        },
    );
    // Read inside the Suspense boundaries below, so the server's HTML and the hydrated
    // page agree.
    let has =
        |list: &[String], action: &str| list.iter().any(|a| a == &format!("polardb:{action}"));

    let outcome_words = |list: &[RegionOutcome]| -> Result<String, AppError> {
        match list.iter().find(|o| !o.ok) {
            Some(o) => Err(AppError::Upstream {
                code: o.code.clone(),
                message: o.detail.clone(),
                request_id: o.request_id.clone(),
                status: 0,
            }),
            None => Ok(list.first().map(|o| o.detail.clone()).unwrap_or_default()),
        }
    };
    // A region's refusal comes back inside the list: show it as an error.
    let tag_result = Memo::new(move |_| {
        tag.value()
            .get()
            .map(|r| r.and_then(|list| outcome_words(&list)))
    });
    let untag_result = Memo::new(move |_| {
        untag
            .value()
            .get()
            .map(|r| r.and_then(|list| outcome_words(&list)))
    });
    ctx.after_success(tag_result, move || {
        key.set(String::new());
        value.set(String::new());
        done.set(Some("Tag saved.".into()));
    });
    ctx.after_success(untag_result, move || done.set(Some("Tag removed.".into())));

    let current = move || data.get().and_then(|r| r.ok());
    let problem = move || {
        let k = key.get().trim().to_string();
        let v = value.get().trim().to_string();
        tag_key_problem(&k)
            .or_else(|| tag_value_problem(&v))
            .or_else(|| {
                let d = current()?;
                let existing = vec![(
                    d.attr.db_cluster_id.clone(),
                    d.attr.tags.iter().map(|t| t.key.clone()).collect(),
                )];
                capacity_problem(&existing, &[(k, v)])
            })
    };
    let target = move || {
        current().map(|d| Target {
            account: d.account,
            region: d.region,
            id: d.attr.db_cluster_id,
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(t) = target() else { return };
        if problem().is_some() {
            return;
        }
        done.set(None);
        tag.dispatch(TagClusters {
            targets: vec![t],
            tags: vec![(
                key.get_untracked().trim().to_string(),
                value.get_untracked().trim().to_string(),
            )],
        });
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="tags-done">{m}</div> })}
        <Transition fallback=|| view! { <Loading label="Reading the cluster…" /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let tags = d.attr.tags.clone();
                let perms = allowed.await.unwrap_or_default();
                let (can_tag, can_untag) = (has(&perms, "TagResources"), has(&perms, "UntagResources"));
                view! {
                    <section class="panel" data-testid="cluster-tags-panel">
                        <h2>{format!("Tags ({} of at most {MAX_TAGS_PER_CLUSTER})", tags.len())}</h2>
                        {if tags.is_empty() {
                            view! { <p class="muted" data-testid="no-tags">"This cluster carries no tags."</p> }.into_any()
                        } else {
                            view! {
                                <table class="grid" data-testid="own-tags">
                                    <thead><tr><th>"Key"</th><th>"Value"</th><th></th><th></th></tr></thead>
                                    <tbody>
                                        {tags.into_iter().map(|t| {
                                            let k = t.key.clone();
                                            let k_edit = t.key.clone();
                                            let v_edit = t.value.clone();
                                            view! {
                                                <tr data-tag-key=t.key.clone()>
                                                    <td class="mono">{t.key.clone()}</td>
                                                    <td class="mono" data-testid="own-tag-value">{t.value.clone()}</td>
                                                    <td><a class="small-link" href=tag_filter_href(&t.key, &t.value)>"Clusters with this tag"</a></td>
                                                    <td><div class="row-actions">
                                                        {can_tag.then(|| {
                                                            let k = k_edit.clone();
                                                            let v = v_edit.clone();
                                                            view! {
                                                                <button type="button" class="small" data-testid="edit-tag"
                                                                    disabled=move || !hydrated.get()
                                                                    on:click=move |_| { key.set(k.clone()); value.set(v.clone()); }>"Change value"</button>
                                                            }
                                                        })}
                                                        {can_untag.then(|| {
                                                            let k = k.clone();
                                                            view! {
                                                                <button type="button" class="small danger" data-testid="remove-tag"
                                                                    disabled=move || !hydrated.get() || untag.pending().get()
                                                                    on:click=move |_| {
                                                                        let Some(t) = target() else { return };
                                                                        done.set(None);
                                                                        untag.dispatch(UntagClusters { targets: vec![t], keys: vec![k.clone()] });
                                                                    }>"Remove"</button>
                                                            }
                                                        })}
                                                    </div></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                        {change_error(untag_result)}
                    </section>
                }.into_any()
            })}
        </Transition>
        <Transition fallback=|| ()>
        {move || Suspend::new(async move {
        let perms = allowed.await.unwrap_or_default();
        has(&perms, "TagResources").then(|| view! {
            <section class="panel form-panel" data-testid="own-tag-form">
                <h2>"Add or change a tag"</h2>
                <form class="edit-form" on:submit=submit>
                    <input type="text" placeholder="Key" aria-label="Tag key" data-testid="own-tag-key" maxlength="200"
                        prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev)) />
                    <input type="text" placeholder="Value" aria-label="Tag value" data-testid="own-tag-value-input" maxlength="200"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                    <button type="submit" class="small primary-small" data-testid="save-tag"
                        disabled=move || !hydrated.get() || problem().is_some() || tag.pending().get()>
                        {move || if tag.pending().get() { "Saving…" } else { "Save tag" }}
                    </button>
                </form>
                <p class="field-hint" data-testid="own-tag-problem">
                    {move || match problem() {
                        Some(p) => view! { <span class="field-error">{format!("{}.", capitalise(&p))}</span> }.into_any(),
                        None => view! { <span class="muted">"A key the cluster already has takes the new value."</span> }.into_any(),
                    }}
                </p>
                {change_error(tag_result)}
            </section>
        })
        })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn keys_and_values_follow_the_tag_rules() {
        assert_eq!(tag_key_problem("env"), None);
        assert_eq!(tag_key_problem("团队"), None);
        assert!(tag_key_problem("").is_some());
        assert!(tag_key_problem("  ").is_some());
        assert!(tag_key_problem("aliyun-x").unwrap().contains("aliyun"));
        assert!(tag_key_problem("ALIYUNx").unwrap().contains("aliyun"));
        assert!(tag_key_problem("acs:team").unwrap().contains("acs:"));
        assert!(tag_key_problem("see http://x").unwrap().contains("http"));
        assert_eq!(tag_key_problem(&"k".repeat(128)), None);
        assert!(tag_key_problem(&"k".repeat(129)).unwrap().contains("128"));
        assert_eq!(tag_value_problem(""), None);
        assert!(tag_value_problem("acs:x").is_some());
        assert!(tag_value_problem(&"v".repeat(129)).is_some());
    }

    #[test]
    fn a_call_carries_at_most_twenty_tags_with_distinct_keys() {
        assert!(tag_set_problem(&[]).is_some());
        assert_eq!(tag_set_problem(&[kv("a", "1"), kv("b", "")]), None);
        assert!(tag_set_problem(&[kv("a", "1"), kv("a", "2")])
            .unwrap()
            .contains("twice"));
        let many: Vec<_> = (0..21).map(|i| kv(&format!("k{i}"), "v")).collect();
        assert!(tag_set_problem(&many).unwrap().contains("20"));
        assert_eq!(tag_set_problem(&many[..20]), None);
        assert!(tag_set_problem(&[kv("ok", "1"), kv("aliyun", "2")])
            .unwrap()
            .starts_with("tag 2"));
        assert!(untag_keys_problem(&[]).is_some());
        assert_eq!(untag_keys_problem(&["env".into()]), None);
    }

    #[test]
    fn a_cluster_carries_at_most_twenty_tags() {
        let keys: Vec<String> = (0..19).map(|i| format!("k{i}")).collect();
        let existing = vec![("pc-1".to_string(), keys)];
        assert_eq!(capacity_problem(&existing, &[kv("new", "1")]), None);
        assert_eq!(
            capacity_problem(&existing, &[kv("k1", "x"), kv("new", "1")]),
            None
        );
        assert!(
            capacity_problem(&existing, &[kv("new", "1"), kv("new2", "1")])
                .unwrap()
                .contains("pc-1 would carry 21")
        );
    }

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
