//! The backup policies: the data-backup schedule and retention, the log-backup retention.

use super::*;
use crate::kit::waiting;

/// Both policies of a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policies {
    pub data: BackupPolicy,
    pub log: LogBackupPolicy,
}

/// The two policy forms.
#[component]
pub(super) fn Policies() -> impl IntoView {
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
    let saved = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.set(None);
            saved.set(Some("Backup policy saved."));
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_log.value().get() {
            log_form.set(None);
            saved.set(Some("Log-backup policy saved."));
            reload.update(|n| *n += 1);
        }
    });
    let region = move || target().map(|t| t.1).unwrap_or_default();
    let problems = move || {
        form.get()
            .map(|f| policy_problems(&f, &region()))
            .unwrap_or_default()
    };
    let log_problems = move || {
        log_form
            .get()
            .map(|f| log_policy_problems(&f, &region()))
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
                        {&d[..3]}
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <section class="panel" data-testid="backup-policy">
            <h2>"Backup policy"</h2>
            {move || saved.get().map(|s| view! { <div class="banner banner-ok" role="status" data-testid="policy-saved">{s}</div> })}
            <Transition fallback=|| view! { <Loading label="Reading the backup policy…" /> }>
                {move || Suspend::new(async move {
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
                    let freq = FREQUENCIES.iter().find(|(v, _)| *v == d.backup_frequency).map(|(_, l)| l.to_string()).unwrap_or(d.backup_frequency.clone());
                    view! {
                        <dl class="kv" data-testid="policy-view">
                            <dt>"Backup days"</dt><dd data-testid="policy-period">{d.preferred_backup_period.replace(',', ", ")}</dd>
                            <dt>"Backup window (UTC)"</dt><dd class="mono" data-testid="policy-time">{d.preferred_backup_time.clone()}</dd>
                            <dt>"Frequency"</dt><dd data-testid="policy-frequency">{freq}</dd>
                            <dt>"Next backup"</dt><dd class="mono">{human_time(&d.preferred_next_backup_time)}</dd>
                            <dt>"Level-1 backups kept"</dt><dd data-testid="policy-level1">{retention_days_label(&d.data_level1_backup_retention_period)}</dd>
                            <dt>"Level-2 backups"</dt><dd data-testid="policy-level2">{retention_days_label(&d.data_level2_backup_retention_period)}</dd>
                            <dt>"Cross-region level-2 copy"</dt><dd>{if d.data_level2_backup_another_region_region.is_empty() { "off".to_string() } else { format!("{} · {}", d.data_level2_backup_another_region_region, retention_days_label(&d.data_level2_backup_another_region_retention_period)) }}</dd>
                            <dt>"Backups after cluster deletion"</dt><dd data-testid="policy-on-deletion">{d.backup_retention_policy_on_cluster_deletion.clone()}</dd>
                        </dl>
                        {can.then(|| view! {
                            <button type="button" class="small" data-testid="edit-policy" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                on:click={ let f = start_form.clone(); move |_| { save.value().set(None); saved.set(None); form.set(Some(f.clone())); } }>"Edit backup policy"</button>
                        })}
                        <h3 class="subhead">"Log backups"</h3>
                        <dl class="kv" data-testid="log-policy-view">
                            <dt>"Log backups"</dt><dd>{if l.enable_backup_log == 1 { "on" } else { "off" }}</dd>
                            <dt>"Kept"</dt><dd data-testid="log-policy-retention">{retention_days_label(&l.log_backup_retention_period.to_string())}</dd>
                            <dt>"Cross-region copy"</dt><dd>{if l.log_backup_another_region_region.is_empty() { "off".to_string() } else { format!("{} · {}", l.log_backup_another_region_region, retention_days_label(&l.log_backup_another_region_retention_period)) }}</dd>
                        </dl>
                        {can_log.then(|| view! {
                            <button type="button" class="small" data-testid="edit-log-policy" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                on:click={ let f = start_log.clone(); move |_| { save_log.value().set(None); saved.set(None); log_form.set(Some(f.clone())); } }>"Edit log-backup policy"</button>
                        })}
                    }.into_any()
                })}
            </Transition>

            {move || form.get().is_some().then(|| {
                let cur = form.get_untracked().unwrap_or_default();
                view! {
                    <form class="stack-form policy-form" data-testid="policy-form" on:submit=submit>
                        <fieldset>
                            <legend>"Backup days (at least two)"</legend>
                            <div class="days" data-testid="policy-days">{day_boxes()}</div>
                        </fieldset>
                        <label>
                            <span>"Backup window (UTC, one hour)"</span>
                            <select data-testid="policy-window" on:change=edit(|f, v| f.preferred_backup_time = v)>
                                {backup_windows().into_iter().map(|w| {
                                    let sel = w == cur.preferred_backup_time;
                                    view! { <option value=w.clone() selected=sel>{w.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>"Frequency"</span>
                            <select data-testid="policy-frequency-select" on:change=edit(|f, v| f.backup_frequency = v)>
                                {FREQUENCIES.iter().map(|(v, l)| view! { <option value=*v selected=*v == cur.backup_frequency>{format!("{l} ({v})")}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>"Level-1 backups kept (3–14 days)"</span>
                            <input type="number" min="3" max="14" data-testid="policy-level1-input" prop:value=cur.data_level1_retention.clone()
                                on:input=edit(|f, v| f.data_level1_retention = v) />
                        </label>
                        <label>
                            <span>"Level-2 backups kept (30–7300 days, -1 for ever, 0 off)"</span>
                            <input type="number" min="-1" max="7300" data-testid="policy-level2-input" prop:value=cur.data_level2_retention.clone()
                                on:input=edit(|f, v| f.data_level2_retention = v) />
                        </label>
                        <label>
                            <span>"Cross-region copy of level-2 backups (region ID, empty for none)"</span>
                            <input type="text" class="mono" prop:value=cur.data_level2_region.clone() on:input=edit(|f, v| f.data_level2_region = v) />
                        </label>
                        <label>
                            <span>"Cross-region copies kept (30–7300 days or -1)"</span>
                            <input type="number" min="-1" max="7300" prop:value=cur.data_level2_region_retention.clone() on:input=edit(|f, v| f.data_level2_region_retention = v) />
                        </label>
                        <label>
                            <span>"Backups after cluster deletion"</span>
                            <select data-testid="policy-deletion-select" on:change=edit(|f, v| f.retention_on_deletion = v)>
                                {[("ALL", "Keep all backups"), ("LATEST", "Keep the last backup"), ("NONE", "Delete all backups")].into_iter().map(|(v, l)| view! {
                                    <option value=v selected=v == cur.retention_on_deletion>{format!("{l} ({v})")}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <p class="muted small-print" data-testid="policy-pg-note">
                            "Not offered, because PolarDB for PostgreSQL does not take them (the SDK's ModifyBackupPolicy says so of each): advanced backup (BackupPolicyLevel), the level-1 frequency, days and time (DataLevel1BackupFrequency, DataLevel1BackupPeriod, DataLevel1BackupTime) and level-2 backup days (DataLevel2BackupPeriod)."
                        </p>
                        <ul class="field-hint" data-testid="policy-problems">
                            {move || problems().into_iter().map(|(f, p)| view! { <li class="field-error">{format!("{f}: {p}.")}</li> }).collect_view()}
                        </ul>
                        {change_error(save.value())}
                        <div class="modal-actions">
                            <button type="button" class="small" on:click=move |_| form.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="save-policy"
                                disabled=move || !problems().is_empty() || save.pending().get()>
                                {move || if save.pending().get() { "Saving…" } else { "Save policy" }}
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
                            <span>"Log backups kept (3–7300 days, or -1 for ever)"</span>
                            <input type="number" min="-1" max="7300" data-testid="log-retention-input" prop:value=cur.retention.clone()
                                on:input=edit_log(|f, v| f.retention = v) />
                        </label>
                        <label>
                            <span>"Cross-region copy (region ID, empty for none)"</span>
                            <input type="text" class="mono" prop:value=cur.region.clone() on:input=edit_log(|f, v| f.region = v) />
                        </label>
                        <label>
                            <span>"Cross-region copies kept (30–7300 days, -1 for ever, 0 off)"</span>
                            <input type="number" min="-1" max="7300" prop:value=cur.region_retention.clone() on:input=edit_log(|f, v| f.region_retention = v) />
                        </label>
                        <ul class="field-hint" data-testid="log-policy-problems">
                            {move || log_problems().into_iter().map(|(f, p)| view! { <li class="field-error">{format!("{f}: {p}.")}</li> }).collect_view()}
                        </ul>
                        {change_error(save_log.value())}
                        <div class="modal-actions">
                            <button type="button" class="small" on:click=move |_| log_form.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="save-log-policy"
                                disabled=move || !log_problems().is_empty() || save_log.pending().get()>
                                {move || if save_log.pending().get() { "Saving…" } else { "Save log-backup policy" }}
                            </button>
                        </div>
                    </form>
                }
            })}
        </section>
    }
}
