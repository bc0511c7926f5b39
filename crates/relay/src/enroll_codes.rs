//! One-time enrollment codes: head office (the relay's admin page) makes a code for a device id,
//! store and room; the installer types it into `atelier provision --enroll-code`; the relay enrolls
//! the device with a fresh key and hands the key to it once. A code works once, for 30 minutes.
//! Pure: the time and the randomness come in.

use std::collections::HashMap;

use atelier_protocol::{DeviceId, RoomName, StoreId};

use crate::calls::{Entropy, UnixMs};

/// How long a code may be redeemed.
pub const CODE_TTL_MS: u64 = 30 * 60 * 1000;
/// Characters in a code (from the calls' typing alphabet: no 0/O, 1/I/L).
pub const ENROLL_CODE_LEN: usize = 8;
/// Wrong codes the relay takes in a minute before it refuses every code for the rest of it.
pub const MAX_WRONG_PER_MIN: u32 = 20;

/// What a code enrolls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEnrollment {
    pub device_id: DeviceId,
    pub store_id: StoreId,
    pub room: RoomName,
    pub expires_at: UnixMs,
}

/// Why a code was not taken. The same words for unknown, used and expired: a guesser learns nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefusal {
    #[error("that enrollment code is not valid (unknown, already used or expired)")]
    Invalid,
    #[error("too many wrong codes: wait a minute")]
    Throttled,
}

#[derive(Debug, Default)]
pub struct EnrollCodes {
    pending: HashMap<String, PendingEnrollment>,
    wrong_in_minute: (u64, u32),
}

/// Upper-cases and drops spaces and dashes, as people type codes.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl EnrollCodes {
    /// A new code for this device (replacing any open code for the same device).
    pub fn create(
        &mut self,
        device_id: DeviceId,
        store_id: StoreId,
        room: RoomName,
        now: UnixMs,
        entropy: &mut dyn Entropy,
    ) -> (String, UnixMs) {
        self.pending
            .retain(|_, p| p.device_id != device_id && now.0 < p.expires_at.0);
        let code = loop {
            let a = crate::calls::short_code(entropy);
            let b = crate::calls::short_code(entropy);
            let code: String = format!("{a}{b}").chars().take(ENROLL_CODE_LEN).collect();
            if !self.pending.contains_key(&code) {
                break code;
            }
        };
        let expires_at = UnixMs(now.0 + CODE_TTL_MS);
        self.pending.insert(
            code.clone(),
            PendingEnrollment {
                device_id,
                store_id,
                room,
                expires_at,
            },
        );
        (code, expires_at)
    }

    /// Takes a code (once).
    pub fn redeem(&mut self, code: &str, now: UnixMs) -> Result<PendingEnrollment, CodeRefusal> {
        let minute = now.0 / 60_000;
        if self.wrong_in_minute.0 != minute {
            self.wrong_in_minute = (minute, 0);
        }
        if self.wrong_in_minute.1 >= MAX_WRONG_PER_MIN {
            return Err(CodeRefusal::Throttled);
        }
        match self.pending.remove(&normalise(code)) {
            Some(p) if now.0 < p.expires_at.0 => Ok(p),
            _ => {
                self.wrong_in_minute.1 += 1;
                Err(CodeRefusal::Invalid)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::SeededEntropy;

    fn ids() -> (DeviceId, StoreId, RoomName) {
        (
            DeviceId::new("sh-03").unwrap(),
            StoreId::new("shanghai").unwrap(),
            RoomName::new("Room 3").unwrap(),
        )
    }

    #[test]
    fn a_code_enrolls_once_within_its_time() {
        let mut book = EnrollCodes::default();
        let mut e = SeededEntropy::new(7);
        let (d, s, r) = ids();
        let t0 = UnixMs(1_700_000_000_000);
        let (code, expires) = book.create(d.clone(), s, r, t0, &mut e);
        assert_eq!(code.len(), ENROLL_CODE_LEN);
        assert_eq!(expires.0 - t0.0, CODE_TTL_MS);
        // Typed in lower case with a dash.
        let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
        assert_eq!(book.redeem(&typed, t0).unwrap().device_id, d);
        assert_eq!(book.redeem(&code, t0), Err(CodeRefusal::Invalid), "used");
    }

    #[test]
    fn expired_replaced_and_guessed_codes_are_refused() {
        let mut book = EnrollCodes::default();
        let mut e = SeededEntropy::new(8);
        let (d, s, r) = ids();
        let t0 = UnixMs(1_700_000_000_000);
        let (old, _) = book.create(d.clone(), s.clone(), r.clone(), t0, &mut e);
        let (new, _) = book.create(d, s, r, t0, &mut e);
        assert_eq!(
            book.redeem(&old, t0),
            Err(CodeRefusal::Invalid),
            "a newer code replaced it"
        );
        assert_eq!(
            book.redeem(&new, UnixMs(t0.0 + CODE_TTL_MS)),
            Err(CodeRefusal::Invalid),
            "expired"
        );
        let t1 = UnixMs(t0.0 + 3_600_000);
        for _ in 0..MAX_WRONG_PER_MIN {
            assert_eq!(book.redeem("AAAAAAAA", t1), Err(CodeRefusal::Invalid));
        }
        assert_eq!(book.redeem("AAAAAAAA", t1), Err(CodeRefusal::Throttled));
        assert_eq!(
            book.redeem("AAAAAAAA", UnixMs(t1.0 + 60_000)),
            Err(CodeRefusal::Invalid)
        );
    }
}
