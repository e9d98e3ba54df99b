//! Chapters 05 (regions) and 06 (cluster management).

use std::collections::HashSet;

use polardb::models as m;
use polardb::rules;
use serde_json::json;

use crate::catalog::{class_rank, node_class, DB_VERSIONS, NODE_CLASSES};
use crate::handlers::Ctx;
use crate::seed::creation_steps;
use crate::state::{
    id, AutoRenew, BackupPolicy, Cluster, Effect, IpArray, LogBackupPolicy, Node, TaskRecord,
};
use crate::util::{
    check_description, check_maintain_time, fmt_minute, fmt_time, ok, paginate, parse_ip_list,
    time_range, Fault, Res,
};

/// DescribeRegions.
pub fn describe_regions(c: &mut Ctx) -> Res {
    let region = m::Regions {
        region: c
            .w
            .regions
            .iter()
            .map(|r| m::Region {
                region_id: r.region_id.clone(),
                zones: m::Zones {
                    zone: r
                        .zones
                        .iter()
                        .map(|z| m::Zone {
                            zone_id: z.clone(),
                            vpc_enabled: true,
                        })
                        .collect(),
                },
            })
            .collect(),
    };
    ok(m::DescribeRegionsResponse {
        request_id: String::new(),
        regions: region,
    })
}

pub fn summary(c: &Cluster) -> m::DBClusterSummary {
    m::DBClusterSummary {
        db_cluster_id: c.id.clone(),
        db_cluster_description: c.description.clone(),
        db_cluster_status: c.status.clone(),
        db_type: "PostgreSQL".into(),
        db_version: c.db_version.clone(),
        db_node_class: c.class(),
        db_node_number: c.nodes.len() as u32,
        region_id: c.region_id.clone(),
        zone_id: c.zone_id.clone(),
        vpc_id: c.vpc_id.clone(),
        pay_type: c.pay_type.clone(),
        create_time: c.create_time.clone(),
        expire_time: c.expire_time.clone(),
        expired: "false".into(),
        lock_mode: c.lock_mode.clone(),
        deletion_lock: c.deletion_lock,
        engine: "POLARDB".into(),
        category: c.category.clone(),
        db_cluster_network_type: "VPC".into(),
        resource_group_id: c.resource_group_id.clone(),
        storage_used: c.storage_used,
        db_nodes: m::DBNodeList {
            db_node: c
                .nodes
                .iter()
                .map(|n| m::DBNodeSummary {
                    db_node_id: n.id.clone(),
                    db_node_class: n.class.clone(),
                    db_node_role: n.role.clone(),
                    zone_id: n.zone_id.clone(),
                    region_id: c.region_id.clone(),
                })
                .collect(),
        },
        tags: m::TagList {
            tag: c
                .tags
                .iter()
                .map(|t| m::Tag {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect(),
        },
    }
}

/// DescribeDBClusters.
pub fn describe_db_clusters(c: &mut Ctx) -> Res {
    let p = c.p;
    let region = p.required("RegionId")?;
    if c.w.region(region).is_none() {
        return Err(Fault::region_not_found());
    }
    let page_size = p.page_size()?;
    let page_number = p.page_number()?;
    if let Some(t) = p.opt("DBType") {
        if !t.eq_ignore_ascii_case("PostgreSQL") {
            // The emulator runs PostgreSQL clusters only.
            return ok(m::DescribeDBClustersResponse {
                page_number: page_number as u32,
                ..Default::default()
            });
        }
    }
    let ids: Option<Vec<&str>> = p
        .opt("DBClusterIds")
        .map(|s| s.split(',').map(str::trim).collect());
    let node_ids: Option<Vec<&str>> = p
        .opt("DBNodeIds")
        .map(|s| s.split(',').map(str::trim).collect());
    let desc = p.opt("DBClusterDescription");
    let status = p.opt("DBClusterStatus");
    let pay_type = p.opt("PayType");
    let group = p.opt("ResourceGroupId");
    let tag_filters = p.tags();
    let matching: Vec<&Cluster> =
        c.w.clusters
            .iter()
            .filter(|c| c.region_id == region)
            .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id.as_str())))
            .filter(|c| {
                node_ids
                    .as_ref()
                    .is_none_or(|ids| c.nodes.iter().any(|n| ids.contains(&n.id.as_str())))
            })
            .filter(|c| desc.is_none_or(|d| c.description.contains(d)))
            .filter(|c| status.is_none_or(|s| c.status == s))
            .filter(|c| pay_type.is_none_or(|s| c.pay_type == s))
            .filter(|c| group.is_none_or(|g| c.resource_group_id == g))
            .filter(|c| {
                tag_filters.iter().all(|(k, v)| {
                    c.tags
                        .iter()
                        .any(|t| &t.key == k && (v.is_empty() || &t.value == v))
                })
            })
            .collect();
    let total = matching.len();
    let page: Vec<m::DBClusterSummary> = paginate(matching, page_size, page_number)
        .into_iter()
        .map(summary)
        .collect();
    ok(m::DescribeDBClustersResponse {
        request_id: String::new(),
        page_number: page_number as u32,
        page_record_count: page.len() as u32,
        total_record_count: total as u32,
        items: m::DBClusterItems { db_cluster: page },
    })
}

/// DescribeDBClusterAttribute.
pub fn describe_db_cluster_attribute(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let mut zones: Vec<String> = vec![cl.zone_id.clone()];
    for n in &cl.nodes {
        if !zones.contains(&n.zone_id) {
            zones.push(n.zone_id.clone());
        }
    }
    let nodes = cl
        .nodes
        .iter()
        .map(|n| {
            let class = node_class(&n.class);
            m::DBClusterNode {
                added_cpu_cores: "0".into(),
                cpu_cores: class.map(|k| k.cpu_cores.to_string()).unwrap_or_default(),
                creation_time: n.creation_time.clone(),
                db_node_class: n.class.clone(),
                db_node_id: n.id.clone(),
                db_node_role: n.role.clone(),
                db_node_status: n.status.clone(),
                failover_priority: n.failover_priority,
                hot_replica_mode: "OFF".into(),
                imci_switch: "OFF".into(),
                max_connections: class.map(|k| k.max_connections).unwrap_or_default(),
                max_iops: class.map(|k| k.max_iops).unwrap_or_default(),
                memory_size: class
                    .map(|k| (k.memory_gb * 1024).to_string())
                    .unwrap_or_default(),
                scc_mode: "OFF".into(),
                server_weight: "1".into(),
                sub_cluster: if n.zone_id == cl.zone_id {
                    "Primary".into()
                } else {
                    "Secondary".into()
                },
                zone_id: n.zone_id.clone(),
                ..Default::default()
            }
        })
        .collect();
    let chain: i64 = cl
        .backups
        .iter()
        .filter(|b| b.level == "Level-1")
        .map(|b| b.size)
        .sum();
    ok(m::DescribeDBClusterAttributeResponse {
        architecture: "X86".into(),
        auto_upgrade_minor_version: "Manual".into(),
        blktag_total: 7_864_320,
        blktag_used: cl.storage_used / 65_536,
        category: cl.category.clone(),
        compress_storage_mode: "OFF".into(),
        creation_time: cl.create_time.clone(),
        db_cluster_description: cl.description.clone(),
        db_cluster_id: cl.id.clone(),
        db_cluster_network_type: "VPC".into(),
        db_cluster_status: cl.status.clone(),
        db_nodes: nodes,
        db_type: "PostgreSQL".into(),
        db_version: cl.db_version.clone(),
        db_version_status: "Stable".into(),
        data_level1_backup_chain_size: chain,
        data_sync_mode: "AsyncSync".into(),
        deletion_lock: cl.deletion_lock as i64,
        engine: "POLARDB".into(),
        expire_time: cl.expire_time.clone(),
        expired: "false".into(),
        hot_standby_cluster: "OFF".into(),
        inode_total: 6_291_456,
        inode_used: 2_048 + cl.storage_used / 1_048_576,
        is_latest_version: true,
        is_proxy_latest_version: true,
        lock_mode: cl.lock_mode.clone(),
        maintain_time: cl.maintain_time.clone(),
        pay_type: cl.pay_type.clone(),
        region_id: cl.region_id.clone(),
        resource_group_id: cl.resource_group_id.clone(),
        sql_size: -1,
        storage_max: 10_995_116_277_760,
        storage_pay_type: "Postpaid".into(),
        storage_type: "PSL5".into(),
        storage_used: cl.storage_used,
        strict_consistency: "OFF".into(),
        sub_category: "Exclusive".into(),
        tags: cl
            .tags
            .iter()
            .map(|t| m::Tag {
                key: t.key.clone(),
                value: t.value.clone(),
            })
            .collect(),
        vpc_id: cl.vpc_id.clone(),
        v_switch_id: cl.vswitch_id.clone(),
        zone_ids: zones.join(","),
        ..Default::default()
    })
}

const PAY_TYPES: &[&str] = &["Postpaid", "Prepaid"];

/// CreateDBCluster: a new cluster, `Creating` for four transitions, then `Running`.
pub fn create_db_cluster(c: &mut Ctx) -> Res {
    let p = c.p;
    let region = p.required("RegionId")?.to_string();
    let Some(region_def) = c.w.region(&region).cloned() else {
        return Err(Fault::region_not_found());
    };
    let db_type = p.required("DBType")?;
    if !["MySQL", "PostgreSQL", "Oracle"].contains(&db_type) {
        return Err(Fault::unsupported("DBType"));
    }
    let version = p.required("DBVersion")?.to_string();
    let class = p.required("DBNodeClass")?.to_string();
    let pay_type = p.required("PayType")?.to_string();
    if db_type != "PostgreSQL" {
        return Err(Fault::new(
            403,
            "InvaildEngineInRegion.NotAvailable",
            "The Engine in the Region is not available.",
        ));
    }
    if !DB_VERSIONS.contains(&version.as_str()) {
        return Err(Fault::new(
            400,
            "InvalidEngineVersion.Malformed",
            "The specified parameter \"EngineVersion\" is not valid.",
        ));
    }
    if node_class(&class).is_none() {
        return Err(Fault::invalid("DBNodeClass"));
    }
    if !PAY_TYPES.contains(&pay_type.as_str()) {
        return Err(Fault::unsupported("PayType"));
    }
    let zone = match p.opt("ZoneId") {
        Some(z) => z.to_string(),
        None => region_def.zones[0].clone(),
    };
    if !region_def.zones.contains(&zone) {
        return Err(Fault::new(
            400,
            "Location.FailedGetSubDomain",
            "The specified regionId does not match the zoneId or the zoneId does not exist.",
        ));
    }
    if let Some(t) = p.opt("ClusterNetworkType") {
        if t != "VPC" {
            return Err(Fault::new(
                400,
                "InvalidClusterNetworkType.ValueNotSupported",
                "The specified parameter \"ClusterNetworkType\" is not valid.",
            ));
        }
    }
    let description = p.opt("DBClusterDescription").map(str::to_string);
    if let Some(d) = &description {
        check_description("DBClusterDescription", d)?;
    }
    let auto_renew = p.bool_opt("AutoRenew")?.unwrap_or(false);
    let mut expire_time = String::new();
    if pay_type == "Prepaid" {
        let period = p.required("Period")?;
        let used = p.required("UsedTime")?;
        let n: i64 = used.parse().map_err(|_| Fault::invalid("UsedTime"))?;
        let months = match period {
            "Month" if (1..=9).contains(&n) => n,
            "Year" if (1..=3).contains(&n) => n * 12,
            "Month" | "Year" => return Err(Fault::invalid("UsedTime")),
            _ => return Err(Fault::unsupported("Period")),
        };
        expire_time = fmt_time(c.now + months * 30 * 86_400_000);
    }
    let vpc = p.opt("VPCId").map(str::to_string);
    let vswitch = p.opt("VSwitchId").map(str::to_string);
    if vpc.is_some() && vswitch.is_none() {
        return Err(Fault::missing("VSwitchId"));
    }
    let option = p.opt("CreationOption").unwrap_or("Normal");
    let source = match option {
        "Normal" => None,
        "CloneFromPolarDB" => {
            // The source is a cluster of the same region; the clone keeps its DBType and
            // DBVersion (CreateDBCluster 6.1, SourceResourceId).
            let id = p.required("SourceResourceId")?;
            let src =
                c.w.cluster(id)
                    .filter(|s| s.region_id == region)
                    .ok_or_else(Fault::cluster_not_found)?;
            if src.db_version != version {
                return Err(Fault::invalid_because(
                    "DBVersion",
                    "The DBVersion of a clone must be that of its source cluster.",
                ));
            }
            let point = rules::clone_point(p.opt("CloneDataPoint").unwrap_or("LATEST"))
                .map_err(|_| Fault::invalid("CloneDataPoint"))?;
            let completed: Vec<String> = src
                .backups
                .iter()
                .filter(|b| b.status == "Success")
                .map(|b| b.id.clone())
                .collect();
            match &point {
                rules::ClonePoint::Backup(b) if !src.backups.iter().any(|x| x.id == *b) => {
                    return Err(Fault::new(
                        404,
                        "InvalidBackupId.NotFound",
                        "The BackupId provided does not exist in our records.",
                    ))
                }
                rules::ClonePoint::Backup(_) | rules::ClonePoint::Time(_) => {
                    let window = crate::backups::restorable(src, c.now);
                    // Error codes of the reference's table (19.1).
                    if rules::clone_point_problem(&point, &completed, window, c.now / 1000)
                        .is_some()
                    {
                        return Err(match point {
                            rules::ClonePoint::Backup(_) => Fault::new(
                                403,
                                "OperationDenied.BackupStatus",
                                "The operation is not permitted due to status of backup.",
                            ),
                            _ => Fault::new(
                                403,
                                "OperationDenied.NotFoundBackup",
                                "The operation is not permitted due to no backup.",
                            ),
                        });
                    }
                }
                rules::ClonePoint::Latest => {}
            }
            Some(src.clone())
        }
        "CloneFromRDS" | "MigrationFromRDS" | "CreateGdnStandby" => {
            return Err(Fault::new(
                403,
                "OperationDenied.DBClusterEngine",
                "The operation is not permitted due to engine of Cluster.",
            ))
        }
        _ => return Err(Fault::unsupported("CreationOption")),
    };
    let ips = match p.opt("SecurityIPList") {
        Some(v) => parse_ip_list("SecurityIPList", v)?,
        None => vec!["127.0.0.1".into()],
    };
    if ips.len() > 1000 {
        return Err(Fault::new(
            400,
            "InvalidSecurityIPsLength.Malformed",
            "The security IP address is beyond the available range or is already used.",
        ));
    }
    let tde = p.bool_opt("TDEStatus")?.unwrap_or(false);
    let retention = p
        .opt("BackupRetentionPolicyOnClusterDeletion")
        .unwrap_or("NONE");
    if !["ALL", "LATEST", "NONE"].contains(&retention) {
        return Err(Fault::new(
            400,
            "InvalidBackupRetentionPolicyOnClusterDeletion.Malformed",
            "The specified BackupRetentionPolicyOnClusterDeletion is invalid.",
        ));
    }
    if let Some(v) = p.opt("LowerCaseTableNames") {
        if v != "0" && v != "1" {
            return Err(Fault::new(
                400,
                "InvalidLowerCaseTableNames.Malformed",
                "The specified LowerCaseTableNames is invalid.",
            ));
        }
    }
    if let Some(v) = p.opt("DefaultTimeZone") {
        let valid = v == "SYSTEM"
            || (v.len() == 6
                && (v.starts_with('+') || v.starts_with('-'))
                && v.ends_with(":00")
                && v[1..3].parse::<i32>().is_ok_and(|h| {
                    if v.starts_with('-') {
                        h <= 12
                    } else {
                        h <= 13
                    }
                }));
        if !valid {
            return Err(Fault::new(
                400,
                "InvalidDefaultTimeZone.Malformed",
                "The specified DefaultTimeZone is invalid.",
            ));
        }
    }
    if c.w.clusters.len() >= 5_000 {
        return Err(Fault::new(
            403,
            "QuotaExceeded.CreateDBCluster",
            "The quota of create Cluster exceeds.",
        ));
    }
    let n = c.w.next_seq();
    let cluster_id = id("pc-", n);
    let order_id = c.w.next_number(211_454_967_000_000);
    let group = p
        .opt("ResourceGroupId")
        .unwrap_or("rg-acfmyxdp6ttgcri")
        .to_string();
    let node = |k: u64, role: &str| Node {
        id: id("pi-", n * 10 + k),
        class: class.clone(),
        role: role.to_string(),
        zone_id: zone.clone(),
        status: "Creating".into(),
        failover_priority: 1,
        creation_time: fmt_time(c.now),
    };
    let mut cluster = Cluster {
        id: cluster_id.clone(),
        description: description.unwrap_or_else(|| cluster_id.clone()),
        status: "Creating".into(),
        db_version: version,
        region_id: region.clone(),
        zone_id: zone.clone(),
        vpc_id: vpc.unwrap_or_else(|| id("vpc-", n + 7)),
        vswitch_id: vswitch.unwrap_or_else(|| id("vsw-", n + 11)),
        pay_type: pay_type.clone(),
        create_time: fmt_time(c.now),
        expire_time,
        lock_mode: "Unlock".into(),
        deletion_lock: 0,
        category: "Normal".into(),
        storage_used: 1_073_741_824,
        nodes: vec![node(0, "Writer"), node(1, "Reader")],
        tags: vec![],
        maintain_time: "18:00Z-19:00Z".into(),
        resource_group_id: group.clone(),
        auto_renew: AutoRenew {
            status: if auto_renew { "AutoRenewal" } else { "Normal" }.into(),
            duration: 1,
            period_unit: "Month".into(),
        },
        endpoints: vec![],
        parameters: Default::default(),
        whitelists: vec![IpArray {
            name: "default".into(),
            attribute: String::new(),
            ips,
            system: false,
        }],
        security_groups: vec![],
        ssl_auto_rotate: "Disable".into(),
        audit_collector: "Disabled".into(),
        accounts: vec![],
        databases: vec![],
        backups: vec![],
        backup_jobs: vec![],
        backup_policy: BackupPolicy {
            backup_retention_policy_on_cluster_deletion: retention.to_string(),
            ..Default::default()
        },
        log_backup_policy: LogBackupPolicy::default(),
        maintenance: vec![],
        schedule_tasks: vec![],
        monitor_period: "60".into(),
        tasks: vec![],
        job: None,
        tde_enabled: tde,
    };
    if let Some(src) = source {
        cluster.accounts = src.accounts.clone();
        cluster.databases = src.databases.clone();
        cluster.parameters = src.parameters.clone();
        cluster.storage_used = src.storage_used;
    }
    cluster.complete(n);
    let task_id = c.w.next_number(300_000_000);
    cluster.tasks.push(TaskRecord {
        task_id,
        action: "CreateDBInstance".into(),
        begin_ms: c.now,
        step_ms: c.speed,
        steps: creation_steps(),
    });
    c.w.clusters.push(cluster);
    let i = c.w.clusters.len() - 1;
    c.start(
        i,
        "CreateDBCluster",
        "Creating",
        creation_steps(),
        Effect::Create,
    );
    ok(m::CreateDBClusterResponse {
        db_cluster_id: cluster_id,
        order_id,
        resource_group_id: group,
        ..Default::default()
    })
}

/// DeleteDBCluster: `Deleting` for one transition, then gone.
pub fn delete_db_cluster(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    let cl = &c.w.clusters[i];
    if cl.deletion_lock != 0 {
        return Err(Fault::new(
            403,
            "OperationDenied.LockMode",
            "The operation is not permitted due to lock of Cluster.",
        ));
    }
    if cl.pay_type == "Prepaid" {
        return Err(Fault::new(
            403,
            "OperationDenied.DBClusterPayType",
            "The operation is not permitted due to the pay type of cluster.",
        ));
    }
    if !cl.is_running() {
        return Err(Fault::busy());
    }
    let retain = match c.p.opt("BackupRetentionPolicyOnClusterDeletion") {
        None => cl
            .backup_policy
            .backup_retention_policy_on_cluster_deletion
            .clone(),
        Some(v) if ["ALL", "LATEST", "NONE"].contains(&v) => v.to_string(),
        Some(_) => {
            return Err(Fault::new(
                400,
                "InvalidBackupRetentionPolicyOnClusterDeletion.Malformed",
                "The specified BackupRetentionPolicyOnClusterDeletion is invalid.",
            ))
        }
    };
    c.start1(i, "DeleteDBCluster", "Deleting", Effect::Delete { retain });
    ok(m::DeleteDBClusterResponse::default())
}

/// DescribeTasks: the progress of cluster creation.
pub fn describe_tasks(c: &mut Ctx) -> Res {
    let p = c.p;
    let cluster = match (p.opt("DBClusterId"), p.opt("DBNodeId")) {
        (Some(id), _) => c.w.cluster(id).ok_or_else(Fault::cluster_not_found)?,
        (None, Some(node)) => {
            let (ci, _) = c.w.node_location(node).ok_or_else(Fault::node_not_found)?;
            &c.w.clusters[ci]
        }
        (None, None) => return Err(Fault::missing("DBClusterId")),
    };
    let (start, end) = time_range(p)?;
    let status = p.enum_opt(
        "Status",
        &["Waiting", "Running", "Finished", "Closed", "Pause", "Stop"],
    )?;
    let size = p.page_size()?;
    let number = p.page_number()?;
    let now = c.now;
    let tasks: Vec<m::Task> = cluster
        .tasks
        .iter()
        .filter(|t| t.begin_ms >= start && t.begin_ms <= end)
        .filter_map(|t| {
            let finished = now >= t.end_ms();
            let state = if finished { "Finished" } else { "Running" };
            match status {
                None if finished => return None,
                Some(s) if s != state => return None,
                _ => {}
            }
            let step = t.step_ms.max(1);
            let elapsed = (now - t.begin_ms).max(0);
            let current = ((elapsed / step) as usize).min(t.steps.len() - 1);
            let steps: Vec<serde_json::Value> = t
                .steps
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let step_end = t.begin_ms + step * (k as i64 + 1);
                    let done = finished || now >= step_end;
                    json!({
                        "remain": ((step_end - now).max(0) / 1000).min(step / 1000),
                        "name": name,
                        "progress": if done { 100 } else { 0 },
                    })
                })
                .collect();
            let total = t.end_ms() - t.begin_ms;
            Some(m::Task {
                begin_time: fmt_time(t.begin_ms),
                current_step_name: if finished {
                    String::new()
                } else {
                    t.steps[current].clone()
                },
                db_name: String::new(),
                expected_finish_time: None,
                finish_time: if finished {
                    fmt_time(t.end_ms())
                } else {
                    String::new()
                },
                progress: if finished {
                    100
                } else {
                    elapsed * 100 / total.max(1)
                },
                progress_info: None,
                remain: ((t.end_ms() - now).max(0) / 1000),
                step_progress_info: format!(
                    "{}/{}",
                    if finished { t.steps.len() } else { current + 1 },
                    t.steps.len()
                ),
                steps_info: serde_json::Value::Array(steps).to_string(),
                task_action: t.action.clone(),
                task_error_code: None,
                task_error_message: None,
                task_id: t.task_id.clone(),
            })
        })
        .collect();
    let total = tasks.len();
    let page = paginate(tasks, size, number);
    ok(m::DescribeTasksResponse {
        db_cluster_id: cluster.id.clone(),
        end_time: fmt_minute(end),
        page_number: number as i64,
        page_record_count: page.len() as i64,
        request_id: String::new(),
        start_time: fmt_minute(start),
        tasks: m::TaskList { task: page },
        total_record_count: total as i64,
    })
}

/// ModifyDBClusterDescription.
pub fn modify_description(c: &mut Ctx) -> Res {
    let d = c.p.required("DBClusterDescription")?.to_string();
    check_description("DBClusterDescription", &d)?;
    let cl = c.cluster_mut()?;
    if cl.status == "Deleting" {
        return Err(Fault::busy());
    }
    cl.description = d;
    ok(m::ModifyDBClusterDescriptionResponse::default())
}

/// ModifyDBClusterDeletion: the cluster lock.
pub fn modify_deletion(c: &mut Ctx) -> Res {
    let protect = c.p.bool_opt("Protection")?.unwrap_or(false);
    let cl = c.cluster_mut()?;
    if cl.status == "Deleting" {
        return Err(Fault::busy());
    }
    cl.deletion_lock = i32::from(protect);
    ok(m::ModifyDBClusterDeletionResponse::default())
}

/// ModifyDBClusterMaintainTime.
pub fn modify_maintain_time(c: &mut Ctx) -> Res {
    let t = c.p.required("MaintainTime")?.to_string();
    check_maintain_time(&t)?;
    let cl = c.cluster_mut()?;
    cl.maintain_time = t;
    ok(m::ModifyDBClusterMaintainTimeResponse::default())
}

/// FailoverDBCluster: `Switching` for one transition; the target becomes the primary.
pub fn failover(c: &mut Ctx) -> Res {
    let i = c.running_index()?;
    let target = c.p.required("TargetDBNodeId")?.trim().to_string();
    let cl = &c.w.clusters[i];
    let Some(node) = cl.nodes.iter().find(|n| n.id == target) else {
        return Err(Fault::node_not_found());
    };
    if node.role == "Writer" {
        return Err(Fault::invalid_because(
            "TargetDBNodeId",
            "The specified node is already the primary node.",
        ));
    }
    c.start1(
        i,
        "FailoverDBCluster",
        "Switching",
        Effect::Failover { target },
    );
    ok(m::FailoverDBClusterResponse::default())
}

/// ModifyDBClusterPrimaryZone: now (`TRANSING`) or as a scheduled task.
pub fn modify_primary_zone(c: &mut Ctx) -> Res {
    let i = c.running_index()?;
    let zone = c.p.required("ZoneId")?.to_string();
    let vswitch = c.p.required("VSwitchId")?.to_string();
    let cl = &c.w.clusters[i];
    let in_region =
        c.w.region(&cl.region_id)
            .is_some_and(|r| r.zones.contains(&zone));
    if !in_region {
        return Err(Fault::new(
            400,
            "Location.FailedGetSubDomain",
            "The specified regionId does not match the zoneId or the zoneId does not exist.",
        ));
    }
    if zone == cl.zone_id {
        return Err(Fault::invalid_because(
            "ZoneId",
            "The cluster is already in the specified zone.",
        ));
    }
    let now_mode = c.p.bool_opt("FromTimeService")?.unwrap_or(false);
    let window = crate::schedule::planned_window(c)?;
    let effect = Effect::MoveZone {
        zone,
        vswitch: vswitch.clone(),
    };
    match window {
        Some(w) if !now_mode => {
            crate::schedule::add(
                c,
                i,
                "ModifyDBClusterPrimaryZone",
                "TRANSING",
                w,
                "",
                effect,
            )?;
        }
        _ => {
            c.start1(i, "ModifyDBClusterPrimaryZone", "TRANSING", effect);
        }
    }
    ok(m::ModifyDBClusterPrimaryZoneResponse::default())
}

/// The clusters named by a required `DBClusterIds` list, all in the request's region.
fn clusters_in_region(c: &Ctx, region: &str) -> Result<Vec<usize>, Fault> {
    let ids = c.p.required("DBClusterIds")?;
    let mut out = Vec::new();
    for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match c.w.cluster_index(id) {
            Some(i) if c.w.clusters[i].region_id == region => out.push(i),
            _ => return Err(Fault::cluster_not_found()),
        }
    }
    Ok(out)
}

/// ModifyAutoRenewAttribute.
pub fn modify_auto_renew(c: &mut Ctx) -> Res {
    let region = c.p.required("RegionId")?.to_string();
    if c.w.region(&region).is_none() {
        return Err(Fault::region_not_found());
    }
    let targets = clusters_in_region(c, &region)?;
    let status =
        c.p.enum_opt("RenewalStatus", &["AutoRenewal", "Normal", "NotRenewal"])?
            .unwrap_or("AutoRenewal")
            .to_string();
    let unit =
        c.p.enum_opt("PeriodUnit", &["Month", "Year"])?
            .unwrap_or("Month")
            .to_string();
    let duration: i64 = match c.p.opt("Duration") {
        None => 1,
        Some(d) => d.parse().map_err(|_| Fault::invalid("Duration"))?,
    };
    let allowed: &[i64] = if unit == "Month" {
        &[1, 2, 3, 6, 12]
    } else {
        &[1, 2, 3]
    };
    if !allowed.contains(&duration) {
        return Err(Fault::invalid("Duration"));
    }
    for &i in &targets {
        if c.w.clusters[i].pay_type != "Prepaid" {
            return Err(Fault::new(
                403,
                "OperationDenied.DBClusterPayType",
                "The operation is not permitted due to the pay type of cluster.",
            ));
        }
    }
    for i in targets {
        c.w.clusters[i].auto_renew = AutoRenew {
            status: status.clone(),
            duration,
            period_unit: unit.clone(),
        };
    }
    ok(m::ModifyAutoRenewAttributeResponse::default())
}

/// DescribeAutoRenewAttribute: the subscription clusters of a region.
pub fn describe_auto_renew(c: &mut Ctx) -> Res {
    let region = c.p.required("RegionId")?.to_string();
    if c.w.region(&region).is_none() {
        return Err(Fault::region_not_found());
    }
    let size = c.p.page_size()?;
    let number = c.p.page_number()?;
    let ids: Option<HashSet<&str>> =
        c.p.opt("DBClusterIds")
            .map(|s| s.split(',').map(str::trim).collect());
    let group = c.p.opt("ResourceGroupId");
    let items: Vec<m::AutoRenewAttribute> =
        c.w.clusters
            .iter()
            .filter(|cl| cl.region_id == region && cl.pay_type == "Prepaid")
            .filter(|cl| ids.as_ref().is_none_or(|ids| ids.contains(cl.id.as_str())))
            .filter(|cl| group.is_none_or(|g| cl.resource_group_id == g))
            .map(|cl| m::AutoRenewAttribute {
                auto_renew_enabled: cl.auto_renew.status == "AutoRenewal",
                db_cluster_id: cl.id.clone(),
                duration: cl.auto_renew.duration,
                period_unit: cl.auto_renew.period_unit.clone(),
                region_id: cl.region_id.clone(),
                renewal_status: cl.auto_renew.status.clone(),
            })
            .collect();
    let total = items.len();
    let page = paginate(items, size, number);
    ok(m::DescribeAutoRenewAttributeResponse {
        page_number: number as i64,
        page_record_count: page.len() as i64,
        total_record_count: total as i64,
        items: m::AutoRenewAttributeItems {
            auto_renew_attribute: page,
        },
        request_id: String::new(),
    })
}

/// DescribeDBClusterAvailableResources: the node classes on sale per zone.
pub fn describe_available_resources(c: &mut Ctx) -> Res {
    let p = c.p;
    let pay = p.required("PayType")?;
    if !PAY_TYPES.contains(&pay) {
        return Err(Fault::unsupported("PayType"));
    }
    let db_type = p.enum_opt("DBType", &["MySQL", "PostgreSQL", "Oracle"])?;
    let version = p.opt("DBVersion");
    if db_type.is_some() && version.is_none() {
        return Err(Fault::missing("DBVersion"));
    }
    if let (Some("PostgreSQL"), Some(v)) = (db_type, version) {
        if !DB_VERSIONS.contains(&v) {
            return Err(Fault::new(
                400,
                "InvalidEngineVersion.Malformed",
                "The specified parameter EngineVersion is not valid.",
            ));
        }
    }
    let region = p.opt("RegionId").unwrap_or("cn-hangzhou");
    let Some(r) = c.w.region(region) else {
        return Err(Fault::region_not_found());
    };
    let zone = p.opt("ZoneId");
    let class = p.opt("DBNodeClass");
    if db_type.is_some_and(|t| t != "PostgreSQL") {
        return ok(m::DescribeDBClusterAvailableResourcesResponse::default());
    }
    let versions: Vec<&str> = match version {
        Some(v) => vec![v],
        None => DB_VERSIONS.to_vec(),
    };
    let zones = r
        .zones
        .iter()
        .filter(|z| zone.is_none_or(|want| want == z.as_str()))
        .map(|z| m::AvailableZone {
            region_id: r.region_id.clone(),
            zone_id: z.clone(),
            supported_engines: versions
                .iter()
                .map(|v| m::SupportedEngine {
                    engine: format!("pg{v}"),
                    available_resources: NODE_CLASSES
                        .iter()
                        .filter(|k| class.is_none_or(|want| want == k.name))
                        .map(|k| m::AvailableResource {
                            category: "Normal".into(),
                            db_node_class: k.name.into(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    ok(m::DescribeDBClusterAvailableResourcesResponse {
        available_zones: zones,
        request_id: String::new(),
    })
}

/// Whether `target` is an upgrade (or downgrade) of `current`.
pub fn class_change_ok(current: &str, target: &str, upgrade: bool) -> bool {
    match (class_rank(current), class_rank(target)) {
        (Some(a), Some(b)) => {
            if upgrade {
                b > a
            } else {
                b < a
            }
        }
        _ => false,
    }
}
