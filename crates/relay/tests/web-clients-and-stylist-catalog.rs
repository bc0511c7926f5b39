//! The relay serves the web clients with their security headers (503 when they are not built, nothing
//! outside their folder), and answers the stylist console's catalog search only with a live stylist
//! or staff session token.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::path::{Path, PathBuf};
use std::time::Duration;

use atelier_relay::server::{ServeOptions, serve};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

async fn start(web_dir: Option<PathBuf>, data: &Path) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = data.to_owned();
    tokio::spawn(async move {
        serve(
            listener,
            &path,
            ServeOptions {
                password_cost: atelier_relay::calls::PasswordCost::MINIMAL,
                demo: true,
                web_dir,
                ..ServeOptions::default()
            },
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    addr
}

/// Status line, headers (lower-cased names) and body of one GET.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn get(addr: std::net::SocketAddr, path: &str, extra: &str) -> Reply {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A built-looking web dir: the two pages and one asset.
fn web_dir(root: &Path) -> PathBuf {
    let dir = root.join("web");
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("join.html"), "<!doctype html><title>join</title>").unwrap();
    std::fs::write(dir.join("stylist.html"), "<!doctype html><title>stylist</title>").unwrap();
    std::fs::write(dir.join("assets/join-abc123.js"), "console.log(1)").unwrap();
    std::fs::write(root.join("secret.txt"), "not for the web").unwrap();
    dir
}

#[tokio::test]
async fn the_pages_come_with_strict_headers_and_nothing_else_is_served() {
    let tmp = tempfile::tempdir().unwrap();
    let addr = start(Some(web_dir(tmp.path())), &tmp.path().join("data")).await;

    for (path, title) in [("/join", "join"), ("/stylist", "stylist"), ("/join/", "join")] {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.body.contains(&format!("<title>{title}</title>")),
            "{path}: {}",
            r.body
        );
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(
            csp.contains(&format!("connect-src 'self' ws://{addr} wss://{addr};")),
            "{csp}"
        );
        assert!(!csp.contains("unsafe"), "{csp}");
    }

    let js = get(addr, "/web/assets/join-abc123.js", "").await;
    assert_eq!(js.status, 200);
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(js.header("content-security-policy").is_some());

    for path in [
        "/web/assets/..%2F..%2Fsecret.txt",
        "/web/assets/%2e%2e",
        "/web/assets/.hidden",
        "/web/assets/missing.js",
        "/web/join.html",
        "/web/assets/../../secret.txt",
    ] {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(!r.body.contains("not for the web"), "{path}");
    }
}

#[tokio::test]
async fn without_a_build_the_pages_say_so_with_503() {
    let tmp = tempfile::tempdir().unwrap();
    let addr = start(Some(tmp.path().join("nowhere")), &tmp.path().join("data")).await;
    for path in ["/join", "/stylist", "/web/assets/join-abc123.js"] {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, 503, "{path}");
        assert!(r.body.contains("not built"), "{}", r.body);
        assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    }
    let addr = start(None, &tmp.path().join("data2")).await;
    assert_eq!(get(addr, "/join", "").await.status, 503);
}

/// Signs in over `/call` and returns the session token.
async fn login(addr: std::net::SocketAddr, username: &str) -> String {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/call"))
        .await
        .unwrap();
    ws.send(Message::text(
        json!({"type": "login", "protocol": 1, "username": username, "password": "demo"}).to_string(),
    ))
    .await
    .unwrap();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap();
        if let Some(Ok(Message::Text(t))) = frame {
            let v: Value = serde_json::from_str(&t).unwrap();
            assert_eq!(v["type"], "authenticated", "{v}");
            return v["token"].as_str().unwrap().to_owned();
        }
    }
}

const CATALOG: &str = "\
sku,name_en,name_zh,category,gender,fit,pattern,material,style_tags,occasion_tags,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images,barcode
TOP-001,Modal T-shirt,莫代尔T恤,top,unisex,regular,solid,modal,classic,date,all,259.00,CNY,TOP-001-BLK-S,Black,黑色,16 0 0,S,demo-sh:4|demo-bj:1,tee.png,
TOP-001,Modal T-shirt,莫代尔T恤,top,unisex,regular,solid,modal,classic,date,all,259.00,CNY,TOP-001-BLK-M,Black,黑色,16 0 0,M,demo-sh:0|demo-bj:2,tee.png,
TOP-001,Modal T-shirt,莫代尔T恤,top,unisex,regular,solid,modal,classic,date,all,259.00,CNY,TOP-001-WHT-M,White,白色,95 0 0,M,demo-sh:3,tee.png,
BTM-007,Wide-leg trousers,阔腿裤,bottom,women,relaxed,solid,wool,minimal,work,autumn|winter,599.00,CNY,BTM-007-NVY-28,Navy,藏青,20 5 -30,28,demo-bj:5,,
";

/// A one-pixel PNG (the hub keeps images as published).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05,
    0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

#[tokio::test]
async fn catalog_search_needs_a_stylist_session_and_shows_the_stores_stock() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let csv = tmp.path().join("catalog.csv");
    std::fs::write(&csv, CATALOG).unwrap();
    std::fs::write(tmp.path().join("tee.png"), PNG).unwrap();
    let report = atelier_relay::catalog_hub::publish_file(&data, &csv).unwrap();
    assert_eq!(report.rows.valid_rows, 4, "{:?}", report.rows.rejections);
    let addr = start(None, &data).await;

    // No token, a wrong one, a friend's kind of text: 401.
    for extra in [
        "",
        "authorization: Bearer nope\r\n",
        "authorization: Basic ZGVtbzpkZW1v\r\n",
    ] {
        let r = get(addr, "/api/stylist/catalog?q=modal", extra).await;
        assert_eq!(r.status, 401, "{extra:?}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        assert!(!r.body.contains("TOP-001"));
    }
    let r = get(addr, &format!("/api/stylist/images/{}", "a".repeat(64)), "").await;
    assert_eq!(r.status, 401);

    let token = login(addr, "demo-stylist").await;
    let auth = format!("authorization: Bearer {token}\r\n");
    let r = get(addr, "/api/stylist/catalog?q=modal&store=demo-sh", &auth).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let found: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(found["total"], 1, "{found}");
    let p = &found["products"][0];
    assert_eq!(p["sku"], "TOP-001");
    assert_eq!(p["nameEn"], "Modal T-shirt");
    assert_eq!(p["nameZh"], "莫代尔T恤");
    assert_eq!(p["priceMinor"], 25900);
    assert_eq!(
        p["sizes"],
        json!([{"size": "S", "inStore": 4}, {"size": "M", "inStore": 3}])
    );
    assert_eq!(p["colours"][0]["nameEn"], "Black");
    assert_eq!(p["colours"][0]["inStore"], 4);
    assert_eq!(p["variants"].as_array().unwrap().len(), 3);

    // Chinese names and categories match too; another store's stock is its own.
    let q = "/api/stylist/catalog?q=%E9%98%94%E8%85%BF&store=demo-bj";
    let found: Value = serde_json::from_str(&get(addr, q, &auth).await.body).unwrap();
    assert_eq!(found["products"][0]["sku"], "BTM-007", "{found}");
    assert_eq!(found["products"][0]["sizes"][0]["inStore"], 5);
    let found: Value =
        serde_json::from_str(&get(addr, "/api/stylist/catalog?q=bottom", &auth).await.body).unwrap();
    assert_eq!(found["total"], 1, "{found}");

    // The thumbnail is the hub's copy, for the signed-in console only.
    let thumb = p["thumbnail"].as_str().expect("a thumbnail").to_owned();
    assert!(thumb.starts_with("/api/stylist/images/"), "{thumb}");
    let img = get(addr, &thumb, &auth).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type"), Some("image/png"));
    assert_eq!(get(addr, &thumb, "").await.status, 401);

    // Staff see their own store only.
    let staff = login(addr, "demo-staff").await;
    let staff_auth = format!("authorization: Bearer {staff}\r\n");
    assert_eq!(
        get(addr, "/api/stylist/catalog?q=modal&store=demo-sh", &staff_auth)
            .await
            .status,
        200
    );
    assert_eq!(
        get(addr, "/api/stylist/catalog?q=modal&store=demo-bj", &staff_auth)
            .await
            .status,
        403
    );
}
