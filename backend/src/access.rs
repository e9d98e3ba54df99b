//! Access control: one enforcement point for every page and every proxied call.
//!
//! Policies are written like Alibaba Cloud RAM statements: an effect, action patterns
//! (`polardb:Describe*`, `console:*`) and resource patterns
//! (`acs:polardb:REGION:ACCOUNT:dbcluster/ID`, `*` anywhere). An explicit Deny wins over
//! any Allow; nothing allowed is denied. The built-in roles are policies too, generated
//! from the client crate's catalogue, so a new API action is covered automatically.

use polardb::models::{ActionKind, ACTIONS};
use serde::{Deserialize, Serialize};

use crate::BackendError;

/// Console actions that are not PolarDB API calls.
pub mod console {
    pub const MANAGE_CLOUD_ACCOUNTS: &str = "console:ManageCloudAccounts";
    pub const MANAGE_USERS: &str = "console:ManageUsers";
    pub const VIEW_ALL_AUDIT: &str = "console:ViewAllAudit";
    pub const VIEW_OWN_AUDIT: &str = "console:ViewOwnAudit";
    pub const ALL: &[&str] = &[
        MANAGE_CLOUD_ACCOUNTS,
        MANAGE_USERS,
        VIEW_ALL_AUDIT,
        VIEW_OWN_AUDIT,
    ];
}

/// The day-2 changes an Operator may make (besides every read).
pub const OPERATOR_WRITES: &[&str] = &[
    "ModifyDBClusterDescription",
    "ModifyDBClusterMaintainTime",
    "ModifyDBClusterAccessWhitelist",
    "ModifyDBClusterSSL",
    "ModifyDBClusterAuditLogCollector",
    "CreateAccount",
    "ModifyAccountDescription",
    "ModifyAccountPassword",
    "DeleteAccount",
    "CreateDatabase",
    "DeleteDatabase",
    "CreateBackup",
    "DeleteBackup",
    "ModifyBackupPolicy",
    "ModifyLogBackupPolicy",
    "TagResources",
    "UntagResources",
    "ModifyDBClusterParameters",
    "CreateDBEndpointAddress",
    "ModifyDBEndpointAddress",
    "DeleteDBEndpointAddress",
    "CreateDBClusterEndpoint",
    "ModifyDBClusterEndpoint",
    "DeleteDBClusterEndpoint",
    "RestartDBNode",
    "ModifyPendingMaintenanceAction",
    "CancelScheduleTasks",
    "ModifyDBClusterMonitor",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement of a policy. Only `Effect`, `Action` and `Resource` are understood; any
/// other key (`NotAction`, `NotResource`, `Condition`, …) is refused rather than dropped,
/// since dropping it would widen what the statement allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Statement {
    pub effect: Effect,
    pub action: Vec<String>,
    #[serde(default = "any_resource")]
    pub resource: Vec<String>,
}

fn any_resource() -> Vec<String> {
    vec!["*".to_string()]
}

/// A policy: a list of statements, like a RAM policy document's `Statement`. A RAM
/// document's `Version` is accepted and not kept; any other key is refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Policy {
    pub statement: Vec<Statement>,
    #[serde(default, skip_serializing)]
    version: Option<serde_json::Value>,
}

/// What is being acted on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    /// The cloud account's name; empty for console-wide actions.
    pub account: String,
    pub region: String,
    /// The cluster id, when the action names one.
    pub cluster: Option<String>,
}

/// The one resource console actions act on.
pub const CONSOLE_ARN: &str = "acs:console:*:*:console";

impl Resource {
    /// `acs:polardb:REGION:ACCOUNT:dbcluster/ID` (or `.../dbcluster/*` for region-wide actions,
    /// `acs:console:*:*:console` for console actions).
    pub fn arn(&self) -> String {
        if self.account.is_empty() {
            return CONSOLE_ARN.to_string();
        }
        format!(
            "acs:polardb:{}:{}:dbcluster/{}",
            self.region,
            self.account,
            self.cluster.as_deref().unwrap_or("*")
        )
    }
}

/// The outcome of a check, with the reason a person can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(String),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// `*` matches any run of characters, `?` one character. A `*` of the pattern is a
/// wildcard also where the text has a `*` (the console's own resource, a region-wide
/// resource): it is tried as a wildcard first, never as a literal (seventh attack run: a
/// pattern's `*` meeting the text's was taken as a literal and never backtracked, so
/// `acs:console:*` matched nothing and `pc-m5*v` passed for inside `pc-m5*`).
pub fn glob(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if case_insensitive {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether (`ends`) can be reached from (0, 0), where `step` pushes the pairs of positions
/// one step from (a, b) leads to: the search behind [`covers`] and [`intersects`].
fn reaches(ends: (usize, usize), step: impl Fn(usize, usize, &mut Vec<(usize, usize)>)) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![(0usize, 0usize)];
    while let Some((a, b)) = todo.pop() {
        if (a, b) == ends {
            return true;
        }
        if seen.insert((a, b)) {
            step(a, b, &mut todo);
        }
    }
    false
}

/// Whether every text `inner` matches is matched by `outer` too (both patterns of
/// [`glob`]). Conservative: `false` where it cannot tell.
pub fn covers(outer: &str, inner: &str) -> bool {
    let (o, i): (Vec<char>, Vec<char>) = (outer.chars().collect(), inner.chars().collect());
    // Inner's symbols are consumed one at a time; outer's `*` takes any run of them, its
    // `?` one that is not a `*`, a literal only the same literal.
    reaches((o.len(), i.len()), |a, b, next| {
        if a < o.len() && o[a] == '*' {
            next.push((a + 1, b));
            if b < i.len() {
                next.push((a, b + 1));
            }
        } else if a < o.len() && b < i.len() {
            let fits = match (o[a], i[b]) {
                ('?', c) => c != '*',
                (x, y) => x == y && y != '*' && y != '?',
            };
            if fits {
                next.push((a + 1, b + 1));
            }
        }
    })
}

/// Whether some text matches both patterns of [`glob`].
pub fn intersects(p: &str, q: &str) -> bool {
    let (p, q): (Vec<char>, Vec<char>) = (p.chars().collect(), q.chars().collect());
    reaches((p.len(), q.len()), |a, b, next| {
        // A `*` may match nothing,
        if a < p.len() && p[a] == '*' {
            next.push((a + 1, b));
        }
        if b < q.len() && q[b] == '*' {
            next.push((a, b + 1));
        }
        // or both take one character that each accepts.
        if a < p.len() && b < q.len() {
            let any = |x: char| x == '*' || x == '?';
            if any(p[a]) || any(q[b]) || p[a] == q[b] {
                let na = if p[a] == '*' { a } else { a + 1 };
                let nb = if q[b] == '*' { b } else { b + 1 };
                next.push((na, nb));
            }
        }
    })
}

/// A resource pattern matches a region-wide resource (`dbcluster/*`) only if it covers
/// every cluster of that region; a cluster-scoped pattern does not grant region-wide calls.
fn resource_matches(pattern: &str, arn: &str) -> bool {
    glob(pattern, arn, false)
}

impl Policy {
    /// Checks `action` (`polardb:Name` or `console:Name`) on `resource`.
    pub fn decide(&self, action: &str, resource: &Resource) -> Decision {
        let arn = resource.arn();
        let mut allowed = false;
        for s in &self.statement {
            let action_hit = s.action.iter().any(|p| glob(p, action, true));
            let resource_hit = s.resource.iter().any(|p| resource_matches(p, &arn));
            if action_hit && resource_hit {
                match s.effect {
                    Effect::Deny => {
                        return Decision::Deny(format!(
                            "{action} on {arn} is explicitly denied by your role"
                        ))
                    }
                    Effect::Allow => allowed = true,
                }
            }
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::Deny(format!("your role does not allow {action} on {arn}"))
        }
    }

    /// Validates a policy written by an administrator: known effects, non-empty lists,
    /// action patterns that could match something, resource patterns in ARN form.
    pub fn validate(&self) -> Result<(), BackendError> {
        if self.statement.is_empty() {
            return Err(BackendError::invalid(
                "policy",
                "needs at least one statement",
            ));
        }
        for (i, s) in self.statement.iter().enumerate() {
            let n = i + 1;
            if s.action.is_empty() {
                return Err(BackendError::invalid(
                    "policy",
                    format!("statement {n}: Action is empty"),
                ));
            }
            for a in &s.action {
                let known = all_action_names().iter().any(|name| glob(a, name, true));
                if !known {
                    return Err(BackendError::invalid(
                        "policy",
                        format!(
                            "statement {n}: Action {a:?} matches no polardb: or console: action"
                        ),
                    ));
                }
            }
            if s.resource.is_empty() {
                return Err(BackendError::invalid(
                    "policy",
                    format!("statement {n}: Resource is empty"),
                ));
            }
            let names = |prefix: &str| {
                all_action_names()
                    .into_iter()
                    .filter(|name| name.starts_with(prefix))
                    .any(|name| s.action.iter().any(|a| glob(a, &name, true)))
            };
            let reaches = |arn: &str| s.resource.iter().any(|r| intersects(r, arn));
            if names("console:") && !names("polardb:") && !reaches(CONSOLE_ARN) {
                return Err(BackendError::invalid(
                    "policy",
                    format!("statement {n}: its console actions act on {CONSOLE_ARN}, which none of its resources matches"),
                ));
            }
            if names("polardb:") && !names("console:") && !reaches("acs:polardb:*") {
                return Err(BackendError::invalid(
                    "policy",
                    format!("statement {n}: its polardb actions act on acs:polardb:… resources, which none of its resources matches"),
                ));
            }
            for r in &s.resource {
                if r != "*" && !r.starts_with("acs:polardb:") && !r.starts_with("acs:console:") {
                    return Err(BackendError::invalid(
                        "policy",
                        format!(
                            "statement {n}: Resource {r:?} must be * or start with acs:polardb:"
                        ),
                    ));
                }
                if r.starts_with("acs:console:") && !glob(r, CONSOLE_ARN, false) {
                    return Err(BackendError::invalid(
                        "policy",
                        format!(
                            "statement {n}: Resource {r:?} can never match the console's resource {CONSOLE_ARN}"
                        ),
                    ));
                }
                if let Some(problem) = cluster_pattern_problem(r) {
                    return Err(BackendError::invalid(
                        "policy",
                        format!("statement {n}: Resource {r:?} {problem}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Every action name a policy can speak of: `polardb:<Action>` for the whole catalogue,
/// plus the console's own.
impl Policy {
    /// Whether this policy grants nothing that `holder` does not. For every action: each
    /// resource pattern this policy allows it on lies within one `holder` allows it on, and
    /// wherever such a pattern meets one `holder` denies it on, this policy denies it there
    /// too. A manager of users hands out no more than they hold (sixth attack run, F2; the
    /// seventh found the first version probing only the patterns as written, so a grant of
    /// a whole account passed a manager's Deny on one of its clusters). Conservative: a
    /// policy it cannot place within is refused.
    pub fn within(&self, holder: &Policy) -> bool {
        let on = |p: &Policy, effect: Effect, action: &str| -> Vec<String> {
            p.statement
                .iter()
                .filter(|s| s.effect == effect && s.action.iter().any(|a| glob(a, action, true)))
                .flat_map(|s| s.resource.iter().cloned())
                .collect()
        };
        all_action_names().iter().all(|action| {
            let granted = on(self, Effect::Allow, action);
            if granted.is_empty() {
                return true;
            }
            let (own_denies, held, denied) = (
                on(self, Effect::Deny, action),
                on(holder, Effect::Allow, action),
                on(holder, Effect::Deny, action),
            );
            granted.iter().all(|g| {
                held.iter().any(|h| covers(h, g))
                    && denied
                        .iter()
                        .filter(|d| intersects(g, d))
                        .all(|d| own_denies.iter().any(|o| covers(o, d)))
            })
        })
    }
}

/// The parts of a cluster resource pattern `acs:polardb:REGION:ACCOUNT:dbcluster/ID`:
/// (region, account, id); `None` for anything else.
pub fn cluster_pattern_parts(pattern: &str) -> Option<(&str, &str, &str)> {
    let rest = pattern.strip_prefix("acs:polardb:")?;
    let mut parts = rest.splitn(3, ':');
    let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    Some((
        region,
        account,
        resource.strip_prefix("dbcluster/").unwrap_or(resource),
    ))
}

/// What makes a cluster resource pattern one that can never match what the console decides
/// on (so that a Deny with it would silently do nothing; sixth attack run, F5): the region
/// a region id (or a pattern of one), the id a cluster id (or a pattern of one), both in
/// the API's lower case, no spaces, and nothing after the id.
fn cluster_pattern_problem(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix("acs:polardb:")?;
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() != 3 {
        return Some("must have the form acs:polardb:REGION:ACCOUNT:dbcluster/ID".into());
    }
    let id_like = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '*' | '?')
            })
    };
    let (region, account, resource) = (parts[0], parts[1], parts[2]);
    if !id_like(region) {
        return Some(format!(
            "names the region {region:?}: a region id (cn-hangzhou), lower case, or a pattern of one (cn-*, *)"
        ));
    }
    if account.is_empty() || account.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "names the cloud account {account:?}: a cloud account's name in the console, or *"
        ));
    }
    match resource.strip_prefix("dbcluster/") {
        Some(id) if id_like(id) => None,
        Some(id) => Some(format!(
            "names the cluster {id:?}: a cluster id (pc-…), lower case, or a pattern of one (pc-*, *)"
        )),
        None => Some("must end in dbcluster/ID (or dbcluster/*)".into()),
    }
}

pub fn all_action_names() -> Vec<String> {
    ACTIONS
        .iter()
        .map(|a| format!("polardb:{}", a.name))
        .chain(console::ALL.iter().map(|s| s.to_string()))
        .collect()
}

fn allow(actions: Vec<String>) -> Statement {
    Statement {
        effect: Effect::Allow,
        action: actions,
        resource: any_resource(),
    }
}

/// The built-in roles' policies.
pub fn builtin_policy(role: &str) -> Option<Policy> {
    let reads: Vec<String> = ACTIONS
        .iter()
        .filter(|a| a.kind == ActionKind::Read)
        .map(|a| format!("polardb:{}", a.name))
        .collect();
    match role {
        "viewer" => Some(Policy {
            statement: vec![allow(
                reads
                    .into_iter()
                    .chain([console::VIEW_OWN_AUDIT.to_string()])
                    .collect(),
            )],
            ..Default::default()
        }),
        "operator" => Some(Policy {
            statement: vec![allow(
                reads
                    .into_iter()
                    .chain(OPERATOR_WRITES.iter().map(|a| format!("polardb:{a}")))
                    .chain([console::VIEW_OWN_AUDIT.to_string()])
                    .collect(),
            )],
            ..Default::default()
        }),
        "admin" => Some(Policy {
            statement: vec![allow(vec!["polardb:*".into(), "console:*".into()])],
            ..Default::default()
        }),
        _ => None,
    }
}

pub const BUILTIN_ROLES: &[&str] = &["viewer", "operator", "admin"];

#[cfg(test)]
mod tests {
    use super::*;

    /// The seventh attack run's escalations: a manager whose role denies one cluster (or a
    /// region, an account, a pattern of ids) could hand out a role covering it.
    #[test]
    fn a_grant_over_what_the_holder_is_denied_is_not_within() {
        let p = |j: serde_json::Value| -> Policy { serde_json::from_value(j).unwrap() };
        let manager = |deny: &str| {
            p(serde_json::json!({"Statement": [
                {"Effect": "Allow", "Action": ["polardb:*", "console:ManageUsers"], "Resource": ["*"]},
                {"Effect": "Deny", "Action": ["polardb:*"], "Resource": [deny]}]}))
        };
        let grant = |resource: &str| {
            p(serde_json::json!({"Statement": [
                {"Effect": "Allow", "Action": ["polardb:*"], "Resource": [resource]}]}))
        };
        let prod = "acs:polardb:*:sandbox:dbcluster/pc-m5qsnftgo7fkfv";
        for (deny, granted) in [
            (prod, "acs:polardb:cn-hangzhou:sandbox:dbcluster/*"),
            (prod, "*"),
            (
                "acs:polardb:cn-shanghai:*:dbcluster/*",
                "acs:polardb:*:sandbox:dbcluster/*",
            ),
            (
                "acs:polardb:*:sandbox:dbcluster/*",
                "acs:polardb:cn-hangzhou:*:dbcluster/*",
            ),
            (
                "acs:polardb:*:sandbox:dbcluster/pc-m5*",
                "acs:polardb:*:sandbox:dbcluster/*fkfv",
            ),
            (
                "acs:polardb:*:sandbox:dbcluster/pc-m5*",
                "acs:polardb:*:sandbox:dbcluster/pc-m5*v",
            ),
        ] {
            assert!(
                !grant(granted).within(&manager(deny)),
                "{granted} past a Deny on {deny}"
            );
        }
        // Their own role without its Deny is more than they hold; with it, not.
        let own = manager(prod);
        assert!(own.within(&own));
        let without = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*", "console:ManageUsers"], "Resource": ["*"]}]}));
        assert!(!without.within(&own));
        // A grant clear of the Deny, or one that denies it too, is within.
        assert!(grant("acs:polardb:*:sandbox:dbcluster/pc-other").within(&own));
        let careful = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:Describe*"], "Resource": ["acs:polardb:*:sandbox:dbcluster/*"]},
            {"Effect": "Deny", "Action": ["polardb:*"], "Resource": [prod]}]}));
        assert!(careful.within(&own));
    }

    #[test]
    fn a_star_is_a_wildcard_also_against_a_star() {
        assert!(glob("acs:console:*", CONSOLE_ARN, false));
        assert!(glob(
            "acs:polardb:*:*:dbcluster/*",
            "acs:polardb:cn:acc:dbcluster/*",
            false
        ));
        assert!(!glob(
            "acs:polardb:*:*:dbcluster/pc-*",
            "acs:polardb:cn:acc:dbcluster/*",
            false
        ));
        assert!(
            glob("pc-m5*", "pc-m5*v", false),
            "as text, the star is just a character"
        );
        assert!(covers("pc-m5*", "pc-m5*v") && covers("*", "pc-?") && covers("pc-*", "pc-a*"));
        assert!(!covers("pc-m5*v", "pc-m5*") && !covers("pc-?", "pc-*") && !covers("pc-a", "pc-?"));
        assert!(intersects("pc-m5*", "*fkfv") && intersects("a*", "*b") && intersects("?", "x"));
        assert!(!intersects("pc-a*", "pc-b*") && !intersects("ab", "a?c"));
    }

    #[test]
    fn console_resources_must_be_able_to_match() {
        let v = |j: serde_json::Value| serde_json::from_value::<Policy>(j).unwrap().validate();
        assert!(v(serde_json::json!({"Statement": [
            {"Effect": "Deny", "Action": ["console:ManageUsers"], "Resource": ["acs:console:*"]}]}))
        .is_ok());
        assert!(v(serde_json::json!({"Statement": [
            {"Effect": "Deny", "Action": ["console:ManageUsers"], "Resource": ["acs:console:cn:*:console"]}]})).is_err());
        assert!(v(serde_json::json!({"Statement": [
            {"Effect": "Deny", "Action": ["console:ManageUsers"], "Resource": ["acs:polardb:*:sandbox:dbcluster/*"]}]})).is_err());
        assert!(v(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:Describe*"], "Resource": ["acs:console:*"]}]}))
        .is_err());
    }

    #[test]
    fn resource_patterns_that_could_never_match_are_refused() {
        let deny = |r: &str| -> Policy {
            serde_json::from_value(serde_json::json!({"Statement": [
                {"Effect": "Allow", "Action": ["polardb:*"], "Resource": ["*"]},
                {"Effect": "Deny", "Action": ["polardb:*"], "Resource": [r]}]}))
            .unwrap()
        };
        for ok in [
            "acs:polardb:*:sandbox:dbcluster/pc-m5qsnftgo7fkfv",
            "acs:polardb:cn-*:*:dbcluster/*",
            "acs:polardb:cn-hangzhou:prod-2:dbcluster/pc-?bc*",
        ] {
            assert!(deny(ok).validate().is_ok(), "{ok}");
        }
        for bad in [
            "acs:polardb:*:sandbox:dbcluster/PC-M5QSNFTGO7FKFV",
            "acs:polardb:*:sandbox:dbcluster/pc-m5qsnftgo7fkfv ",
            "acs:polardb:*:sandbox:cluster/pc-m5qsnftgo7fkfv",
            "acs:polardb:CN-HANGZHOU:sandbox:dbcluster/*",
            "acs:polardb:*:sandbox:dbcluster/pc-a/*",
            "acs:polardb:*:sand box:dbcluster/*",
            "acs:polardb:*:sandbox",
            "acs:polardb:*:sandbox:dbcluster/pc-a:x",
        ] {
            assert!(deny(bad).validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_policy_is_within_another_only_if_it_grants_nothing_more() {
        let p = |j: serde_json::Value| -> Policy { serde_json::from_value(j).unwrap() };
        let admin = builtin_policy("admin").unwrap();
        let viewer = builtin_policy("viewer").unwrap();
        let operator = builtin_policy("operator").unwrap();
        let managers = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["console:ManageUsers"], "Resource": ["*"]}]}));
        let staging = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*"], "Resource": ["acs:polardb:*:staging:dbcluster/*"]}]}));
        let staging_but_one = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*"], "Resource": ["acs:polardb:*:staging:dbcluster/*"]},
            {"Effect": "Deny", "Action": ["polardb:*"], "Resource": ["acs:polardb:*:staging:dbcluster/pc-keep"]}]}));
        let hangzhou = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*"], "Resource": ["acs:polardb:cn-hangzhou:*:dbcluster/*"]}]}));
        for q in [
            &admin,
            &viewer,
            &operator,
            &managers,
            &staging,
            &staging_but_one,
            &hangzhou,
        ] {
            assert!(q.within(&admin));
            assert!(q.within(q));
        }
        assert!(viewer.within(&operator));
        assert!(!operator.within(&viewer));
        assert!(
            !admin.within(&managers),
            "a manager of users cannot hand out admin"
        );
        assert!(!managers.within(&viewer));
        assert!(staging_but_one.within(&staging));
        assert!(!staging.within(&staging_but_one), "the denied cluster");
        assert!(!hangzhou.within(&staging) && !staging.within(&hangzhou));
        assert!(!operator.within(&staging), "all accounts are more than one");
    }

    #[test]
    fn keys_the_console_does_not_understand_are_refused_not_dropped() {
        for key in ["NotResource", "NotAction", "Condition", "Principal"] {
            let doc = format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":["polardb:*"],"{key}":["x"]}}]}}"#
            );
            let e = serde_json::from_str::<Policy>(&doc).expect_err(key);
            assert!(e.to_string().contains(key), "{e}");
        }
        assert!(serde_json::from_str::<Policy>(r#"{"Statement":[],"Extra":1}"#).is_err());
        let ram: Policy = serde_json::from_str(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["polardb:Describe*"]}]}"#,
        )
        .expect("a RAM document's Version is accepted");
        assert_eq!(ram.statement.len(), 1);
        assert!(!serde_json::to_string(&ram).unwrap().contains("Version"));
    }

    fn res(account: &str, region: &str, cluster: Option<&str>) -> Resource {
        Resource {
            account: account.into(),
            region: region.into(),
            cluster: cluster.map(String::from),
        }
    }

    #[test]
    fn glob_matches_like_ram() {
        assert!(glob(
            "polardb:Describe*",
            "polardb:DescribeDBClusters",
            true
        ));
        assert!(glob(
            "polardb:describe*",
            "polardb:DescribeDBClusters",
            true
        ));
        assert!(!glob(
            "polardb:Describe*",
            "polardb:ModifyDBClusterSSL",
            true
        ));
        assert!(glob("*", "", false));
        assert!(glob("a?c*", "abcdef", false));
        assert!(!glob("a?c", "abcd", false));
        assert!(glob(
            "acs:polardb:*:prod:dbcluster/*",
            "acs:polardb:cn-hangzhou:prod:dbcluster/pc-1",
            false
        ));
    }

    #[test]
    fn builtin_roles_follow_the_catalogue() {
        let viewer = builtin_policy("viewer").unwrap();
        let operator = builtin_policy("operator").unwrap();
        let admin = builtin_policy("admin").unwrap();
        let r = res("sandbox", "cn-hangzhou", Some("pc-1"));
        for a in ACTIONS {
            let name = format!("polardb:{}", a.name);
            let read = a.kind == ActionKind::Read;
            assert_eq!(viewer.decide(&name, &r).is_allowed(), read, "viewer {name}");
            let op = read || OPERATOR_WRITES.contains(&a.name);
            assert_eq!(
                operator.decide(&name, &r).is_allowed(),
                op,
                "operator {name}"
            );
            assert!(admin.decide(&name, &r).is_allowed(), "admin {name}");
        }
        for w in OPERATOR_WRITES {
            assert!(
                ACTIONS.iter().any(|a| a.name == *w),
                "{w} is not in the catalogue"
            );
        }
        let console = Resource::default();
        assert!(!viewer.decide(console::MANAGE_USERS, &console).is_allowed());
        assert!(viewer
            .decide(console::VIEW_OWN_AUDIT, &console)
            .is_allowed());
        assert!(admin
            .decide(console::MANAGE_CLOUD_ACCOUNTS, &console)
            .is_allowed());
    }

    #[test]
    fn explicit_deny_wins_and_scopes_apply() {
        let p: Policy = serde_json::from_str(
            r#"{"Statement":[
                {"Effect":"Allow","Action":["polardb:*"],"Resource":["acs:polardb:*:staging:dbcluster/*"]},
                {"Effect":"Allow","Action":["polardb:Describe*"],"Resource":["*"]},
                {"Effect":"Deny","Action":["polardb:DeleteDBCluster"],"Resource":["*"]}
            ]}"#,
        )
        .unwrap();
        p.validate().unwrap();
        assert!(p
            .decide(
                "polardb:ModifyDBClusterSSL",
                &res("staging", "cn-hangzhou", Some("pc-1"))
            )
            .is_allowed());
        assert!(!p
            .decide(
                "polardb:ModifyDBClusterSSL",
                &res("prod", "cn-hangzhou", Some("pc-1"))
            )
            .is_allowed());
        assert!(p
            .decide(
                "polardb:DescribeDBClusters",
                &res("prod", "cn-hangzhou", None)
            )
            .is_allowed());
        let d = p.decide(
            "polardb:DeleteDBCluster",
            &res("staging", "cn-hangzhou", Some("pc-1")),
        );
        assert!(
            matches!(d, Decision::Deny(ref m) if m.contains("explicitly denied")),
            "{d:?}"
        );
    }

    #[test]
    fn validation_names_the_problem() {
        let bad: Policy = serde_json::from_str(
            r#"{"Statement":[{"Effect":"Allow","Action":["polardb:Nope*"]}]}"#,
        )
        .unwrap();
        let e = bad.validate().unwrap_err().to_string();
        assert!(e.contains("matches no"), "{e}");
        let bad: Policy = serde_json::from_str(
            r#"{"Statement":[{"Effect":"Allow","Action":["polardb:*"],"Resource":["arn:x"]}]}"#,
        )
        .unwrap();
        assert!(bad.validate().is_err());
        assert!(serde_json::from_str::<Policy>(
            r#"{"Statement":[{"Effect":"Maybe","Action":["*"]}]}"#
        )
        .is_err());
    }
}
