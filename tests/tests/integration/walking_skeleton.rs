//! The console against a real PostgreSQL and the emulator over HTTP.

use tests::{cookie_of, TestApp, EMU_SECRET};

#[tokio::test]
async fn pages_need_sign_in() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin");
    let res = app
        .http
        .get(format!("{}/signin", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn wrong_password_is_refused_and_sets_no_session() {
    let app = TestApp::spawn().await;
    let res = app.post_sign_in("admin", "not-the-password").await;
    assert_eq!(res.status(), 401);
    let res = app.post_sign_in("nobody", "whatever-password").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn session_cookie_has_the_safe_attributes() {
    let app = TestApp::spawn().await;
    let res = app.post_sign_in("admin", &app.admin_password.clone()).await;
    assert_eq!(res.status(), 302);
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    // The session, and the device cookie that paces this browser's sign-ins on its own.
    for name in ["__Host-polar_session=", "__Host-polar_device="] {
        let set_cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
        for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(set_cookie.contains(attr), "missing {attr}: {set_cookie}");
        }
        assert!(!set_cookie.contains("Domain="), "{set_cookie}");
    }
}

#[tokio::test]
async fn clusters_page_lists_every_region_server_rendered() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_admin().await;
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let seed = emulator::state::default_seed();
    assert!(seed.clusters.len() >= 8);
    for c in &seed.clusters {
        assert!(html.contains(&c.id), "{} missing from /clusters", c.id);
        assert!(html.contains(&c.description));
    }
    let regions: std::collections::BTreeSet<_> =
        seed.clusters.iter().map(|c| c.region_id.as_str()).collect();
    assert!(regions.len() >= 4);
    assert!(html.contains("Pay-as-you-go") && html.contains("Subscription"));
    assert!(html.contains(&format!("{} clusters", seed.clusters.len())));
    // The user and the cloud account appear in the shell; the secret never does.
    assert!(html.contains("Administrator"));
    assert!(html.contains("sandbox"));
    assert!(!html.contains(EMU_SECRET));
}

#[tokio::test]
async fn region_filter_narrows_the_list() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_admin().await;
    let html = app
        .http
        .get(format!("{}/clusters?region=cn-shanghai", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let seed = emulator::state::default_seed();
    for c in &seed.clusters {
        assert_eq!(
            html.contains(&c.id),
            c.region_id == "cn-shanghai",
            "{} in {}",
            c.id,
            c.region_id
        );
    }
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_admin().await;
    let html = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("action=\"/api/sign_out").expect("sign-out form") + 8;
    let action = &html[start..start + html[start..].find('"').unwrap()];
    let res = app
        .http
        .post(format!("{}{action}", app.base))
        .header("cookie", &cookie)
        .header("origin", &app.base)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    // The old cookie no longer opens a page.
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let _ = cookie_of(&res);
}

#[tokio::test]
async fn a_failed_region_shows_as_a_banner_while_the_rest_lists() {
    // A second cloud account whose key the emulator does not know fails as a whole.
    let app = TestApp::spawn().await;
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let keys = std::sync::Arc::new(backend::vault::MasterKeys::new(
        "k1",
        backend::vault::MasterKeys::decode_key("k", tests::MASTER_KEY).unwrap(),
    ));
    let mut conn = pool.acquire().await.unwrap();
    let vault =
        backend::vault::Vault::new(pool, keys).with_outbound(backend::outbound::OutboundPolicy {
            allow_private: true,
            own: None,
        });
    let broken = backend::vault::NewCloudAccount::parse(
        "broken",
        "LTAIunknown00000key",
        "whatever",
        "",
        "v2",
        &app.emulator,
        true,
    )
    .unwrap();
    vault.upsert(&mut conn, &broken).await.unwrap();
    let cookie = app.sign_in_admin().await;
    let html = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("region-problem"), "no banner");
    assert!(html.contains("Cloud account broken"));
    assert!(html.contains("InvalidAccessKeyId.NotFound"));
    let seed = emulator::state::default_seed();
    assert!(
        html.contains(&seed.clusters[0].id),
        "the working account's clusters still show"
    );
}

#[tokio::test]
async fn health_and_readiness_answer_without_signing_in() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ready");
}
