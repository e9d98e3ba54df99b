//! Chapters 07 (IP whitelists, security groups, SSL) and 11 (SQL collection).

use polardb::models as m;

use crate::handlers::Ctx;
use crate::state::{Effect, IpArray, SecurityGroup};
use crate::util::{hash64, ok, parse_ip_list, Fault, Res};

/// A cluster has at most 50 whitelist groups and 1000 entries over all of them.
const MAX_GROUPS: usize = 50;
const MAX_IPS: usize = 1000;
const MAX_SECURITY_GROUPS: usize = 3;

/// A group name: 2 to 120 lowercase letters and digits, starting with a letter and ending
/// with a letter or digit.
fn valid_group_name(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=120).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// The entries of SecurityIps: addresses and CIDR blocks with a prefix of 1 to 32 (7.1.1),
/// and `0.0.0.0/0`, which the service accepts as "every address".
fn security_ips(v: &str) -> Result<Vec<String>, Fault> {
    let open = v.split(',').map(str::trim).any(|x| x == "0.0.0.0/0");
    let rest: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|x| *x != "0.0.0.0/0")
        .collect();
    let mut ips = parse_ip_list("SecurityIps", &rest.join(","))?;
    if open {
        ips.push("0.0.0.0/0".into());
    }
    Ok(ips)
}

/// ModifyDBClusterAccessWhitelist: an IP whitelist group (Cover, Append or Delete) or the
/// security groups.
pub fn modify_whitelist(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let kind =
        c.p.enum_opt("WhiteListType", &["IP", "SecurityGroup"])?
            .unwrap_or("IP");
    if kind == "SecurityGroup" {
        let Some(list) = c.p.get("SecurityGroupIds") else {
            return Err(Fault::missing("SecurityGroupIds"));
        };
        let mut ids: Vec<String> = Vec::new();
        for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let valid = id.len() > 3
                && id.starts_with("sg-")
                && id[3..].bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid {
                return Err(Fault::invalid("SecurityGroupIds"));
            }
            if !ids.iter().any(|x| x == id) {
                ids.push(id.to_string());
            }
        }
        if ids.len() > MAX_SECURITY_GROUPS {
            return Err(Fault::invalid_because(
                "SecurityGroupIds",
                "A cluster can be bound to at most 3 security groups.",
            ));
        }
        if !c.w.clusters[i].is_running() {
            return Err(Fault::busy());
        }
        c.w.clusters[i].security_groups = ids
            .into_iter()
            .map(|id| SecurityGroup {
                name: format!("sg-group-{:04}", hash64(&[&id]) % 10_000),
                id,
            })
            .collect();
        return ok(m::ModifyDBClusterAccessWhitelistResponse::default());
    }
    let name =
        c.p.opt("DBClusterIPArrayName")
            .unwrap_or("default")
            .to_string();
    let cl = &c.w.clusters[i];
    let existing = cl.whitelists.iter().position(|w| w.name == name);
    if let Some(k) = existing {
        if cl.whitelists[k].system {
            return Err(Fault::new(
                400,
                "InvalidDBClusterIPArrayName.ValueNotSupported",
                "The whitelist group is managed by the service and cannot be modified.",
            ));
        }
    } else if !valid_group_name(&name) {
        return Err(Fault::invalid("DBClusterIPArrayName"));
    }
    let attribute = match c.p.opt("DBClusterIPArrayAttribute") {
        None => None,
        Some("hidden") => Some("hidden".to_string()),
        Some(_) => return Err(Fault::unsupported("DBClusterIPArrayAttribute")),
    };
    if let (Some(k), Some(_)) = (existing, &attribute) {
        if cl.whitelists[k].attribute != "hidden" {
            return Err(Fault::invalid_because(
                "DBClusterIPArrayAttribute",
                "A whitelist group shown in the console cannot be hidden.",
            ));
        }
    }
    let ips = security_ips(c.p.required("SecurityIps")?)?;
    let mode =
        c.p.enum_opt("ModifyMode", &["Cover", "Append", "Delete"])?
            .unwrap_or("Cover");
    let mut group = match existing {
        Some(k) => cl.whitelists[k].clone(),
        None => {
            let user_groups = cl.whitelists.iter().filter(|w| !w.system).count();
            if user_groups >= MAX_GROUPS {
                return Err(Fault::new(
                    400,
                    "QuotaExceeded.DBClusterIPArray",
                    "A cluster can have at most 50 IP whitelist groups.",
                ));
            }
            IpArray {
                name: name.clone(),
                attribute: String::new(),
                ips: vec![],
                system: false,
            }
        }
    };
    match mode {
        "Cover" => group.ips = ips,
        "Append" => {
            for ip in ips {
                if !group.ips.contains(&ip) {
                    group.ips.push(ip);
                }
            }
        }
        _ => group.ips.retain(|x| !ips.contains(x)),
    }
    if let Some(a) = attribute {
        group.attribute = a;
    }
    let others: usize = cl
        .whitelists
        .iter()
        .filter(|w| !w.system && w.name != name)
        .map(|w| w.ips.len())
        .sum();
    if others + group.ips.len() > MAX_IPS {
        return Err(Fault::new(
            400,
            "InvalidSecurityIPsLength.Malformed",
            "The security IP address is beyond the available range or is already used.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let cl = &mut c.w.clusters[i];
    if group.ips.is_empty() && name != "default" {
        cl.whitelists.retain(|w| w.name != name);
    } else {
        if group.ips.is_empty() {
            group.ips.push("127.0.0.1".into());
        }
        match existing {
            Some(k) => cl.whitelists[k] = group,
            None => cl.whitelists.push(group),
        }
    }
    ok(m::ModifyDBClusterAccessWhitelistResponse::default())
}

/// DescribeDBClusterAccessWhitelist.
pub fn describe_whitelist(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    ok(m::DescribeDBClusterAccessWhitelistResponse {
        db_cluster_security_groups: m::DBClusterSecurityGroups {
            db_cluster_security_group: cl
                .security_groups
                .iter()
                .map(|g| m::DBClusterSecurityGroup {
                    security_group_id: g.id.clone(),
                    security_group_name: g.name.clone(),
                })
                .collect(),
        },
        items: m::DBClusterIPArrayItems {
            db_cluster_ip_array: cl
                .whitelists
                .iter()
                .map(|w| m::DBClusterIPArray {
                    db_cluster_ip_array_attribute: w.attribute.clone(),
                    db_cluster_ip_array_name: w.name.clone(),
                    security_ips: w.ips.join(","),
                })
                .collect(),
        },
        request_id: String::new(),
    })
}

/// DescribeDBClusterSSL: one item per endpoint.
pub fn describe_ssl(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let items = cl
        .endpoints
        .iter()
        .map(|e| m::DBClusterSSLItem {
            db_endpoint_id: e.id.clone(),
            ssl_auto_rotate: cl.ssl_auto_rotate.clone(),
            ssl_connection_string: e
                .address("Private")
                .map(|a| e.connection_string(a))
                .unwrap_or_default(),
            ssl_enabled: if e.ssl_enabled { "Enabled" } else { "Disabled" }.into(),
            ssl_expire_time: e.ssl_expire_time.clone(),
        })
        .collect();
    ok(m::DescribeDBClusterSSLResponse {
        items,
        request_id: String::new(),
        ssl_auto_rotate: cl.ssl_auto_rotate.clone(),
    })
}

/// ModifyDBClusterSSL: enable, disable or renew (all endpoints unless one is named);
/// `SSL_MODIFYING` for one transition.
pub fn modify_ssl(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let action =
        c.p.enum_opt("SSLEnabled", &["Enable", "Disable", "Update"])?;
    let rotate = c.p.enum_opt("SSLAutoRotate", &["Enable", "Disable"])?;
    c.p.enum_opt("NetType", &["Public", "Private", "Inner"])?;
    if action.is_none() && rotate.is_none() {
        return Err(Fault::missing("SSLEnabled"));
    }
    let cl = &c.w.clusters[i];
    let endpoints: Vec<String> = match c.p.opt("DBEndpointId") {
        Some(id) => {
            if cl.endpoint(id).is_none() {
                return Err(Fault::new(
                    404,
                    "InvalidDBEndpointId.NotFound",
                    "The specified DBEndpointId does not exist.",
                ));
            }
            vec![id.to_string()]
        }
        None => cl.endpoints.iter().map(|e| e.id.clone()).collect(),
    };
    if action == Some("Update")
        && !cl
            .endpoints
            .iter()
            .any(|e| endpoints.contains(&e.id) && e.ssl_enabled)
    {
        return Err(Fault::new(
            403,
            "OperationDenied.SSLStatus",
            "SSL is not enabled, so its certificate cannot be updated.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    if action.is_none() {
        c.w.clusters[i].ssl_auto_rotate = rotate.unwrap_or("Disable").to_string();
        return ok(m::ModifyDBClusterSSLResponse::default());
    }
    let effect = Effect::Ssl {
        endpoints,
        enabled: match action {
            Some("Enable") => Some(true),
            Some("Disable") => Some(false),
            _ => None,
        },
        renew: action == Some("Update"),
        auto_rotate: rotate.map(str::to_string),
    };
    c.start1(i, "ModifyDBClusterSSL", "SSL_MODIFYING", effect);
    ok(m::ModifyDBClusterSSLResponse::default())
}

/// DescribeDBClusterAuditLogCollector.
pub fn describe_audit(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    ok(m::DescribeDBClusterAuditLogCollectorResponse {
        collector_status: cl.audit_collector.clone(),
        request_id: String::new(),
    })
}

/// ModifyDBClusterAuditLogCollector: `Enable` or `Disabled` (`Disable` accepted too).
pub fn modify_audit(c: &mut Ctx) -> Res {
    let status = c.p.required("CollectorStatus")?;
    let status = match status {
        "Enable" => "Enable",
        "Disable" | "Disabled" => "Disabled",
        _ => return Err(Fault::unsupported("CollectorStatus")),
    };
    let cl = c.cluster_mut()?;
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    cl.audit_collector = status.to_string();
    ok(m::ModifyDBClusterAuditLogCollectorResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_ips_accept_every_address_block() {
        assert_eq!(
            security_ips("10.0.0.1, 0.0.0.0/0").unwrap(),
            vec!["10.0.0.1".to_string(), "0.0.0.0/0".to_string()]
        );
        assert!(security_ips("10.0.0.0/0").is_err());
        assert!(security_ips("10.0.0.300").is_err());
        assert!(security_ips("").unwrap().is_empty());
        assert!(valid_group_name("office2"));
        assert!(!valid_group_name("Office"));
    }
}
