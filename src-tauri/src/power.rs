//! Screen power in the kiosk: the domain's [`ScreenPower`] fed by the camera's motion, touches,
//! the session and the call; asleep, the page goes black, the mirror's picture is hidden and (on
//! X) the display is put to sleep with DPMS. Black is mirror: on a two-way mirror the glass is a
//! plain mirror while the screen sleeps.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use atelier_domain::power::{PowerConfig, ScreenChange, ScreenPower};
use chrono::Timelike;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::{Kiosk, lock};

/// The event carrying [`PowerView`].
pub const EVENT: &str = "power";

#[derive(Debug, Clone, Copy, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PowerView {
    pub asleep: bool,
}

/// The screen's power state, as Tauri managed state.
pub struct PowerSlot(Mutex<ScreenPower>);

impl PowerSlot {
    pub fn new(config: &atelier_config::KioskConfig) -> Self {
        let power = PowerConfig {
            sleep_after: Duration::from_secs(u64::from(config.power.sleep_after_secs)),
            hours: config.power.hours,
        };
        Self(Mutex::new(ScreenPower::new(power, Instant::now())))
    }
}

fn minute_of_day() -> u16 {
    let now = chrono::Local::now();
    u16::try_from(now.hour() * 60 + now.minute()).unwrap_or(0)
}

/// Someone moved in front of the camera.
pub fn motion(app: &AppHandle) {
    if !app.state::<Kiosk>().config().privacy.motion_wake {
        return;
    }
    let change = lock(&app.state::<PowerSlot>().0).motion(Instant::now(), minute_of_day());
    apply(app, change);
}

/// The screen was touched.
pub fn touch(app: &AppHandle) {
    let change = lock(&app.state::<PowerSlot>().0).touch(Instant::now());
    apply(app, change);
}

/// Every tick: whether a shopper or a call keeps it awake, and the timers and hours.
pub fn tick(app: &AppHandle) {
    let kiosk = app.state::<Kiosk>();
    let now = Instant::now();
    let in_session = lock(&kiosk.session).view(now).phase != atelier_domain::SessionPhase::Attract;
    let in_call = !lock(&kiosk.call_view).remotes.is_empty();
    let slot = app.state::<PowerSlot>();
    let change = {
        let mut p = lock(&slot.0);
        p.set_busy(in_session || in_call, now)
            .or_else(|| p.tick(now, minute_of_day()))
    };
    apply(app, change);
}

fn apply(app: &AppHandle, change: Option<ScreenChange>) {
    let Some(change) = change else {
        return;
    };
    let asleep = change == ScreenChange::Sleep;
    tracing::info!(asleep, "screen power");
    crate::camera::set_video_visible(app, !asleep);
    display_power(!asleep);
    if let Err(e) = app.emit(EVENT, PowerView { asleep }) {
        tracing::warn!(error = %e, "could not emit the power state");
    }
}

/// Puts an X display to sleep or wakes it (DPMS), when `xset` is there; elsewhere the black
/// screen is all (a Wayland compositor blanks an idle output by its own rules).
fn display_power(on: bool) {
    if std::env::var_os("DISPLAY").is_none() {
        return;
    }
    let state = if on { "on" } else { "off" };
    match std::process::Command::new("xset")
        .args(["dpms", "force", state])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
    {
        Ok(s) if s.success() => {}
        Ok(s) => tracing::debug!(code = ?s.code(), "xset dpms refused"),
        Err(e) => tracing::debug!(error = %e, "no xset: the screen goes black instead of off"),
    }
}
