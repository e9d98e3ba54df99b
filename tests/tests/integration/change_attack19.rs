//! Attack run 19 (#13, #15), each finding as a test that failed before its mend: a change
//! two policies hold is scheduled only when each has its approvals from its own roles
//! (F1); a preview is shown, and reverted, only to users whose role reads what it read
//! (F2); a tag-filtered notification rule hears of a fleet change by any of its clusters,
//! not only the first (F3); requests kept while a draft is asked never join it unplanned
//! (F4), and keeps at once share one draft (N2); a request with its own PlannedStartTime is
//! not asked for at another time (N4).

use serde_json::{json, Value};
use tests::{running_cluster_and_bigger_class, seeded_cluster, TestApp};

use super::changes::{json_fn, settled};

pub(crate) async fn form(app: &TestApp, cookie: &str, name: &str, fields: &[(&str, &str)]) {
    let res = app.call_form(cookie, name, fields).await;
    let status = res.status().as_u16();
    assert_eq!(status, 200, "{name}: {}", res.text().await.unwrap());
}

pub(crate) fn rename(
    title: &str,
    targets: &[&str],
    to: &str,
    schedule: &str,
    run_at: &str,
) -> Value {
    let targets: Vec<Value> = targets
        .iter()
        .map(|c| json!({"account": "sandbox", "region": "cn-hangzhou", "cluster": c}))
        .collect();
    json!({"ask": {
        "title": title, "reason": "attack run 19",
        "account": "sandbox", "region": "cn-hangzhou", "action": "ModifyDBClusterDescription",
        "params": [["DBClusterDescription", to]],
        "targets": targets, "schedule": schedule, "run_at": run_at,
    }})
}

pub(crate) fn in_hours(h: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    polardb::rules::api_minute(now + h * 3600)
}

#[tokio::test]
async fn a_change_two_policies_hold_waits_for_each_policys_own_approvers() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    for (name, role) in [("staging-ops", "operator"), ("staging-admins", "admin")] {
        form(
            &app,
            &admin,
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
    let oper = app.user_with_role("oper", "operator").await;
    let oper2 = app.user_with_role("oper2", "operator").await;
    let staging = seeded_cluster("orders-staging");
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename("two policies", &[&staging], "orders-staging-19", "now", ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awaiting_approval", "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    // An operator's approval meets one policy: still waiting for the administrators'.
    let (status, body) = json_fn(
        &app,
        &oper2,
        "decide_change",
        json!({"id": id, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, c) = json_fn(&app, &oper, "change", json!({"id": id})).await;
    assert_eq!(c["state"], "awaiting_approval", "{c}");
    // The administrator's meets the other: it runs, and is sent.
    let (status, body) = json_fn(
        &app,
        &admin,
        "decide_change",
        json!({"id": id, "verdict": "approve"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let done = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(done["state"], "succeeded", "{done}");
}

#[tokio::test]
async fn a_preview_is_shown_and_reverted_only_to_who_may_read_it() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let policy = json!({"Statement": [
        {"Effect": "Allow", "Action": ["polardb:*", "console:*"], "Resource": ["*"]},
        {"Effect": "Deny", "Action": ["polardb:DescribeDBClusterAccessWhitelist"], "Resource": ["*"]}]});
    let policy = policy.to_string();
    form(
        &app,
        &admin,
        "save_role",
        &[
            ("name", "noacl"),
            ("description", "noacl"),
            ("policy", &policy),
        ],
    )
    .await;
    let nacl = app.user_with_role("nacl", "noacl").await;
    let oper = app.user_with_role("oper", "operator").await;
    let staging = seeded_cluster("orders-staging");
    let ask = json!({"ask": {
        "title": "one more address", "reason": "",
        "account": "sandbox", "region": "cn-hangzhou", "action": "ModifyDBClusterAccessWhitelist",
        "params": [["DBClusterId", staging], ["DBClusterIPArrayName", "default"],
                   ["SecurityIps", "10.9.9.9"], ["ModifyMode", "Append"]],
        "schedule": "now",
    }});
    let (status, body) = json_fn(&app, &oper, "request_change", ask).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let done = settled(&app, &oper, &id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    // The requester sees the old whitelist and may revert.
    assert_ne!(done["steps"][0]["before"], json!([]), "{done}");
    assert_eq!(done["may_revert"], true, "{done}");
    // A role denied the whitelist read sees the change, not what the preview read.
    let (status, c) = json_fn(&app, &nacl, "change", json!({"id": id})).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["steps"][0]["before"], json!([]), "{c}");
    assert_eq!(c["steps"][0]["after"], json!([]), "{c}");
    assert_eq!(c["may_revert"], false, "{c}");
    let (status, body) = json_fn(&app, &nacl, "revert_change", json!({"id": id})).await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn a_tag_rule_hears_of_a_fleet_change_by_any_of_its_clusters() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "prod-oncall"),
            ("kind", "webhook"),
            ("url", "http://127.0.0.1:9/prod"),
            ("secret", "whsec-prod-oncall-0123456789"),
        ],
    )
    .await;
    let channel: String =
        sqlx::query_scalar("SELECT id::text FROM notification_channels WHERE name = 'prod-oncall'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    form(
        &app,
        &admin,
        "add_rule",
        &[
            ("channel", &channel),
            ("event", "change_awaiting_approval"),
            ("tag_key", "env"),
            ("tag_value", "prod"),
        ],
    )
    .await;
    form(
        &app,
        &admin,
        "add_approval_policy",
        &[
            ("name", "renames"),
            ("actions", "ModifyDBClusterDescription"),
            ("approvals", "1"),
            ("approver_roles", "admin"),
        ],
    )
    .await;
    let oper = app.user_with_role("oper", "operator").await;
    // Staging first, the prod cluster second.
    let (status, body) = json_fn(
        &app,
        &oper,
        "request_change",
        rename(
            "fleet rename",
            &[
                &seeded_cluster("orders-staging"),
                &seeded_cluster("analytics"),
            ],
            "renamed",
            "now",
            "",
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "awaiting_approval", "{body}");
    let id = body["id"].as_str().unwrap();
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notification_deliveries WHERE dedup = $1 AND channel_id::text = $2",
    )
    .bind(format!("change_awaiting_approval:{id}"))
    .bind(&channel)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(told, 1, "the env=prod rule was not told");
}

async fn collect(app: &TestApp, cookie: &str, on: bool) {
    form(
        app,
        cookie,
        "set_collect_changes",
        &[("on", if on { "true" } else { "false" })],
    )
    .await;
}

async fn keep(app: &TestApp, cookie: &str, cluster: &str, to: &str) -> (u16, Value) {
    let params: Vec<[&str; 2]> = vec![["DBClusterId", cluster], ["DBClusterDescription", to]];
    let res = app
        .call_json(
            cookie,
            "call_api",
            json!({"account": "sandbox", "region": "cn-hangzhou",
                   "action": "ModifyDBClusterDescription", "params": params}),
        )
        .await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn requests_kept_while_a_draft_is_asked_never_join_it_unplanned() {
    let app = TestApp::spawn().await;
    let oper = app.user_with_role("oper", "operator").await;
    let staging = seeded_cluster("orders-staging");
    collect(&app, &oper, true).await;
    // Keeps at once share one draft.
    let keeps: Vec<_> = (0..12)
        .map(|i| {
            let (app, oper, staging) = (&app, &oper, &staging);
            async move { keep(app, oper, staging, &format!("n{i}")).await }
        })
        .collect();
    let answers = futures::future::join_all(keeps).await;
    let mut drafts: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 409, "{body}");
            body["Kept"]["draft"].as_str().unwrap().to_string()
        })
        .collect();
    drafts.dedup();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let draft = drafts[0].clone();
    // Asked while more are kept: whatever the order, the asked change holds exactly the
    // requests its record names, and later ones go to a new draft.
    let ask = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": draft, "reason": "renames", "schedule": "at", "run_at": in_hours(48)}),
    );
    let more = futures::future::join_all((0..6).map(|i| {
        let (app, oper, staging) = (&app, &oper, &staging);
        async move { keep(app, oper, staging, &format!("late{i}")).await }
    }));
    let ((status, body), late) = tokio::join!(ask, more);
    assert_eq!(status, 200, "{body}");
    let requested: i64 = sqlx::query_scalar(
        "SELECT (params->>'requests')::bigint FROM audit_events
         WHERE action = 'ChangeRequested' AND params->>'change' = $1",
    )
    .bind(&draft)
    .fetch_one(&app.pool)
    .await
    .unwrap_or(-1);
    let steps: i64 =
        sqlx::query_scalar("SELECT count(*) FROM change_steps WHERE change_id = $1::uuid")
            .bind(&draft)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        requested, steps,
        "the record names every request of the change"
    );
    let in_asked = late
        .iter()
        .filter(|(_, b)| b["Kept"]["draft"] == draft.as_str())
        .count() as i64;
    assert_eq!(steps, 12 + in_asked);
    assert!(late.iter().all(|(s, _)| *s == 409));
}

#[tokio::test]
async fn a_request_with_its_own_planned_start_is_not_asked_for_at_another_time() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (c, bigger) = running_cluster_and_bigger_class();
    let (status, body) = json_fn(
        &app,
        &admin,
        "request_change",
        json!({"ask": {
            "title": "two times", "reason": "bigger nodes",
            "account": "sandbox", "region": c.region_id, "action": "ModifyDBNodeClass",
            "params": [["DBClusterId", c.id], ["ModifyType", "Upgrade"],
                       ["DBNodeTargetClass", bigger], ["PlannedStartTime", format!("{}:00Z", in_hours(2).trim_end_matches('Z'))]],
            "schedule": "at", "run_at": in_hours(3),
        }}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("run_at"), "{body}");
    assert!(body.to_string().contains("PlannedStartTime"), "{body}");
    // Nor in the maintenance windows, nor with an end of its own alone (attack run 20, N2).
    for (schedule, key) in [("window", "PlannedStartTime"), ("at", "PlannedEndTime")] {
        let (status, body) = json_fn(
            &app,
            &admin,
            "request_change",
            json!({"ask": {
                "title": "two times", "reason": "bigger nodes",
                "account": "sandbox", "region": c.region_id, "action": "ModifyDBNodeClass",
                "params": [["DBClusterId", c.id], ["ModifyType", "Upgrade"],
                           ["DBNodeTargetClass", bigger], [key, format!("{}:00Z", in_hours(2).trim_end_matches('Z'))]],
                "schedule": schedule, "run_at": in_hours(3),
            }}),
        )
        .await;
        assert_eq!(status, 400, "{schedule} {key}: {body}");
        assert!(body.to_string().contains("PlannedEndTime"), "{body}");
    }
}

#[tokio::test]
async fn a_policy_name_with_a_comma_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let res = app
        .call_form(
            &admin,
            "add_approval_policy",
            &[
                ("name", "ops, sec"),
                ("actions", "ModifyDBClusterDescription"),
                ("approvals", "1"),
                ("approver_roles", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    let body = res.text().await.unwrap();
    assert!(body.contains("name") && body.contains("comma"), "{body}");
}
