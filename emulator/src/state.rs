//! The emulator's world: regions, zones and clusters, seeded deterministically.

use serde::{Deserialize, Serialize};

/// A region and its zones, as DescribeRegions reports them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegionDef {
    pub region_id: String,
    pub zones: Vec<String>,
}

/// One node of a cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub class: String,
    pub role: String,
    pub zone_id: String,
    pub status: String,
}

/// A tag on a cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TagKv {
    pub key: String,
    pub value: String,
}

/// One cluster.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cluster {
    pub id: String,
    pub description: String,
    pub status: String,
    pub db_version: String,
    pub region_id: String,
    pub zone_id: String,
    pub vpc_id: String,
    pub vswitch_id: String,
    pub pay_type: String,
    pub create_time: String,
    #[serde(default)]
    pub expire_time: String,
    pub lock_mode: String,
    pub deletion_lock: i32,
    pub category: String,
    pub storage_used: i64,
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub tags: Vec<TagKv>,
}

/// A whole initial state; what `--state FILE` loads.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Seed {
    pub regions: Vec<RegionDef>,
    pub clusters: Vec<Cluster>,
}

/// The live state.
#[derive(Debug)]
pub struct World {
    pub regions: Vec<RegionDef>,
    pub clusters: Vec<Cluster>,
}

impl World {
    pub fn from_seed(seed: &Seed) -> Self {
        World {
            regions: seed.regions.clone(),
            clusters: seed.clusters.clone(),
        }
    }
}

fn region(id: &str, zones: &[&str]) -> RegionDef {
    RegionDef {
        region_id: id.to_string(),
        zones: zones.iter().map(|z| z.to_string()).collect(),
    }
}

/// The regions the emulator offers (a subset of the real list).
pub fn default_regions() -> Vec<RegionDef> {
    vec![
        region(
            "cn-hangzhou",
            &["cn-hangzhou-g", "cn-hangzhou-h", "cn-hangzhou-i"],
        ),
        region(
            "cn-shanghai",
            &["cn-shanghai-e", "cn-shanghai-f", "cn-shanghai-j"],
        ),
        region("cn-beijing", &["cn-beijing-g", "cn-beijing-h"]),
        region("cn-shenzhen", &["cn-shenzhen-d", "cn-shenzhen-e"]),
        region("cn-zhangjiakou", &["cn-zhangjiakou-a", "cn-zhangjiakou-b"]),
        region("cn-hongkong", &["cn-hongkong-b", "cn-hongkong-c"]),
        region("ap-southeast-1", &["ap-southeast-1a", "ap-southeast-1b"]),
        region("ap-northeast-1", &["ap-northeast-1a", "ap-northeast-1b"]),
        region("eu-central-1", &["eu-central-1a", "eu-central-1b"]),
        region("us-west-1", &["us-west-1a", "us-west-1b"]),
    ]
}

/// Deterministic pseudo-random ids: the same index always gives the same id.
fn id(prefix: &str, n: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut s = String::from(prefix);
    for _ in 0..14 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
    }
    s
}

#[allow(clippy::too_many_arguments)]
fn cluster(
    n: u64,
    description: &str,
    region_id: &str,
    zone_id: &str,
    version: &str,
    class: &str,
    readers: usize,
    pay_type: &str,
    status: &str,
    tags: &[(&str, &str)],
) -> Cluster {
    let mut nodes = vec![Node {
        id: id("pi-", n * 10),
        class: class.to_string(),
        role: "Writer".into(),
        zone_id: zone_id.to_string(),
        status: "Running".into(),
    }];
    for r in 0..readers {
        nodes.push(Node {
            id: id("pi-", n * 10 + 1 + r as u64),
            class: class.to_string(),
            role: "Reader".into(),
            zone_id: zone_id.to_string(),
            status: "Running".into(),
        });
    }
    let day = 1 + (n % 27);
    Cluster {
        id: id("pc-", n),
        description: description.to_string(),
        status: status.to_string(),
        db_version: version.to_string(),
        region_id: region_id.to_string(),
        zone_id: zone_id.to_string(),
        vpc_id: id("vpc-", n + 1000),
        vswitch_id: id("vsw-", n + 2000),
        pay_type: pay_type.to_string(),
        create_time: format!(
            "2026-{:02}-{day:02}T0{}:1{}:0{}Z",
            1 + n % 10,
            n % 10,
            n % 6,
            n % 10
        ),
        expire_time: if pay_type == "Prepaid" {
            format!("2027-{:02}-{day:02}T16:00:00Z", 1 + n % 10)
        } else {
            String::new()
        },
        lock_mode: "Unlock".into(),
        deletion_lock: if pay_type == "Prepaid" { 1 } else { 0 },
        category: "Normal".into(),
        storage_used: 3_009_413_120 + (n as i64) * 734_003_200,
        nodes,
        tags: tags
            .iter()
            .map(|(k, v)| TagKv {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect(),
    }
}

/// The built-in seed: several clusters across several regions.
pub fn default_seed() -> Seed {
    Seed {
        regions: default_regions(),
        clusters: vec![
            cluster(
                1,
                "orders-prod",
                "cn-hangzhou",
                "cn-hangzhou-h",
                "14",
                "polar.pg.x4.large",
                2,
                "Prepaid",
                "Running",
                &[("env", "prod"), ("team", "orders")],
            ),
            cluster(
                2,
                "orders-staging",
                "cn-hangzhou",
                "cn-hangzhou-i",
                "14",
                "polar.pg.x4.medium",
                1,
                "Postpaid",
                "Running",
                &[("env", "staging"), ("team", "orders")],
            ),
            cluster(
                3,
                "analytics",
                "cn-hangzhou",
                "cn-hangzhou-g",
                "11",
                "polar.pg.x8.xlarge",
                3,
                "Prepaid",
                "Running",
                &[("env", "prod"), ("team", "data")],
            ),
            cluster(
                4,
                "payments-prod",
                "cn-shanghai",
                "cn-shanghai-e",
                "14",
                "polar.pg.x4.xlarge",
                2,
                "Prepaid",
                "Running",
                &[("env", "prod"), ("team", "payments")],
            ),
            cluster(
                5,
                "payments-dr",
                "cn-shanghai",
                "cn-shanghai-f",
                "14",
                "polar.pg.x4.large",
                1,
                "Postpaid",
                "Running",
                &[("env", "dr")],
            ),
            cluster(
                6,
                "crm",
                "cn-beijing",
                "cn-beijing-h",
                "11",
                "polar.pg.x4.medium",
                1,
                "Postpaid",
                "Running",
                &[],
            ),
            cluster(
                7,
                "sg-edge",
                "ap-southeast-1",
                "ap-southeast-1a",
                "14",
                "polar.pg.x4.medium",
                1,
                "Postpaid",
                "Running",
                &[("env", "prod")],
            ),
            cluster(
                8,
                "eu-gdpr",
                "eu-central-1",
                "eu-central-1a",
                "14",
                "polar.pg.x4.large",
                1,
                "Prepaid",
                "Running",
                &[("env", "prod"), ("compliance", "gdpr")],
            ),
        ],
    }
}

/// A synthetic seed of `count` clusters spread over the first `regions` regions.
pub fn generated_seed(count: usize, regions: usize) -> Seed {
    let all = default_regions();
    let regions: Vec<RegionDef> = all.into_iter().take(regions.max(1)).collect();
    let clusters = (0..count)
        .map(|i| {
            let r = &regions[i % regions.len()];
            let zone = &r.zones[i % r.zones.len()];
            cluster(
                100 + i as u64,
                &format!("generated-{i:04}"),
                &r.region_id,
                zone,
                if i % 3 == 0 { "11" } else { "14" },
                "polar.pg.x4.medium",
                1 + i % 3,
                if i % 4 == 0 { "Prepaid" } else { "Postpaid" },
                "Running",
                &[("env", if i % 2 == 0 { "prod" } else { "dev" })],
            )
        })
        .collect();
    Seed {
        regions: default_regions(),
        clusters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_deterministic_and_ids_unique() {
        let a = default_seed();
        let b = default_seed();
        assert_eq!(a.clusters[0].id, b.clusters[0].id);
        let g = generated_seed(500, 10);
        let mut ids: Vec<_> = g.clusters.iter().map(|c| c.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 500);
        assert!(a
            .clusters
            .iter()
            .all(|c| c.id.starts_with("pc-") && c.id.len() == 17));
    }
}
