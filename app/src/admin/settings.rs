//! `/settings`, `/settings/roles` (Admin) and `/settings/password`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::api::{list_roles, DeleteRole, SaveRole};
use crate::kit::{form_error, ErrorBox, Loading};

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <div class="page-head"><h1>"Settings"</h1></div>
        <div class="cards">
            <a class="card" href="/settings/users">
                <strong>"Users"</strong>
                <span class="muted">"Who can sign in, their roles, disabling accounts."</span>
            </a>
            <a class="card" href="/settings/roles">
                <strong>"Roles"</strong>
                <span class="muted">"Built-in roles and custom policies written like RAM statements."</span>
            </a>
            <a class="card" href="/settings/password">
                <strong>"Your password"</strong>
                <span class="muted">"Change the password of your local account."</span>
            </a>
            <a class="card" href="/settings/accounts">
                <strong>"Cloud accounts"</strong>
                <span class="muted">"AccessKeys, regions, signature version, endpoint overrides."</span>
            </a>
            <a class="card" href="/settings/notifications">
                <strong>"Notifications"</strong>
                <span class="muted">"Webhook, DingTalk, Feishu, WeCom and Slack channels, and which events reach them."</span>
            </a>
            <a class="card" href="/settings/approvals">
                <strong>"Approvals"</strong>
                <span class="muted">"Which changes wait for approvals — by action, account, region or tag — how many, from whom."</span>
            </a>
        </div>
    }
}

const EXAMPLE_POLICY: &str = r#"{
  "Statement": [
    { "Effect": "Allow", "Action": ["polardb:Describe*", "polardb:List*"], "Resource": ["*"] },
    { "Effect": "Allow", "Action": ["polardb:*"], "Resource": ["acs:polardb:*:staging:dbcluster/*"] },
    { "Effect": "Deny", "Action": ["polardb:DeleteDBCluster"], "Resource": ["*"] }
  ]
}"#;

#[component]
pub fn RolesPage() -> impl IntoView {
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let roles = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_roles(),
    );
    view! {
        <Title text="Roles" />
        <div class="page-head">
            <h1>"Roles"</h1>
            <p class="muted">"Policies are RAM-style statements: Effect, Action patterns (polardb:Describe*, console:*) and Resource patterns (acs:polardb:REGION:ACCOUNT:dbcluster/ID). An explicit Deny wins."</p>
        </div>
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match roles.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) => view! {
                        <div class="role-list" data-testid="roles">
                            {list.into_iter().map(|r| view! {
                                <details class="role">
                                    <summary>
                                        <strong>{r.name.clone()}</strong>
                                        {r.builtin.then(|| view! { <span class="badge">"built-in"</span> })}
                                        <span class="muted">" "{r.description.clone()}" · "{r.users}" users"</span>
                                    </summary>
                                    <pre class="mono policy">{r.policy.clone()}</pre>
                                    {(!r.builtin).then(|| view! {
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="name" value=r.name.clone() />
                                            <button type="submit" class="small danger">"Delete role"</button>
                                        </ActionForm>
                                    })}
                                </details>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        {form_error(delete.value())}
        <h2>"Create or replace a custom role"</h2>
        <ActionForm action=save attr:class="stack-form">
            <label><span>"Name"</span><input type="text" name="name" required pattern="[a-z][a-z0-9_-]{0,39}" placeholder="staging-operator" /></label>
            <label><span>"Description"</span><input type="text" name="description" /></label>
            <label><span>"Policy"</span><textarea name="policy" rows="10" class="mono" required>{EXAMPLE_POLICY}</textarea></label>
            {form_error(save.value())}
            <button type="submit" class="primary">"Save role"</button>
        </ActionForm>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<crate::api::ChangePassword>::new();
    let me = Resource::new(|| (), |_| crate::api::whoami());
    view! {
        <Title text="Your password" />
        <div class="page-head"><h1>"Your password"</h1>
            <p class="muted">"At least 12 characters. Your other sessions end when it changes."</p></div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let must = matches!(me.await, Ok(Some(u)) if u.must_change_password);
                (must && !matches!(change.value().get(), Some(Ok(())))).then(|| view! {
                    <p class="banner banner-warn" role="status" data-testid="must-change-password">
                        "You signed in with a password an administrator set. Choose your own to continue: type the one you were given as the current password."
                    </p>
                })
            })}
        </Transition>
        <ActionForm action=change attr:class="stack-form">
            <label><span>"Current password"</span><input type="password" name="current_password" required autocomplete="current-password" /></label>
            <label><span>"New password"</span><input type="password" name="new_password" required minlength="12" autocomplete="new-password" /></label>
            <label><span>"New password, again"</span><input type="password" name="confirm_password" required minlength="12" autocomplete="new-password" /></label>
            {form_error(change.value())}
            {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! {
                <p class="banner banner-ok" role="status" data-testid="password-changed">"Password changed. "<a href="/clusters" rel="external">"Continue to the console"</a></p>
            })}
            <button type="submit" class="primary" data-testid="change-password">"Change password"</button>
        </ActionForm>
    }
}
