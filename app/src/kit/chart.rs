//! A line chart drawn by the console itself: inline SVG, no script library, nothing
//! fetched. Colours come from CSS variables (`--chart-1` … `--chart-8`, `--line`,
//! `--muted`), so the chart follows the light and dark themes.
//!
//! The geometry (scales, ticks, paths, time labels) is plain functions, tested below.

use leptos::prelude::*;

/// One line: a label and its points (Unix milliseconds, value).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Series {
    pub label: String,
    pub points: Vec<(i64, f64)>,
}

/// The drawing area inside the view box.
const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Civil date and time (UTC) of Unix milliseconds: (year, month, day, hour, minute).
pub fn civil(ms: i64) -> (i64, u32, u32, u32, u32) {
    polardb::rules::civil(ms.div_euclid(1000))
}

/// `YYYY-MM-DDThh:mmZ`, the API's format for a query time.
pub fn fmt_minute(ms: i64) -> String {
    polardb::rules::api_minute(ms.div_euclid(1000))
}

/// Unix milliseconds of `YYYY-MM-DDThh:mm` with an optional `Z` or `:ss` (UTC), to the
/// minute.
pub fn parse_minute(s: &str) -> Option<i64> {
    polardb::rules::read_time(s).map(|secs| (secs - secs.rem_euclid(60)) * 1000)
}

/// A time on the x axis: the clock for a range of a day or less, the date and the clock
/// for a week, the date beyond.
pub fn time_label(ms: i64, span_ms: i64) -> String {
    let (_, m, d, hh, mm) = civil(ms);
    if span_ms <= 86_400_000 {
        format!("{hh:02}:{mm:02}")
    } else if span_ms <= 8 * 86_400_000 {
        format!("{m:02}-{d:02} {hh:02}:{mm:02}")
    } else {
        format!("{m:02}-{d:02}")
    }
}

/// Round tick values covering `[min, max]`, about `n` of them.
pub fn nice_ticks(min: f64, max: f64, n: usize) -> Vec<f64> {
    let (mut lo, mut hi) = (min.min(max), min.max(max));
    if !lo.is_finite() || !hi.is_finite() {
        return vec![0.0, 1.0];
    }
    if (hi - lo).abs() < f64::EPSILON {
        if hi == 0.0 {
            hi = 1.0;
        } else {
            lo -= lo.abs() * 0.1;
            hi += hi.abs() * 0.1;
        }
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|f| f * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut v = first;
    // Up to the first tick at or above the top of the data.
    while ticks.len() < 20 {
        ticks.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        if v >= hi - step * 1e-9 {
            break;
        }
        v += step;
    }
    if ticks.len() < 2 {
        ticks.push(first + step);
    }
    ticks
}

/// A value as a tick or a tooltip reads it: thousands as k, millions as M.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = if x.fract().abs() < 1e-9 || x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    format!("{s}{suffix}")
}

/// The scales of a chart: time `[t0, t1]` and values `[v0, v1]` onto the drawing area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub t0: i64,
    pub t1: i64,
    pub v0: f64,
    pub v1: f64,
}

impl Scale {
    pub fn x(&self, t: i64) -> f64 {
        let span = (self.t1 - self.t0).max(1) as f64;
        LEFT + (t - self.t0) as f64 / span * (W - LEFT - RIGHT)
    }
    pub fn y(&self, v: f64) -> f64 {
        let span = if (self.v1 - self.v0).abs() < f64::EPSILON {
            1.0
        } else {
            self.v1 - self.v0
        };
        H - BOTTOM - (v - self.v0) / span * (H - TOP - BOTTOM)
    }
}

/// The scale for some series over `[start, end]`; the value axis starts at zero for
/// non-negative data and ends on a round tick.
pub fn scale_for(series: &[Series], start: i64, end: i64) -> (Scale, Vec<f64>) {
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    if lo >= 0.0 {
        lo = 0.0;
    }
    let ticks = nice_ticks(lo, hi, 4);
    let v0 = *ticks.first().unwrap_or(&0.0);
    let v1 = *ticks.last().unwrap_or(&1.0);
    (
        Scale {
            t0: start,
            t1: end.max(start + 1),
            v0,
            v1,
        },
        ticks,
    )
}

/// The SVG path of a series: `M x,y L x,y …` (one decimal).
pub fn path_d(points: &[(i64, f64)], s: &Scale) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, (t, v)) in points.iter().enumerate() {
        if i > 0 {
            d.push(' ');
        }
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(&format!("{:.1},{:.1}", s.x(*t), s.y(*v)));
    }
    d
}

/// Evenly spaced times for the x axis labels.
pub fn time_ticks(start: i64, end: i64, n: usize) -> Vec<i64> {
    let n = n.max(2);
    (0..n)
        .map(|k| start + (end - start) * k as i64 / (n as i64 - 1))
        .collect()
}

/// A line chart of `series` over `[start, end]` (Unix ms), values in `unit`.
#[component]
pub fn LineChart(
    #[prop(into)] title: String,
    #[prop(into)] unit: String,
    series: Vec<Series>,
    start: i64,
    end: i64,
    /// Identifies the chart to tests and links.
    #[prop(into, optional)]
    id: String,
) -> impl IntoView {
    let (scale, ticks) = scale_for(&series, start, end);
    let points: usize = series.iter().map(|s| s.points.len()).sum();
    let empty = points == 0;
    let span = end - start;
    let unit_label = if unit.is_empty() {
        String::new()
    } else {
        format!("({unit})")
    };
    let (from, to) = (fmt_minute(start), fmt_minute(end));
    let aria = crate::i18n::td_string!(
        super::words::locale(),
        kit.chart_aria,
        title = title.as_str(),
        unit = unit_label.as_str(),
        n = series.len(),
        from = from.as_str(),
        to = to.as_str()
    )
    .to_string();
    let grid = ticks
        .iter()
        .map(|v| {
            let y = scale.y(*v);
            view! {
                <line class="chart-grid" x1=LEFT y1=y x2=W - RIGHT y2=y />
                <text class="chart-tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{short_number(*v)}</text>
            }
        })
        .collect_view();
    let xt = time_ticks(start, end, 5)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let x = scale.x(t);
            let anchor = match i {
                0 => "start",
                4 => "end",
                _ => "middle",
            };
            view! {
                <line class="chart-axis" x1=x y1=H - BOTTOM x2=x y2=H - BOTTOM + 4.0 />
                <text class="chart-tick" x=x y=H - BOTTOM + 17.0 text-anchor=anchor>{time_label(t, span)}</text>
            }
        })
        .collect_view();
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let d = path_d(&s.points, &scale);
            let class = format!("chart-line chart-c{}", i % 8 + 1);
            let last = s
                .points
                .last()
                .map(|p| short_number(p.1))
                .unwrap_or_default();
            view! {
                <path class=class d=d data-series=s.label.clone() data-points=s.points.len()>
                    <title>{format!("{} · last {last} {}", s.label, unit)}</title>
                </path>
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let class = format!("chart-swatch chart-c{}", i % 8 + 1);
            view! { <li><span class=class aria-hidden="true"></span>{s.label.clone()}</li> }
        })
        .collect_view();
    view! {
        <figure class="chart" data-chart=id data-points=points>
            <figcaption class="chart-title">{title.clone()}<span class="muted">{format!(" {unit_label}")}</span></figcaption>
            <svg class="chart-svg" viewBox=format!("0 0 {W} {H}") role="img" aria-label=aria preserveAspectRatio="none">
                {grid}
                <line class="chart-axis" x1=LEFT y1=TOP x2=LEFT y2=H - BOTTOM />
                <line class="chart-axis" x1=LEFT y1=H - BOTTOM x2=W - RIGHT y2=H - BOTTOM />
                {xt}
                {lines}
                {empty.then(|| view! {
                    <text class="chart-empty" x=(LEFT + W - RIGHT) / 2.0 y=(TOP + H - BOTTOM) / 2.0 text-anchor="middle">"No data in this range"</text>
                })}
            </svg>
            <ul class="chart-legend">{legend}</ul>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_times_round_trip() {
        // 2020-09-23T01:00Z, the reference's example.
        assert_eq!(civil(1_600_822_800_000), (2020, 9, 23, 1, 0));
        assert_eq!(fmt_minute(1_600_822_800_000), "2020-09-23T01:00Z");
        assert_eq!(parse_minute("2020-09-23T01:00Z"), Some(1_600_822_800_000));
        assert_eq!(parse_minute("2020-09-23T01:00"), Some(1_600_822_800_000));
        assert_eq!(
            parse_minute("2024-02-29T00:00Z").map(fmt_minute).as_deref(),
            Some("2024-02-29T00:00Z")
        );
        assert_eq!(parse_minute("2023-02-29T00:00Z"), None);
        assert_eq!(parse_minute("2023-13-01T00:00Z"), None);
        assert_eq!(parse_minute("2023-1-01T00:00Z"), None);
        assert_eq!(parse_minute("yesterday"), None);
        assert_eq!(civil(0), (1970, 1, 1, 0, 0));
    }

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        let t = nice_ticks(0.0, 87.0, 4);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 87.0);
        assert!(t
            .windows(2)
            .all(|w| ((w[1] - w[0]) - (t[1] - t[0])).abs() < 1e-9));
        assert_eq!(nice_ticks(0.0, 0.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!(nice_ticks(5.0, 5.0, 4).len() >= 2);
    }

    #[test]
    fn paths_follow_the_scale() {
        let s = vec![Series {
            label: "cpu".into(),
            points: vec![(0, 0.0), (50, 50.0), (100, 100.0)],
        }];
        let (scale, ticks) = scale_for(&s, 0, 100);
        assert_eq!(ticks.first(), Some(&0.0));
        assert_eq!(ticks.last(), Some(&100.0));
        let d = path_d(&s[0].points, &scale);
        assert!(
            d.starts_with(&format!("M{LEFT:.1},{:.1}", H - BOTTOM)),
            "{d}"
        );
        assert!(d.ends_with(&format!("L{:.1},{TOP:.1}", W - RIGHT)), "{d}");
        assert_eq!(d.matches('L').count(), 2);
        assert_eq!(path_d(&[], &scale), "");
    }

    #[test]
    fn labels_read_well() {
        assert_eq!(short_number(1234.0), "1234");
        assert_eq!(short_number(12_345.0), "12.3k");
        assert_eq!(short_number(2_500_000.0), "2.50M");
        assert_eq!(short_number(0.5), "0.50");
        assert_eq!(time_label(1_600_822_800_000, 3_600_000), "01:00");
        assert_eq!(time_label(1_600_822_800_000, 7 * 86_400_000), "09-23 01:00");
        assert_eq!(time_label(1_600_822_800_000, 30 * 86_400_000), "09-23");
    }
}
