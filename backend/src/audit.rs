//! The tamper-evident audit trail.
//!
//! One append-only table, one chain: each record stores the previous record's link and its
//! own, `HMAC-SHA256(chain key, prev_hash || canonical JSON of its own content)`. Writers
//! take a transaction-scoped advisory lock, so records from any number of processes form one
//! linear chain with gap-free sequence numbers. Nothing is ever updated: a write call
//! stores an `intent` record before it is sent and an outcome record (pointing at the
//! intent) after.
//!
//! **The chain key.** A random 32-byte key, generated once, by the first start on a new
//! database (no records yet), and stored in `audit_key` encrypted under the master key with
//! AES-256-GCM, like a cloud account's secret; the associated data binds the row, the
//! master key's id and `keyed_from`, the first record the key covers. `rotate-keys`
//! re-wraps it under the new master key, so the key itself (and every MAC made with it)
//! survives a rotation. Anyone who can write the table but lacks the master key cannot
//! produce a valid chain. A console never starts over records without a key (the key's
//! row deleted, the chain perhaps recomputed with plain SHA-256), nor over an emptied trail
//! on a database whose users, roles or cloud accounts were recorded, or whose key and head
//! show it had records. Records written by a version from before the chain was keyed
//! keep their unkeyed SHA-256 links once the operator adopts them explicitly
//! ([`Audit::adopt_unkeyed`], itself recorded); the first keyed record's MAC covers the last
//! unkeyed link, so they cannot be recomputed afterwards either. `verify` also checks that
//! every user, custom role and cloud account has its creation record in the chain.
//!
//! **The head and the checkpoints.** `audit_head` holds the last record's seq and link with
//! a MAC, written in the same transaction as every append: a chain whose last records were
//! deleted ends before its head. A background job (`jobs.rs`) verifies the chain from the
//! last checkpoint and records its head as a MACed checkpoint; `verify` checks every
//! checkpoint against the chain. (Someone holding the console's database role could put
//! back an older head row; the checkpoints, which that role can insert but never change or
//! delete, bound such a cut to the records after the last checkpoint.)
//!
//! **Group commit.** [`Audit::append`] hands its record to one writer per process, which
//! takes every record waiting at that moment (at most [`MAX_BATCH`]), takes the chain lock
//! once, inserts them in one statement with their chained MACs, commits once, and then
//! answers each caller with its record's sequence number: a caller goes on only after the
//! commit that holds its record. Should the batch fail, its records are written one at a
//! time, so that one record the database refuses fails only its own call.
//!
//! **Changes commit with their record.** [`Audit::begin_change`] starts a transaction for an
//! administrative change; [`Change::commit`] appends the record in it and commits both, or
//! neither.
//!
//! The console's database role may only SELECT and INSERT here (see `db.rs`); the owner
//! runs the migrations.

use std::sync::{Arc, OnceLock};

use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::vault::MasterKeys;
use crate::BackendError;

/// The advisory-lock key that serialises chain appends (arbitrary, fixed).
const CHAIN_LOCK: i64 = 0x504f_4c41_5241_5544; // "POLARAUD"

/// The most records one commit of the writer holds.
pub const MAX_BATCH: usize = 128;

/// A record waiting for the writer, and who waits for its sequence number.
struct Waiting {
    event: Event,
    done: tokio::sync::oneshot::Sender<Result<i64, BackendError>>,
}

/// Who acted, and from where.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
    /// `local`, `proxy`, or `anonymous` for refused requests.
    pub auth_method: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Read,
    Write,
    Security,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Intent,
    Ok,
    Error,
    Denied,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Write => "write",
            Kind::Security => "security",
        }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Intent => "intent",
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Denied => "denied",
            Outcome::Unknown => "unknown",
        }
    }
}

/// One record to append.
#[derive(Clone, Debug)]
pub struct Event {
    pub actor: Actor,
    pub cloud_account: Option<String>,
    pub region: Option<String>,
    pub action: String,
    pub kind: Kind,
    /// `{"cluster": …, "node": …, "account": …, "database": …, "backup": …}` as known.
    pub resource: Value,
    /// Request parameters, already redacted (see [`redact_params`]).
    pub params: Value,
    pub outcome: Outcome,
    pub http_status: Option<i32>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub upstream_request_id: Option<String>,
    pub client_token: Option<String>,
    pub attempts: Option<i32>,
    pub latency_ms: Option<i32>,
    pub intent_seq: Option<i64>,
}

impl Event {
    /// A security event (sign-in, refusal, account change) with no upstream call.
    pub fn security(actor: Actor, action: &str, outcome: Outcome) -> Event {
        Event {
            actor,
            cloud_account: None,
            region: None,
            action: action.to_string(),
            kind: Kind::Security,
            resource: json!({}),
            params: json!({}),
            outcome,
            http_status: None,
            error_code: None,
            error_message: None,
            upstream_request_id: None,
            client_token: None,
            attempts: None,
            latency_ms: None,
            intent_seq: None,
        }
    }
}

/// Is this parameter a secret? AccountPassword, AccessKeySecret, Signature, and anything
/// whose name says password or secret.
pub fn is_secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "signature"
        || n.contains("password")
        || n.contains("secret")
        || n.contains("securitytoken")
}

/// The most a record keeps of one parameter's value, and of all of them together; beyond
/// it a value is kept as its first characters and the SHA-256 of the whole (see
/// [`kept_value`]). One call cannot make a record of megabytes (eighth attack run, E2).
pub const MAX_KEPT_VALUE: usize = 4096;
pub const MAX_KEPT_PARAMS: usize = 64 * 1024;
/// How much of a value beyond the limits is kept as it is.
const KEPT_HEAD: usize = 256;

/// Parameters as an object with secrets replaced by `"<redacted>"`, and values beyond the
/// limits kept as [`kept_value`] does: first any value over [`MAX_KEPT_VALUE`] bytes, then,
/// while the whole is over [`MAX_KEPT_PARAMS`], the longest values.
pub fn redact_params(params: &[(String, String)]) -> Value {
    let mut kept: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| {
            let value = if is_secret_param(k) {
                "<redacted>".to_string()
            } else if v.len() > MAX_KEPT_VALUE {
                kept_value(v)
            } else {
                v.clone()
            };
            (k.clone(), value)
        })
        .collect();
    let mut total: usize = kept.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > MAX_KEPT_PARAMS {
        let mut longest: Vec<usize> = (0..kept.len()).collect();
        longest.sort_by_key(|&i| std::cmp::Reverse(kept[i].1.len()));
        for i in longest {
            if total <= MAX_KEPT_PARAMS || kept[i].1.len() <= KEPT_HEAD * 2 {
                break;
            }
            let before = kept[i].1.len();
            let original = &params[i].1;
            kept[i].1 = kept_value(original);
            total = total - before + kept[i].1.len();
        }
    }
    let mut map = Map::new();
    for (k, v) in kept {
        map.insert(k, Value::String(v));
    }
    Value::Object(map)
}

/// A long value as a record keeps it: its first characters, then how long it was and the
/// SHA-256 of all of it, which proves what was sent to whoever holds the value.
pub fn kept_value(v: &str) -> String {
    let head: String = v.chars().take(KEPT_HEAD).collect();
    let digest = Sha256::digest(v.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{head}… [{} bytes in all, sha256 {hex}]", v.len())
}

/// User agents are stored as text a terminal or a CSV cannot be tricked by: control
/// characters escaped, at most 512 characters.
pub fn safe_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars().take(max) {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Timestamps in the canonical content: RFC 3339, UTC, microseconds (what PostgreSQL keeps).
fn canonical_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// A stored record, as read back for verification, pages and export.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub seq: i64,
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub auth_method: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub cloud_account: Option<String>,
    pub region: Option<String>,
    pub action: String,
    pub kind: String,
    pub resource: Value,
    pub params: Value,
    pub outcome: String,
    pub http_status: Option<i32>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub upstream_request_id: Option<String>,
    pub client_token: Option<String>,
    pub attempts: Option<i32>,
    pub latency_ms: Option<i32>,
    pub intent_seq: Option<i64>,
    #[serde(skip)]
    pub prev_hash: Vec<u8>,
    #[serde(skip)]
    pub hash: Vec<u8>,
}

impl Record {
    /// The canonical content the hash covers: every column but the two hashes, as a JSON
    /// object with sorted keys.
    pub fn canonical(&self) -> String {
        let v = json!({
            "seq": self.seq,
            "id": self.id.to_string(),
            "at": canonical_time(self.at),
            "actor_id": self.actor_id.map(|u| u.to_string()),
            "actor_name": self.actor_name,
            "auth_method": self.auth_method,
            "client_addr": self.client_addr,
            "user_agent": self.user_agent,
            "request_id": self.request_id,
            "cloud_account": self.cloud_account,
            "region": self.region,
            "action": self.action,
            "kind": self.kind,
            "resource": self.resource,
            "params": self.params,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "upstream_request_id": self.upstream_request_id,
            "client_token": self.client_token,
            "attempts": self.attempts,
            "latency_ms": self.latency_ms,
            "intent_seq": self.intent_seq,
        });
        // serde_json's map keeps keys sorted (no preserve_order feature): canonical.
        v.to_string()
    }

    /// The unkeyed link of records from before the chain was keyed (`keyed_from`).
    pub fn compute_hash(&self) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(&self.prev_hash);
        h.update(self.canonical().as_bytes());
        h.finalize().to_vec()
    }

    /// The keyed link: HMAC-SHA256 under the chain key of the previous link and the
    /// canonical content. Without the key, an edited chain cannot be recomputed.
    pub fn compute_mac(&self, key: &[u8; 32]) -> Vec<u8> {
        mac_with(
            key,
            &[
                b"polar-console/audit/record/v2|",
                &self.prev_hash,
                self.canonical().as_bytes(),
            ],
        )
    }
}

/// What the audit page filters by; every field optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this user's records (Viewers see their own).
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: Option<String>,
    pub cloud_account: Option<String>,
    pub cluster: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Only records of this kind (`read`, `write`, `security`).
    pub kind: Option<String>,
    /// Leave reads out (the trail's page does by default; the export never does).
    pub hide_reads: bool,
    /// Only records of this change (its requests, its reads, its transitions).
    pub change: Option<Uuid>,
}

/// The CSV export's columns.
pub const CSV_HEADER: &str = "seq,id,at,actor_id,actor_name,auth_method,client_addr,user_agent,request_id,cloud_account,region,action,kind,resource,params,outcome,http_status,error_code,error_message,upstream_request_id,client_token,attempts,latency_ms,intent_seq,hash";

/// One CSV field: quoted, quotes doubled, and a field that starts like a formula (`= + - @`,
/// or a TAB, CR or LF before one, and their full-width forms) prefixed with `'` so that a
/// spreadsheet shows it as text instead of running it.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with([
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ]) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl Record {
    pub fn csv_row(&self) -> String {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        let num = |o: Option<i32>| o.map(|n| n.to_string()).unwrap_or_default();
        [
            self.seq.to_string(),
            self.id.to_string(),
            canonical_time(self.at),
            self.actor_id.map(|u| u.to_string()).unwrap_or_default(),
            self.actor_name.clone(),
            self.auth_method.clone(),
            opt(&self.client_addr),
            opt(&self.user_agent),
            opt(&self.request_id),
            opt(&self.cloud_account),
            opt(&self.region),
            self.action.clone(),
            self.kind.clone(),
            self.resource.to_string(),
            self.params.to_string(),
            self.outcome.clone(),
            num(self.http_status),
            opt(&self.error_code),
            opt(&self.error_message),
            opt(&self.upstream_request_id),
            opt(&self.client_token),
            num(self.attempts),
            num(self.latency_ms),
            self.intent_seq.map(|n| n.to_string()).unwrap_or_default(),
            hex::encode(&self.hash),
        ]
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
    }
}

/// The result of `audit verify`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact { records: i64 },
    Broken { seq: i64, problem: String },
}

/// What one run of the checkpoint job found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checkpointed {
    /// The chain verified up to its head, and the head was recorded.
    New {
        seq: i64,
    },
    /// The chain verified; nothing was appended since the last checkpoint.
    NothingNew,
    Broken {
        seq: i64,
        problem: String,
    },
}

/// The chain's key, decrypted, and the first record it covers.
struct ChainKey {
    key: Zeroizing<[u8; 32]>,
    keyed_from: i64,
}

impl ChainKey {
    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        mac_with(&self.key, parts)
    }

    fn head_mac(&self, seq: i64, hash: &[u8]) -> Vec<u8> {
        self.mac(&[b"polar-console/audit/head/v1|", &seq.to_be_bytes(), hash])
    }

    fn checkpoint_mac(&self, seq: i64, hash: &[u8]) -> Vec<u8> {
        self.mac(&[
            b"polar-console/audit/checkpoint/v1|",
            &seq.to_be_bytes(),
            hash,
        ])
    }
}

fn mac_with(key: &[u8; 32], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes a key of any length; 32 bytes cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

/// Whether a checkpoint was written by the console: one at or after the first keyed record
/// must carry the right MAC (a missing one is a forgery); earlier ones, written before the
/// chain had a key, have none.
fn checkpoint_is_ours(key: Option<&ChainKey>, seq: i64, hash: &[u8], mac: Option<&[u8]>) -> bool {
    match key {
        Some(k) if seq >= k.keyed_from => {
            mac.is_some_and(|m| same_mac(&k.checkpoint_mac(seq, hash), m))
        }
        Some(k) => mac.is_none_or(|m| same_mac(&k.checkpoint_mac(seq, hash), m)),
        None => true,
    }
}

/// Constant-time comparison of two MACs.
fn same_mac(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The label the audit key's ciphertext is bound to: its row and the first keyed record.
fn key_label(keyed_from: i64) -> String {
    format!("audit_key/v1|1|keyed_from={keyed_from}")
}

/// The stored chain key: (keyed_from, ciphertext, nonce, master key id).
type KeyRow = (i64, Vec<u8>, Vec<u8>, String);

/// What `verify` and the key's creation say of an emptied trail.
const EMPTIED: &str = "the trail is empty, but the console has users, roles or cloud accounts, whose creation was recorded: every record was removed (restore the database from a backup; the console will not start a new trail over it)";

/// What `verify` and start-up say of an empty trail whose key and head show it had records.
const EMPTIED_UNDER_KEY: &str = "the trail is empty, but its key and head show that records were written: every record was removed (restore the database from a backup; the console will not start a new trail over it)";

/// What `verify` and start-up say of records without a chain key.
/// The last record's seq and link, and the head's seq, link and MAC (none without a head).
type LastAndHead = (i64, Vec<u8>, Option<i64>, Option<Vec<u8>>, Option<Vec<u8>>);

const HEAD_MISMATCH: &str = "the audit head is not the last record (records were removed or added behind the console's back); nothing more is appended until the trail is restored and `audit verify` passes";
const KEY_MISSING: &str = "the audit chain has records but no key (audit_key): the key's row was deleted, and the chain may have been rewritten without it. Restore audit_key, audit_head and audit_checkpoints from a backup of this database; the console does not start a new key over these records. (Only an installation whose records were all written by a version before the chain was keyed, and that no later version has started, is adopted, by the operator: `polar-console audit adopt-unkeyed`.)";

/// The action of the record that adopts an unkeyed chain (see [`Audit::adopt_unkeyed`]).
pub const ADOPTED: &str = "AuditChainAdopted";

/// Whether the console holds anything whose creation is recorded (a user, a custom role, a
/// cloud account): then its trail cannot be empty.
async fn has_recorded_state(conn: &mut PgConnection) -> Result<bool, BackendError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM roles WHERE NOT builtin)
             OR EXISTS (SELECT 1 FROM cloud_accounts)",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// `events` as records chained from `prev_hash`, numbered from `seq`, MACed with `key`.
fn chain_records(key: &ChainKey, events: &[&Event], seq: i64, prev_hash: Vec<u8>) -> Vec<Record> {
    let now = OffsetDateTime::now_utc();
    let at = now
        .replace_nanosecond(now.microsecond() * 1000)
        .unwrap_or(now);
    let (mut seq, mut prev_hash) = (seq, prev_hash);
    let mut records: Vec<Record> = Vec::with_capacity(events.len());
    for e in events {
        let mut record = Record {
            seq,
            id: Uuid::new_v4(),
            at,
            actor_id: e.actor.user_id,
            actor_name: safe_text(&e.actor.name, 200),
            auth_method: e.actor.auth_method.clone(),
            client_addr: e.actor.client_addr.clone(),
            user_agent: e.actor.user_agent.as_deref().map(|u| safe_text(u, 512)),
            request_id: e.actor.request_id.clone(),
            cloud_account: e.cloud_account.clone(),
            region: e.region.clone(),
            action: e.action.clone(),
            kind: e.kind.as_str().to_string(),
            resource: e.resource.clone(),
            params: e.params.clone(),
            outcome: e.outcome.as_str().to_string(),
            http_status: e.http_status,
            error_code: e.error_code.clone(),
            error_message: e.error_message.as_deref().map(|m| safe_text(m, 1000)),
            upstream_request_id: e.upstream_request_id.clone(),
            client_token: e.client_token.clone(),
            attempts: e.attempts,
            latency_ms: e.latency_ms,
            intent_seq: e.intent_seq,
            prev_hash,
            hash: Vec::new(),
        };
        record.hash = record.compute_mac(&key.key);
        prev_hash = record.hash.clone();
        seq += 1;
        records.push(record);
    }
    records
}

/// Inserts `records` (chained from `head`) and moves the head to the last of them, in one
/// statement that takes the chain lock (until its transaction ends: at once, outside one)
/// and writes only if, under that lock, the head is still `head`, the record it names is
/// there with that link, and no record comes after it. Returns the new head, or `None` when
/// the chain has moved (then nothing was written). Outside a transaction this is an append
/// in one round trip, committed on its own.
async fn insert_chained(
    conn: &mut PgConnection,
    key: &ChainKey,
    head: &Head,
    records: &[Record],
) -> Result<Option<Head>, BackendError> {
    let Some(last) = records.last() else {
        return Ok(Some(head.clone()));
    };
    let new = Head {
        seq: last.seq,
        hash: last.hash.clone(),
        mac: key.head_mac(last.seq, &last.hash),
    };
    // A column of values each. (Under READ COMMITTED a head moved by a transaction that
    // committed while this one waited for the lock is seen when the row is updated: the
    // update re-reads it and its conditions then fail. The last record is found with the
    // primary key's index, also in a generic plan: `max`, not `NOT EXISTS (seq > $n)`,
    // which a generic plan scans the whole table for.)
    let col = |f: fn(&Record) -> Option<String>| records.iter().map(f).collect::<Vec<_>>();
    let inserted = sqlx::query!(
        "WITH chain_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock($27)),
         moved AS (
             UPDATE audit_head SET seq = $28, hash = $29, mac = $30
             FROM chain_lock
             WHERE audit_head.id = 1 AND audit_head.seq = $31 AND audit_head.hash = $32
               AND audit_head.mac = $33
               AND COALESCE((SELECT max(e.seq) FROM audit_events e), 0) = $31
               AND ($31 = 0 OR EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = $31 AND e.hash = $32))
             RETURNING 1
         )
         INSERT INTO audit_events (seq, id, at, actor_id, actor_name, auth_method, client_addr,
            user_agent, request_id, cloud_account, region, action, kind, resource, params, outcome,
            http_status, error_code, error_message, upstream_request_id, client_token, attempts,
            latency_ms, intent_seq, prev_hash, hash)
         SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::timestamptz[], $4::uuid[], $5::text[],
            $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
            $13::text[], $14::jsonb[], $15::jsonb[], $16::text[], $17::int[], $18::text[],
            $19::text[], $20::text[], $21::text[], $22::int[], $23::int[], $24::bigint[],
            $25::bytea[], $26::bytea[])
         WHERE EXISTS (SELECT 1 FROM moved)",
        &records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        &records.iter().map(|r| r.id).collect::<Vec<_>>(),
        &records.iter().map(|r| r.at).collect::<Vec<_>>(),
        &records.iter().map(|r| r.actor_id).collect::<Vec<_>>() as &[Option<Uuid>],
        &records.iter().map(|r| r.actor_name.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.auth_method.clone()).collect::<Vec<_>>(),
        &col(|r| r.client_addr.clone()) as &[Option<String>],
        &col(|r| r.user_agent.clone()) as &[Option<String>],
        &col(|r| r.request_id.clone()) as &[Option<String>],
        &col(|r| r.cloud_account.clone()) as &[Option<String>],
        &col(|r| r.region.clone()) as &[Option<String>],
        &records.iter().map(|r| r.action.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.kind.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.resource.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.params.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.outcome.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.http_status).collect::<Vec<_>>() as &[Option<i32>],
        &col(|r| r.error_code.clone()) as &[Option<String>],
        &col(|r| r.error_message.clone()) as &[Option<String>],
        &col(|r| r.upstream_request_id.clone()) as &[Option<String>],
        &col(|r| r.client_token.clone()) as &[Option<String>],
        &records.iter().map(|r| r.attempts).collect::<Vec<_>>() as &[Option<i32>],
        &records.iter().map(|r| r.latency_ms).collect::<Vec<_>>() as &[Option<i32>],
        &records.iter().map(|r| r.intent_seq).collect::<Vec<_>>() as &[Option<i64>],
        &records.iter().map(|r| r.prev_hash.clone()).collect::<Vec<_>>(),
        &records.iter().map(|r| r.hash.clone()).collect::<Vec<_>>(),
        CHAIN_LOCK,
        new.seq,
        &new.hash,
        &new.mac,
        head.seq,
        &head.hash,
        &head.mac,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == records.len() as u64 {
        Ok(Some(new))
    } else if inserted == 0 {
        Ok(None)
    } else {
        Err(BackendError::Conflict(format!(
            "{inserted} of {} audit records were written",
            records.len()
        )))
    }
}

/// Why a trail with a key but no records is not one the console has just begun, if it is
/// not: the key must cover every record, its head must be the MACed start (record 0, the
/// zero link), and (`with_state`) nothing whose creation is recorded may exist. The
/// head's MAC needs the key, so someone who removed the records cannot put that head back.
async fn emptied(
    conn: &mut PgConnection,
    key: &ChainKey,
    with_state: bool,
) -> Result<Option<&'static str>, BackendError> {
    if with_state && has_recorded_state(&mut *conn).await? {
        return Ok(Some(EMPTIED));
    }
    let head: Option<(i64, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let at_start = key.keyed_from == 1
        && head.is_some_and(|(seq, hash, mac)| {
            seq == 0 && hash == [0u8; 32] && same_mac(&key.head_mac(0, &hash), &mac)
        });
    Ok((!at_start).then_some(EMPTIED_UNDER_KEY))
}

/// Creates, stores and returns the chain key, covering the records after `last_seq`
/// (whose link is `last_hash`), with its head there; in the caller's transaction, which
/// holds the chain lock.
async fn new_key(
    conn: &mut PgConnection,
    keys: &MasterKeys,
    last_seq: i64,
    last_hash: &[u8],
) -> Result<ChainKey, BackendError> {
    let mut raw = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(raw.as_mut());
    let key = ChainKey {
        key: raw,
        keyed_from: last_seq + 1,
    };
    let (ct, nonce, key_id) = keys.seal(&key_label(key.keyed_from), key.key.as_ref())?;
    sqlx::query(
        "INSERT INTO audit_key (id, keyed_from, ciphertext, nonce, key_id) VALUES (1, $1, $2, $3, $4)",
    )
    .bind(key.keyed_from)
    .bind(ct)
    .bind(nonce)
    .bind(key_id)
    .execute(&mut *conn)
    .await?;
    let mac = key.head_mac(last_seq, last_hash);
    sqlx::query(
        "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, mac = EXCLUDED.mac",
    )
    .bind(last_seq)
    .bind(last_hash)
    .bind(mac)
    .execute(&mut *conn)
    .await?;
    Ok(key)
}

/// The chain key's row, if the chain has one (a chain from before keying has none).
async fn stored_key<'e, E: sqlx::PgExecutor<'e>>(ex: E) -> Result<Option<KeyRow>, BackendError> {
    Ok(
        sqlx::query_as("SELECT keyed_from, ciphertext, nonce, key_id FROM audit_key WHERE id = 1")
            .fetch_optional(ex)
            .await?,
    )
}

/// A checkpoint row: (seq, hash, mac).
type CheckpointRow = (i64, Vec<u8>, Option<Vec<u8>>);

/// An administrative change and its audit record, committed together or not at all. The
/// only way to commit is [`Change::commit`], which appends the record in the same
/// transaction; dropping a `Change` rolls the change back.
pub struct Change {
    tx: Transaction<'static, Postgres>,
    audit: Audit,
}

impl Change {
    /// The transaction's connection, for the change's own statements.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Appends `e` and commits the change with it. If the record cannot be written, nothing
    /// is committed and the answer is [`BackendError::AuditUnavailable`].
    pub async fn commit(mut self, e: &Event) -> Result<i64, BackendError> {
        let seq = match self.audit.append_in(&mut self.tx, e).await {
            Ok(seq) => seq,
            Err(err) => {
                tracing::error!(action = %e.action, error = %err, "audit record of a change cannot be written; the change is rolled back");
                return Err(BackendError::AuditUnavailable);
            }
        };
        // A deferred check (an audit trigger, a constraint) fails here, at COMMIT: nothing
        // was committed, and the answer says so like any other failed record.
        if let Err(err) = self.tx.commit().await {
            tracing::error!(action = %e.action, error = %err, "a change and its audit record could not be committed; nothing was changed");
            return Err(BackendError::AuditUnavailable);
        }
        self.audit.committed(seq);
        Ok(seq)
    }
}

#[derive(Clone)]
pub struct Audit {
    pool: PgPool,
    metrics: crate::metrics::Metrics,
    /// The master keys that decrypt the chain key; `None` for a reader (pages, export).
    keys: Option<Arc<MasterKeys>>,
    /// The chain key once loaded (it never changes; rotation only re-wraps it).
    key: Arc<OnceLock<Arc<ChainKey>>>,
    /// The highest record this process has committed: the trail never ends before it while
    /// the process runs (see [`Audit::append_keyed`]).
    written: Arc<std::sync::atomic::AtomicI64>,
    /// The queue of the writer that commits records in groups (started by the first
    /// append).
    writer: Arc<OnceLock<tokio::sync::mpsc::UnboundedSender<Waiting>>>,
    /// The head this process's writer last committed (its seq, link and MAC): the next
    /// group is written against it in one statement ([`Audit::append_at_head`]).
    head: Arc<std::sync::Mutex<Option<Head>>>,
}

/// The audit writer's own connection, and when it was last used.
struct Kept {
    conn: PgConnection,
    used: std::time::Instant,
}

/// A head of the chain: the last record's seq and link, and the head's MAC.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Head {
    seq: i64,
    hash: Vec<u8>,
    mac: Vec<u8>,
}

impl Audit {
    /// A reader of the trail: search, pages and export. It cannot append or verify keyed
    /// records (no master keys).
    pub fn new(pool: PgPool) -> Self {
        Audit {
            pool,
            metrics: crate::metrics::Metrics::new(),
            keys: None,
            key: Arc::new(OnceLock::new()),
            written: Default::default(),
            writer: Default::default(),
            head: Default::default(),
        }
    }

    /// The audit trail of a console: appends and verifies with the chain key, which the
    /// master keys decrypt; counts its writes in `metrics`.
    pub fn with_keys(
        pool: PgPool,
        keys: Arc<MasterKeys>,
        metrics: crate::metrics::Metrics,
    ) -> Self {
        Audit {
            pool,
            metrics,
            keys: Some(keys),
            key: Arc::new(OnceLock::new()),
            written: Default::default(),
            writer: Default::default(),
            head: Default::default(),
        }
    }

    /// Loads the chain key, creating it on a new database (once across processes, under
    /// the chain lock). Start-up calls it, so that a wrong master key stops the console at
    /// once, and so does a trail it must not write to: records without a key (the key's row
    /// deleted, the chain perhaps rewritten unkeyed), or no records where records were
    /// written (see [`emptied`]). It never adopts an unkeyed chain: the operator does that,
    /// explicitly ([`Audit::adopt_unkeyed`]).
    pub async fn init(&self) -> Result<(), BackendError> {
        self.chain_key().await.map(|_| ())
    }

    async fn chain_key(&self) -> Result<Arc<ChainKey>, BackendError> {
        if let Some(k) = self.key.get() {
            return Ok(k.clone());
        }
        let keys = self.keys.as_ref().ok_or(BackendError::Crypto)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .execute(&mut *tx)
            .await?;
        let row = stored_key(&mut *tx).await?;
        let has_records: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_events)")
            .fetch_one(&mut *tx)
            .await?;
        let key = match row {
            Some((keyed_from, ct, nonce, key_id)) => {
                let key = open_key(keys, keyed_from, &key_id, &nonce, &ct)?;
                if !has_records {
                    if let Some(problem) = emptied(&mut tx, &key, true).await? {
                        tx.rollback().await?;
                        return Err(BackendError::Conflict(problem.into()));
                    }
                }
                tx.rollback().await?;
                key
            }
            None => {
                // Every console since the chain was keyed creates the key before its first
                // record, and nothing deletes it: records without a key are a deleted key
                // row (and perhaps a chain recomputed with the old, unkeyed links, which
                // anyone can compute). Adopting them here would vouch for that chain.
                if has_records {
                    tx.rollback().await?;
                    return Err(BackendError::Conflict(KEY_MISSING.into()));
                }
                if has_recorded_state(&mut tx).await? {
                    // Keys are made once, on a new database, before anything is recorded.
                    // No key and no records beside users, roles or cloud accounts (whose
                    // creation was recorded) is a trail someone emptied: starting a new one
                    // over it would make `verify` call the remains intact.
                    tx.rollback().await?;
                    return Err(BackendError::Conflict(EMPTIED.into()));
                }
                let key = new_key(&mut tx, keys, 0, &[0u8; 32]).await?;
                tx.commit().await?;
                tracing::info!(keyed_from = key.keyed_from, "created the audit chain key");
                key
            }
        };
        let key = Arc::new(key);
        let _ = self.key.set(key.clone());
        Ok(key)
    }

    /// Adopts a chain written entirely by a version from before the chain was keyed: the
    /// operator's explicit step (`polar-console audit adopt-unkeyed --records N`), never
    /// start-up's. `records` is the number of records the operator expects (the chain's
    /// last seq). Every record's unkeyed link is checked, then, in one transaction, the key
    /// is created to cover the records after them and an [`ADOPTED`] record is appended as
    /// the first keyed record: it names the records adopted, the last unkeyed link, who
    /// adopted them, and the users, custom roles and cloud accounts that exist now (their
    /// creation may predate the records). Returns that record's seq.
    pub async fn adopt_unkeyed(&self, records: i64, actor: Actor) -> Result<i64, BackendError> {
        let keys = self.keys.as_ref().ok_or(BackendError::Crypto)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .execute(&mut *tx)
            .await?;
        if stored_key(&mut *tx).await?.is_some() {
            return Err(BackendError::Conflict(
                "the audit chain has a key already: there is nothing to adopt".into(),
            ));
        }
        // A head, or a MACed checkpoint, was written by a keyed version: its key was
        // deleted, and these records may have been rewritten since.
        let keyed_traces: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM audit_head)
                 OR EXISTS (SELECT 1 FROM audit_checkpoints WHERE mac IS NOT NULL)",
        )
        .fetch_one(&mut *tx)
        .await?;
        if keyed_traces {
            return Err(BackendError::Conflict(
                "a keyed version has written to this trail (its head or MACed checkpoints remain), so its key was deleted: restore audit_key from a backup; nothing was adopted".into(),
            ));
        }
        let last: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM audit_events")
            .fetch_one(&mut *tx)
            .await?;
        if last == 0 {
            return Err(BackendError::Conflict(
                "the audit trail has no records to adopt (a console starts a new trail itself)"
                    .into(),
            ));
        }
        if last != records {
            return Err(BackendError::Conflict(format!(
                "the audit chain ends at record {last}, not {records}: nothing was adopted"
            )));
        }
        let (last, last_hash) = match self.walk(&mut tx, None, Unkeyed::Adopt).await? {
            Walked::Intact { last, last_hash } => (last, last_hash),
            Walked::Broken { seq, problem } => {
                return Err(BackendError::Conflict(format!(
                    "the unkeyed chain is broken at record {seq}: {problem}; nothing was adopted"
                )))
            }
        };
        let (users, roles, accounts): (Vec<String>, Vec<String>, Vec<String>) = sqlx::query_as(
            "SELECT ARRAY(SELECT id::text FROM users ORDER BY username),
                    ARRAY(SELECT name FROM roles WHERE NOT builtin ORDER BY name),
                    ARRAY(SELECT id::text FROM cloud_accounts ORDER BY name)",
        )
        .fetch_one(&mut *tx)
        .await?;
        let key = new_key(&mut tx, keys, last, &last_hash).await?;
        let mut e = Event::security(actor, ADOPTED, Outcome::Ok);
        e.params = json!({
            "records": last,
            "last_hash": hex::encode(&last_hash),
            "users": users,
            "roles": roles,
            "cloud_accounts": accounts,
        });
        let seq = self.append_keyed(&mut tx, &key, &e).await?;
        tx.commit().await?;
        self.committed(seq);
        tracing::warn!(
            records = last,
            keyed_from = key.keyed_from,
            "adopted an unkeyed audit chain"
        );
        Ok(seq)
    }

    /// Re-encrypts the chain key under the active master key (the `rotate-keys` command);
    /// true when it was under another key.
    pub async fn rewrap_key(&self, conn: &mut PgConnection) -> Result<bool, BackendError> {
        let keys = self.keys.as_ref().ok_or(BackendError::Crypto)?;
        let row = stored_key(&mut *conn).await?;
        let Some((keyed_from, ct, nonce, key_id)) = row else {
            return Ok(false);
        };
        if key_id == keys.active_id() {
            return Ok(false);
        }
        let key = open_key(keys, keyed_from, &key_id, &nonce, &ct)?;
        let (ct, nonce, new_id) = keys.seal(&key_label(keyed_from), key.key.as_ref())?;
        sqlx::query(
            "UPDATE audit_key SET ciphertext = $1, nonce = $2, key_id = $3 WHERE id = 1 AND key_id = $4",
        )
        .bind(ct)
        .bind(nonce)
        .bind(new_id)
        .bind(key_id)
        .execute(&mut *conn)
        .await?;
        Ok(true)
    }

    /// Starts an administrative change that commits together with its audit record.
    /// The database the trail is kept in.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn begin_change(&self) -> Result<Change, BackendError> {
        // Load the key before the change holds a connection (it may need one of its own).
        self.chain_key().await?;
        Ok(Change {
            tx: self.pool.begin().await?,
            audit: self.clone(),
        })
    }

    /// Appends one record to the chain; returns its sequence number once the record is
    /// committed. Fails (and the caller must not proceed with a write) if the store cannot
    /// be written. The record commits in a group with those appended at the same moment
    /// (see the module's notes).
    pub async fn append(&self, e: &Event) -> Result<i64, BackendError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let queued = self.writer().send(Waiting {
            event: e.clone(),
            done,
        });
        match queued {
            Ok(()) => answer.await.unwrap_or_else(|_| {
                // The writer stopped (its runtime ended) without saying whether the record
                // was committed: the caller must not go on.
                tracing::error!(action = %e.action, "the audit writer stopped before answering");
                Err(BackendError::AuditUnavailable)
            }),
            // The writer's runtime has ended (a test's, in which this console was made):
            // written alone, here.
            Err(_) => self.append_alone(&mut None, e).await,
        }
    }

    /// The writer's queue, starting the writer on first use.
    fn writer(&self) -> &tokio::sync::mpsc::UnboundedSender<Waiting> {
        self.writer.get_or_init(|| {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            tokio::spawn(self.clone().write_groups(rx));
            tx
        })
    }

    /// The writer: every record waiting at that moment (at most [`MAX_BATCH`]) in one
    /// transaction under the chain lock; each caller answered after the commit.
    ///
    /// The writer keeps a connection of its own, taken out of the pool: a pooled one is
    /// pinged by the pool each time it is given back (a round trip per group, #18). One that
    /// failed is dropped and the next group takes a fresh one.
    async fn write_groups(self, mut rx: tokio::sync::mpsc::UnboundedReceiver<Waiting>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut conn: Option<Kept> = None;
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let group = std::mem::take(&mut batch);
            if group.len() == 1 {
                for w in group {
                    self.answer_alone(&mut conn, w).await;
                }
                continue;
            }
            let events: Vec<&Event> = group.iter().map(|w| &w.event).collect();
            let written = self.write_now(&mut conn, &events).await;
            match written {
                Ok(seqs) => {
                    self.count_commit(seqs.len());
                    for (w, seq) in group.into_iter().zip(seqs) {
                        let _ = w.done.send(Ok(seq));
                    }
                }
                Err(err) => {
                    // Nothing of the group was committed. Each record again on its own: a
                    // record the database refuses fails only its own call.
                    tracing::warn!(records = group.len(), error = %err, "a group of audit records could not be written; writing them one at a time");
                    for w in group {
                        self.answer_alone(&mut conn, w).await;
                    }
                }
            }
        }
    }

    /// Writes a waiting record on its own and answers its caller.
    async fn answer_alone(&self, conn: &mut Option<Kept>, w: Waiting) {
        let r = self.append_alone(conn, &w.event).await;
        if r.is_ok() {
            self.count_commit(1);
        }
        let _ = w.done.send(r);
    }

    /// Counts a commit of the writer by its size.
    fn count_commit(&self, records: usize) {
        let size = match records {
            0 | 1 => "1",
            2..=7 => "2-7",
            8..=31 => "8-31",
            _ => "32+",
        };
        self.metrics
            .inc("polar_audit_commits_total", &[("records", size)]);
    }

    /// One record in a transaction of its own.
    async fn append_alone(&self, conn: &mut Option<Kept>, e: &Event) -> Result<i64, BackendError> {
        let written = self.write_now(conn, &[e]).await.and_then(|seqs| {
            seqs.first()
                .copied()
                .ok_or_else(|| BackendError::Conflict("no record was appended".into()))
        });
        match written {
            Ok(seq) => Ok(seq),
            Err(err) => {
                // Whatever the cause (the database, a trigger at COMMIT, the chain key), the
                // record is not written: callers answer 503 and do not go on.
                self.metrics.inc("polar_audit_write_failures_total", &[]);
                tracing::error!(action = %e.action, error = %err, "an audit record could not be written");
                Err(BackendError::AuditUnavailable)
            }
        }
    }

    /// Commits `events` in order (the writer's groups and lone records): in one statement
    /// against the head this writer committed last, when it has one and the chain has not
    /// moved since; else in a transaction of its own under the chain lock, with every check
    /// of [`Audit::append_in`], which also learns the head again. Returns their seqs.
    async fn write_now(
        &self,
        conn: &mut Option<Kept>,
        events: &[&Event],
    ) -> Result<Vec<i64>, BackendError> {
        // The key first, before a connection is held: loading it the first time takes a
        // connection of its own.
        let key = self.chain_key().await?;
        // One idle for a while is checked first, as the pool checks its own (one the server
        // dropped meanwhile is replaced rather than failing a record).
        let kept = match conn.take() {
            Some(mut k) if k.used.elapsed() > crate::db::PING_IDLE_AFTER => {
                sqlx::Connection::ping(&mut k.conn).await.ok().map(|_| k)
            }
            other => other,
        };
        let mut own = match kept {
            Some(k) => k.conn,
            None => self.pool.acquire().await?.detach(),
        };
        let written = self.write_with(&mut own, &key, events).await;
        if written.is_ok() {
            // Kept for the next group; dropped (closed) after a failure.
            *conn = Some(Kept {
                conn: own,
                used: std::time::Instant::now(),
            });
        }
        written
    }

    /// [`Audit::write_now`] on the writer's connection.
    async fn write_with(
        &self,
        conn: &mut PgConnection,
        key: &ChainKey,
        events: &[&Event],
    ) -> Result<Vec<i64>, BackendError> {
        let written = self.written.load(std::sync::atomic::Ordering::SeqCst);
        let known = self
            .head
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .filter(|h| h.seq >= written.max(1));
        if let Some(head) = known {
            let records = chain_records(key, events, head.seq + 1, head.hash.clone());
            match insert_chained(&mut *conn, key, &head, &records).await {
                Ok(Some(new)) => {
                    self.metrics.inc("polar_audit_appends_at_head_total", &[]);
                    return Ok(self.committed_group(events, &records, new));
                }
                // Another process, or a change committed with its record, appended since.
                Ok(None) => {}
                Err(err) => {
                    tracing::debug!(error = %err, "audit records not written at the known head; writing them under the chain lock");
                }
            }
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let (records, new) = self.append_group(&mut tx, key, events).await?;
        tx.commit().await?;
        Ok(self.committed_group(events, &records, new))
    }

    /// After the commit of `records` by the writer: notes them, and the head they end at.
    fn committed_group(&self, events: &[&Event], records: &[Record], head: Head) -> Vec<i64> {
        self.committed(head.seq);
        *self.head.lock().unwrap_or_else(|p| p.into_inner()) = Some(head);
        for e in events {
            self.metrics.inc(
                "polar_audit_writes_total",
                &[("outcome", e.outcome.as_str())],
            );
        }
        records.iter().map(|r| r.seq).collect()
    }

    /// Notes a record this process has committed (see [`Audit::append_keyed`]).
    fn committed(&self, seq: i64) {
        self.written
            .fetch_max(seq, std::sync::atomic::Ordering::SeqCst);
    }

    /// Appends one record inside the caller's transaction, so that it commits (or not)
    /// together with the caller's change. Takes the chain lock until that transaction ends:
    /// commit soon after. (Start the transaction with [`Audit::begin_change`], which loads
    /// the chain key first; loading it here would need a second connection.)
    pub async fn append_in(&self, conn: &mut PgConnection, e: &Event) -> Result<i64, BackendError> {
        let key = self.chain_key().await?;
        self.append_keyed(conn, &key, e).await
    }

    /// [`Audit::append_in`] with the key given.
    async fn append_keyed(
        &self,
        conn: &mut PgConnection,
        key: &ChainKey,
        e: &Event,
    ) -> Result<i64, BackendError> {
        let (records, _) = self.append_group(conn, key, &[e]).await?;
        self.metrics.inc(
            "polar_audit_writes_total",
            &[("outcome", e.outcome.as_str())],
        );
        records
            .first()
            .map(|r| r.seq)
            .ok_or_else(|| BackendError::Conflict("no record was appended".into()))
    }

    /// Appends `events` in order, chained, in one statement under the chain lock (taken
    /// here, held until the caller's transaction ends), after checking that the head is the
    /// last record and that the trail does not end before a record this process wrote;
    /// returns the records and the head they end at (committed when the caller commits).
    async fn append_group(
        &self,
        conn: &mut PgConnection,
        key: &ChainKey,
        events: &[&Event],
    ) -> Result<(Vec<Record>, Head), BackendError> {
        sqlx::query!("SELECT pg_advisory_xact_lock($1)", CHAIN_LOCK)
            .execute(&mut *conn)
            .await?;
        // The last record with the head beside it: the head (MACed with the key) must be
        // that record, or records after it were removed under a running console (a cut
        // tail the next records would otherwise paper over; fifth attack run, N1).
        let last: Option<LastAndHead> = sqlx::query_as(
            "SELECT e.seq, e.hash, h.seq, h.hash, h.mac
                 FROM (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) e
                 LEFT JOIN audit_head h ON h.id = 1",
        )
        .fetch_optional(&mut *conn)
        .await?;
        // Nor may the trail end before a record this process has committed: a cut with an
        // earlier head row put back (a copy needs no key) looks whole to the check above
        // (sixth attack run, F3).
        let written = self.written.load(std::sync::atomic::Ordering::SeqCst);
        let last_seq = last.as_ref().map_or(0, |l| l.0);
        if last_seq < written {
            tracing::error!(
                last = last_seq,
                written,
                "the audit trail ends before a record this console wrote: records were removed"
            );
            return Err(BackendError::Conflict(format!(
                "the audit trail ends at record {last_seq}, but this console wrote record {written}: records were removed behind its back; nothing more is appended until the trail is restored and `audit verify` passes"
            )));
        }
        let head = match last {
            Some((last_seq, last_hash, head_seq, head_hash, head_mac)) => {
                let mac = key.head_mac(last_seq, &last_hash);
                let at_head = head_seq == Some(last_seq)
                    && head_hash.as_deref() == Some(last_hash.as_slice())
                    && head_mac.is_some_and(|m| same_mac(&mac, &m));
                if !at_head {
                    return Err(BackendError::Conflict(HEAD_MISMATCH.into()));
                }
                Head {
                    seq: last_seq,
                    hash: last_hash,
                    mac,
                }
            }
            None => {
                // The first record, or every record removed while this console ran: only
                // a chain at its MACed start begins again from zero.
                if let Some(problem) = emptied(&mut *conn, key, false).await? {
                    return Err(BackendError::Conflict(problem.into()));
                }
                let hash = vec![0u8; 32];
                Head {
                    seq: 0,
                    mac: key.head_mac(0, &hash),
                    hash,
                }
            }
        };
        let records = chain_records(key, events, head.seq + 1, head.hash.clone());
        // Under the lock the head is the one just read, so the statement's own checks pass.
        match insert_chained(&mut *conn, key, &head, &records).await? {
            Some(new) => Ok((records, new)),
            None => Err(BackendError::Conflict(HEAD_MISMATCH.into())),
        }
    }

    /// Reads records after `after_seq` in order, a page at a time.
    pub async fn page_from(&self, after_seq: i64, limit: i64) -> Result<Vec<Record>, BackendError> {
        page_in(&self.pool, after_seq, limit).await
    }

    /// Newest first, `limit` records older than `before_seq` (keyset pagination).
    pub async fn search(
        &self,
        f: &Filter,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Record>, BackendError> {
        let rows = sqlx::query_as!(
            Record,
            r#"SELECT seq, id, at, actor_id, actor_name, auth_method, client_addr, user_agent, request_id,
                      cloud_account, region, action, kind, resource, params, outcome, http_status,
                      error_code, error_message, upstream_request_id, client_token, attempts, latency_ms,
                      intent_seq, prev_hash, hash
               FROM audit_events
               WHERE seq < $1
                 AND ($2::uuid IS NULL OR actor_id = $2)
                 AND ($3::text IS NULL OR actor_name = $3)
                 AND ($4::text IS NULL OR action = $4)
                 AND ($5::text IS NULL OR cloud_account = $5)
                 AND ($6::text IS NULL OR resource ->> 'cluster' = $6)
                 AND ($7::text IS NULL OR outcome = $7)
                 AND ($8::timestamptz IS NULL OR at >= $8)
                 AND ($9::timestamptz IS NULL OR at < $9)
                 AND ($10::text IS NULL OR kind = $10)
                 AND (NOT $11::bool OR kind <> 'read')
                 AND ($13::text IS NULL
                      OR coalesce(resource ->> 'change', params ->> 'change') = $13)
               ORDER BY seq DESC
               LIMIT $12"#,
            before_seq.unwrap_or(i64::MAX),
            f.actor_id,
            f.actor_name,
            f.action,
            f.cloud_account,
            f.cluster,
            f.outcome,
            f.from,
            f.to,
            f.kind,
            f.hide_reads,
            limit,
            f.change.map(|c| c.to_string())
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// How many reads the filter's other conditions match on each of the last `days` UTC
    /// days, newest first (days without any are left out): what the trail's page says it
    /// leaves out while reads are hidden.
    pub async fn reads_per_day(
        &self,
        f: &Filter,
        days: i32,
    ) -> Result<Vec<(String, i64)>, BackendError> {
        let rows = sqlx::query!(
            r#"SELECT to_char(date_trunc('day', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS "day!",
                      count(*) AS "reads!"
               FROM audit_events
               WHERE kind = 'read'
                 AND at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => $1 - 1)
                 AND ($2::uuid IS NULL OR actor_id = $2)
                 AND ($3::text IS NULL OR actor_name = $3)
                 AND ($4::text IS NULL OR action = $4)
                 AND ($5::text IS NULL OR cloud_account = $5)
                 AND ($6::text IS NULL OR resource ->> 'cluster' = $6)
                 AND ($7::text IS NULL OR outcome = $7)
                 AND ($8::text IS NULL
                      OR coalesce(resource ->> 'change', params ->> 'change') = $8)
               GROUP BY 1
               ORDER BY 1 DESC"#,
            days,
            f.actor_id,
            f.actor_name,
            f.action,
            f.cloud_account,
            f.cluster,
            f.outcome,
            f.change.map(|c| c.to_string())
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.day, r.reads)).collect())
    }

    /// One record by id, within the filter (so Viewers only reach their own).
    pub async fn get(&self, f: &Filter, id: Uuid) -> Result<Option<Record>, BackendError> {
        let row = sqlx::query_as!(
            Record,
            r#"SELECT seq, id, at, actor_id, actor_name, auth_method, client_addr, user_agent, request_id,
                      cloud_account, region, action, kind, resource, params, outcome, http_status,
                      error_code, error_message, upstream_request_id, client_token, attempts, latency_ms,
                      intent_seq, prev_hash, hash
               FROM audit_events WHERE id = $1 AND ($2::uuid IS NULL OR actor_id = $2)"#,
            id,
            f.actor_id
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// Walks the whole chain in one snapshot; names the first altered, missing or reordered
    /// record, a checkpoint the chain does not reach or does not match, and a chain that
    /// ends before its head (its last records removed), or an empty trail on a console
    /// with users, custom roles or cloud accounts.
    pub async fn verify(&self) -> Result<Verdict, BackendError> {
        let mut tx = self.snapshot().await?;
        let walked = self.walk(&mut tx, None, Unkeyed::Refuse).await?;
        // An empty trail with everything around it gone (records, key, head, checkpoints)
        // still shows: every user's creation was recorded, so a console with users has
        // records.
        let has_users = has_recorded_state(&mut tx).await?;
        let unrecorded = match &walked {
            Walked::Intact { last, .. } if *last > 0 => unrecorded_state(&mut tx).await?,
            _ => None,
        };
        tx.rollback().await?;
        Ok(match walked {
            Walked::Broken { seq, problem } => Verdict::Broken { seq, problem },
            Walked::Intact { last: 0, .. } if has_users => Verdict::Broken {
                seq: 1,
                problem: EMPTIED.into(),
            },
            Walked::Intact { .. } if unrecorded.is_some() => Verdict::Broken {
                seq: 1,
                problem: format!(
                    "{} exists, but the trail has no record of its creation: records were removed (the trail replaced by a new one) or it was made outside the console (restore the database from a backup)",
                    unrecorded.unwrap_or_default()
                ),
            },
            Walked::Intact { last, .. } => Verdict::Intact { records: last },
        })
    }

    /// The checkpoint job: verifies the chain from the last checkpoint (which must still be
    /// in it, with the same hash) to its head, then records the head as a new checkpoint.
    pub async fn checkpoint(&self) -> Result<Checkpointed, BackendError> {
        let key = self.chain_key().await?;
        let mut tx = self.snapshot().await?;
        let last: Option<CheckpointRow> = sqlx::query_as(
            "SELECT seq, hash, mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let walked = self.walk(&mut tx, last.clone(), Unkeyed::Refuse).await?;
        tx.rollback().await?;
        let from = last.map(|c| c.0).unwrap_or(0);
        match walked {
            Walked::Broken { seq, problem } => Ok(Checkpointed::Broken { seq, problem }),
            Walked::Intact { last, .. } if last <= from => Ok(Checkpointed::NothingNew),
            Walked::Intact { last, last_hash } => {
                sqlx::query(
                    "INSERT INTO audit_checkpoints (seq, hash, mac) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(last)
                .bind(&last_hash)
                .bind(key.checkpoint_mac(last, &last_hash))
                .execute(&self.pool)
                .await?;
                // The same in the log, outside the database: a copy kept elsewhere shows a
                // later rollback of the whole chain, which no check inside it can.
                tracing::info!(
                    seq = last,
                    hash = %hex::encode(&last_hash),
                    "audit checkpoint"
                );
                Ok(Checkpointed::New { seq: last })
            }
        }
    }

    /// A read-only transaction that sees one consistent state of chain, head and checkpoints.
    async fn snapshot(&self) -> Result<Transaction<'static, Postgres>, BackendError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Checks the chain, from the start or from checkpoint `from`, against its links, its
    /// hashes and MACs, every checkpoint after `from`, and its head.
    async fn walk(
        &self,
        conn: &mut PgConnection,
        from: Option<CheckpointRow>,
        unkeyed: Unkeyed,
    ) -> Result<Walked, BackendError> {
        let broken = |seq: i64, problem: String| Ok(Walked::Broken { seq, problem });
        // The key, if the chain has one yet (a chain from before keying has none).
        let key_row = stored_key(&mut *conn).await?;
        let key = match key_row {
            None => None,
            Some((keyed_from, ct, nonce, key_id)) => {
                let keys = self.keys.as_ref().ok_or(BackendError::Crypto)?;
                match open_key(keys, keyed_from, &key_id, &nonce, &ct) {
                    Ok(k) => Some(k),
                    Err(_) => {
                        return broken(
                            keyed_from,
                            format!("the audit chain's key does not decrypt with master key {key_id:?}: its row was altered, or that master key is not configured (old_master_keys)"),
                        )
                    }
                }
            }
        };
        let head: Option<(i64, Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await?;
        let chain_end: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM audit_events")
            .fetch_one(&mut *conn)
            .await?;
        // Every console since the chain was keyed creates the key before its first record,
        // and nothing deletes it: records without a key mean its row was removed (and the
        // chain perhaps rewritten unkeyed, which would otherwise pass as an old chain).
        if key.is_none() && chain_end > 0 && unkeyed == Unkeyed::Refuse {
            return broken(1, KEY_MISSING.into());
        }
        // Where to start: the beginning, or a checkpoint whose record must still be there.
        let (mut expected_seq, mut prev_hash) = match &from {
            None => (1, vec![0u8; 32]),
            Some((seq, hash, mac)) => {
                if !checkpoint_is_ours(key.as_ref(), *seq, hash, mac.as_deref()) {
                    return broken(*seq, format!("the checkpoint at record {seq} is not the console's (its MAC is wrong or missing)"));
                }
                let at: Option<Vec<u8>> =
                    sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1")
                        .bind(seq)
                        .fetch_optional(&mut *conn)
                        .await?;
                match at {
                    None => {
                        return broken(
                            chain_end + 1,
                            format!("the chain ends at record {chain_end}, below the checkpoint at {seq}: records were removed"),
                        )
                    }
                    Some(h) if h != *hash => {
                        return broken(*seq, format!("record {seq} differs from its checkpoint: it was altered or replaced"))
                    }
                    Some(h) => (seq + 1, h),
                }
            }
        };
        let mut checkpoints = Checkpoints {
            after: expected_seq - 1,
            buffer: std::collections::VecDeque::new(),
            done: false,
        };
        loop {
            let page = page_in(&mut *conn, expected_seq - 1, 1000).await?;
            if page.is_empty() {
                break;
            }
            for r in page {
                if r.seq != expected_seq {
                    return broken(
                        expected_seq,
                        format!("record {expected_seq} is missing (next is {})", r.seq),
                    );
                }
                if r.prev_hash != prev_hash {
                    return broken(r.seq, format!(
                        "record {} (id {}) does not follow record {}: its previous-hash link is wrong (removed, inserted or reordered records)",
                        r.seq, r.id, r.seq - 1
                    ));
                }
                let intact = match &key {
                    Some(k) if r.seq >= k.keyed_from => same_mac(&r.compute_mac(&k.key), &r.hash),
                    _ => r.compute_hash() == r.hash,
                };
                if !intact {
                    return broken(
                        r.seq,
                        format!(
                            "record {} (id {}) was altered: its content does not match its {}",
                            r.seq,
                            r.id,
                            if key.as_ref().is_some_and(|k| r.seq >= k.keyed_from) {
                                "MAC"
                            } else {
                                "hash"
                            }
                        ),
                    );
                }
                while let Some((cseq, chash, cmac)) =
                    checkpoints.next_upto(&mut *conn, r.seq).await?
                {
                    if !checkpoint_is_ours(key.as_ref(), cseq, &chash, cmac.as_deref()) {
                        return broken(cseq, format!("the checkpoint at record {cseq} is not the console's (its MAC is wrong or missing)"));
                    }
                    if cseq != r.seq || chash != r.hash {
                        return broken(cseq, format!("record {cseq} differs from its checkpoint: it was altered or replaced"));
                    }
                }
                prev_hash = r.hash;
                expected_seq += 1;
            }
        }
        let last = expected_seq - 1;
        if let Some((cseq, _, _)) = checkpoints.next_upto(&mut *conn, i64::MAX).await? {
            return broken(
                last + 1,
                format!("the chain ends at record {last}, below the checkpoint at {cseq}: records were removed"),
            );
        }
        if let Some(k) = &key {
            let Some((hseq, hhash, hmac)) = head else {
                return broken(
                    last + 1,
                    "the chain's head record is missing: it was removed".into(),
                );
            };
            if !same_mac(&k.head_mac(hseq, &hhash), &hmac) {
                return broken(
                    hseq,
                    "the chain's head is not the console's (its MAC is wrong)".into(),
                );
            }
            if hseq > last {
                return broken(
                    last + 1,
                    format!("the chain ends at record {last} but its head is record {hseq}: the last records were removed"),
                );
            }
            if hseq < last {
                return broken(
                    hseq + 1,
                    format!(
                        "records after the head (record {hseq}) were not appended by the console"
                    ),
                );
            }
            if hhash != prev_hash {
                return broken(
                    last,
                    format!("record {last} is not the head the console wrote: it was replaced"),
                );
            }
        }
        Ok(Walked::Intact {
            last,
            last_hash: prev_hash,
        })
    }
}

enum Walked {
    Intact { last: i64, last_hash: Vec<u8> },
    Broken { seq: i64, problem: String },
}

/// What a walk makes of records without a chain key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unkeyed {
    /// A broken chain (its key was deleted): `verify`, the checkpoint job.
    Refuse,
    /// Checked by their unkeyed links: only [`Audit::adopt_unkeyed`], the operator's step.
    Adopt,
}

/// The first user, custom role or cloud account (as "user NAME", …) whose creation the
/// trail does not record: a trail replaced while they were hidden from the console. A
/// user's creation is a `UserCreated` record naming its id, a role's a `RoleSaved` naming
/// it, a cloud account's a `CloudAccountCreated` or `CloudAccountRegistered` naming its
/// id; the record that adopted an unkeyed chain ([`ADOPTED`]) names those that existed
/// then.
async fn unrecorded_state(conn: &mut PgConnection) -> Result<Option<String>, BackendError> {
    Ok(sqlx::query_scalar(
        "SELECT what FROM (
             SELECT 1 AS o, 'user ' || quote_literal(u.username) AS what FROM users u
              WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.outcome = 'ok' AND (
                    (e.action = 'UserCreated' AND e.params ->> 'user' = u.id::text)
                 OR (e.action = $1 AND e.params -> 'users' ? u.id::text)))
             UNION ALL
             SELECT 2, 'custom role ' || quote_literal(r.name) FROM roles r
              WHERE NOT r.builtin AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.outcome = 'ok' AND (
                    (e.action = 'RoleSaved' AND e.params ->> 'role' = r.name)
                 OR (e.action = $1 AND e.params -> 'roles' ? r.name)))
             UNION ALL
             SELECT 3, 'cloud account ' || quote_literal(c.name) FROM cloud_accounts c
              WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.outcome = 'ok' AND (
                    (e.action IN ('CloudAccountCreated', 'CloudAccountRegistered')
                        AND e.params ->> 'id' = c.id::text)
                 OR (e.action = $1 AND e.params -> 'cloud_accounts' ? c.id::text)))
         ) m ORDER BY o, what LIMIT 1",
    )
    .bind(ADOPTED)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The checkpoints in order, read a page at a time alongside the chain.
struct Checkpoints {
    after: i64,
    buffer: std::collections::VecDeque<CheckpointRow>,
    done: bool,
}

impl Checkpoints {
    /// The next checkpoint at or below `seq`, if any.
    async fn next_upto(
        &mut self,
        conn: &mut PgConnection,
        seq: i64,
    ) -> Result<Option<CheckpointRow>, BackendError> {
        if self.buffer.is_empty() && !self.done {
            let page: Vec<CheckpointRow> = sqlx::query_as(
                "SELECT seq, hash, mac FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT 1000",
            )
            .bind(self.after)
            .fetch_all(&mut *conn)
            .await?;
            self.done = page.len() < 1000;
            if let Some(last) = page.last() {
                self.after = last.0;
            }
            self.buffer.extend(page);
        }
        match self.buffer.front() {
            Some(c) if c.0 <= seq => Ok(self.buffer.pop_front()),
            _ => Ok(None),
        }
    }
}

fn open_key(
    keys: &MasterKeys,
    keyed_from: i64,
    key_id: &str,
    nonce: &[u8],
    ct: &[u8],
) -> Result<ChainKey, BackendError> {
    let plain = keys.open(&key_label(keyed_from), key_id, nonce, ct)?;
    if plain.len() != 32 {
        return Err(BackendError::Crypto);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&plain);
    Ok(ChainKey { key, keyed_from })
}

async fn page_in<'e, E: sqlx::PgExecutor<'e>>(
    ex: E,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Record>, BackendError> {
    let rows = sqlx::query_as!(
        Record,
        "SELECT seq, id, at, actor_id, actor_name, auth_method, client_addr, user_agent, request_id,
                    cloud_account, region, action, kind, resource, params, outcome, http_status,
                    error_code, error_message, upstream_request_id, client_token, attempts, latency_ms,
                    intent_seq, prev_hash, hash
             FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        after_seq,
        limit
    )
    .fetch_all(ex)
    .await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A security record of the first position, for the hash and MAC tests.
    fn sample_record() -> Record {
        Record {
            seq: 1,
            id: Uuid::nil(),
            at: OffsetDateTime::UNIX_EPOCH,
            actor_id: None,
            actor_name: "a".into(),
            auth_method: "local".into(),
            client_addr: None,
            user_agent: None,
            request_id: None,
            cloud_account: None,
            region: None,
            action: "SignIn".into(),
            kind: "security".into(),
            resource: json!({}),
            params: json!({}),
            outcome: "ok".into(),
            http_status: None,
            error_code: None,
            error_message: None,
            upstream_request_id: None,
            client_token: None,
            attempts: None,
            latency_ms: None,
            intent_seq: None,
            prev_hash: vec![0; 32],
            hash: vec![],
        }
    }

    #[test]
    fn checkpoints_after_keying_need_their_mac() {
        let k = ChainKey {
            key: Zeroizing::new([4u8; 32]),
            keyed_from: 10,
        };
        let h = [1u8; 32];
        let good = k.checkpoint_mac(12, &h);
        assert!(checkpoint_is_ours(Some(&k), 12, &h, Some(&good)));
        assert!(
            !checkpoint_is_ours(Some(&k), 12, &h, None),
            "a missing MAC is a forgery"
        );
        assert!(!checkpoint_is_ours(Some(&k), 12, &h, Some(&good[..31])));
        assert!(!checkpoint_is_ours(Some(&k), 13, &h, Some(&good)));
        // Before the chain had a key, checkpoints had no MAC.
        assert!(checkpoint_is_ours(Some(&k), 5, &h, None));
        assert!(checkpoint_is_ours(None, 5, &h, None));
    }

    #[test]
    fn secrets_are_redacted_by_name() {
        let p = vec![
            ("AccountPassword".to_string(), "P@ss".to_string()),
            ("NewAccountPassword".to_string(), "x".to_string()),
            ("AccessKeySecret".to_string(), "s".to_string()),
            ("Signature".to_string(), "sig".to_string()),
            ("DBClusterId".to_string(), "pc-1".to_string()),
        ];
        let v = redact_params(&p);
        assert_eq!(v["AccountPassword"], "<redacted>");
        assert_eq!(v["NewAccountPassword"], "<redacted>");
        assert_eq!(v["AccessKeySecret"], "<redacted>");
        assert_eq!(v["Signature"], "<redacted>");
        assert_eq!(v["DBClusterId"], "pc-1");
        assert!(!v.to_string().contains("P@ss"));
    }

    #[test]
    fn a_record_keeps_long_values_as_their_digest() {
        // Eighth attack run, E2: 30 tag keys of 60,000 characters made a 1.8 MB record.
        let huge = "k".repeat(60_000);
        let mut p: Vec<(String, String)> = (1..=30)
            .map(|i| (format!("Tag.{i}.Key"), format!("{i}{huge}")))
            .collect();
        p.push(("DBClusterId".into(), "pc-1".into()));
        let v = redact_params(&p);
        let kept = v.to_string().len();
        assert!(kept < MAX_KEPT_PARAMS + 16 * 1024, "{kept} bytes kept");
        assert_eq!(v["DBClusterId"], "pc-1");
        let first = v["Tag.1.Key"].as_str().unwrap();
        assert!(first.starts_with("1kkk"));
        let digest: String = Sha256::digest(p[0].1.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            first.ends_with(&format!("[60001 bytes in all, sha256 {digest}]")),
            "{first}"
        );
        // Many values each under the per-value limit, together over the whole's.
        let many: Vec<(String, String)> = (1..=100)
            .map(|i| (format!("ResourceId.{i}"), "x".repeat(3000)))
            .collect();
        let kept = redact_params(&many).to_string().len();
        assert!(kept < MAX_KEPT_PARAMS + 16 * 1024, "{kept} bytes kept");
        // Short values are kept as they are.
        let short = vec![("SecurityIps".to_string(), "10.0.0.1,10.0.0.2".to_string())];
        assert_eq!(redact_params(&short)["SecurityIps"], "10.0.0.1,10.0.0.2");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            safe_text("curl/8\n\u{1b}[31m", 100),
            "curl/8\\u{a}\\u{1b}[31m"
        );
        assert_eq!(safe_text("abcdef", 3), "abc");
    }

    #[test]
    fn the_hash_covers_content_and_link() {
        let mut r = sample_record();
        let h1 = r.compute_hash();
        r.outcome = "denied".into();
        assert_ne!(h1, r.compute_hash());
        r.outcome = "ok".into();
        r.prev_hash = vec![1; 32];
        assert_ne!(h1, r.compute_hash());
        assert!(
            r.canonical().starts_with("{\"action\":"),
            "keys sorted: {}",
            r.canonical()
        );
    }

    #[test]
    fn csv_fields_that_start_like_formulas_are_defused() {
        for bad in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
            "\n=1",
            "\u{ff1d}1+1",
        ] {
            let f = csv_field(bad);
            assert!(f.starts_with("\"'"), "{bad:?} gave {f:?}");
        }
        assert_eq!(csv_field("plain \"quoted\""), "\"plain \"\"quoted\"\"\"");
        assert_eq!(csv_field("a=b"), "\"a=b\"");
    }

    #[test]
    fn the_mac_needs_the_key_and_differs_from_the_hash() {
        let r = sample_record();
        let k1 = r.compute_mac(&[1; 32]);
        assert_eq!(k1, r.compute_mac(&[1; 32]));
        assert_ne!(k1, r.compute_mac(&[2; 32]));
        assert_ne!(k1, r.compute_hash());
        assert!(same_mac(&k1, &k1.clone()));
        assert!(!same_mac(&k1, &k1[..31]));
    }

    #[test]
    fn the_key_is_bound_to_where_the_keyed_chain_starts() {
        let keys = MasterKeys::new("k1", Zeroizing::new([7u8; 32]));
        let (ct, nonce, kid) = keys.seal(&key_label(5), &[3u8; 32]).unwrap();
        let k = open_key(&keys, 5, &kid, &nonce, &ct).unwrap();
        assert_eq!(*k.key, [3u8; 32]);
        assert!(open_key(&keys, 1, &kid, &nonce, &ct).is_err());
        assert!(open_key(&keys, 5, "k2", &nonce, &ct).is_err());
        // Head and checkpoint MACs do not stand in for each other.
        assert_ne!(k.head_mac(3, &[1; 32]), k.checkpoint_mac(3, &[1; 32]));
    }
}
