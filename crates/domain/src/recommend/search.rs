//! A request against the index: filter and score items alone, prune per category, beam-search each
//! template, then pick a diverse top list.

use std::collections::HashSet;

use super::harmony::{ColourRelation, Swatch, look_relation, pair_harmony};
use super::index::{BUCKETS, Rec, Recommender, season_bit};
use super::learning::LearnedWeights;
use super::reason::reason;
use super::{Look, LookItem, Recommendations, Request, ScoreBreakdown, SizeKind, Template};
use crate::catalog::{Category, Gender};
use crate::colour::{Lab, delta_e_76};

/// Per colour family, how many items of a category survive pruning.
const PER_BUCKET: usize = 4;
/// Partial looks kept after each slot.
const BEAM: usize = 40;
/// Final looks kept per template for the diversity pass.
const FINALS_PER_TEMPLATE: usize = 40;
/// Pairs with a bag or accessory count half in the look's harmony: they are small next to the
/// garments, and at full weight every extra piece would drag a look towards the mean.
const OPTIONAL_PAIR_WEIGHT: f32 = 0.5;
/// Occasion fit of an item with no occasion tags.
const UNTAGGED_OCCASION_FIT: f32 = 0.4;
/// Categories whose colour is seen next to the face count fully against the palette; the rest
/// (bottoms, shoes, bags) at this share.
const AWAY_FROM_FACE: f32 = 0.3;

const ALL_TEMPLATES: [Template; 7] = [
    Template::TopBottomShoes,
    Template::TopSkirtShoes,
    Template::KnitBottomShoes,
    Template::DressShoes,
    Template::DressOuterwearShoes,
    Template::JumpsuitShoes,
    Template::SuitShoes,
];

#[derive(Clone, Copy)]
struct Slot {
    category: Category,
    optional: bool,
}

const fn req(category: Category) -> Slot {
    Slot {
        category,
        optional: false,
    }
}

const fn opt(category: Category) -> Slot {
    Slot {
        category,
        optional: true,
    }
}

const TOP_BOTTOM: &[Slot] = &[
    req(Category::Top),
    req(Category::Bottom),
    req(Category::Shoes),
    opt(Category::Bag),
    opt(Category::Accessory),
];
const TOP_SKIRT: &[Slot] = &[
    req(Category::Top),
    req(Category::Skirt),
    req(Category::Shoes),
    opt(Category::Bag),
];
const KNIT_BOTTOM: &[Slot] = &[
    req(Category::Knitwear),
    req(Category::Bottom),
    req(Category::Shoes),
    opt(Category::Bag),
];
const DRESS: &[Slot] = &[
    req(Category::Dress),
    req(Category::Shoes),
    opt(Category::Bag),
    opt(Category::Accessory),
];
const DRESS_OUTERWEAR: &[Slot] = &[
    req(Category::Dress),
    req(Category::Outerwear),
    req(Category::Shoes),
    opt(Category::Bag),
];
const JUMPSUIT: &[Slot] = &[req(Category::Jumpsuit), req(Category::Shoes), opt(Category::Bag)];
const SUIT: &[Slot] = &[
    req(Category::Suit),
    req(Category::Shoes),
    opt(Category::Top),
    opt(Category::Accessory),
];

fn slots(t: Template) -> &'static [Slot] {
    match t {
        Template::TopBottomShoes => TOP_BOTTOM,
        Template::TopSkirtShoes => TOP_SKIRT,
        Template::KnitBottomShoes => KNIT_BOTTOM,
        Template::DressShoes => DRESS,
        Template::DressOuterwearShoes => DRESS_OUTERWEAR,
        Template::JumpsuitShoes => JUMPSUIT,
        Template::SuitShoes => SUIT,
    }
}

/// One item scored alone for this request.
#[derive(Clone, Copy)]
struct Scored {
    rec: u32,
    unary: f32,
    occasion: f32,
    style: f32,
    palette: f32,
    scanned: bool,
}

/// A partial or complete look during the search; `items` index the request's item table.
#[derive(Clone, Copy)]
struct State {
    items: [u32; 5],
    len: u8,
    optional_filled: u8,
    loud: u8,
    unary_sum: f32,
    /// Bit `i` set when item `i` fills an optional slot.
    optional_mask: u8,
    /// Pair harmony, each pair weighted (see `OPTIONAL_PAIR_WEIGHT`).
    harmony_sum: f32,
    harmony_weight: f32,
    learned_sum: f32,
    pairs: u16,
    price: u64,
}

impl State {
    const EMPTY: State = State {
        items: [0; 5],
        len: 0,
        optional_filled: 0,
        loud: 0,
        unary_sum: 0.0,
        optional_mask: 0,
        harmony_sum: 0.0,
        harmony_weight: 0.0,
        learned_sum: 0.0,
        pairs: 0,
        price: 0,
    };

    fn items(&self) -> &[u32] {
        &self.items[..usize::from(self.len)]
    }
}

/// What a request needs at hand while searching.
struct Ctx<'a> {
    rec: &'a Recommender,
    learned: &'a LearnedWeights,
    table: Vec<Scored>,
    /// Per category (by `as usize`), indices into `table`, best first.
    pools: Vec<Vec<u32>>,
    /// Per category, the scanned item placed there (index into `table`).
    fixed: Vec<Option<u32>>,
    budget: Option<u64>,
    features: [f32; 6],
}

impl Recommender {
    /// Ranked, diverse complete looks for `request`, using `learned` weights.
    pub fn recommend(&self, request: &Request, learned: &LearnedWeights) -> Recommendations {
        let count = if request.count == 0 { 10 } else { request.count };
        let (ctx, unknown_scans) = self.prepare(request, learned);
        let placed_by = |t: Template| {
            slots(t)
                .iter()
                .filter(|s| ctx.fixed[s.category as usize].is_some())
                .count()
        };
        let most_placed = ALL_TEMPLATES.iter().map(|t| placed_by(*t)).max().unwrap_or(0);
        let mut finals: Vec<(Template, State, f32)> = Vec::new();
        for t in ALL_TEMPLATES {
            if placed_by(t) < most_placed {
                continue;
            }
            for s in ctx.beam(t) {
                finals.push((t, s, ctx.breakdown(&s, request).total));
            }
        }
        let chosen = ctx.diverse(finals, count);
        let looks = chosen
            .into_iter()
            .map(|(t, s)| ctx.look(t, &s, request))
            .collect();
        Recommendations { looks, unknown_scans }
    }

    /// How well `candidate` (a variant SKU) completes the other garments `rest`: the score the
    /// fill-in-the-blank evaluation ranks by. `None` if a SKU is unknown.
    pub fn compatibility(
        &self,
        candidate: &str,
        rest: &[&str],
        learned: &LearnedWeights,
        occasion: Option<&str>,
    ) -> Option<f32> {
        let c = &self.recs[*self.by_variant.get(candidate)? as usize];
        let others: Vec<&Rec> = rest
            .iter()
            .map(|v| self.by_variant.get(*v).map(|&i| &self.recs[i as usize]))
            .collect::<Option<_>>()?;
        let w = &self.weights;
        let (mut h, mut l) = (0.0, 0.0);
        for o in &others {
            h += pair_harmony(&c.swatch, &o.swatch).1;
            l += learned.pair_bonus_by_hash(c.product_hash, o.product_hash);
        }
        let n = others.len().max(1) as f32;
        let mut swatches: Vec<Swatch> = others.iter().map(|o| o.swatch).collect();
        swatches.push(c.swatch);
        let fw = learned.feature_weight(look_relation(&swatches), occasion);
        let occasion_bit = occasion.map(|o| self.occasions.get(o).map_or(0, |b| 1u64 << b));
        let occ = occasion_fit(c, occasion_bit).unwrap_or(0.0);
        let clash = if c.loud_pattern && others.iter().any(|o| o.loud_pattern) {
            w.pattern_clash
        } else {
            0.0
        };
        Some(w.harmony * fw * h / n + w.learned * l / n + w.occasion * occ - clash)
    }

    fn prepare<'a>(&'a self, request: &Request, learned: &'a LearnedWeights) -> (Ctx<'a>, Vec<String>) {
        let w = &self.weights;
        let occasion_bit = request
            .occasion
            .as_deref()
            .map(|o| self.occasions.get(o).map_or(0, |b| 1u64 << b));
        let style_bit = request
            .style
            .as_deref()
            .map(|s| self.styles.get(s).map_or(0, |b| 1u64 << b));
        let season = request.season.map(season_bit);
        let palette: Option<(Vec<Lab>, Vec<Lab>)> = request.palette.as_ref().map(|p| {
            (
                p.flattering.iter().map(|c| c.lab).collect(),
                p.avoid.iter().map(|c| c.lab).collect(),
            )
        });
        // Per category: the shopper's sizes as a mask, or None for any size in stock.
        let size_masks: Vec<Option<u128>> = Category::ALL
            .iter()
            .map(|c| {
                let sizes = request.sizes.get(&SizeKind::of(*c))?;
                let vocab = &self.sizes[*c as usize];
                Some(
                    sizes
                        .iter()
                        .filter_map(|s| vocab.get(&s.to_ascii_uppercase()))
                        .fold(0u128, |m, b| m | (1u128 << b)),
                )
            })
            .collect();
        let score = |r: &Rec, scanned: bool| -> Option<Scored> {
            let occasion = occasion_fit(r, occasion_bit)?;
            let style = match style_bit {
                Some(bit) if r.style_mask & bit != 0 => 1.0,
                _ => 0.0,
            };
            let palette = palette.as_ref().map_or(0.0, |(good, bad)| {
                palette_affinity(r.swatch.lab, good, bad) * face_share(r.category)
            });
            Some(Scored {
                rec: r.cand,
                unary: w.occasion * occasion + w.style * style + w.palette * palette,
                occasion,
                style,
                palette,
                scanned,
            })
        };

        let mut table: Vec<Scored> = Vec::new();
        let mut fixed: Vec<Option<u32>> = vec![None; Category::ALL.len()];
        let mut unknown_scans = Vec::new();
        let mut scanned_idx: HashSet<u32> = HashSet::new();
        for sku in &request.scanned {
            match self.by_variant.get(sku) {
                Some(&i) => {
                    let r = &self.recs[i as usize];
                    let slot = &mut fixed[r.category as usize];
                    if slot.is_none() && scanned_idx.insert(i) {
                        // In hand: kept even if it misses the occasion filter.
                        let s = score(r, true).unwrap_or(Scored {
                            rec: r.cand,
                            unary: 0.0,
                            occasion: 0.0,
                            style: 0.0,
                            palette: 0.0,
                            scanned: true,
                        });
                        *slot = Some(table.len() as u32);
                        table.push(Scored { scanned: true, ..s });
                    }
                }
                None => unknown_scans.push(sku.clone()),
            }
        }
        unknown_scans.sort();
        unknown_scans.dedup();

        let mut pools: Vec<Vec<u32>> = vec![Vec::new(); Category::ALL.len()];
        for cat in Category::ALL {
            let ci = *cat as usize;
            if fixed[ci].is_some() {
                continue;
            }
            let mut buckets: [Vec<Scored>; BUCKETS] = std::array::from_fn(|_| Vec::new());
            for r in &self.recs[self.ranges[ci].clone()] {
                if let Some(g) = request.gender
                    && r.gender != g
                    && r.gender != Gender::Unisex
                {
                    continue;
                }
                if season.is_some_and(|s| r.season_mask & s == 0) {
                    continue;
                }
                let in_size = match size_masks[ci] {
                    Some(m) => r.size_mask & m != 0,
                    None => r.size_mask != 0,
                };
                if !in_size || request.budget_minor.is_some_and(|b| r.price > b) {
                    continue;
                }
                let Some(s) = score(r, false) else { continue };
                keep_best(&mut buckets[usize::from(r.bucket)], s);
            }
            let mut pool: Vec<Scored> = buckets.into_iter().flatten().collect();
            pool.sort_by(|a, b| b.unary.total_cmp(&a.unary).then(a.rec.cmp(&b.rec)));
            for s in pool {
                pools[ci].push(table.len() as u32);
                table.push(s);
            }
        }
        let scanned_total: u64 = fixed
            .iter()
            .flatten()
            .map(|&i| self.recs[table[i as usize].rec as usize].price)
            .sum();
        let ctx = Ctx {
            rec: self,
            learned,
            table,
            pools,
            fixed,
            // Garments in hand that already break the budget leave the budget for the rest.
            budget: request
                .budget_minor
                .map(|b| if scanned_total > b { scanned_total + b } else { b }),
            features: learned.feature_table(request.occasion.as_deref()),
        };
        (ctx, unknown_scans)
    }
}

/// Occasion fit of an item, or `None` if it is tagged only for other occasions.
fn occasion_fit(r: &Rec, occasion_bit: Option<u64>) -> Option<f32> {
    match occasion_bit {
        None => Some(1.0),
        Some(_) if r.occasion_mask == 0 => Some(UNTAGGED_OCCASION_FIT),
        Some(bit) if r.occasion_mask & bit != 0 => Some(1.0),
        Some(_) => None,
    }
}

fn face_share(c: Category) -> f32 {
    match c {
        Category::Top
        | Category::Dress
        | Category::Outerwear
        | Category::Knitwear
        | Category::Suit
        | Category::Jumpsuit => 1.0,
        _ => AWAY_FROM_FACE,
    }
}

/// Near a flattering colour: up to +1 (within ΔE76 25); near a colour to avoid: down to −1
/// (within ΔE76 15). CIE76 here: this runs for every candidate and only needs "near".
fn palette_affinity(lab: Lab, good: &[Lab], bad: &[Lab]) -> f32 {
    let nearest = |list: &[Lab]| {
        list.iter()
            .map(|c| delta_e_76(lab, *c))
            .fold(f32::INFINITY, f32::min)
    };
    let up = (1.0 - nearest(good) / 25.0).max(0.0);
    let down = (1.0 - nearest(bad) / 15.0).max(0.0);
    up - down
}

/// Inserts `s` into a bucket kept to the best `PER_BUCKET` (ties: lower record first = SKU order).
fn keep_best(bucket: &mut Vec<Scored>, s: Scored) {
    let better = |a: &Scored, b: &Scored| a.unary > b.unary || (a.unary == b.unary && a.rec < b.rec);
    if bucket.len() == PER_BUCKET {
        match bucket.last() {
            Some(worst) if better(&s, worst) => {
                bucket.pop();
            }
            _ => return,
        }
    }
    let at = bucket.iter().position(|x| better(&s, x)).unwrap_or(bucket.len());
    bucket.insert(at, s);
}

impl Ctx<'_> {
    fn rec_of(&self, item: u32) -> &Rec {
        &self.rec.recs[self.table[item as usize].rec as usize]
    }

    /// Adds `item` to `state`, or `None` if it breaks the budget.
    fn push(&self, state: &State, item: u32, optional: bool, min_rest: u64) -> Option<State> {
        let r = self.rec_of(item);
        let price = state.price + r.price;
        if self.budget.is_some_and(|b| price + min_rest > b) && !self.table[item as usize].scanned {
            return None;
        }
        let mut next = *state;
        for (pos, &other) in state.items().iter().enumerate() {
            let o = self.rec_of(other);
            let weight = if optional || state.optional_mask & (1 << pos) != 0 {
                OPTIONAL_PAIR_WEIGHT
            } else {
                1.0
            };
            next.harmony_sum += weight * pair_harmony(&r.swatch, &o.swatch).1;
            next.harmony_weight += weight;
            if self.learned.has_pairs() {
                next.learned_sum += self.learned.pair_bonus_by_hash(r.product_hash, o.product_hash);
            }
            next.pairs += 1;
        }
        next.items[usize::from(state.len)] = item;
        if optional {
            next.optional_mask |= 1 << state.len;
        }
        next.len += 1;
        next.unary_sum += self.table[item as usize].unary;
        next.loud += u8::from(r.loud_pattern);
        next.optional_filled += u8::from(optional);
        next.price = price;
        Some(next)
    }

    /// The score the beam ranks partial looks by.
    fn partial(&self, s: &State) -> f32 {
        let w = &self.rec.weights;
        let pairs = f32::from(s.pairs.max(1));
        let harmony = if s.pairs == 0 {
            0.7
        } else {
            s.harmony_sum / s.harmony_weight
        };
        let clash = if s.loud >= 2 { w.pattern_clash } else { 0.0 };
        w.harmony * harmony
            + s.unary_sum / f32::from(s.len.max(1))
            + w.learned * s.learned_sum / pairs
            + w.completeness * f32::from(s.optional_filled)
            - clash
    }

    /// The best complete looks of one template.
    fn beam(&self, t: Template) -> Vec<State> {
        let slots = slots(t);
        // Scanned slots first: every partial look is built around them.
        let mut order: Vec<Slot> = slots.to_vec();
        order.sort_by_key(|s| (self.fixed[s.category as usize].is_none(), s.optional));
        let min_price = |s: &Slot| -> Option<u64> {
            if s.optional {
                return Some(0);
            }
            if let Some(f) = self.fixed[s.category as usize] {
                return Some(if self.table[f as usize].scanned {
                    0
                } else {
                    self.rec_of(f).price
                });
            }
            self.pools[s.category as usize]
                .iter()
                .map(|&i| self.rec_of(i).price)
                .min()
        };
        let mins: Option<Vec<u64>> = order.iter().map(min_price).collect();
        let Some(mins) = mins else {
            return Vec::new(); // a required category has nothing in stock for this shopper
        };
        let mut beam = vec![State::EMPTY];
        for (k, slot) in order.iter().enumerate() {
            let min_rest: u64 = mins[k + 1..].iter().sum();
            let options: Vec<u32> = match self.fixed[slot.category as usize] {
                Some(f) => vec![f],
                None => self.pools[slot.category as usize].clone(),
            };
            let mut next: Vec<(f32, State)> = Vec::with_capacity(beam.len() * (options.len() + 1));
            let fixed = self.fixed[slot.category as usize].is_some();
            for s in &beam {
                if slot.optional && !fixed {
                    next.push((self.partial(s), *s));
                }
                for &item in &options {
                    if let Some(n) = self.push(s, item, slot.optional, min_rest) {
                        next.push((self.partial(&n), n));
                    }
                }
            }
            // Best first; ties by the items' SKU order (records are sorted by SKU within a category).
            next.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then_with(|| self.key(&a.1).cmp(&self.key(&b.1)))
            });
            next.truncate(if k + 1 == order.len() {
                FINALS_PER_TEMPLATE
            } else {
                BEAM
            });
            beam = next.into_iter().map(|(_, s)| s).collect();
            if beam.is_empty() {
                break;
            }
        }
        beam.retain(|s| usize::from(s.len) >= slots.iter().filter(|s| !s.optional).count());
        beam
    }

    /// The records of a look, for deterministic ordering.
    fn key(&self, s: &State) -> [u32; 5] {
        let mut k = [u32::MAX; 5];
        for (slot, &item) in k.iter_mut().zip(s.items()) {
            *slot = self.table[item as usize].rec;
        }
        k
    }

    fn breakdown(&self, s: &State, request: &Request) -> ScoreBreakdown {
        let w = &self.rec.weights;
        let n = f32::from(s.len.max(1));
        let pairs = f32::from(s.pairs.max(1));
        let items: Vec<&Scored> = s.items().iter().map(|&i| &self.table[i as usize]).collect();
        let relation = self.relation(s);
        let harmony = s.harmony_sum / s.harmony_weight.max(f32::EPSILON) * self.features[relation.index()];
        let palette = items.iter().map(|i| i.palette).sum::<f32>() / n;
        let occasion = items.iter().map(|i| i.occasion).sum::<f32>() / n;
        let style = items.iter().map(|i| i.style).sum::<f32>() / n;
        let budget = request
            .budget_minor
            .filter(|b| *b > 0)
            .map_or(0.0, |b| (1.0 - s.price as f32 / b as f32).clamp(0.0, 1.0));
        let learned = s.learned_sum / pairs;
        let clash = if s.loud >= 2 { w.pattern_clash } else { 0.0 };
        let total = w.harmony * harmony
            + w.palette * palette
            + w.occasion * occasion
            + w.style * style
            + w.budget * budget
            + w.learned * learned
            + w.completeness * f32::from(s.optional_filled)
            - clash;
        ScoreBreakdown {
            harmony,
            palette,
            occasion,
            style,
            budget,
            learned,
            total,
        }
    }

    fn relation(&self, s: &State) -> ColourRelation {
        let swatches: Vec<Swatch> = s.items().iter().map(|&i| self.rec_of(i).swatch).collect();
        look_relation(&swatches)
    }

    /// How much two looks resemble each other, 0–1: shared products and similar colours in the
    /// same categories, ignoring the scanned garments every look shares.
    fn similarity(&self, x: &State, y: &State) -> f32 {
        let free = |s: &State| -> Vec<&Rec> {
            s.items()
                .iter()
                .filter(|&&i| !self.table[i as usize].scanned)
                .map(|&i| self.rec_of(i))
                .collect()
        };
        let (a, b) = (free(x), free(y));
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let shared = a
            .iter()
            .filter(|r| b.iter().any(|o| o.product_hash == r.product_hash))
            .count();
        let alike = a
            .iter()
            .filter(|r| {
                b.iter()
                    .any(|o| o.category == r.category && delta_e_76(o.swatch.lab, r.swatch.lab) < 10.0)
            })
            .count();
        let m = a.len().min(b.len()) as f32;
        (0.6 * shared as f32 / m + 0.4 * alike as f32 / a.len() as f32).min(1.0)
    }

    /// Maximal marginal relevance: best score minus the diversity weight times the resemblance to
    /// the closest look already chosen; identical item sets are dropped first.
    fn diverse(&self, mut finals: Vec<(Template, State, f32)>, count: usize) -> Vec<(Template, State)> {
        finals.sort_by(|a, b| {
            b.2.total_cmp(&a.2)
                .then_with(|| self.key(&a.1).cmp(&self.key(&b.1)))
        });
        let mut seen: HashSet<Vec<u32>> = HashSet::new();
        finals.retain(|f| {
            let mut k: Vec<u32> = self.key(&f.1).to_vec();
            k.sort_unstable();
            seen.insert(k)
        });
        let lambda = self.rec.weights.diversity;
        let mut chosen: Vec<(Template, State)> = Vec::new();
        let mut max_sim = vec![0.0f32; finals.len()];
        let mut taken = vec![false; finals.len()];
        while chosen.len() < count {
            let mut best: Option<(usize, f32)> = None;
            for (i, f) in finals.iter().enumerate() {
                if taken[i] {
                    continue;
                }
                let v = f.2 - lambda * max_sim[i];
                // `finals` is in (score, key) order, so the first of equal values wins.
                if best.is_none_or(|(_, bv)| v > bv) {
                    best = Some((i, v));
                }
            }
            let Some((i, _)) = best else { break };
            taken[i] = true;
            let (t, s) = (finals[i].0, finals[i].1);
            for (j, f) in finals.iter().enumerate() {
                if !taken[j] {
                    max_sim[j] = max_sim[j].max(self.similarity(&s, &f.1));
                }
            }
            chosen.push((t, s));
        }
        chosen
    }

    fn look(&self, t: Template, s: &State, request: &Request) -> Look {
        // Items in the template's slot order.
        let mut items: Vec<u32> = s.items().to_vec();
        let slot_rank = |c: Category| {
            slots(t)
                .iter()
                .position(|x| x.category == c)
                .unwrap_or(usize::MAX)
        };
        items.sort_by_key(|&i| slot_rank(self.rec_of(i).category));
        let look_items: Vec<LookItem> = items
            .iter()
            .map(|&i| {
                let sc = &self.table[i as usize];
                let c = &self.rec.candidates[sc.rec as usize];
                LookItem {
                    variant_sku: c.variant_sku.clone(),
                    product_sku: c.product_sku.clone(),
                    category: c.category,
                    colour: c.colour.clone(),
                    price_minor: c.price_minor,
                    scanned: sc.scanned,
                }
            })
            .collect();
        let relation = self.relation(s);
        let swatches: Vec<Swatch> = items.iter().map(|&i| self.rec_of(i).swatch).collect();
        let (reason_en, reason_zh) = reason(relation, &look_items, &swatches, request.occasion.as_deref());
        Look {
            template: t,
            total_minor: s.price,
            items: look_items,
            relation,
            score: self.breakdown(s, request),
            reason_en,
            reason_zh,
        }
    }
}
