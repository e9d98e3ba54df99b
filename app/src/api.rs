//! Server functions and the DTOs they return. Each one authorises itself: it gets the
//! user with one `require_user()` and calls a backend service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// The signed-in user as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// What the top bar offers: the user, the cloud accounts and the regions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleInfo {
    pub user: UserDto,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
}

/// One row of the cluster list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRow {
    pub account: String,
    pub id: String,
    pub description: String,
    pub status: String,
    pub engine: String,
    pub region: String,
    pub zone: String,
    pub nodes: u32,
    pub pay_type: String,
    pub created: String,
}

/// A region whose call failed, named with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionProblem {
    pub account: String,
    pub region: String,
    pub code: String,
    pub message: String,
    pub request_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterList {
    pub clusters: Vec<ClusterRow>,
    pub problems: Vec<RegionProblem>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
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
    pub async fn session_user(session: &Session, limits: Option<SessionLimits>) -> Option<String> {
        let id: Option<String> = session.get(USER_KEY).await.ok().flatten();
        let id = id?;
        let started: i64 = session
            .get(SIGNED_IN_AT_KEY)
            .await
            .ok()
            .flatten()
            .unwrap_or(0);
        let limit = limits.map(|l| l.absolute_secs).unwrap_or(24 * 3600);
        if time_now() - started > limit {
            let _ = session.flush().await;
            return None;
        }
        Some(id)
    }

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|_| AppError::Unavailable("The session store is unavailable.".into()))
    }

    /// The signed-in, enabled user, or `Unauthenticated` (HTTP 401).
    pub async fn require_user() -> Result<(Backend, User), AppError> {
        let backend = expect_context::<Backend>();
        let session = session().await?;
        let id = session_user(&session, use_context::<SessionLimits>()).await;
        let user = match id.and_then(|s| uuid::Uuid::parse_str(&s).ok()) {
            Some(id) => backend.identity.find(id).await?,
            None => None,
        };
        let user = match user {
            Some(u) if session_valid_for(&session, &u).await => Some(u),
            _ => None,
        };
        match user {
            Some(u) => Ok((backend, u)),
            None => {
                if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                    opts.set_status(axum::http::StatusCode::UNAUTHORIZED);
                }
                Err(AppError::Unauthenticated)
            }
        }
    }

    /// The caller for the gateway: the user's policy and who/where they are for the audit.
    pub async fn caller(
        backend: &Backend,
        user: &User,
    ) -> Result<backend::gateway::Caller, AppError> {
        let policy = backend.identity.policy_for(user).await?;
        Ok(backend::gateway::Caller {
            actor: actor(Some(user)).await,
            policy,
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

    pub fn user_dto(u: &User) -> super::UserDto {
        super::UserDto {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
        }
    }
}

/// The signed-in user, or `None`.
#[server]
pub async fn whoami() -> Result<Option<UserDto>, AppError> {
    match ssr::require_user().await {
        Ok((_, u)) => Ok(Some(ssr::user_dto(&u))),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The user, cloud accounts and regions for the top bar.
#[server]
pub async fn console_context() -> Result<ConsoleInfo, AppError> {
    let (backend, user) = ssr::require_user().await?;
    let caller = ssr::caller(&backend, &user).await?;
    let (accounts, regions) = backend.gateway.choices(&caller).await?;
    Ok(ConsoleInfo {
        user: ssr::user_dto(&user),
        accounts,
        regions,
    })
}

/// Every cluster of the chosen cloud accounts and regions (all when not chosen).
#[server]
pub async fn list_clusters(
    account: Option<String>,
    region: Option<String>,
) -> Result<ClusterList, AppError> {
    let (backend, user) = ssr::require_user().await?;
    let caller = ssr::caller(&backend, &user).await?;
    let query = backend::gateway::FleetQuery {
        account: account.filter(|s| !s.is_empty()),
        region: region.filter(|s| !s.is_empty()),
    };
    let view = backend.gateway.fleet(&caller, &query).await?;
    Ok(ClusterList {
        clusters: view
            .clusters
            .into_iter()
            .map(|f| {
                let c = f.cluster;
                ClusterRow {
                    account: f.account,
                    engine: format!("{} {}", c.db_type, c.db_version),
                    id: c.db_cluster_id,
                    description: c.db_cluster_description,
                    status: c.db_cluster_status,
                    region: c.region_id,
                    zone: c.zone_id,
                    nodes: c.db_node_number,
                    pay_type: c.pay_type,
                    created: c.create_time,
                }
            })
            .collect(),
        problems: view
            .failures
            .into_iter()
            .map(|f| RegionProblem {
                account: f.account,
                region: f.region,
                code: f.error.code.clone(),
                message: f.error.human(),
                request_id: f.error.request_id,
            })
            .collect(),
    })
}

/// Signs in with a local account; cycles the session id. Ten failures in a row (per
/// user name or client address, within 15 minutes) and the next attempt gets 429.
#[server]
pub async fn sign_in(username: String, password: String) -> Result<(), AppError> {
    use backend::audit::{Event, Outcome};
    let backend = expect_context::<backend::Backend>();
    let username = username.trim().to_string();
    if username.is_empty() {
        return Err(AppError::Invalid {
            field: "username".into(),
            message: "is required".into(),
        });
    }
    let mut actor = ssr::actor(None).await;
    actor.name = backend::audit::safe_text(&username, 128);
    actor.auth_method = "local".into();
    let addr = actor.client_addr.clone().unwrap_or_default();
    let set_status = |code: axum::http::StatusCode| {
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(code);
        }
    };
    if backend.identity.sign_in_blocked(&username, &addr).await? {
        let _ = backend
            .audit
            .append(&Event::security(
                actor,
                "SignInRateLimited",
                Outcome::Denied,
            ))
            .await;
        set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
        return Err(AppError::SignInFailed(
            "Too many failed sign-ins. Wait 15 minutes and try again.".into(),
        ));
    }
    match backend.identity.authenticate(&username, &password).await? {
        Some(user) => {
            let session = ssr::session().await?;
            let unavailable = |_| AppError::Unavailable("The session store is unavailable.".into());
            session.cycle_id().await.map_err(unavailable)?;
            ssr::start_session(&session, &user)
                .await
                .map_err(unavailable)?;
            backend.identity.signed_in(user.id).await?;
            backend.identity.clear_failures(&username).await?;
            actor.user_id = Some(user.id);
            backend
                .audit
                .append(&Event::security(actor, "SignIn", Outcome::Ok))
                .await?;
            leptos_axum::redirect("/clusters");
            Ok(())
        }
        None => {
            backend.identity.record_failure(&username, &addr).await?;
            let _ = backend
                .audit
                .append(&Event::security(actor, "SignInFailed", Outcome::Denied))
                .await;
            set_status(axum::http::StatusCode::UNAUTHORIZED);
            Err(AppError::SignInFailed("Wrong username or password.".into()))
        }
    }
}

/// Signs out: the session ends on the server at once.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    if let Ok((backend, user)) = ssr::require_user().await {
        let actor = ssr::actor(Some(&user)).await;
        let _ = backend
            .audit
            .append(&backend::audit::Event::security(
                actor,
                "SignOut",
                backend::audit::Outcome::Ok,
            ))
            .await;
    }
    let session = ssr::session().await?;
    session
        .flush()
        .await
        .map_err(|_| AppError::Unavailable("The session store is unavailable.".into()))?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// The answer of a proxied API call, as JSON text (the API's own shape).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiAnswer {
    pub json: String,
    pub request_id: String,
}

/// Calls any PolarDB action through the one enforcement point (role check, audit,
/// signing). Pages use it for the calls they make; it is also how the role matrix is tested.
#[server(input = server_fn::codec::Json, endpoint = "call_api")]
pub async fn call_api(
    account: String,
    region: String,
    action: String,
    params: Vec<(String, String)>,
) -> Result<ApiAnswer, AppError> {
    let (backend, user) = ssr::require_user().await?;
    let caller = ssr::caller(&backend, &user).await?;
    let invoked = backend
        .gateway
        .invoke(&caller, &account, &region, &action, params)
        .await?;
    Ok(ApiAnswer {
        json: invoked.body.to_string(),
        request_id: invoked.request_id,
    })
}

/// Which of `actions` the signed-in user may perform on a resource; pages hide the rest.
/// (`polardb:<Action>` or `console:<Name>`.)
#[server(input = server_fn::codec::Json, endpoint = "permissions")]
pub async fn permissions(
    account: String,
    region: String,
    cluster: Option<String>,
    actions: Vec<String>,
) -> Result<Vec<String>, AppError> {
    let (backend, user) = ssr::require_user().await?;
    let policy = backend.identity.policy_for(&user).await?;
    let resource = backend::access::Resource {
        account,
        region,
        cluster,
    };
    Ok(actions
        .into_iter()
        .filter(|a| {
            let r = if a.starts_with("console:") {
                backend::access::Resource::default()
            } else {
                resource.clone()
            };
            policy.decide(a, &r).is_allowed()
        })
        .collect())
}

/// Changes the signed-in user's own password: the current one, the new one twice.
/// Every other session of the user ends; this one continues under a new id.
#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let (backend, mut user) = ssr::require_user().await?;
    if new_password != confirm_password {
        return Err(AppError::Invalid {
            field: "confirm_password".into(),
            message: "does not match the new password".into(),
        });
    }
    let epoch = backend
        .identity
        .change_password(&user, &current_password, &new_password)
        .await?;
    user.session_epoch = epoch;
    let session = ssr::session().await?;
    let unavailable = |_| AppError::Unavailable("The session store is unavailable.".into());
    session.cycle_id().await.map_err(unavailable)?;
    ssr::start_session(&session, &user)
        .await
        .map_err(unavailable)?;
    let actor = ssr::actor(Some(&user)).await;
    backend
        .audit
        .append(&backend::audit::Event::security(
            actor,
            "PasswordChanged",
            backend::audit::Outcome::Ok,
        ))
        .await?;
    Ok(())
}
