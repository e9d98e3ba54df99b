//! The create wizard, step by step.

use super::source::{datetime_field, SourceChoice};
use super::steps::{name_step, network_step, summary};
use super::*;
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{now_secs, use_hydrated, waiting};
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;
use polardb::rules::read_time;

// ---------------------------------------------------------------------------------------
// The page.

/// How many steps the wizard has.
pub(super) const STEPS: usize = 5;

/// A step's name in the language in use.
pub(super) fn step_label(i18n: I18nContext<Locale>, step: usize) -> &'static str {
    match step {
        0 => t_string!(i18n, fleet.step_location),
        1 => t_string!(i18n, fleet.step_zone),
        2 => t_string!(i18n, fleet.step_network),
        3 => t_string!(i18n, fleet.step_name),
        _ => t_string!(i18n, fleet.step_summary),
    }
}

/// The hint under a field, or what is wrong with it. `label` names the field as
/// [`create_problem`] does.
pub(super) fn field_hint(
    label: &'static str,
    problem: Signal<Option<String>>,
    hint: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <p class="field-hint">
            {move || match problem.get() {
                Some(p) => view! { <span class="field-error" data-testid="wizard-problem">{problem_text(label, &p)}</span> }.into_any(),
                None => view! { <span class="muted">{hint()}</span> }.into_any(),
            }}
        </p>
    }
}

#[component]
pub fn CreateClusterPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| console_context());
    let step = RwSignal::new(0usize);
    // A clone or a restore: `?from=ID&account=…&region=…&point=…` (kit::clone_href).
    let query = use_query_map();
    let (from, q_account, q_region, q_point) = query.with_untracked(|q| {
        let get = |k: &str| q.get(k).unwrap_or_default();
        (get("from"), get("account"), get("region"), get("point"))
    });
    let cloning = !from.is_empty();
    let source_id = StoredValue::new(from.clone());
    let restoring = matches!(clone_point(&q_point), Ok(ClonePoint::Backup(_)));
    let account = RwSignal::new(if cloning { q_account } else { String::new() });
    let region = RwSignal::new(if cloning { q_region } else { String::new() });
    let (kind0, backup0, time0) = match clone_point(&q_point) {
        Ok(ClonePoint::Backup(id)) => ("backup", id, String::new()),
        Ok(ClonePoint::Time(t)) => ("time", String::new(), datetime_field(t)),
        _ => ("latest", String::new(), String::new()),
    };
    let point_kind = RwSignal::new(kind0.to_string());
    let point_backup = RwSignal::new(backup0);
    let point_time = RwSignal::new(time0);
    let point_value = move || match point_kind.get().as_str() {
        "backup" => point_backup.get(),
        "time" => {
            let typed = point_time.get();
            read_time(&typed)
                .map(|t| ClonePoint::Time(t).param())
                .unwrap_or(typed)
        }
        _ => "LATEST".to_string(),
    };
    let source = {
        let (from, account, region) = (
            from.clone(),
            account.get_untracked(),
            region.get_untracked(),
        );
        Resource::new(
            || (),
            move |_| {
                let (from, account, region) = (from.clone(), account.clone(), region.clone());
                async move {
                    if from.is_empty() {
                        Ok(None)
                    } else {
                        describe_clone_source(account, region, from).await.map(Some)
                    }
                }
            },
        )
    };
    let source_now = move || source.get().and_then(|r| r.ok()).flatten();
    let source_version = move || source_now().map(|s| s.version);
    // A point in time starts at the end of the restorable window.
    Effect::new(move |_| {
        if let Some(Some((_, end))) = source_now().map(|s| s.window) {
            if point_time.get_untracked().is_empty() {
                point_time.set(datetime_field(end));
            }
        }
        if let Some(first) = source_now().and_then(|s| s.backups.first().cloned()) {
            if point_backup.get_untracked().is_empty() {
                point_backup.set(first.0);
            }
        }
    });
    let pay_type = RwSignal::new("Postpaid".to_string());
    let period = RwSignal::new("Month".to_string());
    let used_time = RwSignal::new("1".to_string());
    let auto_renew = RwSignal::new(false);
    let zone = RwSignal::new(String::new());
    let version = RwSignal::new(String::new());
    let class = RwSignal::new(String::new());
    let vpc = RwSignal::new(String::new());
    let vswitch = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let tags = RwSignal::new(vec![(String::new(), String::new())]);
    let security_ips = RwSignal::new(String::new());
    let tde = RwSignal::new(false);
    let resource_group = RwSignal::new(String::new());
    // The ClientToken and the answers it was made for.
    let token = RwSignal::new((String::new(), CreateRequest::default()));
    let hydrated = use_hydrated();

    // Defaults once the accounts and regions are known.
    Effect::new(move |_| {
        if let Some(Ok(i)) = info.get() {
            if account.get_untracked().is_empty() {
                if let Some(a) = i.accounts.first() {
                    account.set(a.clone());
                }
            }
            if region.get_untracked().is_empty() {
                let r = i
                    .regions
                    .iter()
                    .find(|r| *r == "cn-hangzhou")
                    .or(i.regions.first());
                if let Some(r) = r {
                    region.set(r.clone());
                }
            }
        }
    });

    let choices = Resource::new(
        move || (account.get(), region.get(), pay_type.get()),
        |(a, r, p)| async move {
            if a.is_empty() || r.is_empty() {
                return Ok(Vec::new());
            }
            create_choices(a, r, p).await
        },
    );
    let offers_now = move || choices.get().and_then(|r| r.ok()).unwrap_or_default();
    let zone_offer = move || offers_now().into_iter().find(|z| z.zone == zone.get());
    let classes_now = move || {
        zone_offer()
            .and_then(|z| z.versions.into_iter().find(|(v, _)| *v == version.get()))
            .map(|(_, c)| c)
            .unwrap_or_default()
    };
    // Keep zone, version and class among what is on sale (a clone: its source's version).
    Effect::new(move |_| {
        let offers = offers_now();
        if offers.is_empty() {
            return;
        }
        let want = source_version();
        let z = zone.get();
        let has = |o: &ZoneOffer| {
            want.as_ref()
                .is_none_or(|w| o.versions.iter().any(|(x, _)| x == w))
        };
        let Some(offer) = offers
            .iter()
            .find(|o| o.zone == z && has(o))
            .or_else(|| offers.iter().find(|o| has(o)))
            .or_else(|| offers.iter().find(|o| o.zone == z))
            .or(offers.first())
        else {
            return;
        };
        if offer.zone != z {
            zone.set(offer.zone.clone());
        }
        let current = version.get();
        let v = want.unwrap_or_else(|| current.clone());
        let chosen = offer
            .versions
            .iter()
            .find(|(x, _)| *x == v)
            .or_else(|| offer.versions.iter().find(|(x, _)| x == "14"))
            .or(offer.versions.first());
        if let Some((x, classes)) = chosen {
            if *x != current {
                version.set(x.clone());
            }
            let c = class.get();
            if !classes.contains(&c) {
                if let Some(first) = classes.first() {
                    class.set(first.clone());
                }
            }
        }
    });

    let request = move || CreateRequest {
        account: account.get(),
        region: region.get(),
        zone: zone.get(),
        version: version.get(),
        class: class.get(),
        vpc: vpc.get().trim().to_string(),
        vswitch: vswitch.get().trim().to_string(),
        pay_type: pay_type.get(),
        period: period.get(),
        used_time: used_time.get().trim().to_string(),
        auto_renew: auto_renew.get(),
        description: description.get().trim().to_string(),
        tags: tags
            .get()
            .into_iter()
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .filter(|(k, v)| !(k.is_empty() && v.is_empty()))
            .collect(),
        client_token: String::new(),
        source: source_id.get_value(),
        security_ips: security_ips.get().trim().to_string(),
        tde: tde.get(),
        resource_group: resource_group.get().trim().to_string(),
        point: if cloning {
            point_value()
        } else {
            String::new()
        },
    };

    // What keeps a clone from going on: the source, the data point, the engine version.
    let clone_problem = move |s: usize| -> Option<String> {
        if !cloning {
            return None;
        }
        let src = match source.get() {
            Some(Ok(Some(src))) => src,
            Some(Err(_)) => return Some(t_string!(i18n, fleet.source_unreadable).into()),
            _ => return Some(t_string!(i18n, fleet.reading_source_short).into()),
        };
        if let Some(p) = src.point_problem(&point_value(), now_secs()) {
            return Some(problem_text("Data point", &p));
        }
        (s >= 1 && version.get() != src.version)
            .then(|| t_string!(i18n, fleet.version_of_source, version = src.version.clone()))
    };
    // The problem that keeps a step from going on, if any.
    let step_problem = move |s: usize| -> Option<String> {
        let mut probe = request();
        // Later steps' fields do not hold an earlier step back.
        if s < 1 {
            probe.zone = format!("{}-x", probe.region);
            probe.version = "14".into();
            probe.class = "polar.pg.x".into();
        }
        if s < 2 {
            probe.vpc.clear();
            probe.vswitch.clear();
            probe.security_ips.clear();
        }
        if s < 3 {
            probe.description.clear();
            probe.tags.clear();
            probe.resource_group.clear();
        }
        create_problem(&probe)
            .map(|(f, m)| problem_text(f, &m))
            .or_else(|| clone_problem(s))
    };

    let create = ServerAction::<CreateCluster>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(c)) = create.value().get() {
            if c.tag_error.is_none() {
                navigate(
                    &cluster_href(&c.id, &account.get_untracked(), &region.get_untracked(), ""),
                    Default::default(),
                );
            }
        }
    });

    let go = move |to: usize| {
        if to == 4 {
            // One token per set of answers: the same answers (a retry) keep it.
            let r = request();
            if token.get_untracked().0.is_empty() || token.get_untracked().1 != r {
                token.set((new_client_token(), r));
            }
        }
        step.set(to);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if step.get_untracked() != 4 {
            if step_problem(step.get_untracked()).is_none() {
                go(step.get_untracked() + 1);
            }
            return;
        }
        let (t, answers) = token.get_untracked();
        let mut r = request();
        if r != answers {
            return;
        }
        r.client_token = t;
        create.dispatch(CreateCluster { req: r });
    };

    view! {
        <Title text=move || t_string!(i18n, fleet.create_title).to_string() />
        <div class="page-head">
            <a class="back-link" href="/clusters">{t!(i18n, fleet.back_to_clusters)}</a>
            <h1 data-testid="wizard-title">{move || if restoring { t_string!(i18n, fleet.restore_title) } else if cloning { t_string!(i18n, fleet.clone_title) } else { t_string!(i18n, fleet.create_pg_title) }}</h1>
            <p class="muted">{move || if cloning {
                t_string!(i18n, fleet.clone_lead)
            } else {
                t_string!(i18n, fleet.create_lead)
            }}</p>
        </div>
        <ol class="wizard-steps" data-testid="wizard-steps">
            {(0..STEPS).map(|i| view! {
                <li class:current=move || step.get() == i class:done=move || i < step.get()>{move || format!("{}. {}", i + 1, step_label(i18n, i))}</li>
            }).collect_view()}
        </ol>
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet.reading_accounts) /> }>
            {move || Suspend::new(async move {
                let i = match info.await {
                    Ok(i) => i,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                view! {
                <form class="stack-form wizard" on:submit=submit data-testid="create-wizard">
                    // Step 1
                    {view! {
                    <fieldset class="wizard-step" data-step="1" hidden=move || step.get() != 0>
                        <legend>{move || step_label(i18n, 0)}</legend>
                        {cloning.then(|| view! { <SourceChoice source point_kind point_backup point_time /> })}
                        <label><span>{t!(i18n, fleet.cloud_account)}</span>
                            <select data-testid="wiz-account" disabled=cloning on:change=move |ev| account.set(event_target_value(&ev))>
                                {i.accounts.iter().map(|a| {
                                    let a2 = a.clone();
                                    view! { <option value=a.clone() selected=move || account.get() == a2>{a.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label><span>{t!(i18n, fleet.region)}</span>
                            <select data-testid="wiz-region" disabled=cloning on:change=move |ev| region.set(event_target_value(&ev))>
                                {i.regions.iter().map(|r| {
                                    let r2 = r.clone();
                                    view! { <option value=r.clone() selected=move || region.get() == r2>{r.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label><span>{t!(i18n, fleet.col_billing)}</span>
                            <select data-testid="wiz-pay" on:change=move |ev| pay_type.set(event_target_value(&ev))>
                                <option value="Postpaid" selected=move || pay_type.get() == "Postpaid">{t!(i18n, fleet.postpaid_option)}</option>
                                <option value="Prepaid" selected=move || pay_type.get() == "Prepaid">{t!(i18n, fleet.prepaid_option)}</option>
                            </select>
                        </label>
                        {move || (pay_type.get() == "Prepaid").then(|| view! {
                            <div class="wizard-row">
                                <label><span>{t!(i18n, fleet.period)}</span>
                                    <select data-testid="wiz-period" on:change=move |ev| period.set(event_target_value(&ev))>
                                        <option value="Month" selected=move || period.get() == "Month">{t!(i18n, fleet.months)}</option>
                                        <option value="Year" selected=move || period.get() == "Year">{t!(i18n, fleet.years)}</option>
                                    </select>
                                </label>
                                <label><span>{t!(i18n, fleet.length)}</span>
                                    <input type="number" min="1" max="9" data-testid="wiz-used-time"
                                        prop:value=move || used_time.get()
                                        on:input=move |ev| used_time.set(event_target_value(&ev)) />
                                </label>
                                <label class="check"><input type="checkbox" data-testid="wiz-auto-renew"
                                    prop:checked=move || auto_renew.get()
                                    on:change=move |ev| auto_renew.set(event_target_checked(&ev)) />
                                    <span>{t!(i18n, fleet.renew_automatically)}</span>
                                </label>
                            </div>
                            {field_hint("Subscription length", Signal::derive(move || used_time_problem(&period.get(), &used_time.get())), move || t_string!(i18n, fleet.length_hint))}
                        })}
                    </fieldset>
                    }.into_any()}

                    // Step 2
                    {view! {
                    <fieldset class="wizard-step" data-step="2" hidden=move || step.get() != 1>
                        <legend>{move || step_label(i18n, 1)}</legend>
                        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet.reading_offers) /> }>
                            {move || Suspend::new(async move {
                                match choices.await {
                                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                                    Ok(offers) if offers.is_empty() => view! {
                                        <p class="refusal" data-testid="wiz-nothing">{t!(i18n, fleet.nothing_on_sale)}</p>
                                    }.into_any(),
                                    Ok(offers) => {
                                        let zones: Vec<String> = offers.iter().map(|o| o.zone.clone()).collect();
                                        view! {
                                            <label><span>{t!(i18n, fleet.zone)}</span>
                                                <select data-testid="wiz-zone" on:change=move |ev| zone.set(event_target_value(&ev))>
                                                    {zones.into_iter().map(|z| {
                                                        let z2 = z.clone();
                                                        view! { <option value=z.clone() selected=move || zone.get() == z2>{z.clone()}</option> }
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <label><span>{t!(i18n, fleet.col_engine)}</span>
                                                <select data-testid="wiz-version" on:change=move |ev| version.set(event_target_value(&ev))>
                                                    {move || zone_offer().map(|z| z.versions.into_iter().filter(|(v, _)| source_version().is_none_or(|w| w == *v)).map(|(v, _)| {
                                                        let v2 = v.clone();
                                                        view! { <option value=v.clone() selected=move || version.get() == v2>{format!("PostgreSQL {v}")}</option> }
                                                    }).collect_view())}
                                                </select>
                                            </label>
                                            <label><span>{t!(i18n, fleet.node_class)}</span>
                                                <select data-testid="wiz-class" on:change=move |ev| class.set(event_target_value(&ev))>
                                                    {move || classes_now().into_iter().map(|c| {
                                                        let c2 = c.clone();
                                                        view! { <option value=c.clone() selected=move || class.get() == c2>{c.clone()}</option> }
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <p class="muted small-print">{t!(i18n, fleet.storage_note)}</p>
                                        }.into_any()
                                    }
                                }
                            })}
                        </Transition>
                    </fieldset>
                    }.into_any()}

                    // Step 3
                    {network_step(i18n, step, vpc, vswitch, security_ips)}

                    // Step 4
                    {name_step(i18n, step, description, tags, resource_group, tde, request)}

                    // Step 5
                    {move || (step.get() == 4).then(|| summary(i18n, token))}

                    {move || step_problem(step.get()).filter(|_| step.get() < 4).map(|p| view! {
                        <p class="field-error" data-testid="step-problem">{p}</p>
                    })}
                    {change_error(create.value())}
                    {move || create.value().get().and_then(|r| r.ok()).filter(|c| c.tag_error.is_some()).map(|c| {
                        let href = cluster_href(&c.id, &account.get_untracked(), &region.get_untracked(), "");
                        view! {
                            <div class="banner banner-error" role="alert" data-testid="wiz-tag-error">
                                {
                                    let (id, problem) = (c.id.clone(), c.tag_error.clone().unwrap_or_default());
                                    move || t_string!(i18n, fleet.tags_not_set, id = id.clone(), problem = problem.clone())
                                }
                                " " <a href=href>{t!(i18n, fleet.open_cluster)}</a>
                            </div>
                        }
                    })}
                    <div class="wizard-actions">
                        <button type="button" class="small" data-testid="wiz-back"
                            title=move || waiting(hydrated).or((step.get() == 0).then(|| t_string!(i18n, fleet.first_step)))
                            disabled=move || !hydrated.get() || step.get() == 0 || create.pending().get()
                            on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>{t!(i18n, fleet.back)}</button>
                        {move || if step.get() < 4 {
                            view! {
                                <button type="submit" class="primary" data-testid="wiz-next"
                                    title=move || waiting(hydrated)
                                    disabled=move || !hydrated.get() || step_problem(step.get()).is_some() || (step.get() == 1 && classes_now().is_empty())>
                                    {t!(i18n, fleet.next)}
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="submit" class="primary" data-testid="wiz-create"
                                    disabled=move || create.pending().get() || create.value().get().is_some_and(|r| r.is_ok())>
                                    {move || if create.pending().get() { t_string!(i18n, fleet.creating) }
                                        else if create.value().get().is_some_and(|r| r.is_err()) { t_string!(i18n, fleet.retry) }
                                        else if cloning { t_string!(i18n, fleet.create_new_cluster) }
                                        else { t_string!(i18n, fleet.create_cluster) }}
                                </button>
                            }.into_any()
                        }}
                    </div>
                </form>
                }.into_any()
            })}
        </Transition>
    }
}
