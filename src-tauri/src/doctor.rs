//! `atelier doctor`: a self-test for installers and support. Each check says pass, warn or fail,
//! what it saw, and for anything short of pass what to do. Exit code 0 unless a check failed.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atelier_domain::CameraSource;
use atelier_media::{Camera, EncoderBranch, SourceConfig, default_presence};
use serde::Serialize;

use crate::startup::KIOSK_DB_FILE;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// What was seen.
    pub detail: String,
    /// What to do, when not a pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

fn check(name: &'static str, status: Status, detail: impl Into<String>, fix: Option<&str>) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
        fix: fix.map(str::to_owned),
    }
}

/// Free space below this fails; below `DISK_WARN` warns.
const DISK_FAIL: u64 = 500 << 20;
const DISK_WARN: u64 = 2 << 30;
/// A catalog older than this warns.
const CATALOG_STALE: Duration = Duration::from_secs(7 * 24 * 3600);

/// Runs every check. `camera` overrides the configured source (e.g. `test`).
pub fn run(data_dir: &Path, camera: Option<&str>) -> Vec<Check> {
    let (config, problems) = atelier_config::load(
        &data_dir.join(atelier_config::KIOSK_CONFIG_FILE),
        atelier_config::parse_kiosk,
    );
    let mut out = Vec::new();
    out.push(if problems.is_empty() {
        check("config", Status::Pass, "atelier.toml has no problems", None)
    } else {
        check(
            "config",
            Status::Warn,
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            Some("fix the keys named (each kept its default meanwhile)"),
        )
    });
    let source = match camera {
        Some(s) => s.parse::<CameraSource>().map_err(|e| e.to_string()),
        None => Ok(config.camera.source.clone()),
    };
    match source {
        Ok(s) => out.extend(camera_checks(s, config.camera.rotation_deg)),
        Err(e) => out.push(check(
            "camera",
            Status::Fail,
            format!("bad camera source: {e}"),
            Some("use auto, test, a /dev/video path or file:PATH"),
        )),
    }
    out.push(face_detection());
    out.push(display());
    out.push(gpu());
    out.push(relay(&config.relay.url));
    out.push(check(
        "turn",
        Status::Warn,
        "no TURN server configured: calls work on the store's network only",
        Some("calls across networks need TURN; it arrives with the calls feature"),
    ));
    out.extend(catalog(data_dir));
    out.push(disk(data_dir));
    out.push(clock());
    out
}

fn camera_checks(source: CameraSource, rotation_deg: u16) -> Vec<Check> {
    let resolved = match source {
        CameraSource::Auto => match crate::camera::resolve(CameraSource::Auto) {
            Some(s) => s,
            None => {
                return vec![check(
                    "camera",
                    Status::Fail,
                    "no camera found (GStreamer's device monitor lists no video source, and no /dev/video node)",
                    Some(
                        "plug the camera in (USB 3 port for 4K), check `ls /dev/video*` and that the kiosk user is in the `video` group",
                    ),
                )];
            }
        },
        other => other,
    };
    let label = resolved.to_string();
    if let Err(e) = atelier_media::init() {
        return vec![check(
            "camera",
            Status::Fail,
            e.to_string(),
            Some("install GStreamer (scripts/ensure-system-deps.sh)"),
        )];
    }
    let faults = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let f2 = faults.clone();
    let cam = match Camera::new(default_presence(), move |e| {
        if let atelier_media::CameraEvent::Fault(f) = e {
            crate::state::lock(&f2).push(format!("{:?} in {}: {}", f.kind, f.element, f.message));
        }
    }) {
        Ok(c) => c,
        Err(e) => {
            return vec![check(
                "camera",
                Status::Fail,
                e.to_string(),
                Some("install GStreamer's plugins (scripts/ensure-system-deps.sh)"),
            )];
        }
    };
    if let Err(e) = cam.attach(SourceConfig {
        source: resolved,
        mode: None,
        rotation_deg,
    }) {
        return vec![check(
            "camera",
            Status::Fail,
            format!("{label}: {e}"),
            Some("check the camera source in atelier.toml"),
        )];
    }
    let started = Instant::now();
    let f0 = cam.frames();
    while started.elapsed() < Duration::from_secs(5) && cam.frames() < f0 + 30 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let frames = cam.frames() - f0;
    let secs = started.elapsed().as_secs_f64();
    let mut out = Vec::new();
    if frames == 0 {
        let why = crate::state::lock(&faults)
            .last()
            .cloned()
            .unwrap_or_else(|| "no frame in 5 s".into());
        out.push(check(
            "camera",
            Status::Fail,
            format!("{label}: {why}"),
            Some("check the cable and that no other program holds the camera (`fuser /dev/video*`)"),
        ));
        return out;
    }
    let fps = frames as f64 / secs;
    out.push(check(
        "camera",
        if fps >= 20.0 { Status::Pass } else { Status::Warn },
        format!("{label}: {frames} frames in {secs:.1} s ({fps:.0} fps)"),
        (fps < 20.0).then_some("a slow camera: use a USB 3 port or a smaller mode in the hardware profile"),
    ));
    let encoded = Arc::new(AtomicU64::new(0));
    let e2 = encoded.clone();
    let enc = cam.start_encoder(
        EncoderBranch {
            bitrate_kbps: 1500,
            keyframe_interval: Duration::from_secs(2),
            max_height: 720,
        },
        move |f| {
            if f.keyframe {
                e2.fetch_add(1, Ordering::Relaxed);
            }
        },
    );
    let started = Instant::now();
    while enc.is_ok() && started.elapsed() < Duration::from_secs(5) && encoded.load(Ordering::Relaxed) == 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    cam.stop_encoder();
    out.push(match enc {
        Err(e) => check(
            "encoder",
            Status::Fail,
            e.to_string(),
            Some("install gstreamer1.0-plugins-ugly (x264enc)"),
        ),
        Ok(()) if encoded.load(Ordering::Relaxed) > 0 => check(
            "encoder",
            Status::Pass,
            format!("H.264 keyframe after {} ms", started.elapsed().as_millis()),
            None,
        ),
        Ok(()) => check(
            "encoder",
            Status::Fail,
            "no H.264 frame in 5 s",
            Some("the machine may be overloaded; check `top`"),
        ),
    });
    out
}

fn face_detection() -> Check {
    let ok = atelier_media::init().is_ok() && gstreamer::ElementFactory::find("facedetect").is_some();
    let cascade = Path::new("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml").is_file();
    if ok && cascade {
        check(
            "face-detection",
            Status::Pass,
            "facedetect and the frontal-face cascade are installed",
            None,
        )
    } else {
        check(
            "face-detection",
            Status::Fail,
            "skin analysis cannot find faces: facedetect or its cascade is missing",
            Some("apt-get install gstreamer1.0-opencv opencv-data"),
        )
    }
}

fn display() -> Check {
    match (std::env::var("WAYLAND_DISPLAY"), std::env::var("DISPLAY")) {
        (Ok(w), _) if !w.is_empty() => check("display", Status::Pass, format!("Wayland display {w}"), None),
        (_, Ok(x)) if !x.is_empty() => check("display", Status::Pass, format!("X display {x}"), None),
        _ => check(
            "display",
            Status::Fail,
            "no display (neither WAYLAND_DISPLAY nor DISPLAY is set)",
            Some("run the kiosk in its session (cage) or under X; over SSH this check cannot see the screen"),
        ),
    }
}

/// Whether the page can be composited on a GPU, as this user (the kiosk's, when run as the next
/// steps of `atelier provision` say).
fn gpu() -> Check {
    let c = atelier_config::provision::gpu_check(&crate::gpu::detect_here(), None);
    let status = match c.status {
        atelier_config::provision::Status::Pass => Status::Pass,
        atelier_config::provision::Status::Warn => Status::Warn,
        atelier_config::provision::Status::Fail => Status::Fail,
    };
    Check {
        name: c.name,
        status,
        detail: c.message,
        fix: c.fix,
    }
}

/// `ws://host:port/...` or `http://host:port` → host:port.
fn host_port(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split('/').next()?;
    if hostport.is_empty() {
        return None;
    }
    Some(if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:80")
    })
}

fn relay(url: &str) -> Check {
    let Some(hp) = host_port(url) else {
        return check(
            "relay",
            Status::Fail,
            format!("`{url}` is not a relay address"),
            Some("set [relay] url in atelier.toml"),
        );
    };
    let started = Instant::now();
    let result = (|| -> std::io::Result<String> {
        let addr = hp
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| std::io::Error::other("no address"))?;
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(3))?;
        s.set_read_timeout(Some(Duration::from_secs(3)))?;
        write!(s, "GET /healthz HTTP/1.0\r\nHost: {hp}\r\n\r\n")?;
        let mut body = String::new();
        s.take(64 * 1024).read_to_string(&mut body)?;
        Ok(body)
    })();
    match result {
        Ok(body) if body.starts_with("HTTP/1.1 200") || body.starts_with("HTTP/1.0 200") => check(
            "relay",
            Status::Pass,
            format!("{url} answers in {} ms", started.elapsed().as_millis()),
            None,
        ),
        Ok(body) => check(
            "relay",
            Status::Fail,
            format!("{url} answered: {}", body.lines().next().unwrap_or("nothing")),
            Some("is that address an Atelier relay?"),
        ),
        Err(e) => check(
            "relay",
            Status::Fail,
            format!("{url}: {e}"),
            Some("check the network and [relay] url; the kiosk keeps working offline meanwhile"),
        ),
    }
}

fn catalog(data_dir: &Path) -> Vec<Check> {
    let path = data_dir.join(KIOSK_DB_FILE);
    let conn = match atelier_store::open(&path, &atelier_store::KIOSK_MIGRATIONS) {
        Ok(c) => c,
        Err(e) => {
            return vec![check(
                "catalog",
                Status::Fail,
                format!("{}: {e}", path.display()),
                Some("check the data dir's permissions and free space"),
            )];
        }
    };
    let products: i64 = conn
        .query_row("SELECT COUNT(*) FROM products", [], |r| r.get(0))
        .unwrap_or(0);
    let (version, synced) = atelier_store::sync::status(&conn).unwrap_or((0, None));
    let calibrated = atelier_store::Settings::new(&conn)
        .get(crate::commands::skin::CALIBRATION_KEY)
        .ok()
        .flatten()
        .is_some();
    let mut out = Vec::new();
    out.push(if products == 0 {
        check(
            "catalog",
            Status::Fail,
            "no products",
            Some("`atelier catalog sync`, or `atelier catalog import FILE`"),
        )
    } else {
        let age = synced.map(|t| now_unix().saturating_sub(t));
        match age {
            Some(a) if Duration::from_secs(u64::try_from(a).unwrap_or(0)) > CATALOG_STALE => check(
                "catalog",
                Status::Warn,
                format!(
                    "{products} products, version {version}, synced {} days ago",
                    a / 86_400
                ),
                Some("`atelier catalog sync` (is the relay reachable?)"),
            ),
            Some(a) => check(
                "catalog",
                Status::Pass,
                format!(
                    "{products} products, version {version}, synced {} h ago",
                    a / 3600
                ),
                None,
            ),
            None => check(
                "catalog",
                Status::Pass,
                format!("{products} products, imported (never synced)"),
                None,
            ),
        }
    });
    out.push(if calibrated {
        check(
            "calibration",
            Status::Pass,
            "the camera is colour-calibrated",
            None,
        )
    } else {
        check(
            "calibration",
            Status::Warn,
            "the camera is not colour-calibrated: skin analysis reports low confidence",
            Some("admin → Camera → Calibrate colour, with a ColorChecker in the room's light"),
        )
    });
    out
}

/// Free bytes on the file system holding `path`, by POSIX `df -Pk` (coreutils is always there).
fn free_bytes(path: &Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .arg("-Pk")
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.lines().nth(1)?.split_whitespace().collect();
    let kib: u64 = fields.get(3)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

fn disk(data_dir: &Path) -> Check {
    let Some(free) = free_bytes(data_dir) else {
        return check(
            "disk",
            Status::Warn,
            format!("cannot read free space of {}", data_dir.display()),
            None,
        );
    };
    let gib = free as f64 / f64::from(1u32 << 30);
    let status = if free < DISK_FAIL {
        Status::Fail
    } else if free < DISK_WARN {
        Status::Warn
    } else {
        Status::Pass
    };
    check(
        "disk",
        status,
        format!("{gib:.1} GiB free for {}", data_dir.display()),
        (status != Status::Pass).then_some("free space: catalog images and the database need room to sync"),
    )
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn clock() -> Check {
    // 2025-01-01: a clock before this was never set (a board without a battery and no NTP).
    if now_unix() < 1_735_689_600 {
        check(
            "clock",
            Status::Fail,
            "the system clock is in the past",
            Some("enable time sync (`timedatectl set-ntp true`): invites and TURN credentials expire by it"),
        )
    } else {
        check("clock", Status::Pass, "the system clock is set", None)
    }
}

/// `atelier doctor [--camera SOURCE] [--json]`.
#[allow(clippy::print_stdout)] // a command-line tool's output is its product
pub fn cli(data_dir: &Path, camera: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let checks = run(data_dir, camera);
    if json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        for c in &checks {
            let tag = match c.status {
                Status::Pass => "PASS",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            println!("{tag}  {:<15} {}", c.name, c.detail);
            if let Some(fix) = &c.fix {
                println!("      {:<15} → {fix}", "");
            }
        }
        let count = |s| checks.iter().filter(|c| c.status == s).count();
        println!(
            "\n{} passed, {} warnings, {} failed",
            count(Status::Pass),
            count(Status::Warn),
            count(Status::Fail)
        );
    }
    Ok(if checks.iter().any(|c| c.status == Status::Fail) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
