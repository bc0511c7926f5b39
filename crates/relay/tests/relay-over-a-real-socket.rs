//! The relay served on 127.0.0.1 and spoken to over real TCP: health, hello, heartbeat, bad input.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::time::Duration;

use atelier_relay::server::{ServeOptions, serve};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

const HELLO: &str =
    r#"{"type":"hello","protocol":1,"deviceId":"k1","storeId":"s1","room":"3号试衣间","appVersion":"t"}"#;

async fn start() -> (std::net::SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = dir.path().to_owned();
    tokio::spawn(async move {
        serve(
            listener,
            &path,
            ServeOptions {
                heartbeat: Duration::from_secs(1),
                password_cost: atelier_relay::calls::PasswordCost::MINIMAL,
                // The demo kiosk's enrollment, for the catalog's authenticated endpoints.
                demo: true,
                ..ServeOptions::default()
            },
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    (addr, dir)
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    http_get_with(addr, path, "").await
}

/// As the demo kiosk: its device id and key.
async fn kiosk_get(addr: std::net::SocketAddr, path: &str) -> String {
    let auth = format!(
        "x-atelier-device: {}\r\nauthorization: Bearer {}\r\n",
        atelier_relay::calls::DEMO_DEVICE_ID,
        atelier_relay::calls::DEMO_DEVICE_KEY
    );
    http_get_with(addr, path, &auth).await
}

async fn http_get_with(addr: std::net::SocketAddr, path: &str, headers: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

async fn next_text(
    ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> String {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("timed out")
        {
            Some(Ok(Message::Text(t))) => return t.to_string(),
            Some(Ok(Message::Close(_))) | None => return "<closed>".into(),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return format!("<error {e}>"),
        }
    }
}

#[tokio::test]
async fn health_hello_heartbeat_and_presence() {
    let (addr, dir) = start().await;
    let health = http_get(addr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");

    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    ws.send(Message::text(HELLO)).await.unwrap();
    let welcome = next_text(&mut ws).await;
    assert!(
        welcome.contains("\"type\":\"welcome\"") && welcome.contains("\"heartbeatIntervalSecs\":1"),
        "{welcome}"
    );
    ws.send(Message::text(r#"{"type":"heartbeat","seq":42}"#))
        .await
        .unwrap();
    assert_eq!(next_text(&mut ws).await, r#"{"type":"heartbeatAck","seq":42}"#);

    let kiosks = http_get(addr, "/api/kiosks").await;
    assert!(
        kiosks.contains("\"deviceId\":\"k1\"") && kiosks.contains("3号试衣间"),
        "{kiosks}"
    );
    // Presence is persisted in the relay's own SQLite file.
    let db = rusqlite::Connection::open(dir.path().join(atelier_relay::RELAY_DB_FILE)).unwrap();
    let room: String = db
        .query_row("SELECT room FROM kiosks WHERE device_id = 'k1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(room, "3号试衣间");
}

#[tokio::test]
async fn garbage_is_answered_without_internal_detail_then_cut_off() {
    let (addr, _dir) = start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    ws.send(Message::text("{\"type\": 12")).await.unwrap();
    let reply = next_text(&mut ws).await;
    assert!(reply.contains("\"code\":\"badMessage\""), "{reply}");
    assert!(
        !reply.contains("line") && !reply.contains("column"),
        "no parser internals: {reply}"
    );
    ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    ws.send(Message::text("nope")).await.unwrap();
    let mut saw_close = false;
    for _ in 0..4 {
        if next_text(&mut ws).await == "<closed>" {
            saw_close = true;
            break;
        }
    }
    assert!(
        saw_close,
        "the relay closes a connection that keeps sending garbage"
    );
    // And it still serves others.
    assert!(http_get(addr, "/healthz").await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_silent_kiosk_is_dropped_after_three_heartbeat_intervals() {
    let (addr, _dir) = start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    ws.send(Message::text(HELLO)).await.unwrap();
    assert!(next_text(&mut ws).await.contains("welcome"));
    let t0 = std::time::Instant::now();
    assert_eq!(next_text(&mut ws).await, "<closed>");
    assert!(t0.elapsed() >= Duration::from_millis(2500), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn the_catalog_delta_refuses_bad_queries_and_pages_an_empty_hub() {
    let (addr, _dir) = start().await;
    // Only enrolled kiosks read the catalog.
    let anonymous = http_get(addr, "/api/catalog/delta?since=0").await;
    assert!(anonymous.starts_with("HTTP/1.1 401"), "{anonymous}");
    let wrong = http_get_with(
        addr,
        "/api/catalog/delta?since=0",
        "x-atelier-device: demo-kiosk\r\nauthorization: Bearer not-the-key-at-all\r\n",
    )
    .await;
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let image = http_get(addr, &format!("/api/catalog/images/{}", "a".repeat(64))).await;
    assert!(image.starts_with("HTTP/1.1 401"), "{image}");
    let ok = kiosk_get(addr, "/api/catalog/delta?since=0").await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(
        ok.contains("\"latest\":0") && ok.contains("\"changes\":[]") && ok.contains("\"done\":true"),
        "{ok}"
    );
    for bad in [
        "/api/catalog/delta",
        "/api/catalog/delta?since=abc",
        "/api/catalog/delta?since=-1",
        "/api/catalog/delta?since=1&limit=x",
    ] {
        let r = kiosk_get(addr, bad).await;
        assert!(r.starts_with("HTTP/1.1 400"), "{bad}: {r}");
    }
    // A huge limit is clamped, not trusted.
    let big = kiosk_get(addr, "/api/catalog/delta?since=0&limit=4000000000").await;
    assert!(big.starts_with("HTTP/1.1 200"), "{big}");
}
