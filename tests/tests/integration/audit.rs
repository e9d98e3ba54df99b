//! The audit trail: every proxied call recorded, one chain, tampering found.

use backend::access::builtin_policy;
use backend::audit::{Actor, Audit, Event, Outcome, Verdict};
use backend::gateway::Caller;
use tests::{TestApp, EMU_SECRET};

fn admin_caller() -> Caller {
    Caller {
        actor: Actor {
            user_id: None,
            name: "tester".into(),
            auth_method: "local".into(),
            client_addr: Some("127.0.0.1".into()),
            user_agent: Some("tests\n\u{1b}[31m".into()),
            request_id: Some("req-1".into()),
        },
        policy: builtin_policy("admin").unwrap(),
        change: None,
        collect: false,
    }
}

async fn backend_for(app: &TestApp) -> backend::Backend {
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let keys = std::sync::Arc::new(backend::vault::MasterKeys::new(
        "k1",
        backend::vault::MasterKeys::decode_key("k", tests::MASTER_KEY).unwrap(),
    ));
    backend::Backend::new(
        pool,
        keys,
        polardb::client::Client::new(Default::default()).unwrap(),
    )
    // The emulator listens on loopback.
    .with_outbound(backend::outbound::OutboundPolicy {
        allow_private: true,
        own: None,
    })
}

#[tokio::test]
async fn page_loads_are_audited_and_the_chain_verifies() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in_admin().await;
    let res = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &cookie)
        .header("user-agent", "evil\tagent")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The page streams: its data is fetched while the body is written.
    let html = res.text().await.unwrap();
    assert!(html.contains("orders-prod"));
    let b = backend_for(&app).await;
    let records = b.audit.page_from(0, 1000).await.unwrap();
    let summary: Vec<_> = records
        .iter()
        .map(|r| (r.action.clone(), r.outcome.clone(), r.error_code.clone()))
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r.action == "DescribeRegions" && r.outcome == "ok"),
        "{summary:?}"
    );
    let listed: Vec<_> = records
        .iter()
        .filter(|r| r.action == "DescribeDBClusters")
        .collect();
    assert!(
        listed.len() >= 5,
        "one record per region call, got {}",
        listed.len()
    );
    for r in &listed {
        assert_eq!(r.actor_name, "admin");
        assert_eq!(r.kind, "read");
        assert_eq!(r.cloud_account.as_deref(), Some("sandbox"));
        assert!(r.upstream_request_id.is_some());
        assert_eq!(r.attempts, Some(1));
    }
    assert!(records
        .iter()
        .any(|r| r.user_agent.as_deref() == Some("evil\\u{9}agent")));
    assert_eq!(
        b.audit.verify().await.unwrap(),
        Verdict::Intact {
            records: records.len() as i64
        }
    );
    let all = serde_json::to_string(&records).unwrap();
    assert!(!all.contains(EMU_SECRET));
}

#[tokio::test]
async fn a_denied_call_is_recorded_and_not_sent() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    let viewer = Caller {
        policy: builtin_policy("viewer").unwrap(),
        change: None,
        collect: false,
        ..admin_caller()
    };
    let err = b
        .gateway
        .invoke(
            &viewer,
            "sandbox",
            "cn-hangzhou",
            "ModifyDBClusterDescription",
            vec![
                ("DBClusterId".into(), "pc-x".into()),
                ("DBClusterDescription".into(), "x".into()),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, backend::BackendError::Forbidden(_)),
        "{err:?}"
    );
    let records = b.audit.page_from(0, 100).await.unwrap();
    let denied = records
        .iter()
        .find(|r| r.outcome == "denied")
        .expect("a denied record");
    assert_eq!(denied.action, "ModifyDBClusterDescription");
    assert_eq!(denied.resource["cluster"], "pc-x");
}

#[tokio::test]
async fn passwords_in_parameters_are_redacted() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    // A cluster that is there (one stated where it is not is refused before any intent).
    let list = b
        .gateway
        .invoke(
            &admin_caller(),
            "sandbox",
            "cn-hangzhou",
            "DescribeDBClusters",
            vec![],
        )
        .await
        .unwrap()
        .value()
        .unwrap();
    let cluster = list["Items"]["DBCluster"][0]["DBClusterId"]
        .as_str()
        .unwrap()
        .to_string();
    let _ = b
        .gateway
        .invoke(
            &admin_caller(),
            "sandbox",
            "cn-hangzhou",
            "CreateAccount",
            vec![
                ("DBClusterId".into(), cluster),
                ("AccountName".into(), "app_user".into()),
                ("AccountPassword".into(), "Sup3r-Secret-Pass!".into()),
            ],
        )
        .await;
    let records = b.audit.page_from(0, 100).await.unwrap();
    let text = serde_json::to_string(&records).unwrap();
    assert!(text.contains("CreateAccount"));
    assert!(!text.contains("Sup3r-Secret-Pass!"));
    assert!(text.contains("<redacted>"));
    // A write leaves an intent and an outcome that points at it.
    let intent = records
        .iter()
        .find(|r| r.outcome == "intent")
        .expect("intent record");
    let outcome = records
        .iter()
        .find(|r| r.intent_seq == Some(intent.seq))
        .expect("outcome record");
    assert!(
        outcome.client_token.is_some(),
        "CreateAccount carries a ClientToken"
    );
    assert_eq!(outcome.client_token, intent.client_token);
}

#[tokio::test]
async fn concurrent_writers_form_one_chain() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    let audits: Vec<Audit> = (0..4).map(|_| b.audit.clone()).collect();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let audit = audits[i % 4].clone();
        tasks.push(tokio::spawn(async move {
            let mut e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
            e.params = serde_json::json!({ "n": i });
            audit.append(&e).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    let base = b.audit.page_from(0, 10_000).await.unwrap().len() as i64 - 200;
    assert_eq!(seqs, ((base + 1)..=(base + 200)).collect::<Vec<_>>());
    assert!(matches!(
        b.audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

/// Three consoles on one database (each its own writer and the head it last wrote) and
/// administrative changes committing with their records, all at once: the writers append at
/// their known head in one statement while the chain is theirs, and start over under the
/// chain lock when another moved it; one chain, every record once.
#[tokio::test]
async fn consoles_writing_at_their_known_heads_form_one_chain() {
    let app = TestApp::spawn().await;
    let consoles = [
        backend_for(&app).await,
        backend_for(&app).await,
        backend_for(&app).await,
    ];
    let before = consoles[0].audit.page_from(0, 100_000).await.unwrap().len() as i64;
    // One console alone: after its first record, every append is one statement.
    for i in 0..20 {
        let mut e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
        e.params = serde_json::json!({ "alone": i });
        consoles[0].audit.append(&e).await.unwrap();
    }
    let at_head =
        |b: &backend::Backend| b.metrics.counter("polar_audit_appends_at_head_total", &[]);
    assert!(at_head(&consoles[0]) >= 19, "{}", at_head(&consoles[0]));
    let mut tasks = Vec::new();
    for i in 0..300usize {
        let audit = consoles[i % 3].audit.clone();
        tasks.push(tokio::spawn(async move {
            let mut e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
            e.params = serde_json::json!({ "n": i });
            if i % 10 == 0 {
                // A change committed with its record, between the writers' appends.
                let change = audit.begin_change().await.unwrap();
                change.commit(&e).await.unwrap()
            } else {
                audit.append(&e).await.unwrap()
            }
        }));
    }
    let mut seqs = vec![];
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    let start = before + 20;
    assert_eq!(seqs, ((start + 1)..=(start + 300)).collect::<Vec<_>>());
    let total = consoles[0].audit.page_from(0, 100_000).await.unwrap().len() as i64;
    assert_eq!(total, start + 300, "every record once");
    assert!(matches!(
        consoles[1].audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
    // And each console goes on from where the others left the chain.
    for b in &consoles {
        let e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
        b.audit.append(&e).await.unwrap();
    }
    assert!(matches!(
        consoles[2].audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

/// The commits of the console's audit writer, by how many records each held.
fn commits(b: &backend::Backend) -> Vec<(&'static str, u64)> {
    ["1", "2-7", "8-31", "32+"]
        .into_iter()
        .map(|size| {
            (
                size,
                b.metrics
                    .counter("polar_audit_commits_total", &[("records", size)]),
            )
        })
        .collect()
}

#[tokio::test]
async fn records_appended_at_once_commit_in_groups() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    let before = b.audit.page_from(0, 10_000).await.unwrap().len() as i64;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let audit = b.audit.clone();
            tokio::spawn(async move {
                let mut e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
                e.params = serde_json::json!({ "n": i });
                audit.append(&e).await.unwrap()
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, ((before + 1)..=(before + 200)).collect::<Vec<_>>());
    let commits = commits(&b);
    let total: u64 = commits.iter().map(|(_, n)| n).sum();
    assert!(
        total < 100,
        "200 records waiting together take far fewer commits: {commits:?}"
    );
    assert!(commits.iter().any(|(size, n)| *size != "1" && *n > 0));
    assert!(matches!(
        b.audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn a_record_the_database_refuses_fails_only_its_own_call() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    let before = b.audit.page_from(0, 10_000).await.unwrap().len();
    // PostgreSQL's text holds no NUL: the group with this record fails as a whole.
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let audit = b.audit.clone();
            tokio::spawn(async move {
                let action = if i == 25 { "Sign\0In" } else { "SignIn" };
                let e = Event::security(admin_caller().actor, action, Outcome::Ok);
                audit.append(&e).await
            })
        })
        .collect();
    let mut failed = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        if let Err(e) = t.await.unwrap() {
            failed.push((i, e.to_string()));
        }
    }
    assert_eq!(failed.len(), 1, "only the refused record fails: {failed:?}");
    assert_eq!(failed[0].0, 25);
    let after = b.audit.page_from(0, 10_000).await.unwrap().len();
    assert_eq!(after - before, 49);
    assert!(matches!(
        b.audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn tampering_by_a_superuser_is_found() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    // The start-up's own records (the first administrator, the configured cloud account).
    let before = b.audit.page_from(0, 100).await.unwrap().len() as i64;
    for i in 0..5 {
        let mut e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
        e.params = serde_json::json!({ "n": i });
        b.audit.append(&e).await.unwrap();
    }
    assert_eq!(
        b.audit.verify().await.unwrap(),
        Verdict::Intact {
            records: before + 5
        }
    );
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    // The application role cannot change history: the trigger refuses.
    let refused = sqlx::query("UPDATE audit_events SET outcome = 'denied' WHERE seq = 2")
        .execute(&pool)
        .await;
    assert!(refused.is_err());
    assert!(sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&pool)
        .await
        .is_err());
    assert!(sqlx::query("TRUNCATE audit_events")
        .execute(&pool)
        .await
        .is_err());

    // A superuser can switch triggers off; the chain still tells.
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 3")
        .execute(&mut *conn)
        .await
        .unwrap();
    match b.audit.verify().await.unwrap() {
        Verdict::Broken { seq, problem } => {
            assert_eq!(seq, 3);
            assert!(problem.contains("altered"), "{problem}");
        }
        v => panic!("tampering not found: {v:?}"),
    }
    sqlx::query("UPDATE audit_events SET actor_name = 'tester' WHERE seq = 3")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert!(matches!(
        b.audit.verify().await.unwrap(),
        Verdict::Intact { .. }
    ));
    sqlx::query("DELETE FROM audit_events WHERE seq = 4")
        .execute(&mut *conn)
        .await
        .unwrap();
    match b.audit.verify().await.unwrap() {
        Verdict::Broken { seq, problem } => {
            assert_eq!(seq, 4);
            assert!(problem.contains("missing"), "{problem}");
        }
        v => panic!("deletion not found: {v:?}"),
    }
    // Swapping two records' contents (keeping their seq) breaks the links.
    sqlx::query(
        "UPDATE audit_events a SET params = b.params, hash = b.hash, prev_hash = b.prev_hash
         FROM audit_events b WHERE a.seq = 1 AND b.seq = 2",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    match b.audit.verify().await.unwrap() {
        Verdict::Broken { seq, .. } => assert_eq!(seq, 1),
        v => panic!("swap not found: {v:?}"),
    }
}

async fn emulator_count(app: &TestApp, action: &str) -> u64 {
    let stats: serde_json::Value = reqwest::get(format!("{}_emulator/stats", app.emulator))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["actions"][action]["received"].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn a_write_is_not_sent_when_its_audit_intent_cannot_be_stored() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    // Make every new audit record fail (as a full disk or a lost connection would).
    sqlx::query("ALTER TABLE audit_events ADD CONSTRAINT no_more CHECK (seq < 0) NOT VALID")
        .execute(&app.pool)
        .await
        .unwrap();
    let cluster = emulator::state::default_seed().clusters[1].clone();
    let err = b
        .gateway
        .invoke(
            &admin_caller(),
            "sandbox",
            &cluster.region_id,
            "ModifyDBClusterDescription",
            vec![
                ("DBClusterId".into(), cluster.id.clone()),
                ("DBClusterDescription".into(), "renamed".into()),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, backend::BackendError::AuditUnavailable),
        "{err:?}"
    );
    assert_eq!(
        emulator_count(&app, "ModifyDBClusterDescription").await,
        0,
        "the write reached the API"
    );
}

#[tokio::test]
async fn with_the_database_gone_a_write_is_refused_and_never_sent() {
    let app = TestApp::spawn().await;
    let b = backend_for(&app).await;
    // The console's database disappears (as when PostgreSQL stops).
    let without_query = app.database_url.split('?').next().unwrap();
    let name = without_query.rsplit('/').next().unwrap().to_string();
    app.pool.close().await;
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    let cluster = emulator::state::default_seed().clusters[1].clone();
    let err = b
        .gateway
        .invoke(
            &admin_caller(),
            "sandbox",
            &cluster.region_id,
            "ModifyDBClusterDescription",
            vec![
                ("DBClusterId".into(), cluster.id.clone()),
                ("DBClusterDescription".into(), "renamed".into()),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            backend::BackendError::Database(_) | backend::BackendError::AuditUnavailable
        ),
        "{err:?}"
    );
    assert_eq!(
        emulator_count(&app, "ModifyDBClusterDescription").await,
        0,
        "the write reached the API"
    );
}

/// The export is streamed a page at a time, never held whole (eighth attack run, E2: four
/// exports of a Viewer's large records took the console to 842 MB), and it is complete:
/// every record once, across many pages.
#[tokio::test]
async fn the_export_is_streamed_and_complete() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let b = backend_for(&app).await;
    for i in 0..450 {
        let mut e = Event::security(admin_caller().actor, "SignIn", Outcome::Ok);
        e.params = serde_json::json!({ "n": i });
        b.audit.append(&e).await.unwrap();
    }
    let res = app
        .http
        .get(format!("{}/audit/export?format=json", app.base))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("content-length").is_none(),
        "a streamed answer has no length up front: {:?}",
        res.headers()
    );
    let body = res.text().await.unwrap();
    let seqs: Vec<i64> = body
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let total = b.audit.page_from(0, 100_000).await.unwrap().len();
    assert!(total >= 450);
    // Newest first, each once: the records that existed when the export began.
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "in order, no repeats");
    assert!(
        seqs.len() >= 450 && seqs.len() <= total,
        "{} of {total}",
        seqs.len()
    );
    assert_eq!(*seqs.last().unwrap(), 1);
    // Compressed, as every browser asks for it: complete too (ninth attack run, N1: the
    // stream was polled after its end and every compressed export was cut short).
    for format in ["json", "csv"] {
        let res = app
            .http
            .get(format!("{}/audit/export?format={format}", app.base))
            .header("cookie", &admin)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-encoding"], "gzip");
        let gz = res.bytes().await.unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text)
            .expect("a whole gzip stream");
        let rows = text.lines().count() - usize::from(format == "csv");
        assert!(
            rows >= seqs.len(),
            "{format}: {rows} rows of at least {}",
            seqs.len()
        );
    }
}

/// The trail's page (#17.5): changes and security events by default, reads behind a switch
/// with how many there were each day; a kind filter; each record names what it acts on in
/// words, linked to its page; the export keeps every record, reads too.
#[tokio::test]
async fn the_trail_shows_changes_first_and_reads_on_request() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in_admin().await;
    let cluster = emulator::state::default_seed().clusters[0].clone();
    let call = |action: &'static str, params: Vec<[String; 2]>| {
        let (app, admin, region) = (&app, admin.clone(), cluster.region_id.clone());
        async move {
            let res = app
                .call_json(
                    &admin,
                    "call_api",
                    serde_json::json!({"account": "sandbox", "region": region, "action": action, "params": params}),
                )
                .await;
            assert_eq!(res.status(), 200, "{action}: {}", res.text().await.unwrap());
        }
    };
    let id = || ["DBClusterId".to_string(), cluster.id.clone()];
    for _ in 0..3 {
        call("DescribeDBClusterAttribute", vec![id()]).await;
    }
    call(
        "ModifyDBClusterDescription",
        vec![
            id(),
            ["DBClusterDescription".into(), "audited-change".into()],
        ],
    )
    .await;
    let page = |fields: Vec<(&'static str, &'static str)>| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let res = app.call_form(&admin, "search_audit", &fields).await;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            (
                status,
                serde_json::from_str::<serde_json::Value>(&body)
                    .unwrap_or(serde_json::Value::String(body)),
            )
        }
    };
    let kinds = |p: &serde_json::Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, shown) = page(vec![]).await;
    assert_eq!(status, 200, "{shown}");
    assert!(
        !kinds(&shown).iter().any(|k| k == "read"),
        "{:?}",
        kinds(&shown)
    );
    assert_eq!(shown["reads_shown"], false);
    let today = polardb::rules::api_minute(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    )[..10]
        .to_string();
    let per_day = shown["reads_per_day"].as_array().unwrap();
    assert_eq!(per_day[0][0], today.as_str(), "{per_day:?}");
    assert!(per_day[0][1].as_i64().unwrap() >= 3, "{per_day:?}");
    // The change names its cluster in words, linked to the cluster's page.
    let change = shown["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "ModifyDBClusterDescription" && i["outcome"] == "ok")
        .expect("the change is on the page");
    let link = &change["links"][0];
    assert_eq!(link["label"], format!("Cluster {}", cluster.id));
    assert_eq!(
        link["href"],
        format!(
            "/clusters/{}?account=sandbox&region={}",
            cluster.id, cluster.region_id
        )
    );
    // Reads on request; kinds on their own.
    let (_, with_reads) = page(vec![("reads", "1")]).await;
    assert_eq!(with_reads["reads_shown"], true);
    assert!(kinds(&with_reads).iter().filter(|k| *k == "read").count() >= 3);
    let (_, security) = page(vec![("kind", "security")]).await;
    assert!(!kinds(&security).is_empty());
    assert!(
        kinds(&security).iter().all(|k| k == "security"),
        "{:?}",
        kinds(&security)
    );
    let (status, body) = page(vec![("kind", "gossip")]).await;
    assert_eq!(status, 400, "{body}");
    // The export keeps every record, reads too.
    let export = app
        .http
        .get(format!("{}/audit/export?format=json", app.base))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(export.matches("\"DescribeDBClusterAttribute\"").count() >= 3);
}
