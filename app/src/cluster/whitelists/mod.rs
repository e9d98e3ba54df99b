//! `/clusters/:id/whitelists`: who may connect. IP whitelist groups and bound ECS security
//! groups (DescribeDBClusterAccessWhitelist) and their changes (ModifyDBClusterAccessWhitelist,
//! API reference 7.1). Every address and CIDR block is checked before anything is sent;
//! every change is shown as a diff first; an entry that opens the cluster to a very wide
//! range (0.0.0.0/0, a prefix shorter than /8) needs a second, explicit confirmation.
//! Groups the service manages (hidden ones, and the names below) are read-only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::call::may;
use crate::cluster::accounts::message_locale;
#[cfg(feature = "ssr")]
use crate::cluster::frame::locate;
use crate::cluster::frame::{section_reload, ClusterCtx};
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::kit::{capitalise, change_error, ConfirmDialog, Empty, ErrorBox, Loading};
use crate::AppError;

mod page;
mod server;
pub use page::*;
pub use server::*;

/// A cluster has at most 50 IP whitelist groups (7.1.1).
pub const MAX_GROUPS: usize = 50;
pub use polardb::rules::{
    ip_entry as parse_entry, ip_list as parse_list, MAX_WHITELIST_ENTRIES as MAX_ENTRIES,
};
/// A cluster is bound to at most 3 ECS security groups (7.1.1).
pub const MAX_SECURITY_GROUPS: usize = 3;
/// A block with a prefix shorter than this is "very wide" and needs a second confirmation.
pub const WIDE_PREFIX: u8 = 8;

/// Groups the service creates for its own tools (DMS, DAS, DTS); never changed here.
const SYSTEM_GROUPS: &[&str] = &["ali_dms_group", "hdm_security_ips", "dtspolardb"];

/// Whether a group is managed by the service: hidden groups (DBClusterIPArrayAttribute
/// `hidden`, "not visible in the console", 7.1.1) and the service's own tool groups.
pub fn is_system_group(name: &str, attribute: &str) -> bool {
    attribute == "hidden" || SYSTEM_GROUPS.contains(&name)
}

// ---------------------------------------------------------------------------------------
// Rules of the reference, checked as the user types and again on the server.

/// What is wrong with a group name (DBClusterIPArrayName): 2 to 120 characters, lowercase
/// letters and digits, starting with a letter and ending with a letter or digit.
pub fn group_name_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if !(2..=120).contains(&n) {
        return Some(
            td_string!(message_locale(), cluster_access.group_name_length, n = n).to_string(),
        );
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Some(td_string!(message_locale(), cluster_access.group_name_chars).to_string());
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some(td_string!(message_locale(), cluster_access.group_name_start).to_string());
    }
    None
}

/// A block so wide it opens the cluster to a large part of the internet (or all of it).
pub fn is_wide(entry: &str) -> bool {
    match parse_entry(entry) {
        Ok((addr, prefix)) => prefix < WIDE_PREFIX || (addr == 0 && prefix == 32),
        Err(_) => false,
    }
}

/// Addresses a block covers, as a person reads it.
pub fn coverage(entry: &str) -> String {
    match parse_entry(entry) {
        Ok((0, 0)) => td_string!(message_locale(), cluster_access.covers_everything).to_string(),
        Ok((0, 32)) => td_string!(message_locale(), cluster_access.covers_zero).to_string(),
        Ok((_, p)) => {
            let n: u64 = 1u64 << (32 - p as u32);
            td_string!(message_locale(), cluster_access.n_addresses, n = n).to_string()
        }
        Err(_) => String::new(),
    }
}

/// What is wrong with a group's new entries, `others` being the entries of every other
/// group of the cluster (the 1000 limit is over all of them).
pub fn entries_problem(text: &str, others: usize) -> Option<String> {
    match parse_list(text) {
        Err(problems) => Some(problems.join("; ")),
        Ok(list) if list.is_empty() => {
            Some(td_string!(message_locale(), cluster_access.entries_empty).to_string())
        }
        Ok(list) if list.len() + others > MAX_ENTRIES => Some(
            td_string!(
                message_locale(),
                cluster_access.entries_too_many,
                max = MAX_ENTRIES,
                others = others,
                left = MAX_ENTRIES.saturating_sub(others)
            )
            .to_string(),
        ),
        Ok(_) => None,
    }
}

/// What is wrong with a list of ECS security group IDs.
pub fn security_groups_problem(text: &str) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for id in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let valid = id.len() > 3
            && id.starts_with("sg-")
            && id[3..].bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid {
            return Some(
                td_string!(message_locale(), cluster_access.not_sg_id, id = id).to_string(),
            );
        }
        if seen.contains(&id) {
            return Some(
                td_string!(message_locale(), cluster_access.listed_twice, id = id).to_string(),
            );
        }
        seen.push(id);
    }
    if seen.len() > MAX_SECURITY_GROUPS {
        return Some(
            td_string!(
                message_locale(),
                cluster_access.too_many_sgs,
                max = MAX_SECURITY_GROUPS,
                n = seen.len()
            )
            .to_string(),
        );
    }
    None
}

pub fn split_ids(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a change does to a group: entries added and removed, and the request that says it
/// best: Append when it only adds, Delete when it only removes, Cover otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub group: String,
    pub new_group: bool,
    pub remove_group: bool,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub kept: Vec<String>,
    pub mode: &'static str,
    /// The SecurityIps sent with `mode`.
    pub sent: Vec<String>,
}

pub fn plan(group: &str, old: &[String], new: &[String], new_group: bool) -> Plan {
    let key = |s: &String| parse_entry(s).ok();
    let old_keys: Vec<_> = old.iter().map(key).collect();
    let new_keys: Vec<_> = new.iter().map(key).collect();
    let added: Vec<String> = new
        .iter()
        .zip(&new_keys)
        .filter(|(_, k)| !old_keys.contains(k))
        .map(|(s, _)| s.clone())
        .collect();
    let removed: Vec<String> = old
        .iter()
        .zip(&old_keys)
        .filter(|(_, k)| !new_keys.contains(k))
        .map(|(s, _)| s.clone())
        .collect();
    let kept: Vec<String> = old
        .iter()
        .zip(&old_keys)
        .filter(|(_, k)| new_keys.contains(k))
        .map(|(s, _)| s.clone())
        .collect();
    let remove_group = new.is_empty();
    let (mode, sent) = if remove_group {
        ("Delete", old.to_vec())
    } else if removed.is_empty() && !new_group {
        ("Append", added.clone())
    } else if added.is_empty() {
        ("Delete", removed.clone())
    } else {
        ("Cover", new.to_vec())
    };
    Plan {
        group: group.to_string(),
        new_group,
        remove_group,
        added,
        removed,
        kept,
        mode,
        sent,
    }
}

// ---------------------------------------------------------------------------------------
// Server functions.

/// One IP whitelist group as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpGroup {
    pub name: String,
    pub attribute: String,
    pub ips: Vec<String>,
    pub read_only: bool,
}

/// The whitelists of a cluster and which changes the user may make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhitelistData {
    pub groups: Vec<IpGroup>,
    /// (ID, name) of each bound ECS security group.
    pub security_groups: Vec<(String, String)>,
    pub can_modify: bool,
}

#[cfg(feature = "ssr")]
use crate::error::invalid;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked() {
        assert_eq!(parse_entry("10.23.12.24"), Ok((0x0A170C18, 32)));
        assert_eq!(parse_entry("10.23.12.0/24"), Ok((0x0A170C00, 24)));
        assert_eq!(parse_entry("0.0.0.0/0"), Ok((0, 0)));
        assert!(parse_entry("10.23.12.256")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_entry("10.23.12").is_err());
        assert!(parse_entry("10.23.12.1.2").is_err());
        assert!(parse_entry("10.023.12.1")
            .unwrap_err()
            .contains("leading zero"));
        assert!(parse_entry("10.23.12.0/33")
            .unwrap_err()
            .contains("1 to 32"));
        assert!(parse_entry("10.23.12.0/").is_err());
        assert!(parse_entry("10.23.12.0/x").is_err());
        assert!(parse_entry("10.0.0.0/0").is_err());
        let host = parse_entry("10.23.12.24/24").unwrap_err();
        assert!(host.contains("10.23.12.0/24"), "{host}");
        assert!(parse_entry("a.b.c.d").is_err());
        assert!(parse_entry("").is_err());
    }

    #[test]
    fn wide_blocks_are_flagged() {
        assert!(is_wide("0.0.0.0/0"));
        assert!(is_wide("0.0.0.0"));
        assert!(is_wide("64.0.0.0/2"));
        assert!(!is_wide("10.0.0.0/8"));
        assert!(!is_wide("10.1.2.3"));
        assert_eq!(coverage("10.0.0.0/24"), "256 addresses");
    }

    #[test]
    fn lists_find_duplicates_and_limits() {
        assert_eq!(
            parse_list("10.0.0.1, 10.0.0.0/24\n192.168.1.1"),
            Ok(vec![
                "10.0.0.1".into(),
                "10.0.0.0/24".into(),
                "192.168.1.1".into()
            ])
        );
        let e = parse_list("10.0.0.1,10.0.0.1/32").unwrap_err();
        assert!(e[0].contains("twice"));
        assert!(entries_problem("", 0).unwrap().contains("at least one"));
        assert!(entries_problem("10.0.0.1", 1000).unwrap().contains("1000"));
        assert_eq!(entries_problem("10.0.0.1", 999), None);
        assert!(entries_problem("10.0.0.1/40", 0).is_some());
    }

    #[test]
    fn group_names_follow_the_reference() {
        assert_eq!(group_name_problem("office2"), None);
        assert!(group_name_problem("a").is_some());
        assert!(group_name_problem("Office").is_some());
        assert!(group_name_problem("my_group").is_some());
        assert!(group_name_problem("2office").is_some());
        assert!(group_name_problem(&"a".repeat(121)).is_some());
        assert!(is_system_group("polardb_osc", "hidden"));
        assert!(is_system_group("ali_dms_group", ""));
        assert!(!is_system_group("default", ""));
    }

    #[test]
    fn security_group_ids() {
        assert_eq!(security_groups_problem(""), None);
        assert_eq!(security_groups_problem("sg-abc1, sg-def2"), None);
        assert!(security_groups_problem("sg-a,sg-b,sg-c,sg-d").is_some());
        assert!(security_groups_problem("abc").is_some());
        assert!(security_groups_problem("sg-a,sg-a")
            .unwrap()
            .contains("twice"));
    }

    #[test]
    fn plans_choose_the_mode() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let p = plan("g", &s(&["10.0.0.1"]), &s(&["10.0.0.1", "10.0.0.2"]), false);
        assert_eq!((p.mode, p.sent.clone()), ("Append", s(&["10.0.0.2"])));
        let p = plan("g", &s(&["10.0.0.1", "10.0.0.2"]), &s(&["10.0.0.1"]), false);
        assert_eq!((p.mode, p.sent.clone()), ("Delete", s(&["10.0.0.2"])));
        let p = plan("g", &s(&["10.0.0.1"]), &s(&["10.0.0.3"]), false);
        assert_eq!(p.mode, "Cover");
        assert_eq!(p.added, s(&["10.0.0.3"]));
        assert_eq!(p.removed, s(&["10.0.0.1"]));
        let p = plan("g", &s(&["10.0.0.1"]), &[], false);
        assert!(p.remove_group);
        assert_eq!((p.mode, p.sent.clone()), ("Delete", s(&["10.0.0.1"])));
        let p = plan("n", &[], &s(&["10.0.0.1"]), true);
        assert_eq!(p.mode, "Cover");
    }
}
