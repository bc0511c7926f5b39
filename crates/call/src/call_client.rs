//! The kiosk's call socket: one WebSocket to the relay's `/call` as an enrolled kiosk.
//!
//! [`CallClient::spawn`] starts a task that says `kioskHello` (device id, device key, the shopper
//! session), pings every 15 s, and on the relay's `legStarted` builds a [`KioskPeer`] with the leg's
//! ICE servers, offers, and trickles candidates both ways as `signal` messages. `peerRejoined`
//! restarts ICE; `legEnded` closes the leg's peer. Every peer's video comes from one shared
//! [`VideoFanout`] that the caller feeds from the camera's encoder.
//!
//! What happens is reported as [`CallEvent`]s on a tokio channel. If the socket drops, every leg
//! ends (the relay ends the call of a kiosk that leaves) and the client reconnects with
//! [`Backoff`], saying hello again with the same session so its invites survive.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ws::{FrameError, Ws, short};
use atelier_protocol::call::{
    AskId, AskItem, AskState, CallErrorCode, CallId, ClientMessage, IceServer as WireIceServer, InviteId,
    LegEndReason, LegId, Member, PeerInfo, RequestContext, RequestEndReason, RequestId, Secret,
    ServerMessage, SessionTag, Signal,
};
use atelier_protocol::{DeviceId, PROTOCOL_VERSION};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::Backoff;
use crate::peer::{
    IceServer, KioskPeer, MediaKind, PeerConfig, PeerHandlers, PeerState, RemoteFrame, VideoFanout,
};

mod actor;
use actor::Actor;

/// Events queued for the caller before new ones are dropped (and logged).
const EVENT_QUEUE: usize = 1024;
/// Commands queued for the task.
const COMMAND_QUEUE: usize = 64;
/// Callbacks of the peers queued for the task.
const PEER_EVENT_QUEUE: usize = 1024;
/// The shortest time between two ICE restarts of a leg after its path broke.
const ICE_RESTART_GAP: Duration = Duration::from_secs(5);

/// How the kiosk reaches the relay's call socket and who it is there.
#[derive(Clone)]
pub struct CallClientSettings {
    /// `ws://<relay>/call` (or `wss://`).
    pub url: String,
    pub device_id: DeviceId,
    /// The key printed by `atelier-relay enroll`.
    pub device_key: Secret,
    /// The shopper session on screen at start, if any (see [`CallClient::start_session`]).
    pub session: Option<SessionTag>,
    /// Template of every leg's peer (bind addresses, check interval…); the ICE servers come from the relay.
    pub peer: PeerConfig,
    /// The relay wants a message every 45 s at the latest; `ping` every 15 s.
    pub ping_interval: Duration,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// Limit for the TCP + WebSocket handshake and for `authenticated`.
    pub handshake_timeout: Duration,
}

impl CallClientSettings {
    /// Settings with the usual timings.
    pub fn new(url: impl Into<String>, device_id: DeviceId, device_key: Secret) -> Self {
        Self {
            url: url.into(),
            device_id,
            device_key,
            session: None,
            peer: PeerConfig::default(),
            ping_interval: Duration::from_secs(15),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for CallClientSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallClientSettings")
            .field("url", &self.url)
            .field("device_id", &self.device_id)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// What the call socket tells the kiosk.
#[derive(Debug, Clone)]
pub enum CallEvent {
    /// The relay accepted the kiosk (after every (re)connect).
    Authenticated,
    /// The socket dropped; a reconnect follows after `retry_in`.
    Disconnected {
        error: String,
        retry_in: Duration,
    },
    /// A friend invite: the token goes into the QR link (`https://<relay>/join#<token>`), the code is typed.
    InviteCreated {
        invite: InviteId,
        token: Secret,
        code: Secret,
        expires_at_ms: u64,
    },
    QueueStatus {
        request: RequestId,
        position: u32,
        expected_wait_secs: Option<u32>,
        on_duty: u32,
    },
    RequestEnded {
        request: RequestId,
        reason: RequestEndReason,
    },
    /// A remote joined: its peer is set up and the offer is on its way.
    LegStarted {
        leg: LegId,
        call: CallId,
        peer: PeerInfo,
    },
    /// The leg's peer connection changed state (`Connected`: media flows).
    LegState {
        leg: LegId,
        state: PeerState,
    },
    /// The leg's board channel opened.
    BoardOpen {
        leg: LegId,
    },
    BoardText {
        leg: LegId,
        text: String,
    },
    /// The first complete frame of this kind from the remote (more are counted in the peer's stats).
    FirstRemoteFrame {
        leg: LegId,
        kind: MediaKind,
    },
    /// The remote's connection dropped; the leg waits `grace_secs` for it.
    PeerAway {
        leg: LegId,
        grace_secs: u32,
    },
    /// The remote is back; an ICE restart offer went out, or, when `fresh`, an offer on a new peer
    /// connection (its page was reloaded): its media starts over on [`CallClient::peer`]'s new peer.
    PeerRejoined {
        leg: LegId,
        fresh: bool,
    },
    Members {
        call: CallId,
        members: Vec<Member>,
    },
    LegEnded {
        leg: LegId,
        reason: LegEndReason,
    },
    /// Where a shopper's ask to store staff stands (another size or colour).
    AskStatus {
        ask: u32,
        request: AskId,
        status: AskState,
    },
    /// The relay refused something.
    Error {
        code: CallErrorCode,
    },
    /// Something went wrong on the kiosk's side of a leg (its peer could not be set up, an answer was refused…).
    LegFailed {
        leg: LegId,
        error: String,
    },
}

/// Why a request to the client failed.
#[derive(Debug, thiserror::Error)]
pub enum CallClientError {
    #[error("not connected to the relay's call socket")]
    Offline,
    #[error("the call client has stopped")]
    Stopped,
    #[error("no such leg")]
    NoSuchLeg,
}

/// Why a connection attempt or a live connection ended (for logs and [`CallEvent::Disconnected`]).
#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("cannot reach the relay ({0})")]
    Connect(String),
    #[error("the relay did not answer within {0} s")]
    HandshakeTimeout(u64),
    #[error("the relay closed the connection")]
    Closed,
    #[error("the relay went silent")]
    Silent,
    #[error("the relay sent data Atelier does not understand")]
    Garbage,
    #[error("the relay refused this kiosk ({0:?})")]
    Refused(CallErrorCode),
    #[error("connection lost ({0})")]
    Io(String),
    #[error("the call client was stopped")]
    Stopped,
}

enum Command {
    Send(ClientMessage, oneshot::Sender<Result<(), CallClientError>>),
    Session(Option<SessionTag>, oneshot::Sender<Result<(), CallClientError>>),
    Peer(LegId, oneshot::Sender<Option<KioskPeer>>),
    /// Restart ICE on every leg (the kiosk's network changed).
    RestartIce(oneshot::Sender<usize>),
}

enum PeerEventKind {
    Candidate(String),
    State(PeerState),
    BoardOpen,
    BoardText(String),
    FirstFrame(MediaKind),
}

struct PeerEvent {
    leg: LegId,
    kind: PeerEventKind,
}

/// A running call client; dropping it stops the task and closes every leg.
pub struct CallClient {
    commands: mpsc::Sender<Command>,
    task: JoinHandle<()>,
}

impl CallClient {
    /// Starts the client on the current tokio runtime. `on_keyframe_request` is wired to every
    /// leg's peer (give it the camera's `force_keyframe`); `on_remote_frame` gets every frame of
    /// every remote (for the decoder), from the peers' own tasks: keep it short.
    pub fn spawn(
        settings: CallClientSettings,
        fanout: Arc<VideoFanout>,
        on_keyframe_request: Arc<dyn Fn() + Send + Sync>,
        on_remote_frame: Option<Arc<dyn Fn(LegId, RemoteFrame) + Send + Sync>>,
    ) -> (Self, mpsc::Receiver<CallEvent>) {
        let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
        let (commands, commands_rx) = mpsc::channel(COMMAND_QUEUE);
        let actor = Actor::new(settings, fanout, on_keyframe_request, on_remote_frame, events_tx);
        let task = tokio::spawn(actor.run(commands_rx));
        (Self { commands, task }, events)
    }

    async fn send(&self, msg: ClientMessage) -> Result<(), CallClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Send(msg, tx))
            .await
            .map_err(|_| CallClientError::Stopped)?;
        rx.await.map_err(|_| CallClientError::Stopped)?
    }

    /// A shopper session began (a different tag ends the previous one at the relay). Remembered for
    /// reconnects; sent now if connected.
    pub async fn start_session(&self, session: SessionTag) -> Result<(), CallClientError> {
        self.session(Some(session)).await
    }

    /// The shopper session ended: its invites, request and call end with it.
    pub async fn end_session(&self) -> Result<(), CallClientError> {
        self.session(None).await
    }

    async fn session(&self, session: Option<SessionTag>) -> Result<(), CallClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Session(session, tx))
            .await
            .map_err(|_| CallClientError::Stopped)?;
        rx.await.map_err(|_| CallClientError::Stopped)?
    }

    /// Asks for a friend invite; the answer is [`CallEvent::InviteCreated`] (or an error event).
    pub async fn create_invite(&self) -> Result<(), CallClientError> {
        self.send(ClientMessage::CreateInvite).await
    }

    pub async fn revoke_invite(&self, invite: InviteId) -> Result<(), CallClientError> {
        self.send(ClientMessage::RevokeInvite { invite }).await
    }

    /// Queues a request for a stylist; [`CallEvent::QueueStatus`] follows.
    pub async fn request_stylist(&self, context: RequestContext) -> Result<(), CallClientError> {
        self.send(ClientMessage::RequestStylist { context }).await
    }

    pub async fn cancel_request(&self) -> Result<(), CallClientError> {
        self.send(ClientMessage::CancelRequest).await
    }

    /// Restarts ICE on every leg, e.g. when the kiosk's network changed (a new address, another
    /// interface): each remote gets a new offer. Returns how many legs restarted.
    pub async fn restart_ice(&self) -> Result<usize, CallClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::RestartIce(tx))
            .await
            .map_err(|_| CallClientError::Stopped)?;
        rx.await.map_err(|_| CallClientError::Stopped)
    }

    /// Asks store staff to bring `items`; `ask` is the kiosk's own number for it (resending the same
    /// number is harmless). Answers come as [`CallEvent::AskStatus`].
    pub async fn ask_staff(&self, ask: u32, items: Vec<AskItem>) -> Result<(), CallClientError> {
        self.send(ClientMessage::AskStaff { ask, items }).await
    }

    pub async fn cancel_ask(&self, ask: u32) -> Result<(), CallClientError> {
        self.send(ClientMessage::CancelAsk { ask }).await
    }

    /// Ends one leg, or the whole call without `leg`.
    pub async fn hang_up(&self, leg: Option<LegId>) -> Result<(), CallClientError> {
        self.send(ClientMessage::HangUp { leg }).await
    }

    /// The leg's peer (stats, board messages), while the leg lasts.
    pub async fn peer(&self, leg: LegId) -> Result<KioskPeer, CallClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Peer(leg, tx))
            .await
            .map_err(|_| CallClientError::Stopped)?;
        rx.await
            .map_err(|_| CallClientError::Stopped)?
            .ok_or(CallClientError::NoSuchLeg)
    }

    /// Sends a text message on a leg's board channel.
    pub async fn send_board_text(&self, leg: LegId, text: &str) -> Result<(), crate::PeerError> {
        match self.peer(leg).await {
            Ok(peer) => peer.send_board_text(text).await,
            Err(_) => Err(crate::PeerError::BoardNotOpen),
        }
    }
}

impl Drop for CallClient {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for CallClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallClient").finish_non_exhaustive()
    }
}
