//! The kiosk's camera end to end, in the real app under WebKitWebDriver: the demo clip plays as
//! the camera, the garment tags it shows bring their product cards in (QR, then EAN-13), a hand
//! scanner's typed code does the same, photos are taken and compared and erased with the session,
//! and nothing the camera saw is written to disk.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use atelier_tests::kiosk::Kiosk;

fn demo_asset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets").join(rel)
}

/// Every file under `root`: size and modification time.
fn files(root: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(p),
                Ok(m) => {
                    out.insert(p, (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
                }
                Err(_) => {}
            }
        }
    }
    out
}

/// Whether a file holds a picture or video (JPEG, PNG, MP4/MOV, Matroska/WebM, raw H.264).
fn looks_like_media(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let head = &bytes[..bytes.len().min(16)];
    head.starts_with(&[0xff, 0xd8, 0xff])
        || head.starts_with(b"\x89PNG")
        || head.get(4..8) == Some(b"ftyp")
        || head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3])
        || head.starts_with(&[0, 0, 0, 1, 0x67])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_photos_and_privacy_with_the_demo_clip() -> anyhow::Result<()> {
    let clip = demo_asset("demo-clip/fitting-room.mp4");
    assert!(
        clip.is_file(),
        "the demo clip is missing: cargo run -p atelier-tests --bin gen-demo-clip"
    );
    let root = tempfile::tempdir()?;
    let kiosk_dir = root.path().join("kiosk");
    let (home, tmp, cache) = (
        root.path().join("home"),
        root.path().join("tmp"),
        root.path().join("cache"),
    );
    for d in [&kiosk_dir, &home, &tmp, &cache] {
        std::fs::create_dir_all(d)?;
    }
    let import = std::process::Command::new(atelier_tests::binary("atelier")?)
        .arg("--data-dir")
        .arg(&kiosk_dir)
        .args(["catalog", "import"])
        .arg(demo_asset("demo-catalog/catalog.csv"))
        .output()?;
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let before = files(root.path());

    let source = format!("file:{}", clip.display());
    let kiosk = Kiosk::launch_with_env(
        &kiosk_dir,
        &["--demo"],
        &[
            ("ATELIER_DEMO_CAMERA", OsStr::new(&source)),
            ("HOME", home.as_os_str()),
            ("TMPDIR", tmp.as_os_str()),
            ("XDG_CACHE_HOME", cache.as_os_str()),
        ],
    )
    .await?;
    let result = async {
        kiosk
            .wait_attr("[data-testid=camera-status]", "data-state", "live", Duration::from_secs(20))
            .await?;

        // The clip shows a QR tag (TOP-001) at 2 s: its card slides in and a session starts.
        kiosk
            .wait_attr(
                "[data-testid=tag-panel] [data-testid=product-card]",
                "data-sku",
                "TOP-001",
                Duration::from_secs(15),
            )
            .await?;
        kiosk.element("[data-testid=session-screen]", Duration::from_secs(5)).await?;
        let via = kiosk
            .element("[data-testid=tag-panel]", Duration::from_secs(1))
            .await?
            .attr("data-via")
            .await?;
        assert_eq!(via.as_deref(), Some("camera"));
        // Then an EAN-13 tag (DRE-001).
        kiosk
            .wait_attr(
                "[data-testid=tag-panel] [data-testid=product-card]",
                "data-sku",
                "DRE-001",
                Duration::from_secs(15),
            )
            .await?;

        // A hand scanner types a GTIN and Enter.
        let body = kiosk.element("body", Duration::from_secs(2)).await?;
        body.send_keys("2000000000015\u{E007}").await?;
        kiosk
            .wait_attr("[data-testid=tag-panel]", "data-via", "scanner", Duration::from_secs(5))
            .await?;
        let sku = kiosk
            .element("[data-testid=tag-panel] [data-testid=product-card]", Duration::from_secs(2))
            .await?
            .attr("data-sku")
            .await?;
        assert_eq!(sku.as_deref(), Some("TOP-001"));
        // An unknown code gets a friendly message.
        body.send_keys("9780000000002\u{E007}").await?;
        kiosk.element("[data-testid=tag-unknown]", Duration::from_secs(5)).await?;

        // Two photos, compared side by side.
        kiosk.click("[data-testid=photo-take]").await?;
        kiosk.element("[data-testid=photo]", Duration::from_secs(5)).await?;
        kiosk.click("[data-testid=photo-take]").await?;
        kiosk
            .element("[data-testid=photo]:nth-child(2)", Duration::from_secs(5))
            .await?;
        kiosk.click("[data-testid=photo]:nth-child(1)").await?;
        kiosk.click("[data-testid=photo]:nth-child(2)").await?;
        kiosk.click("[data-testid=photo-compare]").await?;
        kiosk.element("[data-testid=compare] img", Duration::from_secs(5)).await?;
        let url = kiosk
            .element("[data-testid=compare] img", Duration::from_secs(1))
            .await?
            .attr("src")
            .await?
            .unwrap_or_default();
        assert!(url.starts_with("img://localhost/snap/"), "{url}");
        let status = |url: String| {
            let kiosk = &kiosk;
            async move {
                let v = kiosk
                    .client
                    .execute_async(
                        // As the page loads pictures (the CSP allows img: for images only).
                        "const [u, done] = arguments; const i = new Image(); \
                         i.onload = () => done(200); i.onerror = () => done(404); i.src = u + '?t=' + Date.now();",
                        vec![url.into()],
                    )
                    .await?;
                anyhow::Ok(v.as_i64().unwrap_or(-2))
            }
        };
        assert_eq!(status(url.clone()).await?, 200, "the photo is shown, from memory");

        // The flattering light switches on.
        kiosk.click("[data-testid=compare] button").await?;
        kiosk.click("[data-testid=flattering]").await?;
        kiosk
            .wait_attr("[data-testid=flattering]", "aria-pressed", "true", Duration::from_secs(5))
            .await?;

        // Looks for you: built around the garments scanned from the clip, in stock here.
        kiosk.click("[data-testid=looks-button]").await?;
        let first = kiosk.element("[data-testid=look]", Duration::from_secs(10)).await?;
        let skus = {
            let mut v = Vec::new();
            for item in first.find_all(fantoccini::Locator::Css(".look-item")).await? {
                v.push(item.attr("data-sku").await?.unwrap_or_default());
            }
            v
        };
        assert!(
            skus.iter().any(|s| s == "DRE-001" || s == "TOP-001"),
            "the first look is built around a scanned garment: {skus:?}"
        );
        let reason = kiosk.text("[data-testid=look] [data-testid=look-reason]").await?;
        assert!(!reason.is_empty());
        kiosk.click("[data-testid=look] [data-testid=bring-me]").await?;
        kiosk
            .wait_attr("[data-testid=look] [data-testid=bring-me]", "disabled", "true", Duration::from_secs(5))
            .await?;
        kiosk.click("[data-testid=looks-back]").await?;

        // Ending the session erases the photos: the URL no longer resolves.
        kiosk.click("[data-testid=end-session]").await?;
        kiosk.element("[data-testid=attract-screen]", Duration::from_secs(5)).await?;
        assert_eq!(status(url).await?, 404, "the photo is gone with the session");
        anyhow::Ok(())
    }
    .await;
    let closed = kiosk.close().await;
    result?;
    closed?;

    // The "bring me this" request waits in the outbox for the staff page.
    let db = rusqlite::Connection::open(kiosk_dir.join("kiosk.sqlite"))?;
    let queued: i64 = db.query_row("SELECT COUNT(*) FROM outbox WHERE kind = 'bring_me'", [], |r| {
        r.get(0)
    })?;
    assert_eq!(queued, 1);
    // And the kiosk learned from it: the first look was shown, and asked for is as good as tried
    // (its pair weights grew), kept across restarts in SQLite.
    let tried: f64 = db.query_row("SELECT COALESCE(MAX(reward), 0) FROM learned_pairs", [], |r| {
        r.get(0)
    })?;
    let shown: i64 = db.query_row("SELECT COALESCE(SUM(shows), 0) FROM learned_pairs", [], |r| {
        r.get(0)
    })?;
    assert!(
        tried >= 0.5,
        "a look asked for counts as tried: max pair reward {tried}"
    );
    assert!(shown > 0, "looks in view count as shown");

    // Privacy: while the camera ran, scanned tags and took photos, no picture or video was
    // written anywhere the app could write (its data dir, HOME, TMPDIR, cache). Catalog
    // images (display-ready product pictures made at import) are the only images on disk.
    let after = files(root.path());
    let images_dir = kiosk_dir.join("images");
    let mut written = Vec::new();
    for (path, meta) in &after {
        if before.get(path) == Some(meta) || path.starts_with(&images_dir) {
            continue;
        }
        if path.extension().is_some_and(|e| e == "log") {
            continue;
        }
        written.push(path.clone());
        assert!(
            !looks_like_media(path),
            "a picture or video was written: {}",
            path.display()
        );
        assert!(
            meta.0 < 8 * 1024 * 1024,
            "a large file appeared while the camera ran: {} ({} bytes)",
            path.display(),
            meta.0
        );
    }
    eprintln!("files written while the camera ran (none is media): {written:#?}");
    Ok(())
}
