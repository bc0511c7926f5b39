//! [`CallCore`]: its state, connections, dispatch and timers. Authentication lives in `auth.rs`, requests
//! and duty in `duty.rs`, legs, signals and transfers in `legs.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use atelier_protocol::call::{
    AskId, CallErrorCode, CallId, ClientMessage, DisplayName, LegEndReason, LegId, Member, RequestId,
    RequestView, ServerMessage, SessionTag, TransferFailReason, TransferId, Username, ValidationError,
};
use atelier_protocol::{ConnectionId, DecodeError, DeviceId, decode};

use super::accounts::Accounts;
use super::entropy::{Entropy, TokenHash};
use super::invites::Invites;
use super::kiosks::Enrollments;
use super::queue::Queue;
use super::{CallConfig, CallEvent, CloseReason, Output, UnixMs};

const BAD_MESSAGE_LIMIT: u32 = 3;
/// Token bucket: a kiosk with three legs trickles dozens of candidates within a second.
const RATE_PER_SEC: f64 = 40.0;
const BURST: f64 = 120.0;

/// Who is on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Who {
    Pending,
    Kiosk(DeviceId),
    Account { username: Username, session: TokenHash },
    Friend(LegId),
}

#[derive(Debug)]
pub(super) struct Conn {
    pub(super) who: Who,
    opened: UnixMs,
    last_heard: UnixMs,
    bad: u32,
    tokens: f64,
    refilled: UnixMs,
}

/// A kiosk known to the core (online or not).
#[derive(Debug, Default)]
pub(super) struct KioskState {
    pub(super) conn: Option<ConnectionId>,
    pub(super) session: Option<SessionTag>,
    pub(super) request: Option<RequestId>,
    pub(super) call: Option<CallId>,
    /// The last queue status sent, so only changes go out.
    pub(super) last_status: Option<ServerMessage>,
}

/// A stylist or staff member who has signed in.
#[derive(Debug, Default)]
pub(super) struct Answerer {
    pub(super) conn: Option<ConnectionId>,
    /// Disconnected at; the grace period runs from here.
    pub(super) away_since: Option<UnixMs>,
    pub(super) on_duty: bool,
    pub(super) leg: Option<LegId>,
    pub(super) last_queue: Option<ServerMessage>,
    /// The last `staffAsks` sent (store staff), so only changes go out.
    pub(super) last_asks: Option<ServerMessage>,
}

#[derive(Debug)]
pub(super) struct Call {
    pub(super) device: DeviceId,
    pub(super) legs: BTreeSet<LegId>,
    pub(super) last_members: Option<Vec<Member>>,
}

#[derive(Debug)]
pub(super) enum Remote {
    Account(Username),
    Friend {
        name: DisplayName,
        resume: TokenHash,
        conn: Option<ConnectionId>,
        away_since: Option<UnixMs>,
    },
}

#[derive(Debug)]
pub(super) struct Leg {
    pub(super) call: CallId,
    pub(super) remote: Remote,
    /// What the kiosk asked about (stylist and staff legs).
    pub(super) request: Option<RequestView>,
}

#[derive(Debug)]
pub(super) struct Transfer {
    pub(super) leg: LegId,
    pub(super) from: Username,
    pub(super) to: Username,
    pub(super) offered_at: UnixMs,
}

/// Outputs being collected.
#[derive(Debug, Default)]
pub(super) struct Out(pub(super) Vec<Output>);

impl Out {
    pub(super) fn send(&mut self, to: ConnectionId, msg: ServerMessage) {
        self.0.push(Output::Send { to, msg });
    }

    pub(super) fn error(&mut self, to: ConnectionId, code: CallErrorCode) {
        self.send(to, ServerMessage::error(code));
    }

    pub(super) fn event(&mut self, event: CallEvent) {
        self.0.push(Output::Event(event));
    }

    pub(super) fn close(&mut self, conn: ConnectionId, reason: CloseReason) {
        self.0.push(Output::Close { conn, reason });
    }
}

/// The relay's call logic. See the module docs.
pub struct CallCore {
    pub(super) config: CallConfig,
    pub(super) accounts: Accounts,
    pub(super) enrollments: Enrollments,
    pub(super) invites: Invites,
    pub(super) queue: Queue,
    pub(super) entropy: Box<dyn Entropy>,
    pub(super) conns: BTreeMap<ConnectionId, Conn>,
    pub(super) kiosks: BTreeMap<DeviceId, KioskState>,
    pub(super) answerers: BTreeMap<Username, Answerer>,
    pub(super) calls: BTreeMap<CallId, Call>,
    pub(super) legs: BTreeMap<LegId, Leg>,
    /// Friends' resume tokens (hashed) → their legs.
    pub(super) guests: HashMap<TokenHash, LegId>,
    pub(super) transfers: BTreeMap<TransferId, Transfer>,
    /// Shoppers' asks to store staff.
    pub(super) asks: BTreeMap<AskId, super::asks::Ask>,
    next_id: u64,
}

impl fmt::Debug for CallCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallCore")
            .field("connections", &self.conns.len())
            .field("queue", &self.queue.len())
            .field("calls", &self.calls.len())
            .finish_non_exhaustive()
    }
}

impl CallCore {
    /// A core with its accounts, enrolled kiosks and source of randomness.
    pub fn new(
        config: CallConfig,
        accounts: Accounts,
        enrollments: Enrollments,
        entropy: Box<dyn Entropy>,
    ) -> Self {
        Self {
            invites: Invites::new(config.invite_ttl),
            queue: Queue::new(config.default_service),
            config,
            accounts,
            enrollments,
            entropy,
            conns: BTreeMap::new(),
            kiosks: BTreeMap::new(),
            answerers: BTreeMap::new(),
            calls: BTreeMap::new(),
            legs: BTreeMap::new(),
            guests: HashMap::new(),
            transfers: BTreeMap::new(),
            asks: BTreeMap::new(),
            next_id: 1,
        }
    }

    /// The accounts, to add or remove some while running.
    pub fn accounts_mut(&mut self) -> &mut Accounts {
        &mut self.accounts
    }

    /// The enrolled kiosks, to enroll or withdraw some while running.
    pub fn enrollments_mut(&mut self) -> &mut Enrollments {
        &mut self.enrollments
    }

    /// Open connections, authenticated or not.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Requests waiting for a stylist.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Calls with at least one leg.
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    pub(super) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A socket opened; it must authenticate within `auth_timeout`.
    pub fn connected(&mut self, now: UnixMs, conn: ConnectionId) {
        self.conns.insert(
            conn,
            Conn {
                who: Who::Pending,
                opened: now,
                last_heard: now,
                bad: 0,
                tokens: BURST,
                refilled: now,
            },
        );
    }

    /// A text frame arrived: rate limit, decode (size first), then [`CallCore::handle`].
    pub fn handle_text(&mut self, now: UnixMs, conn: ConnectionId, text: &str) -> Vec<Output> {
        let mut out = Out::default();
        if self.admit(now, conn, &mut out) {
            match decode::<ClientMessage>(text) {
                Ok(msg) => self.dispatch(now, conn, msg, &mut out),
                Err(e) => {
                    // The category only: serde's text can quote the offending value, which may be a secret.
                    let code = match e {
                        DecodeError::TooLarge { len_bytes, .. } => {
                            tracing::debug!(%conn, len_bytes, "oversized call message");
                            CallErrorCode::TooLarge
                        }
                        DecodeError::Malformed(e) => {
                            tracing::debug!(%conn, category = ?e.classify(), column = e.column(), "undecodable call message");
                            CallErrorCode::BadMessage
                        }
                    };
                    self.bad(now, conn, code, &mut out);
                }
            }
        }
        out.0
    }

    /// A decoded message arrived (rate limited like text).
    pub fn handle(&mut self, now: UnixMs, conn: ConnectionId, msg: ClientMessage) -> Vec<Output> {
        let mut out = Out::default();
        if self.admit(now, conn, &mut out) {
            self.dispatch(now, conn, msg, &mut out);
        }
        out.0
    }

    /// A socket closed. Harmless for connections the core closed itself.
    pub fn disconnected(&mut self, now: UnixMs, conn: ConnectionId) -> Vec<Output> {
        let mut out = Out::default();
        self.gone(now, conn, &mut out);
        self.refresh(&mut out);
        out.0
    }

    /// Notes the message's arrival and spends a rate token; `false` if the message must be dropped.
    fn admit(&mut self, now: UnixMs, conn: ConnectionId, out: &mut Out) -> bool {
        let Some(c) = self.conns.get_mut(&conn) else {
            return false;
        };
        c.last_heard = now;
        let elapsed = now.since(c.refilled).as_secs_f64();
        c.tokens = (c.tokens + elapsed * RATE_PER_SEC).min(BURST);
        c.refilled = now;
        if c.tokens < 1.0 {
            out.error(conn, CallErrorCode::RateLimited);
            self.drop_conn(now, conn, CloseReason::Misbehaving, out);
            return false;
        }
        c.tokens -= 1.0;
        true
    }

    /// Answers a message we could not use; closes the connection after [`BAD_MESSAGE_LIMIT`] of them.
    pub(super) fn bad(&mut self, now: UnixMs, conn: ConnectionId, code: CallErrorCode, out: &mut Out) {
        let too_many = self.conns.get_mut(&conn).is_some_and(|c| {
            c.bad += 1;
            c.bad >= BAD_MESSAGE_LIMIT
        });
        if too_many {
            out.error(conn, CallErrorCode::RateLimited);
            self.drop_conn(now, conn, CloseReason::Misbehaving, out);
        } else {
            out.error(conn, code);
        }
    }

    /// Closes a connection and carries out its departure.
    pub(super) fn drop_conn(&mut self, now: UnixMs, conn: ConnectionId, reason: CloseReason, out: &mut Out) {
        out.close(conn, reason);
        self.gone(now, conn, out);
    }

    fn dispatch(&mut self, now: UnixMs, conn: ConnectionId, msg: ClientMessage, out: &mut Out) {
        if let Err(e) = msg.validate() {
            tracing::debug!(%conn, kind = msg.kind(), error = %e, "invalid call message");
            let code = match e {
                ValidationError::Signal(_) => CallErrorCode::InvalidSignal,
                _ => CallErrorCode::BadMessage,
            };
            self.bad(now, conn, code, out);
            return;
        }
        let Some(who) = self.conns.get(&conn).map(|c| c.who.clone()) else {
            return;
        };
        let refresh = !matches!(msg, ClientMessage::Ping { .. } | ClientMessage::Signal { .. });
        match msg {
            ClientMessage::KioskHello { .. }
            | ClientMessage::Login { .. }
            | ClientMessage::Resume { .. }
            | ClientMessage::JoinInvite { .. } => {
                if who == Who::Pending {
                    self.authenticate(now, conn, msg, out);
                } else {
                    out.error(conn, CallErrorCode::AlreadyAuthenticated);
                }
            }
            ClientMessage::Ping { seq } => out.send(conn, ServerMessage::Pong { seq }),
            _ if who == Who::Pending => self.bad(now, conn, CallErrorCode::AuthRequired, out),
            ClientMessage::Logout => match who {
                Who::Account { username, session } => self.logout(now, conn, &username, &session, out),
                _ => self.bad(now, conn, CallErrorCode::NotAllowed, out),
            },
            ClientMessage::Signal { leg, signal } => self.relay_signal(conn, &who, leg, signal, out),
            ClientMessage::HangUp { leg } => self.hang_up(now, conn, &who, leg, out),
            ClientMessage::StartSession { .. }
            | ClientMessage::EndSession
            | ClientMessage::CreateInvite
            | ClientMessage::RevokeInvite { .. }
            | ClientMessage::RequestStylist { .. }
            | ClientMessage::CancelRequest => match who {
                Who::Kiosk(device) => self.kiosk_message(now, conn, &device, msg, out),
                _ => self.bad(now, conn, CallErrorCode::NotAllowed, out),
            },
            ClientMessage::AskStaff { ask, items } => match who {
                Who::Kiosk(device) => self.ask_staff(now, conn, &device, ask, items, out),
                _ => self.bad(now, conn, CallErrorCode::NotAllowed, out),
            },
            ClientMessage::CancelAsk { ask } => match who {
                Who::Kiosk(device) => self.cancel_ask(conn, &device, ask, out),
                _ => self.bad(now, conn, CallErrorCode::NotAllowed, out),
            },
            ClientMessage::AnswerAsk { request, answer } => match who {
                Who::Account { username, .. } => self.answer_ask(conn, &username, request, answer, out),
                _ => self.bad(now, conn, CallErrorCode::NotAllowed, out),
            },
            ClientMessage::SetDuty { .. }
            | ClientMessage::Accept { .. }
            | ClientMessage::Decline { .. }
            | ClientMessage::Transfer { .. }
            | ClientMessage::AcceptTransfer { .. }
            | ClientMessage::DeclineTransfer { .. } => match who {
                Who::Account { username, .. } => self.answerer_message(now, conn, &username, msg, out),
                _ => self.bad(now, conn, CallErrorCode::NotAllowed, out),
            },
        }
        if refresh {
            self.refresh(out);
        }
    }

    /// A connection ended: a kiosk's calls end, a remote's leg waits out the grace period.
    fn gone(&mut self, now: UnixMs, conn: ConnectionId, out: &mut Out) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        match c.who {
            Who::Pending => {}
            Who::Kiosk(device) => {
                let current = self.kiosks.get_mut(&device).filter(|k| k.conn == Some(conn));
                if let Some(k) = current {
                    k.conn = None;
                    self.kiosk_gone(now, &device, out);
                }
            }
            Who::Account { username, .. } => {
                let Some(a) = self.answerers.get_mut(&username).filter(|a| a.conn == Some(conn)) else {
                    return;
                };
                a.conn = None;
                a.away_since = Some(now);
                a.last_queue = None;
                let leg = a.leg;
                if let Some(leg) = leg {
                    self.peer_away(leg, out);
                }
                self.withdraw_offers_to(&username, out);
            }
            Who::Friend(leg) => {
                if let Some(Leg {
                    remote:
                        Remote::Friend {
                            conn: friend_conn,
                            away_since,
                            ..
                        },
                    ..
                }) = self.legs.get_mut(&leg)
                    && *friend_conn == Some(conn)
                {
                    *friend_conn = None;
                    *away_since = Some(now);
                    self.peer_away(leg, out);
                }
            }
        }
    }

    /// Runs the timers: authentication and silence, grace periods, transfer offers, housekeeping.
    pub fn tick(&mut self, now: UnixMs) -> Vec<Output> {
        let mut out = Out::default();
        self.expire_asks(now);
        let expired: Vec<(ConnectionId, CloseReason)> = self
            .conns
            .iter()
            .filter_map(|(id, c)| match c.who {
                Who::Pending if now >= c.opened.plus(self.config.auth_timeout) => {
                    Some((*id, CloseReason::AuthTimeout))
                }
                Who::Pending => None,
                _ if now >= c.last_heard.plus(self.config.idle_timeout) => Some((*id, CloseReason::Silent)),
                _ => None,
            })
            .collect();
        for (conn, reason) in expired {
            self.drop_conn(now, conn, reason, &mut out);
        }

        let grace = self.config.grace;
        let lapsed: Vec<Username> = self
            .answerers
            .iter()
            .filter(|(_, a)| a.away_since.is_some_and(|t| now >= t.plus(grace)))
            .map(|(u, _)| u.clone())
            .collect();
        for username in lapsed {
            let leg = self.answerers.get_mut(&username).and_then(|a| {
                a.away_since = None;
                a.leg
            });
            if let Some(leg) = leg {
                self.end_leg(now, leg, LegEndReason::PeerLeft, &mut out);
            }
            self.set_duty(&username, false, &mut out);
        }
        let lapsed_friends: Vec<LegId> = self
            .legs
            .iter()
            .filter(|(_, l)| {
                matches!(l.remote, Remote::Friend { away_since: Some(t), .. } if now >= t.plus(grace))
            })
            .map(|(id, _)| *id)
            .collect();
        for leg in lapsed_friends {
            self.end_leg(now, leg, LegEndReason::PeerLeft, &mut out);
        }

        let timeout = self.config.transfer_timeout;
        let stale: Vec<TransferId> = self
            .transfers
            .iter()
            .filter(|(_, t)| now >= t.offered_at.plus(timeout))
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            self.fail_transfer(id, TransferFailReason::TimedOut, &mut out);
        }

        self.invites.purge(now);
        self.accounts.purge(now);
        self.refresh(&mut out);
        out.0
    }

    /// When [`CallCore::tick`] has something to do next.
    pub fn poll_timeout(&self) -> Option<UnixMs> {
        let conns = self.conns.values().map(|c| match c.who {
            Who::Pending => c.opened.plus(self.config.auth_timeout),
            _ => c.last_heard.plus(self.config.idle_timeout),
        });
        let grace = self.config.grace;
        let answerers = self
            .answerers
            .values()
            .filter_map(|a| a.away_since.map(|t| t.plus(grace)));
        let friends = self.legs.values().filter_map(|l| match l.remote {
            Remote::Friend {
                away_since: Some(t), ..
            } => Some(t.plus(grace)),
            _ => None,
        });
        let transfers = self
            .transfers
            .values()
            .map(|t| t.offered_at.plus(self.config.transfer_timeout));
        conns.chain(answerers).chain(friends).chain(transfers).min()
    }
}
