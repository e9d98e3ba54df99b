//! Shared harness of the emulator's integration tests: an emulator on a loopback port and
//! our own client against it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use polardb::client::{Client, ClientConfig, Credentials, RetryPolicy, Target};
use polardb::models::{
    Action, DescribeDBClusterAttribute, DescribeDBClusterAttributeResponse, DescribeDBClusters,
};
use polardb::{ApiError, SignatureVersion};
use zeroize::Zeroizing;

pub const KEY: &str = "AKIDTEST";
pub const SECRET: &str = "s3cr3t+/=";

pub struct Emu {
    pub url: String,
    pub client: Client,
    pub creds: Credentials,
    pub target: Target,
}

/// A client that makes one attempt per call (so errors are seen as they are).
pub fn single_attempt_client() -> Client {
    Client::new(ClientConfig {
        retry: RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
}

impl Emu {
    pub async fn start(mut config: emulator::Config) -> Emu {
        config
            .access_keys
            .insert(KEY.to_string(), SECRET.to_string());
        let url = emulator::spawn(config).await.expect("emulator starts");
        Emu {
            target: Target {
                endpoint: Some(url.clone()),
                signature: SignatureVersion::V2,
            },
            url,
            client: single_attempt_client(),
            creds: Credentials::new(KEY, Zeroizing::new(SECRET.to_string())),
        }
    }

    /// The built-in seed with the given transition speed.
    pub async fn seeded(speed_ms: u64) -> Emu {
        Emu::start(emulator::Config {
            seed: emulator::state::default_seed(),
            speed_ms,
            ..Default::default()
        })
        .await
    }

    pub async fn call<A: Action>(&self, region: &str, req: &A) -> Result<A::Response, ApiError> {
        self.client
            .call(&self.target, &self.creds, region, req)
            .await
    }

    /// Calls an action that must succeed.
    pub async fn ok<A: Action>(&self, region: &str, req: &A) -> A::Response {
        match self.call(region, req).await {
            Ok(r) => r,
            Err(e) => panic!("{} failed: {e}", A::NAME),
        }
    }

    /// Calls an action that must fail; returns the error.
    pub async fn err<A: Action>(&self, region: &str, req: &A) -> ApiError {
        match self.call(region, req).await {
            Ok(_) => panic!("{} succeeded but should have failed", A::NAME),
            Err(e) => e,
        }
    }

    /// Calls an action that must fail with `code` and `status`.
    pub async fn expect<A: Action>(&self, region: &str, req: &A, code: &str, status: u16) {
        let e = self.err(region, req).await;
        assert_eq!(e.code, code, "{}: {e}", A::NAME);
        assert_eq!(e.status, status, "{}: {e}", A::NAME);
        assert!(!e.request_id.is_empty());
    }

    /// The id of the cluster with this description.
    pub async fn cluster_id(&self, region: &str, description: &str) -> String {
        let r = self
            .ok(
                region,
                &DescribeDBClusters {
                    region_id: region.into(),
                    ..Default::default()
                },
            )
            .await;
        r.items
            .db_cluster
            .into_iter()
            .find(|c| c.db_cluster_description == description)
            .unwrap_or_else(|| panic!("no cluster {description} in {region}"))
            .db_cluster_id
    }

    pub async fn attribute(&self, region: &str, id: &str) -> DescribeDBClusterAttributeResponse {
        self.ok(
            region,
            &DescribeDBClusterAttribute {
                db_cluster_id: id.into(),
            },
        )
        .await
    }

    /// Polls until the cluster is Running again (at most 10 seconds).
    pub async fn wait_running(&self, region: &str, id: &str) -> DescribeDBClusterAttributeResponse {
        let started = Instant::now();
        loop {
            let a = self.attribute(region, id).await;
            if a.db_cluster_status == "Running" {
                return a;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{id} stays {}",
                a.db_cluster_status
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `GET /_emulator/stats`.
    pub async fn stats(&self) -> serde_json::Value {
        reqwest::get(format!("{}_emulator/stats", self.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub fn now_ms() -> i64 {
    emulator::util::now_ms()
}

/// `YYYY-MM-DDThh:mmZ`.
pub fn minute(ms: i64) -> String {
    emulator::util::fmt_minute(ms)
}

/// `YYYY-MM-DDThh:mm:ssZ`.
pub fn second(ms: i64) -> String {
    emulator::util::fmt_time(ms)
}

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 86_400_000;
