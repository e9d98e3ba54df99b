//! For every action of the catalogue, a documented error case through the client over
//! HTTP: an unknown cluster answers `InvalidDBClusterId.NotFound` (404), a missing
//! required parameter answers `Missing<Name>` or `InvalidParameter` (400), as the
//! reference's error table says.

use std::collections::HashMap;

use polardb::client::{Client, ClientConfig, Credentials, Target};
use polardb::models::{ResourceScope, ACTIONS};
use polardb::SignatureVersion;
use zeroize::Zeroizing;

#[tokio::test]
async fn every_action_answers_a_documented_error() {
    let mut keys = HashMap::new();
    keys.insert("LTAIerrors000key".to_string(), "errors-secret".to_string());
    let url = emulator::spawn(emulator::Config {
        access_keys: keys,
        seed: emulator::state::default_seed(),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(ClientConfig::default()).unwrap();
    let target = Target {
        endpoint: Some(url),
        signature: SignatureVersion::V2,
    };
    let creds = Credentials::new("LTAIerrors000key", Zeroizing::new("errors-secret".into()));
    let mut seen = Vec::new();
    for a in ACTIONS {
        let params = match a.resource {
            ResourceScope::Cluster => {
                vec![("DBClusterId".to_string(), "pc-doesnotexist0000".to_string())]
            }
            ResourceScope::Region | ResourceScope::Create => vec![],
        };
        let ex = client
            .execute(&target, &creds, "cn-hangzhou", a.name, a.kind, params)
            .await;
        match ex.result {
            Ok(_) => {
                // Only actions whose every parameter is optional may succeed here.
                // Only actions whose every parameter is optional (RegionId is always sent).
                assert!(
                    matches!(
                        a.name,
                        "DescribeRegions"
                            | "DescribeDBClusters"
                            | "DescribeAutoRenewAttribute"
                            | "DescribeDBClustersWithBackups"
                            | "DescribePendingMaintenanceActions"
                            | "DescribeScheduleTasks"
                    ),
                    "{} succeeded without its required parameters",
                    a.name
                );
            }
            Err(e) => {
                let documented = match a.resource {
                    ResourceScope::Cluster => {
                        (e.code == "InvalidDBClusterId.NotFound" && e.status == 404)
                            || (e.code.starts_with("Missing") && e.status == 400)
                    }
                    ResourceScope::Region | ResourceScope::Create => {
                        (e.code.starts_with("Missing") || e.code.starts_with("Invalid"))
                            && (400..500).contains(&e.status)
                    }
                };
                assert!(documented, "{}: {} (HTTP {})", a.name, e.code, e.status);
                assert!(!e.request_id.is_empty(), "{} error has a RequestId", a.name);
                seen.push(a.name);
            }
        }
    }
    assert!(
        seen.len() >= 55,
        "most actions have a required parameter: {}",
        seen.len()
    );
}
