//! The create wizard's later steps: the network (VPC, vSwitch, the first whitelist), the
//! name (description, tags, resource group, encryption), and the summary of the answers
//! before anything is sent.

use super::page::{field_hint, step_label};
use super::*;
use crate::i18n::{t, t_string};
use leptos_i18n::I18nContext;

/// Step 3: the network the cluster is reached in (VPC and vSwitch) and who may connect.
pub(super) fn network_step(
    i18n: I18nContext<Locale>,
    step: RwSignal<usize>,
    vpc: RwSignal<String>,
    vswitch: RwSignal<String>,
    security_ips: RwSignal<String>,
) -> AnyView {
    view! {
        <fieldset class="wizard-step" data-step="3" hidden=move || step.get() != 2>
            <legend>{move || step_label(i18n, 2)}</legend>
            <p class="muted small-print">{t!(i18n, fleet.network_note)}</p>
            <label><span>{t!(i18n, fleet.vpc_id)}</span>
                <input type="text" class="mono" data-testid="wiz-vpc" placeholder="vpc-bp1…" maxlength="64"
                    prop:value=move || vpc.get() on:input=move |ev| vpc.set(event_target_value(&ev)) />
            </label>
            {field_hint("VPC", Signal::derive(move || vpc_id_problem(vpc.get().trim())), move || t_string!(i18n, fleet.optional))}
            <label><span>{t!(i18n, fleet.vswitch_id)}</span>
                <input type="text" class="mono" data-testid="wiz-vswitch" placeholder="vsw-bp1…" maxlength="64"
                    prop:value=move || vswitch.get() on:input=move |ev| vswitch.set(event_target_value(&ev)) />
            </label>
            {field_hint("vSwitch", Signal::derive(move || vswitch_id_problem(vpc.get().trim(), vswitch.get().trim())), move || t_string!(i18n, fleet.vswitch_hint))}
            <label><span>{t!(i18n, fleet.whitelist_label)}</span>
                <textarea class="mono" rows="3" data-testid="wiz-security-ips" placeholder="10.0.0.0/16, 192.168.1.10"
                    prop:value=move || security_ips.get() on:input=move |ev| security_ips.set(event_target_value(&ev))></textarea>
            </label>
            {field_hint("Whitelist", Signal::derive(move || security_ips_problem(security_ips.get().trim())), move || t_string!(i18n, fleet.whitelist_hint))}
        </fieldset>
    }
    .into_any()
}

/// Step 4: the name and the rest of the cluster's own settings; `request` is the wizard's
/// answers (the tags as sent).
pub(super) fn name_step(
    i18n: I18nContext<Locale>,
    step: RwSignal<usize>,
    description: RwSignal<String>,
    tags: RwSignal<Vec<(String, String)>>,
    resource_group: RwSignal<String>,
    tde: RwSignal<bool>,
    request: impl Fn() -> CreateRequest + Copy + Send + Sync + 'static,
) -> AnyView {
    view! {
        <fieldset class="wizard-step" data-step="4" hidden=move || step.get() != 3>
            <legend>{move || step_label(i18n, 3)}</legend>
            <label><span>{t!(i18n, fleet.description)}</span>
                <input type="text" data-testid="wiz-description" maxlength="300"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            </label>
            {field_hint("Description", Signal::derive(move || {
                let d = description.get();
                let d = d.trim();
                if d.is_empty() { None } else { description_problem(d) }
            }), move || t_string!(i18n, fleet.description_hint))}
            <div class="tag-rows" data-testid="wiz-tags">
                {move || (0..tags.get().len()).map(|i| view! {
                    <div class="wizard-row">
                        <input type="text" placeholder=move || t_string!(i18n, fleet.key_placeholder) aria-label=move || t_string!(i18n, fleet.tag_key) data-testid="wiz-tag-key"
                            prop:value=move || tags.get().get(i).map(|t| t.0.clone()).unwrap_or_default()
                            on:input=move |ev| tags.update(|t| if let Some(x) = t.get_mut(i) { x.0 = event_target_value(&ev) }) />
                        <input type="text" placeholder=move || t_string!(i18n, fleet.value_placeholder) aria-label=move || t_string!(i18n, fleet.tag_value) data-testid="wiz-tag-value"
                            prop:value=move || tags.get().get(i).map(|t| t.1.clone()).unwrap_or_default()
                            on:input=move |ev| tags.update(|t| if let Some(x) = t.get_mut(i) { x.1 = event_target_value(&ev) }) />
                        <button type="button" class="small" on:click=move |_| tags.update(|t| { if i < t.len() { t.remove(i); } })>{t!(i18n, fleet.remove)}</button>
                    </div>
                }).collect_view()}
                <button type="button" class="small" data-testid="wiz-add-tag" disabled=move || 20 <= tags.get().len()
                    on:click=move |_| tags.update(|t| t.push((String::new(), String::new())))>{t!(i18n, fleet.add_tag)}</button>
            </div>
            {field_hint("Tags", Signal::derive(move || {
                let r = request();
                let mut seen = std::collections::HashSet::new();
                r.tags.iter().find_map(|(k, v)| tag_problem(k, v).or_else(|| (!seen.insert(k.clone())).then(|| t_string!(i18n, fleet.key_twice, key = k))))
            }), move || t_string!(i18n, fleet.tags_hint))}
            <label><span>{t!(i18n, fleet.resource_group)}</span>
                <input type="text" class="mono" data-testid="wiz-resource-group" placeholder="rg-…" maxlength="64"
                    prop:value=move || resource_group.get() on:input=move |ev| resource_group.set(event_target_value(&ev)) />
            </label>
            {field_hint("Resource group", Signal::derive(move || {
                let g = resource_group.get();
                let g = g.trim();
                if g.is_empty() { None } else { resource_group_problem(g) }
            }), move || t_string!(i18n, fleet.resource_group_hint))}
            <label class="check"><input type="checkbox" data-testid="wiz-tde"
                prop:checked=move || tde.get()
                on:change=move |ev| tde.set(event_target_checked(&ev)) />
                <span>{t!(i18n, fleet.tde_label)}</span>
            </label>
            <p class="field-hint">{move || if tde.get() {
                view! { <span class="field-warning" data-testid="wiz-tde-warning">{t!(i18n, fleet.tde_warning)}</span> }.into_any()
            } else {
                view! { <span class="muted">{t!(i18n, fleet.tde_hint)}</span> }.into_any()
            }}</p>
        </fieldset>
    }
    .into_any()
}

/// Step 5: the answers the ClientToken was made for, as they will be sent.
pub(super) fn summary(
    i18n: I18nContext<Locale>,
    token: RwSignal<(String, CreateRequest)>,
) -> impl IntoView {
    let r = token.get().1;
    view! {
        <section class="panel wizard-summary" data-testid="wiz-summary">
            <h2>{t!(i18n, fleet.step_summary)}</h2>
            <dl class="kv">
                {(!r.source.is_empty()).then(|| view! {
                    <dt>{t!(i18n, fleet.data)}</dt><dd data-testid="sum-source">{format!("{} · {}", r.source, point_label(&r.point))}</dd>
                })}
                <dt>{t!(i18n, fleet.cloud_account)}</dt><dd data-testid="sum-account">{r.account.clone()}</dd>
                <dt>{t!(i18n, fleet.region_and_zone)}</dt><dd data-testid="sum-zone">{format!("{} · {}", r.region, r.zone)}</dd>
                <dt>{t!(i18n, fleet.col_engine)}</dt><dd data-testid="sum-engine">{format!("PostgreSQL {}", r.version)}</dd>
                <dt>{t!(i18n, fleet.node_class)}</dt><dd class="mono" data-testid="sum-class">{t_string!(i18n, fleet.class_with_nodes, class = &r.class)}</dd>
                <dt>{t!(i18n, fleet.network)}</dt><dd class="mono">{if r.vpc.is_empty() { t_string!(i18n, fleet.default_vpc).to_string() } else { format!("{} / {}", r.vpc, r.vswitch) }}</dd>
                <dt>{t!(i18n, fleet.col_billing)}</dt><dd data-testid="sum-billing">{
                    if r.pay_type == "Prepaid" {
                        let n = &r.used_time;
                        let length = match (r.period == "Year", r.used_time == "1") {
                            (true, true) => t_string!(i18n, fleet.n_year, n = n),
                            (true, false) => t_string!(i18n, fleet.n_years, n = n),
                            (false, true) => t_string!(i18n, fleet.n_month, n = n),
                            (false, false) => t_string!(i18n, fleet.n_months, n = n),
                        };
                        let renew = if r.auto_renew { t_string!(i18n, fleet.renews_automatically) } else { t_string!(i18n, fleet.renewed_by_hand) };
                        format!("{} · {} · {}", pay_type_label(&r.pay_type), length, renew)
                    } else { pay_type_label(&r.pay_type).to_string() }
                }</dd>
                <dt>{t!(i18n, fleet.whitelist)}</dt><dd class="mono" data-testid="sum-whitelist">{match ip_list(&r.security_ips) {
                    Ok(l) if !l.is_empty() => l.join(", "),
                    _ => t_string!(i18n, fleet.service_default).to_string(),
                }}</dd>
                <dt>{t!(i18n, fleet.encryption_tde)}</dt><dd data-testid="sum-tde">{if r.tde { t_string!(i18n, fleet.tde_on) } else { t_string!(i18n, fleet.tde_off) }}</dd>
                <dt>{t!(i18n, fleet.resource_group)}</dt><dd class="mono">{if r.resource_group.is_empty() { t_string!(i18n, fleet.default_group).to_string() } else { r.resource_group.clone() }}</dd>
                <dt>{t!(i18n, fleet.description)}</dt><dd data-testid="sum-description">{if r.description.is_empty() { "—".to_string() } else { r.description.clone() }}</dd>
                <dt>{t!(i18n, fleet.tags)}</dt><dd>{if r.tags.is_empty() { "—".to_string() } else { r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ") }}</dd>
                <dt>"ClientToken"</dt><dd class="mono muted" data-testid="sum-token">{token.get().0}</dd>
            </dl>
            <p class="muted small-print">{t!(i18n, fleet.token_note)}</p>
        </section>
    }
}
