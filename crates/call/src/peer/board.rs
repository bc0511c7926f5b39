//! The "board" data channel's inbound check: the shared board speaks small UTF-8 JSON texts.
//! Anything else from a remote (a friend's phone is untrusted) is dropped and logged by the caller.

use std::fmt;

/// The data channel's label, the same on every client.
pub const BOARD_LABEL: &str = "board";

/// Default limit for one board message; the board's intents are small JSON objects.
pub const DEFAULT_BOARD_MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// Why an inbound board message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardDrop {
    TooLarge { bytes: usize, max: usize },
    Binary { bytes: usize },
    NotUtf8 { bytes: usize },
}

impl fmt::Display for BoardDrop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardDrop::TooLarge { bytes, max } => {
                write!(f, "too large ({bytes} bytes, at most {max})")
            }
            BoardDrop::Binary { bytes } => write!(f, "binary, not text ({bytes} bytes)"),
            BoardDrop::NotUtf8 { bytes } => write!(f, "not UTF-8 ({bytes} bytes)"),
        }
    }
}

/// Accepts one inbound message as board text, or says why not. The size is checked first, so
/// an oversized message is never decoded.
pub fn check_inbound(is_string: bool, data: &[u8], max_bytes: usize) -> Result<&str, BoardDrop> {
    let bytes = data.len();
    if bytes > max_bytes {
        return Err(BoardDrop::TooLarge {
            bytes,
            max: max_bytes,
        });
    }
    if !is_string {
        return Err(BoardDrop::Binary { bytes });
    }
    std::str::from_utf8(data).map_err(|_| BoardDrop::NotUtf8 { bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_text_passes_and_everything_else_is_dropped() {
        assert_eq!(check_inbound(true, b"{\"t\":1}", 16), Ok("{\"t\":1}"));
        assert_eq!(check_inbound(true, b"", 16), Ok(""));
        assert_eq!(
            check_inbound(true, &[b'x'; 17], 16),
            Err(BoardDrop::TooLarge { bytes: 17, max: 16 })
        );
        assert_eq!(
            check_inbound(false, b"abc", 16),
            Err(BoardDrop::Binary { bytes: 3 })
        );
        assert_eq!(
            check_inbound(true, &[0xff, 0xfe], 16),
            Err(BoardDrop::NotUtf8 { bytes: 2 })
        );
        // Exactly at the limit is fine.
        assert!(check_inbound(true, &[b'x'; 16], 16).is_ok());
    }
}
