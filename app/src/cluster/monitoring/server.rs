//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// The collection interval (DescribeDBClusterMonitor) and whether the user may change it.
#[server]
pub async fn monitor_setting(
    account: String,
    region: String,
    cluster: String,
) -> Result<MonitorInfo, AppError> {
    let period = read_period(&account, &region, &cluster).await?;
    let allowed = crate::api::permissions(
        account,
        region,
        Some(cluster),
        vec!["polardb:ModifyDBClusterMonitor".into()],
    )
    .await?;
    Ok(MonitorInfo {
        period,
        can_modify: !allowed.is_empty(),
    })
}

/// Sets the collection interval (ModifyDBClusterMonitor: 5 or 60 s). Returns the RequestId.
#[server]
pub async fn set_monitor_period(
    account: String,
    region: String,
    cluster: String,
    period: String,
) -> Result<String, AppError> {
    if let Some(p) = period_problem(&period) {
        return Err(invalid("Collection interval", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyDBClusterMonitor".into(),
        vec![("DBClusterId".into(), cluster), ("Period".into(), period)],
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
    let (s, e) = match preset_span(&range) {
        Some(span) => {
            let e = now - now.rem_euclid(MINUTE);
            (e - span, e)
        }
        None if range == "custom" => {
            if let Some(p) = custom_range_problem(&start, &end, now) {
                return Err(invalid("Time range", p));
            }
            (
                parse_minute(&start).unwrap_or_default(),
                parse_minute(&end).unwrap_or_default(),
            )
        }
        None => return Err(invalid("Time range", "choose 1h, 1d, 7d or custom")),
    };
    let period = read_period(&account, &region, &cluster).await?;
    let (start_s, end_s) = (fmt_minute(s), fmt_minute(e));
    let mut series = Vec::new();
    let mut request_ids = Vec::new();
    for keys in key_batches() {
        let key = keys.join(",");
        let mut params = vec![
            ("StartTime".to_string(), start_s.clone()),
            ("EndTime".to_string(), end_s.clone()),
            ("Key".to_string(), key),
        ];
        let points = |p: &polardb::models::PerformancePoints| -> Vec<(i64, f64)> {
            p.performance_item_value
                .iter()
                .filter_map(|v| v.value.trim().parse::<f64>().ok().map(|x| (v.timestamp, x)))
                .collect()
        };
        if node.is_empty() {
            params.push(("DBClusterId".into(), cluster.clone()));
            let answer = crate::api::call_api(
                account.clone(),
                region.clone(),
                "DescribeDBClusterPerformance".into(),
                params,
            )
            .await?;
            request_ids.push(answer.request_id);
            let body: polardb::models::DescribeDBClusterPerformanceResponse =
                parse("DescribeDBClusterPerformance", &answer.json)?;
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
            params.push(("DBNodeId".into(), node.clone()));
            params.push(("DBClusterId".into(), cluster.clone()));
            let answer = crate::api::call_api(
                account.clone(),
                region.clone(),
                "DescribeDBNodePerformance".into(),
                params,
            )
            .await?;
            request_ids.push(answer.request_id);
            let body: polardb::models::DescribeDBNodePerformanceResponse =
                parse("DescribeDBNodePerformance", &answer.json)?;
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
