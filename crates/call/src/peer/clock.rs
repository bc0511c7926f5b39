//! Sample durations from encoder timestamps.
//!
//! webrtc-rs stamps each RTP packet with the running sum of the durations of the samples written
//! before it, so the durations must follow the camera's clock, not a fixed frame rate: a camera
//! that delivers 29.97 or drops a frame would otherwise drift against the audio.

use std::time::Duration;

/// A gap longer than this is a discontinuity (source swapped, encoder restarted), not a frame.
const MAX_GAP: Duration = Duration::from_secs(5);

/// Turns presentation timestamps into sample durations. Pure: the caller feeds it every frame.
#[derive(Debug, Clone)]
pub struct SampleClock {
    nominal: Duration,
    last_pts: Option<Duration>,
}

impl SampleClock {
    /// `nominal` is used when a timestamp is missing or jumps (e.g. 33 ms for 30 fps video).
    pub fn new(nominal: Duration) -> Self {
        Self {
            nominal,
            last_pts: None,
        }
    }

    /// The duration to write with this frame: the time since the previous frame's timestamp.
    ///
    /// The packetizer adds a sample's duration *after* stamping it, so each frame's RTP timestamp
    /// ends up one frame-interval behind its own PTS difference; at a steady camera rate that is
    /// a constant offset and costs nothing.
    pub fn duration_for(&mut self, pts: Option<Duration>) -> Duration {
        let Some(pts) = pts else {
            return self.nominal;
        };
        let previous = self.last_pts.replace(pts);
        match previous {
            Some(prev) if pts > prev && pts - prev <= MAX_GAP => pts - prev,
            _ => self.nominal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn durations_follow_the_timestamps() {
        let mut clock = SampleClock::new(ms(33));
        let got: Vec<_> = [0, 33, 67, 100, 150]
            .into_iter()
            .map(|t| clock.duration_for(Some(ms(t))))
            .collect();
        assert_eq!(got, vec![ms(33), ms(33), ms(34), ms(33), ms(50)]);
    }

    #[test]
    fn missing_repeated_backwards_or_huge_steps_fall_back_to_nominal() {
        let mut clock = SampleClock::new(ms(33));
        assert_eq!(clock.duration_for(Some(ms(1000))), ms(33));
        assert_eq!(clock.duration_for(None), ms(33));
        assert_eq!(clock.duration_for(Some(ms(1000))), ms(33), "same timestamp twice");
        assert_eq!(clock.duration_for(Some(ms(500))), ms(33), "backwards");
        assert_eq!(clock.duration_for(Some(ms(533))), ms(33));
        assert_eq!(
            clock.duration_for(Some(ms(60_000))),
            ms(33),
            "a restart, not a frame"
        );
        assert_eq!(clock.duration_for(Some(ms(60_040))), ms(40));
    }
}
