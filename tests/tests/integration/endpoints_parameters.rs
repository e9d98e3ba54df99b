//! The endpoints and parameters pages by role: an administrator gets the change buttons, a
//! Viewer gets none, and a Viewer's hand-made POST to one of their changes is refused (403)
//! and recorded as denied.

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

#[tokio::test]
async fn a_viewer_sees_no_endpoint_or_parameter_changes_and_a_hand_made_post_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let viewer = app.user_with_role("vic", "viewer").await;
    let cluster = emulator::state::default_seed().clusters[1].clone();
    let query = format!("?account=sandbox&region={}", cluster.region_id);

    let endpoints = format!("/clusters/{}/endpoints{query}", cluster.id);
    let admin_html = page(&app, &admin, &endpoints).await;
    let viewer_html = page(&app, &viewer, &endpoints).await;
    assert!(has(&admin_html, "endpoint-list"));
    assert!(
        has(&viewer_html, "endpoint-list"),
        "the viewer sees the endpoints"
    );
    for button in [
        "create-endpoint",
        "edit-endpoint",
        "add-public-address",
        "edit-address",
    ] {
        assert!(has(&admin_html, button), "the administrator has {button}");
        assert!(!has(&viewer_html, button), "the viewer has {button}");
    }
    assert!(!has(&viewer_html, "delete-endpoint"));
    assert!(!has(&viewer_html, "release-address"));

    let parameters = format!("/clusters/{}/parameters{query}", cluster.id);
    let admin_html = page(&app, &admin, &parameters).await;
    let viewer_html = page(&app, &viewer, &parameters).await;
    assert!(has(&admin_html, "params-table"));
    assert!(
        has(&viewer_html, "params-table"),
        "the viewer sees the parameters"
    );
    for control in ["param-input", "params-summary"] {
        assert!(has(&admin_html, control), "the administrator has {control}");
        assert!(!has(&viewer_html, control), "the viewer has {control}");
    }

    // A hand-made change from the viewer: refused by the server, recorded as denied.
    let res = app
        .call_form(
            &viewer,
            "create_public_address",
            &[
                ("account", "sandbox"),
                ("region", cluster.region_id.as_str()),
                ("cluster", cluster.id.as_str()),
                ("endpoint", "pe-madebyhand0"),
                ("prefix", "viewer-made"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'CreateDBEndpointAddress' AND outcome = 'denied' AND actor_name = 'vic'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);
}
