//! Prometheus metrics, kept by the console itself (a few counters and histograms; no
//! exporter crate). Labels carry only bounded, non-personal values: route templates,
//! action names from the catalogue, outcomes and sanitised error codes — never a user, a
//! key, a cluster ID or a parameter.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// Upper bounds (seconds) of the latency histograms' buckets.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// (name, type, help) of every metric the console keeps.
const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "polar_http_requests_total",
        "counter",
        "HTTP requests by route template, method and status class.",
    ),
    (
        "polar_http_request_duration_seconds",
        "histogram",
        "HTTP request latency by route template.",
    ),
    (
        "polar_upstream_calls_total",
        "counter",
        "PolarDB API calls by action, outcome and error code.",
    ),
    (
        "polar_upstream_call_duration_seconds",
        "histogram",
        "PolarDB API call latency (all attempts) by action.",
    ),
    (
        "polar_upstream_retries_total",
        "counter",
        "Extra attempts of PolarDB API calls (throttling, 5xx, timeouts) by action.",
    ),
    (
        "polar_api_denied_total",
        "counter",
        "PolarDB API calls refused by the role check, by action.",
    ),
    (
        "polar_cross_origin_refused_total",
        "counter",
        "Changes refused by the same-origin rule, by caller (anonymous ones are counted here and logged, not audited).",
    ),
    (
        "polar_calls_throttled_total",
        "counter",
        "PolarDB calls refused because their user had made too many (calls_per_minute); logged, not audited.",
    ),
    (
        "polar_list_entries_withheld_total",
        "counter",
        "Entries of region-wide cluster lists withheld because the caller's role denies the action on their cluster, by action.",
    ),
    (
        "polar_connections_refused_total",
        "counter",
        "Connections answered 503 and closed at once: over max_connections (total) or max_connections_per_address (address).",
    ),
    (
        "polar_connections_evicted_total",
        "counter",
        "Idle connections (no request in progress) closed to make room for a new one when max_connections were open.",
    ),
    (
        "polar_connections_stalled_total",
        "counter",
        "Connections closed because the client read nothing of an answer for 20 s.",
    ),
    (
        "polar_notifications_total",
        "counter",
        "Notification delivery attempts by result: sent, retry (failed, tried again later), failed (given up).",
    ),
    (
        "polar_bodies_refused_total",
        "counter",
        "Request bodies refused before they were read: no room in the memory bodies may take (memory), or too slow to arrive (slow).",
    ),
    (
        "polar_audit_writes_total",
        "counter",
        "Audit records written, by outcome.",
    ),
    (
        "polar_audit_write_failures_total",
        "counter",
        "Audit records that could not be written.",
    ),
    (
        "polar_audit_commits_total",
        "counter",
        "Commits of audit records by this process's writer, by how many records each held (1, 2-7, 8-31, 32+).",
    ),
    (
        "polar_background_runs_total",
        "counter",
        "Background job periods run by this process, by job and result.",
    ),
];

#[derive(Default)]
struct Histogram {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    /// name → rendered labels → value
    counters: BTreeMap<&'static str, BTreeMap<String, u64>>,
    histograms: BTreeMap<&'static str, BTreeMap<String, Histogram>>,
}

/// The console's metrics; cheap to clone (one shared registry per process).
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Inner>>);

/// A label value reduced to what a metric may carry: printable ASCII without quotes or
/// backslashes, at most 64 characters.
pub fn label_value(v: &str) -> String {
    v.chars()
        .filter(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':' | '{' | '}' | '*')
        })
        .take(64)
        .collect()
}

/// `name{labels}`, or just `name` without labels.
fn series(name: &str, labels: &str) -> String {
    if labels.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{labels}}}")
    }
}

fn render_labels(labels: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{k}=\"{}\"", label_value(v));
    }
    s
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves counters that are still valid numbers.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `n` to a counter.
    pub fn add(&self, name: &'static str, labels: &[(&str, &str)], n: u64) {
        let key = render_labels(labels);
        *self
            .lock()
            .counters
            .entry(name)
            .or_default()
            .entry(key)
            .or_default() += n;
    }

    pub fn inc(&self, name: &'static str, labels: &[(&str, &str)]) {
        self.add(name, labels, 1);
    }

    /// Records one observation (seconds) in a histogram.
    pub fn observe(&self, name: &'static str, labels: &[(&str, &str)], seconds: f64) {
        let key = render_labels(labels);
        let mut inner = self.lock();
        let h = inner
            .histograms
            .entry(name)
            .or_default()
            .entry(key)
            .or_insert_with(|| Histogram {
                buckets: vec![0; BUCKETS.len()],
                ..Default::default()
            });
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.buckets[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The value of one counter series (tests and benchmarks read it).
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let key = render_labels(labels);
        self.lock()
            .counters
            .get(name)
            .and_then(|m| m.get(&key))
            .copied()
            .unwrap_or(0)
    }

    /// The text exposition format, with `gauges` (name, help, labels, value) appended.
    pub fn render(&self, gauges: &[(&str, &str, String, f64)]) -> String {
        let inner = self.lock();
        let mut out = String::new();
        for (name, kind, help) in FAMILIES {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            if let Some(all) = inner.counters.get(name) {
                for (labels, v) in all {
                    let _ = writeln!(out, "{} {v}", series(name, labels));
                }
            }
            if let Some(all) = inner.histograms.get(name) {
                for (labels, h) in all {
                    let sep = if labels.is_empty() { "" } else { "," };
                    for (i, b) in BUCKETS.iter().enumerate() {
                        let _ = writeln!(
                            out,
                            "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {}",
                            h.buckets[i]
                        );
                    }
                    let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
                    let _ = writeln!(out, "{} {}", series(&format!("{name}_sum"), labels), h.sum);
                    let _ = writeln!(
                        out,
                        "{} {}",
                        series(&format!("{name}_count"), labels),
                        h.count
                    );
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (name, help, labels, value) in gauges {
            if seen.insert(*name) {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            }
            let _ = writeln!(out, "{} {value}", series(name, labels));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_the_text_format() {
        let m = Metrics::new();
        m.inc(
            "polar_upstream_calls_total",
            &[
                ("action", "DescribeRegions"),
                ("outcome", "ok"),
                ("code", ""),
            ],
        );
        m.inc(
            "polar_upstream_calls_total",
            &[
                ("action", "DescribeRegions"),
                ("outcome", "ok"),
                ("code", ""),
            ],
        );
        m.observe(
            "polar_http_request_duration_seconds",
            &[("route", "/clusters")],
            0.02,
        );
        let text = m.render(&[("polar_sessions", "Sessions.", String::new(), 3.0)]);
        assert!(
            text.contains(
                "polar_upstream_calls_total{action=\"DescribeRegions\",outcome=\"ok\",code=\"\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains(
            "polar_http_request_duration_seconds_bucket{route=\"/clusters\",le=\"0.01\"} 0"
        ));
        assert!(text.contains(
            "polar_http_request_duration_seconds_bucket{route=\"/clusters\",le=\"0.025\"} 1"
        ));
        assert!(text.contains("polar_http_request_duration_seconds_count{route=\"/clusters\"} 1"));
        assert!(text.contains("# TYPE polar_sessions gauge\npolar_sessions 3"));
        assert_eq!(
            m.counter(
                "polar_upstream_calls_total",
                &[
                    ("action", "DescribeRegions"),
                    ("outcome", "ok"),
                    ("code", "")
                ]
            ),
            2
        );
    }

    #[test]
    fn label_values_cannot_break_out_of_their_quotes() {
        assert_eq!(label_value("a\"b\\c\nd}"), "abcd}");
        assert_eq!(label_value(&"x".repeat(100)).len(), 64);
    }
}
