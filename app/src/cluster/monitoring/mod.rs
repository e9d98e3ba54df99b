//! `/clusters/:id/monitoring`: charts of the cluster's and each node's performance
//! (DescribeDBClusterPerformance, DescribeDBNodePerformance) for the PostgreSQL metric keys
//! of the reference's table (19-04), over the last hour, day, week or a custom range, at
//! the resolution the reference gives for that range and the collection frequency; and
//! the collection frequency itself (DescribeDBClusterMonitor / ModifyDBClusterMonitor).
//!
//! The charts are drawn by [`crate::kit::chart::LineChart`] (inline SVG).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::resolve;
use crate::cluster::frame::ClusterCtx;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::kit::chart::{fmt_minute, parse_minute, LineChart, Series};
use crate::kit::{change_error, role_short, ErrorBox, Loading};
use crate::AppError;

mod page;
mod server;
pub use page::*;
pub use server::*;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
/// The API takes at most five performance keys per call (18.1, 18.3).
pub const MAX_KEYS: usize = 5;
/// Points drawn per line at most; longer series are averaged into this many buckets.
pub const MAX_DRAWN: usize = 720;

/// Words in a language (a chart's title, unit or line label).
pub type Words = fn(Locale) -> &'static str;

/// One chart: what it shows and which performance key and metrics feed it.
pub struct ChartDef {
    pub id: &'static str,
    pub title: Words,
    pub unit: Words,
    pub key: &'static str,
    /// (metric, label) drawn for one node.
    pub metrics: &'static [(&'static str, Words)],
    /// The metrics drawn per node in the whole-cluster view (fewer lines).
    pub cluster_metrics: &'static [&'static str],
}

/// The charts, from the PostgreSQL table of 19-04.
pub const CHARTS: &[ChartDef] = &[
    ChartDef {
        id: "cpu",
        title: |_| "CPU",
        unit: |_| "%",
        key: "PolarDBCPU",
        metrics: &[
            ("cpu_ratio", |_| "CPU"),
            ("cpu_user_ratio", |l| {
                td_string!(l, cluster_data.metric_user)
            }),
            ("cpu_sys_ratio", |l| {
                td_string!(l, cluster_data.metric_system)
            }),
        ],
        cluster_metrics: &["cpu_ratio"],
    },
    ChartDef {
        id: "memory",
        title: |l| td_string!(l, cluster_data.chart_memory),
        unit: |_| "%",
        key: "PolarDBMemory",
        metrics: &[("mem_ratio", |l| td_string!(l, cluster_data.metric_memory))],
        cluster_metrics: &["mem_ratio"],
    },
    ChartDef {
        id: "connections",
        title: |l| td_string!(l, cluster_data.chart_connections),
        unit: |l| td_string!(l, cluster_data.unit_connections),
        key: "PolarDBConnections",
        metrics: &[
            ("mean_total_session", |l| {
                td_string!(l, cluster_data.metric_total)
            }),
            ("mean_active_session", |l| {
                td_string!(l, cluster_data.metric_active)
            }),
            ("mean_idle_connection", |l| {
                td_string!(l, cluster_data.metric_idle)
            }),
            ("mean_waiting_connection", |l| {
                td_string!(l, cluster_data.metric_waiting)
            }),
        ],
        cluster_metrics: &["mean_total_session"],
    },
    ChartDef {
        id: "tps",
        title: |l| td_string!(l, cluster_data.chart_tps),
        unit: |l| td_string!(l, cluster_data.unit_per_s),
        key: "PolarDBQPSTPS",
        metrics: &[
            ("mean_tps", |_| "TPS"),
            ("mean_commits_delta", |l| {
                td_string!(l, cluster_data.metric_commits)
            }),
            ("mean_rollbacks_delta", |l| {
                td_string!(l, cluster_data.metric_rollbacks)
            }),
            ("mean_deadlocks_delta", |l| {
                td_string!(l, cluster_data.metric_deadlocks)
            }),
        ],
        cluster_metrics: &["mean_tps"],
    },
    ChartDef {
        id: "rows",
        title: |l| td_string!(l, cluster_data.chart_rows),
        unit: |l| td_string!(l, cluster_data.unit_rows_s),
        key: "PolarDBRowDML",
        metrics: &[
            ("mean_tup_returned_delta", |l| {
                td_string!(l, cluster_data.metric_scanned)
            }),
            ("mean_tup_fetched_delta", |l| {
                td_string!(l, cluster_data.metric_fetched_by_index)
            }),
            ("mean_tup_inserted_delta", |l| {
                td_string!(l, cluster_data.metric_inserted)
            }),
            ("mean_tup_updated_delta", |l| {
                td_string!(l, cluster_data.metric_updated)
            }),
            ("mean_tup_deleted_delta", |l| {
                td_string!(l, cluster_data.metric_deleted)
            }),
        ],
        cluster_metrics: &["mean_tup_returned_delta"],
    },
    ChartDef {
        id: "iops",
        title: |_| "IOPS",
        unit: |l| td_string!(l, cluster_data.unit_operations_s),
        key: "PolarDBIOSTAT",
        metrics: &[
            ("mean_iops", |l| td_string!(l, cluster_data.metric_total)),
            ("mean_iops_r", |l| td_string!(l, cluster_data.metric_read)),
            ("mean_iops_w", |l| td_string!(l, cluster_data.metric_write)),
        ],
        cluster_metrics: &["mean_iops"],
    },
    ChartDef {
        id: "throughput",
        title: |l| td_string!(l, cluster_data.chart_throughput),
        unit: |_| "MB/s",
        key: "PolarDBIOSTAT",
        metrics: &[
            ("mean_io_throughput", |l| {
                td_string!(l, cluster_data.metric_total)
            }),
            ("mean_io_throughput_r", |l| {
                td_string!(l, cluster_data.metric_read)
            }),
            ("mean_io_throughput_w", |l| {
                td_string!(l, cluster_data.metric_write)
            }),
        ],
        cluster_metrics: &["mean_io_throughput"],
    },
    ChartDef {
        id: "storage",
        title: |l| td_string!(l, cluster_data.chart_storage),
        unit: |_| "MB",
        key: "PolarDBDiskUsage",
        metrics: &[
            ("mean_ins_total_size", |l| {
                td_string!(l, cluster_data.metric_instance_total)
            }),
            ("mean_data_size", |l| {
                td_string!(l, cluster_data.metric_data)
            }),
            ("mean_wal_size", |_| "WAL"),
            ("mean_tmp_size", |l| {
                td_string!(l, cluster_data.metric_temporary)
            }),
            ("mean_log_size", |l| {
                td_string!(l, cluster_data.metric_local_logs)
            }),
        ],
        cluster_metrics: &[
            "mean_ins_total_size",
            "mean_data_size",
            "mean_wal_size",
            "mean_tmp_size",
            "mean_log_size",
        ],
    },
];

/// The distinct performance keys of [`CHARTS`], in groups of at most [`MAX_KEYS`].
pub fn key_batches() -> Vec<Vec<&'static str>> {
    let mut keys: Vec<&'static str> = Vec::new();
    for c in CHARTS {
        if !keys.contains(&c.key) {
            keys.push(c.key);
        }
    }
    keys.chunks(MAX_KEYS).map(|c| c.to_vec()).collect()
}

/// The display interval (ms) the API uses for a range, by the reference's rules (18.1,
/// 18.3): with collection every 5 s, 5 s up to an hour; then 1 min up to a day, 10 min up
/// to 7 days, 1 h up to 30 days, 1 day beyond.
pub fn resolution_ms(range_ms: i64, period: &str) -> i64 {
    if period == "5" && range_ms <= HOUR {
        5_000
    } else if range_ms <= DAY {
        MINUTE
    } else if range_ms <= 7 * DAY {
        10 * MINUTE
    } else if range_ms <= 30 * DAY {
        HOUR
    } else {
        DAY
    }
}

pub fn duration_label(locale: Locale, ms: i64) -> String {
    if ms % DAY == 0 {
        let n = ms / DAY;
        if n == 1 {
            td_string!(locale, cluster_data.n_day, n = n).to_string()
        } else {
            td_string!(locale, cluster_data.n_days, n = n).to_string()
        }
    } else if ms % HOUR == 0 {
        let n = ms / HOUR;
        if n == 1 {
            td_string!(locale, cluster_data.n_hour, n = n).to_string()
        } else {
            td_string!(locale, cluster_data.n_hours, n = n).to_string()
        }
    } else if ms % MINUTE == 0 {
        td_string!(locale, cluster_data.n_min, n = ms / MINUTE).to_string()
    } else {
        td_string!(locale, cluster_data.n_s, n = ms / 1000).to_string()
    }
}

/// What is wrong with a collection frequency (ModifyDBClusterMonitor, 18.4: 5 or 60 s).
pub fn period_problem(locale: Locale, period: &str) -> Option<String> {
    match period {
        "5" | "60" => None,
        _ => Some(td_string!(locale, cluster_data.period_5_or_60).to_string()),
    }
}

/// What is wrong with a custom range (UTC, `YYYY-MM-DDThh:mm`), given the time now.
pub fn custom_range_problem(locale: Locale, start: &str, end: &str, now_ms: i64) -> Option<String> {
    let Some(s) = parse_minute(start) else {
        return Some(td_string!(locale, cluster_data.range_start_format).to_string());
    };
    let Some(e) = parse_minute(end) else {
        return Some(td_string!(locale, cluster_data.range_end_format).to_string());
    };
    if e <= s {
        return Some(td_string!(locale, cluster_data.range_end_after_start).to_string());
    }
    if s > now_ms {
        return Some(td_string!(locale, cluster_data.range_start_future).to_string());
    }
    None
}

/// The chosen range: `1h`, `1d`, `7d` (ending now), or `custom`.
pub fn preset_span(range: &str) -> Option<i64> {
    match range {
        "1h" => Some(HOUR),
        "1d" => Some(DAY),
        "7d" => Some(7 * DAY),
        _ => None,
    }
}

/// Averages a series into at most `max` buckets (a chart is a few hundred pixels wide).
pub fn downsample(points: &[(i64, f64)], max: usize) -> Vec<(i64, f64)> {
    if points.len() <= max || max == 0 {
        return points.to_vec();
    }
    let per = points.len().div_ceil(max);
    points
        .chunks(per)
        .map(|c| {
            let t = c[c.len() / 2].0;
            let v = c.iter().map(|p| p.1).sum::<f64>() / c.len() as f64;
            (t, v)
        })
        .collect()
}

/// One line from the API: which node (empty for the cluster) and metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub node: String,
    pub key: String,
    pub metric: String,
    /// Points the API returned.
    pub returned: usize,
    pub points: Vec<(i64, f64)>,
}

/// The performance of a cluster or one node over a range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfData {
    pub start_ms: i64,
    pub end_ms: i64,
    pub start: String,
    pub end: String,
    /// Collection interval in seconds (DescribeDBClusterMonitor).
    pub period: String,
    pub resolution_ms: i64,
    pub series: Vec<MetricSeries>,
    pub request_ids: Vec<String>,
}

/// The collection interval and whether the user may change it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonitorInfo {
    /// The cluster read, for the form that changes the interval.
    pub account: String,
    pub region: String,
    pub cluster: String,
    pub period: String,
    pub can_modify: bool,
}

#[cfg(feature = "ssr")]
use crate::error::invalid;

#[cfg(feature = "ssr")]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(feature = "ssr")]
async fn read_period(
    api: &crate::call::Api,
    account: &str,
    region: &str,
    cluster: &str,
) -> Result<String, AppError> {
    let m = api
        .call(
            account,
            region,
            &polardb::models::DescribeDBClusterMonitor {
                db_cluster_id: cluster.into(),
            },
        )
        .await?;
    Ok(m.period)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Locale = Locale::en;

    #[test]
    fn resolutions_follow_the_reference() {
        assert_eq!(resolution_ms(HOUR, "5"), 5_000);
        assert_eq!(resolution_ms(HOUR, "60"), MINUTE);
        assert_eq!(resolution_ms(DAY, "5"), MINUTE);
        assert_eq!(resolution_ms(7 * DAY, "60"), 10 * MINUTE);
        assert_eq!(resolution_ms(30 * DAY, "60"), HOUR);
        assert_eq!(resolution_ms(31 * DAY, "5"), DAY);
        assert_eq!(duration_label(EN, 10 * MINUTE), "10 min");
        assert_eq!(duration_label(EN, HOUR), "1 hour");
        assert_eq!(duration_label(EN, 7 * DAY), "7 days");
        assert_eq!(duration_label(EN, 5_000), "5 s");
    }

    #[test]
    fn at_most_five_keys_per_call() {
        let batches = key_batches();
        assert!(batches.iter().all(|b| b.len() <= MAX_KEYS && !b.is_empty()));
        let all: Vec<_> = batches.concat();
        for c in CHARTS {
            assert!(all.contains(&c.key));
            for m in c.cluster_metrics {
                assert!(c.metrics.iter().any(|(x, _)| x == m), "{m}");
            }
        }
        let mut dedup = all.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), all.len());
    }

    #[test]
    fn frequencies_and_ranges_are_checked() {
        assert_eq!(period_problem(EN, "5"), None);
        assert_eq!(period_problem(EN, "60"), None);
        assert!(period_problem(EN, "300").is_some());
        assert!(period_problem(EN, "").is_some());
        let now = parse_minute("2026-01-10T00:00Z").unwrap();
        assert_eq!(
            custom_range_problem(EN, "2026-01-01T00:00", "2026-01-02T00:00", now),
            None
        );
        assert!(
            custom_range_problem(EN, "2026-01-02T00:00", "2026-01-01T00:00", now)
                .unwrap()
                .contains("later")
        );
        assert!(
            custom_range_problem(EN, "2026-02-01T00:00", "2026-02-02T00:00", now)
                .unwrap()
                .contains("future")
        );
        assert!(custom_range_problem(EN, "x", "2026-01-01T00:00", now)
            .unwrap()
            .contains("start"));
        assert_eq!(preset_span("7d"), Some(7 * DAY));
        assert_eq!(preset_span("custom"), None);
    }

    #[test]
    fn long_series_are_averaged() {
        let pts: Vec<(i64, f64)> = (0..1440).map(|i| (i * MINUTE, i as f64)).collect();
        let d = downsample(&pts, MAX_DRAWN);
        assert!(d.len() <= MAX_DRAWN);
        assert_eq!(d[0].1, 0.5);
        assert_eq!(downsample(&pts[..10], MAX_DRAWN).len(), 10);
    }
}
