//! Polar Console's user interface (Leptos, server-side rendered and hydrated) and its
//! server functions. Server-only code lives behind the `ssr` feature; the browser build
//! uses `hydrate`. Never both.

#![recursion_limit = "256"]

pub mod admin;
pub mod api;
#[cfg(feature = "ssr")]
pub mod call;
#[cfg(test)]
mod catalogue;
pub mod changes;
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
use leptos_router::{path, Lazy};

pub use error::AppError;

// The translations (#19), compiled by build.rs from `locales/`: `i18n::Locale`, `use_i18n`,
// `t!`, the `I18nContextProvider`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Every page is a lazy route: its code is a chunk of the browser's wasm of its own
/// (`scripts/build.sh` splits it; the server preloads the chunk of the page it renders), so
/// a first load carries the shell and the page asked for, and opening another page or tab
/// loads only that page's chunk. The page's resources start when its view runs.
/// Counts one more hydrated lazy page on `<html data-hydrated>` (effects run only in the
/// browser, after hydration).
fn mark_hydrated() {
    if let Some(root) = document().document_element() {
        let n = root
            .get_attribute("data-hydrated")
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        let _ = root.set_attribute("data-hydrated", &(n + 1).to_string());
    }
}

macro_rules! lazy_pages {
    ($($route:ident => $page:path,)*) => {$(
        struct $route;
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(_this: Self) -> AnyView {
                // Once this page has hydrated in the browser: `<html data-hydrated>`
                // counts the lazy pages hydrated so far (browser tests wait for it).
                Effect::new(|_| mark_hydrated());
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    SignInRoute => shell::signin::SignInPage,
    ClustersRoute => fleet::clusters::ClustersPage,
    CreateClusterRoute => fleet::create::CreateClusterPage,
    ClusterFrameRoute => cluster::frame::ClusterFrame,
    ClusterOverviewRoute => cluster::overview::ClusterOverviewPage,
    ClusterNodesRoute => cluster::nodes::ClusterNodesPage,
    ClusterEndpointsRoute => cluster::endpoints::ClusterEndpointsPage,
    ClusterParametersRoute => cluster::parameters::ClusterParametersPage,
    ClusterWhitelistsRoute => cluster::whitelists::ClusterWhitelistsPage,
    ClusterSslRoute => cluster::ssl::ClusterSslPage,
    ClusterDbAccountsRoute => cluster::accounts::ClusterDbAccountsPage,
    ClusterDatabasesRoute => cluster::databases::ClusterDatabasesPage,
    ClusterBackupsRoute => cluster::backups::ClusterBackupsPage,
    ClusterMonitoringRoute => cluster::monitoring::ClusterMonitoringPage,
    ClusterTagsRoute => cluster::tags::ClusterTagsPage,
    TagsRoute => fleet::tags::TagsPage,
    EventsRoute => fleet::events::EventsPage,
    TasksRoute => fleet::tasks::TasksPage,
    ReleasedBackupsRoute => fleet::released::ReleasedBackupsPage,
    RenewalsRoute => fleet::renewals::RenewalsPage,
    AuditRoute => admin::audit::AuditPage,
    SettingsRoute => admin::settings::SettingsPage,
    CloudAccountsRoute => admin::cloud_accounts::CloudAccountsPage,
    NotificationsRoute => admin::notifications::NotificationsPage,
    PasswordRoute => admin::settings::PasswordPage,
    UsersRoute => admin::users::UsersPage,
    RolesRoute => admin::settings::RolesPage,
    ApprovalsRoute => admin::approvals::ApprovalsPage,
    ChangesRoute => changes::page::ChangesPage,
    ChangeRoute => changes::page::ChangePage,
    FleetChangeRoute => changes::fleet::FleetChangePage,
}

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // `lang` (and `dir`) are set by the i18n context from the language in use.
        <html>
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
        // The language: the `polar_lang` cookie (the user's choice, set when they choose it
        // and when they sign in), else the browser's Accept-Language, else English. The
        // server decides; the browser hydrates in the same language.
        <i18n::I18nContextProvider
            cookie_name=kit::language::COOKIE
            cookie_options=kit::language::cookie_options()
        >
            <Pages />
        </i18n::I18nContextProvider>
    }
}

#[component]
fn Pages() -> impl IntoView {
    // Times in the user's time zone (#19): its cookie decides, on the server and in the
    // browser alike.
    kit::time::provide_zone();
    view! {
        <Stylesheet id="polar" href="/pkg/polar-console.css" />
        <Title formatter=|t: String| format!("{t} · Polar Console") />
        <Router>
            <Routes fallback=|| view! { <kit::NotFound /> }>
                <Route path=path!("/signin") view={Lazy::<SignInRoute>::new()} />
                // The console's frame stays while the user moves between its pages.
                <ParentRoute path=path!("") view=shell::Console>
                    <Route path=path!("/") view={Lazy::<ClustersRoute>::new()} />
                    <Route path=path!("/clusters") view={Lazy::<ClustersRoute>::new()} />
                    <Route path=path!("/clusters/new") view={Lazy::<CreateClusterRoute>::new()} />
                    // One cluster: the frame reads it once; each tab is a child route.
                    <ParentRoute path=path!("/clusters/:id") view={Lazy::<ClusterFrameRoute>::new()}>
                        <Route path=path!("") view={Lazy::<ClusterOverviewRoute>::new()} />
                        <Route path=path!("nodes") view={Lazy::<ClusterNodesRoute>::new()} />
                        <Route path=path!("endpoints") view={Lazy::<ClusterEndpointsRoute>::new()} />
                        <Route path=path!("parameters") view={Lazy::<ClusterParametersRoute>::new()} />
                        <Route path=path!("whitelists") view={Lazy::<ClusterWhitelistsRoute>::new()} />
                        <Route path=path!("ssl") view={Lazy::<ClusterSslRoute>::new()} />
                        <Route path=path!("accounts") view={Lazy::<ClusterDbAccountsRoute>::new()} />
                        <Route path=path!("databases") view={Lazy::<ClusterDatabasesRoute>::new()} />
                        <Route path=path!("backups") view={Lazy::<ClusterBackupsRoute>::new()} />
                        <Route path=path!("monitoring") view={Lazy::<ClusterMonitoringRoute>::new()} />
                        <Route path=path!("tags") view={Lazy::<ClusterTagsRoute>::new()} />
                        // Any other tab: not found.
                        <Route path=path!(":tab") view=kit::NotFound />
                    </ParentRoute>
                    <Route path=path!("/tags") view={Lazy::<TagsRoute>::new()} />
                    <Route path=path!("/events") view={Lazy::<EventsRoute>::new()} />
                    <Route path=path!("/tasks") view={Lazy::<TasksRoute>::new()} />
                    <Route path=path!("/backups/released") view={Lazy::<ReleasedBackupsRoute>::new()} />
                    <Route path=path!("/renewals") view={Lazy::<RenewalsRoute>::new()} />
                    <Route path=path!("/changes") view={Lazy::<ChangesRoute>::new()} />
                    <Route path=path!("/changes/new") view={Lazy::<FleetChangeRoute>::new()} />
                    <Route path=path!("/changes/:id") view={Lazy::<ChangeRoute>::new()} />
                    <Route path=path!("/audit") view={Lazy::<AuditRoute>::new()} />
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
                    <Route path=path!("/settings/accounts") view={Lazy::<CloudAccountsRoute>::new()} />
                    <Route path=path!("/settings/notifications") view={Lazy::<NotificationsRoute>::new()} />
                    <Route path=path!("/settings/password") view={Lazy::<PasswordRoute>::new()} />
                    <Route path=path!("/settings/users") view={Lazy::<UsersRoute>::new()} />
                    <Route path=path!("/settings/roles") view={Lazy::<RolesRoute>::new()} />
                    <Route path=path!("/settings/approvals") view={Lazy::<ApprovalsRoute>::new()} />
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
    // Lazy routes: their chunks load before the parts of the page they render hydrate.
    leptos::mount::hydrate_lazy(App);
}
