//! Connection-level limits (fifteenth attack run): ~1,010 idle TCP connections took every
//! file descriptor the process had (F1), and 2,000 connections each sending 390 KB of
//! headers and never finishing took it to 940 MB (F2). Against the real server process:
//! a cap per client address and in total, answered 503 at once; headers within the header
//! timeout, idle or trickled; headers over 32 KiB answered 431.

use std::net::SocketAddr;
use std::time::Duration;

use tests::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn from(app: &TestApp, last: u8) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from(([127, 0, 0, last], 0)))
        .unwrap();
    socket.connect(app.addr).await.unwrap()
}

/// What the server sends before it closes, within `wait` (None: it sent nothing and kept
/// the connection open that long).
async fn answer(s: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&got).into_owned())
}

async fn healthz(app: &TestApp) -> u16 {
    // No kept-alive connection of its own: each check is one fresh connection.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    http.get(format!("{}/healthz", app.base))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn caps(timeout: &'static str) -> [(&'static str, &'static str); 3] {
    [
        ("POLAR_MAX_CONNECTIONS", "20"),
        ("POLAR_MAX_CONNECTIONS_PER_ADDRESS", "8"),
        ("POLAR_HEADER_TIMEOUT_SECONDS", timeout),
    ]
}

/// Idle connections from many addresses cannot keep users out: the oldest idle one makes
/// room. Only connections in the middle of a request fill the console.
#[tokio::test]
async fn connections_are_capped_per_address_and_in_total_and_idle_ones_make_room() {
    let app =
        TestApp::spawn_custom(emulator::state::default_seed(), &caps("60"), "127.0.0.1:0").await;
    assert_eq!(healthz(&app).await, 200);

    // Eight idle connections from one address: the ninth is refused at once.
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(from(&app, 2).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ninth = from(&app, 2).await;
    let refused = answer(&mut ninth, Duration::from_secs(3))
        .await
        .expect("the ninth connection from one address is answered and closed");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("too many connections"), "{refused}");
    // Another address is served.
    assert_eq!(healthz(&app).await, 200);

    // Twenty idle in all from three addresses: a newcomer is served all the same, and the
    // oldest idle connection is the one closed for it.
    for _ in 0..8 {
        held.push(from(&app, 3).await);
    }
    for _ in 0..4 {
        held.push(from(&app, 4).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(healthz(&app).await, 200);
    assert!(
        answer(&mut held[0], Duration::from_secs(2)).await.is_some(),
        "the oldest idle connection made room"
    );
    assert!(
        answer(&mut held[19], Duration::from_millis(300))
            .await
            .is_none(),
        "the newest idle connection is still open"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Twenty connections in the middle of a request (a sign-in whose body is on its way):
    // now the console is full, and says so at once.
    let path = app.server_fn("sign_in");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {}\r\norigin: {}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nusername=",
        app.addr, app.base
    );
    let mut busy = Vec::new();
    for a in 10..15u8 {
        for _ in 0..4 {
            let mut s = from(&app, a).await;
            s.write_all(head.as_bytes()).await.unwrap();
            busy.push(s);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut over = from(&app, 5).await;
    let refused = answer(&mut over, Duration::from_secs(3))
        .await
        .expect("a connection over the total is answered and closed");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    // (A client that has written its request by then may see the close as a reset.)
    assert!([0, 503].contains(&healthz(&app).await));
    drop(busy);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(healthz(&app).await, 200);

    // Refusals and evictions are counted.
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "polar_connections_refused_total{limit=\"address\"}",
        "polar_connections_refused_total{limit=\"total\"}",
        "polar_connections_evicted_total",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
}

/// Headers must arrive within the header timeout, idle or trickled, and be at most 32 KiB.
#[tokio::test]
async fn connections_must_send_their_headers_in_time_and_in_bounds() {
    let app =
        TestApp::spawn_custom(emulator::state::default_seed(), &caps("2"), "127.0.0.1:0").await;
    let mut held = Vec::new();
    for a in 2..4u8 {
        for _ in 0..8 {
            held.push(from(&app, a).await);
        }
    }
    // Connections that send no request are closed after the header timeout.
    for s in held.iter_mut() {
        let closed = answer(s, Duration::from_secs(5)).await;
        assert!(
            closed.is_some(),
            "an idle connection is closed after the header timeout"
        );
    }
    drop(held);

    // A kept-alive connection left idle is closed the same way, after serving requests.
    let mut ok = from(&app, 7).await;
    for _ in 0..2 {
        ok.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(3), ok.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    }
    assert!(
        answer(&mut ok, Duration::from_secs(5)).await.is_some(),
        "an idle kept-alive connection is closed after the header timeout"
    );

    // Headers trickled a byte at a time do not keep a connection: the timeout is for the
    // whole head, not between bytes.
    let mut slow = from(&app, 2).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut closed = false;
    for _ in 0..40 {
        if slow.write_all(b"x").await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(200), slow.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(_)) => {
                closed = true;
                break;
            }
            Err(_) => {}
        }
    }
    assert!(closed, "a trickled head is cut off");
    assert!(started.elapsed() < Duration::from_secs(6));

    // A head over 32 KiB is refused (431) rather than buffered.
    let mut big = from(&app, 6).await;
    let mut head = b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-pad: ".to_vec();
    head.extend(std::iter::repeat_n(b'a', 100 * 1024));
    let _ = big.write_all(&head).await;
    let refused = answer(&mut big, Duration::from_secs(3))
        .await
        .expect("an oversized head is answered and closed");
    assert!(refused.starts_with("HTTP/1.1 431"), "{refused}");
}
