//! `GET /audit/export?format=csv|json&…filters`: the current filter of the audit page as a
//! download. Same rules as the page: Viewers get their own records.

use std::collections::HashMap;

use app::AppError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use backend::audit::Filter;
use backend::Backend;
use tower_sessions::Session;

use crate::web::{error_response, WebState};

pub async fn audit_export(
    State(ws): State<WebState>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let backend: &Backend = &ws.backend;
    let fail = |e: AppError| error_response(&e);
    let id = match app::api::ssr::live_session_user(&session, None).await {
        Ok(Some(id)) => id,
        Ok(None) => return fail(AppError::Unauthenticated),
        Err(e) => return fail(e),
    };
    let user = match uuid::Uuid::parse_str(&id) {
        Ok(id) => match backend.identity.find(id).await {
            Ok(u) => u,
            Err(e) => return fail(e.into()),
        },
        Err(_) => None,
    };
    let Some(user) = user.filter(|u| !u.disabled) else {
        return fail(AppError::Unauthenticated);
    };
    let format = q.get("format").map(String::as_str).unwrap_or("csv");
    if format != "csv" && format != "json" {
        return fail(AppError::Invalid {
            field: "format".into(),
            message: "must be csv or json".into(),
        });
    }
    let get = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let time = |k: &str| app::admin::vault_api::ssr::time_of(get(k), k);
    let (from, to) = match (time("from"), time("to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return fail(e),
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
    let (filter, _) = match app::admin::vault_api::ssr::scoped(backend, &user, filter).await {
        Ok(f) => f,
        Err(e) => return fail(e),
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
            Err(e) => return fail(e.into()),
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
