//! Focus handling for dialogs.

use leptos::prelude::*;

/// Moves the focus into a dialog once it is on the page (Escape then closes it).
pub fn focus_when_mounted<E>(node: NodeRef<E>)
where
    E: leptos::html::ElementType + 'static,
    E::Output: leptos::wasm_bindgen::JsCast + Clone + 'static,
    NodeRef<E>: Get<Value = Option<E::Output>>,
{
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            use leptos::wasm_bindgen::JsCast;
            if let Some(el) = el.dyn_ref::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}
