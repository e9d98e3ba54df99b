//! `/settings/accounts`: cloud accounts and their AccessKeys (Admin).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::vault_api::{
    list_cloud_accounts, AddCloudAccount, DeleteCloudAccount, RotateCloudAccount,
    SetCloudAccountEnabled, TestCloudAccount,
};
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

#[component]
pub fn CloudAccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddCloudAccount>::new();
    let test = ServerAction::<TestCloudAccount>::new();
    let rotate = ServerAction::<RotateCloudAccount>::new();
    let toggle = ServerAction::<SetCloudAccountEnabled>::new();
    let delete = ServerAction::<DeleteCloudAccount>::new();
    let accounts = Resource::new(
        move || {
            (
                add.version().get(),
                rotate.version().get(),
                toggle.version().get(),
                delete.version().get(),
                test.version().get(),
            )
        },
        |_| list_cloud_accounts(),
    );
    view! {
        <Title text=move || t_string!(i18n, admin.accounts_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, admin.accounts_title)}</h1>
            <p class="muted">{t!(i18n, admin.accounts_lead)}</p>
        </div>
        {move || test.value().get().map(|r| match r {
            Ok(t) => view! {
                <div class=if t.ok { "banner banner-ok" } else { "banner banner-error" } role="status" data-testid="test-result">{t.message}</div>
            }.into_any(),
            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
        })}
        {form_error(rotate.value())}
        {form_error(toggle.value())}
        {form_error(delete.value())}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match accounts.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => (move || view! { <Empty title=t_string!(i18n, admin.accounts_empty) hint=t_string!(i18n, admin.add_one_below) /> }).into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                        <table class="grid" data-testid="accounts-table">
                            <thead><tr><th>{t!(i18n, admin.name)}</th><th>{t!(i18n, admin.access_key_id)}</th><th>{t!(i18n, admin.accounts_regions)}</th><th>{t!(i18n, admin.accounts_signature)}</th><th>{t!(i18n, admin.accounts_endpoint)}</th><th>{t!(i18n, admin.accounts_rotated)}</th><th>{t!(i18n, admin.accounts_last_used)}</th><th>{t!(i18n, admin.status)}</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| {
                                    let (id1, id2, id3) = (a.id.clone(), a.id.clone(), a.id.clone());
                                    let name = a.name.clone();
                                    let enabled = a.enabled;
                                    let (regions, endpoint) = (a.regions.join(", "), a.endpoint.clone());
                                    view! {
                                        <tr data-account=a.name.clone()>
                                            <td><strong>{a.name.clone()}</strong></td>
                                            <td class="mono">{a.masked_key_id.clone()}</td>
                                            <td>{move || if regions.is_empty() { t_string!(i18n, admin.accounts_all_regions).to_string() } else { regions.clone() }}</td>
                                            <td>{a.signature.clone()}</td>
                                            <td class="mono">{move || if endpoint.is_empty() { t_string!(i18n, admin.accounts_alibaba_cloud).to_string() } else { endpoint.clone() }}</td>
                                            <td class="mono">{a.rotated.clone()}</td>
                                            <td class="mono">{a.last_used.clone()}</td>
                                            <td>{if a.enabled { view! { <span class="badge badge-ok">{t!(i18n, admin.enabled)}</span> }.into_any() } else { view! { <span class="badge badge-bad">{t!(i18n, admin.disabled)}</span> }.into_any() }}</td>
                                            <td class="actions">
                                                <ActionForm action=test attr:class="inline-form">
                                                    <input type="hidden" name="name" value=name />
                                                    <button type="submit" class="small">{t!(i18n, admin.accounts_test)}</button>
                                                </ActionForm>
                                                <ActionForm action=toggle attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id1 />
                                                    <input type="hidden" name="enabled" value=if a.enabled { "false" } else { "true" } />
                                                    <button type="submit" class="small">{move || if enabled { t_string!(i18n, admin.disable) } else { t_string!(i18n, admin.enable) }}</button>
                                                </ActionForm>
                                                <details class="inline-details">
                                                    <summary class="small-link">{t!(i18n, admin.accounts_rotate_key)}</summary>
                                                    <ActionForm action=rotate attr:class="stack-form compact">
                                                        <input type="hidden" name="id" value=id2 />
                                                        <label><span>{t!(i18n, admin.accounts_new_key_id)}</span><input type="text" name="access_key_id" autocomplete="off" /></label>
                                                        <label><span>{t!(i18n, admin.accounts_new_key_secret)}</span><input type="password" name="access_key_secret" required autocomplete="new-password" /></label>
                                                        <button type="submit" class="small">{t!(i18n, admin.accounts_rotate)}</button>
                                                    </ActionForm>
                                                </details>
                                                <details class="inline-details">
                                                    <summary class="small-link danger">{t!(i18n, admin.delete)}</summary>
                                                    <ActionForm action=delete attr:class="inline-form">
                                                        <input type="hidden" name="id" value=id3 />
                                                        <span class="muted">{t!(i18n, admin.accounts_delete_note)}</span>
                                                        <button type="submit" class="small danger">{t!(i18n, admin.delete_for_good)}</button>
                                                    </ActionForm>
                                                </details>
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
        <h2>{t!(i18n, admin.accounts_add_heading)}</h2>
        <ActionForm action=add attr:class="stack-form" attr:data-testid="add-account">
            <label><span>{t!(i18n, admin.name)}</span><input type="text" name="name" required maxlength="64" placeholder="production" /></label>
            <label><span>{t!(i18n, admin.access_key_id)}</span><input type="text" name="access_key_id" required autocomplete="off" pattern="[A-Za-z0-9]{8,128}" /></label>
            <label><span>{t!(i18n, admin.access_key_secret)}</span><input type="password" name="access_key_secret" required autocomplete="new-password" /></label>
            <label><span>{t!(i18n, admin.accounts_regions_label)}</span><input type="text" name="regions" placeholder="cn-hangzhou, cn-shanghai" /></label>
            <label><span>{t!(i18n, admin.accounts_signature_version)}</span>
                <select name="signature_version">
                    <option value="v3" selected>{t!(i18n, admin.accounts_signature_v3)}</option>
                    <option value="v2">{t!(i18n, admin.accounts_signature_v2)}</option>
                </select>
            </label>
            <label><span>{t!(i18n, admin.accounts_endpoint_label)}</span><input type="url" name="endpoint" placeholder="https://polardb.vpc-proxy.internal/" /></label>
            <label class="check"><input type="checkbox" name="emulator" value="on" /><span>{t!(i18n, admin.accounts_emulator)}</span></label>
            {form_error(add.value())}
            <button type="submit" class="primary">{t!(i18n, admin.accounts_add)}</button>
        </ActionForm>
    }
}
