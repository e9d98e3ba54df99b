//! `/signin`: local accounts. Works before hydration (a plain form post).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::SignIn;
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::language::LanguageSwitch;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <Title text=move || t_string!(i18n, shell.sign_in_title).to_string() />
        <main class="signin">
            <div class="signin-card">
                <h1><span class="brand-mark" aria-hidden="true">"◆"</span>" "{t!(i18n, shell.product)}</h1>
                <p class="muted">{t!(i18n, shell.sign_in_lead)}</p>
                <ActionForm action=action>
                    <label>
                        <span>{t!(i18n, shell.username)}</span>
                        <input type="text" name="username" autocomplete="username" required autofocus />
                    </label>
                    <label>
                        <span>{t!(i18n, shell.password)}</span>
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <button type="submit" class="primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() {
                            t_string!(i18n, shell.signing_in)
                        } else {
                            t_string!(i18n, shell.sign_in)
                        }}
                    </button>
                </ActionForm>
                <LanguageSwitch />
            </div>
        </main>
    }
}
