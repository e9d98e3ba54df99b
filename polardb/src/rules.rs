//! Rules of the API reference that are checked before anything is sent: by the pages as
//! the user types, and again by the server functions. Each says what is wrong in words
//! that follow the field's name ("must have at least 2 characters"), or nothing.

// ---------------------------------------------------------------------------------------
// Clusters (ModifyDBClusterDescription 6.6, CreateDBCluster 6.1).

fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}')
}

/// What is wrong with a cluster description (ModifyDBClusterDescription, 6.6): 2 to 256
/// characters, not starting with `http://` or `https://`, starting with a letter or a
/// Chinese character.
pub fn description_problem(d: &str) -> Option<String> {
    let n = d.chars().count();
    if n < 2 {
        return Some("must have at least 2 characters".into());
    }
    if n > 256 {
        return Some(format!("must have at most 256 characters (this has {n})"));
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some("must not start with http:// or https://".into());
    }
    match d.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || is_chinese(c) => None,
        _ => Some("must start with a letter or a Chinese character".into()),
    }
}

/// `vpc-…` / `vsw-…`: the prefix, then 8 to 40 lower-case letters and digits.
fn resource_id_ok(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        (8..=40).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// What is wrong with a VPC ID (optional: empty lets the service choose).
pub fn vpc_id_problem(vpc: &str) -> Option<String> {
    if vpc.is_empty() || resource_id_ok(vpc, "vpc-") {
        None
    } else {
        Some("must look like vpc-bp1… (vpc- and 8 to 40 lower-case letters or digits)".into())
    }
}

/// What is wrong with a vSwitch ID, given the VPC: required when a VPC is given (and the
/// other way round), shaped like `vsw-…`.
pub fn vswitch_id_problem(vpc: &str, vswitch: &str) -> Option<String> {
    if vswitch.is_empty() {
        return (!vpc.is_empty()).then(|| "is required when a VPC is given".into());
    }
    if !resource_id_ok(vswitch, "vsw-") {
        return Some(
            "must look like vsw-bp1… (vsw- and 8 to 40 lower-case letters or digits)".into(),
        );
    }
    vpc.is_empty()
        .then(|| "needs its VPC: give the VPC ID too".into())
}

// ---------------------------------------------------------------------------------------
// Tags (TagResources 15.1, UntagResources 15.2).

/// At most 50 clusters per TagResources / UntagResources call (15.1, 15.2).
pub const MAX_RESOURCES_PER_CALL: usize = 50;

/// At most 20 tags per call (15.1: `NumberExceed.Tags`, "Valid : 20"), and 20 keys per
/// UntagResources call (15.2).
pub const MAX_TAGS_PER_CALL: usize = 20;

/// A cluster carries at most 20 tags.
pub const MAX_TAGS_PER_CLUSTER: usize = 20;

/// Keys and values have at most 128 characters.
pub const MAX_TAG_LEN: usize = 128;

fn forbidden_text(s: &str) -> Option<&'static str> {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("aliyun") {
        Some("must not start with aliyun")
    } else if lower.starts_with("acs:") {
        Some("must not start with acs:")
    } else if lower.contains("http://") || lower.contains("https://") {
        Some("must not contain http:// or https://")
    } else {
        None
    }
}

/// What is wrong with a tag key: 1 to 128 characters, not starting with `aliyun` or
/// `acs:`, without `http://` or `https://`.
pub fn tag_key_problem(key: &str) -> Option<String> {
    let n = key.chars().count();
    if key.trim().is_empty() {
        return Some("a tag key is required".into());
    }
    if n > MAX_TAG_LEN {
        return Some(format!(
            "a tag key has at most {MAX_TAG_LEN} characters (this has {n})"
        ));
    }
    forbidden_text(key).map(|p| format!("a tag key {p}"))
}

/// What is wrong with a tag value: at most 128 characters (may be empty), not starting
/// with `aliyun` or `acs:`, without `http://` or `https://`.
pub fn tag_value_problem(value: &str) -> Option<String> {
    let n = value.chars().count();
    if n > MAX_TAG_LEN {
        return Some(format!(
            "a tag value has at most {MAX_TAG_LEN} characters (this has {n})"
        ));
    }
    forbidden_text(value).map(|p| format!("a tag value {p}"))
}

/// What is wrong with a set of tags to add in one call.
pub fn tag_set_problem(tags: &[(String, String)]) -> Option<String> {
    if tags.is_empty() {
        return Some("add at least one tag".into());
    }
    if tags.len() > MAX_TAGS_PER_CALL {
        return Some(format!(
            "at most {MAX_TAGS_PER_CALL} tags at a time (this has {})",
            tags.len()
        ));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if let Some(p) = tag_key_problem(k).or_else(|| tag_value_problem(v)) {
            return Some(format!("tag {}: {p}", i + 1));
        }
        if tags[..i].iter().any(|(k2, _)| k2 == k) {
            return Some(format!("tag {}: the key {k} is given twice", i + 1));
        }
    }
    None
}

/// What is wrong with a set of keys to remove in one call.
pub fn untag_keys_problem(keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        return Some("choose at least one tag key to remove".into());
    }
    if keys.len() > MAX_TAGS_PER_CALL {
        return Some(format!(
            "at most {MAX_TAGS_PER_CALL} tag keys at a time (this has {})",
            keys.len()
        ));
    }
    keys.iter().find_map(|k| tag_key_problem(k))
}

/// Which cluster would carry more than 20 tags after adding `tags`: `existing` lists each
/// cluster's id and current keys.
pub fn capacity_problem(
    existing: &[(String, Vec<String>)],
    tags: &[(String, String)],
) -> Option<String> {
    existing.iter().find_map(|(id, keys)| {
        let mut all: Vec<&str> = keys.iter().map(String::as_str).collect();
        for (k, _) in tags {
            if !all.contains(&k.as_str()) {
                all.push(k);
            }
        }
        (all.len() > MAX_TAGS_PER_CLUSTER).then(|| {
            format!(
                "{id} would carry {} tags; a cluster carries at most {MAX_TAGS_PER_CLUSTER}",
                all.len()
            )
        })
    })
}

// ---------------------------------------------------------------------------------------
// Times (DescribeTasks 6.5, DescribeBackups 14.3, ModifyPendingMaintenanceAction 16.3,
// DescribeDBClusterPerformance 18.3, …): UTC, `yyyy-MM-ddTHH:mmZ`, and `…:ssZ` where the
// reference's examples carry seconds (`SwitchTime=2020-06-09T22:00:00Z`).

/// The request parameters that carry a time in the API's form.
pub const TIME_PARAMS: &[&str] = &[
    "StartTime",
    "EndTime",
    "SwitchTime",
    "PlannedStartTime",
    "PlannedEndTime",
];

/// Seconds since the Unix epoch of `yyyy-MM-ddTHH:mmZ` or `yyyy-MM-ddTHH:mm:ssZ` (UTC, a
/// real calendar date and clock time), or `None`. Nothing is trimmed.
pub fn api_time(s: &str) -> Option<i64> {
    let body = s.strip_suffix('Z')?;
    let (date, clock) = body.split_once('T')?;
    let num = |x: &str, len: usize| -> Option<i64> {
        (x.len() == len && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse().ok())
            .flatten()
    };
    let mut d = date.split('-');
    let (y, mo, da) = (num(d.next()?, 4)?, num(d.next()?, 2)?, num(d.next()?, 2)?);
    let mut c = clock.split(':');
    let (h, mi) = (num(c.next()?, 2)?, num(c.next()?, 2)?);
    let sec = match c.next() {
        Some(x) => num(x, 2)?,
        None => 0,
    };
    if d.next().is_some() || c.next().is_some() {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in).contains(&da) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec)
}

/// The civil date and clock (UTC) of seconds since the Unix epoch: (year, month, day, hour,
/// minute). The inverse of [`api_time`]'s arithmetic (Howard Hinnant's days-to-civil).
pub fn civil(secs: i64) -> (i64, u32, u32, u32, u32) {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
    )
}

/// `yyyy-MM-ddTHH:mmZ` of a time in seconds since the Unix epoch (UTC; the seconds dropped):
/// the form the reference's times take, the inverse of [`api_time`] to the minute.
pub fn api_minute(secs: i64) -> String {
    let (y, m, d, hh, mm) = civil(secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}Z")
}

/// The hours of a maintenance window (`MaintainTime`, `HH:mmZ-HH:mmZ`, UTC, as
/// ModifyDBClusterMaintainTime takes it and DescribeDBClusterAttribute gives it): start and
/// end in seconds after midnight, or `None` when it is not of that form. A window may run
/// over midnight (`23:00Z-00:00Z`).
pub fn maintain_window(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once('-')?;
    let clock = |x: &str| -> Option<i64> {
        let (h, m) = x.strip_suffix('Z')?.split_once(':')?;
        let ok = |d: &str| d.len() == 2 && d.bytes().all(|c| c.is_ascii_digit());
        if !ok(h) || !ok(m) {
            return None;
        }
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 3600 + m * 60)
    };
    Some((clock(a)?, clock(b)?))
}

/// The start of the next maintenance window at or after `now` (seconds since the epoch),
/// or `now` itself while a window is open; `None` when `window` is not one.
pub fn next_window_start(window: &str, now: i64) -> Option<i64> {
    let (start, end) = maintain_window(window)?;
    let day = now.div_euclid(86_400) * 86_400;
    let clock = now - day;
    let open = if start <= end {
        clock >= start && clock < end
    } else {
        clock >= start || clock < end
    };
    if open {
        return Some(now);
    }
    Some(if clock < start {
        day + start
    } else {
        day + 86_400 + start
    })
}

/// A time as the console reads one from a date-time field or an answer, in seconds since
/// the Unix epoch: [`api_time`]'s forms with or without the `Z`, spaces around it trimmed,
/// a fraction of a second dropped.
pub fn read_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    let s = match s.split_once('.') {
        Some((whole, frac)) if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) => {
            whole
        }
        Some(_) => return None,
        None => s,
    };
    api_time(&format!("{s}Z"))
}

/// What is wrong with a time parameter's value, or nothing.
pub fn time_problem(s: &str) -> Option<String> {
    api_time(s).is_none().then(|| {
        "is not a UTC time of the form yyyy-MM-ddTHH:mmZ or yyyy-MM-ddTHH:mm:ssZ".to_string()
    })
}

/// The API's rule on a range (error `InvalidStartTimeAndEndTime.Malformed`): the end may
/// not be before the start.
pub fn range_problem(start: &str, end: &str) -> Option<String> {
    match (api_time(start), api_time(end)) {
        (Some(s), Some(e)) if e < s => Some("must be later than or equal to StartTime".into()),
        _ => None,
    }
}

/// The days of the week as the API names them (PreferredBackupPeriod, 14.x).
pub const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

// ---------------------------------------------------------------------------------------
// Planned execution (CreateDBNodes 8.1, ModifyDBNodeClass 8.4, ModifyDBClusterPrimaryZone
// 6.9.2): `PlannedStartTime` within the next 24 hours, `PlannedEndTime` at least 30 minutes
// after it (30 minutes after it when left out); neither means now.

/// How far ahead a planned task may start.
pub const PLANNED_AHEAD_SECS: i64 = 24 * 3600;
/// The least time between a planned task's earliest and latest start, and the default.
pub const PLANNED_WINDOW_SECS: i64 = 30 * 60;
/// Slack for clocks and round trips: a start this far in the past is still "now".
const PLANNED_SLACK_SECS: i64 = 60;

/// What is wrong with a planned window at `now` (seconds since the epoch, UTC): the
/// parameter and the rule; nothing when both are empty (now) or the window is valid.
pub fn planned_window_problem(start: &str, end: &str, now: i64) -> Option<(&'static str, String)> {
    if start.is_empty() {
        return (!end.is_empty()).then(|| {
            (
                "PlannedStartTime",
                "is required when PlannedEndTime is given".to_string(),
            )
        });
    }
    let Some(s) = api_time(start) else {
        return time_problem(start).map(|p| ("PlannedStartTime", p));
    };
    if s < now - PLANNED_SLACK_SECS || s > now + PLANNED_AHEAD_SECS {
        return Some((
            "PlannedStartTime",
            "must be within the next 24 hours".into(),
        ));
    }
    if end.is_empty() {
        return None;
    }
    let Some(e) = api_time(end) else {
        return time_problem(end).map(|p| ("PlannedEndTime", p));
    };
    (e < s + PLANNED_WINDOW_SECS).then(|| {
        (
            "PlannedEndTime",
            "must be at least 30 minutes after PlannedStartTime".to_string(),
        )
    })
}

// ---------------------------------------------------------------------------------------
// Renewal (ModifyAutoRenewAttribute 6.10.1).

/// What is wrong with auto-renewal settings (ModifyAutoRenewAttribute, 6.10.1): RenewalStatus
/// AutoRenewal, Normal or NotRenewal; with AutoRenewal, PeriodUnit Month (Duration 1, 2,
/// 3, 6 or 12) or Year (Duration 1 to 3).
pub fn renewal_problem(status: &str, duration: &str, unit: &str) -> Option<String> {
    match status {
        "Normal" | "NotRenewal" => return None,
        "AutoRenewal" => {}
        _ => return Some("the renewal status must be AutoRenewal, Normal or NotRenewal".into()),
    }
    let Ok(n) = duration.trim().parse::<u32>() else {
        return Some("the renewal length must be a whole number".into());
    };
    match unit {
        "Month" if [1, 2, 3, 6, 12].contains(&n) => None,
        "Month" => Some("renews for 1, 2, 3, 6 or 12 months".into()),
        "Year" if (1..=3).contains(&n) => None,
        "Year" => Some("renews for 1 to 3 years".into()),
        _ => Some("the unit must be Month or Year".into()),
    }
}

// ---------------------------------------------------------------------------------------
// IP whitelists (ModifyDBClusterAccessWhitelist 7.1.1; CreateDBCluster 6.1 SecurityIPList):
// IPv4 addresses and CIDR blocks.

/// All IP whitelist groups of a cluster together hold at most 1000 addresses or blocks.
pub const MAX_WHITELIST_ENTRIES: usize = 1000;

/// One IPv4 address or CIDR block, read: (address, prefix length). A bare address has /32.
pub fn ip_entry(s: &str) -> Result<(u32, u8), String> {
    // The longest entry is 255.255.255.255/32: anything longer is named by its start only.
    if s.chars().count() > 18 {
        let start: String = s.chars().take(18).collect();
        return Err(format!("{start}… is not an IPv4 address or CIDR block"));
    }
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    let octets: Vec<&str> = ip.split('.').collect();
    if octets.len() != 4 {
        return Err(format!(
            "{s} is not an IPv4 address: write four numbers separated by dots, e.g. 10.23.12.24"
        ));
    }
    let mut addr: u32 = 0;
    for o in &octets {
        if o.is_empty() || o.len() > 3 || !o.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{s}: each part of an address is a number from 0 to 255"
            ));
        }
        if o.len() > 1 && o.starts_with('0') {
            return Err(format!(
                "{s}: a part of an address has no leading zero ({o})"
            ));
        }
        let v: u32 = o.parse().unwrap_or(999);
        if v > 255 {
            return Err(format!(
                "{s}: {v} is out of range (each part of an address is 0 to 255)"
            ));
        }
        addr = (addr << 8) | v;
    }
    let prefix = match prefix {
        None => 32,
        Some(p) => {
            let valid = !p.is_empty()
                && p.len() <= 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'));
            let n: u8 = if valid { p.parse().unwrap_or(99) } else { 99 };
            if n > 32 {
                return Err(format!(
                    "{s}: the prefix length after / must be from 1 to 32"
                ));
            }
            if n == 0 && addr != 0 {
                return Err(format!(
                    "{s}: a /0 block is written 0.0.0.0/0 (it means every address)"
                ));
            }
            n
        }
    };
    let mask: u32 = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    if addr & !mask != 0 {
        let net = addr & mask;
        return Err(format!(
            "{s}: the address has bits set beyond the /{prefix} prefix; the block is {}/{prefix}",
            ip_text(net)
        ));
    }
    Ok((addr, prefix))
}

fn ip_text(a: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        a >> 24,
        (a >> 16) & 255,
        (a >> 8) & 255,
        a & 255
    )
}

/// The entries of a list typed by the user (commas, spaces or new lines between them),
/// each checked, with duplicates named. `Ok` holds the entries in the order typed.
pub fn ip_list(text: &str) -> Result<Vec<String>, Vec<String>> {
    // Bounded and linear whatever is sent (fourteenth attack run, F2 and F3: a quadratic
    // duplicate check and one message per bad entry, reached before sign-in, took 13 s of
    // CPU and 280 MB for a 2 MB list).
    const SHOWN: usize = 5;
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for (n, item) in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        if n >= MAX_WHITELIST_ENTRIES {
            return Err(vec![format!(
                "holds at most {MAX_WHITELIST_ENTRIES} addresses and blocks"
            )]);
        }
        match ip_entry(item) {
            Ok(key) => {
                if !seen.insert(key) {
                    problems.push(format!("{item} is listed twice"));
                } else {
                    out.push(item.to_string());
                }
            }
            Err(p) => problems.push(p),
        }
        if problems.len() == SHOWN {
            problems.push("(the first five problems; there may be more)".into());
            break;
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------
// Clones and restores (CreateDBCluster 6.1, `CreationOption=CloneFromPolarDB`): the data of
// the source cluster at `CloneDataPoint` — `LATEST`, a backup set's ID, or a UTC time of the
// form `YYYY-MM-DDThh:mm:ssZ`.

/// Where a clone's data comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClonePoint {
    /// The source's latest data.
    Latest,
    /// A backup set, by its ID.
    Backup(String),
    /// A point in time, in seconds since the Unix epoch (UTC).
    Time(i64),
}

impl ClonePoint {
    /// The `CloneDataPoint` value.
    pub fn param(&self) -> String {
        match self {
            ClonePoint::Latest => "LATEST".into(),
            ClonePoint::Backup(id) => id.clone(),
            ClonePoint::Time(t) => {
                let (y, m, d, hh, mm) = civil(*t);
                format!(
                    "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{:02}Z",
                    t.rem_euclid(60)
                )
            }
        }
    }
}

/// A `CloneDataPoint` value read: `LATEST`, a backup set ID (digits, as DescribeBackups
/// gives them), or a UTC time with seconds; what is wrong with it otherwise.
pub fn clone_point(s: &str) -> Result<ClonePoint, String> {
    if s == "LATEST" {
        return Ok(ClonePoint::Latest);
    }
    if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(ClonePoint::Backup(s.to_string()));
    }
    match api_time(s) {
        Some(t) if s.len() == "YYYY-MM-DDThh:mm:ssZ".len() => Ok(ClonePoint::Time(t)),
        _ => Err(
            "must be LATEST, a backup set ID or a UTC time of the form YYYY-MM-DDThh:mm:ssZ".into(),
        ),
    }
}

/// The times a cluster's data can be cloned from (seconds since the epoch, UTC, both ends
/// included): from the first successful backup that the log backups reach, to the end of
/// the last log backup. A backup restores its own consistent time; the logs after it replay
/// to any later time they cover. `None` when no backup is followed by log backups.
pub fn restorable_window(
    backup_ends: &[i64],
    log_start: Option<i64>,
    log_end: Option<i64>,
) -> Option<(i64, i64)> {
    let (ls, le) = (log_start?, log_end?);
    let start = backup_ends
        .iter()
        .copied()
        .filter(|e| *e >= ls && *e <= le)
        .min()?;
    Some((start, le))
}

/// What is wrong with cloning at `point`, given the source's successful backup set IDs and
/// its restorable window, at `now`: the rule, or nothing.
pub fn clone_point_problem(
    point: &ClonePoint,
    backups: &[String],
    window: Option<(i64, i64)>,
    now: i64,
) -> Option<String> {
    match point {
        ClonePoint::Latest => None,
        ClonePoint::Backup(id) => (!backups.contains(id))
            .then(|| format!("backup set {id} is not a completed backup of the source cluster")),
        ClonePoint::Time(t) if *t > now => Some("must not be in the future".into()),
        ClonePoint::Time(t) => match window {
            None => Some(
                "no point in time can be restored: the source has no backup followed by log backups"
                    .into(),
            ),
            Some((s, e)) if *t < s || *t > e => Some(format!(
                "must be between {} and {} (UTC), the range the backups and log backups cover",
                ClonePoint::Time(s).param(),
                ClonePoint::Time(e).param()
            )),
            Some(_) => None,
        },
    }
}

// ---------------------------------------------------------------------------------------
// Database accounts (chapter 12) and databases (chapter 13): the console's pages check these
// as the user types and on the server; the emulator answers by the same rules.

/// Names the service keeps for itself (CreateAccount: "root, admin, etc.").
pub const RESERVED_ACCOUNT_NAMES: &[&str] = &[
    "root",
    "admin",
    "administrator",
    "postgres",
    "polardb",
    "aurora",
    "replicator",
    "superuser",
    "rdsadmin",
    "aliyun_root",
    "public",
    "sys",
    "system",
];

/// A name the service keeps for itself: one of [`RESERVED_ACCOUNT_NAMES`], or starting with
/// `pg_` (PostgreSQL's) or `polar_internal` (the service's own accounts).
pub fn reserved_account_name(name: &str) -> bool {
    RESERVED_ACCOUNT_NAMES.contains(&name)
        || name.starts_with("pg_")
        || name.starts_with("polar_internal")
}

/// What is wrong with a new account name (CreateAccount 12.1): 2 to 16 characters;
/// lowercase letters, digits and underscores; a lowercase letter first; a letter or digit
/// last; not a reserved name.
pub fn account_name_problem(name: &str) -> Option<String> {
    account_name_form_problem(name)
        .or_else(|| reserved_account_name(name).then(|| format!("the name {name} is reserved")))
}

/// The form part of [`account_name_problem`]: everything but the reserved names.
pub fn account_name_form_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if !(2..=16).contains(&n) {
        return Some(format!(
            "the account name must have 2 to 16 characters (this has {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Some(
            "the account name may contain only lowercase letters, digits and underscores".into(),
        );
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("the account name must start with a lowercase letter".into());
    }
    if name.ends_with('_') {
        return Some("the account name must end with a letter or a digit".into());
    }
    None
}

/// The special characters a password may contain (12.1, 12.5).
pub const PASSWORD_SPECIALS: &str = "!@#$%^&*()_+-=";

/// What is wrong with a password (12.1, 12.5): 8 to 32 characters, at least three kinds
/// among uppercase letters, lowercase letters, digits and the specials `!@#$%^&*()_+-=`,
/// and nothing else. The message names the rule, never the password.
pub fn password_problem(p: &str) -> Option<String> {
    let n = p.chars().count();
    if !(8..=32).contains(&n) {
        return Some(format!(
            "the password must have 8 to 32 characters (this has {n})"
        ));
    }
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || PASSWORD_SPECIALS.contains(*c)))
    {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else if c.is_ascii() {
            format!("“{c}”")
        } else {
            "a non-ASCII character".to_string()
        };
        return Some(format!(
            "the password may contain only letters, digits and the specials {PASSWORD_SPECIALS} (it has {what})"
        ));
    }
    let kinds = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| PASSWORD_SPECIALS.contains(c)),
    ];
    let k = kinds.iter().filter(|k| **k).count();
    if k < 3 {
        return Some(format!(
            "the password must contain at least three of: uppercase letters, lowercase letters, digits, specials {PASSWORD_SPECIALS} (it has {k})"
        ));
    }
    None
}

/// Names PostgreSQL or the service keep (13.1: "test, mysql, …").
pub const RESERVED_DB_NAMES: &[&str] = &[
    "test",
    "mysql",
    "postgres",
    "template0",
    "template1",
    "polardb_admin",
    "information_schema",
    "pg_catalog",
    "sys",
    "public",
];

/// A name PostgreSQL or the service keeps: one of [`RESERVED_DB_NAMES`], or starting with
/// `pg_`.
pub fn reserved_db_name(name: &str) -> bool {
    RESERVED_DB_NAMES.contains(&name) || name.starts_with("pg_")
}

/// What is wrong with a new database name (13.1): lowercase letters, digits, `-` and `_`;
/// a letter first, a letter or digit last; at most 64 characters; not a reserved name.
pub fn db_name_problem(name: &str) -> Option<String> {
    db_name_form_problem(name)
        .or_else(|| reserved_db_name(name).then(|| format!("the name {name} is reserved")))
}

/// The form part of [`db_name_problem`]: everything but the reserved names.
pub fn db_name_form_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if n == 0 {
        return Some("the database name is required".into());
    }
    if n > 64 {
        return Some(format!(
            "the database name has at most 64 characters (this has {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Some(
            "the database name may contain only lowercase letters, digits, - and _".into(),
        );
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("the database name must start with a lowercase letter".into());
    }
    if name.ends_with(['-', '_']) {
        return Some("the database name must end with a letter or a digit".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_list_is_read_in_bounded_time_and_memory() {
        assert_eq!(
            ip_list("10.0.0.1, 10.0.0.0/24\n192.168.1.1"),
            Ok(vec![
                "10.0.0.1".to_string(),
                "10.0.0.0/24".into(),
                "192.168.1.1".into()
            ])
        );
        // A million bad entries: five problems and a note, not a million messages.
        let bad = vec!["1"; 1_000_000].join(",");
        let started = std::time::Instant::now();
        let problems = ip_list(&bad).unwrap_err();
        assert_eq!(problems.len(), 6, "{problems:?}");
        // 175,000 distinct good entries: refused at the 1001st, not after reading them all.
        let many: Vec<String> = (0..175_000u32)
            .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
            .collect();
        let problems = ip_list(&many.join(",")).unwrap_err();
        assert!(problems[0].contains("at most 1000"), "{problems:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let long = "9".repeat(100_000);
        let p = ip_entry(&long).unwrap_err();
        assert!(p.len() < 80, "{p}");
    }

    #[test]
    fn a_clone_point_is_latest_a_backup_or_a_covered_time() {
        let t = |s: &str| api_time(s).unwrap();
        assert_eq!(clone_point("LATEST"), Ok(ClonePoint::Latest));
        assert_eq!(
            clone_point("100002001"),
            Ok(ClonePoint::Backup("100002001".into()))
        );
        let at = clone_point("2026-11-30T10:15:30Z").unwrap();
        assert_eq!(at, ClonePoint::Time(t("2026-11-30T10:15:30Z")));
        assert_eq!(at.param(), "2026-11-30T10:15:30Z");
        for bad in [
            "latest",
            "",
            "2026-11-30T10:15Z",
            "2026-11-30 10:15:30",
            "12a",
            " 1",
        ] {
            assert!(clone_point(bad).is_err(), "{bad:?}");
        }
        // Backups at 01:00 on the 28th and 29th; logs from the 28th 12:00 to the 30th 08:59:30.
        let window = restorable_window(
            &[t("2026-11-28T01:00:00Z"), t("2026-11-29T01:00:00Z")],
            Some(t("2026-11-28T12:00:00Z")),
            Some(t("2026-11-30T08:59:30Z")),
        );
        assert_eq!(
            window,
            Some((t("2026-11-29T01:00:00Z"), t("2026-11-30T08:59:30Z")))
        );
        assert_eq!(
            restorable_window(&[t("2026-11-29T01:00:00Z")], None, None),
            None
        );
        assert_eq!(
            restorable_window(&[], Some(0), Some(t("2026-11-30T08:59:30Z"))),
            None
        );
        let now = t("2026-11-30T09:10:00Z");
        let ids = vec!["100002001".to_string()];
        let ok = |p: &str| clone_point_problem(&clone_point(p).unwrap(), &ids, window, now);
        assert_eq!(ok("LATEST"), None);
        assert_eq!(ok("100002001"), None);
        assert!(ok("100002002").unwrap().contains("not a completed backup"));
        assert_eq!(ok("2026-11-29T01:00:00Z"), None);
        assert_eq!(ok("2026-11-30T08:59:30Z"), None);
        assert!(ok("2026-11-29T00:59:59Z").unwrap().contains("between"));
        assert!(ok("2026-11-30T09:00:00Z").unwrap().contains("between"));
        assert!(ok("2026-11-30T09:10:01Z").unwrap().contains("future"));
        let none = clone_point_problem(&ClonePoint::Time(now - 60), &ids, None, now);
        assert!(none.unwrap().contains("no point in time"));
    }

    #[test]
    fn a_planned_window_starts_within_a_day_and_lasts_half_an_hour_at_least() {
        let now = api_time("2026-12-01T09:00:00Z").unwrap();
        let ok = |s: &str, e: &str| planned_window_problem(s, e, now);
        assert_eq!(ok("", ""), None, "now");
        assert_eq!(ok("2026-12-01T10:00Z", ""), None);
        assert_eq!(ok("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z"), None);
        assert_eq!(ok("2026-12-02T09:00:00Z", ""), None, "24 hours ahead");
        assert_eq!(
            ok("", "2026-12-01T10:30:00Z").unwrap().0,
            "PlannedStartTime"
        );
        assert_eq!(
            ok("2026-12-02T09:01:00Z", "").unwrap().0,
            "PlannedStartTime"
        );
        assert_eq!(
            ok("2026-12-01T08:58:00Z", "").unwrap().0,
            "PlannedStartTime"
        );
        assert_eq!(ok("2026-12-01 10:00", "").unwrap().0, "PlannedStartTime");
        let (field, rule) = ok("2026-12-01T10:00:00Z", "2026-12-01T10:29:00Z").unwrap();
        assert_eq!(field, "PlannedEndTime");
        assert!(rule.contains("30 minutes"), "{rule}");
    }

    #[test]
    fn account_names_follow_the_reference() {
        assert_eq!(account_name_problem("test_acc"), None);
        assert_eq!(account_name_problem("ab"), None);
        assert!(account_name_problem("a").unwrap().contains("2 to 16"));
        assert!(account_name_problem("Test").unwrap().contains("lowercase"));
        assert!(account_name_problem("1abc").unwrap().contains("start"));
        assert!(account_name_problem("abc_").unwrap().contains("end"));
        assert!(account_name_problem("abcdefghijklmnopq").is_some());
        assert!(account_name_problem("root").unwrap().contains("reserved"));
        assert!(account_name_problem("pg_monitor")
            .unwrap()
            .contains("reserved"));
    }

    #[test]
    fn passwords_follow_the_reference() {
        assert_eq!(password_problem("Test1111"), None);
        assert_eq!(password_problem("test_1111"), None);
        assert!(password_problem("test1111").unwrap().contains("three"));
        assert!(password_problem("Te1!").unwrap().contains("8 to 32"));
        assert!(password_problem(&"Aa1".repeat(11))
            .unwrap()
            .contains("8 to 32"));
        let space = password_problem("Test 1111!").unwrap();
        assert!(space.contains("a space"), "{space}");
        assert!(password_problem("Test1111~")
            .unwrap()
            .contains("only letters"));
        assert!(!password_problem("Secret~99").unwrap().contains("Secret"));
    }

    #[test]
    fn database_names_follow_the_reference() {
        assert_eq!(db_name_problem("test_db"), None);
        assert_eq!(db_name_problem("orders-2024"), None);
        assert!(db_name_problem("testDB").unwrap().contains("lowercase"));
        assert!(db_name_problem("_x").unwrap().contains("start"));
        assert!(db_name_problem("x-").unwrap().contains("end"));
        assert!(db_name_problem(&"a".repeat(65)).unwrap().contains("64"));
        assert!(db_name_problem("").is_some());
        assert!(db_name_problem("postgres").unwrap().contains("reserved"));
        assert!(db_name_problem("template1").unwrap().contains("reserved"));
    }

    #[test]
    fn api_minute_is_the_inverse_of_api_time() {
        assert_eq!(api_minute(0), "1970-01-01T00:00Z");
        assert_eq!(api_minute(951_782_400), "2000-02-29T00:00Z");
        assert_eq!(api_minute(-60), "1969-12-31T23:59Z");
        // Every minute of a leap year's turn and of a century, and days across 400 years.
        for secs in (946_598_400..951_868_800)
            .step_by(59 * 60)
            .chain((-2_208_988_800..10_000_000_000i64).step_by(86_400 * 97 + 61))
        {
            let s = api_minute(secs);
            assert_eq!(api_time(&s), Some(secs - secs.rem_euclid(60)), "{s}");
        }
    }

    #[test]
    fn read_time_takes_a_fields_and_an_answers_forms() {
        assert_eq!(read_time("2021-11-13T07:14:22Z"), Some(1_636_787_662));
        assert_eq!(read_time(" 2021-11-13T07:14:22.250Z "), Some(1_636_787_662));
        assert_eq!(read_time("2020-09-23T01:00"), Some(1_600_822_800));
        assert_eq!(read_time("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(civil(951_868_799), (2000, 2, 29, 23, 59));
        for bad in [
            "2023-02-29T00:00Z",
            "2023-13-01T00:00",
            "2023-1-01T00:00Z",
            "yesterday",
            "2021-11-13T07:14:22.Z",
        ] {
            assert_eq!(read_time(bad), None, "{bad}");
        }
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn keys_and_values_follow_the_tag_rules() {
        assert_eq!(tag_key_problem("env"), None);
        assert_eq!(tag_key_problem("团队"), None);
        assert!(tag_key_problem("").is_some());
        assert!(tag_key_problem("  ").is_some());
        assert!(tag_key_problem("aliyun-x").unwrap().contains("aliyun"));
        assert!(tag_key_problem("ALIYUNx").unwrap().contains("aliyun"));
        assert!(tag_key_problem("acs:team").unwrap().contains("acs:"));
        assert!(tag_key_problem("see http://x").unwrap().contains("http"));
        assert_eq!(tag_key_problem(&"k".repeat(128)), None);
        assert!(tag_key_problem(&"k".repeat(129)).unwrap().contains("128"));
        assert_eq!(tag_value_problem(""), None);
        assert!(tag_value_problem("acs:x").is_some());
        assert!(tag_value_problem(&"v".repeat(129)).is_some());
    }

    #[test]
    fn a_call_carries_at_most_twenty_tags_with_distinct_keys() {
        assert!(tag_set_problem(&[]).is_some());
        assert_eq!(tag_set_problem(&[kv("a", "1"), kv("b", "")]), None);
        assert!(tag_set_problem(&[kv("a", "1"), kv("a", "2")])
            .unwrap()
            .contains("twice"));
        let many: Vec<_> = (0..21).map(|i| kv(&format!("k{i}"), "v")).collect();
        assert!(tag_set_problem(&many).unwrap().contains("20"));
        assert_eq!(tag_set_problem(&many[..20]), None);
        assert!(tag_set_problem(&[kv("ok", "1"), kv("aliyun", "2")])
            .unwrap()
            .starts_with("tag 2"));
        assert!(untag_keys_problem(&[]).is_some());
        assert_eq!(untag_keys_problem(&["env".into()]), None);
    }

    #[test]
    fn a_cluster_carries_at_most_twenty_tags() {
        let keys: Vec<String> = (0..19).map(|i| format!("k{i}")).collect();
        let existing = vec![("pc-1".to_string(), keys)];
        assert_eq!(capacity_problem(&existing, &[kv("new", "1")]), None);
        assert_eq!(
            capacity_problem(&existing, &[kv("k1", "x"), kv("new", "1")]),
            None
        );
        assert!(
            capacity_problem(&existing, &[kv("new", "1"), kv("new2", "1")])
                .unwrap()
                .contains("pc-1 would carry 21")
        );
    }

    #[test]
    fn times_are_real_utc_times_in_the_api_form() {
        assert_eq!(api_time("1970-01-01T00:00Z"), Some(0));
        assert_eq!(api_time("2020-06-09T22:00:00Z"), Some(1_591_740_000));
        assert_eq!(api_time("2024-02-29T12:30Z"), Some(1_709_209_800));
        for bad in [
            "2026-13-45T99:99Z",
            "2023-02-29T00:00Z",
            "2020-06-09T24:00Z",
            "2020-06-09T22:00",
            " 2020-06-09T22:00Z",
            "2020-06-09T22:00Z ",
            "2020-6-09T22:00Z",
            "2020-06-09T22:00:00:00Z",
            "2020-06-09 22:00Z",
            "+020-06-09T22:00Z",
            "",
        ] {
            assert!(time_problem(bad).is_some(), "{bad:?}");
        }
        assert!(range_problem("2020-06-09T22:00Z", "2020-06-09T21:59Z").is_some());
        assert!(range_problem("2020-06-09T22:00Z", "2020-06-09T22:00:00Z").is_none());
    }
    #[test]
    fn the_next_maintenance_window_is_found_from_any_hour() {
        let day = api_time("2026-12-01T00:00Z").unwrap();
        let at = |hh: i64, mm: i64| day + hh * 3600 + mm * 60;
        assert_eq!(
            maintain_window("16:00Z-17:00Z"),
            Some((16 * 3600, 17 * 3600))
        );
        assert_eq!(maintain_window("16:00-17:00Z"), None);
        assert_eq!(maintain_window("24:00Z-01:00Z"), None);
        assert_eq!(
            next_window_start("16:00Z-17:00Z", at(9, 30)),
            Some(at(16, 0))
        );
        assert_eq!(
            next_window_start("16:00Z-17:00Z", at(16, 20)),
            Some(at(16, 20))
        );
        assert_eq!(
            next_window_start("16:00Z-17:00Z", at(17, 0)),
            Some(at(40, 0))
        );
        assert_eq!(
            next_window_start("23:00Z-00:00Z", at(23, 59)),
            Some(at(23, 59))
        );
        assert_eq!(
            next_window_start("23:00Z-00:00Z", at(0, 0)),
            Some(at(23, 0))
        );
        assert_eq!(next_window_start("x", at(0, 0)), None);
    }
}
