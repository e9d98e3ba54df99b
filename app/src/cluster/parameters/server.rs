//! Server functions of this tab: what they read and send, checked as the forms check it.

use super::*;

/// Reads the parameters (DescribeDBClusterParameters) and whether the user may change them.
#[server]
pub async fn load_parameters(
    account: String,
    region: String,
    cluster: String,
) -> Result<ParametersData, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let mut params = read_parameters(&api, &account, &region, &cluster).await?;
    params.sort_by(|a, b| a.parameter_name.cmp(&b.parameter_name));
    let can_modify = !crate::api::permissions(
        account,
        region,
        Some(cluster),
        vec!["polardb:ModifyDBClusterParameters".into()],
    )
    .await?
    .is_empty();
    Ok(ParametersData { params, can_modify })
}

/// Changes several parameters at once (ModifyDBClusterParameters). Each value is checked
/// against the parameter's allowed values as the API reports them now.
#[server(endpoint = "apply_parameters")]
pub async fn apply_parameters(
    account: String,
    region: String,
    cluster: String,
    changes: Vec<(String, String)>,
) -> Result<Applied, AppError> {
    let api = crate::call::Api::signed_in().await?;
    let params = read_parameters(&api, &account, &region, &cluster).await?;
    let locale = crate::api::ssr::request_locale();
    if let Some((field, message)) = changes_problem(locale, &params, &changes) {
        return Err(AppError::Invalid { field, message });
    }
    let restart = needs_restart(&params, &changes);
    let answer = api
        .call(
            &account,
            &region,
            &polardb::models::ModifyDBClusterParameters {
                db_cluster_id: cluster,
                parameters: Some(parameters_json(&changes)),
                ..Default::default()
            },
        )
        .await?;
    Ok(Applied {
        request_id: answer.request_id,
        restart,
    })
}
