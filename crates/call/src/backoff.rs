//! Exponential backoff with jitter, pure: the caller supplies the randomness.

use std::time::Duration;

/// Delays between reconnection attempts: `min`, doubling up to `max`, each scaled by a jitter factor
/// in 0.8..1.2 so a store's kiosks do not all knock on the relay at the same instant after an outage.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    /// A backoff starting at `min` and never waiting longer than `max`.
    pub fn new(min: Duration, max: Duration) -> Self {
        let max = max.max(min);
        Self {
            min,
            max,
            current: min,
        }
    }

    /// The next delay. `unit_random` is a number in `[0, 1)`.
    pub fn next_delay(&mut self, unit_random: f64) -> Duration {
        let factor = 0.8 + 0.4 * unit_random.clamp(0.0, 1.0);
        let delay = self.current.mul_f64(factor).min(self.max);
        self.current = (self.current * 2).min(self.max);
        delay
    }

    /// Back to the shortest delay, after a connection that worked.
    pub fn reset(&mut self) {
        self.current = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
        let delays: Vec<u128> = (0..6).map(|_| b.next_delay(0.5).as_millis()).collect();
        assert_eq!(delays, vec![500, 1000, 2000, 4000, 4000, 4000]);
        b.reset();
        assert_eq!(b.next_delay(0.5), Duration::from_millis(500));
    }

    #[test]
    fn jitter_stays_within_twenty_percent_and_under_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));
        assert_eq!(b.next_delay(0.0), Duration::from_millis(800));
        assert_eq!(b.next_delay(0.999_999).as_millis(), 2399);
        let mut capped = Backoff::new(Duration::from_secs(10), Duration::from_secs(10));
        assert_eq!(capped.next_delay(1.0), Duration::from_secs(10));
    }
}
