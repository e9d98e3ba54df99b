//! A stateful emulator of the PolarDB OpenAPI (2017-08-01), spoken over HTTP exactly as
//! the real service is: RPC parameters in the query or a form body, signed requests,
//! JSON (or XML) answers in the official SDK models' shapes and the reference's error codes.
//!
//! Every action of `polardb::models::ACTIONS` is answered, statefully. Changes that take
//! time on the real service move through the reference's status values on a clock
//! ([`Config::speed_ms`] per transition). Faults can be injected ([`Config::latency_ms`],
//! [`Config::throttle_rate`], [`Config::error_5xx_rate`], deterministic given
//! [`Config::fault_seed`]) and `GET /_emulator/stats` reports what was received.
//!
//! Modules follow the reference's chapters: [`clusters`] (05, 06), [`security`] (07, 11),
//! [`nodes`] (08), [`parameters`] (09), [`endpoints`] (10), [`accounts`] (12),
//! [`databases`] (13), [`backups`] (14 and the backup policies), [`tags`] (15),
//! [`maintenance`] (16), [`schedule`] (17), [`monitoring`] (18).

pub mod accounts;
pub mod auth;
pub mod backups;
pub mod catalog;
pub mod clusters;
pub mod databases;
pub mod endpoints;
pub mod faults;
pub mod handlers;
pub mod maintenance;
pub mod monitoring;
pub mod nodes;
pub mod parameters;
pub mod schedule;
pub mod security;
pub mod seed;
pub mod state;
pub mod tags;
pub mod util;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{any, get};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

pub use state::{Seed, World};

/// The emulator's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// AccessKeyId → AccessKeySecret pairs that may sign requests.
    pub access_keys: HashMap<String, String>,
    /// The initial state.
    pub seed: Seed,
    /// Milliseconds per state transition of asynchronous changes (creating, restarting...).
    pub speed_ms: u64,
    /// Latency added to every API answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of API requests answered `Throttling.User` (HTTP 400), 0 to 1.
    pub throttle_rate: f64,
    /// Share of API requests answered `ServiceUnavailable` (HTTP 503), 0 to 1.
    pub error_5xx_rate: f64,
    /// Seed of the fault sequence.
    pub fault_seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_keys: HashMap::new(),
            seed: Seed::default(),
            speed_ms: 3000,
            latency_ms: 0,
            throttle_rate: 0.0,
            error_5xx_rate: 0.0,
            fault_seed: 0,
        }
    }
}

/// Shared state of a running emulator.
pub struct Emulator {
    pub config: Config,
    pub world: Mutex<World>,
    pub nonces: Mutex<auth::NonceCache>,
    pub stats: std::sync::Mutex<faults::Stats>,
    pub faults: std::sync::Mutex<faults::Faults>,
}

impl Emulator {
    pub fn new(config: Config) -> Self {
        let world = World::from_seed(&config.seed);
        let faults = faults::Faults::new(
            config.latency_ms,
            config.throttle_rate,
            config.error_5xx_rate,
            config.fault_seed,
        );
        Emulator {
            config,
            world: Mutex::new(world),
            nonces: Mutex::new(auth::NonceCache::default()),
            stats: std::sync::Mutex::new(faults::Stats::default()),
            faults: std::sync::Mutex::new(faults),
        }
    }
}

/// The emulator's axum router: the API at `/`, statistics at `/_emulator/stats`.
pub fn router(config: Config) -> Router {
    let emulator = Arc::new(Emulator::new(config));
    Router::new()
        .route("/", any(handlers::entry))
        .route(
            "/_emulator/stats",
            get(handlers::stats).delete(handlers::reset_stats),
        )
        .with_state(emulator)
}

/// Serves the emulator on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Starts the emulator on a free loopback port in the background; returns its base URL.
pub async fn spawn(config: Config) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener, config));
    Ok(format!("http://{addr}/"))
}
