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
use crate::api::{console_context, search_clusters, ClusterFilter, ClusterRow};
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{api_word, change_error, ErrorBox, Loading, CLUSTER_STATUSES};

mod kinds;

pub use kinds::{field_label, request_in, request_of, Kind, KINDS};

#[component]
pub fn FleetChangePage() -> impl IntoView {
    let i18n = use_i18n();
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
    let scope = Resource::new(|| (), |_| console_context());
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
            return Some(t_string!(i18n, changes.problem_no_clusters).into());
        }
        if title.get().trim().is_empty() {
            return Some(t_string!(i18n, changes.problem_no_title).into());
        }
        input
            .with(|i| request_in(i18n.get_locale(), &kind.get(), i))
            .err()
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
    // An input with its hint (in the language in use).
    let text = |s: RwSignal<String>, name: &'static str, hint: Signal<&'static str>| {
        view! {
            <input type="text" name=name placeholder=hint prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev)) />
        }
    };
    // A choice among known values, or none of them ("all").
    let choice = |s: RwSignal<String>,
                  name: &'static str,
                  all: Signal<&'static str>,
                  values: Vec<String>| {
        view! {
            <select name=name prop:value=move || s.get() on:change=move |ev| s.set(event_target_value(&ev))>
                <option value="">{move || all.get()}</option>
                {values.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
            </select>
        }
    };
    let number = |s: RwSignal<u32>, name: &'static str| {
        view! {
            <input type="number" name=name min="0" max="100" prop:value=move || s.get().to_string()
                on:input=move |ev| s.set(event_target_value(&ev).parse().unwrap_or(0)) />
        }
    };
    view! {
        <Title text=move || t_string!(i18n, changes.new_fleet_change).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, changes.fleet_heading)}</h1>
            <p class="muted">{t!(i18n, changes.fleet_lead)}</p>
        </div>
        <section class="panel fleet-step" data-testid="fleet-targets">
            <h2>{t!(i18n, changes.fleet_clusters)}</h2>
            <div class="filters">
                // The console's cloud accounts and their regions, as the top bar offers them.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (accounts, regions) = scope.await.map(|c| (c.accounts, c.regions)).unwrap_or_default();
                        view! {
                            <label>{t!(i18n, changes.cloud_account)} {choice(account, "account", Signal::derive(move || t_string!(i18n, changes.all_accounts)), accounts)}</label>
                            <label>{t!(i18n, changes.region)} {choice(region, "region", Signal::derive(move || t_string!(i18n, changes.all_regions)), regions)}</label>
                        }
                    })}
                </Transition>
                // Example values, written as they are typed.
                <label>{t!(i18n, changes.tag_key)} {text(tag_key, "tag_key", Signal::stored("env"))}</label>
                <label>{t!(i18n, changes.tag_value)} {text(tag_value, "tag_value", Signal::stored("prod"))}</label>
                <label>{t!(i18n, changes.status)}
                    <select name="status" data-testid="fleet-status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, changes.any_status)}</option>
                        {CLUSTER_STATUSES.iter().copied().map(|s| view! { <option value=s>{move || api_word(s)}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, changes.id_or_description)} {text(q, "q", Signal::stored(""))}</label>
                <button type="button" class="small primary-small" data-testid="find-clusters" on:click=move |_| {
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
                }>{t!(i18n, changes.find_clusters)}</button>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(None) => view! { <p class="muted">{t!(i18n, changes.filter_then_find)}</p> }.into_any(),
                        Ok(Some(list)) => {
                            let n = list.clusters.len();
                            view! {
                                <p data-testid="fleet-count">{move || t_string!(i18n, changes.clusters_chosen, n = n).to_string()}</p>
                                <table class="grid compact" data-testid="fleet-clusters">
                                    <thead><tr><th></th><th>{t!(i18n, changes.cluster)}</th><th>{t!(i18n, changes.account_region)}</th><th>{t!(i18n, changes.status)}</th></tr></thead>
                                    <tbody>
                                        {list.clusters.into_iter().map(|c| {
                                            let row = c.clone();
                                            let status = c.status.clone();
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
                                                    <td>{move || crate::kit::api_word(&status)}</td>
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
        <section class="panel stack-form fleet-step" data-testid="fleet-change">
            <h2>{t!(i18n, changes.fleet_the_change)}</h2>
            <label>{t!(i18n, changes.what)} <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                {KINDS.iter().map(|k| view! { <option value=k.key>{move || k.label(i18n.get_locale())}</option> }).collect_view()}
            </select></label>
            {move || KINDS.iter().find(|k| k.key == kind.get()).map(|k| k.fields.iter().map(|&name| view! {
                <label>{move || field_label(i18n.get_locale(), name)}
                    <input type="text" name=name prop:value=move || input.with(|i| i.get(name).cloned().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); input.update(|i| { i.insert(name.to_string(), v); }); } />
                </label>
            }).collect_view())}
            <label>{t!(i18n, changes.title)} {text(title, "title", Signal::derive(move || t_string!(i18n, changes.hint_title)))}</label>
            <label>{t!(i18n, changes.reason)} <textarea name="reason" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
            <h2>{t!(i18n, changes.fleet_rollout)}</h2>
            <label>{t!(i18n, changes.canary_first)} {number(canary, "canary")}</label>
            <label>{t!(i18n, changes.then_batches_of)} {number(batch, "batch_size")}</label>
            <label>{t!(i18n, changes.stop_after_failures)} {number(failures, "max_failures")}</label>
            <label>{t!(i18n, changes.run)} <select name="schedule" on:change=move |ev| schedule.set(event_target_value(&ev))>
                <option value="now">{t!(i18n, changes.runs_asap)}</option>
                <option value="at">{t!(i18n, changes.run_at_time)}</option>
                <option value="window">{t!(i18n, changes.run_in_each_window)}</option>
            </select></label>
            {move || (schedule.get() == "at").then(|| view! {
                <label>{t!(i18n, changes.at_utc)} {text(run_at, "run_at", Signal::stored("2026-12-24T02:00Z"))}</label>
            })}
            <p class="hint" data-testid="fleet-problem">{move || problem().unwrap_or_default()}</p>
            <button type="button" class="primary" data-testid="ask-fleet-change"
                disabled=move || problem().is_some() || ask.pending().get()
                on:click=submit>{t!(i18n, changes.ask_for_the_change)}</button>
            {change_error(ask.value())}
            {move || ask.value().get().and_then(|r| r.ok()).map(|a| {
                let state = a.state.clone();
                view! {
                    <p class="banner banner-ok" data-testid="fleet-asked">
                        {t!(i18n, changes.asked)} <a href=format!("/changes/{}", a.id)>{move || {
                            // The state in words, lower-case in the sentence.
                            let state = super::page::state_words(i18n.get_locale(), &state).to_lowercase();
                            t_string!(i18n, changes.the_change_state, state = state).to_string()
                        }}</a>
                    </p>
                }
            })}
        </section>
    }
}
