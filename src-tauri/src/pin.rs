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
        if constant_time_eq(expected.as_bytes(), given.as_bytes()) {
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
    fn different_lengths_never_match() {
        assert!(!constant_time_eq(b"2468", b"24680"));
        assert!(constant_time_eq(b"2468", b"2468"));
    }
}
