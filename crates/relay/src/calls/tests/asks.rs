//! Shoppers' asks to store staff: who sees them, who may answer, what the kiosk hears.

use atelier_protocol::call::{
    AskAnswer, AskId, AskItem, AskState, AskView, CallErrorCode, ClientMessage, Label, ServerMessage, Sku,
};

use super::*;

fn item(sku: &str, size: &str) -> AskItem {
    AskItem {
        sku: Sku::new(sku).unwrap(),
        name: Some(Label::new("Modal T-shirt").unwrap()),
        size: Some(Label::new(size).unwrap()),
        colour: Some(Label::new("Black").unwrap()),
    }
}

fn ask(n: u32, sku: &str, size: &str) -> ClientMessage {
    ClientMessage::AskStaff {
        ask: n,
        items: vec![item(sku, size)],
    }
}

/// The kiosk's latest status for its ask `n`.
fn status(sim: &mut Sim, kiosk: ConnectionId, n: u32) -> Option<(AskId, AskState)> {
    sim.take(kiosk).into_iter().rev().find_map(|m| match m {
        ServerMessage::AskStatus { ask, request, status } if ask == n => Some((request, status)),
        _ => None,
    })
}

/// The staff member's latest list.
fn asks_seen(sim: &mut Sim, staff: ConnectionId) -> Option<Vec<AskView>> {
    sim.take(staff).into_iter().rev().find_map(|m| match m {
        ServerMessage::StaffAsks { asks } => Some(asks),
        _ => None,
    })
}

#[test]
fn staff_of_the_store_see_asks_from_every_room_and_answer_them() {
    let mut sim = Sim::new();
    let (ana, _) = sim.login("ana"); // staff, store s1
    let (mei, _) = sim.login("mei"); // a stylist: no asks
    let k1 = sim.kiosk("k1"); // s1, Room 1
    let k3 = sim.kiosk("k3"); // s1, Room 3
    let k2 = sim.kiosk("k2"); // s2

    sim.send(k1, ask(1, "TEE-1", "M"));
    let (id1, state) = status(&mut sim, k1, 1).unwrap();
    assert_eq!(state, AskState::Open);
    sim.send(k3, ask(7, "JEAN-2", "32"));
    sim.send(k2, ask(1, "TEE-1", "S"));
    let seen = asks_seen(&mut sim, ana).unwrap();
    let rooms: Vec<&str> = seen.iter().map(|a| a.room.as_str()).collect();
    assert_eq!(
        rooms,
        ["Room 1", "Room 3"],
        "both rooms of s1, oldest first, not s2's"
    );
    assert_eq!(seen[0].items[0].size.as_ref().unwrap().as_str(), "M");
    assert!(
        sim.take(mei)
            .iter()
            .all(|m| !matches!(m, ServerMessage::StaffAsks { .. })),
        "stylists do not walk to fitting rooms"
    );

    // On my way: the kiosk hears who is coming; the list shows it taken.
    sim.send(
        ana,
        ClientMessage::AnswerAsk {
            request: id1,
            answer: AskAnswer::OnMyWay,
        },
    );
    let (_, state) = status(&mut sim, k1, 1).unwrap();
    assert_eq!(
        state,
        AskState::OnMyWay {
            by: DisplayName::new("Ana").unwrap()
        }
    );
    let seen = asks_seen(&mut sim, ana).unwrap();
    assert!(matches!(seen[0].state, AskState::OnMyWay { .. }));

    // Arrived: it leaves the list.
    sim.send(
        ana,
        ClientMessage::AnswerAsk {
            request: id1,
            answer: AskAnswer::Arrived,
        },
    );
    assert!(matches!(
        status(&mut sim, k1, 1).unwrap().1,
        AskState::Arrived { .. }
    ));
    let seen = asks_seen(&mut sim, ana).unwrap();
    assert_eq!(seen.len(), 1, "only Room 3's ask is left");
    // Answering it again: gone.
    sim.send(
        ana,
        ClientMessage::AnswerAsk {
            request: id1,
            answer: AskAnswer::OnMyWay,
        },
    );
    assert_eq!(sim.errors(ana), vec![CallErrorCode::RequestGone]);
}

#[test]
fn not_in_stock_carries_a_suggestion_and_only_store_staff_may_answer() {
    let mut sim = Sim::new();
    let (ana, _) = sim.login("ana");
    let (mei, _) = sim.login("mei");
    let k1 = sim.kiosk("k1");
    let k2 = sim.kiosk("k2");
    sim.send(k1, ask(1, "TEE-1", "XL"));
    let (id, _) = status(&mut sim, k1, 1).unwrap();
    sim.send(k2, ask(1, "TEE-1", "XS"));
    let (other_store, _) = status(&mut sim, k2, 1).unwrap();

    // A stylist, a kiosk and staff of another store cannot answer.
    sim.send(
        mei,
        ClientMessage::AnswerAsk {
            request: id,
            answer: AskAnswer::OnMyWay,
        },
    );
    assert_eq!(sim.errors(mei), vec![CallErrorCode::NotAllowed]);
    sim.send(
        ana,
        ClientMessage::AnswerAsk {
            request: other_store,
            answer: AskAnswer::OnMyWay,
        },
    );
    assert_eq!(sim.errors(ana), vec![CallErrorCode::NotAllowed]);
    sim.send(
        k2,
        ClientMessage::AnswerAsk {
            request: id,
            answer: AskAnswer::Arrived,
        },
    );
    assert_eq!(sim.errors(k2), vec![CallErrorCode::NotAllowed]);

    let suggestion = Label::new("L in navy is on the rail").unwrap();
    sim.send(
        ana,
        ClientMessage::AnswerAsk {
            request: id,
            answer: AskAnswer::NotInStock {
                suggestion: Some(suggestion.clone()),
            },
        },
    );
    assert_eq!(
        status(&mut sim, k1, 1).unwrap().1,
        AskState::NotInStock {
            by: DisplayName::new("Ana").unwrap(),
            suggestion: Some(suggestion)
        }
    );
}

#[test]
fn cancel_session_end_and_resend_after_a_reconnect() {
    let mut sim = Sim::new();
    let (ana, _) = sim.login("ana");
    let k1 = sim.kiosk("k1");
    sim.send(k1, ask(1, "TEE-1", "M"));
    sim.send(k1, ask(2, "TEE-1", "L"));
    let (id2, _) = status(&mut sim, k1, 2).unwrap();
    // The same number again is the same ask (a resend), not a second one.
    sim.send(k1, ask(2, "TEE-1", "L"));
    assert_eq!(status(&mut sim, k1, 2).unwrap().0, id2);
    assert_eq!(asks_seen(&mut sim, ana).unwrap().len(), 2);

    sim.send(k1, ClientMessage::CancelAsk { ask: 1 });
    assert_eq!(status(&mut sim, k1, 1).unwrap().1, AskState::Closed);
    assert_eq!(asks_seen(&mut sim, ana).unwrap().len(), 1);
    sim.send(k1, ClientMessage::CancelAsk { ask: 1 });
    assert_eq!(sim.errors(k1), vec![CallErrorCode::RequestGone]);

    // The kiosk reconnects in the same session: it hears where ask 2 stands.
    sim.send(
        ana,
        ClientMessage::AnswerAsk {
            request: id2,
            answer: AskAnswer::OnMyWay,
        },
    );
    sim.drop_conn(k1);
    let k1b = sim.connect();
    sim.send(
        k1b,
        ClientMessage::KioskHello {
            protocol: PROTOCOL_VERSION,
            device_id: DeviceId::new("k1").unwrap(),
            device_key: Secret::new(key("k1")),
            session: Some(SessionTag::new("s-k1").unwrap()),
        },
    );
    let (_, state) = status(&mut sim, k1b, 2).expect("ask 2 resent after the reconnect");
    assert_eq!(
        state,
        AskState::OnMyWay {
            by: DisplayName::new("Ana").unwrap()
        }
    );

    // The session ends: its asks close and leave the staff list.
    sim.send(k1b, ClientMessage::EndSession);
    assert_eq!(asks_seen(&mut sim, ana).unwrap().len(), 0);
}

#[test]
fn asks_need_a_session_and_a_few_items_and_expire() {
    let mut sim = Sim::new();
    let (ana, _) = sim.login("ana");
    let k1 = sim.kiosk("k1");
    sim.send(
        k1,
        ClientMessage::AskStaff {
            ask: 1,
            items: vec![],
        },
    );
    assert_eq!(sim.errors(k1), vec![CallErrorCode::BadMessage]);
    sim.send(k1, ClientMessage::EndSession);
    sim.send(k1, ask(1, "TEE-1", "M"));
    assert_eq!(sim.errors(k1), vec![CallErrorCode::NoSession]);
    sim.send(
        k1,
        ClientMessage::StartSession {
            session: SessionTag::new("s-2").unwrap(),
        },
    );
    sim.send(k1, ask(1, "TEE-1", "M"));
    let got = sim.take(k1);
    assert!(
        got.iter().any(|m| matches!(m, ServerMessage::AskStatus { .. })),
        "{got:?}"
    );
    assert_eq!(asks_seen(&mut sim, ana).unwrap().len(), 1);
    sim.advance(Duration::from_secs(31 * 60));
    assert!(sim.core.asks.is_empty(), "kept 30 minutes at most");
}
