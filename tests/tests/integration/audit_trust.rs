//! An audit trail you can trust (issue 13, finding 4 and 5): the chain is keyed, so a
//! rewritten chain does not verify; a cut tail and checkpoints are checked; the console's
//! database role cannot change history; administrative changes commit only with their
//! record.

use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::audit::{Audit, Checkpointed, Record, Verdict};
use backend::vault::MasterKeys;
use tests::{TestApp, MASTER_KEY};

fn keys() -> Arc<MasterKeys> {
    Arc::new(MasterKeys::new(
        "k1",
        MasterKeys::decode_key("master_key", MASTER_KEY).unwrap(),
    ))
}

/// The console's audit trail as `audit verify` sees it (the owner's pool, the master key).
fn audit_of(app: &TestApp) -> Audit {
    Audit::with_keys(app.pool.clone(), keys(), backend::metrics::Metrics::new())
}

/// A few records made over HTTP: sign-ins and audited API reads.
async fn some_records(app: &TestApp, calls: usize) -> String {
    let cookie = app.sign_in_admin().await;
    for _ in 0..calls {
        let res = app
            .call_json(
                &cookie,
                "call_api",
                serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                    "action": "DescribeDBClusters", "params": []}),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    cookie
}

async fn records(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn chain_end(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM audit_events")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A superuser's connection with triggers off: what an attacker with full database access
/// (but not the master key) can do.
async fn superuser(app: &TestApp) -> sqlx::pool::PoolConnection<sqlx::Postgres> {
    let mut conn = app.pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    conn
}

fn broken(v: Verdict) -> (i64, String) {
    match v {
        Verdict::Broken { seq, problem } => (seq, problem),
        v => panic!("tampering not found: {v:?}"),
    }
}

/// The `polar-console` binary (scripts/test.sh builds it; else `cargo build -p server`).
#[tokio::test]
async fn deleting_the_last_records_is_found_by_verify() {
    let app = TestApp::spawn().await;
    some_records(&app, 4).await;
    let audit = audit_of(&app);
    let end = chain_end(&app).await;
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Intact { records: end }
    );

    // Cut the last two records: every link that is left is still valid.
    let mut conn = superuser(&app).await;
    sqlx::query("DELETE FROM audit_events WHERE seq > $1")
        .bind(end - 2)
        .execute(&mut *conn)
        .await
        .unwrap();
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, end - 1, "{problem}");
    assert!(problem.contains("removed"), "{problem}");

    // The command line says so too, with exit code 3, as the console's own role.
    let out = tokio::process::Command::new(tests::console_binary())
        .args(["audit", "verify"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("POLAR_DATABASE_URL", &app.console_database_url)
        .env("POLAR_MASTER_KEY", MASTER_KEY)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("removed"), "{stdout}");

    // Moving the head back as well needs its MAC, which needs the key.
    sqlx::query(
        "UPDATE audit_head SET seq = $1, hash = (SELECT hash FROM audit_events WHERE seq = $1)",
    )
    .bind(end - 2)
    .execute(&mut *conn)
    .await
    .unwrap();
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("head"), "{problem}");
    // Removing the head altogether is no better.
    sqlx::query("DELETE FROM audit_head")
        .execute(&mut *conn)
        .await
        .unwrap();
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("head"), "{problem}");
}

/// Edits record 2 and recomputes every link after it with `link`, head included.
async fn rewrite_chain(app: &TestApp, link: impl Fn(&Record) -> Vec<u8>) {
    let records = Audit::new(app.pool.clone())
        .page_from(0, 10_000)
        .await
        .unwrap();
    let mut conn = superuser(app).await;
    let mut prev = records[0].hash.clone();
    for mut r in records.into_iter().skip(1) {
        if r.seq == 2 {
            r.actor_name = "someone else".into();
        }
        r.prev_hash = prev.clone();
        r.hash = link(&r);
        sqlx::query(
            "UPDATE audit_events SET actor_name = $2, prev_hash = $3, hash = $4 WHERE seq = $1",
        )
        .bind(r.seq)
        .bind(&r.actor_name)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2")
            .bind(r.seq)
            .bind(&r.hash)
            .execute(&mut *conn)
            .await
            .unwrap();
        prev = r.hash;
    }
}

#[tokio::test]
async fn a_chain_recomputed_without_the_key_does_not_verify() {
    let app = TestApp::spawn().await;
    some_records(&app, 3).await;
    let audit = audit_of(&app);
    assert!(matches!(
        audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));

    // The old, unkeyed recipe: SHA-256 of the previous link and the content.
    rewrite_chain(&app, |r| r.compute_hash()).await;
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, 2, "{problem}");
    assert!(problem.contains("altered"), "{problem}");

    // The keyed recipe with a key of the attacker's choosing.
    rewrite_chain(&app, |r| r.compute_mac(&[9u8; 32])).await;
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, 2, "{problem}");
    assert!(problem.contains("altered"), "{problem}");

    // The downgrade: key, head and checkpoints deleted and every link recomputed unkeyed
    // from the first, so that the chain passes for one from before keying.
    let records = Audit::new(app.pool.clone())
        .page_from(0, 10_000)
        .await
        .unwrap();
    let mut conn = superuser(&app).await;
    for table in ["audit_key", "audit_head", "audit_checkpoints"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let mut prev = vec![0u8; 32];
    for mut r in records {
        r.prev_hash = prev.clone();
        r.hash = r.compute_hash();
        sqlx::query("UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE seq = $1")
            .bind(r.seq)
            .bind(&r.prev_hash)
            .bind(&r.hash)
            .execute(&mut *conn)
            .await
            .unwrap();
        prev = r.hash;
    }
    drop(conn);
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("no key"), "{problem}");

    // A console starting on it does not take it for a chain from before keying (fourth
    // attack run, F1): it makes no new key over the forged records and refuses to start,
    // saying to restore the key; the chain stays broken.
    let e = audit_of(&app)
        .init()
        .await
        .expect_err("a key created over an unkeyed chain");
    assert!(e.to_string().contains("Restore audit_key"), "{e}");
    let err = start_console(&app).await.expect_err("refused to start");
    assert!(err.contains("no key"), "{err}");
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_key")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(keys, 0, "a new key was made");
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("no key"), "{problem}");
}

#[tokio::test]
async fn the_consoles_role_cannot_change_history() {
    let app = TestApp::spawn().await;
    some_records(&app, 1).await;
    let console = sqlx::PgPool::connect(&app.console_database_url)
        .await
        .unwrap();
    let me: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&console)
        .await
        .unwrap();
    assert_eq!(me, tests::APP_ROLE);
    // Granting itself UPDATE does nothing (it holds no grant option) or fails.
    let _ = sqlx::query(&format!(
        "GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO {me}"
    ))
    .execute(&console)
    .await;
    let can: bool = sqlx::query_scalar(
        "SELECT has_table_privilege(current_user, 'audit_events', 'UPDATE')
             OR has_table_privilege(current_user, 'audit_events', 'DELETE')
             OR has_table_privilege(current_user, 'audit_events', 'TRUNCATE')",
    )
    .fetch_one(&console)
    .await
    .unwrap();
    assert!(
        !can,
        "the console's role holds UPDATE, DELETE or TRUNCATE on audit_events"
    );
    for refused in [
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_events OWNER TO CURRENT_USER",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "UPDATE audit_events SET outcome = 'denied' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "TRUNCATE audit_events",
        "SET session_replication_role = replica",
        "DELETE FROM audit_checkpoints",
        "UPDATE audit_checkpoints SET seq = 0",
        "DELETE FROM audit_key",
        "UPDATE audit_key SET keyed_from = 1000",
        "ALTER TABLE audit_head DISABLE TRIGGER ALL",
    ] {
        let r = sqlx::query(refused).execute(&console).await;
        assert!(r.is_err(), "the console's role may: {refused}");
    }
    assert!(
        matches!(
            audit_of(&app).verify().await.unwrap(),
            Verdict::Intact { .. }
        ),
        "nothing changed"
    );

    // And the console refuses to serve as a role that could do these things.
    let env = vec![
        ("POLAR_DATABASE_URL".to_string(), app.database_url.clone()),
        ("POLAR_MASTER_KEY".to_string(), MASTER_KEY.to_string()),
    ];
    let config = server::config::Sources::load(None, env)
        .and_then(|s| s.build())
        .unwrap();
    let err = server::start(&config).await.err().expect("refused");
    assert!(err.to_string().contains("superuser"), "{err}");
}

/// Makes appending a record for `action` fail, as the owner (a stand-in for a full disk or
/// a lost connection at that moment).
async fn fail_audit_of(app: &TestApp, action: &str) {
    fail_audit_where(app, &format!("NEW.action = '{action}'")).await;
}

async fn heal_audit(app: &TestApp) {
    sqlx::query("DROP TRIGGER test_fail_audit ON audit_events")
        .execute(&app.pool)
        .await
        .unwrap();
}

async fn role_of(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("SELECT role FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn records_of(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_role_change_without_its_record_is_not_made() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    app.user_with_role("erin", "viewer").await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'erin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = id.to_string();

    fail_audit_of(&app, "UserRoleChanged").await;
    let res = app
        .call_form(&admin, "set_user_role", &[("id", &id), ("role", "admin")])
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_server_error(), "{status}: {body}");
    assert!(body.contains("audit"), "the answer says why: {body}");
    assert_eq!(
        role_of(&app, "erin").await,
        "viewer",
        "the change was committed"
    );
    assert_eq!(records_of(&app, "UserRoleChanged").await, 0);

    // With the audit trail back, the same change is made and recorded, once.
    heal_audit(&app).await;
    let res = app
        .call_form(&admin, "set_user_role", &[("id", &id), ("role", "admin")])
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(role_of(&app, "erin").await, "admin");
    assert_eq!(records_of(&app, "UserRoleChanged").await, 1);
    assert!(matches!(
        audit_of(&app).verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn a_new_cloud_account_without_its_record_is_not_made() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let form = [
        ("name", "unrecorded"),
        ("access_key_id", "LTAIunrecorded0key"),
        ("access_key_secret", "unrecorded-secret"),
        ("regions", "cn-hangzhou"),
        ("signature_version", "v2"),
        ("endpoint", ""),
    ];
    let accounts = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM cloud_accounts WHERE name = 'unrecorded'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };

    fail_audit_of(&app, "CloudAccountCreated").await;
    let res = app.call_form(&admin, "add_cloud_account", &form).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_server_error(), "{status}: {body}");
    assert!(!body.contains("unrecorded-secret"));
    assert_eq!(accounts(&app).await, 0, "the account was committed");

    heal_audit(&app).await;
    let res = app.call_form(&admin, "add_cloud_account", &form).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(accounts(&app).await, 1);
    assert_eq!(records_of(&app, "CloudAccountCreated").await, 1);
}

#[tokio::test]
async fn a_password_change_without_its_record_is_not_made() {
    let app = TestApp::spawn().await;
    let frank = app.user_with_role("frank", "viewer").await;
    let change = |cookie: String| {
        let app = &app;
        async move {
            let res = app
                .call_form(
                    &cookie,
                    "change_password",
                    &[
                        ("current_password", "frank-password-123"),
                        ("new_password", "a-new-long-password"),
                        ("confirm_password", "a-new-long-password"),
                    ],
                )
                .await;
            (res.status(), res.text().await.unwrap())
        }
    };
    fail_audit_of(&app, "PasswordChanged").await;
    let (status, body) = change(frank.clone()).await;
    assert!(status.is_server_error(), "{status}: {body}");
    assert!(body.contains("audit"), "the answer says why: {body}");
    assert!(!body.contains("a-new-long-password"));
    // The old password still signs in: nothing was changed.
    app.sign_in_as("frank", "frank-password-123").await;
    assert_eq!(records_of(&app, "PasswordChanged").await, 0);

    heal_audit(&app).await;
    let (status, body) = change(frank).await;
    assert!(status.is_success(), "{status}: {body}");
    app.sign_in_as("frank", "a-new-long-password").await;
    assert_eq!(records_of(&app, "PasswordChanged").await, 1);
}

/// A language chosen in the top bar (#19) is saved with its record or not at all; a
/// language the console does not speak is refused naming the field.
#[tokio::test]
async fn a_language_choice_without_its_record_is_not_saved() {
    let app = TestApp::spawn().await;
    let frank = app.user_with_role("frank", "viewer").await;
    let choose = |language: &'static str| {
        let (app, cookie) = (&app, frank.clone());
        async move {
            let res = app
                .call_form(&cookie, "set_language", &[("language", language)])
                .await;
            let cookie = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.starts_with("polar_lang="));
            (res.status(), cookie, res.text().await.unwrap())
        }
    };
    let saved = || async {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT language FROM users WHERE username = 'frank'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    fail_audit_of(&app, "UserSettingsChanged").await;
    let (status, cookie, body) = choose("zh").await;
    assert!(status.is_server_error(), "{status}: {body}");
    assert!(!cookie, "no language cookie for a choice not saved");
    assert_eq!(saved().await, None);
    assert_eq!(records_of(&app, "UserSettingsChanged").await, 0);

    heal_audit(&app).await;
    let (status, cookie, body) = choose("zh").await;
    assert!(status.is_success(), "{status}: {body}");
    assert!(cookie);
    assert_eq!(saved().await.as_deref(), Some("zh"));
    assert_eq!(records_of(&app, "UserSettingsChanged").await, 1);

    let (status, _, body) = choose("fr").await;
    assert_eq!(status.as_u16(), 400, "{body}");
    assert!(body.contains("language"), "{body}");
    assert_eq!(saved().await.as_deref(), Some("zh"));
}

#[tokio::test]
async fn a_time_zone_choice_without_its_record_is_not_saved() {
    let app = TestApp::spawn().await;
    let grace = app.user_with_role("grace", "viewer").await;
    let choose = |zone: &'static str| {
        let (app, cookie) = (&app, grace.clone());
        async move {
            let res = app
                .call_form(&cookie, "set_time_zone", &[("zone", zone)])
                .await;
            let cookie = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("polar_tz="))
                .map(str::to_string);
            (res.status(), cookie, res.text().await.unwrap())
        }
    };
    let saved = || async {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT time_zone FROM users WHERE username = 'grace'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    fail_audit_of(&app, "UserSettingsChanged").await;
    let (status, cookie, body) = choose("Asia/Shanghai").await;
    assert!(status.is_server_error(), "{status}: {body}");
    assert_eq!(cookie, None, "no time-zone cookie for a choice not saved");
    assert_eq!(saved().await, None);
    assert_eq!(records_of(&app, "UserSettingsChanged").await, 0);

    heal_audit(&app).await;
    let (status, cookie, body) = choose("Asia/Shanghai").await;
    assert!(status.is_success(), "{status}: {body}");
    assert!(cookie.is_some_and(|c| c.starts_with("polar_tz=Asia/Shanghai;")));
    assert_eq!(saved().await.as_deref(), Some("Asia/Shanghai"));
    assert_eq!(records_of(&app, "UserSettingsChanged").await, 1);

    // Not a zone of the database (nor a way into a path or a header): 400 naming the field.
    for bad in [
        "Mars/Olympus",
        "Asia/Shanghai; Path=/x",
        "../../etc/localtime",
    ] {
        let (status, cookie, body) = choose(bad).await;
        assert_eq!(status.as_u16(), 400, "{bad}: {body}");
        assert!(body.contains("time_zone"), "{body}");
        assert_eq!(cookie, None);
    }
    assert_eq!(saved().await.as_deref(), Some("Asia/Shanghai"));

    // Signed out: nothing to save it with.
    let res = app.call_form("", "set_time_zone", &[("zone", "UTC")]).await;
    assert_eq!(res.status().as_u16(), 401);
}

#[tokio::test]
async fn start_up_changes_commit_with_their_records() {
    let app = TestApp::spawn().await;
    // The first administrator and the configured cloud account, each with its record.
    assert_eq!(records_of(&app, "UserCreated").await, 1);
    assert_eq!(records_of(&app, "CloudAccountRegistered").await, 1);
    let params: serde_json::Value = sqlx::query_scalar(
        "SELECT params FROM audit_events WHERE action = 'CloudAccountRegistered'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(params["cloud_account"], "sandbox");
    assert!(!params.to_string().contains(tests::EMU_SECRET));
    assert!(
        !params.to_string().contains(tests::EMU_KEY_ID),
        "the key id is masked"
    );

    // A second start that would move the account elsewhere, while its record cannot be
    // written: the start fails and the account is left as it was.
    fail_audit_of(&app, "CloudAccountRegistered").await;
    let env: Vec<(String, String)> = [
        ("POLAR_DATABASE_URL", app.console_database_url.as_str()),
        ("POLAR_MASTER_KEY", MASTER_KEY),
        ("POLAR_LISTEN", "127.0.0.1:0"),
        ("POLAR_CLOUD_ACCOUNT_ENDPOINT", "http://127.0.0.1:9/"),
        ("POLAR_CLOUD_ACCOUNT_EMULATOR", "true"),
        ("POLAR_ALLOW_PRIVATE_ENDPOINTS", "true"),
        ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", tests::EMU_KEY_ID),
        ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET", tests::EMU_SECRET),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = server::config::Sources::load(None, env)
        .and_then(|s| s.build())
        .unwrap();
    let started = server::start(&config).await;
    assert!(started.is_err(), "the console started without the record");
    let endpoint: Option<String> =
        sqlx::query_scalar("SELECT endpoint FROM cloud_accounts WHERE name = 'sandbox'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(endpoint.as_deref(), Some(app.emulator.as_str()));
    assert_eq!(records_of(&app, "CloudAccountRegistered").await, 1);
    heal_audit(&app).await;
}

/// Waits until the checkpoint job has recorded a checkpoint at `seq` or later.
async fn checkpoint_at_least(app: &TestApp, seq: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let cp: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM audit_checkpoints")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if let Some(cp) = cp.filter(|c| *c >= seq) {
            return cp;
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint at {seq} within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn checkpoints_are_checked_by_verify() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_BACKGROUND_PERIOD_SECONDS", "1")],
        "127.0.0.1:0",
    )
    .await;
    let cookie = some_records(&app, 2).await;
    // The head as it is now: a valid row with a valid MAC, kept by the attacker.
    let (old_seq, old_hash, old_mac): (i64, Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT seq, hash, mac FROM audit_head")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // More records, and a checkpoint that covers them.
    for _ in 0..3 {
        let res = app
            .call_json(
                &cookie,
                "call_api",
                serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                    "action": "DescribeRegions", "params": []}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let end = chain_end(&app).await;
    let cp = checkpoint_at_least(&app, end).await;
    let audit = audit_of(&app);
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Intact { records: end }
    );
    assert_eq!(audit.checkpoint().await.unwrap(), Checkpointed::NothingNew);

    // A forged checkpoint (the console's role may insert them) is named as such.
    let console = sqlx::PgPool::connect(&app.console_database_url)
        .await
        .unwrap();
    let forged: i64 = sqlx::query_scalar(
        "INSERT INTO audit_checkpoints (seq, hash, mac)
         SELECT seq, hash, '\\x00' FROM audit_events e
         WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.seq = e.seq)
         ORDER BY seq LIMIT 1
         RETURNING seq",
    )
    .fetch_one(&console)
    .await
    .unwrap();
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, forged, "{problem}");
    assert!(problem.contains("checkpoint"), "{problem}");
    sqlx::query("DELETE FROM audit_checkpoints WHERE seq = $1")
        .bind(forged)
        .execute(&app.pool)
        .await
        .unwrap();
    // So is one with no MAC at all.
    sqlx::query("INSERT INTO audit_checkpoints (seq, hash, mac) SELECT seq, hash, NULL FROM audit_events WHERE seq = $1")
        .bind(forged)
        .execute(&console)
        .await
        .unwrap();
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, forged, "{problem}");
    assert!(problem.contains("checkpoint"), "{problem}");
    sqlx::query("DELETE FROM audit_checkpoints WHERE seq = $1")
        .bind(forged)
        .execute(&app.pool)
        .await
        .unwrap();

    // Cut the tail and put the old, genuine head back: only the checkpoint tells.
    let mut conn = superuser(&app).await;
    sqlx::query("DELETE FROM audit_events WHERE seq > $1")
        .bind(old_seq)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3")
        .bind(old_seq)
        .bind(&old_hash)
        .bind(&old_mac)
        .execute(&mut *conn)
        .await
        .unwrap();
    // The first checkpoint above the cut (the job may have written another since `cp`
    // when a background read was recorded meanwhile on a busy machine).
    let above: i64 = sqlx::query_scalar("SELECT min(seq) FROM audit_checkpoints WHERE seq > $1")
        .bind(old_seq)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(above >= cp);
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert!(seq > old_seq && seq <= above, "{seq}: {problem}");
    assert!(
        problem.contains(&format!("below the checkpoint at {above}")),
        "{problem}"
    );
    // The checkpoint job finds it too (its truncation branch).
    match audit.checkpoint().await.unwrap() {
        Checkpointed::Broken { problem, .. } => assert!(problem.contains("removed"), "{problem}"),
        other => panic!("the job did not notice: {other:?}"),
    }
}

#[tokio::test]
async fn records_from_before_the_key_are_adopted_only_by_the_operator() {
    let url = tests::fresh_database().await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    backend::db::migrate(&pool).await.unwrap();
    // Three records as an earlier version wrote them: unkeyed SHA-256 links.
    let mut prev = vec![0u8; 32];
    for seq in 1..=3i64 {
        let mut r = Record {
            seq,
            id: uuid::Uuid::new_v4(),
            at: sqlx::types::time::OffsetDateTime::UNIX_EPOCH,
            actor_id: None,
            actor_name: "legacy".into(),
            auth_method: "local".into(),
            client_addr: None,
            user_agent: None,
            request_id: None,
            cloud_account: None,
            region: None,
            action: "SignIn".into(),
            kind: "security".into(),
            resource: serde_json::json!({}),
            params: serde_json::json!({}),
            outcome: "ok".into(),
            http_status: None,
            error_code: None,
            error_message: None,
            upstream_request_id: None,
            client_token: None,
            attempts: None,
            latency_ms: None,
            intent_seq: None,
            prev_hash: prev.clone(),
            hash: vec![],
        };
        r.hash = r.compute_hash();
        sqlx::query(
            "INSERT INTO audit_events (seq, id, at, actor_name, auth_method, action, kind, outcome, prev_hash, hash)
             VALUES ($1, $2, $3, $4, 'local', 'SignIn', 'security', 'ok', $5, $6)",
        )
        .bind(r.seq)
        .bind(r.id)
        .bind(r.at)
        .bind(&r.actor_name)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .execute(&pool)
        .await
        .unwrap();
        prev = r.hash;
    }
    let audit = Audit::with_keys(pool.clone(), keys(), backend::metrics::Metrics::new());
    // Until the operator adopts them there is no key: verify says so rather than vouch for
    // links anyone with the database could have recomputed, and a console neither starts
    // nor writes over them (it cannot tell them from a chain rewritten without its key).
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("no key"), "{problem}");
    let e =
        backend::audit::Event::security(Default::default(), "SignIn", backend::audit::Outcome::Ok);
    assert!(audit.init().await.is_err());
    assert!(audit.append(&e).await.is_err());
    assert_eq!(records(&pool).await, 3);

    // The operator's command adopts them: only the count they expect, only an intact
    // unkeyed chain.
    let app_url = tests::app_database_url(&url).await;
    let adopt = |n: &'static str| {
        tokio::process::Command::new(tests::console_binary())
            .args(["audit", "adopt-unkeyed", "--records", n])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("POLAR_DATABASE_URL", &app_url)
            .env("POLAR_DATABASE_OWNER_URL", &url)
            .env("POLAR_MASTER_KEY", MASTER_KEY)
            .output()
    };
    let out = adopt("2").await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not 2"), "{stderr}");
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 2")
        .execute(&mut *conn)
        .await
        .unwrap();
    let out = adopt("3").await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken at record 2"), "{stderr}");
    sqlx::query("UPDATE audit_events SET actor_name = 'legacy' WHERE seq = 2")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(records(&pool).await, 3, "nothing was adopted");
    let out = adopt("3").await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The adoption is the first keyed record, and says who adopted what.
    let (action, actor, adopted): (String, String, serde_json::Value) =
        sqlx::query_as("SELECT action, actor_name, params FROM audit_events WHERE seq = 4")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(action, backend::audit::ADOPTED);
    assert!(actor.starts_with("audit adopt-unkeyed"), "{actor}");
    assert_eq!(adopted["records"], 3);
    // Once is enough.
    assert!(adopt("3").await.unwrap().status.code() == Some(1));
    // The keyed records follow.
    assert_eq!(audit.append(&e).await.unwrap(), 5);
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Intact { records: 5 }
    );
    let keyed_from: i64 = sqlx::query_scalar("SELECT keyed_from FROM audit_key")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(keyed_from, 4);

    // Rewriting the unkeyed part, even consistently, breaks the first keyed record.
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    let records = audit.page_from(0, 10).await.unwrap();
    let mut prev = records[0].hash.clone();
    for mut r in records.into_iter().skip(1).take(2) {
        if r.seq == 2 {
            r.actor_name = "someone else".into();
        }
        r.prev_hash = prev;
        r.hash = r.compute_hash();
        sqlx::query(
            "UPDATE audit_events SET actor_name = $2, prev_hash = $3, hash = $4 WHERE seq = $1",
        )
        .bind(r.seq)
        .bind(&r.actor_name)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .execute(&mut *conn)
        .await
        .unwrap();
        prev = r.hash;
    }
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, 4, "{problem}");
    // Claiming the key covers less does not work either: keyed_from is bound to the key.
    sqlx::query("UPDATE audit_key SET keyed_from = 6")
        .execute(&mut *conn)
        .await
        .unwrap();
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("key"), "{problem}");
}

#[tokio::test]
async fn the_audit_key_survives_a_master_key_rotation() {
    let app = TestApp::spawn().await;
    some_records(&app, 1).await;
    const K2: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
    let rotated = Arc::new(
        MasterKeys::new("k2", MasterKeys::decode_key("k", K2).unwrap())
            .with_old("k1", MasterKeys::decode_key("k", MASTER_KEY).unwrap()),
    );
    let audit = Audit::with_keys(app.pool.clone(), rotated, backend::metrics::Metrics::new());
    let mut conn = app.pool.acquire().await.unwrap();
    assert!(audit.rewrap_key(&mut conn).await.unwrap());
    drop(conn);
    // The new master key alone verifies everything written before and after.
    let only_new = Audit::with_keys(
        app.pool.clone(),
        Arc::new(MasterKeys::new(
            "k2",
            MasterKeys::decode_key("k", K2).unwrap(),
        )),
        backend::metrics::Metrics::new(),
    );
    let e =
        backend::audit::Event::security(Default::default(), "SignIn", backend::audit::Outcome::Ok);
    only_new.append(&e).await.unwrap();
    assert!(matches!(
        only_new.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
    // The old one alone no longer reads the key: verify says so instead of passing.
    let (_, problem) = broken(audit_of(&app).verify().await.unwrap());
    assert!(problem.contains("master key"), "{problem}");
}

/// A user the SSO proxy vouches for is created, and their role raised by their groups,
/// only together with the audit record (the attack run's admin created through the
/// proxy while the record failed).
#[tokio::test]
async fn a_proxy_user_is_not_created_or_raised_without_its_record() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[
            ("POLAR_TRUSTED_PROXIES", "127.0.0.1"),
            ("POLAR_PROXY_GROUP_ROLES", "dba=admin"),
        ],
        "127.0.0.1:0",
    )
    .await;
    let visit = |groups: &'static str| {
        let app = &app;
        async move {
            let res = app
                .http
                .get(format!("{}/clusters", app.base))
                .header("x-forwarded-user", "sso-sam")
                .header("x-forwarded-groups", groups)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let users = |name: &'static str| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users WHERE username = $1")
                .bind(name)
                .fetch_one(&app.pool)
                .await
                .unwrap()
        }
    };
    let created_before = records_of(&app, "UserCreated").await;

    fail_audit_of(&app, "UserCreated").await;
    let (status, body) = visit("").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("audit"), "the answer says why: {body}");
    assert_eq!(users("sso-sam").await, 0, "no user without its record");
    heal_audit(&app).await;
    let (status, body) = visit("").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(&app, "sso-sam").await, "viewer");
    assert_eq!(records_of(&app, "UserCreated").await, created_before + 1);

    fail_audit_of(&app, "UserRoleChanged").await;
    let (status, body) = visit("dba").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        role_of(&app, "sso-sam").await,
        "viewer",
        "not raised without its record"
    );
    heal_audit(&app).await;
    let (status, body) = visit("dba").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(role_of(&app, "sso-sam").await, "admin");
    assert_eq!(records_of(&app, "UserRoleChanged").await, 1);
    // Signing in again with nothing changed writes no change record.
    let (status, _) = visit("dba").await;
    assert_eq!(status, 200);
    assert_eq!(records_of(&app, "UserRoleChanged").await, 1);
}

/// An audit check that fails only at COMMIT (a deferred constraint trigger, as a stand-in
/// for a store that refuses the transaction at its end): nothing is committed and the
/// answer is 503, not 500.
#[tokio::test]
async fn a_record_refused_at_commit_answers_503_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    app.user_with_role("gwen", "viewer").await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'gwen'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for sql in [
        "CREATE OR REPLACE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.action = 'UserRoleChanged' THEN RAISE EXCEPTION 'refused at commit'; END IF;
             RETURN NEW;
         END $$",
        "CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON audit_events
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit()",
    ] {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
    let res = app
        .call_form(
            &admin,
            "set_user_role",
            &[("id", &id.to_string()), ("role", "admin")],
        )
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("nothing was"), "the answer says so: {body}");
    assert_eq!(role_of(&app, "gwen").await, "viewer");
    assert_eq!(records_of(&app, "UserRoleChanged").await, 0);
}

/// `rotate-keys` re-encrypts nothing unless its record is written with it.
#[tokio::test]
async fn rotate_keys_changes_nothing_without_its_record() {
    let app = TestApp::spawn().await;
    const K2: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
    let under = |app: &TestApp, key: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cloud_accounts WHERE key_id = $1")
                .bind(key)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let before = under(&app, "k1").await;
    assert!(before >= 1, "the sandbox account is under k1");
    let rotate = || {
        tokio::process::Command::new(tests::console_binary())
            .arg("rotate-keys")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("POLAR_DATABASE_URL", &app.console_database_url)
            .env("POLAR_MASTER_KEY_ID", "k2")
            .env("POLAR_MASTER_KEY", K2)
            .env("POLAR_OLD_MASTER_KEYS", format!("k1:{MASTER_KEY}"))
            .output()
    };
    fail_audit_of(&app, "MasterKeyRotated").await;
    let out = rotate().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing was re-encrypted"), "{stderr}");
    assert!(
        !stderr.contains("old_master_keys"),
        "not a key problem: {stderr}"
    );
    assert_eq!(under(&app, "k1").await, before, "secrets were re-encrypted");
    assert_eq!(under(&app, "k2").await, 0);
    let key_id: String = sqlx::query_scalar("SELECT key_id FROM audit_key WHERE id = 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(key_id, "k1", "the chain key was re-wrapped");

    heal_audit(&app).await;
    let out = rotate().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(under(&app, "k1").await, 0);
    assert_eq!(under(&app, "k2").await, before);
    assert_eq!(records_of(&app, "MasterKeyRotated").await, 1);
}

/// The owner empties the whole trail (records, key, head, checkpoints): an empty trail on a
/// console that has users is not intact.
#[tokio::test]
async fn an_emptied_trail_does_not_verify() {
    let app = TestApp::spawn().await;
    some_records(&app, 2).await;
    let mut su = superuser(&app).await;
    for table in [
        "audit_events",
        "audit_key",
        "audit_head",
        "audit_checkpoints",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *su)
            .await
            .unwrap();
    }
    drop(su);
    let (_, problem) = broken(audit_of(&app).verify().await.unwrap());
    assert!(problem.contains("empty"), "{problem}");
    // A console started on it does not make a new key and a new trail over the remains
    // (which `verify` would then call intact): it refuses to start.
    let e = audit_of(&app)
        .init()
        .await
        .expect_err("a new chain over an emptied trail");
    assert!(e.to_string().contains("restore"), "{e}");
    let (_, problem) = broken(audit_of(&app).verify().await.unwrap());
    assert!(problem.contains("empty"), "{problem}");
}

/// A wrong password is evaluated only if its record can be written: without the trail the
/// answer is 503, never a 401 whose record is lost.
#[tokio::test]
async fn a_failed_sign_in_without_its_record_answers_503() {
    let app = TestApp::spawn().await;
    fail_audit_of(&app, "SignInFailed").await;
    let res = app.post_sign_in("admin", "a-wrong-password").await;
    assert_eq!(res.status(), 503);
    heal_audit(&app).await;
    let res = app.post_sign_in("admin", "a-wrong-password").await;
    assert_eq!(res.status(), 401);
    assert_eq!(records_of(&app, "SignInFailed").await, 1);
}

/// The right password is a sign-in only with its record: through the browser's plain form
/// (no wasm) too, the answer is 503 and no session is left that opens a page.
#[tokio::test]
async fn a_sign_in_without_its_record_leaves_no_session() {
    let app = TestApp::spawn().await;
    fail_audit_of(&app, "SignIn").await;
    let password = app.admin_password.clone();
    let res = app.post_sign_in("admin", &password).await;
    assert_eq!(res.status(), 503);
    // Not a redirect, no device remembered, no sign-in time noted (fifth attack run).
    assert!(
        res.headers().get("location").is_none(),
        "{:?}",
        res.headers()
    );
    let devices = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM sign_in_devices d JOIN users u ON u.id = d.user_id
                 WHERE u.username = 'admin'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let noted = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, bool>(
                "SELECT last_sign_in_at IS NOT NULL FROM users WHERE username = 'admin'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        tests::named_cookie(&res, "polar_device"),
        None,
        "no device cookie without the record"
    );
    assert_eq!(devices(&app).await, 0, "no device row without the record");
    assert!(!noted(&app).await, "no sign-in time without the record");
    if let Some(cookie) = tests::cookie_of(&res) {
        let page = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_ne!(page.status(), 200, "a session without its SignIn record");
    }
    heal_audit(&app).await;
    let res = app.post_sign_in("admin", &password).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(records_of(&app, "SignIn").await, 1);
    assert_eq!(devices(&app).await, 1);
    assert!(noted(&app).await);
}

/// A single sign-on visit that starts a session is served only with its `SignIn` record:
/// without it the answer is 503, the session is ended and the sign-in time is not noted
/// (before, the record's failure was logged and the request served).
#[tokio::test]
async fn a_proxy_sign_in_without_its_record_is_not_served() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_TRUSTED_PROXIES", "127.0.0.1")],
        "127.0.0.1:0",
    )
    .await;
    let visit = || async {
        let res = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("x-forwarded-user", "sso-pat")
            .send()
            .await
            .unwrap();
        let cookie = tests::cookie_of(&res);
        (res.status().as_u16(), cookie)
    };
    let noted = || async {
        sqlx::query_scalar::<_, Option<bool>>(
            "SELECT last_sign_in_at IS NOT NULL FROM users WHERE username = 'sso-pat'",
        )
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .flatten()
    };
    fail_audit_of(&app, "SignIn").await;
    let (status, cookie) = visit().await;
    assert_eq!(status, 503);
    assert_eq!(records_of(&app, "SignIn").await, 0);
    assert_ne!(
        noted().await,
        Some(true),
        "no sign-in time without the record"
    );
    if let Some(cookie) = cookie {
        // That session is not one: without the proxy's header it is signed out.
        let page = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_ne!(page.status(), 200, "a session without its SignIn record");
    }
    heal_audit(&app).await;
    let (status, _) = visit().await;
    assert_eq!(status, 200);
    assert_eq!(records_of(&app, "SignIn").await, 1);
    assert_eq!(noted().await, Some(true));
}

/// The owner cuts the tail (records and the checkpoints above the cut) while the console
/// runs: the console does not go on from the cut, which would make the next records look
/// like the genuine end (fifth attack run, N1). Its writes answer 503 and the trail is
/// left as the owner left it.
#[tokio::test]
async fn a_tail_cut_under_a_running_console_is_not_continued() {
    let app = TestApp::spawn().await;
    let cookie = some_records(&app, 3).await;
    let end = chain_end(&app).await;
    let mut su = superuser(&app).await;
    sqlx::query("DELETE FROM audit_events WHERE seq > $1")
        .bind(end - 2)
        .execute(&mut *su)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_checkpoints WHERE seq > $1")
        .bind(end - 2)
        .execute(&mut *su)
        .await
        .unwrap();
    drop(su);
    not_continued(&app, &cookie, end - 2).await;
    // The head still names the cut record, so verify sees the cut.
    broken(audit_of(&app).verify().await.unwrap());
}

/// The owner keeps a copy of the head row (a plain read; the MAC needs no key), and later
/// cuts the tail back to it and puts the copy back: the trail then looks whole, but the
/// running console knows the records it wrote and does not go on from the cut (sixth attack
/// run, F3: it did, and `verify` passed over the lost records).
#[tokio::test]
async fn a_tail_cut_with_an_old_head_put_back_is_not_continued() {
    let app = TestApp::spawn().await;
    let cookie = some_records(&app, 1).await;
    let mut su = superuser(&app).await;
    sqlx::query("CREATE TABLE saved_head AS SELECT * FROM audit_head")
        .execute(&mut *su)
        .await
        .unwrap();
    let saved = chain_end(&app).await;
    some_records(&app, 3).await;
    assert!(chain_end(&app).await > saved);
    for sql in [
        "BEGIN",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        &format!("DELETE FROM audit_events WHERE seq > {saved}"),
        &format!("DELETE FROM audit_checkpoints WHERE seq > {saved}"),
        "DELETE FROM audit_head",
        "INSERT INTO audit_head SELECT * FROM saved_head",
        "ALTER TABLE audit_events ENABLE TRIGGER USER",
        "COMMIT",
    ] {
        sqlx::query(sql).execute(&mut *su).await.unwrap();
    }
    drop(su);
    not_continued(&app, &cookie, saved).await;
}

/// After a cut: a call and a wrong password answer 503, and the trail still ends at `end`.
async fn not_continued(app: &TestApp, cookie: &str, end: i64) {
    let res = app
        .call_json(
            cookie,
            "call_api",
            serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                "action": "DescribeDBClusters", "params": []}),
        )
        .await;
    assert_eq!(res.status(), 503, "{}", res.text().await.unwrap());
    let res = app.post_sign_in("admin", "a-wrong-password").await;
    assert_eq!(res.status(), 503);
    assert_eq!(chain_end(app).await, end, "nothing appended after the cut");
}

/// Every refusal is answered as one only with its record: with the trail refusing denied
/// records, a policy denial, invalid input, an unknown cloud account, a console denial and
/// a cross-origin change with a session answer 503, not 403/400/404; a sign-out still ends
/// the session but answers 503 (sixth attack run, F4: all nine answered normally, records
/// lost). With the trail back, the same requests get their own answers.
#[tokio::test]
async fn refusals_without_their_record_answer_503() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let viewer = app.user_with_role("vera", "viewer").await;
    // ModifyDBClusterDescription of `cluster` through the JSON API.
    let call = |cookie: String, account: &'static str, cluster: &'static str| {
        let app = &app;
        async move {
            app.call_json(
                &cookie,
                "call_api",
                serde_json::json!({"account": account, "region": "cn-hangzhou",
                    "action": "ModifyDBClusterDescription",
                    "params": [["DBClusterId", cluster], ["DBClusterDescription", "d"]]}),
            )
            .await
            .status()
            .as_u16()
        }
    };
    let cross_origin = |cookie: String| {
        let app = &app;
        async move {
            app.http
                .post(format!("{}{}", app.base, app.server_fn("list_users")))
                .header("cookie", cookie)
                .header("origin", "https://elsewhere.example")
                .form(&[("x", "1")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let requests = |fine: bool| {
        let (admin, viewer) = (admin.clone(), viewer.clone());
        let app = &app;
        async move {
            vec![
                (
                    "policy denial",
                    call(viewer.clone(), "sandbox", "pc-x").await,
                    if fine { 403 } else { 503 },
                ),
                (
                    "NUL byte",
                    call(admin.clone(), "sandbox", "pc-\u{0}").await,
                    if fine { 400 } else { 503 },
                ),
                (
                    "unknown account",
                    call(admin.clone(), "nowhere", "pc-x").await,
                    if fine { 404 } else { 503 },
                ),
                (
                    "console denial",
                    app.call_form(&viewer, "list_users", &[])
                        .await
                        .status()
                        .as_u16(),
                    if fine { 403 } else { 503 },
                ),
                (
                    "cross-origin",
                    cross_origin(admin.clone()).await,
                    if fine { 403 } else { 503 },
                ),
            ]
        }
    };
    fail_audit_where(&app, "NEW.outcome = 'denied'").await;
    let denied_before = denied_records(&app).await;
    for (what, got, want) in requests(false).await {
        assert_eq!(got, want, "{what} without its record");
    }
    assert_eq!(denied_records(&app).await, denied_before);
    heal_audit(&app).await;
    for (what, got, want) in requests(true).await {
        assert_eq!(got, want, "{what} with its record");
    }
    assert_eq!(denied_records(&app).await, denied_before + 5);
    // A sign-out without its record: the session ends all the same, and the answer says
    // the record is missing.
    fail_audit_of(&app, "SignOut").await;
    let res = app.call_form(&viewer, "sign_out", &[]).await;
    assert_eq!(res.status(), 503);
    let page = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &viewer)
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200, "the session ended");
    heal_audit(&app).await;
}

async fn denied_records(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE outcome = 'denied'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Makes every audit record matching `condition` (on `NEW`) fail, as a full store would.
async fn fail_audit_where(app: &TestApp, condition: &str) {
    sqlx::query(&format!(
        "CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF {condition} THEN RAISE EXCEPTION 'the audit store is full'; END IF;
             RETURN NEW;
         END $$"
    ))
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("DROP TRIGGER IF EXISTS test_fail_audit ON audit_events")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_events
         FOR EACH ROW EXECUTE FUNCTION test_fail_audit()",
    )
    .execute(&app.pool)
    .await
    .unwrap();
}

/// A refused read of the audit trail is on the trail too (seventh attack run, N4: a role
/// with neither audit permission got 403 and no record), and without its record it is 503.
#[tokio::test]
async fn a_refused_audit_read_is_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let policy = serde_json::json!({"Statement": [
        {"Effect": "Allow", "Action": ["polardb:Describe*"], "Resource": ["*"]}]})
    .to_string();
    let res = app
        .call_form(
            &admin,
            "save_role",
            &[("name", "blind"), ("description", "x"), ("policy", &policy)],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let blind = app.user_with_role("bea", "blind").await;
    let denied = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_events WHERE actor_name = 'bea' AND outcome = 'denied'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let res = app
        .call_json(&blind, "search_audit", serde_json::json!({}))
        .await;
    assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
    assert_eq!(denied().await, 1);
    fail_audit_where(&app, "NEW.outcome = 'denied'").await;
    let res = app
        .call_json(&blind, "search_audit", serde_json::json!({}))
        .await;
    assert_eq!(res.status(), 503);
    heal_audit(&app).await;
    assert_eq!(denied().await, 1);
}

/// SSO groups that map to a role the console does not have: the sign-in is refused (403)
/// and says why, instead of calling the database unavailable (seventh attack run, N5).
#[tokio::test]
async fn a_group_mapped_to_a_missing_role_is_refused_and_says_why() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[
            ("POLAR_TRUSTED_PROXIES", "127.0.0.1"),
            ("POLAR_PROXY_GROUP_ROLES", "ghost=nosuchrole"),
        ],
        "127.0.0.1:0",
    )
    .await;
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("x-forwarded-user", "sso-gus")
        .header("x-forwarded-groups", "ghost")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("nosuchrole"), "{body}");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE username = 'sso-gus'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
    // The refusal is recorded (eighth attack run, E5), and without its record it is a 503.
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'ProxySignInRefused'
           AND actor_name = 'sso-gus' AND outcome = 'denied' AND params->>'reason' LIKE '%nosuchrole%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
    fail_audit_of(&app, "ProxySignInRefused").await;
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("x-forwarded-user", "sso-gus")
        .header("x-forwarded-groups", "ghost")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    heal_audit(&app).await;
}

/// The console's start with `POLAR_DATABASE_URL` as its own role: `Ok` or why not.
async fn start_console(app: &TestApp) -> Result<(), String> {
    let env = vec![
        (
            "POLAR_DATABASE_URL".to_string(),
            app.console_database_url.clone(),
        ),
        ("POLAR_MASTER_KEY".to_string(), MASTER_KEY.to_string()),
    ];
    let config = server::config::Sources::load(None, env)
        .and_then(|s| s.build())
        .unwrap();
    match server::start(&config).await {
        Ok(started) => {
            started.background.stop(Duration::from_secs(1)).await;
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The owner keeps the chain key and removes every record, the checkpoints and then the
/// head too (fourth attack run, F2a): the console already running writes nothing over it
/// (its next record would start a new chain under the old key), one starting refuses,
/// and `verify` does not call it intact.
#[tokio::test]
async fn a_trail_emptied_under_its_key_is_not_continued() {
    let app = TestApp::spawn().await;
    some_records(&app, 1).await;
    let mut su = superuser(&app).await;
    for table in ["audit_events", "audit_checkpoints"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *su)
            .await
            .unwrap();
    }
    for round in ["head kept", "head removed"] {
        let res = app
            .call_form(
                "",
                "sign_in",
                &[("username", "admin"), ("password", &app.admin_password)],
            )
            .await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(
            status, 503,
            "{round}: a sign-in started a new chain: {body}"
        );
        let e = audit_of(&app)
            .init()
            .await
            .expect_err("a console continued an emptied trail");
        assert!(e.to_string().contains("restore"), "{round}: {e}");
        let err = start_console(&app).await.expect_err("refused to start");
        assert!(err.contains("every record was removed"), "{round}: {err}");
        assert_eq!(chain_end(&app).await, 0, "{round}");
        broken(audit_of(&app).verify().await.unwrap());
        sqlx::query("DELETE FROM audit_head")
            .execute(&mut *su)
            .await
            .unwrap();
    }
}

/// The owner empties the trail and hides the users, cloud accounts and custom roles while
/// a console starts once (fourth attack run, F2b): that console makes a new key and its
/// own records, but with the state back `verify` finds users, roles and accounts whose
/// creation the new trail does not record.
#[tokio::test]
async fn a_trail_replaced_while_the_state_was_hidden_does_not_verify() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let res = app
        .call_form(
            &admin,
            "save_role",
            &[
                ("name", "hidden-role"),
                ("description", "test"),
                (
                    "policy",
                    r#"{"Statement":[{"Effect":"Allow","Action":["polardb:Describe*"],"Resource":["*"]}]}"#,
                ),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    app.user_with_role("erin", "viewer").await;
    let audit = audit_of(&app);
    assert!(matches!(
        audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));

    let mut su = superuser(&app).await;
    for sql in [
        "DELETE FROM audit_events",
        "DELETE FROM audit_key",
        "DELETE FROM audit_head",
        "DELETE FROM audit_checkpoints",
        "ALTER TABLE users RENAME TO users_hidden",
        "CREATE TABLE users (LIKE users_hidden INCLUDING ALL)",
        "ALTER TABLE cloud_accounts RENAME TO cloud_accounts_hidden",
        "CREATE TABLE cloud_accounts (LIKE cloud_accounts_hidden INCLUDING ALL)",
        "UPDATE roles SET builtin = true WHERE name = 'hidden-role'",
    ] {
        sqlx::query(sql).execute(&mut *su).await.unwrap();
    }
    // A console starting now sees a new database: a new key and its first record.
    let fresh = audit_of(&app);
    fresh.init().await.unwrap();
    let e =
        backend::audit::Event::security(Default::default(), "SignIn", backend::audit::Outcome::Ok);
    fresh.append(&e).await.unwrap();
    for sql in [
        "DROP TABLE users",
        "ALTER TABLE users_hidden RENAME TO users",
        "DROP TABLE cloud_accounts",
        "ALTER TABLE cloud_accounts_hidden RENAME TO cloud_accounts",
        "UPDATE roles SET builtin = false WHERE name = 'hidden-role'",
    ] {
        sqlx::query(sql).execute(&mut *su).await.unwrap();
    }
    // Each kind is checked: users first, then custom roles, then cloud accounts.
    let (seq, problem) = broken(audit.verify().await.unwrap());
    assert_eq!(seq, 1, "{problem}");
    assert!(problem.contains("user 'admin'"), "{problem}");
    assert!(problem.contains("no record of its creation"), "{problem}");
    sqlx::query("DELETE FROM users")
        .execute(&mut *su)
        .await
        .unwrap();
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("custom role 'hidden-role'"), "{problem}");
    sqlx::query("DELETE FROM roles WHERE NOT builtin")
        .execute(&mut *su)
        .await
        .unwrap();
    let (_, problem) = broken(audit.verify().await.unwrap());
    assert!(problem.contains("cloud account 'sandbox'"), "{problem}");
    sqlx::query("DELETE FROM cloud_accounts")
        .execute(&mut *su)
        .await
        .unwrap();
    assert_eq!(
        audit.verify().await.unwrap(),
        Verdict::Intact { records: 1 }
    );
}

/// An SSO sign-in refused because a local account has the name is answered as a refusal
/// only with its record; without the trail it is 503, like every other refusal (fourth
/// attack run, F4).
#[tokio::test]
async fn a_refused_proxy_sign_in_without_its_record_answers_503() {
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_TRUSTED_PROXIES", "127.0.0.1")],
        "127.0.0.1:0",
    )
    .await;
    let visit = || async {
        app.http
            .get(format!("{}/clusters", app.base))
            .header("x-forwarded-user", "admin")
            .send()
            .await
            .unwrap()
            .status()
    };
    fail_audit_of(&app, "ProxySignInRefused").await;
    assert_eq!(visit().await, 503);
    assert_eq!(records_of(&app, "ProxySignInRefused").await, 0);
    heal_audit(&app).await;
    assert_eq!(visit().await, 403);
    assert_eq!(records_of(&app, "ProxySignInRefused").await, 1);
}

/// A role saved with a padded name is recorded as it is stored, with the policy it now
/// holds, and the trail still verifies (thirteenth attack run, F2: the record kept the
/// name as sent, and `audit verify` then reported the trail replaced).
#[tokio::test]
async fn a_saved_role_is_recorded_as_stored() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let policy = serde_json::json!({"Statement": [
        {"Effect": "Allow", "Action": ["polardb:Describe*"], "Resource": ["*"]}]});
    let res = app
        .call_form(
            &admin,
            "save_role",
            &[
                ("name", "  padded "),
                ("description", "  reads only "),
                ("policy", &policy.to_string()),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let params: serde_json::Value = sqlx::query_scalar(
        "SELECT params FROM audit_events WHERE action = 'RoleSaved' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(params["role"], "padded", "{params}");
    assert_eq!(params["description"], "reads only", "{params}");
    assert_eq!(
        params["policy"]["Statement"][0]["Action"][0], "polardb:Describe*",
        "{params}"
    );
    let end = chain_end(&app).await;
    assert_eq!(
        audit_of(&app).verify().await.unwrap(),
        Verdict::Intact { records: end }
    );
}
