//! The canonical request: one typed, validated value from whatever a caller hands in
//! (a page's server function, the JSON API, the command line) to the wire.
//!
//! [`Request::parse`] takes an action name, a region and flat `Key=Value` parameters and
//! either refuses them with a [`RequestError`] naming the parameter and the rule, or gives
//! the one list of parameters that is signed, sent and (secrets redacted) audited:
//!
//! * the action is one of the catalogue's ([`crate::models::ACTIONS`]), spelled exactly;
//! * the region is in the API's region-id form ([`RegionId`]) — outbound addresses are built
//!   from it, so nothing else reaches a host name;
//! * every key appears once; the common parameters the signer owns (`Action`, `Version`,
//!   `AccessKeyId`, `Signature*`, `Timestamp`, `Format`, …) are refused, and so is a
//!   `RegionId` that disagrees with the region;
//! * the parameters are read into the action's typed request (the reference's parameter
//!   table), so a parameter the reference does not list for that action is refused and
//!   each value is of its type; the canonical list is the typed request written out again;
//! * ids are in their documented form (`pc-…`, `pi-…`, `pe-…`; refused, never trimmed,
//!   when they carry spaces or control characters) and no value carries a control
//!   character other than tab and line breaks (a NUL byte is invalid input).
//!
//! The catalogue declares which parameters of each action name resources
//! ([`crate::models::ActionInfo::names`]); [`Request::resources`] reads them from the
//! canonical list, so an access decision covers every cluster and node a call names.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::models::{action_info, ActionInfo, Names};

/// Why a request was refused: the parameter and the rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RequestError {
    /// The parameter (`DBClusterId`, `Tag.2.Key`), or `action` / `region` / `params`.
    pub field: String,
    pub message: String,
}

impl RequestError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        RequestError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A region id in the API's form: lowercase letters, digits and hyphens in two to five
/// parts, the first of letters (`cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RegionId(String);

impl RegionId {
    pub fn parse(s: &str) -> Result<RegionId, RequestError> {
        let parts: Vec<&str> = s.split('-').collect();
        let ok = s.len() <= 48
            && (2..=5).contains(&parts.len())
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
            && parts[0].bytes().all(|b| b.is_ascii_lowercase());
        if ok {
            Ok(RegionId(s.to_string()))
        } else {
            Err(RequestError::new(
                "region",
                format!(
                    "{:?} is not a region id (lowercase letters, digits and hyphens, like cn-hangzhou)",
                    shown(s)
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Common parameters: the signer writes them, a caller may not.
const RESERVED: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Timestamp",
    "SecurityToken",
    "BearerToken",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "ResourceOwnerId",
    "ResourceOwnerAccount",
    "OwnerId",
    "OwnerAccount",
];

/// The most entries a `Name.N` list may have.
pub const MAX_LIST: usize = 100;
/// The longest value a parameter may have (the longest the API takes is a JSON text of
/// parameters or whitelist entries).
pub const MAX_VALUE: usize = 64 * 1024;
/// The most parameters one request may carry.
pub const MAX_PARAMS: usize = 400;
/// The longest value of any other parameter, in bytes of UTF-8: names, ids, filters, times
/// and descriptions are far shorter (the reference's longest is a 256-character
/// description, at most 1,024 bytes). Ninth attack run: a read's filter (`DBType`) took
/// 4 KiB of text into every audit record; tenth, F4: counted in characters, 1,024 four-byte
/// characters still did.
pub const MAX_TEXT: usize = 1024;
/// The parameters whose values are texts of many entries: JSON documents of parameters,
/// policies or endpoint settings, whitelists, and comma-separated lists of ids (at most
/// [`MAX_LIST`] entries each). Only these may be longer than [`MAX_TEXT`].
const LONG_PARAMS: &[&str] = &[
    "AdvancedDataPolicies",
    "AdvancedLogPolicies",
    "DBClusterIds",
    "DBNodeIds",
    "EndpointBindList",
    "EndpointConfig",
    "Ids",
    "Nodes",
    "Parameters",
    "SecurityGroupIds",
    "SecurityIPList",
    "SecurityIps",
];

/// A validated request: the action, its region, and the canonical parameter list.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    action: &'static ActionInfo,
    region: Option<RegionId>,
    params: Vec<(String, String)>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameters may hold a password: only their names.
        let keys: Vec<&str> = self.params.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Request")
            .field("action", &self.action.name)
            .field("region", &self.region)
            .field("params", &keys)
            .finish()
    }
}

/// The resources a request names, read from its canonical parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    /// Every cluster named (deduplicated, in order of appearance).
    pub clusters: Vec<String>,
    /// Every node named; the gateway resolves each to its cluster.
    pub nodes: Vec<String>,
    /// Every maintenance event named; the gateway resolves each to its cluster.
    pub events: Vec<String>,
    pub endpoint: Option<String>,
    pub account: Option<String>,
    pub database: Option<String>,
    /// Every backup set named (DeleteBackup takes several).
    pub backups: Vec<String>,
    /// Every scheduled task named.
    pub tasks: Vec<String>,
}

impl Request {
    /// Canonicalises what a caller sent (see the module documentation).
    pub fn parse(
        action: &str,
        region: &str,
        params: &[(String, String)],
    ) -> Result<Request, RequestError> {
        let info = action_info(action).ok_or_else(|| {
            RequestError::new(
                "action",
                format!(
                    "{:?} is not an action of the PolarDB API (version {})",
                    shown(action),
                    crate::API_VERSION
                ),
            )
        })?;
        let region = if region.is_empty() && info.name == "DescribeRegions" {
            None
        } else if region.is_empty() {
            return Err(RequestError::new(
                "region",
                format!("{} needs a region", info.name),
            ));
        } else {
            Some(RegionId::parse(region)?)
        };
        if params.len() > MAX_PARAMS {
            return Err(RequestError::new(
                "params",
                format!("at most {MAX_PARAMS} parameters"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (k, v) in params {
            check_key(k)?;
            if !seen.insert(k.as_str()) {
                return Err(RequestError::new(
                    k.clone(),
                    "is given more than once; each parameter takes one value",
                ));
            }
            if RESERVED.contains(&k.as_str()) {
                return Err(RequestError::new(
                    k.clone(),
                    "is a common parameter the console sets itself; leave it out",
                ));
            }
            if k == "RegionId" && Some(v.as_str()) != region.as_ref().map(RegionId::as_str) {
                return Err(RequestError::new(
                    "RegionId",
                    format!(
                        "{:?} disagrees with the region the call is made in ({})",
                        shown(v),
                        region.as_ref().map(RegionId::as_str).unwrap_or("none")
                    ),
                ));
            }
            check_value(k, v)?;
        }
        let mut object = unflatten(params.iter().filter(|(k, _)| k != "RegionId"))?;
        let fields = crate::models::request_fields(info.name);
        if let Some(r) = &region {
            if fields.contains(&"RegionId") {
                object.insert("RegionId".into(), Value::String(r.0.clone()));
            }
        }
        let mut canonical = crate::models::typed_params(info.name, Value::Object(object))
            .map_err(|e| RequestError::new("params", e))?;
        // What the typed request does not know was dropped by it: refuse it instead.
        for (k, _) in params {
            if k != "RegionId" && !canonical.iter().any(|(c, _)| c == k) {
                let top = k.split('.').next().unwrap_or(k);
                let message = if fields.contains(&top) {
                    format!("is not in the form {} takes", info.name)
                } else {
                    format!(
                        "is not a parameter of {} (it takes {})",
                        info.name,
                        fields.join(", ")
                    )
                };
                return Err(RequestError::new(k.clone(), message));
            }
        }
        if let Some(r) = &region {
            if !canonical.iter().any(|(k, _)| k == "RegionId") {
                canonical.push(("RegionId".into(), r.0.clone()));
            }
        }
        for (k, v) in &canonical {
            check_value(k, v)?;
        }
        let request = Request {
            action: info,
            region,
            params: canonical,
        };
        request.check_names()?;
        Ok(request)
    }

    /// Canonicalises a typed request (the same rules: a typed value can still carry a
    /// padded id or a region it was not made for).
    pub fn from_typed<A: crate::models::Action>(
        region: &str,
        request: &A,
    ) -> Result<Request, RequestError> {
        Request::parse(A::NAME, region, &request.to_params())
    }

    pub fn action(&self) -> &'static ActionInfo {
        self.action
    }

    pub fn region(&self) -> Option<&RegionId> {
        self.region.as_ref()
    }

    /// The region as the wire and the audit trail write it (empty for DescribeRegions).
    pub fn region_str(&self) -> &str {
        self.region.as_ref().map(RegionId::as_str).unwrap_or("")
    }

    /// The canonical parameters: exactly what is signed and sent.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets the idempotency key of an action that takes one (the gateway makes one when
    /// the caller did not), so the audit trail and the wire carry the same token.
    pub fn ensure_client_token(&mut self, make: impl FnOnce() -> String) -> Option<String> {
        if !crate::models::CLIENT_TOKEN_ACTIONS.contains(&self.action.name) {
            return None;
        }
        if let Some(t) = self.get("ClientToken").filter(|t| !t.is_empty()) {
            return Some(t.to_string());
        }
        let token = make();
        self.params.retain(|(k, _)| k != "ClientToken");
        self.params.push(("ClientToken".into(), token.clone()));
        Some(token)
    }

    /// The resources the request names, by the catalogue's declaration.
    pub fn resources(&self) -> Resources {
        let mut r = Resources::default();
        fn push(list: &mut Vec<String>, v: &str) {
            if !list.iter().any(|x| x == v) {
                list.push(v.to_string());
            }
        }
        for (param, names) in self.action.names {
            for (k, v) in &self.params {
                if !names_key(k, param) {
                    continue;
                }
                match names {
                    Names::Cluster => push(&mut r.clusters, v),
                    Names::Clusters => v.split(',').for_each(|c| push(&mut r.clusters, c)),
                    Names::Node => push(&mut r.nodes, v),
                    Names::Nodes => v.split(',').for_each(|n| push(&mut r.nodes, n)),
                    Names::Endpoint => r.endpoint = Some(v.clone()),
                    Names::Account => r.account = Some(v.clone()),
                    Names::Database => r.database = Some(v.clone()),
                    Names::Backup => push(&mut r.backups, v),
                    Names::Backups => v.split(',').for_each(|b| push(&mut r.backups, b)),
                    Names::Task => push(&mut r.tasks, v),
                    // Role names stay within the cluster named; node ids are resolved.
                    Names::EndpointNodes => v
                        .split(',')
                        .filter(|n| n.starts_with("pi-"))
                        .for_each(|n| push(&mut r.nodes, n)),
                    Names::Events => v.split(',').for_each(|e| push(&mut r.events, e)),
                    // The call's own region, checked equal to it when parsed.
                    Names::Region => {}
                }
            }
        }
        r
    }

    /// The request `params` make, sent to `cluster` in `region` instead of whichever cluster
    /// they name: a fleet change's request for each of its clusters. The cluster goes into
    /// the action's own parameter ([`cluster_key`]); refused for an action that has none.
    pub fn for_cluster(
        action: &str,
        region: &str,
        params: &[(String, String)],
        cluster: &str,
    ) -> Result<Request, RequestError> {
        let key = cluster_key(action).ok_or_else(|| {
            RequestError::new(
                "action",
                format!(
                    "{:?} does not name one cluster, so it cannot go to each of several",
                    shown(action)
                ),
            )
        })?;
        let base = key.split('.').next().unwrap_or(&key);
        let mut params: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "RegionId" && !names_key(k, base))
            .cloned()
            .collect();
        params.push((key.clone(), cluster.to_string()));
        Request::parse(action, region, &params)
    }

    /// Ids in their documented form.
    fn check_names(&self) -> Result<(), RequestError> {
        for (param, names) in self.action.names {
            for (k, v) in &self.params {
                if !names_key(k, param) {
                    continue;
                }
                let each: Vec<&str> = match names {
                    Names::Clusters
                    | Names::Nodes
                    | Names::Events
                    | Names::Backups
                    | Names::EndpointNodes => v.split(',').collect(),
                    _ => vec![v.as_str()],
                };
                if each.len() > MAX_LIST {
                    return Err(RequestError::new(
                        k.clone(),
                        format!("lists {} ids; at most {MAX_LIST} a call", each.len()),
                    ));
                }
                for id in each {
                    let rule = match names {
                        Names::Cluster | Names::Clusters => prefixed(id, "pc-"),
                        Names::Node | Names::Nodes => prefixed(id, "pi-"),
                        Names::Endpoint => prefixed(id, "pe-"),
                        Names::Account | Names::Database => name_like(id),
                        Names::Backup | Names::Backups | Names::Task => generic_id(id),
                        Names::EndpointNodes => endpoint_node(id),
                        Names::Events => event_id(id),
                        Names::Region => {
                            if Some(id) == self.region.as_ref().map(RegionId::as_str) {
                                Ok(())
                            } else {
                                Err(format!(
                                    "is not the region the call is made in ({}); the console decides on one region at a time, so call once per region",
                                    self.region_str()
                                ))
                            }
                        }
                    };
                    if let Err(rule) = rule {
                        return Err(RequestError::new(
                            k.clone(),
                            format!("{:?} {rule}", shown(id)),
                        ));
                    }
                }
            }
        }
        // Every other id-like parameter: no spaces, no control characters, no padding.
        for (k, v) in &self.params {
            let base = k.split('.').next().unwrap_or(k);
            let declared = self.action.names.iter().any(|(p, _)| names_key(k, p));
            if declared || k == "ClientToken" {
                continue;
            }
            let result = if base.ends_with("Ids") && !v.is_empty() {
                if v.split(',').count() > MAX_LIST {
                    return Err(RequestError::new(
                        k.clone(),
                        format!(
                            "lists {} ids; at most {MAX_LIST} a call",
                            v.split(',').count()
                        ),
                    ));
                }
                v.split(',').try_for_each(generic_id)
            } else if base.ends_with("Id") && !v.is_empty() {
                generic_id(v)
            } else {
                Ok(())
            };
            if let Err(rule) = result {
                return Err(RequestError::new(
                    k.clone(),
                    format!("{:?} {rule}", shown(v)),
                ));
            }
        }
        // Times in the API's form, and a range that does not end before it starts.
        for (k, v) in &self.params {
            if crate::rules::TIME_PARAMS.contains(&k.as_str()) {
                if let Some(rule) = crate::rules::time_problem(v) {
                    return Err(RequestError::new(
                        k.clone(),
                        format!("{:?} {rule}", shown(v)),
                    ));
                }
            }
        }
        if let (Some(start), Some(end)) = (self.get("StartTime"), self.get("EndTime")) {
            if let Some(rule) = crate::rules::range_problem(start, end) {
                return Err(RequestError::new("EndTime", rule));
            }
        }
        Ok(())
    }
}

/// A maintenance event's id: decimal digits (`Ids=111111,111112`, 16.3).
fn event_id(id: &str) -> Result<(), String> {
    if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("is not a maintenance event id (decimal digits)".into())
    }
}

/// Whether parameter `key` is the declared `param` or one of its `param.N` entries.
/// The parameter through which an action names the one cluster it acts on, as its typed
/// request writes a single id: `DBClusterId`, `DBClusterIds` (comma-separated, here one) or
/// `ResourceId.1` (TagResources, UntagResources, a `Name.N` list). `None` for an action that
/// names no cluster, names clusters through more than one parameter, or creates one (the
/// cluster it names is its source).
pub fn cluster_key(action: &str) -> Option<String> {
    const PROBE: &str = "pc-probe";
    let info = action_info(action)?;
    if info.resource == crate::models::ResourceScope::Create {
        return None;
    }
    let mut named = info
        .names
        .iter()
        .filter(|(_, n)| matches!(n, Names::Cluster | Names::Clusters));
    let (param, _) = named.next()?;
    if named.next().is_some() {
        return None;
    }
    // A list is written with an index: the typed request says how it writes one id.
    let skeleton = crate::models::skeleton_params(action);
    [json_text(PROBE), Value::Array(vec![json_text(PROBE)])]
        .into_iter()
        .find_map(|probe| {
            let mut object =
                unflatten(skeleton.iter().filter(|(k, _)| !names_key(k, param))).ok()?;
            object.insert(param.to_string(), probe);
            crate::models::typed_params(action, Value::Object(object))
                .ok()?
                .into_iter()
                .find(|(k, v)| names_key(k, param) && v == PROBE)
                .map(|(k, _)| k)
        })
}

fn json_text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn names_key(key: &str, param: &str) -> bool {
    key == param
        || key
            .strip_prefix(param)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

fn prefixed(id: &str, prefix: &str) -> Result<(), String> {
    let ok = id.len() <= 64
        && id.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "is not an id of the form {prefix}… (lowercase letters and digits, at most 64 characters)"
        ))
    }
}

fn generic_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:*".contains(&b));
    if ok {
        Ok(())
    } else {
        Err("is not an id (letters, digits and - _ . : only; no spaces)".into())
    }
}

/// An entry of an endpoint's `Nodes`: a node id (`pi-…`) or a role name (`Writer`,
/// `Reader1`; 10.2 说明): `Writer`, or `Reader` and a number of one to three digits
/// without a leading zero. Nothing else passes as a role name (a node id without its
/// `pi-`, say), so every entry is either resolved to its cluster or a role within the
/// cluster stated.
fn endpoint_node(id: &str) -> Result<(), String> {
    if id.starts_with("pi-") {
        return prefixed(id, "pi-");
    }
    let reader = |n: &str| {
        (1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0')
    };
    let ok = id == "Writer" || id.strip_prefix("Reader").is_some_and(reader);
    if ok {
        Ok(())
    } else {
        Err(
            "is neither a node id (pi-…) nor a node's role name (Writer, Reader1 … Reader999)"
                .into(),
        )
    }
}

fn name_like(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(|c| !c.is_whitespace() && !c.is_control());
    if ok {
        Ok(())
    } else {
        Err("is not a name (1 to 64 characters, no spaces or control characters)".into())
    }
}

/// Parameter names: letters and digits, `.`-separated parts.
fn check_key(k: &str) -> Result<(), RequestError> {
    let ok = !k.is_empty()
        && k.len() <= 128
        && k.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(RequestError::new(
            "params",
            format!(
                "{:?} is not a parameter name (letters and digits, parts separated by dots)",
                shown(k)
            ),
        ))
    }
}

fn check_value(k: &str, v: &str) -> Result<(), RequestError> {
    if v.len() > MAX_VALUE {
        return Err(RequestError::new(
            k,
            format!("is longer than {MAX_VALUE} bytes"),
        ));
    }
    let base = k.split('.').next().unwrap_or(k);
    if !LONG_PARAMS.contains(&base) && v.len() > MAX_TEXT {
        return Err(RequestError::new(
            k,
            format!(
                "has {} bytes; a value of {base} has at most {MAX_TEXT} (UTF-8)",
                v.len()
            ),
        ));
    }
    if let Some(rule) = shared_value_problem(k, v) {
        return Err(RequestError::new(k, rule));
    }
    if let Some(c) = v
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(RequestError::new(
            k,
            format!(
                "contains the control character U+{:04X}, which no parameter takes",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// The reference's limits on the values every action that takes them shares, whichever
/// action it is (a read's filter too; eighth attack run, E2: a Viewer's 60,000-character
/// tag keys were sent and recorded): a tag's key or value at most 128 characters, at most
/// 20 tags a call (15.1), a cluster's description at most 256 characters (6.6).
fn shared_value_problem(k: &str, v: &str) -> Option<String> {
    use crate::rules::{MAX_TAGS_PER_CALL, MAX_TAG_LEN};
    let parts: Vec<&str> = k.split('.').collect();
    let n = v.chars().count();
    match parts.as_slice() {
        ["Tag", i, "Key" | "Value"] => {
            let index: usize = i.parse().unwrap_or(usize::MAX);
            if index == 0 || index > MAX_TAGS_PER_CALL {
                Some(format!(
                    "is tag {i}: tags are numbered from 1 to {MAX_TAGS_PER_CALL}"
                ))
            } else if n > MAX_TAG_LEN {
                Some(format!(
                    "has {n} characters; a tag's key or value has at most {MAX_TAG_LEN}"
                ))
            } else {
                None
            }
        }
        ["DBClusterDescription"] if n > 256 => {
            Some(format!("has {n} characters; a description has at most 256"))
        }
        _ => None,
    }
}

/// Text for a message: control characters escaped, at most 80 characters.
fn shown(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(80)
        .flat_map(|c| {
            if c.is_control() {
                format!("\\u{{{:x}}}", c as u32).chars().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// One part of a flat key: a name or a 1-based index.
enum Part<'a> {
    Name(&'a str),
    Index(usize),
}

fn parts(k: &str) -> Result<Vec<Part<'_>>, RequestError> {
    k.split('.')
        .enumerate()
        .map(|(i, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                match p.parse::<usize>() {
                    Ok(n) if i > 0 && (1..=MAX_LIST).contains(&n) && !p.starts_with('0') => {
                        Ok(Part::Index(n))
                    }
                    _ => Err(RequestError::new(
                        k,
                        format!("list positions run from 1 to {MAX_LIST}"),
                    )),
                }
            } else if p.as_bytes()[0].is_ascii_alphabetic() {
                Ok(Part::Name(p))
            } else {
                Err(RequestError::new(k, "is not a parameter name"))
            }
        })
        .collect()
}

/// `Name.N` and `Name.N.Field` keys back into lists (the inverse of
/// [`crate::models::flatten_params`]); positions must run from 1 without gaps.
fn unflatten<'a>(
    params: impl Iterator<Item = &'a (String, String)>,
) -> Result<Map<String, Value>, RequestError> {
    use std::collections::BTreeMap;
    enum Slot {
        Scalar(String),
        List(BTreeMap<usize, Item>),
    }
    enum Item {
        Scalar(String),
        Object(Map<String, Value>),
    }
    let mut top: BTreeMap<String, Slot> = BTreeMap::new();
    for (k, v) in params {
        let clash = || RequestError::new(k.clone(), "clashes with another parameter's form");
        match parts(k)?.as_slice() {
            [Part::Name(name)] => {
                if top
                    .insert(name.to_string(), Slot::Scalar(v.clone()))
                    .is_some()
                {
                    return Err(clash());
                }
            }
            [Part::Name(name), Part::Index(n)] => {
                let slot = top
                    .entry(name.to_string())
                    .or_insert_with(|| Slot::List(BTreeMap::new()));
                let Slot::List(items) = slot else {
                    return Err(clash());
                };
                if items.insert(*n, Item::Scalar(v.clone())).is_some() {
                    return Err(clash());
                }
            }
            [Part::Name(name), Part::Index(n), Part::Name(field)] => {
                let slot = top
                    .entry(name.to_string())
                    .or_insert_with(|| Slot::List(BTreeMap::new()));
                let Slot::List(items) = slot else {
                    return Err(clash());
                };
                let item = items.entry(*n).or_insert_with(|| Item::Object(Map::new()));
                let Item::Object(object) = item else {
                    return Err(clash());
                };
                if object
                    .insert(field.to_string(), Value::String(v.clone()))
                    .is_some()
                {
                    return Err(clash());
                }
            }
            _ => {
                return Err(RequestError::new(
                    k.clone(),
                    "is not a parameter name of the forms Name, Name.N or Name.N.Field",
                ))
            }
        }
    }
    let mut out = Map::new();
    for (name, slot) in top {
        let value = match slot {
            Slot::Scalar(s) => Value::String(s),
            Slot::List(items) => {
                let mut list = Vec::new();
                for (expected, (n, item)) in (1..).zip(items) {
                    if n != expected {
                        return Err(RequestError::new(
                            format!("{name}.{n}"),
                            format!("comes without {name}.{expected}; list positions run from 1 without gaps"),
                        ));
                    }
                    list.push(match item {
                        Item::Scalar(s) => Value::String(s),
                        Item::Object(o) => Value::Object(o),
                    });
                }
                Value::Array(list)
            }
        };
        out.insert(name, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fleet_request_names_each_cluster_in_the_actions_own_parameter() {
        assert_eq!(
            cluster_key("ModifyDBClusterParameters").as_deref(),
            Some("DBClusterId")
        );
        assert_eq!(
            cluster_key("ModifyDBClusterSSL").as_deref(),
            Some("DBClusterId")
        );
        assert_eq!(
            cluster_key("ModifyAutoRenewAttribute").as_deref(),
            Some("DBClusterIds")
        );
        assert_eq!(cluster_key("TagResources").as_deref(), Some("ResourceId.1"));
        assert_eq!(
            cluster_key("UntagResources").as_deref(),
            Some("ResourceId.1")
        );
        // No cluster, a source rather than a target, or not an action.
        assert_eq!(cluster_key("RestartDBNode"), None);
        assert_eq!(cluster_key("ModifyPendingMaintenanceAction"), None);
        assert_eq!(cluster_key("CreateDBCluster"), None);
        assert_eq!(cluster_key("NoSuchAction"), None);

        let p = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let r = Request::for_cluster(
            "TagResources",
            "cn-shanghai",
            &p(&[
                ("ResourceType", "cluster"),
                ("ResourceId.1", "pc-old"),
                ("ResourceId.2", "pc-other"),
                ("RegionId", "cn-hangzhou"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "qa"),
            ]),
            "pc-new",
        )
        .unwrap();
        assert_eq!(r.resources().clusters, vec!["pc-new".to_string()]);
        assert_eq!(r.region_str(), "cn-shanghai");
        assert_eq!(r.get("ResourceId.1"), Some("pc-new"));
        assert_eq!(r.get("ResourceId.2"), None);
        let r = Request::for_cluster(
            "ModifyAutoRenewAttribute",
            "cn-hangzhou",
            &p(&[("RenewalStatus", "Normal")]),
            "pc-a",
        )
        .unwrap();
        assert_eq!(r.get("DBClusterIds"), Some("pc-a"));
        let e = Request::for_cluster("RestartDBNode", "cn-hangzhou", &[], "pc-a").unwrap_err();
        assert!(e.to_string().contains("does not name one cluster"), "{e}");
    }

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn refused(action: &str, region: &str, pairs: &[(&str, &str)]) -> RequestError {
        Request::parse(action, region, &p(pairs)).expect_err("refused")
    }

    #[test]
    fn tags_and_descriptions_keep_their_limits_on_every_action() {
        // Eighth attack run, E2: a read with 60,000-character tag keys was sent and recorded.
        let long = "k".repeat(129);
        let e = refused("DescribeDBClusters", "cn-hangzhou", &[("Tag.1.Key", &long)]);
        assert_eq!(e.field, "Tag.1.Key");
        assert!(e.to_string().contains("at most 128"), "{e}");
        let e = refused(
            "DescribeDBClusters",
            "cn-hangzhou",
            &[("Tag.21.Key", "team")],
        );
        assert!(e.to_string().contains("from 1 to 20"), "{e}");
        let e = refused(
            "ListTagResources",
            "cn-hangzhou",
            &[("ResourceType", "cluster"), ("Tag.1.Value", &long)],
        );
        assert!(e.to_string().contains("at most 128"), "{e}");
        let e = refused(
            "ModifyDBClusterDescription",
            "cn-hangzhou",
            &[
                ("DBClusterId", "pc-a"),
                ("DBClusterDescription", &"d".repeat(257)),
            ],
        );
        assert!(e.to_string().contains("at most 256"), "{e}");
        assert!(Request::parse(
            "DescribeDBClusters",
            "cn-hangzhou",
            &p(&[("Tag.1.Key", &"k".repeat(128)), ("Tag.1.Value", "")]),
        )
        .is_ok());
    }

    #[test]
    fn filters_and_other_short_values_are_bounded_and_id_lists_too() {
        // Ninth attack run: a Viewer's filters (DBType, DBClusterStatus) took 4 KiB of
        // text each into every audit record.
        let long = "P".repeat(MAX_TEXT + 1);
        let e = refused("DescribeDBClusters", "cn-hangzhou", &[("DBType", &long)]);
        assert_eq!(e.field, "DBType");
        assert!(e.to_string().contains("at most 1024"), "{e}");
        let e = refused(
            "DescribeDBClusters",
            "cn-hangzhou",
            &[("DBClusterStatus", &long)],
        );
        assert_eq!(e.field, "DBClusterStatus");
        // The limit is in bytes: 512 two-byte characters are fine, 257 four-byte ones are
        // not (tenth attack run, F4: 1,024 four-byte characters were 4 KiB).
        assert!(Request::parse(
            "DescribeDBClusters",
            "cn-hangzhou",
            &p(&[("DBClusterStatus", &"é".repeat(MAX_TEXT / 2))]),
        )
        .is_ok());
        let e = refused(
            "DescribeDBClusters",
            "cn-hangzhou",
            &[("DBType", &"𝐏".repeat(MAX_TEXT / 4 + 1))],
        );
        assert_eq!(e.field, "DBType");
        // The description's own rule still counts characters (256 of them, up to 1,024 bytes).
        assert!(Request::parse(
            "ModifyDBClusterDescription",
            "cn-hangzhou",
            &p(&[
                ("DBClusterId", "pc-a"),
                ("DBClusterDescription", &"描".repeat(256))
            ]),
        )
        .is_ok());
        // Lists of ids are long texts, but of at most MAX_LIST ids.
        let ids: Vec<String> = (0..MAX_LIST).map(|i| format!("pc-{i:020}")).collect();
        assert!(ids.join(",").len() > MAX_TEXT);
        assert!(Request::parse(
            "DescribeDBClusters",
            "cn-hangzhou",
            &p(&[("DBClusterIds", &ids.join(","))]),
        )
        .is_ok());
        let more = format!("{},pc-one-more", ids.join(","));
        let e = refused(
            "DescribeDBClusters",
            "cn-hangzhou",
            &[("DBClusterIds", &more)],
        );
        assert_eq!(e.field, "DBClusterIds");
        assert!(e.to_string().contains("at most 100"), "{e}");
        // A whitelist is a long text.
        let ips: Vec<String> = (0..200)
            .map(|i| format!("10.0.{}.{}", i / 250, i % 250))
            .collect();
        assert!(Request::parse(
            "ModifyDBClusterAccessWhitelist",
            "cn-hangzhou",
            &p(&[("DBClusterId", "pc-a"), ("SecurityIps", &ips.join(","))]),
        )
        .is_ok());
    }

    #[test]
    fn an_empty_boolean_is_refused_not_read_as_false() {
        let e = refused(
            "ModifyDBClusterDeletion",
            "cn-hangzhou",
            &[("DBClusterId", "pc-a"), ("Protection", "")],
        );
        assert!(e.to_string().contains("true or false"), "{e}");
        let r = Request::parse(
            "ModifyDBClusterDeletion",
            "cn-hangzhou",
            &p(&[("DBClusterId", "pc-a"), ("Protection", "false")]),
        )
        .unwrap();
        assert!(r
            .params()
            .iter()
            .any(|(k, v)| k == "Protection" && v == "false"));
    }

    #[test]
    fn a_valid_request_becomes_its_typed_form() {
        let r = Request::parse(
            "ModifyDBClusterAccessWhitelist",
            "cn-hangzhou",
            &p(&[
                ("DBClusterId", "pc-abc123"),
                ("SecurityIps", "10.0.0.1,10.0.0.0/24"),
            ]),
        )
        .unwrap();
        assert_eq!(r.get("DBClusterId"), Some("pc-abc123"));
        assert_eq!(r.get("RegionId"), Some("cn-hangzhou"));
        assert_eq!(r.resources().clusters, vec!["pc-abc123"]);
        let r = Request::parse(
            "TagResources",
            "cn-hangzhou",
            &p(&[
                ("ResourceType", "cluster"),
                ("ResourceId.1", "pc-a1"),
                ("ResourceId.2", "pc-b2"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "prod"),
            ]),
        )
        .unwrap();
        assert_eq!(r.resources().clusters, vec!["pc-a1", "pc-b2"]);
        assert_eq!(r.get("Tag.1.Value"), Some("prod"));
        let r = Request::parse(
            "ModifyAutoRenewAttribute",
            "cn-hangzhou",
            &p(&[
                ("DBClusterIds", "pc-a1,pc-b2"),
                ("RenewalStatus", "AutoRenewal"),
            ]),
        )
        .unwrap();
        assert_eq!(r.resources().clusters, vec!["pc-a1", "pc-b2"]);
        let r =
            Request::parse("RestartDBNode", "cn-hangzhou", &p(&[("DBNodeId", "pi-n1")])).unwrap();
        assert_eq!(r.resources().nodes, vec!["pi-n1"]);
        assert!(r.resources().clusters.is_empty());
        let r = Request::parse("DescribeRegions", "", &[]).unwrap();
        assert_eq!(r.region(), None);
    }

    /// An endpoint's `Nodes` are node ids or role names; a node id without its `pi-` (or any
    /// other word) does not pass as a role name (fourth attack run, F5).
    #[test]
    fn endpoint_nodes_are_node_ids_or_role_names() {
        for action in ["CreateDBClusterEndpoint", "ModifyDBClusterEndpoint"] {
            let parse = |nodes: &str| {
                let mut pairs = vec![("DBClusterId", "pc-abc123"), ("Nodes", nodes)];
                if action == "ModifyDBClusterEndpoint" {
                    pairs.push(("DBEndpointId", "pe-abc123"));
                } else {
                    pairs.push(("EndpointType", "Custom"));
                }
                Request::parse(action, "cn-hangzhou", &p(&pairs))
            };
            for good in [
                "Writer",
                "Reader1",
                "Writer,Reader1,Reader2",
                "Reader10",
                "Reader999",
                "pi-abc123",
                "Writer,pi-abc123",
            ] {
                let r = parse(good).unwrap_or_else(|e| panic!("{action} {good}: {e}"));
                assert!(r.resources().nodes.iter().all(|n| n.starts_with("pi-")));
            }
            for bad in [
                "0rvia628z76k79",
                "Writer,0rvia628z76k79",
                "writer",
                "WRITER",
                "Reader",
                "reader1",
                "Reader0",
                "Reader01",
                "Reader1000",
                "Reader1a",
                "Writer1",
                "Primary",
                "pi-",
                "pi-ABC",
                "Writer,",
            ] {
                let e = parse(bad).expect_err(bad);
                assert_eq!(e.field, "Nodes", "{action} {bad}: {e}");
            }
        }
    }

    #[test]
    fn what_a_caller_claims_cannot_steer_it() {
        // The region reaches a host name: only the region-id form passes.
        for region in [
            "x:staging:dbcluster/y",
            "x@127.0.0.1:9/#",
            "cn-hangzhou ",
            "CN-HANGZHOU",
            "cn_hangzhou",
            "cn-hangzhou/../x",
            "-cn",
            "cn",
        ] {
            assert_eq!(
                refused("DescribeDBClusters", region, &[]).field,
                "region",
                "{region}"
            );
        }
        // A RegionId that disagrees, and the signer's own keys.
        assert_eq!(
            refused(
                "DescribeDBClusters",
                "cn-beijing",
                &[("RegionId", "cn-hangzhou")]
            )
            .field,
            "RegionId"
        );
        for key in [
            "Action",
            "Version",
            "AccessKeyId",
            "SignatureNonce",
            "Timestamp",
            "Format",
        ] {
            assert_eq!(
                refused("DescribeDBClusters", "cn-hangzhou", &[(key, "x")]).field,
                key
            );
        }
        // One value per key.
        let e = refused(
            "ModifyDBClusterAccessWhitelist",
            "cn-hangzhou",
            &[
                ("DBClusterId", "pc-a1"),
                ("SecurityIps", "10.0.0.1"),
                ("SecurityIps", "0.0.0.0/0"),
            ],
        );
        assert_eq!(e.field, "SecurityIps");
        // Padded ids are refused, not trimmed.
        for id in [
            " pc-a1", "pc-a1\t", "pc-a1 ", "pc-A1", "pc-a1\0", "pc-", "pi-a1",
        ] {
            let e = refused("DeleteDBCluster", "cn-hangzhou", &[("DBClusterId", id)]);
            assert_eq!(e.field, "DBClusterId", "{id:?}");
        }
        let e = refused(
            "ModifyAutoRenewAttribute",
            "cn-hangzhou",
            &[("DBClusterIds", "pc-a1, pc-b2")],
        );
        assert_eq!(e.field, "DBClusterIds");
        // A parameter the action does not take.
        let e = refused(
            "RestartDBNode",
            "cn-hangzhou",
            &[("DBNodeId", "pi-n1"), ("DBClusterId", "pc-decoy")],
        );
        assert_eq!(e.field, "DBClusterId");
        assert!(
            e.message.contains("not a parameter of RestartDBNode"),
            "{e}"
        );
        // A NUL anywhere.
        let e = refused(
            "ModifyDBClusterDescription",
            "cn-hangzhou",
            &[("DBClusterId", "pc-a1"), ("DBClusterDescription", "a\0b")],
        );
        assert_eq!(e.field, "DBClusterDescription");
        // Unknown and misspelt actions.
        assert_eq!(
            refused("describeDBClusters", "cn-hangzhou", &[]).field,
            "action"
        );
        // List positions from 1 without gaps.
        let e = refused(
            "TagResources",
            "cn-hangzhou",
            &[("ResourceType", "cluster"), ("ResourceId.2", "pc-a1")],
        );
        assert_eq!(e.field, "ResourceId.2");
        // Wrong types are named.
        let e = refused("DescribeDBClusters", "cn-hangzhou", &[("PageSize", "many")]);
        assert!(e.message.contains("PageSize"), "{e}");
        // Missing required parameters are named.
        let e = refused("DeleteDBCluster", "cn-hangzhou", &[]);
        assert!(e.message.contains("DBClusterId"), "{e}");
    }

    #[test]
    fn maintenance_events_regions_and_times_are_checked() {
        let r = Request::parse(
            "ModifyPendingMaintenanceAction",
            "cn-hangzhou",
            &p(&[
                ("Ids", "111111,111112"),
                ("SwitchTime", "2030-06-09T22:00:00Z"),
            ]),
        )
        .unwrap();
        assert_eq!(r.resources().events, vec!["111111", "111112"]);
        assert_eq!(
            refused(
                "ModifyPendingMaintenanceAction",
                "cn-hangzhou",
                &[("Ids", "111111, 2"), ("SwitchTime", "2030-06-09T22:00Z")]
            )
            .field,
            "Ids"
        );
        // The events' region is the call's region, never `all` or another one.
        for region in ["all", "cn-beijing"] {
            assert_eq!(
                refused(
                    "DescribePendingMaintenanceAction",
                    "cn-hangzhou",
                    &[("Region", region), ("TaskType", "all")]
                )
                .field,
                "Region"
            );
        }
        assert!(Request::parse(
            "DescribePendingMaintenanceAction",
            "cn-hangzhou",
            &p(&[("Region", "cn-hangzhou"), ("TaskType", "all")])
        )
        .is_ok());
        // Invalid dates are invalid input, not something to ask the API about.
        let e = refused(
            "DescribeBackups",
            "cn-hangzhou",
            &[
                ("DBClusterId", "pc-a1"),
                ("StartTime", "2026-13-45T99:99Z"),
                ("EndTime", "2026-01-02T00:00Z"),
            ],
        );
        assert_eq!(e.field, "StartTime");
        let e = refused(
            "DescribeBackups",
            "cn-hangzhou",
            &[
                ("DBClusterId", "pc-a1"),
                ("StartTime", "2026-01-02T00:00Z"),
                ("EndTime", "2026-01-01T00:00Z"),
            ],
        );
        assert_eq!(e.field, "EndTime");
    }

    #[test]
    fn client_tokens_are_set_once() {
        let mut r = Request::parse(
            "CreateBackup",
            "cn-hangzhou",
            &p(&[("DBClusterId", "pc-a1")]),
        )
        .unwrap();
        let t = r.ensure_client_token(|| "tok-1".into());
        assert_eq!(t.as_deref(), Some("tok-1"));
        assert_eq!(r.get("ClientToken"), Some("tok-1"));
        assert_eq!(
            r.ensure_client_token(|| "tok-2".into()).as_deref(),
            Some("tok-1")
        );
        let mut r = Request::parse(
            "ModifyDBClusterDescription",
            "cn-hangzhou",
            &p(&[("DBClusterId", "pc-a1"), ("DBClusterDescription", "x")]),
        )
        .unwrap();
        assert_eq!(r.ensure_client_token(|| "t".into()), None);
    }

    /// A small deterministic generator (xorshift), so the property test needs no crate.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[(self.next() % items.len() as u64) as usize]
        }
        fn text(&mut self) -> String {
            const ATOMS: &[&str] = &[
                "pc-a1",
                "pi-n1",
                "pe-e1",
                " ",
                "\t",
                "\0",
                "\u{1b}",
                ",",
                ".",
                "1",
                "0",
                "cn-hangzhou",
                "=",
                "&",
                "%00",
                "é",
                "中",
                "x",
                "Prod",
                "-",
                "*",
                "true",
                "10.0.0.1/24",
                "{\"a\":1}",
                "",
            ];
            let n = self.next() % 5;
            (0..n).map(|_| *self.pick(ATOMS)).collect()
        }
    }

    /// Whatever comes in, parsing does not panic; what it accepts is canonical (parsing its
    /// own output gives it back unchanged, so the signer and the audit record get the same
    /// list), carries no control character, names resources in their documented form, and
    /// keeps every parameter the caller gave.
    #[test]
    fn property_accepted_requests_are_canonical_and_stable() {
        let keys = [
            "DBClusterId",
            "DBClusterIds",
            "DBNodeId",
            "DBNodeId.1",
            "DBNodeId.2",
            "ResourceId.1",
            "ResourceId.2",
            "ResourceId.3",
            "Tag.1.Key",
            "Tag.1.Value",
            "Tag.2.Key",
            "RegionId",
            "SecurityIps",
            "DBClusterDescription",
            "PageSize",
            "PageNumber",
            "Action",
            "Signature",
            "AccountName",
            "AccountPassword",
            "DBEndpointId",
            "ResourceType",
            "RenewalStatus",
            "Nope",
            "Tag.0.Key",
            "a..b",
            "BackupId",
            "ClientToken",
            "DBClusterIPArrayName",
        ];
        let regions = [
            "cn-hangzhou",
            "ap-southeast-1",
            "",
            "x@y",
            "cn-hangzhou ",
            "us-east-1",
        ];
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let mut accepted = 0;
        for _ in 0..120_000 {
            let action = g.pick(crate::models::ACTIONS).name;
            let region = *g.pick(&regions);
            let n = g.next() % 6;
            let own = crate::models::request_fields(action);
            let params: Vec<(String, String)> = (0..n)
                .map(|_| {
                    let key = if own.is_empty() || g.next().is_multiple_of(3) {
                        g.pick(&keys).to_string()
                    } else {
                        g.pick(own).to_string()
                    };
                    (key, g.text())
                })
                .collect();
            let Ok(r) = Request::parse(action, region, &params) else {
                continue;
            };
            accepted += 1;
            let again = Request::parse(action, region, r.params()).expect("own output parses");
            assert_eq!(again.params(), r.params(), "{action} {params:?}");
            for (k, v) in r.params() {
                assert!(
                    !v.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)),
                    "{k}={v:?}"
                );
                assert!(!RESERVED.contains(&k.as_str()));
            }
            for (k, _) in &params {
                assert!(r.params().iter().any(|(c, _)| c == k), "{k} kept");
            }
            let res = r.resources();
            assert!(res.clusters.iter().all(|c| prefixed(c, "pc-").is_ok()));
            assert!(res.nodes.iter().all(|c| prefixed(c, "pi-").is_ok()));
        }
        assert!(
            accepted > 500,
            "the generator reaches accepted requests ({accepted})"
        );
    }
}
