//! Attack run 22 (#13), each finding as a test that failed before its mend: a decision
//! racing a draft's submission is never made on what the change was before (F1); a change
//! told again to new deciders is told, not dropped as told already (F2); one user's waiting
//! changes are bounded, and bringing them up to date reads each cluster's tags once (F3)
//! and reaches every waiting change, not the oldest 500 (F4). Attack runs 23 and 24: the
//! cap holds for asks at once and for changes the runner puts back to waiting.

use serde_json::{json, Value};
use tests::{seeded_cluster, TestApp};

use super::change_attack19::{form, in_hours, rename};
use super::change_attack21::{add_policy, decide, delete_policy, state};
use super::changes::{api, backend_of, json_fn};
use super::notifications::{channel_id, receiver};

/// A rename of `cluster` from the JSON API, held back by a policy: its draft's id.
async fn draft(app: &TestApp, cookie: &str, cluster: &str, to: &str) -> String {
    let (status, body) = api(
        app,
        cookie,
        "cn-hangzhou",
        "ModifyDBClusterDescription",
        &[("DBClusterId", cluster), ("DBClusterDescription", to)],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    body["ApprovalRequired"]["draft"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `n` copies of change `id`, each made a second after the last.
async fn copies(app: &TestApp, id: &str, n: i32) {
    sqlx::query(
        "WITH copies AS (
             INSERT INTO changes
             SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid(),
                     'created_at', c.created_at + make_interval(secs => g)))).*
             FROM changes c, generate_series(1, $2) g WHERE c.id = $1::uuid
             RETURNING id
         )
         INSERT INTO change_steps
         SELECT (jsonb_populate_record(s, jsonb_build_object('change_id', copies.id))).*
         FROM change_steps s, copies WHERE s.change_id = $1::uuid",
    )
    .bind(id)
    .bind(n)
    .execute(&app.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_decision_racing_a_drafts_submission_never_counts_what_it_was() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let oper2 = app.user_with_role("oper2", "operator").await;
    let staging = seeded_cluster("orders-staging");
    add_policy(&app, &admin, "staging-ops", "operator").await;
    add_policy(&app, &admin, "staging-viewers", "viewer").await;
    for round in 0..12 {
        let id = draft(&app, &oper, &staging, &format!("race-{round}")).await;
        let submit = json_fn(
            &app,
            &oper,
            "submit_change",
            json!({"id": id, "reason": "race"}),
        );
        let approve = decide(&app, &oper2, &id);
        let ((status, body), _) = tokio::join!(submit, approve);
        assert_eq!(status, 200, "{body}");
        // An operator's approval meets the operators' policy only: it still waits.
        let c = state(&app, &admin, &id).await;
        assert_eq!(c["state"], "awaiting_approval", "round {round}: {c}");
        let (status, body) = json_fn(&app, &oper, "cancel_change", json!({"id": id})).await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn new_deciders_are_told_and_a_users_waiting_changes_are_bounded_and_read_once() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (base, _rx) = receiver().await;
    form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "approvers"),
            ("kind", "webhook"),
            ("url", &format!("{base}/approvers")),
            ("secret", "whsec-approvers-0123456789"),
        ],
    )
    .await;
    let view: Value = app
        .call_json(&admin, "notifications", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let hook = channel_id(&view, "approvers");
    form(
        &app,
        &admin,
        "add_rule",
        &[("channel", &hook), ("event", "change_awaiting_approval")],
    )
    .await;
    add_policy(&app, &admin, "staging-ops", "operator").await;
    let oper = app.user_with_role("oper", "operator").await;
    let staging = seeded_cluster("orders-staging");
    let mut ids = Vec::new();
    let max = backend::changes::MAX_WAITING;
    for n in 0..max - 5 {
        let (status, body) = json_fn(
            &app,
            &oper,
            "request_change",
            rename("wait", &[&staging], &format!("w-{n}"), "now", ""),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    // F3: no more than MAX_WAITING of one user's changes wait at once, even asked at once
    // (attack run 23, F1: each ask in flight saw room).
    let asks = (0..12).map(|n| {
        json_fn(
            &app,
            &oper,
            "request_change",
            rename("at once", &[&staging], &format!("a-{n}"), "now", ""),
        )
    });
    let mut refused = 0;
    for (status, body) in futures::future::join_all(asks).await {
        match status {
            200 => ids.push(body["id"].as_str().unwrap().to_string()),
            409 => refused += 1,
            _ => panic!("{status}: {body}"),
        }
    }
    assert_eq!((ids.len() as i64, refused), (max, 7));
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("one more", &[&staging], "w-more", "now", ""),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("awaiting approval"), "{body}");

    // A policy with new deciders: every waiting change shows it, the cluster's tags are
    // read once for all of them, and each is told again (F2: dropped as told already).
    let reads = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_events WHERE action = 'ListTagResources'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let before = reads().await;
    add_policy(&app, &admin, "late", "viewer").await;
    assert!(
        reads().await - before <= 2,
        "tags read {} times for {} changes on one cluster",
        reads().await - before,
        ids.len()
    );
    for id in &ids {
        assert_eq!(state(&app, &admin, id).await["policy"], "late, staging-ops");
    }
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notification_deliveries WHERE dedup LIKE 'change_awaiting_approval:' || $1 || '%'",
    )
    .bind(&ids[0])
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, 2, "asked, then told again to the new deciders");
    delete_policy(&app, &admin, "late").await;
}

#[tokio::test]
async fn every_waiting_change_is_brought_up_to_date_not_only_the_oldest() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let staging = seeded_cluster("orders-staging");
    add_policy(&app, &admin, "staging-ops", "operator").await;
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("first", &[&staging], "first", "now", ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first = body["id"].as_str().unwrap().to_string();
    // 520 more waiting changes, copies of the first made later (as many users would).
    copies(&app, &first, 520).await;
    let newest: String = sqlx::query_scalar(
        "SELECT id::text FROM changes WHERE state = 'awaiting_approval' ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_ne!(newest, first);
    add_policy(&app, &admin, "staging-admins", "admin").await;
    let c = state(&app, &admin, &newest).await;
    assert_eq!(c["policy"], "staging-admins, staging-ops", "{c}");
    assert_eq!(c["approver_roles"], json!(["admin", "operator"]), "{c}");
}

/// Attack run 24, F1: a scheduled change a policy added since covers goes back to waiting
/// only within its requester's cap; at the cap it ends, nothing sent, to be asked again.
#[tokio::test]
async fn a_change_put_back_at_the_cap_ends_unsent() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let staging = seeded_cluster("orders-staging");
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("later", &[&staging], "later", "at", &in_hours(48)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "scheduled", "{body}");
    let later = body["id"].as_str().unwrap().to_string();
    add_policy(&app, &admin, "staging-ops", "operator").await;
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("waits", &[&staging], "waits", "now", ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let waits = body["id"].as_str().unwrap().to_string();
    copies(&app, &waits, backend::changes::MAX_WAITING as i32 - 1).await;
    let due = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 49 * 3600;
    assert_eq!(backend_of(&app).changes.run_due(due).await.unwrap(), 1);
    let c = state(&app, &oper, &later).await;
    assert_eq!(c["state"], "failed", "{c}");
    assert_eq!(c["steps"][0]["state"], "skipped", "{c}");
    assert!(
        c["steps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("ask for it again"),
        "{c}"
    );
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM changes WHERE state = 'awaiting_approval'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(waiting, backend::changes::MAX_WAITING);
}
