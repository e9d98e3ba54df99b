//! The create wizard, step by step.

use super::*;
use crate::kit::{use_hydrated, waiting};

// ---------------------------------------------------------------------------------------
// The page.

pub(super) const STEPS: &[&str] = &[
    "Location and billing",
    "Zone and specification",
    "Network",
    "Name and tags",
    "Summary",
];

#[component]
pub fn CreateClusterPage() -> impl IntoView {
    let info = Resource::new(|| (), |_| console_context());
    let step = RwSignal::new(0usize);
    let account = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
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
    // Keep zone, version and class among what is on sale.
    Effect::new(move |_| {
        let offers = offers_now();
        if offers.is_empty() {
            return;
        }
        let z = zone.get();
        let Some(offer) = offers.iter().find(|o| o.zone == z).or(offers.first()) else {
            return;
        };
        if offer.zone != z {
            zone.set(offer.zone.clone());
        }
        let v = version.get();
        let chosen = offer
            .versions
            .iter()
            .find(|(x, _)| *x == v)
            .or_else(|| offer.versions.iter().find(|(x, _)| x == "14"))
            .or(offer.versions.first());
        if let Some((x, classes)) = chosen {
            if *x != v {
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
        }
        if s < 3 {
            probe.description.clear();
            probe.tags.clear();
        }
        create_problem(&probe).map(|(f, m)| format!("{f} {m}."))
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

    let field = |label: &'static str, problem: Signal<Option<String>>, hint: &'static str| {
        view! {
            <p class="field-hint">
                {move || match problem.get() {
                    Some(p) => view! { <span class="field-error" data-testid="wizard-problem">{format!("{label} {p}.")}</span> }.into_any(),
                    None => view! { <span class="muted">{hint}</span> }.into_any(),
                }}
            </p>
        }
    };

    view! {
        <Title text="Create a cluster" />
        <div class="page-head">
            <a class="back-link" href="/clusters">"← Clusters"</a>
            <h1>"Create a PostgreSQL cluster"</h1>
            <p class="muted">"PolarDB for PostgreSQL, cluster edition: one primary and one read-only node to start with."</p>
        </div>
        <ol class="wizard-steps" data-testid="wizard-steps">
            {STEPS.iter().enumerate().map(|(i, label)| view! {
                <li class:current=move || step.get() == i class:done=move || i < step.get()>{format!("{}. {label}", i + 1)}</li>
            }).collect_view()}
        </ol>
        <Transition fallback=|| view! { <Loading label="Reading cloud accounts and regions…" /> }>
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
                        <legend>"Location and billing"</legend>
                        <label><span>"Cloud account"</span>
                            <select data-testid="wiz-account" on:change=move |ev| account.set(event_target_value(&ev))>
                                {i.accounts.iter().map(|a| {
                                    let a2 = a.clone();
                                    view! { <option value=a.clone() selected=move || account.get() == a2>{a.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Region"</span>
                            <select data-testid="wiz-region" on:change=move |ev| region.set(event_target_value(&ev))>
                                {i.regions.iter().map(|r| {
                                    let r2 = r.clone();
                                    view! { <option value=r.clone() selected=move || region.get() == r2>{r.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label><span>"Billing"</span>
                            <select data-testid="wiz-pay" on:change=move |ev| pay_type.set(event_target_value(&ev))>
                                <option value="Postpaid" selected=move || pay_type.get() == "Postpaid">"Pay-as-you-go (Postpaid)"</option>
                                <option value="Prepaid" selected=move || pay_type.get() == "Prepaid">"Subscription (Prepaid)"</option>
                            </select>
                        </label>
                        {move || (pay_type.get() == "Prepaid").then(|| view! {
                            <div class="wizard-row">
                                <label><span>"Period"</span>
                                    <select data-testid="wiz-period" on:change=move |ev| period.set(event_target_value(&ev))>
                                        <option value="Month" selected=move || period.get() == "Month">"Months"</option>
                                        <option value="Year" selected=move || period.get() == "Year">"Years"</option>
                                    </select>
                                </label>
                                <label><span>"Length"</span>
                                    <input type="number" min="1" max="9" data-testid="wiz-used-time"
                                        prop:value=move || used_time.get()
                                        on:input=move |ev| used_time.set(event_target_value(&ev)) />
                                </label>
                                <label class="check"><input type="checkbox" data-testid="wiz-auto-renew"
                                    prop:checked=move || auto_renew.get()
                                    on:change=move |ev| auto_renew.set(event_target_checked(&ev)) />
                                    <span>"Renew automatically"</span>
                                </label>
                            </div>
                            {field("Subscription length", Signal::derive(move || used_time_problem(&period.get(), &used_time.get())), "1 to 9 months, or 1 to 3 years.")}
                        })}
                    </fieldset>
                    }.into_any()}

                    // Step 2
                    {view! {
                    <fieldset class="wizard-step" data-step="2" hidden=move || step.get() != 1>
                        <legend>"Zone and specification"</legend>
                        <Transition fallback=|| view! { <Loading label="Reading what is on sale…" /> }>
                            {move || Suspend::new(async move {
                                match choices.await {
                                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                                    Ok(offers) if offers.is_empty() => view! {
                                        <p class="refusal" data-testid="wiz-nothing">"Nothing is on sale for PostgreSQL in this region with this billing method."</p>
                                    }.into_any(),
                                    Ok(offers) => {
                                        let zones: Vec<String> = offers.iter().map(|o| o.zone.clone()).collect();
                                        view! {
                                            <label><span>"Zone"</span>
                                                <select data-testid="wiz-zone" on:change=move |ev| zone.set(event_target_value(&ev))>
                                                    {zones.into_iter().map(|z| {
                                                        let z2 = z.clone();
                                                        view! { <option value=z.clone() selected=move || zone.get() == z2>{z.clone()}</option> }
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <label><span>"Engine"</span>
                                                <select data-testid="wiz-version" on:change=move |ev| version.set(event_target_value(&ev))>
                                                    {move || zone_offer().map(|z| z.versions.into_iter().map(|(v, _)| {
                                                        let v2 = v.clone();
                                                        view! { <option value=v.clone() selected=move || version.get() == v2>{format!("PostgreSQL {v}")}</option> }
                                                    }).collect_view())}
                                                </select>
                                            </label>
                                            <label><span>"Node class"</span>
                                                <select data-testid="wiz-class" on:change=move |ev| class.set(event_target_value(&ev))>
                                                    {move || classes_now().into_iter().map(|c| {
                                                        let c2 = c.clone();
                                                        view! { <option value=c.clone() selected=move || class.get() == c2>{c.clone()}</option> }
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <p class="muted small-print">"Storage: PolarDB's shared storage grows with the data and is billed by use (pay-as-you-go), whatever the billing method of the nodes; nothing to size now."</p>
                                        }.into_any()
                                    }
                                }
                            })}
                        </Transition>
                    </fieldset>
                    }.into_any()}

                    // Step 3
                    {view! {
                    <fieldset class="wizard-step" data-step="3" hidden=move || step.get() != 2>
                        <legend>"Network"</legend>
                        <p class="muted small-print">"A VPC network. Leave both empty to let the service use the region's default VPC and vSwitch."</p>
                        <label><span>"VPC ID"</span>
                            <input type="text" class="mono" data-testid="wiz-vpc" placeholder="vpc-bp1…" maxlength="64"
                                prop:value=move || vpc.get() on:input=move |ev| vpc.set(event_target_value(&ev)) />
                        </label>
                        {field("VPC", Signal::derive(move || vpc_id_problem(vpc.get().trim())), "Optional.")}
                        <label><span>"vSwitch ID"</span>
                            <input type="text" class="mono" data-testid="wiz-vswitch" placeholder="vsw-bp1…" maxlength="64"
                                prop:value=move || vswitch.get() on:input=move |ev| vswitch.set(event_target_value(&ev)) />
                        </label>
                        {field("vSwitch", Signal::derive(move || vswitch_id_problem(vpc.get().trim(), vswitch.get().trim())), "Required with a VPC; it must be in the chosen zone.")}
                    </fieldset>
                    }.into_any()}

                    // Step 4
                    {view! {
                    <fieldset class="wizard-step" data-step="4" hidden=move || step.get() != 3>
                        <legend>"Name and tags"</legend>
                        <label><span>"Description"</span>
                            <input type="text" data-testid="wiz-description" maxlength="300"
                                prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
                        </label>
                        {field("Description", Signal::derive(move || {
                            let d = description.get();
                            let d = d.trim();
                            if d.is_empty() { None } else { description_problem(d) }
                        }), "Optional: 2–256 characters, starting with a letter. Without one the cluster is named by its ID.")}
                        <div class="tag-rows" data-testid="wiz-tags">
                            {move || (0..tags.get().len()).map(|i| view! {
                                <div class="wizard-row">
                                    <input type="text" placeholder="key" aria-label="Tag key" data-testid="wiz-tag-key"
                                        prop:value=move || tags.get().get(i).map(|t| t.0.clone()).unwrap_or_default()
                                        on:input=move |ev| tags.update(|t| if let Some(x) = t.get_mut(i) { x.0 = event_target_value(&ev) }) />
                                    <input type="text" placeholder="value" aria-label="Tag value" data-testid="wiz-tag-value"
                                        prop:value=move || tags.get().get(i).map(|t| t.1.clone()).unwrap_or_default()
                                        on:input=move |ev| tags.update(|t| if let Some(x) = t.get_mut(i) { x.1 = event_target_value(&ev) }) />
                                    <button type="button" class="small" on:click=move |_| tags.update(|t| { if i < t.len() { t.remove(i); } })>"Remove"</button>
                                </div>
                            }).collect_view()}
                            <button type="button" class="small" data-testid="wiz-add-tag" disabled=move || 20 <= tags.get().len()
                                on:click=move |_| tags.update(|t| t.push((String::new(), String::new())))>"Add a tag"</button>
                        </div>
                        {field("Tags", Signal::derive(move || {
                            let r = request();
                            let mut seen = std::collections::HashSet::new();
                            r.tags.iter().find_map(|(k, v)| tag_problem(k, v).or_else(|| (!seen.insert(k.clone())).then(|| format!("the key {k} appears twice"))))
                        }), "Up to 20 tags; keys and values up to 64 characters.")}
                    </fieldset>
                    }.into_any()}

                    // Step 5
                    {move || (step.get() == 4).then(|| {
                        let r = token.get().1;
                        view! {
                            <section class="panel wizard-summary" data-testid="wiz-summary">
                                <h2>"Summary"</h2>
                                <dl class="kv">
                                    <dt>"Cloud account"</dt><dd data-testid="sum-account">{r.account.clone()}</dd>
                                    <dt>"Region and zone"</dt><dd data-testid="sum-zone">{format!("{} · {}", r.region, r.zone)}</dd>
                                    <dt>"Engine"</dt><dd data-testid="sum-engine">{format!("PostgreSQL {}", r.version)}</dd>
                                    <dt>"Node class"</dt><dd class="mono" data-testid="sum-class">{format!("{} (1 primary + 1 read-only)", r.class)}</dd>
                                    <dt>"Network"</dt><dd class="mono">{if r.vpc.is_empty() { "the region's default VPC".to_string() } else { format!("{} / {}", r.vpc, r.vswitch) }}</dd>
                                    <dt>"Billing"</dt><dd data-testid="sum-billing">{
                                        if r.pay_type == "Prepaid" {
                                            format!("{} · {} {}{} · {}", pay_type_label(&r.pay_type), r.used_time, if r.period == "Year" { "year" } else { "month" },
                                                if r.used_time == "1" { "" } else { "s" },
                                                if r.auto_renew { "renews automatically" } else { "renewed by hand" })
                                        } else { pay_type_label(&r.pay_type).to_string() }
                                    }</dd>
                                    <dt>"Description"</dt><dd data-testid="sum-description">{if r.description.is_empty() { "—".to_string() } else { r.description.clone() }}</dd>
                                    <dt>"Tags"</dt><dd>{if r.tags.is_empty() { "—".to_string() } else { r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ") }}</dd>
                                    <dt>"ClientToken"</dt><dd class="mono muted" data-testid="sum-token">{token.get().0}</dd>
                                </dl>
                                <p class="muted small-print">"Retrying after an error sends the same ClientToken, so the cluster is never created twice."</p>
                            </section>
                        }
                    })}

                    {move || step_problem(step.get()).filter(|_| step.get() < 4).map(|p| view! {
                        <p class="field-error" data-testid="step-problem">{p}</p>
                    })}
                    {change_error(create.value())}
                    {move || create.value().get().and_then(|r| r.ok()).filter(|c| c.tag_error.is_some()).map(|c| {
                        let href = cluster_href(&c.id, &account.get_untracked(), &region.get_untracked(), "");
                        view! {
                            <div class="banner banner-error" role="alert" data-testid="wiz-tag-error">
                                {format!("Cluster {} is being created, but its tags could not be set: {}", c.id, c.tag_error.clone().unwrap_or_default())}
                                " " <a href=href>"Open the cluster →"</a>
                            </div>
                        }
                    })}
                    <div class="wizard-actions">
                        <button type="button" class="small" data-testid="wiz-back"
                            title=move || waiting(hydrated).or((step.get() == 0).then_some("This is the first step."))
                            disabled=move || !hydrated.get() || step.get() == 0 || create.pending().get()
                            on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>"Back"</button>
                        {move || if step.get() < 4 {
                            view! {
                                <button type="submit" class="primary" data-testid="wiz-next"
                                    title=move || waiting(hydrated)
                                    disabled=move || !hydrated.get() || step_problem(step.get()).is_some() || (step.get() == 1 && classes_now().is_empty())>
                                    "Next"
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="submit" class="primary" data-testid="wiz-create"
                                    disabled=move || create.pending().get() || create.value().get().is_some_and(|r| r.is_ok())>
                                    {move || if create.pending().get() { "Creating…" }
                                        else if create.value().get().is_some_and(|r| r.is_err()) { "Retry" }
                                        else { "Create cluster" }}
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
