//! The call protocol's small validated types: text fields (names, SKUs, labels) checked on
//! construction and on deserialisation, secrets that never show in `Debug`, and numeric ids.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A validated text field failed its check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    #[error("{kind} is longer than {max_chars} characters")]
    TooLong { kind: &'static str, max_chars: usize },
    #[error("{kind} may contain only letters, digits, '.', '_' and '-'")]
    BadChar { kind: &'static str },
    #[error("{kind} must not contain control characters")]
    Control { kind: &'static str },
}

fn check_slug(kind: &'static str, max_chars: usize, s: &str) -> Result<(), TextError> {
    if s.is_empty() {
        return Err(TextError::Empty { kind });
    }
    if s.chars().count() > max_chars {
        return Err(TextError::TooLong { kind, max_chars });
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(TextError::BadChar { kind });
    }
    Ok(())
}

fn check_label(kind: &'static str, max_chars: usize, s: &str) -> Result<(), TextError> {
    if s.trim().is_empty() {
        return Err(TextError::Empty { kind });
    }
    if s.chars().count() > max_chars {
        return Err(TextError::TooLong { kind, max_chars });
    }
    if s.chars().any(char::is_control) {
        return Err(TextError::Control { kind });
    }
    Ok(())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:ident, $max:literal, $normalise:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates (and normalises) and wraps.
            pub fn new(s: impl Into<String>) -> Result<Self, TextError> {
                let normalise: fn(String) -> String = $normalise;
                let s = normalise(s.into());
                $check($kind, $max, &s)?;
                Ok(Self(s))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(s: String) -> Result<Self, TextError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A stylist's or staff member's login name, lower-cased: `mei.chen`.
    Username, "username", check_slug, 64, |s| s.to_ascii_lowercase()
);
text_type!(
    /// The kiosk's shopper session, unique across kiosk restarts (e.g. a random prefix and a number).
    SessionTag, "session", check_slug, 64, |s| s
);
text_type!(
    /// A product or variant SKU as in the catalog.
    Sku, "sku", check_slug, 40, |s| s
);
text_type!(
    /// A look's id from the recommender.
    LookId, "look id", check_slug, 64, |s| s
);
text_type!(
    /// A name shown to the other people in a call, trimmed.
    DisplayName, "display name", check_label, 40, |s| s.trim().to_owned()
);
text_type!(
    /// The look on the mirror, as a short human summary ("navy blazer, white tee").
    LookSummary, "look summary", check_label, 120, |s| s.trim().to_owned()
);

text_type!(
    /// A short label a person typed or the catalog holds: a size ("M", "EU 38"), a colour name,
    /// a product name for staff to read, a suggestion ("M in navy is on the rail").
    Label, "label", check_label, 120, |s| s.trim().to_owned()
);

impl DisplayName {
    /// A display name made from any text: control characters dropped, trimmed, cut to 40 characters;
    /// `fallback` if nothing is left.
    pub fn clipped(s: &str, fallback: &'static str) -> Self {
        let kept: String = s.chars().filter(|c| !c.is_control()).collect();
        let cut: String = kept.trim().chars().take(40).collect();
        let cut = cut.trim();
        Self(if cut.is_empty() { fallback } else { cut }.to_owned())
    }
}

/// A password, key or token on the wire. Its `Debug` never shows it, so logging a message cannot leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself; use it, never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

number_id!(
    /// One kiosk's call (the kiosk and up to [`MAX_REMOTES`] remotes).
    CallId, "call"
);
number_id!(
    /// One leg of a call: the kiosk and one remote, one WebRTC peer connection.
    LegId, "leg"
);
number_id!(
    /// A kiosk's request for a stylist.
    RequestId, "req"
);
number_id!(
    /// A friend invite.
    InviteId, "inv"
);
number_id!(
    /// A shopper's request to store staff (another size or colour).
    AskId, "ask"
);
number_id!(
    /// A stylist's offer to hand a call to a colleague.
    TransferId, "xfer"
);
