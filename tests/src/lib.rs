//! Harness for the cross-crate tests: a fresh database per test on the PostgreSQL that
//! `scripts/test.sh` starts (TEST_DATABASE_URL), the emulator over HTTP on port 0, and the
//! console itself on port 0.

use std::collections::HashMap;
use std::net::SocketAddr;

/// A running console and the emulator behind it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub emulator: String,
    pub admin_password: String,
    /// The test's own access to the database: the owner's (a superuser's) URL, with which
    /// the console was migrated. Tests use it to look and to tamper.
    pub database_url: String,
    /// The URL the console serves with: [`APP_ROLE`], which owns nothing.
    pub console_database_url: String,
    /// A pool on `database_url` (the owner's).
    pub pool: sqlx::PgPool,
    pub http: reqwest::Client,
    /// The app's background jobs; they stop with the test.
    pub background: Option<server::ops::Background>,
}

pub const EMU_KEY_ID: &str = "LTAItest0000000key";
pub const EMU_SECRET: &str = "emulator-secret-do-not-leak";
pub const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The ordinary role the console serves as in tests (created once per cluster).
pub const APP_ROLE: &str = "polar_test_app";

/// `url` signing in as `role` instead (no password: the test cluster trusts its socket).
pub fn url_as(url: &str, role: &str) -> String {
    let mut u = reqwest::Url::parse(url).expect("a database URL");
    u.set_username(role).expect("a URL with a user");
    u.set_password(None).expect("a URL with a password");
    u.to_string()
}

/// The URL of `owner_url`'s database for the console's ordinary role [`APP_ROLE`], which
/// is created (LOGIN, nothing else) when missing. The console migrates with
/// `owner_url` (POLAR_DATABASE_OWNER_URL) and serves with this one.
pub async fn app_database_url(owner_url: &str) -> String {
    // The owner is a superuser in tests: it creates the role on its own cluster.
    let pool = sqlx::PgPool::connect(owner_url)
        .await
        .expect("connect as the owner");
    // Tests run at once: a concurrent CREATE ROLE may win the race.
    sqlx::query(&format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                 CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
             END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$"
    ))
    .execute(&pool)
    .await
    .expect("create the console's test role");
    pool.close().await;
    url_as(owner_url, APP_ROLE)
}

/// Creates an empty database for one test and returns its URL.
pub async fn fresh_database() -> String {
    let admin = std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: run the tests with scripts/test.sh, which starts a throwaway PostgreSQL",
    );
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .expect("create test database");
    pool.close().await;
    // Replace the database name in the URL (…/postgres?host=… → …/t_xxx?host=…).
    let (before_query, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_string(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let base = before_query
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&before_query);
    format!("{base}/{name}{query}")
}

impl TestApp {
    /// Starts the emulator (built-in seed) and the console on a fresh database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(emulator::state::default_seed()).await
    }

    pub async fn spawn_with(seed: emulator::Seed) -> TestApp {
        Self::spawn_custom(seed, &[], "127.0.0.1:0").await
    }

    /// With extra `POLAR_*` settings, listening on `bind` (e.g. `[::1]:0`).
    pub async fn spawn_custom(seed: emulator::Seed, extra: &[(&str, &str)], bind: &str) -> TestApp {
        let mut keys = HashMap::new();
        keys.insert(EMU_KEY_ID.to_string(), EMU_SECRET.to_string());
        let emulator = emulator::spawn(emulator::Config {
            access_keys: keys,
            seed,
            ..Default::default()
        })
        .await
        .expect("emulator starts");
        let database_url = fresh_database().await;
        let console_database_url = app_database_url(&database_url).await;
        let admin_password = "correct-horse-battery-staple".to_string();
        let env: Vec<(String, String)> = [
            ("POLAR_DATABASE_URL", console_database_url.as_str()),
            ("POLAR_DATABASE_OWNER_URL", database_url.as_str()),
            ("POLAR_MASTER_KEY", MASTER_KEY),
            ("POLAR_LISTEN", "127.0.0.1:0"),
            ("POLAR_BOOTSTRAP_ADMIN_PASSWORD", admin_password.as_str()),
            ("POLAR_CLOUD_ACCOUNT_ENDPOINT", emulator.as_str()),
            ("POLAR_CLOUD_ACCOUNT_EMULATOR", "true"),
            ("POLAR_ALLOW_PRIVATE_ENDPOINTS", "true"),
            ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", EMU_KEY_ID),
            ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET", EMU_SECRET),
        ]
        .iter()
        .chain(extra.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = server::config::Sources::load(None, env)
            .and_then(|s| s.build())
            .expect("valid test configuration");
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let started = server::start(&config).await.expect("console starts");
        tokio::spawn(server::serve(
            listener,
            started.router,
            started.connections,
            std::time::Duration::from_secs(5),
        ));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            pool: sqlx::PgPool::connect(&database_url).await.unwrap(),
            emulator,
            admin_password,
            database_url,
            console_database_url,
            // A request that never completes fails its test instead of holding the run.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(180))
                .build()
                .unwrap(),
            background: Some(started.background),
        }
    }

    /// The sign-in form's action URL, read from the served page.
    pub async fn sign_in_action(&self) -> String {
        sign_in_action(&self.http, &self.base).await
    }

    /// Signs in with the form, as a browser without JavaScript would; returns the response.
    pub async fn post_sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        post_sign_in(&self.http, &self.base, username, password).await
    }

    /// Signs in as the bootstrap administrator; returns the `Cookie` header value.
    pub async fn sign_in_admin(&self) -> String {
        self.sign_in_as("admin", &self.admin_password.clone()).await
    }

    pub async fn sign_in_as(&self, username: &str, password: &str) -> String {
        let res = self.post_sign_in(username, password).await;
        assert!(
            res.status().is_redirection(),
            "sign-in answered {}",
            res.status()
        );
        cookie_of(&res).expect("a session cookie")
    }

    /// Creates a local user with `role` (built-in or custom) and signs them in.
    pub async fn user_with_role(&self, username: &str, role: &str) -> String {
        let identity = backend::identity::Identity::new(self.pool.clone());
        let name = backend::identity::Username::parse(username).unwrap();
        let password = format!("{username}-password-123");
        // As `create-admin` does: the user and its creation record commit together (`audit
        // verify` wants every user's creation in the trail).
        let audit = backend::audit::Audit::with_keys(
            self.pool.clone(),
            std::sync::Arc::new(backend::vault::MasterKeys::new(
                "k1",
                backend::vault::MasterKeys::decode_key("master_key", MASTER_KEY).unwrap(),
            )),
            backend::metrics::Metrics::new(),
        );
        let mut change = audit.begin_change().await.unwrap();
        let user = identity
            .create_local_in(
                change.conn(),
                &name,
                username,
                backend::identity::Role::Viewer.as_str(),
                &password,
                false,
            )
            .await
            .unwrap();
        let mut e = backend::audit::Event::security(
            backend::audit::Actor {
                name: "test harness".into(),
                auth_method: "cli".into(),
                ..Default::default()
            },
            "UserCreated",
            backend::audit::Outcome::Ok,
        );
        e.params = serde_json::json!({"user": user.id.to_string(), "username": user.username, "role": user.role});
        change.commit(&e).await.unwrap();
        sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
            .bind(role)
            .bind(username)
            .execute(&self.pool)
            .await
            .unwrap();
        self.sign_in_as(username, &password).await
    }

    /// The path of the server function whose name starts with `name`.
    pub fn server_fn(&self, name: &str) -> String {
        let prefix = format!("/api/{name}");
        server::server_fn_paths()
            .into_iter()
            .map(|(p, _)| p)
            .find(|p| {
                p.starts_with(&prefix) && p[prefix.len()..].chars().all(|c| c.is_ascii_digit())
            })
            .unwrap_or_else(|| panic!("no server function {name}"))
    }

    /// POSTs JSON to a server function as a same-origin page would.
    pub async fn call_json(
        &self,
        cookie: &str,
        name: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, self.server_fn(name)))
            .header("cookie", cookie)
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// POSTs a form to a server function as a same-origin page would (JS client style).
    pub async fn call_form(
        &self,
        cookie: &str,
        name: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, self.server_fn(name)))
            .header("cookie", cookie)
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// The sign-in form's action URL on the console at `base`, read from the served page.
pub async fn sign_in_action(http: &reqwest::Client, base: &str) -> String {
    let html = http
        .get(format!("{base}/signin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html
        .find("action=\"/api/sign_in")
        .expect("sign-in form on /signin")
        + 8;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

/// Signs in to the console at `base` with the form, as a browser without JavaScript
/// would; returns the response.
pub async fn post_sign_in(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let action = sign_in_action(http, base).await;
    http.post(format!("{base}{action}"))
        .header("origin", base)
        .header("accept", "text/html")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The console binary the test command builds (`cargo build -p server`), for its command
/// line.
pub fn console_binary() -> std::path::PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"))
        });
    let bin = target.join("debug").join("polar-console");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p server` (scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// Median and p99 of `times`, in milliseconds (for the benchmarks).
pub fn median_p99(mut times: Vec<std::time::Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    let p99 = ms(times[((times.len() as f64) * 0.99).ceil() as usize - 1]);
    (median, p99)
}

/// `name=value` of the session cookie a response sets.
pub fn cookie_of(res: &reqwest::Response) -> Option<String> {
    named_cookie(res, "polar_session")
}

/// `name=value` of the cookie a response sets whose name ends with `name` (so with or
/// without the `__Host-` prefix).
pub fn named_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .find(|c| c.split('=').next().is_some_and(|n| n.ends_with(name)))
}

/// The id of the built-in seed's cluster with this description (`orders-staging`, …).
pub fn seeded_cluster(description: &str) -> String {
    emulator::state::default_seed()
        .clusters
        .iter()
        .find(|c| c.description == description)
        .unwrap_or_else(|| panic!("no seeded cluster {description:?}"))
        .id
        .clone()
}

/// The built-in seed's first running cluster, and a node class one step bigger than its
/// first node's (an upgrade the API accepts).
pub fn running_cluster_and_bigger_class() -> (emulator::state::Cluster, String) {
    let c = emulator::state::default_seed()
        .clusters
        .into_iter()
        .find(|c| c.status == "Running")
        .expect("a running cluster");
    let rank = emulator::catalog::class_rank(&c.nodes[0].class).expect("a known class");
    let bigger = emulator::catalog::NODE_CLASSES[rank + 1].name.to_string();
    (c, bigger)
}
