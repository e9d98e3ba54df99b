//! The whitelists tab: IP groups and security groups, edited and reviewed as a diff before applying.

use super::*;
use crate::kit::waiting;

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/whitelists`.
#[component]
pub fn ClusterWhitelistsPage() -> impl IntoView {
    view! {
        <Whitelists />
    }
}

/// What the editor is editing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Editing {
    NewGroup,
    Group(String),
    SecurityGroups,
}

/// The change waiting for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Review {
    Ip(Plan),
    Sg {
        added: Vec<String>,
        removed: Vec<String>,
        ids: Vec<String>,
    },
}

#[component]
pub(super) fn Whitelists() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let hydrated = ctx.hydrated;
    let reload = section_reload(ctx);
    let view_data = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(s, _)| whitelist_view(s.account, s.region, s.id),
    );
    let modify = ServerAction::<ModifyIpGroup>::new();
    let modify_sg = ServerAction::<ModifySecurityGroups>::new();

    let editing = RwSignal::new(None::<Editing>);
    let name = RwSignal::new(String::new());
    let entries = RwSignal::new(String::new());
    let sg_text = RwSignal::new(String::new());
    let review = RwSignal::new(None::<Review>);
    let ack = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    let after = move || {
        review.set(None);
        editing.set(None);
        reload.update(|n| *n += 1);
    };
    ctx.after_success(modify.value(), move || {
        done.set(Some(
            t_string!(i18n, cluster_access.whitelist_changed).to_string(),
        ));
        after();
    });
    ctx.after_success(modify_sg.value(), move || {
        done.set(Some(
            t_string!(i18n, cluster_access.security_groups_changed).to_string(),
        ));
        after();
    });

    let current = move || view_data.get().and_then(|r| r.ok());
    let cluster = move || ctx.data.get().and_then(|r| r.ok());
    let old_entries = move || -> Vec<String> {
        match (editing.get(), current()) {
            (Some(Editing::Group(g)), Some(v)) => v
                .groups
                .iter()
                .find(|x| x.name == g)
                .map(|x| x.ips.clone())
                .unwrap_or_default(),
            _ => vec![],
        }
    };
    // Entries of every other user group (the 1000 limit counts them all).
    let others = move || -> usize {
        let skip = match editing.get() {
            Some(Editing::Group(g)) => g,
            _ => String::new(),
        };
        current()
            .map(|v| {
                v.groups
                    .iter()
                    .filter(|g| !g.read_only && g.name != skip)
                    .map(|g| g.ips.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let name_problem_now = move || -> Option<String> {
        if editing.get() != Some(Editing::NewGroup) {
            return None;
        }
        let n = name.get();
        if let Some(p) = group_name_problem(&n) {
            return Some(p);
        }
        let v = current()?;
        if v.groups.iter().any(|g| g.name == n) {
            return Some(t_string!(i18n, cluster_access.group_exists, name = n).to_string());
        }
        if is_system_group(&n, "") {
            return Some(t_string!(i18n, cluster_access.reserved_group_name, name = n).to_string());
        }
        let user_groups = v.groups.iter().filter(|g| !g.read_only).count();
        if user_groups >= MAX_GROUPS {
            return Some(
                t_string!(i18n, cluster_access.too_many_groups, max = MAX_GROUPS).to_string(),
            );
        }
        None
    };
    let entries_problem_now = move || entries_problem(&entries.get(), others());
    let ip_problem_now = move || name_problem_now().or_else(entries_problem_now);
    let sg_problem_now = move || security_groups_problem(&sg_text.get());

    let open_new = move |_| {
        name.set(String::new());
        entries.set(String::new());
        done.set(None);
        editing.set(Some(Editing::NewGroup));
    };
    let to_review = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match editing.get_untracked() {
            Some(Editing::SecurityGroups) => {
                if sg_problem_now().is_some() {
                    return;
                }
                let old: Vec<String> = current()
                    .map(|v| v.security_groups.iter().map(|(id, _)| id.clone()).collect())
                    .unwrap_or_default();
                let ids = split_ids(&sg_text.get_untracked());
                let added = ids.iter().filter(|i| !old.contains(i)).cloned().collect();
                let removed = old.iter().filter(|i| !ids.contains(i)).cloned().collect();
                modify_sg.value().set(None);
                review.set(Some(Review::Sg {
                    added,
                    removed,
                    ids,
                }));
            }
            Some(e) => {
                if ip_problem_now().is_some() {
                    return;
                }
                let Ok(new) = parse_list(&entries.get_untracked()) else {
                    return;
                };
                let (group, new_group) = match e {
                    Editing::Group(g) => (g, false),
                    _ => (name.get_untracked(), true),
                };
                ack.set(false);
                modify.value().set(None);
                review.set(Some(Review::Ip(plan(
                    &group,
                    &old_entries(),
                    &new,
                    new_group,
                ))));
            }
            None => {}
        }
    };
    let apply = move || {
        let (Some(d), Some(r)) = (cluster(), review.get_untracked()) else {
            return;
        };
        match r {
            Review::Ip(p) => {
                modify.dispatch(ModifyIpGroup {
                    account: d.account,
                    region: d.region,
                    cluster: d.attr.db_cluster_id,
                    group: p.group,
                    mode: p.mode.to_string(),
                    ips: p.sent.join(","),
                    confirm_wide: ack.get_untracked() || !p.added.iter().any(|e| is_wide(e)),
                });
            }
            Review::Sg { ids, .. } => {
                modify_sg.dispatch(ModifySecurityGroups {
                    account: d.account,
                    region: d.region,
                    cluster: d.attr.db_cluster_id,
                    ids: ids.join(","),
                });
            }
        }
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="whitelist-done">{m}</div> })}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_access.reading_whitelists) /> }>
            {move || Suspend::new(async move {
                let v = match view_data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let can = v.can_modify;
                let total: usize = v.groups.iter().filter(|g| !g.read_only).map(|g| g.ips.len()).sum();
                let n_groups = v.groups.iter().filter(|g| !g.read_only).count();
                let sgs = v.security_groups.clone();
                let sg_ids = sgs.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>().join(", ");
                view! {
                    <section class="panel">
                        <div class="toolbar">
                            <h2>{t!(i18n, cluster_access.ip_groups_heading)}</h2>
                            <p class="muted" data-testid="whitelist-summary">
                                {move || t_string!(i18n, cluster_access.whitelist_summary, groups = n_groups, max_groups = MAX_GROUPS, total = total, max_entries = MAX_ENTRIES).to_string()}
                            </p>
                            <div class="toolbar-actions">
                                {can.then(|| view! {
                                    <button type="button" class="small" data-testid="add-group"
                                        title=move || waiting(hydrated)
                                        disabled=move || !hydrated.get() on:click=open_new>{t!(i18n, cluster_access.add_group)}</button>
                                })}
                            </div>
                        </div>
                        <div class="table-wrap">
                            <table class="grid" data-testid="whitelist-table">
                                <thead><tr><th>{t!(i18n, cluster_access.col_group)}</th><th>{t!(i18n, cluster_access.col_addresses)}</th><th></th></tr></thead>
                                <tbody>
                                    {v.groups.iter().map(|g| {
                                        let name_e = g.name.clone();
                                        let ips_e = g.ips.join("\n");
                                        let name_r = g.name.clone();
                                        let ips_r = g.ips.clone();
                                        let read_only = g.read_only;
                                        let is_default = g.name == "default";
                                        view! {
                                            <tr data-group=g.name.clone() data-read-only=read_only.to_string()>
                                                <td class="mono nowrap">
                                                    {g.name.clone()}
                                                    {read_only.then(|| view! { <div class="muted" data-testid="system-group">{t!(i18n, cluster_access.system_group)}</div> })}
                                                </td>
                                                <td>
                                                    <ul class="ip-list" data-testid="group-ips">
                                                        {g.ips.iter().map(|ip| {
                                                            let wide = is_wide(ip);
                                                            let block = ip.clone();
                                                            view! { <li class="mono" class:ip-wide=wide title=move || wide.then(|| coverage(&block))>{ip.clone()}</li> }
                                                        }).collect_view()}
                                                    </ul>
                                                </td>
                                                <td><div class="row-actions">
                                                    {(can && !read_only).then(|| view! {
                                                        <button type="button" class="small" data-testid="edit-group"
                                                            title=move || waiting(hydrated)
                                                            disabled=move || !hydrated.get()
                                                            on:click=move |_| {
                                                                entries.set(ips_e.clone());
                                                                done.set(None);
                                                                editing.set(Some(Editing::Group(name_e.clone())));
                                                            }>{t!(i18n, cluster_access.edit)}</button>
                                                    })}
                                                    {(can && !read_only && !is_default).then(|| view! {
                                                        <button type="button" class="small danger" data-testid="remove-group"
                                                            title=move || waiting(hydrated)
                                                            disabled=move || !hydrated.get()
                                                            on:click=move |_| {
                                                                done.set(None);
                                                                modify.value().set(None);
                                                                ack.set(false);
                                                                review.set(Some(Review::Ip(plan(&name_r, &ips_r, &[], false))));
                                                            }>{t!(i18n, cluster_access.remove)}</button>
                                                    })}
                                                </div></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small-print">{t!(i18n, cluster_access.entries_note)}</p>
                    </section>
                    <section class="panel">
                        <div class="toolbar">
                            <h2>{t!(i18n, cluster_access.ecs_sgs_heading)}</h2>
                            <div class="toolbar-actions">
                                {can.then(|| view! {
                                    <button type="button" class="small" data-testid="edit-security-groups"
                                        title=move || waiting(hydrated)
                                        disabled=move || !hydrated.get()
                                        on:click=move |_| {
                                            sg_text.set(sg_ids.clone());
                                            done.set(None);
                                            editing.set(Some(Editing::SecurityGroups));
                                        }>{t!(i18n, cluster_access.change)}</button>
                                })}
                            </div>
                        </div>
                        {if sgs.is_empty() {
                            view! { <Empty title=t_string!(i18n, cluster_access.no_sg) hint=t_string!(i18n, cluster_access.no_sg_hint) /> }.into_any()
                        } else {
                            view! {
                                <ul class="ip-list" data-testid="security-groups">
                                    {sgs.into_iter().map(|(id, n)| view! { <li><span class="mono">{id}</span>" "<span class="muted">{n}</span></li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>

        // The editor and the review live outside the refreshing part: nothing resets them.
        {move || editing.get().map(|e| {
            let sg = e == Editing::SecurityGroups;
            let title = match &e {
                Editing::NewGroup => t_string!(i18n, cluster_access.new_group_title).to_string(),
                Editing::Group(g) => t_string!(i18n, cluster_access.edit_group_title, name = g).to_string(),
                Editing::SecurityGroups => t_string!(i18n, cluster_access.bound_sgs_title).to_string(),
            };
            let problem = move || if sg { sg_problem_now() } else { ip_problem_now() };
            view! {
                <section class="panel form-panel" data-testid="group-editor">
                    <h2>{title}</h2>
                    <form class="stack-form" on:submit=to_review>
                        {(e == Editing::NewGroup).then(|| view! {
                            <label>
                                <span>{t!(i18n, cluster_access.group_name)}</span>
                                <input type="text" class="mono" data-testid="group-name" autocomplete="off" spellcheck="false" maxlength="130"
                                    prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                        })}
                        {if sg {
                            view! {
                                <label>
                                    <span>{move || t_string!(i18n, cluster_access.sg_ids_label, max = MAX_SECURITY_GROUPS).to_string()}</span>
                                    <input type="text" class="mono" data-testid="security-group-ids" autocomplete="off" spellcheck="false"
                                        prop:value=move || sg_text.get()
                                        on:input=move |ev| sg_text.set(event_target_value(&ev)) />
                                </label>
                            }.into_any()
                        } else {
                            view! {
                                <label>
                                    <span>{t!(i18n, cluster_access.ips_label)}</span>
                                    <textarea class="mono" rows="6" data-testid="group-entries" spellcheck="false"
                                        prop:value=move || entries.get()
                                        on:input=move |ev| entries.set(event_target_value(&ev))></textarea>
                                </label>
                            }.into_any()
                        }}
                        <p class="field-hint" data-testid="group-problem">
                            {move || match problem() {
                                Some(p) => view! { <span class="field-error">{t_string!(i18n, cluster_access.sentence, text = capitalise(&p))}</span> }.into_any(),
                                None if sg => view! { <span class="muted">{t!(i18n, cluster_access.sg_ids_hint)}</span> }.into_any(),
                                None => view! { <span class="muted">{move || t_string!(i18n, cluster_access.n_entries, n = parse_list(&entries.get()).map(|l| l.len()).unwrap_or(0)).to_string()}</span> }.into_any(),
                            }}
                        </p>
                        <div class="modal-actions">
                            <button type="button" class="small" data-testid="cancel-edit" on:click=move |_| editing.set(None)>{t!(i18n, cluster_access.cancel)}</button>
                            <button type="submit" class="small primary-small" data-testid="review-change"
                                disabled=move || problem().is_some()>{t!(i18n, cluster_access.review_change)}</button>
                        </div>
                    </form>
                </section>
            }
        })}
        {move || review.get().map(|r| {
            let pending = Signal::derive(move || modify.pending().get() || modify_sg.pending().get());
            let (title, body, wide, nothing) = match &r {
                Review::Ip(p) => {
                    let title = if p.remove_group {
                        t_string!(i18n, cluster_access.remove_group_title, name = &p.group)
                    } else if p.new_group {
                        t_string!(i18n, cluster_access.create_group_title, name = &p.group)
                    } else {
                        t_string!(i18n, cluster_access.change_group_title, name = &p.group)
                    };
                    let wide: Vec<String> = p.added.iter().filter(|e| is_wide(e)).cloned().collect();
                    let nothing = p.added.is_empty() && p.removed.is_empty();
                    let body = view! {
                        <ul class="diff" data-testid="diff">
                            {p.added.iter().map(|e| view! { <li class="diff-add mono" data-testid="diff-added">{format!("+ {e}")}</li> }).collect_view()}
                            {p.removed.iter().map(|e| view! { <li class="diff-remove mono" data-testid="diff-removed">{format!("− {e}")}</li> }).collect_view()}
                            {p.kept.iter().map(|e| view! { <li class="diff-keep mono muted">{format!("  {e}")}</li> }).collect_view()}
                        </ul>
                        <p class="muted" data-testid="diff-mode">
                            {if p.sent.len() == 1 {
                                t_string!(i18n, cluster_access.sent_as_one, mode = p.mode, n = p.sent.len())
                            } else {
                                t_string!(i18n, cluster_access.sent_as_many, mode = p.mode, n = p.sent.len())
                            }}
                            {p.remove_group.then(|| view! { " "{t!(i18n, cluster_access.remove_group_note)} })}
                        </p>
                    }.into_any();
                    (title, body, wide, nothing)
                }
                Review::Sg { added, removed, ids } => {
                    let nothing = added.is_empty() && removed.is_empty();
                    let body = view! {
                        <ul class="diff" data-testid="diff">
                            {added.iter().map(|e| view! { <li class="diff-add mono" data-testid="diff-added">{format!("+ {e}")}</li> }).collect_view()}
                            {removed.iter().map(|e| view! { <li class="diff-remove mono" data-testid="diff-removed">{format!("− {e}")}</li> }).collect_view()}
                        </ul>
                        <p class="muted" data-testid="diff-mode">{t_string!(i18n, cluster_access.sent_as_sg, n = ids.len())}</p>
                    }.into_any();
                    (t_string!(i18n, cluster_access.change_sgs_title).to_string(), body, vec![], nothing)
                }
            };
            let needs_ack = !wide.is_empty();
            view! {
                <ConfirmDialog title_id="wl-review-title" title=title testid="review-dialog" on_close=move || review.set(None)
                    on_confirm=apply pending=pending blocked=Signal::derive(move || nothing || (needs_ack && !ack.get()))
                    button=t_string!(i18n, cluster_access.apply) sending=t_string!(i18n, cluster_access.applying) cancel=t_string!(i18n, cluster_access.cancel)
                    cancel_testid="cancel-review" confirm_testid="apply-change">
                    {body}
                    {nothing.then(|| view! { <p class="refusal" data-testid="diff-nothing">{t!(i18n, cluster_access.nothing_changes)}</p> })}
                    {needs_ack.then(|| view! {
                        <div class="wide-warning" role="alert" data-testid="wide-warning">
                            <p><strong>{t!(i18n, cluster_access.wide_warning_title)}</strong></p>
                            <ul>
                                {wide.iter().map(|e| view! { <li><span class="mono">{e.clone()}</span>{t_string!(i18n, cluster_access.coverage_suffix, coverage = coverage(e))}</li> }).collect_view()}
                            </ul>
                            <p>{t!(i18n, cluster_access.wide_warning_text)}</p>
                            <label class="ack">
                                <input type="checkbox" data-testid="wide-ack" prop:checked=move || ack.get()
                                    on:change=move |ev| ack.set(event_target_checked(&ev)) />
                                " "{t!(i18n, cluster_access.wide_ack)}
                            </label>
                        </div>
                    })}
                    {change_error(modify.value())}
                    {change_error(modify_sg.value())}
                </ConfirmDialog>
            }
        })}
    }
}
