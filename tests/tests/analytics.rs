//! Analytics reach the relay's report exactly once. Events written into a kiosk database are
//! delivered by the real `atelier outbox flush` to the real `atelier-relay` in batches of 200; the
//! relay is SIGKILLed after a few batches and restarted, the kiosk is SIGKILLed mid-delivery, and
//! answers are "lost" (delivered rows marked undelivered again, so they are sent twice). The
//! report counts every event once.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use atelier_domain::EndReason;
use atelier_domain::analytics::{CallKind, Event, EventKeys, Record};
use atelier_tests::{binary, free_port, wait_for_port};

const ADMIN_TOKEN: &str = "analytics-test-admin-token";
/// The kiosk's default identity, which a `--demo` relay has enrolled (store demo-sh, Room 1).
const DEVICE: &str = "demo-kiosk";

/// The relay, SIGKILLed when dropped.
struct Relay {
    child: Child,
    addr: SocketAddr,
}

impl Relay {
    fn start(port: u16, data_dir: &Path) -> anyhow::Result<Self> {
        let token_file = data_dir.join("admin-token");
        std::fs::write(&token_file, format!("{ADMIN_TOKEN}\n"))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(data_dir.join("relay.log"))?;
        let child = Command::new(binary("atelier-relay")?)
            .arg("--demo")
            .args(["--listen", &addr.to_string()])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--admin-token-file")
            .arg(&token_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let relay = Self { child, addr };
        wait_for_port(addr, Duration::from_secs(10))?;
        Ok(relay)
    }

    /// SIGKILL: no graceful shutdown, whatever SQLite had not committed is gone.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 request on loopback: (status code, headers, body).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> anyhow::Result<(u16, String, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((code, head.to_owned(), body.to_owned()))
}

fn flush_cmd(kiosk_dir: &Path, port: u16, max_batches: Option<usize>) -> anyhow::Result<Command> {
    let mut cmd = Command::new(binary("atelier")?);
    cmd.arg("--data-dir").arg(kiosk_dir).args([
        "outbox",
        "flush",
        "--relay",
        &format!("ws://127.0.0.1:{port}/ws"),
    ]);
    if let Some(n) = max_batches {
        cmd.args(["--max-batches", &n.to_string()]);
    }
    Ok(cmd)
}

fn count(db: &Path, sql: &str) -> anyhow::Result<i64> {
    Ok(rusqlite::Connection::open(db)?.query_row(sql, [], |r| r.get(0))?)
}

/// What the kiosk recorded, to compare with the report.
#[derive(Default, Debug, PartialEq)]
struct Expected {
    sessions: u64,
    shown: u64,
    tried: u64,
    stylist_calls: u64,
    complaints: u64,
    open_hours: u64,
}

/// `n` events of a plausible mix, oldest first, all within the last hour.
fn write_events(db: &Path, n: usize) -> anyhow::Result<Expected> {
    let conn = atelier_store::open(db, &atelier_store::KIOSK_MIGRATIONS)?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let mut keys = EventKeys::new(DEVICE, 0x5eed);
    let mut expected = Expected::default();
    let products = || vec!["W-BLS-0001".to_owned(), "M-CHN-0002".to_owned()];
    for i in 0..n {
        let event = match i % 8 {
            0 => {
                expected.sessions += 1;
                Event::SessionStarted
            }
            1 | 2 => {
                expected.shown += 1;
                Event::LookShown {
                    look: (i % 8) as u32,
                    products: products(),
                }
            }
            3 => {
                expected.tried += 1;
                Event::LookTried {
                    look: 1,
                    products: products(),
                }
            }
            4 => {
                expected.stylist_calls += 1;
                Event::CallStarted {
                    call: CallKind::Stylist,
                }
            }
            5 => Event::CallEnded {
                call: CallKind::Stylist,
                duration_secs: 120,
            },
            6 if i % 16 == 6 => {
                expected.complaints += 1;
                Event::Complaint {
                    reason: "camera".into(),
                }
            }
            _ => Event::SessionEnded {
                duration_secs: 300,
                reason: EndReason::ShopperEnded,
            },
        };
        let at_ms = now_ms - 60_000 + (i as i64 % 60_000);
        let record = Record {
            key: keys.next_key(),
            device: DEVICE.into(),
            store: "demo-sh".into(),
            room: "Room 1".into(),
            at_ms,
            event,
        };
        anyhow::ensure!(atelier_store::outbox::push(&conn, &record, at_ms / 1000)?);
    }
    // The hour marker, recorded twice (a kiosk restarted within the hour): one row, one open hour.
    let hour = atelier_domain::analytics::hour_of(now_ms);
    for _ in 0..2 {
        let record = Record {
            key: atelier_domain::analytics::open_hour_key(DEVICE, hour),
            device: DEVICE.into(),
            store: "demo-sh".into(),
            room: "Room 1".into(),
            at_ms: now_ms - 60_000,
            event: Event::OpenHour { hour },
        };
        atelier_store::outbox::push(&conn, &record, now_ms / 1000)?;
    }
    expected.open_hours = 1;
    Ok(expected)
}

/// Marks the first `n` delivered rows undelivered: as if the kiosk never heard the relay's answer.
fn lose_answers(db: &Path, n: usize) -> anyhow::Result<usize> {
    Ok(rusqlite::Connection::open(db)?.execute(
        "UPDATE outbox SET sent_at = NULL WHERE id IN
             (SELECT id FROM outbox WHERE sent_at IS NOT NULL ORDER BY id LIMIT ?1)",
        [n as i64],
    )?)
}

fn report_totals(addr: SocketAddr) -> anyhow::Result<serde_json::Value> {
    let (code, _, body) = http(
        addr,
        "GET",
        "/api/report?store=demo-sh",
        &[("authorization", &format!("Bearer {ADMIN_TOKEN}"))],
        "",
    )?;
    anyhow::ensure!(code == 200, "report: {code} {body}");
    Ok(serde_json::from_str(&body)?)
}

#[test]
fn events_are_delivered_exactly_once_into_the_report_across_a_relay_restart() -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let (relay_dir, kiosk_dir) = (dir.path().join("relay"), dir.path().join("kiosk"));
    std::fs::create_dir_all(&relay_dir)?;
    std::fs::create_dir_all(&kiosk_dir)?;
    let db = kiosk_dir.join("kiosk.sqlite");
    const EVENTS: usize = 3_000;
    let expected = write_events(&db, EVENTS)?;
    let total_rows = EVENTS as i64 + 1;
    let pending = || count(&db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
    assert_eq!(pending()?, total_rows);

    let port = free_port()?;
    let relay = Relay::start(port, &relay_dir)?;
    let relay_db = relay_dir.join("relay.sqlite");
    let stored = || count(&relay_db, "SELECT COUNT(*) FROM analytics_events");

    // Only enrolled kiosks may post; only the admin token opens the report.
    let (code, _, _) = http(relay.addr, "POST", "/api/events", &[], r#"{"events":[]}"#)?;
    assert_eq!(code, 401);
    let (code, head, _) = http(relay.addr, "GET", "/admin/report", &[], "")?;
    assert_eq!(code, 401);
    assert!(
        head.to_ascii_lowercase().contains("www-authenticate: basic"),
        "{head}"
    );
    let (code, _, _) = http(
        relay.addr,
        "GET",
        "/api/report",
        &[("authorization", "Bearer wrong-token-wrong-token")],
        "",
    )?;
    assert_eq!(code, 401);

    // Three batches of 200, then the relay dies without a chance to clean up.
    let out = flush_cmd(&kiosk_dir, port, Some(3))?.output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.starts_with("delivered 600 · refused 0 · discarded 0 · batches 3"),
        "{stdout}"
    );
    relay.kill();
    assert_eq!(pending()?, total_rows - 600);

    // Offline: the pass fails, nothing is lost or marked.
    let out = flush_cmd(&kiosk_dir, port, None)?.output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stays queued"));
    assert_eq!(pending()?, total_rows - 600);

    // The kiosk never heard the answer for 150 of the delivered rows: they go again.
    assert_eq!(lose_answers(&db, 150)?, 150);

    // The relay comes back with what it had committed.
    let relay = Relay::start(port, &relay_dir)?;
    assert_eq!(stored()?, 600);

    // The kiosk is killed mid-delivery (after its first batches reached the relay).
    let before = pending()?;
    let mut child = flush_cmd(&kiosk_dir, port, None)?
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while pending()? > before - 200 && Instant::now() < deadline {
        if child.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    let after_kill = pending()?;
    assert!(after_kill < before, "the killed pass delivered something first");
    // And again some answers are lost, rows already on the relay among them.
    lose_answers(&db, 400)?;

    // The rest goes through; the report holds every event once.
    let out = flush_cmd(&kiosk_dir, port, None)?.output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("waiting 0"), "{stdout}");
    assert_eq!(pending()?, 0);
    assert_eq!(stored()?, total_rows, "one row per key");
    let sent_twice = count(&db, "SELECT COUNT(*) FROM outbox WHERE attempts > 1")?;
    assert!(sent_twice >= 400, "rows were sent more than once: {sent_twice}");

    let report = report_totals(relay.addr)?;
    let total = &report["total"];
    let got = Expected {
        sessions: total["sessions"].as_u64().context("sessions")?,
        shown: total["shown"].as_u64().context("shown")?,
        tried: total["tried"].as_u64().context("tried")?,
        stylist_calls: total["callsStylist"].as_u64().context("calls")?,
        complaints: total["complaints"].as_u64().context("complaints")?,
        open_hours: total["openHours"].as_u64().context("open hours")?,
    };
    assert_eq!(got, expected, "{report}");
    assert_eq!(total["bought"], 0);
    assert_eq!(total["avgCallSecs"], 120.0);
    assert_eq!(total["avgSessionSecs"], 300.0);
    let rows = report["rows"].as_array().context("rows")?;
    assert!(
        rows.iter()
            .all(|r| r["store"] == "demo-sh" && r["room"] == "Room 1"),
        "{report}"
    );

    // The page, as a browser gets it after the Basic prompt (any user, the token as password).
    let basic = format!("Basic {}", base64_encode(&format!("admin:{ADMIN_TOKEN}")));
    let (code, head, page) = http(
        relay.addr,
        "GET",
        "/admin/report?lang=zh-CN",
        &[("authorization", &basic)],
        "",
    )?;
    assert_eq!(code, 200, "{head}");
    assert!(page.contains("试衣间报表") && page.contains("Room 1"), "{page}");
    assert!(head.to_ascii_lowercase().contains("content-security-policy"));

    // A second relay restart changes nothing.
    relay.kill();
    let relay = Relay::start(port, &relay_dir)?;
    assert_eq!(report_totals(relay.addr)?["total"], *total);
    eprintln!("analytics round trip: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn base64_encode(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
