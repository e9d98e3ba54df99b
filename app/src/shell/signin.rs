//! `/signin`: local accounts. Works before hydration (a plain form post).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::SignIn;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Sign in" />
        <main class="signin">
            <div class="signin-card">
                <h1><span class="brand-mark" aria-hidden="true">"◆"</span>" Polar Console"</h1>
                <p class="muted">"Sign in to manage your PolarDB clusters."</p>
                <ActionForm action=action>
                    <label>
                        <span>"Username"</span>
                        <input type="text" name="username" autocomplete="username" required autofocus />
                    </label>
                    <label>
                        <span>"Password"</span>
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <button type="submit" class="primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
