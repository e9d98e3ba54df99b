//! Users and local passwords.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::BackendError;

/// Built-in roles, from least to most powerful.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A language the console speaks (#19): the top bar's choice, saved with the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    /// The code saved, and used for the language cookie and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh",
        }
    }

    /// `en` or `zh`; anything else is refused, naming the field.
    pub fn parse(code: &str) -> Result<Language, BackendError> {
        match code {
            "en" => Ok(Language::English),
            "zh" => Ok(Language::Chinese),
            _ => Err(BackendError::invalid(
                "language",
                "is one of the console's languages: en (English) or zh (简体中文)",
            )),
        }
    }
}

/// Settings of a user to save (`None`: unchanged).
#[derive(Clone, Copy, Debug, Default)]
struct Settings<'a> {
    collect_changes: Option<bool>,
    language: Option<Language>,
    time_zone: Option<&'a crate::zone::TimeZone>,
}

/// A user of the console.
#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// A built-in role (`viewer`, `operator`, `admin`) or a custom role's name.
    pub role: String,
    pub auth_source: String,
    pub disabled: bool,
    /// Sessions made in an earlier epoch are no longer valid.
    pub session_epoch: i32,
    /// The password was set by an administrator (a new user's first, or a reset): the
    /// user must choose their own before doing anything else.
    pub must_change_password: bool,
    /// A custom role's policy as read with the user ([`Identity::find_for_session`]), so
    /// the request needs no second read; `None`: read it when asked ([`Identity::policy_for`]).
    pub policy: Option<crate::access::Policy>,
    /// Their writes from the pages are kept in a draft change instead of being sent
    /// ([`Identity::set_collect_changes`]).
    pub collect_changes: bool,
}

/// A username as the console accepts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

/// Names the audit trail gives actors that are not users.
const RESERVED_NAMES: &[&str] = &["anonymous"];

/// A character that shows as nothing (Unicode's format characters that matter here).
fn invisible(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}')
}

impl Username {
    pub fn parse(s: &str) -> Result<Self, BackendError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 128 {
            return Err(BackendError::invalid(
                "username",
                "must be 1 to 128 characters",
            ));
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(BackendError::invalid(
                "username",
                "must not contain spaces or control characters",
            ));
        }
        // Characters that show as nothing make a name look like another's (eleventh
        // attack run, F5: `adm2` + U+200B).
        if s.chars().any(invisible) {
            return Err(BackendError::invalid(
                "username",
                "must not contain invisible characters (zero-width spaces, soft hyphens, joiners, direction marks)",
            ));
        }
        if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(s)) {
            return Err(BackendError::invalid(
                "username",
                format!("{s:?} is a name the audit trail uses for itself"),
            ));
        }
        Ok(Username(s.to_string()))
    }

    /// A name for a new local user: ASCII letters, digits, `.`, `_`, `-` and `@`, starting
    /// with a letter or a digit, so that no name can pass for another (a Cyrillic `а`, a
    /// full-width `ａ`). Names that come from the SSO proxy follow only [`Username::parse`].
    pub fn parse_local(s: &str) -> Result<Self, BackendError> {
        let name = Self::parse(s)?;
        let ok = name.0.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if !ok {
            return Err(BackendError::invalid(
                "username",
                "a local user's name has ASCII letters, digits, '.', '_', '-' and '@' only, and starts with a letter or a digit",
            ));
        }
        Ok(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// argon2id with OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// Hashes a password into a PHC string.
pub fn hash_password(password: &str) -> Result<String, BackendError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| BackendError::Crypto)
}

/// Checks a password against a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// The rules a new local password must meet.
pub fn check_new_password(password: &str) -> Result<(), BackendError> {
    if password.chars().count() < 12 {
        return Err(BackendError::invalid(
            "password",
            "must be at least 12 characters",
        ));
    }
    if password.len() > 1024 {
        return Err(BackendError::invalid(
            "password",
            "must be at most 1024 bytes",
        ));
    }
    // A NUL or another control character cannot be typed into a sign-in form and would
    // lock the account out of it (tenth attack run).
    if password.chars().any(char::is_control) {
        return Err(BackendError::invalid(
            "password",
            "must not contain control characters (NUL, tab, line breaks, …)",
        ));
    }
    Ok(())
}

/// A fresh random password of 20 characters (for the bootstrap administrator).
pub fn generate_password() -> Zeroizing<String> {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = OsRng;
    Zeroizing::new(
        (0..20)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect(),
    )
}

#[derive(Clone)]
pub struct Identity {
    pool: PgPool,
    /// The session's read runs on these (every request runs it; see [`crate::db::Lanes`]).
    lanes: crate::db::Lanes,
    /// Process-wide: every clone of this service shares the same hashing slots.
    hashing: Arc<HashGate>,
    /// When stale sign-in limit rows were last removed (unix seconds).
    last_sweep: Arc<AtomicI64>,
}

/// Password hashes that may run at once by default (argon2id takes 19 MiB each).
pub const DEFAULT_HASHING_CONCURRENCY: usize = 4;
/// Attempts that may wait for a hashing slot, per slot; more are refused as busy.
const HASHING_QUEUE_PER_SLOT: usize = 8;
/// How long an attempt waits in that queue before it is refused as busy.
const HASHING_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Caps concurrent password hashing. argon2id needs 19 MiB and tens of milliseconds of CPU
/// per attempt, so a burst of sign-ins hashed all at once costs gigabytes: at most
/// `slots` hashes run (on blocking threads, never on the async workers), a bounded line
/// waits a bounded time, and everything beyond is refused at once (the caller answers 429).
///
/// One more slot, with its own line, is kept for attempts someone has vouched for: a
/// sign-in from a browser holding that user's device cookie, a password change in a
/// signed-in session. A flood of made-up names from many addresses fills the common line
/// only, so the real user on a known device still gets a hash promptly (third attack run,
/// F3). Such an attempt takes whichever slot frees first.
///
/// One user's attempts take turns: per user name and line, one attempt at a time waits
/// in a line or hashes; the user's next attempts wait for their turn before they join a
/// line (a few may wait, more are refused as busy). So one account holder looping sign-ins
/// with their own password — with or without their device cookie — runs at most one hash
/// in each line: they hold one place in the vouched line, not all of it (fourth attack
/// run, F3), and their loop cannot take every slot and the CPU from everyone else (fifth
/// attack run, F3: 16 concurrent correct sign-ins of one user held other users' known
/// devices past ten seconds).
struct HashGate {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    vouched: Arc<Semaphore>,
    vouched_waiting: AtomicUsize,
    /// Per user name and line: whose turn it is, and how many wait for theirs.
    turns: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<Turn>>>>,
}

/// One user name's turns in one line.
#[derive(Default)]
struct Turn {
    now: Arc<tokio::sync::Mutex<()>>,
    waiting: AtomicUsize,
}

/// Which line an attempt waits in (see [`HashGate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lane<'a> {
    /// Anyone: a sign-in without a known device (with the user name it names), an
    /// administrator's new password (none).
    Common(Option<&'a str>),
    /// A known device's sign-in, a signed-in user's password change: the user's name.
    Vouched(&'a str),
}

/// An attempt's turn, from getting it until its hash has finished; passed on when dropped,
/// and the user name's entry goes when nobody else waits for it.
struct HasTurn {
    turns: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<Turn>>>>,
    key: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for HasTurn {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        // Only the map holds it: nobody has or waits for this user's turn.
        if turns
            .get(&self.key)
            .is_some_and(|t| Arc::strong_count(t) == 1)
        {
            turns.remove(&self.key);
        }
    }
}

/// Why a hash did not run or did not finish.
enum GateError {
    /// Every slot is taken and the line is full (or the wait was too long).
    Busy,
    /// The hashing thread panicked.
    Failed,
}

/// Leaves the line when dropped, also when the request is abandoned while waiting.
struct InLine<'a>(&'a AtomicUsize);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashGate {
    fn new(slots: usize) -> Self {
        let slots = slots.max(1);
        HashGate {
            slots: Arc::new(Semaphore::new(slots)),
            waiting: AtomicUsize::new(0),
            max_waiting: slots * HASHING_QUEUE_PER_SLOT,
            vouched: Arc::new(Semaphore::new(1)),
            vouched_waiting: AtomicUsize::new(0),
            turns: Default::default(),
        }
    }

    /// Waits for the user name's turn in this line (bounded, like the line itself).
    async fn turn(&self, lane: Lane<'_>) -> Result<Option<HasTurn>, GateError> {
        let key = match lane {
            Lane::Common(None) => return Ok(None),
            Lane::Common(Some(user)) => format!("common:{user}"),
            Lane::Vouched(user) => format!("vouched:{user}"),
        };
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            turns.entry(key.clone()).or_default().clone()
        };
        let mut has = HasTurn {
            turns: self.turns.clone(),
            key,
            guard: None,
        };
        let ahead = turn.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = InLine(&turn.waiting);
        if ahead >= HASHING_QUEUE_PER_SLOT {
            drop(waiting);
            drop(turn);
            return Err(GateError::Busy);
        }
        let guard = tokio::time::timeout(HASHING_QUEUE_WAIT, turn.now.clone().lock_owned()).await;
        drop(waiting);
        drop(turn);
        has.guard = Some(guard.map_err(|_| GateError::Busy)?);
        Ok(Some(has))
    }

    async fn run<T: Send + 'static>(
        &self,
        lane: Lane<'_>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, GateError> {
        let turn = self.turn(lane).await?;
        let (line, max) = match lane {
            Lane::Common(_) => (&self.waiting, self.max_waiting),
            Lane::Vouched(_) => (&self.vouched_waiting, HASHING_QUEUE_PER_SLOT),
        };
        let ahead = line.fetch_add(1, Ordering::SeqCst);
        let in_line = InLine(line);
        if ahead >= max {
            return Err(GateError::Busy);
        }
        let acquire = async {
            match lane {
                Lane::Common(_) => self.slots.clone().acquire_owned().await,
                // Whichever frees first; the other wait is dropped without taking a slot.
                Lane::Vouched(_) => tokio::select! {
                    p = self.vouched.clone().acquire_owned() => p,
                    p = self.slots.clone().acquire_owned() => p,
                },
            }
        };
        let permit = tokio::time::timeout(HASHING_QUEUE_WAIT, acquire)
            .await
            .map_err(|_| GateError::Busy)?
            .map_err(|_| GateError::Busy)?;
        drop(in_line);
        // The permit moves into the blocking task: if the request is abandoned, the slot
        // stays taken until the hash has really finished, so the cap holds.
        // The user's turn, likewise, until their hash has finished.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _turn = turn;
            work()
        })
        .await
        .map_err(|_| GateError::Failed)
    }
}

/// Sign-in limits (see [`Identity::sign_in`]): the window of the per-address limit and the
/// quiet time after which a user name's failures are forgotten.
pub const LIMIT_WINDOW_MINUTES: i32 = 15;
/// Failed (or still running) attempts per client address within the window; more are
/// refused with 429 until the window ends.
pub const MAX_ATTEMPTS_PER_ADDRESS: i32 = 10;
/// Failures per user name (from every address) that cost no delay.
pub const USER_FREE_FAILURES: i32 = 5;
/// After those, each failure makes the user name's next attempt wait this long, doubling
/// with every further failure up to [`USER_DELAY_MAX_MS`].
pub const USER_DELAY_BASE_MS: f64 = 250.0;
pub const USER_DELAY_MAX_MS: f64 = 30_000.0;
/// How long an attempt is held waiting for its user name's next slot before it is
/// answered 429 with the time to wait instead.
const USER_HOLD: Duration = Duration::from_secs(10);
/// How long a device cookie is honoured after its last sign-in.
pub const DEVICE_DAYS: i32 = 90;
/// Devices remembered per user (the oldest are forgotten).
const DEVICES_PER_USER: i64 = 10;
/// Longest password that is hashed at all (new passwords are refused above it).
const MAX_PASSWORD_BYTES: usize = 1024;

/// Why an attempt was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitReason {
    /// Too many failed attempts from this client address.
    Address,
    /// This user name had many failures: its attempts are spaced out.
    User,
    /// Every password-hashing slot is busy.
    Busy,
}

/// An attempt that was refused before the password was checked; answer 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub reason: LimitReason,
    /// For `Retry-After`.
    pub retry_after_secs: u64,
}

impl Limited {
    /// What to tell the person signing in.
    pub fn message(&self) -> String {
        match self.reason {
            LimitReason::Address => format!(
                "Too many sign-in attempts from your address. Try again in {} minutes.",
                self.retry_after_secs.div_ceil(60).max(1)
            ),
            LimitReason::User => format!(
                "Too many sign-in attempts for this account. Try again in {} seconds.",
                self.retry_after_secs.max(1)
            ),
            LimitReason::Busy => {
                "The console is busy checking other sign-ins. Try again in a moment.".into()
            }
        }
    }
}

/// The result of a local sign-in attempt.
#[derive(Debug)]
pub enum SignIn {
    SignedIn(User),
    /// Wrong user name or password, or a disabled user (told apart from nothing).
    Failed,
    Limited(Limited),
}

/// The result of a password change (a wrong current password is an `Invalid` error).
#[derive(Debug)]
pub enum PasswordChange {
    /// The current password was right; the new one's hash, to store with
    /// [`Identity::store_password`] in the transaction of its audit record.
    Checked(NewPasswordHash),
    Limited(Limited),
}

/// The argon2id hash of a checked new password.
#[derive(Debug)]
pub struct NewPasswordHash(String);

/// The result of signing in a user the SSO proxy vouches for.
#[derive(Debug)]
pub enum ProxyUser {
    User(User),
    /// A local (password) account has this name: SSO and local identities never merge.
    NameOfLocalAccount,
}

/// The places an admitted attempt holds; given back when it succeeds or was not evaluated.
struct Reservation {
    addr: String,
    /// The pace this attempt is counted in: `("user", name)`, or `("device", token hash)`
    /// when it carries a device cookie of that user.
    user: Option<(&'static str, String)>,
}

/// The result of making sure a bootstrap administrator exists.
#[derive(Debug)]
pub enum Bootstrap {
    /// Users existed already; nothing was done.
    Existing,
    /// The administrator was created with the configured password.
    Created { username: String },
    /// The administrator was created with this generated password (print it once).
    Generated {
        username: String,
        password: Zeroizing<String>,
    },
}

impl Identity {
    pub fn new(pool: PgPool) -> Self {
        // Half the pool's size, 1 to 8, kept beside it: the session read's, and the single
        // statements of a write sent at once (see `Identity::lanes`).
        let most = (pool.options().get_max_connections() as usize / 2).clamp(1, 8);
        Identity {
            lanes: crate::db::Lanes::new(pool.clone(), most),
            pool,
            hashing: Arc::new(HashGate::new(DEFAULT_HASHING_CONCURRENCY)),
            last_sweep: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The connections kept beside the pool ([`crate::db::Lanes`]), for the single
    /// statements every request or every write makes.
    pub fn lanes(&self) -> crate::db::Lanes {
        self.lanes.clone()
    }

    /// With at most `slots` password hashes at once (the `password_hashing_concurrency`
    /// setting); call before the service is cloned.
    pub fn with_hashing_concurrency(mut self, slots: usize) -> Self {
        self.hashing = Arc::new(HashGate::new(slots));
        self
    }

    /// Creates the administrator `admin` when the console has no users yet.
    /// The administrator is created in one transaction with its audit record (`actor` says
    /// who: the start-up of the console).
    pub async fn bootstrap_admin(
        &self,
        audit: &crate::audit::Audit,
        actor: crate::audit::Actor,
        password: Option<&str>,
    ) -> Result<Bootstrap, BackendError> {
        let count = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM users")
            .fetch_one(&self.pool)
            .await?;
        if count > 0 {
            return Ok(Bootstrap::Existing);
        }
        let username = Username::parse("admin")?;
        let (password, generated) = match password {
            Some(p) => {
                check_new_password(p).map_err(|_| {
                    BackendError::invalid(
                        "bootstrap_admin_password",
                        "must be at least 12 characters",
                    )
                })?;
                (Zeroizing::new(p.to_string()), false)
            }
            None => (generate_password(), true),
        };
        let mut change = audit.begin_change().await?;
        let user = self
            .create_local_in(
                change.conn(),
                &username,
                "Administrator",
                Role::Admin.as_str(),
                &password,
                false,
            )
            .await?;
        let mut e = crate::audit::Event::security(actor, "UserCreated", crate::audit::Outcome::Ok);
        e.params = serde_json::json!({"user": user.id.to_string(), "username": user.username, "role": user.role, "bootstrap": true});
        change.commit(&e).await?;
        Ok(if generated {
            Bootstrap::Generated {
                username: username.0,
                password,
            }
        } else {
            Bootstrap::Created {
                username: username.0,
            }
        })
    }

    /// Creates a local user on the caller's connection: an administrator's change that
    /// commits together with its `UserCreated` record ([`crate::audit::Change`]; `audit
    /// verify` finds a user without one). `role` is a built-in or custom role's name (one
    /// that does not exist is invalid input); with `must_change`, the password serves one
    /// sign-in only (a one-time password an administrator hands over).
    pub async fn create_local_in(
        &self,
        conn: &mut sqlx::PgConnection,
        username: &Username,
        display_name: &str,
        role: &str,
        password: &str,
        must_change: bool,
    ) -> Result<User, BackendError> {
        // A name that differs from another only in case would read as that user in every
        // list and record.
        let taken = sqlx::query_scalar!(
            "SELECT username FROM users WHERE lower(username) = lower($1) LIMIT 1",
            username.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(other) = taken {
            return Err(BackendError::invalid(
                "username",
                format!("is already taken (by {other})"),
            ));
        }
        let hash = self.hash_new(password).await?;
        let id = Uuid::new_v4();
        let result = sqlx::query!(
            "INSERT INTO users (id, username, display_name, role, password_hash, auth_source, must_change_password)
             VALUES ($1, $2, $3, $4, $5, 'local', $6)",
            id,
            username.as_str(),
            display_name,
            role,
            hash,
            must_change
        )
        .execute(&mut *conn)
        .await;
        match result {
            Ok(_) => {}
            Err(e) if BackendError::is_unique_violation(&e) => {
                return Err(BackendError::invalid("username", "is already taken"))
            }
            Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("23503") => {
                return Err(BackendError::invalid(
                    "role",
                    format!("{role:?} is not a role of this console"),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        Ok(User {
            id,
            username: username.as_str().to_string(),
            display_name: display_name.to_string(),
            role: role.to_string(),
            auth_source: "local".into(),
            disabled: false,
            session_epoch: 0,
            must_change_password: must_change,
            policy: None,
            collect_changes: false,
        })
    }

    /// Hashes a new password on one of the hashing slots (a busy console is a conflict to
    /// retry, not a failure).
    async fn hash_new(&self, password: &str) -> Result<String, BackendError> {
        let password = Zeroizing::new(password.to_string());
        match self
            .hashing
            .run(Lane::Common(None), move || hash_password(&password))
            .await
        {
            Ok(h) => h,
            Err(GateError::Busy) => Err(BackendError::Conflict(
                "The console is busy checking sign-ins; try again in a moment.".into(),
            )),
            Err(GateError::Failed) => Err(BackendError::Crypto),
        }
    }

    /// Gives the local user `target` a password an administrator hands over, on the
    /// caller's connection (the transaction of its audit record): it serves one sign-in,
    /// after which the user must choose their own; every session of the user ends. A user
    /// of the SSO proxy has no console password (invalid input). The user's name.
    pub async fn reset_password_in(
        &self,
        conn: &mut sqlx::PgConnection,
        target: Uuid,
        password: &str,
    ) -> Result<String, BackendError> {
        let hash = self.hash_new(password).await?;
        let row = sqlx::query!(
            "UPDATE users SET password_hash = $2, must_change_password = true,
                    session_epoch = session_epoch + 1, updated_at = now()
             WHERE id = $1 AND auth_source = 'local' RETURNING username",
            target,
            hash
        )
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(r) => Ok(r.username),
            None => {
                let exists = sqlx::query_scalar!(
                    r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1) AS "x!""#,
                    target
                )
                .fetch_one(&mut *conn)
                .await?;
                Err(if exists {
                    BackendError::invalid(
                        "user",
                        "signs in through the SSO proxy and has no console password",
                    )
                } else {
                    BackendError::NotFound("user")
                })
            }
        }
    }

    /// Signs in with a local user name and password from `client_addr`.
    ///
    /// The attempt is counted before the password is hashed, atomically with the check
    /// (see [`Self::reserve`]), so a concurrent burst cannot slip past the limits: per client
    /// address at most [`MAX_ATTEMPTS_PER_ADDRESS`] failed attempts in
    /// [`LIMIT_WINDOW_MINUTES`], then refusal; per user name a growing delay between
    /// attempts, never a refusal that would lock the real user out from every address.
    /// Hashing waits for one of the process's hashing slots. Unknown users cost as much
    /// time as known ones.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client_addr: &str,
        device: Option<&str>,
    ) -> Result<SignIn, BackendError> {
        // A name the console could never have issued is counted against the address only:
        // no user row exists for it, and arbitrary text must not make limit rows.
        let name = Username::parse(username).ok();
        let pace = match &name {
            Some(n) => match device {
                Some(token) => match self.device_of(token, n.as_str()).await? {
                    Some(key) => Some(("device", key)),
                    None => Some(("user", limit_key(n.as_str()))),
                },
                None => Some(("user", limit_key(n.as_str()))),
            },
            None => None,
        };
        // A browser holding this user's device cookie waits in the vouched line.
        let vouched = matches!(pace, Some(("device", _)));
        let reservation = match self.reserve(client_addr, pace).await? {
            Ok(r) => r,
            Err(limited) => return Ok(SignIn::Limited(limited)),
        };
        let Some(name) = name else {
            return Ok(SignIn::Failed);
        };
        if password.len() > MAX_PASSWORD_BYTES {
            // No console password is this long; do not spend a hash on it.
            return Ok(SignIn::Failed);
        }
        let row = sqlx::query!(
            "SELECT id, username, display_name, role, auth_source, disabled, password_hash, session_epoch,
                    must_change_password, collect_changes
             FROM users WHERE username = $1",
            name.as_str()
        )
        .fetch_optional(&self.pool)
        .await?;
        let password = Zeroizing::new(password.to_string());
        let hash = row.as_ref().and_then(|r| r.password_hash.clone());
        let lane = if vouched {
            Lane::Vouched(name.as_str())
        } else {
            Lane::Common(Some(name.as_str()))
        };
        let checked = self
            .hashing
            .run(lane, move || match hash {
                Some(h) => verify_password(&password, &h),
                None => {
                    let _ = verify_password(&password, DUMMY_HASH);
                    false
                }
            })
            .await;
        let ok = match checked {
            Ok(ok) => ok,
            Err(GateError::Busy) => {
                // Not evaluated: the attempt gives its places back.
                self.give_back(&reservation).await?;
                return Ok(SignIn::Limited(Limited {
                    reason: LimitReason::Busy,
                    retry_after_secs: 1,
                }));
            }
            Err(GateError::Failed) => false,
        };
        match row {
            Some(r) if ok && !r.disabled => {
                self.give_back(&reservation).await?;
                Ok(SignIn::SignedIn(User {
                    id: r.id,
                    username: r.username,
                    display_name: r.display_name,
                    role: r.role,
                    auth_source: r.auth_source,
                    disabled: r.disabled,
                    session_epoch: r.session_epoch,
                    must_change_password: r.must_change_password,
                    policy: None,
                    collect_changes: r.collect_changes,
                }))
            }
            _ => {
                self.sweep_limits().await;
                Ok(SignIn::Failed)
            }
        }
    }

    /// Takes a place for one attempt: from the client address, then from the user name.
    /// Each is one `INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING`, so the count
    /// and the decision are a single atomic step in PostgreSQL (shared by every console
    /// process). A user name whose next slot is near holds the attempt until then.
    async fn reserve(
        &self,
        addr: &str,
        pace: Option<(&'static str, String)>,
    ) -> Result<Result<Reservation, Limited>, BackendError> {
        let addr = address_key(addr);
        if let Some(wait) = self.take_address(&addr).await? {
            return Ok(Err(Limited {
                reason: LimitReason::Address,
                retry_after_secs: wait,
            }));
        }
        let reservation = Reservation { addr, user: pace };
        let Some((scope, key)) = reservation.user.as_ref() else {
            return Ok(Ok(reservation));
        };
        let deadline = Instant::now() + USER_HOLD;
        loop {
            let wait = match self.take_user(scope, key).await {
                Ok(None) => return Ok(Ok(reservation)),
                Ok(Some(wait)) => wait,
                Err(e) => {
                    let _ = self.give_back_one("addr", &reservation.addr).await;
                    return Err(e);
                }
            };
            if Instant::now() + wait > deadline {
                // Refused by the user name's pace, not by this address: give its place back.
                self.give_back_one("addr", &reservation.addr).await?;
                return Ok(Err(Limited {
                    reason: LimitReason::User,
                    retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                }));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// `None` when admitted, else the seconds until this address's window ends.
    async fn take_address(&self, addr: &str) -> Result<Option<u64>, BackendError> {
        let admitted = sqlx::query_scalar!(
            r#"INSERT INTO sign_in_limits AS l (scope, key, attempts, window_start, last_at, next_at)
               VALUES ('addr', $1, 1, now(), now(), now())
               ON CONFLICT (scope, key) DO UPDATE SET
                   attempts = CASE WHEN l.window_start <= now() - make_interval(mins => $2)
                                   THEN 1 ELSE l.attempts + 1 END,
                   window_start = CASE WHEN l.window_start <= now() - make_interval(mins => $2)
                                       THEN now() ELSE l.window_start END,
                   last_at = now()
               WHERE l.attempts < $3 OR l.window_start <= now() - make_interval(mins => $2)
               RETURNING attempts"#,
            addr,
            LIMIT_WINDOW_MINUTES,
            MAX_ATTEMPTS_PER_ADDRESS
        )
        .fetch_optional(&self.pool)
        .await?;
        if admitted.is_some() {
            return Ok(None);
        }
        let secs = sqlx::query_scalar!(
            r#"SELECT EXTRACT(EPOCH FROM window_start + make_interval(mins => $2) - now())::float8 AS "secs!"
               FROM sign_in_limits WHERE scope = 'addr' AND key = $1"#,
            addr,
            LIMIT_WINDOW_MINUTES
        )
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or(1.0);
        Ok(Some(secs.ceil().max(1.0) as u64))
    }

    /// `None` when admitted, else how long until the user name's (or the device's) next
    /// slot.
    async fn take_user(&self, scope: &str, user: &str) -> Result<Option<Duration>, BackendError> {
        let admitted = sqlx::query_scalar!(
            r#"INSERT INTO sign_in_limits AS l (scope, key, attempts, window_start, last_at, next_at)
               VALUES ($6, $1, 1, now(), now(), now())
               ON CONFLICT (scope, key) DO UPDATE SET
                   attempts = CASE WHEN l.last_at <= now() - make_interval(mins => $2)
                                   THEN 1 ELSE l.attempts + 1 END,
                   window_start = CASE WHEN l.last_at <= now() - make_interval(mins => $2)
                                       THEN now() ELSE l.window_start END,
                   last_at = now(),
                   next_at = now() + CASE
                       WHEN l.last_at <= now() - make_interval(mins => $2) OR l.attempts + 1 <= $3
                           THEN interval '0'
                       ELSE make_interval(secs => LEAST($5::float8,
                           $4::float8 * power(2, LEAST(l.attempts - $3, 30)::float8)) / 1000.0)
                   END
               WHERE l.next_at <= now() OR l.last_at <= now() - make_interval(mins => $2)
               RETURNING attempts"#,
            user,
            LIMIT_WINDOW_MINUTES,
            USER_FREE_FAILURES,
            USER_DELAY_BASE_MS,
            USER_DELAY_MAX_MS,
            scope
        )
        .fetch_optional(&self.pool)
        .await?;
        if admitted.is_some() {
            return Ok(None);
        }
        let secs = sqlx::query_scalar!(
            r#"SELECT EXTRACT(EPOCH FROM next_at - now())::float8 AS "secs!"
               FROM sign_in_limits WHERE scope = $2 AND key = $1"#,
            user,
            scope
        )
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or(0.0);
        // At least a little: statement clocks of concurrent attempts differ slightly.
        Ok(Some(Duration::from_secs_f64(secs.clamp(0.05, 3600.0))))
    }

    /// An attempt that succeeded or was never evaluated stops counting against the limits.
    async fn give_back(&self, r: &Reservation) -> Result<(), BackendError> {
        self.give_back_one("addr", &r.addr).await?;
        if let Some((scope, key)) = &r.user {
            self.give_back_one(scope, key).await?;
        }
        Ok(())
    }

    /// The pace key of a device cookie that `username` signed in with (within
    /// [`DEVICE_DAYS`]), or `None`: an unknown, foreign or malformed token counts for
    /// nothing and the attempt is paced by the user name.
    async fn device_of(&self, token: &str, username: &str) -> Result<Option<String>, BackendError> {
        if token.len() != 43
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Ok(None);
        }
        let hash = device_hash(token);
        let found = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM sign_in_devices d JOIN users u ON u.id = d.user_id
                              WHERE d.token_hash = $1 AND u.username = $2
                                AND d.last_used_at > now() - make_interval(days => $3)) AS "x!""#,
            &hash[..],
            username,
            DEVICE_DAYS
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(found.then(|| hex::encode(hash)))
    }

    /// After a successful sign-in: keeps the device cookie the browser presented when it
    /// is this user's (`None`: nothing to set), else makes a new one (`Some(token)`: set
    /// it). At most [`DEVICES_PER_USER`] are kept per user. On the caller's connection: it
    /// commits together with the `SignIn` record, or not at all.
    pub async fn remember_device(
        &self,
        conn: &mut sqlx::PgConnection,
        user_id: Uuid,
        presented: Option<&str>,
    ) -> Result<Option<String>, BackendError> {
        if let Some(token) = presented {
            let kept = sqlx::query!(
                "UPDATE sign_in_devices SET last_used_at = now()
                 WHERE token_hash = $1 AND user_id = $2",
                &device_hash(token)[..],
                user_id
            )
            .execute(&mut *conn)
            .await?;
            if kept.rows_affected() == 1 {
                return Ok(None);
            }
        }
        let mut raw = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(raw.as_mut());
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_ref());
        sqlx::query!(
            "INSERT INTO sign_in_devices (token_hash, user_id) VALUES ($1, $2)",
            &device_hash(&token)[..],
            user_id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "DELETE FROM sign_in_devices WHERE user_id = $1 AND token_hash NOT IN (
                 SELECT token_hash FROM sign_in_devices WHERE user_id = $1
                 ORDER BY last_used_at DESC LIMIT $2)",
            user_id,
            DEVICES_PER_USER
        )
        .execute(&mut *conn)
        .await?;
        Ok(Some(token))
    }

    async fn give_back_one(&self, scope: &str, key: &str) -> Result<(), BackendError> {
        sqlx::query!(
            "UPDATE sign_in_limits SET attempts = GREATEST(attempts - 1, 0)
             WHERE scope = $1 AND key = $2",
            scope,
            key
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes limit rows unused for a day, at most once a minute per process.
    async fn sweep_limits(&self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now - last < 60
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(e) =
            sqlx::query!("DELETE FROM sign_in_limits WHERE last_at < now() - interval '1 day'")
                .execute(&self.pool)
                .await
        {
            tracing::warn!(error = %e, "could not remove old sign-in limit rows");
        }
    }

    /// The policy of a user's role: a built-in one, or a custom role's stored policy.
    /// An unknown or unreadable role grants nothing.
    pub async fn policy_for(&self, user: &User) -> Result<crate::access::Policy, BackendError> {
        if let Some(p) = crate::access::builtin_policy(&user.role) {
            return Ok(p);
        }
        if let Some(p) = &user.policy {
            return Ok(p.clone());
        }
        let row = sqlx::query_scalar!("SELECT policy FROM roles WHERE name = $1", user.role)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// A user the SSO proxy vouches for: created on first sight; their role follows their
    /// groups (through the configured mapping) on every sign-in. A name that belongs to a
    /// local (password) account is never taken over: the proxy's user would otherwise get
    /// that account's session (an SSO `admin` becoming the bootstrap administrator).
    ///
    /// Creating the user, or changing their role, name or e-mail, commits together with
    /// its audit record (`UserCreated`, `UserRoleChanged`, `UserUpdated`, by `actor`): if
    /// the record cannot be written, nothing changes and the answer is
    /// [`BackendError::AuditUnavailable`]. A sign-in that changes nothing writes nothing.
    pub async fn provision_proxy_user(
        &self,
        audit: &crate::audit::Audit,
        actor: crate::audit::Actor,
        username: &Username,
        display_name: &str,
        email: Option<&str>,
        role: &str,
    ) -> Result<ProxyUser, BackendError> {
        // One read on the usual path (nothing changed since the last sign-in).
        let before = sqlx::query!(
            "SELECT id, username, display_name, email, role, auth_source, disabled, session_epoch,
                    collect_changes
             FROM users WHERE username = $1",
            username.as_str()
        )
        .fetch_optional(&self.pool)
        .await?;
        if let Some(b) = &before {
            if b.auth_source != "proxy" {
                return Ok(ProxyUser::NameOfLocalAccount);
            }
            let unchanged = b.role == role
                && b.display_name == display_name
                && (email.is_none() || b.email.as_deref() == email);
            if unchanged {
                return Ok(ProxyUser::User(User {
                    id: b.id,
                    username: b.username.clone(),
                    display_name: b.display_name.clone(),
                    role: b.role.clone(),
                    auth_source: b.auth_source.clone(),
                    disabled: b.disabled,
                    session_epoch: b.session_epoch,
                    must_change_password: false,
                    policy: None,
                    collect_changes: b.collect_changes,
                }));
            }
        }
        if before.is_none() {
            // A new SSO name that differs from a local account's only in case (`Admin` for
            // `admin`) would read as that account in every list and record: refused too.
            let local = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM users
                                  WHERE lower(username) = lower($1) AND auth_source <> 'proxy') AS "x!""#,
                username.as_str()
            )
            .fetch_one(&self.pool)
            .await?;
            if local {
                return Ok(ProxyUser::NameOfLocalAccount);
            }
        }
        let mut change = audit.begin_change().await?;
        // The WHERE makes the upsert a no-op (no row returned) for a local account, in the
        // same statement that found it: no window between the check and the sign-in.
        let row = sqlx::query!(
            r#"INSERT INTO users (id, username, display_name, email, role, auth_source)
               VALUES ($1, $2, $3, $4, $5, 'proxy')
               ON CONFLICT (username) DO UPDATE SET
                   display_name = EXCLUDED.display_name,
                   email = COALESCE(EXCLUDED.email, users.email),
                   role = EXCLUDED.role,
                   updated_at = now()
               WHERE users.auth_source = 'proxy'
               RETURNING id, username, display_name, role, auth_source, disabled, session_epoch,
                   collect_changes, (xmax = 0) AS "created!""#,
            Uuid::new_v4(),
            username.as_str(),
            display_name,
            email,
            role
        )
        .fetch_optional(change.conn())
        .await;
        // Another account took the name in another case meanwhile (a local user created at
        // the same moment; eleventh attack run, F4): refused like a local account's name.
        if matches!(&row, Err(e) if BackendError::is_unique_violation(e)) {
            return Ok(ProxyUser::NameOfLocalAccount);
        }
        let row = row.map_err(|e| match &e {
            // The role the groups map to is not one of the console's (seventh attack run,
            // N5: answered as an unavailable database).
            sqlx::Error::Database(d) if d.code().as_deref() == Some("23503") => {
                BackendError::Forbidden(format!(
                    "your groups give you the role {role:?}, which this console does not have; ask an administrator"
                ))
            }
            _ => e.into(),
        })?;
        // A local account: nothing was written; dropping the change rolls it back.
        let Some(row) = row else {
            return Ok(ProxyUser::NameOfLocalAccount);
        };
        let previous_role = before.as_ref().map(|b| b.role.as_str());
        let action = if row.created {
            "UserCreated"
        } else if previous_role != Some(role) {
            "UserRoleChanged"
        } else {
            "UserUpdated"
        };
        let mut e = crate::audit::Event::security(actor, action, crate::audit::Outcome::Ok);
        e.params = serde_json::json!({
            "user": row.id.to_string(),
            "username": row.username,
            "role": row.role,
            "previous_role": previous_role,
            "source": "proxy",
        });
        change.commit(&e).await?;
        Ok(ProxyUser::User(User {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            auth_source: row.auth_source,
            disabled: row.disabled,
            session_epoch: row.session_epoch,
            must_change_password: false,
            policy: None,
            collect_changes: row.collect_changes,
        }))
    }

    /// Whether `user`'s writes from the pages are kept in a draft change instead of being
    /// sent (the top bar's "Collect changes"); committed with its record
    /// (`UserSettingsChanged`) or not at all.
    pub async fn set_collect_changes(
        &self,
        audit: &crate::audit::Audit,
        actor: crate::audit::Actor,
        user: Uuid,
        on: bool,
    ) -> Result<(), BackendError> {
        let recorded = serde_json::json!({ "user": user.to_string(), "collect_changes": on });
        let change = Settings {
            collect_changes: Some(on),
            ..Settings::default()
        };
        self.save_settings(audit, actor, user, change, recorded)
            .await
    }

    /// The language `user` chose (committed with its record, `UserSettingsChanged`, or not
    /// at all).
    pub async fn set_language(
        &self,
        audit: &crate::audit::Audit,
        actor: crate::audit::Actor,
        user: Uuid,
        language: Language,
    ) -> Result<(), BackendError> {
        let recorded = serde_json::json!({ "user": user.to_string(), "language": language.code() });
        let change = Settings {
            language: Some(language),
            ..Settings::default()
        };
        self.save_settings(audit, actor, user, change, recorded)
            .await
    }

    /// The time zone `user` chose (committed with its record, `UserSettingsChanged`, or
    /// not at all).
    pub async fn set_time_zone(
        &self,
        audit: &crate::audit::Audit,
        actor: crate::audit::Actor,
        user: Uuid,
        zone: &crate::zone::TimeZone,
    ) -> Result<(), BackendError> {
        let recorded = serde_json::json!({ "user": user.to_string(), "time_zone": zone.name() });
        let change = Settings {
            time_zone: Some(zone),
            ..Settings::default()
        };
        self.save_settings(audit, actor, user, change, recorded)
            .await
    }

    /// The time zone `user` chose, if any (one the database still knows).
    pub async fn time_zone_of(
        &self,
        user: Uuid,
    ) -> Result<Option<crate::zone::TimeZone>, BackendError> {
        let name = sqlx::query_scalar!("SELECT time_zone FROM users WHERE id = $1", user)
            .fetch_optional(&self.pool)
            .await?
            .flatten();
        Ok(name.and_then(|n| crate::zone::TimeZone::parse(&n).ok()))
    }

    /// Saves the settings given (`None`: unchanged) with their `UserSettingsChanged` record,
    /// or nothing.
    async fn save_settings(
        &self,
        audit: &crate::audit::Audit,
        actor: crate::audit::Actor,
        user: Uuid,
        settings: Settings<'_>,
        recorded: serde_json::Value,
    ) -> Result<(), BackendError> {
        let mut change = audit.begin_change().await?;
        let done = sqlx::query!(
            "UPDATE users SET collect_changes = COALESCE($2, collect_changes),
                    language = COALESCE($3, language), time_zone = COALESCE($4, time_zone),
                    updated_at = now()
             WHERE id = $1",
            user,
            settings.collect_changes,
            settings.language.map(Language::code),
            settings.time_zone.map(crate::zone::TimeZone::name)
        )
        .execute(change.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(BackendError::NotFound("user"));
        }
        let mut e =
            crate::audit::Event::security(actor, "UserSettingsChanged", crate::audit::Outcome::Ok);
        e.params = recorded;
        change.commit(&e).await?;
        Ok(())
    }

    /// The language `user` chose, if any.
    pub async fn language_of(&self, user: Uuid) -> Result<Option<Language>, BackendError> {
        let code = sqlx::query_scalar!("SELECT language FROM users WHERE id = $1", user)
            .fetch_optional(&self.pool)
            .await?
            .flatten();
        Ok(code.and_then(|c| Language::parse(&c).ok()))
    }

    pub async fn find(&self, id: Uuid) -> Result<Option<User>, BackendError> {
        let row = sqlx::query!(
            "SELECT id, username, display_name, role, auth_source, disabled, session_epoch, must_change_password,
                    collect_changes
             FROM users WHERE id = $1",
            id
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            auth_source: r.auth_source,
            disabled: r.disabled,
            session_epoch: r.session_epoch,
            must_change_password: r.must_change_password,
            policy: None,
            collect_changes: r.collect_changes,
        }))
    }

    /// The user of a session in one read (#18): the user, their custom role's policy, and
    /// whether the session `session_id` still exists unexpired in the session store — a
    /// session ended by another process (signing out, an administrator) is gone there even
    /// while this process keeps its record in memory. `None` when either is gone.
    pub async fn find_for_session(
        &self,
        id: Uuid,
        session_id: &str,
    ) -> Result<Option<User>, BackendError> {
        type Row = (
            Uuid,
            String,
            String,
            String,
            String,
            bool,
            i32,
            bool,
            Option<serde_json::Value>,
            bool,
        );
        let row = sqlx::query_as(
            "SELECT u.id, u.username, u.display_name, u.role, u.auth_source, u.disabled,
                    u.session_epoch, u.must_change_password, r.policy, u.collect_changes
             FROM users u
             LEFT JOIN roles r ON r.name = u.role AND NOT r.builtin
             WHERE u.id = $1
               AND EXISTS (SELECT 1 FROM tower_sessions.session s
                           WHERE s.id = $2 AND s.expiry_date > now())",
        )
        .bind(id)
        .bind(session_id);
        let mut lane = self.lanes.take().await?;
        let row: Option<Row> = row.fetch_optional(&mut *lane).await?;
        lane.done();
        Ok(row.map(
            |(
                id,
                username,
                display_name,
                role,
                auth_source,
                disabled,
                session_epoch,
                must,
                policy,
                collect_changes,
            )| {
                let builtin = crate::access::builtin_policy(&role).is_some();
                User {
                    id,
                    username,
                    display_name,
                    // An unknown or unreadable custom role grants nothing.
                    policy: (!builtin).then(|| {
                        policy
                            .and_then(|v| serde_json::from_value(v).ok())
                            .unwrap_or_default()
                    }),
                    role,
                    auth_source,
                    disabled,
                    session_epoch,
                    must_change_password: must,
                    collect_changes,
                }
            },
        ))
    }

    /// Checks a local user's current password and the new one's rules, and hashes the new
    /// one; [`Identity::store_password`] then stores it. Checking the current password is
    /// an attempt like a sign-in: counted the same way, from `client_addr` and for the
    /// user's name, before it is hashed.
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        client_addr: &str,
    ) -> Result<PasswordChange, BackendError> {
        // A user deleted meanwhile is signed out, not a fault of the console (eleventh
        // attack run, F6: 500).
        let row = sqlx::query!("SELECT password_hash FROM users WHERE id = $1", user.id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(signed_out)?;
        let Some(hash) = row.password_hash else {
            return Err(BackendError::invalid(
                "current_password",
                "this account signs in through the SSO proxy and has no console password",
            ));
        };
        // The new password's rules first: they say nothing about the current one, and a
        // typo there should not cost an attempt.
        check_new_password(new).map_err(|e| match e {
            BackendError::Invalid { message, .. } => BackendError::invalid("new_password", message),
            other => other,
        })?;
        let pace = Some(("user", limit_key(&user.username)));
        let reservation = match self.reserve(client_addr, pace).await? {
            Ok(r) => r,
            Err(limited) => return Ok(PasswordChange::Limited(limited)),
        };
        let wrong = || BackendError::invalid("current_password", "is not your current password");
        if current.len() > MAX_PASSWORD_BYTES {
            return Err(wrong());
        }
        let current = Zeroizing::new(current.to_string());
        let new = Zeroizing::new(new.to_string());
        // One slot for both hashes: the check and the new hash run back to back.
        let checked = self
            .hashing
            .run(Lane::Vouched(&user.username), move || {
                if verify_password(&current, &hash) {
                    Some(hash_password(&new))
                } else {
                    None
                }
            })
            .await;
        let hash = match checked {
            Ok(Some(hash)) => hash,
            Ok(None) => {
                self.sweep_limits().await;
                return Err(wrong());
            }
            Err(GateError::Busy) => {
                self.give_back(&reservation).await?;
                return Ok(PasswordChange::Limited(Limited {
                    reason: LimitReason::Busy,
                    retry_after_secs: 1,
                }));
            }
            Err(GateError::Failed) => return Err(BackendError::Crypto),
        };
        self.give_back(&reservation).await?;
        Ok(PasswordChange::Checked(NewPasswordHash(hash?)))
    }

    /// Stores a checked new password on the caller's connection (the transaction of its
    /// audit record) and ends the user's other sessions; the user's new session epoch.
    pub async fn store_password(
        &self,
        conn: &mut sqlx::PgConnection,
        user: &User,
        hash: NewPasswordHash,
    ) -> Result<i32, BackendError> {
        let hash = hash.0;
        // Only while the session that checked the current password is still valid: a reset,
        // an end of sessions, a disable or another change in between wins (eleventh attack
        // run, F1: a stolen session's change undid an administrator's reset and survived it).
        let epoch = sqlx::query_scalar!(
            "UPDATE users SET password_hash = $2, must_change_password = false,
                    session_epoch = session_epoch + 1, updated_at = now()
             WHERE id = $1 AND session_epoch = $3 AND NOT disabled RETURNING session_epoch",
            user.id,
            hash,
            user.session_epoch
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(signed_out)?;
        Ok(epoch)
    }

    /// Notes a sign-in (shown on the users page).
    pub async fn signed_in(
        &self,
        conn: &mut sqlx::PgConnection,
        id: Uuid,
    ) -> Result<(), BackendError> {
        sqlx::query!("UPDATE users SET last_sign_in_at = now() WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// The session a password change was made in ended meanwhile (or its user is gone).
fn signed_out() -> BackendError {
    BackendError::Conflict(
        "Your sessions were ended (by an administrator, or a password change elsewhere) while this change was being made; nothing was changed. Sign in again."
            .into(),
    )
}

/// The per-address limit's key: an IPv6 client counts by its /64 (one subscriber's
/// network hands out any number of addresses in it); IPv4 and anything else as given.
fn address_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => limit_key(addr),
    }
}

/// A limit row's key: at most 256 bytes, cut at a character boundary.
/// What is stored of a device token: its SHA-256.
fn device_hash(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

fn limit_key(s: &str) -> String {
    let mut end = s.len().min(256);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// A valid argon2id hash of a random string, verified against when the user is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZRSsMbWEmtOomYQbsRKMkq1SU4S0hnTsJk9yM43v0j0";

#[cfg(test)]
mod tests {
    use super::*;

    /// A flood holding every common slot and filling the common line does not hold a
    /// vouched attempt (a known device's sign-in): it runs on its own slot at once, while
    /// one more common attempt is refused as busy. The flood is released only afterwards,
    /// so a vouched attempt stuck behind it would time out and fail the test.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_vouched_attempt_is_not_held_behind_a_flood() {
        let gate = Arc::new(HashGate::new(1));
        let release = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let mut flood = Vec::new();
        for _ in 0..(1 + HASHING_QUEUE_PER_SLOT) {
            let (gate, release) = (gate.clone(), release.clone());
            flood.push(tokio::spawn(async move {
                gate.run(Lane::Common(None), move || {
                    let (lock, cv) = &*release;
                    let mut open = lock.lock().unwrap();
                    while !*open {
                        open = cv.wait(open).unwrap();
                    }
                })
                .await
                .is_ok()
            }));
        }
        // Until the slot is taken and the line is full.
        for _ in 0..500 {
            if gate.waiting.load(Ordering::SeqCst) >= HASHING_QUEUE_PER_SLOT
                && gate.slots.available_permits() == 0
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(gate.slots.available_permits(), 0);
        assert!(matches!(
            gate.run(Lane::Common(None), || ()).await,
            Err(GateError::Busy)
        ));
        let vouched = tokio::time::timeout(
            Duration::from_secs(5),
            gate.run(Lane::Vouched("reg1"), || 42),
        )
        .await
        .expect("a vouched attempt waits for no flood");
        assert!(matches!(vouched, Ok(42)));
        {
            let (lock, cv) = &*release;
            *lock.lock().unwrap() = true;
            cv.notify_all();
        }
        for f in flood {
            assert!(f.await.unwrap(), "the flood itself is served in turn");
        }
    }

    /// A signed-in user looping correct sign-ins with their own device cookie (fourth
    /// attack run, F3) holds one place in the vouched line, not all of it: their further
    /// attempts wait for their turn outside it (a few; more are refused at once), and
    /// another user's vouched attempt waits only for that one attempt. On the fourth run's
    /// gate the insider's attempts filled the vouched line and the other user was refused
    /// as busy.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_users_vouched_attempts_do_not_hold_another_users() {
        type Release = Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>;
        fn held(release: Release) -> impl FnOnce() + Send + 'static {
            move || {
                let (lock, cv) = &*release;
                let mut open = lock.lock().unwrap();
                while !*open {
                    open = cv.wait(open).unwrap();
                }
            }
        }
        fn open(release: &Release) {
            let (lock, cv) = &**release;
            *lock.lock().unwrap() = true;
            cv.notify_all();
        }
        async fn until(what: impl Fn() -> bool) {
            for _ in 0..500 {
                if what() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("never reached");
        }
        /// Opens every release when the test ends, also when it fails: a held hash would
        /// otherwise keep the runtime from shutting down.
        struct OpenAtEnd(Vec<Release>);
        impl Drop for OpenAtEnd {
            fn drop(&mut self) {
                self.0.iter().for_each(open);
            }
        }
        let gate = Arc::new(HashGate::new(1));
        let (common, insider): (Release, Release) = (Default::default(), Default::default());
        let _open_at_end = OpenAtEnd(vec![common.clone(), insider.clone()]);
        // A flood holds the common slot and fills the common line.
        let mut flood = Vec::new();
        for _ in 0..(1 + HASHING_QUEUE_PER_SLOT) {
            let (gate, release) = (gate.clone(), common.clone());
            flood.push(tokio::spawn(async move {
                gate.run(Lane::Common(None), held(release)).await.is_ok()
            }));
        }
        until(|| {
            gate.waiting.load(Ordering::SeqCst) >= HASHING_QUEUE_PER_SLOT
                && gate.slots.available_permits() == 0
        })
        .await;
        // The insider's first attempt takes the vouched slot and keeps it.
        let first = {
            let (gate, release) = (gate.clone(), insider.clone());
            tokio::spawn(async move { gate.run(Lane::Vouched("view1"), held(release)).await })
        };
        until(|| gate.vouched.available_permits() == 0).await;
        // Their further attempts wait for their turn, not in the vouched line: a few
        // wait, the rest are refused at once.
        let mut more = Vec::new();
        for _ in 0..HASHING_QUEUE_PER_SLOT {
            let (gate, release) = (gate.clone(), insider.clone());
            more.push(tokio::spawn(async move {
                gate.run(Lane::Vouched("view1"), held(release)).await
            }));
        }
        until(|| {
            gate.turns.lock().unwrap()["vouched:view1"]
                .waiting
                .load(Ordering::SeqCst)
                == HASHING_QUEUE_PER_SLOT
        })
        .await;
        for _ in 0..2 {
            let r = tokio::time::timeout(
                Duration::from_secs(5),
                gate.run(Lane::Vouched("view1"), || ()),
            )
            .await
            .expect("refused at once, not held");
            assert!(matches!(r, Err(GateError::Busy)), "their turn line is full");
        }
        assert_eq!(gate.vouched_waiting.load(Ordering::SeqCst), 0);
        // Another user's vouched attempt waits in the vouched line for that one attempt
        // only: it runs as soon as the insider's hash finishes, while the flood still holds
        // the common slot.
        let other = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(Lane::Vouched("reg1"), || 42).await })
        };
        until(|| gate.vouched_waiting.load(Ordering::SeqCst) == 1).await;
        open(&insider);
        let other = tokio::time::timeout(Duration::from_secs(5), other)
            .await
            .expect("another user's vouched attempt is not held behind the insider's")
            .unwrap();
        assert!(matches!(other, Ok(42)));
        assert!(first.await.unwrap().is_ok());
        for m in more {
            assert!(
                m.await.unwrap().is_ok(),
                "the insider's waiting attempts run in turn"
            );
        }
        // With every attempt done, no turn is remembered.
        assert!(gate.turns.lock().unwrap().is_empty());
        open(&common);
        for f in flood {
            assert!(f.await.unwrap(), "the flood itself is served in turn");
        }
    }

    /// One user's attempts hash one at a time, in either line, while different users'
    /// attempts use the slots side by side (fifth attack run, F3: one user's 16 concurrent
    /// correct sign-ins took every slot). On the old gate one user's attempts ran four at
    /// once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_users_attempts_hash_one_at_a_time() {
        async fn most_at_once(gate: &Arc<HashGate>, lanes: Vec<Lane<'static>>) -> usize {
            let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let mut all = Vec::new();
            for lane in lanes {
                let (gate, now, most) = (gate.clone(), now.clone(), most.clone());
                all.push(tokio::spawn(async move {
                    gate.run(lane, move || {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(60));
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .is_ok()
                }));
            }
            for a in all {
                assert!(a.await.unwrap(), "every attempt is served in turn");
            }
            most.load(Ordering::SeqCst)
        }
        let gate = Arc::new(HashGate::new(4));
        let one_user = vec![Lane::Common(Some("view1")); HASHING_QUEUE_PER_SLOT];
        assert_eq!(most_at_once(&gate, one_user).await, 1);
        let known_device = vec![Lane::Vouched("view1"); HASHING_QUEUE_PER_SLOT];
        assert_eq!(most_at_once(&gate, known_device).await, 1);
        let users = vec![
            Lane::Common(Some("a")),
            Lane::Common(Some("b")),
            Lane::Common(Some("c")),
            Lane::Common(Some("d")),
        ];
        assert!(
            most_at_once(&gate, users).await > 1,
            "different users side by side"
        );
        assert!(gate.turns.lock().unwrap().is_empty());
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn addresses_are_limited_by_host_or_ipv6_network() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
        assert_eq!(limit_key(&"é".repeat(200)).len(), 256);
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(Username::parse("alice").is_ok());
        assert!(Username::parse("").is_err());
        assert!(Username::parse("a b").is_err());
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough password").is_ok());
        assert_eq!(generate_password().len(), 20);
    }
}
