//! Who a request is and what they may do: proxy headers, sessions, CSRF, roles, limits.

use backend::access::{builtin_policy, Policy, Resource};
use polardb::models::ACTIONS;
use tests::{cookie_of, TestApp};

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn proxy_headers_count_only_from_trusted_peers() {
    let seed = emulator::state::default_seed();
    // The proxy is elsewhere: headers from 127.0.0.1 are ignored.
    let app = TestApp::spawn_custom(
        seed.clone(),
        &[("POLAR_TRUSTED_PROXIES", "10.0.0.0/8")],
        "127.0.0.1:0",
    )
    .await;
    let res = get(&app, "/clusters", &[("x-forwarded-user", "alice")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin");

    // The proxy is this host: the headers sign in, groups map to roles.
    let app = TestApp::spawn_custom(
        seed.clone(),
        &[
            ("POLAR_TRUSTED_PROXIES", "127.0.0.1"),
            ("POLAR_PROXY_GROUP_ROLES", "dba=admin,sre=operator"),
        ],
        "127.0.0.1:0",
    )
    .await;
    let res = get(
        &app,
        "/clusters",
        &[
            ("x-forwarded-user", "alice"),
            ("x-forwarded-groups", "sre,dev"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("alice") && html.contains("operator"),
        "alice signed in as operator"
    );
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE username = 'alice'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(role, "operator");
    // Authelia's names work too.
    let res = get(
        &app,
        "/clusters",
        &[("remote-user", "bob"), ("remote-name", "Bob Builder")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Bob Builder"));
    // The identity header twice: 400.
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("x-forwarded-user", "alice")
        .header("x-forwarded-user", "mallory")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn an_ipv6_neighbour_of_a_trusted_address_is_not_trusted() {
    let seed = emulator::state::default_seed();
    let app =
        TestApp::spawn_custom(seed.clone(), &[("POLAR_TRUSTED_PROXIES", "::2")], "[::1]:0").await;
    let res = get(&app, "/clusters", &[("x-forwarded-user", "alice")]).await;
    assert_eq!(res.status(), 303, "::1 is not ::2");
    let app = TestApp::spawn_custom(seed, &[("POLAR_TRUSTED_PROXIES", "::1")], "[::1]:0").await;
    let res = get(&app, "/clusters", &[("x-forwarded-user", "alice")]).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_changed_header_identity_replaces_the_session() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_TRUSTED_PROXIES", "127.0.0.1")],
        "127.0.0.1:0",
    )
    .await;
    let res = get(&app, "/clusters", &[("x-forwarded-user", "alice")]).await;
    let alice_cookie = cookie_of(&res).expect("a session for alice");
    let res = get(
        &app,
        "/clusters",
        &[("cookie", &alice_cookie), ("x-forwarded-user", "carol")],
    )
    .await;
    let carol_cookie = cookie_of(&res).expect("a new session for carol");
    assert_ne!(alice_cookie, carol_cookie);
    assert!(res.text().await.unwrap().contains("carol"));
    // Alice's old session id is gone.
    let res = get(&app, "/clusters", &[("cookie", &alice_cookie)]).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn the_session_id_is_cycled_at_sign_in() {
    let app = TestApp::spawn().await;
    let first = app.sign_in_admin().await;
    let res = app
        .http
        .post(format!("{}{}", app.base, app.sign_in_action().await))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .header("cookie", &first)
        .form(&[
            ("username", "admin"),
            ("password", app.admin_password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let second = cookie_of(&res).expect("a new cookie");
    assert_ne!(first, second);
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &first)]).await.status(),
        303
    );
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &second)])
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let dave = app.user_with_role("dave", "viewer").await;
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &dave)]).await.status(),
        200
    );
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'dave'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .call_form(
            &admin,
            "set_user_disabled",
            &[("id", &id.to_string()), ("disabled", "true")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &dave)]).await.status(),
        303
    );
    // A viewer cannot do it.
    let erin = app.user_with_role("erin", "viewer").await;
    let res = app
        .call_form(
            &erin,
            "set_user_disabled",
            &[("id", &id.to_string()), ("disabled", "false")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn every_server_function_refuses_cross_origin_posts_and_none_is_get() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_admin().await;
    let paths = server::server_fn_paths();
    assert!(paths.len() >= 10, "{paths:?}");
    for (path, method) in &paths {
        assert_eq!(method, &axum_method_post(), "{path} must be POST-only");
        for origin in ["https://evil.example", "null"] {
            let res = app
                .http
                .post(format!("{}{path}", app.base))
                .header("cookie", &cookie)
                .header("origin", origin)
                .body("")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "{path} from {origin}");
        }
        // No Origin and a cross-site fetch: refused as well.
        let res = app
            .http
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path} cross-site");
        // GET is not routed to a server function.
        let res = app
            .http
            .get(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), 200, "{path} answered a GET");
    }
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'CsrfRefused'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(refused as usize, paths.len() * 3);
}

fn axum_method_post() -> reqwest::Method {
    reqwest::Method::POST
}

#[tokio::test]
async fn eleven_wrong_passwords_get_429() {
    let app = TestApp::spawn().await;
    for i in 1..=10 {
        let res = app.post_sign_in("admin", "wrong-password").await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    let res = app.post_sign_in("admin", "wrong-password").await;
    assert_eq!(res.status(), 429);
    // Even the right password waits now.
    let res = app.post_sign_in("admin", &app.admin_password.clone()).await;
    assert_eq!(res.status(), 429);
}

/// The first node of the first cluster in `region`, read through the console as `cookie`.
async fn first_node(app: &TestApp, cookie: &str, region: &str) -> String {
    let res = app
        .call_json(
            cookie,
            "call_api",
            serde_json::json!({"account": "sandbox", "region": region, "action": "DescribeDBClusters", "params": []}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let answer: serde_json::Value = res.json().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(answer["json"].as_str().unwrap()).unwrap();
    body["Items"]["DBCluster"][0]["DBNodes"]["DBNode"][0]["DBNodeId"]
        .as_str()
        .expect("a node in the region")
        .to_string()
}

const CUSTOM_POLICY: &str = r#"{"Statement":[
    {"Effect":"Allow","Action":["polardb:*"],"Resource":["*"]},
    {"Effect":"Deny","Action":["polardb:Delete*","polardb:ModifyDBClusterAccessWhitelist"],"Resource":["*"]}
]}"#;

#[tokio::test]
async fn every_action_for_every_role_matches_the_policy() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let res = app
        .call_form(
            &admin,
            "save_role",
            &[
                ("name", "no-deletes"),
                ("description", "test"),
                ("policy", CUSTOM_POLICY),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let custom: Policy = serde_json::from_str(CUSTOM_POLICY).unwrap();
    let cases = [
        ("viewer", builtin_policy("viewer").unwrap()),
        ("operator", builtin_policy("operator").unwrap()),
        ("admin", builtin_policy("admin").unwrap()),
        ("no-deletes", custom),
    ];
    // A cluster id the emulator does not know: every allowed call reaches the API and is
    // answered at once (NotFound or a missing parameter), and nothing changes state.
    let region = "cn-hangzhou".to_string();
    let cluster_id = "pc-matrix0000000000".to_string();
    let resource = Resource {
        account: "sandbox".into(),
        region: region.clone(),
        cluster: Some(cluster_id.clone()),
    };
    let all: Vec<String> = ACTIONS
        .iter()
        .map(|a| format!("polardb:{}", a.name))
        .collect();
    // A real node of the region: node-addressed calls are decided on the node's cluster,
    // which the gateway reads from the API.
    let node = first_node(&app, &admin, &region).await;
    // A real pending maintenance event of the region: an event is decided on its cluster,
    // which the gateway reads from the API too.
    let res = app
        .call_json(
            &admin,
            "call_api",
            serde_json::json!({"account": "sandbox", "region": region,
                "action": "DescribePendingMaintenanceAction",
                "params": [["Region", region], ["TaskType", "all"]]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let answer: serde_json::Value = res.json().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(answer["json"].as_str().unwrap()).unwrap();
    let event = body["Items"][0]["Id"]
        .as_i64()
        .expect("a pending event in the region")
        .to_string();
    // Each action as a valid canonical request (its typed skeleton, ids filled in), so
    // that the answer is the decision's, not a refusal of the parameters.
    let params_of = |action: &str| -> Vec<(String, String)> {
        polardb::models::skeleton_params(action)
            .into_iter()
            .filter(|(k, _)| k != "RegionId")
            .map(|(k, v)| {
                let v = match k.as_str() {
                    "DBClusterId" | "DBClusterIds" => cluster_id.clone(),
                    "DBNodeId" => node.clone(),
                    "DBEndpointId" => "pe-matrix0".into(),
                    "AccountName" => "matrixuser".into(),
                    "DBName" => "matrixdb".into(),
                    "BackupId" => "1".into(),
                    "TaskId" => "matrix-task".into(),
                    "Ids" => event.clone(),
                    "Region" => region.clone(),
                    // Times in the API's form; a switch time in the past, which the API
                    // refuses, so that an allowed call changes nothing.
                    "SwitchTime" => "2000-01-01T00:00:00Z".into(),
                    "StartTime" | "PlannedStartTime" => "2026-01-01T00:00Z".into(),
                    "EndTime" | "PlannedEndTime" => "2026-01-02T00:00Z".into(),
                    _ => v,
                };
                (k, v)
            })
            .collect()
    };
    for (role, policy) in &cases {
        let cookie = app.user_with_role(&format!("u-{role}"), role).await;
        // What the page shows: the permissions it asks for.
        let res = app
            .call_json(
                &cookie,
                "permissions",
                serde_json::json!({"account": "sandbox", "region": region, "cluster": cluster_id, "actions": all}),
            )
            .await;
        assert_eq!(res.status(), 200);
        let shown: Vec<String> = res.json().await.unwrap();
        for a in ACTIONS {
            let name = format!("polardb:{}", a.name);
            let expected = policy.decide(&name, &resource).is_allowed();
            assert_eq!(shown.contains(&name), expected, "{role} sees {name}");
            // What the server does.
            let res = app
                .call_json(
                    &cookie,
                    "call_api",
                    serde_json::json!({
                        "account": "sandbox",
                        "region": region,
                        "action": a.name,
                        "params": params_of(a.name),
                    }),
                )
                .await;
            let status = res.status();
            let body = res.text().await.unwrap();
            let forbidden = status == 403 && body.contains("Forbidden");
            assert_eq!(
                !forbidden, expected,
                "{role} calling {}: {status} {body}",
                a.name
            );
        }
    }
}

#[tokio::test]
async fn an_administrator_can_end_a_users_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let frank = app.user_with_role("frank", "operator").await;
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &frank)]).await.status(),
        200
    );
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'frank'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .call_form(&admin, "end_user_sessions", &[("id", &id.to_string())])
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &frank)]).await.status(),
        303
    );
    // Signing in again works, and the users page shows when.
    let again = app.sign_in_as("frank", "frank-password-123").await;
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &again)]).await.status(),
        200
    );
    let html = get(&app, "/settings/users", &[("cookie", &admin)])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("frank") && html.contains("UTC"));
}

#[tokio::test]
async fn a_user_changes_their_password() {
    let app = TestApp::spawn().await;
    let gina = app.user_with_role("gina", "viewer").await;
    let other = app.sign_in_as("gina", "gina-password-123").await;
    let bad = app
        .call_form(
            &gina,
            "change_password",
            &[
                ("current_password", "nope"),
                ("new_password", "a-new-long-password"),
                ("confirm_password", "a-new-long-password"),
            ],
        )
        .await;
    assert!(bad.text().await.unwrap().contains("current_password"));
    let short = app
        .call_form(
            &gina,
            "change_password",
            &[
                ("current_password", "gina-password-123"),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert!(short.text().await.unwrap().contains("new_password"));
    let ok = app
        .call_form(
            &gina,
            "change_password",
            &[
                ("current_password", "gina-password-123"),
                ("new_password", "a-new-long-password"),
                ("confirm_password", "a-new-long-password"),
            ],
        )
        .await;
    assert!(ok.status().is_success());
    // The other session has ended; the new password signs in, the old one does not.
    assert_eq!(
        get(&app, "/clusters", &[("cookie", &other)]).await.status(),
        303
    );
    assert_eq!(
        app.post_sign_in("gina", "gina-password-123").await.status(),
        401
    );
    app.sign_in_as("gina", "a-new-long-password").await;
}

#[tokio::test]
async fn a_hand_made_post_from_a_viewer_to_a_page_action_is_refused_and_audited() {
    let app = TestApp::spawn().await;
    let viewer = app.user_with_role("vera", "viewer").await;
    let cluster = emulator::state::default_seed().clusters[1].clone();
    let res = app
        .call_form(
            &viewer,
            "modify_cluster_description",
            &[
                ("account", "sandbox"),
                ("region", cluster.region_id.as_str()),
                ("cluster", cluster.id.as_str()),
                ("description", "renamed-by-viewer"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'ModifyDBClusterDescription' AND outcome = 'denied' AND actor_name = 'vera'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);
}
