//! Documented error answers, at least one per family of actions: required parameters,
//! unknown resources, enumerations and the reference's rules for names, passwords, texts,
//! maintenance windows, IP lists, tags, times and metric keys.

mod common;

use common::*;
use polardb::models::*;

const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";

#[tokio::test]
async fn cluster_errors() {
    let emu = Emu::seeded(20).await;
    let staging = emu.cluster_id(HZ, "orders-staging").await;
    emu.expect(
        HZ,
        &DescribeDBClusterAttribute {
            db_cluster_id: "pc-doesnotexist1".into(),
        },
        "InvalidDBClusterId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeDBClusterAttribute {
            db_cluster_id: String::new(),
        },
        "MissingDBClusterId",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBClusterMaintainTime {
            db_cluster_id: staging.clone(),
            maintain_time: "02:30Z-03:30Z".into(),
        },
        "InvalidMaintainTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBClusterMaintainTime {
            db_cluster_id: staging.clone(),
            maintain_time: "02:00Z-04:00Z".into(),
        },
        "InvalidMaintainTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBClusterDescription {
            db_cluster_id: staging.clone(),
            db_cluster_description: "http://orders".into(),
        },
        "InvalidDBClusterDescription.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBClusterDescription {
            db_cluster_id: staging.clone(),
            db_cluster_description: "x".into(),
        },
        "InvalidDBClusterDescription.Malformed",
        400,
    )
    .await;
    let base = CreateDBCluster {
        region_id: HZ.into(),
        db_type: "PostgreSQL".into(),
        db_version: "14".into(),
        db_node_class: "polar.pg.x4.medium".into(),
        pay_type: "Postpaid".into(),
        ..Default::default()
    };
    emu.expect(
        HZ,
        &CreateDBCluster {
            zone_id: Some("cn-shanghai-e".into()),
            ..base.clone()
        },
        "Location.FailedGetSubDomain",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBCluster {
            pay_type: "Prepaid".into(),
            ..base.clone()
        },
        "MissingPeriod",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBCluster {
            pay_type: "Prepaid".into(),
            period: Some("Year".into()),
            used_time: Some("5".into()),
            ..base.clone()
        },
        "InvalidUsedTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBCluster {
            db_version: "9.6".into(),
            ..base.clone()
        },
        "InvalidEngineVersion.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBCluster {
            cluster_network_type: Some("Classic".into()),
            ..base.clone()
        },
        "InvalidClusterNetworkType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBCluster {
            backup_retention_policy_on_cluster_deletion: Some("SOME".into()),
            ..base.clone()
        },
        "InvalidBackupRetentionPolicyOnClusterDeletion.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBCluster {
            vpc_id: Some("vpc-1".into()),
            ..base.clone()
        },
        "MissingVSwitchId",
        400,
    )
    .await;
    emu.expect(
        "cn-nowhere",
        &DescribeDBClusters {
            region_id: "cn-nowhere".into(),
            ..Default::default()
        },
        "InvalidRegionId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeTasks {
            db_cluster_id: Some(staging.clone()),
            start_time: String::new(),
            end_time: minute(now_ms()),
            ..Default::default()
        },
        "MissingStartTime",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeTasks {
            db_cluster_id: Some(staging.clone()),
            start_time: minute(now_ms()),
            end_time: minute(now_ms() - DAY),
            ..Default::default()
        },
        "InvalidStartTimeAndEndTime.Malformed",
        400,
    )
    .await;
    let writer = emu.attribute(HZ, &staging).await.db_nodes[0]
        .db_node_id
        .clone();
    emu.expect(
        HZ,
        &FailoverDBCluster {
            db_cluster_id: staging.clone(),
            target_db_node_id: None,
            client_token: None,
        },
        "MissingTargetDBNodeId",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &FailoverDBCluster {
            db_cluster_id: staging.clone(),
            target_db_node_id: Some(writer),
            client_token: None,
        },
        "InvalidTargetDBNodeId.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyAutoRenewAttribute {
            db_cluster_ids: staging.clone(),
            region_id: HZ.into(),
            renewal_status: Some("AutoRenewal".into()),
            duration: Some("1".into()),
            period_unit: None,
            resource_group_id: None,
        },
        "OperationDenied.DBClusterPayType",
        403,
    )
    .await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    emu.expect(
        HZ,
        &ModifyAutoRenewAttribute {
            db_cluster_ids: prod,
            region_id: HZ.into(),
            renewal_status: Some("AutoRenewal".into()),
            duration: Some("5".into()),
            period_unit: Some("Month".into()),
            resource_group_id: None,
        },
        "InvalidDuration.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeDBClusterAvailableResources {
            pay_type: "Free".into(),
            ..Default::default()
        },
        "InvalidPayType.ValueNotSupported",
        400,
    )
    .await;
}

#[tokio::test]
async fn security_errors() {
    let emu = Emu::seeded(20).await;
    let dr = emu.cluster_id(SH, "payments-dr").await;
    let ip = |name: &str, ips: &str| ModifyDBClusterAccessWhitelist {
        db_cluster_id: dr.clone(),
        db_cluster_ip_array_name: Some(name.into()),
        security_ips: Some(ips.into()),
        ..Default::default()
    };
    emu.expect(
        SH,
        &ip("default", "10.0.0.256"),
        "InvalidSecurityIps.Malformed",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ip("default", "10.0.0.0/33"),
        "InvalidSecurityIps.Malformed",
        400,
    )
    .await;
    let many: Vec<String> = (0..1001)
        .map(|k| format!("10.{}.{}.1", k / 250, k % 250))
        .collect();
    emu.expect(
        SH,
        &ip("default", &many.join(",")),
        "InvalidSecurityIPsLength.Malformed",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ip("Office", "10.0.0.1"),
        "InvalidDBClusterIPArrayName.Malformed",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ip("polardb_osc", "10.0.0.1"),
        "InvalidDBClusterIPArrayName.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ModifyDBClusterAccessWhitelist {
            db_cluster_id: dr.clone(),
            db_cluster_ip_array_name: Some("default".into()),
            ..Default::default()
        },
        "MissingSecurityIps",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ModifyDBClusterAccessWhitelist {
            db_cluster_id: dr.clone(),
            white_list_type: Some("SecurityGroup".into()),
            security_group_ids: Some("sg-a1,sg-a2,sg-a3,sg-a4".into()),
            ..Default::default()
        },
        "InvalidSecurityGroupIds.Malformed",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ModifyDBClusterAccessWhitelist {
            white_list_type: Some("Firewall".into()),
            ..ip("default", "10.0.0.1")
        },
        "InvalidWhiteListType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ModifyDBClusterSSL {
            db_cluster_id: dr.clone(),
            ssl_enabled: Some("Update".into()),
            ..Default::default()
        },
        "OperationDenied.SSLStatus",
        403,
    )
    .await;
    emu.expect(
        SH,
        &ModifyDBClusterSSL {
            db_cluster_id: dr.clone(),
            ssl_enabled: Some("On".into()),
            ..Default::default()
        },
        "InvalidSSLEnabled.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ModifyDBClusterAuditLogCollector {
            db_cluster_id: dr.clone(),
            collector_status: "Maybe".into(),
        },
        "InvalidCollectorStatus.ValueNotSupported",
        400,
    )
    .await;
}

#[tokio::test]
async fn node_and_parameter_errors() {
    let emu = Emu::seeded(20).await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let a = emu.attribute(HZ, &prod).await;
    let writer = a.db_nodes[0].db_node_id.clone();
    emu.expect(
        HZ,
        &DeleteDBNodes {
            db_cluster_id: prod.clone(),
            db_node_id: vec![writer],
            client_token: None,
        },
        "OperationDenied.DBNodeRole",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &DeleteDBNodes {
            db_cluster_id: prod.clone(),
            db_node_id: vec![],
            client_token: None,
        },
        "MissingDBNodeId.1",
        400,
    )
    .await;
    let crm_region = "cn-beijing";
    let crm = emu.cluster_id(crm_region, "crm").await;
    let reader = emu.attribute(crm_region, &crm).await.db_nodes[1]
        .db_node_id
        .clone();
    emu.expect(
        crm_region,
        &DeleteDBNodes {
            db_cluster_id: crm.clone(),
            db_node_id: vec![reader],
            client_token: None,
        },
        "OperationDenied.DBNodeNum",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &RestartDBNode {
            db_node_id: "pi-doesnotexist".into(),
        },
        "InvalidDBNodeId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBNodeClass {
            db_cluster_id: prod.clone(),
            db_node_target_class: "polar.pg.x4.medium".into(),
            modify_type: "Upgrade".into(),
            ..Default::default()
        },
        "InvalidDBNodeTargetClass.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBNodeClass {
            db_cluster_id: prod.clone(),
            db_node_target_class: "polar.pg.x4.large".into(),
            modify_type: "Sideways".into(),
            ..Default::default()
        },
        "InvalidModifyType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBNodeClass {
            db_cluster_id: prod.clone(),
            db_node_target_class: "polar.pg.x8.xlarge".into(),
            modify_type: "Upgrade".into(),
            planned_start_time: Some(second(now_ms() + 3 * DAY)),
            ..Default::default()
        },
        "InvalidPlannedStartTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBNodes {
            db_cluster_id: prod.clone(),
            db_node: vec![DBNodeParam {
                target_class: Some("polar.pg.x8.xlarge".into()),
                zone_id: None,
            }],
            ..Default::default()
        },
        "InvalidDBNode.1.TargetClass.Malformed",
        400,
    )
    .await;
    let params = |json: &str| ModifyDBClusterParameters {
        db_cluster_id: prod.clone(),
        parameters: Some(json.into()),
        parameter_group_id: None,
    };
    emu.expect(
        HZ,
        &params(r#"{"no_such_parameter":"1"}"#),
        "InvalidParameters.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &params(r#"{"autovacuum_vacuum_cost_limit":"20000"}"#),
        "InvalidParameters.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &params(r#"{"shared_buffers":"1000"}"#),
        "InvalidParameters.Malformed",
        400,
    )
    .await;
    emu.expect(HZ, &params("not json"), "InvalidParameters.Malformed", 400)
        .await;
}

#[tokio::test]
async fn endpoint_errors() {
    let emu = Emu::seeded(20).await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let eps = emu
        .ok(
            HZ,
            &DescribeDBClusterEndpoints {
                db_cluster_id: prod.clone(),
                db_endpoint_id: None,
            },
        )
        .await;
    let primary = eps
        .items
        .iter()
        .find(|e| e.endpoint_type == "Primary")
        .unwrap()
        .db_endpoint_id
        .clone();
    let cluster_ep = eps
        .items
        .iter()
        .find(|e| e.endpoint_type == "Cluster")
        .unwrap();
    let taken = cluster_ep
        .address_items
        .iter()
        .find(|a| a.net_type == "Public")
        .unwrap()
        .connection_string
        .split('.')
        .next()
        .unwrap()
        .to_string();
    emu.expect(
        HZ,
        &DescribeDBClusterEndpoints {
            db_cluster_id: prod.clone(),
            db_endpoint_id: Some("pe-nope".into()),
        },
        "InvalidDBEndpointId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBEndpointAddress {
            db_cluster_id: prod.clone(),
            db_endpoint_id: primary.clone(),
            net_type: "Private".into(),
            connection_string_prefix: None,
        },
        "InvalidNetType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBEndpointAddress {
            db_cluster_id: prod.clone(),
            db_endpoint_id: primary.clone(),
            net_type: "Public".into(),
            connection_string_prefix: Some("Ab".into()),
        },
        "InvalidConnectionStringPrefix.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBEndpointAddress {
            db_cluster_id: prod.clone(),
            db_endpoint_id: cluster_ep.db_endpoint_id.clone(),
            net_type: "Public".into(),
            connection_string_prefix: None,
        },
        "NetTypeExists",
        403,
    )
    .await;
    // Another endpoint of the same kind cannot take a connection string already in use.
    let custom = eps
        .items
        .iter()
        .find(|e| e.endpoint_type == "Custom")
        .unwrap()
        .db_endpoint_id
        .clone();
    emu.expect(
        HZ,
        &CreateDBEndpointAddress {
            db_cluster_id: prod.clone(),
            db_endpoint_id: custom.clone(),
            net_type: "Public".into(),
            connection_string_prefix: Some(taken),
        },
        "InvalidConnectionStringPrefix.Duplicate",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DeleteDBClusterEndpoint {
            db_cluster_id: prod.clone(),
            db_endpoint_id: primary.clone(),
        },
        "OperationDenied.EndpointType",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &DeleteDBEndpointAddress {
            db_cluster_id: prod.clone(),
            db_endpoint_id: primary.clone(),
            net_type: "Public".into(),
        },
        "InvalidDBClusterNetType.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBClusterEndpoint {
            db_cluster_id: prod.clone(),
            endpoint_type: "Custom".into(),
            nodes: Some("Reader1,Reader2".into()),
            read_write_mode: Some("ReadWrite".into()),
            ..Default::default()
        },
        "InvalidNodes.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBClusterEndpoint {
            db_cluster_id: prod.clone(),
            endpoint_type: "Custom".into(),
            read_write_mode: Some("ReadOnly".into()),
            endpoint_config: Some(r#"{"ConsistLevel":"1"}"#.into()),
            ..Default::default()
        },
        "InvalidEndpointConfig.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDBClusterEndpoint {
            db_cluster_id: prod.clone(),
            endpoint_type: "Cluster".into(),
            ..Default::default()
        },
        "InvalidEndpointType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBClusterEndpoint {
            db_cluster_id: prod.clone(),
            db_endpoint_id: primary.clone(),
            read_write_mode: Some("ReadOnly".into()),
            ..Default::default()
        },
        "OperationDenied.EndpointType",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBEndpointAddress {
            db_cluster_id: prod.clone(),
            db_endpoint_id: primary.clone(),
            net_type: "Private".into(),
            port: Some("80".into()),
            ..Default::default()
        },
        "InvalidPort.Malformed",
        400,
    )
    .await;
}

#[tokio::test]
async fn account_and_database_errors() {
    let emu = Emu::seeded(20).await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let check = |name: &str| CheckAccountName {
        db_cluster_id: prod.clone(),
        account_name: name.into(),
    };
    emu.expect(HZ, &check("root"), "InvalidAccountName.keyword", 400)
        .await;
    emu.expect(HZ, &check("Reporter"), "InvalidAccountName.Malformed", 400)
        .await;
    emu.expect(HZ, &check("a"), "InvalidAccountName.Malformed", 400)
        .await;
    emu.expect(HZ, &check("report_"), "InvalidAccountName.Malformed", 400)
        .await;
    emu.expect(
        HZ,
        &check("orders_app"),
        "InvalidAccountName.Duplicate",
        400,
    )
    .await;
    let create = |password: &str| CreateAccount {
        db_cluster_id: prod.clone(),
        account_name: "newbie".into(),
        account_password: password.into(),
        ..Default::default()
    };
    emu.expect(
        HZ,
        &create("password"),
        "InvalidAccountPassword.Malformed",
        400,
    )
    .await;
    emu.expect(HZ, &create("Pa1!"), "InvalidAccountPassword.Malformed", 400)
        .await;
    emu.expect(
        HZ,
        &CreateAccount {
            account_type: Some("Root".into()),
            ..create("Pass1234!")
        },
        "InvalidAccountType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateAccount {
            account_description: Some("https://example.com".into()),
            ..create("Pass1234!")
        },
        "InvalidAccountDescription.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyAccountPassword {
            db_cluster_id: prod.clone(),
            account_name: "orders_app".into(),
            new_account_password: "short".into(),
        },
        "InvalidNewAccountPassword.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyAccountDescription {
            db_cluster_id: prod.clone(),
            account_name: "nobody".into(),
            account_description: "nobody at all".into(),
        },
        "InvalidAccountName.NotFound",
        404,
    )
    .await;

    let check_db = |name: &str| CheckDBName {
        db_cluster_id: prod.clone(),
        db_name: name.into(),
    };
    emu.expect(HZ, &check_db("postgres"), "InvalidParameter.Keyword", 400)
        .await;
    emu.expect(HZ, &check_db("template1"), "InvalidParameter.Keyword", 400)
        .await;
    emu.expect(HZ, &check_db("Orders"), "InvalidDBName.Malformed", 400)
        .await;
    emu.expect(HZ, &check_db("orders_"), "InvalidDBName.Malformed", 400)
        .await;
    emu.expect(HZ, &check_db("orders"), "InvalidDBName.Duplicate", 400)
        .await;
    let db = CreateDatabase {
        db_cluster_id: prod.clone(),
        db_name: "reports".into(),
        character_set_name: "UTF8".into(),
        db_description: Some("reports".into()),
        account_name: Some("orders_ro".into()),
        account_privilege: Some("ReadWrite".into()),
        collate: Some("C".into()),
        ctype: Some("C".into()),
    };
    emu.expect(
        HZ,
        &CreateDatabase {
            account_name: Some("polar_admin".into()),
            ..db.clone()
        },
        "OperationDenied.AccountType",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDatabase {
            account_name: None,
            ..db.clone()
        },
        "MissingAccountName",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDatabase {
            collate: Some("zh_CN".into()),
            ctype: Some("zh_CN".into()),
            ..db.clone()
        },
        "InvalidCollate.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDatabase {
            ctype: Some("POSIX".into()),
            ..db.clone()
        },
        "InvalidCtype.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &CreateDatabase {
            character_set_name: "klingon".into(),
            ..db.clone()
        },
        "InvalidCharacterSetName.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DeleteDatabase {
            db_cluster_id: prod.clone(),
            db_name: "nothing".into(),
        },
        "InvalidDBName.NotFound",
        404,
    )
    .await;
    emu.ok(HZ, &db).await;
}

#[tokio::test]
async fn backup_errors() {
    let emu = Emu::seeded(20).await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    emu.expect(
        HZ,
        &DescribeBackups {
            db_cluster_id: prod.clone(),
            start_time: minute(now_ms()),
            end_time: minute(now_ms() - DAY),
            ..Default::default()
        },
        "InvalidStartTimeAndEndTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeBackups {
            db_cluster_id: prod.clone(),
            start_time: "yesterday".into(),
            end_time: minute(now_ms()),
            ..Default::default()
        },
        "InvalidStartTime.Malformed",
        400,
    )
    .await;
    let backups = emu
        .ok(
            HZ,
            &DescribeBackups {
                db_cluster_id: prod.clone(),
                start_time: minute(now_ms() - 8 * DAY),
                end_time: minute(now_ms()),
                backup_mode: Some("Automated".into()),
                ..Default::default()
            },
        )
        .await;
    let automated = backups.items.backup[0].backup_id.clone();
    emu.expect(
        HZ,
        &DeleteBackup {
            db_cluster_id: prod.clone(),
            backup_id: automated,
        },
        "OperationDenied.BackupMethod",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &DeleteBackup {
            db_cluster_id: prod.clone(),
            backup_id: "42".into(),
        },
        "InvalidBackupId.NotFound",
        404,
    )
    .await;
    // One manual backup exists; two more may be made, then no more.
    for _ in 0..2 {
        emu.ok(
            HZ,
            &CreateBackup {
                db_cluster_id: prod.clone(),
                client_token: None,
            },
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    emu.expect(
        HZ,
        &CreateBackup {
            db_cluster_id: prod.clone(),
            client_token: None,
        },
        "OperationDenied.BackupNum",
        403,
    )
    .await;
    // While a backup job runs, no other can start.
    let slow = Emu::seeded(60_000).await;
    let slow_prod = slow.cluster_id(HZ, "orders-prod").await;
    let backup = CreateBackup {
        db_cluster_id: slow_prod,
        client_token: None,
    };
    slow.ok(HZ, &backup).await;
    slow.expect(HZ, &backup, "OperationDenied.BackupJobExists", 403)
        .await;
    let policy = |f: fn(&mut ModifyBackupPolicy)| {
        let mut p = ModifyBackupPolicy {
            db_cluster_id: prod.clone(),
            ..Default::default()
        };
        f(&mut p);
        p
    };
    emu.expect(
        HZ,
        &policy(|p| p.data_level1_backup_retention_period = Some("30".into())),
        "InvalidDataLevel1BackupRetentionPeriod.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &policy(|p| p.preferred_backup_period = Some("Monday".into())),
        "InvalidPreferredBackupPeriod.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &policy(|p| p.preferred_backup_period = Some("Monday,Funday".into())),
        "InvalidPreferredBackupPeriod.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &policy(|p| p.preferred_backup_time = Some("03:00Z-05:00Z".into())),
        "InvalidPreferredBackupTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &policy(|p| p.data_level2_backup_retention_period = Some("10".into())),
        "InvalidDataLevel2BackupRetentionPeriod.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &policy(|p| p.data_level2_backup_another_region_region = Some("cn-hangzhou".into())),
        "InvalidDataLevel2BackupAnotherRegionRegion.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyLogBackupPolicy {
            db_cluster_id: prod.clone(),
            log_backup_retention_period: Some("2".into()),
            ..Default::default()
        },
        "InvalidLogBackupRetentionPeriod.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeDetachedBackups {
            db_cluster_id: prod.clone(),
            start_time: minute(now_ms() - DAY),
            end_time: minute(now_ms()),
            ..Default::default()
        },
        "OperationDenied.DBClusterStatus",
        403,
    )
    .await;
}

#[tokio::test]
async fn tag_maintenance_schedule_and_monitoring_errors() {
    let emu = Emu::seeded(20).await;
    let prod = emu.cluster_id(HZ, "orders-prod").await;
    let tag = |tags: Vec<TagParam>| TagResources {
        region_id: HZ.into(),
        resource_type: "cluster".into(),
        resource_id: vec![prod.clone()],
        tag: tags,
    };
    let kv = |k: &str, v: &str| TagParam {
        key: k.into(),
        value: v.into(),
    };
    let many: Vec<TagParam> = (0..21).map(|k| kv(&format!("k{k}"), "v")).collect();
    emu.expect(HZ, &tag(many), "NumberExceed.Tags", 400).await;
    // Two tags exist: 19 more make 21.
    let more: Vec<TagParam> = (0..19).map(|k| kv(&format!("k{k}"), "v")).collect();
    emu.expect(HZ, &tag(more), "NumberExceed.Tags", 400).await;
    emu.expect(
        HZ,
        &tag(vec![kv("aliyun:owner", "x")]),
        "InvalidTagKey.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &tag(vec![kv("acs:thing", "x")]),
        "InvalidTagKey.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &tag(vec![kv("site", "https://example.com")]),
        "InvalidTagValue.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &tag(vec![kv(&"k".repeat(129), "x")]),
        "InvalidTagKey.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &TagResources {
            resource_type: "instance".into(),
            ..tag(vec![kv("a", "b")])
        },
        "InvalidResourceType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &TagResources {
            resource_id: vec![],
            ..tag(vec![kv("a", "b")])
        },
        "MissingResourceId.1",
        400,
    )
    .await;
    emu.expect(
        SH,
        &TagResources {
            region_id: SH.into(),
            ..tag(vec![kv("a", "b")])
        },
        "InvalidDBClusterId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &ListTagResources {
            region_id: HZ.into(),
            resource_type: "cluster".into(),
            ..Default::default()
        },
        "MissingResourceId.1",
        400,
    )
    .await;

    emu.expect(
        HZ,
        &DescribePendingMaintenanceAction {
            region: "all".into(),
            task_type: "DatabaseSoftwareUpgrading".into(),
            ..Default::default()
        },
        "InvalidTaskType.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribePendingMaintenanceAction {
            region: HZ.into(),
            task_type: "Repainting".into(),
            ..Default::default()
        },
        "InvalidTaskType.ValueNotSupported",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyPendingMaintenanceAction {
            ids: "10001".into(),
            switch_time: minute(now_ms() + 60 * DAY),
            region_id: None,
        },
        "InvalidSwitchTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyPendingMaintenanceAction {
            ids: "10001".into(),
            switch_time: minute(now_ms() - DAY),
            region_id: None,
        },
        "InvalidSwitchTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        SH,
        &ModifyPendingMaintenanceAction {
            ids: "10004".into(),
            switch_time: minute(now_ms() + DAY),
            region_id: None,
        },
        "OperationDenied.IncorrectTaskStatus",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyPendingMaintenanceAction {
            ids: "99999".into(),
            switch_time: minute(now_ms() + DAY),
            region_id: None,
        },
        "InvalidTaskId.NotFound",
        400,
    )
    .await;

    let all = emu
        .ok(
            "",
            &DescribeScheduleTasks {
                status: Some("finish".into()),
                ..Default::default()
            },
        )
        .await;
    let finished = &all.data.timer_infos[0];
    emu.expect(
        HZ,
        &CancelScheduleTasks {
            db_cluster_id: finished.db_cluster_id.clone(),
            task_id: finished.task_id.clone(),
        },
        "OperationDenied.IncorrectTaskStatus",
        403,
    )
    .await;
    emu.expect(
        HZ,
        &CancelScheduleTasks {
            db_cluster_id: prod.clone(),
            task_id: "no-such-task".into(),
        },
        "InvalidTaskId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeScheduleTasks {
            status: Some("sleeping".into()),
            ..Default::default()
        },
        "InvalidStatus.ValueNotSupported",
        400,
    )
    .await;

    let perf = |key: &str| DescribeDBClusterPerformance {
        db_cluster_id: prod.clone(),
        key: key.into(),
        start_time: minute(now_ms() - HOUR),
        end_time: minute(now_ms()),
    };
    emu.expect(HZ, &perf("PolarDBQPS"), "InvalidKey.Malformed", 400)
        .await;
    emu.expect(
        HZ,
        &perf("PolarDBCPU,PolarDBMemory,PolarDBIOSTAT,PolarDBTemp,PolarDBVacuum,PolarDBBuffer"),
        "InvalidKey.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeDBClusterPerformance {
            end_time: minute(now_ms() - DAY),
            ..perf("PolarDBCPU")
        },
        "InvalidStartTimeAndEndTime.Malformed",
        400,
    )
    .await;
    emu.expect(
        HZ,
        &DescribeDBNodePerformance {
            db_node_id: "pi-nope".into(),
            key: "PolarDBCPU".into(),
            start_time: minute(now_ms() - HOUR),
            end_time: minute(now_ms()),
            db_cluster_id: None,
        },
        "InvalidDBNodeId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &ModifyDBClusterMonitor {
            db_cluster_id: prod.clone(),
            period: "30".into(),
        },
        "InvalidPeriod.ValueNotSupported",
        400,
    )
    .await;
}

/// A clone takes its source's data at `LATEST`, a completed backup set, or a time its
/// backups and log backups cover (CreateDBCluster 6.1, CloneDataPoint); the answers for
/// the rest are the reference's error codes (19.1).
#[tokio::test]
async fn clones_take_a_point_the_source_can_restore() {
    let emu = Emu::seeded(20).await;
    let source = emu.cluster_id(HZ, "orders-staging").await;
    let version = emu.attribute(HZ, &source).await.db_version;
    let now = now_ms();
    let backups = emu
        .ok(
            HZ,
            &DescribeBackups {
                db_cluster_id: source.clone(),
                start_time: minute(now - 30 * DAY),
                end_time: minute(now),
                page_size: Some(100),
                ..Default::default()
            },
        )
        .await
        .items
        .backup;
    let done: Vec<_> = backups
        .iter()
        .filter(|b| b.backup_status == "Success")
        .collect();
    assert!(!done.is_empty(), "the seeded source has completed backups");
    let logs = emu
        .ok(
            HZ,
            &DescribeBackupLogs {
                db_cluster_id: source.clone(),
                start_time: minute(now - 30 * DAY),
                end_time: minute(now),
                page_size: Some(100),
                page_number: Some(1),
            },
        )
        .await;
    let total: u32 = logs.total_record_count.parse().unwrap();
    let last_page = emu
        .ok(
            HZ,
            &DescribeBackupLogs {
                db_cluster_id: source.clone(),
                start_time: minute(now - 30 * DAY),
                end_time: minute(now),
                page_size: Some(100),
                page_number: Some(total.div_ceil(100)),
            },
        )
        .await;
    let secs = |s: &str| polardb::rules::api_time(s).unwrap();
    let window = polardb::rules::restorable_window(
        &done
            .iter()
            .map(|b| secs(&b.backup_end_time))
            .collect::<Vec<_>>(),
        logs.items
            .backup_log
            .first()
            .map(|l| secs(&l.backup_log_start_time)),
        last_page
            .items
            .backup_log
            .last()
            .map(|l| secs(&l.backup_log_end_time)),
    )
    .expect("the source has a restorable window");
    let clone = |point: String| CreateDBCluster {
        region_id: HZ.into(),
        db_type: "PostgreSQL".into(),
        db_version: version.clone(),
        db_node_class: "polar.pg.x4.medium".into(),
        pay_type: "Postpaid".into(),
        creation_option: Some("CloneFromPolarDB".into()),
        source_resource_id: Some(source.clone()),
        clone_data_point: Some(point),
        ..Default::default()
    };
    let at = |t: i64| polardb::rules::ClonePoint::Time(t).param();
    // Both ends of the window, a completed backup, and the latest data are taken.
    for point in [
        "LATEST".to_string(),
        done[0].backup_id.clone(),
        at(window.0),
        at(window.1),
    ] {
        let made = emu.ok(HZ, &clone(point.clone())).await;
        assert!(made.db_cluster_id.starts_with("pc-"), "{point}");
    }
    // A second before the window or after it: no backup to restore it from.
    for t in [window.0 - 1, window.1 + 1] {
        emu.expect(HZ, &clone(at(t)), "OperationDenied.NotFoundBackup", 403)
            .await;
    }
    emu.expect(
        HZ,
        &clone("999999999".into()),
        "InvalidBackupId.NotFound",
        404,
    )
    .await;
    emu.expect(
        HZ,
        &clone("2026-11-30T10:00Z".into()),
        "InvalidCloneDataPoint.Malformed",
        400,
    )
    .await;
    // The clone keeps its source's engine version, and the source is in the same region.
    let other = if version == "14" { "11" } else { "14" };
    emu.expect(
        HZ,
        &CreateDBCluster {
            db_version: other.into(),
            ..clone("LATEST".into())
        },
        "InvalidDBVersion.Malformed",
        400,
    )
    .await;
    emu.expect(
        SH,
        &CreateDBCluster {
            region_id: SH.into(),
            ..clone("LATEST".into())
        },
        "InvalidDBClusterId.NotFound",
        404,
    )
    .await;
}
