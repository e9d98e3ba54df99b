//! `/backups/released`: backups of released clusters, across every cloud account and region
//! the user can see. Per region, DescribeDBClustersWithBackups (IsDeleted=1) lists the
//! released clusters that kept backups; per cluster, DescribeDetachedBackups lists them.
//! A region (or cluster) whose call fails is named in a banner; the others still show.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::RegionProblem;
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{
    api_word, human_bytes, human_time, pay_type_label, Empty, ErrorBox, Loading, StatusBadge,
};
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
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let scope = move || {
        (
            query.read().get("account").unwrap_or_default(),
            query.read().get("region").unwrap_or_default(),
        )
    };
    let data = Resource::new(scope, |(a, r)| released_backups(a, r));
    view! {
        <Title text=move || t_string!(i18n, fleet.released_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, fleet.released_title)}</h1>
            <p class="muted">{t!(i18n, fleet.released_lead)}</p>
            <p class="banner" role="note" data-testid="released-limits">
                {t!(i18n, fleet.released_limits)}
            </p>
        </div>
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, fleet.asking_everywhere) /> }>
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
                            <p>{
                                let (failed, asked) = (problems.len(), v.asked);
                                move || t_string!(i18n, fleet.pairs_unreadable, failed = failed, asked = asked)
                            }</p>
                            <ul>
                                {problems.into_iter().map(|p| view! {
                                    <li>
                                        <strong>{
                                            let (account, region) = (p.account.clone(), p.region.clone());
                                            move || format!("{} · {}", account, if region.is_empty() { t_string!(i18n, fleet.regions_paren).to_string() } else { region.clone() })
                                        }</strong>
                                        {format!(": {}", p.message)}
                                        <span class="mono muted">{format!(" {} {}", p.code, if p.request_id.is_empty() { String::new() } else { format!("· RequestId {}", p.request_id) })}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })}
                    <p class="muted small-print" data-testid="released-summary">
                        {
                            let (clusters, asked) = (v.clusters.len(), v.asked);
                            let s = |n: usize| if n == 1 { "" } else { "s" };
                            move || t_string!(i18n, fleet.released_summary,
                                clusters = clusters, s1 = s(clusters),
                                count = count, s2 = s(count),
                                size = human_bytes(total), asked = asked, s3 = s(asked))
                        }
                    </p>
                    {if v.clusters.is_empty() {
                        view! { {move || view! { <Empty title=t_string!(i18n, fleet.no_released) hint=t_string!(i18n, fleet.no_released_hint) /> }} }.into_any()
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
                                                {
                                                    let (account, c) = (rc.account.clone(), c.clone());
                                                    move || t_string!(i18n, fleet.released_line,
                                                        account = &account, region = &c.region_id, zone = &c.zone_id,
                                                        db_type = api_word(&c.db_type), version = &c.db_version, class = &c.db_node_class,
                                                        pay = pay_type_label(&c.pay_type), created = human_time(&c.create_time),
                                                        released = human_time(&c.deleted_time))
                                                }
                                            </p>
                                            {rc.problem.clone().map(|p| view! { <p class="refusal" role="alert">{move || t_string!(i18n, fleet.backups_unreadable, problem = p.clone())}</p> })}
                                            {(!rc.backups.is_empty()).then(|| view! {
                                                <div class="table-wrap">
                                                    <table class="grid" data-testid="detached-table">
                                                        <thead><tr><th>{t!(i18n, fleet.col_backup)}</th><th>{t!(i18n, fleet.col_started)}</th><th>{t!(i18n, fleet.col_finished)}</th><th>{t!(i18n, fleet.col_mode)}</th><th>{t!(i18n, fleet.col_level)}</th><th class="num">{t!(i18n, fleet.col_size)}</th><th>{t!(i18n, fleet.col_status)}</th><th>{t!(i18n, fleet.col_consistent_at)}</th></tr></thead>
                                                        <tbody>
                                                            {rc.backups.iter().map(|b| view! {
                                                                <tr data-backup-id=b.backup_id.clone()>
                                                                    <td class="mono">{b.backup_id.clone()}</td>
                                                                    <td class="mono nowrap">{human_time(&b.backup_start_time)}</td>
                                                                    <td class="mono nowrap">{human_time(&b.backup_end_time)}</td>
                                                                    <td>{
                                                                        let manual = b.backup_mode == "Manual";
                                                                        move || if manual { t_string!(i18n, fleet.mode_manual) } else { t_string!(i18n, fleet.mode_automatic) }
                                                                    }</td>
                                                                    <td>{
                                                                        let level = b.backups_level.clone();
                                                                        move || api_word(&level)
                                                                    }</td>
                                                                    <td class="num">{b.backup_set_size.parse::<i64>().map(human_bytes).unwrap_or_default()}</td>
                                                                    <td><StatusBadge status=b.backup_status.clone() /></td>
                                                                    <td class="mono">{b.consistent_time.parse::<i64>().map(|s| crate::kit::chart::fmt_minute(s * 1000)).unwrap_or_default()}</td>
                                                                </tr>
                                                            }).collect_view()}
                                                        </tbody>
                                                    </table>
                                                </div>
                                                <p class="muted small-print">{
                                                    let n = rc.backups.len();
                                                    move || t_string!(i18n, fleet.backups_in_all, n = n, size = human_bytes(size))
                                                }</p>
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
