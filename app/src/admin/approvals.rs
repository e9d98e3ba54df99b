//! `/settings/approvals`: which writes wait for approvals — by action, cloud account,
//! region and tag (say `env=prod`) — how many, from which roles, and for how long.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::approvals_api::{approval_policies, AddApprovalPolicy, DeleteApprovalPolicy};
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddApprovalPolicy>::new();
    let delete = ServerAction::<DeleteApprovalPolicy>::new();
    let view_ = Resource::new(
        move || (add.version().get(), delete.version().get()),
        |_| approval_policies(),
    );
    view! {
        <Title text=move || t_string!(i18n, admin.appr_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, admin.appr_title)}</h1>
            <p class="muted">{t!(i18n, admin.appr_lead)}</p>
        </div>
        {form_error(delete.value())}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match view_.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(v) => {
                        // A filter left empty matches anything (in the language in use).
                        let any = move |s: String| move || if s.is_empty() { t_string!(i18n, admin.any).to_string() } else { s.clone() };
                        view! {
                            {if v.policies.is_empty() {
                                (move || view! { <Empty title=t_string!(i18n, admin.appr_empty) hint=t_string!(i18n, admin.appr_empty_hint) /> }).into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="policies-table">
                                        <thead><tr><th>{t!(i18n, admin.name)}</th><th>{t!(i18n, admin.appr_actions)}</th><th>{t!(i18n, admin.cloud_account)}</th><th>{t!(i18n, admin.region)}</th><th>{t!(i18n, admin.tag)}</th><th class="num">{t!(i18n, admin.appr_approvals)}</th><th>{t!(i18n, admin.appr_from)}</th><th class="num">{t!(i18n, admin.appr_expires_h)}</th><th></th></tr></thead>
                                        <tbody>
                                            {v.policies.into_iter().map(|p| {
                                                let tag = match (p.tag_key.is_empty(), p.tag_value.is_empty()) {
                                                    (true, _) => String::new(),
                                                    (false, true) => p.tag_key.clone(),
                                                    (false, false) => format!("{}={}", p.tag_key, p.tag_value),
                                                };
                                                let actions = p.actions.join(", ");
                                                view! {
                                                    <tr data-policy=p.name.clone()>
                                                        <td><strong>{p.name.clone()}</strong></td>
                                                        <td class="small">{move || if actions.is_empty() { t_string!(i18n, admin.appr_every_write).to_string() } else { actions.clone() }}</td>
                                                        <td>{any(p.cloud_account.clone())}</td>
                                                        <td>{any(p.region.clone())}</td>
                                                        <td class="mono">{any(tag)}</td>
                                                        <td class="num">{p.approvals}</td>
                                                        <td>{p.approver_roles.iter().map(|r| crate::kit::role_word(r)).collect::<Vec<_>>().join(", ")}</td>
                                                        <td class="num">{p.expires_hours}</td>
                                                        <td class="actions">
                                                            <ActionForm action=delete attr:class="inline-form">
                                                                <input type="hidden" name="id" value=p.id.clone() />
                                                                <button type="submit" class="small danger">{t!(i18n, admin.remove)}</button>
                                                            </ActionForm>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                            <h2>{t!(i18n, admin.appr_add_heading)}</h2>
                            <ActionForm action=add attr:class="stack-form" attr:data-testid="add-policy">
                                <label><span>{t!(i18n, admin.name)}</span><input type="text" name="name" required maxlength="64" placeholder="prod-destructive" /></label>
                                <label><span>{t!(i18n, admin.appr_actions_label)}</span>
                                    <input type="text" name="actions" list="writes" placeholder="DeleteDBCluster, FailoverDBCluster, DeleteDBNodes" /></label>
                                <datalist id="writes">
                                    {v.writes.iter().map(|w| view! { <option value=w.clone()></option> }).collect_view()}
                                </datalist>
                                <label><span>{t!(i18n, admin.cloud_account_any)}</span><input type="text" name="cloud_account" maxlength="64" /></label>
                                <label><span>{t!(i18n, admin.region_any)}</span><input type="text" name="region" maxlength="64" pattern="[a-z0-9-]*" placeholder="cn-hangzhou" /></label>
                                <label><span>{t!(i18n, admin.appr_tag_key_any)}</span><input type="text" name="tag_key" maxlength="128" placeholder="env" /></label>
                                <label><span>{t!(i18n, admin.tag_value_any)}</span><input type="text" name="tag_value" maxlength="128" placeholder="prod" /></label>
                                <label><span>{t!(i18n, admin.appr_needed)}</span><input type="number" name="approvals" min="1" max="5" value="1" required /></label>
                                <label><span>{t!(i18n, admin.appr_roles_label)}</span><input type="text" name="approver_roles" required value="admin" placeholder={v.roles.join(", ")} /></label>
                                <label><span>{t!(i18n, admin.appr_expire_label)}</span><input type="number" name="expires_hours" min="1" max="720" value="72" /></label>
                                {form_error(add.value())}
                                <button type="submit" class="primary">{t!(i18n, admin.appr_add)}</button>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
