//! Middleware: request context (id, client address, CSP nonce, security headers),
//! sign-in through the SSO proxy's headers, and the same-origin rule for changes.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::audit::{Actor, Event, Outcome};
use backend::identity::Username;
use backend::{Backend, ClientAddr};
use base64::Engine;
use rand::RngCore;
use tower_sessions::Session;

use crate::config::ProxyAuth;

/// What the middleware needs.
#[derive(Clone)]
pub struct WebState {
    pub backend: Backend,
    pub proxy: Arc<ProxyAuth>,
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

/// Changes must come from the console's own pages: `Origin` must name this host, or,
/// without `Origin`, `Sec-Fetch-Site` must say `same-origin`. Otherwise 403.
pub async fn same_origin(State(ws): State<WebState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => {
            let origin = origin.to_ascii_lowercase();
            let without_scheme = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            !host.is_empty() && without_scheme == Some(host.as_str())
        }
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin"),
    };
    if ok {
        return next.run(req).await;
    }
    let mut event = Event::security(actor_from(&req), "CsrfRefused", Outcome::Denied);
    event.params = serde_json::json!({ "method": req.method().as_str(), "path": req.uri().path() });
    if let Err(e) = ws.backend.audit.append(&event).await {
        tracing::error!(error = %e, "could not record a cross-origin refusal");
    }
    (
        StatusCode::FORBIDDEN,
        "Refused: changes must come from the console's own pages (cross-origin request).",
    )
        .into_response()
}

/// All values of the first configured header that is present; `Err` when it appears twice.
fn header_value(headers: &HeaderMap, names: &[String]) -> Result<Option<String>, ()> {
    for name in names {
        let values: Vec<_> = headers.get_all(name.as_str()).iter().collect();
        match values.len() {
            0 => continue,
            1 => {
                return Ok(values[0]
                    .to_str()
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()))
            }
            _ => return Err(()),
        }
    }
    Ok(None)
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
    let user = match header_value(headers, &ws.proxy.user_headers) {
        Err(()) => {
            return (
                StatusCode::BAD_REQUEST,
                "The identity header appears more than once.",
            )
                .into_response()
        }
        Ok(None) => return next.run(req).await,
        Ok(Some(u)) => u,
    };
    let Ok(username) = Username::parse(&user) else {
        return (
            StatusCode::BAD_REQUEST,
            "The identity header does not carry a valid user name.",
        )
            .into_response();
    };
    let email = header_value(headers, &ws.proxy.email_headers)
        .ok()
        .flatten();
    let name = header_value(headers, &ws.proxy.name_headers)
        .ok()
        .flatten()
        .unwrap_or_else(|| username.as_str().to_string());
    let groups: Vec<String> = header_value(headers, &ws.proxy.groups_headers)
        .ok()
        .flatten()
        .map(|g| {
            g.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let current: Option<String> = session.get(app::api::ssr::USER_KEY).await.ok().flatten();
    let role = role_for_groups(&groups, &ws.proxy);
    let user = match ws
        .backend
        .identity
        .provision_proxy_user(&username, &name, email.as_deref(), &role)
        .await
    {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "cannot provision a proxy user");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The console's database is unavailable.",
            )
                .into_response();
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
        let _ = ws.backend.identity.signed_in(user.id).await;
        let event = Event::security(actor, "SignIn", Outcome::Ok);
        if let Err(e) = ws.backend.audit.append(&event).await {
            tracing::error!(error = %e, "could not record a sign-in");
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cidr;

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
}
