//! The single RPC entry point: parse, count, authenticate, inject faults, dispatch, answer.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use polardb::models::{action_info, ActionKind};
use serde_json::{json, Value};

use crate::state::{start_job, Cluster, Effect, Job, World};
use crate::util::{check_client_token, hash64};
pub use crate::util::{Fault, Params, Res};
use crate::Emulator;

/// Everything an action handler works with.
pub struct Ctx<'a> {
    pub w: &'a mut World,
    pub p: &'a Params,
    /// Now, in Unix milliseconds.
    pub now: i64,
    /// Milliseconds per state transition.
    pub speed: i64,
}

impl Ctx<'_> {
    /// The index of the cluster named by the required `DBClusterId`.
    pub fn cluster_index(&self) -> Result<usize, Fault> {
        let id = self.p.required("DBClusterId")?;
        self.w
            .cluster_index(id.trim())
            .ok_or_else(Fault::cluster_not_found)
    }

    pub fn cluster(&self) -> Result<&Cluster, Fault> {
        let i = self.cluster_index()?;
        Ok(&self.w.clusters[i])
    }

    pub fn cluster_mut(&mut self) -> Result<&mut Cluster, Fault> {
        let i = self.cluster_index()?;
        Ok(&mut self.w.clusters[i])
    }

    /// The cluster, which must be Running (not busy with another change).
    pub fn running_index(&self) -> Result<usize, Fault> {
        let i = self.cluster_index()?;
        if !self.w.clusters[i].is_running() {
            return Err(Fault::busy());
        }
        Ok(i)
    }

    /// Starts an asynchronous change of `steps` transitions on cluster `i`.
    pub fn start(
        &mut self,
        i: usize,
        action: &str,
        status: &str,
        steps: Vec<String>,
        effect: Effect,
    ) -> String {
        let task_id = self.w.next_number(300_000_000);
        let job = Job {
            task_id: task_id.clone(),
            action: action.to_string(),
            status: status.to_string(),
            started_ms: self.now,
            step_ms: self.speed,
            steps,
            effect,
            schedule_task: None,
        };
        start_job(&mut self.w.clusters[i], job);
        task_id
    }

    /// Starts a one-transition change.
    pub fn start1(&mut self, i: usize, action: &str, status: &str, effect: Effect) -> String {
        self.start(i, action, status, vec![action.to_string()], effect)
    }
}

/// Common parameters, left out of a request's fingerprint.
const COMMON: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "ClientToken",
    "RegionId",
];

/// A hash of the business parameters of a request.
fn fingerprint(params: &Params) -> u64 {
    let mut pairs: Vec<String> = params
        .0
        .iter()
        .filter(|(k, _)| !COMMON.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    let refs: Vec<&str> = pairs.iter().map(String::as_str).collect();
    hash64(&refs)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

pub async fn entry(
    State(emu): State<Arc<Emulator>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query_params: Vec<(String, String)> = query
        .as_deref()
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    let mut params = query_params.clone();
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if method == Method::POST && is_form && !body.is_empty() {
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
            Ok(form) => params.extend(form),
            Err(_) => {
                return answer(
                    "JSON",
                    None,
                    Err(Fault::new(
                        400,
                        "InvalidParameter",
                        "The form body is malformed.",
                    )),
                )
            }
        }
    }
    let header_list: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let v3 = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(polardb::sign::V3_ALGORITHM));
    if v3 {
        // Version 3 carries the action and version in headers.
        for (name, param) in [("x-acs-action", "Action"), ("x-acs-version", "Version")] {
            if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                params.push((param.to_string(), v.to_string()));
            }
        }
    }
    let params = Params(params);
    let json_accepted = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let default_format = if v3 && json_accepted { "JSON" } else { "XML" };
    let format = params
        .get("Format")
        .unwrap_or(default_format)
        .to_ascii_uppercase();
    let auth = Auth {
        v3,
        query: &query_params,
        headers: &header_list,
        body: &body,
    };
    let action = params.get("Action").unwrap_or_default().to_string();
    let result = handle(&emu, method.as_str(), &params, auth).await;
    if !action.is_empty() {
        let mut stats = emu.stats.lock().expect("stats lock");
        let a = stats.action(&action);
        if result.is_ok() {
            a.succeeded += 1;
        } else {
            a.failed += 1;
        }
    }
    if emu.config.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(emu.config.latency_ms)).await;
    }
    answer(&format, Some(&action), result)
}

/// What authentication needs from the raw request.
struct Auth<'a> {
    v3: bool,
    query: &'a [(String, String)],
    headers: &'a [(String, String)],
    body: &'a [u8],
}

async fn handle(emu: &Emulator, method: &str, params: &Params, auth: Auth<'_>) -> Res {
    let Some(action) = params.get("Action").filter(|a| !a.is_empty()) else {
        return Err(Fault::new(
            400,
            "MissingAction",
            "The input parameter \"Action\" that is mandatory for processing this request is not supplied.",
        ));
    };
    match params.get("Version") {
        None | Some("") => {
            return Err(Fault::new(
                400,
                "MissingVersion",
                "The input parameter \"Version\" that is mandatory for processing this request is not supplied.",
            ))
        }
        Some(polardb::API_VERSION) => {}
        Some(_) => {
            return Err(Fault::new(
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ))
        }
    }
    let info = action_info(action);
    let write = info.is_some_and(|i| i.kind == ActionKind::Write);
    let token = params.opt("ClientToken").filter(|_| write);
    let print = fingerprint(params);
    emu.stats
        .lock()
        .expect("stats lock")
        .received(action, write, token, print);
    let now = time::OffsetDateTime::now_utc();
    {
        let mut nonces = emu.nonces.lock().await;
        if auth.v3 {
            crate::auth::check_v3(
                method,
                auth.query,
                auth.headers,
                auth.body,
                &emu.config.access_keys,
                &mut nonces,
                now,
            )?;
        } else {
            crate::auth::check_v2(method, &params.0, &emu.config.access_keys, &mut nonces, now)?;
        }
    }
    if info.is_none() {
        return Err(Fault::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ));
    }
    let injected = emu.faults.lock().expect("faults lock").draw();
    if let Some(injected) = injected {
        let mut stats = emu.stats.lock().expect("stats lock");
        let a = stats.action(action);
        match injected {
            crate::faults::Injected::Throttled => a.throttled += 1,
            crate::faults::Injected::Unavailable => a.unavailable += 1,
        }
        return Err(injected.fault());
    }
    let mut world = emu.world.lock().await;
    let now_ms = crate::util::now_ms();
    world.tick(now_ms);
    if let Some(token) = token {
        check_client_token(token)?;
        let key = (action.to_string(), token.to_string());
        if let Some(done) = world.idempotency.get(&key) {
            if done.fingerprint != print {
                return Err(Fault::new(
                    400,
                    "IdempotentParameterMismatch",
                    "The request uses the same client token as a previous, but non-identical request.",
                ));
            }
            let body = done.body.clone();
            emu.stats
                .lock()
                .expect("stats lock")
                .action(action)
                .idempotent_replays += 1;
            return Ok(body);
        }
    }
    let mut ctx = Ctx {
        w: &mut world,
        p: params,
        now: now_ms,
        speed: emu.config.speed_ms.max(1) as i64,
    };
    let result = dispatch(action, &mut ctx);
    if let (Some(token), Ok(body)) = (token, &result) {
        world.idempotency.insert(
            (action.to_string(), token.to_string()),
            crate::state::Idempotent {
                fingerprint: print,
                body: body.clone(),
            },
        );
    }
    result
}

/// Routes an action to its chapter's handler.
fn dispatch(action: &str, c: &mut Ctx) -> Res {
    use crate::{
        accounts, backups, clusters, databases, endpoints, maintenance, monitoring, nodes,
        parameters, schedule, security, tags,
    };
    match action {
        // 05, 06
        "DescribeRegions" => clusters::describe_regions(c),
        "CreateDBCluster" => clusters::create_db_cluster(c),
        "DeleteDBCluster" => clusters::delete_db_cluster(c),
        "DescribeDBClusters" => clusters::describe_db_clusters(c),
        "DescribeDBClusterAttribute" => clusters::describe_db_cluster_attribute(c),
        "DescribeTasks" => clusters::describe_tasks(c),
        "ModifyDBClusterDescription" => clusters::modify_description(c),
        "ModifyDBClusterDeletion" => clusters::modify_deletion(c),
        "ModifyDBClusterMaintainTime" => clusters::modify_maintain_time(c),
        "FailoverDBCluster" => clusters::failover(c),
        "ModifyDBClusterPrimaryZone" => clusters::modify_primary_zone(c),
        "ModifyAutoRenewAttribute" => clusters::modify_auto_renew(c),
        "DescribeAutoRenewAttribute" => clusters::describe_auto_renew(c),
        "DescribeDBClusterAvailableResources" => clusters::describe_available_resources(c),
        // 07, 11
        "ModifyDBClusterAccessWhitelist" => security::modify_whitelist(c),
        "DescribeDBClusterAccessWhitelist" => security::describe_whitelist(c),
        "DescribeDBClusterSSL" => security::describe_ssl(c),
        "ModifyDBClusterSSL" => security::modify_ssl(c),
        "DescribeDBClusterAuditLogCollector" => security::describe_audit(c),
        "ModifyDBClusterAuditLogCollector" => security::modify_audit(c),
        // 08
        "CreateDBNodes" => nodes::create_db_nodes(c),
        "DeleteDBNodes" => nodes::delete_db_nodes(c),
        "RestartDBNode" => nodes::restart_db_node(c),
        "ModifyDBNodeClass" => nodes::modify_db_node_class(c),
        // 09
        "DescribeDBClusterParameters" => parameters::describe(c),
        "ModifyDBClusterParameters" => parameters::modify(c),
        // 10
        "CreateDBEndpointAddress" => endpoints::create_address(c),
        "CreateDBClusterEndpoint" => endpoints::create_endpoint(c),
        "DescribeDBClusterEndpoints" => endpoints::describe(c),
        "ModifyDBClusterEndpoint" => endpoints::modify_endpoint(c),
        "ModifyDBEndpointAddress" => endpoints::modify_address(c),
        "DeleteDBEndpointAddress" => endpoints::delete_address(c),
        "DeleteDBClusterEndpoint" => endpoints::delete_endpoint(c),
        // 12
        "CreateAccount" => accounts::create(c),
        "DescribeAccounts" => accounts::describe(c),
        "ModifyAccountDescription" => accounts::modify_description(c),
        "DeleteAccount" => accounts::delete(c),
        "ModifyAccountPassword" => accounts::modify_password(c),
        "CheckAccountName" => accounts::check_name(c),
        // 13
        "CreateDatabase" => databases::create(c),
        "DescribeDatabases" => databases::describe(c),
        "DeleteDatabase" => databases::delete(c),
        "CheckDBName" => databases::check_name(c),
        "DescribeDBInitializeVariable" => databases::initialize_variables(c),
        // 14 and the backup policies
        "CreateBackup" => backups::create(c),
        "DeleteBackup" => backups::delete(c),
        "DescribeBackups" => backups::describe(c),
        "DescribeBackupTasks" => backups::describe_tasks(c),
        "DescribeBackupLogs" => backups::describe_logs(c),
        "DescribeDetachedBackups" => backups::describe_detached(c),
        "DescribeDBClustersWithBackups" => backups::describe_clusters_with_backups(c),
        "DescribeBackupPolicy" => backups::describe_policy(c),
        "ModifyBackupPolicy" => backups::modify_policy(c),
        "DescribeLogBackupPolicy" => backups::describe_log_policy(c),
        "ModifyLogBackupPolicy" => backups::modify_log_policy(c),
        // 15
        "TagResources" => tags::tag(c),
        "UntagResources" => tags::untag(c),
        "ListTagResources" => tags::list(c),
        // 16
        "DescribePendingMaintenanceAction" => maintenance::describe(c),
        "DescribePendingMaintenanceActions" => maintenance::describe_counts(c),
        "ModifyPendingMaintenanceAction" => maintenance::modify(c),
        // 17
        "DescribeScheduleTasks" => schedule::describe(c),
        "CancelScheduleTasks" => schedule::cancel(c),
        // 18
        "DescribeDBNodePerformance" => monitoring::node_performance(c),
        "DescribeDBClusterMonitor" => monitoring::describe_monitor(c),
        "DescribeDBClusterPerformance" => monitoring::cluster_performance(c),
        "ModifyDBClusterMonitor" => monitoring::modify_monitor(c),
        _ => Err(Fault::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )),
    }
}

fn answer(format: &str, action: Option<&str>, result: Result<Value, Fault>) -> Response {
    let root = match (&result, action) {
        (Ok(_), Some(a)) if !a.is_empty() => format!("{a}Response"),
        (Ok(_), _) => "Response".to_string(),
        (Err(_), _) => "Error".to_string(),
    };
    let (status, mut body) = match result {
        Ok(v) => (StatusCode::OK, v),
        Err(f) => (
            StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST),
            json!({"Code": f.code, "Message": f.message, "HostId": "polardb.aliyuncs.com"}),
        ),
    };
    if let Value::Object(map) = &mut body {
        let empty = map
            .get("RequestId")
            .is_none_or(|v| v.as_str().is_some_and(str::is_empty));
        if empty {
            map.insert("RequestId".into(), json!(request_id()));
        }
    }
    if format == "XML" {
        let mut xml = String::from("<?xml version='1.0' encoding='UTF-8'?>");
        to_xml(&root, &body, &mut xml);
        (status, [("content-type", "text/xml;charset=utf-8")], xml).into_response()
    } else {
        (
            status,
            [("content-type", "application/json;charset=utf-8")],
            body.to_string(),
        )
            .into_response()
    }
}

/// JSON → XML the way the API maps its wrappers: a list under `Name` repeats `<Name>`.
fn to_xml(name: &str, value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            for item in items {
                to_xml(name, item, out);
            }
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                to_xml(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        other => {
            let text = match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            out.push_str(&format!("<{name}>{escaped}</{name}>"));
        }
    }
}

/// Whether the request came from this machine (or from an in-process router).
fn is_local(request: &Request) -> bool {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_none_or(|ConnectInfo(addr)| addr.ip().is_loopback())
}

/// `GET /_emulator/stats`: what the emulator received, per action. Loopback only.
pub async fn stats(State(emu): State<Arc<Emulator>>, request: Request) -> Response {
    if !is_local(&request) {
        return (StatusCode::FORBIDDEN, "loopback only").into_response();
    }
    let body = emu.stats.lock().expect("stats lock").to_json();
    (
        StatusCode::OK,
        [("content-type", "application/json;charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// `DELETE /_emulator/stats`: starts counting afresh. Loopback only.
pub async fn reset_stats(State(emu): State<Arc<Emulator>>, request: Request) -> Response {
    if !is_local(&request) {
        return (StatusCode::FORBIDDEN, "loopback only").into_response();
    }
    emu.stats.lock().expect("stats lock").reset();
    StatusCode::NO_CONTENT.into_response()
}
