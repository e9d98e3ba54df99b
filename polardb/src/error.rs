//! The one error type of the client: the API's own error body plus the HTTP status.

use serde::{Deserialize, Serialize};

/// The error body every PolarDB API error carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub host_id: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// An error answered by the API (or by the transport below it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message} (HTTP {status}, RequestId {request_id})")]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub request_id: String,
    pub host_id: String,
    /// HTTP status; 0 when no response was received.
    pub status: u16,
}

/// The service echoes its string to sign after a signature mismatch, and that string
/// holds every request parameter (a database password among them). It is cut off here,
/// before the message can reach a log line, an audit record or a page.
pub fn sanitize_message(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    let cut = [
        "string to sign is",
        "stringtosign",
        "canonicalrequest",
        "canonical request",
    ]
    .iter()
    .filter_map(|m| lower.find(m))
    .min();
    match cut {
        Some(i) => format!(
            "{} [the service's string to sign was removed]",
            message[..i].trim_end()
        ),
        None => message.to_string(),
    }
}

/// The longest API error message relayed (in characters); the rest is cut off.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// Whether `code` has the form of an API error code (`Throttling.User`,
/// `InvalidDBClusterId.NotFound`): what a body must carry to be read as the API's error.
pub fn is_api_code(code: &str) -> bool {
    (1..=100).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_alphabetic())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'))
}

/// Text from an answer as it may be shown: control characters (line breaks, escapes,
/// bidirectional overrides) become spaces, and it is cut to `max` characters.
pub fn clean_text(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        let control = c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        out.push(if control { ' ' } else { c });
    }
    out.trim().to_string()
}

impl ApiError {
    /// The API's own error: its code and message (the service's string to sign removed,
    /// control characters replaced, at most [`MAX_MESSAGE_CHARS`]).
    pub fn from_body(status: u16, body: ErrorBody) -> Self {
        ApiError {
            code: clean_text(&body.code, 100),
            message: clean_text(&sanitize_message(&body.message), MAX_MESSAGE_CHARS),
            request_id: clean_text(&body.request_id, 100),
            host_id: clean_text(&body.host_id, 200),
            status,
        }
    }

    /// An error answer without the API's error body (an HTML page, plain text, JSON of
    /// another shape): only its status is told, never what it said, which may be a page
    /// of whatever answered.
    pub fn without_body(status: u16) -> Self {
        ApiError {
            code: if status >= 500 {
                "ServiceUnavailable".into()
            } else {
                format!("Http{status}")
            },
            message: format!("the endpoint answered HTTP {status} without an API error body"),
            request_id: String::new(),
            host_id: String::new(),
            status,
        }
    }

    /// An error that happened before any answer came back (connect, timeout, TLS).
    pub fn transport(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: code.to_string(),
            message: message.into(),
            request_id: String::new(),
            host_id: String::new(),
            status: 0,
        }
    }

    /// A sentence a person can act on, for the codes people meet most often.
    pub fn human(&self) -> String {
        let code = self.code.as_str();
        let hint = if code.starts_with("Throttling") {
            "The API is throttling requests; try again in a moment."
        } else if code == "SignatureDoesNotMatch" {
            "The AccessKey secret does not match the AccessKeyId (the request signature was rejected)."
        } else if code.starts_with("InvalidAccessKeyId") {
            "The AccessKeyId is unknown or disabled."
        } else if code == "InvalidTimeStamp.Expired" {
            "The request timestamp was refused; check this server's clock."
        } else if code == "SignatureNonceUsed" {
            "The request was refused as a replay (the signature nonce was used before)."
        } else if code.starts_with("Forbidden") {
            "The cloud account's RAM policy does not allow this action."
        } else if code == "OperationDenied.DBClusterStatus" {
            "The cluster is busy with another change; wait until it is Running."
        } else if code.ends_with(".NotFound") || code.starts_with("InvalidDBClusterId") {
            "The resource does not exist (or no longer exists)."
        } else if code.starts_with("InvalidParameter") || code.starts_with("MissingParameter") {
            "A parameter was refused by the API."
        } else if code == "ServiceUnavailable" || code == "InternalError" {
            "The service is temporarily unavailable."
        } else if code == "Timeout" {
            "No answer arrived in time."
        } else if code == "Unreachable" {
            "The endpoint could not be reached."
        } else {
            ""
        };
        if hint.is_empty() {
            format!("{}: {}", self.code, self.message)
        } else {
            format!("{hint} ({}: {})", self.code, self.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echoed_string_to_sign_is_removed() {
        let e = ApiError::from_body(
            400,
            ErrorBody {
                code: "SignatureDoesNotMatch".into(),
                message: "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccountPassword%3DSecret1%21".into(),
                ..Default::default()
            },
        );
        assert!(!e.message.contains("Secret1"), "{}", e.message);
        assert!(e
            .message
            .starts_with("Specified signature is not matched with our calculation."));
        assert_eq!(sanitize_message("plain"), "plain");
    }

    #[test]
    fn messages_are_capped_and_have_no_control_characters() {
        let e = ApiError::from_body(
            400,
            ErrorBody {
                code: "InvalidParameter".into(),
                message: format!("bad\r\nvalue\u{1b}[31m\u{202e}{}", "x".repeat(2000)),
                ..Default::default()
            },
        );
        assert!(e.message.starts_with("bad  value [31m"), "{}", e.message);
        assert!(!e.message.chars().any(|c| c.is_control()));
        assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        let e = ApiError::without_body(404);
        assert_eq!(e.code, "Http404");
        assert_eq!(
            e.message,
            "the endpoint answered HTTP 404 without an API error body"
        );
        assert_eq!(ApiError::without_body(502).code, "ServiceUnavailable");
        assert!(is_api_code("InvalidDBClusterId.NotFound"));
        assert!(!is_api_code("<html>"));
        assert!(!is_api_code("not a code"));
        assert!(!is_api_code(""));
    }
}
