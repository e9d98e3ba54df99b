//! The fleet: every cluster of every cloud account and region — the list, creating a
//! cluster, tags, pending events, scheduled tasks, renewals and the backups of released
//! clusters.

pub mod clusters;
pub mod create;
pub mod events;
pub mod released;
pub mod renewals;
pub mod tags;
pub mod tasks;
