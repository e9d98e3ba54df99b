//! Previews and reverts of backup policies and tags (#15): a change shows each field or tag
//! it touches before and after, read as the requester when it is asked, and Revert puts
//! exactly those back — for tags with two kinds of request (the keys added taken away, the
//! values changed or removed given back).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tests::TestApp;

use super::changes::{json_fn, settled};

/// An action's answer through the JSON API, which must succeed.
async fn api(
    app: &TestApp,
    cookie: &str,
    region: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Value {
    let (status, body) = super::changes::api(app, cookie, region, action, params).await;
    assert_eq!(status, 200, "{action}: {body}");
    body
}

/// Asks for a change of one request that runs now and waits until it has finished.
async fn run(app: &TestApp, cookie: &str, region: &str, action: &str, params: Value) -> Value {
    let (status, body) = json_fn(
        app,
        cookie,
        "request_change",
        json!({"ask": {
            "title": format!("{action} (test)"),
            "account": "sandbox", "region": region, "action": action, "params": params,
        }}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    finished(app, cookie, body["id"].as_str().unwrap()).await
}

/// Waits until a change has finished, and requires that it succeeded.
async fn finished(app: &TestApp, cookie: &str, id: &str) -> Value {
    let c = settled(app, cookie, id, &["succeeded", "failed", "partly_failed"]).await;
    assert_eq!(c["state"], "succeeded", "{c}");
    c
}

/// Reverts a finished change and waits for the revert to succeed.
async fn revert(app: &TestApp, cookie: &str, change: &Value) -> Value {
    assert_eq!(change["may_revert"], true, "{change}");
    let (status, body) = json_fn(app, cookie, "revert_change", json!({"id": change["id"]})).await;
    assert_eq!(status, 200, "{body}");
    let r = finished(app, cookie, body["id"].as_str().unwrap()).await;
    assert!(r["title"].as_str().unwrap().starts_with("Revert: "), "{r}");
    r
}

/// A step's preview as `key → (before, after)`.
fn preview(step: &Value) -> BTreeMap<String, (String, String)> {
    let list = |k: &str| -> BTreeMap<String, String> {
        step[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    p[1].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (before, after) = (list("before"), list("after"));
    before
        .into_iter()
        .map(|(k, b)| {
            let a = after.get(&k).cloned().unwrap_or_default();
            (k, (b, a))
        })
        .collect()
}

fn cluster_id(name: &str) -> String {
    tests::seeded_cluster(name)
}

fn pair(k: &str, a: &str, b: &str) -> (String, (String, String)) {
    (k.to_string(), (a.to_string(), b.to_string()))
}

#[tokio::test]
async fn a_backup_policy_change_shows_its_fields_and_a_revert_restores_the_old_policy() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let c = cluster_id("orders-staging");
    let policy = |v: Value, k: &str| {
        v[k].as_str()
            .map(str::to_string)
            .unwrap_or(v[k].to_string())
    };
    let old = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeBackupPolicy",
        &[("DBClusterId", &c)],
    )
    .await;
    let (old_days, old_time, old_keep, old_frequency) = (
        policy(old.clone(), "PreferredBackupPeriod"),
        policy(old.clone(), "PreferredBackupTime"),
        policy(old.clone(), "DataLevel1BackupRetentionPeriod"),
        policy(old.clone(), "BackupFrequency"),
    );
    let (days, time, keep) = ("Tuesday,Thursday,Saturday", "03:00Z-04:00Z", "13");
    assert!(
        old_days != days && old_time != time && old_keep != keep,
        "{old}"
    );

    let done = run(
        &app,
        &oper,
        "cn-hangzhou",
        "ModifyBackupPolicy",
        json!([
            ["DBClusterId", c],
            ["PreferredBackupPeriod", days],
            ["PreferredBackupTime", time],
            ["DataLevel1BackupRetentionPeriod", keep]
        ]),
    )
    .await;
    // Exactly the fields the request sets, before and after.
    assert_eq!(
        preview(&done["steps"][0]),
        BTreeMap::from([
            pair("DataLevel1BackupRetentionPeriod", &old_keep, keep),
            pair("PreferredBackupPeriod", &old_days, days),
            pair("PreferredBackupTime", &old_time, time),
        ]),
        "{done}"
    );
    let now = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeBackupPolicy",
        &[("DBClusterId", &c)],
    )
    .await;
    assert_eq!(now["PreferredBackupTime"], time);
    assert_eq!(now["DataLevel1BackupRetentionPeriod"], keep);

    let r = revert(&app, &oper, &done).await;
    let sent: Vec<String> = r["steps"][0]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap().to_string())
        .filter(|k| k != "RegionId")
        .collect();
    assert_eq!(
        sent.iter().collect::<std::collections::BTreeSet<_>>(),
        [
            "DBClusterId",
            "DataLevel1BackupRetentionPeriod",
            "PreferredBackupPeriod",
            "PreferredBackupTime"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .iter()
        .collect(),
        "the revert sets exactly the fields the change set: {r}"
    );
    let back = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeBackupPolicy",
        &[("DBClusterId", &c)],
    )
    .await;
    assert_eq!(
        policy(back.clone(), "PreferredBackupPeriod"),
        old_days,
        "{back}"
    );
    assert_eq!(policy(back.clone(), "PreferredBackupTime"), old_time);
    assert_eq!(
        policy(back.clone(), "DataLevel1BackupRetentionPeriod"),
        old_keep
    );
    assert_eq!(policy(back.clone(), "BackupFrequency"), old_frequency);

    // The log-backup policy the same way.
    let log = |v: &Value| {
        v["LogBackupRetentionPeriod"]
            .to_string()
            .trim_matches('"')
            .to_string()
    };
    let old = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeLogBackupPolicy",
        &[("DBClusterId", &c)],
    )
    .await;
    let old_log = log(&old);
    assert_ne!(old_log, "45");
    let done = run(
        &app,
        &oper,
        "cn-hangzhou",
        "ModifyLogBackupPolicy",
        json!([["DBClusterId", c], ["LogBackupRetentionPeriod", "45"]]),
    )
    .await;
    assert_eq!(
        preview(&done["steps"][0]),
        BTreeMap::from([pair("LogBackupRetentionPeriod", &old_log, "45")])
    );
    let now = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeLogBackupPolicy",
        &[("DBClusterId", &c)],
    )
    .await;
    assert_eq!(log(&now), "45");
    revert(&app, &oper, &done).await;
    let back = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeLogBackupPolicy",
        &[("DBClusterId", &c)],
    )
    .await;
    assert_eq!(log(&back), old_log);
}

/// The tags of a cluster, read as `cookie`.
async fn tags(app: &TestApp, cookie: &str, cluster: &str) -> BTreeMap<String, String> {
    let v = api(
        app,
        cookie,
        "cn-hangzhou",
        "ListTagResources",
        &[("ResourceType", "cluster"), ("ResourceId.1", cluster)],
    )
    .await;
    v["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["TagKey"].as_str().unwrap().to_string(),
                t["TagValue"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_tag_change_shows_each_clusters_tags_and_a_revert_restores_them() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let oper = app.user_with_role("oper", "operator").await;
    let (staging, analytics) = (cluster_id("orders-staging"), cluster_id("analytics"));
    let staging_tags = tags(&app, &admin, &staging).await;
    let analytics_tags = tags(&app, &admin, &analytics).await;
    assert_eq!(staging_tags.get("env").map(String::as_str), Some("staging"));
    assert_eq!(analytics_tags.get("env").map(String::as_str), Some("prod"));
    assert!(!staging_tags.contains_key("owner") && !analytics_tags.contains_key("owner"));

    // One request to two clusters: env changes (from a different value on each), owner is
    // new on both.
    let done = run(
        &app,
        &oper,
        "cn-hangzhou",
        "TagResources",
        json!([
            ["ResourceType", "cluster"],
            ["ResourceId.1", staging],
            ["ResourceId.2", analytics],
            ["Tag.1.Key", "env"],
            ["Tag.1.Value", "qa"],
            ["Tag.2.Key", "owner"],
            ["Tag.2.Value", "alice"]
        ]),
    )
    .await;
    assert_eq!(
        preview(&done["steps"][0]),
        BTreeMap::from([
            pair(&format!("{analytics}: tag env"), "prod", "qa"),
            pair(&format!("{analytics}: tag owner"), "(none)", "alice"),
            pair(&format!("{staging}: tag env"), "staging", "qa"),
            pair(&format!("{staging}: tag owner"), "(none)", "alice"),
        ]),
        "{done}"
    );
    assert_eq!(tags(&app, &admin, &staging).await["owner"], "alice");
    assert_eq!(tags(&app, &admin, &analytics).await["env"], "qa");

    // The way back: owner taken away from both at once, env given back to each its own.
    let r = revert(&app, &oper, &done).await;
    let actions: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["UntagResources", "TagResources", "TagResources"],
        "{r}"
    );
    assert_eq!(tags(&app, &admin, &staging).await, staging_tags);
    assert_eq!(tags(&app, &admin, &analytics).await, analytics_tags);

    // A key taken away comes back with its value; one the cluster did not have is not shown.
    let done = run(
        &app,
        &oper,
        "cn-hangzhou",
        "UntagResources",
        json!([
            ["ResourceType", "cluster"],
            ["ResourceId.1", staging],
            ["TagKey.1", "team"],
            ["TagKey.2", "nonexistent"]
        ]),
    )
    .await;
    assert_eq!(
        preview(&done["steps"][0]),
        BTreeMap::from([pair("tag team", "orders", "(none)")]),
        "{done}"
    );
    assert!(!tags(&app, &admin, &staging).await.contains_key("team"));
    let r = revert(&app, &oper, &done).await;
    assert_eq!(r["steps"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(tags(&app, &admin, &staging).await, staging_tags);
}

/// Asks for a change at a time two days ahead and returns its page: beyond the API's own
/// 24 hours, so the console's scheduler holds even a class change (within them it would be
/// sent at once with its PlannedStartTime, and the runner could take it before the page is read).
async fn asked_for_later(app: &TestApp, cookie: &str, action: &str, params: Value) -> Value {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 2 * 86400;
    let (status, body) = json_fn(
        app,
        cookie,
        "request_change",
        json!({"ask": {
            "title": format!("{action} (test)"), "reason": "preview only",
            "account": "sandbox", "region": "cn-hangzhou", "action": action, "params": params,
            "schedule": "at", "run_at": polardb::rules::api_minute(at),
        }}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, d) = json_fn(app, cookie, "change", json!({"id": body["id"]})).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["state"], "scheduled", "{d}");
    d
}

#[tokio::test]
async fn a_class_change_and_endpoint_changes_show_what_they_change() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let c = cluster_id("orders-prod");
    let a = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeDBClusterAttribute",
        &[("DBClusterId", &c)],
    )
    .await;
    let nodes = a["DBNodes"].as_array().unwrap();
    assert!(nodes.len() >= 2, "{a}");

    // Every node takes the class (8.4): before and after per node; no way back.
    let d = asked_for_later(
        &app,
        &admin,
        "ModifyDBNodeClass",
        json!([
            ["DBClusterId", c],
            ["ModifyType", "Upgrade"],
            ["DBNodeTargetClass", "polar.pg.x8.xlarge"]
        ]),
    )
    .await;
    let want: BTreeMap<_, _> = nodes
        .iter()
        .map(|n| {
            pair(
                &format!("DBNodeClass ({})", n["DBNodeId"].as_str().unwrap()),
                n["DBNodeClass"].as_str().unwrap(),
                "polar.pg.x8.xlarge",
            )
        })
        .collect();
    assert_eq!(preview(&d["steps"][0]), want, "{d}");

    // An endpoint's mode and an address's port, as DescribeDBClusterEndpoints has them.
    let e = api(
        &app,
        &admin,
        "cn-hangzhou",
        "DescribeDBClusterEndpoints",
        &[("DBClusterId", &c)],
    )
    .await;
    let endpoint = &e["Items"][0];
    let id = endpoint["DBEndpointId"].as_str().unwrap();
    let mode = endpoint["ReadWriteMode"].as_str().unwrap();
    let new_mode = if mode == "ReadOnly" {
        "ReadWrite"
    } else {
        "ReadOnly"
    };
    let d = asked_for_later(
        &app,
        &admin,
        "ModifyDBClusterEndpoint",
        json!([
            ["DBClusterId", c],
            ["DBEndpointId", id],
            ["ReadWriteMode", new_mode]
        ]),
    )
    .await;
    assert_eq!(
        preview(&d["steps"][0]),
        BTreeMap::from([pair("ReadWriteMode", mode, new_mode)]),
        "{d}"
    );
    let address = &endpoint["AddressItems"][0];
    let (net, port) = (
        address["NetType"].as_str().unwrap(),
        address["Port"].as_str().unwrap(),
    );
    let d = asked_for_later(
        &app,
        &admin,
        "ModifyDBEndpointAddress",
        json!([
            ["DBClusterId", c],
            ["DBEndpointId", id],
            ["NetType", net],
            ["Port", "3999"]
        ]),
    )
    .await;
    assert_eq!(
        preview(&d["steps"][0]),
        BTreeMap::from([pair("Port", port, "3999")]),
        "{d}"
    );
    assert_ne!(port, "3999");
}
