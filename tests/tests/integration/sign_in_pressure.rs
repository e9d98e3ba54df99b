//! Sign-in under pressure (issue 13, findings 7 and 8): limits counted atomically with the
//! attempt, per address (refuses) and per user (slows, never locks out every address); a
//! cap on concurrent password hashing; `change_password` counted too; SSO names never
//! become local accounts. Client addresses are simulated with `X-Forwarded-For` from the
//! trusted proxy (this host).

use std::time::{Duration, Instant};

use futures::future::join_all;
use tests::{cookie_of, TestApp};

const ATTACKER: &str = "203.0.113.7";
const REAL_USER: &str = "198.51.100.9";

async fn console(extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![("POLAR_TRUSTED_PROXIES", "127.0.0.1")];
    settings.extend_from_slice(extra);
    TestApp::spawn_custom(emulator::state::default_seed(), &settings, "127.0.0.1:0").await
}

/// The sign-in form posted from `addr` (as the trusted proxy forwards it).
async fn sign_in_from(
    app: &TestApp,
    action: &str,
    addr: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    app.http
        .post(format!("{}{action}", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .header("x-forwarded-for", addr)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a 429 without a numeric Retry-After: {:?}", res.headers()))
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_concurrent_burst_is_limited_and_the_real_user_still_signs_in_elsewhere() {
    let app = console(&[]).await;
    let action = app.sign_in_action().await;
    let answers = join_all((0..50).map(|i| {
        sign_in_from(
            &app,
            &action,
            ATTACKER,
            "admin",
            if i % 2 == 0 {
                "wrong-password-1"
            } else {
                "wrong-password-2"
            },
        )
    }))
    .await;
    let mut evaluated = 0;
    let mut limited = 0;
    for res in &answers {
        match res.status().as_u16() {
            401 => evaluated += 1,
            429 => {
                limited += 1;
                assert!(retry_after(res) >= 1);
            }
            other => panic!("a wrong password answered {other}"),
        }
    }
    let limit = backend::identity::MAX_ATTEMPTS_PER_ADDRESS as usize;
    assert!(
        evaluated <= limit,
        "{evaluated} of 50 concurrent wrong passwords were evaluated (limit {limit})"
    );
    assert_eq!(evaluated + limited, 50);
    assert!(limited >= 50 - limit);
    // Every evaluated attempt is audited; the refused ones are not (they cost nothing).
    assert_eq!(audit_count(&app, "SignInFailed").await, evaluated as i64);

    // The address's remaining failures, one at a time (an attempt that the user name's
    // pace refused gave its place back); then it is refused, even the right password.
    let mut used = evaluated;
    for _ in 0..30 {
        if used >= limit {
            break;
        }
        let res = sign_in_from(&app, &action, ATTACKER, "admin", "wrong-password-3").await;
        match res.status().as_u16() {
            401 => used += 1,
            429 => tokio::time::sleep(Duration::from_secs(retry_after(&res))).await,
            other => panic!("a wrong password answered {other}"),
        }
    }
    assert_eq!(used, limit);
    let res = sign_in_from(&app, &action, ATTACKER, "admin", &app.admin_password).await;
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) > 60, "refused until the window ends");

    // From another address the real user gets in: perhaps after a short wait, never locked.
    let started = Instant::now();
    let mut tries = 0;
    let cookie = loop {
        tries += 1;
        let res = sign_in_from(&app, &action, REAL_USER, "admin", &app.admin_password).await;
        match res.status().as_u16() {
            300..=399 => break cookie_of(&res).expect("a session cookie"),
            429 if tries < 5 => {
                let wait = retry_after(&res);
                assert!(wait <= 30, "the real user was told to wait {wait} s");
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            other => panic!("the real user's sign-in answered {other} (try {tries})"),
        }
    };
    assert!(started.elapsed() < Duration::from_secs(60));
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn password_hashing_is_capped_then_refused_with_429() {
    // One hashing slot: at most one hash runs and eight wait; the rest are refused at once.
    let app = console(&[("POLAR_PASSWORD_HASHING_CONCURRENCY", "1")]).await;
    let action = app.sign_in_action().await;
    // Thirty users with the administrator's password, each from an address of its own:
    // no user name's pace spaces the burst out (one name's attempts wait for each other,
    // and on a fast machine that alone kept the hashing line short), so all thirty reach
    // the hashing line at once.
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, password_hash)
         SELECT gen_random_uuid(), 'burst' || g, 'burst ' || g, role, password_hash
         FROM users, generate_series(1, 30) g WHERE username = 'admin'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let addrs: Vec<String> = (0..30).map(|i| format!("192.0.2.{}", i + 1)).collect();
    let names: Vec<String> = (1..=30).map(|i| format!("burst{i}")).collect();
    let answers = join_all(
        addrs
            .iter()
            .zip(&names)
            .map(|(a, n)| sign_in_from(&app, &action, a, n, &app.admin_password)),
    )
    .await;
    let signed_in = answers
        .iter()
        .filter(|r| r.status().is_redirection())
        .count();
    let busy: Vec<_> = answers.iter().filter(|r| r.status() == 429).collect();
    assert_eq!(signed_in + busy.len(), 30, "only a redirect or 429");
    assert!(signed_in >= 1);
    assert!(
        !busy.is_empty(),
        "30 concurrent hashes on one slot were all accepted"
    );
    for res in busy {
        assert!(retry_after(res) >= 1);
    }
    // A refused attempt was never evaluated: it does not count against its address.
    let res = sign_in_from(&app, &action, &addrs[29], "admin", &app.admin_password).await;
    assert!(res.status().is_redirection(), "{}", res.status());
}

#[tokio::test]
async fn wrong_current_passwords_in_a_burst_get_429() {
    let app = console(&[]).await;
    let cookie = app.user_with_role("gina", "viewer").await;
    let path = app.server_fn("change_password");
    let answers = join_all((0..30).map(|_| {
        app.http
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .header("origin", &app.base)
            .header("x-forwarded-for", ATTACKER)
            .form(&[
                ("current_password", "not-the-password"),
                ("new_password", "a-new-long-password"),
                ("confirm_password", "a-new-long-password"),
            ])
            .send()
    }))
    .await;
    let mut evaluated = 0;
    let mut limited = 0;
    for res in answers {
        let res = res.unwrap();
        match res.status().as_u16() {
            429 => {
                limited += 1;
                assert!(retry_after(&res) >= 1);
            }
            s if s < 300 => panic!("a wrong current password was accepted"),
            _ => {
                evaluated += 1;
                assert!(res.text().await.unwrap().contains("current_password"));
            }
        }
    }
    let limit = backend::identity::MAX_ATTEMPTS_PER_ADDRESS as usize;
    assert!(
        evaluated <= limit,
        "{evaluated} wrong current passwords evaluated"
    );
    assert!(limited >= 30 - limit, "only {limited} of 30 got 429");
    assert_eq!(
        audit_count(&app, "PasswordChangeFailed").await,
        evaluated as i64
    );
    // The password is unchanged.
    let res = sign_in_from(
        &app,
        &action_of(&app).await,
        REAL_USER,
        "gina",
        "gina-password-123",
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
}

async fn action_of(app: &TestApp) -> String {
    app.sign_in_action().await
}

#[tokio::test]
async fn an_sso_user_named_like_a_local_account_is_refused_and_audited() {
    let app = console(&[("POLAR_PROXY_GROUP_ROLES", "dba=admin")]).await;
    let admin_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("x-forwarded-user", "admin")
        .header("x-forwarded-groups", "dba")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let cookie = cookie_of(&res);
    assert!(
        !res.text().await.unwrap().contains("Administrator"),
        "the local administrator's page was served"
    );
    // No session was started for the local administrator.
    if let Some(cookie) = cookie {
        let res = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "the refused request left a session");
    }
    let signed_in: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'SignIn' AND actor_id = $1",
    )
    .bind(admin_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(signed_in, 0);
    // The local account is untouched (still local, still its own role and password).
    let (source, role): (String, String) =
        sqlx::query_as("SELECT auth_source, role FROM users WHERE username = 'admin'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((source.as_str(), role.as_str()), ("local", "admin"));
    // A security record names the refused header identity.
    let (actor, outcome, kind): (String, String, String) = sqlx::query_as(
        "SELECT actor_name, outcome, kind FROM audit_events WHERE action = 'ProxySignInRefused'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), outcome.as_str(), kind.as_str()),
        ("admin", "denied", "security")
    );
    // Other SSO users still sign in, and the local administrator still signs in locally.
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("x-forwarded-user", "alice")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.sign_in_admin().await;

    // A case variant of the local name is refused too; so is a header that carries two
    // names (a proxy joins repeated headers with commas). Neither makes a user.
    for (header, status) in [("Admin", 403), ("admin,ssobob", 400), ("ssobob,admin", 400)] {
        let res = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("x-forwarded-user", header)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{header}");
    }
    // Headers of two proxy families: the browser's cannot add groups to the proxy's user.
    for extra in [
        ("x-forwarded-user", "ssobob"),
        ("x-forwarded-groups", "dba"),
    ] {
        let res = app
            .http
            .get(format!("{}/clusters", app.base))
            .header("remote-user", "carol")
            .header("remote-groups", "developers")
            .header(extra.0, extra.1)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{extra:?}");
    }
    let made: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users
         WHERE lower(username) = 'admin' OR username LIKE '%,%' OR username = 'carol'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(made, 1, "only the local administrator");
}

/// A guesser spread over many addresses slows the user name down; the real user, on a
/// browser that signed in as them before (its device cookie), is paced on their own and
/// gets in at once. A forged or foreign device cookie counts for nothing.
#[tokio::test]
async fn a_distributed_guesser_does_not_hold_off_the_real_users_browser() {
    let app = console(&[]).await;
    let action = app.sign_in_action().await;
    let gina = app.user_with_role("gina", "viewer").await;
    drop(gina);
    // Yesterday: the real user signed in on this browser, and gina on hers.
    let res = sign_in_from(&app, &action, REAL_USER, "admin", &app.admin_password).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let device = tests::named_cookie(&res, "polar_device").expect("a device cookie");
    let res = sign_in_from(&app, &action, REAL_USER, "gina", "gina-password-123").await;
    let ginas_device = tests::named_cookie(&res, "polar_device").expect("a device cookie");

    // Today: wrong passwords for `admin` from many addresses (two each, so no address
    // limit is reached), until the user name's pace refuses them.
    let mut paced = false;
    for i in 0..40 {
        let addr = format!("203.0.113.{}", 10 + i / 2);
        let res = sign_in_from(&app, &action, &addr, "admin", "guessed-password").await;
        match res.status().as_u16() {
            401 => {}
            429 => {
                paced = true;
                break;
            }
            other => panic!("a wrong password answered {other}"),
        }
    }
    assert!(paced, "the guesser was never slowed down");
    // Let the guesser's delay grow past the time an attempt is held.
    sqlx::query(
        "UPDATE sign_in_limits SET next_at = now() + interval '10 minutes' WHERE scope = 'user'",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let from_browser = |cookie: String| {
        let app = &app;
        let action = action.clone();
        async move {
            app.http
                .post(format!("{}{action}", app.base))
                .header("origin", &app.base)
                .header("accept", "text/html")
                .header("x-forwarded-for", REAL_USER)
                .header("cookie", cookie)
                .form(&[
                    ("username", "admin"),
                    ("password", app.admin_password.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // Without the device cookie, or with a forged or another user's, the pace holds.
    let forged = format!("{}={}", device.split('=').next().unwrap(), "A".repeat(43));
    for cookie in [String::new(), forged, ginas_device] {
        let res = from_browser(cookie.clone()).await;
        assert_eq!(res.status(), 429, "with {cookie:?}");
    }
    // With it, the right password gets in at once, and the session works.
    let started = Instant::now();
    let res = from_browser(device.clone()).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(started.elapsed() < Duration::from_secs(5));
    let session = cookie_of(&res).expect("a session");
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A device cookie does not buy wrong passwords: they are paced on the device, and the
    // address limit still holds.
    let mut refused = false;
    for _ in 0..12 {
        let res = app
            .http
            .post(format!("{}{action}", app.base))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .header("x-forwarded-for", REAL_USER)
            .header("cookie", &device)
            .form(&[("username", "admin"), ("password", "still-guessing")])
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            refused = true;
            break;
        }
        assert_eq!(res.status(), 401);
    }
    assert!(
        refused,
        "wrong passwords with a device cookie were never limited"
    );
}
