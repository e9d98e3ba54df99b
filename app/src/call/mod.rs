//! How server functions reach the API (server only): the answer in its model, the
//! user's permissions, and the fan-out over accounts and regions.

pub mod fanout;

use crate::AppError;

/// The answer of an action in its typed model.
pub fn parse_answer<T: serde::de::DeserializeOwned>(
    action: &str,
    answer: &crate::api::ApiAnswer,
) -> Result<T, AppError> {
    serde_json::from_str(&answer.json).map_err(|e| {
        AppError::ServerFn(format!("The {action} answer had an unexpected shape: {e}"))
    })
}

/// Whether the user may perform `action` on the cluster.
pub async fn may(
    account: &str,
    region: &str,
    cluster: &str,
    actions: &[&str],
) -> Result<Vec<String>, AppError> {
    let allowed = crate::api::permissions(
        account.to_string(),
        region.to_string(),
        Some(cluster.to_string()),
        actions.iter().map(|a| format!("polardb:{a}")).collect(),
    )
    .await?;
    Ok(allowed
        .into_iter()
        .map(|a| a.trim_start_matches("polardb:").to_string())
        .collect())
}
