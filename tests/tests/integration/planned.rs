//! Planned execution (#17.2): a node class upgrade and new read-only nodes can be planned
//! in a window (PlannedStartTime/PlannedEndTime, UTC, within 24 hours, at least 30
//! minutes); the planned task waits in DescribeScheduleTasks, changes nothing before its
//! time, and is cancelled from the tasks page's server function. A window the reference
//! does not allow is refused (400, naming the parameter) before anything is sent.

use serde_json::{json, Value};
use tests::TestApp;

/// A date-time field's value `mins` minutes from now (UTC, on the minute).
fn field_in(mins: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    polardb::rules::api_minute((now / 60 + mins) * 60)
        .trim_end_matches('Z')
        .to_string()
}

async fn api(
    app: &TestApp,
    cookie: &str,
    region: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Value {
    let params: Vec<[&str; 2]> = params.iter().map(|(k, v)| [*k, *v]).collect();
    let res = app
        .call_json(
            cookie,
            "call_api",
            json!({"account": "sandbox", "region": region, "action": action, "params": params}),
        )
        .await;
    assert_eq!(res.status(), 200, "{action}");
    let body: Value = res.json().await.unwrap();
    serde_json::from_str(body["json"].as_str().unwrap()).unwrap()
}

async fn tasks(app: &TestApp, cookie: &str, region: &str, cluster: &str) -> Vec<Value> {
    api(
        app,
        cookie,
        region,
        "DescribeScheduleTasks",
        &[("DBClusterId", cluster)],
    )
    .await["Data"]["TimerInfos"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_planned_change_waits_as_a_task_until_cancelled() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let seed = emulator::state::default_seed();
    let c = seed
        .clusters
        .iter()
        .find(|c| c.status == "Running")
        .expect("a running cluster")
        .clone();
    let (region, id) = (c.region_id.clone(), c.id.clone());
    let class = c.nodes[0].class.clone();
    let rank = emulator::catalog::class_rank(&class).unwrap();
    let bigger = emulator::catalog::NODE_CLASSES[rank + 1].name.to_string();
    let smaller = emulator::catalog::NODE_CLASSES[rank.saturating_sub(1)]
        .name
        .to_string();
    let change = |class: String, kind: &'static str, start: String, end: String| {
        let (app, admin, region, id) = (&app, admin.clone(), region.clone(), id.clone());
        async move {
            let res = app
                .call_form(
                    &admin,
                    "change_node_class",
                    &[
                        ("account", "sandbox"),
                        ("region", &region),
                        ("cluster", &id),
                        ("class", &class),
                        ("modify_type", kind),
                        ("planned[start]", &start),
                        ("planned[end]", &end),
                    ],
                )
                .await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    // Windows the reference does not allow: nothing is sent.
    for (start, end, field) in [
        (field_in(60 * 25), String::new(), "PlannedStartTime"),
        (field_in(-10), String::new(), "PlannedStartTime"),
        (String::new(), field_in(90), "PlannedStartTime"),
        (field_in(60), field_in(80), "PlannedEndTime"),
        ("tomorrow".to_string(), String::new(), "PlannedStartTime"),
    ] {
        let (status, body) = change(bigger.clone(), "Upgrade", start.clone(), end.clone()).await;
        assert_eq!(status, 400, "{start} {end}: {body}");
        assert!(body.contains(field), "{start} {end}: {body}");
    }
    let (status, body) = change(smaller.clone(), "Downgrade", field_in(60), String::new()).await;
    assert_eq!(status, 400, "a downgrade is not planned: {body}");
    assert!(tasks(&app, &admin, &region, &id).await.is_empty());

    // An upgrade an hour from now: a pending task, and the nodes unchanged.
    let start = field_in(60);
    let (status, body) = change(bigger.clone(), "Upgrade", start.clone(), String::new()).await;
    assert_eq!(status, 200, "{body}");
    let list = tasks(&app, &admin, &region, &id).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let task = &list[0];
    assert_eq!(task["Action"], "ModifyDBNodeClass");
    assert_eq!(task["Status"], "pending");
    assert!(
        task["PlannedStartTime"]
            .as_str()
            .unwrap()
            .starts_with(&start),
        "{task} from {start}"
    );
    let attr = api(
        &app,
        &admin,
        &region,
        "DescribeDBClusterAttribute",
        &[("DBClusterId", &id)],
    )
    .await;
    assert_eq!(
        attr["DBNodes"][0]["DBNodeClass"],
        class.as_str(),
        "not before its time"
    );

    // Cancelled through the tasks page's function: nothing is pending any more.
    let task_id = task["TaskId"].as_str().unwrap().to_string();
    let res = app
        .call_form(
            &admin,
            "cancel_schedule_task",
            &[
                ("account", "sandbox"),
                ("region", &region),
                ("cluster", &id),
                ("task_id", &task_id),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let list = tasks(&app, &admin, &region, &id).await;
    assert!(list.iter().all(|t| t["Status"] != "pending"), "{list:?}");

    // New read-only nodes, planned with a window of an hour.
    let res = app
        .call_form(
            &admin,
            "add_read_nodes",
            &[
                ("account", "sandbox"),
                ("region", &region),
                ("cluster", &id),
                ("nodes[count]", "1"),
                ("nodes[class]", &class),
                ("nodes[zone]", ""),
                ("planned[start]", &field_in(120)),
                ("planned[end]", &field_in(180)),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let list = tasks(&app, &admin, &region, &id).await;
    assert!(
        list.iter()
            .any(|t| t["Action"] == "CreateDBNodes" && t["Status"] == "pending"),
        "{list:?}"
    );
}
