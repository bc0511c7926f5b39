//! The kiosk's side of the shared board over a call: the domain's authoritative [`Board`], fed by
//! the call client's events, answering on the legs' board channels.
//!
//! One participant per leg: the leg id is the participant id. A remote back within the relay's
//! grace period keeps its leg, so it keeps its identity (and a friend its votes); a friend who
//! joins again with a new invite is a new participant. Store staff and stylists take the board's
//! stylist role.
//!
//! Still pure of sockets: [`BoardHost::handle`] returns the texts to send, leg by leg, and the
//! caller sends them with [`crate::CallClient::send_board_text`] (see [`send_all`]).

use std::collections::BTreeMap;
use std::time::Instant;

use atelier_domain::board::{
    Board, BoardConfig, BoardMessage, BoardState, LocalAction, Outbound, ParticipantId, Role as BoardRole,
};
use atelier_protocol::call::{LegId, PeerInfo, Role};

use crate::{CallClient, CallEvent};

/// A text for one leg's board channel.
pub type BoardText = (LegId, String);

/// Why an inbound board message was refused, for the log (never sent back as text).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub leg: LegId,
    pub reason: String,
}

/// What one call event did to the board.
#[derive(Debug, Default)]
pub struct HostOutput {
    /// Texts to send.
    pub texts: Vec<BoardText>,
    /// The board changed (redraw the mirror).
    pub changed: bool,
    /// A message was refused (already logged).
    pub refused: Option<Refusal>,
}

/// The kiosk's board for one shopper session.
pub struct BoardHost {
    board: Board,
    /// Legs of this call and who is on them.
    legs: BTreeMap<LegId, PeerInfo>,
    /// Legs whose board channel is open.
    open: BTreeMap<LegId, ()>,
}

fn participant(leg: LegId) -> ParticipantId {
    ParticipantId(leg.0)
}

fn leg_of(id: ParticipantId) -> LegId {
    LegId(id.0)
}

fn board_role(role: Role) -> Option<BoardRole> {
    match role {
        Role::Friend => Some(BoardRole::Friend),
        Role::Stylist | Role::Staff => Some(BoardRole::Stylist),
        Role::Kiosk => None,
    }
}

impl BoardHost {
    /// A fresh board; `epoch` tells this session's board from the last one (e.g. the session number).
    pub fn new(config: BoardConfig, epoch: u32) -> Self {
        Self {
            board: Board::new(config, epoch),
            legs: BTreeMap::new(),
            open: BTreeMap::new(),
        }
    }

    pub fn state(&self) -> &BoardState {
        self.board.state()
    }

    pub fn seq(&self) -> u64 {
        self.board.seq()
    }

    pub fn epoch(&self) -> u32 {
        self.board.epoch()
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Feeds one call event. `known_product(sku, variant)` says whether the store's catalog has it.
    pub fn handle(
        &mut self,
        event: &CallEvent,
        now: Instant,
        known_product: impl Fn(&str, Option<&str>) -> bool,
    ) -> HostOutput {
        let mut out = HostOutput::default();
        match event {
            CallEvent::LegStarted { leg, peer, .. } => {
                self.legs.insert(*leg, peer.clone());
            }
            CallEvent::Members { members, .. } => {
                for m in members {
                    self.legs.insert(m.leg, m.peer.clone());
                }
            }
            CallEvent::BoardOpen { leg } => {
                let Some(peer) = self.legs.get(leg) else {
                    tracing::warn!(%leg, "a board channel opened on a leg the kiosk does not know");
                    return out;
                };
                let Some(role) = board_role(peer.role) else {
                    return out;
                };
                match self
                    .board
                    .join(participant(*leg), role, peer.display_name.as_str(), now)
                {
                    Ok(msgs) => {
                        self.open.insert(*leg, ());
                        out.changed = true;
                        out.texts = self.route(msgs);
                    }
                    Err(e) => {
                        tracing::warn!(%leg, reason = %e, "a remote could not join the board");
                        out.refused = Some(Refusal {
                            leg: *leg,
                            reason: e.to_string(),
                        });
                    }
                }
            }
            CallEvent::BoardText { leg, text } => {
                if !self.open.contains_key(leg) {
                    tracing::warn!(%leg, "board text before the remote joined the board; dropped");
                    return out;
                }
                let before = self.board.seq();
                match self
                    .board
                    .apply_raw(participant(*leg), text.as_bytes(), now, known_product)
                {
                    Ok(msgs) => {
                        out.changed = self.board.seq() != before;
                        out.texts = self.route(msgs);
                    }
                    Err(rejected) => {
                        // The reason is typed and holds nothing from the message.
                        tracing::info!(%leg, reason = %rejected, bytes = text.len(), "board message refused");
                        if rejected.deserves_reply() {
                            let reply = BoardMessage::Error {
                                code: rejected.code(),
                            };
                            out.texts = self.route(vec![Outbound::To(participant(*leg), reply)]);
                        }
                        out.refused = Some(Refusal {
                            leg: *leg,
                            reason: rejected.to_string(),
                        });
                    }
                }
            }
            CallEvent::LegEnded { leg, .. } => {
                self.legs.remove(leg);
                if self.open.remove(leg).is_some() {
                    let msgs = self.board.leave(participant(*leg), now);
                    out.changed = !msgs.is_empty();
                    out.texts = self.route(msgs);
                }
            }
            _ => {}
        }
        out
    }

    /// What the shopper did at the mirror.
    pub fn local(&mut self, action: LocalAction, now: Instant) -> HostOutput {
        let msgs = self.board.apply_local(action, now);
        let changed = !msgs.is_empty();
        let texts = self.route(msgs);
        if matches!(action, LocalAction::Wipe) {
            self.open.clear();
            self.legs.clear();
        }
        HostOutput {
            texts,
            changed,
            refused: None,
        }
    }

    /// When [`BoardHost::tick`] must run next (a reaction expiring).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.board.poll_timeout()
    }

    pub fn tick(&mut self, now: Instant) -> HostOutput {
        let msgs = self.board.handle_timeout(now);
        HostOutput {
            changed: !msgs.is_empty(),
            texts: self.route(msgs),
            refused: None,
        }
    }

    /// Legs whose board channel is open.
    pub fn open_legs(&self) -> impl Iterator<Item = LegId> + '_ {
        self.open.keys().copied()
    }

    fn route(&self, msgs: Vec<Outbound>) -> Vec<BoardText> {
        let mut texts = Vec::new();
        for m in msgs {
            let (to, msg): (Vec<LegId>, BoardMessage) = match m {
                Outbound::Broadcast(msg) => (self.open.keys().copied().collect(), msg),
                Outbound::To(id, msg) => {
                    let leg = leg_of(id);
                    (
                        if self.open.contains_key(&leg) {
                            vec![leg]
                        } else {
                            Vec::new()
                        },
                        msg,
                    )
                }
            };
            if to.is_empty() {
                continue;
            }
            match serde_json::to_string(&msg) {
                Ok(text) => texts.extend(to.into_iter().map(|leg| (leg, text.clone()))),
                Err(e) => tracing::error!(error = %e, "a board message could not be encoded"),
            }
        }
        texts
    }
}

/// Sends the texts in order; a leg that has gone is logged and skipped.
pub async fn send_all(client: &CallClient, texts: Vec<BoardText>) {
    for (leg, text) in texts {
        if let Err(e) = client.send_board_text(leg, &text).await {
            tracing::debug!(%leg, error = %e, "a board message was not sent");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_protocol::call::{CallId, DisplayName, LegEndReason};

    fn started(leg: u64, role: Role, name: &str) -> CallEvent {
        CallEvent::LegStarted {
            leg: LegId(leg),
            call: CallId(1),
            peer: PeerInfo {
                role,
                display_name: DisplayName::clipped(name, "?"),
            },
        }
    }

    fn known(sku: &str, _variant: Option<&str>) -> bool {
        sku == "TEE-1"
    }

    fn types(texts: &[BoardText]) -> Vec<(u64, String)> {
        texts
            .iter()
            .map(|(leg, t)| {
                let v: serde_json::Value = serde_json::from_str(t).expect("json");
                let kind = v["type"].as_str().unwrap_or("").to_owned();
                let change = v["change"]["type"]
                    .as_str()
                    .map(|c| format!("/{c}"))
                    .unwrap_or_default();
                (leg.0, kind + &change)
            })
            .collect()
    }

    #[test]
    fn joins_routes_and_refuses() {
        let now = Instant::now();
        let mut host = BoardHost::new(BoardConfig::default(), 7);
        host.handle(&started(1, Role::Stylist, "Mei"), now, known);
        host.handle(&started(2, Role::Friend, "Ana"), now, known);

        let out = host.handle(&CallEvent::BoardOpen { leg: LegId(1) }, now, known);
        assert!(out.changed);
        assert_eq!(
            types(&out.texts),
            vec![(1, "welcome".into()), (1, "delta/joined".into())]
        );
        let out = host.handle(&CallEvent::BoardOpen { leg: LegId(2) }, now, known);
        assert_eq!(
            types(&out.texts),
            vec![
                (2, "welcome".into()),
                (1, "delta/joined".into()),
                (2, "delta/joined".into())
            ]
        );

        // The stylist pushes a card: everyone gets the delta.
        let push = r#"{"type":"pushCard","sku":"TEE-1"}"#;
        let out = host.handle(
            &CallEvent::BoardText {
                leg: LegId(1),
                text: push.into(),
            },
            now,
            known,
        );
        assert!(out.changed);
        assert_eq!(
            types(&out.texts),
            vec![(1, "delta/cardPushed".into()), (2, "delta/cardPushed".into())]
        );
        assert_eq!(host.state().cards.len(), 1);

        // A friend may not push cards; an unknown product is refused; garbage is refused.
        for text in [
            push,
            r#"{"type":"pushCard","sku":"NOPE"}"#,
            "{not json",
            "\u{0}\u{1}",
        ] {
            let out = host.handle(
                &CallEvent::BoardText {
                    leg: LegId(2),
                    text: text.into(),
                },
                now,
                known,
            );
            assert!(!out.changed, "{text}");
            assert!(out.refused.is_some(), "{text}");
            assert!(out.texts.iter().all(|(leg, t)| leg.0 == 2 && !t.contains("NOPE")));
        }
        assert_eq!(host.state().cards.len(), 1);

        // The friend votes; the tally is the board's.
        let out = host.handle(
            &CallEvent::BoardText {
                leg: LegId(2),
                text: r#"{"type":"vote","sku":"TEE-1","choice":"keep"}"#.into(),
            },
            now,
            known,
        );
        assert!(out.changed);
        assert_eq!(host.board().tally("TEE-1").keep, 1);

        // Text on a leg whose channel never opened is dropped.
        host.handle(&started(3, Role::Friend, "Bo"), now, known);
        let out = host.handle(
            &CallEvent::BoardText {
                leg: LegId(3),
                text: r#"{"type":"chat","text":"hi"}"#.into(),
            },
            now,
            known,
        );
        assert!(out.texts.is_empty() && !out.changed);

        // A leg ends: the others hear that it left.
        let out = host.handle(
            &CallEvent::LegEnded {
                leg: LegId(2),
                reason: LegEndReason::HungUp,
            },
            now,
            known,
        );
        assert_eq!(types(&out.texts), vec![(1, "delta/left".into())]);

        // The shopper wipes the board: the stylist hears it, and the host forgets every leg.
        let out = host.local(LocalAction::Wipe, now);
        assert_eq!(types(&out.texts), vec![(1, "delta/wiped".into())]);
        assert_eq!(host.open_legs().count(), 0);
    }
}
