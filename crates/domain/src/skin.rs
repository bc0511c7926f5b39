//! Skin-tone analysis from pixels the caller has already restricted to the face.
//!
//! Steps (all deterministic):
//! 1. **Sample.** At most [`SkinOptions::max_samples`] pixels are used, taken at an even stride, so a
//!    720p face crop costs the same as a small one. Each is converted to CIELAB (D65): through the
//!    calibration when there is one, else as plain sRGB.
//! 2. **Skin rule.** A pixel counts as skin when 10 ≤ L* ≤ 97, its chroma C* is at most 50, and
//!    either its hue angle is between 20° and 95° (red-orange to yellow) with C* ≥ 2, or it is dark
//!    (L* < 35) and nearly neutral (C* < 8), where a pixel's hue is mostly sensor noise. Skin of every
//!    Monk tone lies inside that (the Monk swatches span 49°–89°, C* 3.8–28); blue, green and purple
//!    backgrounds, light greys and black hair (L* < 10) do not. Dark-brown hair does: keeping it out
//!    is the face crop's job.
//! 3. **Highlights and shadows.** Of the skin pixels, those below the 10th and above the 90th
//!    percentile of L* are dropped: specular shine and the shadow under the jaw.
//! 4. **Robust estimate.** The median of each linearised camera channel of what is left, then
//!    corrected and converted to CIELAB (a median per Lab channel of noisy dark pixels is biased: the
//!    rule's hue window and the sensor's clipping at zero both push it); the spread is the
//!    root-sum-square of the Lab channels' median absolute deviations (×1.4826, a robust σ). Then
//!    once more over every analysed pixel within 2.5 robust σ of that estimate in each camera
//!    channel: the rule and the trimming cut noisy pixels unevenly (a dark pixel pushed below L* 10
//!    by noise is dropped, one pushed above is kept), a window centred on the estimate cuts evenly.
//! 5. **Monk Skin Tone.** The nearest of the ten published MST swatches by CIEDE2000.
//! 6. **Undertone** from the hue angle h°: below 55° (more red than yellow: pink) cool, above 68°
//!    (golden, olive) warm, between neutral; below C* 6 the hue says too little, so neutral.
//! 7. **Contrast** between the skin's L* and the hair's or eyes' L* when the caller measured it:
//!    below 25 low, above 50 high, else medium; without it, medium.
//! 8. **Confidence** in 0–1: the product of the amount of skin (full at 1500 pixels), the share of
//!    the region that looked like skin (full at 50 %), the tightness of the estimate
//!    (1 / (1 + (spread / 25)²): real cheeks and foreheads under one-sided light spread 15–20 ΔE
//!    around their median and are still measured well, noise-dominated crops spread far more) and
//!    how clearly one Monk swatch wins (0.75 at a tie: the shade name is coarse, the colour is
//!    not); without a calibration it is capped at 0.4, which is always [`ConfidenceLevel::Low`]: an
//!    uncorrected camera in unknown light can be 10–20 ΔE off.
//! 9. **Palette** by the rules in [`crate::palette`].

use serde::{Deserialize, Serialize};

pub mod eval;
pub mod face;

use crate::calibration::ColourCorrection;
use crate::colour::{
    Lab, delta_e_2000, lab_from_srgb8, lab_from_xyz, linear_from_srgb_component, mat3_mul, mat3_mul_vec,
};
use crate::palette::{Contrast, Depth, Palette, Undertone, palette_for};

/// The ten Monk Skin Tone reference swatches (Monk 2019, published by Google), MST 1 to 10.
pub const MONK_SWATCHES: [[u8; 3]; 10] = [
    [0xf6, 0xed, 0xe4],
    [0xf3, 0xe7, 0xdb],
    [0xf7, 0xea, 0xd0],
    [0xea, 0xda, 0xba],
    [0xd7, 0xbd, 0x96],
    [0xa0, 0x7e, 0x56],
    [0x82, 0x5c, 0x43],
    [0x60, 0x41, 0x34],
    [0x3a, 0x31, 0x2a],
    [0x29, 0x24, 0x20],
];

/// CIELAB (D65) of the Monk swatches.
pub fn monk_swatches_lab() -> [Lab; 10] {
    MONK_SWATCHES.map(lab_from_srgb8)
}

/// The Monk Skin Tone (1–10) nearest to `skin`, with its ΔE2000 and the runner-up's ΔE2000.
pub fn nearest_monk(skin: Lab) -> (u8, f32, f32) {
    let mut best = (0u8, f32::INFINITY, f32::INFINITY);
    for (i, m) in monk_swatches_lab().iter().enumerate() {
        let d = delta_e_2000(skin, *m);
        if d < best.1 {
            best = (i as u8 + 1, d, best.1);
        } else if d < best.2 {
            best.2 = d;
        }
    }
    best
}

/// What the caller can tell the analysis besides the pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkinOptions<'a> {
    /// The camera's colour correction for this room's light, if it has been calibrated.
    pub correction: Option<&'a ColourCorrection>,
    /// L* of the hair or eyes, if measured, for the contrast level.
    pub feature_l: Option<f32>,
    /// At most this many pixels are analysed (taken at an even stride).
    pub max_samples: usize,
}

impl Default for SkinOptions<'_> {
    fn default() -> Self {
        Self {
            correction: None,
            feature_l: None,
            max_samples: 65_536,
        }
    }
}

/// Low, medium or high confidence, for the UI to word its advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceLevel {
    Low,
    Medium,
    High,
}

impl ConfidenceLevel {
    /// The level of a 0–1 confidence: below 0.45 low, below 0.75 medium, else high.
    pub fn from_score(score: f32) -> Self {
        if score < 0.45 {
            ConfidenceLevel::Low
        } else if score < 0.75 {
            ConfidenceLevel::Medium
        } else {
            ConfidenceLevel::High
        }
    }
}

/// The result of a skin analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkinAnalysis {
    /// The robust skin colour, CIELAB D65.
    pub skin: Lab,
    /// Monk Skin Tone, 1 (lightest) to 10 (deepest).
    pub monk: u8,
    /// ΔE2000 from the skin colour to that Monk swatch.
    pub monk_delta_e: f32,
    pub depth: Depth,
    pub undertone: Undertone,
    pub contrast: Contrast,
    /// Whether the contrast was measured (else it is the default, medium).
    pub contrast_measured: bool,
    /// 0–1.
    pub confidence: f32,
    pub confidence_level: ConfidenceLevel,
    pub calibrated: bool,
    /// Skin pixels the estimate rests on (after highlights and shadows were dropped).
    pub samples_used: usize,
    /// Share of the analysed pixels that passed the skin rule.
    pub skin_fraction: f32,
    /// Robust spread of the skin pixels (ΔE-like units).
    pub spread: f32,
    pub palette: Palette,
}

/// Why no analysis could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkinError {
    #[error("no pixels to analyse")]
    NoPixels,
    #[error(
        "only {found} of the pixels look like skin; at least {needed} are needed (face not in view, or very coloured light?)"
    )]
    TooLittleSkin { found: usize, needed: usize },
    #[error("the colour correction has a coefficient that is not a finite number")]
    BadCorrection,
}

/// The fewest skin pixels an estimate may rest on.
pub const MIN_SKIN_PIXELS: usize = 50;

/// Whether a CIELAB colour passes the skin rule (step 2 in the module docs).
pub fn looks_like_skin(lab: Lab) -> bool {
    if !(10.0..=97.0).contains(&lab.l) {
        return false;
    }
    let chroma = lab.chroma();
    if chroma > 50.0 {
        return false;
    }
    // A dark pixel's hue is mostly sensor noise: judge it by its low chroma alone.
    if lab.l < 35.0 && chroma < 8.0 {
        return true;
    }
    let hue = lab.b.atan2(lab.a).to_degrees();
    chroma >= 2.0 && (20.0..=95.0).contains(&hue)
}

/// The undertone of a skin colour (step 6 in the module docs).
pub fn undertone_of(skin: Lab) -> Undertone {
    let lch = skin.to_lch();
    if lch.c < 6.0 {
        Undertone::Neutral
    } else if lch.h_deg < 55.0 {
        Undertone::Cool
    } else if lch.h_deg > 68.0 {
        Undertone::Warm
    } else {
        Undertone::Neutral
    }
}

/// The contrast level between skin and hair/eye lightness (step 7 in the module docs).
pub fn contrast_of(skin_l: f32, feature_l: Option<f32>) -> Contrast {
    match feature_l {
        None => Contrast::Medium,
        Some(f) => {
            let d = (skin_l - f).abs();
            if d < 25.0 {
                Contrast::Low
            } else if d > 50.0 {
                Contrast::High
            } else {
                Contrast::Medium
            }
        }
    }
}

/// Analyses face-region pixels (8-bit sRGB as the camera delivers them).
pub fn analyse_skin(pixels: &[[u8; 3]], options: &SkinOptions<'_>) -> Result<SkinAnalysis, SkinError> {
    if pixels.is_empty() {
        return Err(SkinError::NoPixels);
    }
    let correction = options.correction.copied().unwrap_or(ColourCorrection::IDENTITY);
    if !correction.is_finite() {
        return Err(SkinError::BadCorrection);
    }
    let converter = Converter::new(&correction);
    let stride = pixels.len().div_ceil(options.max_samples.max(1));
    let mut analysed = 0usize;
    let mut all: Vec<Sample> = Vec::with_capacity(pixels.len() / stride + 1);
    let mut skin: Vec<Sample> = Vec::with_capacity(pixels.len() / stride + 1);
    for px in pixels.iter().step_by(stride) {
        analysed += 1;
        let camera = converter.camera_linear(*px);
        let sample = Sample {
            lab: converter.lab(camera),
            camera: camera.map(|v| v as f32),
        };
        if looks_like_skin(sample.lab) {
            skin.push(sample);
        }
        all.push(sample);
    }
    if skin.len() < MIN_SKIN_PIXELS {
        return Err(SkinError::TooLittleSkin {
            found: skin.len(),
            needed: MIN_SKIN_PIXELS,
        });
    }
    let skin_fraction = skin.len() as f32 / analysed as f32;

    // Drop highlights and shadows by the 10th and 90th percentiles of L*.
    let mut scratch: Vec<f32> = skin.iter().map(|s| s.lab.l).collect();
    let lo = percentile(&mut scratch, 0.10);
    let hi = percentile(&mut scratch, 0.90);
    skin.retain(|s| s.lab.l >= lo && s.lab.l <= hi);

    // The median is taken per camera channel, before correction: sensor noise is symmetric there,
    // and the median commutes with the clipping at zero that biases any mean of dark pixels.
    let mut channel_median = |c: usize| {
        scratch.clear();
        scratch.extend(skin.iter().map(|s| s.camera[c]));
        f64::from(percentile(&mut scratch, 0.5))
    };
    let first = [channel_median(0), channel_median(1), channel_median(2)];
    // Second pass: every pixel within 2.5 robust σ of the first estimate in each camera channel.
    // The rule and the trimming cut noisy pixels asymmetrically (a dark pixel pushed below L* 10 by
    // noise is dropped, one pushed above is kept); a window centred on the estimate cuts evenly.
    let sigma = [0, 1, 2].map(|c| {
        scratch.clear();
        scratch.extend(
            skin.iter()
                .map(|s| (f64::from(s.camera[c]) - first[c]).abs() as f32),
        );
        (1.4826 * f64::from(percentile(&mut scratch, 0.5))).max(1e-4)
    });
    let window: Vec<Sample> = all
        .into_iter()
        .filter(|s| (0..3).all(|c| (f64::from(s.camera[c]) - first[c]).abs() <= 2.5 * sigma[c]))
        .collect();
    if window.len() >= MIN_SKIN_PIXELS {
        skin = window;
    }
    let mut channel_median = |c: usize| {
        scratch.clear();
        scratch.extend(skin.iter().map(|s| s.camera[c]));
        f64::from(percentile(&mut scratch, 0.5))
    };
    let camera_median = [channel_median(0), channel_median(1), channel_median(2)];
    let estimate = converter.lab(camera_median);
    let mut mad = |f: fn(&Lab) -> f32, centre: f32| {
        scratch.clear();
        scratch.extend(skin.iter().map(|s| (f(&s.lab) - centre).abs()));
        1.4826 * percentile(&mut scratch, 0.5)
    };
    let spread = (mad(|x| x.l, estimate.l).powi(2)
        + mad(|x| x.a, estimate.a).powi(2)
        + mad(|x| x.b, estimate.b).powi(2))
    .sqrt();

    let (monk, monk_delta_e, runner_up) = nearest_monk(estimate);
    let depth = Depth::from_monk(monk);
    let undertone = undertone_of(estimate);
    let contrast = contrast_of(estimate.l, options.feature_l);
    let calibrated = options.correction.is_some();

    let amount = (skin.len() as f32 / 1500.0).min(1.0);
    let share = (skin_fraction / 0.5).min(1.0);
    let tightness = 1.0 / (1.0 + (spread / 25.0).powi(2));
    // A winner by 2 ΔE or more is clear; a tie between two swatches costs a quarter.
    let clarity = (0.75 + (runner_up - monk_delta_e) / 8.0).clamp(0.75, 1.0);
    let mut confidence = (amount * share.sqrt() * tightness * clarity).clamp(0.0, 1.0);
    if !calibrated {
        confidence = confidence.min(0.4);
    }

    Ok(SkinAnalysis {
        skin: estimate,
        monk,
        monk_delta_e,
        depth,
        undertone,
        contrast,
        contrast_measured: options.feature_l.is_some(),
        confidence,
        confidence_level: ConfidenceLevel::from_score(confidence),
        calibrated,
        samples_used: skin.len(),
        skin_fraction,
        spread,
        palette: palette_for(estimate, undertone, depth, contrast),
    })
}

/// The `q`-quantile (0–1) of `v` by selection (reorders `v`); `v` must not be empty.
fn percentile(v: &mut [f32], q: f32) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    let k = ((v.len() - 1) as f32 * q).round() as usize;
    let (_, x, _) = v.select_nth_unstable_by(k.min(v.len() - 1), f32::total_cmp);
    *x
}

/// One skin pixel: its CIELAB value and its linearised camera RGB.
#[derive(Clone, Copy)]
struct Sample {
    lab: Lab,
    camera: [f32; 3],
}

/// 8-bit camera pixel → CIELAB with the sRGB curve as a table and the correction folded into the
/// RGB → XYZ matrix, so a pixel costs a few multiplications and three cube roots.
struct Converter {
    linear: [f64; 256],
    matrix: [[f64; 3]; 3],
    offset: [f64; 3],
}

impl Converter {
    fn new(correction: &ColourCorrection) -> Self {
        let xyz_from_rgb = [
            [0.412_456_4, 0.357_576_1, 0.180_437_5],
            [0.212_672_9, 0.715_152_2, 0.072_175_0],
            [0.019_333_9, 0.119_192_0, 0.950_304_1],
        ];
        let mut linear = [0.0; 256];
        for (i, v) in linear.iter_mut().enumerate() {
            *v = linear_from_srgb_component(i as f64 / 255.0);
        }
        Self {
            linear,
            matrix: mat3_mul(&xyz_from_rgb, &correction.matrix),
            offset: mat3_mul_vec(&xyz_from_rgb, correction.offset),
        }
    }

    fn camera_linear(&self, px: [u8; 3]) -> [f64; 3] {
        px.map(|v| self.linear[usize::from(v)])
    }

    fn lab(&self, camera_linear: [f64; 3]) -> Lab {
        let xyz = mat3_mul_vec(&self.matrix, camera_linear);
        lab_from_xyz([
            xyz[0] + self.offset[0],
            xyz[1] + self.offset[1],
            xyz[2] + self.offset[2],
        ])
    }
}

#[cfg(test)]
mod tests;
