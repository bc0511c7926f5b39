//! Networking of the kiosk: the relay client, the call socket and the WebRTC peers of a call.

pub mod backoff;
pub mod bitrate;
pub mod board_host;
pub mod call_client;
pub mod catalog_pull;
pub mod enroll_client;
pub mod events_push;
pub mod netwatch;
pub mod peer;
pub mod relay_client;
mod ws;

pub use backoff::Backoff;
pub use board_host::{BoardHost, BoardText, HostOutput};
pub use call_client::{CallClient, CallClientError, CallClientSettings, CallEvent};
pub use peer::{
    EncodedVideo, IceServer, KioskPeer, MediaKind, PeerConfig, PeerError, PeerHandlers, PeerState, PeerStats,
    RemoteFrame, VideoFanout,
};
pub use relay_client::{HelloInfo, RelayClient, RelayClientSettings, RelayState, RelayStatus};
