//! What the Chromium-driven tests share: the tools they need, playwright-core installed on demand,
//! and a node script under `tests/browser/` driven over stdin/stdout JSON lines.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atelier_call::{EncodedVideo, VideoFanout};
use atelier_media::{Camera, CameraSource, EncoderBranch, SourceConfig, default_presence};
use bytes::Bytes;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// Where the node scripts and their `package.json` live.
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Logs to stderr, `RUST_LOG` or quiet WebRTC internals.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,webrtc=warn,rtc=warn,rtc_ice=error,rtc_dtls=error".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// Chromium's path (`CHROMIUM_PATH` or `/usr/bin/chromium`), after checking it, `node` and `npm`
/// are there; `role` names what Chromium plays in the failure message.
pub fn require_tools(role: &str) -> PathBuf {
    let chromium =
        PathBuf::from(std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned()));
    assert!(
        chromium.exists(),
        "Chromium is needed as {role} but {} does not exist (apt-get install chromium, or set CHROMIUM_PATH)",
        chromium.display()
    );
    for tool in ["node", "npm"] {
        let ok = std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "`{tool}` is needed to drive Chromium but was not found on PATH"
        );
    }
    chromium
}

/// `npm ci` in [`browser_dir`] unless playwright-core is already there.
pub fn install_playwright() {
    let dir = browser_dir();
    if dir.join("node_modules/playwright-core").exists() {
        return;
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .expect("npm could not be started");
    assert!(status.success(), "`npm ci` failed in {}", dir.display());
}

/// The camera on its 720p test source.
pub fn test_camera() -> Arc<Camera> {
    let camera = Arc::new(Camera::new(default_presence(), |_| {}).unwrap());
    camera
        .attach(SourceConfig {
            source: CameraSource::Test,
            mode: None,
            rotation_deg: 0,
        })
        .unwrap();
    camera
}

/// The camera's H.264 encoder branch (x264, 1.5 Mbit/s, a keyframe every 2 s, 720p) into `fanout`.
pub fn encode_into(camera: &Camera, fanout: &Arc<VideoFanout>) {
    let fanout = fanout.clone();
    camera
        .start_encoder(
            EncoderBranch {
                bitrate_kbps: 1500,
                keyframe_interval: Duration::from_secs(2),
                max_height: 720,
            },
            move |frame| {
                fanout.push(EncodedVideo {
                    data: Bytes::from(frame.data),
                    pts: frame.pts,
                    keyframe: frame.keyframe,
                })
            },
        )
        .unwrap();
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// How one test drives its script.
pub struct Script {
    /// The script's file name in [`browser_dir`].
    pub file: &'static str,
    /// What the script is called in messages ("browser", "friend").
    pub who: &'static str,
    /// How long one [`NodeBrowser::wait`] waits.
    pub step: Duration,
    /// Whether `{type:"candidate"}` events go to [`NodeBrowser::candidates`] instead of the waits.
    pub split_candidates: bool,
    /// Called on every event as it arrives: panics on one that means the script failed.
    pub check: fn(&Value),
}

/// A node child speaking JSON lines: commands in on stdin, events out on stdout.
pub struct NodeBrowser {
    child: Child,
    pub to: mpsc::Sender<Value>,
    from: mpsc::Receiver<(Value, Instant)>,
    seen: VecDeque<(Value, Instant)>,
    /// Trickled ICE candidates, kept apart so they can go to the peer as they come (with
    /// [`Script::split_candidates`]).
    #[allow(dead_code)]
    pub candidates: Option<mpsc::Receiver<Value>>,
    who: &'static str,
    step: Duration,
    check: fn(&Value),
}

impl NodeBrowser {
    pub async fn start(script: Script, chromium: &Path) -> NodeBrowser {
        let mut child = Command::new("node")
            .arg(script.file)
            .current_dir(browser_dir())
            .env("CHROMIUM_PATH", chromium)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node could not be started");
        let mut stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (to, mut rx) = mpsc::channel::<Value>(256);
        tokio::spawn(async move {
            while let Some(msg) = rx.recv().await {
                if stdin.write_all(format!("{msg}\n").as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let (tx, from) = mpsc::channel(1024);
        let (candidate_tx, candidates) = if script.split_candidates {
            let (candidate_tx, candidates) = mpsc::channel(256);
            (Some(candidate_tx), Some(candidates))
        } else {
            (None, None)
        };
        let who = script.who;
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let at = Instant::now();
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) if v["type"] == "candidate" && candidate_tx.is_some() => {
                        let _ = candidate_tx.as_ref().unwrap().send(v["candidate"].clone()).await;
                    }
                    Ok(v) => {
                        if tx.send((v, at)).await.is_err() {
                            break;
                        }
                    }
                    Err(_) => eprintln!("{who} said something that is not JSON: {line}"),
                }
            }
        });
        NodeBrowser {
            child,
            to,
            from,
            seen: VecDeque::new(),
            candidates,
            who,
            step: script.step,
            check: script.check,
        }
    }

    pub async fn send(&self, msg: Value) {
        self.to.send(msg).await.unwrap();
    }

    /// The next event of `kind` (earlier events of other kinds stay for later waits).
    pub async fn wait(&mut self, kind: &str) -> (Value, Instant) {
        self.wait_where(kind, |_| true).await
    }

    /// The next event of `kind` that `pred` accepts.
    pub async fn wait_where(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> (Value, Instant) {
        let matches = |v: &Value| v["type"] == kind && pred(v);
        if let Some(i) = self.seen.iter().position(|(v, _)| matches(v)) {
            return self.seen.remove(i).unwrap();
        }
        let deadline = tokio::time::Instant::now() + self.step;
        loop {
            match tokio::time::timeout_at(deadline, self.from.recv()).await {
                Ok(Some((v, at))) => {
                    (self.check)(&v);
                    if matches(&v) {
                        return (v, at);
                    }
                    self.seen.push_back((v, at));
                }
                Ok(None) => panic!("the {} went away while waiting for `{kind}`", self.who),
                Err(_) => panic!(
                    "timed out waiting for `{kind}` from the {}; unhandled: {:?}",
                    self.who,
                    self.seen
                        .iter()
                        .map(|(v, _)| v["type"].clone())
                        .collect::<Vec<_>>()
                ),
            }
        }
    }

    /// The page's `getStats` digest.
    pub async fn stats(&mut self) -> Value {
        self.send(json!({"type": "stats"})).await;
        self.wait("stats").await.0
    }

    /// Asks the script to quit, and kills it if it has not within `grace`.
    pub async fn quit(mut self, grace: Duration) {
        let _ = self.to.send(json!({"type": "quit"})).await;
        if tokio::time::timeout(grace, self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// The kiosk's next call event matching `pred` (other events are logged and skipped), and when it
/// came. Panics after `step`, on a relay refusal or on a failed leg.
#[allow(dead_code)] // not every test binary waits for call events
pub async fn next_call_event(
    rx: &mut tokio::sync::mpsc::Receiver<atelier_call::CallEvent>,
    what: &str,
    step: Duration,
    pred: impl Fn(&atelier_call::CallEvent) -> bool,
) -> (atelier_call::CallEvent, Instant) {
    use atelier_call::CallEvent;
    let deadline = tokio::time::Instant::now() + step;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(e)) if pred(&e) => return (e, Instant::now()),
            Ok(Some(CallEvent::Error { code })) => {
                panic!("the relay refused the kiosk: {code:?} (waiting for {what})")
            }
            Ok(Some(CallEvent::LegFailed { leg, error })) => {
                panic!("{leg} failed: {error} (waiting for {what})")
            }
            Ok(Some(e)) => eprintln!("kiosk event: {e:?}"),
            Ok(None) => panic!("the call client went away while waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what} on the kiosk"),
        }
    }
}
