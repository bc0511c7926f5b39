//! Online learning from what shoppers do with the looks they are shown.
//!
//! Two kinds of weight, both starting from a prior that changes nothing:
//! - **Item pairs** (by product SKU, order-free): each event adds its reward to every pair of
//!   products in the look; shows are counted. The bonus is `tanh(reward / (2 + 0.1 · shows))`:
//!   0 with no events, towards +1 for pairs bought together, towards −1 for pairs friends skip, and
//!   diluted by shows that led nowhere.
//! - **Features**: the look's colour relation × occasion. The weight multiplies the harmony score:
//!   `1 + clamp(reward / (n + 10), −0.5, 0.5)`, so ten pseudo-events at the rule-based prior keep a
//!   single purchase from overturning colour theory.
//!
//! Rewards per event: shown 0 (counted only), opened +0.2, tried (scanned) +0.5, friend keep +0.4,
//! friend skip −0.4, stylist push +0.6, purchase +1.0. Updates are plain arithmetic in a fixed order:
//! the same events give the same state, which serialises with its entries sorted.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::harmony::ColourRelation;

/// What happened to a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    Shown,
    Opened,
    /// Its garments were scanned in the fitting room.
    Tried,
    FriendKeep,
    FriendSkip,
    StylistPush,
    Purchase,
}

impl FeedbackKind {
    /// The reward of this event (see the module docs).
    pub fn reward(self) -> f32 {
        match self {
            FeedbackKind::Shown => 0.0,
            FeedbackKind::Opened => 0.2,
            FeedbackKind::Tried => 0.5,
            FeedbackKind::FriendKeep => 0.4,
            FeedbackKind::FriendSkip => -0.4,
            FeedbackKind::StylistPush => 0.6,
            FeedbackKind::Purchase => 1.0,
        }
    }
}

/// One event about one look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub kind: FeedbackKind,
    /// The occasion the look was asked for (`None`: any).
    pub occasion: Option<String>,
    /// Product SKUs of the look's garments.
    pub products: Vec<String>,
    /// The look's leading colour relation.
    pub relation: ColourRelation,
}

impl Feedback {
    /// An event about a recommended look.
    pub fn for_look(kind: FeedbackKind, look: &super::Look, occasion: Option<&str>) -> Self {
        Feedback {
            kind,
            occasion: occasion.map(str::to_owned),
            products: look.items.iter().map(|i| i.product_sku.clone()).collect(),
            relation: look.relation,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PairEntry {
    a: String,
    b: String,
    reward: f32,
    shows: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
struct FeatureStats {
    reward: f32,
    events: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FeatureEntry {
    relation: ColourRelation,
    /// Empty for "any occasion".
    occasion: String,
    reward: f32,
    events: u32,
}

/// The serialised form: entries sorted, so equal states give equal bytes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct LearnedState {
    events: u64,
    pairs: Vec<PairEntry>,
    features: Vec<FeatureEntry>,
}

/// Learned weights; `Default` is the prior (no events).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "LearnedState", into = "LearnedState")]
pub struct LearnedWeights {
    events: u64,
    /// By [`pair_key`] of the two products' hashes.
    pairs: HashMap<u64, PairEntry>,
    features: BTreeMap<(ColourRelation, String), FeatureStats>,
}

impl From<LearnedState> for LearnedWeights {
    fn from(s: LearnedState) -> Self {
        let pairs = s
            .pairs
            .into_iter()
            .map(|p| (pair_key(product_hash(&p.a), product_hash(&p.b)), p))
            .collect();
        let features = s
            .features
            .into_iter()
            .map(|f| {
                (
                    (f.relation, f.occasion),
                    FeatureStats {
                        reward: f.reward,
                        events: f.events,
                    },
                )
            })
            .collect();
        LearnedWeights {
            events: s.events,
            pairs,
            features,
        }
    }
}

impl From<LearnedWeights> for LearnedState {
    fn from(w: LearnedWeights) -> Self {
        let mut pairs: Vec<PairEntry> = w.pairs.into_values().collect();
        pairs.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        let features = w
            .features
            .into_iter()
            .map(|((relation, occasion), s)| FeatureEntry {
                relation,
                occasion,
                reward: s.reward,
                events: s.events,
            })
            .collect();
        LearnedState {
            events: w.events,
            pairs,
            features,
        }
    }
}

/// Pseudo-events at the prior for feature weights.
const FEATURE_PRIOR_EVENTS: f32 = 10.0;

impl LearnedWeights {
    /// Applies one event.
    pub fn update(&mut self, feedback: &Feedback) {
        self.events += 1;
        let reward = feedback.kind.reward();
        let mut products: Vec<&str> = feedback.products.iter().map(String::as_str).collect();
        products.sort_unstable();
        products.dedup();
        for (i, a) in products.iter().enumerate() {
            for b in &products[i + 1..] {
                let key = pair_key(product_hash(a), product_hash(b));
                let entry = self.pairs.entry(key).or_insert_with(|| PairEntry {
                    a: (*a).to_owned(),
                    b: (*b).to_owned(),
                    reward: 0.0,
                    shows: 0,
                });
                entry.reward += reward;
                if feedback.kind == FeedbackKind::Shown {
                    entry.shows = entry.shows.saturating_add(1);
                }
            }
        }
        let occasion = feedback.occasion.clone().unwrap_or_default();
        let stats = self.features.entry((feedback.relation, occasion)).or_default();
        stats.reward += reward;
        stats.events = stats.events.saturating_add(1);
    }

    /// How many events have been applied.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The learned bonus of a product pair, −1 to 1 (0 for pairs never seen).
    pub fn pair_bonus(&self, product_a: &str, product_b: &str) -> f32 {
        self.pair_bonus_by_hash(product_hash(product_a), product_hash(product_b))
    }

    pub(crate) fn pair_bonus_by_hash(&self, a: u64, b: u64) -> f32 {
        if self.pairs.is_empty() {
            return 0.0;
        }
        self.pairs.get(&pair_key(a, b)).map_or(0.0, |p| {
            let shows = p.shows as f32;
            (p.reward / (2.0 + 0.1 * shows)).tanh()
        })
    }

    /// The multiplier for looks of `relation` asked for `occasion` (1 with no events).
    pub fn feature_weight(&self, relation: ColourRelation, occasion: Option<&str>) -> f32 {
        let key = (relation, occasion.unwrap_or_default().to_owned());
        self.features.get(&key).map_or(1.0, |s| {
            1.0 + (s.reward / (s.events as f32 + FEATURE_PRIOR_EVENTS)).clamp(-0.5, 0.5)
        })
    }

    /// The feature multipliers of every relation for one occasion, by [`ColourRelation::index`].
    pub(crate) fn feature_table(&self, occasion: Option<&str>) -> [f32; 6] {
        ColourRelation::ALL.map(|r| self.feature_weight(r, occasion))
    }

    /// Whether any pair has been learned (the search skips pair lookups otherwise).
    pub(crate) fn has_pairs(&self) -> bool {
        !self.pairs.is_empty()
    }
}

/// FNV-1a of a product SKU: the key learned pairs are found by.
pub(crate) fn product_hash(sku: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// An order-free key for two product hashes (a 64-bit mix; collisions are negligible at catalog sizes).
pub(crate) fn pair_key(a: u64, b: u64) -> u64 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut z = lo.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ hi.rotate_left(29);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fb(kind: FeedbackKind, products: &[&str]) -> Feedback {
        Feedback {
            kind,
            occasion: Some("work".into()),
            products: products.iter().map(|p| (*p).to_owned()).collect(),
            relation: ColourRelation::Analogous,
        }
    }

    #[test]
    fn the_prior_changes_nothing() {
        let w = LearnedWeights::default();
        assert_eq!(w.pair_bonus("A", "B"), 0.0);
        assert_eq!(w.feature_weight(ColourRelation::Clash, Some("work")), 1.0);
        assert_eq!(w.events(), 0);
    }

    #[test]
    fn purchases_raise_pairs_and_skips_lower_them_order_free() {
        let mut w = LearnedWeights::default();
        w.update(&fb(FeedbackKind::Purchase, &["TOP-1", "PANTS-1", "SHOE-1"]));
        assert!(w.pair_bonus("PANTS-1", "TOP-1") > 0.4);
        assert_eq!(w.pair_bonus("TOP-1", "PANTS-1"), w.pair_bonus("PANTS-1", "TOP-1"));
        assert_eq!(w.pair_bonus("TOP-1", "OTHER"), 0.0);
        w.update(&fb(FeedbackKind::FriendSkip, &["TOP-2", "PANTS-1"]));
        assert!(w.pair_bonus("TOP-2", "PANTS-1") < -0.1);
        assert!(w.feature_weight(ColourRelation::Analogous, Some("work")) > 1.0);
        assert_eq!(w.feature_weight(ColourRelation::Analogous, Some("date")), 1.0);
    }

    #[test]
    fn shows_without_action_dilute_a_pair() {
        let mut w = LearnedWeights::default();
        w.update(&fb(FeedbackKind::Opened, &["A", "B"]));
        let fresh = w.pair_bonus("A", "B");
        for _ in 0..30 {
            w.update(&fb(FeedbackKind::Shown, &["A", "B"]));
        }
        assert!(w.pair_bonus("A", "B") < fresh / 2.0);
    }

    #[test]
    fn feature_weights_are_bounded() {
        let mut w = LearnedWeights::default();
        for _ in 0..1000 {
            w.update(&fb(FeedbackKind::Purchase, &["A", "B"]));
        }
        assert_eq!(w.feature_weight(ColourRelation::Analogous, Some("work")), 1.5);
        assert!(w.pair_bonus("A", "B") <= 1.0);
    }

    #[test]
    fn state_survives_json_byte_for_byte() {
        let mut w = LearnedWeights::default();
        for (kind, p) in [
            (FeedbackKind::Purchase, &["Z", "A", "M"][..]),
            (FeedbackKind::Tried, &["B", "C"][..]),
            (FeedbackKind::Shown, &["Z", "C"][..]),
        ] {
            w.update(&fb(kind, p));
        }
        let json = serde_json::to_string(&w).unwrap();
        let back: LearnedWeights = serde_json::from_str(&json).unwrap();
        assert_eq!(back, w);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // Sorted pairs: "A"/"M" comes before "B"/"C".
        assert!(
            json.find("\"M\"").unwrap() < json.find("\"C\"").unwrap(),
            "{json}"
        );
    }
}
