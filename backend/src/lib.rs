//! Server-only services of Polar Console. No UI here: the Leptos server functions in
//! `app` call these, and the `server` binary wires them up.
//!
//! * [`identity`] — users, argon2id passwords, the bootstrap administrator.
//! * [`vault`] — cloud accounts, their AccessKey secrets encrypted with AES-256-GCM.
//! * [`gateway`] — signs and sends PolarDB calls on a user's behalf; fans out reads.

pub mod access;
pub mod admin;
pub mod audit;
pub mod changes;
pub mod db;
pub mod error;
pub mod gateway;
pub mod identity;
pub mod jobs;
pub mod metrics;
pub mod notify;
pub mod outbound;
pub mod throttle;
pub mod vault;
pub mod watch;
pub mod zone;

pub use error::BackendError;

use std::sync::Arc;

/// The client's address as the console determined it (trusted-proxy aware); the server
/// puts it into each request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Every service, handed to server functions through Leptos context. One pointer: a
/// request clones it several times (each middleware's state, the context, each server
/// function), and cloning every service's handles each time was a tenth of a call's
/// work under load (#18). Read through `Deref`; changed while it is built
/// (`DerefMut` copies the services if they are shared, as `Arc::make_mut` does).
#[derive(Clone)]
pub struct Backend(Arc<Services>);

impl std::ops::Deref for Backend {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

impl std::ops::DerefMut for Backend {
    fn deref_mut(&mut self) -> &mut Services {
        Arc::make_mut(&mut self.0)
    }
}

/// The services a [`Backend`] points to.
#[derive(Clone)]
pub struct Services {
    pub pool: sqlx::PgPool,
    pub identity: identity::Identity,
    pub vault: vault::Vault,
    pub gateway: gateway::Gateway,
    pub audit: audit::Audit,
    pub admin: admin::Admin,
    pub metrics: metrics::Metrics,
    pub notify: notify::Notifier,
    pub changes: changes::Changes,
}

impl Backend {
    /// Holds cloud-account endpoint overrides to the operator's outbound rules.
    pub fn with_outbound(mut self, policy: outbound::OutboundPolicy) -> Self {
        self.vault = self.vault.clone().with_outbound(policy.clone());
        self.gateway = self.gateway.clone().with_vault(self.vault.clone());
        self.notify = self.notify.clone().with_outbound(policy);
        self.changes = self
            .changes
            .clone()
            .with_gateway(self.gateway.clone())
            .with_notifier(self.notify.clone());
        self
    }

    pub fn new(
        pool: sqlx::PgPool,
        keys: Arc<vault::MasterKeys>,
        client: polardb::client::Client,
    ) -> Self {
        let vault = vault::Vault::new(pool.clone(), keys.clone());
        let metrics = metrics::Metrics::new();
        // The audit chain's key is stored encrypted under the master keys.
        let audit = audit::Audit::with_keys(pool.clone(), keys.clone(), metrics.clone());
        let identity = identity::Identity::new(pool.clone());
        let notify = notify::Notifier::new(pool.clone(), keys.clone(), metrics.clone());
        let gateway = gateway::Gateway::new(vault.clone(), audit.clone(), client)
            .with_metrics(metrics.clone())
            .with_lanes(identity.lanes());
        Backend(Arc::new(Services {
            changes: changes::Changes::new(
                pool.clone(),
                audit.clone(),
                gateway.clone(),
                identity.clone(),
            )
            .with_notifier(notify.clone()),
            identity,
            gateway,
            notify,
            audit,
            metrics,
            admin: admin::Admin::new(pool.clone()),
            vault,
            pool,
        }))
    }
}
