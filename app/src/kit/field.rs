//! A form's field row: its label, the control, and under it the line that says what is
//! wrong with the value as it is typed, or else the rule the value follows.
//!
//! ```ignore
//! <Field label="Port" testid="address-port-problem"
//!     problem=Signal::derive(move || port_problem_now().map(|p| problem_line("Port", &p)))
//!     hint="3000–5999.">
//!     <input type="text" … />
//! </Field>
//! ```

use leptos::prelude::*;

use super::format::capitalise;

/// A labelled control with its hint line; see the module's text.
#[component]
pub fn Field(
    /// What the control holds.
    #[prop(into)]
    label: Signal<String>,
    /// The hint line's `data-testid` (none when empty).
    #[prop(default = "")]
    testid: &'static str,
    /// What is wrong with the value, a sentence (see [`problem_line`]); `None` while it is fine.
    #[prop(into)]
    problem: Signal<Option<String>>,
    /// The rule the value follows, shown while there is no problem.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            {children()}
            <FieldHint testid=testid problem=problem hint=hint tag=HintTag::Span />
        </label>
    }
}

/// The element a hint line is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HintTag {
    /// A paragraph of its own, under a label or a row of controls.
    #[default]
    P,
    /// Inside the label, under its control.
    Span,
}

/// A hint line on its own: the problem, in the error's colour, or the rule, muted.
#[component]
pub fn FieldHint(
    /// The line's `data-testid` (none when empty).
    #[prop(default = "")]
    testid: &'static str,
    /// What is wrong, a sentence; `None` while the value is fine.
    #[prop(into)]
    problem: Signal<Option<String>>,
    /// The rule, shown while there is no problem.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    /// A paragraph (the default) or a span inside a label.
    #[prop(optional)]
    tag: HintTag,
) -> impl IntoView {
    let testid = (!testid.is_empty()).then_some(testid);
    let line = move || {
        hint_line(problem.get(), hint.get()).map(|(is_problem, text)| {
            if is_problem {
                view! { <span class="field-error">{text}</span> }.into_any()
            } else {
                view! { <span class="muted">{text}</span> }.into_any()
            }
        })
    };
    match tag {
        HintTag::P => view! { <p class="field-hint" data-testid=testid>{line}</p> }.into_any(),
        HintTag::Span => {
            view! { <span class="field-hint" data-testid=testid>{line}</span> }.into_any()
        }
    }
}

/// What a hint line shows: `(true, the problem)` when there is one, else `(false, the
/// rule)`, else nothing.
pub fn hint_line(problem: Option<String>, hint: Option<String>) -> Option<(bool, String)> {
    match problem {
        Some(p) => Some((true, p)),
        None => hint.filter(|h| !h.is_empty()).map(|h| (false, h)),
    }
}

/// A rule's problem (`"must be 6 to 30 characters"`) as the sentence a field shows: after
/// the field's name when there is one (`"Connection string prefix must be …."`; a name
/// ending in `:` reads `"Port: must …."`), else capitalised on its own.
pub fn problem_line(subject: &str, problem: &str) -> String {
    if super::words::locale() == crate::i18n::Locale::zh {
        // Chinese joins without a space and ends with a full-width stop; a rule's words
        // from the crates below are translated here.
        let problem = super::message_in(crate::i18n::Locale::zh, problem);
        let problem = problem.trim_end_matches(['.', '。']);
        return format!("{subject}{problem}。");
    }
    if subject.is_empty() {
        format!("{}.", capitalise(problem))
    } else {
        format!("{subject} {problem}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_problem_wins_over_the_rule() {
        assert_eq!(
            hint_line(Some("Port is too big.".into()), Some("3000–5999.".into())),
            Some((true, "Port is too big.".to_string()))
        );
        assert_eq!(
            hint_line(None, Some("3000–5999.".into())),
            Some((false, "3000–5999.".to_string()))
        );
        assert_eq!(hint_line(None, Some(String::new())), None);
        assert_eq!(hint_line(None, None), None);
    }

    #[test]
    fn problems_read_as_sentences() {
        assert_eq!(
            problem_line("Connection string prefix", "must be 6 to 30 characters"),
            "Connection string prefix must be 6 to 30 characters."
        );
        assert_eq!(
            problem_line("Consistency level:", "must be 0 or 1"),
            "Consistency level: must be 0 or 1."
        );
        assert_eq!(problem_line("", "too short"), "Too short.");
    }
}
