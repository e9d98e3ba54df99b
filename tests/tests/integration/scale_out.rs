//! Two console processes (the real binary, as separate OS processes) on one PostgreSQL,
//! and `/readyz` following PostgreSQL going away and coming back.
//!
//! * a session cookie made by one process works on the other;
//! * disabling a user on one signs them out of both at once;
//! * each period of a background job runs in exactly one process (their JSON logs are
//!   read back), and the job's effect happens (an expired session row is swept);
//! * 200 audited calls spread over both processes leave one intact hash chain.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tests::{fresh_database, TestApp, EMU_KEY_ID, EMU_SECRET, MASTER_KEY};

/// The `polar-console` binary. scripts/test.sh builds it before the tests run; after
/// changing the server, `cargo build -p server` first.
fn console_binary() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    let bin = target.join("debug").join("polar-console");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p server` (scripts/test.sh does)",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Console {
    child: tokio::process::Child,
    log: PathBuf,
    app: TestApp,
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

impl Console {
    /// JSON log lines of this process.
    fn log_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

/// Runs `polar-console migrate` as the owner (`database_url`, a superuser here), granting
/// the console's ordinary role; returns that role's URL.
async fn migrate(database_url: &str) -> String {
    let app_url = tests::app_database_url(database_url).await;
    let out = tokio::process::Command::new(console_binary())
        .arg("migrate")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("POLAR_DATABASE_URL", &app_url)
        .env("POLAR_DATABASE_OWNER_URL", database_url)
        .env("POLAR_MASTER_KEY", MASTER_KEY)
        .output()
        .await
        .expect("run polar-console migrate");
    assert!(
        out.status.success(),
        "polar-console migrate: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    app_url
}

/// Migrates as the owner (`database_url`), then starts `polar-console serve` as the
/// console's own role with these settings; returns once it answers /healthz.
async fn start(
    database_url: &str,
    emulator: &str,
    admin_password: &str,
    extra: &[(&str, &str)],
) -> Console {
    let console_database_url = migrate(database_url).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log = std::env::temp_dir().join(format!("polar-scale-{}.log", uuid::Uuid::new_v4()));
    let mut cmd = tokio::process::Command::new(console_binary());
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("POLAR_DATABASE_URL", &console_database_url)
        .env("POLAR_LISTEN", format!("127.0.0.1:{port}"))
        .env("POLAR_MASTER_KEY", MASTER_KEY)
        .env("POLAR_COOKIE_SECURE", "false")
        .env("POLAR_LOG_FORMAT", "json")
        .env("POLAR_BOOTSTRAP_ADMIN_PASSWORD", admin_password)
        .env("POLAR_CLOUD_ACCOUNT_ENDPOINT", emulator)
        .env("POLAR_CLOUD_ACCOUNT_EMULATOR", "true")
        .env("POLAR_ALLOW_PRIVATE_ENDPOINTS", "true")
        .env("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", EMU_KEY_ID)
        .env("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET", EMU_SECRET)
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(
            std::fs::OpenOptions::new().append(true).open(&log).unwrap(),
        ))
        .kill_on_drop(true);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("start polar-console");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the console did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pool = sqlx::PgPool::connect(database_url).await.unwrap();
    Console {
        child,
        log,
        app: TestApp {
            addr: format!("127.0.0.1:{port}").parse().unwrap(),
            base,
            emulator: emulator.to_string(),
            admin_password: admin_password.to_string(),
            database_url: database_url.to_string(),
            console_database_url,
            pool,
            http,
            background: None,
        },
    }
}

async fn emulator() -> String {
    emulator_with_latency(0).await
}

/// An emulator whose every API answer takes `latency_ms`.
async fn emulator_with_latency(latency_ms: u64) -> String {
    let mut keys = HashMap::new();
    keys.insert(EMU_KEY_ID.to_string(), EMU_SECRET.to_string());
    emulator::spawn(emulator::Config {
        access_keys: keys,
        seed: emulator::state::default_seed(),
        latency_ms,
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

/// Who the cookie signs in as on `app` (`null` when it signs in no one: 401).
async fn whoami(app: &TestApp, cookie: &str) -> serde_json::Value {
    let res = app.call_form(cookie, "whoami", &[]).await;
    match res.status().as_u16() {
        401 => serde_json::Value::Null,
        s if (200..300).contains(&s) => res.json().await.unwrap(),
        s => panic!("whoami answered {s}"),
    }
}

#[tokio::test]
async fn two_processes_on_one_database_behave_as_one() {
    let db = fresh_database().await;
    let emu = emulator().await;
    let password = "scale-out-admin-password-1";
    let period = [("POLAR_BACKGROUND_PERIOD_SECONDS", "1")];
    // One after the other: the first applies the migrations and creates the administrator.
    let a = start(&db, &emu, password, &period).await;
    let b = start(&db, &emu, password, &period).await;

    // A session made on A is valid on B.
    let admin = a.app.sign_in_admin().await;
    assert_eq!(whoami(&b.app, &admin).await["username"], "admin");

    // Disabling a user on A signs them out of both at once.
    let dave = b.app.user_with_role("dave", "operator").await;
    assert_eq!(whoami(&a.app, &dave).await["username"], "dave");
    assert_eq!(whoami(&b.app, &dave).await["username"], "dave");
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'dave'")
        .fetch_one(&a.app.pool)
        .await
        .unwrap();
    let res = a
        .app
        .call_form(
            &admin,
            "set_user_disabled",
            &[("id", &id.to_string()), ("disabled", "true")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert!(
        whoami(&a.app, &dave).await.is_null(),
        "still signed in on A"
    );
    assert!(
        whoami(&b.app, &dave).await.is_null(),
        "still signed in on B"
    );
    // Signing out on B ends the session on A at its next request, though A keeps the
    // session's record in memory (it was used there just now).
    let fay = a.app.user_with_role("fay", "viewer").await;
    assert_eq!(whoami(&a.app, &fay).await["username"], "fay");
    assert_eq!(whoami(&b.app, &fay).await["username"], "fay");
    let res = b.app.call_form(&fay, "sign_out", &[]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert!(whoami(&b.app, &fay).await.is_null(), "still signed in on B");
    assert!(
        whoami(&a.app, &fay).await.is_null(),
        "still signed in on A after signing out on B"
    );
    // A role change made on B holds on A at once, too.
    let erin = a.app.user_with_role("erin", "viewer").await;
    let erin_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'erin'")
        .fetch_one(&a.app.pool)
        .await
        .unwrap();
    let listed = a
        .app
        .call_json(
            &admin,
            "call_api",
            serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                "action": "DescribeDBClusters", "params": []}),
        )
        .await;
    assert_eq!(listed.status(), 200);
    let listed: serde_json::Value = listed.json().await.unwrap();
    let listed: serde_json::Value = serde_json::from_str(listed["json"].as_str().unwrap()).unwrap();
    let cluster = listed["Items"]["DBCluster"][0]["DBClusterId"]
        .as_str()
        .expect("a cluster in cn-hangzhou")
        .to_string();
    let describe = |app: &TestApp, cookie: String| {
        let cluster = cluster.clone();
        let app_base = app.base.clone();
        let path = app.server_fn("call_api");
        let http = app.http.clone();
        async move {
            http.post(format!("{app_base}{path}"))
                .header("cookie", cookie)
                .header("origin", &app_base)
                .json(&serde_json::json!({
                    "account": "sandbox", "region": "cn-hangzhou",
                    "action": "ModifyDBClusterDescription",
                    "params": [["DBClusterId", cluster], ["DBClusterDescription", "scale-out"]],
                }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        describe(&a.app, erin.clone()).await,
        403,
        "a viewer may not change"
    );
    let res = b
        .app
        .call_form(
            &admin,
            "set_user_role",
            &[("id", &erin_id.to_string()), ("role", "operator")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(
        describe(&a.app, erin.clone()).await,
        200,
        "the new role holds on A"
    );

    // An expired session row, for the sweeper.
    sqlx::query(
        "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ('expired-row', '\\x00', now() - interval '1 hour')",
    )
    .execute(&a.app.pool)
    .await
    .unwrap();

    // 200 audited calls, half through each process, 20 at a time.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&a.app.pool)
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for round in 0..10 {
        let mut batch = Vec::new();
        for i in 0..20 {
            let app = if (round * 20 + i) % 2 == 0 {
                &a.app
            } else {
                &b.app
            };
            batch.push(describe(app, admin.clone()));
        }
        statuses.extend(futures::future::join_all(batch).await);
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&a.app.pool)
        .await
        .unwrap();
    // A write leaves an intent and an outcome record.
    assert!(after - before >= 400, "only {} new records", after - before);
    let audit = backend::audit::Audit::with_keys(
        a.app.pool.clone(),
        std::sync::Arc::new(backend::vault::MasterKeys::new(
            "k1",
            backend::vault::MasterKeys::decode_key("master_key", MASTER_KEY).unwrap(),
        )),
        backend::metrics::Metrics::new(),
    );
    match audit.verify().await.unwrap() {
        backend::audit::Verdict::Intact { records } => assert_eq!(records, after),
        other => panic!("the chain is not intact: {other:?}"),
    }

    // Let the background jobs run a few periods in both processes.
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let swept: Option<String> =
        sqlx::query_scalar("SELECT id FROM tower_sessions.session WHERE id = 'expired-row'")
            .fetch_optional(&a.app.pool)
            .await
            .unwrap();
    assert!(swept.is_none(), "the expired session was not swept");

    let mut runs: BTreeMap<(String, i64), Vec<&str>> = BTreeMap::new();
    let (la, lb) = (a.log_lines(), b.log_lines());
    for (who, lines) in [("A", &la), ("B", &lb)] {
        assert!(
            lines
                .iter()
                .any(|l| l["fields"]["message"] == "background jobs started"),
            "process {who} did not start its background jobs"
        );
        for l in lines {
            if l["fields"]["message"] == "background job ran" {
                let job = l["fields"]["job"].as_str().unwrap().to_string();
                let slot = l["fields"]["slot"].as_i64().unwrap();
                runs.entry((job, slot)).or_default().push(who);
            }
        }
    }
    let twice: Vec<_> = runs.iter().filter(|(_, w)| w.len() > 1).collect();
    assert!(twice.is_empty(), "periods run by both processes: {twice:?}");
    let sweeps = runs.keys().filter(|(j, _)| j == "session-sweep").count();
    assert!(
        sweeps >= 3,
        "only {sweeps} session-sweep periods ran: {runs:?}"
    );
    // The processes run on: a period claimed after their logs were read is still in flight
    // (its row is written before its log line), so only the periods up to the last one
    // logged are counted.
    let last_logged = runs
        .keys()
        .filter(|(j, _)| j == "session-sweep")
        .map(|(_, slot)| *slot)
        .max()
        .unwrap_or(0);
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM background_runs WHERE job = 'session-sweep' AND slot <= $1",
    )
    .bind(last_logged)
    .fetch_one(&a.app.pool)
    .await
    .unwrap();
    assert_eq!(
        recorded as usize, sweeps,
        "every run is in background_runs, once"
    );
    // The audit checkpoint job verified the chain and recorded its head.
    let checkpoint: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM audit_checkpoints")
        .fetch_one(&a.app.pool)
        .await
        .unwrap();
    assert!(
        checkpoint.unwrap_or(0) >= after,
        "no checkpoint at the chain's head"
    );

    // Each process counts what it served.
    let metrics = a
        .app
        .http
        .get(format!("{}/metrics", a.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("polar_upstream_calls_total{action=\"ModifyDBClusterDescription\",outcome=\"ok\",code=\"\"}"), "{metrics}");
    for secret in [EMU_SECRET, password, admin.split('=').nth(1).unwrap()] {
        assert!(!metrics.contains(secret));
        for l in la.iter().chain(&lb) {
            assert!(
                !l.to_string().contains(secret),
                "a secret in a log line: {l}"
            );
        }
    }
}

/// A private PostgreSQL cluster this test may stop and start.
struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
}

fn pg_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries in /usr/lib/postgresql (scripts/test.sh installs them)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().expect("an initdb")
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Postgres {
    /// `CMD ARGS…` as the postgres user when we are root (PostgreSQL refuses root).
    fn run(&self, cmd: &str, args: &[&str]) -> std::process::Output {
        let program = self.bin.join(cmd);
        let out = if is_root() {
            std::process::Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            std::process::Command::new(&program).args(args).output()
        };
        out.expect("run a PostgreSQL tool")
    }

    fn init() -> Postgres {
        let dir =
            std::env::temp_dir().join(format!("polar-readyz-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("run")).unwrap();
        if is_root() {
            let ok = std::process::Command::new("chown")
                .args(["-R", "postgres:", dir.to_str().unwrap()])
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown to postgres");
        }
        let pg = Postgres { bin: pg_bin(), dir };
        let data = pg.data();
        let out = pg.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    fn url(&self) -> String {
        format!(
            "postgres://postgres@localhost/postgres?host={}",
            self.dir.join("run").display()
        )
    }

    fn start(&self) {
        let opts = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off",
            self.dir.join("run").display()
        );
        let log = self.dir.join("pg.log");
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-o",
                &opts,
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn stop(&self) {
        let out = self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn readyz(c: &Console) -> u16 {
    match c
        .app
        .http
        .get(format!("{}/readyz", c.app.base))
        .timeout(Duration::from_secs(4))
        .send()
        .await
    {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// Polls /readyz until it answers `want`; returns how long that took.
async fn until_ready_is(c: &Console, want: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let got = readyz(c).await;
        if got == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "/readyz still answers {got}, not {want}, after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn readyz_follows_postgres_stopping_and_coming_back() {
    let pg = Postgres::init();
    pg.start();
    let emu = emulator().await;
    let c = start(&pg.url(), &emu, "readyz-admin-password-1", &[]).await;
    let pid = c.child.id();
    assert_eq!(readyz(&c).await, 200);
    // Nothing about users or keys in the answer either way.
    let body = c
        .app
        .http
        .get(format!("{}/readyz", c.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "ready");

    pg.stop();
    let down = until_ready_is(&c, 503, Duration::from_secs(5)).await;
    let body = c
        .app
        .http
        .get(format!("{}/readyz", c.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("database"), "{body}");
    // /healthz is about the process, which is still up.
    let health = c
        .app
        .http
        .get(format!("{}/healthz", c.app.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(health, 200);

    pg.start();
    let up = until_ready_is(&c, 200, Duration::from_secs(5)).await;
    assert_eq!(c.child.id(), pid, "the console was not restarted");
    eprintln!("readyz: unready {down:?} after PostgreSQL stopped, ready {up:?} after it came back");
    let _ = Path::new(&pg.dir);
}

#[tokio::test]
async fn sigterm_finishes_in_flight_requests_then_stops() {
    let db = fresh_database().await;
    // Every API answer takes 1.5 s, so a call is in flight when the signal comes.
    let emu = emulator_with_latency(1500).await;
    let mut c = start(&db, &emu, "shutdown-admin-password-1", &[]).await;
    let admin = c.app.sign_in_admin().await;
    let in_flight = {
        let http = c.app.http.clone();
        let url = format!("{}{}", c.app.base, c.app.server_fn("call_api"));
        let origin = c.app.base.clone();
        let admin = admin.clone();
        tokio::spawn(async move {
            http.post(url)
                .header("cookie", admin)
                .header("origin", origin)
                .json(
                    &serde_json::json!({"account": "sandbox", "region": "cn-hangzhou",
                    "action": "DescribeDBClusters", "params": []}),
                )
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let pid = c.child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // No new requests are taken...
    let late = reqwest::Client::new()
        .get(format!("{}/healthz", c.app.base))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        late.is_err(),
        "a request after SIGTERM was served: {late:?}"
    );
    // ...the one in flight finishes...
    assert_eq!(in_flight.await.unwrap().expect("an answer"), 200);
    // ...and the process stops by itself, cleanly, after its background jobs.
    let status = tokio::time::timeout(Duration::from_secs(10), c.child.wait())
        .await
        .expect("stopped within 10 s")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let messages: Vec<String> = c
        .log_lines()
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str().map(String::from))
        .collect();
    let pos = |m: &str| messages.iter().position(|x| x == m);
    let (Some(a), Some(b), Some(z)) = (
        pos("shutting down"),
        pos("background jobs stopped"),
        pos("stopped"),
    ) else {
        panic!("shutdown steps missing from the log: {messages:?}");
    };
    assert!(a < b && b < z, "{messages:?}");
}
