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

mod checks;
mod kiosk_toml;
mod system_files;

pub use checks::gpu_check;
use checks::{audio_check, camera_check, display_check};
use kiosk_toml::kiosk_config;
pub use kiosk_toml::render_kiosk_toml;
use system_files::{PAM_SERVICE, profile_record, sysusers, udev_rules, unit};

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

/// A GPU render node found on the machine (`/dev/dri/renderD128`): what WebKit composites the
/// page on. Without one it composites in software (Mesa's llvmpipe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetectedGpu {
    /// The node's name, e.g. `renderD128`.
    pub node: String,
    /// Its kernel driver (`i915`, `amdgpu`, `panfrost`…), when the kernel says.
    pub driver: Option<String>,
    /// Whether the process that looked can open it for reading and writing (as the kiosk must).
    pub accessible: bool,
}

/// What the CLI found. Each `Err` says why it could not look (no sound server, no DRM, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub cameras: Result<Vec<DetectedCamera>, String>,
    pub microphones: Result<Vec<String>, String>,
    pub speakers: Result<Vec<String>, String>,
    pub displays: Result<Vec<DetectedDisplay>, String>,
    pub gpus: Result<Vec<DetectedGpu>, String>,
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
    checks.push(gpu_check(
        &detected.gpus,
        Some((profile.display.width_px, profile.display.height_px)),
    ));
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

#[cfg(test)]
mod tests;
