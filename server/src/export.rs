//! `GET /audit/export?format=csv|json&…filters`: the current filter of the audit page as a
//! download. Same rules as the page: Viewers get their own records.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use backend::audit::Filter;
use backend::Backend;
use tower_sessions::Session;

use crate::web::WebState;

pub async fn audit_export(
    State(ws): State<WebState>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let backend: &Backend = &ws.backend;
    let Some(id) = app::api::ssr::session_user(&session, None).await else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let user = match uuid::Uuid::parse_str(&id) {
        Ok(id) => backend.identity.find(id).await.ok().flatten(),
        Err(_) => None,
    };
    let Some(user) = user.filter(|u| !u.disabled) else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let format = q.get("format").map(String::as_str).unwrap_or("csv");
    if format != "csv" && format != "json" {
        return (StatusCode::BAD_REQUEST, "format: must be csv or json").into_response();
    }
    let get = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let time = |k: &str| app::vault_api::ssr::time_of(get(k), k);
    let (from, to) = match (time("from"), time("to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            return (StatusCode::BAD_REQUEST, e.to_string()).into_response()
        }
    };
    let filter = Filter {
        actor_id: None,
        actor_name: get("user"),
        action: get("action"),
        cloud_account: get("account"),
        cluster: get("cluster"),
        outcome: get("outcome"),
        from,
        to,
    };
    let (filter, _) = match app::vault_api::ssr::scoped(backend, &user, filter).await {
        Ok(f) => f,
        Err(e) => return (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    };
    let mut body = String::new();
    if format == "csv" {
        body.push_str(backend::audit::CSV_HEADER);
        body.push('\n');
    }
    let mut before = None;
    loop {
        let page = match backend.audit.search(&filter, before, 1000).await {
            Ok(p) => p,
            Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
        };
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        for r in &page {
            if format == "csv" {
                body.push_str(&r.csv_row());
            } else {
                body.push_str(&serde_json::to_string(r).unwrap_or_default());
            }
            body.push('\n');
        }
    }
    let (ctype, ext) = if format == "csv" {
        ("text/csv; charset=utf-8", "csv")
    } else {
        ("application/x-ndjson", "jsonl")
    };
    (
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"polar-console-audit.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
