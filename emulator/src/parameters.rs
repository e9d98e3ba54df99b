//! Chapter 09: cluster parameters.

use polardb::models as m;

use crate::catalog::{parameter, value_allowed, PARAMETERS};
use crate::handlers::Ctx;
use crate::state::Effect;
use crate::util::{ok, Fault, Res};

/// DescribeDBClusterParameters: the running parameters (defaults and changes).
pub fn describe(c: &mut Ctx) -> Res {
    let cl = c.cluster()?;
    let pending: Vec<String> = match cl.job.as_ref().map(|j| &j.effect) {
        Some(Effect::Parameters { values }) => values.iter().map(|(k, _)| k.clone()).collect(),
        _ => vec![],
    };
    let running: Vec<m::RunningParameter> = PARAMETERS
        .iter()
        .map(|d| m::RunningParameter {
            checking_code: d.checking_code.to_string(),
            data_type: d.data_type.to_string(),
            default_parameter_value: d.default.to_string(),
            factor: String::new(),
            force_restart: d.force_restart,
            is_modifiable: d.modifiable,
            is_node_available: "1".into(),
            param_rely_rule: String::new(),
            parameter_description: d.description.to_string(),
            parameter_name: d.name.to_string(),
            parameter_status: if pending.iter().any(|p| p == d.name) {
                "Modifying".into()
            } else {
                "Normal".into()
            },
            parameter_value: cl.parameter(d),
        })
        .collect();
    ok(m::DescribeDBClusterParametersResponse {
        db_cluster_id: cl.id.clone(),
        db_type: "PostgreSQL".into(),
        db_version: cl.db_version.clone(),
        engine: "POLARDB".into(),
        parameter_numbers: running.len().to_string(),
        parameters: m::ParameterComparisonList::default(),
        request_id: String::new(),
        running_parameters: m::RunningParameters { parameter: running },
    })
}

/// ModifyDBClusterParameters: `{"name":"value",...}`. Changes that need a restart take the
/// cluster through `Rebooting`; the others apply at once.
pub fn modify(c: &mut Ctx) -> Res {
    let i = c.cluster_index()?;
    if c.p.opt("ParameterGroupId").is_some() {
        return Err(Fault::new(
            403,
            "OperationDenied.DBClusterEngine",
            "Parameter templates are supported by PolarDB for MySQL only.",
        ));
    }
    let text = c.p.required("Parameters")?;
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|_| Fault::invalid("Parameters"))?;
    let Some(map) = json.as_object().filter(|m| !m.is_empty()) else {
        return Err(Fault::invalid("Parameters"));
    };
    let mut values = Vec::new();
    let mut restart = false;
    for (name, value) in map {
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => if *b { "on" } else { "off" }.to_string(),
            _ => return Err(Fault::invalid("Parameters")),
        };
        let Some(def) = parameter(name) else {
            return Err(Fault::invalid_because(
                "Parameters",
                &format!("The parameter \"{name}\" does not exist."),
            ));
        };
        if !def.modifiable {
            return Err(Fault::invalid_because(
                "Parameters",
                &format!("The parameter \"{name}\" cannot be modified."),
            ));
        }
        if !value_allowed(def, &value) {
            return Err(Fault::invalid_because(
                "Parameters",
                &format!(
                    "The value \"{value}\" of parameter \"{name}\" is out of range {}.",
                    def.checking_code
                ),
            ));
        }
        restart |= def.force_restart && c.w.clusters[i].parameter(def) != value;
        values.push((name.clone(), value));
    }
    if !c.w.clusters[i].is_running() {
        return Err(Fault::busy());
    }
    if restart {
        c.start1(
            i,
            "ModifyDBClusterParameters",
            "Rebooting",
            Effect::Parameters { values },
        );
    } else {
        for (k, v) in values {
            c.w.clusters[i].parameters.insert(k, v);
        }
    }
    ok(m::ModifyDBClusterParametersResponse::default())
}
