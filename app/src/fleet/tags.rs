//! `/tags`: every tag key and value of every cluster, across cloud accounts and regions
//! (ListTagResources, all pages), the clusters carrying each, and tagging or untagging
//! several clusters at once (TagResources / UntagResources, one call per region and per
//! 50 clusters, see `kit::tagging`).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use polardb::rules::{
    capacity_problem, tag_set_problem, untag_keys_problem, MAX_RESOURCES_PER_CALL,
    MAX_TAGS_PER_CALL, MAX_TAG_LEN,
};

use crate::api::RegionProblem;
#[cfg(feature = "ssr")]
use crate::call::fanout;
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::outcomes::{outcomes_view, problems_view};
use crate::kit::tagging::{tag_filter_href, targets_problem, TagClusters, Target, UntagClusters};
use crate::kit::{
    change_error, cluster_href, problem_line, top_bar_scope, use_hydrated, waiting, Empty,
    ErrorBox, FieldHint, Loading, StatusBadge,
};
use crate::AppError;

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
            let request = polardb::models::ListTagResources {
                region_id: region.to_string(),
                resource_type: "cluster".into(),
                resource_id: chunk.to_vec(),
                next_token: (!token.is_empty()).then(|| token.clone()),
                ..Default::default()
            };
            let answer = crate::kit::tagging::call_in(c, account, region, &request).await?;
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

#[component]
pub fn TagsPage() -> impl IntoView {
    let i18n = use_i18n();
    let scope = top_bar_scope();
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || (scope.get(), version.get()),
        |((account, region), _)| tag_overview(account, region),
    );
    let tag = ServerAction::<TagClusters>::new();
    let untag = ServerAction::<UntagClusters>::new();
    let hydrated = use_hydrated();

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
    // `adding`: the role may not add tags, else it may not remove them.
    let not_allowed = move |list: &[(String, String)], chosen: &[TaggedCluster], adding: bool| {
        chosen
            .iter()
            .find(|c| !list.contains(&(c.account.clone(), c.region.clone())))
            .map(|c| {
                let (region, account) = (c.region.clone(), c.account.clone());
                if adding {
                    t_string!(
                        i18n,
                        fleet_ops.tg_role_may_not_add,
                        region = region,
                        account = account
                    )
                    .to_string()
                } else {
                    t_string!(
                        i18n,
                        fleet_ops.tg_role_may_not_remove,
                        region = region,
                        account = account
                    )
                    .to_string()
                }
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
                not_allowed(&v.can_tag, &chosen, true)
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
                not_allowed(&v.can_untag, &chosen, false)
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
        <Title text=move || t_string!(i18n, fleet_ops.tg_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, fleet_ops.tg_title)}</h1>
            <p class="muted">
                {move || {
                    let (a, r) = scope.get();
                    t_string!(
                        i18n,
                        fleet_ops.tg_lead,
                        account = a.unwrap_or_else(|| t_string!(i18n, fleet_ops.all_cloud_accounts).into()),
                        region = r.unwrap_or_else(|| t_string!(i18n, fleet_ops.all_regions).into())
                    )
                    .to_string()
                }}
            </p>
        </div>
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet_ops.tg_loading) /> }>
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
                                <h2>{t!(i18n, fleet_ops.tg_index_heading)}</h2>
                                {if index.is_empty() {
                                    view! { <Empty title=t_string!(i18n, fleet_ops.tg_none) hint=t_string!(i18n, fleet_ops.tg_none_hint) /> }.into_any()
                                } else {
                                    view! {
                                        <p class="muted" data-testid="tag-summary">{move || t_string!(i18n, fleet_ops.tg_summary, keys = n_keys, pairs = n_pairs).to_string()}</p>
                                        <div class="table-wrap">
                                        <table class="grid" data-testid="tag-index">
                                            <thead><tr><th>{t!(i18n, fleet_ops.tg_col_key)}</th><th>{t!(i18n, fleet_ops.tg_col_value)}</th><th class="num">{t!(i18n, fleet_ops.tg_col_clusters)}</th><th>{t!(i18n, fleet_ops.tg_col_carried_by)}</th><th></th></tr></thead>
                                            <tbody>
                                                {index.into_iter().map(|((k, val), list)| view! {
                                                    <tr data-tag-key=k.clone() data-tag-value=val.clone()>
                                                        <td class="mono">{k.clone()}</td>
                                                        <td class="mono">{if val.is_empty() { leptos::either::Either::Left(move || t_string!(i18n, fleet_ops.tg_empty_value)) } else { leptos::either::Either::Right(val.clone()) }}</td>
                                                        <td class="num" data-testid="tag-count">{list.len()}</td>
                                                        <td>
                                                            <span class="id-list">
                                                                {list.iter().map(|c| view! {
                                                                    <a class="mono" data-testid="tagged-cluster" href=cluster_href(&c.id, &c.account, &c.region, "tags")
                                                                        title=c.description.clone()>{c.id.clone()}</a>
                                                                }).collect_view()}
                                                            </span>
                                                        </td>
                                                        <td><a class="small-link" data-testid="tag-filter-link" href=tag_filter_href(&k, &val)>{t!(i18n, fleet_ops.tg_in_cluster_list)}</a></td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            <section class="panel tags-clusters">
                                <h2>{t!(i18n, fleet_ops.tg_col_clusters)}</h2>
                                <div class="filters">
                                    <label>
                                        {t!(i18n, fleet_ops.tg_find)}
                                        <input type="search" data-testid="cluster-filter" placeholder=move || t_string!(i18n, fleet_ops.tg_find_placeholder)
                                            title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                            prop:value=move || filter.get()
                                            on:input=move |ev| filter.set(event_target_value(&ev)) />
                                    </label>
                                    <p class="muted" data-testid="selected-count">{move || { let n = selected.get().len(); t_string!(i18n, fleet_ops.tg_selected, n = n).to_string() }}</p>
                                    <button type="button" class="small" data-testid="clear-selection"
                                        title=move || waiting(hydrated)
                                        disabled=move || !hydrated.get() || selected.get().is_empty()
                                        on:click=move |_| selected.set(Vec::new())>{t!(i18n, fleet_ops.tg_clear_selection)}</button>
                                </div>
                                <div class="table-wrap">
                                <table class="grid" data-testid="tag-clusters">
                                    <thead><tr><th></th><th>{t!(i18n, fleet_ops.col_cluster)}</th><th>{t!(i18n, fleet_ops.col_status)}</th><th>{t!(i18n, fleet_ops.col_region)}</th><th>{t!(i18n, fleet_ops.col_account)}</th><th>{t!(i18n, fleet_ops.tg_title)}</th></tr></thead>
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
                                            let id = c.id.clone();
                                            view! {
                                                <tr data-cluster-id=c.id.clone() data-region=c.region.clone() prop:hidden=move || !shown()>
                                                    <td>
                                                        <input type="checkbox" data-testid="select-cluster" aria-label=move || t_string!(i18n, fleet_ops.tg_select, id = id.clone()).to_string()
                                                            title=move || waiting(hydrated)
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
                                                            view! { <span class="muted">{t!(i18n, fleet_ops.tg_unknown)}</span> }.into_any()
                                                        } else if tags.is_empty() {
                                                            view! { <span class="muted">{t!(i18n, fleet_ops.tg_no_tags)}</span> }.into_any()
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
                <h2>{t!(i18n, fleet_ops.tg_add_heading)}</h2>
                <p class="muted small-print">
                    {move || t_string!(i18n, fleet_ops.tg_add_rules, max_tags = MAX_TAGS_PER_CALL, max_len = MAX_TAG_LEN, per_call = MAX_RESOURCES_PER_CALL).to_string()}
                </p>
                <form class="stack-form" on:submit=submit_tag>
                    <For each=move || rows.get() key=|r| r.n children=move |row: TagRow| view! {
                        <div class="tag-row">
                            <input type="text" placeholder=move || t_string!(i18n, fleet_ops.tg_col_key) aria-label=move || t_string!(i18n, fleet_ops.tg_key_label) data-testid="tag-key" maxlength="200"
                                prop:value=move || row.key.get()
                                on:input=move |ev| row.key.set(event_target_value(&ev)) />
                            <input type="text" placeholder=move || t_string!(i18n, fleet_ops.tg_col_value) aria-label=move || t_string!(i18n, fleet_ops.tg_value_label) data-testid="tag-value" maxlength="200"
                                prop:value=move || row.value.get()
                                on:input=move |ev| row.value.set(event_target_value(&ev)) />
                            <button type="button" class="small" aria-label=move || t_string!(i18n, fleet_ops.tg_remove_row)
                                title=move || waiting(hydrated).or((rows.get().len() <= 1).then(|| t_string!(i18n, fleet_ops.tg_at_least_one_tag)))
                                disabled=move || !hydrated.get() || rows.get().len() <= 1
                                on:click=move |_| rows.update(|rs| rs.retain(|r| r.n != row.n))>"×"</button>
                        </div>
                    } />
                    <div>
                        <button type="button" class="small" data-testid="add-tag-row"
                            title=move || waiting(hydrated).map(str::to_string).or_else(|| (rows.get().len() >= MAX_TAGS_PER_CALL).then(|| t_string!(i18n, fleet_ops.tg_at_most_tags, max = MAX_TAGS_PER_CALL).to_string()))
                            disabled=move || { let full = rows.get().len() >= MAX_TAGS_PER_CALL; !hydrated.get() || full }
                            on:click=move |_| {
                                let n = next_row.get_untracked();
                                next_row.set(n + 1);
                                rows.update(|rs| rs.push(new_row(n)));
                            }>{t!(i18n, fleet_ops.tg_another_tag)}</button>
                    </div>
                    <FieldHint testid="tag-problem" problem=Signal::derive(move || tag_problem().map(|p| problem_line("", &p)))
                        hint=Signal::derive(move || { let n = chosen().len(); t_string!(i18n, fleet_ops.tg_ready, n = n).to_string() }) />
                    {change_error(tag.value())}
                    <div>
                        <button type="submit" class="small primary-small" data-testid="submit-tag"
                            title=move || waiting(hydrated)
                            disabled=move || !hydrated.get() || tag_problem().is_some() || tag.pending().get()>
                            {move || if tag.pending().get() { t_string!(i18n, fleet_ops.tg_tagging).to_string() } else { let n = chosen().len(); t_string!(i18n, fleet_ops.tg_add_n, n = n).to_string() }}
                        </button>
                    </div>
                    {move || tag.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "tag-outcomes"))}
                </form>
            </section>
            <section class="panel form-panel" data-testid="untag-form-panel">
                <h2>{t!(i18n, fleet_ops.tg_remove_heading)}</h2>
                <form class="stack-form" on:submit=submit_untag>
                    {move || {
                        let keys = keys_of_selected();
                        if keys.is_empty() {
                            view! { <p class="muted">{t!(i18n, fleet_ops.tg_selected_no_tags)}</p> }.into_any()
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
                        {move || untag_problem().map(|p| view! { <span class="field-error">{problem_line("", &p)}</span> })}
                    </p>
                    {change_error(untag.value())}
                    <div>
                        <button type="submit" class="small danger" data-testid="submit-untag"
                            title=move || waiting(hydrated)
                            disabled=move || !hydrated.get() || untag_problem().is_some() || untag.pending().get()>
                            {move || if untag.pending().get() { t_string!(i18n, fleet_ops.tg_removing).to_string() } else { let n = chosen().len(); t_string!(i18n, fleet_ops.tg_remove_n, n = n).to_string() }}
                        </button>
                    </div>
                    {move || untag.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "untag-outcomes"))}
                </form>
            </section>
        </div>
    }
}
