//! The kiosk's settings (`atelier.toml` in its data dir).

use atelier_domain::{CameraSource, Language};
use serde::{Deserialize, Serialize};

use crate::reader::{Reader, boolean, integer_in, string};

/// Everything the kiosk reads from its config file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KioskConfig {
    pub kiosk: KioskIdentity,
    pub display: DisplayConfig,
    pub ui: UiConfig,
    pub relay: RelayClientConfig,
    pub privacy: PrivacyConfig,
    pub features: FeaturesConfig,
    /// Not sent to the UI: the camera is reported through its own state.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub camera: CameraConfig,
    /// Not sent to the UI: the PIN is checked in Rust.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub admin: AdminConfig,
    /// Not sent to the UI: the kiosk decides when the screen sleeps.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub power: PowerSection,
}

/// Screen power: `[power] sleep_after_secs`, `hours = "09:00-22:00"` (local time; absent: always open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PowerSection {
    pub sleep_after_secs: u32,
    /// Opening hours as minutes after local midnight.
    pub hours: Option<(u16, u16)>,
}

impl Default for PowerSection {
    fn default() -> Self {
        Self {
            sleep_after_secs: 300,
            hours: None,
        }
    }
}

fn hours(v: &toml::Value) -> Result<(u16, u16), String> {
    let bad = || "hours are written \"HH:MM-HH:MM\" in local time, e.g. \"09:30-22:00\"".to_owned();
    let s = v.as_str().ok_or_else(bad)?;
    let minute = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (open, close) = s.split_once('-').ok_or_else(bad)?;
    let (open, close) = (minute(open).ok_or_else(bad)?, minute(close).ok_or_else(bad)?);
    if open == close {
        return Err("opening and closing time are the same".into());
    }
    Ok((open, close))
}

/// Which kiosk this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KioskIdentity {
    pub device_id: String,
    pub store_id: String,
    pub room: String,
}

impl Default for KioskIdentity {
    fn default() -> Self {
        Self {
            device_id: "demo-kiosk".into(),
            store_id: "demo-sh".into(),
            room: "Room 1".into(),
        }
    }
}

/// How the screen is mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Orientation {
    /// Tall: the usual fitting-room mirror.
    #[default]
    Portrait,
    /// Wide: a tablet on a stand, or a wall screen.
    Landscape,
}

/// The screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DisplayConfig {
    pub orientation: Orientation,
    /// Rotates the whole UI for a screen mounted turned (when the OS does not rotate it): 0, 90, 180 or 270.
    pub rotation_deg: u16,
    /// Fullscreen kiosk window; false only for development.
    pub fullscreen: bool,
    /// A two-way mirror: black is glass, so no camera picture is drawn behind the UI.
    pub mirror_glass: bool,
    /// The camera picture is flipped left–right, like a mirror (off: as the camera sees it, e.g.
    /// for a camera that already mirrors, or behind a rear-projection screen).
    pub mirror_flip: bool,
}

/// What the kiosk may do with the shopper's picture and her visit. Each switch is enforced in
/// Rust, not only hidden in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PrivacyConfig {
    /// The shopper may take photos of herself (kept in memory for her session only).
    pub snapshots: bool,
    /// The shopper may ask for her skin tone and undertone to be measured (after agreeing on screen).
    pub skin_analysis: bool,
    /// Movement in front of the camera wakes the screen (the picture is only compared, never kept).
    pub motion_wake: bool,
    /// Anonymous usage events (sessions, calls, looks shown) go to the relay's report.
    pub analytics: bool,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        Self {
            snapshots: true,
            skin_analysis: true,
            motion_wake: true,
            analytics: true,
        }
    }
}

/// What the shopper is offered on this mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FeaturesConfig {
    /// "Ask a friend": a QR link and a short code.
    pub friend_calls: bool,
    /// "Ask a stylist": the on-duty queue.
    pub stylist_calls: bool,
    /// "Another size or colour" asks to store staff.
    pub staff_requests: bool,
    /// Garment tags held up to the camera are read.
    pub tag_scan: bool,
    /// Outfit recommendations ("Looks for me").
    pub looks: bool,
}

impl Default for FeaturesConfig {
    fn default() -> Self {
        Self {
            friend_calls: true,
            stylist_calls: true,
            staff_requests: true,
            tag_scan: true,
            looks: true,
        }
    }
}

impl Default for DisplayConfig {
    fn default() -> Self {
        Self {
            orientation: Orientation::Portrait,
            rotation_deg: 0,
            fullscreen: true,
            mirror_glass: false,
            mirror_flip: true,
        }
    }
}

/// The shopper-facing UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UiConfig {
    /// The language each session starts in.
    pub language: Language,
    /// Seconds without a touch before "Still there?".
    pub idle_timeout_secs: u32,
    /// Seconds of the "Still there?" countdown before the session ends and is erased.
    pub still_there_secs: u32,
    /// How long a shopper's ask to staff waits for an answer before the mirror offers a stylist call.
    pub staff_answer_secs: u32,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            language: Language::ZhCn,
            idle_timeout_secs: 90,
            still_there_secs: 20,
            staff_answer_secs: 90,
        }
    }
}

/// The connection to the store's relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RelayClientConfig {
    /// WebSocket URL of the relay, e.g. `ws://127.0.0.1:8787/ws`; empty disables the relay.
    pub url: String,
    /// The longest wait between reconnection attempts.
    pub reconnect_max_secs: u32,
    /// This kiosk's device key from `atelier-relay enroll` (proves the kiosk to the relay for calls
    /// and catalog pulls). Absent: the demo key, which only a relay started with `--demo` accepts.
    /// Never sent to the UI.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub device_key: Option<DeviceKey>,
}

/// A kiosk's device key: kept out of debug output and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceKey(String);

impl DeviceKey {
    /// The key itself, to send to the relay.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(…)")
    }
}

impl Default for RelayClientConfig {
    fn default() -> Self {
        Self {
            url: "ws://127.0.0.1:8787/ws".into(),
            reconnect_max_secs: 15,
            device_key: None,
        }
    }
}

/// The camera.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CameraConfig {
    /// `auto`, `test` (the embedded test source), a device path such as `/dev/video0`, or
    /// `file:PATH` (a video played in a loop).
    pub source: CameraSource,
    /// How the camera is mounted: its picture is turned clockwise by this much (0, 90, 180, 270).
    pub rotation_deg: u16,
}

/// Staff access.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminConfig {
    /// The admin PIN, 4 to 8 digits, in plain text (the demo; a PIN set at provisioning is stored
    /// as `pin_hash` instead, and then this one is ignored).
    pub pin: String,
    /// The PIN's argon2id hash in PHC form (`$argon2id$v=19$m=…`), from `atelier provision
    /// --pin-stdin` or `atelier admin hash-pin`.
    pub pin_hash: Option<String>,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            pin: "2468".into(),
            pin_hash: None,
        }
    }
}

impl AdminConfig {
    /// What the PIN is checked against: the hash when there is one, else the plain PIN.
    pub fn expected_pin(&self) -> &str {
        self.pin_hash.as_deref().unwrap_or(&self.pin)
    }
}

impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("pin", &"<redacted>")
            .field("pin_hash", &self.pin_hash.as_ref().map(|_| "<set>"))
            .finish()
    }
}

pub(crate) fn read(r: &mut Reader<'_>) -> KioskConfig {
    let mut c = KioskConfig::default();

    let s = r.section("kiosk", &["device_id", "store_id", "room"]);
    if let Some(v) = r.get(s, "kiosk", "device_id", |v| slug(v, "device id")) {
        c.kiosk.device_id = v;
    }
    if let Some(v) = r.get(s, "kiosk", "store_id", |v| slug(v, "store id")) {
        c.kiosk.store_id = v;
    }
    if let Some(v) = r.get(s, "kiosk", "room", label) {
        c.kiosk.room = v;
    }

    let s = r.section(
        "display",
        &[
            "orientation",
            "rotation_deg",
            "fullscreen",
            "mirror_glass",
            "mirror_flip",
        ],
    );
    if let Some(v) = r.get(s, "display", "orientation", orientation) {
        c.display.orientation = v;
    }
    if let Some(v) = r.get(s, "display", "rotation_deg", rotation) {
        c.display.rotation_deg = v;
    }
    if let Some(v) = r.get(s, "display", "fullscreen", boolean) {
        c.display.fullscreen = v;
    }
    if let Some(v) = r.get(s, "display", "mirror_glass", boolean) {
        c.display.mirror_glass = v;
    }
    if let Some(v) = r.get(s, "display", "mirror_flip", boolean) {
        c.display.mirror_flip = v;
    }

    let s = r.section(
        "privacy",
        &["snapshots", "skin_analysis", "motion_wake", "analytics"],
    );
    for (key, slot) in [
        ("snapshots", &mut c.privacy.snapshots),
        ("skin_analysis", &mut c.privacy.skin_analysis),
        ("motion_wake", &mut c.privacy.motion_wake),
        ("analytics", &mut c.privacy.analytics),
    ] {
        if let Some(v) = r.get(s, "privacy", key, boolean) {
            *slot = v;
        }
    }

    let s = r.section(
        "features",
        &[
            "friend_calls",
            "stylist_calls",
            "staff_requests",
            "tag_scan",
            "looks",
        ],
    );
    for (key, slot) in [
        ("friend_calls", &mut c.features.friend_calls),
        ("stylist_calls", &mut c.features.stylist_calls),
        ("staff_requests", &mut c.features.staff_requests),
        ("tag_scan", &mut c.features.tag_scan),
        ("looks", &mut c.features.looks),
    ] {
        if let Some(v) = r.get(s, "features", key, boolean) {
            *slot = v;
        }
    }

    let s = r.section(
        "ui",
        &[
            "language",
            "idle_timeout_secs",
            "still_there_secs",
            "staff_answer_secs",
        ],
    );
    if let Some(v) = r.get(s, "ui", "language", |v| {
        string(v)?.parse::<Language>().map_err(|e| e.to_string())
    }) {
        c.ui.language = v;
    }
    if let Some(v) = r.get(s, "ui", "idle_timeout_secs", |v| secs(v, 15, 3600)) {
        c.ui.idle_timeout_secs = v;
    }
    if let Some(v) = r.get(s, "ui", "still_there_secs", |v| secs(v, 5, 300)) {
        c.ui.still_there_secs = v;
    }
    if let Some(v) = r.get(s, "ui", "staff_answer_secs", |v| secs(v, 5, 900)) {
        c.ui.staff_answer_secs = v;
    }

    let s = r.section("relay", &["url", "reconnect_max_secs", "device_key"]);
    if let Some(v) = r.get(s, "relay", "device_key", |v| {
        let k = string(v)?;
        if k.len() < 16 || k.len() > 256 || k.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(
                "a device key is 16–256 characters without spaces (from `atelier-relay enroll`)".into(),
            );
        }
        Ok(k)
    }) {
        c.relay.device_key = Some(DeviceKey(v));
    }
    if let Some(v) = r.get(s, "relay", "url", relay_url) {
        c.relay.url = v;
    }
    if let Some(v) = r.get(s, "relay", "reconnect_max_secs", |v| secs(v, 1, 300)) {
        c.relay.reconnect_max_secs = v;
    }

    let s = r.section("camera", &["source", "rotation_deg"]);
    if let Some(v) = r.get(s, "camera", "source", |v| {
        string(v)?.parse::<CameraSource>().map_err(|e| e.to_string())
    }) {
        c.camera.source = v;
    }
    if let Some(v) = r.get(s, "camera", "rotation_deg", rotation) {
        c.camera.rotation_deg = v;
    }

    let s = r.section("power", &["sleep_after_secs", "hours"]);
    if let Some(v) = r.get(s, "power", "sleep_after_secs", |v| secs(v, 10, 24 * 3600)) {
        c.power.sleep_after_secs = v;
    }
    if let Some(v) = r.get(s, "power", "hours", hours) {
        c.power.hours = Some(v);
    }

    let s = r.section("admin", &["pin", "pin_hash"]);
    if let Some(v) = r.get(s, "admin", "pin_hash", |v| {
        let h = string(v)?;
        if h.starts_with("$argon2id$")
            && h.len() <= 256
            && !h.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            Ok(h)
        } else {
            Err(
                "pin_hash must be an argon2id PHC string ($argon2id$v=19$…), e.g. from `atelier hash-pin`"
                    .into(),
            )
        }
    }) {
        c.admin.pin_hash = Some(v);
    }
    if let Some(v) = r.get(s, "admin", "pin", pin) {
        c.admin.pin = v;
    }
    c
}

pub(crate) fn secs(v: &toml::Value, min: i64, max: i64) -> Result<u32, String> {
    integer_in(v, min, max).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) fn slug(v: &toml::Value, what: &str) -> Result<String, String> {
    let s = string(v)?;
    let ok =
        !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(s)
    } else {
        Err(format!("a {what} is 1 to 64 letters, digits, '.', '_' or '-'"))
    }
}

pub(crate) fn label(v: &toml::Value) -> Result<String, String> {
    let s = string(v)?;
    let ok = !s.trim().is_empty() && s.chars().count() <= 64 && !s.chars().any(char::is_control);
    if ok {
        Ok(s)
    } else {
        Err("a room name is 1 to 64 characters, without control characters".into())
    }
}

pub(crate) fn orientation(v: &toml::Value) -> Result<Orientation, String> {
    match string(v)?.as_str() {
        "portrait" => Ok(Orientation::Portrait),
        "landscape" => Ok(Orientation::Landscape),
        other => Err(format!(
            "{other:?} is not an orientation: use \"portrait\" or \"landscape\""
        )),
    }
}

pub(crate) fn rotation(v: &toml::Value) -> Result<u16, String> {
    match integer_in(v, 0, 270)? {
        n @ (0 | 90 | 180 | 270) => Ok(n as u16),
        n => Err(format!("{n} is not a rotation: use 0, 90, 180 or 270")),
    }
}

pub(crate) fn relay_url(v: &toml::Value) -> Result<String, String> {
    let s = string(v)?;
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let rest = s.strip_prefix("ws://").or_else(|| s.strip_prefix("wss://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace) => Ok(s.to_owned()),
        _ => Err("the relay URL must look like ws://host:port/ws or wss://host/ws (or be empty to turn the relay off)".into()),
    }
}

fn pin(v: &toml::Value) -> Result<String, String> {
    // A PIN written as a bare number loses leading zeros; insist on quotes.
    let s = v.as_str().ok_or("write the PIN in quotes, e.g. pin = \"0420\"")?;
    if (4..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("the PIN must be 4 to 8 digits".into())
    }
}

#[cfg(test)]
mod tests {
    use crate::parse_kiosk;

    use super::*;

    #[test]
    fn a_full_valid_file_applies_every_key() {
        let text = r#"
[kiosk]
device_id = "sh-01"
store_id = "shanghai"
room = "3号试衣间"

[display]
orientation = "landscape"
rotation_deg = 90
fullscreen = false
mirror_glass = true

[ui]
language = "en"
idle_timeout_secs = 120
still_there_secs = 10

[relay]
url = "wss://relay.example.com/ws"
reconnect_max_secs = 30

[camera]
source = "/dev/video2"
rotation_deg = 270

[admin]
pin = "0420"
"#;
        let (c, problems) = parse_kiosk(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.kiosk.room, "3号试衣间");
        assert_eq!(c.display.orientation, Orientation::Landscape);
        assert_eq!(c.display.rotation_deg, 90);
        assert!(!c.display.fullscreen && c.display.mirror_glass);
        assert_eq!(c.ui.language, Language::En);
        assert_eq!((c.ui.idle_timeout_secs, c.ui.still_there_secs), (120, 10));
        assert_eq!(c.relay.url, "wss://relay.example.com/ws");
        assert_eq!(c.admin.pin, "0420");
        assert_eq!(c.camera.source, CameraSource::Device("/dev/video2".into()));
        assert_eq!(c.camera.rotation_deg, 270);
    }

    #[test]
    fn each_bad_key_is_named_with_its_line_and_the_rest_applies() {
        let text = "[display]\norientation = \"sideways\"\nrotation_deg = 45\nfullscreen = false\n\n[ui]\nlanguage = \"fr\"\nidle_timeout_secs = 5\n";
        let (c, problems) = parse_kiosk(text);
        let keys: Vec<_> = problems
            .iter()
            .map(|p| (p.key.as_deref().unwrap_or(""), p.line))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("display.orientation", Some(2)),
                ("display.rotation_deg", Some(3)),
                ("ui.language", Some(7)),
                ("ui.idle_timeout_secs", Some(8)),
            ]
        );
        assert!(
            problems[0].message.contains("\"portrait\" or \"landscape\""),
            "{}",
            problems[0]
        );
        assert!(
            problems[3].message.contains("out of range (15 to 3600)"),
            "{}",
            problems[3]
        );
        // Bad keys keep their defaults; the good one applies.
        assert_eq!(c.display.orientation, Orientation::Portrait);
        assert!(!c.display.fullscreen);
    }

    #[test]
    fn unknown_keys_and_sections_are_reported_with_a_suggestion() {
        let (_, problems) = parse_kiosk("[display]\norientaton = \"portrait\"\n\n[colour]\nx = 1\n");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].key.as_deref(), Some("colour"));
        assert_eq!(problems[1].key.as_deref(), Some("display.orientaton"));
        assert!(
            problems[1].message.contains("did you mean `orientation`"),
            "{}",
            problems[1]
        );
        assert_eq!(problems[1].line, Some(2));
    }

    #[test]
    fn syntax_errors_fall_back_to_defaults_with_the_line() {
        let (c, problems) = parse_kiosk("[ui]\nlanguage = \"en\"\nidle_timeout_secs = = 3\n");
        assert_eq!(c, KioskConfig::default());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].message.contains("not valid TOML"));
    }

    #[test]
    fn wrong_types_and_bad_values_are_explained() {
        let (c, problems) = parse_kiosk("display = 3\n[relay]\nurl = \"http://x\"\n[admin]\npin = 1234\n");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("must be a section")));
        assert!(problems.iter().any(|p| p.message.contains("ws://host:port/ws")));
        assert!(problems.iter().any(|p| p.message.contains("in quotes")));
        assert_eq!(c.admin.pin, AdminConfig::default().pin);
    }

    #[test]
    fn an_empty_relay_url_turns_the_relay_off() {
        let (c, problems) = parse_kiosk("[relay]\nurl = \"\"\n");
        assert!(problems.is_empty());
        assert!(c.relay.url.is_empty());
    }

    #[test]
    fn a_device_key_is_read_checked_and_never_shown() {
        let (c, problems) = parse_kiosk("[relay]\ndevice_key = \"k3y-from-enroll-0123456789\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            c.relay.device_key.as_ref().map(DeviceKey::expose),
            Some("k3y-from-enroll-0123456789")
        );
        assert!(!format!("{c:?}").contains("k3y-from"));
        let (c, problems) = parse_kiosk("[relay]\ndevice_key = \"short\"\n");
        assert_eq!(c.relay.device_key, None);
        assert!(problems[0].message.contains("16–256 characters"), "{problems:?}");
    }

    #[test]
    fn the_pin_never_shows_in_debug_output() {
        let (c, _) = parse_kiosk("[admin]\npin = \"97531\"\n");
        assert!(!format!("{c:?}").contains("97531"));
    }

    #[test]
    fn a_hashed_pin_is_read_and_a_bad_one_is_refused() {
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
        let (c, problems) = parse_kiosk(&format!("[admin]\npin_hash = \"{hash}\"\n"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.admin.expected_pin(), hash);
        assert!(
            !format!("{:?}", c.admin).contains("argon2"),
            "never in debug output"
        );
        let (c, problems) = parse_kiosk("[admin]\npin_hash = \"2468\"\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(c.admin.expected_pin(), "2468", "the default PIN stays");
    }

    #[test]
    fn power_hours_are_read_and_bad_ones_explained() {
        let (c, problems) = parse_kiosk("[power]\nsleep_after_secs = 120\nhours = \"09:30-22:00\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.power.sleep_after_secs, 120);
        assert_eq!(c.power.hours, Some((570, 1320)));
        let (c, problems) = parse_kiosk("[power]\nhours = \"9-22\"\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("HH:MM-HH:MM"), "{problems:?}");
        assert_eq!(c.power.hours, None);
    }
}
