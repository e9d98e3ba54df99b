//! Before the wasm arrives the page is the server's HTML: a control that needs the wasm is
//! disabled until the page is interactive, and its title says so, rather than doing
//! nothing when used.

use leptos::prelude::*;

/// The title of a control that needs the page to be interactive, until it is (English;
/// [`waiting`] says it in the language in use).
pub const UNTIL_INTERACTIVE: &str = "Available once the page has loaded.";

/// [`UNTIL_INTERACTIVE`] in the language in use.
pub fn until_interactive() -> &'static str {
    crate::i18n::td_string!(super::words::locale(), kit.until_interactive)
}

/// `true` once the page is interactive (this component has run in the browser).
pub fn use_hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

/// The title saying why a control is disabled before the page is interactive; `None`
/// after. A control disabled for other reasons too adds its own: `waiting(h).or(…)`.
pub fn waiting(hydrated: RwSignal<bool>) -> Option<&'static str> {
    (!hydrated.get()).then(until_interactive)
}
