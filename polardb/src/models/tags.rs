//! Chapter 15: tags.

use super::{Action, ActionKind, TagParam};
use serde::{Deserialize, Serialize};

/// TagResources: binds tags to clusters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResources {
    /// The region ID.
    pub region_id: String,
    /// The resource type.
    pub resource_type: String,
    /// The ID of the target cluster. Sent as `ResourceId.N`. Required.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_id: Vec<String>,
    /// The list of tags. Sent as `Tag.N`, N from 1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<TagParam>,
}

impl Action for TagResources {
    const NAME: &'static str = "TagResources";
    const KIND: ActionKind = ActionKind::Write;
    type Response = TagResourcesResponse;
}

/// Response of [`TagResources`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagResourcesResponse {
    /// The request ID.
    pub request_id: String,
}

/// UntagResources: unbinds tags from clusters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResources {
    /// The region ID.
    pub region_id: String,
    /// The resource type.
    pub resource_type: String,
    /// The ID of the target cluster. Sent as `ResourceId.N`. Required.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_id: Vec<String>,
    /// The tag key. Sent as `TagKey.N`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_key: Vec<String>,
    /// Specifies whether to detach all tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
}

impl Action for UntagResources {
    const NAME: &'static str = "UntagResources";
    const KIND: ActionKind = ActionKind::Write;
    type Response = UntagResourcesResponse;
}

/// Response of [`UntagResources`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UntagResourcesResponse {
    /// The request ID.
    pub request_id: String,
}

/// ListTagResources: the tags bound to clusters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagResources {
    /// The region ID.
    pub region_id: String,
    /// The resource type.
    pub resource_type: String,
    /// The ID of a cluster. Sent as `ResourceId.N`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_id: Vec<String>,
    /// The list of tags. Sent as `Tag.N`, N from 1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<TagParam>,
    /// A token to retrieve the next page of results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl Action for ListTagResources {
    const NAME: &'static str = "ListTagResources";
    const KIND: ActionKind = ActionKind::Read;
    type Response = ListTagResourcesResponse;
}

/// Response of [`ListTagResources`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListTagResourcesResponse {
    /// A token to retrieve more results.
    pub next_token: String,
    /// The request ID.
    pub request_id: String,
    pub tag_resources: TagResourceList,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagResourceList {
    pub tag_resource: Vec<TagResource>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagResource {
    pub resource_id: String,
    pub resource_type: String,
    pub tag_key: String,
    pub tag_value: String,
}
