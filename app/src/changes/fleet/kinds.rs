//! What a fleet change can be (the form's kinds) and the one request of the reference each
//! makes from the form's inputs, checked field by field.

use std::collections::BTreeMap;

use crate::i18n::{td_string, Locale};

/// A change a fleet can take here.
pub struct Kind {
    pub key: &'static str,
    pub action: &'static str,
    /// Its inputs, by name (their labels: [`field_label`]).
    pub fields: &'static [&'static str],
}

impl Kind {
    /// What it is, in a language.
    pub fn label(&self, locale: Locale) -> &'static str {
        match self.key {
            "whitelist-add" => td_string!(locale, changes.kind_whitelist_add),
            "whitelist-remove" => td_string!(locale, changes.kind_whitelist_remove),
            "parameter" => td_string!(locale, changes.kind_parameter),
            "monitor" => td_string!(locale, changes.kind_monitor),
            "maintain" => td_string!(locale, changes.kind_maintain),
            "sql-collection" => td_string!(locale, changes.kind_sql_collection),
            "backup" => td_string!(locale, changes.kind_backup),
            "log-backup" => td_string!(locale, changes.kind_log_backup),
            "ssl" => td_string!(locale, changes.kind_ssl),
            "auto-renew" => td_string!(locale, changes.kind_auto_renew),
            "tag-add" => td_string!(locale, changes.kind_tag_add),
            "tag-remove" => td_string!(locale, changes.kind_tag_remove),
            _ => self.key,
        }
    }
}

/// An input's label with its rule, in a language.
pub fn field_label(locale: Locale, name: &str) -> &'static str {
    match name {
        "entry" => td_string!(locale, changes.field_entry),
        "group" => td_string!(locale, changes.field_group),
        "parameter" => td_string!(locale, changes.field_parameter),
        "period" => td_string!(locale, changes.field_period),
        "window" => td_string!(locale, changes.field_window),
        "collector" => td_string!(locale, changes.field_collector),
        "backup-retention" => td_string!(locale, changes.field_backup_retention),
        "backup-days" => td_string!(locale, changes.field_backup_days),
        "backup-window" => td_string!(locale, changes.field_backup_window),
        "log-retention" => td_string!(locale, changes.field_log_retention),
        "ssl" => td_string!(locale, changes.field_ssl),
        "renewal" => td_string!(locale, changes.field_renewal),
        "renew-for" => td_string!(locale, changes.field_renew_for),
        "renew-unit" => td_string!(locale, changes.field_renew_unit),
        "tag" => td_string!(locale, changes.field_tag),
        "tag-key" => td_string!(locale, changes.field_tag_key),
        _ => "",
    }
}

const WHITELIST: &[&str] = &["entry", "group"];

/// The changes a fleet can take here.
pub const KINDS: &[Kind] = &[
    Kind {
        key: "whitelist-add",
        action: "ModifyDBClusterAccessWhitelist",
        fields: WHITELIST,
    },
    Kind {
        key: "whitelist-remove",
        action: "ModifyDBClusterAccessWhitelist",
        fields: WHITELIST,
    },
    Kind {
        key: "parameter",
        action: "ModifyDBClusterParameters",
        fields: &["parameter"],
    },
    Kind {
        key: "monitor",
        action: "ModifyDBClusterMonitor",
        fields: &["period"],
    },
    Kind {
        key: "maintain",
        action: "ModifyDBClusterMaintainTime",
        fields: &["window"],
    },
    Kind {
        key: "sql-collection",
        action: "ModifyDBClusterAuditLogCollector",
        fields: &["collector"],
    },
    // What PolarDB for PostgreSQL takes of ModifyBackupPolicy (the cluster's backups tab says
    // which fields it does not): how long level-1 backups are kept, the days and the window.
    Kind {
        key: "backup",
        action: "ModifyBackupPolicy",
        fields: &["backup-retention", "backup-days", "backup-window"],
    },
    Kind {
        key: "log-backup",
        action: "ModifyLogBackupPolicy",
        fields: &["log-retention"],
    },
    // 7.2.2: for PostgreSQL no DBEndpointId or NetType: every address of the cluster.
    Kind {
        key: "ssl",
        action: "ModifyDBClusterSSL",
        fields: &["ssl"],
    },
    Kind {
        key: "auto-renew",
        action: "ModifyAutoRenewAttribute",
        fields: &["renewal", "renew-for", "renew-unit"],
    },
    Kind {
        key: "tag-add",
        action: "TagResources",
        fields: &["tag"],
    },
    Kind {
        key: "tag-remove",
        action: "UntagResources",
        fields: &["tag-key"],
    },
];

use polardb::rules::WEEKDAYS;

/// The language in use where there is one (a page), else English.
fn locale_in_use() -> Locale {
    leptos::prelude::use_context::<leptos_i18n::I18nContext<Locale>>()
        .map(|i18n| i18n.get_locale())
        .unwrap_or_default()
}

/// The action and parameters (without the cluster, which each target's request names) of a
/// fleet change from the form's inputs (by name), or what is wrong: the field and its rule,
/// in the language in use.
pub fn request_of(
    kind: &str,
    input: &BTreeMap<String, String>,
) -> Result<(String, Vec<(String, String)>), String> {
    request_in(locale_in_use(), kind, input)
}

/// [`request_of`], what is wrong said in a given language.
pub fn request_in(
    locale: Locale,
    kind: &str,
    input: &BTreeMap<String, String>,
) -> Result<(String, Vec<(String, String)>), String> {
    let kind = KINDS
        .iter()
        .find(|k| k.key == kind)
        .ok_or(td_string!(locale, changes.what_choose))?;
    let get = |name: &str| input.get(name).map(|v| v.trim()).unwrap_or_default();
    // An input's short name: its label up to the rule.
    let label = |name: &str| {
        kind.fields
            .iter()
            .find(|n| **n == name)
            .map(|n| field_label(locale, n))
            .and_then(|l| l.split([':', '：']).next())
            .unwrap_or(name)
            .split(" (")
            .next()
            .unwrap_or(name)
            .split('（')
            .next()
            .unwrap_or(name)
            .to_string()
    };
    let wrong = |name: &str, rule: &str| {
        td_string!(
            locale,
            changes.field_problem,
            label = label(name),
            rule = rule
        )
        .to_string()
    };
    // A required input.
    let value = |name: &str| -> Result<&str, String> {
        let v = get(name);
        if v.is_empty() {
            Err(wrong(name, td_string!(locale, changes.rule_enter_value)))
        } else {
            Ok(v)
        }
    };
    let one_of = |name: &str, allowed: &[&str]| -> Result<String, String> {
        let v = value(name)?;
        if allowed.contains(&v) {
            Ok(v.to_string())
        } else {
            Err(wrong(
                name,
                &td_string!(locale, changes.rule_must_be, list = words(locale, allowed))
                    .to_string(),
            ))
        }
    };
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    let params = match kind.key {
        "whitelist-add" | "whitelist-remove" => {
            let entry = value("entry")?;
            polardb::rules::ip_entry(entry).map_err(|e| wrong("entry", &e))?;
            let group = match get("group") {
                "" => "default",
                g => g,
            };
            let mode = if kind.key == "whitelist-add" {
                "Append"
            } else {
                "Delete"
            };
            vec![
                p("DBClusterIPArrayName", group),
                p("SecurityIps", entry),
                p("ModifyMode", mode),
            ]
        }
        "parameter" => {
            let (name, v) = value("parameter")?
                .split_once('=')
                .filter(|(n, _)| !n.trim().is_empty())
                .ok_or_else(|| wrong("parameter", td_string!(locale, changes.rule_name_value)))?;
            let json = serde_json::json!({ name.trim(): v.trim() }).to_string();
            vec![p("Parameters", &json)]
        }
        "monitor" => vec![p("Period", &one_of("period", &["5", "60", "300"])?)],
        "maintain" => {
            let w = value("window")?;
            if polardb::rules::maintain_window(w).is_none() {
                return Err(wrong("window", td_string!(locale, changes.rule_window)));
            }
            vec![p("MaintainTime", w)]
        }
        "sql-collection" => vec![p(
            "CollectorStatus",
            &one_of("collector", &["Enable", "Disable"])?,
        )],
        "backup" => {
            let mut out = Vec::new();
            let keep = get("backup-retention");
            if !keep.is_empty() {
                match keep.parse::<u32>() {
                    Ok(n) if (3..=14).contains(&n) => {}
                    _ => {
                        return Err(wrong(
                            "backup-retention",
                            td_string!(locale, changes.rule_backup_retention),
                        ))
                    }
                }
                out.push(p("DataLevel1BackupRetentionPeriod", keep));
            }
            let days = get("backup-days");
            if !days.is_empty() {
                let mut chosen = Vec::new();
                for d in days.split(',').map(str::trim).filter(|d| !d.is_empty()) {
                    let Some(day) = WEEKDAYS.iter().find(|w| w.eq_ignore_ascii_case(d)) else {
                        return Err(wrong(
                            "backup-days",
                            &td_string!(locale, changes.rule_not_weekday, day = format!("{d:?}"))
                                .to_string(),
                        ));
                    };
                    if !chosen.contains(day) {
                        chosen.push(*day);
                    }
                }
                if chosen.len() < 2 {
                    return Err(wrong(
                        "backup-days",
                        td_string!(locale, changes.rule_two_days),
                    ));
                }
                chosen.sort_by_key(|d| WEEKDAYS.iter().position(|w| w == d));
                out.push(p("PreferredBackupPeriod", &chosen.join(",")));
            }
            let window = get("backup-window");
            if !window.is_empty() {
                let hour = |s: &str| {
                    s.strip_suffix(":00Z")
                        .filter(|h| h.len() == 2)
                        .and_then(|h| h.parse::<u32>().ok())
                        .filter(|h| *h < 24)
                };
                let ok = window
                    .split_once('-')
                    .and_then(|(a, b)| Some((hour(a)?, hour(b)?)))
                    .is_some_and(|(a, b)| (a + 1) % 24 == b);
                if !ok {
                    return Err(wrong(
                        "backup-window",
                        td_string!(locale, changes.rule_backup_window),
                    ));
                }
                out.push(p("PreferredBackupTime", window));
            }
            if out.is_empty() {
                return Err(td_string!(locale, changes.backup_nothing_set).into());
            }
            out
        }
        "log-backup" => {
            let keep = value("log-retention")?;
            match keep.parse::<i32>() {
                Ok(n) if n == -1 || (3..=7300).contains(&n) => {}
                _ => {
                    return Err(wrong(
                        "log-retention",
                        td_string!(locale, changes.rule_log_retention),
                    ))
                }
            }
            vec![p("LogBackupRetentionPeriod", keep)]
        }
        "ssl" => vec![p(
            "SSLEnabled",
            &one_of("ssl", &["Enable", "Disable", "Update"])?,
        )],
        "auto-renew" => {
            let status = one_of("renewal", &["AutoRenewal", "Normal", "NotRenewal"])?;
            let mut out = vec![p("RenewalStatus", &status)];
            if status == "AutoRenewal" {
                let unit = one_of("renew-unit", &["Month", "Year"])?;
                let n = value("renew-for")?;
                if let Some(rule) = polardb::rules::renewal_problem(&status, n, &unit) {
                    return Err(wrong("renew-for", &rule));
                }
                out.push(p("Duration", n));
                out.push(p("PeriodUnit", &unit));
            }
            out
        }
        "tag-add" => {
            let (k, v) = value("tag")?
                .split_once('=')
                .ok_or_else(|| wrong("tag", td_string!(locale, changes.rule_key_value)))?;
            let (k, v) = (k.trim(), v.trim());
            if let Some(rule) =
                polardb::rules::tag_key_problem(k).or_else(|| polardb::rules::tag_value_problem(v))
            {
                return Err(wrong("tag", &rule));
            }
            vec![
                p("ResourceType", "cluster"),
                p("Tag.1.Key", k),
                p("Tag.1.Value", v),
            ]
        }
        _ => {
            let k = value("tag-key")?;
            if let Some(rule) = polardb::rules::tag_key_problem(k) {
                return Err(wrong("tag-key", &rule));
            }
            vec![p("ResourceType", "cluster"), p("TagKey.1", k)]
        }
    };
    Ok((kind.action.to_string(), params))
}

/// `a, b or c` (in a language).
fn words(locale: Locale, list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => td_string!(
            locale,
            changes.list_or,
            rest = rest.join(td_string!(locale, changes.list_sep)),
            last = last
        )
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{request_of, KINDS};

    fn ask(kind: &str, input: &[(&str, &str)]) -> Result<(String, Vec<(String, String)>), String> {
        let input: BTreeMap<String, String> = input
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        request_of(kind, &input)
    }

    fn has(params: &[(String, String)], k: &str, v: &str) -> bool {
        params.contains(&(k.to_string(), v.to_string()))
    }

    #[test]
    fn a_fleet_change_is_one_request_of_the_reference() {
        let (action, params) = ask("whitelist-add", &[("entry", " 10.0.0.0/24 ")]).unwrap();
        assert_eq!(action, "ModifyDBClusterAccessWhitelist");
        assert!(has(&params, "ModifyMode", "Append"));
        assert!(has(&params, "DBClusterIPArrayName", "default"));
        assert!(ask("whitelist-remove", &[("entry", "10.0.0.300")])
            .unwrap_err()
            .starts_with("Whitelist entry: "));
        let (_, params) = ask("parameter", &[("parameter", "statement_timeout = 30000")]).unwrap();
        assert_eq!(params[0].1, r#"{"statement_timeout":"30000"}"#);
        assert_eq!(
            ask("parameter", &[("parameter", "statement_timeout")]).unwrap_err(),
            "Parameter: write it as name=value"
        );
        assert_eq!(
            ask("monitor", &[("period", "7")]).unwrap_err(),
            "Monitoring period: must be 5, 60 or 300"
        );
        assert!(ask("maintain", &[("window", "16:00Z-17:00Z")]).is_ok());
        assert!(ask("maintain", &[("window", "16:00-17:00")]).is_err());
        assert!(ask("sql-collection", &[("collector", "enable")]).is_err());
        assert_eq!(
            ask("nothing", &[]).unwrap_err(),
            "What: choose what to change"
        );
        assert_eq!(
            ask("monitor", &[("period", " ")]).unwrap_err(),
            "Monitoring period: enter a value"
        );
    }

    #[test]
    fn backup_ssl_renewal_and_tag_changes_follow_the_reference() {
        // ModifyBackupPolicy: only what is filled in; the days in the API's order.
        let (action, params) = ask(
            "backup",
            &[
                ("backup-retention", "10"),
                ("backup-days", "friday, Monday"),
            ],
        )
        .unwrap();
        assert_eq!(action, "ModifyBackupPolicy");
        assert_eq!(
            params,
            vec![
                ("DataLevel1BackupRetentionPeriod".into(), "10".into()),
                ("PreferredBackupPeriod".into(), "Monday,Friday".into()),
            ]
        );
        let (_, params) = ask("backup", &[("backup-window", "23:00Z-00:00Z")]).unwrap();
        assert!(has(&params, "PreferredBackupTime", "23:00Z-00:00Z"));
        assert_eq!(
            ask("backup", &[("backup-retention", "30")]).unwrap_err(),
            "Keep backups: must be 3 to 14 days"
        );
        assert_eq!(
            ask("backup", &[("backup-days", "Monday")]).unwrap_err(),
            "Backup days: choose at least two days a week"
        );
        assert!(ask("backup", &[("backup-window", "02:30Z-03:30Z")])
            .unwrap_err()
            .starts_with("Backup window: one hour"));
        assert!(ask("backup", &[])
            .unwrap_err()
            .starts_with("Backup policy: "));
        // ModifyLogBackupPolicy.
        let (action, params) = ask("log-backup", &[("log-retention", "-1")]).unwrap();
        assert_eq!(action, "ModifyLogBackupPolicy");
        assert!(has(&params, "LogBackupRetentionPeriod", "-1"));
        assert!(ask("log-backup", &[("log-retention", "2")])
            .unwrap_err()
            .starts_with("Keep log backups: must be 3 to 7300"));
        // ModifyDBClusterSSL: for PostgreSQL no endpoint (7.2.2).
        let (action, params) = ask("ssl", &[("ssl", "Enable")]).unwrap();
        assert_eq!((action.as_str(), params.len()), ("ModifyDBClusterSSL", 1));
        assert_eq!(
            ask("ssl", &[("ssl", "On")]).unwrap_err(),
            "SSL on every address: must be Enable, Disable or Update"
        );
        // ModifyAutoRenewAttribute.
        let (action, params) = ask(
            "auto-renew",
            &[
                ("renewal", "AutoRenewal"),
                ("renew-for", "6"),
                ("renew-unit", "Month"),
            ],
        )
        .unwrap();
        assert_eq!(action, "ModifyAutoRenewAttribute");
        assert!(has(&params, "Duration", "6") && has(&params, "PeriodUnit", "Month"));
        assert_eq!(
            ask("auto-renew", &[("renewal", "Normal")]).unwrap().1.len(),
            1
        );
        assert_eq!(
            ask(
                "auto-renew",
                &[
                    ("renewal", "AutoRenewal"),
                    ("renew-for", "4"),
                    ("renew-unit", "Year")
                ]
            )
            .unwrap_err(),
            "Renew for: renews for 1 to 3 years"
        );
        // TagResources and UntagResources on clusters.
        let (action, params) = ask("tag-add", &[("tag", "team = payments")]).unwrap();
        assert_eq!(action, "TagResources");
        assert!(has(&params, "ResourceType", "cluster"));
        assert!(has(&params, "Tag.1.Key", "team") && has(&params, "Tag.1.Value", "payments"));
        assert!(ask("tag-add", &[("tag", "aliyun:x=1")])
            .unwrap_err()
            .starts_with("Tag: a tag key"));
        let (action, params) = ask("tag-remove", &[("tag-key", "team")]).unwrap();
        assert_eq!(action, "UntagResources");
        assert!(has(&params, "TagKey.1", "team"));
        // Each kind's action sends to one cluster at a time, which the fleet fills in.
        for k in KINDS {
            assert!(
                polardb::request::cluster_key(k.action).is_some(),
                "{} names no cluster",
                k.action
            );
        }
    }
}
