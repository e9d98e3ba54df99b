//! How server functions reach the API (server only): typed calls through the one
//! enforcement point as the signed-in user, their permissions, and the fan-out over
//! accounts and regions.
//!
//! ```ignore
//! let api = Api::signed_in().await?;
//! let answer = api
//!     .call(&account, &region, &m::DeleteDBNodes { db_cluster_id, db_node_id: vec![node], ..Default::default() })
//!     .await?;
//! Ok(answer.request_id)
//! ```

pub mod fanout;

use backend::gateway::Caller;
use backend::identity::User;
use backend::Backend;
use polardb::models::Action;

use crate::AppError;

/// The signed-in user's way to the API: the user is read once, then every call is a typed
/// request ([`polardb::models::Action`]) that the gateway canonicalises, decides, audits
/// and sends, and its answer is the action's typed response.
pub struct Api {
    backend: Backend,
    caller: Caller,
    user: User,
}

impl Api {
    /// The signed-in, enabled user (401 without one, 503 when the session store or the
    /// database cannot say).
    pub async fn signed_in() -> Result<Api, AppError> {
        let (backend, user) = crate::api::ssr::require_user().await?;
        let caller = crate::api::ssr::caller(&backend, &user).await?;
        Ok(Api {
            backend,
            caller,
            user,
        })
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The user as the gateway knows them: their policy and who they are in the trail.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// One call of action `A` in `region` of cloud account `account`.
    pub async fn call<A: Action>(
        &self,
        account: &str,
        region: &str,
        request: &A,
    ) -> Result<A::Response, AppError> {
        Ok(self
            .backend
            .changes
            .invoke_typed(&self.caller, account, region, request)
            .await?)
    }
}

/// The answer of an action in its typed model.
pub fn parse_answer<T: serde::de::DeserializeOwned>(
    action: &str,
    answer: &crate::api::ApiAnswer,
) -> Result<T, AppError> {
    serde_json::from_str(&answer.json).map_err(|e| {
        AppError::ServerFn(format!("The {action} answer had an unexpected shape: {e}"))
    })
}

/// Whether the user may perform `action` on the cluster.
pub async fn may(
    account: &str,
    region: &str,
    cluster: &str,
    actions: &[&str],
) -> Result<Vec<String>, AppError> {
    let allowed = crate::api::permissions(
        account.to_string(),
        region.to_string(),
        Some(cluster.to_string()),
        actions.iter().map(|a| format!("polardb:{a}")).collect(),
    )
    .await?;
    Ok(allowed
        .into_iter()
        .map(|a| a.trim_start_matches("polardb:").to_string())
        .collect())
}
