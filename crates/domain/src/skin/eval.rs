//! How well skin analysis recovers known skin colours, end to end through rendered frames.
//!
//! For each light (D65 daylight, A tungsten, F11 tri-band fluorescent) the simulated camera
//! ([`crate::sim`]) photographs the ColorChecker held in the kiosk's guide frame and fits the
//! correction from that frame, as the installer's calibration does. Then it photographs ten faces
//! whose skin is each Monk swatch, and the analysis reads each face through the fixed face regions,
//! once without and once with the correction. The report gives mean ΔE2000 from the truth and how
//! often the Monk shade is exact or one off.

use crate::calibration::CorrectionModel;
use crate::calibration::chart::{ChartOrientation, calibrate_from_frame, guide_rect};
use crate::colour::delta_e_2000;
use crate::frame::{PixelRect, RgbFrame};
use crate::sim::{Camera, Light, render_chart, render_face};

use super::face::analyse_faces;
use super::{SkinOptions, monk_swatches_lab};

/// One light's results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LightReport {
    pub light: String,
    /// Mean ΔE2000 of the calibration on the chart it was read from.
    pub chart_residual: f32,
    pub faces: usize,
    /// Faces the analysis gave an answer for (uncalibrated, calibrated).
    pub answered: (usize, usize),
    /// Mean ΔE2000 from the true skin colour over the answered faces.
    pub mean_delta_e: (f32, f32),
    /// Monk shade exactly right.
    pub monk_exact: (usize, usize),
    /// Monk shade right or one off.
    pub monk_within_one: (usize, usize),
    /// Per Monk swatch, calibrated: (ΔE2000, Monk read, confidence).
    pub per_face: Vec<Option<(f32, u8, f32)>>,
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("the chart could not be read: {0}")]
    Chart(#[from] crate::calibration::chart::ChartError),
}

/// Frame size of the rendered scenes (the sampler's width for skin analysis).
const W: u32 = 960;
const H: u32 = 540;

/// Runs the evaluation under `light`.
pub fn evaluate(light: Light, seed: u64) -> Result<LightReport, EvalError> {
    let camera = Camera::typical();
    let guide = guide_rect(PixelRect::visible(W, H, 9, 16));
    let chart = render_chart(&camera, light, W, H, guide, ChartOrientation::Upright, seed);
    let frame = RgbFrame::new(W, H, &chart)
        .map_err(|_| crate::calibration::chart::ChartError::GuideTooSmall { width: W, height: H })?;
    let fitted = calibrate_from_frame(&frame, guide, CorrectionModel::Affine3x4)?;
    let correction = fitted.calibration.correction;
    let face = PixelRect {
        x: 400,
        y: 150,
        width: 160,
        height: 160,
    };
    let truths = monk_swatches_lab();
    let mut report = LightReport {
        light: format!("{light:?}"),
        chart_residual: fitted.calibration.report.mean_delta_e,
        faces: truths.len(),
        answered: (0, 0),
        mean_delta_e: (0.0, 0.0),
        monk_exact: (0, 0),
        monk_within_one: (0, 0),
        per_face: Vec::new(),
    };
    let (mut sum_before, mut sum_after) = (0.0f32, 0.0f32);
    for (i, truth) in truths.iter().enumerate() {
        let want = i as u8 + 1;
        let pixels = render_face(&camera, light, *truth, W, H, face, seed + 1 + i as u64);
        let Ok(frame) = RgbFrame::new(W, H, &pixels) else {
            continue;
        };
        let before = analyse_faces(&[(frame, face)], &SkinOptions::default());
        let after = analyse_faces(
            &[(frame, face)],
            &SkinOptions {
                correction: Some(&correction),
                ..SkinOptions::default()
            },
        );
        if let Ok(a) = &before {
            report.answered.0 += 1;
            sum_before += delta_e_2000(a.skin, *truth);
            report.monk_exact.0 += usize::from(a.monk == want);
            report.monk_within_one.0 += usize::from(a.monk.abs_diff(want) <= 1);
        }
        match &after {
            Ok(a) => {
                let de = delta_e_2000(a.skin, *truth);
                report.answered.1 += 1;
                sum_after += de;
                report.monk_exact.1 += usize::from(a.monk == want);
                report.monk_within_one.1 += usize::from(a.monk.abs_diff(want) <= 1);
                report.per_face.push(Some((de, a.monk, a.confidence)));
            }
            Err(_) => report.per_face.push(None),
        }
    }
    report.mean_delta_e = (
        sum_before / report.answered.0.max(1) as f32,
        sum_after / report.answered.1.max(1) as f32,
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through whole frames (chart read from the guide, faces through the face regions), the
    /// calibration brings every light's reading close to the truth (Monk 1–7 within 2 ΔE on
    /// average; the deepest tones under tungsten stay a few ΔE off); uncorrected, tungsten and
    /// fluorescent light are far off. Where a calibrated reading is still off, its confidence
    /// says so. (Numbers in docs/SKIN.md, from `cargo run -p atelier-domain --example skin-eval`.)
    #[test]
    fn rendered_faces_under_three_lights_before_and_after_calibration() {
        for light in [Light::D65, Light::A, Light::F11] {
            let r = evaluate(light, 21).unwrap();
            let msg = format!("{r:#?}");
            assert!(r.chart_residual < 3.0, "{msg}");
            assert_eq!(r.answered.1, 10, "{msg}");
            // Monk 1–7; under tungsten the deepest tones' blue channel sinks into the sensor noise.
            let light7 = r.per_face[..7].iter().flatten().map(|f| f.0).sum::<f32>() / 7.0;
            assert!(light7 < 2.0 && r.mean_delta_e.1 < 5.0, "{msg}");
            assert!(r.monk_within_one.1 == 10 && r.monk_exact.1 >= 7, "{msg}");
            for (de, _, confidence) in r.per_face.iter().flatten() {
                // Off by 3 ΔE or more: the shopper is told the reading is uncertain.
                assert!(
                    *de < 3.0
                        || super::super::ConfidenceLevel::from_score(*confidence)
                            == super::super::ConfidenceLevel::Low,
                    "{msg}"
                );
            }
            if light != Light::D65 {
                assert!(r.mean_delta_e.0 > 2.0 * r.mean_delta_e.1, "{msg}");
            }
        }
    }
}
