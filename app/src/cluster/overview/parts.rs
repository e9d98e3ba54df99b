//! Parts of the overview: the creation progress, the storage and network panels, the
//! deletion dialog.

use crate::cluster::frame::ClusterView;
use crate::kit::grouped;

use super::*;

/// While the cluster is being created, its creation task (DescribeTasks), read again every
/// few seconds.
#[component]
pub(super) fn CreationProgress() -> impl IntoView {
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
                        <h2>"In progress"</h2>
                        {list.into_iter().map(|t| view! {
                            <div class="task">
                                <p>
                                    <strong>{if t.action == "CreateDBInstance" { "Creating the cluster".to_string() } else { t.action.clone() }}</strong>
                                    <span class="muted">{format!(" · step {} · {} · about {} s left", t.step_info, t.step, t.remain)}</span>
                                </p>
                                <progress max="100" value=t.progress.to_string() data-testid="task-progress">{format!("{}%", t.progress)}</progress>
                                <span class="muted">{format!(" {}%", t.progress)}</span>
                            </div>
                        }).collect_view()}
                        <p class="muted small-print">"You can leave this page; the creation goes on, and this page shows where it is when you come back."</p>
                    </section>
                })
            })}
        </Transition>
    }
}

/// The storage and the network panels.
pub(super) fn storage_and_network(a: &ClusterView) -> impl IntoView {
    let storage_pct = if a.storage_max > 0 {
        (a.storage_used as f64 / a.storage_max as f64) * 100.0
    } else {
        0.0
    };
    view! {
        <section class="panel">
            <h2>"Storage"</h2>
            <dl class="kv">
                <dt>"Used"</dt>
                <dd data-testid="field-storage">
                    {format!("{} of {} ({:.2}%)", human_bytes(a.storage_used), human_bytes(a.storage_max), storage_pct)}
                    <br />
                    <meter class="storage-meter" min="0" max=a.storage_max.max(1).to_string() value=a.storage_used.max(0).to_string()
                        aria-label="Storage used"></meter>
                </dd>
                <dt>"Storage type"</dt><dd>{if a.storage_type.is_empty() { "—".to_string() } else { a.storage_type.clone() }}</dd>
                <dt>"Storage billing"</dt><dd>{pay_type_label(&a.storage_pay_type).to_string()}</dd>
                <dt>"Level-1 backups"</dt><dd>{human_bytes(a.data_level1_backup_chain_size)}</dd>
                <dt>"SQL collection"</dt>
                <dd data-testid="field-sql-size">{if a.sql_size < 0 { "none collected".to_string() } else { human_bytes(a.sql_size) }}</dd>
            </dl>
        </section>

        <section class="panel" data-testid="node-limits">
            <h2>"Node limits"</h2>
            <div class="table-wrap"><table class="grid">
                <thead><tr><th>"Node"</th><th>"Role"</th><th>"Class"</th><th>"Max connections"</th><th>"Max IOPS"</th></tr></thead>
                <tbody>
                    {a.db_nodes.iter().map(|n| view! {
                        <tr data-node=n.db_node_id.clone()>
                            <td class="mono">{n.db_node_id.clone()}</td>
                            <td>{n.db_node_role.clone()}</td>
                            <td class="mono">{n.db_node_class.clone()}</td>
                            <td class="num" data-testid="node-max-connections">{grouped(n.max_connections)}</td>
                            <td class="num" data-testid="node-max-iops">{grouped(n.max_iops)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>

        <section class="panel">
            <h2>"Network and location"</h2>
            <dl class="kv">
                <dt>"Region"</dt><dd>{a.region_id.clone()}</dd>
                <dt>"Zones"</dt><dd data-testid="field-zones">{a.zone_ids.split(',').filter(|z| !z.is_empty()).collect::<Vec<_>>().join(", ")}</dd>
                <dt>"Network type"</dt><dd>{a.db_cluster_network_type.clone()}</dd>
                <dt>"VPC"</dt><dd class="mono">{a.vpc_id.clone()}</dd>
                <dt>"vSwitch"</dt><dd class="mono">{a.v_switch_id.clone()}</dd>
                <dt>"Resource group"</dt><dd class="mono">{a.resource_group_id.clone()}</dd>
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
        <Dialog title_id="delete-title" title=format!("Delete {} ({})?", id, d.name()) testid="delete-dialog" on_close=move || dialog.set(false)>
                <p>"Deleting releases the cluster at once. What is lost:"</p>
                <ul class="loss-list">
                    <li>{format!("all data in the cluster ({} of storage)", human_bytes(a.storage_used))}</li>
                    <li>{format!("its {} nodes: {}", a.db_nodes.len(), node_list)}</li>
                    <li>"its endpoints and connection addresses, database accounts and databases, whitelists and parameters"</li>
                    <li>
                        "backups: "
                        {move || match backups.get().as_str() {
                            "" => match retention.value().get() {
                                Some(Ok(p)) if !p.is_empty() => format!("as the backup policy says ({p}): {}", retention_label(&p)),
                                _ => "as the cluster's backup policy says".to_string(),
                            },
                            other => retention_label(other).to_string(),
                        }}
                    </li>
                </ul>
                <form class="stack-form" on:submit=confirm_delete>
                    <label>
                        <span>"Backups after deletion"</span>
                        <select data-testid="delete-backups" on:change=move |ev| backups.set(event_target_value(&ev))>
                            <option value="" selected=true>"As the backup policy says"</option>
                            <option value="LATEST">"Keep the last backup (LATEST)"</option>
                            <option value="ALL">"Keep all backups (ALL)"</option>
                            <option value="NONE">"Delete all backups (NONE)"</option>
                        </select>
                    </label>
                    <label>
                        <span>{format!("Type the cluster ID {id} to confirm")}</span>
                        <input type="text" class="mono" autocomplete="off" spellcheck="false" data-testid="delete-confirm-input"
                            data-autofocus
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </label>
                    {change_error(delete.value())}
                    <DialogActions>
                        <button type="button" class="small" data-testid="cancel-delete" on:click=move |_| dialog.set(false)>"Cancel"</button>
                        <button type="submit" class="small danger solid" data-testid="confirm-delete"
                            disabled=move || !matches() || delete.pending().get()>
                            {move || if delete.pending().get() { "Deleting…" } else { "Delete this cluster" }}
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
    view! {
        {move || failover.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="failover-requested">
                "Failover requested. The cluster shows Switching, then the chosen node is the primary."
            </div>
        })}
        {move || move_zone.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="zone-requested">
                {match zone_planned.get() {
                    None => "Primary zone change requested. The cluster shows TRANSING until the move is done.".to_string(),
                    Some(at) => format!("Primary zone change planned from {at} UTC: it waits on Scheduled tasks, where it can be cancelled until it starts."),
                }}
            </div>
        })}
        <CreationProgress />
        {move || delete.value().get().and_then(|r| r.ok()).map(|_| view! {
            <div class="banner banner-ok" role="status" data-testid="delete-requested">
                "Deletion requested. The cluster shows Deleting until it is released, then disappears from the list."
            </div>
        })}
    }
}
