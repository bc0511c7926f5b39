//! Call signalling as a pure state machine: roles and their rules, friend invites, the stylist queue,
//! call legs and WebRTC signal relaying, TURN credentials.
//!
//! The shell reports sockets opening and closing, text arriving, and the time; [`CallCore`] answers with
//! [`Output`]s (messages to send, connections to close, events to log). No IO, no clock, no global
//! randomness: time is an argument and randomness comes through [`Entropy`]. See `docs/CALLS.md`.

mod accounts;
mod asks;
mod auth;
mod core;
mod duty;
mod entropy;
mod invites;
mod kiosks;
mod legs;
mod queue;
mod turn;

#[cfg(test)]
mod tests;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use atelier_protocol::call::{
    CallId, InviteId, LegEndReason, LegId, RequestEndReason, RequestId, ServerMessage, TransferFailReason,
    TransferId, Username,
};
use atelier_protocol::{ConnectionId, DeviceId, StoreId};

pub use accounts::{
    Account, AccountError, AccountRole, Accounts, Grant, LOCKOUT, LoginError, MAX_FAILED_LOGINS,
    PasswordCost, hash_password, verify_password,
};
pub use core::CallCore;
pub use entropy::{
    CODE_ALPHABET, CODE_LEN, Entropy, OsEntropy, SeededEntropy, TokenHash, random_token, short_code,
};
pub use invites::{INVITE_TTL, MAX_CODE_FAILURES_PER_MIN, MAX_OPEN_PER_KIOSK};
pub use kiosks::{DEMO_DEVICE_ID, DEMO_DEVICE_KEY, DEMO_ROOM, DEMO_STORE_ID, Enrollment, Enrollments};
pub use queue::WaitEstimator;
pub use turn::{IceConfig, ice_servers, turn_credential};

/// A wall-clock instant in milliseconds since the Unix epoch. Passed in; never read inside the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixMs(pub u64);

impl UnixMs {
    /// Converts a `SystemTime` (the shell's clock); times before 1970 become 0.
    pub fn from_system_time(t: SystemTime) -> Self {
        let ms = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Self(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    /// `self + d`, saturating.
    pub fn plus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later.
    pub fn since(self, earlier: UnixMs) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// Whole seconds since the epoch.
    pub fn as_secs(self) -> u64 {
        self.0 / 1000
    }
}

/// Timings and servers of the call core.
#[derive(Debug, Clone)]
pub struct CallConfig {
    /// STUN/TURN servers and the TURN secret.
    pub ice: IceConfig,
    /// How long a stylist's or staff member's login lasts.
    pub session_ttl: Duration,
    /// How long a friend invite may be redeemed.
    pub invite_ttl: Duration,
    /// How long a remote's leg (and a stylist's duty) survives a dropped connection.
    pub grace: Duration,
    /// How long a transfer offer waits for the colleague.
    pub transfer_timeout: Duration,
    /// How long a new connection may take to authenticate.
    pub auth_timeout: Duration,
    /// How long an authenticated connection may stay silent (clients ping every 15 s).
    pub idle_timeout: Duration,
    /// The queue's assumed time for one answerer to free up, until it has measured some.
    pub default_service: Duration,
}

impl Default for CallConfig {
    fn default() -> Self {
        Self {
            ice: IceConfig {
                urls: Vec::new(),
                turn_secret: None,
                ttl: Duration::from_secs(6 * 3600),
            },
            session_ttl: Duration::from_secs(12 * 3600),
            invite_ttl: INVITE_TTL,
            grace: Duration::from_secs(30),
            transfer_timeout: Duration::from_secs(30),
            auth_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(45),
            default_service: Duration::from_secs(120),
        }
    }
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send a message on a connection.
    Send { to: ConnectionId, msg: ServerMessage },
    /// Close a connection after sending what was queued before. The core has already forgotten it:
    /// [`CallCore::disconnected`] for it later is harmless.
    Close { conn: ConnectionId, reason: CloseReason },
    /// Something to log or persist.
    Event(CallEvent),
}

/// Why the core closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Did not authenticate in time.
    AuthTimeout,
    /// Silent too long.
    Silent,
    /// Flooding, or too many bad messages or failed sign-ins.
    Misbehaving,
    /// The same kiosk or account connected again.
    Replaced,
    LoggedOut,
    /// A friend's leg ended: nothing left to do on that socket.
    CallOver,
}

/// The remote end of a leg, for logs. A friend's name is left out: it is the shopper's guest's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteRef {
    Account(Username),
    Friend,
}

/// Things that happened, for the shell to log or persist. Never carries tokens, passwords or SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    KioskOnline {
        conn: ConnectionId,
        device: DeviceId,
    },
    KioskAuthFailed {
        conn: ConnectionId,
        device: DeviceId,
    },
    LoggedIn {
        conn: ConnectionId,
        username: Username,
    },
    LoginFailed {
        conn: ConnectionId,
        username: Username,
    },
    Resumed {
        conn: ConnectionId,
        remote: RemoteRef,
    },
    LoggedOut {
        username: Username,
    },
    DutyChanged {
        username: Username,
        on_duty: bool,
    },
    InviteCreated {
        invite: InviteId,
        device: DeviceId,
    },
    InviteRedeemed {
        invite: InviteId,
        device: DeviceId,
        leg: LegId,
    },
    InviteRefused {
        conn: ConnectionId,
    },
    RequestQueued {
        request: RequestId,
        device: DeviceId,
        store: StoreId,
    },
    RequestDeclined {
        request: RequestId,
        by: Username,
    },
    RequestAccepted {
        request: RequestId,
        device: DeviceId,
        by: Username,
        waited: Duration,
    },
    RequestEnded {
        request: RequestId,
        device: DeviceId,
        reason: RequestEndReason,
    },
    LegStarted {
        call: CallId,
        leg: LegId,
        device: DeviceId,
        remote: RemoteRef,
    },
    LegEnded {
        call: CallId,
        leg: LegId,
        reason: LegEndReason,
    },
    /// A remote's socket dropped; its leg waits out the grace period.
    PeerAway {
        call: CallId,
        leg: LegId,
    },
    /// A remote came back on a new connection: the shell catches it up (the shared board).
    PeerRejoined {
        call: CallId,
        leg: LegId,
        conn: ConnectionId,
    },
    CallEnded {
        call: CallId,
        device: DeviceId,
    },
    TransferOffered {
        transfer: TransferId,
        leg: LegId,
        from: Username,
        to: Username,
    },
    Transferred {
        transfer: TransferId,
        from_leg: LegId,
        to_leg: LegId,
    },
    TransferFailed {
        transfer: TransferId,
        reason: TransferFailReason,
    },
}
