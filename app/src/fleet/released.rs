//! `/backups/released`: backups of released clusters, across every cloud account and region
//! the user can see. Per region, DescribeDBClustersWithBackups (IsDeleted=1) lists the
//! released clusters that kept backups; per cluster, DescribeDetachedBackups lists them.
//! A region (or cluster) whose call fails is named in a banner; the others still show.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::kit::{human_bytes, human_time, pay_type_label, Empty, ErrorBox, Loading, StatusBadge};
use crate::AppError;

/// A released cluster as the page shows it (from DescribeDBClustersWithBackups).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleasedInfo {
    pub db_cluster_id: String,
    pub db_cluster_description: String,
    pub db_cluster_status: String,
    pub region_id: String,
    pub zone_id: String,
    pub db_type: String,
    pub db_version: String,
    pub db_node_class: String,
    pub pay_type: String,
    pub create_time: String,
    pub deleted_time: String,
}

#[cfg(feature = "ssr")]
impl From<polardb::models::DBClusterWithBackups> for ReleasedInfo {
    fn from(c: polardb::models::DBClusterWithBackups) -> Self {
        ReleasedInfo {
            db_cluster_id: c.db_cluster_id,
            db_cluster_description: c.db_cluster_description,
            db_cluster_status: c.db_cluster_status,
            region_id: c.region_id,
            zone_id: c.zone_id,
            db_type: c.db_type,
            db_version: c.db_version,
            db_node_class: c.db_node_class,
            pay_type: c.pay_type,
            create_time: c.create_time,
            deleted_time: c.deleted_time,
        }
    }
}

/// A kept backup as the page shows it (from DescribeDetachedBackups).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DetachedBackup {
    pub backup_id: String,
    pub backup_start_time: String,
    pub backup_end_time: String,
    pub backup_mode: String,
    pub backups_level: String,
    pub backup_set_size: String,
    pub backup_status: String,
    pub consistent_time: String,
}

#[cfg(feature = "ssr")]
impl From<polardb::models::DetachedBackup> for DetachedBackup {
    fn from(b: polardb::models::DetachedBackup) -> Self {
        DetachedBackup {
            backup_id: b.backup_id,
            backup_start_time: b.backup_start_time,
            backup_end_time: b.backup_end_time,
            backup_mode: b.backup_mode,
            backups_level: b.backups_level,
            backup_set_size: b.backup_set_size,
            backup_status: b.backup_status,
            consistent_time: b.consistent_time,
        }
    }
}

/// A released cluster and its kept backups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleasedCluster {
    pub account: String,
    pub cluster: ReleasedInfo,
    pub backups: Vec<DetachedBackup>,
    /// Why the backups could not be read, if so.
    pub problem: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleasedView {
    pub clusters: Vec<ReleasedCluster>,
    pub problems: Vec<RegionProblem>,
    /// (account, region) pairs asked.
    pub asked: usize,
}

/// The total size of some backups, in bytes.
pub fn total_size(backups: &[DetachedBackup]) -> i64 {
    backups
        .iter()
        .filter_map(|b| b.backup_set_size.parse::<i64>().ok())
        .sum()
}

/// Every released cluster with kept backups in the accounts and regions the user can see
/// (optionally one account or region), with its backups.
#[server]
pub async fn released_backups(account: String, region: String) -> Result<ReleasedView, AppError> {
    let ctx = crate::api::console_context().await?;
    let api = crate::call::Api::signed_in().await?;
    let accounts: Vec<String> = ctx
        .accounts
        .into_iter()
        .filter(|a| account.is_empty() || *a == account)
        .collect();
    let regions: Vec<String> = ctx
        .regions
        .into_iter()
        .filter(|r| region.is_empty() || *r == region)
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let end = crate::kit::chart::fmt_minute(now - now.rem_euclid(60_000) + 120_000);
    let mut view = ReleasedView {
        clusters: Vec::new(),
        problems: Vec::new(),
        asked: 0,
    };
    for a in &accounts {
        for r in &regions {
            view.asked += 1;
            // Every page (one the role filter emptied is read past).
            let listed = polardb::client::collect_pages(100, |page, size| {
                let api = &api;
                async move {
                    let body = api
                        .call(
                            a,
                            r,
                            &polardb::models::DescribeDBClustersWithBackups {
                                region_id: r.clone(),
                                is_deleted: Some(1),
                                page_size: Some(size),
                                page_number: Some(page),
                                ..Default::default()
                            },
                        )
                        .await?;
                    let total = u64::try_from(body.total_record_count).unwrap_or(0);
                    Ok::<_, AppError>((body.items.db_cluster, total))
                }
            })
            .await;
            let clusters = match listed {
                Ok(c) => c,
                Err(e) => {
                    view.problems.push(RegionProblem::of(a, r, e));
                    continue;
                }
            };
            for c in clusters {
                let backups = api
                    .call(
                        a,
                        r,
                        &polardb::models::DescribeDetachedBackups {
                            db_cluster_id: c.db_cluster_id.clone(),
                            start_time: "2000-01-01T00:00Z".into(),
                            end_time: end.clone(),
                            page_size: Some(100),
                            ..Default::default()
                        },
                    )
                    .await;
                let (backups, problem) = match backups {
                    Ok(b) => (b.items.backup.into_iter().map(Into::into).collect(), None),
                    Err(e) => (Vec::new(), Some(e.to_string())),
                };
                view.clusters.push(ReleasedCluster {
                    account: a.clone(),
                    cluster: c.into(),
                    backups,
                    problem,
                });
            }
        }
    }
    view.clusters.sort_by(|x, y| {
        y.cluster
            .deleted_time
            .cmp(&x.cluster.deleted_time)
            .then(x.cluster.db_cluster_id.cmp(&y.cluster.db_cluster_id))
    });
    Ok(view)
}

/// `/backups/released`.
#[component]
pub fn ReleasedBackupsPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let scope = move || {
        (
            query.read().get("account").unwrap_or_default(),
            query.read().get("region").unwrap_or_default(),
        )
    };
    let data = Resource::new(scope, |(a, r)| released_backups(a, r));
    view! {
        <Title text="Backups of released clusters" />
        <div class="page-head">
            <h1>"Backups of released clusters"</h1>
            <p class="muted">"Clusters released with their backups kept (all, or the last one taken before release): what is kept and how much space it takes."</p>
            <p class="banner" role="note" data-testid="released-limits">
                "What the API allows here is to list them (DescribeDBClustersWithBackups, DescribeDetachedBackups). It has no way to restore them: a clone or restore (CreateDBCluster with CloneFromPolarDB) takes its data from a cluster that still exists, and a released cluster has none to name. Nor can they be deleted through it: DeleteBackup needs the cluster Running. Restore or delete a released cluster's backups in the Alibaba Cloud console; restore a live cluster's backup from its Backups tab."
            </p>
        </div>
        <Transition fallback=|| view! { <Loading label="Asking every account and region…" /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let problems = v.problems.clone();
                let total: i64 = v.clusters.iter().map(|c| total_size(&c.backups)).sum();
                let count: usize = v.clusters.iter().map(|c| c.backups.len()).sum();
                view! {
                    {(!problems.is_empty()).then(|| view! {
                        <div class="banner banner-error" role="alert" data-testid="region-problems">
                            <p>{format!("{} of {} account/region pairs could not be read; the others are shown.", problems.len(), v.asked)}</p>
                            <ul>
                                {problems.into_iter().map(|p| view! {
                                    <li>
                                        <strong>{format!("{} · {}", p.account, if p.region.is_empty() { "(regions)".to_string() } else { p.region.clone() })}</strong>
                                        {format!(": {}", p.message)}
                                        <span class="mono muted">{format!(" {} {}", p.code, if p.request_id.is_empty() { String::new() } else { format!("· RequestId {}", p.request_id) })}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })}
                    <p class="muted small-print" data-testid="released-summary">
                        {format!("{} released cluster{} with {count} kept backup{} ({}) in {} account/region pair{}.",
                            v.clusters.len(), if v.clusters.len() == 1 { "" } else { "s" },
                            if count == 1 { "" } else { "s" }, human_bytes(total), v.asked, if v.asked == 1 { "" } else { "s" })}
                    </p>
                    {if v.clusters.is_empty() {
                        view! { <Empty title="No released cluster kept its backups." hint="When a cluster is deleted with “keep all backups” or “keep the last backup”, it appears here." /> }.into_any()
                    } else {
                        view! {
                            <div class="released-list" data-testid="released-list">
                                {v.clusters.into_iter().map(|rc| {
                                    let c = rc.cluster.clone();
                                    let size = total_size(&rc.backups);
                                    view! {
                                        <section class="panel" data-cluster-id=c.db_cluster_id.clone()>
                                            <h2>
                                                <span class="mono">{c.db_cluster_id.clone()}</span>
                                                " "
                                                {(!c.db_cluster_description.is_empty()).then(|| view! { <span>{c.db_cluster_description.clone()}</span> })}
                                                " "
                                                <StatusBadge status=c.db_cluster_status.clone() />
                                            </h2>
                                            <p class="muted small-print">
                                                {format!("{} · {} ({}) · {} {} · {} · {} · created {} · released {}",
                                                    rc.account, c.region_id, c.zone_id, c.db_type, c.db_version, c.db_node_class,
                                                    pay_type_label(&c.pay_type), human_time(&c.create_time), human_time(&c.deleted_time))}
                                            </p>
                                            {rc.problem.clone().map(|p| view! { <p class="refusal" role="alert">{format!("Its backups could not be read: {p}")}</p> })}
                                            {(!rc.backups.is_empty()).then(|| view! {
                                                <div class="table-wrap">
                                                    <table class="grid" data-testid="detached-table">
                                                        <thead><tr><th>"Backup"</th><th>"Started"</th><th>"Finished"</th><th>"Mode"</th><th>"Level"</th><th class="num">"Size"</th><th>"Status"</th><th>"Consistent at"</th></tr></thead>
                                                        <tbody>
                                                            {rc.backups.iter().map(|b| view! {
                                                                <tr data-backup-id=b.backup_id.clone()>
                                                                    <td class="mono">{b.backup_id.clone()}</td>
                                                                    <td class="mono nowrap">{human_time(&b.backup_start_time)}</td>
                                                                    <td class="mono nowrap">{human_time(&b.backup_end_time)}</td>
                                                                    <td>{if b.backup_mode == "Manual" { "Manual" } else { "Automatic" }}</td>
                                                                    <td>{b.backups_level.clone()}</td>
                                                                    <td class="num">{b.backup_set_size.parse::<i64>().map(human_bytes).unwrap_or_default()}</td>
                                                                    <td><StatusBadge status=b.backup_status.clone() /></td>
                                                                    <td class="mono">{b.consistent_time.parse::<i64>().map(|s| crate::kit::chart::fmt_minute(s * 1000)).unwrap_or_default()}</td>
                                                                </tr>
                                                            }).collect_view()}
                                                        </tbody>
                                                    </table>
                                                </div>
                                                <p class="muted small-print">{format!("{} backups, {} in all.", rc.backups.len(), human_bytes(size))}</p>
                                            })}
                                        </section>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_add_up() {
        let b = |s: &str| DetachedBackup {
            backup_set_size: s.into(),
            ..Default::default()
        };
        assert_eq!(total_size(&[b("100"), b("250"), b("x")]), 350);
        assert_eq!(total_size(&[]), 0);
    }
}
