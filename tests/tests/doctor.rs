//! `atelier doctor` as a real process: on a machine whose camera is missing it fails with a clear
//! reason; with the test camera, a live relay and a catalog, every check that can pass does.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::path::Path;
use std::process::Command;

use atelier_tests::free_port;
use atelier_tests::kiosk::Relay;
use serde_json::Value;

fn doctor(dir: &Path, args: &[&str]) -> (i32, Vec<Value>) {
    let out = Command::new(atelier_tests::binary("atelier").unwrap())
        .arg("--data-dir")
        .arg(dir)
        .arg("doctor")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let checks: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), checks)
}

fn status<'a>(checks: &'a [Value], name: &str) -> (&'a str, &'a str) {
    let c = checks
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` check in {checks:?}"));
    (
        c["status"].as_str().unwrap_or(""),
        c["detail"].as_str().unwrap_or(""),
    )
}

#[test]
fn no_camera_is_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (code, checks) = doctor(dir.path(), &["--camera", "/dev/video97"]);
    assert_eq!(code, 1, "{checks:#?}");
    let (s, detail) = status(&checks, "camera");
    assert_eq!(s, "fail");
    assert!(
        detail.contains("/dev/video97") && detail.contains("not connected"),
        "{detail}"
    );
    let fix = checks.iter().find(|c| c["name"] == "camera").unwrap()["fix"]
        .as_str()
        .unwrap_or("");
    assert!(!fix.is_empty());
    // Nothing to encode without frames: the encoder is not claimed to work.
    assert!(checks.iter().all(|c| c["name"] != "encoder"));
    let (s, _) = status(&checks, "catalog");
    assert_eq!(s, "fail", "an empty kiosk has no catalog");
}

#[test]
fn the_test_camera_a_live_relay_and_a_catalog_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let relay_dir = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let _relay = Relay::start(port, relay_dir.path()).unwrap();
    std::fs::write(
        dir.path().join("atelier.toml"),
        format!("[relay]\nurl = \"{}\"\n", Relay::ws_url(port)),
    )
    .unwrap();
    let import = Command::new(atelier_tests::binary("atelier").unwrap())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["catalog", "import"])
        .arg(root.join("assets/demo-catalog/catalog.csv"))
        .output()
        .unwrap();
    assert!(import.status.success());
    let (code, checks) = doctor(dir.path(), &["--camera", "test"]);
    for name in [
        "config",
        "camera",
        "encoder",
        "face-detection",
        "relay",
        "catalog",
        "clock",
    ] {
        assert_eq!(status(&checks, name).0, "pass", "{name}: {checks:#?}");
    }
    // Under the test runner's Xvfb the display passes too; TURN and calibration only warn.
    assert_eq!(status(&checks, "display").0, "pass", "{checks:#?}");
    assert_eq!(status(&checks, "calibration").0, "warn");
    // The GPU check sees this machine's render nodes, and whether this user can open one.
    let render_nodes: Vec<_> = std::fs::read_dir("/dev/dri")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("renderD"))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    let usable = render_nodes
        .iter()
        .any(|p| std::fs::OpenOptions::new().read(true).write(true).open(p).is_ok());
    let (gpu, gpu_detail) = status(&checks, "gpu");
    if !render_nodes.is_empty() {
        assert_eq!(gpu, if usable { "pass" } else { "fail" }, "{gpu_detail}");
    } else {
        assert_eq!(gpu, "warn", "{gpu_detail}");
        assert!(
            gpu_detail.starts_with("no GPU (no /dev/dri/renderD*)"),
            "{gpu_detail}"
        );
    }
    // Free space is the machine's own business (a nearly full disk rightly fails): the check
    // must report it, whatever it is.
    let (_, disk) = status(&checks, "disk");
    assert!(disk.contains("GiB free"), "{disk}");
    // The exit code says whether anything failed.
    let failed = checks.iter().any(|c| c["status"] == "fail");
    assert_eq!(code, i32::from(failed), "{checks:#?}");
}
