//! The fleet watch behind notifications (#16): once a period, across every console
//! process (a background job, `jobs.rs`), the console reads the fleet as a Viewer would —
//! through the gateway, each call audited under the actor "fleet watch" — and tells the
//! notification rules what needs it:
//!
//! * `maintenance_new`: a pending maintenance event it has not told (DescribePendingMaintenanceAction);
//! * `maintenance_soon`: an event whose switch time (or deadline) is within
//!   [`Thresholds::maintenance_hours`];
//! * `ssl_expiring`: an SSL certificate expiring within [`Thresholds::ssl_days`]
//!   (DescribeDBClusterSSL, `SSLExpireTime`);
//! * `subscription_expiring`: a subscription (Prepaid) expiring within
//!   [`Thresholds::subscription_days`] without auto-renewal (DescribeAutoRenewAttribute);
//! * `backup_failed`: a backup of the last day with `BackupStatus=Failed` (DescribeBackups);
//! * `cluster_not_running`: a cluster seen Running at the last watch and not now, with no
//!   change sent through the console to it in the hour before;
//! * `unreachable`: an account or region whose list could not be read, once per outage.
//!
//! Nothing is read while no rule exists. What was seen is kept in `notification_watch`;
//! what was told in `notification_deliveries` (each fact once per channel).

use std::collections::{HashMap, HashSet};

use futures::StreamExt;
use polardb::models::{
    DescribeAutoRenewAttribute, DescribeBackups, DescribeDBClusterSSL,
    DescribePendingMaintenanceAction,
};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::audit::Actor;
use crate::gateway::{Caller, FleetCluster, FleetQuery, Gateway};
use crate::notify::{rfc3339, EventKind, Message, Notifier};
use crate::BackendError;

/// How far ahead the watch looks.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    pub ssl_days: i64,
    pub subscription_days: i64,
    pub maintenance_hours: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            ssl_days: 30,
            subscription_days: 7,
            maintenance_hours: 24,
        }
    }
}

/// What one watch did, for the log line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Watched {
    pub clusters: usize,
    pub messages: usize,
    pub queued: u64,
    /// No rule exists: nothing was read.
    pub idle: bool,
}

#[derive(Clone)]
pub struct Watcher {
    pool: PgPool,
    gateway: Gateway,
    notify: Notifier,
    pub thresholds: Thresholds,
}

/// Clusters whose per-cluster reads (SSL, backups) run at once.
const CONCURRENCY: usize = 4;

/// Whether `at` (the API's `yyyy-MM-ddTHH:mm[:ss]Z`, read by the reference's rule
/// `polardb::rules::api_time`) falls between now and `within` from now.
fn within(at: &str, now: OffsetDateTime, within: time::Duration) -> bool {
    polardb::rules::api_time(at.trim()).is_some_and(|t| {
        let now = now.unix_timestamp();
        t >= now && t <= now + within.whole_seconds()
    })
}

impl Watcher {
    pub fn new(pool: PgPool, gateway: Gateway, notify: Notifier) -> Self {
        Watcher {
            pool,
            gateway,
            notify,
            thresholds: Thresholds::default(),
        }
    }

    /// Looks as far ahead as `thresholds` say.
    pub fn with_thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    fn caller() -> Caller {
        Caller {
            actor: Actor {
                name: "fleet watch (notifications)".into(),
                auth_method: "system".into(),
                ..Default::default()
            },
            policy: crate::access::builtin_policy("viewer").unwrap_or_default(),
            change: None,
            collect: false,
        }
    }

    /// A message of the watch: its title and text in English, then in Chinese (a channel
    /// speaks one of them).
    fn message(
        kind: EventKind,
        dedup: String,
        (title, text): (String, String),
        (title_zh, text_zh): (String, String),
        now: OffsetDateTime,
    ) -> Message {
        Message {
            kind,
            dedup,
            title,
            text,
            zh: Some(crate::notify::Words {
                title: title_zh,
                text: text_zh,
            }),
            cloud_account: None,
            region: None,
            cluster: None,
            tags: Vec::new(),
            at: rfc3339(now),
        }
    }

    fn about(mut m: Message, c: &FleetCluster) -> Message {
        m.cloud_account = Some(c.account.clone());
        m.region = Some(c.cluster.region_id.clone());
        m.cluster = Some(c.cluster.db_cluster_id.clone());
        m.tags = c
            .cluster
            .tags
            .tag
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect();
        m
    }

    /// One running cluster's certificate and the last day's failed backups.
    async fn cluster_checks(
        &self,
        caller: &Caller,
        c: &FleetCluster,
        now: OffsetDateTime,
        ssl_window: time::Duration,
        start: &str,
        end: &str,
    ) -> Vec<Message> {
        let mut found = Vec::new();
        let id = c.cluster.db_cluster_id.clone();
        let (account, region) = (&c.account, &c.cluster.region_id);
        match self
            .gateway
            .invoke_typed(
                caller,
                account,
                region,
                &DescribeDBClusterSSL {
                    db_cluster_id: id.clone(),
                },
            )
            .await
        {
            Ok(ssl) => {
                for item in ssl.items.into_iter().filter(|i| i.ssl_enabled == "Enabled") {
                    if within(&item.ssl_expire_time, now, ssl_window) {
                        found.push(Self::about(
                                Self::message(
                                    EventKind::SslExpiring,
                                    format!("ssl_expiring:{id}:{}", item.ssl_expire_time),
                                    (
                                        format!("The SSL certificate of {id} expires {}", item.ssl_expire_time),
                                        format!(
                                            "The SSL certificate of {id} ({}) expires at {} (UTC). Renew it on the cluster's SSL tab.",
                                            c.cluster.db_cluster_description, item.ssl_expire_time
                                        ),
                                    ),
                                    (
                                        format!("{id} 的 SSL 证书将于 {} 到期", item.ssl_expire_time),
                                        format!(
                                            "{id}（{}）的 SSL 证书将于 {}（UTC）到期。请在集群的 SSL 页签更新证书。",
                                            c.cluster.db_cluster_description, item.ssl_expire_time
                                        ),
                                    ),
                                    now,
                                ),
                                c,
                            ));
                        break;
                    }
                }
            }
            Err(e) => tracing::warn!(cluster = %id, error = %e, "fleet watch: cannot read SSL"),
        }
        match self
            .gateway
            .invoke_typed(
                caller,
                account,
                region,
                &DescribeBackups {
                    db_cluster_id: id.clone(),
                    start_time: start.to_string(),
                    end_time: end.to_string(),
                    backup_status: Some("Failed".into()),
                    page_size: Some(100),
                    page_number: Some(1),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(b) => {
                for backup in b
                    .items
                    .backup
                    .into_iter()
                    .filter(|b| b.backup_status == "Failed")
                {
                    found.push(Self::about(
                        Self::message(
                            EventKind::BackupFailed,
                            format!("backup_failed:{id}:{}", backup.backup_id),
                            (
                                format!("A backup of {id} failed"),
                                format!(
                                    "Backup {} of {id} ({}) started at {} (UTC) failed.",
                                    backup.backup_id,
                                    c.cluster.db_cluster_description,
                                    backup.backup_start_time
                                ),
                            ),
                            (
                                format!("{id} 的一次备份失败"),
                                format!(
                                    "{id}（{}）于 {}（UTC）开始的备份 {} 失败。",
                                    c.cluster.db_cluster_description,
                                    backup.backup_start_time,
                                    backup.backup_id
                                ),
                            ),
                            now,
                        ),
                        c,
                    ));
                }
            }
            Err(e) => tracing::warn!(cluster = %id, error = %e, "fleet watch: cannot read backups"),
        }
        found
    }

    /// Watches the fleet once and queues what needs telling.
    pub async fn watch_once(&self) -> Result<Watched, BackendError> {
        let rules: i64 = sqlx::query_scalar("SELECT count(*) FROM notification_rules")
            .fetch_one(&self.pool)
            .await?;
        if rules == 0 {
            return Ok(Watched {
                idle: true,
                ..Default::default()
            });
        }
        let now = OffsetDateTime::now_utc();
        let caller = Self::caller();
        let fleet = self.gateway.fleet(&caller, &FleetQuery::default()).await?;
        let mut out: Vec<Message> = Vec::new();
        let seen: HashMap<String, (String, OffsetDateTime)> =
            sqlx::query_as::<_, (String, String, OffsetDateTime)>(
                "SELECT key, value, since FROM notification_watch",
            )
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(k, v, s)| (k, (v, s)))
            .collect();
        let mut now_seen: Vec<(String, String)> = Vec::new();

        // Accounts and regions that could not be read: told once per outage.
        for f in &fleet.failures {
            let key = format!("unreachable:{}:{}", f.account, f.region);
            let since = seen.get(&key).map(|(_, s)| *s).unwrap_or(now);
            if !seen.contains_key(&key) {
                let (place, place_zh) = if f.region.is_empty() {
                    (
                        format!("cloud account {}", f.account),
                        format!("云账号 {}", f.account),
                    )
                } else {
                    (
                        format!("{} in cloud account {}", f.region, f.account),
                        format!("云账号 {} 的地域 {}", f.account, f.region),
                    )
                };
                // What the API said, as it said it, in both.
                let said =
                    crate::audit::safe_text(&format!("{}: {}", f.error.code, f.error.message), 300);
                let mut m = Self::message(
                    EventKind::Unreachable,
                    format!("{key}:{}", since.unix_timestamp()),
                    (format!("Cannot read {place}"), said.clone()),
                    (format!("无法读取{place_zh}"), said),
                    now,
                );
                m.cloud_account = Some(f.account.clone());
                m.region = (!f.region.is_empty()).then(|| f.region.clone());
                out.push(m);
            }
            now_seen.push((key, "failing".into()));
        }

        // Clusters that left Running without a change sent through the console.
        let written: HashSet<String> = sqlx::query_scalar::<_, Option<String>>(
            "SELECT DISTINCT resource->>'cluster' FROM audit_events
             WHERE kind = 'write' AND at > now() - interval '1 hour' AND resource ? 'cluster'",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .flatten()
        .collect();
        for c in &fleet.clusters {
            let id = &c.cluster.db_cluster_id;
            let status = &c.cluster.db_cluster_status;
            let key = format!("status:{}:{id}", c.account);
            let before = seen.get(&key).map(|(v, _)| v.as_str());
            if before == Some("Running") && status != "Running" && !written.contains(id) {
                out.push(Self::about(
                    Self::message(
                        EventKind::ClusterNotRunning,
                        format!("cluster_not_running:{id}:{}", now.unix_timestamp()),
                        (
                            format!("{id} is {status}"),
                            format!(
                                "{id} ({}) was Running at the last watch and is {status} now; no change was sent to it through the console in the last hour.",
                                c.cluster.db_cluster_description
                            ),
                        ),
                        (
                            format!("{id} 的状态为 {status}"),
                            format!(
                                "{id}（{}）在上次巡检时为 Running，现在为 {status}；过去一小时内没有通过控制台向它发送变更。",
                                c.cluster.db_cluster_description
                            ),
                        ),
                        now,
                    ),
                    c,
                ));
            }
            now_seen.push((key, status.clone()));
        }

        // Per account and region: subscriptions without auto-renewal, maintenance events.
        let mut places: Vec<(String, String)> = fleet
            .clusters
            .iter()
            .map(|c| (c.account.clone(), c.cluster.region_id.clone()))
            .collect();
        places.sort();
        places.dedup();
        let by_id: HashMap<(&str, &str), &FleetCluster> = fleet
            .clusters
            .iter()
            .map(|c| ((c.account.as_str(), c.cluster.db_cluster_id.as_str()), c))
            .collect();
        let sub_window = time::Duration::days(self.thresholds.subscription_days);
        for (account, region) in &places {
            let expiring: Vec<&FleetCluster> = fleet
                .clusters
                .iter()
                .filter(|c| {
                    &c.account == account
                        && &c.cluster.region_id == region
                        && c.cluster.pay_type == "Prepaid"
                        && within(&c.cluster.expire_time, now, sub_window)
                })
                .collect();
            for chunk in expiring.chunks(100) {
                let ids: Vec<&str> = chunk
                    .iter()
                    .map(|c| c.cluster.db_cluster_id.as_str())
                    .collect();
                let answer = self
                    .gateway
                    .invoke_typed(
                        &caller,
                        account,
                        region,
                        &DescribeAutoRenewAttribute {
                            region_id: region.clone(),
                            db_cluster_ids: Some(ids.join(",")),
                            page_size: Some(100),
                            page_number: Some(1),
                            resource_group_id: None,
                        },
                    )
                    .await;
                let renewing: HashSet<String> = match answer {
                    Ok(a) => a
                        .items
                        .auto_renew_attribute
                        .into_iter()
                        .filter(|r| r.auto_renew_enabled)
                        .map(|r| r.db_cluster_id)
                        .collect(),
                    Err(e) => {
                        tracing::warn!(%account, %region, error = %e, "fleet watch: cannot read auto-renewal");
                        continue;
                    }
                };
                for c in chunk {
                    let id = &c.cluster.db_cluster_id;
                    if renewing.contains(id) {
                        continue;
                    }
                    out.push(Self::about(
                        Self::message(
                            EventKind::SubscriptionExpiring,
                            format!("subscription_expiring:{id}:{}", c.cluster.expire_time),
                            (
                                format!("The subscription of {id} expires {}", c.cluster.expire_time),
                                format!(
                                    "{id} ({}) is a subscription cluster without auto-renewal; it expires at {} (UTC).",
                                    c.cluster.db_cluster_description, c.cluster.expire_time
                                ),
                            ),
                            (
                                format!("{id} 的包年包月将于 {} 到期", c.cluster.expire_time),
                                format!(
                                    "{id}（{}）是未开通自动续费的包年包月集群，将于 {}（UTC）到期。",
                                    c.cluster.db_cluster_description, c.cluster.expire_time
                                ),
                            ),
                            now,
                        ),
                        c,
                    ));
                }
            }
            let events =
                polardb::client::collect_pages::<_, BackendError, _, _>(100, |page, size| {
                    let caller = &caller;
                    async move {
                        let a = self
                            .gateway
                            .invoke_typed(
                                caller,
                                account,
                                region,
                                &DescribePendingMaintenanceAction {
                                    region_id: Some(region.clone()),
                                    region: region.clone(),
                                    task_type: "all".into(),
                                    is_history: Some(0),
                                    page_size: Some(size),
                                    page_number: Some(page),
                                },
                            )
                            .await?;
                        Ok((a.items, a.total_record_count as u64))
                    }
                })
                .await;
            let events = match events {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(%account, %region, error = %e, "fleet watch: cannot read maintenance events");
                    continue;
                }
            };
            let soon = time::Duration::hours(self.thresholds.maintenance_hours);
            for e in events {
                let Some(c) = by_id.get(&(account.as_str(), e.db_cluster_id.as_str())) else {
                    continue;
                };
                let id = e.id;
                let cluster = &e.db_cluster_id;
                out.push(Self::about(
                    Self::message(
                        EventKind::MaintenanceNew,
                        format!("maintenance_new:{account}:{id}"),
                        (
                            format!("Maintenance {} scheduled on {cluster}", e.task_type),
                            format!(
                                "Event {id} ({}) on {cluster}: switch at {} (UTC), deadline {}.",
                                e.task_type, e.switch_time, e.deadline
                            ),
                        ),
                        (
                            format!("{cluster} 已计划维护 {}", e.task_type),
                            format!(
                                "{cluster} 的事件 {id}（{}）：切换时间 {}（UTC），截止时间 {}。",
                                e.task_type, e.switch_time, e.deadline
                            ),
                        ),
                        now,
                    ),
                    c,
                ));
                let when = if e.switch_time.is_empty() {
                    &e.deadline
                } else {
                    &e.switch_time
                };
                if within(when, now, soon) {
                    out.push(Self::about(
                        Self::message(
                            EventKind::MaintenanceSoon,
                            format!("maintenance_soon:{account}:{id}:{when}"),
                            (
                                format!("Maintenance on {cluster} at {when}"),
                                format!(
                                    "Event {id} ({}) on {cluster} switches at {when} (UTC), within {} hours.",
                                    e.task_type, self.thresholds.maintenance_hours
                                ),
                            ),
                            (
                                format!("{cluster} 将于 {when} 维护"),
                                format!(
                                    "{cluster} 的事件 {id}（{}）将于 {when}（UTC）切换，即 {} 小时内。",
                                    e.task_type, self.thresholds.maintenance_hours
                                ),
                            ),
                            now,
                        ),
                        c,
                    ));
                }
            }
        }

        // Per running cluster: certificates and failed backups.
        let ssl_window = time::Duration::days(self.thresholds.ssl_days);
        let (start, end) = (
            polardb::rules::api_minute(now.unix_timestamp() - 86_400),
            polardb::rules::api_minute(now.unix_timestamp()),
        );
        let running: Vec<&FleetCluster> = fleet
            .clusters
            .iter()
            .filter(|c| c.cluster.db_cluster_status == "Running")
            .collect();
        let mut checks = Vec::with_capacity(running.len());
        for c in running {
            checks.push(self.cluster_checks(&caller, c, now, ssl_window, &start, &end));
        }
        let per_cluster: Vec<Vec<Message>> = futures::stream::iter(checks)
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        out.extend(per_cluster.into_iter().flatten());

        // What was seen replaces what was; an outage that ended is forgotten.
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM notification_watch WHERE key LIKE 'unreachable:%' OR key LIKE 'status:%'",
        )
        .execute(&mut *tx)
        .await?;
        for (key, value) in &now_seen {
            let since = seen
                .get(key)
                .filter(|(v, _)| v == value)
                .map(|(_, s)| *s)
                .unwrap_or(now);
            sqlx::query(
                "INSERT INTO notification_watch (key, value, since, seen_at) VALUES ($1, $2, $3, now())
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, since = EXCLUDED.since, seen_at = now()",
            )
            .bind(key)
            .bind(value)
            .bind(since)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;

        let queued = self.notify.publish_all(&out).await?;
        Ok(Watched {
            clusters: fleet.clusters.len(),
            messages: out.len(),
            queued,
            idle: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_the_api_are_read_with_or_without_seconds() {
        let now = OffsetDateTime::from_unix_timestamp(
            polardb::rules::api_time("2026-12-01T00:00:00Z").unwrap(),
        )
        .unwrap();
        assert!(within("2026-12-01T00:00:30Z", now, time::Duration::days(7)));
        assert!(!within("", now, time::Duration::days(7)));
        assert!(within("2026-12-05T00:00Z", now, time::Duration::days(7)));
        assert!(!within("2026-12-09T00:00Z", now, time::Duration::days(7)));
        assert!(!within("2026-11-30T00:00Z", now, time::Duration::days(7)));
    }
}
