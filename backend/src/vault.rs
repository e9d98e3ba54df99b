//! Cloud accounts and their AccessKey secrets, encrypted at rest with AES-256-GCM.
//!
//! Each ciphertext's associated data names its row and its key id, so a ciphertext
//! copied into another row, or relabelled with another key id, does not decrypt.

use std::collections::HashMap;
use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use polardb::client::{Credentials, Target};
use polardb::SignatureVersion;
use rand::RngCore;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::BackendError;

/// The master keys: one active (encrypts), any number of older ones (still decrypt).
pub struct MasterKeys {
    active: String,
    keys: HashMap<String, Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKeys")
            .field("active", &self.active)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl MasterKeys {
    /// Parses a base64 key of exactly 32 bytes; `setting` names where it came from.
    pub fn decode_key(
        setting: &'static str,
        b64: &str,
    ) -> Result<Zeroizing<[u8; 32]>, BackendError> {
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| BackendError::invalid(setting, "is not valid base64"))?,
        );
        if bytes.len() != 32 {
            return Err(BackendError::invalid(
                setting,
                format!("must decode to 32 bytes, not {}", bytes.len()),
            ));
        }
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&bytes);
        Ok(key)
    }

    pub fn new(active_id: &str, active: Zeroizing<[u8; 32]>) -> Self {
        let mut keys = HashMap::new();
        keys.insert(active_id.to_string(), active);
        MasterKeys {
            active: active_id.to_string(),
            keys,
        }
    }

    /// Adds an older key that still decrypts.
    pub fn with_old(mut self, id: &str, key: Zeroizing<[u8; 32]>) -> Self {
        self.keys.entry(id.to_string()).or_insert(key);
        self
    }

    pub fn active_id(&self) -> &str {
        &self.active
    }

    fn aad(row: Uuid, key_id: &str) -> Vec<u8> {
        format!("polar-console/cloud_accounts.secret/v1|{row}|{key_id}").into_bytes()
    }

    /// Encrypts under the active key with a fresh random nonce: (ciphertext, nonce, key id).
    pub fn encrypt(
        &self,
        row: Uuid,
        plaintext: &str,
    ) -> Result<(Vec<u8>, Vec<u8>, String), BackendError> {
        let key = self.keys.get(&self.active).ok_or(BackendError::Crypto)?;
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| BackendError::Crypto)?;
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = Self::aad(row, &self.active);
        let ct = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| BackendError::Crypto)?;
        Ok((ct, nonce.to_vec(), self.active.clone()))
    }

    /// Decrypts; any tampering, another row's ciphertext or an unknown key fails.
    pub fn decrypt(
        &self,
        row: Uuid,
        key_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<String>, BackendError> {
        let key = self.keys.get(key_id).ok_or(BackendError::Crypto)?;
        if nonce.len() != 12 {
            return Err(BackendError::Crypto);
        }
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| BackendError::Crypto)?;
        let aad = Self::aad(row, key_id);
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| BackendError::Crypto)?,
        );
        String::from_utf8(plain.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| BackendError::Crypto)
    }

    /// Encrypts other key material (the audit chain's key) under the active key; `label`
    /// names the row and what it binds, and goes into the associated data with the key id.
    pub fn seal(
        &self,
        label: &str,
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>, String), BackendError> {
        let key = self.keys.get(&self.active).ok_or(BackendError::Crypto)?;
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| BackendError::Crypto)?;
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = format!("polar-console/{label}|{}", self.active).into_bytes();
        let ct = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| BackendError::Crypto)?;
        Ok((ct, nonce.to_vec(), self.active.clone()))
    }

    /// Decrypts what [`MasterKeys::seal`] made with the same `label`.
    pub fn open(
        &self,
        label: &str,
        key_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, BackendError> {
        let key = self.keys.get(key_id).ok_or(BackendError::Crypto)?;
        if nonce.len() != 12 {
            return Err(BackendError::Crypto);
        }
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| BackendError::Crypto)?;
        let aad = format!("polar-console/{label}|{key_id}").into_bytes();
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| BackendError::Crypto)
    }
}

/// A cloud account with its bookkeeping, for the settings page (never the secret).
#[derive(Clone, Debug)]
pub struct CloudAccountRow {
    pub account: CloudAccount,
    pub created_at: time::OffsetDateTime,
    pub rotated_at: time::OffsetDateTime,
    pub last_used_at: Option<time::OffsetDateTime>,
    pub key_id: String,
}

/// A new cloud account as an administrator enters it, checked field by field.
pub struct NewCloudAccount {
    pub name: String,
    pub access_key_id: String,
    pub secret: Zeroizing<String>,
    pub regions: Vec<String>,
    pub signature: SignatureVersion,
    pub endpoint: Option<String>,
    /// Marked as a local emulator: its endpoint may be plain http.
    pub emulator: bool,
}

impl NewCloudAccount {
    pub fn parse(
        name: &str,
        access_key_id: &str,
        secret: &str,
        regions: &str,
        signature: &str,
        endpoint: &str,
        emulator: bool,
    ) -> Result<Self, BackendError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(BackendError::invalid("name", "must be 1 to 64 characters"));
        }
        if name.chars().any(|c| c.is_control() || c == ':' || c == '/') {
            return Err(BackendError::invalid(
                "name",
                "must not contain control characters, : or /",
            ));
        }
        let access_key_id = access_key_id.trim();
        if access_key_id.len() < 8
            || access_key_id.len() > 128
            || !access_key_id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(BackendError::invalid(
                "access_key_id",
                "must be 8 to 128 letters and digits (e.g. LTAI5t…)",
            ));
        }
        if secret.is_empty() || secret.len() > 256 || secret.chars().any(|c| c.is_control()) {
            return Err(BackendError::invalid(
                "access_key_secret",
                "must be 1 to 256 printable characters",
            ));
        }
        let regions: Vec<String> = regions
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        // The same rule as a call's region (a region an account lists is one it is called in).
        for r in &regions {
            if polardb::request::RegionId::parse(r).is_err() {
                return Err(BackendError::invalid(
                    "regions",
                    format!("{r:?} is not a region id like cn-hangzhou"),
                ));
            }
        }
        let signature = SignatureVersion::parse(signature)
            .ok_or_else(|| BackendError::invalid("signature_version", "must be v2 or v3"))?;
        let endpoint = validate_endpoint(endpoint, emulator)?;
        Ok(NewCloudAccount {
            name: name.to_string(),
            access_key_id: access_key_id.to_string(),
            secret: Zeroizing::new(secret.to_string()),
            regions,
            signature,
            endpoint,
            emulator,
        })
    }
}

/// An endpoint override's form (see [`crate::outbound`]): https, or http for an account
/// marked as a local emulator; a host; no user, query or fragment. Where it may point is
/// decided when the account is saved, under the operator's outbound rules.
pub fn validate_endpoint(endpoint: &str, emulator: bool) -> Result<Option<String>, BackendError> {
    let e = endpoint.trim();
    if e.is_empty() {
        return Ok(None);
    }
    let any_address = crate::outbound::OutboundPolicy {
        allow_private: true,
        own: None,
    };
    crate::outbound::check_endpoint(e, emulator, &any_address)?;
    Ok(Some(e.to_string()))
}

/// A cloud account as the console shows it: never the secret.
#[derive(Clone, Debug)]
pub struct CloudAccount {
    pub id: Uuid,
    pub name: String,
    pub access_key_id: String,
    pub regions: Vec<String>,
    pub signature: SignatureVersion,
    pub endpoint: Option<String>,
    /// Marked as a local emulator (see [`crate::outbound`]).
    pub emulator: bool,
    pub enabled: bool,
}

impl CloudAccount {
    /// The AccessKeyId as pages show it: `LTAI****abcd`.
    pub fn masked_key_id(&self) -> String {
        mask_key_id(&self.access_key_id)
    }
}

pub fn mask_key_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "****".to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Changes (`create`, `rotate_secret`, `set_enabled`, `delete`) run on the caller's
/// connection: the transaction of an [`crate::audit::Change`], so that each commits
/// together with its audit record.
#[derive(Clone)]
pub struct Vault {
    pool: PgPool,
    keys: Arc<MasterKeys>,
    outbound: crate::outbound::OutboundPolicy,
    cache: Arc<Cache>,
}

/// The channel on which the database announces a change to the cloud accounts (migration
/// 0012: a trigger on `cloud_accounts`, fired by any process, the command line or by hand).
pub const CHANGES: &str = "polar_cloud_accounts";

/// The enabled cloud accounts with their secrets decrypted, kept in memory while this
/// process hears of every change to them ([`Vault::listen`]); without that, every call
/// reads them from the database as before.
#[derive(Default)]
struct Cache {
    /// Bumped by every change heard of and by every lost connection: a snapshot read
    /// before a bump is not kept.
    generation: std::sync::atomic::AtomicU64,
    listening: std::sync::atomic::AtomicBool,
    snapshot: std::sync::RwLock<Option<Arc<Snapshot>>>,
    /// When this process last wrote each account's `last_used_at`.
    touched: std::sync::Mutex<std::collections::HashMap<Uuid, std::time::Instant>>,
}

/// The enabled accounts, and the secrets (zeroised when the snapshot is dropped) of those
/// whose secret decrypts.
struct Snapshot {
    accounts: Vec<CloudAccount>,
    secrets: std::collections::HashMap<Uuid, Zeroizing<String>>,
}

impl Cache {
    fn forget(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut s) = self.snapshot.write() {
            *s = None;
        }
    }
}

impl Vault {
    pub fn new(pool: PgPool, keys: Arc<MasterKeys>) -> Self {
        Vault {
            pool,
            keys,
            outbound: Default::default(),
            cache: Default::default(),
        }
    }

    /// Holds endpoint overrides to the operator's outbound rules (see [`crate::outbound`]).
    pub fn with_outbound(mut self, outbound: crate::outbound::OutboundPolicy) -> Self {
        self.outbound = outbound;
        self
    }

    /// Checks an endpoint override against the outbound rules, its host name resolved.
    pub async fn check_endpoint(
        &self,
        endpoint: Option<&str>,
        emulator: bool,
    ) -> Result<(), BackendError> {
        match endpoint {
            Some(e) => crate::outbound::check_endpoint_resolved(e, emulator, &self.outbound).await,
            None => Ok(()),
        }
    }

    /// Creates or updates the cloud account called `name` (the one the configuration
    /// registers at start-up), on the caller's connection: the transaction of its audit
    /// record.
    pub async fn upsert(
        &self,
        conn: &mut PgConnection,
        new: &NewCloudAccount,
    ) -> Result<Uuid, BackendError> {
        self.check_endpoint(new.endpoint.as_deref(), new.emulator)
            .await?;
        let existing =
            sqlx::query_scalar!("SELECT id FROM cloud_accounts WHERE name = $1", new.name)
                .fetch_optional(&mut *conn)
                .await?;
        let id = existing.unwrap_or_else(Uuid::new_v4);
        let (ct, nonce, key_id) = self.keys.encrypt(id, &new.secret)?;
        sqlx::query!(
            "INSERT INTO cloud_accounts
               (id, name, access_key_id, secret_ciphertext, secret_nonce, key_id, endpoint, signature_version, emulator)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET
               access_key_id = EXCLUDED.access_key_id,
               secret_ciphertext = EXCLUDED.secret_ciphertext,
               secret_nonce = EXCLUDED.secret_nonce,
               key_id = EXCLUDED.key_id,
               endpoint = EXCLUDED.endpoint,
               emulator = EXCLUDED.emulator,
               signature_version = EXCLUDED.signature_version,
               rotated_at = CASE WHEN cloud_accounts.access_key_id = EXCLUDED.access_key_id
                                 THEN cloud_accounts.rotated_at ELSE now() END",
            id,
            new.name,
            new.access_key_id,
            ct,
            nonce,
            key_id,
            new.endpoint,
            new.signature.as_str(),
            new.emulator
        )
        .execute(&mut *conn)
        .await?;
        Ok(id)
    }

    /// Creates a cloud account; a taken name is a field error.
    pub async fn create(
        &self,
        conn: &mut PgConnection,
        new: &NewCloudAccount,
    ) -> Result<Uuid, BackendError> {
        self.check_endpoint(new.endpoint.as_deref(), new.emulator)
            .await?;
        let id = Uuid::new_v4();
        let (ct, nonce, key_id) = self.keys.encrypt(id, &new.secret)?;
        let r = sqlx::query!(
            "INSERT INTO cloud_accounts
               (id, name, access_key_id, secret_ciphertext, secret_nonce, key_id, regions, endpoint, signature_version, emulator)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            id,
            new.name,
            new.access_key_id,
            ct,
            nonce,
            key_id,
            &new.regions,
            new.endpoint,
            new.signature.as_str(),
            new.emulator
        )
        .execute(&mut *conn)
        .await;
        match r {
            Ok(_) => Ok(id),
            Err(e) if BackendError::is_unique_violation(&e) => Err(BackendError::invalid(
                "name",
                "is already used by another cloud account",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Every cloud account, enabled or not, for the settings page.
    pub async fn list_all(&self) -> Result<Vec<CloudAccountRow>, BackendError> {
        let rows = sqlx::query!(
            "SELECT id, name, access_key_id, regions, signature_version, endpoint, emulator, enabled,
                    created_at, rotated_at, last_used_at, key_id
             FROM cloud_accounts ORDER BY name"
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CloudAccountRow {
                account: CloudAccount {
                    id: r.id,
                    name: r.name,
                    access_key_id: r.access_key_id,
                    regions: r.regions,
                    signature: SignatureVersion::parse(&r.signature_version).unwrap_or_default(),
                    endpoint: r.endpoint,
                    emulator: r.emulator,
                    enabled: r.enabled,
                },
                created_at: r.created_at,
                rotated_at: r.rotated_at,
                last_used_at: r.last_used_at,
                key_id: r.key_id,
            })
            .collect())
    }

    /// Replaces an account's secret (and, when given, its AccessKeyId).
    pub async fn rotate_secret(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        access_key_id: Option<&str>,
        secret: &str,
    ) -> Result<(), BackendError> {
        if secret.is_empty() || secret.len() > 256 || secret.chars().any(|c| c.is_control()) {
            return Err(BackendError::invalid(
                "access_key_secret",
                "must be 1 to 256 printable characters",
            ));
        }
        let (ct, nonce, key_id) = self.keys.encrypt(id, secret)?;
        let done = sqlx::query!(
            "UPDATE cloud_accounts SET secret_ciphertext = $2, secret_nonce = $3, key_id = $4,
                 access_key_id = COALESCE($5, access_key_id), rotated_at = now()
             WHERE id = $1",
            id,
            ct,
            nonce,
            key_id,
            access_key_id
        )
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(BackendError::NotFound("cloud account"));
        }
        Ok(())
    }

    pub async fn set_enabled(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        enabled: bool,
    ) -> Result<(), BackendError> {
        let done = sqlx::query!(
            "UPDATE cloud_accounts SET enabled = $2 WHERE id = $1",
            id,
            enabled
        )
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(BackendError::NotFound("cloud account"));
        }
        Ok(())
    }

    pub async fn delete(&self, conn: &mut PgConnection, id: Uuid) -> Result<String, BackendError> {
        sqlx::query_scalar!(
            "DELETE FROM cloud_accounts WHERE id = $1 RETURNING name",
            id
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(BackendError::NotFound("cloud account"))
    }

    /// Re-encrypts every secret not under the active key, on the caller's connection (the
    /// `rotate-keys` command runs it in an audit [`crate::audit::Change`], so it commits
    /// with its record or not at all); returns how many rows changed.
    pub async fn rotate_keys(&self, conn: &mut PgConnection) -> Result<usize, BackendError> {
        let rows = sqlx::query!(
            "SELECT id, key_id, secret_nonce, secret_ciphertext FROM cloud_accounts WHERE key_id <> $1
             FOR UPDATE",
            self.keys.active_id()
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut n = 0;
        for r in rows {
            let secret =
                self.keys
                    .decrypt(r.id, &r.key_id, &r.secret_nonce, &r.secret_ciphertext)?;
            let (ct, nonce, key_id) = self.keys.encrypt(r.id, &secret)?;
            sqlx::query!(
                "UPDATE cloud_accounts SET secret_ciphertext = $2, secret_nonce = $3, key_id = $4
                 WHERE id = $1 AND key_id = $5",
                r.id,
                ct,
                nonce,
                key_id,
                r.key_id
            )
            .execute(&mut *conn)
            .await?;
            n += 1;
        }
        Ok(n)
    }

    /// Every enabled cloud account.
    pub async fn list_enabled(&self) -> Result<Vec<CloudAccount>, BackendError> {
        Ok(self.snapshot().await?.accounts.clone())
    }

    /// The enabled accounts and their secrets: from memory while this process listens for
    /// changes, otherwise (and after every change) read and decrypted again.
    async fn snapshot(&self) -> Result<Arc<Snapshot>, BackendError> {
        use std::sync::atomic::Ordering::SeqCst;
        let listening = self.cache.listening.load(SeqCst);
        if listening {
            if let Some(s) = self.cache.snapshot.read().ok().and_then(|s| s.clone()) {
                return Ok(s);
            }
        }
        let generation = self.cache.generation.load(SeqCst);
        let rows = sqlx::query!(
            "SELECT id, name, access_key_id, regions, signature_version, endpoint, emulator, enabled,
                    secret_ciphertext, secret_nonce, key_id
             FROM cloud_accounts WHERE enabled ORDER BY name"
        )
        .fetch_all(&self.pool)
        .await?;
        let mut secrets = std::collections::HashMap::new();
        let mut accounts = Vec::with_capacity(rows.len());
        for r in rows {
            // A secret that does not decrypt fails only the calls of its account.
            match self
                .keys
                .decrypt(r.id, &r.key_id, &r.secret_nonce, &r.secret_ciphertext)
            {
                Ok(secret) => {
                    secrets.insert(r.id, secret);
                }
                Err(_) => {
                    tracing::error!(account = %r.name, "a cloud account's secret does not decrypt")
                }
            }
            accounts.push(CloudAccount {
                id: r.id,
                name: r.name,
                access_key_id: r.access_key_id,
                regions: r.regions,
                signature: SignatureVersion::parse(&r.signature_version).unwrap_or_default(),
                endpoint: r.endpoint,
                emulator: r.emulator,
                enabled: r.enabled,
            });
        }
        let snapshot = Arc::new(Snapshot { accounts, secrets });
        // Kept only if nothing changed while it was read, and only while listening.
        if self.cache.listening.load(SeqCst) && self.cache.generation.load(SeqCst) == generation {
            if let Ok(mut s) = self.cache.snapshot.write() {
                if self.cache.generation.load(SeqCst) == generation {
                    *s = Some(snapshot.clone());
                }
            }
        }
        Ok(snapshot)
    }

    /// Listens for changes to the cloud accounts ([`CHANGES`]) for as long as the process
    /// runs, forgetting what it keeps at each one; while it cannot listen, nothing is kept.
    /// A connection lost and made again may have missed changes: that is a change too.
    pub async fn listen(self) {
        use std::sync::atomic::Ordering::SeqCst;
        loop {
            match sqlx::postgres::PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => match listener.listen(CHANGES).await {
                    Ok(()) => {
                        self.cache.forget();
                        self.cache.listening.store(true, SeqCst);
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(_)) => self.cache.forget(),
                                // Reconnected: what was sent meanwhile is unknown.
                                Ok(None) => self.cache.forget(),
                                Err(e) => {
                                    tracing::warn!(error = %e, "stopped listening for cloud-account changes; reading them from the database meanwhile");
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot listen for cloud-account changes"),
                },
                Err(e) => tracing::warn!(error = %e, "cannot listen for cloud-account changes"),
            }
            self.cache.listening.store(false, SeqCst);
            self.cache.forget();
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    /// Forgets what this process keeps, after a change it made has committed (the others
    /// hear of it from the database).
    pub fn changed(&self) {
        self.cache.forget();
    }

    /// Whether this process keeps the accounts in memory now (it hears of every change).
    pub fn caching(&self) -> bool {
        self.cache
            .listening
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// An account's credentials for the duration of one call, with the account as it is
    /// now (enabled, its key id, endpoint and signature). `last_used_at` is written in the
    /// background, at most once a minute per account and process, so that calls do not
    /// wait for it.
    pub async fn credentials(
        &self,
        account: &CloudAccount,
    ) -> Result<(Credentials, Target), BackendError> {
        let snapshot = self.snapshot().await?;
        let current = snapshot
            .accounts
            .iter()
            .find(|a| a.id == account.id)
            .ok_or(BackendError::NotFound("cloud account"))?;
        // Checked again before every call: a row written before the rules, or by hand.
        self.check_endpoint(current.endpoint.as_deref(), current.emulator)
            .await?;
        let secret = snapshot
            .secrets
            .get(&current.id)
            .ok_or(BackendError::Crypto)?;
        self.touch(current.id);
        Ok((
            Credentials::new(current.access_key_id.clone(), secret.clone()),
            Target {
                endpoint: current.endpoint.clone(),
                signature: current.signature,
            },
        ))
    }

    /// Notes that an account was used: `last_used_at` written in the background when this
    /// process has not written it for a minute.
    fn touch(&self, id: Uuid) {
        let now = std::time::Instant::now();
        let due = match self.cache.touched.lock() {
            Ok(mut t) => match t.get(&id) {
                Some(at) if now.duration_since(*at) < std::time::Duration::from_secs(60) => false,
                _ => {
                    t.insert(id, now);
                    true
                }
            },
            Err(_) => false,
        };
        if due {
            let pool = self.pool.clone();
            tokio::spawn(async move {
                let r = sqlx::query!(
                    "UPDATE cloud_accounts SET last_used_at = now()
                     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')",
                    id
                )
                .execute(&pool)
                .await;
                if let Err(e) = r {
                    tracing::warn!(error = %e, "could not note when a cloud account was last used");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> MasterKeys {
        MasterKeys::new("k1", Zeroizing::new([7u8; 32]))
    }

    #[test]
    fn round_trip_and_tamper_detection() {
        let k = keys();
        let row = Uuid::new_v4();
        let (mut ct, nonce, kid) = k.encrypt(row, "the-secret").unwrap();
        assert_eq!(&*k.decrypt(row, &kid, &nonce, &ct).unwrap(), "the-secret");
        assert!(!ct.windows(10).any(|w| w == b"the-secret"));
        // Another row's id in the associated data: refused.
        assert!(k.decrypt(Uuid::new_v4(), &kid, &nonce, &ct).is_err());
        // A flipped byte: refused.
        ct[0] ^= 1;
        assert!(k.decrypt(row, &kid, &nonce, &ct).is_err());
    }

    #[test]
    fn old_keys_still_decrypt_and_nonces_are_fresh() {
        let old = keys();
        let row = Uuid::new_v4();
        let (ct, nonce, kid) = old.encrypt(row, "s").unwrap();
        let (_, nonce2, _) = old.encrypt(row, "s").unwrap();
        assert_ne!(nonce, nonce2);
        let rotated = MasterKeys::new("k2", Zeroizing::new([9u8; 32]))
            .with_old("k1", Zeroizing::new([7u8; 32]));
        assert_eq!(&*rotated.decrypt(row, &kid, &nonce, &ct).unwrap(), "s");
        assert_eq!(rotated.encrypt(row, "s").unwrap().2, "k2");
        // Relabelling the ciphertext with the other key id fails.
        assert!(rotated.decrypt(row, "k2", &nonce, &ct).is_err());
    }

    #[test]
    fn new_accounts_are_checked_field_by_field() {
        let ok = NewCloudAccount::parse(
            "prod",
            "LTAI5tAbCdEfGh",
            "s3cret",
            "cn-hangzhou, cn-shanghai",
            "v3",
            "",
            false,
        )
        .unwrap();
        assert_eq!(ok.regions, vec!["cn-hangzhou", "cn-shanghai"]);
        assert_eq!(ok.signature, SignatureVersion::V3);
        let field = |r: Result<NewCloudAccount, BackendError>| match r {
            Err(BackendError::Invalid { field, .. }) => field,
            _ => "none",
        };
        assert_eq!(
            field(NewCloudAccount::parse(
                "",
                "LTAI5tAbCdEfGh",
                "s",
                "",
                "v2",
                "",
                false
            )),
            "name"
        );
        assert_eq!(
            field(NewCloudAccount::parse(
                "p", "short", "s", "", "v2", "", false
            )),
            "access_key_id"
        );
        assert_eq!(
            field(NewCloudAccount::parse(
                "p",
                "LTAI5tAbCdEfGh",
                "",
                "",
                "v2",
                "",
                false
            )),
            "access_key_secret"
        );
        assert_eq!(
            field(NewCloudAccount::parse(
                "p",
                "LTAI5tAbCdEfGh",
                "s",
                "CN Hangzhou!",
                "v2",
                "",
                false
            )),
            "regions"
        );
        // The call's own region rule: six parts, a leading digit, a trailing hyphen.
        for bad in [
            "a-b-c-d-e-f",
            "1cn-hangzhou",
            "cn-hangzhou-",
            "cn--hangzhou",
        ] {
            assert_eq!(
                field(NewCloudAccount::parse(
                    "p",
                    "LTAI5tAbCdEfGh",
                    "s",
                    bad,
                    "v2",
                    "",
                    false
                )),
                "regions",
                "{bad}"
            );
        }
        assert_eq!(
            field(NewCloudAccount::parse(
                "p",
                "LTAI5tAbCdEfGh",
                "s",
                "",
                "v9",
                "",
                false
            )),
            "signature_version"
        );
        assert_eq!(
            field(NewCloudAccount::parse(
                "p",
                "LTAI5tAbCdEfGh",
                "s",
                "",
                "v2",
                "ftp://x",
                false
            )),
            "endpoint"
        );
        assert_eq!(
            field(NewCloudAccount::parse(
                "p",
                "LTAI5tAbCdEfGh",
                "s",
                "",
                "v2",
                "https://u@x/",
                false
            )),
            "endpoint"
        );
        assert!(validate_endpoint("http://127.0.0.1:9090/", true)
            .unwrap()
            .is_some());
    }

    #[test]
    fn key_decoding_names_the_setting() {
        let e = MasterKeys::decode_key("master_key", "c2hvcnQ=").unwrap_err();
        assert_eq!(e.to_string(), "master_key: must decode to 32 bytes, not 5");
        let e = MasterKeys::decode_key("master_key", "%%%").unwrap_err();
        assert_eq!(e.to_string(), "master_key: is not valid base64");
        assert_eq!(mask_key_id("LTAI5tAbCdEfGhabcd"), "LTAI****abcd");
        assert_eq!(mask_key_id("short"), "****");
    }
}
