//! "Collect changes" (#15, "Schedule…" from every page): a user who turns it on has each
//! write kept in one draft change instead of sent — decided by their role when kept, never
//! with a password — and asks for it like any change; its requests then go in order. Drafts
//! nobody asks for are discarded after two weeks, with their record.

use serde_json::{json, Value};
use tests::TestApp;

use super::changes::{api, backend_of, json_fn, settled};

async fn collect(app: &TestApp, cookie: &str, on: bool) {
    let res = app
        .call_form(
            cookie,
            "set_collect_changes",
            &[("on", if on { "true" } else { "false" })],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}

async fn describe(app: &TestApp, cookie: &str, cluster: &str) -> String {
    let (status, body) = api(
        app,
        cookie,
        "cn-hangzhou",
        "DescribeDBClusterAttribute",
        &[("DBClusterId", cluster)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["DBClusterDescription"].as_str().unwrap().to_string()
}

async fn rename(app: &TestApp, cookie: &str, cluster: &str, to: &str) -> (u16, Value) {
    api(
        app,
        cookie,
        "cn-hangzhou",
        "ModifyDBClusterDescription",
        &[("DBClusterId", cluster), ("DBClusterDescription", to)],
    )
    .await
}

async fn count(app: &TestApp, action: &str, change: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = $1 AND params->>'change' = $2",
    )
    .bind(action)
    .bind(change)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn collected_writes_wait_in_one_draft_and_go_in_order_when_asked() {
    let app = TestApp::spawn().await;
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
    let oper = app.user_with_role("oper", "operator").await;
    let view = app.user_with_role("view", "viewer").await;

    collect(&app, &oper, true).await;
    let (status, body) = rename(&app, &oper, &staging, "orders-staging-2").await;
    assert_eq!(status, 409, "{body}");
    let draft = body["Kept"]["draft"].as_str().unwrap().to_string();
    assert_eq!(body["Kept"]["requests"], 1, "{body}");
    let (status, body) = rename(&app, &oper, &analytics, "analytics-2").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["Kept"]["draft"], draft.as_str(), "one draft: {body}");
    assert_eq!(body["Kept"]["requests"], 2, "{body}");
    // A password is never kept; reads go on as usual; nothing was sent.
    let (status, body) = api(
        &app,
        &oper,
        "cn-hangzhou",
        "ModifyAccountPassword",
        &[
            ("DBClusterId", &staging),
            ("AccountName", "app"),
            ("NewAccountPassword", "Very-secret-42"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("params"), "{body}");
    assert!(!body.to_string().contains("Very-secret-42"), "{body}");
    assert_eq!(describe(&app, &oper, &staging).await, "orders-staging");
    assert_eq!(describe(&app, &oper, &analytics).await, "analytics");

    // The role decides when a write is kept: a Viewer collects nothing.
    collect(&app, &view, true).await;
    let (status, body) = rename(&app, &view, &staging, "mine").await;
    assert_eq!(status, 403, "{body}");
    let drafts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM changes c JOIN users u ON u.id = c.requested_by WHERE u.username = 'view'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(drafts, 0);

    // The draft, as its page shows it.
    let (status, c) = json_fn(&app, &oper, "change", json!({"id": draft})).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["state"], "draft", "{c}");
    let steps = c["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["cluster"], staging.as_str());
    assert_eq!(steps[1]["cluster"], analytics.as_str());
    assert_eq!(
        c["title"],
        format!("ModifyDBClusterDescription · {staging} (+1)")
    );
    assert_eq!(count(&app, "ChangeDrafted", &draft).await, 2);

    // Asked for, it sends its requests one after the other.
    collect(&app, &oper, false).await;
    let (status, body) = json_fn(
        &app,
        &oper,
        "submit_change",
        json!({"id": draft, "reason": "new names"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let done = settled(
        &app,
        &oper,
        &draft,
        &["succeeded", "failed", "partly_failed"],
    )
    .await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["steps"][0]["batch"], 0);
    assert_eq!(done["steps"][1]["batch"], 1);
    assert_eq!(describe(&app, &oper, &staging).await, "orders-staging-2");
    assert_eq!(describe(&app, &oper, &analytics).await, "analytics-2");
    // The change's audit records, as its page links them: its drafting, asking, running,
    // the requests (intent and outcome) and nothing of any other change.
    let admin = app.sign_in_admin().await;
    let res = app
        .call_form(
            &admin,
            "search_audit",
            &[("change", &draft), ("reads", "1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let trail: Value = res.json().await.unwrap();
    let mut actions: Vec<String> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    actions.sort();
    for want in [
        "ChangeDrafted",
        "ChangeRequested",
        "ChangeStarted",
        "ChangeFinished",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing: {actions:?}"
        );
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "ModifyDBClusterDescription")
            .count(),
        4,
        "two requests, each an intent and an outcome: {actions:?}"
    );
    assert!(trail["items"].as_array().unwrap().iter().all(|r| r["links"]
        .to_string()
        .contains(&format!("/changes/{draft}"))));
    // The requester, who sees their own records only, gets theirs of it.
    let res = app
        .call_form(&oper, "search_audit", &[("change", &draft), ("reads", "1")])
        .await;
    let own: Value = res.json().await.unwrap();
    let own = own["items"].as_array().unwrap();
    assert!(
        !own.is_empty() && own.iter().all(|r| r["actor"] == "oper"),
        "{own:?}"
    );
    let res = app
        .call_form(&oper, "search_audit", &[("change", "not-a-change")])
        .await;
    assert_eq!(res.status().as_u16(), 400);
    assert!(res.text().await.unwrap().contains("change"));

    // Writes are sent again at once now.
    let (status, body) = rename(&app, &oper, &staging, "orders-staging").await;
    assert_eq!(status, 200, "{body}");
    let settings: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'UserSettingsChanged' AND outcome = 'ok'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(settings, 3);

    // A draft nobody asks for is discarded after two weeks, with its record.
    collect(&app, &oper, true).await;
    let (status, body) = rename(&app, &oper, &analytics, "later").await;
    assert_eq!(status, 409, "{body}");
    let stale = body["Kept"]["draft"].as_str().unwrap().to_string();
    assert_ne!(stale, draft);
    let b = backend_of(&app);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    b.changes.run_due(now).await.unwrap();
    assert_eq!(
        count(&app, "ChangeDiscarded", &stale).await,
        0,
        "still fresh"
    );
    sqlx::query("UPDATE changes SET updated_at = now() - interval '15 days' WHERE id = $1::uuid")
        .bind(&stale)
        .execute(&app.pool)
        .await
        .unwrap();
    b.changes.run_due(now).await.unwrap();
    assert_eq!(count(&app, "ChangeDiscarded", &stale).await, 1);
    let (status, _) = json_fn(&app, &oper, "change", json!({"id": stale})).await;
    assert_eq!(status, 404);
    let verdict = b.audit.verify().await.unwrap();
    assert!(
        matches!(verdict, backend::audit::Verdict::Intact { .. }),
        "{verdict:?}"
    );
}
