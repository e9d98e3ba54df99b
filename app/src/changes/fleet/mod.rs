//! `/changes/new`: one change to a fleet — clusters chosen by the list's filters (cloud
//! account, region, tag, status, text), the change (a whitelist entry added or removed, a
//! parameter, the monitoring period, the maintenance window, SQL collection), the rollout
//! (a canary, batches, a failure threshold) and when it runs. Asked with `request_change`;
//! the change's page follows it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{ChangeAsk, RequestChange, TargetCluster};
use crate::api::{search_clusters, ClusterFilter, ClusterRow};
use crate::kit::{change_error, ErrorBox, Loading};

/// The changes a fleet can take here: (key, label, action, what the value is).
const KINDS: &[(&str, &str, &str, &str)] = &[
    (
        "whitelist-add",
        "Add a whitelist entry",
        "ModifyDBClusterAccessWhitelist",
        "IP or CIDR, e.g. 10.0.0.0/24",
    ),
    (
        "whitelist-remove",
        "Remove a whitelist entry",
        "ModifyDBClusterAccessWhitelist",
        "IP or CIDR",
    ),
    (
        "parameter",
        "Set a parameter",
        "ModifyDBClusterParameters",
        "name=value, e.g. statement_timeout=30000",
    ),
    (
        "monitor",
        "Monitoring period",
        "ModifyDBClusterMonitor",
        "5, 60 or 300 (seconds)",
    ),
    (
        "maintain",
        "Maintenance window",
        "ModifyDBClusterMaintainTime",
        "HH:00Z-HH:00Z (UTC, one hour)",
    ),
    (
        "sql-collection",
        "SQL collection",
        "ModifyDBClusterAuditLogCollector",
        "Enable or Disable",
    ),
];

/// The action and parameters (without the cluster) of a fleet change, or what is wrong.
pub fn request_of(
    kind: &str,
    value: &str,
    group: &str,
) -> Result<(String, Vec<(String, String)>), String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("enter the value".into());
    }
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    let action = KINDS
        .iter()
        .find(|(k, ..)| *k == kind)
        .map(|(_, _, a, _)| a.to_string())
        .ok_or("choose what to change")?;
    let params = match kind {
        "whitelist-add" | "whitelist-remove" => {
            polardb::rules::ip_entry(value).map_err(|e| format!("the entry {e}"))?;
            let group = if group.trim().is_empty() {
                "default"
            } else {
                group.trim()
            };
            vec![
                p("DBClusterIPArrayName", group),
                p("SecurityIps", value),
                p(
                    "ModifyMode",
                    if kind == "whitelist-add" {
                        "Append"
                    } else {
                        "Delete"
                    },
                ),
            ]
        }
        "parameter" => {
            let (name, v) = value
                .split_once('=')
                .ok_or("write the parameter as name=value")?;
            let json = serde_json::json!({ name.trim(): v.trim() }).to_string();
            vec![p("Parameters", &json)]
        }
        "monitor" => {
            if !["5", "60", "300"].contains(&value) {
                return Err("the period is 5, 60 or 300 seconds".into());
            }
            vec![p("Period", value)]
        }
        "maintain" => {
            if polardb::rules::maintain_window(value).is_none() {
                return Err("write the window as HH:00Z-HH:00Z".into());
            }
            vec![p("MaintainTime", value)]
        }
        _ => {
            if !["Enable", "Disable"].contains(&value) {
                return Err("SQL collection is Enable or Disable".into());
            }
            vec![p("CollectorStatus", value)]
        }
    };
    Ok((action, params))
}

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
    let value = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
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
        request_of(&kind.get(), &value.get(), &group.get()).err()
    };
    let submit = move |_| {
        let Ok((action, params)) = request_of(
            &kind.get_untracked(),
            &value.get_untracked(),
            &group.get_untracked(),
        ) else {
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
                {KINDS.iter().map(|(k, label, ..)| view! { <option value=*k>{*label}</option> }).collect_view()}
            </select></label>
            <label>{move || KINDS.iter().find(|(k, ..)| *k == kind.get()).map(|(.., hint)| *hint).unwrap_or("")}
                {text(value, "value", "")}</label>
            {move || kind.get().starts_with("whitelist").then(|| view! {
                <label>"Whitelist group (empty: default)" {text(group, "group", "default")}</label>
            })}
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

#[cfg(test)]
mod tests {
    use super::request_of;

    #[test]
    fn a_fleet_change_is_one_request_of_the_reference() {
        let (action, params) = request_of("whitelist-add", " 10.0.0.0/24 ", "").unwrap();
        assert_eq!(action, "ModifyDBClusterAccessWhitelist");
        assert!(params.contains(&("ModifyMode".into(), "Append".into())));
        assert!(params.contains(&("DBClusterIPArrayName".into(), "default".into())));
        assert!(request_of("whitelist-remove", "10.0.0.300", "").is_err());
        let (_, params) = request_of("parameter", "statement_timeout = 30000", "").unwrap();
        assert_eq!(params[0].1, r#"{"statement_timeout":"30000"}"#);
        assert!(request_of("parameter", "statement_timeout", "").is_err());
        assert!(request_of("monitor", "7", "").is_err());
        assert!(request_of("maintain", "16:00Z-17:00Z", "").is_ok());
        assert!(request_of("maintain", "16:00-17:00", "").is_err());
        assert!(request_of("sql-collection", "enable", "").is_err());
        assert!(request_of("nothing", "x", "").is_err());
        assert!(request_of("monitor", " ", "").is_err());
    }
}
