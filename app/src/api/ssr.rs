//! Server-only helpers of the server functions.
use backend::identity::User;
use backend::Backend;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::AppError;

/// The session key holding the signed-in user's id.
pub const USER_KEY: &str = "user_id";
/// The session key holding when the user signed in (unix seconds).
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";

/// How long a session may live however active it is; provided by the server.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    pub absolute_secs: i64,
    /// Cookies are `Secure` with the `__Host-` prefix (the `cookie_secure` setting).
    pub secure_cookies: bool,
}

/// The device cookie's name (see [`device_cookie`]).
pub fn device_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-polar_device"
    } else {
        "polar_device"
    }
}

/// The device cookie the request carries, if any: set at a successful sign-in, it lets
/// the same browser sign in as that user while the user name is slowed down by a
/// guesser elsewhere (see `Identity::sign_in`).
pub fn device_cookie() -> Option<String> {
    let secure = use_context::<SessionLimits>().is_none_or(|l| l.secure_cookies);
    request_cookie(device_cookie_name(secure))
}

/// Sets a new device cookie on the answer (HttpOnly, SameSite=Strict, kept
/// `DEVICE_DAYS`).
pub fn set_device_cookie(token: &str) {
    let secure = use_context::<SessionLimits>().is_none_or(|l| l.secure_cookies);
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        device_cookie_name(secure),
        backend::identity::DEVICE_DAYS as i64 * 86_400,
        if secure { "; Secure" } else { "" }
    );
    append_set_cookie(&value);
}

/// Sets the language cookie (`crate::kit::language::COOKIE`) to `language`: the whole
/// site, a year; readable by the page, which changes it when the user switches.
pub fn set_language_cookie(language: backend::identity::Language) {
    let secure = use_context::<SessionLimits>().is_none_or(|l| l.secure_cookies);
    let value = format!(
        "{}={}; Path=/; SameSite=Lax; Max-Age={}{}",
        crate::kit::language::COOKIE,
        language.code(),
        365 * 86_400,
        if secure { "; Secure" } else { "" }
    );
    append_set_cookie(&value);
}

/// Sets the time-zone cookie (`crate::kit::time::COOKIE`) to `zone`: the whole site, a
/// year; readable by the page.
pub fn set_time_zone_cookie(zone: &backend::zone::TimeZone) {
    let secure = use_context::<SessionLimits>().is_none_or(|l| l.secure_cookies);
    let value = format!(
        "{}={}; Path=/; SameSite=Lax; Max-Age={}{}",
        crate::kit::time::COOKIE,
        zone.name(),
        365 * 86_400,
        if secure { "; Secure" } else { "" }
    );
    append_set_cookie(&value);
}

/// The value of the request's cookie `name`, if any.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<axum::http::request::Parts>()?;
    cookie_of(&parts.headers, name)
}

/// The value of the cookie `name` in `headers`, if any.
fn cookie_of(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// Adds a `Set-Cookie` header to the answer being made.
fn append_set_cookie(value: &str) {
    if let (Some(opts), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(value),
    ) {
        opts.append_header(axum::http::header::SET_COOKIE, v);
    }
}

/// The session key holding the user's session epoch at sign-in.
pub const EPOCH_KEY: &str = "epoch";

/// Marks the session as belonging to `user` from now on (after the id was cycled).
pub async fn start_session(
    session: &Session,
    user: &User,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(USER_KEY, user.id.to_string()).await?;
    session.insert(EPOCH_KEY, user.session_epoch).await?;
    session.insert(SIGNED_IN_AT_KEY, time_now()).await
}

/// Whether a session made for `user` is still valid (not ended by an administrator,
/// not disabled). An invalid one is flushed on the server.
pub async fn session_valid_for(session: &Session, user: &User) -> bool {
    let epoch: Option<i32> = session.get(EPOCH_KEY).await.ok().flatten();
    if user.disabled || epoch != Some(user.session_epoch) {
        let _ = session.flush().await;
        return false;
    }
    true
}

pub fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The user id of a live session: none once the absolute limit has passed (the session
/// is then ended on the server).
/// A session store that cannot be read is `Unavailable` (HTTP 503), never "no user": a
/// database outage must not look like being signed out.
pub async fn live_session_user(
    session: &Session,
    limits: Option<SessionLimits>,
) -> Result<Option<String>, AppError> {
    let unavailable = || AppError::Unavailable("The session store is unavailable.".into());
    let read = |r: Result<Option<String>, tower_sessions::session::Error>| match r {
        Ok(v) => Ok(v),
        Err(tower_sessions::session::Error::Store(e)) => {
            tracing::error!(error = %e, "cannot read the session store");
            Err(unavailable())
        }
        // A value of another shape is no user.
        Err(_) => Ok(None),
    };
    let Some(id) = read(session.get::<String>(USER_KEY).await)? else {
        return Ok(None);
    };
    let started: i64 = session
        .get(SIGNED_IN_AT_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    let limit = limits.map(|l| l.absolute_secs).unwrap_or(24 * 3600);
    if time_now() - started > limit {
        let _ = session.flush().await;
        return Ok(None);
    }
    Ok(Some(id))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|_| AppError::Unavailable("The session store is unavailable.".into()))
}

/// The signed-in, enabled user; `Unauthenticated` (HTTP 401) without one, `Unavailable`
/// (503) when the session store or the database cannot say, `PasswordChangeRequired`
/// (403) while the user has not replaced a password an administrator set.
pub async fn require_user() -> Result<(Backend, User), AppError> {
    let (backend, user) = require_signed_in().await?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok((backend, user))
}

/// The signed-in user, also one who must still replace a password an administrator set:
/// only for who is signed in, signing out and changing the password.
pub async fn require_signed_in() -> Result<(Backend, User), AppError> {
    let backend = expect_context::<Backend>();
    let session = session().await?;
    match user_of_session(&backend, &session, use_context::<SessionLimits>()).await? {
        Some(u) => Ok((backend, u)),
        None => Err(AppError::Unauthenticated),
    }
}

/// The user of a live, valid session (within its limits, not ended by an administrator,
/// the user enabled), or none; `Unavailable` when the store or the database cannot say.
/// Every way in (server functions, pages, the audit export) decides by this one.
pub async fn user_of_session(
    backend: &Backend,
    session: &Session,
    limits: Option<SessionLimits>,
) -> Result<Option<User>, AppError> {
    let id = live_session_user(session, limits).await?;
    let user = match id.and_then(|s| uuid::Uuid::parse_str(&s).ok()) {
        // One read: the user, their policy, and that the session still exists in the
        // store (this process may keep the session's record in memory).
        Some(id) => match session.id() {
            Some(sid) => {
                let found = backend
                    .identity
                    .find_for_session(id, &sid.to_string())
                    .await?;
                if found.is_none() {
                    // Ended elsewhere (or the user is gone): forget it here too.
                    let _ = session.flush().await;
                }
                found
            }
            None => backend.identity.find(id).await?,
        },
        None => None,
    };
    Ok(match user {
        Some(u) if session_valid_for(session, &u).await => Some(u),
        _ => None,
    })
}

/// The caller for the gateway: the user's policy and who/where they are for the audit.
pub async fn caller(backend: &Backend, user: &User) -> Result<backend::gateway::Caller, AppError> {
    let policy = backend.identity.policy_for(user).await?;
    Ok(backend::gateway::Caller {
        actor: actor(Some(user)).await,
        policy,
        change: None,
        collect: user.collect_changes,
    })
}

/// Who and where, from the request: user, client address, user agent, request id.
pub async fn actor(user: Option<&User>) -> backend::audit::Actor {
    let parts = use_context::<axum::http::request::Parts>();
    let header = |name: &str| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let client_addr = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<backend::ClientAddr>())
        .map(|c| c.0.to_string());
    backend::audit::Actor {
        user_id: user.map(|u| u.id),
        name: user
            .map(|u| u.username.clone())
            .unwrap_or_else(|| "anonymous".into()),
        auth_method: user
            .map(|u| u.auth_source.clone())
            .unwrap_or_else(|| "none".into()),
        client_addr,
        user_agent: header("user-agent"),
        request_id: header("x-request-id"),
    }
}

/// Answers an attempt refused by the sign-in limits: 429 with `Retry-After`. Logged,
/// not audited: a refused burst must not become one audit record per request.
pub fn too_many(limited: &backend::identity::Limited, actor: &backend::audit::Actor) -> AppError {
    tracing::warn!(
        reason = ?limited.reason,
        client = actor.client_addr.as_deref().unwrap_or("-"),
        retry_after = limited.retry_after_secs,
        "password attempt refused by the sign-in limits"
    );
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
        opts.insert_header(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(limited.retry_after_secs),
        );
    }
    AppError::SignInFailed(limited.message())
}

pub fn user_dto(u: &User) -> super::UserDto {
    super::UserDto {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        must_change_password: u.must_change_password,
        collect_changes: u.collect_changes,
    }
}

/// The language of the request being answered, for what a server function writes in
/// words (the messages of its errors): the language cookie (the user's choice), else the
/// browser's `Accept-Language`, else English — what the page itself is rendered in.
pub fn request_locale() -> crate::i18n::Locale {
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return crate::i18n::Locale::default();
    };
    locale_of(&parts.headers)
}

/// [`request_locale`] of these headers.
pub fn locale_of(headers: &axum::http::HeaderMap) -> crate::i18n::Locale {
    use leptos_i18n::Locale as _;
    let chosen = cookie_of(headers, crate::kit::language::COOKIE)
        .and_then(|v| v.parse::<crate::i18n::Locale>().ok());
    if let Some(locale) = chosen {
        return locale;
    }
    let accepted: Vec<&str> = headers
        .get_all(axum::http::header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|l| l.split(';').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .collect();
    crate::i18n::Locale::find_locale(&accepted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use axum::http::{header, HeaderMap, HeaderValue};

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_cookie_decides_then_the_browser_then_english() {
        assert_eq!(locale_of(&HeaderMap::new()), Locale::en);
        let zh_browser = (header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.8");
        assert_eq!(
            locale_of(&headers(std::slice::from_ref(&zh_browser))),
            Locale::zh
        );
        assert_eq!(
            locale_of(&headers(&[(header::ACCEPT_LANGUAGE, "fr-FR, en;q=0.5")])),
            Locale::en
        );
        let chosen = (header::COOKIE, "a=b; polar_lang=en");
        assert_eq!(locale_of(&headers(&[zh_browser, chosen])), Locale::en);
        assert_eq!(
            locale_of(&headers(&[(header::COOKIE, "polar_lang=zh")])),
            Locale::zh
        );
        // A cookie naming no language of the console falls back to the browser's.
        assert_eq!(
            locale_of(&headers(&[
                (header::COOKIE, "polar_lang=xx"),
                (header::ACCEPT_LANGUAGE, "zh")
            ])),
            Locale::zh
        );
        assert_eq!(crate::i18n::td_string!(Locale::zh, kit.cancel), "取消");
    }
}
