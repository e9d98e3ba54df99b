//! Background work that must happen once across every console process sharing the
//! database: sweeping expired sessions, audit checkpoints, housekeeping.
//!
//! Time is cut into periods per job; a process runs a period only if it inserts that
//! period's row into `background_runs` first (`ON CONFLICT DO NOTHING`). Two processes
//! ticking at the same moment both try; exactly one wins, the other skips. No process
//! is special, so any of them may stop at any time.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

use crate::audit::{Audit, Checkpointed};
use crate::metrics::Metrics;
use crate::BackendError;

/// The jobs and their periods, as multiples of the base period.
pub const JOBS: &[(&str, u64)] = &[
    ("session-sweep", 1),
    ("audit-checkpoint", 1),
    ("housekeeping", 60),
    // The fleet watch behind notifications (`watch.rs`): every five base periods.
    ("notifications-watch", 5),
];

/// What one run did, for the log line.
#[derive(Debug)]
pub enum Ran {
    Swept(u64),
    Checkpoint { seq: i64 },
    NothingNew,
    ChainBroken { seq: i64, problem: String },
    Housekeeping { removed: u64 },
    Watched(crate::watch::Watched),
}

#[derive(Clone)]
pub struct Jobs {
    pool: PgPool,
    audit: Audit,
    metrics: Metrics,
    /// This process: host, pid and a random suffix.
    pub instance: String,
    /// The base period (one minute in production).
    pub period: Duration,
    /// The fleet watch; without it, that job does nothing.
    watcher: Option<crate::watch::Watcher>,
}

/// The period number of `now` for a job whose period is `secs` seconds.
pub fn slot_of(unix_secs: u64, secs: u64) -> i64 {
    (unix_secs / secs.max(1)) as i64
}

impl Jobs {
    pub fn new(pool: PgPool, audit: Audit, metrics: Metrics, period: Duration) -> Self {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        Jobs {
            pool,
            audit,
            metrics,
            instance: format!("{host}:{}:{}", std::process::id(), &suffix[..8]),
            period,
            watcher: None,
        }
    }

    /// Runs the fleet watch behind notifications as one of the jobs.
    pub fn with_watcher(mut self, watcher: crate::watch::Watcher) -> Self {
        self.watcher = Some(watcher);
        self
    }

    /// Claims the current period of `job`; `Some(slot)` when this process won it.
    pub async fn claim(&self, job: &str, every: Duration) -> Result<Option<i64>, BackendError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let slot = slot_of(now, every.as_secs());
        let won = sqlx::query_scalar::<_, i64>(
            "INSERT INTO background_runs (job, slot, instance) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING RETURNING slot",
        )
        .bind(job)
        .bind(slot)
        .bind(&self.instance)
        .fetch_optional(&self.pool)
        .await?;
        Ok(won)
    }

    async fn finish(&self, job: &str, slot: i64, outcome: &str) -> Result<(), BackendError> {
        sqlx::query(
            "UPDATE background_runs SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2",
        )
        .bind(job)
        .bind(slot)
        .bind(outcome)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Runs one job's work now (after a won claim).
    pub async fn run(&self, job: &str) -> Result<Ran, BackendError> {
        match job {
            "session-sweep" => {
                let n = sqlx::query("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(Ran::Swept(n))
            }
            "audit-checkpoint" => self.checkpoint().await,
            "notifications-watch" => match &self.watcher {
                Some(w) => Ok(Ran::Watched(w.watch_once().await?)),
                None => Ok(Ran::NothingNew),
            },
            _ => {
                let a =
                    sqlx::query("DELETE FROM sign_in_failures WHERE at < now() - interval '1 day'")
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                let b = sqlx::query(
                    "DELETE FROM background_runs WHERE started_at < now() - interval '7 days'",
                )
                .execute(&self.pool)
                .await?
                .rows_affected();
                // Delivered or given-up notifications are kept 30 days in the channels' logs;
                // their facts are not told again in that time.
                let c = sqlx::query(
                    "DELETE FROM notification_deliveries WHERE state <> 'pending' AND created_at < now() - interval '30 days'",
                )
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(Ran::Housekeeping { removed: a + b + c })
            }
        }
    }

    /// Verifies the chain from the last checkpoint (which must still be in it) to its head
    /// and records the head as a MACed checkpoint (see [`Audit::checkpoint`]).
    async fn checkpoint(&self) -> Result<Ran, BackendError> {
        Ok(match self.audit.checkpoint().await? {
            Checkpointed::New { seq } => Ran::Checkpoint { seq },
            Checkpointed::NothingNew => Ran::NothingNew,
            Checkpointed::Broken { seq, problem } => Ran::ChainBroken { seq, problem },
        })
    }

    /// Tries every due job once.
    pub async fn tick(&self) {
        for (job, mult) in JOBS {
            let every = self.period * (*mult as u32);
            let slot = match self.claim(job, every).await {
                Ok(Some(slot)) => slot,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(job, error = %e, "background job: cannot claim its period");
                    continue;
                }
            };
            let (outcome, ran) = match self.run(job).await {
                Ok(ran @ Ran::ChainBroken { .. }) => ("broken", format!("{ran:?}")),
                Ok(ran) => ("ok", format!("{ran:?}")),
                Err(e) => ("error", e.to_string()),
            };
            self.metrics.inc(
                "polar_background_runs_total",
                &[("job", job), ("result", outcome)],
            );
            if outcome == "broken" {
                tracing::error!(job, slot, instance = %self.instance, result = %ran, "background job: the audit chain is broken");
            } else {
                tracing::info!(job, slot, instance = %self.instance, outcome, result = %ran, "background job ran");
            }
            if let Err(e) = self.finish(job, slot, outcome).await {
                tracing::warn!(job, error = %e, "background job: cannot record its end");
            }
        }
    }

    /// Ticks until `stop` turns true: a few times per base period, so that a period is
    /// claimed soon after it starts whichever process is alive.
    pub async fn run_until(self, mut stop: watch::Receiver<bool>) {
        let every = (self.period / 4).max(Duration::from_millis(200));
        loop {
            self.tick().await;
            let stopped = tokio::select! {
                _ = tokio::time::sleep(every) => false,
                // A dropped sender also means stop.
                changed = stop.changed() => changed.is_err() || *stop.borrow(),
            };
            if stopped {
                break;
            }
        }
        tracing::info!("background jobs stopped");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn periods_are_numbered_from_the_epoch() {
        assert_eq!(super::slot_of(0, 60), 0);
        assert_eq!(super::slot_of(59, 60), 0);
        assert_eq!(super::slot_of(60, 60), 1);
        assert_eq!(super::slot_of(10, 0), 10);
    }
}
