//! Head office publishes the catalog to a running relay over HTTP (`POST /api/catalog/publish`, admin
//! token), by hand and with `atelier-relay catalog publish FILE --relay URL`: kiosks see the new
//! version; a bad token, an oversized body or a second publish at the same time publish nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use atelier_relay::analytics::AdminToken;
use atelier_relay::calls::{DEMO_DEVICE_ID, DEMO_DEVICE_KEY, PasswordCost};
use atelier_relay::server::{MAX_PUBLISH_BYTES, ServeOptions, UPLOAD_DIR, serve};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "head-office-0123456789";

const HEADER: &str = "sku,name_en,name_zh,category,gender,fit,pattern,material,style_tags,occasion_tags,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images,barcode\n";

/// Four variants of two products; the T-shirt shows `tee.png`.
fn catalog(trousers_price: &str) -> String {
    format!(
        "{HEADER}\
TOP-001,Modal T-shirt,莫代尔T恤,top,unisex,regular,solid,modal,classic,date,all,259.00,CNY,TOP-001-BLK-S,Black,黑色,16 0 0,S,demo-sh:4|demo-bj:1,tee.png,
TOP-001,Modal T-shirt,莫代尔T恤,top,unisex,regular,solid,modal,classic,date,all,259.00,CNY,TOP-001-BLK-M,Black,黑色,16 0 0,M,demo-sh:0|demo-bj:2,tee.png,
TOP-001,Modal T-shirt,莫代尔T恤,top,unisex,regular,solid,modal,classic,date,all,259.00,CNY,TOP-001-WHT-M,White,白色,95 0 0,M,demo-sh:3,tee.png,
BTM-007,Wide-leg trousers,阔腿裤,bottom,women,relaxed,solid,wool,minimal,work,autumn|winter,{trousers_price},CNY,BTM-007-NVY-28,Navy,藏青,20 5 -30,28,demo-bj:5,,
"
    )
}

/// A one-pixel PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05,
    0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

/// A demo relay (the demo kiosk is enrolled) with [`TOKEN`] as its admin token, or none.
async fn start_with(data: &Path, admin_token: Option<&str>, max_publish_bytes: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = data.to_owned();
    let options = ServeOptions {
        password_cost: PasswordCost::MINIMAL,
        demo: admin_token.is_some(),
        admin_token: admin_token.map(AdminToken::new),
        max_publish_bytes,
        ..ServeOptions::default()
    };
    tokio::spawn(async move {
        serve(listener, &path, options, std::future::pending())
            .await
            .unwrap();
    });
    addr
}

async fn start(max_publish_bytes: u64) -> (SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_with(dir.path(), Some(TOKEN), max_publish_bytes).await;
    (addr, dir)
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }
}

fn parse(raw: &str) -> Reply {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

async fn read_all(s: &mut TcpStream) -> Reply {
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    parse(&String::from_utf8_lossy(&out))
}

/// One HTTP/1.1 request with a body of known length.
async fn request(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "{head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    s.write_all(body).await.unwrap();
    read_all(&mut s).await
}

/// `POST /api/catalog/publish` with the admin token.
async fn publish(addr: SocketAddr, query: &str, content_type: &str, body: &str) -> Reply {
    request(
        addr,
        &format!(
            "POST /api/catalog/publish{query} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: {content_type}"
        ),
        body.as_bytes(),
    )
    .await
}

/// What the demo kiosk pulls from version 0.
async fn delta(addr: SocketAddr) -> Value {
    let r = request(
        addr,
        &format!(
            "GET /api/catalog/delta?since=0 HTTP/1.1\r\nx-atelier-device: {DEMO_DEVICE_ID}\r\nAuthorization: Bearer {DEMO_DEVICE_KEY}"
        ),
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// Uploads still on disk.
fn uploads(data: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(data.join(UPLOAD_DIR)) {
        Ok(d) => d
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".publish-"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_catalog_reaches_the_kiosks() {
    let (addr, dir) = start(MAX_PUBLISH_BYTES).await;
    // Images are read from the upload folder on the relay, and only from there.
    std::fs::create_dir_all(dir.path().join(UPLOAD_DIR)).unwrap();
    std::fs::write(dir.path().join(UPLOAD_DIR).join("tee.png"), PNG).unwrap();

    let r = publish(addr, "", "text/csv; charset=utf-8", &catalog("599.00")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.head.contains("content-type: application/json"), "{}", r.head);
    let s = r.json();
    assert_eq!(
        (
            &s["version"],
            &s["changed"],
            &s["deleted"],
            &s["unchanged"],
            &s["rejected"]
        ),
        (&1.into(), &4.into(), &0.into(), &0.into(), &0.into()),
        "{s}"
    );
    assert_eq!(
        (&s["imagesStored"], &s["imagesMissing"]),
        (&1.into(), &0.into()),
        "{s}"
    );
    assert!(uploads(dir.path()).is_empty(), "the upload is deleted");

    let d = delta(addr).await;
    assert_eq!(d["latest"], 1, "{d}");
    let changes = d["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 4, "{d}");
    assert!(
        d.to_string().contains("hub:"),
        "the image is served by the hub: {d}"
    );

    // The same catalog as JSON Lines (the format from the query), the trousers' price changed.
    let jsonl: String = catalog("649.00")
        .lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = HEADER.trim().split(',').collect();
            let vals: Vec<&str> = line.split(',').collect();
            let obj: serde_json::Map<String, Value> = cols
                .iter()
                .zip(vals)
                .map(|(c, v)| ((*c).to_owned(), Value::from(v)))
                .collect();
            format!("{}\n", Value::Object(obj))
        })
        .collect();
    let r = publish(addr, "?format=jsonl", "application/octet-stream", &jsonl).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert_eq!(
        (&s["version"], &s["changed"], &s["unchanged"]),
        (&2.into(), &1.into(), &3.into()),
        "{s}"
    );
    let d = delta(addr).await;
    assert_eq!(d["latest"], 2, "{d}");

    // No format given: 415, nothing published.
    let r = publish(addr, "", "application/octet-stream", &catalog("1.00")).await;
    assert_eq!(r.status, 415, "{}", r.body);
    assert!(
        r.json()["error"].as_str().unwrap().contains("format"),
        "{}",
        r.body
    );
    assert_eq!(delta(addr).await["latest"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_admin_token_nothing_is_published() {
    let (addr, dir) = start(MAX_PUBLISH_BYTES).await;
    let body = catalog("599.00");
    for auth in [
        String::new(),
        "Authorization: Bearer head-office-0123456788\r\n".to_owned(),
        format!("Authorization: {TOKEN}\r\n"),
        format!("Authorization: Bearer {DEMO_DEVICE_KEY}\r\n"),
    ] {
        let r = request(
            addr,
            &format!("POST /api/catalog/publish?format=csv HTTP/1.1\r\n{auth}Content-Type: text/csv"),
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 401, "{auth:?}: {}", r.body);
        assert!(r.head.contains("www-authenticate: bearer"), "{}", r.head);
        assert!(r.json()["error"].as_str().unwrap().contains("admin token"));
    }
    assert_eq!(delta(addr).await["latest"], 0);
    assert!(uploads(dir.path()).is_empty());

    // A relay without an admin token takes no publish at all.
    let other = tempfile::tempdir().unwrap();
    let addr = start_with(other.path(), None, MAX_PUBLISH_BYTES).await;
    let r = publish(addr, "", "text/csv", &body).await;
    assert_eq!(r.status, 503, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_listed_by_line_and_the_good_ones_publish() {
    let (addr, dir) = start(MAX_PUBLISH_BYTES).await;
    let mut lines: Vec<String> = catalog("599.00").lines().map(str::to_owned).collect();
    // Line 3: a negative price; line 5: no such category. Both are their own product.
    lines.insert(
        2,
        "BAD-001,Bad,坏,top,unisex,regular,solid,,,,all,-1.00,CNY,BAD-001-S,Black,黑色,16 0 0,S,,,".into(),
    );
    lines.insert(
        4,
        "BAD-002,Bad,坏,cape,unisex,regular,solid,,,,all,1.00,CNY,BAD-002-S,Black,黑色,16 0 0,S,,,".into(),
    );
    // Images that are not in the upload folder: a missing one, and paths leading out of it.
    lines.push(
        "BAG-001,Tote,托特包,bag,women,regular,solid,,,,all,99.00,CNY,BAG-001-ONE,Tan,棕色,60 10 20,ONE,,absent.png|../relay.sqlite|/etc/hostname,".into(),
    );
    let body = lines.join("\n") + "\n";
    let r = publish(addr, "", "text/csv", &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert_eq!((&s["changed"], &s["rejected"]), (&5.into(), &2.into()), "{s}");
    let rejections = s["rejections"].as_array().unwrap();
    assert_eq!(rejections.len(), 2, "{s}");
    assert_eq!(rejections[0]["line"], 3, "{s}");
    assert!(rejections[0]["reason"].as_str().unwrap().contains("price"), "{s}");
    assert_eq!(rejections[1]["line"], 5, "{s}");
    assert!(
        rejections[1]["reason"].as_str().unwrap().contains("category"),
        "{s}"
    );
    assert_eq!(s["imagesMissing"], 4, "{s}");
    let missing = s["missingImages"].as_array().unwrap();
    let why = |image: &str| {
        missing
            .iter()
            .find(|m| m["image"] == image)
            .map(|m| m["reason"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{image} not listed: {s}"))
    };
    assert!(why("../relay.sqlite").contains("inside the upload folder"));
    assert!(why("/etc/hostname").contains("inside the upload folder"));
    assert_eq!(why("absent.png"), "no such file on the relay");
    let images = dir.path().join("catalog-images");
    assert!(
        !images.exists() || std::fs::read_dir(&images).unwrap().next().is_none(),
        "nothing outside the upload folder was copied into the image store"
    );
    assert_eq!(delta(addr).await["changes"].as_array().unwrap().len(), 5);

    // Not one valid row: 400 with the rejections, and the catalog stays as it was.
    let r = publish(addr, "", "text/csv", &format!("{HEADER}{}\n", lines[2])).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let s = r.json();
    assert_eq!(s["error"], "no valid row: nothing published", "{s}");
    assert_eq!(s["rejections"][0]["line"], 2, "{s}");
    assert_eq!(s["version"], 1, "{s}");
    // A file without the required columns: 400 saying which.
    let r = publish(addr, "", "text/csv", "sku,name_en\nX,Y\n").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"].as_str().unwrap().contains("column"),
        "{}",
        r.body
    );
    let d = delta(addr).await;
    assert_eq!(
        (d["latest"].clone(), d["changes"].as_array().unwrap().len()),
        (1.into(), 5)
    );
    assert!(uploads(dir.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_catalog_is_refused_with_413() {
    let cap = 2048;
    let (addr, dir) = start(cap).await;
    let head = |length: &str| {
        format!(
            "POST /api/catalog/publish?format=csv HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n{length}\r\n"
        )
    };

    // Announced too large: refused before a byte of it is read.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(head(&format!("Content-Length: {}\r\n", cap + 1)).as_bytes())
        .await
        .unwrap();
    let r = read_all(&mut s).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(
        r.json()["error"].as_str().unwrap().contains("2048 bytes"),
        "{}",
        r.body
    );

    // Sent in chunks without a length: refused once the cap is passed, and the part is deleted.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(head("Transfer-Encoding: chunked\r\n").as_bytes())
        .await
        .unwrap();
    let chunk = "a".repeat(1000);
    for _ in 0..3 {
        s.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
            .await
            .unwrap();
    }
    let r = read_all(&mut s).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(uploads(dir.path()).is_empty());
    assert_eq!(delta(addr).await["latest"], 0);

    // A catalog under the cap still publishes (the refused ones freed the slot).
    let body = catalog("599.00");
    assert!(body.len() as u64 <= cap);
    let r = publish(addr, "", "text/csv", &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Sends the head of a publish that expects `100 Continue`, and waits for it: the relay then holds
/// the publish slot and is reading the body.
async fn begin_publish(addr: SocketAddr, length: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST /api/catalog/publish HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: text/csv\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: {length}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    while !got.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(s.read(&mut byte).await.unwrap(), 1, "closed before 100 Continue");
        got.push(byte[0]);
    }
    assert!(
        got.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_publish_at_a_time_the_other_gets_409() {
    let (addr, dir) = start(MAX_PUBLISH_BYTES).await;
    let body = catalog("599.00");

    // A is uploading; B is refused at once; A then finishes.
    let mut a = begin_publish(addr, body.len()).await;
    let b = publish(addr, "", "text/csv", &catalog("1.00")).await;
    assert_eq!(b.status, 409, "{}", b.body);
    assert!(
        b.json()["error"]
            .as_str()
            .unwrap()
            .contains("another catalog publish")
    );
    a.write_all(body.as_bytes()).await.unwrap();
    let a = read_all(&mut a).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["version"], 1);

    // A client that hangs up mid-upload frees the slot, and leaves no file behind.
    let mut c = begin_publish(addr, body.len()).await;
    c.write_all(&body.as_bytes()[..body.len() / 2]).await.unwrap();
    drop(c);
    let mut tries = 0;
    let d = loop {
        let d = publish(addr, "", "text/csv", &catalog("649.00")).await;
        if d.status != 409 || tries == 50 {
            break d;
        }
        tries += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(
        (&d.json()["version"], &d.json()["changed"]),
        (&2.into(), &1.into())
    );
    // Version 2 after A's 1: B's catalog never published.
    assert!(uploads(dir.path()).is_empty());
}

/// Runs `atelier-relay` with `args`: (success, stdout, stderr).
async fn cli(args: &[&str], token_env: Option<&str>) -> (bool, String, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_atelier-relay"));
    cmd.args(args).env_remove("ATELIER_ADMIN_TOKEN");
    if let Some(t) = token_env {
        cmd.env("ATELIER_ADMIN_TOKEN", t);
    }
    let out = cmd.output().await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_publishes_to_a_running_relay_and_prints_what_the_local_mode_prints() {
    let (addr, _dir) = start(MAX_PUBLISH_BYTES).await;
    let work = tempfile::tempdir().unwrap();
    // Without images, so the local and the remote publish agree line for line.
    let file = work.path().join("catalog.csv");
    std::fs::write(&file, catalog("599.00").replace("tee.png", "")).unwrap();
    let file = file.to_str().unwrap();
    let token_file = work.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let relay = format!("http://{addr}/");

    let (ok, remote_out, err) = cli(
        &[
            "catalog",
            "publish",
            file,
            "--relay",
            &relay,
            "--token-file",
            token_file.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert!(ok, "{err}");
    assert!(
        remote_out.contains("catalog version 1 · changed 4 · deleted 0 · unchanged 0 · rejected 0"),
        "{remote_out}"
    );
    assert_eq!(delta(addr).await["latest"], 1);

    let local = work.path().join("local-relay");
    let (ok, local_out, err) = cli(
        &["--data-dir", local.to_str().unwrap(), "catalog", "publish", file],
        None,
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(local_out, remote_out);

    // The token from the environment; a wrong one fails with the relay's reason.
    let bad_rows = work.path().join("bad.csv");
    std::fs::write(
        &bad_rows,
        format!(
            "{HEADER}TOP-001,T,T,top,unisex,regular,solid,,,,all,-5,CNY,TOP-001-S,Black,黑色,16 0 0,S,,,\n"
        ),
    )
    .unwrap();
    let bad_rows = bad_rows.to_str().unwrap();
    let (ok, _, err) = cli(
        &["catalog", "publish", file, "--relay", &relay],
        Some("not-the-token-000"),
    )
    .await;
    assert!(!ok);
    assert!(err.contains("401") && err.contains("admin token"), "{err}");
    let (ok, out, err) = cli(&["catalog", "publish", bad_rows, "--relay", &relay], Some(TOKEN)).await;
    assert!(!ok, "{out}");
    assert!(err.contains(&format!("{bad_rows}:2: rejected: price")), "{err}");
    assert!(err.contains("no valid row"), "{err}");
    assert!(out.contains("rejected 1"), "{out}");
    let (ok, _, err) = cli(&["catalog", "publish", file, "--relay", &relay], None).await;
    assert!(!ok);
    assert!(err.contains("ATELIER_ADMIN_TOKEN"), "{err}");
    assert_eq!(delta(addr).await["latest"], 1);

    // A relay that takes less than the file answers before the file is sent.
    let small = tempfile::tempdir().unwrap();
    let small_addr = start_with(small.path(), Some(TOKEN), 100).await;
    let (ok, _, err) = cli(
        &[
            "catalog",
            "publish",
            file,
            "--relay",
            &format!("http://{small_addr}"),
        ],
        Some(TOKEN),
    )
    .await;
    assert!(!ok);
    assert!(err.contains("413") && err.contains("100 bytes"), "{err}");
}
