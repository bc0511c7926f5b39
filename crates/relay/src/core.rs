//! The relay's connection logic as a pure state machine.
//!
//! The shell reports sockets opening, text arriving and sockets closing, with `now`; the core
//! answers with [`Output`]s to carry out. Nothing here does IO, so a test drives many kiosks in
//! memory, deterministically.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use atelier_protocol::signaling::{ErrorCode, KioskMessage, RelayMessage};
use atelier_protocol::{ConnectionId, DecodeError, DeviceId, PROTOCOL_VERSION, RoomName, StoreId, decode};

/// A kiosk that said hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskHello {
    pub device_id: DeviceId,
    pub store_id: StoreId,
    pub room: RoomName,
    pub app_version: String,
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send a message on a connection.
    Send(ConnectionId, RelayMessage),
    /// Close a connection (after sending anything queued before this).
    Close(ConnectionId, CloseReason),
    /// A kiosk is online: record it.
    KioskOnline(ConnectionId, KioskHello),
    /// A kiosk's connection ended.
    KioskOffline(ConnectionId, DeviceId),
}

/// Why the relay closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    NoHello,
    Silent,
    Misbehaving,
    Replaced,
}

#[derive(Debug)]
enum Peer {
    AwaitingHello,
    Kiosk(KioskHello),
}

#[derive(Debug)]
struct Conn {
    peer: Peer,
    last_heard: Instant,
    bad_messages: u32,
    /// Token bucket against floods: refills at `RATE_PER_SEC`, holds `BURST`.
    tokens: f64,
    refilled: Instant,
}

/// How long a new connection may take to say hello.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const BAD_MESSAGE_LIMIT: u32 = 3;
const RATE_PER_SEC: f64 = 20.0;
const BURST: f64 = 40.0;

/// Connections and presence.
#[derive(Debug)]
pub struct Core {
    heartbeat: Duration,
    relay_version: String,
    next_id: u64,
    conns: BTreeMap<ConnectionId, Conn>,
}

impl Core {
    /// A relay expecting a heartbeat every `heartbeat`.
    pub fn new(heartbeat: Duration, relay_version: impl Into<String>) -> Self {
        Self {
            heartbeat,
            relay_version: relay_version.into(),
            next_id: 1,
            conns: BTreeMap::new(),
        }
    }

    /// A socket opened.
    pub fn open(&mut self, now: Instant) -> ConnectionId {
        let id = ConnectionId(self.next_id);
        self.next_id += 1;
        let conn = Conn {
            peer: Peer::AwaitingHello,
            last_heard: now,
            bad_messages: 0,
            tokens: BURST,
            refilled: now,
        };
        self.conns.insert(id, conn);
        id
    }

    /// A socket closed (for any reason).
    pub fn closed(&mut self, id: ConnectionId) -> Vec<Output> {
        match self.conns.remove(&id) {
            Some(Conn {
                peer: Peer::Kiosk(k), ..
            }) => vec![Output::KioskOffline(id, k.device_id)],
            _ => Vec::new(),
        }
    }

    /// A text frame arrived.
    pub fn handle_text(&mut self, id: ConnectionId, now: Instant, text: &str) -> Vec<Output> {
        let Some(conn) = self.conns.get_mut(&id) else {
            return Vec::new();
        };
        conn.last_heard = now;
        // Refill the bucket, then spend one token.
        let elapsed = now.saturating_duration_since(conn.refilled).as_secs_f64();
        conn.tokens = (conn.tokens + elapsed * RATE_PER_SEC).min(BURST);
        conn.refilled = now;
        if conn.tokens < 1.0 {
            return self.reject(id, ErrorCode::RateLimited, "too many messages", true);
        }
        conn.tokens -= 1.0;

        let msg = match decode::<KioskMessage>(text) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(conn = %id, error = %e, "rejected a message");
                let code = match e {
                    DecodeError::TooLarge { .. } => ErrorCode::TooLarge,
                    DecodeError::Malformed(_) => ErrorCode::BadMessage,
                };
                return self.bad(id, code, "that message was not understood");
            }
        };
        match (msg, &conn.peer) {
            (
                KioskMessage::Hello {
                    protocol,
                    device_id,
                    store_id,
                    room,
                    app_version,
                },
                Peer::AwaitingHello,
            ) => {
                if protocol != PROTOCOL_VERSION {
                    return self.reject(
                        id,
                        ErrorCode::UnsupportedProtocol,
                        "unsupported protocol version",
                        true,
                    );
                }
                let hello = KioskHello {
                    device_id,
                    store_id,
                    room,
                    app_version: clip(&app_version, 64),
                };
                let mut out = Vec::new();
                // One live connection per device: a reconnecting kiosk replaces its stale socket.
                let stale: Vec<ConnectionId> = self
                    .conns
                    .iter()
                    .filter(|(cid, c)| {
                        **cid != id && matches!(&c.peer, Peer::Kiosk(k) if k.device_id == hello.device_id)
                    })
                    .map(|(cid, _)| *cid)
                    .collect();
                for cid in stale {
                    out.push(Output::Close(cid, CloseReason::Replaced));
                    out.extend(self.closed(cid));
                }
                if let Some(conn) = self.conns.get_mut(&id) {
                    conn.peer = Peer::Kiosk(hello.clone());
                }
                out.push(Output::Send(
                    id,
                    RelayMessage::Welcome {
                        protocol: PROTOCOL_VERSION,
                        connection_id: id,
                        heartbeat_interval_secs: u32::try_from(self.heartbeat.as_secs()).unwrap_or(10).max(1),
                        relay_version: self.relay_version.clone(),
                    },
                ));
                out.push(Output::KioskOnline(id, hello));
                out
            }
            (KioskMessage::Hello { .. }, Peer::Kiosk(_)) => {
                self.bad(id, ErrorCode::BadMessage, "already said hello")
            }
            (KioskMessage::Heartbeat { seq }, Peer::Kiosk(_)) => {
                vec![Output::Send(id, RelayMessage::HeartbeatAck { seq })]
            }
            (KioskMessage::Heartbeat { .. }, Peer::AwaitingHello) => {
                self.reject(id, ErrorCode::HelloRequired, "say hello first", true)
            }
        }
    }

    /// A message we could not use: answer, and close after too many.
    fn bad(&mut self, id: ConnectionId, code: ErrorCode, message: &str) -> Vec<Output> {
        let too_many = self.conns.get_mut(&id).is_some_and(|c| {
            c.bad_messages += 1;
            c.bad_messages >= BAD_MESSAGE_LIMIT
        });
        if too_many {
            return self.reject(id, ErrorCode::RateLimited, "too many bad messages", true);
        }
        self.reject(id, code, message, false)
    }

    fn reject(&mut self, id: ConnectionId, code: ErrorCode, message: &str, close: bool) -> Vec<Output> {
        let mut out = vec![Output::Send(
            id,
            RelayMessage::Error {
                code,
                message: message.to_owned(),
            },
        )];
        if close {
            out.push(Output::Close(id, CloseReason::Misbehaving));
            out.extend(self.closed(id));
        }
        out
    }

    /// When [`Core::handle_timeout`] should run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.conns.values().map(|c| c.last_heard + self.limit(c)).min()
    }

    fn limit(&self, c: &Conn) -> Duration {
        match c.peer {
            Peer::AwaitingHello => HELLO_TIMEOUT,
            Peer::Kiosk(_) => self.heartbeat * 3,
        }
    }

    /// Closes connections that never said hello or went silent.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Output> {
        let expired: Vec<(ConnectionId, CloseReason)> = self
            .conns
            .iter()
            .filter(|(_, c)| now >= c.last_heard + self.limit(c))
            .map(|(id, c)| {
                (
                    *id,
                    if matches!(c.peer, Peer::AwaitingHello) {
                        CloseReason::NoHello
                    } else {
                        CloseReason::Silent
                    },
                )
            })
            .collect();
        let mut out = Vec::new();
        for (id, reason) in expired {
            out.push(Output::Close(id, reason));
            out.extend(self.closed(id));
        }
        out
    }

    /// Kiosks online now, sorted by store, then room.
    pub fn kiosks(&self) -> Vec<&KioskHello> {
        let mut v: Vec<&KioskHello> = self
            .conns
            .values()
            .filter_map(|c| match &c.peer {
                Peer::Kiosk(k) => Some(k),
                Peer::AwaitingHello => None,
            })
            .collect();
        v.sort_by(|a, b| (&a.store_id, &a.room, &a.device_id).cmp(&(&b.store_id, &b.room, &b.device_id)));
        v
    }

    /// Open sockets, greeted or not.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }
}

fn clip(s: &str, max_chars: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = r#"{"type":"hello","protocol":1,"deviceId":"k1","storeId":"s1","room":"Room 1","appVersion":"0.1.0"}"#;

    fn core() -> (Core, Instant) {
        (Core::new(Duration::from_secs(10), "test"), Instant::now())
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn hello_is_welcomed_and_heartbeats_are_acknowledged() {
        let (mut c, t0) = core();
        let id = c.open(t0);
        let out = c.handle_text(id, t0, HELLO);
        assert!(
            matches!(&out[0], Output::Send(i, RelayMessage::Welcome { heartbeat_interval_secs: 10, .. }) if *i == id)
        );
        assert!(matches!(&out[1], Output::KioskOnline(_, k) if k.device_id.as_str() == "k1"));
        assert_eq!(c.kiosks().len(), 1);
        let out = c.handle_text(id, t0 + secs(1), r#"{"type":"heartbeat","seq":5}"#);
        assert_eq!(out, vec![Output::Send(id, RelayMessage::HeartbeatAck { seq: 5 })]);
        assert_eq!(
            c.closed(id),
            vec![Output::KioskOffline(id, DeviceId::new("k1").unwrap())]
        );
        assert!(c.kiosks().is_empty());
    }

    #[test]
    fn heartbeat_before_hello_is_refused_and_closed() {
        let (mut c, t0) = core();
        let id = c.open(t0);
        let out = c.handle_text(id, t0, r#"{"type":"heartbeat","seq":1}"#);
        assert!(matches!(
            &out[0],
            Output::Send(
                _,
                RelayMessage::Error {
                    code: ErrorCode::HelloRequired,
                    ..
                }
            )
        ));
        assert_eq!(out[1], Output::Close(id, CloseReason::Misbehaving));
        assert_eq!(c.connection_count(), 0);
    }

    #[test]
    fn garbage_is_answered_then_the_connection_closed_after_three() {
        let (mut c, t0) = core();
        let id = c.open(t0);
        for i in 0..2 {
            let out = c.handle_text(id, t0, "\u{0}garbage");
            assert_eq!(out.len(), 1, "round {i}: {out:?}");
            assert!(
                matches!(&out[0], Output::Send(_, RelayMessage::Error { code: ErrorCode::BadMessage, message }) if !message.contains("expected"))
            );
        }
        let out = c.handle_text(id, t0, "{}");
        assert!(out.contains(&Output::Close(id, CloseReason::Misbehaving)));
    }

    #[test]
    fn wrong_protocol_version_is_refused() {
        let (mut c, t0) = core();
        let id = c.open(t0);
        let out = c.handle_text(id, t0, &HELLO.replace("\"protocol\":1", "\"protocol\":99"));
        assert!(matches!(
            &out[0],
            Output::Send(
                _,
                RelayMessage::Error {
                    code: ErrorCode::UnsupportedProtocol,
                    ..
                }
            )
        ));
    }

    #[test]
    fn silent_and_hello_less_connections_time_out() {
        let (mut c, t0) = core();
        let quiet = c.open(t0);
        let kiosk = c.open(t0);
        c.handle_text(kiosk, t0, HELLO);
        assert_eq!(c.poll_timeout(), Some(t0 + HELLO_TIMEOUT));
        let out = c.handle_timeout(t0 + HELLO_TIMEOUT);
        assert_eq!(out, vec![Output::Close(quiet, CloseReason::NoHello)]);
        c.handle_text(kiosk, t0 + secs(20), r#"{"type":"heartbeat","seq":1}"#);
        assert!(c.handle_timeout(t0 + secs(49)).is_empty());
        let out = c.handle_timeout(t0 + secs(50));
        assert_eq!(out[0], Output::Close(kiosk, CloseReason::Silent));
        assert!(matches!(out[1], Output::KioskOffline(..)));
    }

    #[test]
    fn a_reconnecting_kiosk_replaces_its_stale_connection() {
        let (mut c, t0) = core();
        let old = c.open(t0);
        c.handle_text(old, t0, HELLO);
        let new = c.open(t0 + secs(1));
        let out = c.handle_text(new, t0 + secs(1), HELLO);
        assert_eq!(out[0], Output::Close(old, CloseReason::Replaced));
        assert_eq!(c.kiosks().len(), 1);
    }

    #[test]
    fn floods_are_cut_off() {
        let (mut c, t0) = core();
        let id = c.open(t0);
        c.handle_text(id, t0, HELLO);
        let closed = (0..100).any(|i| {
            c.handle_text(id, t0, &format!(r#"{{"type":"heartbeat","seq":{i}}}"#))
                .contains(&Output::Close(id, CloseReason::Misbehaving))
        });
        assert!(closed);
    }
}
