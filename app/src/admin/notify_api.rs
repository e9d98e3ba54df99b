//! Server functions of `/settings/notifications` (`console:ManageNotifications`): channels,
//! rules, a channel's test message and its delivery log. Every change commits with its
//! audit record; a channel's URL and secret never come back.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelItem {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Scheme and host only: tokens live in the path and query.
    pub url_shown: String,
    pub signed: bool,
    pub enabled: bool,
    /// The language of its messages: `en` or `zh`.
    pub language: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleItem {
    pub id: String,
    pub channel: String,
    /// Empty: every event.
    pub events: Vec<String>,
    pub cloud_account: String,
    pub region: String,
    pub tag_key: String,
    pub tag_value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryItem {
    pub id: i64,
    pub event: String,
    pub title: String,
    pub state: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: String,
    pub created_at: String,
    pub sent_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsView {
    pub channels: Vec<ChannelItem>,
    pub rules: Vec<RuleItem>,
    /// The events a rule may name.
    pub events: Vec<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use backend::notify::Delivery;

    pub use crate::admin::api::ssr::{change, commit};
    use crate::admin::api::ssr::{refused_saying, require_console_policy};
    pub const ACTION: &str = backend::access::console::MANAGE_NOTIFICATIONS;

    /// A manager of notifications: `console:ManageNotifications`, and the reads of a
    /// Viewer on the whole fleet — a channel hears of every cluster, so one whose role
    /// hides a cluster may not set up, test or read channels (refused, recorded).
    pub async fn require_manager(
    ) -> Result<(backend::Backend, backend::identity::User), crate::AppError> {
        let (backend, user, policy) = require_console_policy(ACTION).await?;
        if !backend::admin::reads_whole_fleet(&policy).await? {
            return Err(refused_saying(
                &backend,
                &user,
                ACTION,
                "managing notifications needs the reads of a Viewer on every cluster: channels hear of the whole fleet".into(),
                crate::i18n::td_string!(crate::api::ssr::request_locale(), admin.err_notify_fleet).into(),
            )
            .await);
        }
        Ok((backend, user))
    }

    pub fn delivery(d: Delivery) -> super::DeliveryItem {
        super::DeliveryItem {
            id: d.id,
            event: d.event,
            title: d.title,
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error.unwrap_or_default(),
            created_at: d.created_at,
            sent_at: d.sent_at.unwrap_or_default(),
        }
    }

    /// A channel's or a rule's id (`what` names which, `channel` or `rule`, for the message).
    pub fn parse_id(id: &str, what: &str) -> Result<uuid::Uuid, crate::AppError> {
        uuid::Uuid::parse_str(id.trim()).map_err(|_| {
            let locale = crate::api::ssr::request_locale();
            let message = match what {
                "rule" => crate::i18n::td_string!(locale, admin.err_not_rule_id),
                _ => crate::i18n::td_string!(locale, admin.err_not_channel_id),
            };
            crate::error::invalid("id", message)
        })
    }

    pub fn channel_id(id: &str) -> Result<uuid::Uuid, crate::AppError> {
        parse_id(id, "channel")
    }
}

/// Channels, rules and the events rules may name.
#[server]
pub async fn notifications() -> Result<NotificationsView, AppError> {
    let (backend, _) = ssr::require_manager().await?;
    let channels = backend.notify.channels().await?;
    let rules = backend.notify.rules().await?;
    Ok(NotificationsView {
        channels: channels
            .into_iter()
            .map(|c| ChannelItem {
                id: c.id.to_string(),
                name: c.name,
                kind: c.kind.as_str().into(),
                url_shown: c.url_shown,
                signed: c.signed,
                enabled: c.enabled,
                language: c.language,
            })
            .collect(),
        rules: rules
            .into_iter()
            .map(|r| RuleItem {
                id: r.id.to_string(),
                channel: r.channel.to_string(),
                events: r.events.iter().map(|e| e.as_str().to_string()).collect(),
                cloud_account: r.cloud_account.unwrap_or_default(),
                region: r.region.unwrap_or_default(),
                tag_key: r.tag_key.unwrap_or_default(),
                tag_value: r.tag_value.unwrap_or_default(),
            })
            .collect(),
        events: backend::notify::EventKind::ALL
            .iter()
            .filter(|k| **k != backend::notify::EventKind::Test)
            .map(|k| k.as_str().to_string())
            .collect(),
    })
}

/// Adds a channel: its URL and secret are sealed and never shown again.
#[server]
pub async fn add_channel(
    name: String,
    kind: String,
    url: String,
    #[server(default)] secret: String,
    #[server(default)] language: String,
) -> Result<(), AppError> {
    use leptos_i18n::Locale as _;
    let (backend, user) = ssr::require_manager().await?;
    // Left out (a form before the wasm, a script): the language the page is in.
    let language = if language.is_empty() {
        crate::api::ssr::request_locale().as_str().to_string()
    } else {
        language
    };
    let new = backend::notify::NewChannel::parse(
        &name,
        &kind,
        &url,
        &secret,
        &language,
        backend.notify.outbound(),
    )?;
    drop((url, secret));
    let mut change = ssr::change(&backend).await?;
    let id = backend.notify.create(change.conn(), &new).await?;
    ssr::commit(
        change,
        &user,
        "NotificationChannelCreated",
        serde_json::json!({"channel": new.name, "id": id.to_string(), "kind": new.kind.as_str(), "signed": new.secret.is_some(), "language": new.language.code()}),
    )
    .await
}

/// Turns a channel on or off.
#[server]
pub async fn set_channel_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    let (backend, user) = ssr::require_manager().await?;
    let id = ssr::channel_id(&id)?;
    let mut change = ssr::change(&backend).await?;
    let name = backend
        .notify
        .set_enabled(change.conn(), id, enabled)
        .await?;
    ssr::commit(
        change,
        &user,
        if enabled {
            "NotificationChannelEnabled"
        } else {
            "NotificationChannelDisabled"
        },
        serde_json::json!({"channel": name, "id": id.to_string()}),
    )
    .await
}

/// Deletes a channel with its rules and delivery log.
#[server]
pub async fn delete_channel(id: String) -> Result<(), AppError> {
    let (backend, user) = ssr::require_manager().await?;
    let id = ssr::channel_id(&id)?;
    let mut change = ssr::change(&backend).await?;
    let name = backend.notify.delete(change.conn(), id).await?;
    ssr::commit(
        change,
        &user,
        "NotificationChannelDeleted",
        serde_json::json!({"channel": name, "id": id.to_string()}),
    )
    .await
}

/// Sends a test message to a channel now; answers its delivery.
#[server]
pub async fn test_channel(id: String) -> Result<DeliveryItem, AppError> {
    let (backend, user) = ssr::require_manager().await?;
    let id = ssr::channel_id(&id)?;
    let d = backend.notify.test(id, &user.username).await?;
    // Recorded as it went (an unknown channel is 404 and sends nothing, recorded nothing).
    let outcome = if d.state == "sent" {
        backend::audit::Outcome::Ok
    } else {
        backend::audit::Outcome::Error
    };
    let mut e = backend::audit::Event::security(
        crate::api::ssr::actor(Some(&user)).await,
        "NotificationTestSent",
        outcome,
    );
    e.params = serde_json::json!({"id": id.to_string(), "delivery": d.id, "state": d.state});
    e.error_message = d.last_error.clone().filter(|m| !m.is_empty());
    backend
        .audit
        .append(&e)
        .await
        .map_err(|_| backend::BackendError::AuditUnavailable)?;
    Ok(ssr::delivery(d))
}

/// Adds a rule: which event (empty: every event) goes to a channel, filtered by cloud
/// account, region and tag.
#[server]
pub async fn add_rule(
    channel: String,
    #[server(default)] event: String,
    #[server(default)] cloud_account: String,
    #[server(default)] region: String,
    #[server(default)] tag_key: String,
    #[server(default)] tag_value: String,
) -> Result<(), AppError> {
    let (backend, user) = ssr::require_manager().await?;
    let channel = ssr::channel_id(&channel)?;
    let events: Vec<String> = (!event.trim().is_empty())
        .then(|| event.trim().to_string())
        .into_iter()
        .collect();
    let rule = backend::notify::Rule::parse(
        channel,
        &events,
        &cloud_account,
        &region,
        &tag_key,
        &tag_value,
    )?;
    let mut change = ssr::change(&backend).await?;
    let name = backend.notify.add_rule(change.conn(), &rule).await?;
    ssr::commit(
        change,
        &user,
        "NotificationRuleAdded",
        serde_json::json!({"channel": name, "rule": rule.id.to_string(),
            "events": rule.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
            "cloud_account": rule.cloud_account, "region": rule.region,
            "tag_key": rule.tag_key, "tag_value": rule.tag_value}),
    )
    .await
}

/// Deletes a rule.
#[server]
pub async fn delete_rule(id: String) -> Result<(), AppError> {
    let (backend, user) = ssr::require_manager().await?;
    let id = ssr::parse_id(&id, "rule")?;
    let mut change = ssr::change(&backend).await?;
    backend.notify.delete_rule(change.conn(), id).await?;
    ssr::commit(
        change,
        &user,
        "NotificationRuleDeleted",
        serde_json::json!({"rule": id.to_string()}),
    )
    .await
}

/// A channel's latest deliveries (at most 50), newest first.
#[server]
pub async fn channel_deliveries(id: String) -> Result<Vec<DeliveryItem>, AppError> {
    let (backend, _) = ssr::require_manager().await?;
    let id = ssr::channel_id(&id)?;
    Ok(backend
        .notify
        .deliveries(id, 50, None)
        .await?
        .into_iter()
        .map(ssr::delivery)
        .collect())
}
