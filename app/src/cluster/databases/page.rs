//! The databases tab: the list, creating a database, deleting one after typing its name.

use super::*;
use crate::kit::waiting;

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/databases`.
#[component]
pub fn ClusterDatabasesPage() -> impl IntoView {
    view! {
        <Databases />
    }
}

pub(super) fn distinct<'a>(it: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    out
}

#[component]
pub(super) fn Databases() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<ClusterCtx>();
    let hydrated = ctx.hydrated;
    let reload = section_reload(ctx);
    let data = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(s, _)| databases_view(s.account, s.region, s.id),
    );
    let create = ServerAction::<CreateDatabase>::new();
    let delete = ServerAction::<DeleteDatabase>::new();

    let creating = RwSignal::new(false);
    let deleting = RwSignal::new(None::<DatabaseRow>);
    let typed = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let charset = RwSignal::new(String::new());
    let collate = RwSignal::new(String::new());
    let ctype = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let privilege = RwSignal::new("ReadWrite".to_string());
    let done = RwSignal::new(None::<String>);

    ctx.after_success(create.value(), move || {
        creating.set(false);
        reload.update(|n| *n += 1);
        done.set(Some(
            t_string!(
                i18n,
                cluster_access.database_created,
                name = name.get_untracked()
            )
            .to_string(),
        ));
    });
    ctx.after_success(delete.value(), move || {
        deleting.set(None);
        reload.update(|n| *n += 1);
        done.set(Some(
            t_string!(i18n, cluster_access.database_deleted).to_string(),
        ));
    });

    let cluster = move || ctx.data.get().and_then(|r| r.ok());
    let current = move || data.get().and_then(|r| r.ok());
    let variables = move || current().map(|d| d.variables).unwrap_or_default();
    let charsets = move || distinct(variables().iter().map(|v| v.charset.as_str()));
    let collates = move || {
        let c = charset.get();
        distinct(
            variables()
                .iter()
                .filter(|v| v.charset == c)
                .map(|v| v.collate.as_str()),
        )
    };
    let ctypes = move || {
        let (c, l) = (charset.get(), collate.get());
        distinct(
            variables()
                .iter()
                .filter(|v| v.charset == c && v.collate == l)
                .map(|v| v.ctype.as_str()),
        )
    };
    let owners = move || current().map(|d| d.owners).unwrap_or_default();
    let create_problem_now = move || -> Option<String> {
        let n = name.get();
        if let Some(p) = db_name_problem(&n) {
            return Some(p);
        }
        if current().is_some_and(|d| d.databases.iter().any(|x| x.name == n)) {
            return Some(t_string!(i18n, cluster_access.database_exists, name = n).to_string());
        }
        if let Some(p) = account_description_problem(&description.get(), false) {
            return Some(p);
        }
        if charset.get().is_empty() {
            return Some(t_string!(i18n, cluster_access.choose_charset).to_string());
        }
        if collate.get().is_empty() || ctype.get().is_empty() {
            return Some(t_string!(i18n, cluster_access.choose_collation).to_string());
        }
        if owner.get().is_empty() {
            return Some(if owners().is_empty() {
                t_string!(i18n, cluster_access.owner_none).to_string()
            } else {
                t_string!(i18n, cluster_access.choose_owner).to_string()
            });
        }
        None
    };
    // Keeps the choices consistent: a charset change picks its first collation, and so on.
    let pick_charset = move |c: String| {
        charset.set(c);
        let l = collates().into_iter().next().unwrap_or_default();
        collate.set(l);
        ctype.set(ctypes().into_iter().next().unwrap_or_default());
    };

    let open_create = move |_| {
        name.set(String::new());
        description.set(String::new());
        privilege.set("ReadWrite".into());
        owner.set(owners().into_iter().next().unwrap_or_default());
        let first = charsets();
        let utf8 = first
            .iter()
            .find(|c| c.eq_ignore_ascii_case("utf8"))
            .or(first.first())
            .cloned()
            .unwrap_or_default();
        pick_charset(utf8);
        create.value().set(None);
        done.set(None);
        creating.set(true);
    };
    let submit_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = cluster() else { return };
        if create_problem_now().is_some() {
            return;
        }
        create.dispatch(CreateDatabase {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            name: name.get_untracked(),
            description: description.get_untracked(),
            charset: charset.get_untracked(),
            collate: collate.get_untracked(),
            ctype: ctype.get_untracked(),
            owner: owner.get_untracked(),
            privilege: privilege.get_untracked(),
        });
    };
    let confirm_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(d), Some(db)) = (cluster(), deleting.get_untracked()) else {
            return;
        };
        if typed.get_untracked().trim() != db.name {
            return;
        }
        delete.dispatch(DeleteDatabase {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            name: db.name,
            confirm: typed.get_untracked().trim().to_string(),
        });
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="databases-done">{m}</div> })}
        <Transition fallback=move || view! { <Loading label=t_string!(i18n, cluster_access.reading_databases) /> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let can_delete = v.can_delete;
                let dash = |s: &str| if s.is_empty() { "—".to_string() } else { s.to_string() };
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="databases-summary">{let n = v.databases.len(); move || t_string!(i18n, cluster_access.databases_summary, n = n).to_string()}</p>
                        <div class="toolbar-actions">
                            {v.can_create.then(|| view! {
                                <button type="button" class="small" data-testid="create-database"
                                    title=move || waiting(hydrated)
                                    disabled=move || !hydrated.get() on:click=open_create>{t!(i18n, cluster_access.create_database)}</button>
                            })}
                        </div>
                    </div>
                    {if v.databases.is_empty() {
                        view! { <Empty title=t_string!(i18n, cluster_access.no_database) hint=t_string!(i18n, cluster_access.no_database_hint) /> }.into_any()
                    } else {
                        let columns = vec![
                            Column::new(t_string!(i18n, cluster_access.col_database)).sorted_by(|d: &DatabaseRow| SortKey::text(&d.name)),
                            Column::new(t_string!(i18n, cluster_access.status)).sorted_by(|d: &DatabaseRow| SortKey::text(&d.status)),
                            Column::new(t_string!(i18n, cluster_access.col_owner)).sorted_by(|d: &DatabaseRow| SortKey::text(&d.owner)),
                            Column::new(t_string!(i18n, cluster_access.col_charset)).sorted_by(|d: &DatabaseRow| SortKey::text(&d.charset)),
                            Column::new(t_string!(i18n, cluster_access.description)).sorted_by(|d: &DatabaseRow| SortKey::text(&d.description)),
                            Column::new(""),
                        ];
                        let row = move |d: &DatabaseRow| {
                            let row = d.clone();
                            let others = d.accounts.iter().filter(|(a, _)| *a != d.owner).cloned().collect::<Vec<_>>();
                            let status = d.status.clone();
                            view! {
                                <tr data-database=d.name.clone() data-status=d.status.clone()>
                                    <td class="mono nowrap">{d.name.clone()}</td>
                                    <td>{move || crate::kit::api_word(&status)}</td>
                                    <td class="mono" data-testid="database-owner">
                                        {dash(&d.owner)}
                                        {(!others.is_empty()).then(|| view! { <div class="muted small">{move || t_string!(i18n, cluster_access.also, accounts = others.iter().map(|(a, p)| format!("{a}: {}", crate::kit::api_word(p))).collect::<Vec<_>>().join(", "))}</div> })}
                                    </td>
                                    <td class="mono" data-testid="database-charset">{dash(&d.charset)}</td>
                                    <td>{d.description.clone()}</td>
                                    <td><div class="row-actions">
                                        {can_delete.then(|| view! {
                                            <button type="button" class="small danger" data-testid="delete-database"
                                                disabled=move || !hydrated.get()
                                                title=move || waiting(hydrated)
                                                on:click=move |_| {
                                                    typed.set(String::new());
                                                    delete.value().set(None);
                                                    done.set(None);
                                                    deleting.set(Some(row.clone()));
                                                }>{t!(i18n, cluster_access.delete)}</button>
                                        })}
                                    </div></td>
                                </tr>
                            }.into_any()
                        };
                        let text: fn(&DatabaseRow) -> String = |d| format!("{} {} {} {} {}", d.name, d.status, d.owner, d.charset, d.description);
                        view! {
                            <DataTable rows=v.databases.clone() columns row testid="databases-table" noun=t_string!(i18n, cluster_access.noun_database) text />
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>

        {move || creating.get().then(|| view! {
            <section class="panel form-panel" data-testid="create-database-panel">
                <h2>{t!(i18n, cluster_access.create_database_heading)}</h2>
                <form class="stack-form" on:submit=submit_create>
                    <label>
                        <span>{t!(i18n, cluster_access.database_name)}</span>
                        <input type="text" class="mono" data-testid="database-name" autocomplete="off" spellcheck="false" maxlength="70"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.description)}</span>
                        <input type="text" data-testid="database-description" maxlength="260"
                            prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.col_charset)}</span>
                        <select data-testid="database-charset-select" prop:value=move || charset.get()
                            on:change=move |ev| pick_charset(event_target_value(&ev))>
                            {move || charsets().into_iter().map(|c| { let sel = c == charset.get_untracked(); view! { <option value=c.clone() selected=sel>{c.clone()}</option> } }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.collation_label)}</span>
                        <select data-testid="database-collate-select" prop:value=move || collate.get()
                            on:change=move |ev| {
                                collate.set(event_target_value(&ev));
                                ctype.set(ctypes().into_iter().next().unwrap_or_default());
                            }>
                            {move || collates().into_iter().map(|c| { let sel = c == collate.get_untracked(); view! { <option value=c.clone() selected=sel>{c.clone()}</option> } }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.ctype_label)}</span>
                        <select data-testid="database-ctype-select" prop:value=move || ctype.get()
                            on:change=move |ev| ctype.set(event_target_value(&ev))>
                            {move || ctypes().into_iter().map(|c| { let sel = c == ctype.get_untracked(); view! { <option value=c.clone() selected=sel>{c.clone()}</option> } }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.owner_label)}</span>
                        <select data-testid="database-owner-select" prop:value=move || owner.get()
                            on:change=move |ev| owner.set(event_target_value(&ev))>
                            {move || owners().into_iter().map(|c| { let sel = c == owner.get_untracked(); view! { <option value=c.clone() selected=sel>{c.clone()}</option> } }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>{t!(i18n, cluster_access.owner_privilege)}</span>
                        <select data-testid="database-privilege" prop:value=move || privilege.get()
                            on:change=move |ev| privilege.set(event_target_value(&ev))>
                            {PRIVILEGES.iter().map(|p| view! { <option value=*p>{move || crate::kit::api_word(p)}</option> }).collect_view()}
                        </select>
                    </label>
                    <p class="field-hint" data-testid="database-problem">
                        {move || match create_problem_now() {
                            Some(p) if !name.get().is_empty() || owners().is_empty() => view! { <span class="field-error">{t_string!(i18n, cluster_access.sentence, text = capitalise(&p))}</span> }.into_any(),
                            _ => view! { <span class="muted">{t!(i18n, cluster_access.database_name_hint)}</span> }.into_any(),
                        }}
                    </p>
                    {change_error(create.value())}
                    <div class="modal-actions">
                        <button type="button" class="small" data-testid="cancel-create-database" on:click=move |_| creating.set(false)>{t!(i18n, cluster_access.cancel)}</button>
                        <button type="submit" class="small primary-small" data-testid="submit-create-database"
                            disabled=move || create_problem_now().is_some() || create.pending().get()>
                            {move || if create.pending().get() { t_string!(i18n, cluster_access.creating) } else { t_string!(i18n, cluster_access.create_database) }}
                        </button>
                    </div>
                </form>
            </section>
        })}

        {move || deleting.get().map(|db| {
            let want = db.name.clone();
            let matches = move || typed.get().trim() == want;
            view! {
                <Dialog title_id="db-delete-title" title=t_string!(i18n, cluster_access.delete_database_title, name = &db.name) testid="delete-database-dialog"
                    on_close=move || deleting.set(None)>
                    <p>{t_string!(
                        i18n,
                        cluster_access.delete_database_text,
                        name = &db.name,
                        owner = if db.owner.is_empty() { "—".to_string() } else { db.owner.clone() }
                    )}</p>
                    <form class="stack-form" on:submit=confirm_delete>
                        <label>
                            <span>{t_string!(i18n, cluster_access.type_to_confirm, name = &db.name)}</span>
                            <input type="text" class="mono" autocomplete="off" spellcheck="false" data-testid="delete-database-input"
                                data-autofocus
                                prop:value=move || typed.get()
                                on:input=move |ev| typed.set(event_target_value(&ev)) />
                        </label>
                        {change_error(delete.value())}
                        <DialogActions>
                            <button type="button" class="small" data-testid="cancel-delete-database" on:click=move |_| deleting.set(None)>{t!(i18n, cluster_access.cancel)}</button>
                            <button type="submit" class="small danger solid" data-testid="confirm-delete-database"
                                disabled=move || !matches() || delete.pending().get()>
                                {move || if delete.pending().get() { t_string!(i18n, cluster_access.deleting) } else { t_string!(i18n, cluster_access.delete_database) }}
                            </button>
                        </DialogActions>
                    </form>
                </Dialog>
            }
        })}
    }
}
