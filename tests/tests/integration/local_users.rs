//! Team members without SSO (#17.4): an administrator adds a local user with a role and a
//! one-time password shown once; the user signs in with it and can do nothing but choose
//! their own; a reset ends their sessions and hands over a new one-time password; a
//! deletion needs the name typed and never takes the last administrator. Each change is
//! audited, and no password reaches the trail.

use serde_json::{json, Value};
use tests::TestApp;

/// Calls a server function with form fields; the status and the body.
async fn form(app: &TestApp, cookie: &str, name: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = app.call_form(cookie, name, fields).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn read_clusters(app: &TestApp, cookie: &str) -> (u16, String) {
    let params: Vec<[&str; 2]> = vec![];
    let res = app
        .call_json(
            cookie,
            "call_api",
            json!({"account": "sandbox", "region": "cn-hangzhou", "action": "DescribeDBClusters", "params": params}),
        )
        .await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn user_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM users WHERE username = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
}

/// The audit records of `action` naming `username`, and whether any record holds `secret`.
async fn trail(app: &TestApp, action: &str, username: &str, secret: &str) -> (i64, bool) {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = $1 AND outcome = 'ok' AND params ->> 'username' = $2",
    )
    .bind(action)
    .bind(username)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let leaked: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM audit_events WHERE strpos(audit_events::text, $1) > 0)",
    )
    .bind(secret)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    (n, leaked)
}

#[tokio::test]
async fn an_added_user_chooses_a_password_first_then_has_their_role() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (status, body) = form(
        &app,
        &admin,
        "create_user",
        &[
            ("username", "olga"),
            ("display_name", "Olga Operator"),
            ("role", "operator"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let handed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(handed["username"], "olga");
    let one_time = handed["password"].as_str().unwrap().to_string();
    assert!(one_time.len() >= 16, "{one_time}");
    assert_eq!(
        trail(&app, "UserCreated", "olga", &one_time).await,
        (1, false)
    );
    // The same name in another case is taken.
    let (status, body) = form(
        &app,
        &admin,
        "create_user",
        &[
            ("username", "Olga"),
            ("display_name", ""),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("username"), "{body}");
    let (status, body) = form(
        &app,
        &admin,
        "create_user",
        &[
            ("username", "nobody"),
            ("display_name", ""),
            ("role", "no-such-role"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // Signed in with the one-time password: every page leads to the password page, every
    // call is refused until the user has their own.
    let olga = app.sign_in_as("olga", &one_time).await;
    let page = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &olga)
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection());
    assert_eq!(page.headers()["location"], "/settings/password");
    let page = app
        .http
        .get(format!("{}/settings/password", app.base))
        .header("cookie", &olga)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let (status, body) = read_clusters(&app, &olga).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("PasswordChangeRequired"), "{body}");
    let res = app.call_json(&olga, "whoami", json!({})).await;
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["must_change_password"], true);
    // Not the same password again.
    let (status, body) = form(
        &app,
        &olga,
        "change_password",
        &[
            ("current_password", &one_time),
            ("new_password", &one_time),
            ("confirm_password", &one_time),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("new_password"), "{body}");
    let own = "olga-chose-this-one";
    let res = app
        .call_form(
            &olga,
            "change_password",
            &[
                ("current_password", &one_time),
                ("new_password", own),
                ("confirm_password", own),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let olga = tests::cookie_of(&res).unwrap_or(olga);

    // Now exactly an Operator: reads work, managing users does not.
    let (status, body) = read_clusters(&app, &olga).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = form(&app, &olga, "list_users", &[]).await;
    assert_eq!(status, 403);
    assert_eq!(app.post_sign_in("olga", &one_time).await.status(), 401);
    app.sign_in_as("olga", own).await;
}

#[tokio::test]
async fn a_reset_ends_sessions_and_a_deletion_needs_the_name() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let pavel = app.user_with_role("pavel", "viewer").await;
    let id = user_id(&app, "pavel").await;
    let (status, body) = read_clusters(&app, &pavel).await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = form(&app, &admin, "reset_user_password", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    let one_time = serde_json::from_str::<Value>(&body).unwrap()["password"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        trail(&app, "UserPasswordReset", "pavel", &one_time).await,
        (1, false)
    );
    let (status, _) = read_clusters(&app, &pavel).await;
    assert_eq!(status, 401, "the reset ended the session");
    // The audit export: an ended session exports nothing, nor does a one-time password.
    let export = |cookie: String| {
        let app = &app;
        async move {
            let res = app
                .http
                .get(format!("{}/audit/export?format=json", app.base))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            let to = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default();
            (res.status().as_u16(), to)
        }
    };
    assert_eq!(
        export(pavel.clone()).await,
        (303, "/signin".to_string()),
        "an ended session exports nothing"
    );
    assert_eq!(
        app.post_sign_in("pavel", "pavel-password-123")
            .await
            .status(),
        401
    );
    let again = app.sign_in_as("pavel", &one_time).await;
    let (status, _) = read_clusters(&app, &again).await;
    assert_eq!(status, 403, "a new password first");
    assert_eq!(
        export(again.clone()).await,
        (303, "/settings/password".to_string()),
        "no export before a new password"
    );

    // Not oneself; not an SSO user's (they have none); not a user that does not exist.
    let me = user_id(&app, "admin").await;
    let (status, body) = form(&app, &admin, "reset_user_password", &[("id", &me)]).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = form(
        &app,
        &admin,
        "reset_user_password",
        &[("id", &uuid::Uuid::new_v4().to_string())],
    )
    .await;
    assert_eq!(status, 404);

    // Deletion: the name typed, or nothing happens.
    let (status, body) = form(
        &app,
        &admin,
        "delete_user",
        &[("id", &id), ("confirm", "pavle")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("confirm"), "{body}");
    assert_eq!(user_id(&app, "pavel").await, id, "still there");
    let (status, body) = form(
        &app,
        &admin,
        "delete_user",
        &[("id", &id), ("confirm", "pavel")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let gone: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE username = 'pavel'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(gone, 0);
    assert_eq!(
        trail(&app, "UserDeleted", "pavel", "pavel-password-123").await,
        (1, false)
    );
    let (status, _) = read_clusters(&app, &again).await;
    assert_eq!(status, 401, "a deleted user's session ends");
    let (status, body) = form(
        &app,
        &admin,
        "delete_user",
        &[("id", &me), ("confirm", "admin")],
    )
    .await;
    assert_eq!(status, 400, "not oneself: {body}");

    // The last enabled administrator is never deleted, whoever asks.
    let admin_id: uuid::Uuid = me.parse().unwrap();
    let mut tx = app.pool.begin().await.unwrap();
    let refused = backend::admin::Admin::new(app.pool.clone())
        .delete_user(&mut tx, admin_id)
        .await;
    assert!(
        matches!(refused, Err(backend::BackendError::Conflict(_))),
        "{refused:?}"
    );
    drop(tx);

    // The trail still verifies: every user's creation is in it, deleted ones too.
    let audit = backend::audit::Audit::with_keys(
        app.pool.clone(),
        std::sync::Arc::new(backend::vault::MasterKeys::new(
            "k1",
            backend::vault::MasterKeys::decode_key("k", tests::MASTER_KEY).unwrap(),
        )),
        backend::metrics::Metrics::new(),
    );
    let verdict = audit.verify().await.unwrap();
    assert!(
        matches!(verdict, backend::audit::Verdict::Intact { .. }),
        "{verdict:?}"
    );
}

/// `polar-console create-user NAME --role ROLE`: a local user with a one-time password,
/// printed once, audited; an unknown role or a taken name exits 2 and creates nothing.
#[tokio::test]
async fn the_command_line_creates_a_user_with_a_one_time_password() {
    let app = TestApp::spawn().await;
    let run = |args: &[&str]| {
        std::process::Command::new(tests::console_binary())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("POLAR_DATABASE_URL", &app.console_database_url)
            .env("POLAR_MASTER_KEY", tests::MASTER_KEY)
            .output()
            .unwrap()
    };
    let out = run(&["create-user", "carol", "--role", "operator"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let one_time = stdout
        .split("one-time password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the password is printed")
        .to_string();
    assert_eq!(
        trail(&app, "UserCreated", "carol", &one_time).await,
        (1, false)
    );
    let carol = app.sign_in_as("carol", &one_time).await;
    let (status, _) = read_clusters(&app, &carol).await;
    assert_eq!(status, 403, "a password of their own first");
    for args in [
        &["create-user", "dave", "--role", "no-such-role"][..],
        &["create-user", "CAROL", "--role", "viewer"][..],
        &["create-user", "with space", "--role", "viewer"][..],
    ] {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let users: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE lower(username) IN ('dave', 'with space')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(users, 0);
}
