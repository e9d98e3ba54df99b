//! Server functions of `/settings/accounts` (Admin) and `/audit`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudAccountItem {
    pub id: String,
    pub name: String,
    /// `LTAI****abcd`: the secret and the full id never reach a browser.
    pub masked_key_id: String,
    pub regions: Vec<String>,
    pub signature: String,
    pub endpoint: String,
    pub enabled: bool,
    pub rotated: String,
    pub last_used: String,
    pub key_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    pub ok: bool,
    pub message: String,
    pub regions: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor: String,
    pub auth_method: String,
    pub client_addr: String,
    pub user_agent: String,
    pub request_id: String,
    pub cloud_account: String,
    pub region: String,
    pub action: String,
    pub kind: String,
    pub resource: String,
    pub params: String,
    pub outcome: String,
    pub http_status: Option<i32>,
    pub error: String,
    pub upstream_request_id: String,
    pub client_token: String,
    pub attempts: Option<i32>,
    pub latency_ms: Option<i32>,
    /// What the record names, in words, each with the page that shows it.
    pub links: Vec<ResourceLink>,
}

/// A thing an audit record names (a cluster, a node, a database account, a user, …), in
/// words, and the console page that shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceLink {
    pub label: String,
    pub href: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    /// Pass as `before` for the next (older) page; `None` at the end.
    pub next: Option<i64>,
    /// Whether the user sees everyone's records.
    pub all_users: bool,
    /// Whether reads are on the page (they are left out unless asked for).
    pub reads_shown: bool,
    /// Reads the other filters match on each of the last 7 days (UTC), newest first.
    pub reads_per_day: Vec<(String, i64)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use backend::audit::{Filter, Record};
    use backend::identity::User;
    use backend::Backend;

    use crate::AppError;

    fn fmt_time(t: time::OffsetDateTime) -> String {
        let t = t.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    pub fn item(r: Record) -> super::AuditItem {
        let opt = |o: Option<String>| o.unwrap_or_default();
        let links = links_of(
            &r.resource,
            &r.params,
            &r.action,
            r.cloud_account.as_deref().unwrap_or_default(),
            r.region.as_deref().unwrap_or_default(),
            crate::api::ssr::request_locale(),
        );
        super::AuditItem {
            seq: r.seq,
            id: r.id.to_string(),
            at: fmt_time(r.at),
            actor: r.actor_name,
            auth_method: r.auth_method,
            client_addr: opt(r.client_addr),
            user_agent: opt(r.user_agent),
            request_id: opt(r.request_id),
            cloud_account: opt(r.cloud_account),
            region: opt(r.region),
            action: r.action,
            kind: r.kind,
            resource: r.resource.to_string(),
            params: serde_json::to_string_pretty(&r.params).unwrap_or_default(),
            outcome: r.outcome,
            http_status: r.http_status,
            error: match (r.error_code, r.error_message) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c,
                (None, Some(m)) => m,
                (None, None) => String::new(),
            },
            upstream_request_id: opt(r.upstream_request_id),
            client_token: opt(r.client_token),
            attempts: r.attempts,
            latency_ms: r.latency_ms,
            links,
        }
    }

    /// What a record names, in words, with the page of each: a PolarDB call's cluster
    /// (and node, endpoint, database account, database, backup, event, task) in its account
    /// and region; a security event's user, role or cloud account. In `locale`'s words.
    pub fn links_of(
        resource: &serde_json::Value,
        params: &serde_json::Value,
        action: &str,
        account: &str,
        region: &str,
        locale: crate::i18n::Locale,
    ) -> Vec<super::ResourceLink> {
        use crate::i18n::td_string;
        use crate::kit::cluster_href;
        let text =
            |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let link = |label: String, href: String| super::ResourceLink { label, href };
        let mut out = Vec::new();
        let cluster = text(resource, "cluster");
        let mut clusters: Vec<String> = cluster.iter().cloned().collect();
        if let Some(more) = resource.get("clusters").and_then(|c| c.as_array()) {
            for c in more.iter().filter_map(|c| c.as_str()) {
                if !clusters.iter().any(|x| x == c) {
                    clusters.push(c.to_string());
                }
            }
        }
        for c in &clusters {
            out.push(link(
                td_string!(locale, admin.link_cluster, id = c),
                cluster_href(c, account, region, ""),
            ));
        }
        if let Some(c) = &cluster {
            let parts = [
                ("node", "nodes"),
                ("endpoint", "endpoints"),
                ("account", "accounts"),
                ("database", "databases"),
                ("backup", "backups"),
            ];
            for (key, tab) in parts {
                if let Some(v) = text(resource, key) {
                    let label = match key {
                        "node" => td_string!(locale, admin.link_node, id = &v),
                        "endpoint" => td_string!(locale, admin.link_endpoint, id = &v),
                        "account" => td_string!(locale, admin.link_database_account, id = &v),
                        "database" => td_string!(locale, admin.link_database, id = &v),
                        _ => td_string!(locale, admin.link_backup, id = &v),
                    };
                    out.push(link(label, cluster_href(c, account, region, tab)));
                }
            }
        }
        // A request, read or transition of a change: its page.
        if let Some(c) = text(resource, "change")
            .or_else(|| text(params, "change"))
            .filter(|c| uuid::Uuid::parse_str(c).is_ok())
        {
            out.push(link(
                td_string!(locale, admin.link_change, id = &c),
                format!("/changes/{c}"),
            ));
        }
        if resource.get("events").is_some() {
            out.push(link(
                td_string!(locale, admin.link_events).into(),
                "/events".into(),
            ));
        }
        if let Some(tasks) = resource.get("tasks").and_then(|t| t.as_array()) {
            for t in tasks.iter().filter_map(|t| t.as_str()) {
                out.push(link(
                    td_string!(locale, admin.link_task, id = t),
                    "/tasks".into(),
                ));
            }
        }
        if account.is_empty() || action.starts_with("CloudAccount") {
            if let Some(u) = text(params, "username") {
                out.push(link(
                    td_string!(locale, admin.link_user, name = &u),
                    "/settings/users".into(),
                ));
            }
            if let Some(r) = text(params, "role").filter(|_| action.starts_with("Role")) {
                out.push(link(
                    td_string!(locale, admin.link_role, name = &r),
                    "/settings/roles".into(),
                ));
            }
            if action.starts_with("CloudAccount") {
                let name = text(params, "name").unwrap_or_default();
                out.push(link(
                    td_string!(locale, admin.link_cloud_account, name = &name)
                        .trim()
                        .to_string(),
                    "/settings/accounts".into(),
                ));
            }
        }
        out
    }

    pub fn time_of(
        s: Option<String>,
        field: &str,
    ) -> Result<Option<time::OffsetDateTime>, AppError> {
        let Some(s) = s.filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        let s = s.trim();
        // `2026-11-28T10:00` (a datetime-local input) or RFC 3339, read as UTC.
        let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        if let Ok(t) = time::PrimitiveDateTime::parse(s, &fmt) {
            return Ok(Some(t.assume_utc()));
        }
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(Some)
            .map_err(|_| AppError::Invalid {
                field: field.into(),
                message: crate::i18n::td_string!(
                    crate::api::ssr::request_locale(),
                    admin.err_date_time
                )
                .into(),
            })
    }

    /// The filter a user may use: Viewers are confined to their own records.
    pub async fn scoped(
        backend: &Backend,
        user: &User,
        mut f: Filter,
    ) -> Result<(Filter, bool), AppError> {
        let policy = backend.identity.policy_for(user).await?;
        let all = policy
            .decide(
                backend::access::console::VIEW_ALL_AUDIT,
                &Default::default(),
            )
            .is_allowed();
        if !all {
            if !policy
                .decide(
                    backend::access::console::VIEW_OWN_AUDIT,
                    &Default::default(),
                )
                .is_allowed()
            {
                // On the trail like every refusal (seventh attack run, N4).
                return Err(crate::admin::api::ssr::refused_saying(
                    backend,
                    user,
                    backend::access::console::VIEW_OWN_AUDIT,
                    "your role does not allow reading the audit trail".into(),
                    crate::i18n::td_string!(
                        crate::api::ssr::request_locale(),
                        admin.err_audit_not_allowed
                    )
                    .into(),
                )
                .await);
            }
            f.actor_id = Some(user.id);
        }
        Ok((f, all))
    }
}

#[server]
pub async fn list_cloud_accounts() -> Result<Vec<CloudAccountItem>, AppError> {
    let (backend, _) =
        crate::admin::api::ssr::require_console(backend::access::console::MANAGE_CLOUD_ACCOUNTS)
            .await?;
    let fmt = |t: time::OffsetDateTime| t.date().to_string();
    let never = crate::i18n::td_string!(crate::api::ssr::request_locale(), admin.never);
    Ok(backend
        .vault
        .list_all()
        .await?
        .into_iter()
        .map(|r| CloudAccountItem {
            id: r.account.id.to_string(),
            masked_key_id: r.account.masked_key_id(),
            name: r.account.name,
            regions: r.account.regions,
            signature: r.account.signature.as_str().to_string(),
            endpoint: r.account.endpoint.unwrap_or_default(),
            enabled: r.account.enabled,
            rotated: fmt(r.rotated_at),
            last_used: r.last_used_at.map(fmt).unwrap_or_else(|| never.into()),
            key_id: r.key_id,
        })
        .collect())
}

#[server]
pub async fn add_cloud_account(
    name: String,
    access_key_id: String,
    access_key_secret: String,
    regions: String,
    signature_version: String,
    endpoint: String,
    /// "on" when the account is a local emulator (its endpoint may be plain http).
    #[server(default)]
    emulator: Option<String>,
) -> Result<(), AppError> {
    let (backend, user) =
        crate::admin::api::ssr::require_console(backend::access::console::MANAGE_CLOUD_ACCOUNTS)
            .await?;
    let new = backend::vault::NewCloudAccount::parse(
        &name,
        &access_key_id,
        &access_key_secret,
        &regions,
        &signature_version,
        &endpoint,
        emulator.as_deref() == Some("on"),
    )?;
    drop(access_key_secret);
    let mut change = crate::admin::api::ssr::change(&backend).await?;
    let id = backend.vault.create(change.conn(), &new).await?;
    let done = crate::admin::api::ssr::commit(
        change,
        &user,
        "CloudAccountCreated",
        serde_json::json!({"cloud_account": new.name, "id": id.to_string(), "access_key_id": backend::vault::mask_key_id(&new.access_key_id), "endpoint": new.endpoint, "emulator": new.emulator, "regions": new.regions}),
    )
    .await;
    // This process reads the accounts again at once; the others when the database
    // announces the change.
    backend.vault.changed();
    done
}

/// Tests an account with DescribeRegions; the upstream error comes back in words.
#[server]
pub async fn test_cloud_account(name: String) -> Result<TestResult, AppError> {
    let (backend, user) =
        crate::admin::api::ssr::require_console(backend::access::console::MANAGE_CLOUD_ACCOUNTS)
            .await?;
    let caller = crate::api::ssr::caller(&backend, &user).await?;
    let result = backend
        .gateway
        .invoke_typed(&caller, &name, "", &polardb::models::DescribeRegions {})
        .await;
    let locale = crate::api::ssr::request_locale();
    let out = match result {
        Ok(r) => TestResult {
            ok: true,
            regions: r.regions.region.len(),
            message: crate::i18n::td_string!(
                locale,
                admin.accounts_test_ok,
                n = r.regions.region.len()
            ),
        },
        Err(backend::BackendError::Upstream(e)) => TestResult {
            ok: false,
            regions: 0,
            message: format!("{} (RequestId {})", e.human(), e.request_id),
        },
        Err(e) => return Err(e.into()),
    };
    crate::admin::api::ssr::record(
        &backend,
        &user,
        "CloudAccountTested",
        serde_json::json!({"cloud_account": name, "ok": out.ok}),
    )
    .await?;
    Ok(out)
}

#[server]
pub async fn rotate_cloud_account(
    id: String,
    access_key_id: String,
    access_key_secret: String,
) -> Result<(), AppError> {
    let (backend, user) =
        crate::admin::api::ssr::require_console(backend::access::console::MANAGE_CLOUD_ACCOUNTS)
            .await?;
    let uuid = crate::admin::api::ssr::parse_id(&id)?;
    let new_id = access_key_id.trim();
    if !new_id.is_empty()
        && (new_id.len() < 8 || !new_id.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(AppError::Invalid {
            field: "access_key_id".into(),
            message: crate::i18n::td_string!(
                crate::api::ssr::request_locale(),
                admin.err_access_key_id
            )
            .into(),
        });
    }
    let mut change = crate::admin::api::ssr::change(&backend).await?;
    backend
        .vault
        .rotate_secret(
            change.conn(),
            uuid,
            Some(new_id).filter(|s| !s.is_empty()),
            &access_key_secret,
        )
        .await?;
    drop(access_key_secret);
    let done = crate::admin::api::ssr::commit(
        change,
        &user,
        "CloudAccountRotated",
        serde_json::json!({"id": uuid.to_string()}),
    )
    .await;
    // This process reads the accounts again at once; the others when the database
    // announces the change.
    backend.vault.changed();
    done
}

#[server]
pub async fn set_cloud_account_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    let (backend, user) =
        crate::admin::api::ssr::require_console(backend::access::console::MANAGE_CLOUD_ACCOUNTS)
            .await?;
    let target = crate::admin::api::ssr::parse_id(&id)?;
    let mut change = crate::admin::api::ssr::change(&backend).await?;
    backend
        .vault
        .set_enabled(change.conn(), target, enabled)
        .await?;
    let action = if enabled {
        "CloudAccountEnabled"
    } else {
        "CloudAccountDisabled"
    };
    let done = crate::admin::api::ssr::commit(
        change,
        &user,
        action,
        serde_json::json!({"id": target.to_string()}),
    )
    .await;
    // This process reads the accounts again at once; the others when the database
    // announces the change.
    backend.vault.changed();
    done
}

#[server]
pub async fn delete_cloud_account(id: String) -> Result<(), AppError> {
    let (backend, user) =
        crate::admin::api::ssr::require_console(backend::access::console::MANAGE_CLOUD_ACCOUNTS)
            .await?;
    let target = crate::admin::api::ssr::parse_id(&id)?;
    let mut change = crate::admin::api::ssr::change(&backend).await?;
    let name = backend.vault.delete(change.conn(), target).await?;
    let done = crate::admin::api::ssr::commit(
        change,
        &user,
        "CloudAccountDeleted",
        serde_json::json!({"id": target.to_string(), "cloud_account": name}),
    )
    .await;
    // This process reads the accounts again at once; the others when the database
    // announces the change.
    backend.vault.changed();
    done
}

/// A page of the audit trail, newest first. Viewers see their own records.
#[server]
#[allow(clippy::too_many_arguments)]
pub async fn search_audit(
    user_name: Option<String>,
    action: Option<String>,
    cloud_account: Option<String>,
    cluster: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
    #[server(default)] kind: Option<String>,
    #[server(default)] reads: Option<String>,
    #[server(default)] change: Option<String>,
) -> Result<AuditPage, AppError> {
    let (backend, user) = crate::api::ssr::require_user().await?;
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let kind = nonempty(kind);
    if let Some(k) = &kind {
        if !["read", "write", "security"].contains(&k.as_str()) {
            return Err(crate::error::invalid(
                "kind",
                crate::i18n::td_string!(crate::api::ssr::request_locale(), admin.err_kind),
            ));
        }
    }
    // Reads are left out unless asked for (or asked for by kind).
    let reads_shown = nonempty(reads).is_some() || kind.as_deref() == Some("read");
    let filter = backend::audit::Filter {
        actor_id: None,
        actor_name: nonempty(user_name),
        action: nonempty(action),
        cloud_account: nonempty(cloud_account),
        cluster: nonempty(cluster),
        outcome: nonempty(outcome),
        from: ssr::time_of(from, "from")?,
        to: ssr::time_of(to, "to")?,
        kind,
        hide_reads: !reads_shown,
        change: match nonempty(change) {
            None => None,
            Some(c) => Some(uuid::Uuid::parse_str(&c).map_err(|_| {
                crate::error::invalid(
                    "change",
                    crate::i18n::td_string!(
                        crate::api::ssr::request_locale(),
                        admin.err_not_change_id
                    ),
                )
            })?),
        },
    };
    let (filter, all_users) = ssr::scoped(&backend, &user, filter).await?;
    const PAGE: i64 = 50;
    let mut rows = backend.audit.search(&filter, before, PAGE + 1).await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.seq)
    } else {
        None
    };
    let reads_per_day = backend.audit.reads_per_day(&filter, 7).await?;
    Ok(AuditPage {
        items: rows.into_iter().map(ssr::item).collect(),
        next,
        all_users,
        reads_shown,
        reads_per_day,
    })
}
