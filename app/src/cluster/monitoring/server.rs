//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// The collection interval (DescribeDBClusterMonitor) and whether the user may change it.
#[server]
pub async fn monitor_setting(
    account: String,
    region: String,
    cluster: String,
) -> Result<MonitorInfo, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let period = read_period(&api, &account, &region, &cluster).await?;
    let allowed = crate::api::permissions(
        account.clone(),
        region.clone(),
        Some(cluster.clone()),
        vec!["polardb:ModifyDBClusterMonitor".into()],
    )
    .await?;
    Ok(MonitorInfo {
        account,
        region,
        cluster,
        period,
        can_modify: !allowed.is_empty(),
    })
}

/// Sets the collection interval (ModifyDBClusterMonitor: 5 or 60 s). Returns the RequestId.
/// Its form posts by itself before the page is interactive.
#[server]
pub async fn set_monitor_period(
    account: String,
    region: String,
    cluster: String,
    period: String,
) -> Result<String, AppError> {
    if let Some(p) = period_problem(crate::api::ssr::request_locale(), &period) {
        return Err(invalid("Collection interval", p));
    }
    let api = crate::call::Api::signed_in().await?;
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyDBClusterMonitor {
                db_cluster_id: cluster,
                period,
            },
        )
        .await?;
    Ok(answer.request_id)
}

/// The performance of the cluster (`node` empty: DescribeDBClusterPerformance) or of one
/// node (DescribeDBNodePerformance) over `range` (`1h`, `1d`, `7d`, or `custom` from
/// `start` to `end`, UTC), every key of [`CHARTS`] in calls of at most five keys.
#[server]
pub async fn performance(
    account: String,
    region: String,
    cluster: String,
    node: String,
    range: String,
    start: String,
    end: String,
) -> Result<PerfData, AppError> {
    let now = now_ms();
    let locale = crate::api::ssr::request_locale();
    let (s, e) = match preset_span(&range) {
        Some(span) => {
            let e = now - now.rem_euclid(MINUTE);
            (e - span, e)
        }
        None if range == "custom" => {
            if let Some(p) = custom_range_problem(locale, &start, &end, now) {
                return Err(invalid("Time range", p));
            }
            (
                parse_minute(&start).unwrap_or_default(),
                parse_minute(&end).unwrap_or_default(),
            )
        }
        None => {
            return Err(invalid(
                "Time range",
                td_string!(locale, cluster_data.invalid_range_choice).to_string(),
            ))
        }
    };
    let api = crate::call::Api::signed_in().await?;
    let period = read_period(&api, &account, &region, &cluster).await?;
    let (start_s, end_s) = (fmt_minute(s), fmt_minute(e));
    let mut series = Vec::new();
    let mut request_ids = Vec::new();
    for keys in key_batches() {
        let key = keys.join(",");
        let points = |p: &polardb::models::PerformancePoints| -> Vec<(i64, f64)> {
            p.performance_item_value
                .iter()
                .filter_map(|v| v.value.trim().parse::<f64>().ok().map(|x| (v.timestamp, x)))
                .collect()
        };
        if node.is_empty() {
            let body = api
                .call(
                    &account,
                    &region,
                    &polardb::models::DescribeDBClusterPerformance {
                        db_cluster_id: cluster.clone(),
                        start_time: start_s.clone(),
                        end_time: end_s.clone(),
                        key,
                    },
                )
                .await?;
            request_ids.push(body.request_id);
            for item in body.performance_keys.performance_item {
                let p = points(&item.points);
                series.push(MetricSeries {
                    node: item.db_node_id,
                    key: item.measurement,
                    metric: item.metric_name,
                    returned: p.len(),
                    points: downsample(&p, MAX_DRAWN),
                });
            }
        } else {
            let body = api
                .call(
                    &account,
                    &region,
                    &polardb::models::DescribeDBNodePerformance {
                        db_node_id: node.clone(),
                        db_cluster_id: Some(cluster.clone()),
                        start_time: start_s.clone(),
                        end_time: end_s.clone(),
                        key,
                    },
                )
                .await?;
            request_ids.push(body.request_id);
            for item in body.performance_keys.performance_item {
                let p = points(&item.points);
                series.push(MetricSeries {
                    node: node.clone(),
                    key: item.measurement,
                    metric: item.metric_name,
                    returned: p.len(),
                    points: downsample(&p, MAX_DRAWN),
                });
            }
        }
    }
    Ok(PerfData {
        start_ms: s,
        end_ms: e,
        start: start_s,
        end: end_s,
        resolution_ms: resolution_ms(e - s, &period),
        period,
        series,
        request_ids,
    })
}
