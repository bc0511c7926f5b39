//! Random sequences (seeded, so a failure replays): remotes that follow the catch-up rules of
//! `docs/BOARD.md` through JSON always end up with the kiosk's state, and no input panics.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::super::*;
use super::{F1, F2, S, board_with, catalog, roomy};
use crate::rng::XorShift64;

const SKUS: &[&str] = &["SKU-1", "SKU-2", "SKU-3", "SKU-4", "GONE-1"];
const COLOURS: &[&str] = &["white", "black", "red", "yellow", "green", "blue", "pink"];
const REACTIONS: &[&str] = &["heart", "thumbsUp", "thumbsDown", "fire", "clap", "wow"];
const CHOICES: &[&str] = &["keep", "skip", "sizeUp"];

fn pick<'a>(rng: &mut XorShift64, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

/// One message a remote might send: mostly valid, sometimes not, sometimes not its role's.
fn random_intent(rng: &mut XorShift64, board: &Board) -> String {
    let sku = pick(rng, SKUS);
    match rng.below(12) {
        0 => {
            let note = if rng.below(2) == 0 {
                r#","note":"try this""#
            } else {
                ""
            };
            format!(r#"{{"type":"pushCard","sku":"{sku}","size":"M"{note}}}"#)
        }
        1 => {
            let card = board
                .state()
                .cards
                .first()
                .map_or(rng.below(50) as u64, |c| c.id.0);
            format!(r#"{{"type":"removeCard","card":{card}}}"#)
        }
        2 | 3 => {
            let n = 1 + rng.below(40);
            let pts: Vec<String> = (0..n)
                .map(|_| {
                    // Now and then a coordinate just outside the video.
                    let x = rng.next_f64() * 1.02;
                    format!("[{x},{}]", rng.next_f64())
                })
                .collect();
            let colour = pick(rng, COLOURS);
            let width = rng.below(22);
            format!(
                r#"{{"type":"draw","points":[{}],"colour":"{colour}","width":{width}}}"#,
                pts.join(",")
            )
        }
        4 => {
            let scope = if rng.below(3) == 0 { "all" } else { "mine" };
            format!(r#"{{"type":"clear","scope":"{scope}"}}"#)
        }
        5 | 6 => {
            let choice = pick(rng, CHOICES);
            format!(r#"{{"type":"vote","sku":"{sku}","choice":"{choice}"}}"#)
        }
        7 => format!(r#"{{"type":"unvote","sku":"{sku}"}}"#),
        8 => {
            let text = ["hi", "love it", "  ", "bad\\u0007", "好看"][rng.below(5)];
            format!(r#"{{"type":"chat","text":"{text}"}}"#)
        }
        9 => {
            let reaction = pick(rng, REACTIONS);
            format!(r#"{{"type":"react","reaction":"{reaction}"}}"#)
        }
        10 => {
            let last = board.seq().saturating_sub(rng.below(12) as u64);
            format!(r#"{{"type":"sync","epoch":{},"lastSeq":{last}}}"#, board.epoch())
        }
        _ => ["{", r#"{"type":"nope"}"#, r#"{"type":"chat"}"#][rng.below(3)].to_owned(),
    }
}

/// A remote page as `docs/BOARD.md` describes it, fed only JSON text.
#[derive(Debug, Default)]
struct Remote {
    connected: bool,
    /// `(epoch, seq)` once it holds a state.
    at: Option<(u32, u64)>,
    state: BoardState,
    /// A sync is in flight: gaps are expected and not asked about again.
    syncing: bool,
    /// Snapshots and delta catch-ups it received.
    snapshots: u32,
    delta_catch_ups: u32,
}

impl Remote {
    /// Takes one message; returns a message to send back, if any.
    fn receive(&mut self, text: &str) -> Option<String> {
        let message: BoardMessage = serde_json::from_str(text).unwrap();
        match message {
            BoardMessage::Welcome { epoch, .. } => {
                if self.at.is_some_and(|(e, _)| e != epoch) {
                    self.at = None;
                }
                self.syncing = true;
                Some(self.sync_request())
            }
            BoardMessage::Snapshot(s) => {
                self.at = Some((s.epoch, s.seq));
                self.state = s.state;
                self.syncing = false;
                self.snapshots += 1;
                None
            }
            BoardMessage::Synced { seq } => {
                assert_eq!(self.at.map(|(_, s)| s), Some(seq), "synced at another seq");
                self.syncing = false;
                self.delta_catch_ups += 1;
                None
            }
            BoardMessage::Delta(d) => {
                let Some((epoch, seq)) = self.at else {
                    return None; // no state yet: the sync reply will cover it
                };
                if d.seq == seq + 1 {
                    self.state.apply(&d.change);
                    self.at = Some((epoch, d.seq));
                    None
                } else if d.seq <= seq || self.syncing {
                    None
                } else {
                    self.syncing = true;
                    Some(self.sync_request())
                }
            }
            BoardMessage::Error { .. } => None,
        }
    }

    fn sync_request(&self) -> String {
        let intent = Intent::Sync {
            epoch: self.at.map(|(e, _)| e),
            last_seq: self.at.map(|(_, s)| s),
        };
        serde_json::to_string(&intent).unwrap()
    }
}

/// Three remotes and a kiosk, wired through JSON in memory.
struct Room {
    board: Board,
    remotes: BTreeMap<ParticipantId, Remote>,
    now: Instant,
}

impl Room {
    fn deliver(&mut self, out: Vec<Outbound>) {
        let mut replies = Vec::new();
        for o in out {
            let (to, message) = match o {
                Outbound::Broadcast(m) => (None, m),
                Outbound::To(p, m) => (Some(p), m),
            };
            let text = serde_json::to_string(&message).unwrap();
            for (id, remote) in &mut self.remotes {
                if remote.connected
                    && to.is_none_or(|t| t == *id)
                    && let Some(reply) = remote.receive(&text)
                {
                    replies.push((*id, reply));
                }
            }
        }
        for (from, text) in replies {
            self.send(from, &text);
        }
    }

    fn send(&mut self, from: ParticipantId, text: &str) {
        let (state, seq) = (self.board.state().clone(), self.board.seq());
        match self.board.apply_raw(from, text.as_bytes(), self.now, catalog) {
            Ok(out) => {
                let broadcasts = out.iter().filter(|o| matches!(o, Outbound::Broadcast(_))).count();
                assert_eq!(
                    self.board.seq(),
                    seq + broadcasts as u64,
                    "one seq per broadcast delta"
                );
                self.deliver(out);
            }
            Err(e) => {
                assert_eq!(
                    (self.board.state(), self.board.seq()),
                    (&state, seq),
                    "{e:?} changed the board"
                );
            }
        }
    }

    fn join(&mut self, id: ParticipantId) {
        let role = if id == S { Role::Stylist } else { Role::Friend };
        self.remotes.entry(id).or_default().connected = true;
        let out = self.board.join(id, role, "someone", self.now).unwrap();
        self.deliver(out);
    }

    fn drop_connection(&mut self, id: ParticipantId) {
        if let Some(r) = self.remotes.get_mut(&id) {
            r.connected = false;
        }
        let out = self.board.leave(id, self.now);
        self.deliver(out);
    }
}

#[test]
fn remotes_following_the_rules_always_hold_the_kiosks_state() {
    let (mut snapshots, mut catch_ups) = (0, 0);
    for seed in 1..=40u64 {
        let mut rng = XorShift64::new(seed);
        let config = BoardConfig {
            history_len: 8,
            max_strokes: 6,
            max_cards: 3,
            max_chat: 5,
            ..roomy()
        };
        let mut room = Room {
            board: Board::new(config, seed as u32),
            remotes: BTreeMap::new(),
            now: Instant::now(),
        };
        let ids = [F1, F2, S];
        for id in ids {
            room.join(id);
        }
        // Snapshots taken along the way, to replay the history onto later.
        let mut kept: Vec<Snapshot> = Vec::new();
        for _step in 0..400 {
            room.now += Duration::from_millis(rng.below(600) as u64);
            let out = room.board.handle_timeout(room.now);
            room.deliver(out);
            let id = ids[rng.below(3)];
            match rng.below(40) {
                0 => room.drop_connection(id),
                1 => room.join(id),
                2 => {
                    let out = room.board.apply_local(LocalAction::ClearAll, room.now);
                    room.deliver(out);
                }
                3 => {
                    let card = room.board.state().cards.last().map_or(CardId(0), |c| c.id);
                    let out = room.board.apply_local(LocalAction::DismissCard(card), room.now);
                    room.deliver(out);
                }
                4 if rng.below(5) == 0 => {
                    let out = room.board.apply_local(LocalAction::Wipe, room.now);
                    room.deliver(out);
                    for id in ids {
                        if room.remotes[&id].connected {
                            room.join(id);
                        }
                    }
                }
                5 => kept.push(room.board.snapshot()),
                _ => {
                    if room.remotes[&id].connected {
                        let text = random_intent(&mut rng, &room.board);
                        room.send(id, &text);
                    }
                }
            }
            for (id, remote) in &room.remotes {
                if remote.connected && !remote.syncing {
                    assert_eq!(
                        remote.at,
                        Some((room.board.epoch(), room.board.seq())),
                        "seed {seed}, {id}"
                    );
                    assert_eq!(remote.state, *room.board.state(), "seed {seed}, {id}");
                }
            }
        }
        // Everyone reconnects at the end and catches up, by deltas or by snapshot.
        for id in ids {
            room.drop_connection(id);
        }
        for id in ids {
            room.join(id);
            let r = &room.remotes[&id];
            assert_eq!(
                (&r.state, r.at),
                (room.board.state(), Some((room.board.epoch(), room.board.seq())))
            );
        }
        // Replaying the missed deltas onto an older snapshot gives today's state.
        for old in kept {
            if let Some(missed) = room.board.missed(Some(old.epoch), Some(old.seq)) {
                let mut state = old.state;
                for d in missed {
                    state.apply(&d.change);
                }
                assert_eq!(state, *room.board.state(), "seed {seed}");
            }
        }
        for r in room.remotes.values() {
            snapshots += r.snapshots;
            catch_ups += r.delta_catch_ups;
        }
    }
    assert!(
        snapshots > 50 && catch_ups > 50,
        "both paths exercised: {snapshots} {catch_ups}"
    );
}

/// A few valid messages to mutate.
fn seeds() -> Vec<String> {
    vec![
        r#"{"type":"pushCard","sku":"SKU-1","variant":"SKU-1-M","colour":"navy","size":"M","note":"yes"}"#
            .into(),
        r#"{"type":"draw","points":[[0.1,0.2],[0.3,0.4],[0.5,0.6]],"colour":"red","width":4}"#.into(),
        r#"{"type":"vote","sku":"SKU-2","choice":"sizeUp"}"#.into(),
        r#"{"type":"chat","text":"好看!"}"#.into(),
        r#"{"type":"react","reaction":"heart"}"#.into(),
        r#"{"type":"clear","scope":"all"}"#.into(),
        r#"{"type":"sync","epoch":7,"lastSeq":3}"#.into(),
        r#"{"type":"removeCard","card":4}"#.into(),
    ]
}

fn mutate(rng: &mut XorShift64, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(7) {
            0 if at < b.len() => b[at] = rng.next_u64() as u8,
            1 if at < b.len() => {
                b.remove(at);
            }
            2 => b.insert(at, b"{}[],:\"\\0-e.9"[rng.below(13)]),
            3 => b.truncate(at),
            4 => {
                let tail = b[at..].to_vec();
                b.extend_from_slice(&tail);
            }
            5 => b.splice(at..at, b"1e308".iter().copied()).for_each(drop),
            _ => b.splice(at..at, "\u{202E}\u{0}".bytes()).for_each(drop),
        }
    }
    b
}

/// What must hold after any input, whatever it was.
fn check_invariants(b: &Board) {
    let (s, c) = (b.state(), b.config());
    assert!(s.cards.len() <= c.max_cards && s.strokes.len() <= c.max_strokes);
    assert!(s.total_points() <= c.max_total_points);
    assert!(s.chat.len() <= c.max_chat && s.reactions.len() <= c.max_reactions);
    assert!(s.votes.len() <= c.max_voted_items);
    for st in &s.strokes {
        assert!(!st.points.is_empty() && st.points.len() <= c.max_points_per_stroke);
        assert!(
            st.points
                .iter()
                .all(|p| (0.0..=1.0).contains(&p.0) && (0.0..=1.0).contains(&p.1))
        );
    }
    let texts = s
        .chat
        .iter()
        .map(|m| m.text.as_str())
        .chain(s.cards.iter().filter_map(|c| c.note.as_deref()));
    for t in texts {
        assert!(!t.chars().any(char::is_control) && !t.contains('\u{202E}'));
    }
}

#[test]
fn random_bytes_and_mutated_messages_never_panic() {
    let (mut b, t0) = board_with(roomy());
    let mut rng = XorShift64::new(0xB0A4D);
    let valid = seeds();
    let ids = [F1, F2, S, ParticipantId(404)];
    let mut accepted = 0;
    let mut kinds = std::collections::HashSet::new();
    for i in 0..10_000 {
        let bytes: Vec<u8> = if i % 2 == 0 {
            let max = if rng.below(50) == 0 { 10_000 } else { 200 };
            let len = rng.below(max);
            (0..len).map(|_| rng.next_u64() as u8).collect()
        } else {
            let base = &valid[rng.below(valid.len())];
            mutate(&mut rng, base.as_bytes())
        };
        let seq = b.seq();
        match b.apply_raw(ids[rng.below(ids.len())], &bytes, t0, catalog) {
            Ok(out) => {
                accepted += 1;
                let broadcasts = out.iter().filter(|o| matches!(o, Outbound::Broadcast(_))).count();
                assert_eq!(b.seq(), seq + broadcasts as u64);
            }
            Err(e) => {
                assert_eq!(b.seq(), seq);
                kinds.insert(std::mem::discriminant(&e));
            }
        }
        check_invariants(&b);
    }
    // The inputs reached past the parser: some were accepted, and refusals came for many reasons.
    assert!(accepted > 10, "{accepted} accepted");
    assert!(kinds.len() >= 8, "{} kinds of refusal", kinds.len());
}
