//! `/metrics`: Prometheus text with request, upstream, audit, session and pool figures,
//! behind a bearer token when one is set, and nothing about users, keys or clusters.

use tests::{TestApp, EMU_SECRET};

const TOKEN: &str = "metrics-token-for-the-test-0123456789";

#[tokio::test]
async fn metrics_count_requests_calls_and_audit_writes_without_naming_anyone() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_METRICS_TOKEN", TOKEN)],
        "127.0.0.1:0",
    )
    .await;
    let get = |auth: Option<&str>| {
        let mut r = app.http.get(format!("{}/metrics", app.base));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 401);
    assert_eq!(get(Some("Bearer wrong")).await.unwrap().status(), 401);

    let cookie = app.sign_in_admin().await;
    let page = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let listed: serde_json::Value = app
        .call_json(
            &cookie,
            "call_api",
            serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                "action": "DescribeDBClusters", "params": []}),
        )
        .await
        .json()
        .await
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(listed["json"].as_str().unwrap()).unwrap();
    let cluster = listed["Items"]["DBCluster"][0]["DBClusterId"]
        .as_str()
        .unwrap()
        .to_string();
    // A call the API refuses (a cluster that is there, a performance key that is not).
    let refused = app
        .call_json(
            &cookie,
            "call_api",
            serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                "action": "DescribeDBClusterPerformance", "params": [
                    ["DBClusterId", cluster], ["Key", "NoSuchKey"],
                    ["StartTime", "2026-11-01T00:00Z"], ["EndTime", "2026-11-01T01:00Z"]]}),
        )
        .await;
    assert!(!refused.status().is_success());

    let res = get(Some(&format!("Bearer {TOKEN}"))).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    let has = |needle: &str| assert!(text.contains(needle), "missing {needle} in\n{text}");
    // Requests by route template (a page, a server function), not by raw path.
    has("polar_http_requests_total{route=\"/clusters\",method=\"GET\",status=\"2xx\"} 1");
    has("polar_http_requests_total{route=\"/api/call_api\",method=\"POST\",status=\"2xx\"}");
    has("polar_http_request_duration_seconds_bucket{route=\"/clusters\",le=\"+Inf\"} 1");
    // Upstream calls by action, outcome and error code.
    has("polar_upstream_calls_total{action=\"DescribeDBClusters\",outcome=\"ok\",code=\"\"} 1");
    has("polar_upstream_calls_total{action=\"DescribeDBClusterPerformance\",outcome=\"error\",code=\"InvalidKey.Malformed\"} 1");
    has("polar_upstream_call_duration_seconds_count{action=\"DescribeDBClusters\"} 1");
    // Audit writes (the sign-in and the two calls at least), sessions, the pool.
    let audited: u64 = text
        .lines()
        .filter(|l| l.starts_with("polar_audit_writes_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(audited >= 3, "{audited} audit writes counted");
    has("polar_sessions 1");
    has("polar_db_pool_connections{state=\"idle\"}");
    has("polar_db_pool_max_connections 10");
    // Nothing personal or secret.
    let session_id = cookie.split('=').nth(1).unwrap();
    for leak in [
        "admin",
        EMU_SECRET,
        session_id,
        &cluster,
        &app.admin_password,
        "LTAI",
    ] {
        assert!(!text.contains(leak), "/metrics mentions {leak}");
    }
}
