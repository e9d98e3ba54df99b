//! Server functions of the create wizard: the choices the region offers, and the creation itself.

use super::*;

// ---------------------------------------------------------------------------------------
// Server functions.

/// What DescribeDBClusterAvailableResources offers PostgreSQL in a region, by zone.
#[server(input = server_fn::codec::Json)]
pub async fn create_choices(
    account: String,
    region: String,
    pay_type: String,
) -> Result<Vec<ZoneOffer>, AppError> {
    if pay_type != "Postpaid" && pay_type != "Prepaid" {
        let locale = crate::api::ssr::request_locale();
        return Err(AppError::Invalid {
            field: "Billing".into(),
            message: td_string!(locale, fleet.must_be_pay_type).into(),
        });
    }
    let api = crate::call::Api::signed_in().await?;
    let parsed = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeDBClusterAvailableResources {
                region_id: Some(region.clone()),
                pay_type,
                ..Default::default()
            },
        )
        .await?;
    Ok(offers(parsed))
}

/// How far back the wizard looks for a source's backups.
#[cfg(feature = "ssr")]
const BACKUP_DAYS: i64 = 730;

/// A cluster as a source of a clone: DescribeDBClusterAttribute, its completed backups
/// (DescribeBackups) and the range its log backups cover (DescribeBackupLogs, first and
/// last page), from which the restorable window follows.
#[server(input = server_fn::codec::Json)]
pub async fn describe_clone_source(
    account: String,
    region: String,
    id: String,
) -> Result<CloneSource, AppError> {
    let api = crate::call::Api::signed_in().await?;
    read_clone_source(&api, &account, &region, &id).await
}

#[cfg(feature = "ssr")]
async fn read_clone_source(
    api: &crate::call::Api,
    account: &str,
    region: &str,
    id: &str,
) -> Result<CloneSource, AppError> {
    use polardb::models::{DescribeBackupLogs, DescribeBackups, DescribeDBClusterAttribute};
    use polardb::rules::{api_minute, api_time, restorable_window};
    let attr = api
        .call(
            account,
            region,
            &DescribeDBClusterAttribute {
                db_cluster_id: id.to_string(),
            },
        )
        .await?;
    let now = crate::kit::now_secs();
    let backups = api
        .call(
            account,
            region,
            &DescribeBackups {
                db_cluster_id: id.to_string(),
                start_time: api_minute(now - BACKUP_DAYS * 86_400),
                end_time: api_minute(now + 60),
                backup_status: Some("Success".into()),
                page_size: Some(100),
                page_number: Some(1),
                ..Default::default()
            },
        )
        .await?;
    let mut completed: Vec<(i64, (String, String, String))> = backups
        .items
        .backup
        .into_iter()
        .filter(|b| b.backup_status == "Success")
        .filter_map(|b| {
            api_time(&b.backup_end_time)
                .map(|t| (t, (b.backup_id, b.backup_end_time, b.backup_mode)))
        })
        .collect();
    completed.sort_by_key(|b| std::cmp::Reverse(b.0));
    // The logs from the oldest completed backup on: the first page's first and the last
    // page's last archive bound the range (they come oldest first).
    let mut window = None;
    if let Some(oldest) = completed.last().map(|b| b.0) {
        let logs = |page: u32| DescribeBackupLogs {
            db_cluster_id: id.to_string(),
            start_time: api_minute(oldest - 3_660),
            end_time: api_minute(now + 60),
            page_size: Some(100),
            page_number: Some(page),
        };
        let first = api.call(account, region, &logs(1)).await?;
        let total: u32 = first.total_record_count.parse().unwrap_or(0);
        let pages = total.div_ceil(100).max(1);
        let last = if pages > 1 {
            api.call(account, region, &logs(pages)).await?
        } else {
            first.clone()
        };
        let start = first
            .items
            .backup_log
            .iter()
            .filter_map(|l| api_time(&l.backup_log_start_time))
            .min();
        let end = last
            .items
            .backup_log
            .iter()
            .filter_map(|l| api_time(&l.backup_log_end_time))
            .max();
        let ends: Vec<i64> = completed.iter().map(|b| b.0).collect();
        window = restorable_window(&ends, start, end);
    }
    Ok(CloneSource {
        id: attr.db_cluster_id,
        name: attr.db_cluster_description,
        status: attr.db_cluster_status,
        version: attr.db_version,
        backups: completed.into_iter().map(|b| b.1).collect(),
        window,
    })
}

/// The outcome of a creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
    pub request_id: String,
    /// Why the tags could not be set (the cluster exists anyway).
    pub tag_error: Option<String>,
}

/// Creates a PostgreSQL cluster (CreateDBCluster, with the wizard's ClientToken), then tags
/// it (TagResources).
#[server(input = server_fn::codec::Json)]
pub async fn create_cluster(req: CreateRequest) -> Result<Created, AppError> {
    // Who asks, before anything they sent is read (fourteenth attack run, F2).
    let api = crate::call::Api::signed_in().await?;
    if let Some((field, message)) = create_problem(&req) {
        return Err(AppError::Invalid {
            field: field.into(),
            message,
        });
    }
    if !req.source.is_empty() {
        // The reference's rules on a clone, checked on what the source has now.
        let source = read_clone_source(&api, &req.account, &req.region, &req.source).await?;
        if req.version != source.version {
            let locale = crate::api::ssr::request_locale();
            let version = &source.version;
            return Err(AppError::Invalid {
                field: "Engine version".into(),
                message: td_string!(locale, fleet.must_be_source_version, version = version)
                    .to_string(),
            });
        }
        if let Some(message) = source.point_problem(&req.point, crate::kit::now_secs()) {
            return Err(AppError::Invalid {
                field: "Data point".into(),
                message,
            });
        }
    }
    let created = api
        .call(&req.account, &req.region, &create_request(&req))
        .await?;
    let id = created.db_cluster_id;
    let tags: Vec<&(String, String)> = req.tags.iter().filter(|(k, _)| !k.is_empty()).collect();
    let mut tag_error = None;
    if !tags.is_empty() {
        let request = polardb::models::TagResources {
            region_id: req.region.clone(),
            resource_type: "cluster".into(),
            resource_id: vec![id.clone()],
            tag: tags
                .iter()
                .map(|(k, v)| polardb::models::TagParam {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        };
        if let Err(e) = api.call(&req.account, &req.region, &request).await {
            tag_error = Some(e.to_string());
        }
    }
    Ok(Created {
        id,
        request_id: created.request_id,
        tag_error,
    })
}
