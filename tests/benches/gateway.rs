//! Benchmarks (not timed tests): what the console adds over a direct client call, how
//! many audited calls per second it sustains, and how long `/clusters` takes for 500
//! clusters in 10 regions. Prints median and p99 and a ratio against a baseline measured
//! in the same run. Run: `scripts/bench.sh` (needs TEST_DATABASE_URL, like the tests).

use std::time::{Duration, Instant};

use backend::access::builtin_policy;
use backend::audit::Actor;
use backend::gateway::Caller;
use polardb::client::{Client, ClientConfig, Credentials, Target};

/// The emulator listens on loopback.
const LOOPBACK: backend::outbound::OutboundPolicy = backend::outbound::OutboundPolicy {
    allow_private: true,
    own: None,
};
use polardb::models::DescribeDBClusters;
use polardb::SignatureVersion;
use tests::{TestApp, EMU_KEY_ID, EMU_SECRET};
use zeroize::Zeroizing;

fn row(name: &str, (median, p99): (f64, f64)) {
    println!("{name:<44} median {median:>8.2} ms   p99 {p99:>8.2} ms");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let app = TestApp::spawn().await;
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let keys = std::sync::Arc::new(backend::vault::MasterKeys::new(
        "k1",
        backend::vault::MasterKeys::decode_key("k", tests::MASTER_KEY).unwrap(),
    ));
    let backend = backend::Backend::new(pool, keys, Client::new(ClientConfig::default()).unwrap())
        .with_outbound(LOOPBACK);
    let caller = Caller {
        actor: Actor {
            user_id: None,
            name: "bench".into(),
            auth_method: "local".into(),
            client_addr: Some("127.0.0.1".into()),
            user_agent: None,
            request_id: None,
        },
        policy: builtin_policy("admin").unwrap(),
        change: None,
        collect: false,
    };
    let client = Client::new(ClientConfig::default()).unwrap();
    let target = Target {
        endpoint: Some(app.emulator.clone()),
        signature: SignatureVersion::V2,
    };
    let creds = Credentials::new(EMU_KEY_ID, Zeroizing::new(EMU_SECRET.to_string()));
    let req = DescribeDBClusters {
        region_id: "cn-hangzhou".into(),
        ..Default::default()
    };
    // Warm up both paths.
    for _ in 0..20 {
        client
            .call(&target, &creds, "cn-hangzhou", &req)
            .await
            .unwrap();
        backend
            .gateway
            .invoke_typed(&caller, "sandbox", "cn-hangzhou", &req)
            .await
            .unwrap();
    }

    println!(
        "== one call, sequential, {n} calls each (DescribeDBClusters against the emulator) =="
    );
    let mut direct = Vec::with_capacity(n);
    let mut gateway = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        client
            .call(&target, &creds, "cn-hangzhou", &req)
            .await
            .unwrap();
        direct.push(t.elapsed());
        let t = Instant::now();
        backend
            .gateway
            .invoke_typed(&caller, "sandbox", "cn-hangzhou", &req)
            .await
            .unwrap();
        gateway.push(t.elapsed());
    }
    let d = tests::median_p99(direct);
    let g = tests::median_p99(gateway);
    row("baseline: client crate, direct", d);
    row("console gateway: role check + audit + vault", g);
    println!(
        "added by the console: median {:+.2} ms, p99 {:+.2} ms; ratio of medians {:.2}x",
        g.0 - d.0,
        g.1 - d.1,
        g.0 / d.0
    );

    println!("== throughput, 16 concurrent callers, 5 s each ==");
    for (label, audited) in [
        ("baseline: client crate, direct", false),
        ("console gateway (audited)", true),
    ] {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (client, target, creds, req, backend, caller) = (
                client.clone(),
                target.clone(),
                creds.clone(),
                req.clone(),
                backend.clone(),
                caller.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    if audited {
                        backend
                            .gateway
                            .invoke_typed(&caller, "sandbox", "cn-hangzhou", &req)
                            .await
                            .unwrap();
                    } else {
                        client
                            .call(&target, &creds, "cn-hangzhou", &req)
                            .await
                            .unwrap();
                    }
                    done += 1;
                }
                done
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        println!("{label:<44} {:>8.0} calls/s", total as f64 / 5.0);
    }
    let verdict = backend.audit.verify().await.unwrap();
    println!("audit chain after the run: {verdict:?}");

    audit_search_at_scale().await;

    println!("== /clusters with 500 clusters in 10 regions (server time, full page) ==");
    let big = TestApp::spawn_with(emulator::state::generated_seed(500, 10)).await;
    let cookie = big.sign_in_admin().await;
    let fleet_backend = backend::Backend::new(
        sqlx::PgPool::connect(&big.database_url).await.unwrap(),
        std::sync::Arc::new(backend::vault::MasterKeys::new(
            "k1",
            backend::vault::MasterKeys::decode_key("k", tests::MASTER_KEY).unwrap(),
        )),
        Client::new(ClientConfig::default()).unwrap(),
    )
    .with_outbound(LOOPBACK);
    let big_target = Target {
        endpoint: Some(big.emulator.clone()),
        signature: SignatureVersion::V2,
    };
    let rounds = 25;
    let mut page = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let html = big
            .http
            .get(format!("{}/clusters", big.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        page.push(t.elapsed());
        assert!(
            html.contains("500 clusters"),
            "the page lists every cluster"
        );
        // Baseline: the same 10 regions fetched concurrently with the client crate alone.
        let t = Instant::now();
        let regions: Vec<String> = emulator::state::default_regions()
            .into_iter()
            .map(|r| r.region_id)
            .collect();
        let fetches = regions.iter().map(|r| {
            let (client, target, creds) = (&client, &big_target, &creds);
            async move {
                let mut page = 1;
                loop {
                    let ans = client
                        .call(
                            target,
                            creds,
                            r,
                            &DescribeDBClusters {
                                region_id: r.clone(),
                                page_size: Some(100),
                                page_number: Some(page),
                                ..Default::default()
                            },
                        )
                        .await
                        .unwrap();
                    if ans.items.db_cluster.len() < 100 {
                        break;
                    }
                    page += 1;
                }
            }
        });
        futures::future::join_all(fetches).await;
        raw.push(t.elapsed());
    }
    let _ = fleet_backend;
    let p = tests::median_p99(page);
    let r = tests::median_p99(raw);
    row("baseline: 10 regions via the client crate", r);
    row("GET /clusters (sign-in check, fan-out, audit, SSR)", p);
    println!("ratio of medians {:.2}x", p.0 / r.0);
}

/// The audit page's queries with a million records, against the same queries with ten
/// thousand (the baseline), both in this run.
async fn audit_search_at_scale() {
    use backend::audit::{Audit, Filter};
    let rows: i64 = std::env::var("BENCH_AUDIT_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "== audit page queries: {rows} records vs 10000 (newest page and a deep page, 50 rows) =="
    );
    let mut results = Vec::new();
    for n in [10_000i64, rows] {
        let url = tests::fresh_database().await;
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        backend::db::migrate(&pool).await.unwrap();
        // Synthetic records (the chain's hashes are not what is measured here).
        sqlx::query(
            "INSERT INTO audit_events (seq, id, at, actor_id, actor_name, auth_method, cloud_account, region,
                action, kind, resource, params, outcome, prev_hash, hash)
             SELECT g, gen_random_uuid(), now() - (($1 - g) || ' seconds')::interval, NULL,
                    'user' || (g % 50), 'local', 'acct' || (g % 3), 'cn-hangzhou',
                    (ARRAY['DescribeDBClusters','ModifyDBClusterDescription','CreateAccount','DescribeRegions'])[1 + g % 4],
                    'read', jsonb_build_object('cluster', 'pc-' || (g % 500)), '{}'::jsonb,
                    (ARRAY['ok','ok','ok','error','denied'])[1 + g % 5], '\\x00', '\\x00'
             FROM generate_series(1, $1) g",
        )
        .bind(n)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("ANALYZE audit_events")
            .execute(&pool)
            .await
            .unwrap();
        let audit = Audit::new(pool);
        let filters: Vec<(&str, Filter)> = vec![
            ("no filter", Filter::default()),
            (
                "user",
                Filter {
                    actor_name: Some("user7".into()),
                    ..Default::default()
                },
            ),
            (
                "cluster",
                Filter {
                    cluster: Some("pc-42".into()),
                    ..Default::default()
                },
            ),
            (
                "action + outcome",
                Filter {
                    action: Some("CreateAccount".into()),
                    outcome: Some("error".into()),
                    ..Default::default()
                },
            ),
        ];
        let mut times = Vec::new();
        for (_, f) in &filters {
            for before in [None, Some(n / 10)] {
                for _ in 0..15 {
                    let t = Instant::now();
                    let page = audit.search(f, before, 51).await.unwrap();
                    times.push(t.elapsed());
                    assert!(!page.is_empty());
                }
            }
        }
        results.push((n, tests::median_p99(times)));
    }
    for (n, s) in &results {
        row(&format!("audit search, {n} records"), *s);
    }
    println!("ratio of medians {:.2}x", results[1].1 .0 / results[0].1 .0);
}
