//! Fill-in-the-blank (FITB) evaluation of the recommender's compatibility score.
//!
//! For each known-good look (a list of variant SKUs, e.g. outfits stylists built or shoppers bought),
//! one garment is hidden and three decoys of the same category, from other products, are drawn with
//! a seeded generator. The four are ranked by [`Recommender::compatibility`] with the rest of the
//! look; the question is answered when the hidden garment ranks first (a tie at the top earns
//! 1 / the number tied). Two baselines answer the same questions: a seeded random pick, and
//! popularity (how often the option's product appears in the *other* looks).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{LearnedWeights, Recommender};
use crate::rng::XorShift64;

/// Decoys per question.
const DECOYS: usize = 3;

/// The outcome of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitbReport {
    /// Questions asked.
    pub questions: usize,
    /// Looks left out: fewer than two garments, an unknown SKU, or too few possible decoys.
    pub skipped: usize,
    /// Share answered by the recommender.
    pub accuracy: f32,
    /// Share answered by a seeded random pick.
    pub random_accuracy: f32,
    /// Share answered by popularity.
    pub popularity_accuracy: f32,
    /// What pure chance gives: 1 / (1 + decoys).
    pub chance: f32,
}

/// Why no evaluation could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("none of the {looks} looks could be turned into a question")]
    NoQuestions { looks: usize },
}

/// Runs the evaluation over `looks` (variant SKUs) with `seed` for blanks and decoys.
pub fn fill_in_the_blank(
    recommender: &Recommender,
    learned: &LearnedWeights,
    looks: &[Vec<String>],
    occasion: Option<&str>,
    seed: u64,
) -> Result<FitbReport, EvalError> {
    let mut rng = XorShift64::new(seed);
    let product_of = |v: &str| recommender.candidate(v).map(|c| c.product_sku.as_str());
    let mut popularity: HashMap<&str, u32> = HashMap::new();
    for look in looks {
        for v in look {
            if let Some(p) = product_of(v) {
                *popularity.entry(p).or_default() += 1;
            }
        }
    }
    let (mut asked, mut skipped) = (0usize, 0usize);
    let (mut model, mut random, mut popular) = (0.0f64, 0.0f64, 0.0f64);
    for look in looks {
        let Some(question) = make_question(recommender, look, &mut rng) else {
            skipped += 1;
            continue;
        };
        let rest: Vec<&str> = look
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != question.blank)
            .map(|(_, v)| v.as_str())
            .collect();
        let own: HashMap<&str, u32> =
            look.iter()
                .filter_map(|v| product_of(v))
                .fold(HashMap::new(), |mut m, p| {
                    *m.entry(p).or_default() += 1;
                    m
                });
        let mut model_scores = Vec::with_capacity(question.options.len());
        let mut pop_scores = Vec::with_capacity(question.options.len());
        for option in &question.options {
            model_scores.push(
                recommender
                    .compatibility(option, &rest, learned, occasion)
                    .unwrap_or(f32::NEG_INFINITY),
            );
            let p = product_of(option).unwrap_or_default();
            let count = popularity.get(p).copied().unwrap_or(0) - own.get(p).copied().unwrap_or(0);
            pop_scores.push(count as f32);
        }
        model += credit(&model_scores);
        popular += credit(&pop_scores);
        random += f64::from(u8::from(rng.below(question.options.len()) == 0));
        asked += 1;
    }
    if asked == 0 {
        return Err(EvalError::NoQuestions { looks: looks.len() });
    }
    let share = |x: f64| (x / asked as f64) as f32;
    Ok(FitbReport {
        questions: asked,
        skipped,
        accuracy: share(model),
        random_accuracy: share(random),
        popularity_accuracy: share(popular),
        chance: 1.0 / (1 + DECOYS) as f32,
    })
}

/// One question: option 0 is the hidden garment, the rest decoys.
struct Question {
    blank: usize,
    options: Vec<String>,
}

fn make_question(recommender: &Recommender, look: &[String], rng: &mut XorShift64) -> Option<Question> {
    if look.len() < 2 {
        return None;
    }
    let cands: Vec<_> = look
        .iter()
        .map(|v| recommender.candidate(v))
        .collect::<Option<_>>()?;
    let blank = rng.below(look.len());
    let hidden = cands[blank];
    let range = recommender.ranges[hidden.category as usize].clone();
    let mut options = vec![hidden.variant_sku.clone()];
    // Rejection sampling with a bound, so a category with few other products cannot loop forever.
    for _ in 0..200 {
        if options.len() == 1 + DECOYS {
            break;
        }
        let c = &recommender.candidates[range.start + rng.below(range.len())];
        let taken = cands.iter().any(|l| l.product_sku == c.product_sku)
            || options.iter().any(|o| {
                recommender
                    .candidate(o)
                    .is_some_and(|x| x.product_sku == c.product_sku)
            });
        if !taken {
            options.push(c.variant_sku.clone());
        }
    }
    (options.len() == 1 + DECOYS).then_some(Question { blank, options })
}

/// 1 / (number tied at the top) if option 0 is at the top, else 0.
fn credit(scores: &[f32]) -> f64 {
    let best = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if scores.first().is_some_and(|s| *s >= best) {
        1.0 / scores.iter().filter(|s| **s >= best).count() as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Category;
    use crate::recommend::synthetic;
    use crate::recommend::{Candidate, Feedback, FeedbackKind, Swatch, pair_harmony};

    /// Looks a stylist might build: a top, then trousers and shoes that go with it by the colour
    /// rules (neutral or within 40° of hue), drawn from the synthetic catalog.
    fn stylist_looks(cat: &[Candidate], n: usize, seed: u64) -> Vec<Vec<String>> {
        let mut rng = XorShift64::new(seed);
        let of = |c: Category| cat.iter().filter(move |x| x.category == c).collect::<Vec<_>>();
        let (tops, bottoms, shoes) = (of(Category::Top), of(Category::Bottom), of(Category::Shoes));
        let goes = |a: &Candidate, b: &Candidate| {
            let (x, y) = (Swatch::new(a.colour.lab), Swatch::new(b.colour.lab));
            pair_harmony(&x, &y).1 >= 0.8
        };
        let mut looks = Vec::new();
        while looks.len() < n {
            let top = tops[rng.below(tops.len())];
            let b = (0..50)
                .map(|_| bottoms[rng.below(bottoms.len())])
                .find(|c| goes(top, c));
            let s = (0..50)
                .map(|_| shoes[rng.below(shoes.len())])
                .find(|c| goes(top, c));
            if let (Some(b), Some(s)) = (b, s) {
                looks.push(vec![
                    top.variant_sku.clone(),
                    b.variant_sku.clone(),
                    s.variant_sku.clone(),
                ]);
            }
        }
        looks
    }

    #[test]
    fn beats_random_and_popularity_on_colour_coherent_looks() {
        let cat = synthetic::catalog(600, 4, 5);
        let looks = stylist_looks(&cat, 150, 9);
        let rec = Recommender::new(cat).unwrap();
        let r = fill_in_the_blank(&rec, &LearnedWeights::default(), &looks, None, 1).unwrap();
        assert_eq!(r.questions, 150);
        assert_eq!(r.chance, 0.25);
        assert!(r.accuracy > 0.45, "{r:?}");
        assert!(
            r.accuracy > r.random_accuracy + 0.15 && r.accuracy > r.popularity_accuracy + 0.1,
            "{r:?}"
        );
        assert!((r.random_accuracy - 0.25).abs() < 0.12, "{r:?}");
        // Same seed, same report.
        assert_eq!(
            r,
            fill_in_the_blank(&rec, &LearnedWeights::default(), &looks, None, 1).unwrap()
        );
    }

    #[test]
    fn learned_pairs_help_on_looks_seen_before() {
        let cat = synthetic::catalog(600, 4, 6);
        let looks = stylist_looks(&cat, 80, 10);
        let rec = Recommender::new(cat).unwrap();
        let prior = fill_in_the_blank(&rec, &LearnedWeights::default(), &looks, None, 2).unwrap();
        let mut learned = LearnedWeights::default();
        for look in &looks {
            let products = look
                .iter()
                .filter_map(|v| rec.candidate(v))
                .map(|c| c.product_sku.clone())
                .collect();
            learned.update(&Feedback {
                kind: FeedbackKind::Purchase,
                occasion: None,
                products,
                relation: crate::recommend::ColourRelation::NeutralAnchor,
            });
        }
        let after = fill_in_the_blank(&rec, &learned, &looks, None, 2).unwrap();
        assert!(after.accuracy > prior.accuracy + 0.1, "{prior:?} → {after:?}");
    }

    #[test]
    fn looks_that_cannot_be_asked_are_skipped() {
        let cat = synthetic::catalog(50, 2, 1);
        let rec = Recommender::new(cat).unwrap();
        let looks = vec![vec!["nope".to_owned(), "nada".to_owned()], vec![]];
        assert_eq!(
            fill_in_the_blank(&rec, &LearnedWeights::default(), &looks, None, 1),
            Err(EvalError::NoQuestions { looks: 2 })
        );
        assert_eq!(credit(&[1.0, 1.0, 0.0, 0.0]), 0.5);
        assert_eq!(credit(&[0.0, 1.0, 0.0, 0.0]), 0.0);
    }
}
