//! Client SDK for the Alibaba Cloud PolarDB OpenAPI, version 2017-08-01 (RPC style).
//!
//! * [`models`] — typed requests and responses with the API's own field names and JSON
//!   shapes (PascalCase, the official SDK models' wrappers such as `Items.DBCluster[]`).
//!   They depend on serde only and compile for wasm32, so the UI can use them.
//! * [`request`] — the canonical request: an action, a region and flat parameters checked
//!   against the catalogue and read into the typed request before anything is signed.
//! * [`rules`] — the reference's rules on values (descriptions, network ids, tags), checked
//!   by the pages as the user types and again on the server.
//! * [`sign`] (feature `signing`) — signature version 2 (HMAC-SHA1) and version 3
//!   (ACS3-HMAC-SHA256), shared by the client and the emulator.
//! * [`client`] (feature `client`) — the HTTP client: regional endpoints, retries, errors.
//! * [`cli`] (feature `cli`) — the `polardb` command-line caller (`polardb call ACTION`).

pub mod answer;
pub mod endpoints;
pub mod error;
pub mod lenient;
pub mod models;
pub mod request;
pub mod rules;
pub mod xml;

#[cfg(feature = "signing")]
pub mod sign;

#[cfg(feature = "client")]
pub mod client;

#[cfg(feature = "cli")]
pub mod cli;

pub use error::{ApiError, ErrorBody};

/// The API version every request carries.
pub const API_VERSION: &str = "2017-08-01";

/// Which signature algorithm a cloud account's calls use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SignatureVersion {
    /// HMAC-SHA1 in the query (`SignatureVersion=1.0`), as the API reference describes.
    #[default]
    #[serde(rename = "v2")]
    V2,
    /// `ACS3-HMAC-SHA256` in the Authorization header, the current SDKs' default.
    #[serde(rename = "v3")]
    V3,
}

impl SignatureVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureVersion::V2 => "v2",
            SignatureVersion::V3 => "v3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v2" | "2" | "1.0" | "hmac-sha1" => Some(SignatureVersion::V2),
            "v3" | "3" | "acs3-hmac-sha256" => Some(SignatureVersion::V3),
            _ => None,
        }
    }
}
