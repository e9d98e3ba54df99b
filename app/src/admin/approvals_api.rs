//! Server functions of `/settings/approvals` (`console:ManageApprovals`): which writes
//! need how many approvals, from which roles. Every change commits with its audit record.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyItem {
    pub id: String,
    pub name: String,
    /// Empty: every write.
    pub actions: Vec<String>,
    pub cloud_account: String,
    pub region: String,
    pub tag_key: String,
    pub tag_value: String,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsView {
    pub policies: Vec<PolicyItem>,
    /// The writes a policy may name.
    pub writes: Vec<String>,
    /// The roles that may approve (built-in and custom).
    pub roles: Vec<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    pub const ACTION: &str = backend::access::console::MANAGE_APPROVALS;

    /// A list field: comma- or space-separated, empty entries dropped.
    pub fn list(s: &str) -> Vec<String> {
        s.split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn optional(s: &str) -> Option<String> {
        Some(s.trim().to_string()).filter(|s| !s.is_empty())
    }
}

/// Every approval policy, the writes and the roles a policy may name.
#[server]
pub async fn approval_policies() -> Result<ApprovalsView, AppError> {
    use crate::admin::api::ssr::require_console;
    let (backend, _) = require_console(ssr::ACTION).await?;
    let policies = backend.changes.policies().await?;
    let mut roles: Vec<String> = backend::access::BUILTIN_ROLES
        .iter()
        .map(|r| r.to_string())
        .collect();
    for role in backend.admin.roles().await? {
        if !roles.contains(&role.name) {
            roles.push(role.name);
        }
    }
    Ok(ApprovalsView {
        policies: policies
            .into_iter()
            .map(|p| PolicyItem {
                id: p.id.to_string(),
                name: p.name,
                actions: p.actions,
                cloud_account: p.cloud_account.unwrap_or_default(),
                region: p.region.unwrap_or_default(),
                tag_key: p.tag_key.unwrap_or_default(),
                tag_value: p.tag_value.unwrap_or_default(),
                approvals: p.approvals,
                approver_roles: p.approver_roles,
                expires_hours: p.expires_hours,
            })
            .collect(),
        writes: polardb::models::ACTIONS
            .iter()
            .filter(|a| a.kind == polardb::models::ActionKind::Write)
            .map(|a| a.name.to_string())
            .collect(),
        roles,
    })
}

/// Adds a policy. `actions` and `approver_roles` are comma-separated lists.
#[server]
#[allow(clippy::too_many_arguments)]
pub async fn add_approval_policy(
    name: String,
    #[server(default)] actions: String,
    #[server(default)] cloud_account: String,
    #[server(default)] region: String,
    #[server(default)] tag_key: String,
    #[server(default)] tag_value: String,
    approvals: i32,
    approver_roles: String,
    #[server(default)] expires_hours: Option<i32>,
) -> Result<(), AppError> {
    use crate::admin::api::ssr::{change, commit, require_console};
    let (backend, user) = require_console(ssr::ACTION).await?;
    let policy = backend::changes::NewPolicy {
        name: name.trim().to_string(),
        actions: ssr::list(&actions),
        cloud_account: ssr::optional(&cloud_account),
        region: ssr::optional(&region),
        tag_key: ssr::optional(&tag_key),
        tag_value: ssr::optional(&tag_value),
        approvals,
        approver_roles: ssr::list(&approver_roles),
        expires_hours: expires_hours.unwrap_or(72),
    };
    // Approvers are members of roles that exist.
    let custom = backend.admin.roles().await?;
    if let Some(unknown) = policy.approver_roles.iter().find(|r| {
        !backend::access::BUILTIN_ROLES.contains(&r.as_str())
            && !custom.iter().any(|c| &c.name == *r)
    }) {
        return Err(crate::error::invalid(
            "approver_roles",
            crate::i18n::td_string!(
                crate::api::ssr::request_locale(),
                admin.err_not_a_role,
                role = format!("{unknown:?}")
            ),
        ));
    }
    let mut tx = change(&backend).await?;
    let id = backend.changes.add_policy(tx.conn(), &policy).await?;
    commit(
        tx,
        &user,
        "ApprovalPolicyAdded",
        serde_json::json!({"policy": id.to_string(), "name": policy.name,
            "actions": policy.actions, "cloud_account": policy.cloud_account,
            "region": policy.region, "tag_key": policy.tag_key, "tag_value": policy.tag_value,
            "approvals": policy.approvals, "approver_roles": policy.approver_roles,
            "expires_hours": policy.expires_hours}),
    )
    .await?;
    waiting_changes_follow(&backend, &user).await
}

/// Changes awaiting approval show, and tell, what the policies ask of them now.
#[cfg(feature = "ssr")]
async fn waiting_changes_follow(
    backend: &backend::Backend,
    user: &backend::identity::User,
) -> Result<(), AppError> {
    let caller = crate::api::ssr::caller(backend, user).await?;
    backend.changes.refresh_waiting(&caller).await;
    Ok(())
}

/// Deletes a policy: changes awaiting approval are decided on the policies left.
#[server]
pub async fn delete_approval_policy(id: String) -> Result<(), AppError> {
    use crate::admin::api::ssr::{change, commit, require_console};
    let (backend, user) = require_console(ssr::ACTION).await?;
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| {
        crate::error::invalid(
            "id",
            crate::i18n::td_string!(crate::api::ssr::request_locale(), admin.err_not_policy_id),
        )
    })?;
    let mut tx = change(&backend).await?;
    let name = backend.changes.delete_policy(tx.conn(), id).await?;
    commit(
        tx,
        &user,
        "ApprovalPolicyDeleted",
        serde_json::json!({"policy": id.to_string(), "name": name}),
    )
    .await?;
    waiting_changes_follow(&backend, &user).await
}
