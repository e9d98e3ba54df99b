//! The pending events page: filters, the list, rescheduling a selection.

use super::*;
use crate::kit::{use_hydrated, waiting};

// ---------------------------------------------------------------------------------------
// The page.

#[component]
pub fn EventsPage() -> impl IntoView {
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
            return Some("select at least one pending event".to_string());
        }
        if let Some(e) = chosen.iter().find(|e| !can_reschedule(e.status)) {
            return Some(format!("event {} is in progress and cannot be moved", e.id));
        }
        if let Some(v) = view_now() {
            if let Some(e) = chosen.iter().find(|e| {
                !v.can_modify
                    .contains(&(e.account.clone(), e.region.clone()))
            }) {
                return Some(format!(
                    "your role may not reschedule events in {} ({})",
                    e.region, e.account
                ));
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
        <Title text="Pending events" />
        <div class="page-head">
            <h1>"Pending events"</h1>
            <p class="muted">
                {move || {
                    let (a, r) = scope.get();
                    format!(
                        "Maintenance the service plans for your clusters · {} · {}",
                        a.unwrap_or_else(|| "all cloud accounts".into()),
                        r.unwrap_or_else(|| "all regions".into())
                    )
                }}
            </p>
        </div>
        <nav class="tabs" aria-label="Events">
            <button type="button" class="tab" class:tab-current=move || !history.get() data-testid="show-pending" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                on:click=move |_| { selected.set(Vec::new()); history.set(false) }>"Pending"</button>
            <button type="button" class="tab" class:tab-current=move || history.get() data-testid="show-history" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                on:click=move |_| { selected.set(Vec::new()); history.set(true) }>"History"</button>
        </nav>
        <Transition fallback=|| view! { <Loading label="Reading the events of every region…" /> }>
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
                                    <span class="muted">{if past { "past events" } else { "pending events" }}</span>
                                </button>
                                {v.counts.iter().map(|(t, n)| {
                                    let t1 = t.clone();
                                    let t2 = t.clone();
                                    view! {
                                        <button type="button" class="count-card" data-task-type=t.clone()
                                            class:count-current=move || type_filter.get() == t1
                                            title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                            on:click=move |_| type_filter.set(t2.clone())>
                                            <span class="count-n">{*n}</span>
                                            <span class="muted">{task_type_label(t).to_string()}</span>
                                        </button>
                                    }
                                }).collect_view()}
                            </section>
                            {if v.events.is_empty() {
                                view! { <Empty title=if past { "No past events." } else { "No pending events." } hint="Events appear when the service plans maintenance for a cluster." /> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="events-table">
                                        <thead><tr>
                                            <th></th><th>"Event"</th><th>"Cluster"</th><th>"Type"</th><th>"Status"</th>
                                            {(!past).then(|| view! { <th>"Urgency"</th> })}
                                            <th>"Switch time"</th><th>"Window"</th>
                                            {past.then(|| view! { <th>"Result"</th> })}
                                        </tr></thead>
                                        <tbody>
                                            {v.events.iter().map(|e| {
                                                let key = (e.account.clone(), e.region.clone(), e.id);
                                                let key2 = key.clone();
                                                let movable = !past && can_reschedule(e.status) && modifiable.contains(&(e.account.clone(), e.region.clone()));
                                                let t = e.task_type.clone();
                                                let shown = move || { let f = type_filter.get(); f.is_empty() || f == t };
                                                let deadline = e.deadline.clone();
                                                view! {
                                                    <tr data-event-id=e.id.to_string() data-cluster-id=e.cluster.clone() data-status=e.status.to_string() prop:hidden=move || !shown()>
                                                        <td>
                                                            {(!past).then(|| view! {
                                                                <input type="checkbox" data-testid="select-event" aria-label=format!("Select event {}", e.id)
                                                                    disabled=move || !hydrated.get() || !movable
                                                                    title=move || waiting(hydrated).or((!movable).then_some("This event cannot be moved (in progress, or your role may not)."))
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
                                                        <td>{task_type_label(&e.task_type).to_string()}</td>
                                                        <td data-testid="event-status">{status_label(e.status)}</td>
                                                        {(!past).then(|| view! {
                                                            <td>{move || { let (label, class) = urgency(if now.get() == 0 { now_secs() } else { now.get() }, &deadline); view! { <span class=class data-testid="urgency">{label}</span> } }}</td>
                                                        })}
                                                        <td class="mono nowrap" data-testid="switch-time">{human_time(&e.switch_time)}</td>
                                                        <td class="small-print">
                                                            <div>{format!("Starts preparing {}", human_time(&e.start_time))}</div>
                                                            <div>{format!("Deadline {}", human_time(&e.deadline))}</div>
                                                            <div class="muted">{format!("Preparation {}", e.prepare_interval)}</div>
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
                <h2>"Reschedule the selected events"</h2>
                <p class="muted small-print">"The new switch time is in UTC, in the future, and no later than the deadline of every selected event. Events in progress cannot be moved. One request per region."</p>
                <form class="edit-form" on:submit=submit>
                    <label class="inline-label">
                        <span>"New switch time (UTC)"</span>
                        <input type="datetime-local" data-testid="switch-input" step="60"
                            max=move || latest_allowed().map(|m| m.trim_end_matches('Z').to_string()).unwrap_or_default()
                            prop:value=move || when.get()
                            on:input=move |ev| when.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="small primary-small" data-testid="submit-reschedule"
                        title=move || waiting(hydrated)
                        disabled=move || !hydrated.get() || problem().is_some() || reschedule.pending().get()>
                        {move || if reschedule.pending().get() { "Rescheduling…".to_string() } else { format!("Reschedule {} events", chosen().len()) }}
                    </button>
                </form>
                <FieldHint testid="reschedule-problem" problem=Signal::derive(move || problem().map(|p| problem_line("", &p)))
                    hint=Signal::derive(move || format!("Sent as SwitchTime={}.", parse_utc(&when.get()).map(fmt_minute_utc).unwrap_or_default())) />
                {move || latest_allowed().map(|m| view! { <p class="muted small-print">{format!("Latest allowed: {}.", human_time(&m))}</p> })}
                {change_error(reschedule.value())}
                {move || reschedule.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "reschedule-outcomes"))}
            </section>
        })}
    }
}
