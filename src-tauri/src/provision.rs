//! `atelier provision`: the installer's command. Reads a hardware profile, looks at this machine's
//! cameras, microphones, speakers and displays, asks `atelier_config::provision::plan` what to check
//! and write, prints progress and every change, then writes the files under `--root` (atomically,
//! each with its mode) unless `--dry-run` or a failed check says not to. The plan is pure; all the
//! IO of provisioning is here.

use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use atelier_config::provision::{
    ChangeKind, Detected, DetectedCamera, DetectedDisplay, DetectedFormat, DetectedMode, FileChange, Plan,
    ProvisionOptions, Status, plan,
};
use atelier_config::{HardwareProfile, load_profile};
use atelier_domain::CameraSource;
use atelier_media::ModeFormat;
use atelier_media::devices::{AudioClass, discover, discover_audio, usb_id};
use serde::Serialize;

mod detect;
mod report;

use detect::{calibration_stored, detect_devices, detect_displays};
use report::{change_report, print_change, print_checks, print_summary};

/// Exit code when a check failed (and `--force` was not given): nothing was written.
const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code for a profile or an option that cannot be used.
const EXIT_BAD_INPUT: u8 = 2;

/// The watchdog period the kiosk unit asks for: the kiosk sends READY=1 and then WATCHDOG=1 from
/// its UI thread every half period (`src-tauri/src/sdnotify.rs`).
const KIOSK_WATCHDOG_SECS: Option<u32> = Some(30);

/// Where the kiosk's data dir is on a provisioned machine, unless `--data-dir` says otherwise.
const DEFAULT_DATA_DIR: &str = "/var/lib/atelier";

/// `atelier provision` options.
#[derive(clap::Args, Debug)]
pub struct ProvisionArgs {
    /// A profile id from the profiles dir (e.g. mirror-43-portrait-4k) or the path of a profile file.
    #[arg(long)]
    profile: String,
    /// Where profiles are looked up by id (default: /usr/share/atelier/hardware/profiles, then the
    /// source tree's hardware/profiles).
    #[arg(long)]
    profiles_dir: Option<PathBuf>,
    /// The file system to provision: `/` for this machine, or an image's root. Every file is
    /// written under it.
    #[arg(long, default_value = "/")]
    root: PathBuf,
    /// Print every check and every change, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write to `/` without asking.
    #[arg(long)]
    yes: bool,
    /// Apply even when a check failed (e.g. building an image on another machine).
    #[arg(long)]
    force: bool,
    /// Print the final report as JSON on stdout (progress stays on stderr).
    #[arg(long)]
    json: bool,
    /// The camera to use instead of the profile's: `test` (the built-in test picture, for demos and
    /// tests), a /dev/video path, or file:PATH.
    #[arg(long)]
    camera: Option<String>,
    /// This kiosk's device id (`[kiosk] device_id`).
    #[arg(long)]
    device: Option<String>,
    /// Its store (`[kiosk] store_id`).
    #[arg(long)]
    store: Option<String>,
    /// Its fitting room, as stylists see it (`[kiosk] room`).
    #[arg(long)]
    room: Option<String>,
    /// The relay, ws://host:port/ws or wss://host/ws ("" turns it off).
    #[arg(long)]
    relay: Option<String>,
    /// A one-time enrollment code from the relay's admin page (`/admin/enroll`; needs --relay): the
    /// relay enrolls this kiosk and gives it its own key, its id, store and room. Not redeemed by
    /// --dry-run (a code works once).
    #[arg(long, requires = "relay", conflicts_with_all = ["device_key_file", "device_key_stdin"])]
    enroll_code: Option<String>,
    /// A file holding the device key from `atelier-relay enroll` (its whole output will do: the key
    /// is its last line).
    #[arg(long, conflicts_with = "device_key_stdin")]
    device_key_file: Option<PathBuf>,
    /// A file holding the store's admin PIN (4–8 digits). Only its argon2id hash is written.
    #[arg(long)]
    pin_file: Option<PathBuf>,
    /// Read the device key from stdin (e.g. piped from `atelier-relay enroll` over ssh).
    #[arg(long)]
    device_key_stdin: bool,
    /// The kiosk's system user.
    #[arg(long, default_value = "atelier")]
    user: String,
    /// The kiosk program on the provisioned system.
    #[arg(long, default_value = "/usr/bin/atelier")]
    app: String,
    /// The cage compositor on the provisioned system.
    #[arg(long, default_value = "/usr/bin/cage")]
    cage: String,
    /// The virtual terminal the kiosk session takes.
    #[arg(long, default_value_t = 1)]
    tty: u8,
}

/// What became of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum ChangeState {
    New,
    Changed,
    Unchanged,
}

#[derive(Serialize)]
struct ChangeReport<'a> {
    path: &'a str,
    /// Where it is (or would be) written: the path under the root.
    target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    symlink_to: Option<&'a str>,
    why: &'a str,
    state: ChangeState,
    written: bool,
    /// The contents with secrets hidden.
    preview: String,
}

#[derive(Serialize)]
struct CommandReport<'a> {
    command: String,
    why: &'a str,
    /// `ran`, `failed: …`, `would run`, or why it was not run.
    outcome: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    profile: &'a str,
    profile_name: &'a str,
    profile_file: String,
    root: String,
    dry_run: bool,
    /// `applied`, `dry-run`, or `refused` (a check failed; nothing written).
    result: &'static str,
    checks: &'a [atelier_config::provision::Check],
    changes: Vec<ChangeReport<'a>>,
    commands: Vec<CommandReport<'a>>,
    next_steps: &'a [String],
}

/// Progress lines on stderr, so stdout holds only the report.
struct Progress {
    step: usize,
    total: usize,
}

impl Progress {
    #[allow(clippy::print_stderr)]
    fn step(&mut self, what: &str) {
        self.step += 1;
        eprintln!("[{}/{}] {what}", self.step, self.total);
    }
}

/// `atelier provision …`; `data_dir` is the global `--data-dir`: the kiosk's data dir on the
/// provisioned system.
#[allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool's output is its product
pub fn cli(args: &ProvisionArgs, data_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut progress = Progress { step: 0, total: 6 };
    progress.step("reading the hardware profile");
    let profile_path = match resolve_profile(&args.profile, args.profiles_dir.as_deref()) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let profile = match load_profile(&profile_path) {
        Ok(p) => p,
        Err(problems) => {
            eprintln!(
                "error: the profile {} is not valid ({} problem{}):",
                profile_path.display(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            for p in &problems {
                eprintln!("  {}: {p}", profile_path.display());
            }
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let profile_text = std::fs::read_to_string(&profile_path)
        .with_context(|| format!("reading {}", profile_path.display()))?;
    eprintln!("      {} — {}", profile.id, profile.name);

    let camera = match args.camera.as_deref().map(str::parse::<CameraSource>) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            eprintln!("error: --camera: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let device_key = match read_device_key(args) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let pin = match &args.pin_file {
        None => None,
        Some(f) => match std::fs::read_to_string(f) {
            Ok(s) => Some(s.trim().to_owned()),
            Err(e) => {
                eprintln!("error: --pin-file {}: {e}", f.display());
                return Ok(ExitCode::from(EXIT_BAD_INPUT));
            }
        },
    };
    let data_dir = data_dir
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_DATA_DIR.to_owned());
    let root = &args.root;
    if !root.is_dir() {
        eprintln!("error: --root {} is not a directory", root.display());
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }

    progress.step("looking for cameras, microphones and speakers");
    let detected_devices = detect_devices(camera.as_ref());
    progress.step("looking for displays and a GPU");
    let displays = detect_displays();
    let gpus = crate::gpu::detect_here();
    progress.step(&format!("reading what is installed under {}", root.display()));
    let detected = Detected {
        displays,
        gpus,
        app_installed: is_executable(&under(root, &args.app)?),
        cage_installed: is_executable(&under(root, &args.cage)?),
        existing_config: read_if_there(&under(
            root,
            &format!("{data_dir}/{}", atelier_config::KIOSK_CONFIG_FILE),
        )?)?,
        calibration_stored: calibration_stored(&under(
            root,
            &format!("{data_dir}/{}", crate::startup::KIOSK_DB_FILE),
        )?),
        ..detected_devices
    };

    // The PIN's hash; the one already there when it is for the same PIN (a rerun changes nothing).
    let pin_hash = match pin {
        None => None,
        Some(pin) => {
            let existing = detected
                .existing_config
                .as_deref()
                .map(|text| atelier_config::parse_kiosk(text).0.admin.pin_hash)
                .unwrap_or_default()
                .filter(|h| crate::pin::pin_matches(h, &pin));
            match existing.map(Ok).unwrap_or_else(|| crate::pin::hash_pin(&pin)) {
                Ok(h) => Some(h),
                Err(e) => {
                    eprintln!("error: --pin-file: {e}");
                    return Ok(ExitCode::from(EXIT_BAD_INPUT));
                }
            }
        }
    };

    // A one-time code: the relay enrolls this kiosk now and says who it is.
    let (mut device_id, mut store_id, mut room, mut device_key) = (
        args.device.clone(),
        args.store.clone(),
        args.room.clone(),
        device_key,
    );
    if let (Some(code), Some(relay)) = (&args.enroll_code, &args.relay) {
        if args.dry_run {
            progress.step("a dry run does not redeem the enrollment code (it works once)");
        } else {
            progress.step(&format!("redeeming the enrollment code at {relay}"));
            match atelier_call::enroll_client::redeem(relay, code) {
                Ok(e) => {
                    eprintln!("  enrolled as {} in {} ({})", e.device_id, e.store_id, e.room);
                    device_id = Some(e.device_id);
                    store_id = Some(e.store_id);
                    room = Some(e.room);
                    device_key = Some(e.device_key);
                }
                Err(e) => {
                    eprintln!("error: --enroll-code: {e}");
                    return Ok(ExitCode::from(EXIT_BAD_INPUT));
                }
            }
        }
    }

    progress.step("checking the machine against the profile");
    let options = ProvisionOptions {
        user: args.user.clone(),
        app_path: args.app.clone(),
        cage_path: args.cage.clone(),
        data_dir,
        tty: args.tty,
        device_id,
        store_id,
        room,
        relay_url: args.relay.clone(),
        device_key,
        pin_hash,
        camera,
        watchdog_secs: KIOSK_WATCHDOG_SECS,
        provisioned_at: utc_now(),
        profile_source: profile_path.display().to_string(),
    };
    let plan = match plan(&profile, &profile_text, &detected, &options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    if !args.json {
        print_checks(&plan);
    }

    let real_root = root.canonicalize()? == Path::new("/");
    let refuse = plan.failed() && !args.force;
    let apply = !args.dry_run && !refuse;
    if apply && real_root && !args.yes && !confirm(plan.changes.len())? {
        eprintln!("nothing written");
        return Ok(ExitCode::from(EXIT_CHECK_FAILED));
    }
    progress.step(if apply {
        "writing the files"
    } else if args.dry_run {
        "dry run: the changes it would make"
    } else {
        "a check failed: writing nothing (--force applies anyway)"
    });
    let mut changes = Vec::new();
    for change in &plan.changes {
        let target = under(root, &change.path)?;
        let state = state_of(&target, &change.kind);
        let written = apply && state != ChangeState::Unchanged;
        if written {
            write_change(root, &target, &change.kind)
                .with_context(|| format!("writing {}", target.display()))?;
        }
        if !args.json {
            print_change(change, &target, state, apply);
        }
        changes.push(change_report(change, target, state, written));
    }
    let mut commands = Vec::new();
    for c in &plan.commands {
        let outcome = if !apply {
            "would run".to_owned()
        } else if !real_root {
            "not run: the root is not / (the provisioned system applies it at boot)".to_owned()
        } else {
            run_command(&c.argv)
        };
        if !args.json {
            println!("  $ {}   # {} — {outcome}", c.argv.join(" "), c.why);
        }
        commands.push(CommandReport {
            command: c.argv.join(" "),
            why: &c.why,
            outcome,
        });
    }

    let result = if args.dry_run {
        "dry-run"
    } else if refuse {
        "refused"
    } else {
        "applied"
    };
    let report = Report {
        profile: &profile.id,
        profile_name: &profile.name,
        profile_file: profile_path.display().to_string(),
        root: root.display().to_string(),
        dry_run: args.dry_run,
        result,
        checks: &plan.checks,
        changes,
        commands,
        next_steps: &plan.next_steps,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, &profile);
    }
    Ok(if refuse {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// A profile id or a path.
fn resolve_profile(arg: &str, dir: Option<&Path>) -> Result<PathBuf, String> {
    if arg.contains('/') || arg.ends_with(".toml") {
        let p = PathBuf::from(arg);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("no profile file at {arg}"))
        };
    }
    let dirs: Vec<PathBuf> = match dir {
        Some(d) => vec![d.to_path_buf()],
        None => vec![
            PathBuf::from("/usr/share/atelier/hardware/profiles"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../hardware/profiles"),
        ],
    };
    for d in &dirs {
        let p = d.join(format!("{arg}.toml"));
        if p.is_file() {
            return Ok(p.canonicalize().unwrap_or(p));
        }
    }
    let mut known: Vec<String> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    known.sort();
    known.dedup();
    Err(format!(
        "no profile `{arg}` (known: {}); pass a profile id or a file's path",
        if known.is_empty() {
            "none found".to_owned()
        } else {
            known.join(", ")
        }
    ))
}

/// The key from `atelier-relay enroll`: the last non-empty line of what it printed.
fn read_device_key(args: &ProvisionArgs) -> anyhow::Result<Option<String>> {
    let text = if let Some(f) = &args.device_key_file {
        std::fs::read_to_string(f).with_context(|| format!("--device-key-file {}", f.display()))?
    } else if args.device_key_stdin {
        let mut s = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut s)
            .context("--device-key-stdin")?;
        s
    } else {
        return Ok(None);
    };
    match text.lines().map(str::trim).rfind(|l| !l.is_empty()) {
        Some(k) => Ok(Some(k.to_owned())),
        None => anyhow::bail!("the device key is empty: give the output of `atelier-relay enroll`"),
    }
}

/// `path` (absolute, as on the provisioned system) under `root`. Refuses `..` so nothing lands
/// outside the root.
fn under(root: &Path, path: &str) -> anyhow::Result<PathBuf> {
    let rel = Path::new(path);
    anyhow::ensure!(
        rel.is_absolute() && rel.components().all(|c| !matches!(c, Component::ParentDir)),
        "{path} is not a plain absolute path"
    );
    Ok(root.join(rel.strip_prefix("/").unwrap_or(rel)))
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn read_if_there(p: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(p) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", p.display()))),
    }
}

#[allow(clippy::print_stderr)]
fn confirm(changes: usize) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("writing {changes} files to / needs --yes when not run at a terminal");
    }
    eprint!("write {changes} files to this machine's / ? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn state_of(target: &Path, kind: &ChangeKind) -> ChangeState {
    let same = match kind {
        ChangeKind::File { contents, mode } => {
            let meta = std::fs::symlink_metadata(target);
            if meta.is_err() {
                return ChangeState::New;
            }
            meta.is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o7777 == *mode)
                && std::fs::read_to_string(target).is_ok_and(|t| t == *contents)
        }
        ChangeKind::Symlink { target: to } => match std::fs::read_link(target) {
            Ok(t) => t == Path::new(to),
            Err(_) if std::fs::symlink_metadata(target).is_err() => return ChangeState::New,
            Err(_) => false,
        },
    };
    if same {
        ChangeState::Unchanged
    } else {
        ChangeState::Changed
    }
}

/// Writes one change atomically: a temporary file (or link) beside the target, then a rename.
fn write_change(root: &Path, target: &Path, kind: &ChangeKind) -> anyhow::Result<()> {
    let parent = target.parent().context("a target has no parent")?;
    std::fs::create_dir_all(parent)?;
    // A symlinked directory inside an image's root must not lead the write out of it.
    let real_parent = parent.canonicalize()?;
    anyhow::ensure!(
        real_parent.starts_with(root.canonicalize()?),
        "{} leads outside the root",
        parent.display()
    );
    let name = target.file_name().context("a target has no file name")?;
    let tmp = real_parent.join(format!(".{}.provision-tmp", name.to_string_lossy()));
    let _ = std::fs::remove_file(&tmp);
    match kind {
        ChangeKind::File { contents, mode } => {
            let mut f = std::fs::File::create(&tmp)?;
            f.set_permissions(std::fs::Permissions::from_mode(*mode))?;
            f.write_all(contents.as_bytes())?;
            f.sync_all()?;
        }
        ChangeKind::Symlink { target: to } => std::os::unix::fs::symlink(to, &tmp)?,
    }
    std::fs::rename(&tmp, real_parent.join(name))?;
    Ok(())
}

fn run_command(argv: &[String]) -> String {
    let Some((program, rest)) = argv.split_first() else {
        return "empty command".into();
    };
    match std::process::Command::new(program).args(rest).output() {
        Ok(out) if out.status.success() => "ran".into(),
        Ok(out) => format!(
            "failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("could not run it: {e}"),
    }
}

/// "2025-06-01 10:00 UTC", without a date crate: days since the epoch to a civil date.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{d:02} {h:02}:{m:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_under_the_root() {
        let root = Path::new("/tmp/fake");
        assert_eq!(
            under(root, "/etc/atelier/profile.toml").unwrap(),
            Path::new("/tmp/fake/etc/atelier/profile.toml")
        );
        assert!(under(root, "/etc/../../x").is_err());
        assert!(under(root, "etc/x").is_err());
    }

    #[test]
    fn the_date_is_civil() {
        let s = utc_now();
        assert_eq!(s.len(), "2025-06-01 10:00 UTC".len(), "{s}");
        assert!(s.starts_with("20"), "{s}");
    }
}
