//! Start-up benchmark of the kiosk: process spawn → attract screen interactive, and the memory of
//! the app plus its WebKit processes (RSS and PSS) once settled.
//!
//!     cargo run --release -p atelier-tests --bin bench-startup -- [--runs N] [--kiosk PATH] [--demo]
//!
//! Needs an X display (use `xvfb-run -a -s "-screen 0 1080x1920x24"`). Prints one line per run and
//! a summary; the targets are interactive ≤ 1000 ms and PSS ≤ 250 MiB.

#![allow(clippy::print_stdout)] // a benchmark's output is its product

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use atelier_tests::process::{process_tree, terminate};

struct Run {
    ready_ms: f64,
    rss_kib: u64,
    pss_kib: u64,
    processes: usize,
}

fn main() -> anyhow::Result<()> {
    let mut runs = 10usize;
    let mut kiosk: Option<PathBuf> = None;
    let mut demo = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().context("--runs N")?.parse()?,
            "--kiosk" => kiosk = Some(PathBuf::from(args.next().context("--kiosk PATH")?)),
            "--demo" => demo = true,
            other => bail!("unknown argument {other}"),
        }
    }
    let kiosk = match kiosk {
        Some(k) => k,
        None => atelier_tests::binary("atelier")?,
    };
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no X display: run under xvfb-run");
    }
    println!("kiosk: {}  runs: {runs}  demo: {demo}", kiosk.display());
    // One warm-up run so the page cache holds the binary and WebKit, as on a kiosk that boots daily.
    let _ = one_run(&kiosk, demo)?;
    let mut results = Vec::new();
    for i in 0..runs {
        let r = one_run(&kiosk, demo)?;
        println!(
            "run {:>2}: interactive {:>6.1} ms   RSS {:>6.1} MiB   PSS {:>6.1} MiB   ({} processes)",
            i + 1,
            r.ready_ms,
            r.rss_kib as f64 / 1024.0,
            r.pss_kib as f64 / 1024.0,
            r.processes
        );
        results.push(r);
    }
    let mut ready: Vec<f64> = results.iter().map(|r| r.ready_ms).collect();
    ready.sort_by(f64::total_cmp);
    let pct = |p: f64| ready[((ready.len() as f64 - 1.0) * p).round() as usize];
    let mean = |f: fn(&Run) -> u64| results.iter().map(f).sum::<u64>() as f64 / results.len() as f64 / 1024.0;
    println!();
    println!(
        "interactive: median {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms   (target ≤ 1000 ms)",
        pct(0.5),
        pct(0.9),
        ready[0],
        ready[ready.len() - 1]
    );
    println!(
        "memory (app + WebKit): RSS {:.0} MiB, PSS {:.0} MiB   (target PSS ≤ 250 MiB)",
        mean(|r| r.rss_kib),
        mean(|r| r.pss_kib)
    );
    Ok(())
}

fn one_run(kiosk: &PathBuf, demo: bool) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    let mut cmd = Command::new(kiosk);
    cmd.arg("--data-dir").arg(dir.path()).arg("--report-ready");
    if demo {
        cmd.arg("--demo");
    }
    cmd.env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting the kiosk")?;
    let stdout = child.stdout.take().context("kiosk stdout")?;
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    let ready_ms = loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            let _ = child.kill();
            bail!("the kiosk exited before it was interactive");
        }
        if line.contains("uiReady") {
            break started.elapsed().as_secs_f64() * 1000.0;
        }
    };
    // Let WebKit settle (fonts, first paints, relay attempts) before measuring memory.
    std::thread::sleep(Duration::from_secs(3));
    let pids = process_tree(child.id());
    let (mut rss, mut pss) = (0, 0);
    for pid in &pids {
        let (r, p) = rollup(*pid);
        rss += r;
        pss += p;
    }
    terminate(child.id());
    let _ = child.wait();
    Ok(Run {
        ready_ms,
        rss_kib: rss,
        pss_kib: pss,
        processes: pids.len(),
    })
}

/// (RSS, PSS) in KiB from smaps_rollup.
fn rollup(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Rss:"), field("Pss:"))
}
