//! Shared plumbing of the action handlers: error answers, request parameters, times,
//! hashing and the validation rules the reference states for names, texts and lists.

use serde::Serialize;
use serde_json::Value;

/// An error answer in the API's own shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Fault {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Fault {
            status,
            code: code.to_string(),
            message: message.to_string(),
        }
    }

    /// `Invalid<Name>.Malformed` (400): a value with the wrong format.
    pub fn invalid(name: &str) -> Self {
        Fault::new(
            400,
            &format!("Invalid{name}.Malformed"),
            &format!("The specified parameter \"{name}\" is not valid."),
        )
    }

    /// `Invalid<Name>.Malformed` (400) with a specific message.
    pub fn invalid_because(name: &str, why: &str) -> Self {
        Fault::new(400, &format!("Invalid{name}.Malformed"), why)
    }

    /// `Invalid<Name>.ValueNotSupported` (400): a value outside an enumeration.
    pub fn unsupported(name: &str) -> Self {
        Fault::new(
            400,
            &format!("Invalid{name}.ValueNotSupported"),
            &format!("The specified parameter \"{name}\" is not valid."),
        )
    }

    /// `Missing<Name>` (400): a mandatory parameter was not supplied.
    pub fn missing(name: &str) -> Self {
        Fault::new(
            400,
            &format!("Missing{name}"),
            &format!("{name} is mandatory for this action."),
        )
    }

    pub fn cluster_not_found() -> Self {
        Fault::new(
            404,
            "InvalidDBClusterId.NotFound",
            "The DBClusterId provided does not exist in our records.",
        )
    }

    pub fn node_not_found() -> Self {
        Fault::new(
            404,
            "InvalidDBNodeId.NotFound",
            "The specified DBNodeId does not exist.",
        )
    }

    pub fn region_not_found() -> Self {
        Fault::new(
            404,
            "InvalidRegionId.NotFound",
            "The specified region does not exist.",
        )
    }

    /// The cluster is busy with another change (or not yet created).
    pub fn busy() -> Self {
        Fault::new(
            403,
            "OperationDenied.DBClusterStatus",
            "The operation is not permitted due to Cluster status.",
        )
    }
}

/// The result of an action handler: the response body without `RequestId`.
pub type Res = Result<Value, Fault>;

/// Serializes a typed response model (from `polardb::models`) into the answer body.
pub fn ok<T: Serialize>(response: T) -> Res {
    serde_json::to_value(response).map_err(|e| {
        Fault::new(
            500,
            "InternalError",
            &format!("The response could not be encoded: {e}"),
        )
    })
}

/// The request's parameters, from the query string and (for POST) the form body.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The raw value, possibly empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value when present and not empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, Fault> {
        self.opt(name).ok_or_else(|| Fault::missing(name))
    }

    pub fn int(&self, name: &str, default: u32) -> Result<u32, Fault> {
        match self.opt(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| Fault::invalid(name)),
        }
    }

    pub fn i64_opt(&self, name: &str) -> Result<Option<i64>, Fault> {
        match self.opt(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| Fault::invalid(name)),
        }
    }

    /// `PageSize`: 30 (default), 50 or 100.
    pub fn page_size(&self) -> Result<usize, Fault> {
        let size = self.int("PageSize", 30)?;
        if ![30, 50, 100].contains(&size) {
            return Err(Fault::invalid("PageSize"));
        }
        Ok(size as usize)
    }

    /// `PageNumber`: from 1 (default).
    pub fn page_number(&self) -> Result<usize, Fault> {
        let n = self.int("PageNumber", 1)?;
        if n == 0 {
            return Err(Fault::invalid("PageNumber"));
        }
        Ok(n as usize)
    }

    pub fn bool_opt(&self, name: &str) -> Result<Option<bool>, Fault> {
        match self.opt(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if v == "true" => Ok(Some(true)),
            Some(v) if v == "false" => Ok(Some(false)),
            Some(_) => Err(Fault::invalid(name)),
        }
    }

    /// An optional value that must be one of `allowed` (exact spelling).
    pub fn enum_opt(&self, name: &str, allowed: &[&str]) -> Result<Option<&str>, Fault> {
        match self.opt(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(_) => Err(Fault::unsupported(name)),
        }
    }

    /// The values of a `Name.N` list, ordered by N.
    pub fn list(&self, prefix: &str) -> Vec<String> {
        let mut items: Vec<(u32, String)> = self
            .0
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(prefix)?.strip_prefix('.')?;
                let n: u32 = n.parse().ok()?;
                Some((n, v.clone()))
            })
            .collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// The objects of a `Name.N.Field` list, ordered by N: each a list of the `fields`.
    pub fn objects(&self, prefix: &str, fields: &[&str]) -> Vec<Vec<Option<String>>> {
        let mut indexes: Vec<u32> = self
            .0
            .iter()
            .filter_map(|(k, _)| {
                let rest = k.strip_prefix(prefix)?.strip_prefix('.')?;
                let (n, field) = rest.split_once('.')?;
                if !fields.contains(&field) {
                    return None;
                }
                n.parse().ok()
            })
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes
            .into_iter()
            .map(|n| {
                fields
                    .iter()
                    .map(|f| self.get(&format!("{prefix}.{n}.{f}")).map(str::to_string))
                    .collect()
            })
            .collect()
    }

    /// Tags as `Tag.N.Key` / `Tag.N.Value`.
    pub fn tags(&self) -> Vec<(String, String)> {
        self.objects("Tag", &["Key", "Value"])
            .into_iter()
            .map(|mut kv| {
                let value = kv.pop().flatten().unwrap_or_default();
                let key = kv.pop().flatten().unwrap_or_default();
                (key, value)
            })
            .collect()
    }
}

/// One page of `items`.
pub fn paginate<T>(items: Vec<T>, size: usize, number: usize) -> Vec<T> {
    let start = (number - 1).saturating_mul(size);
    items.into_iter().skip(start).take(size).collect()
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn datetime(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// `YYYY-MM-DDThh:mm:ssZ`.
pub fn fmt_time(ms: i64) -> String {
    let t = datetime(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYYY-MM-DDThh:mmZ`.
pub fn fmt_minute(ms: i64) -> String {
    polardb::rules::api_minute(ms.div_euclid(1000))
}

/// Parses `YYYY-MM-DDThh:mmZ` or `YYYY-MM-DDThh:mm:ssZ` (UTC) into Unix milliseconds: the
/// reference's rule, shared with the console ([`polardb::rules::api_time`]).
pub fn parse_time(s: &str) -> Option<i64> {
    polardb::rules::api_time(s.trim()).map(|secs| secs * 1000)
}

/// A required time parameter.
pub fn time_param(p: &Params, name: &str) -> Result<i64, Fault> {
    parse_time(p.required(name)?).ok_or_else(|| Fault::invalid(name))
}

/// The required `StartTime` and `EndTime`; the end may not be before the start.
pub fn time_range(p: &Params) -> Result<(i64, i64), Fault> {
    let start = time_param(p, "StartTime")?;
    let end = time_param(p, "EndTime")?;
    if end < start {
        return Err(Fault::new(
            400,
            "InvalidStartTimeAndEndTime.Malformed",
            "The EndTime must be later than or equal to the StartTime.",
        ));
    }
    Ok((start, end))
}

/// Midnight (UTC) of the day containing `ms`.
pub fn day_start(ms: i64) -> i64 {
    ms - ms.rem_euclid(86_400_000)
}

/// A stable 64-bit hash (FNV-1a, then a splitmix finaliser) of some strings.
pub fn hash64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The splitmix64 finaliser.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A number in [0, 1) from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Descriptions and names of clusters, accounts and databases: 2 to 256 characters and
/// not starting with `http://` or `https://`.
pub fn check_description(name: &str, v: &str) -> Result<(), Fault> {
    let len = v.chars().count();
    if !(2..=256).contains(&len) || v.starts_with("http://") || v.starts_with("https://") {
        return Err(Fault::invalid(name));
    }
    Ok(())
}

/// `HH:mmZ-HH:mmZ` on whole hours, one hour long (the maintenance window).
pub fn check_maintain_time(v: &str) -> Result<(), Fault> {
    check_hour_window("MaintainTime", v)
}

/// A one-hour window `HH:mmZ-HH:mmZ` starting and ending on the hour.
pub fn check_hour_window(name: &str, v: &str) -> Result<(), Fault> {
    let bad = || Fault::invalid(name);
    let (a, b) = v.split_once('-').ok_or_else(bad)?;
    let hour = |x: &str| -> Option<u32> {
        let x = x.strip_suffix('Z')?;
        let (h, m) = x.split_once(':')?;
        if h.len() != 2 || m != "00" || !h.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        h.parse().ok().filter(|h| *h < 24)
    };
    let (ha, hb) = (hour(a).ok_or_else(bad)?, hour(b).ok_or_else(bad)?);
    if (ha + 1) % 24 != hb {
        return Err(Fault::invalid_because(
            name,
            "The window must start and end on the hour and last one hour.",
        ));
    }
    Ok(())
}

/// An IPv4 address, or a CIDR block with a prefix length of 1 to 32.
pub fn valid_ip_or_cidr(s: &str) -> bool {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    if let Some(p) = prefix {
        match p.parse::<u8>() {
            Ok(n) if (1..=32).contains(&n) && !p.starts_with('0') => {}
            _ => return false,
        }
    }
    let octets: Vec<&str> = ip.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && o.parse::<u16>().is_ok_and(|n| n <= 255)
                && !(o.len() > 1 && o.starts_with('0'))
        })
}

/// A comma-separated list of IPs or CIDR blocks; duplicates are removed.
pub fn parse_ip_list(name: &str, v: &str) -> Result<Vec<String>, Fault> {
    let mut out: Vec<String> = Vec::new();
    for item in v.split(',').map(str::trim) {
        if item.is_empty() {
            continue;
        }
        if !valid_ip_or_cidr(item) {
            return Err(Fault::invalid_because(
                name,
                &format!("The specified IP address or CIDR block \"{item}\" is not valid."),
            ));
        }
        if !out.iter().any(|x| x == item) {
            out.push(item.to_string());
        }
    }
    Ok(out)
}

/// A ClientToken: up to 64 ASCII characters.
pub fn check_client_token(v: &str) -> Result<(), Fault> {
    if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(Fault::invalid("ClientToken"));
    }
    Ok(())
}

/// A connection string prefix: lowercase letters, digits and hyphens, starting with a
/// letter, ending with a letter or digit, 6 to 30 characters.
pub fn valid_prefix(v: &str) -> bool {
    let b = v.as_bytes();
    (6..=30).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_both_formats() {
        let a = parse_time("2020-05-01T22:56Z").unwrap();
        let b = parse_time("2020-05-01T22:56:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(fmt_time(a), "2020-05-01T22:56:00Z");
        assert_eq!(fmt_minute(a), "2020-05-01T22:56Z");
        assert!(parse_time("2020-5-01T22:56Z").is_none());
        assert!(parse_time("2020-05-01 22:56Z").is_none());
        assert!(parse_time("2020-02-30T00:00Z").is_none());
    }

    #[test]
    fn ip_lists_and_maintain_times_follow_the_reference() {
        assert!(valid_ip_or_cidr("10.23.12.24"));
        assert!(valid_ip_or_cidr("10.23.12.24/24"));
        assert!(!valid_ip_or_cidr("0.0.0.0/0"));
        assert!(!valid_ip_or_cidr("10.23.12.256"));
        assert!(!valid_ip_or_cidr("10.23.12/24"));
        assert!(!valid_ip_or_cidr("10.23.12.1/33"));
        assert!(check_maintain_time("16:00Z-17:00Z").is_ok());
        assert!(check_maintain_time("23:00Z-00:00Z").is_ok());
        assert!(check_maintain_time("16:30Z-17:30Z").is_err());
        assert!(check_maintain_time("16:00Z-18:00Z").is_err());
        assert!(check_maintain_time("16:00-17:00").is_err());
    }
}
