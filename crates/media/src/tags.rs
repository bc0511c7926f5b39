//! Garment tags read by `zbar` on the analysis branch: the reading, and the debouncing that turns a
//! code seen on 15 frames a second into one "the shopper showed this tag".

use std::collections::HashMap;
use std::time::Duration;

use gstreamer as gst;
use serde::Serialize;

/// The symbologies a garment tag uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Symbology {
    Qr,
    Ean13,
    Code128,
    /// Another symbology zbar knows (EAN-8, UPC-A, Code-39, …): passed on, looked up the same way.
    Other,
}

impl Symbology {
    fn from_zbar(name: &str) -> Self {
        match name {
            "QR-Code" => Symbology::Qr,
            "EAN-13" => Symbology::Ean13,
            "CODE-128" => Symbology::Code128,
            _ => Symbology::Other,
        }
    }
}

/// One code read from a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagRead {
    pub symbology: Symbology,
    /// The decoded text, at most 256 characters (longer codes are not garment tags).
    pub code: String,
    /// When the frame was captured, as pipeline running time (for latency measurements).
    #[serde(skip)]
    pub captured_at: Option<Duration>,
}

/// The longest code accepted.
pub const MAX_CODE_LEN: usize = 256;

/// Reads zbar's `barcode` element message; anything else (or a malformed one) is `None`.
pub fn from_message(s: &gst::StructureRef) -> Option<TagRead> {
    if s.name() != "barcode" {
        return None;
    }
    let code = s.get::<String>("symbol").ok()?;
    let code = code.trim();
    if code.is_empty() || code.len() > MAX_CODE_LEN || code.chars().any(char::is_control) {
        return None;
    }
    let symbology = Symbology::from_zbar(s.get::<&str>("type").ok()?);
    let captured_at = s
        .get::<u64>("running-time")
        .ok()
        .filter(|t| *t != u64::MAX)
        .map(Duration::from_nanos);
    Some(TagRead {
        symbology,
        code: code.to_owned(),
        captured_at,
    })
}

/// Reports a code once when it appears, and again only after it has been out of sight for
/// `gap` (held up, put down, held up again = two reads; held still = one).
#[derive(Debug)]
pub struct Debounce {
    gap: Duration,
    last_seen: HashMap<String, Duration>,
}

impl Debounce {
    pub fn new(gap: Duration) -> Self {
        Debounce {
            gap,
            last_seen: HashMap::new(),
        }
    }

    /// Whether a code seen at `now` (any monotonic time) is news.
    pub fn is_new(&mut self, code: &str, now: Duration) -> bool {
        // Forget codes long gone, so the map stays small over a day of tags.
        let gap = self.gap;
        self.last_seen
            .retain(|_, seen| now.saturating_sub(*seen) <= gap.saturating_mul(4));
        let fresh = match self.last_seen.get(code) {
            Some(seen) => now.saturating_sub(*seen) > gap,
            None => true,
        };
        self.last_seen.insert(code.to_owned(), now);
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_tag_held_still_is_read_once() {
        let mut d = Debounce::new(ms(1500));
        assert!(d.is_new("SKU-1", ms(0)));
        for t in (66..3000).step_by(66) {
            assert!(!d.is_new("SKU-1", ms(t)));
        }
        // Put down for 2 s, shown again: news.
        assert!(d.is_new("SKU-1", ms(5000)));
        // Another tag meanwhile is news at once.
        assert!(d.is_new("SKU-2", ms(5010)));
    }

    #[test]
    fn reads_zbar_messages_and_rejects_junk() {
        crate::init().unwrap();
        let msg = gst::Structure::builder("barcode")
            .field("type", "EAN-13")
            .field("symbol", "2000001000014")
            .field("running-time", 1_500_000_000u64)
            .build();
        let t = from_message(&msg).unwrap();
        assert_eq!(t.symbology, Symbology::Ean13);
        assert_eq!(t.captured_at, Some(ms(1500)));
        let junk = gst::Structure::builder("barcode")
            .field("type", "QR-Code")
            .field("symbol", "x".repeat(5000))
            .build();
        assert_eq!(from_message(&junk), None);
        let control = gst::Structure::builder("barcode")
            .field("type", "QR-Code")
            .field("symbol", "a\u{1b}[2J")
            .build();
        assert_eq!(from_message(&control), None);
        assert_eq!(from_message(&gst::Structure::new_empty("other")), None);
    }
}
