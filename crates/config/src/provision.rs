//! `atelier provision`'s plan: from a hardware profile, what the machine has, and the installer's
//! options, the checks (pass, warn or fail, each saying exactly what is wrong) and every file the
//! kiosk session needs. Pure: nothing here reads the disk or the devices. The CLI detects, passes
//! the facts in as [`Detected`], and writes the [`FileChange`]s under its `--root`.
//!
//! The session: a system unit runs `cage` (a Wayland kiosk compositor) with `atelier` as its only
//! client on tty1, as the kiosk user, with its own PAM session. That unit *is* the autologin: no
//! getty or display manager logs anyone in, so systemd keeps restarting and watching the kiosk
//! itself (a getty autologin that starts cage from a shell profile would not be restarted).

use atelier_domain::CameraSource;
use serde::Serialize;

use crate::{HardwareProfile, KioskConfig, Orientation, parse_kiosk};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// One check of the machine against the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// What was wanted and what was found.
    pub message: String,
    /// What to do, when not a pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

fn check(name: &'static str, status: Status, message: impl Into<String>, fix: Option<&str>) -> Check {
    Check {
        name,
        status,
        message: message.into(),
        fix: fix.map(str::to_owned),
    }
}

/// A capture format, as a camera reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DetectedFormat {
    Raw,
    Mjpeg,
}

/// One capture mode a camera offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DetectedMode {
    pub format: DetectedFormat,
    pub width: u32,
    pub height: u32,
    /// The highest rate at this size and format.
    pub fps: u32,
}

/// A camera found on the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetectedCamera {
    pub name: String,
    /// The V4L2 node, when known.
    pub path: Option<String>,
    /// USB vendor:product (`046d:085e`), when the camera is USB.
    pub usb_id: Option<String>,
    pub modes: Vec<DetectedMode>,
}

/// A display output found on the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetectedDisplay {
    /// The connector, e.g. `HDMI-A-1`.
    pub connector: String,
    /// Its modes, the preferred (native) one first: (width_px, height_px).
    pub modes: Vec<(u32, u32)>,
}

/// What the CLI found. Each `Err` says why it could not look (no sound server, no DRM, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub cameras: Result<Vec<DetectedCamera>, String>,
    pub microphones: Result<Vec<String>, String>,
    pub speakers: Result<Vec<String>, String>,
    pub displays: Result<Vec<DetectedDisplay>, String>,
    /// `app_path` is an executable file under the target root.
    pub app_installed: bool,
    /// `cage_path` is an executable file under the target root.
    pub cage_installed: bool,
    /// The atelier.toml already in the data dir: its other settings are kept.
    pub existing_config: Option<String>,
    /// Whether the kiosk's database holds a colour calibration; `None`: no database yet.
    pub calibration_stored: Option<bool>,
}

/// The installer's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionOptions {
    /// The kiosk's system user (created by systemd-sysusers).
    pub user: String,
    pub app_path: String,
    pub cage_path: String,
    /// The kiosk's data dir (atelier.toml, its database); under /var/lib it is the unit's StateDirectory.
    pub data_dir: String,
    /// The virtual terminal the session takes (1–12).
    pub tty: u8,
    pub device_id: Option<String>,
    pub store_id: Option<String>,
    pub room: Option<String>,
    /// `ws://…` or `wss://…`; `Some("")` turns the relay off; `None` keeps what is there.
    pub relay_url: Option<String>,
    /// From `atelier-relay enroll`.
    pub device_key: Option<String>,
    /// The admin PIN's argon2id hash (the executor hashes the PIN; the plan never sees it).
    pub pin_hash: Option<String>,
    /// Replaces the camera the profile implies (`test` for demos and tests, a /dev path).
    pub camera: Option<CameraSource>,
    /// `Some(secs)` when the kiosk sends sd_notify watchdog pings, so the unit may ask for them.
    pub watchdog_secs: Option<u32>,
    /// Written into the profile record, e.g. "2025-06-01 10:00 UTC".
    pub provisioned_at: String,
    /// Where the profile came from, for the record.
    pub profile_source: String,
}

impl Default for ProvisionOptions {
    fn default() -> Self {
        Self {
            user: "atelier".into(),
            app_path: "/usr/bin/atelier".into(),
            cage_path: "/usr/bin/cage".into(),
            data_dir: "/var/lib/atelier".into(),
            tty: 1,
            device_id: None,
            store_id: None,
            room: None,
            relay_url: None,
            device_key: None,
            pin_hash: None,
            camera: None,
            watchdog_secs: None,
            provisioned_at: String::new(),
            profile_source: String::new(),
        }
    }
}

/// Where the plan puts things.
pub const UNIT_PATH: &str = "/etc/systemd/system/atelier-kiosk.service";
pub const UNIT_WANTS_PATH: &str = "/etc/systemd/system/multi-user.target.wants/atelier-kiosk.service";
pub const PAM_PATH: &str = "/etc/pam.d/atelier-kiosk";
pub const SYSUSERS_PATH: &str = "/etc/sysusers.d/atelier.conf";
pub const UDEV_RULES_PATH: &str = "/etc/udev/rules.d/70-atelier-camera.rules";
pub const PROFILE_RECORD_PATH: &str = "/etc/atelier/profile.toml";
/// The stable name the udev rule gives the profile's camera.
pub const CAMERA_SYMLINK: &str = "/dev/atelier-camera";

/// What a change puts at its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ChangeKind {
    File { contents: String, mode: u32 },
    Symlink { target: String },
}

/// One file the plan writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Absolute, as on the installed system (the CLI re-roots it under `--root`).
    pub path: String,
    #[serde(flatten)]
    pub kind: ChangeKind,
    pub why: String,
    /// Keys whose values never appear in previews (the device key, the admin PIN).
    #[serde(skip)]
    pub secret_keys: &'static [&'static str],
}

impl FileChange {
    /// The contents with secret values hidden, for printing.
    pub fn preview(&self) -> String {
        match &self.kind {
            ChangeKind::Symlink { target } => format!("-> {target}"),
            ChangeKind::File { contents, .. } => contents
                .lines()
                .map(|line| {
                    let key = line.split('=').next().unwrap_or("").trim();
                    if line.contains('=') && self.secret_keys.contains(&key) {
                        format!("{key} = \"(hidden)\"")
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// A command that applies the files to a running system; only run when the root is `/` (an image
/// built under `--root` applies them at boot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCommand {
    pub argv: Vec<String>,
    pub why: String,
}

/// Everything `atelier provision` would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub checks: Vec<Check>,
    pub changes: Vec<FileChange>,
    pub commands: Vec<PlannedCommand>,
    /// What is left for a person to do.
    pub next_steps: Vec<String>,
}

impl Plan {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail)
    }
}

/// An option the plan cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{option}: {message}")]
pub struct BadOption {
    /// The option as the installer typed it, e.g. `--data-dir`.
    pub option: &'static str,
    pub message: String,
}

fn bad(option: &'static str, message: impl Into<String>) -> BadOption {
    BadOption {
        option,
        message: message.into(),
    }
}

/// Paths go into a unit's ExecStart and udev rules: plain absolute paths only.
fn plain_path(option: &'static str, p: &str) -> Result<(), BadOption> {
    let ok = p.starts_with('/')
        && p.len() <= 200
        && p.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
        && !p.split('/').any(|part| part == "..");
    if ok {
        Ok(())
    } else {
        Err(bad(
            option,
            format!("`{p}` must be an absolute path of letters, digits, '/', '.', '_' or '-'"),
        ))
    }
}

/// Builds the plan. Errors only for options that cannot work; everything about the machine is a check.
pub fn plan(
    profile: &HardwareProfile,
    profile_text: &str,
    detected: &Detected,
    opts: &ProvisionOptions,
) -> Result<Plan, BadOption> {
    plain_path("--app", &opts.app_path)?;
    plain_path("--cage", &opts.cage_path)?;
    plain_path("--data-dir", &opts.data_dir)?;
    let user_ok = (1..=31).contains(&opts.user.len())
        && opts.user.starts_with(|c: char| c.is_ascii_lowercase())
        && opts
            .user
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !user_ok {
        return Err(bad(
            "--user",
            format!(
                "`{}` is not a user name: lowercase letters, digits, '-' or '_', starting with a letter",
                opts.user
            ),
        ));
    }
    if !(1..=12).contains(&opts.tty) {
        return Err(bad(
            "--tty",
            format!("{} is not a virtual terminal (1 to 12)", opts.tty),
        ));
    }

    let mut checks = vec![check(
        "profile",
        Status::Pass,
        format!("{} ({})", profile.id, profile.name),
        None,
    )];
    let camera = camera_check(profile, detected, opts.camera.as_ref());
    checks.push(camera.check.clone());
    checks.push(audio_check(
        "microphone",
        profile.audio.microphone.as_deref(),
        &detected.microphones,
    ));
    checks.push(audio_check(
        "speaker",
        profile.audio.speaker.as_deref(),
        &detected.speakers,
    ));
    checks.push(display_check(profile, &detected.displays));
    checks.push(if detected.app_installed {
        check(
            "kiosk-app",
            Status::Pass,
            format!("{} is installed", opts.app_path),
            None,
        )
    } else {
        check(
            "kiosk-app",
            Status::Fail,
            format!("{} is missing or not executable", opts.app_path),
            Some("install the atelier package first (or pass --app PATH)"),
        )
    });
    checks.push(if detected.cage_installed {
        check(
            "cage",
            Status::Pass,
            format!("{} is installed", opts.cage_path),
            None,
        )
    } else {
        check(
            "cage",
            Status::Fail,
            format!(
                "{} is missing: the kiosk session runs in the cage Wayland compositor",
                opts.cage_path
            ),
            Some("apt-get install cage"),
        )
    });

    let (config, config_checks) = kiosk_config(profile, detected, opts, &camera.source)?;
    checks.extend(config_checks);
    checks.push(match detected.calibration_stored {
        Some(true) => check(
            "calibration",
            Status::Pass,
            "a colour calibration is stored in the kiosk's database",
            None,
        ),
        Some(false) => check(
            "calibration",
            Status::Warn,
            "the camera is not colour-calibrated: skin analysis reports low confidence",
            Some(CALIBRATE),
        ),
        None => check(
            "calibration",
            Status::Warn,
            "no kiosk database yet, so no colour calibration: calibrate once the kiosk runs",
            Some(CALIBRATE),
        ),
    });

    let mut changes = vec![
        FileChange {
            path: SYSUSERS_PATH.into(),
            kind: file(sysusers(opts), 0o644),
            why: format!(
                "creates the kiosk user `{}` (home {}) in the video, audio, render and input groups, at boot or now",
                opts.user, opts.data_dir
            ),
            secret_keys: &[],
        },
        FileChange {
            path: PAM_PATH.into(),
            kind: file(PAM_SERVICE.into(), 0o644),
            why: "the PAM session the kiosk unit opens: logind gives the kiosk user the seat (screen, input) without a password"
                .into(),
            secret_keys: &[],
        },
        FileChange {
            path: UNIT_PATH.into(),
            kind: file(unit(profile, opts), 0o644),
            why: format!(
                "runs {} in cage on tty{} as `{}`, restarts it whenever it stops{}",
                opts.app_path,
                opts.tty,
                opts.user,
                if opts.watchdog_secs.is_some() {
                    " or stops answering the watchdog"
                } else {
                    ""
                }
            ),
            secret_keys: &[],
        },
        FileChange {
            path: UNIT_WANTS_PATH.into(),
            kind: ChangeKind::Symlink {
                target: UNIT_PATH.into(),
            },
            why: "starts the kiosk unit at boot (what `systemctl enable` would link)".into(),
            secret_keys: &[],
        },
        FileChange {
            path: format!("/etc/systemd/system/getty@tty{}.service", opts.tty),
            kind: ChangeKind::Symlink {
                target: "/dev/null".into(),
            },
            why: format!(
                "masks the login prompt on tty{}: the kiosk owns it (other consoles stay for maintenance)",
                opts.tty
            ),
            secret_keys: &[],
        },
    ];
    if let Some(usb_id) = &profile.camera.usb_id {
        changes.push(FileChange {
            path: UDEV_RULES_PATH.into(),
            kind: file(udev_rules(profile, usb_id), 0o644),
            why: format!(
                "names the profile's camera ({usb_id}) {CAMERA_SYMLINK} whichever port it is in, lets the video group use it, keeps USB autosuspend off it"
            ),
            secret_keys: &[],
        });
    }
    changes.push(FileChange {
        path: format!("{}/{}", opts.data_dir.trim_end_matches('/'), crate::KIOSK_CONFIG_FILE),
        kind: file(render_kiosk_toml(&config), 0o600),
        why: "the kiosk's settings from the profile (display, camera) and the options (identity, relay, device key); only root and the kiosk read it"
            .into(),
        secret_keys: &["device_key", "pin"],
    });
    changes.push(FileChange {
        path: PROFILE_RECORD_PATH.into(),
        kind: file(profile_record(profile, profile_text, opts), 0o644),
        why: "records which profile this machine was provisioned with, for support and the next provision"
            .into(),
        secret_keys: &[],
    });

    let mut commands = vec![
        command(&["systemd-sysusers", SYSUSERS_PATH], "creates the kiosk user now"),
        command(&["systemctl", "daemon-reload"], "loads the new unit"),
    ];
    if profile.camera.usb_id.is_some() {
        commands.push(command(
            &["udevadm", "control", "--reload-rules"],
            "loads the camera rule",
        ));
        commands.push(command(
            &[
                "udevadm",
                "trigger",
                "--subsystem-match=video4linux",
                "--subsystem-match=usb",
            ],
            "applies it to the camera already plugged in",
        ));
    }

    let mut next_steps = Vec::new();
    if config.relay.device_key.is_none() && !config.relay.url.is_empty() {
        next_steps.push(format!(
            "enroll with the relay: get a one-time code from the relay's /admin/enroll page for {} in {} ({}) and run `atelier provision … --enroll-code CODE`; or on the relay run `atelier-relay enroll --device {} --store {} --room '{}'`, then `atelier provision … --device-key-file FILE` (or --device-key-stdin)",
            config.kiosk.device_id, config.kiosk.store_id, config.kiosk.room,
            config.kiosk.device_id, config.kiosk.store_id, config.kiosk.room
        ));
    }
    if detected.calibration_stored != Some(true) {
        next_steps.push(format!("colour calibration: {CALIBRATE}"));
    }
    next_steps.push(format!(
        "reboot (or `systemctl start atelier-kiosk`), then check with `sudo -u {} {} --data-dir {} doctor`",
        opts.user, opts.app_path, opts.data_dir
    ));
    Ok(Plan {
        checks,
        changes,
        commands,
        next_steps,
    })
}

const CALIBRATE: &str = "in the kiosk, admin → Camera → Calibrate colour, holding a ColorChecker chart in the room's light (docs/SKIN.md); once per camera and room lighting";

fn file(contents: String, mode: u32) -> ChangeKind {
    ChangeKind::File { contents, mode }
}

fn command(argv: &[&str], why: &str) -> PlannedCommand {
    PlannedCommand {
        argv: argv.iter().map(|s| (*s).to_owned()).collect(),
        why: why.into(),
    }
}

// ---- Checks ----

struct CameraOutcome {
    check: Check,
    /// What the kiosk should open.
    source: CameraSource,
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

fn camera_check(
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

fn audio_check(name: &'static str, wanted: Option<&str>, found: &Result<Vec<String>, String>) -> Check {
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

fn display_check(profile: &HardwareProfile, found: &Result<Vec<DetectedDisplay>, String>) -> Check {
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

// ---- The kiosk's config ----

/// A TOML string literal, escaped.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn kiosk_config(
    profile: &HardwareProfile,
    detected: &Detected,
    opts: &ProvisionOptions,
    camera: &CameraSource,
) -> Result<(KioskConfig, Vec<Check>), BadOption> {
    let mut checks = Vec::new();
    let mut config = match &detected.existing_config {
        Some(text) => {
            let (c, problems) = parse_kiosk(text);
            if !problems.is_empty() {
                checks.push(check(
                    "existing-config",
                    Status::Warn,
                    format!(
                        "the atelier.toml there had problems, rewritten with defaults: {}",
                        problems
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    Some("check the rewritten keys in the new file"),
                ));
            }
            c
        }
        None => KioskConfig::default(),
    };
    config.display.orientation = if profile.display.orientation == "portrait" {
        Orientation::Portrait
    } else {
        Orientation::Landscape
    };
    config.display.rotation_deg = profile.display.rotation_deg;
    config.display.mirror_glass = profile.display.mirror_glass;
    config.display.fullscreen = true;
    config.camera.source = camera.clone();
    config.camera.rotation_deg = profile.camera.rotation_deg;

    // Values the kiosk's reader would refuse are refused here, with its own message: each is put
    // through `parse_kiosk` alone.
    let validated =
        |option: &'static str, section: &str, key: &str, value: &str| -> Result<KioskConfig, BadOption> {
            let (c, problems) = parse_kiosk(&format!("[{section}]\n{key} = {}\n", quoted(value)));
            match problems.first() {
                None => Ok(c),
                Some(p) => Err(bad(
                    option,
                    p.message.trim_end_matches("; using the default").to_owned(),
                )),
            }
        };
    if let Some(v) = &opts.device_id {
        config.kiosk.device_id = validated("--device", "kiosk", "device_id", v)?.kiosk.device_id;
    }
    if let Some(v) = &opts.store_id {
        config.kiosk.store_id = validated("--store", "kiosk", "store_id", v)?.kiosk.store_id;
    }
    if let Some(v) = &opts.room {
        config.kiosk.room = validated("--room", "kiosk", "room", v)?.kiosk.room;
    }
    if let Some(v) = &opts.relay_url {
        config.relay.url = validated("--relay", "relay", "url", v)?.relay.url;
    }
    if let Some(v) = &opts.device_key {
        config.relay.device_key = validated("--device-key", "relay", "device_key", v.trim())?
            .relay
            .device_key;
    }
    if let Some(v) = &opts.pin_hash {
        config.admin.pin_hash = validated("--pin-file", "admin", "pin_hash", v)?.admin.pin_hash;
    }

    let id = &config.kiosk;
    let demo = KioskConfig::default().kiosk;
    checks.push(
        if id.device_id == demo.device_id || id.store_id == demo.store_id {
            check(
                "identity",
                Status::Warn,
                format!(
                    "device `{}` in store `{}` ({}) is the demo's identity",
                    id.device_id, id.store_id, id.room
                ),
                Some("pass --device, --store and --room"),
            )
        } else {
            check(
                "identity",
                Status::Pass,
                format!(
                    "device `{}` in store `{}` ({})",
                    id.device_id, id.store_id, id.room
                ),
                None,
            )
        },
    );
    checks.push(match (config.relay.url.is_empty(), &config.relay.device_key) {
        (true, _) => check(
            "relay",
            Status::Warn,
            "no relay: the kiosk works alone (no catalog sync, no calls)",
            Some("pass --relay wss://HOST/ws"),
        ),
        (false, None) => check(
            "relay",
            Status::Warn,
            format!(
                "{} without a device key: the relay refuses this kiosk unless it runs with --demo",
                config.relay.url
            ),
            Some("enroll it (`atelier-relay enroll`) and pass --device-key-file FILE or --device-key-stdin"),
        ),
        (false, Some(_)) => check(
            "relay",
            Status::Pass,
            format!("{} with a device key", config.relay.url),
            None,
        ),
    });
    if config.admin.pin_hash.is_none() && config.admin.pin == crate::AdminConfig::default().pin {
        checks.push(check(
            "admin-pin",
            Status::Warn,
            "the admin PIN is the default one, which every installer knows",
            Some("pass --pin-file with 4–8 digits of the store's choosing (stored hashed)"),
        ));
    }
    Ok((config, checks))
}

/// The kiosk's config file, every key written out, comments saying which came from the profile.
pub fn render_kiosk_toml(c: &KioskConfig) -> String {
    let mut out = String::from(
        "# Written by `atelier provision`; the display and camera come from the hardware profile\n\
         # (/etc/atelier/profile.toml). Other keys are kept by the next provision.\n",
    );
    let orientation = match c.display.orientation {
        Orientation::Portrait => "portrait",
        Orientation::Landscape => "landscape",
    };
    let lines = [
        "\n[kiosk]".to_owned(),
        format!("device_id = {}", quoted(&c.kiosk.device_id)),
        format!("store_id = {}", quoted(&c.kiosk.store_id)),
        format!("room = {}", quoted(&c.kiosk.room)),
        "\n[display]".to_owned(),
        format!("orientation = {}", quoted(orientation)),
        format!("rotation_deg = {}", c.display.rotation_deg),
        format!("fullscreen = {}", c.display.fullscreen),
        format!("mirror_glass = {}", c.display.mirror_glass),
        format!("mirror_flip = {}", c.display.mirror_flip),
        "\n[ui]".to_owned(),
        format!("language = {}", quoted(&c.ui.language.to_string())),
        format!("idle_timeout_secs = {}", c.ui.idle_timeout_secs),
        format!("still_there_secs = {}", c.ui.still_there_secs),
        "\n[relay]".to_owned(),
        format!("url = {}", quoted(&c.relay.url)),
        format!("reconnect_max_secs = {}", c.relay.reconnect_max_secs),
        c.relay
            .device_key
            .as_ref()
            .map(|k| format!("device_key = {}", quoted(k.expose())))
            .unwrap_or_default(),
        "\n[privacy]".to_owned(),
        format!("snapshots = {}", c.privacy.snapshots),
        format!("skin_analysis = {}", c.privacy.skin_analysis),
        format!("motion_wake = {}", c.privacy.motion_wake),
        format!("analytics = {}", c.privacy.analytics),
        "\n[features]".to_owned(),
        format!("friend_calls = {}", c.features.friend_calls),
        format!("stylist_calls = {}", c.features.stylist_calls),
        format!("staff_requests = {}", c.features.staff_requests),
        format!("tag_scan = {}", c.features.tag_scan),
        format!("looks = {}", c.features.looks),
    ];
    for l in lines.iter().filter(|l| !l.is_empty()) {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&format!(
        "\n[camera]\nsource = {}\nrotation_deg = {}\n\n[admin]\n",
        quoted(&c.camera.source.to_string()),
        c.camera.rotation_deg,
    ));
    // A PIN set at provisioning is stored only as its hash.
    match &c.admin.pin_hash {
        Some(h) => out.push_str(&format!("pin_hash = {}\n", quoted(h))),
        None => out.push_str(&format!("pin = {}\n", quoted(&c.admin.pin))),
    }
    out
}

// ---- System files ----

const PAM_SERVICE: &str = "\
# Written by `atelier provision`: the session atelier-kiosk.service opens for the kiosk user.
# systemd never runs the auth stack for a unit's PAMName=, so no password is asked; the account
# and session stacks register the session with logind, which gives it the seat (DRM, input).
account  include  common-account
session  include  common-session
";

fn sysusers(opts: &ProvisionOptions) -> String {
    let u = &opts.user;
    format!(
        "# Written by `atelier provision`: the kiosk's system user (systemd-sysusers creates it at boot).\n\
         u {u} - \"Atelier kiosk\" {home} /usr/sbin/nologin\n\
         m {u} video\n\
         m {u} audio\n\
         m {u} render\n\
         m {u} input\n",
        home = opts.data_dir
    )
}

/// The kiosk session unit.
fn unit(profile: &HardwareProfile, opts: &ProvisionOptions) -> String {
    let tty = opts.tty;
    let state_dir = opts
        .data_dir
        .strip_prefix("/var/lib/")
        .filter(|rest| !rest.is_empty())
        .map(|rest| {
            format!(
                "# systemd creates {} and hands it (and atelier.toml in it) to the kiosk user.\nStateDirectory={rest}\n",
                opts.data_dir
            )
        })
        .unwrap_or_default();
    let watchdog = match opts.watchdog_secs {
        Some(secs) => format!(
            "# atelier sends READY=1 once its window is up and WATCHDOG=1 from its UI thread; it is cage's\n\
             # child, hence NotifyAccess=all. A frozen UI is killed and restarted after {secs} s.\n\
             Type=notify\nNotifyAccess=all\nWatchdogSec={secs}\nTimeoutStartSec=120\n"
        ),
        None => {
            "# No WatchdogSec=: this atelier build sends no sd_notify pings, and a watchdog nobody feeds\n\
                 # would kill a healthy kiosk every period. A crash or exit still restarts it (below).\n\
                 Type=simple\n"
                .to_owned()
        }
    };
    format!(
        "# Written by `atelier provision` (profile {id}); the next provision overwrites it.\n\
         [Unit]\n\
         Description=Atelier fitting-room kiosk in the cage Wayland compositor on tty{tty}\n\
         After=systemd-user-sessions.service plymouth-quit-wait.service systemd-logind.service network-online.target\n\
         Wants=network-online.target systemd-logind.service\n\
         ConditionPathExists=/dev/tty{tty}\n\
         # Never stop retrying: a console where the mirror should be is worse than a retry every few seconds.\n\
         StartLimitIntervalSec=0\n\
         \n\
         [Service]\n\
         {watchdog}\
         User={user}\n\
         # The session and the seat, in place of a getty or display-manager autologin.\n\
         PAMName=atelier-kiosk\n\
         TTYPath=/dev/tty{tty}\n\
         TTYReset=yes\n\
         TTYVHangup=yes\n\
         TTYVTDisallocate=yes\n\
         StandardInput=tty-fail\n\
         StandardOutput=journal\n\
         StandardError=journal\n\
         UtmpIdentifier=tty{tty}\n\
         UtmpMode=user\n\
         {state_dir}\
         Environment=XDG_SESSION_TYPE=wayland\n\
         # -d: no window decorations. `--` ends cage's options, so atelier's are its own.\n\
         ExecStart={cage} -d -- {app} --data-dir {data}\n\
         # Restart=always, not on-failure: a kiosk that stops for any reason (a clean exit included,\n\
         # whatever exit status cage passes on) must come back.\n\
         Restart=always\n\
         RestartSec=3\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        id = profile.id,
        user = opts.user,
        cage = opts.cage_path,
        app = opts.app_path,
        data = opts.data_dir,
    )
}

fn udev_rules(profile: &HardwareProfile, usb_id: &str) -> String {
    let (vendor, product) = usb_id.split_once(':').unwrap_or((usb_id, ""));
    format!(
        "# Written by `atelier provision` for profile {id}: the camera '{model}' ({usb_id}).\n\
         # Its capture node (index 0; UVC cameras add a metadata node) gets a stable name, whatever\n\
         # the port or the order devices appeared in, and only root and the video group may open it.\n\
         SUBSYSTEM==\"video4linux\", KERNEL==\"video*\", ATTR{{index}}==\"0\", ATTRS{{idVendor}}==\"{vendor}\", ATTRS{{idProduct}}==\"{product}\", SYMLINK+=\"{link}\", GROUP=\"video\", MODE=\"0660\"\n\
         # USB autosuspend makes webcams drop out after idle periods: keep this one powered.\n\
         ACTION==\"add\", SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{vendor}\", ATTR{{idProduct}}==\"{product}\", TEST==\"power/control\", ATTR{{power/control}}=\"on\"\n",
        id = profile.id,
        model = profile.camera.model,
        link = CAMERA_SYMLINK.trim_start_matches("/dev/"),
    )
}

fn profile_record(profile: &HardwareProfile, text: &str, opts: &ProvisionOptions) -> String {
    let mut out = format!(
        "# Hardware profile `{}` applied by `atelier provision`",
        profile.id
    );
    if !opts.provisioned_at.is_empty() {
        out.push_str(&format!(" on {}", opts.provisioned_at));
    }
    if !opts.profile_source.is_empty() {
        out.push_str(&format!(" from {}", opts.profile_source));
    }
    out.push_str(".\n");
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
