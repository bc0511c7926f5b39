//! The catalog indexed for requests: one compact record per colour variant, grouped by category.

use std::collections::HashMap;

use super::harmony::Swatch;
use super::learning::product_hash;
use super::{Candidate, ScoreWeights};
use crate::catalog::{Category, Gender, Pattern, Season};

/// Why a catalog could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("variant SKU {0:?} appears more than once")]
    DuplicateVariant(String),
    #[error("category {category} has more than 128 distinct sizes")]
    TooManySizes { category: Category },
}

/// Colour families used to keep pruned candidate lists spread over the colour wheel:
/// three lightness bands of neutrals and twelve 30° hue sectors.
pub(crate) const BUCKETS: usize = 15;

/// One variant, as the search reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rec {
    /// Index into `Recommender::candidates`.
    pub cand: u32,
    pub category: Category,
    pub gender: Gender,
    pub swatch: Swatch,
    /// Patterned (not solid or texture): two in one look compete.
    pub loud_pattern: bool,
    pub price: u64,
    pub size_mask: u128,
    /// 0 when untagged ("goes anywhere").
    pub occasion_mask: u64,
    pub style_mask: u64,
    pub season_mask: u8,
    pub product_hash: u64,
    pub bucket: u8,
}

/// The recommender: the indexed catalog and the score weights. Build once per catalog version.
#[derive(Debug, Clone)]
pub struct Recommender {
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) recs: Vec<Rec>,
    /// Per category (by `Category as usize`), the range of `recs` holding it.
    pub(crate) ranges: Vec<std::ops::Range<usize>>,
    pub(crate) sizes: Vec<HashMap<String, u8>>,
    pub(crate) occasions: HashMap<String, u8>,
    pub(crate) styles: HashMap<String, u8>,
    pub(crate) by_variant: HashMap<String, u32>,
    pub(crate) weights: ScoreWeights,
}

impl Recommender {
    /// Indexes `candidates` with the default score weights.
    ///
    /// Tags get one bit each; past the 64 most common occasion (or style) tags, rarer ones are
    /// ignored for scoring.
    pub fn new(mut candidates: Vec<Candidate>) -> Result<Self, IndexError> {
        candidates.sort_by(|a, b| (a.category, &a.variant_sku).cmp(&(b.category, &b.variant_sku)));
        let mut by_variant = HashMap::with_capacity(candidates.len());
        for (i, c) in candidates.iter().enumerate() {
            if by_variant.insert(c.variant_sku.clone(), i as u32).is_some() {
                return Err(IndexError::DuplicateVariant(c.variant_sku.clone()));
            }
        }
        let occasions = vocabulary(candidates.iter().flat_map(|c| c.occasion_tags.iter()));
        let styles = vocabulary(candidates.iter().flat_map(|c| c.style_tags.iter()));
        let mut sizes: Vec<HashMap<String, u8>> = vec![HashMap::new(); Category::ALL.len()];
        let mut recs = Vec::with_capacity(candidates.len());
        let mut ranges = vec![0..0; Category::ALL.len()];
        for (i, c) in candidates.iter().enumerate() {
            let cat = c.category as usize;
            if ranges[cat].is_empty() {
                ranges[cat] = i..i;
            }
            ranges[cat].end = i + 1;
            let mut size_mask = 0u128;
            for s in &c.sizes_in_stock {
                let vocab = &mut sizes[cat];
                let next = vocab.len();
                let id = *vocab.entry(s.to_ascii_uppercase()).or_insert(next as u8);
                if next >= 128 && usize::from(id) == next {
                    return Err(IndexError::TooManySizes { category: c.category });
                }
                size_mask |= 1u128 << id;
            }
            let swatch = Swatch::new(c.colour.lab);
            recs.push(Rec {
                cand: i as u32,
                category: c.category,
                gender: c.gender,
                swatch,
                loud_pattern: !matches!(c.pattern, Pattern::Solid | Pattern::Texture),
                price: c.price_minor,
                size_mask,
                occasion_mask: mask(&occasions, &c.occasion_tags),
                style_mask: mask(&styles, &c.style_tags),
                season_mask: c.seasons.iter().fold(0u8, |m, s| m | season_bit(*s)),
                product_hash: product_hash(&c.product_sku),
                bucket: bucket(&swatch),
            });
        }
        Ok(Recommender {
            candidates,
            recs,
            ranges,
            sizes,
            occasions,
            styles,
            by_variant,
            weights: ScoreWeights::default(),
        })
    }

    /// The same recommender with other score weights.
    pub fn with_weights(mut self, weights: ScoreWeights) -> Self {
        self.weights = weights;
        self
    }

    /// The score weights in use.
    pub fn weights(&self) -> &ScoreWeights {
        &self.weights
    }

    /// How many variants are indexed.
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// A variant by SKU.
    pub fn candidate(&self, variant_sku: &str) -> Option<&Candidate> {
        self.by_variant
            .get(variant_sku)
            .map(|&i| &self.candidates[i as usize])
    }
}

pub(crate) fn season_bit(s: Season) -> u8 {
    1 << (s as u8)
}

/// Bits for the most common tags (by count, then name), at most 64.
fn vocabulary<'a>(tags: impl Iterator<Item = &'a String>) -> HashMap<String, u8> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in tags {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    sorted
        .into_iter()
        .take(64)
        .enumerate()
        .map(|(i, (t, _))| (t.to_owned(), i as u8))
        .collect()
}

fn mask(vocab: &HashMap<String, u8>, tags: &[String]) -> u64 {
    tags.iter()
        .filter_map(|t| vocab.get(t.as_str()))
        .fold(0u64, |m, b| m | (1u64 << b))
}

fn bucket(s: &Swatch) -> u8 {
    if s.neutral {
        if s.lch.l < 35.0 {
            0
        } else if s.lch.l < 70.0 {
            1
        } else {
            2
        }
    } else {
        3 + ((s.lch.h_deg / 30.0) as u8).min(11)
    }
}
