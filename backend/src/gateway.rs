//! The signing gateway: sends PolarDB calls with a cloud account's key, and fans reads
//! out over every account and region concurrently.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use polardb::client::{Client, Credentials, Target};
use polardb::models::{DBClusterSummary, DescribeDBClusters, DescribeRegions};
use polardb::ApiError;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::vault::{CloudAccount, Vault};
use crate::BackendError;

const REGION_CACHE_TTL: Duration = Duration::from_secs(600);

/// Each cloud account's region list and when it was read.
type RegionCache = Arc<Mutex<HashMap<Uuid, (Instant, Vec<String>)>>>;

#[derive(Clone)]
pub struct Gateway {
    vault: Vault,
    client: Client,
    regions: RegionCache,
}

/// Which part of the fleet to list.
#[derive(Clone, Debug, Default)]
pub struct FleetQuery {
    /// A cloud account's name; all accounts when `None`.
    pub account: Option<String>,
    /// A region id; all regions when `None`.
    pub region: Option<String>,
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
    pub fn new(vault: Vault, client: Client) -> Self {
        Gateway {
            vault,
            client,
            regions: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The regions to show for an account: its configured list, else DescribeRegions (cached).
    async fn regions_of(
        &self,
        account: &CloudAccount,
        creds: &Credentials,
        target: &Target,
    ) -> Result<Vec<String>, ApiError> {
        if !account.regions.is_empty() {
            return Ok(account.regions.clone());
        }
        if let Some((at, list)) = self.regions.lock().await.get(&account.id) {
            if at.elapsed() < REGION_CACHE_TTL {
                return Ok(list.clone());
            }
        }
        let answer = self
            .client
            .call(target, creds, "cn-hangzhou", &DescribeRegions {})
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

    /// The cloud account names and the union of their regions, for the top bar's menus.
    /// A region list that cannot be read is left out here; the cluster list reports it.
    pub async fn choices(&self) -> Result<(Vec<String>, Vec<String>), BackendError> {
        let accounts = self.vault.list_enabled().await?;
        let lists = join_all(accounts.iter().map(|account| async move {
            let (creds, target) = self.vault.credentials(account).await.ok()?;
            self.regions_of(account, &creds, &target).await.ok()
        }))
        .await;
        let mut regions: Vec<String> = lists.into_iter().flatten().flatten().collect();
        regions.sort();
        regions.dedup();
        Ok((accounts.into_iter().map(|a| a.name).collect(), regions))
    }

    /// All pages of DescribeDBClusters for one region.
    async fn clusters_in(
        &self,
        creds: &Credentials,
        target: &Target,
        region: &str,
    ) -> Result<Vec<DBClusterSummary>, ApiError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let answer = self
                .client
                .call(
                    target,
                    creds,
                    region,
                    &DescribeDBClusters {
                        region_id: region.to_string(),
                        page_size: Some(100),
                        page_number: Some(page),
                        ..Default::default()
                    },
                )
                .await?;
            let got = answer.items.db_cluster.len();
            all.extend(answer.items.db_cluster);
            if got == 0 || all.len() >= answer.total_record_count as usize {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// Lists the fleet: every chosen account, every chosen region, concurrently.
    pub async fn fleet(&self, query: &FleetQuery) -> Result<FleetView, BackendError> {
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
            let (creds, target) = match self.vault.credentials(account).await {
                Ok(c) => c,
                Err(e) => {
                    return (
                        Vec::new(),
                        Vec::new(),
                        vec![RegionFailure {
                            account: account.name.clone(),
                            region: String::new(),
                            error: ApiError::transport("CredentialsUnavailable", e.to_string()),
                        }],
                    )
                }
            };
            let regions = match self.regions_of(account, &creds, &target).await {
                Ok(r) => r,
                Err(error) => {
                    return (
                        Vec::new(),
                        Vec::new(),
                        vec![RegionFailure {
                            account: account.name.clone(),
                            region: String::new(),
                            error,
                        }],
                    )
                }
            };
            let wanted: Vec<&String> = regions
                .iter()
                .filter(|r| query.region.as_ref().is_none_or(|q| q == *r))
                .collect();
            let results = join_all(wanted.iter().map(|region| {
                let creds = &creds;
                let target = &target;
                async move {
                    (
                        region.to_string(),
                        self.clusters_in(creds, target, region).await,
                    )
                }
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
                        error,
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
}
