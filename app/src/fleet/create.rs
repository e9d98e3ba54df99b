//! `/clusters/new`: the create wizard for PolarDB for PostgreSQL clusters. Steps: where and
//! how it is paid for; zone, engine version and node class (from
//! DescribeDBClusterAvailableResources); network (VPC and vSwitch); name and tags; a summary
//! before anything is sent. The CreateDBCluster call carries a ClientToken made for this
//! set of answers and reused when the user retries, so a retry never creates a second
//! cluster. Afterwards the new cluster's page shows the creation's progress.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::api::call_api;
use crate::api::console_context;
#[cfg(feature = "ssr")]
use crate::kit::zones::offers;
use crate::kit::zones::ZoneOffer;
use crate::kit::{change_error, cluster_href, pay_type_label, ErrorBox, Loading};
use crate::AppError;
use polardb::rules::{description_problem, vpc_id_problem, vswitch_id_problem};

// ---------------------------------------------------------------------------------------
// Rules of the API reference (CreateDBCluster 6.1, DescribeDBClusters 6.3 for tags),
// checked as the user types and again on the server.

/// What is wrong with a subscription length: Month 1–9, Year 1–3.
pub fn used_time_problem(period: &str, used_time: &str) -> Option<String> {
    let n: u32 = match used_time.trim().parse() {
        Ok(n) => n,
        Err(_) => return Some("must be a whole number".into()),
    };
    match period {
        "Month" if (1..=9).contains(&n) => None,
        "Month" => Some("must be 1 to 9 months".into()),
        "Year" if (1..=3).contains(&n) => None,
        "Year" => Some("must be 1 to 3 years".into()),
        _ => Some("the period must be Month or Year".into()),
    }
}

/// What is wrong with a tag: a key of 1 to 64 characters, a value of at most 64; neither
/// may start with `aliyun`, `acs:`, `http://` or `https://`.
pub fn tag_problem(key: &str, value: &str) -> Option<String> {
    let reserved = |s: &str| {
        let l = s.to_ascii_lowercase();
        ["aliyun", "acs:", "http://", "https://"]
            .iter()
            .any(|p| l.starts_with(p))
    };
    if key.is_empty() {
        return (!value.is_empty()).then(|| "a tag value needs a key".into());
    }
    if key.chars().count() > 64 {
        return Some("tag keys have at most 64 characters".into());
    }
    if value.chars().count() > 64 {
        return Some("tag values have at most 64 characters".into());
    }
    if reserved(key) || reserved(value) {
        return Some("tags may not start with aliyun, acs:, http:// or https://".into());
    }
    None
}

/// What is wrong with a ClientToken: at most 64 ASCII characters.
pub fn client_token_problem(t: &str) -> Option<String> {
    if t.len() > 64 || !t.is_ascii() {
        Some("must be at most 64 ASCII characters".into())
    } else {
        None
    }
}

/// Everything the wizard asks for; the server checks it again before CreateDBCluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    pub account: String,
    pub region: String,
    pub zone: String,
    pub version: String,
    pub class: String,
    pub vpc: String,
    pub vswitch: String,
    /// Postpaid or Prepaid.
    pub pay_type: String,
    /// Month or Year (Prepaid).
    pub period: String,
    /// Months 1–9 or years 1–3 (Prepaid).
    pub used_time: String,
    /// Renew the subscription automatically (Prepaid).
    pub auto_renew: bool,
    pub description: String,
    pub tags: Vec<(String, String)>,
    pub client_token: String,
}

/// The first problem of a request: (field, what is wrong).
pub fn create_problem(r: &CreateRequest) -> Option<(&'static str, String)> {
    let req = |field: &'static str, v: &str| {
        v.trim()
            .is_empty()
            .then(|| (field, "is required".to_string()))
    };
    if let Some(p) = req("Cloud account", &r.account)
        .or_else(|| req("Region", &r.region))
        .or_else(|| req("Zone", &r.zone))
        .or_else(|| req("Engine version", &r.version))
        .or_else(|| req("Node class", &r.class))
    {
        return Some(p);
    }
    if !r.zone.starts_with(&r.region) {
        return Some(("Zone", format!("must be a zone of {}", r.region)));
    }
    if !r.class.starts_with("polar.pg.") {
        return Some((
            "Node class",
            "must be a PostgreSQL class (polar.pg.…)".into(),
        ));
    }
    match r.pay_type.as_str() {
        "Postpaid" => {}
        "Prepaid" => {
            if let Some(p) = used_time_problem(&r.period, &r.used_time) {
                return Some(("Subscription length", p));
            }
        }
        _ => return Some(("Billing", "must be Postpaid or Prepaid".into())),
    }
    if let Some(p) = vpc_id_problem(&r.vpc) {
        return Some(("VPC", p));
    }
    if let Some(p) = vswitch_id_problem(&r.vpc, &r.vswitch) {
        return Some(("vSwitch", p));
    }
    if !r.description.is_empty() {
        if let Some(p) = description_problem(&r.description) {
            return Some(("Description", p));
        }
    }
    if r.tags.len() > 20 {
        return Some(("Tags", "at most 20 tags".into()));
    }
    let mut keys = std::collections::HashSet::new();
    for (k, v) in &r.tags {
        if let Some(p) = tag_problem(k, v) {
            return Some(("Tags", p));
        }
        if !keys.insert(k) {
            return Some(("Tags", format!("the key {k} appears twice")));
        }
    }
    if let Some(p) = client_token_problem(&r.client_token) {
        return Some(("ClientToken", p));
    }
    None
}

/// The CreateDBCluster parameters of a (valid) request.
pub fn create_params(r: &CreateRequest) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = vec![
        ("ZoneId".into(), r.zone.clone()),
        ("DBType".into(), "PostgreSQL".into()),
        ("DBVersion".into(), r.version.clone()),
        ("DBNodeClass".into(), r.class.clone()),
        ("PayType".into(), r.pay_type.clone()),
        ("ClusterNetworkType".into(), "VPC".into()),
        ("CreationOption".into(), "Normal".into()),
    ];
    if r.pay_type == "Prepaid" {
        p.push(("Period".into(), r.period.clone()));
        p.push(("UsedTime".into(), r.used_time.trim().to_string()));
        p.push(("AutoRenew".into(), r.auto_renew.to_string()));
    }
    if !r.vpc.is_empty() {
        p.push(("VPCId".into(), r.vpc.clone()));
        p.push(("VSwitchId".into(), r.vswitch.clone()));
    }
    if !r.description.is_empty() {
        p.push(("DBClusterDescription".into(), r.description.clone()));
    }
    if !r.client_token.is_empty() {
        p.push(("ClientToken".into(), r.client_token.clone()));
    }
    p
}

/// A fresh ClientToken for one set of wizard answers (unique, not secret).
pub fn new_client_token() -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::web_sys::js_sys::{Date, Math};
        let r = |bits: f64| (Math::random() * bits) as u64;
        format!(
            "pcw-{:x}-{:013x}{:013x}",
            Date::now() as u64,
            r(4_503_599_627_370_496.0),
            r(4_503_599_627_370_496.0)
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        // Server-side renders never submit; the gateway makes a token when none is sent.
        String::new()
    }
}

// ---------------------------------------------------------------------------------------
// Server functions.

/// What DescribeDBClusterAvailableResources offers PostgreSQL in a region, by zone.
#[server(input = server_fn::codec::Json)]
pub async fn create_choices(
    account: String,
    region: String,
    pay_type: String,
) -> Result<Vec<ZoneOffer>, AppError> {
    if pay_type != "Postpaid" && pay_type != "Prepaid" {
        return Err(AppError::Invalid {
            field: "Billing".into(),
            message: "must be Postpaid or Prepaid".into(),
        });
    }
    let answer = call_api(
        account,
        region.clone(),
        "DescribeDBClusterAvailableResources".into(),
        vec![("PayType".into(), pay_type), ("RegionId".into(), region)],
    )
    .await?;
    let parsed: polardb::models::DescribeDBClusterAvailableResourcesResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterAvailableResources answer had an unexpected shape: {e}"
            ))
        })?;
    Ok(offers(parsed))
}

/// The outcome of a creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
    pub request_id: String,
    /// Why the tags could not be set (the cluster exists anyway).
    pub tag_error: Option<String>,
}

/// Creates a PostgreSQL cluster (CreateDBCluster, with the wizard's ClientToken), then tags
/// it (TagResources).
#[server(input = server_fn::codec::Json)]
pub async fn create_cluster(req: CreateRequest) -> Result<Created, AppError> {
    if let Some((field, message)) = create_problem(&req) {
        return Err(AppError::Invalid {
            field: field.into(),
            message,
        });
    }
    let answer = call_api(
        req.account.clone(),
        req.region.clone(),
        "CreateDBCluster".into(),
        create_params(&req),
    )
    .await?;
    let created: polardb::models::CreateDBClusterResponse = serde_json::from_str(&answer.json)
        .map_err(|e| {
            AppError::ServerFn(format!(
                "The CreateDBCluster answer had an unexpected shape: {e}"
            ))
        })?;
    let id = created.db_cluster_id;
    let tags: Vec<&(String, String)> = req.tags.iter().filter(|(k, _)| !k.is_empty()).collect();
    let mut tag_error = None;
    if !tags.is_empty() {
        let mut params = vec![
            ("ResourceType".to_string(), "cluster".to_string()),
            ("ResourceId.1".to_string(), id.clone()),
        ];
        for (i, (k, v)) in tags.iter().enumerate() {
            params.push((format!("Tag.{}.Key", i + 1), k.clone()));
            params.push((format!("Tag.{}.Value", i + 1), v.clone()));
        }
        if let Err(e) = call_api(
            req.account.clone(),
            req.region.clone(),
            "TagResources".into(),
            params,
        )
        .await
        {
            tag_error = Some(e.to_string());
        }
    }
    Ok(Created {
        id,
        request_id: answer.request_id,
        tag_error,
    })
}

// ---------------------------------------------------------------------------------------
// The page.

const STEPS: &[&str] = &[
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
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

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
                            disabled=move || step.get() == 0 || create.pending().get()
                            on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>"Back"</button>
                        {move || if step.get() < 4 {
                            view! {
                                <button type="submit" class="primary" data-testid="wiz-next"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> CreateRequest {
        CreateRequest {
            account: "sandbox".into(),
            region: "cn-hangzhou".into(),
            zone: "cn-hangzhou-i".into(),
            version: "14".into(),
            class: "polar.pg.x4.medium".into(),
            pay_type: "Postpaid".into(),
            period: "Month".into(),
            used_time: "1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn network_ids_are_checked_by_shape() {
        assert_eq!(vpc_id_problem(""), None);
        assert_eq!(vpc_id_problem("vpc-bp15zckdt37pq72zvw3"), None);
        assert!(vpc_id_problem("vpc-SHORT").is_some());
        assert!(vpc_id_problem("vsw-bp15zckdt37pq72zvw3").is_some());
        assert!(vpc_id_problem("vpc-abc").is_some());
        assert_eq!(vswitch_id_problem("", ""), None);
        assert_eq!(
            vswitch_id_problem("vpc-bp15zckdt37pq72zvw3", "vsw-bp1lyhtbyrmm3yzl2"),
            None
        );
        assert!(vswitch_id_problem("vpc-bp15zckdt37pq72zvw3", "")
            .unwrap()
            .contains("required"));
        assert!(vswitch_id_problem("", "vsw-bp1lyhtbyrmm3yzl2")
            .unwrap()
            .contains("VPC"));
        assert!(vswitch_id_problem("vpc-bp15zckdt37pq72zvw3", "vsw_1").is_some());
    }

    #[test]
    fn subscription_lengths_follow_the_reference() {
        assert_eq!(used_time_problem("Month", "1"), None);
        assert_eq!(used_time_problem("Month", "9"), None);
        assert!(used_time_problem("Month", "10").is_some());
        assert!(used_time_problem("Month", "0").is_some());
        assert_eq!(used_time_problem("Year", "3"), None);
        assert!(used_time_problem("Year", "4").is_some());
        assert!(used_time_problem("Year", "x").is_some());
        assert!(used_time_problem("Week", "1").is_some());
    }

    #[test]
    fn tags_follow_the_reference() {
        assert_eq!(tag_problem("env", "prod"), None);
        assert_eq!(tag_problem("env", ""), None);
        assert_eq!(tag_problem("", ""), None);
        assert!(tag_problem("", "prod").is_some());
        assert!(tag_problem("aliyun-x", "1").is_some());
        assert!(tag_problem("ACS:x", "1").is_some());
        assert!(tag_problem("k", "https://x").is_some());
        assert!(tag_problem(&"k".repeat(65), "").is_some());
        assert_eq!(tag_problem(&"k".repeat(64), &"v".repeat(64)), None);
    }

    #[test]
    fn a_request_is_checked_whole() {
        assert_eq!(create_problem(&good()), None);
        let with = |f: fn(&mut CreateRequest)| {
            let mut r = good();
            f(&mut r);
            create_problem(&r).map(|(field, _)| field)
        };
        assert_eq!(with(|r| r.zone = "cn-shanghai-b".into()), Some("Zone"));
        assert_eq!(
            with(|r| r.class = "polar.mysql.x4.medium".into()),
            Some("Node class")
        );
        assert_eq!(with(|r| r.pay_type = "Free".into()), Some("Billing"));
        assert_eq!(
            with(|r| {
                r.pay_type = "Prepaid".into();
                r.period = "Year".into();
                r.used_time = "5".into();
            }),
            Some("Subscription length")
        );
        assert_eq!(
            with(|r| r.vpc = "vpc-bp15zckdt37pq72zvw3".into()),
            Some("vSwitch")
        );
        assert_eq!(with(|r| r.description = "1x".into()), Some("Description"));
        assert_eq!(
            with(|r| r.tags = vec![("env".into(), "a".into()), ("env".into(), "b".into())]),
            Some("Tags")
        );
        assert_eq!(
            with(|r| r.client_token = "x".repeat(65)),
            Some("ClientToken")
        );
        assert_eq!(with(|r| r.account.clear()), Some("Cloud account"));
    }

    #[test]
    fn parameters_carry_the_token_and_the_subscription() {
        let mut r = good();
        r.client_token = "pcw-1".into();
        let p = create_params(&r);
        assert!(p.contains(&("ClientToken".into(), "pcw-1".into())));
        assert!(!p.iter().any(|(k, _)| k == "Period"));
        r.pay_type = "Prepaid".into();
        r.auto_renew = true;
        let p = create_params(&r);
        assert!(p.contains(&("Period".into(), "Month".into())));
        assert!(p.contains(&("UsedTime".into(), "1".into())));
        assert!(p.contains(&("AutoRenew".into(), "true".into())));
    }

    #[test]
    fn only_postgresql_offers_are_kept() {
        use polardb::models::{
            AvailableResource, AvailableZone, DescribeDBClusterAvailableResourcesResponse,
            SupportedEngine,
        };
        let answer = DescribeDBClusterAvailableResourcesResponse {
            available_zones: vec![AvailableZone {
                zone_id: "cn-hangzhou-i".into(),
                supported_engines: vec![
                    SupportedEngine {
                        engine: "mysql80".into(),
                        available_resources: vec![AvailableResource {
                            category: "Normal".into(),
                            db_node_class: "polar.mysql.x4.large".into(),
                        }],
                    },
                    SupportedEngine {
                        engine: "pg14".into(),
                        available_resources: vec![AvailableResource {
                            category: "Normal".into(),
                            db_node_class: "polar.pg.x4.medium".into(),
                        }],
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        let o = offers(answer);
        assert_eq!(o.len(), 1);
        assert_eq!(
            o[0].versions,
            vec![("14".to_string(), vec!["polar.pg.x4.medium".to_string()])]
        );
    }
}
