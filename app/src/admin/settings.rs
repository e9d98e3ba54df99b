//! `/settings`, `/settings/users`, `/settings/roles` (Admin).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::api::{
    list_roles, list_users, DeleteRole, EndUserSessions, SaveRole, SetUserDisabled, SetUserRole,
};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

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
        </div>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let end_sessions = ServerAction::<EndUserSessions>::new();
    let users = Resource::new(
        move || {
            (
                set_role.version().get(),
                set_disabled.version().get(),
                end_sessions.version().get(),
            )
        },
        |_| list_users(),
    );
    let roles = Resource::new(|| (), |_| list_roles());
    view! {
        <Title text="Users" />
        <div class="page-head">
            <h1>"Users"</h1>
            <p class="muted">"Users signed in through the SSO proxy appear here on first sight; their role follows their groups."</p>
        </div>
        {form_error(set_role.value())}
        {form_error(set_disabled.value())}
        {form_error(end_sessions.value())}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let role_names: Vec<String> = roles.await.map(|r| r.into_iter().map(|r| r.name).collect()).unwrap_or_default();
                match users.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <Empty title="No users." /> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                        <table class="grid" data-testid="users-table">
                            <thead><tr><th>"User"</th><th>"Signs in with"</th><th>"Role"</th><th>"Status"</th><th>"Last sign-in"</th><th>"Created"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let names = role_names.clone();
                                    let current = u.role.clone();
                                    let id_role = u.id.clone();
                                    let id_disable = u.id.clone();
                                    let id_sessions = u.id.clone();
                                    view! {
                                        <tr data-user=u.username.clone()>
                                            <td><div>{u.display_name.clone()}</div><div class="muted mono">{u.username.clone()}" "{u.email.clone()}</div></td>
                                            <td>{if u.auth_source == "proxy" { "SSO proxy" } else { "Local password" }}</td>
                                            <td>
                                                <ActionForm action=set_role attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id_role />
                                                    <select name="role" aria-label="Role">
                                                        {names.into_iter().map(|n| {
                                                            let selected = n == current;
                                                            view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                                                        }).collect_view()}
                                                    </select>
                                                    <button type="submit" class="small">"Save"</button>
                                                </ActionForm>
                                            </td>
                                            <td>{if u.disabled { view! { <span class="badge badge-bad">"Disabled"</span> }.into_any() } else { view! { <span class="badge badge-ok">"Active"</span> }.into_any() }}</td>
                                            <td class="mono">{u.last_sign_in.clone()}</td>
                                            <td class="mono">{u.created.clone()}</td>
                                            <td>
                                                <ActionForm action=set_disabled attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id_disable />
                                                    <input type="hidden" name="disabled" value=if u.disabled { "false" } else { "true" } />
                                                    <button type="submit" class="small">{if u.disabled { "Enable" } else { "Disable" }}</button>
                                                </ActionForm>
                                                <ActionForm action=end_sessions attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id_sessions />
                                                    <button type="submit" class="small">"End sessions"</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
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
    view! {
        <Title text="Your password" />
        <div class="page-head"><h1>"Your password"</h1>
            <p class="muted">"At least 12 characters. Your other sessions end when it changes."</p></div>
        <ActionForm action=change attr:class="stack-form">
            <label><span>"Current password"</span><input type="password" name="current_password" required autocomplete="current-password" /></label>
            <label><span>"New password"</span><input type="password" name="new_password" required minlength="12" autocomplete="new-password" /></label>
            <label><span>"New password, again"</span><input type="password" name="confirm_password" required minlength="12" autocomplete="new-password" /></label>
            {form_error(change.value())}
            {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! { <p class="banner banner-ok" role="status">"Password changed."</p> })}
            <button type="submit" class="primary">"Change password"</button>
        </ActionForm>
    }
}
