//! `/clusters/:id/nodes`: the nodes of a cluster (from DescribeDBClusterAttribute) and the
//! node changes: add read-only nodes (CreateDBNodes), remove one (DeleteDBNodes), restart
//! one (RestartDBNode), change the class of all (ModifyDBNodeClass). Restart and removal
//! are sent only from a confirmation that names the node and its role.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::{load_error, ClusterCtx};
use crate::i18n::{td_string, Locale};
use crate::kit::{
    capitalise, change_error, human_time, role_label, role_short, ConfirmDialog, ErrorBox, Loading,
    StatusBadge,
};
use crate::AppError;

mod forms;
mod page;
mod server;
pub use page::*;
pub use server::*;

/// A cluster has one primary node and at most fifteen read-only nodes (8.1).
pub const MAX_READERS: usize = 15;

/// The read-only nodes to add (CreateDBNodes): how many, of which class, in which zone
/// (empty: the existing nodes' zone), joining which endpoints (EndpointBindList; empty:
/// those that add new nodes automatically, the API's default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNodes {
    pub count: u32,
    pub class: String,
    pub zone: String,
    #[serde(default)]
    pub endpoints: Vec<String>,
}

/// An endpoint new nodes can join (CreateDBNodes, EndpointBindList).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindChoice {
    pub id: String,
    /// `Cluster` (the default cluster endpoint) or `Custom`.
    pub kind: String,
    pub description: String,
    /// New nodes join it when no list is given (AutoAddNewNodes `Enable`).
    pub auto: bool,
}

/// What is wrong with an EndpointBindList: endpoint IDs (`pe-` and letters or digits), each
/// once; said in `locale`.
pub fn bind_list_problem(locale: Locale, ids: &[String]) -> Option<String> {
    let mut seen = Vec::new();
    for id in ids {
        let ok = id.len() > 3
            && id.len() <= 64
            && id.starts_with("pe-")
            && id[3..].bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Some(td_string!(locale, cluster_nodes.bind_not_id, id = id).to_string());
        }
        if seen.contains(&id) {
            return Some(td_string!(locale, cluster_nodes.bind_twice, id = id).to_string());
        }
        seen.push(id);
    }
    None
}

/// What is wrong with the endpoints chosen for new nodes: none chosen while some endpoint
/// adds new nodes automatically cannot be said (an empty list is the API's default).
pub fn bind_choice_problem(
    locale: Locale,
    chosen: &[String],
    choices: &[BindChoice],
) -> Option<String> {
    if chosen.is_empty() && choices.iter().any(|c| c.auto) {
        return Some(td_string!(locale, cluster_nodes.bind_choose).into());
    }
    bind_list_problem(locale, chosen)
}

/// The EndpointBindList to send for the endpoints chosen: nothing when they are the ones
/// the API picks by itself (those that add new nodes automatically).
pub fn bind_list(chosen: &[String], choices: &[BindChoice]) -> Vec<String> {
    let mut auto: Vec<&String> = choices.iter().filter(|c| c.auto).map(|c| &c.id).collect();
    let mut mine: Vec<&String> = chosen.iter().collect();
    auto.sort();
    mine.sort();
    if auto == mine {
        Vec::new()
    } else {
        chosen.to_vec()
    }
}

/// `polar.pg.x4.large` → (CPU cores, memory GiB), for ordering classes; `None` when the
/// name does not follow the pattern.
pub fn class_size(class: &str) -> Option<(u32, u32)> {
    let mut parts = class.split('.');
    let (_, _, ratio, size) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let ratio: u32 = ratio.strip_prefix('x')?.parse().ok()?;
    let cores = match size {
        "small" => 1,
        "medium" => 2,
        "large" => 4,
        "xlarge" => 8,
        s => {
            let n: u32 = s.strip_suffix("xlarge")?.parse().ok()?;
            8 * n
        }
    };
    Some((cores, cores * ratio))
}

/// `Upgrade` or `Downgrade` from `current` to `target`, when both sizes are known and differ.
pub fn modify_type_for(current: &str, target: &str) -> Option<&'static str> {
    let (a, b) = (class_size(current)?, class_size(target)?);
    match b.cmp(&a) {
        std::cmp::Ordering::Greater => Some("Upgrade"),
        std::cmp::Ordering::Less => Some("Downgrade"),
        std::cmp::Ordering::Equal => None,
    }
}

/// What is wrong with a class change, if anything; said in `locale`.
pub fn class_change_problem(
    locale: Locale,
    current: &str,
    target: &str,
    modify_type: &str,
) -> Option<String> {
    if target.is_empty() {
        return Some(td_string!(locale, cluster_nodes.class_choose_new).into());
    }
    if target == current {
        return Some(td_string!(locale, cluster_nodes.class_same, class = current).to_string());
    }
    if modify_type != "Upgrade" && modify_type != "Downgrade" {
        return Some(td_string!(locale, cluster_nodes.class_choose_type).into());
    }
    match modify_type_for(current, target) {
        Some(t) if t != modify_type => Some(if t == "Upgrade" {
            td_string!(
                locale,
                cluster_nodes.class_is_upgrade,
                target = target,
                current = current
            )
            .to_string()
        } else {
            td_string!(
                locale,
                cluster_nodes.class_is_downgrade,
                target = target,
                current = current
            )
            .to_string()
        }),
        _ => None,
    }
}

/// What is wrong with adding `count` read-only nodes of `class` to a cluster whose nodes
/// have `current` and which has `readers` read-only nodes already; said in `locale`.
pub fn add_problem(
    locale: Locale,
    count: &str,
    class: &str,
    current: &str,
    readers: usize,
    db_type: &str,
) -> Option<String> {
    let Ok(n) = count.trim().parse::<usize>() else {
        return Some(td_string!(locale, cluster_nodes.count_whole).into());
    };
    if !(1..=MAX_READERS).contains(&n) {
        return Some(td_string!(locale, cluster_nodes.count_range).into());
    }
    if readers + n > MAX_READERS {
        return Some(
            td_string!(
                locale,
                cluster_nodes.too_many_readers,
                max = MAX_READERS,
                readers = readers,
                left = MAX_READERS.saturating_sub(readers)
            )
            .to_string(),
        );
    }
    if n > 1 && db_type != "MySQL" {
        return Some(td_string!(locale, cluster_nodes.one_per_request).into());
    }
    if class.is_empty() {
        return Some(td_string!(locale, cluster_nodes.choose_the_class).into());
    }
    if !current.is_empty() && class != current {
        return Some(
            td_string!(locale, cluster_nodes.same_class_first, current = current).to_string(),
        );
    }
    None
}

// ---------------------------------------------------------------------------------------
// Server functions.

#[cfg(feature = "ssr")]
use crate::error::invalid;

#[cfg(test)]
mod tests {
    use super::*;
    const EN: Locale = Locale::en;

    #[test]
    fn new_nodes_join_the_endpoints_chosen() {
        let c = |id: &str, auto: bool| BindChoice {
            id: id.into(),
            kind: "Custom".into(),
            description: String::new(),
            auto,
        };
        let choices = vec![
            c("pe-cluster1", true),
            c("pe-custom1", false),
            c("pe-custom2", true),
        ];
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The API's own choice is sent as nothing; any other as the list.
        assert!(bind_list(&ids(&["pe-custom2", "pe-cluster1"]), &choices).is_empty());
        assert_eq!(
            bind_list(&ids(&["pe-custom1"]), &choices),
            ids(&["pe-custom1"])
        );
        assert!(bind_choice_problem(EN, &[], &choices)
            .unwrap()
            .contains("at least one"));
        assert_eq!(
            bind_choice_problem(EN, &[], &[c("pe-custom1", false)]),
            None
        );
        assert_eq!(
            bind_list_problem(EN, &ids(&["pe-custom1", "pe-cluster1"])),
            None
        );
        assert!(bind_list_problem(EN, &ids(&["pe-custom1", "pe-custom1"]))
            .unwrap()
            .contains("twice"));
        assert!(bind_list_problem(EN, &ids(&["pe-x,pe-y"])).is_some());
        assert!(bind_list_problem(EN, &ids(&["pi-node1"])).is_some());
    }

    #[test]
    fn classes_order_by_cores_then_memory() {
        assert_eq!(class_size("polar.pg.x4.medium"), Some((2, 8)));
        assert_eq!(class_size("polar.pg.x8.2xlarge"), Some((16, 128)));
        assert_eq!(class_size("polar.pg.x4.xlarge"), Some((8, 32)));
        assert_eq!(class_size("nonsense"), None);
        assert_eq!(
            modify_type_for("polar.pg.x4.medium", "polar.pg.x8.medium"),
            Some("Upgrade")
        );
        assert_eq!(
            modify_type_for("polar.pg.x4.large", "polar.pg.x8.medium"),
            Some("Downgrade")
        );
        assert_eq!(
            class_change_problem(EN, "polar.pg.x4.large", "polar.pg.x4.medium", "Upgrade").unwrap(),
            "polar.pg.x4.medium is smaller than polar.pg.x4.large: this is a downgrade"
        );
        assert_eq!(
            class_change_problem(EN, "polar.pg.x4.large", "polar.pg.x4.xlarge", "Upgrade"),
            None
        );
        assert!(class_change_problem(EN, "a", "a", "Upgrade").is_some());
    }

    #[test]
    fn adding_nodes_follows_the_reference() {
        let c = "polar.pg.x4.medium";
        assert_eq!(add_problem(EN, "1", c, c, 1, "PostgreSQL"), None);
        assert!(add_problem(EN, "0", c, c, 1, "PostgreSQL").is_some());
        assert!(add_problem(EN, "16", c, c, 0, "PostgreSQL").is_some());
        assert!(add_problem(EN, "x", c, c, 1, "PostgreSQL").is_some());
        assert!(add_problem(EN, "2", c, c, 1, "PostgreSQL")
            .unwrap()
            .contains("one read-only node per request"));
        assert_eq!(add_problem(EN, "3", c, c, 1, "MySQL"), None);
        assert!(add_problem(EN, "1", c, c, 15, "PostgreSQL")
            .unwrap()
            .contains("at most 15"));
        assert!(
            add_problem(EN, "1", "polar.pg.x8.large", c, 1, "PostgreSQL")
                .unwrap()
                .contains("class of the existing nodes")
        );
    }
}
