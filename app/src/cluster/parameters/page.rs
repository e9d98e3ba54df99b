//! The parameters tab: the list with values edited in place, reviewed before applying.

use super::*;
use crate::kit::{api_word_in, waiting};

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
    let i18n = use_i18n();
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
    // The last change applied: whether the cluster restarts for it.
    let done = RwSignal::new(None::<bool>);

    ctx.after_success(apply.value(), move || {
        review.set(false);
        edits.set(Vec::new());
        let restart = matches!(apply.value().get_untracked(), Some(Ok(a)) if a.restart);
        done.set(Some(restart));
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
                parameter_value_problem(i18n.get_locale(), &p.checking_code, &p.data_type, value)
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
        if changes_problem(i18n.get_locale_untracked(), &params(), &changes).is_some() {
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
        {move || done.get().map(|restart| view! {
            <div class="banner banner-ok" role="status" data-testid="params-done">
                {move || if restart { t_string!(i18n, cluster_data.params_changed_restart) } else { t_string!(i18n, cluster_data.params_changed) }}
            </div>
        })}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_parameters).to_string() /> }>
            {move || { let locale = i18n.get_locale(); Suspend::new(async move {
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
                            {td_string!(locale, cluster_data.params_count, total = total, restart = restart_count).to_string()}
                            {(!running).then(|| view! { <span class="refusal">{td_string!(locale, cluster_data.params_not_running, status = api_word_in(locale, &d.attr.db_cluster_status)).to_string()}</span> })}
                        </p>
                        <input type="search" class="params-search" placeholder=td_string!(locale, cluster_data.params_search_placeholder) aria-label=td_string!(locale, cluster_data.params_search_label)
                            data-testid="params-search" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev)) />
                    </div>
                    <div class="table-wrap">
                        <table class="grid params-table" data-testid="params-table">
                            <thead>
                                <tr>
                                    <th>{td_string!(locale, cluster_data.th_parameter)}</th>
                                    <th>{td_string!(locale, cluster_data.th_current)}</th>
                                    <th>{td_string!(locale, cluster_data.th_default)}</th>
                                    <th>{td_string!(locale, cluster_data.th_allowed)}</th>
                                    <th>{td_string!(locale, cluster_data.th_restart)}</th>
                                    {(can_modify && running).then(|| view! { <th>{td_string!(locale, cluster_data.th_new_value)}</th> })}
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
                                    let problem = move || edit_of(&n1).and_then(|v| parameter_value_problem(i18n.get_locale(), &code, &dtype, &v));
                                    let options = match allowed_values(&x.checking_code) {
                                        Allowed::OneOf(list) => Some(list),
                                        _ => None,
                                    };
                                    let current = x.parameter_value.clone();
                                    view! {
                                        <tr data-param=name.clone() data-restart=x.force_restart.to_string() data-status=x.parameter_status.clone() class:hidden=hidden>
                                            <td>
                                                <div class="mono param-name">{name.clone()}</div>
                                                <div class="muted param-desc" data-data="">{x.parameter_description.clone()}</div>
                                            </td>
                                            <td class="mono" data-testid="param-current">
                                                {x.parameter_value.clone()}
                                                {(x.parameter_status == "Modifying").then(|| view! { " " <span class="badge badge-busy">{api_word_in(locale, "Modifying")}</span> })}
                                            </td>
                                            <td class="mono">{x.default_parameter_value.clone()}</td>
                                            <td class="mono allowed">{if x.checking_code.is_empty() { td_string!(locale, cluster_data.any_value).to_string() } else { x.checking_code.replace('|', " | ") }}</td>
                                            <td>{if x.force_restart { view! { <span class="badge badge-bad">{td_string!(locale, cluster_data.badge_restart)}</span> }.into_any() } else { view! { <span class="muted">{td_string!(locale, cluster_data.no)}</span> }.into_any() }}</td>
                                            {(can_modify && running).then(|| {
                                                let n2 = name.clone();
                                                let n3 = name.clone();
                                                if !editable {
                                                    return view! { <td class="muted">{td_string!(locale, cluster_data.fixed)}</td> }.into_any();
                                                }
                                                let input = match options {
                                                    Some(list) => view! {
                                                        <select data-testid="param-input" aria-label=td_string!(locale, cluster_data.new_value_of, name = &name).to_string()
                                                            title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                                            prop:value=move || edit_of(&n2).unwrap_or_default()
                                                            on:change=move |ev| {
                                                                let v = event_target_value(&ev);
                                                                if v.is_empty() { edits.update(|e| e.retain(|(n, _)| *n != n3)); } else { set_edit(n3.clone(), v); }
                                                            }>
                                                            <option value="">{td_string!(locale, cluster_data.unchanged)}</option>
                                                            {list.into_iter().map(|o| {
                                                                let label = if o == current { td_string!(locale, cluster_data.value_current, value = &o).to_string() } else { o.clone() };
                                                                view! { <option value=o.clone()>{label}</option> }
                                                            }).collect_view()}
                                                        </select>
                                                    }.into_any(),
                                                    None => view! {
                                                        <input type="text" class="mono" data-testid="param-input" aria-label=td_string!(locale, cluster_data.new_value_of, name = &name).to_string()
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
                                                            {move || problem().map(|p| view! { <span class="field-error">{t_string!(i18n, cluster_data.problem_sentence, problem = p).to_string()}</span> })}
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
                                let locale = i18n.get_locale();
                                if changes.is_empty() && errs.is_empty() {
                                    return view! { <p class="muted">{td_string!(locale, cluster_data.params_summary_hint)}</p> }.into_any();
                                }
                                let n = changes.len();
                                view! {
                                    <h2>{if n == 1 { td_string!(locale, cluster_data.pending_change, n = n).to_string() } else { td_string!(locale, cluster_data.pending_changes, n = n).to_string() }}</h2>
                                    <ul class="pending-list" data-testid="pending-list">
                                        {let ps = params(); changes.iter().map(|(name, value)| {
                                            let p = ps.iter().find(|p| p.parameter_name == *name);
                                            let now = p.map(|p| p.parameter_value.clone()).unwrap_or_default();
                                            let restart = p.is_some_and(|p| p.force_restart);
                                            view! { <li class="mono">{format!("{name}: {now} → {value}")}{restart.then(|| view! { " " <span class="badge badge-bad">{td_string!(locale, cluster_data.badge_restart)}</span> })}</li> }
                                        }).collect_view()}
                                    </ul>
                                    {(!errs.is_empty()).then(|| view! {
                                        <p class="field-error" data-testid="params-blocked">{{
                                            let names = errs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>().join(td_string!(locale, cluster_data.list_sep));
                                            if errs.len() == 1 {
                                                td_string!(locale, cluster_data.value_not_allowed, n = errs.len(), names = names).to_string()
                                            } else {
                                                td_string!(locale, cluster_data.values_not_allowed, n = errs.len(), names = names).to_string()
                                            }
                                        }}</p>
                                    })}
                                    {restart().then(|| view! {
                                        <p class="restart-warning" role="note" data-testid="restart-warning">{td_string!(locale, cluster_data.restart_warning)}</p>
                                    })}
                                    <div class="modal-actions">
                                        <button type="button" class="small" data-testid="discard-params" on:click=move |_| edits.set(Vec::new())>{td_string!(locale, cluster_data.discard)}</button>
                                        <button type="button" class="small primary-small" data-testid="review-params"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || blocked()
                                            on:click=move |_| { apply.value().set(None); done.set(None); review.set(true); }>{td_string!(locale, cluster_data.review_and_apply)}</button>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    })}
                }
                .into_any()
            })}}
        </Transition>

        {move || review.get().then(|| {
            let ps = params();
            let changes = pending();
            let restart_now = needs_restart(&ps, &changes);
            let locale = i18n.get_locale();
            let n = changes.len();
            let title = if n == 1 {
                td_string!(locale, cluster_data.apply_change_title, n = n).to_string()
            } else {
                td_string!(locale, cluster_data.apply_changes_title, n = n).to_string()
            };
            view! {
                <Dialog title_id="params-review-title" title=title testid="params-review" on_close=move || review.set(false)>
                        <table class="grid">
                            <thead><tr><th>{td_string!(locale, cluster_data.th_parameter)}</th><th>{td_string!(locale, cluster_data.th_now)}</th><th>{td_string!(locale, cluster_data.th_new)}</th><th>{td_string!(locale, cluster_data.th_restart)}</th></tr></thead>
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
                                            <td>{if restart { td_string!(locale, cluster_data.yes) } else { td_string!(locale, cluster_data.no) }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {if restart_now {
                            view! { <p class="restart-warning" role="note" data-testid="review-restart-warning">{td_string!(locale, cluster_data.review_restart_warning)}</p> }.into_any()
                        } else {
                            view! { <p class="muted">{td_string!(locale, cluster_data.no_restart_needed)}</p> }.into_any()
                        }}
                        {change_error(apply.value())}
                        <DialogFooter slot>
                            <button type="button" class="small" data-testid="cancel-review" data-autofocus on:click=move |_| review.set(false)>{t!(i18n, cluster_data.cancel)}</button>
                            <button type="button" class="small primary-small" class:danger=restart_now data-testid="apply-params"
                                disabled=move || apply.pending().get() on:click=submit>
                                {move || if apply.pending().get() { t_string!(i18n, cluster_data.applying) } else if restart_now { t_string!(i18n, cluster_data.apply_and_restart) } else { t_string!(i18n, cluster_data.apply) }}
                            </button>
                        </DialogFooter>
                </Dialog>
            }
        })}
    }
}
