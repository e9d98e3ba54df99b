//! The emulator's behaviour beyond shapes: asynchronous transitions, busy clusters, the
//! deletion lock, idempotent ClientTokens, fault injection and statistics, XML answers,
//! scheduled tasks and seed files.

mod common;

use std::time::{Duration, Instant};

use common::*;
use polardb::client::{Client, ClientConfig, RetryPolicy};
use polardb::models::*;

const HZ: &str = "cn-hangzhou";
const BJ: &str = "cn-beijing";

#[tokio::test]
async fn asynchronous_changes_move_through_the_reference_statuses() {
    let emu = Emu::seeded(150).await;
    let created = emu
        .ok(
            HZ,
            &CreateDBCluster {
                region_id: HZ.into(),
                db_type: "PostgreSQL".into(),
                db_version: "15".into(),
                db_node_class: "polar.pg.x4.large".into(),
                pay_type: "Prepaid".into(),
                period: Some("Month".into()),
                used_time: Some("3".into()),
                ..Default::default()
            },
        )
        .await;
    let id = created.db_cluster_id;
    let a = emu.attribute(HZ, &id).await;
    assert_eq!(a.db_cluster_status, "Creating");
    assert!(a.db_nodes.iter().all(|n| n.db_node_status == "Creating"));
    assert_eq!(a.pay_type, "Prepaid");
    assert!(!a.expire_time.is_empty());
    // The cluster is listed while it is being created.
    let listed = emu
        .ok(
            HZ,
            &DescribeDBClusters {
                region_id: HZ.into(),
                db_cluster_status: Some("Creating".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(listed.items.db_cluster.len(), 1);
    // Four steps of 150 ms; nothing needs polling to move on.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let a = emu.attribute(HZ, &id).await;
    assert_eq!(a.db_cluster_status, "Running");
    // Creation took an automatic backup.
    let b = emu
        .ok(
            HZ,
            &DescribeBackups {
                db_cluster_id: id.clone(),
                start_time: minute(now_ms() - HOUR),
                end_time: minute(now_ms() + HOUR),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(b.total_record_count, "1");

    let node = emu
        .ok(
            HZ,
            &CreateDBNodes {
                db_cluster_id: id.clone(),
                db_node: vec![DBNodeParam {
                    target_class: Some("polar.pg.x4.large".into()),
                    zone_id: None,
                }],
                client_token: Some("add-node-1".into()),
                ..Default::default()
            },
        )
        .await
        .db_node_ids
        .db_node_id[0]
        .clone();
    assert_eq!(
        emu.attribute(HZ, &id).await.db_cluster_status,
        "DBNodeCreating"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let a = emu.attribute(HZ, &id).await;
    assert_eq!(a.db_cluster_status, "Running");
    assert!(a
        .db_nodes
        .iter()
        .any(|n| n.db_node_id == node && n.db_node_status == "Running"));
    // New nodes join the endpoints that take new nodes automatically.
    let eps = emu
        .ok(
            HZ,
            &DescribeDBClusterEndpoints {
                db_cluster_id: id.clone(),
                db_endpoint_id: None,
            },
        )
        .await;
    let cluster_ep = eps
        .items
        .iter()
        .find(|e| e.endpoint_type == "Cluster")
        .unwrap();
    assert!(cluster_ep.nodes.contains(&node));
    assert_eq!(cluster_ep.node_with_roles, "Writer,Reader1,Reader2");
}

#[tokio::test]
async fn a_busy_cluster_refuses_changes() {
    // Transitions take a minute: the cluster stays busy for the whole test.
    let emu = Emu::seeded(60_000).await;
    let crm = emu.cluster_id(BJ, "crm").await;
    let a = emu.attribute(BJ, &crm).await;
    let writer = a.db_nodes[0].db_node_id.clone();
    let class = a.db_nodes[0].db_node_class.clone();
    emu.ok(
        BJ,
        &RestartDBNode {
            db_node_id: writer.clone(),
        },
    )
    .await;
    let a = emu.attribute(BJ, &crm).await;
    assert_eq!(a.db_cluster_status, "Rebooting");
    assert_eq!(a.db_nodes[0].db_node_status, "Rebooting");
    assert_eq!(a.db_nodes[1].db_node_status, "Running");
    let busy = "OperationDenied.DBClusterStatus";
    emu.expect(
        BJ,
        &RestartDBNode {
            db_node_id: writer.clone(),
        },
        busy,
        403,
    )
    .await;
    emu.expect(
        BJ,
        &ModifyDBNodeClass {
            db_cluster_id: crm.clone(),
            db_node_target_class: "polar.pg.x4.large".into(),
            modify_type: "Upgrade".into(),
            ..Default::default()
        },
        busy,
        403,
    )
    .await;
    emu.expect(
        BJ,
        &CreateDBNodes {
            db_cluster_id: crm.clone(),
            db_node: vec![DBNodeParam {
                target_class: Some(class),
                zone_id: None,
            }],
            ..Default::default()
        },
        busy,
        403,
    )
    .await;
    emu.expect(
        BJ,
        &CreateAccount {
            db_cluster_id: crm.clone(),
            account_name: "late_user".into(),
            account_password: "Pass1234!".into(),
            ..Default::default()
        },
        busy,
        403,
    )
    .await;
    emu.expect(
        BJ,
        &CreateBackup {
            db_cluster_id: crm.clone(),
            client_token: None,
        },
        busy,
        403,
    )
    .await;
    emu.expect(
        BJ,
        &DeleteDBCluster {
            db_cluster_id: crm.clone(),
            backup_retention_policy_on_cluster_deletion: None,
        },
        busy,
        403,
    )
    .await;
    // Reads still work, and so do metadata changes.
    emu.ok(
        BJ,
        &DescribeAccounts {
            db_cluster_id: crm.clone(),
            ..Default::default()
        },
    )
    .await;
    emu.ok(
        BJ,
        &ModifyDBClusterDescription {
            db_cluster_id: crm.clone(),
            db_cluster_description: "crm-busy".into(),
        },
    )
    .await;
}

#[tokio::test]
async fn the_deletion_lock_and_the_pay_type_protect_clusters() {
    let emu = Emu::seeded(20).await;
    let staging = emu.cluster_id(HZ, "orders-staging").await;
    emu.ok(
        HZ,
        &ModifyDBClusterDeletion {
            db_cluster_id: staging.clone(),
            protection: Some(true),
        },
    )
    .await;
    let delete = DeleteDBCluster {
        db_cluster_id: staging.clone(),
        backup_retention_policy_on_cluster_deletion: None,
    };
    emu.expect(HZ, &delete, "OperationDenied.LockMode", 403)
        .await;
    assert_eq!(
        emu.attribute(HZ, &staging).await.db_cluster_status,
        "Running"
    );
    // Subscription clusters are not released through DeleteDBCluster either.
    let analytics = emu.cluster_id(HZ, "analytics").await;
    emu.ok(
        HZ,
        &ModifyDBClusterDeletion {
            db_cluster_id: analytics.clone(),
            protection: Some(false),
        },
    )
    .await;
    emu.expect(
        HZ,
        &DeleteDBCluster {
            db_cluster_id: analytics.clone(),
            backup_retention_policy_on_cluster_deletion: None,
        },
        "OperationDenied.DBClusterPayType",
        403,
    )
    .await;
    // Unlocked, it goes; its backups are kept when asked.
    emu.ok(
        HZ,
        &ModifyDBClusterDeletion {
            db_cluster_id: staging.clone(),
            protection: Some(false),
        },
    )
    .await;
    emu.ok(
        HZ,
        &DeleteDBCluster {
            db_cluster_id: staging.clone(),
            backup_retention_policy_on_cluster_deletion: Some("LATEST".into()),
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    emu.expect(
        HZ,
        &DescribeDBClusterAttribute {
            db_cluster_id: staging.clone(),
        },
        "InvalidDBClusterId.NotFound",
        404,
    )
    .await;
    let detached = emu
        .ok(
            HZ,
            &DescribeDetachedBackups {
                db_cluster_id: staging.clone(),
                start_time: minute(now_ms() - 30 * DAY),
                end_time: minute(now_ms()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(detached.total_record_count, "1");
    let with = emu
        .ok(
            HZ,
            &DescribeDBClustersWithBackups {
                region_id: HZ.into(),
                is_deleted: Some(1),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(with.total_record_count, 2);
}

#[tokio::test]
async fn a_write_repeated_with_its_client_token_is_idempotent() {
    let emu = Emu::seeded(20).await;
    let create = CreateDBCluster {
        region_id: BJ.into(),
        db_type: "PostgreSQL".into(),
        db_version: "14".into(),
        db_node_class: "polar.pg.x4.medium".into(),
        pay_type: "Postpaid".into(),
        client_token: Some("create-once-7f3a".into()),
        ..Default::default()
    };
    let first = emu.ok(BJ, &create).await;
    let second = emu.ok(BJ, &create).await;
    assert_eq!(first.db_cluster_id, second.db_cluster_id);
    assert_eq!(first.order_id, second.order_id);
    let list = emu
        .ok(
            BJ,
            &DescribeDBClusters {
                region_id: BJ.into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(list.total_record_count, 2, "crm and one new cluster");
    // The same token with other parameters is refused.
    let other = CreateDBCluster {
        db_version: "15".into(),
        ..create.clone()
    };
    emu.expect(BJ, &other, "IdempotentParameterMismatch", 400)
        .await;
    // Without a token, the same request creates a second cluster.
    let untokened = CreateDBCluster {
        client_token: None,
        ..create.clone()
    };
    let a = emu.ok(BJ, &untokened).await;
    let b = emu.ok(BJ, &untokened).await;
    assert_ne!(a.db_cluster_id, b.db_cluster_id);

    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let backup = CreateBackup {
        db_cluster_id: prod.clone(),
        client_token: Some("backup-once".into()),
    };
    let j1 = emu.ok(HZ, &backup).await;
    let j2 = emu.ok(HZ, &backup).await;
    assert_eq!(j1.backup_job_id, j2.backup_job_id);

    let stats = emu.stats().await;
    let c = &stats["actions"]["CreateDBCluster"];
    assert_eq!(c["received"], 5);
    assert_eq!(c["client_tokens"]["create-once-7f3a"], 3);
    assert_eq!(c["idempotent_replays"], 1);
    assert_eq!(c["writes_without_client_token"], 2);
    assert_eq!(c["repeated_writes_without_client_token"], 1);
    assert_eq!(c["failed"], 1);
    assert_eq!(stats["actions"]["CreateBackup"]["idempotent_replays"], 1);
}

async fn fault_sequence(seed: u64) -> (Vec<Option<(String, u16)>>, serde_json::Value) {
    let emu = Emu::start(emulator::Config {
        seed: emulator::state::default_seed(),
        throttle_rate: 0.3,
        error_5xx_rate: 0.2,
        fault_seed: seed,
        ..Default::default()
    })
    .await;
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(
            emu.call(HZ, &DescribeRegions {})
                .await
                .err()
                .map(|e| (e.code, e.status)),
        );
    }
    (out, emu.stats().await)
}

#[tokio::test]
async fn faults_are_injected_deterministically_and_counted() {
    let (a, stats) = fault_sequence(42).await;
    let (b, _) = fault_sequence(42).await;
    let (c, _) = fault_sequence(43).await;
    assert_eq!(a, b, "the same seed gives the same faults");
    assert_ne!(a, c);
    let throttled = a
        .iter()
        .filter(|x| {
            x.as_ref()
                .is_some_and(|(c, s)| c == "Throttling.User" && *s == 400)
        })
        .count();
    let unavailable = a
        .iter()
        .filter(|x| {
            x.as_ref()
                .is_some_and(|(c, s)| c == "ServiceUnavailable" && *s == 503)
        })
        .count();
    let fine = a.iter().filter(|x| x.is_none()).count();
    assert!(throttled > 0 && unavailable > 0 && fine > 0, "{a:?}");
    assert_eq!(throttled + unavailable + fine, 40);
    let s = &stats["actions"]["DescribeRegions"];
    assert_eq!(s["received"], 40);
    assert_eq!(s["throttled"], throttled);
    assert_eq!(s["unavailable"], unavailable);
    assert_eq!(s["succeeded"], fine);
    assert_eq!(stats["total_requests"], 40);
}

#[tokio::test]
async fn the_client_retries_reads_and_tokened_writes_but_never_untokened_writes() {
    let mut emu = Emu::start(emulator::Config {
        seed: emulator::state::default_seed(),
        throttle_rate: 0.2,
        error_5xx_rate: 0.1,
        fault_seed: 7,
        ..Default::default()
    })
    .await;
    emu.client = Client::new(ClientConfig {
        retry: RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            deadline: Duration::from_secs(10),
        },
        ..Default::default()
    })
    .unwrap();
    for _ in 0..15 {
        emu.ok(HZ, &DescribeRegions {}).await;
    }
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let mut untokened_failures = 0;
    for k in 0..10 {
        let r = emu
            .call(
                HZ,
                &ModifyDBClusterDescription {
                    db_cluster_id: prod.clone(),
                    db_cluster_description: format!("orders-prod-{k}"),
                },
            )
            .await;
        if r.is_err() {
            untokened_failures += 1;
        }
    }
    for k in 0..5 {
        emu.ok(
            HZ,
            &CreateAccount {
                db_cluster_id: prod.clone(),
                account_name: format!("tok_user{k}"),
                account_password: "Pass1234!".into(),
                client_token: Some(format!("acct-{k}")),
                ..Default::default()
            },
        )
        .await;
    }
    let stats = emu.stats().await;
    let m = &stats["actions"]["ModifyDBClusterDescription"];
    // Each untokened write was sent exactly once, whatever its fate.
    assert_eq!(m["received"], 10);
    assert_eq!(m["writes_without_client_token"], 10);
    assert_eq!(m["repeated_writes_without_client_token"], 0);
    assert_eq!(m["failed"], untokened_failures);
    let c = &stats["actions"]["CreateAccount"];
    let tokens = c["client_tokens"].as_object().unwrap();
    assert_eq!(tokens.len(), 5);
    let sent: u64 = tokens.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(c["received"], sent);
    assert_eq!(c["succeeded"], 5);
    let accounts = emu
        .ok(
            HZ,
            &DescribeAccounts {
                db_cluster_id: prod.clone(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(
        accounts
            .accounts
            .iter()
            .filter(|a| a.account_name.starts_with("tok_user"))
            .count(),
        5
    );
}

#[tokio::test]
async fn latency_is_added_to_every_answer() {
    let emu = Emu::start(emulator::Config {
        seed: emulator::state::default_seed(),
        latency_ms: 150,
        ..Default::default()
    })
    .await;
    let started = Instant::now();
    emu.ok(HZ, &DescribeRegions {}).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn statistics_can_be_reset() {
    let emu = Emu::seeded(20).await;
    emu.ok(HZ, &DescribeRegions {}).await;
    assert_eq!(emu.stats().await["total_requests"], 1);
    let r = reqwest::Client::new()
        .delete(format!("{}_emulator/stats", emu.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(emu.stats().await["total_requests"], 0);
}

/// A signed GET with the given format and business parameters.
async fn raw_get(
    url: &str,
    action: &str,
    extra: &[(&str, &str)],
    format: &str,
) -> reqwest::Response {
    let now = time::OffsetDateTime::now_utc();
    let mut params = polardb::sign::v2_common_params(action, KEY, now, &polardb::sign::nonce());
    for p in params.iter_mut() {
        if p.0 == "Format" {
            p.1 = format.to_string();
        }
    }
    params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let sig = polardb::sign::v2_signature("GET", &params, SECRET);
    params.push(("Signature".into(), sig));
    let q = serde_urlencoded::to_string(&params).unwrap();
    reqwest::get(format!("{url}?{q}")).await.unwrap()
}

#[tokio::test]
async fn answers_come_in_xml_when_asked() {
    let emu = Emu::seeded(20).await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let r = raw_get(
        &emu.url,
        "DescribeDBClusterAttribute",
        &[("DBClusterId", &prod), ("RegionId", HZ)],
        "XML",
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    let body = r.text().await.unwrap();
    assert!(body.starts_with("<?xml"));
    assert!(body.contains("<DescribeDBClusterAttributeResponse>"));
    assert!(body.contains(&format!("<DBClusterId>{prod}</DBClusterId>")));
    assert_eq!(body.matches("<DBNodes>").count(), 3, "one element per node");
    assert!(body.contains("<RequestId>"));
    // Errors too.
    let r = raw_get(
        &emu.url,
        "DescribeDBClusterAttribute",
        &[("DBClusterId", "pc-nope"), ("RegionId", HZ)],
        "XML",
    )
    .await;
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(body.contains("<Error>"));
    assert!(body.contains("<Code>InvalidDBClusterId.NotFound</Code>"));
    // And JSON for the same request when asked.
    let r = raw_get(
        &emu.url,
        "DescribeDBClusterAttribute",
        &[("DBClusterId", &prod), ("RegionId", HZ)],
        "JSON",
    )
    .await;
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["DBClusterId"], prod.as_str());
    assert!(v["DBNodes"].is_array());
}

#[tokio::test]
async fn a_scheduled_task_runs_when_its_time_comes() {
    let emu = Emu::seeded(30).await;
    let crm = emu.cluster_id(BJ, "crm").await;
    let start = now_ms() + 1500;
    let r = emu
        .ok(
            BJ,
            &ModifyDBNodeClass {
                db_cluster_id: crm.clone(),
                db_node_target_class: "polar.pg.x4.large".into(),
                modify_type: "Upgrade".into(),
                planned_start_time: Some(second(start)),
                ..Default::default()
            },
        )
        .await;
    assert!(!r.order_id.is_empty());
    assert_eq!(emu.attribute(BJ, &crm).await.db_cluster_status, "Running");
    let tasks = emu
        .ok(
            BJ,
            &DescribeScheduleTasks {
                db_cluster_id: Some(crm.clone()),
                status: Some("pending".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(tasks.data.timer_infos.len(), 1);
    let t = &tasks.data.timer_infos[0];
    assert_eq!(t.action, "ModifyDBNodeClass");
    assert_eq!(t.order_id, r.order_id);
    assert!(t.task_cancel);
    // A second scheduled task on the same cluster is refused.
    emu.expect(
        BJ,
        &ModifyDBClusterPrimaryZone {
            db_cluster_id: crm.clone(),
            zone_id: "cn-beijing-g".into(),
            v_switch_id: Some("vsw-x".into()),
            planned_start_time: Some(second(now_ms() + HOUR)),
            ..Default::default()
        },
        "ScheduleTaskExist",
        400,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let a = emu.wait_running(BJ, &crm).await;
    assert!(a
        .db_nodes
        .iter()
        .all(|n| n.db_node_class == "polar.pg.x4.large"));
    let tasks = emu
        .ok(
            BJ,
            &DescribeScheduleTasks {
                db_cluster_id: Some(crm.clone()),
                ..Default::default()
            },
        )
        .await;
    let t = tasks
        .data
        .timer_infos
        .iter()
        .find(|t| t.action == "ModifyDBNodeClass")
        .unwrap();
    assert_eq!(t.status, "finish");
    assert!(!t.task_cancel);
}

#[tokio::test]
async fn a_seed_file_round_trips_and_old_files_are_completed() {
    let seed = emulator::state::default_seed();
    let text = serde_json::to_string(&seed).unwrap();
    let loaded: emulator::Seed = serde_json::from_str(&text).unwrap();
    let emu = Emu::start(emulator::Config {
        seed: loaded,
        ..Default::default()
    })
    .await;
    assert_eq!(emu.cluster_id(HZ, "orders-prod").await, seed.clusters[0].id);

    // A seed file from before the emulator knew endpoints, accounts or whitelists.
    let old = serde_json::json!({
        "regions": [{"region_id": "cn-hangzhou", "zones": ["cn-hangzhou-h"]}],
        "clusters": [{
            "id": "pc-oldstyle000001", "description": "old", "status": "Running",
            "db_version": "14", "region_id": "cn-hangzhou", "zone_id": "cn-hangzhou-h",
            "vpc_id": "vpc-1", "vswitch_id": "vsw-1", "pay_type": "Postpaid",
            "create_time": "2026-01-01T00:00:00Z", "lock_mode": "Unlock",
            "deletion_lock": 0, "category": "Normal", "storage_used": 1000,
            "nodes": [
                {"id": "pi-old1", "class": "polar.pg.x4.medium", "role": "Writer",
                 "zone_id": "cn-hangzhou-h", "status": "Running"},
                {"id": "pi-old2", "class": "polar.pg.x4.medium", "role": "Reader",
                 "zone_id": "cn-hangzhou-h", "status": "Running"}
            ]
        }]
    });
    let emu = Emu::start(emulator::Config {
        seed: serde_json::from_value(old).unwrap(),
        ..Default::default()
    })
    .await;
    let eps = emu
        .ok(
            HZ,
            &DescribeDBClusterEndpoints {
                db_cluster_id: "pc-oldstyle000001".into(),
                db_endpoint_id: None,
            },
        )
        .await;
    assert_eq!(eps.items.len(), 2);
    let a = emu.attribute(HZ, "pc-oldstyle000001").await;
    assert_eq!(a.maintain_time, "18:00Z-19:00Z");
    let w = emu
        .ok(
            HZ,
            &DescribeDBClusterAccessWhitelist {
                db_cluster_id: "pc-oldstyle000001".into(),
            },
        )
        .await;
    assert_eq!(w.items.db_cluster_ip_array.len(), 2);
}

#[tokio::test]
async fn every_catalogued_action_is_routed() {
    let emu = Emu::seeded(20).await;
    for a in ACTIONS {
        let ex = emu
            .client
            .execute(&emu.target, &emu.creds, HZ, a.name, a.kind, vec![])
            .await;
        if let Err(e) = ex.result {
            assert_ne!(e.code, "InvalidAction.NotFound", "{}", a.name);
            assert!(e.status == 400 || e.status == 404, "{}: {e}", a.name);
        }
    }
    let e = emu
        .client
        .execute(
            &emu.target,
            &emu.creds,
            HZ,
            "DescribeDBInstances",
            ActionKind::Read,
            vec![],
        )
        .await
        .result
        .unwrap_err();
    assert_eq!(e.code, "InvalidAction.NotFound");
}
