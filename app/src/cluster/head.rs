//! The head of every cluster section: the cluster's name, status and lock, a clone link,
//! and the section tabs (the frame's upper part, above the tab's outlet).

use leptos::prelude::*;

use crate::cluster::frame::{lock_mode_label, ClusterData, Scope};
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::kit::{clone_href, cluster_href, with_scope, StatusBadge};
use crate::AppError;

/// The sections of a cluster: their path segments, in the order of the tabs.
pub const TABS: &[&str] = &[
    "",
    "nodes",
    "endpoints",
    "parameters",
    "whitelists",
    "ssl",
    "accounts",
    "databases",
    "backups",
    "monitoring",
    "tags",
];

/// A section's tab label in the language in use.
fn tab_label(i18n: leptos_i18n::I18nContext<Locale>, path: &str) -> &'static str {
    match path {
        "" => t_string!(i18n, cluster.tab_overview),
        "nodes" => t_string!(i18n, cluster.tab_nodes),
        "endpoints" => t_string!(i18n, cluster.tab_endpoints),
        "parameters" => t_string!(i18n, cluster.tab_parameters),
        "whitelists" => t_string!(i18n, cluster.tab_whitelists),
        "ssl" => t_string!(i18n, cluster.tab_ssl),
        "accounts" => t_string!(i18n, cluster.tab_accounts),
        "databases" => t_string!(i18n, cluster.tab_databases),
        "backups" => t_string!(i18n, cluster.tab_backups),
        "monitoring" => t_string!(i18n, cluster.tab_monitoring),
        _ => t_string!(i18n, cluster.tab_tags),
    }
}

/// The head of the frame: the way back to the list, the cluster's title and status line (a
/// name until the cluster is read), and the tabs, `tab` the current one.
pub(super) fn cluster_head(
    scope: Memo<Scope>,
    data: Resource<Result<ClusterData, AppError>>,
    tab: Memo<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tabs = move || {
        let s = scope.get();
        TABS.iter()
            .map(|path| {
                let href = cluster_href(&s.id, &s.account, &s.region, path);
                let current = *path == tab.read().as_str();
                view! {
                    <a
                        href=href
                        class:tab=true
                        class:tab-current=current
                        aria-current=if current { Some("page") } else { None }
                        data-tab=if path.is_empty() { "overview" } else { path }
                    >
                        {move || tab_label(i18n, path)}
                    </a>
                }
            })
            .collect_view()
    };

    view! {
        <div class="page-head cluster-head">
            <a class="back-link" href=move || {
                let s = scope.get();
                with_scope("/clusters", &s.account, &s.region)
            }>{t!(i18n, cluster.back_to_clusters)}</a>
            <Transition fallback=move || view! { <h1 class="mono">{move || scope.read().id.clone()}</h1> }>
                {move || Suspend::new(async move {
                    let id = scope.read_untracked().id.clone();
                    match data.await {
                        Ok(d) => {
                            let a = &d.attr;
                            view! {
                                <h1 data-testid="cluster-title">{d.name()}</h1>
                                <p class="cluster-sub">
                                    <span class="mono">{a.db_cluster_id.clone()}</span>
                                    <span data-testid="cluster-status"><StatusBadge status=a.db_cluster_status.clone() /></span>
                                    {(d.attr.lock_mode != "Unlock" && !d.attr.lock_mode.is_empty()).then(|| view! {
                                        <span class="badge badge-bad">{
                                            let mode = d.attr.lock_mode.clone();
                                            move || lock_mode_label(&mode)
                                        }</span>
                                    })}
                                    <span class="muted">{format!("{} · {} · PostgreSQL {}", d.account, d.region, a.db_version)}</span>
                                    {(d.can("CreateDBCluster") && d.running()).then(|| view! {
                                        <a class="button small" data-testid="clone-cluster"
                                            title=move || t_string!(i18n, cluster.clone_hint)
                                            href=clone_href(&a.db_cluster_id, &d.account, &d.region, "LATEST")>{t!(i18n, cluster.clone_cluster)}</a>
                                    })}
                                </p>
                            }
                            .into_any()
                        }
                        Err(_) => view! { <h1 class="mono">{id}</h1> }.into_any(),
                    }
                })}
            </Transition>
        </div>
        <nav class="tabs" aria-label=move || t_string!(i18n, cluster.sections) data-testid="cluster-tabs">{tabs}</nav>
    }
}
