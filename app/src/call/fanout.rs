//! Fan-out over cloud accounts and regions, on the server: every call goes through the
//! gateway (role check, audit trail, signing), and a region that fails is reported while
//! the others still show. Used by the fleet pages and by tagging.
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use backend::gateway::Caller;
use backend::{Backend, BackendError};

use crate::api::RegionProblem;
use crate::kit::outcomes::RegionOutcome;
use crate::AppError;

/// Runs the futures concurrently on the current task (the request's context stays).
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, f) in futures.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => out[i] = Some(v),
                    Poll::Pending => done = false,
                }
            }
        }
        if done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// The signed-in user's backend and caller.
pub struct Ctx {
    pub backend: Backend,
    pub caller: Caller,
}

pub async fn ctx() -> Result<Ctx, AppError> {
    let (backend, user) = crate::api::ssr::require_user().await?;
    let caller = crate::api::ssr::caller(&backend, &user).await?;
    Ok(Ctx { backend, caller })
}

impl Ctx {
    /// Every (cloud account, region) the user can see, narrowed to the chosen ones: an
    /// account's configured regions, else the regions the top bar offers.
    pub async fn places(
        &self,
        account: Option<&str>,
        region: Option<&str>,
    ) -> Result<Vec<(String, String)>, AppError> {
        let accounts = self.backend.vault.list_enabled().await?;
        let (_, all) = self.backend.gateway.choices(&self.caller).await?;
        let mut out = Vec::new();
        for a in accounts {
            if account.is_some_and(|n| n != a.name) {
                continue;
            }
            let regions = if a.regions.is_empty() {
                all.clone()
            } else {
                a.regions.clone()
            };
            for r in regions {
                if region.is_some_and(|q| q != r) {
                    continue;
                }
                out.push((a.name.clone(), r));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// One call through the gateway; a failure becomes the region's problem.
    pub async fn call(
        &self,
        account: &str,
        region: &str,
        action: &str,
        params: Vec<(String, String)>,
    ) -> Result<(serde_json::Value, String), RegionProblem> {
        self.backend
            .changes
            .invoke(&self.caller, account, region, action, params)
            .await
            .and_then(|i| {
                let request_id = i.request_id.clone();
                Ok((i.value()?, request_id))
            })
            .map_err(|e| problem(account, region, e))
    }

    /// Whether the user's role allows `action` in the region (on `cluster` when named).
    pub fn allows(&self, action: &str, account: &str, region: &str, cluster: Option<&str>) -> bool {
        self.caller
            .policy
            .decide(
                &format!("polardb:{action}"),
                &backend::access::Resource {
                    account: account.to_string(),
                    region: region.to_string(),
                    cluster: cluster.map(str::to_string),
                },
            )
            .is_allowed()
    }
}

/// Reads an answer into its model.
pub fn parse<T: serde::de::DeserializeOwned>(
    account: &str,
    region: &str,
    action: &str,
    body: serde_json::Value,
) -> Result<T, RegionProblem> {
    serde_json::from_value(body).map_err(|e| RegionProblem {
        account: account.to_string(),
        region: region.to_string(),
        code: "InvalidResponse".into(),
        message: format!("The {action} answer had an unexpected shape: {e}"),
        request_id: String::new(),
    })
}

pub fn problem(account: &str, region: &str, e: BackendError) -> RegionProblem {
    let (code, message, request_id) = match e {
        BackendError::Upstream(api) => (api.code.clone(), api.human(), api.request_id),
        BackendError::Forbidden(reason) => ("Forbidden".into(), reason, String::new()),
        other => ("ConsoleError".into(), other.to_string(), String::new()),
    };
    RegionProblem {
        account: account.to_string(),
        region: region.to_string(),
        code,
        message,
        request_id,
    }
}

pub fn failed(p: RegionProblem) -> RegionOutcome {
    RegionOutcome {
        account: p.account,
        region: p.region,
        ok: false,
        detail: p.message,
        code: p.code,
        request_id: p.request_id,
    }
}
