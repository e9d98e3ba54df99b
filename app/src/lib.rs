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
use leptos_router::components::{ParentRoute, Route, Router, Routes};
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
                // The console's frame stays while the user moves between its pages.
                <ParentRoute path=path!("") view=shell::Console>
                    <Route path=path!("/") view=fleet::clusters::ClustersPage />
                    <Route path=path!("/clusters") view=fleet::clusters::ClustersPage />
                    <Route path=path!("/clusters/new") view=fleet::create::CreateClusterPage />
                    // One cluster: the frame reads it once; each tab is a child route.
                    <ParentRoute path=path!("/clusters/:id") view=cluster::frame::ClusterFrame>
                        <Route path=path!("") view=cluster::overview::ClusterOverviewPage />
                        <Route path=path!("nodes") view=cluster::nodes::ClusterNodesPage />
                        <Route path=path!("endpoints") view=cluster::endpoints::ClusterEndpointsPage />
                        <Route path=path!("parameters") view=cluster::parameters::ClusterParametersPage />
                        <Route path=path!("whitelists") view=cluster::whitelists::ClusterWhitelistsPage />
                        <Route path=path!("ssl") view=cluster::ssl::ClusterSslPage />
                        <Route path=path!("accounts") view=cluster::accounts::ClusterDbAccountsPage />
                        <Route path=path!("databases") view=cluster::databases::ClusterDatabasesPage />
                        <Route path=path!("backups") view=cluster::backups::ClusterBackupsPage />
                        <Route path=path!("monitoring") view=cluster::monitoring::ClusterMonitoringPage />
                        <Route path=path!("tags") view=cluster::tags::ClusterTagsPage />
                        // Any other tab: not found.
                        <Route path=path!(":tab") view=kit::NotFound />
                    </ParentRoute>
                    <Route path=path!("/tags") view=fleet::tags::TagsPage />
                    <Route path=path!("/events") view=fleet::events::EventsPage />
                    <Route path=path!("/tasks") view=fleet::tasks::TasksPage />
                    <Route path=path!("/backups/released") view=fleet::released::ReleasedBackupsPage />
                    <Route path=path!("/audit") view=admin::audit::AuditPage />
                    <Route path=path!("/settings") view=admin::settings::SettingsPage />
                    <Route path=path!("/settings/accounts") view=admin::cloud_accounts::CloudAccountsPage />
                    <Route path=path!("/settings/password") view=admin::settings::PasswordPage />
                    <Route path=path!("/settings/users") view=admin::settings::UsersPage />
                    <Route path=path!("/settings/roles") view=admin::settings::RolesPage />
                </ParentRoute>
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
