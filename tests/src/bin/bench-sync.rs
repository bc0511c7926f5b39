//! Catalog sync benchmark, end to end through the real binaries: head office publishes 50k products
//! × 4 variants to `atelier-relay`, a kiosk pulls it all, then head office changes 500 products and
//! the kiosk pulls the delta.
//!
//!     cargo build --release --bins -p atelier -p atelier-relay -p atelier-tests
//!     target/release/bench-sync [--products N] [--changed N]
//!
//! Target: delta sync of 500 changed products < 1 s.

#![allow(clippy::print_stdout)] // a benchmark's output is its product

use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use atelier_tests::catalog_gen::write_csv;
use atelier_tests::kiosk::Relay;
use atelier_tests::{binary, free_port};

fn timed(label: &str, cmd: &mut Command) -> anyhow::Result<()> {
    let t = Instant::now();
    let out = cmd.output()?;
    anyhow::ensure!(
        out.status.success(),
        "{label}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "{label:<40} {:>7.3} s   {}",
        t.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).trim()
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let (mut products, mut changed) = (50_000usize, 500usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--products" => products = args.next().context("--products N")?.parse()?,
            "--changed" => changed = args.next().context("--changed N")?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let dir = tempfile::tempdir()?;
    let (relay_dir, kiosk_dir) = (dir.path().join("relay"), dir.path().join("kiosk"));
    std::fs::create_dir_all(&relay_dir)?;
    let (v1, v2) = (dir.path().join("v1.csv"), dir.path().join("v2.csv"));
    write_csv(&v1, products, 5, 0, 0)?;
    write_csv(&v2, products, 5, 100, changed)?;
    let relay_bin = binary("atelier-relay")?;
    let kiosk_bin = binary("atelier")?;
    println!("{products} products × 4 variants; then {changed} products change price");

    timed(
        "publish v1 (full catalog)",
        Command::new(&relay_bin)
            .arg("--data-dir")
            .arg(&relay_dir)
            .args(["catalog", "publish"])
            .arg(&v1),
    )?;
    let port = free_port()?;
    let _relay = Relay::start(port, &relay_dir)?;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let sync = || {
        let mut c = Command::new(&kiosk_bin);
        c.arg("--data-dir")
            .arg(&kiosk_dir)
            .args(["catalog", "sync", "--relay", &url]);
        c
    };
    timed("kiosk: first sync (everything)", &mut sync())?;
    timed("kiosk: sync with nothing new", &mut sync())?;
    timed(
        "publish v2",
        Command::new(&relay_bin)
            .arg("--data-dir")
            .arg(&relay_dir)
            .args(["catalog", "publish"])
            .arg(&v2),
    )?;
    timed(&format!("kiosk: delta sync ({changed} products)"), &mut sync())?;
    println!("(each kiosk line includes starting the process and opening the database)");
    Ok(())
}
