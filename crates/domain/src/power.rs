//! Screen power: the mirror sleeps outside opening hours and when nobody has been in front of it for
//! a while, and wakes when someone approaches (motion on the camera's low-rate branch) or touches
//! it. Pure: the kiosk feeds motion, touches, whether a shopper session or a call is on, and the
//! time; it gets back "sleep" or "wake" when the screen should change.
//!
//! Motion itself is measured here too ([`MotionDetector`]): a coarse grid of the picture's
//! brightness, compared frame to frame, so a person walking in counts and sensor noise or a slow
//! change of light does not.

use std::time::{Duration, Instant};

/// When the screen may be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PowerConfig {
    /// Asleep after this long without motion, touch, session or call.
    pub sleep_after: Duration,
    /// Opening hours as minutes after local midnight, `(open, close)`; `None`: always open. Outside
    /// them the screen sleeps and motion does not wake it (a touch still does, for staff).
    pub hours: Option<(u16, u16)>,
}

impl Default for PowerConfig {
    fn default() -> Self {
        Self {
            sleep_after: Duration::from_secs(300),
            hours: None,
        }
    }
}

/// What the screen should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenChange {
    Sleep,
    Wake,
}

#[derive(Debug, Clone)]
pub struct ScreenPower {
    config: PowerConfig,
    asleep: bool,
    last_activity: Instant,
    busy: bool,
}

impl ScreenPower {
    pub fn new(config: PowerConfig, now: Instant) -> Self {
        Self {
            config,
            asleep: false,
            last_activity: now,
            busy: false,
        }
    }

    pub fn asleep(&self) -> bool {
        self.asleep
    }

    fn open(&self, minute_of_day: u16) -> bool {
        match self.config.hours {
            None => true,
            Some((open, close)) if open <= close => (open..close).contains(&minute_of_day),
            // Open past midnight (e.g. 10:00 – 01:00).
            Some((open, close)) => minute_of_day >= open || minute_of_day < close,
        }
    }

    fn wake(&mut self, now: Instant) -> Option<ScreenChange> {
        self.last_activity = now;
        if self.asleep {
            self.asleep = false;
            Some(ScreenChange::Wake)
        } else {
            None
        }
    }

    /// Someone moved in front of the mirror. Wakes it during opening hours.
    pub fn motion(&mut self, now: Instant, minute_of_day: u16) -> Option<ScreenChange> {
        if !self.open(minute_of_day) {
            return None;
        }
        self.wake(now)
    }

    /// The screen was touched: always wakes (staff may need it after hours).
    pub fn touch(&mut self, now: Instant) -> Option<ScreenChange> {
        self.wake(now)
    }

    /// A shopper session or a call is on (never sleep then) or not.
    pub fn set_busy(&mut self, busy: bool, now: Instant) -> Option<ScreenChange> {
        if busy {
            self.busy = true;
            return self.wake(now);
        }
        if self.busy {
            // The session or call just ended: the idle time counts from now.
            self.last_activity = now;
        }
        self.busy = false;
        None
    }

    /// Checks the timers and the hours.
    pub fn tick(&mut self, now: Instant, minute_of_day: u16) -> Option<ScreenChange> {
        if self.asleep || self.busy {
            return None;
        }
        let idle = now.saturating_duration_since(self.last_activity) >= self.config.sleep_after;
        if idle || !self.open(minute_of_day) {
            self.asleep = true;
            return Some(ScreenChange::Sleep);
        }
        None
    }
}

/// Cells across and down of the brightness grid.
pub const GRID_W: usize = 32;
pub const GRID_H: usize = 18;

/// The mean brightness of each cell of a `GRID_W`×`GRID_H` grid over a luma plane (every other
/// pixel of every other row: plenty for a coarse grid). Returns `None` for a plane too small or
/// shorter than its stride says.
pub fn luma_grid(luma: &[u8], width: usize, height: usize, stride: usize) -> Option<Vec<u8>> {
    if width < GRID_W || height < GRID_H || stride < width || luma.len() < stride * (height - 1) + width {
        return None;
    }
    let mut sums = vec![0u32; GRID_W * GRID_H];
    let mut counts = vec![0u32; GRID_W * GRID_H];
    for y in (0..height).step_by(2) {
        let gy = y * GRID_H / height;
        let row = &luma[y * stride..y * stride + width];
        for x in (0..width).step_by(2) {
            let i = gy * GRID_W + x * GRID_W / width;
            sums[i] += u32::from(row[x]);
            counts[i] += 1;
        }
    }
    Some(
        sums.iter()
            .zip(&counts)
            .map(|(s, c)| u8::try_from(s / (*c).max(1)).unwrap_or(u8::MAX))
            .collect(),
    )
}

/// Compares each grid with the last: motion is enough cells changing by enough at once.
#[derive(Debug, Clone, Default)]
pub struct MotionDetector {
    last: Option<Vec<u8>>,
}

/// A cell changed when its brightness moved by more than this (of 255): above sensor noise.
const CELL_DELTA: u8 = 18;
/// Motion when at least this share of cells changed (a person is many cells; a flicker is few).
const CHANGED_SHARE: f32 = 0.02;

impl MotionDetector {
    /// Feeds the next grid; returns the share of cells that changed when that is motion.
    pub fn feed(&mut self, grid: Vec<u8>) -> Option<f32> {
        let changed = match &self.last {
            Some(last) if last.len() == grid.len() && !grid.is_empty() => {
                let n = last
                    .iter()
                    .zip(&grid)
                    .filter(|(a, b)| a.abs_diff(**b) > CELL_DELTA)
                    .count();
                n as f32 / grid.len() as f32
            }
            _ => 0.0,
        };
        self.last = Some(grid);
        (changed >= CHANGED_SHARE).then_some(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: u16 = 12 * 60;

    #[test]
    fn sleeps_when_idle_and_wakes_on_motion_or_touch() {
        let t0 = Instant::now();
        let mut p = ScreenPower::new(PowerConfig::default(), t0);
        assert_eq!(p.tick(t0 + Duration::from_secs(299), NOON), None);
        assert_eq!(
            p.tick(t0 + Duration::from_secs(300), NOON),
            Some(ScreenChange::Sleep)
        );
        assert_eq!(p.tick(t0 + Duration::from_secs(400), NOON), None, "once");
        assert_eq!(
            p.motion(t0 + Duration::from_secs(401), NOON),
            Some(ScreenChange::Wake)
        );
        assert_eq!(p.motion(t0 + Duration::from_secs(402), NOON), None);
        assert_eq!(
            p.tick(t0 + Duration::from_secs(702), NOON),
            Some(ScreenChange::Sleep)
        );
        assert_eq!(p.touch(t0 + Duration::from_secs(703)), Some(ScreenChange::Wake));
    }

    #[test]
    fn never_sleeps_during_a_session_or_a_call() {
        let t0 = Instant::now();
        let mut p = ScreenPower::new(PowerConfig::default(), t0);
        p.set_busy(true, t0);
        assert_eq!(p.tick(t0 + Duration::from_secs(3600), NOON), None);
        p.set_busy(false, t0 + Duration::from_secs(3600));
        assert_eq!(p.tick(t0 + Duration::from_secs(3899), NOON), None);
        assert_eq!(
            p.tick(t0 + Duration::from_secs(3900), NOON),
            Some(ScreenChange::Sleep)
        );
        assert_eq!(
            p.set_busy(true, t0 + Duration::from_secs(3901)),
            Some(ScreenChange::Wake)
        );
    }

    #[test]
    fn after_hours_it_sleeps_and_only_a_touch_wakes_it() {
        let t0 = Instant::now();
        let config = PowerConfig {
            sleep_after: Duration::from_secs(300),
            hours: Some((9 * 60, 22 * 60)),
        };
        let mut p = ScreenPower::new(config, t0);
        assert_eq!(p.tick(t0, 22 * 60), Some(ScreenChange::Sleep));
        assert_eq!(p.motion(t0, 22 * 60 + 5), None, "a cleaner walking past at night");
        assert_eq!(p.touch(t0), Some(ScreenChange::Wake));
        assert_eq!(p.motion(t0, 9 * 60), None, "already awake");
        // Open past midnight.
        let late = ScreenPower::new(
            PowerConfig {
                hours: Some((10 * 60, 60)),
                ..config
            },
            t0,
        );
        assert!(late.open(30) && late.open(23 * 60) && !late.open(5 * 60));
    }

    #[test]
    fn a_person_walking_in_is_motion_and_noise_is_not() {
        let (w, h) = (320usize, 180usize);
        let still: Vec<u8> = (0..w * h).map(|i| (i % 200) as u8).collect();
        let mut d = MotionDetector::default();
        assert_eq!(
            d.feed(luma_grid(&still, w, h, w).unwrap()),
            None,
            "the first frame"
        );
        // Sensor noise: ±6 everywhere.
        let noisy: Vec<u8> = still
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i % 2 == 0 {
                    v.saturating_add(6)
                } else {
                    v.saturating_sub(6)
                }
            })
            .collect();
        assert_eq!(d.feed(luma_grid(&noisy, w, h, w).unwrap()), None);
        // A dark figure fills a fifth of the frame.
        let mut person = noisy.clone();
        for y in 40..180 {
            for x in 120..190 {
                person[y * w + x] = 20;
            }
        }
        let share = d.feed(luma_grid(&person, w, h, w).unwrap()).expect("motion");
        assert!(share > 0.05 && share < 0.5, "{share}");
        assert!(
            luma_grid(&still[..100], w, h, w).is_none(),
            "a short plane is refused"
        );
    }
}
