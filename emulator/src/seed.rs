//! The built-in seeds: eight hand-made clusters across five regions, or any number of
//! generated ones. Everything is deterministic; only the times of things that must lie
//! around "now" (recent backups, pending maintenance, scheduled tasks) are placed relative
//! to the current UTC day, so the same day always gives the same seed.

use crate::state::*;
use crate::util::{day_start, fmt_time, hash64, now_ms, parse_time};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

fn region(id: &str, zones: &[&str]) -> RegionDef {
    RegionDef {
        region_id: id.to_string(),
        zones: zones.iter().map(|z| z.to_string()).collect(),
    }
}

/// The regions the emulator offers (a subset of the real list).
pub fn default_regions() -> Vec<RegionDef> {
    vec![
        region(
            "cn-hangzhou",
            &["cn-hangzhou-g", "cn-hangzhou-h", "cn-hangzhou-i"],
        ),
        region(
            "cn-shanghai",
            &["cn-shanghai-e", "cn-shanghai-f", "cn-shanghai-j"],
        ),
        region("cn-beijing", &["cn-beijing-g", "cn-beijing-h"]),
        region("cn-shenzhen", &["cn-shenzhen-d", "cn-shenzhen-e"]),
        region("cn-zhangjiakou", &["cn-zhangjiakou-a", "cn-zhangjiakou-b"]),
        region("cn-hongkong", &["cn-hongkong-b", "cn-hongkong-c"]),
        region("ap-southeast-1", &["ap-southeast-1a", "ap-southeast-1b"]),
        region("ap-northeast-1", &["ap-northeast-1a", "ap-northeast-1b"]),
        region("eu-central-1", &["eu-central-1a", "eu-central-1b"]),
        region("us-west-1", &["us-west-1a", "us-west-1b"]),
    ]
}

#[allow(clippy::too_many_arguments)]
fn cluster(
    n: u64,
    description: &str,
    region_id: &str,
    zone_id: &str,
    version: &str,
    class: &str,
    readers: usize,
    pay_type: &str,
    status: &str,
    tags: &[(&str, &str)],
) -> Cluster {
    let day = 1 + (n % 27);
    let create_time = format!(
        "2026-{:02}-{day:02}T0{}:1{}:0{}Z",
        1 + n % 10,
        n % 10,
        n % 6,
        n % 10
    );
    let mut nodes = vec![Node {
        id: id("pi-", n * 10),
        class: class.to_string(),
        role: "Writer".into(),
        zone_id: zone_id.to_string(),
        status: "Running".into(),
        failover_priority: 1,
        creation_time: create_time.clone(),
    }];
    for r in 0..readers {
        nodes.push(Node {
            id: id("pi-", n * 10 + 1 + r as u64),
            class: class.to_string(),
            role: "Reader".into(),
            zone_id: zone_id.to_string(),
            status: "Running".into(),
            failover_priority: (2 * r as i64 + 3).min(15),
            creation_time: create_time.clone(),
        });
    }
    let hour = 14 + (n % 8) as u32;
    let mut c = Cluster {
        id: id("pc-", n),
        description: description.to_string(),
        status: status.to_string(),
        db_version: version.to_string(),
        region_id: region_id.to_string(),
        zone_id: zone_id.to_string(),
        vpc_id: id("vpc-", n + 1000),
        vswitch_id: id("vsw-", n + 2000),
        pay_type: pay_type.to_string(),
        create_time: create_time.clone(),
        expire_time: if pay_type == "Prepaid" {
            format!("2027-{:02}-{day:02}T16:00:00Z", 1 + n % 10)
        } else {
            String::new()
        },
        lock_mode: "Unlock".into(),
        deletion_lock: if pay_type == "Prepaid" { 1 } else { 0 },
        category: "Normal".into(),
        storage_used: 3_009_413_120 + (n as i64) * 734_003_200,
        nodes,
        tags: tags
            .iter()
            .map(|(k, v)| TagKv {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect(),
        maintain_time: format!("{:02}:00Z-{:02}:00Z", hour, hour + 1),
        resource_group_id: "rg-acfmyxdp6ttgcri".into(),
        auto_renew: AutoRenew::default(),
        endpoints: vec![],
        parameters: Default::default(),
        whitelists: vec![IpArray {
            name: "default".into(),
            attribute: String::new(),
            ips: vec![format!("10.{}.0.0/16", n % 250), "127.0.0.1".into()],
            system: false,
        }],
        security_groups: vec![],
        ssl_auto_rotate: "Disable".into(),
        audit_collector: "Disabled".into(),
        accounts: vec![],
        databases: vec![],
        backups: vec![],
        backup_jobs: vec![],
        backup_policy: BackupPolicy::default(),
        log_backup_policy: LogBackupPolicy::default(),
        maintenance: vec![],
        schedule_tasks: vec![],
        monitor_period: "60".into(),
        tasks: vec![],
        job: None,
        tde_enabled: false,
    };
    c.complete(n);
    if let Some(begin) = parse_time(&create_time) {
        c.tasks.push(TaskRecord {
            task_id: (300_000_000 + n).to_string(),
            action: "CreateDBInstance".into(),
            begin_ms: begin,
            step_ms: 5 * 60_000,
            steps: creation_steps(),
        });
    }
    c
}

/// The steps of a cluster creation task, as DescribeTasks names them.
pub fn creation_steps() -> Vec<String> {
    [
        "init_task",
        "create_instance",
        "init_cluster",
        "create_backup",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn account(name: &str, kind: &str, description: &str) -> DbAccount {
    DbAccount {
        name: name.into(),
        kind: kind.into(),
        description: description.into(),
        status: "Available".into(),
        lock_state: "UnLock".into(),
        password_changed: String::new(),
    }
}

fn database(
    name: &str,
    owner: &str,
    charset: &str,
    locale: &str,
    description: &str,
    readers: &[(&str, &str)],
) -> Database {
    let mut privileges = vec![Privilege {
        account: owner.into(),
        privilege: "DBOwner".into(),
    }];
    privileges.extend(readers.iter().map(|(a, p)| Privilege {
        account: a.to_string(),
        privilege: p.to_string(),
    }));
    Database {
        name: name.into(),
        description: description.into(),
        charset: charset.into(),
        collate: locale.into(),
        ctype: locale.into(),
        owner: owner.into(),
        status: "Running".into(),
        privileges,
    }
}

/// Daily automated backups over the `days` days before `today`, none before creation.
fn daily_backups(c: &Cluster, n: u64, today: i64, days: i64) -> Vec<BackupSet> {
    let created = parse_time(&c.create_time).unwrap_or(0);
    let hour: i64 = c.backup_policy.preferred_backup_time[..2]
        .parse()
        .unwrap_or(18);
    (1..=days)
        .rev()
        .filter_map(|d| {
            let h = hash64(&[&c.id, &d.to_string()]);
            let start = today - d * DAY + hour * HOUR + (h % 40) as i64 * 60_000;
            if start <= created {
                return None;
            }
            Some(BackupSet {
                id: (100_000_000 + n * 1_000 + d as u64).to_string(),
                start_ms: start,
                end_ms: start + (4 + (h >> 8) % 20) as i64 * 60_000,
                size: c.storage_used / 2 + (h % 80_000_000) as i64 + d * 3_000_000,
                status: "Success".into(),
                mode: "Automated".into(),
                level: "Level-1".into(),
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn event(
    id: i64,
    task_type: &str,
    status: i64,
    created: i64,
    switch: i64,
    deadline: i64,
    result: &str,
) -> MaintenanceEvent {
    MaintenanceEvent {
        id,
        task_type: task_type.into(),
        status,
        created_time: fmt_time(created),
        modified_time: fmt_time(created),
        start_time: fmt_time(switch - 4 * HOUR),
        switch_time: fmt_time(switch),
        deadline: fmt_time(deadline),
        prepare_interval: "04:00:00".into(),
        result_info: result.into(),
    }
}

fn public_address(c: &Cluster, prefix: &str) -> Address {
    let h = hash64(&[&c.id, prefix]);
    Address {
        net_type: "Public".into(),
        prefix: prefix.into(),
        port: "5432".into(),
        ip: format!(
            "47.{}.{}.{}",
            90 + h % 20,
            (h >> 8) % 250,
            (h >> 16) % 250 + 1
        ),
        private_zone: String::new(),
    }
}

/// Everything else a hand-made cluster carries: accounts, databases, backups, events.
fn enrich(c: &mut Cluster, n: u64, today: i64) {
    let (accounts, databases): (Vec<DbAccount>, Vec<Database>) = match c.description.as_str() {
        "orders-prod" => (
            vec![
                account("polar_admin", "Super", "cluster administrator"),
                account("orders_app", "Normal", "orders service"),
                account("orders_ro", "Normal", "read-only reporting"),
            ],
            vec![
                database(
                    "orders",
                    "orders_app",
                    "UTF8",
                    "en_US.utf8",
                    "orders of the shop",
                    &[("orders_ro", "ReadOnly")],
                ),
                database(
                    "orders_archive",
                    "orders_app",
                    "UTF8",
                    "C",
                    "closed orders",
                    &[],
                ),
            ],
        ),
        "orders-staging" => (
            vec![
                account("polar_admin", "Super", "cluster administrator"),
                account("orders_app", "Normal", "orders service"),
            ],
            vec![database(
                "orders",
                "orders_app",
                "UTF8",
                "en_US.utf8",
                "staging copy of orders",
                &[],
            )],
        ),
        "analytics" => (
            vec![
                account("dw_admin", "Super", "warehouse administrator"),
                account("etl", "Normal", "loading jobs"),
                account("bi_reader", "Normal", "dashboards"),
            ],
            vec![
                database(
                    "warehouse",
                    "etl",
                    "UTF8",
                    "C",
                    "star schema",
                    &[("bi_reader", "ReadOnly")],
                ),
                database("staging", "etl", "UTF8", "C", "raw loads", &[]),
            ],
        ),
        "payments-prod" | "payments-dr" => (
            vec![
                account("pay_admin", "Super", "cluster administrator"),
                account("payments_app", "Normal", "payments service"),
            ],
            vec![
                database(
                    "payments",
                    "payments_app",
                    "UTF8",
                    "en_US.utf8",
                    "payment transactions",
                    &[],
                ),
                database(
                    "ledger",
                    "payments_app",
                    "UTF8",
                    "C",
                    "double-entry ledger",
                    &[],
                ),
            ],
        ),
        "crm" => (
            vec![
                account("crm_admin", "Super", "cluster administrator"),
                account("crm_app", "Normal", "CRM backend"),
            ],
            vec![database(
                "crm",
                "crm_app",
                "UTF8",
                "zh_CN.utf8",
                "customer relations",
                &[],
            )],
        ),
        "sg-edge" => (
            vec![
                account("edge_admin", "Super", "cluster administrator"),
                account("edge_app", "Normal", "edge cache"),
            ],
            vec![database(
                "edge",
                "edge_app",
                "UTF8",
                "en_US.utf8",
                "edge sessions",
                &[],
            )],
        ),
        _ => (
            vec![
                account("gdpr_admin", "Super", "cluster administrator"),
                account("gdpr_app", "Normal", "customer portal"),
            ],
            vec![database(
                "customers",
                "gdpr_app",
                "UTF8",
                "de_DE.utf8",
                "EU customer data",
                &[],
            )],
        ),
    };
    c.accounts = accounts;
    c.databases = databases;

    match c.description.as_str() {
        "orders-prod" => {
            c.parameters.insert("max_connections".into(), "2000".into());
            c.parameters
                .insert("log_min_duration_statement".into(), "500".into());
            c.whitelists.push(IpArray {
                name: "office".into(),
                attribute: String::new(),
                ips: vec!["203.0.113.0/24".into(), "198.51.100.17".into()],
                system: false,
            });
            c.security_groups.push(SecurityGroup {
                id: id("sg-", n + 3000),
                name: "orders-app-servers".into(),
            });
            let readers: Vec<String> = c
                .nodes
                .iter()
                .filter(|x| x.role == "Reader")
                .map(|x| x.id.clone())
                .collect();
            let custom_id = id("pe-", n * 10 + 1_000_003);
            let h = hash64(&[&c.id, "custom"]);
            c.endpoints.push(Endpoint {
                id: custom_id.clone(),
                kind: "Custom".into(),
                description: "reporting".into(),
                read_write_mode: "ReadOnly".into(),
                auto_add_new_nodes: "Disable".into(),
                nodes: readers,
                endpoint_config: "{\"ConsistLevel\":\"0\"}".into(),
                ssl_enabled: false,
                ssl_expire_time: String::new(),
                addresses: vec![Address {
                    net_type: "Private".into(),
                    prefix: custom_id,
                    port: "5432".into(),
                    ip: format!("172.16.{}.{}", (h >> 8) % 250 + 1, h % 250 + 2),
                    private_zone: String::new(),
                }],
            });
            let public = public_address(c, &format!("{}-pub", c.id));
            c.endpoints[1].addresses.push(public);
            c.auto_renew = AutoRenew {
                status: "AutoRenewal".into(),
                duration: 1,
                period_unit: "Month".into(),
            };
            c.backup_policy.backup_retention_policy_on_cluster_deletion = "LATEST".into();
        }
        "analytics" => {
            c.parameters.insert("work_mem".into(), "65536".into());
            c.parameters
                .insert("max_parallel_workers_per_gather".into(), "8".into());
            c.backup_policy.data_level2_backup_period = "Sunday".into();
            c.backup_policy.data_level2_backup_retention_period = "30".into();
        }
        "payments-prod" => {
            c.audit_collector = "Enable".into();
            c.monitor_period = "5".into();
            c.ssl_auto_rotate = "Enable".into();
            for e in &mut c.endpoints {
                e.ssl_enabled = true;
                e.ssl_expire_time = "2027-03-04T07:14:22Z".into();
            }
            c.security_groups.push(SecurityGroup {
                id: id("sg-", n + 3000),
                name: "payments-app-servers".into(),
            });
            let public = public_address(c, &format!("{}-pub", c.id));
            c.endpoints[0].addresses.push(public);
            c.auto_renew = AutoRenew {
                status: "AutoRenewal".into(),
                duration: 1,
                period_unit: "Year".into(),
            };
            c.backup_policy.data_level1_backup_retention_period = "14".into();
            c.backup_policy.data_level2_backup_period = "Monday,Thursday".into();
            c.backup_policy.data_level2_backup_retention_period = "365".into();
            c.backup_policy.data_level2_backup_another_region_region = "cn-beijing".into();
            c.backup_policy
                .data_level2_backup_another_region_retention_period = "30".into();
            c.backup_policy.backup_retention_policy_on_cluster_deletion = "ALL".into();
            c.log_backup_policy.retention_period = 30;
        }
        "eu-gdpr" => {
            c.audit_collector = "Enable".into();
            for e in &mut c.endpoints {
                e.ssl_enabled = true;
                e.ssl_expire_time = "2027-06-30T00:00:00Z".into();
            }
            c.auto_renew = AutoRenew {
                status: "NotRenewal".into(),
                duration: 1,
                period_unit: "Month".into(),
            };
            c.tde_enabled = true;
        }
        _ => {}
    }

    c.backups = daily_backups(c, n, today, 7);
    if matches!(c.description.as_str(), "orders-prod" | "payments-prod") {
        let start = today - 2 * DAY + 9 * HOUR + 12 * 60_000;
        c.backups.push(BackupSet {
            id: (100_000_000 + n * 1_000 + 900).to_string(),
            start_ms: start,
            end_ms: start + 11 * 60_000,
            size: c.storage_used / 2 + 12_345_678,
            status: "Success".into(),
            mode: "Manual".into(),
            level: "Level-1".into(),
        });
        c.backups.sort_by_key(|b| b.start_ms);
    }

    match c.description.as_str() {
        "orders-prod" => {
            c.maintenance = vec![event(
                10_001,
                "DatabaseSoftwareUpgrading",
                3,
                today - 2 * DAY + 3 * HOUR,
                today + 3 * DAY + 18 * HOUR,
                today + 10 * DAY + 16 * HOUR - 1000,
                "",
            )]
        }
        "analytics" => {
            c.maintenance = vec![event(
                10_002,
                "DatabaseHardwareMaintenance",
                2,
                today - DAY + 5 * HOUR,
                today + 5 * DAY + 19 * HOUR,
                today + 12 * DAY + 16 * HOUR - 1000,
                "",
            )]
        }
        "crm" => {
            c.maintenance = vec![event(
                10_003,
                "DatabaseProxyUpgrading",
                3,
                today - 3 * DAY + 2 * HOUR,
                today + 2 * DAY + 20 * HOUR,
                today + 7 * DAY + 16 * HOUR - 1000,
                "",
            )]
        }
        "payments-prod" => {
            c.maintenance = vec![event(
                10_004,
                "DatabaseSoftwareUpgrading",
                5,
                today - 40 * DAY,
                today - 33 * DAY + 18 * HOUR,
                today - 30 * DAY,
                "",
            )]
        }
        "sg-edge" => {
            c.maintenance = vec![event(
                10_005,
                "DatabaseStorageUpgrading",
                7,
                today - 20 * DAY,
                today - 15 * DAY + 18 * HOUR,
                today - 10 * DAY,
                "manualCancel",
            )]
        }
        _ => {}
    }

    match c.description.as_str() {
        "orders-staging" => c.schedule_tasks.push(ScheduleTask {
            task_id: uuid_like(n * 100 + 1),
            action: "ModifyDBNodeClass".into(),
            status: "pending".into(),
            planned_start_ms: today + 2 * DAY + 2 * HOUR,
            planned_end_ms: today + 2 * DAY + 2 * HOUR + 30 * 60_000,
            order_id: (208_161_753_000_000 + n).to_string(),
            job_status: "ClassChanging".into(),
            step_ms: 3000,
            effect: Effect::ChangeClass {
                class: "polar.pg.x4.large".into(),
            },
        }),
        "analytics" => c.schedule_tasks.push(ScheduleTask {
            task_id: uuid_like(n * 100 + 2),
            action: "CreateDBNodes".into(),
            status: "finish".into(),
            planned_start_ms: today - 10 * DAY + 3 * HOUR,
            planned_end_ms: today - 10 * DAY + 3 * HOUR + 30 * 60_000,
            order_id: (208_161_753_000_000 + n).to_string(),
            job_status: "DBNodeCreating".into(),
            step_ms: 3000,
            effect: Effect::AddNodes {
                nodes: vec![],
                endpoints: vec![],
            },
        }),
        "crm" => c.schedule_tasks.push(ScheduleTask {
            task_id: uuid_like(n * 100 + 3),
            action: "ModifyDBClusterPrimaryZone".into(),
            status: "cancel".into(),
            planned_start_ms: today - 4 * DAY + HOUR,
            planned_end_ms: today - 4 * DAY + HOUR + 30 * 60_000,
            order_id: String::new(),
            job_status: "TRANSING".into(),
            step_ms: 3000,
            effect: Effect::MoveZone {
                zone: "cn-beijing-g".into(),
                vswitch: String::new(),
            },
        }),
        _ => {}
    }
}

/// A released cluster whose backups were kept (for the backup chapter).
fn released(n: u64, today: i64) -> DeletedCluster {
    let mut c = cluster(
        n,
        "legacy-reporting",
        "cn-hangzhou",
        "cn-hangzhou-g",
        "11",
        "polar.pg.x4.medium",
        1,
        "Postpaid",
        "Deleted",
        &[("env", "retired")],
    );
    let deleted = today - 45 * DAY + 10 * HOUR;
    c.backups = (0..3)
        .map(|k| {
            let start = deleted - (k + 1) * DAY + 18 * HOUR;
            BackupSet {
                id: (100_000_000 + n * 1_000 + k as u64).to_string(),
                start_ms: start,
                end_ms: start + 9 * 60_000,
                size: 2_147_483_648 + k * 10_000_000,
                status: "Success".into(),
                mode: "Automated".into(),
                level: "Level-2".into(),
            }
        })
        .collect();
    DeletedCluster {
        cluster: c,
        deleted_time: fmt_time(deleted),
    }
}

/// The built-in seed: several clusters across several regions.
pub fn default_seed() -> Seed {
    let today = day_start(now_ms());
    let mut clusters = vec![
        cluster(
            1,
            "orders-prod",
            "cn-hangzhou",
            "cn-hangzhou-h",
            "14",
            "polar.pg.x4.large",
            2,
            "Prepaid",
            "Running",
            &[("env", "prod"), ("team", "orders")],
        ),
        cluster(
            2,
            "orders-staging",
            "cn-hangzhou",
            "cn-hangzhou-i",
            "14",
            "polar.pg.x4.medium",
            1,
            "Postpaid",
            "Running",
            &[("env", "staging"), ("team", "orders")],
        ),
        cluster(
            3,
            "analytics",
            "cn-hangzhou",
            "cn-hangzhou-g",
            "11",
            "polar.pg.x8.xlarge",
            3,
            "Prepaid",
            "Running",
            &[("env", "prod"), ("team", "data")],
        ),
        cluster(
            4,
            "payments-prod",
            "cn-shanghai",
            "cn-shanghai-e",
            "14",
            "polar.pg.x4.xlarge",
            2,
            "Prepaid",
            "Running",
            &[("env", "prod"), ("team", "payments")],
        ),
        cluster(
            5,
            "payments-dr",
            "cn-shanghai",
            "cn-shanghai-f",
            "14",
            "polar.pg.x4.large",
            1,
            "Postpaid",
            "Running",
            &[("env", "dr")],
        ),
        cluster(
            6,
            "crm",
            "cn-beijing",
            "cn-beijing-h",
            "11",
            "polar.pg.x4.medium",
            1,
            "Postpaid",
            "Running",
            &[],
        ),
        cluster(
            7,
            "sg-edge",
            "ap-southeast-1",
            "ap-southeast-1a",
            "14",
            "polar.pg.x4.medium",
            1,
            "Postpaid",
            "Running",
            &[("env", "prod")],
        ),
        cluster(
            8,
            "eu-gdpr",
            "eu-central-1",
            "eu-central-1a",
            "14",
            "polar.pg.x4.large",
            1,
            "Prepaid",
            "Running",
            &[("env", "prod"), ("compliance", "gdpr")],
        ),
    ];
    for (i, c) in clusters.iter_mut().enumerate() {
        enrich(c, i as u64 + 1, today);
    }
    Seed {
        regions: default_regions(),
        clusters,
        deleted_clusters: vec![released(9, today)],
    }
}

/// A synthetic seed of `count` clusters spread over the first `regions` regions.
pub fn generated_seed(count: usize, regions: usize) -> Seed {
    let today = day_start(now_ms());
    let all = default_regions();
    let regions: Vec<RegionDef> = all.into_iter().take(regions.max(1)).collect();
    let clusters = (0..count)
        .map(|i| {
            let r = &regions[i % regions.len()];
            let zone = &r.zones[i % r.zones.len()];
            let n = 100 + i as u64;
            let mut c = cluster(
                n,
                &format!("generated-{i:04}"),
                &r.region_id,
                zone,
                if i % 3 == 0 { "11" } else { "14" },
                "polar.pg.x4.medium",
                1 + i % 3,
                if i % 4 == 0 { "Prepaid" } else { "Postpaid" },
                "Running",
                &[("env", if i % 2 == 0 { "prod" } else { "dev" })],
            );
            c.accounts = vec![
                account("polar_admin", "Super", ""),
                account("app", "Normal", ""),
            ];
            c.databases = vec![database("app", "app", "UTF8", "C", "application data", &[])];
            c.backups = daily_backups(&c, n, today, 3);
            if i % 10 == 0 {
                c.maintenance = vec![event(
                    20_000 + i as i64,
                    "DatabaseSoftwareUpgrading",
                    3,
                    today - DAY,
                    today + 4 * DAY + 18 * HOUR,
                    today + 9 * DAY + 16 * HOUR - 1000,
                    "",
                )];
            }
            c
        })
        .collect();
    Seed {
        regions: default_regions(),
        clusters,
        deleted_clusters: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_deterministic_and_ids_unique() {
        let a = default_seed();
        let b = default_seed();
        assert_eq!(a.clusters[0].id, b.clusters[0].id);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let g = generated_seed(500, 10);
        let mut ids: Vec<_> = g.clusters.iter().map(|c| c.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 500);
        assert!(a
            .clusters
            .iter()
            .all(|c| c.id.starts_with("pc-") && c.id.len() == 17));
    }

    #[test]
    fn default_seed_is_complete() {
        let s = default_seed();
        assert_eq!(s.clusters.len(), 8);
        let mut endpoint_ids = std::collections::HashSet::new();
        for c in &s.clusters {
            assert!(c.endpoints.len() >= 2, "{}", c.description);
            for e in &c.endpoints {
                assert!(endpoint_ids.insert(e.id.clone()));
            }
            assert!(c.whitelists.iter().any(|w| w.name == "default"));
            assert!(c.whitelists.iter().any(|w| w.system));
            assert!(c.accounts.iter().any(|a| a.kind == "Super"));
            assert!(!c.databases.is_empty());
            assert!(!c.backups.is_empty());
        }
        assert!(s
            .clusters
            .iter()
            .any(|c| c.maintenance.iter().any(|m| m.status < 5)));
        // The seed survives a trip through JSON (what --state loads).
        let text = serde_json::to_string(&s).unwrap();
        let back: Seed = serde_json::from_str(&text).unwrap();
        assert_eq!(back.clusters.len(), 8);
    }
}
