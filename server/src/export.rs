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
use futures::StreamExt;

/// Records read and sent at a time.
const EXPORT_PAGE: i64 = 200;

/// Exports one user may have running at once in a process (ninth attack run: 150 exports
/// opened and never read held 560 MB).
pub const EXPORTS_AT_ONCE: usize = 2;

/// A running export of a user; its place is given back when the answer's body is dropped
/// (sent, or abandoned by the client).
struct ExportTurn(uuid::Uuid);

fn running() -> &'static std::sync::Mutex<HashMap<uuid::Uuid, usize>> {
    static RUNNING: std::sync::OnceLock<std::sync::Mutex<HashMap<uuid::Uuid, usize>>> =
        std::sync::OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

impl ExportTurn {
    fn take(user: uuid::Uuid) -> Option<ExportTurn> {
        let mut r = running().lock().ok()?;
        let n = r.entry(user).or_insert(0);
        if *n >= EXPORTS_AT_ONCE {
            return None;
        }
        *n += 1;
        Some(ExportTurn(user))
    }
}

impl Drop for ExportTurn {
    fn drop(&mut self) {
        if let Ok(mut r) = running().lock() {
            if let Some(n) = r.get_mut(&self.0) {
                *n -= 1;
                if *n == 0 {
                    r.remove(&self.0);
                }
            }
        }
    }
}

pub async fn audit_export(
    State(ws): State<WebState>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let backend: &Backend = &ws.backend;
    let fail = |e: AppError| error_response(&e);
    // The same decision as every server function's: a session an administrator ended, or
    // one past its limits, exports nothing; nor does a password that must be replaced.
    let user = match app::api::ssr::user_of_session(backend, &session, Some(ws.limits)).await {
        Ok(Some(u)) => u,
        Ok(None) => return fail(AppError::Unauthenticated),
        Err(e) => return fail(e),
    };
    if user.must_change_password {
        return fail(AppError::PasswordChangeRequired);
    }
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
        // Every record: the export keeps the reads the page hides.
        kind: get("kind"),
        hide_reads: false,
        change: match get("change").map(|c| uuid::Uuid::parse_str(&c)) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(_)) => {
                return fail(app::AppError::Invalid {
                    field: "change".into(),
                    message: "is not a change id".into(),
                })
            }
        },
    };
    let (filter, _) = match app::admin::vault_api::ssr::scoped(backend, &user, filter).await {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let Some(turn) = ExportTurn::take(user.id) else {
        return fail(AppError::Conflict(format!(
            "you have {EXPORTS_AT_ONCE} exports running; download them, or wait for one to end"
        )));
    };
    // Streamed a page at a time: the answer is never held whole in memory (eighth attack
    // run, E2: four exports of 146 MB each took the console to 842 MB). The first page is
    // read before the answer starts, so that a database that cannot answer is a 503.
    let first = match backend.audit.search(&filter, None, EXPORT_PAGE).await {
        Ok(p) => p,
        Err(e) => return fail(e.into()),
    };
    let csv = format == "csv";
    let render = move |page: &[backend::audit::Record]| {
        let mut out = String::new();
        for r in page {
            if csv {
                out.push_str(&r.csv_row());
            } else {
                out.push_str(&serde_json::to_string(r).unwrap_or_default());
            }
            out.push('\n');
        }
        out
    };
    let mut head = String::new();
    if csv {
        head.push_str(backend::audit::CSV_HEADER);
        head.push('\n');
    }
    head.push_str(&render(&first));
    let audit = backend.audit.clone();
    let before = first.last().map(|r| r.seq);
    let rest = futures::stream::unfold(before, move |before| {
        // The turn lives as long as the body does.
        let _turn = &turn;
        let (audit, filter) = (audit.clone(), filter.clone());
        async move {
            let before = before?;
            match audit.search(&filter, Some(before), EXPORT_PAGE).await {
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let next = page.last().map(|r| r.seq);
                    Some((Ok(render(&page)), next))
                }
                Err(e) => {
                    // The download ends unfinished (the client sees it cut short).
                    tracing::error!(error = %e, "the audit export stopped: a page could not be read");
                    Some((
                        Err(std::io::Error::other("the audit trail could not be read")),
                        None,
                    ))
                }
            }
        }
    });
    // Fused: the compression layer may poll once more after the end (ninth attack run, N1:
    // an unfused stream panicked there and cut every compressed export short).
    let body = axum::body::Body::from_stream(
        futures::stream::once(async move { Ok::<_, std::io::Error>(head) })
            .chain(rest)
            .fuse(),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_has_at_most_two_exports_running() {
        let (ana, bob) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let first = ExportTurn::take(ana).expect("a first export");
        let second = ExportTurn::take(ana).expect("a second export");
        assert!(
            ExportTurn::take(ana).is_none(),
            "a third waits for one to end"
        );
        assert!(
            ExportTurn::take(bob).is_some(),
            "another user's are their own"
        );
        drop(first);
        let third = ExportTurn::take(ana).expect("a place given back when a body is dropped");
        drop((second, third));
        assert!(!running().lock().unwrap().contains_key(&ana));
    }
}
