//! Addresses: what a link carries in its path and query (the top bar's cloud account and
//! region travel in the query, so a link reproduces what it shows).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Percent-encodes a path segment or a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/clusters/ID[/tab]?account=…&region=…`.
pub fn cluster_href(id: &str, account: &str, region: &str, tab: &str) -> String {
    let mut href = format!("/clusters/{}", url_encode(id));
    if !tab.is_empty() {
        href.push('/');
        href.push_str(tab);
    }
    let mut query = Vec::new();
    if !account.is_empty() {
        query.push(format!("account={}", url_encode(account)));
    }
    if !region.is_empty() {
        query.push(format!("region={}", url_encode(region)));
    }
    if !query.is_empty() {
        href.push('?');
        href.push_str(&query.join("&"));
    }
    href
}

/// `/clusters/new?from=ID&account=…&region=…&point=…`: the create wizard filled in to clone
/// a cluster (`point` LATEST) or to restore one of its backups (`point` the backup set ID).
pub fn clone_href(id: &str, account: &str, region: &str, point: &str) -> String {
    format!(
        "/clusters/new?from={}&account={}&region={}&point={}",
        url_encode(id),
        url_encode(account),
        url_encode(region),
        url_encode(point)
    )
}

/// `path?account=…&region=…`, without the empty ones.
pub fn with_scope(path: &str, account: &str, region: &str) -> String {
    let mut parts = Vec::new();
    if !account.is_empty() {
        parts.push(format!("account={}", url_encode(account)));
    }
    if !region.is_empty() {
        parts.push(format!("region={}", url_encode(region)));
    }
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// The chosen cloud account and region of the top bar (none: all).
pub fn top_bar_scope() -> Memo<(Option<String>, Option<String>)> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        (
            q.get("account").filter(|s| !s.is_empty()),
            q.get("region").filter(|s| !s.is_empty()),
        )
    })
}
