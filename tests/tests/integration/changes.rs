//! Changes as data (#15): an approval policy holds a write back (on every way in), the
//! requester asks for approval, cannot approve it themselves, an administrator approves and
//! the scheduler runs it as the requester; a change scheduled in a maintenance window runs
//! in the window and not before; a fleet change stops at its failure threshold and reports
//! every cluster.

use std::sync::Arc;

use serde_json::{json, Value};
use tests::TestApp;

pub(crate) async fn api(
    app: &TestApp,
    cookie: &str,
    region: &str,
    action: &str,
    params: &[(&str, &str)],
) -> (u16, Value) {
    let params: Vec<[&str; 2]> = params.iter().map(|(k, v)| [*k, *v]).collect();
    let res = app
        .call_json(
            cookie,
            "call_api",
            json!({"account": "sandbox", "region": region, "action": action, "params": params}),
        )
        .await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    let body = match body["json"].as_str() {
        Some(text) if status == 200 => serde_json::from_str(text).unwrap(),
        _ => body,
    };
    (status, body)
}

pub(crate) async fn json_fn(app: &TestApp, cookie: &str, name: &str, body: Value) -> (u16, Value) {
    let res = app.call_json(cookie, name, body).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn databases(app: &TestApp, cookie: &str, region: &str, cluster: &str) -> Vec<String> {
    let (status, body) = api(
        app,
        cookie,
        region,
        "DescribeDatabases",
        &[("DBClusterId", cluster)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["Databases"]["Database"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DBName"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until the change's state is one of `states` (the scheduler runs every few seconds
/// and when woken).
pub(crate) async fn settled(app: &TestApp, cookie: &str, id: &str, states: &[&str]) -> Value {
    // A minute: requests are followed until their clusters settle.
    for _ in 0..300 {
        let (status, c) = json_fn(app, cookie, "change", json!({"id": id})).await;
        assert_eq!(status, 200, "{c}");
        if states.contains(&c["state"].as_str().unwrap()) {
            return c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("change {id} did not reach {states:?}");
}

async fn records(app: &TestApp, change: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT action, outcome, actor_name FROM audit_events
         WHERE params->>'change' = $1 OR resource->>'change' = $1 ORDER BY seq",
    )
    .bind(change)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_prod_delete_waits_for_an_administrators_approval_and_then_runs() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let seed = emulator::state::default_seed();
    let cluster = |name: &str| {
        seed.clusters
            .iter()
            .find(|c| c.description == name)
            .unwrap()
            .id
            .clone()
    };
    let (prod, staging) = (cluster("orders-prod"), cluster("orders-staging"));

    // An operator may delete databases; an administrator's policy holds that back on prod.
    let res = app
        .call_form(
            &admin,
            "add_approval_policy",
            &[
                ("name", "prod-destructive"),
                (
                    "actions",
                    "DeleteDatabase, DeleteDBCluster, FailoverDBCluster",
                ),
                ("tag_key", "env"),
                ("tag_value", "prod"),
                ("approvals", "1"),
                ("approver_roles", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Its rules are checked, naming the field.
    let res = app
        .call_form(
            &admin,
            "add_approval_policy",
            &[
                ("name", "bad"),
                ("actions", "DescribeDBClusters"),
                ("approvals", "1"),
                ("approver_roles", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("only reads"));
    let oper = app.user_with_role("oper", "operator").await;
    let oper2 = app.user_with_role("oper2", "operator").await;
    // Not an administrator: no managing policies.
    let res = app
        .call_form(
            &oper,
            "add_approval_policy",
            &[
                ("name", "x"),
                ("approvals", "1"),
                ("approver_roles", "operator"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);

    for (region, c) in [("cn-hangzhou", &prod), ("cn-hangzhou", &staging)] {
        let (status, body) = api(
            &app,
            &admin,
            region,
            "CreateDatabase",
            &[
                ("DBClusterId", c),
                ("DBName", "scratch"),
                ("AccountName", "orders_app"),
                ("CharacterSetName", "UTF8"),
                ("DBDescription", "scratch"),
                ("AccountPrivilege", "ReadWrite"),
                ("Collate", "C"),
                ("Ctype", "C"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    // On staging the policy does not apply: sent at once.
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "DeleteDatabase",
        &[("DBClusterId", &staging), ("DBName", "scratch")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!databases(&app, &admin, "cn-hangzhou", &staging)
        .await
        .contains(&"scratch".to_string()));

    // On prod: refused (409), nothing sent, a draft kept, the refusal recorded.
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "DeleteDatabase",
        &[("DBClusterId", &prod), ("DBName", "scratch")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let held = &body["ApprovalRequired"];
    assert_eq!(held["policy"], "prod-destructive");
    let draft = held["draft"].as_str().unwrap().to_string();
    assert!(databases(&app, &admin, "cn-hangzhou", &prod)
        .await
        .contains(&"scratch".to_string()));
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'DeleteDatabase' AND outcome = 'denied'
           AND actor_name = 'oper' AND error_message LIKE '%prod-destructive%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);

    // Taking the tag away first is held back by the same policy.
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "UntagResources",
        &[
            ("ResourceType", "cluster"),
            ("ResourceId.1", &prod),
            ("TagKey.1", "env"),
        ],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["ApprovalRequired"]["policy"], "prod-destructive");

    // A reason is required; then the draft awaits approval.
    let (status, body) = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": draft, "reason": ""}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("reason"), "{body}");
    let (status, body) = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": draft, "reason": "scratch data from the load test"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awaiting_approval");
    assert_eq!(body["approvals_needed"], 1);
    // Another operator's draft page is not theirs to ask.
    let (status, _) = json_fn(
        &app,
        &oper2,
        "submit_change",
        json!({"id": draft, "reason": "mine now"}),
    )
    .await;
    assert!(status == 403 || status == 409, "{status}");

    // The requester cannot approve; an operator is not an approver.
    let (status, body) = json_fn(
        &app,
        &oper,
        "decide_change",
        json!({"id": draft, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = json_fn(
        &app,
        &oper2,
        "decide_change",
        json!({"id": draft, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (_, c) = json_fn(&app, &oper, "change", json!({"id": draft})).await;
    assert_eq!(c["state"], "awaiting_approval");
    assert_eq!(c["may_decide"], false);
    let (_, listed) = json_fn(&app, &admin, "changes", json!({"which": "awaiting"})).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == draft.as_str()),
        "{listed}"
    );
    let (_, c) = json_fn(&app, &admin, "change", json!({"id": draft})).await;
    assert_eq!(c["may_decide"], true);
    // Still not sent.
    assert!(databases(&app, &admin, "cn-hangzhou", &prod)
        .await
        .contains(&"scratch".to_string()));

    // The administrator approves: the scheduler runs it as the operator.
    let (status, body) = json_fn(
        &app,
        &admin,
        "decide_change",
        json!({"id": draft, "verdict": "approve", "comment": "ok"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let c = settled(
        &app,
        &admin,
        &draft,
        &["succeeded", "failed", "partly_failed"],
    )
    .await;
    assert_eq!(c["state"], "succeeded", "{c}");
    assert_eq!(c["steps"][0]["state"], "succeeded");
    assert!(!databases(&app, &admin, "cn-hangzhou", &prod)
        .await
        .contains(&"scratch".to_string()));
    // A second decision on a decided change is refused.
    let (status, _) = json_fn(
        &app,
        &admin,
        "decide_change",
        json!({"id": draft, "verdict": "reject"}),
    )
    .await;
    assert_eq!(status, 409);

    // The trail: denied, asked, approved, started, sent as the operator (intent and
    // outcome naming the change), finished.
    let trail = records(&app, &draft).await;
    let kinds: Vec<(&str, &str)> = trail
        .iter()
        .map(|(a, o, _)| (a.as_str(), o.as_str()))
        .collect();
    for expected in [
        ("DeleteDatabase", "denied"),
        ("ChangeRequested", "ok"),
        ("ChangeApproved", "ok"),
        ("ChangeStarted", "ok"),
        ("DeleteDatabase", "intent"),
        ("DeleteDatabase", "ok"),
        ("ChangeFinished", "ok"),
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected:?} missing from {kinds:?}"
        );
    }
    assert!(trail
        .iter()
        .filter(|(a, o, _)| a == "DeleteDatabase" && o == "ok")
        .all(|(_, _, who)| who == "oper"));
    let verdict = backend_of(&app).audit.verify().await.unwrap();
    assert!(
        matches!(verdict, backend::audit::Verdict::Intact { .. }),
        "{verdict:?}"
    );
}

async fn description(app: &TestApp, cookie: &str, cluster: &str) -> String {
    let (_, body) = api(
        app,
        cookie,
        "cn-hangzhou",
        "DescribeDBClusterAttribute",
        &[("DBClusterId", cluster)],
    )
    .await;
    body["DBClusterDescription"].as_str().unwrap().to_string()
}

/// A backend on the console's database, for driving the scheduler's clock.
pub(crate) fn backend_of(app: &TestApp) -> backend::Backend {
    let key = backend::vault::MasterKeys::decode_key("master_key", tests::MASTER_KEY).unwrap();
    let client = polardb::client::Client::new(polardb::client::ClientConfig {
        allow_private: true,
        ..Default::default()
    })
    .unwrap();
    backend::Backend::new(
        app.pool.clone(),
        Arc::new(backend::vault::MasterKeys::new("k1", key)),
        client,
    )
    .with_outbound(backend::outbound::OutboundPolicy {
        allow_private: true,
        own: None,
    })
}

#[tokio::test]
async fn a_change_in_the_maintenance_window_runs_in_it_and_not_before() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let seed = emulator::state::default_seed();
    let c = seed
        .clusters
        .iter()
        .find(|c| c.description == "orders-staging")
        .unwrap()
        .id
        .clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let hour = (now / 3600 + 3) % 24;
    let window = format!("{hour:02}:00Z-{:02}:00Z", (hour + 1) % 24);
    let (status, body) = api(
        &app,
        &admin,
        "cn-hangzhou",
        "ModifyDBClusterMaintainTime",
        &[("DBClusterId", &c), ("MaintainTime", &window)],
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        json!({"ask": {
            "title": "Rename for the quarter",
            "account": "sandbox", "region": "cn-hangzhou", "action": "ModifyDBClusterDescription",
            "params": [["DBClusterId", c], ["DBClusterDescription", "orders-staging-q1"]],
            "schedule": "window",
        }}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "scheduled");
    let id = body["id"].as_str().unwrap().to_string();
    let start = polardb::rules::next_window_start(&window, now).unwrap();
    let (_, detail) = json_fn(&app, &oper, "change", json!({"id": id})).await;
    assert_eq!(
        detail["run_at"],
        polardb::rules::api_minute(start),
        "{detail}"
    );
    assert_eq!(detail["steps"][0]["window"], window.as_str());

    let b = backend_of(&app);
    // Before the window: nothing runs (also not on the console's own scheduler).
    assert_eq!(b.changes.run_due(now).await.unwrap(), 0);
    assert_eq!(b.changes.run_due(start - 60).await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(description(&app, &admin, &c).await, "orders-staging");
    let (_, detail) = json_fn(&app, &oper, "change", json!({"id": id})).await;
    assert_eq!(detail["state"], "scheduled");
    // In the window: it runs.
    assert_eq!(b.changes.run_due(start + 120).await.unwrap(), 1);
    assert_eq!(description(&app, &admin, &c).await, "orders-staging-q1");
    let (_, detail) = json_fn(&app, &oper, "change", json!({"id": id})).await;
    assert_eq!(detail["state"], "succeeded", "{detail}");
    assert_eq!(
        b.changes.run_due(start + 180).await.unwrap(),
        0,
        "runs once"
    );
}

#[tokio::test]
async fn a_fleet_change_stops_at_its_failure_threshold_and_reports_each_cluster() {
    let mut seed = emulator::state::generated_seed(6, 1);
    // The third cluster is busy (a node being added): the API refuses to change it.
    seed.clusters[2].status = "NodeCreating".into();
    let app = TestApp::spawn_with(seed.clone()).await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let region = seed.clusters[0].region_id.clone();
    let targets: Vec<Value> = seed
        .clusters
        .iter()
        .map(|c| json!({"account": "sandbox", "region": c.region_id, "cluster": c.id}))
        .collect();
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        json!({"ask": {
            "title": "statement_timeout 30 s on the fleet",
            "account": "sandbox", "region": region, "action": "ModifyDBClusterParameters",
            "params": [["Parameters", "{\"statement_timeout\":\"30000\"}"]],
            "targets": targets,
            "canary": 1, "batch_size": 2, "max_failures": 0,
        }}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let c = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(c["state"], "partly_failed", "{c}");
    let states: Vec<(String, String, i64)> = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["cluster"].as_str().unwrap().to_string(),
                s["state"].as_str().unwrap().to_string(),
                s["batch"].as_i64().unwrap(),
            )
        })
        .collect();
    let expect = [
        ("succeeded", 0),
        ("succeeded", 1),
        ("failed", 1),
        ("skipped", 2),
        ("skipped", 2),
        ("skipped", 3),
    ];
    for (i, (cluster, state, batch)) in states.iter().enumerate() {
        assert_eq!(cluster, &seed.clusters[i].id);
        assert_eq!(
            (state.as_str(), *batch),
            expect[i],
            "cluster {i}: {states:?}"
        );
    }
    assert!(
        c["steps"][2]["error"]
            .as_str()
            .unwrap()
            .contains("OperationDenied.DBClusterStatus"),
        "{c}"
    );
    // What was sent changed; what was skipped did not.
    for (i, changed) in [(0, true), (1, true), (3, false), (5, false)] {
        let (_, body) = api(
            &app,
            &admin,
            &seed.clusters[i].region_id,
            "DescribeDBClusterParameters",
            &[("DBClusterId", &seed.clusters[i].id)],
        )
        .await;
        let value = body["RunningParameters"]["Parameter"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ParameterName"] == "statement_timeout")
            .unwrap()["ParameterValue"]
            .clone();
        assert_eq!(value == "30000", changed, "cluster {i}: {value}");
    }

    // The failed and skipped ones are asked again as a new change; the busy cluster, now
    // its canary, fails again and stops it.
    assert_eq!(c["may_retry"], true);
    let (status, body) = json_fn(&app, &oper, "retry_change", json!({"id": id})).await;
    assert_eq!(status, 200, "{body}");
    let again = body["id"].as_str().unwrap().to_string();
    let r = settled(
        &app,
        &oper,
        &again,
        &["succeeded", "failed", "partly_failed"],
    )
    .await;
    let clusters: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cluster"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = [2, 3, 4, 5]
        .iter()
        .map(|i| seed.clusters[*i].id.as_str())
        .collect();
    assert_eq!(clusters, expected);
    assert_eq!(r["state"], "failed", "{r}");
    assert!(r["title"].as_str().unwrap().starts_with("Retry: "));
}

#[tokio::test]
async fn a_due_change_runs_once_across_processes_and_a_stopped_runner_sends_nothing_twice() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let seed = emulator::state::default_seed();
    let id_of = |name: &str| {
        seed.clusters
            .iter()
            .find(|c| c.description == name)
            .unwrap()
            .id
            .clone()
    };
    let (staging, analytics) = (id_of("orders-staging"), id_of("analytics"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ask = |title: &str, description: &str| {
        json!({"ask": {
            "title": title,
            "account": "sandbox", "region": "cn-hangzhou", "action": "ModifyDBClusterDescription",
            "params": [["DBClusterDescription", description]],
            "targets": [
                {"account": "sandbox", "region": "cn-hangzhou", "cluster": staging},
                {"account": "sandbox", "region": "cn-hangzhou", "cluster": analytics},
            ],
            "schedule": "at",
            "run_at": polardb::rules::api_minute(now + 3600),
            "batch_size": 1,
            "max_failures": 5,
        }})
    };

    // Two processes' schedulers at the same due time: each request is sent once.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        ask("Both at once", "renamed-once"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let once = body["id"].as_str().unwrap().to_string();
    let (a, b) = (backend_of(&app), backend_of(&app));
    let due = now + 3600 + 60;
    let (ra, rb) = tokio::join!(a.changes.run_due(due), b.changes.run_due(due));
    assert_eq!(ra.unwrap() + rb.unwrap(), 1, "one process ran it");
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'ModifyDBClusterDescription'
           AND outcome = 'intent' AND resource->>'change' = $1",
    )
    .bind(&once)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(sent, 2);
    let (_, c) = json_fn(&app, &oper, "change", json!({"id": once})).await;
    assert_eq!(c["state"], "succeeded", "{c}");

    // A runner that stopped while sending the first request: taken over after its claim
    // ran out; that request is not sent again, the rest are.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        ask("Crashed", "renamed-twice"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let crashed = body["id"].as_str().unwrap().to_string();
    // In one transaction: the console's own scheduler may look at any moment, and between
    // two separate updates it found a stale claim with its first step not yet running, ran
    // the whole change, and the second update then marked a step of a finished change as
    // running (seen once in a full run).
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query(
        "UPDATE changes SET state = 'running', claimed_by = 'a stopped process',
                claimed_until = now() - interval '1 minute' WHERE id = $1::uuid",
    )
    .bind(&crashed)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE change_steps SET state = 'running' WHERE change_id = $1::uuid AND seq = 0")
        .bind(&crashed)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // This process's scheduler or the console's own takes it over (whichever looks first).
    a.changes.run_due(now).await.unwrap();
    let c = settled(
        &app,
        &oper,
        &crashed,
        &["succeeded", "failed", "partly_failed"],
    )
    .await;
    assert_eq!(c["state"], "partly_failed", "{c}");
    assert_eq!(c["steps"][0]["state"], "failed");
    assert!(c["steps"][0]["error"]
        .as_str()
        .unwrap()
        .contains("RunnerStopped"));
    assert_eq!(c["steps"][1]["state"], "succeeded");
    assert_eq!(description(&app, &admin, &staging).await, "renamed-once");
    assert_eq!(description(&app, &admin, &analytics).await, "renamed-twice");
    let trail = records(&app, &crashed).await;
    assert!(
        trail.iter().any(|(a, _, _)| a == "ChangeStarted"),
        "{trail:?}"
    );
    assert_eq!(
        trail
            .iter()
            .filter(|(a, o, _)| a == "ModifyDBClusterDescription" && o == "intent")
            .count(),
        1
    );
}

/// The running value of a parameter.
async fn parameter(app: &TestApp, cookie: &str, cluster: &str, name: &str) -> String {
    let (_, body) = api(
        app,
        cookie,
        "cn-hangzhou",
        "DescribeDBClusterParameters",
        &[("DBClusterId", cluster)],
    )
    .await;
    body["RunningParameters"]["Parameter"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ParameterName"] == name)
        .unwrap()["ParameterValue"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_change_shows_its_preview_and_a_revert_puts_the_old_values_back() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let seed = emulator::state::default_seed();
    let c = seed
        .clusters
        .iter()
        .find(|c| c.description == "orders-staging")
        .unwrap()
        .id
        .clone();
    let before = parameter(&app, &admin, &c, "statement_timeout").await;
    assert_ne!(before, "30000");
    let restart_before = parameter(&app, &admin, &c, "autovacuum_max_workers").await;
    let ask = |parameters: &str| {
        json!({"ask": {
            "title": "Tune statement_timeout",
            "reason": "runaway reports",
            "account": "sandbox", "region": "cn-hangzhou", "action": "ModifyDBClusterParameters",
            "params": [["DBClusterId", c], ["Parameters", parameters]],
            "schedule": "at",
            "run_at": polardb::rules::api_minute(
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 + 7200),
        }})
    };
    // A parameter that needs a restart says so in the preview (and this one is cancelled).
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        ask(r#"{"autovacuum_max_workers":"7","statement_timeout":"30000"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let waiting = body["id"].as_str().unwrap().to_string();
    let (_, d) = json_fn(&app, &oper, "change", json!({"id": waiting})).await;
    let step = &d["steps"][0];
    assert_eq!(step["restart"], true, "{d}");
    assert!(
        step["before"]
            .as_array()
            .unwrap()
            .contains(&json!(["autovacuum_max_workers", restart_before])),
        "{d}"
    );
    assert!(
        step["after"]
            .as_array()
            .unwrap()
            .contains(&json!(["statement_timeout", "30000"])),
        "{d}"
    );
    assert_eq!(d["may_revert"], false);
    let (status, _) = json_fn(&app, &oper, "cancel_change", json!({"id": waiting})).await;
    assert_eq!(status, 200);
    let (status, _) = json_fn(&app, &oper, "revert_change", json!({"id": waiting})).await;
    assert_eq!(status, 409, "a cancelled change changed nothing to revert");

    // One that runs now: no restart; then reverted.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        json!({"ask": {
            "title": "Tune statement_timeout",
            "account": "sandbox", "region": "cn-hangzhou", "action": "ModifyDBClusterParameters",
            "params": [["DBClusterId", c], ["Parameters", r#"{"statement_timeout":"30000"}"#]],
        }}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let d = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(d["state"], "succeeded", "{d}");
    assert_eq!(d["steps"][0]["restart"], false);
    assert_eq!(
        d["steps"][0]["before"],
        json!([["statement_timeout", before]])
    );
    assert_eq!(d["may_revert"], true);
    assert_eq!(
        parameter(&app, &admin, &c, "statement_timeout").await,
        "30000"
    );

    let (status, body) = json_fn(&app, &oper, "revert_change", json!({"id": id})).await;
    assert_eq!(status, 200, "{body}");
    let revert = body["id"].as_str().unwrap().to_string();
    let r = settled(
        &app,
        &oper,
        &revert,
        &["succeeded", "failed", "partly_failed"],
    )
    .await;
    assert_eq!(r["state"], "succeeded", "{r}");
    assert!(r["title"].as_str().unwrap().starts_with("Revert: "));
    assert_eq!(
        parameter(&app, &admin, &c, "statement_timeout").await,
        before
    );
    // The revert is a change like any other: its own preview, its own way back.
    assert_eq!(
        r["steps"][0]["before"],
        json!([["statement_timeout", "30000"]])
    );
}

async fn save_role(app: &TestApp, admin: &str, name: &str, policy: &Value) {
    let policy = policy.to_string();
    let res = app
        .call_form(
            admin,
            "save_role",
            &[("name", name), ("description", name), ("policy", &policy)],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

async fn policy(app: &TestApp, admin: &str, fields: &[(&str, &str)]) {
    let res = app.call_form(admin, "add_approval_policy", fields).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// Attack run 18: a change is seen and decided on by every cluster it names (F1), a
/// password never waits as its placeholder (F2), an approval counts only for a policy whose
/// roles the approver had (F3), deciding on a change without an expiry is a 409 (F4), and
/// a write naming a maintenance event is held for its cluster's policy (F5).
#[tokio::test]
async fn changes_are_seen_decided_and_gated_by_every_cluster_and_role_they_involve() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let seed = emulator::state::default_seed();
    let find = |name: &str| {
        seed.clusters
            .iter()
            .find(|c| c.description == name)
            .unwrap()
    };
    let (prod, staging) = (find("orders-prod"), find("orders-staging"));
    let prod_reader = prod
        .nodes
        .iter()
        .find(|n| n.role == "Reader")
        .unwrap()
        .id
        .clone();
    save_role(
        &app,
        &admin,
        "noprod",
        &json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*", "console:*"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["polardb:*"],
             "Resource": [format!("acs:polardb:*:sandbox:dbcluster/{}", prod.id)]}]}),
    )
    .await;
    let cust = app.user_with_role("cust", "noprod").await;
    let oper = app.user_with_role("oper", "operator").await;
    let oper2 = app.user_with_role("oper2", "operator").await;
    policy(
        &app,
        &admin,
        &[
            ("name", "restarts"),
            ("actions", "RestartDBNode, ModifyPendingMaintenanceAction"),
            ("approvals", "1"),
            ("approver_roles", "noprod, admin"),
            ("tag_key", "env"),
            ("tag_value", "prod"),
        ],
    )
    .await;

    // F1: a restart of a prod node, named by its node only.
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "RestartDBNode",
        &[("DBNodeId", &prod_reader)],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let draft = body["ApprovalRequired"]["draft"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": draft, "reason": "stuck reader"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, listed) = json_fn(&app, &cust, "changes", json!({"which": "awaiting"})).await;
    assert!(!listed.to_string().contains(&draft), "{listed}");
    let (_, listed) = json_fn(&app, &cust, "changes", json!({"which": "recent"})).await;
    assert!(!listed.to_string().contains(&draft), "{listed}");
    let (status, _) = json_fn(&app, &cust, "change", json!({"id": draft})).await;
    assert_eq!(status, 404);
    let (status, _) = json_fn(
        &app,
        &cust,
        "decide_change",
        json!({"id": draft, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 404);
    let (_, c) = json_fn(&app, &admin, "change", json!({"id": draft})).await;
    assert_eq!(c["steps"][0]["cluster"], prod.id.as_str(), "{c}");
    // Asking for it as a change is decided on the node's cluster as well.
    let (status, body) = json_fn(
        &app,
        &cust,
        "request_change",
        json!({"ask": {"title": "restart", "reason": "why not", "account": "sandbox",
            "region": "cn-hangzhou", "action": "RestartDBNode", "params": [["DBNodeId", prod_reader]]}}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        !body.to_string().contains(&prod.id),
        "the hidden cluster is not named: {body}"
    );

    // F5: an event of the prod cluster is held for approval when asked, not scheduled.
    let (_, events) = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribePendingMaintenanceAction",
        &[("Region", "cn-hangzhou"), ("TaskType", "all")],
    )
    .await;
    let event = events["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["DBClusterId"] == prod.id.as_str())
        .expect("a pending event on orders-prod")
        .clone();
    let (id, deadline) = (
        event["Id"].as_i64().unwrap().to_string(),
        event["Deadline"].as_str().unwrap().to_string(),
    );
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "ModifyPendingMaintenanceAction",
        &[("Ids", &id), ("SwitchTime", &deadline)],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let held = body["ApprovalRequired"]["draft"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": held, "reason": "after the sale"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awaiting_approval", "{body}");

    // F4: deciding on a change that needs no approval is refused as such, not a fault.
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "ModifyDBClusterDescription",
        &[
            ("DBClusterId", &staging.id),
            ("DBClusterDescription", "orders-staging-2"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, mine) = json_fn(&app, &oper, "changes", json!({"which": "mine"})).await;
    let applied = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "ModifyDBClusterDescription")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = json_fn(
        &app,
        &admin,
        "decide_change",
        json!({"id": applied, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");

    // F2: a password is never asked for as a change (it would be sent as its placeholder).
    for password in ["Secret-pass-123", ""] {
        let (status, body) = json_fn(
            &app,
            &oper,
            "request_change",
            json!({"ask": {"title": "new account", "account": "sandbox", "region": "cn-hangzhou",
                "action": "CreateAccount", "params": [["DBClusterId", staging.id], ["AccountName", "app2"],
                ["AccountPassword", password], ["AccountType", "Normal"]]}}),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("password"), "{body}");
    }
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM change_steps WHERE action = 'CreateAccount'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);

    // F3: a change waiting under an operators' policy; an administrators' policy added
    // meanwhile is not satisfied by an operator's approval.
    policy(
        &app,
        &admin,
        &[
            ("name", "staging-descriptions"),
            ("actions", "ModifyDBClusterDescription"),
            ("approvals", "1"),
            ("approver_roles", "operator"),
        ],
    )
    .await;
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "ModifyDBClusterDescription",
        &[
            ("DBClusterId", &staging.id),
            ("DBClusterDescription", "frozen?"),
        ],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let waiting = body["ApprovalRequired"]["draft"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": waiting, "reason": "rename"}),
    )
    .await;
    assert_eq!(status, 200);
    policy(
        &app,
        &admin,
        &[
            ("name", "freeze"),
            ("approvals", "1"),
            ("approver_roles", "admin"),
        ],
    )
    .await;
    let (status, body) = json_fn(
        &app,
        &oper2,
        "decide_change",
        json!({"id": waiting, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // It waits for the administrators' policy too (attack run 21, F1: it was scheduled and
    // then refused at the gate), nothing sent meanwhile.
    let (_, c) = json_fn(&app, &oper, "change", json!({"id": waiting})).await;
    assert_eq!(c["state"], "awaiting_approval", "{c}");
    assert_eq!(c["policy"], "freeze, staging-descriptions", "{c}");
    assert_eq!(
        description(&app, &admin, &staging.id).await,
        "orders-staging-2"
    );
    let (status, body) = json_fn(
        &app,
        &admin,
        "decide_change",
        json!({"id": waiting, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let c = settled(
        &app,
        &oper,
        &waiting,
        &["succeeded", "failed", "partly_failed"],
    )
    .await;
    assert_eq!(c["state"], "succeeded", "{c}");
    assert_eq!(description(&app, &admin, &staging.id).await, "frozen?");
    // Approval policies keep no duplicates and name roles that exist.
    let res = app
        .call_form(
            &admin,
            "add_approval_policy",
            &[
                ("name", "dup"),
                ("actions", "DeleteDBCluster,DeleteDBCluster"),
                ("approvals", "1"),
                ("approver_roles", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .call_form(
            &admin,
            "add_approval_policy",
            &[
                ("name", "ghost"),
                ("approvals", "1"),
                ("approver_roles", "nobody"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
}

/// A change's end beside its request's outcome record: outcome, change state, step state,
/// step request id, step error code, ended no later than the record, the record's request id.
type EndedRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
);

/// A write sent at once is a change of one request. How it went is written on the change
/// when its answer comes, before its outcome record (#18: that commit does not wait for the
/// disk; the outcome record's commit, later in the same log, flushes it): accepted or
/// refused by the API, the change ends as its record says, and never after it.
#[tokio::test]
async fn a_write_sent_at_once_ends_its_change_before_its_outcome_record() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let seed = emulator::state::default_seed();
    let cluster = &seed.clusters[0];
    let create = [
        ("DBClusterId", cluster.id.as_str()),
        ("DBName", "at_once"),
        ("AccountName", "orders_app"),
        ("CharacterSetName", "UTF8"),
        ("DBDescription", "at once"),
        ("AccountPrivilege", "ReadWrite"),
        ("Collate", "C"),
        ("Ctype", "C"),
    ];
    // The first is accepted, the second refused by the API (the name is taken).
    let (status, first) = api(&app, &admin, &cluster.region_id, "CreateDatabase", &create).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = api(&app, &admin, &cluster.region_id, "CreateDatabase", &create).await;
    assert_ne!(status, 200, "{second}");

    let ended: Vec<EndedRow> = sqlx::query_as(
        "SELECT e.outcome, c.state, s.state, s.request_id, s.error_code,
                    c.finished_at IS NOT NULL AND s.finished_at <= e.at AND c.finished_at <= e.at,
                    e.upstream_request_id
             FROM audit_events e
             JOIN changes c ON c.id = (e.resource->>'change')::uuid
             JOIN change_steps s ON s.change_id = c.id
             WHERE e.action = 'CreateDatabase' AND e.outcome IN ('ok', 'error')
             ORDER BY e.seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(ended.len(), 2, "{ended:?}");
    let (outcome, change, step, request_id, code, before, upstream) = &ended[0];
    assert_eq!(
        (outcome.as_str(), change.as_str(), step.as_str()),
        ("ok", "succeeded", "succeeded")
    );
    assert_eq!(
        request_id, upstream,
        "the step names the answer its record names"
    );
    assert_eq!(code, &None);
    assert!(
        before,
        "the change ended before its outcome record: {ended:?}"
    );
    let (outcome, change, step, _, code, before, _) = &ended[1];
    assert_eq!(
        (outcome.as_str(), change.as_str(), step.as_str()),
        ("error", "failed", "failed")
    );
    assert_eq!(code.as_deref(), Some("InvalidDBName.Duplicate"));
    assert!(
        before,
        "the change ended before its outcome record: {ended:?}"
    );
}
