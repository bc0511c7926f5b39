//! Wire types shared by the kiosk, the relay and the browser pages.
//!
//! Every message is a JSON object with a `type` tag in camelCase. Decoding goes through
//! [`decode`], which enforces [`MAX_MESSAGE_BYTES`] before parsing, so an oversized or
//! malformed message is rejected without being buffered twice or crashing anything.

pub mod analytics;
pub mod call;
pub mod catalog;
mod ids;
pub mod signaling;

pub use ids::{ConnectionId, DeviceId, IdError, RoomName, StoreId};

use serde::de::DeserializeOwned;

/// The signaling protocol version this build speaks. Bumped on any incompatible change.
pub const PROTOCOL_VERSION: u16 = 1;

/// Largest message either side accepts, in bytes of JSON text.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Why an incoming message was rejected. The text is safe to log; never forward it to a peer.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("message of {len_bytes} bytes exceeds the {max_bytes}-byte limit")]
    TooLarge { len_bytes: usize, max_bytes: usize },
    #[error("malformed message: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// Parses one message, checking its size first.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(DecodeError::TooLarge {
            len_bytes: text.len(),
            max_bytes: MAX_MESSAGE_BYTES,
        });
    }
    Ok(serde_json::from_str(text)?)
}

/// Serialises one message. Our own types always serialise; the `Result` only guards custom impls.
pub fn encode<T: serde::Serialize>(message: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(message)
}
