//! Messages on the kiosk's WebSocket to the relay.
//!
//! The kiosk opens with [`KioskMessage::Hello`]; the relay answers [`RelayMessage::Welcome`] with the
//! heartbeat interval it expects. The kiosk then sends [`KioskMessage::Heartbeat`] on that interval
//! and the relay acknowledges each one; either side that hears nothing for three intervals drops the
//! connection (the kiosk then reconnects with backoff).

use serde::{Deserialize, Serialize};

use crate::{ConnectionId, DeviceId, RoomName, StoreId};

/// Kiosk → relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum KioskMessage {
    /// First message on a connection.
    Hello {
        /// The sender's [`crate::PROTOCOL_VERSION`].
        protocol: u16,
        device_id: DeviceId,
        store_id: StoreId,
        room: RoomName,
        /// The kiosk build, for diagnostics.
        app_version: String,
    },
    /// Keeps the connection alive and measures its round trip.
    Heartbeat {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
}

/// Relay → kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum RelayMessage {
    /// The hello was accepted.
    Welcome {
        protocol: u16,
        connection_id: ConnectionId,
        /// How often the relay expects a heartbeat.
        heartbeat_interval_secs: u32,
        relay_version: String,
    },
    /// Acknowledges the heartbeat with the same `seq`.
    HeartbeatAck {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
    /// The relay rejected something. `message` is written for people and never holds internal detail.
    Error { code: ErrorCode, message: String },
}

/// Why the relay rejected a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// Not valid JSON, or not a message we know, or a field failed validation.
    BadMessage,
    /// Larger than [`crate::MAX_MESSAGE_BYTES`].
    TooLarge,
    /// The first message was not a hello.
    HelloRequired,
    /// The hello's protocol version is not one this relay speaks.
    UnsupportedProtocol,
    /// Too many messages, or too many bad ones.
    RateLimited,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DecodeError, MAX_MESSAGE_BYTES, decode, encode};

    #[test]
    fn hello_round_trips_with_camel_case_tags() {
        let hello = KioskMessage::Hello {
            protocol: 1,
            device_id: DeviceId::new("k1").unwrap(),
            store_id: StoreId::new("demo").unwrap(),
            room: RoomName::new("Room 1").unwrap(),
            app_version: "0.1.0".into(),
        };
        let text = encode(&hello).unwrap();
        assert!(text.contains("\"type\":\"hello\""), "{text}");
        assert!(text.contains("\"deviceId\":\"k1\""), "{text}");
        assert_eq!(decode::<KioskMessage>(&text).unwrap(), hello);
    }

    #[test]
    fn rejects_garbage_unknown_types_bad_ids_and_oversize() {
        assert!(matches!(
            decode::<KioskMessage>("not json"),
            Err(DecodeError::Malformed(_))
        ));
        assert!(decode::<KioskMessage>(r#"{"type":"launchMissiles"}"#).is_err());
        let bad_id =
            r#"{"type":"hello","protocol":1,"deviceId":"a b","storeId":"s","room":"r","appVersion":"x"}"#;
        assert!(decode::<KioskMessage>(bad_id).is_err());
        let extra = r#"{"type":"heartbeat","seq":1,"evil":true}"#;
        assert!(decode::<KioskMessage>(extra).is_err());
        let huge = format!(
            r#"{{"type":"heartbeat","seq":1,"pad":"{}"}}"#,
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert!(matches!(
            decode::<KioskMessage>(&huge),
            Err(DecodeError::TooLarge { .. })
        ));
    }

    #[test]
    fn relay_messages_decode() {
        let w = r#"{"type":"welcome","protocol":1,"connectionId":7,"heartbeatIntervalSecs":10,"relayVersion":"0.1.0"}"#;
        assert!(matches!(
            decode::<RelayMessage>(w).unwrap(),
            RelayMessage::Welcome {
                connection_id: ConnectionId(7),
                ..
            }
        ));
        let e = r#"{"type":"error","code":"helloRequired","message":"say hello first"}"#;
        assert!(matches!(
            decode::<RelayMessage>(e).unwrap(),
            RelayMessage::Error {
                code: ErrorCode::HelloRequired,
                ..
            }
        ));
    }
}
