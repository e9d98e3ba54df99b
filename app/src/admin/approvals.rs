//! `/settings/approvals`: which writes wait for approvals — by action, cloud account,
//! region and tag (say `env=prod`) — how many, from which roles, and for how long.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::approvals_api::{approval_policies, AddApprovalPolicy, DeleteApprovalPolicy};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let add = ServerAction::<AddApprovalPolicy>::new();
    let delete = ServerAction::<DeleteApprovalPolicy>::new();
    let view_ = Resource::new(
        move || (add.version().get(), delete.version().get()),
        |_| approval_policies(),
    );
    view! {
        <Title text="Approvals" />
        <div class="page-head">
            <h1>"Approvals"</h1>
            <p class="muted">"A write a policy covers is not sent until enough members of its approver roles approve it on its change page; the requester never approves their own. With no policy, changes are sent at once."</p>
        </div>
        {form_error(delete.value())}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match view_.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(v) => {
                        let any = |s: &str| if s.is_empty() { "any".to_string() } else { s.to_string() };
                        view! {
                            {if v.policies.is_empty() {
                                view! { <Empty title="No approval policies." hint="Every change is sent at once. Add a policy below, say for deletes and failovers on clusters tagged env=prod." /> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="policies-table">
                                        <thead><tr><th>"Name"</th><th>"Actions"</th><th>"Cloud account"</th><th>"Region"</th><th>"Tag"</th><th class="num">"Approvals"</th><th>"From"</th><th class="num">"Expires (h)"</th><th></th></tr></thead>
                                        <tbody>
                                            {v.policies.into_iter().map(|p| {
                                                let tag = match (p.tag_key.is_empty(), p.tag_value.is_empty()) {
                                                    (true, _) => "any".to_string(),
                                                    (false, true) => p.tag_key.clone(),
                                                    (false, false) => format!("{}={}", p.tag_key, p.tag_value),
                                                };
                                                view! {
                                                    <tr data-policy=p.name.clone()>
                                                        <td><strong>{p.name.clone()}</strong></td>
                                                        <td class="small">{if p.actions.is_empty() { "every write".to_string() } else { p.actions.join(", ") }}</td>
                                                        <td>{any(&p.cloud_account)}</td>
                                                        <td>{any(&p.region)}</td>
                                                        <td class="mono">{tag}</td>
                                                        <td class="num">{p.approvals}</td>
                                                        <td>{p.approver_roles.join(", ")}</td>
                                                        <td class="num">{p.expires_hours}</td>
                                                        <td class="actions">
                                                            <ActionForm action=delete attr:class="inline-form">
                                                                <input type="hidden" name="id" value=p.id.clone() />
                                                                <button type="submit" class="small danger">"Remove"</button>
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
                            <h2>"Add a policy"</h2>
                            <ActionForm action=add attr:class="stack-form" attr:data-testid="add-policy">
                                <label><span>"Name"</span><input type="text" name="name" required maxlength="64" placeholder="prod-destructive" /></label>
                                <label><span>"Actions (comma-separated; empty: every write)"</span>
                                    <input type="text" name="actions" list="writes" placeholder="DeleteDBCluster, FailoverDBCluster, DeleteDBNodes" /></label>
                                <datalist id="writes">
                                    {v.writes.iter().map(|w| view! { <option value=w.clone()></option> }).collect_view()}
                                </datalist>
                                <label><span>"Cloud account (empty: any)"</span><input type="text" name="cloud_account" maxlength="64" /></label>
                                <label><span>"Region (empty: any)"</span><input type="text" name="region" maxlength="64" pattern="[a-z0-9-]*" placeholder="cn-hangzhou" /></label>
                                <label><span>"Tag key (empty: any cluster)"</span><input type="text" name="tag_key" maxlength="128" placeholder="env" /></label>
                                <label><span>"Tag value (empty: any value)"</span><input type="text" name="tag_value" maxlength="128" placeholder="prod" /></label>
                                <label><span>"Approvals needed (1–5)"</span><input type="number" name="approvals" min="1" max="5" value="1" required /></label>
                                <label><span>"Approver roles (comma-separated)"</span><input type="text" name="approver_roles" required value="admin" placeholder={v.roles.join(", ")} /></label>
                                <label><span>"Approvals expire after (hours, 1–720)"</span><input type="number" name="expires_hours" min="1" max="720" value="72" /></label>
                                {form_error(add.value())}
                                <button type="submit" class="primary">"Add policy"</button>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
