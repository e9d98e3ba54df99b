//! When a schedulable change runs: now, or in a window the API keeps for it
//! (`PlannedStartTime` / `PlannedEndTime`, UTC; CreateDBNodes 8.1, ModifyDBNodeClass 8.4,
//! ModifyDBClusterPrimaryZone 6.9.2). A planned change is a scheduled task: it appears on
//! `/tasks`, where it can be cancelled until it starts. The rule is the reference's, in
//! `polardb::rules`, checked as the user types and again on the server.

use leptos::prelude::*;

use super::field::FieldHint;
use super::format::now_secs;
use crate::i18n::{t, t_string, td_string, use_i18n};
use polardb::rules::{api_minute, planned_window_problem, read_time};

/// A time as the API takes it (`yyyy-MM-ddTHH:mm:ssZ`) from a date-time field's value.
fn api_value(field: &str) -> String {
    match read_time(field.trim()) {
        Some(t) => api_minute(t).replace('Z', ":00Z"),
        None => field.trim().to_string(),
    }
}

/// The problem with a window at `now`, as a sentence naming the field.
fn problem_at(start: &str, end: &str, now: i64) -> Option<(&'static str, String)> {
    let locale = super::words::locale();
    planned_window_problem(&api_value(start), &api_value(end), now).map(|(field, rule)| {
        let label = if field == "PlannedStartTime" {
            td_string!(locale, kit.earliest_start)
        } else {
            td_string!(locale, kit.latest_start)
        };
        (field, format!("{label} {rule}."))
    })
}

/// A change's window as a form sends it: date-time field values in UTC; an empty start
/// means now.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Planned {
    pub start: String,
    pub end: String,
}

impl Planned {
    /// The window the fields hold now.
    pub fn of(start: RwSignal<String>, end: RwSignal<String>) -> Planned {
        Planned {
            start: start.get_untracked(),
            end: end.get_untracked(),
        }
    }

    pub fn is_now(&self) -> bool {
        self.start.trim().is_empty()
    }
}

/// The window's parameters for a typed request: `(None, None)` for now, else the times in
/// the API's form; invalid input (400) names the parameter and the rule.
pub fn planned_params(
    planned: &Planned,
) -> Result<(Option<String>, Option<String>), crate::AppError> {
    let (start, end) = (planned.start.as_str(), planned.end.as_str());
    if let Some((field, rule)) = problem_at(start, end, now_secs()) {
        return Err(crate::error::invalid(field, rule));
    }
    let some = |v: &str| (!v.trim().is_empty()).then(|| api_value(v));
    Ok((some(start), some(end)))
}

/// The "when" of a form: now, or a window in UTC within the next 24 hours. `start` empty
/// means now; `problem` is what stops the form's submit button.
#[component]
pub fn PlannedWindow(
    start: RwSignal<String>,
    end: RwSignal<String>,
    /// Set while the window is not valid.
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let planned = RwSignal::new(!start.get_untracked().is_empty());
    Effect::new(move |_| {
        let p = if planned.get() {
            let (s, e) = (start.get(), end.get());
            if s.trim().is_empty() {
                Some(t_string!(i18n, kit.earliest_required).to_string())
            } else {
                problem_at(&s, &e, now_secs()).map(|(_, p)| p)
            }
        } else {
            None
        };
        problem.set(p);
    });
    let choose = move |plan: bool| {
        planned.set(plan);
        if plan {
            if start.get_untracked().is_empty() {
                // An hour from now, on the minute: a valid start to edit.
                let t = (now_secs() / 60 + 60) * 60;
                start.set(api_minute(t).trim_end_matches('Z').to_string());
            }
        } else {
            start.set(String::new());
            end.set(String::new());
        }
    };
    view! {
        <fieldset class="planned" data-testid="planned-window">
            <legend>{t!(i18n, kit.when)}</legend>
            <label class="inline-choice">
                <input type="radio" name="planned" data-testid="planned-now"
                    prop:checked=move || !planned.get() on:change=move |_| choose(false) />
                {t!(i18n, kit.now)}
            </label>
            <label class="inline-choice">
                <input type="radio" name="planned" data-testid="planned-later"
                    prop:checked=move || planned.get() on:change=move |_| choose(true) />
                {t!(i18n, kit.planned_24h)}
            </label>
            {move || planned.get().then(|| view! {
                <div class="planned-times">
                    <label>
                        <span>{t!(i18n, kit.earliest_utc)}</span>
                        <input type="datetime-local" data-testid="planned-start"
                            prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{t!(i18n, kit.latest_utc)}</span>
                        <input type="datetime-local" data-testid="planned-end"
                            prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev)) />
                    </label>
                    <FieldHint testid="planned-problem" problem=Signal::derive(move || problem.get())
                        hint=t_string!(i18n, kit.planned_hint) />
                </div>
            })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_value_becomes_the_api_form_and_the_rule_names_the_field() {
        assert_eq!(api_value("2026-12-01T10:00"), "2026-12-01T10:00:00Z");
        assert_eq!(api_value("2026-12-01T10:00Z"), "2026-12-01T10:00:00Z");
        let now = read_time("2026-12-01T09:00").unwrap();
        assert_eq!(problem_at("2026-12-01T10:00", "", now), None);
        let (field, p) = problem_at("2026-12-03T10:00", "", now).unwrap();
        assert_eq!(field, "PlannedStartTime");
        assert!(p.starts_with("Earliest start"), "{p}");
        let (field, _) = problem_at("2026-12-01T10:00", "2026-12-01T10:10", now).unwrap();
        assert_eq!(field, "PlannedEndTime");
    }
}
