//! Cluster and node states: which end by themselves, and how a status looks.

use std::time::Duration;

use leptos::prelude::*;

/// Cluster states a filter can ask for (API reference 19-2): the cluster list's and a fleet
/// change's.
pub const CLUSTER_STATUSES: &[&str] = &[
    "Running",
    "Creating",
    "Deleting",
    "Rebooting",
    "DBNodeCreating",
    "DBNodeDeleting",
    "ClassChanging",
    "Switching",
    "TRANSING",
    "NetAddressCreating",
    "NetAddressDeleting",
    "NetAddressModifying",
    "MinorVersionUpgrading",
    "NS_MAINTAINING",
    "STORAGE_EXPANDIN",
    "SSL_MODIFYING",
    "TDEModifying",
    "CONFIG_SWITCHING",
    "ROLE_SWITCHING",
    "UPGRADE_FORBIDDEN",
];

/// How often a page reads again what is in a transitional state.
pub const POLL: Duration = Duration::from_secs(2);

/// States that end by themselves; a page showing one reads the cluster again until it
/// settles (cluster and node states of the API reference, 6.4 and 19.2).
pub fn is_transitional(status: &str) -> bool {
    matches!(
        status,
        "Creating"
            | "Deleting"
            | "Rebooting"
            | "DBNodeCreating"
            | "DBNodeDeleting"
            | "ClassChanging"
            | "NetAddressCreating"
            | "NetAddressDeleting"
            | "NetAddressModifying"
            | "MinorVersionUpgrading"
            | "Maintaining"
            | "NS_MAINTAINING"
            | "Switching"
            | "STORAGE_EXPANDIN"
            | "STORAGE_EXPANDING"
            | "TRANSING"
            | "Transing"
            | "SSL_MODIFYING"
            | "TDEModifying"
            | "CONFIG_SWITCHING"
            | "ROLE_SWITCHING"
    )
}

/// A cluster or node status as a coloured badge; the states of [`is_transitional`] pulse.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let class = match status.as_str() {
        "Running" => "badge badge-ok",
        "Stopped" | "Deleted" | "Locked" | "LockByExpiration" => "badge badge-bad",
        s if is_transitional(s) => "badge badge-busy",
        _ => "badge",
    };
    let code = status.clone();
    let word = move || super::words::api_word(&code);
    view! { <span class=class data-status=status>{word}</span> }
}
