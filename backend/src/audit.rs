//! The tamper-evident audit trail.
//!
//! One append-only table, one hash chain: each record stores the previous record's hash
//! and `SHA-256(prev_hash || canonical JSON of its own content)`. Writers take a
//! transaction-scoped advisory lock, so records from any number of processes form one
//! linear chain with gap-free sequence numbers. Nothing is ever updated: a write call
//! stores an `intent` record before it is sent and an outcome record (pointing at the
//! intent) after.

use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::BackendError;

/// The advisory-lock key that serialises chain appends (arbitrary, fixed).
const CHAIN_LOCK: i64 = 0x504f_4c41_5241_5544; // "POLARAUD"

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

/// Parameters as an object with secrets replaced by `"<redacted>"`.
pub fn redact_params(params: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (k, v) in params {
        let value = if is_secret_param(k) {
            Value::String("<redacted>".into())
        } else {
            Value::String(v.clone())
        };
        map.insert(k.clone(), value);
    }
    Value::Object(map)
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

    pub fn compute_hash(&self) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(&self.prev_hash);
        h.update(self.canonical().as_bytes());
        h.finalize().to_vec()
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
}

/// The CSV export's columns.
pub const CSV_HEADER: &str = "seq,id,at,actor_id,actor_name,auth_method,client_addr,user_agent,request_id,cloud_account,region,action,kind,resource,params,outcome,http_status,error_code,error_message,upstream_request_id,client_token,attempts,latency_ms,intent_seq,hash";

/// One CSV field: quoted, quotes doubled, and a leading `= + - @` defused so that a
/// spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
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

#[derive(Clone)]
pub struct Audit {
    pool: PgPool,
    metrics: crate::metrics::Metrics,
}

impl Audit {
    pub fn new(pool: PgPool) -> Self {
        Self::with_metrics(pool, crate::metrics::Metrics::new())
    }

    /// An audit trail that counts its writes in `metrics`.
    pub fn with_metrics(pool: PgPool, metrics: crate::metrics::Metrics) -> Self {
        Audit { pool, metrics }
    }

    /// Appends one record to the chain; returns its sequence number. Fails (and the
    /// caller must not proceed with a write) if the store cannot be written.
    pub async fn append(&self, e: &Event) -> Result<i64, BackendError> {
        let written = self.append_record(e).await;
        match &written {
            Ok(_) => self.metrics.inc(
                "polar_audit_writes_total",
                &[("outcome", e.outcome.as_str())],
            ),
            Err(_) => self.metrics.inc("polar_audit_write_failures_total", &[]),
        }
        written
    }

    async fn append_record(&self, e: &Event) -> Result<i64, BackendError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query!("SELECT pg_advisory_xact_lock($1)", CHAIN_LOCK)
            .execute(&mut *tx)
            .await?;
        let last = sqlx::query!("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (seq, prev_hash) = match last {
            Some(r) => (r.seq + 1, r.hash),
            None => (1, vec![0u8; 32]),
        };
        let now = OffsetDateTime::now_utc();
        let at = now
            .replace_nanosecond(now.microsecond() * 1000)
            .unwrap_or(now);
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
        record.hash = record.compute_hash();
        sqlx::query!(
            "INSERT INTO audit_events (seq, id, at, actor_id, actor_name, auth_method, client_addr,
                user_agent, request_id, cloud_account, region, action, kind, resource, params, outcome,
                http_status, error_code, error_message, upstream_request_id, client_token, attempts,
                latency_ms, intent_seq, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19, $20, $21, $22, $23, $24, $25, $26)",
            record.seq,
            record.id,
            record.at,
            record.actor_id,
            record.actor_name,
            record.auth_method,
            record.client_addr,
            record.user_agent,
            record.request_id,
            record.cloud_account,
            record.region,
            record.action,
            record.kind,
            record.resource,
            record.params,
            record.outcome,
            record.http_status,
            record.error_code,
            record.error_message,
            record.upstream_request_id,
            record.client_token,
            record.attempts,
            record.latency_ms,
            record.intent_seq,
            record.prev_hash,
            record.hash
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Reads records after `after_seq` in order, a page at a time.
    pub async fn page_from(&self, after_seq: i64, limit: i64) -> Result<Vec<Record>, BackendError> {
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
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
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
               ORDER BY seq DESC
               LIMIT $10"#,
            before_seq.unwrap_or(i64::MAX),
            f.actor_id,
            f.actor_name,
            f.action,
            f.cloud_account,
            f.cluster,
            f.outcome,
            f.from,
            f.to,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
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

    /// Walks the whole chain; names the first altered, missing or reordered record.
    pub async fn verify(&self) -> Result<Verdict, BackendError> {
        self.verify_from(0, vec![0u8; 32]).await
    }

    /// Checks the chain after record `after` (whose hash is `after_hash`) up to its head;
    /// `Intact { records }` then gives the head's sequence number.
    pub async fn verify_from(
        &self,
        after: i64,
        after_hash: Vec<u8>,
    ) -> Result<Verdict, BackendError> {
        let mut expected_seq = after + 1;
        let mut prev_hash = after_hash;
        loop {
            let page = self.page_from(expected_seq - 1, 1000).await?;
            if page.is_empty() {
                return Ok(Verdict::Intact {
                    records: expected_seq - 1,
                });
            }
            for r in page {
                if r.seq != expected_seq {
                    return Ok(Verdict::Broken {
                        seq: expected_seq,
                        problem: format!("record {expected_seq} is missing (next is {})", r.seq),
                    });
                }
                if r.prev_hash != prev_hash {
                    return Ok(Verdict::Broken {
                        seq: r.seq,
                        problem: format!(
                            "record {} (id {}) does not follow record {}: its previous-hash link is wrong (removed, inserted or reordered records)",
                            r.seq,
                            r.id,
                            r.seq - 1
                        ),
                    });
                }
                if r.compute_hash() != r.hash {
                    return Ok(Verdict::Broken {
                        seq: r.seq,
                        problem: format!(
                            "record {} (id {}) was altered: its content does not match its hash",
                            r.seq, r.id
                        ),
                    });
                }
                prev_hash = r.hash.clone();
                expected_seq += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn control_characters_are_escaped() {
        assert_eq!(
            safe_text("curl/8\n\u{1b}[31m", 100),
            "curl/8\\u{a}\\u{1b}[31m"
        );
        assert_eq!(safe_text("abcdef", 3), "abc");
    }

    #[test]
    fn the_hash_covers_content_and_link() {
        let mut r = Record {
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
        };
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
}
