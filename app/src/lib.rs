//! Polar Console's user interface (Leptos, server-side rendered and hydrated) and its
//! server functions. Server-only code lives behind the `ssr` feature; the browser build
//! uses `hydrate`. Never both.

#![recursion_limit = "256"]

pub mod admin_api;
pub mod api;
pub mod chart;
pub mod components;
pub mod error;
pub mod layout;
pub mod pages;
pub mod vault_api;

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
            <Routes fallback=|| view! { <pages::NotFound /> }>
                <Route path=path!("/signin") view=pages::signin::SignInPage />
                <Route path=path!("/") view=|| view! { <layout::Console><pages::clusters::ClustersPage /></layout::Console> } />
                <Route path=path!("/clusters") view=|| view! { <layout::Console><pages::clusters::ClustersPage /></layout::Console> } />
                <Route path=path!("/clusters/new") view=|| view! { <layout::Console><pages::create::CreateClusterPage /></layout::Console> } />
                <Route path=path!("/clusters/:id") view=|| view! { <layout::Console><pages::cluster::ClusterOverviewPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/nodes") view=|| view! { <layout::Console><pages::nodes::ClusterNodesPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/endpoints") view=|| view! { <layout::Console><pages::endpoints::ClusterEndpointsPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/parameters") view=|| view! { <layout::Console><pages::parameters::ClusterParametersPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/backups") view=|| view! { <layout::Console><pages::backups::ClusterBackupsPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/monitoring") view=|| view! { <layout::Console><pages::monitoring::ClusterMonitoringPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/whitelists") view=|| view! { <layout::Console><pages::whitelists::ClusterWhitelistsPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/tags") view=|| view! { <layout::Console><pages::tags::ClusterTagsPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/ssl") view=|| view! { <layout::Console><pages::ssl::ClusterSslPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/accounts") view=|| view! { <layout::Console><pages::db_accounts::ClusterDbAccountsPage /></layout::Console> } />
                <Route path=path!("/clusters/:id/databases") view=|| view! { <layout::Console><pages::databases::ClusterDatabasesPage /></layout::Console> } />
                // Sections whose issues are open (#6, #7, #8); specific routes go above this one.
                <Route path=path!("/clusters/:id/:tab") view=|| view! { <layout::Console><pages::cluster::ClusterSectionPage /></layout::Console> } />
                <Route path=path!("/tags") view=|| view! { <layout::Console><pages::tags::TagsPage /></layout::Console> } />
                <Route path=path!("/events") view=|| view! { <layout::Console><pages::events::EventsPage /></layout::Console> } />
                <Route path=path!("/tasks") view=|| view! { <layout::Console><pages::tasks::TasksPage /></layout::Console> } />
                <Route path=path!("/backups/released") view=|| view! { <layout::Console><pages::released::ReleasedBackupsPage /></layout::Console> } />
                <Route path=path!("/audit") view=|| view! { <layout::Console><pages::audit::AuditPage /></layout::Console> } />
                <Route path=path!("/settings/accounts") view=|| view! { <layout::Console><pages::accounts::CloudAccountsPage /></layout::Console> } />
                <Route path=path!("/settings") view=|| view! { <layout::Console><pages::settings::SettingsPage /></layout::Console> } />
                <Route path=path!("/settings/password") view=|| view! { <layout::Console><pages::settings::PasswordPage /></layout::Console> } />
                <Route path=path!("/settings/users") view=|| view! { <layout::Console><pages::settings::UsersPage /></layout::Console> } />
                <Route path=path!("/settings/roles") view=|| view! { <layout::Console><pages::settings::RolesPage /></layout::Console> } />
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
