//! `/changes` (#15): changes as data — the list (mine, awaiting my approval, scheduled,
//! running, recent) and a change's page with its requests, approvals and progress, and
//! the buttons its viewer's role allows.

pub mod api;
pub mod fleet;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod ssr;
