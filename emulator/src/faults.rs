//! Fault injection (latency, throttling, 5xx) and request statistics.
//!
//! Faults are decided by a deterministic sequence: the n-th API request draws the n-th
//! number of a splitmix64 stream seeded with `fault_seed`, so a run with the same seed and
//! the same request order injects the same faults.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::util::{mix, unit, Fault};

/// What the emulator counted for one action.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ActionStats {
    /// Requests received (whatever their outcome).
    pub received: u64,
    /// Requests answered with success.
    pub succeeded: u64,
    /// Requests answered with an error (including injected ones).
    pub failed: u64,
    /// Injected `Throttling.User` answers.
    pub throttled: u64,
    /// Injected `ServiceUnavailable` answers.
    pub unavailable: u64,
    /// Writes that carried a ClientToken.
    pub writes_with_client_token: u64,
    /// Writes without a ClientToken.
    pub writes_without_client_token: u64,
    /// Writes without a ClientToken whose parameters repeated an earlier such write.
    pub repeated_writes_without_client_token: u64,
    /// Writes answered from the idempotency cache (same ClientToken again).
    pub idempotent_replays: u64,
    /// How many write requests carried each ClientToken.
    pub client_tokens: BTreeMap<String, u64>,
}

/// Counters of a running emulator; served at `GET /_emulator/stats`.
#[derive(Debug, Default)]
pub struct Stats {
    pub total: u64,
    pub actions: BTreeMap<String, ActionStats>,
    /// Fingerprints of writes without a ClientToken, to spot repeats.
    untokened: HashMap<(String, u64), u64>,
}

impl Stats {
    pub fn action(&mut self, action: &str) -> &mut ActionStats {
        self.actions.entry(action.to_string()).or_default()
    }

    /// Counts a received request.
    pub fn received(&mut self, action: &str, write: bool, token: Option<&str>, fingerprint: u64) {
        self.total += 1;
        let repeated = if write && token.is_none() {
            let seen = self
                .untokened
                .entry((action.to_string(), fingerprint))
                .or_default();
            *seen += 1;
            *seen > 1
        } else {
            false
        };
        let a = self.action(action);
        a.received += 1;
        if write {
            match token {
                Some(t) => {
                    a.writes_with_client_token += 1;
                    *a.client_tokens.entry(t.to_string()).or_default() += 1;
                }
                None => {
                    a.writes_without_client_token += 1;
                    if repeated {
                        a.repeated_writes_without_client_token += 1;
                    }
                }
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "total_requests": self.total,
            "actions": self.actions,
        })
    }

    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}

/// The fault settings and the position in the fault sequence.
#[derive(Debug)]
pub struct Faults {
    pub latency_ms: u64,
    pub throttle_rate: f64,
    pub error_5xx_rate: f64,
    seed: u64,
    drawn: u64,
}

/// An injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Injected {
    Throttled,
    Unavailable,
}

impl Injected {
    pub fn fault(self) -> Fault {
        match self {
            Injected::Throttled => Fault::new(
                400,
                "Throttling.User",
                "Request was denied due to user flow control.",
            ),
            Injected::Unavailable => Fault::new(
                503,
                "ServiceUnavailable",
                "The request has failed due to a temporary failure of the server.",
            ),
        }
    }
}

impl Faults {
    pub fn new(latency_ms: u64, throttle_rate: f64, error_5xx_rate: f64, seed: u64) -> Self {
        Faults {
            latency_ms,
            throttle_rate: throttle_rate.clamp(0.0, 1.0),
            error_5xx_rate: error_5xx_rate.clamp(0.0, 1.0),
            seed,
            drawn: 0,
        }
    }

    /// Decides the fate of the next request.
    pub fn draw(&mut self) -> Option<Injected> {
        if self.throttle_rate <= 0.0 && self.error_5xx_rate <= 0.0 {
            return None;
        }
        self.drawn += 1;
        let u = unit(mix(self.seed ^ mix(self.drawn)));
        if u < self.throttle_rate {
            Some(Injected::Throttled)
        } else if u < self.throttle_rate + self.error_5xx_rate {
            Some(Injected::Unavailable)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fault_sequence_is_deterministic_and_follows_the_rates() {
        let draw = |seed| {
            let mut f = Faults::new(0, 0.2, 0.1, seed);
            (0..2000).map(|_| f.draw()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        let seq = draw(7);
        let t = seq
            .iter()
            .filter(|x| **x == Some(Injected::Throttled))
            .count();
        let u = seq
            .iter()
            .filter(|x| **x == Some(Injected::Unavailable))
            .count();
        assert!((300..500).contains(&t), "{t}");
        assert!((120..280).contains(&u), "{u}");
        let mut none = Faults::new(0, 0.0, 0.0, 1);
        assert!((0..100).all(|_| none.draw().is_none()));
    }
}
