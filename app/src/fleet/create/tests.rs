//! The create wizard's rules, the CreateDBCluster parameters they make and the offers it
//! keeps, tested.

use super::*;

fn good() -> CreateRequest {
    CreateRequest {
        account: "sandbox".into(),
        region: "cn-hangzhou".into(),
        zone: "cn-hangzhou-i".into(),
        version: "14".into(),
        class: "polar.pg.x4.medium".into(),
        pay_type: "Postpaid".into(),
        period: "Month".into(),
        used_time: "1".into(),
        ..Default::default()
    }
}

#[test]
fn network_ids_are_checked_by_shape() {
    assert_eq!(vpc_id_problem(""), None);
    assert_eq!(vpc_id_problem("vpc-bp15zckdt37pq72zvw3"), None);
    assert!(vpc_id_problem("vpc-SHORT").is_some());
    assert!(vpc_id_problem("vsw-bp15zckdt37pq72zvw3").is_some());
    assert!(vpc_id_problem("vpc-abc").is_some());
    assert_eq!(vswitch_id_problem("", ""), None);
    assert_eq!(
        vswitch_id_problem("vpc-bp15zckdt37pq72zvw3", "vsw-bp1lyhtbyrmm3yzl2"),
        None
    );
    assert!(vswitch_id_problem("vpc-bp15zckdt37pq72zvw3", "")
        .unwrap()
        .contains("required"));
    assert!(vswitch_id_problem("", "vsw-bp1lyhtbyrmm3yzl2")
        .unwrap()
        .contains("VPC"));
    assert!(vswitch_id_problem("vpc-bp15zckdt37pq72zvw3", "vsw_1").is_some());
}

#[test]
fn subscription_lengths_follow_the_reference() {
    assert_eq!(used_time_problem("Month", "1"), None);
    assert_eq!(used_time_problem("Month", "9"), None);
    assert!(used_time_problem("Month", "10").is_some());
    assert!(used_time_problem("Month", "0").is_some());
    assert_eq!(used_time_problem("Year", "3"), None);
    assert!(used_time_problem("Year", "4").is_some());
    assert!(used_time_problem("Year", "x").is_some());
    assert!(used_time_problem("Week", "1").is_some());
}

#[test]
fn tags_follow_the_reference() {
    assert_eq!(tag_problem("env", "prod"), None);
    assert_eq!(tag_problem("env", ""), None);
    assert_eq!(tag_problem("", ""), None);
    assert!(tag_problem("", "prod").is_some());
    assert!(tag_problem("aliyun-x", "1").is_some());
    assert!(tag_problem("ACS:x", "1").is_some());
    assert!(tag_problem("k", "https://x").is_some());
    assert!(tag_problem(&"k".repeat(65), "").is_some());
    assert_eq!(tag_problem(&"k".repeat(64), &"v".repeat(64)), None);
}

#[test]
fn a_request_is_checked_whole() {
    assert_eq!(create_problem(&good()), None);
    let with = |f: fn(&mut CreateRequest)| {
        let mut r = good();
        f(&mut r);
        create_problem(&r).map(|(field, _)| field)
    };
    assert_eq!(with(|r| r.zone = "cn-shanghai-b".into()), Some("Zone"));
    assert_eq!(
        with(|r| r.class = "polar.mysql.x4.medium".into()),
        Some("Node class")
    );
    assert_eq!(with(|r| r.pay_type = "Free".into()), Some("Billing"));
    assert_eq!(
        with(|r| {
            r.pay_type = "Prepaid".into();
            r.period = "Year".into();
            r.used_time = "5".into();
        }),
        Some("Subscription length")
    );
    assert_eq!(
        with(|r| r.vpc = "vpc-bp15zckdt37pq72zvw3".into()),
        Some("vSwitch")
    );
    assert_eq!(with(|r| r.description = "1x".into()), Some("Description"));
    assert_eq!(
        with(|r| r.tags = vec![("env".into(), "a".into()), ("env".into(), "b".into())]),
        Some("Tags")
    );
    assert_eq!(
        with(|r| r.client_token = "x".repeat(65)),
        Some("ClientToken")
    );
    assert_eq!(with(|r| r.account.clear()), Some("Cloud account"));
    assert_eq!(
        with(|r| r.security_ips = "10.0.0.1, 10.0.0.300".into()),
        Some("Whitelist")
    );
    assert_eq!(
        with(|r| r.security_ips = "10.0.0.1 10.0.0.1".into()),
        Some("Whitelist")
    );
    assert_eq!(
        with(|r| r.security_ips = "10.0.0.1\n192.168.0.0/16".into()),
        None
    );
    assert_eq!(
        with(|r| r.resource_group = "group-1".into()),
        Some("Resource group")
    );
    assert_eq!(
        with(|r| r.resource_group = "rg-acfmyxdp6ttgcri".into()),
        None
    );
    assert_eq!(
        with(|r| {
            r.source = "pc-bp1abc".into();
            r.point = "yesterday".into();
        }),
        Some("Data point")
    );
    assert_eq!(
        with(|r| {
            r.source = "pc-bp1abc&x=1".into();
            r.point = "LATEST".into();
        }),
        Some("Source cluster")
    );
    assert_eq!(
        with(|r| {
            r.source = "pc-bp1abc".into();
            r.point = "2026-11-30T10:00:00Z".into();
        }),
        None
    );
}

#[test]
fn a_clone_source_checks_the_point_against_its_backups_and_logs() {
    let t = |s: &str| polardb::rules::api_time(s).unwrap();
    let src = CloneSource {
        id: "pc-bp1abc".into(),
        backups: vec![(
            "100002001".into(),
            "2026-11-29T01:00:00Z".into(),
            "Automated".into(),
        )],
        window: Some((t("2026-11-29T01:00:00Z"), t("2026-11-30T08:59:30Z"))),
        ..Default::default()
    };
    let now = t("2026-11-30T09:10:00Z");
    assert_eq!(src.point_problem("LATEST", now), None);
    assert_eq!(src.point_problem("100002001", now), None);
    assert!(src.point_problem("100002002", now).is_some());
    assert_eq!(src.point_problem("2026-11-30T08:00:00Z", now), None);
    assert!(src
        .point_problem("2026-11-28T08:00:00Z", now)
        .unwrap()
        .contains("2026-11-29T01:00:00Z"));
    assert_eq!(point_label("LATEST"), "its latest data");
    assert_eq!(point_label("100002001"), "backup set 100002001");
}

#[cfg(feature = "ssr")]
#[test]
fn parameters_carry_the_token_and_the_subscription() {
    use polardb::models::Action;
    let create_params = |r: &CreateRequest| create_request(r).to_params();
    let mut r = good();
    r.client_token = "pcw-1".into();
    let p = create_params(&r);
    assert!(p.contains(&("ClientToken".into(), "pcw-1".into())));
    assert!(!p.iter().any(|(k, _)| k == "Period"));
    r.pay_type = "Prepaid".into();
    r.auto_renew = true;
    let p = create_params(&r);
    assert!(p.contains(&("Period".into(), "Month".into())));
    assert!(p.contains(&("UsedTime".into(), "1".into())));
    assert!(p.contains(&("AutoRenew".into(), "true".into())));
    assert!(p.contains(&("CreationOption".into(), "Normal".into())));
    assert!(!p
        .iter()
        .any(|(k, _)| k == "SecurityIPList" || k == "TDEStatus"));
    r.security_ips = "10.0.0.1\n192.168.0.0/16".into();
    r.tde = true;
    r.resource_group = "rg-acfmyxdp6ttgcri".into();
    let p = create_params(&r);
    assert!(p.contains(&("SecurityIPList".into(), "10.0.0.1,192.168.0.0/16".into())));
    assert!(p.contains(&("TDEStatus".into(), "true".into())));
    assert!(p.contains(&("ResourceGroupId".into(), "rg-acfmyxdp6ttgcri".into())));
    r.source = "pc-bp1abc".into();
    r.point = "100002001".into();
    let p = create_params(&r);
    assert!(p.contains(&("CreationOption".into(), "CloneFromPolarDB".into())));
    assert!(p.contains(&("SourceResourceId".into(), "pc-bp1abc".into())));
    assert!(p.contains(&("CloneDataPoint".into(), "100002001".into())));
}

#[test]
fn only_postgresql_offers_are_kept() {
    use polardb::models::{
        AvailableResource, AvailableZone, DescribeDBClusterAvailableResourcesResponse,
        SupportedEngine,
    };
    let answer = DescribeDBClusterAvailableResourcesResponse {
        available_zones: vec![AvailableZone {
            zone_id: "cn-hangzhou-i".into(),
            supported_engines: vec![
                SupportedEngine {
                    engine: "mysql80".into(),
                    available_resources: vec![AvailableResource {
                        category: "Normal".into(),
                        db_node_class: "polar.mysql.x4.large".into(),
                    }],
                },
                SupportedEngine {
                    engine: "pg14".into(),
                    available_resources: vec![AvailableResource {
                        category: "Normal".into(),
                        db_node_class: "polar.pg.x4.medium".into(),
                    }],
                },
            ],
            ..Default::default()
        }],
        ..Default::default()
    };
    let o = offers(answer);
    assert_eq!(o.len(), 1);
    assert_eq!(
        o[0].versions,
        vec![("14".to_string(), vec!["polar.pg.x4.medium".to_string()])]
    );
}
