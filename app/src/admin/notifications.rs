//! `/settings/notifications`: channels (webhook, DingTalk, Feishu/Lark, WeCom, Slack),
//! the rules that route events to them, a test button and each channel's delivery log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::notify_api::{
    channel_deliveries, notifications, AddChannel, AddRule, DeleteChannel, DeleteRule,
    SetChannelEnabled, TestChannel,
};
use crate::i18n::{t, t_string, use_i18n};
use crate::kit::{api_word, form_error, Empty, ErrorBox, Loading};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
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
        <Title text=move || t_string!(i18n, admin.notif_title).to_string() />
        <div class="page-head">
            <h1>{t!(i18n, admin.notif_title)}</h1>
            <p class="muted">{t!(i18n, admin.notif_lead)}</p>
        </div>
        {move || test.value().get().map(|r| match r {
            Ok(d) => view! {
                <div class=if d.state == "sent" { "banner banner-ok" } else { "banner banner-error" } role="status" data-testid="test-result">
                    {if d.state == "sent" {
                        t!(i18n, admin.notif_test_delivered, status = d.last_status.unwrap_or(200)).into_any()
                    } else {
                        t!(i18n, admin.notif_test_not_delivered, error = d.last_error.clone()).into_any()
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
                            <h2>{t!(i18n, admin.notif_channels)}</h2>
                            {if v.channels.is_empty() {
                                (move || view! { <Empty title=t_string!(i18n, admin.notif_channels_empty) hint=t_string!(i18n, admin.notif_channels_empty_hint) /> }).into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="channels-table">
                                        <thead><tr><th>{t!(i18n, admin.name)}</th><th>{t!(i18n, admin.notif_kind)}</th><th>{t!(i18n, admin.notif_receiver)}</th><th>{t!(i18n, admin.notif_signed)}</th><th>{t!(i18n, admin.notif_language)}</th><th>{t!(i18n, admin.status)}</th><th></th></tr></thead>
                                        <tbody>
                                            {v.channels.into_iter().map(|c| {
                                                let (id1, id2, id3, id4) = (c.id.clone(), c.id.clone(), c.id.clone(), c.id.clone());
                                                let (kind, signed, enabled) = (c.kind.clone(), c.signed, c.enabled);
                                                view! {
                                                <tr data-channel=c.name.clone()>
                                                    <td><strong>{c.name.clone()}</strong></td>
                                                    <td>{move || api_word(&kind)}</td>
                                                    <td class="mono">{c.url_shown.clone()}</td>
                                                    <td>{move || if signed { t_string!(i18n, admin.yes) } else { t_string!(i18n, admin.no) }}</td>
                                                    <td data-testid="channel-language" data-language=c.language.clone()>{let chinese = c.language == "zh"; move || if chinese { t_string!(i18n, admin.notif_language_zh) } else { t_string!(i18n, admin.notif_language_en) }}</td>
                                                    <td>{if c.enabled { view! { <span class="badge badge-ok">{t!(i18n, admin.enabled)}</span> }.into_any() } else { view! { <span class="badge badge-bad">{t!(i18n, admin.disabled)}</span> }.into_any() }}</td>
                                                    <td class="actions">
                                                        <ActionForm action=test attr:class="inline-form">
                                                            <input type="hidden" name="id" value=id1 />
                                                            <button type="submit" class="small">{t!(i18n, admin.notif_send_test)}</button>
                                                        </ActionForm>
                                                        <ActionForm action=toggle attr:class="inline-form">
                                                            <input type="hidden" name="id" value=id2 />
                                                            <input type="hidden" name="enabled" value=if c.enabled { "false" } else { "true" } />
                                                            <button type="submit" class="small">{move || if enabled { t_string!(i18n, admin.disable) } else { t_string!(i18n, admin.enable) }}</button>
                                                        </ActionForm>
                                                        <Deliveries id=id3 />
                                                        <details class="inline-details">
                                                            <summary class="small-link danger">{t!(i18n, admin.delete)}</summary>
                                                            <ActionForm action=delete attr:class="inline-form">
                                                                <input type="hidden" name="id" value=id4 />
                                                                <span class="muted">{t!(i18n, admin.notif_delete_note)}</span>
                                                                <button type="submit" class="small danger">{t!(i18n, admin.delete_for_good)}</button>
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
                            <h2>{t!(i18n, admin.notif_rules)}</h2>
                            {if v.rules.is_empty() {
                                (move || view! { <Empty title=t_string!(i18n, admin.notif_rules_empty) hint=t_string!(i18n, admin.notif_rules_empty_hint) /> }).into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="grid" data-testid="rules-table">
                                        <thead><tr><th>{t!(i18n, admin.notif_channel)}</th><th>{t!(i18n, admin.notif_events)}</th><th>{t!(i18n, admin.cloud_account)}</th><th>{t!(i18n, admin.region)}</th><th>{t!(i18n, admin.tag)}</th><th></th></tr></thead>
                                        <tbody>
                                            {v.rules.into_iter().map(|r| {
                                                // A filter left empty matches anything (in the language in use).
                                                let any = move |s: String| move || if s.is_empty() { t_string!(i18n, admin.any).to_string() } else { s.clone() };
                                                let tag = match (r.tag_key.is_empty(), r.tag_value.is_empty()) {
                                                    (true, _) => String::new(),
                                                    (false, true) => r.tag_key.clone(),
                                                    (false, false) => format!("{}={}", r.tag_key, r.tag_value),
                                                };
                                                let events = r.events.clone();
                                                view! {
                                                    <tr>
                                                        <td>{name_of(&r.channel)}</td>
                                                        <td>{move || if events.is_empty() { t_string!(i18n, admin.notif_every_event).to_string() } else { events.iter().map(|e| api_word(e)).collect::<Vec<_>>().join(", ") }}</td>
                                                        <td>{any(r.cloud_account.clone())}</td>
                                                        <td>{any(r.region.clone())}</td>
                                                        <td class="mono">{any(tag)}</td>
                                                        <td class="actions">
                                                            <ActionForm action=delete_rule attr:class="inline-form">
                                                                <input type="hidden" name="id" value=r.id.clone() />
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
                            {(!names.is_empty()).then(|| view! {
                                <h3>{t!(i18n, admin.notif_add_rule_heading)}</h3>
                                <ActionForm action=add_rule attr:class="stack-form" attr:data-testid="add-rule">
                                    <label><span>{t!(i18n, admin.notif_channel)}</span>
                                        <select name="channel" required>
                                            {names.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label><span>{t!(i18n, admin.notif_event)}</span>
                                        <select name="event">
                                            <option value="">{t!(i18n, admin.notif_every_event)}</option>
                                            {v.events.iter().map(|e| { let code = e.clone(); view! { <option value=e.clone()>{move || api_word(&code).replace('_', " ")}</option> } }).collect_view()}
                                        </select>
                                    </label>
                                    <label><span>{t!(i18n, admin.cloud_account_any)}</span><input type="text" name="cloud_account" maxlength="64" /></label>
                                    <label><span>{t!(i18n, admin.region_any)}</span><input type="text" name="region" maxlength="64" placeholder="cn-hangzhou" pattern="[a-z0-9-]*" /></label>
                                    <label><span>{t!(i18n, admin.notif_tag_key_any)}</span><input type="text" name="tag_key" maxlength="128" placeholder="env" /></label>
                                    <label><span>{t!(i18n, admin.tag_value_any)}</span><input type="text" name="tag_value" maxlength="128" placeholder="prod" /></label>
                                    {form_error(add_rule.value())}
                                    <button type="submit" class="primary">{t!(i18n, admin.notif_add_rule)}</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <h2>{t!(i18n, admin.notif_add_channel_heading)}</h2>
        <ActionForm action=add attr:class="stack-form" attr:data-testid="add-channel">
            <label><span>{t!(i18n, admin.name)}</span><input type="text" name="name" required maxlength="64" placeholder="on-call" /></label>
            <label><span>{t!(i18n, admin.notif_kind)}</span>
                <select name="kind">
                    <option value="webhook">{t!(i18n, admin.notif_kind_webhook)}</option>
                    <option value="dingtalk">{t!(i18n, admin.notif_kind_dingtalk)}</option>
                    <option value="feishu">{t!(i18n, admin.notif_kind_feishu)}</option>
                    <option value="wecom">{t!(i18n, admin.notif_kind_wecom)}</option>
                    <option value="slack">{t!(i18n, admin.notif_kind_slack)}</option>
                </select>
            </label>
            <label><span>{t!(i18n, admin.notif_language)}</span>
                <select name="language" data-testid="channel-language-choice">
                    <option value="en" selected=move || i18n.get_locale() != crate::i18n::Locale::zh>{t!(i18n, admin.notif_language_en)}</option>
                    <option value="zh" selected=move || i18n.get_locale() == crate::i18n::Locale::zh>{t!(i18n, admin.notif_language_zh)}</option>
                </select>
            </label>
            <label><span>{t!(i18n, admin.notif_url_label)}</span><input type="url" name="url" required maxlength="2048" placeholder="https://oapi.dingtalk.com/robot/send?access_token=…" /></label>
            <label><span>{t!(i18n, admin.notif_secret_label)}</span><input type="password" name="secret" autocomplete="new-password" maxlength="256" /></label>
            {form_error(add.value())}
            <button type="submit" class="primary">{t!(i18n, admin.notif_add_channel)}</button>
        </ActionForm>
    }
}

/// A channel's delivery log (read with the page, so it opens without the wasm too).
#[component]
fn Deliveries(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let log = Resource::new(
        || (),
        move |_| {
            let id = id.clone();
            async move { channel_deliveries(id).await.map(Some) }
        },
    );
    view! {
        <details class="inline-details">
            <summary class="small-link">{t!(i18n, admin.notif_deliveries)}</summary>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(list)) if list.is_empty() => view! { <p class="muted">{t!(i18n, admin.notif_nothing_sent)}</p> }.into_any(),
                        Ok(Some(list)) => view! {
                            <table class="grid compact" data-testid="deliveries">
                                <thead><tr><th>{t!(i18n, admin.notif_queued)}</th><th>{t!(i18n, admin.notif_event)}</th><th>{t!(i18n, admin.notif_state)}</th><th>{t!(i18n, admin.notif_attempts)}</th><th>{t!(i18n, admin.notif_last_answer)}</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| { let state = d.state.clone(); view! {
                                        <tr>
                                            <td class="mono">{d.created_at}</td>
                                            <td>{d.title}</td>
                                            <td>{move || api_word(&state)}</td>
                                            <td>{d.attempts}</td>
                                            <td>{match (d.last_status, d.last_error.is_empty()) {
                                                (Some(s), true) => format!("HTTP {s}"),
                                                (_, false) => d.last_error,
                                                (None, true) => String::new(),
                                            }}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </details>
    }
}
