//! Messages on a call socket: kiosks, stylists, staff and friends talking to the relay's call core.
//!
//! A connection authenticates with its first message ([`ClientMessage::KioskHello`],
//! [`ClientMessage::Login`], [`ClientMessage::Resume`] or [`ClientMessage::JoinInvite`]); the relay
//! answers [`ServerMessage::Authenticated`] or an error. After that the relay routes WebRTC signalling
//! only between the two ends of a call leg: the kiosk and one remote. See `docs/CALLS.md`.
//!
//! Every message decodes through [`crate::decode`] (size first), and then [`ClientMessage::validate`]
//! checks the caps that serde cannot: SDP and candidate sizes and characters, list lengths, secrets.

use serde::{Deserialize, Serialize};

use crate::{DeviceId, RoomName, StoreId};

/// Largest SDP the relay forwards, in bytes. Browsers' offers with audio, video and data are 5–12 KiB.
pub const MAX_SDP_BYTES: usize = 32 * 1024;
/// The demo kiosk's device key: public, accepted only by a relay started with `--demo`.
pub const DEMO_DEVICE_KEY: &str = "demo-device-key-not-a-secret";
/// Largest ICE candidate line, in bytes (real ones are 60–250).
pub const MAX_CANDIDATE_BYTES: usize = 512;
/// Largest `sdpMid`, in bytes.
pub const MAX_MID_BYTES: usize = 32;
/// Largest ICE username fragment (RFC 8839: 4 to 256 characters).
pub const MAX_UFRAG_BYTES: usize = 256;
/// Highest m-line index accepted (exclusive).
pub const MAX_M_LINES: u16 = 64;
/// Garments a stylist request may list.
pub const MAX_GARMENTS: usize = 20;
/// Largest secret (password, device key, token, invite) accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 256;
/// Remotes (friends, stylists, staff) one kiosk's call may hold at once.
pub const MAX_REMOTES: usize = 3;

mod asks;
mod signal;
mod text;

pub use asks::{AskAnswer, AskItem, AskState, AskView, MAX_ASK_ITEMS};
pub use signal::{Signal, SignalError};
pub use text::{
    AskId, CallId, DisplayName, InviteId, Label, LegId, LookId, LookSummary, RequestId, Secret, SessionTag,
    Sku, TextError, TransferId, Username,
};

/// Who is on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// An enrolled fitting-room mirror.
    Kiosk,
    /// A stylist: answers requests from any store.
    Stylist,
    /// Store staff: answer requests from their own store.
    Staff,
    /// A shopper's friend, in by a single-use invite.
    Friend,
}

/// The look on the mirror when the shopper asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LookOnScreen {
    /// The recommender's look id, if the look is one.
    #[serde(default)]
    pub id: Option<LookId>,
    #[serde(default)]
    pub summary: Option<LookSummary>,
}

/// What a stylist sees about a request before accepting it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestContext {
    /// Garments scanned in this session, at most [`MAX_GARMENTS`], most recent last.
    #[serde(default)]
    pub garments: Vec<Sku>,
    #[serde(default)]
    pub look: Option<LookOnScreen>,
}

/// Where a request comes from and what it is about. Store and room come from the kiosk's enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub request: RequestId,
    pub device_id: DeviceId,
    pub store_id: StoreId,
    pub room: RoomName,
    pub context: RequestContext,
}

/// One waiting request as on-duty stylists see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    /// 1 is next.
    pub position: u32,
    /// When the request was made (Unix ms), so the page counts the wait itself.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub waiting_since_ms: u64,
    pub view: RequestView,
}

/// A colleague on duty, for transfers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Colleague {
    pub username: Username,
    pub display_name: DisplayName,
    pub role: Role,
    /// Already in a call: cannot take a transfer now.
    pub busy: bool,
}

/// Someone in a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PeerInfo {
    pub role: Role,
    pub display_name: DisplayName,
}

/// One remote in a call, as every member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub leg: LegId,
    pub peer: PeerInfo,
    /// Disconnected, inside the grace period.
    pub away: bool,
}

/// An ICE server as `RTCIceServer` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Secret>,
}

/// Any participant → relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ClientMessage {
    // --- Authentication: exactly one, first. ---
    /// An enrolled kiosk, with its device key and the shopper session on screen (if any).
    KioskHello {
        protocol: u16,
        device_id: DeviceId,
        device_key: Secret,
        #[serde(default)]
        session: Option<SessionTag>,
    },
    /// A stylist or staff member signs in; the answer carries a session token.
    Login {
        protocol: u16,
        username: Username,
        password: Secret,
    },
    /// Reconnect with a session token (stylist, staff) or a friend's resume token.
    Resume {
        protocol: u16,
        token: Secret,
        /// The page has no peer connection for its leg any more (it was reloaded, or its connection
        /// failed): the kiosk starts a new one instead of restarting ICE on the old one.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh: bool,
    },
    /// A friend joins by the invite's long token (QR link) or short code.
    JoinInvite {
        protocol: u16,
        invite: Secret,
        #[serde(default)]
        display_name: Option<DisplayName>,
    },

    // --- Anyone. ---
    /// Keeps the socket alive (browsers cannot send WebSocket pings).
    Ping {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
    /// Ends a stylist's or staff member's session token and closes the connection.
    Logout,
    /// Relays a signal to the other end of `leg`.
    Signal {
        leg: LegId,
        signal: Signal,
    },
    /// A remote leaves its leg; the kiosk ends one leg, or the whole call without `leg`.
    HangUp {
        #[serde(default)]
        leg: Option<LegId>,
    },

    // --- Kiosk. ---
    /// A shopper session began; a different tag ends the previous session first.
    StartSession {
        session: SessionTag,
    },
    /// The shopper session ended: its invites, request and call end with it.
    EndSession,
    /// A single-use invite for a friend, bound to the current session.
    CreateInvite,
    RevokeInvite {
        invite: InviteId,
    },
    /// Ask for a stylist; the relay queues the request.
    RequestStylist {
        context: RequestContext,
    },
    CancelRequest,
    /// Ask store staff to bring something (another size or colour). `ask` is the kiosk's own
    /// number for it, echoed in every `askStatus`.
    AskStaff {
        ask: u32,
        items: Vec<AskItem>,
    },
    /// The shopper no longer needs it.
    CancelAsk {
        ask: u32,
    },

    // --- Staff. ---
    /// Answer a shopper's ask: on my way, not in stock (with a suggestion), arrived.
    AnswerAsk {
        request: AskId,
        answer: AskAnswer,
    },

    // --- Stylist and staff. ---
    SetDuty {
        on_duty: bool,
    },
    /// Take a waiting request. The first accept wins.
    Accept {
        request: RequestId,
    },
    /// Pass on a request; it stays queued for others.
    Decline {
        request: RequestId,
    },
    /// Offer this leg to an on-duty colleague, who must accept.
    Transfer {
        leg: LegId,
        to: Username,
    },
    AcceptTransfer {
        transfer: TransferId,
    },
    DeclineTransfer {
        transfer: TransferId,
    },
}

/// A message failed a check that serde does not make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("invalid signal: {0}")]
    Signal(#[from] SignalError),
    #[error("{field} is too long")]
    TooLong { field: &'static str },
    #[error("more than {max} garments")]
    TooManyGarments { max: usize },
}

impl ClientMessage {
    /// Checks caps and contents beyond types: signals, secrets, list lengths.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let secret = |field: &'static str, s: &Secret| {
            if s.expose().len() > MAX_SECRET_BYTES {
                Err(ValidationError::TooLong { field })
            } else {
                Ok(())
            }
        };
        match self {
            ClientMessage::KioskHello { device_key, .. } => secret("deviceKey", device_key),
            ClientMessage::Login { password, .. } => secret("password", password),
            ClientMessage::Resume { token, .. } => secret("token", token),
            ClientMessage::JoinInvite { invite, .. } => secret("invite", invite),
            ClientMessage::Signal { signal, .. } => Ok(signal.validate()?),
            ClientMessage::RequestStylist { context } if context.garments.len() > MAX_GARMENTS => {
                Err(ValidationError::TooManyGarments { max: MAX_GARMENTS })
            }
            ClientMessage::AskStaff { items, .. } if items.is_empty() || items.len() > MAX_ASK_ITEMS => {
                Err(ValidationError::TooManyGarments { max: MAX_ASK_ITEMS })
            }
            _ => Ok(()),
        }
    }

    /// The message's name, for logs (never its contents).
    pub fn kind(&self) -> &'static str {
        match self {
            ClientMessage::KioskHello { .. } => "kioskHello",
            ClientMessage::Login { .. } => "login",
            ClientMessage::Resume { .. } => "resume",
            ClientMessage::JoinInvite { .. } => "joinInvite",
            ClientMessage::Ping { .. } => "ping",
            ClientMessage::Logout => "logout",
            ClientMessage::Signal { .. } => "signal",
            ClientMessage::HangUp { .. } => "hangUp",
            ClientMessage::StartSession { .. } => "startSession",
            ClientMessage::EndSession => "endSession",
            ClientMessage::CreateInvite => "createInvite",
            ClientMessage::RevokeInvite { .. } => "revokeInvite",
            ClientMessage::RequestStylist { .. } => "requestStylist",
            ClientMessage::CancelRequest => "cancelRequest",
            ClientMessage::AskStaff { .. } => "askStaff",
            ClientMessage::CancelAsk { .. } => "cancelAsk",
            ClientMessage::AnswerAsk { .. } => "answerAsk",
            ClientMessage::SetDuty { .. } => "setDuty",
            ClientMessage::Accept { .. } => "accept",
            ClientMessage::Decline { .. } => "decline",
            ClientMessage::Transfer { .. } => "transfer",
            ClientMessage::AcceptTransfer { .. } => "acceptTransfer",
            ClientMessage::DeclineTransfer { .. } => "declineTransfer",
        }
    }
}

/// Why a kiosk's request left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum RequestEndReason {
    /// A stylist took it; a `legStarted` follows.
    Accepted,
    Cancelled,
    SessionEnded,
}

/// Why a leg ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LegEndReason {
    /// The remote hung up.
    HungUp,
    /// The kiosk ended this leg or the whole call.
    EndedByKiosk,
    /// The remote stayed away past the grace period.
    PeerLeft,
    /// The stylist handed the call to a colleague.
    Transferred,
    /// The kiosk disconnected.
    KioskLeft,
    /// The shopper session ended.
    SessionEnded,
    /// The stylist or staff member logged out.
    LoggedOut,
}

/// Why a transfer did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum TransferFailReason {
    Declined,
    TimedOut,
    /// The colleague went off duty or away, or the leg ended.
    Unavailable,
}

/// Relay → participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ServerMessage {
    /// The connection is authenticated.
    Authenticated {
        protocol: u16,
        role: Role,
        display_name: DisplayName,
        /// A new session token (login) or a friend's resume token (join): keep it to reconnect.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<Secret>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        token_expires_at_ms: Option<u64>,
        /// Stylist and staff: whether they are on duty (kept across a reconnect within the grace period).
        #[serde(default)]
        on_duty: bool,
    },
    Pong {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
    LoggedOut,

    // --- To the kiosk. ---
    /// A friend invite: `token` goes into the QR link, `code` is typed by hand. Both single-use.
    InviteCreated {
        invite: InviteId,
        token: Secret,
        code: Secret,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        expires_at_ms: u64,
    },
    /// The request's place in the queue; sent again whenever it changes.
    QueueStatus {
        request: RequestId,
        /// 1 is next.
        position: u32,
        /// `None` while nobody is on duty.
        expected_wait_secs: Option<u32>,
        on_duty: u32,
    },
    RequestEnded {
        request: RequestId,
        reason: RequestEndReason,
    },
    /// Where a shopper's ask to staff stands; sent whenever it changes.
    AskStatus {
        ask: u32,
        request: AskId,
        status: AskState,
    },
    /// A remote's connection dropped; the leg waits `grace_secs` for it to come back.
    PeerAway {
        leg: LegId,
        grace_secs: u32,
    },
    /// The remote is back: do an ICE restart (send a new offer), or, when `fresh`, start a new peer
    /// connection for the leg (the remote's page was reloaded and its old connection is gone).
    PeerRejoined {
        leg: LegId,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh: bool,
    },

    // --- To store staff. ---
    /// The shoppers' asks in this person's store that are open or being handled, oldest first.
    StaffAsks {
        asks: Vec<AskView>,
    },

    // --- To stylists and staff on duty. ---
    /// The whole queue as this person sees it (without requests they declined), and who is on duty.
    Queue {
        /// The first entries, at most 20.
        entries: Vec<QueueEntry>,
        /// Requests waiting in all.
        total: u32,
        on_duty: Vec<Colleague>,
    },
    /// A colleague offers you their call.
    TransferOffer {
        transfer: TransferId,
        from: PeerInfo,
        request: RequestView,
    },
    /// The offer you were given is gone.
    TransferWithdrawn {
        transfer: TransferId,
    },
    /// Your transfer did not happen; the call stays with you.
    TransferFailed {
        transfer: TransferId,
        reason: TransferFailReason,
    },

    // --- To both ends of a leg. ---
    /// A leg started: set up a peer connection with these ICE servers. `offerer` sends the first offer.
    LegStarted {
        leg: LegId,
        call: CallId,
        /// The other end.
        peer: PeerInfo,
        offerer: bool,
        ice_servers: Vec<IceServer>,
        /// For stylists and staff: what the kiosk asked about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<RequestView>,
    },
    /// You are back on your leg after a reconnect: fresh ICE servers; expect an offer from the kiosk.
    LegResumed {
        leg: LegId,
        call: CallId,
        ice_servers: Vec<IceServer>,
    },
    LegEnded {
        leg: LegId,
        reason: LegEndReason,
    },
    /// Who is in the call now (to the kiosk and every remote).
    Members {
        call: CallId,
        members: Vec<Member>,
    },
    /// A signal from the other end of `leg`.
    Signal {
        leg: LegId,
        signal: Signal,
    },

    /// Something was refused. `message` is fixed per code and never holds internal detail.
    Error {
        code: CallErrorCode,
        message: String,
    },
}

/// Why the relay refused a call message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CallErrorCode {
    /// Not JSON, not a message we know, or a field failed validation.
    BadMessage,
    /// Larger than [`crate::MAX_MESSAGE_BYTES`].
    TooLarge,
    /// An SDP or ICE candidate failed validation.
    InvalidSignal,
    UnsupportedProtocol,
    /// Authenticate first.
    AuthRequired,
    AlreadyAuthenticated,
    /// Wrong username or password, or unknown device or key.
    BadCredentials,
    /// The session or resume token is unknown or expired: log in again.
    SessionExpired,
    /// Too many messages, failed logins or failed invite codes.
    RateLimited,
    InviteUnknown,
    InviteUsed,
    /// Past its 10 minutes, or its shopper session ended.
    InviteExpired,
    /// Your role may not do that.
    NotAllowed,
    /// That leg is not yours.
    NotInCall,
    /// The kiosk has no shopper session.
    NoSession,
    /// The kiosk is offline.
    KioskOffline,
    /// Already has a request waiting.
    AlreadyRequested,
    /// Already answered or cancelled.
    RequestGone,
    /// The call already has [`MAX_REMOTES`] remotes.
    CallFull,
    /// You are already in a call.
    Busy,
    /// Go on duty first.
    NotOnDuty,
    /// The colleague is not on duty, busy, or cannot serve that store.
    TransferUnavailable,
    /// The transfer offer is gone.
    TransferGone,
    /// The other end is reconnecting; try again shortly.
    PeerAway,
}

impl CallErrorCode {
    /// The fixed text sent with the code.
    pub fn message(self) -> &'static str {
        match self {
            CallErrorCode::BadMessage => "that message was not understood",
            CallErrorCode::TooLarge => "that message is too large",
            CallErrorCode::InvalidSignal => "that offer, answer or candidate is not valid",
            CallErrorCode::UnsupportedProtocol => "unsupported protocol version",
            CallErrorCode::AuthRequired => "sign in first",
            CallErrorCode::AlreadyAuthenticated => "already signed in",
            CallErrorCode::BadCredentials => "wrong name or password",
            CallErrorCode::SessionExpired => "your session has expired; sign in again",
            CallErrorCode::RateLimited => "too many attempts; wait a little",
            CallErrorCode::InviteUnknown => "that invite is not valid",
            CallErrorCode::InviteUsed => "that invite has already been used",
            CallErrorCode::InviteExpired => "that invite has expired",
            CallErrorCode::NotAllowed => "not allowed",
            CallErrorCode::NotInCall => "you are not in that call",
            CallErrorCode::NoSession => "start a session first",
            CallErrorCode::KioskOffline => "the fitting room is offline",
            CallErrorCode::AlreadyRequested => "a request is already waiting",
            CallErrorCode::RequestGone => "that request is no longer waiting",
            CallErrorCode::CallFull => "the call is full",
            CallErrorCode::Busy => "you are already in a call",
            CallErrorCode::NotOnDuty => "go on duty first",
            CallErrorCode::TransferUnavailable => "that colleague cannot take the call",
            CallErrorCode::TransferGone => "that transfer is no longer open",
            CallErrorCode::PeerAway => "the other side is reconnecting",
        }
    }
}

impl ServerMessage {
    /// An error with its fixed text.
    pub fn error(code: CallErrorCode) -> Self {
        ServerMessage::Error {
            code,
            message: code.message().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode};

    #[test]
    fn login_round_trips_and_hides_the_password_in_debug() {
        let text = r#"{"type":"login","protocol":1,"username":"Mei.Chen","password":"hunter22"}"#;
        let msg: ClientMessage = decode(text).unwrap();
        let ClientMessage::Login {
            username, password, ..
        } = &msg
        else {
            panic!("{msg:?}")
        };
        assert_eq!(username.as_str(), "mei.chen");
        assert_eq!(password.expose(), "hunter22");
        assert!(!format!("{msg:?}").contains("hunter22"));
        assert_eq!(decode::<ClientMessage>(&encode(&msg).unwrap()).unwrap(), msg);
    }

    #[test]
    fn signal_uses_rtc_field_names() {
        let text = r#"{"type":"signal","leg":3,"signal":{"type":"candidate","candidate":"candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#;
        let msg: ClientMessage = decode(text).unwrap();
        assert!(matches!(
            &msg,
            ClientMessage::Signal {
                leg: LegId(3),
                signal: Signal::Candidate {
                    sdp_m_line_index: Some(0),
                    ..
                }
            }
        ));
        assert!(msg.validate().is_ok());
        let eoc: ClientMessage =
            decode(r#"{"type":"signal","leg":3,"signal":{"type":"endOfCandidates"}}"#).unwrap();
        assert!(eoc.validate().is_ok());
    }

    #[test]
    fn sdp_is_capped_and_must_be_sdp() {
        let ok = Signal::Offer {
            sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n".into(),
        };
        assert!(ok.validate().is_ok());
        let huge = Signal::Offer {
            sdp: format!("v=0\r\n{}", "a".repeat(MAX_SDP_BYTES)),
        };
        assert!(matches!(huge.validate(), Err(SignalError::SdpTooLarge { .. })));
        let not = Signal::Answer { sdp: "hello".into() };
        assert_eq!(not.validate(), Err(SignalError::SdpNotSdp));
        let nul = Signal::Answer {
            sdp: "v=0\r\ns=\u{0}\r\n".into(),
        };
        assert_eq!(nul.validate(), Err(SignalError::SdpControl));
    }

    #[test]
    fn candidates_are_capped_and_checked() {
        let cand = |c: &str| Signal::Candidate {
            candidate: c.into(),
            sdp_mid: None,
            sdp_m_line_index: None,
            username_fragment: None,
        };
        assert_eq!(cand("1 1 udp").validate(), Err(SignalError::NotACandidate));
        assert!(matches!(
            cand(&format!("candidate:{}", "1".repeat(MAX_CANDIDATE_BYTES))).validate(),
            Err(SignalError::CandidateTooLarge { .. })
        ));
        assert_eq!(
            cand("candidate:1 1 udp\n").validate(),
            Err(SignalError::Control { field: "candidate" })
        );
        let bad_index = Signal::Candidate {
            candidate: "candidate:1".into(),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(MAX_M_LINES),
            username_fragment: None,
        };
        assert_eq!(bad_index.validate(), Err(SignalError::LineIndex));
    }

    #[test]
    fn request_context_caps_garments_and_checks_skus() {
        let skus: Vec<String> = (0..=MAX_GARMENTS).map(|i| format!("\"SKU-{i}\"")).collect();
        let text = format!(
            r#"{{"type":"requestStylist","context":{{"garments":[{}]}}}}"#,
            skus.join(",")
        );
        let msg: ClientMessage = decode(&text).unwrap();
        assert_eq!(
            msg.validate(),
            Err(ValidationError::TooManyGarments { max: MAX_GARMENTS })
        );
        let bad_sku = r#"{"type":"requestStylist","context":{"garments":["<script>"]}}"#;
        assert!(decode::<ClientMessage>(bad_sku).is_err());
        let with_look = r#"{"type":"requestStylist","context":{"garments":["TEE-1"],"look":{"summary":"navy blazer, white tee"}}}"#;
        assert!(decode::<ClientMessage>(with_look).unwrap().validate().is_ok());
    }

    #[test]
    fn server_messages_use_camel_case_and_skip_empty_credentials() {
        let msg = ServerMessage::QueueStatus {
            request: RequestId(4),
            position: 2,
            expected_wait_secs: Some(90),
            on_duty: 1,
        };
        let text = encode(&msg).unwrap();
        assert!(text.contains(r#""type":"queueStatus""#), "{text}");
        assert!(text.contains(r#""expectedWaitSecs":90"#), "{text}");
        let stun = IceServer {
            urls: vec!["stun:stun.example.org".into()],
            username: None,
            credential: None,
        };
        assert_eq!(encode(&stun).unwrap(), r#"{"urls":["stun:stun.example.org"]}"#);
        let err = encode(&ServerMessage::error(CallErrorCode::InviteUsed)).unwrap();
        assert!(err.contains(r#""code":"inviteUsed""#), "{err}");
    }
}
