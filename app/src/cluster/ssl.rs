//! `/clusters/:id/ssl`: SSL encryption (DescribeDBClusterSSL / ModifyDBClusterSSL, API
//! reference 7.2) per endpoint, with the protected connection string and the certificate's
//! expiry counted down in days; and SQL collection (DescribeDBClusterAuditLogCollector /
//! ModifyDBClusterAuditLogCollector, chapter 11) on the same security tab. Turning SSL on
//! or off, or renewing the CA, restarts the cluster: the confirmation says so first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::section_reload;
use crate::cluster::frame::ClusterCtx;
use crate::kit::{
    change_error, human_time, waiting, ConfirmDialog, ErrorBox, Loading, StatusBadge,
};
use crate::AppError;

/// A certificate closer than this to its expiry is shown as a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

pub use polardb::rules::read_time as parse_utc;

/// Whole days from `now` until `expiry` (negative once expired); `None` without an expiry.
pub fn days_left(expiry: &str, now: i64) -> Option<i64> {
    let at = parse_utc(expiry)?;
    Some((at - now).div_euclid(86_400))
}

/// The countdown as a person reads it.
pub fn countdown(days: Option<i64>) -> String {
    match days {
        None => "—".into(),
        Some(d) if d < 0 => format!("expired {} day{} ago", -d, if d == -1 { "" } else { "s" }),
        Some(0) => "expires today".into(),
        Some(1) => "1 day left".into(),
        Some(d) => format!("{d} days left"),
    }
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SslEndpoint {
    pub endpoint: String,
    pub connection_string: String,
    pub enabled: bool,
    pub expire_time: String,
    pub days_left: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityData {
    pub endpoints: Vec<SslEndpoint>,
    pub auto_rotate: String,
    /// `Enable` or `Disabled`, as DescribeDBClusterAuditLogCollector says.
    pub collector: String,
    pub can_ssl: bool,
    pub can_collector: bool,
}

#[cfg(feature = "ssr")]
use crate::error::invalid;

/// SSL per endpoint and the SQL collection state of a cluster.
#[server]
pub async fn security_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<SecurityData, AppError> {
    use crate::call::{may, Api};
    use crate::cluster::frame::locate;
    use polardb::models as m;
    let (account, region) = locate(account, region, &cluster).await?;
    let api = Api::signed_in().await?;
    let ssl = api
        .call(
            &account,
            &region,
            &m::DescribeDBClusterSSL {
                db_cluster_id: cluster.clone(),
            },
        )
        .await?;
    let collector = api
        .call(
            &account,
            &region,
            &m::DescribeDBClusterAuditLogCollector {
                db_cluster_id: cluster.clone(),
            },
        )
        .await?;
    let allowed = may(
        &account,
        &region,
        &cluster,
        &["ModifyDBClusterSSL", "ModifyDBClusterAuditLogCollector"],
    )
    .await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    Ok(SecurityData {
        endpoints: ssl
            .items
            .into_iter()
            .map(|i| SslEndpoint {
                enabled: i.ssl_enabled == "Enabled",
                days_left: days_left(&i.ssl_expire_time, now),
                endpoint: i.db_endpoint_id,
                connection_string: i.ssl_connection_string,
                expire_time: i.ssl_expire_time,
            })
            .collect(),
        auto_rotate: ssl.ssl_auto_rotate,
        collector: collector.collector_status,
        can_ssl: allowed.iter().any(|a| a == "ModifyDBClusterSSL"),
        can_collector: allowed
            .iter()
            .any(|a| a == "ModifyDBClusterAuditLogCollector"),
    })
}

/// Turns SSL on or off, or renews the CA certificate (ModifyDBClusterSSL, SSLEnabled
/// Enable, Disable or Update); or turns automatic certificate rotation on or off
/// (`RotateEnable`, `RotateDisable`: SSLAutoRotate alone, no restart). For PolarDB for
/// PostgreSQL it applies to every endpoint; `endpoint` and `net_type` name one (PolarDB
/// for MySQL). Returns the RequestId.
#[server]
pub async fn modify_ssl(
    account: String,
    region: String,
    cluster: String,
    change: String,
    endpoint: String,
    net_type: String,
) -> Result<String, AppError> {
    let (ssl_enabled, ssl_auto_rotate) = match change.as_str() {
        "Enable" | "Disable" | "Update" => (Some(change), None),
        "RotateEnable" => (None, Some("Enable".to_string())),
        "RotateDisable" => (None, Some("Disable".to_string())),
        _ => {
            return Err(invalid(
                "SSL",
                "the change must be Enable, Disable, Update, RotateEnable or RotateDisable",
            ))
        }
    };
    let (db_endpoint_id, net_type) = if endpoint.is_empty() {
        (None, None)
    } else {
        if !["Public", "Private", "Inner"].contains(&net_type.as_str()) {
            return Err(invalid(
                "Network type",
                "must be Public, Private or Inner with an endpoint",
            ));
        }
        (Some(endpoint), Some(net_type))
    };
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyDBClusterSSL {
                db_cluster_id: cluster,
                ssl_enabled,
                db_endpoint_id,
                net_type,
                ssl_auto_rotate,
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// Turns SQL collection on or off (ModifyDBClusterAuditLogCollector, CollectorStatus
/// `Enable` or `Disabled` as the reference spells them). Returns the RequestId.
#[server]
pub async fn modify_collector(
    account: String,
    region: String,
    cluster: String,
    enable: bool,
) -> Result<String, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyDBClusterAuditLogCollector {
                db_cluster_id: cluster,
                collector_status: if enable { "Enable" } else { "Disabled" }.into(),
            },
        )
        .await?;
    Ok(answer.request_id)
}

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/ssl`.
#[component]
pub fn ClusterSslPage() -> impl IntoView {
    view! {
        <Security />
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    SslOn,
    SslOff,
    SslRenew,
    RotateOn,
    RotateOff,
    CollectorOn,
    CollectorOff,
}

#[component]
fn Security() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let hydrated = ctx.hydrated;
    let reload = section_reload(ctx);
    let data = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(s, _)| security_view(s.account, s.region, s.id),
    );
    let ssl = ServerAction::<ModifySsl>::new();
    let collector = ServerAction::<ModifyCollector>::new();
    let confirm = RwSignal::new(None::<Change>);
    let done = RwSignal::new(None::<String>);

    ctx.after_success(ssl.value(), move || {
        let rotation = matches!(
            confirm.get_untracked(),
            Some(Change::RotateOn | Change::RotateOff)
        );
        confirm.set(None);
        reload.update(|n| *n += 1);
        done.set(Some(if rotation {
            "Automatic certificate rotation was changed.".into()
        } else {
            "The SSL change was requested. The cluster shows SSL_MODIFYING while it restarts; this page follows it."
                .into()
        }));
    });
    ctx.after_success(collector.value(), move || {
        confirm.set(None);
        reload.update(|n| *n += 1);
        done.set(Some("SQL collection was changed.".into()));
    });

    let cluster = move || ctx.data.get().and_then(|r| r.ok());
    let busy = move || cluster().map(|d| !d.running()).unwrap_or(true);
    let open = move |c: Change| {
        ssl.value().set(None);
        collector.value().set(None);
        done.set(None);
        confirm.set(Some(c));
    };
    let send = move || {
        let (Some(d), Some(c)) = (cluster(), confirm.get_untracked()) else {
            return;
        };
        let (account, region, id) = (d.account, d.region, d.attr.db_cluster_id);
        match c {
            Change::SslOn
            | Change::SslOff
            | Change::SslRenew
            | Change::RotateOn
            | Change::RotateOff => {
                ssl.dispatch(ModifySsl {
                    account,
                    region,
                    cluster: id,
                    change: match c {
                        Change::SslOn => "Enable",
                        Change::SslOff => "Disable",
                        Change::RotateOn => "RotateEnable",
                        Change::RotateOff => "RotateDisable",
                        _ => "Update",
                    }
                    .into(),
                    endpoint: String::new(),
                    net_type: String::new(),
                });
            }
            Change::CollectorOn | Change::CollectorOff => {
                collector.dispatch(ModifyCollector {
                    account,
                    region,
                    cluster: id,
                    enable: c == Change::CollectorOn,
                });
            }
        }
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="security-done">{m}</div> })}
        <Transition fallback=|| view! { <Loading label="Reading SSL and SQL collection…" /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let any_on = v.endpoints.iter().any(|e| e.enabled);
                let any_off = v.endpoints.iter().any(|e| !e.enabled);
                let on = v.collector == "Enable";
                view! {
                    <section class="panel">
                        <div class="toolbar">
                            <h2>"SSL encryption"</h2>
                            <p class="muted" data-testid="ssl-summary">
                                {if any_on && !any_off { "On for every endpoint." } else if any_on { "On for some endpoints." } else { "Off: connections are not encrypted by the server." }}
                                " Automatic certificate rotation: "
                                <span data-testid="ssl-rotate">{if v.auto_rotate == "Enable" { "on" } else { "off" }}</span>"."
                            </p>
                            <div class="toolbar-actions">
                                {v.can_ssl.then(|| view! {
                                    {any_off.then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-enable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::SslOn)>"Turn SSL on"</button>
                                    })}
                                    {(any_on && v.auto_rotate != "Enable").then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-rotate-on"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::RotateOn)>"Rotate automatically"</button>
                                    })}
                                    {(v.auto_rotate == "Enable").then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-rotate-off"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::RotateOff)>"Stop automatic rotation"</button>
                                    })}
                                    {any_on.then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-update"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::SslRenew)>"Update CA certificate"</button>
                                        <button type="button" class="small danger" data-testid="ssl-disable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::SslOff)>"Turn SSL off"</button>
                                    })}
                                })}
                            </div>
                        </div>
                        <div class="table-wrap">
                            <table class="grid" data-testid="ssl-table">
                                <thead><tr><th>"Endpoint"</th><th>"SSL"</th><th>"Protected connection string"</th><th>"Certificate expires"</th></tr></thead>
                                <tbody>
                                    {v.endpoints.iter().map(|e| {
                                        let warn = e.days_left.is_some_and(|d| d < EXPIRY_WARNING_DAYS);
                                        view! {
                                            <tr data-endpoint=e.endpoint.clone() data-ssl=if e.enabled { "Enabled" } else { "Disabled" }>
                                                <td class="mono nowrap">{e.endpoint.clone()}</td>
                                                <td data-testid="ssl-status">{if e.enabled { "Enabled" } else { "Disabled" }}</td>
                                                <td class="mono">{if e.enabled && !e.connection_string.is_empty() { e.connection_string.clone() } else { "—".to_string() }}</td>
                                                <td>
                                                    <span class="mono">{if e.expire_time.is_empty() { "—".to_string() } else { human_time(&e.expire_time) }}</span>
                                                    {e.days_left.map(|_| view! {
                                                        " " <span class="badge" class:badge-bad=warn data-testid="ssl-countdown">{countdown(e.days_left)}</span>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small-print">"PolarDB for PostgreSQL turns SSL on or off for every endpoint at once. After turning it on or renewing the CA, download the CA certificate from the Alibaba Cloud console and give it to clients that verify the server (sslmode=verify-ca or verify-full)."</p>
                    </section>
                    <section class="panel">
                        <div class="toolbar">
                            <h2>"SQL collection"</h2>
                            <p class="muted">
                                "Audit log and SQL insight: "
                                <span data-testid="collector-status">{if on { "On" } else { "Off" }}</span>
                            </p>
                            <div class="toolbar-actions">
                                {v.can_collector.then(|| if on {
                                    view! {
                                        <button type="button" class="small danger" data-testid="collector-disable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::CollectorOff)>"Turn off"</button>
                                    }.into_any()
                                } else {
                                    view! {
                                        <button type="button" class="small" data-testid="collector-enable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::CollectorOn)>"Turn on"</button>
                                    }.into_any()
                                })}
                            </div>
                        </div>
                        <p class="muted small-print">"SQL collection records the statements the cluster runs, for the audit log and SQL insight. It may be billed by the volume it stores."</p>
                    </section>
                }.into_any()
            })}
        </Transition>
        {move || (!cluster().map(|d| d.running()).unwrap_or(true)).then(|| view! {
            <p class="muted" data-testid="cluster-busy">
                "The cluster is " <StatusBadge status=cluster().map(|d| d.attr.db_cluster_status).unwrap_or_default() /> "; changes wait until it is Running."
            </p>
        })}
        {move || confirm.get().map(|c| {
            let id = cluster().map(|d| d.attr.db_cluster_id).unwrap_or_default();
            let restart = "The cluster restarts to apply it: every connection drops and the cluster is unavailable for about a minute (it shows SSL_MODIFYING meanwhile).";
            let (title, body, button, solid) = match c {
                Change::SslOn => (
                    format!("Turn SSL on for {id}?"),
                    format!("Every endpoint gets a certificate valid for one year. {restart} Clients then connect with SSL; those that verify the server need the CA certificate."),
                    "Restart and turn SSL on",
                    false,
                ),
                Change::SslOff => (
                    format!("Turn SSL off for {id}?"),
                    format!("Connections are no longer encrypted by the server, and clients that require SSL (sslmode=require or verify-*) fail to connect. {restart}"),
                    "Restart and turn SSL off",
                    true,
                ),
                Change::SslRenew => (
                    format!("Update the CA certificate of {id}?"),
                    format!("A new certificate, valid for one year, replaces the current one. {restart} Clients that verify the server need the new CA certificate."),
                    "Restart and update",
                    false,
                ),
                Change::RotateOn => (
                    format!("Rotate the certificate of {id} automatically?"),
                    "The service then renews the SSL certificate by itself before it expires (SSLAutoRotate). Nothing restarts now.".to_string(),
                    "Turn on",
                    false,
                ),
                Change::RotateOff => (
                    format!("Stop rotating the certificate of {id} automatically?"),
                    "The certificate is then renewed only when you update it here; once it expires, clients that verify the server fail to connect. Nothing restarts now.".to_string(),
                    "Turn off",
                    true,
                ),
                Change::CollectorOn => (
                    format!("Turn SQL collection on for {id}?"),
                    "The statements the cluster runs are recorded for the audit log and SQL insight. No restart is needed.".to_string(),
                    "Turn on",
                    false,
                ),
                Change::CollectorOff => (
                    format!("Turn SQL collection off for {id}?"),
                    "Statements are no longer recorded; the audit log stops growing. No restart is needed.".to_string(),
                    "Turn off",
                    true,
                ),
            };
            let pending = Signal::derive(move || ssl.pending().get() || collector.pending().get());
            view! {
                <ConfirmDialog title_id="ssl-confirm-title" title=title on_close=move || confirm.set(None)
                    on_confirm=send pending=pending button=button danger=solid>
                    <p data-testid="confirm-body">{body}</p>
                    {change_error(ssl.value())}
                    {change_error(collector.value())}
                </ConfirmDialog>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_counts_down_in_days() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2021-11-13T07:14:22Z"), Some(1_636_787_662));
        assert_eq!(parse_utc("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(parse_utc("nonsense"), None);
        let now = parse_utc("2026-11-28T09:00:00Z").unwrap();
        assert_eq!(days_left("2027-11-28T09:00:00Z", now), Some(365));
        assert_eq!(days_left("2026-11-28T10:00:00Z", now), Some(0));
        assert_eq!(days_left("2026-11-27T10:00:00Z", now), Some(-1));
        assert_eq!(days_left("", now), None);
        assert_eq!(countdown(Some(365)), "365 days left");
        assert_eq!(countdown(Some(-1)), "expired 1 day ago");
        assert_eq!(countdown(None), "—");
    }
}
