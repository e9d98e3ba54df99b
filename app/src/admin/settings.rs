//! `/settings`, `/settings/roles` (Admin) and `/settings/password`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::api::{list_roles, DeleteRole, SaveRole};
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{form_error, ErrorBox, Loading};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, admin.settings_title).to_string() />
        <div class="page-head"><h1>{t!(i18n, admin.settings_title)}</h1></div>
        <div class="cards">
            <a class="card" href="/settings/users">
                <strong>{t!(i18n, admin.users_title)}</strong>
                <span class="muted">{t!(i18n, admin.settings_users_hint)}</span>
            </a>
            <a class="card" href="/settings/roles">
                <strong>{t!(i18n, admin.roles_title)}</strong>
                <span class="muted">{t!(i18n, admin.settings_roles_hint)}</span>
            </a>
            <a class="card" href="/settings/password">
                <strong>{t!(i18n, admin.password_title)}</strong>
                <span class="muted">{t!(i18n, admin.settings_password_hint)}</span>
            </a>
            <a class="card" href="/settings/accounts">
                <strong>{t!(i18n, admin.accounts_title)}</strong>
                <span class="muted">{t!(i18n, admin.settings_accounts_hint)}</span>
            </a>
            <a class="card" href="/settings/notifications">
                <strong>{t!(i18n, admin.notif_title)}</strong>
                <span class="muted">{t!(i18n, admin.settings_notif_hint)}</span>
            </a>
            <a class="card" href="/settings/approvals">
                <strong>{t!(i18n, admin.appr_title)}</strong>
                <span class="muted">{t!(i18n, admin.settings_appr_hint)}</span>
            </a>
        </div>
        <crate::kit::time::ZoneSetting />
    }
}

/// A built-in role's description in the language in use (the others are the admin's words).
fn builtin_description(
    i18n: leptos_i18n::I18nContext<crate::i18n::Locale>,
    name: &str,
    builtin: bool,
) -> Option<String> {
    if !builtin {
        return None;
    }
    let words = match name {
        "viewer" => t_string!(i18n, admin.builtin_desc_viewer),
        "operator" => t_string!(i18n, admin.builtin_desc_operator),
        "admin" => t_string!(i18n, admin.builtin_desc_admin),
        _ => return None,
    };
    Some(words.to_string())
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
    let i18n = use_i18n();
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let roles = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_roles(),
    );
    view! {
        <Title text=move || t_string!(i18n, admin.roles_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, admin.roles_title)}</h1>
            <p class="muted">{t!(i18n, admin.roles_lead)}</p>
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
                                        <strong>{if r.builtin { crate::kit::role_word(&r.name) } else { r.name.clone() }}</strong>
                                        {r.builtin.then(|| view! { <span class="badge">{t!(i18n, admin.roles_builtin)}</span> })}
                                        <span class="muted">" "{builtin_description(i18n, &r.name, r.builtin).unwrap_or_else(|| r.description.clone())}" · "{t!(i18n, admin.roles_users, n = r.users)}</span>
                                    </summary>
                                    <pre class="mono policy">{r.policy.clone()}</pre>
                                    {(!r.builtin).then(|| view! {
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="name" value=r.name.clone() />
                                            <button type="submit" class="small danger">{t!(i18n, admin.roles_delete)}</button>
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
        <h2>{t!(i18n, admin.roles_save_heading)}</h2>
        <ActionForm action=save attr:class="stack-form">
            <label><span>{t!(i18n, admin.name)}</span><input type="text" name="name" required pattern="[a-z][a-z0-9_-]{0,39}" placeholder="staging-operator" /></label>
            <label><span>{t!(i18n, admin.roles_description)}</span><input type="text" name="description" /></label>
            <label><span>{t!(i18n, admin.roles_policy)}</span><textarea name="policy" rows="10" class="mono" required>{EXAMPLE_POLICY}</textarea></label>
            {form_error(save.value())}
            <button type="submit" class="primary">{t!(i18n, admin.roles_save)}</button>
        </ActionForm>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<crate::api::ChangePassword>::new();
    let me = Resource::new(|| (), |_| crate::api::whoami());
    view! {
        <Title text=move || t_string!(i18n, admin.password_title).to_string() />
        <div class="page-head"><h1>{t!(i18n, admin.password_title)}</h1>
            <p class="muted">{t!(i18n, admin.password_lead)}</p></div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let must = matches!(me.await, Ok(Some(u)) if u.must_change_password);
                (must && !matches!(change.value().get(), Some(Ok(())))).then(|| view! {
                    <p class="banner banner-warn" role="status" data-testid="must-change-password">
                        {t!(i18n, admin.password_must_change)}
                    </p>
                })
            })}
        </Transition>
        <ActionForm action=change attr:class="stack-form">
            <label><span>{t!(i18n, admin.password_current)}</span><input type="password" name="current_password" required autocomplete="current-password" /></label>
            <label><span>{t!(i18n, admin.password_new)}</span><input type="password" name="new_password" required minlength="12" autocomplete="new-password" /></label>
            <label><span>{t!(i18n, admin.password_again)}</span><input type="password" name="confirm_password" required minlength="12" autocomplete="new-password" /></label>
            {form_error(change.value())}
            {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! {
                <p class="banner banner-ok" role="status" data-testid="password-changed">{t!(i18n, admin.password_changed)}" "<a href="/clusters" rel="external">{t!(i18n, admin.password_continue)}</a></p>
            })}
            <button type="submit" class="primary" data-testid="change-password">{t!(i18n, admin.password_change)}</button>
        </ActionForm>
    }
}
