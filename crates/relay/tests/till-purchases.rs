//! A store's till reports purchases to the relay (`POST /api/till/purchases`, admin token) and the
//! analytics report's funnel ends in "bought": only purchases are taken, each key once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::net::SocketAddr;

use atelier_relay::analytics::AdminToken;
use atelier_relay::calls::PasswordCost;
use atelier_relay::server::{ServeOptions, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "head-office-0123456789";

async fn start(dir: &std::path::Path) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = dir.to_owned();
    let options = ServeOptions {
        password_cost: PasswordCost::MINIMAL,
        demo: true,
        admin_token: Some(AdminToken::new(TOKEN)),
        ..ServeOptions::default()
    };
    tokio::spawn(async move {
        serve(listener, &path, options, std::future::pending())
            .await
            .unwrap();
    });
    addr
}

/// One request; returns the status and the body.
async fn request(addr: SocketAddr, method_path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    s.write_all(
        format!(
            "{method_path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let raw = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn purchase(key: &str, products: &[&str]) -> Value {
    json!({
        "key": key, "device": "till", "store": "demo-sh", "room": "till", "atMs": now_ms(),
        "event": { "kind": "purchase", "products": products },
    })
}

#[tokio::test]
async fn purchases_from_the_till_end_the_funnel_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path()).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let batch = json!({
        "storeId": "demo-sh",
        "events": [
            purchase("till-R1001-1", &["W-BLS-0001-DB-M"]),
            purchase("till-R1001-2", &["M-CHN-0002-KH-32"]),
            // Not the till's to say: refused for good, the rest goes on.
            { "key": "till-x-1", "device": "till", "store": "demo-sh", "room": "till", "atMs": now_ms(),
              "event": { "kind": "session_started" } },
            // Another device's key.
            purchase("demo-kiosk-1", &["W-BLS-0001-DB-M"]),
        ],
    })
    .to_string();

    let (status, body) = request(addr, "POST /api/till/purchases", None, &batch).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = request(
        addr,
        "POST /api/till/purchases",
        Some("wrong-token-000000000"),
        &batch,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = request(addr, "POST /api/till/purchases", Some(TOKEN), "{\"events\": 3}").await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = request(addr, "POST /api/till/purchases", Some(TOKEN), &batch).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer["held"],
        json!(["till-R1001-1", "till-R1001-2"]),
        "{answer}"
    );
    assert_eq!(answer["rejected"], json!(["till-x-1"]), "{answer}");
    // Sent again (a till retrying): held, counted once.
    let (status, _) = request(addr, "POST /api/till/purchases", Some(TOKEN), &batch).await;
    assert_eq!(status, 200);

    let (status, body) = request(addr, "GET /api/report?store=demo-sh", Some(TOKEN), "").await;
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["total"]["bought"], json!(2), "{report}");
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["room"] == "till")
        .unwrap_or_else(|| panic!("a row for the till: {report}"));
    assert_eq!(row["store"], "demo-sh", "{row}");
}
