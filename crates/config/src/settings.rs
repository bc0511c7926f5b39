//! The settings store staff change on the kiosk's admin screen, checked by the same rules as
//! `atelier.toml` and written back into it with its comments and other keys kept.
//!
//! Pure: a settings value in, a new config (or every field's problem) out; the file's text in,
//! the edited text out. The kiosk applies the result live.

use atelier_domain::{CameraSource, Language};
use serde::{Deserialize, Serialize};
use toml::Value;

use crate::KioskConfig;
use crate::kiosk::{self, FeaturesConfig, Orientation, PrivacyConfig};

/// What the admin screen edits. The device id, the device key, the PIN, the display's glass and the
/// screen's power are the installer's (`atelier provision`), not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AdminSettings {
    pub store_id: String,
    pub room: String,
    /// The language each session starts in.
    pub language: Language,
    pub orientation: Orientation,
    /// The UI turned for a screen mounted turned: 0, 90, 180 or 270.
    pub rotation_deg: u16,
    /// The picture flipped left–right, like a mirror.
    pub mirror_flip: bool,
    /// `auto`, `test`, `/dev/videoN` or `file:PATH`.
    pub camera_source: String,
    /// How the camera is mounted: 0, 90, 180 or 270.
    pub camera_rotation_deg: u16,
    pub idle_timeout_secs: u32,
    pub still_there_secs: u32,
    /// `ws://host:port/ws`, `wss://host/ws`, or empty for a mirror without a store link.
    pub relay_url: String,
    pub privacy: PrivacyConfig,
    pub features: FeaturesConfig,
}

/// One field the admin must correct, named by its key in atelier.toml (`kiosk.room`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    /// What is wrong and what is allowed (English; the UI shows its own text per field).
    pub message: String,
}

/// Why settings could not be written into the file's text.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file on disk is not valid TOML: the kiosk runs on defaults, and overwriting it would
    /// lose whatever the installer meant.
    #[error("atelier.toml is not valid TOML ({0}); correct it by hand first")]
    Unreadable(String),
}

impl AdminSettings {
    /// The settings as they are in `config`.
    pub fn of(config: &KioskConfig) -> Self {
        Self {
            store_id: config.kiosk.store_id.clone(),
            room: config.kiosk.room.clone(),
            language: config.ui.language,
            orientation: config.display.orientation,
            rotation_deg: config.display.rotation_deg,
            mirror_flip: config.display.mirror_flip,
            camera_source: config.camera.source.to_string(),
            camera_rotation_deg: config.camera.rotation_deg,
            idle_timeout_secs: config.ui.idle_timeout_secs,
            still_there_secs: config.ui.still_there_secs,
            relay_url: config.relay.url.clone(),
            privacy: config.privacy,
            features: config.features,
        }
    }

    /// `config` with these settings, each checked by the rule atelier.toml's reader uses for its
    /// key; or every field that fails, in screen order.
    pub fn apply_to(&self, config: &KioskConfig) -> Result<KioskConfig, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |field: &str, r: Result<(), String>| {
            if let Err(message) = r {
                errors.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
            }
        };
        let mut c = config.clone();
        let s = |v: &str| Value::String(v.to_owned());
        let n = |v: u32| Value::Integer(i64::from(v));
        let deg = |v: u16| Value::Integer(i64::from(v));

        check(
            "kiosk.store_id",
            kiosk::slug(&s(&self.store_id), "store id").map(|v| c.kiosk.store_id = v),
        );
        check(
            "kiosk.room",
            kiosk::label(&s(&self.room)).map(|v| c.kiosk.room = v),
        );
        c.ui.language = self.language;
        c.display.orientation = self.orientation;
        check(
            "display.rotation_deg",
            kiosk::rotation(&deg(self.rotation_deg)).map(|v| c.display.rotation_deg = v),
        );
        c.display.mirror_flip = self.mirror_flip;
        check(
            "camera.source",
            self.camera_source
                .parse::<CameraSource>()
                .map(|v| c.camera.source = v)
                .map_err(|e| e.to_string()),
        );
        check(
            "camera.rotation_deg",
            kiosk::rotation(&deg(self.camera_rotation_deg)).map(|v| c.camera.rotation_deg = v),
        );
        check(
            "ui.idle_timeout_secs",
            kiosk::secs(&n(self.idle_timeout_secs), 15, 3600).map(|v| c.ui.idle_timeout_secs = v),
        );
        check(
            "ui.still_there_secs",
            kiosk::secs(&n(self.still_there_secs), 5, 300).map(|v| c.ui.still_there_secs = v),
        );
        check(
            "relay.url",
            kiosk::relay_url(&s(&self.relay_url)).map(|v| c.relay.url = v),
        );
        c.privacy = self.privacy;
        c.features = self.features;
        if errors.is_empty() { Ok(c) } else { Err(errors) }
    }
}

/// The atelier.toml keys whose values differ between `old` and `new`, among those the admin
/// screen edits.
pub fn changed_keys(old: &KioskConfig, new: &KioskConfig) -> Vec<&'static str> {
    values(new)
        .into_iter()
        .zip(values(old))
        .zip(KEYS)
        .filter(|((a, b), _)| a.to_string() != b.to_string())
        .map(|(_, (_, _, dotted))| dotted)
        .collect()
}

/// The keys the admin screen edits: section, key, and the dotted name.
const KEYS: [(&str, &str, &str); 20] = [
    ("kiosk", "store_id", "kiosk.store_id"),
    ("kiosk", "room", "kiosk.room"),
    ("ui", "language", "ui.language"),
    ("ui", "idle_timeout_secs", "ui.idle_timeout_secs"),
    ("ui", "still_there_secs", "ui.still_there_secs"),
    ("display", "orientation", "display.orientation"),
    ("display", "rotation_deg", "display.rotation_deg"),
    ("display", "mirror_flip", "display.mirror_flip"),
    ("camera", "source", "camera.source"),
    ("camera", "rotation_deg", "camera.rotation_deg"),
    ("relay", "url", "relay.url"),
    ("privacy", "snapshots", "privacy.snapshots"),
    ("privacy", "skin_analysis", "privacy.skin_analysis"),
    ("privacy", "motion_wake", "privacy.motion_wake"),
    ("privacy", "analytics", "privacy.analytics"),
    ("features", "friend_calls", "features.friend_calls"),
    ("features", "stylist_calls", "features.stylist_calls"),
    ("features", "staff_requests", "features.staff_requests"),
    ("features", "tag_scan", "features.tag_scan"),
    ("features", "looks", "features.looks"),
];

/// The values of [`KEYS`] in `c`, in the same order.
fn values(c: &KioskConfig) -> [toml_edit::Value; 20] {
    let orientation = match c.display.orientation {
        Orientation::Portrait => "portrait",
        Orientation::Landscape => "landscape",
    };
    [
        c.kiosk.store_id.as_str().into(),
        c.kiosk.room.as_str().into(),
        c.ui.language.to_string().into(),
        i64::from(c.ui.idle_timeout_secs).into(),
        i64::from(c.ui.still_there_secs).into(),
        orientation.into(),
        i64::from(c.display.rotation_deg).into(),
        c.display.mirror_flip.into(),
        c.camera.source.to_string().into(),
        i64::from(c.camera.rotation_deg).into(),
        c.relay.url.as_str().into(),
        c.privacy.snapshots.into(),
        c.privacy.skin_analysis.into(),
        c.privacy.motion_wake.into(),
        c.privacy.analytics.into(),
        c.features.friend_calls.into(),
        c.features.stylist_calls.into(),
        c.features.staff_requests.into(),
        c.features.tag_scan.into(),
        c.features.looks.into(),
    ]
}

/// `text` (atelier.toml as on disk; empty when there is none) with the admin-edited keys set to
/// `config`'s values. Comments, order and every other key stay as they were.
pub fn write_into(text: &str, config: &KioskConfig) -> Result<String, WriteError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| WriteError::Unreadable(e.message().to_owned()))?;
    for ((section, key, _), value) in KEYS.into_iter().zip(values(config)) {
        if !doc.contains_key(section) {
            doc[section] = toml_edit::table();
        }
        let Some(table) = doc[section].as_table_like_mut() else {
            return Err(WriteError::Unreadable(format!("`{section}` is not a section")));
        };
        match table.get_mut(key).and_then(|item| item.as_value_mut()) {
            Some(old) => {
                // Keep the comment and spacing around the old value.
                let decor = old.decor().clone();
                *old = value;
                *old.decor_mut() = decor;
            }
            None => {
                table.insert(key, toml_edit::Item::Value(value));
            }
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_kiosk;

    fn settings() -> AdminSettings {
        AdminSettings::of(&KioskConfig::default())
    }

    #[test]
    fn the_defaults_apply_unchanged() {
        let c = KioskConfig::default();
        assert_eq!(settings().apply_to(&c).expect("valid"), c);
        assert!(changed_keys(&c, &c).is_empty());
    }

    #[test]
    fn every_bad_field_is_named_and_nothing_changes() {
        let mut s = settings();
        s.store_id = "shop 1!".into();
        s.room = " ".into();
        s.rotation_deg = 45;
        s.camera_source = "webcam".into();
        s.idle_timeout_secs = 3;
        s.still_there_secs = 9999;
        s.relay_url = "http://relay".into();
        let errors = s.apply_to(&KioskConfig::default()).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kiosk.store_id",
                "kiosk.room",
                "display.rotation_deg",
                "camera.source",
                "ui.idle_timeout_secs",
                "ui.still_there_secs",
                "relay.url"
            ]
        );
        assert!(errors[4].message.contains("15 to 3600"), "{errors:?}");
        assert!(errors[6].message.contains("ws://host:port/ws"), "{errors:?}");
    }

    #[test]
    fn changes_are_listed_by_key() {
        let old = KioskConfig::default();
        let mut s = settings();
        s.room = "试衣间 3".into();
        s.language = Language::En;
        s.features.friend_calls = false;
        s.privacy.snapshots = false;
        s.features.looks = false;
        let new = s.apply_to(&old).expect("valid");
        assert_eq!(
            changed_keys(&old, &new),
            [
                "kiosk.room",
                "ui.language",
                "privacy.snapshots",
                "features.friend_calls",
                "features.looks"
            ]
        );
    }

    #[test]
    fn writing_keeps_comments_and_other_keys_and_reads_back_the_same() {
        let text = "# The kiosk in room 3\n[kiosk]\ndevice_id = \"sh-03\" # from enrollment\nroom = \"Room 3\" # on the door\n\n[admin]\npin_hash = \"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA\"\n";
        let (old, problems) = parse_kiosk(text);
        assert!(problems.is_empty(), "{problems:?}");
        let mut s = AdminSettings::of(&old);
        s.room = "3号试衣间 \"VIP\"".into();
        s.idle_timeout_secs = 120;
        s.privacy.analytics = false;
        let new = s.apply_to(&old).expect("valid");
        let written = write_into(text, &new).expect("writes");
        assert!(written.starts_with("# The kiosk in room 3\n"), "{written}");
        assert!(
            written.contains("device_id = \"sh-03\" # from enrollment"),
            "{written}"
        );
        assert!(written.contains("# on the door"), "{written}");
        assert!(written.contains("pin_hash = \"$argon2id$"), "{written}");
        let (back, problems) = parse_kiosk(&written);
        assert!(problems.is_empty(), "{problems:?}\n{written}");
        assert_eq!(back, new);
        assert_eq!(back.kiosk.device_id, "sh-03");
        assert_eq!(back.admin.expected_pin(), old.admin.expected_pin());
    }

    #[test]
    fn writing_into_no_file_makes_a_whole_one() {
        let mut s = settings();
        s.camera_source = "/dev/video2".into();
        s.mirror_flip = false;
        let new = s.apply_to(&KioskConfig::default()).expect("valid");
        let written = write_into("", &new).expect("writes");
        let (back, problems) = parse_kiosk(&written);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, new);
        assert!(!back.display.mirror_flip);
    }

    #[test]
    fn a_broken_file_is_not_overwritten() {
        let err = write_into("[ui\nlanguage = \"en\"\n", &KioskConfig::default()).expect_err("refused");
        assert!(err.to_string().contains("correct it by hand"), "{err}");
        let err = write_into("kiosk = 3\n", &KioskConfig::default()).expect_err("refused");
        assert!(err.to_string().contains("not a section"), "{err}");
    }
}
