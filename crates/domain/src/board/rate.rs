//! A token bucket per participant, so a flood of strokes cannot swamp the mirror.

use std::time::Instant;

/// One token, in the bucket's units (nanotokens): refilling by elapsed nanoseconds times the
/// rate keeps the arithmetic exact, so frequent calls never lose fractions of a token.
const TOKEN: u128 = 1_000_000_000;

/// Holds up to `burst` tokens and refills at `per_sec`; each message spends one.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    nanotokens: u128,
    refilled: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub(crate) fn new(burst: u32, now: Instant) -> Self {
        Self {
            nanotokens: u128::from(burst) * TOKEN,
            refilled: now,
        }
    }

    /// Refills to `now`, then spends a token if there is one.
    pub(crate) fn take(&mut self, now: Instant, burst: u32, per_sec: u32) -> bool {
        // A `now` earlier than the last refill (a caller's clock going back) refills nothing.
        let elapsed_ns = now.saturating_duration_since(self.refilled).as_nanos();
        if now > self.refilled {
            self.refilled = now;
        }
        let cap = u128::from(burst) * TOKEN;
        self.nanotokens = self
            .nanotokens
            .saturating_add(elapsed_ns.saturating_mul(u128::from(per_sec)))
            .min(cap);
        if self.nanotokens >= TOKEN {
            self.nanotokens -= TOKEN;
            true
        } else {
            false
        }
    }
}
