//! The plan's checks of what was detected against the profile: camera, microphone, speaker, display.

use super::*;

pub(super) struct CameraOutcome {
    pub(super) check: Check,
    /// What the kiosk should open.
    pub(super) source: CameraSource,
}

fn describe_want(p: &crate::ProfileCamera) -> String {
    let id = p.usb_id.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
    let format = match p.format.as_str() {
        "any" => String::new(),
        f => format!(" as {f}"),
    };
    format!(
        "'{}'{id} at {}×{} {} fps{format}",
        p.model, p.width, p.height, p.fps
    )
}

fn describe_found(c: &DetectedCamera) -> String {
    let id = c.usb_id.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
    let at = c.path.as_deref().map(|p| format!(" at {p}")).unwrap_or_default();
    format!("'{}'{id}{at}", c.name)
}

fn format_matches(wanted: &str, f: DetectedFormat) -> bool {
    match wanted {
        "raw" => f == DetectedFormat::Raw,
        "mjpeg" => f == DetectedFormat::Mjpeg,
        _ => true,
    }
}

fn format_name(f: DetectedFormat) -> &'static str {
    match f {
        DetectedFormat::Raw => "raw",
        DetectedFormat::Mjpeg => "mjpeg",
    }
}

pub(super) fn camera_check(
    profile: &HardwareProfile,
    detected: &Detected,
    chosen: Option<&CameraSource>,
) -> CameraOutcome {
    let want = &profile.camera;
    let fallback = match &want.usb_id {
        Some(_) => CameraSource::Device(CAMERA_SYMLINK.into()),
        None => CameraSource::Auto,
    };
    let fail = |message: String, fix: &str| CameraOutcome {
        check: check("camera", Status::Fail, message, Some(fix)),
        source: fallback.clone(),
    };
    let device_path = match chosen {
        Some(CameraSource::Test) => {
            return CameraOutcome {
                check: check(
                    "camera",
                    Status::Warn,
                    format!(
                        "the built-in test picture stands in for the camera: no camera was checked (the profile wants {})",
                        describe_want(want)
                    ),
                    Some("for demos and tests only: provision without --camera test on the real mirror"),
                ),
                source: CameraSource::Test,
            };
        }
        Some(CameraSource::File(f)) => {
            return CameraOutcome {
                check: check(
                    "camera",
                    Status::Warn,
                    format!("a video file stands in for the camera ({f}): no camera was checked"),
                    Some("for demos only"),
                ),
                source: CameraSource::File(f.clone()),
            };
        }
        Some(CameraSource::Device(p)) => Some(p.as_str()),
        Some(CameraSource::Auto) | None => None,
    };
    let cameras = match &detected.cameras {
        Ok(c) => c,
        Err(why) => {
            return fail(
                format!("could not look for cameras: {why}"),
                "install GStreamer's plugins (scripts/ensure-system-deps.sh) and run again",
            );
        }
    };
    if cameras.is_empty() {
        if let Some(p) = device_path {
            return fail(
                format!(
                    "no camera at {p}; no camera found at all (GStreamer's device monitor lists no video source)"
                ),
                "plug the camera in, check `ls /dev/video*`, then run again",
            );
        }
        return fail(
            format!(
                "profile wants {}; no camera found (GStreamer's device monitor lists no video source)",
                describe_want(want)
            ),
            "plug the camera in (a USB 3 port for 4K), check `ls /dev/video*`, then run again",
        );
    }
    let found_list = cameras.iter().map(describe_found).collect::<Vec<_>>().join(", ");
    let model = want.model.to_lowercase();
    let by_id = |c: &&DetectedCamera| want.usb_id.is_some() && c.usb_id == want.usb_id;
    let by_name = |c: &&DetectedCamera| c.name.to_lowercase().contains(&model);
    let picked = match device_path {
        Some(p) => match cameras.iter().find(|c| c.path.as_deref() == Some(p)) {
            Some(c) => c,
            None => {
                return fail(
                    format!("no camera at {p}; found {found_list}"),
                    "pass one of the paths found to --camera, or leave --camera out",
                );
            }
        },
        None => match cameras
            .iter()
            .find(by_id)
            .or_else(|| cameras.iter().find(by_name))
        {
            Some(c) => c,
            None => {
                return fail(
                    format!("profile wants {}; found only {found_list}", describe_want(want)),
                    "connect the profile's camera, or choose the profile for this camera",
                );
            }
        },
    };
    let found = describe_found(picked);
    // The udev symlink is keyed by the profile's id: a camera with another id never gets it.
    let source = match (&want.usb_id, &picked.usb_id) {
        (Some(w), Some(f)) if w == f => CameraSource::Device(CAMERA_SYMLINK.into()),
        _ => picked
            .path
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(CameraSource::Auto),
    };
    let mut notes = Vec::new();
    if let (Some(w), Some(f)) = (&want.usb_id, &picked.usb_id)
        && w != f
    {
        notes.push(format!(
            "its USB id is {f}, not the profile's {w}, so {CAMERA_SYMLINK} will not point at it"
        ));
    }
    if !picked.name.to_lowercase().contains(&model) && !by_id(&picked) {
        notes.push(format!("it is not the profile's '{}'", want.model));
    }

    if picked.modes.is_empty() {
        return CameraOutcome {
            check: check(
                "camera",
                Status::Warn,
                format!(
                    "found {found}, which lists no capture modes, so {}×{} {} fps cannot be checked",
                    want.width, want.height, want.fps
                ),
                Some("run `atelier doctor` once the kiosk runs: it measures the frame rate"),
            ),
            source,
        };
    }
    let exact = picked.modes.iter().any(|m| {
        m.width == want.width
            && m.height == want.height
            && m.fps >= want.fps
            && format_matches(&want.format, m.format)
    });
    if !exact {
        let same_size: Vec<&DetectedMode> = picked
            .modes
            .iter()
            .filter(|m| m.width == want.width && m.height == want.height)
            .collect();
        let what = if same_size.is_empty() {
            let largest = picked
                .modes
                .iter()
                .max_by_key(|m| u64::from(m.width) * u64::from(m.height))
                .map(|m| format!("{}×{}", m.width, m.height))
                .unwrap_or_default();
            format!("with at most {largest}")
        } else {
            let rates = same_size
                .iter()
                .map(|m| format!("{} fps as {}", m.fps, format_name(m.format)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("offering {}×{} only at {rates}", want.width, want.height)
        };
        return CameraOutcome {
            check: check(
                "camera",
                Status::Fail,
                format!(
                    "profile wants a {}×{} camera at {} fps{}; found {found} {what}",
                    want.width,
                    want.height,
                    want.fps,
                    match want.format.as_str() {
                        "any" => String::new(),
                        f => format!(" as {f}"),
                    }
                ),
                Some("use a USB 3 port, the profile's camera, or a profile for this camera"),
            ),
            source,
        };
    }
    let mode = format!("{}×{} {} fps", want.width, want.height, want.fps);
    if notes.is_empty() {
        CameraOutcome {
            check: check(
                "camera",
                Status::Pass,
                format!("found {found}, offering {mode}"),
                None,
            ),
            source,
        }
    } else {
        CameraOutcome {
            check: check(
                "camera",
                Status::Warn,
                format!("found {found}, offering {mode}, but {}", notes.join("; ")),
                Some("check the camera model against the profile"),
            ),
            source,
        }
    }
}

/// Sound-server monitor sources are the speakers' echo, not microphones.
fn is_monitor(name: &str) -> bool {
    name.starts_with("Monitor of ")
}

pub(super) fn audio_check(
    name: &'static str,
    wanted: Option<&str>,
    found: &Result<Vec<String>, String>,
) -> Check {
    let Some(wanted) = wanted else {
        return check(name, Status::Pass, format!("the profile has no {name}"), None);
    };
    let devices = match found {
        Ok(d) => d,
        Err(why) => {
            return check(
                name,
                Status::Fail,
                format!("profile wants a {name} named like '{wanted}'; could not list them: {why}"),
                Some("install GStreamer's ALSA/PipeWire plugins and run again"),
            );
        }
    };
    let real: Vec<&String> = devices.iter().filter(|d| !is_monitor(d)).collect();
    let needle = wanted.to_lowercase();
    match real.iter().find(|d| d.to_lowercase().contains(&needle)) {
        Some(d) => check(name, Status::Pass, format!("found '{d}'"), None),
        None if real.is_empty() => check(
            name,
            Status::Fail,
            format!("profile wants a {name} named like '{wanted}'; found none"),
            Some("plug it in (and check `arecord -l` / `aplay -l`), then run again"),
        ),
        None => check(
            name,
            Status::Fail,
            format!(
                "profile wants a {name} named like '{wanted}'; found only {}",
                real.iter()
                    .map(|d| format!("'{d}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some("connect the profile's device, or fix `[audio]` in the profile"),
        ),
    }
}

pub(super) fn display_check(
    profile: &HardwareProfile,
    found: &Result<Vec<DetectedDisplay>, String>,
) -> Check {
    let d = &profile.display;
    let (w, h) = (d.width_px, d.height_px);
    let displays = match found {
        Ok(x) => x,
        Err(why) => {
            return check(
                "display",
                Status::Warn,
                format!("cannot see displays from here ({why}); the profile wants a {w}×{h} panel"),
                Some(
                    "check the panel's resolution on the screen itself, or run provision on the kiosk's console",
                ),
            );
        }
    };
    if displays.is_empty() {
        return check(
            "display",
            Status::Fail,
            format!("profile wants a {w}×{h} panel; no connected display found"),
            Some("connect the panel and switch it on, then run again"),
        );
    }
    let fits = |x: &DetectedDisplay| {
        x.modes
            .iter()
            .any(|&(mw, mh)| (mw, mh) == (w, h) || (mw, mh) == (h, w))
    };
    match displays.iter().find(|x| fits(x)) {
        Some(x) => check(
            "display",
            Status::Pass,
            format!("{} offers {w}×{h}", x.connector),
            None,
        ),
        None => {
            let seen = displays
                .iter()
                .map(|x| {
                    let max = x
                        .modes
                        .iter()
                        .max_by_key(|(mw, mh)| u64::from(*mw) * u64::from(*mh))
                        .map(|(mw, mh)| format!("{mw}×{mh}"))
                        .unwrap_or_else(|| "no modes".into());
                    format!("{} with at most {max}", x.connector)
                })
                .collect::<Vec<_>>()
                .join(", ");
            check(
                "display",
                Status::Fail,
                format!("profile wants a {w}×{h} panel; found {seen}"),
                Some(
                    "check the cable (4K needs HDMI 2.0 or DisplayPort) or choose the profile for this panel",
                ),
            )
        }
    }
}

/// Frame interval of the browse list scrolling over the live picture with the page composited in
/// software, at 1080×1920 on 2 cores (`bench-browse --demo`, p50); 16.7 ms is the display's rate.
const SOFTWARE_FRAME_MS: u32 = 43;
const MEASURED_PX: u64 = 1080 * 1920;

/// Whether WebKit can composite the page (drawn over the camera's picture) on a GPU. `display_px`
/// is the panel's native size, when known, to say how much worse a bigger panel fares without one.
pub fn gpu_check(found: &Result<Vec<DetectedGpu>, String>, display_px: Option<(u32, u32)>) -> Check {
    const NAME: &str = "gpu";
    let gpus = match found {
        Ok(g) => g,
        Err(why) => {
            return check(
                NAME,
                Status::Warn,
                format!("cannot look for a GPU ({why})"),
                Some("check that /dev/dri/renderD* exists on the kiosk itself"),
            );
        }
    };
    let name_of = |g: &DetectedGpu| match &g.driver {
        Some(d) => format!("{} ({d})", g.node),
        None => g.node.clone(),
    };
    if let Some(g) = gpus.iter().find(|g| g.accessible) {
        return check(
            NAME,
            Status::Pass,
            format!(
                "{}: the page over the picture is composited on the GPU",
                name_of(g)
            ),
            None,
        );
    }
    if let Some(g) = gpus.first() {
        return check(
            NAME,
            Status::Fail,
            format!(
                "{} is there but this user cannot open it: WebKit falls back to drawing in software",
                name_of(g)
            ),
            Some(
                "run the kiosk as a member of the render group (atelier provision writes /etc/sysusers.d/atelier.conf), then restart its session",
            ),
        );
    }
    let bigger = display_px
        .map(|(w, h)| u64::from(w) * u64::from(h))
        .filter(|&px| px > MEASURED_PX)
        .map(|px| {
            format!(
                "; this panel has {:.1}× those pixels, so expect it slower still",
                px as f64 / MEASURED_PX as f64
            )
        })
        .unwrap_or_default();
    check(
        NAME,
        Status::Warn,
        format!(
            "no GPU (no /dev/dri/renderD*): WebKit composites the page over the picture in software. \
             Measured at 1080×1920 on 2 cores: lists scroll at {} fps ({SOFTWARE_FRAME_MS} ms frames) instead of 60{bigger}",
            1000 / SOFTWARE_FRAME_MS
        ),
        Some(
            "use a machine with a GPU and its kernel driver (Mesa's user-space drivers come with WebKitGTK); docs/ARCHITECTURE.md, \"Memory and CPU\"",
        ),
    )
}
