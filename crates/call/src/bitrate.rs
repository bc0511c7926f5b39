//! The call's video bitrate, following what the remotes report.
//!
//! The kiosk encodes once for every remote (see [`crate::VideoFanout`]), so one bitrate serves
//! them all: it follows the remote doing worst. The estimate is the loss-based half of Google
//! Congestion Control (draft-ietf-rmcat-gcc, section 6): RTCP receiver reports give each remote's
//! fraction of packets lost since the last report;
//! - above 10 % lost, the rate drops by half the loss (`rate × (1 − 0.5 × loss)`);
//! - below 2 %, it grows by 5 % a second (8 % while far below the ceiling and the path is quick);
//! - in between, it holds.
//!
//! A round trip over 400 ms also holds growth (queues are filling before packets drop).
//! Pure: the caller feeds reports and applies the rate it returns.

use std::time::{Duration, Instant};

/// What one remote's latest receiver report says about the video it gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkReport {
    /// Fraction of packets lost, 0–1.
    pub fraction_lost: f64,
    /// Round trip, when measured.
    pub rtt: Option<Duration>,
}

/// Limits and start of the controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitrateLimits {
    pub min_kbps: u32,
    pub start_kbps: u32,
    pub max_kbps: u32,
}

impl Default for BitrateLimits {
    fn default() -> Self {
        // 720p30 H.264 constrained baseline: 2.5 Mb/s looks good, 300 kb/s is still a face.
        Self {
            min_kbps: 300,
            start_kbps: 1500,
            max_kbps: 2500,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BitrateController {
    limits: BitrateLimits,
    rate_kbps: f64,
    last: Option<Instant>,
}

impl BitrateController {
    pub fn new(limits: BitrateLimits) -> Self {
        let start = f64::from(limits.start_kbps.clamp(limits.min_kbps, limits.max_kbps));
        Self {
            limits,
            rate_kbps: start,
            last: None,
        }
    }

    /// The target now, in kb/s.
    pub fn kbps(&self) -> u32 {
        self.rate_kbps.round() as u32
    }

    /// Feeds the remotes' latest reports (one each; none yet is no change). Returns the new target
    /// when it moved by at least 5 % (worth re-configuring the encoder).
    pub fn update(&mut self, now: Instant, reports: &[LinkReport]) -> Option<u32> {
        let elapsed = self
            .last
            .map_or(Duration::from_secs(1), |t| now.saturating_duration_since(t))
            .min(Duration::from_secs(2));
        self.last = Some(now);
        let worst_loss = reports
            .iter()
            .map(|r| r.fraction_lost)
            .filter(|l| l.is_finite())
            .fold(None, |acc: Option<f64>, l| Some(acc.map_or(l, |a| a.max(l))))?
            .clamp(0.0, 1.0);
        let worst_rtt = reports.iter().filter_map(|r| r.rtt).max();
        let before = self.rate_kbps;
        let secs = elapsed.as_secs_f64();
        if worst_loss > 0.10 {
            self.rate_kbps *= 1.0 - 0.5 * worst_loss;
        } else if worst_loss < 0.02 && worst_rtt.is_none_or(|r| r < Duration::from_millis(400)) {
            let quick = worst_rtt.is_none_or(|r| r < Duration::from_millis(100));
            let per_sec: f64 = if quick && self.rate_kbps < 0.5 * f64::from(self.limits.max_kbps) {
                1.08
            } else {
                1.05
            };
            self.rate_kbps *= per_sec.powf(secs);
        }
        self.rate_kbps = self
            .rate_kbps
            .clamp(f64::from(self.limits.min_kbps), f64::from(self.limits.max_kbps));
        ((self.rate_kbps - before).abs() >= 0.05 * before).then(|| self.kbps())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(loss: f64, rtt_ms: u64) -> LinkReport {
        LinkReport {
            fraction_lost: loss,
            rtt: Some(Duration::from_millis(rtt_ms)),
        }
    }

    #[test]
    fn grows_on_a_clean_path_and_stops_at_the_ceiling() {
        let mut c = BitrateController::new(BitrateLimits::default());
        let t0 = Instant::now();
        let mut changes = 0;
        for s in 1..=60 {
            if c.update(t0 + Duration::from_secs(s), &[report(0.0, 20)])
                .is_some()
            {
                changes += 1;
            }
        }
        assert_eq!(c.kbps(), 2500);
        assert!(changes > 0 && changes < 20, "re-configured {changes} times");
    }

    #[test]
    fn heavy_loss_on_any_remote_cuts_the_shared_rate() {
        let mut c = BitrateController::new(BitrateLimits::default());
        let t0 = Instant::now();
        let new = c.update(t0, &[report(0.0, 20), report(0.30, 20)]);
        assert_eq!(new, Some(1275), "1500 × (1 − 0.15)");
        // Sustained loss walks it down to the floor, never below.
        for s in 1..30 {
            c.update(t0 + Duration::from_secs(s), &[report(0.5, 20)]);
        }
        assert_eq!(c.kbps(), 300);
    }

    #[test]
    fn moderate_loss_or_a_slow_path_holds() {
        let mut c = BitrateController::new(BitrateLimits::default());
        let t0 = Instant::now();
        assert_eq!(c.update(t0, &[report(0.05, 20)]), None);
        assert_eq!(c.update(t0 + Duration::from_secs(1), &[report(0.0, 600)]), None);
        assert_eq!(c.kbps(), 1500);
        // No reports yet: no change.
        assert_eq!(c.update(t0 + Duration::from_secs(2), &[]), None);
        // Garbage in a report is ignored, not a crash.
        assert_eq!(
            c.update(t0 + Duration::from_secs(3), &[report(f64::NAN, 20)]),
            None
        );
    }
}
