//! Offer, answer, trickled candidates: relayed only between the two ends of a leg, and only when valid.

use atelier_protocol::call::{CallErrorCode, ClientMessage, LegId, MAX_SDP_BYTES, ServerMessage, Signal};

use super::*;

fn signal(leg: LegId, signal: Signal) -> ClientMessage {
    ClientMessage::Signal { leg, signal }
}

#[test]
fn offer_answer_and_candidates_flow_between_the_ends_of_a_leg() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let s = sim.on_duty("mei");
    let leg = sim.stylist_call(k, s);

    sim.send(k, signal(leg, offer("")));
    assert_eq!(
        sim.take(s),
        vec![ServerMessage::Signal {
            leg,
            signal: offer("")
        }]
    );
    let answer = Signal::Answer {
        sdp: "v=0\r\ns=-\r\n".into(),
    };
    sim.send(s, signal(leg, answer.clone()));
    assert_eq!(sim.take(k), vec![ServerMessage::Signal { leg, signal: answer }]);
    for _ in 0..3 {
        sim.send(s, signal(leg, candidate()));
    }
    sim.send(s, signal(leg, Signal::EndOfCandidates));
    let got = sim.take(k);
    assert_eq!(got.len(), 4);
    assert_eq!(
        got[3],
        ServerMessage::Signal {
            leg,
            signal: Signal::EndOfCandidates
        }
    );
    assert!(sim.take(s).is_empty(), "nothing echoed to the sender");
}

#[test]
fn a_new_offer_on_a_live_leg_restarts_ice() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let s = sim.on_duty("mei");
    let leg = sim.stylist_call(k, s);
    sim.send(k, signal(leg, offer("")));
    sim.send(
        s,
        signal(
            leg,
            Signal::Answer {
                sdp: "v=0\r\n".into(),
            },
        ),
    );
    sim.drain_all();
    let restart = offer("a=ice-options:trickle\r\n");
    sim.send(k, signal(leg, restart.clone()));
    assert_eq!(sim.take(s), vec![ServerMessage::Signal { leg, signal: restart }]);
    // Either end may renegotiate.
    sim.send(s, signal(leg, offer("")));
    assert_eq!(sim.take(k).len(), 1);
}

#[test]
fn a_stylist_cannot_signal_a_kiosk_it_is_not_in_a_call_with() {
    let mut sim = Sim::new();
    let k1 = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let leg = sim.stylist_call(k1, mei);
    let jun = sim.on_duty("jun");
    sim.send(jun, signal(leg, offer("")));
    assert_eq!(sim.errors(jun), vec![CallErrorCode::NotInCall]);
    sim.send(jun, signal(LegId(999), candidate()));
    assert_eq!(sim.errors(jun), vec![CallErrorCode::NotInCall]);
    assert_eq!(signals(&mut sim, k1), 0);
    assert_eq!(signals(&mut sim, mei), 0);
}

#[test]
fn another_kiosk_cannot_signal_into_a_call() {
    let mut sim = Sim::new();
    let k1 = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let leg = sim.stylist_call(k1, mei);
    let k2 = sim.kiosk("k2");
    sim.send(k2, signal(leg, offer("")));
    assert_eq!(sim.errors(k2), vec![CallErrorCode::NotInCall]);
    assert_eq!(signals(&mut sim, mei), 0);
}

#[test]
fn a_friend_signals_only_on_its_own_leg() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    let stylist_leg = sim.stylist_call(k, mei);
    let (token, _) = sim.invite(k);
    let f = sim.join(&token);
    let own = leg_started(&sim.take(f)).unwrap();
    sim.take(k);
    sim.send(f, signal(stylist_leg, candidate()));
    assert_eq!(sim.errors(f), vec![CallErrorCode::NotInCall]);
    assert_eq!(signals(&mut sim, mei), 0);
    sim.send(f, signal(own, candidate()));
    assert_eq!(
        sim.take(k),
        vec![ServerMessage::Signal {
            leg: own,
            signal: candidate()
        }]
    );
    // The kiosk's signal on the friend's leg reaches the friend only.
    sim.send(k, signal(own, offer("")));
    assert_eq!(sim.take(f).len(), 1);
    assert_eq!(signals(&mut sim, mei), 0);
}

#[test]
fn an_oversized_sdp_is_rejected_with_a_code() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let s = sim.on_duty("mei");
    let leg = sim.stylist_call(k, s);
    sim.send(k, signal(leg, offer(&"a".repeat(MAX_SDP_BYTES))));
    assert_eq!(sim.errors(k), vec![CallErrorCode::InvalidSignal]);
    assert_eq!(signals(&mut sim, s), 0);
}

#[test]
fn a_malformed_sdp_or_candidate_is_rejected_with_a_code() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let s = sim.on_duty("mei");
    let leg = sim.stylist_call(k, s);
    sim.send(s, signal(leg, Signal::Answer { sdp: "<html>".into() }));
    assert_eq!(sim.errors(s), vec![CallErrorCode::InvalidSignal]);
    let bad = Signal::Candidate {
        candidate: "candidate:1 1 udp 1 10.0.0.1 9\u{0} typ host".into(),
        sdp_mid: None,
        sdp_m_line_index: None,
        username_fragment: None,
    };
    sim.send(s, signal(leg, bad));
    assert_eq!(sim.errors(s), vec![CallErrorCode::InvalidSignal]);
    assert_eq!(signals(&mut sim, k), 0);
}

#[test]
fn bad_json_and_oversized_text_get_codes() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    sim.send_text(k, r#"{"type":"signal","leg":1}"#);
    assert_eq!(sim.errors(k), vec![CallErrorCode::BadMessage]);
    let huge = format!(
        r#"{{"type":"signal","leg":1,"signal":{{"type":"offer","sdp":"v=0{}"}}}}"#,
        "a".repeat(atelier_protocol::MAX_MESSAGE_BYTES)
    );
    sim.send_text(k, &huge);
    assert_eq!(sim.errors(k), vec![CallErrorCode::TooLarge]);
    assert!(!sim.closed.contains_key(&k));
}

#[test]
fn signals_arrive_as_json_text() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let s = sim.on_duty("mei");
    let leg = sim.stylist_call(k, s);
    let text = format!(
        r#"{{"type":"signal","leg":{},"signal":{{"type":"candidate","candidate":"candidate:2 1 udp 1 192.0.2.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}}}}"#,
        leg.0
    );
    sim.send_text(s, &text);
    assert_eq!(sim.take(k).len(), 1);
}

#[test]
fn a_signal_to_an_away_peer_is_refused_without_penalty() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let s = sim.on_duty("mei");
    let leg = sim.stylist_call(k, s);
    sim.drop_conn(s);
    sim.take(k);
    for _ in 0..4 {
        sim.send(k, signal(leg, candidate()));
    }
    assert_eq!(sim.errors(k), vec![CallErrorCode::PeerAway; 4]);
    assert!(!sim.closed.contains_key(&k));
}

#[test]
fn three_remotes_at_most() {
    let mut sim = Sim::new();
    let k = sim.kiosk("k1");
    let mei = sim.on_duty("mei");
    sim.stylist_call(k, mei);
    for _ in 0..2 {
        let (token, _) = sim.invite(k);
        let f = sim.join(&token);
        assert!(leg_started(&sim.take(f)).is_some());
    }
    let (token, _) = sim.invite(k);
    let fourth = sim.join(&token);
    assert_eq!(sim.errors(fourth), vec![CallErrorCode::CallFull]);
    sim.send(k, request(&[]));
    assert_eq!(sim.errors(k), vec![CallErrorCode::CallFull]);
    // The refused invite was not used up: it works once a place frees.
    sim.send(mei, ClientMessage::HangUp { leg: None });
    sim.send(fourth, join(&token));
    assert!(leg_started(&sim.take(fourth)).is_some());
}
