//! One module a page.

pub mod accounts;
pub mod audit;
pub mod backups;
pub mod cluster;
pub mod clusters;
pub mod create;
pub mod databases;
pub mod db_accounts;
pub mod endpoints;
pub mod events;
pub mod monitoring;
pub mod nodes;
pub mod parameters;
pub mod released;
pub mod settings;
pub mod signin;
pub mod ssl;
pub mod tags;
pub mod tasks;
pub mod whitelists;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::Empty;

/// A section whose issue is still open: says so plainly instead of pretending.
#[component]
pub fn Later(#[prop(into)] title: String, issue: u32) -> impl IntoView {
    view! {
        <Title text=title.clone() />
        <h1>{title.clone()}</h1>
        <Empty title=format!("{title} is not available yet.") hint=format!("Tracked in issue #{issue}.") />
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <main class="narrow">
            <h1>"Not found"</h1>
            <p>"There is no page at this address."</p>
            <a href="/clusters">"Back to clusters"</a>
        </main>
    }
}
