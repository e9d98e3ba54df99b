//! `/settings/accounts`: cloud accounts and their AccessKeys (Admin).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::vault_api::{
    list_cloud_accounts, AddCloudAccount, DeleteCloudAccount, RotateCloudAccount,
    SetCloudAccountEnabled, TestCloudAccount,
};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

#[component]
pub fn CloudAccountsPage() -> impl IntoView {
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
        <Title text="Cloud accounts" />
        <div class="page-head">
            <h1>"Cloud accounts"</h1>
            <p class="muted">"AccessKeys are encrypted at rest (AES-256-GCM) and never sent back to a browser."</p>
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
                    Ok(list) if list.is_empty() => view! { <Empty title="No cloud accounts yet." hint="Add one below." /> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                        <table class="grid" data-testid="accounts-table">
                            <thead><tr><th>"Name"</th><th>"AccessKeyId"</th><th>"Regions"</th><th>"Signature"</th><th>"Endpoint"</th><th>"Rotated"</th><th>"Last used"</th><th>"Status"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| {
                                    let (id1, id2, id3) = (a.id.clone(), a.id.clone(), a.id.clone());
                                    let name = a.name.clone();
                                    view! {
                                        <tr data-account=a.name.clone()>
                                            <td><strong>{a.name.clone()}</strong></td>
                                            <td class="mono">{a.masked_key_id.clone()}</td>
                                            <td>{if a.regions.is_empty() { "all (DescribeRegions)".to_string() } else { a.regions.join(", ") }}</td>
                                            <td>{a.signature.clone()}</td>
                                            <td class="mono">{if a.endpoint.is_empty() { "Alibaba Cloud".to_string() } else { a.endpoint.clone() }}</td>
                                            <td class="mono">{a.rotated.clone()}</td>
                                            <td class="mono">{a.last_used.clone()}</td>
                                            <td>{if a.enabled { view! { <span class="badge badge-ok">"Enabled"</span> }.into_any() } else { view! { <span class="badge badge-bad">"Disabled"</span> }.into_any() }}</td>
                                            <td class="actions">
                                                <ActionForm action=test attr:class="inline-form">
                                                    <input type="hidden" name="name" value=name />
                                                    <button type="submit" class="small">"Test"</button>
                                                </ActionForm>
                                                <ActionForm action=toggle attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id1 />
                                                    <input type="hidden" name="enabled" value=if a.enabled { "false" } else { "true" } />
                                                    <button type="submit" class="small">{if a.enabled { "Disable" } else { "Enable" }}</button>
                                                </ActionForm>
                                                <details class="inline-details">
                                                    <summary class="small-link">"Rotate key"</summary>
                                                    <ActionForm action=rotate attr:class="stack-form compact">
                                                        <input type="hidden" name="id" value=id2 />
                                                        <label><span>"New AccessKeyId (optional)"</span><input type="text" name="access_key_id" autocomplete="off" /></label>
                                                        <label><span>"New AccessKeySecret"</span><input type="password" name="access_key_secret" required autocomplete="new-password" /></label>
                                                        <button type="submit" class="small">"Rotate"</button>
                                                    </ActionForm>
                                                </details>
                                                <details class="inline-details">
                                                    <summary class="small-link danger">"Delete"</summary>
                                                    <ActionForm action=delete attr:class="inline-form">
                                                        <input type="hidden" name="id" value=id3 />
                                                        <span class="muted">"Its clusters disappear from the console (nothing changes in Alibaba Cloud)."</span>
                                                        <button type="submit" class="small danger">"Delete for good"</button>
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
        <h2>"Add a cloud account"</h2>
        <ActionForm action=add attr:class="stack-form" attr:data-testid="add-account">
            <label><span>"Name"</span><input type="text" name="name" required maxlength="64" placeholder="production" /></label>
            <label><span>"AccessKeyId"</span><input type="text" name="access_key_id" required autocomplete="off" pattern="[A-Za-z0-9]{8,128}" /></label>
            <label><span>"AccessKeySecret"</span><input type="password" name="access_key_secret" required autocomplete="new-password" /></label>
            <label><span>"Regions to show (comma-separated; empty: every region DescribeRegions returns)"</span><input type="text" name="regions" placeholder="cn-hangzhou, cn-shanghai" /></label>
            <label><span>"Signature version"</span>
                <select name="signature_version">
                    <option value="v3" selected>"v3 (ACS3-HMAC-SHA256)"</option>
                    <option value="v2">"v2 (HMAC-SHA1)"</option>
                </select>
            </label>
            <label><span>"Endpoint override (optional, http(s) URL)"</span><input type="url" name="endpoint" placeholder="https://polardb.vpc-proxy.internal/" /></label>
            <label class="check"><input type="checkbox" name="emulator" value="on" /><span>"Local emulator: its endpoint may be plain http (https otherwise; loopback and private addresses only where the operator allows them)"</span></label>
            {form_error(add.value())}
            <button type="submit" class="primary">"Add cloud account"</button>
        </ActionForm>
    }
}
