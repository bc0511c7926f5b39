//! The stylist console as the relay serves it (`/stylist`, built from `ui/web`), in headless Chromium
//! with a fake camera, against the real relay (demo accounts, a published catalog) and the kiosk's
//! call client with its board ([`atelier_call::BoardHost`]): sign in, go on duty, see the kiosk's
//! request with its context, accept, media both ways, search the catalog and push a card, draw a
//! stroke, then lose the socket: the console resumes, the kiosk restarts ICE, and the board changes
//! the console missed meanwhile arrive by `sync`.
//!
//! Needs `node`/`npm` and `/usr/bin/chromium` (or `CHROMIUM_PATH`); fails, never skips, without.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::path::Path;
use std::time::Instant;

use atelier_call::CallEvent;
use atelier_domain::board::{LocalAction, Role as BoardRole};
use atelier_protocol::call::{LookOnScreen, LookSummary, RequestContext, Role, Sku};

#[allow(dead_code)] // shared with the other Chromium tests
mod common;
mod web_common;

use common::{init_tracing, install_playwright, require_tools};
use web_common::{Kiosk, Pages, build_web, frames_decoded, reload_mid_call, start_relay};

const STATS: &str = "window.atelier ? window.atelier.stats() : null";

/// Two products of the demo catalog (their images too), published on the relay's hub.
fn publish_catalog(data: &Path, work: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-catalog");
    let all = std::fs::read_to_string(demo.join("catalog.csv")).unwrap();
    let mut lines = all.lines();
    let mut csv = format!("{}\n", lines.next().unwrap());
    for l in lines.filter(|l| l.starts_with("TOP-001,") || l.starts_with("TOP-002,")) {
        csv.push_str(l);
        csv.push('\n');
    }
    std::fs::create_dir_all(work.join("images")).unwrap();
    for img in ["top-001.png", "top-002.png"] {
        std::fs::copy(demo.join("images").join(img), work.join("images").join(img)).unwrap();
    }
    let file = work.join("catalog.csv");
    std::fs::write(&file, csv).unwrap();
    std::fs::create_dir_all(data).unwrap();
    let report = atelier_relay::catalog_hub::publish_file(data, &file).unwrap();
    assert_eq!(report.rows.valid_rows, 10, "{:?}", report.rows.rejections);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stylist_takes_the_call_pushes_a_card_draws_and_catches_up_after_losing_the_socket() {
    init_tracing();
    let chromium = require_tools("the stylist");
    install_playwright();
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let web = build_web(tmp.path());
    let data = tmp.path().join("relay");
    publish_catalog(&data, tmp.path());
    let addr = start_relay(&web, &data, None).await;
    let mut pages = Pages::start(&chromium).await;
    let kiosk = Kiosk::start(addr, "shopper-web-stylist").await;

    // Sign in and go on duty.
    pages.open("stylist", &format!("http://{addr}/stylist")).await;
    pages
        .fill("stylist", "input[name=username]", "demo-stylist")
        .await;
    pages.fill("stylist", "input[name=password]", "demo").await;
    pages.click("stylist", ".login-form button.primary").await;
    pages
        .until("stylist", "window.atelier.signedIn()", "signed in", |v| v == true)
        .await;
    pages.click("stylist", ".duty-toggle").await;
    pages
        .until(
            "stylist",
            "document.querySelector('.queue').textContent",
            "the (empty) queue",
            |v| v.as_str().is_some_and(|t| t.contains("0 waiting")),
        )
        .await;

    // The shopper asks; the console shows where from and what they tried on.
    kiosk
        .client
        .request_stylist(RequestContext {
            garments: vec![Sku::new("TOP-001").unwrap(), Sku::new("TOP-002").unwrap()],
            look: Some(LookOnScreen {
                id: None,
                summary: Some(LookSummary::new("white tee, wide-leg trousers").unwrap()),
            }),
        })
        .await
        .unwrap();
    let entry = pages
        .until(
            "stylist",
            "(() => { const e = document.querySelector('.queue .entry'); return e ? e.textContent : null })()",
            "the request in the queue",
            |v| v.is_string(),
        )
        .await;
    let entry = entry.as_str().unwrap();
    for part in [
        "demo-sh",
        "Room 1",
        "TOP-001, TOP-002",
        "white tee, wide-leg trousers",
        "Waiting 0:0",
    ] {
        assert!(entry.contains(part), "{part:?} not in {entry:?}");
    }
    pages.click("stylist", ".queue .entry button.accept").await;
    let leg = kiosk.leg_started(Role::Stylist).await;
    pages
        .until("stylist", STATS, "the shopper's video", |s| frames_decoded(s) > 5)
        .await;
    kiosk.first_video_from(leg).await;
    pages
        .until("stylist", "window.atelier.board()", "the board", |b| {
            b["open"] == true && b["state"].is_object()
        })
        .await;
    eprintln!(
        "accepted and media flows: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The catalog, searched with this store's stock; a card pushed with a size and a note.
    pages.fill("stylist", ".search-input", "modal").await;
    pages.click("stylist", ".search-form button").await;
    let product = r#".product[data-sku="TOP-001"]"#;
    // The answer to "modal" (one product), not the list shown when the call started.
    let listed = pages
        .until(
            "stylist",
            &format!("(() => {{ const all = document.querySelectorAll('.results .product'); const p = document.querySelector('{product}'); return all.length === 1 && p ? p.textContent : null }})()"),
            "the product",
            |v| v.is_string(),
        )
        .await;
    assert!(
        listed.as_str().unwrap().contains("M: 3"),
        "the store's stock per size: {listed}"
    );
    pages
        .until(
            "stylist",
            &format!("(() => {{ const i = document.querySelector('{product} img.thumb'); return !!(i && i.src.startsWith('blob:') && i.naturalWidth > 0) }})()"),
            "the thumbnail",
            |v| v == true,
        )
        .await;
    pages
        .eval(
            "stylist",
            &format!("document.querySelector('{product} select.size').value = 'M'"),
        )
        .await;
    pages
        .fill(
            "stylist",
            &format!("{product} .note-input"),
            "A size up for the shoulders",
        )
        .await;
    pages.click("stylist", &format!("{product} button.push")).await;
    let card = kiosk.until("the card", |v| v.board.cards.first().cloned()).await;
    assert_eq!(card.sku, "TOP-001");
    assert_eq!(card.size.as_deref(), Some("M"));
    assert_eq!(card.note.as_deref(), Some("A size up for the shoulders"));
    let by = kiosk
        .view
        .lock()
        .unwrap()
        .board
        .participant(card.by)
        .cloned()
        .unwrap();
    assert_eq!(by.role, BoardRole::Stylist);

    // An annotation over the shopper's video.
    pages
        .drag(
            "stylist",
            "canvas.overlay",
            &[(0.2, 0.6), (0.3, 0.55), (0.45, 0.5), (0.6, 0.52)],
        )
        .await;
    let stroke = kiosk
        .until("the stroke", |v| v.board.strokes.first().cloned())
        .await;
    assert_eq!(stroke.by, card.by);
    assert!(stroke.points.len() >= 2, "{stroke:?}");

    // The console's socket drops. While it is away the shopper dismisses the card, and the kiosk
    // cannot tell the console.
    pages.eval("stylist", "window.atelier.dropSocket()").await;
    kiosk
        .until("the stylist away", |v| v.away.contains(&leg).then_some(()))
        .await;
    kiosk.local(LocalAction::DismissCard(card.id)).await;
    kiosk
        .until("the dismissal held back", |v| {
            (v.board.cards.is_empty() && v.withheld > 0).then_some(())
        })
        .await;
    // It comes back by itself (resume), the kiosk restarts ICE, and the console catches up by sync.
    kiosk
        .until("the stylist back", |v| {
            v.events
                .iter()
                .any(|e| matches!(e, CallEvent::PeerRejoined { leg: l, .. } if *l == leg))
                .then_some(())
        })
        .await;
    let kiosk_seq = kiosk.view.lock().unwrap().seq;
    pages
        .until("stylist", "window.atelier.board()", "the board caught up", |b| {
            b["lastSeq"] == kiosk_seq && b["state"]["cards"].as_array().is_some_and(|c| c.is_empty())
        })
        .await;
    assert_eq!(
        pages.eval("stylist", "window.atelier.socketState()").await,
        "open"
    );
    let frames = frames_decoded(&pages.eval("stylist", STATS).await);
    pages
        .until("stylist", STATS, "video after the ICE restart", |s| {
            frames_decoded(s) > frames + 5 && s["connectionState"] == "connected"
        })
        .await;
    // And the console still works on the board.
    pages.click("stylist", &format!("{product} button.push")).await;
    kiosk
        .until("a second card", |v| (v.board.cards.len() == 1).then_some(()))
        .await;

    // The stylist reloads the console mid-call: it signs itself back in (session token), gets the
    // whole leg again, and both ends build new peer connections; video flows both ways and the board
    // is back with the card.
    reload_mid_call(&mut pages, &kiosk, "stylist", leg).await;
    pages
        .until(
            "stylist",
            "window.atelier.board()",
            "the board after the reload",
            |b| b["open"] == true && b["state"]["cards"].as_array().is_some_and(|c| c.len() == 1),
        )
        .await;

    // The stylist ends the call.
    pages.click("stylist", ".hang-up").await;
    kiosk
        .until("the leg to end", |v| {
            v.events
                .iter()
                .any(|e| matches!(e, CallEvent::LegEnded { leg: l, .. } if *l == leg))
                .then_some(())
        })
        .await;
    eprintln!("whole test {:.1} s", started.elapsed().as_secs_f64());
    kiosk.stop();
    pages.quit().await;
}
