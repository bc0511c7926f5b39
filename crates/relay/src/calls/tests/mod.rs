//! Scenario tests of the call core, driven in memory: kiosks, stylists, staff and friends as connection
//! ids, a clock that only moves when a test says so, and a mailbox per connection.

mod asks;
mod auth;
mod invites;
mod lifecycle;
mod queue;
mod signalling;
mod transfer;

use std::collections::BTreeMap;
use std::time::Duration;

use atelier_protocol::call::{
    CallErrorCode, ClientMessage, DisplayName, LegId, RequestContext, Secret, ServerMessage, SessionTag,
    Signal, Username,
};
use atelier_protocol::{ConnectionId, DeviceId, PROTOCOL_VERSION, RoomName, StoreId};

use super::{
    Account, AccountRole, Accounts, CallConfig, CallCore, CallEvent, CloseReason, Enrollment, Enrollments,
    IceConfig, Output, PasswordCost, SeededEntropy, UnixMs, hash_password,
};

pub(super) const T0: UnixMs = UnixMs(1_700_000_000_000);
pub(super) const PASSWORD: &str = "correct horse";

/// Kiosks: k1 and k3 in store s1, k2 in s2, k4 in s1.
const KIOSKS: &[(&str, &str, &str)] = &[
    ("k1", "s1", "Room 1"),
    ("k2", "s2", "Room 2"),
    ("k3", "s1", "Room 3"),
    ("k4", "s1", "Room 4"),
];

pub(super) fn key(device: &str) -> String {
    format!("key-of-{device}")
}

pub(super) struct Sim {
    pub core: CallCore,
    pub now: UnixMs,
    next_conn: u64,
    pub inbox: BTreeMap<ConnectionId, Vec<ServerMessage>>,
    pub closed: BTreeMap<ConnectionId, CloseReason>,
    pub events: Vec<CallEvent>,
}

impl Sim {
    /// Stylists mei and jun (any store), staff ana (store s1); kiosks as in [`KIOSKS`].
    pub fn new() -> Self {
        let mut entropy = SeededEntropy::new(42);
        let mut accounts = Accounts::new(PasswordCost::MINIMAL, &mut entropy).unwrap();
        for (user, name, role, store) in [
            ("mei", "Mei", AccountRole::Stylist, None),
            ("jun", "Jun", AccountRole::Stylist, None),
            ("ana", "Ana", AccountRole::Staff, Some("s1")),
        ] {
            accounts
                .insert(Account {
                    username: Username::new(user).unwrap(),
                    display_name: DisplayName::new(name).unwrap(),
                    role,
                    store: store.map(|s| StoreId::new(s).unwrap()),
                    password_phc: hash_password(PASSWORD, PasswordCost::MINIMAL, &mut entropy).unwrap(),
                })
                .unwrap();
        }
        let mut enrollments = Enrollments::new();
        for (device, store, room) in KIOSKS {
            enrollments.insert(Enrollment::new(
                DeviceId::new(*device).unwrap(),
                StoreId::new(*store).unwrap(),
                RoomName::new(*room).unwrap(),
                &key(device),
            ));
        }
        let config = CallConfig {
            ice: IceConfig {
                urls: vec!["stun:turn.test:3478".into(), "turn:turn.test:3478".into()],
                turn_secret: Some("s3cret".into()),
                ttl: Duration::from_secs(3600),
            },
            ..CallConfig::default()
        };
        Self {
            core: CallCore::new(config, accounts, enrollments, Box::new(entropy)),
            now: T0,
            next_conn: 1,
            inbox: BTreeMap::new(),
            closed: BTreeMap::new(),
            events: Vec::new(),
        }
    }

    fn absorb(&mut self, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Send { to, msg } => self.inbox.entry(to).or_default().push(msg),
                Output::Close { conn, reason } => {
                    self.closed.insert(conn, reason);
                }
                Output::Event(e) => self.events.push(e),
            }
        }
    }

    pub fn connect(&mut self) -> ConnectionId {
        let id = ConnectionId(self.next_conn);
        self.next_conn += 1;
        self.core.connected(self.now, id);
        id
    }

    pub fn send(&mut self, conn: ConnectionId, msg: ClientMessage) {
        let out = self.core.handle(self.now, conn, msg);
        self.absorb(out);
    }

    pub fn send_text(&mut self, conn: ConnectionId, text: &str) {
        let out = self.core.handle_text(self.now, conn, text);
        self.absorb(out);
    }

    /// The socket dropped (the shell calls this whenever a socket ends).
    pub fn drop_conn(&mut self, conn: ConnectionId) {
        let out = self.core.disconnected(self.now, conn);
        self.absorb(out);
    }

    /// Moves the clock and runs the timers.
    pub fn advance(&mut self, by: Duration) {
        self.now = self.now.plus(by);
        let out = self.core.tick(self.now);
        self.absorb(out);
    }

    /// Messages received since the last take.
    pub fn take(&mut self, conn: ConnectionId) -> Vec<ServerMessage> {
        self.inbox.remove(&conn).unwrap_or_default()
    }

    /// The error codes received since the last take.
    pub fn errors(&mut self, conn: ConnectionId) -> Vec<CallErrorCode> {
        self.take(conn)
            .into_iter()
            .filter_map(|m| match m {
                ServerMessage::Error { code, .. } => Some(code),
                _ => None,
            })
            .collect()
    }

    pub fn drain_all(&mut self) {
        self.inbox.clear();
        self.events.clear();
    }

    /// An authenticated kiosk with a shopper session `s-<device>`.
    pub fn kiosk(&mut self, device: &str) -> ConnectionId {
        let c = self.connect();
        self.send(
            c,
            ClientMessage::KioskHello {
                protocol: PROTOCOL_VERSION,
                device_id: DeviceId::new(device).unwrap(),
                device_key: Secret::new(key(device)),
                session: Some(SessionTag::new(format!("s-{device}")).unwrap()),
            },
        );
        let got = self.take(c);
        assert!(
            matches!(got.first(), Some(ServerMessage::Authenticated { .. })),
            "{got:?}"
        );
        c
    }

    /// Logs in; returns the connection and the session token.
    pub fn login(&mut self, user: &str) -> (ConnectionId, String) {
        let c = self.connect();
        self.send(c, login(user, PASSWORD));
        let got = self.take(c);
        match got.first() {
            Some(ServerMessage::Authenticated { token: Some(t), .. }) => (c, t.expose().to_owned()),
            other => panic!("login failed: {other:?}"),
        }
    }

    /// Logs in and goes on duty; the first queue view is drained.
    pub fn on_duty(&mut self, user: &str) -> ConnectionId {
        let (c, _) = self.login(user);
        self.send(c, ClientMessage::SetDuty { on_duty: true });
        self.take(c);
        c
    }

    /// A friend invite from `kiosk`: (token, code).
    pub fn invite(&mut self, kiosk: ConnectionId) -> (String, String) {
        self.send(kiosk, ClientMessage::CreateInvite);
        let got = self.take(kiosk);
        got.iter()
            .find_map(|m| match m {
                ServerMessage::InviteCreated { token, code, .. } => {
                    Some((token.expose().to_owned(), code.expose().to_owned()))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{got:?}"))
    }

    /// A friend joins with `invite`; returns the connection (messages left in its inbox).
    pub fn join(&mut self, invite: &str) -> ConnectionId {
        let c = self.connect();
        self.send(c, join(invite));
        c
    }

    /// Kiosk requests, `user` (on duty) accepts; returns the leg. Inboxes drained.
    pub fn stylist_call(&mut self, kiosk: ConnectionId, stylist: ConnectionId) -> LegId {
        self.send(kiosk, request(&[]));
        let request = self.waiting_request(stylist);
        self.send(stylist, ClientMessage::Accept { request });
        let leg = leg_started(&self.take(stylist)).expect("stylist leg");
        self.drain_all();
        leg
    }

    /// The first request in the stylist's latest queue view.
    pub fn waiting_request(&mut self, stylist: ConnectionId) -> atelier_protocol::call::RequestId {
        let queue = self
            .take(stylist)
            .into_iter()
            .rev()
            .find_map(|m| match m {
                ServerMessage::Queue { entries, .. } => Some(entries),
                _ => None,
            })
            .expect("a queue view");
        queue.first().expect("a waiting request").view.request
    }
}

pub(super) fn login(user: &str, password: &str) -> ClientMessage {
    ClientMessage::Login {
        protocol: PROTOCOL_VERSION,
        username: Username::new(user).unwrap(),
        password: Secret::new(password),
    }
}

pub(super) fn resume(token: &str) -> ClientMessage {
    ClientMessage::Resume {
        protocol: PROTOCOL_VERSION,
        token: Secret::new(token),
        fresh: false,
    }
}

/// A resume from a page that lost its peer connection (reloaded).
pub(super) fn resume_fresh(token: &str) -> ClientMessage {
    ClientMessage::Resume {
        protocol: PROTOCOL_VERSION,
        token: Secret::new(token),
        fresh: true,
    }
}

pub(super) fn join(invite: &str) -> ClientMessage {
    ClientMessage::JoinInvite {
        protocol: PROTOCOL_VERSION,
        invite: Secret::new(invite),
        display_name: Some(DisplayName::new("Lin").unwrap()),
    }
}

pub(super) fn request(garments: &[&str]) -> ClientMessage {
    ClientMessage::RequestStylist {
        context: RequestContext {
            garments: garments
                .iter()
                .map(|g| atelier_protocol::call::Sku::new(*g).unwrap())
                .collect(),
            look: None,
        },
    }
}

pub(super) fn offer(sdp_tail: &str) -> Signal {
    Signal::Offer {
        sdp: format!("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n{sdp_tail}"),
    }
}

pub(super) fn candidate() -> Signal {
    Signal::Candidate {
        candidate: "candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
        username_fragment: None,
    }
}

/// Signals among the messages received by `conn` since the last take.
pub(super) fn signals(sim: &mut Sim, conn: ConnectionId) -> usize {
    sim.take(conn)
        .iter()
        .filter(|m| matches!(m, ServerMessage::Signal { .. }))
        .count()
}

/// The leg of the first `legStarted` in `msgs`.
pub(super) fn leg_started(msgs: &[ServerMessage]) -> Option<LegId> {
    msgs.iter().find_map(|m| match m {
        ServerMessage::LegStarted { leg, .. } => Some(*leg),
        _ => None,
    })
}

pub(super) fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn the_core_can_live_behind_the_shells_mutex() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<CallCore>();
}
