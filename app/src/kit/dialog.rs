//! One modal dialog for every confirmation and form that opens over a page.
//!
//! A backdrop and a surface (`role="dialog"`, `aria-modal`, labelled by its title), the
//! body, and a footer for the buttons. Opening it moves the focus inside (to the element
//! marked `data-autofocus`, else the first one that takes focus); Tab and Shift-Tab stay
//! inside; Escape closes it; closing it gives the focus back to where it was.
//!
//! ```ignore
//! <Dialog title_id="node-confirm-title" title=title testid="confirm-dialog" on_close=move || confirm.set(None)>
//!     <p>{body}</p>
//!     <DialogFooter slot>
//!         <button type="button" data-autofocus on:click=…>"Cancel"</button>
//!         …
//!     </DialogFooter>
//! </Dialog>
//! ```
//!
//! A dialog whose buttons submit a form puts [`DialogActions`] at the end of its form
//! instead of the footer, so the submit button stays inside the form.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement, KeyboardEvent};

/// The dialog's buttons, shown under its body.
#[slot]
pub struct DialogFooter {
    children: Children,
}

/// A modal dialog; see the module's text.
#[component]
pub fn Dialog(
    /// The id of the title, which labels the dialog.
    title_id: &'static str,
    /// The title, a question or what the form does.
    #[prop(into)]
    title: String,
    /// The dialog's `data-testid`.
    testid: &'static str,
    /// Closes the dialog (Escape; the cancel button calls it too).
    #[prop(into)]
    on_close: Callback<()>,
    /// The buttons.
    #[prop(optional)]
    dialog_footer: Option<DialogFooter>,
    children: Children,
) -> impl IntoView {
    let surface = NodeRef::<leptos::html::Div>::new();
    // Where the focus was when the dialog opened; set in the browser only.
    let before = StoredValue::new_local(None::<Element>);
    Effect::new(move |_| {
        let Some(el) = surface.get() else { return };
        if before.with_value(Option::is_none) {
            before.set_value(document().active_element());
        }
        let target = el
            .query_selector("[data-autofocus]")
            .ok()
            .flatten()
            .or_else(|| focusables(&el).into_iter().next());
        focus(target.as_ref());
    });
    on_cleanup(move || {
        let back = before.try_update_value(Option::take).flatten();
        if let Some(back) = back.filter(|b| b.is_connected()) {
            focus(Some(&back));
        }
    });
    let keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => on_close.run(()),
        "Tab" => {
            let Some(el) = surface.get_untracked() else {
                return;
            };
            let items = focusables(&el);
            let active = document().active_element();
            let current = active.and_then(|a| items.iter().position(|i| *i == a));
            if let Some(next) = trap_target(items.len(), current, ev.shift_key()) {
                ev.prevent_default();
                focus(items.get(next));
            }
        }
        _ => {}
    };
    view! {
        <div class="modal-backdrop" on:keydown=keydown>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby=title_id data-testid=testid node_ref=surface>
                <h2 id=title_id>{title}</h2>
                {children()}
                {dialog_footer.map(|f| view! { <DialogActions>{(f.children)()}</DialogActions> })}
            </div>
        </div>
    }
}

/// A confirmation: a [`Dialog`] whose footer is "Cancel" (focused on open; by default
/// `data-testid="cancel-confirm"`) and the button that sends the change (by default
/// `data-testid="confirm-action"`, "Sending…" while pending).
#[component]
pub fn ConfirmDialog(
    /// The id of the title, which labels the dialog.
    title_id: &'static str,
    /// The question.
    #[prop(into)]
    title: String,
    /// The dialog's `data-testid`.
    #[prop(default = "confirm-dialog")]
    testid: &'static str,
    /// Closes the dialog without sending.
    #[prop(into)]
    on_close: Callback<()>,
    /// Sends the change.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// Whether the change is under way.
    #[prop(into)]
    pending: Signal<bool>,
    /// The sending button's words.
    button: &'static str,
    /// A change that loses something (red button); else the primary colour.
    #[prop(default = true)]
    danger: bool,
    /// Whether the change cannot be sent yet (besides while pending).
    #[prop(optional, into)]
    blocked: Signal<bool>,
    /// The sending button's words while pending ("Sending…" in the language in use).
    #[prop(optional)]
    sending: Option<&'static str>,
    /// The cancel button's words ("Cancel" in the language in use).
    #[prop(optional)]
    cancel: Option<&'static str>,
    /// The cancel button's `data-testid`.
    #[prop(default = "cancel-confirm")]
    cancel_testid: &'static str,
    /// The sending button's `data-testid`.
    #[prop(default = "confirm-action")]
    confirm_testid: &'static str,
    /// What happens, and the error of the last try.
    children: Children,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let cancel = move || cancel.unwrap_or_else(|| crate::i18n::t_string!(i18n, kit.cancel));
    let sending = move || sending.unwrap_or_else(|| crate::i18n::t_string!(i18n, kit.sending));
    view! {
        <Dialog title_id=title_id title=title testid=testid on_close=on_close>
            {children()}
            <DialogFooter slot>
                <button type="button" class="small" data-testid=cancel_testid data-autofocus
                    on:click=move |_| on_close.run(())>{cancel}</button>
                <button type="button" class="small solid" class:danger=danger class:primary-small=!danger data-testid=confirm_testid
                    disabled=move || pending.get() || blocked.get() on:click=move |_| on_confirm.run(())>
                    {move || if pending.get() { sending() } else { button }}
                </button>
            </DialogFooter>
        </Dialog>
    }
}

/// The row of a dialog's buttons, for a dialog whose buttons belong to its form.
#[component]
pub fn DialogActions(children: Children) -> impl IntoView {
    view! { <div class="modal-actions">{children()}</div> }
}

fn focus(el: Option<&Element>) {
    if let Some(el) = el.and_then(|e| e.dyn_ref::<HtmlElement>()) {
        let _ = el.focus();
    }
}

/// The elements inside `root` that Tab stops at, in document order.
fn focusables(root: &Element) -> Vec<Element> {
    let mut out = Vec::new();
    let mut next = root.first_element_child();
    while let Some(el) = next {
        let tag = el.tag_name().to_ascii_lowercase();
        if takes_focus(
            &tag,
            el.has_attribute("disabled"),
            el.get_attribute("type").as_deref(),
            el.has_attribute("href"),
            el.get_attribute("tabindex").as_deref(),
        ) {
            out.push(el.clone());
        }
        out.extend(focusables(&el));
        next = el.next_element_sibling();
    }
    out
}

/// Whether Tab stops at an element with this tag (lower case) and these attributes.
fn takes_focus(
    tag: &str,
    disabled: bool,
    kind: Option<&str>,
    href: bool,
    tabindex: Option<&str>,
) -> bool {
    match tabindex.map(str::trim) {
        Some(t) if t.starts_with('-') => return false,
        Some(_) if !disabled => return true,
        _ => {}
    }
    match tag {
        "button" | "select" | "textarea" => !disabled,
        "input" => !disabled && kind != Some("hidden"),
        "a" => href,
        _ => false,
    }
}

/// Where Tab (or Shift-Tab when `backwards`) must send the focus to stay among `count`
/// elements, the focus being on the `current`th: the other end from the first or last,
/// the first or last from outside them; `None` where the browser's own move stays inside.
fn trap_target(count: usize, current: Option<usize>, backwards: bool) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let last = count - 1;
    match (current, backwards) {
        (None, false) => Some(0),
        (None, true) => Some(last),
        (Some(i), false) if i >= last => Some(0),
        (Some(0), true) => Some(last),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_wraps_at_both_ends_and_comes_back_from_outside() {
        assert_eq!(trap_target(3, Some(0), false), None);
        assert_eq!(trap_target(3, Some(1), false), None);
        assert_eq!(trap_target(3, Some(2), false), Some(0));
        assert_eq!(trap_target(3, Some(0), true), Some(2));
        assert_eq!(trap_target(3, Some(2), true), None);
        assert_eq!(trap_target(3, None, false), Some(0));
        assert_eq!(trap_target(3, None, true), Some(2));
        assert_eq!(trap_target(1, Some(0), false), Some(0));
        assert_eq!(trap_target(1, Some(0), true), Some(0));
        assert_eq!(trap_target(0, None, false), None);
    }

    #[test]
    fn tab_stops_at_enabled_controls_and_links() {
        assert!(takes_focus("button", false, None, false, None));
        assert!(!takes_focus("button", true, None, false, None));
        assert!(takes_focus("input", false, Some("text"), false, None));
        assert!(!takes_focus("input", false, Some("hidden"), false, None));
        assert!(takes_focus("select", false, None, false, None));
        assert!(takes_focus("a", false, None, true, None));
        assert!(!takes_focus("a", false, None, false, None));
        assert!(!takes_focus("p", false, None, false, None));
        assert!(takes_focus("div", false, None, false, Some("0")));
        assert!(!takes_focus("button", false, None, false, Some("-1")));
    }
}
