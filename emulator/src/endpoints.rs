//! Chapter 10: endpoints (primary, default cluster, custom) and their addresses.

use polardb::models as m;

use crate::handlers::Ctx;
use crate::state::{Address, Cluster, Effect, Endpoint};
use crate::util::{hash64, ok, valid_prefix, Fault, Res};

/// PolarDB for PostgreSQL allows seven custom endpoints per cluster.
const MAX_CUSTOM: usize = 7;

fn endpoint_not_found() -> Fault {
    Fault::new(
        404,
        "InvalidDBEndpointId.NotFound",
        "The specified DBEndpointId does not exist.",
    )
}

fn net_type_not_found() -> Fault {
    Fault::new(
        404,
        "InvalidDBClusterNetType.NotFound",
        "The Specified DB Cluster net type is not found.",
    )
}

fn type_denied() -> Fault {
    Fault::new(
        403,
        "OperationDenied.EndpointType",
        "The operation is not permitted for this type of endpoint.",
    )
}

fn view(cl: &Cluster, e: &Endpoint) -> m::DBClusterEndpoint {
    let private = e.address("Private");
    m::DBClusterEndpoint {
        address_items: e
            .addresses
            .iter()
            .map(|a| m::EndpointAddress {
                connection_string: e.connection_string(a),
                dashboard_used: false,
                ip_address: a.ip.clone(),
                net_type: a.net_type.clone(),
                port: a.port.clone(),
                private_zone_connection_string: a.private_zone.clone(),
                vpc_id: if a.net_type == "Private" {
                    cl.vpc_id.clone()
                } else {
                    String::new()
                },
                v_switch_id: if a.net_type == "Private" {
                    cl.vswitch_id.clone()
                } else {
                    String::new()
                },
                vpc_instance_id: String::new(),
            })
            .collect(),
        auto_add_new_nodes: e.auto_add_new_nodes.clone(),
        connection_string: private.map(|a| e.connection_string(a)).unwrap_or_default(),
        db_cluster_id: cl.id.clone(),
        db_endpoint_description: if e.kind == "Custom" {
            e.description.clone()
        } else {
            String::new()
        },
        db_endpoint_id: e.id.clone(),
        endpoint_config: e.endpoint_config.clone(),
        endpoint_type: e.kind.clone(),
        net_type: "Private".into(),
        node_with_roles: e
            .nodes
            .iter()
            .map(|n| cl.role_name(n))
            .collect::<Vec<_>>()
            .join(","),
        nodes: e.nodes.join(","),
        polar_scc_timeout_action: String::new(),
        polar_scc_wait_timeout: String::new(),
        port: private.map(|a| a.port.clone()).unwrap_or_default(),
        protocol: "PostgreSQL".into(),
        read_write_mode: e.read_write_mode.clone(),
        scc_mode: "off".into(),
        service_name: String::new(),
        vpc_id: cl.vpc_id.clone(),
    }
}

/// DescribeDBClusterEndpoints.
pub fn describe(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let wanted = c.p.opt("DBEndpointId");
    if let Some(id) = wanted {
        if cl.endpoint(id).is_none() {
            return Err(endpoint_not_found());
        }
    }
    let items = cl
        .endpoints
        .iter()
        .filter(|e| wanted.is_none_or(|w| w == e.id))
        .map(|e| view(cl, e))
        .collect();
    ok(m::DescribeDBClusterEndpointsResponse {
        items,
        request_id: String::new(),
    })
}

/// Checks a new connection string prefix: format and uniqueness in the world.
fn check_prefix(c: &Ctx, e: &Endpoint, net_type: &str, prefix: &str) -> Result<(), Fault> {
    if !valid_prefix(prefix) {
        return Err(Fault::invalid("ConnectionStringPrefix"));
    }
    let candidate = Address {
        net_type: net_type.to_string(),
        prefix: prefix.to_string(),
        ..Default::default()
    };
    if c.w
        .connection_string_taken(&e.connection_string(&candidate))
    {
        return Err(Fault::new(
            400,
            "InvalidConnectionStringPrefix.Duplicate",
            "The connection string is not in the available range or occupied.",
        ));
    }
    Ok(())
}

/// CreateDBEndpointAddress: a public address, `NetAddressCreating` for one transition.
pub fn create_address(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let eid = c.p.required("DBEndpointId")?.to_string();
    let net = c.p.required("NetType")?;
    if net != "Public" {
        return Err(Fault::unsupported("NetType"));
    }
    let cl = &c.w.clusters[i];
    let e = cl.endpoint(&eid).ok_or_else(endpoint_not_found)?;
    if e.address("Public").is_some() {
        return Err(Fault::new(
            403,
            "NetTypeExists",
            "Specified public net type already existed.",
        ));
    }
    let prefix = match c.p.opt("ConnectionStringPrefix") {
        Some(p) => p.to_string(),
        None => format!(
            "{}-pub",
            e.address("Private")
                .map(|a| a.prefix.clone())
                .unwrap_or_else(|| e.id.clone())
        ),
    };
    check_prefix(c, e, "Public", &prefix)?;
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let h = hash64(&[&eid, &prefix]);
    let address = Address {
        net_type: "Public".into(),
        prefix,
        port: "5432".into(),
        ip: format!(
            "47.{}.{}.{}",
            90 + h % 20,
            (h >> 8) % 250,
            (h >> 16) % 250 + 1
        ),
        private_zone: String::new(),
    };
    c.start1(
        i,
        "CreateDBEndpointAddress",
        "NetAddressCreating",
        Effect::AddAddress {
            endpoint: eid,
            address,
        },
    );
    ok(m::CreateDBEndpointAddressResponse::default())
}

/// Node ids from a `Nodes` list of ids or role names (`Writer,Reader1,...`).
fn resolve_nodes(cl: &Cluster, list: &str) -> Result<Vec<String>, Fault> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let id = cl
            .resolve_node(name)
            .ok_or_else(|| Fault::invalid_because("Nodes", &format!("Unknown node {name}.")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.is_empty() {
        return Err(Fault::invalid("Nodes"));
    }
    Ok(out)
}

/// The nodes a read/write mode needs: two including the primary for ReadWrite.
fn check_nodes(cl: &Cluster, mode: &str, nodes: &[String]) -> Result<(), Fault> {
    if mode == "ReadWrite" {
        let has_writer = cl
            .writer()
            .is_some_and(|w| nodes.iter().any(|n| n == &w.id));
        if nodes.len() < 2 || !has_writer {
            return Err(Fault::invalid_because(
                "Nodes",
                "A ReadWrite endpoint needs at least two nodes including the primary node.",
            ));
        }
    }
    Ok(())
}

/// An `EndpointConfig` JSON object; ReadOnly endpoints take consistency level 0 only.
fn check_config(text: &str, mode: &str) -> Result<String, Fault> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|_| Fault::invalid("EndpointConfig"))?;
    let Some(map) = v.as_object() else {
        return Err(Fault::invalid("EndpointConfig"));
    };
    for (k, v) in map {
        let v = v.as_str().unwrap_or_default();
        let valid = match k.as_str() {
            "ConsistLevel" => ["0", "1"].contains(&v) && (mode != "ReadOnly" || v == "0"),
            "DistributedTransaction" | "MasterAcceptReads" => ["on", "off"].contains(&v),
            "ConnectionPersist" => ["off", "Session", "Transaction"].contains(&v),
            "LoadBalanceStrategy" => v == "load",
            _ => false,
        };
        if !valid {
            return Err(Fault::invalid_because(
                "EndpointConfig",
                &format!("The setting {k}={v} is not valid for this endpoint."),
            ));
        }
    }
    Ok(v.to_string())
}

/// CreateDBClusterEndpoint: a custom endpoint, available at once.
pub fn create_endpoint(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let kind = c.p.required("EndpointType")?;
    if kind != "Custom" {
        return Err(Fault::unsupported("EndpointType"));
    }
    let mode =
        c.p.enum_opt("ReadWriteMode", &["ReadWrite", "ReadOnly"])?
            .unwrap_or("ReadOnly")
            .to_string();
    let auto_add =
        c.p.enum_opt("AutoAddNewNodes", &["Enable", "Disable"])?
            .unwrap_or("Disable")
            .to_string();
    let cl = &c.w.clusters[i];
    let nodes = match c.p.opt("Nodes") {
        Some(list) => resolve_nodes(cl, list)?,
        None => cl.nodes.iter().map(|n| n.id.clone()).collect(),
    };
    check_nodes(cl, &mode, &nodes)?;
    let config = match c.p.opt("EndpointConfig") {
        Some(t) => check_config(t, &mode)?,
        None if mode == "ReadOnly" => "{\"ConsistLevel\":\"0\"}".into(),
        None => "{\"ConsistLevel\":\"1\"}".into(),
    };
    let description = c.p.opt("DBEndpointDescription").unwrap_or("").to_string();
    if description.chars().count() > 64 {
        return Err(Fault::invalid("DBEndpointDescription"));
    }
    if cl.endpoints.iter().filter(|e| e.kind == "Custom").count() >= MAX_CUSTOM {
        return Err(Fault::new(
            403,
            "QuotaExceeded.Endpoint",
            "The quota of custom cluster endpoints is exceeded.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let eid = c.w.next_id("pe-");
    let h = hash64(&[&eid]);
    let endpoint = Endpoint {
        id: eid.clone(),
        kind: "Custom".into(),
        description,
        read_write_mode: mode,
        auto_add_new_nodes: auto_add,
        nodes,
        endpoint_config: config,
        ssl_enabled: false,
        ssl_expire_time: String::new(),
        addresses: vec![Address {
            net_type: "Private".into(),
            prefix: eid,
            port: "5432".into(),
            ip: format!("172.16.{}.{}", (h >> 8) % 250 + 1, h % 250 + 2),
            private_zone: String::new(),
        }],
    };
    c.w.clusters[i].endpoints.push(endpoint);
    ok(m::CreateDBClusterEndpointResponse::default())
}

/// ModifyDBClusterEndpoint: `CONFIG_SWITCHING` for one transition.
pub fn modify_endpoint(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let eid = c.p.required("DBEndpointId")?.to_string();
    let cl = &c.w.clusters[i];
    let e = cl.endpoint(&eid).ok_or_else(endpoint_not_found)?;
    let mode = c.p.enum_opt("ReadWriteMode", &["ReadWrite", "ReadOnly"])?;
    let auto_add = c.p.enum_opt("AutoAddNewNodes", &["Enable", "Disable"])?;
    let nodes = c.p.opt("Nodes").map(|l| resolve_nodes(cl, l)).transpose()?;
    let description = c.p.opt("DBEndpointDescription").map(str::to_string);
    if e.kind == "Primary" && (mode.is_some() || nodes.is_some() || auto_add.is_some()) {
        return Err(type_denied());
    }
    if e.kind != "Custom" && description.is_some() {
        return Err(type_denied());
    }
    let effective_mode = mode.unwrap_or(&e.read_write_mode).to_string();
    check_nodes(cl, &effective_mode, nodes.as_deref().unwrap_or(&e.nodes))?;
    let config =
        c.p.opt("EndpointConfig")
            .map(|t| check_config(t, &effective_mode))
            .transpose()?;
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let effect = Effect::ModifyEndpoint {
        endpoint: eid,
        nodes,
        read_write_mode: mode.map(str::to_string),
        auto_add_new_nodes: auto_add.map(str::to_string),
        endpoint_config: config,
        description,
    };
    c.start1(i, "ModifyDBClusterEndpoint", "CONFIG_SWITCHING", effect);
    ok(m::ModifyDBClusterEndpointResponse::default())
}

/// ModifyDBEndpointAddress: prefix, port or private zone; `NetAddressModifying`.
pub fn modify_address(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let eid = c.p.required("DBEndpointId")?.to_string();
    let net = c.p.required("NetType")?.to_string();
    match net.as_str() {
        "Public" | "Private" => {}
        "Inner" => {
            return Err(Fault::new(
                404,
                "IntranetNetTypeNotExists",
                "Current DB Cluster net type does not support this operation.",
            ))
        }
        _ => return Err(Fault::unsupported("NetType")),
    }
    let cl = &c.w.clusters[i];
    let e = cl.endpoint(&eid).ok_or_else(endpoint_not_found)?;
    let current = e.address(&net).ok_or_else(net_type_not_found)?;
    let prefix = c.p.opt("ConnectionStringPrefix").map(str::to_string);
    if let Some(p) = &prefix {
        if p != &current.prefix {
            check_prefix(c, e, &net, p)?;
        }
    }
    let port = c.p.opt("Port").map(str::to_string);
    if let Some(p) = &port {
        if !p.parse::<u16>().is_ok_and(|n| (3000..=5999).contains(&n)) {
            return Err(Fault::new(
                400,
                "InvalidPort.Malformed",
                "Specified port is not valid.",
            ));
        }
    }
    let zone_prefix = c.p.opt("PrivateZoneAddressPrefix");
    let zone_name = c.p.opt("PrivateZoneName");
    let private_zone = match (zone_prefix, zone_name) {
        (None, None) => None,
        (Some(zp), Some(zn)) => {
            if net != "Private" {
                return Err(Fault::unsupported("NetType"));
            }
            if !valid_prefix(zp) {
                return Err(Fault::invalid("PrivateZoneAddressPrefix"));
            }
            let labels_ok = zn.split('.').count() >= 2
                && zn.split('.').all(|l| {
                    !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !labels_ok {
                return Err(Fault::invalid("PrivateZoneName"));
            }
            Some(format!("{zp}.{zn}"))
        }
        (None, Some(_)) => return Err(Fault::missing("PrivateZoneAddressPrefix")),
        (Some(_), None) => return Err(Fault::missing("PrivateZoneName")),
    };
    if prefix.is_none() && port.is_none() && private_zone.is_none() {
        return Err(Fault::missing("ConnectionStringPrefix"));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    c.start1(
        i,
        "ModifyDBEndpointAddress",
        "NetAddressModifying",
        Effect::ModifyAddress {
            endpoint: eid,
            net_type: net,
            prefix,
            port,
            private_zone,
        },
    );
    ok(m::ModifyDBEndpointAddressResponse::default())
}

/// DeleteDBEndpointAddress: releases a public address; `NetAddressDeleting`.
pub fn delete_address(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let eid = c.p.required("DBEndpointId")?.to_string();
    let net = c.p.required("NetType")?.to_string();
    match net.as_str() {
        "Public" => {}
        "Inner" => {
            return Err(Fault::new(
                404,
                "IntranetNetTypeNotExists",
                "Current DB Cluster net type does not support this operation.",
            ))
        }
        _ => return Err(Fault::unsupported("NetType")),
    }
    let cl = &c.w.clusters[i];
    let e = cl.endpoint(&eid).ok_or_else(endpoint_not_found)?;
    e.address(&net).ok_or_else(net_type_not_found)?;
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    c.start1(
        i,
        "DeleteDBEndpointAddress",
        "NetAddressDeleting",
        Effect::DeleteAddress {
            endpoint: eid,
            net_type: net,
        },
    );
    ok(m::DeleteDBEndpointAddressResponse::default())
}

/// DeleteDBClusterEndpoint: custom endpoints only.
pub fn delete_endpoint(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let eid = c.p.required("DBEndpointId")?.to_string();
    let cl = &c.w.clusters[i];
    let e = cl.endpoint(&eid).ok_or_else(endpoint_not_found)?;
    if e.kind != "Custom" {
        return Err(type_denied());
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    c.w.clusters[i].endpoints.retain(|e| e.id != eid);
    ok(m::DeleteDBClusterEndpointResponse::default())
}
