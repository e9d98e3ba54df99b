//! Where the console may connect: the addresses of cloud-account endpoint overrides.
//!
//! Without an override, calls go to the regional endpoints built from a validated region
//! id (`polardb::request::RegionId`), so no caller can choose a host. An override is an
//! administrator's choice and is held to these rules, when it is saved and again before
//! every call:
//!
//! * `https`, except for an account explicitly marked as a local emulator (`http` allowed);
//! * no user, query or fragment;
//! * a host that is not loopback, link-local (169.254.0.0/16, the cloud metadata service;
//!   fe80::/10), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), unspecified,
//!   multicast or broadcast — unless the operator allows private endpoints
//!   (`allow_private_endpoints`, for an emulator or a proxy inside the network);
//! * never the console's own listening address.
//!
//! Host names are checked again when they are resolved: the client's resolver refuses
//! private answers under the same setting (`polardb::client::ClientConfig::allow_private`).

use std::net::{IpAddr, SocketAddr};

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

/// Checks an endpoint override against the rules above; the error names the field
/// `endpoint` and the rule.
pub fn check_endpoint(
    endpoint: &str,
    emulator: bool,
    policy: &OutboundPolicy,
) -> Result<(), BackendError> {
    let bad = |m: String| BackendError::invalid("endpoint", m);
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
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if (name == "localhost" || name.ends_with(".localhost")) && !policy.allow_private {
                return Err(bad(format!(
                    "{name} is this machine; private and loopback endpoints need the operator setting allow_private_endpoints"
                )));
            }
            None
        }
        None => return Err(bad("has no host".into())),
    };
    if let Some(ip) = ip {
        if let Some(own) = policy.own {
            let same_host = ip == own.ip()
                || (own.ip().is_unspecified() && (ip.is_loopback() || ip.is_unspecified()));
            if same_host && port == own.port() {
                return Err(bad("is the console's own address".into()));
            }
        }
        if is_private(ip) && !policy.allow_private {
            return Err(bad(format!(
                "{ip} is a loopback, link-local or private address; such endpoints need the operator setting allow_private_endpoints"
            )));
        }
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
            "https://polardb.example.com/?x=1",
            "ftp://polardb.example.com/",
            "https://[fe80::1]/",
        ] {
            assert!(check_endpoint(bad, false, &strict).is_err(), "{bad}");
        }
        // The emulator on loopback: marked, and allowed by the operator.
        assert!(check_endpoint("http://127.0.0.1:9000/", true, &lab).is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000/", false, &lab).is_err());
        assert!(check_endpoint("http://127.0.0.1:9000/", true, &strict).is_err());
        // Never the console itself.
        assert!(check_endpoint("http://127.0.0.1:8080/", true, &lab).is_err());
    }
}
