//! The nodes tab's two forms: adding read-only nodes (how many, their class, the endpoints
//! they join, when) and changing the class of all nodes (up now or planned, down now).

use super::page::Panel;
use super::*;
use crate::cluster::frame::ClusterData;
use crate::i18n::{t, t_string};
use crate::kit::{Planned, PlannedWindow};
use leptos_i18n::I18nContext;

/// What the forms keep while they are open, made once by the page (which opens them): the
/// open form, the actions, the fields, and the "when" of a change (empty start: now).
#[derive(Clone, Copy)]
pub(super) struct Forms {
    pub panel: RwSignal<Option<Panel>>,
    pub add: ServerAction<AddReadNodes>,
    pub reclass: ServerAction<ChangeNodeClass>,
    pub classes: ServerAction<AvailableNodeClasses>,
    pub binds: ServerAction<NodeEndpoints>,
    /// The endpoints chosen for new nodes (EndpointBindList).
    pub chosen: RwSignal<Vec<String>>,
    pub count: RwSignal<String>,
    pub add_class: RwSignal<String>,
    pub target: RwSignal<String>,
    pub modify_type: RwSignal<String>,
    pub plan_start: RwSignal<String>,
    pub plan_end: RwSignal<String>,
    pub plan_problem: RwSignal<Option<String>>,
}

/// The form that adds read-only nodes (CreateDBNodes).
pub(super) fn add_panel(
    i18n: I18nContext<Locale>,
    f: Forms,
    current: impl Fn() -> Option<ClusterData> + Copy + Send + Sync + 'static,
    current_class: impl Fn() -> String + Copy + Send + Sync + 'static,
    class_options: impl Fn() -> Vec<String> + Copy + Send + Sync + 'static,
    readers: impl Fn() -> usize + Copy + Send + Sync + 'static,
    db_type: impl Fn() -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let Forms {
        panel,
        add,
        classes,
        binds,
        chosen,
        count,
        add_class,
        plan_start,
        plan_end,
        plan_problem,
        ..
    } = f;
    let bind_choices = move || binds.value().get().and_then(|r| r.ok()).unwrap_or_default();
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
        let zone = d.first_zone();
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

    view! {
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
    }
}

/// The form that changes the class of all nodes (ModifyDBNodeClass).
pub(super) fn class_panel(
    i18n: I18nContext<Locale>,
    f: Forms,
    current: impl Fn() -> Option<ClusterData> + Copy + Send + Sync + 'static,
    current_class: impl Fn() -> String + Copy + Send + Sync + 'static,
    class_options: impl Fn() -> Vec<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let Forms {
        panel,
        reclass,
        classes,
        target,
        modify_type,
        plan_start,
        plan_end,
        plan_problem,
        ..
    } = f;
    let class_problem_now = move || {
        class_change_problem(
            i18n.get_locale(),
            &current_class(),
            &target.get(),
            &modify_type.get(),
        )
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

    view! {
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
    }
}
