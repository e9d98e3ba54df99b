//! Static catalogues: node classes, the PostgreSQL parameter set, character sets and
//! locales, performance metric keys (19-04) and engine versions.

/// A compute node class of PolarDB for PostgreSQL.
#[derive(Clone, Copy, Debug)]
pub struct NodeClass {
    pub name: &'static str,
    pub cpu_cores: i64,
    pub memory_gb: i64,
    pub max_connections: i64,
    pub max_iops: i64,
}

const fn class(
    name: &'static str,
    cpu_cores: i64,
    memory_gb: i64,
    max_connections: i64,
    max_iops: i64,
) -> NodeClass {
    NodeClass {
        name,
        cpu_cores,
        memory_gb,
        max_connections,
        max_iops,
    }
}

/// The classes on sale, from the smallest to the largest.
pub const NODE_CLASSES: &[NodeClass] = &[
    class("polar.pg.x4.medium", 2, 8, 800, 16_000),
    class("polar.pg.x8.medium", 2, 16, 1_600, 16_000),
    class("polar.pg.x4.large", 4, 16, 1_600, 32_000),
    class("polar.pg.x8.large", 4, 32, 3_200, 32_000),
    class("polar.pg.x4.xlarge", 8, 32, 3_200, 64_000),
    class("polar.pg.x8.xlarge", 8, 64, 6_400, 64_000),
    class("polar.pg.x4.2xlarge", 16, 64, 6_400, 128_000),
    class("polar.pg.x8.2xlarge", 16, 128, 12_800, 128_000),
    class("polar.pg.x8.4xlarge", 32, 256, 25_600, 192_000),
    class("polar.pg.x8.8xlarge", 64, 512, 36_000, 256_000),
];

pub fn node_class(name: &str) -> Option<&'static NodeClass> {
    NODE_CLASSES.iter().find(|c| c.name == name)
}

/// The position of a class in the size order (bigger is larger).
pub fn class_rank(name: &str) -> Option<usize> {
    NODE_CLASSES.iter().position(|c| c.name == name)
}

/// PostgreSQL major versions the emulator sells.
pub const DB_VERSIONS: &[&str] = &["11", "14", "15", "16"];

/// One PostgreSQL parameter of the catalogue.
#[derive(Clone, Copy, Debug)]
pub struct ParamDef {
    pub name: &'static str,
    pub default: &'static str,
    pub data_type: &'static str,
    /// `[a|b|c]` for an enumeration, `[min-max]` for a numeric range, empty for free text.
    pub checking_code: &'static str,
    pub force_restart: bool,
    pub modifiable: bool,
    pub description: &'static str,
}

const fn param(
    name: &'static str,
    default: &'static str,
    data_type: &'static str,
    checking_code: &'static str,
    force_restart: bool,
    modifiable: bool,
    description: &'static str,
) -> ParamDef {
    ParamDef {
        name,
        default,
        data_type,
        checking_code,
        force_restart,
        modifiable,
        description,
    }
}

/// A realistic subset of PolarDB for PostgreSQL's cluster parameters.
pub const PARAMETERS: &[ParamDef] = &[
    param("autovacuum", "on", "BOOL", "[on|off]", false, true, "Starts the autovacuum subprocess."),
    param("autovacuum_analyze_scale_factor", "0.05", "DOUBLE", "[0-100]", false, true, "Number of tuple inserts, updates, or deletes prior to analyze as a fraction of reltuples."),
    param("autovacuum_max_workers", "5", "INT", "[1-262143]", true, true, "Sets the maximum number of simultaneously running autovacuum worker processes."),
    param("autovacuum_naptime", "60", "INT", "[1-2147483]", false, true, "Time to sleep between autovacuum runs, in seconds."),
    param("autovacuum_vacuum_cost_limit", "10000", "INT", "[-1-10000]", false, true, "Vacuum cost amount available before napping, for autovacuum."),
    param("autovacuum_vacuum_scale_factor", "0.02", "DOUBLE", "[0-100]", false, true, "Number of tuple updates or deletes prior to vacuum as a fraction of reltuples."),
    param("checkpoint_timeout", "300", "INT", "[30-86400]", false, true, "Sets the maximum time between automatic WAL checkpoints, in seconds."),
    param("deadlock_timeout", "1000", "INT", "[1-2147483647]", false, true, "Sets the time to wait on a lock before checking for deadlock, in milliseconds."),
    param("default_transaction_isolation", "read committed", "STRING", "[serializable|repeatable read|read committed|read uncommitted]", false, true, "Sets the transaction isolation level of each new transaction."),
    param("idle_in_transaction_session_timeout", "3600000", "INT", "[0-2147483647]", false, true, "Sets the maximum allowed idle time between queries, when in a transaction, in milliseconds."),
    param("jit", "off", "BOOL", "[on|off]", false, true, "Allow JIT compilation."),
    param("lock_timeout", "0", "INT", "[0-2147483647]", false, true, "Sets the maximum allowed duration of any wait for a lock, in milliseconds."),
    param("log_connections", "off", "BOOL", "[on|off]", false, true, "Logs each successful connection."),
    param("log_disconnections", "off", "BOOL", "[on|off]", false, true, "Logs end of a session, including duration."),
    param("log_min_duration_statement", "1000", "INT", "[-1-2147483647]", false, true, "Sets the minimum execution time above which statements will be logged, in milliseconds."),
    param("log_min_messages", "warning", "STRING", "[debug5|debug4|debug3|debug2|debug1|info|notice|warning|error|log|fatal|panic]", false, true, "Sets the message levels that are logged."),
    param("log_statement", "none", "STRING", "[none|ddl|mod|all]", false, true, "Sets the type of statements logged."),
    param("maintenance_work_mem", "65536", "INT", "[1024-2147483647]", false, true, "Sets the maximum memory to be used for maintenance operations, in kB."),
    param("max_connections", "{DBInstanceClassMemory/11883724}", "INT", "[10-262143]", true, true, "Sets the maximum number of concurrent connections."),
    param("max_locks_per_transaction", "64", "INT", "[10-2147483647]", true, true, "Sets the maximum number of locks per transaction."),
    param("max_parallel_workers_per_gather", "2", "INT", "[0-1024]", false, true, "Sets the maximum number of parallel processes per executor node."),
    param("max_prepared_transactions", "800", "INT", "[0-262143]", true, true, "Sets the maximum number of simultaneously prepared transactions."),
    param("pg_stat_statements.max", "5000", "INT", "[100-2147483647]", true, true, "Sets the maximum number of statements tracked by pg_stat_statements."),
    param("random_page_cost", "1.1", "DOUBLE", "[0-10000]", false, true, "Sets the planner's estimate of the cost of a nonsequentially fetched disk page."),
    param("search_path", "\"$user\", public", "STRING", "", false, true, "Sets the schema search order for names that are not schema-qualified."),
    param("shared_buffers", "{DBInstanceClassMemory*3/32768}", "INT", "", true, false, "Sets the number of shared memory buffers used by the server."),
    param("shared_preload_libraries", "pg_stat_statements,auto_explain,polar_worker", "STRING", "", true, false, "Lists shared libraries to preload into server."),
    param("statement_timeout", "0", "INT", "[0-2147483647]", false, true, "Sets the maximum allowed duration of any statement, in milliseconds."),
    param("synchronous_commit", "on", "STRING", "[on|off|local|remote_write|remote_apply]", false, true, "Sets the current transaction's synchronization level."),
    param("temp_file_limit", "-1", "INT", "[-1-2147483647]", false, true, "Limits the total size of all temporary files used by each process, in kB."),
    param("timezone", "PRC", "STRING", "[UTC|PRC|Asia/Shanghai|Asia/Singapore|Asia/Tokyo|Europe/Berlin|Europe/London|America/Los_Angeles|America/New_York]", false, true, "Sets the time zone for displaying and interpreting time stamps."),
    param("track_io_timing", "on", "BOOL", "[on|off]", false, true, "Collects timing statistics for database I/O activity."),
    param("wal_level", "logical", "STRING", "[replica|logical]", true, true, "Sets the level of information written to the WAL."),
    param("work_mem", "4096", "INT", "[64-2147483647]", false, true, "Sets the maximum memory to be used for query workspaces, in kB."),
];

pub fn parameter(name: &str) -> Option<&'static ParamDef> {
    PARAMETERS.iter().find(|p| p.name == name)
}

/// Whether `value` satisfies the parameter's checking code.
pub fn value_allowed(def: &ParamDef, value: &str) -> bool {
    let code = def.checking_code;
    if code.is_empty() {
        return !value.is_empty() && value.len() <= 1024;
    }
    let Some(inner) = code.strip_prefix('[').and_then(|c| c.strip_suffix(']')) else {
        return true;
    };
    if inner.contains('|') {
        return inner.split('|').any(|v| v == value);
    }
    // A numeric range `[min-max]`; min may itself be negative.
    let split = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '-')
        .map(|(i, _)| i);
    let Some(i) = split else {
        return inner == value;
    };
    let (min, max) = (&inner[..i], &inner[i + 1..]);
    match (min.parse::<f64>(), max.parse::<f64>(), value.parse::<f64>()) {
        (Ok(min), Ok(max), Ok(v)) => {
            v >= min && v <= max && (def.data_type != "INT" || value.parse::<i64>().is_ok())
        }
        _ => false,
    }
}

/// The character sets of PolarDB for PostgreSQL (19-03), as the API spells them.
pub const CHARSETS: &[&str] = &[
    "SQL_ASCII",
    "EUC_JP",
    "EUC_CN",
    "EUC_KR",
    "EUC_TW",
    "EUC_JIS_2004",
    "UTF8",
    "MULE_INTERNAL",
    "LATIN1",
    "LATIN2",
    "LATIN3",
    "LATIN4",
    "LATIN5",
    "LATIN6",
    "LATIN7",
    "LATIN8",
    "LATIN9",
    "LATIN10",
    "KOI8R",
    "KOI8U",
    "ISO_8859_5",
    "ISO_8859_6",
    "ISO_8859_7",
    "ISO_8859_8",
    "WIN866",
    "WIN874",
    "WIN1250",
    "WIN1251",
    "WIN1252",
    "WIN1253",
    "WIN1254",
    "WIN1255",
    "WIN1256",
    "WIN1257",
    "WIN1258",
];

/// The canonical spelling of a character set name (case-insensitive, `-` as `_`).
pub fn charset(name: &str) -> Option<&'static str> {
    let wanted = name.trim().replace('-', "_").to_ascii_uppercase();
    let wanted = if wanted == "UTF_8" {
        "UTF8".to_string()
    } else {
        wanted
    };
    CHARSETS.iter().copied().find(|c| *c == wanted)
}

/// The collations (equal to the ctypes) a database of `charset` may use.
pub fn locales(charset: &str) -> Vec<&'static str> {
    let mut out = vec!["C", "POSIX"];
    match charset {
        "UTF8" => out.extend([
            "en_US.utf8",
            "en_GB.utf8",
            "zh_CN.utf8",
            "zh_TW.utf8",
            "ja_JP.utf8",
            "ko_KR.utf8",
            "de_DE.utf8",
            "fr_FR.utf8",
        ]),
        "EUC_CN" => out.extend(["zh_CN", "zh_SG"]),
        "EUC_JP" => out.push("ja_JP"),
        "EUC_KR" => out.push("ko_KR"),
        "EUC_TW" => out.push("zh_TW"),
        "LATIN1" => out.extend(["en_US", "de_DE", "fr_FR"]),
        "LATIN9" => out.extend(["de_DE@euro", "fr_FR@euro"]),
        "KOI8R" => out.push("ru_RU.koi8r"),
        _ => {}
    }
    out
}

/// The performance keys of PolarDB for PostgreSQL (19-04) and their metrics.
pub const METRICS: &[(&str, &[&str])] = &[
    (
        "PolarDBConnections",
        &[
            "mean_total_session",
            "mean_active_session",
            "mean_waiting_connection",
            "mean_idle_connection",
        ],
    ),
    (
        "PolarDBRowDML",
        &[
            "mean_tup_returned_delta",
            "mean_tup_fetched_delta",
            "mean_tup_inserted_delta",
            "mean_tup_updated_delta",
            "mean_tup_deleted_delta",
        ],
    ),
    (
        "PolarDBTransaction",
        &[
            "mean_active_transactions",
            "mean_waiting_transactions",
            "mean_idle_transactions",
            "mean_long_idle_transactions",
            "mean_long_transactions",
            "mean_two_pc_transactions",
            "mean_long_two_pc_transactions",
        ],
    ),
    (
        "PolarDBQPSTPS",
        &[
            "mean_tps",
            "mean_commits_delta",
            "mean_rollbacks_delta",
            "mean_deadlocks_delta",
        ],
    ),
    (
        "PolarDBBuffer",
        &[
            "mean_blks_read_delta",
            "mean_blks_hit_delta",
            "mean_hit_ratio",
            "mean_buffers_clean",
            "mean_buffers_backend",
            "mean_buffers_backend_fsync",
            "mean_buffers_alloc",
        ],
    ),
    ("PolarDBVacuum", &["mean_db_age"]),
    ("PolarDBTemp", &["mean_temp_files", "mean_temp_bytes"]),
    (
        "PolarDBCPU",
        &["cpu_ratio", "cpu_user_ratio", "cpu_sys_ratio"],
    ),
    ("PolarDBMemory", &["mem_ratio"]),
    (
        "PolarDBDiskUsage",
        &[
            "mean_ins_total_size",
            "mean_data_size",
            "mean_wal_size",
            "mean_tmp_size",
            "mean_log_size",
        ],
    ),
    (
        "PolarDBIOSTAT",
        &[
            "mean_iops_r",
            "mean_iops_w",
            "mean_iops",
            "mean_io_throughput_r",
            "mean_io_throughput_w",
            "mean_io_throughput",
        ],
    ),
];

pub fn metrics(key: &str) -> Option<&'static [&'static str]> {
    METRICS.iter().find(|(k, _)| *k == key).map(|(_, m)| *m)
}

/// Maintenance event types (16-01).
pub const MAINTENANCE_TYPES: &[&str] = &[
    "DatabaseSoftwareUpgrading",
    "DatabaseHardwareMaintenance",
    "DatabaseStorageUpgrading",
    "DatabaseProxyUpgrading",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_codes_are_applied() {
        let p = parameter("autovacuum_vacuum_cost_limit").unwrap();
        assert!(value_allowed(p, "-1"));
        assert!(value_allowed(p, "9999"));
        assert!(!value_allowed(p, "10001"));
        assert!(!value_allowed(p, "1.5"));
        let p = parameter("log_statement").unwrap();
        assert!(value_allowed(p, "ddl"));
        assert!(!value_allowed(p, "DDL"));
        let p = parameter("random_page_cost").unwrap();
        assert!(value_allowed(p, "1.5"));
        for p in PARAMETERS {
            if p.modifiable && !p.default.starts_with('{') {
                assert!(value_allowed(p, p.default), "{}", p.name);
            }
        }
        assert_eq!(charset("utf-8"), Some("UTF8"));
        assert_eq!(charset("euc_cn"), Some("EUC_CN"));
        assert_eq!(charset("gbk"), None);
    }
}
