//! Authentication and the rules of each role.

use atelier_protocol::call::{
    CallErrorCode, ClientMessage, RequestId, Role, Secret, ServerMessage, SessionTag,
};
use atelier_protocol::{DeviceId, PROTOCOL_VERSION};

use super::*;

fn kiosk_hello(device: &str, key: &str) -> ClientMessage {
    ClientMessage::KioskHello {
        protocol: PROTOCOL_VERSION,
        device_id: DeviceId::new(device).unwrap(),
        device_key: Secret::new(key),
        session: Some(SessionTag::new("s-1").unwrap()),
    }
}

#[test]
fn an_enrolled_kiosk_is_authenticated_with_its_room_as_name() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send(c, kiosk_hello("k1", &key("k1")));
    let got = sim.take(c);
    assert!(
        matches!(&got[0], ServerMessage::Authenticated { role: Role::Kiosk, display_name, token: None, .. } if display_name.as_str() == "Room 1"),
        "{got:?}"
    );
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, CallEvent::KioskOnline { .. }))
    );
}

#[test]
fn a_wrong_device_key_is_refused() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send(c, kiosk_hello("k1", &key("k2")));
    assert_eq!(sim.errors(c), vec![CallErrorCode::BadCredentials]);
    sim.send(c, kiosk_hello("nobody", "x"));
    assert_eq!(sim.errors(c), vec![CallErrorCode::BadCredentials]);
    sim.send(c, ClientMessage::CreateInvite);
    assert_eq!(sim.errors(c), vec![CallErrorCode::RateLimited]);
    assert_eq!(sim.closed.get(&c), Some(&CloseReason::Misbehaving));
}

#[test]
fn login_with_the_right_password_returns_a_session_token() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send(c, login("Mei", PASSWORD));
    let got = sim.take(c);
    match &got[0] {
        ServerMessage::Authenticated {
            role: Role::Stylist,
            token: Some(token),
            token_expires_at_ms: Some(expires),
            on_duty: false,
            ..
        } => {
            assert_eq!(token.expose().len(), 43);
            assert_eq!(*expires, T0.0 + 12 * 3600 * 1000);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn login_with_a_wrong_password_is_refused() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send(c, login("mei", "wrong"));
    assert_eq!(sim.errors(c), vec![CallErrorCode::BadCredentials]);
    sim.send(c, login("stranger", PASSWORD));
    assert_eq!(sim.errors(c), vec![CallErrorCode::BadCredentials]);
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, CallEvent::LoginFailed { .. }))
    );
    // Still unauthenticated: a stylist's message is refused.
    sim.send(c, ClientMessage::SetDuty { on_duty: true });
    assert_eq!(sim.errors(c), vec![CallErrorCode::RateLimited]);
    assert!(sim.closed.contains_key(&c));
}

#[test]
fn a_session_token_resumes_until_it_expires() {
    let mut sim = Sim::new();
    let (c, token) = sim.login("mei");
    sim.drop_conn(c);
    let again = sim.connect();
    sim.send(again, resume(&token));
    assert!(matches!(
        sim.take(again).first(),
        Some(ServerMessage::Authenticated {
            role: Role::Stylist,
            token: None,
            ..
        })
    ));
    sim.drop_conn(again);
    sim.now = T0.plus(secs(12 * 3600));
    let late = sim.connect();
    sim.send(late, resume(&token));
    assert_eq!(sim.errors(late), vec![CallErrorCode::SessionExpired]);
}

#[test]
fn logout_ends_the_token_and_closes() {
    let mut sim = Sim::new();
    let (c, token) = sim.login("mei");
    sim.send(c, ClientMessage::Logout);
    assert_eq!(sim.take(c), vec![ServerMessage::LoggedOut]);
    assert_eq!(sim.closed.get(&c), Some(&CloseReason::LoggedOut));
    let again = sim.connect();
    sim.send(again, resume(&token));
    assert_eq!(sim.errors(again), vec![CallErrorCode::SessionExpired]);
}

#[test]
fn messages_before_authentication_are_refused() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send(c, ClientMessage::Ping { seq: 1 });
    assert_eq!(sim.take(c), vec![ServerMessage::Pong { seq: 1 }]);
    sim.send(c, ClientMessage::CreateInvite);
    assert_eq!(sim.errors(c), vec![CallErrorCode::AuthRequired]);
}

#[test]
fn a_second_authentication_is_refused() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(k, login("mei", PASSWORD));
    assert_eq!(sim.errors(k), vec![CallErrorCode::AlreadyAuthenticated]);
}

#[test]
fn a_wrong_protocol_version_closes_the_connection() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send(
        c,
        ClientMessage::Login {
            protocol: PROTOCOL_VERSION + 1,
            username: atelier_protocol::call::Username::new("mei").unwrap(),
            password: Secret::new(PASSWORD),
        },
    );
    assert_eq!(sim.errors(c), vec![CallErrorCode::UnsupportedProtocol]);
    assert_eq!(sim.closed.get(&c), Some(&CloseReason::Misbehaving));
}

#[test]
fn a_friend_cannot_request_a_stylist_or_act_as_staff() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let (token, _) = sim.invite(k);
    let f = sim.join(&token);
    sim.take(f);
    sim.send(f, request(&[]));
    assert_eq!(sim.errors(f), vec![CallErrorCode::NotAllowed]);
    sim.send(
        f,
        ClientMessage::Accept {
            request: RequestId(1),
        },
    );
    assert_eq!(sim.errors(f), vec![CallErrorCode::NotAllowed]);
    assert_eq!(sim.core.queue_len(), 0);
}

#[test]
fn a_kiosk_cannot_accept_and_a_stylist_cannot_invite_or_request() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(
        k,
        ClientMessage::Accept {
            request: RequestId(1),
        },
    );
    assert_eq!(sim.errors(k), vec![CallErrorCode::NotAllowed]);
    let (s, _) = sim.login("mei");
    sim.send(s, ClientMessage::CreateInvite);
    assert_eq!(sim.errors(s), vec![CallErrorCode::NotAllowed]);
    sim.send(s, request(&[]));
    assert_eq!(sim.errors(s), vec![CallErrorCode::NotAllowed]);
}

#[test]
fn a_kiosk_cannot_log_out() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send(k, ClientMessage::Logout);
    assert_eq!(sim.errors(k), vec![CallErrorCode::NotAllowed]);
}

#[test]
fn unauthenticated_and_silent_connections_time_out() {
    let mut sim = Sim::new();
    let quiet = sim.connect();
    let k = sim.kiosk("k1");
    assert_eq!(sim.core.poll_timeout(), Some(T0.plus(secs(10))));
    sim.advance(secs(10));
    assert_eq!(sim.closed.get(&quiet), Some(&CloseReason::AuthTimeout));
    assert!(!sim.closed.contains_key(&k));
    sim.send(k, ClientMessage::Ping { seq: 2 });
    sim.advance(secs(44));
    assert!(!sim.closed.contains_key(&k));
    sim.advance(secs(1));
    assert_eq!(sim.closed.get(&k), Some(&CloseReason::Silent));
    assert_eq!(sim.core.connection_count(), 0);
}

#[test]
fn floods_are_cut_off() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    for seq in 0..200 {
        sim.send(k, ClientMessage::Ping { seq });
    }
    assert_eq!(sim.closed.get(&k), Some(&CloseReason::Misbehaving));
}

#[test]
fn error_messages_are_fixed_text() {
    let mut sim = Sim::new();
    let c = sim.connect();
    sim.send_text(
        c,
        r#"{"type":"login","protocol":1,"username":"<b>","password":"x"}"#,
    );
    match sim.take(c).as_slice() {
        [ServerMessage::Error { code, message }] => {
            assert_eq!(*code, CallErrorCode::BadMessage);
            assert_eq!(message, "that message was not understood");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reconnecting_kiosk_replaces_its_old_socket() {
    let mut sim = Sim::new();
    let old = sim.kiosk("k1");
    let new = sim.kiosk("k1");
    assert_eq!(sim.closed.get(&old), Some(&CloseReason::Replaced));
    // The replaced socket's late close changes nothing.
    sim.drop_conn(old);
    let (token, _) = sim.invite(new);
    assert!(!token.is_empty());
}
