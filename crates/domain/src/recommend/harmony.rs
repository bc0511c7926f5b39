//! How two garment colours go together, judged in LCh.
//!
//! A colour is a *neutral* when its chroma is below 12 (black, white, greys, stone, most beige) or
//! when it is dark and muted (L* < 25 and C* < 25: navy, chocolate, charcoal). Between two colours:
//! - **neutral anchor**: at least one is neutral. Safe; better with a clear lightness step.
//! - **tonal**: hues within 20°. Good when the lightness differs (≥ 12), flat when it does not.
//! - **analogous**: hues 20°–60° apart. Good.
//! - **complementary**: hues 140°–180° apart. Good when one of the two is muted (C* < 35), loud
//!   when both are strong.
//! - **triadic**: hues 100°–140° apart. Acceptable as an accent.
//! - **clash**: hues 60°–100° apart, neither family nor contrast. Poor.

use serde::{Deserialize, Serialize};

use crate::colour::{Lab, Lch, hue_distance_deg};

/// The relation between two colours (or, for a look, its leading relation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColourRelation {
    NeutralAnchor,
    Tonal,
    Analogous,
    Complementary,
    Triadic,
    Clash,
}

impl ColourRelation {
    /// Every relation, in declaration order.
    pub const ALL: [ColourRelation; 6] = [
        ColourRelation::NeutralAnchor,
        ColourRelation::Tonal,
        ColourRelation::Analogous,
        ColourRelation::Complementary,
        ColourRelation::Triadic,
        ColourRelation::Clash,
    ];

    /// A stable index 0–5, for tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in stored state and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ColourRelation::NeutralAnchor => "neutral_anchor",
            ColourRelation::Tonal => "tonal",
            ColourRelation::Analogous => "analogous",
            ColourRelation::Complementary => "complementary",
            ColourRelation::Triadic => "triadic",
            ColourRelation::Clash => "clash",
        }
    }
}

/// A garment colour prepared for harmony checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swatch {
    pub lab: Lab,
    pub lch: Lch,
    pub neutral: bool,
}

impl Swatch {
    /// A swatch of a CIELAB colour.
    pub fn new(lab: Lab) -> Self {
        let lch = lab.to_lch();
        Swatch {
            lab,
            lch,
            neutral: is_neutral(lch),
        }
    }
}

/// Whether a colour acts as a neutral in an outfit (see the module docs).
pub fn is_neutral(lch: Lch) -> bool {
    lch.c < 12.0 || (lch.l < 25.0 && lch.c < 25.0)
}

/// The relation between two colours and how well they go together, 0 (poorly) to 1 (well).
pub fn pair_harmony(x: &Swatch, y: &Swatch) -> (ColourRelation, f32) {
    let dl = (x.lch.l - y.lch.l).abs();
    if x.neutral || y.neutral {
        let base = if x.neutral && y.neutral { 0.7 } else { 0.85 };
        let step = if dl >= 20.0 { 0.1 } else { 0.0 };
        return (ColourRelation::NeutralAnchor, base + step);
    }
    let dh = hue_distance_deg(x.lch.h_deg, y.lch.h_deg);
    if dh < 20.0 {
        (ColourRelation::Tonal, if dl >= 12.0 { 0.85 } else { 0.65 })
    } else if dh < 60.0 {
        (ColourRelation::Analogous, 0.8)
    } else if dh < 100.0 {
        (ColourRelation::Clash, 0.25)
    } else if dh < 140.0 {
        (ColourRelation::Triadic, 0.5)
    } else {
        let muted = x.lch.c.min(y.lch.c) < 35.0;
        (ColourRelation::Complementary, if muted { 0.75 } else { 0.55 })
    }
}

/// The leading relation of a whole look: a neutral anchor when at most one colour is not neutral;
/// tonal when all are neutral; otherwise the relation of its two strongest colours.
pub fn look_relation(swatches: &[Swatch]) -> ColourRelation {
    let mut accents: Vec<&Swatch> = swatches.iter().filter(|s| !s.neutral).collect();
    match accents.len() {
        0 => ColourRelation::Tonal,
        1 => ColourRelation::NeutralAnchor,
        _ => {
            accents.sort_by(|a, b| b.lch.c.total_cmp(&a.lch.c));
            pair_harmony(accents[0], accents[1]).0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::lab_from_lch;

    fn sw(l: f32, c: f32, h: f32) -> Swatch {
        Swatch::new(lab_from_lch(Lch { l, c, h_deg: h }))
    }

    #[test]
    fn relations_follow_hue_distance() {
        let blue = sw(50.0, 40.0, 260.0);
        assert_eq!(
            pair_harmony(&blue, &sw(30.0, 40.0, 250.0)).0,
            ColourRelation::Tonal
        );
        assert_eq!(
            pair_harmony(&blue, &sw(50.0, 40.0, 300.0)).0,
            ColourRelation::Analogous
        );
        assert_eq!(
            pair_harmony(&blue, &sw(50.0, 40.0, 180.0)).0,
            ColourRelation::Clash
        );
        assert_eq!(
            pair_harmony(&blue, &sw(50.0, 40.0, 140.0)).0,
            ColourRelation::Triadic
        );
        assert_eq!(
            pair_harmony(&blue, &sw(60.0, 50.0, 70.0)).0,
            ColourRelation::Complementary
        );
        assert_eq!(
            pair_harmony(&blue, &sw(90.0, 3.0, 80.0)).0,
            ColourRelation::NeutralAnchor
        );
        // Navy counts as a neutral; a strong dark red does not.
        assert!(sw(20.0, 20.0, 270.0).neutral);
        assert!(!sw(20.0, 45.0, 20.0).neutral);
    }

    #[test]
    fn scores_rank_good_pairs_above_poor_ones() {
        let blue = sw(50.0, 40.0, 260.0);
        let anchor = pair_harmony(&blue, &sw(95.0, 2.0, 0.0)).1;
        let clash = pair_harmony(&blue, &sw(50.0, 40.0, 180.0)).1;
        let loud = pair_harmony(&sw(50.0, 60.0, 260.0), &sw(60.0, 60.0, 80.0)).1;
        let soft = pair_harmony(&sw(50.0, 60.0, 260.0), &sw(70.0, 25.0, 80.0)).1;
        assert!(anchor > clash && soft > loud && loud > clash);
        let flat_tonal = pair_harmony(&blue, &sw(52.0, 38.0, 262.0)).1;
        let stepped_tonal = pair_harmony(&blue, &sw(75.0, 30.0, 262.0)).1;
        assert!(stepped_tonal > flat_tonal);
    }

    #[test]
    fn look_relation_picks_the_leading_pair() {
        let white = sw(95.0, 2.0, 0.0);
        let navy = sw(20.0, 20.0, 270.0);
        let rust = sw(45.0, 50.0, 45.0);
        let teal = sw(50.0, 30.0, 200.0);
        assert_eq!(look_relation(&[white, navy]), ColourRelation::Tonal);
        assert_eq!(look_relation(&[white, rust, navy]), ColourRelation::NeutralAnchor);
        assert_eq!(look_relation(&[rust, teal, white]), ColourRelation::Complementary);
    }
}
