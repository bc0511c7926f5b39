//! The kiosk's WebSocket to the relay: hello, heartbeat, reconnect.
//!
//! The kiosk never depends on this connection: it runs in its own task, publishes a
//! [`RelayStatus`] on a watch channel for the UI, and keeps retrying with [`Backoff`] whatever the
//! relay does (refuses, closes, stalls, or sends garbage).

use std::time::{Duration, Instant};

use crate::ws::{FrameError, Ws, short};
use atelier_protocol::signaling::{ErrorCode, KioskMessage, RelayMessage};
use atelier_protocol::{DeviceId, PROTOCOL_VERSION, RoomName, StoreId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::Backoff;

/// Who the kiosk says it is.
#[derive(Debug, Clone)]
pub struct HelloInfo {
    pub device_id: DeviceId,
    pub store_id: StoreId,
    pub room: RoomName,
    pub app_version: String,
}

/// How to reach the relay.
#[derive(Debug, Clone)]
pub struct RelayClientSettings {
    /// `ws://` or `wss://` URL; empty means the relay is turned off.
    pub url: String,
    pub hello: HelloInfo,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// Limit for the TCP + WebSocket handshake and for the relay's welcome.
    pub handshake_timeout: Duration,
}

/// The state of the relay connection as staff see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum RelayState {
    /// No relay configured: the kiosk works alone.
    Disabled,
    /// Dialling or waiting for the welcome.
    Connecting,
    /// Welcomed and heartbeating.
    Connected,
    /// Not connected; a retry is scheduled.
    Offline,
}

/// Everything the UI shows about the relay connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RelayStatus {
    pub state: RelayState,
    pub url: String,
    /// Connection attempts since the last successful one.
    pub failed_attempts: u32,
    /// Why the last attempt or connection ended, in plain words.
    pub last_error: Option<String>,
    /// Milliseconds until the next attempt, when offline.
    pub retry_in_ms: Option<u32>,
    /// Round trip of the last heartbeat.
    pub rtt_ms: Option<u32>,
    /// Grows with every change, so a listener can drop a status older than one it already has.
    pub revision: u32,
}

impl RelayStatus {
    /// The status before the client starts.
    pub fn initial(url: &str) -> Self {
        let state = if url.is_empty() {
            RelayState::Disabled
        } else {
            RelayState::Connecting
        };
        Self {
            state,
            url: url.to_owned(),
            failed_attempts: 0,
            last_error: None,
            retry_in_ms: None,
            rtt_ms: None,
            revision: 0,
        }
    }
}

/// Why a connection attempt or a live connection ended. The text is shown to staff.
#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("cannot reach the relay ({0})")]
    Connect(String),
    #[error("the relay did not answer within {0} s")]
    HandshakeTimeout(u64),
    #[error("the relay closed the connection")]
    Closed,
    #[error("the relay stopped answering heartbeats")]
    Silent,
    #[error("the relay sent data Atelier does not understand")]
    Garbage,
    #[error("the relay refused this kiosk: {0}")]
    Refused(String),
    #[error("connection lost ({0})")]
    Io(String),
}

/// A running relay client; dropping it stops the task.
pub struct RelayClient {
    task: JoinHandle<()>,
    status: watch::Receiver<RelayStatus>,
}

impl RelayClient {
    /// Starts the client on the current tokio runtime.
    pub fn spawn(settings: RelayClientSettings) -> Self {
        let (tx, rx) = watch::channel(RelayStatus::initial(&settings.url));
        let task = tokio::spawn(run(settings, tx));
        Self { task, status: rx }
    }

    /// Follows the status.
    pub fn status(&self) -> watch::Receiver<RelayStatus> {
        self.status.clone()
    }
}

impl Drop for RelayClient {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(settings: RelayClientSettings, status: watch::Sender<RelayStatus>) {
    if settings.url.is_empty() {
        tracing::info!("relay disabled in config; the kiosk works alone");
        return;
    }
    let mut backoff = Backoff::new(settings.reconnect_min, settings.reconnect_max);
    let mut failed_attempts = 0u32;
    loop {
        update(&status, |s| {
            s.state = RelayState::Connecting;
            s.retry_in_ms = None;
        });
        let started = Instant::now();
        let mut welcomed = false;
        let err = match connect_once(&settings, &status, &mut welcomed).await {
            Ok(never) => match never {},
            Err(e) => e,
        };
        // A connection that lived a while proves the relay healthy: retry quickly.
        if welcomed && started.elapsed() > Duration::from_secs(10) {
            backoff.reset();
        }
        failed_attempts = if welcomed {
            1
        } else {
            failed_attempts.saturating_add(1)
        };
        let delay = backoff.next_delay(rand::random::<f64>());
        tracing::warn!(error = %err, retry_in_ms = delay.as_millis() as u64, "relay connection ended");
        update(&status, |s| {
            s.state = RelayState::Offline;
            s.failed_attempts = failed_attempts;
            s.last_error = Some(err.to_string());
            s.retry_in_ms = Some(u32::try_from(delay.as_millis()).unwrap_or(u32::MAX));
            s.rtt_ms = None;
        });
        tokio::time::sleep(delay).await;
    }
}

enum Never {}

/// Changes the published status and bumps its revision.
fn update(status: &watch::Sender<RelayStatus>, change: impl FnOnce(&mut RelayStatus)) {
    status.send_modify(|s| {
        change(s);
        s.revision = s.revision.wrapping_add(1);
    });
}

async fn connect_once(
    settings: &RelayClientSettings,
    status: &watch::Sender<RelayStatus>,
    welcomed: &mut bool,
) -> Result<Never, LinkError> {
    let limit = settings.handshake_timeout;
    let timeout_err = || LinkError::HandshakeTimeout(limit.as_secs().max(1));
    let (mut ws, _response) =
        tokio::time::timeout(limit, tokio_tungstenite::connect_async(settings.url.as_str()))
            .await
            .map_err(|_| timeout_err())?
            .map_err(|e| LinkError::Connect(short(&e.to_string())))?;

    let h = &settings.hello;
    let hello = KioskMessage::Hello {
        protocol: PROTOCOL_VERSION,
        device_id: h.device_id.clone(),
        store_id: h.store_id.clone(),
        room: h.room.clone(),
        app_version: h.app_version.clone(),
    };
    send(&mut ws, &hello).await?;

    // Wait for the welcome.
    let deadline = tokio::time::Instant::now() + limit;
    let interval = loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| timeout_err())?;
        match read(msg)? {
            Some(RelayMessage::Welcome {
                heartbeat_interval_secs,
                connection_id,
                ..
            }) => {
                tracing::info!(%connection_id, "connected to the relay");
                break Duration::from_secs(u64::from(heartbeat_interval_secs.clamp(1, 300)));
            }
            Some(RelayMessage::Error { code, message }) => return Err(refused(code, &message)),
            Some(RelayMessage::HeartbeatAck { .. }) | None => {}
        }
    };
    *welcomed = true;
    update(status, |s| {
        s.state = RelayState::Connected;
        s.failed_attempts = 0;
        s.last_error = None;
        s.retry_in_ms = None;
    });

    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seq = 0u64;
    let mut sent_at: Option<(u64, Instant)> = None;
    let mut last_heard = Instant::now();
    let mut garbage = 0u32;
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                if last_heard.elapsed() > interval * 3 {
                    return Err(LinkError::Silent);
                }
                seq += 1;
                sent_at = Some((seq, Instant::now()));
                send(&mut ws, &KioskMessage::Heartbeat { seq }).await?;
            }
            msg = ws.next() => {
                match read(msg) {
                    Ok(Some(RelayMessage::HeartbeatAck { seq: acked })) => {
                        last_heard = Instant::now();
                        if let Some((s, at)) = sent_at.filter(|(s, _)| *s == acked) {
                            let rtt = u32::try_from(at.elapsed().as_millis()).unwrap_or(u32::MAX);
                            update(status, |st| st.rtt_ms = Some(rtt));
                            tracing::trace!(seq = s, rtt_ms = rtt, "heartbeat");
                        }
                    }
                    Ok(Some(RelayMessage::Error { code, message })) => {
                        last_heard = Instant::now();
                        tracing::warn!(?code, "relay reported an error: {}", short(&message));
                    }
                    Ok(Some(RelayMessage::Welcome { .. }) | None) => last_heard = Instant::now(),
                    Err(LinkError::Garbage) => {
                        // Tolerate a stray bad frame; a stream of them means a broken or hostile relay.
                        garbage += 1;
                        if garbage >= 3 {
                            return Err(LinkError::Garbage);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

fn refused(code: ErrorCode, message: &str) -> LinkError {
    let why = match code {
        ErrorCode::UnsupportedProtocol => {
            "it speaks another protocol version; update the kiosk or the relay".to_owned()
        }
        _ => short(message),
    };
    LinkError::Refused(why)
}

impl From<FrameError> for LinkError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::Closed => LinkError::Closed,
            FrameError::Io(s) => LinkError::Io(s),
            FrameError::Garbage => LinkError::Garbage,
        }
    }
}

async fn send(ws: &mut Ws, msg: &KioskMessage) -> Result<(), LinkError> {
    Ok(crate::ws::send(ws, msg).await?)
}

fn read(
    frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
) -> Result<Option<RelayMessage>, LinkError> {
    Ok(crate::ws::read(frame, "from the relay")?)
}
