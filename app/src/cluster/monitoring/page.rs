//! The monitoring tab: the charts, the time range and the monitoring period.

use super::*;
use crate::kit::waiting;

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
pub(super) struct Query {
    node: String,
    range: String,
    start: String,
    end: String,
}

/// The lines of one chart from the API's series.
pub(super) fn chart_series(
    locale: Locale,
    def: &ChartDef,
    perf: &PerfData,
    node_view: bool,
    node_label: &dyn Fn(&str) -> String,
) -> Vec<Series> {
    let label_of = |metric: &str| {
        def.metrics
            .iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, l)| l(locale).to_string())
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
                    td_string!(locale, cluster_data.whole_cluster_line).to_string()
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
pub(super) fn Monitoring() -> impl IntoView {
    let i18n = use_i18n();
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
    let custom_problem = move || {
        custom_range_problem(
            i18n.get_locale(),
            &custom_start.get(),
            &custom_end.get(),
            i64::MAX,
        )
    };
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

    let range_button = move |r: &'static str| {
        let label = move || match r {
            "1h" => t_string!(i18n, cluster_data.last_hour),
            "1d" => t_string!(i18n, cluster_data.last_day),
            _ => t_string!(i18n, cluster_data.last_week),
        };
        view! {
            <button type="button" class="small seg" data-range=r
                class:seg-current=move || query.read().range == r
                aria-pressed=move || (query.read().range == r).to_string()
                title=move || waiting(hydrated)
                disabled=move || !hydrated.get()
                on:click=move |_| pick_range(r)>{label}</button>
        }
    };

    let body = move || {
        view! {
            <section class="panel monitor-controls" data-testid="monitor-controls">
                <div class="monitor-row">
                    <label class="monitor-field">
                        <span>{t!(i18n, cluster_data.show_label)}</span>
                        <select data-testid="node-select" title=move || waiting(hydrated) disabled=move || !hydrated.get()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                query.update(|q| q.node = v);
                            }>
                            <option value="" selected=move || query.read().node.is_empty()>{t!(i18n, cluster_data.whole_cluster)}</option>
                            {move || nodes().into_iter().map(|(id, role)| {
                                let id2 = id.clone();
                                let label = t_string!(i18n, cluster_data.node_option, id = &id, role = role_short(&role)).to_string();
                                view! { <option value=id.clone() selected=move || query.read().node == id2>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <div class="monitor-field" role="group" aria-label=move || t_string!(i18n, cluster_data.time_range)>
                        <span>{t!(i18n, cluster_data.time_range)}</span>
                        <div class="seg-group" data-testid="range-picker">
                            {range_button("1h")}
                            {range_button("1d")}
                            {range_button("7d")}
                            <button type="button" class="small seg" data-range="custom"
                                class:seg-current=move || query.read().range == "custom"
                                aria-pressed=move || (query.read().range == "custom").to_string()
                                title=move || waiting(hydrated)
                                disabled=move || !hydrated.get()
                                on:click=open_custom>{t!(i18n, cluster_data.custom_range)}</button>
                        </div>
                    </div>
                </div>
                {move || custom_open.get().then(|| view! {
                    <form class="monitor-row custom-range" data-testid="custom-range" on:submit=apply_custom>
                        <label class="monitor-field">
                            <span>{t!(i18n, cluster_data.from_utc)}</span>
                            <input type="datetime-local" data-testid="custom-start"
                                prop:value=move || custom_start.get()
                                on:input=move |ev| custom_start.set(event_target_value(&ev)) />
                        </label>
                        <label class="monitor-field">
                            <span>{t!(i18n, cluster_data.to_utc)}</span>
                            <input type="datetime-local" data-testid="custom-end"
                                prop:value=move || custom_end.get()
                                on:input=move |ev| custom_end.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class="small primary-small" data-testid="apply-custom"
                            disabled=move || custom_problem().is_some()>{t!(i18n, cluster_data.show_button)}</button>
                        <p class="field-hint">
                            {move || match custom_problem() {
                                Some(p) => view! { <span class="field-error" data-testid="custom-problem">{t_string!(i18n, cluster_data.time_range_problem, problem = p).to_string()}</span> }.into_any(),
                                None => view! { <span class="muted">{move || {
                                    let locale = i18n.get_locale();
                                    let span = parse_minute(&custom_end.get()).unwrap_or(0) - parse_minute(&custom_start.get()).unwrap_or(0);
                                    let period = setting.get().flatten().and_then(|r| r.ok()).map(|s| s.period).unwrap_or_else(|| "60".into());
                                    td_string!(locale, cluster_data.resolution_for,
                                        span = duration_label(locale, span.max(MINUTE)),
                                        resolution = duration_label(locale, resolution_ms(span, &period))).to_string()
                                }}</span> }.into_any(),
                            }}
                        </p>
                    </form>
                })}
                <p class="muted small-print" data-testid="resolution">
                    {move || match perf.get().flatten() {
                        Some(Ok(p)) => {
                            let locale = i18n.get_locale();
                            td_string!(locale, cluster_data.resolution_line,
                                start = p.start, end = p.end,
                                resolution = duration_label(locale, p.resolution_ms),
                                period = p.period,
                                span = duration_label(locale, p.end_ms - p.start_ms)).to_string()
                        }
                        _ => String::new(),
                    }}
                </p>
            </section>

            <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_performance).to_string() /> }>
                {move || { let locale = i18n.get_locale(); Suspend::new(async move {
                    let Some(result) = perf.await else {
                        return view! { <Loading label=td_string!(locale, cluster_data.reading_cluster).to_string() /> }.into_any();
                    };
                    let p = match result {
                        Ok(p) => p,
                        Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                    };
                    let roles: Vec<(String, String)> = nodes();
                    let node_label = move |id: &str| {
                        match roles.iter().find(|(n, _)| n == id) {
                            Some((_, r)) => td_string!(locale, cluster_data.node_option, id = id, role = role_short(r)).to_string(),
                            None => id.to_string(),
                        }
                    };
                    let node_view = !query.get_untracked().node.is_empty();
                    let returned: usize = p.series.iter().map(|s| s.returned).sum();
                    let drawn: usize = p.series.iter().map(|s| s.points.len()).sum();
                    let charts = CHARTS.iter().map(|def| {
                        let series = chart_series(locale, def, &p, node_view, &node_label);
                        view! {
                            <LineChart id=def.id title=(def.title)(locale) unit=(def.unit)(locale) series=series start=p.start_ms end=p.end_ms />
                        }
                    }).collect_view();
                    view! {
                        <div data-testid="charts" data-start=p.start.clone() data-end=p.end.clone()
                            data-resolution=p.resolution_ms data-node=query.get_untracked().node>
                            {(drawn < returned).then(|| view! {
                                <p class="muted small-print">{td_string!(locale, cluster_data.points_averaged, returned = returned, max = MAX_DRAWN).to_string()}</p>
                            })}
                            <div class="chart-grid-layout">{charts}</div>
                            <p class="muted small-print">
                                {td_string!(locale, cluster_data.replication_lag_note)}
                                <span class="mono">{format!(" RequestIds: {}", p.request_ids.join(", "))}</span>
                            </p>
                        </div>
                    }.into_any()
                })}}
            </Transition>

            <section class="panel" data-testid="monitor-frequency">
                <h2>{t!(i18n, cluster_data.collection_frequency)}</h2>
                <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_collection_frequency).to_string() /> }>
                    {move || { let locale = i18n.get_locale(); Suspend::new(async move {
                        let s = match setting.await {
                            None => return view! { <Loading /> }.into_any(),
                            Some(Err(e)) => return view! { <ErrorBox error=e /> }.into_any(),
                            Some(Ok(s)) => s,
                        };
                        let current = s.period.clone();
                        if new_period.get_untracked().is_empty() || modify.value().get_untracked().is_some_and(|r| r.is_ok()) {
                            new_period.set(current.clone());
                        }
                        // Once interactive, saving needs another interval than the current one.
                        let unchanged = {
                            let current = current.clone();
                            Memo::new(move |_| hydrated.get() && new_period.get() == current)
                        };
                        view! {
                            <p>
                                {td_string!(locale, cluster_data.every_before)}<strong data-testid="monitor-period">{current.clone()}</strong>{td_string!(locale, cluster_data.every_after)}
                                <span class="muted">{td_string!(locale, cluster_data.resolution_rules)}</span>
                            </p>
                            {s.can_modify.then(|| view! {
                                <ActionForm action=modify attr:class="edit-form" attr:data-testid="period-form">
                                    <input type="hidden" name="account" value=s.account.clone() />
                                    <input type="hidden" name="region" value=s.region.clone() />
                                    <input type="hidden" name="cluster" value=s.cluster.clone() />
                                    <select name="period" data-testid="period-select" aria-label=td_string!(locale, cluster_data.collection_interval)
                                        on:change=move |ev| new_period.set(event_target_value(&ev))>
                                        <option value="5" selected=current == "5">{td_string!(locale, cluster_data.every_5_seconds)}</option>
                                        <option value="60" selected=current == "60">{td_string!(locale, cluster_data.every_60_seconds)}</option>
                                    </select>
                                    // Before the page is interactive the form posts by itself.
                                    <button type="submit" class="small primary-small" data-testid="save-period"
                                        title=move || unchanged.get().then(|| t_string!(i18n, cluster_data.choose_another_interval))
                                        disabled=move || modify.pending().get() || unchanged.get()>
                                        {move || if modify.pending().get() { t_string!(i18n, cluster_data.saving) } else { t_string!(i18n, cluster_data.save) }}
                                    </button>
                                </ActionForm>
                            })}
                        }.into_any()
                    })}}
                </Transition>
                {change_error(modify.value())}
            </section>
        }
    };
    view! {
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_data.reading_cluster).to_string() /> }>
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
