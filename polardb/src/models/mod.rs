//! Typed requests and responses. Field names are the API's own (PascalCase) and the
//! JSON shapes are the official SDK models' (list wrappers such as `Items.DBCluster[]`).

use serde::{de::DeserializeOwned, Deserialize, Serialize};

mod clusters;
mod regions;

pub use clusters::*;
pub use regions::*;

/// Whether an action only reads or changes something. Drives retries, roles and audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionKind {
    Read,
    Write,
}

/// One API action: its name, kind, parameters and typed response.
pub trait Action: Serialize {
    const NAME: &'static str;
    const KIND: ActionKind;
    type Response: DeserializeOwned + Serialize;

    /// The request's parameters as the flat `Key=Value` list the RPC style sends.
    fn to_params(&self) -> Vec<(String, String)> {
        flatten_params(&serde_json::to_value(self).unwrap_or(serde_json::Value::Null))
    }
}

/// Flattens a serialized request into RPC parameters: scalars as they are, lists as
/// `Name.1`, `Name.2`, lists of objects as `Name.1.Field`; `null` values are left out.
pub fn flatten_params(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        use serde_json::Value;
        match v {
            Value::Null => {}
            Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
            Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{prefix}.{}", i + 1), item, out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, item, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// A tag as a request parameter (`Tag.N.Key`, `Tag.N.Value`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagParam {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_objects_flatten_with_one_based_indexes() {
        let req = DescribeDBClusters {
            region_id: "cn-hangzhou".into(),
            tag: vec![
                TagParam {
                    key: "env".into(),
                    value: "prod".into(),
                },
                TagParam {
                    key: "team".into(),
                    value: String::new(),
                },
            ],
            page_size: Some(50),
            ..Default::default()
        };
        let mut params = req.to_params();
        params.sort();
        assert_eq!(
            params,
            vec![
                ("PageSize".to_string(), "50".to_string()),
                ("RegionId".to_string(), "cn-hangzhou".to_string()),
                ("Tag.1.Key".to_string(), "env".to_string()),
                ("Tag.1.Value".to_string(), "prod".to_string()),
                ("Tag.2.Key".to_string(), "team".to_string()),
                ("Tag.2.Value".to_string(), String::new()),
            ]
        );
    }
}
