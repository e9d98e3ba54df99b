//! Server functions of the pending events: the events of every account and region, and rescheduling.

use super::*;

/// The counts and the events of one region, all pages.
#[cfg(feature = "ssr")]
pub(super) async fn events_in(
    c: &crate::call::fanout::Ctx,
    account: &str,
    region: &str,
    history: bool,
) -> Result<(Vec<(String, i64)>, Vec<EventRow>), RegionProblem> {
    use crate::kit::tagging::call_in;
    let flag = i32::from(history);
    let counts = call_in(
        c,
        account,
        region,
        &polardb::models::DescribePendingMaintenanceActions {
            region_id: region.to_string(),
            is_history: Some(flag),
        },
    )
    .await?;
    let mut events = Vec::new();
    let mut page = 1u32;
    loop {
        let answer = call_in(
            c,
            account,
            region,
            &polardb::models::DescribePendingMaintenanceAction {
                region: region.to_string(),
                task_type: "all".into(),
                is_history: Some(flag),
                page_size: Some(100),
                page_number: Some(page),
                ..Default::default()
            },
        )
        .await?;
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

/// The most events one reschedule names.
pub const MAX_EVENTS: usize = 1000;

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
    // Who asks, before anything they sent is read (fourteenth attack run, F2).
    let c = fanout::ctx().await?;
    let locale = crate::api::ssr::request_locale();
    let invalid = |field: &str, message: String| AppError::Invalid {
        field: field.into(),
        message,
    };
    if events.len() > MAX_EVENTS {
        return Err(invalid(
            "Events",
            td_string!(
                locale,
                fleet_ops.ev_at_most,
                max = MAX_EVENTS,
                given = events.len()
            )
            .to_string(),
        ));
    }
    if events.is_empty() {
        return Err(invalid(
            "Events",
            td_string!(locale, fleet_ops.ev_choose_one).to_string(),
        ));
    }
    if let Some(e) = events.iter().find(|e| !can_reschedule(e.status)) {
        return Err(invalid(
            "Events",
            td_string!(
                locale,
                fleet_ops.ev_not_started_only,
                id = e.id,
                status = status_label_in(locale, e.status).to_lowercase()
            )
            .to_string(),
        ));
    }
    let deadlines: Vec<(i64, String)> = events.iter().map(|e| (e.id, e.deadline.clone())).collect();
    if let Some(p) = switch_time_problem_in(locale, &switch_time, now_secs(), &deadlines) {
        return Err(invalid("Switch time", p));
    }
    let at = fmt_minute_utc(parse_utc(&switch_time).unwrap_or_default());
    let mut groups: std::collections::BTreeMap<(String, String), std::collections::BTreeSet<i64>> =
        Default::default();
    for e in &events {
        groups
            .entry((e.account.clone(), e.region.clone()))
            .or_default()
            .insert(e.id);
    }
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
                let request = polardb::models::ModifyPendingMaintenanceAction {
                    ids: list.clone(),
                    switch_time: at.clone(),
                    ..Default::default()
                };
                match crate::kit::tagging::call_in(c, &account, &region, &request).await {
                    Ok(answer) => RegionOutcome {
                        account,
                        region,
                        ok: true,
                        detail: td_string!(
                            locale,
                            fleet_ops.ev_now_switches,
                            ids = list,
                            time = human_time(at)
                        )
                        .to_string(),
                        code: String::new(),
                        request_id: answer.request_id,
                    },
                    Err(p) => fanout::failed(p),
                }
            })
            .collect(),
    )
    .await;
    Ok(outcomes)
}
