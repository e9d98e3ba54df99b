//! One typed configuration, read from an optional TOML file and `POLAR_*` environment
//! variables (the environment wins). Every problem names the setting and the rule.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use backend::vault::MasterKeys;
use zeroize::Zeroizing;

/// Every setting: (file key, what it is). The environment variable is `POLAR_` + upper case.
pub const SETTINGS: &[(&str, &str)] = &[
    ("listen", "address and port to serve on (default 127.0.0.1:8080)"),
    ("database_url", "PostgreSQL URL the console serves with (DATABASE_URL is read too); required. Its role must own nothing: not a superuser, not the audit table's owner"),
    ("database_owner_url", "PostgreSQL URL of the role that owns the tables; when set, `migrate` (and every other command, before it starts) applies the migrations as this role and grants database_url's role what it needs. Give it to `migrate` only, not to the serving process"),
    ("database_max_connections", "pool size (default 10). Beside the pool, the audit writer keeps one connection of its own and the session reads and the single statements of a write keep up to half the pool size (1 to 8)"),
    ("site_root", "folder with the built site: pkg/, favicon (default target/site)"),
    ("master_key", "base64 of 32 random bytes that encrypt cloud-account secrets"),
    ("master_key_file", "a file holding master_key instead"),
    ("master_key_id", "the active master key's id (default k1)"),
    ("old_master_keys", "earlier master keys that still decrypt, as id:base64 pairs separated by commas (after a key rotation)"),
    ("bootstrap_admin_password", "password of the first administrator; generated and printed once if unset"),
    ("cookie_secure", "send the session cookie with Secure and the __Host- prefix (default true); false only for plain-HTTP loopback development"),
    ("session_idle_minutes", "sign out after this long without a request (default 480)"),
    ("session_absolute_hours", "sign out this long after signing in, however active (default 24)"),
    ("log_format", "text or json (default text)"),
    ("background_period_seconds", "base period of the background jobs (session sweeping, audit checkpoints), run once across all processes (default 60)"),
    ("max_connections", "open connections at once; idle ones make room for new ones, and when every one is in the middle of a request more are answered 503 and closed (default 1024, lowered to what the file-descriptor limit allows at two descriptors a connection)"),
    ("max_connections_per_address", "open connections from one client address (an IPv6 /64 counts as one); a trusted proxy counts towards max_connections only (default 128)"),
    ("header_timeout_seconds", "a connection must send a request's headers within this long, and a kept-alive connection idle this long is closed (default 15)"),
    ("write_timeout_seconds", "a connection whose client takes no byte of an answer for this long is closed and the answer dropped (default 20)"),
    ("shutdown_grace_seconds", "on SIGTERM, how long in-flight requests may take to finish (default 20)"),
    ("password_hashing_concurrency", "password checks (argon2id, 19 MiB each) that run at once; 8 per slot more wait, the rest get 429; one more slot is kept for known devices and password changes (default 4)"),
    ("calls_per_minute", "PolarDB calls one user may make a minute, through pages, the JSON API and fleet views alike (the top bar's menus and each recorded cross-origin refusal take one too); a minute's worth may come at once, then the rate; beyond it 429 with Retry-After, counted and logged once a minute, not audited (default 1200)"),
    ("notify_maintenance_hours", "the fleet watch tells of a maintenance event whose switch time or deadline is this close (default 24)"),
    ("notify_ssl_days", "the fleet watch tells of an enabled SSL certificate expiring this close (default 30)"),
    ("notify_subscription_days", "the fleet watch tells of a subscription without auto-renewal expiring this close (default 7)"),
    ("metrics_token", "if set, /metrics answers only requests with `Authorization: Bearer <token>`"),
    ("trusted_proxies", "comma-separated CIDRs or addresses of the SSO proxy; identity headers are believed only from these peers (empty: header sign-in off)"),
    ("proxy_user_headers", "header(s) carrying the user name (default X-Forwarded-User,Remote-User)"),
    ("proxy_email_headers", "header(s) carrying the e-mail (default X-Forwarded-Email,Remote-Email)"),
    ("proxy_groups_headers", "header(s) carrying the groups (default X-Forwarded-Groups,Remote-Groups)"),
    ("proxy_name_headers", "header(s) carrying the display name (default Remote-Name)"),
    ("proxy_group_roles", "group=role pairs, comma-separated, e.g. dba=admin,sre=operator; the most powerful match wins"),
    ("proxy_default_role", "role of a proxy user whose groups map to none (default viewer)"),
    ("cloud_account_name", "register (or update) one cloud account at start-up under this name (default sandbox)"),
    ("cloud_account_access_key_id", "that account's AccessKeyId; setting it registers the account"),
    ("cloud_account_access_key_secret", "that account's AccessKeySecret (stored encrypted)"),
    ("cloud_account_endpoint", "an http(s) URL overriding Alibaba Cloud's regional endpoints (the emulator); unset for real Alibaba Cloud"),
    ("cloud_account_signature", "v2 (HMAC-SHA1) or v3 (ACS3-HMAC-SHA256); default v2"),
    ("cloud_account_emulator", "true marks that account as a local emulator, whose endpoint may be plain http (default false: https only)"),
    ("allow_private_endpoints", "true lets endpoint overrides use loopback, link-local and private addresses (an emulator or a proxy inside your network); default false"),
];

/// `POLAR_*` variables the binary reads that are not settings (no file key): accepted
/// by the configuration, used elsewhere.
pub const VARIABLES: &[(&str, &str)] = &[
    ("POLAR_CONFIG", "the TOML configuration file (same as --config)"),
    ("POLAR_LOG", "the log filter, e.g. info or debug,sqlx=warn (default info)"),
    ("POLAR_NEW_ADMIN_PASSWORD", "the password `create-admin` gives the new administrator (generated and printed when unset)"),
];

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("configuration setting {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

fn err(key: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: format!("{} ({key})", env_name(key)),
        problem: problem.into(),
    }
}

pub fn env_name(key: &str) -> String {
    format!("POLAR_{}", key.to_ascii_uppercase())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A cloud account to register at start-up: the emulator ("sandbox") on the run
/// command, or a real Alibaba Cloud account.
pub struct SeedAccount {
    pub name: String,
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret: Zeroizing<String>,
    pub signature: polardb::SignatureVersion,
    /// Marked as a local emulator (plain http allowed).
    pub emulator: bool,
}

impl SeedAccount {
    /// The account under the rules of one an administrator adds.
    pub fn parse(&self) -> Result<backend::vault::NewCloudAccount, backend::BackendError> {
        backend::vault::NewCloudAccount::parse(
            &self.name,
            &self.access_key_id,
            &self.secret,
            "",
            self.signature.as_str(),
            self.endpoint.as_deref().unwrap_or(""),
            self.emulator,
        )
    }
}

/// Settings for sign-in through the SSO proxy's headers.
#[derive(Clone, Debug)]
pub struct ProxyAuth {
    pub trusted: Vec<Cidr>,
    pub user_headers: Vec<String>,
    pub email_headers: Vec<String>,
    pub groups_headers: Vec<String>,
    pub name_headers: Vec<String>,
    pub group_roles: Vec<(String, String)>,
    pub default_role: String,
}

impl ProxyAuth {
    pub fn enabled(&self) -> bool {
        !self.trusted.is_empty()
    }

    pub fn is_trusted(&self, ip: std::net::IpAddr) -> bool {
        self.trusted.iter().any(|c| c.contains(ip))
    }
}

/// An IPv4 or IPv6 network; a bare address is a one-host network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub addr: std::net::IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: std::net::IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?} has an invalid prefix length (0 to {max})"))?,
        };
        if prefix == 0 {
            return Err(format!(
                "{s:?} would trust every address on the internet; list the proxy's own address or network"
            ));
        }
        Ok(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix as u32)
                };
                (u32::from(n) & mask) == (u32::from(a) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix as u32)
                };
                (u128::from(n) & mask) == (u128::from(a) & mask)
            }
            _ => false,
        }
    }
}

pub struct Config {
    pub listen: SocketAddr,
    pub proxy: ProxyAuth,
    pub database_url: Zeroizing<String>,
    /// The owner's URL: migrations and grants only.
    pub database_owner_url: Option<Zeroizing<String>>,
    pub database_max_connections: u32,
    pub site_root: PathBuf,
    pub master_keys: std::sync::Arc<MasterKeys>,
    pub bootstrap_admin_password: Option<Zeroizing<String>>,
    pub cookie_secure: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub log_format: LogFormat,
    pub background_period: std::time::Duration,
    pub shutdown_grace: std::time::Duration,
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    pub header_timeout: std::time::Duration,
    pub write_timeout: std::time::Duration,
    /// How far ahead the fleet watch looks (notifications).
    pub notify_thresholds: backend::watch::Thresholds,
    pub metrics_token: Option<Zeroizing<String>>,
    /// Password hashes that may run at once (each holds 19 MiB).
    pub password_hashing_concurrency: usize,
    pub calls_per_minute: u32,
    pub cloud_account: Option<SeedAccount>,
    /// Endpoint overrides may use loopback, link-local and private addresses.
    pub allow_private_endpoints: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &"<redacted>")
            .field("site_root", &self.site_root)
            .field("master_keys", &self.master_keys)
            .field("cookie_secure", &self.cookie_secure)
            .finish_non_exhaustive()
    }
}

/// Raw values with where each came from.
pub struct Sources {
    values: BTreeMap<String, String>,
}

impl Sources {
    /// Reads the TOML file (if any) and then the environment.
    pub fn load(
        file: Option<&std::path::Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut values = BTreeMap::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
                setting: format!("POLAR_CONFIG ({})", path.display()),
                problem: format!("cannot read the file: {e}"),
            })?;
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
                setting: format!("POLAR_CONFIG ({})", path.display()),
                problem: format!("not valid TOML: {}", e.message()),
            })?;
            for (k, v) in table {
                if !SETTINGS.iter().any(|(name, _)| *name == k) {
                    return Err(ConfigError {
                        setting: format!("{k} in {}", path.display()),
                        problem: "is not a known setting (see `polar-console check-config --help`)"
                            .into(),
                    });
                }
                let s = match v {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        return Err(err(
                            &k,
                            format!(
                                "must be a string, number or boolean, not {}",
                                other.type_str()
                            ),
                        ))
                    }
                };
                values.insert(k, s);
            }
        }
        for (k, v) in env {
            if k == "DATABASE_URL" {
                values.entry("database_url".to_string()).or_insert(v);
                continue;
            }
            let Some(rest) = k.strip_prefix("POLAR_") else {
                continue;
            };
            if VARIABLES.iter().any(|(name, _)| *name == k) {
                continue;
            }
            let key = rest.to_ascii_lowercase();
            if !SETTINGS.iter().any(|(name, _)| *name == key) {
                return Err(ConfigError {
                    setting: k.clone(),
                    problem: "is not a known setting (see `polar-console check-config --help`)"
                        .into(),
                });
            }
            values.insert(key, v);
        }
        Ok(Sources { values })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(|s| s.as_str())
            .filter(|s| !s.trim().is_empty())
    }

    fn parse_bool(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(key).map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(s) if ["true", "1", "yes", "on"].contains(&s.as_str()) => Ok(true),
            Some(s) if ["false", "0", "no", "off"].contains(&s.as_str()) => Ok(false),
            Some(_) => Err(err(key, "must be true or false")),
        }
    }

    fn parse_num<T>(&self, key: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        match self.get(key) {
            None => Ok(default),
            Some(s) => match s.trim().parse::<T>() {
                Ok(v) if v >= min && v <= max => Ok(v),
                _ => Err(err(
                    key,
                    format!("must be a whole number from {min} to {max}"),
                )),
            },
        }
    }

    pub fn build(&self) -> Result<Config, ConfigError> {
        let listen = self
            .get("listen")
            .unwrap_or("127.0.0.1:8080")
            .parse::<SocketAddr>()
            .map_err(|_| {
                err(
                    "listen",
                    "must be an address and port, like 127.0.0.1:8080 or [::]:8080",
                )
            })?;
        let database_url = self.get("database_url").ok_or_else(|| {
            err("database_url", "is required (or DATABASE_URL); the run command starts a private PostgreSQL and sets it")
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(err(
                "database_url",
                "must start with postgres:// or postgresql://",
            ));
        }
        let database_owner_url = match self.get("database_owner_url") {
            None => None,
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Some(Zeroizing::new(u.to_string()))
            }
            Some(_) => {
                return Err(err(
                    "database_owner_url",
                    "must start with postgres:// or postgresql://",
                ))
            }
        };
        let master_key_id = self.get("master_key_id").unwrap_or("k1").to_string();
        if !master_key_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || master_key_id.len() > 32
        {
            return Err(err(
                "master_key_id",
                "must be 1 to 32 letters, digits, - or _",
            ));
        }
        let key_b64: Zeroizing<String> = match (self.get("master_key"), self.get("master_key_file")) {
            (Some(_), Some(_)) => return Err(err("master_key", "set either master_key or master_key_file, not both")),
            (Some(k), None) => Zeroizing::new(k.to_string()),
            (None, Some(path)) => Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                err("master_key_file", format!("cannot read {path}: {e}"))
            })?),
            (None, None) => {
                return Err(err(
                    "master_key",
                    "is required: 32 random bytes in base64 (e.g. `openssl rand -base64 32`), or master_key_file",
                ))
            }
        };
        let which = if self.get("master_key").is_some() {
            "master_key"
        } else {
            "master_key_file"
        };
        let key = MasterKeys::decode_key("master_key", &key_b64).map_err(|e| match e {
            backend::BackendError::Invalid { message, .. } => err(which, message),
            other => err(which, other.to_string()),
        })?;
        let mut old_keys = Vec::new();
        if let Some(list) = self.get("old_master_keys") {
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (id, b64) = item
                    .split_once(':')
                    .ok_or_else(|| err("old_master_keys", "each entry must be id:base64"))?;
                if id == master_key_id {
                    return Err(err(
                        "old_master_keys",
                        format!("{id} is the active key id; old keys need other ids"),
                    ));
                }
                let k = MasterKeys::decode_key("old_master_keys", b64).map_err(|e| match e {
                    backend::BackendError::Invalid { message, .. } => {
                        err("old_master_keys", format!("{id}: {message}"))
                    }
                    other => err("old_master_keys", other.to_string()),
                })?;
                old_keys.push((id.to_string(), k));
            }
        }
        let log_format = match self.get("log_format").unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(err("log_format", "must be text or json")),
        };
        let cloud_account = match self.get("cloud_account_access_key_id") {
            None => {
                for key in ["cloud_account_access_key_secret", "cloud_account_endpoint"] {
                    if self.get(key).is_some() {
                        return Err(err(key, "needs cloud_account_access_key_id as well"));
                    }
                }
                None
            }
            Some(id) => {
                let name = self
                    .get("cloud_account_name")
                    .unwrap_or("sandbox")
                    .trim()
                    .to_string();
                if name.is_empty() || name.len() > 64 {
                    return Err(err("cloud_account_name", "must be 1 to 64 characters"));
                }
                let secret = self.get("cloud_account_access_key_secret").ok_or_else(|| {
                    err(
                        "cloud_account_access_key_secret",
                        "is required with cloud_account_access_key_id",
                    )
                })?;
                let endpoint = match self.get("cloud_account_endpoint") {
                    None => None,
                    Some(e) if e.starts_with("http://") || e.starts_with("https://") => {
                        Some(e.to_string())
                    }
                    Some(_) => {
                        return Err(err(
                            "cloud_account_endpoint",
                            "must be an http:// or https:// URL",
                        ))
                    }
                };
                let emulator = self.parse_bool("cloud_account_emulator", false)?;
                let signature = match self.get("cloud_account_signature") {
                    None => polardb::SignatureVersion::V2,
                    Some(s) => polardb::SignatureVersion::parse(s)
                        .ok_or_else(|| err("cloud_account_signature", "must be v2 or v3"))?,
                };
                Some(SeedAccount {
                    name,
                    endpoint,
                    access_key_id: id.trim().to_string(),
                    secret: Zeroizing::new(secret.to_string()),
                    signature,
                    emulator,
                })
            }
        };
        let trusted = match self.get("trusted_proxies") {
            None => Vec::new(),
            Some(list) => {
                let mut out = Vec::new();
                for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    if item == "*" {
                        return Err(err(
                            "trusted_proxies",
                            "\"*\" would let anyone sign in as anyone by sending a header; list the proxy's own address or network",
                        ));
                    }
                    out.push(Cidr::parse(item).map_err(|m| err("trusted_proxies", m))?);
                }
                out
            }
        };
        let list = |key: &str, default: &str| -> Vec<String> {
            self.get(key)
                .unwrap_or(default)
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect()
        };
        let mut group_roles = Vec::new();
        if let Some(pairs) = self.get("proxy_group_roles") {
            for pair in pairs.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (g, r) = pair.split_once('=').ok_or_else(|| {
                    err("proxy_group_roles", format!("{pair:?} must be group=role"))
                })?;
                group_roles.push((g.trim().to_string(), r.trim().to_string()));
            }
        }
        let proxy = ProxyAuth {
            trusted,
            user_headers: list("proxy_user_headers", "X-Forwarded-User,Remote-User"),
            email_headers: list("proxy_email_headers", "X-Forwarded-Email,Remote-Email"),
            groups_headers: list("proxy_groups_headers", "X-Forwarded-Groups,Remote-Groups"),
            name_headers: list("proxy_name_headers", "Remote-Name"),
            group_roles,
            default_role: self
                .get("proxy_default_role")
                .unwrap_or("viewer")
                .to_string(),
        };
        let config = Config {
            listen,
            proxy,
            database_url: Zeroizing::new(database_url.to_string()),
            database_owner_url,
            database_max_connections: self.parse_num("database_max_connections", 10u32, 1, 500)?,
            site_root: PathBuf::from(self.get("site_root").unwrap_or("target/site")),
            master_keys: std::sync::Arc::new(
                old_keys
                    .into_iter()
                    .fold(MasterKeys::new(&master_key_id, key), |keys, (id, k)| {
                        keys.with_old(&id, k)
                    }),
            ),
            bootstrap_admin_password: self
                .get("bootstrap_admin_password")
                .map(|s| Zeroizing::new(s.to_string())),
            cookie_secure: self.parse_bool("cookie_secure", true)?,
            allow_private_endpoints: self.parse_bool("allow_private_endpoints", false)?,
            session_idle_minutes: self.parse_num(
                "session_idle_minutes",
                480i64,
                1,
                60 * 24 * 30,
            )?,
            session_absolute_hours: self.parse_num("session_absolute_hours", 24i64, 1, 24 * 90)?,
            log_format,
            background_period: std::time::Duration::from_secs(self.parse_num(
                "background_period_seconds",
                60u64,
                1,
                3600,
            )?),
            shutdown_grace: std::time::Duration::from_secs(self.parse_num(
                "shutdown_grace_seconds",
                20u64,
                0,
                600,
            )?),
            max_connections: self.parse_num(
                "max_connections",
                crate::listen::DEFAULT_MAX_CONNECTIONS,
                16,
                1_000_000,
            )?,
            max_connections_per_address: self.parse_num(
                "max_connections_per_address",
                crate::listen::DEFAULT_PER_ADDRESS,
                1,
                1_000_000,
            )?,
            header_timeout: std::time::Duration::from_secs(self.parse_num(
                "header_timeout_seconds",
                crate::listen::DEFAULT_HEADER_TIMEOUT_SECS,
                1,
                600,
            )?),
            write_timeout: std::time::Duration::from_secs(self.parse_num(
                "write_timeout_seconds",
                crate::listen::DEFAULT_WRITE_TIMEOUT_SECS,
                1,
                600,
            )?),
            notify_thresholds: backend::watch::Thresholds {
                maintenance_hours: self.parse_num("notify_maintenance_hours", 24i64, 1, 24 * 30)?,
                ssl_days: self.parse_num("notify_ssl_days", 30i64, 1, 365)?,
                subscription_days: self.parse_num("notify_subscription_days", 7i64, 1, 365)?,
            },
            password_hashing_concurrency: self.parse_num(
                "password_hashing_concurrency",
                backend::identity::DEFAULT_HASHING_CONCURRENCY,
                1,
                64,
            )?,
            calls_per_minute: self.parse_num(
                "calls_per_minute",
                backend::throttle::DEFAULT_CALLS_PER_MINUTE,
                1,
                1_000_000,
            )?,
            metrics_token: self
                .get("metrics_token")
                .map(|s| Zeroizing::new(s.trim().to_string())),
            cloud_account,
        };
        config.check_cloud_account()?;
        Ok(config)
    }
}

impl Config {
    /// The start-up cloud account under the rules `serve` holds it to when it registers it
    /// (those of an account an administrator adds, and the outbound rules with this
    /// console's own address), so `check-config` refuses what `serve` would. Host names are
    /// judged by name here; `serve` resolves them too.
    fn check_cloud_account(&self) -> Result<(), ConfigError> {
        let Some(a) = &self.cloud_account else {
            return Ok(());
        };
        let setting = |field: &str| match field {
            "name" => "cloud_account_name",
            "access_key_id" => "cloud_account_access_key_id",
            "access_key_secret" => "cloud_account_access_key_secret",
            "signature_version" => "cloud_account_signature",
            _ => "cloud_account_endpoint",
        };
        let refused = |e: backend::BackendError| match &e {
            backend::BackendError::Invalid { field, message } => {
                err(setting(field), message.clone())
            }
            other => err("cloud_account_endpoint", other.to_string()),
        };
        a.parse().map_err(refused)?;
        if let Some(endpoint) = &a.endpoint {
            let policy = backend::outbound::OutboundPolicy {
                allow_private: self.allow_private_endpoints,
                own: Some(self.listen),
            };
            backend::outbound::check_endpoint(endpoint, a.emulator, &policy).map_err(refused)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn build(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Sources::load(None, env(pairs))?.build()
    }

    #[test]
    fn first_run_defaults() {
        let c = build(&[
            ("DATABASE_URL", "postgres://x@localhost/db"),
            ("POLAR_MASTER_KEY", KEY),
        ])
        .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.cookie_secure);
        assert_eq!(c.master_keys.active_id(), "k1");
        assert!(c.cloud_account.is_none());
        let e = build(&[
            ("DATABASE_URL", "postgres://x/db"),
            ("POLAR_MASTER_KEY", KEY),
            ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", "LTAIabc"),
        ])
        .err()
        .unwrap();
        assert_eq!(
            e.setting,
            "POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET (cloud_account_access_key_secret)"
        );
        let c = build(&[
            ("DATABASE_URL", "postgres://x/db"),
            ("POLAR_MASTER_KEY", KEY),
            ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", "LTAIabcd"),
            ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET", "s"),
            ("POLAR_CLOUD_ACCOUNT_SIGNATURE", "v3"),
        ])
        .unwrap();
        let a = c.cloud_account.unwrap();
        assert_eq!(
            (a.name.as_str(), a.endpoint, a.signature),
            ("sandbox", None, polardb::SignatureVersion::V3)
        );
    }

    /// `check-config` refuses the start-up cloud accounts `serve` refuses (third attack run,
    /// F6): endpoints at link-local or this console's own address, with a query or a user,
    /// plain http without the emulator mark, and malformed key ids.
    #[test]
    fn the_start_up_account_is_held_to_serves_rules() {
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = vec![
                ("DATABASE_URL", "postgres://x/db"),
                ("POLAR_MASTER_KEY", KEY),
                ("POLAR_LISTEN", "127.0.0.1:8080"),
                ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", "LTAIabcd"),
                ("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_SECRET", "s"),
            ];
            pairs.extend_from_slice(extra);
            build(&pairs)
        };
        let refused = [
            vec![("POLAR_CLOUD_ACCOUNT_ENDPOINT", "https://169.254.169.254/")],
            vec![(
                "POLAR_CLOUD_ACCOUNT_ENDPOINT",
                "http://polardb.example.com/",
            )],
            vec![("POLAR_CLOUD_ACCOUNT_ENDPOINT", "https://example.com/?a=1")],
            vec![("POLAR_CLOUD_ACCOUNT_ENDPOINT", "http://u:p@example.com/")],
            vec![
                ("POLAR_CLOUD_ACCOUNT_ENDPOINT", "http://127.0.0.1:8080/"),
                ("POLAR_CLOUD_ACCOUNT_EMULATOR", "true"),
                ("POLAR_ALLOW_PRIVATE_ENDPOINTS", "true"),
            ],
            vec![("POLAR_CLOUD_ACCOUNT_ACCESS_KEY_ID", "LTAI-a b")],
        ];
        for extra in &refused {
            let e = with(extra).err();
            assert!(e.is_some(), "accepted: {extra:?}");
            assert!(
                e.unwrap().setting.contains("POLAR_CLOUD_ACCOUNT"),
                "{extra:?}"
            );
        }
        // The emulator on loopback, allowed by the operator: accepted.
        let ok = with(&[
            ("POLAR_CLOUD_ACCOUNT_ENDPOINT", "http://127.0.0.1:9100/"),
            ("POLAR_CLOUD_ACCOUNT_EMULATOR", "true"),
            ("POLAR_ALLOW_PRIVATE_ENDPOINTS", "true"),
        ]);
        assert!(ok.is_ok(), "{:?}", ok.err());
    }

    #[test]
    fn problems_name_the_setting() {
        let e = build(&[("POLAR_MASTER_KEY", KEY)]).unwrap_err();
        assert_eq!(e.setting, "POLAR_DATABASE_URL (database_url)");
        let e = build(&[
            ("DATABASE_URL", "postgres://x/db"),
            ("POLAR_MASTER_KEY", "c2hvcnQ="),
        ])
        .unwrap_err();
        assert_eq!(e.setting, "POLAR_MASTER_KEY (master_key)");
        assert!(e.problem.contains("32 bytes"), "{}", e.problem);
        let e = build(&[("DATABASE_URL", "postgres://x/db")]).unwrap_err();
        assert_eq!(e.setting, "POLAR_MASTER_KEY (master_key)");
        let e = build(&[
            ("DATABASE_URL", "postgres://x/db"),
            ("POLAR_MASTER_KEY", KEY),
            ("POLAR_LISTEN", "nope"),
        ])
        .unwrap_err();
        assert_eq!(e.setting, "POLAR_LISTEN (listen)");
        let e = build(&[
            ("DATABASE_URL", "postgres://x/db"),
            ("POLAR_MASTER_KEY", KEY),
            ("POLAR_COOKIE_SECURE", "maybe"),
        ])
        .unwrap_err();
        assert_eq!(e.problem, "must be true or false");
        let e = build(&[("POLAR_LISTNE", "x")]).unwrap_err();
        assert_eq!(e.setting, "POLAR_LISTNE");
    }

    #[test]
    fn trusted_proxies_are_checked() {
        let base = [
            ("DATABASE_URL", "postgres://x/db"),
            ("POLAR_MASTER_KEY", KEY),
        ];
        for bad in ["*", "0.0.0.0/0", "::/0", "10.0.0.0/33", "nonsense"] {
            let mut e = base.to_vec();
            e.push(("POLAR_TRUSTED_PROXIES", bad));
            let err = build(&e).err().unwrap();
            assert_eq!(
                err.setting, "POLAR_TRUSTED_PROXIES (trusted_proxies)",
                "{bad}"
            );
        }
        let mut e = base.to_vec();
        e.push(("POLAR_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::1"));
        let c = build(&e).unwrap();
        assert!(c.proxy.enabled());
        assert!(c.proxy.is_trusted("10.1.2.3".parse().unwrap()));
        assert!(c.proxy.is_trusted("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!c.proxy.is_trusted("11.0.0.1".parse().unwrap()));
        assert!(c.proxy.is_trusted("2001:db8::1".parse().unwrap()));
        assert!(
            !c.proxy.is_trusted("2001:db8::2".parse().unwrap()),
            "a neighbour of a single IPv6 address"
        );
        assert!(!build(&base).unwrap().proxy.enabled());
    }

    #[test]
    fn file_then_environment() {
        let dir = std::env::temp_dir().join(format!("polar-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("polar.toml");
        std::fs::write(&path, format!("listen = \"127.0.0.1:9000\"\nmaster_key = \"{KEY}\"\ndatabase_url = \"postgres://a/b\"\n")).unwrap();
        let c = Sources::load(Some(&path), env(&[("POLAR_LISTEN", "127.0.0.1:9001")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9001");
        std::fs::write(&path, "lisen = 1\n").unwrap();
        let e = Sources::load(Some(&path), env(&[])).err().unwrap();
        assert!(e.setting.starts_with("lisen"), "{}", e.setting);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
