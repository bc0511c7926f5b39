//! The stylist queue: requests, places and waits, accept, decline, cancel, stores.

use atelier_protocol::call::{
    CallErrorCode, ClientMessage, QueueEntry, RequestEndReason, RequestId, Role, ServerMessage,
};

use super::*;

/// The kiosk's latest status: (position, expected wait, on duty).
fn status(sim: &mut Sim, kiosk: ConnectionId) -> Option<(u32, Option<u32>, u32)> {
    sim.take(kiosk).into_iter().rev().find_map(|m| match m {
        ServerMessage::QueueStatus {
            position,
            expected_wait_secs,
            on_duty,
            ..
        } => Some((position, expected_wait_secs, on_duty)),
        _ => None,
    })
}

/// The stylist's latest queue view.
fn queue_view(sim: &mut Sim, stylist: ConnectionId) -> Option<(Vec<QueueEntry>, u32)> {
    sim.take(stylist).into_iter().rev().find_map(|m| match m {
        ServerMessage::Queue { entries, total, .. } => Some((entries, total)),
        _ => None,
    })
}

#[test]
fn a_request_is_told_its_place_and_that_nobody_is_on_duty() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(k, request(&["TEE-1"]));
    assert_eq!(status(&mut sim, k), Some((1, None, 0)));
    assert_eq!(sim.core.queue_len(), 1);
}

#[test]
fn places_and_waits_follow_the_queue() {
    let mut sim = Sim::new();
    let k1 = sim.kiosk("k1");
    let k2 = sim.kiosk("k2");
    let k3 = sim.kiosk("k3");
    sim.send(k1, request(&[]));
    sim.send(k2, request(&[]));
    sim.send(k3, request(&[]));
    assert_eq!(status(&mut sim, k3), Some((3, None, 0)));
    // A stylist comes on duty: default 120 s per stylist.
    sim.on_duty("mei");
    assert_eq!(status(&mut sim, k1), Some((1, Some(120), 1)));
    assert_eq!(status(&mut sim, k3), Some((3, Some(360), 1)));
    // A second one halves the waits.
    sim.on_duty("jun");
    assert_eq!(status(&mut sim, k3), Some((3, Some(180), 2)));
    // The first cancels: the others move up.
    sim.send(k1, ClientMessage::CancelRequest);
    let got = sim.take(k1);
    assert!(
        got.iter().any(|m| matches!(
            m,
            ServerMessage::RequestEnded {
                reason: RequestEndReason::Cancelled,
                ..
            }
        )),
        "{got:?}"
    );
    assert_eq!(status(&mut sim, k2), Some((1, Some(60), 2)));
    assert_eq!(status(&mut sim, k3), Some((2, Some(120), 2)));
}

#[test]
fn unchanged_statuses_are_not_resent() {
    let mut sim = Sim::new();
    let k1 = sim.kiosk("k1");
    sim.send(k1, request(&[]));
    sim.take(k1);
    let k2 = sim.kiosk("k2");
    sim.send(k2, request(&[]));
    assert!(sim.take(k1).is_empty());
}

#[test]
fn on_duty_stylists_see_the_queue_with_its_context() {
    let mut sim = Sim::new();
    let s = sim.on_duty("mei");
    let k = sim.kiosk("k1");
    sim.send(k, request(&["TEE-1", "JKT-9"]));
    let (entries, total) = queue_view(&mut sim, s).unwrap();
    assert_eq!(total, 1);
    let e = &entries[0];
    assert_eq!(e.position, 1);
    assert_eq!(e.waiting_since_ms, T0.0);
    assert_eq!(e.view.store_id.as_str(), "s1");
    assert_eq!(e.view.room.as_str(), "Room 1");
    assert_eq!(e.view.context.garments.len(), 2);
    // Off duty: no more views.
    sim.send(s, ClientMessage::SetDuty { on_duty: false });
    sim.take(s);
    let k2 = sim.kiosk("k2");
    sim.send(k2, request(&[]));
    assert!(queue_view(&mut sim, s).is_none());
}

#[test]
fn the_queue_view_lists_colleagues_on_duty() {
    let mut sim = Sim::new();
    let s = sim.on_duty("mei");
    sim.on_duty("jun");
    let got = sim.take(s);
    let Some(ServerMessage::Queue { on_duty, .. }) = got.last() else {
        panic!("{got:?}")
    };
    let names: Vec<&str> = on_duty.iter().map(|c| c.username.as_str()).collect();
    assert_eq!(names, vec!["jun", "mei"]);
    assert!(on_duty.iter().all(|c| c.role == Role::Stylist && !c.busy));
}

#[test]
fn accept_starts_a_leg_for_both_with_ice_servers() {
    let mut sim = Sim::new();
    let s = sim.on_duty("mei");
    let k = sim.kiosk("k1");
    sim.send(k, request(&["TEE-1"]));
    let request_id = sim.waiting_request(s);
    sim.take(k);
    sim.send(s, ClientMessage::Accept { request: request_id });
    let to_stylist = sim.take(s);
    let Some(ServerMessage::LegStarted {
        offerer: false,
        ice_servers,
        request: Some(view),
        peer,
        ..
    }) = to_stylist
        .iter()
        .find(|m| matches!(m, ServerMessage::LegStarted { .. }))
    else {
        panic!("{to_stylist:?}")
    };
    assert_eq!(view.context.garments[0].as_str(), "TEE-1");
    assert_eq!(peer.role, Role::Kiosk);
    assert_eq!(ice_servers.len(), 2);
    let to_kiosk = sim.take(k);
    assert!(to_kiosk.contains(&ServerMessage::RequestEnded {
        request: request_id,
        reason: RequestEndReason::Accepted
    }));
    assert!(
        to_kiosk.iter().any(|m| matches!(m, ServerMessage::LegStarted { offerer: true, ice_servers, peer, .. } if peer.display_name.as_str() == "Mei" && ice_servers.len() == 2)),
        "{to_kiosk:?}"
    );
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, CallEvent::RequestAccepted { by, .. } if by.as_str() == "mei"))
    );
}

#[test]
fn the_first_accept_wins_and_others_see_it_gone() {
    let mut sim = Sim::new();
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let k = sim.kiosk("k1");
    sim.send(k, request(&[]));
    let request_id = sim.waiting_request(mei);
    assert_eq!(queue_view(&mut sim, jun).unwrap().1, 1);
    sim.send(mei, ClientMessage::Accept { request: request_id });
    assert_eq!(queue_view(&mut sim, jun).unwrap().1, 0);
    sim.send(jun, ClientMessage::Accept { request: request_id });
    assert_eq!(sim.errors(jun), vec![CallErrorCode::RequestGone]);
}

#[test]
fn a_declined_request_stays_for_others() {
    let mut sim = Sim::new();
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let k = sim.kiosk("k1");
    sim.send(k, request(&[]));
    let request_id = sim.waiting_request(mei);
    sim.take(jun);
    sim.send(mei, ClientMessage::Decline { request: request_id });
    assert_eq!(queue_view(&mut sim, mei).unwrap().1, 0);
    assert_eq!(sim.core.queue_len(), 1);
    assert!(queue_view(&mut sim, jun).is_none(), "jun's view did not change");
    sim.send(jun, ClientMessage::Accept { request: request_id });
    assert!(leg_started(&sim.take(jun)).is_some());
}

#[test]
fn accepting_needs_duty_and_a_free_hand() {
    let mut sim = Sim::new();
    let (off, _) = sim.login("jun");
    let mei = sim.on_duty("mei");
    let k1 = sim.kiosk("k1");
    let k2 = sim.kiosk("k2");
    sim.send(k1, request(&[]));
    sim.send(k2, request(&[]));
    sim.send(
        off,
        ClientMessage::Accept {
            request: RequestId(1),
        },
    );
    assert_eq!(sim.errors(off), vec![CallErrorCode::NotOnDuty]);
    let first = sim.waiting_request(mei);
    sim.send(mei, ClientMessage::Accept { request: first });
    sim.take(mei);
    sim.send(
        mei,
        ClientMessage::Accept {
            request: RequestId(first.0 + 1),
        },
    );
    assert_eq!(sim.errors(mei), vec![CallErrorCode::Busy]);
}

#[test]
fn staff_see_and_take_only_their_own_store() {
    let mut sim = Sim::new();
    let ana = sim.on_duty("ana");
    let other_store = sim.kiosk("k2");
    sim.send(other_store, request(&[]));
    assert_eq!(queue_view(&mut sim, ana).map(|v| v.1), None);
    assert_eq!(status(&mut sim, other_store), Some((1, None, 0)));
    sim.send(
        ana,
        ClientMessage::Accept {
            request: RequestId(1),
        },
    );
    assert_eq!(sim.errors(ana), vec![CallErrorCode::NotAllowed]);
    let own_store = sim.kiosk("k1");
    sim.send(own_store, request(&[]));
    let (entries, total) = queue_view(&mut sim, ana).unwrap();
    assert_eq!(total, 1);
    assert_eq!(entries[0].position, 2, "the place is in the whole queue");
    assert_eq!(status(&mut sim, own_store), Some((2, Some(240), 1)));
}

#[test]
fn one_request_at_a_time_and_only_in_a_session() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(k, request(&[]));
    sim.take(k);
    sim.send(k, request(&[]));
    assert_eq!(sim.errors(k), vec![CallErrorCode::AlreadyRequested]);
    sim.send(k, ClientMessage::EndSession);
    assert!(sim.take(k).iter().any(|m| matches!(
        m,
        ServerMessage::RequestEnded {
            reason: RequestEndReason::SessionEnded,
            ..
        }
    )));
    sim.send(k, request(&[]));
    assert_eq!(sim.errors(k), vec![CallErrorCode::NoSession]);
    sim.send(k, ClientMessage::CancelRequest);
    assert_eq!(sim.errors(k), vec![CallErrorCode::RequestGone]);
}

#[test]
fn the_wait_estimate_learns_from_accepts() {
    let mut sim = Sim::new();
    let mei = sim.on_duty("mei");
    let kiosks: Vec<ConnectionId> = ["k1", "k2", "k3", "k4"].iter().map(|d| sim.kiosk(d)).collect();
    for k in &kiosks {
        sim.send(*k, request(&[]));
    }
    // Mei clears one request every 30 s (each call ends at once).
    for _ in 0..3 {
        sim.now = sim.now.plus(secs(30));
        let next = sim.waiting_request(mei);
        sim.send(mei, ClientMessage::Accept { request: next });
        sim.send(mei, ClientMessage::HangUp { leg: None });
    }
    assert_eq!(status(&mut sim, kiosks[3]), Some((1, Some(30), 1)));
}

#[test]
fn a_kiosk_dropping_takes_its_request_out() {
    let mut sim = Sim::new();
    let mei = sim.on_duty("mei");
    let k1 = sim.kiosk("k1");
    let k2 = sim.kiosk("k2");
    sim.send(k1, request(&[]));
    sim.send(k2, request(&[]));
    sim.take(k2);
    sim.drop_conn(k1);
    assert_eq!(sim.core.queue_len(), 1);
    assert_eq!(queue_view(&mut sim, mei).unwrap().1, 1);
    assert_eq!(status(&mut sim, k2), Some((1, Some(120), 1)));
}
