//! The console's frame: top bar (product, cloud account and region menus, user), left
//! navigation, content area.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{console_context, SetCollectChanges, SignOut};
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::language::LanguageSwitch;
use crate::kit::with_scope;
use crate::AppError;

#[component]
pub fn Console() -> impl IntoView {
    let i18n = use_i18n();
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
                    {t!(i18n, shell.product)}
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
                                            <span>{t!(i18n, shell.cloud_account)}</span>
                                            <select
                                                name="account"
                                                data-testid="account-menu"
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    nav_a(&with_scope(&path(), &v, &region()), NavigateOptions::default());
                                                }
                                            >
                                                <option value="" selected=move || account().is_empty()>{t!(i18n, shell.all_accounts)}</option>
                                                {accounts.into_iter().map(|a| {
                                                    let a2 = a.clone();
                                                    let label = a.clone();
                                                    view! { <option value=a selected=move || account() == a2>{label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="scope-item">
                                            <span>{t!(i18n, shell.region)}</span>
                                            <select
                                                name="region"
                                                data-testid="region-menu"
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    nav_r(&with_scope(&path(), &account(), &v), NavigateOptions::default());
                                                }
                                            >
                                                <option value="" selected=move || region().is_empty()>{t!(i18n, shell.all_regions)}</option>
                                                {regions.into_iter().map(|r| {
                                                    let r2 = r.clone();
                                                    let label = r.clone();
                                                    view! { <option value=r selected=move || region() == r2>{label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <noscript><button type="submit">{t!(i18n, shell.apply)}</button></noscript>
                                    </form>
                                    <div class="user">
                                        <span class="user-name" data-testid="user-name">{c.user.display_name.clone()}</span>
                                        <span class="user-role">{
                                            // A built-in role by its name in the language; a custom role's name as given.
                                            let role = c.user.role.clone();
                                            move || match role.as_str() {
                                                "viewer" => t_string!(i18n, shell.role_viewer).to_string(),
                                                "operator" => t_string!(i18n, shell.role_operator).to_string(),
                                                "admin" => t_string!(i18n, shell.role_admin).to_string(),
                                                custom => custom.to_string(),
                                            }
                                        }</span>
                                        {
                                            let on = c.user.collect_changes;
                                            view! {
                                                <ActionForm action=collect attr:class="inline">
                                                    <input type="hidden" name="on" value=if on { "false" } else { "true" } />
                                                    <button type="submit" class=if on { "collect-on" } else { "link" } data-testid="collect-toggle" aria-pressed=on.to_string()
                                                        title=move || t_string!(i18n, shell.collect_hint)>
                                                        {move || if on { t_string!(i18n, shell.collecting_stop) } else { t_string!(i18n, shell.collect_changes) }}
                                                    </button>
                                                </ActionForm>
                                            }
                                        }
                                        <LanguageSwitch />
                                        <ActionForm action=sign_out attr:class="inline">
                                            <button type="submit" class="link">{t!(i18n, shell.sign_out)}</button>
                                        </ActionForm>
                                    </div>
                                }.into_any()
                            }
                            Err(AppError::Unauthenticated) => view! {
                                <a class="button" href="/signin" rel="external">{t!(i18n, shell.sign_in)}</a>
                            }.into_any(),
                            Err(e) => view! { <span class="topbar-error">{e.to_string()}</span> }.into_any(),
                        }
                    })}}
                </Transition>
            </header>
            <nav class="sidenav" aria-label=move || t_string!(i18n, shell.main_navigation)>
                <A href="/clusters">{t!(i18n, shell.nav_clusters)}</A>
                <A href="/tags">{t!(i18n, shell.nav_tags)}</A>
                <A href="/events">{t!(i18n, shell.nav_events)}</A>
                <A href="/tasks">{t!(i18n, shell.nav_tasks)}</A>
                <A href="/changes">{t!(i18n, shell.nav_changes)}</A>
                <A href="/renewals">{t!(i18n, shell.nav_renewals)}</A>
                <A href="/backups/released">{t!(i18n, shell.nav_released_backups)}</A>
                <A href="/audit">{t!(i18n, shell.nav_audit)}</A>
                <A href="/settings">{t!(i18n, shell.nav_settings)}</A>
            </nav>
            <main class="content">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.await {
                            Ok(c) if c.user.collect_changes => view! {
                                <div class="collect-banner" role="status" data-testid="collect-banner">
                                    {t!(i18n, shell.collect_banner)}" "
                                    <a href="/changes">{t!(i18n, shell.collect_banner_link)}</a>
                                    " "{t!(i18n, shell.collect_banner_rest)}
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
