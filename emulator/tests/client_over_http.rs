//! Our client against the emulator over HTTP.

use std::collections::HashMap;

use polardb::client::{Client, ClientConfig, Credentials, Target};
use polardb::models::{DescribeDBClusters, DescribeRegions};
use polardb::SignatureVersion;
use zeroize::Zeroizing;

async fn start() -> String {
    let mut keys = HashMap::new();
    keys.insert("AKIDTEST".to_string(), "s3cr3t+/=".to_string());
    emulator::spawn(emulator::Config {
        access_keys: keys,
        seed: emulator::state::default_seed(),
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

fn target(url: &str) -> Target {
    Target {
        endpoint: Some(url.to_string()),
        signature: SignatureVersion::V2,
    }
}

fn creds(id: &str, secret: &str) -> Credentials {
    Credentials::new(id, Zeroizing::new(secret.to_string()))
}

#[tokio::test]
async fn describe_regions_and_clusters_round_trip() {
    let url = start().await;
    let client = Client::new(ClientConfig::default()).unwrap();
    let c = creds("AKIDTEST", "s3cr3t+/=");
    let regions = client
        .call(&target(&url), &c, "cn-hangzhou", &DescribeRegions {})
        .await
        .unwrap();
    assert!(regions.regions.region.len() >= 5);
    assert!(!regions.request_id.is_empty());
    let hz = regions
        .regions
        .region
        .iter()
        .find(|r| r.region_id == "cn-hangzhou")
        .unwrap();
    assert!(!hz.zones.zone.is_empty());

    let clusters = client
        .call(
            &target(&url),
            &c,
            "cn-hangzhou",
            &DescribeDBClusters {
                region_id: "cn-hangzhou".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(clusters.total_record_count, 3);
    assert_eq!(clusters.items.db_cluster.len(), 3);
    let first = &clusters.items.db_cluster[0];
    assert_eq!(first.db_type, "PostgreSQL");
    assert!(first.db_cluster_id.starts_with("pc-"));
    assert_eq!(first.db_node_number as usize, first.db_nodes.db_node.len());
}

#[tokio::test]
async fn pagination_and_filters_apply() {
    let mut keys = HashMap::new();
    keys.insert("AK".to_string(), "SK".to_string());
    let url = emulator::spawn(emulator::Config {
        access_keys: keys,
        seed: emulator::state::generated_seed(75, 1),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(ClientConfig::default()).unwrap();
    let c = creds("AK", "SK");
    let page2 = client
        .call(
            &target(&url),
            &c,
            "cn-hangzhou",
            &DescribeDBClusters {
                region_id: "cn-hangzhou".into(),
                page_size: Some(50),
                page_number: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page2.total_record_count, 75);
    assert_eq!(page2.page_record_count, 25);
    let bad = client
        .call(
            &target(&url),
            &c,
            "cn-hangzhou",
            &DescribeDBClusters {
                region_id: "cn-hangzhou".into(),
                page_size: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code, "InvalidPageSize.Malformed");
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn signature_v3_is_accepted_and_checked() {
    let url = start().await;
    let client = Client::new(ClientConfig::default()).unwrap();
    let v3 = Target {
        endpoint: Some(url.clone()),
        signature: SignatureVersion::V3,
    };
    let clusters = client
        .call(
            &v3,
            &creds("AKIDTEST", "s3cr3t+/="),
            "cn-shanghai",
            &DescribeDBClusters {
                region_id: "cn-shanghai".into(),
                db_cluster_description: Some("payments prod*~".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(clusters.total_record_count, 0);
    let e = client
        .call(
            &v3,
            &creds("AKIDTEST", "nope"),
            "cn-shanghai",
            &DescribeRegions {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn wrong_secret_and_unknown_key_are_refused() {
    let url = start().await;
    let client = Client::new(ClientConfig::default()).unwrap();
    let e = client
        .call(
            &target(&url),
            &creds("AKIDTEST", "wrong"),
            "cn-hangzhou",
            &DescribeRegions {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert_eq!(e.status, 400);
    assert!(!e.request_id.is_empty());
    let e = client
        .call(
            &target(&url),
            &creds("NOPE", "x"),
            "cn-hangzhou",
            &DescribeRegions {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidAccessKeyId.NotFound");
    assert_eq!(e.status, 404);
}

#[tokio::test]
async fn replayed_nonce_and_stale_timestamp_are_refused() {
    let url = start().await;
    let http = reqwest::Client::new();
    let now = time::OffsetDateTime::now_utc();
    let mut params =
        polardb::sign::v2_common_params("DescribeRegions", "AKIDTEST", now, "fixed-nonce-1");
    let sig = polardb::sign::v2_signature("GET", &params, "s3cr3t+/=");
    params.push(("Signature".into(), sig));
    let q = serde_urlencoded::to_string(&params).unwrap();
    let first = http.get(format!("{url}?{q}")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let again = http.get(format!("{url}?{q}")).send().await.unwrap();
    assert_eq!(again.status(), 400);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["Code"], "SignatureNonceUsed");

    let old = now - time::Duration::minutes(16);
    let mut params =
        polardb::sign::v2_common_params("DescribeRegions", "AKIDTEST", old, "fixed-nonce-2");
    let sig = polardb::sign::v2_signature("GET", &params, "s3cr3t+/=");
    params.push(("Signature".into(), sig));
    let q = serde_urlencoded::to_string(&params).unwrap();
    let body: serde_json::Value = http
        .get(format!("{url}?{q}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["Code"], "InvalidTimeStamp.Expired");
}
