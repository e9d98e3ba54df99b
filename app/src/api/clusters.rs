//! The fleet's cluster list: its rows, its filter (kept in the address), and the server
//! functions that list and search it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::kit::url_encode;
use crate::AppError;

/// One row of the cluster list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRow {
    pub account: String,
    pub id: String,
    pub description: String,
    pub status: String,
    pub engine: String,
    /// The PostgreSQL major version (DBVersion).
    pub version: String,
    pub region: String,
    pub zone: String,
    pub nodes: u32,
    pub pay_type: String,
    pub created: String,
    pub tags: Vec<(String, String)>,
}

/// The default number of clusters on one page of the list.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The most clusters one page may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// The columns the list sorts by (the `sort` query parameter).
pub const SORT_KEYS: &[&str] = &[
    "id", "status", "engine", "region", "nodes", "billing", "account", "created",
];

/// What the cluster list shows: the filters, the order and the page, exactly as the
/// address says them (`/clusters?status=Running&sort=created&dir=desc&page=2`), so that
/// a link reproduces the list. Empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterFilter {
    pub account: String,
    pub region: String,
    pub status: String,
    /// PostgreSQL major version.
    pub version: String,
    pub pay_type: String,
    pub tag_key: String,
    pub tag_value: String,
    /// Text in the cluster ID or description.
    pub q: String,
    /// One of [`SORT_KEYS`]; empty for region, then ID.
    pub sort: String,
    /// `desc` for descending; anything else ascends.
    pub dir: String,
    /// 1-based; 0 means 1.
    pub page: u32,
    /// Clusters a page; 0 means [`DEFAULT_PER_PAGE`].
    pub per: u32,
}

impl ClusterFilter {
    /// The query parameters as the address carries them (in this order), without empty ones.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |k: &'static str, v: &str| {
            if !v.is_empty() {
                out.push((k, v.to_string()));
            }
        };
        put("account", &self.account);
        put("region", &self.region);
        put("status", &self.status);
        put("version", &self.version);
        put("pay", &self.pay_type);
        put("tag", &self.tag_key);
        put("tagv", &self.tag_value);
        put("q", &self.q);
        put("sort", &self.sort);
        put("dir", &self.dir);
        if self.page > 1 {
            out.push(("page", self.page.to_string()));
        }
        if self.per != 0 && self.per != DEFAULT_PER_PAGE {
            out.push(("per", self.per.to_string()));
        }
        out
    }

    /// Reads the query parameters (a getter of the address's query map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let num = |k: &str| text(k).parse::<u32>().unwrap_or(0);
        ClusterFilter {
            account: text("account"),
            region: text("region"),
            status: text("status"),
            version: text("version"),
            pay_type: text("pay"),
            tag_key: text("tag"),
            tag_value: text("tagv"),
            q: text("q"),
            sort: text("sort"),
            dir: text("dir"),
            page: num("page"),
            per: num("per"),
        }
    }

    /// `/clusters?…` for this filter.
    pub fn href(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            return "/clusters".into();
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", url_encode(&v)))
            .collect();
        format!("/clusters?{}", query.join("&"))
    }

    /// The page size in force.
    pub fn per_page(&self) -> u32 {
        match self.per {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        }
    }

    /// Whether any filter narrows the list (besides account and region).
    pub fn narrowed(&self) -> bool {
        !(self.status.is_empty()
            && self.version.is_empty()
            && self.pay_type.is_empty()
            && self.tag_key.is_empty()
            && self.q.is_empty())
    }
}

/// What is wrong with a filter (the same rules the list enforces on the server).
pub fn cluster_filter_problem(f: &ClusterFilter) -> Option<(&'static str, String)> {
    if !f.sort.is_empty() && !SORT_KEYS.contains(&f.sort.as_str()) {
        return Some(("sort", format!("must be one of {}", SORT_KEYS.join(", "))));
    }
    if !f.pay_type.is_empty() && f.pay_type != "Postpaid" && f.pay_type != "Prepaid" {
        return Some(("pay", "must be Postpaid or Prepaid".into()));
    }
    if f.tag_key.is_empty() && !f.tag_value.is_empty() {
        return Some(("tag", "a tag value needs its key".into()));
    }
    if f.tag_key.chars().count() > 128 || f.tag_value.chars().count() > 128 {
        return Some((
            "tag",
            "tag keys and values have at most 128 characters".into(),
        ));
    }
    if f.q.chars().count() > 256 {
        return Some(("q", "search text has at most 256 characters".into()));
    }
    // A region that is no region id matches nothing: say so (eighth attack run).
    if !f.region.is_empty() && polardb::request::RegionId::parse(&f.region).is_err() {
        return Some((
            "region",
            "must be a region id (lowercase letters, digits and hyphens, like cn-hangzhou)".into(),
        ));
    }
    None
}

/// Orders rows by a column of [`SORT_KEYS`] (ties: region, then ID, so pages are stable).
pub fn sort_rows(rows: &mut [ClusterRow], sort: &str, descending: bool) {
    rows.sort_by(|a, b| {
        let primary = match sort {
            "id" => a.id.cmp(&b.id),
            "status" => a.status.cmp(&b.status),
            "engine" => version_key(&a.version).cmp(&version_key(&b.version)),
            "region" => {
                (a.region.as_str(), a.zone.as_str()).cmp(&(b.region.as_str(), b.zone.as_str()))
            }
            "nodes" => a.nodes.cmp(&b.nodes),
            "billing" => a.pay_type.cmp(&b.pay_type),
            "account" => a.account.cmp(&b.account),
            "created" => a.created.cmp(&b.created),
            _ => std::cmp::Ordering::Equal,
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| {
            (a.region.as_str(), a.id.as_str()).cmp(&(b.region.as_str(), b.id.as_str()))
        })
    });
}

fn version_key(v: &str) -> (u32, String) {
    (
        v.split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        v.to_string(),
    )
}

/// A region whose call failed, named with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionProblem {
    pub account: String,
    pub region: String,
    pub code: String,
    pub message: String,
    pub request_id: String,
}

impl RegionProblem {
    /// A region's failed call, as its banner says it: the API's code, message and RequestId.
    pub fn of(account: &str, region: &str, e: AppError) -> RegionProblem {
        let (code, message, request_id) = match e {
            AppError::Upstream {
                code,
                message,
                request_id,
                ..
            } => (code, message, request_id),
            other => (String::new(), other.to_string(), String::new()),
        };
        RegionProblem {
            account: account.into(),
            region: region.into(),
            code,
            message,
            request_id,
        }
    }
}

/// One page of the cluster list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterList {
    /// The clusters of this page.
    pub clusters: Vec<ClusterRow>,
    pub problems: Vec<RegionProblem>,
    /// How many clusters pass the filters (on every page).
    pub total: usize,
    /// The page shown (1-based, within the pages there are).
    pub page: u32,
    /// Clusters a page.
    pub per: u32,
}

impl ClusterList {
    pub fn pages(&self) -> u32 {
        (self.total as u32).div_ceil(self.per.max(1)).max(1)
    }
}

/// The clusters of the chosen cloud accounts and regions (all when not chosen) that pass
/// the filter, sorted, one page of them. The filters are applied on the server (status,
/// pay type and a full tag are also passed to DescribeDBClusters), so only the page
/// shown travels to the browser.
#[server(input = server_fn::codec::Json, endpoint = "search_clusters")]
pub async fn search_clusters(filter: ClusterFilter) -> Result<ClusterList, AppError> {
    fleet_list(filter, true).await
}

/// Every cluster of the chosen cloud accounts and regions (all when not chosen), unpaged.
#[server]
pub async fn list_clusters(
    account: Option<String>,
    region: Option<String>,
) -> Result<ClusterList, AppError> {
    let filter = ClusterFilter {
        account: account.unwrap_or_default(),
        region: region.unwrap_or_default(),
        ..Default::default()
    };
    fleet_list(filter, false).await
}

#[cfg(feature = "ssr")]
async fn fleet_list(filter: ClusterFilter, paged: bool) -> Result<ClusterList, AppError> {
    let (backend, user) = ssr::require_user().await?;
    if let Some((field, message)) = cluster_filter_problem(&filter) {
        return Err(AppError::Invalid {
            field: field.into(),
            message,
        });
    }
    let caller = ssr::caller(&backend, &user).await?;
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let query = backend::gateway::FleetQuery {
        account: some(&filter.account),
        region: some(&filter.region),
    };
    let keep = backend::gateway::FleetFilter {
        status: some(&filter.status),
        pay_type: some(&filter.pay_type),
        tag: some(&filter.tag_key).map(|k| (k, some(&filter.tag_value))),
        version: some(&filter.version),
        text: some(&filter.q),
    };
    let view = backend
        .gateway
        .fleet_filtered(&caller, &query, &keep)
        .await?;
    let mut rows: Vec<ClusterRow> = view
        .clusters
        .into_iter()
        .map(|f| {
            let c = f.cluster;
            ClusterRow {
                account: f.account,
                engine: format!("{} {}", c.db_type, c.db_version),
                version: c.db_version,
                id: c.db_cluster_id,
                description: c.db_cluster_description,
                status: c.db_cluster_status,
                region: c.region_id,
                zone: c.zone_id,
                nodes: c.db_node_number,
                pay_type: c.pay_type,
                created: c.create_time,
                tags: c.tags.tag.into_iter().map(|t| (t.key, t.value)).collect(),
            }
        })
        .collect();
    if !filter.sort.is_empty() || filter.dir == "desc" {
        sort_rows(&mut rows, &filter.sort, filter.dir == "desc");
    }
    let total = rows.len();
    let per = if paged {
        filter.per_page()
    } else {
        (total as u32).max(1)
    };
    let pages = (total as u32).div_ceil(per).max(1);
    let page = filter.page.clamp(1, pages);
    let clusters = rows
        .into_iter()
        .skip(((page - 1) * per) as usize)
        .take(per as usize)
        .collect();
    Ok(ClusterList {
        clusters,
        total,
        page,
        per,
        problems: view
            .failures
            .into_iter()
            .map(|f| RegionProblem {
                account: f.account,
                region: f.region,
                code: f.error.code.clone(),
                message: f.error.human(),
                request_id: f.error.request_id,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, region: &str, version: &str, created: &str) -> ClusterRow {
        ClusterRow {
            account: "a".into(),
            id: id.into(),
            description: String::new(),
            status: "Running".into(),
            engine: format!("PostgreSQL {version}"),
            version: version.into(),
            region: region.into(),
            zone: String::new(),
            nodes: 2,
            pay_type: "Postpaid".into(),
            created: created.into(),
            tags: vec![],
        }
    }

    #[test]
    fn filters_round_trip_through_the_address() {
        let f = ClusterFilter {
            status: "Running".into(),
            q: "orders prod".into(),
            tag_key: "env".into(),
            sort: "created".into(),
            dir: "desc".into(),
            page: 2,
            per: 5,
            ..Default::default()
        };
        let href = f.href();
        assert_eq!(
            href,
            "/clusters?status=Running&tag=env&q=orders%20prod&sort=created&dir=desc&page=2&per=5"
        );
        let pairs = f.pairs();
        let back = ClusterFilter::from_lookup(|k| {
            pairs.iter().find(|(p, _)| *p == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, f);
        assert_eq!(ClusterFilter::default().href(), "/clusters");
        // Defaults are left out of the address.
        let plain = ClusterFilter {
            page: 1,
            per: DEFAULT_PER_PAGE,
            ..Default::default()
        };
        assert_eq!(plain.href(), "/clusters");
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(ClusterFilter::default().per_page(), DEFAULT_PER_PAGE);
        let f = ClusterFilter {
            per: 100_000,
            ..Default::default()
        };
        assert_eq!(f.per_page(), MAX_PER_PAGE);
    }

    #[test]
    fn filter_problems_name_the_parameter() {
        let bad = |f: ClusterFilter| cluster_filter_problem(&f).map(|(k, _)| k);
        assert_eq!(bad(ClusterFilter::default()), None);
        assert_eq!(
            bad(ClusterFilter {
                sort: "colour".into(),
                ..Default::default()
            }),
            Some("sort")
        );
        assert_eq!(
            bad(ClusterFilter {
                pay_type: "Free".into(),
                ..Default::default()
            }),
            Some("pay")
        );
        assert_eq!(
            bad(ClusterFilter {
                tag_value: "x".into(),
                ..Default::default()
            }),
            Some("tag")
        );
        assert_eq!(
            bad(ClusterFilter {
                tag_key: "k".repeat(129),
                ..Default::default()
            }),
            Some("tag")
        );
    }

    #[test]
    fn rows_sort_by_column_with_stable_ties() {
        let mut rows = vec![
            row("pc-b", "cn-hangzhou", "11", "2026-01-02T00:00:00Z"),
            row("pc-a", "cn-shanghai", "16", "2026-01-01T00:00:00Z"),
            row("pc-c", "cn-hangzhou", "14", "2026-01-03T00:00:00Z"),
        ];
        sort_rows(&mut rows, "created", true);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-c", "pc-b", "pc-a"]
        );
        sort_rows(&mut rows, "engine", false);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-b", "pc-c", "pc-a"]
        );
        sort_rows(&mut rows, "id", false);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-a", "pc-b", "pc-c"]
        );
        // Equal keys fall back to region, then ID.
        sort_rows(&mut rows, "nodes", true);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-b", "pc-c", "pc-a"]
        );
    }
}
