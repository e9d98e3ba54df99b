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
use crate::kit::chart::{fmt_minute, parse_minute, LineChart, Series};
use crate::kit::{change_error, role_short, ErrorBox, Loading};
use crate::AppError;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
/// The API takes at most five performance keys per call (18.1, 18.3).
pub const MAX_KEYS: usize = 5;
/// Points drawn per line at most; longer series are averaged into this many buckets.
pub const MAX_DRAWN: usize = 720;

/// One chart: what it shows and which performance key and metrics feed it.
pub struct ChartDef {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub key: &'static str,
    /// (metric, label) drawn for one node.
    pub metrics: &'static [(&'static str, &'static str)],
    /// The metrics drawn per node in the whole-cluster view (fewer lines).
    pub cluster_metrics: &'static [&'static str],
}

/// The charts, from the PostgreSQL table of 19-04.
pub const CHARTS: &[ChartDef] = &[
    ChartDef {
        id: "cpu",
        title: "CPU",
        unit: "%",
        key: "PolarDBCPU",
        metrics: &[
            ("cpu_ratio", "CPU"),
            ("cpu_user_ratio", "user"),
            ("cpu_sys_ratio", "system"),
        ],
        cluster_metrics: &["cpu_ratio"],
    },
    ChartDef {
        id: "memory",
        title: "Memory",
        unit: "%",
        key: "PolarDBMemory",
        metrics: &[("mem_ratio", "memory")],
        cluster_metrics: &["mem_ratio"],
    },
    ChartDef {
        id: "connections",
        title: "Connections",
        unit: "connections",
        key: "PolarDBConnections",
        metrics: &[
            ("mean_total_session", "total"),
            ("mean_active_session", "active"),
            ("mean_idle_connection", "idle"),
            ("mean_waiting_connection", "waiting"),
        ],
        cluster_metrics: &["mean_total_session"],
    },
    ChartDef {
        id: "tps",
        title: "Transactions per second (TPS)",
        unit: "per s",
        key: "PolarDBQPSTPS",
        metrics: &[
            ("mean_tps", "TPS"),
            ("mean_commits_delta", "commits"),
            ("mean_rollbacks_delta", "rollbacks"),
            ("mean_deadlocks_delta", "deadlocks"),
        ],
        cluster_metrics: &["mean_tps"],
    },
    ChartDef {
        id: "rows",
        title: "Row operations per second (QPS)",
        unit: "rows/s",
        key: "PolarDBRowDML",
        metrics: &[
            ("mean_tup_returned_delta", "scanned"),
            ("mean_tup_fetched_delta", "fetched by index"),
            ("mean_tup_inserted_delta", "inserted"),
            ("mean_tup_updated_delta", "updated"),
            ("mean_tup_deleted_delta", "deleted"),
        ],
        cluster_metrics: &["mean_tup_returned_delta"],
    },
    ChartDef {
        id: "iops",
        title: "IOPS",
        unit: "operations/s",
        key: "PolarDBIOSTAT",
        metrics: &[
            ("mean_iops", "total"),
            ("mean_iops_r", "read"),
            ("mean_iops_w", "write"),
        ],
        cluster_metrics: &["mean_iops"],
    },
    ChartDef {
        id: "throughput",
        title: "I/O throughput",
        unit: "MB/s",
        key: "PolarDBIOSTAT",
        metrics: &[
            ("mean_io_throughput", "total"),
            ("mean_io_throughput_r", "read"),
            ("mean_io_throughput_w", "write"),
        ],
        cluster_metrics: &["mean_io_throughput"],
    },
    ChartDef {
        id: "storage",
        title: "Storage",
        unit: "MB",
        key: "PolarDBDiskUsage",
        metrics: &[
            ("mean_ins_total_size", "instance total"),
            ("mean_data_size", "data"),
            ("mean_wal_size", "WAL"),
            ("mean_tmp_size", "temporary"),
            ("mean_log_size", "local logs"),
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

pub fn duration_label(ms: i64) -> String {
    if ms % DAY == 0 {
        let d = ms / DAY;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else if ms % HOUR == 0 {
        let h = ms / HOUR;
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else if ms % MINUTE == 0 {
        format!("{} min", ms / MINUTE)
    } else {
        format!("{} s", ms / 1000)
    }
}

/// What is wrong with a collection frequency (ModifyDBClusterMonitor, 18.4: 5 or 60 s).
pub fn period_problem(period: &str) -> Option<String> {
    match period {
        "5" | "60" => None,
        _ => Some("the collection interval is 5 or 60 seconds".into()),
    }
}

/// What is wrong with a custom range (UTC, `YYYY-MM-DDThh:mm`), given the time now.
pub fn custom_range_problem(start: &str, end: &str, now_ms: i64) -> Option<String> {
    let Some(s) = parse_minute(start) else {
        return Some("the start must be a date and time, YYYY-MM-DDThh:mm (UTC)".into());
    };
    let Some(e) = parse_minute(end) else {
        return Some("the end must be a date and time, YYYY-MM-DDThh:mm (UTC)".into());
    };
    if e <= s {
        return Some("the end must be later than the start".into());
    }
    if s > now_ms {
        return Some("the start is in the future".into());
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
    pub period: String,
    pub can_modify: bool,
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[cfg(feature = "ssr")]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(feature = "ssr")]
fn parse<T: serde::de::DeserializeOwned>(action: &str, json: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        AppError::ServerFn(format!("The {action} answer had an unexpected shape: {e}"))
    })
}

#[cfg(feature = "ssr")]
async fn read_period(account: &str, region: &str, cluster: &str) -> Result<String, AppError> {
    let answer = crate::api::call_api(
        account.into(),
        region.into(),
        "DescribeDBClusterMonitor".into(),
        vec![("DBClusterId".into(), cluster.into())],
    )
    .await?;
    let m: polardb::models::DescribeDBClusterMonitorResponse =
        parse("DescribeDBClusterMonitor", &answer.json)?;
    Ok(m.period)
}

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

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/monitoring`.
#[component]
pub fn ClusterMonitoringPage() -> impl IntoView {
    view! {
        <Monitoring />
    }
}

/// What the charts show: whole cluster or a node, and the range.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Query {
    node: String,
    range: String,
    start: String,
    end: String,
}

/// The lines of one chart from the API's series.
fn chart_series(
    def: &ChartDef,
    perf: &PerfData,
    node_view: bool,
    node_label: &dyn Fn(&str) -> String,
) -> Vec<Series> {
    let label_of = |metric: &str| {
        def.metrics
            .iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| metric.to_string())
    };
    let mut out = Vec::new();
    if node_view || def.key == "PolarDBDiskUsage" {
        for (metric, _) in def.metrics {
            if let Some(s) = perf
                .series
                .iter()
                .find(|s| s.key == def.key && s.metric == *metric)
            {
                out.push(Series {
                    label: label_of(metric),
                    points: s.points.clone(),
                });
            }
        }
    } else {
        for metric in def.cluster_metrics {
            for s in perf
                .series
                .iter()
                .filter(|s| s.key == def.key && s.metric == *metric)
            {
                let who = if s.node.is_empty() {
                    "cluster".to_string()
                } else {
                    node_label(&s.node)
                };
                let label = if def.cluster_metrics.len() > 1 {
                    format!("{who} · {}", label_of(metric))
                } else {
                    who
                };
                out.push(Series {
                    label,
                    points: s.points.clone(),
                });
            }
        }
    }
    out
}

#[component]
fn Monitoring() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;

    let query = RwSignal::new(Query {
        node: String::new(),
        range: "1h".into(),
        start: String::new(),
        end: String::new(),
    });
    // The custom range as typed, applied with the button.
    let custom_start = RwSignal::new(String::new());
    let custom_end = RwSignal::new(String::new());
    let custom_open = RwSignal::new(false);

    let target = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| (d.account, d.region, d.attr.db_cluster_id))
    };
    let perf = Resource::new(
        move || (ctx.scope.get(), query.get()),
        |(t, q)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => performance(a, r, c, q.node, q.range, q.start, q.end).await,
                Err(e) => Err(e),
            })
        },
    );
    let setting_changed = RwSignal::new(0u32);
    let setting = Resource::new(
        move || (ctx.scope.get(), setting_changed.get()),
        |(t, _)| async move {
            Some(match resolve(t).await {
                Ok((a, r, c)) => monitor_setting(a, r, c).await,
                Err(e) => Err(e),
            })
        },
    );
    let modify = ServerAction::<SetMonitorPeriod>::new();
    let new_period = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = modify.value().get() {
            setting_changed.update(|n| *n += 1);
            perf.refetch();
        }
    });

    let nodes = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| {
                d.attr
                    .db_nodes
                    .iter()
                    .map(|n| (n.db_node_id.clone(), n.db_node_role.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };

    let pick_range = move |r: &'static str| {
        custom_open.set(false);
        query.update(|q| {
            q.range = r.to_string();
            q.start.clear();
            q.end.clear();
        });
    };
    let open_custom = move |_| {
        if custom_start.get_untracked().is_empty() {
            // Default: the day before the shown range's end.
            if let Some(Some(Ok(p))) = perf.get_untracked() {
                custom_start.set(fmt_minute(p.end_ms - DAY).trim_end_matches('Z').to_string());
                custom_end.set(fmt_minute(p.end_ms).trim_end_matches('Z').to_string());
            }
        }
        custom_open.set(true);
    };
    // The browser's clock is not needed: the server checks "not in the future" again.
    let custom_problem =
        move || custom_range_problem(&custom_start.get(), &custom_end.get(), i64::MAX);
    let apply_custom = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if custom_problem().is_some() {
            return;
        }
        query.set(Query {
            node: query.get_untracked().node,
            range: "custom".into(),
            start: custom_start.get_untracked(),
            end: custom_end.get_untracked(),
        });
    };
    let save_period = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((account, region, cluster)) = target() else {
            return;
        };
        if period_problem(&new_period.get_untracked()).is_some() {
            return;
        }
        modify.dispatch(SetMonitorPeriod {
            account,
            region,
            cluster,
            period: new_period.get_untracked(),
        });
    };

    let range_button = move |r: &'static str, label: &'static str| {
        view! {
            <button type="button" class="small seg" data-range=r
                class:seg-current=move || query.read().range == r
                aria-pressed=move || (query.read().range == r).to_string()
                disabled=move || !hydrated.get()
                on:click=move |_| pick_range(r)>{label}</button>
        }
    };

    let body = move || {
        view! {
            <section class="panel monitor-controls" data-testid="monitor-controls">
                <div class="monitor-row">
                    <label class="monitor-field">
                        <span>"Show"</span>
                        <select data-testid="node-select" disabled=move || !hydrated.get()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                query.update(|q| q.node = v);
                            }>
                            <option value="" selected=move || query.read().node.is_empty()>"Whole cluster (every node)"</option>
                            {move || nodes().into_iter().map(|(id, role)| {
                                let id2 = id.clone();
                                let label = format!("{id} ({})", role_short(&role));
                                view! { <option value=id.clone() selected=move || query.read().node == id2>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <div class="monitor-field" role="group" aria-label="Time range">
                        <span>"Time range"</span>
                        <div class="seg-group" data-testid="range-picker">
                            {range_button("1h", "Last hour")}
                            {range_button("1d", "Last day")}
                            {range_button("7d", "Last week")}
                            <button type="button" class="small seg" data-range="custom"
                                class:seg-current=move || query.read().range == "custom"
                                aria-pressed=move || (query.read().range == "custom").to_string()
                                disabled=move || !hydrated.get()
                                on:click=open_custom>"Custom…"</button>
                        </div>
                    </div>
                </div>
                {move || custom_open.get().then(|| view! {
                    <form class="monitor-row custom-range" data-testid="custom-range" on:submit=apply_custom>
                        <label class="monitor-field">
                            <span>"From (UTC)"</span>
                            <input type="datetime-local" data-testid="custom-start"
                                prop:value=move || custom_start.get()
                                on:input=move |ev| custom_start.set(event_target_value(&ev)) />
                        </label>
                        <label class="monitor-field">
                            <span>"To (UTC)"</span>
                            <input type="datetime-local" data-testid="custom-end"
                                prop:value=move || custom_end.get()
                                on:input=move |ev| custom_end.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="small primary-small" data-testid="apply-custom"
                            disabled=move || custom_problem().is_some()>"Show"</button>
                        <p class="field-hint">
                            {move || match custom_problem() {
                                Some(p) => view! { <span class="field-error" data-testid="custom-problem">{format!("Time range: {p}.")}</span> }.into_any(),
                                None => view! { <span class="muted">{move || {
                                    let span = parse_minute(&custom_end.get()).unwrap_or(0) - parse_minute(&custom_start.get()).unwrap_or(0);
                                    let period = setting.get().flatten().and_then(|r| r.ok()).map(|s| s.period).unwrap_or_else(|| "60".into());
                                    format!("Resolution for {}: {}.", duration_label(span.max(MINUTE)), duration_label(resolution_ms(span, &period)))
                                }}</span> }.into_any(),
                            }}
                        </p>
                    </form>
                })}
                <p class="muted small-print" data-testid="resolution">
                    {move || match perf.get().flatten() {
                        Some(Ok(p)) => format!(
                            "{} to {} (UTC) · one point every {} (collection every {} s; the API's rule for a range of {})",
                            p.start, p.end, duration_label(p.resolution_ms), p.period, duration_label(p.end_ms - p.start_ms)
                        ),
                        _ => String::new(),
                    }}
                </p>
            </section>

            <Transition fallback=|| view! { <Loading label="Reading the performance series…" /> }>
                {move || Suspend::new(async move {
                    let Some(result) = perf.await else {
                        return view! { <Loading label="Reading the cluster…" /> }.into_any();
                    };
                    let p = match result {
                        Ok(p) => p,
                        Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                    };
                    let roles: Vec<(String, String)> = nodes();
                    let node_label = move |id: &str| {
                        match roles.iter().find(|(n, _)| n == id) {
                            Some((_, r)) => format!("{id} ({})", role_short(r)),
                            None => id.to_string(),
                        }
                    };
                    let node_view = !query.get_untracked().node.is_empty();
                    let returned: usize = p.series.iter().map(|s| s.returned).sum();
                    let drawn: usize = p.series.iter().map(|s| s.points.len()).sum();
                    let charts = CHARTS.iter().map(|def| {
                        let series = chart_series(def, &p, node_view, &node_label);
                        view! {
                            <LineChart id=def.id title=def.title unit=def.unit series=series start=p.start_ms end=p.end_ms />
                        }
                    }).collect_view();
                    view! {
                        <div data-testid="charts" data-start=p.start.clone() data-end=p.end.clone()
                            data-resolution=p.resolution_ms data-node=query.get_untracked().node>
                            {(drawn < returned).then(|| view! {
                                <p class="muted small-print">{format!("{returned} points returned; long series are averaged to at most {MAX_DRAWN} points per line for drawing.")}</p>
                            })}
                            <div class="chart-grid-layout">{charts}</div>
                            <p class="muted small-print">
                                "Replication lag: the reference's metric table for PostgreSQL (19-04) has no replication-lag key (PolarDBReplicaLag is listed for MySQL only), so it is not charted. "
                                {format!("RequestIds: {}", p.request_ids.join(", "))}
                            </p>
                        </div>
                    }.into_any()
                })}
            </Transition>

            <section class="panel" data-testid="monitor-frequency">
                <h2>"Collection frequency"</h2>
                <Transition fallback=|| view! { <Loading label="Reading the collection frequency…" /> }>
                    {move || Suspend::new(async move {
                        let s = match setting.await {
                            None => return view! { <Loading /> }.into_any(),
                            Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(s)) => s,
                        };
                        let current = s.period.clone();
                        if new_period.get_untracked().is_empty() || modify.value().get_untracked().is_some_and(|r| r.is_ok()) {
                            new_period.set(current.clone());
                        }
                        view! {
                            <p>
                                "Every "<strong data-testid="monitor-period">{current.clone()}</strong>" seconds. "
                                <span class="muted">"With 5 s, ranges up to an hour are shown at 5 s; otherwise a day or less at 1 min, a week at 10 min, 30 days at 1 h, longer at 1 day."</span>
                            </p>
                            {s.can_modify.then(|| view! {
                                <form class="edit-form" on:submit=save_period data-testid="period-form">
                                    <select data-testid="period-select" aria-label="Collection interval"
                                        on:change=move |ev| new_period.set(event_target_value(&ev))>
                                        <option value="5" selected=current == "5">"Every 5 seconds"</option>
                                        <option value="60" selected=current == "60">"Every 60 seconds (default)"</option>
                                    </select>
                                    <button type="submit" class="small primary-small" data-testid="save-period"
                                        disabled=move || !hydrated.get() || modify.pending().get() || new_period.get() == current>
                                        {move || if modify.pending().get() { "Saving…" } else { "Save" }}
                                    </button>
                                </form>
                            })}
                        }.into_any()
                    })}
                </Transition>
                {change_error(modify.value())}
            </section>
        }
    };
    view! {
        <Transition fallback=|| view! { <Loading label="Reading the cluster…" /> }>
            {move || Suspend::new(async move {
                // Rendered once the cluster is read, on the server and in the browser alike.
                match data.await {
                    Ok(_) => body().into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolutions_follow_the_reference() {
        assert_eq!(resolution_ms(HOUR, "5"), 5_000);
        assert_eq!(resolution_ms(HOUR, "60"), MINUTE);
        assert_eq!(resolution_ms(DAY, "5"), MINUTE);
        assert_eq!(resolution_ms(7 * DAY, "60"), 10 * MINUTE);
        assert_eq!(resolution_ms(30 * DAY, "60"), HOUR);
        assert_eq!(resolution_ms(31 * DAY, "5"), DAY);
        assert_eq!(duration_label(10 * MINUTE), "10 min");
        assert_eq!(duration_label(HOUR), "1 hour");
        assert_eq!(duration_label(7 * DAY), "7 days");
        assert_eq!(duration_label(5_000), "5 s");
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
        assert_eq!(period_problem("5"), None);
        assert_eq!(period_problem("60"), None);
        assert!(period_problem("300").is_some());
        assert!(period_problem("").is_some());
        let now = parse_minute("2026-01-10T00:00Z").unwrap();
        assert_eq!(
            custom_range_problem("2026-01-01T00:00", "2026-01-02T00:00", now),
            None
        );
        assert!(
            custom_range_problem("2026-01-02T00:00", "2026-01-01T00:00", now)
                .unwrap()
                .contains("later")
        );
        assert!(
            custom_range_problem("2026-02-01T00:00", "2026-02-02T00:00", now)
                .unwrap()
                .contains("future")
        );
        assert!(custom_range_problem("x", "2026-01-01T00:00", now)
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
