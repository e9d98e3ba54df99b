//! `/clusters`: every cluster of every cloud account and region in one list, filtered,
//! sorted and paged on the server. The whole state lives in the address (filters, `sort`,
//! `dir`, `page`, `per`), so a link reproduces the list, and the filter form is a plain GET
//! form that works before the page is interactive. Rows in a transitional state make the
//! list read itself again every few seconds until they settle.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::{permissions, search_clusters, ClusterFilter, ClusterList, ClusterRow};
use crate::kit::{is_transitional, Empty, ErrorBox, Loading, StatusBadge};

/// How often the list is read again while a row is in a transitional state.
const REFRESH: Duration = Duration::from_secs(3);

/// Cluster states a filter can ask for (API reference 19-2).
pub const STATUSES: &[&str] = &[
    "Running",
    "Creating",
    "Deleting",
    "Rebooting",
    "DBNodeCreating",
    "DBNodeDeleting",
    "ClassChanging",
    "Switching",
    "TRANSING",
    "NetAddressCreating",
    "NetAddressDeleting",
    "NetAddressModifying",
    "MinorVersionUpgrading",
    "NS_MAINTAINING",
    "STORAGE_EXPANDIN",
    "SSL_MODIFYING",
    "TDEModifying",
    "CONFIG_SWITCHING",
    "ROLE_SWITCHING",
    "UPGRADE_FORBIDDEN",
];

/// PostgreSQL major versions PolarDB offers.
pub const VERSIONS: &[&str] = &["11", "14", "15", "16"];

/// The list's columns: sort key and heading.
const COLUMNS: &[(&str, &str)] = &[
    ("id", "Cluster"),
    ("status", "Status"),
    ("engine", "Engine"),
    ("region", "Region / zone"),
    ("nodes", "Nodes"),
    ("billing", "Billing"),
    ("account", "Account"),
    ("created", "Created"),
];

/// The same filter sorted by `key`: ascending first, descending on a second click.
fn sorted_by(f: &ClusterFilter, key: &str) -> ClusterFilter {
    let desc = f.sort == key && f.dir != "desc";
    ClusterFilter {
        sort: key.to_string(),
        dir: if desc { "desc".into() } else { String::new() },
        page: 1,
        ..f.clone()
    }
}

/// The same filter on another page.
fn on_page(f: &ClusterFilter, page: u32) -> ClusterFilter {
    ClusterFilter { page, ..f.clone() }
}

#[component]
pub fn ClustersPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        ClusterFilter::from_lookup(|k| q.get(k))
    });
    let clusters = Resource::new(move || filter.get(), search_clusters);
    let can_create = Resource::new(
        move || {
            let f = filter.get();
            (f.account, f.region)
        },
        |(account, region)| async move {
            permissions(
                account,
                region,
                None,
                vec!["polardb:CreateDBCluster".into()],
            )
            .await
            .map(|a| !a.is_empty())
            .unwrap_or(false)
        },
    );

    // After hydration: read the list again while a row on it is in a transitional state.
    Effect::new(move |_| {
        let tick = move || {
            let busy = matches!(
                clusters.get_untracked(),
                Some(Ok(l)) if l.clusters.iter().any(|c| is_transitional(&c.status))
            );
            if busy {
                clusters.refetch();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });

    view! {
        <Title text="Clusters" />
        <div class="page-head list-head">
            <div>
                <h1>"Clusters"</h1>
                <p class="muted">
                    {move || {
                        let f = filter.get();
                        format!(
                            "{} · {}",
                            if f.account.is_empty() { "All cloud accounts".to_string() } else { f.account },
                            if f.region.is_empty() { "all regions".to_string() } else { f.region }
                        )
                    }}
                </p>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    can_create.await.then(|| view! {
                        <a class="button" href="/clusters/new" data-testid="create-cluster">"Create cluster"</a>
                    })
                })}
            </Transition>
        </div>
        {move || view! { <FilterForm filter=filter.get() /> }}
        <Transition fallback=|| view! { <Loading label="Loading clusters from every region…" /> }>
            {move || Suspend::new(async move {
                match clusters.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) => view! { <ClusterTable list=list filter=filter.get_untracked() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The filter form: a GET form, so it works before hydration and its result is an address.
#[component]
fn FilterForm(filter: ClusterFilter) -> impl IntoView {
    let f = filter;
    let option = |value: &'static str, label: &'static str, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <Form method="GET" action="/clusters" attr:class="filters cluster-filters" attr:data-testid="cluster-filters">
            <input type="hidden" name="account" value=f.account.clone() />
            <input type="hidden" name="region" value=f.region.clone() />
            <label>
                <span>"Search"</span>
                <input type="search" name="q" value=f.q.clone() placeholder="Cluster ID or description"
                    data-testid="filter-q" maxlength="256" />
            </label>
            <label>
                <span>"Status"</span>
                <select name="status" data-testid="filter-status">
                    {option("", "Any status", &f.status)}
                    {STATUSES.iter().copied().map(|s| option(s, s, &f.status)).collect_view()}
                </select>
            </label>
            <label>
                <span>"Engine"</span>
                <select name="version" data-testid="filter-version">
                    {option("", "Any version", &f.version)}
                    {VERSIONS.iter().map(|v| {
                        let selected = *v == f.version;
                        view! { <option value=*v selected=selected>{format!("PostgreSQL {v}")}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>"Billing"</span>
                <select name="pay" data-testid="filter-pay">
                    {option("", "Any billing", &f.pay_type)}
                    {option("Postpaid", "Pay-as-you-go", &f.pay_type)}
                    {option("Prepaid", "Subscription", &f.pay_type)}
                </select>
            </label>
            <label>
                <span>"Tag key"</span>
                <input type="text" name="tag" value=f.tag_key.clone() data-testid="filter-tag" maxlength="128" />
            </label>
            <label>
                <span>"Tag value"</span>
                <input type="text" name="tagv" value=f.tag_value.clone() data-testid="filter-tag-value" maxlength="128" />
            </label>
            <label>
                <span>"Per page"</span>
                <select name="per" data-testid="filter-per">
                    {[10u32, 25, 50, 100, 200].into_iter().map(|n| {
                        let selected = f.per_page() == n;
                        view! { <option value=n.to_string() selected=selected>{n.to_string()}</option> }
                    }).collect_view()}
                    {(![10u32, 25, 50, 100, 200].contains(&f.per_page())).then(|| {
                        let n = f.per_page().to_string();
                        view! { <option value=n.clone() selected=true>{n.clone()}</option> }
                    })}
                </select>
            </label>
            <input type="hidden" name="sort" value=f.sort.clone() />
            <input type="hidden" name="dir" value=f.dir.clone() />
            <button type="submit" class="small primary-small" data-testid="apply-filters">"Apply"</button>
            {(f.narrowed()).then(|| {
                let cleared = ClusterFilter {
                    account: f.account.clone(),
                    region: f.region.clone(),
                    ..Default::default()
                };
                view! { <a class="small-link" href=cleared.href() data-testid="clear-filters">"Clear filters"</a> }
            })}
        </Form>
    }
}

#[component]
fn ClusterTable(list: ClusterList, filter: ClusterFilter) -> impl IntoView {
    let problems = list.problems.clone();
    let total = list.total;
    let pages = list.pages();
    let page = list.page;
    let first = (page - 1) as usize * list.per as usize + 1;
    let last = first + list.clusters.len().saturating_sub(1);
    let busy = list.clusters.iter().any(|c| is_transitional(&c.status));
    let filter_for_pager = filter.clone();
    let heads = COLUMNS
        .iter()
        .map(|(key, label)| {
            let current = filter.sort == *key;
            let desc = current && filter.dir == "desc";
            let sort = if !current {
                None
            } else if desc {
                Some("descending")
            } else {
                Some("ascending")
            };
            let arrow = match sort {
                Some("descending") => " ↓",
                Some(_) => " ↑",
                None => "",
            };
            let href = sorted_by(&filter, key).href();
            view! {
                <th aria-sort=sort class:num=*key == "nodes">
                    <a class="sort-link" href=href data-sort=*key>{*label}{arrow}</a>
                </th>
            }
        })
        .collect_view();
    let pager = move || pager_view(&filter_for_pager, page, pages);
    view! {
        {problems.into_iter().map(|p| {
            let place = if p.region.is_empty() {
                format!("Cloud account {}", p.account)
            } else {
                format!("{} in {}", p.region, p.account)
            };
            view! {
                <div class="banner banner-error" role="alert" data-testid="region-problem">
                    <strong>{place}</strong>": "{p.message.clone()}
                    <span class="mono muted">" RequestId "{p.request_id.clone()}</span>
                </div>
            }
        }).collect_view()}
        {if total == 0 {
            let hint = if filter.narrowed() {
                "No cluster passes these filters. Clear them, or widen the search."
            } else {
                "Choose another cloud account or region, or create a cluster."
            };
            view! { <div data-testid="no-clusters"><Empty title="No clusters here." hint=hint /></div> }.into_any()
        } else {
            view! {
                <div class="toolbar">
                    <p class="muted" data-testid="cluster-count">
                        {format!("{total} clusters")}
                        {(pages > 1).then(|| format!(" · {first}–{last} shown"))}
                        {busy.then_some(" · refreshing while some change")}
                    </p>
                    {pager()}
                </div>
                <div class="table-wrap">
                <table class="grid" data-testid="cluster-table">
                    <thead><tr>{heads}</tr></thead>
                    <tbody>
                        {list.clusters.into_iter().map(|c| view! { <Row c=c /> }).collect_view()}
                    </tbody>
                </table>
                </div>
                {pager()}
            }.into_any()
        }}
    }
}

/// Previous / next links and where the page is, when there is more than one page.
fn pager_view(filter: &ClusterFilter, page: u32, pages: u32) -> Option<impl IntoView> {
    (pages > 1).then(|| {
        let prev = (page > 1).then(|| on_page(filter, page - 1).href());
        let next = (page < pages).then(|| on_page(filter, page + 1).href());
        view! {
            <nav class="pager" aria-label="Pages" data-testid="pager">
                {match prev {
                    Some(h) => view! { <a href=h rel="prev" data-testid="page-prev">"← Previous"</a> }.into_any(),
                    None => view! { <span class="muted">"← Previous"</span> }.into_any(),
                }}
                <span data-testid="page-info">{format!("Page {page} of {pages}")}</span>
                {match next {
                    Some(h) => view! { <a href=h rel="next" data-testid="page-next">"Next →"</a> }.into_any(),
                    None => view! { <span class="muted">"Next →"</span> }.into_any(),
                }}
            </nav>
        }
    })
}

#[component]
fn Row(c: ClusterRow) -> impl IntoView {
    view! {
        <tr data-cluster-id=c.id.clone() data-status=c.status.clone()>
            <td>
                <a class="mono" data-testid="cluster-link" href=crate::kit::cluster_href(&c.id, &c.account, &c.region, "")>{c.id.clone()}</a>
                <div class="muted">{c.description.clone()}</div>
                {(!c.tags.is_empty()).then(|| view! {
                    <ul class="tag-list row-tags">
                        {c.tags.iter().map(|(k, v)| view! {
                            <li class="tag"><span class="tag-key">{k.clone()}</span>{(!v.is_empty()).then(|| view! { <span class="tag-value">{v.clone()}</span> })}</li>
                        }).collect_view()}
                    </ul>
                })}
            </td>
            <td data-testid="row-status"><StatusBadge status=c.status.clone() /></td>
            <td>{c.engine.clone()}</td>
            <td>
                <div>{c.region.clone()}</div>
                <div class="muted">{c.zone.clone()}</div>
            </td>
            <td class="num">{c.nodes}</td>
            <td>{if c.pay_type == "Prepaid" { "Subscription" } else { "Pay-as-you-go" }}</td>
            <td>{c.account.clone()}</td>
            <td class="mono">{c.created.replace('T', " ").replace('Z', "")}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_toggles_and_resets_the_page() {
        let f = ClusterFilter {
            status: "Running".into(),
            page: 3,
            ..Default::default()
        };
        let a = sorted_by(&f, "created");
        assert_eq!(a.href(), "/clusters?status=Running&sort=created");
        let b = sorted_by(&a, "created");
        assert_eq!(b.href(), "/clusters?status=Running&sort=created&dir=desc");
        let c = sorted_by(&b, "created");
        assert_eq!(c.dir, "");
        assert_eq!(sorted_by(&b, "id").dir, "");
        assert_eq!(
            on_page(&a, 2).href(),
            "/clusters?status=Running&sort=created&page=2"
        );
    }
}
