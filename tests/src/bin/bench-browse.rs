//! Browse-screen smoothness: the real kiosk with the demo catalog, driven through tauri-driver;
//! the page scrolls the card grid continuously for a few seconds (loading more pages on the way)
//! while `requestAnimationFrame` records every frame interval.
//!
//!     cargo build --release --bins -p atelier -p atelier-tests
//!     ATELIER_BIN_DIR=target/release xvfb-run -a -s "-screen 0 1080x1920x24" target/release/bench-browse
//!
//! Smooth means frames at the display rate: p95 interval ≤ 20 ms at 60 Hz, no long frames.

#![allow(clippy::print_stdout)] // a benchmark's output is its product

use std::process::Command;
use std::time::Duration;

use anyhow::Context;
use atelier_tests::binary;
use atelier_tests::kiosk::Kiosk;

const SCROLL: &str = r#"
const box = document.querySelector('.browse-scroll');
const more = () => { const b = document.querySelector('[data-testid=show-more]'); if (b && !b.hidden) b.click(); };
const gaps = [];
let last = performance.now();
const end = last + 5000;
await new Promise((done) => {
  const step = (now) => {
    gaps.push(now - last);
    last = now;
    box.scrollTop += 12;                       // ~720 px/s at 60 Hz: a brisk finger flick
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 50) more();
    if (now < end) requestAnimationFrame(step); else done();
  };
  requestAnimationFrame(step);
});
gaps.shift();
gaps.sort((a, b) => a - b);
const at = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
return { frames: gaps.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: gaps[gaps.length - 1],
         long: gaps.filter((g) => g > 50).length, cards: document.querySelectorAll('[data-testid=product-card]').length };
"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // BENCH_BROWSE_KEEP=1 keeps the data dir, with the kiosk's log in tauri-driver.log.
    let keep = std::env::var_os("BENCH_BROWSE_KEEP").is_some();
    let dir = tempfile::Builder::new()
        .prefix("bench-browse")
        .disable_cleanup(keep)
        .tempdir()?;
    if keep {
        println!("data dir: {}", dir.path().display());
    }
    let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo-catalog/catalog.csv");
    let out = Command::new(binary("atelier")?)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["catalog", "import"])
        .arg(&catalog)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(dir.path().join("atelier.toml"), "[relay]\nurl = \"\"\n")?;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let kiosk = Kiosk::launch(dir.path(), &args).await?;
    let result = async {
        kiosk.click("[data-testid=start-button]").await?;
        kiosk.click("[data-testid=browse-button]").await?;
        kiosk.element("[data-testid=product-card] img", Duration::from_secs(10)).await?;
        // Experiments: a script run on the page first (e.g. a style to try), without a rebuild.
        if let Ok(js) = std::env::var("BENCH_BROWSE_JS") {
            kiosk.client.execute(&js, vec![]).await.context("BENCH_BROWSE_JS")?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let stats = kiosk.client.execute(SCROLL, vec![]).await.context("scrolling")?;
        println!("browse scroll, 5 s, demo catalog, 1080x1920, kiosk args {:?}:", std::env::args().skip(1).collect::<Vec<_>>());
        println!(
            "  frames {}  interval p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms  frames > 50 ms: {}  cards loaded: {}",
            stats["frames"], stats["p50"].as_f64().unwrap_or(0.0), stats["p95"].as_f64().unwrap_or(0.0),
            stats["p99"].as_f64().unwrap_or(0.0), stats["max"].as_f64().unwrap_or(0.0), stats["long"], stats["cards"]
        );
        anyhow::Ok(())
    }
    .await;
    kiosk.close().await?;
    result
}
