//! What `atelier provision` finds on the machine: cameras, microphones, speakers, displays (the kernel's DRM,
//! else xrandr), and whether the kiosk's database holds a colour calibration.

use super::*;

/// Whether the kiosk's database holds a calibration; read-only, so a dry run changes nothing.
pub(super) fn calibration_stored(db: &Path) -> Option<bool> {
    if !db.is_file() {
        return None;
    }
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let found = conn
        .query_row(
            "SELECT COUNT(*) FROM settings WHERE key = ?1",
            [crate::commands::skin::CALIBRATION_KEY],
            |r| r.get::<_, i64>(0),
        )
        .unwrap_or(0);
    Some(found > 0)
}

pub(super) fn detect_devices(camera: Option<&CameraSource>) -> Detected {
    // The test picture and a file need no camera: do not wait on the device monitor for one.
    let cameras = if matches!(camera, Some(CameraSource::Test | CameraSource::File(_))) {
        Ok(Vec::new())
    } else {
        discover().map_err(|e| e.to_string()).map(|found| {
            found
                .into_iter()
                .map(|c| DetectedCamera {
                    usb_id: c.path.as_deref().and_then(usb_id),
                    modes: c
                        .modes
                        .iter()
                        .map(|m| DetectedMode {
                            format: match m.format {
                                ModeFormat::Raw => DetectedFormat::Raw,
                                ModeFormat::Jpeg => DetectedFormat::Mjpeg,
                            },
                            width: m.width,
                            height: m.height,
                            fps: m.fps,
                        })
                        .collect(),
                    name: c.name,
                    path: c.path,
                })
                .collect()
        })
    };
    Detected {
        cameras,
        microphones: discover_audio(AudioClass::Microphone).map_err(|e| e.to_string()),
        speakers: discover_audio(AudioClass::Speaker).map_err(|e| e.to_string()),
        displays: Ok(Vec::new()),
        gpus: Ok(Vec::new()),
        app_installed: false,
        cage_installed: false,
        existing_config: None,
        calibration_stored: None,
    }
}

/// Connected outputs from the kernel's DRM (works on a bare console, before any compositor), else
/// from `xrandr` under X.
pub(super) fn detect_displays() -> Result<Vec<DetectedDisplay>, String> {
    if let Ok(entries) = std::fs::read_dir("/sys/class/drm") {
        let mut found = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let dir = e.path();
            let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
            if status.trim() != "connected" {
                continue;
            }
            let modes = std::fs::read_to_string(dir.join("modes"))
                .unwrap_or_default()
                .lines()
                .filter_map(parse_mode)
                .collect();
            let name = e.file_name().to_string_lossy().into_owned();
            // card0-HDMI-A-1 → HDMI-A-1
            let connector = name.split_once('-').map_or(name.clone(), |(_, c)| c.to_owned());
            found.push(DetectedDisplay { connector, modes });
        }
        found.sort_by(|a, b| a.connector.cmp(&b.connector));
        return Ok(found);
    }
    if std::env::var_os("DISPLAY").is_some()
        && let Ok(out) = std::process::Command::new("xrandr").arg("--query").output()
        && out.status.success()
    {
        return Ok(parse_xrandr(&String::from_utf8_lossy(&out.stdout)));
    }
    Err("no /sys/class/drm here, and no xrandr under X".into())
}

pub(super) fn parse_mode(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.trim().split_once('x')?;
    // "1920x1080i" and "1920x1080_60" are still 1920×1080.
    let h: String = h.chars().take_while(char::is_ascii_digit).collect();
    Some((w.parse().ok()?, h.parse().ok()?))
}

/// `HDMI-1 connected primary 1920x1080+0+0 …` followed by indented mode lines.
pub(super) fn parse_xrandr(text: &str) -> Vec<DetectedDisplay> {
    let mut out: Vec<DetectedDisplay> = Vec::new();
    let mut current: Option<DetectedDisplay> = None;
    for line in text.lines() {
        if !line.starts_with(' ') {
            out.extend(current.take());
            let mut words = line.split_whitespace();
            if let (Some(name), Some("connected")) = (words.next(), words.next()) {
                current = Some(DetectedDisplay {
                    connector: name.to_owned(),
                    modes: Vec::new(),
                });
            }
        } else if let Some(d) = current.as_mut()
            && let Some(m) = line.split_whitespace().next().and_then(parse_mode)
        {
            // xrandr marks the preferred mode with '+': keep it first.
            if line.contains('+') {
                d.modes.insert(0, m);
            } else {
                d.modes.push(m);
            }
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xrandr_and_drm_modes_are_read() {
        let text = "Screen 0: minimum 8 x 8, current 1920 x 1080, maximum 32767 x 32767\n\
            HDMI-1 connected primary 1920x1080+0+0 (normal left inverted right x axis y axis) 600mm x 340mm\n   \
            1280x720      60.00\n   1920x1080     60.00*+  50.00\n\
            DP-1 disconnected (normal left inverted right x axis y axis)\n   3840x2160     30.00\n";
        let d = parse_xrandr(text);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].connector, "HDMI-1");
        assert_eq!(d[0].modes, vec![(1920, 1080), (1280, 720)]);
        assert_eq!(parse_mode("3840x2160"), Some((3840, 2160)));
        assert_eq!(parse_mode("1920x1080i"), Some((1920, 1080)));
        assert_eq!(parse_mode("garbage"), None);
    }
}
