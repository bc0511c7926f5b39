//! Outfit recommendations: complete looks from the store's stock, built around what the shopper
//! has in hand, ranked by colour harmony, the shopper's palette, occasion and style fit, budget and
//! what earlier shoppers did, and kept diverse.
//!
//! [`Recommender::new`] indexes the catalog once (a compact record per colour variant, tags and sizes
//! as bit masks, records grouped by category and sorted by SKU). [`Recommender::recommend`] then:
//! 1. filters every variant once by gender, season, occasion, budget and stock in the shopper's
//!    size, scoring each survivor alone (occasion, style, palette);
//! 2. keeps per category the best few of each colour family (hue sector or neutral lightness band),
//!    so the pruned lists still span the colour wheel;
//! 3. for each outfit template (top + bottom + shoes, dress + outerwear + shoes, …) runs a beam search
//!    over those lists, scanned garments fixed in their slots, pair scores added as items join;
//! 4. picks the final list greedily by score minus a penalty for resembling looks already picked
//!    (shared products, similar colourways): maximal marginal relevance.
//!
//! Everything is deterministic: ties are broken by variant SKU.

mod harmony;
mod index;
pub mod learning;
mod reason;
mod search;
pub mod synthetic;

pub mod eval;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Category, Gender, NamedColour, Pattern, Season};
use crate::palette::Palette;

pub use harmony::{ColourRelation, Swatch, is_neutral, look_relation, pair_harmony};
pub use index::{IndexError, Recommender};
pub use learning::{Feedback, FeedbackKind, LearnedWeights};

/// One colour variant of a product as the recommender sees it: what it is, its colour, and the sizes
/// in stock in this store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub variant_sku: String,
    pub product_sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: Category,
    pub gender: Gender,
    pub colour: NamedColour,
    pub pattern: Pattern,
    /// Lowercase slugs, e.g. `minimal`.
    pub style_tags: Vec<String>,
    /// Lowercase slugs, e.g. `work`; empty means "goes anywhere".
    pub occasion_tags: Vec<String>,
    pub seasons: Vec<Season>,
    /// In the currency's minor unit.
    pub price_minor: u64,
    /// Sizes with stock in this store (uppercase, as imported).
    pub sizes_in_stock: Vec<String>,
}

/// Which of the shopper's sizes applies to a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeKind {
    /// Tops, knitwear, outerwear, suits.
    Tops,
    /// Trousers, skirts.
    Bottoms,
    /// Dresses, jumpsuits.
    FullBody,
    Shoes,
    /// Bags and accessories.
    Accessories,
}

impl SizeKind {
    /// The size kind of a category.
    pub fn of(category: Category) -> SizeKind {
        match category {
            Category::Top | Category::Knitwear | Category::Outerwear | Category::Suit => SizeKind::Tops,
            Category::Bottom | Category::Skirt => SizeKind::Bottoms,
            Category::Dress | Category::Jumpsuit => SizeKind::FullBody,
            Category::Shoes => SizeKind::Shoes,
            Category::Bag | Category::Accessory => SizeKind::Accessories,
        }
    }
}

/// What the shopper wants.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Request {
    /// The shopper's sizes per kind (several allowed, e.g. M and L). A kind left out accepts any
    /// size in stock.
    pub sizes: BTreeMap<SizeKind, Vec<String>>,
    /// Variant SKUs of garments already in hand: every look is built around them when a template
    /// has room for them; they count towards the budget but need no stock.
    pub scanned: Vec<String>,
    /// An occasion slug (`work`, `date`, …); items tagged only for other occasions are left out.
    pub occasion: Option<String>,
    /// A style slug (`minimal`, `classic`, …): a preference, not a filter.
    pub style: Option<String>,
    /// Leave out items not sold for this season.
    pub season: Option<Season>,
    /// The most the whole look may cost, minor units, scanned garments included; if those alone
    /// cost more, the budget applies to the rest of the look.
    pub budget_minor: Option<u64>,
    /// From the skin analysis: colours near the face are scored against it.
    pub palette: Option<Palette>,
    /// Women's or men's cuts (unisex always allowed); `None` for any.
    pub gender: Option<Gender>,
    /// How many looks to return (0 means 10).
    pub count: usize,
}

/// A kind of outfit: which categories fill it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// Top + bottom + shoes, optionally a bag and an accessory.
    TopBottomShoes,
    /// Top + skirt + shoes, optionally a bag.
    TopSkirtShoes,
    /// Knitwear + bottom + shoes, optionally a bag.
    KnitBottomShoes,
    /// Dress + shoes, optionally a bag and an accessory.
    DressShoes,
    /// Dress + outerwear + shoes, optionally a bag.
    DressOuterwearShoes,
    /// Jumpsuit + shoes, optionally a bag.
    JumpsuitShoes,
    /// Suit + shoes, optionally a top under it and an accessory.
    SuitShoes,
}

/// One garment in a look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookItem {
    pub variant_sku: String,
    pub product_sku: String,
    pub category: Category,
    pub colour: NamedColour,
    pub price_minor: u64,
    /// Already in the shopper's hands.
    pub scanned: bool,
}

/// Why a look scored what it did. `total` is the weighted sum (see [`ScoreWeights`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// Mean pair harmony between the garments (pairs with a bag or accessory at half weight),
    /// times the learned weight of the look's relation for this occasion (0–1.5).
    pub harmony: f32,
    /// Mean affinity of the garments with the shopper's palette, −1 to 1 (0 without a palette).
    pub palette: f32,
    /// Mean occasion fit, 0–1 (1 when no occasion was asked).
    pub occasion: f32,
    /// Mean style fit, 0–1 (0 when no style was asked).
    pub style: f32,
    /// Budget headroom, 0–1 (0 without a budget).
    pub budget: f32,
    /// Mean learned bonus of the look's product pairs, −1 to 1.
    pub learned: f32,
    pub total: f32,
}

/// How much each part of the score counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreWeights {
    pub harmony: f32,
    pub palette: f32,
    pub occasion: f32,
    pub style: f32,
    pub budget: f32,
    pub learned: f32,
    /// Added for each optional slot (bag, accessory) that is filled.
    pub completeness: f32,
    /// Two patterned garments in one look (not solid, not texture).
    pub pattern_clash: f32,
    /// Maximal-marginal-relevance penalty for resembling an already chosen look.
    pub diversity: f32,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            harmony: 1.0,
            palette: 0.5,
            occasion: 0.6,
            style: 0.3,
            budget: 0.1,
            learned: 0.6,
            completeness: 0.03,
            pattern_clash: 0.25,
            diversity: 0.6,
        }
    }
}

/// A complete outfit, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Look {
    pub template: Template,
    pub items: Vec<LookItem>,
    pub total_minor: u64,
    pub relation: ColourRelation,
    pub score: ScoreBreakdown,
    /// One sentence naming the colour relation and the occasion fit.
    pub reason_en: String,
    pub reason_zh: String,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Recommendations {
    /// Best first.
    pub looks: Vec<Look>,
    /// Scanned SKUs the catalog does not know (sorted).
    pub unknown_scans: Vec<String>,
}

#[cfg(test)]
mod tests;
