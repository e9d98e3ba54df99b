//! The single RPC entry point: parse, authenticate, dispatch, answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::state::{Cluster, World};
use crate::Emulator;

/// An error answer in the API's own shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Fault {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Fault {
            status,
            code: code.to_string(),
            message: message.to_string(),
        }
    }

    fn invalid(name: &str) -> Self {
        Fault::new(
            400,
            &format!("Invalid{name}.Malformed"),
            &format!("The specified parameter \"{name}\" is not valid."),
        )
    }

    fn missing(name: &str) -> Self {
        Fault::new(
            400,
            "MissingParameter",
            &format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }
}

/// The request's parameters, from the query string and (for POST) the form body.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, Fault> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Fault::missing(name)),
        }
    }

    fn int(&self, name: &str, default: u32) -> Result<u32, Fault> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) => v.parse().map_err(|_| Fault::invalid(name)),
        }
    }
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

pub async fn entry(
    State(emu): State<Arc<Emulator>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query_params: Vec<(String, String)> = query
        .as_deref()
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    let mut params = query_params.clone();
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if method == Method::POST && is_form && !body.is_empty() {
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
            Ok(form) => params.extend(form),
            Err(_) => {
                return answer(
                    "JSON",
                    Err(Fault::new(
                        400,
                        "InvalidParameter",
                        "The form body is malformed.",
                    )),
                )
            }
        }
    }
    let header_list: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let v3 = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(polardb::sign::V3_ALGORITHM));
    if v3 {
        // Version 3 carries the action and version in headers.
        for (name, param) in [("x-acs-action", "Action"), ("x-acs-version", "Version")] {
            if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                params.push((param.to_string(), v.to_string()));
            }
        }
    }
    let params = Params(params);
    let json_accepted = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let default_format = if v3 && json_accepted { "JSON" } else { "XML" };
    let format = params
        .get("Format")
        .unwrap_or(default_format)
        .to_ascii_uppercase();
    let auth = Auth {
        v3,
        query: &query_params,
        headers: &header_list,
        body: &body,
    };
    answer(&format, handle(&emu, method.as_str(), &params, auth).await)
}

/// What authentication needs from the raw request.
struct Auth<'a> {
    v3: bool,
    query: &'a [(String, String)],
    headers: &'a [(String, String)],
    body: &'a [u8],
}

async fn handle(
    emu: &Emulator,
    method: &str,
    params: &Params,
    auth: Auth<'_>,
) -> Result<Value, Fault> {
    let Some(action) = params.get("Action").filter(|a| !a.is_empty()) else {
        return Err(Fault::new(
            400,
            "MissingAction",
            "The input parameter \"Action\" that is mandatory for processing this request is not supplied.",
        ));
    };
    match params.get("Version") {
        None | Some("") => {
            return Err(Fault::new(
                400,
                "MissingVersion",
                "The input parameter \"Version\" that is mandatory for processing this request is not supplied.",
            ))
        }
        Some(polardb::API_VERSION) => {}
        Some(_) => {
            return Err(Fault::new(
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ))
        }
    }
    let now = time::OffsetDateTime::now_utc();
    {
        let mut nonces = emu.nonces.lock().await;
        if auth.v3 {
            crate::auth::check_v3(
                method,
                auth.query,
                auth.headers,
                auth.body,
                &emu.config.access_keys,
                &mut nonces,
                now,
            )?;
        } else {
            crate::auth::check_v2(method, &params.0, &emu.config.access_keys, &mut nonces, now)?;
        }
    }
    let world = emu.world.lock().await;
    match action {
        "DescribeRegions" => Ok(describe_regions(&world)),
        "DescribeDBClusters" => describe_db_clusters(&world, params),
        _ => Err(Fault::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )),
    }
}

fn answer(format: &str, result: Result<Value, Fault>) -> Response {
    let (status, name, mut body) = match result {
        Ok(v) => (StatusCode::OK, "Response", v),
        Err(f) => (
            StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST),
            "Error",
            json!({"Code": f.code, "Message": f.message, "HostId": "polardb.aliyuncs.com"}),
        ),
    };
    if let Value::Object(map) = &mut body {
        map.entry("RequestId")
            .or_insert_with(|| json!(request_id()));
    }
    if format == "XML" {
        let mut xml = String::from("<?xml version='1.0' encoding='UTF-8'?>");
        to_xml(name, &body, &mut xml);
        (status, [("content-type", "text/xml;charset=utf-8")], xml).into_response()
    } else {
        (
            status,
            [("content-type", "application/json;charset=utf-8")],
            body.to_string(),
        )
            .into_response()
    }
}

/// JSON → XML the way the API maps its wrappers: a list under `Name` repeats `<Name>`.
fn to_xml(name: &str, value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            for item in items {
                to_xml(name, item, out);
            }
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                to_xml(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        other => {
            let text = match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            out.push_str(&format!("<{name}>{escaped}</{name}>"));
        }
    }
}

fn describe_regions(world: &World) -> Value {
    let regions: Vec<Value> = world
        .regions
        .iter()
        .map(|r| {
            let zones: Vec<Value> = r
                .zones
                .iter()
                .map(|z| json!({"ZoneId": z, "VpcEnabled": true}))
                .collect();
            json!({"RegionId": r.region_id, "Zones": {"Zone": zones}})
        })
        .collect();
    json!({"Regions": {"Region": regions}})
}

fn cluster_summary(c: &Cluster) -> Value {
    let nodes: Vec<Value> = c
        .nodes
        .iter()
        .map(|n| {
            json!({
                "DBNodeId": n.id, "DBNodeClass": n.class, "DBNodeRole": n.role,
                "ZoneId": n.zone_id, "RegionId": c.region_id,
            })
        })
        .collect();
    let tags: Vec<Value> = c
        .tags
        .iter()
        .map(|t| json!({"Key": t.key, "Value": t.value}))
        .collect();
    let writer_class = c.nodes.first().map(|n| n.class.clone()).unwrap_or_default();
    json!({
        "DBClusterId": c.id,
        "DBClusterDescription": c.description,
        "DBClusterStatus": c.status,
        "DBType": "PostgreSQL",
        "DBVersion": c.db_version,
        "DBNodeClass": writer_class,
        "DBNodeNumber": c.nodes.len(),
        "RegionId": c.region_id,
        "ZoneId": c.zone_id,
        "VpcId": c.vpc_id,
        "PayType": c.pay_type,
        "CreateTime": c.create_time,
        "ExpireTime": c.expire_time,
        "Expired": "false",
        "LockMode": c.lock_mode,
        "DeletionLock": c.deletion_lock,
        "Engine": "POLARDB",
        "Category": c.category,
        "DBClusterNetworkType": "VPC",
        "ResourceGroupId": "rg-acfmyxdp6ttgcri",
        "StorageUsed": c.storage_used,
        "DBNodes": {"DBNode": nodes},
        "Tags": {"Tag": tags},
    })
}

fn describe_db_clusters(world: &World, p: &Params) -> Result<Value, Fault> {
    let region = p.required("RegionId")?;
    if !world.regions.iter().any(|r| r.region_id == region) {
        return Err(Fault::new(
            404,
            "InvalidRegionId.NotFound",
            "The specified region does not exist.",
        ));
    }
    let page_size = p.int("PageSize", 30)?;
    if ![30, 50, 100].contains(&page_size) {
        return Err(Fault::invalid("PageSize"));
    }
    let page_number = p.int("PageNumber", 1)?;
    if page_number == 0 {
        return Err(Fault::invalid("PageNumber"));
    }
    if let Some(t) = p.get("DBType") {
        if !t.is_empty() && !t.eq_ignore_ascii_case("PostgreSQL") {
            // The emulator runs PostgreSQL clusters only.
            return Ok(
                json!({"PageNumber": page_number, "PageRecordCount": 0, "TotalRecordCount": 0, "Items": {"DBCluster": []}}),
            );
        }
    }
    let ids: Option<Vec<&str>> = p
        .get("DBClusterIds")
        .filter(|s| !s.is_empty())
        .map(|s| s.split(',').map(str::trim).collect());
    let desc = p.get("DBClusterDescription").filter(|s| !s.is_empty());
    let status = p.get("DBClusterStatus").filter(|s| !s.is_empty());
    let pay_type = p.get("PayType").filter(|s| !s.is_empty());
    let mut tag_filters = Vec::new();
    for n in 1..=20 {
        if let Some(k) = p.get(&format!("Tag.{n}.Key")) {
            tag_filters.push((
                k.to_string(),
                p.get(&format!("Tag.{n}.Value")).map(str::to_string),
            ));
        }
    }
    let matching: Vec<&Cluster> = world
        .clusters
        .iter()
        .filter(|c| c.region_id == region)
        .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id.as_str())))
        .filter(|c| desc.is_none_or(|d| c.description.contains(d)))
        .filter(|c| status.is_none_or(|s| c.status == s))
        .filter(|c| pay_type.is_none_or(|s| c.pay_type == s))
        .filter(|c| {
            tag_filters.iter().all(|(k, v)| {
                c.tags.iter().any(|t| {
                    &t.key == k && v.as_ref().is_none_or(|v| v.is_empty() || &t.value == v)
                })
            })
        })
        .collect();
    let total = matching.len();
    let start = ((page_number - 1) as usize).saturating_mul(page_size as usize);
    let page: Vec<Value> = matching
        .into_iter()
        .skip(start)
        .take(page_size as usize)
        .map(cluster_summary)
        .collect();
    let mut out = Map::new();
    out.insert("PageNumber".into(), json!(page_number));
    out.insert("PageRecordCount".into(), json!(page.len()));
    out.insert("TotalRecordCount".into(), json!(total));
    out.insert("Items".into(), json!({"DBCluster": page}));
    Ok(Value::Object(out))
}
