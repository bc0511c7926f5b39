//! `atelier provision` as a real process against a fake root directory: a dry run writes nothing
//! and lists every change; a real run writes exactly the kiosk session's files with their modes
//! and contents, which the kiosk's own config reader accepts; bad profiles and a missing camera are
//! refused with clear messages and a non-zero exit, writing nothing.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const KEY: &str = "k3y-from-enroll-0123456789abcdef";

fn profiles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hardware/profiles")
}

fn run(args: &[&str]) -> Output {
    Command::new(atelier_tests::binary("atelier").unwrap())
        .arg("provision")
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn check<'a>(report: &'a Value, name: &str) -> (&'a str, &'a str) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` check in {report:#}"));
    (c["status"].as_str().unwrap(), c["message"].as_str().unwrap())
}

/// A fake root holding the programs the plan checks for, as an image would before provisioning.
fn fake_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let bin = root.path().join("usr/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["atelier", "cage"] {
        std::fs::write(bin.join(name), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    root
}

/// Every file and link under `root` (relative path → mode or link target), the stubs left out.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let rel = format!("/{}", path.strip_prefix(root).unwrap().display());
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(
                    rel,
                    format!("-> {}", std::fs::read_link(&path).unwrap().display()),
                );
            } else if meta.is_dir() {
                walk(root, &path, out);
            } else if rel != "/usr/bin/atelier" && rel != "/usr/bin/cage" {
                out.insert(rel, format!("{:04o}", meta.permissions().mode() & 0o7777));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The mirror profile without its microphone and speaker: what this machine has no say in (no
/// sound card here) stays out of the way of what the test is about.
fn quiet_profile(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(profiles_dir().join("mirror-43-portrait-4k.toml")).unwrap();
    let text = text
        .replace("id = \"mirror-43-portrait-4k\"", "id = \"quiet-mirror\"")
        .replace("microphone = \"BRIO\"\n", "")
        .replace("speaker = \"USB Audio\"\n", "");
    let path = dir.join("quiet-mirror.toml");
    std::fs::write(&path, text).unwrap();
    path
}

const EXPECTED: [(&str, &str); 8] = [
    ("/etc/atelier/profile.toml", "0644"),
    ("/etc/pam.d/atelier-kiosk", "0644"),
    ("/etc/systemd/system/atelier-kiosk.service", "0644"),
    ("/etc/systemd/system/getty@tty1.service", "-> /dev/null"),
    (
        "/etc/systemd/system/multi-user.target.wants/atelier-kiosk.service",
        "-> /etc/systemd/system/atelier-kiosk.service",
    ),
    ("/etc/sysusers.d/atelier.conf", "0644"),
    ("/etc/udev/rules.d/70-atelier-camera.rules", "0644"),
    ("/var/lib/atelier/atelier.toml", "0600"),
];

#[test]
fn a_dry_run_writes_nothing_and_lists_every_change() {
    let root = fake_root();
    let out = run(&[
        "--profile",
        "mirror-43-portrait-4k",
        "--profiles-dir",
        profiles_dir().to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--camera",
        "test",
        "--dry-run",
        "--json",
    ]);
    let report = json(&out);
    assert_eq!(report["result"], "dry-run");
    let mut listed: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["written"], false, "{c:#}");
            assert_eq!(c["state"], "new", "{c:#}");
            assert!(!c["why"].as_str().unwrap().is_empty());
            c["path"].as_str().unwrap()
        })
        .collect();
    listed.sort_unstable();
    let expected: Vec<&str> = EXPECTED.iter().map(|(p, _)| *p).collect();
    assert_eq!(listed, expected);
    assert!(tree(root.path()).is_empty(), "{:?}", tree(root.path()));
    // Commands are only listed.
    assert!(
        report["commands"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["outcome"] == "would run")
    );
    // A failed check (this machine has no BRIO microphone, say) makes even a dry run exit 1.
    let failed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["status"] == "fail");
    assert_eq!(out.status.code(), Some(i32::from(failed)), "{report:#}");

    // The human form prints every file's full contents, and progress goes to stderr.
    let out = run(&[
        "--profile",
        "mirror-43-portrait-4k",
        "--profiles-dir",
        profiles_dir().to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--camera",
        "test",
        "--dry-run",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (path, _) in EXPECTED {
        assert!(
            stdout.contains(&format!("would write (new)      {}{path}", root.path().display())),
            "{path} in\n{stdout}"
        );
    }
    assert!(
        stdout.contains("      | ExecStart=/usr/bin/cage -d -- /usr/bin/atelier --data-dir /var/lib/atelier"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("[1/6] reading the hardware profile"));
    assert!(tree(root.path()).is_empty());
}

#[test]
fn a_real_run_writes_the_kiosk_session_into_the_fake_root() {
    let root = fake_root();
    let work = tempfile::tempdir().unwrap();
    let profile = quiet_profile(work.path());
    // What `atelier-relay enroll` prints; the key is its last line.
    let key_file = work.path().join("enroll.txt");
    std::fs::write(
        &key_file,
        format!("enrolled sh-01 in shanghai (Room 3)\ndevice key (shown once; give it to the kiosk, the relay keeps only its hash):\n{KEY}\n"),
    )
    .unwrap();
    // The store's admin PIN: only its hash may land on the device.
    let pin_file = work.path().join("pin.txt");
    std::fs::write(&pin_file, "80417\n").unwrap();
    let args = [
        "--profile",
        profile.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--pin-file",
        pin_file.to_str().unwrap(),
        "--camera",
        "test",
        "--device",
        "sh-01",
        "--store",
        "shanghai",
        "--room",
        "Room 3",
        "--relay",
        "ws://127.0.0.1:9/ws",
        "--device-key-file",
        key_file.to_str().unwrap(),
        "--json",
    ];
    let out = run(&args);
    let report = json(&out);
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // Only a display this machine really has and that is not the profile's can fail here.
    assert!(failed.iter().all(|n| *n == "display"), "{report:#}");
    assert_eq!(out.status.code(), Some(i32::from(!failed.is_empty())));
    let out = if failed.is_empty() {
        out
    } else {
        assert!(tree(root.path()).is_empty(), "refused, so nothing written");
        run(&[&args[..], &["--force"]].concat())
    };
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["result"], "applied");
    let (status, message) = check(&report, "camera");
    assert_eq!(status, "warn");
    assert!(
        message.starts_with("the built-in test picture stands in"),
        "{message}"
    );
    assert_eq!(check(&report, "relay").0, "pass");
    // The key is in the file and nowhere in what provision prints.
    assert!(!String::from_utf8_lossy(&out.stdout).contains(KEY));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(KEY));
    assert!(report["commands"].as_array().unwrap().iter().all(|c| {
        c["outcome"]
            .as_str()
            .unwrap()
            .starts_with("not run: the root is not /")
    }));

    // Exactly the expected files, with their modes.
    let written = tree(root.path());
    let expected: BTreeMap<String, String> = EXPECTED
        .iter()
        .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
        .collect();
    assert_eq!(written, expected);

    let read = |p: &str| std::fs::read_to_string(root.path().join(p.trim_start_matches('/'))).unwrap();
    let unit = read("/etc/systemd/system/atelier-kiosk.service");
    for line in [
        "ExecStart=/usr/bin/cage -d -- /usr/bin/atelier --data-dir /var/lib/atelier",
        "Restart=always",
        "User=atelier",
        "PAMName=atelier-kiosk",
        "TTYPath=/dev/tty1",
        "StateDirectory=atelier",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} missing in\n{unit}");
    }
    // The kiosk feeds a watchdog from its UI thread: a frozen UI is restarted, not only a crash.
    for line in ["Type=notify", "NotifyAccess=all", "WatchdogSec=30"] {
        assert!(unit.lines().any(|l| l == line), "{line} missing in\n{unit}");
    }
    let rules = read("/etc/udev/rules.d/70-atelier-camera.rules");
    assert!(
        rules.contains(
            r#"ATTRS{idVendor}=="046d", ATTRS{idProduct}=="085e", SYMLINK+="atelier-camera", GROUP="video""#
        ),
        "{rules}"
    );
    assert!(rules.contains(r#"ATTR{power/control}="on""#), "{rules}");
    let config = read("/var/lib/atelier/atelier.toml");
    for line in [
        "rotation_deg = 90",
        "orientation = \"portrait\"",
        "mirror_glass = true",
        "source = \"test\"",
        "device_id = \"sh-01\"",
        "url = \"ws://127.0.0.1:9/ws\"",
        &format!("device_key = \"{KEY}\""),
    ] {
        assert!(config.lines().any(|l| l == line), "{line} missing in\n{config}");
    }
    assert!(
        config
            .lines()
            .any(|l| l.starts_with("pin_hash = \"$argon2id$v=19$")),
        "{config}"
    );
    assert!(
        !config.contains("80417") && !config.lines().any(|l| l.starts_with("pin =")),
        "{config}"
    );
    assert!(read("/etc/atelier/profile.toml").contains("id = \"quiet-mirror\""));

    // The kiosk's own reader accepts the file: `atelier doctor` reports no config problem.
    let doctor = Command::new(atelier_tests::binary("atelier").unwrap())
        .arg("--data-dir")
        .arg(root.path().join("var/lib/atelier"))
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    let checks: Vec<Value> = serde_json::from_slice(&doctor.stdout).unwrap();
    let config_check = checks.iter().find(|c| c["name"] == "config").unwrap();
    assert_eq!(config_check["status"], "pass", "{config_check:#}");

    // Run again: nothing to change but the record's date line.
    let again = json(&run(&[&args[..], &["--force"]].concat()));
    for c in again["changes"].as_array().unwrap() {
        if c["path"] != "/etc/atelier/profile.toml" {
            assert_eq!(c["state"], "unchanged", "{c:#}");
            assert_eq!(c["written"], false);
        }
    }
}

#[test]
fn bad_profiles_are_refused_with_the_file_and_each_problem() {
    let root = fake_root();
    let work = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(profiles_dir().join("kiosk-27-landscape.toml"))
        .unwrap()
        .replace("id = \"kiosk-27-landscape\"", "id = \"broken\"")
        .replace("width_px = 1920", "width_px = \"4k\"")
        .replace("height_px = 1080", "height_px = 100")
        .replace(
            "touch = \"capacitive\"",
            "touch = \"capacitive\"\nbrightness = 80",
        );
    let path = work.path().join("broken.toml");
    std::fs::write(&path, text).unwrap();
    let out = run(&[
        "--profile",
        path.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let file = path.display().to_string();
    assert!(
        stderr.contains(&format!("error: the profile {file} is not valid (3 problems):")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{file}: line 9: `display.width_px`: expected a whole number, found string"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("`display.height_px`: 100 is out of range (320 to 8192)"),
        "{stderr}"
    );
    assert!(stderr.contains("`display.brightness`: unknown key"), "{stderr}");
    assert!(out.stdout.is_empty());

    // An unknown id names the profiles there are.
    let out = run(&[
        "--profile",
        "mirror-42",
        "--profiles-dir",
        profiles_dir().to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "no profile `mirror-42` (known: kiosk-27-landscape, mirror-43-portrait-4k, tablet-10-landscape)"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A device key the kiosk would refuse is refused here, in the kiosk's words.
    let out = Command::new(atelier_tests::binary("atelier").unwrap())
        .args([
            "provision",
            "--profile",
            "mirror-43-portrait-4k",
            "--profiles-dir",
        ])
        .arg(profiles_dir())
        .arg("--root")
        .arg(root.path())
        .args(["--device-key-stdin", "--camera", "test"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"short\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--device-key: a device key is 16–256 characters"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tree(root.path()).is_empty());
}

#[test]
fn a_missing_camera_fails_clearly_and_writes_nothing() {
    let root = fake_root();
    let work = tempfile::tempdir().unwrap();
    let profile = quiet_profile(work.path());
    let out = run(&[
        "--profile",
        profile.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--camera",
        "/dev/video97",
        "--json",
    ]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(report["result"], "refused");
    let (status, message) = check(&report, "camera");
    assert_eq!(status, "fail");
    assert!(message.starts_with("no camera at /dev/video97; "), "{message}");
    assert!(tree(root.path()).is_empty(), "{:?}", tree(root.path()));
    assert!(
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["written"] == false)
    );
}

/// One raw HTTP/1.1 POST; returns the whole answer.
fn post(addr: std::net::SocketAddr, path: &str, headers: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn an_enrollment_code_from_the_relay_gives_the_kiosk_its_identity_and_key() {
    // The real relay (demo: its admin token is public); head office makes a code on /admin/enroll.
    let relay_dir = tempfile::tempdir().unwrap();
    let port = atelier_tests::free_port().unwrap();
    let _relay = atelier_tests::kiosk::Relay::start(port, relay_dir.path()).unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let page = post(
        addr,
        "/admin/enroll",
        "Authorization: Basic eDpkZW1vLWFkbWlu\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        "device=sh-07&store=shanghai&room=Room+7",
    );
    let code = page
        .split("<p class=code>")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no code in {page}"))
        .to_owned();

    let root = fake_root();
    let work = tempfile::tempdir().unwrap();
    let profile = quiet_profile(work.path());
    let relay = format!("ws://127.0.0.1:{port}/ws");
    let base = [
        "--profile",
        profile.to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--camera",
        "test",
        "--relay",
        &relay,
        "--enroll-code",
        &code,
        "--force",
    ];
    // A dry run does not spend the code.
    let dry = run(&[&base[..], &["--dry-run"]].concat());
    assert!(
        String::from_utf8_lossy(&dry.stderr).contains("does not redeem the enrollment code"),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let out = run(&base);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("enrolled as sh-07 in shanghai (Room 7)"),
        "{stderr}"
    );
    let config = std::fs::read_to_string(root.path().join("var/lib/atelier/atelier.toml")).unwrap();
    for line in [
        "device_id = \"sh-07\"",
        "store_id = \"shanghai\"",
        "room = \"Room 7\"",
    ] {
        assert!(config.lines().any(|l| l == line), "{line} missing in\n{config}");
    }
    assert!(
        config
            .lines()
            .any(|l| l.starts_with("device_key = \"") && l.len() > 50),
        "{config}"
    );
    // The code worked once.
    let again = run(&base);
    assert_eq!(
        again.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("refused the code"));
}
