//! `/changes/new`: one change to a fleet — clusters chosen by the list's filters (cloud
//! account, region, tag, status, text), the change (a whitelist entry added or removed, a
//! parameter, the monitoring period, the maintenance window, SQL collection, the backup and
//! log-backup policies, SSL, auto-renewal, a tag added or removed), the rollout (a canary,
//! batches, a failure threshold) and when it runs. Asked with `request_change`, which sends
//! the request to each cluster in the action's own cluster parameter; then the change's
//! page, which follows it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{ChangeAsk, RequestChange, TargetCluster};
use crate::api::{search_clusters, ClusterFilter, ClusterRow};
use crate::kit::{change_error, ErrorBox, Loading};

mod kinds;

pub use kinds::{request_of, Kind, KINDS};

#[component]
pub fn FleetChangePage() -> impl IntoView {
    let filter = RwSignal::new(ClusterFilter {
        per: crate::api::MAX_PER_PAGE,
        ..Default::default()
    });
    let found = Resource::new(
        move || filter.get(),
        |f| async move {
            if f.account.is_empty()
                && f.region.is_empty()
                && f.tag_key.is_empty()
                && f.q.is_empty()
                && f.status.is_empty()
            {
                return Ok(None);
            }
            search_clusters(f).await.map(Some)
        },
    );
    let (account, region, tag_key, tag_value, status, q) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let chosen = RwSignal::new(Vec::<ClusterRow>::new());
    let kind = RwSignal::new("whitelist-add".to_string());
    let input = RwSignal::new(BTreeMap::<String, String>::new());
    let title = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let schedule = RwSignal::new("now".to_string());
    let run_at = RwSignal::new(String::new());
    let (canary, batch, failures) = (
        RwSignal::new(1u32),
        RwSignal::new(5u32),
        RwSignal::new(0u32),
    );
    let ask = ServerAction::<RequestChange>::new();
    // Asked: on to the change's page, which follows it.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(a)) = ask.value().get() {
            navigate(&format!("/changes/{}", a.id), Default::default());
        }
    });
    // Every cluster found is chosen until unticked.
    Effect::new(move |_| {
        if let Some(Ok(Some(list))) = found.get() {
            chosen.set(list.clusters);
        }
    });
    let problem = move || -> Option<String> {
        if chosen.with(Vec::is_empty) {
            return Some("find and choose the clusters".into());
        }
        if title.get().trim().is_empty() {
            return Some("give the change a title".into());
        }
        input.with(|i| request_of(&kind.get(), i)).err()
    };
    let submit = move |_| {
        let Ok((action, params)) = input.with_untracked(|i| request_of(&kind.get_untracked(), i))
        else {
            return;
        };
        let targets: Vec<TargetCluster> = chosen
            .get_untracked()
            .into_iter()
            .map(|c| TargetCluster {
                account: c.account,
                region: c.region,
                cluster: c.id,
            })
            .collect();
        let first = targets.first().cloned();
        ask.dispatch(RequestChange {
            ask: ChangeAsk {
                title: title.get_untracked(),
                reason: reason.get_untracked(),
                account: first
                    .as_ref()
                    .map(|t| t.account.clone())
                    .unwrap_or_default(),
                region: first.map(|t| t.region).unwrap_or_default(),
                action,
                params,
                targets,
                schedule: schedule.get_untracked(),
                run_at: run_at.get_untracked(),
                canary: Some(canary.get_untracked()),
                batch_size: Some(batch.get_untracked()),
                max_failures: Some(failures.get_untracked()),
            },
        });
    };
    let text = |s: RwSignal<String>, name: &'static str, hint: &'static str| {
        view! {
            <input type="text" name=name placeholder=hint prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev)) />
        }
    };
    let number = |s: RwSignal<u32>, name: &'static str| {
        view! {
            <input type="number" name=name min="0" max="100" prop:value=move || s.get().to_string()
                on:input=move |ev| s.set(event_target_value(&ev).parse().unwrap_or(0)) />
        }
    };
    view! {
        <Title text="New fleet change" />
        <div class="page-head">
            <h1>"A change to a fleet"</h1>
            <p class="muted">"The same request to every cluster chosen: a canary first, then batches; it stops when more requests fail than you allow. Approval policies apply to each cluster."</p>
        </div>
        <section class="panel" data-testid="fleet-targets">
            <h2>"1. Clusters"</h2>
            <div class="filters">
                <label>"Cloud account" {text(account, "account", "any")}</label>
                <label>"Region" {text(region, "region", "any, e.g. cn-hangzhou")}</label>
                <label>"Tag key" {text(tag_key, "tag_key", "env")}</label>
                <label>"Tag value" {text(tag_value, "tag_value", "prod")}</label>
                <label>"Status" {text(status, "status", "Running")}</label>
                <label>"ID or description contains" {text(q, "q", "")}</label>
                <button type="button" data-testid="find-clusters" on:click=move |_| {
                    chosen.set(Vec::new());
                    filter.set(ClusterFilter {
                        account: account.get_untracked(),
                        region: region.get_untracked(),
                        tag_key: tag_key.get_untracked(),
                        tag_value: tag_value.get_untracked(),
                        status: status.get_untracked(),
                        q: q.get_untracked(),
                        per: crate::api::MAX_PER_PAGE,
                        ..Default::default()
                    });
                }>"Find clusters"</button>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(None) => view! { <p class="muted">"Filter by account, region, tag, status or text, then find."</p> }.into_any(),
                        Ok(Some(list)) => {
                            view! {
                                <p data-testid="fleet-count">{format!("{} cluster(s) chosen", list.clusters.len())}</p>
                                <table class="grid compact" data-testid="fleet-clusters">
                                    <thead><tr><th></th><th>"Cluster"</th><th>"Account · region"</th><th>"Status"</th></tr></thead>
                                    <tbody>
                                        {list.clusters.into_iter().map(|c| {
                                            let row = c.clone();
                                            view! {
                                                <tr data-cluster=c.id.clone()>
                                                    <td><input type="checkbox" checked=true on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        let row = row.clone();
                                                        chosen.update(|v| {
                                                            v.retain(|x| x.id != row.id);
                                                            if on { v.push(row); }
                                                        });
                                                    } /></td>
                                                    <td><span class="mono">{c.id.clone()}</span><div class="muted">{c.description.clone()}</div></td>
                                                    <td>{format!("{} · {}", c.account, c.region)}</td>
                                                    <td>{c.status.clone()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <section class="panel stack-form" data-testid="fleet-change">
            <h2>"2. The change"</h2>
            <label>"What" <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                {KINDS.iter().map(|k| view! { <option value=k.key>{k.label}</option> }).collect_view()}
            </select></label>
            {move || KINDS.iter().find(|k| k.key == kind.get()).map(|k| k.fields.iter().map(|&(name, label)| view! {
                <label>{label}
                    <input type="text" name=name prop:value=move || input.with(|i| i.get(name).cloned().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); input.update(|i| { i.insert(name.to_string(), v); }); } />
                </label>
            }).collect_view())}
            <label>"Title" {text(title, "title", "Allow the new office on prod")}</label>
            <label>"Reason" <textarea name="reason" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
            <h2>"3. Rollout"</h2>
            <label>"Canary (clusters first)" {number(canary, "canary")}</label>
            <label>"Then batches of" {number(batch, "batch_size")}</label>
            <label>"Stop after more failures than" {number(failures, "max_failures")}</label>
            <label>"Run" <select name="schedule" on:change=move |ev| schedule.set(event_target_value(&ev))>
                <option value="now">"As soon as it may"</option>
                <option value="at">"At a time (UTC)"</option>
                <option value="window">"In each cluster's maintenance window"</option>
            </select></label>
            {move || (schedule.get() == "at").then(|| view! {
                <label>"At (UTC, yyyy-MM-ddTHH:mmZ)" {text(run_at, "run_at", "2026-12-24T02:00Z")}</label>
            })}
            <p class="hint" data-testid="fleet-problem">{move || problem().unwrap_or_default()}</p>
            <button type="button" class="primary" data-testid="ask-fleet-change"
                disabled=move || problem().is_some() || ask.pending().get()
                on:click=submit>"Ask for the change"</button>
            {change_error(ask.value())}
            {move || ask.value().get().and_then(|r| r.ok()).map(|a| view! {
                <p class="banner banner-ok" data-testid="fleet-asked">
                    "Asked: " <a href=format!("/changes/{}", a.id)>{format!("the change ({})", a.state.replace('_', " "))}</a>
                </p>
            })}
        </section>
    }
}
