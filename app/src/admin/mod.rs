//! Administration and the user's own settings: users, roles, password, cloud accounts
//! and the audit trail.

pub mod api;
pub mod approvals;
pub mod approvals_api;
pub mod audit;
pub mod cloud_accounts;
pub mod notifications;
pub mod notify_api;
pub mod settings;
pub mod users;
pub mod vault_api;
