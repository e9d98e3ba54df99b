//! `/clusters`: every cluster of every cloud account and region in one list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::list_clusters;
use crate::components::{Empty, ErrorBox, Loading, StatusBadge};

#[component]
pub fn ClustersPage() -> impl IntoView {
    let query = use_query_map();
    let scope = move || {
        let q = query.read();
        (q.get("account"), q.get("region"))
    };
    let clusters = Resource::new(scope, |(account, region)| list_clusters(account, region));

    view! {
        <Title text="Clusters" />
        <div class="page-head">
            <h1>"Clusters"</h1>
            <p class="muted">
                {move || {
                    let (a, r) = scope();
                    format!(
                        "{} · {}",
                        a.unwrap_or_else(|| "All cloud accounts".into()),
                        r.unwrap_or_else(|| "all regions".into())
                    )
                }}
            </p>
        </div>
        <Transition fallback=|| view! { <Loading label="Loading clusters from every region…" /> }>
            {move || Suspend::new(async move {
                match clusters.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) => {
                        let problems = list.problems.clone();
                        let count = list.clusters.len();
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
                            {if count == 0 {
                                view! { <Empty title="No clusters here." hint="Choose another cloud account or region, or create a cluster." /> }.into_any()
                            } else {
                                view! {
                                    <p class="muted" data-testid="cluster-count">{format!("{count} clusters")}</p>
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="cluster-table">
                                        <thead>
                                            <tr>
                                                <th>"Cluster"</th>
                                                <th>"Status"</th>
                                                <th>"Engine"</th>
                                                <th>"Region / zone"</th>
                                                <th class="num">"Nodes"</th>
                                                <th>"Billing"</th>
                                                <th>"Account"</th>
                                                <th>"Created"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list.clusters.into_iter().map(|c| view! {
                                                <tr data-cluster-id=c.id.clone()>
                                                    <td>
                                                        <a class="mono" data-testid="cluster-link" href=crate::pages::cluster::cluster_href(&c.id, &c.account, &c.region, "")>{c.id.clone()}</a>
                                                        <div class="muted">{c.description.clone()}</div>
                                                    </td>
                                                    <td><StatusBadge status=c.status.clone() /></td>
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
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
