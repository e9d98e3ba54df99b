//! Cloud-account secrets at rest, key rotation, and who sees which audit records.

use std::sync::Arc;

use backend::vault::{MasterKeys, NewCloudAccount, Vault};
use tests::TestApp;

const K2: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

fn keys(active: &str, b64: &str) -> MasterKeys {
    MasterKeys::new(active, MasterKeys::decode_key("k", b64).unwrap())
}

#[tokio::test]
async fn rotation_leaves_every_row_readable_under_the_new_key() {
    let app = TestApp::spawn().await;
    let old = Vault::new(app.pool.clone(), Arc::new(keys("k1", tests::MASTER_KEY)));
    for i in 0..5 {
        let new = NewCloudAccount::parse(
            &format!("acct{i}"),
            "LTAIrotation000key",
            &format!("secret-{i}"),
            "",
            "v2",
            "",
            false,
        )
        .unwrap();
        let mut conn = app.pool.acquire().await.unwrap();
        old.create(&mut conn, &new).await.unwrap();
    }
    // Secrets are not stored in the clear: no column holds the plaintext bytes.
    let raw: Vec<Vec<u8>> = sqlx::query_scalar("SELECT secret_ciphertext FROM cloud_accounts")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(raw.iter().all(|c| !c.windows(8).any(|w| w == b"secret-0")));

    let both = Vault::new(
        app.pool.clone(),
        Arc::new(keys("k2", K2).with_old(
            "k1",
            MasterKeys::decode_key("k", tests::MASTER_KEY).unwrap(),
        )),
    );
    let mut conn = app.pool.acquire().await.unwrap();
    let n = both.rotate_keys(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(n, 6, "five new accounts and the sandbox");
    let only_new = Vault::new(app.pool.clone(), Arc::new(keys("k2", K2))).with_outbound(
        backend::outbound::OutboundPolicy {
            allow_private: true,
            own: None,
        },
    );
    for a in only_new.list_enabled().await.unwrap() {
        only_new
            .credentials(&a)
            .await
            .expect("readable under k2 alone");
    }
    let ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT key_id FROM cloud_accounts")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(ids, vec!["k2".to_string()]);
    // The old key alone no longer reads them.
    let only_old = Vault::new(app.pool.clone(), Arc::new(keys("k1", tests::MASTER_KEY)))
        .with_outbound(backend::outbound::OutboundPolicy {
            allow_private: true,
            own: None,
        });
    let a = only_old.list_enabled().await.unwrap().remove(0);
    assert!(only_old.credentials(&a).await.is_err());
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_row_does_not_decrypt() {
    let app = TestApp::spawn().await;
    let vault = Vault::new(app.pool.clone(), Arc::new(keys("k1", tests::MASTER_KEY)));
    for name in ["a", "b"] {
        let new = NewCloudAccount::parse(
            name,
            "LTAImoved00000key",
            &format!("secret-{name}"),
            "",
            "v2",
            "",
            false,
        )
        .unwrap();
        let mut conn = app.pool.acquire().await.unwrap();
        vault.create(&mut conn, &new).await.unwrap();
    }
    sqlx::query(
        "UPDATE cloud_accounts SET secret_ciphertext = src.secret_ciphertext, secret_nonce = src.secret_nonce
         FROM cloud_accounts src WHERE cloud_accounts.name = 'b' AND src.name = 'a'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let b = vault
        .list_enabled()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "b")
        .unwrap();
    let err = vault.credentials(&b).await.unwrap_err();
    assert!(matches!(err, backend::BackendError::Crypto), "{err:?}");
}

#[tokio::test]
async fn viewers_see_their_own_audit_records_and_admins_everyones() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let viewer = app.user_with_role("victor", "viewer").await;
    // Both load the cluster list (audited reads).
    for c in [&admin, &viewer] {
        let html = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("cookie", c)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("orders-prod"));
    }
    let page = |cookie: String| {
        let app = &app;
        async move {
            let res = app.call_form(&cookie, "search_audit", &[]).await;
            assert_eq!(res.status(), 200);
            let v: serde_json::Value = res.json().await.unwrap();
            v
        }
    };
    let mine = page(viewer.clone()).await;
    let actors: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["actor"].as_str().unwrap())
        .collect();
    assert!(!actors.is_empty());
    assert!(actors.iter().all(|a| *a == "victor"), "{actors:?}");
    assert_eq!(mine["all_users"], false);
    let all = page(admin.clone()).await;
    let actors: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["actor"].as_str().unwrap())
        .collect();
    assert!(actors.contains(&"victor") && actors.contains(&"admin"));
    // The export follows the same rule.
    let csv = app
        .http
        .get(format!("{}/audit/export?format=csv", app.base))
        .header("cookie", &viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().count() > 1);
    assert!(
        csv.lines().skip(1).all(|l| l.contains("\"victor\"")),
        "{csv}"
    );
    // Settings pages are never cached.
    let res = app
        .http
        .get(format!("{}/settings/users", app.base))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the CSP nonce"
    );
}

/// One audited read through the console as `cookie`: its status and body.
async fn describe_regions(app: &TestApp, cookie: &str) -> (u16, String) {
    let res = app
        .http
        .post(format!("{}{}", app.base, app.server_fn("call_api")))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .json(&serde_json::json!({
            "account": "sandbox", "region": "cn-hangzhou", "action": "DescribeRegions", "params": []
        }))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The cloud accounts and their secrets are kept in memory (a call reads no row of
/// `cloud_accounts`), and forgotten the moment the database announces a change, whoever
/// makes it: here a change by hand, as the owner, disables the account (#18).
#[tokio::test]
async fn cloud_accounts_are_kept_in_memory_until_the_database_says_they_changed() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    // Listening starts with the console; the first call reads the accounts.
    let mut warm = false;
    for _ in 0..50 {
        let (status, body) = describe_regions(&app, &admin).await;
        assert_eq!(status, 200, "{body}");
        if warm {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        warm = true;
    }
    let revoke = format!("REVOKE SELECT ON cloud_accounts FROM {}", tests::APP_ROLE);
    sqlx::query(&revoke).execute(&app.pool).await.unwrap();
    let (status, body) = describe_regions(&app, &admin).await;
    assert_eq!(status, 200, "served from memory, no row read: {body}");
    let grant = format!("GRANT SELECT ON cloud_accounts TO {}", tests::APP_ROLE);
    sqlx::query(&grant).execute(&app.pool).await.unwrap();
    // Disabled by hand: the trigger announces it, and calls stop.
    sqlx::query("UPDATE cloud_accounts SET enabled = false WHERE name = 'sandbox'")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut answers = Vec::new();
    for _ in 0..50 {
        let (status, _) = describe_regions(&app, &admin).await;
        answers.push(status);
        if status != 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(
        answers.last(),
        Some(&200),
        "a disabled account is refused within 5 s: {answers:?}"
    );
    assert!(
        answers.len() <= 3,
        "at once, not after a refresh: {answers:?}"
    );
}
