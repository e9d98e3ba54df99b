//! The source of a clone or restore in the create wizard: the latest data, a completed
//! backup set, or a time inside the range the source's backups and log backups cover.

use super::*;

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
    let radio = move |value: &'static str, label: &'static str, disabled: bool| {
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
            <Transition fallback=|| view! { <Loading label="Reading the source cluster, its backups and log backups…" /> }>
                {move || Suspend::new(async move {
                    let src = match source.await {
                        Ok(Some(src)) => src,
                        Ok(None) => return ().into_any(),
                        Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                    };
                    let window = src.window.map(|(s, e)| format!(
                        "Restorable to any second from {} to {} (UTC): from the first completed backup the log backups reach to the end of the last log backup.",
                        ClonePoint::Time(s).param(), ClonePoint::Time(e).param()));
                    let no_backups = src.backups.is_empty();
                    let no_window = src.window.is_none();
                    view! {
                        <p>"Source: "
                            <strong data-testid="wiz-source-name">{if src.name.is_empty() { src.id.clone() } else { src.name.clone() }}</strong>
                            <span class="mono">{format!(" {} ", src.id)}</span>
                            <span class="muted">{format!("PostgreSQL {} · {}", src.version, src.status)}</span>
                        </p>
                        <div class="choice-row" role="radiogroup" aria-label="Data point">
                            {radio("latest", "Latest data", false)}
                            {radio("backup", "A backup set", no_backups)}
                            {radio("time", "A point in time (UTC)", no_window)}
                        </div>
                        {move || (point_kind.get() == "backup").then(|| {
                            let backups = src.backups.clone();
                            view! {
                                <label><span>"Backup set"</span>
                                    <select data-testid="wiz-point-backup-id" on:change=move |ev| point_backup.set(event_target_value(&ev))>
                                        {backups.into_iter().map(|(id, at, mode)| {
                                            let id2 = id.clone();
                                            view! { <option value=id.clone() selected=move || point_backup.get() == id2>{format!("{id} · consistent to {at} · {}", if mode == "Manual" { "manual" } else { "automatic" })}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                            }
                        })}
                        {move || (point_kind.get() == "time").then(|| view! {
                            <label><span>"Point in time (UTC)"</span>
                                <input type="datetime-local" step="1" data-testid="wiz-point-at"
                                    prop:value=move || point_time.get()
                                    on:input=move |ev| point_time.set(event_target_value(&ev)) />
                            </label>
                        })}
                        <p class="muted small-print" data-testid="wiz-window">{match window {
                            Some(w) => w,
                            None => "No point in time can be restored: no completed backup is followed by log backups.".to_string(),
                        }}</p>
                        {no_backups.then(|| view! { <p class="muted small-print">"The source has no completed backup in the last two years."</p> })}
                    }.into_any()
                })}
            </Transition>
        </div>
    }
}
