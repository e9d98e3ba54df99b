//! The endpoints tab: the endpoints with their addresses, the endpoint and address forms, deletions.

use super::*;
use crate::i18n::{t, t_string, tu_string, use_i18n};
use crate::kit::{api_word, waiting};

// ---------------------------------------------------------------------------------------
// Following the cluster.

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/endpoints`.
#[component]
pub fn ClusterEndpointsPage() -> impl IntoView {
    view! {
        <Endpoints />
    }
}

#[component]
pub(super) fn Endpoints() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let tick = follow_cluster(ctx);
    let scope = ctx.scope;
    let changed = ctx.changed;
    let endpoints = Resource::new(
        move || (scope.get(), changed.get(), tick.get()),
        move |_| async move {
            let d = data.await?;
            load_endpoints(d.account, d.region, d.attr.db_cluster_id).await
        },
    );

    let create = ServerAction::<CreateCustomEndpoint>::new();
    let modify = ServerAction::<ModifyEndpoint>::new();
    let delete = ServerAction::<DeleteCustomEndpoint>::new();
    let add_address = ServerAction::<CreatePublicAddress>::new();
    let change_address = ServerAction::<ModifyAddress>::new();
    let release = ServerAction::<ReleasePublicAddress>::new();

    let form = RwSignal::new(None::<EndpointTarget>);
    let address_form = RwSignal::new(None::<AddressTarget>);
    let confirm = RwSignal::new(None::<Confirm>);
    let done = RwSignal::new(None::<Done>);

    // The settings form.
    let mode = RwSignal::new("ReadOnly".to_string());
    let nodes = RwSignal::new(Vec::<String>::new());
    let auto_add = RwSignal::new("Disable".to_string());
    let level = RwSignal::new("0".to_string());
    let description = RwSignal::new(String::new());
    // The address form.
    let prefix = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());

    ctx.after_success(create.value(), move || {
        form.set(None);
        done.set(Some(Done::Created));
    });
    ctx.after_success(modify.value(), move || {
        form.set(None);
        done.set(Some(Done::Modified));
    });
    ctx.after_success(delete.value(), move || {
        confirm.set(None);
        done.set(Some(Done::Deleted));
    });
    ctx.after_success(add_address.value(), move || {
        address_form.set(None);
        done.set(Some(Done::AddressCreated));
    });
    ctx.after_success(change_address.value(), move || {
        address_form.set(None);
        done.set(Some(Done::AddressChanged));
    });
    ctx.after_success(release.value(), move || {
        confirm.set(None);
        done.set(Some(Done::AddressReleased));
    });

    let current = move || data.get().and_then(|r| r.ok());
    // (node id, role name, node role) in the cluster's order.
    let cluster_nodes = move || -> Vec<(String, String, String)> {
        let Some(d) = current() else {
            return Vec::new();
        };
        let pairs: Vec<(String, String)> = d
            .attr
            .db_nodes
            .iter()
            .map(|n| (n.db_node_id.clone(), n.db_node_role.clone()))
            .collect();
        role_names(&pairs)
            .into_iter()
            .zip(pairs)
            .map(|((id, name), (_, role))| (id, name, role))
            .collect()
    };

    let custom_form = move || form.get().is_some_and(|t| t.kind == "Custom");
    let mode_problem_now = move || mode_problem(i18n.get_locale(), &mode.get());
    let nodes_problem_now =
        move || endpoint_nodes_problem(i18n.get_locale(), &mode.get(), &nodes.get());
    let level_problem_now =
        move || consist_level_problem(i18n.get_locale(), &mode.get(), &level.get());
    let description_problem_now = move || {
        if custom_form() {
            endpoint_description_problem(i18n.get_locale(), description.get().trim())
        } else {
            None
        }
    };
    let form_problem = move || {
        mode_problem_now()
            .or_else(nodes_problem_now)
            .or_else(level_problem_now)
            .or_else(description_problem_now)
    };

    let open_create = move |_| {
        mode.set("ReadOnly".into());
        nodes.set(
            cluster_nodes()
                .into_iter()
                .filter(|(_, _, role)| role != "Writer")
                .map(|(_, name, _)| name)
                .collect(),
        );
        auto_add.set("Disable".into());
        level.set("0".into());
        description.set(String::new());
        create.value().set(None);
        done.set(None);
        form.set(Some(EndpointTarget {
            id: None,
            kind: "Custom".into(),
            config: String::new(),
        }));
    };

    let submit_form = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(d), Some(t)) = (current(), form.get_untracked()) else {
            return;
        };
        if form_problem().is_some() {
            return;
        }
        let config = merged_config(&t.config, &level.get_untracked());
        let (account, region, cluster) = (d.account, d.region, d.attr.db_cluster_id);
        let settings = EndpointSettings {
            mode: mode.get_untracked(),
            nodes: nodes.get_untracked(),
            auto_add: auto_add.get_untracked(),
            config,
            description: description.get_untracked().trim().to_string(),
        };
        match t.id {
            None => {
                create.dispatch(CreateCustomEndpoint {
                    account,
                    region,
                    cluster,
                    settings,
                });
            }
            Some(id) => {
                modify.dispatch(ModifyEndpoint {
                    account,
                    region,
                    cluster,
                    endpoint: id,
                    kind: t.kind,
                    settings,
                });
            }
        }
    };

    let confirm_change = move || {
        let (Some(d), Some(c)) = (current(), confirm.get_untracked()) else {
            return;
        };
        let (account, region, cluster) = (d.account, d.region, d.attr.db_cluster_id);
        match c {
            Confirm::DeleteEndpoint { id, .. } => {
                delete.dispatch(DeleteCustomEndpoint {
                    account,
                    region,
                    cluster,
                    endpoint: id,
                    kind: "Custom".into(),
                });
            }
            Confirm::ReleaseAddress { endpoint, .. } => {
                release.dispatch(ReleasePublicAddress {
                    account,
                    region,
                    cluster,
                    endpoint,
                });
            }
        }
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="endpoints-done">{done_words(i18n.get_locale(), m)}</div> })}
        <Transition fallback=move || view! { <Loading label=tu_string!(i18n, cluster_nodes.reading_endpoints).to_string() /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d: ClusterData = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let e = match endpoints.await {
                    Ok(e) => e,
                    Err(e) => return load_error(e, id),
                };
                let running = d.running();
                let names = {
                    let pairs: Vec<(String, String)> = d.attr.db_nodes.iter().map(|n| (n.db_node_id.clone(), n.db_node_role.clone())).collect();
                    role_names(&pairs)
                };
                let name_of = move |node: &str| -> String {
                    names.iter().find(|(i, _)| i == node).map(|(_, n)| format!("{n} ({node})")).unwrap_or_else(|| node.to_string())
                };
                let customs = e.items.iter().filter(|x| x.endpoint_type == "Custom").count();
                let can_create = e.can("CreateDBClusterEndpoint");
                let can_modify = e.can("ModifyDBClusterEndpoint");
                let can_delete = e.can("DeleteDBClusterEndpoint");
                let can_add_address = e.can("CreateDBEndpointAddress");
                let can_change_address = e.can("ModifyDBEndpointAddress");
                let can_release = e.can("DeleteDBEndpointAddress");
                let full = customs >= MAX_CUSTOM;
                let status = d.attr.db_cluster_status.clone();
                let not_running = (!running).then_some(move || t_string!(
                    i18n,
                    cluster_nodes.endpoints_not_running,
                    status = api_word(&status)
                ).to_string());
                let mut items = e.items.clone();
                let order = |k: &str| match k { "Primary" => 0, "Cluster" => 1, _ => 2 };
                items.sort_by_key(|x| order(&x.endpoint_type));
                let n_items = items.len();
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="endpoints-summary">
                            {move || t_string!(i18n, cluster_nodes.endpoints_summary, total = n_items, custom = customs, max = MAX_CUSTOM).to_string()}
                            {not_running.clone().map(|m| view! { <span class="refusal">{m}</span> " " <StatusBadge status=d.attr.db_cluster_status.clone() /> })}
                        </p>
                        <div class="toolbar-actions">
                            {can_create.then(|| view! {
                                <button type="button" class="small" data-testid="create-endpoint"
                                    disabled=move || !hydrated.get() || !running || full
                                    title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running))).or(full.then_some(t_string!(i18n, cluster_nodes.customs_full)))
                                    on:click=open_create>{t!(i18n, cluster_nodes.create_custom_endpoint)}</button>
                            })}
                        </div>
                    </div>
                    <div class="endpoint-list" data-testid="endpoint-list">
                        {items.into_iter().map(|ep| {
                            let kind = ep.endpoint_type.clone();
                            let custom = kind == "Custom";
                            let level_now = config_value(&ep.endpoint_config, "ConsistLevel").unwrap_or_default();
                            let balance = config_value(&ep.endpoint_config, "LoadBalanceStrategy");
                            let node_list = ep.nodes.split(',').filter(|s| !s.is_empty()).map(&name_of).collect::<Vec<_>>().join(", ");
                            let node_ids: Vec<String> = ep.nodes.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
                            let has_public = ep.address_items.iter().any(|a| a.net_type == "Public");
                            let title = {
                                let (kind, description) = (kind.clone(), ep.db_endpoint_description.clone());
                                move || if custom && !description.is_empty() {
                                    format!("{} · {}", type_label(i18n.get_locale(), &kind), description)
                                } else {
                                    type_label(i18n.get_locale(), &kind)
                                }
                            };
                            let edit_target = EndpointTarget { id: Some(ep.db_endpoint_id.clone()), kind: kind.clone(), config: ep.endpoint_config.clone() };
                            let edit_mode = ep.read_write_mode.clone();
                            let edit_auto = ep.auto_add_new_nodes.clone();
                            let edit_level = if level_now.is_empty() { "1".to_string() } else { level_now.clone() };
                            let edit_desc = ep.db_endpoint_description.clone();
                            let role_map: Vec<(String, String)> = {
                                let pairs: Vec<(String, String)> = d.attr.db_nodes.iter().map(|n| (n.db_node_id.clone(), n.db_node_role.clone())).collect();
                                role_names(&pairs)
                            };
                            let edit_nodes: Vec<String> = node_ids.iter().filter_map(|i| role_map.iter().find(|(x, _)| x == i).map(|(_, n)| n.clone())).collect();
                            let eid = ep.db_endpoint_id.clone();
                            let eid_pub = eid.clone();
                            let confirm_delete = Confirm::DeleteEndpoint {
                                id: eid.clone(),
                                name: if ep.db_endpoint_description.is_empty() { eid.clone() } else { format!("{} ({})", ep.db_endpoint_description, eid) },
                            };
                            view! {
                                <section class="panel endpoint" data-testid="endpoint" data-endpoint-id=eid.clone() data-type=kind.clone()>
                                    <div class="endpoint-head">
                                        <h2>{title}</h2>
                                        <span class="mono muted">{eid.clone()}</span>
                                    </div>
                                    <dl class="kv endpoint-settings">
                                        <dt>{t!(i18n, cluster_nodes.read_write_mode)}</dt><dd data-testid="endpoint-mode" data-mode=ep.read_write_mode.clone()>{
                                            let m = ep.read_write_mode.clone();
                                            move || mode_label(i18n.get_locale(), &m)
                                        }</dd>
                                        <dt>{t!(i18n, cluster_nodes.nodes)}</dt><dd data-testid="endpoint-nodes">{if node_list.is_empty() { "—".to_string() } else { node_list }}</dd>
                                        <dt>{t!(i18n, cluster_nodes.new_nodes_join)}</dt><dd data-testid="endpoint-auto-add">{
                                            let auto = ep.auto_add_new_nodes.clone();
                                            move || match auto.as_str() { "Enable" => t_string!(i18n, cluster_nodes.auto_enable), "Disable" => t_string!(i18n, cluster_nodes.auto_disable), _ => "—" }
                                        }</dd>
                                        {(!level_now.is_empty()).then(|| view! { <dt>{t!(i18n, cluster_nodes.consistency_level)}</dt><dd data-testid="endpoint-consistency">{
                                            let level = level_now.clone();
                                            move || consist_label(i18n.get_locale(), &level)
                                        }</dd> })}
                                        {balance.map(|b| view! { <dt>{t!(i18n, cluster_nodes.load_balancing)}</dt><dd>{move || if b == "load" { t_string!(i18n, cluster_nodes.by_load).to_string() } else { b.clone() }}</dd> })}
                                        {custom.then(|| view! { <dt>{t!(i18n, cluster_nodes.name)}</dt><dd data-testid="endpoint-description">{if ep.db_endpoint_description.is_empty() { "—".to_string() } else { ep.db_endpoint_description.clone() }}</dd> })}
                                    </dl>
                                    <div class="table-wrap">
                                        <table class="grid addresses" data-testid="addresses">
                                            <thead><tr><th>{t!(i18n, cluster_nodes.col_network)}</th><th>{t!(i18n, cluster_nodes.col_connection_string)}</th><th>{t!(i18n, cluster_nodes.col_port)}</th><th>{t!(i18n, cluster_nodes.col_ip)}</th><th>{t!(i18n, cluster_nodes.col_vpc)}</th><th></th></tr></thead>
                                            <tbody>
                                                {ep.address_items.iter().map(|a| {
                                                    let public = a.net_type == "Public";
                                                    let target = AddressTarget {
                                                        endpoint: eid.clone(),
                                                        net_type: a.net_type.clone(),
                                                        exists: true,
                                                        prefix: prefix_of(&a.connection_string),
                                                        port: a.port.clone(),
                                                    };
                                                    let release_target = Confirm::ReleaseAddress { endpoint: eid.clone(), address: a.connection_string.clone() };
                                                    view! {
                                                        <tr data-net-type=a.net_type.clone()>
                                                            <td class="nowrap">{
                                                                let net = a.net_type.clone();
                                                                move || net_label(i18n.get_locale(), &net)
                                                            }</td>
                                                            <td class="mono" data-testid="address-connection">{a.connection_string.clone()}</td>
                                                            <td class="mono" data-testid="address-port">{a.port.clone()}</td>
                                                            <td class="mono">{a.ip_address.clone()}</td>
                                                            <td class="mono">{if a.vpc_id.is_empty() { "—".to_string() } else { a.vpc_id.clone() }}</td>
                                                            <td><div class="row-actions">
                                                                {(can_change_address && (public || a.net_type == "Private")).then(|| view! {
                                                                    <button type="button" class="small" data-testid="edit-address"
                                                                        title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                                                        disabled=move || !hydrated.get() || !running
                                                                        on:click={
                                                                            let t = target.clone();
                                                                            move |_| {
                                                                                prefix.set(t.prefix.clone());
                                                                                port.set(t.port.clone());
                                                                                change_address.value().set(None);
                                                                                done.set(None);
                                                                                address_form.set(Some(t.clone()));
                                                                            }
                                                                        }>{t!(i18n, cluster_nodes.change)}</button>
                                                                })}
                                                                {(can_release && public).then(|| view! {
                                                                    <button type="button" class="small danger" data-testid="release-address"
                                                                        title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                                                        disabled=move || !hydrated.get() || !running
                                                                        on:click={
                                                                            let c = release_target.clone();
                                                                            move |_| {
                                                                                release.value().set(None);
                                                                                done.set(None);
                                                                                confirm.set(Some(c.clone()));
                                                                            }
                                                                        }>{t!(i18n, cluster_nodes.release)}</button>
                                                                })}
                                                            </div></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <div class="endpoint-actions row-actions">
                                        {(can_add_address && !has_public).then(|| view! {
                                            <button type="button" class="small" data-testid="add-public-address"
                                                title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                                disabled=move || !hydrated.get() || !running
                                                on:click={
                                                    let endpoint = eid_pub.clone();
                                                    move |_| {
                                                        prefix.set(String::new());
                                                        port.set(String::new());
                                                        add_address.value().set(None);
                                                        done.set(None);
                                                        address_form.set(Some(AddressTarget { endpoint: endpoint.clone(), net_type: "Public".into(), exists: false, prefix: String::new(), port: String::new() }));
                                                    }
                                                }>{t!(i18n, cluster_nodes.create_public_address)}</button>
                                        })}
                                        {(can_modify && kind != "Primary").then(|| view! {
                                            <button type="button" class="small" data-testid="edit-endpoint"
                                                title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                                disabled=move || !hydrated.get() || !running
                                                on:click={
                                                    let t = edit_target.clone();
                                                    let (m, a, l, ds, ns) = (edit_mode.clone(), edit_auto.clone(), edit_level.clone(), edit_desc.clone(), edit_nodes.clone());
                                                    move |_| {
                                                        mode.set(m.clone());
                                                        auto_add.set(a.clone());
                                                        level.set(l.clone());
                                                        description.set(ds.clone());
                                                        nodes.set(ns.clone());
                                                        modify.value().set(None);
                                                        done.set(None);
                                                        form.set(Some(t.clone()));
                                                    }
                                                }>{t!(i18n, cluster_nodes.change_settings)}</button>
                                        })}
                                        {(can_delete && custom).then(|| view! {
                                            <button type="button" class="small danger" data-testid="delete-endpoint"
                                                title=move || waiting(hydrated).or((!running).then_some(t_string!(i18n, cluster_nodes.only_running)))
                                                disabled=move || !hydrated.get() || !running
                                                on:click={
                                                    let c = confirm_delete.clone();
                                                    move |_| {
                                                        delete.value().set(None);
                                                        done.set(None);
                                                        confirm.set(Some(c.clone()));
                                                    }
                                                }>{t!(i18n, cluster_nodes.delete_endpoint)}</button>
                                        })}
                                    </div>
                                    {(!custom).then(|| view! {
                                        <p class="muted small-print" data-testid="endpoint-permanent">
                                            {let primary = kind == "Primary";
                                            move || if primary {
                                                t_string!(i18n, cluster_nodes.primary_permanent)
                                            } else {
                                                t_string!(i18n, cluster_nodes.cluster_permanent)
                                            }}
                                        </p>
                                    })}
                                </section>
                            }
                        }).collect_view()}
                    </div>
                }
                .into_any()
            })}
        </Transition>

        // Forms and confirmations live outside the refreshing list: nothing resets them.
        {move || form.get().map(|t| {
            let creating = t.id.is_none();
            let custom = t.kind == "Custom";
            let heading = match &t.id {
                None => t_string!(i18n, cluster_nodes.create_heading).to_string(),
                Some(id) => t_string!(
                    i18n,
                    cluster_nodes.edit_heading,
                    kind = type_label(i18n.get_locale(), &t.kind).to_lowercase(),
                    id = id
                )
                .to_string(),
            };
            let pending = move || create.pending().get() || modify.pending().get();
            let problem = |p: Option<String>, subject: &'static str| p.map(|p| problem_line(subject, &p));
            view! {
                <Dialog title_id="endpoint-form-title" title=heading testid="endpoint-form" on_close=move || form.set(None)>
                    <form class="stack-form" on:submit=submit_form>
                        <Field label=Signal::derive(move || t_string!(i18n, cluster_nodes.read_write_mode).to_string()) problem=Signal::derive(move || problem(mode_problem_now(), t_string!(i18n, cluster_nodes.read_write_mode)))>
                            <select data-testid="endpoint-mode-select" data-autofocus prop:value=move || mode.get()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if v == "ReadOnly" { level.set("0".into()); }
                                    mode.set(v);
                                }>
                                <option value="ReadOnly">{t!(i18n, cluster_nodes.mode_read_only)}</option>
                                <option value="ReadWrite">{t!(i18n, cluster_nodes.mode_read_write)}</option>
                            </select>
                        </Field>
                        <fieldset class="node-picker" data-testid="endpoint-node-picker">
                            <legend>{t!(i18n, cluster_nodes.nodes)}</legend>
                            {move || cluster_nodes().into_iter().map(|(id, name, role)| {
                                let n1 = name.clone();
                                let n2 = name.clone();
                                view! {
                                    <label class="check">
                                        <input type="checkbox" data-node=name.clone()
                                            prop:checked=move || nodes.get().contains(&n1)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let n = n2.clone();
                                                nodes.update(|v| {
                                                    v.retain(|x| *x != n);
                                                    if on { v.push(n); }
                                                });
                                            } />
                                        <span>{let (name, id) = (name.clone(), id.clone());
                                        move || if role == "Writer" {
                                            t_string!(i18n, cluster_nodes.primary_node_choice, name = &name, id = &id).to_string()
                                        } else {
                                            format!("{name} · {id}")
                                        }}</span>
                                    </label>
                                }
                            }).collect_view()}
                            <FieldHint testid="endpoint-nodes-problem" problem=Signal::derive(move || problem(nodes_problem_now(), t_string!(i18n, cluster_nodes.nodes_subject)))
                                hint=Signal::derive(move || if mode.get() == "ReadOnly" && nodes.get().len() == 1 {
                                    t_string!(i18n, cluster_nodes.one_node_hint).to_string()
                                } else { String::new() }) />
                        </fieldset>
                        <label>
                            <span>{t!(i18n, cluster_nodes.new_nodes_join_this)}</span>
                            <select data-testid="endpoint-auto-add-select" prop:value=move || auto_add.get()
                                on:change=move |ev| auto_add.set(event_target_value(&ev))>
                                <option value="Disable">{t!(i18n, cluster_nodes.auto_disable)}</option>
                                <option value="Enable">{t!(i18n, cluster_nodes.auto_enable)}</option>
                            </select>
                        </label>
                        <Field label=Signal::derive(move || t_string!(i18n, cluster_nodes.consistency_level).to_string()) testid="endpoint-level-problem"
                            problem=Signal::derive(move || problem(level_problem_now(), t_string!(i18n, cluster_nodes.consistency_subject)))
                            hint=Signal::derive(move || t_string!(i18n, cluster_nodes.level_hint).to_string())>
                            <select data-testid="endpoint-level-select" prop:value=move || level.get()
                                on:change=move |ev| level.set(event_target_value(&ev))>
                                <option value="0">{t!(i18n, cluster_nodes.level_eventual)}</option>
                                <option value="1">{t!(i18n, cluster_nodes.level_session)}</option>
                            </select>
                        </Field>
                        {custom.then(|| view! {
                            <Field label=Signal::derive(move || t_string!(i18n, cluster_nodes.name_optional).to_string()) testid="endpoint-description-problem"
                                problem=Signal::derive(move || problem(description_problem_now(), t_string!(i18n, cluster_nodes.name)))
                                hint=Signal::derive(move || t_string!(i18n, cluster_nodes.name_hint).to_string())>
                                <input type="text" data-testid="endpoint-description-input" maxlength="80"
                                    prop:value=move || description.get()
                                    on:input=move |ev| description.set(event_target_value(&ev)) />
                            </Field>
                        })}
                        {change_error(create.value())}
                        {change_error(modify.value())}
                        <DialogActions>
                            <button type="button" class="small" on:click=move |_| form.set(None)>{t!(i18n, cluster_nodes.cancel)}</button>
                            <button type="submit" class="small primary-small" data-testid="submit-endpoint"
                                disabled=move || form_problem().is_some() || pending()>
                                {move || match (pending(), creating) {
                                    (true, _) => t_string!(i18n, cluster_nodes.sending),
                                    (false, true) => t_string!(i18n, cluster_nodes.create_endpoint),
                                    (false, false) => t_string!(i18n, cluster_nodes.save_changes),
                                }}
                            </button>
                        </DialogActions>
                    </form>
                </Dialog>
            }
        })}
        {move || address_form.get().map(|t| view! {
            <AddressDialog target=t address_form prefix port add_address change_address />
        })}
        {move || confirm.get().map(|c| {
            let (title, body, button, error) = match &c {
                Confirm::DeleteEndpoint { id, name } => (
                    t_string!(i18n, cluster_nodes.delete_title, name = name).to_string(),
                    t_string!(i18n, cluster_nodes.delete_body, id = id).to_string(),
                    t_string!(i18n, cluster_nodes.delete_endpoint),
                    change_error(delete.value()).into_any(),
                ),
                Confirm::ReleaseAddress { endpoint, address } => (
                    t_string!(i18n, cluster_nodes.release_title, endpoint = endpoint).to_string(),
                    t_string!(i18n, cluster_nodes.release_body, address = address).to_string(),
                    t_string!(i18n, cluster_nodes.release_address),
                    change_error(release.value()).into_any(),
                ),
            };
            let pending = Signal::derive(move || delete.pending().get() || release.pending().get());
            view! {
                <ConfirmDialog title_id="endpoint-confirm-title" title=title on_close=move || confirm.set(None)
                    on_confirm=confirm_change pending=pending button=button>
                    <p>{body}</p>
                    {error}
                </ConfirmDialog>
            }
        })}
    }
}
