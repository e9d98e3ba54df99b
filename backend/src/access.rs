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
    /// Notification channels and their rules (`/settings/notifications`).
    pub const MANAGE_NOTIFICATIONS: &str = "console:ManageNotifications";
    /// Approval policies of changes (`/settings/approvals`).
    pub const MANAGE_APPROVALS: &str = "console:ManageApprovals";
    pub const VIEW_ALL_AUDIT: &str = "console:ViewAllAudit";
    pub const VIEW_OWN_AUDIT: &str = "console:ViewOwnAudit";
    pub const ALL: &[&str] = &[
        MANAGE_CLOUD_ACCOUNTS,
        MANAGE_USERS,
        MANAGE_NOTIFICATIONS,
        MANAGE_APPROVALS,
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

/// The most actions one question of [`Policy::permitted`] may name: every action of the
/// catalogue and of the console fits.
pub const MAX_ASKED: usize = 128;

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
/// `acs:console:*` matched nothing and `pc-m5*v` passed for inside `pc-m5*`). A `?` never
/// matches the text's `*`: a region-wide resource (`dbcluster/*`) stands for every
/// cluster, which "a cluster with a one-character id" is not (eighth attack run, E3).
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
        } else if pi < p.len() && ((p[pi] == '?' && t[ti] != '*') || p[pi] == t[ti]) {
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
/// one step from (a, b) leads to: the search behind [`covers`] and [`intersects`]. Every
/// step leads to a pair no smaller in either position and larger in one, so one pass over
/// a table of the pairs in order decides it: at most (|a|+1)(|b|+1) cheap cells, never a
/// search that grows with the wildcards (ninth attack run, E1).
fn reaches(ends: (usize, usize), step: impl Fn(usize, usize, &mut Vec<(usize, usize)>)) -> bool {
    #[cfg(test)]
    tests::SEARCHES.with(|n| n.set(n.get() + 1));
    let (rows, cols) = (ends.0 + 1, ends.1 + 1);
    let mut reached = vec![false; rows * cols];
    reached[0] = true;
    let mut next = Vec::with_capacity(3);
    for a in 0..rows {
        for b in 0..cols {
            if !reached[a * cols + b] {
                continue;
            }
            if (a, b) == ends {
                return true;
            }
            next.clear();
            step(a, b, &mut next);
            for &(na, nb) in &next {
                if na < rows && nb < cols && (na, nb) != (a, b) {
                    reached[na * cols + nb] = true;
                }
            }
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
    /// Whether the policy allows every action of both kinds on every resource and denies
    /// nothing (the administrator's): any policy is within it, without comparing (tenth
    /// attack run, F3: a manager's flood of costly comparisons held the administrator's
    /// turn, so they could not disable that manager).
    pub fn grants_everything(&self) -> bool {
        if self.statement.iter().any(|s| s.effect == Effect::Deny) {
            return false;
        }
        let covers = |kind: &str| {
            self.statement.iter().any(|s| {
                s.effect == Effect::Allow
                    && s.resource.iter().any(|r| r == "*")
                    && s.action.iter().any(|a| a == "*" || a == kind)
            })
        };
        covers("polardb:*") && covers("console:*")
    }
}

impl Policy {
    /// Checks `action` (`polardb:Name` or `console:Name`) on `resource`.
    pub fn decide(&self, action: &str, resource: &Resource) -> Decision {
        let arn = resource.arn();
        let mut allowed = false;
        for s in &self.statement {
            // The resource patterns only for a statement about this action.
            let hit = s.action.iter().any(|p| glob(p, action, true))
                && s.resource.iter().any(|p| resource_matches(p, &arn));
            if hit {
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

    /// Which of `actions` this policy allows on the resource (`console:` actions on the
    /// console): what a page asks to know which buttons to show. The question is bounded —
    /// an account name of at most 64 characters, a region id, a cluster id, at most
    /// [`MAX_ASKED`] actions — and names that are no action are never allowed (thirteenth
    /// attack run, F1: 800 KB names and 10,000 actions held both workers for a minute).
    pub fn permitted(
        &self,
        account: &str,
        region: &str,
        cluster: Option<&str>,
        actions: &[String],
    ) -> Result<Vec<String>, BackendError> {
        if account.chars().count() > 64 {
            return Err(BackendError::invalid(
                "account",
                "must be at most 64 characters",
            ));
        }
        if !region.is_empty() {
            polardb::request::RegionId::parse(region)
                .map_err(|e| BackendError::invalid("region", e.message))?;
        }
        if let Some(c) = cluster {
            let ok = !c.is_empty()
                && c.len() <= 64
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return Err(BackendError::invalid(
                    "cluster",
                    "must be a cluster id (letters, digits and hyphens, at most 64)",
                ));
            }
        }
        if actions.len() > MAX_ASKED {
            return Err(BackendError::invalid(
                "actions",
                format!("at most {MAX_ASKED} at once ({} given)", actions.len()),
            ));
        }
        let known = all_action_names();
        let resource = Resource {
            account: account.to_string(),
            region: region.to_string(),
            cluster: cluster.map(str::to_string),
        };
        Ok(actions
            .iter()
            .filter(|a| known.contains(a))
            .filter(|a| {
                let on = if a.starts_with("console:") {
                    Resource::default()
                } else {
                    resource.clone()
                };
                self.decide(a, &on).is_allowed()
            })
            .cloned()
            .collect())
    }

    /// Validates a policy written by an administrator: within the size limits, known
    /// effects, non-empty lists, action patterns that could match something, resource
    /// patterns in ARN form.
    pub fn validate(&self) -> Result<(), BackendError> {
        if self.statement.is_empty() {
            return Err(BackendError::invalid(
                "policy",
                "needs at least one statement",
            ));
        }
        if let Some(problem) = self.size_problem() {
            return Err(BackendError::invalid("policy", problem));
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
            // Each kind of action its own kind of resource: a statement naming both kinds
            // with resources of one would do only half of what it says (eighth attack run,
            // E4).
            if names("console:") && !reaches(CONSOLE_ARN) {
                return Err(BackendError::invalid(
                    "policy",
                    format!("statement {n}: its console actions act on {CONSOLE_ARN}, which none of its resources matches"),
                ));
            }
            if names("polardb:") && !reaches("acs:polardb:*") {
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

/// The most statements a policy has.
pub const MAX_STATEMENTS: usize = 20;
/// The most Action entries, and the most Resource entries, of a whole policy.
pub const MAX_ACTION_PATTERNS: usize = 200;
pub const MAX_RESOURCE_PATTERNS: usize = 100;
/// The longest pattern, and the most `*` in one resource pattern.
pub const MAX_PATTERN_LEN: usize = 160;
pub const MAX_STARS: usize = 4;

impl Policy {
    /// What makes this policy larger than the console decides on: the limits bound the
    /// work of every decision and of [`Policy::within`] (eighth attack run, E1: a manager's
    /// role of 600 patterns held the console for minutes).
    pub fn size_problem(&self) -> Option<String> {
        if self.statement.len() > MAX_STATEMENTS {
            return Some(format!(
                "has {} statements; at most {MAX_STATEMENTS}",
                self.statement.len()
            ));
        }
        let actions: usize = self.statement.iter().map(|s| s.action.len()).sum();
        if actions > MAX_ACTION_PATTERNS {
            return Some(format!(
                "names {actions} actions; at most {MAX_ACTION_PATTERNS} in all (use patterns such as polardb:Describe*)"
            ));
        }
        let resources: usize = self.statement.iter().map(|s| s.resource.len()).sum();
        if resources > MAX_RESOURCE_PATTERNS {
            return Some(format!(
                "names {resources} resources; at most {MAX_RESOURCE_PATTERNS} in all (use patterns such as acs:polardb:*:prod:dbcluster/*)"
            ));
        }
        let patterns = self
            .statement
            .iter()
            .flat_map(|s| s.action.iter().chain(s.resource.iter()));
        for p in patterns {
            if p.chars().count() > MAX_PATTERN_LEN {
                return Some(format!(
                    "has a pattern of {} characters; at most {MAX_PATTERN_LEN}",
                    p.chars().count()
                ));
            }
        }
        for r in self.statement.iter().flat_map(|s| s.resource.iter()) {
            if r.matches('*').count() > MAX_STARS {
                return Some(format!(
                    "has the resource {r:?} with more than {MAX_STARS} *"
                ));
            }
        }
        None
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
    ///
    /// Actions that the same statements of both policies speak of are decided together,
    /// and each pattern once: the work is bounded by the sizes [`Policy::size_problem`]
    /// allows (eighth attack run, E1: it was checked per Allow pattern against every Deny,
    /// hundreds of millions of comparisons for one request).
    pub fn within(&self, holder: &Policy) -> bool {
        self.within_until(holder, None).unwrap_or(false)
    }

    /// [`Policy::within`], giving up at `deadline`: `None` when it ran out of time. Each
    /// pair of patterns is compared once, however many groups of actions meet it (ninth
    /// attack run, E1: the same 98 × 99 pairs were compared again for each of 67 groups).
    pub fn within_until(
        &self,
        holder: &Policy,
        deadline: Option<std::time::Instant>,
    ) -> Option<bool> {
        let hits = |p: &Policy, action: &str| -> Vec<bool> {
            p.statement
                .iter()
                .map(|s| s.action.iter().any(|a| glob(a, action, true)))
                .collect()
        };
        // The statements of each that speak of an action, once per distinct set.
        let mut groups: Vec<(Vec<bool>, Vec<bool>)> = all_action_names()
            .iter()
            .map(|action| (hits(self, action), hits(holder, action)))
            .collect();
        groups.sort();
        groups.dedup();
        fn on<'p>(p: &'p Policy, mask: &[bool], effect: Effect) -> Vec<&'p str> {
            let mut v: Vec<&str> = p
                .statement
                .iter()
                .zip(mask)
                .filter(|(s, hit)| **hit && s.effect == effect)
                .flat_map(|(s, _)| s.resource.iter().map(String::as_str))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        // Each comparison once: (whether it is `covers`, the two patterns) → its answer.
        // Out of time, the answer is the one that refuses, and the result is thrown away.
        let memo = std::cell::RefCell::new(std::collections::HashMap::new());
        let late = std::cell::Cell::new(false);
        let once = |covering: bool, a: &str, b: &str| -> bool {
            if late.get() || deadline.is_some_and(|d| std::time::Instant::now() > d) {
                late.set(true);
                return !covering;
            }
            let key = (covering, a.to_string(), b.to_string());
            if let Some(v) = memo.borrow().get(&key) {
                return *v;
            }
            let v = if covering {
                covers(a, b)
            } else {
                intersects(a, b)
            };
            memo.borrow_mut().insert(key, v);
            v
        };
        let answer = groups.iter().all(|(own, theirs)| {
            let granted = on(self, own, Effect::Allow);
            if granted.is_empty() {
                return true;
            }
            let own_denies = on(self, own, Effect::Deny);
            let held = on(holder, theirs, Effect::Allow);
            // The holder's denies this policy does not deny as well: no grant may meet one.
            let open: Vec<&str> = on(holder, theirs, Effect::Deny)
                .into_iter()
                .filter(|d| !own_denies.iter().any(|o| once(true, o, d)))
                .collect();
            granted.iter().all(|g| {
                held.iter().any(|h| once(true, h, g)) && !open.iter().any(|d| once(false, g, d))
            }) && !late.get()
        });
        if late.get() {
            None
        } else {
            Some(answer)
        }
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
    let wild = |s: &str| s.contains(['*', '?']);
    if !id_like(region) || (!wild(region) && polardb::request::RegionId::parse(region).is_err()) {
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
        // A cluster's id starts with pc- (a node's, pi-, is never decided on; eighth attack
        // run, E4).
        Some(id) if id_like(id) && intersects(id, "pc-*") => None,
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
    fn only_an_unrestricted_policy_grants_everything() {
        assert!(builtin_policy("admin").unwrap().grants_everything());
        assert!(!builtin_policy("operator").unwrap().grants_everything());
        let p = |j: serde_json::Value| -> Policy { serde_json::from_value(j).unwrap() };
        assert!(p(serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]})).grants_everything());
        assert!(!p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["polardb:DeleteDBCluster"], "Resource": ["*"]}]}))
        .grants_everything());
        assert!(!p(serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["polardb:*"], "Resource": ["*"]}]})).grants_everything());
        assert!(!p(serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["acs:polardb:*:prod:dbcluster/*"]}]})).grants_everything());
    }

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
            // Eighth attack run, E4: a region that is no region id, a node's id.
            "acs:polardb:-:sandbox:dbcluster/*",
            "acs:polardb:cn-hangzhou:sandbox:dbcluster/pi-0rvia628z76k79",
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

    thread_local! {
        /// How many searches of [`reaches`] this thread has made.
        pub static SEARCHES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// The eighth attack run's E1 shape: a manager denied cn-hangzhou writes a role of `n`
    /// Allows in cn-hangzhou and `n` Denies elsewhere, plus the manager's own Deny.
    fn allow_deny_bomb(n: usize) -> (Policy, Policy) {
        let p = |j: serde_json::Value| -> Policy { serde_json::from_value(j).unwrap() };
        let manager = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*", "console:ManageUsers"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["polardb:*"], "Resource": ["acs:polardb:cn-hangzhou:*:dbcluster/*"]}]}));
        let allows: Vec<String> = (0..n)
            .map(|i| format!("acs:polardb:cn-hangzhou:*:dbcluster/pc-a{i:07}"))
            .collect();
        let mut denies: Vec<String> = (0..n)
            .map(|i| format!("acs:polardb:cn-beijing:*:dbcluster/pc-b{i:07}"))
            .collect();
        denies.push("acs:polardb:cn-hangzhou:*:dbcluster/*".into());
        let role = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*"], "Resource": allows},
            {"Effect": "Deny", "Action": ["polardb:*"], "Resource": denies}]}));
        (role, manager)
    }

    #[test]
    fn a_policy_is_bounded_and_so_is_the_work_of_placing_it() {
        // Beyond the limits: refused, naming the limit.
        let (big, _) = allow_deny_bomb(300);
        let e = big.validate().unwrap_err().to_string();
        assert!(e.contains("at most 100"), "{e}");
        let long = serde_json::from_value::<Policy>(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*"], "Resource": [format!("acs:polardb:*:*:dbcluster/pc-{}", "a".repeat(200))]}]}))
        .unwrap();
        assert!(long
            .validate()
            .unwrap_err()
            .to_string()
            .contains("at most 160"));
        let stars = serde_json::from_value::<Policy>(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*"], "Resource": ["acs:polardb:*:*:dbcluster/*a*b*c*"]}]}))
        .unwrap();
        assert!(stars
            .validate()
            .unwrap_err()
            .to_string()
            .contains("more than 4 *"));
        // At the limit: the same answer as ever, with work that grows with the patterns,
        // not with their product times the catalogue (it was 110 × n × n searches).
        let (role, manager) = allow_deny_bomb(49);
        role.validate().unwrap();
        SEARCHES.with(|n| n.set(0));
        assert!(
            role.within(&manager),
            "every grant lies outside the manager's Deny"
        );
        let searches = SEARCHES.with(|n| n.get());
        assert!(searches < 2_000, "{searches} searches");
        // Without the copied Deny it grants what the manager may not.
        let mut open = role.clone();
        open.statement[1].resource.pop();
        assert!(!open.within(&manager));
    }

    #[test]
    fn each_pair_of_patterns_is_compared_once_and_the_deadline_holds() {
        // Ninth attack run, E1: a holder of 98 Denies expensive to place, and a role of 80
        // grants whose 19 Deny statements give 67 actions each their own set of statements.
        let pattern = |i: usize, end: char| {
            format!(
                "acs:polardb:cn-shanghai:sandbox:dbcluster/pc-*a*a*a*{}{i:02}{end}",
                "a".repeat(20)
            )
        };
        let p = |j: serde_json::Value| -> Policy { serde_json::from_value(j).unwrap() };
        let mut denies = vec!["acs:polardb:cn-hangzhou:*:dbcluster/*".to_string()];
        denies.extend((0..98).map(|j| pattern(j, 'b')));
        let holder = p(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:*", "console:ManageUsers"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["polardb:*"], "Resource": denies}]}));
        let actions: Vec<String> = all_action_names()
            .into_iter()
            .filter(|a| a.starts_with("polardb:"))
            .take(67)
            .collect();
        let mut subsets: Vec<Vec<usize>> = vec![vec![]];
        subsets.extend((0..19).map(|s| vec![s]));
        for a in 0..19 {
            for b in a + 1..19 {
                subsets.push(vec![a, b]);
            }
        }
        let mut per: Vec<Vec<String>> = vec![Vec::new(); 19];
        for (i, action) in actions.iter().enumerate() {
            for &s in &subsets[i] {
                per[s].push(action.clone());
            }
        }
        let mut statements = vec![
            serde_json::json!({"Effect": "Allow", "Action": ["polardb:*"],
            "Resource": (0..80).map(|i| pattern(i, 'c')).collect::<Vec<_>>()}),
        ];
        for (s, acts) in per.iter().enumerate() {
            statements.push(serde_json::json!({"Effect": "Deny", "Action": acts,
                "Resource": [format!("acs:polardb:cn-beijing:sandbox:dbcluster/pc-zz{s:02}")]}));
        }
        let role = p(serde_json::json!({ "Statement": statements }));
        role.validate().unwrap();
        SEARCHES.with(|n| n.set(0));
        let answer = role.within_until(&holder, None);
        let searches = SEARCHES.with(|n| n.get());
        assert_eq!(
            answer,
            Some(true),
            "its grants (…c) never meet the holder's Denies (…b)"
        );
        // At most every (own Deny, holder Deny), (held, grant) and (grant, holder Deny)
        // pair once: 19 × 99 + 80 + 80 × 99.
        assert!(searches <= 19 * 99 + 80 + 80 * 99, "{searches} searches");
        // A deadline already passed: given up, not decided.
        let past = std::time::Instant::now() - std::time::Duration::from_secs(1);
        assert_eq!(role.within_until(&holder, Some(past)), None);
    }

    #[test]
    fn a_one_character_cluster_pattern_grants_no_region_wide_call() {
        // Eighth attack run, E3: `?` matched the `*` of `dbcluster/*`.
        let p: Policy = serde_json::from_value(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": ["polardb:CreateDBCluster", "polardb:DescribeDBClusters"],
             "Resource": ["acs:polardb:cn-hangzhou:sandbox:dbcluster/?"]}]}))
        .unwrap();
        let region_wide = Resource {
            account: "sandbox".into(),
            region: "cn-hangzhou".into(),
            cluster: None,
        };
        assert!(!p
            .decide("polardb:DescribeDBClusters", &region_wide)
            .is_allowed());
        assert!(!glob("dbcluster/?", "dbcluster/*", false));
        assert!(glob("dbcluster/*", "dbcluster/*", false));
        assert!(glob("dbcluster/?", "dbcluster/x", false));
    }

    #[test]
    fn a_statement_acts_on_both_kinds_of_resource_when_it_names_both_kinds_of_action() {
        // Eighth attack run, E4: half of such a Deny did nothing.
        let v = |j: serde_json::Value| serde_json::from_value::<Policy>(j).unwrap().validate();
        for bad in [
            serde_json::json!({"Statement": [{"Effect": "Deny", "Action": ["console:ManageUsers", "polardb:DeleteDBCluster"], "Resource": ["acs:polardb:*:*:dbcluster/*"]}]}),
            serde_json::json!({"Statement": [{"Effect": "Deny", "Action": ["console:ManageCloudAccounts", "polardb:ModifyDBClusterDescription"], "Resource": ["acs:console:*"]}]}),
        ] {
            assert!(v(bad.clone()).is_err(), "{bad}");
        }
        assert!(v(serde_json::json!({"Statement": [{"Effect": "Deny", "Action": ["console:ManageUsers", "polardb:DeleteDBCluster"], "Resource": ["acs:polardb:*:*:dbcluster/*", "acs:console:*"]}]})).is_ok());
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
    fn a_question_of_permissions_is_bounded() {
        let p = builtin_policy("viewer").expect("a built-in role");
        let ask = |account: &str, region: &str, cluster: Option<&str>, n: usize| {
            let actions = vec!["polardb:DescribeDBClusters".to_string(); n];
            p.permitted(account, region, cluster, &actions)
        };
        assert_eq!(
            ask("sandbox", "cn-hangzhou", Some("pc-abc"), 2)
                .unwrap()
                .len(),
            2
        );
        assert!(ask(&"a".repeat(65), "cn-hangzhou", None, 1).is_err());
        assert!(ask("sandbox", "x:staging:dbcluster/y", None, 1).is_err());
        assert!(ask("sandbox", "cn-hangzhou", Some("pc-1/../*"), 1).is_err());
        assert!(ask("sandbox", "cn-hangzhou", None, MAX_ASKED + 1).is_err());
        assert!(all_action_names().len() <= MAX_ASKED);
        // Names that are no action are never allowed, whatever the pattern.
        let odd = vec!["polardb:DescribeEverything".to_string(), "x".repeat(10_000)];
        assert!(p
            .permitted("sandbox", "cn-hangzhou", None, &odd)
            .unwrap()
            .is_empty());
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
