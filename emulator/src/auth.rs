//! Authentication like the real service: the signature, the key, the clock and replays.

use std::collections::{HashMap, VecDeque};

use polardb::sign;

use crate::handlers::Fault;

/// Remembers recent signature nonces (15 minutes' worth, bounded).
#[derive(Default)]
pub struct NonceCache {
    seen: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

impl NonceCache {
    const WINDOW_SECS: i64 = 15 * 60;
    const MAX: usize = 200_000;

    /// Records `nonce` at `now`; false if it was seen within the window.
    pub fn insert(&mut self, nonce: &str, now: i64) -> bool {
        while let Some((t, _)) = self.order.front() {
            if now - *t > Self::WINDOW_SECS || self.order.len() > Self::MAX {
                let (_, n) = self.order.pop_front().expect("front exists");
                self.seen.remove(&n);
            } else {
                break;
            }
        }
        if self.seen.contains_key(nonce) {
            return false;
        }
        self.seen.insert(nonce.to_string(), now);
        self.order.push_back((now, nonce.to_string()));
        true
    }
}

/// Checks a version-2 (HMAC-SHA1) signed request.
pub fn check_v2(
    method: &str,
    params: &[(String, String)],
    keys: &HashMap<String, String>,
    nonces: &mut NonceCache,
    now: time::OffsetDateTime,
) -> Result<String, Fault> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(signature) = get("Signature") else {
        return Err(Fault::new(
            400,
            "MissingSignature",
            "The input parameter \"Signature\" that is mandatory for processing this request is not supplied.",
        ));
    };
    let Some(key_id) = get("AccessKeyId") else {
        return Err(Fault::new(
            400,
            "MissingAccessKeyId",
            "The input parameter \"AccessKeyId\" that is mandatory for processing this request is not supplied.",
        ));
    };
    let Some(secret) = keys.get(key_id) else {
        return Err(Fault::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    if get("SignatureMethod") != Some("HMAC-SHA1") {
        return Err(Fault::new(
            400,
            "InvalidSignatureMethod",
            "The specified signature method is not supported.",
        ));
    }
    if get("SignatureVersion") != Some("1.0") {
        return Err(Fault::new(
            400,
            "InvalidSignatureVersion",
            "The specified signature version is not supported.",
        ));
    }
    check_time(get("Timestamp"), now)?;
    if !sign::v2_verify(method, params, secret, signature) {
        // The real service appends its string to sign; aliyun-python-sdk-core parses it.
        return Err(Fault::new(
            400,
            "SignatureDoesNotMatch",
            &format!(
                "Specified signature is not matched with our calculation. server string to sign is:{}",
                sign::v2_string_to_sign(method, params)
            ),
        ));
    }
    let Some(nonce) = get("SignatureNonce").filter(|n| !n.is_empty()) else {
        return Err(Fault::new(
            400,
            "MissingSignatureNonce",
            "The input parameter \"SignatureNonce\" that is mandatory for processing this request is not supplied.",
        ));
    };
    if !nonces.insert(nonce, now.unix_timestamp()) {
        return Err(Fault::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(key_id.to_string())
}

/// Checks a version-3 (ACS3-HMAC-SHA256) signed request: the Authorization header over
/// the signed headers, the query and the SHA-256 of the body actually received.
pub fn check_v3(
    method: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
    keys: &HashMap<String, String>,
    nonces: &mut NonceCache,
    now: time::OffsetDateTime,
) -> Result<String, Fault> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let authorization = header("authorization").unwrap_or_default();
    let Some((key_id, _, _)) = sign::v3_parse_authorization(authorization) else {
        return Err(Fault::new(
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        ));
    };
    let Some(secret) = keys.get(&key_id) else {
        return Err(Fault::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    check_time(header("x-acs-date"), now)?;
    let payload = sign::sha256_hex(body);
    if header("x-acs-content-sha256").is_some_and(|h| !h.eq_ignore_ascii_case(&payload)) {
        return Err(Fault::new(
            400,
            "SignatureDoesNotMatch",
            "The request body does not match x-acs-content-sha256.",
        ));
    }
    if !sign::v3_verify(method, "/", query, headers, &payload, secret, authorization) {
        return Err(Fault::new(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        ));
    }
    let Some(nonce) = header("x-acs-signature-nonce").filter(|n| !n.is_empty()) else {
        return Err(Fault::new(
            400,
            "MissingSignatureNonce",
            "The header \"x-acs-signature-nonce\" that is mandatory for processing this request is not supplied.",
        ));
    };
    if !nonces.insert(nonce, now.unix_timestamp()) {
        return Err(Fault::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(key_id)
}

/// The timestamp must be present, well formed and within 15 minutes of now.
pub fn check_time(ts: Option<&str>, now: time::OffsetDateTime) -> Result<(), Fault> {
    let Some(ts) = ts else {
        return Err(Fault::new(
            400,
            "MissingTimestamp",
            "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied.",
        ));
    };
    let Some(t) = sign::parse_timestamp(ts) else {
        return Err(Fault::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ));
    };
    if (now - t).whole_seconds().abs() > 15 * 60 {
        return Err(Fault::new(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    Ok(())
}
