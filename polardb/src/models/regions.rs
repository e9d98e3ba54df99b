use super::{Action, ActionKind};
use serde::{Deserialize, Serialize};

/// DescribeRegions: the regions and zones PolarDB offers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRegions {}

impl Action for DescribeRegions {
    const NAME: &'static str = "DescribeRegions";
    const KIND: ActionKind = ActionKind::Read;
    type Response = DescribeRegionsResponse;
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRegionsResponse {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub regions: Regions,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Regions {
    #[serde(default)]
    pub region: Vec<Region>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Region {
    pub region_id: String,
    #[serde(default)]
    pub zones: Zones,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Zones {
    #[serde(default)]
    pub zone: Vec<Zone>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Zone {
    pub zone_id: String,
    #[serde(default)]
    pub vpc_enabled: bool,
}
