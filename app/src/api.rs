//! Server functions and the DTOs they return. Each one authorises itself: it gets the
//! user with one `require_user()` and calls a backend service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kit::url_encode;
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
    /// The PostgreSQL major version (DBVersion).
    pub version: String,
    pub region: String,
    pub zone: String,
    pub nodes: u32,
    pub pay_type: String,
    pub created: String,
    pub tags: Vec<(String, String)>,
}

/// The default number of clusters on one page of the list.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The most clusters one page may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// The columns the list sorts by (the `sort` query parameter).
pub const SORT_KEYS: &[&str] = &[
    "id", "status", "engine", "region", "nodes", "billing", "account", "created",
];

/// What the cluster list shows: the filters, the order and the page, exactly as the
/// address says them (`/clusters?status=Running&sort=created&dir=desc&page=2`), so that
/// a link reproduces the list. Empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterFilter {
    pub account: String,
    pub region: String,
    pub status: String,
    /// PostgreSQL major version.
    pub version: String,
    pub pay_type: String,
    pub tag_key: String,
    pub tag_value: String,
    /// Text in the cluster ID or description.
    pub q: String,
    /// One of [`SORT_KEYS`]; empty for region, then ID.
    pub sort: String,
    /// `desc` for descending; anything else ascends.
    pub dir: String,
    /// 1-based; 0 means 1.
    pub page: u32,
    /// Clusters a page; 0 means [`DEFAULT_PER_PAGE`].
    pub per: u32,
}

impl ClusterFilter {
    /// The query parameters as the address carries them (in this order), without empty ones.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |k: &'static str, v: &str| {
            if !v.is_empty() {
                out.push((k, v.to_string()));
            }
        };
        put("account", &self.account);
        put("region", &self.region);
        put("status", &self.status);
        put("version", &self.version);
        put("pay", &self.pay_type);
        put("tag", &self.tag_key);
        put("tagv", &self.tag_value);
        put("q", &self.q);
        put("sort", &self.sort);
        put("dir", &self.dir);
        if self.page > 1 {
            out.push(("page", self.page.to_string()));
        }
        if self.per != 0 && self.per != DEFAULT_PER_PAGE {
            out.push(("per", self.per.to_string()));
        }
        out
    }

    /// Reads the query parameters (a getter of the address's query map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        let num = |k: &str| text(k).parse::<u32>().unwrap_or(0);
        ClusterFilter {
            account: text("account"),
            region: text("region"),
            status: text("status"),
            version: text("version"),
            pay_type: text("pay"),
            tag_key: text("tag"),
            tag_value: text("tagv"),
            q: text("q"),
            sort: text("sort"),
            dir: text("dir"),
            page: num("page"),
            per: num("per"),
        }
    }

    /// `/clusters?…` for this filter.
    pub fn href(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            return "/clusters".into();
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", url_encode(&v)))
            .collect();
        format!("/clusters?{}", query.join("&"))
    }

    /// The page size in force.
    pub fn per_page(&self) -> u32 {
        match self.per {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        }
    }

    /// Whether any filter narrows the list (besides account and region).
    pub fn narrowed(&self) -> bool {
        !(self.status.is_empty()
            && self.version.is_empty()
            && self.pay_type.is_empty()
            && self.tag_key.is_empty()
            && self.q.is_empty())
    }
}

/// What is wrong with a filter (the same rules the list enforces on the server).
pub fn cluster_filter_problem(f: &ClusterFilter) -> Option<(&'static str, String)> {
    if !f.sort.is_empty() && !SORT_KEYS.contains(&f.sort.as_str()) {
        return Some(("sort", format!("must be one of {}", SORT_KEYS.join(", "))));
    }
    if !f.pay_type.is_empty() && f.pay_type != "Postpaid" && f.pay_type != "Prepaid" {
        return Some(("pay", "must be Postpaid or Prepaid".into()));
    }
    if f.tag_key.is_empty() && !f.tag_value.is_empty() {
        return Some(("tag", "a tag value needs its key".into()));
    }
    if f.tag_key.chars().count() > 128 || f.tag_value.chars().count() > 128 {
        return Some((
            "tag",
            "tag keys and values have at most 128 characters".into(),
        ));
    }
    if f.q.chars().count() > 256 {
        return Some(("q", "search text has at most 256 characters".into()));
    }
    None
}

/// Orders rows by a column of [`SORT_KEYS`] (ties: region, then ID, so pages are stable).
pub fn sort_rows(rows: &mut [ClusterRow], sort: &str, descending: bool) {
    rows.sort_by(|a, b| {
        let primary = match sort {
            "id" => a.id.cmp(&b.id),
            "status" => a.status.cmp(&b.status),
            "engine" => version_key(&a.version).cmp(&version_key(&b.version)),
            "region" => {
                (a.region.as_str(), a.zone.as_str()).cmp(&(b.region.as_str(), b.zone.as_str()))
            }
            "nodes" => a.nodes.cmp(&b.nodes),
            "billing" => a.pay_type.cmp(&b.pay_type),
            "account" => a.account.cmp(&b.account),
            "created" => a.created.cmp(&b.created),
            _ => std::cmp::Ordering::Equal,
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| {
            (a.region.as_str(), a.id.as_str()).cmp(&(b.region.as_str(), b.id.as_str()))
        })
    });
}

fn version_key(v: &str) -> (u32, String) {
    (
        v.split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        v.to_string(),
    )
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

/// One page of the cluster list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterList {
    /// The clusters of this page.
    pub clusters: Vec<ClusterRow>,
    pub problems: Vec<RegionProblem>,
    /// How many clusters pass the filters (on every page).
    pub total: usize,
    /// The page shown (1-based, within the pages there are).
    pub page: u32,
    /// Clusters a page.
    pub per: u32,
}

impl ClusterList {
    pub fn pages(&self) -> u32 {
        (self.total as u32).div_ceil(self.per.max(1)).max(1)
    }
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
        let name = device_cookie_name(secure);
        let parts = use_context::<axum::http::request::Parts>()?;
        parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
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
        if let (Some(opts), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(&value),
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
    /// (503) when the session store or the database cannot say.
    pub async fn require_user() -> Result<(Backend, User), AppError> {
        let backend = expect_context::<Backend>();
        let session = session().await?;
        let id = live_session_user(&session, use_context::<SessionLimits>()).await?;
        let user = match id.and_then(|s| uuid::Uuid::parse_str(&s).ok()) {
            Some(id) => backend.identity.find(id).await?,
            None => None,
        };
        match user {
            Some(u) if session_valid_for(&session, &u).await => Ok((backend, u)),
            _ => Err(AppError::Unauthenticated),
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

    /// Answers an attempt refused by the sign-in limits: 429 with `Retry-After`. Logged,
    /// not audited: a refused burst must not become one audit record per request.
    pub fn too_many(
        limited: &backend::identity::Limited,
        actor: &backend::audit::Actor,
    ) -> AppError {
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

/// The clusters of the chosen cloud accounts and regions (all when not chosen) that pass
/// the filter, sorted, one page of them. The filters are applied on the server (status,
/// pay type and a full tag are also passed to DescribeDBClusters), so only the page
/// shown travels to the browser.
#[server(input = server_fn::codec::Json, endpoint = "search_clusters")]
pub async fn search_clusters(filter: ClusterFilter) -> Result<ClusterList, AppError> {
    fleet_list(filter, true).await
}

/// Every cluster of the chosen cloud accounts and regions (all when not chosen), unpaged.
#[server]
pub async fn list_clusters(
    account: Option<String>,
    region: Option<String>,
) -> Result<ClusterList, AppError> {
    let filter = ClusterFilter {
        account: account.unwrap_or_default(),
        region: region.unwrap_or_default(),
        ..Default::default()
    };
    fleet_list(filter, false).await
}

#[cfg(feature = "ssr")]
async fn fleet_list(filter: ClusterFilter, paged: bool) -> Result<ClusterList, AppError> {
    let (backend, user) = ssr::require_user().await?;
    if let Some((field, message)) = cluster_filter_problem(&filter) {
        return Err(AppError::Invalid {
            field: field.into(),
            message,
        });
    }
    let caller = ssr::caller(&backend, &user).await?;
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let query = backend::gateway::FleetQuery {
        account: some(&filter.account),
        region: some(&filter.region),
    };
    let keep = backend::gateway::FleetFilter {
        status: some(&filter.status),
        pay_type: some(&filter.pay_type),
        tag: some(&filter.tag_key).map(|k| (k, some(&filter.tag_value))),
        version: some(&filter.version),
        text: some(&filter.q),
    };
    let view = backend
        .gateway
        .fleet_filtered(&caller, &query, &keep)
        .await?;
    let mut rows: Vec<ClusterRow> = view
        .clusters
        .into_iter()
        .map(|f| {
            let c = f.cluster;
            ClusterRow {
                account: f.account,
                engine: format!("{} {}", c.db_type, c.db_version),
                version: c.db_version,
                id: c.db_cluster_id,
                description: c.db_cluster_description,
                status: c.db_cluster_status,
                region: c.region_id,
                zone: c.zone_id,
                nodes: c.db_node_number,
                pay_type: c.pay_type,
                created: c.create_time,
                tags: c.tags.tag.into_iter().map(|t| (t.key, t.value)).collect(),
            }
        })
        .collect();
    if !filter.sort.is_empty() || filter.dir == "desc" {
        sort_rows(&mut rows, &filter.sort, filter.dir == "desc");
    }
    let total = rows.len();
    let per = if paged {
        filter.per_page()
    } else {
        (total as u32).max(1)
    };
    let pages = (total as u32).div_ceil(per).max(1);
    let page = filter.page.clamp(1, pages);
    let clusters = rows
        .into_iter()
        .skip(((page - 1) * per) as usize)
        .take(per as usize)
        .collect();
    Ok(ClusterList {
        clusters,
        total,
        page,
        per,
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

/// Signs in with a local account; cycles the session id. Attempts are counted before the
/// password is checked: too many failures from one address get 429 (with `Retry-After`)
/// until the window ends; a user name with many failures is slowed down, not locked.
#[server]
pub async fn sign_in(username: String, password: String) -> Result<(), AppError> {
    use backend::audit::{Event, Outcome};
    use backend::identity::SignIn;
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
    let device = ssr::device_cookie();
    match backend
        .identity
        .sign_in(&username, &password, &addr, device.as_deref())
        .await?
    {
        SignIn::SignedIn(user) => {
            if let Some(token) = backend
                .identity
                .remember_device(user.id, device.as_deref())
                .await?
            {
                ssr::set_device_cookie(&token);
            }
            let session = ssr::session().await?;
            let unavailable = |_| AppError::Unavailable("The session store is unavailable.".into());
            session.cycle_id().await.map_err(unavailable)?;
            ssr::start_session(&session, &user)
                .await
                .map_err(unavailable)?;
            backend.identity.signed_in(user.id).await?;
            actor.user_id = Some(user.id);
            backend
                .audit
                .append(&Event::security(actor, "SignIn", Outcome::Ok))
                .await?;
            leptos_axum::redirect("/clusters");
            Ok(())
        }
        SignIn::Failed => {
            let _ = backend
                .audit
                .append(&Event::security(actor, "SignInFailed", Outcome::Denied))
                .await;
            if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(axum::http::StatusCode::UNAUTHORIZED);
            }
            Err(AppError::SignInFailed("Wrong username or password.".into()))
        }
        SignIn::Limited(limited) => Err(ssr::too_many(&limited, &actor)),
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
/// Every other session of the user ends; this one continues under a new id. Wrong current
/// passwords count against the same limits as failed sign-ins.
#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use backend::identity::PasswordChange;
    let (backend, mut user) = ssr::require_user().await?;
    if new_password != confirm_password {
        return Err(AppError::Invalid {
            field: "confirm_password".into(),
            message: "does not match the new password".into(),
        });
    }
    let actor = ssr::actor(Some(&user)).await;
    let addr = actor.client_addr.clone().unwrap_or_default();
    let changed = backend
        .identity
        .change_password(&user, &current_password, &new_password, &addr)
        .await;
    let hash = match changed {
        Ok(PasswordChange::Checked(hash)) => hash,
        Ok(PasswordChange::Limited(limited)) => return Err(ssr::too_many(&limited, &actor)),
        Err(e) => {
            if matches!(&e, backend::BackendError::Invalid { field, .. } if *field == "current_password")
            {
                let _ = backend
                    .audit
                    .append(&backend::audit::Event::security(
                        actor,
                        "PasswordChangeFailed",
                        backend::audit::Outcome::Denied,
                    ))
                    .await;
            }
            return Err(e.into());
        }
    };
    // The new password commits together with its audit record, or not at all.
    let mut change = backend.audit.begin_change().await?;
    let epoch = backend
        .identity
        .store_password(change.conn(), &user, hash)
        .await?;
    change
        .commit(&backend::audit::Event::security(
            actor,
            "PasswordChanged",
            backend::audit::Outcome::Ok,
        ))
        .await?;
    user.session_epoch = epoch;
    let session = ssr::session().await?;
    let unavailable = |_| AppError::Unavailable("The session store is unavailable.".into());
    session.cycle_id().await.map_err(unavailable)?;
    ssr::start_session(&session, &user)
        .await
        .map_err(unavailable)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, region: &str, version: &str, created: &str) -> ClusterRow {
        ClusterRow {
            account: "a".into(),
            id: id.into(),
            description: String::new(),
            status: "Running".into(),
            engine: format!("PostgreSQL {version}"),
            version: version.into(),
            region: region.into(),
            zone: String::new(),
            nodes: 2,
            pay_type: "Postpaid".into(),
            created: created.into(),
            tags: vec![],
        }
    }

    #[test]
    fn filters_round_trip_through_the_address() {
        let f = ClusterFilter {
            status: "Running".into(),
            q: "orders prod".into(),
            tag_key: "env".into(),
            sort: "created".into(),
            dir: "desc".into(),
            page: 2,
            per: 5,
            ..Default::default()
        };
        let href = f.href();
        assert_eq!(
            href,
            "/clusters?status=Running&tag=env&q=orders%20prod&sort=created&dir=desc&page=2&per=5"
        );
        let pairs = f.pairs();
        let back = ClusterFilter::from_lookup(|k| {
            pairs.iter().find(|(p, _)| *p == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, f);
        assert_eq!(ClusterFilter::default().href(), "/clusters");
        // Defaults are left out of the address.
        let plain = ClusterFilter {
            page: 1,
            per: DEFAULT_PER_PAGE,
            ..Default::default()
        };
        assert_eq!(plain.href(), "/clusters");
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(ClusterFilter::default().per_page(), DEFAULT_PER_PAGE);
        let f = ClusterFilter {
            per: 100_000,
            ..Default::default()
        };
        assert_eq!(f.per_page(), MAX_PER_PAGE);
    }

    #[test]
    fn filter_problems_name_the_parameter() {
        let bad = |f: ClusterFilter| cluster_filter_problem(&f).map(|(k, _)| k);
        assert_eq!(bad(ClusterFilter::default()), None);
        assert_eq!(
            bad(ClusterFilter {
                sort: "colour".into(),
                ..Default::default()
            }),
            Some("sort")
        );
        assert_eq!(
            bad(ClusterFilter {
                pay_type: "Free".into(),
                ..Default::default()
            }),
            Some("pay")
        );
        assert_eq!(
            bad(ClusterFilter {
                tag_value: "x".into(),
                ..Default::default()
            }),
            Some("tag")
        );
        assert_eq!(
            bad(ClusterFilter {
                tag_key: "k".repeat(129),
                ..Default::default()
            }),
            Some("tag")
        );
    }

    #[test]
    fn rows_sort_by_column_with_stable_ties() {
        let mut rows = vec![
            row("pc-b", "cn-hangzhou", "11", "2026-01-02T00:00:00Z"),
            row("pc-a", "cn-shanghai", "16", "2026-01-01T00:00:00Z"),
            row("pc-c", "cn-hangzhou", "14", "2026-01-03T00:00:00Z"),
        ];
        sort_rows(&mut rows, "created", true);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-c", "pc-b", "pc-a"]
        );
        sort_rows(&mut rows, "engine", false);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-b", "pc-c", "pc-a"]
        );
        sort_rows(&mut rows, "id", false);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-a", "pc-b", "pc-c"]
        );
        // Equal keys fall back to region, then ID.
        sort_rows(&mut rows, "nodes", true);
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["pc-b", "pc-c", "pc-a"]
        );
    }
}
