//! Hardware profiles (`hardware/profiles/*.toml`): what a model of mirror or tablet is made of,
//! for installers and for the kiosk. Unlike `atelier.toml`, a profile is strict: every key is
//! required unless marked optional, and any problem rejects the profile, each problem reported
//! with its key and line (an installer fixes the file, not the kiosk's behaviour).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::reader::{ConfigProblem, find_line, suggestion};

/// A hardware profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HardwareProfile {
    /// Short id, the file's stem: lowercase letters, digits and dashes.
    pub id: String,
    /// What an installer reads, e.g. "43-inch portrait mirror, USB 4K camera".
    pub name: String,
    pub display: ProfileDisplay,
    pub camera: ProfileCamera,
    pub audio: ProfileAudio,
    pub presence: ProfilePresence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileDisplay {
    pub diagonal_in: f64,
    /// The panel's native pixels, as the panel is built (before rotation).
    pub width_px: u32,
    pub height_px: u32,
    /// How the panel is mounted: 0, 90, 180 or 270.
    pub rotation_deg: u16,
    /// What the shopper sees after rotation: `portrait` or `landscape`.
    pub orientation: String,
    /// Two-way mirror glass in front (black is mirror) or a plain screen.
    pub mirror_glass: bool,
    /// `capacitive`, `infrared` or `none`.
    pub touch: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileCamera {
    /// The model an installer can check on the label, and `DeviceMonitor` shows as its name.
    pub model: String,
    /// USB vendor:product id (`046d:085e`), when the camera is USB.
    pub usb_id: Option<String>,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// `raw`, `mjpeg` or `any`.
    pub format: String,
    /// How the camera is mounted: 0, 90, 180 or 270 (the kiosk's `[camera] rotation_deg`).
    pub rotation_deg: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileAudio {
    /// A substring of the microphone's device name; absent: no microphone (calls are one-way audio).
    pub microphone: Option<String>,
    /// A substring of the speaker's device name; absent: no speaker.
    pub speaker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfilePresence {
    /// `camera-motion` (the low-rate camera branch), `pir` (a GPIO sensor) or `none`.
    pub sensor: String,
    /// The screen sleeps after this long with nobody there.
    pub sleep_after_secs: u32,
}

const SECTIONS: &[(&str, &[&str])] = &[
    ("profile", &["id", "name"]),
    (
        "display",
        &[
            "diagonal_in",
            "width_px",
            "height_px",
            "rotation_deg",
            "orientation",
            "mirror_glass",
            "touch",
        ],
    ),
    (
        "camera",
        &[
            "model",
            "usb_id",
            "width",
            "height",
            "fps",
            "format",
            "rotation_deg",
        ],
    ),
    ("audio", &["microphone", "speaker"]),
    ("presence", &["sensor", "sleep_after_secs"]),
];

struct Strict<'a> {
    text: &'a str,
    table: &'a Table,
    problems: Vec<ConfigProblem>,
}

impl Strict<'_> {
    fn problem(&mut self, section: &str, key: Option<&str>, message: String) {
        self.problems.push(ConfigProblem {
            key: Some(key.map_or_else(|| section.to_owned(), |k| format!("{section}.{k}"))),
            line: find_line(self.text, Some(section), key)
                .or_else(|| find_line(self.text, None, Some(section))),
            message,
        });
    }

    fn value(&mut self, section: &str, key: &str, optional: bool) -> Option<Value> {
        let v = self
            .table
            .get(section)
            .and_then(Value::as_table)
            .and_then(|t| t.get(key))
            .cloned();
        if v.is_none() && !optional && self.table.get(section).is_some_and(Value::is_table) {
            self.problem(section, Some(key), "is required".into());
        }
        v
    }

    fn text(&mut self, section: &str, key: &str, allowed: Option<&[&str]>) -> String {
        self.text_opt(section, key, allowed, false).unwrap_or_default()
    }

    fn text_opt(
        &mut self,
        section: &str,
        key: &str,
        allowed: Option<&[&str]>,
        optional: bool,
    ) -> Option<String> {
        let v = self.value(section, key, optional)?;
        let Some(s) = v.as_str() else {
            self.problem(
                section,
                Some(key),
                format!("expected text in quotes, found {}", v.type_str()),
            );
            return None;
        };
        if s.trim().is_empty() || s.len() > 120 || s.chars().any(char::is_control) {
            self.problem(
                section,
                Some(key),
                "must be 1–120 characters of plain text".into(),
            );
            return None;
        }
        if let Some(allowed) = allowed
            && !allowed.contains(&s)
        {
            let hint = suggestion(s, allowed.iter().copied());
            self.problem(
                section,
                Some(key),
                format!("`{s}` is not one of {}{hint}", allowed.join(", ")),
            );
            return None;
        }
        Some(s.to_owned())
    }

    fn number(&mut self, section: &str, key: &str, min: i64, max: i64) -> i64 {
        let Some(v) = self.value(section, key, false) else {
            return min;
        };
        match v.as_integer() {
            Some(n) if (min..=max).contains(&n) => n,
            Some(n) => {
                self.problem(
                    section,
                    Some(key),
                    format!("{n} is out of range ({min} to {max})"),
                );
                min
            }
            None => {
                self.problem(
                    section,
                    Some(key),
                    format!("expected a whole number, found {}", v.type_str()),
                );
                min
            }
        }
    }

    fn rotation(&mut self, section: &str, key: &str) -> u16 {
        let n = self.number(section, key, 0, 270);
        if n % 90 != 0 {
            self.problem(section, Some(key), format!("{n} is not 0, 90, 180 or 270"));
        }
        u16::try_from(n).unwrap_or(0)
    }

    fn flag(&mut self, section: &str, key: &str) -> bool {
        let v = self.value(section, key, false);
        match v {
            Some(Value::Boolean(b)) => b,
            Some(other) => {
                self.problem(
                    section,
                    Some(key),
                    format!("expected true or false, found {}", other.type_str()),
                );
                false
            }
            None => false,
        }
    }
}

/// Parses and validates a profile. `expected_id` is the file's stem, which the `id` must match.
pub fn parse_profile(text: &str, expected_id: Option<&str>) -> Result<HardwareProfile, Vec<ConfigProblem>> {
    let table = match text.parse::<Table>() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| {
                let upto = text.get(..s.start).unwrap_or(text);
                u32::try_from(upto.matches('\n').count() + 1).unwrap_or(u32::MAX)
            });
            return Err(vec![ConfigProblem {
                key: None,
                line,
                message: format!("not valid TOML: {}", e.message()),
            }]);
        }
    };
    let mut r = Strict {
        text,
        table: &table,
        problems: Vec::new(),
    };
    for (name, value) in &table {
        match SECTIONS.iter().find(|(s, _)| s == name) {
            None => {
                let hint = suggestion(name, SECTIONS.iter().map(|(s, _)| *s));
                r.problem(name, None, format!("unknown section{hint}"));
            }
            Some((_, keys)) => match value.as_table() {
                None => r.problem(name, None, format!("must be a section `[{name}]`")),
                Some(t) => {
                    for k in t.keys() {
                        if !keys.contains(&k.as_str()) {
                            let hint = suggestion(k, keys.iter().copied());
                            r.problem(
                                name,
                                Some(k),
                                format!("unknown key{hint} (known: {})", keys.join(", ")),
                            );
                        }
                    }
                }
            },
        }
    }
    for (name, _) in SECTIONS {
        if !table.get(*name).is_some_and(Value::is_table) && !table.contains_key(*name) {
            r.problems.push(ConfigProblem {
                key: Some((*name).to_owned()),
                line: None,
                message: format!("the section `[{name}]` is missing"),
            });
        }
    }

    let id = r.text("profile", "id", None);
    if !id.is_empty()
        && !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        r.problem(
            "profile",
            Some("id"),
            "use lowercase letters, digits and dashes only".into(),
        );
    }
    if let Some(stem) = expected_id
        && !id.is_empty()
        && id != stem
    {
        r.problem(
            "profile",
            Some("id"),
            format!("`{id}` does not match the file name `{stem}.toml`"),
        );
    }
    let name = r.text("profile", "name", None);

    let diagonal = r.value("display", "diagonal_in", false);
    let diagonal_in = match diagonal
        .as_ref()
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
    {
        Some(d) if (5.0..=110.0).contains(&d) => d,
        Some(d) => {
            r.problem(
                "display",
                Some("diagonal_in"),
                format!("{d} is out of range (5 to 110 inches)"),
            );
            0.0
        }
        None => {
            if diagonal.is_some() {
                r.problem(
                    "display",
                    Some("diagonal_in"),
                    "expected a number of inches".into(),
                );
            }
            0.0
        }
    };
    let width_px = r.number("display", "width_px", 320, 8192) as u32;
    let height_px = r.number("display", "height_px", 320, 8192) as u32;
    let display_rotation = r.rotation("display", "rotation_deg");
    let orientation = r.text("display", "orientation", Some(&["portrait", "landscape"]));
    let mirror_glass = r.flag("display", "mirror_glass");
    let touch = r.text("display", "touch", Some(&["capacitive", "infrared", "none"]));
    // The panel turned by its mounting must give the orientation the shopper is meant to see.
    let (w, h) = if display_rotation % 180 == 90 {
        (height_px, width_px)
    } else {
        (width_px, height_px)
    };
    let seen = if h > w { "portrait" } else { "landscape" };
    if !orientation.is_empty() && r.problems.is_empty() && orientation != seen {
        r.problem(
            "display",
            Some("orientation"),
            format!(
                "a {width_px}×{height_px} panel mounted at {display_rotation}° is seen {seen}, not {orientation}: check rotation_deg"
            ),
        );
    }

    let model = r.text("camera", "model", None);
    let usb_id = r.text_opt("camera", "usb_id", None, true);
    if let Some(u) = &usb_id {
        let ok = u.len() == 9
            && u.as_bytes().get(4) == Some(&b':')
            && u.chars()
                .enumerate()
                .all(|(i, c)| i == 4 || c.is_ascii_hexdigit());
        if !ok {
            r.problem(
                "camera",
                Some("usb_id"),
                format!("`{u}` is not a USB id like 046d:085e"),
            );
        }
    }
    let cam_w = r.number("camera", "width", 160, 7680) as u32;
    let cam_h = r.number("camera", "height", 120, 4320) as u32;
    let fps = r.number("camera", "fps", 5, 120) as u32;
    let format = r.text("camera", "format", Some(&["raw", "mjpeg", "any"]));
    let camera_rotation = r.rotation("camera", "rotation_deg");

    let microphone = r.text_opt("audio", "microphone", None, true);
    let speaker = r.text_opt("audio", "speaker", None, true);

    let sensor = r.text("presence", "sensor", Some(&["camera-motion", "pir", "none"]));
    let sleep_after_secs = r.number("presence", "sleep_after_secs", 30, 86_400) as u32;

    if !r.problems.is_empty() {
        r.problems.sort_by_key(|p| p.line.unwrap_or(u32::MAX));
        return Err(r.problems);
    }
    Ok(HardwareProfile {
        id,
        name,
        display: ProfileDisplay {
            diagonal_in,
            width_px,
            height_px,
            rotation_deg: display_rotation,
            orientation,
            mirror_glass,
            touch,
        },
        camera: ProfileCamera {
            model,
            usb_id,
            width: cam_w,
            height: cam_h,
            fps,
            format,
            rotation_deg: camera_rotation,
        },
        audio: ProfileAudio { microphone, speaker },
        presence: ProfilePresence {
            sensor,
            sleep_after_secs,
        },
    })
}

/// Reads one profile file.
pub fn load_profile(path: &Path) -> Result<HardwareProfile, Vec<ConfigProblem>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![ConfigProblem::whole_file(format!(
            "could not read {}: {e}",
            path.display()
        ))]
    })?;
    let stem = path.file_stem().and_then(|s| s.to_str());
    parse_profile(&text, stem)
}

/// A profile file and what reading it gave.
pub type ProfileFile = (PathBuf, Result<HardwareProfile, Vec<ConfigProblem>>);

/// Every `*.toml` in `dir`, sorted by file name, each parsed.
pub fn load_profiles(dir: &Path) -> std::io::Result<Vec<ProfileFile>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| {
            let r = load_profile(&p);
            (p, r)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../hardware/profiles")
    }

    #[test]
    fn every_shipped_profile_is_valid_and_there_are_at_least_three() {
        let all = load_profiles(&shipped()).unwrap();
        assert!(all.len() >= 3, "{all:?}");
        for (path, r) in &all {
            let p = r.as_ref().unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            assert!(!p.name.is_empty());
        }
        let ids: Vec<&str> = all
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .map(|p| p.id.as_str())
            .collect();
        assert!(ids.contains(&"mirror-43-portrait-4k"), "{ids:?}");
    }

    const GOOD: &str = r#"[profile]
id = "t"
name = "Test"

[display]
diagonal_in = 10.1
width_px = 1920
height_px = 1200
rotation_deg = 90
orientation = "portrait"
mirror_glass = false
touch = "capacitive"

[camera]
model = "Front camera"
width = 1280
height = 720
fps = 30
format = "any"
rotation_deg = 0

[audio]
microphone = "Built-in"

[presence]
sensor = "camera-motion"
sleep_after_secs = 300
"#;

    #[test]
    fn a_good_profile_parses_with_optional_keys_absent() {
        let p = parse_profile(GOOD, Some("t")).unwrap();
        assert_eq!(p.camera.usb_id, None);
        assert_eq!(p.audio.speaker, None);
        assert_eq!(p.display.rotation_deg, 90);
    }

    #[test]
    fn bad_profiles_name_every_problem_with_its_key_and_line() {
        let bad = GOOD
            .replace("fps = 30", "fps = \"thirty\"")
            .replace("touch = \"capacitive\"", "touch = \"capactive\"")
            .replace("rotation_deg = 0", "rotation_deg = 45")
            .replace(
                "sleep_after_secs = 300",
                "sleep_after_secs = 300\nsleep_after_sec = 1",
            );
        let problems = parse_profile(&bad, Some("t")).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("line 18: `camera.fps`: expected a whole number, found string"),
            "{text:#?}"
        );
        assert!(
            has(
                "`display.touch`: `capactive` is not one of capacitive, infrared, none (did you mean `capacitive`?)"
            ),
            "{text:#?}"
        );
        assert!(
            has("`camera.rotation_deg`: 45 is not 0, 90, 180 or 270"),
            "{text:#?}"
        );
        assert!(
            has("`presence.sleep_after_sec`: unknown key (did you mean `sleep_after_secs`?)"),
            "{text:#?}"
        );
    }

    #[test]
    fn missing_keys_sections_a_wrong_orientation_and_a_wrong_id_are_refused() {
        let no_model = GOOD.replace("model = \"Front camera\"\n", "");
        let p = parse_profile(&no_model, Some("t")).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.to_string().contains("`camera.model`: is required")),
            "{p:?}"
        );

        let no_presence = GOOD.split("[presence]").next().unwrap_or_default().to_owned();
        let p = parse_profile(&no_presence, Some("t")).unwrap_err();
        assert!(
            p.iter().any(|p| p.message.contains("`[presence]` is missing")),
            "{p:?}"
        );

        let sideways = GOOD.replace("rotation_deg = 90\norientation", "rotation_deg = 0\norientation");
        let p = parse_profile(&sideways, Some("t")).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.message.contains("is seen landscape, not portrait")),
            "{p:?}"
        );

        let p = parse_profile(GOOD, Some("other")).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.message.contains("does not match the file name `other.toml`")),
            "{p:?}"
        );

        let p = parse_profile("[profile\nid=", None).unwrap_err();
        assert!(p[0].message.starts_with("not valid TOML"), "{p:?}");
        assert_eq!(p[0].line, Some(1));

        let usb = GOOD.replace("format = \"any\"", "format = \"any\"\nusb_id = \"46d-85e\"");
        let p = parse_profile(&usb, Some("t")).unwrap_err();
        assert!(p.iter().any(|p| p.message.contains("is not a USB id")), "{p:?}");
    }
}
