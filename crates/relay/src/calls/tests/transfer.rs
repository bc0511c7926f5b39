//! Handing a call to a colleague, who must accept.

use atelier_protocol::call::{
    CallErrorCode, ClientMessage, LegEndReason, ServerMessage, TransferFailReason, TransferId, Username,
};

use super::*;

fn to(user: &str) -> Username {
    Username::new(user).unwrap()
}

fn offered(sim: &mut Sim, conn: ConnectionId) -> Option<TransferId> {
    sim.take(conn).into_iter().find_map(|m| match m {
        ServerMessage::TransferOffer {
            transfer,
            request,
            from,
        } => {
            assert_eq!(from.display_name.as_str(), "Mei");
            assert_eq!(request.room.as_str(), "Room 1");
            Some(transfer)
        }
        _ => None,
    })
}

#[test]
fn an_accepted_transfer_moves_the_call_to_the_colleague() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let old = sim.stylist_call(k, mei);
    sim.send(
        mei,
        ClientMessage::Transfer {
            leg: old,
            to: to("jun"),
        },
    );
    let transfer = offered(&mut sim, jun).expect("an offer");
    sim.send(jun, ClientMessage::AcceptTransfer { transfer });
    let new = leg_started(&sim.take(jun)).expect("jun's leg");
    assert!(sim.take(mei).contains(&ServerMessage::LegEnded {
        leg: old,
        reason: LegEndReason::Transferred
    }));
    let kiosk = sim.take(k);
    let started = kiosk
        .iter()
        .position(|m| matches!(m, ServerMessage::LegStarted { leg, .. } if *leg == new));
    let ended = kiosk.iter().position(
        |m| matches!(m, ServerMessage::LegEnded { leg, reason: LegEndReason::Transferred } if *leg == old),
    );
    assert!(
        started < ended && ended.is_some(),
        "the new leg starts first: {kiosk:?}"
    );
    assert_eq!(sim.core.call_count(), 1, "the kiosk keeps its call");
    sim.send(
        jun,
        ClientMessage::Signal {
            leg: new,
            signal: candidate(),
        },
    );
    assert_eq!(sim.take(k).len(), 1);
    sim.send(
        mei,
        ClientMessage::Signal {
            leg: old,
            signal: candidate(),
        },
    );
    assert_eq!(sim.errors(mei), vec![CallErrorCode::NotInCall]);
}

#[test]
fn a_declined_transfer_leaves_the_call_where_it_was() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let leg = sim.stylist_call(k, mei);
    sim.send(mei, ClientMessage::Transfer { leg, to: to("jun") });
    let transfer = offered(&mut sim, jun).unwrap();
    sim.send(jun, ClientMessage::DeclineTransfer { transfer });
    assert!(sim.take(mei).contains(&ServerMessage::TransferFailed {
        transfer,
        reason: TransferFailReason::Declined
    }));
    sim.send(jun, ClientMessage::AcceptTransfer { transfer });
    assert_eq!(sim.errors(jun), vec![CallErrorCode::TransferGone]);
    sim.send(
        k,
        ClientMessage::Signal {
            leg,
            signal: candidate(),
        },
    );
    assert_eq!(sim.take(mei).len(), 1);
}

#[test]
fn an_unanswered_transfer_times_out() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let leg = sim.stylist_call(k, mei);
    sim.send(mei, ClientMessage::Transfer { leg, to: to("jun") });
    let transfer = offered(&mut sim, jun).unwrap();
    // Keep the sockets alive past the idle timeout is not needed: 30 s < 45 s.
    sim.advance(secs(30));
    assert!(sim.take(mei).contains(&ServerMessage::TransferFailed {
        transfer,
        reason: TransferFailReason::TimedOut
    }));
    assert!(
        sim.take(jun)
            .contains(&ServerMessage::TransferWithdrawn { transfer })
    );
}

#[test]
fn transfers_go_only_to_free_on_duty_colleagues() {
    let mut sim = Sim::new();
    let k1 = sim.kiosk("k1");
    let k2 = sim.kiosk("k2");
    let mei = sim.on_duty("mei");
    let (_off_duty, _) = sim.login("ana");
    let leg = sim.stylist_call(k1, mei);
    for target in ["mei", "ana", "nobody"] {
        sim.send(mei, ClientMessage::Transfer { leg, to: to(target) });
        assert_eq!(
            sim.errors(mei),
            vec![CallErrorCode::TransferUnavailable],
            "{target}"
        );
    }
    // A busy colleague cannot take it either.
    let jun = sim.on_duty("jun");
    sim.stylist_call(k2, jun);
    sim.send(mei, ClientMessage::Transfer { leg, to: to("jun") });
    assert_eq!(sim.errors(mei), vec![CallErrorCode::TransferUnavailable]);
}

#[test]
fn only_the_stylist_on_the_leg_may_transfer_it() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let leg = sim.stylist_call(k, mei);
    sim.send(jun, ClientMessage::Transfer { leg, to: to("jun") });
    assert_eq!(sim.errors(jun), vec![CallErrorCode::NotInCall]);
}

#[test]
fn going_off_duty_withdraws_an_offer() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let jun = sim.on_duty("jun");
    let leg = sim.stylist_call(k, mei);
    sim.send(mei, ClientMessage::Transfer { leg, to: to("jun") });
    let transfer = offered(&mut sim, jun).unwrap();
    sim.send(jun, ClientMessage::SetDuty { on_duty: false });
    assert!(sim.take(mei).contains(&ServerMessage::TransferFailed {
        transfer,
        reason: TransferFailReason::Unavailable
    }));
    assert!(
        sim.take(jun)
            .contains(&ServerMessage::TransferWithdrawn { transfer })
    );
}
