//! Polar Console's user interface (Leptos, server-side rendered and hydrated) and its
//! server functions. Server-only code lives behind the `ssr` feature; the browser build
//! uses `hydrate`. Never both.

#![recursion_limit = "256"]

pub mod admin;
pub mod api;
#[cfg(feature = "ssr")]
pub mod call;
pub mod cluster;
pub mod error;
pub mod fleet;
pub mod kit;
pub mod shell;
#[cfg(test)]
mod structure;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub use error::AppError;

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="polar" href="/pkg/polar-console.css" />
        <Title formatter=|t: String| format!("{t} · Polar Console") />
        <Router>
            <Routes fallback=|| view! { <kit::NotFound /> }>
                <Route path=path!("/signin") view=shell::signin::SignInPage />
                <Route path=path!("/") view=|| view! { <shell::Console><fleet::clusters::ClustersPage /></shell::Console> } />
                <Route path=path!("/clusters") view=|| view! { <shell::Console><fleet::clusters::ClustersPage /></shell::Console> } />
                <Route path=path!("/clusters/new") view=|| view! { <shell::Console><fleet::create::CreateClusterPage /></shell::Console> } />
                <Route path=path!("/clusters/:id") view=|| view! { <shell::Console><cluster::overview::ClusterOverviewPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/nodes") view=|| view! { <shell::Console><cluster::nodes::ClusterNodesPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/endpoints") view=|| view! { <shell::Console><cluster::endpoints::ClusterEndpointsPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/parameters") view=|| view! { <shell::Console><cluster::parameters::ClusterParametersPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/backups") view=|| view! { <shell::Console><cluster::backups::ClusterBackupsPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/monitoring") view=|| view! { <shell::Console><cluster::monitoring::ClusterMonitoringPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/whitelists") view=|| view! { <shell::Console><cluster::whitelists::ClusterWhitelistsPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/tags") view=|| view! { <shell::Console><cluster::tags::ClusterTagsPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/ssl") view=|| view! { <shell::Console><cluster::ssl::ClusterSslPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/accounts") view=|| view! { <shell::Console><cluster::accounts::ClusterDbAccountsPage /></shell::Console> } />
                <Route path=path!("/clusters/:id/databases") view=|| view! { <shell::Console><cluster::databases::ClusterDatabasesPage /></shell::Console> } />
                // Any other tab: not found (specific routes go above this one).
                <Route path=path!("/clusters/:id/:tab") view=|| view! { <shell::Console><kit::NotFound /></shell::Console> } />
                <Route path=path!("/tags") view=|| view! { <shell::Console><fleet::tags::TagsPage /></shell::Console> } />
                <Route path=path!("/events") view=|| view! { <shell::Console><fleet::events::EventsPage /></shell::Console> } />
                <Route path=path!("/tasks") view=|| view! { <shell::Console><fleet::tasks::TasksPage /></shell::Console> } />
                <Route path=path!("/backups/released") view=|| view! { <shell::Console><fleet::released::ReleasedBackupsPage /></shell::Console> } />
                <Route path=path!("/audit") view=|| view! { <shell::Console><admin::audit::AuditPage /></shell::Console> } />
                <Route path=path!("/settings/accounts") view=|| view! { <shell::Console><admin::cloud_accounts::CloudAccountsPage /></shell::Console> } />
                <Route path=path!("/settings") view=|| view! { <shell::Console><admin::settings::SettingsPage /></shell::Console> } />
                <Route path=path!("/settings/password") view=|| view! { <shell::Console><admin::settings::PasswordPage /></shell::Console> } />
                <Route path=path!("/settings/users") view=|| view! { <shell::Console><admin::settings::UsersPage /></shell::Console> } />
                <Route path=path!("/settings/roles") view=|| view! { <shell::Console><admin::settings::RolesPage /></shell::Console> } />
            </Routes>
        </Router>
    }
}

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
