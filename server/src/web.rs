//! Middleware: request context (id, client address, CSP nonce, security headers),
//! sign-in through the SSO proxy's headers, and the same-origin rule for changes.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::audit::{Actor, Event, Outcome};
use backend::identity::{ProxyUser, Username};
use backend::{Backend, BackendError, ClientAddr};
use base64::Engine;
use rand::RngCore;
use tower_sessions::Session;

use crate::config::ProxyAuth;

/// What the middleware needs.
#[derive(Clone)]
pub struct WebState {
    pub backend: Backend,
    pub proxy: Arc<ProxyAuth>,
    /// The `cookie_secure` setting: on a host other than loopback, the console is then
    /// served over https (its session cookie works nowhere else).
    pub cookie_secure: bool,
    /// How long a session may live however active it is.
    pub limits: app::api::ssr::SessionLimits,
    /// Request bodies held in memory at once.
    pub bodies: Arc<Bodies>,
    /// Each signed-in user's requests being answered at once.
    pub in_flight: Arc<InFlight>,
}

/// Requests of one signed-in user being answered at once, counted until each answer has
/// been sent (seventeenth attack run, F1r: a limit on the user's calls that ended when a
/// call returned let finished 4 MB answers pile up in connections that read nothing).
pub const REQUESTS_AT_ONCE: usize = 16;
/// How long a request waits for one of those places before it is answered 429.
pub const REQUEST_PLACE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The places of [`REQUESTS_AT_ONCE`], per user.
#[derive(Default)]
pub struct InFlight(
    std::sync::Mutex<std::collections::HashMap<uuid::Uuid, Arc<tokio::sync::Semaphore>>>,
);

impl InFlight {
    async fn place(&self, user: uuid::Uuid) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let places = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(user)
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(REQUESTS_AT_ONCE)))
            .clone();
        tokio::time::timeout(REQUEST_PLACE_WAIT, places.acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
    }
}

/// A response body that keeps something (a place, a mark) until it has been sent or
/// dropped. Its data goes out in slices of [`SLICE`], so that hyper takes the next one only
/// once the last has left for the socket: the body ends when its answer has almost all
/// been sent, not when a whole answer was handed to hyper's buffer (seventeenth attack
/// run, F1r: a 4 MB answer in one piece let its place go at once).
pub struct HeldBody<T> {
    inner: Body,
    /// Kept for its `Drop` only.
    _held: T,
    rest: Option<axum::body::Bytes>,
}

/// The largest piece of an answer handed to hyper at once.
pub const SLICE: usize = 16 * 1024;

impl<T> HeldBody<T> {
    pub fn new(inner: Body, held: T) -> Self {
        HeldBody {
            inner,
            _held: held,
            rest: None,
        }
    }

    fn slice(&mut self, mut data: axum::body::Bytes) -> http_body::Frame<axum::body::Bytes> {
        if data.len() > SLICE {
            let head = data.split_to(SLICE);
            self.rest = Some(data);
            http_body::Frame::data(head)
        } else {
            http_body::Frame::data(data)
        }
    }
}

impl<T: Send + Unpin + 'static> http_body::Body for HeldBody<T> {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        if let Some(rest) = self.rest.take() {
            return Poll::Ready(Some(Ok(self.slice(rest))));
        }
        match std::pin::Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => Poll::Ready(Some(Ok(self.slice(data)))),
                Err(other) => Poll::Ready(Some(Ok(other))),
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let mut hint = self.inner.size_hint();
        if let Some(rest) = &self.rest {
            let n = rest.len() as u64;
            hint.set_lower(hint.lower() + n);
            if let Some(upper) = hint.upper() {
                hint.set_upper(upper + n);
            }
        }
        hint
    }
}

/// A signed-in user's place among their requests being answered, for any request but the
/// site's files; `Err` is the 429 to answer when none came free in time. The user is the
/// session's (kept in memory: no database read); a session that names no user takes none.
async fn place_of(
    ws: &WebState,
    path: &str,
    session: Option<Session>,
) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, Response> {
    if path.starts_with("/pkg/") || path.starts_with("/favicon") {
        return Ok(None);
    }
    let Some(session) = session else {
        return Ok(None);
    };
    let user = match session.get::<String>(app::api::ssr::USER_KEY).await {
        Ok(Some(id)) => uuid::Uuid::parse_str(&id).ok(),
        _ => None,
    };
    let Some(user) = user else {
        return Ok(None);
    };
    match ws.in_flight.place(user).await {
        Some(p) => Ok(Some(p)),
        None => {
            ws.backend.metrics.inc("polar_calls_throttled_total", &[]);
            let mut res = error_response(&app::AppError::TooMany(1));
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(1));
            Err(res)
        }
    }
}

/// The request id, also sent back as `x-request-id` and written into audit records.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// This response's Content-Security-Policy nonce (the hydration script carries it).
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The TCP peer, kept for the proxy-trust decision.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub IpAddr);

/// The client's address: the peer, or — when the peer is a trusted proxy — the first
/// address in `X-Forwarded-For` counted from the right that is not a trusted hop.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, proxy: &ProxyAuth) -> IpAddr {
    if !proxy.is_trusted(peer) {
        return peer;
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        if let Ok(s) = v.to_str() {
            for part in s.split(',') {
                if let Ok(ip) = part.trim().parse::<IpAddr>() {
                    hops.push(ip);
                } else {
                    // An unparsable hop: stop believing anything left of it.
                    hops.clear();
                }
            }
        }
    }
    for ip in hops.iter().rev() {
        if !proxy.is_trusted(*ip) {
            return *ip;
        }
    }
    hops.first().copied().unwrap_or(peer)
}

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Outermost: ids, addresses, the nonce, and the headers every response carries.
pub async fn context(State(ws): State<WebState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let client = client_addr(peer, req.headers(), &ws.proxy);
    let request_id = uuid::Uuid::new_v4().to_string();
    let nonce = random_token(16);
    let https = req.uri().scheme_str() == Some("https")
        || (ws.proxy.is_trusted(peer)
            && req
                .headers()
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https"));
    let is_settings = req.uri().path().starts_with("/settings");
    let ext = req.extensions_mut();
    ext.insert(Peer(peer));
    ext.insert(ClientAddr(client));
    ext.insert(RequestId(request_id.clone()));
    ext.insert(CspNonce(nonce.clone()));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        req.headers_mut().insert("x-request-id", v);
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if is_settings {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    res
}

fn actor_from(req: &Request) -> Actor {
    Actor {
        user_id: None,
        name: "anonymous".into(),
        auth_method: "none".into(),
        client_addr: req
            .extensions()
            .get::<ClientAddr>()
            .map(|c| c.0.to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// Whether a `Host` value names this machine's loopback interface (`localhost`,
/// `127.x.y.z`, `[::1]`, with or without a port).
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    let name = name.trim_end_matches('.');
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The scheme the console is served with, as the browser sees it: what a trusted proxy
/// says in `X-Forwarded-Proto` (its own hop, the last value); otherwise `https` when the
/// session cookie is Secure and the host is not loopback (browsers keep such a cookie over
/// https only), else `http`.
pub fn served_scheme(
    peer: IpAddr,
    headers: &HeaderMap,
    proxy: &ProxyAuth,
    cookie_secure: bool,
) -> &'static str {
    if proxy.is_trusted(peer) {
        let said = headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .map(|v| v.trim().to_ascii_lowercase());
        match said.as_deref() {
            Some("https") => return "https",
            Some("http") => return "http",
            _ => {}
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if cookie_secure && !is_loopback_host(host) {
        "https"
    } else {
        "http"
    }
}

/// Whether a change comes from the console's own pages: `Origin` must be exactly this
/// scheme and host, or, without `Origin`, `Sec-Fetch-Site` must say `same-origin`.
pub fn is_same_origin(headers: &HeaderMap, scheme: &str) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => {
            !host.is_empty() && origin.to_ascii_lowercase() == format!("{scheme}://{host}")
        }
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin"),
    }
}

/// Changes must come from the console's own pages (see [`is_same_origin`]); otherwise 403.
/// A refusal with a signed-in session is audited; an anonymous one — anyone can send
/// those, by the thousand — is counted in `polar_cross_origin_refused_total` and logged.
/// Runs inside the session layer.
pub async fn same_origin(State(ws): State<WebState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<Peer>()
        .map(|p| p.0)
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let scheme = served_scheme(peer, req.headers(), &ws.proxy, ws.cookie_secure);
    if is_same_origin(req.headers(), scheme) {
        return next.run(req).await;
    }
    // Whose session it is decides whether the refusal needs its record: a store or a
    // database that cannot say is a 503, not an anonymous refusal without one (eighth
    // attack run, E5).
    // The same decision on the session as every other way in (eleventh attack run, F7: an
    // ended session's cross-origin posts were still recorded as its user).
    let user = match req.extensions().get::<Session>() {
        Some(session) => {
            match app::api::ssr::user_of_session(&ws.backend, session, Some(ws.limits)).await {
                Ok(u) => u,
                Err(e) => return error_response(&e),
            }
        }
        None => None,
    };
    let refused = (
        StatusCode::FORBIDDEN,
        "Refused: changes must come from the console's own pages (cross-origin request).",
    )
        .into_response();
    let Some(user) = user else {
        ws.backend.metrics.inc(
            "polar_cross_origin_refused_total",
            &[("caller", "anonymous")],
        );
        tracing::warn!(
            client = req.extensions().get::<ClientAddr>().map(|c| c.0.to_string()).unwrap_or_default(),
            method = req.method().as_str(),
            path = ?req.uri().path(),
            origin = ?req.headers().get(header::ORIGIN),
            expected_scheme = scheme,
            "refused an anonymous cross-origin change"
        );
        return refused;
    };
    ws.backend
        .metrics
        .inc("polar_cross_origin_refused_total", &[("caller", "user")]);
    // A record takes one of the user's tokens, like a call: a flood of refused changes
    // cannot grow the trail faster than calls could (tenth attack run, F2).
    if let Err(e) = ws
        .backend
        .gateway
        .take_token(Some(user.id), &user.username, "CsrfRefused")
    {
        return error_response(&e.into());
    }
    let mut actor = actor_from(&req);
    actor.user_id = Some(user.id);
    actor.name = user.username.clone();
    actor.auth_method = user.auth_source.clone();
    let mut event = Event::security(actor, "CsrfRefused", Outcome::Denied);
    event.params = serde_json::json!({ "method": req.method().as_str(), "path": recorded_path(req.uri().path()) });
    // Like every other refusal: without its record it is not answered as one.
    if let Err(e) = ws.backend.audit.append(&event).await {
        tracing::error!(error = %e, "could not record a cross-origin refusal");
        return error_response(&e.into());
    }
    refused
}

/// A request path as a record keeps it: at most 256 characters, then its length (tenth
/// attack run, F2: 65,000-character paths were recorded whole).
fn recorded_path(path: &str) -> String {
    const KEPT: usize = 256;
    match path.char_indices().nth(KEPT) {
        None => path.to_string(),
        Some((cut, _)) => format!("{}… [{} bytes in all]", &path[..cut], path.len()),
    }
}

/// A proxy sign-in refused, with its record; without the record it is not answered as a
/// refusal (503), like every other.
async fn refused_proxy_sign_in(
    ws: &WebState,
    actor: backend::audit::Actor,
    reason: &str,
    message: String,
) -> Response {
    let user = actor.name.clone();
    let mut event = Event::security(actor, "ProxySignInRefused", Outcome::Denied);
    event.params = serde_json::json!({ "reason": reason });
    if let Err(e) = ws.backend.audit.append(&event).await {
        tracing::error!(error = %e, "could not record a refused proxy sign-in");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The audit trail cannot be written right now, so you were not signed in and nothing was changed.",
        )
            .into_response();
    }
    tracing::warn!(user = %user, reason, "proxy sign-in refused");
    (StatusCode::FORBIDDEN, message).into_response()
}

/// The most a request body may hold: 2 MiB, axum's default limit, which server
/// functions apply too.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// An error as every route answers it: the error's status and the error as JSON (the
/// encoding of server functions' errors: `{"Invalid":{"field":…,"message":…}}`).
pub fn error_response(err: &app::AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(err).unwrap_or_default();
    let mut res = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let app::AppError::TooMany(secs) = err {
        res.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(*secs));
    }
    res
}

/// All request bodies held in memory at once, over every client: 32 MiB.
pub const BODIES_IN_MEMORY: usize = 32 * 1024 * 1024;
/// Request bodies of one client address held in memory at once: 4 MiB (two bodies of the
/// largest size).
pub const BODIES_PER_CLIENT: usize = 2 * MAX_BODY_BYTES;
/// Small bodies (a sign-in's) have a pool of their own: 8 MiB, 64 KiB an address, bodies of
/// at most [`SMALL_BODY`].
pub const SMALL_BODIES: usize = 8 * 1024 * 1024;
pub const SMALL_PER_CLIENT: usize = 64 * 1024;
pub const SMALL_BODY: usize = 16 * 1024;
/// Signed-in users' bodies have a pool of their own when the shared one is full: 16 MiB,
/// 4 MiB a user.
pub const SIGNED_IN_BODIES: usize = 16 * 1024 * 1024;
/// How long a request body may take to arrive, from its first byte to its last.
pub const BODY_SECONDS: u64 = 30;

/// The memory request bodies may take: every body is read into memory before anyone is
/// identified (a server function needs it whole), so without a bound, half-sent bodies
/// on many connections took the process to gigabytes (thirteenth attack run, F5). A body
/// takes bytes from a budget as they arrive — over the whole process and over its holder
/// (a client address, or a user) — and gives them back when its request has been answered.
/// Nothing is taken for a length only declared (fourteenth attack run, F1: headers alone
/// filled the budget and every POST answered 503).
pub struct BodyBudget<K = IpAddr> {
    total: usize,
    per_holder: usize,
    used: std::sync::Mutex<(usize, std::collections::HashMap<K, usize>)>,
}

/// Why a body could not have more memory.
#[derive(Debug, PartialEq, Eq)]
pub enum Over {
    /// The holder holds its share already (429).
    Client,
    /// Every holder together hold the whole budget (503).
    Everyone,
}

impl<K: std::hash::Hash + Eq + Clone> BodyBudget<K> {
    pub fn new(total: usize, per_holder: usize) -> Arc<BodyBudget<K>> {
        Arc::new(BodyBudget {
            total,
            per_holder,
            used: std::sync::Mutex::new((0, std::collections::HashMap::new())),
        })
    }

    /// Bytes held now: over every holder, and by `holder`.
    pub fn held(&self, holder: &K) -> (usize, usize) {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        (used.0, used.1.get(holder).copied().unwrap_or(0))
    }

    /// An empty lease for `holder`'s body.
    pub fn lease(self: &Arc<Self>, holder: K) -> BodyLease<K> {
        BodyLease {
            budget: self.clone(),
            holder,
            bytes: 0,
        }
    }
}

/// The bytes one body holds of a [`BodyBudget`], given back when dropped.
pub struct BodyLease<K: std::hash::Hash + Eq + Clone = IpAddr> {
    budget: Arc<BodyBudget<K>>,
    holder: K,
    bytes: usize,
}

impl<K: std::hash::Hash + Eq + Clone> BodyLease<K> {
    /// Takes `n` more bytes, or says whose share is spent.
    pub fn grow(&mut self, n: usize) -> Result<(), Over> {
        let b = &self.budget;
        let mut used = b.used.lock().unwrap_or_else(|e| e.into_inner());
        let mine = used.1.get(&self.holder).copied().unwrap_or(0);
        if mine + n > b.per_holder {
            return Err(Over::Client);
        }
        if used.0 + n > b.total {
            return Err(Over::Everyone);
        }
        used.0 += n;
        *used.1.entry(self.holder.clone()).or_insert(0) += n;
        self.bytes += n;
        Ok(())
    }
}

impl<K: std::hash::Hash + Eq + Clone> Drop for BodyLease<K> {
    fn drop(&mut self) {
        if self.bytes == 0 {
            return;
        }
        let mut used = self.budget.used.lock().unwrap_or_else(|e| e.into_inner());
        used.0 = used.0.saturating_sub(self.bytes);
        if let Some(mine) = used.1.get_mut(&self.holder) {
            *mine = mine.saturating_sub(self.bytes);
            if *mine == 0 {
                used.1.remove(&self.holder);
            }
        }
    }
}

/// The three budgets: the shared one, small bodies', signed-in users'.
pub struct Bodies {
    pub shared: Arc<BodyBudget<IpAddr>>,
    pub small: Arc<BodyBudget<IpAddr>>,
    pub signed_in: Arc<BodyBudget<uuid::Uuid>>,
}

impl Bodies {
    pub fn new() -> Arc<Bodies> {
        Arc::new(Bodies {
            shared: BodyBudget::new(BODIES_IN_MEMORY, BODIES_PER_CLIENT),
            small: BodyBudget::new(SMALL_BODIES, SMALL_PER_CLIENT),
            signed_in: BodyBudget::new(SIGNED_IN_BODIES, BODIES_PER_CLIENT),
        })
    }
}

/// What one body holds, from whichever budget had room when its bytes arrived.
struct Holding<'a> {
    ws: &'a WebState,
    session: Option<&'a Session>,
    client: IpAddr,
    shared: BodyLease<IpAddr>,
    small: Option<BodyLease<IpAddr>>,
    signed_in: Option<BodyLease<uuid::Uuid>>,
    /// The user was looked for (once) and is not signed in.
    anonymous: bool,
}

impl Holding<'_> {
    /// `n` more bytes of a body that will then hold `total`: from the shared budget; when
    /// it is full, a small body from its pool, a signed-in user's from theirs.
    async fn grow(&mut self, n: usize, total: usize) -> Result<(), app::AppError> {
        let everyone = match self.shared.grow(n) {
            Ok(()) => return Ok(()),
            Err(Over::Client) => return Err(over_budget(Over::Client)),
            Err(Over::Everyone) => Over::Everyone,
        };
        if total <= SMALL_BODY {
            let lease = self.small.get_or_insert_with(|| {
                self.ws
                    .bodies
                    .small
                    .lease(crate::listen::address_key(self.client))
            });
            if lease.grow(n).is_ok() {
                return Ok(());
            }
        }
        if self.signed_in.is_none() && !self.anonymous {
            let user = match self.session {
                Some(s) => {
                    app::api::ssr::user_of_session(&self.ws.backend, s, Some(self.ws.limits))
                        .await?
                }
                None => None,
            };
            match user {
                Some(u) => self.signed_in = Some(self.ws.bodies.signed_in.lease(u.id)),
                None => self.anonymous = true,
            }
        }
        match &mut self.signed_in {
            Some(lease) => lease.grow(n).map_err(over_budget),
            None => Err(over_budget(everyone)),
        }
    }
}

/// The answer to a body the budget has no room for.
fn over_budget(over: Over) -> app::AppError {
    match over {
        Over::Client => app::AppError::TooMany(1),
        Over::Everyone => app::AppError::Unavailable(
            "the console is receiving too many request bodies at once; try again in a moment"
                .into(),
        ),
    }
}

/// Reads a request body into memory, at most [`MAX_BODY_BYTES`], taking the memory from
/// the budgets as it arrives.
async fn read_body(
    mut body: Body,
    holding: &mut Holding<'_>,
) -> Result<axum::body::Bytes, app::AppError> {
    use axum::body::HttpBody;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|_| app::AppError::Invalid {
            field: "request".into(),
            message: "the body could not be read to its end".into(),
        })?;
        if let Ok(data) = frame.into_data() {
            let total = buf.len() + data.len();
            if total > MAX_BODY_BYTES {
                return Err(app::AppError::TooLarge(MAX_BODY_BYTES as u64));
            }
            holding.grow(data.len(), total).await?;
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.into())
}

/// Statuses in one place. A body over [`MAX_BODY_BYTES`] answers 413 before anything
/// reads it; a body the [`BodyBudget`] has no room for 429 (its client's share) or 503
/// (everyone's); one that takes longer than [`BODY_SECONDS`] to arrive 400. A server
/// function's error answer (server_fn marks it and answers 500 whatever the error) gets its
/// error's own status, [`app::AppError::status`].
pub async fn errors(State(ws): State<WebState>, req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<ClientAddr>()
        .map(|c| c.0)
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    // Held until the request has been answered: the body lives as long as the request.
    let session = req.extensions().get::<Session>().cloned();
    let mut holding = Holding {
        ws: &ws,
        session: session.as_ref(),
        client,
        // Shares are per address; an IPv6 /64 is one address (one host holds a whole /64).
        shared: ws.bodies.shared.lease(crate::listen::address_key(client)),
        small: None,
        signed_in: None,
        anonymous: false,
    };
    let req = if matches!(*req.method(), Method::GET | Method::HEAD) {
        req
    } else {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return error_response(&app::AppError::TooLarge(MAX_BODY_BYTES as u64));
        }
        let (parts, body) = req.into_parts();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(BODY_SECONDS),
            read_body(body, &mut holding),
        )
        .await;
        match read {
            Ok(Ok(bytes)) => Request::from_parts(parts, Body::from(bytes)),
            Ok(Err(e)) => {
                if matches!(e, app::AppError::TooMany(_) | app::AppError::Unavailable(_)) {
                    ws.backend
                        .metrics
                        .inc("polar_bodies_refused_total", &[("reason", "memory")]);
                }
                let mut res = error_response(&e);
                if matches!(e, app::AppError::Unavailable(_)) {
                    res.headers_mut()
                        .insert(header::RETRY_AFTER, header::HeaderValue::from(1));
                }
                return res;
            }
            Err(_) => {
                ws.backend
                    .metrics
                    .inc("polar_bodies_refused_total", &[("reason", "slow")]);
                return error_response(&app::AppError::Invalid {
                    field: "request".into(),
                    message: format!("the body did not arrive within {BODY_SECONDS} seconds"),
                });
            }
        }
    };
    let path = req.uri().path().to_string();
    let session = req.extensions().get::<Session>().cloned();
    let place = match place_of(&ws, &path, session).await {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let mut res = next.run(req).await;
    drop(holding);
    // The place is given back once the answer has been sent (or dropped).
    if let Some(place) = place {
        res = res.map(|inner| Body::new(HeldBody::new(inner, place)));
    }
    // A plain form's server function gets a `Location` back to the form whatever its
    // answer; on a refusal (a 4xx or 5xx set by the function) it is not a redirect and must
    // not look like one. (A 200 keeps it: the server-function client redirects by it.)
    if res.status().is_client_error() || res.status().is_server_error() {
        res.headers_mut().remove(header::LOCATION);
    }
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<app::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let app::AppError::TooMany(secs) = err {
            parts
                .headers
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The identity header that is present among `names`, as (its place in the list, its
/// value); `Err` when it appears twice or when two of the names are present (a proxy that
/// writes one of them passes the others through from the browser, so two that disagree
/// are refused, never resolved).
fn header_value(headers: &HeaderMap, names: &[String]) -> Result<Option<(usize, String)>, ()> {
    let mut found = None;
    for (i, name) in names.iter().enumerate() {
        let values: Vec<_> = headers.get_all(name.as_str()).iter().collect();
        match values.len() {
            0 => continue,
            1 if found.is_none() => {
                found = Some((
                    i,
                    values[0]
                        .to_str()
                        .ok()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                ))
            }
            _ => return Err(()),
        }
    }
    Ok(found.and_then(|(i, v)| v.map(|v| (i, v))))
}

/// A header name's family: what comes before its last `-`, lower-cased (`x-forwarded` for
/// oauth2-proxy's `X-Forwarded-User`, `remote` for Authelia's `Remote-User`,
/// `x-auth-request` for `X-Auth-Request-Email`).
fn family(name: &str) -> String {
    name.rsplit_once('-')
        .map(|(f, _)| f)
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The e-mail, groups or display name header, taken only from the family of the user
/// header (`user_header`). One of another family is refused (`Err`): a proxy that writes
/// its own family passes the others through from the browser, so `Remote-User` from the
/// proxy with `X-Forwarded-Groups: dba` from the browser must not make an administrator.
fn family_value(
    headers: &HeaderMap,
    names: &[String],
    user_header: &str,
) -> Result<Option<String>, ()> {
    match header_value(headers, names)? {
        None => Ok(None),
        Some((i, v)) if family(&names[i]) == family(user_header) => Ok(Some(v)),
        Some(_) => Err(()),
    }
}

/// The role a set of groups maps to: the most powerful match, else the default.
pub fn role_for_groups(groups: &[String], proxy: &ProxyAuth) -> String {
    let rank = |r: &str| match r {
        "admin" => 3,
        "operator" => 2,
        "viewer" => 1,
        _ => 0,
    };
    proxy
        .group_roles
        .iter()
        .filter(|(g, _)| groups.iter().any(|x| x == g))
        .map(|(_, r)| r.clone())
        .max_by_key(|r| rank(r))
        .unwrap_or_else(|| proxy.default_role.clone())
}

/// Believes the SSO proxy's identity headers, only from a trusted peer. Provisions the
/// user on first sight and replaces the session when the identity changed.
pub async fn proxy_identity(
    State(ws): State<WebState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let peer = req.extensions().get::<Peer>().map(|p| p.0);
    let trusted = ws.proxy.enabled() && peer.is_some_and(|p| ws.proxy.is_trusted(p));
    if !trusted {
        return next.run(req).await;
    }
    let headers = req.headers();
    let refused = |why: &'static str| {
        tracing::warn!(why, "proxy identity headers refused");
        (StatusCode::BAD_REQUEST, why).into_response()
    };
    let (which, user) = match header_value(headers, &ws.proxy.user_headers) {
        Err(()) => {
            return refused(
                "The identity header appears more than once, or under more than one name.",
            )
        }
        Ok(None) => return next.run(req).await,
        Ok(Some(u)) => u,
    };
    if user.contains(',') {
        // A proxy joins repeated headers with commas: `admin,ssobob` is two names, not one.
        return refused("The identity header carries more than one user name.");
    }
    let Ok(username) = Username::parse(&user) else {
        return refused("The identity header does not carry a valid user name.");
    };
    let user_header = ws.proxy.user_headers[which].as_str();
    let (Ok(email), Ok(name), Ok(groups)) = (
        family_value(headers, &ws.proxy.email_headers, user_header),
        family_value(headers, &ws.proxy.name_headers, user_header),
        family_value(headers, &ws.proxy.groups_headers, user_header),
    ) else {
        return refused(
            "The identity headers come from more than one proxy family (or one appears twice).",
        );
    };
    let name = name.unwrap_or_else(|| username.as_str().to_string());
    let groups: Vec<String> = groups
        .map(|g| {
            g.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let current: Option<String> = session.get(app::api::ssr::USER_KEY).await.ok().flatten();
    let role = role_for_groups(&groups, &ws.proxy);
    let mut provisioner = actor_from(&req);
    provisioner.name = backend::audit::safe_text(username.as_str(), 128);
    provisioner.auth_method = "proxy".into();
    let user = match ws
        .backend
        .identity
        .provision_proxy_user(
            &ws.backend.audit,
            provisioner.clone(),
            &username,
            &name,
            email.as_deref(),
            &role,
        )
        .await
    {
        Ok(ProxyUser::User(u)) => u,
        Ok(ProxyUser::NameOfLocalAccount) => {
            // SSO and local identities never merge: a proxy user named like a local account
            // (say `admin`) must not get that account's session. Refused and audited.
            let _ = session.flush().await;
            return refused_proxy_sign_in(
                &ws,
                provisioner,
                "a local account has this name",
                "Refused: this name belongs to a local console account, which single sign-on \
                 cannot use. Ask an administrator."
                    .into(),
            )
            .await;
        }
        Err(BackendError::Forbidden(reason)) => {
            // The groups give a role the console does not have: refused, and recorded like
            // the refusal above (eighth attack run, E5).
            let _ = session.flush().await;
            let message = format!("Refused: {reason}.");
            return refused_proxy_sign_in(&ws, provisioner, &reason, message).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot provision a proxy user");
            let _ = session.flush().await;
            let message = match e {
                BackendError::AuditUnavailable => {
                    "The audit trail cannot be written right now, so you were not signed in and nothing was changed."
                }
                _ => "The console's database is unavailable.",
            };
            return (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
        }
    };
    if user.disabled {
        let _ = session.flush().await;
        return (StatusCode::FORBIDDEN, "Your console account is disabled.").into_response();
    }
    let same_user = current.as_deref() == Some(user.id.to_string().as_str());
    if !same_user || !app::api::ssr::session_valid_for(&session, &user).await {
        if session.cycle_id().await.is_err()
            || app::api::ssr::start_session(&session, &user).await.is_err()
        {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The session store is unavailable.",
            )
                .into_response();
        }
        let mut actor = actor_from(&req);
        actor.user_id = Some(user.id);
        actor.name = user.username.clone();
        actor.auth_method = "proxy".into();
        // No sign-in without its record: the time noted and the record commit together;
        // without them the session just started is ended and the request is not served.
        let event = Event::security(actor, "SignIn", Outcome::Ok);
        let recorded = async {
            let mut change = ws.backend.audit.begin_change().await?;
            ws.backend
                .identity
                .signed_in(change.conn(), user.id)
                .await?;
            change.commit(&event).await
        };
        if let Err(e) = recorded.await {
            tracing::error!(error = %e, "could not record a sign-in; the session is ended");
            let _ = session.flush().await;
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The audit trail cannot be written right now, so you were not signed in and nothing was changed.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cidr;

    #[test]
    fn bodies_share_a_budget_per_client_and_over_all() {
        let budget: Arc<BodyBudget> = BodyBudget::new(10, 4);
        let (a, b, c) = (
            IpAddr::from([10, 0, 0, 1]),
            IpAddr::from([10, 0, 0, 2]),
            IpAddr::from([10, 0, 0, 3]),
        );
        let mut a1 = budget.lease(a);
        assert_eq!(a1.grow(3), Ok(()));
        let mut a2 = budget.lease(a);
        assert_eq!(a2.grow(2), Err(Over::Client));
        assert_eq!(a2.grow(1), Ok(()));
        let mut b1 = budget.lease(b);
        assert_eq!(b1.grow(4), Ok(()));
        let mut c1 = budget.lease(c);
        assert_eq!(c1.grow(3), Err(Over::Everyone));
        assert_eq!(c1.grow(2), Ok(()));
        assert_eq!(budget.held(&a), (10, 4));
        // Given back when the requests are done.
        drop(a1);
        drop(a2);
        assert_eq!(budget.held(&a), (6, 0));
        drop(b1);
        drop(c1);
        assert_eq!(budget.held(&c), (0, 0));
        assert!(budget.used.lock().unwrap().1.is_empty());
    }

    fn proxy(cidrs: &[&str]) -> ProxyAuth {
        ProxyAuth {
            trusted: cidrs.iter().map(|c| Cidr::parse(c).unwrap()).collect(),
            user_headers: vec!["x-forwarded-user".into()],
            email_headers: vec![],
            groups_headers: vec![],
            name_headers: vec![],
            group_roles: vec![
                ("dba".into(), "admin".into()),
                ("sre".into(), "operator".into()),
            ],
            default_role: "viewer".into(),
        }
    }

    #[test]
    fn forwarded_for_is_walked_from_the_right_past_trusted_hops() {
        let p = proxy(&["10.0.0.0/8"]);
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.5"),
        );
        assert_eq!(
            client_addr("10.0.0.1".parse().unwrap(), &h, &p),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        // From an untrusted peer the header means nothing.
        assert_eq!(
            client_addr("198.51.100.1".parse().unwrap(), &h, &p),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn groups_map_to_the_most_powerful_role() {
        let p = proxy(&["10.0.0.0/8"]);
        assert_eq!(role_for_groups(&["sre".into(), "dba".into()], &p), "admin");
        assert_eq!(role_for_groups(&["sre".into()], &p), "operator");
        assert_eq!(role_for_groups(&["other".into()], &p), "viewer");
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn identity_headers_come_from_one_family() {
        let names = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let users = names(&["X-Forwarded-User", "Remote-User"]);
        let groups = names(&["X-Forwarded-Groups", "Remote-Groups"]);
        // Two user headers of different names: refused, never resolved.
        let h = headers(&[("remote-user", "carol"), ("x-forwarded-user", "admin")]);
        assert_eq!(header_value(&h, &users), Err(()));
        // The user from Authelia's family, groups from the browser's other family.
        let h = headers(&[("remote-user", "carol"), ("x-forwarded-groups", "dba")]);
        assert_eq!(header_value(&h, &users), Ok(Some((1, "carol".into()))));
        assert_eq!(family_value(&h, &groups, "Remote-User"), Err(()));
        let h = headers(&[("remote-user", "carol"), ("remote-groups", "dev")]);
        assert_eq!(
            family_value(&h, &groups, "Remote-User"),
            Ok(Some("dev".into()))
        );
        let h = headers(&[
            ("remote-user", "carol"),
            ("remote-groups", "dev"),
            ("x-forwarded-groups", "dba"),
        ]);
        assert_eq!(family_value(&h, &groups, "Remote-User"), Err(()));
        assert_eq!(family("X-Auth-Request-Email"), "x-auth-request");
    }

    #[test]
    fn the_origin_must_have_the_scheme_the_console_is_served_with() {
        let p = proxy(&["10.0.0.0/8"]);
        let direct: IpAddr = "198.51.100.1".parse().unwrap();
        let via_proxy: IpAddr = "10.0.0.1".parse().unwrap();
        // Loopback over plain HTTP (development), whatever cookie_secure says.
        let h = headers(&[("host", "127.0.0.1:8080")]);
        assert_eq!(served_scheme(direct, &h, &p, true), "http");
        assert!(is_same_origin(
            &headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080")
            ]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://127.0.0.1:8080")
            ]),
            "http"
        ));
        assert_eq!(
            served_scheme(direct, &headers(&[("host", "[::1]:80")]), &p, true),
            "http"
        );
        assert_eq!(
            served_scheme(direct, &headers(&[("host", "localhost")]), &p, true),
            "http"
        );
        // Another host with a Secure cookie: https; without one: http.
        let h = headers(&[("host", "console.example")]);
        assert_eq!(served_scheme(direct, &h, &p, true), "https");
        assert_eq!(served_scheme(direct, &h, &p, false), "http");
        // A trusted proxy's X-Forwarded-Proto decides; an untrusted peer's is ignored.
        let h = headers(&[("host", "console.example"), ("x-forwarded-proto", "http")]);
        assert_eq!(served_scheme(via_proxy, &h, &p, true), "http");
        let h = headers(&[("host", "127.0.0.1"), ("x-forwarded-proto", "https")]);
        assert_eq!(served_scheme(via_proxy, &h, &p, false), "https");
        assert_eq!(served_scheme(direct, &h, &p, false), "http");
        // Without Origin, only a same-origin fetch passes.
        assert!(is_same_origin(
            &headers(&[("host", "h"), ("sec-fetch-site", "same-origin")]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[("host", "h"), ("sec-fetch-site", "same-site")]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[("host", "h"), ("origin", "null")]),
            "http"
        ));
    }
}
