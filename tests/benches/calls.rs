//! Benchmark (not a timed test): an audited call through the console over HTTP, as a
//! signed-in user makes it (session cookie, same-origin header, role check, vault, audit
//! record, PostgreSQL with fsync on), against the client crate calling the emulator
//! directly: one load generator, both ways, in the same run, at 1, 8 and 32 concurrent
//! callers, for a read (DescribeDBClusters) and a write (ModifyDBClusterDescription).
//! Beside them, the floor any console in front of the API sits on: a bare forwarder (one
//! more HTTP hop, the request signed with the client crate, the typed answer written out
//! again as JSON; no session, role, vault, audit or database) on a runtime of its own.
//! Prints throughput, median and p99 of each, their ratio and differences, the console's
//! resident memory idle and at its peak, and then writes through two console processes on
//! one database at once (`scripts/bench.sh` verifies the chain afterwards).
//!
//! `scripts/bench.sh` starts the processes (release build) and sets:
//! BENCH_CONSOLES (two base URLs), BENCH_CONSOLE_PIDS, BENCH_EMULATOR, BENCH_ADMIN_PASSWORD,
//! BENCH_KEY_ID, BENCH_KEY_SECRET; BENCH_SECONDS per measurement (default 4).
//! BENCH_ONLY=read:32 (or write:8, …) runs only the console path of that one case, for as
//! long as BENCH_SECONDS says — to profile the console under a steady load; with
//! BENCH_PATH=direct or BENCH_PATH=forwarder, that path instead (the baselines, alike).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The console's allocator (its binary's, see server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polardb::client::{Client, ClientConfig, Credentials, Target};
use polardb::models::{
    DescribeDBClusters, DescribeDBClustersResponse, ModifyDBClusterDescription,
    ModifyDBClusterDescriptionResponse,
};
use polardb::SignatureVersion;
use zeroize::Zeroizing;

const REGION: &str = "cn-hangzhou";
const ACCOUNT: &str = "sandbox";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (run scripts/bench.sh)"))
}

/// Resident memory of a process now, and its peak so far, in MiB.
fn rss(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Read,
    Write,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Op::Read => "read (DescribeDBClusters)",
            Op::Write => "write (ModifyDBClusterDescription)",
        }
    }
}

/// The console as one signed-in user: a session cookie, the same-origin header.
#[derive(Clone)]
struct Console {
    base: String,
    cookie: String,
    http: reqwest::Client,
}

impl Console {
    async fn sign_in(base: &str, password: &str) -> Console {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        let res = tests::post_sign_in(&http, base, "admin", password).await;
        let cookie = tests::cookie_of(&res).expect("a session cookie");
        Console {
            base: base.to_string(),
            cookie,
            http,
        }
    }

    async fn call(&self, action: &str, params: &[(&str, &str)]) -> Result<(), String> {
        let res = self
            .http
            .post(format!("{}/api/call_api", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .json(&serde_json::json!({
                "account": ACCOUNT,
                "region": REGION,
                "action": action,
                "params": params,
            }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
        }
    }

    async fn op(&self, op: Op, cluster: &str, n: u64) -> Result<(), String> {
        match op {
            Op::Read => self.call("DescribeDBClusters", &[]).await,
            Op::Write => {
                let description = format!("bench-{}", n % 1000);
                self.call(
                    "ModifyDBClusterDescription",
                    &[
                        ("DBClusterId", cluster),
                        ("DBClusterDescription", &description),
                    ],
                )
                .await
            }
        }
    }
}

/// The client crate, straight to the emulator.
#[derive(Clone)]
struct Direct {
    client: Arc<Client>,
    target: Target,
    creds: Arc<Credentials>,
}

impl Direct {
    /// The read: the region's clusters.
    async fn read(&self) -> Result<DescribeDBClustersResponse, polardb::ApiError> {
        let list = DescribeDBClusters {
            region_id: REGION.into(),
            ..Default::default()
        };
        self.client
            .call(&self.target, &self.creds, REGION, &list)
            .await
    }

    /// The write: the `n`th description of `cluster`.
    async fn write(
        &self,
        cluster: &str,
        n: u64,
    ) -> Result<ModifyDBClusterDescriptionResponse, polardb::ApiError> {
        let modify = ModifyDBClusterDescription {
            db_cluster_id: cluster.into(),
            db_cluster_description: format!("bench-{}", n % 1000),
        };
        self.client
            .call(&self.target, &self.creds, REGION, &modify)
            .await
    }

    async fn op(&self, op: Op, cluster: &str, n: u64) -> Result<(), String> {
        match op {
            Op::Read => self.read().await.map(|_| ()),
            Op::Write => self.write(cluster, n).await.map(|_| ()),
        }
        .map_err(|e| e.to_string())
    }
}

#[derive(Clone)]
enum Path {
    Direct(Direct),
    /// The bare forwarder's address.
    Forwarder(String, reqwest::Client),
    /// One or more consoles; callers take them in turn.
    Console(Vec<Console>),
}

impl Path {
    async fn op(&self, who: usize, op: Op, cluster: &str, n: u64) -> Result<(), String> {
        match self {
            Path::Direct(d) => d.op(op, cluster, n).await,
            Path::Forwarder(base, http) => {
                let res = http
                    .post(format!("{base}/call"))
                    .json(&serde_json::json!({
                        "write": op == Op::Write,
                        "cluster": cluster,
                        "n": n,
                    }))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = res.status();
                res.bytes().await.map_err(|e| e.to_string())?;
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("the forwarder answered {status}"))
                }
            }
            Path::Console(c) => c[who % c.len()].op(op, cluster, n).await,
        }
    }
}

/// The bare forwarder's one route: the call made with the client crate, its typed answer
/// written out as JSON text.
async fn forward(
    axum::extract::State(direct): axum::extract::State<Direct>,
    axum::Json(asked): axum::Json<serde_json::Value>,
) -> Result<String, (axum::http::StatusCode, String)> {
    let failed = |e: polardb::ApiError| (axum::http::StatusCode::BAD_GATEWAY, e.to_string());
    let cluster = asked["cluster"].as_str().unwrap_or_default().to_string();
    let n = asked["n"].as_u64().unwrap_or_default();
    let text = if asked["write"].as_bool().unwrap_or_default() {
        serde_json::to_string(&direct.write(&cluster, n).await.map_err(failed)?)
    } else {
        serde_json::to_string(&direct.read().await.map_err(failed)?)
    };
    text.map_err(|e| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// Starts the bare forwarder on a runtime of its own (two threads, as a separate server
/// would have); returns its base URL.
fn start_forwarder(direct: Direct) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the forwarder");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a port for the forwarder");
            tx.send(listener.local_addr().expect("its address"))
                .expect("the bench waits");
            let app = axum::Router::new()
                .route("/call", axum::routing::post(forward))
                .with_state(direct);
            axum::serve(listener, app)
                .await
                .expect("the forwarder serves");
        });
    });
    format!("http://{}", rx.recv().expect("the forwarder's address"))
}

struct Run {
    per_second: f64,
    median: f64,
    p99: f64,
}

/// `callers` concurrent callers, each calling in a loop for `secs`; every call must succeed.
async fn run(path: &Path, op: Op, cluster: &str, callers: usize, secs: f64) -> Run {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for who in 0..callers {
        let path = path.clone();
        let cluster = cluster.to_string();
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if let Err(e) = path.op(who, op, &cluster, n).await {
                    panic!("a call failed: {e}");
                }
                times.push(t.elapsed());
            }
            times
        }));
    }
    let start = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (median, p99) = tests::median_p99(all.clone());
    Run {
        per_second: all.len() as f64 / elapsed,
        median,
        p99,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let bases: Vec<String> = env("BENCH_CONSOLES").split(',').map(String::from).collect();
    let pids: Vec<u32> = env("BENCH_CONSOLE_PIDS")
        .split(',')
        .map(|p| p.parse().expect("a process id"))
        .collect();
    let password = env("BENCH_ADMIN_PASSWORD");
    let secs: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4.0);
    let direct = Direct {
        client: Arc::new(Client::new(ClientConfig::default()).unwrap()),
        target: Target {
            endpoint: Some(env("BENCH_EMULATOR")),
            signature: SignatureVersion::V2,
        },
        creds: Arc::new(Credentials::new(
            env("BENCH_KEY_ID"),
            Zeroizing::new(env("BENCH_KEY_SECRET")),
        )),
    };
    let mut consoles = Vec::new();
    for base in &bases {
        consoles.push(Console::sign_in(base, &password).await);
    }
    // A running cluster of the region to write to.
    let list = direct.read().await.expect("the emulator answers");
    let cluster = list
        .items
        .db_cluster
        .iter()
        .find(|c| c.db_cluster_status == "Running")
        .map(|c| c.db_cluster_id.clone())
        .expect("a running cluster in the region");

    let one = Path::Console(vec![consoles[0].clone()]);
    let forwarder = Path::Forwarder(
        start_forwarder(direct.clone()),
        reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap(),
    );
    let direct = Path::Direct(direct);
    // Warm up both paths (connections, the console's first reads).
    for op in [Op::Read, Op::Write] {
        run(&direct, op, &cluster, 4, 0.5).await;
        run(&forwarder, op, &cluster, 4, 0.5).await;
        run(&one, op, &cluster, 4, 0.5).await;
    }
    if let Ok(only) = std::env::var("BENCH_ONLY") {
        let (op, callers) = only.split_once(':').expect("BENCH_ONLY=read:32 or write:8");
        let op = if op == "write" { Op::Write } else { Op::Read };
        let callers: usize = callers.parse().expect("a number of callers");
        // BENCH_PATH=direct or forwarder runs that path instead: the baselines profiled alike.
        let (path, through) = match std::env::var("BENCH_PATH").as_deref() {
            Ok("direct") => (&direct, "directly"),
            Ok("forwarder") => (&forwarder, "through the forwarder"),
            _ => (&one, "through the console"),
        };
        let c = run(path, op, &cluster, callers, secs).await;
        println!(
            "{} {callers} callers {through}: {:.0} calls/s, median {:.2} ms, p99 {:.2} ms",
            op.label(),
            c.per_second,
            c.median,
            c.p99
        );
        return;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle, _) = rss(pids[0]);
    println!("console resident memory, idle after warm-up: {idle:.1} MiB");

    // The console's peak during the runs (sampled; VmHWM would include start-up).
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pid) = (peak.clone(), sampling.clone(), pids[0]);
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                let (now, _) = rss(pid);
                peak.fetch_max((now * 10.0) as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    println!("== {secs} s per measurement; one load generator; PostgreSQL with fsync on ==");
    println!(
        "{:<36} {:>7} {:>10} {:>11} {:>10} {:>7} {:>7} {:>12} {:>10} {:>10}",
        "action",
        "callers",
        "direct/s",
        "forwarder/s",
        "console/s",
        "ratio",
        "floor",
        "median Δ ms",
        "p99 Δ ms",
        "med/p99"
    );
    let mut peak_32 = 0.0f64;
    for op in [Op::Read, Op::Write] {
        for callers in [1usize, 8, 32] {
            if callers == 32 {
                peak.store(0, Ordering::Relaxed);
            }
            let d = run(&direct, op, &cluster, callers, secs).await;
            let f = run(&forwarder, op, &cluster, callers, secs).await;
            let c = run(&one, op, &cluster, callers, secs).await;
            if callers == 32 {
                peak_32 = peak_32.max(peak.load(Ordering::Relaxed) as f64 / 10.0);
            }
            println!(
                "{:<36} {:>7} {:>10.0} {:>11.0} {:>10.0} {:>6.2}x {:>6.2}x {:>+12.2} {:>+10.2} {:>4.1}/{:.1}",
                op.label(),
                callers,
                d.per_second,
                f.per_second,
                c.per_second,
                c.per_second / d.per_second,
                f.per_second / d.per_second,
                c.median - d.median,
                c.p99 - d.p99,
                c.median,
                c.p99,
            );
            println!(
                "{:<36} {:>7} direct median {:.2} ms, p99 {:.2} ms; forwarder median {:.2} ms, p99 {:.2} ms",
                "", "", d.median, d.p99, f.median, f.p99
            );
        }
    }
    sampling.store(false, Ordering::Relaxed);
    sampler.await.unwrap();
    println!("console resident memory, peak during the 32-caller runs: {peak_32:.1} MiB");

    if consoles.len() > 1 {
        let both = Path::Console(consoles.clone());
        let r = run(&both, Op::Write, &cluster, 8, secs).await;
        println!(
            "== two console processes on one database: 8 callers writing through both: {:.0} calls/s, median {:.2} ms, p99 {:.2} ms ==",
            r.per_second, r.median, r.p99
        );
    }
}
