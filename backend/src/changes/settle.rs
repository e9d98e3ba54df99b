//! Following a change's request until its clusters settle: the API accepting a request
//! only starts most changes (a class change, SSL, a node added: the cluster is
//! `ClassChanging`, `SSL_MODIFYING`, `DBNodeCreating`… for minutes). The scheduler reads each
//! cluster the request names (DescribeDBClusterAttribute, as the requester, on the trail)
//! until it is at rest again, and only then is the request done and the next batch sent,
//! so a fleet change never moves on while its canary is still changing.
//!
//! At rest: `Running` and `Deleted` of the status table (19.2), or the cluster gone. A
//! cluster seen at rest on two reads in a row, or at rest after having been seen busy, has
//! settled. Not settled within [`Settle::timeout`]: the request counts as failed
//! (`NotSettled`), so a fleet change stops at its threshold.

use std::time::Duration;

use polardb::models as m;
use uuid::Uuid;

use super::{Changes, Pending, CLAIM};
use crate::gateway::Caller;
use crate::BackendError;

/// How requests are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settle {
    /// The first read after the API accepted the request; each next waits twice as long…
    pub first: Duration,
    /// …up to this.
    pub every: Duration,
    /// Given up (the request failed) after this.
    pub timeout: Duration,
}

impl Default for Settle {
    fn default() -> Self {
        Settle {
            first: Duration::from_secs(1),
            every: Duration::from_secs(30),
            timeout: Duration::from_secs(3 * 3600),
        }
    }
}

/// Cluster statuses at rest (19.2 集群状态表); every other one is a change under way.
const AT_REST: &[&str] = &["Running", "Deleted"];

/// Whether a request the API accepted is followed: not a cluster's release (it is gone
/// when it settles), not one the API itself runs later (`PlannedStartTime`: a scheduled
/// task, followed on `/tasks`).
pub fn followed(action: &str, params: &[(String, String)]) -> bool {
    action != "DeleteDBCluster"
        && !params
            .iter()
            .any(|(k, v)| k == "PlannedStartTime" && !v.trim().is_empty())
}

/// How a follow ended.
enum Settled {
    Yes(String),
    /// The requester may not read a cluster: the request is done, not followed.
    NotReadable(String),
    TimedOut(String),
}

impl Changes {
    /// Follows a step of change `id` (already recorded as accepted, state `settling`)
    /// until its clusters settle, keeping the change's claim, and records the outcome.
    pub(super) async fn follow(&self, caller: &Caller, id: Uuid, step: &Pending) {
        let seq = step.seq;
        let outcome = self
            .settle_of(caller, id, seq, &step.account, &step.region, &step.clusters)
            .await;
        let (state, status, code, message) = match outcome {
            Settled::Yes(s) => ("succeeded", s, None, None),
            Settled::NotReadable(why) => ("succeeded", format!("not followed: {why}"), None, None),
            Settled::TimedOut(s) => (
                "failed",
                s.clone(),
                Some("NotSettled"),
                Some(format!(
                    "the API accepted the request, but the cluster was still {s} after {} minutes",
                    self.settle.timeout.as_secs() / 60
                )),
            ),
        };
        if let Err(e) = sqlx::query!(
            "UPDATE change_steps SET state = $3, cluster_status = $4, error_code = $5,
                    error_message = $6, finished_at = now(),
                    settled_at = CASE WHEN $3 = 'succeeded' THEN now() END
             WHERE change_id = $1 AND seq = $2 AND state = 'settling'",
            id,
            seq,
            state,
            crate::audit::safe_text(&status, 200),
            code,
            message
        )
        .execute(&self.pool)
        .await
        {
            tracing::error!(change = %id, error = %e, "could not record how a request settled");
        }
    }

    async fn settle_of(
        &self,
        caller: &Caller,
        id: Uuid,
        seq: i32,
        account: &str,
        region: &str,
        clusters: &[String],
    ) -> Settled {
        let started = tokio::time::Instant::now();
        let mut wait = self.settle.first;
        let mut calm = 0;
        let mut seen_busy = false;
        let mut last = String::from("unknown");
        loop {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(self.settle.every);
            self.keep_claim(id).await;
            let mut busy = None;
            let mut statuses = Vec::with_capacity(clusters.len());
            for cluster in clusters {
                match self.status_of(caller, account, region, cluster).await {
                    Ok(s) => {
                        if !AT_REST.contains(&s.as_str()) && busy.is_none() {
                            busy = Some(s.clone());
                        }
                        statuses.push(s);
                    }
                    Err(BackendError::Forbidden(why)) => return Settled::NotReadable(why),
                    // The API could not say now: read again.
                    Err(e) => {
                        tracing::info!(change = %id, error = %e, "a settling cluster could not be read");
                        busy = Some(last.clone());
                    }
                }
            }
            if !statuses.is_empty() {
                last = statuses.join(", ");
            }
            let _ = sqlx::query!(
                "UPDATE change_steps SET cluster_status = $3
                 WHERE change_id = $1 AND seq = $2 AND state = 'settling'",
                id,
                seq,
                crate::audit::safe_text(&last, 200)
            )
            .execute(&self.pool)
            .await;
            match busy {
                None => {
                    calm += 1;
                    if seen_busy || calm >= 2 {
                        return Settled::Yes(last);
                    }
                }
                Some(_) => {
                    seen_busy = true;
                    calm = 0;
                }
            }
            if started.elapsed() >= self.settle.timeout {
                return Settled::TimedOut(last);
            }
        }
    }

    /// A cluster's status read as the requester (`Deleted` when it is gone), waiting for
    /// their rate like the requests do.
    async fn status_of(
        &self,
        caller: &Caller,
        account: &str,
        region: &str,
        cluster: &str,
    ) -> Result<String, BackendError> {
        let read = m::DescribeDBClusterAttribute {
            db_cluster_id: cluster.to_string(),
        };
        let mut tries = 0;
        loop {
            match self
                .gateway
                .invoke_typed(caller, account, region, &read)
                .await
            {
                Ok(a) => return Ok(a.db_cluster_status),
                Err(BackendError::Upstream(e)) if e.code.ends_with(".NotFound") => {
                    return Ok("Deleted".into())
                }
                Err(BackendError::Throttled(w)) if tries < 120 => {
                    tries += 1;
                    tokio::time::sleep(w.max(Duration::from_millis(100))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Keeps this process's claim on a change it is still running.
    async fn keep_claim(&self, id: Uuid) {
        let _ = sqlx::query!(
            "UPDATE changes SET claimed_until = now() + make_interval(secs => $3)
             WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
            id,
            self.runner,
            CLAIM.as_secs_f64()
        )
        .execute(&self.pool)
        .await;
    }
}
