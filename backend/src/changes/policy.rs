//! Approval policies: which writes wait for approvals, and the check the gateway makes
//! on every write.

use polardb::models::ActionKind;
use polardb::request::Request;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::{params_of, without_token, Changes};
use crate::audit;
use crate::BackendError;

/// Which writes need approvals, how many and from whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApprovalPolicy {
    pub id: Uuid,
    pub name: String,
    /// Empty: every write.
    pub actions: Vec<String>,
    pub cloud_account: Option<String>,
    pub region: Option<String>,
    pub tag_key: Option<String>,
    /// With a key and no value: any value of that key.
    pub tag_value: Option<String>,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

impl ApprovalPolicy {
    /// Whether it covers `action` in `account` and `region`, its tag aside.
    /// Whether the policy could cover `request` sent with cloud account `account` (a tag,
    /// if it has one, is decided on the request's clusters).
    pub(crate) fn applies_to(&self, request: &Request, account: &str) -> bool {
        let (action, region) = (request.action().name, request.region_str());
        self.covers(action, account, region)
            || (self.in_scope(account, region) && self.edits_its_tag(request))
    }

    fn covers(&self, action: &str, account: &str, region: &str) -> bool {
        (self.actions.is_empty() || self.actions.iter().any(|a| a == action))
            && self.in_scope(account, region)
    }

    /// Whether it covers `account` and `region`.
    fn in_scope(&self, account: &str, region: &str) -> bool {
        self.cloud_account.as_deref().is_none_or(|a| a == account)
            && self.region.as_deref().is_none_or(|r| r == region)
    }

    /// Whether `request` would take the policy's tag away from a cluster (untag its key, or
    /// give its key another value): such an edit is covered like the policy's own actions,
    /// or a tag removed first would let them through unapproved.
    fn edits_its_tag(&self, request: &Request) -> bool {
        let Some(key) = &self.tag_key else {
            return false;
        };
        let params = request.params();
        match request.action().name {
            "UntagResources" => {
                request.get("All") == Some("true")
                    || params
                        .iter()
                        .any(|(k, v)| k.starts_with("TagKey.") && v == key)
            }
            "TagResources" => {
                let Some(value) = &self.tag_value else {
                    return false;
                };
                params.iter().any(|(k, v)| {
                    let Some(n) = k.strip_prefix("Tag.").and_then(|r| r.strip_suffix(".Key"))
                    else {
                        return false;
                    };
                    v == key && request.get(&format!("Tag.{n}.Value")) != Some(value.as_str())
                })
            }
            _ => false,
        }
    }

    /// Whether a cluster with `tags` carries the policy's tag.
    fn tagged(&self, tags: &[(String, String)]) -> bool {
        match &self.tag_key {
            None => true,
            Some(key) => tags
                .iter()
                .any(|(k, v)| k == key && self.tag_value.as_deref().is_none_or(|x| x == v)),
        }
    }
}

/// A policy as an administrator writes it.
#[derive(Clone, Debug, Default)]
pub struct NewPolicy {
    pub name: String,
    pub actions: Vec<String>,
    pub cloud_account: Option<String>,
    pub region: Option<String>,
    pub tag_key: Option<String>,
    pub tag_value: Option<String>,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

impl NewPolicy {
    /// The rules of a policy, each refusal naming its field.
    pub fn check(&self) -> Result<(), BackendError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(BackendError::invalid(
                "name",
                "must be 1 to 64 characters without control characters",
            ));
        }
        // A change lists the policies that hold it by name, separated by ", " (attack run
        // 20, F1: a name with a comma was read as two).
        if name.contains(',') {
            return Err(BackendError::invalid("name", "must not contain a comma"));
        }
        if self.actions.len() > 100 {
            return Err(BackendError::invalid("actions", "at most 100 actions"));
        }
        for (i, a) in self.actions.iter().enumerate() {
            if self.actions[..i].contains(a) {
                return Err(BackendError::invalid(
                    "actions",
                    format!("{a} is named twice"),
                ));
            }
            match polardb::models::action_info(a) {
                Some(info) if info.kind == ActionKind::Write => {}
                Some(_) => {
                    return Err(BackendError::invalid(
                        "actions",
                        format!("{a} only reads; approvals are for changes"),
                    ))
                }
                None => {
                    return Err(BackendError::invalid(
                        "actions",
                        format!(
                            "{:?} is not an action of the PolarDB API",
                            audit::safe_text(a, 64)
                        ),
                    ))
                }
            }
        }
        if let Some(r) = &self.region {
            polardb::request::RegionId::parse(r)
                .map_err(|e| BackendError::invalid("region", e.message))?;
        }
        if let Some(a) = &self.cloud_account {
            if a.is_empty() || a.chars().count() > 64 || a.chars().any(char::is_control) {
                return Err(BackendError::invalid(
                    "cloud_account",
                    "is not a cloud account name (1 to 64 characters)",
                ));
            }
        }
        match (&self.tag_key, &self.tag_value) {
            (None, Some(_)) => {
                return Err(BackendError::invalid(
                    "tag_key",
                    "is needed when a tag value is given",
                ))
            }
            (Some(k), v) => {
                if let Some(p) = polardb::rules::tag_key_problem(k) {
                    return Err(BackendError::invalid("tag_key", p));
                }
                if let Some(p) = v.as_deref().and_then(polardb::rules::tag_value_problem) {
                    return Err(BackendError::invalid("tag_value", p));
                }
            }
            (None, None) => {}
        }
        if !(1..=5).contains(&self.approvals) {
            return Err(BackendError::invalid("approvals", "must be 1 to 5"));
        }
        if self
            .approver_roles
            .iter()
            .any(|r| r.is_empty() || r.chars().count() > 64 || r.chars().any(char::is_control))
        {
            return Err(BackendError::invalid(
                "approver_roles",
                "a role name is 1 to 64 characters without control characters",
            ));
        }
        if let Some((i, r)) = self
            .approver_roles
            .iter()
            .enumerate()
            .find(|(i, r)| self.approver_roles[..*i].contains(r))
        {
            let _ = i;
            return Err(BackendError::invalid(
                "approver_roles",
                format!("{r} is named twice"),
            ));
        }
        if self.approver_roles.is_empty() || self.approver_roles.len() > 16 {
            return Err(BackendError::invalid(
                "approver_roles",
                "must name 1 to 16 roles",
            ));
        }
        if !(1..=720).contains(&self.expires_hours) {
            return Err(BackendError::invalid(
                "expires_hours",
                "must be 1 to 720 hours",
            ));
        }
        Ok(())
    }
}

/// What a policy asks of a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub policy: String,
    pub approvals: i32,
    pub approver_roles: Vec<String>,
    pub expires_hours: i32,
}

impl Requirement {
    fn of(p: &ApprovalPolicy) -> Requirement {
        Requirement {
            policy: p.name.clone(),
            approvals: p.approvals,
            approver_roles: p.approver_roles.clone(),
            expires_hours: p.expires_hours,
        }
    }

    /// Those of `needed` that do not have their count of approvals from their own roles,
    /// given the roles the approvals were given in (an approval counts for a policy only
    /// when its approver had one of the policy's roles when approving).
    pub fn unmet<'a>(needed: &'a [Requirement], roles: &[String]) -> Vec<&'a Requirement> {
        needed
            .iter()
            .filter(|r| {
                roles
                    .iter()
                    .filter(|role| r.approver_roles.contains(role))
                    .count()
                    < r.approvals.max(0) as usize
            })
            .collect()
    }

    /// What several policies ask of one change together: the most approvals, from any of
    /// their roles, within the shortest time (the gate still checks each policy's own
    /// roles and count when the change runs).
    pub fn merged(all: &[Requirement]) -> Option<Requirement> {
        let first = all.first()?;
        let mut out = first.clone();
        for r in &all[1..] {
            if !out.policy.split(", ").any(|p| p == r.policy) {
                out.policy = format!("{}, {}", out.policy, r.policy);
            }
            out.approvals = out.approvals.max(r.approvals);
            for role in &r.approver_roles {
                if !out.approver_roles.contains(role) {
                    out.approver_roles.push(role.clone());
                }
            }
            out.expires_hours = out.expires_hours.min(r.expires_hours);
        }
        Some(out)
    }
}

/// The approval check the gateway makes on every write: policies read from the database on
/// each write (a policy added by another process holds at once), and whether the call is a
/// step of a running change that has its approvals.
#[derive(Clone)]
pub struct Gate {
    pool: PgPool,
    /// The policies are read on these (every write reads them).
    lanes: crate::db::Lanes,
}

impl Gate {
    pub fn new(pool: PgPool, lanes: crate::db::Lanes) -> Self {
        Gate { pool, lanes }
    }

    pub async fn policies(&self) -> Result<Vec<ApprovalPolicy>, BackendError> {
        let mut lane = self.lanes.take().await?;
        let rows = sqlx::query!(
            "SELECT id, name, actions, cloud_account, region, tag_key, tag_value, approvals,
                    approver_roles, expires_hours
             FROM approval_policies ORDER BY name"
        )
        .fetch_all(&mut *lane)
        .await?;
        lane.done();
        Ok(rows
            .into_iter()
            .map(|r| ApprovalPolicy {
                id: r.id,
                name: r.name,
                actions: r.actions,
                cloud_account: r.cloud_account,
                region: r.region,
                tag_key: r.tag_key,
                tag_value: r.tag_value,
                approvals: r.approvals,
                approver_roles: r.approver_roles,
                expires_hours: r.expires_hours,
            })
            .collect())
    }

    /// The policies that may cover `request` in `account` (their tags aside): by its
    /// action, or because it edits a policy's tag.
    pub(crate) async fn candidates(
        &self,
        request: &Request,
        account: &str,
    ) -> Result<Vec<ApprovalPolicy>, BackendError> {
        Ok(self
            .policies()
            .await?
            .into_iter()
            .filter(|p| p.applies_to(request, account))
            .collect())
    }

    /// Every requirement of `candidates` for clusters with `tags` (`None`: the tags could
    /// not be read, so every tag matches — fail closed). A policy with a tag never covers a
    /// request that names no cluster.
    pub(crate) fn requirements(
        candidates: &[ApprovalPolicy],
        clusters: usize,
        tags: Option<&[(String, String)]>,
    ) -> Vec<Requirement> {
        candidates
            .iter()
            .filter(|p| match (&p.tag_key, tags) {
                (None, _) => true,
                (Some(_), _) if clusters == 0 => false,
                (Some(_), None) => true,
                (Some(_), Some(t)) => p.tagged(t),
            })
            .map(Requirement::of)
            .collect()
    }

    /// Whether `request` is a running step of the running change `change`, and every one
    /// of `needed` has its approvals from its own roles (an approval counts for a policy
    /// only when its approver had one of the policy's roles when approving).
    pub(crate) async fn allows(
        &self,
        change: Uuid,
        needed: &[Requirement],
        request: &Request,
    ) -> Result<bool, BackendError> {
        let steps = sqlx::query_scalar!(
            "SELECT s.params
             FROM changes c JOIN change_steps s ON s.change_id = c.id
             WHERE c.id = $1 AND c.state = 'running' AND s.state = 'running' AND s.action = $2",
            change,
            request.action().name
        )
        .fetch_all(&self.pool)
        .await?;
        let sent = without_token(request.params());
        if !steps
            .iter()
            .any(|p| params_of(p).is_some_and(|p| without_token(&p) == sent))
        {
            return Ok(false);
        }
        let roles = sqlx::query_scalar!(
            "SELECT role FROM change_approvals WHERE change_id = $1 AND decision = 'approve'",
            change
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(Requirement::unmet(needed, &roles).is_empty())
    }
}

/// Clusters' tags already read, by cloud account, region and cluster (`None`: unreadable),
/// so that bringing many changes up to date reads each cluster's tags once.
#[derive(Default)]
pub(super) struct TagCache(std::collections::HashMap<Place, Option<Tags>>);

/// A cluster: its cloud account, region and id.
type Place = (String, String, String);
/// Tags as key and value.
type Tags = Vec<(String, String)>;

impl TagCache {
    /// The tags of `clusters` together (`None` when any cannot be read: every tag
    /// matches), reading only those not read yet, in one look-up.
    pub(super) async fn tags(
        &mut self,
        changes: &Changes,
        caller: &crate::gateway::Caller,
        account: &str,
        region: &str,
        clusters: &[String],
    ) -> Option<Vec<(String, String)>> {
        let key = |c: &str| (account.to_string(), region.to_string(), c.to_string());
        let missing: Vec<String> = clusters
            .iter()
            .filter(|c| !self.0.contains_key(&key(c)))
            .cloned()
            .collect();
        if !missing.is_empty() {
            match changes
                .gateway
                .cluster_tags_each(caller, account, region, &missing)
                .await
            {
                Ok(mut found) => {
                    for c in missing {
                        let t = found.remove(&c).unwrap_or_default();
                        self.0.insert(key(&c), Some(t));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "tags of clusters unreadable (approval policies with a tag apply)");
                    for c in missing {
                        self.0.insert(key(&c), None);
                    }
                }
            }
        }
        let mut all: Vec<(String, String)> = Vec::new();
        for c in clusters {
            for t in self.0.get(&key(c))?.as_ref()? {
                if !all.contains(t) {
                    all.push(t.clone());
                }
            }
        }
        Some(all)
    }
}

impl Changes {
    /// What the approval policies ask of change `id` now, one requirement a policy: the
    /// policies as they are, over its requests still to send and the clusters each names
    /// (their tags read as `caller` once for each account, region and set of candidate
    /// policies; tags that cannot be read match, as at the gate). A policy added, or
    /// renamed by deleting and adding, while the change waits is asked for; one deleted
    /// no longer asks (attack run 21, F1).
    pub(super) async fn live_requirements(
        &self,
        caller: &crate::gateway::Caller,
        id: Uuid,
        known: &mut TagCache,
    ) -> Result<Vec<Requirement>, BackendError> {
        let policies = self.gate().policies().await?;
        if policies.is_empty() {
            return Ok(Vec::new());
        }
        let steps = sqlx::query!(
            "SELECT cloud_account, region, action, params, clusters
             FROM change_steps WHERE change_id = $1 AND state = 'pending' ORDER BY seq",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        // Requests of one account and region under the same candidates are one look-up:
        // a tag policy covers them when any of their clusters has its tag.
        let mut groups: Vec<(&str, &str, Vec<&ApprovalPolicy>, Vec<String>)> = Vec::new();
        for s in &steps {
            let request = params_of(&s.params)
                .ok_or_else(|| BackendError::invalid("params", "the stored request cannot be read"))
                .and_then(|p| Ok(Request::parse(&s.action, &s.region, &p)?))?;
            let candidates: Vec<&ApprovalPolicy> = policies
                .iter()
                .filter(|p| p.applies_to(&request, &s.cloud_account))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let group = groups
                .iter_mut()
                .find(|g| g.0 == s.cloud_account && g.1 == s.region && g.2 == candidates);
            match group {
                Some(g) => {
                    for c in &s.clusters {
                        if !g.3.contains(c) {
                            g.3.push(c.clone());
                        }
                    }
                }
                None => groups.push((&s.cloud_account, &s.region, candidates, s.clusters.clone())),
            }
        }
        let mut all: Vec<Requirement> = Vec::new();
        for (account, region, candidates, clusters) in groups {
            let tags = if candidates.iter().any(|p| p.tag_key.is_some()) && !clusters.is_empty() {
                known.tags(self, caller, account, region, &clusters).await
            } else {
                Some(Vec::new())
            };
            let candidates: Vec<ApprovalPolicy> = candidates.into_iter().cloned().collect();
            for r in Gate::requirements(&candidates, clusters.len(), tags.as_deref()) {
                if !all.iter().any(|a| a.policy == r.policy) {
                    all.push(r);
                }
            }
        }
        Ok(all)
    }

    /// Every approval policy.
    pub async fn policies(&self) -> Result<Vec<ApprovalPolicy>, BackendError> {
        self.gate().policies().await
    }

    /// Adds a policy in the caller's administrative change (committed with its record).
    pub async fn add_policy(
        &self,
        conn: &mut sqlx::PgConnection,
        p: &NewPolicy,
    ) -> Result<Uuid, BackendError> {
        p.check()?;
        let id = Uuid::new_v4();
        let r = sqlx::query!(
            "INSERT INTO approval_policies (id, name, actions, cloud_account, region, tag_key,
                 tag_value, approvals, approver_roles, expires_hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            id,
            p.name.trim(),
            &p.actions,
            p.cloud_account,
            p.region,
            p.tag_key,
            p.tag_value,
            p.approvals,
            &p.approver_roles,
            p.expires_hours
        )
        .execute(&mut *conn)
        .await;
        match r {
            Ok(_) => Ok(id),
            Err(e) if BackendError::is_unique_violation(&e) => Err(BackendError::invalid(
                "name",
                format!("a policy called {:?} exists already", p.name.trim()),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a policy in the caller's administrative change; answers its name.
    pub async fn delete_policy(
        &self,
        conn: &mut sqlx::PgConnection,
        id: Uuid,
    ) -> Result<String, BackendError> {
        sqlx::query_scalar!(
            "DELETE FROM approval_policies WHERE id = $1 RETURNING name",
            id
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(BackendError::NotFound("approval policy"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod_deletes() -> ApprovalPolicy {
        ApprovalPolicy {
            id: Uuid::nil(),
            name: "prod-deletes".into(),
            actions: vec!["DeleteDatabase".into()],
            cloud_account: None,
            region: Some("cn-hangzhou".into()),
            tag_key: Some("env".into()),
            tag_value: Some("prod".into()),
            approvals: 1,
            approver_roles: vec!["admin".into()],
            expires_hours: 72,
        }
    }

    fn request(action: &str, params: &[(&str, &str)]) -> Request {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Request::parse(action, "cn-hangzhou", &params).unwrap()
    }

    #[test]
    fn taking_a_policys_tag_away_is_covered_by_it() {
        let p = prod_deletes();
        let c = "pc-m5qsnftgo7fkfv";
        let untag = |keys: &[&str]| {
            let mut params = vec![("ResourceType", "cluster"), ("ResourceId.1", c)];
            let names: Vec<String> = (1..=keys.len()).map(|n| format!("TagKey.{n}")).collect();
            params.extend(names.iter().map(String::as_str).zip(keys.iter().copied()));
            request("UntagResources", &params)
        };
        assert!(p.edits_its_tag(&untag(&["team", "env"])));
        assert!(!p.edits_its_tag(&untag(&["team"])));
        assert!(p.edits_its_tag(&request(
            "UntagResources",
            &[
                ("ResourceType", "cluster"),
                ("ResourceId.1", c),
                ("All", "true")
            ]
        )));
        let tag = |value: &str| {
            request(
                "TagResources",
                &[
                    ("ResourceType", "cluster"),
                    ("ResourceId.1", c),
                    ("Tag.1.Key", "env"),
                    ("Tag.1.Value", value),
                ],
            )
        };
        assert!(p.edits_its_tag(&tag("staging")));
        assert!(!p.edits_its_tag(&tag("prod")));
        // A policy on a key alone keeps its key whatever the value.
        let key_only = ApprovalPolicy {
            tag_value: None,
            ..prod_deletes()
        };
        assert!(!key_only.edits_its_tag(&tag("staging")));
        assert!(key_only.edits_its_tag(&untag(&["env"])));
    }

    #[test]
    fn every_covering_policy_counts_and_unreadable_tags_match() {
        let one = prod_deletes();
        let two = ApprovalPolicy {
            name: "two".into(),
            approvals: 2,
            tag_key: None,
            tag_value: None,
            ..prod_deletes()
        };
        let prod = [("env".to_string(), "prod".to_string())];
        let dev = [("env".to_string(), "dev".to_string())];
        let both = [one.clone(), two.clone()];
        let all = Gate::requirements(&both, 1, Some(&prod));
        assert_eq!(all.len(), 2);
        let merged = Requirement::merged(&all).unwrap();
        assert_eq!(merged.approvals, 2);
        assert_eq!(merged.policy, "prod-deletes, two");
        assert!(Gate::requirements(std::slice::from_ref(&one), 1, Some(&dev)).is_empty());
        assert_eq!(
            Gate::requirements(std::slice::from_ref(&one), 1, None)[0].policy,
            "prod-deletes"
        );
        assert!(Gate::requirements(std::slice::from_ref(&one), 0, None).is_empty());
        assert!(one.covers("DeleteDatabase", "any", "cn-hangzhou"));
        assert!(!one.covers("DeleteDatabase", "any", "cn-shanghai"));
        assert!(!one.covers("CreateDatabase", "any", "cn-hangzhou"));
    }
}
