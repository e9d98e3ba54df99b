//! Server functions and the DTOs they return. Each one authorises itself: it gets the
//! user with one `require_user()` and calls a backend service.
//!
//! * [`session`]: signing in and out, the password, who is signed in;
//! * [`clusters`]: the fleet's cluster list and its filter;
//! * this module: the console's JSON API for scripts (`call_api`) and the permissions
//!   pages ask for.

pub mod clusters;
pub mod session;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use clusters::*;
pub use session::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

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
        .changes
        .invoke(&caller, &account, &region, &action, params)
        .await?;
    let request_id = invoked.request_id.clone();
    Ok(ApiAnswer {
        json: invoked.text()?,
        request_id,
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
    Ok(policy.permitted(&account, &region, cluster.as_deref(), &actions)?)
}
