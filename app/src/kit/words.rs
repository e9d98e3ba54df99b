//! Enumerations of the API (cluster and node states, engines, billing methods, node roles,
//! editions, storage types…) as words in the language in use (#19), from the catalogue
//! `locales/<language>/api_words.json` (keyed by the API's code). Areas show an API code
//! through [`api_word`]; a code the catalogue does not know is shown as it is.

use crate::i18n::Locale;
use leptos_i18n::Locale as _;

mod table {
    include!(concat!(env!("OUT_DIR"), "/api_words.rs"));
}

mod errors {
    include!(concat!(env!("OUT_DIR"), "/api_errors.rs"));
}

/// The language in use: the i18n context's (tracked: inside a reactive closure, what uses
/// it follows the language), else the request's on the server, else English.
pub fn locale() -> Locale {
    if let Some(i18n) = leptos::prelude::use_context::<leptos_i18n::I18nContext<Locale>>() {
        return i18n.get_locale();
    }
    #[cfg(feature = "ssr")]
    {
        crate::api::ssr::request_locale()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Locale::default()
    }
}

/// The word for an API enumeration code in the language in use.
pub fn api_word(code: &str) -> String {
    api_word_in(locale(), code)
}

/// [`api_word`] in a given language (server functions: `crate::api::ssr::request_locale`).
pub fn api_word_in(locale: Locale, code: &str) -> String {
    table::lookup(locale.as_str(), code)
        .map(str::to_string)
        .unwrap_or_else(|| code.to_string())
}

/// The word for a code of one enumeration whose codes mean something else in another
/// (`kind/code` in the catalogue, e.g. `account/Normal`), else [`api_word`].
pub fn api_word_of(kind: &str, code: &str) -> String {
    let locale = locale();
    table::lookup(locale.as_str(), &format!("{kind}/{code}"))
        .map(str::to_string)
        .unwrap_or_else(|| api_word_in(locale, code))
}

/// The catalogue's explanation of an API error code (the reference's client error table,
/// 19.1) in a language: the code itself, else its pattern (`Invalid<Parameter>.Malformed`).
pub fn api_error_explanation(locale: Locale, code: &str) -> Option<&'static str> {
    let language = locale.as_str();
    errors::lookup(language, code).or_else(|| {
        let rest = code.strip_prefix("Invalid")?;
        let (_, suffix) = rest.split_once('.')?;
        errors::lookup(language, &format!("Invalid*.{suffix}"))
    })
}

/// A role's name in the language in use: the built-in roles' words, the others as their
/// administrators named them.
pub fn role_word(name: &str) -> String {
    use crate::i18n::td_string;
    let locale = locale();
    match name {
        "viewer" => td_string!(locale, shell.role_viewer).to_string(),
        "operator" => td_string!(locale, shell.role_operator).to_string(),
        "admin" => td_string!(locale, shell.role_admin).to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_words_in_both_languages() {
        assert_eq!(api_word_in(Locale::zh, "Running"), "运行中");
        assert_eq!(
            api_word_in(Locale::en, "ClassChanging"),
            "Changing node class"
        );
        assert_eq!(api_word_in(Locale::zh, "Postpaid"), "按量付费");
        // A code the catalogue does not know is shown as the API gave it.
        assert_eq!(api_word_in(Locale::zh, "SomethingNew"), "SomethingNew");
    }

    #[test]
    fn error_codes_of_the_reference_are_explained() {
        assert!(
            api_error_explanation(Locale::zh, "InvalidDBClusterId.NotFound")
                .is_some_and(|w| w.contains("集群"))
        );
        assert!(api_error_explanation(Locale::en, "OperationDenied.DBClusterStatus").is_some());
        // The table's patterns: `Invalid<parameter name>.Malformed`.
        assert_eq!(
            api_error_explanation(Locale::en, "InvalidDescription.Malformed"),
            api_error_explanation(Locale::en, "Invalid*.Malformed")
        );
        assert!(api_error_explanation(Locale::en, "Invalid*.Malformed").is_some());
        assert_eq!(api_error_explanation(Locale::en, "NoSuchCode"), None);
    }
}
