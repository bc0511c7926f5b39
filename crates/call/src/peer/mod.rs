//! The kiosk's WebRTC peers (webrtc-rs 0.21), one per remote in a call.
//!
//! The kiosk is always the offerer: [`KioskPeer::create_offer`] → the remote's answer →
//! [`KioskPeer::set_answer`], with ICE candidates trickled both ways as JSON
//! (`{"candidate","sdpMid","sdpMLineIndex"}`, the browser's `RTCIceCandidateInit`). Signaling
//! transport is the caller's business. Each peer sends H.264 (constrained baseline,
//! packetization-mode 1) and Opus, receives the remote's video and audio, and carries the ordered,
//! reliable "board" data channel. The camera's stream is encoded once: [`VideoFanout`] writes each
//! access unit to every connected peer.
//!
//! Video goes to a peer only once it is connected, starting at a keyframe: on connect (and on the
//! remote's PLI/FIR) the peer asks for one through [`PeerHandlers::on_keyframe_request`], which
//! the kiosk wires to the camera's `force_keyframe`.

mod board;
mod clock;
mod error;
mod events;
mod fanout;
mod h264;
mod keyframe;
mod kiosk;
mod media;
mod shared;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

pub use board::{BOARD_LABEL, BoardDrop, DEFAULT_BOARD_MAX_MESSAGE_BYTES, check_inbound};
pub use clock::SampleClock;
pub use error::PeerError;
pub use fanout::{EncodedVideo, FanoutStats, MAX_PEERS, VideoFanout};
pub use h264::{AccessUnit, FrameAssembler};
pub use kiosk::KioskPeer;

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }
}

/// The connection's state, as the W3C `RTCPeerConnectionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PeerState {
    New,
    Connecting,
    Connected,
    /// Lost for now; ICE may recover by itself, or the kiosk restarts ICE.
    Disconnected,
    Failed,
    Closed,
}

/// A STUN or TURN server.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct IceServer {
    /// `stun:host:port`, `turn:host:port?transport=udp`, …
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

impl fmt::Debug for IceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential is a secret (a TURN password): never in logs.
        f.debug_struct("IceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// How a peer connects.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    pub ice_servers: Vec<IceServer>,
    /// Local UDP addresses to bind; a wildcard means every non-loopback interface.
    pub bind_addrs: Vec<SocketAddr>,
    /// Use TURN relays only (`iceTransportPolicy: "relay"`).
    pub relay_only: bool,
    /// Pause between ICE connectivity checks while connecting. The kiosk nominates a pair, and
    /// sends its DTLS hello, on these ticks: 10 ms joins ~40 ms sooner than 50 ms (webrtc-rs's
    /// default is 200 ms). Each pair is still tried for ~1.4 s (see `binding_requests`).
    pub ice_check_interval: Duration,
    /// Inbound board messages above this are dropped and logged.
    pub board_max_message_bytes: usize,
    /// At most one keyframe request per this long (remotes send PLI in bursts).
    pub keyframe_request_gap: Duration,
}

impl Default for PeerConfig {
    fn default() -> Self {
        Self {
            ice_servers: Vec::new(),
            bind_addrs: vec![SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))],
            relay_only: false,
            ice_check_interval: Duration::from_millis(10),
            board_max_message_bytes: DEFAULT_BOARD_MAX_MESSAGE_BYTES,
            keyframe_request_gap: Duration::from_millis(300),
        }
    }
}

/// One encoded video access unit for one peer (H.264, Annex B).
#[derive(Debug, Clone)]
pub struct VideoSample {
    pub data: Bytes,
    /// Time from the previous frame (see [`SampleClock`]); RTP timestamps are its running sum.
    pub duration: Duration,
    pub keyframe: bool,
}

/// What happened to a sample handed to a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Sent,
    /// Not connected (yet, or any more): nothing leaves the device.
    NotConnected,
    /// Connected, but the stream starts at a keyframe; one has been requested.
    WaitingForKeyframe,
}

/// A frame from the remote: an H.264 access unit (Annex B) or one Opus packet.
#[derive(Debug, Clone)]
pub struct RemoteFrame {
    pub kind: MediaKind,
    pub data: Bytes,
    pub rtp_timestamp: u32,
    /// For video: decoding can start here. Always true for audio.
    pub keyframe: bool,
}

/// Counters of media sent on one track.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentStats {
    /// Samples (video access units, audio packets) handed to the track.
    pub samples: u64,
    pub packets: u64,
    pub bytes: u64,
}

/// Counters of media received from the remote on one kind of track.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedStats {
    pub packets: u64,
    /// RTP payload bytes.
    pub bytes: u64,
    /// Complete frames handed on (video access units, audio packets).
    pub frames: u64,
    /// Video frames dropped because a packet was lost or malformed.
    pub frames_dropped: u64,
}

/// A getStats-like snapshot of one peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerStats {
    pub state: PeerState,
    /// Everything on the selected transport (media, RTCP, data channel, ICE).
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub packets_sent: u64,
    pub packets_received: u64,
    pub video_sent: SentStats,
    pub audio_sent: SentStats,
    pub video_received: ReceivedStats,
    pub audio_received: ReceivedStats,
    pub board_messages_sent: u64,
    pub board_messages_received: u64,
    pub board_messages_dropped: u64,
    /// PLI / FIR from the remote.
    pub keyframe_requests_received: u64,
    /// The remote's latest receiver report on our video: packets lost, in millionths, once a
    /// report came.
    pub video_loss_ppm: Option<u32>,
    /// The round trip the reports measure, in milliseconds.
    pub video_rtt_ms: Option<u32>,
}

type Callback<T> = Arc<dyn Fn(T) + Send + Sync>;

/// What a peer tells the kiosk, each from the peer's own tasks. Keep the callbacks short: hand
/// the value to a channel or a task; a slow callback holds up the peer.
#[derive(Clone, Default)]
pub struct PeerHandlers {
    local_candidate: Option<Callback<String>>,
    state: Option<Callback<PeerState>>,
    board_open: Option<Callback<()>>,
    board_text: Option<Callback<String>>,
    remote_frame: Option<Callback<RemoteFrame>>,
    keyframe_request: Option<Callback<()>>,
}

impl PeerHandlers {
    pub fn new() -> Self {
        Self::default()
    }

    /// A local ICE candidate as JSON (`RTCIceCandidateInit`), to trickle to the remote. The
    /// candidates of an offer are held until its answer is set, so none can reach the remote
    /// before the offer does (whatever order the caller's signaling sends things in).
    pub fn on_local_candidate(mut self, f: impl Fn(String) + Send + Sync + 'static) -> Self {
        self.local_candidate = Some(Arc::new(f));
        self
    }

    /// The connection's state changed.
    pub fn on_state(mut self, f: impl Fn(PeerState) + Send + Sync + 'static) -> Self {
        self.state = Some(Arc::new(f));
        self
    }

    /// The board channel opened: board messages can be sent.
    pub fn on_board_open(mut self, f: impl Fn() + Send + Sync + 'static) -> Self {
        self.board_open = Some(Arc::new(move |()| f()));
        self
    }

    /// A text message on the board channel, already size-checked (not yet validated as JSON).
    pub fn on_board_text(mut self, f: impl Fn(String) + Send + Sync + 'static) -> Self {
        self.board_text = Some(Arc::new(f));
        self
    }

    /// A complete frame from the remote (for the decoder).
    pub fn on_remote_frame(mut self, f: impl Fn(RemoteFrame) + Send + Sync + 'static) -> Self {
        self.remote_frame = Some(Arc::new(f));
        self
    }

    /// The peer needs a keyframe (it just connected, or the remote lost one): wire this to the
    /// camera's `force_keyframe`. Rate-limited by [`PeerConfig::keyframe_request_gap`].
    pub fn on_keyframe_request(mut self, f: impl Fn() + Send + Sync + 'static) -> Self {
        self.keyframe_request = Some(Arc::new(move |()| f()));
        self
    }
}

impl fmt::Debug for PeerHandlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerHandlers").finish_non_exhaustive()
    }
}

impl PeerStats {
    /// The remote's latest report on our video, for the bitrate controller.
    pub fn video_feedback(&self) -> Option<crate::bitrate::LinkReport> {
        self.video_loss_ppm.map(|ppm| crate::bitrate::LinkReport {
            fraction_lost: f64::from(ppm) / 1e6,
            rtt: self.video_rtt_ms.map(|ms| Duration::from_millis(u64::from(ms))),
        })
    }
}
