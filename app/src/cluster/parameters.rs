//! `/clusters/:id/parameters`: every parameter of a cluster (DescribeDBClusterParameters)
//! with its current, default and allowed values and whether a change needs a restart;
//! a search box; several changes at once (ModifyDBClusterParameters with `{"name":"value"}`),
//! each value checked against the allowed values as it is typed and again on the server,
//! a summary before applying and a clear warning when the cluster restarts.

use leptos::prelude::*;
use polardb::models::RunningParameter;
use serde::{Deserialize, Serialize};

use crate::cluster::frame::follow_cluster;
use crate::cluster::frame::{load_error, ClusterCtx};
use crate::kit::{change_error, Dialog, DialogFooter, Loading};
use crate::AppError;

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
pub fn parameter_value_problem(code: &str, data_type: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".into());
    }
    if value.trim() != value {
        return Some("must not start or end with spaces".into());
    }
    match allowed_values(code) {
        Allowed::Any => (value.len() > 1024).then(|| "must have at most 1024 characters".into()),
        Allowed::OneOf(list) => (!list.iter().any(|v| v == value))
            .then(|| format!("must be one of {}", list.join(", "))),
        Allowed::Range(min, max) => {
            let int = data_type.eq_ignore_ascii_case("INT");
            let parsed = if int {
                value.parse::<i64>().ok().map(|n| n as f64)
            } else {
                value.parse::<f64>().ok().filter(|v| v.is_finite())
            };
            let kind = if int { "a whole number" } else { "a number" };
            match parsed {
                None => Some(format!(
                    "must be {kind} from {} to {}",
                    number(min),
                    number(max)
                )),
                Some(v) if v < min || v > max => {
                    Some(format!("must be from {} to {}", number(min), number(max)))
                }
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
pub fn needs_restart(params: &[RunningParameter], changes: &[(String, String)]) -> bool {
    changes.iter().any(|(name, value)| {
        params
            .iter()
            .any(|p| p.parameter_name == *name && p.force_restart && p.parameter_value != *value)
    })
}

/// What is wrong with a set of changes, checked against the parameters as read: (field,
/// problem) of the first wrong one.
pub fn changes_problem(
    params: &[RunningParameter],
    changes: &[(String, String)],
) -> Option<(String, String)> {
    if changes.is_empty() {
        return Some(("Parameters".into(), "change at least one parameter".into()));
    }
    for (name, value) in changes {
        let Some(p) = params.iter().find(|p| p.parameter_name == *name) else {
            return Some((name.clone(), "is not a parameter of this cluster".into()));
        };
        if !p.is_modifiable {
            return Some((name.clone(), "cannot be changed".into()));
        }
        if let Some(problem) = parameter_value_problem(&p.checking_code, &p.data_type, value) {
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
    pub params: Vec<RunningParameter>,
    pub can_modify: bool,
}

#[cfg(feature = "ssr")]
async fn read_parameters(
    account: &str,
    region: &str,
    cluster: &str,
) -> Result<Vec<RunningParameter>, AppError> {
    let answer = crate::api::call_api(
        account.to_string(),
        region.to_string(),
        "DescribeDBClusterParameters".into(),
        vec![("DBClusterId".into(), cluster.to_string())],
    )
    .await?;
    let body: polardb::models::DescribeDBClusterParametersResponse =
        serde_json::from_str(&answer.json).map_err(|e| {
            AppError::ServerFn(format!(
                "The DescribeDBClusterParameters answer had an unexpected shape: {e}"
            ))
        })?;
    Ok(body.running_parameters.parameter)
}

/// Reads the parameters (DescribeDBClusterParameters) and whether the user may change them.
#[server]
pub async fn load_parameters(
    account: String,
    region: String,
    cluster: String,
) -> Result<ParametersData, AppError> {
    let mut params = read_parameters(&account, &region, &cluster).await?;
    params.sort_by(|a, b| a.parameter_name.cmp(&b.parameter_name));
    let can_modify = !crate::api::permissions(
        account,
        region,
        Some(cluster),
        vec!["polardb:ModifyDBClusterParameters".into()],
    )
    .await?
    .is_empty();
    Ok(ParametersData { params, can_modify })
}

/// What an applied change did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub request_id: String,
    pub restart: bool,
}

/// Changes several parameters at once (ModifyDBClusterParameters). Each value is checked
/// against the parameter's allowed values as the API reports them now.
#[server(endpoint = "apply_parameters")]
pub async fn apply_parameters(
    account: String,
    region: String,
    cluster: String,
    changes: Vec<(String, String)>,
) -> Result<Applied, AppError> {
    let params = read_parameters(&account, &region, &cluster).await?;
    if let Some((field, message)) = changes_problem(&params, &changes) {
        return Err(AppError::Invalid { field, message });
    }
    let restart = needs_restart(&params, &changes);
    let answer = crate::api::call_api(
        account,
        region,
        "ModifyDBClusterParameters".into(),
        vec![
            ("DBClusterId".into(), cluster),
            ("Parameters".into(), parameters_json(&changes)),
        ],
    )
    .await?;
    Ok(Applied {
        request_id: answer.request_id,
        restart,
    })
}

// ---------------------------------------------------------------------------------------
// The page.

/// `/clusters/:id/parameters`.
#[component]
pub fn ClusterParametersPage() -> impl IntoView {
    view! {
        <Parameters />
    }
}

/// The edits that would change something: (name, value) with a value other than the current.
fn pending_changes(
    params: &[RunningParameter],
    edits: &[(String, String)],
) -> Vec<(String, String)> {
    edits
        .iter()
        .filter(|(name, value)| {
            params
                .iter()
                .find(|p| p.parameter_name == *name)
                .is_none_or(|p| p.parameter_value != *value)
        })
        .cloned()
        .collect()
}

#[component]
fn Parameters() -> impl IntoView {
    let ctx = expect_context::<ClusterCtx>();
    let data = ctx.data;
    let hydrated = ctx.hydrated;
    let tick = follow_cluster(ctx);
    let scope = ctx.scope;
    let changed = ctx.changed;
    let loaded = Resource::new(
        move || (scope.get(), changed.get(), tick.get()),
        move |_| async move {
            let d = data.await?;
            load_parameters(d.account, d.region, d.attr.db_cluster_id).await
        },
    );
    let apply = ServerAction::<ApplyParameters>::new();

    let search = RwSignal::new(String::new());
    // New values as typed, in the order first edited.
    let edits = RwSignal::new(Vec::<(String, String)>::new());
    let review = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    ctx.after_success(apply.value(), move || {
        review.set(false);
        edits.set(Vec::new());
        let restart = matches!(apply.value().get_untracked(), Some(Ok(a)) if a.restart);
        done.set(Some(if restart {
            "Parameters changed. The cluster restarts (Rebooting) to apply them; the new values show once it is Running."
                .into()
        } else {
            "Parameters changed.".into()
        }));
    });

    let params = move || -> Vec<RunningParameter> {
        match loaded.get() {
            Some(Ok(p)) => p.params,
            _ => Vec::new(),
        }
    };
    let edit_of =
        move |name: &str| edits.with(|e| e.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()));
    let set_edit = move |name: String, value: String| {
        edits.update(|e| {
            if let Some(slot) = e.iter_mut().find(|(n, _)| *n == name) {
                slot.1 = value;
            } else {
                e.push((name, value));
            }
        });
    };
    let pending = move || pending_changes(&params(), &edits.get());
    let problems = move || -> Vec<(String, String)> {
        let ps = params();
        edits
            .get()
            .iter()
            .filter_map(|(name, value)| {
                let p = ps.iter().find(|p| p.parameter_name == *name)?;
                parameter_value_problem(&p.checking_code, &p.data_type, value)
                    .map(|m| (name.clone(), m))
            })
            .collect()
    };
    let restart = move || needs_restart(&params(), &pending());
    let blocked = move || !problems().is_empty() || pending().is_empty();

    let submit = move |_| {
        let Some(d) = data.get_untracked().and_then(|r| r.ok()) else {
            return;
        };
        let changes = pending();
        if changes_problem(&params(), &changes).is_some() {
            return;
        }
        apply.dispatch(ApplyParameters {
            account: d.account,
            region: d.region,
            cluster: d.attr.db_cluster_id,
            changes,
        });
    };

    view! {
        {move || done.get().map(|m| view! { <div class="banner banner-ok" role="status" data-testid="params-done">{m}</div> })}
        <Transition fallback=|| view! { <Loading label="Reading the parameters…" /> }>
            {move || Suspend::new(async move {
                let id = ctx.scope.read_untracked().id.clone();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_error(e, id),
                };
                let p = match loaded.await {
                    Ok(p) => p,
                    Err(e) => return load_error(e, id),
                };
                let running = d.running();
                let can_modify = p.can_modify;
                let total = p.params.len();
                let restart_count = p.params.iter().filter(|x| x.force_restart).count();
                view! {
                    <div class="toolbar">
                        <p class="muted" data-testid="params-count">
                            {format!("{total} parameters; changing {restart_count} of them restarts the cluster. ")}
                            {(!running).then(|| view! { <span class="refusal">{format!("The cluster is {}; changes wait until it is Running.", d.attr.db_cluster_status)}</span> })}
                        </p>
                        <input type="search" class="params-search" placeholder="Search by name or description" aria-label="Search parameters"
                            data-testid="params-search"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev)) />
                    </div>
                    <div class="table-wrap">
                        <table class="grid params-table" data-testid="params-table">
                            <thead>
                                <tr>
                                    <th>"Parameter"</th>
                                    <th>"Current"</th>
                                    <th>"Default"</th>
                                    <th>"Allowed values"</th>
                                    <th>"Restart"</th>
                                    {(can_modify && running).then(|| view! { <th>"New value"</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {p.params.into_iter().map(|x| {
                                    let name = x.parameter_name.clone();
                                    let haystack = format!("{} {}", x.parameter_name, x.parameter_description).to_lowercase();
                                    let hidden = move || {
                                        let q = search.get().trim().to_lowercase();
                                        !q.is_empty() && !haystack.contains(&q)
                                    };
                                    let editable = can_modify && running && x.is_modifiable;
                                    let (code, dtype) = (x.checking_code.clone(), x.data_type.clone());
                                    let n1 = name.clone();
                                    let problem = move || edit_of(&n1).and_then(|v| parameter_value_problem(&code, &dtype, &v));
                                    let options = match allowed_values(&x.checking_code) {
                                        Allowed::OneOf(list) => Some(list),
                                        _ => None,
                                    };
                                    let current = x.parameter_value.clone();
                                    view! {
                                        <tr data-param=name.clone() data-restart=x.force_restart.to_string() data-status=x.parameter_status.clone() class:hidden=hidden>
                                            <td>
                                                <div class="mono param-name">{name.clone()}</div>
                                                <div class="muted param-desc">{x.parameter_description.clone()}</div>
                                            </td>
                                            <td class="mono" data-testid="param-current">
                                                {x.parameter_value.clone()}
                                                {(x.parameter_status == "Modifying").then(|| view! { " " <span class="badge badge-busy">"Modifying"</span> })}
                                            </td>
                                            <td class="mono">{x.default_parameter_value.clone()}</td>
                                            <td class="mono allowed">{if x.checking_code.is_empty() { "any".to_string() } else { x.checking_code.replace('|', " | ") }}</td>
                                            <td>{if x.force_restart { view! { <span class="badge badge-bad">"Restart"</span> }.into_any() } else { view! { <span class="muted">"No"</span> }.into_any() }}</td>
                                            {(can_modify && running).then(|| {
                                                let n2 = name.clone();
                                                let n3 = name.clone();
                                                if !editable {
                                                    return view! { <td class="muted">"Fixed"</td> }.into_any();
                                                }
                                                let input = match options {
                                                    Some(list) => view! {
                                                        <select data-testid="param-input" aria-label=format!("New value of {name}")
                                                            prop:value=move || edit_of(&n2).unwrap_or_default()
                                                            on:change=move |ev| {
                                                                let v = event_target_value(&ev);
                                                                if v.is_empty() { edits.update(|e| e.retain(|(n, _)| *n != n3)); } else { set_edit(n3.clone(), v); }
                                                            }>
                                                            <option value="">"— unchanged —"</option>
                                                            {list.into_iter().map(|o| {
                                                                let label = if o == current { format!("{o} (current)") } else { o.clone() };
                                                                view! { <option value=o.clone()>{label}</option> }
                                                            }).collect_view()}
                                                        </select>
                                                    }.into_any(),
                                                    None => view! {
                                                        <input type="text" class="mono" data-testid="param-input" aria-label=format!("New value of {name}")
                                                            placeholder=current.clone()
                                                            prop:value=move || edit_of(&n2).unwrap_or_default()
                                                            on:input=move |ev| {
                                                                let v = event_target_value(&ev);
                                                                if v.is_empty() { edits.update(|e| e.retain(|(n, _)| *n != n3)); } else { set_edit(n3.clone(), v); }
                                                            } />
                                                    }.into_any(),
                                                };
                                                view! {
                                                    <td>
                                                        {input}
                                                        <div class="field-hint" data-testid="param-problem">
                                                            {move || problem().map(|p| view! { <span class="field-error">{format!("{p}.")}</span> })}
                                                        </div>
                                                    </td>
                                                }.into_any()
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(can_modify && running).then(|| view! {
                        <section class="panel params-summary" data-testid="params-summary">
                            {move || {
                                let changes = pending();
                                let errs = problems();
                                if changes.is_empty() && errs.is_empty() {
                                    return view! { <p class="muted">"Type a new value in the last column; changes are collected here and sent together."</p> }.into_any();
                                }
                                view! {
                                    <h2>{format!("{} pending change{}", changes.len(), if changes.len() == 1 { "" } else { "s" })}</h2>
                                    <ul class="pending-list" data-testid="pending-list">
                                        {let ps = params(); changes.iter().map(|(name, value)| {
                                            let p = ps.iter().find(|p| p.parameter_name == *name);
                                            let now = p.map(|p| p.parameter_value.clone()).unwrap_or_default();
                                            let restart = p.is_some_and(|p| p.force_restart);
                                            view! { <li class="mono">{format!("{name}: {now} → {value}")}{restart.then(|| view! { " " <span class="badge badge-bad">"Restart"</span> })}</li> }
                                        }).collect_view()}
                                    </ul>
                                    {(!errs.is_empty()).then(|| view! {
                                        <p class="field-error" data-testid="params-blocked">{format!("{} value{} not allowed: fix {} before applying.", errs.len(), if errs.len() == 1 { " is" } else { "s are" }, errs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>().join(", "))}</p>
                                    })}
                                    {restart().then(|| view! {
                                        <p class="restart-warning" role="note" data-testid="restart-warning">"One of these changes needs a restart: the cluster restarts (all nodes, connections drop) as soon as it is applied."</p>
                                    })}
                                    <div class="modal-actions">
                                        <button type="button" class="small" data-testid="discard-params" on:click=move |_| edits.set(Vec::new())>"Discard"</button>
                                        <button type="button" class="small primary-small" data-testid="review-params"
                                            disabled=move || !hydrated.get() || blocked()
                                            on:click=move |_| { apply.value().set(None); done.set(None); review.set(true); }>"Review and apply…"</button>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    })}
                }
                .into_any()
            })}
        </Transition>

        {move || review.get().then(|| {
            let ps = params();
            let changes = pending();
            let restart_now = needs_restart(&ps, &changes);
            let title = format!("Apply {} parameter change{}?", changes.len(), if changes.len() == 1 { "" } else { "s" });
            view! {
                <Dialog title_id="params-review-title" title=title testid="params-review" on_close=move || review.set(false)>
                        <table class="grid">
                            <thead><tr><th>"Parameter"</th><th>"Now"</th><th>"New"</th><th>"Restart"</th></tr></thead>
                            <tbody>
                                {changes.iter().map(|(name, value)| {
                                    let p = ps.iter().find(|p| p.parameter_name == *name);
                                    let now = p.map(|p| p.parameter_value.clone()).unwrap_or_default();
                                    let restart = p.is_some_and(|p| p.force_restart);
                                    view! {
                                        <tr data-change=name.clone()>
                                            <td class="mono">{name.clone()}</td>
                                            <td class="mono">{now}</td>
                                            <td class="mono">{value.clone()}</td>
                                            <td>{if restart { "Yes" } else { "No" }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {if restart_now {
                            view! { <p class="restart-warning" role="note" data-testid="review-restart-warning">"The cluster restarts to apply this: every node restarts and connections drop, usually for a minute or two. This API applies parameter changes at once; it offers no way to schedule the restart for later."</p> }.into_any()
                        } else {
                            view! { <p class="muted">"These changes take effect without a restart."</p> }.into_any()
                        }}
                        {change_error(apply.value())}
                        <DialogFooter slot>
                            <button type="button" class="small" data-testid="cancel-review" data-autofocus on:click=move |_| review.set(false)>"Cancel"</button>
                            <button type="button" class="small primary-small" class:danger=restart_now data-testid="apply-params"
                                disabled=move || apply.pending().get() on:click=submit>
                                {move || if apply.pending().get() { "Applying…" } else if restart_now { "Apply and restart" } else { "Apply" }}
                            </button>
                        </DialogFooter>
                </Dialog>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, value: &str, code: &str, dtype: &str, restart: bool) -> RunningParameter {
        RunningParameter {
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
        assert_eq!(parameter_value_problem("[1-100]", "INT", "1"), None);
        assert_eq!(parameter_value_problem("[1-100]", "INT", "100"), None);
        assert_eq!(
            parameter_value_problem("[1-100]", "INT", "101").as_deref(),
            Some("must be from 1 to 100")
        );
        assert_eq!(
            parameter_value_problem("[1-100]", "INT", "1.5").as_deref(),
            Some("must be a whole number from 1 to 100")
        );
        assert!(parameter_value_problem("[1-100]", "INT", "ten").is_some());
        assert_eq!(
            parameter_value_problem("[-1-2147483647]", "INT", "-1"),
            None
        );
        assert!(parameter_value_problem("[-1-2147483647]", "INT", "-2").is_some());
        assert_eq!(parameter_value_problem("[0-100]", "DOUBLE", "0.05"), None);
        assert!(parameter_value_problem("[0-100]", "DOUBLE", "NaN").is_some());
        assert_eq!(parameter_value_problem("[on|off]", "BOOL", "on"), None);
        assert_eq!(
            parameter_value_problem("[on|off]", "BOOL", "yes").as_deref(),
            Some("must be one of on, off")
        );
        assert_eq!(
            parameter_value_problem("[read committed|serializable]", "STRING", "serializable"),
            None
        );
        assert_eq!(
            parameter_value_problem("", "STRING", "\"$user\", public"),
            None
        );
        assert!(parameter_value_problem("", "STRING", "").is_some());
        assert!(parameter_value_problem("[1-100]", "INT", " 5").is_some());
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
        assert_eq!(changes_problem(&ps, &c(&[("work_mem", "8192")])), None);
        assert_eq!(
            changes_problem(&ps, &c(&[("work_mem", "10")])),
            Some(("work_mem".into(), "must be from 64 to 2147483647".into()))
        );
        assert!(changes_problem(&ps, &c(&[("nope", "1")])).is_some());
        assert!(changes_problem(&ps, &[]).is_some());
        let mut fixed = param("shared_buffers", "1", "", "INT", true);
        fixed.is_modifiable = false;
        assert_eq!(
            changes_problem(&[fixed], &c(&[("shared_buffers", "2")]))
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
