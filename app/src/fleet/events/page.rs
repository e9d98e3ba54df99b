//! The pending events page: filters, the list, rescheduling a selection.

use super::*;
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{use_hydrated, waiting};

// ---------------------------------------------------------------------------------------
// The page.

#[component]
pub fn EventsPage() -> impl IntoView {
    let i18n = use_i18n();
    let scope = top_bar_scope();
    let history = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || (scope.get(), history.get(), version.get()),
        |((account, region), history, _)| maintenance_events(account, region, history),
    );
    let reschedule = ServerAction::<RescheduleEvents>::new();
    let hydrated = use_hydrated();
    let selected = RwSignal::new(Vec::<(String, String, i64)>::new());
    let type_filter = RwSignal::new(String::new());
    let when = RwSignal::new(String::new());
    // The clock for the checks, read once the page is interactive and then every 30 s.
    let now = RwSignal::new(0i64);
    Effect::new(move |_| {
        now.set(now_secs());
        if let Ok(h) = set_interval_with_handle(
            move || now.set(now_secs()),
            std::time::Duration::from_secs(30),
        ) {
            on_cleanup(move || h.clear());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(list)) = reschedule.value().get() {
            if list.iter().any(|o| o.ok) {
                version.update(|n| *n += 1);
            }
            if list.iter().all(|o| o.ok) {
                selected.set(Vec::new());
            }
        }
    });

    let view_now = move || data.get().and_then(|r| r.ok());
    let chosen = move || -> Vec<EventRow> {
        let sel = selected.get();
        view_now()
            .map(|v| {
                v.events
                    .into_iter()
                    .filter(|e| sel.contains(&(e.account.clone(), e.region.clone(), e.id)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let problem = move || {
        let chosen = chosen();
        if chosen.is_empty() {
            return Some(t_string!(i18n, fleet_ops.ev_select_one).to_string());
        }
        if let Some(e) = chosen.iter().find(|e| !can_reschedule(e.status)) {
            return Some(
                t_string!(i18n, fleet_ops.ev_in_progress_cannot_move, id = e.id).to_string(),
            );
        }
        if let Some(v) = view_now() {
            if let Some(e) = chosen.iter().find(|e| {
                !v.can_modify
                    .contains(&(e.account.clone(), e.region.clone()))
            }) {
                return Some(
                    t_string!(
                        i18n,
                        fleet_ops.ev_role_may_not,
                        region = e.region.clone(),
                        account = e.account.clone()
                    )
                    .to_string(),
                );
            }
        }
        let deadlines: Vec<(i64, String)> =
            chosen.iter().map(|e| (e.id, e.deadline.clone())).collect();
        switch_time_problem(&when.get(), now.get(), &deadlines)
    };
    let latest_allowed = move || {
        chosen()
            .iter()
            .filter_map(|e| parse_utc(&e.deadline))
            .min()
            .map(fmt_minute_utc)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if problem().is_some() {
            return;
        }
        reschedule.dispatch(RescheduleEvents {
            events: chosen()
                .into_iter()
                .map(|e| EventRef {
                    account: e.account,
                    region: e.region,
                    id: e.id,
                    status: e.status,
                    deadline: e.deadline,
                })
                .collect(),
            switch_time: when.get_untracked(),
        });
    };

    view! {
        <Title text=move || t_string!(i18n, fleet_ops.ev_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, fleet_ops.ev_title)}</h1>
            <p class="muted">
                {move || {
                    let (a, r) = scope.get();
                    t_string!(
                        i18n,
                        fleet_ops.ev_lead,
                        account = a.unwrap_or_else(|| t_string!(i18n, fleet_ops.all_cloud_accounts).into()),
                        region = r.unwrap_or_else(|| t_string!(i18n, fleet_ops.all_regions).into())
                    )
                    .to_string()
                }}
            </p>
        </div>
        <nav class="tabs" aria-label=move || t_string!(i18n, fleet_ops.ev_tabs)>
            <button type="button" class="tab" class:tab-current=move || !history.get() data-testid="show-pending" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                on:click=move |_| { selected.set(Vec::new()); history.set(false) }>{t!(i18n, fleet_ops.ev_tab_pending)}</button>
            <button type="button" class="tab" class:tab-current=move || history.get() data-testid="show-history" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                on:click=move |_| { selected.set(Vec::new()); history.set(true) }>{t!(i18n, fleet_ops.ev_tab_history)}</button>
        </nav>
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet_ops.ev_loading) /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(v) => {
                        let past = history.get_untracked();
                        let total: i64 = v.counts.iter().map(|(_, n)| n).sum();
                        let modifiable = v.can_modify.clone();
                        view! {
                            {problems_view(v.problems.clone())}
                            <section class="event-counts" data-testid="event-counts">
                                <button type="button" class="count-card" class:count-current=move || type_filter.get().is_empty()
                                    title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                    on:click=move |_| type_filter.set(String::new())>
                                    <span class="count-n" data-testid="count-all">{total}</span>
                                    <span class="muted">{move || if past { t_string!(i18n, fleet_ops.ev_count_past) } else { t_string!(i18n, fleet_ops.ev_count_pending) }}</span>
                                </button>
                                {v.counts.iter().map(|(t, n)| {
                                    let t1 = t.clone();
                                    let t2 = t.clone();
                                    let t3 = t.clone();
                                    view! {
                                        <button type="button" class="count-card" data-task-type=t.clone()
                                            class:count-current=move || type_filter.get() == t1
                                            title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                            on:click=move |_| type_filter.set(t2.clone())>
                                            <span class="count-n">{*n}</span>
                                            <span class="muted">{move || task_type_label(&t3).to_string()}</span>
                                        </button>
                                    }
                                }).collect_view()}
                            </section>
                            {if v.events.is_empty() {
                                view! { <Empty title=if past { t_string!(i18n, fleet_ops.ev_none_past) } else { t_string!(i18n, fleet_ops.ev_none_pending) } hint=t_string!(i18n, fleet_ops.ev_none_hint) /> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="events-table">
                                        <thead><tr>
                                            <th></th><th>{t!(i18n, fleet_ops.ev_col_event)}</th><th>{t!(i18n, fleet_ops.col_cluster)}</th><th>{t!(i18n, fleet_ops.col_type)}</th><th>{t!(i18n, fleet_ops.col_status)}</th>
                                            {(!past).then(|| view! { <th>{t!(i18n, fleet_ops.ev_col_urgency)}</th> })}
                                            <th>{t!(i18n, fleet_ops.ev_col_switch_time)}</th><th>{t!(i18n, fleet_ops.ev_col_window)}</th>
                                            {past.then(|| view! { <th>{t!(i18n, fleet_ops.ev_col_result)}</th> })}
                                        </tr></thead>
                                        <tbody>
                                            {v.events.iter().map(|e| {
                                                let key = (e.account.clone(), e.region.clone(), e.id);
                                                let key2 = key.clone();
                                                let movable = !past && can_reschedule(e.status) && modifiable.contains(&(e.account.clone(), e.region.clone()));
                                                let t = e.task_type.clone();
                                                let shown = move || { let f = type_filter.get(); f.is_empty() || f == t };
                                                let deadline = e.deadline.clone();
                                                let id = e.id;
                                                let status = e.status;
                                                let task_type = e.task_type.clone();
                                                let (start_time, deadline2, interval) = (e.start_time.clone(), e.deadline.clone(), e.prepare_interval.clone());
                                                view! {
                                                    <tr data-event-id=e.id.to_string() data-cluster-id=e.cluster.clone() data-status=e.status.to_string() prop:hidden=move || !shown()>
                                                        <td>
                                                            {(!past).then(|| view! {
                                                                <input type="checkbox" data-testid="select-event" aria-label=move || t_string!(i18n, fleet_ops.ev_select_event, id = id).to_string()
                                                                    disabled=move || !hydrated.get() || !movable
                                                                    title=move || waiting(hydrated).or((!movable).then(|| t_string!(i18n, fleet_ops.ev_cannot_move)))
                                                                    prop:checked=move || selected.get().contains(&key)
                                                                    on:change=move |ev| {
                                                                        let on = event_target_checked(&ev);
                                                                        selected.update(|s| {
                                                                            s.retain(|x| x != &key2);
                                                                            if on { s.push(key2.clone()); }
                                                                        });
                                                                    } />
                                                            })}
                                                        </td>
                                                        <td class="mono">{e.id}</td>
                                                        <td>
                                                            <a class="mono" href=cluster_href(&e.cluster, &e.account, &e.region, "")>{e.cluster.clone()}</a>
                                                            <div class="muted">{format!("{} · {}", e.region, e.account)}</div>
                                                        </td>
                                                        <td>{move || task_type_label(&task_type).to_string()}</td>
                                                        <td data-testid="event-status">{move || status_label(status)}</td>
                                                        {(!past).then(|| view! {
                                                            <td>{move || { let (label, class) = urgency(if now.get() == 0 { now_secs() } else { now.get() }, &deadline); view! { <span class=class data-testid="urgency">{label}</span> } }}</td>
                                                        })}
                                                        <td class="mono nowrap" data-testid="switch-time">{human_time(&e.switch_time)}</td>
                                                        <td class="small-print">
                                                            <div>{move || t_string!(i18n, fleet_ops.ev_starts_preparing, time = human_time(&start_time)).to_string()}</div>
                                                            <div>{move || t_string!(i18n, fleet_ops.ev_deadline, time = human_time(&deadline2)).to_string()}</div>
                                                            <div class="muted">{move || t_string!(i18n, fleet_ops.ev_preparation, interval = interval.clone()).to_string()}</div>
                                                        </td>
                                                        {past.then(|| view! { <td>{if e.result_info.is_empty() { "—".to_string() } else { e.result_info.clone() }}</td> })}
                                                    </tr>
                                                }
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

        {move || (!history.get()).then(|| view! {
            <section class="panel form-panel" data-testid="reschedule-panel">
                <h2>{t!(i18n, fleet_ops.ev_reschedule_heading)}</h2>
                <p class="muted small-print">{t!(i18n, fleet_ops.ev_reschedule_rules)}</p>
                <form class="edit-form" on:submit=submit>
                    <label class="inline-label">
                        <span>{t!(i18n, fleet_ops.ev_new_switch_time)}</span>
                        <input type="datetime-local" data-testid="switch-input" step="60"
                            max=move || latest_allowed().map(|m| m.trim_end_matches('Z').to_string()).unwrap_or_default()
                            prop:value=move || when.get()
                            on:input=move |ev| when.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="small primary-small" data-testid="submit-reschedule"
                        title=move || waiting(hydrated)
                        disabled=move || !hydrated.get() || problem().is_some() || reschedule.pending().get()>
                        {move || if reschedule.pending().get() { t_string!(i18n, fleet_ops.ev_rescheduling).to_string() } else { let n = chosen().len(); t_string!(i18n, fleet_ops.ev_reschedule_n, n = n).to_string() }}
                    </button>
                </form>
                <FieldHint testid="reschedule-problem" problem=Signal::derive(move || problem().map(|p| problem_line("", &p)))
                    hint=Signal::derive(move || { let at = parse_utc(&when.get()).map(fmt_minute_utc).unwrap_or_default(); t_string!(i18n, fleet_ops.ev_sent_as, at = at).to_string() }) />
                {move || latest_allowed().map(|m| view! { <p class="muted small-print">{move || t_string!(i18n, fleet_ops.ev_latest_allowed, time = human_time(&m)).to_string()}</p> })}
                {change_error(reschedule.value())}
                {move || reschedule.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "reschedule-outcomes"))}
            </section>
        })}
    }
}
