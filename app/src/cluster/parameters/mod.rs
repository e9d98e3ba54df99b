//! `/clusters/:id/parameters`: every parameter of a cluster (DescribeDBClusterParameters)
//! with its current, default and allowed values and whether a change needs a restart;
//! a search box; several changes at once (ModifyDBClusterParameters with `{"name":"value"}`),
//! each value checked against the allowed values as it is typed and again on the server,
//! a summary before applying and a clear warning when the cluster restarts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::follow_cluster;
use crate::cluster::frame::{load_error, ClusterCtx};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::kit::{change_error, Dialog, DialogFooter, Loading};
use crate::AppError;

mod page;
mod server;
pub use page::*;
pub use server::*;

// ---------------------------------------------------------------------------------------
// Rules: the allowed values are the parameter's CheckingCode, `[min-max]` for a range (min
// may be negative) or `[a|b|c]` for an enumeration; an empty code takes any value.

/// What a CheckingCode allows.
#[derive(Clone, Debug, PartialEq)]
pub enum Allowed {
    Any,
    OneOf(Vec<String>),
    Range(f64, f64),
}

/// Reads a CheckingCode (`[1-100]`, `[-1-2147483647]`, `[on|off]`, empty).
pub fn allowed_values(code: &str) -> Allowed {
    let code = code.trim();
    let Some(inner) = code.strip_prefix('[').and_then(|c| c.strip_suffix(']')) else {
        return Allowed::Any;
    };
    if inner.contains('|') {
        return Allowed::OneOf(inner.split('|').map(str::to_string).collect());
    }
    // `min-max`: the separating hyphen is the first one after the first character.
    let split = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '-')
        .map(|(i, _)| i);
    if let Some(i) = split {
        if let (Ok(min), Ok(max)) = (inner[..i].parse::<f64>(), inner[i + 1..].parse::<f64>()) {
            return Allowed::Range(min, max);
        }
    }
    if inner.is_empty() {
        Allowed::Any
    } else {
        Allowed::OneOf(vec![inner.to_string()])
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// What is wrong with `value` for a parameter with this CheckingCode and DataType.
pub fn parameter_value_problem(
    locale: Locale,
    code: &str,
    data_type: &str,
    value: &str,
) -> Option<String> {
    if value.is_empty() {
        return Some(td_string!(locale, cluster_data.value_empty).to_string());
    }
    if value.trim() != value {
        return Some(td_string!(locale, cluster_data.value_spaces).to_string());
    }
    match allowed_values(code) {
        Allowed::Any => (value.len() > 1024)
            .then(|| td_string!(locale, cluster_data.value_too_long).to_string()),
        Allowed::OneOf(list) => (!list.iter().any(|v| v == value)).then(|| {
            td_string!(locale, cluster_data.value_one_of, list = list.join(", ")).to_string()
        }),
        Allowed::Range(min, max) => {
            let int = data_type.eq_ignore_ascii_case("INT");
            let parsed = if int {
                value.parse::<i64>().ok().map(|n| n as f64)
            } else {
                value.parse::<f64>().ok().filter(|v| v.is_finite())
            };
            let (lo, hi) = (number(min), number(max));
            match parsed {
                None if int => Some(
                    td_string!(
                        locale,
                        cluster_data.value_whole_number,
                        min = &lo,
                        max = &hi
                    )
                    .to_string(),
                ),
                None => Some(
                    td_string!(locale, cluster_data.value_number, min = &lo, max = &hi).to_string(),
                ),
                Some(v) if v < min || v > max => Some(
                    td_string!(locale, cluster_data.value_range, min = &lo, max = &hi).to_string(),
                ),
                Some(_) => None,
            }
        }
    }
}

/// The parameter changes as the API takes them: `{"name":"value",...}` (values as strings).
pub fn parameters_json(changes: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = changes
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Whether any of `changes` needs a restart: a ForceRestart parameter whose value changes.
pub fn needs_restart(params: &[Parameter], changes: &[(String, String)]) -> bool {
    changes.iter().any(|(name, value)| {
        params
            .iter()
            .any(|p| p.parameter_name == *name && p.force_restart && p.parameter_value != *value)
    })
}

/// What is wrong with a set of changes, checked against the parameters as read: (field,
/// problem) of the first wrong one.
pub fn changes_problem(
    locale: Locale,
    params: &[Parameter],
    changes: &[(String, String)],
) -> Option<(String, String)> {
    if changes.is_empty() {
        return Some((
            "Parameters".into(),
            td_string!(locale, cluster_data.change_at_least_one).to_string(),
        ));
    }
    for (name, value) in changes {
        let Some(p) = params.iter().find(|p| p.parameter_name == *name) else {
            return Some((
                name.clone(),
                td_string!(locale, cluster_data.not_a_parameter).to_string(),
            ));
        };
        if !p.is_modifiable {
            return Some((
                name.clone(),
                td_string!(locale, cluster_data.cannot_be_changed).to_string(),
            ));
        }
        if let Some(problem) =
            parameter_value_problem(locale, &p.checking_code, &p.data_type, value)
        {
            return Some((name.clone(), problem));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Server functions.

/// The parameters of a cluster and whether the user may change them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParametersData {
    pub params: Vec<Parameter>,
    pub can_modify: bool,
}

/// One running parameter as this page shows and checks it (from
/// DescribeDBClusterParameters' `Parameters.Parameter`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub parameter_name: String,
    pub parameter_value: String,
    pub default_parameter_value: String,
    pub parameter_description: String,
    pub parameter_status: String,
    /// The allowed values: `[min-max]`, `[a|b|c]` or empty.
    pub checking_code: String,
    pub data_type: String,
    pub force_restart: bool,
    pub is_modifiable: bool,
}

#[cfg(feature = "ssr")]
impl From<polardb::models::RunningParameter> for Parameter {
    fn from(p: polardb::models::RunningParameter) -> Self {
        Parameter {
            parameter_name: p.parameter_name,
            parameter_value: p.parameter_value,
            default_parameter_value: p.default_parameter_value,
            parameter_description: p.parameter_description,
            parameter_status: p.parameter_status,
            checking_code: p.checking_code,
            data_type: p.data_type,
            force_restart: p.force_restart,
            is_modifiable: p.is_modifiable,
        }
    }
}

#[cfg(feature = "ssr")]
async fn read_parameters(
    api: &crate::call::Api,
    account: &str,
    region: &str,
    cluster: &str,
) -> Result<Vec<Parameter>, AppError> {
    let body = api
        .call(
            account,
            region,
            &polardb::models::DescribeDBClusterParameters {
                db_cluster_id: cluster.to_string(),
            },
        )
        .await?;
    Ok(body
        .running_parameters
        .parameter
        .into_iter()
        .map(Parameter::from)
        .collect())
}

/// What an applied change did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub request_id: String,
    pub restart: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Locale = Locale::en;

    fn param(name: &str, value: &str, code: &str, dtype: &str, restart: bool) -> Parameter {
        Parameter {
            parameter_name: name.into(),
            parameter_value: value.into(),
            checking_code: code.into(),
            data_type: dtype.into(),
            force_restart: restart,
            is_modifiable: true,
            ..Default::default()
        }
    }

    #[test]
    fn checking_codes_are_read() {
        assert_eq!(allowed_values("[1-100]"), Allowed::Range(1.0, 100.0));
        assert_eq!(
            allowed_values("[-1-2147483647]"),
            Allowed::Range(-1.0, 2147483647.0)
        );
        assert_eq!(
            allowed_values("[on|off]"),
            Allowed::OneOf(vec!["on".into(), "off".into()])
        );
        assert_eq!(allowed_values(""), Allowed::Any);
        assert_eq!(allowed_values("^.*$"), Allowed::Any);
    }

    #[test]
    fn values_are_checked_against_the_allowed_values() {
        assert_eq!(parameter_value_problem(EN, "[1-100]", "INT", "1"), None);
        assert_eq!(parameter_value_problem(EN, "[1-100]", "INT", "100"), None);
        assert_eq!(
            parameter_value_problem(EN, "[1-100]", "INT", "101").as_deref(),
            Some("must be from 1 to 100")
        );
        assert_eq!(
            parameter_value_problem(EN, "[1-100]", "INT", "1.5").as_deref(),
            Some("must be a whole number from 1 to 100")
        );
        assert!(parameter_value_problem(EN, "[1-100]", "INT", "ten").is_some());
        assert_eq!(
            parameter_value_problem(EN, "[-1-2147483647]", "INT", "-1"),
            None
        );
        assert!(parameter_value_problem(EN, "[-1-2147483647]", "INT", "-2").is_some());
        assert_eq!(
            parameter_value_problem(EN, "[0-100]", "DOUBLE", "0.05"),
            None
        );
        assert!(parameter_value_problem(EN, "[0-100]", "DOUBLE", "NaN").is_some());
        assert_eq!(parameter_value_problem(EN, "[on|off]", "BOOL", "on"), None);
        assert_eq!(
            parameter_value_problem(EN, "[on|off]", "BOOL", "yes").as_deref(),
            Some("must be one of on, off")
        );
        assert_eq!(
            parameter_value_problem(
                EN,
                "[read committed|serializable]",
                "STRING",
                "serializable"
            ),
            None
        );
        assert_eq!(
            parameter_value_problem(EN, "", "STRING", "\"$user\", public"),
            None
        );
        assert!(parameter_value_problem(EN, "", "STRING", "").is_some());
        assert!(parameter_value_problem(EN, "[1-100]", "INT", " 5").is_some());
    }

    #[test]
    fn changes_restart_and_json() {
        let ps = vec![
            param("work_mem", "4096", "[64-2147483647]", "INT", false),
            param(
                "max_prepared_transactions",
                "800",
                "[0-262143]",
                "INT",
                true,
            ),
        ];
        let c = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(!needs_restart(&ps, &c(&[("work_mem", "8192")])));
        assert!(needs_restart(
            &ps,
            &c(&[("max_prepared_transactions", "900")])
        ));
        assert!(!needs_restart(
            &ps,
            &c(&[("max_prepared_transactions", "800")])
        ));
        assert_eq!(changes_problem(EN, &ps, &c(&[("work_mem", "8192")])), None);
        assert_eq!(
            changes_problem(EN, &ps, &c(&[("work_mem", "10")])),
            Some(("work_mem".into(), "must be from 64 to 2147483647".into()))
        );
        assert!(changes_problem(EN, &ps, &c(&[("nope", "1")])).is_some());
        assert!(changes_problem(EN, &ps, &[]).is_some());
        let mut fixed = param("shared_buffers", "1", "", "INT", true);
        fixed.is_modifiable = false;
        assert_eq!(
            changes_problem(EN, &[fixed], &c(&[("shared_buffers", "2")]))
                .unwrap()
                .1,
            "cannot be changed"
        );
        let json: serde_json::Value =
            serde_json::from_str(&parameters_json(&c(&[("work_mem", "8192"), ("jit", "on")])))
                .unwrap();
        assert_eq!(json, serde_json::json!({"work_mem": "8192", "jit": "on"}));
        assert_eq!(
            pending_changes(
                &ps,
                &c(&[("work_mem", "4096"), ("max_prepared_transactions", "900")])
            ),
            c(&[("max_prepared_transactions", "900")])
        );
    }
}
