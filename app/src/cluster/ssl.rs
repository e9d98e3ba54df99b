//! `/clusters/:id/ssl`: SSL encryption (DescribeDBClusterSSL / ModifyDBClusterSSL, API
//! reference 7.2) per endpoint, with the protected connection string and the certificate's
//! expiry counted down in days; and SQL collection (DescribeDBClusterAuditLogCollector /
//! ModifyDBClusterAuditLogCollector, chapter 11) on the same security tab. Turning SSL on
//! or off, or renewing the CA, restarts the cluster: the confirmation says so first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::section_reload;
use crate::cluster::frame::{language, ClusterCtx};
use crate::i18n::{t, t_string, td_string, use_i18n};
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

/// The countdown as a person reads it, in the language in use.
pub fn countdown(days: Option<i64>) -> String {
    let l = language();
    match days {
        None => "—".into(),
        Some(-1) => td_string!(l, cluster.expired_a_day_ago).into(),
        Some(d) if d < 0 => td_string!(l, cluster.expired_days_ago, n = -d).to_string(),
        Some(0) => td_string!(l, cluster.expires_today).into(),
        Some(1) => td_string!(l, cluster.a_day_left).into(),
        Some(d) => td_string!(l, cluster.days_left, n = d).to_string(),
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
                td_string!(language(), cluster.ssl_change_must_be),
            ))
        }
    };
    let (db_endpoint_id, net_type) = if endpoint.is_empty() {
        (None, None)
    } else {
        if !["Public", "Private", "Inner"].contains(&net_type.as_str()) {
            return Err(invalid(
                "Network type",
                td_string!(language(), cluster.net_type_must_be),
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
    let i18n = use_i18n();
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
        // Untracked: the effect that runs this must not run again when the language changes.
        let l = i18n.get_locale_untracked();
        done.set(Some(if rotation {
            td_string!(l, cluster.rotation_changed).into()
        } else {
            td_string!(l, cluster.ssl_change_requested).into()
        }));
    });
    ctx.after_success(collector.value(), move || {
        confirm.set(None);
        reload.update(|n| *n += 1);
        let l = i18n.get_locale_untracked();
        done.set(Some(td_string!(l, cluster.collector_changed).into()));
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
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster.reading_security) /> }>
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
                            <h2>{t!(i18n, cluster.ssl_encryption)}</h2>
                            <p class="muted" data-testid="ssl-summary">
                                {move || if any_on && !any_off { t_string!(i18n, cluster.ssl_on_all) } else if any_on { t_string!(i18n, cluster.ssl_on_some) } else { t_string!(i18n, cluster.ssl_off) }}
                                {t!(i18n, cluster.auto_rotation)}
                                <span data-testid="ssl-rotate">{
                                    let rotating = v.auto_rotate == "Enable";
                                    move || if rotating { t_string!(i18n, cluster.rotation_on) } else { t_string!(i18n, cluster.rotation_off) }
                                }</span>{t!(i18n, cluster.full_stop)}
                            </p>
                            <div class="toolbar-actions">
                                {v.can_ssl.then(|| view! {
                                    {any_off.then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-enable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::SslOn)>{t!(i18n, cluster.ssl_turn_on)}</button>
                                    })}
                                    {(any_on && v.auto_rotate != "Enable").then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-rotate-on"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::RotateOn)>{t!(i18n, cluster.rotate_on)}</button>
                                    })}
                                    {(v.auto_rotate == "Enable").then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-rotate-off"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::RotateOff)>{t!(i18n, cluster.rotate_off)}</button>
                                    })}
                                    {any_on.then(|| view! {
                                        <button type="button" class="small" data-testid="ssl-update"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::SslRenew)>{t!(i18n, cluster.ssl_update_ca)}</button>
                                        <button type="button" class="small danger" data-testid="ssl-disable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::SslOff)>{t!(i18n, cluster.ssl_turn_off)}</button>
                                    })}
                                })}
                            </div>
                        </div>
                        <div class="table-wrap">
                            <table class="grid" data-testid="ssl-table">
                                <thead><tr><th>{t!(i18n, cluster.endpoint)}</th><th>{t!(i18n, cluster.ssl)}</th><th>{t!(i18n, cluster.protected_connection_string)}</th><th>{t!(i18n, cluster.certificate_expires)}</th></tr></thead>
                                <tbody>
                                    {v.endpoints.iter().map(|e| {
                                        let warn = e.days_left.is_some_and(|d| d < EXPIRY_WARNING_DAYS);
                                        view! {
                                            <tr data-endpoint=e.endpoint.clone() data-ssl=if e.enabled { "Enabled" } else { "Disabled" }>
                                                <td class="mono nowrap">{e.endpoint.clone()}</td>
                                                <td data-testid="ssl-status">{
                                                    let enabled = e.enabled;
                                                    move || if enabled { t_string!(i18n, cluster.enabled) } else { t_string!(i18n, cluster.disabled) }
                                                }</td>
                                                <td class="mono">{if e.enabled && !e.connection_string.is_empty() { e.connection_string.clone() } else { "—".to_string() }}</td>
                                                <td>
                                                    <span class="mono">{if e.expire_time.is_empty() { "—".to_string() } else { human_time(&e.expire_time) }}</span>
                                                    {e.days_left.map(|_| view! {
                                                        " " <span class="badge" class:badge-bad=warn data-testid="ssl-countdown">{
                                                            let days = e.days_left;
                                                            move || countdown(days)
                                                        }</span>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small-print">{t!(i18n, cluster.ssl_note)}</p>
                    </section>
                    <section class="panel">
                        <div class="toolbar">
                            <h2>{t!(i18n, cluster.sql_collection)}</h2>
                            <p class="muted">
                                {t!(i18n, cluster.audit_and_insight)}
                                <span data-testid="collector-status">{move || if on { t_string!(i18n, cluster.on) } else { t_string!(i18n, cluster.off) }}</span>
                            </p>
                            <div class="toolbar-actions">
                                {v.can_collector.then(|| if on {
                                    view! {
                                        <button type="button" class="small danger" data-testid="collector-disable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::CollectorOff)>{t!(i18n, cluster.turn_off)}</button>
                                    }.into_any()
                                } else {
                                    view! {
                                        <button type="button" class="small" data-testid="collector-enable"
                                            title=move || waiting(hydrated)
                                            disabled=move || !hydrated.get() || busy()
                                            on:click=move |_| open(Change::CollectorOn)>{t!(i18n, cluster.turn_on)}</button>
                                    }.into_any()
                                })}
                            </div>
                        </div>
                        <p class="muted small-print">{t!(i18n, cluster.collector_note)}</p>
                    </section>
                }.into_any()
            })}
        </Transition>
        {move || (!cluster().map(|d| d.running()).unwrap_or(true)).then(|| view! {
            <p class="muted" data-testid="cluster-busy">
                {t!(i18n, cluster.busy_before)} <StatusBadge status=cluster().map(|d| d.attr.db_cluster_status).unwrap_or_default() /> {t!(i18n, cluster.busy_after)}
            </p>
        })}
        {move || confirm.get().map(|c| {
            let id = cluster().map(|d| d.attr.db_cluster_id).unwrap_or_default();
            let restart = t_string!(i18n, cluster.restart_note);
            let (title, body, button, solid) = match c {
                Change::SslOn => (
                    t_string!(i18n, cluster.ssl_on_title, id = &id).to_string(),
                    t_string!(i18n, cluster.ssl_on_body, restart = restart).to_string(),
                    t_string!(i18n, cluster.ssl_on_button),
                    false,
                ),
                Change::SslOff => (
                    t_string!(i18n, cluster.ssl_off_title, id = &id).to_string(),
                    t_string!(i18n, cluster.ssl_off_body, restart = restart).to_string(),
                    t_string!(i18n, cluster.ssl_off_button),
                    true,
                ),
                Change::SslRenew => (
                    t_string!(i18n, cluster.ssl_renew_title, id = &id).to_string(),
                    t_string!(i18n, cluster.ssl_renew_body, restart = restart).to_string(),
                    t_string!(i18n, cluster.ssl_renew_button),
                    false,
                ),
                Change::RotateOn => (
                    t_string!(i18n, cluster.rotate_on_title, id = &id).to_string(),
                    t_string!(i18n, cluster.rotate_on_body).to_string(),
                    t_string!(i18n, cluster.turn_on),
                    false,
                ),
                Change::RotateOff => (
                    t_string!(i18n, cluster.rotate_off_title, id = &id).to_string(),
                    t_string!(i18n, cluster.rotate_off_body).to_string(),
                    t_string!(i18n, cluster.turn_off),
                    true,
                ),
                Change::CollectorOn => (
                    t_string!(i18n, cluster.collector_on_title, id = &id).to_string(),
                    t_string!(i18n, cluster.collector_on_body).to_string(),
                    t_string!(i18n, cluster.turn_on),
                    false,
                ),
                Change::CollectorOff => (
                    t_string!(i18n, cluster.collector_off_title, id = &id).to_string(),
                    t_string!(i18n, cluster.collector_off_body).to_string(),
                    t_string!(i18n, cluster.turn_off),
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
