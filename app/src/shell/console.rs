//! The console's frame: top bar (product, cloud account and region menus, user), left
//! navigation, content area.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{console_context, SetCollectChanges, SignOut};
use crate::kit::with_scope;
use crate::AppError;

#[component]
pub fn Console() -> impl IntoView {
    let ctx = Resource::new(|| (), |_| console_context());
    let query = use_query_map();
    let account = move || query.read().get("account").unwrap_or_default();
    let region = move || query.read().get("region").unwrap_or_default();
    let navigate = use_navigate();
    let navigate2 = navigate.clone();
    let path = move || {
        let p = use_location().pathname.get();
        if p == "/" {
            "/clusters".to_string()
        } else {
            p
        }
    };
    let sign_out = ServerAction::<SignOut>::new();
    // "Collect changes": writes are kept in a draft change instead of sent.
    let collect = ServerAction::<SetCollectChanges>::new();
    Effect::new(move |_| {
        if collect.version().get() > 0 {
            ctx.refetch();
        }
    });

    view! {
        <div class="console">
            <header class="topbar">
                <a class="brand" href="/clusters">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    "Polar Console"
                </a>
                <Transition fallback=|| view! { <span class="topbar-loading">"…"</span> }>
                    {move || {
                        let navigate = navigate.clone();
                        let navigate2 = navigate2.clone();
                        Suspend::new(async move {
                        match ctx.await {
                            Ok(c) => {
                                let accounts = c.accounts.clone();
                                let regions = c.regions.clone();
                                let nav_a = navigate.clone();
                                let nav_r = navigate2.clone();
                                view! {
                                    <form class="scope" method="get" action="/clusters">
                                        <label class="scope-item">
                                            <span>"Cloud account"</span>
                                            <select
                                                name="account"
                                                data-testid="account-menu"
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    nav_a(&with_scope(&path(), &v, &region()), NavigateOptions::default());
                                                }
                                            >
                                                <option value="" selected=move || account().is_empty()>"All accounts"</option>
                                                {accounts.into_iter().map(|a| {
                                                    let a2 = a.clone();
                                                    let label = a.clone();
                                                    view! { <option value=a selected=move || account() == a2>{label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="scope-item">
                                            <span>"Region"</span>
                                            <select
                                                name="region"
                                                data-testid="region-menu"
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    nav_r(&with_scope(&path(), &account(), &v), NavigateOptions::default());
                                                }
                                            >
                                                <option value="" selected=move || region().is_empty()>"All regions"</option>
                                                {regions.into_iter().map(|r| {
                                                    let r2 = r.clone();
                                                    let label = r.clone();
                                                    view! { <option value=r selected=move || region() == r2>{label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <noscript><button type="submit">"Apply"</button></noscript>
                                    </form>
                                    <div class="user">
                                        <span class="user-name" data-testid="user-name">{c.user.display_name.clone()}</span>
                                        <span class="user-role">{c.user.role.clone()}</span>
                                        {
                                            let on = c.user.collect_changes;
                                            view! {
                                                <ActionForm action=collect attr:class="inline">
                                                    <input type="hidden" name="on" value=if on { "false" } else { "true" } />
                                                    <button type="submit" class=if on { "collect-on" } else { "link" } data-testid="collect-toggle" aria-pressed=on.to_string()
                                                        title="While on, what you change is kept in a draft change instead of sent; ask for it on Changes — now, at a time or in the maintenance window.">
                                                        {if on { "Collecting changes · stop" } else { "Collect changes" }}
                                                    </button>
                                                </ActionForm>
                                            }
                                        }
                                        <ActionForm action=sign_out attr:class="inline">
                                            <button type="submit" class="link">"Sign out"</button>
                                        </ActionForm>
                                    </div>
                                }.into_any()
                            }
                            Err(AppError::Unauthenticated) => view! {
                                <a class="button" href="/signin" rel="external">"Sign in"</a>
                            }.into_any(),
                            Err(e) => view! { <span class="topbar-error">{e.to_string()}</span> }.into_any(),
                        }
                    })}}
                </Transition>
            </header>
            <nav class="sidenav" aria-label="Main">
                <A href="/clusters">"Clusters"</A>
                <A href="/tags">"Tags"</A>
                <A href="/events">"Pending events"</A>
                <A href="/tasks">"Scheduled tasks"</A>
                <A href="/changes">"Changes"</A>
                <A href="/renewals">"Renewals"</A>
                <A href="/backups/released">"Released backups"</A>
                <A href="/audit">"Audit trail"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <main class="content">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.await {
                            Ok(c) if c.user.collect_changes => view! {
                                <div class="collect-banner" role="status" data-testid="collect-banner">
                                    "Collecting changes: what you change on the pages is kept in a draft change, not sent. "
                                    <a href="/changes">"Ask for it on Changes"</a>
                                    " — now, at a time or in each cluster's maintenance window."
                                </div>
                            }.into_any(),
                            _ => ().into_any(),
                        }
                    })}
                </Transition>
                <Outlet />
            </main>
        </div>
    }
}
