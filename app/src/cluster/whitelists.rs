//! `/clusters/:id/whitelists`: who may connect. IP whitelist groups and bound ECS security
//! groups (DescribeDBClusterAccessWhitelist) and their changes (ModifyDBClusterAccessWhitelist,
//! API reference 7.1). Every address and CIDR block is checked before anything is sent;
//! every change is shown as a diff first; an entry that opens the cluster to a very wide
//! range (0.0.0.0/0, a prefix shorter than /8) needs a second, explicit confirmation.
//! Groups the service manages (hidden ones, and the names below) are read-only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::call::{may, parse_answer};
#[cfg(feature = "ssr")]
use crate::cluster::frame::locate;
use crate::cluster::frame::{section_reload, ClusterCtx};
use crate::kit::{capitalise, change_error, ConfirmDialog, Empty, ErrorBox, Loading};
use crate::AppError;

/// A cluster has at most 50 IP whitelist groups (7.1.1).
pub const MAX_GROUPS: usize = 50;
/// All IP whitelist groups together hold at most 1000 addresses or blocks (7.1.1).
pub const MAX_ENTRIES: usize = 1000;
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
        return Some(format!(
            "the group name must have 2 to 120 characters (this has {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Some("the group name may contain only lowercase letters and digits".into());
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("the group name must start with a lowercase letter".into());
    }
    None
}

/// One IPv4 address or CIDR block, read: (address, prefix length). A bare address has /32.
pub fn parse_entry(s: &str) -> Result<(u32, u8), String> {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    let octets: Vec<&str> = ip.split('.').collect();
    if octets.len() != 4 {
        return Err(format!(
            "{s} is not an IPv4 address: write four numbers separated by dots, e.g. 10.23.12.24"
        ));
    }
    let mut addr: u32 = 0;
    for o in &octets {
        if o.is_empty() || o.len() > 3 || !o.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{s}: each part of an address is a number from 0 to 255"
            ));
        }
        if o.len() > 1 && o.starts_with('0') {
            return Err(format!(
                "{s}: a part of an address has no leading zero ({o})"
            ));
        }
        let v: u32 = o.parse().unwrap_or(999);
        if v > 255 {
            return Err(format!(
                "{s}: {v} is out of range (each part of an address is 0 to 255)"
            ));
        }
        addr = (addr << 8) | v;
    }
    let prefix = match prefix {
        None => 32,
        Some(p) => {
            let valid = !p.is_empty()
                && p.len() <= 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'));
            let n: u8 = if valid { p.parse().unwrap_or(99) } else { 99 };
            if n > 32 {
                return Err(format!(
                    "{s}: the prefix length after / must be from 1 to 32"
                ));
            }
            if n == 0 && addr != 0 {
                return Err(format!(
                    "{s}: a /0 block is written 0.0.0.0/0 (it means every address)"
                ));
            }
            n
        }
    };
    let mask: u32 = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    if addr & !mask != 0 {
        let net = addr & mask;
        return Err(format!(
            "{s}: the address has bits set beyond the /{prefix} prefix; the block is {}/{prefix}",
            ip_text(net)
        ));
    }
    Ok((addr, prefix))
}

fn ip_text(a: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        a >> 24,
        (a >> 16) & 255,
        (a >> 8) & 255,
        a & 255
    )
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
        Ok((0, 0)) => "every IPv4 address on the internet".into(),
        Ok((0, 32)) => "0.0.0.0, which the service may treat as every address".into(),
        Ok((_, p)) => {
            let n: u64 = 1u64 << (32 - p as u32);
            format!("{n} addresses")
        }
        Err(_) => String::new(),
    }
}

/// The entries of a list typed by the user (commas, spaces or new lines between them),
/// each checked, with duplicates named. `Ok` holds the entries in the order typed.
pub fn parse_list(text: &str) -> Result<Vec<String>, Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<(u32, u8)> = Vec::new();
    let mut problems = Vec::new();
    for item in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        match parse_entry(item) {
            Ok(key) => {
                if seen.contains(&key) {
                    problems.push(format!("{item} is listed twice"));
                } else {
                    seen.push(key);
                    out.push(item.to_string());
                }
            }
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What is wrong with a group's new entries, `others` being the entries of every other
/// group of the cluster (the 1000 limit is over all of them).
pub fn entries_problem(text: &str, others: usize) -> Option<String> {
    match parse_list(text) {
        Err(problems) => Some(problems.join("; ")),
        Ok(list) if list.is_empty() => Some(
            "enter at least one IP address or CIDR block (to remove the group, use Remove)".into(),
        ),
        Ok(list) if list.len() + others > MAX_ENTRIES => Some(format!(
            "all whitelist groups together hold at most {MAX_ENTRIES} entries; the other groups have {others}, so this one may have at most {}",
            MAX_ENTRIES.saturating_sub(others)
        )),
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
            return Some(format!(
                "{id} is not a security group ID (sg- followed by letters and digits)"
            ));
        }
        if seen.contains(&id) {
            return Some(format!("{id} is listed twice"));
        }
        seen.push(id);
    }
    if seen.len() > MAX_SECURITY_GROUPS {
        return Some(format!(
            "a cluster is bound to at most {MAX_SECURITY_GROUPS} security groups ({} given)",
            seen.len()
        ));
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
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The IP whitelist groups and security groups of a cluster.
#[server]
pub async fn whitelist_view(
    account: String,
    region: String,
    cluster: String,
) -> Result<WhitelistData, AppError> {
    let (account, region) = locate(account, region, &cluster).await?;
    let answer = crate::api::call_api(
        account.clone(),
        region.clone(),
        "DescribeDBClusterAccessWhitelist".into(),
        vec![("DBClusterId".into(), cluster.clone())],
    )
    .await?;
    let body: polardb::models::DescribeDBClusterAccessWhitelistResponse =
        parse_answer("DescribeDBClusterAccessWhitelist", &answer)?;
    let allowed = may(
        &account,
        &region,
        &cluster,
        &["ModifyDBClusterAccessWhitelist"],
    )
    .await?;
    Ok(WhitelistData {
        groups: body
            .items
            .db_cluster_ip_array
            .into_iter()
            .map(|g| IpGroup {
                read_only: is_system_group(
                    &g.db_cluster_ip_array_name,
                    &g.db_cluster_ip_array_attribute,
                ),
                ips: split_ids(&g.security_ips),
                name: g.db_cluster_ip_array_name,
                attribute: g.db_cluster_ip_array_attribute,
            })
            .collect(),
        security_groups: body
            .db_cluster_security_groups
            .db_cluster_security_group
            .into_iter()
            .map(|g| (g.security_group_id, g.security_group_name))
            .collect(),
        can_modify: !allowed.is_empty(),
    })
}

/// Changes one IP whitelist group (ModifyDBClusterAccessWhitelist, WhiteListType IP).
/// `ips` is comma-separated; `confirm_wide` must be true when it holds a very wide block
/// and the mode adds entries. Returns the RequestId.
#[server]
pub async fn modify_ip_group(
    account: String,
    region: String,
    cluster: String,
    group: String,
    mode: String,
    ips: String,
    confirm_wide: bool,
) -> Result<String, AppError> {
    if let Some(p) = group_name_problem(&group) {
        return Err(invalid("Group name", p));
    }
    if is_system_group(&group, "") {
        return Err(invalid(
            "Group name",
            "this group is managed by the service",
        ));
    }
    if !["Cover", "Append", "Delete"].contains(&mode.as_str()) {
        return Err(invalid("Mode", "must be Cover, Append or Delete"));
    }
    let list = match parse_list(&ips) {
        Ok(l) if l.is_empty() => return Err(invalid("Addresses", "at least one is needed")),
        Ok(l) if l.len() > MAX_ENTRIES => {
            return Err(invalid("Addresses", format!("at most {MAX_ENTRIES}")))
        }
        Ok(l) => l,
        Err(p) => return Err(invalid("Addresses", p.join("; "))),
    };
    if mode != "Delete" && list.iter().any(|e| is_wide(e)) && !confirm_wide {
        return Err(invalid(
            "Addresses",
            "a very wide block (0.0.0.0/0 or a prefix shorter than /8) needs an explicit confirmation",
        ));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyDBClusterAccessWhitelist".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("WhiteListType".into(), "IP".into()),
            ("DBClusterIPArrayName".into(), group),
            ("ModifyMode".into(), mode),
            ("SecurityIps".into(), list.join(",")),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

/// Sets the ECS security groups bound to the cluster (WhiteListType SecurityGroup); `ids`
/// is comma-separated, empty to unbind all. Returns the RequestId.
#[server]
pub async fn modify_security_groups(
    account: String,
    region: String,
    cluster: String,
    ids: String,
) -> Result<String, AppError> {
    if let Some(p) = security_groups_problem(&ids) {
        return Err(invalid("Security groups", p));
    }
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyDBClusterAccessWhitelist".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("WhiteListType".into(), "SecurityGroup".into()),
            ("SecurityGroupIds".into(), split_ids(&ids).join(",")),
        ],
    )
    .await?;
    Ok(answer.request_id)
}

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/whitelists`.
#[component]
pub fn ClusterWhitelistsPage() -> impl IntoView {
    view! {
        <Whitelists />
    }
}

/// What the editor is editing.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Editing {
    NewGroup,
    Group(String),
    SecurityGroups,
}

/// The change waiting for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Review {
    Ip(Plan),
    Sg {
        added: Vec<String>,
        removed: Vec<String>,
        ids: Vec<String>,
    },
}

#[component]
fn Whitelists() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let hydrated = ctx.hydrated;
    let reload = section_reload(ctx);
    let view_data = Resource::new(
        move || (ctx.scope.get(), reload.get()),
        |(s, _)| whitelist_view(s.account, s.region, s.id),
    );
    let modify = ServerAction::<ModifyIpGroup>::new();
    let modify_sg = ServerAction::<ModifySecurityGroups>::new();

    let editing = RwSignal::new(None::<Editing>);
    let name = RwSignal::new(String::new());
    let entries = RwSignal::new(String::new());
    let sg_text = RwSignal::new(String::new());
    let review = RwSignal::new(None::<Review>);
    let ack = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    let after = move || {
        review.set(None);
        editing.set(None);
        reload.update(|n| *n += 1);
    };
    ctx.after_success(modify.value(), move || {
        done.set(Some("The whitelist was changed.".into()));
        after();
    });
    ctx.after_success(modify_sg.value(), move || {
        done.set(Some("The security groups were changed.".into()));
        after();
    });

    let current = move || view_data.get().and_then(|r| r.ok());
    let cluster = move || ctx.data.get().and_then(|r| r.ok());
    let old_entries = move || -> Vec<String> {
        match (editing.get(), current()) {
            (Some(Editing::Group(g)), Some(v)) => v
                .groups
                .iter()
                .find(|x| x.name == g)
                .map(|x| x.ips.clone())
                .unwrap_or_default(),
            _ => vec![],
        }
    };
    // Entries of every other user group (the 1000 limit counts them all).
    let others = move || -> usize {
        let skip = match editing.get() {
            Some(Editing::Group(g)) => g,
            _ => String::new(),
        };
        current()
            .map(|v| {
                v.groups
                    .iter()
                    .filter(|g| !g.read_only && g.name != skip)
                    .map(|g| g.ips.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let name_problem_now = move || -> Option<String> {
        if editing.get() != Some(Editing::NewGroup) {
            return None;
        }
        let n = name.get();
        if let Some(p) = group_name_problem(&n) {
            return Some(p);
        }
        let v = current()?;
        if v.groups.iter().any(|g| g.name == n) {
            return Some(format!("a group named {n} exists already; edit it instead"));
        }
        if is_system_group(&n, "") {
            return Some(format!("{n} is a name the service keeps for its own group"));
        }
        let user_groups = v.groups.iter().filter(|g| !g.read_only).count();
        if user_groups >= MAX_GROUPS {
            return Some(format!(
                "a cluster has at most {MAX_GROUPS} whitelist groups"
            ));
        }
        None
    };
    let entries_problem_now = move || entries_problem(&entries.get(), others());
    let ip_problem_now = move || name_problem_now().or_else(entries_problem_now);
    let sg_problem_now = move || security_groups_problem(&sg_text.get());

    let open_new = move |_| {
        name.set(String::new());
        entries.set(String::new());
        done.set(None);
        editing.set(Some(Editing::NewGroup));
    };
    let to_review = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match editing.get_untracked() {
            Some(Editing::SecurityGroups) => {
                if sg_problem_now().is_some() {
                    return;
                }
                let old: Vec<String> = current()
                    .map(|v| v.security_groups.iter().map(|(id, _)| id.clone()).collect())
                    .unwrap_or_default();
                let ids = split_ids(&sg_text.get_untracked());
                let added = ids.iter().filter(|i| !old.contains(i)).cloned().collect();
                let removed = old.iter().filter(|i| !ids.contains(i)).cloned().collect();
                modify_sg.value().set(None);
                review.set(Some(Review::Sg {
                    added,
                    removed,
                    ids,
                }));
            }
            Some(e) => {
                if ip_problem_now().is_some() {
                    return;
                }
                let Ok(new) = parse_list(&entries.get_untracked()) else {
                    return;
                };
                let (group, new_group) = match e {
                    Editing::Group(g) => (g, false),
                    _ => (name.get_untracked(), true),
                };
                ack.set(false);
                modify.value().set(None);
                review.set(Some(Review::Ip(plan(
                    &group,
                    &old_entries(),
                    &new,
                    new_group,
                ))));
            }
            None => {}
        }
    };
    let apply = move || {
        let (Some(d), Some(r)) = (cluster(), review.get_untracked()) else {
            return;
        };
        match r {
            Review::Ip(p) => {
                modify.dispatch(ModifyIpGroup {
                    account: d.account,
                    region: d.region,
                    cluster: d.attr.db_cluster_id,
                    group: p.group,
                    mode: p.mode.to_string(),
                    ips: p.sent.join(","),
                    confirm_wide: ack.get_untracked() || !p.added.iter().any(|e| is_wide(e)),
                });
            }
            Review::Sg { ids, .. } => {
                modify_sg.dispatch(ModifySecurityGroups {
                    account: d.account,
                    region: d.region,
                    cluster: d.attr.db_cluster_id,
                    ids: ids.join(","),
                });
            }
        }
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="whitelist-done">{m}</div> })}
        <Transition fallback=|| view! { <Loading label="Reading the whitelists…" /> }>
            {move || Suspend::new(async move {
                let v = match view_data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorBox error=e /> }.into_any(),
                };
                let can = v.can_modify;
                let total: usize = v.groups.iter().filter(|g| !g.read_only).map(|g| g.ips.len()).sum();
                let n_groups = v.groups.iter().filter(|g| !g.read_only).count();
                let sgs = v.security_groups.clone();
                let sg_ids = sgs.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>().join(", ");
                view! {
                    <section class="panel">
                        <div class="toolbar">
                            <h2>"IP whitelist groups"</h2>
                            <p class="muted" data-testid="whitelist-summary">
                                {format!("{n_groups} groups (at most {MAX_GROUPS}), {total} entries over all groups (at most {MAX_ENTRIES}).")}
                            </p>
                            <div class="toolbar-actions">
                                {can.then(|| view! {
                                    <button type="button" class="small" data-testid="add-group"
                                        disabled=move || !hydrated.get() on:click=open_new>"Add group"</button>
                                })}
                            </div>
                        </div>
                        <div class="table-wrap">
                            <table class="grid" data-testid="whitelist-table">
                                <thead><tr><th>"Group"</th><th>"Addresses and CIDR blocks"</th><th></th></tr></thead>
                                <tbody>
                                    {v.groups.iter().map(|g| {
                                        let name_e = g.name.clone();
                                        let ips_e = g.ips.join("\n");
                                        let name_r = g.name.clone();
                                        let ips_r = g.ips.clone();
                                        let read_only = g.read_only;
                                        let is_default = g.name == "default";
                                        view! {
                                            <tr data-group=g.name.clone() data-read-only=read_only.to_string()>
                                                <td class="mono nowrap">
                                                    {g.name.clone()}
                                                    {read_only.then(|| view! { <div class="muted" data-testid="system-group">"Managed by the service · read-only"</div> })}
                                                </td>
                                                <td>
                                                    <ul class="ip-list" data-testid="group-ips">
                                                        {g.ips.iter().map(|ip| {
                                                            let wide = is_wide(ip);
                                                            view! { <li class="mono" class:ip-wide=wide title=wide.then(|| coverage(ip))>{ip.clone()}</li> }
                                                        }).collect_view()}
                                                    </ul>
                                                </td>
                                                <td><div class="row-actions">
                                                    {(can && !read_only).then(|| view! {
                                                        <button type="button" class="small" data-testid="edit-group"
                                                            disabled=move || !hydrated.get()
                                                            on:click=move |_| {
                                                                entries.set(ips_e.clone());
                                                                done.set(None);
                                                                editing.set(Some(Editing::Group(name_e.clone())));
                                                            }>"Edit"</button>
                                                    })}
                                                    {(can && !read_only && !is_default).then(|| view! {
                                                        <button type="button" class="small danger" data-testid="remove-group"
                                                            disabled=move || !hydrated.get()
                                                            on:click=move |_| {
                                                                done.set(None);
                                                                modify.value().set(None);
                                                                ack.set(false);
                                                                review.set(Some(Review::Ip(plan(&name_r, &ips_r, &[], false))));
                                                            }>"Remove"</button>
                                                    })}
                                                </div></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small-print">"Entries are IPv4 addresses (10.23.12.24) or CIDR blocks (10.23.12.0/24). 127.0.0.1 alone lets no one in. The default group cannot be removed; empty it by editing it to 127.0.0.1."</p>
                    </section>
                    <section class="panel">
                        <div class="toolbar">
                            <h2>"ECS security groups"</h2>
                            <div class="toolbar-actions">
                                {can.then(|| view! {
                                    <button type="button" class="small" data-testid="edit-security-groups"
                                        disabled=move || !hydrated.get()
                                        on:click=move |_| {
                                            sg_text.set(sg_ids.clone());
                                            done.set(None);
                                            editing.set(Some(Editing::SecurityGroups));
                                        }>"Change"</button>
                                })}
                            </div>
                        </div>
                        {if sgs.is_empty() {
                            view! { <Empty title="No security group is bound." hint="ECS instances in a bound security group may connect." /> }.into_any()
                        } else {
                            view! {
                                <ul class="ip-list" data-testid="security-groups">
                                    {sgs.into_iter().map(|(id, n)| view! { <li><span class="mono">{id}</span>" "<span class="muted">{n}</span></li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>

        // The editor and the review live outside the refreshing part: nothing resets them.
        {move || editing.get().map(|e| {
            let sg = e == Editing::SecurityGroups;
            let title = match &e {
                Editing::NewGroup => "New whitelist group".to_string(),
                Editing::Group(g) => format!("Edit whitelist group {g}"),
                Editing::SecurityGroups => "Bound ECS security groups".to_string(),
            };
            let problem = move || if sg { sg_problem_now() } else { ip_problem_now() };
            view! {
                <section class="panel form-panel" data-testid="group-editor">
                    <h2>{title}</h2>
                    <form class="stack-form" on:submit=to_review>
                        {(e == Editing::NewGroup).then(|| view! {
                            <label>
                                <span>"Group name"</span>
                                <input type="text" class="mono" data-testid="group-name" autocomplete="off" spellcheck="false" maxlength="130"
                                    prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                        })}
                        {if sg {
                            view! {
                                <label>
                                    <span>{format!("Security group IDs (at most {MAX_SECURITY_GROUPS}, separated by commas; empty to unbind all)")}</span>
                                    <input type="text" class="mono" data-testid="security-group-ids" autocomplete="off" spellcheck="false"
                                        prop:value=move || sg_text.get()
                                        on:input=move |ev| sg_text.set(event_target_value(&ev)) />
                                </label>
                            }.into_any()
                        } else {
                            view! {
                                <label>
                                    <span>"IP addresses and CIDR blocks (one a line, or separated by commas)"</span>
                                    <textarea class="mono" rows="6" data-testid="group-entries" spellcheck="false"
                                        prop:value=move || entries.get()
                                        on:input=move |ev| entries.set(event_target_value(&ev))></textarea>
                                </label>
                            }.into_any()
                        }}
                        <p class="field-hint" data-testid="group-problem">
                            {move || match problem() {
                                Some(p) => view! { <span class="field-error">{format!("{}.", capitalise(&p))}</span> }.into_any(),
                                None if sg => view! { <span class="muted">"IDs look like sg-bp1abc…"</span> }.into_any(),
                                None => view! { <span class="muted">{move || format!("{} entries.", parse_list(&entries.get()).map(|l| l.len()).unwrap_or(0))}</span> }.into_any(),
                            }}
                        </p>
                        <div class="modal-actions">
                            <button type="button" class="small" data-testid="cancel-edit" on:click=move |_| editing.set(None)>"Cancel"</button>
                            <button type="submit" class="small primary-small" data-testid="review-change"
                                disabled=move || problem().is_some()>"Review the change"</button>
                        </div>
                    </form>
                </section>
            }
        })}
        {move || review.get().map(|r| {
            let pending = Signal::derive(move || modify.pending().get() || modify_sg.pending().get());
            let (title, body, wide, nothing) = match &r {
                Review::Ip(p) => {
                    let title = if p.remove_group {
                        format!("Remove whitelist group {}?", p.group)
                    } else if p.new_group {
                        format!("Create whitelist group {}?", p.group)
                    } else {
                        format!("Change whitelist group {}?", p.group)
                    };
                    let wide: Vec<String> = p.added.iter().filter(|e| is_wide(e)).cloned().collect();
                    let nothing = p.added.is_empty() && p.removed.is_empty();
                    let body = view! {
                        <ul class="diff" data-testid="diff">
                            {p.added.iter().map(|e| view! { <li class="diff-add mono" data-testid="diff-added">{format!("+ {e}")}</li> }).collect_view()}
                            {p.removed.iter().map(|e| view! { <li class="diff-remove mono" data-testid="diff-removed">{format!("− {e}")}</li> }).collect_view()}
                            {p.kept.iter().map(|e| view! { <li class="diff-keep mono muted">{format!("  {e}")}</li> }).collect_view()}
                        </ul>
                        <p class="muted" data-testid="diff-mode">
                            {format!("Sent as ModifyMode={} with {} entr{}.", p.mode, p.sent.len(), if p.sent.len() == 1 { "y" } else { "ies" })}
                            {p.remove_group.then_some(" Clients connecting from these addresses lose access unless another group allows them.")}
                        </p>
                    }.into_any();
                    (title, body, wide, nothing)
                }
                Review::Sg { added, removed, ids } => {
                    let nothing = added.is_empty() && removed.is_empty();
                    let body = view! {
                        <ul class="diff" data-testid="diff">
                            {added.iter().map(|e| view! { <li class="diff-add mono" data-testid="diff-added">{format!("+ {e}")}</li> }).collect_view()}
                            {removed.iter().map(|e| view! { <li class="diff-remove mono" data-testid="diff-removed">{format!("− {e}")}</li> }).collect_view()}
                        </ul>
                        <p class="muted" data-testid="diff-mode">{format!("Sent as WhiteListType=SecurityGroup with {} group(s).", ids.len())}</p>
                    }.into_any();
                    ("Change the bound security groups?".to_string(), body, vec![], nothing)
                }
            };
            let needs_ack = !wide.is_empty();
            view! {
                <ConfirmDialog title_id="wl-review-title" title=title testid="review-dialog" on_close=move || review.set(None)
                    on_confirm=apply pending=pending blocked=Signal::derive(move || nothing || (needs_ack && !ack.get()))
                    button="Apply" sending="Applying…" cancel_testid="cancel-review" confirm_testid="apply-change">
                    {body}
                    {nothing.then(|| view! { <p class="refusal" data-testid="diff-nothing">"Nothing changes."</p> })}
                    {needs_ack.then(|| view! {
                        <div class="wide-warning" role="alert" data-testid="wide-warning">
                            <p><strong>"This opens the cluster to a very wide range of addresses."</strong></p>
                            <ul>
                                {wide.iter().map(|e| view! { <li><span class="mono">{e.clone()}</span>{format!(": {}", coverage(e))}</li> }).collect_view()}
                            </ul>
                            <p>"Anyone there who knows or guesses an account password can connect. Prefer the addresses of your applications."</p>
                            <label class="ack">
                                <input type="checkbox" data-testid="wide-ack" prop:checked=move || ack.get()
                                    on:change=move |ev| ack.set(event_target_checked(&ev)) />
                                " I understand, and I want to open the cluster to these addresses."
                            </label>
                        </div>
                    })}
                    {change_error(modify.value())}
                    {change_error(modify_sg.value())}
                </ConfirmDialog>
            }
        })}
    }
}

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
