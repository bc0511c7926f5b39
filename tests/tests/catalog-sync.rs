//! Head office publishes to the real relay; the real kiosk binary pulls deltas over HTTP.
//! A sync killed mid-way leaves the old catalog in place and resumes where it stopped.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use atelier_tests::kiosk::Relay;
use atelier_tests::{binary, catalog_gen, free_port};

fn run(bin: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<String> {
    let out = Command::new(binary(bin)?).args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "{bin} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn publish(relay_dir: &Path, file: &Path) -> anyhow::Result<String> {
    run(
        "atelier-relay",
        &[
            "--data-dir".as_ref(),
            relay_dir.as_os_str(),
            "catalog".as_ref(),
            "publish".as_ref(),
            file.as_os_str(),
        ],
    )
}

fn sync(kiosk_dir: &Path, port: u16) -> anyhow::Result<String> {
    let relay = format!("ws://127.0.0.1:{port}/ws");
    run(
        "atelier",
        &[
            "--data-dir".as_ref(),
            kiosk_dir.as_os_str(),
            "catalog".as_ref(),
            "sync".as_ref(),
            "--relay".as_ref(),
            relay.as_ref(),
        ],
    )
}

fn count(db: &Path, sql: &str) -> anyhow::Result<i64> {
    Ok(rusqlite::Connection::open(db)?.query_row(sql, [], |r| r.get(0))?)
}

#[test]
fn publish_then_pull_only_what_changed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay_dir, kiosk_dir) = (dir.path().join("relay"), dir.path().join("kiosk"));
    std::fs::create_dir_all(&relay_dir)?;
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/catalog.csv");
    assert!(publish(&relay_dir, &example)?.starts_with("catalog version 1 · changed 4 · deleted 0"));
    let port = free_port()?;
    let _relay = Relay::start(port, &relay_dir)?;
    let db = kiosk_dir.join("kiosk.sqlite");

    let first = sync(&kiosk_dir, port)?;
    assert!(
        first.starts_with("catalog version 1 · pulled 4 changes"),
        "{first}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM variants")?, 4);

    // Head office changes a price (3 variants of one product), drops the chinos, adds a skirt.
    let text = std::fs::read_to_string(&example)?;
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| l.replace("899.00", "799.00"))
        .filter(|l| !l.starts_with("M-CHN-0002"))
        .collect();
    lines.push("W-SKT-0009,Pleated skirt,百褶裙,skirt,women,,,,,,all,399,CNY,W-SKT-0009-BK-S,Black,黑色,16 0 0,S,demo-sh:2,".into());
    let second_file = dir.path().join("v2.csv");
    std::fs::write(&second_file, lines.join("\n") + "\n")?;
    assert!(
        publish(&relay_dir, &second_file)?
            .starts_with("catalog version 2 · changed 4 · deleted 1 · unchanged 0")
    );

    let second = sync(&kiosk_dir, port)?;
    assert!(
        second.starts_with("catalog version 2 · pulled 5 changes · 4 variants updated · 1 removed"),
        "{second}"
    );
    assert_eq!(
        count(&db, "SELECT price_minor FROM products WHERE sku = 'W-BLS-0001'")?,
        79900
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM products WHERE sku = 'M-CHN-0002'")?,
        0,
        "removed product is gone"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM variants")?, 4);

    let third = sync(&kiosk_dir, port)?;
    assert!(
        third.starts_with("catalog version 2 · pulled 0 changes"),
        "{third}"
    );
    Ok(())
}

#[test]
fn a_killed_sync_keeps_the_old_catalog_and_resumes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay_dir, kiosk_dir) = (dir.path().join("relay"), dir.path().join("kiosk"));
    std::fs::create_dir_all(&relay_dir)?;
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/catalog.csv");
    publish(&relay_dir, &example)?;
    let port = free_port()?;
    let relay = Relay::start(port, &relay_dir)?;
    sync(&kiosk_dir, port)?;
    drop(relay);

    // A big new catalog: 25k products × 4 variants replace the example.
    let big = dir.path().join("big.csv");
    catalog_gen::write_csv(&big, 25_000, 3, 0, 0)?;
    publish(&relay_dir, &big)?;
    let _relay = Relay::start(port, &relay_dir)?;
    let db = kiosk_dir.join("kiosk.sqlite");

    let mut child = Command::new(binary("atelier")?)
        .args(["--data-dir".as_ref(), kiosk_dir.as_os_str()])
        .args(["catalog", "sync", "--relay", &format!("ws://127.0.0.1:{port}/ws")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let started = Instant::now();
    let mut staged = 0;
    while started.elapsed() < Duration::from_secs(60) {
        staged = count(&db, "SELECT COUNT(*) FROM sync_staging").unwrap_or(0);
        if staged >= 5_000 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill()?; // SIGKILL, mid-pull
    let _ = child.wait();
    assert!(staged >= 5_000, "the sync never got going");

    // The old catalog, whole; nothing of the new one applied yet.
    let conn = rusqlite::Connection::open(&db)?;
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM variants")?,
        4,
        "still the old catalog"
    );
    let staged_after_kill = count(&db, "SELECT COUNT(*) FROM sync_staging")?;
    assert!(staged_after_kill > 0 && staged_after_kill < 100_005);
    drop(conn);

    // Run again: it resumes after what was staged, then applies everything at once.
    let out = Command::new(binary("atelier")?)
        .args(["--data-dir".as_ref(), kiosk_dir.as_os_str()])
        .args(["catalog", "sync", "--relay", &format!("ws://127.0.0.1:{port}/ws")])
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("resuming an interrupted sync"), "{stderr}");
    let pulled_now: i64 = stdout
        .split("pulled ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1);
    assert_eq!(
        pulled_now + staged_after_kill,
        100_004,
        "4 deletions + 100k rows, each pulled once: {stdout}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM variants")?, 100_000);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sync_staging")?, 0);
    Ok(())
}

#[test]
fn published_images_reach_the_kiosk_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay_dir, kiosk_dir, hq) = (
        dir.path().join("relay"),
        dir.path().join("kiosk"),
        dir.path().join("hq"),
    );
    std::fs::create_dir_all(hq.join("images"))?;
    std::fs::create_dir_all(&relay_dir)?;
    image::RgbImage::from_pixel(600, 750, image::Rgb([90, 120, 180])).save(hq.join("images/a.png"))?;
    let csv = hq.join("catalog.csv");
    std::fs::write(
        &csv,
        "sku,name_en,name_zh,category,gender,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images\n\
         A,Shirt,衬衫,top,men,all,199,CNY,A-M,Blue,蓝,50 0 -30,M,demo-sh:1,images/a.png\n\
         B,Shirt,衬衫,top,men,all,199,CNY,B-M,Blue,蓝,50 0 -30,M,demo-sh:1,images/a.png\n\
         C,Skirt,半裙,skirt,women,all,299,CNY,C-S,Red,红,50 60 40,S,demo-sh:1,images/missing.jpg\n",
    )?;
    let published = publish(&relay_dir, &csv)?;
    assert!(
        published.contains("images on the hub: 1 · missing 1"),
        "{published}"
    );
    let port = free_port()?;
    let relay = Relay::start(port, &relay_dir)?;

    let synced = sync(&kiosk_dir, port)?;
    assert!(
        synced.contains("images: 2 ready · 1 rejected"),
        "A and B share one image; C's never reached the hub: {synced}"
    );
    let db = kiosk_dir.join("kiosk.sqlite");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM images")?, 1);
    let hash: String = rusqlite::Connection::open(&db)?.query_row(
        "SELECT image_hash FROM product_images WHERE product_sku = 'A'",
        [],
        |r| r.get(0),
    )?;
    assert!(kiosk_dir.join("images").join(&hash).join("card.jpg").is_file());

    // Anyone but an enrolled kiosk is refused before the path is even looked at.
    let (status, _) = atelier_tests::http_get(relay.addr, "/api/catalog/images/..%2F..%2Frelay.sqlite")?;
    assert!(status.contains("401"), "{status}");
    let (status, _) =
        atelier_tests::http_get(relay.addr, &format!("/api/catalog/images/{}", "0".repeat(64)))?;
    assert!(status.contains("401"), "{status}");
    Ok(())
}
