//! A per-user limit on PolarDB calls: a token bucket per signed-in user, kept in memory by
//! each process. Every call a user makes through the gateway (a page, the JSON API, a fan
//! out over the fleet) takes one token; an empty bucket answers 429 with the seconds until
//! the next token, before anything is parsed, decided, recorded or sent (tenth attack run:
//! a Viewer's flood of reads grew the audit trail without bound). Calls the console makes
//! for itself (start-up, the command line) have no user and are not limited.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// The default of the `calls_per_minute` setting.
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 1200;

/// Buckets kept before full ones are forgotten (a full bucket is the same as none).
const PRUNE_AT: usize = 4096;

struct Bucket {
    tokens: f64,
    at: Instant,
    /// When a refusal was last logged: one log line a minute per user, not one a refusal.
    logged: Option<Instant>,
}

/// A call refused: how long until the next token, and whether to log it (the first
/// refusal of the user's in a minute).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Refused {
    pub wait: Duration,
    pub log: bool,
}

/// Cheap to clone: one set of buckets per process.
#[derive(Clone)]
pub struct Throttle {
    /// Tokens a minute, which is also the most a bucket holds (a minute's calls at once).
    per_minute: u32,
    buckets: Arc<Mutex<HashMap<Uuid, Bucket>>>,
}

impl Throttle {
    pub fn new(per_minute: u32) -> Self {
        Throttle {
            per_minute: per_minute.max(1),
            buckets: Arc::default(),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes a token of `user`'s bucket, or says how long until one is there.
    pub fn take(&self, user: Uuid) -> Result<(), Refused> {
        self.take_at(user, Instant::now())
    }

    fn take_at(&self, user: Uuid, now: Instant) -> Result<(), Refused> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        // A panic elsewhere cannot leave a bucket in a state worse than a number.
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= PRUNE_AT && !buckets.contains_key(&user) {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(user).or_insert(Bucket {
            tokens: capacity,
            at: now,
            logged: None,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let log = bucket
                .logged
                .is_none_or(|t| now.saturating_duration_since(t) >= Duration::from_secs(60));
            if log {
                bucket.logged = Some(now);
            }
            Err(Refused {
                wait: Duration::from_secs_f64((1.0 - bucket.tokens) / per_second),
                log,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_a_minute_of_calls_at_once_then_the_rate() {
        let t = Throttle::new(60);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let start = Instant::now();
        for _ in 0..60 {
            assert!(t.take_at(a, start).is_ok());
        }
        let refused = t.take_at(a, start).unwrap_err();
        let wait = refused.wait;
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(refused.log, "the first refusal is logged");
        assert!(
            !t.take_at(a, start).unwrap_err().log,
            "the next ones in the minute are not"
        );
        // Another user is not slowed by the first.
        assert!(t.take_at(b, start).is_ok());
        // One token a second comes back, never more than the minute's worth.
        assert!(t.take_at(a, start + Duration::from_secs(1)).is_ok());
        assert!(t.take_at(a, start + Duration::from_secs(1)).is_err());
        let later = start + Duration::from_secs(3600);
        for _ in 0..60 {
            assert!(t.take_at(a, later).is_ok());
        }
        assert!(t.take_at(a, later).is_err());
    }

    #[test]
    fn full_buckets_are_forgotten_when_there_are_many() {
        let t = Throttle::new(60);
        let start = Instant::now();
        for _ in 0..PRUNE_AT {
            t.take_at(Uuid::new_v4(), start).unwrap();
        }
        t.take_at(Uuid::new_v4(), start + Duration::from_secs(2))
            .unwrap();
        assert_eq!(t.buckets.lock().unwrap().len(), 1);
    }
}
