//! Chapter 18: monitoring interval and performance series.
//!
//! Series are synthesized: a value depends only on the cluster or node id, the metric and
//! the timestamp (a daily wave plus noise from a hash), so the same point always has the
//! same value whatever range it is asked in.

use polardb::models as m;

use crate::catalog::metrics;
use crate::handlers::Ctx;
use crate::state::Cluster;
use crate::util::{fmt_time, hash64, ok, parse_time, unit, Fault, Res};

const DAY: i64 = 86_400_000;

/// DescribeDBClusterMonitor.
pub fn describe_monitor(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    ok(m::DescribeDBClusterMonitorResponse {
        period: cl.monitor_period.clone(),
        request_id: String::new(),
    })
}

/// ModifyDBClusterMonitor: every 5 or 60 seconds.
pub fn modify_monitor(c: &mut Ctx) -> Res {
    let period = c.p.required("Period")?;
    if period != "5" && period != "60" {
        return Err(Fault::unsupported("Period"));
    }
    let period = period.to_string();
    let cl = c.cluster_mut()?;
    if cl.status == "Deleting" {
        return Err(Fault::busy());
    }
    cl.monitor_period = period;
    ok(m::ModifyDBClusterMonitorResponse::default())
}

/// The display interval (ms) for a range, by the reference's rules for 5 s and 60 s
/// collection.
pub fn interval_ms(range_ms: i64, period: &str) -> i64 {
    const HOUR: i64 = 3_600_000;
    if period == "5" && range_ms <= HOUR {
        5_000
    } else if range_ms <= DAY {
        60_000
    } else if range_ms <= 7 * DAY {
        600_000
    } else if range_ms <= 30 * DAY {
        HOUR
    } else {
        DAY
    }
}

/// Baseline and daily amplitude of a metric (before the per-object scale).
fn profile(metric: &str, cl: &Cluster) -> (f64, f64, bool) {
    let mb = cl.storage_used as f64 / 1_048_576.0;
    let (base, amp) = match metric {
        "cpu_ratio" => (25.0, 15.0),
        "cpu_user_ratio" => (18.0, 10.0),
        "cpu_sys_ratio" => (5.0, 3.0),
        "mem_ratio" => (55.0, 8.0),
        "mean_hit_ratio" => (99.2, 0.4),
        "mean_total_session" => (120.0, 40.0),
        "mean_active_session" => (15.0, 10.0),
        "mean_waiting_connection" => (1.0, 1.0),
        "mean_idle_connection" => (100.0, 30.0),
        "mean_tup_returned_delta" => (50_000.0, 30_000.0),
        "mean_tup_fetched_delta" => (20_000.0, 10_000.0),
        "mean_tup_inserted_delta" => (500.0, 300.0),
        "mean_tup_updated_delta" => (300.0, 200.0),
        "mean_tup_deleted_delta" => (50.0, 40.0),
        "mean_active_transactions" => (8.0, 5.0),
        "mean_waiting_transactions" => (0.5, 0.5),
        "mean_idle_transactions" => (5.0, 3.0),
        "mean_long_idle_transactions" | "mean_long_transactions" => (0.3, 0.3),
        "mean_two_pc_transactions" | "mean_long_two_pc_transactions" => (0.0, 0.0),
        "mean_tps" => (800.0, 400.0),
        "mean_commits_delta" => (790.0, 400.0),
        "mean_rollbacks_delta" => (5.0, 4.0),
        "mean_deadlocks_delta" => (0.01, 0.01),
        "mean_blks_read_delta" => (200.0, 150.0),
        "mean_blks_hit_delta" => (40_000.0, 20_000.0),
        "mean_buffers_clean" => (10.0, 8.0),
        "mean_buffers_backend" => (20.0, 10.0),
        "mean_buffers_backend_fsync" => (0.0, 0.0),
        "mean_buffers_alloc" => (300.0, 100.0),
        "mean_db_age" => (50_000_000.0, 1_000_000.0),
        "mean_temp_files" => (0.2, 0.2),
        "mean_temp_bytes" => (1_000_000.0, 800_000.0),
        "mean_ins_total_size" => (mb, mb * 0.002),
        "mean_data_size" => (mb * 0.8, mb * 0.002),
        "mean_wal_size" => (mb * 0.1, mb * 0.01),
        "mean_tmp_size" => (mb * 0.02, mb * 0.01),
        "mean_log_size" => (mb * 0.01, mb * 0.002),
        "mean_iops_r" => (300.0, 200.0),
        "mean_iops_w" => (500.0, 300.0),
        "mean_iops" => (800.0, 500.0),
        "mean_io_throughput_r" => (20.0, 10.0),
        "mean_io_throughput_w" => (30.0, 15.0),
        "mean_io_throughput" => (50.0, 25.0),
        _ => (10.0, 5.0),
    };
    let ratio = metric.ends_with("_ratio");
    (base, amp, ratio)
}

/// The value of `metric` for object `id` at `t`.
pub fn value(cl: &Cluster, id: &str, metric: &str, t: i64) -> f64 {
    let (base, amp, ratio) = profile(metric, cl);
    let scale = if metric.ends_with("_size") || metric == "mean_hit_ratio" {
        1.0
    } else {
        0.5 + unit(hash64(&[id, "scale"]))
    };
    let phase = unit(hash64(&[id, metric, "phase"])) * std::f64::consts::TAU;
    let wave = ((t.rem_euclid(DAY) as f64 / DAY as f64) * std::f64::consts::TAU + phase).sin();
    let noise = unit(hash64(&[id, metric, &t.to_string()])) - 0.5;
    let v = (base + amp * wave) * scale + amp * scale * 0.6 * noise;
    let v = v.max(0.0);
    if ratio {
        v.min(100.0)
    } else {
        v
    }
}

/// The requested keys: up to five known ones.
fn keys(c: &Ctx) -> Result<Vec<(String, &'static [&'static str])>, Fault> {
    let text = c.p.required("Key")?;
    let mut out = Vec::new();
    for k in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let metrics = metrics(k).ok_or_else(|| {
            Fault::invalid_because("Key", &format!("The performance key {k} is not supported."))
        })?;
        if !out.iter().any(|(x, _)| x == k) {
            out.push((k.to_string(), metrics));
        }
    }
    if out.is_empty() {
        return Err(Fault::missing("Key"));
    }
    if out.len() > 5 {
        return Err(Fault::invalid_because(
            "Key",
            "At most 5 performance keys can be queried at a time.",
        ));
    }
    Ok(out)
}

/// The range and its point times.
fn points_times(c: &Ctx, cl: &Cluster) -> Result<(i64, i64, Vec<i64>), Fault> {
    let start =
        parse_time(c.p.required("StartTime")?).ok_or_else(|| Fault::invalid("StartTime"))?;
    let end = parse_time(c.p.required("EndTime")?).ok_or_else(|| Fault::invalid("EndTime"))?;
    if end < start {
        return Err(Fault::new(
            400,
            "InvalidStartTimeAndEndTime.Malformed",
            "The EndTime must be later than or equal to the StartTime.",
        ));
    }
    let step = interval_ms(end - start, &cl.monitor_period);
    let created = parse_time(&cl.create_time).unwrap_or(i64::MIN);
    let from = start.max(created);
    let to = end.min(c.now);
    let first = (from + step - 1).div_euclid(step) * step;
    let times = if to >= first {
        (0..)
            .map(|k| first + k * step)
            .take_while(|t| *t <= to)
            .collect()
    } else {
        vec![]
    };
    Ok((start, end, times))
}

fn series(cl: &Cluster, id: &str, metric: &str, times: &[i64]) -> m::PerformancePoints {
    m::PerformancePoints {
        performance_item_value: times
            .iter()
            .map(|t| m::PerformancePoint {
                timestamp: *t,
                value: format!("{:.2}", value(cl, id, metric, *t)),
            })
            .collect(),
    }
}

/// DescribeDBClusterPerformance: per node, except disk usage which is per cluster.
pub fn cluster_performance(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let keys = keys(c)?;
    let (start, end, times) = points_times(c, cl)?;
    let mut items = Vec::new();
    for (key, metrics) in &keys {
        for metric in *metrics {
            if key == "PolarDBDiskUsage" {
                items.push(m::ClusterPerformanceItem {
                    db_node_id: String::new(),
                    measurement: key.clone(),
                    metric_name: metric.to_string(),
                    points: series(cl, &cl.id, metric, &times),
                });
            } else {
                for n in &cl.nodes {
                    items.push(m::ClusterPerformanceItem {
                        db_node_id: n.id.clone(),
                        measurement: key.clone(),
                        metric_name: metric.to_string(),
                        points: series(cl, &n.id, metric, &times),
                    });
                }
            }
        }
    }
    ok(m::DescribeDBClusterPerformanceResponse {
        db_cluster_id: cl.id.clone(),
        db_type: "PostgreSQL".into(),
        db_version: cl.db_version.clone(),
        end_time: fmt_time(end),
        performance_keys: m::ClusterPerformanceKeys {
            performance_item: items,
        },
        request_id: String::new(),
        start_time: fmt_time(start),
    })
}

/// DescribeDBNodePerformance.
pub fn node_performance(c: &mut Ctx) -> Res {
    let node = c.p.required("DBNodeId")?.trim().to_string();
    let (ci, _) = c.w.node_location(&node).ok_or_else(Fault::node_not_found)?;
    let cl = &c.w.clusters[ci];
    if let Some(id) = c.p.opt("DBClusterId") {
        if id != cl.id {
            return Err(Fault::node_not_found());
        }
    }
    let keys = keys(c)?;
    let (start, end, times) = points_times(c, cl)?;
    let mut items = Vec::new();
    for (key, metrics) in &keys {
        for metric in *metrics {
            let object = if key == "PolarDBDiskUsage" {
                &cl.id
            } else {
                &node
            };
            items.push(m::NodePerformanceItem {
                measurement: key.clone(),
                metric_name: metric.to_string(),
                points: series(cl, object, metric, &times),
            });
        }
    }
    ok(m::DescribeDBNodePerformanceResponse {
        db_node_id: node.clone(),
        db_type: "PostgreSQL".into(),
        db_version: cl.db_version.clone(),
        end_time: fmt_time(end),
        performance_keys: m::NodePerformanceKeys {
            performance_item: items,
        },
        request_id: String::new(),
        start_time: fmt_time(start),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_the_reference() {
        const MIN: i64 = 60_000;
        assert_eq!(interval_ms(60 * MIN, "5"), 5_000);
        assert_eq!(interval_ms(60 * MIN, "60"), 60_000);
        assert_eq!(interval_ms(DAY, "5"), 60_000);
        assert_eq!(interval_ms(7 * DAY, "60"), 600_000);
        assert_eq!(interval_ms(30 * DAY, "60"), 3_600_000);
        assert_eq!(interval_ms(31 * DAY, "5"), DAY);
    }

    #[test]
    fn values_are_deterministic_and_in_range() {
        let seed = crate::seed::default_seed();
        let cl = &seed.clusters[0];
        let t = 1_700_000_000_000;
        assert_eq!(
            value(cl, "pi-x", "cpu_ratio", t),
            value(cl, "pi-x", "cpu_ratio", t)
        );
        for k in 0..1000 {
            let v = value(cl, "pi-x", "cpu_ratio", t + k * 60_000);
            assert!((0.0..=100.0).contains(&v));
        }
    }
}
