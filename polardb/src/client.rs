//! The HTTP client: signs each attempt afresh, retries what is safe to retry under an
//! overall deadline, and turns every failure into an [`ApiError`].

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand::Rng;
use zeroize::Zeroizing;

use crate::answer::Answer;
use crate::models::{Action, ActionKind};
use crate::{sign, ApiError, ErrorBody, SignatureVersion};

/// An AccessKey pair. The secret is zeroized on drop and never printed.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    secret: Zeroizing<String>,
}

impl Credentials {
    pub fn new(access_key_id: impl Into<String>, secret: Zeroizing<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret,
        }
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Retry policy: exponential backoff with full jitter under an overall deadline.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(3),
            deadline: Duration::from_secs(30),
        }
    }
}

/// Where and how one cloud account's calls are sent.
#[derive(Clone, Debug)]
pub struct Target {
    /// Base URL overriding the regional endpoint table (the emulator, a proxy, a VPC endpoint).
    pub endpoint: Option<String>,
    pub signature: SignatureVersion,
}

/// Client settings shared by every call.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub retry: RetryPolicy,
    pub user_agent: String,
    /// Whether host names may resolve to loopback, link-local or private addresses
    /// ([`crate::endpoints::is_private`]). The console sets it from its operator setting;
    /// the SDK's default allows them.
    pub allow_private: bool,
    /// The console's own listening address: a call that would reach it (the listen port
    /// on any address of this machine, [`crate::endpoints::is_own`]) is refused before
    /// anything is sent. `None` (the SDK's default) checks nothing.
    pub own: Option<SocketAddr>,
    /// The largest answer read; a larger one is the transport error `ResponseTooLarge`
    /// (not retried), read no further.
    pub max_answer_bytes: usize,
}

/// The default [`ClientConfig::max_answer_bytes`]: 16 MiB (a day of five performance keys
/// of DescribeDBClusterPerformance is about 4 MB).
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: concat!("polar-console/", env!("CARGO_PKG_VERSION")).to_string(),
            allow_private: true,
            own: None,
            max_answer_bytes: MAX_ANSWER_BYTES,
        }
    }
}

tokio::task_local! {
    /// The addresses one attempt's host name was resolved to and checked against
    /// ([`Client::destination`]): the resolver answers exactly these, so that the
    /// connection goes where the check looked, not to a second, different answer.
    static CHECKED: (String, Vec<SocketAddr>);
}

/// The client's resolver. Within an attempt it answers, for the endpoint's host name, the
/// addresses the attempt checked. Any other name (a proxy's, from the environment) is
/// resolved and held to the private-address setting. Outside an attempt (which the client
/// does not do) it keeps only what may be used without knowing the port: public
/// addresses when private ones are not allowed, and no address of this machine when the
/// console's own address is set.
struct Resolver {
    allow_private: bool,
    own: bool,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let checked = CHECKED.try_with(|(checked, addrs)| {
            checked.eq_ignore_ascii_case(&host).then(|| addrs.clone())
        });
        let allow_private = self.allow_private;
        let no_local = self.own && checked.is_err();
        Box::pin(async move {
            let kept: Vec<SocketAddr> = match checked {
                Ok(Some(addrs)) => addrs,
                _ => tokio::net::lookup_host((host.as_str(), 0))
                    .await?
                    .filter(|a| allow_private || !crate::endpoints::is_private(a.ip()))
                    .filter(|a| !no_local || !crate::endpoints::is_local(a.ip()))
                    .collect(),
            };
            if kept.is_empty() {
                return Err(format!("{host} resolves to no address that may be used").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// What happened to one logical call, over all its attempts.
#[derive(Debug)]
pub struct Exchange {
    /// The answer as it came (see [`Answer`]: read once into what its reader needs).
    pub result: Result<Answer, ApiError>,
    pub attempts: u32,
    /// HTTP status of the last attempt (0 when none answered).
    pub status: u16,
    pub request_id: String,
    /// The ClientToken sent with every attempt of a write, if it carried one.
    pub client_token: Option<String>,
    pub elapsed: Duration,
}

/// The PolarDB OpenAPI client. Cheap to clone; one per process.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(Resolver {
                allow_private: config.allow_private,
                own: config.own.is_some(),
            }))
            .build()
            .map_err(|e| ApiError::transport("ClientInit", e.to_string()))?;
        Ok(Client { http, config })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Where an attempt may connect, checked before anything is sent: not the console's
    /// own address ([`ClientConfig::own`]), and not a loopback, link-local or private
    /// address unless those are allowed ([`ClientConfig::allow_private`]). A host name is
    /// resolved here, once per attempt; the answer is what the checks judge and what the
    /// connection uses (returned with the name, for [`CHECKED`]).
    async fn destination(&self, url: &str) -> Result<Option<(String, Vec<SocketAddr>)>, ApiError> {
        let invalid = |m: String| ApiError::transport("InvalidEndpoint", m);
        let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
        let port = parsed.port_or_known_default().unwrap_or(443);
        let refuse = |addr: SocketAddr, shown: &str| -> Result<(), ApiError> {
            if let Some(own) = self.config.own {
                if crate::endpoints::is_own(addr, own) {
                    return Err(invalid(format!(
                        "{shown} is the console's own address ({addr}); nothing was sent"
                    )));
                }
            }
            Ok(())
        };
        let literal = |h: &str| -> Option<std::net::IpAddr> {
            match h.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
                Some(v6) => v6.parse().ok(),
                // The URL parser writes every IPv4 spelling as a dotted quad.
                None => h.parse::<std::net::Ipv4Addr>().ok().map(Into::into),
            }
        };
        let (host, addrs) = match parsed.host_str() {
            Some(h) if literal(h).is_some() => {
                (None, vec![SocketAddr::new(literal(h).unwrap(), port)])
            }
            // Loopback whatever a resolver says (RFC 6761), with or without the final dot.
            Some(name) if crate::endpoints::is_localhost_name(name) => (
                Some(name.to_string()),
                vec![
                    SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), port),
                    SocketAddr::new(std::net::Ipv6Addr::LOCALHOST.into(), port),
                ],
            ),
            Some(name) => {
                let lookup = tokio::net::lookup_host((name, port));
                let all: Vec<SocketAddr> =
                    match tokio::time::timeout(self.config.connect_timeout, lookup).await {
                        Ok(Ok(found)) => found.collect(),
                        Ok(Err(e)) => {
                            return Err(ApiError::transport(
                                "Unreachable",
                                format!("cannot resolve {name}: {e}"),
                            ))
                        }
                        Err(_) => {
                            return Err(ApiError::transport(
                                "Timeout",
                                format!("resolving {name} took too long"),
                            ))
                        }
                    };
                (Some(name.to_string()), all)
            }
            None => return Err(invalid("the endpoint has no host".into())),
        };
        let shown = host.clone().unwrap_or_else(|| addrs[0].ip().to_string());
        for addr in &addrs {
            refuse(*addr, &shown)?;
        }
        let usable: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| self.config.allow_private || !crate::endpoints::is_private(a.ip()))
            .collect();
        if usable.is_empty() {
            let e = format!("{shown} is or resolves only to loopback, link-local or private addresses; nothing was sent");
            return Err(match host {
                Some(_) => ApiError::transport("Unreachable", e),
                None => invalid(e),
            });
        }
        Ok(host.map(|h| (h, usable)))
    }

    /// Calls a typed action.
    pub async fn call<A: Action>(
        &self,
        target: &Target,
        creds: &Credentials,
        region_id: &str,
        request: &A,
    ) -> Result<A::Response, ApiError> {
        let exchange = self
            .execute(
                target,
                creds,
                region_id,
                A::NAME,
                A::KIND,
                request.to_params(),
            )
            .await;
        exchange.result?.read().map_err(|e| {
            ApiError::transport(
                "InvalidResponse",
                format!(
                    "the {} response did not have the expected shape: {e}",
                    A::NAME
                ),
            )
        })
    }

    /// Sends a canonical request (see [`crate::request`]): its parameters are exactly what
    /// is signed and sent.
    pub async fn send(
        &self,
        target: &Target,
        creds: &Credentials,
        request: &crate::request::Request,
    ) -> Exchange {
        self.execute(
            target,
            creds,
            request.region_str(),
            request.action().name,
            request.action().kind,
            request.params().to_vec(),
        )
        .await
    }

    /// Calls any action with flat parameters and reports every attempt's outcome.
    ///
    /// Reads are retried on throttling, unavailability and the "busy" codes. A write is
    /// retried only when it carries a `ClientToken`, which is kept across attempts.
    pub async fn execute(
        &self,
        target: &Target,
        creds: &Credentials,
        region_id: &str,
        action: &str,
        kind: ActionKind,
        mut params: Vec<(String, String)>,
    ) -> Exchange {
        let started = Instant::now();
        if !region_id.is_empty() && !params.iter().any(|(k, _)| k == "RegionId") {
            params.push(("RegionId".into(), region_id.into()));
        }
        let client_token = params
            .iter()
            .find(|(k, _)| k == "ClientToken")
            .map(|(_, v)| v.clone());
        let policy = &self.config.retry;
        let url = match &target.endpoint {
            Some(e) => e.clone(),
            // The region becomes part of a host name: only the region-id form may.
            None if !region_id.is_empty()
                && crate::request::RegionId::parse(region_id).is_err() =>
            {
                return Exchange {
                    result: Err(ApiError::transport(
                        "InvalidRegionId",
                        format!("{region_id:?} is not a region id; nothing was sent"),
                    )),
                    attempts: 0,
                    status: 0,
                    request_id: String::new(),
                    client_token,
                    elapsed: started.elapsed(),
                };
            }
            None => crate::endpoints::url_for_region(region_id),
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let (status, result) = self.attempt(target, creds, &url, action, &params).await;
            let retryable = match &result {
                Ok(_) => false,
                Err(e) => {
                    is_retryable(e, kind) && (kind == ActionKind::Read || client_token.is_some())
                }
            };
            let elapsed = started.elapsed();
            if retryable && attempt < policy.max_attempts {
                let cap = policy
                    .base_delay
                    .saturating_mul(1u32 << (attempt - 1).min(16))
                    .min(policy.max_delay);
                let delay =
                    Duration::from_millis(rand::thread_rng().gen_range(0..=cap.as_millis() as u64));
                if elapsed + delay < policy.deadline {
                    tracing::debug!(action, attempt, ?delay, "retrying PolarDB call");
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            let request_id = match &result {
                Ok(answer) => answer.request_id().to_string(),
                Err(e) => e.request_id.clone(),
            };
            return Exchange {
                result,
                attempts: attempt,
                status,
                request_id,
                client_token,
                elapsed,
            };
        }
    }

    async fn attempt(
        &self,
        target: &Target,
        creds: &Credentials,
        url: &str,
        action: &str,
        params: &[(String, String)],
    ) -> (u16, Result<Answer, ApiError>) {
        let now = time::OffsetDateTime::now_utc();
        let nonce = sign::nonce();
        let request = match target.signature {
            SignatureVersion::V2 => {
                let mut all = sign::v2_common_params(action, &creds.access_key_id, now, &nonce);
                all.extend(params.iter().cloned());
                let signature = sign::v2_signature("POST", &all, creds.secret());
                all.push(("Signature".into(), signature));
                let body = all
                    .iter()
                    .map(|(k, v)| {
                        format!("{}={}", sign::percent_encode(k), sign::percent_encode(v))
                    })
                    .collect::<Vec<_>>()
                    .join("&");
                self.http
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(body)
            }
            SignatureVersion::V3 => {
                let parsed = match reqwest::Url::parse(url) {
                    Ok(u) => u,
                    Err(e) => {
                        return (
                            0,
                            Err(ApiError::transport("InvalidEndpoint", e.to_string())),
                        )
                    }
                };
                let host = match (parsed.host_str(), parsed.port()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_string(),
                    (None, _) => {
                        return (
                            0,
                            Err(ApiError::transport(
                                "InvalidEndpoint",
                                "the endpoint has no host",
                            )),
                        )
                    }
                };
                let headers = sign::v3_request_headers(
                    &host,
                    action,
                    crate::API_VERSION,
                    &sign::timestamp(now),
                    &nonce,
                    b"",
                );
                let signed = sign::v3_sign(
                    "POST",
                    "/",
                    params,
                    &headers,
                    &sign::sha256_hex(b""),
                    &creds.access_key_id,
                    creds.secret(),
                );
                let query = params
                    .iter()
                    .map(|(k, v)| {
                        format!("{}={}", sign::percent_encode(k), sign::percent_encode(v))
                    })
                    .collect::<Vec<_>>()
                    .join("&");
                let mut builder = self
                    .http
                    .post(format!("{}?{query}", url.trim_end_matches('?')));
                for (name, value) in &headers {
                    if name != "host" {
                        builder = builder.header(name.as_str(), value.as_str());
                    }
                }
                builder.header("authorization", signed.authorization)
            }
        };
        let sent = match self.destination(url).await {
            Err(e) => return (0, Err(e)),
            Ok(Some(checked)) => CHECKED.scope(checked, request.send()).await,
            Ok(None) => request.send().await,
        };
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let code = if e.is_timeout() {
                    "Timeout"
                } else {
                    "Unreachable"
                };
                return (0, Err(ApiError::transport(code, without_url(&e))));
            }
        };
        let mut response = response;
        let status = response.status().as_u16();
        let max = self.config.max_answer_bytes;
        let too_large = || {
            ApiError::transport(
                "ResponseTooLarge",
                format!(
                    "the answer is larger than {} bytes, the most the console reads",
                    max
                ),
            )
        };
        if response.content_length().is_some_and(|n| n > max as u64) {
            return (status, Err(too_large()));
        }
        let mut bytes: Vec<u8> = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > max {
                        return (status, Err(too_large()));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let code = if e.is_timeout() {
                        "Timeout"
                    } else {
                        "Unreachable"
                    };
                    return (status, Err(ApiError::transport(code, without_url(&e))));
                }
            }
        }
        if (200..300).contains(&status) {
            match Answer::parse(bytes) {
                Ok(v) => (status, Ok(v)),
                // Not the parser's words: they can quote the answer.
                Err(_) => (
                    status,
                    Err(ApiError {
                        status,
                        ..ApiError::transport(
                            "InvalidResponse",
                            format!("the endpoint answered HTTP {status} with a body that is neither JSON nor XML"),
                        )
                    }),
                ),
            }
        } else {
            (status, Err(error_from_answer(status, &bytes)))
        }
    }
}

/// The error of an answer with an error status: the API's own error when the body has
/// its shape (a `Code` of the API's form; see [`ApiError::from_body`] for what is kept of
/// the message), otherwise only the status ([`ApiError::without_body`]): an HTML page or
/// text from whatever answered is not relayed.
fn error_from_answer(status: u16, bytes: &[u8]) -> ApiError {
    Answer::parse(bytes.to_vec())
        .ok()
        .and_then(|a| a.read::<ErrorBody>().ok())
        .filter(|b| crate::error::is_api_code(&b.code))
        .map(|b| ApiError::from_body(status, b))
        .unwrap_or_else(|| ApiError::without_body(status))
}

/// A transport error's text without the URL (which could carry a query string).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(url) = e.url() {
        s = s.replace(url.as_str(), "<endpoint>");
    }
    s
}

/// Whether an error is worth another attempt.
pub fn is_retryable(e: &ApiError, kind: ActionKind) -> bool {
    let code = e.code.as_str();
    if code.starts_with("InvalidParameter")
        || code.ends_with(".NotFound")
        || code.starts_with("Forbidden")
        || code == "IncompleteSignature"
        || code.starts_with("InvalidAccessKeyId")
        || code == "SignatureDoesNotMatch"
    {
        return false;
    }
    code.starts_with("Throttling")
        || code == "ServiceUnavailable"
        || code == "OperationDenied.DBClusterStatus"
        || code == "ConcurrentTaskExceeded"
        || code == "TaskExists"
        || code == "Unreachable"
        || (code == "InternalError" && kind == ActionKind::Read)
        || (code == "Timeout" && kind == ActionKind::Read)
        || e.status == 503
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str) -> ApiError {
        ApiError::transport(code, "x")
    }

    /// A listener on 127.0.0.1 that answers every request with `status` and `body`;
    /// answers its address and the number of requests it has read.
    fn listener(
        status: u16,
        content_type: &'static str,
        body: String,
    ) -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{BufRead, Read, Write};
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = seen.clone();
        std::thread::spawn(move || {
            for stream in server.incoming() {
                let Ok(stream) = stream else { continue };
                let mut reader = std::io::BufReader::new(stream);
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut rest = vec![0u8; length];
                let _ = reader.read_exact(&mut rest);
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (addr, seen)
    }

    /// This machine's host name when it resolves (to one of its own addresses), and the
    /// address it would use towards the internet (an interface address), when it has one.
    fn local_names() -> Vec<String> {
        let mut names = Vec::new();
        if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            let h = h.trim().to_string();
            if std::net::ToSocketAddrs::to_socket_addrs(&(h.as_str(), 0)).is_ok() {
                names.push(h);
            }
        }
        let out = std::net::UdpSocket::bind("0.0.0.0:0")
            .and_then(|s| s.connect("192.0.2.1:9").map(|_| s))
            .and_then(|s| s.local_addr());
        if let Ok(a) = out {
            if !a.ip().is_loopback() {
                names.push(a.ip().to_string());
            }
        }
        names
    }

    fn one_attempt(own: Option<SocketAddr>) -> Client {
        Client::new(ClientConfig {
            retry: RetryPolicy {
                max_attempts: 1,
                ..Default::default()
            },
            own,
            ..Default::default()
        })
        .unwrap()
    }

    async fn call_at(client: &Client, endpoint: String) -> Exchange {
        let target = Target {
            endpoint: Some(endpoint),
            signature: SignatureVersion::V2,
        };
        let creds = Credentials::new("LTAIkey00000000", Zeroizing::new("secret".to_string()));
        client
            .execute(
                &target,
                &creds,
                "cn-hangzhou",
                "DescribeDBClusters",
                ActionKind::Read,
                vec![],
            )
            .await
    }

    #[tokio::test]
    async fn an_error_page_is_not_relayed() {
        let client = one_attempt(None);
        for (status, content_type, body) in [
            (
                404,
                "text/html",
                "<html><body>SECRET-LISTENER-BODY</body></html>".to_string(),
            ),
            (
                500,
                "text/plain",
                "SECRET-LISTENER-BODY stack trace".to_string(),
            ),
            (
                403,
                "application/json",
                r#"{"error":"SECRET-LISTENER-BODY"}"#.to_string(),
            ),
            (
                400,
                "application/json",
                r#"{"Code":"<b>SECRET-LISTENER-BODY</b>","Message":"m"}"#.to_string(),
            ),
        ] {
            let (addr, _) = listener(status, content_type, body);
            let exchange = call_at(&client, format!("http://{addr}/")).await;
            let e = exchange.result.unwrap_err();
            assert_eq!(e.status, status);
            let shown = format!("{e} {}", e.human());
            assert!(!shown.contains("SECRET"), "{shown}");
            assert_eq!(
                e.message,
                format!("the endpoint answered HTTP {status} without an API error body")
            );
            let code = if status >= 500 {
                "ServiceUnavailable".to_string()
            } else {
                format!("Http{status}")
            };
            assert_eq!(e.code, code);
        }
        // The API's own error is shown, cut to length and without control characters.
        let long = format!("Bad value.\r\n\u{1b}[2J{}", "y".repeat(3000));
        let body =
            serde_json::json!({"Code": "InvalidParameter", "Message": long, "RequestId": "R-1"});
        let (addr, _) = listener(400, "application/json", body.to_string());
        let e = call_at(&client, format!("http://{addr}/"))
            .await
            .result
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        assert_eq!(e.request_id, "R-1");
        assert!(e.message.starts_with("Bad value."), "{}", e.message);
        assert!(!e.message.chars().any(char::is_control), "{:?}", e.message);
        assert!(e.message.chars().count() <= crate::error::MAX_MESSAGE_CHARS + 1);
        // A success that is neither JSON nor XML: the parser's words (which quote) are not shown.
        let (addr, _) = listener(
            200,
            "text/html",
            "<html>SECRET-LISTENER-BODY</p>".to_string(),
        );
        let e = call_at(&client, format!("http://{addr}/"))
            .await
            .result
            .unwrap_err();
        assert_eq!(e.code, "InvalidResponse");
        assert!(!e.message.contains("SECRET"), "{}", e.message);
    }

    #[tokio::test]
    async fn the_consoles_own_address_is_never_called() {
        let (addr, seen) = listener(200, "application/json", "{}".to_string());
        let port = addr.port();
        let client = one_attempt(Some(addr));
        for endpoint in [
            format!("http://{addr}/"),
            format!("http://localhost:{port}/"),
            format!("http://LOCALHOST:{port}"),
            format!("http://localhost.:{port}/"),
            format!("http://0.0.0.0:{port}/"),
            format!("http://[::]:{port}/"),
            format!("http://[::1]:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
            format!("http://[::ffff:7f00:1]:{port}/"),
            format!("http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/"),
            format!("http://[::127.0.0.1]:{port}/"),
            format!("http://[64:ff9b::7f00:1]:{port}/"),
            format!("http://[2002:7f00:1::]:{port}/"),
            format!("http://127.1:{port}/"),
            format!("http://2130706433:{port}/"),
        ]
        .into_iter()
        .chain(
            local_names()
                .into_iter()
                .map(|h| format!("http://{h}:{port}/")),
        ) {
            let e = call_at(&client, endpoint.clone()).await.result.unwrap_err();
            assert_eq!(e.code, "InvalidEndpoint", "{endpoint}: {e}");
        }
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0);
        // Another port on loopback (an emulator) is called, by name as well.
        let (other, seen) = listener(200, "application/json", r#"{"RequestId":"r"}"#.to_string());
        for endpoint in [
            format!("http://{other}/"),
            format!("http://localhost:{}/", other.port()),
        ] {
            let exchange = call_at(&client, endpoint.clone()).await;
            assert!(exchange.result.is_ok(), "{endpoint}: {:?}", exchange.result);
        }
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);
        // Private endpoints not allowed: loopback in any spelling is refused, nothing sent.
        let strict = Client::new(ClientConfig {
            allow_private: false,
            retry: RetryPolicy {
                max_attempts: 1,
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        for endpoint in [
            format!("http://{other}/"),
            format!("http://localhost:{}/", other.port()),
            format!("http://[::127.0.0.1]:{}/", other.port()),
            format!("http://[64:ff9b::7f00:1]:{}/", other.port()),
        ] {
            assert!(
                call_at(&strict, endpoint.clone()).await.result.is_err(),
                "{endpoint}"
            );
        }
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn retry_classification_follows_the_rules() {
        assert!(is_retryable(&err("Throttling.User"), ActionKind::Read));
        assert!(is_retryable(&err("ServiceUnavailable"), ActionKind::Write));
        assert!(is_retryable(&err("InternalError"), ActionKind::Read));
        assert!(!is_retryable(&err("InternalError"), ActionKind::Write));
        assert!(!is_retryable(&err("InvalidParameter"), ActionKind::Read));
        assert!(!is_retryable(
            &err("InvalidDBCluster.NotFound"),
            ActionKind::Read
        ));
        assert!(!is_retryable(
            &err("InvalidAccessKeyId.NotFound"),
            ActionKind::Read
        ));
        assert!(!is_retryable(&err("Forbidden.RAM"), ActionKind::Read));
    }

    #[test]
    fn credentials_debug_is_redacted() {
        let c = Credentials::new("LTAIabcd", Zeroizing::new("topsecret".to_string()));
        let s = format!("{c:?}");
        assert!(s.contains("LTAIabcd"));
        assert!(!s.contains("topsecret"));
    }
}

/// Collects every page of a `PageNumber`/`PageSize` listing: `fetch(page, size)` answers
/// one page's items and the total count; pages are read until the total is reached, or
/// until a page comes back empty past the pages the total makes. An empty page before that
/// is read past: the console leaves out entries a role may not see, so a page can come
/// back empty or short while later ones still hold entries (fourteenth attack run, note).
pub async fn collect_pages<T, E, F, Fut>(page_size: u32, mut fetch: F) -> Result<Vec<T>, E>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, u64), E>>,
{
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let (items, total) = fetch(page, page_size).await?;
        let got = items.len();
        all.extend(items);
        let past = u64::from(page) * u64::from(page_size) >= total;
        if all.len() as u64 >= total || (got == 0 && past) || page >= 10_000 {
            return Ok(all);
        }
        page += 1;
    }
}

/// Collects every page of a `NextToken` listing: `fetch(token)` answers one page's items
/// and the next token (empty or absent at the end).
pub async fn collect_tokens<T, E, F, Fut>(mut fetch: F) -> Result<Vec<T>, E>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let (items, next) = fetch(token).await?;
        all.extend(items);
        match next.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(all),
        }
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;

    #[tokio::test]
    async fn pages_and_tokens_are_followed_to_the_end() {
        let data: Vec<u32> = (0..205).collect();
        let calls = std::sync::atomic::AtomicU32::new(0);
        let all: Vec<u32> = collect_pages::<_, (), _, _>(100, |page, size| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let start = ((page - 1) * size) as usize;
            let items = data
                .iter()
                .skip(start)
                .take(size as usize)
                .copied()
                .collect();
            async move { Ok((items, 205)) }
        })
        .await
        .unwrap();
        assert_eq!(all, data);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
        let all: Vec<u32> = collect_tokens::<_, (), _, _>(|token| {
            let start: u32 = token.map(|t| t.parse().unwrap()).unwrap_or(0);
            let next = if start + 50 < 120 {
                Some((start + 50).to_string())
            } else {
                None
            };
            async move { Ok(((start..(start + 50).min(120)).collect(), next)) }
        })
        .await
        .unwrap();
        assert_eq!(all.len(), 120);
    }

    /// Pages whose entries were all left out (the console's role filter) do not end the
    /// listing; an empty page past the total does.
    #[tokio::test]
    async fn pages_emptied_by_the_role_filter_are_read_past() {
        let calls = std::sync::atomic::AtomicU32::new(0);
        let all: Vec<u32> = collect_pages::<_, (), _, _>(100, |page, _| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // 250 entries; the first page's all withheld, the second's half.
            let items: Vec<u32> = match page {
                1 => vec![],
                2 => (150..200).collect(),
                3 => (200..250).collect(),
                _ => vec![],
            };
            async move { Ok((items, 250)) }
        })
        .await
        .unwrap();
        assert_eq!(all, (150..250).collect::<Vec<_>>());
        // One page more than the total makes: a server may send fewer than asked a page,
        // so only an empty page past the total ends it.
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 4);
    }
}
