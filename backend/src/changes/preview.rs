//! Previews and reverts: where the API lets the console read what a request will change,
//! the values before and after are shown with the change (a parameter that restarts the
//! cluster says so), and the request that puts the old values back is kept, so a finished
//! change offers "revert" as a new change.
//!
//! Covered: cluster parameters (DescribeDBClusterParameters), the description and the
//! maintenance window (DescribeDBClusterAttribute), the monitoring period
//! (DescribeDBClusterMonitor) and an IP whitelist group (DescribeDBClusterAccessWhitelist).

use std::collections::BTreeMap;

use polardb::models as m;
use polardb::request::Request;
use serde::{Deserialize, Serialize};
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
    /// The parameters of the same action that put `before` back (none: no way back).
    #[serde(default)]
    pub revert: Option<Vec<(String, String)>>,
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

impl Changes {
    /// The preview of a step, read as `caller` (`None`: the action has none).
    pub(super) async fn preview(
        &self,
        caller: &Caller,
        step: &Step,
    ) -> Result<Option<Preview>, BackendError> {
        let r = &step.request;
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
                revert: Some(pairs(&[("DBClusterId", &cluster), (k, &old)])),
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
                        p.revert = None;
                        continue;
                    };
                    p.restart |= running.force_restart && running.parameter_value != value;
                    p.before
                        .insert(name.clone(), running.parameter_value.clone());
                    p.after.insert(name.clone(), value);
                    old.insert(name.clone(), Value::String(running.parameter_value.clone()));
                }
                if p.before.len() == new.len() {
                    p.revert = Some(pairs(&[
                        ("DBClusterId", &cluster),
                        ("Parameters", &Value::Object(old).to_string()),
                    ]));
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
                    revert: (!old.is_empty()).then(|| {
                        pairs(&[
                            ("DBClusterId", &cluster),
                            ("DBClusterIPArrayName", &group),
                            ("SecurityIps", &old.join(",")),
                            ("ModifyMode", "Cover"),
                        ])
                    }),
                })
            }
            _ => None,
        })
    }

    /// Asks for a change that puts back what a finished change changed: its succeeded
    /// requests whose preview kept a way back, in the same order and batches; approvals and
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
            let Some(revert) = s
                .before
                .clone()
                .and_then(|b| serde_json::from_value::<Preview>(b).ok())
                .and_then(|p| p.revert)
            else {
                continue;
            };
            steps.push(Step {
                account: s.cloud_account.clone(),
                request: Request::parse(&s.action, &s.region, &revert)?,
                before: None,
            });
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
