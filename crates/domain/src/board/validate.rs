//! Turning a remote's bytes into a checked intent, and the reasons a message is refused.
//!
//! Order matters: the size is checked before a byte is parsed, the `type` before the fields, and
//! the fields before anything touches the board. A [`Rejected`] is for the kiosk's log; a remote
//! only ever hears its coarse [`ErrorCode`].

use super::wire::{ErrorCode, Intent, Point, Role};

/// The most characters in a chat message.
pub const MAX_CHAT_CHARS: usize = 280;
/// The most characters in a card's note.
pub const MAX_NOTE_CHARS: usize = 140;
/// The most characters in a participant's display name (longer names are cut).
pub const MAX_NAME_CHARS: usize = 40;
/// The most characters in a card's colour name.
pub const MAX_COLOUR_CHARS: usize = 40;
/// The most characters in a card's size.
pub const MAX_SIZE_CHARS: usize = 12;
/// The longest SKU, in bytes (the catalog's rule: ASCII letters, digits, `-`, `_`, `.`).
pub const MAX_SKU_BYTES: usize = 40;
/// The widest stroke, in thousandths of the video's width.
pub const MAX_STROKE_WIDTH: u32 = 20;

/// Something a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PushCard,
    RemoveCard,
    ClearAll,
    Vote,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::PushCard => "push cards",
            Action::RemoveCard => "remove cards",
            Action::ClearAll => "clear every annotation",
            Action::Vote => "vote",
        })
    }
}

/// Why a message was refused. The board is unchanged whenever one is returned. No variant holds
/// text from the message itself, so logging one never logs what a shopper's friend typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("the sender is not on the board")]
    NotJoined,
    #[error("too many messages from this participant")]
    RateLimited,
    #[error("message of {len_bytes} bytes is over the limit of {max_bytes}")]
    TooLarge { len_bytes: usize, max_bytes: usize },
    #[error("not JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    #[error("not a board message (no `type`, or a type this kiosk does not know)")]
    UnknownType,
    #[error("a known message with missing, extra or ill-typed fields")]
    BadShape,
    #[error("a {role:?} may not {action}")]
    Forbidden { role: Role, action: Action },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max_chars} characters")]
    TooLong { field: &'static str, max_chars: usize },
    #[error("{field} contains control or direction-override characters")]
    ControlChars { field: &'static str },
    #[error("{field} is not a SKU")]
    BadSku { field: &'static str },
    #[error("the product is not in this store's catalog")]
    UnknownProduct,
    #[error("point {index} is not a finite coordinate between 0 and 1")]
    BadCoordinate { index: usize },
    #[error("a stroke of {count} points; at most {max}")]
    TooManyPoints { count: usize, max: usize },
    #[error("a stroke of {width}; widths run from 1 to {max}")]
    BadWidth { width: u32, max: u32 },
    #[error("no such card on the board")]
    UnknownCard,
    #[error("votes are kept on at most {max} items")]
    TooManyItems { max: usize },
    #[error("the board holds at most {max} participants")]
    BoardFull { max: usize },
}

impl Rejected {
    /// What the sender is told.
    pub fn code(&self) -> ErrorCode {
        match self {
            Rejected::RateLimited => ErrorCode::RateLimited,
            Rejected::TooLarge { .. } => ErrorCode::TooLarge,
            Rejected::Forbidden { .. } | Rejected::NotJoined => ErrorCode::Forbidden,
            Rejected::UnknownProduct => ErrorCode::UnknownProduct,
            Rejected::UnknownCard => ErrorCode::NotFound,
            Rejected::TooManyItems { .. } | Rejected::BoardFull { .. } => ErrorCode::Full,
            Rejected::NotJson { .. }
            | Rejected::UnknownType
            | Rejected::BadShape
            | Rejected::Empty { .. }
            | Rejected::TooLong { .. }
            | Rejected::ControlChars { .. }
            | Rejected::BadSku { .. }
            | Rejected::BadCoordinate { .. }
            | Rejected::TooManyPoints { .. }
            | Rejected::BadWidth { .. } => ErrorCode::BadMessage,
        }
    }

    /// Whether to answer the sender at all: a flood is not answered message by message, and
    /// someone not on the board has nobody to answer.
    pub fn deserves_reply(&self) -> bool {
        !matches!(self, Rejected::RateLimited | Rejected::NotJoined)
    }
}

/// Parses one message: size first, then JSON, then the `type`, then the fields.
pub fn decode_intent(bytes: &[u8], max_bytes: usize) -> Result<Intent, Rejected> {
    if bytes.len() > max_bytes {
        return Err(Rejected::TooLarge {
            len_bytes: bytes.len(),
            max_bytes,
        });
    }
    // Through a `Value` first (cheap at this size; serde_json caps nesting at 128) so an unknown
    // type is told apart from a known one with bad fields.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Rejected::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    match value.get("type").and_then(serde_json::Value::as_str) {
        Some(kind) if Intent::TYPES.contains(&kind) => {}
        _ => return Err(Rejected::UnknownType),
    }
    serde_json::from_value(value).map_err(|_| Rejected::BadShape)
}

/// Characters that may not appear in text shown on the mirror: controls (line breaks included)
/// and the bidirectional overrides that make text display in another order than it reads.
fn is_forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A required text: no forbidden characters, not blank, at most `max_chars`; returned trimmed.
pub fn text(field: &'static str, s: &str, max_chars: usize) -> Result<String, Rejected> {
    if s.chars().any(is_forbidden_char) {
        return Err(Rejected::ControlChars { field });
    }
    let s = s.trim();
    if s.is_empty() {
        return Err(Rejected::Empty { field });
    }
    if s.chars().count() > max_chars {
        return Err(Rejected::TooLong { field, max_chars });
    }
    Ok(s.to_owned())
}

/// An optional text: absent or blank is `None`, otherwise as [`text`].
pub fn optional_text(
    field: &'static str,
    s: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, Rejected> {
    match s {
        Some(s) if !s.trim().is_empty() || s.chars().any(is_forbidden_char) => {
            text(field, s, max_chars).map(Some)
        }
        _ => Ok(None),
    }
}

/// A SKU as the catalog accepts it.
pub fn sku(field: &'static str, s: &str) -> Result<String, Rejected> {
    let ok = !s.is_empty()
        && s.len() <= MAX_SKU_BYTES
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(Rejected::BadSku { field })
    }
}

/// A display name from the kiosk's call layer: forbidden characters dropped, trimmed, cut to
/// [`MAX_NAME_CHARS`]. The relay validated it already; this keeps the mirror safe regardless.
pub fn display_name(s: &str) -> Result<String, Rejected> {
    let cleaned: String = s.chars().filter(|c| !is_forbidden_char(*c)).collect();
    let name: String = cleaned.trim().chars().take(MAX_NAME_CHARS).collect();
    let name = name.trim_end().to_owned();
    if name.is_empty() {
        return Err(Rejected::Empty { field: "name" });
    }
    Ok(name)
}

/// A stroke's points: 1 to `max`, each coordinate finite and in 0–1, kept to four decimals.
pub fn points(points: &[Point], max: usize) -> Result<Vec<Point>, Rejected> {
    if points.is_empty() {
        return Err(Rejected::Empty { field: "points" });
    }
    if points.len() > max {
        return Err(Rejected::TooManyPoints {
            count: points.len(),
            max,
        });
    }
    let ok = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
    points
        .iter()
        .enumerate()
        .map(|(index, p)| {
            if ok(p.0) && ok(p.1) {
                Ok(Point(round4(p.0), round4(p.1)))
            } else {
                Err(Rejected::BadCoordinate { index })
            }
        })
        .collect()
}

/// Four decimals (a tenth of a pixel at 1000 px) keep strokes exact enough and snapshots small.
fn round4(v: f32) -> f32 {
    ((f64::from(v) * 10_000.0).round() / 10_000.0) as f32
}

/// A stroke's width.
pub fn width(width: u32) -> Result<u32, Rejected> {
    if (1..=MAX_STROKE_WIDTH).contains(&width) {
        Ok(width)
    } else {
        Err(Rejected::BadWidth {
            width,
            max: MAX_STROKE_WIDTH,
        })
    }
}
