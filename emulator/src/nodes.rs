//! Chapter 08: nodes.

use polardb::models as m;

use crate::catalog::node_class;
use crate::clusters::class_change_ok;
use crate::handlers::Ctx;
use crate::state::{id, Effect, NewNode};
use crate::util::{ok, Fault, Res};

/// A cluster has at most one primary node and fifteen read-only nodes.
const MAX_NODES: usize = 16;

/// CreateDBNodes: one read-only node (PostgreSQL adds one at a time), `DBNodeCreating`.
pub fn create_db_nodes(c: &mut Ctx) -> Res {
    let i = c.running_index()?;
    let specs = c.p.objects("DBNode", &["TargetClass", "ZoneId"]);
    if specs.is_empty() {
        return Err(Fault::missing("DBNode.1.TargetClass"));
    }
    if specs.len() > 1 {
        return Err(Fault::invalid_because(
            "DBNode",
            "PolarDB for PostgreSQL clusters add one read-only node at a time.",
        ));
    }
    let cl = &c.w.clusters[i];
    if cl.nodes.len() + specs.len() > MAX_NODES {
        return Err(Fault::new(
            400,
            "QuotaExceeded.DBNodeNum",
            "A cluster can have at most 15 read-only nodes.",
        ));
    }
    let class = specs[0][0]
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Fault::missing("DBNode.1.TargetClass"))?;
    if node_class(&class).is_none() {
        return Err(Fault::invalid("DBNode.1.TargetClass"));
    }
    if class != cl.class() {
        return Err(Fault::invalid_because(
            "DBNode.1.TargetClass",
            "The class of a new node must be the same as that of the existing nodes.",
        ));
    }
    let zone = specs[0][1]
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| cl.zone_id.clone());
    if zone != cl.zone_id {
        return Err(Fault::invalid_because(
            "DBNode.1.ZoneId",
            "The zone of a new node must be the same as that of the existing nodes.",
        ));
    }
    let endpoints: Vec<String> = match c.p.opt("EndpointBindList") {
        Some(list) => {
            let mut out = Vec::new();
            for e in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if cl.endpoint(e).is_none() {
                    return Err(Fault::new(
                        404,
                        "InvalidDBEndpointId.NotFound",
                        "The specified endpoint does not exist.",
                    ));
                }
                out.push(e.to_string());
            }
            out
        }
        None => cl
            .endpoints
            .iter()
            .filter(|e| e.auto_add_new_nodes == "Enable")
            .map(|e| e.id.clone())
            .collect(),
    };
    let window = crate::schedule::planned_window(c)?;
    let n = c.w.next_seq();
    let node_id = id("pi-", n);
    let order_id = c.w.next_number(2_035_638_000_000);
    let effect = Effect::AddNodes {
        nodes: vec![NewNode {
            id: node_id.clone(),
            class,
            zone_id: zone,
        }],
        endpoints,
    };
    let cluster_id = c.w.clusters[i].id.clone();
    match window {
        Some(w) => {
            crate::schedule::add(
                c,
                i,
                "CreateDBNodes",
                "DBNodeCreating",
                w,
                &order_id,
                effect,
            )?;
        }
        None => {
            c.start1(i, "CreateDBNodes", "DBNodeCreating", effect);
        }
    }
    ok(m::CreateDBNodesResponse {
        db_cluster_id: cluster_id,
        db_node_ids: m::DBNodeIdList {
            db_node_id: vec![node_id],
        },
        order_id,
        request_id: String::new(),
    })
}

/// DeleteDBNodes: one read-only node at a time; one primary and one read-only node stay.
pub fn delete_db_nodes(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let ids = c.p.list("DBNodeId");
    if ids.is_empty() {
        return Err(Fault::missing("DBNodeId.1"));
    }
    let cl = &c.w.clusters[i];
    for id in &ids {
        let Some(node) = cl.nodes.iter().find(|n| &n.id == id) else {
            return Err(Fault::node_not_found());
        };
        if node.role == "Writer" {
            return Err(Fault::new(
                403,
                "OperationDenied.DBNodeRole",
                "The primary node cannot be deleted.",
            ));
        }
    }
    if ids.len() > 1 {
        return Err(Fault::invalid_because(
            "DBNodeId",
            "PolarDB for PostgreSQL clusters delete one read-only node at a time.",
        ));
    }
    if cl.nodes.len() < ids.len() + 2 {
        return Err(Fault::new(
            403,
            "OperationDenied.DBNodeNum",
            "A cluster must keep one primary node and at least one read-only node.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let cluster_id = cl.id.clone();
    let order_id = c.w.next_number(2_035_638_000_000);
    c.start1(
        i,
        "DeleteDBNodes",
        "DBNodeDeleting",
        Effect::DeleteNodes { nodes: ids },
    );
    ok(m::DeleteDBNodesResponse {
        db_cluster_id: cluster_id,
        order_id,
        request_id: String::new(),
    })
}

/// RestartDBNode: `Rebooting` for one transition.
pub fn restart_db_node(c: &mut Ctx) -> Res {
    let node = c.p.required("DBNodeId")?.trim().to_string();
    let (i, _) = c.w.node_location(&node).ok_or_else(Fault::node_not_found)?;
    if !c.w.clusters[i].is_running() {
        return Err(Fault::busy());
    }
    c.start1(
        i,
        "RestartDBNode",
        "Rebooting",
        Effect::Restart { nodes: vec![node] },
    );
    ok(m::RestartDBNodeResponse::default())
}

/// ModifyDBNodeClass: `ClassChanging`, now or (upgrades only) as a scheduled task.
pub fn modify_db_node_class(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let target = c.p.required("DBNodeTargetClass")?.to_string();
    let kind = c.p.required("ModifyType")?;
    let upgrade = match kind {
        "Upgrade" => true,
        "Downgrade" => false,
        _ => return Err(Fault::unsupported("ModifyType")),
    };
    if node_class(&target).is_none() {
        return Err(Fault::invalid("DBNodeTargetClass"));
    }
    let current = c.w.clusters[i].class();
    if !class_change_ok(&current, &target, upgrade) {
        return Err(Fault::invalid_because(
            "DBNodeTargetClass",
            &format!(
                "{target} is not a{} of the current class {current}.",
                if upgrade { "n upgrade" } else { " downgrade" }
            ),
        ));
    }
    if !c.w.clusters[i].is_running() {
        return Err(Fault::busy());
    }
    let window = if upgrade {
        crate::schedule::planned_window(c)?
    } else {
        None
    };
    let cluster_id = c.w.clusters[i].id.clone();
    let order_id = c.w.next_number(2_035_629_000_000);
    let effect = Effect::ChangeClass { class: target };
    match window {
        Some(w) => {
            crate::schedule::add(
                c,
                i,
                "ModifyDBNodeClass",
                "ClassChanging",
                w,
                &order_id,
                effect,
            )?;
        }
        None => {
            c.start1(i, "ModifyDBNodeClass", "ClassChanging", effect);
        }
    }
    ok(m::ModifyDBNodeClassResponse {
        db_cluster_id: cluster_id,
        order_id,
        request_id: String::new(),
    })
}
