//! Friend invites: single use, ten minutes, bound to one shopper session.

use atelier_protocol::call::{CallErrorCode, ClientMessage, LegEndReason, Role, ServerMessage, SessionTag};

use super::*;

#[test]
fn a_friend_joins_by_token_and_both_ends_get_the_leg_with_ice_servers() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    let f = sim.join(&token);
    let got = sim.take(f);
    assert!(
        matches!(&got[0], ServerMessage::Authenticated { role: Role::Friend, token: Some(resume), .. } if resume.expose().len() == 43),
        "{got:?}"
    );
    let Some(ServerMessage::LegStarted {
        offerer: false,
        ice_servers,
        peer,
        request: None,
        ..
    }) = got.iter().find(|m| matches!(m, ServerMessage::LegStarted { .. }))
    else {
        panic!("{got:?}")
    };
    assert_eq!(peer.role, Role::Kiosk);
    assert_eq!(peer.display_name.as_str(), "Room 1");
    assert_eq!(ice_servers.len(), 2);
    assert!(
        ice_servers[1]
            .username
            .as_deref()
            .is_some_and(|u| u.ends_with("-r"))
    );
    let kiosk = sim.take(k);
    assert!(
        kiosk.iter().any(|m| matches!(m, ServerMessage::LegStarted { offerer: true, peer, .. } if peer.role == Role::Friend && peer.display_name.as_str() == "Lin")),
        "{kiosk:?}"
    );
}

#[test]
fn an_invite_works_only_once() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    let first = sim.join(&token);
    assert!(leg_started(&sim.take(first)).is_some());
    let second = sim.join(&token);
    assert_eq!(sim.errors(second), vec![CallErrorCode::InviteUsed]);
}

#[test]
fn the_short_code_works_once_and_not_after_the_token() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, code) = sim.invite(k);
    assert_eq!(code.len(), 6);
    let typed = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();
    let first = sim.join(&typed);
    assert!(leg_started(&sim.take(first)).is_some());
    let again = sim.join(&code);
    assert_eq!(sim.errors(again), vec![CallErrorCode::InviteUsed]);
    let by_token = sim.join(&token);
    assert_eq!(sim.errors(by_token), vec![CallErrorCode::InviteUsed]);
}

#[test]
fn an_expired_invite_is_refused() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, code) = sim.invite(k);
    sim.now = T0.plus(secs(10 * 60 + 1));
    sim.send(k, ClientMessage::Ping { seq: 1 });
    let f = sim.join(&token);
    assert_eq!(sim.errors(f), vec![CallErrorCode::InviteExpired]);
    let g = sim.join(&code);
    assert_eq!(sim.errors(g), vec![CallErrorCode::InviteExpired]);
}

#[test]
fn an_invite_just_inside_ten_minutes_works() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    sim.now = T0.plus(secs(10 * 60 - 1));
    let f = sim.join(&token);
    assert!(leg_started(&sim.take(f)).is_some());
}

#[test]
fn an_invite_for_an_ended_session_is_refused() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    sim.send(k, ClientMessage::EndSession);
    let f = sim.join(&token);
    assert_eq!(sim.errors(f), vec![CallErrorCode::InviteExpired]);
}

#[test]
fn a_new_session_tag_ends_the_old_sessions_invites() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    sim.send(
        k,
        ClientMessage::StartSession {
            session: SessionTag::new("s-next").unwrap(),
        },
    );
    let f = sim.join(&token);
    assert_eq!(sim.errors(f), vec![CallErrorCode::InviteExpired]);
}

#[test]
fn ending_the_session_ends_the_friends_leg() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    let f = sim.join(&token);
    let leg = leg_started(&sim.take(f)).unwrap();
    sim.send(k, ClientMessage::EndSession);
    assert!(sim.take(f).contains(&ServerMessage::LegEnded {
        leg,
        reason: LegEndReason::SessionEnded
    }));
    assert_eq!(sim.closed.get(&f), Some(&CloseReason::CallOver));
    assert_eq!(sim.core.call_count(), 0);
}

#[test]
fn no_invite_without_a_session() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(k, ClientMessage::EndSession);
    sim.send(k, ClientMessage::CreateInvite);
    assert_eq!(sim.errors(k), vec![CallErrorCode::NoSession]);
}

#[test]
fn an_unknown_invite_is_refused() {
    let mut sim = Sim::new();
    let f = sim.join("not-a-real-invite-token");
    assert_eq!(sim.errors(f), vec![CallErrorCode::InviteUnknown]);
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, CallEvent::InviteRefused { .. }))
    );
}

#[test]
fn a_revoked_invite_is_refused() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(k, ClientMessage::CreateInvite);
    let (invite, token) = match sim.take(k).as_slice() {
        [ServerMessage::InviteCreated { invite, token, .. }] => (*invite, token.expose().to_owned()),
        other => panic!("{other:?}"),
    };
    let other = sim.kiosk("k2");
    sim.send(other, ClientMessage::RevokeInvite { invite });
    assert_eq!(sim.errors(other), vec![CallErrorCode::InviteUnknown]);
    sim.send(k, ClientMessage::RevokeInvite { invite });
    assert!(sim.errors(k).is_empty());
    let f = sim.join(&token);
    assert_eq!(sim.errors(f), vec![CallErrorCode::InviteExpired]);
}

#[test]
fn an_invite_waits_while_its_kiosk_is_offline() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    sim.drop_conn(k);
    let f = sim.join(&token);
    assert_eq!(sim.errors(f), vec![CallErrorCode::KioskOffline]);
    // Same session after reconnecting: the invite still works (it was not used up).
    let k = sim.kiosk("k1");
    let f = sim.join(&token);
    assert!(leg_started(&sim.take(f)).is_some());
    assert!(leg_started(&sim.take(k)).is_some());
}
