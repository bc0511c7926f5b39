//! Camera colour calibration from a photographed ColorChecker Classic (24 patches).
//!
//! The kiosk photographs the chart in the fitting room's light, averages each patch, linearises the
//! means with the sRGB curve, and [`calibrate_colorchecker`] fits a colour-correction matrix from
//! those camera values to the chart's reference colours in linear sRGB (D65). The fit absorbs white
//! balance, exposure and the camera's channel cross-talk in one linear map; it cannot undo clipping,
//! the camera's tone curve beyond the sRGB one, or metamerism (patches that match under one light and
//! not another), so its residual ΔE is reported with it.
//!
//! Reference data: the X-Rite ColorChecker Classic values for charts made after November 2014,
//! CIELAB under D50 (2° observer) as published by X-Rite. They are converted once, consistently:
//! Lab D50 → XYZ D50 → Bradford D50→D65 → XYZ D65 → linear sRGB / Lab D65.

pub mod chart;

use serde::{Deserialize, Serialize};

use crate::colour::{
    Lab, WHITE_D50, WHITE_D65, adapt_xyz, delta_e_2000, lab_from_linear_rgb, lab_from_xyz,
    linear_from_srgb_component, linear_rgb_from_xyz, xyz_from_lab_with_white,
};

/// One ColorChecker patch: its name and its published CIELAB value under D50.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorCheckerPatch {
    pub name: &'static str,
    pub lab_d50: [f32; 3],
}

const fn patch(name: &'static str, l: f32, a: f32, b: f32) -> ColorCheckerPatch {
    ColorCheckerPatch {
        name,
        lab_d50: [l, a, b],
    }
}

/// The 24 patches in chart order (dark skin first, black last): X-Rite, post-November-2014, Lab D50.
pub const COLORCHECKER_24: [ColorCheckerPatch; 24] = [
    patch("dark skin", 37.54, 14.37, 14.92),
    patch("light skin", 64.66, 19.27, 17.50),
    patch("blue sky", 49.32, -3.82, -22.54),
    patch("foliage", 43.46, -12.74, 22.72),
    patch("blue flower", 54.94, 9.61, -24.79),
    patch("bluish green", 70.48, -32.26, -0.37),
    patch("orange", 62.73, 35.83, 56.50),
    patch("purplish blue", 39.43, 10.75, -45.17),
    patch("moderate red", 50.57, 48.64, 16.67),
    patch("purple", 30.10, 22.54, -20.87),
    patch("yellow green", 71.77, -24.13, 58.19),
    patch("orange yellow", 71.51, 18.24, 67.37),
    patch("blue", 28.37, 15.42, -49.80),
    patch("green", 54.38, -39.72, 32.27),
    patch("red", 42.43, 51.05, 28.62),
    patch("yellow", 81.80, 2.67, 80.41),
    patch("magenta", 50.63, 51.28, -14.12),
    patch("cyan", 49.57, -29.71, -28.32),
    patch("white 9.5", 95.19, -1.03, 2.93),
    patch("neutral 8", 81.29, -0.57, 0.44),
    patch("neutral 6.5", 66.89, -0.75, -0.06),
    patch("neutral 5", 50.76, -0.13, 0.14),
    patch("neutral 3.5", 35.63, -0.46, -0.48),
    patch("black 2", 20.64, 0.07, -0.46),
];

/// The reference patches as XYZ under D65 (Bradford-adapted from D50).
pub fn colorchecker_xyz_d65() -> [[f64; 3]; 24] {
    COLORCHECKER_24.map(|p| {
        let [l, a, b] = p.lab_d50;
        let xyz_d50 = xyz_from_lab_with_white(Lab { l, a, b }, WHITE_D50);
        adapt_xyz(xyz_d50, WHITE_D50, WHITE_D65)
    })
}

/// The reference patches as CIELAB relative to D65.
pub fn colorchecker_lab_d65() -> [Lab; 24] {
    colorchecker_xyz_d65().map(lab_from_xyz)
}

/// The reference patches in linear sRGB (D65); the cyan patch lies slightly outside sRGB.
pub fn colorchecker_linear_rgb() -> [[f64; 3]; 24] {
    colorchecker_xyz_d65().map(linear_rgb_from_xyz)
}

/// Which correction to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionModel {
    /// A 3×3 matrix: 9 unknowns; zero stays zero.
    Matrix3x3,
    /// A 3×3 matrix plus an offset (3×4): also absorbs a black level or flare.
    Affine3x4,
}

/// A colour correction from linearised camera RGB to linear sRGB (D65):
/// `out = matrix · rgb + offset`. Stored with a hardware profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColourCorrection {
    /// Row-major: `out[i] = Σ_j matrix[i][j] · in[j] + offset[i]`.
    pub matrix: [[f64; 3]; 3],
    pub offset: [f64; 3],
}

impl ColourCorrection {
    /// The correction that changes nothing (camera output taken as sRGB).
    pub const IDENTITY: ColourCorrection = ColourCorrection {
        matrix: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        offset: [0.0; 3],
    };

    /// Linear sRGB (D65) from linearised camera RGB.
    pub fn apply(&self, camera_linear: [f64; 3]) -> [f64; 3] {
        let m = &self.matrix;
        let v = camera_linear;
        [0, 1, 2].map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2] + self.offset[i])
    }

    /// CIELAB (D65) of an 8-bit camera pixel: linearised with the sRGB curve, then corrected.
    pub fn lab_from_camera_srgb8(&self, px: [u8; 3]) -> Lab {
        let lin = px.map(|v| linear_from_srgb_component(f64::from(v) / 255.0));
        lab_from_linear_rgb(self.apply(lin))
    }

    /// Whether every coefficient is a finite number (a profile read from disk may not be).
    pub fn is_finite(&self) -> bool {
        self.matrix
            .iter()
            .flatten()
            .chain(&self.offset)
            .all(|v| v.is_finite())
    }
}

/// How well a correction reproduces the chart: CIEDE2000 per patch, mean and max.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    pub mean_delta_e: f32,
    pub max_delta_e: f32,
    /// Index into [`COLORCHECKER_24`] of the worst patch.
    pub worst_patch: usize,
    pub per_patch_delta_e: Vec<f32>,
}

/// A fitted correction and its residual on the chart it was fitted to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub model: CorrectionModel,
    pub correction: ColourCorrection,
    pub report: CalibrationReport,
}

/// Why a correction could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("{measured} measured patches but {reference} reference colours")]
    LengthMismatch { measured: usize, reference: usize },
    #[error("{got} patches are too few to fit this model: it needs at least {needed}")]
    TooFewPatches { got: usize, needed: usize },
    #[error("patch {index} is not a finite, non-negative measurement")]
    BadMeasurement { index: usize },
    #[error("the measurements do not span three colour dimensions (chart covered, or all one colour?)")]
    Degenerate,
}

/// Fits `model` from 24 linearised camera patch means (chart order) to the ColorChecker
/// references, and reports the residual ΔE2000 on the chart.
pub fn calibrate_colorchecker(
    measured_linear: &[[f64; 3]; 24],
    model: CorrectionModel,
) -> Result<Calibration, CalibrationError> {
    let reference = colorchecker_linear_rgb();
    let correction = fit_correction(measured_linear, &reference, model)?;
    let report = residual_report(&correction, measured_linear, &colorchecker_lab_d65());
    Ok(Calibration {
        model,
        correction,
        report,
    })
}

/// The residual ΔE2000 of `correction` on measured patches against their reference Lab values.
/// Both slices are in the same order; extra entries in the longer one are ignored.
pub fn residual_report(
    correction: &ColourCorrection,
    measured_linear: &[[f64; 3]],
    reference_lab: &[Lab],
) -> CalibrationReport {
    let per_patch: Vec<f32> = measured_linear
        .iter()
        .zip(reference_lab)
        .map(|(m, r)| delta_e_2000(lab_from_linear_rgb(correction.apply(*m)), *r))
        .collect();
    let (mut worst, mut max) = (0, 0.0f32);
    for (i, d) in per_patch.iter().enumerate() {
        if *d > max {
            (worst, max) = (i, *d);
        }
    }
    let mean = if per_patch.is_empty() {
        0.0
    } else {
        per_patch.iter().sum::<f32>() / per_patch.len() as f32
    };
    CalibrationReport {
        mean_delta_e: mean,
        max_delta_e: max,
        worst_patch: worst,
        per_patch_delta_e: per_patch,
    }
}

/// Weighted least-squares fit of `reference ≈ correction(measured)`, channel by channel.
///
/// Each patch is weighted by `1 / (Y + 0.05)^(4/3)` of its reference luminance: L* grows like the
/// cube root of Y, so an error in linear RGB costs more ΔE on a dark patch than on a light one, and
/// without the weight the fit would sacrifice the dark patches (and dark skin) for the white ones.
#[allow(
    clippy::needless_range_loop,
    reason = "matrix code reads clearer with indices"
)]
pub fn fit_correction(
    measured_linear: &[[f64; 3]],
    reference_linear: &[[f64; 3]],
    model: CorrectionModel,
) -> Result<ColourCorrection, CalibrationError> {
    if measured_linear.len() != reference_linear.len() {
        return Err(CalibrationError::LengthMismatch {
            measured: measured_linear.len(),
            reference: reference_linear.len(),
        });
    }
    let unknowns = match model {
        CorrectionModel::Matrix3x3 => 3,
        CorrectionModel::Affine3x4 => 4,
    };
    // Twice the unknowns per channel: fewer and a noisy patch decides the matrix alone.
    let needed = 2 * unknowns;
    if measured_linear.len() < needed {
        return Err(CalibrationError::TooFewPatches {
            got: measured_linear.len(),
            needed,
        });
    }
    for (index, m) in measured_linear.iter().enumerate() {
        if m.iter().any(|v| !v.is_finite() || *v < -0.05) {
            return Err(CalibrationError::BadMeasurement { index });
        }
    }
    // Normal equations AᵀWA x = AᵀW y, one right-hand side per output channel.
    let mut ata = [[0.0f64; 4]; 4];
    let mut aty = [[0.0f64; 3]; 4];
    for (m, r) in measured_linear.iter().zip(reference_linear) {
        let y_lum = 0.212_672_9 * r[0] + 0.715_152_2 * r[1] + 0.072_175 * r[2];
        let w = 1.0 / (y_lum.max(0.0) + 0.05).powf(4.0 / 3.0);
        let row = [m[0], m[1], m[2], 1.0];
        for i in 0..unknowns {
            for j in 0..unknowns {
                ata[i][j] += w * row[i] * row[j];
            }
            for c in 0..3 {
                aty[i][c] += w * row[i] * r[c];
            }
        }
    }
    let solution = solve(ata, aty, unknowns).ok_or(CalibrationError::Degenerate)?;
    let mut correction = ColourCorrection {
        matrix: [[0.0; 3]; 3],
        offset: [0.0; 3],
    };
    for c in 0..3 {
        for j in 0..3 {
            correction.matrix[c][j] = solution[j][c];
        }
        if unknowns == 4 {
            correction.offset[c] = solution[3][c];
        }
    }
    if correction.is_finite() {
        Ok(correction)
    } else {
        Err(CalibrationError::Degenerate)
    }
}

/// Solves `a · x = b` for the leading `n`×`n` block by Gaussian elimination with partial pivoting.
#[allow(
    clippy::needless_range_loop,
    reason = "matrix code reads clearer with indices"
)]
fn solve(mut a: [[f64; 4]; 4], mut b: [[f64; 3]; 4], n: usize) -> Option<[[f64; 3]; 4]> {
    let scale = (0..n).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if scale <= 0.0 || !scale.is_finite() {
        return None;
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() <= 1e-10 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            for c in 0..3 {
                b[row][c] -= f * b[col][c];
            }
        }
    }
    let mut x = [[0.0f64; 3]; 4];
    for row in (0..n).rev() {
        for c in 0..3 {
            let tail: f64 = (row + 1..n).map(|k| a[row][k] * x[k][c]).sum();
            x[row][c] = (b[row][c] - tail) / a[row][row];
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::{lab_from_srgb8, srgb8_from_linear_rgb};
    use crate::sim::{Camera, Light};

    /// Renders the chart through `camera` under `light`, as linearised patch means.
    fn photograph(camera: &Camera, light: Light, seed: u64) -> [[f64; 3]; 24] {
        let mut rng = crate::rng::XorShift64::new(seed);
        let xyz = colorchecker_xyz_d65();
        xyz.map(|x| camera.patch_mean_linear(x, light, &mut rng))
    }

    fn mean_uncorrected_delta_e(measured: &[[f64; 3]; 24]) -> f32 {
        let reference = colorchecker_lab_d65();
        measured
            .iter()
            .zip(reference)
            .map(|(p, r)| delta_e_2000(lab_from_linear_rgb(*p), r))
            .sum::<f32>()
            / 24.0
    }

    #[test]
    fn reference_conversion_matches_published_srgb_of_the_chart() {
        // X-Rite's own sRGB values for a few patches (post-2014 chart): within a code value or two.
        let rgb = colorchecker_linear_rgb();
        let cases = [(0, [115, 82, 68]), (21, [122, 122, 121]), (14, [175, 54, 60])];
        for (i, want) in cases {
            let got = srgb8_from_linear_rgb(rgb[i]);
            for c in 0..3 {
                assert!(
                    (i32::from(got[c]) - want[c]).abs() <= 3,
                    "{}: {got:?} vs {want:?}",
                    COLORCHECKER_24[i].name
                );
            }
        }
        // The neutral ramp stays neutral after adaptation to D65.
        for lab in &colorchecker_lab_d65()[18..] {
            assert!(lab.a.abs() < 1.5 && lab.b.abs() < 3.5, "{lab:?}");
        }
    }

    #[test]
    fn recovers_an_exact_matrix_from_noiseless_data() {
        let m = [[0.8, 0.15, 0.05], [0.1, 0.85, 0.05], [0.05, 0.2, 0.75]];
        let truth = ColourCorrection {
            matrix: crate::colour::mat3_inverse(&m).unwrap_or([[0.0; 3]; 3]),
            offset: [0.0; 3],
        };
        let reference = colorchecker_linear_rgb();
        let measured: Vec<[f64; 3]> = reference
            .iter()
            .map(|r| crate::colour::mat3_mul_vec(&m, *r))
            .collect();
        for model in [CorrectionModel::Matrix3x3, CorrectionModel::Affine3x4] {
            let fit = fit_correction(&measured, &reference, model).unwrap();
            for i in 0..3 {
                for j in 0..3 {
                    assert!((fit.matrix[i][j] - truth.matrix[i][j]).abs() < 1e-9, "{fit:?}");
                }
                assert!(fit.offset[i].abs() < 1e-9);
            }
        }
    }

    /// Under D65, A (tungsten) and F11 (tri-band fluorescent) the chart seen uncorrected is far off;
    /// the fitted correction brings the mean ΔE2000 below 3. Measured with this camera model:
    /// uncorrected 4.8 / 19.2 / 12.5; 3×3 0.46 / 1.67 / 0.71; 3×4 0.37 / 1.11 / 0.42.
    #[test]
    fn fitted_matrix_corrects_the_chart_under_three_lights() {
        let camera = Camera::typical();
        for (light, seed, min_before) in [(Light::D65, 1, 2.0), (Light::A, 2, 10.0), (Light::F11, 3, 4.0)] {
            let px = photograph(&camera, light, seed);
            let before = mean_uncorrected_delta_e(&px);
            assert!(before > min_before, "{light:?}: uncorrected mean ΔE {before}");
            for model in [CorrectionModel::Matrix3x3, CorrectionModel::Affine3x4] {
                let cal = calibrate_colorchecker(&px, model).unwrap();
                let r = &cal.report;
                assert!(
                    r.mean_delta_e < 3.0,
                    "{light:?} {model:?}: mean ΔE {} (before {before})",
                    r.mean_delta_e
                );
                // Clipped sensor noise lifts the black level in dim channels (blue under tungsten):
                // only the affine model can absorb that, so the 3×3 model's worst patch is looser.
                let max_bound = if model == CorrectionModel::Affine3x4 {
                    7.0
                } else {
                    12.0
                };
                assert!(
                    r.max_delta_e < max_bound,
                    "{light:?} {model:?}: worst {} at {}",
                    r.max_delta_e,
                    COLORCHECKER_24[r.worst_patch].name
                );
                assert_eq!(r.per_patch_delta_e.len(), 24);
            }
        }
    }

    #[test]
    fn a_calibration_survives_json() {
        let px = photograph(&Camera::typical(), Light::A, 9);
        let cal = calibrate_colorchecker(&px, CorrectionModel::Affine3x4).unwrap();
        let json = serde_json::to_string(&cal).unwrap();
        let back: Calibration = serde_json::from_str(&json).unwrap();
        // JSON keeps each coefficient to within an ulp or so.
        for (b, c) in back
            .correction
            .matrix
            .iter()
            .flatten()
            .zip(cal.correction.matrix.iter().flatten())
        {
            assert!((b - c).abs() < 1e-12);
        }
        assert_eq!((back.model, &back.report), (cal.model, &cal.report));
        assert!(json.contains("\"affine3x4\""), "{json}");
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        let reference = colorchecker_linear_rgb();
        assert_eq!(
            fit_correction(&reference[..5], &reference[..5], CorrectionModel::Matrix3x3),
            Err(CalibrationError::TooFewPatches { got: 5, needed: 6 })
        );
        assert!(matches!(
            fit_correction(&reference[..6], &reference[..7], CorrectionModel::Matrix3x3),
            Err(CalibrationError::LengthMismatch { .. })
        ));
        let mut nan = reference;
        nan[4][1] = f64::NAN;
        assert_eq!(
            fit_correction(&nan, &reference, CorrectionModel::Matrix3x3),
            Err(CalibrationError::BadMeasurement { index: 4 })
        );
        let flat = [[0.3, 0.3, 0.3]; 24];
        assert_eq!(
            fit_correction(&flat, &reference, CorrectionModel::Matrix3x3),
            Err(CalibrationError::Degenerate)
        );
        assert!(
            !ColourCorrection {
                offset: [f64::INFINITY, 0.0, 0.0],
                ..ColourCorrection::IDENTITY
            }
            .is_finite()
        );
    }

    #[test]
    fn identity_is_plain_srgb() {
        let px = [200, 120, 40];
        assert_eq!(
            ColourCorrection::IDENTITY.lab_from_camera_srgb8(px),
            lab_from_srgb8(px)
        );
    }
}
