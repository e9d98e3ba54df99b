//! The source of a clone or restore in the create wizard: the latest data, a completed
//! backup set, or a time inside the range the source's backups and log backups cover.

use super::*;
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::api_word;

/// `YYYY-MM-DDThh:mm:ss` of a time (UTC): the value of a `datetime-local` field.
pub(super) fn datetime_field(t: i64) -> String {
    ClonePoint::Time(t)
        .param()
        .trim_end_matches('Z')
        .to_string()
}

/// The source of a clone and the point its data is taken at: the latest data, a completed
/// backup set, or a time inside the range its backups and log backups cover.
#[component]
pub(super) fn SourceChoice(
    source: Resource<Result<Option<CloneSource>, AppError>>,
    point_kind: RwSignal<String>,
    point_backup: RwSignal<String>,
    point_time: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let radio = move |value: &'static str, disabled: bool| {
        let label = move || match value {
            "latest" => t_string!(i18n, fleet.point_latest),
            "backup" => t_string!(i18n, fleet.point_backup),
            _ => t_string!(i18n, fleet.point_time),
        };
        view! {
            <label class="check">
                <input type="radio" name="clone-point" value=value data-testid=format!("wiz-point-{value}")
                    disabled=disabled
                    prop:checked=move || point_kind.get() == value
                    on:change=move |_| point_kind.set(value.to_string()) />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <div class="clone-source panel" data-testid="wiz-source">
            <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet.reading_source) /> }>
                {move || Suspend::new(async move {
                    let src = match source.await {
                        Ok(Some(src)) => src,
                        Ok(None) => return ().into_any(),
                        Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                    };
                    let window = src.window.map(|(s, e)| (ClonePoint::Time(s).param(), ClonePoint::Time(e).param()));
                    let no_backups = src.backups.is_empty();
                    let no_window = src.window.is_none();
                    view! {
                        <p>{t!(i18n, fleet.source_prefix)}
                            <strong data-testid="wiz-source-name">{if src.name.is_empty() { src.id.clone() } else { src.name.clone() }}</strong>
                            <span class="mono">{format!(" {} ", src.id)}</span>
                            <span class="muted">{
                                let (version, status) = (src.version.clone(), src.status.clone());
                                move || format!("PostgreSQL {} · {}", version, api_word(&status))
                            }</span>
                        </p>
                        <div class="choice-row" role="radiogroup" aria-label=move || t_string!(i18n, fleet.data_point)>
                            {radio("latest", false)}
                            {radio("backup", no_backups)}
                            {radio("time", no_window)}
                        </div>
                        {move || (point_kind.get() == "backup").then(|| {
                            let backups = src.backups.clone();
                            view! {
                                <label><span>{t!(i18n, fleet.backup_set)}</span>
                                    <select data-testid="wiz-point-backup-id" on:change=move |ev| point_backup.set(event_target_value(&ev))>
                                        {backups.into_iter().map(|(id, at, mode)| {
                                            let id2 = id.clone();
                                            let id3 = id.clone();
                                            let text = move || {
                                                let mode = if mode == "Manual" { t_string!(i18n, fleet.mode_manual_lower) } else { t_string!(i18n, fleet.mode_automatic_lower) };
                                                t_string!(i18n, fleet.backup_option, id = id3.clone(), at = at.clone(), mode = mode)
                                            };
                                            view! { <option value=id.clone() selected=move || point_backup.get() == id2>{text}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                            }
                        })}
                        {move || (point_kind.get() == "time").then(|| view! {
                            <label><span>{t!(i18n, fleet.point_in_time_utc)}</span>
                                <input type="datetime-local" step="1" data-testid="wiz-point-at"
                                    prop:value=move || point_time.get()
                                    on:input=move |ev| point_time.set(event_target_value(&ev)) />
                            </label>
                        })}
                        <p class="muted small-print" data-testid="wiz-window">{move || match window.clone() {
                            Some((from, to)) => t_string!(i18n, fleet.restorable_window, from = from, to = to),
                            None => t_string!(i18n, fleet.no_restorable_window).to_string(),
                        }}</p>
                        {no_backups.then(|| view! { <p class="muted small-print">{t!(i18n, fleet.no_recent_backup)}</p> })}
                    }.into_any()
                })}
            </Transition>
        </div>
    }
}
