//! Server functions of the create wizard: the choices the region offers, and the creation itself.

use super::*;

// ---------------------------------------------------------------------------------------
// Server functions.

/// What DescribeDBClusterAvailableResources offers PostgreSQL in a region, by zone.
#[server(input = server_fn::codec::Json)]
pub async fn create_choices(
    account: String,
    region: String,
    pay_type: String,
) -> Result<Vec<ZoneOffer>, AppError> {
    if pay_type != "Postpaid" && pay_type != "Prepaid" {
        return Err(AppError::Invalid {
            field: "Billing".into(),
            message: "must be Postpaid or Prepaid".into(),
        });
    }
    let answer = call_api(
        account,
        region.clone(),
        "DescribeDBClusterAvailableResources".into(),
        vec![("PayType".into(), pay_type), ("RegionId".into(), region)],
    )
    .await?;
    let parsed: polardb::models::DescribeDBClusterAvailableResourcesResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterAvailableResources answer had an unexpected shape: {e}"
            ))
        })?;
    Ok(offers(parsed))
}

/// The outcome of a creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
    pub request_id: String,
    /// Why the tags could not be set (the cluster exists anyway).
    pub tag_error: Option<String>,
}

/// Creates a PostgreSQL cluster (CreateDBCluster, with the wizard's ClientToken), then tags
/// it (TagResources).
#[server(input = server_fn::codec::Json)]
pub async fn create_cluster(req: CreateRequest) -> Result<Created, AppError> {
    if let Some((field, message)) = create_problem(&req) {
        return Err(AppError::Invalid {
            field: field.into(),
            message,
        });
    }
    let answer = call_api(
        req.account.clone(),
        req.region.clone(),
        "CreateDBCluster".into(),
        create_params(&req),
    )
    .await?;
    let created: polardb::models::CreateDBClusterResponse = serde_json::from_str(&answer.json)
        .map_err(|e| {
            AppError::ServerFn(format!(
                "The CreateDBCluster answer had an unexpected shape: {e}"
            ))
        })?;
    let id = created.db_cluster_id;
    let tags: Vec<&(String, String)> = req.tags.iter().filter(|(k, _)| !k.is_empty()).collect();
    let mut tag_error = None;
    if !tags.is_empty() {
        let mut params = vec![
            ("ResourceType".to_string(), "cluster".to_string()),
            ("ResourceId.1".to_string(), id.clone()),
        ];
        for (i, (k, v)) in tags.iter().enumerate() {
            params.push((format!("Tag.{}.Key", i + 1), k.clone()));
            params.push((format!("Tag.{}.Value", i + 1), v.clone()));
        }
        if let Err(e) = call_api(
            req.account.clone(),
            req.region.clone(),
            "TagResources".into(),
            params,
        )
        .await
        {
            tag_error = Some(e.to_string());
        }
    }
    Ok(Created {
        id,
        request_id: answer.request_id,
        tag_error,
    })
}
