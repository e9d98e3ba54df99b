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
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::kit::{
    api_word, is_transitional, Empty, ErrorBox, Loading, StatusBadge, CLUSTER_STATUSES,
};
use leptos_i18n::I18nContext;

/// How often the list is read again while a row is in a transitional state.
const REFRESH: Duration = Duration::from_secs(3);

/// PostgreSQL major versions PolarDB offers.
pub const VERSIONS: &[&str] = &["11", "14", "15", "16"];

/// The list's columns by sort key (their headings: [`column_label`]).
const COLUMNS: &[&str] = &[
    "id", "status", "engine", "region", "nodes", "billing", "account", "created",
];

/// A column's heading in the language in use.
fn column_label(i18n: I18nContext<Locale>, key: &str) -> &'static str {
    match key {
        "id" => t_string!(i18n, fleet.col_cluster),
        "status" => t_string!(i18n, fleet.col_status),
        "engine" => t_string!(i18n, fleet.col_engine),
        "region" => t_string!(i18n, fleet.col_region_zone),
        "nodes" => t_string!(i18n, fleet.col_nodes),
        "billing" => t_string!(i18n, fleet.col_billing),
        "account" => t_string!(i18n, fleet.col_account),
        _ => t_string!(i18n, fleet.col_created),
    }
}

/// A billing method of the list in words: subscription or pay-as-you-go.
fn billing_word(i18n: I18nContext<Locale>, pay_type: &str) -> &'static str {
    if pay_type == "Prepaid" {
        t_string!(i18n, fleet.subscription)
    } else {
        t_string!(i18n, fleet.pay_as_you_go)
    }
}

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
    let i18n = use_i18n();
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
        <Title text=move || t_string!(i18n, fleet.clusters_title).to_string() />
        <div class="page-head list-head">
            <div>
                <h1>{t!(i18n, fleet.clusters_title)}</h1>
                <p class="muted">
                    {move || {
                        let f = filter.get();
                        format!(
                            "{} · {}",
                            if f.account.is_empty() { t_string!(i18n, fleet.all_cloud_accounts).to_string() } else { f.account },
                            if f.region.is_empty() { t_string!(i18n, fleet.all_regions_lower).to_string() } else { f.region }
                        )
                    }}
                </p>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    can_create.await.then(|| view! {
                        <a class="button" href="/clusters/new" data-testid="create-cluster">{t!(i18n, fleet.create_cluster)}</a>
                    })
                })}
            </Transition>
        </div>
        {move || view! { <FilterForm filter=filter.get() /> }}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet.loading_clusters) /> }>
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
    let i18n = use_i18n();
    let f = filter;
    // An option whose label follows the language.
    fn option(
        value: &'static str,
        label: impl Fn() -> String + Send + Sync + 'static,
        current: &str,
    ) -> impl IntoView {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    }
    view! {
        <Form method="GET" action="/clusters" attr:class="filters cluster-filters" attr:data-testid="cluster-filters">
            <input type="hidden" name="account" value=f.account.clone() />
            <input type="hidden" name="region" value=f.region.clone() />
            <label>
                <span>{t!(i18n, fleet.search)}</span>
                <input type="search" name="q" value=f.q.clone() placeholder=move || t_string!(i18n, fleet.search_placeholder)
                    data-testid="filter-q" maxlength="256" />
            </label>
            <label>
                <span>{t!(i18n, fleet.col_status)}</span>
                <select name="status" data-testid="filter-status">
                    {option("", move || t_string!(i18n, fleet.any_status).to_string(), &f.status)}
                    {CLUSTER_STATUSES.iter().copied().map(|s| option(s, move || api_word(s), &f.status)).collect_view()}
                </select>
            </label>
            <label>
                <span>{t!(i18n, fleet.col_engine)}</span>
                <select name="version" data-testid="filter-version">
                    {option("", move || t_string!(i18n, fleet.any_version).to_string(), &f.version)}
                    {VERSIONS.iter().map(|v| {
                        let selected = *v == f.version;
                        view! { <option value=*v selected=selected>{format!("PostgreSQL {v}")}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{t!(i18n, fleet.col_billing)}</span>
                <select name="pay" data-testid="filter-pay">
                    {option("", move || t_string!(i18n, fleet.any_billing).to_string(), &f.pay_type)}
                    {option("Postpaid", move || t_string!(i18n, fleet.pay_as_you_go).to_string(), &f.pay_type)}
                    {option("Prepaid", move || t_string!(i18n, fleet.subscription).to_string(), &f.pay_type)}
                </select>
            </label>
            <label>
                <span>{t!(i18n, fleet.tag_key)}</span>
                <input type="text" name="tag" value=f.tag_key.clone() data-testid="filter-tag" maxlength="128" />
            </label>
            <label>
                <span>{t!(i18n, fleet.tag_value)}</span>
                <input type="text" name="tagv" value=f.tag_value.clone() data-testid="filter-tag-value" maxlength="128" />
            </label>
            <label>
                <span>{t!(i18n, fleet.per_page)}</span>
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
            <button type="submit" class="small primary-small" data-testid="apply-filters">{t!(i18n, fleet.apply)}</button>
            {(f.narrowed()).then(|| {
                let cleared = ClusterFilter {
                    account: f.account.clone(),
                    region: f.region.clone(),
                    ..Default::default()
                };
                view! { <a class="small-link" href=cleared.href() data-testid="clear-filters">{t!(i18n, fleet.clear_filters)}</a> }
            })}
        </Form>
    }
}

#[component]
fn ClusterTable(list: ClusterList, filter: ClusterFilter) -> impl IntoView {
    let i18n = use_i18n();
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
        .copied()
        .map(|key| {
            let current = filter.sort == key;
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
                <th aria-sort=sort class:num=key == "nodes">
                    <a class="sort-link" href=href data-sort=key>{move || column_label(i18n, key)}{arrow}</a>
                </th>
            }
        })
        .collect_view();
    let pager = move || pager_view(i18n, &filter_for_pager, page, pages);
    view! {
        {problems.into_iter().map(|p| {
            let (account, region) = (p.account.clone(), p.region.clone());
            let place = move || {
                if region.is_empty() {
                    t_string!(i18n, fleet.problem_account, account = account.clone())
                } else {
                    t_string!(i18n, fleet.problem_region, region = region.clone(), account = account.clone())
                }
            };
            view! {
                <div class="banner banner-error" role="alert" data-testid="region-problem">
                    <strong>{place}</strong>": "{p.message.clone()}
                    <span class="mono muted">" RequestId "{p.request_id.clone()}</span>
                </div>
            }
        }).collect_view()}
        {if total == 0 {
            let narrowed = filter.narrowed();
            let empty = move || {
                let hint = if narrowed {
                    t_string!(i18n, fleet.no_clusters_filtered)
                } else {
                    t_string!(i18n, fleet.no_clusters_hint)
                };
                view! { <Empty title=t_string!(i18n, fleet.no_clusters) hint=hint /> }
            };
            view! { <div data-testid="no-clusters">{empty}</div> }.into_any()
        } else {
            view! {
                <div class="toolbar">
                    <p class="muted" data-testid="cluster-count">
                        {move || t_string!(i18n, fleet.cluster_count, total = total)}
                        {(pages > 1).then_some(move || t_string!(i18n, fleet.shown_range, first = first, last = last))}
                        {busy.then_some(move || t_string!(i18n, fleet.refreshing))}
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
fn pager_view(
    i18n: I18nContext<Locale>,
    filter: &ClusterFilter,
    page: u32,
    pages: u32,
) -> Option<impl IntoView> {
    (pages > 1).then(|| {
        let prev = (page > 1).then(|| on_page(filter, page - 1).href());
        let next = (page < pages).then(|| on_page(filter, page + 1).href());
        view! {
            <nav class="pager" aria-label=move || t_string!(i18n, fleet.pages) data-testid="pager">
                {match prev {
                    Some(h) => view! { <a href=h rel="prev" data-testid="page-prev">{t!(i18n, fleet.previous)}</a> }.into_any(),
                    None => view! { <span class="muted">{t!(i18n, fleet.previous)}</span> }.into_any(),
                }}
                <span data-testid="page-info">{move || t_string!(i18n, fleet.page_of, page = page, pages = pages)}</span>
                {match next {
                    Some(h) => view! { <a href=h rel="next" data-testid="page-next">{t!(i18n, fleet.next_page)}</a> }.into_any(),
                    None => view! { <span class="muted">{t!(i18n, fleet.next_page)}</span> }.into_any(),
                }}
            </nav>
        }
    })
}

#[component]
fn Row(c: ClusterRow) -> impl IntoView {
    let i18n = use_i18n();
    let pay_type = c.pay_type.clone();
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
            <td>{move || billing_word(i18n, &pay_type)}</td>
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
