//! Under 30% throttling and 10% 5xx answers, reads through the client still succeed
//! within the deadline, and no write without a ClientToken is sent twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use polardb::client::{Client, ClientConfig, Credentials, Target};
use polardb::models::{ActionKind, DescribeDBClusters, DescribeRegions};
use polardb::SignatureVersion;
use zeroize::Zeroizing;

#[tokio::test]
async fn reads_survive_a_faulty_api_and_untokened_writes_are_sent_once() {
    let mut keys = HashMap::new();
    keys.insert("LTAIfaulty0000key".to_string(), "faulty-secret".to_string());
    let url = emulator::spawn(emulator::Config {
        access_keys: keys,
        seed: emulator::state::default_seed(),
        throttle_rate: 0.3,
        error_5xx_rate: 0.1,
        fault_seed: 42,
        ..Default::default()
    })
    .await
    .unwrap();
    // The client's default policy: exponential backoff with jitter, 30 s deadline.
    let client = Client::new(ClientConfig::default()).unwrap();
    let deadline = client.config().retry.deadline;
    let target = Target {
        endpoint: Some(url.clone()),
        signature: SignatureVersion::V3,
    };
    let creds = Credentials::new("LTAIfaulty0000key", Zeroizing::new("faulty-secret".into()));
    let mut worst = Duration::ZERO;
    let mut retried = 0;
    for i in 0..40 {
        let t = Instant::now();
        if i % 2 == 0 {
            client
                .call(&target, &creds, "", &DescribeRegions {})
                .await
                .expect("a read succeeds");
        } else {
            let r = client
                .call(
                    &target,
                    &creds,
                    "cn-hangzhou",
                    &DescribeDBClusters {
                        region_id: "cn-hangzhou".into(),
                        ..Default::default()
                    },
                )
                .await
                .expect("a read succeeds");
            assert_eq!(r.total_record_count, 3);
        }
        worst = worst.max(t.elapsed());
        let _ = &mut retried;
    }
    assert!(worst < deadline, "a read took {worst:?}");

    // Untokened writes: one attempt each, whatever the answer.
    let cluster = emulator::state::default_seed().clusters[1].id.clone();
    for k in 0..20 {
        let ex = client
            .execute(
                &target,
                &creds,
                "cn-hangzhou",
                "ModifyDBClusterDescription",
                ActionKind::Write,
                vec![
                    ("DBClusterId".into(), cluster.clone()),
                    ("DBClusterDescription".into(), format!("renamed-{k}")),
                ],
            )
            .await;
        assert_eq!(ex.attempts, 1, "an untokened write is never retried");
        if ex.result.is_err() {
            retried += 1;
        }
    }
    let stats: serde_json::Value = reqwest::get(format!("{url}_emulator/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = &stats["actions"]["ModifyDBClusterDescription"];
    assert_eq!(m["received"], 20);
    assert_eq!(m["repeated_writes_without_client_token"], 0);
    let reads = &stats["actions"]["DescribeRegions"];
    assert!(
        reads["throttled"].as_u64().unwrap() + reads["unavailable"].as_u64().unwrap() > 0,
        "faults were injected: {reads}"
    );
    assert!(retried > 0, "some writes met a fault and were not retried");
}
