//! "Ask for advice" end to end, every part real: the kiosk binary under tauri-driver +
//! WebKitWebDriver (demo camera, test microphone), the relay binary with the demo catalog published
//! and the web clients served, and headless Chromium (fake camera and microphone) using the relay's
//! own stylist console and friend page like people would.
//!
//! The shopper asks for a stylist; the stylist signs in, goes on duty, accepts, sees the shopper,
//! pushes a product card and draws on the video: the mirror shows the card (the product's name and
//! price from the kiosk's catalog) and the stroke. The shopper then invites a friend by short code;
//! the friend joins, sees the shopper, votes and chats: the mirror shows the tally and the chat as
//! text. Ending the call takes the live indicator away.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use atelier_tests::free_port;
use atelier_tests::kiosk::{Kiosk, Relay};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SKU: &str = "TOP-001";

/// The Chromium driver: commands in, events out, one JSON object per line.
struct Remotes {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl Remotes {
    async fn start() -> anyhow::Result<Self> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/call/tests/browser");
        if !dir.join("node_modules/playwright-core").exists() {
            bail!(
                "playwright-core is not installed in {} (scripts/test.sh runs npm ci there)",
                dir.display()
            );
        }
        let mut child = tokio::process::Command::new("node")
            .arg("advice-remotes.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("node")?;
        let stdin = child.stdin.take().context("stdin")?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut r = Self {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
        };
        r.expect("ready", Duration::from_secs(30)).await?;
        Ok(r)
    }

    async fn send(&mut self, msg: Value) -> anyhow::Result<()> {
        self.stdin.write_all(format!("{msg}\n").as_bytes()).await?;
        self.stdin.flush().await?;
        Ok(())
    }

    async fn expect(&mut self, kind: &str, within: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .with_context(|| format!("no {kind} from Chromium within {within:?}"))??
                .with_context(|| format!("Chromium's driver ended before {kind}"))?;
            let v: Value = serde_json::from_str(&line).with_context(|| format!("driver said {line}"))?;
            match v["type"].as_str() {
                Some(t) if t == kind => return Ok(v),
                Some("error") => bail!("Chromium: {} (waiting for {kind})", v["message"]),
                _ => {}
            }
        }
    }

    async fn ask(&mut self, msg: Value, answer: &str, within: Duration) -> anyhow::Result<Value> {
        self.send(msg).await?;
        self.expect(answer, within).await
    }
}

/// The relay (demo catalog published, web clients served) and the kiosk configured for it, both
/// running; Chromium's driver ready.
struct World {
    dir: tempfile::TempDir,
    relay: Option<Relay>,
    base: String,
    kiosk: Kiosk,
    remotes: Remotes,
}

impl World {
    async fn start(extra_ui: &str) -> anyhow::Result<World> {
        let dir = tempfile::tempdir()?;
        let kiosk_dir = dir.path().join("kiosk");
        let relay_dir = dir.path().join("relay");
        std::fs::create_dir_all(&kiosk_dir)?;
        std::fs::create_dir_all(&relay_dir)?;
        let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo-catalog/catalog.csv");
        // Head office's catalog on the relay (the stylist searches it), the same in the kiosk's cache.
        for (bin, dir, action) in [
            ("atelier-relay", &relay_dir, "publish"),
            ("atelier", &kiosk_dir, "import"),
        ] {
            let out = std::process::Command::new(atelier_tests::binary(bin)?)
                .arg("--data-dir")
                .arg(dir)
                .args(["catalog", action])
                .arg(&catalog)
                .output()?;
            assert!(
                out.status.success(),
                "{bin}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let port = free_port()?;
        let relay = Relay::start(port, &relay_dir)?;
        std::fs::write(
            kiosk_dir.join("atelier.toml"),
            format!(
                "[ui]\nlanguage = \"en\"\n{extra_ui}\n[camera]\nrotation_deg = 90\n\n[kiosk]\ndevice_id = \"demo-kiosk\"\nstore_id = \"demo-sh\"\n\n[relay]\nurl = \"{}\"\nreconnect_max_secs = 1\n",
                Relay::ws_url(port)
            ),
        )?;
        let remotes = Remotes::start().await?;
        let kiosk = Kiosk::launch(&kiosk_dir, &["--demo"]).await?;
        Ok(World {
            dir,
            relay: Some(relay),
            base: format!("http://127.0.0.1:{port}"),
            kiosk,
            remotes,
        })
    }

    /// Ends it all; on failure, prints what the kiosk and the relay said.
    async fn finish(mut self, result: anyhow::Result<()>) -> anyhow::Result<()> {
        let _ = self.remotes.send(json!({"type": "quit"})).await;
        let _ = self.remotes.child.wait().await;
        self.kiosk.close().await?;
        drop(self.relay.take());
        if result.is_err() {
            for log in [
                self.dir.path().join("kiosk/tauri-driver.log"),
                self.dir.path().join("relay/relay.log"),
            ] {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().filter(|l| !l.contains("DEBUG")).collect();
                eprintln!(
                    "--- {} (last 60 lines)\n{}",
                    log.display(),
                    lines[lines.len().saturating_sub(60)..].join("\n")
                );
            }
        }
        result
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stylist_and_a_friend_advise_on_the_mirror() -> anyhow::Result<()> {
    let mut world = World::start("").await?;
    let base = world.base.clone();
    let (kiosk, remotes) = (&world.kiosk, &mut world.remotes);
    let result = async {
        let s = Duration::from_secs;
        if let Err(e) = kiosk.element("[data-testid=start-button]", s(20)).await {
            let body = kiosk.text("#app").await.unwrap_or_default();
            bail!("{e:#}\npage: {body}");
        }
        kiosk.click("[data-testid=start-button]").await?;
        kiosk.present("[data-testid=advice-button]", s(10)).await?;
        kiosk.click("[data-testid=advice-button]").await?;
        kiosk.present("[data-testid=ask-stylist]", s(15)).await?;

        // The stylist goes on duty first, then the shopper asks: the queue shows her place.
        remotes
            .ask(
                json!({"type": "stylist", "base": base, "user": "demo-stylist", "password": "demo"}),
                "onDuty",
                s(30),
            )
            .await?;
        kiosk.click("[data-testid=ask-stylist]").await?;
        let place = {
            kiosk.present("[data-testid=queue-place]", s(15)).await?;
            kiosk.text("[data-testid=queue-place]").await?
        };
        assert!(place.contains('1'), "{place}");

        // Accepted: media both ways. The console plays the shopper; the mirror gets the stylist.
        let live = remotes
            .ask(json!({"type": "accept"}), "stylistLive", s(45))
            .await?;
        assert!(live["width"].as_u64().unwrap_or(0) > 0, "{live}");
        // The kiosk's sound reaches the stylist too (the demo's test-tone microphone, Opus).
        assert!(live["audioPackets"].as_u64().unwrap_or(0) > 0, "{live}");
        assert!(live["framesDecoded"].as_u64().unwrap_or(0) > 0, "{live}");
        kiosk.present("[data-testid=live-indicator]", s(20)).await?;
        kiosk
            .present(
                "[data-testid=remote-tile][data-role=stylist][data-video=on]",
                s(20),
            )
            .await?;
        assert!(
            kiosk.present("[data-testid=queue]", s(1)).await.is_err(),
            "the queue is gone once a stylist took the request"
        );

        // A card pushed from the console lands on the mirror with the kiosk's own product data.
        remotes
            .ask(
                json!({"type": "push", "query": SKU, "sku": SKU, "note": "Try the <b>black</b> one"}),
                "pushed",
                s(30),
            )
            .await?;
        let card = format!("[data-testid=board-card][data-sku='{SKU}']");
        kiosk.present(&card, s(15)).await?;
        let card_text = kiosk.text(&card).await?;
        assert!(card_text.contains("Modal T-shirt"), "{card_text}");
        assert!(
            card_text.contains("Try the <b>black</b> one"),
            "markup stays text: {card_text}"
        );
        kiosk.screenshot("advice-stylist-card");

        remotes.ask(json!({"type": "draw"}), "drawn", s(15)).await?;
        kiosk.present("[data-testid=board-strokes] path", s(15)).await?;
        // Strokes are placed on the camera picture the kiosk reported, not on an assumed 16:9 one:
        // the demo's 1280×720 camera is mounted turned (`rotation_deg = 90`), so it is 720×1280.
        let aspect = kiosk
            .attr("[data-testid=board-strokes]", "data-source-aspect")
            .await?;
        assert_eq!(aspect.as_deref(), Some("0.5625"), "the picture's width / height");

        // A friend joins by the short code on the mirror.
        kiosk.present("[data-testid=ask-friend]", s(10)).await?;
        kiosk.click("[data-testid=ask-friend]").await?;
        let code = {
            kiosk.present("[data-testid=invite-code]", s(15)).await?;
            kiosk.text("[data-testid=invite-code]").await?
        };
        assert_eq!(code.trim().len(), 6, "{code}");
        kiosk.present("[data-testid=invite-qr] path", s(2)).await?;
        let friend = remotes
            .ask(
                json!({"type": "friend", "base": base, "code": code.trim(), "name": "Ana"}),
                "friendLive",
                s(45),
            )
            .await?;
        assert!(friend["width"].as_u64().unwrap_or(0) > 0, "{friend}");
        assert!(friend["audioPackets"].as_u64().unwrap_or(0) > 0, "{friend}");
        kiosk
            .present(
                "[data-testid=remote-tile][data-role=friend][data-video=on]",
                s(20),
            )
            .await?;
        assert!(
            kiosk.present("[data-testid=invite]", s(1)).await.is_err(),
            "a used invite leaves the mirror"
        );

        // The friend's vote is tallied on the mirror; her chat shows as text.
        remotes
            .ask(
                json!({"type": "vote", "sku": SKU, "choice": "keep"}),
                "voted",
                s(20),
            )
            .await?;
        let keep = format!("{card} [data-vote=keep]");
        let deadline = std::time::Instant::now() + s(10);
        loop {
            let t = kiosk.text(&keep).await?;
            if t.ends_with(" 1") {
                break;
            }
            if std::time::Instant::now() > deadline {
                bail!("the tally on the mirror says {t:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        remotes
            .ask(
                json!({"type": "chat", "text": "<img src=x onerror=alert(1)> love it"}),
                "chatted",
                s(10),
            )
            .await?;
        kiosk.present("[data-testid=board-chat] li", s(10)).await?;
        let chat = kiosk.text("[data-testid=board-chat]").await?;
        assert!(chat.contains("<img src=x onerror=alert(1)> love it"), "{chat}");
        kiosk.screenshot("advice-call");

        // The friend reloads her page mid-call: both ends build new connections. Her page shows the
        // shopper and hears her again (the kiosk's encoder and microphone feed the new one), and her
        // picture on the mirror's tile is live again, not the old connection's last frame.
        let tile = "[data-testid=remote-tile][data-role=friend]";
        let again = remotes
            .ask(json!({"type": "friendReload"}), "friendReloaded", s(45))
            .await?;
        assert!(again["width"].as_u64().unwrap_or(0) > 0, "{again}");
        assert!(again["audioPackets"].as_u64().unwrap_or(0) > 0, "{again}");
        kiosk.present(&format!("{tile}[data-video=on]"), s(20)).await?;
        let deadline = std::time::Instant::now() + s(10);
        let first = kiosk.screen_under(tile).await?;
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if kiosk.screen_under(tile).await? != first {
                break;
            }
            if std::time::Instant::now() > deadline {
                bail!("the friend's tile on the mirror stayed still after her reload");
            }
        }

        // The shopper ends the call: nothing leaves the mirror any more.
        kiosk.click("[data-testid=call-end]").await?;
        let deadline = std::time::Instant::now() + s(15);
        while kiosk.present("[data-testid=live-indicator]", s(1)).await.is_ok() {
            if std::time::Instant::now() > deadline {
                bail!("still live after ending the call");
            }
        }
        anyhow::Ok(())
    }
    .await;
    world.finish(result).await
}

/// Waits until the mirror's ask (the newest) is in `state`; returns its text.
async fn ask_in_state(kiosk: &Kiosk, state: &str, within: Duration) -> anyhow::Result<String> {
    let css = format!("[data-testid=ask][data-state={state}]");
    kiosk.present(&css, within).await?;
    kiosk.text(&css).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_staff_bring_another_size_and_the_mirror_shows_who_is_coming() -> anyhow::Result<()> {
    // Asks unanswered for 4 s offer a stylist instead (90 s in a store).
    let mut world = World::start("staff_answer_secs = 5\n").await?;
    let base = world.base.clone();
    let result = async {
        let (kiosk, remotes) = (&world.kiosk, &mut world.remotes);
        let s = Duration::from_secs;
        remotes
            .ask(
                json!({"type": "staff", "base": base, "user": "demo-staff", "password": "demo"}),
                "staffReady",
                s(30),
            )
            .await?;
        kiosk.present("[data-testid=start-button]", s(20)).await?;
        kiosk.click("[data-testid=start-button]").await?;
        kiosk.click("[data-testid=browse-button]").await?;
        // The first product card: another size.
        kiosk
            .present("[data-testid=product-card] [data-testid=ask-staff]", s(15))
            .await?;
        kiosk
            .click("[data-testid=product-card] [data-testid=ask-staff]")
            .await?;
        kiosk.present("[data-testid=ask-sizes] .chip", s(5)).await?;
        let size = kiosk.text("[data-testid=ask-sizes] .chip").await?;
        kiosk.click("[data-testid=ask-sizes] .chip").await?;
        kiosk.click("[data-testid=ask-send]").await?;
        let waiting = ask_in_state(kiosk, "open", s(10)).await?;
        assert!(waiting.contains(&size), "{waiting}");

        // Staff on their phone see it under the room, and are on their way: the mirror names them.
        let seen = remotes
            .ask(
                json!({"type": "staffAnswer", "room": "Room 1", "action": "on-my-way"}),
                "staffAnswered",
                s(20),
            )
            .await?;
        assert!(seen["items"].as_str().unwrap_or("").contains(&size), "{seen}");
        let coming = ask_in_state(kiosk, "onMyWay", s(10)).await?;
        assert!(coming.contains("Demo Staff is on the way"), "{coming}");
        kiosk.screenshot("ask-on-my-way");
        remotes
            .ask(
                json!({"type": "staffAnswer", "room": "Room 1", "action": "arrived"}),
                "staffAnswered",
                s(20),
            )
            .await?;
        ask_in_state(kiosk, "arrived", s(10)).await?;
        kiosk
            .click("[data-testid=ask][data-state=arrived] .dismiss")
            .await?;

        // Nobody answers the next one: after a while the mirror offers a stylist.
        kiosk
            .click("[data-testid=product-card] [data-testid=ask-staff]")
            .await?;
        kiosk.click("[data-testid=ask-send]").await?;
        ask_in_state(kiosk, "open", s(10)).await?;
        kiosk.present("[data-testid=ask-stylist-instead]", s(15)).await?;
        kiosk.click("[data-testid=ask][data-state=open] .dismiss").await?;

        // The store link goes down: the mirror says staff cannot be reached, and suggests the counter.
        drop(world.relay.take());
        let deadline = std::time::Instant::now() + s(15);
        loop {
            kiosk
                .click("[data-testid=product-card] [data-testid=ask-staff]")
                .await?;
            kiosk.click("[data-testid=ask-send]").await?;
            if let Ok(text) = ask_in_state(kiosk, "unreachable", s(2)).await {
                assert!(text.contains("counter"), "{text}");
                break;
            }
            // Still online for a moment: that ask went out; take it back and try again.
            kiosk.click("[data-testid=ask] .dismiss").await?;
            if std::time::Instant::now() > deadline {
                bail!("the mirror never noticed the relay had gone");
            }
        }
        anyhow::Ok(())
    }
    .await;
    world.finish(result).await
}
