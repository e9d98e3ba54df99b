//! The signing gateway: sends PolarDB calls with a cloud account's key, and fans reads
//! out over every account and region concurrently.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use polardb::client::Client;
use polardb::models::{ActionKind, DBClusterSummary, DescribeDBClusters, DescribeRegions};
use polardb::ApiError;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::access::{Policy, Resource};
use crate::audit::{self, Actor, Audit, Event, Kind, Outcome};
use crate::vault::{CloudAccount, Vault};
use crate::BackendError;

/// Who is calling: their policy decides, their identity goes into the audit record.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub policy: Policy,
}

/// The answer of a proxied call.
#[derive(Clone, Debug)]
pub struct Invoked {
    pub body: serde_json::Value,
    pub request_id: String,
}

const REGION_CACHE_TTL: Duration = Duration::from_secs(600);

/// Each cloud account's region list and when it was read.
type RegionCache = Arc<Mutex<HashMap<Uuid, (Instant, Vec<String>)>>>;

#[derive(Clone)]
pub struct Gateway {
    vault: Vault,
    audit: Audit,
    client: Client,
    regions: RegionCache,
    metrics: crate::metrics::Metrics,
}

/// Which part of the fleet to list.
#[derive(Clone, Debug, Default)]
pub struct FleetQuery {
    /// A cloud account's name; all accounts when `None`.
    pub account: Option<String>,
    /// A region id; all regions when `None`.
    pub region: Option<String>,
}

/// Which clusters of the listed part of the fleet to keep.
#[derive(Clone, Debug, Default)]
pub struct FleetFilter {
    /// A cluster status (DBClusterStatus), passed to DescribeDBClusters.
    pub status: Option<String>,
    /// Postpaid or Prepaid (PayType), passed to DescribeDBClusters.
    pub pay_type: Option<String>,
    /// A tag key, and optionally its value. Passed to DescribeDBClusters as
    /// `Tag.1.Key`/`Tag.1.Value` when both are given, and checked again on the answer's
    /// `Tags` (a key alone matches any value).
    pub tag: Option<(String, Option<String>)>,
    /// A PostgreSQL major version (DBVersion), checked on the answer.
    pub version: Option<String>,
    /// Text in the cluster ID or description (case-insensitive), checked on the answer.
    pub text: Option<String>,
}

impl FleetFilter {
    /// Whether a listed cluster passes every filter (also the ones the API was given:
    /// a region that ignores a filter parameter cannot widen the list).
    pub fn matches(&self, c: &DBClusterSummary) -> bool {
        let eq = |want: &Option<String>, got: &str| want.as_ref().is_none_or(|w| w == got);
        eq(&self.status, &c.db_cluster_status)
            && eq(&self.pay_type, &c.pay_type)
            && eq(&self.version, &c.db_version)
            && self.tag.as_ref().is_none_or(|(k, v)| {
                c.tags
                    .tag
                    .iter()
                    .any(|t| &t.key == k && v.as_ref().is_none_or(|v| &t.value == v))
            })
            && self.text.as_ref().is_none_or(|t| {
                let t = t.to_lowercase();
                c.db_cluster_id.to_lowercase().contains(&t)
                    || c.db_cluster_description.to_lowercase().contains(&t)
            })
    }
}

/// One cluster and the cloud account it belongs to.
#[derive(Clone, Debug)]
pub struct FleetCluster {
    pub account: String,
    pub cluster: DBClusterSummary,
}

/// A region (or a whole account) whose call failed; the rest of the list still shows.
#[derive(Clone, Debug)]
pub struct RegionFailure {
    pub account: String,
    /// Empty when the account's region list itself could not be read.
    pub region: String,
    pub error: ApiError,
}

/// Every cluster the query covers, plus what failed and what could be chosen.
#[derive(Clone, Debug, Default)]
pub struct FleetView {
    pub clusters: Vec<FleetCluster>,
    pub failures: Vec<RegionFailure>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
}

impl Gateway {
    pub fn new(vault: Vault, audit: Audit, client: Client) -> Self {
        Gateway {
            vault,
            audit,
            client,
            regions: Arc::new(Mutex::new(HashMap::new())),
            metrics: crate::metrics::Metrics::new(),
        }
    }

    /// Counts calls, retries and refusals in `metrics`.
    pub fn with_metrics(mut self, metrics: crate::metrics::Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The regions to show for an account: its configured list, else DescribeRegions (cached).
    async fn regions_of(
        &self,
        caller: &Caller,
        account: &CloudAccount,
    ) -> Result<Vec<String>, BackendError> {
        if !account.regions.is_empty() {
            return Ok(account.regions.clone());
        }
        if let Some((at, list)) = self.regions.lock().await.get(&account.id) {
            if at.elapsed() < REGION_CACHE_TTL {
                return Ok(list.clone());
            }
        }
        let answer: polardb::models::DescribeRegionsResponse = self
            .invoke_typed(caller, &account.name, "", &DescribeRegions {})
            .await?;
        let list: Vec<String> = answer
            .regions
            .region
            .into_iter()
            .map(|r| r.region_id)
            .collect();
        self.regions
            .lock()
            .await
            .insert(account.id, (Instant::now(), list.clone()));
        Ok(list)
    }

    /// [`Gateway::invoke`] with a typed request and response.
    pub async fn invoke_typed<A: polardb::models::Action>(
        &self,
        caller: &Caller,
        account: &str,
        region: &str,
        request: &A,
    ) -> Result<A::Response, BackendError> {
        let invoked = self
            .invoke(caller, account, region, A::NAME, request.to_params())
            .await?;
        serde_json::from_value(invoked.body).map_err(|e| {
            BackendError::Upstream(ApiError::transport(
                "InvalidResponse",
                format!(
                    "the {} response did not have the expected shape: {e}",
                    A::NAME
                ),
            ))
        })
    }

    /// All pages of DescribeDBClusters for one region.
    async fn clusters_in(
        &self,
        caller: &Caller,
        account: &str,
        region: &str,
        query: &FleetFilter,
    ) -> Result<Vec<DBClusterSummary>, BackendError> {
        let tag: Vec<polardb::models::TagParam> = match &query.tag {
            Some((key, Some(value))) => vec![polardb::models::TagParam {
                key: key.clone(),
                value: value.clone(),
            }],
            _ => Vec::new(),
        };
        let tag = &tag;
        let list: Vec<DBClusterSummary> =
            polardb::client::collect_pages::<_, BackendError, _, _>(100, |page, size| async move {
                let answer = self
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &DescribeDBClusters {
                            region_id: region.to_string(),
                            page_size: Some(size),
                            page_number: Some(page),
                            db_cluster_status: query.status.clone(),
                            pay_type: query.pay_type.clone(),
                            tag: tag.clone(),
                            ..Default::default()
                        },
                    )
                    .await?;
                Ok((answer.items.db_cluster, answer.total_record_count as u64))
            })
            .await?;
        Ok(list.into_iter().filter(|c| query.matches(c)).collect())
    }

    /// Lists the fleet: every chosen account, every chosen region, concurrently. A region
    /// (or account) that fails is reported, and the rest still lists.
    pub async fn fleet(
        &self,
        caller: &Caller,
        query: &FleetQuery,
    ) -> Result<FleetView, BackendError> {
        self.fleet_filtered(caller, query, &FleetFilter::default())
            .await
    }

    /// [`Gateway::fleet`], keeping only the clusters that pass `filter` (status, pay type
    /// and a full tag also go to DescribeDBClusters, so fewer pages travel).
    pub async fn fleet_filtered(
        &self,
        caller: &Caller,
        query: &FleetQuery,
        filter: &FleetFilter,
    ) -> Result<FleetView, BackendError> {
        let accounts = self.vault.list_enabled().await?;
        let mut view = FleetView {
            accounts: accounts.iter().map(|a| a.name.clone()).collect(),
            ..Default::default()
        };
        let chosen: Vec<&CloudAccount> = accounts
            .iter()
            .filter(|a| query.account.as_ref().is_none_or(|n| &a.name == n))
            .collect();
        let per_account = join_all(chosen.into_iter().map(|account| async move {
            let regions = match self.regions_of(caller, account).await {
                Ok(r) => r,
                Err(error) => {
                    return (
                        Vec::new(),
                        Vec::new(),
                        vec![RegionFailure {
                            account: account.name.clone(),
                            region: String::new(),
                            error: as_api_error(error),
                        }],
                    )
                }
            };
            let wanted: Vec<&String> = regions
                .iter()
                .filter(|r| query.region.as_ref().is_none_or(|q| q == *r))
                .collect();
            let results = join_all(wanted.iter().map(|region| async move {
                (
                    region.to_string(),
                    self.clusters_in(caller, &account.name, region, filter)
                        .await,
                )
            }))
            .await;
            let mut clusters = Vec::new();
            let mut failures = Vec::new();
            for (region, result) in results {
                match result {
                    Ok(list) => clusters.extend(list.into_iter().map(|cluster| FleetCluster {
                        account: account.name.clone(),
                        cluster,
                    })),
                    Err(error) => failures.push(RegionFailure {
                        account: account.name.clone(),
                        region,
                        error: as_api_error(error),
                    }),
                }
            }
            (regions, clusters, failures)
        }))
        .await;
        let mut regions = Vec::new();
        for (r, clusters, failures) in per_account {
            regions.extend(r);
            view.clusters.extend(clusters);
            view.failures.extend(failures);
        }
        regions.sort();
        regions.dedup();
        view.regions = regions;
        view.clusters.sort_by(|a, b| {
            (
                a.cluster.region_id.as_str(),
                a.cluster.db_cluster_id.as_str(),
            )
                .cmp(&(
                    b.cluster.region_id.as_str(),
                    b.cluster.db_cluster_id.as_str(),
                ))
        });
        Ok(view)
    }

    /// Calls `action` with `params` as `caller`, through the one enforcement point:
    /// the role check, then the audit trail (for a write, an intent record stored before
    /// anything is sent: no audit, no call), then the signed request, then the outcome record.
    pub async fn invoke(
        &self,
        caller: &Caller,
        account_name: &str,
        region: &str,
        action: &str,
        mut params: Vec<(String, String)>,
    ) -> Result<Invoked, BackendError> {
        let info = polardb::models::action_info(action).ok_or_else(|| {
            BackendError::invalid("action", format!("{action} is not a PolarDB API action"))
        })?;
        let find = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let cluster = find("DBClusterId");
        let resource = Resource {
            account: account_name.to_string(),
            region: region.to_string(),
            cluster: cluster.clone(),
        };
        let resource_json = serde_json::json!({
            "cluster": cluster,
            "node": find("DBNodeId"),
            "account": find("AccountName"),
            "database": find("DBName"),
            "backup": find("BackupId"),
            "endpoint": find("DBEndpointId"),
        });
        let kind = match info.kind {
            ActionKind::Read => Kind::Read,
            ActionKind::Write => Kind::Write,
        };
        let base = Event {
            actor: caller.actor.clone(),
            cloud_account: Some(account_name.to_string()),
            region: Some(region.to_string()),
            action: action.to_string(),
            kind,
            resource: resource_json,
            params: audit::redact_params(&params),
            outcome: Outcome::Intent,
            http_status: None,
            error_code: None,
            error_message: None,
            upstream_request_id: None,
            client_token: None,
            attempts: None,
            latency_ms: None,
            intent_seq: None,
        };
        if let crate::access::Decision::Deny(reason) = caller
            .policy
            .decide(&format!("polardb:{action}"), &resource)
        {
            let denied = Event {
                outcome: Outcome::Denied,
                error_message: Some(reason.clone()),
                ..base
            };
            self.metrics
                .inc("polar_api_denied_total", &[("action", info.name)]);
            if let Err(e) = self.audit.append(&denied).await {
                tracing::error!(error = %e, "could not record a refused call");
            }
            return Err(BackendError::Forbidden(reason));
        }
        let account = self
            .vault
            .list_enabled()
            .await?
            .into_iter()
            .find(|a| a.name == account_name)
            .ok_or(BackendError::NotFound("cloud account"))?;
        let client_token = if info.kind == ActionKind::Write
            && polardb::models::CLIENT_TOKEN_ACTIONS.contains(&action)
        {
            match find("ClientToken").filter(|t| !t.is_empty()) {
                Some(t) => Some(t),
                None => {
                    let t = Uuid::new_v4().to_string();
                    params.retain(|(k, _)| k != "ClientToken");
                    params.push(("ClientToken".into(), t.clone()));
                    Some(t)
                }
            }
        } else {
            None
        };
        let intent_seq = if info.kind == ActionKind::Write {
            let intent = Event {
                client_token: client_token.clone(),
                ..base.clone()
            };
            Some(self.audit.append(&intent).await.map_err(|e| {
                tracing::error!(error = %e, action, "audit store unavailable; write not sent");
                BackendError::AuditUnavailable
            })?)
        } else {
            None
        };
        let (creds, target) = self.vault.credentials(&account).await?;
        let exchange = self
            .client
            .execute(&target, &creds, region, action, info.kind, params)
            .await;
        drop(creds);
        let (outcome, error_code, error_message) = match &exchange.result {
            Ok(_) => (Outcome::Ok, None, None),
            Err(e) if e.code == "Timeout" && info.kind == ActionKind::Write => (
                Outcome::Unknown,
                Some(e.code.clone()),
                Some(e.message.clone()),
            ),
            Err(e) => (
                Outcome::Error,
                Some(e.code.clone()),
                Some(e.message.clone()),
            ),
        };
        self.metrics.inc(
            "polar_upstream_calls_total",
            &[
                ("action", info.name),
                ("outcome", outcome.as_str()),
                ("code", error_code.as_deref().unwrap_or("")),
            ],
        );
        self.metrics.observe(
            "polar_upstream_call_duration_seconds",
            &[("action", info.name)],
            exchange.elapsed.as_secs_f64(),
        );
        if exchange.attempts > 1 {
            self.metrics.add(
                "polar_upstream_retries_total",
                &[("action", info.name)],
                u64::from(exchange.attempts - 1),
            );
        }
        tracing::info!(
            action,
            region,
            account = account_name,
            outcome = ?outcome,
            attempts = exchange.attempts,
            upstream_request_id = %exchange.request_id,
            request_id = caller.actor.request_id.as_deref().unwrap_or_default(),
            "PolarDB call"
        );
        let done = Event {
            outcome,
            http_status: Some(exchange.status as i32),
            error_code,
            error_message,
            upstream_request_id: Some(exchange.request_id.clone()).filter(|s| !s.is_empty()),
            client_token,
            attempts: Some(exchange.attempts as i32),
            latency_ms: Some(exchange.elapsed.as_millis().min(i32::MAX as u128) as i32),
            intent_seq,
            ..base
        };
        self.audit.append(&done).await.map_err(|e| {
            tracing::error!(error = %e, action, "audit store unavailable after the call");
            BackendError::AuditUnavailable
        })?;
        let body = exchange.result?;
        Ok(Invoked {
            request_id: exchange.request_id,
            body,
        })
    }

    /// The cloud account names and the union of their regions, for the top bar's menus.
    /// A region list that cannot be read is left out here; the cluster list reports it.
    pub async fn choices(
        &self,
        caller: &Caller,
    ) -> Result<(Vec<String>, Vec<String>), BackendError> {
        let accounts = self.vault.list_enabled().await?;
        let lists = join_all(
            accounts
                .iter()
                .map(|account| async move { self.regions_of(caller, account).await.ok() }),
        )
        .await;
        let mut regions: Vec<String> = lists.into_iter().flatten().flatten().collect();
        regions.sort();
        regions.dedup();
        Ok((accounts.into_iter().map(|a| a.name).collect(), regions))
    }
}

/// A failure as the list's banner shows it.
fn as_api_error(e: BackendError) -> ApiError {
    match e {
        BackendError::Upstream(api) => api,
        other => ApiError::transport("ConsoleError", other.to_string()),
    }
}

#[cfg(test)]
mod fleet_filter_tests {
    use super::FleetFilter;
    use polardb::models::{DBClusterSummary, Tag, TagList};

    fn cluster() -> DBClusterSummary {
        DBClusterSummary {
            db_cluster_id: "pc-abc123".into(),
            db_cluster_description: "Orders-Prod".into(),
            db_cluster_status: "Running".into(),
            db_version: "14".into(),
            pay_type: "Prepaid".into(),
            tags: TagList {
                tag: vec![Tag {
                    key: "env".into(),
                    value: "prod".into(),
                }],
            },
            ..Default::default()
        }
    }

    #[test]
    fn every_filter_is_checked_on_the_answer() {
        let c = cluster();
        assert!(FleetFilter::default().matches(&c));
        let q = |f: fn(&mut FleetFilter)| {
            let mut q = FleetFilter::default();
            f(&mut q);
            q.matches(&c)
        };
        assert!(q(|q| q.text = Some("orders".into())));
        assert!(q(|q| q.text = Some("ABC1".into())));
        assert!(!q(|q| q.text = Some("billing".into())));
        assert!(q(|q| q.status = Some("Running".into())));
        assert!(!q(|q| q.status = Some("Creating".into())));
        assert!(q(|q| q.version = Some("14".into())));
        assert!(!q(|q| q.version = Some("11".into())));
        assert!(!q(|q| q.pay_type = Some("Postpaid".into())));
        assert!(q(|q| q.tag = Some(("env".into(), None))));
        assert!(q(|q| q.tag = Some(("env".into(), Some("prod".into())))));
        assert!(!q(|q| q.tag = Some(("env".into(), Some("dev".into())))));
        assert!(!q(|q| q.tag = Some(("team".into(), None))));
    }
}
