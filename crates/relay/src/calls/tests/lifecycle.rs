//! Legs over time: dropped sockets and the grace period, hanging up, the kiosk leaving, members.

use atelier_protocol::call::{CallErrorCode, ClientMessage, LegEndReason, Role, ServerMessage};

use super::*;

#[test]
fn a_stylist_who_drops_and_returns_within_grace_resumes_the_leg() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (s, token) = sim.login("mei");
    sim.send(s, ClientMessage::SetDuty { on_duty: true });
    let leg = sim.stylist_call(k, s);

    sim.drop_conn(s);
    let got = sim.take(k);
    assert!(
        got.contains(&ServerMessage::PeerAway { leg, grace_secs: 30 }),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|m| matches!(m, ServerMessage::Members { members, .. } if members[0].away)),
        "{got:?}"
    );

    sim.advance(secs(29));
    let back = sim.connect();
    sim.send(back, resume(&token));
    let got = sim.take(back);
    assert!(
        matches!(&got[0], ServerMessage::Authenticated { on_duty: true, .. }),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|m| matches!(m, ServerMessage::LegResumed { leg: l, ice_servers, .. } if *l == leg && !ice_servers.is_empty())),
        "{got:?}"
    );
    assert!(
        sim.take(k)
            .contains(&ServerMessage::PeerRejoined { leg, fresh: false })
    );
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, CallEvent::PeerRejoined { leg: l, conn, .. } if *l == leg && *conn == back))
    );

    // The grace period is over and nothing ends: the leg is whole again.
    sim.advance(secs(5));
    assert!(sim.take(k).is_empty());
    sim.send(
        k,
        ClientMessage::Signal {
            leg,
            signal: offer(""),
        },
    );
    assert_eq!(sim.take(back).len(), 1);
}

#[test]
fn a_stylist_gone_past_grace_leaves_the_call_and_duty() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (s, token) = sim.login("mei");
    sim.send(s, ClientMessage::SetDuty { on_duty: true });
    let leg = sim.stylist_call(k, s);
    sim.drop_conn(s);
    sim.take(k);
    assert_eq!(sim.core.poll_timeout(), Some(T0.plus(secs(30))));
    sim.advance(secs(30));
    assert!(sim.take(k).contains(&ServerMessage::LegEnded {
        leg,
        reason: LegEndReason::PeerLeft
    }));
    assert_eq!(sim.core.call_count(), 0);
    let late = sim.connect();
    sim.send(late, resume(&token));
    let got = sim.take(late);
    assert!(
        matches!(&got[0], ServerMessage::Authenticated { on_duty: false, .. }),
        "{got:?}"
    );
    assert!(!got.iter().any(|m| matches!(m, ServerMessage::LegResumed { .. })));
}

#[test]
fn a_friend_resumes_with_its_resume_token() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (invite, _) = sim.invite(k);
    let f = sim.join(&invite);
    let got = sim.take(f);
    let resume_token = match &got[0] {
        ServerMessage::Authenticated { token: Some(t), .. } => t.expose().to_owned(),
        other => panic!("{other:?}"),
    };
    let leg = leg_started(&got).unwrap();
    sim.drop_conn(f);
    sim.advance(secs(10));
    let back = sim.connect();
    sim.send(back, resume(&resume_token));
    let got = sim.take(back);
    assert!(matches!(
        &got[0],
        ServerMessage::Authenticated {
            role: Role::Friend,
            ..
        }
    ));
    assert!(got.iter().any(|m| matches!(m, ServerMessage::LegResumed { .. })));
    assert!(
        sim.take(k)
            .contains(&ServerMessage::PeerRejoined { leg, fresh: false })
    );

    // The page reloads: it resumes without a peer connection, and the kiosk is told to start anew.
    sim.drop_conn(back);
    sim.advance(secs(2));
    let reloaded = sim.connect();
    sim.send(reloaded, resume_fresh(&resume_token));
    let got = sim.take(reloaded);
    assert!(
        got.iter()
            .any(|m| matches!(m, ServerMessage::LegStarted { leg: l, offerer: false, .. } if *l == leg)),
        "the page gets the whole leg again: {got:?}"
    );
    assert!(!got.iter().any(|m| matches!(m, ServerMessage::LegResumed { .. })));
    assert!(
        sim.take(k)
            .contains(&ServerMessage::PeerRejoined { leg, fresh: true })
    );
}

#[test]
fn a_friend_gone_past_grace_is_dropped_and_its_token_dies() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (invite, _) = sim.invite(k);
    let f = sim.join(&invite);
    let got = sim.take(f);
    let resume_token = match &got[0] {
        ServerMessage::Authenticated { token: Some(t), .. } => t.expose().to_owned(),
        other => panic!("{other:?}"),
    };
    let leg = leg_started(&got).unwrap();
    sim.drop_conn(f);
    sim.advance(secs(31));
    assert!(sim.take(k).contains(&ServerMessage::LegEnded {
        leg,
        reason: LegEndReason::PeerLeft
    }));
    let back = sim.connect();
    sim.send(back, resume(&resume_token));
    assert_eq!(sim.errors(back), vec![CallErrorCode::SessionExpired]);
}

#[test]
fn a_kiosk_dropping_ends_everything() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let stylist_leg = sim.stylist_call(k, mei);
    let (invite, _) = sim.invite(k);
    let f = sim.join(&invite);
    let friend_leg = leg_started(&sim.take(f)).unwrap();
    sim.drop_conn(k);
    assert!(sim.take(mei).contains(&ServerMessage::LegEnded {
        leg: stylist_leg,
        reason: LegEndReason::KioskLeft
    }));
    assert!(sim.take(f).contains(&ServerMessage::LegEnded {
        leg: friend_leg,
        reason: LegEndReason::KioskLeft
    }));
    assert_eq!(sim.closed.get(&f), Some(&CloseReason::CallOver));
    assert_eq!(sim.core.call_count(), 0);
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, CallEvent::CallEnded { .. }))
    );
    // Mei is free again.
    let k2 = sim.kiosk("k2");
    sim.send(k2, request(&[]));
    let next = sim.waiting_request(mei);
    sim.send(mei, ClientMessage::Accept { request: next });
    assert!(leg_started(&sim.take(mei)).is_some());
}

#[test]
fn a_remote_hangs_up_its_own_leg_only() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let stylist_leg = sim.stylist_call(k, mei);
    let (invite, _) = sim.invite(k);
    let f = sim.join(&invite);
    let friend_leg = leg_started(&sim.take(f)).unwrap();
    sim.send(
        f,
        ClientMessage::HangUp {
            leg: Some(stylist_leg),
        },
    );
    assert_eq!(sim.errors(f), vec![CallErrorCode::NotInCall]);
    sim.send(f, ClientMessage::HangUp { leg: None });
    assert!(sim.take(k).contains(&ServerMessage::LegEnded {
        leg: friend_leg,
        reason: LegEndReason::HungUp
    }));
    assert_eq!(sim.closed.get(&f), Some(&CloseReason::CallOver));
    assert_eq!(sim.core.call_count(), 1);
}

#[test]
fn the_kiosk_ends_one_leg_or_the_whole_call() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let stylist_leg = sim.stylist_call(k, mei);
    let (invite, _) = sim.invite(k);
    let f = sim.join(&invite);
    let friend_leg = leg_started(&sim.take(f)).unwrap();
    sim.send(
        k,
        ClientMessage::HangUp {
            leg: Some(friend_leg),
        },
    );
    assert!(sim.take(f).contains(&ServerMessage::LegEnded {
        leg: friend_leg,
        reason: LegEndReason::EndedByKiosk
    }));
    assert!(
        sim.take(mei)
            .iter()
            .all(|m| !matches!(m, ServerMessage::LegEnded { .. }))
    );
    sim.send(k, ClientMessage::HangUp { leg: None });
    assert!(sim.take(mei).contains(&ServerMessage::LegEnded {
        leg: stylist_leg,
        reason: LegEndReason::EndedByKiosk
    }));
    assert_eq!(sim.core.call_count(), 0);
}

#[test]
fn members_are_told_who_is_in_the_call() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    sim.stylist_call(k, mei);
    let (invite, _) = sim.invite(k);
    let f = sim.join(&invite);
    let latest = |msgs: Vec<ServerMessage>| {
        msgs.into_iter().rev().find_map(|m| match m {
            ServerMessage::Members { members, .. } => Some(members),
            _ => None,
        })
    };
    let seen_by_friend = latest(sim.take(f)).unwrap();
    let roles: Vec<Role> = seen_by_friend.iter().map(|m| m.peer.role).collect();
    assert_eq!(roles, vec![Role::Stylist, Role::Friend]);
    assert_eq!(latest(sim.take(mei)).unwrap(), seen_by_friend);
    assert_eq!(latest(sim.take(k)).unwrap(), seen_by_friend);
}

#[test]
fn logging_out_mid_call_ends_the_leg() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let leg = sim.stylist_call(k, mei);
    sim.send(mei, ClientMessage::Logout);
    assert!(sim.take(k).contains(&ServerMessage::LegEnded {
        leg,
        reason: LegEndReason::LoggedOut
    }));
    assert_eq!(sim.closed.get(&mei), Some(&CloseReason::LoggedOut));
}

#[test]
fn a_second_login_replaces_the_first_socket_and_keeps_the_leg() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let leg = sim.stylist_call(k, mei);
    let (again, _) = sim.login("mei");
    assert_eq!(sim.closed.get(&mei), Some(&CloseReason::Replaced));
    // A new sign-in has no peer connection for the leg: the kiosk starts a new one.
    assert!(
        sim.take(k)
            .contains(&ServerMessage::PeerRejoined { leg, fresh: true })
    );
    sim.send(
        k,
        ClientMessage::Signal {
            leg,
            signal: offer(""),
        },
    );
    assert_eq!(sim.take(again).len(), 1);
}
