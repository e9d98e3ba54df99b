//! `/audit`: the audit trail, filtered, paged by key, exportable. Changes and security
//! events by default; reads behind a switch, with how many there were each day.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::admin::vault_api::search_audit;
use crate::kit::{Empty, ErrorBox, Loading};

const FIELDS: &[(&str, &str)] = &[
    ("user", "User"),
    ("action", "Action"),
    ("account", "Cloud account"),
    ("cluster", "Cluster"),
];

#[component]
pub fn AuditPage() -> impl IntoView {
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
        <Title text="Audit trail" />
        <div class="page-head">
            <h1>"Audit trail"</h1>
            <p class="muted">"Every proxied call and security event, in one hash chain that `polar-console audit verify` checks."</p>
        </div>
        <form class="filters" method="get" action="/audit">
            {FIELDS.iter().map(|(k, label)| view! {
                <label><span>{*label}</span><input type="text" name=*k value=move || q(k).unwrap_or_default() /></label>
            }).collect_view()}
            <label><span>"Kind"</span>
                <select name="kind" data-testid="audit-kind">
                    {[("", "changes and security"), ("write", "changes"), ("security", "security"), ("read", "reads")].into_iter().map(|(k, label)| view! {
                        <option value=k selected=move || q("kind").unwrap_or_default() == k>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || q("change").map(|c| view! {
                <input type="hidden" name="change" value=c.clone() />
                <span class="badge" data-testid="audit-change">"change " <a class="mono" href=format!("/changes/{c}")>{c.clone()}</a>
                    " " <a href=address(&[("change", String::new()), ("before", String::new())]) title="All records">"×"</a></span>
            })}
            <label class="inline-choice"><input type="checkbox" name="reads" value="1" data-testid="audit-reads"
                checked=move || q("reads").is_some() />"Include reads"</label>
            <label><span>"Outcome"</span>
                <select name="outcome">
                    {["", "ok", "error", "denied", "intent", "unknown"].into_iter().map(|o| view! {
                        <option value=o selected=move || q("outcome").unwrap_or_default() == o>{if o.is_empty() { "any" } else { o }}</option>
                    }).collect_view()}
                </select>
            </label>
            <label><span>"From (UTC)"</span><input type="datetime-local" name="from" value=move || q("from").unwrap_or_default() /></label>
            <label><span>"To (UTC)"</span><input type="datetime-local" name="to" value=move || q("to").unwrap_or_default() /></label>
            <button type="submit" class="small">"Filter"</button>
            <a class="small-link" href=move || export("csv") rel="external">"Export CSV"</a>
            <a class="small-link" href=move || export("json") rel="external">"Export JSON"</a>
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
                                    {if days.is_empty() { "Reads are left out (none in the last 7 days). ".to_string() } else { format!("Reads are left out ({days}). ") }}
                                    <a href=address(&[("reads", "1".to_string()), ("before", String::new())]) data-testid="show-reads">"Show reads"</a>
                                </p>
                            }
                        });
                        if p.items.is_empty() {
                            return view! { {reads_note} <Empty title="No records match." /> }.into_any();
                        }
                        view! {
                            {reads_note}
                            {(!p.all_users).then(|| view! { <p class="muted">"You see your own records."</p> })}
                            <div class="table-wrap">
                            <table class="grid" data-testid="audit-table">
                                <thead><tr><th>"#"</th><th>"Time"</th><th>"User"</th><th>"Action"</th><th>"Resource"</th><th>"Outcome"</th><th>"Detail"</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|r| view! {
                                        <tr data-seq=r.seq>
                                            <td class="mono">{r.seq}</td>
                                            <td class="mono">{r.at.clone()}</td>
                                            <td>{r.actor.clone()}<div class="muted">{r.auth_method.clone()}" · "{r.client_addr.clone()}</div></td>
                                            <td>{r.action.clone()}<div class="muted">{r.kind.clone()}" · "{r.cloud_account.clone()}" "{r.region.clone()}</div></td>
                                            <td class="small" data-testid="audit-resource">
                                                {r.links.iter().map(|l| view! { <div><a href=l.href.clone()>{l.label.clone()}</a></div> }).collect_view()}
                                            </td>
                                            <td><span class=match r.outcome.as_str() { "ok" => "badge badge-ok", "intent" => "badge", "unknown" => "badge badge-busy", _ => "badge badge-bad" }>{r.outcome.clone()}</span></td>
                                            <td>
                                                <details>
                                                    <summary class="small-link">"Details"</summary>
                                                    <dl class="kv">
                                                        <dt>"Event id"</dt><dd class="mono">{r.id.clone()}</dd>
                                                        <dt>"Request id"</dt><dd class="mono">{r.request_id.clone()}</dd>
                                                        <dt>"User agent"</dt><dd class="mono">{r.user_agent.clone()}</dd>
                                                        <dt>"HTTP status"</dt><dd>{r.http_status.map(|s| s.to_string()).unwrap_or_default()}</dd>
                                                        <dt>"Upstream error"</dt><dd>{r.error.clone()}</dd>
                                                        <dt>"Upstream RequestId"</dt><dd class="mono">{r.upstream_request_id.clone()}</dd>
                                                        <dt>"ClientToken"</dt><dd class="mono">{r.client_token.clone()}</dd>
                                                        <dt>"Attempts / latency"</dt><dd>{r.attempts.map(|a| a.to_string()).unwrap_or_default()}" / "{r.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default()}</dd>
                                                        <dt>"Resource"</dt><dd class="mono">{r.resource.clone()}</dd>
                                                        <dt>"Request sent (secrets redacted)"</dt><dd><pre class="mono policy">{r.params.clone()}</pre></dd>
                                                    </dl>
                                                </details>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            {next.map(|n| view! { <p><a class="button" href=address(&[("before", n.to_string())])>"Older records →"</a></p> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
