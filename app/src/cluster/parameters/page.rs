//! The parameters tab: the list with values edited in place, reviewed before applying.

use super::*;
use crate::kit::waiting;

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/parameters`.
#[component]
pub fn ClusterParametersPage() -> impl IntoView {
    view! {
        <Parameters />
    }
}

/// The edits that would change something: (name, value) with a value other than the current.
pub(super) fn pending_changes(
    params: &[Parameter],
    edits: &[(String, String)],
) -> Vec<(String, String)> {
    edits
        .iter()
        .filter(|(name, value)| {
            params
                .iter()
                .find(|p| p.parameter_name == *name)
                .is_none_or(|p| p.parameter_value != *value)
        })
        .cloned()
        .collect()
}

#[component]
pub(super) fn Parameters() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let tick = follow_cluster(ctx);
    let scope = ctx.scope;
    let changed = ctx.changed;
    let loaded = Resource::new(
        move || (scope.get(), changed.get(), tick.get()),
        move |_| async move {
            let d = data.await?;
            load_parameters(d.account, d.region, d.attr.db_cluster_id).await
        },
    );
    let apply = ServerAction::<ApplyParameters>::new();

    let search = RwSignal::new(String::new());
    // New values as typed, in the order first edited.
    let edits = RwSignal::new(Vec::<(String, String)>::new());
    let review = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    ctx.after_success(apply.value(), move || {
        review.set(false);
        edits.set(Vec::new());
        let restart = matches!(apply.value().get_untracked(), Some(Ok(a)) if a.restart);
        done.set(Some(if restart {
            "Parameters changed. The cluster restarts (Rebooting) to apply them; the new values show once it is Running."
                .into()
        } else {
            "Parameters changed.".into()
        }));
    });

    let params = move || -> Vec<Parameter> {
        match loaded.get() {
            Some(Ok(p)) => p.params,
            _ => Vec::new(),
        }
    };
    let edit_of =
        move |name: &str| edits.with(|e| e.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()));
    let set_edit = move |name: String, value: String| {
        edits.update(|e| {
            if let Some(slot) = e.iter_mut().find(|(n, _)| *n == name) {
                slot.1 = value;
            } else {
                e.push((name, value));
            }
        });
    };
    let pending = move || pending_changes(&params(), &edits.get());
    let problems = move || -> Vec<(String, String)> {
        let ps = params();
        edits
            .get()
            .iter()
            .filter_map(|(name, value)| {
                let p = ps.iter().find(|p| p.parameter_name == *name)?;
                parameter_value_problem(&p.checking_code, &p.data_type, value)
                    .map(|m| (name.clone(), m))
            })
            .collect()
    };
    let restart = move || needs_restart(&params(), &pending());
    let blocked = move || !problems().is_empty() || pending().is_empty();

    let submit = move |_| {
        let Some(d) = data.get_untracked().and_then(|r| r.ok()) else {
            return;
        };
        let changes = pending();
        if changes_problem(&params(), &changes).is_some() {
            return;
        }
        apply.dispatch(ApplyParameters {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            changes,
        });
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="params-done">{m}</div> })}
        <Transition fallback=|| view! { <Loading label="Reading the parameters…" /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let p = match loaded.await {
                    Ok(p) => p,
                    Err(e) => return load_error(e, id),
                };
                let running = d.running();
                let can_modify = p.can_modify;
                let total = p.params.len();
                let restart_count = p.params.iter().filter(|x| x.force_restart).count();
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="params-count">
                            {format!("{total} parameters; changing {restart_count} of them restarts the cluster. ")}
                            {(!running).then(|| view! { <span class="refusal">{format!("The cluster is {}; changes wait until it is Running.", d.attr.db_cluster_status)}</span> })}
                        </p>
                        <input type="search" class="params-search" placeholder="Search by name or description" aria-label="Search parameters"
                            data-testid="params-search" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev)) />
                    </div>
                    <div class="table-wrap">
                        <table class="grid params-table" data-testid="params-table">
                            <thead>
                                <tr>
                                    <th>"Parameter"</th>
                                    <th>"Current"</th>
                                    <th>"Default"</th>
                                    <th>"Allowed values"</th>
                                    <th>"Restart"</th>
                                    {(can_modify && running).then(|| view! { <th>"New value"</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {p.params.into_iter().map(|x| {
                                    let name = x.parameter_name.clone();
                                    let haystack = format!("{} {}", x.parameter_name, x.parameter_description).to_lowercase();
                                    let hidden = move || {
                                        let q = search.get().trim().to_lowercase();
                                        !q.is_empty() && !haystack.contains(&q)
                                    };
                                    let editable = can_modify && running && x.is_modifiable;
                                    let (code, dtype) = (x.checking_code.clone(), x.data_type.clone());
                                    let n1 = name.clone();
                                    let problem = move || edit_of(&n1).and_then(|v| parameter_value_problem(&code, &dtype, &v));
                                    let options = match allowed_values(&x.checking_code) {
                                        Allowed::OneOf(list) => Some(list),
                                        _ => None,
                                    };
                                    let current = x.parameter_value.clone();
                                    view! {
                                        <tr data-param=name.clone() data-restart=x.force_restart.to_string() data-status=x.parameter_status.clone() class:hidden=hidden>
                                            <td>
                                                <div class="mono param-name">{name.clone()}</div>
                                                <div class="muted param-desc">{x.parameter_description.clone()}</div>
                                            </td>
                                            <td class="mono" data-testid="param-current">
                                                {x.parameter_value.clone()}
                                                {(x.parameter_status == "Modifying").then(|| view! { " " <span class="badge badge-busy">"Modifying"</span> })}
                                            </td>
                                            <td class="mono">{x.default_parameter_value.clone()}</td>
                                            <td class="mono allowed">{if x.checking_code.is_empty() { "any".to_string() } else { x.checking_code.replace('|', " | ") }}</td>
                                            <td>{if x.force_restart { view! { <span class="badge badge-bad">"Restart"</span> }.into_any() } else { view! { <span class="muted">"No"</span> }.into_any() }}</td>
                                            {(can_modify && running).then(|| {
                                                let n2 = name.clone();
                                                let n3 = name.clone();
                                                if !editable {
                                                    return view! { <td class="muted">"Fixed"</td> }.into_any();
                                                }
                                                let input = match options {
                                                    Some(list) => view! {
                                                        <select data-testid="param-input" aria-label=format!("New value of {name}")
                                                            title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                                            prop:value=move || edit_of(&n2).unwrap_or_default()
                                                            on:change=move |ev| {
                                                                let v = event_target_value(&ev);
                                                                if v.is_empty() { edits.update(|e| e.retain(|(n, _)| *n != n3)); } else { set_edit(n3.clone(), v); }
                                                            }>
                                                            <option value="">"— unchanged —"</option>
                                                            {list.into_iter().map(|o| {
                                                                let label = if o == current { format!("{o} (current)") } else { o.clone() };
                                                                view! { <option value=o.clone()>{label}</option> }
                                                            }).collect_view()}
                                                        </select>
                                                    }.into_any(),
                                                    None => view! {
                                                        <input type="text" class="mono" data-testid="param-input" aria-label=format!("New value of {name}")
                                                            title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                                            placeholder=current.clone()
                                                            prop:value=move || edit_of(&n2).unwrap_or_default()
                                                            on:input=move |ev| {
                                                                let v = event_target_value(&ev);
                                                                if v.is_empty() { edits.update(|e| e.retain(|(n, _)| *n != n3)); } else { set_edit(n3.clone(), v); }
                                                            } />
                                                    }.into_any(),
                                                };
                                                view! {
                                                    <td>
                                                        {input}
                                                        <div class="field-hint" data-testid="param-problem">
                                                            {move || problem().map(|p| view! { <span class="field-error">{format!("{p}.")}</span> })}
                                                        </div>
                                                    </td>
                                                }.into_any()
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(can_modify && running).then(|| view! {
                        <section class="panel params-summary" data-testid="params-summary">
                            {move || {
                                let changes = pending();
                                let errs = problems();
                                if changes.is_empty() && errs.is_empty() {
                                    return view! { <p class="muted">"Type a new value in the last column; changes are collected here and sent together."</p> }.into_any();
                                }
                                view! {
                                    <h2>{format!("{} pending change{}", changes.len(), if changes.len() == 1 { "" } else { "s" })}</h2>
                                    <ul class="pending-list" data-testid="pending-list">
                                        {let ps = params(); changes.iter().map(|(name, value)| {
                                            let p = ps.iter().find(|p| p.parameter_name == *name);
                                            let now = p.map(|p| p.parameter_value.clone()).unwrap_or_default();
                                            let restart = p.is_some_and(|p| p.force_restart);
                                            view! { <li class="mono">{format!("{name}: {now} → {value}")}{restart.then(|| view! { " " <span class="badge badge-bad">"Restart"</span> })}</li> }
                                        }).collect_view()}
                                    </ul>
                                    {(!errs.is_empty()).then(|| view! {
                                        <p class="field-error" data-testid="params-blocked">{format!("{} value{} not allowed: fix {} before applying.", errs.len(), if errs.len() == 1 { " is" } else { "s are" }, errs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>().join(", "))}</p>
                                    })}
                                    {restart().then(|| view! {
                                        <p class="restart-warning" role="note" data-testid="restart-warning">"One of these changes needs a restart: the cluster restarts (all nodes, connections drop) as soon as it is applied."</p>
                                    })}
                                    <div class="modal-actions">
                                        <button type="button" class="small" data-testid="discard-params" on:click=move |_| edits.set(Vec::new())>"Discard"</button>
                                        <button type="button" class="small primary-small" data-testid="review-params"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || blocked()
                                            on:click=move |_| { apply.value().set(None); done.set(None); review.set(true); }>"Review and apply…"</button>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    })}
                }
                .into_any()
            })}
        </Transition>

        {move || review.get().then(|| {
            let ps = params();
            let changes = pending();
            let restart_now = needs_restart(&ps, &changes);
            let title = format!("Apply {} parameter change{}?", changes.len(), if changes.len() == 1 { "" } else { "s" });
            view! {
                <Dialog title_id="params-review-title" title=title testid="params-review" on_close=move || review.set(false)>
                        <table class="grid">
                            <thead><tr><th>"Parameter"</th><th>"Now"</th><th>"New"</th><th>"Restart"</th></tr></thead>
                            <tbody>
                                {changes.iter().map(|(name, value)| {
                                    let p = ps.iter().find(|p| p.parameter_name == *name);
                                    let now = p.map(|p| p.parameter_value.clone()).unwrap_or_default();
                                    let restart = p.is_some_and(|p| p.force_restart);
                                    view! {
                                        <tr data-change=name.clone()>
                                            <td class="mono">{name.clone()}</td>
                                            <td class="mono">{now}</td>
                                            <td class="mono">{value.clone()}</td>
                                            <td>{if restart { "Yes" } else { "No" }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {if restart_now {
                            view! { <p class="restart-warning" role="note" data-testid="review-restart-warning">"The cluster restarts to apply this: every node restarts and connections drop, usually for a minute or two. This API applies parameter changes at once; it offers no way to schedule the restart for later."</p> }.into_any()
                        } else {
                            view! { <p class="muted">"These changes take effect without a restart."</p> }.into_any()
                        }}
                        {change_error(apply.value())}
                        <DialogFooter slot>
                            <button type="button" class="small" data-testid="cancel-review" data-autofocus on:click=move |_| review.set(false)>"Cancel"</button>
                            <button type="button" class="small primary-small" class:danger=restart_now data-testid="apply-params"
                                disabled=move || apply.pending().get() on:click=submit>
                                {move || if apply.pending().get() { "Applying…" } else if restart_now { "Apply and restart" } else { "Apply" }}
                            </button>
                        </DialogFooter>
                </Dialog>
            }
        })}
    }
}
