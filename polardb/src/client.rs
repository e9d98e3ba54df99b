//! The HTTP client: signs each attempt afresh, retries what is safe to retry under an
//! overall deadline, and turns every failure into an [`ApiError`].

use std::time::{Duration, Instant};

use rand::Rng;
use zeroize::Zeroizing;

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
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: concat!("polar-console/", env!("CARGO_PKG_VERSION")).to_string(),
            allow_private: true,
        }
    }
}

/// A resolver that keeps only public addresses, so that a host name cannot lead a call to
/// loopback, the metadata service or the private network.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<std::net::SocketAddr> = all
                .into_iter()
                .filter(|a| !crate::endpoints::is_private(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} resolves only to loopback, link-local or private addresses"
                )
                .into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// What happened to one logical call, over all its attempts.
#[derive(Debug)]
pub struct Exchange {
    pub result: Result<serde_json::Value, ApiError>,
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
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none());
        if !config.allow_private {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::transport("ClientInit", e.to_string()))?;
        Ok(Client { http, config })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
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
        let value = exchange.result?;
        crate::lenient::from_value(value).map_err(|e| {
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
                Ok(v) => v
                    .get("RequestId")
                    .and_then(|r| r.as_str())
                    .unwrap_or_default()
                    .to_string(),
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
    ) -> (u16, Result<serde_json::Value, ApiError>) {
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
        let response = match request.send().await {
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
        let status = response.status().as_u16();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let code = if e.is_timeout() {
                    "Timeout"
                } else {
                    "Unreachable"
                };
                return (status, Err(ApiError::transport(code, without_url(&e))));
            }
        };
        if (200..300).contains(&status) {
            match parse_body(&bytes) {
                Ok(v) => (status, Ok(v)),
                Err(e) => (
                    status,
                    Err(ApiError {
                        status,
                        ..ApiError::transport(
                            "InvalidResponse",
                            format!("neither JSON nor XML: {e}"),
                        )
                    }),
                ),
            }
        } else {
            let parsed = parse_body(&bytes)
                .ok()
                .and_then(|v| crate::lenient::from_value::<ErrorBody>(v).ok())
                .filter(|b| !b.code.is_empty());
            let body: ErrorBody = parsed.unwrap_or_else(|| ErrorBody {
                code: if status >= 500 {
                    "ServiceUnavailable".into()
                } else {
                    format!("Http{status}")
                },
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                ..Default::default()
            });
            (status, Err(ApiError::from_body(status, body)))
        }
    }
}

/// An answer in JSON or (when an endpoint insists) XML, as JSON.
fn parse_body(bytes: &[u8]) -> Result<serde_json::Value, String> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => Ok(v),
        Err(json_err) => {
            let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
            if text.trim_start().starts_with('<') {
                crate::xml::to_json(text)
            } else {
                Err(json_err.to_string())
            }
        }
    }
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
/// one page's items and the total count; pages are read until the total is reached or a
/// page comes back empty.
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
        if got == 0 || all.len() as u64 >= total {
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
}
