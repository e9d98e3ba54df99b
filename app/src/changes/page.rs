//! The pages of `/changes`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{change, changes, ChangeDetail, ChangeRow};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

/// The lists of `/changes`, by the key `changes` takes.
const TABS: &[&str] = &["awaiting", "mine", "scheduled", "running", "recent"];

/// A list's name in a language.
fn tab_words(locale: Locale, key: &str) -> &'static str {
    match key {
        "awaiting" => td_string!(locale, changes.tab_awaiting),
        "mine" => td_string!(locale, changes.tab_mine),
        "scheduled" => td_string!(locale, changes.tab_scheduled),
        "running" => td_string!(locale, changes.tab_running),
        _ => td_string!(locale, changes.tab_recent),
    }
}

/// A state (of a change or of one of its requests) in words.
pub(crate) fn state_words(locale: Locale, s: &str) -> String {
    let known = match s {
        "draft" => td_string!(locale, changes.state_draft),
        "awaiting_approval" => td_string!(locale, changes.state_awaiting_approval),
        "approved" => td_string!(locale, changes.state_approved),
        "scheduled" => td_string!(locale, changes.state_scheduled),
        "running" => td_string!(locale, changes.state_running),
        "settling" => td_string!(locale, changes.state_settling),
        "succeeded" => td_string!(locale, changes.state_succeeded),
        "partly_failed" => td_string!(locale, changes.state_partly_failed),
        "failed" => td_string!(locale, changes.state_failed),
        "cancelled" => td_string!(locale, changes.state_cancelled),
        "rejected" => td_string!(locale, changes.state_rejected),
        "expired" => td_string!(locale, changes.state_expired),
        "pending" => td_string!(locale, changes.state_pending),
        "skipped" => td_string!(locale, changes.state_skipped),
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // A state this page does not know yet: its code, readable.
    let mut w = s.replace('_', " ");
    if let Some(first) = w.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    w
}

/// A role in words: a built-in role by its name in the language (in English its name as
/// stored), a custom one as given.
fn role_words(locale: Locale, role: &str) -> String {
    match role {
        "viewer" => td_string!(locale, changes.role_viewer).to_string(),
        "operator" => td_string!(locale, changes.role_operator).to_string(),
        "admin" => td_string!(locale, changes.role_admin).to_string(),
        custom => custom.to_string(),
    }
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
    let i18n = use_i18n();
    let tab = RwSignal::new("recent".to_string());
    let list = Resource::new(move || tab.get(), changes);
    view! {
        <Title text=move || t_string!(i18n, changes.changes).to_string() />
        <div class="page-head list-head">
            <div>
                <h1>{t!(i18n, changes.changes)}</h1>
                <p class="muted">{t!(i18n, changes.changes_lead)}</p>
            </div>
            <a class="button" href="/changes/new" data-testid="new-fleet-change">{t!(i18n, changes.new_fleet_change)}</a>
        </div>
        <div class="tabs" role="tablist">
            {TABS.iter().map(|key| {
                let label = *key;
                let key = key.to_string();
                let k2 = key.clone();
                view! {
                    <button type="button" role="tab" class="tab"
                        attr:aria-selected=move || (tab.get() == k2).to_string()
                        data-tab=key.clone()
                        on:click=move |_| tab.set(key.clone())>{move || tab_words(i18n.get_locale(), label)}</button>
                }
            }).collect_view()}
        </div>
        <Transition fallback=|| view! { <Loading /> }>
            {move || {
                // Read here, so that the empty state follows the language.
                let (empty, hint) = (t_string!(i18n, changes.no_changes), t_string!(i18n, changes.no_changes_hint));
                Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! {
                            <Empty title=empty hint=hint />
                        }.into_any(),
                        Ok(rows) => view! { <ChangeTable rows /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn ChangeTable(rows: Vec<ChangeRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
        <table class="grid" data-testid="changes-table">
            <thead><tr>
                <th>{t!(i18n, changes.change)}</th><th>{t!(i18n, changes.requester)}</th><th>{t!(i18n, changes.state)}</th><th>{t!(i18n, changes.approvals)}</th>
                <th>{t!(i18n, changes.runs)}</th><th class="num">{t!(i18n, changes.requests)}</th><th>{t!(i18n, changes.asked_utc)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let state = r.state.clone();
                    let (approvals, needed) = (r.approvals, r.approvals_needed);
                    let (schedule, run_at, state2) = (r.schedule.clone(), r.run_at.clone(), r.state.clone());
                    let (steps, failed) = (r.steps, r.failed);
                    view! {
                    <tr data-change=r.id.clone()>
                        <td><a href=format!("/changes/{}", r.id)>{r.title.clone()}</a>
                            <div class="muted mono">{r.action.clone()}</div></td>
                        <td>{r.requester.clone()}</td>
                        <td><span class=state_class(&r.state)>{move || state_words(i18n.get_locale(), &state)}</span></td>
                        <td>{move || if needed > 0 { t_string!(i18n, changes.n_of_m, n = approvals, m = needed).to_string() } else { "—".into() }}</td>
                        <td>{move || match schedule.as_str() {
                            "window" => t_string!(i18n, changes.runs_in_windows).to_string(),
                            _ if !run_at.is_empty() && state2 == "scheduled" => run_at.clone(),
                            _ => t_string!(i18n, changes.runs_at_once).to_string(),
                        }}</td>
                        <td class="num">{move || if failed > 0 { t_string!(i18n, changes.steps_failed, steps = steps, failed = failed).to_string() } else { steps.to_string() }}</td>
                        <td class="mono">{r.created.clone()}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// `/changes/:id`.
#[component]
pub fn ChangePage() -> impl IntoView {
    let i18n = use_i18n();
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
        <Title text=move || t_string!(i18n, changes.change).to_string() />
        {form_error(decide.value())}
        {form_error(cancel.value())}
        {form_error(ask.value())}
        {form_error(follow.value())}
        {form_error(retry.value())}
        {move || follow.value().get().and_then(|r| r.ok()).or_else(|| retry.value().get().and_then(|r| r.ok())).map(|a| {
            let state = a.state.clone();
            view! {
                <p class="banner banner-ok" role="status" data-testid="follow-up">
                    {t!(i18n, changes.new_change_asked)} <a href=format!("/changes/{}", a.id)>{move || state_words(i18n.get_locale(), &state)}</a>
                </p>
            }
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
    let i18n = use_i18n();
    let comment = RwSignal::new(String::new());
    let reason = RwSignal::new(d.reason.clone());
    let schedule = RwSignal::new("now".to_string());
    let run_at = RwSignal::new(String::new());
    let (id1, id2, id3, id4) = (d.id.clone(), d.id.clone(), d.id.clone(), d.id.clone());
    let (id5, id6) = (d.id.clone(), d.id.clone());
    let draft = d.state == "draft";
    // Held back by a policy (else collected by its requester).
    let held = !d.policy.is_empty() || d.approvals_needed > 0;
    let state = d.state.clone();
    let approvals = {
        let approved = d
            .decisions
            .iter()
            .filter(|x| x.decision == "approve")
            .count();
        let (needed, policy, roles) = (
            d.approvals_needed,
            d.policy.clone(),
            d.approver_roles.clone(),
        );
        move || {
            let locale = i18n.get_locale();
            if needed > 0 {
                let roles = roles
                    .iter()
                    .map(|r| role_words(locale, r))
                    .collect::<Vec<_>>()
                    .join(td_string!(locale, changes.list_sep));
                td_string!(
                    locale,
                    changes.approvals_detail,
                    n = approved,
                    m = needed,
                    policy = &policy,
                    roles = roles
                )
                .to_string()
            } else {
                td_string!(locale, changes.none_needed).to_string()
            }
        }
    };
    let runs = {
        let planned = (!d.steps.is_empty() && d.steps.iter().all(|s| !s.planned.is_empty()))
            .then(|| d.steps[0].planned.clone());
        let (schedule, run_at) = (d.schedule.clone(), d.run_at.clone());
        move || {
            let locale = i18n.get_locale();
            match (schedule.as_str(), &planned) {
                ("at", Some(planned)) => {
                    td_string!(locale, changes.runs_planned, time = planned).to_string()
                }
                ("window", _) => td_string!(locale, changes.runs_in_each_window).to_string(),
                ("at", None) => {
                    td_string!(locale, changes.runs_at_time, time = &run_at).to_string()
                }
                _ => td_string!(locale, changes.runs_asap).to_string(),
            }
        }
    };
    let (canary, batch_size, max_failures) = (d.canary, d.batch_size, d.max_failures);
    let lead = {
        let policy = policy_words(&d);
        let needed = d.approvals_needed.max(1);
        move || {
            let locale = i18n.get_locale();
            if held {
                td_string!(
                    locale,
                    changes.held_lead,
                    policy = policy(locale),
                    n = needed
                )
                .to_string()
            } else {
                td_string!(locale, changes.ask_lead).to_string()
            }
        }
    };
    view! {
        <div class="page-head">
            <h1 data-testid="change-title">{d.title.clone()}</h1>
            <p>
                <span class=state_class(&d.state) data-testid="change-state" data-state=d.state.clone()>{move || state_words(i18n.get_locale(), &state)}</span>
                {t!(i18n, changes.asked_by)} <strong>{d.requester.clone()}</strong> {t!(i18n, changes.asked_at)} <span class="mono">{d.created.clone()}</span>
            </p>
        </div>
        <dl class="facts">
            <dt>{t!(i18n, changes.action)}</dt><dd class="mono">{d.action.clone()}</dd>
            <dt>{t!(i18n, changes.reason)}</dt><dd>{if d.reason.is_empty() { "—".to_string() } else { d.reason.clone() }}</dd>
            <dt>{t!(i18n, changes.approvals)}</dt><dd data-testid="change-approvals">{approvals}</dd>
            <dt>{t!(i18n, changes.runs)}</dt><dd>{runs}</dd>
            {(!d.expires_at.is_empty() && !matches!(d.state.as_str(), "succeeded" | "failed" | "partly_failed" | "cancelled" | "rejected" | "expired")).then(|| view! {
                <dt>{t!(i18n, changes.expires)}</dt><dd class="mono">{d.expires_at.clone()}</dd>
            })}
            {(d.steps.len() > 1).then(|| view! {
                <dt>{t!(i18n, changes.rollout)}</dt><dd>{move || t_string!(i18n, changes.rollout_detail, canary = canary, batch = batch_size, failures = max_failures).to_string()}</dd>
            })}
        </dl>
        {draft.then(|| view! {
            <section class="panel" data-testid="draft-form">
                <h2>{move || if held { t_string!(i18n, changes.request_approval) } else { t_string!(i18n, changes.ask_for_this_change) }}</h2>
                <p class="muted">{lead}</p>
                <label>{t!(i18n, changes.reason)} <textarea rows="3" name="reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
                <label>{t!(i18n, changes.run)} <select name="schedule" on:change=move |ev| schedule.set(event_target_value(&ev))>
                    <option value="now">{t!(i18n, changes.run_when_approved)}</option>
                    <option value="at">{t!(i18n, changes.run_at_time)}</option>
                    <option value="window">{t!(i18n, changes.run_in_cluster_window)}</option>
                </select></label>
                {move || (schedule.get() == "at").then(|| view! {
                    <label>{t!(i18n, changes.at_utc)} <input name="run_at" prop:value=move || run_at.get() on:input=move |ev| run_at.set(event_target_value(&ev)) /></label>
                })}
                <button type="button" class="primary" data-testid="submit-change" on:click=move |_| {
                    ask.dispatch(super::api::SubmitChange { id: id4.clone(), reason: reason.get_untracked(), schedule: schedule.get_untracked(), run_at: run_at.get_untracked() });
                }>{move || if held { t_string!(i18n, changes.request_approval) } else { t_string!(i18n, changes.ask_for_it) }}</button>
            </section>
        })}
        {d.may_decide.then(|| view! {
            <section class="panel" data-testid="decide">
                <h2>{t!(i18n, changes.your_decision)}</h2>
                <label>{t!(i18n, changes.comment)} <input name="comment" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) /></label>
                <button type="button" class="primary" data-testid="approve" on:click={
                    let id = id1.clone();
                    move |_| { decide.dispatch(super::api::DecideChange { id: id.clone(), verdict: "approve".into(), comment: comment.get_untracked() }); }
                }>{t!(i18n, changes.approve)}</button>
                <button type="button" class="danger" data-testid="reject" on:click=move |_| {
                    decide.dispatch(super::api::DecideChange { id: id2.clone(), verdict: "reject".into(), comment: comment.get_untracked() });
                }>{t!(i18n, changes.reject)}</button>
            </section>
        })}
        {d.may_cancel.then(|| view! {
            <button type="button" class="danger" data-testid="cancel-change" on:click=move |_| {
                cancel.dispatch(super::api::CancelChange { id: id3.clone() });
            }>{t!(i18n, changes.cancel_change)}</button>
        })}
        {d.may_revert.then(|| view! {
            <button type="button" data-testid="revert-change" on:click=move |_| {
                follow.dispatch(super::api::RevertChange { id: id5.clone() });
            }>{t!(i18n, changes.revert_change)}</button>
        })}
        {d.may_retry.then(|| view! {
            <button type="button" data-testid="retry-change" on:click=move |_| {
                retry.dispatch(super::api::RetryChange { id: id6.clone() });
            }>{t!(i18n, changes.retry_failed)}</button>
        })}
        <p><a href=format!("/audit?change={}&reads=1", d.id) data-testid="change-audit">{t!(i18n, changes.audit_records)}</a>
            <span class="muted">{t!(i18n, changes.audit_records_hint)}</span></p>
        <h2>{t!(i18n, changes.requests)}</h2>
        <div class="table-wrap">
        <table class="grid" data-testid="steps-table">
            <thead><tr><th class="num">"#"</th><th>{t!(i18n, changes.batch)}</th><th>{t!(i18n, changes.cluster)}</th><th>{t!(i18n, changes.parameters)}</th><th>{t!(i18n, changes.before_after)}</th><th>{t!(i18n, changes.state)}</th><th>{t!(i18n, changes.outcome)}</th></tr></thead>
            <tbody>
                {d.steps.iter().map(|s| {
                    let batch = s.batch;
                    let window = s.window.clone();
                    let state = s.state.clone();
                    let cluster_status = s.cluster_status.clone();
                    view! {
                    <tr data-cluster=s.cluster.clone() data-state=s.state.clone()>
                        <td class="num">{s.seq + 1}</td>
                        <td>{move || if batch == 0 { t_string!(i18n, changes.canary).to_string() } else { batch.to_string() }}</td>
                        <td><span class="mono">{s.cluster.clone()}</span><div class="muted">{format!("{} · {}", s.account, s.region)}</div>
                            {(!s.window.is_empty()).then(|| view! { <div class="muted">{move || t_string!(i18n, changes.window_of, window = &window).to_string()}</div> })}</td>
                        <td class="mono small">{s.params.iter().filter(|(k, _)| k != "RegionId" && k != "DBClusterId").map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n")}</td>
                        <td class="mono small" data-testid="preview">
                            {s.before.iter().map(|(k, v)| {
                                let after = s.after.iter().find(|(a, _)| a == k).map(|(_, x)| x.clone()).unwrap_or_default();
                                format!("{k}: {v} → {after}")
                            }).collect::<Vec<_>>().join("\n")}
                            {s.restart.then(|| view! { <div class="badge badge-busy">{t!(i18n, changes.restarts_cluster)}</div> })}
                        </td>
                        <td><span class=state_class(&s.state)>{move || state_words(i18n.get_locale(), &state)}</span>
                            {(!s.cluster_status.is_empty()).then(|| view! {
                                <div class="muted small" data-testid="cluster-status">{move || {
                                    // The statuses last read, each an API code (or why none could be).
                                    let status = cluster_status.split(", ").map(crate::kit::api_word).collect::<Vec<_>>().join(", ");
                                    t_string!(i18n, changes.cluster_status, status = status).to_string()
                                }}</div>
                            })}
                            {(!s.planned.is_empty()).then(|| view! {
                                <div class="muted small" data-testid="planned">{t!(i18n, changes.api_starts_at)} <span class="mono">{s.planned.clone()}</span>
                                    " · " <a href="/tasks">{t!(i18n, changes.scheduled_tasks)}</a></div>
                            })}
                        </td>
                        <td class="small">{if s.error.is_empty() { s.request_id.clone() } else { s.error.clone() }}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        {(!d.decisions.is_empty()).then(|| view! {
            <h2>{t!(i18n, changes.decisions)}</h2>
            <ul class="plain" data-testid="decisions">
                {d.decisions.iter().map(|x| {
                    let (user, approved, at) = (x.username.clone(), x.decision == "approve", x.at.clone());
                    view! {
                    <li>{move || if approved {
                            t_string!(i18n, changes.decided_approved, user = &user, at = &at).to_string()
                        } else {
                            t_string!(i18n, changes.decided_rejected, user = &user, at = &at).to_string()
                        }}
                        {(!x.comment.is_empty()).then(|| view! { <span class="muted">{format!(" — {}", x.comment)}</span> })}</li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

/// The policy that holds a draft back, in words (in the language given).
fn policy_words(d: &ChangeDetail) -> impl Fn(Locale) -> String + Send + Sync + 'static {
    let policy = d.policy.clone();
    move |locale| {
        if policy.is_empty() {
            td_string!(locale, changes.an_approval_policy).to_string()
        } else {
            td_string!(locale, changes.the_policy, name = format!("{policy:?}")).to_string()
        }
    }
}
