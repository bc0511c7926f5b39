//! The board's behaviour: ordering, votes, limits, catch-up, the shopper's actions, rate limits.
//! Hostile input is in `hostile.rs`; random sequences and fuzzing in `random.rs`.

mod hostile;
mod random;

use std::time::{Duration, Instant};

use super::*;

pub(super) const F1: ParticipantId = ParticipantId(1);
pub(super) const F2: ParticipantId = ParticipantId(2);
pub(super) const S: ParticipantId = ParticipantId(10);

/// The test catalog: products and variants are the SKUs that start with `SKU-`.
pub(super) fn catalog(sku: &str, variant: Option<&str>) -> bool {
    sku.starts_with("SKU-") && variant.is_none_or(|v| v.starts_with("SKU-"))
}

/// Limits as shipped, but a rate no test hits unless it means to.
pub(super) fn roomy() -> BoardConfig {
    BoardConfig {
        rate_burst: 100_000,
        rate_per_sec: 100_000,
        ..BoardConfig::default()
    }
}

/// A board with two friends and a stylist on it.
pub(super) fn board_with(config: BoardConfig) -> (Board, Instant) {
    let t0 = Instant::now();
    let mut b = Board::new(config, 7);
    b.join(F1, Role::Friend, "Mei", t0).unwrap();
    b.join(F2, Role::Friend, "Ana", t0).unwrap();
    b.join(S, Role::Stylist, "Lin (stylist)", t0).unwrap();
    (b, t0)
}

pub(super) fn board() -> (Board, Instant) {
    board_with(roomy())
}

pub(super) fn send(
    b: &mut Board,
    from: ParticipantId,
    json: &str,
    now: Instant,
) -> Result<Vec<Outbound>, Rejected> {
    b.apply_raw(from, json.as_bytes(), now, catalog)
}

/// The deltas among `out`, in order.
pub(super) fn deltas(out: &[Outbound]) -> Vec<Delta> {
    out.iter()
        .filter_map(|o| match o {
            Outbound::Broadcast(BoardMessage::Delta(d)) | Outbound::To(_, BoardMessage::Delta(d)) => {
                Some(d.clone())
            }
            _ => None,
        })
        .collect()
}

fn the_change(out: &[Outbound]) -> Change {
    let d = deltas(out);
    assert_eq!(d.len(), 1, "{out:?}");
    d[0].change.clone()
}

fn stroke_json(n: usize) -> String {
    let pts: Vec<String> = (0..n)
        .map(|i| format!("[{},0.5]", i as f32 / n.max(1) as f32))
        .collect();
    format!(
        r#"{{"type":"draw","points":[{}],"colour":"red","width":4}}"#,
        pts.join(",")
    )
}

#[test]
fn joining_broadcasts_the_participant_and_welcomes_them() {
    let t0 = Instant::now();
    let mut b = Board::new(BoardConfig::default(), 3);
    let out = b.join(F1, Role::Friend, "  Mei\u{7} ", t0).unwrap();
    assert_eq!(out.len(), 2);
    let participant = Participant {
        id: F1,
        role: Role::Friend,
        name: "Mei".into(),
        present: true,
    };
    assert_eq!(
        out[1],
        Outbound::Broadcast(BoardMessage::Delta(Delta {
            seq: 1,
            change: Change::Joined {
                participant: participant.clone()
            }
        }))
    );
    let Outbound::To(
        to,
        BoardMessage::Welcome {
            you,
            epoch,
            seq,
            limits,
            ..
        },
    ) = &out[0]
    else {
        panic!("{out:?}");
    };
    assert_eq!((*to, *you, *epoch, *seq), (F1, F1, 3, 1));
    assert_eq!(limits.max_message_bytes, 8 * 1024);
    assert_eq!(b.state().participants, vec![participant]);
}

#[test]
fn rejoining_unchanged_is_not_a_change_but_renaming_is() {
    let (mut b, t0) = board();
    let seq = b.seq();
    let out = b.join(F1, Role::Friend, "Mei", t0).unwrap();
    assert!(matches!(
        out.as_slice(),
        [Outbound::To(F1, BoardMessage::Welcome { .. })]
    ));
    assert_eq!(b.seq(), seq);
    let out = b.join(F1, Role::Friend, "Mei W.", t0).unwrap();
    assert!(matches!(the_change(&out), Change::Joined { participant } if participant.name == "Mei W."));
    assert_eq!(
        b.join(F2, Role::Friend, "\u{202E}\n", t0),
        Err(Rejected::Empty { field: "name" })
    );
}

#[test]
fn accepted_changes_are_numbered_in_arrival_order() {
    let (mut b, t0) = board();
    let start = b.seq();
    let msgs = [
        (F1, r#"{"type":"chat","text":"first"}"#),
        (S, r#"{"type":"pushCard","sku":"SKU-1","note":"try the blue"}"#),
        (F2, r#"{"type":"vote","sku":"SKU-1","choice":"keep"}"#),
        (F1, r#"{"type":"react","reaction":"heart"}"#),
        (F2, &stroke_json(3)),
    ];
    let mut seqs = Vec::new();
    for (from, json) in msgs {
        let out = send(&mut b, from, json, t0).unwrap();
        seqs.extend(deltas(&out).iter().map(|d| d.seq));
    }
    assert_eq!(seqs, (start + 1..=start + 5).collect::<Vec<_>>());
    assert_eq!(b.seq(), start + 5);
    // Every object's id is the seq of the change that made it.
    assert_eq!(b.state().chat[0].id, start + 1);
    assert_eq!(b.state().cards[0].id, CardId(start + 2));
    assert_eq!(b.state().reactions[0].id, start + 4);
    assert_eq!(b.state().strokes[0].id, StrokeId(start + 5));
}

#[test]
fn a_vote_is_one_per_participant_and_changing_it_moves_the_tally() {
    let (mut b, t0) = board();
    let vote = |c: &str| format!(r#"{{"type":"vote","sku":"SKU-1","choice":"{c}"}}"#);
    send(&mut b, F1, &vote("keep"), t0).unwrap();
    send(&mut b, F2, &vote("keep"), t0).unwrap();
    assert_eq!(
        b.tally("SKU-1"),
        Tally {
            keep: 2,
            skip: 0,
            size_up: 0
        }
    );
    let out = send(&mut b, F1, &vote("sizeUp"), t0).unwrap();
    assert_eq!(
        the_change(&out),
        Change::Voted {
            sku: "SKU-1".into(),
            by: F1,
            choice: Some(VoteChoice::SizeUp)
        }
    );
    assert_eq!(
        b.tally("SKU-1"),
        Tally {
            keep: 1,
            skip: 0,
            size_up: 1
        }
    );
    assert_eq!(b.state().votes[0].tally, b.tally("SKU-1"));
    assert_eq!(b.tally("SKU-2"), Tally::default());
}

#[test]
fn the_same_vote_again_is_no_change_and_unvote_withdraws() {
    let (mut b, t0) = board();
    let keep = r#"{"type":"vote","sku":"SKU-1","choice":"keep"}"#;
    send(&mut b, F1, keep, t0).unwrap();
    let seq = b.seq();
    assert_eq!(send(&mut b, F1, keep, t0), Ok(Vec::new()));
    assert_eq!(b.seq(), seq);
    let unvote = r#"{"type":"unvote","sku":"SKU-1"}"#;
    send(&mut b, F1, unvote, t0).unwrap();
    assert!(b.state().votes.is_empty(), "an item without votes goes");
    assert_eq!(send(&mut b, F1, unvote, t0), Ok(Vec::new()));
}

#[test]
fn a_full_card_rack_drops_the_oldest_card() {
    let config = BoardConfig {
        max_cards: 2,
        ..roomy()
    };
    let (mut b, t0) = board_with(config);
    for sku in ["SKU-1", "SKU-2"] {
        send(&mut b, S, &format!(r#"{{"type":"pushCard","sku":"{sku}"}}"#), t0).unwrap();
    }
    let first = b.state().cards[0].id;
    let out = send(
        &mut b,
        S,
        r#"{"type":"pushCard","sku":"SKU-3","variant":"SKU-3-M"}"#,
        t0,
    )
    .unwrap();
    assert!(matches!(the_change(&out), Change::CardPushed { evicted: Some(id), .. } if id == first));
    let skus: Vec<_> = b.state().cards.iter().map(|c| c.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-2", "SKU-3"]);
}

#[test]
fn strokes_past_the_count_or_point_limit_drop_the_oldest() {
    let config = BoardConfig {
        max_strokes: 3,
        max_points_per_stroke: 10,
        max_total_points: 20,
        ..roomy()
    };
    let (mut b, t0) = board_with(config);
    for _ in 0..3 {
        send(&mut b, F1, &stroke_json(2), t0).unwrap();
    }
    let ids: Vec<_> = b.state().strokes.iter().map(|s| s.id).collect();
    // A fourth stroke: over the count, so the oldest goes.
    let out = send(&mut b, F1, &stroke_json(2), t0).unwrap();
    assert!(matches!(the_change(&out), Change::StrokeAdded { evicted, .. } if evicted == ids[..1]));
    // Three strokes of 2 points; a 10-point one fits the points (6 + 10 ≤ 20), not the count.
    send(&mut b, F1, &stroke_json(10), t0).unwrap();
    // Now 2 + 2 + 10 points; 10 more would make 24 > 20: the two oldest go (10 + 10 = 20).
    let out = send(&mut b, F1, &stroke_json(10), t0).unwrap();
    let Change::StrokeAdded { evicted, .. } = the_change(&out) else {
        panic!()
    };
    assert_eq!(evicted.len(), 2);
    assert_eq!(b.state().total_points(), 20);
    assert!(b.state().strokes.len() <= 3);
}

#[test]
fn points_are_kept_to_four_decimals() {
    let (mut b, t0) = board();
    send(
        &mut b,
        F1,
        r#"{"type":"draw","points":[[0.123456789,1],[0,0.99999]],"colour":"blue","width":1}"#,
        t0,
    )
    .unwrap();
    assert_eq!(
        b.state().strokes[0].points,
        vec![Point(0.1235, 1.0), Point(0.0, 1.0)]
    );
}

#[test]
fn clearing_mine_takes_only_my_strokes_and_a_stylist_clears_all() {
    let (mut b, t0) = board();
    send(&mut b, F1, &stroke_json(2), t0).unwrap();
    send(&mut b, F2, &stroke_json(2), t0).unwrap();
    send(&mut b, S, &stroke_json(2), t0).unwrap();
    send(&mut b, F1, r#"{"type":"clear","scope":"mine"}"#, t0).unwrap();
    let authors: Vec<_> = b.state().strokes.iter().map(|s| s.by).collect();
    assert_eq!(authors, [F2, S]);
    assert_eq!(
        send(&mut b, F1, r#"{"type":"clear","scope":"mine"}"#, t0),
        Ok(Vec::new()),
        "nothing of mine left"
    );
    let out = send(&mut b, S, r#"{"type":"clear","scope":"all"}"#, t0).unwrap();
    assert_eq!(the_change(&out), Change::StrokesCleared { by: None });
    assert!(b.state().strokes.is_empty());
}

#[test]
fn a_stylist_removes_a_card_and_the_shopper_dismisses_one() {
    let (mut b, t0) = board();
    send(&mut b, S, r#"{"type":"pushCard","sku":"SKU-1"}"#, t0).unwrap();
    send(&mut b, S, r#"{"type":"pushCard","sku":"SKU-2"}"#, t0).unwrap();
    let (a, c) = (b.state().cards[0].id, b.state().cards[1].id);
    send(
        &mut b,
        S,
        &format!(r#"{{"type":"removeCard","card":{}}}"#, a.0),
        t0,
    )
    .unwrap();
    let out = b.apply_local(LocalAction::DismissCard(c), t0);
    assert_eq!(the_change(&out), Change::CardRemoved { card: c });
    assert!(b.state().cards.is_empty());
    assert!(
        b.apply_local(LocalAction::DismissCard(c), t0).is_empty(),
        "twice is harmless"
    );
}

#[test]
fn chat_keeps_the_last_messages() {
    let (mut b, t0) = board_with(BoardConfig {
        max_chat: 3,
        ..roomy()
    });
    for i in 0..5 {
        send(
            &mut b,
            F1,
            &format!(r#"{{"type":"chat","text":"  line {i} "}}"#),
            t0,
        )
        .unwrap();
    }
    let texts: Vec<_> = b.state().chat.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["line 2", "line 3", "line 4"]);
}

#[test]
fn reactions_expire_through_the_timeout() {
    let (mut b, t0) = board();
    assert_eq!(b.poll_timeout(), None);
    send(&mut b, F1, r#"{"type":"react","reaction":"fire"}"#, t0).unwrap();
    send(
        &mut b,
        F2,
        r#"{"type":"react","reaction":"clap"}"#,
        t0 + Duration::from_secs(1),
    )
    .unwrap();
    assert_eq!(b.poll_timeout(), Some(t0 + Duration::from_secs(4)));
    assert!(b.handle_timeout(t0 + Duration::from_millis(3999)).is_empty());
    let out = b.handle_timeout(t0 + Duration::from_secs(4));
    assert!(matches!(the_change(&out), Change::ReactionsExpired { ids } if ids.len() == 1));
    assert_eq!(b.state().reactions.len(), 1);
    b.handle_timeout(t0 + Duration::from_secs(60));
    assert!(b.state().reactions.is_empty());
    assert_eq!(b.poll_timeout(), None);
}

#[test]
fn leaving_keeps_what_they_left_and_silences_them() {
    let (mut b, t0) = board();
    send(&mut b, F1, &stroke_json(2), t0).unwrap();
    send(&mut b, F1, r#"{"type":"vote","sku":"SKU-1","choice":"skip"}"#, t0).unwrap();
    let out = b.leave(F1, t0);
    assert_eq!(the_change(&out), Change::Left { participant: F1 });
    assert!(b.leave(F1, t0).is_empty());
    assert_eq!(b.state().strokes.len(), 1);
    assert_eq!(b.tally("SKU-1").skip, 1);
    assert!(!b.state().participant(F1).unwrap().present);
    assert_eq!(
        send(&mut b, F1, r#"{"type":"chat","text":"hi"}"#, t0),
        Err(Rejected::NotJoined)
    );
    assert_eq!(
        send(&mut b, ParticipantId(99), r#"{"type":"chat","text":"hi"}"#, t0),
        Err(Rejected::NotJoined)
    );
}

#[test]
fn catch_up_sends_the_missed_deltas_then_synced() {
    let (mut b, t0) = board();
    let seen = b.seq();
    send(&mut b, F1, r#"{"type":"chat","text":"a"}"#, t0).unwrap();
    send(&mut b, F2, r#"{"type":"chat","text":"b"}"#, t0).unwrap();
    let out = b.catch_up(S, Some(7), Some(seen));
    let got: Vec<u64> = deltas(&out).iter().map(|d| d.seq).collect();
    assert_eq!(got, [seen + 1, seen + 2]);
    assert_eq!(
        out.last(),
        Some(&Outbound::To(S, BoardMessage::Synced { seq: seen + 2 }))
    );
    assert!(out.iter().all(|o| matches!(o, Outbound::To(S, _))));
    // Up to date: only the marker.
    assert_eq!(
        b.catch_up(S, Some(7), Some(b.seq())),
        vec![Outbound::To(S, BoardMessage::Synced { seq: b.seq() })]
    );
}

#[test]
fn catch_up_past_the_history_other_epoch_or_future_gets_a_snapshot() {
    let (mut b, t0) = board_with(BoardConfig {
        history_len: 4,
        ..roomy()
    });
    for i in 0..10 {
        send(&mut b, F1, &format!(r#"{{"type":"chat","text":"{i}"}}"#), t0).unwrap();
    }
    let is_snapshot = |out: Vec<Outbound>| matches!(out.as_slice(), [Outbound::To(_, BoardMessage::Snapshot(s))] if s.seq == b.seq() && s.state == *b.state());
    let seq = b.seq();
    assert!(
        is_snapshot(b.catch_up(F2, Some(7), Some(seq - 5))),
        "5 behind, 4 kept"
    );
    assert_eq!(
        deltas(&b.catch_up(F2, Some(7), Some(seq - 4))).len(),
        4,
        "exactly the history"
    );
    assert!(
        is_snapshot(b.catch_up(F2, Some(8), Some(seq - 1))),
        "another board's numbers"
    );
    assert!(
        is_snapshot(b.catch_up(F2, Some(7), Some(seq + 1))),
        "ahead of the kiosk"
    );
    assert!(is_snapshot(b.catch_up(F2, None, None)), "new page");
}

#[test]
fn sync_is_answered_to_the_sender_alone_and_changes_nothing() {
    let (mut b, t0) = board();
    let seq = b.seq();
    let out = send(&mut b, F2, r#"{"type":"sync"}"#, t0).unwrap();
    assert!(matches!(
        out.as_slice(),
        [Outbound::To(F2, BoardMessage::Snapshot(_))]
    ));
    let out = send(
        &mut b,
        F2,
        &format!(r#"{{"type":"sync","epoch":7,"lastSeq":{}}}"#, seq - 1),
        t0,
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(b.seq(), seq);
}

#[test]
fn clear_all_keeps_the_remotes_and_wipe_forgets_everything() {
    let (mut b, t0) = board();
    send(&mut b, S, r#"{"type":"pushCard","sku":"SKU-1"}"#, t0).unwrap();
    send(&mut b, F1, r#"{"type":"vote","sku":"SKU-1","choice":"keep"}"#, t0).unwrap();
    send(&mut b, F1, &stroke_json(4), t0).unwrap();
    send(&mut b, F2, r#"{"type":"chat","text":"nice"}"#, t0).unwrap();
    send(&mut b, F2, r#"{"type":"react","reaction":"wow"}"#, t0).unwrap();

    let out = b.apply_local(LocalAction::ClearAll, t0);
    assert_eq!(the_change(&out), Change::Cleared);
    assert_eq!(b.state().participants.len(), 3);
    assert_eq!(
        *b.state(),
        BoardState {
            participants: b.state().participants.clone(),
            ..Default::default()
        }
    );
    assert!(
        b.apply_local(LocalAction::ClearAll, t0).is_empty(),
        "already clear"
    );
    assert_eq!(b.poll_timeout(), None, "the cleared reaction's timer went too");

    send(&mut b, F1, &stroke_json(4), t0).unwrap();
    let seq = b.seq();
    let out = b.apply_local(LocalAction::Wipe, t0);
    assert_eq!(
        deltas(&out),
        vec![Delta {
            seq: seq + 1,
            change: Change::Wiped
        }]
    );
    assert_eq!(*b.state(), BoardState::default());
    assert_eq!(b.seq(), seq + 1, "numbers keep rising");
    assert_eq!(b.missed(Some(7), Some(seq)), None, "no history survives");
    assert_eq!(
        send(&mut b, F1, r#"{"type":"chat","text":"still here?"}"#, t0),
        Err(Rejected::NotJoined)
    );
}

#[test]
fn the_board_remembers_a_bounded_number_of_participants() {
    let t0 = Instant::now();
    let mut b = Board::new(
        BoardConfig {
            max_participants: 2,
            ..roomy()
        },
        1,
    );
    b.join(F1, Role::Friend, "a", t0).unwrap();
    b.join(F2, Role::Friend, "b", t0).unwrap();
    b.leave(F2, t0);
    assert_eq!(
        b.join(S, Role::Stylist, "c", t0),
        Err(Rejected::BoardFull { max: 2 })
    );
    assert!(
        b.join(F2, Role::Friend, "b", t0).is_ok(),
        "a known one comes back"
    );
}

#[test]
fn a_flood_is_cut_at_the_burst_and_refills_with_time() {
    let config = BoardConfig {
        rate_burst: 5,
        rate_per_sec: 2,
        ..BoardConfig::default()
    };
    let (mut b, t0) = board_with(config);
    let chat = r#"{"type":"chat","text":"spam"}"#;
    for _ in 0..5 {
        send(&mut b, F1, chat, t0).unwrap();
    }
    let seq = b.seq();
    assert_eq!(send(&mut b, F1, chat, t0), Err(Rejected::RateLimited));
    assert_eq!(
        send(&mut b, F1, "garbage", t0),
        Err(Rejected::RateLimited),
        "bad messages pay too"
    );
    assert_eq!(b.seq(), seq);
    assert!(send(&mut b, F2, chat, t0).is_ok(), "buckets are per participant");
    // Half a second buys one message at 2/s; many small steps add up exactly.
    let mut t = t0;
    for _ in 0..500 {
        t += Duration::from_millis(1);
    }
    assert!(send(&mut b, F1, chat, t).is_ok());
    assert_eq!(send(&mut b, F1, chat, t), Err(Rejected::RateLimited));
    // Leaving and coming back does not refill the bucket.
    b.leave(F1, t);
    b.join(F1, Role::Friend, "Mei", t).unwrap();
    assert_eq!(send(&mut b, F1, chat, t), Err(Rejected::RateLimited));
    assert!(send(&mut b, F1, chat, t + Duration::from_secs(60)).is_ok());
}

#[test]
fn rejections_map_to_coarse_codes_and_floods_get_no_answer() {
    assert_eq!(Rejected::UnknownType.code(), ErrorCode::BadMessage);
    assert_eq!(
        Rejected::Forbidden {
            role: Role::Friend,
            action: Action::PushCard
        }
        .code(),
        ErrorCode::Forbidden
    );
    assert_eq!(Rejected::UnknownProduct.code(), ErrorCode::UnknownProduct);
    assert!(!Rejected::RateLimited.deserves_reply());
    assert!(!Rejected::NotJoined.deserves_reply());
    assert!(Rejected::BadShape.deserves_reply());
    let json = serde_json::to_string(&BoardMessage::Error {
        code: ErrorCode::RateLimited,
    })
    .unwrap();
    assert_eq!(json, r#"{"type":"error","code":"rateLimited"}"#);
}
