//! The admin PIN gate: constant-time comparison and a growing lockout after repeated failures.

use std::time::{Duration, Instant};

/// Failures allowed before the first lockout.
pub const FREE_ATTEMPTS: u32 = 5;
const FIRST_LOCKOUT: Duration = Duration::from_secs(30);
const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// Why a PIN was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinRejection {
    /// Wrong PIN; this many tries remain before a lockout.
    Wrong { attempts_left: u32 },
    /// Too many failures; try again after this many seconds.
    LockedOut { retry_in_secs: u64 },
}

/// Counts failures across attempts; lives as long as the kiosk process.
#[derive(Debug, Default)]
pub struct PinGate {
    failures: u32,
    locked_until: Option<Instant>,
}

impl PinGate {
    /// Checks `given` against `expected` at `now`.
    pub fn check(&mut self, expected: &str, given: &str, now: Instant) -> Result<(), PinRejection> {
        if let Some(until) = self.locked_until.filter(|u| now < *u) {
            let left = until.saturating_duration_since(now).as_millis().div_ceil(1000);
            return Err(PinRejection::LockedOut {
                retry_in_secs: u64::try_from(left).unwrap_or(u64::MAX),
            });
        }
        if pin_matches(expected, given) {
            self.failures = 0;
            self.locked_until = None;
            return Ok(());
        }
        self.failures += 1;
        if self.failures >= FREE_ATTEMPTS {
            let doublings = (self.failures - FREE_ATTEMPTS).min(16);
            let lock = (FIRST_LOCKOUT * 2u32.pow(doublings)).min(MAX_LOCKOUT);
            self.locked_until = Some(now + lock);
            return Err(PinRejection::LockedOut {
                retry_in_secs: lock.as_secs(),
            });
        }
        Err(PinRejection::Wrong {
            attempts_left: FREE_ATTEMPTS - self.failures,
        })
    }
}

/// `expected` is the PIN's argon2id hash (PHC, as provisioning stores it) or, on a demo kiosk,
/// the plain PIN. A malformed hash never matches.
pub fn pin_matches(expected: &str, given: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    if expected.starts_with("$argon2") {
        return PasswordHash::new(expected).is_ok_and(|hash| {
            argon2::Argon2::default()
                .verify_password(given.as_bytes(), &hash)
                .is_ok()
        });
    }
    constant_time_eq(expected.as_bytes(), given.as_bytes())
}

/// The PIN's argon2id hash (19 MiB, 2 passes: OWASP's minimum; ~30 ms to check here). The PIN must
/// be 4 to 8 digits, as the config demands.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    if !(4..=8).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err("the PIN must be 4 to 8 digits".into());
    }
    let params = argon2::Params::new(19 * 1024, 2, 1, None).map_err(|e| e.to_string())?;
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Length is not secret (4 to 8 digits); the content is compared without early exit.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_pin_passes_and_resets_failures() {
        let mut g = PinGate::default();
        let t = Instant::now();
        assert_eq!(
            g.check("2468", "1111", t),
            Err(PinRejection::Wrong { attempts_left: 4 })
        );
        assert_eq!(g.check("2468", "2468", t), Ok(()));
        assert_eq!(
            g.check("2468", "1111", t),
            Err(PinRejection::Wrong { attempts_left: 4 })
        );
    }

    #[test]
    fn five_failures_lock_out_and_the_lock_grows() {
        let mut g = PinGate::default();
        let t = Instant::now();
        for _ in 0..4 {
            assert!(matches!(
                g.check("2468", "0000", t),
                Err(PinRejection::Wrong { .. })
            ));
        }
        assert_eq!(
            g.check("2468", "0000", t),
            Err(PinRejection::LockedOut { retry_in_secs: 30 })
        );
        // Even the right PIN is refused while locked.
        assert_eq!(
            g.check("2468", "2468", t + Duration::from_secs(10)),
            Err(PinRejection::LockedOut { retry_in_secs: 20 })
        );
        let t2 = t + Duration::from_secs(31);
        assert_eq!(
            g.check("2468", "0000", t2),
            Err(PinRejection::LockedOut { retry_in_secs: 60 })
        );
        assert_eq!(g.check("2468", "2468", t2 + Duration::from_secs(61)), Ok(()));
    }

    #[test]
    fn a_hashed_pin_checks_like_a_plain_one_and_the_lockout_still_holds() {
        let hash = hash_pin("0420").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains("0420"));
        assert!(pin_matches(&hash, "0420"));
        assert!(!pin_matches(&hash, "0421"));
        assert!(!pin_matches("$argon2id$garbage", "0420"));
        let mut g = PinGate::default();
        let t = Instant::now();
        for _ in 0..4 {
            assert!(matches!(
                g.check(&hash, "9999", t),
                Err(PinRejection::Wrong { .. })
            ));
        }
        assert!(matches!(
            g.check(&hash, "9999", t),
            Err(PinRejection::LockedOut { .. })
        ));
        assert!(matches!(
            g.check(&hash, "0420", t),
            Err(PinRejection::LockedOut { .. })
        ));
        assert_eq!(g.check(&hash, "0420", t + Duration::from_secs(31)), Ok(()));
        assert!(hash_pin("12a4").is_err() && hash_pin("123").is_err());
    }

    #[test]
    fn different_lengths_never_match() {
        assert!(!constant_time_eq(b"2468", b"24680"));
        assert!(constant_time_eq(b"2468", b"2468"));
    }
}
