//! Changes followed until their clusters settle (#15): a fleet change's next batch goes only
//! when the previous one's clusters are Running again; a cluster that does not settle in
//! time fails its request and stops the change at its threshold; a change at a time of an
//! action the API schedules itself is sent at once with `PlannedStartTime` and waits as the
//! API's task (on `/tasks`), not in the console.

use std::time::Duration;

use serde_json::{json, Value};
use tests::TestApp;

use super::changes::{api, backend_of, json_fn, settled};

/// seq, state, cluster status, started and settled (seconds since the epoch), error code.
type StepTimes = (
    i32,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
    Option<String>,
);

async fn steps_of(app: &TestApp, id: &str) -> Vec<StepTimes> {
    sqlx::query_as(
        "SELECT seq, state, cluster_status, extract(epoch FROM started_at)::float8,
                extract(epoch FROM settled_at)::float8, error_code
         FROM change_steps WHERE change_id = $1::uuid ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn ssl_fleet(seed: &emulator::Seed, schedule: &str, run_at: &str) -> Value {
    let targets: Vec<Value> = seed
        .clusters
        .iter()
        .map(|c| json!({"account": "sandbox", "region": c.region_id, "cluster": c.id}))
        .collect();
    json!({"ask": {
        "title": "SSL on the fleet",
        "account": "sandbox", "region": seed.clusters[0].region_id,
        "action": "ModifyDBClusterSSL",
        "params": [["SSLEnabled", "Enable"]],
        "targets": targets,
        "canary": 1, "batch_size": 1, "max_failures": 0,
        "schedule": schedule, "run_at": run_at,
    }})
}

#[tokio::test]
async fn a_fleet_change_moves_on_only_when_each_cluster_has_settled() {
    let seed = emulator::state::generated_seed(3, 1);
    let app = TestApp::spawn_with(seed.clone()).await;
    let oper = app.user_with_role("oper", "operator").await;
    let (status, body) = json_fn(&app, &oper, "request_change", ssl_fleet(&seed, "now", "")).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let c = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(c["state"], "succeeded", "{c}");
    let steps = steps_of(&app, &id).await;
    assert_eq!(steps.len(), 3);
    for (i, (_, state, status, started, settled_at, _)) in steps.iter().enumerate() {
        assert_eq!(state, "succeeded", "{steps:?}");
        assert_eq!(status.as_deref(), Some("Running"), "{steps:?}");
        // The emulator keeps a cluster SSL_MODIFYING for 3 s: followed through it.
        let took = settled_at.unwrap() - started.unwrap();
        assert!(took >= 2.5, "step {i} settled after {took} s");
        if i > 0 {
            let prev = steps[i - 1].4.unwrap();
            assert!(
                started.unwrap() >= prev,
                "step {i} started before step {} settled: {steps:?}",
                i - 1
            );
        }
    }
    // The shown change says each cluster's last status; SSL is on everywhere.
    assert!(c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["cluster_status"] == "Running"));
    for cl in &seed.clusters {
        let (status, body) = api(
            &app,
            &oper,
            &cl.region_id,
            "DescribeDBClusterSSL",
            &[("DBClusterId", &cl.id)],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body["Items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["SSLEnabled"] == "Enabled"),
            "{body}"
        );
    }
    // The reads that followed them are on the trail, as the requester's.
    let reads: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'DescribeDBClusterAttribute'
           AND actor_name = 'oper' AND resource->>'change' = $1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(reads >= 6, "{reads} reads recorded");
}

#[tokio::test]
async fn a_cluster_that_does_not_settle_in_time_fails_its_request_and_stops_the_change() {
    let seed = emulator::state::generated_seed(2, 1);
    let app = TestApp::spawn_with(seed.clone()).await;
    let oper = app.user_with_role("oper", "operator").await;
    // At a time far enough ahead that the console's own scheduler leaves it to this test's,
    // whose patience is one second (the emulator takes three).
    let now = now_secs();
    let at = now + 7200;
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        ssl_fleet(&seed, "at", &polardb::rules::api_minute(at)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(body["state"], "scheduled", "{body}");
    let b = backend_of(&app);
    let changes = b.changes.clone().with_settle(backend::changes::Settle {
        first: Duration::from_millis(200),
        every: Duration::from_millis(300),
        timeout: Duration::from_secs(1),
    });
    assert_eq!(changes.run_due(at + 120).await.unwrap(), 1);
    let steps = steps_of(&app, &id).await;
    assert_eq!(steps[0].1, "failed", "{steps:?}");
    assert_eq!(steps[0].2.as_deref(), Some("SSL_MODIFYING"), "{steps:?}");
    assert_eq!(steps[0].5.as_deref(), Some("NotSettled"), "{steps:?}");
    assert_eq!(steps[1].1, "skipped", "{steps:?}");
    let (_, c) = json_fn(&app, &oper, "change", json!({"id": id})).await;
    assert_eq!(c["state"], "failed", "{c}");
    assert!(
        c["steps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("still SSL_MODIFYING"),
        "{c}"
    );
}

#[tokio::test]
async fn a_class_change_at_a_time_is_the_apis_own_scheduled_task() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (c, bigger) = tests::running_cluster_and_bigger_class();
    let class = c.nodes[0].class.clone();
    let now = now_secs();
    let at = (now / 60 + 180) * 60;
    let (status, body) = json_fn(
        &app,
        &admin,
        "request_change",
        json!({"ask": {
            "title": "Bigger nodes tonight",
            "reason": "more memory for the batch jobs",
            "account": "sandbox", "region": c.region_id,
            "action": "ModifyDBNodeClass",
            "params": [["DBClusterId", c.id], ["ModifyType", "Upgrade"], ["DBNodeTargetClass", bigger]],
            "schedule": "at", "run_at": polardb::rules::api_minute(at),
        }}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    // Sent at once (not in three hours), as a task the API starts at that time.
    let done = settled(&app, &admin, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let start = polardb::rules::api_minute(at)
        .trim_end_matches('Z')
        .to_string();
    let step = &done["steps"][0];
    assert_eq!(step["planned"], format!("{start}:00Z"), "{done}");
    assert_eq!(step["cluster_status"], "", "not followed: {done}");
    let (status, tasks) = api(
        &app,
        &admin,
        &c.region_id,
        "DescribeScheduleTasks",
        &[("DBClusterId", &c.id)],
    )
    .await;
    assert_eq!(status, 200, "{tasks}");
    let list = tasks["Data"]["TimerInfos"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{tasks}");
    assert_eq!(list[0]["Action"], "ModifyDBNodeClass");
    assert_eq!(list[0]["Status"], "pending");
    assert!(
        list[0]["PlannedStartTime"]
            .as_str()
            .unwrap()
            .starts_with(&start),
        "{tasks}"
    );
    // The nodes wait for it.
    let (_, attr) = api(
        &app,
        &admin,
        &c.region_id,
        "DescribeDBClusterAttribute",
        &[("DBClusterId", &c.id)],
    )
    .await;
    assert_eq!(attr["DBClusterStatus"], "Running", "{attr}");
    assert_eq!(attr["DBNodes"][0]["DBNodeClass"], class, "{attr}");
}
