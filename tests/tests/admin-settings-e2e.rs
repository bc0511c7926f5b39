//! The admin screen's settings on the real kiosk (tauri-driver + WebKitWebDriver under Xvfb) with
//! the real relay: a bad field is refused with its rule and changes nothing; good ones are written
//! into atelier.toml (its comment kept) and apply live — language, orientation, mirror flip,
//! features and privacy on the shopper's screens, the store and room on the relay, the relay's
//! address, a camera previewed before it is saved — and "Sync now" pulls a new catalog with
//! progress.

use std::time::Duration;

use atelier_tests::free_port;
use atelier_tests::kiosk::{Kiosk, Relay};

const PIN: &str = "4321";

fn publish(relay_dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<()> {
    let out = std::process::Command::new(atelier_tests::binary("atelier-relay")?)
        .arg("--data-dir")
        .arg(relay_dir)
        .args(["catalog", "publish"])
        .arg(file)
        .output()?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

async fn open_admin(kiosk: &Kiosk) -> anyhow::Result<()> {
    kiosk
        .long_press("[data-testid=admin-corner]", Duration::from_millis(2000))
        .await?;
    kiosk.enter_pin(PIN).await?;
    kiosk
        .element("[data-testid=settings-form]", Duration::from_secs(5))
        .await?;
    // The camera choices come from the device monitor a moment later.
    kiosk
        .present(
            "[data-testid=set-camera] [data-source=test]",
            Duration::from_secs(10),
        )
        .await
}

async fn save(kiosk: &Kiosk, want: &str) -> anyhow::Result<()> {
    kiosk.click("[data-testid=settings-save]").await?;
    kiosk
        .wait_attr(
            "[data-testid=settings-status]",
            "data-result",
            want,
            Duration::from_secs(10),
        )
        .await?;
    Ok(())
}

async fn kiosk_on_relay(relay: &Relay, store: &str, room: &str) -> anyhow::Result<bool> {
    for _ in 0..100 {
        let (_, kiosks) = atelier_tests::http_get(relay.addr, "/api/kiosks")?;
        let v: serde_json::Value = serde_json::from_str(&kiosks)?;
        let found = v
            .as_array()
            .into_iter()
            .flatten()
            .any(|k| k["deviceId"] == "demo-kiosk" && k["storeId"] == store && k["room"] == room);
        if found {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_checked_saved_and_applied_live() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let kiosk_dir = dir.path().join("kiosk");
    let relay_dir = dir.path().join("relay");
    std::fs::create_dir_all(&kiosk_dir)?;
    std::fs::create_dir_all(&relay_dir)?;
    let relay_port = free_port()?;
    let relay_url = Relay::ws_url(relay_port);
    let config_path = kiosk_dir.join("atelier.toml");
    std::fs::write(
        &config_path,
        format!(
            "# Room 3's mirror, set up by the installer.\n[ui]\nlanguage = \"en\"\n\n[relay]\nurl = \"{relay_url}\" # the store's relay\nreconnect_max_secs = 1\n\n[admin]\npin = \"{PIN}\"\n"
        ),
    )?;
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/catalog.csv");
    publish(&relay_dir, &example)?;
    let relay = Relay::start(relay_port, &relay_dir)?;

    let kiosk = Kiosk::launch(&kiosk_dir, &["--demo"]).await?;
    let result = async {
        kiosk
            .element("[data-testid=attract-screen]", Duration::from_secs(15))
            .await?;
        kiosk
            .wait_attr(
                "[data-testid=relay-status]",
                "data-state",
                "connected",
                Duration::from_secs(15),
            )
            .await?;
        assert!(kiosk_on_relay(&relay, "demo-sh", "Room 1").await?);
        kiosk
            .wait_attr(
                "[data-testid=camera-status]",
                "data-state",
                "live",
                Duration::from_secs(15),
            )
            .await?;

        open_admin(&kiosk).await?;
        // A bad store id and an empty room: refused, each with its rule, and nothing written.
        let before = std::fs::read_to_string(&config_path)?;
        kiosk.type_into("[data-testid=set-store]", "shop 2!").await?;
        kiosk.type_into("[data-testid=set-room]", "").await?;
        save(&kiosk, "invalid").await?;
        let store_err = kiosk.text("[data-testid='err-kiosk.store_id']").await?;
        assert!(store_err.starts_with("1 to 64 letters, digits"), "{store_err}");
        let room_err = kiosk.text("[data-testid='err-kiosk.room']").await?;
        assert!(room_err.starts_with("1 to 64 characters"), "{room_err}");
        assert_eq!(std::fs::read_to_string(&config_path)?, before, "nothing written");

        // A camera is previewed on the mirror before it is saved: "first camera found" finds
        // none on this machine; the test pattern comes back.
        kiosk.click("[data-testid=set-camera] [data-source=auto]").await?;
        kiosk
            .wait_attr(
                "[data-testid=camera-status]",
                "data-state",
                "disconnected",
                Duration::from_secs(10),
            )
            .await?;
        kiosk.click("[data-testid=set-preview]").await?;
        kiosk
            .wait_attr("html", "data-previewing", "on", Duration::from_secs(2))
            .await?;
        kiosk.click("[data-testid=set-camera] [data-source=test]").await?;
        kiosk
            .wait_attr(
                "[data-testid=camera-status]",
                "data-state",
                "live",
                Duration::from_secs(10),
            )
            .await?;
        kiosk.click("[data-testid=set-preview]").await?;

        // Good values everywhere.
        kiosk.type_into("[data-testid=set-store]", "sh-02").await?;
        kiosk
            .type_into("[data-testid=set-room]", "Room 7 <b>VIP</b>")
            .await?;
        kiosk.click("[data-testid=set-language-zh-CN]").await?;
        kiosk.click("[data-testid=set-orientation-landscape]").await?;
        kiosk.click("[data-testid=set-mirror-flip]").await?;
        kiosk.click("[data-testid=set-idle-plus]").await?;
        kiosk.click("[data-testid=set-privacy-snapshots]").await?;
        kiosk.click("[data-testid=set-feature-friendCalls]").await?;
        save(&kiosk, "saved").await?;

        // Written, the installer's comments kept, and read back the same by the kiosk's reader.
        let written = std::fs::read_to_string(&config_path)?;
        assert!(
            written.starts_with("# Room 3's mirror, set up by the installer.\n"),
            "{written}"
        );
        assert!(written.contains("# the store's relay"), "{written}");
        for line in [
            "store_id = \"sh-02\"",
            "room = \"Room 7 <b>VIP</b>\"",
            "language = \"zh-CN\"",
            "orientation = \"landscape\"",
            "mirror_flip = false",
            "idle_timeout_secs = 105",
            "source = \"test\"",
            "snapshots = false",
            "friend_calls = false",
            "pin = \"4321\"",
        ] {
            assert!(written.contains(line), "{line} in\n{written}");
        }
        let (config, problems) = atelier_config::parse_kiosk(&written);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.kiosk.room, "Room 7 <b>VIP</b>");

        // Live: nobody is in the room, so the language switches now; the layout turns; the
        // picture is no longer flipped; the relay sees the new store and room.
        kiosk
            .wait_attr("html", "lang", "zh-CN", Duration::from_secs(5))
            .await?;
        kiosk
            .wait_attr("html", "data-orientation", "landscape", Duration::from_secs(5))
            .await?;
        kiosk
            .wait_attr("html", "data-flip", "off", Duration::from_secs(5))
            .await?;
        assert!(
            kiosk_on_relay(&relay, "sh-02", "Room 7 <b>VIP</b>").await?,
            "the relay link restarted with the new store and room"
        );
        kiosk
            .wait_attr(
                "[data-testid=relay-status]",
                "data-state",
                "connected",
                Duration::from_secs(15),
            )
            .await?;

        // "Sync now" with progress: head office published a new version meanwhile.
        let changed = dir.path().join("catalog-v2.csv");
        let text = std::fs::read_to_string(&example)?;
        assert!(text.contains(",899.00,"), "the example's silk blouse price");
        std::fs::write(&changed, text.replace(",899.00,", ",799.00,"))?;
        publish(&relay_dir, &changed)?;
        kiosk.click("[data-testid=sync-now]").await?;
        // The sync started before may still be reported: wait for this one's result.
        let mut status = String::new();
        for _ in 0..200 {
            status = kiosk.text("[data-testid=sync-status]").await?;
            if status.starts_with("已是最新：版本 2") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(status.starts_with("已是最新：版本 2"), "{status}");
        for _ in 0..50 {
            if kiosk.text("[data-testid=admin-catalog-version]").await? == "2" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(kiosk.text("[data-testid=admin-catalog-version]").await?, "2");

        // The relay's address: empty makes a standalone mirror at once, and back again.
        kiosk.type_into("[data-testid=set-relay]", "").await?;
        save(&kiosk, "saved").await?;
        kiosk
            .wait_attr(
                "[data-testid=relay-status]",
                "data-state",
                "disabled",
                Duration::from_secs(5),
            )
            .await?;
        kiosk.type_into("[data-testid=set-relay]", "http://nope").await?;
        save(&kiosk, "invalid").await?;
        let relay_err = kiosk.text("[data-testid='err-relay.url']").await?;
        assert!(relay_err.contains("ws://"), "{relay_err}");
        kiosk.type_into("[data-testid=set-relay]", &relay_url).await?;
        save(&kiosk, "saved").await?;
        kiosk
            .wait_attr(
                "[data-testid=relay-status]",
                "data-state",
                "connected",
                Duration::from_secs(15),
            )
            .await?;
        kiosk.click("[data-testid=admin-close]").await?;

        // The shopper's screens follow the switches: no photo button, no "ask a friend"; a
        // stylist still can be asked.
        kiosk.click("[data-testid=start-button]").await?;
        kiosk
            .element("[data-testid=session-screen]", Duration::from_secs(5))
            .await?;
        kiosk
            .present("[data-testid=flattering]", Duration::from_secs(5))
            .await?;
        assert!(kiosk.absent("[data-testid=photo-take]").await, "photos are off");
        kiosk.click("[data-testid=advice-button]").await?;
        kiosk
            .present("[data-testid=ask-stylist]", Duration::from_secs(10))
            .await?;
        assert!(kiosk.absent("[data-testid=ask-friend]").await, "friend calls are off");

        // "Something not right?": a complaint as a short code, delivered to the store's report.
        kiosk.click("[data-testid=advice-back]").await?;
        kiosk.click("[data-testid=report-problem]").await?;
        kiosk.click("[data-testid=problem-wait]").await?;
        kiosk.present("[data-testid=problem-thanks]", Duration::from_secs(5)).await?;
        let relay_db = relay_dir.join("relay.sqlite");
        let delivered = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            rusqlite::Connection::open(&relay_db)
                .and_then(|c| {
                    c.query_row(
                        "SELECT COUNT(*) FROM analytics_events WHERE kind = 'complaint' AND event LIKE '%\"wait\"%'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                })
                .is_ok_and(|n| n == 1)
        });
        assert!(delivered, "the complaint reached the relay's report");
        anyhow::Ok(())
    }
    .await;
    if result.is_err() {
        kiosk.screenshot("admin-settings-failure");
        eprintln!("kiosk log:\n{}", kiosk.log_tail(60));
    }
    kiosk.close().await?;
    drop(relay);
    result
}
