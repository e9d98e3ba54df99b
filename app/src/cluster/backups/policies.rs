//! The backup policies: the data-backup schedule and retention, the log-backup retention.

use super::*;
use crate::kit::waiting;

/// A day of the week (as the API names it: `Monday`) in its short word (`Mon`).
fn day_short(locale: Locale, day: &str) -> String {
    match day {
        "Monday" => td_string!(locale, cluster_data.day_mon).to_string(),
        "Tuesday" => td_string!(locale, cluster_data.day_tue).to_string(),
        "Wednesday" => td_string!(locale, cluster_data.day_wed).to_string(),
        "Thursday" => td_string!(locale, cluster_data.day_thu).to_string(),
        "Friday" => td_string!(locale, cluster_data.day_fri).to_string(),
        "Saturday" => td_string!(locale, cluster_data.day_sat).to_string(),
        "Sunday" => td_string!(locale, cluster_data.day_sun).to_string(),
        other => other.chars().take(3).collect(),
    }
}

/// Both policies of a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policies {
    pub data: BackupPolicy,
    pub log: LogBackupPolicy,
}

/// The two policy forms.
#[component]
pub(super) fn Policies() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let target = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| (d.account, d.region, d.attr.db_cluster_id))
    };
    let reload = RwSignal::new(0u32);
    let policies = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(t, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => backup_policies(a, r, c).await,
                Err(e) => Err(e),
            })
        },
    );
    let allowed = Resource::new(
        move || ctx.scope.get(),
        |t| async move {
            match resolve(t).await {
                Ok((a, r, c)) => crate::api::permissions(
                    a,
                    r,
                    Some(c),
                    vec![
                        "polardb:ModifyBackupPolicy".into(),
                        "polardb:ModifyLogBackupPolicy".into(),
                    ],
                )
                .await
                .unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        },
    );
    let save = ServerAction::<SaveBackupPolicy>::new();
    let save_log = ServerAction::<SaveLogBackupPolicy>::new();
    let form = RwSignal::new(None::<PolicyForm>);
    let log_form = RwSignal::new(None::<LogPolicyForm>);
    // Which policy was saved last: the backup policy (false) or the log-backup policy (true).
    let saved = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.set(None);
            saved.set(Some(false));
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_log.value().get() {
            log_form.set(None);
            saved.set(Some(true));
            reload.update(|n| *n += 1);
        }
    });
    let region = move || target().map(|t| t.1).unwrap_or_default();
    let problems = move || {
        form.get()
            .map(|f| policy_problems(i18n.get_locale(), &f, &region()))
            .unwrap_or_default()
    };
    let log_problems = move || {
        log_form
            .get()
            .map(|f| log_policy_problems(i18n.get_locale(), &f, &region()))
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some((account, region, cluster)), Some(f)) = (target(), form.get_untracked()) else {
            return;
        };
        if !problems().is_empty() {
            return;
        }
        save.dispatch(SaveBackupPolicy {
            account,
            region,
            cluster,
            form: f,
        });
    };
    let submit_log = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some((account, region, cluster)), Some(f)) = (target(), log_form.get_untracked())
        else {
            return;
        };
        if !log_problems().is_empty() {
            return;
        }
        save_log.dispatch(SaveLogBackupPolicy {
            account,
            region,
            cluster,
            form: f,
        });
    };
    let edit = move |f: fn(&mut PolicyForm, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            form.update(|x| {
                if let Some(x) = x {
                    f(x, v)
                }
            })
        }
    };
    let edit_log = move |f: fn(&mut LogPolicyForm, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            log_form.update(|x| {
                if let Some(x) = x {
                    f(x, v)
                }
            })
        }
    };
    let day_boxes = move || {
        WEEKDAYS
            .iter()
            .map(|d| {
                let d = *d;
                let checked = move || {
                    form.with(|f| {
                        f.as_ref()
                            .is_some_and(|f| f.preferred_backup_period.iter().any(|x| x == d))
                    })
                };
                view! {
                    <label class="day">
                        <input type="checkbox" data-day=d data-level="1"
                            prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.update(|f| if let Some(f) = f {
                                    f.preferred_backup_period.retain(|x| x != d);
                                    if on { f.preferred_backup_period.push(d.to_string()); }
                                });
                            } />
                        {move || day_short(i18n.get_locale(), d)}
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <section class="panel" data-testid="backup-policy">
            <h2>{t!(i18n, cluster_data.backup_policy)}</h2>
            {move || saved.get().map(|log| view! {
                <div class="banner banner-ok" role="status" data-testid="policy-saved">
                    {move || if log { t_string!(i18n, cluster_data.log_policy_saved) } else { t_string!(i18n, cluster_data.policy_saved) }}
                </div>
            })}
            <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_backup_policy).to_string() /> }>
                {move || { let locale = i18n.get_locale(); Suspend::new(async move {
                    let p = match policies.await {
                        None => return view! { <Loading /> }.into_any(),
                        Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                        Some(Ok(p)) => p,
                    };
                    let allowed = allowed.await;
                    let can = allowed.iter().any(|a| a == "polardb:ModifyBackupPolicy");
                    let can_log = allowed.iter().any(|a| a == "polardb:ModifyLogBackupPolicy");
                    let d = p.data.clone();
                    let l = p.log.clone();
                    let start_form = PolicyForm::from_policy(&d);
                    let start_log = LogPolicyForm {
                        retention: l.log_backup_retention_period.to_string(),
                        region: l.log_backup_another_region_region.clone(),
                        region_retention: if l.log_backup_another_region_retention_period.is_empty() { "0".into() } else { l.log_backup_another_region_retention_period.clone() },
                    };
                    let freq = frequency_label(locale, &d.backup_frequency);
                    let off = || td_string!(locale, cluster_data.off).to_string();
                    let days = d.preferred_backup_period.split(',').map(|x| api_word_in(locale, x)).collect::<Vec<_>>().join(td_string!(locale, cluster_data.list_sep));
                    view! {
                        <dl class="kv" data-testid="policy-view">
                            <dt>{td_string!(locale, cluster_data.field_backup_days)}</dt><dd data-testid="policy-period">{days}</dd>
                            <dt>{td_string!(locale, cluster_data.backup_window_utc)}</dt><dd class="mono" data-testid="policy-time">{d.preferred_backup_time.clone()}</dd>
                            <dt>{td_string!(locale, cluster_data.frequency)}</dt><dd data-testid="policy-frequency">{freq}</dd>
                            <dt>{td_string!(locale, cluster_data.next_backup)}</dt><dd class="mono">{human_time(&d.preferred_next_backup_time)}</dd>
                            <dt>{td_string!(locale, cluster_data.level1_kept)}</dt><dd data-testid="policy-level1">{retention_days_label(locale, &d.data_level1_backup_retention_period)}</dd>
                            <dt>{td_string!(locale, cluster_data.level2_backups)}</dt><dd data-testid="policy-level2">{retention_days_label(locale, &d.data_level2_backup_retention_period)}</dd>
                            <dt>{td_string!(locale, cluster_data.cross_region_level2)}</dt><dd>{if d.data_level2_backup_another_region_region.is_empty() { off() } else { format!("{} · {}", d.data_level2_backup_another_region_region, retention_days_label(locale, &d.data_level2_backup_another_region_retention_period)) }}</dd>
                            <dt>{td_string!(locale, cluster_data.after_cluster_deletion)}</dt><dd data-testid="policy-on-deletion">{api_word_in(locale, &d.backup_retention_policy_on_cluster_deletion)}</dd>
                        </dl>
                        {can.then(|| view! {
                            <button type="button" class="small" data-testid="edit-policy" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                on:click={ let f = start_form.clone(); move |_| { save.value().set(None); saved.set(None); form.set(Some(f.clone())); } }>{td_string!(locale, cluster_data.edit_backup_policy)}</button>
                        })}
                        <h3 class="subhead">{td_string!(locale, cluster_data.log_backups)}</h3>
                        <dl class="kv" data-testid="log-policy-view">
                            <dt>{td_string!(locale, cluster_data.log_backups)}</dt><dd>{if l.enable_backup_log == 1 { td_string!(locale, cluster_data.on) } else { td_string!(locale, cluster_data.off) }}</dd>
                            <dt>{td_string!(locale, cluster_data.kept)}</dt><dd data-testid="log-policy-retention">{retention_days_label(locale, &l.log_backup_retention_period.to_string())}</dd>
                            <dt>{td_string!(locale, cluster_data.cross_region_copy)}</dt><dd>{if l.log_backup_another_region_region.is_empty() { off() } else { format!("{} · {}", l.log_backup_another_region_region, retention_days_label(locale, &l.log_backup_another_region_retention_period)) }}</dd>
                        </dl>
                        {can_log.then(|| view! {
                            <button type="button" class="small" data-testid="edit-log-policy" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                on:click={ let f = start_log.clone(); move |_| { save_log.value().set(None); saved.set(None); log_form.set(Some(f.clone())); } }>{td_string!(locale, cluster_data.edit_log_policy)}</button>
                        })}
                    }.into_any()
                })}}
            </Transition>

            {move || form.get().is_some().then(|| {
                let cur = form.get_untracked().unwrap_or_default();
                view! {
                    <form class="stack-form policy-form" data-testid="policy-form" on:submit=submit>
                        <fieldset>
                            <legend>{t!(i18n, cluster_data.backup_days_legend)}</legend>
                            <div class="days" data-testid="policy-days">{day_boxes()}</div>
                        </fieldset>
                        <label>
                            <span>{t!(i18n, cluster_data.backup_window_label)}</span>
                            <select data-testid="policy-window" on:change=edit(|f, v| f.preferred_backup_time = v)>
                                {backup_windows().into_iter().map(|w| {
                                    let sel = w == cur.preferred_backup_time;
                                    view! { <option value=w.clone() selected=sel>{w.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.frequency)}</span>
                            <select data-testid="policy-frequency-select" on:change=edit(|f, v| f.backup_frequency = v)>
                                {FREQUENCIES.iter().map(|v| view! { <option value=*v selected=*v == cur.backup_frequency>{move || t_string!(i18n, cluster_data.option_with_code, label = frequency_label(i18n.get_locale(), v), code = *v).to_string()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.level1_kept_label)}</span>
                            <input type="number" min="3" max="14" data-testid="policy-level1-input" prop:value=cur.data_level1_retention.clone()
                                on:input=edit(|f, v| f.data_level1_retention = v) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.level2_kept_label)}</span>
                            <input type="number" min="-1" max="7300" data-testid="policy-level2-input" prop:value=cur.data_level2_retention.clone()
                                on:input=edit(|f, v| f.data_level2_retention = v) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.level2_region_label)}</span>
                            <input type="text" class="mono" prop:value=cur.data_level2_region.clone() on:input=edit(|f, v| f.data_level2_region = v) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.level2_region_kept_label)}</span>
                            <input type="number" min="-1" max="7300" prop:value=cur.data_level2_region_retention.clone() on:input=edit(|f, v| f.data_level2_region_retention = v) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.after_cluster_deletion)}</span>
                            <select data-testid="policy-deletion-select" on:change=edit(|f, v| f.retention_on_deletion = v)>
                                {["ALL", "LATEST", "NONE"].into_iter().map(|v| view! {
                                    <option value=v selected=v == cur.retention_on_deletion>{move || {
                                        let label = match v {
                                            "ALL" => t_string!(i18n, cluster_data.keep_all_backups),
                                            "LATEST" => t_string!(i18n, cluster_data.keep_last_backup),
                                            _ => t_string!(i18n, cluster_data.delete_all_backups),
                                        };
                                        t_string!(i18n, cluster_data.option_with_code, label = label, code = v).to_string()
                                    }}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <p class="muted small-print" data-testid="policy-pg-note">
                            {t!(i18n, cluster_data.policy_pg_note)}
                        </p>
                        <ul class="field-hint" data-testid="policy-problems">
                            {move || problems().into_iter().map(|(f, p)| view! { <li class="field-error">{t_string!(i18n, cluster_data.problem_line, field = policy_field_label(i18n.get_locale(), f), problem = p).to_string()}</li> }).collect_view()}
                        </ul>
                        {change_error(save.value())}
                        <div class="modal-actions">
                            <button type="button" class="small" on:click=move |_| form.set(None)>{t!(i18n, cluster_data.cancel)}</button>
                            <button type="submit" class="small primary-small" data-testid="save-policy"
                                disabled=move || !problems().is_empty() || save.pending().get()>
                                {move || if save.pending().get() { t_string!(i18n, cluster_data.saving) } else { t_string!(i18n, cluster_data.save_policy) }}
                            </button>
                        </div>
                    </form>
                }
            })}

            {move || log_form.get().is_some().then(|| {
                let cur = log_form.get_untracked().unwrap_or_default();
                view! {
                    <form class="stack-form policy-form" data-testid="log-policy-form" on:submit=submit_log>
                        <label>
                            <span>{t!(i18n, cluster_data.log_kept_label)}</span>
                            <input type="number" min="-1" max="7300" data-testid="log-retention-input" prop:value=cur.retention.clone()
                                on:input=edit_log(|f, v| f.retention = v) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.log_region_label)}</span>
                            <input type="text" class="mono" prop:value=cur.region.clone() on:input=edit_log(|f, v| f.region = v) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_data.log_region_kept_label)}</span>
                            <input type="number" min="-1" max="7300" prop:value=cur.region_retention.clone() on:input=edit_log(|f, v| f.region_retention = v) />
                        </label>
                        <ul class="field-hint" data-testid="log-policy-problems">
                            {move || log_problems().into_iter().map(|(f, p)| view! { <li class="field-error">{t_string!(i18n, cluster_data.problem_line, field = policy_field_label(i18n.get_locale(), f), problem = p).to_string()}</li> }).collect_view()}
                        </ul>
                        {change_error(save_log.value())}
                        <div class="modal-actions">
                            <button type="button" class="small" on:click=move |_| log_form.set(None)>{t!(i18n, cluster_data.cancel)}</button>
                            <button type="submit" class="small primary-small" data-testid="save-log-policy"
                                disabled=move || !log_problems().is_empty() || save_log.pending().get()>
                                {move || if save_log.pending().get() { t_string!(i18n, cluster_data.saving) } else { t_string!(i18n, cluster_data.save_log_policy) }}
                            </button>
                        </div>
                    </form>
                }
            })}
        </section>
    }
}
