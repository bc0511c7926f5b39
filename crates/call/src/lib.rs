//! Networking of the kiosk: the relay client and the WebRTC peers of a call.

pub mod backoff;
pub mod catalog_pull;
pub mod peer;
pub mod relay_client;

pub use backoff::Backoff;
pub use peer::{
    EncodedVideo, IceServer, KioskPeer, MediaKind, PeerConfig, PeerError, PeerHandlers, PeerState, PeerStats,
    RemoteFrame, VideoFanout,
};
pub use relay_client::{HelloInfo, RelayClient, RelayClientSettings, RelayState, RelayStatus};
