//! `/events`: pending maintenance events of every cloud account and region — counts by
//! type (DescribePendingMaintenanceActions) and the events themselves
//! (DescribePendingMaintenanceAction, all pages) with their switch window — rescheduling one
//! or several (ModifyPendingMaintenanceAction, one call per region), and the history of
//! past events (IsHistory=1).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::kit::outcomes::{outcomes_view, problems_view, RegionOutcome};
use crate::kit::{
    change_error, cluster_href, human_time, problem_line, top_bar_scope, Empty, ErrorBox,
    FieldHint, Loading,
};
use crate::AppError;

/// The task types of 16.1.
pub const TASK_TYPES: &[&str] = &[
    "DatabaseSoftwareUpgrading",
    "DatabaseHardwareMaintenance",
    "DatabaseStorageUpgrading",
    "DatabaseProxyUpgrading",
];

pub fn task_type_label(t: &str) -> &str {
    match t {
        "DatabaseSoftwareUpgrading" => "Database software upgrade",
        "DatabaseHardwareMaintenance" => "Hardware maintenance and upgrade",
        "DatabaseStorageUpgrading" => "Storage upgrade",
        "DatabaseProxyUpgrading" => "Proxy minor-version upgrade",
        other => other,
    }
}

/// The statuses of 16.1: 2–4 pending, 5–7 history.
pub fn status_label(s: i64) -> &'static str {
    match s {
        2 => "Waiting for you to set the time",
        3 => "Scheduled",
        4 => "In progress",
        5 => "Done",
        6 => "Failed",
        7 => "Cancelled",
        _ => "Unknown",
    }
}

/// Only events that have not started (status 2 or 3) take a new switch time.
pub fn can_reschedule(status: i64) -> bool {
    status == 2 || status == 3
}

// ---------------------------------------------------------------------------------------
// UTC times without a calendar crate (the browser build has none).

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `yyyy-MM-ddTHH:mm[:ss]Z` (UTC), or the same without `Z` as a date-time field
/// gives it (read as UTC), into Unix seconds.
pub fn parse_utc(s: &str) -> Option<i64> {
    let s = s.trim();
    let body = s.strip_suffix('Z').unwrap_or(s);
    let (date, clock) = body.split_once('T')?;
    let mut d = date.split('-');
    let (y, mo, da) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || mo.len() != 2 || da.len() != 2 {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    if !(parts.len() == 2 || parts.len() == 3) || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let num = |x: &str| -> Option<u32> {
        x.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| x.parse().ok())
            .flatten()
    };
    let (y, mo, da) = (num(y)? as i64, num(mo)?, num(da)?);
    let (h, mi) = (num(parts[0])?, num(parts[1])?);
    let sec = if parts.len() == 3 { num(parts[2])? } else { 0 };
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if !(1..=12).contains(&mo) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let max_day = if mo == 2 && leap {
        29
    } else {
        month_days[mo as usize - 1]
    };
    if da == 0 || da > max_day {
        return None;
    }
    Some(days_from_civil(y, mo, da) * 86_400 + (h * 3600 + mi * 60 + sec) as i64)
}

/// Unix seconds → `yyyy-MM-ddTHH:mmZ`, the format ModifyPendingMaintenanceAction takes
/// (16.3).
pub fn fmt_minute_utc(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// Unix seconds → `yyyy-MM-ddTHH:mm`, the value of a date-time field.
pub fn fmt_local_field(secs: i64) -> String {
    fmt_minute_utc(secs).trim_end_matches('Z').to_string()
}

/// Now, in Unix seconds (the browser's clock in the browser).
pub fn now_secs() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }
}

/// What is wrong with a new switch time for the events `(id, deadline)`: the reference's
/// format, in the future, not after any event's deadline.
pub fn switch_time_problem(input: &str, now: i64, events: &[(i64, String)]) -> Option<String> {
    if input.trim().is_empty() {
        return Some("choose the new switch time".into());
    }
    let Some(t) = parse_utc(input) else {
        return Some("write the time as yyyy-MM-ddTHH:mmZ in UTC, e.g. 2026-06-09T22:00Z".into());
    };
    if t <= now + 60 {
        return Some(format!(
            "the switch time must be in the future (now is {})",
            fmt_minute_utc(now)
        ));
    }
    for (id, deadline) in events {
        if let Some(d) = parse_utc(deadline) {
            if t > d {
                return Some(format!(
                    "event {id} must switch by its deadline, {}",
                    human_time(deadline)
                ));
            }
        }
    }
    None
}

/// How pressing an event is: by the time left until its deadline.
pub fn urgency(now: i64, deadline: &str) -> (&'static str, &'static str) {
    match parse_utc(deadline) {
        Some(d) if d - now < 2 * 86_400 => ("Urgent", "badge badge-bad"),
        Some(d) if d - now < 7 * 86_400 => ("Soon", "badge badge-busy-still"),
        Some(_) => ("Planned", "badge"),
        None => ("—", "badge"),
    }
}

// ---------------------------------------------------------------------------------------
// Server functions.

/// One maintenance event and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub account: String,
    pub region: String,
    pub id: i64,
    pub cluster: String,
    pub db_version: String,
    pub task_type: String,
    pub status: i64,
    pub created: String,
    pub modified: String,
    pub start_time: String,
    pub switch_time: String,
    pub deadline: String,
    pub prepare_interval: String,
    pub result_info: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsView {
    /// Events per task type, summed over the regions that answered.
    pub counts: Vec<(String, i64)>,
    pub events: Vec<EventRow>,
    pub problems: Vec<RegionProblem>,
    /// (account, region) pairs where ModifyPendingMaintenanceAction is allowed.
    pub can_modify: Vec<(String, String)>,
}

/// The counts and the events of one region, all pages.
#[cfg(feature = "ssr")]
async fn events_in(
    c: &crate::call::fanout::Ctx,
    account: &str,
    region: &str,
    history: bool,
) -> Result<(Vec<(String, i64)>, Vec<EventRow>), RegionProblem> {
    use crate::call::fanout::parse;
    let flag = if history { "1" } else { "0" };
    let (body, _) = c
        .call(
            account,
            region,
            "DescribePendingMaintenanceActions",
            vec![("IsHistory".into(), flag.into())],
        )
        .await?;
    let counts: polardb::models::DescribePendingMaintenanceActionsResponse =
        parse(account, region, "DescribePendingMaintenanceActions", body)?;
    let mut events = Vec::new();
    let mut page = 1u32;
    loop {
        let (body, _) = c
            .call(
                account,
                region,
                "DescribePendingMaintenanceAction",
                vec![
                    ("Region".into(), region.to_string()),
                    ("TaskType".into(), "all".into()),
                    ("IsHistory".into(), flag.into()),
                    ("PageSize".into(), "100".into()),
                    ("PageNumber".into(), page.to_string()),
                ],
            )
            .await?;
        let answer: polardb::models::DescribePendingMaintenanceActionResponse =
            parse(account, region, "DescribePendingMaintenanceAction", body)?;
        let got = answer.items.len();
        events.extend(answer.items.into_iter().map(|e| EventRow {
            account: account.to_string(),
            region: if e.region.is_empty() {
                region.to_string()
            } else {
                e.region
            },
            id: e.id,
            cluster: e.db_cluster_id,
            db_version: e.db_version,
            task_type: e.task_type,
            status: e.status,
            created: e.created_time,
            modified: e.modified_time,
            start_time: e.start_time,
            switch_time: e.switch_time,
            deadline: e.deadline,
            prepare_interval: e.prepare_interval,
            result_info: e.result_info,
        }));
        if got == 0 || events.len() as i64 >= answer.total_record_count || page >= 1000 {
            break;
        }
        page += 1;
    }
    Ok((
        counts
            .type_list
            .into_iter()
            .map(|t| (t.task_type, t.count))
            .collect(),
        events,
    ))
}

/// The pending (or, with `history`, past) maintenance events of the chosen accounts and
/// regions (all when not chosen).
#[server]
pub async fn maintenance_events(
    account: Option<String>,
    region: Option<String>,
    history: bool,
) -> Result<EventsView, AppError> {
    use crate::call::fanout;
    let c = fanout::ctx().await?;
    let places = c
        .places(
            account.as_deref().filter(|s| !s.is_empty()),
            region.as_deref().filter(|s| !s.is_empty()),
        )
        .await?;
    let c = &c;
    let results = fanout::join_all(
        places
            .into_iter()
            .map(|(account, region)| async move {
                let r = events_in(c, &account, &region, history).await;
                let can = c.allows("ModifyPendingMaintenanceAction", &account, &region, None);
                (account, region, r, can)
            })
            .collect(),
    )
    .await;
    let mut view = EventsView {
        counts: Vec::new(),
        events: Vec::new(),
        problems: Vec::new(),
        can_modify: Vec::new(),
    };
    for (account, region, r, can) in results {
        match r {
            Ok((counts, events)) => {
                for (t, n) in counts {
                    match view.counts.iter_mut().find(|(k, _)| *k == t) {
                        Some(e) => e.1 += n,
                        None => view.counts.push((t, n)),
                    }
                }
                view.events.extend(events);
            }
            Err(p) => view.problems.push(p),
        }
        if can {
            view.can_modify.push((account, region));
        }
    }
    view.counts
        .sort_by_key(|(t, _)| TASK_TYPES.iter().position(|x| x == t).unwrap_or(99));
    if history {
        view.events
            .sort_by(|a, b| b.switch_time.cmp(&a.switch_time).then(a.id.cmp(&b.id)));
    } else {
        view.events
            .sort_by(|a, b| a.switch_time.cmp(&b.switch_time).then(a.id.cmp(&b.id)));
    }
    Ok(view)
}

/// An event to reschedule, as the page saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub account: String,
    pub region: String,
    pub id: i64,
    pub status: i64,
    pub deadline: String,
}

/// Moves the events to `switch_time` (`yyyy-MM-ddTHH:mm[Z]`, UTC): one
/// ModifyPendingMaintenanceAction a region. One result a region.
#[server(input = server_fn::codec::Json)]
pub async fn reschedule_events(
    events: Vec<EventRef>,
    switch_time: String,
) -> Result<Vec<RegionOutcome>, AppError> {
    use crate::call::fanout;
    let invalid = |field: &str, message: String| AppError::Invalid {
        field: field.into(),
        message,
    };
    if events.is_empty() {
        return Err(invalid("Events", "choose at least one event".into()));
    }
    if let Some(e) = events.iter().find(|e| !can_reschedule(e.status)) {
        return Err(invalid(
            "Events",
            format!(
                "event {} is {}; only events that have not started take a new time",
                e.id,
                status_label(e.status).to_lowercase()
            ),
        ));
    }
    let deadlines: Vec<(i64, String)> = events.iter().map(|e| (e.id, e.deadline.clone())).collect();
    if let Some(p) = switch_time_problem(&switch_time, now_secs(), &deadlines) {
        return Err(invalid("Switch time", p));
    }
    let at = fmt_minute_utc(parse_utc(&switch_time).unwrap_or_default());
    let mut groups: std::collections::BTreeMap<(String, String), Vec<i64>> = Default::default();
    for e in &events {
        let ids = groups
            .entry((e.account.clone(), e.region.clone()))
            .or_default();
        if !ids.contains(&e.id) {
            ids.push(e.id);
        }
    }
    let c = fanout::ctx().await?;
    let c = &c;
    let at = &at;
    let outcomes = fanout::join_all(
        groups
            .into_iter()
            .map(|((account, region), ids)| async move {
                let list = ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                match c
                    .call(
                        &account,
                        &region,
                        "ModifyPendingMaintenanceAction",
                        vec![
                            ("Ids".into(), list.clone()),
                            ("SwitchTime".into(), at.clone()),
                        ],
                    )
                    .await
                {
                    Ok((_, request_id)) => RegionOutcome {
                        account,
                        region,
                        ok: true,
                        detail: format!("event {list} now switches at {}", human_time(at)),
                        code: String::new(),
                        request_id,
                    },
                    Err(p) => fanout::failed(p),
                }
            })
            .collect(),
    )
    .await;
    Ok(outcomes)
}

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
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
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
            <button type="button" class="tab" class:tab-current=move || !history.get() data-testid="show-pending"
                on:click=move |_| { selected.set(Vec::new()); history.set(false) }>"Pending"</button>
            <button type="button" class="tab" class:tab-current=move || history.get() data-testid="show-history"
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
                                                                    title=(!movable).then_some("This event cannot be moved (in progress, or your role may not).")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = parse_utc("2020-06-09T22:00:00Z").unwrap();
        assert_eq!(t, 1_591_740_000);
        assert_eq!(fmt_minute_utc(t), "2020-06-09T22:00Z");
        assert_eq!(parse_utc("2020-06-09T22:00Z"), Some(t));
        assert_eq!(parse_utc("2020-06-09T22:00"), Some(t));
        assert_eq!(
            parse_utc("2024-02-29T00:00Z")
                .map(fmt_minute_utc)
                .as_deref(),
            Some("2024-02-29T00:00Z")
        );
        assert_eq!(parse_utc("2023-02-29T00:00Z"), None);
        assert_eq!(parse_utc("2020-13-01T00:00Z"), None);
        assert_eq!(parse_utc("2020-06-09 22:00"), None);
        assert_eq!(parse_utc("tomorrow"), None);
        assert_eq!(fmt_local_field(t), "2020-06-09T22:00");
        assert_eq!(fmt_minute_utc(0), "1970-01-01T00:00Z");
    }

    #[test]
    fn switch_times_are_future_and_before_every_deadline() {
        let now = parse_utc("2026-06-01T00:00Z").unwrap();
        let events = vec![
            (1, "2026-06-10T15:59:59Z".to_string()),
            (2, "2026-06-05T15:59:59Z".to_string()),
        ];
        assert_eq!(switch_time_problem("2026-06-05T03:00", now, &events), None);
        assert!(switch_time_problem("", now, &events).is_some());
        assert!(switch_time_problem("June 5", now, &events)
            .unwrap()
            .contains("yyyy-MM-ddTHH:mmZ"));
        assert!(switch_time_problem("2026-05-31T23:00", now, &events)
            .unwrap()
            .contains("future"));
        assert!(switch_time_problem("2026-06-06T03:00", now, &events)
            .unwrap()
            .contains("event 2"));
        assert!(switch_time_problem("2026-06-05T16:00Z", now, &events).is_some());
    }

    #[test]
    fn only_events_not_started_move() {
        assert!(can_reschedule(2));
        assert!(can_reschedule(3));
        assert!(!can_reschedule(4));
        assert!(!can_reschedule(5));
        let now = parse_utc("2026-06-01T00:00Z").unwrap();
        assert_eq!(urgency(now, "2026-06-02T00:00Z").0, "Urgent");
        assert_eq!(urgency(now, "2026-06-05T00:00Z").0, "Soon");
        assert_eq!(urgency(now, "2026-06-20T00:00Z").0, "Planned");
    }
}
