//! The shared board of a call: product cards, annotations over the video, votes, chat and
//! reactions, shared between the kiosk and its remotes (friends, a stylist).
//!
//! The kiosk is authoritative. Remotes send [`Intent`]s; the kiosk checks each one (size before
//! parsing, then shape, permission, content, rate), applies the accepted ones in arrival order,
//! numbers every change with the next sequence number and broadcasts it as a [`Delta`]. A remote
//! that reconnects sends the last sequence number it saw and gets the deltas it missed, or a
//! [`Snapshot`] when they are no longer kept. See `docs/BOARD.md` for the wire and the rules.
//!
//! A pure state machine like [`crate::session`]: `now` comes in as an argument, nothing is sent
//! from here, and every call returns the [`Outbound`] messages for the shell to deliver.
//! [`Board::poll_timeout`] / [`Board::handle_timeout`] expire reactions.

mod rate;
mod validate;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

pub use validate::{
    Action, MAX_CHAT_CHARS, MAX_COLOUR_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_SIZE_CHARS, MAX_SKU_BYTES,
    MAX_STROKE_WIDTH, Rejected, decode_intent,
};
pub use wire::{
    BoardMessage, BoardState, Card, CardId, Change, ChatMessage, ClearScope, Delta, ErrorCode, Intent,
    ItemVotes, Limits, Participant, ParticipantId, Point, Reaction, ReactionShown, Role, Snapshot, Stroke,
    StrokeColour, StrokeId, Tally, Vote, VoteChoice,
};

use rate::TokenBucket;

/// The board's limits. Every list is bounded, so the board's memory and a snapshot's size are too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardConfig {
    /// Largest message accepted from a remote, checked before parsing.
    pub max_message_bytes: usize,
    /// Participants the board remembers (present or not) in one session.
    pub max_participants: usize,
    /// Cards on the mirror; pushing one more drops the oldest.
    pub max_cards: usize,
    /// Strokes on the mirror; drawing one more drops the oldest.
    pub max_strokes: usize,
    /// Points in one stroke; a longer stroke is refused (pages split long strokes).
    pub max_points_per_stroke: usize,
    /// Points in all strokes together; the oldest strokes are dropped to stay within.
    pub max_total_points: usize,
    /// Chat messages kept; the oldest is dropped.
    pub max_chat: usize,
    /// Reactions on screen at once; the oldest is dropped.
    pub max_reactions: usize,
    /// How long a reaction stays on screen.
    pub reaction_ttl: Duration,
    /// Items with votes on them; a vote on one more item is refused.
    pub max_voted_items: usize,
    /// Deltas kept for catch-up; a remote further behind gets a snapshot.
    pub history_len: usize,
    /// Messages a participant may send in a burst.
    pub rate_burst: u32,
    /// Messages a participant may send per second, sustained.
    pub rate_per_sec: u32,
}

impl Default for BoardConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: 8 * 1024,
            max_participants: 16,
            max_cards: 12,
            max_strokes: 64,
            max_points_per_stroke: 256,
            max_total_points: 6000,
            max_chat: 50,
            max_reactions: 20,
            reaction_ttl: Duration::from_secs(4),
            max_voted_items: 64,
            history_len: 256,
            rate_burst: 20,
            rate_per_sec: 8,
        }
    }
}

impl BoardConfig {
    /// Limits of zero would make some actions impossible; they become one.
    fn normalised(mut self) -> Self {
        for v in [
            &mut self.max_participants,
            &mut self.max_cards,
            &mut self.max_strokes,
            &mut self.max_points_per_stroke,
            &mut self.max_chat,
            &mut self.max_reactions,
            &mut self.max_voted_items,
        ] {
            *v = (*v).max(1);
        }
        self.max_total_points = self.max_total_points.max(self.max_points_per_stroke);
        self.rate_burst = self.rate_burst.max(1);
        self
    }
}

/// A message for the shell to deliver.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// To every open board channel (the kiosk's own UI redraws from [`Board::state`]).
    Broadcast(BoardMessage),
    /// To one participant.
    To(ParticipantId, BoardMessage),
}

/// What the shopper does at the mirror itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalAction {
    /// Clears cards, strokes, votes, chat and reactions; the remotes stay.
    ClearAll,
    /// Takes one card off the mirror.
    DismissCard(CardId),
    /// The session ended: forget everything, remotes included.
    Wipe,
}

/// The kiosk's authoritative board.
#[derive(Debug, Clone)]
pub struct Board {
    config: BoardConfig,
    epoch: u32,
    seq: u64,
    state: BoardState,
    /// The latest deltas, contiguous, oldest first.
    history: VecDeque<Delta>,
    /// Kept after a participant leaves, so leaving and rejoining does not refill the bucket.
    buckets: BTreeMap<ParticipantId, TokenBucket>,
    /// Reactions on screen and when each expires, oldest first.
    expiries: VecDeque<(u64, Instant)>,
}

impl Board {
    /// An empty board. `epoch` tells this board from earlier ones (a remote holding another
    /// epoch's sequence numbers gets a snapshot); use something new per session, below 2^32.
    pub fn new(config: BoardConfig, epoch: u32) -> Self {
        Self {
            config: config.normalised(),
            epoch,
            seq: 0,
            state: BoardState::default(),
            history: VecDeque::new(),
            buckets: BTreeMap::new(),
            expiries: VecDeque::new(),
        }
    }

    /// The board's state, for the kiosk to draw.
    pub fn state(&self) -> &BoardState {
        &self.state
    }

    /// The sequence number of the last change (0 before the first).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    pub fn config(&self) -> &BoardConfig {
        &self.config
    }

    /// The tally of one item.
    pub fn tally(&self, sku: &str) -> Tally {
        self.state.tally(sku)
    }

    /// The whole board as a message.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            epoch: self.epoch,
            seq: self.seq,
            state: self.state.clone(),
        }
    }

    /// The limits a remote is told on joining.
    pub fn limits(&self) -> Limits {
        let c = &self.config;
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Limits {
            max_message_bytes: n(c.max_message_bytes),
            max_points_per_stroke: n(c.max_points_per_stroke),
            max_stroke_width: MAX_STROKE_WIDTH,
            max_chat_chars: n(MAX_CHAT_CHARS),
            max_note_chars: n(MAX_NOTE_CHARS),
            rate_per_sec: c.rate_per_sec,
            rate_burst: c.rate_burst,
        }
    }

    /// A remote's board channel opened. A known id comes back (present again, name and role
    /// updated); a new one is added. The remote is welcomed and should answer with `sync`.
    pub fn join(
        &mut self,
        id: ParticipantId,
        role: Role,
        name: &str,
        now: Instant,
    ) -> Result<Vec<Outbound>, Rejected> {
        let name = validate::display_name(name)?;
        let is_new = self.state.participant(id).is_none();
        if is_new && self.state.participants.len() >= self.config.max_participants {
            return Err(Rejected::BoardFull {
                max: self.config.max_participants,
            });
        }
        let participant = Participant {
            id,
            role,
            name,
            present: true,
        };
        let changed = (self.state.participant(id) != Some(&participant))
            .then(|| self.commit(Change::Joined { participant }));
        self.buckets
            .entry(id)
            .or_insert_with(|| TokenBucket::new(self.config.rate_burst, now));
        // The welcome goes first, so the page is already waiting for its sync reply when the
        // broadcast of its own arrival reaches it.
        let welcome = Outbound::To(
            id,
            BoardMessage::Welcome {
                you: id,
                role,
                epoch: self.epoch,
                seq: self.seq,
                limits: self.limits(),
            },
        );
        Ok([welcome].into_iter().chain(changed).collect())
    }

    /// A remote's board channel closed. What they put on the board stays.
    pub fn leave(&mut self, id: ParticipantId, _now: Instant) -> Vec<Outbound> {
        match self.state.participant(id) {
            Some(p) if p.present => vec![self.commit(Change::Left { participant: id })],
            _ => Vec::new(),
        }
    }

    /// One message from a remote, as it arrived: checked, parsed, validated and applied.
    /// `known_product(sku, variant)` says whether this store's catalog has the product (and the
    /// variant, when one is named). On `Err` the board is unchanged; log the reason, and answer
    /// with [`Rejected::code`] only if [`Rejected::deserves_reply`].
    pub fn apply_raw(
        &mut self,
        from: ParticipantId,
        bytes: &[u8],
        now: Instant,
        known_product: impl Fn(&str, Option<&str>) -> bool,
    ) -> Result<Vec<Outbound>, Rejected> {
        let role = self.admit(from, now)?;
        let intent = decode_intent(bytes, self.config.max_message_bytes)?;
        self.apply_checked(from, role, intent, now, &known_product)
    }

    /// An intent already parsed (a test, or a transport that decodes itself): rate-limited and
    /// validated exactly as [`Board::apply_raw`] does, without the size check.
    pub fn apply_intent(
        &mut self,
        from: ParticipantId,
        intent: Intent,
        now: Instant,
        known_product: impl Fn(&str, Option<&str>) -> bool,
    ) -> Result<Vec<Outbound>, Rejected> {
        let role = self.admit(from, now)?;
        self.apply_checked(from, role, intent, now, &known_product)
    }

    /// What the shopper did at the mirror.
    pub fn apply_local(&mut self, action: LocalAction, _now: Instant) -> Vec<Outbound> {
        match action {
            LocalAction::ClearAll => {
                let s = &self.state;
                let empty = s.cards.is_empty()
                    && s.strokes.is_empty()
                    && s.votes.is_empty()
                    && s.chat.is_empty()
                    && s.reactions.is_empty();
                if empty {
                    return Vec::new();
                }
                self.expiries.clear();
                vec![self.commit(Change::Cleared)]
            }
            LocalAction::DismissCard(card) => {
                if self.state.cards.iter().any(|c| c.id == card) {
                    vec![self.commit(Change::CardRemoved { card })]
                } else {
                    Vec::new()
                }
            }
            LocalAction::Wipe => {
                let out = self.commit(Change::Wiped);
                self.history.clear();
                self.buckets.clear();
                self.expiries.clear();
                vec![out]
            }
        }
    }

    /// What a remote at `last_seq` of `epoch` needs: the deltas it missed then `synced`, or a
    /// snapshot when they are no longer kept, the epoch differs, or it knows nothing yet.
    pub fn catch_up(&self, to: ParticipantId, epoch: Option<u32>, last_seq: Option<u64>) -> Vec<Outbound> {
        match self.missed(epoch, last_seq) {
            Some(deltas) => deltas
                .into_iter()
                .map(|d| Outbound::To(to, BoardMessage::Delta(d.clone())))
                .chain([Outbound::To(to, BoardMessage::Synced { seq: self.seq })])
                .collect(),
            None => vec![Outbound::To(to, BoardMessage::Snapshot(self.snapshot()))],
        }
    }

    /// The deltas after `last_seq`, or `None` when only a snapshot will do.
    pub fn missed(&self, epoch: Option<u32>, last_seq: Option<u64>) -> Option<Vec<&Delta>> {
        let (Some(epoch), Some(last)) = (epoch, last_seq) else {
            return None;
        };
        if epoch != self.epoch || last > self.seq {
            return None;
        }
        if last == self.seq {
            return Some(Vec::new());
        }
        let oldest = self.history.front()?.seq;
        if last + 1 < oldest {
            return None;
        }
        Some(self.history.iter().filter(|d| d.seq > last).collect())
    }

    /// When [`Board::handle_timeout`] must run next: the next reaction to expire.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.expiries.front().map(|&(_, at)| at)
    }

    /// Expires the reactions due by `now`.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Outbound> {
        let mut ids = Vec::new();
        while let Some(&(id, at)) = self.expiries.front() {
            if at > now {
                break;
            }
            self.expiries.pop_front();
            if self.state.reactions.iter().any(|r| r.id == id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            Vec::new()
        } else {
            vec![self.commit(Change::ReactionsExpired { ids })]
        }
    }

    /// The sender must be present and within their rate.
    fn admit(&mut self, from: ParticipantId, now: Instant) -> Result<Role, Rejected> {
        let role = match self.state.participant(from) {
            Some(p) if p.present => p.role,
            _ => return Err(Rejected::NotJoined),
        };
        let (burst, per_sec) = (self.config.rate_burst, self.config.rate_per_sec);
        let bucket = self
            .buckets
            .entry(from)
            .or_insert_with(|| TokenBucket::new(burst, now));
        if !bucket.take(now, burst, per_sec) {
            return Err(Rejected::RateLimited);
        }
        Ok(role)
    }

    fn apply_checked(
        &mut self,
        from: ParticipantId,
        role: Role,
        intent: Intent,
        now: Instant,
        known_product: &dyn Fn(&str, Option<&str>) -> bool,
    ) -> Result<Vec<Outbound>, Rejected> {
        permitted(role, &intent)?;
        let change = match intent {
            Intent::Sync { epoch, last_seq } => return Ok(self.catch_up(from, epoch, last_seq)),
            Intent::PushCard {
                sku,
                variant,
                colour,
                size,
                note,
            } => {
                let sku = validate::sku("sku", &sku)?;
                let variant = variant.map(|v| validate::sku("variant", &v)).transpose()?;
                let colour = validate::optional_text("colour", colour.as_deref(), MAX_COLOUR_CHARS)?;
                let size = validate::optional_text("size", size.as_deref(), MAX_SIZE_CHARS)?;
                let note = validate::optional_text("note", note.as_deref(), MAX_NOTE_CHARS)?;
                if !known_product(&sku, variant.as_deref()) {
                    return Err(Rejected::UnknownProduct);
                }
                let evicted = (self.state.cards.len() >= self.config.max_cards)
                    .then(|| self.state.cards.first().map(|c| c.id))
                    .flatten();
                Change::CardPushed {
                    card: Card {
                        id: CardId(self.seq + 1),
                        by: from,
                        sku,
                        variant,
                        colour,
                        size,
                        note,
                    },
                    evicted,
                }
            }
            Intent::RemoveCard { card } => {
                if !self.state.cards.iter().any(|c| c.id == card) {
                    return Err(Rejected::UnknownCard);
                }
                Change::CardRemoved { card }
            }
            Intent::Draw {
                points,
                colour,
                width,
            } => {
                let points = validate::points(&points, self.config.max_points_per_stroke)?;
                let width = validate::width(width)?;
                let evicted = self.strokes_to_evict(points.len());
                Change::StrokeAdded {
                    stroke: Stroke {
                        id: StrokeId(self.seq + 1),
                        by: from,
                        colour,
                        width,
                        points,
                    },
                    evicted,
                }
            }
            Intent::Clear { scope } => {
                let by = match scope {
                    ClearScope::Mine => Some(from),
                    ClearScope::All => None,
                };
                let any = self.state.strokes.iter().any(|s| by.is_none_or(|b| s.by == b));
                if !any {
                    return Ok(Vec::new());
                }
                Change::StrokesCleared { by }
            }
            Intent::Vote { sku, choice } => {
                let sku = validate::sku("sku", &sku)?;
                if !known_product(&sku, None) {
                    return Err(Rejected::UnknownProduct);
                }
                let current = self.state.vote_of(&sku, from);
                if current == Some(choice) {
                    return Ok(Vec::new());
                }
                let new_item = !self.state.votes.iter().any(|v| v.sku == sku);
                if new_item && self.state.votes.len() >= self.config.max_voted_items {
                    return Err(Rejected::TooManyItems {
                        max: self.config.max_voted_items,
                    });
                }
                Change::Voted {
                    sku,
                    by: from,
                    choice: Some(choice),
                }
            }
            Intent::Unvote { sku } => {
                let sku = validate::sku("sku", &sku)?;
                if self.state.vote_of(&sku, from).is_none() {
                    return Ok(Vec::new());
                }
                Change::Voted {
                    sku,
                    by: from,
                    choice: None,
                }
            }
            Intent::Chat { text } => {
                let text = validate::text("text", &text, MAX_CHAT_CHARS)?;
                let evicted = (self.state.chat.len() >= self.config.max_chat)
                    .then(|| self.state.chat.first().map(|m| m.id))
                    .flatten();
                Change::Chatted {
                    message: ChatMessage {
                        id: self.seq + 1,
                        by: from,
                        text,
                    },
                    evicted,
                }
            }
            Intent::React { reaction } => {
                let evicted = (self.state.reactions.len() >= self.config.max_reactions)
                    .then(|| self.state.reactions.first().map(|r| r.id))
                    .flatten();
                if let Some(old) = evicted {
                    self.expiries.retain(|&(id, _)| id != old);
                }
                let id = self.seq + 1;
                self.expiries.push_back((id, now + self.config.reaction_ttl));
                Change::Reacted {
                    reaction: ReactionShown {
                        id,
                        by: from,
                        reaction,
                    },
                    evicted,
                }
            }
        };
        Ok(vec![self.commit(change)])
    }

    /// The oldest strokes to drop so one more of `new_points` fits both stroke limits.
    fn strokes_to_evict(&self, new_points: usize) -> Vec<StrokeId> {
        let mut count = self.state.strokes.len();
        let mut total = self.state.total_points();
        let mut evicted = Vec::new();
        for s in &self.state.strokes {
            if count < self.config.max_strokes && total + new_points <= self.config.max_total_points {
                break;
            }
            evicted.push(s.id);
            count -= 1;
            total -= s.points.len();
        }
        evicted
    }

    /// Applies an accepted change, numbers it, keeps it for catch-up, and broadcasts it.
    fn commit(&mut self, change: Change) -> Outbound {
        self.state.apply(&change);
        self.seq += 1;
        let delta = Delta {
            seq: self.seq,
            change,
        };
        if self.config.history_len > 0 {
            if self.history.len() >= self.config.history_len {
                self.history.pop_front();
            }
            self.history.push_back(delta.clone());
        }
        Outbound::Broadcast(BoardMessage::Delta(delta))
    }
}

/// The permission table of `docs/BOARD.md`.
fn permitted(role: Role, intent: &Intent) -> Result<(), Rejected> {
    let needs = |action: Action, allowed: Role| {
        if role == allowed {
            Ok(())
        } else {
            Err(Rejected::Forbidden { role, action })
        }
    };
    match intent {
        Intent::PushCard { .. } => needs(Action::PushCard, Role::Stylist),
        Intent::RemoveCard { .. } => needs(Action::RemoveCard, Role::Stylist),
        Intent::Clear {
            scope: ClearScope::All,
        } => needs(Action::ClearAll, Role::Stylist),
        Intent::Vote { .. } | Intent::Unvote { .. } => needs(Action::Vote, Role::Friend),
        Intent::Sync { .. }
        | Intent::Draw { .. }
        | Intent::Clear {
            scope: ClearScope::Mine,
        }
        | Intent::Chat { .. }
        | Intent::React { .. } => Ok(()),
    }
}
