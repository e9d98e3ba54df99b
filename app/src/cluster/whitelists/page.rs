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
        done.set(Some("The whitelist was changed.".into()));
        after();
    });
    ctx.after_success(modify_sg.value(), move || {
        done.set(Some("The security groups were changed.".into()));
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
            return Some(format!("a group named {n} exists already; edit it instead"));
        }
        if is_system_group(&n, "") {
            return Some(format!("{n} is a name the service keeps for its own group"));
        }
        let user_groups = v.groups.iter().filter(|g| !g.read_only).count();
        if user_groups >= MAX_GROUPS {
            return Some(format!(
                "a cluster has at most {MAX_GROUPS} whitelist groups"
            ));
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
        <Transition fallback=|| view! { <Loading label="Reading the whitelists…" /> }>
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
                            <h2>"IP whitelist groups"</h2>
                            <p class="muted" data-testid="whitelist-summary">
                                {format!("{n_groups} groups (at most {MAX_GROUPS}), {total} entries over all groups (at most {MAX_ENTRIES}).")}
                            </p>
                            <div class="toolbar-actions">
                                {can.then(|| view! {
                                    <button type="button" class="small" data-testid="add-group"
                                        title=move || waiting(hydrated)
                                        disabled=move || !hydrated.get() on:click=open_new>"Add group"</button>
                                })}
                            </div>
                        </div>
                        <div class="table-wrap">
                            <table class="grid" data-testid="whitelist-table">
                                <thead><tr><th>"Group"</th><th>"Addresses and CIDR blocks"</th><th></th></tr></thead>
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
                                                    {read_only.then(|| view! { <div class="muted" data-testid="system-group">"Managed by the service · read-only"</div> })}
                                                </td>
                                                <td>
                                                    <ul class="ip-list" data-testid="group-ips">
                                                        {g.ips.iter().map(|ip| {
                                                            let wide = is_wide(ip);
                                                            view! { <li class="mono" class:ip-wide=wide title=wide.then(|| coverage(ip))>{ip.clone()}</li> }
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
                                                            }>"Edit"</button>
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
                                                            }>"Remove"</button>
                                                    })}
                                                </div></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small-print">"Entries are IPv4 addresses (10.23.12.24) or CIDR blocks (10.23.12.0/24). 127.0.0.1 alone lets no one in. The default group cannot be removed; empty it by editing it to 127.0.0.1."</p>
                    </section>
                    <section class="panel">
                        <div class="toolbar">
                            <h2>"ECS security groups"</h2>
                            <div class="toolbar-actions">
                                {can.then(|| view! {
                                    <button type="button" class="small" data-testid="edit-security-groups"
                                        title=move || waiting(hydrated)
                                        disabled=move || !hydrated.get()
                                        on:click=move |_| {
                                            sg_text.set(sg_ids.clone());
                                            done.set(None);
                                            editing.set(Some(Editing::SecurityGroups));
                                        }>"Change"</button>
                                })}
                            </div>
                        </div>
                        {if sgs.is_empty() {
                            view! { <Empty title="No security group is bound." hint="ECS instances in a bound security group may connect." /> }.into_any()
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
                Editing::NewGroup => "New whitelist group".to_string(),
                Editing::Group(g) => format!("Edit whitelist group {g}"),
                Editing::SecurityGroups => "Bound ECS security groups".to_string(),
            };
            let problem = move || if sg { sg_problem_now() } else { ip_problem_now() };
            view! {
                <section class="panel form-panel" data-testid="group-editor">
                    <h2>{title}</h2>
                    <form class="stack-form" on:submit=to_review>
                        {(e == Editing::NewGroup).then(|| view! {
                            <label>
                                <span>"Group name"</span>
                                <input type="text" class="mono" data-testid="group-name" autocomplete="off" spellcheck="false" maxlength="130"
                                    prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                        })}
                        {if sg {
                            view! {
                                <label>
                                    <span>{format!("Security group IDs (at most {MAX_SECURITY_GROUPS}, separated by commas; empty to unbind all)")}</span>
                                    <input type="text" class="mono" data-testid="security-group-ids" autocomplete="off" spellcheck="false"
                                        prop:value=move || sg_text.get()
                                        on:input=move |ev| sg_text.set(event_target_value(&ev)) />
                                </label>
                            }.into_any()
                        } else {
                            view! {
                                <label>
                                    <span>"IP addresses and CIDR blocks (one a line, or separated by commas)"</span>
                                    <textarea class="mono" rows="6" data-testid="group-entries" spellcheck="false"
                                        prop:value=move || entries.get()
                                        on:input=move |ev| entries.set(event_target_value(&ev))></textarea>
                                </label>
                            }.into_any()
                        }}
                        <p class="field-hint" data-testid="group-problem">
                            {move || match problem() {
                                Some(p) => view! { <span class="field-error">{format!("{}.", capitalise(&p))}</span> }.into_any(),
                                None if sg => view! { <span class="muted">"IDs look like sg-bp1abc…"</span> }.into_any(),
                                None => view! { <span class="muted">{move || format!("{} entries.", parse_list(&entries.get()).map(|l| l.len()).unwrap_or(0))}</span> }.into_any(),
                            }}
                        </p>
                        <div class="modal-actions">
                            <button type="button" class="small" data-testid="cancel-edit" on:click=move |_| editing.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="review-change"
                                disabled=move || problem().is_some()>"Review the change"</button>
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
                        format!("Remove whitelist group {}?", p.group)
                    } else if p.new_group {
                        format!("Create whitelist group {}?", p.group)
                    } else {
                        format!("Change whitelist group {}?", p.group)
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
                            {format!("Sent as ModifyMode={} with {} entr{}.", p.mode, p.sent.len(), if p.sent.len() == 1 { "y" } else { "ies" })}
                            {p.remove_group.then_some(" Clients connecting from these addresses lose access unless another group allows them.")}
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
                        <p class="muted" data-testid="diff-mode">{format!("Sent as WhiteListType=SecurityGroup with {} group(s).", ids.len())}</p>
                    }.into_any();
                    ("Change the bound security groups?".to_string(), body, vec![], nothing)
                }
            };
            let needs_ack = !wide.is_empty();
            view! {
                <ConfirmDialog title_id="wl-review-title" title=title testid="review-dialog" on_close=move || review.set(None)
                    on_confirm=apply pending=pending blocked=Signal::derive(move || nothing || (needs_ack && !ack.get()))
                    button="Apply" sending="Applying…" cancel_testid="cancel-review" confirm_testid="apply-change">
                    {body}
                    {nothing.then(|| view! { <p class="refusal" data-testid="diff-nothing">"Nothing changes."</p> })}
                    {needs_ack.then(|| view! {
                        <div class="wide-warning" role="alert" data-testid="wide-warning">
                            <p><strong>"This opens the cluster to a very wide range of addresses."</strong></p>
                            <ul>
                                {wide.iter().map(|e| view! { <li><span class="mono">{e.clone()}</span>{format!(": {}", coverage(e))}</li> }).collect_view()}
                            </ul>
                            <p>"Anyone there who knows or guesses an account password can connect. Prefer the addresses of your applications."</p>
                            <label class="ack">
                                <input type="checkbox" data-testid="wide-ack" prop:checked=move || ack.get()
                                    on:change=move |ev| ack.set(event_target_checked(&ev)) />
                                " I understand, and I want to open the cluster to these addresses."
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
