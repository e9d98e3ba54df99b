//! `/audit`: the audit trail, filtered, paged by key, exportable. Changes and security
//! events by default; reads behind a switch, with how many there were each day.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::admin::vault_api::search_audit;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::kit::{api_word, Empty, ErrorBox, Loading};

const FIELDS: &[&str] = &["user", "action", "account", "cluster"];

/// A text filter's label, in the language in use.
fn field_label(i18n: leptos_i18n::I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "user" => t_string!(i18n, admin.user),
        "action" => t_string!(i18n, admin.action),
        "account" => t_string!(i18n, admin.cloud_account),
        _ => t_string!(i18n, admin.cluster),
    }
}

/// A choice of the kind filter, in the language in use.
fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "write" => t_string!(i18n, admin.audit_kind_changes),
        "security" => t_string!(i18n, admin.audit_kind_security),
        "read" => t_string!(i18n, admin.audit_kind_reads),
        _ => t_string!(i18n, admin.audit_kind_default),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let key = move || {
        (
            q("user"),
            q("action"),
            q("account"),
            q("cluster"),
            q("outcome"),
            q("from"),
            q("to"),
            q("before").and_then(|b| b.parse::<i64>().ok()),
            q("kind"),
            q("reads"),
            q("change"),
        )
    };
    let page = Resource::new(key, |(u, a, c, cl, o, f, t, b, k, r, ch)| {
        search_audit(u, a, c, cl, o, f, t, b, k, r, ch)
    });
    // The page's address with `extra` set (the filters kept).
    let address = move |extra: &[(&str, String)]| {
        let q = query.read();
        let mut parts: Vec<String> = [
            "user", "action", "account", "cluster", "outcome", "from", "to", "kind", "reads",
            "change",
        ]
        .iter()
        .filter(|k| !extra.iter().any(|(e, _)| e == *k))
        .filter_map(|k| {
            q.get(k)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", crate::kit::url_encode(&v)))
        })
        .collect();
        parts.extend(
            extra
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", crate::kit::url_encode(v))),
        );
        format!("/audit?{}", parts.join("&"))
    };
    let export = move |format: &str| {
        let q = query.read();
        let mut parts = vec![format!("format={format}")];
        for k in [
            "user", "action", "account", "cluster", "outcome", "from", "to", "kind", "change",
        ] {
            if let Some(v) = q.get(k).filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", v.replace('&', "%26").replace(' ', "%20")));
            }
        }
        format!("/audit/export?{}", parts.join("&"))
    };
    view! {
        <Title text=move || t_string!(i18n, admin.audit_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, admin.audit_title)}</h1>
            <p class="muted">{t!(i18n, admin.audit_lead)}</p>
        </div>
        <form class="filters" method="get" action="/audit">
            {FIELDS.iter().map(|k| view! {
                <label><span>{move || field_label(i18n, k)}</span><input type="text" name=*k value=move || q(k).unwrap_or_default() /></label>
            }).collect_view()}
            <label><span>{t!(i18n, admin.audit_kind)}</span>
                <select name="kind" data-testid="audit-kind">
                    {["", "write", "security", "read"].into_iter().map(|k| view! {
                        <option value=k selected=move || q("kind").unwrap_or_default() == k>{move || kind_label(i18n, k)}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || q("change").map(|c| view! {
                <input type="hidden" name="change" value=c.clone() />
                <span class="badge" data-testid="audit-change">{t!(i18n, admin.audit_change)}" " <a class="mono" href=format!("/changes/{c}")>{c.clone()}</a>
                    " " <a href=address(&[("change", String::new()), ("before", String::new())]) title=move || t_string!(i18n, admin.audit_all_records)>"×"</a></span>
            })}
            <label class="inline-choice"><input type="checkbox" name="reads" value="1" data-testid="audit-reads"
                checked=move || q("reads").is_some() />{t!(i18n, admin.audit_include_reads)}</label>
            <label><span>{t!(i18n, admin.audit_outcome)}</span>
                <select name="outcome">
                    {["", "ok", "error", "denied", "intent", "unknown"].into_iter().map(|o| view! {
                        <option value=o selected=move || q("outcome").unwrap_or_default() == o>{move || if o.is_empty() { t_string!(i18n, admin.any).to_string() } else { api_word(o) }}</option>
                    }).collect_view()}
                </select>
            </label>
            <label><span>{t!(i18n, admin.audit_from)}</span><input type="datetime-local" name="from" value=move || q("from").unwrap_or_default() /></label>
            <label><span>{t!(i18n, admin.audit_to)}</span><input type="datetime-local" name="to" value=move || q("to").unwrap_or_default() /></label>
            <button type="submit" class="small">{t!(i18n, admin.audit_filter)}</button>
            <a class="small-link" href=move || export("csv") rel="external">{t!(i18n, admin.audit_export_csv)}</a>
            <a class="small-link" href=move || export("json") rel="external">{t!(i18n, admin.audit_export_json)}</a>
        </form>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(p) => {
                        let next = p.next;
                        let reads_note = (!p.reads_shown).then(|| {
                            let days = p.reads_per_day.iter().map(|(d, n)| format!("{d}: {n}")).collect::<Vec<_>>().join(" · ");
                            view! {
                                <p class="muted" data-testid="reads-hidden">
                                    {if days.is_empty() { t!(i18n, admin.audit_reads_left_out_none).into_any() } else { t!(i18n, admin.audit_reads_left_out, days = days.clone()).into_any() }}" "
                                    <a href=address(&[("reads", "1".to_string()), ("before", String::new())]) data-testid="show-reads">{t!(i18n, admin.audit_show_reads)}</a>
                                </p>
                            }
                        });
                        if p.items.is_empty() {
                            return view! { {reads_note} {move || view! { <Empty title=t_string!(i18n, admin.audit_empty) /> }} }.into_any();
                        }
                        view! {
                            {reads_note}
                            {(!p.all_users).then(|| view! { <p class="muted">{t!(i18n, admin.audit_own_records)}</p> })}
                            <div class="table-wrap">
                            <table class="grid" data-testid="audit-table">
                                <thead><tr><th>"#"</th><th>{t!(i18n, admin.audit_time)}</th><th>{t!(i18n, admin.user)}</th><th>{t!(i18n, admin.action)}</th><th>{t!(i18n, admin.audit_resource)}</th><th>{t!(i18n, admin.audit_outcome)}</th><th>{t!(i18n, admin.audit_detail)}</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|r| { let (kind, outcome) = (r.kind.clone(), r.outcome.clone()); view! {
                                        <tr data-seq=r.seq>
                                            <td class="mono">{r.seq}</td>
                                            <td class="mono">{r.at.clone()}</td>
                                            <td data-data="">{r.actor.clone()}<div class="muted">{r.auth_method.clone()}" · "{r.client_addr.clone()}</div></td>
                                            <td data-data="">{r.action.clone()}<div class="muted">{move || api_word(&kind)}" · "{r.cloud_account.clone()}" "{r.region.clone()}</div></td>
                                            <td class="small" data-testid="audit-resource">
                                                {r.links.iter().map(|l| view! { <div><a href=l.href.clone()>{l.label.clone()}</a></div> }).collect_view()}
                                            </td>
                                            <td><span class=match r.outcome.as_str() { "ok" => "badge badge-ok", "intent" => "badge", "unknown" => "badge badge-busy", _ => "badge badge-bad" }>{move || api_word(&outcome)}</span></td>
                                            <td>
                                                <details>
                                                    <summary class="small-link">{t!(i18n, admin.audit_details)}</summary>
                                                    <dl class="kv">
                                                        <dt>{t!(i18n, admin.audit_event_id)}</dt><dd class="mono">{r.id.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_request_id)}</dt><dd class="mono">{r.request_id.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_user_agent)}</dt><dd class="mono">{r.user_agent.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_http_status)}</dt><dd>{r.http_status.map(|s| s.to_string()).unwrap_or_default()}</dd>
                                                        <dt>{t!(i18n, admin.audit_upstream_error)}</dt><dd>{r.error.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_upstream_request_id)}</dt><dd class="mono">{r.upstream_request_id.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_client_token)}</dt><dd class="mono">{r.client_token.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_attempts_latency)}</dt><dd>{r.attempts.map(|a| a.to_string()).unwrap_or_default()}" / "{r.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default()}</dd>
                                                        <dt>{t!(i18n, admin.audit_resource)}</dt><dd class="mono">{r.resource.clone()}</dd>
                                                        <dt>{t!(i18n, admin.audit_request_sent)}</dt><dd><pre class="mono policy">{r.params.clone()}</pre></dd>
                                                    </dl>
                                                </details>
                                            </td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            {next.map(|n| view! { <p><a class="button" href=address(&[("before", n.to_string())])>{t!(i18n, admin.audit_older)}</a></p> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
