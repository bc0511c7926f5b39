//! Validated identifiers. A bare `String` would let a peer put anything into logs and tables.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An identifier failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    #[error("{kind} is longer than {max_chars} characters")]
    TooLong { kind: &'static str, max_chars: usize },
    #[error("{kind} may contain only letters, digits, '.', '_' and '-'")]
    BadChar { kind: &'static str },
    #[error("{kind} must not contain control characters")]
    Control { kind: &'static str },
}

fn check_slug(kind: &'static str, s: &str) -> Result<(), IdError> {
    const MAX: usize = 64;
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if s.chars().count() > MAX {
        return Err(IdError::TooLong { kind, max_chars: MAX });
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(IdError::BadChar { kind });
    }
    Ok(())
}

fn check_label(kind: &'static str, s: &str) -> Result<(), IdError> {
    const MAX: usize = 64;
    if s.trim().is_empty() {
        return Err(IdError::Empty { kind });
    }
    if s.chars().count() > MAX {
        return Err(IdError::TooLong { kind, max_chars: MAX });
    }
    if s.chars().any(char::is_control) {
        return Err(IdError::Control { kind });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps.
            pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                $check($kind, &s)?;
                Ok(Self(s))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A kiosk's device identifier (enrolled at provisioning), e.g. `sh-jingan-fr03`.
    DeviceId, "device id", check_slug
);
id_type!(
    /// A store identifier, e.g. `shanghai-jingan`.
    StoreId, "store id", check_slug
);
id_type!(
    /// A fitting room's human name as staff see it, e.g. `Room 3` or `3号试衣间`.
    RoomName, "room name", check_label
);

/// The relay's number for one WebSocket connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(type = "number"))]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_validated() {
        assert!(DeviceId::new("sh-jingan-fr03").is_ok());
        assert_eq!(DeviceId::new(""), Err(IdError::Empty { kind: "device id" }));
        assert_eq!(StoreId::new("a b"), Err(IdError::BadChar { kind: "store id" }));
        assert!(StoreId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn labels_allow_chinese_but_not_control_characters() {
        assert!(RoomName::new("3号试衣间").is_ok());
        assert!(RoomName::new("Room\u{7}").is_err());
        assert!(RoomName::new("   ").is_err());
    }

    #[test]
    fn deserialising_validates() {
        let bad: Result<DeviceId, _> = serde_json::from_str("\"../etc\"");
        assert!(bad.is_err());
        let good: DeviceId = serde_json::from_str("\"k-1\"").unwrap();
        assert_eq!(good.as_str(), "k-1");
    }
}
