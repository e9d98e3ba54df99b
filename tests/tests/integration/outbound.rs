//! Where the console may connect, end to end: an endpoint override that reaches the
//! console itself (in any spelling) is refused when it is saved and before a call, and an
//! error page from whatever answers an endpoint is not shown to users.

use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;
use tests::TestApp;

/// A listener on 127.0.0.1 answering every request with `status` and an HTML page; its
/// address and the number of requests it has read.
fn error_page(status: u16, page: &'static str) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = std::io::BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            counter.fetch_add(1, Ordering::SeqCst);
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Oops\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    (addr, seen)
}

async fn add_account(app: &TestApp, admin: &str, endpoint: &str) -> (u16, String) {
    let res = app
        .call_form(
            admin,
            "add_cloud_account",
            &[
                ("name", "other"),
                ("access_key_id", "LTAIother0000key"),
                ("access_key_secret", "other-secret"),
                ("regions", "cn-hangzhou"),
                ("signature_version", "v2"),
                ("endpoint", endpoint),
                ("emulator", "on"),
            ],
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn describe_clusters(app: &TestApp, cookie: &str) -> (u16, String) {
    let res = app
        .call_json(
            cookie,
            "call_api",
            json!({"account": "sandbox", "region": "cn-hangzhou", "action": "DescribeDBClusters", "params": []}),
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_console_never_calls_itself() {
    // The console listens where its configuration says (private endpoints allowed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let app = TestApp::spawn_custom(
        emulator::state::default_seed(),
        &[("POLAR_LISTEN", listen.as_str())],
        &listen,
    )
    .await;
    let admin = app.sign_in_admin().await;
    let mut own: Vec<String> = [
        "http://localhost:{port}/",
        "http://LOCALHOST:{port}",
        "http://localhost.:{port}/",
        "http://0.0.0.0:{port}",
        "http://[::]:{port}/",
        "http://[::ffff:127.0.0.1]:{port}",
        "http://[::ffff:7f00:1]:{port}",
        "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}",
        "http://[::127.0.0.1]:{port}/",
        "http://[64:ff9b::7f00:1]:{port}/",
        "http://[2002:7f00:1::]:{port}/",
        "http://127.0.0.2:{port}/",
    ]
    .iter()
    .map(|e| e.replace("{port}", &port.to_string()))
    .collect();
    // The machine's host name, when it resolves.
    if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let h = h.trim();
        if tokio::net::lookup_host((h, 0)).await.is_ok() {
            own.push(format!("http://{h}:{port}/"));
        }
    }
    for endpoint in &own {
        let (status, body) = add_account(&app, &admin, endpoint).await;
        assert_eq!(status, 400, "{endpoint}: {body}");
        assert!(body.contains("endpoint"), "{endpoint}: {body}");
    }
    // The unspecified address on another port reaches this machine too.
    let (status, body) = add_account(&app, &admin, "http://[::]:9/").await;
    assert_eq!(status, 400, "{body}");
    // Another port on loopback, by name (an emulator): saved.
    let emulator_port = reqwest::Url::parse(&app.emulator).unwrap().port().unwrap();
    let other = format!("http://localhost:{emulator_port}/");
    let (status, body) = add_account(&app, &admin, &other).await;
    assert_eq!(status, 200, "{body}");

    // A row written by hand that names the console: the call is refused before it is sent.
    let viewer = app.user_with_role("vic", "viewer").await;
    for endpoint in [
        format!("http://localhost:{port}/"),
        format!("http://[::ffff:7f00:1]:{port}/"),
    ] {
        sqlx::query("UPDATE cloud_accounts SET endpoint = $1 WHERE name = 'sandbox'")
            .bind(&endpoint)
            .execute(&app.pool)
            .await
            .unwrap();
        let (status, body) = describe_clusters(&app, &viewer).await;
        assert_eq!(status, 400, "{endpoint}: {body}");
        assert!(body.contains("endpoint"), "{endpoint}: {body}");
    }
}

#[tokio::test]
async fn an_error_page_from_the_endpoint_is_not_shown() {
    let app = TestApp::spawn().await;
    let (page, seen) = error_page(404, "<html>SECRET-LISTENER-BODY internal admin</html>");
    sqlx::query("UPDATE cloud_accounts SET endpoint = $1 WHERE name = 'sandbox'")
        .bind(format!("http://{page}/"))
        .execute(&app.pool)
        .await
        .unwrap();
    let viewer = app.user_with_role("vic", "viewer").await;
    let (status, body) = describe_clusters(&app, &viewer).await;
    assert_ne!(status, 200, "{body}");
    assert!(!body.contains("SECRET"), "{body}");
    assert!(
        body.contains("the endpoint answered HTTP 404 without an API error body"),
        "{body}"
    );
    assert!(body.contains("Http404"), "{body}");
    // The cluster list's banner.
    let html = app
        .http
        .get(format!("{}/clusters", app.base))
        .header("cookie", &viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("SECRET"), "{html}");
    // Called once: the failed read of the account's regions is remembered for 30 s, and
    // the page gets the same answer again without another call.
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "the endpoint was called once"
    );
}
