//! The kiosk's atelier.toml: from the profile, the options and the file already there.

use super::*;

/// A TOML string literal, escaped.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

pub(super) fn kiosk_config(
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
