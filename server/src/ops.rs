//! What operators see: Prometheus `/metrics`, per-route request metrics, and the
//! background jobs' lifetime (started with the server, stopped on shutdown).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::Backend;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

/// Where the inner (after-routing) layer leaves the matched route template for the outer one.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<String>>);

/// Outer layer: times every request and counts it by route template, method and status class.
pub async fn http_metrics(
    State(backend): State<Backend>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = RouteSlot::default();
    req.extensions_mut().insert(slot.clone());
    // Only the standard methods become label values; anything a client makes up is "other".
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "HEAD" | "PUT" | "DELETE" | "PATCH" | "OPTIONS") => m.to_string(),
        _ => "other".to_string(),
    };
    let fallback = if req.uri().path().starts_with("/pkg/") {
        "/pkg/*"
    } else {
        "unmatched"
    };
    let started = Instant::now();
    let response = next.run(req).await;
    let route = slot.0.get().map(String::as_str).unwrap_or(fallback);
    let class = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    backend.metrics.inc(
        "polar_http_requests_total",
        &[("route", route), ("method", &method), ("status", class)],
    );
    backend.metrics.observe(
        "polar_http_request_duration_seconds",
        &[("route", route)],
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Inner layer (a route layer, so it runs after routing): records the route template.
pub async fn mark_route(req: Request, next: Next) -> Response {
    if let (Some(slot), Some(path)) = (
        req.extensions().get::<RouteSlot>(),
        req.extensions().get::<MatchedPath>(),
    ) {
        let _ = slot.0.set(path.as_str().to_string());
    }
    next.run(req).await
}

#[derive(Clone)]
pub struct MetricsState {
    pub backend: Backend,
    pub token: Option<Arc<Zeroizing<String>>>,
    pub max_connections: u32,
}

/// `GET /metrics`: the counters plus gauges read now (sessions, pool use). Nothing about
/// users, keys or clusters.
pub async fn metrics(State(st): State<MetricsState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &st.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
            return (StatusCode::UNAUTHORIZED, "a bearer token is required\n").into_response();
        }
    }
    let pool = &st.backend.pool;
    let sessions: Option<i64> = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session WHERE expiry_date > now()")
            .fetch_one(pool),
    )
    .await
    .ok()
    .and_then(|r| r.ok());
    let size = pool.size() as f64;
    let idle = pool.num_idle() as f64;
    let mut gauges = vec![
        (
            "polar_db_pool_connections",
            "Database pool connections by state.",
            "state=\"idle\"".to_string(),
            idle,
        ),
        (
            "polar_db_pool_connections",
            "Database pool connections by state.",
            "state=\"in_use\"".to_string(),
            (size - idle).max(0.0),
        ),
        (
            "polar_db_pool_max_connections",
            "The pool's upper bound.",
            String::new(),
            st.max_connections as f64,
        ),
        (
            "polar_build_info",
            "The running version.",
            format!("version=\"{}\"", env!("CARGO_PKG_VERSION")),
            1.0,
        ),
    ];
    if let Some(n) = sessions {
        gauges.push((
            "polar_sessions",
            "Unexpired sessions in the shared store (all processes).",
            String::new(),
            n as f64,
        ));
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        st.backend.metrics.render(&gauges),
    )
        .into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The background jobs of this process; stop them on shutdown.
pub struct Background {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    notifications: JoinHandle<()>,
    changes: JoinHandle<()>,
}

/// How often each process looks for notifications due (it also wakes when it queues one).
const NOTIFICATIONS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// How often each process looks for changes due (it also wakes when one is approved).
const CHANGES_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl Background {
    pub fn start(
        jobs: backend::jobs::Jobs,
        notify: backend::notify::Notifier,
        changes: backend::changes::Changes,
    ) -> Self {
        let (stop, rx) = watch::channel(false);
        tracing::info!(instance = %jobs.instance, period_s = jobs.period.as_secs(), "background jobs started");
        let notifications = tokio::spawn(notify.run_until(NOTIFICATIONS_EVERY, rx.clone()));
        let changes = tokio::spawn(changes.run_until(CHANGES_EVERY, rx.clone()));
        let task = tokio::spawn(jobs.run_until(rx));
        Background {
            stop,
            task,
            notifications,
            changes,
        }
    }

    /// Asks the jobs to stop and waits for the one running now (at most `grace`).
    pub async fn stop(self, grace: std::time::Duration) {
        let _ = self.stop.send(true);
        let both = async {
            let _ = self.task.await;
            let _ = self.notifications.await;
            let _ = self.changes.await;
        };
        if tokio::time::timeout(grace, both).await.is_err() {
            tracing::warn!("a background job did not stop in time");
        }
    }
}
