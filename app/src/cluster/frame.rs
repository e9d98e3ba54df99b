//! The frame of every cluster section: title and status, the section tabs (its head, in
//! `head`), and the section itself. It reads the cluster once (DescribeDBClusterAttribute
//! and the user's permissions on it), shares it with the tab through [`ClusterCtx`], and
//! reads it again after every change and, while something is in progress, every few seconds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use super::head::cluster_head;
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::kit::{is_transitional, Empty, ErrorBox, POLL};
use crate::AppError;

/// The language the words of this area are written in (the kit's: the page's, else the
/// request's, else English).
pub use crate::kit::words::locale as language;

/// Actions on one cluster whose buttons the pages show only to those allowed.
#[cfg(feature = "ssr")]
const CLUSTER_ACTIONS: &[&str] = &[
    "CreateDBCluster",
    "ModifyDBClusterDescription",
    "ModifyDBClusterMaintainTime",
    "ModifyDBClusterDeletion",
    "DeleteDBCluster",
    "CreateDBNodes",
    "DeleteDBNodes",
    "ModifyDBNodeClass",
    "FailoverDBCluster",
    "ModifyDBClusterPrimaryZone",
];

/// Actions checked region-wide: RestartDBNode names a node, not a cluster, and
/// ModifyAutoRenewAttribute a list of clusters (DBClusterIds), so the server decides them
/// on `dbcluster/*`.
#[cfg(feature = "ssr")]
const REGION_ACTIONS: &[&str] = &["RestartDBNode", "ModifyAutoRenewAttribute"];

/// Which cluster a page shows: from the path and the query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub id: String,
    pub account: String,
    pub region: String,
}

/// A cluster as its pages need it: where it is, its attributes, what the user may do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterData {
    pub account: String,
    pub region: String,
    pub attr: ClusterView,
    /// Action names (without `polardb:`) the user may perform on this cluster.
    pub allowed: Vec<String>,
}

/// A cluster's attributes as its pages show them (DescribeDBClusterAttribute, 06.x): only
/// what the pages read, so that the browser carries no API model. Named as the API names
/// them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    pub db_cluster_id: String,
    pub db_cluster_description: String,
    pub db_cluster_status: String,
    pub db_cluster_network_type: String,
    pub db_type: String,
    pub db_version: String,
    pub db_version_status: String,
    pub category: String,
    pub sub_category: String,
    pub engine: String,
    pub pay_type: String,
    pub creation_time: String,
    pub expire_time: String,
    pub expired: String,
    pub deletion_lock: i64,
    pub lock_mode: String,
    pub maintain_time: String,
    pub region_id: String,
    pub zone_ids: String,
    pub vpc_id: String,
    pub v_switch_id: String,
    pub resource_group_id: String,
    pub storage_used: i64,
    pub storage_max: i64,
    pub storage_type: String,
    pub storage_pay_type: String,
    pub data_level1_backup_chain_size: i64,
    /// Bytes kept by SQL collection; -1 when there is none (6.4).
    pub sql_size: i64,
    pub is_latest_version: bool,
    pub auto_upgrade_minor_version: String,
    pub tags: Vec<TagView>,
    pub db_nodes: Vec<NodeView>,
}

/// A tag of the cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TagView {
    pub key: String,
    pub value: String,
}

/// A node of the cluster, as the pages show it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub db_node_id: String,
    pub db_node_class: String,
    pub db_node_role: String,
    pub db_node_status: String,
    pub zone_id: String,
    pub creation_time: String,
    pub cpu_cores: String,
    pub memory_size: String,
    pub failover_priority: i64,
    /// The most concurrent connections and I/O requests a second the node's class allows.
    pub max_connections: i64,
    pub max_iops: i64,
}

#[cfg(feature = "ssr")]
impl From<polardb::models::DescribeDBClusterAttributeResponse> for ClusterView {
    fn from(a: polardb::models::DescribeDBClusterAttributeResponse) -> Self {
        ClusterView {
            db_cluster_id: a.db_cluster_id,
            db_cluster_description: a.db_cluster_description,
            db_cluster_status: a.db_cluster_status,
            db_cluster_network_type: a.db_cluster_network_type,
            db_type: a.db_type,
            db_version: a.db_version,
            db_version_status: a.db_version_status,
            category: a.category,
            sub_category: a.sub_category,
            engine: a.engine,
            pay_type: a.pay_type,
            creation_time: a.creation_time,
            expire_time: a.expire_time,
            expired: a.expired,
            deletion_lock: a.deletion_lock,
            lock_mode: a.lock_mode,
            maintain_time: a.maintain_time,
            region_id: a.region_id,
            zone_ids: a.zone_ids,
            vpc_id: a.vpc_id,
            v_switch_id: a.v_switch_id,
            resource_group_id: a.resource_group_id,
            storage_used: a.storage_used,
            storage_max: a.storage_max,
            storage_type: a.storage_type,
            storage_pay_type: a.storage_pay_type,
            data_level1_backup_chain_size: a.data_level1_backup_chain_size,
            sql_size: a.sql_size,
            is_latest_version: a.is_latest_version,
            auto_upgrade_minor_version: a.auto_upgrade_minor_version,
            tags: a
                .tags
                .into_iter()
                .map(|t| TagView {
                    key: t.key,
                    value: t.value,
                })
                .collect(),
            db_nodes: a
                .db_nodes
                .into_iter()
                .map(|n| NodeView {
                    db_node_id: n.db_node_id,
                    db_node_class: n.db_node_class,
                    db_node_role: n.db_node_role,
                    db_node_status: n.db_node_status,
                    zone_id: n.zone_id,
                    creation_time: n.creation_time,
                    cpu_cores: n.cpu_cores,
                    memory_size: n.memory_size,
                    failover_priority: n.failover_priority,
                    max_connections: n.max_connections,
                    max_iops: n.max_iops,
                })
                .collect(),
        }
    }
}

impl ClusterData {
    pub fn can(&self, action: &str) -> bool {
        self.allowed.iter().any(|a| a == action)
    }

    /// The zone of the cluster's first node (where new nodes and classes are asked for).
    pub fn first_zone(&self) -> String {
        self.attr
            .db_nodes
            .first()
            .map(|n| n.zone_id.clone())
            .unwrap_or_default()
    }

    /// The cluster or one of its nodes is in a state that ends by itself.
    pub fn busy(&self) -> bool {
        is_transitional(&self.attr.db_cluster_status)
            || self
                .attr
                .db_nodes
                .iter()
                .any(|n| is_transitional(&n.db_node_status))
    }

    pub fn running(&self) -> bool {
        self.attr.db_cluster_status == "Running"
    }

    pub fn name(&self) -> String {
        if self.attr.db_cluster_description.is_empty() {
            self.attr.db_cluster_id.clone()
        } else {
            self.attr.db_cluster_description.clone()
        }
    }
}

/// Reads one cluster (DescribeDBClusterAttribute) and the user's permissions on it. Without
/// account and region in the address, finds them in the fleet first.
pub async fn load_cluster(scope: Scope) -> Result<ClusterData, AppError> {
    read_cluster(scope.id, scope.account, scope.region).await
}

/// The work of [`load_cluster`], done on the server: one request from the browser.
#[server]
pub async fn read_cluster(
    id: String,
    account: String,
    region: String,
) -> Result<ClusterData, AppError> {
    use crate::api::permissions;
    let (mut account, mut region) = (account, region);
    if id.is_empty() {
        return Err(AppError::Invalid {
            field: "cluster".into(),
            message: td_string!(language(), cluster.no_cluster_id).to_string(),
        });
    }
    if account.is_empty() || region.is_empty() {
        let fleet = crate::api::search_clusters(crate::api::ClusterFilter {
            account: account.clone(),
            region: region.clone(),
            q: id.clone(),
            per: crate::api::MAX_PER_PAGE,
            ..Default::default()
        })
        .await?;
        let found = fleet
            .clusters
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| {
                AppError::NotFound(
                    td_string!(language(), cluster.cluster_named, id = &id).to_string(),
                )
            })?;
        account = found.account;
        region = found.region;
    }
    let api = crate::call::Api::signed_in().await?;
    let attr = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeDBClusterAttribute {
                db_cluster_id: id.clone(),
            },
        )
        .await?;
    let polardb =
        |names: &[&str]| -> Vec<String> { names.iter().map(|a| format!("polardb:{a}")).collect() };
    let mut allowed = permissions(
        account.clone(),
        region.clone(),
        Some(id.clone()),
        polardb(CLUSTER_ACTIONS),
    )
    .await?;
    allowed.extend(
        permissions(
            account.clone(),
            region.clone(),
            None,
            polardb(REGION_ACTIONS),
        )
        .await?,
    );
    let allowed = allowed
        .into_iter()
        .map(|a| a.trim_start_matches("polardb:").to_string())
        .collect();
    Ok(ClusterData {
        account,
        region,
        attr: attr.into(),
        allowed,
    })
}

/// What a cluster section shares: the cluster being shown, re-read after every change and,
/// while something is in progress, every few seconds.
#[derive(Clone, Copy)]
pub struct ClusterCtx {
    pub scope: Memo<Scope>,
    pub data: Resource<Result<ClusterData, AppError>>,
    /// Bumped after every successful change; the cluster is then read again.
    pub changed: RwSignal<u32>,
    /// True once the page is interactive (buttons stay disabled before).
    pub hydrated: RwSignal<bool>,
}

impl ClusterCtx {
    /// After each run of `value`'s action: read the cluster again (a refusal may mean the
    /// page was out of date), and after a successful one run `then`.
    pub fn after_success<T, S>(&self, value: S, then: impl Fn() + 'static)
    where
        T: Clone + Send + Sync + 'static,
        S: Get<Value = Option<Result<T, AppError>>> + 'static,
    {
        let changed = self.changed;
        Effect::new(move |_| match value.get() {
            Some(Ok(_)) => {
                changed.update(|n| *n += 1);
                then();
            }
            Some(Err(AppError::Upstream { .. })) => changed.update(|n| *n += 1),
            _ => {}
        });
    }
}

/// A lock mode in words, in the language in use.
pub fn lock_mode_label(m: &str) -> String {
    let l = language();
    match m {
        "" | "Unlock" => td_string!(l, cluster.lock_none).to_string(),
        "ManualLock" => td_string!(l, cluster.lock_manual).to_string(),
        "LockByExpiration" => td_string!(l, cluster.lock_expired).to_string(),
        "LockByRestoration" => td_string!(l, cluster.lock_restoring).to_string(),
        "LockByDiskQuota" => td_string!(l, cluster.lock_disk_quota).to_string(),
        other => td_string!(
            l,
            cluster.lock_other,
            mode = crate::kit::api_word_in(l, other)
        )
        .to_string(),
    }
}

/// The cluster is gone (deleted, or never existed).
fn is_not_found(e: &AppError) -> bool {
    match e {
        AppError::Upstream { code, .. } => code.starts_with("InvalidDBClusterId"),
        // The console's own answer: no cloud account and region it can see has the cluster
        // (from the fleet search, or the gateway's check of where the cluster is).
        AppError::NotFound(_) => true,
        _ => false,
    }
}

/// A failed read, in words; a cluster that no longer exists says so plainly.
pub fn load_error(e: AppError, id: String) -> AnyView {
    if is_not_found(&e) {
        let i18n = use_i18n();
        view! {
            <div data-testid="cluster-gone">
                <Empty
                    title=t_string!(i18n, cluster.gone_title, id = &id).to_string()
                    hint=t_string!(i18n, cluster.gone_hint)
                />
                <p><a href="/clusters">{t!(i18n, cluster.back_to_list)}</a></p>
            </div>
        }
        .into_any()
    } else {
        view! { <ErrorBox error=e /> }.into_any()
    }
}

/// The frame of every cluster section, the parent route of the tabs: title and status, the
/// section tabs, and the tab's route in the outlet. Provides [`ClusterCtx`]; it stays while
/// the user moves between tabs, so the cluster is read once for all of them.
#[component]
pub fn ClusterFrame() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    // The tab is the path after `/clusters/:id` (the child route shown in the outlet).
    let location = use_location();
    let tab = Memo::new(move |_| {
        location
            .pathname
            .read()
            .splitn(4, '/')
            .nth(3)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string()
    });
    let query = use_query_map();
    let scope = Memo::new(move |_| Scope {
        id: params.read().get("id").unwrap_or_default(),
        account: query.read().get("account").unwrap_or_default(),
        region: query.read().get("region").unwrap_or_default(),
    });
    let changed = RwSignal::new(0u32);
    let data = Resource::new(
        move || (scope.get(), changed.get()),
        |(s, _)| load_cluster(s),
    );
    let hydrated = RwSignal::new(false);
    let ctx = ClusterCtx {
        scope,
        data,
        changed,
        hydrated,
    };
    provide_context(ctx);

    // After hydration: re-read while the cluster or a node is in a transitional state.
    Effect::new(move |_| {
        hydrated.set(true);
        let tick = move || {
            let busy = matches!(data.get_untracked(), Some(Ok(d)) if d.busy());
            if busy {
                data.refetch();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, POLL) {
            on_cleanup(move || handle.clear());
        }
    });

    let title =
        move || t_string!(i18n, cluster.page_title, id = scope.read().id.clone()).to_string();

    view! {
        <Title text=title />
        {cluster_head(scope, data, tab)}
        <Outlet />
    }
}

/// A section's own data, read again after its changes and whenever the cluster's status
/// changes (a change in progress has ended).
pub fn section_reload(ctx: ClusterCtx) -> RwSignal<u32> {
    let reload = RwSignal::new(0u32);
    let status = Memo::new(move |_| {
        ctx.data
            .get()
            .and_then(|r| r.ok())
            .map(|d| d.attr.db_cluster_status)
    });
    Effect::new(move |prev: Option<Option<String>>| {
        let now = status.get();
        if let Some(prev) = prev {
            if prev.is_some() && now.is_some() && prev != now {
                reload.update(|n| *n += 1);
            }
        }
        now
    });
    reload
}

/// Account and region of a cluster when the address does not name them.
#[cfg(feature = "ssr")]
pub async fn locate(
    account: String,
    region: String,
    cluster: &str,
) -> Result<(String, String), AppError> {
    if !account.is_empty() && !region.is_empty() {
        return Ok((account, region));
    }
    let d = load_cluster(Scope {
        id: cluster.to_string(),
        account,
        region,
    })
    .await?;
    Ok((d.account, d.region))
}

/// A counter that moves whenever the cluster's state (its status or a node's) changes after
/// hydration: a section whose data lives next to the cluster reads it again then, so the
/// end of a transition (CONFIG_SWITCHING, NetAddressCreating, Rebooting, …) shows by itself.
pub fn follow_cluster(ctx: ClusterCtx) -> RwSignal<u32> {
    let tick = RwSignal::new(0u32);
    let data = ctx.data;
    Effect::new(move |prev: Option<String>| {
        let sig = match data.get() {
            Some(Ok(d)) => format!(
                "{}|{}",
                d.attr.db_cluster_status,
                d.attr
                    .db_nodes
                    .iter()
                    .map(|n| n.db_node_status.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => String::new(),
        };
        if prev.is_some_and(|p| p != sig) {
            tick.update(|n| *n += 1);
        }
        sig
    });
    tick
}

/// Account, region and ID of the cluster a section shows, from the address; looked up
/// (as the frame does) when the address lacks the account or the region. Sections read
/// from this rather than from the frame's resource, so that the server and the browser
/// render the same thing.
pub async fn resolve(s: Scope) -> Result<(String, String, String), AppError> {
    if !s.account.is_empty() && !s.region.is_empty() {
        return Ok((s.account, s.region, s.id));
    }
    let d = load_cluster(s).await?;
    Ok((d.account, d.region, d.attr.db_cluster_id))
}
