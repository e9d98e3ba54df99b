//! The cluster list's server-side filters, order and pages, and the overview by role: an
//! administrator gets the change buttons (failover, primary zone, renewal, …) and the
//! "Create cluster" button, a Viewer none; a Viewer's hand-made failover is refused (403)
//! and recorded as denied.

use serde_json::json;
use tests::TestApp;

async fn page(app: &TestApp, cookie: &str, path: &str) -> String {
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

fn has(html: &str, testid: &str) -> bool {
    html.contains(&format!("data-testid=\"{testid}\""))
}

async fn search(app: &TestApp, cookie: &str, filter: serde_json::Value) -> serde_json::Value {
    let mut full = json!({
        "account": "", "region": "", "status": "", "version": "", "pay_type": "",
        "tag_key": "", "tag_value": "", "q": "", "sort": "", "dir": "", "page": 0, "per": 0
    });
    for (k, v) in filter.as_object().unwrap() {
        full[k] = v.clone();
    }
    let res = app
        .call_json(cookie, "search_clusters", json!({ "filter": full }))
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn ids(list: &serde_json::Value) -> Vec<String> {
    list["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_on_the_server() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;

    let all = search(&app, &admin, json!({})).await;
    assert_eq!(all["total"], 8);

    let v11 = search(&app, &admin, json!({ "version": "11", "sort": "id" })).await;
    let mut names = ids(&v11);
    names.sort();
    assert_eq!(names, ["analytics", "crm"]);

    let prod = search(
        &app,
        &admin,
        json!({ "tag_key": "env", "tag_value": "prod" }),
    )
    .await;
    assert_eq!(prod["total"], 5);
    let any_env = search(&app, &admin, json!({ "tag_key": "env" })).await;
    assert_eq!(any_env["total"], 7);
    let team = search(
        &app,
        &admin,
        json!({ "tag_key": "team", "tag_value": "orders", "pay_type": "Postpaid" }),
    )
    .await;
    assert_eq!(ids(&team), ["orders-staging"]);

    let text = search(&app, &admin, json!({ "q": "PAYMENTS" })).await;
    assert_eq!(text["total"], 2);

    // Sorted by creation time, newest first, three a page: page 3 has the last two.
    let p1 = search(
        &app,
        &admin,
        json!({ "sort": "created", "dir": "desc", "per": 3 }),
    )
    .await;
    let p3 = search(
        &app,
        &admin,
        json!({ "sort": "created", "dir": "desc", "per": 3, "page": 3 }),
    )
    .await;
    assert_eq!(p1["clusters"].as_array().unwrap().len(), 3);
    assert_eq!(p3["clusters"].as_array().unwrap().len(), 2);
    assert_eq!(p3["page"], 3);
    let created: Vec<String> = p1["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["created"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = created.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);

    // A wrong sort key is refused, naming the parameter.
    let res = app
        .call_json(
            &admin,
            "search_clusters",
            json!({ "filter": {
                "account": "", "region": "", "status": "", "version": "", "pay_type": "",
                "tag_key": "", "tag_value": "", "q": "", "sort": "colour", "dir": "", "page": 0, "per": 0
            }}),
        )
        .await;
    assert_ne!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("sort"));

    // The page renders the filter from the address.
    let html = page(&app, &admin, "/clusters?status=Running&version=11").await;
    assert!(html.contains("2 clusters"), "the filtered count");
    assert!(html.contains("analytics") && !html.contains("orders-prod"));
}

#[tokio::test]
async fn a_viewer_sees_no_overview_changes_and_a_hand_made_failover_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let viewer = app.user_with_role("vera", "viewer").await;
    // orders-prod: a subscription cluster with a reader.
    let cluster = emulator::state::default_seed().clusters[0].clone();
    let reader = cluster
        .nodes
        .iter()
        .find(|n| n.role == "Reader")
        .unwrap()
        .id
        .clone();
    let path = format!(
        "/clusters/{}?account=sandbox&region={}",
        cluster.id, cluster.region_id
    );
    let admin_html = page(&app, &admin, &path).await;
    let viewer_html = page(&app, &viewer, &path).await;
    assert!(has(&admin_html, "cluster-overview"));
    assert!(has(&viewer_html, "cluster-overview"), "the viewer sees it");
    assert!(has(&viewer_html, "field-primary-zone"));
    for button in [
        "edit-description",
        "edit-maintain-time",
        "toggle-protection",
        "failover-form",
        "change-zone",
        "edit-renewal",
    ] {
        assert!(has(&admin_html, button), "the administrator has {button}");
        assert!(!has(&viewer_html, button), "the viewer has {button}");
    }
    assert!(!has(&viewer_html, "delete-cluster"));
    // Every field the overview claims (#17.6): the SQL collection's size and each node's
    // connection and IOPS limits, as DescribeDBClusterAttribute gives them.
    let res = app
        .call_json(
            &admin,
            "call_api",
            json!({"account": "sandbox", "region": cluster.region_id, "action": "DescribeDBClusterAttribute",
                   "params": [["DBClusterId", cluster.id]]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    let attr: serde_json::Value = serde_json::from_str(body["json"].as_str().unwrap()).unwrap();
    assert!(has(&viewer_html, "field-sql-size"));
    let grouped = |n: i64| {
        let d = n.to_string();
        d.chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let sep = (i > 0 && (d.len() - i).is_multiple_of(3)).then_some(',');
                sep.into_iter().chain([c])
            })
            .collect::<String>()
    };
    let nodes = attr["DBNodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    for n in nodes {
        let (id, conns, iops) = (
            n["DBNodeId"].as_str().unwrap(),
            n["MaxConnections"].as_i64().unwrap(),
            n["MaxIOPS"].as_i64().unwrap(),
        );
        assert!(conns > 0 && iops > 0, "{n}");
        let row = viewer_html
            .split(&format!("<tr data-node=\"{id}\""))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("the overview lists node {id}"));
        assert!(row.contains(&grouped(conns)), "{id}: {conns} in {row}");
        assert!(row.contains(&grouped(iops)), "{id}: {iops} in {row}");
    }

    let admin_list = page(&app, &admin, "/clusters").await;
    let viewer_list = page(&app, &viewer, "/clusters").await;
    assert!(has(&admin_list, "create-cluster"));
    assert!(!has(&viewer_list, "create-cluster"));

    let res = app
        .call_form(
            &viewer,
            "failover_cluster",
            &[
                ("account", "sandbox"),
                ("region", cluster.region_id.as_str()),
                ("cluster", cluster.id.as_str()),
                ("target", reader.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'FailoverDBCluster' AND outcome = 'denied' AND actor_name = 'vera'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);
}
