//! `/renewals`: the renewal settings of every subscription cluster, across every cloud
//! account and region the user can see (DescribeAutoRenewAttribute, 6.10.2), and one change
//! for several of them at once (ModifyAutoRenewAttribute, 6.10.1, whose DBClusterIds takes
//! a list): one call per account and region, at most 100 clusters a call, one result line
//! each. A region whose read fails is named in a banner; the others still show.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::kit::outcomes::{outcomes_view, problems_view, RegionOutcome};
use crate::kit::{cluster_href, use_hydrated, waiting, Empty, ErrorBox, Loading};
use crate::AppError;
use polardb::rules::renewal_problem;

/// The most clusters one ModifyAutoRenewAttribute call names.
pub const PER_CALL: usize = 100;

/// One subscription cluster's renewal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub account: String,
    pub region: String,
    pub id: String,
    /// AutoRenewal, Normal or NotRenewal.
    pub status: String,
    pub duration: i64,
    pub unit: String,
    /// The user's role allows changing it.
    pub can: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalView {
    pub rows: Vec<Renewal>,
    pub problems: Vec<RegionProblem>,
}

/// A cluster a change is for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    pub account: String,
    pub region: String,
    pub id: String,
}

/// One renewal setting for several clusters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalChange {
    pub targets: Vec<Target>,
    pub status: String,
    pub duration: String,
    pub unit: String,
}

/// The calls a change makes: per account and region, its clusters in lists of at most
/// [`PER_CALL`].
pub fn batches(targets: &[Target]) -> Vec<(String, String, Vec<String>)> {
    let mut sorted = targets.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
    for t in sorted {
        match out.last_mut() {
            Some((a, r, ids)) if *a == t.account && *r == t.region && ids.len() < PER_CALL => {
                ids.push(t.id)
            }
            _ => out.push((t.account, t.region, vec![t.id])),
        }
    }
    out
}

use crate::kit::words::locale as locale_here;

/// The renewal settings in words.
pub fn renewal_label(status: &str, duration: i64, unit: &str) -> String {
    let locale = locale_here();
    match status {
        "AutoRenewal" => {
            let one = duration == 1;
            let unit = match unit {
                "Month" if one => td_string!(locale, fleet_ops.rn_unit_month).to_string(),
                "Month" => td_string!(locale, fleet_ops.rn_unit_months).to_string(),
                "Year" if one => td_string!(locale, fleet_ops.rn_unit_year).to_string(),
                "Year" => td_string!(locale, fleet_ops.rn_unit_years).to_string(),
                other => format!("{}{}", other.to_lowercase(), if one { "" } else { "s" }),
            };
            td_string!(locale, fleet_ops.rn_renews_auto, n = duration, unit = unit).to_string()
        }
        "Normal" => td_string!(locale, fleet_ops.rn_renewed_by_hand).to_string(),
        "NotRenewal" => td_string!(locale, fleet_ops.rn_not_renewed).to_string(),
        other => other.to_string(),
    }
}

/// Every subscription cluster's renewal in the accounts and regions the user can see
/// (optionally one account or region).
#[server(input = server_fn::codec::Json)]
pub async fn renewals(account: String, region: String) -> Result<RenewalView, AppError> {
    let ctx = crate::api::console_context().await?;
    let api = crate::call::Api::signed_in().await?;
    let mut view = RenewalView::default();
    for a in ctx
        .accounts
        .iter()
        .filter(|a| account.is_empty() || **a == account)
    {
        for r in ctx
            .regions
            .iter()
            .filter(|r| region.is_empty() || **r == region)
        {
            let can = crate::api::permissions(
                a.clone(),
                r.clone(),
                None,
                vec!["polardb:ModifyAutoRenewAttribute".into()],
            )
            .await
            .map(|p| !p.is_empty())
            .unwrap_or(false);
            // Every page (one the role filter emptied is read past).
            let listed = polardb::client::collect_pages(100, |page, size| {
                let api = &api;
                async move {
                    let body = api
                        .call(
                            a,
                            r,
                            &polardb::models::DescribeAutoRenewAttribute {
                                region_id: r.clone(),
                                page_size: Some(size),
                                page_number: Some(page),
                                ..Default::default()
                            },
                        )
                        .await?;
                    let total = u64::try_from(body.total_record_count).unwrap_or(0);
                    Ok::<_, AppError>((body.items.auto_renew_attribute, total))
                }
            })
            .await;
            match listed {
                Ok(items) => view.rows.extend(items.into_iter().map(|x| Renewal {
                    account: a.clone(),
                    region: r.clone(),
                    id: x.db_cluster_id,
                    status: x.renewal_status,
                    duration: x.duration,
                    unit: x.period_unit,
                    can,
                })),
                Err(e) => view.problems.push(RegionProblem::of(a, r, e)),
            }
        }
    }
    Ok(view)
}

/// Sets the renewal of several clusters: one ModifyAutoRenewAttribute per account and
/// region (and per 100 clusters), each decided and audited on its own.
#[server(input = server_fn::codec::Json)]
pub async fn set_renewals(change: RenewalChange) -> Result<Vec<RegionOutcome>, AppError> {
    let locale = crate::api::ssr::request_locale();
    if let Some(p) = renewal_problem(&change.status, &change.duration, &change.unit) {
        return Err(crate::error::invalid("Renewal", p));
    }
    if change.targets.is_empty() {
        return Err(crate::error::invalid(
            "Clusters",
            td_string!(locale, fleet_ops.rn_choose_at_least_one),
        ));
    }
    if change.targets.len() > 10 * PER_CALL {
        return Err(crate::error::invalid(
            "Clusters",
            td_string!(locale, fleet_ops.rn_at_most, n = 10 * PER_CALL).to_string(),
        ));
    }
    let auto = change.status == "AutoRenewal";
    let api = crate::call::Api::signed_in().await?;
    let mut out = Vec::new();
    for (account, region, ids) in batches(&change.targets) {
        let n = ids.len();
        let answer = api
            .call(
                &account,
                &region,
                &polardb::models::ModifyAutoRenewAttribute {
                    region_id: region.clone(),
                    db_cluster_ids: ids.join(","),
                    renewal_status: Some(change.status.clone()),
                    duration: auto.then(|| change.duration.trim().to_string()),
                    period_unit: auto.then(|| change.unit.clone()),
                    ..Default::default()
                },
            )
            .await;
        out.push(match answer {
            Ok(a) => RegionOutcome {
                account,
                region,
                ok: true,
                detail: if n == 1 {
                    td_string!(locale, fleet_ops.rn_changed_one, n = n).to_string()
                } else {
                    td_string!(locale, fleet_ops.rn_changed_many, n = n).to_string()
                },
                code: String::new(),
                request_id: a.request_id,
            },
            Err(e) => {
                let p = RegionProblem::of(&account, &region, e);
                RegionOutcome {
                    account,
                    region,
                    ok: false,
                    detail: p.message,
                    code: p.code,
                    request_id: p.request_id,
                }
            }
        });
    }
    Ok(out)
}

/// `/renewals`.
#[component]
pub fn RenewalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let scope = crate::kit::top_bar_scope();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (scope.get(), reload.get()),
        |((a, r), _)| renewals(a.unwrap_or_default(), r.unwrap_or_default()),
    );
    let chosen = RwSignal::new(Vec::<Target>::new());
    let status = RwSignal::new("AutoRenewal".to_string());
    let duration = RwSignal::new("1".to_string());
    let unit = RwSignal::new("Month".to_string());
    let apply = ServerAction::<SetRenewals>::new();
    let hydrated = use_hydrated();
    Effect::new(move |_| {
        if let Some(Ok(_)) = apply.value().get() {
            chosen.set(Vec::new());
            reload.update(|n| *n += 1);
        }
    });
    let problem = move || {
        renewal_problem(&status.get(), &duration.get(), &unit.get()).or_else(|| {
            chosen
                .with(|c| c.is_empty())
                .then(|| t_string!(i18n, fleet_ops.rn_choose_clusters).to_string())
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if problem().is_some() {
            return;
        }
        apply.dispatch(SetRenewals {
            change: RenewalChange {
                targets: chosen.get_untracked(),
                status: status.get_untracked(),
                duration: duration.get_untracked(),
                unit: unit.get_untracked(),
            },
        });
    };
    view! {
        <Title text=move || t_string!(i18n, fleet_ops.rn_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, fleet_ops.rn_title)}</h1>
            <p class="muted">{t!(i18n, fleet_ops.rn_lead)}</p>
        </div>
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet_ops.rn_loading) /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let rows = v.rows.clone();
                let changeable: Vec<Target> = rows.iter().filter(|r| r.can).map(|r| Target {
                    account: r.account.clone(), region: r.region.clone(), id: r.id.clone(),
                }).collect();
                let body = if rows.is_empty() {
                    view! { <Empty title=t_string!(i18n, fleet_ops.rn_none) hint=t_string!(i18n, fleet_ops.rn_none_hint) /> }.into_any()
                } else {
                    let all = changeable.clone();
                    view! {
                        <div class="table-wrap">
                            <table class="grid" data-testid="renewal-table">
                                <thead><tr>
                                    <th><input type="checkbox" aria-label=move || t_string!(i18n, fleet_ops.rn_all) data-testid="renewal-all"
                                        title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                        prop:checked=move || !all.is_empty() && chosen.with(|c| c.len() == all.len())
                                        on:change={
                                            let all = changeable.clone();
                                            move |ev| chosen.set(if event_target_checked(&ev) { all.clone() } else { Vec::new() })
                                        } /></th>
                                    <th>{t!(i18n, fleet_ops.col_cluster)}</th><th>{t!(i18n, fleet_ops.col_cloud_account)}</th><th>{t!(i18n, fleet_ops.col_region)}</th><th>{t!(i18n, fleet_ops.rn_col_renewal)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let t = Target { account: r.account.clone(), region: r.region.clone(), id: r.id.clone() };
                                        let t2 = t.clone();
                                        let id = r.id.clone();
                                        let (status, duration, unit) = (r.status.clone(), r.duration, r.unit.clone());
                                        view! {
                                            <tr data-cluster-id=r.id.clone() data-status=r.status.clone()>
                                                <td>{r.can.then(|| view! {
                                                    <input type="checkbox" aria-label=move || t_string!(i18n, fleet_ops.rn_choose, id = id.clone()).to_string() data-testid="renewal-pick"
                                                        title=move || waiting(hydrated) disabled=move || !hydrated.get()
                                                        prop:checked=move || chosen.with(|c| c.contains(&t))
                                                        on:change={
                                                            let t = t2.clone();
                                                            move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                chosen.update(|c| { c.retain(|x| *x != t); if on { c.push(t.clone()); } });
                                                            }
                                                        } />
                                                })}</td>
                                                <td><a class="mono" href=cluster_href(&r.id, &r.account, &r.region, "")>{r.id.clone()}</a></td>
                                                <td>{r.account.clone()}</td>
                                                <td>{r.region.clone()}</td>
                                                <td data-testid="renewal-label">{move || renewal_label(&status, duration, &unit)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                };
                view! {
                    {problems_view(v.problems.clone())}
                    {body}
                }.into_any()
            })}
        </Transition>
        <form class="panel stack-form" data-testid="renewal-form" on:submit=submit>
            <h2>{move || {
                let n = chosen.with(Vec::len);
                if n == 1 {
                    t_string!(i18n, fleet_ops.rn_set_heading_one, n = n).to_string()
                } else {
                    t_string!(i18n, fleet_ops.rn_set_heading_many, n = n).to_string()
                }
            }}</h2>
            <div class="wizard-row">
                <label><span>{t!(i18n, fleet_ops.rn_col_renewal)}</span>
                    <select data-testid="renewal-status" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="AutoRenewal" selected=move || status.get() == "AutoRenewal">{t!(i18n, fleet_ops.rn_opt_auto)}</option>
                        <option value="Normal" selected=move || status.get() == "Normal">{t!(i18n, fleet_ops.rn_opt_hand)}</option>
                        <option value="NotRenewal" selected=move || status.get() == "NotRenewal">{t!(i18n, fleet_ops.rn_opt_not)}</option>
                    </select>
                </label>
                {move || (status.get() == "AutoRenewal").then(|| view! {
                    <label><span>{t!(i18n, fleet_ops.rn_for)}</span>
                        <input type="number" min="1" max="12" data-testid="renewal-duration"
                            prop:value=move || duration.get() on:input=move |ev| duration.set(event_target_value(&ev)) />
                    </label>
                    <label><span>{t!(i18n, fleet_ops.rn_unit)}</span>
                        <select data-testid="renewal-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                            <option value="Month" selected=move || unit.get() == "Month">{t!(i18n, fleet_ops.rn_opt_months)}</option>
                            <option value="Year" selected=move || unit.get() == "Year">{t!(i18n, fleet_ops.rn_opt_years)}</option>
                        </select>
                    </label>
                })}
            </div>
            <p class="field-hint">{move || match problem() {
                Some(p) => view! { <span class="field-error" data-testid="renewal-problem">{crate::kit::problem_line("", &p)}</span> }.into_any(),
                None => view! { <span class="muted">{t!(i18n, fleet_ops.rn_hint)}</span> }.into_any(),
            }}</p>
            {crate::kit::change_error(apply.value())}
            {move || apply.value().get().and_then(|r| r.ok()).map(|list| outcomes_view(list, "renewal-outcomes"))}
            <div class="wizard-actions">
                <button type="submit" class="primary" data-testid="renewal-apply"
                    title=move || waiting(hydrated)
                    disabled=move || !hydrated.get() || problem().is_some() || apply.pending().get()>
                    {move || if apply.pending().get() { t_string!(i18n, fleet_ops.rn_applying) } else { t_string!(i18n, fleet_ops.rn_apply) }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_one_call_per_place_and_hundred_clusters() {
        let t = |a: &str, r: &str, id: String| Target {
            account: a.into(),
            region: r.into(),
            id,
        };
        let mut targets: Vec<Target> = (0..150)
            .map(|i| t("a", "cn-hangzhou", format!("pc-{i:03}")))
            .collect();
        targets.push(t("a", "cn-shanghai", "pc-x".into()));
        targets.push(t("b", "cn-hangzhou", "pc-y".into()));
        targets.push(t("a", "cn-shanghai", "pc-x".into()));
        let calls = batches(&targets);
        let sizes: Vec<(&str, &str, usize)> = calls
            .iter()
            .map(|(a, r, ids)| (a.as_str(), r.as_str(), ids.len()))
            .collect();
        assert_eq!(
            sizes,
            vec![
                ("a", "cn-hangzhou", 100),
                ("a", "cn-hangzhou", 50),
                ("a", "cn-shanghai", 1),
                ("b", "cn-hangzhou", 1),
            ]
        );
        assert_eq!(
            renewal_label("AutoRenewal", 3, "Month"),
            "renews automatically for 3 months"
        );
        assert_eq!(renewal_label("Normal", 1, "Month"), "renewed by hand");
    }
}
