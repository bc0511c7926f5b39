//! `atelier catalog import` as a real process: summary, line-numbered rejections, exit codes, and
//! a SIGKILL mid-import that must leave a consistent database.

use std::process::Command;
use std::time::{Duration, Instant};

use atelier_tests::{binary, catalog_gen};

const HEADER: &str = "sku,name_en,name_zh,category,gender,fit,pattern,material,style_tags,occasion_tags,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images";

fn import(data_dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<(i32, String, String)> {
    let out = Command::new(binary("atelier")?)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["catalog", "import"])
        .arg(file)
        .output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn summary_rejections_and_exit_codes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("c.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}\n\
             A,Shirt,衬衫,top,men,,,,,,summer,199,CNY,A-M,White,白,95 0 2,M,demo-sh:2,\n\
             B,Skirt,半裙,skirt,women,,,,,,summer,-1,CNY,B-S,Red,红,50 60 40,S,demo-sh:1,\n\
             C,Dress,连衣裙,dress,women,,,,,,summer,299,CNY,C-S,Red,红,50 60 40,S,demo-sh:1,\n"
        ),
    )?;
    let (code, stdout, stderr) = import(&dir.path().join("kiosk"), &file)?;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("imported 2 · updated 0 · unchanged 0 · rejected 1"),
        "{stdout}"
    );
    assert!(
        stderr.contains("c.csv:3: rejected: price: must not be negative"),
        "{stderr}"
    );

    let (code, stdout, _) = import(&dir.path().join("kiosk"), &file)?;
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("imported 0 · updated 0 · unchanged 2 · rejected 1"),
        "idempotent: {stdout}"
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{HEADER}\nB,Skirt,半裙,skirt,women,,,,,,summer,-1,CNY,B-S,Red,红,50 60 40,S,,\n"),
    )?;
    assert_eq!(import(&dir.path().join("kiosk"), &bad)?.0, 2, "no valid row");
    let (code, _, stderr) = import(&dir.path().join("kiosk"), &dir.path().join("missing.csv"))?;
    assert_eq!(code, 1, "unreadable file");
    assert!(stderr.contains("cannot read"), "{stderr}");
    Ok(())
}

#[test]
fn killed_mid_import_the_database_holds_whole_batches() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("big.csv");
    catalog_gen::write_csv(&file, 60_000, 11, 0, 0)?;
    let data = dir.path().join("kiosk");
    let mut child = Command::new(binary("atelier")?)
        .arg("--data-dir")
        .arg(&data)
        .args(["catalog", "import"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;

    // Wait until some batches are in, then kill it hard.
    let db_path = data.join("kiosk.sqlite");
    let started = Instant::now();
    let mut seen = 0i64;
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(conn) = rusqlite::Connection::open(&db_path) {
            seen = conn
                .query_row("SELECT COUNT(*) FROM variants", [], |r| r.get(0))
                .unwrap_or(0);
            if seen >= 10_000 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill()?; // SIGKILL
    let _ = child.wait();
    assert!(seen >= 10_000, "the import never got going");

    let conn = rusqlite::Connection::open(&db_path)?;
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok");
    let fk_violations: i64 =
        conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    assert_eq!(fk_violations, 0);
    let variants: i64 = conn.query_row("SELECT COUNT(*) FROM variants", [], |r| r.get(0))?;
    assert!(variants < 240_000, "killed before the end ({variants})");
    assert_eq!(
        variants % atelier_store::import::BATCH_ROWS as i64,
        0,
        "only whole batches: {variants}"
    );
    let stock: i64 = conn.query_row("SELECT COUNT(*) FROM stock", [], |r| r.get(0))?;
    assert_eq!(stock, variants * 2, "every variant has its stock rows, no more");
    drop(conn);

    // Running it again finishes the job.
    let (code, stdout, _) = import(&data, &file)?;
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(&format!(
            "imported {} · updated 0 · unchanged {variants} · rejected 0",
            240_000 - variants
        )),
        "{stdout}"
    );
    Ok(())
}
