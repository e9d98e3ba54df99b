//! Previews and reverts: where the API lets the console read what a request will change,
//! the values before and after are shown with the change (a parameter that restarts the
//! cluster says so), and the requests that put the old values back are kept, so a finished
//! change offers "revert" as a new change.
//!
//! Covered, with a way back: cluster parameters (DescribeDBClusterParameters), the
//! description and the maintenance window (DescribeDBClusterAttribute), the monitoring
//! period (DescribeDBClusterMonitor), an IP whitelist group
//! (DescribeDBClusterAccessWhitelist), the backup and log-backup policies
//! (DescribeBackupPolicy, DescribeLogBackupPolicy) and the tags of clusters
//! (ListTagResources). Shown only, without a way back: a node class change (the class of
//! each node, DescribeDBClusterAttribute), an endpoint's nodes and mode and an address's
//! prefix and port (DescribeDBClusterEndpoints).

use std::collections::BTreeMap;

use polardb::models as m;
use polardb::request::Request;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{Changes, NewChange, Rollout, Schedule, State, Step, Submitted};
use crate::gateway::Caller;
use crate::BackendError;

/// What one request will change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub before: BTreeMap<String, String>,
    pub after: BTreeMap<String, String>,
    /// A parameter that only takes effect after the cluster restarts changes.
    #[serde(default)]
    pub restart: bool,
    /// The requests that put `before` back, in order, in the same cloud account and region
    /// (empty: no way back). A tag change may need two: the keys it added taken away, the
    /// values it changed or removed given back.
    #[serde(default, deserialize_with = "stored_revert")]
    pub revert: Vec<Revert>,
}

/// A request that puts something back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revert {
    /// The action; empty in previews stored before a way back named its action: then the
    /// action of the request previewed (see [`Revert::action_for`]).
    #[serde(default)]
    pub action: String,
    /// The parameters (the region is the step's).
    pub params: Vec<(String, String)>,
}

impl Revert {
    fn of(action: &str, params: Vec<(String, String)>) -> Revert {
        Revert {
            action: action.to_string(),
            params,
        }
    }

    /// The action to send, for a step of `previewed`.
    pub fn action_for<'a>(&'a self, previewed: &'a str) -> &'a str {
        if self.action.is_empty() {
            previewed
        } else {
            &self.action
        }
    }
}

/// Reads `revert` as stored by any version: a list of requests, `null`, or (before a way
/// back could take several requests) the parameters of the previewed action.
fn stored_revert<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Revert>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        SameAction(Vec<(String, String)>),
        Requests(Vec<Revert>),
    }
    Ok(match Option::<Stored>::deserialize(d)? {
        None => Vec::new(),
        Some(Stored::SameAction(params)) if params.is_empty() => Vec::new(),
        Some(Stored::SameAction(params)) => vec![Revert::of("", params)],
        Some(Stored::Requests(list)) => list,
    })
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An IP list as a set (the API's comma-separated form).
fn ips(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A scalar of an answer as text (`None`: absent, or a list or an object).
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parameters a request carries besides what it changes.
const ADDRESSING: &[&str] = &["DBClusterId", "RegionId", "ClientToken"];

/// Before and after of each parameter a request sets, read from the answer field of the same
/// name (`now`, an answer as JSON), and the request of the same action that sets exactly
/// those parameters to their old values — none when one of them has no plain old value to
/// put back. `None` when the request sets nothing the answer shows.
fn same_named(r: &Request, cluster: &str, now: &Value, skip: &[&str]) -> Option<Preview> {
    let mut p = Preview::default();
    let mut back = pairs(&[("DBClusterId", cluster)]);
    let mut whole = true;
    for (k, v) in r.params() {
        if ADDRESSING.contains(&k.as_str()) || skip.contains(&k.as_str()) {
            continue;
        }
        match text(now.get(k)) {
            Some(old) => {
                p.before.insert(k.clone(), old.clone());
                back.push((k.clone(), old));
            }
            None => whole = false,
        }
        p.after.insert(k.clone(), v.clone());
    }
    if p.after.is_empty() {
        return None;
    }
    if whole && !p.before.is_empty() {
        p.revert = vec![Revert::of(r.action().name, back)];
    }
    Some(p)
}

/// Shown for a tag a cluster does not carry.
const NO_TAG: &str = "(none)";

/// The read a preview of `action` makes (attack run 19, F2: a preview is shown, and its
/// old values put back by a revert, only to users whose role allows that read).
fn read_of(action: &str) -> Option<&'static str> {
    Some(match action {
        "ModifyDBClusterParameters" => "DescribeDBClusterParameters",
        "ModifyDBClusterDescription" | "ModifyDBClusterMaintainTime" | "ModifyDBNodeClass" => {
            "DescribeDBClusterAttribute"
        }
        "ModifyDBClusterMonitor" => "DescribeDBClusterMonitor",
        "ModifyDBClusterAccessWhitelist" => "DescribeDBClusterAccessWhitelist",
        "ModifyBackupPolicy" => "DescribeBackupPolicy",
        "ModifyLogBackupPolicy" => "DescribeLogBackupPolicy",
        "TagResources" | "UntagResources" => "ListTagResources",
        "ModifyDBClusterEndpoint" | "ModifyDBEndpointAddress" => "DescribeDBClusterEndpoints",
        _ => return None,
    })
}

/// Whether `policy` may read what the preview of a request of `action` read on `clusters`
/// (in cloud account `account`, `region`).
pub fn may_see(
    policy: &crate::access::Policy,
    account: &str,
    region: &str,
    action: &str,
    clusters: &[String],
) -> bool {
    let Some(read) = read_of(action) else {
        return false;
    };
    let on = |cluster: Option<String>| {
        policy
            .decide(
                &format!("polardb:{read}"),
                &crate::access::Resource {
                    account: account.to_string(),
                    region: region.to_string(),
                    cluster,
                },
            )
            .is_allowed()
    };
    if clusters.is_empty() {
        on(None)
    } else {
        clusters.iter().all(|c| on(Some(c.clone())))
    }
}

impl Changes {
    /// The preview of a step, read as `caller` (`None`: the action has none).
    pub(super) async fn preview(
        &self,
        caller: &Caller,
        step: &Step,
    ) -> Result<Option<Preview>, BackendError> {
        let r = &step.request;
        if matches!(r.action().name, "TagResources" | "UntagResources") {
            return self.tag_preview(caller, &step.account, r).await;
        }
        let Some(cluster) = r.get("DBClusterId").map(str::to_string) else {
            return Ok(None);
        };
        let (account, region) = (step.account.as_str(), r.region_str());
        let gw = &self.gateway;
        let one = |k: &str, old: String, new: &str| -> Preview {
            Preview {
                before: [(k.to_string(), old.clone())].into(),
                after: [(k.to_string(), new.to_string())].into(),
                restart: false,
                revert: vec![Revert::of(
                    r.action().name,
                    pairs(&[("DBClusterId", &cluster), (k, &old)]),
                )],
            }
        };
        Ok(match r.action().name {
            "ModifyDBClusterParameters" => {
                // Templates and planned times are not previewed: only the values.
                let Some(text) = r.get("Parameters") else {
                    return Ok(None);
                };
                let Ok(Value::Object(new)) = serde_json::from_str::<Value>(text) else {
                    return Ok(None);
                };
                let now = gw
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &m::DescribeDBClusterParameters {
                            db_cluster_id: cluster.clone(),
                        },
                    )
                    .await?;
                let mut p = Preview::default();
                let mut old = serde_json::Map::new();
                for (name, value) in &new {
                    let value = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let Some(running) = now
                        .running_parameters
                        .parameter
                        .iter()
                        .find(|x| &x.parameter_name == name)
                    else {
                        // Unknown here: the API will say; no way back to promise.
                        p.after.insert(name.clone(), value);
                        continue;
                    };
                    p.restart |= running.force_restart && running.parameter_value != value;
                    p.before
                        .insert(name.clone(), running.parameter_value.clone());
                    p.after.insert(name.clone(), value);
                    old.insert(name.clone(), Value::String(running.parameter_value.clone()));
                }
                if p.before.len() == new.len() {
                    p.revert = vec![Revert::of(
                        r.action().name,
                        pairs(&[
                            ("DBClusterId", &cluster),
                            ("Parameters", &Value::Object(old).to_string()),
                        ]),
                    )];
                }
                Some(p)
            }
            "ModifyDBClusterDescription" | "ModifyDBClusterMaintainTime" => {
                let key = if r.action().name == "ModifyDBClusterDescription" {
                    "DBClusterDescription"
                } else {
                    "MaintainTime"
                };
                let Some(new) = r.get(key) else {
                    return Ok(None);
                };
                let a = gw
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &m::DescribeDBClusterAttribute {
                            db_cluster_id: cluster.clone(),
                        },
                    )
                    .await?;
                let old = if key == "MaintainTime" {
                    a.maintain_time
                } else {
                    a.db_cluster_description
                };
                Some(one(key, old, new))
            }
            "ModifyDBClusterMonitor" => {
                let Some(new) = r.get("Period") else {
                    return Ok(None);
                };
                let now = gw
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &m::DescribeDBClusterMonitor {
                            db_cluster_id: cluster.clone(),
                        },
                    )
                    .await?;
                Some(one("Period", now.period, new))
            }
            "ModifyDBClusterAccessWhitelist"
                if r.get("WhiteListType").is_none_or(|t| t == "IP") =>
            {
                let Some(new) = r.get("SecurityIps") else {
                    return Ok(None);
                };
                let group = r
                    .get("DBClusterIPArrayName")
                    .unwrap_or("default")
                    .to_string();
                let now = gw
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &m::DescribeDBClusterAccessWhitelist {
                            db_cluster_id: cluster.clone(),
                        },
                    )
                    .await?;
                let old = now
                    .items
                    .db_cluster_ip_array
                    .iter()
                    .find(|g| g.db_cluster_ip_array_name == group)
                    .map(|g| ips(&g.security_ips))
                    .unwrap_or_default();
                let (old_set, new_set) = (old.clone(), ips(new));
                let after: Vec<String> = match r.get("ModifyMode").unwrap_or("Cover") {
                    "Append" => {
                        let mut v = old_set.clone();
                        v.extend(new_set);
                        v.sort();
                        v.dedup();
                        v
                    }
                    "Delete" => old_set
                        .iter()
                        .filter(|ip| !new_set.contains(ip))
                        .cloned()
                        .collect(),
                    _ => new_set,
                };
                let key = format!("SecurityIps ({group})");
                Some(Preview {
                    before: [(key.clone(), old.join(","))].into(),
                    after: [(key, after.join(","))].into(),
                    restart: false,
                    revert: if old.is_empty() {
                        Vec::new()
                    } else {
                        vec![Revert::of(
                            r.action().name,
                            pairs(&[
                                ("DBClusterId", &cluster),
                                ("DBClusterIPArrayName", &group),
                                ("SecurityIps", &old.join(",")),
                                ("ModifyMode", "Cover"),
                            ]),
                        )]
                    },
                })
            }
            // The backup policies: DescribeBackupPolicy and DescribeLogBackupPolicy answer
            // with the fields ModifyBackupPolicy and ModifyLogBackupPolicy take, by the same
            // names (the SDK's models, polardb/src/models/backups.rs; the reference lists
            // the four actions in its overview without a section of their own). The way back
            // sets exactly the fields the request sets; AdvancedDataPolicies and
            // AdvancedLogPolicies are lists of policy operations, not values, so a request
            // carrying one has none.
            "ModifyBackupPolicy" | "ModifyLogBackupPolicy" => {
                let id = cluster.clone();
                let now = if r.action().name == "ModifyBackupPolicy" {
                    let read = m::DescribeBackupPolicy { db_cluster_id: id };
                    serde_json::to_value(gw.invoke_typed(caller, account, region, &read).await?)
                } else {
                    let read = m::DescribeLogBackupPolicy { db_cluster_id: id };
                    serde_json::to_value(gw.invoke_typed(caller, account, region, &read).await?)
                };
                same_named(r, &cluster, &now.unwrap_or_default(), &[])
            }
            // 8.4: DBNodeTargetClass is the class every node of the cluster takes. Shown per
            // node; no way back (a class change is a new order, planned or not).
            "ModifyDBNodeClass" => {
                let Some(new) = r.get("DBNodeTargetClass") else {
                    return Ok(None);
                };
                let a = gw
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &m::DescribeDBClusterAttribute {
                            db_cluster_id: cluster.clone(),
                        },
                    )
                    .await?;
                let mut p = Preview::default();
                for n in &a.db_nodes {
                    let key = format!("DBNodeClass ({})", n.db_node_id);
                    p.before.insert(key.clone(), n.db_node_class.clone());
                    p.after.insert(key, new.to_string());
                }
                (!p.before.is_empty()).then_some(p)
            }
            // 10.4: an endpoint's nodes, read/write mode, auto-add, name and settings, read
            // from DescribeDBClusterEndpoints (10.3), whose fields have the same names.
            // Shown only: the nodes an endpoint had may be gone when it is put back.
            "ModifyDBClusterEndpoint" => {
                let Some(endpoint) = self.endpoint(caller, account, r, &cluster).await? else {
                    return Ok(None);
                };
                same_named(
                    r,
                    &cluster,
                    &serde_json::to_value(endpoint).unwrap_or_default(),
                    &["DBEndpointId"],
                )
                .map(|p| Preview {
                    revert: Vec::new(),
                    ..p
                })
            }
            // 10.5: the prefix and port of the endpoint's address of that network type
            // (10.3's AddressItems). Shown only: a changed address is a new connection
            // string that clients follow, not a value to flip back unasked.
            "ModifyDBEndpointAddress" => {
                let Some(endpoint) = self.endpoint(caller, account, r, &cluster).await? else {
                    return Ok(None);
                };
                let net_type = r.get("NetType").unwrap_or_default();
                let Some(address) = endpoint
                    .address_items
                    .iter()
                    .find(|a| a.net_type.eq_ignore_ascii_case(net_type))
                else {
                    return Ok(None);
                };
                let prefix = address
                    .connection_string
                    .split('.')
                    .next()
                    .unwrap_or_default();
                let mut p = Preview::default();
                for (k, old) in [("ConnectionStringPrefix", prefix), ("Port", &address.port)] {
                    if let Some(new) = r.get(k) {
                        p.before.insert(k.to_string(), old.to_string());
                        p.after.insert(k.to_string(), new.to_string());
                    }
                }
                (!p.before.is_empty()).then_some(p)
            }
            _ => None,
        })
    }

    /// The endpoint a request names (`DBEndpointId`), read as `caller`.
    async fn endpoint(
        &self,
        caller: &Caller,
        account: &str,
        r: &Request,
        cluster: &str,
    ) -> Result<Option<m::DBClusterEndpoint>, BackendError> {
        let Some(id) = r.get("DBEndpointId") else {
            return Ok(None);
        };
        let now = self
            .gateway
            .invoke_typed(
                caller,
                account,
                r.region_str(),
                &m::DescribeDBClusterEndpoints {
                    db_cluster_id: cluster.to_string(),
                    db_endpoint_id: Some(id.to_string()),
                },
            )
            .await?;
        Ok(now.items.into_iter().find(|e| e.db_endpoint_id == id))
    }

    /// Every tag of each of `clusters` (ListTagResources, 15.3: 50 clusters a call, 50
    /// tags a page).
    async fn tags_now(
        &self,
        caller: &Caller,
        account: &str,
        region: &str,
        clusters: &[String],
    ) -> Result<BTreeMap<String, BTreeMap<String, String>>, BackendError> {
        let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for chunk in clusters.chunks(polardb::rules::MAX_RESOURCES_PER_CALL) {
            let mut next_token = None;
            // 50 clusters of at most 20 tags: 20 pages.
            for page in 0.. {
                if page > 2 * polardb::rules::MAX_TAGS_PER_CLUSTER {
                    return Err(BackendError::Upstream(polardb::ApiError::transport(
                        "InvalidResponse",
                        "ListTagResources did not come to an end",
                    )));
                }
                let answer = self
                    .gateway
                    .invoke_typed(
                        caller,
                        account,
                        region,
                        &m::ListTagResources {
                            region_id: region.to_string(),
                            resource_type: "cluster".into(),
                            resource_id: chunk.to_vec(),
                            tag: Vec::new(),
                            next_token: next_token.take(),
                        },
                    )
                    .await?;
                for t in answer.tag_resources.tag_resource {
                    out.entry(t.resource_id)
                        .or_default()
                        .insert(t.tag_key, t.tag_value);
                }
                if answer.next_token.is_empty() {
                    break;
                }
                next_token = Some(answer.next_token);
            }
        }
        Ok(out)
    }

    /// Tags of clusters (TagResources 15.1, UntagResources 15.2, `ResourceType=cluster`):
    /// each key the request touches on each cluster it names, before and after, read with
    /// ListTagResources (15.3). The way back takes away the keys TagResources added and gives
    /// back the old values of those it changed or UntagResources removed: an UntagResources
    /// and a TagResources for each set of clusters that had the same tags.
    async fn tag_preview(
        &self,
        caller: &Caller,
        account: &str,
        r: &Request,
    ) -> Result<Option<Preview>, BackendError> {
        if r.get("ResourceType") != Some("cluster") {
            return Ok(None);
        }
        let clusters = r.resources().clusters;
        if clusters.is_empty() {
            return Ok(None);
        }
        let region = r.region_str();
        let now = self.tags_now(caller, account, region, &clusters).await?;
        // What the request asks of each key: a value, or none (taken away).
        let asked: Vec<(String, Option<String>)> = if r.action().name == "TagResources" {
            let mut tags: BTreeMap<u32, (String, String)> = BTreeMap::new();
            for (k, v) in r.params() {
                let Some((n, field)) = k.strip_prefix("Tag.").and_then(|t| t.split_once('.'))
                else {
                    continue;
                };
                let Ok(n) = n.parse::<u32>() else { continue };
                let tag = tags.entry(n).or_default();
                match field {
                    "Key" => tag.0 = v.clone(),
                    "Value" => tag.1 = v.clone(),
                    _ => {}
                }
            }
            tags.into_values().map(|(k, v)| (k, Some(v))).collect()
        } else {
            r.params()
                .iter()
                .filter(|(k, _)| k.starts_with("TagKey."))
                .map(|(_, v)| (v.clone(), None))
                .collect()
        };
        // UntagResources with All and no keys takes every tag away (15.2).
        let every = asked.is_empty() && r.get("All") == Some("true");
        let label = |c: &str, k: &str| {
            if clusters.len() == 1 {
                format!("tag {k}")
            } else {
                format!("{c}: tag {k}")
            }
        };
        let none = BTreeMap::new();
        let mut p = Preview::default();
        let mut take_away: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        let mut give_back: BTreeMap<Vec<(String, String)>, Vec<String>> = BTreeMap::new();
        for c in &clusters {
            let has = now.get(c).unwrap_or(&none);
            let keys: Vec<(String, Option<String>)> = if every {
                has.keys().map(|k| (k.clone(), None)).collect()
            } else {
                asked.clone()
            };
            let (mut added, mut changed) = (Vec::new(), Vec::new());
            for (k, new) in keys {
                let old = has.get(&k);
                if old.is_none() && new.is_none() {
                    continue;
                }
                p.before
                    .insert(label(c, &k), old.cloned().unwrap_or_else(|| NO_TAG.into()));
                p.after
                    .insert(label(c, &k), new.clone().unwrap_or_else(|| NO_TAG.into()));
                match old {
                    None => added.push(k),
                    Some(old) if new.as_ref() != Some(old) => changed.push((k, old.clone())),
                    Some(_) => {}
                }
            }
            if !added.is_empty() {
                take_away.entry(added).or_default().push(c.clone());
            }
            if !changed.is_empty() {
                give_back.entry(changed).or_default().push(c.clone());
            }
        }
        if p.before.is_empty() {
            return Ok(None);
        }
        let params = |a: &dyn Fn() -> Vec<(String, String)>| -> Vec<(String, String)> {
            a().into_iter().filter(|(k, _)| k != "RegionId").collect()
        };
        let per_call = polardb::rules::MAX_RESOURCES_PER_CALL;
        for (keys, on) in take_away {
            for chunk in on.chunks(per_call) {
                let ask = m::UntagResources {
                    region_id: region.to_string(),
                    resource_type: "cluster".into(),
                    resource_id: chunk.to_vec(),
                    tag_key: keys.clone(),
                    all: None,
                };
                p.revert.push(Revert::of(
                    "UntagResources",
                    params(&|| m::Action::to_params(&ask)),
                ));
            }
        }
        for (tags, on) in give_back {
            for chunk in on.chunks(per_call) {
                let ask = m::TagResources {
                    region_id: region.to_string(),
                    resource_type: "cluster".into(),
                    resource_id: chunk.to_vec(),
                    tag: tags
                        .iter()
                        .map(|(key, value)| m::TagParam {
                            key: key.clone(),
                            value: value.clone(),
                        })
                        .collect(),
                };
                p.revert.push(Revert::of(
                    "TagResources",
                    params(&|| m::Action::to_params(&ask)),
                ));
            }
        }
        Ok(Some(p))
    }

    /// Asks for a change that puts back what a finished change changed: the ways back its
    /// succeeded requests' previews kept, in the same order and batches; approvals and
    /// the requester's role apply as to any change.
    pub async fn revert(&self, caller: &Caller, id: Uuid) -> Result<Submitted, BackendError> {
        let c = self.get(id).await?;
        if !matches!(c.state, State::Succeeded | State::PartlyFailed) {
            return Err(BackendError::Conflict(format!(
                "the change is {}; only a finished one that changed something is reverted",
                c.state.as_str().replace('_', " ")
            )));
        }
        let mut steps = Vec::new();
        for s in c.steps.iter().filter(|s| s.state == "succeeded") {
            if s.before.is_some()
                && !may_see(
                    &caller.policy,
                    &s.cloud_account,
                    &s.region,
                    &s.action,
                    &s.clusters,
                )
            {
                return Err(BackendError::Forbidden(format!(
                    "your role may not read what {} on {} changed, so it cannot put it back",
                    s.action, s.cluster
                )));
            }
            let Some(preview) = s
                .before
                .clone()
                .and_then(|b| serde_json::from_value::<Preview>(b).ok())
            else {
                continue;
            };
            for back in &preview.revert {
                steps.push(Step {
                    account: s.cloud_account.clone(),
                    request: Request::parse(back.action_for(&s.action), &s.region, &back.params)?,
                    before: None,
                });
            }
        }
        if steps.is_empty() {
            return Err(BackendError::Conflict(
                "nothing this change did can be put back through the API".into(),
            ));
        }
        let title: String = format!("Revert: {}", c.title).chars().take(200).collect();
        self.submit(
            caller,
            NewChange {
                title,
                reason: format!("revert of change {id}"),
                steps,
                schedule: Schedule::Now,
                rollout: Rollout {
                    canary: c.canary as u32,
                    batch_size: c.batch_size as u32,
                    max_failures: c.max_failures as u32,
                },
                revert_of: Some(id),
                retry_of: None,
            },
        )
        .await
    }
}

impl Changes {
    /// Asks again for the requests of a finished change that failed or were not sent, as a
    /// new change (approvals and the requester's role apply as to any change).
    pub async fn retry(&self, caller: &Caller, id: Uuid) -> Result<Submitted, BackendError> {
        let c = self.get(id).await?;
        if !matches!(c.state, State::PartlyFailed | State::Failed) {
            return Err(BackendError::Conflict(format!(
                "the change is {}; only one that failed in part or in whole is retried",
                c.state.as_str().replace('_', " ")
            )));
        }
        let mut steps = Vec::new();
        for s in c
            .steps
            .iter()
            .filter(|s| matches!(s.state.as_str(), "failed" | "skipped"))
        {
            let params = super::params_of(&s.params).ok_or_else(|| {
                BackendError::invalid("params", "the stored request cannot be read")
            })?;
            steps.push(Step {
                account: s.cloud_account.clone(),
                request: Request::parse(&s.action, &s.region, &params)?,
                before: None,
            });
        }
        let title: String = format!("Retry: {}", c.title).chars().take(200).collect();
        self.submit(
            caller,
            NewChange {
                title,
                reason: if c.reason.is_empty() {
                    format!("retry of change {id}")
                } else {
                    c.reason.clone()
                },
                steps,
                schedule: Schedule::Now,
                rollout: Rollout {
                    canary: c.canary as u32,
                    batch_size: c.batch_size as u32,
                    max_failures: c.max_failures as u32,
                },
                revert_of: None,
                retry_of: Some(id),
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_stored_by_every_version_read() {
        // Before a way back named its action: the previewed action's parameters, or null.
        let old: Preview = serde_json::from_value(serde_json::json!({
            "before": {"Period": "60"}, "after": {"Period": "5"}, "restart": false,
            "revert": [["DBClusterId", "pc-a"], ["Period", "60"]],
        }))
        .unwrap();
        assert_eq!(old.revert.len(), 1);
        assert_eq!(
            old.revert[0].action_for("ModifyDBClusterMonitor"),
            "ModifyDBClusterMonitor"
        );
        assert_eq!(old.revert[0].params[1], ("Period".into(), "60".into()));
        let none: Preview = serde_json::from_value(serde_json::json!({
            "before": {}, "after": {"x": "1"}, "revert": null,
        }))
        .unwrap();
        assert!(none.revert.is_empty());
        let bare: Preview =
            serde_json::from_value(serde_json::json!({"before": {}, "after": {}})).unwrap();
        assert!(bare.revert.is_empty());
        // Now: requests that name their action, as written.
        let new = Preview {
            revert: vec![
                Revert::of("UntagResources", pairs(&[("TagKey.1", "team")])),
                Revert::of("TagResources", pairs(&[("Tag.1.Key", "env")])),
            ],
            ..Default::default()
        };
        let read: Preview = serde_json::from_value(serde_json::to_value(&new).unwrap()).unwrap();
        assert_eq!(read, new);
        assert_eq!(read.revert[0].action_for("TagResources"), "UntagResources");
    }

    #[test]
    fn a_policy_preview_puts_back_exactly_the_fields_it_sets() {
        let r = Request::parse(
            "ModifyBackupPolicy",
            "cn-hangzhou",
            &pairs(&[
                ("DBClusterId", "pc-a"),
                ("DataLevel1BackupRetentionPeriod", "14"),
                ("PreferredBackupTime", "02:00Z-03:00Z"),
            ]),
        )
        .unwrap();
        let now = serde_json::to_value(m::DescribeBackupPolicyResponse {
            data_level1_backup_retention_period: "7".into(),
            preferred_backup_time: "18:00Z-19:00Z".into(),
            preferred_backup_period: "Monday,Friday".into(),
            ..Default::default()
        })
        .unwrap();
        let p = same_named(&r, "pc-a", &now, &[]).unwrap();
        assert_eq!(p.before["DataLevel1BackupRetentionPeriod"], "7");
        assert_eq!(p.after["PreferredBackupTime"], "02:00Z-03:00Z");
        assert!(!p.before.contains_key("PreferredBackupPeriod"));
        assert_eq!(
            p.revert,
            vec![Revert::of(
                "ModifyBackupPolicy",
                pairs(&[
                    ("DBClusterId", "pc-a"),
                    ("DataLevel1BackupRetentionPeriod", "7"),
                    ("PreferredBackupTime", "18:00Z-19:00Z"),
                ])
            )]
        );
        // A list of policy operations is no value to put back.
        let r = Request::parse(
            "ModifyLogBackupPolicy",
            "cn-hangzhou",
            &pairs(&[
                ("DBClusterId", "pc-a"),
                ("LogBackupRetentionPeriod", "30"),
                ("AdvancedLogPolicies", "[]"),
            ]),
        )
        .unwrap();
        let now = serde_json::to_value(m::DescribeLogBackupPolicyResponse {
            log_backup_retention_period: 7,
            ..Default::default()
        })
        .unwrap();
        let p = same_named(&r, "pc-a", &now, &[]).unwrap();
        assert_eq!(p.before["LogBackupRetentionPeriod"], "7");
        assert!(p.revert.is_empty());
    }
}
