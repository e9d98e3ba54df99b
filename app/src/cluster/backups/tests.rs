//! The backups tab's rules, tested.

use super::*;

const EN: Locale = Locale::en;

fn backup(mode: &str, status: &str) -> Backup {
    Backup {
        backup_id: "1".into(),
        backup_mode: mode.into(),
        backup_status: status.into(),
        store_status: if mode == "Manual" {
            "Enabled"
        } else {
            "Disabled"
        }
        .into(),
        ..Default::default()
    }
}

#[test]
fn only_completed_manual_backups_of_a_running_cluster_are_deleted() {
    assert_eq!(
        delete_refusal(EN, &backup("Manual", "Success"), "Running", 5),
        None
    );
    assert!(
        delete_refusal(EN, &backup("Automated", "Success"), "Running", 5)
            .unwrap()
            .contains("Automatic")
    );
    assert!(
        delete_refusal(EN, &backup("Manual", "Failed"), "Running", 5)
            .unwrap()
            .contains("completed")
    );
    assert!(
        delete_refusal(EN, &backup("Manual", "Success"), "Rebooting", 5)
            .unwrap()
            .contains("Running")
    );
    assert!(
        delete_refusal(EN, &backup("Manual", "Success"), "Running", 1)
            .unwrap()
            .contains("only")
    );
}

#[test]
fn manual_backups_are_limited() {
    assert_eq!(create_refusal(EN, "Running", 2, false), None);
    assert!(create_refusal(EN, "Running", 3, false)
        .unwrap()
        .contains("at most 3"));
    assert!(create_refusal(EN, "Creating", 0, false).is_some());
    assert!(create_refusal(EN, "Running", 0, true).is_some());
}

#[test]
fn ranges_are_checked_and_defaulted() {
    assert_eq!(range_problem(EN, "", ""), None);
    assert_eq!(
        range_problem(EN, "2026-01-01T00:00", "2026-01-02T00:00"),
        None
    );
    assert!(range_problem(EN, "2026-01-02T00:00", "2026-01-01T00:00")
        .unwrap()
        .contains("later"));
    assert!(range_problem(EN, "soon", "").unwrap().contains("start"));
    let now = parse_minute("2026-03-10T12:00Z").unwrap() + 30_000;
    assert_eq!(
        query_range("", "", now),
        (
            "2026-02-08T12:02Z".to_string(),
            "2026-03-10T12:02Z".to_string()
        )
    );
    assert_eq!(
        query_range("2026-01-01T00:00", "2026-01-02T00:00", now),
        (
            "2026-01-01T00:00Z".to_string(),
            "2026-01-02T00:00Z".to_string()
        )
    );
}

#[test]
fn policies_follow_the_rules() {
    let good = PolicyForm {
        preferred_backup_period: vec!["Monday".into(), "Friday".into()],
        preferred_backup_time: "02:00Z-03:00Z".into(),
        backup_frequency: "Normal".into(),
        data_level1_retention: "7".into(),
        data_level2_retention: "0".into(),
        data_level2_region: String::new(),
        data_level2_region_retention: "0".into(),
        retention_on_deletion: "LATEST".into(),
    };
    assert!(policy_problems(EN, &good, "cn-hangzhou").is_empty());
    let bad = |f: fn(&mut PolicyForm)| {
        let mut x = good.clone();
        f(&mut x);
        policy_problems(EN, &x, "cn-hangzhou")
    };
    assert_eq!(
        bad(|f| f.preferred_backup_period.truncate(1))[0].0,
        "Backup days"
    );
    assert_eq!(
        bad(|f| f.preferred_backup_time = "02:30Z-03:30Z".into())[0].0,
        "Backup window"
    );
    assert_eq!(
        bad(|f| f.data_level1_retention = "15".into())[0].0,
        "Level-1 retention"
    );
    assert_eq!(
        bad(|f| f.data_level1_retention = "2".into())[0].0,
        "Level-1 retention"
    );
    assert_eq!(
        bad(|f| f.backup_frequency = "5/24H".into())[0].0,
        "Backup frequency"
    );
    assert_eq!(
        bad(|f| f.data_level2_retention = "29".into())[0].0,
        "Level-2 retention"
    );
    // Level-2 backups take a retention only: PostgreSQL takes no level-2 days.
    assert!(bad(|f| f.data_level2_retention = "30".into()).is_empty());
    assert!(bad(|f| f.data_level2_retention = "-1".into()).is_empty());
    assert_eq!(
        bad(|f| f.data_level2_region = "cn-hangzhou".into())[0].0,
        "Cross-region copy"
    );
    assert_eq!(
        bad(|f| f.data_level2_region = "cn-beijing".into())[0].0,
        "Cross-region retention"
    );
    assert_eq!(
        join_days(&["Friday".into(), "Monday".into()]),
        "Monday,Friday"
    );
    assert_eq!(backup_windows().len(), 24);
    assert_eq!(backup_windows()[23], "23:00Z-00:00Z");
}

#[test]
fn log_policies_follow_the_rules() {
    let f = |r: &str, reg: &str, rr: &str| {
        log_policy_problems(
            EN,
            &LogPolicyForm {
                retention: r.into(),
                region: reg.into(),
                region_retention: rr.into(),
            },
            "cn-hangzhou",
        )
    };
    assert!(f("7", "", "0").is_empty());
    assert!(f("-1", "", "").is_empty());
    assert!(f("7300", "cn-beijing", "30").is_empty());
    assert_eq!(f("2", "", "0")[0].0, "Log retention");
    assert_eq!(f("7301", "", "0")[0].0, "Log retention");
    assert_eq!(f("7", "cn-beijing", "10")[0].0, "Cross-region retention");
    assert_eq!(f("7", "cn-hangzhou", "30")[0].0, "Cross-region copy");
}
