//! Tests of the typed models: the action catalogue against the API reference, response
//! shapes against the official SDK's models, request parameters against the API's names.
//!
//! The response samples were produced with the official Python SDK
//! (`alibabacloud-polardb20170801`): a dict shaped like the reference's example was passed
//! through `XxxResponseBody().from_map(..)` and `.to_map()`, so every key is the SDK's own.

use polardb::models::*;
use std::collections::BTreeSet;
use std::path::Path;

/// Sorted `(name, value)` pairs, for exact comparisons.
fn params<A: Action>(req: &A) -> Vec<(String, String)> {
    let mut p = req.to_params();
    p.sort();
    p
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p: Vec<_> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    p.sort();
    p
}

fn parse<A: Action>(json: &str) -> A::Response {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", A::NAME))
}

// ------------------------------------------------------------------ catalogue

/// The four backup-policy actions the overview lists without a section of their own.
const POLICY_ACTIONS: [&str; 4] = [
    "DescribeBackupPolicy",
    "ModifyBackupPolicy",
    "DescribeLogBackupPolicy",
    "ModifyLogBackupPolicy",
];

#[test]
fn catalogue_has_67_unique_actions() {
    assert_eq!(ACTIONS.len(), 67);
    let names: BTreeSet<_> = ACTIONS.iter().map(|a| a.name).collect();
    assert_eq!(names.len(), 67, "duplicate names in ACTIONS");
    for name in POLICY_ACTIONS {
        assert!(names.contains(name), "{name} missing");
    }
}

#[test]
fn catalogue_covers_every_action_file_of_the_reference() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/polardb-api");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "note: {} is absent; skipping the check against the reference",
            dir.display()
        );
        return;
    };
    // `NN-MM-Name.txt` and `NN-MM-KK-Name.txt`: numeric chapter parts, then an action name.
    let mut from_files = BTreeSet::new();
    for entry in entries {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = file.strip_suffix(".txt") else {
            continue;
        };
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, numbers) = parts.split_last().unwrap();
        let is_action = numbers.len() >= 2
            && numbers
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_digit()))
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if is_action {
            from_files.insert(name.to_string());
        }
    }
    assert_eq!(from_files.len(), 63, "action files in {}", dir.display());
    let catalogue: BTreeSet<String> = ACTIONS.iter().map(|a| a.name.to_string()).collect();
    let missing: Vec<_> = from_files.difference(&catalogue).collect();
    assert!(missing.is_empty(), "not in ACTIONS: {missing:?}");
    let extra: BTreeSet<&str> = catalogue
        .difference(&from_files)
        .map(String::as_str)
        .collect();
    assert_eq!(extra, BTreeSet::from(POLICY_ACTIONS));
}

#[test]
fn action_info_gives_kind_and_scope() {
    let info = action_info("DescribeDBClusters").unwrap();
    assert_eq!(info.kind, ActionKind::Read);
    assert_eq!(info.resource, ResourceScope::Region);

    let info = action_info("ModifyDBClusterAccessWhitelist").unwrap();
    assert_eq!(info.kind, ActionKind::Write);
    assert_eq!(info.resource, ResourceScope::Cluster);

    assert_eq!(
        action_info("CheckAccountName").unwrap().kind,
        ActionKind::Read
    );
    assert_eq!(
        action_info("ListTagResources").unwrap().kind,
        ActionKind::Read
    );
    assert_eq!(
        action_info("CreateDBCluster").unwrap().resource,
        ResourceScope::Create
    );
    assert_eq!(
        action_info("ModifyLogBackupPolicy").unwrap().resource,
        ResourceScope::Cluster
    );
    assert!(action_info("describedbclusters").is_none());
    assert_eq!(ModifyBackupPolicy::NAME, "ModifyBackupPolicy");
    assert_eq!(ModifyBackupPolicy::KIND, ActionKind::Write);
}

/// Every response type accepts `{}` (all fields defaulted) and survives a round trip.
#[test]
fn every_response_tolerates_missing_fields() {
    macro_rules! check {
        ($($action:ident),* $(,)?) => {{
            let mut n = 0;
            $(
                let empty: <$action as Action>::Response = parse::<$action>("{}");
                assert_eq!(empty, Default::default(), "{}", <$action as Action>::NAME);
                let json = serde_json::to_string(&empty).unwrap();
                assert_eq!(parse::<$action>(&json), empty);
                n += 1;
            )*
            n
        }};
    }
    let n = check!(
        DescribeRegions,
        CreateDBCluster,
        DeleteDBCluster,
        DescribeDBClusters,
        DescribeDBClusterAttribute,
        DescribeTasks,
        ModifyDBClusterDescription,
        ModifyDBClusterDeletion,
        ModifyDBClusterMaintainTime,
        FailoverDBCluster,
        ModifyDBClusterPrimaryZone,
        ModifyAutoRenewAttribute,
        DescribeAutoRenewAttribute,
        DescribeDBClusterAvailableResources,
        ModifyDBClusterAccessWhitelist,
        DescribeDBClusterAccessWhitelist,
        DescribeDBClusterSSL,
        ModifyDBClusterSSL,
        CreateDBNodes,
        DeleteDBNodes,
        RestartDBNode,
        ModifyDBNodeClass,
        DescribeDBClusterParameters,
        ModifyDBClusterParameters,
        CreateDBEndpointAddress,
        CreateDBClusterEndpoint,
        DescribeDBClusterEndpoints,
        ModifyDBClusterEndpoint,
        ModifyDBEndpointAddress,
        DeleteDBEndpointAddress,
        DeleteDBClusterEndpoint,
        DescribeDBClusterAuditLogCollector,
        ModifyDBClusterAuditLogCollector,
        CreateAccount,
        DescribeAccounts,
        ModifyAccountDescription,
        DeleteAccount,
        ModifyAccountPassword,
        CheckAccountName,
        CreateDatabase,
        DescribeDatabases,
        DeleteDatabase,
        CheckDBName,
        DescribeDBInitializeVariable,
        CreateBackup,
        DeleteBackup,
        DescribeBackups,
        DescribeBackupTasks,
        DescribeBackupLogs,
        DescribeDetachedBackups,
        DescribeDBClustersWithBackups,
        DescribeBackupPolicy,
        ModifyBackupPolicy,
        DescribeLogBackupPolicy,
        ModifyLogBackupPolicy,
        TagResources,
        UntagResources,
        ListTagResources,
        DescribePendingMaintenanceAction,
        DescribePendingMaintenanceActions,
        ModifyPendingMaintenanceAction,
        DescribeScheduleTasks,
        CancelScheduleTasks,
        DescribeDBNodePerformance,
        DescribeDBClusterMonitor,
        DescribeDBClusterPerformance,
        ModifyDBClusterMonitor,
    );
    assert_eq!(n, ACTIONS.len());
}

// ------------------------------------------------------------------ responses (SDK shapes)

#[test]
fn describe_regions_response() {
    let r = parse::<DescribeRegions>(
        r#"{
 "Regions": {
  "Region": [
   {
    "RegionId": "cn-hangzhou",
    "Zones": {
     "Zone": [
      {
       "VpcEnabled": true,
       "ZoneId": "cn-hangzhou-h"
      },
      {
       "VpcEnabled": true,
       "ZoneId": "cn-hangzhou-i"
      }
     ]
    }
   },
   {
    "RegionId": "cn-shanghai",
    "Zones": {
     "Zone": [
      {
       "VpcEnabled": false,
       "ZoneId": "cn-shanghai-e"
      }
     ]
    }
   }
  ]
 },
 "RequestId": "3F9E6A3B-C13E-4064-A010-18582A******"
}"#,
    );
    assert_eq!(r.regions.region.len(), 2);
    assert_eq!(r.regions.region[0].region_id, "cn-hangzhou");
    assert_eq!(r.regions.region[0].zones.zone[1].zone_id, "cn-hangzhou-i");
    assert!(!r.regions.region[1].zones.zone[0].vpc_enabled);
}

#[test]
fn describe_db_cluster_attribute_response() {
    let r = parse::<DescribeDBClusterAttribute>(
        r#"{
 "Category": "Normal",
 "CreationTime": "2020-08-14T05:58:42Z",
 "DBClusterDescription": "test",
 "DBClusterId": "pc-*****************",
 "DBClusterNetworkType": "VPC",
 "DBClusterStatus": "Running",
 "DBNodes": [
  {
   "CreationTime": "2020-08-14T05:58:42Z",
   "DBNodeClass": "polar.pg.x4.large",
   "DBNodeId": "pi-****************1",
   "DBNodeRole": "Writer",
   "DBNodeStatus": "Running",
   "FailoverPriority": 1,
   "MaxConnections": 8000,
   "MaxIOPS": 32000,
   "ZoneId": "cn-hangzhou-i"
  },
  {
   "CreationTime": "2020-08-14T05:58:42Z",
   "DBNodeClass": "polar.pg.x4.large",
   "DBNodeId": "pi-****************2",
   "DBNodeRole": "Reader",
   "DBNodeStatus": "Running",
   "FailoverPriority": 2,
   "MaxConnections": 8000,
   "MaxIOPS": 32000,
   "ZoneId": "cn-hangzhou-i"
  }
 ],
 "DBType": "PostgreSQL",
 "DBVersion": "11",
 "DBVersionStatus": "Stable",
 "DataLevel1BackupChainSize": 74448896,
 "DeletionLock": 0,
 "Engine": "POLARDB",
 "ExpireTime": "2020-11-14T16:00:00Z",
 "Expired": "false",
 "IsLatestVersion": false,
 "LockMode": "Unlock",
 "MaintainTime": "18:00Z-19:00Z",
 "PayType": "Prepaid",
 "RegionId": "cn-hangzhou",
 "RequestId": "074467EF-86B9-4C23-ACBF-E9B81A******",
 "ResourceGroupId": "rg-***************",
 "SQLSize": 0,
 "StorageMax": 10995116277760,
 "StorageUsed": 3012558848,
 "SubCategory": "Exclusive",
 "Tags": [
  {
   "Key": "test",
   "Value": "PostgreSQL"
  }
 ],
 "VPCId": "vpc-*******************",
 "VSwitchId": "vsw-*********************",
 "ZoneIds": "cn-hangzhou-i,cn-hangzhou-g"
}"#,
    );
    assert_eq!(r.db_cluster_id, "pc-*****************");
    assert_eq!(r.db_type, "PostgreSQL");
    assert_eq!(r.vpc_id, "vpc-*******************");
    assert_eq!(r.v_switch_id, "vsw-*********************");
    assert_eq!(r.storage_max, 10_995_116_277_760);
    assert_eq!(r.data_level1_backup_chain_size, 74_448_896);
    assert_eq!(r.sql_size, 0);
    assert_eq!(r.expired, "false");
    assert!(!r.is_latest_version);
    assert_eq!(r.maintain_time, "18:00Z-19:00Z");
    // `DBNodes` and `Tags` are plain arrays here (no wrapper object), as in the SDK.
    assert_eq!(r.db_nodes.len(), 2);
    assert_eq!(r.db_nodes[0].db_node_role, "Writer");
    assert_eq!(r.db_nodes[1].failover_priority, 2);
    assert_eq!(r.db_nodes[1].max_iops, 32000);
    assert_eq!(
        r.tags,
        vec![Tag {
            key: "test".into(),
            value: "PostgreSQL".into()
        }]
    );
}

#[test]
fn describe_tasks_response_with_nulls() {
    let r = parse::<DescribeTasks>(
        r#"{
 "DBClusterId": "pc-***************",
 "EndTime": "2020-12-02T03:00Z",
 "PageNumber": 1,
 "PageRecordCount": 30,
 "RequestId": "4352AD99-9FF5-41A6-A319-068089******",
 "StartTime": "2020-11-30T00:00Z",
 "Tasks": {
  "Task": [
   {
    "BeginTime": "2020-12-02T02:39:15Z",
    "CurrentStepName": "create_instance",
    "DBName": "test",
    "FinishTime": "2020-12-02T02:40:15Z",
    "Progress": 100,
    "Remain": 1767,
    "StepProgressInfo": "1/4",
    "StepsInfo": "[{\"remain\":0,\"name\":\"init_task\",\"progress\":100}]",
    "TaskAction": "CreateDBInstance",
    "TaskId": "111111111",
    "ExpectedFinishTime": null,
    "TaskErrorCode": null
   }
  ]
 },
 "TotalRecordCount": 1
}"#,
    );
    assert_eq!(r.total_record_count, 1);
    let task = &r.tasks.task[0];
    assert_eq!(task.task_id, "111111111");
    assert_eq!(task.progress, 100);
    assert_eq!(task.remain, 1767);
    assert_eq!(task.step_progress_info, "1/4");
    assert!(task.steps_info.starts_with("[{\"remain\":0"));
    // The reference shows these as `null` when there is nothing to say.
    assert_eq!(task.expected_finish_time, None);
    assert_eq!(task.task_error_code, None);
}

#[test]
fn describe_auto_renew_attribute_response() {
    let r = parse::<DescribeAutoRenewAttribute>(
        r#"{
 "Items": {
  "AutoRenewAttribute": [
   {
    "AutoRenewEnabled": true,
    "DBClusterId": "pc-****************",
    "Duration": 1,
    "PeriodUnit": "Month",
    "RegionId": "cn-hangzhou",
    "RenewalStatus": "AutoRenewal"
   }
  ]
 },
 "PageNumber": 1,
 "PageRecordCount": 1,
 "RequestId": "65D7ACE6-4A61-4B6E-B357-8CB24A******",
 "TotalRecordCount": 1
}"#,
    );
    let a = &r.items.auto_renew_attribute[0];
    assert!(a.auto_renew_enabled);
    assert_eq!(a.duration, 1);
    assert_eq!(a.period_unit, "Month");
    assert_eq!(a.renewal_status, "AutoRenewal");
}

#[test]
fn describe_db_cluster_available_resources_response() {
    let r = parse::<DescribeDBClusterAvailableResources>(
        r#"{
 "AvailableZones": [
  {
   "RegionId": "cn-hangzhou",
   "SupportedEngines": [
    {
     "AvailableResources": [
      {
       "Category": "Normal",
       "DBNodeClass": "polar.pg.x4.large"
      }
     ],
     "Engine": "POSTGRESQL_11"
    }
   ],
   "ZoneId": "cn-hangzhou-h"
  }
 ],
 "RequestId": "E56531A4-E552-40BA-9C58-137B80******"
}"#,
    );
    let zone = &r.available_zones[0];
    assert_eq!(zone.zone_id, "cn-hangzhou-h");
    assert_eq!(zone.supported_engines[0].engine, "POSTGRESQL_11");
    assert_eq!(
        zone.supported_engines[0].available_resources[0].db_node_class,
        "polar.pg.x4.large"
    );
}

#[test]
fn describe_db_cluster_access_whitelist_response() {
    let r = parse::<DescribeDBClusterAccessWhitelist>(
        r#"{
 "DBClusterSecurityGroups": {
  "DBClusterSecurityGroup": [
   {
    "SecurityGroupId": "sg-************",
    "SecurityGroupName": "default"
   }
  ]
 },
 "Items": {
  "DBClusterIPArray": [
   {
    "DBClusterIPArrayAttribute": "",
    "DBClusterIPArrayName": "default",
    "SecurityIps": "127.0.0.1"
   },
   {
    "DBClusterIPArrayAttribute": "hidden",
    "DBClusterIPArrayName": "test",
    "SecurityIps": "10.0.0.0/8,192.168.1.1"
   }
  ]
 },
 "RequestId": "C2A4B5D4-3F4E-4D0A-9C55-9E1B0A******"
}"#,
    );
    let arrays = &r.items.db_cluster_ip_array;
    assert_eq!(arrays.len(), 2);
    assert_eq!(arrays[0].db_cluster_ip_array_name, "default");
    assert_eq!(arrays[1].db_cluster_ip_array_attribute, "hidden");
    assert_eq!(arrays[1].security_ips, "10.0.0.0/8,192.168.1.1");
    let groups = &r.db_cluster_security_groups.db_cluster_security_group;
    assert_eq!(groups[0].security_group_id, "sg-************");
}

#[test]
fn describe_db_cluster_ssl_response() {
    let r = parse::<DescribeDBClusterSSL>(
        r#"{
 "Items": [
  {
   "DBEndpointId": "pe-************",
   "SSLConnectionString": "pc-************.pg.polardb.rds.aliyuncs.com",
   "SSLEnabled": "Enabled",
   "SSLExpireTime": "2021-11-13T07:14:22Z"
  }
 ],
 "RequestId": "C890995A-CF06-4F4D-8DB8-DD26C2******"
}"#,
    );
    assert_eq!(r.items[0].ssl_enabled, "Enabled");
    assert_eq!(r.items[0].ssl_expire_time, "2021-11-13T07:14:22Z");
    assert_eq!(r.items[0].db_endpoint_id, "pe-************");
}

#[test]
fn describe_db_cluster_audit_log_collector_response() {
    let r = parse::<DescribeDBClusterAuditLogCollector>(
        r#"{
 "CollectorStatus": "Disabled",
 "RequestId": "59011D2B-2A38-4207-A86C-72BC1F882D19"
}"#,
    );
    assert_eq!(r.collector_status, "Disabled");
    assert_eq!(r.request_id, "59011D2B-2A38-4207-A86C-72BC1F882D19");
}

#[test]
fn create_db_nodes_response() {
    let r = parse::<CreateDBNodes>(
        r#"{
 "DBClusterId": "pc-*************",
 "DBNodeIds": {
  "DBNodeId": [
   "pi-*************1",
   "pi-*************2"
  ]
 },
 "OrderId": "2035629******",
 "RequestId": "E0C5A5A9-0E1C-4B8A-8C4D-2B3CA3******"
}"#,
    );
    assert_eq!(
        r.db_node_ids.db_node_id,
        vec!["pi-*************1", "pi-*************2"]
    );
    assert_eq!(r.order_id, "2035629******");
}

#[test]
fn describe_db_cluster_parameters_response() {
    let r = parse::<DescribeDBClusterParameters>(
        r#"{
 "DBClusterId": "pc-****************",
 "DBType": "PostgreSQL",
 "DBVersion": "11",
 "Engine": "POLARDB",
 "RequestId": "6A4C8FC6-9B4A-4C24-8F2C-2C8D31******",
 "RunningParameters": {
  "Parameter": [
   {
    "CheckingCode": "[0-1]",
    "DataType": "INT",
    "DefaultParameterValue": "1",
    "ForceRestart": false,
    "IsModifiable": true,
    "IsNodeAvailable": "1",
    "ParamRelyRule": "",
    "ParameterDescription": "Enables hash joins.",
    "ParameterName": "enable_hashjoin",
    "ParameterStatus": "normal",
    "ParameterValue": "1"
   }
  ]
 }
}"#,
    );
    let p = &r.running_parameters.parameter[0];
    assert_eq!(p.parameter_name, "enable_hashjoin");
    assert_eq!(p.checking_code, "[0-1]");
    assert!(p.is_modifiable);
    assert!(!p.force_restart);
    assert_eq!(r.db_version, "11");
}

#[test]
fn describe_db_cluster_endpoints_response() {
    let r = parse::<DescribeDBClusterEndpoints>(
        r#"{
 "Items": [
  {
   "AddressItems": [
    {
     "ConnectionString": "pc-****************.pg.polardb.rds.aliyuncs.com",
     "IPAddress": "192.***.***.***",
     "NetType": "Private",
     "Port": "1921",
     "PrivateZoneConnectionString": "aliyundoc.com",
     "VPCId": "vpc-**********",
     "VSwitchId": "vsw-**********",
     "VpcInstanceId": "pe-****************"
    }
   ],
   "AutoAddNewNodes": "Enable",
   "DBClusterId": "pc-****************",
   "DBEndpointDescription": "test",
   "DBEndpointId": "pe-****************",
   "EndpointConfig": "{\"ConsistLevel\":\"1\"}",
   "EndpointType": "Cluster",
   "NodeWithRoles": "Writer(pi-**********),Reader(pi-**********)",
   "Nodes": "pi-**********,pi-**********",
   "ReadWriteMode": "ReadWrite"
  }
 ],
 "RequestId": "2FED790E-FB61-4721-8C1C-07C627******"
}"#,
    );
    let e = &r.items[0];
    assert_eq!(e.db_endpoint_id, "pe-****************");
    assert_eq!(e.endpoint_type, "Cluster");
    assert_eq!(e.endpoint_config, r#"{"ConsistLevel":"1"}"#);
    let a = &e.address_items[0];
    assert_eq!(a.port, "1921");
    assert_eq!(a.ip_address, "192.***.***.***");
    assert_eq!(a.vpc_id, "vpc-**********");
    assert_eq!(a.net_type, "Private");
}

#[test]
fn describe_accounts_response() {
    let r = parse::<DescribeAccounts>(
        r#"{
 "Accounts": [
  {
   "AccountDescription": "test",
   "AccountLockState": "UnLock",
   "AccountName": "test_acc",
   "AccountPasswordValidTime": "2020-12-31T16:00:00Z",
   "AccountStatus": "Available",
   "AccountType": "Normal",
   "DatabasePrivileges": [
    {
     "AccountPrivilege": "ReadWrite",
     "DBName": "test_db"
    }
   ]
  }
 ],
 "PageNumber": 1,
 "PageRecordCount": 1,
 "RequestId": "2FED790E-FB61-4721-8C1C-07C627******"
}"#,
    );
    let a = &r.accounts[0];
    assert_eq!(a.account_name, "test_acc");
    assert_eq!(a.account_lock_state, "UnLock");
    assert_eq!(a.database_privileges[0].db_name, "test_db");
    assert_eq!(a.database_privileges[0].account_privilege, "ReadWrite");
}

#[test]
fn describe_databases_response() {
    let r = parse::<DescribeDatabases>(
        r#"{
 "Databases": {
  "Database": [
   {
    "Accounts": {
     "Account": [
      {
       "AccountName": "test_acc",
       "AccountPrivilege": "ReadWrite",
       "AccountStatus": "Available",
       "PrivilegeStatus": "Empowered"
      }
     ]
    },
    "CharacterSetName": "UTF8",
    "DBDescription": "test",
    "DBName": "test_db",
    "DBStatus": "Running",
    "Engine": "POLARDB"
   }
  ]
 },
 "PageNumber": 1,
 "PageRecordCount": 1,
 "RequestId": "CD35F3-F3-44CA-AFFF-BAF869******"
}"#,
    );
    let db = &r.databases.database[0];
    assert_eq!(db.db_name, "test_db");
    assert_eq!(db.character_set_name, "UTF8");
    assert_eq!(db.accounts.account[0].privilege_status, "Empowered");
}

#[test]
fn describe_db_initialize_variable_response() {
    let r = parse::<DescribeDBInitializeVariable>(
        r#"{
 "DBType": "PostgreSQL",
 "DBVersion": "11",
 "RequestId": "475F58B7-F394-4394-AA6E-4F1CBA******",
 "Variables": {
  "Variable": [
   {
    "Charset": "EUC_CN",
    "Collate": "C",
    "Ctype": "C"
   },
   {
    "Charset": "UTF8",
    "Collate": "en_US.utf8",
    "Ctype": "en_US.utf8"
   }
  ]
 }
}"#,
    );
    assert_eq!(r.db_type, "PostgreSQL");
    assert_eq!(r.variables.variable.len(), 2);
    assert_eq!(r.variables.variable[1].charset, "UTF8");
    assert_eq!(r.variables.variable[1].ctype, "en_US.utf8");
}

#[test]
fn describe_backups_response_has_string_counters() {
    let r = parse::<DescribeBackups>(
        r#"{
 "Items": {
  "Backup": [
   {
    "BackupEndTime": "2020-05-12T03:30:55Z",
    "BackupId": "11111111",
    "BackupMethod": "Snapshot",
    "BackupMode": "Automated",
    "BackupSetSize": "7251056",
    "BackupStartTime": "2020-05-12T03:25:55Z",
    "BackupStatus": "Success",
    "BackupType": "FullBackup",
    "BackupsLevel": "Level-1",
    "ConsistentTime": "1589253947",
    "DBClusterId": "pc-****************",
    "IsAvail": "1"
   }
  ]
 },
 "PageNumber": "1",
 "PageRecordCount": "1",
 "RequestId": "93EF8D0E-3D7F-4D56-A6A5-9D8A7F******",
 "TotalRecordCount": "1"
}"#,
    );
    // The SDK types these counters as strings for this action.
    assert_eq!(r.total_record_count, "1");
    assert_eq!(r.page_number, "1");
    let b = &r.items.backup[0];
    assert_eq!(b.backup_id, "11111111");
    assert_eq!(b.backup_set_size, "7251056");
    assert_eq!(b.backups_level, "Level-1");
    assert_eq!(b.backup_method, "Snapshot");
}

#[test]
fn backup_policy_responses() {
    let r = parse::<DescribeBackupPolicy>(
        r#"{
 "BackupFrequency": "Normal",
 "BackupPolicyLevel": "Normal",
 "BackupRetentionPolicyOnClusterDeletion": "NONE",
 "DataLevel1BackupRetentionPeriod": "7",
 "DataLevel2BackupRetentionPeriod": "0",
 "PreferredBackupPeriod": "Monday,Tuesday",
 "PreferredBackupTime": "15:00Z-16:00Z",
 "PreferredNextBackupTime": "2020-11-16T15:30Z",
 "RequestId": "2A4B3F8C-1F7A-4C1A-9A5E-6E6F5D******"
}"#,
    );
    assert_eq!(r.preferred_backup_period, "Monday,Tuesday");
    assert_eq!(r.preferred_backup_time, "15:00Z-16:00Z");
    assert_eq!(r.data_level1_backup_retention_period, "7");
    assert_eq!(r.backup_retention_policy_on_cluster_deletion, "NONE");
    assert!(r.advanced_data_policies.advanced_data_policy.is_empty());

    let r = parse::<DescribeLogBackupPolicy>(
        r#"{
 "EnableBackupLog": 1,
 "LogBackupAnotherRegionRegion": "cn-shanghai",
 "LogBackupAnotherRegionRetentionPeriod": "30",
 "LogBackupRetentionPeriod": 7,
 "RequestId": "5E3A1B7C-9C3D-4B2D-8F3A-2B6B2C******"
}"#,
    );
    assert_eq!(r.enable_backup_log, 1);
    assert_eq!(r.log_backup_retention_period, 7);
    assert_eq!(r.log_backup_another_region_region, "cn-shanghai");
    assert_eq!(r.log_backup_another_region_retention_period, "30");
}

#[test]
fn list_tag_resources_response() {
    let r = parse::<ListTagResources>(
        r#"{
 "NextToken": "212db86sca4384811e0b5e8707e******",
 "RequestId": "688C04E4-23F8-409F-8A38-B954D5******",
 "TagResources": {
  "TagResource": [
   {
    "ResourceId": "pc-****************",
    "ResourceType": "cluster",
    "TagKey": "type",
    "TagValue": "test"
   }
  ]
 }
}"#,
    );
    assert_eq!(r.next_token, "212db86sca4384811e0b5e8707e******");
    let t = &r.tag_resources.tag_resource[0];
    assert_eq!(
        (
            t.resource_id.as_str(),
            t.resource_type.as_str(),
            t.tag_key.as_str(),
            t.tag_value.as_str()
        ),
        ("pc-****************", "cluster", "type", "test")
    );
}

#[test]
fn describe_pending_maintenance_action_response() {
    let r = parse::<DescribePendingMaintenanceAction>(
        r#"{
 "Items": [
  {
   "CreatedTime": "2020-06-09T22:00:42Z",
   "DBClusterId": "pc-************",
   "DBType": "PostgreSQL",
   "DBVersion": "11",
   "Deadline": "2020-06-11T15:59:59Z",
   "Id": 111111,
   "ModifiedTime": "2020-06-09T22:00:42Z",
   "PrepareInterval": "04:00:00",
   "Region": "cn-hangzhou",
   "ResultInfo": "manualCancel",
   "StartTime": "2020-06-09T18:00:00Z",
   "Status": 3,
   "SwitchTime": "2020-06-09T22:00:00Z",
   "TaskType": "DatabaseSoftwareUpgrading"
  }
 ],
 "PageNumber": 1,
 "PageSize": 30,
 "RequestId": "2F029645-FED9-4FE8-A6D3-488954******",
 "TotalRecordCount": 1
}"#,
    );
    assert_eq!(r.page_size, 30);
    let item = &r.items[0];
    assert_eq!(item.id, 111_111);
    assert_eq!(item.status, 3);
    assert_eq!(item.task_type, "DatabaseSoftwareUpgrading");
    assert_eq!(item.prepare_interval, "04:00:00");
    assert_eq!(item.region, "cn-hangzhou");
}

#[test]
fn describe_schedule_tasks_response() {
    let r = parse::<DescribeScheduleTasks>(
        r#"{
 "Data": {
  "PageNumber": 1,
  "PageSize": 30,
  "TimerInfos": [
   {
    "Action": "CreateDBNodes",
    "DBClusterId": "pc-**************",
    "DbClusterDescription": "test_cluster",
    "DbClusterStatus": "Running",
    "OrderId": "208161753******",
    "PlannedEndTime": "2021-01-28T12:30Z",
    "PlannedStartTime": "2021-01-28T12:00Z",
    "PlannedTime": "2021-01-28T12:16Z",
    "Region": "cn-hangzhou",
    "Status": "finish",
    "TaskId": "53879cdb-9a00-428e-acaf-ff4cff******"
   }
  ],
  "TotalRecordCount": 1
 },
 "Message": "Successful",
 "RequestId": "936C7025-27A5-4CB1-BB31-540E1F0CCA12",
 "Success": true
}"#,
    );
    assert!(r.success);
    assert_eq!(r.message, "Successful");
    assert_eq!(r.data.total_record_count, 1);
    let t = &r.data.timer_infos[0];
    assert_eq!(t.action, "CreateDBNodes");
    assert_eq!(t.db_cluster_id, "pc-**************");
    assert_eq!(t.db_cluster_status, "Running");
    assert_eq!(t.db_cluster_description, "test_cluster");
    assert_eq!(t.planned_start_time, "2021-01-28T12:00Z");
}

#[test]
fn performance_responses() {
    let r = parse::<DescribeDBClusterPerformance>(
        r#"{
 "DBClusterId": "pc-****************",
 "DBType": "PostgreSQL",
 "DBVersion": "11",
 "EndTime": "2020-09-23T01:05Z",
 "PerformanceKeys": {
  "PerformanceItem": [
   {
    "DBNodeId": "pi-****************",
    "Measurement": "PolarDBCPU",
    "MetricName": "cpu_ratio",
    "Points": {
     "PerformanceItemValue": [
      {
       "Timestamp": 1600822800000,
       "Value": "0.3"
      },
      {
       "Timestamp": 1600822860000,
       "Value": "0.5"
      }
     ]
    }
   }
  ]
 },
 "RequestId": "E5EE4A6F-8E5B-4F7A-9B6A-2A0A55******",
 "StartTime": "2020-09-23T01:01Z"
}"#,
    );
    let item = &r.performance_keys.performance_item[0];
    assert_eq!(item.db_node_id, "pi-****************");
    assert_eq!(item.metric_name, "cpu_ratio");
    let points = &item.points.performance_item_value;
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].timestamp, 1_600_822_860_000);
    assert_eq!(points[1].value, "0.5");

    let r = parse::<DescribeDBNodePerformance>(
        r#"{
 "DBNodeId": "pi-****************",
 "DBType": "PostgreSQL",
 "DBVersion": "11",
 "EndTime": "2020-09-23T01:05Z",
 "PerformanceKeys": {
  "PerformanceItem": [
   {
    "Measurement": "PolarDBMemory",
    "MetricName": "mem_ratio",
    "Points": {
     "PerformanceItemValue": [
      {
       "Timestamp": 1600822800000,
       "Value": "41.2"
      }
     ]
    }
   }
  ]
 },
 "RequestId": "E5EE4A6F-8E5B-4F7A-9B6A-2A0A55******",
 "StartTime": "2020-09-23T01:01Z"
}"#,
    );
    assert_eq!(r.db_node_id, "pi-****************");
    let item = &r.performance_keys.performance_item[0];
    assert_eq!(item.measurement, "PolarDBMemory");
    assert_eq!(item.points.performance_item_value[0].value, "41.2");

    let r = parse::<DescribeDBClusterMonitor>(
        r#"{
 "Period": "60",
 "RequestId": "BF7E1A2C-6D0C-4E3B-A8C5-9D2D7E******"
}"#,
    );
    assert_eq!(r.period, "60");
}

// ------------------------------------------------------------------ requests (API names)

#[test]
fn whitelist_request_params() {
    let req = ModifyDBClusterAccessWhitelist {
        db_cluster_id: "pc-1".into(),
        db_cluster_ip_array_name: Some("default".into()),
        security_ips: Some("10.0.0.1,10.0.0.0/24".into()),
        modify_mode: Some("Cover".into()),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("DBClusterIPArrayName", "default"),
            ("SecurityIps", "10.0.0.1,10.0.0.0/24"),
            ("ModifyMode", "Cover"),
        ])
    );
}

#[test]
fn create_db_cluster_request_params() {
    let req = CreateDBCluster {
        region_id: "cn-hangzhou".into(),
        zone_id: Some("cn-hangzhou-g".into()),
        db_type: "PostgreSQL".into(),
        db_version: "11".into(),
        db_node_class: "polar.pg.x4.large".into(),
        pay_type: "Postpaid".into(),
        vpc_id: Some("vpc-1".into()),
        v_switch_id: Some("vsw-1".into()),
        security_ip_list: Some("10.0.0.1".into()),
        tde_status: Some(true),
        gdn_id: Some("gdn-1".into()),
        db_minor_version: Some("11.2".into()),
        auto_renew: Some(false),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("RegionId", "cn-hangzhou"),
            ("ZoneId", "cn-hangzhou-g"),
            ("DBType", "PostgreSQL"),
            ("DBVersion", "11"),
            ("DBNodeClass", "polar.pg.x4.large"),
            ("PayType", "Postpaid"),
            ("VPCId", "vpc-1"),
            ("VSwitchId", "vsw-1"),
            ("SecurityIPList", "10.0.0.1"),
            ("TDEStatus", "true"),
            ("GDNId", "gdn-1"),
            ("DBMinorVersion", "11.2"),
            ("AutoRenew", "false"),
        ])
    );
}

#[test]
fn list_params_flatten_with_one_based_indexes() {
    let req = TagResources {
        region_id: "cn-hangzhou".into(),
        resource_type: "cluster".into(),
        resource_id: vec!["pc-1".into(), "pc-2".into()],
        tag: vec![TagParam {
            key: "env".into(),
            value: "prod".into(),
        }],
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "cluster"),
            ("ResourceId.1", "pc-1"),
            ("ResourceId.2", "pc-2"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "prod"),
        ])
    );

    let req = UntagResources {
        region_id: "cn-hangzhou".into(),
        resource_type: "cluster".into(),
        resource_id: vec!["pc-1".into()],
        tag_key: vec!["env".into(), "team".into()],
        all: Some(false),
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "cluster"),
            ("ResourceId.1", "pc-1"),
            ("TagKey.1", "env"),
            ("TagKey.2", "team"),
            ("All", "false"),
        ])
    );

    let req = DeleteDBNodes {
        db_cluster_id: "pc-1".into(),
        db_node_id: vec!["pi-2".into(), "pi-3".into()],
        client_token: None,
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("DBNodeId.1", "pi-2"),
            ("DBNodeId.2", "pi-3"),
        ])
    );

    let req = CreateDBNodes {
        db_cluster_id: "pc-1".into(),
        db_node: vec![
            DBNodeParam {
                target_class: Some("polar.pg.x4.large".into()),
                zone_id: Some("cn-hangzhou-g".into()),
            },
            DBNodeParam {
                target_class: Some("polar.pg.x4.large".into()),
                zone_id: None,
            },
        ],
        planned_start_time: Some("2021-01-14T09:00:00Z".into()),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("DBNode.1.TargetClass", "polar.pg.x4.large"),
            ("DBNode.1.ZoneId", "cn-hangzhou-g"),
            ("DBNode.2.TargetClass", "polar.pg.x4.large"),
            ("PlannedStartTime", "2021-01-14T09:00:00Z"),
        ])
    );
}

#[test]
fn numbers_and_acronyms_in_request_params() {
    let req = DescribeTasks {
        db_node_id: Some("pi-1".into()),
        start_time: "2020-11-30T00:00Z".into(),
        end_time: "2020-12-02T03:00Z".into(),
        page_size: Some(50),
        page_number: Some(2),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBNodeId", "pi-1"),
            ("StartTime", "2020-11-30T00:00Z"),
            ("EndTime", "2020-12-02T03:00Z"),
            ("PageSize", "50"),
            ("PageNumber", "2"),
        ])
    );

    let req = ModifyDBClusterSSL {
        db_cluster_id: "pc-1".into(),
        ssl_enabled: Some("Enable".into()),
        db_endpoint_id: Some("pe-1".into()),
        net_type: Some("Public".into()),
        ssl_auto_rotate: Some("Enable".into()),
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("SSLEnabled", "Enable"),
            ("DBEndpointId", "pe-1"),
            ("NetType", "Public"),
            ("SSLAutoRotate", "Enable"),
        ])
    );

    let req = DescribeDBNodePerformance {
        db_node_id: "pi-1".into(),
        key: "PolarDBCPU,PolarDBMemory".into(),
        start_time: "2020-09-23T01:01Z".into(),
        end_time: "2020-09-23T01:05Z".into(),
        db_cluster_id: Some("pc-1".into()),
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBNodeId", "pi-1"),
            ("Key", "PolarDBCPU,PolarDBMemory"),
            ("StartTime", "2020-09-23T01:01Z"),
            ("EndTime", "2020-09-23T01:05Z"),
            ("DBClusterId", "pc-1"),
        ])
    );

    let req = DescribePendingMaintenanceAction {
        region: "all".into(),
        task_type: "all".into(),
        is_history: Some(0),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[("Region", "all"), ("TaskType", "all"), ("IsHistory", "0")])
    );
}

#[test]
fn backup_policy_request_params() {
    let req = ModifyBackupPolicy {
        db_cluster_id: "pc-1".into(),
        preferred_backup_period: Some("Monday,Friday".into()),
        preferred_backup_time: Some("15:00Z-16:00Z".into()),
        data_level1_backup_retention_period: Some("7".into()),
        data_level2_backup_another_region_region: Some("cn-shanghai".into()),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("PreferredBackupPeriod", "Monday,Friday"),
            ("PreferredBackupTime", "15:00Z-16:00Z"),
            ("DataLevel1BackupRetentionPeriod", "7"),
            ("DataLevel2BackupAnotherRegionRegion", "cn-shanghai"),
        ])
    );
    let req = ModifyLogBackupPolicy {
        db_cluster_id: "pc-1".into(),
        log_backup_retention_period: Some("7".into()),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[("DBClusterId", "pc-1"), ("LogBackupRetentionPeriod", "7")])
    );
}

#[test]
fn endpoint_and_database_request_params() {
    let req = CreateDBClusterEndpoint {
        db_cluster_id: "pc-1".into(),
        endpoint_type: "Custom".into(),
        nodes: Some("pi-1,pi-2".into()),
        read_write_mode: Some("ReadOnly".into()),
        endpoint_config: Some(r#"{"ConsistLevel":"1"}"#.into()),
        db_endpoint_description: Some("ro".into()),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("EndpointType", "Custom"),
            ("Nodes", "pi-1,pi-2"),
            ("ReadWriteMode", "ReadOnly"),
            ("EndpointConfig", r#"{"ConsistLevel":"1"}"#),
            ("DBEndpointDescription", "ro"),
        ])
    );
    let req = CreateDatabase {
        db_cluster_id: "pc-1".into(),
        db_name: "app".into(),
        character_set_name: "UTF8".into(),
        db_description: Some("main".into()),
        collate: Some("C".into()),
        ctype: Some("C".into()),
        ..Default::default()
    };
    assert_eq!(
        params(&req),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("DBName", "app"),
            ("CharacterSetName", "UTF8"),
            ("DBDescription", "main"),
            ("Collate", "C"),
            ("Ctype", "C"),
        ])
    );
}

#[test]
fn optional_params_are_left_out_and_required_ones_kept() {
    assert_eq!(
        params(&DescribeDBClusterAttribute::default()),
        pairs(&[("DBClusterId", "")])
    );
    assert_eq!(
        params(&DescribeDBClusterAvailableResources {
            pay_type: "Postpaid".into(),
            ..Default::default()
        }),
        pairs(&[("PayType", "Postpaid")])
    );
    assert!(params(&DescribeScheduleTasks::default()).is_empty());
    assert!(params(&DescribeRegions::default()).is_empty());
}

#[test]
fn passwords_are_sent_but_never_printed() {
    let create = CreateAccount {
        db_cluster_id: "pc-1".into(),
        account_name: "app".into(),
        account_password: "S3cret!pass".into(),
        account_type: Some("Normal".into()),
        ..Default::default()
    };
    let shown = format!("{create:?} {create:#?}");
    assert!(!shown.contains("S3cret!pass"), "{shown}");
    assert!(shown.contains("<redacted>"));
    assert!(shown.contains("app"));
    assert!(params(&create).contains(&("AccountPassword".to_string(), "S3cret!pass".to_string())));

    let change = ModifyAccountPassword {
        db_cluster_id: "pc-1".into(),
        account_name: "app".into(),
        new_account_password: "N3w!pass".into(),
    };
    let shown = format!("{change:?}");
    assert!(!shown.contains("N3w!pass"), "{shown}");
    assert!(shown.contains("<redacted>"));
    assert_eq!(
        params(&change),
        pairs(&[
            ("DBClusterId", "pc-1"),
            ("AccountName", "app"),
            ("NewAccountPassword", "N3w!pass"),
        ])
    );
}
