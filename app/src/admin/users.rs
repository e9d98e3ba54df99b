//! `/settings/users` (Admin): who can sign in and with which role; adding a local user with
//! a one-time password, resetting one, disabling, ending sessions, deleting.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::api::{
    list_roles, list_users, CreateUser, DeleteUser, EndUserSessions, OneTimePassword,
    ResetUserPassword, SetUserDisabled, SetUserRole, UserItem,
};
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::kit::{form_error, use_hydrated, waiting, Empty, ErrorBox, Loading};
use crate::AppError;

/// A one-time password as the page shows it, once: a new user's, or (`reset`) a reset one.
fn handed_over<A>(action: ServerAction<A>, reset: bool) -> impl IntoView
where
    A: leptos::server_fn::ServerFn<Output = OneTimePassword, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let i18n = use_i18n();
    move || {
        action.value().get().and_then(|r| r.ok()).map(|p| view! {
            <div class="banner banner-ok" role="status" data-testid="one-time-password-banner">
                <p>{if reset {
                    t!(i18n, admin.users_otp_reset, name = p.username.clone()).into_any()
                } else {
                    t!(i18n, admin.users_otp_added, name = p.username.clone()).into_any()
                }}</p>
                <p><code class="one-time mono" data-testid="one-time-password">{p.password.clone()}</code></p>
                <p class="muted">{t!(i18n, admin.users_otp_hint)}</p>
            </div>
        })
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let end_sessions = ServerAction::<EndUserSessions>::new();
    let create = ServerAction::<CreateUser>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let hydrated = use_hydrated();
    let users = Resource::new(
        move || {
            (
                set_role.version().get(),
                set_disabled.version().get(),
                end_sessions.version().get(),
                create.version().get(),
                reset.version().get(),
                delete.version().get(),
            )
        },
        |_| list_users(),
    );
    let roles = Resource::new(|| (), |_| list_roles());
    // One handed-over password at a time.
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            reset.value().set(None);
        }
    });
    Effect::new(move |_| {
        if matches!(reset.value().get(), Some(Ok(_))) {
            create.value().set(None);
        }
    });
    view! {
        <Title text=move || t_string!(i18n, admin.users_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, admin.users_title)}</h1>
            <p class="muted">{t!(i18n, admin.users_lead)}</p>
        </div>
        {form_error(set_role.value())}
        {form_error(set_disabled.value())}
        {form_error(end_sessions.value())}
        {form_error(reset.value())}
        {form_error(delete.value())}
        {handed_over(create, false)}
        {handed_over(reset, true)}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let role_names: Vec<String> = roles.await.map(|r| r.into_iter().map(|r| r.name).collect()).unwrap_or_default();
                match users.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => (move || view! { <Empty title=t_string!(i18n, admin.users_empty) /> }).into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                        <table class="grid" data-testid="users-table">
                            <thead><tr><th>{t!(i18n, admin.user)}</th><th>{t!(i18n, admin.users_signs_in_with)}</th><th>{t!(i18n, admin.role)}</th><th>{t!(i18n, admin.status)}</th><th>{t!(i18n, admin.users_last_sign_in)}</th><th>{t!(i18n, admin.users_created)}</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| user_row(i18n, u, role_names.clone(), Actions { set_role, set_disabled, end_sessions, reset, delete }, hydrated)).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        <h2>{t!(i18n, admin.users_add_heading)}</h2>
        <ActionForm action=create attr:class="stack-form" attr:data-testid="add-user">
            <label><span>{t!(i18n, admin.users_user_name)}</span><input type="text" name="username" required maxlength="128" autocomplete="off" data-testid="new-user-name" /></label>
            <label><span>{t!(i18n, admin.users_display_name)}</span><input type="text" name="display_name" maxlength="128" data-testid="new-user-display" /></label>
            <label><span>{t!(i18n, admin.role)}</span>
                <select name="role" data-testid="new-user-role">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            roles.await.map(|r| r.into_iter().map(|r| {
                                let selected = r.name == "viewer";
                                view! { <option value=r.name.clone() selected=selected>{r.name.clone()}</option> }
                            }).collect_view()).ok()
                        })}
                    </Transition>
                </select>
            </label>
            {form_error(create.value())}
            <button type="submit" class="primary" data-testid="add-user-submit"
                title=move || waiting(hydrated) disabled=move || !hydrated.get() || create.pending().get()>
                {t!(i18n, admin.users_add)}
            </button>
        </ActionForm>
    }
}

/// The row's actions.
#[derive(Clone, Copy)]
struct Actions {
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    end_sessions: ServerAction<EndUserSessions>,
    reset: ServerAction<ResetUserPassword>,
    delete: ServerAction<DeleteUser>,
}

fn user_row(
    i18n: leptos_i18n::I18nContext<Locale>,
    u: UserItem,
    role_names: Vec<String>,
    a: Actions,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let current = u.role.clone();
    let local = u.auth_source != "proxy";
    let status = if u.disabled {
        view! { <span class="badge badge-bad">{t!(i18n, admin.disabled)}</span> }.into_any()
    } else if u.must_change_password {
        view! { <span class="badge badge-busy-still" data-testid="user-must-change">{t!(i18n, admin.users_must_choose)}</span> }.into_any()
    } else {
        view! { <span class="badge badge-ok">{t!(i18n, admin.users_active)}</span> }.into_any()
    };
    let (id_role, id_disable, id_sessions, id_delete) =
        (u.id.clone(), u.id.clone(), u.id.clone(), u.id.clone());
    let reset_id = u.id.clone();
    let (name, name_hint) = (u.username.clone(), u.username.clone());
    let disabled = u.disabled;
    view! {
        <tr data-user=name>
            <td><div>{u.display_name.clone()}</div><div class="muted mono">{u.username.clone()}" "{u.email.clone()}</div></td>
            <td>{move || if local { t_string!(i18n, admin.users_local_password) } else { t_string!(i18n, admin.users_sso_proxy) }}</td>
            <td>
                <ActionForm action=a.set_role attr:class="inline-form">
                    <input type="hidden" name="id" value=id_role />
                    <select name="role" aria-label=move || t_string!(i18n, admin.role)>
                        {role_names.into_iter().map(|n| {
                            let selected = n == current;
                            view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" class="small">{t!(i18n, admin.save)}</button>
                </ActionForm>
            </td>
            <td>{status}</td>
            <td class="mono">{u.last_sign_in.clone()}</td>
            <td class="mono">{u.created.clone()}</td>
            <td>
                <ActionForm action=a.set_disabled attr:class="inline-form">
                    <input type="hidden" name="id" value=id_disable />
                    <input type="hidden" name="disabled" value=if u.disabled { "false" } else { "true" } />
                    <button type="submit" class="small">{move || if disabled { t_string!(i18n, admin.enable) } else { t_string!(i18n, admin.disable) }}</button>
                </ActionForm>
                <ActionForm action=a.end_sessions attr:class="inline-form">
                    <input type="hidden" name="id" value=id_sessions />
                    <button type="submit" class="small">{t!(i18n, admin.users_end_sessions)}</button>
                </ActionForm>
                {local.then(|| view! {
                    <button type="button" class="small" data-testid="reset-password"
                        title=move || waiting(hydrated) disabled=move || !hydrated.get() || a.reset.pending().get()
                        on:click=move |_| { a.reset.dispatch(ResetUserPassword { id: reset_id.clone() }); }>
                        {t!(i18n, admin.users_reset_password)}
                    </button>
                })}
                <details class="inline-details">
                    <summary class="small-link" data-testid="delete-user-open">{t!(i18n, admin.users_delete_open)}</summary>
                    <ActionForm action=a.delete attr:class="inline-form">
                        <input type="hidden" name="id" value=id_delete />
                        <input type="text" name="confirm" required autocomplete="off" aria-label=move || t_string!(i18n, admin.users_delete_confirm)
                            placeholder=name_hint data-testid="delete-user-confirm" />
                        <button type="submit" class="small danger" data-testid="delete-user">{t!(i18n, admin.users_delete)}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
