//! The overview tab: the cluster's attributes, edited in place, and its deletion (the
//! billing panel, with the renewal, in `billing`).

use super::billing::{billing_panel, RenewalEdit};
use super::*;
use crate::kit::waiting;

// ---------------------------------------------------------------------------------------
// Pages.

/// `/clusters/:id`: the Overview section.
#[component]
pub fn ClusterOverviewPage() -> impl IntoView {
    view! {
        <Overview />
    }
}

#[component]
pub(super) fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let rename = ServerAction::<ModifyClusterDescription>::new();
    let maintain = ServerAction::<ModifyClusterMaintainTime>::new();
    let protect = ServerAction::<ModifyClusterDeletion>::new();
    let delete = ServerAction::<DeleteCluster>::new();
    let retention = ServerAction::<BackupRetentionOnDeletion>::new();

    let editing = RwSignal::new(None::<Edit>);
    let description = RwSignal::new(String::new());
    let window = RwSignal::new(String::new());
    let dialog = RwSignal::new(false);

    ctx.after_success(rename.value(), move || editing.set(None));
    ctx.after_success(maintain.value(), move || editing.set(None));
    ctx.after_success(protect.value(), || {});
    ctx.after_success(delete.value(), move || dialog.set(false));

    // Failover, primary zone, renewal, creation progress.
    let failover = ServerAction::<FailoverCluster>::new();
    let move_zone = ServerAction::<ModifyPrimaryZone>::new();
    let renew = ServerAction::<ModifyAutoRenew>::new();
    let failover_target = RwSignal::new(String::new());
    let failover_confirm = RwSignal::new(false);
    let zone_target = RwSignal::new(String::new());
    let (zone_start, zone_end) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (zone_plan_problem, zone_planned) =
        (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let zone_vswitch = RwSignal::new(String::new());
    let renew_status = RwSignal::new(String::new());
    let renew_duration = RwSignal::new("1".to_string());
    let renew_unit = RwSignal::new("Month".to_string());
    ctx.after_success(failover.value(), move || failover_confirm.set(false));
    ctx.after_success(move_zone.value(), move || editing.set(None));
    let renew_saved = RwSignal::new(0u32);
    ctx.after_success(renew.value(), move || {
        editing.set(None);
        renew_saved.update(|n| *n += 1);
    });
    let zones = ServerAction::<ZoneChoices>::new();
    let renewal = Resource::new(
        move || {
            let d = data.get().and_then(|r| r.ok())?;
            (d.attr.pay_type == "Prepaid").then(|| {
                (
                    d.account.clone(),
                    d.region.clone(),
                    d.attr.db_cluster_id.clone(),
                    renew_saved.get(),
                )
            })
        },
        |key| async move {
            match key {
                Some((a, r, c, _)) => auto_renew_settings(a, r, c).await,
                None => Ok(None),
            }
        },
    );

    let current = move || data.get().and_then(|r| r.ok());
    let hydrated = ctx.hydrated;

    let description_problem_now = move || description_problem(&description.get());
    let window_problem_now = move || maintain_time_problem(window.get().trim());

    let save_description = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if description_problem_now().is_some() {
            return;
        }
        rename.dispatch(ModifyClusterDescription {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            description: description.get_untracked(),
        });
    };
    let save_window = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if window_problem_now().is_some() {
            return;
        }
        maintain.dispatch(ModifyClusterMaintainTime {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            maintain_time: window.get_untracked().trim().to_string(),
        });
    };
    let toggle_protection = move |_| {
        let Some(d) = current() else { return };
        protect.dispatch(ModifyClusterDeletion {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            protection: d.attr.deletion_lock == 0,
        });
    };
    let open_delete = move |_| {
        let Some(d) = current() else { return };
        delete.value().set(None);
        retention.value().set(None);
        retention.dispatch(BackupRetentionOnDeletion {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
        });
        dialog.set(true);
    };

    let confirm_failover = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if failover_target.get_untracked().is_empty() {
            return;
        }
        failover.dispatch(FailoverCluster {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            target: failover_target.get_untracked(),
        });
    };
    let zone_problem_now = move || {
        let d = current()?;
        primary_zone_problem(
            &d.region,
            &primary_zone_of(&d),
            &zone_target.get(),
            zone_vswitch.get().trim(),
        )
    };
    let open_zone = move |_| {
        let Some(d) = current() else { return };
        zone_target.set(String::new());
        zone_vswitch.set(String::new());
        zone_start.set(String::new());
        zone_end.set(String::new());
        move_zone.value().set(None);
        zones.dispatch(ZoneChoices {
            account: d.account.clone(),
            region: d.region.clone(),
            pay_type: d.attr.pay_type.clone(),
            version: d.attr.db_version.clone(),
            class: d
                .attr
                .db_nodes
                .first()
                .map(|n| n.db_node_class.clone())
                .unwrap_or_default(),
        });
        editing.set(Some(Edit::PrimaryZone));
    };
    let save_zone = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = current() else { return };
        if zone_problem_now().is_some() || zone_plan_problem.get_untracked().is_some() {
            return;
        }
        zone_planned.set(
            (!zone_start.get_untracked().is_empty())
                .then(|| zone_start.get_untracked().replace('T', " ")),
        );
        move_zone.dispatch(ModifyPrimaryZone {
            account: d.account.clone(),
            region: d.region.clone(),
            cluster: d.attr.db_cluster_id.clone(),
            current: primary_zone_of(&d),
            zone: zone_target.get_untracked(),
            vswitch: zone_vswitch.get_untracked().trim().to_string(),
            planned: crate::kit::Planned::of(zone_start, zone_end),
        });
    };
    let renewal_edit = RenewalEdit {
        renew,
        renewal,
        renew_status,
        renew_duration,
        renew_unit,
    };

    view! {
        {outcome_banners(failover, move_zone, delete, zone_planned)}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster.reading_cluster) /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let a = d.attr.clone();
                let locked = a.deletion_lock != 0;
                let prepaid = a.pay_type == "Prepaid";
                let running = d.running();
                let mut refusals = Vec::new();
                if locked {
                    refusals.push(t_string!(i18n, cluster.delete_refused_protected).to_string());
                }
                if prepaid {
                    refusals.push(t_string!(i18n, cluster.delete_refused_prepaid).to_string());
                }
                if !running {
                    refusals.push(t_string!(i18n, cluster.delete_refused_not_running, status = api_word(&a.db_cluster_status)).to_string());
                }
                let delete_refusal = (!refusals.is_empty()).then(|| refusals.join(" "));
                let readers = a.db_nodes.iter().filter(|n| n.db_node_role == "Reader").count();
                let writers = a.db_nodes.len() - readers;
                let current_description = a.db_cluster_description.clone();
                let current_window = a.maintain_time.clone();
                let can_rename = d.can("ModifyDBClusterDescription");
                let can_window = d.can("ModifyDBClusterMaintainTime");
                let can_protect = d.can("ModifyDBClusterDeletion");
                let can_delete = d.can("DeleteDBCluster");
                let nodes_href = cluster_href(&a.db_cluster_id, &d.account, &d.region, "nodes");
                let nodes_href2 = nodes_href.clone();
                let can_failover = d.can("FailoverDBCluster");
                let can_zone = d.can("ModifyDBClusterPrimaryZone");
                let can_renew = d.can("ModifyAutoRenewAttribute");
                let primary_zone = primary_zone_of(&d);
                let primary_node = a.db_nodes.iter().find(|n| n.db_node_role == "Writer").map(|n| n.db_node_id.clone()).unwrap_or_default();
                let reader_nodes: Vec<(String, String, String)> = a.db_nodes.iter()
                    .filter(|n| n.db_node_role == "Reader")
                    .map(|n| (n.db_node_id.clone(), n.zone_id.clone(), n.db_node_status.clone()))
                    .collect();
                let change_refusal = (!running).then(|| t_string!(i18n, cluster.available_when_running, status = api_word(&a.db_cluster_status)).to_string());
                let tags = a.tags.clone();
                view! {
                    <div class="overview" data-testid="cluster-overview">
                        <section class="panel">
                            <h2>{t!(i18n, cluster.basics)}</h2>
                            <dl class="kv">
                                <dt>{t!(i18n, cluster.description)}</dt>
                                <dd>
                                    <span data-testid="field-description">{a.db_cluster_description.clone()}</span>
                                    {can_rename.then(|| view! {
                                        " "
                                        <button type="button" class="small-link link-button" data-testid="edit-description"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get()
                                            on:click={
                                                let cur = current_description.clone();
                                                move |_| {
                                                    description.set(cur.clone());
                                                    rename.value().set(None);
                                                    editing.set(Some(Edit::Description));
                                                }
                                            }>{t!(i18n, cluster.edit)}</button>
                                    })}
                                    {move || (editing.get() == Some(Edit::Description)).then(|| view! {
                                        <form class="edit-form" on:submit=save_description data-testid="description-form">
                                            <input type="text" aria-label=move || t_string!(i18n, cluster.new_description) data-testid="description-input"
                                                maxlength="300"
                                                prop:value=move || description.get()
                                                on:input=move |ev| description.set(event_target_value(&ev)) />
                                            <button type="submit" class="small primary-small" data-testid="save-description"
                                                disabled=move || description_problem_now().is_some() || rename.pending().get()>
                                                {move || if rename.pending().get() { t_string!(i18n, cluster.saving) } else { t_string!(i18n, cluster.save) }}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>{t!(i18n, cluster.cancel)}</button>
                                            <FieldHint testid="description-problem" problem=Signal::derive(move || description_problem_now().map(|p| problem_line(t_string!(i18n, cluster.description), &p)))
                                                hint=Signal::derive(move || t_string!(i18n, cluster.description_hint).to_string()) />
                                            {change_error(rename.value())}
                                        </form>
                                    })}
                                </dd>
                                <dt>{t!(i18n, cluster.cluster_id)}</dt><dd class="mono">{a.db_cluster_id.clone()}</dd>
                                <dt>{t!(i18n, cluster.status)}</dt><dd><StatusBadge status=a.db_cluster_status.clone() /></dd>
                                <dt>{t!(i18n, cluster.engine)}</dt><dd data-testid="field-engine">{
                                    let (db_type, version, engine) = (if a.db_type.is_empty() { "PostgreSQL".to_string() } else { a.db_type.clone() }, a.db_version.clone(), a.engine.clone());
                                    move || format!("{} {} ({})", api_word(&db_type), version, api_word(&engine))
                                }</dd>
                                <dt>{t!(i18n, cluster.minor_version)}</dt>
                                <dd>
                                    {
                                        let status = a.db_version_status.clone();
                                        move || version_status_label(&status)
                                    }
                                    <span class="muted">{
                                        let latest = a.is_latest_version;
                                        move || if latest { t_string!(i18n, cluster.latest_kernel) } else { t_string!(i18n, cluster.newer_kernel) }
                                    }</span>
                                    {(!a.auto_upgrade_minor_version.is_empty()).then(|| {
                                        let mode = a.auto_upgrade_minor_version.clone();
                                        view! { <span class="muted">{move || t_string!(i18n, cluster.minor_updates, mode = api_word(&mode)).to_string()}</span> }
                                    })}
                                </dd>
                                <dt>{t!(i18n, cluster.edition)}</dt>
                                <dd>{
                                    let category = a.category.clone();
                                    move || category_label(&category)
                                }{(!a.sub_category.is_empty()).then(|| {
                                    let spec = a.sub_category.clone();
                                    view! { <span class="muted">{move || t_string!(i18n, cluster.specification, spec = api_word(&spec)).to_string()}</span> }
                                })}</dd>
                                <dt>{t!(i18n, cluster.nodes)}</dt>
                                <dd><a href=nodes_href>{move || t_string!(i18n, cluster.node_counts, writers = writers, readers = readers).to_string()}</a></dd>
                                <dt>{t!(i18n, cluster.created)}</dt><dd class="mono" data-testid="field-created">{human_time(&a.creation_time)}</dd>
                            </dl>
                        </section>


                        {storage_and_network(&a)}

                        <section class="panel" data-testid="deployment-panel">
                            <h2>{t!(i18n, cluster.primary_and_failover)}</h2>
                            <dl class="kv">
                                <dt>{t!(i18n, cluster.primary_node)}</dt><dd class="mono" data-testid="field-primary-node">{primary_node.clone()}</dd>
                                <dt>{t!(i18n, cluster.primary_zone)}</dt>
                                <dd>
                                    <span data-testid="field-primary-zone">{primary_zone.clone()}</span>
                                    {(can_zone && running).then(|| view! {
                                        " "
                                        <button type="button" class="small-link link-button" data-testid="change-zone"
                                            title=move || waiting(hydrated) disabled=move || !hydrated.get() on:click=open_zone>{t!(i18n, cluster.change)}</button>
                                    })}
                                    {move || (editing.get() == Some(Edit::PrimaryZone)).then(|| view! {
                                        <form class="edit-form" on:submit=save_zone data-testid="zone-form">
                                            <select aria-label=move || t_string!(i18n, cluster.new_primary_zone) data-testid="zone-select"
                                                on:change=move |ev| zone_target.set(event_target_value(&ev))>
                                                <option value="" selected=move || zone_target.get().is_empty()>{t!(i18n, cluster.choose_zone)}</option>
                                                {move || zones.value().get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|z| {
                                                    let z2 = z.clone();
                                                    view! { <option value=z.clone() selected=move || zone_target.get() == z2>{z.clone()}</option> }
                                                }).collect_view()}
                                            </select>
                                            <input type="text" class="mono" aria-label=move || t_string!(i18n, cluster.zone_vswitch) placeholder=move || t_string!(i18n, cluster.zone_vswitch_placeholder)
                                                data-testid="zone-vswitch" maxlength="64"
                                                prop:value=move || zone_vswitch.get()
                                                on:input=move |ev| zone_vswitch.set(event_target_value(&ev)) />
                                            <button type="submit" class="small primary-small" data-testid="save-zone"
                                                disabled=move || zone_problem_now().is_some() || zone_plan_problem.get().is_some() || move_zone.pending().get()>
                                                {move || if move_zone.pending().get() { t_string!(i18n, cluster.moving) } else if zone_start.get().is_empty() { t_string!(i18n, cluster.move_now) } else { t_string!(i18n, cluster.plan_move) }}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>{t!(i18n, cluster.cancel)}</button>
                                            <FieldHint testid="zone-problem" problem=Signal::derive(move || zone_problem_now().map(|p| problem_line(t_string!(i18n, cluster.primary_zone_subject), &p)))
                                                hint=Signal::derive(move || t_string!(i18n, cluster.zone_hint).to_string()) />
                                            <PlannedWindow start=zone_start end=zone_end problem=zone_plan_problem />
                                            {change_error(zones.value())}
                                            {change_error(move_zone.value())}
                                        </form>
                                    })}
                                </dd>
                                <dt>{t!(i18n, cluster.failover)}</dt>
                                <dd>
                                    {if reader_nodes.is_empty() {
                                        view! { <span class="muted">{t!(i18n, cluster.no_reader)}</span><a href=nodes_href2.clone()>{t!(i18n, cluster.add_reader)}</a> }.into_any()
                                    } else if !can_failover {
                                        let n = reader_nodes.len();
                                        view! { <span class="muted">{move || t_string!(i18n, cluster.readers_can_take_over, n = n).to_string()}</span> }.into_any()
                                    } else if let Some(why) = change_refusal.clone() {
                                        view! { <span class="muted" data-testid="failover-refused">{why}</span> }.into_any()
                                    } else {
                                        let readers = reader_nodes.clone();
                                        let primary = primary_node.clone();
                                        view! {
                                            <form class="edit-form" on:submit=confirm_failover data-testid="failover-form">
                                                <select aria-label=move || t_string!(i18n, cluster.failover_target) data-testid="failover-target"
                                                    on:change=move |ev| { failover_target.set(event_target_value(&ev)); failover_confirm.set(false); }>
                                                    <option value="" selected=move || failover_target.get().is_empty()>{t!(i18n, cluster.choose_reader)}</option>
                                                    {readers.iter().map(|(id, zone, status)| {
                                                        let id2 = id.clone();
                                                        let (id3, zone, status) = (id.clone(), zone.clone(), status.clone());
                                                        view! { <option value=id.clone() selected=move || failover_target.get() == id2>{move || t_string!(i18n, cluster.reader_option, id = &id3, zone = &zone, status = api_word(&status)).to_string()}</option> }
                                                    }).collect_view()}
                                                </select>
                                                {move || if failover_confirm.get() {
                                                    let target = failover_target.get();
                                                    view! {
                                                        <p class="confirm-line" data-testid="failover-confirm-text">
                                                            {t_string!(i18n, cluster.failover_confirm, target = &target, primary = &primary).to_string()}
                                                        </p>
                                                        <button type="submit" class="small danger solid" data-testid="confirm-failover"
                                                            disabled=move || failover.pending().get()>
                                                            {move || if failover.pending().get() { t_string!(i18n, cluster.failing_over) } else { t_string!(i18n, cluster.fail_over) }}
                                                        </button>
                                                        <button type="button" class="small" on:click=move |_| failover_confirm.set(false)>{t!(i18n, cluster.cancel)}</button>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <button type="button" class="small" data-testid="failover"
                                                            title=move || waiting(hydrated)
                                                            disabled=move || !hydrated.get() || failover_target.get().is_empty()
                                                            on:click=move |_| { failover.value().set(None); failover_confirm.set(true); }>
                                                            {t!(i18n, cluster.fail_over_ellipsis)}
                                                        </button>
                                                    }.into_any()
                                                }}
                                                {change_error(failover.value())}
                                            </form>
                                        }.into_any()
                                    }}
                                </dd>
                            </dl>
                        </section>

                        {billing_panel(&a, prepaid, can_renew, renewal_edit, editing, hydrated, current)}

                        <section class="panel">
                            <h2>{t!(i18n, cluster.maintenance_and_protection)}</h2>
                            <dl class="kv">
                                <dt>{t!(i18n, cluster.maintenance_window)}</dt>
                                <dd>
                                    <span data-testid="field-maintain-time" class="mono">{a.maintain_time.clone()}</span>
                                    <span class="muted">{
                                        let local = maintain_time_china(&a.maintain_time);
                                        move || local.as_ref().map(|l| t_string!(i18n, cluster.window_utc_local, local = l).to_string()).unwrap_or_default()
                                    }</span>
                                    {can_window.then(|| view! {
                                        " "
                                        <button type="button" class="small-link link-button" data-testid="edit-maintain-time"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get()
                                            on:click={
                                                let cur = current_window.clone();
                                                move |_| {
                                                    window.set(cur.clone());
                                                    maintain.value().set(None);
                                                    editing.set(Some(Edit::MaintainTime));
                                                }
                                            }>{t!(i18n, cluster.edit)}</button>
                                    })}
                                    {move || (editing.get() == Some(Edit::MaintainTime)).then(|| view! {
                                        <form class="edit-form" on:submit=save_window data-testid="maintain-form">
                                            <input type="text" class="mono" aria-label=move || t_string!(i18n, cluster.new_maintenance_window) data-testid="maintain-input"
                                                placeholder="16:00Z-17:00Z" maxlength="20"
                                                prop:value=move || window.get()
                                                on:input=move |ev| window.set(event_target_value(&ev)) />
                                            <button type="submit" class="small primary-small" data-testid="save-maintain-time"
                                                disabled=move || window_problem_now().is_some() || maintain.pending().get()>
                                                {move || if maintain.pending().get() { t_string!(i18n, cluster.saving) } else { t_string!(i18n, cluster.save) }}
                                            </button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>{t!(i18n, cluster.cancel)}</button>
                                            <FieldHint testid="maintain-problem" problem=Signal::derive(move || window_problem_now().map(|p| problem_line(t_string!(i18n, cluster.maintenance_window_subject), &p)))
                                                hint=Signal::derive(move || t_string!(i18n, cluster.window_hint, local = maintain_time_china(window.get().trim()).unwrap_or_default()).to_string()) />
                                            {change_error(maintain.value())}
                                        </form>
                                    })}
                                </dd>
                                <dt>{t!(i18n, cluster.deletion_protection)}</dt>
                                <dd>
                                    <span data-testid="field-deletion-protection">{move || if locked { t_string!(i18n, cluster.on) } else { t_string!(i18n, cluster.off) }}</span>
                                    <span class="muted">{move || if locked { t_string!(i18n, cluster.cannot_be_deleted) } else { t_string!(i18n, cluster.can_be_deleted) }}</span>
                                    {can_protect.then(|| view! {
                                        " "
                                        <button type="button" class="small" data-testid="toggle-protection"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || protect.pending().get()
                                            on:click=toggle_protection>
                                            {move || if locked { t_string!(i18n, cluster.turn_off) } else { t_string!(i18n, cluster.turn_on) }}
                                        </button>
                                    })}
                                    {change_error(protect.value())}
                                </dd>
                            </dl>
                        </section>

                        <section class="panel">
                            <h2>{t!(i18n, cluster.tags)}</h2>
                            {if tags.is_empty() {
                                view! { <p class="muted">{t!(i18n, cluster.no_tags)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="tag-list" data-testid="field-tags">
                                        {tags.into_iter().map(|t| view! {
                                            <li class="tag"><span class="tag-key">{t.key}</span>{(!t.value.is_empty()).then(|| view! { <span class="tag-value">{t.value}</span> })}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>

                        {can_delete.then(|| view! {
                            <section class="panel panel-danger">
                                <h2>{t!(i18n, cluster.delete_heading)}</h2>
                                <p class="muted">{t!(i18n, cluster.delete_lead)}</p>
                                {match delete_refusal.clone() {
                                    Some(reason) => view! {
                                        <p class="refusal" data-testid="delete-refused" role="note">{reason}</p>
                                        <button type="button" class="small danger" data-testid="delete-cluster" disabled=true>{t!(i18n, cluster.delete_cluster)}</button>
                                    }.into_any(),
                                    None => view! {
                                        <button type="button" class="small danger" data-testid="delete-cluster"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get()
                                            on:click=open_delete>{t!(i18n, cluster.delete_cluster)}</button>
                                    }.into_any(),
                                }}
                            </section>
                        })}
                    </div>
                }
                .into_any()
            })}
        </Transition>

        // The deletion dialog lives outside the refreshing part: nothing resets it while open.
        {move || dialog.get().then(|| view! { <DeleteDialog dialog delete retention /> })}
    }
}
