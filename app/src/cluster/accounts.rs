//! `/clusters/:id/accounts`: the database accounts of a cluster (DescribeAccounts, API
//! reference 12.2) with type, status, description and privileges; create (CreateAccount,
//! after CheckAccountName), change the description (ModifyAccountDescription), reset the
//! password (ModifyAccountPassword) and delete (DeleteAccount).
//!
//! Passwords: typed twice into password fields, sent once to the server function and from
//! there only to the API; never shown again, never kept in a signal after the request, never
//! logged or stored (the audit record has them redacted by name).

// Server functions take each form field as an argument.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::section_reload;
use crate::cluster::frame::ClusterCtx;
use crate::kit::{
    capitalise, change_error, problem_line, Dialog, DialogActions, Empty, ErrorBox, Field,
    FieldHint, Loading,
};
use crate::AppError;

/// Names the service keeps for itself (CreateAccount: "root, admin, etc.").
const RESERVED: &[&str] = &[
    "root",
    "admin",
    "administrator",
    "postgres",
    "polardb",
    "aurora",
    "replicator",
    "superuser",
    "rdsadmin",
    "aliyun_root",
    "public",
    "sys",
    "system",
];

/// The special characters a password may contain (12.1, 12.5).
pub const SPECIALS: &str = "!@#$%^&*()_+-=";

/// What is wrong with a new account name (CreateAccount 12.1): 2 to 16 characters;
/// lowercase letters, digits and underscores; a lowercase letter first; a letter or digit
/// last; not a reserved name.
pub fn account_name_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if !(2..=16).contains(&n) {
        return Some(format!(
            "the account name must have 2 to 16 characters (this has {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Some(
            "the account name may contain only lowercase letters, digits and underscores".into(),
        );
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("the account name must start with a lowercase letter".into());
    }
    if name.ends_with('_') {
        return Some("the account name must end with a letter or a digit".into());
    }
    if RESERVED.contains(&name) || name.starts_with("pg_") {
        return Some(format!("the name {name} is reserved"));
    }
    None
}

/// What is wrong with a password (12.1, 12.5): 8 to 32 characters, at least three kinds
/// among uppercase letters, lowercase letters, digits and the specials `!@#$%^&*()_+-=`,
/// and nothing else. The message names the rule, never the password.
pub fn password_problem(p: &str) -> Option<String> {
    let n = p.chars().count();
    if !(8..=32).contains(&n) {
        return Some(format!(
            "the password must have 8 to 32 characters (this has {n})"
        ));
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || SPECIALS.contains(*c)))
    {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else if c.is_ascii() {
            format!("“{c}”")
        } else {
            "a non-ASCII character".to_string()
        };
        return Some(format!(
            "the password may contain only letters, digits and the specials {SPECIALS} (it has {what})"
        ));
    }
    let kinds = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| SPECIALS.contains(c)),
    ];
    let k = kinds.iter().filter(|k| **k).count();
    if k < 3 {
        return Some(format!(
            "the password must contain at least three of: uppercase letters, lowercase letters, digits, specials {SPECIALS} (it has {k})"
        ));
    }
    None
}

/// The password and its repetition.
pub fn passwords_problem(p: &str, again: &str) -> Option<String> {
    password_problem(p).or_else(|| (p != again).then(|| "the two passwords differ".to_string()))
}

/// What is wrong with an account description (12.1, 12.3): 2 to 256 characters, not
/// starting with http:// or https://. Empty is allowed when `optional`.
pub fn account_description_problem(d: &str, optional: bool) -> Option<String> {
    if d.is_empty() && optional {
        return None;
    }
    let n = d.chars().count();
    if !(2..=256).contains(&n) {
        return Some(format!(
            "the description must have 2 to 256 characters (this has {n})"
        ));
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some("the description must not start with http:// or https://".into());
    }
    None
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbAccountRow {
    pub name: String,
    pub kind: String,
    pub status: String,
    pub lock_state: String,
    pub description: String,
    /// (database, privilege) for Normal accounts.
    pub privileges: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsData {
    pub accounts: Vec<DbAccountRow>,
    pub can_create: bool,
    pub can_describe: bool,
    pub can_password: bool,
    pub can_delete: bool,
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Every database account of a cluster (all pages of DescribeAccounts).
#[cfg(feature = "ssr")]
pub async fn read_accounts(
    account: &str,
    region: &str,
    cluster: &str,
) -> Result<Vec<polardb::models::Account>, AppError> {
    let mut all = Vec::new();
    for page in 1..=20u32 {
        let answer = crate::api::call_api(
            account.to_string(),
            region.to_string(),
            "DescribeAccounts".into(),
            vec![
                ("DBClusterId".into(), cluster.to_string()),
                ("PageSize".into(), "100".into()),
                ("PageNumber".into(), page.to_string()),
            ],
        )
        .await?;
        let body: polardb::models::DescribeAccountsResponse =
            crate::call::parse_answer("DescribeAccounts", &answer)?;
        let n = body.accounts.len();
        all.extend(body.accounts);
        if n < 100 {
            break;
        }
    }
    Ok(all)
}

/// The database accounts of a cluster and which changes the user may make.
#[server]
pub async fn accounts_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<AccountsData, AppError> {
    use crate::call::may;
    use crate::cluster::frame::locate;
    let (account, region) = locate(account, region, &cluster).await?;
    let list = read_accounts(&account, &region, &cluster).await?;
    let allowed = may(
        &account,
        &region,
        &cluster,
        &[
            "CreateAccount",
            "ModifyAccountDescription",
            "ModifyAccountPassword",
            "DeleteAccount",
        ],
    )
    .await?;
    let can = |a: &str| allowed.iter().any(|x| x == a);
    Ok(AccountsData {
        accounts: list
            .into_iter()
            .map(|a| DbAccountRow {
                name: a.account_name,
                kind: a.account_type,
                status: a.account_status,
                lock_state: a.account_lock_state,
                description: a.account_description,
                privileges: a
                    .database_privileges
                    .into_iter()
                    .map(|p| (p.db_name, p.account_privilege))
                    .collect(),
            })
            .collect(),
        can_create: can("CreateAccount"),
        can_describe: can("ModifyAccountDescription"),
        can_password: can("ModifyAccountPassword"),
        can_delete: can("DeleteAccount"),
    })
}

/// Asks the API whether a new account name is valid and free (CheckAccountName).
#[server]
pub async fn check_account_name(
    account: String,
    region: String,
    cluster: String,
    name: String,
) -> Result<String, AppError> {
    if let Some(p) = account_name_problem(&name) {
        return Err(invalid("Account name", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "CheckAccountName".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Creates a database account (CheckAccountName, then CreateAccount). Returns the RequestId.
#[server]
pub async fn create_db_account(
    account: String,
    region: String,
    cluster: String,
    name: String,
    kind: String,
    description: String,
    password: String,
    password_again: String,
) -> Result<String, AppError> {
    if let Some(p) = account_name_problem(&name) {
        return Err(invalid("Account name", p));
    }
    if kind != "Normal" && kind != "Super" {
        return Err(invalid("Account type", "must be Normal or Super"));
    }
    if let Some(p) = account_description_problem(&description, true) {
        return Err(invalid("Description", p));
    }
    if let Some(p) = passwords_problem(&password, &password_again) {
        return Err(invalid("Password", p));
    }
    crate::api::call_api(
        account.clone(),
        region.clone(),
        "CheckAccountName".into(),
        vec![
            ("DBClusterId".into(), cluster.clone()),
            ("AccountName".into(), name.clone()),
        ],
    )
    .await?;
    let mut params = vec![
        ("DBClusterId".to_string(), cluster),
        ("AccountName".to_string(), name),
        ("AccountPassword".to_string(), password),
        ("AccountType".to_string(), kind),
    ];
    if !description.is_empty() {
        params.push(("AccountDescription".into(), description));
    }
    let answer = crate::api::call_api(account, region, "CreateAccount".into(), params).await?;
    Ok(answer.request_id)
}

/// Changes an account's description (ModifyAccountDescription). Returns the RequestId.
#[server]
pub async fn modify_account_description(
    account: String,
    region: String,
    cluster: String,
    name: String,
    description: String,
) -> Result<String, AppError> {
    if let Some(p) = account_description_problem(&description, false) {
        return Err(invalid("Description", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyAccountDescription".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
            ("AccountDescription".into(), description),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Sets a new password (ModifyAccountPassword). Returns the RequestId.
#[server]
pub async fn reset_account_password(
    account: String,
    region: String,
    cluster: String,
    name: String,
    password: String,
    password_again: String,
) -> Result<String, AppError> {
    if name.is_empty() {
        return Err(invalid("Account", "is required"));
    }
    if let Some(p) = passwords_problem(&password, &password_again) {
        return Err(invalid("New password", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyAccountPassword".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
            ("NewAccountPassword".into(), password),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Deletes an account (DeleteAccount). Returns the RequestId.
#[server]
pub async fn delete_db_account(
    account: String,
    region: String,
    cluster: String,
    name: String,
) -> Result<String, AppError> {
    if name.is_empty() {
        return Err(invalid("Account", "is required"));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "DeleteAccount".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("AccountName".into(), name),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

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
enum AccountDialog {
    Description(String),
    Password(String),
    Delete(DbAccountRow),
}

#[component]
fn DbAccounts() -> impl IntoView {
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
        done.set(Some(format!(
            "Account {} created. Its password is not shown again.",
            name.get_untracked()
        )));
    });
    ctx.after_success(describe.value(), move || {
        dialog.set(None);
        reload.update(|n| *n += 1);
        done.set(Some("The description was changed.".into()));
    });
    ctx.after_success(reset.value(), move || {
        forget_passwords();
        let who = match dialog.get_untracked() {
            Some(AccountDialog::Password(n)) => n,
            _ => String::new(),
        };
        dialog.set(None);
        reload.update(|n| *n += 1);
        done.set(Some(format!("The password of {who} was reset.")));
    });
    ctx.after_success(delete.value(), move || {
        dialog.set(None);
        reload.update(|n| *n += 1);
        done.set(Some("The account was deleted.".into()));
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
                .then(|| format!("an account named {n} exists already"))
        })
    };
    let description_problem_now = move || account_description_problem(&description.get(), true);
    let password_problem_now = move || password_problem(&password.get());
    let again_problem_now = move || {
        (password_problem_now().is_none()
            && !again.get().is_empty()
            && password.get() != again.get())
        .then(|| "the two passwords differ".to_string())
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
        <Transition fallback=|| view! { <Loading label="Reading the database accounts…" /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let (can_describe, can_password, can_delete) = (v.can_describe, v.can_password, v.can_delete);
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="accounts-summary">
                            {format!("{} database accounts. Super accounts have every privilege; Normal accounts get privileges per database.", v.accounts.len())}
                        </p>
                        <div class="toolbar-actions">
                            {v.can_create.then(|| view! {
                                <button type="button" class="small" data-testid="create-account"
                                    disabled=move || !hydrated.get() on:click=open_create>"Create account"</button>
                            })}
                        </div>
                    </div>
                    {if v.accounts.is_empty() {
                        view! { <Empty title="No database account yet." hint="Create one to connect to the cluster." /> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="grid" data-testid="accounts-table">
                                    <thead><tr><th>"Account"</th><th>"Type"</th><th>"Status"</th><th>"Description"</th><th>"Privileges"</th><th></th></tr></thead>
                                    <tbody>
                                        {v.accounts.iter().map(|a| {
                                            let (n1, n2, d1) = (a.name.clone(), a.name.clone(), a.description.clone());
                                            let row = a.clone();
                                            let locked = a.lock_state == "Lock";
                                            view! {
                                                <tr data-account=a.name.clone() data-type=a.kind.clone()>
                                                    <td class="mono nowrap">{a.name.clone()}</td>
                                                    <td>{if a.kind == "Super" { "Super (privileged)" } else { "Normal" }}</td>
                                                    <td>{a.status.clone()}{locked.then(|| view! { <span class="badge badge-bad">" locked"</span> })}</td>
                                                    <td data-testid="account-description">{a.description.clone()}</td>
                                                    <td class="small">
                                                        {if a.kind == "Super" {
                                                            "All databases".to_string()
                                                        } else if a.privileges.is_empty() {
                                                            "—".to_string()
                                                        } else {
                                                            a.privileges.iter().map(|(db, p)| format!("{db}: {p}")).collect::<Vec<_>>().join(", ")
                                                        }}
                                                    </td>
                                                    <td><div class="row-actions">
                                                        {can_describe.then(|| view! {
                                                            <button type="button" class="small" data-testid="edit-account-description"
                                                                disabled=move || !hydrated.get()
                                                                on:click=move |_| {
                                                                    description.set(d1.clone());
                                                                    describe.value().set(None);
                                                                    done.set(None);
                                                                    dialog.set(Some(AccountDialog::Description(n1.clone())));
                                                                }>"Description"</button>
                                                        })}
                                                        {can_password.then(|| view! {
                                                            <button type="button" class="small" data-testid="reset-password"
                                                                disabled=move || !hydrated.get()
                                                                on:click=move |_| {
                                                                    forget_passwords();
                                                                    reset.value().set(None);
                                                                    done.set(None);
                                                                    dialog.set(Some(AccountDialog::Password(n2.clone())));
                                                                }>"Reset password"</button>
                                                        })}
                                                        {can_delete.then(|| view! {
                                                            <button type="button" class="small danger" data-testid="delete-account"
                                                                disabled=move || !hydrated.get()
                                                                on:click=move |_| {
                                                                    delete.value().set(None);
                                                                    done.set(None);
                                                                    dialog.set(Some(AccountDialog::Delete(row.clone())));
                                                                }>"Delete"</button>
                                                        })}
                                                    </div></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>

        {move || creating.get().then(|| view! {
            <section class="panel form-panel" data-testid="create-panel">
                <h2>"Create a database account"</h2>
                <form class="stack-form" on:submit=submit_create autocomplete="off">
                    <label>
                        <span>"Account name"</span>
                        <input type="text" class="mono" data-testid="account-name" autocomplete="off" spellcheck="false" maxlength="20"
                            prop:value=move || name.get()
                            on:input=move |ev| { name.set(event_target_value(&ev)); check.value().set(None); }
                            on:blur=move |_| check_name() />
                    </label>
                    <p class="field-hint" data-testid="name-problem">
                        {move || match (name_problem_now(), check.value().get()) {
                            (Some(p), _) if !name.get().is_empty() => view! { <span class="field-error">{format!("{}.", capitalise(&p))}</span> }.into_any(),
                            (None, Some(Err(e))) => view! { <span class="field-error">{format!("The API refuses this name: {}", match e { AppError::Upstream { message, .. } => message, other => other.to_string() })}</span> }.into_any(),
                            (None, Some(Ok(_))) if checked.get() == Some(name.get()) => view! { <span class="muted" data-testid="name-available">"The name is available (CheckAccountName)."</span> }.into_any(),
                            _ => view! { <span class="muted">"2–16 characters: lowercase letters, digits and _; a letter first, a letter or digit last."</span> }.into_any(),
                        }}
                    </p>
                    <label>
                        <span>"Type"</span>
                        <select data-testid="account-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="Normal">"Normal: privileges granted per database"</option>
                            <option value="Super">"Super: every privilege on every database"</option>
                        </select>
                    </label>
                    <label>
                        <span>"Description (optional)"</span>
                        <input type="text" data-testid="account-description-input" maxlength="260"
                            prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev)) />
                    </label>
                    {move || description_problem_now().map(|p| view! { <FieldHint problem=Signal::stored(Some(problem_line("", &p))) /> })}
                    <label>
                        <span>"Password"</span>
                        <input type="password" autocomplete="new-password" data-testid="account-password" maxlength="40"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>"Password again"</span>
                        <input type="password" autocomplete="new-password" data-testid="account-password-again" maxlength="40"
                            prop:value=move || again.get()
                            on:input=move |ev| again.set(event_target_value(&ev)) />
                    </label>
                    <FieldHint testid="password-problem"
                        problem=Signal::derive(move || password_problem_now().or_else(again_problem_now).filter(|_| !password.get().is_empty()).map(|p| problem_line("", &p)))
                        hint=format!("8–32 characters with at least three of: uppercase, lowercase, digits, specials {SPECIALS}. It is not shown again.") />
                    {change_error(create.value())}
                    <div class="modal-actions">
                        <button type="button" class="small" data-testid="cancel-create" on:click=move |_| { forget_passwords(); creating.set(false); }>"Cancel"</button>
                        <button type="submit" class="small primary-small" data-testid="submit-create"
                            disabled=move || create_problem_now().is_some() || create.pending().get()>
                            {move || if create.pending().get() { "Creating…" } else { "Create account" }}
                        </button>
                    </div>
                </form>
            </section>
        })}

        {move || dialog.get().map(|dl| {
            let pending = move || describe.pending().get() || reset.pending().get() || delete.pending().get();
            let (title, fields, button, danger) = match &dl {
                AccountDialog::Description(n) => (
                    format!("Description of {n}"),
                    view! {
                        <Field label="Description" testid="description-problem"
                            problem=Signal::derive(move || account_description_problem(&description.get(), false).map(|p| problem_line("", &p)))>
                            <input type="text" data-testid="description-input" maxlength="260"
                                prop:value=move || description.get()
                                on:input=move |ev| description.set(event_target_value(&ev)) />
                        </Field>
                        {change_error(describe.value())}
                    }.into_any(),
                    "Save",
                    false,
                ),
                AccountDialog::Password(n) => (
                    format!("Reset the password of {n}"),
                    view! {
                        <p class="muted">"Connections already open keep working; new ones need the new password. It is not shown again."</p>
                        <label>
                            <span>"New password"</span>
                            <input type="password" autocomplete="new-password" data-testid="new-password" maxlength="40"
                                prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            <span>"New password again"</span>
                            <input type="password" autocomplete="new-password" data-testid="new-password-again" maxlength="40"
                                prop:value=move || again.get()
                                on:input=move |ev| again.set(event_target_value(&ev)) />
                        </label>
                        <FieldHint testid="new-password-problem"
                            problem=Signal::derive(move || password_problem_now().or_else(again_problem_now).filter(|_| !password.get().is_empty()).map(|p| problem_line("", &p)))
                            hint=format!("8–32 characters with at least three of: uppercase, lowercase, digits, specials {SPECIALS}.") />
                        {change_error(reset.value())}
                    }.into_any(),
                    "Reset password",
                    false,
                ),
                AccountDialog::Delete(a) => (
                    format!("Delete account {}?", a.name),
                    view! {
                        <p>{format!(
                            "Applications connecting as {} can no longer sign in. {}This cannot be undone.",
                            a.name,
                            if a.kind == "Super" { "It is a Super account. " } else { "" }
                        )}</p>
                        {(!a.privileges.is_empty()).then(|| view! {
                            <p class="muted">{format!("It has privileges on: {}. An account that owns a database cannot be deleted until the database is.", a.privileges.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>().join(", "))}</p>
                        })}
                        {change_error(delete.value())}
                    }.into_any(),
                    "Delete account",
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
                            <button type="button" class="small" data-testid="cancel-dialog" data-autofocus on:click=move |_| close_dialog()>"Cancel"</button>
                            <button type="submit" class="small solid" class:danger=danger class:primary-small=!danger data-testid="confirm-dialog"
                                disabled=move || pending() || blocked()>
                                {move || if pending() { "Sending…" } else { button }}
                            </button>
                        </DialogActions>
                    </form>
                </Dialog>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_follow_the_reference() {
        assert_eq!(account_name_problem("test_acc"), None);
        assert_eq!(account_name_problem("ab"), None);
        assert!(account_name_problem("a").unwrap().contains("2 to 16"));
        assert!(account_name_problem("Test").unwrap().contains("lowercase"));
        assert!(account_name_problem("1abc").unwrap().contains("start"));
        assert!(account_name_problem("abc_").unwrap().contains("end"));
        assert!(account_name_problem("abcdefghijklmnopq").is_some());
        assert!(account_name_problem("root").unwrap().contains("reserved"));
        assert!(account_name_problem("pg_monitor")
            .unwrap()
            .contains("reserved"));
    }

    #[test]
    fn passwords_follow_the_reference() {
        assert_eq!(password_problem("Test1111"), None);
        assert_eq!(password_problem("test_1111"), None);
        assert!(password_problem("test1111").unwrap().contains("three"));
        assert!(password_problem("Te1!").unwrap().contains("8 to 32"));
        assert!(password_problem(&"Aa1".repeat(11))
            .unwrap()
            .contains("8 to 32"));
        let space = password_problem("Test 1111!").unwrap();
        assert!(space.contains("a space"), "{space}");
        assert!(password_problem("Test1111~")
            .unwrap()
            .contains("only letters"));
        assert!(!password_problem("Secret~99").unwrap().contains("Secret"));
        assert_eq!(passwords_problem("Test1111", "Test1111"), None);
        assert!(passwords_problem("Test1111", "Test1112")
            .unwrap()
            .contains("differ"));
    }

    #[test]
    fn descriptions() {
        assert_eq!(account_description_problem("", true), None);
        assert!(account_description_problem("", false).is_some());
        assert!(account_description_problem("x", true).is_some());
        assert!(account_description_problem("https://a", true).is_some());
        assert_eq!(account_description_problem("app user", false), None);
    }
}
