//! Reading changes: one with its requests and decisions, and the lists of `/changes`.

use uuid::Uuid;

use super::{ChangeItem, ChangeView, Changes, Decision, Listing, State, StepView};
use crate::BackendError;

impl Changes {
    /// One change with its requests and decisions.
    pub async fn get(&self, id: Uuid) -> Result<ChangeView, BackendError> {
        let c = sqlx::query!(
            "SELECT id, title, reason, requested_by, requester, action, state, policy,
                    approvals_needed, approver_roles, schedule, run_at, expires_at, canary,
                    batch_size, max_failures, revert_of, retry_of, created_at, finished_at
             FROM changes WHERE id = $1",
            id
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or(BackendError::NotFound("change"))?;
        let steps = sqlx::query!(
            "SELECT seq, batch, cloud_account, region, cluster, clusters, action, params, before,
                    maintain_window, state, request_id, error_code, error_message, started_at,
                    finished_at, cluster_status, settled_at
             FROM change_steps WHERE change_id = $1 ORDER BY seq",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        let decisions = sqlx::query!(
            "SELECT user_id, username, decision, comment, decided_at
             FROM change_approvals WHERE change_id = $1 ORDER BY decided_at",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ChangeView {
            id: c.id,
            title: c.title,
            reason: c.reason,
            requested_by: c.requested_by,
            requester: c.requester,
            action: c.action,
            state: State::parse(&c.state).unwrap_or(State::Failed),
            policy: c.policy,
            approvals_needed: c.approvals_needed,
            approver_roles: c.approver_roles,
            schedule: c.schedule,
            run_at: c.run_at,
            expires_at: c.expires_at,
            canary: c.canary,
            batch_size: c.batch_size,
            max_failures: c.max_failures,
            revert_of: c.revert_of,
            retry_of: c.retry_of,
            created_at: c.created_at,
            finished_at: c.finished_at,
            steps: steps
                .into_iter()
                .map(|s| StepView {
                    seq: s.seq,
                    batch: s.batch,
                    cloud_account: s.cloud_account,
                    region: s.region,
                    cluster: s.cluster,
                    clusters: s.clusters,
                    action: s.action,
                    params: s.params,
                    before: s.before,
                    maintain_window: s.maintain_window,
                    state: s.state,
                    request_id: s.request_id,
                    error_code: s.error_code,
                    error_message: s.error_message,
                    started_at: s.started_at,
                    finished_at: s.finished_at,
                    cluster_status: s.cluster_status,
                    settled_at: s.settled_at,
                })
                .collect(),
            decisions: decisions
                .into_iter()
                .map(|d| Decision {
                    user_id: d.user_id,
                    username: d.username,
                    decision: d.decision,
                    comment: d.comment,
                    decided_at: d.decided_at,
                })
                .collect(),
        })
    }

    /// A list of changes (newest first, at most `limit`); for [`Listing::AwaitingMe`],
    /// `role` is the user's role.
    pub async fn list(
        &self,
        which: Listing,
        role: &str,
        limit: i64,
    ) -> Result<Vec<ChangeItem>, BackendError> {
        let (mode, user) = match which {
            Listing::Mine(u) => ("mine", Some(u)),
            Listing::AwaitingMe(u) => ("awaiting", Some(u)),
            Listing::Scheduled => ("scheduled", None),
            Listing::Running => ("running", None),
            Listing::Recent => ("recent", None),
        };
        let rows = sqlx::query!(
            r#"SELECT c.id, c.title, c.requested_by, c.requester, c.action, c.state,
                      c.approvals_needed, c.schedule, c.run_at, c.created_at,
                      (SELECT coalesce(jsonb_agg(DISTINCT jsonb_build_array(s.cloud_account, s.region, x.cluster)), '[]'::jsonb)
                         FROM change_steps s
                         CROSS JOIN LATERAL unnest(CASE WHEN cardinality(s.clusters) = 0
                                                        THEN ARRAY[''] ELSE s.clusters END) AS x(cluster)
                         WHERE s.change_id = c.id) AS "targets!",
                      (SELECT count(*) FROM change_approvals a WHERE a.change_id = c.id AND a.decision = 'approve') AS "approvals!",
                      (SELECT count(*) FROM change_steps s WHERE s.change_id = c.id) AS "steps!",
                      (SELECT count(*) FROM change_steps s WHERE s.change_id = c.id AND s.state = 'failed') AS "failed!"
               FROM changes c
               WHERE CASE $1
                   WHEN 'mine' THEN c.requested_by = $2
                   WHEN 'awaiting' THEN c.state = 'awaiting_approval' AND c.requested_by <> $2
                        AND $3 = ANY (c.approver_roles)
                        AND NOT EXISTS (SELECT 1 FROM change_approvals a WHERE a.change_id = c.id AND a.user_id = $2)
                   WHEN 'scheduled' THEN c.state IN ('scheduled', 'approved')
                   WHEN 'running' THEN c.state = 'running'
                   ELSE true END
               ORDER BY c.created_at DESC
               LIMIT $4"#,
            mode,
            user,
            role,
            limit.clamp(1, 500)
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ChangeItem {
                id: r.id,
                title: r.title,
                requested_by: r.requested_by,
                requester: r.requester,
                action: r.action,
                state: State::parse(&r.state).unwrap_or(State::Failed),
                approvals_needed: r.approvals_needed,
                approvals: r.approvals,
                schedule: r.schedule,
                run_at: r.run_at,
                steps: r.steps,
                failed: r.failed,
                created_at: r.created_at,
                targets: serde_json::from_value(r.targets).unwrap_or_default(),
            })
            .collect())
    }
}
