//! The accept loop: HTTP/1.1 connections under limits `axum::serve` does not have.
//!
//! The fifteenth attack run held ~1,010 idle TCP connections until the process had no file
//! descriptor left (F1), and 2,000 connections each sending 390 KB of headers, never
//! finished, took it to 940 MB (F2). Here every connection is admitted against a total and
//! a per-address count (a trusted proxy's address counts towards the total only), must
//! send a request's headers within the header timeout — which also closes a kept-alive
//! connection left idle that long — and may not send more than [`MAX_HEAD_BYTES`] of them.
//! When every place is taken, the oldest connection that is not in the middle of a request
//! (still sending its first head, or kept alive between requests) is closed to make room,
//! so idle connections from many addresses cannot keep users out; only when every open
//! connection is busy is a new one answered `503` and closed at once, as is one over its
//! address's count.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::{Service, ServiceExt};

use crate::config::{Cidr, Config};

/// Default `max_connections` (lowered to what the file-descriptor limit allows). Idle
/// connections make room for new ones, so this counts requests in progress, each holding
/// its answer until it is sent (sixteenth attack run, F3: 4,096 never-read answers held
/// 630 MB).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default `max_connections_per_address`: a browser opens about six; an office behind one
/// NAT address has room.
pub const DEFAULT_PER_ADDRESS: usize = 128;
/// Default `header_timeout_seconds`.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 15;
/// A request line and headers larger than this are refused (431). Cookies and the SSO
/// proxy's headers are a few KiB; hyper's own default is ~400 KiB (a held half-sent head costs at most this).
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// File descriptors kept back from connections: the database pool, outbound calls.
const FD_RESERVE: u64 = 128;
/// Descriptors one connection may hold: its socket, and a file it is being sent
/// (sixteenth attack run, F2: stalled downloads of the site's files held two each).
const FDS_PER_CONNECTION: u64 = 2;
/// Default `write_timeout_seconds`: an answer the client takes no byte of for this long is
/// abandoned and its connection closed (sixteenth attack run, F1/F3: an answer never read
/// kept its connection, and the answer's memory, for ever).
pub const DEFAULT_WRITE_TIMEOUT_SECS: u64 = 20;

/// The limits one `serve` keeps.
#[derive(Clone)]
pub struct Limits {
    pub max_connections: usize,
    pub per_address: usize,
    pub header_timeout: Duration,
    /// How long a connection may take no byte of an answer.
    pub write_timeout: Duration,
    /// Peers exempt from the per-address count (the SSO proxy carries every user).
    pub trusted: Vec<Cidr>,
    pub metrics: backend::metrics::Metrics,
}

impl Limits {
    /// From the configuration, with `max_connections` lowered to what the process's
    /// file-descriptor limit allows (raised to its hard limit first).
    pub fn of(config: &Config, metrics: backend::metrics::Metrics) -> Limits {
        let mut max = config.max_connections;
        if let Some(fds) = raise_fd_limit() {
            let reserve = FD_RESERVE + u64::from(config.database_max_connections);
            let room = (fds.saturating_sub(reserve) / FDS_PER_CONNECTION).max(16);
            if (max as u64) > room {
                tracing::warn!(
                    max_connections = max,
                    file_descriptors = fds,
                    allowed = room,
                    "max_connections is above what the file-descriptor limit allows; lowered (raise LimitNOFILE / ulimit -n)"
                );
                max = room as usize;
            }
        }
        Limits {
            max_connections: max,
            per_address: config.max_connections_per_address.min(max),
            header_timeout: config.header_timeout,
            write_timeout: config.write_timeout,
            trusted: config.proxy.trusted.clone(),
            metrics,
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard one and returns it (Linux/glibc only).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn raise_fd_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit write/read the struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    Some(lim.rlim_cur)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn raise_fd_limit() -> Option<u64> {
    None
}

/// What is counted per address (connections here, body shares in `web`). IPv6 addresses
/// count by their /64 (one host holds a whole /64); IPv4-mapped ones as the IPv4 address.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// One open connection as the gate sees it.
struct Conn {
    /// Requests being answered on it (a response counts until its body is sent).
    busy: AtomicUsize,
    /// Chosen to make room: closed by its task.
    evicted: AtomicBool,
    evict: tokio::sync::Notify,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
    /// Open connections, oldest first.
    conns: BTreeMap<u64, Arc<Conn>>,
    next_id: u64,
}

/// Why a connection was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Every place is taken by a connection in the middle of a request.
    Total,
    /// Its address has `max_connections_per_address` open.
    Address,
}

impl Refused {
    fn as_str(self) -> &'static str {
        match self {
            Refused::Total => "total",
            Refused::Address => "address",
        }
    }
}

/// The open connections, shared by the accept loop and each connection's task.
pub struct Gate {
    limits: Limits,
    counts: Mutex<Counts>,
    last_warned: Mutex<Option<Instant>>,
}

/// One admitted connection; dropping it gives its place back.
pub struct Admitted {
    gate: Arc<Gate>,
    id: u64,
    key: Option<IpAddr>,
    conn: Arc<Conn>,
}

impl Admitted {
    /// Marks a request as being answered until the guard (kept with its response body)
    /// is dropped.
    fn busy(&self) -> Busy {
        self.conn.busy.fetch_add(1, Ordering::SeqCst);
        Busy(self.conn.clone())
    }

    /// Completes when the gate closes this connection to make room.
    async fn evicted(&self) {
        self.conn.evict.notified().await
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut c = self.gate.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        c.conns.remove(&self.id);
        if let Some(key) = self.key {
            if let Some(n) = c.by_address.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    c.by_address.remove(&key);
                }
            }
        }
    }
}

/// A request in progress on a connection.
struct Busy(Arc<Conn>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    pub fn new(limits: Limits) -> Arc<Gate> {
        Arc::new(Gate {
            limits,
            counts: Mutex::new(Counts::default()),
            last_warned: Mutex::new(None),
        })
    }

    /// Admits a connection from `ip` — closing the oldest idle one when every place is
    /// taken — or says which limit it is over.
    pub fn admit(self: &Arc<Gate>, ip: IpAddr) -> Result<Admitted, Refused> {
        let exempt = self.limits.trusted.iter().any(|c| c.contains(ip));
        let key = (!exempt).then(|| address_key(ip));
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if key
            .is_some_and(|k| c.by_address.get(&k).copied().unwrap_or(0) >= self.limits.per_address)
        {
            return Err(Refused::Address);
        }
        // Places held by connections already chosen to make room are being given back.
        let full = c.total >= self.limits.max_connections
            && c.total
                - c.conns
                    .values()
                    .filter(|k| k.evicted.load(Ordering::SeqCst))
                    .count()
                >= self.limits.max_connections;
        if full {
            let victim = c
                .conns
                .values()
                .find(|k| k.busy.load(Ordering::SeqCst) == 0 && !k.evicted.load(Ordering::SeqCst));
            match victim {
                Some(v) => {
                    v.evicted.store(true, Ordering::SeqCst);
                    v.evict.notify_one();
                    self.limits
                        .metrics
                        .inc("polar_connections_evicted_total", &[]);
                }
                None => return Err(Refused::Total),
            }
        }
        if let Some(k) = key {
            *c.by_address.entry(k).or_insert(0) += 1;
        }
        c.total += 1;
        let id = c.next_id;
        c.next_id += 1;
        let conn = Arc::new(Conn {
            busy: AtomicUsize::new(0),
            evicted: AtomicBool::new(false),
            evict: tokio::sync::Notify::new(),
        });
        c.conns.insert(id, conn.clone());
        Ok(Admitted {
            gate: self.clone(),
            id,
            key,
            conn,
        })
    }

    /// Open connections now.
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).total
    }

    /// Counts a refusal; logs at most one line in ten seconds.
    fn refused(&self, why: Refused, peer: SocketAddr) {
        self.limits.metrics.inc(
            "polar_connections_refused_total",
            &[("limit", why.as_str())],
        );
        let mut last = self.last_warned.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            *last = Some(Instant::now());
            tracing::warn!(
                peer = %peer.ip(),
                limit = why.as_str(),
                open = self.open(),
                max_connections = self.limits.max_connections,
                per_address = self.limits.per_address,
                "connection refused: over the connection limit (counted in polar_connections_refused_total; logged once in 10 s)"
            );
        }
    }
}

/// A connection's socket that gives up writing when the client reads nothing for the
/// write timeout: the write fails, hyper drops the connection and the answer with it.
struct Stalling {
    inner: TcpStream,
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
    limit: Duration,
    metrics: backend::metrics::Metrics,
}

impl Stalling {
    fn pending(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<usize>> {
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        if std::future::Future::poll(sleep.as_mut(), cx).is_ready() {
            self.metrics.inc("polar_connections_stalled_total", &[]);
            return std::task::Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client read nothing of the answer",
            )));
        }
        std::task::Poll::Pending
    }
}

impl tokio::io::AsyncRead for Stalling {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Stalling {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match std::pin::Pin::new(&mut self.inner).poll_write(cx, buf) {
            std::task::Poll::Pending => self.pending(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            std::task::Poll::Pending => self.pending(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 5\r\nconnection: close\r\ncontent-length: 41\r\n\r\ntoo many connections; try again shortly\r\n";

/// Answers 503 without waiting: one non-blocking write, then the socket is closed.
fn refuse(stream: TcpStream) {
    let _ = stream.try_write(REFUSAL);
}

/// Serves until SIGINT/SIGTERM, then stops accepting and lets in-flight requests finish
/// for at most `grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    grace: Duration,
) -> std::io::Result<()> {
    serve_until(listener, router, limits, grace, shutdown_signal()).await
}

/// [`serve`] until `stop` completes.
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    grace: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let gate = Gate::new(limits);
    tracing::info!(
        max_connections = gate.limits.max_connections,
        per_address = gate.limits.per_address,
        header_timeout_s = gate.limits.header_timeout.as_secs(),
        "accepting connections"
    );
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(gate.limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let mut make = router.into_make_service_with_connect_info::<SocketAddr>();
    // Connection tasks watch `stopping`; each holds a `done` receiver until it ends.
    let (stopping, _) = tokio::sync::watch::channel(false);
    let (done_tx, done_rx) = tokio::sync::watch::channel(());
    let mut stop = std::pin::pin!(stop);
    let mut accept_error_logged: Option<Instant> = None;
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors (or a connection reset before accept): wait
                    // a little rather than spin.
                    if accept_error_logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
                        accept_error_logged = Some(Instant::now());
                        tracing::error!(error = %e, "accept failed (logged once in 10 s)");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let admitted = match gate.admit(peer.ip()) {
            Ok(a) => a,
            Err(why) => {
                gate.refused(why, peer);
                refuse(stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let tower_service = match make.call(peer).await {
            Ok(s) => s,
            Err(e) => match e {},
        };
        let admitted = Arc::new(admitted);
        let marks = admitted.clone();
        let service =
            TowerToHyperService::new(tower::service_fn(
                move |req: axum::http::Request<Incoming>| {
                    let busy = marks.busy();
                    let inner = tower_service.clone();
                    async move {
                        let res = match inner.oneshot(req.map(axum::body::Body::new)).await {
                            Ok(r) => r,
                            Err(e) => match e {},
                        };
                        Ok::<_, std::convert::Infallible>(res.map(|inner| {
                            axum::body::Body::new(crate::web::HeldBody::new(inner, busy))
                        }))
                    }
                },
            ));
        let http = http.clone();
        let metrics = gate.limits.metrics.clone();
        let write_timeout = gate.limits.write_timeout;
        let mut stopping = stopping.subscribe();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let io = Stalling {
                inner: stream,
                stalled: None,
                limit: write_timeout,
                metrics,
            };
            let conn = http.serve_connection(TokioIo::new(io), service);
            let mut conn = std::pin::pin!(conn);
            let stop = async move {
                let _ = stopping.wait_for(|s| *s).await;
            };
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
                // Idle (no request in progress) and the oldest such: closed to make room.
                _ = admitted.evicted() => {}
            }
            drop(admitted);
            drop(done);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    drop(done_rx);
    if tokio::time::timeout(grace, done_tx.closed()).await.is_err() {
        tracing::warn!(
            grace_s = grace.as_secs(),
            "in-flight requests did not finish in time; stopping anyway"
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(max: usize, per: usize, trusted: &[&str]) -> Arc<Gate> {
        Gate::new(Limits {
            max_connections: max,
            per_address: per,
            header_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(1),
            trusted: trusted.iter().map(|c| Cidr::parse(c).unwrap()).collect(),
            metrics: backend::metrics::Metrics::new(),
        })
    }

    #[test]
    fn counts_by_address_and_in_total_and_gives_places_back() {
        let g = gate(5, 2, &["10.0.0.1"]);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let a1 = g.admit(a).unwrap();
        let _a1b = a1.busy();
        let a2 = g.admit(a).unwrap();
        let _a2b = a2.busy();
        assert_eq!(g.admit(a).err(), Some(Refused::Address));
        let b1 = g.admit(b).unwrap();
        let _b1b = b1.busy();
        // The proxy is over the per-address count, not over the total.
        let p1 = g.admit(proxy).unwrap();
        let _p1b = p1.busy();
        let p2 = g.admit(proxy).unwrap();
        let p2b = p2.busy();
        // Every place busy: refused.
        assert_eq!(g.admit(proxy).err(), Some(Refused::Total));
        assert_eq!(g.admit(b).err(), Some(Refused::Total));
        drop(_a1b);
        drop(a1);
        assert_eq!(g.open(), 4);
        let _a3 = g.admit(a).unwrap();
        let _a3b = _a3.busy();
        // Full again, every place busy; once p2 is idle it makes room.
        assert_eq!(g.admit(b).err(), Some(Refused::Total));
        drop(p2b);
        let _b2 = g.admit(b).unwrap();
        assert!(p2.conn.evicted.load(Ordering::SeqCst));
        assert!(!_a3.conn.evicted.load(Ordering::SeqCst));
    }

    #[test]
    fn the_oldest_idle_connection_makes_room() {
        let g = gate(3, 10, &[]);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let first = g.admit(ip).unwrap();
        let second = g.admit(ip).unwrap();
        let third = g.admit(ip).unwrap();
        let _busy = first.busy();
        let _fourth = g.admit(ip).unwrap();
        assert!(!first.conn.evicted.load(Ordering::SeqCst));
        assert!(second.conn.evicted.load(Ordering::SeqCst));
        // Until `second` is gone, its place is counted as leaving: the next takes `third`.
        let _fifth = g.admit(ip).unwrap();
        assert!(third.conn.evicted.load(Ordering::SeqCst));
        drop(second);
        drop(third);
        assert_eq!(g.open(), 3);
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        let g = gate(100, 2, &[]);
        let _x = g.admit("2001:db8::1".parse().unwrap()).unwrap();
        let _y = g.admit("2001:db8::ffff:2".parse().unwrap()).unwrap();
        assert_eq!(
            g.admit("2001:db8:0:0:abcd::3".parse().unwrap()).err(),
            Some(Refused::Address)
        );
        let _other = g.admit("2001:db8:0:1::1".parse().unwrap()).unwrap();
        let _v4 = g.admit("192.0.2.9".parse().unwrap()).unwrap();
        let _m = g.admit("::ffff:192.0.2.9".parse().unwrap()).unwrap();
        assert_eq!(
            g.admit("192.0.2.9".parse().unwrap()).err(),
            Some(Refused::Address)
        );
    }
}
