//! Benchmark (not a timed test): the console under 150 concurrent sign-ins. Prints the
//! peak resident memory of the process and how the attempts were answered (signed in,
//! 401, 429). argon2id takes 19 MiB per hash, so without a cap on concurrent hashing
//! this burst took the console to 1.84 GB. Run: `scripts/bench.sh` (needs
//! TEST_DATABASE_URL, like the tests); `BENCH_SIGN_INS` changes the burst size.
//!
//! The console runs in this process (with the emulator and the HTTP client, which add a
//! few MiB), so the peak printed is an upper bound of the console's own.

use std::time::Instant;

/// The console's allocator (its binary's, see server/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use futures::future::join_all;
use tests::TestApp;

/// The i-th attempt of a scenario: the user name, the password and the client address.
type Attempt<'a> = Box<dyn Fn(usize) -> (String, &'static str, String) + 'a>;

/// A `VmHWM`/`VmRSS` line of /proc/self/status, in MiB.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Starts a new peak-memory measurement (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct Tally {
    signed_in: usize,
    unauthorized: usize,
    too_many: usize,
    other: usize,
}

async fn burst(
    app: &TestApp,
    action: &str,
    n: usize,
    attempt: impl Fn(usize) -> (String, &'static str, String),
) -> Tally {
    let answers = join_all((0..n).map(|i| {
        let (addr, user, password) = attempt(i);
        async move {
            app.http
                .post(format!("{}{action}", app.base))
                .header("origin", &app.base)
                .header("accept", "text/html")
                .header("x-forwarded-for", addr)
                .form(&[("username", user), ("password", password.as_str())])
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    }))
    .await;
    let count = |f: &dyn Fn(u16) -> bool| answers.iter().filter(|s| f(**s)).count();
    Tally {
        signed_in: count(&|s| (200..400).contains(&s)),
        unauthorized: count(&|s| s == 401),
        too_many: count(&|s| s == 429),
        other: count(&|s| !(200..400).contains(&s) && s != 401 && s != 429),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_SIGN_INS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    // The trusted proxy is this host, so X-Forwarded-For gives each attempt its address.
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_TRUSTED_PROXIES", "127.0.0.1")],
        "127.0.0.1:0",
    )
    .await;
    let action = app.sign_in_action().await;
    let password = app.admin_password.clone();
    // Warm up: one sign-in, so allocator arenas and pools exist before the baseline.
    burst(&app, &action, 1, |_| {
        ("192.0.2.1".into(), "admin", password.clone())
    })
    .await;
    let baseline = status_mib("VmRSS:").unwrap_or(f64::NAN);
    println!(
        "== {n} concurrent sign-ins (password_hashing_concurrency {}), resident memory before: {baseline:.0} MiB ==",
        backend::identity::DEFAULT_HASHING_CONCURRENCY
    );
    let scenarios: Vec<(&str, Attempt<'_>)> = vec![
        (
            "right password, each from its own address",
            Box::new(|i| {
                (
                    format!("10.1.{}.{}", i / 250, i % 250 + 1),
                    "admin",
                    password.clone(),
                )
            }),
        ),
        (
            "wrong passwords for unknown users, own addresses",
            Box::new(|i| {
                (
                    format!("10.2.{}.{}", i / 250, i % 250 + 1),
                    "nobody",
                    format!("guess-{i}"),
                )
            }),
        ),
        (
            "wrong passwords for admin, one address",
            Box::new(|i| ("10.3.0.1".into(), "admin", format!("guess-{i}"))),
        ),
    ];
    let mut worst: f64 = 0.0;
    for (name, attempt) in &scenarios {
        let fresh = reset_peak();
        let started = Instant::now();
        let t = burst(&app, &action, n, attempt).await;
        let peak = status_mib("VmHWM:").unwrap_or(f64::NAN);
        worst = worst.max(peak);
        println!(
            "{name:<50} peak {peak:>6.0} MiB{}  signed in {:>3}  401 {:>3}  429 {:>3}  other {:>3}  ({:.1} s)",
            if fresh { "" } else { " (since start)" },
            t.signed_in,
            t.unauthorized,
            t.too_many,
            t.other,
            started.elapsed().as_secs_f64()
        );
    }
    println!("peak resident memory of the console process under {n} concurrent sign-ins: {worst:.0} MiB (bound: 400 MiB)");
}
