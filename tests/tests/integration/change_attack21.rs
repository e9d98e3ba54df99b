//! Attack run 21 (#13): a change is decided on the approval policies as they are when it is
//! decided and when it is about to be sent, not as they were when it was asked. A policy
//! added while the change waits (V5), or renamed by deleting and adding (V4), is asked for
//! and its role may approve (the change shows it as soon as the policy is added); a change scheduled before a policy covered it waits for that
//! policy's approvals instead of failing at the gate. Each failed before its mend.

use serde_json::{json, Value};
use tests::{seeded_cluster, TestApp};

use super::change_attack19::{form, in_hours, rename};
use super::changes::{backend_of, json_fn, settled};

pub(crate) async fn add_policy(app: &TestApp, admin: &str, name: &str, role: &str) {
    form(
        app,
        admin,
        "add_approval_policy",
        &[
            ("name", name),
            ("actions", "ModifyDBClusterDescription"),
            ("tag_key", "env"),
            ("tag_value", "staging"),
            ("approvals", "1"),
            ("approver_roles", role),
        ],
    )
    .await;
}

pub(crate) async fn delete_policy(app: &TestApp, admin: &str, name: &str) {
    let (status, view) = json_fn(app, admin, "approval_policies", json!({})).await;
    assert_eq!(status, 200, "{view}");
    let id = view["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name}: {view}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    form(app, admin, "delete_approval_policy", &[("id", &id)]).await;
}

pub(crate) async fn decide(app: &TestApp, cookie: &str, id: &str) -> (u16, Value) {
    json_fn(
        app,
        cookie,
        "decide_change",
        json!({"id": id, "verdict": "approve"}),
    )
    .await
}

pub(crate) async fn state(app: &TestApp, cookie: &str, id: &str) -> Value {
    let (status, c) = json_fn(app, cookie, "change", json!({"id": id})).await;
    assert_eq!(status, 200, "{c}");
    c
}

#[tokio::test]
async fn a_policy_added_or_renamed_while_a_change_waits_is_asked_for() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let oper2 = app.user_with_role("oper2", "operator").await;
    let viewer = app.user_with_role("view", "viewer").await;
    let staging = seeded_cluster("orders-staging");
    add_policy(&app, &admin, "staging-ops", "operator").await;

    // V5: asked under one policy; another, whose approvers are viewers, is added meanwhile.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("V5", &[&staging], "orders-staging-v5", "now", ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awaiting_approval", "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    add_policy(&app, &admin, "late", "viewer").await;
    // It shows at once what it waits for, and the new deciders may decide.
    let c = state(&app, &viewer, &id).await;
    assert_eq!(c["policy"], "late, staging-ops", "{c}");
    assert_eq!(c["approver_roles"], json!(["viewer", "operator"]), "{c}");
    assert_eq!(c["may_decide"], true, "{c}");
    let (status, body) = decide(&app, &oper2, &id).await;
    assert_eq!(status, 200, "{body}");
    let c = state(&app, &oper, &id).await;
    assert_eq!(
        c["state"], "awaiting_approval",
        "the late policy has no approval yet: {c}"
    );
    assert_eq!(c["policy"], "late, staging-ops", "{c}");
    // The new policy's role may now approve, and its approval lets it run.
    let (status, body) = decide(&app, &viewer, &id).await;
    assert_eq!(status, 200, "{body}");
    let done = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(done["state"], "succeeded", "{done}");

    // V4: the operators' policy is replaced by one of the administrators' under a new name.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("V4", &[&staging], "orders-staging-v4", "now", ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    delete_policy(&app, &admin, "staging-ops").await;
    add_policy(&app, &admin, "staging-admins", "admin").await;
    // The viewers' policy is met; the operators' is gone and no longer decides.
    let (status, body) = decide(&app, &oper2, &id).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = decide(&app, &viewer, &id).await;
    assert_eq!(status, 200, "{body}");
    let c = state(&app, &oper, &id).await;
    assert_eq!(c["state"], "awaiting_approval", "{c}");
    assert_eq!(c["policy"], "late, staging-admins", "{c}");
    let (status, body) = decide(&app, &admin, &id).await;
    assert_eq!(status, 200, "{body}");
    let done = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(done["state"], "succeeded", "{done}");
}

#[tokio::test]
async fn a_change_scheduled_before_a_policy_covered_it_waits_for_that_policy() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let staging = seeded_cluster("orders-staging");
    // Nothing asks for approval when it is asked: scheduled two days ahead.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename(
            "later",
            &[&staging],
            "orders-staging-later",
            "at",
            &in_hours(48),
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "scheduled", "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    add_policy(&app, &admin, "staging-admins", "admin").await;
    // When it is due it waits for the administrators instead of failing at the gate.
    let changes = backend_of(&app).changes.clone();
    let due = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 49 * 3600;
    assert_eq!(changes.run_due(due).await.unwrap(), 1);
    let c = state(&app, &oper, &id).await;
    assert_eq!(c["state"], "awaiting_approval", "{c}");
    assert_eq!(c["policy"], "staging-admins", "{c}");
    assert_eq!(c["steps"][0]["state"], "pending", "nothing was sent: {c}");
    let (status, body) = decide(&app, &admin, &id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "scheduled", "{body}");
    assert_eq!(changes.run_due(due).await.unwrap(), 1);
    let c = state(&app, &oper, &id).await;
    assert_eq!(c["state"], "succeeded", "{c}");
}
