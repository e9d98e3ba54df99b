//! Notifications (#16): channels an administrator adds reach a receiver on loopback that
//! checks what a real one checks — the webhook's X-Polar-Signature over timestamp and body,
//! DingTalk's signed URL; a failed delivery is retried; a fact is told once, also by
//! another process; a channel's URL and secret never come back, not in an answer nor in
//! the audit trail; only `console:ManageNotifications` may touch them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tests::TestApp;

#[derive(Clone, Debug)]
struct Seen {
    path_and_query: String,
    headers: axum::http::HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
pub(crate) struct Receiver {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Answer 500 this many times first.
    fail: Arc<AtomicUsize>,
}

pub(crate) async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    let state = r.clone();
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
            let state = state.clone();
            async move {
                state.seen.lock().unwrap().push(Seen {
                    path_and_query: uri
                        .path_and_query()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    headers,
                    body,
                });
                if state
                    .fail
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, String::new());
                }
                (
                    axum::http::StatusCode::OK,
                    r#"{"errcode":0,"errmsg":"ok"}"#.to_string(),
                )
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), r)
}

/// A channel's id, by name, from `notifications`' answer.
pub(crate) fn channel_id(view: &Value, name: &str) -> String {
    view["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

async fn form(app: &TestApp, cookie: &str, name: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = app.call_form(cookie, name, fields).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn notifier(app: &TestApp) -> backend::notify::Notifier {
    let key = backend::vault::MasterKeys::decode_key("master_key", tests::MASTER_KEY).unwrap();
    backend::notify::Notifier::new(
        app.pool.clone(),
        Arc::new(backend::vault::MasterKeys::new("k1", key)),
        backend::metrics::Metrics::new(),
    )
    .with_outbound(backend::outbound::OutboundPolicy {
        allow_private: true,
        own: None,
    })
}

fn maintenance(env: &str) -> backend::notify::Message {
    backend::notify::Message {
        kind: backend::notify::EventKind::MaintenanceNew,
        dedup: "maintenance_new:10001".into(),
        title: "Maintenance scheduled".into(),
        text: "A minor version upgrade of pc-1 is scheduled.".into(),
        zh: None,
        cloud_account: Some("sandbox".into()),
        region: Some("cn-hangzhou".into()),
        cluster: Some("pc-1".into()),
        tags: vec![("env".into(), env.into())],
        at: "2026-12-01T00:00:00Z".into(),
    }
}

#[tokio::test]
async fn channels_reach_signed_receivers_with_retries_and_tell_a_fact_once() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (base, rx) = receiver().await;
    let hook_secret = "whsec-0123456789abcdef";
    let ding_secret = "SECding0123456789abcdef";

    // A viewer may not add one (refused, recorded).
    let viewer = app.user_with_role("vera", "viewer").await;
    let (status, _) = form(
        &app,
        &viewer,
        "add_channel",
        &[
            ("name", "x"),
            ("kind", "slack"),
            ("url", "https://hooks.slack.com/x"),
        ],
    )
    .await;
    assert_eq!(status, 403);

    // Rules of the form: a webhook needs its secret; a private address needs the setting
    // (the test console has it), so a bad URL is refused by field.
    let (status, body) = form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "hook"),
            ("kind", "webhook"),
            ("url", &format!("{base}/hook")),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("secret"), "{body}");
    let (status, body) = form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "hook"),
            ("kind", "webhook"),
            ("url", "ftp://x/"),
            ("secret", hook_secret),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("url"), "{body}");

    // A channel speaks one language: a language that is not the console's is refused by
    // field; left out, it is the page's (English here).
    let (status, body) = form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "ding"),
            ("kind", "dingtalk"),
            ("url", &format!("{base}/robot/send?access_token=tok-ding-1")),
            ("language", "fr"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("language"), "{body}");
    for (name, kind, url, secret, language) in [
        ("hook", "webhook", format!("{base}/hook"), hook_secret, ""),
        (
            "ding",
            "dingtalk",
            format!("{base}/robot/send?access_token=tok-ding-1"),
            ding_secret,
            "zh",
        ),
    ] {
        let mut fields = vec![
            ("name", name),
            ("kind", kind),
            ("url", url.as_str()),
            ("secret", secret),
        ];
        if !language.is_empty() {
            fields.push(("language", language));
        }
        let (status, body) = form(&app, &admin, "add_channel", &fields).await;
        assert_eq!(status, 200, "{body}");
    }
    let res = app.call_json(&admin, "notifications", json!({})).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    for hidden in [hook_secret, ding_secret, "tok-ding-1", "/hook"] {
        assert!(!text.contains(hidden), "{hidden} shown in {text}");
    }
    let view: Value = serde_json::from_str(&text).unwrap();
    let id_of = |name: &str| channel_id(&view, name);
    let (hook, ding) = (id_of("hook"), id_of("ding"));
    assert_eq!(view["channels"][0]["url_shown"], base.as_str());
    let language_of = |name: &str| {
        view["channels"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == name))
            .map(|c| c["language"].clone())
    };
    assert_eq!(language_of("hook"), Some(json!("en")));
    assert_eq!(language_of("ding"), Some(json!("zh")));

    // The test button: the webhook's signature verifies with the secret over
    // "<timestamp>.<body>", the timestamp is now.
    let (status, body) = form(&app, &admin, "test_channel", &[("id", &hook)]).await;
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["state"], "sent", "{d}");
    let got = rx.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(got.path_and_query, "/hook");
    let ts = got.headers["x-polar-timestamp"]
        .to_str()
        .unwrap()
        .to_string();
    assert!((ts.parse::<i64>().unwrap() - now()).abs() < 60);
    let want = format!(
        "sha256={}",
        hex::encode(hmac256(
            hook_secret.as_bytes(),
            format!("{ts}.{}", got.body).as_bytes()
        ))
    );
    assert_eq!(got.headers["x-polar-signature"].to_str().unwrap(), want);
    let payload: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(payload["event"], "test");
    assert_eq!(payload["language"], "en");
    assert_eq!(payload["title"], "Polar Console test message");

    // DingTalk: the token stays in the URL; timestamp (ms) and sign are added; the sign is
    // base64 HMAC-SHA256(secret, "<ms>\n<secret>").
    let (status, body) = form(&app, &admin, "test_channel", &[("id", &ding)]).await;
    assert_eq!(status, 200, "{body}");
    let got = rx.seen.lock().unwrap().last().cloned().unwrap();
    let url = url_query(&got.path_and_query);
    assert_eq!(url.0, "/robot/send");
    assert_eq!(url.1["access_token"], "tok-ding-1");
    let ms = &url.1["timestamp"];
    assert!((ms.parse::<i64>().unwrap() / 1000 - now()).abs() < 60);
    let sign = base64::engine::general_purpose::STANDARD.encode(hmac256(
        ding_secret.as_bytes(),
        format!("{ms}\n{ding_secret}").as_bytes(),
    ));
    assert_eq!(url.1["sign"], sign);
    let payload: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(payload["msgtype"], "markdown");
    // The channel speaks Chinese.
    assert_eq!(payload["markdown"]["title"], "Polar Console 测试消息");
    let said = payload["markdown"]["text"].as_str().unwrap_or_default();
    assert!(said.contains("向此渠道发送了一条测试消息。"), "{said}");
    assert!(!said.contains("sent a test message"), "{said}");

    // A rule: new maintenance events on env=prod go to the webhook.
    let (status, body) = form(
        &app,
        &admin,
        "add_rule",
        &[
            ("channel", &hook),
            ("event", "maintenance_new"),
            ("tag_key", "env"),
            ("tag_value", "prod"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = form(
        &app,
        &admin,
        "add_rule",
        &[("channel", &hook), ("event", "test")],
    )
    .await;
    assert_eq!(status, 400, "{body}");

    // Published (as the fleet watcher will) by another process: the first attempt gets
    // a 500 and is kept for a retry; the retry delivers it.
    let before = rx.seen.lock().unwrap().len();
    rx.fail.store(1, Ordering::SeqCst);
    let other = notifier(&app);
    assert_eq!(other.publish(&maintenance("staging")).await.unwrap(), 0);
    assert_eq!(other.publish(&maintenance("prod")).await.unwrap(), 1);
    other.send_due().await.unwrap();
    let row: (String, i32, Option<i32>) = sqlx::query_as(
        "SELECT state, attempts, last_status FROM notification_deliveries WHERE dedup = 'maintenance_new:10001'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(row, ("pending".to_string(), 1, Some(500)));
    // Its backoff has passed.
    sqlx::query("UPDATE notification_deliveries SET next_attempt_at = now() WHERE dedup = 'maintenance_new:10001'")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut state = String::new();
    for _ in 0..100 {
        other.send_due().await.unwrap();
        state = sqlx::query_scalar(
            "SELECT state FROM notification_deliveries WHERE dedup = 'maintenance_new:10001'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if state == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state, "sent");
    let told: Vec<Seen> = rx.seen.lock().unwrap()[before..].to_vec();
    assert_eq!(told.len(), 2, "one failed attempt, one delivery");
    let payload: Value = serde_json::from_str(&told[1].body).unwrap();
    assert_eq!(payload["event"], "maintenance_new");
    assert_eq!(payload["cluster"], "pc-1");

    // Told once: published again, by a fresh process, nothing is queued or sent.
    assert_eq!(
        notifier(&app).publish(&maintenance("prod")).await.unwrap(),
        0
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(rx.seen.lock().unwrap().len(), before + 2);

    // The delivery log shows both attempts' outcome; the trail has every change and no
    // secret, token or path.
    let (status, body) = form(&app, &admin, "channel_deliveries", &[("id", &hook)]).await;
    assert_eq!(status, 200, "{body}");
    let log: Value = serde_json::from_str(&body).unwrap();
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["state"] == "sent" && d["attempts"] == 2));
    let actions: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, params::text FROM audit_events WHERE action LIKE 'Notification%' ORDER BY seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    for want in [
        "NotificationChannelCreated",
        "NotificationTestSent",
        "NotificationRuleAdded",
    ] {
        assert!(names.contains(&want), "{names:?}");
    }
    let all: Vec<String> = sqlx::query_scalar("SELECT row_to_json(a)::text FROM audit_events a")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    for hidden in [hook_secret, ding_secret, "tok-ding-1"] {
        assert!(
            !all.iter().any(|r| r.contains(hidden)),
            "{hidden} in the trail"
        );
    }

    // Deleting a channel takes its rules and log along, recorded.
    let (status, _) = form(&app, &admin, "delete_channel", &[("id", &hook)]).await;
    assert_eq!(status, 200);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM notification_rules")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

/// `/robot/send?a=b&c=d` → ("/robot/send", {a: b, c: d}), decoded.
fn url_query(pq: &str) -> (String, std::collections::HashMap<String, String>) {
    let (path, query) = pq.split_once('?').unwrap_or((pq, ""));
    let u = reqwest::Url::parse(&format!("http://x/?{query}")).unwrap();
    (path.to_string(), u.query_pairs().into_owned().collect())
}

/// The fleet watch (run here as the background job runs it) tells each kind of event the
/// emulator can be made to show — a new maintenance event and one within 24 h, a
/// certificate within 30 days, a subscription within 7 days without auto-renewal, a
/// failed backup, a cluster leaving Running behind the console's back, an account that
/// cannot be read — each once, to a webhook rule with no filter; a rule on a tag gets
/// only its clusters' events.
#[tokio::test]
async fn the_fleet_watch_tells_each_kind_of_event_once() {
    let now_ms = now() * 1000;
    let day = 86_400_000;
    let mut seed = emulator::state::default_seed();
    // orders-prod: a subscription expiring in 3 days, not renewed automatically.
    seed.clusters[0].expire_time = emulator::util::fmt_time(now_ms + 3 * day);
    seed.clusters[0].auto_renew.status = "Normal".into();
    // analytics: SSL on, its certificate expiring in 10 days.
    for e in seed.clusters[2].endpoints.iter_mut() {
        e.ssl_enabled = true;
        e.ssl_expire_time = emulator::util::fmt_time(now_ms + 10 * day);
    }
    // orders-staging: a backup that failed an hour ago.
    let mut failed = seed.clusters[1].backups[0].clone();
    failed.id = "fail-0001".into();
    failed.status = "Failed".into();
    failed.start_ms = now_ms - 3_600_000;
    failed.end_ms = now_ms - 3_500_000;
    seed.clusters[1].backups.push(failed);
    // A pending maintenance event switching in 2 hours.
    let soon_event = {
        let e = seed
            .clusters
            .iter_mut()
            .flat_map(|c| c.maintenance.iter_mut())
            .find(|e| e.status < 5)
            .expect("the seed has a pending maintenance event");
        e.switch_time = emulator::util::fmt_time(now_ms + 2 * 3_600_000);
        e.id
    };
    let staging = seed.clusters[1].id.clone();
    let staging_node = seed.clusters[1].nodes[0].id.clone();
    let app = TestApp::spawn_with(seed).await;
    let admin = app.sign_in_admin().await;
    let (base, rx) = receiver().await;

    // An account that cannot be read.
    let (status, body) = form(
        &app,
        &admin,
        "add_cloud_account",
        &[
            ("name", "dead"),
            ("access_key_id", "LTAIdead0000000key"),
            ("access_key_secret", "dead-secret"),
            ("regions", "cn-hangzhou"),
            ("signature_version", "v2"),
            ("endpoint", "http://127.0.0.1:9/"),
            ("emulator", "on"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let make_watcher = || {
        let key = backend::vault::MasterKeys::decode_key("master_key", tests::MASTER_KEY).unwrap();
        let client = polardb::client::Client::new(polardb::client::ClientConfig {
            allow_private: true,
            ..Default::default()
        })
        .unwrap();
        let b = backend::Backend::new(
            app.pool.clone(),
            Arc::new(backend::vault::MasterKeys::new("k1", key)),
            client,
        )
        .with_outbound(backend::outbound::OutboundPolicy {
            allow_private: true,
            own: None,
        });
        backend::watch::Watcher::new(app.pool.clone(), b.gateway.clone(), b.notify.clone())
    };
    let watcher = make_watcher();
    // Without a rule nothing is read.
    let idle = watcher.watch_once().await.unwrap();
    assert!(idle.idle, "{idle:?}");

    // The prod channel speaks Chinese.
    for (name, secret, language) in [
        ("all", "whsec-all-0123456789", "en"),
        ("prod", "whsec-prod-0123456789", "zh"),
    ] {
        let (status, body) = form(
            &app,
            &admin,
            "add_channel",
            &[
                ("name", name),
                ("kind", "webhook"),
                ("url", &format!("{base}/{name}")),
                ("secret", secret),
                ("language", language),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let view: Value = app
        .call_json(&admin, "notifications", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let id_of = |name: &str| channel_id(&view, name);
    let (status, _) = form(&app, &admin, "add_rule", &[("channel", &id_of("all"))]).await;
    assert_eq!(status, 200);
    let (status, _) = form(
        &app,
        &admin,
        "add_rule",
        &[
            ("channel", &id_of("prod")),
            ("tag_key", "env"),
            ("tag_value", "prod"),
        ],
    )
    .await;
    assert_eq!(status, 200);

    let first = watcher.watch_once().await.unwrap();
    assert!(first.queued > 0, "{first:?}");
    // The cluster leaves Running behind the console's back (a call straight to the API).
    let client = polardb::client::Client::new(Default::default()).unwrap();
    let kind = polardb::models::action_info("RestartDBNode").unwrap().kind;
    let done = client
        .execute(
            &polardb::client::Target {
                endpoint: Some(app.emulator.clone()),
                signature: polardb::SignatureVersion::V2,
            },
            &polardb::client::Credentials::new(
                tests::EMU_KEY_ID,
                zeroize::Zeroizing::new(tests::EMU_SECRET.into()),
            ),
            "cn-hangzhou",
            "RestartDBNode",
            kind,
            vec![("DBNodeId".into(), staging_node)],
        )
        .await;
    assert!(done.result.is_ok(), "{:?}", done.result);
    let second = watcher.watch_once().await.unwrap();
    assert!(second.queued >= 1, "{second:?}");
    // Nothing new: nothing told again, also by a process started since (what was seen
    // and told is in the database).
    let third = make_watcher().watch_once().await.unwrap();
    assert_eq!(third.queued, 0, "{third:?}");

    // Delivered (by the console's own sender, or here).
    let n = notifier(&app);
    let mut pending = i64::MAX;
    for _ in 0..100 {
        n.send_due().await.unwrap();
        pending = sqlx::query_scalar(
            "SELECT count(*) FROM notification_deliveries WHERE state <> 'sent'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(pending, 0);
    let seen = rx.seen.lock().unwrap().clone();
    let events = |path: &str| -> Vec<Value> {
        seen.iter()
            .filter(|s| s.path_and_query == path)
            .map(|s| serde_json::from_str(&s.body).unwrap())
            .collect()
    };
    let all = events("/all");
    let kinds: std::collections::BTreeSet<String> = all
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "maintenance_new",
        "maintenance_soon",
        "ssl_expiring",
        "subscription_expiring",
        "backup_failed",
        "cluster_not_running",
        "unreachable",
    ] {
        assert!(kinds.contains(want), "{want} not told: {kinds:?}");
    }
    let one = |kind: &str| -> Vec<&Value> { all.iter().filter(|e| e["event"] == kind).collect() };
    assert_eq!(one("cluster_not_running").len(), 1);
    assert_eq!(one("cluster_not_running")[0]["cluster"], staging.as_str());
    assert_eq!(one("backup_failed")[0]["cluster"], staging.as_str());
    assert!(one("backup_failed")[0]["text"]
        .as_str()
        .unwrap()
        .contains("fail-0001"));
    assert_eq!(one("unreachable")[0]["cloud_account"], "dead");
    assert!(one("maintenance_soon").iter().any(|e| e["text"]
        .as_str()
        .unwrap()
        .contains(&soon_event.to_string())));
    // Told once each: no two deliveries of one fact.
    let ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    // The env=prod rule got prod clusters' events only (staging's backup and restart, the
    // unreachable account have no env=prod tag).
    let prod = events("/prod");
    assert!(!prod.is_empty());
    // In Chinese there, each of its kinds; in English on the other channel.
    let chinese = |v: &Value| {
        v.as_str()
            .unwrap_or_default()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    };
    for e in &prod {
        assert_eq!(e["language"], "zh", "{e}");
        assert!(chinese(&e["title"]) && chinese(&e["text"]), "{e}");
    }
    for e in &all {
        assert_eq!(e["language"], "en", "{e}");
        assert!(!chinese(&e["title"]), "{e}");
    }
    assert!(
        prod.iter()
            .all(|e| e["cluster"] != staging.as_str() && e["event"] != "unreachable"),
        "{prod:?}"
    );
    // The watch's reads are on the trail, as the fleet watch.
    let reads: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE actor_name LIKE 'fleet watch%' AND kind = 'read'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(reads > 0);
}

/// Seventeenth attack run: N1 — a manager of channels whose role hides a cluster is
/// refused (a channel hears of every cluster); N3 — a receiver's endless answer is read
/// only as far as its start; N4 — a test of a channel that does not exist is 404 and
/// records nothing, a failed test is recorded as failed.
#[tokio::test]
async fn channels_need_the_whole_fleet_and_read_little_of_an_answer() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    // A role that manages everything but one cluster.
    let policy = json!({"Statement": [
        {"Effect": "Allow", "Action": ["polardb:*", "console:*"], "Resource": ["*"]},
        {"Effect": "Deny", "Action": ["polardb:*"], "Resource": ["acs:polardb:*:*:dbcluster/pc-hidden00000000"]}]});
    let (status, body) = form(
        &app,
        &admin,
        "save_role",
        &[
            ("name", "almost"),
            ("description", ""),
            ("policy", &policy.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let almost = app.user_with_role("ann", "almost").await;
    let (status, body) = form(
        &app,
        &almost,
        "add_channel",
        &[
            ("name", "x"),
            ("kind", "slack"),
            ("url", "https://hooks.slack.com/services/x"),
        ],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("whole fleet"), "{body}");

    // A receiver that answers 200 and never ends its body.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n")
                    .await;
                let chunk = vec![b'x'; 1 << 16];
                while s.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    let (status, body) = form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "endless"),
            ("kind", "slack"),
            ("url", &format!("http://{addr}/x")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let view: Value = app
        .call_json(&admin, "notifications", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let endless = channel_id(&view, "endless");
    let started = std::time::Instant::now();
    let (status, body) = form(&app, &admin, "test_channel", &[("id", &endless)]).await;
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["state"], "sent", "{d}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // An unknown channel: 404, and no record of a test.
    let before: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'NotificationTestSent'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (status, _) = form(
        &app,
        &admin,
        "test_channel",
        &[("id", "00000000-0000-0000-0000-000000000001")],
    )
    .await;
    assert_eq!(status, 404);
    let after: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'NotificationTestSent'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(after, before);

    // A failed test is recorded as failed.
    let (status, body) = form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "closed"),
            ("kind", "slack"),
            ("url", "http://127.0.0.1:9/x"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let view: Value = app
        .call_json(&admin, "notifications", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let closed = channel_id(&view, "closed");
    let (status, _) = form(&app, &admin, "test_channel", &[("id", &closed)]).await;
    assert_eq!(status, 200);
    let outcome: String = sqlx::query_scalar(
        "SELECT outcome FROM audit_events WHERE action = 'NotificationTestSent' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(outcome, "error");
}

#[tokio::test]
async fn changes_awaiting_approval_decided_and_finished_are_told() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let (base, rx) = receiver().await;
    let (status, body) = form(
        &app,
        &admin,
        "add_channel",
        &[
            ("name", "approvers"),
            ("kind", "webhook"),
            ("url", &format!("{base}/approvers")),
            ("secret", "whsec-approvers-0123456789"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let view: Value = app
        .call_json(&admin, "notifications", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let hook = channel_id(&view, "approvers");
    // Asking for approval is told to the channel of the cluster's tag (the message carries
    // the cluster's tags); the rest to it whatever the tags.
    for (event, tag) in [
        ("change_awaiting_approval", "staging"),
        ("change_awaiting_approval", "prod"),
        ("change_approved", ""),
        ("change_rejected", ""),
        ("change_succeeded", ""),
        ("change_failed", ""),
    ] {
        let mut fields = vec![("channel", hook.as_str()), ("event", event)];
        if !tag.is_empty() {
            fields.extend([("tag_key", "env"), ("tag_value", tag)]);
        }
        let (status, body) = form(&app, &admin, "add_rule", &fields).await;
        assert_eq!(status, 200, "{event}: {body}");
    }
    let (status, body) = form(
        &app,
        &admin,
        "add_approval_policy",
        &[
            ("name", "every-rename"),
            ("actions", "ModifyDBClusterDescription"),
            ("approvals", "1"),
            ("approver_roles", "admin"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let oper = app.user_with_role("oper", "operator").await;
    let seed = emulator::state::default_seed();
    let cluster = seed.clusters[1].id.clone();
    let ask = |description: &str| {
        json!({"ask": {
            "title": format!("Rename to {description}"),
            "reason": "naming scheme",
            "account": "sandbox", "region": seed.clusters[1].region_id, "action": "ModifyDBClusterDescription",
            "params": [["DBClusterId", cluster], ["DBClusterDescription", description]],
        }})
    };
    let asked = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 200);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["state"], "awaiting_approval", "{v}");
        v["id"].as_str().unwrap().to_string()
    };
    let first = asked(
        app.call_json(&oper, "request_change", ask("renamed-a"))
            .await,
    )
    .await;
    let second = asked(
        app.call_json(&oper, "request_change", ask("renamed-b"))
            .await,
    )
    .await;
    let res = app
        .call_json(
            &admin,
            "decide_change",
            json!({"id": first, "verdict": "approve"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .call_json(
            &admin,
            "decide_change",
            json!({"id": second, "verdict": "reject", "comment": "not this quarter"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // A change no policy covers, which the API refuses (a value out of range): failed.
    let res = app
        .call_json(
            &oper,
            "request_change",
            json!({"ask": {
                "title": "statement_timeout out of range",
                "account": "sandbox", "region": seed.clusters[1].region_id,
                "action": "ModifyDBClusterParameters",
                "params": [["DBClusterId", cluster], ["Parameters", r#"{"statement_timeout":"-5"}"#]],
            }}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let third = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Each fact is sent once, in the background, signed like every webhook message.
    let expected = [
        ("change_awaiting_approval", first.as_str()),
        ("change_awaiting_approval", second.as_str()),
        ("change_approved", first.as_str()),
        ("change_rejected", second.as_str()),
        ("change_succeeded", first.as_str()),
        ("change_failed", third.as_str()),
    ];
    let n = notifier(&app);
    let mut got: Vec<Value> = Vec::new();
    for _ in 0..150 {
        n.send_due().await.unwrap();
        got = rx
            .seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| serde_json::from_str::<Value>(&s.body).unwrap())
            .collect();
        if got.len() >= expected.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (event, id) in expected {
        let m = got
            .iter()
            .find(|m| m["event"] == event && m["text"].as_str().unwrap().contains(id))
            .unwrap_or_else(|| panic!("{event} of {id} not told: {got:#?}"));
        assert_eq!(m["cluster"], cluster.as_str());
    }
    let rejected = got
        .iter()
        .find(|m| m["event"] == "change_rejected")
        .unwrap();
    assert!(rejected["text"]
        .as_str()
        .unwrap()
        .contains("not this quarter"));
    let failed = got.iter().find(|m| m["event"] == "change_failed").unwrap();
    assert!(
        failed["title"]
            .as_str()
            .unwrap()
            .starts_with("Change failed"),
        "{failed}"
    );
    assert!(
        failed["text"]
            .as_str()
            .unwrap()
            .contains("0 succeeded, 1 failed"),
        "{failed}"
    );
    let finished = got
        .iter()
        .find(|m| m["event"] == "change_succeeded")
        .unwrap();
    assert!(
        finished["title"]
            .as_str()
            .unwrap()
            .starts_with("Change succeeded"),
        "{finished}"
    );
}
