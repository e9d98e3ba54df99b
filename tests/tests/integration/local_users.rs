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

/// Asks `create_user` for a user as `cookie`; the status and the body.
async fn create(
    app: &TestApp,
    cookie: &str,
    username: &str,
    display_name: &str,
    role: &str,
) -> (u16, String) {
    let fields = [
        ("username", username),
        ("display_name", display_name),
        ("role", role),
    ];
    form(app, cookie, "create_user", &fields).await
}

/// The one-time password of a `create_user` or `reset_user_password` answer.
fn password_of(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["password"]
        .as_str()
        .unwrap()
        .to_string()
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
    let (status, body) = create(&app, &admin, "olga", "Olga Operator", "operator").await;
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
    let (status, body) = create(&app, &admin, "Olga", "", "viewer").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("username"), "{body}");
    let (status, body) = create(&app, &admin, "nobody", "", "no-such-role").await;
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
    let one_time = password_of(&body);
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

/// The identity service as the console builds it, on the test's database.
fn identity(app: &TestApp) -> backend::identity::Identity {
    backend::identity::Identity::new(app.pool.clone())
}

async fn find(app: &TestApp, name: &str) -> backend::identity::User {
    let id: uuid::Uuid = user_id(app, name).await.parse().unwrap();
    identity(app).find(id).await.unwrap().unwrap()
}

/// Eleventh attack run, F1 and F6: a password change checked in a session that an
/// administrator's reset ended meanwhile is not stored (it undid the reset and kept the
/// session alive); one of a user deleted meanwhile is refused, not a 500.
#[tokio::test]
async fn a_reset_wins_over_a_password_change_in_flight() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    app.user_with_role("sam", "viewer").await;
    let sam = find(&app, "sam").await;
    let checked = match identity(&app)
        .change_password(
            &sam,
            "sam-password-123",
            "sam-chose-another-one",
            "127.0.0.1",
        )
        .await
        .unwrap()
    {
        backend::identity::PasswordChange::Checked(h) => h,
        other => panic!("{other:?}"),
    };
    // The reset lands between the check and the store.
    let (status, body) = form(
        &app,
        &admin,
        "reset_user_password",
        &[("id", &sam.id.to_string())],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let one_time = password_of(&body);
    let mut tx = app.pool.begin().await.unwrap();
    let stored = identity(&app).store_password(&mut tx, &sam, checked).await;
    assert!(
        matches!(stored, Err(backend::BackendError::Conflict(_))),
        "{stored:?}"
    );
    drop(tx);
    assert_eq!(
        app.post_sign_in("sam", "sam-chose-another-one")
            .await
            .status(),
        401
    );
    app.sign_in_as("sam", &one_time).await;

    // A user deleted while changing their password.
    app.user_with_role("gone", "viewer").await;
    let gone = find(&app, "gone").await;
    let (status, body) = form(
        &app,
        &admin,
        "delete_user",
        &[("id", &gone.id.to_string()), ("confirm", "gone")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let late = identity(&app)
        .change_password(
            &gone,
            "gone-password-123",
            "never-stored-password",
            "127.0.0.1",
        )
        .await;
    assert!(
        matches!(late, Err(backend::BackendError::Conflict(_))),
        "{late:?}"
    );
}

/// Eleventh attack run, F2: a one-time password is handed over for the role of then. A new
/// role voids it (a manager's reset followed by a promotion made the manager's password an
/// administrator's); an administrator resets it again.
#[tokio::test]
async fn a_new_role_voids_a_waiting_one_time_password() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (status, body) = create(&app, &admin, "tess", "", "viewer").await;
    assert_eq!(status, 200, "{body}");
    let first = password_of(&body);
    let id = user_id(&app, "tess").await;
    let (status, body) = form(
        &app,
        &admin,
        "set_user_role",
        &[("id", &id), ("role", "admin")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        app.post_sign_in("tess", &first).await.status(),
        401,
        "voided"
    );
    let (status, body) = form(&app, &admin, "reset_user_password", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    let again = password_of(&body);
    app.sign_in_as("tess", &again).await;
}

/// Eleventh attack run, F3: two administrators disabling each other at once left none.
/// Changes to users happen one at a time, and the last enabled administrator is never
/// disabled, demoted or deleted.
#[tokio::test]
async fn two_administrators_acting_on_each_other_leave_one() {
    let app = TestApp::spawn().await;
    let root = app.sign_in_admin().await;
    let ada = app.user_with_role("ada", "admin").await;
    let bob = app.user_with_role("bob", "admin").await;
    let (status, body) = form(
        &app,
        &ada,
        "set_user_disabled",
        &[("id", &user_id(&app, "admin").await), ("disabled", "true")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    drop(root);
    let (ada_id, bob_id) = (user_id(&app, "ada").await, user_id(&app, "bob").await);
    let (off_bob, off_ada) = (
        [("id", bob_id.as_str()), ("disabled", "true")],
        [("id", ada_id.as_str()), ("disabled", "true")],
    );
    let (a, b) = tokio::join!(
        form(&app, &ada, "set_user_disabled", &off_bob),
        form(&app, &bob, "set_user_disabled", &off_ada),
    );
    let enabled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(enabled, 1, "{a:?} {b:?}");
    // The one left is never disabled, demoted or deleted, whoever asks.
    let last: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' AND NOT disabled")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let admins = backend::admin::Admin::new(app.pool.clone());
    let mut tx = app.pool.begin().await.unwrap();
    assert!(matches!(
        admins.set_disabled(&mut tx, last, true).await,
        Err(backend::BackendError::Conflict(_))
    ));
    drop(tx);
    let mut tx = app.pool.begin().await.unwrap();
    assert!(matches!(
        admins.set_role(&mut tx, last, "operator").await,
        Err(backend::BackendError::Conflict(_))
    ));
    drop(tx);
}

/// Eleventh attack run, F4 and F5: names that differ only in case, created at the same
/// moment, were both taken; names with invisible or look-alike characters were accepted.
#[tokio::test]
async fn a_name_is_taken_in_every_case_and_cannot_pass_for_another() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (a, b) = tokio::join!(
        create(&app, &admin, "CaseN", "", "viewer"),
        create(&app, &admin, "caseN", "", "viewer"),
    );
    let made: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE lower(username) = 'casen'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(made, 1, "{a:?} {b:?}");
    for name in [
        "adm2\u{200b}",
        "view1\u{feff}",
        "adm\u{00ad}2",
        "\u{0430}dm2",
        "\u{ff41}\u{ff44}\u{ff4d}2",
        "anonymous",
        "-dash",
    ] {
        let (status, body) = create(&app, &admin, name, "", "viewer").await;
        assert_eq!(status, 400, "{name:?}: {body}");
        assert!(body.contains("username"), "{name:?}: {body}");
    }
}

/// Eleventh attack run, F7: a session an administrator ended still put its user's name on
/// records of refused cross-origin posts. It is no one's session now.
#[tokio::test]
async fn an_ended_session_names_no_one_on_a_refusal() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let ended = app.user_with_role("ended", "viewer").await;
    let (status, body) = form(
        &app,
        &admin,
        "end_user_sessions",
        &[("id", &user_id(&app, "ended").await)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .http
        .post(format!("{}/api/anything", app.base))
        .header("cookie", &ended)
        .header("origin", "http://evil.example")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let named: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'CsrfRefused' AND actor_name = 'ended'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(named, 0);
}

/// A user change records the user's id as the console writes it, however it was typed
/// (thirteenth attack run, F6: `URN:UUID:…`, `{…}` and unhyphenated forms were recorded as
/// sent, and a search by the id missed them).
#[tokio::test]
async fn user_changes_record_the_canonical_id() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    app.user_with_role("uma", "viewer").await;
    let id = user_id(&app, "uma").await;
    let typed = [
        format!("URN:UUID:{}", id.to_uppercase()),
        format!("{{{id}}}"),
        id.replace('-', ""),
    ];
    for t in &typed {
        let (status, body) = form(&app, &admin, "end_user_sessions", &[("id", t)]).await;
        assert_eq!(status, 200, "{t}: {body}");
    }
    let (status, body) = form(
        &app,
        &admin,
        "set_user_role",
        &[("id", &typed[0]), ("role", "operator")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let recorded: Vec<String> = sqlx::query_scalar(
        "SELECT params ->> 'user' FROM audit_events WHERE action IN ('UserSessionsEnded', 'UserRoleChanged') ORDER BY seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, vec![id.clone(); 4]);
}

/// Cloud-account changes record the account's id as the console writes it, however it was
/// typed (fifteenth attack run, F3).
#[tokio::test]
async fn cloud_account_changes_record_the_canonical_id() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM cloud_accounts WHERE name = 'sandbox'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = id.to_string();
    for (typed, enabled) in [
        (format!("URN:UUID:{}", id.to_uppercase()), "false"),
        (format!("{{{id}}}"), "true"),
    ] {
        let (status, body) = form(
            &app,
            &admin,
            "set_cloud_account_enabled",
            &[("id", &typed), ("enabled", enabled)],
        )
        .await;
        assert_eq!(status, 200, "{typed}: {body}");
    }
    let recorded: Vec<String> = sqlx::query_scalar(
        "SELECT params ->> 'id' FROM audit_events WHERE action IN ('CloudAccountDisabled', 'CloudAccountEnabled') ORDER BY seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, vec![id.clone(); 2]);
}
