//! Parts of the overview: the creation progress, the storage and network panels, the
//! deletion dialog.

use crate::cluster::frame::ClusterView;
use crate::kit::grouped;

use super::*;

/// While the cluster is being created, its creation task (DescribeTasks), read again every
/// few seconds.
#[component]
pub(super) fn CreationProgress() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    // Creation progress: DescribeTasks, read again every few seconds while Creating.
    let task_tick = RwSignal::new(0u32);
    let tasks = Resource::new(
        move || {
            let d = data.get().and_then(|r| r.ok())?;
            (d.attr.db_cluster_status == "Creating").then(|| {
                (
                    d.account.clone(),
                    d.region.clone(),
                    d.attr.db_cluster_id.clone(),
                    d.attr.creation_time.clone(),
                    task_tick.get(),
                )
            })
        },
        |key| async move {
            match key {
                Some((a, r, c, since, _)) => cluster_tasks(a, r, c, since).await,
                None => Ok(Vec::new()),
            }
        },
    );
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let creating = matches!(data.get_untracked(), Some(Ok(d)) if d.attr.db_cluster_status == "Creating");
                if creating {
                    task_tick.update(|n| *n += 1);
                }
            },
            POLL,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = tasks.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="panel task-panel" data-testid="creation-progress">
                        <h2>{t!(i18n, cluster.in_progress)}</h2>
                        {list.into_iter().map(|t| view! {
                            <div class="task">
                                <p>
                                    <strong>{
                                        let action = t.action.clone();
                                        move || if action == "CreateDBInstance" { t_string!(i18n, cluster.creating_cluster).to_string() } else { api_word(&action) }
                                    }</strong>
                                    <span class="muted">{
                                        let (info, step, remain) = (t.step_info.clone(), t.step.clone(), t.remain);
                                        move || t_string!(i18n, cluster.task_step, info = &info, step = &step, remain = remain).to_string()
                                    }</span>
                                </p>
                                <progress max="100" value=t.progress.to_string() data-testid="task-progress">{format!("{}%", t.progress)}</progress>
                                <span class="muted">{format!(" {}%", t.progress)}</span>
                            </div>
                        }).collect_view()}
                        <p class="muted small-print">{t!(i18n, cluster.creation_leave)}</p>
                    </section>
                })
            })}
        </Transition>
    }
}

/// The storage and the network panels.
pub(super) fn storage_and_network(a: &ClusterView) -> impl IntoView {
    let i18n = use_i18n();
    let storage_pct = if a.storage_max > 0 {
        (a.storage_used as f64 / a.storage_max as f64) * 100.0
    } else {
        0.0
    };
    view! {
        <section class="panel">
            <h2>{t!(i18n, cluster.storage)}</h2>
            <dl class="kv">
                <dt>{t!(i18n, cluster.used)}</dt>
                <dd data-testid="field-storage">
                    {
                        let (used, max, pct) = (human_bytes(a.storage_used), human_bytes(a.storage_max), format!("{storage_pct:.2}"));
                        move || t_string!(i18n, cluster.storage_used_of, used = &used, max = &max, pct = &pct).to_string()
                    }
                    <br />
                    <meter class="storage-meter" min="0" max=a.storage_max.max(1).to_string() value=a.storage_used.max(0).to_string()
                        aria-label=move || t_string!(i18n, cluster.storage_used)></meter>
                </dd>
                <dt>{t!(i18n, cluster.storage_type)}</dt><dd>{
                    let storage_type = a.storage_type.clone();
                    move || if storage_type.is_empty() { "—".to_string() } else { api_word(&storage_type) }
                }</dd>
                <dt>{t!(i18n, cluster.storage_billing)}</dt><dd>{pay_type_label(&a.storage_pay_type).to_string()}</dd>
                <dt>{t!(i18n, cluster.level1_backups)}</dt><dd>{human_bytes(a.data_level1_backup_chain_size)}</dd>
                <dt>{t!(i18n, cluster.sql_collection)}</dt>
                <dd data-testid="field-sql-size">{
                    let size = a.sql_size;
                    move || if size < 0 { t_string!(i18n, cluster.none_collected).to_string() } else { human_bytes(size) }
                }</dd>
            </dl>
        </section>

        <section class="panel" data-testid="node-limits">
            <h2>{t!(i18n, cluster.node_limits)}</h2>
            <div class="table-wrap"><table class="grid">
                <thead><tr><th>{t!(i18n, cluster.node)}</th><th>{t!(i18n, cluster.role)}</th><th>{t!(i18n, cluster.class)}</th><th>{t!(i18n, cluster.max_connections)}</th><th>{t!(i18n, cluster.max_iops)}</th></tr></thead>
                <tbody>
                    {a.db_nodes.iter().map(|n| view! {
                        <tr data-node=n.db_node_id.clone()>
                            <td class="mono">{n.db_node_id.clone()}</td>
                            <td>{
                                let role = n.db_node_role.clone();
                                move || api_word(&role)
                            }</td>
                            <td class="mono">{n.db_node_class.clone()}</td>
                            <td class="num" data-testid="node-max-connections">{grouped(n.max_connections)}</td>
                            <td class="num" data-testid="node-max-iops">{grouped(n.max_iops)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>

        <section class="panel">
            <h2>{t!(i18n, cluster.network_and_location)}</h2>
            <dl class="kv">
                <dt>{t!(i18n, cluster.region)}</dt><dd>{a.region_id.clone()}</dd>
                <dt>{t!(i18n, cluster.zones)}</dt><dd data-testid="field-zones">{a.zone_ids.split(',').filter(|z| !z.is_empty()).collect::<Vec<_>>().join(", ")}</dd>
                <dt>{t!(i18n, cluster.network_type)}</dt><dd>{
                    let network = a.db_cluster_network_type.clone();
                    move || api_word(&network)
                }</dd>
                <dt>{t!(i18n, cluster.vpc)}</dt><dd class="mono">{a.vpc_id.clone()}</dd>
                <dt>{t!(i18n, cluster.vswitch)}</dt><dd class="mono">{a.v_switch_id.clone()}</dd>
                <dt>{t!(i18n, cluster.resource_group)}</dt><dd class="mono">{a.resource_group_id.clone()}</dd>
            </dl>
        </section>
    }
}

/// The deletion dialog: what is lost, what happens to the backups, the cluster ID typed to
/// confirm.
#[component]
pub(super) fn DeleteDialog(
    dialog: RwSignal<bool>,
    delete: ServerAction<DeleteCluster>,
    retention: ServerAction<BackupRetentionOnDeletion>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let current = move || data.get().and_then(|r| r.ok());
    let typed = RwSignal::new(String::new());
    let backups = RwSignal::new(String::new());
    let confirm_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if typed.get_untracked().trim() != d.attr.db_cluster_id {
            return;
        }
        delete.dispatch(DeleteCluster {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            confirm: typed.get_untracked().trim().to_string(),
            backups: backups.get_untracked(),
        });
    };
    // A snapshot: the dialog is not rebuilt while it is open.
    let Some(d) = data.get_untracked().and_then(|r| r.ok()) else {
        return view! { <span></span> }.into_any();
    };
    let a = d.attr.clone();
    let id = a.db_cluster_id.clone();
    let id_check = id.clone();
    let node_list = a
        .db_nodes
        .iter()
        .map(|n| format!("{} ({})", n.db_node_id, role_short(&n.db_node_role)))
        .collect::<Vec<_>>()
        .join(", ");
    let matches = move || typed.get().trim() == id_check;
    view! {
        <Dialog title_id="delete-title" title=t_string!(i18n, cluster.delete_title, id = &id, name = d.name()).to_string() testid="delete-dialog" on_close=move || dialog.set(false)>
                <p>{t!(i18n, cluster.delete_what_is_lost)}</p>
                <ul class="loss-list">
                    <li>{
                        let size = human_bytes(a.storage_used);
                        move || t_string!(i18n, cluster.loss_data, size = &size).to_string()
                    }</li>
                    <li>{
                        let n = a.db_nodes.len();
                        move || t_string!(i18n, cluster.loss_nodes, n = n, list = &node_list).to_string()
                    }</li>
                    <li>{t!(i18n, cluster.loss_rest)}</li>
                    <li>
                        {t!(i18n, cluster.loss_backups)}
                        {move || match backups.get().as_str() {
                            "" => match retention.value().get() {
                                Some(Ok(p)) if !p.is_empty() => t_string!(i18n, cluster.loss_backups_policy, policy = &p, what = retention_label(&p)).to_string(),
                                _ => t_string!(i18n, cluster.loss_backups_cluster_policy).to_string(),
                            },
                            other => retention_label(other).to_string(),
                        }}
                    </li>
                </ul>
                <form class="stack-form" on:submit=confirm_delete>
                    <label>
                        <span>{t!(i18n, cluster.backups_after_deletion)}</span>
                        <select data-testid="delete-backups" on:change=move |ev| backups.set(event_target_value(&ev))>
                            <option value="" selected=true>{t!(i18n, cluster.backups_as_policy)}</option>
                            <option value="LATEST">{t!(i18n, cluster.backups_keep_latest)}</option>
                            <option value="ALL">{t!(i18n, cluster.backups_keep_all)}</option>
                            <option value="NONE">{t!(i18n, cluster.backups_delete_all)}</option>
                        </select>
                    </label>
                    <label>
                        <span>{
                            let id = id.clone();
                            move || t_string!(i18n, cluster.type_id_to_confirm, id = &id).to_string()
                        }</span>
                        <input type="text" class="mono" autocomplete="off" spellcheck="false" data-testid="delete-confirm-input"
                            data-autofocus
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </label>
                    {change_error(delete.value())}
                    <DialogActions>
                        <button type="button" class="small" data-testid="cancel-delete" on:click=move |_| dialog.set(false)>{t!(i18n, cluster.cancel)}</button>
                        <button type="submit" class="small danger solid" data-testid="confirm-delete"
                            disabled=move || !matches() || delete.pending().get()>
                            {move || if delete.pending().get() { t_string!(i18n, cluster.deleting) } else { t_string!(i18n, cluster.delete_this_cluster) }}
                        </button>
                    </DialogActions>
                </form>
        </Dialog>
    }.into_any()
}

/// What the last failover, zone move or deletion request started, in words.
pub(super) fn outcome_banners(
    failover: ServerAction<FailoverCluster>,
    move_zone: ServerAction<ModifyPrimaryZone>,
    delete: ServerAction<DeleteCluster>,
    zone_planned: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {move || failover.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="failover-requested">
                {t!(i18n, cluster.failover_requested)}
            </div>
        })}
        {move || move_zone.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="zone-requested">
                {match zone_planned.get() {
                    None => t_string!(i18n, cluster.zone_requested).to_string(),
                    Some(at) => t_string!(i18n, cluster.zone_planned, at = at).to_string(),
                }}
            </div>
        })}
        <CreationProgress />
        {move || delete.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="delete-requested">
                {t!(i18n, cluster.delete_requested)}
            </div>
        })}
    }
}
