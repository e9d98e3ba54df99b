//! `/events`: pending maintenance events of every cloud account and region — counts by
//! type (DescribePendingMaintenanceActions) and the events themselves
//! (DescribePendingMaintenanceAction, all pages) with their switch window — rescheduling one
//! or several (ModifyPendingMaintenanceAction, one call per region), and the history of
//! past events (IsHistory=1).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::i18n::{td_string, Locale};
use crate::kit::outcomes::{outcomes_view, problems_view, RegionOutcome};
use crate::kit::{
    change_error, cluster_href, human_time, problem_line, top_bar_scope, Empty, ErrorBox,
    FieldHint, Loading,
};
use crate::AppError;

mod page;
mod server;
pub use page::*;
pub use server::*;

/// The task types of 16.1.
pub const TASK_TYPES: &[&str] = &[
    "DatabaseSoftwareUpgrading",
    "DatabaseHardwareMaintenance",
    "DatabaseStorageUpgrading",
    "DatabaseProxyUpgrading",
];

use crate::kit::words::locale as locale_here;

pub fn task_type_label(t: &str) -> &str {
    task_type_label_in(locale_here(), t)
}

pub fn task_type_label_in(locale: Locale, t: &str) -> &str {
    match t {
        "DatabaseSoftwareUpgrading" => td_string!(locale, fleet_ops.ev_type_software),
        "DatabaseHardwareMaintenance" => td_string!(locale, fleet_ops.ev_type_hardware),
        "DatabaseStorageUpgrading" => td_string!(locale, fleet_ops.ev_type_storage),
        "DatabaseProxyUpgrading" => td_string!(locale, fleet_ops.ev_type_proxy),
        other => other,
    }
}

/// The statuses of 16.1: 2–4 pending, 5–7 history.
pub fn status_label(s: i64) -> &'static str {
    status_label_in(locale_here(), s)
}

pub fn status_label_in(locale: Locale, s: i64) -> &'static str {
    match s {
        2 => td_string!(locale, fleet_ops.ev_status_waiting),
        3 => td_string!(locale, fleet_ops.ev_status_scheduled),
        4 => td_string!(locale, fleet_ops.ev_status_in_progress),
        5 => td_string!(locale, fleet_ops.ev_status_done),
        6 => td_string!(locale, fleet_ops.ev_status_failed),
        7 => td_string!(locale, fleet_ops.ev_status_cancelled),
        _ => td_string!(locale, fleet_ops.ev_status_unknown),
    }
}

/// Only events that have not started (status 2 or 3) take a new switch time.
pub fn can_reschedule(status: i64) -> bool {
    status == 2 || status == 3
}

// ---------------------------------------------------------------------------------------
// UTC times (the reference's forms, in polardb::rules).

pub use polardb::rules::read_time as parse_utc;

/// Unix seconds → `yyyy-MM-ddTHH:mmZ`, the format ModifyPendingMaintenanceAction takes
/// (16.3).
pub fn fmt_minute_utc(secs: i64) -> String {
    polardb::rules::api_minute(secs)
}

/// Unix seconds → `yyyy-MM-ddTHH:mm`, the value of a date-time field.
pub fn fmt_local_field(secs: i64) -> String {
    fmt_minute_utc(secs).trim_end_matches('Z').to_string()
}

pub use crate::kit::now_secs;

/// What is wrong with a new switch time for the events `(id, deadline)`: the reference's
/// format, in the future, not after any event's deadline.
pub fn switch_time_problem(input: &str, now: i64, events: &[(i64, String)]) -> Option<String> {
    switch_time_problem_in(locale_here(), input, now, events)
}

/// [`switch_time_problem`] in a given language.
pub fn switch_time_problem_in(
    locale: Locale,
    input: &str,
    now: i64,
    events: &[(i64, String)],
) -> Option<String> {
    if input.trim().is_empty() {
        return Some(td_string!(locale, fleet_ops.ev_choose_switch_time).to_string());
    }
    let Some(t) = parse_utc(input) else {
        return Some(td_string!(locale, fleet_ops.ev_time_format).to_string());
    };
    if t <= now + 60 {
        return Some(
            td_string!(
                locale,
                fleet_ops.ev_time_in_future,
                now = fmt_minute_utc(now)
            )
            .to_string(),
        );
    }
    for (id, deadline) in events {
        if let Some(d) = parse_utc(deadline) {
            if t > d {
                return Some(
                    td_string!(
                        locale,
                        fleet_ops.ev_by_deadline,
                        id = id,
                        deadline = human_time(deadline)
                    )
                    .to_string(),
                );
            }
        }
    }
    None
}

/// How pressing an event is: by the time left until its deadline.
pub fn urgency(now: i64, deadline: &str) -> (&'static str, &'static str) {
    let locale = locale_here();
    match parse_utc(deadline) {
        Some(d) if d - now < 2 * 86_400 => {
            (td_string!(locale, fleet_ops.ev_urgent), "badge badge-bad")
        }
        Some(d) if d - now < 7 * 86_400 => (
            td_string!(locale, fleet_ops.ev_soon),
            "badge badge-busy-still",
        ),
        Some(_) => (td_string!(locale, fleet_ops.ev_planned), "badge"),
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
