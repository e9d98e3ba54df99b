//! Every action of the catalogue, called through our client over HTTP against one emulator
//! and checked in its typed shape; at the end the emulator's statistics prove that each
//! action of `polardb::models::ACTIONS` succeeded at least once.

mod common;

use common::*;
use polardb::models::*;

const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";
const BJ: &str = "cn-beijing";
const SG: &str = "ap-southeast-1";
const EU: &str = "eu-central-1";

#[tokio::test]
async fn every_action_answers_in_its_typed_shape() {
    let emu = Emu::seeded(250).await;
    clusters_chapter(&emu).await;
    security_chapter(&emu).await;
    nodes_chapter(&emu).await;
    parameters_chapter(&emu).await;
    endpoints_chapter(&emu).await;
    accounts_and_databases_chapters(&emu).await;
    backups_chapter(&emu).await;
    tags_chapter(&emu).await;
    maintenance_chapter(&emu).await;
    schedule_chapter(&emu).await;
    monitoring_chapter(&emu).await;

    let stats = emu.stats().await;
    let mut missing = Vec::new();
    for a in ACTIONS {
        let ok = stats["actions"][a.name]["succeeded"].as_u64().unwrap_or(0);
        if ok == 0 {
            missing.push(a.name);
        }
    }
    assert!(
        missing.is_empty(),
        "never answered with success: {missing:?}"
    );
    assert_eq!(ACTIONS.len(), 67);
}

async fn clusters_chapter(emu: &Emu) {
    let regions = emu.ok(HZ, &DescribeRegions {}).await;
    assert!(regions.regions.region.len() >= 5);
    let clusters = emu
        .ok(
            HZ,
            &DescribeDBClusters {
                region_id: HZ.into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(clusters.total_record_count, 3);

    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let a = emu.attribute(HZ, &prod).await;
    assert_eq!(a.db_type, "PostgreSQL");
    assert_eq!(a.db_nodes.len(), 3);
    assert_eq!(a.db_nodes[0].db_node_role, "Writer");
    assert!(a.db_nodes.iter().all(|n| n.failover_priority >= 1));
    assert!(a.db_nodes[0].max_connections > 0);
    assert_eq!(a.deletion_lock, 1);
    assert!(a
        .tags
        .iter()
        .any(|t| t.key == "team" && t.value == "orders"));
    assert!(!a.maintain_time.is_empty());
    assert_eq!(a.zone_ids, "cn-hangzhou-h");

    let staging = emu.cluster_id(HZ, "orders-staging").await;
    emu.ok(
        HZ,
        &ModifyDBClusterDescription {
            db_cluster_id: staging.clone(),
            db_cluster_description: "orders-staging-renamed".into(),
        },
    )
    .await;
    emu.ok(
        HZ,
        &ModifyDBClusterMaintainTime {
            db_cluster_id: staging.clone(),
            maintain_time: "02:00Z-03:00Z".into(),
        },
    )
    .await;
    let a = emu.attribute(HZ, &staging).await;
    assert_eq!(a.db_cluster_description, "orders-staging-renamed");
    assert_eq!(a.maintain_time, "02:00Z-03:00Z");
    emu.ok(
        HZ,
        &ModifyDBClusterDescription {
            db_cluster_id: staging.clone(),
            db_cluster_description: "orders-staging".into(),
        },
    )
    .await;

    let dr = emu.cluster_id(SH, "payments-dr").await;
    emu.ok(
        SH,
        &ModifyDBClusterDeletion {
            db_cluster_id: dr.clone(),
            protection: Some(true),
        },
    )
    .await;
    assert_eq!(emu.attribute(SH, &dr).await.deletion_lock, 1);
    emu.ok(
        SH,
        &ModifyDBClusterDeletion {
            db_cluster_id: dr.clone(),
            protection: Some(false),
        },
    )
    .await;
    assert_eq!(emu.attribute(SH, &dr).await.deletion_lock, 0);

    // Creation: Creating (DescribeTasks reports progress), then Running.
    let created = emu
        .ok(
            BJ,
            &CreateDBCluster {
                region_id: BJ.into(),
                zone_id: Some("cn-beijing-g".into()),
                db_type: "PostgreSQL".into(),
                db_version: "14".into(),
                db_node_class: "polar.pg.x4.medium".into(),
                pay_type: "Postpaid".into(),
                db_cluster_description: Some("scenario-new".into()),
                security_ip_list: Some("10.0.0.0/8".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(created.db_cluster_id.starts_with("pc-"));
    assert!(!created.order_id.is_empty());
    let id = created.db_cluster_id;
    let tasks = emu
        .ok(
            BJ,
            &DescribeTasks {
                db_cluster_id: Some(id.clone()),
                start_time: minute(now_ms() - HOUR),
                end_time: minute(now_ms() + HOUR),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(tasks.db_cluster_id, id);
    assert_eq!(tasks.tasks.task.len(), 1);
    let t = &tasks.tasks.task[0];
    assert!(t.progress < 100, "{t:?}");
    assert_eq!(t.task_action, "CreateDBInstance");
    assert!(t.step_progress_info.ends_with("/4"));
    let steps: serde_json::Value = serde_json::from_str(&t.steps_info).unwrap();
    assert_eq!(steps.as_array().unwrap().len(), 4);
    let a = emu.wait_running(BJ, &id).await;
    assert_eq!(a.db_nodes.len(), 2);
    assert!(a.db_nodes.iter().all(|n| n.db_node_status == "Running"));
    let done = emu
        .ok(
            BJ,
            &DescribeTasks {
                db_cluster_id: Some(id.clone()),
                start_time: minute(now_ms() - HOUR),
                end_time: minute(now_ms() + HOUR),
                status: Some("Finished".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(done.tasks.task[0].progress, 100);

    // Failover on crm: the reader becomes the writer.
    let crm = emu.cluster_id(BJ, "crm").await;
    let before = emu.attribute(BJ, &crm).await;
    let reader = before.db_nodes[1].db_node_id.clone();
    emu.ok(
        BJ,
        &FailoverDBCluster {
            db_cluster_id: crm.clone(),
            target_db_node_id: Some(reader.clone()),
            client_token: None,
        },
    )
    .await;
    assert_eq!(emu.attribute(BJ, &crm).await.db_cluster_status, "Switching");
    let after = emu.wait_running(BJ, &crm).await;
    assert_eq!(after.db_nodes[0].db_node_id, reader);
    assert_eq!(after.db_nodes[0].db_node_role, "Writer");

    emu.ok(
        BJ,
        &ModifyDBClusterPrimaryZone {
            db_cluster_id: crm.clone(),
            zone_id: "cn-beijing-g".into(),
            v_switch_id: Some("vsw-newzone".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(emu.attribute(BJ, &crm).await.db_cluster_status, "TRANSING");
    let moved = emu.wait_running(BJ, &crm).await;
    assert_eq!(moved.zone_ids, "cn-beijing-g");
    assert_eq!(moved.v_switch_id, "vsw-newzone");

    let analytics = emu.cluster_id(HZ, "analytics").await;
    emu.ok(
        HZ,
        &ModifyAutoRenewAttribute {
            db_cluster_ids: analytics.clone(),
            region_id: HZ.into(),
            renewal_status: Some("AutoRenewal".into()),
            duration: Some("2".into()),
            period_unit: Some("Month".into()),
            resource_group_id: None,
        },
    )
    .await;
    let renew = emu
        .ok(
            HZ,
            &DescribeAutoRenewAttribute {
                region_id: HZ.into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(renew.total_record_count, 2, "two subscription clusters");
    let item = renew
        .items
        .auto_renew_attribute
        .iter()
        .find(|i| i.db_cluster_id == analytics)
        .unwrap();
    assert!(item.auto_renew_enabled);
    assert_eq!(item.duration, 2);

    let res = emu
        .ok(
            HZ,
            &DescribeDBClusterAvailableResources {
                pay_type: "Postpaid".into(),
                db_type: Some("PostgreSQL".into()),
                db_version: Some("14".into()),
                region_id: Some(HZ.into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(res.available_zones.len(), 3);
    let engine = &res.available_zones[0].supported_engines[0];
    assert_eq!(engine.engine, "pg14");
    assert!(engine
        .available_resources
        .iter()
        .any(|r| r.db_node_class == "polar.pg.x4.medium"));

    // Deletion: Deleting, then gone.
    emu.ok(
        BJ,
        &DeleteDBCluster {
            db_cluster_id: id.clone(),
            backup_retention_policy_on_cluster_deletion: None,
        },
    )
    .await;
    assert_eq!(emu.attribute(BJ, &id).await.db_cluster_status, "Deleting");
    let mut gone = false;
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let e = emu
            .call(
                BJ,
                &DescribeDBClusterAttribute {
                    db_cluster_id: id.clone(),
                },
            )
            .await;
        if let Err(e) = e {
            assert_eq!(e.code, "InvalidDBClusterId.NotFound");
            assert_eq!(e.status, 404);
            gone = true;
            break;
        }
    }
    assert!(gone);
}

async fn security_chapter(emu: &Emu) {
    let dr = emu.cluster_id(SH, "payments-dr").await;
    let w = emu
        .ok(
            SH,
            &DescribeDBClusterAccessWhitelist {
                db_cluster_id: dr.clone(),
            },
        )
        .await;
    let groups = &w.items.db_cluster_ip_array;
    assert!(groups
        .iter()
        .any(|g| g.db_cluster_ip_array_name == "default"));
    let system = groups
        .iter()
        .find(|g| g.db_cluster_ip_array_name == "polardb_osc")
        .unwrap();
    assert_eq!(system.db_cluster_ip_array_attribute, "hidden");

    emu.ok(
        SH,
        &ModifyDBClusterAccessWhitelist {
            db_cluster_id: dr.clone(),
            db_cluster_ip_array_name: Some("office".into()),
            security_ips: Some("10.1.1.0/24,192.168.0.7".into()),
            ..Default::default()
        },
    )
    .await;
    emu.ok(
        SH,
        &ModifyDBClusterAccessWhitelist {
            db_cluster_id: dr.clone(),
            db_cluster_ip_array_name: Some("office".into()),
            security_ips: Some("172.16.0.1".into()),
            modify_mode: Some("Append".into()),
            ..Default::default()
        },
    )
    .await;
    emu.ok(
        SH,
        &ModifyDBClusterAccessWhitelist {
            db_cluster_id: dr.clone(),
            white_list_type: Some("SecurityGroup".into()),
            security_group_ids: Some("sg-bp1abc,sg-bp1def".into()),
            ..Default::default()
        },
    )
    .await;
    let w = emu
        .ok(
            SH,
            &DescribeDBClusterAccessWhitelist {
                db_cluster_id: dr.clone(),
            },
        )
        .await;
    let office = w
        .items
        .db_cluster_ip_array
        .iter()
        .find(|g| g.db_cluster_ip_array_name == "office")
        .unwrap();
    assert_eq!(office.security_ips, "10.1.1.0/24,192.168.0.7,172.16.0.1");
    assert_eq!(
        w.db_cluster_security_groups.db_cluster_security_group.len(),
        2
    );

    let ssl = emu
        .ok(
            SH,
            &DescribeDBClusterSSL {
                db_cluster_id: dr.clone(),
            },
        )
        .await;
    assert_eq!(ssl.items.len(), 2);
    assert!(ssl.items.iter().all(|i| i.ssl_enabled == "Disabled"));
    emu.ok(
        SH,
        &ModifyDBClusterSSL {
            db_cluster_id: dr.clone(),
            ssl_enabled: Some("Enable".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        emu.attribute(SH, &dr).await.db_cluster_status,
        "SSL_MODIFYING"
    );
    emu.wait_running(SH, &dr).await;
    let ssl = emu
        .ok(
            SH,
            &DescribeDBClusterSSL {
                db_cluster_id: dr.clone(),
            },
        )
        .await;
    assert!(ssl
        .items
        .iter()
        .all(|i| i.ssl_enabled == "Enabled" && !i.ssl_expire_time.is_empty()));
    assert!(ssl.items[0]
        .ssl_connection_string
        .ends_with(".polardb.rds.aliyuncs.com"));

    let audit = emu
        .ok(
            SH,
            &DescribeDBClusterAuditLogCollector {
                db_cluster_id: dr.clone(),
            },
        )
        .await;
    assert_eq!(audit.collector_status, "Disabled");
    emu.ok(
        SH,
        &ModifyDBClusterAuditLogCollector {
            db_cluster_id: dr.clone(),
            collector_status: "Enable".into(),
        },
    )
    .await;
    let audit = emu
        .ok(
            SH,
            &DescribeDBClusterAuditLogCollector {
                db_cluster_id: dr.clone(),
            },
        )
        .await;
    assert_eq!(audit.collector_status, "Enable");
}

async fn nodes_chapter(emu: &Emu) {
    let dr = emu.cluster_id(SH, "payments-dr").await;
    let class = emu.attribute(SH, &dr).await.db_nodes[0]
        .db_node_class
        .clone();
    let added = emu
        .ok(
            SH,
            &CreateDBNodes {
                db_cluster_id: dr.clone(),
                db_node: vec![DBNodeParam {
                    target_class: Some(class.clone()),
                    zone_id: None,
                }],
                ..Default::default()
            },
        )
        .await;
    assert_eq!(added.db_cluster_id, dr);
    let new_node = added.db_node_ids.db_node_id[0].clone();
    let a = emu.attribute(SH, &dr).await;
    assert_eq!(a.db_cluster_status, "DBNodeCreating");
    let node = a
        .db_nodes
        .iter()
        .find(|n| n.db_node_id == new_node)
        .unwrap();
    assert_eq!(node.db_node_status, "Creating");
    let a = emu.wait_running(SH, &dr).await;
    assert_eq!(a.db_nodes.len(), 3);

    emu.ok(
        SH,
        &RestartDBNode {
            db_node_id: new_node.clone(),
        },
    )
    .await;
    assert_eq!(emu.attribute(SH, &dr).await.db_cluster_status, "Rebooting");
    emu.wait_running(SH, &dr).await;

    let changed = emu
        .ok(
            SH,
            &ModifyDBNodeClass {
                db_cluster_id: dr.clone(),
                db_node_target_class: "polar.pg.x4.xlarge".into(),
                modify_type: "Upgrade".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(!changed.order_id.is_empty());
    assert_eq!(
        emu.attribute(SH, &dr).await.db_cluster_status,
        "ClassChanging"
    );
    let a = emu.wait_running(SH, &dr).await;
    assert!(a
        .db_nodes
        .iter()
        .all(|n| n.db_node_class == "polar.pg.x4.xlarge"));

    emu.ok(
        SH,
        &DeleteDBNodes {
            db_cluster_id: dr.clone(),
            db_node_id: vec![new_node.clone()],
            client_token: None,
        },
    )
    .await;
    assert_eq!(
        emu.attribute(SH, &dr).await.db_cluster_status,
        "DBNodeDeleting"
    );
    let a = emu.wait_running(SH, &dr).await;
    assert_eq!(a.db_nodes.len(), 2);
    assert!(a.db_nodes.iter().all(|n| n.db_node_id != new_node));
}

async fn parameters_chapter(emu: &Emu) {
    let analytics = emu.cluster_id(HZ, "analytics").await;
    let p = emu
        .ok(
            HZ,
            &DescribeDBClusterParameters {
                db_cluster_id: analytics.clone(),
            },
        )
        .await;
    assert_eq!(p.db_type, "PostgreSQL");
    let params = &p.running_parameters.parameter;
    assert!(params.len() >= 30);
    assert_eq!(p.parameter_numbers, params.len().to_string());
    let work_mem = params
        .iter()
        .find(|x| x.parameter_name == "work_mem")
        .unwrap();
    assert_eq!(work_mem.parameter_value, "65536");
    assert_eq!(work_mem.default_parameter_value, "4096");
    assert!(params
        .iter()
        .any(|x| x.parameter_name == "max_connections" && x.force_restart));

    // No restart needed: applied at once.
    emu.ok(
        HZ,
        &ModifyDBClusterParameters {
            db_cluster_id: analytics.clone(),
            parameters: Some(r#"{"log_statement":"ddl"}"#.into()),
            parameter_group_id: None,
        },
    )
    .await;
    assert_eq!(
        emu.attribute(HZ, &analytics).await.db_cluster_status,
        "Running"
    );
    // Restart needed: the cluster reboots.
    emu.ok(
        HZ,
        &ModifyDBClusterParameters {
            db_cluster_id: analytics.clone(),
            parameters: Some(r#"{"max_connections":"3000"}"#.into()),
            parameter_group_id: None,
        },
    )
    .await;
    assert_eq!(
        emu.attribute(HZ, &analytics).await.db_cluster_status,
        "Rebooting"
    );
    emu.wait_running(HZ, &analytics).await;
    let p = emu
        .ok(
            HZ,
            &DescribeDBClusterParameters {
                db_cluster_id: analytics.clone(),
            },
        )
        .await;
    let value = |name: &str| {
        p.running_parameters
            .parameter
            .iter()
            .find(|x| x.parameter_name == name)
            .unwrap()
            .parameter_value
            .clone()
    };
    assert_eq!(value("log_statement"), "ddl");
    assert_eq!(value("max_connections"), "3000");
}

async fn endpoints_chapter(emu: &Emu) {
    let edge = emu.cluster_id(SG, "sg-edge").await;
    let e = emu
        .ok(
            SG,
            &DescribeDBClusterEndpoints {
                db_cluster_id: edge.clone(),
                db_endpoint_id: None,
            },
        )
        .await;
    assert_eq!(e.items.len(), 2);
    let primary = e
        .items
        .iter()
        .find(|x| x.endpoint_type == "Primary")
        .unwrap();
    assert_eq!(primary.node_with_roles, "Writer");
    assert_eq!(primary.address_items[0].net_type, "Private");
    assert_eq!(primary.address_items[0].port, "5432");
    let cluster_ep = e
        .items
        .iter()
        .find(|x| x.endpoint_type == "Cluster")
        .unwrap();
    assert_eq!(cluster_ep.node_with_roles, "Writer,Reader1");

    emu.ok(
        SG,
        &CreateDBClusterEndpoint {
            db_cluster_id: edge.clone(),
            endpoint_type: "Custom".into(),
            nodes: Some("Reader1".into()),
            read_write_mode: Some("ReadOnly".into()),
            db_endpoint_description: Some("reports".into()),
            ..Default::default()
        },
    )
    .await;
    let e = emu
        .ok(
            SG,
            &DescribeDBClusterEndpoints {
                db_cluster_id: edge.clone(),
                db_endpoint_id: None,
            },
        )
        .await;
    assert_eq!(e.items.len(), 3);
    let custom = e
        .items
        .iter()
        .find(|x| x.endpoint_type == "Custom")
        .unwrap()
        .clone();
    assert_eq!(custom.db_endpoint_description, "reports");
    assert_eq!(custom.node_with_roles, "Reader1");
    assert_eq!(custom.read_write_mode, "ReadOnly");
    let eid = custom.db_endpoint_id.clone();

    emu.ok(
        SG,
        &ModifyDBClusterEndpoint {
            db_cluster_id: edge.clone(),
            db_endpoint_id: eid.clone(),
            db_endpoint_description: Some("reports-v2".into()),
            auto_add_new_nodes: Some("Enable".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        emu.attribute(SG, &edge).await.db_cluster_status,
        "CONFIG_SWITCHING"
    );
    emu.wait_running(SG, &edge).await;

    emu.ok(
        SG,
        &CreateDBEndpointAddress {
            db_cluster_id: edge.clone(),
            db_endpoint_id: eid.clone(),
            net_type: "Public".into(),
            connection_string_prefix: Some("sg-edge-reports".into()),
        },
    )
    .await;
    assert_eq!(
        emu.attribute(SG, &edge).await.db_cluster_status,
        "NetAddressCreating"
    );
    emu.wait_running(SG, &edge).await;
    let one = emu
        .ok(
            SG,
            &DescribeDBClusterEndpoints {
                db_cluster_id: edge.clone(),
                db_endpoint_id: Some(eid.clone()),
            },
        )
        .await;
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.items[0].db_endpoint_description, "reports-v2");
    assert_eq!(one.items[0].auto_add_new_nodes, "Enable");
    let public = one.items[0]
        .address_items
        .iter()
        .find(|a| a.net_type == "Public")
        .unwrap();
    assert!(public.connection_string.starts_with("sg-edge-reports."));
    assert!(public.ip_address.starts_with("47."));

    emu.ok(
        SG,
        &ModifyDBEndpointAddress {
            db_cluster_id: edge.clone(),
            db_endpoint_id: eid.clone(),
            net_type: "Public".into(),
            connection_string_prefix: Some("sg-edge-reports2".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        emu.attribute(SG, &edge).await.db_cluster_status,
        "NetAddressModifying"
    );
    emu.wait_running(SG, &edge).await;
    let one = emu
        .ok(
            SG,
            &DescribeDBClusterEndpoints {
                db_cluster_id: edge.clone(),
                db_endpoint_id: Some(eid.clone()),
            },
        )
        .await;
    assert!(one.items[0]
        .address_items
        .iter()
        .any(|a| a.connection_string.starts_with("sg-edge-reports2.")));

    emu.ok(
        SG,
        &DeleteDBEndpointAddress {
            db_cluster_id: edge.clone(),
            db_endpoint_id: eid.clone(),
            net_type: "Public".into(),
        },
    )
    .await;
    assert_eq!(
        emu.attribute(SG, &edge).await.db_cluster_status,
        "NetAddressDeleting"
    );
    emu.wait_running(SG, &edge).await;
    emu.ok(
        SG,
        &DeleteDBClusterEndpoint {
            db_cluster_id: edge.clone(),
            db_endpoint_id: eid.clone(),
        },
    )
    .await;
    let e = emu
        .ok(
            SG,
            &DescribeDBClusterEndpoints {
                db_cluster_id: edge.clone(),
                db_endpoint_id: None,
            },
        )
        .await;
    assert_eq!(e.items.len(), 2);
}

async fn accounts_and_databases_chapters(emu: &Emu) {
    let gdpr = emu.cluster_id(EU, "eu-gdpr").await;
    emu.ok(
        EU,
        &CheckAccountName {
            db_cluster_id: gdpr.clone(),
            account_name: "reporter".into(),
        },
    )
    .await;
    emu.ok(
        EU,
        &CreateAccount {
            db_cluster_id: gdpr.clone(),
            account_name: "reporter".into(),
            account_password: "Pass1234!".into(),
            account_type: Some("Normal".into()),
            account_description: Some("monthly reports".into()),
            ..Default::default()
        },
    )
    .await;
    emu.ok(
        EU,
        &ModifyAccountDescription {
            db_cluster_id: gdpr.clone(),
            account_name: "reporter".into(),
            account_description: "weekly reports".into(),
        },
    )
    .await;
    emu.ok(
        EU,
        &ModifyAccountPassword {
            db_cluster_id: gdpr.clone(),
            account_name: "reporter".into(),
            new_account_password: "Other5678@".into(),
        },
    )
    .await;
    let accounts = emu
        .ok(
            EU,
            &DescribeAccounts {
                db_cluster_id: gdpr.clone(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(accounts.accounts.len(), 3);
    let reporter = accounts
        .accounts
        .iter()
        .find(|a| a.account_name == "reporter")
        .unwrap();
    assert_eq!(reporter.account_type, "Normal");
    assert_eq!(reporter.account_status, "Available");
    assert_eq!(reporter.account_description, "weekly reports");
    let admin = accounts
        .accounts
        .iter()
        .find(|a| a.account_type == "Super")
        .unwrap();
    assert!(admin.database_privileges.is_empty());

    let vars = emu
        .ok(
            EU,
            &DescribeDBInitializeVariable {
                db_cluster_id: gdpr.clone(),
            },
        )
        .await;
    assert_eq!(vars.db_type, "PostgreSQL");
    assert!(vars
        .variables
        .variable
        .iter()
        .any(|v| v.charset == "UTF8" && v.collate == "en_US.utf8" && v.ctype == "en_US.utf8"));
    assert!(vars
        .variables
        .variable
        .iter()
        .any(|v| v.charset == "EUC_CN"));

    let checked = emu
        .ok(
            EU,
            &CheckDBName {
                db_cluster_id: gdpr.clone(),
                db_name: "reports".into(),
            },
        )
        .await;
    assert_eq!(checked.db_name, "reports");
    emu.ok(
        EU,
        &CreateDatabase {
            db_cluster_id: gdpr.clone(),
            db_name: "reports".into(),
            character_set_name: "UTF8".into(),
            db_description: Some("report tables".into()),
            account_name: Some("reporter".into()),
            account_privilege: Some("ReadWrite".into()),
            collate: Some("en_US.utf8".into()),
            ctype: Some("en_US.utf8".into()),
        },
    )
    .await;
    let dbs = emu
        .ok(
            EU,
            &DescribeDatabases {
                db_cluster_id: gdpr.clone(),
                db_name: Some("reports".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(dbs.databases.database.len(), 1);
    let db = &dbs.databases.database[0];
    assert_eq!(db.character_set_name, "UTF8");
    assert_eq!(db.db_status, "Running");
    assert_eq!(db.engine, "PostgreSQL");
    assert_eq!(db.accounts.account[0].account_name, "reporter");
    let accounts = emu
        .ok(
            EU,
            &DescribeAccounts {
                db_cluster_id: gdpr.clone(),
                account_name: Some("reporter".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(
        accounts.accounts[0].database_privileges[0].db_name,
        "reports"
    );

    // The owner of a database cannot go first.
    emu.expect(
        EU,
        &DeleteAccount {
            db_cluster_id: gdpr.clone(),
            account_name: "reporter".into(),
        },
        "AccountActionForbidden",
        403,
    )
    .await;
    emu.ok(
        EU,
        &DeleteDatabase {
            db_cluster_id: gdpr.clone(),
            db_name: "reports".into(),
        },
    )
    .await;
    emu.ok(
        EU,
        &DeleteAccount {
            db_cluster_id: gdpr.clone(),
            account_name: "reporter".into(),
        },
    )
    .await;
    let dbs = emu
        .ok(
            EU,
            &DescribeDatabases {
                db_cluster_id: gdpr.clone(),
                ..Default::default()
            },
        )
        .await;
    assert!(dbs
        .databases
        .database
        .iter()
        .all(|d| d.db_name != "reports"));
}

async fn backups_chapter(emu: &Emu) {
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let policy = emu
        .ok(
            HZ,
            &DescribeBackupPolicy {
                db_cluster_id: prod.clone(),
            },
        )
        .await;
    assert_eq!(policy.data_level1_backup_retention_period, "7");
    assert!(!policy.preferred_next_backup_time.is_empty());
    emu.ok(
        HZ,
        &ModifyBackupPolicy {
            db_cluster_id: prod.clone(),
            preferred_backup_period: Some("Monday,Friday".into()),
            preferred_backup_time: Some("03:00Z-04:00Z".into()),
            data_level1_backup_retention_period: Some("10".into()),
            data_level2_backup_retention_period: Some("60".into()),
            ..Default::default()
        },
    )
    .await;
    let policy = emu
        .ok(
            HZ,
            &DescribeBackupPolicy {
                db_cluster_id: prod.clone(),
            },
        )
        .await;
    assert_eq!(policy.preferred_backup_period, "Monday,Friday");
    assert_eq!(policy.data_level1_backup_time, "03:00Z-04:00Z");
    assert_eq!(policy.data_level1_backup_retention_period, "10");
    assert_eq!(policy.data_level2_backup_retention_period, "60");

    let log = emu
        .ok(
            HZ,
            &DescribeLogBackupPolicy {
                db_cluster_id: prod.clone(),
            },
        )
        .await;
    assert_eq!(log.enable_backup_log, 1);
    assert_eq!(log.log_backup_retention_period, 7);
    emu.ok(
        HZ,
        &ModifyLogBackupPolicy {
            db_cluster_id: prod.clone(),
            log_backup_retention_period: Some("30".into()),
            log_backup_another_region_region: Some("cn-shanghai".into()),
            log_backup_another_region_retention_period: Some("30".into()),
            advanced_log_policies: None,
        },
    )
    .await;
    let log = emu
        .ok(
            HZ,
            &DescribeLogBackupPolicy {
                db_cluster_id: prod.clone(),
            },
        )
        .await;
    assert_eq!(log.log_backup_retention_period, 30);
    assert_eq!(log.log_backup_another_region_region, "cn-shanghai");

    let range = (minute(now_ms() - 8 * DAY), minute(now_ms() + HOUR));
    let backups = emu
        .ok(
            HZ,
            &DescribeBackups {
                db_cluster_id: prod.clone(),
                start_time: range.0.clone(),
                end_time: range.1.clone(),
                ..Default::default()
            },
        )
        .await;
    let before: usize = backups.total_record_count.parse().unwrap();
    assert!(before >= 2, "{backups:?}");
    assert!(backups
        .items
        .backup
        .iter()
        .any(|b| b.backup_mode == "Automated" && b.store_status == "Disabled"));
    assert!(backups
        .items
        .backup
        .iter()
        .all(|b| b.backup_status == "Success"
            && b.backup_method == "Snapshot"
            && b.db_cluster_id == prod));

    let job = emu
        .ok(
            HZ,
            &CreateBackup {
                db_cluster_id: prod.clone(),
                client_token: None,
            },
        )
        .await;
    assert!(!job.backup_job_id.is_empty());
    let tasks = emu
        .ok(
            HZ,
            &DescribeBackupTasks {
                db_cluster_id: prod.clone(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(tasks.items.backup_job.len(), 1);
    let t = &tasks.items.backup_job[0];
    assert_eq!(t.backup_job_id, job.backup_job_id);
    assert_eq!(t.job_mode, "Manual");
    assert!(["Preparing", "Uploading", "Checking"].contains(&t.backup_progress_status.as_str()));
    // The job finishes into a backup set.
    let mut found = None;
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let b = emu
            .ok(
                HZ,
                &DescribeBackups {
                    db_cluster_id: prod.clone(),
                    start_time: range.0.clone(),
                    end_time: minute(now_ms() + HOUR),
                    backup_id: Some(job.backup_job_id.clone()),
                    ..Default::default()
                },
            )
            .await;
        if let Some(x) = b.items.backup.into_iter().next() {
            found = Some(x);
            break;
        }
    }
    let set = found.expect("the backup set appears");
    assert_eq!(set.backup_mode, "Manual");
    assert_eq!(set.backup_status, "Success");
    assert_eq!(set.store_status, "Enabled");
    let done = emu
        .ok(
            HZ,
            &DescribeBackupTasks {
                db_cluster_id: prod.clone(),
                backup_job_id: Some(job.backup_job_id.clone()),
                backup_mode: None,
            },
        )
        .await;
    assert_eq!(done.items.backup_job[0].backup_progress_status, "Finished");
    assert_eq!(done.items.backup_job[0].process, "100");
    emu.ok(
        HZ,
        &DeleteBackup {
            db_cluster_id: prod.clone(),
            backup_id: job.backup_job_id.clone(),
        },
    )
    .await;
    let after = emu
        .ok(
            HZ,
            &DescribeBackups {
                db_cluster_id: prod.clone(),
                start_time: range.0.clone(),
                end_time: minute(now_ms() + HOUR),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(after.total_record_count, before.to_string());

    let logs = emu
        .ok(
            HZ,
            &DescribeBackupLogs {
                db_cluster_id: prod.clone(),
                start_time: minute(now_ms() - 6 * HOUR),
                end_time: minute(now_ms()),
                ..Default::default()
            },
        )
        .await;
    let n: usize = logs.total_record_count.parse().unwrap();
    assert!((5..=6).contains(&n), "{n}");
    let l = &logs.items.backup_log[0];
    assert!(l.download_link.starts_with("http://"));
    assert!(l.intranet_download_link.contains("-internal."));
    assert!(l.backup_log_size.parse::<i64>().unwrap() > 0);

    let with = emu
        .ok(
            HZ,
            &DescribeDBClustersWithBackups {
                region_id: HZ.into(),
                is_deleted: Some(1),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(with.total_record_count, 1);
    let legacy = &with.items.db_cluster[0];
    assert_eq!(legacy.db_cluster_description, "legacy-reporting");
    assert_eq!(legacy.is_deleted, 1);
    assert!(!legacy.deleted_time.is_empty());
    let all = emu
        .ok(
            HZ,
            &DescribeDBClustersWithBackups {
                region_id: HZ.into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(all.total_record_count, 4);
    let detached = emu
        .ok(
            HZ,
            &DescribeDetachedBackups {
                db_cluster_id: legacy.db_cluster_id.clone(),
                start_time: minute(now_ms() - 90 * DAY),
                end_time: minute(now_ms()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(detached.total_record_count, "3");
    assert!(detached
        .items
        .backup
        .iter()
        .all(|b| b.backups_level == "Level-2" && b.db_cluster_id == legacy.db_cluster_id));
}

async fn tags_chapter(emu: &Emu) {
    let analytics = emu.cluster_id(HZ, "analytics").await;
    emu.ok(
        HZ,
        &TagResources {
            region_id: HZ.into(),
            resource_type: "cluster".into(),
            resource_id: vec![analytics.clone()],
            tag: vec![
                TagParam {
                    key: "owner".into(),
                    value: "alice".into(),
                },
                TagParam {
                    key: "env".into(),
                    value: "analytics".into(),
                },
            ],
        },
    )
    .await;
    let listed = emu
        .ok(
            HZ,
            &ListTagResources {
                region_id: HZ.into(),
                resource_type: "cluster".into(),
                resource_id: vec![analytics.clone()],
                ..Default::default()
            },
        )
        .await;
    let tags = &listed.tag_resources.tag_resource;
    assert_eq!(tags.len(), 3, "env was overwritten: {tags:?}");
    assert!(tags
        .iter()
        .any(|t| t.tag_key == "env" && t.tag_value == "analytics"));
    assert!(tags.iter().all(|t| t.resource_type == "cluster"));
    let by_tag = emu
        .ok(
            HZ,
            &ListTagResources {
                region_id: HZ.into(),
                resource_type: "cluster".into(),
                tag: vec![TagParam {
                    key: "team".into(),
                    value: "orders".into(),
                }],
                ..Default::default()
            },
        )
        .await;
    assert_eq!(by_tag.tag_resources.tag_resource.len(), 2);
    emu.ok(
        HZ,
        &UntagResources {
            region_id: HZ.into(),
            resource_type: "cluster".into(),
            resource_id: vec![analytics.clone()],
            tag_key: vec!["owner".into()],
            all: None,
        },
    )
    .await;
    let a = emu.attribute(HZ, &analytics).await;
    assert!(a.tags.iter().all(|t| t.key != "owner"));
    assert_eq!(a.tags.len(), 2);
}

async fn maintenance_chapter(emu: &Emu) {
    let counts = emu
        .ok(
            HZ,
            &DescribePendingMaintenanceActions {
                region_id: HZ.into(),
                is_history: None,
            },
        )
        .await;
    assert!(counts
        .type_list
        .iter()
        .any(|t| t.task_type == "DatabaseSoftwareUpgrading" && t.count == 1));
    let all = emu
        .ok(
            HZ,
            &DescribePendingMaintenanceAction {
                region: "all".into(),
                task_type: "all".into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(all.total_record_count, 3);
    let event = all.items.iter().find(|e| e.id == 10_001).unwrap().clone();
    assert_eq!(event.status, 3);
    assert_eq!(event.db_type, "PostgreSQL");
    let history = emu
        .ok(
            HZ,
            &DescribePendingMaintenanceAction {
                region: "all".into(),
                task_type: "all".into(),
                is_history: Some(1),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(history.total_record_count, 2);
    assert!(history
        .items
        .iter()
        .any(|e| e.status == 7 && e.result_info == "manualCancel"));

    let switch = minute(now_ms() + 2 * DAY);
    let modified = emu
        .ok(
            HZ,
            &ModifyPendingMaintenanceAction {
                ids: "10001".into(),
                switch_time: switch.clone(),
                region_id: None,
            },
        )
        .await;
    assert_eq!(modified.ids, "10001");
    let one = emu
        .ok(
            HZ,
            &DescribePendingMaintenanceAction {
                region: HZ.into(),
                task_type: "DatabaseSoftwareUpgrading".into(),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(one.items.len(), 1);
    assert_eq!(
        one.items[0].switch_time,
        format!("{}:00Z", switch.trim_end_matches('Z'))
    );
}

async fn schedule_chapter(emu: &Emu) {
    let tasks = emu
        .ok(
            "",
            &DescribeScheduleTasks {
                ..Default::default()
            },
        )
        .await;
    assert!(tasks.success);
    assert!(tasks.data.total_record_count >= 3);
    let pending = tasks
        .data
        .timer_infos
        .iter()
        .find(|t| t.status == "pending")
        .unwrap()
        .clone();
    assert_eq!(pending.action, "ModifyDBNodeClass");
    assert!(pending.task_cancel);
    assert!(!pending.order_id.is_empty());
    emu.ok(
        HZ,
        &CancelScheduleTasks {
            db_cluster_id: pending.db_cluster_id.clone(),
            task_id: pending.task_id.clone(),
        },
    )
    .await;
    let after = emu
        .ok(
            HZ,
            &DescribeScheduleTasks {
                db_cluster_id: Some(pending.db_cluster_id.clone()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(after.data.timer_infos[0].status, "cancel");
    assert!(!after.data.timer_infos[0].task_cancel);
}

async fn monitoring_chapter(emu: &Emu) {
    let pay = emu.cluster_id(SH, "payments-prod").await;
    let m = emu
        .ok(
            SH,
            &DescribeDBClusterMonitor {
                db_cluster_id: pay.clone(),
            },
        )
        .await;
    assert_eq!(m.period, "5");
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    emu.ok(
        HZ,
        &ModifyDBClusterMonitor {
            db_cluster_id: prod.clone(),
            period: "5".into(),
        },
    )
    .await;
    let m = emu
        .ok(
            HZ,
            &DescribeDBClusterMonitor {
                db_cluster_id: prod.clone(),
            },
        )
        .await;
    assert_eq!(m.period, "5");

    // 30 minutes at 5-second collection: 5-second points.
    let end = now_ms() - 5 * 60_000;
    let start = end - 30 * 60_000;
    let perf = emu
        .ok(
            HZ,
            &DescribeDBClusterPerformance {
                db_cluster_id: prod.clone(),
                key: "PolarDBCPU,PolarDBDiskUsage".into(),
                start_time: minute(start),
                end_time: minute(end),
            },
        )
        .await;
    assert_eq!(perf.db_type, "PostgreSQL");
    let items = &perf.performance_keys.performance_item;
    assert_eq!(
        items.len(),
        3 * 3 + 5,
        "three CPU metrics per node, five disk metrics"
    );
    let cpu = items
        .iter()
        .find(|i| i.metric_name == "cpu_ratio" && !i.db_node_id.is_empty())
        .unwrap();
    let points = &cpu.points.performance_item_value;
    assert_eq!(points.len(), 361);
    assert_eq!(points[1].timestamp - points[0].timestamp, 5_000);
    assert!(points
        .iter()
        .all(|p| (0.0..=100.0).contains(&p.value.parse::<f64>().unwrap())));
    assert!(items
        .iter()
        .filter(|i| i.measurement == "PolarDBDiskUsage")
        .all(|i| i.db_node_id.is_empty()));
    // The same range gives the same values.
    let again = emu
        .ok(
            HZ,
            &DescribeDBClusterPerformance {
                db_cluster_id: prod.clone(),
                key: "PolarDBCPU,PolarDBDiskUsage".into(),
                start_time: minute(start),
                end_time: minute(end),
            },
        )
        .await;
    assert_eq!(again.performance_keys, perf.performance_keys);

    let writer = emu.attribute(HZ, &prod).await.db_nodes[0]
        .db_node_id
        .clone();
    let node = emu
        .ok(
            HZ,
            &DescribeDBNodePerformance {
                db_node_id: writer.clone(),
                db_cluster_id: Some(prod.clone()),
                key: "PolarDBConnections".into(),
                start_time: minute(now_ms() - DAY),
                end_time: minute(now_ms()),
            },
        )
        .await;
    assert_eq!(node.db_node_id, writer);
    assert_eq!(node.performance_keys.performance_item.len(), 4);
    let p = &node.performance_keys.performance_item[0]
        .points
        .performance_item_value;
    assert!(p.len() > 1000);
    assert_eq!(p[1].timestamp - p[0].timestamp, 60_000);
}
