//! Enrollment by a one-time code on the real relay: head office makes a code on the admin page, the
//! installer's kiosk redeems it once for its own key, and that key opens the call socket at once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use atelier_relay::calls::PasswordCost;
use atelier_relay::server::{ServeOptions, serve};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

async fn start() -> (std::net::SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = dir.path().to_owned();
    // --demo: the admin token is the public demo one.
    let options = ServeOptions {
        password_cost: PasswordCost::MINIMAL,
        demo: true,
        ..ServeOptions::default()
    };
    tokio::spawn(async move {
        serve(listener, &path, options, std::future::pending())
            .await
            .unwrap();
    });
    (addr, dir)
}

/// One HTTP/1.1 request; returns (status line, body).
async fn request(addr: std::net::SocketAddr, head: &str, body: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "{head}\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out.lines().next().unwrap_or_default().to_owned();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_code_enrolls_a_kiosk_with_its_own_key() {
    let (addr, _dir) = start().await;
    let admin = "Authorization: Basic eDpkZW1vLWFkbWlu"; // x:demo-admin

    // The page wants the admin token.
    let (status, _) = request(addr, "GET /admin/enroll HTTP/1.1", "").await;
    assert!(status.contains("401"), "{status}");
    let (status, page) = request(addr, &format!("GET /admin/enroll HTTP/1.1\r\n{admin}"), "").await;
    assert!(status.contains("200") && page.contains("<form"), "{status}");

    // A code for sh-09 in demo-sh, Room 9 (markup in the room name stays text).
    let form = "device=sh-09&store=demo-sh&room=Room+9+%3Cb%3E";
    let (status, page) = request(
        addr,
        &format!("POST /admin/enroll HTTP/1.1\r\n{admin}\r\nContent-Type: application/x-www-form-urlencoded"),
        form,
    )
    .await;
    assert!(status.contains("200"), "{status}");
    let code = page
        .split("<p class=code>")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("a code on the page")
        .to_owned();
    assert_eq!(code.len(), 8, "{code}");
    let (_, bad) = request(
        addr,
        &format!("POST /admin/enroll HTTP/1.1\r\n{admin}\r\nContent-Type: application/x-www-form-urlencoded"),
        "device=no%20spaces&store=demo-sh&room=R",
    )
    .await;
    assert!(bad.contains("Not made:"), "{bad}");

    // The kiosk redeems it (typed in lower case) for its own key; a second time it is refused.
    let redeem = json!({ "code": code.to_lowercase() }).to_string();
    let (status, body) = request(
        addr,
        "POST /api/enroll HTTP/1.1\r\nContent-Type: application/json",
        &redeem,
    )
    .await;
    assert!(status.contains("200"), "{status} {body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["deviceId"], "sh-09");
    assert_eq!(answer["storeId"], "demo-sh");
    let key = answer["deviceKey"].as_str().unwrap().to_owned();
    assert!(key.len() >= 40, "{key}");
    let (status, _) = request(
        addr,
        "POST /api/enroll HTTP/1.1\r\nContent-Type: application/json",
        &redeem,
    )
    .await;
    assert!(status.contains("403"), "{status}");

    // The key opens the call socket now, without a restart; a wrong key does not.
    for (device_key, ok) in [(key.as_str(), true), ("not-the-key-0123456789", false)] {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/call"))
            .await
            .unwrap();
        ws.send(Message::text(
            json!({"type": "kioskHello", "protocol": 1, "deviceId": "sh-09", "deviceKey": device_key})
                .to_string(),
        ))
        .await
        .unwrap();
        let reply = loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => break serde_json::from_str::<Value>(&t).unwrap(),
                Some(Ok(_)) => continue,
                other => panic!("no answer: {other:?}"),
            }
        };
        assert_eq!(reply["type"] == "authenticated", ok, "{reply}");
    }
}
