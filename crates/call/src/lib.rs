//! Networking of the kiosk: the relay client now, WebRTC calls next.

pub mod backoff;
pub mod catalog_pull;
pub mod relay_client;

pub use backoff::Backoff;
pub use relay_client::{HelloInfo, RelayClient, RelayClientSettings, RelayState, RelayStatus};
