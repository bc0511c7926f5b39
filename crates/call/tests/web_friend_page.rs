//! The friend page as the relay serves it (`/join`, built from `ui/web`), in headless Chromium with a
//! fake camera, against the real relay (demo kiosk) and the kiosk's call client with its board
//! ([`atelier_call::BoardHost`]): joining by the QR link and by the typed code, media both ways, a
//! vote on a card reaching the kiosk's tally, chat and a stroke, hostile data-channel messages
//! ignored while the call goes on, and the refusals (used, expired, unknown invite).
//!
//! Needs `node`/`npm` and `/usr/bin/chromium` (or `CHROMIUM_PATH`); fails, never skips, without.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use atelier_call::CallEvent;
use atelier_domain::board::VoteChoice;
use atelier_protocol::call::Role;

#[allow(dead_code)] // shared with the other Chromium tests
mod common;
mod web_common;

use common::{init_tracing, install_playwright, require_tools};
use web_common::{Kiosk, Pages, build_web, frames_decoded, reload_mid_call, start_relay};

const STATS: &str = "window.atelier ? window.atelier.stats() : null";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_joins_from_the_qr_link_votes_chats_draws_and_bad_messages_change_nothing() {
    init_tracing();
    let chromium = require_tools("the friend");
    install_playwright();
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let web = build_web(tmp.path());
    let addr = start_relay(&web, &tmp.path().join("relay"), None).await;
    let mut pages = Pages::start(&chromium).await;
    let kiosk = Kiosk::start(addr, "shopper-web-qr").await;
    kiosk
        .until("authenticated", |v| {
            v.events
                .iter()
                .any(|e| matches!(e, CallEvent::Authenticated))
                .then_some(())
        })
        .await;

    // The QR link: the token in the fragment.
    let (token, _, _) = kiosk.invite().await;
    pages.open("friend", &format!("http://{addr}/join#{token}")).await;
    let leg = kiosk.leg_started(Role::Friend).await;
    // The token left the address bar (a reload resumes instead of presenting it again).
    let href = pages.eval("friend", "location.href").await;
    assert!(!href.as_str().unwrap().contains(&token), "{href}");

    // Media both ways.
    pages
        .until("friend", STATS, "the shopper's video", |s| frames_decoded(s) > 5)
        .await;
    kiosk.first_video_from(leg).await;
    let peer_stats = kiosk.client.peer(leg).await.unwrap().stats().await;
    assert!(peer_stats.video_received.frames > 0, "{peer_stats:?}");
    assert!(peer_stats.video_sent.packets > 0, "{peer_stats:?}");
    eprintln!(
        "friend joined and media flows: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The board: welcomed, synced.
    pages
        .until("friend", "window.atelier.board()", "the board", |b| {
            b["open"] == true && b["state"].is_object()
        })
        .await;

    // A card from the stylist; the friend votes keep; the kiosk's tally counts it.
    kiosk.stand_in_stylist_pushes("TOP-001").await;
    let card = r#".card[data-sku="TOP-001"]"#;
    pages
        .until(
            "friend",
            &format!("!!document.querySelector('{card}')"),
            "the card",
            |v| v == true,
        )
        .await;
    pages
        .click("friend", &format!(r#"{card} button[data-vote="keep"]"#))
        .await;
    kiosk
        .until("the friend's keep vote", |v| {
            (v.board.tally("TOP-001").keep == 1).then_some(())
        })
        .await;
    pages
        .until(
            "friend",
            &format!(r#"document.querySelector('{card} [data-count="keep"]').textContent"#),
            "the tally on the page",
            |v| v == "1",
        )
        .await;

    // Chat: markup stays text on both sides.
    let line = "好看！<b>bold</b>";
    pages.fill("friend", ".chat-input", line).await;
    pages.click("friend", ".chat-form button").await;
    kiosk
        .until("the chat line", |v| {
            v.board.chat.iter().any(|m| m.text == line).then_some(())
        })
        .await;
    let shown = pages
        .until(
            "friend",
            "(() => { const li = document.querySelector('.chat-list li'); return li ? { text: li.textContent, html: li.innerHTML } : null })()",
            "the chat line on the page",
            |v| v.is_object(),
        )
        .await;
    assert!(shown["text"].as_str().unwrap().ends_with(line), "{shown}");
    assert!(shown["html"].as_str().unwrap().contains("&lt;b&gt;"), "{shown}");

    // A stroke over the video, normalised to 0–1.
    pages.click("friend", ".draw-toggle").await;
    pages
        .drag(
            "friend",
            "canvas.overlay",
            &[(0.3, 0.3), (0.4, 0.35), (0.5, 0.45), (0.6, 0.5)],
        )
        .await;
    let stroke = kiosk
        .until("the stroke", |v| v.board.strokes.first().cloned())
        .await;
    assert!(stroke.points.len() >= 2, "{stroke:?}");
    assert!(
        stroke
            .points
            .iter()
            .all(|p| (0.0..=1.0).contains(&p.0) && (0.0..=1.0).contains(&p.1)),
        "{stroke:?}"
    );

    // Hostile messages on the data channel: malformed, over the board's 8 KiB (refused by the board),
    // over the channel's 16 KiB (dropped by the kiosk's peer before parsing). Nothing changes.
    let seq_before = kiosk.view.lock().unwrap().seq;
    pages
        .eval(
            "friend",
            r#"(() => { const ch = window.atelier.boardChannel(); ch.send('{"type":"vote","sku":'); ch.send(JSON.stringify({type:'chat', text:'x'.repeat(10000)})); ch.send(JSON.stringify({type:'chat', text:'y'.repeat(20000)})); return true })()"#,
        )
        .await;
    kiosk
        .until("the board's two refusals", |v| (v.refused >= 2).then_some(()))
        .await;
    assert_eq!(
        kiosk.view.lock().unwrap().seq,
        seq_before,
        "the board is unchanged"
    );
    // The call goes on: the friend changes their mind, and video keeps coming.
    let frames = frames_decoded(&pages.eval("friend", STATS).await);
    pages
        .click("friend", &format!(r#"{card} button[data-vote="sizeUp"]"#))
        .await;
    kiosk
        .until("the changed vote", |v| {
            let s = &v.board;
            let by_friend = s.votes.iter().find(|i| i.sku == "TOP-001")?.votes.first()?.choice;
            (by_friend == VoteChoice::SizeUp && s.tally("TOP-001").keep == 0).then_some(())
        })
        .await;
    pages
        .until("friend", STATS, "more video", |s| frames_decoded(s) > frames + 5)
        .await;

    // The friend reloads the page mid-call: it resumes its leg without a peer connection, the kiosk
    // builds a new one, and media flows both ways again; the board comes back with the card.
    reload_mid_call(&mut pages, &kiosk, "friend", leg).await;
    pages
        .until(
            "friend",
            &format!("!!document.querySelector('{card}')"),
            "the card after the reload",
            |v| v == true,
        )
        .await;

    // Leaving ends the leg.
    pages.click("friend", "header button.danger").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_joins_by_code_and_the_same_code_is_then_refused() {
    init_tracing();
    let chromium = require_tools("the friend");
    install_playwright();
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let web = build_web(tmp.path());
    let addr = start_relay(&web, &tmp.path().join("relay"), None).await;
    let mut pages = Pages::start(&chromium).await;
    let kiosk = Kiosk::start(addr, "shopper-web-code").await;
    let (_, code, _) = kiosk.invite().await;

    // Typed as people do: lower case, with a dash.
    let typed = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();
    pages.open("friend", &format!("http://{addr}/join")).await;
    pages.fill("friend", ".code-input", &typed).await;
    pages.fill("friend", "input[name=name]", "Lin").await;
    pages.click("friend", ".join-form button.primary").await;
    let leg = kiosk.leg_started(Role::Friend).await;
    pages
        .until("friend", STATS, "the shopper's video", |s| frames_decoded(s) > 5)
        .await;
    kiosk.first_video_from(leg).await;
    let named = kiosk
        .until("the friend's name on the board", |v| {
            v.board.participants.first().map(|p| p.name.clone())
        })
        .await;
    assert_eq!(named, "Lin");

    // Someone else tries the same code: refused, in words, in their language.
    pages.open("late", &format!("http://{addr}/join")).await;
    pages.fill("late", ".code-input", &code).await;
    pages.click("late", ".join-form button.primary").await;
    pages
        .until("late", "window.atelier.refusal()", "the refusal", |v| {
            v == "inviteUsed"
        })
        .await;
    let text = pages
        .eval("late", "document.querySelector('.refusal').textContent")
        .await;
    assert!(text.as_str().unwrap().contains("already been used"), "{text}");
    pages.click("late", "button.lang").await;
    let text = pages
        .eval("late", "document.querySelector('.refusal').textContent")
        .await;
    assert!(text.as_str().unwrap().contains("已被使用"), "{text}");
    // The first friend is still in the call.
    assert_eq!(pages.eval("friend", "window.atelier.phase()").await, "call");
    eprintln!("whole test {:.1} s", started.elapsed().as_secs_f64());
    kiosk.stop();
    pages.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_unknown_invites_are_refused_in_words() {
    init_tracing();
    let chromium = require_tools("the friend");
    install_playwright();
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let web = build_web(tmp.path());
    // Invites last one second here (ten minutes in real use).
    let addr = start_relay(&web, &tmp.path().join("relay"), Some(Duration::from_secs(1))).await;
    let mut pages = Pages::start(&chromium).await;
    let kiosk = Kiosk::start(addr, "shopper-web-expiry").await;
    let (token, _, expires_at_ms) = kiosk.invite().await;

    // Wait out the expiry the relay announced.
    let now_ms = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    let remaining_ms = (expires_at_ms + 50).saturating_sub(now_ms());
    tokio::time::sleep(Duration::from_millis(remaining_ms)).await;
    pages.open("friend", &format!("http://{addr}/join#{token}")).await;
    pages
        .until("friend", "window.atelier.refusal()", "the refusal", |v| {
            v == "inviteExpired"
        })
        .await;
    let text = pages
        .eval("friend", "document.querySelector('.refusal').textContent")
        .await;
    assert!(text.as_str().unwrap().contains("expired"), "{text}");

    pages
        .open("stranger", &format!("http://{addr}/join#not-a-real-invite-token"))
        .await;
    pages
        .until("stranger", "window.atelier.refusal()", "the refusal", |v| {
            v == "inviteUnknown"
        })
        .await;
    assert!(
        kiosk
            .view
            .lock()
            .unwrap()
            .events
            .iter()
            .all(|e| !matches!(e, CallEvent::LegStarted { .. })),
        "nobody got in"
    );
    eprintln!("whole test {:.1} s", started.elapsed().as_secs_f64());
    kiosk.stop();
    pages.quit().await;
}
