//! The `polar-console` server: start-up, router and middleware. `main.rs` only parses
//! the command line and calls in here; tests start the same app on port 0.

#![recursion_limit = "512"]

pub mod assets;
pub mod config;
pub mod export;
pub mod listen;
pub mod ops;
pub mod session_cache;
pub mod web;

use std::net::SocketAddr;
use std::time::Duration;

use app::{shell, App};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use backend::Backend;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

pub use config::Config;

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to PostgreSQL: {0}")]
    Database(String),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(String),
    #[error("cannot set up the session store: {0}")]
    Sessions(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("{0}")]
    Setup(String),
}

/// A started console: the router plus what start-up created.
pub struct Started {
    pub router: Router,
    pub backend: Backend,
    /// Set when the bootstrap administrator was created with a generated password.
    pub generated_admin_password: Option<zeroize::Zeroizing<String>>,
    /// The background jobs (once across processes); stop them when the server stops.
    pub background: ops::Background,
    /// The connection limits `serve` keeps.
    pub connections: listen::Limits,
}

/// As the owner (`database_owner_url`): applies the migrations (ours and the session
/// store's), takes over what the console's role still owns, and grants that role what it
/// needs. Needs `database_owner_url`.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    let owner_url = config.database_owner_url.as_ref().ok_or_else(|| {
        StartError::Migrate(
            "database_owner_url (POLAR_DATABASE_OWNER_URL) is not set: migrations run as the role that owns the tables, and database_url names the role the console serves as".into(),
        )
    })?;
    let app_role = backend::db::role_of(&config.database_url)
        .map_err(|e| StartError::Database(describe_db_error(&e)))?;
    let owner = backend::db::connect(owner_url, 1)
        .await
        .map_err(|e| StartError::Database(format!("as the owner: {}", describe_db_error(&e))))?;
    let done = async {
        backend::db::migrate(&owner)
            .await
            .map_err(|e| StartError::Migrate(e.to_string()))?;
        PostgresStore::new(owner.clone())
            .migrate()
            .await
            .map_err(|e| StartError::Sessions(e.to_string()))?;
        backend::db::grant_app_role(&owner, &app_role)
            .await
            .map_err(|e| {
                StartError::Migrate(format!(
                    "cannot grant the console's role {app_role:?} its privileges: {}",
                    describe_db_error(&e)
                ))
            })
    }
    .await;
    owner.close().await;
    done
}

/// Opens the console's own pool and checks it may serve: the migrations are the binary's
/// and its role cannot rewrite the audit trail.
pub async fn connect_app(
    config: &Config,
    max_connections: u32,
) -> Result<sqlx::PgPool, StartError> {
    if config.database_owner_url.is_some() {
        migrate(config).await?;
    }
    let pool = backend::db::connect(&config.database_url, max_connections)
        .await
        .map_err(|e| StartError::Database(describe_db_error(&e)))?;
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&pool)
            .await
            .unwrap_or(None);
    let expected = backend::db::MIGRATOR.iter().map(|m| m.version).max();
    if applied != expected {
        return Err(StartError::Migrate(format!(
            "the database is at migration {} and this binary needs {}: run `polar-console migrate` with database_owner_url (POLAR_DATABASE_OWNER_URL) set",
            applied.map(|v| v.to_string()).unwrap_or_else(|| "none".into()),
            expected.unwrap_or_default()
        )));
    }
    if let Some(problem) = backend::db::app_role_problem(&pool)
        .await
        .map_err(|e| StartError::Database(describe_db_error(&e)))?
    {
        return Err(StartError::Setup(problem));
    }
    Ok(pool)
}

/// Who the changes made at start-up (the first administrator, the configured cloud
/// account) are recorded as.
fn startup_actor() -> backend::audit::Actor {
    backend::audit::Actor {
        name: "console start-up (configuration)".into(),
        auth_method: "config".into(),
        ..Default::default()
    }
}

/// Connects (migrating first as the owner when `database_owner_url` is set), checks the
/// console's role, bootstraps and builds the router.
pub async fn start(config: &Config) -> Result<Started, StartError> {
    let pool = connect_app(config, config.database_max_connections).await?;
    let store = PostgresStore::new(pool.clone());
    let client = polardb::client::Client::new(polardb::client::ClientConfig {
        allow_private: config.allow_private_endpoints,
        own: Some(config.listen),
        ..Default::default()
    })
    .map_err(|e| StartError::Setup(e.to_string()))?;
    let mut backend = Backend::new(pool.clone(), config.master_keys.clone(), client).with_outbound(
        backend::outbound::OutboundPolicy {
            allow_private: config.allow_private_endpoints,
            own: Some(config.listen),
        },
    );
    backend.identity = backend
        .identity
        .clone()
        .with_hashing_concurrency(config.password_hashing_concurrency);
    backend.gateway = backend
        .gateway
        .clone()
        .with_calls_per_minute(config.calls_per_minute);
    backend.changes = backend
        .changes
        .clone()
        .with_gateway(backend.gateway.clone());
    // The audit chain's key: created on the first start, then only read. A master key that
    // cannot decrypt it stops the console here rather than at the first audited request.
    // A trail it must not continue (records without their key, records removed) stops it
    // too, with what to do.
    backend.audit.init().await.map_err(|e| match e {
        backend::BackendError::Conflict(problem) => StartError::Setup(format!(
            "the audit trail cannot be continued: {problem}"
        )),
        e => StartError::Setup(format!(
            "cannot load the audit chain's key: {e} (is the master key that wrapped it in master_key or old_master_keys?)"
        )),
    })?;

    let generated_admin_password = match backend
        .identity
        .bootstrap_admin(
            &backend.audit,
            startup_actor(),
            config
                .bootstrap_admin_password
                .as_deref()
                .map(|s| s.as_str()),
        )
        .await
        .map_err(|e| StartError::Setup(e.to_string()))?
    {
        backend::identity::Bootstrap::Generated { password, .. } => Some(password),
        backend::identity::Bootstrap::Created { username } => {
            tracing::info!(%username, "created the bootstrap administrator");
            None
        }
        backend::identity::Bootstrap::Existing => None,
    };
    if let Some(account) = &config.cloud_account {
        // Registered together with its audit record, or not at all.
        let registered = async {
            // The same rules as an account an administrator adds.
            let new = account.parse()?;
            let mut change = backend.audit.begin_change().await?;
            let id = backend.vault.upsert(change.conn(), &new).await?;
            let mut e = backend::audit::Event::security(
                startup_actor(),
                "CloudAccountRegistered",
                backend::audit::Outcome::Ok,
            );
            e.params = serde_json::json!({
                "cloud_account": account.name,
                "id": id.to_string(),
                "access_key_id": backend::vault::mask_key_id(&account.access_key_id),
                "endpoint": account.endpoint,
                "emulator": account.emulator,
            });
            change.commit(&e).await
        };
        registered.await.map_err(|e| {
            StartError::Setup(format!(
                "cannot register the cloud account {}: {e}",
                account.name
            ))
        })?;
        tracing::info!(name = %account.name, endpoint = account.endpoint.as_deref().unwrap_or("Alibaba Cloud"), "cloud account registered");
    }

    // The cloud accounts are kept in memory while this process hears of every change.
    tokio::spawn(backend.vault.clone().listen());

    // Session sweeping, audit checkpoints and housekeeping: each period runs in exactly one
    // of the processes sharing this database.
    let background = ops::Background::start(
        backend::jobs::Jobs::new(
            pool.clone(),
            backend.audit.clone(),
            backend.metrics.clone(),
            config.background_period,
        )
        .with_watcher(
            backend::watch::Watcher::new(
                pool.clone(),
                backend.gateway.clone(),
                backend.notify.clone(),
            )
            .with_thresholds(config.notify_thresholds),
        ),
        backend.notify.clone(),
        backend.changes.clone(),
    );

    let (cookie_name, secure) = if config.cookie_secure {
        ("__Host-polar_session", true)
    } else {
        ("polar_session", false)
    };
    // Session records in memory in front of PostgreSQL (see `session_cache`).
    let store =
        tower_sessions::CachingSessionStore::new(session_cache::SessionCache::default(), store);
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie_name)
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            config.session_idle_minutes,
        )));

    let options = LeptosOptions::builder()
        .output_name("polar-console")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .env(leptos::config::Env::PROD)
        .build();
    let routes = generate_route_list(App);
    let ctx_backend = backend.clone();
    let limits = app::api::ssr::SessionLimits {
        absolute_secs: config.session_absolute_hours * 3600,
        secure_cookies: secure,
    };
    let web_state = web::WebState {
        backend: backend.clone(),
        proxy: std::sync::Arc::new(config.proxy.clone()),
        cookie_secure: config.cookie_secure,
        limits,
        bodies: web::Bodies::new(),
        in_flight: Default::default(),
    };
    let router = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                use leptos::prelude::{provide_context, use_context};
                provide_context(ctx_backend.clone());
                provide_context(limits);
                // The CSP nonce the context middleware chose goes on the hydration script.
                if let Some(parts) = use_context::<axum::http::request::Parts>() {
                    if let Some(n) = parts.extensions.get::<web::CspNonce>() {
                        provide_context(leptos::nonce::Nonce::from_value(n.0.clone()));
                    }
                }
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(
            Router::new()
                .route("/audit/export", axum::routing::get(export::audit_export))
                .route("/healthz", axum::routing::get(healthz))
                .route("/readyz", axum::routing::get(readyz))
                // The browser's files, precompressed where the build made copies.
                .nest_service("/pkg", assets::pkg(&config.site_root))
                .with_state(web_state.clone()),
        )
        .merge(
            Router::new()
                .route("/metrics", axum::routing::get(ops::metrics))
                .with_state(ops::MetricsState {
                    backend: backend.clone(),
                    token: config.metrics_token.clone().map(std::sync::Arc::new),
                    max_connections: config.database_max_connections,
                }),
        )
        .route_layer(middleware::from_fn(ops::mark_route))
        .layer(middleware::from_fn_with_state(
            (limits, backend.clone()),
            require_sign_in,
        ))
        .layer(middleware::from_fn_with_state(
            web_state.clone(),
            web::proxy_identity,
        ))
        // Body limit (413) and every server function's error status; after the
        // same-origin check, so a refused request's body is never read.
        .layer(middleware::from_fn_with_state(
            web_state.clone(),
            web::errors,
        ))
        // Inside the session layer: a refusal tells a signed-in caller (audited) from an
        // anonymous one (counted and logged).
        .layer(middleware::from_fn_with_state(
            web_state.clone(),
            web::same_origin,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(web_state, web::context))
        .layer(middleware::from_fn_with_state(
            backend.clone(),
            ops::http_metrics,
        ))
        .layer(tower_http::compression::CompressionLayer::new());
    let connections = listen::Limits::of(config, backend.metrics.clone());
    Ok(Started {
        router,
        connections,
        backend,
        generated_admin_password,
        background,
    })
}

/// Where a user who signed in with a password an administrator set is sent.
const PASSWORD_PAGE: &str = "/settings/password";

/// Pages need a signed-in user; everything else decides for itself (server functions
/// authorise inside, assets are public). This only shapes navigation.
async fn require_sign_in(
    axum::extract::State((limits, backend)): axum::extract::State<(
        app::api::ssr::SessionLimits,
        Backend,
    )>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let is_page = req.method() == axum::http::Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && path != "/signin"
        && path != "/healthz"
        && path != "/readyz"
        && path != "/metrics"
        && !path.contains('.');
    if is_page {
        // A session store or database that cannot answer is 503, not "signed out"; a
        // disabled user's session, or one an administrator ended, stops here and now.
        let must_change =
            match app::api::ssr::user_of_session(&backend, &session, Some(limits)).await {
                Ok(Some(u)) => u.must_change_password,
                Ok(None) => return Redirect::to("/signin").into_response(),
                Err(e) => return web::error_response(&e),
            };
        // A password an administrator set serves one sign-in: the user's own comes first.
        if must_change && path != PASSWORD_PAGE {
            return Redirect::to(PASSWORD_PAGE).into_response();
        }
    }
    if path == "/" && req.method() == axum::http::Method::GET {
        return Redirect::to("/clusters").into_response();
    }
    next.run(req).await
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready to serve: the database answers within 2 s and its migrations are the binary's.
/// Says which check failed, and nothing about users or keys.
async fn readyz(axum::extract::State(ws): axum::extract::State<web::WebState>) -> Response {
    use axum::http::StatusCode;
    let check = async {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&ws.backend.pool)
                .await?;
        Ok::<_, sqlx::Error>(applied)
    };
    let expected = backend::db::MIGRATOR.iter().map(|m| m.version).max();
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(applied)) if applied == expected => (StatusCode::OK, "ready").into_response(),
        Ok(Ok(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database migrations are not current",
        )
            .into_response(),
        Ok(Err(_)) | Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database does not answer",
        )
            .into_response(),
    }
}

fn describe_db_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::PoolTimedOut => {
            "no connection within 5 s (is the server running and reachable?)".into()
        }
        sqlx::Error::Io(io) => format!("{io}"),
        sqlx::Error::Database(d) => d.message().to_string(),
        sqlx::Error::Configuration(c) => format!("the URL is not valid: {c}"),
        other => other.to_string(),
    }
}

/// Binds the listener with a clear message when the port is taken.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).await.map_err(|e| StartError::Listen {
        addr,
        reason: if e.kind() == std::io::ErrorKind::AddrInUse {
            "the address is already in use — is another Polar Console (or another program) running there?".into()
        } else {
            e.to_string()
        },
    })
}

pub use listen::serve;

/// Every server function's path and method (the CSRF test walks them all).
pub fn server_fn_paths() -> Vec<(String, axum::http::Method)> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method))
        .collect()
}
