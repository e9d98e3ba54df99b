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
    let api = crate::call::Api::signed_in().await?;
    let parsed = api
        .call(
            &account,
            &region,
            &polardb::models::DescribeDBClusterAvailableResources {
                region_id: Some(region.clone()),
                pay_type,
                ..Default::default()
            },
        )
        .await?;
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
    let api = crate::call::Api::signed_in().await?;
    let created = api
        .call(&req.account, &req.region, &create_request(&req))
        .await?;
    let id = created.db_cluster_id;
    let tags: Vec<&(String, String)> = req.tags.iter().filter(|(k, _)| !k.is_empty()).collect();
    let mut tag_error = None;
    if !tags.is_empty() {
        let request = polardb::models::TagResources {
            region_id: req.region.clone(),
            resource_type: "cluster".into(),
            resource_id: vec![id.clone()],
            tag: tags
                .iter()
                .map(|(k, v)| polardb::models::TagParam {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        };
        if let Err(e) = api.call(&req.account, &req.region, &request).await {
            tag_error = Some(e.to_string());
        }
    }
    Ok(Created {
        id,
        request_id: created.request_id,
        tag_error,
    })
}
