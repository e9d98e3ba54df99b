//! The pages of `/changes`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{change, changes, ChangeDetail, ChangeRow};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

const TABS: &[(&str, &str)] = &[
    ("awaiting", "Awaiting my approval"),
    ("mine", "Mine"),
    ("scheduled", "Scheduled"),
    ("running", "Running"),
    ("recent", "Recent"),
];

/// A state in words.
fn state_words(s: &str) -> String {
    let mut w = s.replace('_', " ");
    if let Some(first) = w.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    w
}

fn state_class(s: &str) -> &'static str {
    match s {
        "succeeded" => "badge badge-ok",
        "failed" | "partly_failed" | "rejected" | "expired" => "badge badge-bad",
        "cancelled" | "draft" => "badge",
        _ => "badge badge-busy",
    }
}

/// `/changes`.
#[component]
pub fn ChangesPage() -> impl IntoView {
    let tab = RwSignal::new("recent".to_string());
    let list = Resource::new(move || tab.get(), changes);
    view! {
        <Title text="Changes" />
        <div class="page-head">
            <h1>"Changes"</h1>
            <a class="button" href="/changes/new" data-testid="new-fleet-change">"New fleet change"</a>
            <p class="muted">"Every change the console sends, asked, approved, scheduled and followed here. A write an approval policy covers waits for its approvals; a scheduled one runs at its time or in each cluster's maintenance window (UTC)."</p>
        </div>
        <div class="tabs" role="tablist">
            {TABS.iter().map(|(key, label)| {
                let key = key.to_string();
                let k2 = key.clone();
                view! {
                    <button type="button" role="tab" class="tab"
                        attr:aria-selected=move || (tab.get() == k2).to_string()
                        data-tab=key.clone()
                        on:click=move |_| tab.set(key.clone())>{*label}</button>
                }
            }).collect_view()}
        </div>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! {
                        <Empty title="No changes here." hint="A write a policy holds back offers \u{201c}Request approval\u{201d}; its change appears under Mine." />
                    }.into_any(),
                    Ok(rows) => view! { <ChangeTable rows /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChangeTable(rows: Vec<ChangeRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
        <table class="grid" data-testid="changes-table">
            <thead><tr>
                <th>"Change"</th><th>"Requester"</th><th>"State"</th><th>"Approvals"</th>
                <th>"Runs"</th><th class="num">"Requests"</th><th>"Asked (UTC)"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-change=r.id.clone()>
                        <td><a href=format!("/changes/{}", r.id)>{r.title.clone()}</a>
                            <div class="muted mono">{r.action.clone()}</div></td>
                        <td>{r.requester.clone()}</td>
                        <td><span class=state_class(&r.state)>{state_words(&r.state)}</span></td>
                        <td>{if r.approvals_needed > 0 { format!("{} of {}", r.approvals, r.approvals_needed) } else { "—".into() }}</td>
                        <td>{match r.schedule.as_str() {
                            "window" => "In maintenance windows".to_string(),
                            _ if !r.run_at.is_empty() && r.state == "scheduled" => r.run_at.clone(),
                            _ => "At once".to_string(),
                        }}</td>
                        <td class="num">{if r.failed > 0 { format!("{} ({} failed)", r.steps, r.failed) } else { r.steps.to_string() }}</td>
                        <td class="mono">{r.created.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// `/changes/:id`.
#[component]
pub fn ChangePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let decide = ServerAction::<super::api::DecideChange>::new();
    let cancel = ServerAction::<super::api::CancelChange>::new();
    let ask = ServerAction::<super::api::SubmitChange>::new();
    let follow = ServerAction::<super::api::RevertChange>::new();
    let retry = ServerAction::<super::api::RetryChange>::new();
    let tick = RwSignal::new(0u32);
    let detail = Resource::new(
        move || {
            (
                id(),
                decide.version().get(),
                cancel.version().get(),
                ask.version().get(),
                tick.get(),
            )
        },
        |(id, ..)| change(id),
    );
    // A change on its way is followed until it settles.
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                let moving = detail
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .is_some_and(|d| matches!(d.state.as_str(), "running" | "scheduled"));
                if moving {
                    tick.update(|n| *n += 1);
                }
            },
            crate::kit::POLL,
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }
    view! {
        <Title text="Change" />
        {form_error(decide.value())}
        {form_error(cancel.value())}
        {form_error(ask.value())}
        {form_error(follow.value())}
        {form_error(retry.value())}
        {move || follow.value().get().and_then(|r| r.ok()).or_else(|| retry.value().get().and_then(|r| r.ok())).map(|a| view! {
            <p class="banner banner-ok" role="status" data-testid="follow-up">
                "A new change was asked: " <a href=format!("/changes/{}", a.id)>{state_words(&a.state)}</a>
            </p>
        })}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(d) => view! { <ChangeView d decide cancel ask follow retry /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChangeView(
    d: ChangeDetail,
    decide: ServerAction<super::api::DecideChange>,
    cancel: ServerAction<super::api::CancelChange>,
    ask: ServerAction<super::api::SubmitChange>,
    follow: ServerAction<super::api::RevertChange>,
    retry: ServerAction<super::api::RetryChange>,
) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let reason = RwSignal::new(d.reason.clone());
    let schedule = RwSignal::new("now".to_string());
    let run_at = RwSignal::new(String::new());
    let (id1, id2, id3, id4) = (d.id.clone(), d.id.clone(), d.id.clone(), d.id.clone());
    let (id5, id6) = (d.id.clone(), d.id.clone());
    let draft = d.state == "draft";
    // Held back by a policy (else collected by its requester).
    let held = !d.policy.is_empty() || d.approvals_needed > 0;
    view! {
        <div class="page-head">
            <h1 data-testid="change-title">{d.title.clone()}</h1>
            <p>
                <span class=state_class(&d.state) data-testid="change-state" data-state=d.state.clone()>{state_words(&d.state)}</span>
                " · asked by " <strong>{d.requester.clone()}</strong> " at " <span class="mono">{d.created.clone()}</span>
            </p>
        </div>
        <dl class="facts">
            <dt>"Action"</dt><dd class="mono">{d.action.clone()}</dd>
            <dt>"Reason"</dt><dd>{if d.reason.is_empty() { "—".to_string() } else { d.reason.clone() }}</dd>
            <dt>"Approvals"</dt><dd data-testid="change-approvals">{if d.approvals_needed > 0 {
                format!("{} of {} ({}; from {})", d.decisions.iter().filter(|x| x.decision == "approve").count(), d.approvals_needed, d.policy, d.approver_roles.join(", "))
            } else { "None needed".to_string() }}</dd>
            <dt>"Runs"</dt><dd>{match d.schedule.as_str() {
                "at" if !d.steps.is_empty() && d.steps.iter().all(|s| !s.planned.is_empty()) => {
                    format!("At {} (UTC): sent at once as a task the API starts then", d.steps[0].planned)
                }
                "window" => "In each cluster's maintenance window (UTC)".to_string(),
                "at" => format!("At {} (UTC)", d.run_at),
                _ => "As soon as it may".to_string(),
            }}</dd>
            {(!d.expires_at.is_empty() && !matches!(d.state.as_str(), "succeeded" | "failed" | "partly_failed" | "cancelled" | "rejected" | "expired")).then(|| view! {
                <dt>"Expires"</dt><dd class="mono">{d.expires_at.clone()}</dd>
            })}
            {(d.steps.len() > 1).then(|| view! {
                <dt>"Rollout"</dt><dd>{format!("a canary of {}, then batches of {}; stops after {} failure(s)", d.canary, d.batch_size, d.max_failures)}</dd>
            })}
        </dl>
        {draft.then(|| view! {
            <section class="panel" data-testid="draft-form">
                <h2>{if held { "Request approval" } else { "Ask for this change" }}</h2>
                <p class="muted">{if held {
                    format!("{} asks for {} approval(s) before this is sent. Say why, and when it should run.", policy_words(&d), d.approvals_needed.max(1))
                } else {
                    "Nothing is sent until you ask for it. Say why, and when it should run; its requests go one at a time, and approval policies that cover them apply.".to_string()
                }}</p>
                <label>"Reason" <textarea rows="3" name="reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
                <label>"Run" <select name="schedule" on:change=move |ev| schedule.set(event_target_value(&ev))>
                    <option value="now">"As soon as approved"</option>
                    <option value="at">"At a time (UTC)"</option>
                    <option value="window">"In the cluster's maintenance window"</option>
                </select></label>
                {move || (schedule.get() == "at").then(|| view! {
                    <label>"At (UTC, yyyy-MM-ddTHH:mmZ)" <input name="run_at" prop:value=move || run_at.get() on:input=move |ev| run_at.set(event_target_value(&ev)) /></label>
                })}
                <button type="button" class="primary" data-testid="submit-change" on:click=move |_| {
                    ask.dispatch(super::api::SubmitChange { id: id4.clone(), reason: reason.get_untracked(), schedule: schedule.get_untracked(), run_at: run_at.get_untracked() });
                }>{if held { "Request approval" } else { "Ask for it" }}</button>
            </section>
        })}
        {d.may_decide.then(|| view! {
            <section class="panel" data-testid="decide">
                <h2>"Your decision"</h2>
                <label>"Comment" <input name="comment" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) /></label>
                <button type="button" class="primary" data-testid="approve" on:click={
                    let id = id1.clone();
                    move |_| { decide.dispatch(super::api::DecideChange { id: id.clone(), verdict: "approve".into(), comment: comment.get_untracked() }); }
                }>"Approve"</button>
                <button type="button" class="danger" data-testid="reject" on:click=move |_| {
                    decide.dispatch(super::api::DecideChange { id: id2.clone(), verdict: "reject".into(), comment: comment.get_untracked() });
                }>"Reject"</button>
            </section>
        })}
        {d.may_cancel.then(|| view! {
            <button type="button" class="danger" data-testid="cancel-change" on:click=move |_| {
                cancel.dispatch(super::api::CancelChange { id: id3.clone() });
            }>"Cancel this change"</button>
        })}
        {d.may_revert.then(|| view! {
            <button type="button" data-testid="revert-change" on:click=move |_| {
                follow.dispatch(super::api::RevertChange { id: id5.clone() });
            }>"Revert (put the old values back)"</button>
        })}
        {d.may_retry.then(|| view! {
            <button type="button" data-testid="retry-change" on:click=move |_| {
                retry.dispatch(super::api::RetryChange { id: id6.clone() });
            }>"Retry the failed ones"</button>
        })}
        <p><a href=format!("/audit?change={}&reads=1", d.id) data-testid="change-audit">"Its audit records"</a>
            <span class="muted">" — every request, read and decision of this change, as the trail has them"</span></p>
        <h2>"Requests"</h2>
        <div class="table-wrap">
        <table class="grid" data-testid="steps-table">
            <thead><tr><th class="num">"#"</th><th>"Batch"</th><th>"Cluster"</th><th>"Parameters"</th><th>"Before → after"</th><th>"State"</th><th>"Outcome"</th></tr></thead>
            <tbody>
                {d.steps.iter().map(|s| view! {
                    <tr data-cluster=s.cluster.clone() data-state=s.state.clone()>
                        <td class="num">{s.seq + 1}</td>
                        <td>{if s.batch == 0 { "canary".to_string() } else { s.batch.to_string() }}</td>
                        <td><span class="mono">{s.cluster.clone()}</span><div class="muted">{format!("{} · {}", s.account, s.region)}</div>
                            {(!s.window.is_empty()).then(|| view! { <div class="muted">{format!("window {}", s.window)}</div> })}</td>
                        <td class="mono small">{s.params.iter().filter(|(k, _)| k != "RegionId" && k != "DBClusterId").map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n")}</td>
                        <td class="mono small" data-testid="preview">
                            {s.before.iter().map(|(k, v)| {
                                let after = s.after.iter().find(|(a, _)| a == k).map(|(_, x)| x.clone()).unwrap_or_default();
                                format!("{k}: {v} → {after}")
                            }).collect::<Vec<_>>().join("\n")}
                            {s.restart.then(|| view! { <div class="badge badge-busy">"restarts the cluster"</div> })}
                        </td>
                        <td><span class=state_class(&s.state)>{state_words(&s.state)}</span>
                            {(!s.cluster_status.is_empty()).then(|| view! {
                                <div class="muted small" data-testid="cluster-status">{format!("cluster: {}", s.cluster_status)}</div>
                            })}
                            {(!s.planned.is_empty()).then(|| view! {
                                <div class="muted small" data-testid="planned">"the API starts it at " <span class="mono">{s.planned.clone()}</span>
                                    " · " <a href="/tasks">"scheduled tasks"</a></div>
                            })}
                        </td>
                        <td class="small">{if s.error.is_empty() { s.request_id.clone() } else { s.error.clone() }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
        {(!d.decisions.is_empty()).then(|| view! {
            <h2>"Decisions"</h2>
            <ul class="plain" data-testid="decisions">
                {d.decisions.iter().map(|x| view! {
                    <li>{format!("{} {} at {}", x.username, if x.decision == "approve" { "approved" } else { "rejected" }, x.at)}
                        {(!x.comment.is_empty()).then(|| view! { <span class="muted">{format!(" — {}", x.comment)}</span> })}</li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// The policy that holds a draft back, in words.
fn policy_words(d: &ChangeDetail) -> String {
    if d.policy.is_empty() {
        "An approval policy".into()
    } else {
        format!("The policy {:?}", d.policy)
    }
}
