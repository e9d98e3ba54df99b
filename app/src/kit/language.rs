//! The console's language (#19): the cookie that carries it, and the top bar's switch.
//! The server renders in the cookie's language (else the browser's Accept-Language); the
//! switch saves the choice with the user (so that signing in elsewhere brings it back),
//! sets the cookie and turns every string on the page at once.

use leptos::prelude::*;

use crate::api::SetLanguage;
use crate::i18n::{t, use_i18n, Locale};
use leptos_i18n::Locale as _;

/// The cookie holding the language in use (`en`, `zh`).
pub const COOKIE: &str = "polar_lang";

/// A year, for the language cookie (milliseconds, as the cookie options count).
const COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 3600 * 1000;

/// The language cookie: the whole site, a year.
pub fn cookie_options() -> leptos_i18n::context::CookieOptions<Locale> {
    leptos_i18n::context::CookieOptions::<Locale>::default()
        .path("/")
        .max_age(COOKIE_MAX_AGE_MS)
}

/// A language's name, in that language (so that it can be found whatever is shown now).
fn own_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::zh => "简体中文",
    }
}

/// The top bar's language menu: the page turns at once, and once the choice is saved it is
/// loaded again in that language. Without script it is a form that saves the choice and
/// reloads the page in it.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetLanguage>::new();
    // Saved: the page again, rendered in the new language, so that what the server wrote
    // (and what was worded when shown) is in it too.
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            let _ = window().location().reload();
        }
    });
    view! {
        <ActionForm action=save attr:class="inline language">
            <label class="scope-item">
                <span>{t!(i18n, shell.language)}</span>
                <select
                    name="language"
                    data-testid="language-menu"
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if let Some(locale) = Locale::get_all().iter().copied().find(|l| l.as_str() == code) {
                            // Every string turns now; the choice is saved with the user.
                            i18n.set_locale(locale);
                            save.dispatch(SetLanguage { language: code });
                        }
                    }
                >
                    {Locale::get_all().iter().copied().map(|l| view! {
                        <option value=l.as_str() selected=move || i18n.get_locale() == l>{own_name(l)}</option>
                    }).collect_view()}
                </select>
            </label>
            <noscript><button type="submit">{t!(i18n, shell.apply)}</button></noscript>
        </ActionForm>
    }
}
