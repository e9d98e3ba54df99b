//! Where the console may connect: the addresses of cloud-account endpoint overrides.
//!
//! Without an override, calls go to the regional endpoints built from a validated region
//! id (`polardb::request::RegionId`), so no caller can choose a host. An override is an
//! administrator's choice and is held to these rules, when it is saved and again before
//! every call:
//!
//! * `https`, except for an account explicitly marked as a local emulator (`http` allowed);
//! * no user (no `@` at all, an empty one included), query or fragment;
//! * a host that is not loopback, link-local (169.254.0.0/16, the cloud metadata service;
//!   fe80::/10), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), multicast or
//!   broadcast — unless the operator allows private endpoints (`allow_private_endpoints`,
//!   for an emulator or a proxy inside the network). An IPv6 address that embeds an IPv4
//!   address (`::ffff:127.0.0.1`, `::127.0.0.1`, `64:ff9b::7f00:1`, `2002:7f00:1::`) is
//!   judged by the IPv4 address (`polardb::endpoints::canonical`);
//! * never the unspecified addresses `0.0.0.0` and `::` (a connection to them reaches this
//!   machine), whatever the setting;
//! * never the console's own listening address: its port on any address of this machine
//!   (loopback, unspecified, an interface's), written as an address, as `localhost`, or as
//!   a host name that resolves to one (`polardb::endpoints::is_own`).
//!
//! Host names are resolved by [`check_endpoint_resolved`], when an account is saved and
//! again before every call, and every address they resolve to is held to these rules. The
//! client checks once more at each attempt, and connects to the addresses it checked
//! (`polardb::client::ClientConfig::{allow_private, own}`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::BackendError;

/// The operator's rules for outbound addresses.
#[derive(Clone, Debug, Default)]
pub struct OutboundPolicy {
    /// Loopback, link-local and private addresses allowed (default: refused).
    pub allow_private: bool,
    /// The console's own listening address: never a target.
    pub own: Option<SocketAddr>,
}

pub use polardb::endpoints::is_private;

/// Checks an endpoint override's form and its literal address against the rules above
/// (a host name is judged by its name only: see [`check_endpoint_resolved`]); the error
/// names the field `endpoint` and the rule.
pub fn check_endpoint(
    endpoint: &str,
    emulator: bool,
    policy: &OutboundPolicy,
) -> Result<(), BackendError> {
    let (host, addrs) = parse(endpoint, emulator, policy)?;
    for addr in addrs {
        check_address(&host, addr, policy)?;
    }
    Ok(())
}

/// [`check_endpoint`], and a host name resolved: each address it resolves to is held to
/// the same rules. A name that does not resolve passes here (it reaches nothing); the
/// client resolves and checks it again before it connects.
pub async fn check_endpoint_resolved(
    endpoint: &str,
    emulator: bool,
    policy: &OutboundPolicy,
) -> Result<(), BackendError> {
    check_endpoint(endpoint, emulator, policy)?;
    let url = url::Url::parse(endpoint).map_err(|e| bad(format!("is not a URL ({e})")))?;
    if let Some(url::Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let lookup = tokio::net::lookup_host((name, port));
        if let Ok(Ok(found)) = tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
            for addr in found {
                check_address(name, addr, policy)?;
            }
        }
    }
    Ok(())
}

/// How long a host name may take to resolve during a check.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn bad(m: String) -> BackendError {
    BackendError::invalid("endpoint", m)
}

/// The form's rules; answers the host as written and the addresses known without a
/// resolver (an IP address; loopback for `localhost`).
fn parse(
    endpoint: &str,
    emulator: bool,
    policy: &OutboundPolicy,
) -> Result<(String, Vec<SocketAddr>), BackendError> {
    // Any `@` is refused, also an empty user (`http://@host/`, `http://:@host/`), which the
    // parsed URL no longer shows: an endpoint's authority is its host and port only.
    if endpoint.contains('@') {
        return Err(bad("must have no user (no @), query or fragment".into()));
    }
    let url = url::Url::parse(endpoint).map_err(|e| bad(format!("is not a URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if emulator => {}
        "http" => {
            return Err(bad(
                "must be https (plain http only for an account marked as a local emulator)".into(),
            ))
        }
        other => return Err(bad(format!("must be https, not {other}"))),
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(bad("must have no user, query or fragment".into()));
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let at = |ip: IpAddr| vec![SocketAddr::new(ip, port)];
    Ok(match url.host() {
        Some(url::Host::Ipv4(v4)) => (v4.to_string(), at(IpAddr::V4(v4))),
        Some(url::Host::Ipv6(v6)) => (v6.to_string(), at(IpAddr::V6(v6))),
        Some(url::Host::Domain(name)) if polardb::endpoints::is_localhost_name(name) => {
            if !policy.allow_private {
                return Err(bad(format!(
                    "{name} is this machine; private and loopback endpoints need the operator setting allow_private_endpoints"
                )));
            }
            let loopback = [Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()];
            let addrs = loopback.map(|ip: IpAddr| SocketAddr::new(ip, port));
            (name.to_string(), addrs.to_vec())
        }
        Some(url::Host::Domain(name)) => (name.to_string(), Vec::new()),
        None => return Err(bad("has no host".into())),
    })
}

/// The rules on one address the endpoint reaches (`host` as written, for the message).
pub fn check_address(
    host: &str,
    addr: SocketAddr,
    policy: &OutboundPolicy,
) -> Result<(), BackendError> {
    let ip = polardb::endpoints::canonical(addr.ip());
    let shown = if ip.to_string() == host {
        host.to_string()
    } else {
        format!("{host} ({ip})")
    };
    if ip.is_unspecified() {
        return Err(bad(format!(
            "{shown} is the unspecified address, which reaches this machine"
        )));
    }
    if let Some(own) = policy.own {
        if polardb::endpoints::is_own(addr, own) {
            return Err(bad(format!(
                "{shown} port {} is the console's own address",
                addr.port()
            )));
        }
    }
    if is_private(ip) && !policy.allow_private {
        return Err(bad(format!(
            "{shown} is a loopback, link-local or private address; such endpoints need the operator setting allow_private_endpoints"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_rules() {
        let strict = OutboundPolicy::default();
        let lab = OutboundPolicy {
            allow_private: true,
            own: Some("127.0.0.1:8080".parse().unwrap()),
        };
        assert!(check_endpoint("https://polardb.vpc-proxy.example.com/", false, &strict).is_ok());
        for bad in [
            "http://polardb.example.com/",
            "https://169.254.169.254/",
            "https://127.0.0.1:9000/",
            "https://[::1]:9000/",
            "https://[::ffff:127.0.0.1]/",
            "https://10.1.2.3/",
            "https://192.168.0.1/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://localhost/",
            "https://user@polardb.example.com/",
            "https://:@polardb.example.com/",
            "https://@polardb.example.com/",
            "https://polardb.example.com\\@10.0.0.1/",
            "https://polardb.example.com/?x=1",
            "ftp://polardb.example.com/",
            "https://[fe80::1]/",
        ] {
            assert!(check_endpoint(bad, false, &strict).is_err(), "{bad}");
        }
        // The emulator on loopback: marked, and allowed by the operator.
        assert!(check_endpoint("http://127.0.0.1:9000/", true, &lab).is_ok());
        // An empty user is still a user (fourth attack run, F5).
        for bad in ["http://:@127.0.0.1:9000/", "http://@127.0.0.1:9000/"] {
            assert!(check_endpoint(bad, true, &lab).is_err(), "{bad}");
        }
        assert!(check_endpoint("http://127.0.0.1:9000/", false, &lab).is_err());
        assert!(check_endpoint("http://127.0.0.1:9000/", true, &strict).is_err());
        // Never the console itself.
        assert!(check_endpoint("http://127.0.0.1:8080/", true, &lab).is_err());
    }

    /// The spellings of the console's own address found by an attack run, with private
    /// endpoints allowed: every one is refused, on save (resolved) as on the form.
    #[tokio::test]
    async fn the_console_itself_in_any_spelling_is_refused() {
        for listen in [
            "127.0.0.1:18080",
            "0.0.0.0:18080",
            "[::]:18080",
            "[::1]:18080",
        ] {
            let lab = OutboundPolicy {
                allow_private: true,
                own: Some(listen.parse().unwrap()),
            };
            let mut own = vec![
                "http://127.0.0.1:18080/".to_string(),
                "http://localhost:18080/".into(),
                "http://LOCALHOST:18080".into(),
                "http://localhost.:18080/".into(),
                "http://sub.localhost:18080/".into(),
                "http://0.0.0.0:18080".into(),
                "http://[::]:18080/".into(),
                "http://[::1]:18080/".into(),
                "http://[::ffff:127.0.0.1]:18080".into(),
                "http://[::ffff:7f00:1]:18080".into(),
                "http://[0:0:0:0:0:ffff:127.0.0.1]:18080".into(),
                "http://[::127.0.0.1]:18080".into(),
                "http://[64:ff9b::7f00:1]:18080".into(),
                "http://[2002:7f00:1::]:18080".into(),
                "http://127.1:18080".into(),
                "http://2130706433:18080".into(),
                "http://127.0.0.2:18080".into(),
            ];
            // The machine's host name, when it resolves (to one of its addresses).
            if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
                let h = h.trim();
                if tokio::net::lookup_host((h, 0)).await.is_ok() {
                    own.push(format!("http://{h}:18080/"));
                }
            }
            for e in &own {
                assert!(
                    check_endpoint_resolved(e, true, &lab).await.is_err(),
                    "{listen}: {e}"
                );
            }
            // Another port on loopback (the emulator) is allowed, by address and by name.
            for e in [
                "http://127.0.0.1:9000/",
                "http://localhost:9000/",
                "http://[::1]:9000/",
            ] {
                assert!(
                    check_endpoint_resolved(e, true, &lab).await.is_ok(),
                    "{listen}: {e}"
                );
            }
        }
        // The unspecified addresses reach this machine: refused on any port, whatever the
        // setting (and also by the form check, which knows no own address).
        let open = OutboundPolicy {
            allow_private: true,
            own: None,
        };
        for e in [
            "http://0.0.0.0:9000/",
            "http://[::]:9000/",
            "http://[::ffff:0.0.0.0]:9000/",
            "http://0:9000/",
        ] {
            assert!(check_endpoint(e, true, &open).is_err(), "{e}");
        }
    }

    #[test]
    fn embedded_ipv4_loopback_is_private() {
        let strict = OutboundPolicy::default();
        for e in [
            "https://[::127.0.0.1]/",
            "https://[64:ff9b::7f00:1]/",
            "https://[2002:7f00:1::]/",
            "https://[::ffff:0:7f00:1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:a00:1::]/",
        ] {
            assert!(check_endpoint(e, false, &strict).is_err(), "{e}");
        }
        assert!(check_endpoint("https://[64:ff9b::808:808]/", false, &strict).is_ok());
    }

    /// Private endpoints not allowed: a host name that resolves to loopback is refused
    /// when it is saved (`localhost` resolves everywhere).
    #[tokio::test]
    async fn host_names_are_judged_by_their_addresses() {
        let strict = OutboundPolicy::default();
        assert!(
            check_endpoint_resolved("https://localhost/", false, &strict)
                .await
                .is_err()
        );
        if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            let h = h.trim();
            if let Ok(mut found) = tokio::net::lookup_host((h, 0)).await {
                if found.any(|a| is_private(a.ip())) {
                    let e = format!("https://{h}/");
                    assert!(
                        check_endpoint_resolved(&e, false, &strict).await.is_err(),
                        "{e}"
                    );
                }
            }
        }
    }
}
