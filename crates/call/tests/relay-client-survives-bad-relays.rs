//! The relay client against servers that refuse, close, stall or send garbage, on real sockets.
//! Whatever the relay does, the client reports it in words and keeps trying.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::time::Duration;

use atelier_call::{HelloInfo, RelayClient, RelayClientSettings, RelayState, RelayStatus};
use atelier_protocol::{DeviceId, RoomName, StoreId};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

fn settings(url: String) -> RelayClientSettings {
    RelayClientSettings {
        url,
        hello: HelloInfo {
            device_id: DeviceId::new("test-kiosk").unwrap(),
            store_id: StoreId::new("test-store").unwrap(),
            room: RoomName::new("Room 1").unwrap(),
            app_version: "test".into(),
        },
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(200),
        handshake_timeout: Duration::from_millis(500),
    }
}

async fn wait_for(
    rx: &mut watch::Receiver<RelayStatus>,
    what: &str,
    pred: impl Fn(&RelayStatus) -> bool,
) -> RelayStatus {
    let got = match tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|s| pred(s))).await {
        Ok(Ok(s)) => Some(s.clone()),
        _ => None,
    };
    got.unwrap_or_else(|| panic!("timed out waiting for {what}; last status {:?}", *rx.borrow()))
}

/// A WebSocket server that handles every connection with `behave`.
async fn fake_relay<F, Fut>(behave: F) -> String
where
    F: Fn(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let behave = std::sync::Arc::new(behave);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let behave = behave.clone();
            tokio::spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    behave(ws).await;
                }
            });
        }
    });
    format!("ws://{addr}/ws")
}

#[tokio::test]
async fn nothing_listening_means_offline_and_retrying() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = RelayClient::spawn(settings(format!("ws://127.0.0.1:{port}/ws")));
    let mut rx = client.status();
    let s = wait_for(&mut rx, "offline", |s| s.state == RelayState::Offline).await;
    assert!(
        s.last_error
            .as_deref()
            .unwrap_or("")
            .contains("cannot reach the relay"),
        "{s:?}"
    );
    wait_for(&mut rx, "third attempt", |s| s.failed_attempts >= 3).await;
}

#[tokio::test]
async fn garbage_instead_of_a_welcome_is_reported_and_retried() {
    let url = fake_relay(|mut ws| async move {
        let _hello = ws.next().await;
        let _ = ws.send(Message::text("{{{ not json")).await;
        let _ = ws.send(Message::binary(vec![0u8, 159, 146, 150])).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let client = RelayClient::spawn(settings(url));
    let mut rx = client.status();
    let s = wait_for(&mut rx, "garbage error", |s| s.state == RelayState::Offline).await;
    assert_eq!(
        s.last_error.as_deref(),
        Some("the relay sent data Atelier does not understand")
    );
    wait_for(&mut rx, "retries", |s| s.failed_attempts >= 2).await;
}

#[tokio::test]
async fn a_relay_that_closes_at_once_is_reported_and_retried() {
    let url = fake_relay(|mut ws| async move {
        let _ = ws.close(None).await;
    })
    .await;
    let client = RelayClient::spawn(settings(url));
    let mut rx = client.status();
    let s = wait_for(&mut rx, "closed", |s| s.state == RelayState::Offline).await;
    assert!(s.last_error.as_deref().unwrap_or("").contains("closed"), "{s:?}");
}

#[tokio::test]
async fn a_silent_relay_times_out_the_handshake() {
    let url = fake_relay(|ws| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(ws);
    })
    .await;
    let client = RelayClient::spawn(settings(url));
    let mut rx = client.status();
    let s = wait_for(&mut rx, "timeout", |s| s.state == RelayState::Offline).await;
    assert!(
        s.last_error.as_deref().unwrap_or("").contains("did not answer"),
        "{s:?}"
    );
}

#[tokio::test]
async fn a_welcoming_relay_connects_and_measures_heartbeats_then_recovers_after_a_drop() {
    let url = fake_relay(|mut ws| async move {
        let _hello = ws.next().await;
        let welcome = r#"{"type":"welcome","protocol":1,"connectionId":1,"heartbeatIntervalSecs":1,"relayVersion":"t"}"#;
        ws.send(Message::text(welcome)).await.unwrap();
        // Answer two heartbeats, then drop the connection.
        for _ in 0..2 {
            let Some(Ok(Message::Text(t))) = ws.next().await else { return };
            let v: serde_json::Value = serde_json::from_str(&t).unwrap();
            let ack = format!(r#"{{"type":"heartbeatAck","seq":{}}}"#, v["seq"]);
            ws.send(Message::text(ack)).await.unwrap();
        }
    })
    .await;
    let client = RelayClient::spawn(settings(url));
    let mut rx = client.status();
    wait_for(&mut rx, "connected", |s| s.state == RelayState::Connected).await;
    wait_for(&mut rx, "an rtt", |s| s.rtt_ms.is_some()).await;
    wait_for(&mut rx, "offline after the drop", |s| {
        s.state == RelayState::Offline
    })
    .await;
    wait_for(&mut rx, "connected again", |s| s.state == RelayState::Connected).await;
}

#[tokio::test]
async fn an_empty_url_means_disabled() {
    let client = RelayClient::spawn(settings(String::new()));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(client.status().borrow().state, RelayState::Disabled);
}
