//! The provisioning plan's tests: checks and their messages, the files and their contents.

use super::*;
use crate::{DeviceKey, parse_profile};

const MIRROR: &str = include_str!("../../../../hardware/profiles/mirror-43-portrait-4k.toml");
const TABLET: &str = include_str!("../../../../hardware/profiles/tablet-10-landscape.toml");
const KEY: &str = "k3y-from-enroll-0123456789abcdef";

fn profile(text: &str, id: &str) -> HardwareProfile {
    parse_profile(text, Some(id)).unwrap()
}

fn mirror() -> HardwareProfile {
    profile(MIRROR, "mirror-43-portrait-4k")
}

fn mode(format: DetectedFormat, width: u32, height: u32, fps: u32) -> DetectedMode {
    DetectedMode {
        format,
        width,
        height,
        fps,
    }
}

fn brio() -> DetectedCamera {
    DetectedCamera {
        name: "Logitech BRIO".into(),
        path: Some("/dev/video0".into()),
        usb_id: Some("046d:085e".into()),
        modes: vec![
            mode(DetectedFormat::Raw, 1920, 1080, 5),
            mode(DetectedFormat::Mjpeg, 1920, 1080, 60),
            mode(DetectedFormat::Mjpeg, 3840, 2160, 30),
        ],
    }
}

fn c615() -> DetectedCamera {
    DetectedCamera {
        name: "HD Webcam C615".into(),
        path: Some("/dev/video0".into()),
        usb_id: Some("046d:082c".into()),
        modes: vec![
            mode(DetectedFormat::Raw, 1920, 1080, 5),
            mode(DetectedFormat::Mjpeg, 1920, 1080, 30),
            mode(DetectedFormat::Mjpeg, 1280, 720, 30),
        ],
    }
}

/// A machine with everything the mirror profile asks for.
fn good_machine() -> Detected {
    Detected {
        cameras: Ok(vec![brio()]),
        microphones: Ok(vec!["Monitor of USB Audio".into(), "BRIO Analog Stereo".into()]),
        speakers: Ok(vec!["USB Audio Analog Stereo".into()]),
        displays: Ok(vec![DetectedDisplay {
            connector: "HDMI-A-1".into(),
            modes: vec![(3840, 2160), (1920, 1080)],
        }]),
        gpus: Ok(vec![DetectedGpu {
            node: "renderD128".into(),
            driver: Some("i915".into()),
            accessible: true,
        }]),
        app_installed: true,
        cage_installed: true,
        existing_config: None,
        calibration_stored: Some(true),
    }
}

fn options() -> ProvisionOptions {
    ProvisionOptions {
        device_id: Some("sh-01".into()),
        store_id: Some("shanghai".into()),
        room: Some("Room 3".into()),
        relay_url: Some("wss://relay.example.com/ws".into()),
        device_key: Some(KEY.into()),
        provisioned_at: "2025-06-01 10:00 UTC".into(),
        profile_source: "hardware/profiles/mirror-43-portrait-4k.toml".into(),
        ..ProvisionOptions::default()
    }
}

fn status_of<'a>(plan: &'a Plan, name: &str) -> &'a Check {
    plan.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check in {:#?}", plan.checks))
}

fn contents<'a>(plan: &'a Plan, path: &str) -> &'a str {
    match plan.changes.iter().find(|c| c.path == path).map(|c| &c.kind) {
        Some(ChangeKind::File { contents, .. }) => contents,
        other => panic!("{path}: {other:?}"),
    }
}

fn camera_message(profile: &HardwareProfile, cameras: Vec<DetectedCamera>, chosen: Option<&str>) -> Check {
    let detected = Detected {
        cameras: Ok(cameras),
        ..good_machine()
    };
    let opts = ProvisionOptions {
        camera: chosen.map(|c| c.parse().unwrap()),
        ..options()
    };
    status_of(&plan(profile, MIRROR, &detected, &opts).unwrap(), "camera").clone()
}

#[test]
fn a_matching_machine_passes_and_gets_every_file() {
    let p = plan(&mirror(), MIRROR, &good_machine(), &options()).unwrap();
    let not_passed: Vec<_> = p
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| c.name)
        .collect();
    // Only the default admin PIN is left to the store.
    assert_eq!(not_passed, ["admin-pin"], "{:#?}", p.checks);
    assert!(!p.failed());
    assert_eq!(
        status_of(&p, "camera").message,
        "found 'Logitech BRIO' (046d:085e) at /dev/video0, offering 1920×1080 30 fps"
    );
    assert_eq!(status_of(&p, "microphone").message, "found 'BRIO Analog Stereo'");
    assert_eq!(status_of(&p, "display").message, "HDMI-A-1 offers 3840×2160");
    let paths: Vec<&str> = p.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            SYSUSERS_PATH,
            PAM_PATH,
            UNIT_PATH,
            UNIT_WANTS_PATH,
            "/etc/systemd/system/getty@tty1.service",
            UDEV_RULES_PATH,
            "/var/lib/atelier/atelier.toml",
            PROFILE_RECORD_PATH,
        ]
    );
    for c in &p.changes {
        assert!(!c.why.is_empty(), "{}", c.path);
        if let ChangeKind::File { mode, .. } = c.kind {
            let want = if c.path.ends_with("atelier.toml") {
                0o600
            } else {
                0o644
            };
            assert_eq!(mode, want, "{}", c.path);
        }
    }
    assert!(
        !p.next_steps.iter().any(|s| s.contains("atelier-relay enroll")),
        "already enrolled"
    );
}

#[test]
fn the_unit_runs_atelier_in_cage_on_the_tty_and_always_restarts() {
    let p = plan(&mirror(), MIRROR, &good_machine(), &options()).unwrap();
    let unit = contents(&p, UNIT_PATH);
    for line in [
        "ExecStart=/usr/bin/cage -d -- /usr/bin/atelier --data-dir /var/lib/atelier",
        "User=atelier",
        "PAMName=atelier-kiosk",
        "TTYPath=/dev/tty1",
        "StandardInput=tty-fail",
        "StateDirectory=atelier",
        "Restart=always",
        "RestartSec=3",
        "StartLimitIntervalSec=0",
        "Type=simple",
        "WantedBy=multi-user.target",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} missing in\n{unit}");
    }
    // Honest about the watchdog: none asked for while the app does not ping.
    assert!(!unit.lines().any(|l| l.starts_with("WatchdogSec=")), "{unit}");

    let opts = ProvisionOptions {
        watchdog_secs: Some(30),
        tty: 7,
        data_dir: "/srv/atelier".into(),
        ..options()
    };
    let p = plan(&mirror(), MIRROR, &good_machine(), &opts).unwrap();
    let unit = contents(&p, UNIT_PATH);
    for line in [
        "Type=notify",
        "NotifyAccess=all",
        "WatchdogSec=30",
        "TTYPath=/dev/tty7",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} missing in\n{unit}");
    }
    // Outside /var/lib the data dir is the installer's to create: no StateDirectory.
    assert!(!unit.contains("StateDirectory="), "{unit}");
    assert!(
        p.changes
            .iter()
            .any(|c| c.path == "/etc/systemd/system/getty@tty7.service")
    );
    assert!(p.changes.iter().any(|c| c.path == "/srv/atelier/atelier.toml"));
}

#[test]
fn the_udev_rule_names_the_profiles_camera_and_keeps_it_awake() {
    let p = plan(&mirror(), MIRROR, &good_machine(), &options()).unwrap();
    let rules = contents(&p, UDEV_RULES_PATH);
    assert!(
        rules.contains(r#"SUBSYSTEM=="video4linux", KERNEL=="video*", ATTR{index}=="0", ATTRS{idVendor}=="046d", ATTRS{idProduct}=="085e", SYMLINK+="atelier-camera", GROUP="video", MODE="0660""#),
        "{rules}"
    );
    assert!(rules.contains(r#"ATTR{power/control}="on""#), "{rules}");
    let sysusers = contents(&p, SYSUSERS_PATH);
    assert!(
        sysusers.contains("u atelier - \"Atelier kiosk\" /var/lib/atelier"),
        "{sysusers}"
    );
    assert!(sysusers.contains("m atelier video"), "{sysusers}");

    // A built-in camera has no USB id: no rule, and the kiosk finds it itself.
    let tablet = profile(TABLET, "tablet-10-landscape");
    let detected = Detected {
        cameras: Ok(vec![DetectedCamera {
            name: "Integrated Camera: Integrated C".into(),
            path: Some("/dev/video2".into()),
            usb_id: None,
            modes: vec![mode(DetectedFormat::Raw, 1280, 720, 30)],
        }]),
        microphones: Ok(vec!["Internal Microphone".into()]),
        speakers: Ok(vec!["Speaker".into()]),
        displays: Ok(vec![DetectedDisplay {
            connector: "eDP-1".into(),
            modes: vec![(1920, 1200)],
        }]),
        ..good_machine()
    };
    let p = plan(&tablet, TABLET, &detected, &options()).unwrap();
    assert!(!p.failed(), "{:#?}", p.checks);
    assert!(p.changes.iter().all(|c| c.path != UDEV_RULES_PATH));
    let (c, problems) = parse_kiosk(contents(&p, "/var/lib/atelier/atelier.toml"));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(c.camera.source, CameraSource::Device("/dev/video2".into()));
    assert_eq!(c.display.orientation, Orientation::Landscape);
}

#[test]
fn the_kiosk_config_carries_the_profile_and_parses_with_the_kiosks_reader() {
    let p = plan(&mirror(), MIRROR, &good_machine(), &options()).unwrap();
    let text = contents(&p, "/var/lib/atelier/atelier.toml");
    let (c, problems) = parse_kiosk(text);
    assert!(problems.is_empty(), "{problems:?}\n{text}");
    assert_eq!(c.display.rotation_deg, 90);
    assert_eq!(c.display.orientation, Orientation::Portrait);
    assert!(c.display.mirror_glass && c.display.fullscreen);
    assert_eq!(c.camera.source, CameraSource::Device(CAMERA_SYMLINK.into()));
    assert_eq!(c.camera.rotation_deg, 0);
    assert_eq!(
        (
            c.kiosk.device_id.as_str(),
            c.kiosk.store_id.as_str(),
            c.kiosk.room.as_str()
        ),
        ("sh-01", "shanghai", "Room 3")
    );
    assert_eq!(c.relay.url, "wss://relay.example.com/ws");
    assert_eq!(c.relay.device_key.as_ref().map(DeviceKey::expose), Some(KEY));
    // The preview never shows the key or the PIN.
    let change = p
        .changes
        .iter()
        .find(|c| c.path.ends_with("atelier.toml"))
        .unwrap();
    let preview = change.preview();
    assert!(!preview.contains(KEY) && !preview.contains("2468"), "{preview}");
    assert!(preview.contains("device_key = \"(hidden)\""), "{preview}");
    assert!(preview.contains("rotation_deg = 90"), "{preview}");

    let record = contents(&p, PROFILE_RECORD_PATH);
    assert!(record.starts_with("# Hardware profile `mirror-43-portrait-4k` applied by `atelier provision` on 2025-06-01 10:00 UTC from hardware/profiles/mirror-43-portrait-4k.toml.\n"), "{record}");
    assert_eq!(
        parse_profile(record, Some("mirror-43-portrait-4k")).unwrap(),
        mirror()
    );
}

#[test]
fn an_existing_config_keeps_its_other_settings_and_every_key_round_trips() {
    let existing = "[ui]\nlanguage = \"en\"\nidle_timeout_secs = 120\n[admin]\npin = \"0420\"\n[display]\nrotation_deg = 180\n";
    let detected = Detected {
        existing_config: Some(existing.into()),
        ..good_machine()
    };
    let opts = ProvisionOptions {
        relay_url: None,
        device_key: None,
        ..options()
    };
    let p = plan(&mirror(), MIRROR, &detected, &opts).unwrap();
    let (c, problems) = parse_kiosk(contents(&p, "/var/lib/atelier/atelier.toml"));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(c.ui.language.to_string(), "en");
    assert_eq!((c.ui.idle_timeout_secs, c.admin.pin.as_str()), (120, "0420"));
    assert_eq!(c.display.rotation_deg, 90, "the profile wins over the old file");
    assert!(
        p.checks.iter().all(|c| c.name != "admin-pin"),
        "a store PIN is not warned about"
    );
    // No key given and none there: the default relay without a key.
    assert_eq!(status_of(&p, "relay").status, Status::Warn);
    assert!(
        p.next_steps
            .iter()
            .any(|s| s.contains("atelier-relay enroll --device sh-01 --store shanghai --room 'Room 3'")),
        "{:?}",
        p.next_steps
    );

    // Everything the renderer writes comes back the same.
    let (mut full, _) = parse_kiosk(
        "[relay]\ndevice_key = \"k3y-from-enroll-0123456789\"\n[kiosk]\nroom = \"3号 \\\"试衣间\\\"\"\n",
    );
    full.camera.source = CameraSource::File("/srv/clip.mp4".into());
    full.relay.url = String::new();
    let (back, problems) = parse_kiosk(&render_kiosk_toml(&full));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(back, full);
    assert_eq!(back.admin, full.admin);
    assert_eq!(back.camera, full.camera);
}

#[test]
fn a_broken_existing_config_is_rewritten_and_said_so() {
    let detected = Detected {
        existing_config: Some("[display]\norientation = \"sideways\"\n".into()),
        ..good_machine()
    };
    let p = plan(&mirror(), MIRROR, &detected, &options()).unwrap();
    let c = status_of(&p, "existing-config");
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.message.contains("line 2: `display.orientation`"),
        "{}",
        c.message
    );
}

#[test]
fn every_camera_mismatch_is_named() {
    let four_k = profile(
        &MIRROR.replace("width = 1920\nheight = 1080", "width = 3840\nheight = 2160"),
        "mirror-43-portrait-4k",
    );
    let c = camera_message(
        &four_k,
        vec![DetectedCamera {
            name: "Logitech BRIO".into(),
            ..c615()
        }],
        None,
    );
    assert_eq!(c.status, Status::Fail);
    assert_eq!(
        c.message,
        "profile wants a 3840×2160 camera at 30 fps as mjpeg; found 'Logitech BRIO' (046d:082c) at /dev/video0 with at most 1920×1080"
    );

    // The right size, too slow in the right format.
    let slow = DetectedCamera {
        modes: vec![
            mode(DetectedFormat::Raw, 1920, 1080, 5),
            mode(DetectedFormat::Mjpeg, 1920, 1080, 15),
        ],
        ..brio()
    };
    let c = camera_message(&mirror(), vec![slow], None);
    assert_eq!(
        c.message,
        "profile wants a 1920×1080 camera at 30 fps as mjpeg; found 'Logitech BRIO' (046d:085e) at /dev/video0 offering 1920×1080 only at 5 fps as raw, 15 fps as mjpeg"
    );

    let c = camera_message(&mirror(), vec![], Some("/dev/video97"));
    assert_eq!(
        c.message,
        "no camera at /dev/video97; no camera found at all (GStreamer's device monitor lists no video source)"
    );
    let c = camera_message(&mirror(), vec![], None);
    assert_eq!(c.status, Status::Fail);
    assert_eq!(
        c.message,
        "profile wants 'Logitech BRIO' (046d:085e) at 1920×1080 30 fps as mjpeg; no camera found (GStreamer's device monitor lists no video source)"
    );
    assert!(c.fix.as_deref().unwrap_or("").contains("ls /dev/video*"));

    let c = camera_message(
        &mirror(),
        vec![DetectedCamera {
            name: "HD Webcam C615".into(),
            usb_id: Some("046d:082c".into()),
            ..brio()
        }],
        None,
    );
    assert_eq!(c.status, Status::Fail);
    assert_eq!(
        c.message,
        "profile wants 'Logitech BRIO' (046d:085e) at 1920×1080 30 fps as mjpeg; found only 'HD Webcam C615' (046d:082c) at /dev/video0"
    );

    // Chosen by path: used even when it is another model, with the differences said.
    let c = camera_message(&mirror(), vec![c615()], Some("/dev/video0"));
    assert_eq!(c.status, Status::Warn);
    assert_eq!(
        c.message,
        "found 'HD Webcam C615' (046d:082c) at /dev/video0, offering 1920×1080 30 fps, but its USB id is 046d:082c, not the profile's 046d:085e, so /dev/atelier-camera will not point at it; it is not the profile's 'Logitech BRIO'"
    );
    let c = camera_message(&mirror(), vec![c615()], Some("/dev/video4"));
    assert_eq!(c.status, Status::Fail);
    assert_eq!(
        c.message,
        "no camera at /dev/video4; found 'HD Webcam C615' (046d:082c) at /dev/video0"
    );

    let c = camera_message(
        &mirror(),
        vec![DetectedCamera {
            modes: vec![],
            ..brio()
        }],
        None,
    );
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.message
            .ends_with("lists no capture modes, so 1920×1080 30 fps cannot be checked"),
        "{}",
        c.message
    );

    let c = camera_message(&mirror(), vec![], Some("test"));
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.message
            .starts_with("the built-in test picture stands in for the camera"),
        "{}",
        c.message
    );

    let detected = Detected {
        cameras: Err("the device monitor would not start".into()),
        ..good_machine()
    };
    let p = plan(&mirror(), MIRROR, &detected, &options()).unwrap();
    assert_eq!(
        status_of(&p, "camera").message,
        "could not look for cameras: the device monitor would not start"
    );
    assert!(p.failed());
}

#[test]
fn the_test_camera_goes_into_the_config_and_a_device_path_is_kept() {
    let opts = ProvisionOptions {
        camera: Some(CameraSource::Test),
        ..options()
    };
    let detected = Detected {
        cameras: Ok(vec![]),
        ..good_machine()
    };
    let p = plan(&mirror(), MIRROR, &detected, &opts).unwrap();
    assert!(!p.failed(), "{:#?}", p.checks);
    let (c, _) = parse_kiosk(contents(&p, "/var/lib/atelier/atelier.toml"));
    assert_eq!(c.camera.source, CameraSource::Test);

    let opts = ProvisionOptions {
        camera: Some(CameraSource::Device("/dev/video0".into())),
        ..options()
    };
    let detected = Detected {
        cameras: Ok(vec![DetectedCamera {
            usb_id: None,
            ..brio()
        }]),
        ..good_machine()
    };
    let p = plan(&mirror(), MIRROR, &detected, &opts).unwrap();
    let (c, _) = parse_kiosk(contents(&p, "/var/lib/atelier/atelier.toml"));
    assert_eq!(c.camera.source, CameraSource::Device("/dev/video0".into()));
}

#[test]
fn every_audio_and_display_mismatch_is_named() {
    let run = |d: Detected| plan(&mirror(), MIRROR, &d, &options()).unwrap();
    let p = run(Detected {
        microphones: Ok(vec![
            "Monitor of BRIO".into(),
            "Built-in Audio Analog Stereo".into(),
        ]),
        speakers: Ok(vec![]),
        ..good_machine()
    });
    let mic = status_of(&p, "microphone");
    assert_eq!(mic.status, Status::Fail);
    assert_eq!(
        mic.message,
        "profile wants a microphone named like 'BRIO'; found only 'Built-in Audio Analog Stereo'"
    );
    assert_eq!(
        status_of(&p, "speaker").message,
        "profile wants a speaker named like 'USB Audio'; found none"
    );
    let p = run(Detected {
        speakers: Err("no sound server".into()),
        ..good_machine()
    });
    assert_eq!(
        status_of(&p, "speaker").message,
        "profile wants a speaker named like 'USB Audio'; could not list them: no sound server"
    );
    let kiosk = profile(
        include_str!("../../../../hardware/profiles/kiosk-27-landscape.toml"),
        "kiosk-27-landscape",
    );
    let p = plan(&kiosk, "", &good_machine(), &options()).unwrap();
    assert_eq!(status_of(&p, "speaker").message, "the profile has no speaker");
    assert_eq!(status_of(&p, "speaker").status, Status::Pass);

    let p = run(Detected {
        displays: Ok(vec![DetectedDisplay {
            connector: "HDMI-A-1".into(),
            modes: vec![(1920, 1080), (1280, 720)],
        }]),
        ..good_machine()
    });
    let d = status_of(&p, "display");
    assert_eq!(d.status, Status::Fail);
    assert_eq!(
        d.message,
        "profile wants a 3840×2160 panel; found HDMI-A-1 with at most 1920×1080"
    );
    let p = run(Detected {
        displays: Ok(vec![]),
        ..good_machine()
    });
    assert_eq!(
        status_of(&p, "display").message,
        "profile wants a 3840×2160 panel; no connected display found"
    );
    let p = run(Detected {
        displays: Err("no /sys/class/drm and no xrandr".into()),
        ..good_machine()
    });
    assert_eq!(status_of(&p, "display").status, Status::Warn);

    let p = run(Detected {
        app_installed: false,
        cage_installed: false,
        calibration_stored: None,
        ..good_machine()
    });
    assert_eq!(
        status_of(&p, "kiosk-app").message,
        "/usr/bin/atelier is missing or not executable"
    );
    assert_eq!(
        status_of(&p, "cage").message,
        "/usr/bin/cage is missing: the kiosk session runs in the cage Wayland compositor"
    );
    assert_eq!(status_of(&p, "calibration").status, Status::Warn);
    assert!(p.next_steps.iter().any(|s| s.contains("Calibrate colour")));
}

#[test]
fn options_that_cannot_work_are_refused_with_the_kiosks_own_words() {
    let try_plan = |opts: ProvisionOptions| {
        plan(&mirror(), MIRROR, &good_machine(), &opts)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        try_plan(ProvisionOptions {
            data_dir: "var/lib/x".into(),
            ..options()
        }),
        "--data-dir: `var/lib/x` must be an absolute path of letters, digits, '/', '.', '_' or '-'"
    );
    assert!(
        try_plan(ProvisionOptions {
            app_path: "/usr/bin/a tel".into(),
            ..options()
        })
        .starts_with("--app:")
    );
    assert!(
        try_plan(ProvisionOptions {
            user: "Root Kiosk".into(),
            ..options()
        })
        .starts_with("--user:")
    );
    assert!(try_plan(ProvisionOptions { tty: 0, ..options() }).starts_with("--tty:"));
    let e = try_plan(ProvisionOptions {
        relay_url: Some("http://relay".into()),
        ..options()
    });
    assert!(
        e.starts_with("--relay: the relay URL must look like ws://host:port/ws"),
        "{e}"
    );
    let e = try_plan(ProvisionOptions {
        device_key: Some("short".into()),
        ..options()
    });
    assert_eq!(
        e,
        "--device-key: a device key is 16–256 characters without spaces (from `atelier-relay enroll`)"
    );
    let e = try_plan(ProvisionOptions {
        device_id: Some("sh 01".into()),
        ..options()
    });
    assert!(e.starts_with("--device: a device id is"), "{e}");
}

fn gpu(node: &str, driver: Option<&str>, accessible: bool) -> DetectedGpu {
    DetectedGpu {
        node: node.into(),
        driver: driver.map(Into::into),
        accessible,
    }
}

#[test]
fn the_gpu_check_names_the_node_a_locked_node_and_a_missing_gpu() {
    let c = gpu_check(&Ok(vec![gpu("renderD128", Some("amdgpu"), true)]), None);
    assert_eq!(c.status, Status::Pass);
    assert_eq!(
        c.message,
        "renderD128 (amdgpu): the page over the picture is composited on the GPU"
    );

    // The first one the kiosk can open counts.
    let c = gpu_check(
        &Ok(vec![
            gpu("renderD128", None, false),
            gpu("renderD129", Some("vc4"), true),
        ]),
        None,
    );
    assert_eq!(c.status, Status::Pass);
    assert!(c.message.starts_with("renderD129 (vc4)"), "{}", c.message);

    let c = gpu_check(&Ok(vec![gpu("renderD128", Some("i915"), false)]), None);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .starts_with("renderD128 (i915) is there but this user cannot open it")
    );
    assert!(c.fix.as_deref().unwrap_or_default().contains("render group"));

    let c = gpu_check(&Ok(vec![]), Some((1080, 1920)));
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.message
            .contains("lists scroll at 23 fps (43 ms frames) instead of 60"),
        "{}",
        c.message
    );
    assert!(!c.message.contains("this panel"), "{}", c.message);

    let c = gpu_check(&Err("no /sys".into()), None);
    assert_eq!(c.status, Status::Warn);
    assert_eq!(c.message, "cannot look for a GPU (no /sys)");
}

#[test]
fn a_4k_mirror_without_a_gpu_is_warned_it_has_four_times_the_pixels() {
    let detected = Detected {
        gpus: Ok(vec![]),
        ..good_machine()
    };
    let p = plan(&mirror(), MIRROR, &detected, &options()).unwrap();
    let c = status_of(&p, "gpu");
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.message
            .ends_with("this panel has 4.0× those pixels, so expect it slower still"),
        "{}",
        c.message
    );
    assert!(!p.failed(), "a warning does not stop provisioning");
}
