//! What a region offers PostgreSQL, by zone (DescribeDBClusterAvailableResources, 6.10.3):
//! shared by the create wizard and a cluster's primary-zone change.

use serde::{Deserialize, Serialize};

/// The engine versions and node classes on sale in one zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneOffer {
    pub zone: String,
    /// (major version, node classes).
    pub versions: Vec<(String, Vec<String>)>,
}

/// The PostgreSQL part of an availability answer (engines `pg11`, `pg14`, …).
pub fn offers(r: polardb::models::DescribeDBClusterAvailableResourcesResponse) -> Vec<ZoneOffer> {
    r.available_zones
        .into_iter()
        .map(|z| ZoneOffer {
            zone: z.zone_id,
            versions: z
                .supported_engines
                .into_iter()
                .filter_map(|e| {
                    let v = e.engine.strip_prefix("pg")?.to_string();
                    let classes: Vec<String> = e
                        .available_resources
                        .into_iter()
                        .filter(|r| {
                            r.category.is_empty() || r.category.eq_ignore_ascii_case("Normal")
                        })
                        .map(|r| r.db_node_class)
                        .collect();
                    (!classes.is_empty()).then_some((v, classes))
                })
                .collect(),
        })
        .filter(|z| !z.versions.is_empty())
        .collect()
}
