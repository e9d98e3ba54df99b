//! The nodes tab: the node list, adding, removing and restarting nodes, changing their class.

use super::*;
use crate::i18n::{t, t_string, tu_string, use_i18n};
use crate::kit::{api_word, grouped, waiting, Planned, PlannedWindow};

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
    let bind_choices = move || binds.value().get().and_then(|r| r.ok()).unwrap_or_default();
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
        let zone = d
            .attr
            .db_nodes
            .first()
            .map(|n| n.zone_id.clone())
            .unwrap_or_default();
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

    let add_problem_now = move || {
        add_problem(
            i18n.get_locale(),
            &count.get(),
            &add_class.get(),
            &current_class(),
            readers(),
            &db_type(),
        )
    };
    let class_problem_now = move || {
        class_change_problem(
            i18n.get_locale(),
            &current_class(),
            &target.get(),
            &modify_type.get(),
        )
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
    let submit_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if add_problem_now().is_some()
            || plan_problem.get_untracked().is_some()
            || bind_choice_problem(
                i18n.get_locale_untracked(),
                &chosen.get_untracked(),
                &bind_choices(),
            )
            .is_some()
        {
            return;
        }
        let zone = d
            .attr
            .db_nodes
            .first()
            .map(|n| n.zone_id.clone())
            .unwrap_or_default();
        add.dispatch(AddReadNodes {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            nodes: NewNodes {
                count: count.get_untracked().trim().parse().unwrap_or(1),
                class: add_class.get_untracked(),
                zone,
                endpoints: bind_list(&chosen.get_untracked(), &bind_choices()),
            },
            planned: Planned::of(plan_start, plan_end),
        });
    };
    let submit_class = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        // Only an upgrade can be planned (8.4); a downgrade runs now.
        let upgrade = modify_type.get_untracked() == "Upgrade";
        if class_problem_now().is_some() || (upgrade && plan_problem.get_untracked().is_some()) {
            return;
        }
        if !upgrade {
            plan_start.set(String::new());
            plan_end.set(String::new());
        }
        reclass.dispatch(ChangeNodeClass {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            class: target.get_untracked(),
            modify_type: modify_type.get_untracked(),
            planned: Planned::of(plan_start, plan_end),
        });
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
        {move || (panel.get() == Some(Panel::Add)).then(|| view! {
            <section class="panel form-panel" data-testid="add-panel">
                <h2>{t!(i18n, cluster_nodes.add_readers)}</h2>
                <form class="stack-form" on:submit=submit_add>
                    <label>
                        <span>{t!(i18n, cluster_nodes.count_label)}</span>
                        <input type="number" min="1" max=move || MAX_READERS.saturating_sub(readers()).max(1).to_string()
                            data-testid="add-count"
                            prop:value=move || count.get()
                            on:input=move |ev| count.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_nodes.col_class)}</span>
                        <select data-testid="add-class" on:change=move |ev| add_class.set(event_target_value(&ev))>
                            {move || class_options().into_iter().map(|c| {
                                let selected = c == add_class.get_untracked();
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <p class="field-hint">
                        {move || match add_problem_now() {
                            Some(p) => view! { <span class="field-error" data-testid="add-problem">{t_string!(i18n, cluster_nodes.problem_sentence, p = capitalise(&p)).to_string()}</span> }.into_any(),
                            None => view! { <span class="muted">{t!(i18n, cluster_nodes.zone_hint)}</span> }.into_any(),
                        }}
                    </p>
                    <fieldset class="bind-list" data-testid="add-endpoints">
                        <legend>{t!(i18n, cluster_nodes.bind_legend)}</legend>
                        {move || match binds.value().get() {
                            None => view! { <Loading label=t_string!(i18n, cluster_nodes.reading_endpoints).to_string() /> }.into_any(),
                            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(list)) => list.into_iter().map(|c| {
                                let id = c.id.clone();
                                let id2 = c.id.clone();
                                view! {
                                    <label class="check">
                                        <input type="checkbox" data-endpoint=c.id.clone()
                                            prop:checked=move || chosen.get().contains(&id)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let id = id2.clone();
                                                chosen.update(|v| { v.retain(|x| *x != id); if on { v.push(id); } });
                                            } />
                                        <span class="mono">{c.id.clone()}</span>
                                        <span class="muted">{format!(" {}{}{}", if c.kind == "Cluster" { t_string!(i18n, cluster_nodes.bind_default) } else { t_string!(i18n, cluster_nodes.bind_custom) },
                                            if c.description.is_empty() { String::new() } else { format!(" · {}", c.description) },
                                            if c.auto { format!(" · {}", t_string!(i18n, cluster_nodes.bind_auto)) } else { String::new() })}</span>
                                    </label>
                                }
                            }).collect_view().into_any(),
                        }}
                        <p class="field-hint">
                            {move || match bind_choice_problem(i18n.get_locale(), &chosen.get(), &bind_choices()) {
                                Some(p) => view! { <span class="field-error" data-testid="bind-problem">{t_string!(i18n, cluster_nodes.bind_problem, p = p).to_string()}</span> }.into_any(),
                                None => view! { <span class="muted">{t!(i18n, cluster_nodes.bind_hint)}</span> }.into_any(),
                            }}
                        </p>
                    </fieldset>
                    <PlannedWindow start=plan_start end=plan_end problem=plan_problem />
                    {change_error(classes.value())}
                    {change_error(add.value())}
                    <div class="modal-actions">
                        <button type="button" class="small" on:click=move |_| panel.set(None)>{t!(i18n, cluster_nodes.cancel)}</button>
                        <button type="submit" class="small primary-small" data-testid="submit-add"
                            disabled=move || add_problem_now().is_some() || plan_problem.get().is_some() || add.pending().get()
                                || binds.value().get().is_none_or(|r| r.is_err())
                                || bind_choice_problem(i18n.get_locale(), &chosen.get(), &bind_choices()).is_some()>
                            {move || if add.pending().get() { t_string!(i18n, cluster_nodes.adding) } else { t_string!(i18n, cluster_nodes.add) }}
                        </button>
                    </div>
                </form>
            </section>
        })}
        {move || (panel.get() == Some(Panel::Class)).then(|| view! {
            <section class="panel form-panel" data-testid="class-panel">
                <h2>{t!(i18n, cluster_nodes.class_heading)}</h2>
                <p class="muted">{move || t_string!(i18n, cluster_nodes.class_now, class = current_class()).to_string()}</p>
                <form class="stack-form" on:submit=submit_class>
                    <label>
                        <span>{t!(i18n, cluster_nodes.new_class)}</span>
                        <select data-testid="class-select" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(t) = modify_type_for(&current_class(), &v) {
                                modify_type.set(t.to_string());
                            }
                            target.set(v);
                        }>
                            <option value="" selected=true>{t!(i18n, cluster_nodes.choose_class)}</option>
                            {move || {
                                let cur = current_class();
                                class_options().into_iter().filter(|c| *c != cur).map(|c| {
                                    // Its own closure: the list is not redrawn (and the choice not lost) when the language changes.
                                    let label = {
                                        let c = c.clone();
                                        move || match class_size(&c) {
                                            Some((cores, mem)) => t_string!(i18n, cluster_nodes.class_option, class = &c, cores = cores, memory = mem).to_string(),
                                            None => c.clone(),
                                        }
                                    };
                                    view! { <option value=c.clone()>{label}</option> }
                                }).collect_view()
                            }}
                        </select>
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_nodes.change_type)}</span>
                        <select data-testid="modify-type" prop:value=move || modify_type.get()
                            on:change=move |ev| modify_type.set(event_target_value(&ev))>
                            <option value="Upgrade">{t!(i18n, cluster_nodes.upgrade_larger)}</option>
                            <option value="Downgrade">{t!(i18n, cluster_nodes.downgrade_smaller)}</option>
                        </select>
                    </label>
                    <p class="field-hint">
                        {move || class_problem_now().map(|p| view! { <span class="field-error" data-testid="class-problem">{t_string!(i18n, cluster_nodes.problem_sentence, p = capitalise(&p)).to_string()}</span> })}
                    </p>
                    {move || (modify_type.get() == "Upgrade").then(|| view! {
                        <PlannedWindow start=plan_start end=plan_end problem=plan_problem />
                    })}
                    {change_error(classes.value())}
                    {change_error(reclass.value())}
                    <div class="modal-actions">
                        <button type="button" class="small" on:click=move |_| panel.set(None)>{t!(i18n, cluster_nodes.cancel)}</button>
                        <button type="submit" class="small primary-small" data-testid="submit-class"
                            disabled=move || class_problem_now().is_some() || (modify_type.get() == "Upgrade" && plan_problem.get().is_some()) || reclass.pending().get()>
                            {move || if reclass.pending().get() { t_string!(i18n, cluster_nodes.changing) } else { t_string!(i18n, cluster_nodes.change_class) }}
                        </button>
                    </div>
                </form>
            </section>
        })}
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
