//! The nodes tab: the node list, adding, removing and restarting nodes, changing their class
//! (the forms of adding and of the class in `forms`).

use super::forms::{add_panel, class_panel, Forms};
use super::*;
use crate::i18n::{t, t_string, tu_string, use_i18n};
use crate::kit::{api_word, grouped, waiting};

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/nodes`.
#[component]
pub fn ClusterNodesPage() -> impl IntoView {
    view! {
        <Nodes />
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Panel {
    Add,
    Class,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NodeChange {
    Restart,
    Remove,
}

/// The last successful change, said in the language in use by [`done_words`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Done {
    Add,
    /// Planned from this start (UTC, `YYYY-MM-DD HH:MM`).
    AddPlanned(String),
    Class,
    ClassPlanned(String),
    Remove,
    Restart,
}

fn done_words(locale: Locale, done: &Done) -> String {
    match done {
        Done::Add => td_string!(locale, cluster_nodes.done_add).to_string(),
        Done::AddPlanned(start) => {
            td_string!(locale, cluster_nodes.done_add_planned, start = start).to_string()
        }
        Done::Class => td_string!(locale, cluster_nodes.done_class).to_string(),
        Done::ClassPlanned(start) => {
            td_string!(locale, cluster_nodes.done_class_planned, start = start).to_string()
        }
        Done::Remove => td_string!(locale, cluster_nodes.done_remove).to_string(),
        Done::Restart => td_string!(locale, cluster_nodes.done_restart).to_string(),
    }
}

/// The node a confirmation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Pending {
    change: NodeChange,
    node: String,
    role: String,
    class: String,
    zone: String,
}

#[component]
pub(super) fn Nodes() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let add = ServerAction::<AddReadNodes>::new();
    let remove = ServerAction::<RemoveReadNode>::new();
    let restart = ServerAction::<RestartNode>::new();
    let reclass = ServerAction::<ChangeNodeClass>::new();
    let classes = ServerAction::<AvailableNodeClasses>::new();
    let binds = ServerAction::<NodeEndpoints>::new();
    // The endpoints chosen for new nodes (EndpointBindList).
    let chosen = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(list)) = binds.value().get() {
            chosen.set(
                list.iter()
                    .filter(|c| c.auto)
                    .map(|c| c.id.clone())
                    .collect(),
            );
        }
    });

    let panel = RwSignal::new(None::<Panel>);
    let confirm = RwSignal::new(None::<Pending>);
    let count = RwSignal::new("1".to_string());
    let add_class = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let modify_type = RwSignal::new("Upgrade".to_string());
    // What the last successful change was, said in words.
    let done = RwSignal::new(None::<Done>);
    // The "when" of adding nodes or an upgrade: empty start is now.
    let (plan_start, plan_end) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let plan_problem = RwSignal::new(None::<String>);
    let planned_start = move || plan_start.get_untracked().replace('T', " ");

    ctx.after_success(add.value(), move || {
        panel.set(None);
        done.set(Some(if plan_start.get_untracked().is_empty() {
            Done::Add
        } else {
            Done::AddPlanned(planned_start())
        }));
    });
    ctx.after_success(reclass.value(), move || {
        panel.set(None);
        done.set(Some(if plan_start.get_untracked().is_empty() {
            Done::Class
        } else {
            Done::ClassPlanned(planned_start())
        }));
    });
    ctx.after_success(remove.value(), move || {
        confirm.set(None);
        done.set(Some(Done::Remove));
    });
    ctx.after_success(restart.value(), move || {
        confirm.set(None);
        done.set(Some(Done::Restart));
    });

    let current = move || data.get().and_then(|r| r.ok());
    let current_class = move || {
        current()
            .and_then(|d| {
                d.attr
                    .db_nodes
                    .iter()
                    .find(|n| n.db_node_role == "Writer")
                    .or(d.attr.db_nodes.first())
                    .map(|n| n.db_node_class.clone())
            })
            .unwrap_or_default()
    };
    let readers = move || {
        current()
            .map(|d| {
                d.attr
                    .db_nodes
                    .iter()
                    .filter(|n| n.db_node_role == "Reader")
                    .count()
            })
            .unwrap_or(0)
    };
    let db_type = move || {
        current()
            .map(|d| d.attr.db_type.clone())
            .unwrap_or_default()
    };

    let load_classes = move || {
        let Some(d) = current() else { return };
        if classes.value().get_untracked().is_some_and(|r| r.is_ok()) {
            return;
        }
        let zone = d.first_zone();
        classes.dispatch(AvailableNodeClasses {
            account: d.account,
            region: d.region,
            pay_type: d.attr.pay_type,
            db_type: d.attr.db_type,
            db_version: d.attr.db_version,
            zone,
        });
    };
    let class_options = move || {
        let mut list = match classes.value().get() {
            Some(Ok(list)) => list,
            _ => Vec::new(),
        };
        let cur = current_class();
        if !cur.is_empty() && !list.contains(&cur) {
            list.insert(0, cur);
        }
        list
    };

    let open_add = move |_| {
        count.set("1".into());
        add_class.set(current_class());
        add.value().set(None);
        done.set(None);
        plan_start.set(String::new());
        plan_end.set(String::new());
        load_classes();
        if let Some(d) = current() {
            binds.value().set(None);
            binds.dispatch(NodeEndpoints {
                account: d.account,
                region: d.region,
                cluster: d.attr.db_cluster_id,
            });
        }
        panel.set(Some(Panel::Add));
    };
    let open_class = move |_| {
        target.set(String::new());
        modify_type.set("Upgrade".into());
        reclass.value().set(None);
        done.set(None);
        plan_start.set(String::new());
        plan_end.set(String::new());
        load_classes();
        panel.set(Some(Panel::Class));
    };
    let confirm_change = move || {
        let (Some(d), Some(p)) = (current(), confirm.get_untracked()) else {
            return;
        };
        match p.change {
            NodeChange::Restart => {
                restart.dispatch(RestartNode {
                    account: d.account,
                    region: d.region,
                    node: p.node,
                });
            }
            NodeChange::Remove => {
                remove.dispatch(RemoveReadNode {
                    account: d.account,
                    region: d.region,
                    cluster: d.attr.db_cluster_id,
                    node: p.node,
                });
            }
        }
    };
    // The add and class forms (`forms`): what they keep while open.
    let forms = Forms {
        panel,
        add,
        reclass,
        classes,
        binds,
        chosen,
        count,
        add_class,
        target,
        modify_type,
        plan_start,
        plan_end,
        plan_problem,
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="nodes-done">{done_words(i18n.get_locale(), &m)}</div> })}
        <Transition fallback=move || view! { <Loading label=tu_string!(i18n, cluster_nodes.reading_nodes).to_string() /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let a = d.attr.clone();
                let running = d.running();
                let n_readers = a.db_nodes.iter().filter(|n| n.db_node_role == "Reader").count();
                let can_add = d.can("CreateDBNodes");
                let can_remove = d.can("DeleteDBNodes");
                let can_restart = d.can("RestartDBNode");
                let can_class = d.can("ModifyDBNodeClass");
                let status = a.db_cluster_status.clone();
                let not_running = (!running).then_some(move || t_string!(
                    i18n,
                    cluster_nodes.nodes_not_running,
                    status = api_word(&status)
                ).to_string());
                let n_nodes = a.db_nodes.len();
                let full = n_readers >= MAX_READERS;
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="nodes-summary">
                            {move || t_string!(i18n, cluster_nodes.nodes_summary, total = n_nodes, readers = n_readers, max = MAX_READERS).to_string()}
                            {not_running.clone().map(|m| view! { <span class="refusal">{m}</span> })}
                        </p>
                        <div class="toolbar-actions">
                            {can_add.then(|| view! {
                                <button type="button" class="small" data-testid="add-readers"
                                    disabled=move || !hydrated.get() || !running || full
                                    title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running))).or(full.then_some(t_string!(i18n, cluster_nodes.readers_full)))
                                    on:click=open_add>{t!(i18n, cluster_nodes.add_readers)}</button>
                            })}
                            {can_class.then(|| view! {
                                <button type="button" class="small" data-testid="change-class"
                                    title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                    disabled=move || !hydrated.get() || !running
                                    on:click=open_class>{t!(i18n, cluster_nodes.change_class)}</button>
                            })}
                        </div>
                    </div>
                    <div class="table-wrap">
                        <table class="grid" data-testid="nodes-table">
                            <thead>
                                <tr>
                                    <th>{t!(i18n, cluster_nodes.col_node)}</th>
                                    <th>{t!(i18n, cluster_nodes.col_role)}</th>
                                    <th>{t!(i18n, cluster_nodes.col_class)}</th>
                                    <th>{t!(i18n, cluster_nodes.col_zone)}</th>
                                    <th>{t!(i18n, cluster_nodes.col_status)}</th>
                                    <th class="num">{t!(i18n, cluster_nodes.col_failover)}</th>
                                    <th>{t!(i18n, cluster_nodes.col_created)}</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {a.db_nodes.iter().map(|n| {
                                    let reader = n.db_node_role == "Reader";
                                    let memory = n.memory_size.parse::<i64>().ok().map(|mb| format!("{} GiB", mb / 1024));
                                    let cores = n.cpu_cores.clone();
                                    let size = move || match (cores.is_empty(), &memory) {
                                        (false, Some(m)) => t_string!(i18n, cluster_nodes.node_size, cores = &cores, memory = m).to_string(),
                                        _ => String::new(),
                                    };
                                    let (max_connections, max_iops) = (n.max_connections, n.max_iops);
                                    let pending = |change| Pending {
                                        change,
                                        node: n.db_node_id.clone(),
                                        role: n.db_node_role.clone(),
                                        class: n.db_node_class.clone(),
                                        zone: n.zone_id.clone(),
                                    };
                                    let restart_p = pending(NodeChange::Restart);
                                    let remove_p = pending(NodeChange::Remove);
                                    let removable = reader && n_readers > 1;
                                    view! {
                                        <tr data-node-id=n.db_node_id.clone() data-role=n.db_node_role.clone() data-status=n.db_node_status.clone()>
                                            <td class="mono nowrap">{n.db_node_id.clone()}</td>
                                            <td>{role_label(&n.db_node_role).to_string()}</td>
                                            <td>
                                                <div class="mono" data-testid="node-class">{n.db_node_class.clone()}</div>
                                                <div class="muted">{size}</div>
                                                <div class="muted" data-testid="node-limits">{move || t_string!(i18n, cluster_nodes.node_limits, connections = grouped(max_connections), iops = grouped(max_iops)).to_string()}</div>
                                            </td>
                                            <td class="nowrap">{n.zone_id.clone()}</td>
                                            <td data-testid="node-status"><StatusBadge status=n.db_node_status.clone() /></td>
                                            <td class="num">{n.failover_priority}</td>
                                            <td class="mono">{human_time(&n.creation_time)}</td>
                                            <td><div class="row-actions">
                                                {can_restart.then(|| view! {
                                                    <button type="button" class="small" data-testid="restart-node"
                                                        title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                                        disabled=move || !hydrated.get() || !running
                                                        on:click={
                                                            let p = restart_p.clone();
                                                            move |_| {
                                                                restart.value().set(None);
                                                                done.set(None);
                                                                confirm.set(Some(p.clone()));
                                                            }
                                                        }>{t!(i18n, cluster_nodes.restart)}</button>
                                                })}
                                                {(can_remove && reader).then(|| view! {
                                                    <button type="button" class="small danger" data-testid="remove-node"
                                                        disabled=move || !hydrated.get() || !running || !removable
                                                        title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running))).or((!removable).then_some(t_string!(i18n, cluster_nodes.remove_keeps)))
                                                        on:click={
                                                            let p = remove_p.clone();
                                                            move |_| {
                                                                remove.value().set(None);
                                                                done.set(None);
                                                                confirm.set(Some(p.clone()));
                                                            }
                                                        }>{t!(i18n, cluster_nodes.remove)}</button>
                                                })}
                                            </div></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(n_readers <= 1 && can_remove).then(|| view! {
                        <p class="muted small-print">{t!(i18n, cluster_nodes.remove_note)}</p>
                    })}
                }
                .into_any()
            })}
        </Transition>

        // Forms and confirmations live outside the refreshing table: nothing resets them.
        {move || (panel.get() == Some(Panel::Add)).then(|| add_panel(i18n, forms, current, current_class, class_options, readers, db_type))}
        {move || (panel.get() == Some(Panel::Class)).then(|| class_panel(i18n, forms, current, current_class, class_options))}
        {move || confirm.get().map(|p| {
            let role = role_short(&p.role);
            let (title, body, button, error) = match p.change {
                NodeChange::Restart => (
                    t_string!(i18n, cluster_nodes.restart_title, node = &p.node, role = role).to_string(),
                    if p.role == "Writer" {
                        t_string!(i18n, cluster_nodes.restart_primary_body, node = &p.node, class = &p.class, zone = &p.zone).to_string()
                    } else {
                        t_string!(i18n, cluster_nodes.restart_reader_body, node = &p.node, class = &p.class, zone = &p.zone).to_string()
                    },
                    t_string!(i18n, cluster_nodes.restart_node),
                    change_error(restart.value()).into_any(),
                ),
                NodeChange::Remove => (
                    t_string!(i18n, cluster_nodes.remove_title, node = &p.node, role = role).to_string(),
                    t_string!(i18n, cluster_nodes.remove_body, node = &p.node, class = &p.class, zone = &p.zone).to_string(),
                    t_string!(i18n, cluster_nodes.remove_node),
                    change_error(remove.value()).into_any(),
                ),
            };
            let pending = Signal::derive(move || restart.pending().get() || remove.pending().get());
            view! {
                <ConfirmDialog title_id="node-confirm-title" title=title on_close=move || confirm.set(None)
                    on_confirm=confirm_change pending=pending button=button>
                    <p>{body}</p>
                    {error}
                </ConfirmDialog>
            }
        })}
    }
}
