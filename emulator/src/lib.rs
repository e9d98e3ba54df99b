//! A stateful emulator of the PolarDB OpenAPI (2017-08-01), spoken over HTTP exactly as
//! the real service is: RPC parameters in the query or a form body, signed requests,
//! JSON answers in the official SDK models' shapes and the reference's error codes.

pub mod auth;
pub mod handlers;
pub mod state;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::any;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

pub use state::{Seed, World};

/// The emulator's settings.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// AccessKeyId → AccessKeySecret pairs that may sign requests.
    pub access_keys: HashMap<String, String>,
    /// The initial state.
    pub seed: Seed,
}

/// Shared state of a running emulator.
pub struct Emulator {
    pub config: Config,
    pub world: Mutex<World>,
    pub nonces: Mutex<auth::NonceCache>,
}

/// The emulator's axum router.
pub fn router(config: Config) -> Router {
    let world = World::from_seed(&config.seed);
    let emulator = Arc::new(Emulator {
        config,
        world: Mutex::new(world),
        nonces: Mutex::new(auth::NonceCache::default()),
    });
    Router::new()
        .route("/", any(handlers::entry))
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
