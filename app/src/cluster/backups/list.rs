//! The backup list: filters, pages, manual backups and their deletion, the backup log.

use super::*;
use crate::kit::{waiting, Pager};

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/backups`.
#[component]
pub fn ClusterBackupsPage() -> impl IntoView {
    view! {
        <Backups />
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Filter {
    start: String,
    end: String,
    mode: String,
    status: String,
    level: String,
    page: u32,
    size: u32,
}

pub(super) fn job_label(locale: Locale, stage: &str) -> String {
    match stage {
        "NoStart" => td_string!(locale, cluster_data.job_not_started).to_string(),
        "Preparing" => td_string!(locale, cluster_data.job_preparing).to_string(),
        "Waiting" => td_string!(locale, cluster_data.job_waiting).to_string(),
        "Uploading" => td_string!(locale, cluster_data.job_uploading).to_string(),
        "Checking" => td_string!(locale, cluster_data.job_checking).to_string(),
        "Finished" => td_string!(locale, cluster_data.job_finished).to_string(),
        other => other.to_string(),
    }
}

pub(super) fn retention_days_label(locale: Locale, v: &str) -> String {
    match v.trim() {
        "-1" => td_string!(locale, cluster_data.kept_for_ever).to_string(),
        "0" => td_string!(locale, cluster_data.off).to_string(),
        "" => "—".into(),
        n => td_string!(locale, cluster_data.n_days, n = n).to_string(),
    }
}

#[component]
pub(super) fn Backups() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;

    let target = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| (d.account, d.region, d.attr.db_cluster_id))
    };
    let cluster_status = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| d.attr.db_cluster_status)
            .unwrap_or_default()
    };

    // Filters as typed, and as applied.
    let f_start = RwSignal::new(String::new());
    let f_end = RwSignal::new(String::new());
    let f_mode = RwSignal::new(String::new());
    let f_status = RwSignal::new(String::new());
    let f_level = RwSignal::new(String::new());
    let f_size = RwSignal::new(30u32);
    let filter = RwSignal::new(Filter {
        start: String::new(),
        end: String::new(),
        mode: String::new(),
        status: String::new(),
        level: String::new(),
        page: 1,
        size: 30,
    });
    let reload = RwSignal::new(0u32);
    let backups = Resource::new(
        move || (ctx.scope.get(), filter.get(), reload.get()),
        |(t, f, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => {
                    list_backups(a, r, c, f.start, f.end, f.mode, f.status, f.page, f.size).await
                }
                Err(e) => Err(e),
            })
        },
    );
    let log_page = RwSignal::new(1u32);
    let logs = Resource::new(
        move || {
            (
                ctx.scope.get(),
                filter.with(|f| (f.start.clone(), f.end.clone())),
                log_page.get(),
            )
        },
        |(t, (s, e), page)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => list_backup_logs(a, r, c, s, e, page).await,
                Err(e) => Err(e),
            })
        },
    );

    // Manual backups: the job followed, and the jobs in progress.
    let create = ServerAction::<CreateBackup>::new();
    let followed = RwSignal::new(None::<String>);
    let jobs_tick = RwSignal::new(0u32);
    let jobs = Resource::new(
        move || (ctx.scope.get(), followed.get(), jobs_tick.get()),
        |(t, job, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => backup_tasks(a, r, c, job.unwrap_or_default()).await,
                Err(e) => Err(e),
            })
        },
    );
    let completed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(job)) = create.value().get() {
            completed.set(None);
            followed.set(Some(job));
        }
    });
    // A followed job that reached Finished: the new backup is in the list.
    Effect::new(move |_| {
        let Some(Some(Ok(list))) = jobs.get() else {
            return;
        };
        if let Some(id) = followed.get_untracked() {
            if list
                .iter()
                .any(|j| j.backup_job_id == id && j.backup_progress_status == "Finished")
            {
                followed.set(None);
                completed.set(Some(id));
                reload.update(|n| *n += 1);
            }
        }
    });
    let job_running = move || {
        followed.get().is_some()
            || matches!(jobs.get(), Some(Some(Ok(list))) if list.iter().any(|j| j.backup_progress_status != "Finished"))
    };
    // Re-read the jobs while one runs.
    Effect::new(move |_| {
        hydrated.set(true);
        let tick = move || {
            let busy = followed.get_untracked().is_some()
                || matches!(jobs.get_untracked(), Some(Some(Ok(list))) if list.iter().any(|j| j.backup_progress_status != "Finished"));
            if busy {
                jobs_tick.update(|n| *n += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, POLL) {
            on_cleanup(move || handle.clear());
        }
    });

    // Deletion.
    let delete = ServerAction::<DeleteBackup>::new();
    let confirm = RwSignal::new(None::<Backup>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = delete.value().get() {
            confirm.set(None);
            reload.update(|n| *n += 1);
        }
    });

    let filter_problem = move || range_problem(i18n.get_locale(), &f_start.get(), &f_end.get());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if filter_problem().is_some() {
            return;
        }
        log_page.set(1);
        filter.set(Filter {
            start: f_start.get_untracked(),
            end: f_end.get_untracked(),
            mode: f_mode.get_untracked(),
            status: f_status.get_untracked(),
            level: f_level.get_untracked(),
            page: 1,
            size: f_size.get_untracked(),
        });
    };
    let start_backup = move |_| {
        let Some((account, region, cluster)) = target() else {
            return;
        };
        completed.set(None);
        create.dispatch(CreateBackup {
            account,
            region,
            cluster,
        });
    };

    let body = move || {
        view! {
            <section class="panel" data-testid="backup-actions">
                <div class="toolbar">
                    <h2>{t!(i18n, cluster_data.backups)}</h2>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let Some(Ok(p)) = backups.await else { return ().into_any() };
                            if !p.allowed.iter().any(|a| a == "CreateBackup") {
                                return ().into_any();
                            }
                            let manual = p.manual;
                            view! {
                                <div class="toolbar-actions">
                                    {move || create_refusal(i18n.get_locale(), &cluster_status(), manual, job_running()).map(|r| view! {
                                        <span class="refusal" data-testid="create-refused" role="note">{r}</span>
                                    })}
                                    <button type="button" class="small primary-small" data-testid="create-backup"
                                        title=move || waiting(hydrated)
                                        disabled=move || !hydrated.get() || create.pending().get()
                                            || create_refusal(i18n.get_locale(), &cluster_status(), manual, job_running()).is_some()
                                        on:click=start_backup>
                                        {move || if create.pending().get() { t_string!(i18n, cluster_data.starting) } else { t_string!(i18n, cluster_data.back_up_now) }}
                                    </button>
                                </div>
                            }.into_any()
                        })}
                    </Transition>
                </div>
                {change_error(create.value())}
                {move || completed.get().map(|id| view! {
                    <div class="banner banner-ok" role="status" data-testid="backup-completed">
                        {move || t_string!(i18n, cluster_data.manual_backup_completed, id = id.clone()).to_string()}
                    </div>
                })}
                {move || match jobs.get() {
                    Some(Some(Ok(list))) if !list.is_empty() => view! {
                        <ul class="job-list" data-testid="backup-jobs">
                            {list.into_iter().map(|j| {
                                let pct = j.process.parse::<u32>().unwrap_or(0).min(100);
                                let locale = i18n.get_locale();
                                let mode = if j.job_mode == "Manual" {
                                    td_string!(locale, cluster_data.job_manual)
                                } else {
                                    td_string!(locale, cluster_data.job_automatic)
                                };
                                view! {
                                    <li data-job-id=j.backup_job_id.clone() data-stage=j.backup_progress_status.clone()>
                                        <span class="mono">{td_string!(locale, cluster_data.job_id, id = j.backup_job_id.clone()).to_string()}</span>
                                        <span>{td_string!(locale, cluster_data.job_line, mode = mode, action = api_word_in(locale, &j.task_action), stage = job_label(locale, &j.backup_progress_status)).to_string()}</span>
                                        <progress max="100" value=pct.to_string() aria-label=td_string!(locale, cluster_data.backup_progress)></progress>
                                        <span data-testid="job-percent">{format!("{pct}%")}</span>
                                        <span class="muted">{td_string!(locale, cluster_data.job_started, time = human_time(&j.start_time)).to_string()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Some(Some(Err(e))) => view! { <ErrorBox error=e /> }.into_any(),
                    _ => ().into_any(),
                }}

                <form class="filters" data-testid="backup-filters" on:submit=apply>
                    <label>{t!(i18n, cluster_data.from_utc)}
                        <input type="datetime-local" data-testid="filter-start" prop:value=move || f_start.get()
                            on:input=move |ev| f_start.set(event_target_value(&ev)) />
                    </label>
                    <label>{t!(i18n, cluster_data.to_utc)}
                        <input type="datetime-local" data-testid="filter-end" prop:value=move || f_end.get()
                            on:input=move |ev| f_end.set(event_target_value(&ev)) />
                    </label>
                    <label>{t!(i18n, cluster_data.mode)}
                        <select data-testid="filter-mode" on:change=move |ev| f_mode.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, cluster_data.any)}</option>
                            <option value="Automated">{t!(i18n, cluster_data.mode_automatic)}</option>
                            <option value="Manual">{t!(i18n, cluster_data.mode_manual)}</option>
                        </select>
                    </label>
                    <label>{t!(i18n, cluster_data.status)}
                        <select data-testid="filter-status" on:change=move |ev| f_status.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, cluster_data.any)}</option>
                            <option value="Success">{t!(i18n, cluster_data.status_completed)}</option>
                            <option value="Failed">{t!(i18n, cluster_data.status_failed)}</option>
                        </select>
                    </label>
                    <label>{t!(i18n, cluster_data.level)}
                        <select data-testid="filter-level" on:change=move |ev| f_level.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, cluster_data.any)}</option>
                            <option value="Level-1">{t!(i18n, cluster_data.level_1)}</option>
                            <option value="Level-2">{t!(i18n, cluster_data.level_2)}</option>
                        </select>
                    </label>
                    <label>{t!(i18n, cluster_data.per_page)}
                        <select on:change=move |ev| f_size.set(event_target_value(&ev).parse().unwrap_or(30))>
                            {PAGE_SIZES.iter().map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="small" data-testid="apply-filters" title=move || waiting(hydrated) disabled=move || !hydrated.get() || filter_problem().is_some()>{t!(i18n, cluster_data.apply)}</button>
                    <p class="field-hint">
                        {move || match filter_problem() {
                            Some(p) => view! { <span class="field-error" data-testid="filter-problem">{t_string!(i18n, cluster_data.time_range_problem, problem = p).to_string()}</span> }.into_any(),
                            None => view! { <span class="muted">{t!(i18n, cluster_data.filters_hint)}</span> }.into_any(),
                        }}
                    </p>
                </form>

                <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_backups).to_string() /> }>
                    {move || { let locale = i18n.get_locale(); Suspend::new(async move {
                        let p = match backups.await {
                            None => return view! { <Loading label=td_string!(locale, cluster_data.reading_cluster).to_string() /> }.into_any(),
                            Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(p)) => p,
                        };
                        let level = filter.get_untracked().level;
                        let can_delete = p.allowed.iter().any(|a| a == "DeleteBackup");
                        let can_restore = p.allowed.iter().any(|a| a == "CreateDBCluster");
                        let (account, region, cluster_id) = target().unwrap_or_default();
                        let status = cluster_status();
                        let successful = p.successful;
                        let rows: Vec<Backup> = p.items.iter().filter(|b| level.is_empty() || b.backups_level == level).cloned().collect();
                        let shown = rows.len();
                        let pages = p.total.div_ceil(p.size).max(1);
                        let page = p.page;
                        let body = if rows.is_empty() {
                            view! { <Empty title=td_string!(locale, cluster_data.no_backups) hint=td_string!(locale, cluster_data.no_backups_hint) /> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="grid" data-testid="backup-table">
                                        <thead><tr>
                                            <th>{td_string!(locale, cluster_data.th_backup)}</th><th>{td_string!(locale, cluster_data.th_started)}</th><th>{td_string!(locale, cluster_data.th_finished)}</th><th>{td_string!(locale, cluster_data.mode)}</th>
                                            <th>{td_string!(locale, cluster_data.th_type_method)}</th><th>{td_string!(locale, cluster_data.level)}</th><th class="num">{td_string!(locale, cluster_data.size)}</th><th>{td_string!(locale, cluster_data.status)}</th><th>{td_string!(locale, cluster_data.th_expires)}</th><th></th>
                                        </tr></thead>
                                        <tbody>
                                            {rows.into_iter().map(|b| {
                                                let refusal = delete_refusal(locale, &b, &status, successful);
                                                let size = b.backup_set_size.parse::<i64>().map(human_bytes).unwrap_or_else(|_| b.backup_set_size.clone());
                                                let b2 = b.clone();
                                                view! {
                                                    <tr data-backup-id=b.backup_id.clone() data-mode=b.backup_mode.clone() data-status=b.backup_status.clone()>
                                                        <td class="mono">{b.backup_id.clone()}</td>
                                                        <td class="mono nowrap">{human_time(&b.backup_start_time)}</td>
                                                        <td class="mono nowrap">{human_time(&b.backup_end_time)}</td>
                                                        <td>{if b.backup_mode == "Manual" { td_string!(locale, cluster_data.mode_manual) } else { td_string!(locale, cluster_data.mode_automatic) }}</td>
                                                        <td class="muted">{format!("{} · {}", api_word_in(locale, &b.backup_type), api_word_in(locale, &b.backup_method))}</td>
                                                        <td>{api_word_in(locale, &b.backups_level)}</td>
                                                        <td class="num" data-testid="backup-size" title=td_string!(locale, cluster_data.n_bytes, n = b.backup_set_size.clone()).to_string()>{size}</td>
                                                        <td><StatusBadge status=b.backup_status.clone() />{(b.is_avail == "0").then(|| view! { <span class="muted">{td_string!(locale, cluster_data.unavailable)}</span> })}</td>
                                                        <td class="mono nowrap">{if b.expect_expire_type == "NEVER" || b.expect_expire_time.is_empty() { td_string!(locale, cluster_data.never).to_string() } else { human_time(&b.expect_expire_time) }}</td>
                                                        <td class="row-actions">
                                                            {(can_restore && b.backup_status == "Success").then(|| view! {
                                                                <a class="button small" data-testid="restore-backup"
                                                                    title=td_string!(locale, cluster_data.restore_hint)
                                                                    href=clone_href(&cluster_id, &account, &region, &b.backup_id)>{td_string!(locale, cluster_data.restore)}</a>
                                                            })}
                                                            {can_delete.then(|| match refusal.clone() {
                                                                // Refused: the button stays in its place, greyed, and says why when pointed at
                                                                // (the reason in every row of the column made each row many lines tall).
                                                                Some(r) => view! {
                                                                    <button type="button" class="small danger" data-testid="delete-refused" disabled=true title=r>{td_string!(locale, cluster_data.delete)}</button>
                                                                }.into_any(),
                                                                None => view! {
                                                                    <button type="button" class="small danger" data-testid="delete-backup"
                                                                        title=move || waiting(hydrated)
                                                                        disabled=move || !hydrated.get()
                                                                        on:click={
                                                                            let b = b2.clone();
                                                                            move |_| { delete.value().set(None); confirm.set(Some(b.clone())); }
                                                                        }>{td_string!(locale, cluster_data.delete)}</button>
                                                                }.into_any(),
                                                            })}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        };
                        view! {
                            <p class="muted small-print" data-testid="backup-summary">
                                {
                                    let count = if p.total == 1 {
                                        td_string!(locale, cluster_data.n_backup, n = p.total).to_string()
                                    } else {
                                        td_string!(locale, cluster_data.n_backups, n = p.total).to_string()
                                    };
                                    let on_page = if shown as u32 != p.items.len() as u32 {
                                        td_string!(locale, cluster_data.shown_of_level, shown = shown, level = api_word_in(locale, &level)).to_string()
                                    } else {
                                        String::new()
                                    };
                                    td_string!(locale, cluster_data.backup_summary,
                                        start = p.start.clone(), end = p.end.clone(), backups = count, on_page = on_page,
                                        manual = p.manual, max = MAX_MANUAL, size = human_bytes(p.level2_size)).to_string()
                                }
                            </p>
                            {body}
                            {(pages > 1).then(|| view! {
                                <Pager page=page pages=pages label=td_string!(locale, cluster_data.backup_pages)
                                    on_page=Callback::new(move |p| filter.update(|f| f.page = p)) />
                            })}
                            <p class="muted small-print">{td_string!(locale, cluster_data.delete_space_note)}</p>
                        }.into_any()
                    })}}
                </Transition>
            </section>

            <Policies />

            <section class="panel" data-testid="backup-logs">
                <h2>{t!(i18n, cluster_data.backup_logs)}</h2>
                <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_backup_logs).to_string() /> }>
                    {move || { let locale = i18n.get_locale(); Suspend::new(async move {
                        let l = match logs.await {
                            None => return view! { <Loading /> }.into_any(),
                            Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(l)) => l,
                        };
                        if l.items.is_empty() {
                            return view! { <Empty title=td_string!(locale, cluster_data.no_backup_logs) /> }.into_any();
                        }
                        let pages = l.total.div_ceil(l.size).max(1);
                        let page = l.page;
                        view! {
                            <p class="muted small-print">{td_string!(locale, cluster_data.log_files_note, n = l.total).to_string()}</p>
                            <div class="table-wrap">
                                <table class="grid" data-testid="log-table">
                                    <thead><tr><th>{td_string!(locale, cluster_data.th_file)}</th><th>{td_string!(locale, cluster_data.th_from)}</th><th>{td_string!(locale, cluster_data.th_to)}</th><th class="num">{td_string!(locale, cluster_data.size)}</th><th>{td_string!(locale, cluster_data.th_download)}</th><th>{td_string!(locale, cluster_data.th_links_expire)}</th></tr></thead>
                                    <tbody>
                                        {l.items.into_iter().map(|g| view! {
                                            <tr data-log-id=g.backup_log_id.clone()>
                                                <td class="mono">{g.backup_log_name.clone()}</td>
                                                <td class="mono nowrap">{human_time(&g.backup_log_start_time)}</td>
                                                <td class="mono nowrap">{human_time(&g.backup_log_end_time)}</td>
                                                <td class="num">{g.backup_log_size.parse::<i64>().map(human_bytes).unwrap_or_default()}</td>
                                                <td class="nowrap">
                                                    <a href=g.download_link.clone() rel="noopener noreferrer" data-testid="log-download">{td_string!(locale, cluster_data.internet)}</a>
                                                    " · "
                                                    <a href=g.intranet_download_link.clone() rel="noopener noreferrer">{td_string!(locale, cluster_data.intranet)}</a>
                                                </td>
                                                <td class="mono nowrap">{human_time(&g.link_expired_time)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(pages > 1).then(|| view! {
                                <Pager page=page pages=pages label=td_string!(locale, cluster_data.backup_log_pages)
                                    on_page=Callback::new(move |p| log_page.set(p)) />
                            })}
                        }.into_any()
                    })}}
                </Transition>
            </section>

            {move || confirm.get().map(|b| {
                let size = b.backup_set_size.parse::<i64>().map(human_bytes).unwrap_or_default();
                let id = b.backup_id.clone();
                let send = move || {
                    let Some((account, region, cluster)) = target() else { return };
                    delete.dispatch(DeleteBackup { account, region, cluster, backup: id.clone(), confirm: id.clone() });
                };
                view! {
                    <ConfirmDialog title_id="backup-delete-title" title=t_string!(i18n, cluster_data.delete_backup_title, id = b.backup_id.clone()).to_string() testid="delete-backup-dialog"
                        on_close=move || confirm.set(None) on_confirm=send pending=delete.pending() button=t_string!(i18n, cluster_data.delete_backup)
                        sending=t_string!(i18n, cluster_data.deleting) cancel_testid="cancel-delete-backup" confirm_testid="confirm-delete-backup">
                        <p>{
                            let taken = human_time(&b.backup_start_time);
                            move || t_string!(i18n, cluster_data.delete_backup_text, time = taken.clone(), size = size.clone()).to_string()
                        }</p>
                        {change_error(delete.value())}
                    </ConfirmDialog>
                }
            })}
        }
    };
    view! {
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_cluster).to_string() /> }>
            {move || Suspend::new(async move {
                // Rendered once the cluster is read, on the server and in the browser alike.
                match data.await {
                    Ok(_) => body().into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
