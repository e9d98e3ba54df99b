//! The accounts tab: the list, creating an account, and the description, password and deletion dialogs.

use super::*;
use crate::kit::waiting;

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/accounts`.
#[component]
pub fn ClusterDbAccountsPage() -> impl IntoView {
    view! {
        <DbAccounts />
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum AccountDialog {
    Description(String),
    Password(String),
    Delete(DbAccountRow),
}

#[component]
pub(super) fn DbAccounts() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let hydrated = ctx.hydrated;
    let reload = section_reload(ctx);
    let data = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(s, _)| accounts_view(s.account, s.region, s.id),
    );
    let create = ServerAction::<CreateDbAccount>::new();
    let check = ServerAction::<CheckAccountName>::new();
    let describe = ServerAction::<ModifyAccountDescription>::new();
    let reset = ServerAction::<ResetAccountPassword>::new();
    let delete = ServerAction::<DeleteDbAccount>::new();

    let creating = RwSignal::new(false);
    let dialog = RwSignal::new(None::<AccountDialog>);
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new("Normal".to_string());
    let description = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);
    // Which name CheckAccountName last approved.
    let checked = RwSignal::new(None::<String>);
    // Which name was last sent to CheckAccountName.
    let asked = RwSignal::new(None::<String>);

    let forget_passwords = move || {
        password.set(String::new());
        again.set(String::new());
    };
    ctx.after_success(create.value(), move || {
        forget_passwords();
        creating.set(false);
        reload.update(|n| *n += 1);
        done.set(Some(
            t_string!(
                i18n,
                cluster_access.account_created,
                name = name.get_untracked()
            )
            .to_string(),
        ));
    });
    ctx.after_success(describe.value(), move || {
        dialog.set(None);
        reload.update(|n| *n += 1);
        done.set(Some(
            t_string!(i18n, cluster_access.description_changed).to_string(),
        ));
    });
    ctx.after_success(reset.value(), move || {
        forget_passwords();
        let who = match dialog.get_untracked() {
            Some(AccountDialog::Password(n)) => n,
            _ => String::new(),
        };
        dialog.set(None);
        reload.update(|n| *n += 1);
        done.set(Some(
            t_string!(i18n, cluster_access.password_was_reset, name = who).to_string(),
        ));
    });
    ctx.after_success(delete.value(), move || {
        dialog.set(None);
        reload.update(|n| *n += 1);
        done.set(Some(
            t_string!(i18n, cluster_access.account_deleted).to_string(),
        ));
    });
    // Remember which name CheckAccountName approved.
    Effect::new(move |_| {
        if let Some(Ok(_)) = check.value().get() {
            checked.set(asked.get_untracked());
        }
    });

    let cluster = move || ctx.data.get().and_then(|r| r.ok());
    let existing = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|d| d.accounts)
            .unwrap_or_default()
    };
    let name_problem_now = move || {
        let n = name.get();
        account_name_problem(&n).or_else(|| {
            existing()
                .iter()
                .any(|a| a.name == n)
                .then(|| t_string!(i18n, cluster_access.account_exists, name = n).to_string())
        })
    };
    let description_problem_now = move || account_description_problem(&description.get(), true);
    let password_problem_now = move || password_problem(&password.get());
    let again_problem_now = move || {
        (password_problem_now().is_none()
            && !again.get().is_empty()
            && password.get() != again.get())
        .then(|| t_string!(i18n, cluster_access.passwords_differ).to_string())
    };
    let create_problem_now = move || {
        name_problem_now()
            .or_else(description_problem_now)
            .or_else(|| passwords_problem(&password.get(), &again.get()))
    };

    let check_name = move || {
        let Some(d) = cluster() else { return };
        let n = name.get_untracked();
        if account_name_problem(&n).is_some() || checked.get_untracked() == Some(n.clone()) {
            return;
        }
        asked.set(Some(n.clone()));
        check.dispatch(CheckAccountName {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            name: n,
        });
    };
    let open_create = move |_| {
        name.set(String::new());
        kind.set("Normal".into());
        description.set(String::new());
        forget_passwords();
        create.value().set(None);
        check.value().set(None);
        checked.set(None);
        done.set(None);
        creating.set(true);
    };
    let submit_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = cluster() else { return };
        if create_problem_now().is_some() {
            return;
        }
        create.dispatch(CreateDbAccount {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            description: description.get_untracked(),
            password: password.get_untracked(),
            password_again: again.get_untracked(),
        });
    };
    let close_dialog = move || {
        forget_passwords();
        dialog.set(None);
    };
    let submit_dialog = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(d), Some(dl)) = (cluster(), dialog.get_untracked()) else {
            return;
        };
        let (account, region, id) = (d.account, d.region, d.attr.db_cluster_id);
        match dl {
            AccountDialog::Description(n) => {
                if account_description_problem(&description.get_untracked(), false).is_some() {
                    return;
                }
                describe.dispatch(ModifyAccountDescription {
                    account,
                    region,
                    cluster: id,
                    name: n,
                    description: description.get_untracked(),
                });
            }
            AccountDialog::Password(n) => {
                if passwords_problem(&password.get_untracked(), &again.get_untracked()).is_some() {
                    return;
                }
                reset.dispatch(ResetAccountPassword {
                    account,
                    region,
                    cluster: id,
                    name: n,
                    password: password.get_untracked(),
                    password_again: again.get_untracked(),
                });
            }
            AccountDialog::Delete(a) => {
                delete.dispatch(DeleteDbAccount {
                    account,
                    region,
                    cluster: id,
                    name: a.name,
                });
            }
        }
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="accounts-done">{m}</div> })}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_access.reading_accounts) /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let (can_describe, can_password, can_delete) = (v.can_describe, v.can_password, v.can_delete);
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="accounts-summary">
                            {let n = v.accounts.len(); move || t_string!(i18n, cluster_access.accounts_summary, n = n).to_string()}
                        </p>
                        <div class="toolbar-actions">
                            {v.can_create.then(|| view! {
                                <button type="button" class="small" data-testid="create-account"
                                    title=move || waiting(hydrated)
                                    disabled=move || !hydrated.get() on:click=open_create>{t!(i18n, cluster_access.create_account)}</button>
                            })}
                        </div>
                    </div>
                    {if v.accounts.is_empty() {
                        view! { <Empty title=t_string!(i18n, cluster_access.no_account) hint=t_string!(i18n, cluster_access.no_account_hint) /> }.into_any()
                    } else {
                        let columns = vec![
                            Column::new(t_string!(i18n, cluster_access.col_account)).sorted_by(|a: &DbAccountRow| SortKey::text(&a.name)),
                            Column::new(t_string!(i18n, cluster_access.type_label)).sorted_by(|a: &DbAccountRow| SortKey::text(&a.kind)),
                            Column::new(t_string!(i18n, cluster_access.status)).sorted_by(|a: &DbAccountRow| SortKey::text(&a.status)),
                            Column::new(t_string!(i18n, cluster_access.description)).sorted_by(|a: &DbAccountRow| SortKey::text(&a.description)),
                            Column::new(t_string!(i18n, cluster_access.col_privileges)),
                            Column::new(""),
                        ];
                        let row = move |a: &DbAccountRow| {
                            let (n1, n2, d1) = (a.name.clone(), a.name.clone(), a.description.clone());
                            let row = a.clone();
                            let locked = a.lock_state == "Lock";
                            let (status, privileges) = (a.status.clone(), a.privileges.clone());
                            view! {
                                <tr data-account=a.name.clone() data-type=a.kind.clone()>
                                    <td class="mono nowrap">{a.name.clone()}</td>
                                    <td>{let is_super = a.kind == "Super"; move || if is_super { t_string!(i18n, cluster_access.kind_super) } else { t_string!(i18n, cluster_access.kind_normal) }}</td>
                                    <td>{move || crate::kit::api_word(&status)}{locked.then(|| view! { <span class="badge badge-bad">" "{t!(i18n, cluster_access.locked)}</span> })}</td>
                                    <td data-testid="account-description">{a.description.clone()}</td>
                                    <td class="small">
                                        {let is_super = a.kind == "Super";
                                        move || if is_super {
                                            t_string!(i18n, cluster_access.all_databases).to_string()
                                        } else if privileges.is_empty() {
                                            "—".to_string()
                                        } else {
                                            privileges.iter().map(|(db, p)| format!("{db}: {}", crate::kit::api_word(p))).collect::<Vec<_>>().join(", ")
                                        }}
                                    </td>
                                    <td><div class="row-actions">
                                        {can_describe.then(|| view! {
                                            <button type="button" class="small" data-testid="edit-account-description"
                                                disabled=move || !hydrated.get()
                                            title=move || waiting(hydrated)
                                                on:click=move |_| {
                                                    description.set(d1.clone());
                                                    describe.value().set(None);
                                                    done.set(None);
                                                    dialog.set(Some(AccountDialog::Description(n1.clone())));
                                                }>{t!(i18n, cluster_access.description)}</button>
                                        })}
                                        {can_password.then(|| view! {
                                            <button type="button" class="small" data-testid="reset-password"
                                                disabled=move || !hydrated.get()
                                            title=move || waiting(hydrated)
                                                on:click=move |_| {
                                                    forget_passwords();
                                                    reset.value().set(None);
                                                    done.set(None);
                                                    dialog.set(Some(AccountDialog::Password(n2.clone())));
                                                }>{t!(i18n, cluster_access.reset_password)}</button>
                                        })}
                                        {can_delete.then(|| view! {
                                            <button type="button" class="small danger" data-testid="delete-account"
                                                disabled=move || !hydrated.get()
                                            title=move || waiting(hydrated)
                                                on:click=move |_| {
                                                    delete.value().set(None);
                                                    done.set(None);
                                                    dialog.set(Some(AccountDialog::Delete(row.clone())));
                                                }>{t!(i18n, cluster_access.delete)}</button>
                                        })}
                                    </div></td>
                                </tr>
                        }.into_any()
                        };
                        let text: fn(&DbAccountRow) -> String = |a| {
                            let privileges: Vec<&str> = a.privileges.iter().map(|(db, _)| db.as_str()).collect();
                            format!("{} {} {} {} {}", a.name, a.kind, a.status, a.description, privileges.join(" "))
                        };
                        view! {
                            <DataTable rows=v.accounts.clone() columns row testid="accounts-table" noun=t_string!(i18n, cluster_access.noun_account) text />
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>

        {move || creating.get().then(|| view! {
            <section class="panel form-panel" data-testid="create-panel">
                <h2>{t!(i18n, cluster_access.create_account_heading)}</h2>
                <form class="stack-form" on:submit=submit_create autocomplete="off">
                    <label>
                        <span>{t!(i18n, cluster_access.account_name)}</span>
                        <input type="text" class="mono" data-testid="account-name" autocomplete="off" spellcheck="false" maxlength="20"
                            prop:value=move || name.get()
                            on:input=move |ev| { name.set(event_target_value(&ev)); check.value().set(None); }
                            on:blur=move |_| check_name() />
                    </label>
                    <p class="field-hint" data-testid="name-problem">
                        {move || match (name_problem_now(), check.value().get()) {
                            (Some(p), _) if !name.get().is_empty() => view! { <span class="field-error">{t_string!(i18n, cluster_access.sentence, text = capitalise(&p))}</span> }.into_any(),
                            (None, Some(Err(e))) => view! { <span class="field-error">{t_string!(i18n, cluster_access.api_refuses_name, message = match e { AppError::Upstream { message, .. } => message, other => other.to_string() })}</span> }.into_any(),
                            (None, Some(Ok(_))) if checked.get() == Some(name.get()) => view! { <span class="muted" data-testid="name-available">{t!(i18n, cluster_access.name_available)}</span> }.into_any(),
                            _ => view! { <span class="muted">{t!(i18n, cluster_access.account_name_hint)}</span> }.into_any(),
                        }}
                    </p>
                    <label>
                        <span>{t!(i18n, cluster_access.type_label)}</span>
                        <select data-testid="account-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="Normal">{t!(i18n, cluster_access.type_normal_option)}</option>
                            <option value="Super">{t!(i18n, cluster_access.type_super_option)}</option>
                        </select>
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.description_optional)}</span>
                        <input type="text" data-testid="account-description-input" maxlength="260"
                            prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev)) />
                    </label>
                    {move || description_problem_now().map(|p| view! { <FieldHint problem=Signal::stored(Some(problem_line("", &p))) /> })}
                    <label>
                        <span>{t!(i18n, cluster_access.password)}</span>
                        <input type="password" autocomplete="new-password" data-testid="account-password" maxlength="40"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.password_again)}</span>
                        <input type="password" autocomplete="new-password" data-testid="account-password-again" maxlength="40"
                            prop:value=move || again.get()
                            on:input=move |ev| again.set(event_target_value(&ev)) />
                    </label>
                    <FieldHint testid="password-problem"
                        problem=Signal::derive(move || password_problem_now().or_else(again_problem_now).filter(|_| !password.get().is_empty()).map(|p| problem_line("", &p)))
                        hint=Signal::derive(move || t_string!(i18n, cluster_access.password_hint_create, specials = SPECIALS).to_string()) />
                    {change_error(create.value())}
                    <div class="modal-actions">
                        <button type="button" class="small" data-testid="cancel-create" on:click=move |_| { forget_passwords(); creating.set(false); }>{t!(i18n, cluster_access.cancel)}</button>
                        <button type="submit" class="small primary-small" data-testid="submit-create"
                            disabled=move || create_problem_now().is_some() || create.pending().get()>
                            {move || if create.pending().get() { t_string!(i18n, cluster_access.creating) } else { t_string!(i18n, cluster_access.create_account) }}
                        </button>
                    </div>
                </form>
            </section>
        })}

        {move || dialog.get().map(|dl| {
            let pending = move || describe.pending().get() || reset.pending().get() || delete.pending().get();
            let (title, fields, button, danger) = match &dl {
                AccountDialog::Description(n) => (
                    t_string!(i18n, cluster_access.description_of, name = n).to_string(),
                    view! {
                        <Field label=Signal::derive(move || t_string!(i18n, cluster_access.description).to_string()) testid="description-problem"
                            problem=Signal::derive(move || account_description_problem(&description.get(), false).map(|p| problem_line("", &p)))>
                            <input type="text" data-testid="description-input" maxlength="260"
                                prop:value=move || description.get()
                                on:input=move |ev| description.set(event_target_value(&ev)) />
                        </Field>
                        {change_error(describe.value())}
                    }.into_any(),
                    t_string!(i18n, cluster_access.save),
                    false,
                ),
                AccountDialog::Password(n) => (
                    t_string!(i18n, cluster_access.reset_password_of, name = n).to_string(),
                    view! {
                        <p class="muted">{t!(i18n, cluster_access.reset_password_note)}</p>
                        <label>
                            <span>{t!(i18n, cluster_access.new_password)}</span>
                            <input type="password" autocomplete="new-password" data-testid="new-password" maxlength="40"
                                prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            <span>{t!(i18n, cluster_access.new_password_again)}</span>
                            <input type="password" autocomplete="new-password" data-testid="new-password-again" maxlength="40"
                                prop:value=move || again.get()
                                on:input=move |ev| again.set(event_target_value(&ev)) />
                        </label>
                        <FieldHint testid="new-password-problem"
                            problem=Signal::derive(move || password_problem_now().or_else(again_problem_now).filter(|_| !password.get().is_empty()).map(|p| problem_line("", &p)))
                            hint=Signal::derive(move || t_string!(i18n, cluster_access.password_hint, specials = SPECIALS).to_string()) />
                        {change_error(reset.value())}
                    }.into_any(),
                    t_string!(i18n, cluster_access.reset_password),
                    false,
                ),
                AccountDialog::Delete(a) => (
                    t_string!(i18n, cluster_access.delete_account_title, name = &a.name).to_string(),
                    view! {
                        <p>{if a.kind == "Super" {
                            t_string!(i18n, cluster_access.delete_super_account_text, name = &a.name)
                        } else {
                            t_string!(i18n, cluster_access.delete_account_text, name = &a.name)
                        }}</p>
                        {(!a.privileges.is_empty()).then(|| view! {
                            <p class="muted">{t_string!(i18n, cluster_access.has_privileges_on, databases = a.privileges.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>().join(", "))}</p>
                        })}
                        {change_error(delete.value())}
                    }.into_any(),
                    t_string!(i18n, cluster_access.delete_account),
                    true,
                ),
            };
            let blocked = {
                let dl = dl.clone();
                move || match &dl {
                    AccountDialog::Description(_) => account_description_problem(&description.get(), false).is_some(),
                    AccountDialog::Password(_) => passwords_problem(&password.get(), &again.get()).is_some(),
                    AccountDialog::Delete(_) => false,
                }
            };
            view! {
                <Dialog title_id="account-dialog-title" title=title testid="account-dialog" on_close=close_dialog>
                    <form class="stack-form" on:submit=submit_dialog autocomplete="off">
                        {fields}
                        <DialogActions>
                            <button type="button" class="small" data-testid="cancel-dialog" data-autofocus on:click=move |_| close_dialog()>{t!(i18n, cluster_access.cancel)}</button>
                            <button type="submit" class="small solid" class:danger=danger class:primary-small=!danger data-testid="confirm-dialog"
                                disabled=move || pending() || blocked()>
                                {move || if pending() { t_string!(i18n, cluster_access.sending) } else { button }}
                            </button>
                        </DialogActions>
                    </form>
                </Dialog>
            }
        })}
    }
}
