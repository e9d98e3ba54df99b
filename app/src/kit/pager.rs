//! Previous / next buttons and where the list is, for a list read a page at a time (or a
//! data table's pages). Pages count from 1. Before the page is interactive the buttons are
//! disabled and say why.

use leptos::prelude::*;

use super::ready::{use_hydrated, waiting};
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn Pager(
    /// The page shown, from 1.
    #[prop(into)]
    page: Signal<u32>,
    #[prop(into)] pages: Signal<u32>,
    /// Called with the page to show.
    on_page: Callback<u32>,
    /// What the pages are of, for assistive technology: "Backup pages".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let first = move || page.get() <= 1;
    let last = move || page.get() >= pages.get();
    view! {
        <nav class="pager" aria-label=label data-testid="table-pager">
            <button type="button" class="small" data-testid="page-prev"
                disabled=move || !hydrated.get() || first()
                title=move || waiting(hydrated).or(first().then(|| t_string!(i18n, kit.first_page)))
                on:click=move |_| on_page.run(page.get_untracked().saturating_sub(1).max(1))>{t!(i18n, kit.previous)}</button>
            <span class="muted" data-testid="page-info">{move || t_string!(i18n, kit.page_of, page = page.get(), pages = pages.get()).to_string()}</span>
            <button type="button" class="small" data-testid="page-next"
                disabled=move || !hydrated.get() || last()
                title=move || waiting(hydrated).or(last().then(|| t_string!(i18n, kit.last_page)))
                on:click=move |_| on_page.run(page.get_untracked() + 1)>{t!(i18n, kit.next)}</button>
        </nav>
    }
}
