//! The relay binary, and the kiosk binary driven through tauri-driver + WebKitWebDriver.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};

use crate::process::Proc;
use crate::{binary, free_port, http_get, wait_for_port};

/// A running `atelier-relay`.
pub struct Relay {
    pub proc: Proc,
    pub addr: SocketAddr,
}

impl Relay {
    /// Starts the relay on `port` with its own data dir, and waits for `/healthz`.
    pub fn start(port: u16, data_dir: &Path) -> anyhow::Result<Self> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut cmd = Command::new(binary("atelier-relay")?);
        // --demo: the demo kiosk's enrollment and the demo stylist/staff accounts, for calls.
        // The friend page and the stylist console, as built by `npm run build` in ui/.
        if std::env::var_os("ATELIER_WEB_DIR").is_none() {
            cmd.env(
                "ATELIER_WEB_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/web"),
            );
        }
        cmd.arg("--demo")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data_dir);
        let proc = Proc::spawn("atelier-relay", cmd, &data_dir.join("relay.log"))?;
        wait_for_port(addr, Duration::from_secs(10)).with_context(|| proc.log_tail(20))?;
        let (status, body) = http_get(addr, "/healthz")?;
        if !status.contains("200") {
            bail!("relay unhealthy: {status} {body}");
        }
        Ok(Self { proc, addr })
    }

    /// The kiosks' WebSocket URL.
    pub fn ws_url(port: u16) -> String {
        format!("ws://127.0.0.1:{port}/ws")
    }
}

/// The kiosk app under tauri-driver, with a WebDriver session on its window.
pub struct Kiosk {
    pub client: Client,
    driver: Proc,
    pub data_dir: PathBuf,
}

fn tauri_driver() -> PathBuf {
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin/tauri-driver"));
    match in_cargo_home {
        Some(p) if p.is_file() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

impl Kiosk {
    /// Launches `atelier --data-dir <data_dir> <extra_args>` (with `--demo`, on the test pattern) and
    /// opens a WebDriver session.
    pub async fn launch(data_dir: &Path, extra_args: &[&str]) -> anyhow::Result<Self> {
        // The test pattern, not the demo clip: its tags would start sessions on their own.
        Self::launch_with_env(
            data_dir,
            extra_args,
            &[("ATELIER_DEMO_CAMERA", std::ffi::OsStr::new("test"))],
        )
        .await
    }

    /// Like [`Kiosk::launch`], with extra environment for the app (set on tauri-driver, which
    /// passes its environment on).
    pub async fn launch_with_env(
        data_dir: &Path,
        extra_args: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
    ) -> anyhow::Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no X display: run the end-to-end tests under Xvfb (scripts/test.sh does)");
        }
        let app = binary("atelier")?;
        let port = free_port()?;
        let native_port = free_port()?;
        let mut cmd = Command::new(tauri_driver());
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = Proc::spawn("tauri-driver", cmd, &data_dir.join("tauri-driver.log"))
            .context("starting tauri-driver (install it with `cargo install tauri-driver --locked`)")?;
        wait_for_port(SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_secs(10))?;

        let mut args = vec![serde_json::json!("--data-dir"), serde_json::json!(data_dir)];
        args.extend(extra_args.iter().map(|a| serde_json::json!(a)));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app, "args": args }),
        );
        // The workspace links rustls with two crypto providers (the WebDriver client's aws-lc-rs and
        // the WebRTC stack's ring), so rustls cannot pick one by itself: name it. Installing twice
        // is refused harmlessly.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .context("WebDriver client")?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .with_context(|| {
                format!(
                    "opening a WebDriver session on the kiosk; driver log:\n{}",
                    driver.log_tail(30)
                )
            })?;
        Ok(Self {
            client,
            driver,
            data_dir: data_dir.to_owned(),
        })
    }

    /// Waits for an element to be present. Any failure to find it is tried again until `timeout`:
    /// besides "no such element", WebKitWebDriver answers "stale element" when the live UI replaces
    /// the node while the driver makes its handle (seen once in CI on the admin screen).
    pub async fn element(
        &self,
        css: &str,
        timeout: Duration,
    ) -> anyhow::Result<fantoccini::elements::Element> {
        let start = Instant::now();
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(found) => return Ok(found),
                Err(e) if start.elapsed() > timeout => {
                    return Err(e).with_context(|| {
                        format!("waiting for `{css}`; driver log:\n{}", self.driver.log_tail(30))
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Waits until an element is present, tolerating a live UI that replaces its nodes while the
    /// driver looks (a stale element is simply looked for again).
    pub async fn present(&self, css: &str, timeout: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            if let Ok(found) = self.client.find_all(Locator::Css(css)).await
                && !found.is_empty()
            {
                return Ok(());
            }
            if start.elapsed() > timeout {
                bail!(
                    "`{css}` did not appear within {timeout:?}; driver log:\n{}",
                    self.driver.log_tail(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks an element once it is present. A live UI may replace the element between finding
    /// and clicking it; then it is found again.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let mut last = None;
        for _ in 0..5 {
            match self.element(css, Duration::from_secs(10)).await?.click().await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(anyhow::anyhow!("clicking `{css}`: {last:?}"))
    }

    /// The trimmed text of an element, found again if the UI replaced it meanwhile.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        let mut last = None;
        for _ in 0..5 {
            match self.element(css, Duration::from_secs(10)).await?.text().await {
                Ok(t) => return Ok(t.trim().to_owned()),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(anyhow::anyhow!("reading the text of `{css}`: {last:?}"))
    }

    /// An attribute of an element, found again if the UI replaced it meanwhile (the status bar is
    /// redrawn whenever the relay link or the camera changes).
    pub async fn attr(&self, css: &str, name: &str) -> anyhow::Result<Option<String>> {
        let mut last = None;
        for _ in 0..5 {
            match self.element(css, Duration::from_secs(10)).await?.attr(name).await {
                Ok(v) => return Ok(v),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(anyhow::anyhow!("reading {name} of `{css}`: {last:?}"))
    }

    /// Polls until `attr` of `css` equals `want`, returning how long it took.
    pub async fn wait_attr(
        &self,
        css: &str,
        attr: &str,
        want: &str,
        timeout: Duration,
    ) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let mut last = None;
        while start.elapsed() < timeout {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                last = el.attr(attr).await.ok().flatten();
                if last.as_deref() == Some(want) {
                    return Ok(start.elapsed());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("`{css}` [{attr}] never became {want:?} within {timeout:?} (last: {last:?})")
    }

    /// The last `lines` of the app's log (tauri-driver passes the app's output on), for a failure.
    pub fn log_tail(&self, lines: usize) -> String {
        self.driver.log_tail(lines)
    }

    /// Whether no element matches `css` now.
    pub async fn absent(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_err()
    }

    /// Replaces the text of an input with `text`, as typed on a keyboard.
    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let input = self.element(css, Duration::from_secs(10)).await?;
        input.clear().await.with_context(|| format!("clearing `{css}`"))?;
        if !text.is_empty() {
            input
                .send_keys(text)
                .await
                .with_context(|| format!("typing into `{css}`"))?;
        }
        Ok(())
    }

    /// Types `pin` on the PIN prompt's keypad and presses OK.
    pub async fn enter_pin(&self, pin: &str) -> anyhow::Result<()> {
        for d in pin.chars() {
            self.click(&format!(".keypad [data-key='{d}']")).await?;
        }
        self.click("[data-testid=pin-ok]").await
    }

    /// Presses and holds the pointer on an element for `hold`.
    pub async fn long_press(&self, css: &str, hold: Duration) -> anyhow::Result<()> {
        let element = self.element(css, Duration::from_secs(10)).await?;
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Pause { duration: hold })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(mouse).await.context("long press")?;
        Ok(())
    }

    /// Saves the whole X screen (the native video layer and the page over it) as
    /// `$ATELIER_SCREENSHOTS/<name>.png` when that variable names a directory; does nothing
    /// otherwise. For docs and for looking at a failing screen.
    pub fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("ATELIER_SCREENSHOTS") else {
            return;
        };
        // Let the last change reach the screen first.
        std::thread::sleep(std::time::Duration::from_millis(400));
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        let ok = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("could not save a screenshot to {}", path.display());
        }
    }

    /// The mean brightness (0–255) of a band of the whole X screen, the native video layer and
    /// the page over it as the shopper sees them, between two fractions of its height.
    pub fn screen_brightness(&self, from: f32, to: f32) -> anyhow::Result<f64> {
        let img = screen_grey()?;
        let (w, h) = img.dimensions();
        let (y0, y1) = ((h as f32 * from) as u32, ((h as f32 * to) as u32).min(h));
        anyhow::ensure!(y1 > y0, "an empty band");
        // One byte per pixel, row after row: the band is one contiguous run.
        let band = &img.as_raw()[(y0 * w) as usize..(y1 * w) as usize];
        let sum: u64 = band.iter().map(|&v| u64::from(v)).sum();
        Ok(sum as f64 / band.len() as f64)
    }

    /// The grey pixels of the X screen under an element of the page (the native layers there too),
    /// e.g. to tell a live remote tile from a frozen one.
    pub async fn screen_under(&self, css: &str) -> anyhow::Result<Vec<u8>> {
        self.element(css, Duration::from_secs(10)).await?;
        // WebKitWebDriver's "get element rect" fails on these tiles; the page measures them itself.
        let rect = self
            .client
            .execute(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect();
                 return [r.x, r.y, r.width, r.height, window.innerWidth];",
                vec![serde_json::json!(css)],
            )
            .await
            .with_context(|| format!("measuring `{css}`"))?;
        let n = |i: usize| {
            rect.get(i)
                .and_then(serde_json::Value::as_f64)
                .context("a rectangle")
        };
        let (x, y, w, h, inner) = (n(0)?, n(1)?, n(2)?, n(3)?, n(4)?);
        anyhow::ensure!(
            w >= 32.0 && h >= 32.0,
            "`{css}` is only {w}×{h} px at ({x}, {y}): not placed"
        );
        let img = screen_grey()?;
        let scale = f64::from(img.width()) / inner;
        let (x0, y0) = ((x * scale) as u32, (y * scale) as u32);
        let (x1, y1) = (
            (((x + w) * scale) as u32).min(img.width()),
            (((y + h) * scale) as u32).min(img.height()),
        );
        anyhow::ensure!(x1 > x0 && y1 > y0, "`{css}` covers no pixel of the screen");
        Ok((y0..y1)
            .flat_map(|row| (x0..x1).map(move |col| (col, row)))
            .map(|(col, row)| img.get_pixel(col, row).0[0])
            .collect())
    }

    /// Waits until the band's brightness meets `ok` (the screen follows the page asynchronously).
    pub async fn wait_brightness(
        &self,
        from: f32,
        to: f32,
        ok: impl Fn(f64) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<f64> {
        let start = Instant::now();
        loop {
            let b = self.screen_brightness(from, to)?;
            if ok(b) {
                return Ok(b);
            }
            if start.elapsed() > timeout {
                bail!("the screen band {from}–{to} stayed at brightness {b:.1} for {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Ends the WebDriver session (which closes the app) and stops tauri-driver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let result = self.client.clone().close().await;
        self.driver.stop(Duration::from_secs(5));
        result.context("closing the WebDriver session")
    }
}

/// The whole X screen in grey, as the shopper sees it (the native video layers and the page over
/// them), read with ImageMagick's `import`.
fn screen_grey() -> anyhow::Result<image::GrayImage> {
    let out = Command::new("import")
        .args(["-window", "root", "png:-"])
        .output()
        .context("running ImageMagick's import")?;
    anyhow::ensure!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(image::load_from_memory(&out.stdout)?.to_luma8())
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        // After a failed assertion the session was never closed: make sure the app goes too.
        self.driver.stop(Duration::from_secs(5));
        crate::process::terminate_matching(&format!("--data-dir {}", self.data_dir.display()));
    }
}
