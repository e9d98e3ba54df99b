//! `/settings/notifications`: channels (webhook, DingTalk, Feishu/Lark, WeCom, Slack),
//! the rules that route events to them, a test button and each channel's delivery log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::notify_api::{
    channel_deliveries, notifications, AddChannel, AddRule, DeleteChannel, DeleteRule,
    SetChannelEnabled, TestChannel,
};
use crate::kit::{form_error, Empty, ErrorBox, Loading};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let add = ServerAction::<AddChannel>::new();
    let toggle = ServerAction::<SetChannelEnabled>::new();
    let delete = ServerAction::<DeleteChannel>::new();
    let test = ServerAction::<TestChannel>::new();
    let add_rule = ServerAction::<AddRule>::new();
    let delete_rule = ServerAction::<DeleteRule>::new();
    let view_ = Resource::new(
        move || {
            (
                add.version().get(),
                toggle.version().get(),
                delete.version().get(),
                add_rule.version().get(),
                delete_rule.version().get(),
                test.version().get(),
            )
        },
        |_| notifications(),
    );
    view! {
        <Title text="Notifications" />
        <div class="page-head">
            <h1>"Notifications"</h1>
            <p class="muted">"Channels receive what the rules route to them. URLs and signing secrets are encrypted at rest and never shown again; deliveries are retried with backoff and logged per channel."</p>
        </div>
        {move || test.value().get().map(|r| match r {
            Ok(d) => view! {
                <div class=if d.state == "sent" { "banner banner-ok" } else { "banner banner-error" } role="status" data-testid="test-result">
                    {if d.state == "sent" {
                        format!("Test message delivered (HTTP {}).", d.last_status.unwrap_or(200))
                    } else {
                        format!("Test message not delivered: {} It is retried with backoff.", d.last_error)
                    }}
                </div>
            }.into_any(),
            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
        })}
        {form_error(toggle.value())}
        {form_error(delete.value())}
        {form_error(delete_rule.value())}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match view_.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(v) => {
                        let names: Vec<(String, String)> = v.channels.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
                        let name_of = {
                            let names = names.clone();
                            move |id: &str| names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_default()
                        };
                        view! {
                            <h2>"Channels"</h2>
                            {if v.channels.is_empty() {
                                view! { <Empty title="No channels yet." hint="Add one below; nothing is sent until a rule routes events to it." /> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="channels-table">
                                        <thead><tr><th>"Name"</th><th>"Kind"</th><th>"Receiver"</th><th>"Signed"</th><th>"Status"</th><th></th></tr></thead>
                                        <tbody>
                                            {v.channels.into_iter().map(|c| {
                                                let (id1, id2, id3, id4) = (c.id.clone(), c.id.clone(), c.id.clone(), c.id.clone());
                                                view! {
                                                <tr data-channel=c.name.clone()>
                                                    <td><strong>{c.name.clone()}</strong></td>
                                                    <td>{c.kind.clone()}</td>
                                                    <td class="mono">{c.url_shown.clone()}</td>
                                                    <td>{if c.signed { "yes" } else { "no" }}</td>
                                                    <td>{if c.enabled { view! { <span class="badge badge-ok">"Enabled"</span> }.into_any() } else { view! { <span class="badge badge-bad">"Disabled"</span> }.into_any() }}</td>
                                                    <td class="actions">
                                                        <ActionForm action=test attr:class="inline-form">
                                                            <input type="hidden" name="id" value=id1 />
                                                            <button type="submit" class="small">"Send test"</button>
                                                        </ActionForm>
                                                        <ActionForm action=toggle attr:class="inline-form">
                                                            <input type="hidden" name="id" value=id2 />
                                                            <input type="hidden" name="enabled" value=if c.enabled { "false" } else { "true" } />
                                                            <button type="submit" class="small">{if c.enabled { "Disable" } else { "Enable" }}</button>
                                                        </ActionForm>
                                                        <Deliveries id=id3 />
                                                        <details class="inline-details">
                                                            <summary class="small-link danger">"Delete"</summary>
                                                            <ActionForm action=delete attr:class="inline-form">
                                                                <input type="hidden" name="id" value=id4 />
                                                                <span class="muted">"Its rules and delivery log go with it."</span>
                                                                <button type="submit" class="small danger">"Delete for good"</button>
                                                            </ActionForm>
                                                        </details>
                                                    </td>
                                                </tr>
                                            }}).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                            <h2>"Rules"</h2>
                            {if v.rules.is_empty() {
                                view! { <Empty title="No rules yet." hint="A rule sends an event (or every event) to a channel, for a cloud account, region or tag you choose." /> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="rules-table">
                                        <thead><tr><th>"Channel"</th><th>"Events"</th><th>"Cloud account"</th><th>"Region"</th><th>"Tag"</th><th></th></tr></thead>
                                        <tbody>
                                            {v.rules.into_iter().map(|r| {
                                                let any = |s: &str| if s.is_empty() { "any".to_string() } else { s.to_string() };
                                                let tag = match (r.tag_key.is_empty(), r.tag_value.is_empty()) {
                                                    (true, _) => "any".to_string(),
                                                    (false, true) => r.tag_key.clone(),
                                                    (false, false) => format!("{}={}", r.tag_key, r.tag_value),
                                                };
                                                view! {
                                                    <tr>
                                                        <td>{name_of(&r.channel)}</td>
                                                        <td>{if r.events.is_empty() { "every event".to_string() } else { r.events.join(", ") }}</td>
                                                        <td>{any(&r.cloud_account)}</td>
                                                        <td>{any(&r.region)}</td>
                                                        <td class="mono">{tag}</td>
                                                        <td class="actions">
                                                            <ActionForm action=delete_rule attr:class="inline-form">
                                                                <input type="hidden" name="id" value=r.id.clone() />
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
                            {(!names.is_empty()).then(|| view! {
                                <h3>"Add a rule"</h3>
                                <ActionForm action=add_rule attr:class="stack-form" attr:data-testid="add-rule">
                                    <label><span>"Channel"</span>
                                        <select name="channel" required>
                                            {names.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label><span>"Event"</span>
                                        <select name="event">
                                            <option value="">"every event"</option>
                                            {v.events.iter().map(|e| view! { <option value=e.clone()>{e.replace('_', " ")}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label><span>"Cloud account (empty: any)"</span><input type="text" name="cloud_account" maxlength="64" /></label>
                                    <label><span>"Region (empty: any)"</span><input type="text" name="region" maxlength="64" placeholder="cn-hangzhou" pattern="[a-z0-9-]*" /></label>
                                    <label><span>"Tag key (empty: any)"</span><input type="text" name="tag_key" maxlength="128" placeholder="env" /></label>
                                    <label><span>"Tag value (empty: any value)"</span><input type="text" name="tag_value" maxlength="128" placeholder="prod" /></label>
                                    {form_error(add_rule.value())}
                                    <button type="submit" class="primary">"Add rule"</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <h2>"Add a channel"</h2>
        <ActionForm action=add attr:class="stack-form" attr:data-testid="add-channel">
            <label><span>"Name"</span><input type="text" name="name" required maxlength="64" placeholder="on-call" /></label>
            <label><span>"Kind"</span>
                <select name="kind">
                    <option value="webhook">"Webhook (JSON, X-Polar-Signature)"</option>
                    <option value="dingtalk">"DingTalk robot"</option>
                    <option value="feishu">"Feishu / Lark bot"</option>
                    <option value="wecom">"WeCom robot"</option>
                    <option value="slack">"Slack incoming webhook"</option>
                </select>
            </label>
            <label><span>"URL (https; shown afterwards as its host only)"</span><input type="url" name="url" required maxlength="2048" placeholder="https://oapi.dingtalk.com/robot/send?access_token=…" /></label>
            <label><span>"Signing secret: required for a webhook (16–256 characters), optional for DingTalk and Feishu, none for WeCom and Slack"</span><input type="password" name="secret" autocomplete="new-password" maxlength="256" /></label>
            {form_error(add.value())}
            <button type="submit" class="primary">"Add channel"</button>
        </ActionForm>
    }
}

/// A channel's delivery log (read with the page, so it opens without the wasm too).
#[component]
fn Deliveries(id: String) -> impl IntoView {
    let log = Resource::new(
        || (),
        move |_| {
            let id = id.clone();
            async move { channel_deliveries(id).await.map(Some) }
        },
    );
    view! {
        <details class="inline-details">
            <summary class="small-link">"Deliveries"</summary>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(list)) if list.is_empty() => view! { <p class="muted">"Nothing sent yet."</p> }.into_any(),
                        Ok(Some(list)) => view! {
                            <table class="grid compact" data-testid="deliveries">
                                <thead><tr><th>"Queued"</th><th>"Event"</th><th>"State"</th><th>"Attempts"</th><th>"Last answer"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| view! {
                                        <tr>
                                            <td class="mono">{d.created_at}</td>
                                            <td>{d.title}</td>
                                            <td>{d.state}</td>
                                            <td>{d.attempts}</td>
                                            <td>{match (d.last_status, d.last_error.is_empty()) {
                                                (Some(s), true) => format!("HTTP {s}"),
                                                (_, false) => d.last_error,
                                                (None, true) => String::new(),
                                            }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </details>
    }
}
