//! The board's wire types: what a remote sends ([`Intent`]), what the kiosk sends back
//! ([`BoardMessage`]), and the state both sides hold ([`BoardState`]), with the one function that
//! moves a state forward by a [`Change`]. A remote that applies the kiosk's deltas with the same
//! rules ([`BoardState::apply`]) holds the same state as the kiosk.
//!
//! JSON: `type`-tagged, camelCase, like the rest of Atelier's protocol. See `docs/BOARD.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

number_id!(
    /// A remote on the board. The kiosk chooses it; keep it the same across one person's
    /// reconnects (the invite or the stylist's account, not the call leg), or a reconnect counts
    /// as a new voter.
    ParticipantId, "p"
);
number_id!(
    /// A card on the board: the sequence number of the change that pushed it.
    CardId, "card"
);
number_id!(
    /// A stroke on the board: the sequence number of the change that drew it.
    StrokeId, "stroke"
);

/// What a participant may do (see `docs/BOARD.md`). Store staff join as stylists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Votes, chats, reacts, draws, clears their own strokes.
    Friend,
    /// Pushes and removes cards, draws, clears any stroke, chats, reacts. Does not vote.
    Stylist,
}

/// The annotation palette. The kiosk and the pages map each name to the same colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum StrokeColour {
    White,
    Black,
    Red,
    Yellow,
    Green,
    Blue,
    Pink,
}

/// A friend's verdict on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum VoteChoice {
    Keep,
    Skip,
    SizeUp,
}

/// The reactions on offer; names, not emoji, so the wire stays ASCII and each page draws its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Reaction {
    Heart,
    ThumbsUp,
    ThumbsDown,
    Fire,
    Clap,
    Wow,
}

/// Which strokes a `clear` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ClearScope {
    /// The sender's own strokes.
    Mine,
    /// Every stroke (stylists only).
    All,
}

/// A point of a stroke in normalised video coordinates: `[x, y]`, each in 0–1, origin top left
/// of the picture as the remote sees it. The kiosk keeps four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Point(pub f32, pub f32);

/// Remote → kiosk: what a participant asks the board to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Intent {
    /// Asks for what was missed since `lastSeq` of board `epoch`; without them, a snapshot.
    Sync {
        epoch: Option<u32>,
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        last_seq: Option<u64>,
    },
    /// Shows a product on the mirror (stylists).
    PushCard {
        /// The product's SKU.
        sku: String,
        /// The variant's SKU, when one colour and size is meant.
        variant: Option<String>,
        /// A colour name, as the store names it.
        colour: Option<String>,
        size: Option<String>,
        /// A short note from the stylist.
        note: Option<String>,
    },
    /// Takes a card off the mirror (stylists).
    RemoveCard {
        card: CardId,
    },
    /// One finished stroke over the video.
    Draw {
        points: Vec<Point>,
        colour: StrokeColour,
        /// Thousandths of the video's width, 1 to [`super::MAX_STROKE_WIDTH`].
        width: u32,
    },
    /// Removes strokes.
    Clear {
        scope: ClearScope,
    },
    /// Votes on an item (friends); a second vote replaces the first.
    Vote {
        sku: String,
        choice: VoteChoice,
    },
    /// Withdraws the sender's vote on an item (friends).
    Unvote {
        sku: String,
    },
    Chat {
        text: String,
    },
    React {
        reaction: Reaction,
    },
}

impl Intent {
    /// The `type` of every intent, so an unknown one is told apart from a malformed known one.
    pub const TYPES: &'static [&'static str] = &[
        "sync",
        "pushCard",
        "removeCard",
        "draw",
        "clear",
        "vote",
        "unvote",
        "chat",
        "react",
    ];
}

/// Someone on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: ParticipantId,
    pub role: Role,
    pub name: String,
    /// False after they left; their strokes, votes and messages stay.
    pub present: bool,
}

/// A product card on the mirror.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub id: CardId,
    pub by: ParticipantId,
    pub sku: String,
    pub variant: Option<String>,
    pub colour: Option<String>,
    pub size: Option<String>,
    pub note: Option<String>,
}

/// An annotation over the video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Stroke {
    pub id: StrokeId,
    pub by: ParticipantId,
    pub colour: StrokeColour,
    /// Thousandths of the video's width.
    pub width: u32,
    pub points: Vec<Point>,
}

/// One participant's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Vote {
    pub by: ParticipantId,
    pub choice: VoteChoice,
}

/// Votes counted by choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    pub keep: u32,
    pub skip: u32,
    pub size_up: u32,
}

/// The votes on one item, by participant id, with their tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ItemVotes {
    /// The item's product SKU.
    pub sku: String,
    /// Sorted by participant.
    pub votes: Vec<Vote>,
    pub tally: Tally,
}

/// A chat line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// The sequence number of the change that posted it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: u64,
    pub by: ParticipantId,
    pub text: String,
}

/// A reaction on screen until it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReactionShown {
    /// The sequence number of the change that showed it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: u64,
    pub by: ParticipantId,
    pub reaction: Reaction,
}

/// Everything on the board. Lists are oldest first; participants and votes sorted by id and SKU.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BoardState {
    pub participants: Vec<Participant>,
    pub cards: Vec<Card>,
    pub strokes: Vec<Stroke>,
    pub votes: Vec<ItemVotes>,
    pub chat: Vec<ChatMessage>,
    pub reactions: Vec<ReactionShown>,
}

/// One accepted change. Evictions are spelled out so a remote needs none of the kiosk's limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Change {
    /// A participant joined, came back, or changed name or role (replaces the entry by id).
    Joined {
        participant: Participant,
    },
    /// A participant left (still listed, not present).
    Left {
        participant: ParticipantId,
    },
    CardPushed {
        card: Card,
        /// The oldest card, dropped to make room.
        evicted: Option<CardId>,
    },
    CardRemoved {
        card: CardId,
    },
    StrokeAdded {
        stroke: Stroke,
        /// The oldest strokes, dropped to stay within the stroke and point limits.
        evicted: Vec<StrokeId>,
    },
    /// Strokes cleared: one participant's, or every one when `by` is null.
    StrokesCleared {
        by: Option<ParticipantId>,
    },
    /// A vote cast, changed, or withdrawn (`choice` null).
    Voted {
        sku: String,
        by: ParticipantId,
        choice: Option<VoteChoice>,
    },
    Chatted {
        message: ChatMessage,
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        evicted: Option<u64>,
    },
    Reacted {
        reaction: ReactionShown,
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        evicted: Option<u64>,
    },
    ReactionsExpired {
        #[cfg_attr(feature = "ts", ts(type = "Array<number>"))]
        ids: Vec<u64>,
    },
    /// The shopper cleared the board: cards, strokes, votes, chat, reactions. Participants stay.
    Cleared,
    /// The session ended: everything is gone, participants too.
    Wiped,
}

/// A change with its sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Delta {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    pub change: Change,
}

/// The whole board at `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub epoch: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    pub state: BoardState,
}

/// The limits a page should respect so its messages are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_message_bytes: u32,
    pub max_points_per_stroke: u32,
    pub max_stroke_width: u32,
    pub max_chat_chars: u32,
    pub max_note_chars: u32,
    /// Messages per second, sustained.
    pub rate_per_sec: u32,
    /// Messages in a burst.
    pub rate_burst: u32,
}

/// Why the kiosk refused a message, as a remote is told. Deliberately coarse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// Not JSON, not a board message, or a field failed validation.
    BadMessage,
    TooLarge,
    /// The sender's role may not do that.
    Forbidden,
    /// The product is not in this store's catalog.
    UnknownProduct,
    /// The card named does not exist (any more).
    NotFound,
    /// A board limit that dropping old entries cannot make room in.
    Full,
    RateLimited,
}

/// Kiosk → remote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum BoardMessage {
    /// Sent on joining; the remote answers with `sync`.
    Welcome {
        you: ParticipantId,
        role: Role,
        epoch: u32,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
        limits: Limits,
    },
    /// One change, to everyone; also each missed change in a catch-up.
    Delta(Delta),
    /// The whole board, answering a `sync` that deltas cannot serve.
    Snapshot(Snapshot),
    /// Ends a catch-up by deltas: the remote is now at `seq`.
    Synced {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
    /// The remote's last message was refused.
    Error { code: ErrorCode },
}

impl BoardState {
    /// Moves the state forward by one change. The kiosk and every remote use the same rules.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Joined { participant } => {
                match self.participants.binary_search_by_key(&participant.id, |p| p.id) {
                    Ok(i) => self.participants[i] = participant.clone(),
                    Err(i) => self.participants.insert(i, participant.clone()),
                }
            }
            Change::Left { participant } => {
                if let Some(p) = self.participants.iter_mut().find(|p| p.id == *participant) {
                    p.present = false;
                }
            }
            Change::CardPushed { card, evicted } => {
                if let Some(old) = evicted {
                    self.cards.retain(|c| c.id != *old);
                }
                self.cards.push(card.clone());
            }
            Change::CardRemoved { card } => self.cards.retain(|c| c.id != *card),
            Change::StrokeAdded { stroke, evicted } => {
                self.strokes.retain(|s| !evicted.contains(&s.id));
                self.strokes.push(stroke.clone());
            }
            Change::StrokesCleared { by } => match by {
                Some(by) => self.strokes.retain(|s| s.by != *by),
                None => self.strokes.clear(),
            },
            Change::Voted { sku, by, choice } => self.apply_vote(sku, *by, *choice),
            Change::Chatted { message, evicted } => {
                if let Some(old) = evicted {
                    self.chat.retain(|m| m.id != *old);
                }
                self.chat.push(message.clone());
            }
            Change::Reacted { reaction, evicted } => {
                if let Some(old) = evicted {
                    self.reactions.retain(|r| r.id != *old);
                }
                self.reactions.push(*reaction);
            }
            Change::ReactionsExpired { ids } => self.reactions.retain(|r| !ids.contains(&r.id)),
            Change::Cleared => {
                let participants = std::mem::take(&mut self.participants);
                *self = BoardState {
                    participants,
                    ..BoardState::default()
                };
            }
            Change::Wiped => *self = BoardState::default(),
        }
    }

    fn apply_vote(&mut self, sku: &str, by: ParticipantId, choice: Option<VoteChoice>) {
        let at = match self.votes.binary_search_by(|v| v.sku.as_str().cmp(sku)) {
            Ok(i) => i,
            Err(i) => {
                if choice.is_none() {
                    return;
                }
                self.votes.insert(
                    i,
                    ItemVotes {
                        sku: sku.to_owned(),
                        votes: Vec::new(),
                        tally: Tally::default(),
                    },
                );
                i
            }
        };
        let item = &mut self.votes[at];
        match (item.votes.binary_search_by_key(&by, |v| v.by), choice) {
            (Ok(i), Some(choice)) => item.votes[i].choice = choice,
            (Ok(i), None) => {
                item.votes.remove(i);
            }
            (Err(i), Some(choice)) => item.votes.insert(i, Vote { by, choice }),
            (Err(_), None) => {}
        }
        item.tally = tally_of(&item.votes);
        if item.votes.is_empty() {
            self.votes.remove(at);
        }
    }

    /// The tally of one item (zero when nobody voted on it).
    pub fn tally(&self, sku: &str) -> Tally {
        self.votes
            .iter()
            .find(|v| v.sku == sku)
            .map(|v| v.tally)
            .unwrap_or_default()
    }

    /// A participant's current vote on an item.
    pub fn vote_of(&self, sku: &str, by: ParticipantId) -> Option<VoteChoice> {
        let item = self.votes.iter().find(|v| v.sku == sku)?;
        item.votes.iter().find(|v| v.by == by).map(|v| v.choice)
    }

    /// The participant with this id, present or not.
    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    /// Points in all strokes together.
    pub fn total_points(&self) -> usize {
        self.strokes.iter().map(|s| s.points.len()).sum()
    }
}

fn tally_of(votes: &[Vote]) -> Tally {
    let mut t = Tally::default();
    for v in votes {
        match v.choice {
            VoteChoice::Keep => t.keep += 1,
            VoteChoice::Skip => t.skip += 1,
            VoteChoice::SizeUp => t.size_up += 1,
        }
    }
    t
}
