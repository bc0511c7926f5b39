//! Reading a ColorChecker held up to the camera in the kiosk's guide frame.
//!
//! The installer holds the chart so its 4 × 6 patches fill the guide drawn on the mirror. Each
//! patch is read from the middle half of its cell (the black borders between patches and a
//! slightly skewed hold stay out), as the per-channel median of linearised camera values, which
//! ignores a speck of glare. The chart may be held upside down, and a camera may deliver a
//! mirrored picture, so all four ways round are fitted and the one with the smallest residual
//! wins; a fit that is still poor means no chart is in the guide.

use crate::colour::linear_from_srgb_component;
use crate::frame::{PixelRect, RgbFrame};

use super::{Calibration, CalibrationError, CorrectionModel, calibrate_colorchecker};

/// The guide frame within the picture the mirror shows: centred, 70 % of the visible width (at
/// most 90 % of its height), in the patch grid's 3 : 2 aspect.
pub fn guide_rect(visible: PixelRect) -> PixelRect {
    let mut w = visible.width as f32 * 0.70;
    let mut h = w * 2.0 / 3.0;
    let max_h = visible.height as f32 * 0.90;
    if h > max_h {
        h = max_h;
        w = h * 1.5;
    }
    let x = visible.x as f32 + (visible.width as f32 - w) / 2.0;
    let y = visible.y as f32 + (visible.height as f32 - h) / 2.0;
    PixelRect {
        x: x.round() as u32,
        y: y.round() as u32,
        width: w.round() as u32,
        height: h.round() as u32,
    }
}

/// How the chart sat in the guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartOrientation {
    /// Brown "dark skin" patch top left, greys along the bottom.
    Upright,
    UpsideDown,
    /// Left and right swapped (a camera that mirrors its picture).
    Mirrored,
    MirroredUpsideDown,
}

impl ChartOrientation {
    const ALL: [ChartOrientation; 4] = [
        ChartOrientation::Upright,
        ChartOrientation::UpsideDown,
        ChartOrientation::Mirrored,
        ChartOrientation::MirroredUpsideDown,
    ];

    /// The chart patch (0–23) in grid cell (`row`, `col`).
    pub fn patch_at(self, row: usize, col: usize) -> usize {
        let (r, c) = match self {
            ChartOrientation::Upright => (row, col),
            ChartOrientation::UpsideDown => (3 - row, 5 - col),
            ChartOrientation::Mirrored => (row, 5 - col),
            ChartOrientation::MirroredUpsideDown => (3 - row, col),
        };
        r * 6 + c
    }
}

/// A calibration read from a frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChartCalibration {
    pub calibration: Calibration,
    pub orientation: ChartOrientation,
    /// Pixels read per patch (the smallest).
    pub pixels_per_patch: usize,
}

/// Why a chart could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    #[error("the guide frame is {width}×{height} px: too small to read 24 patches (needs 48×32)")]
    GuideTooSmall { width: u32, height: u32 },
    #[error(
        "no colour chart in the guide frame (best fit leaves ΔE {mean_delta_e:.1}): hold the whole chart inside it, flat and evenly lit"
    )]
    NoChart { mean_delta_e: f32 },
    #[error(transparent)]
    Fit(#[from] CalibrationError),
}

/// A fit worse than this on average is not a chart (a real camera in odd light fits under 5).
pub const MAX_CHART_DELTA_E: f32 = 8.0;

/// The 24 grid cells' linearised medians, in grid order (row by row, 6 to a row).
pub fn read_cells(frame: &RgbFrame<'_>, guide: PixelRect) -> Result<([[f64; 3]; 24], usize), ChartError> {
    let guide = guide.clipped(frame.width, frame.height);
    if guide.width < 48 || guide.height < 32 {
        return Err(ChartError::GuideTooSmall {
            width: guide.width,
            height: guide.height,
        });
    }
    let mut cells = [[0.0f64; 3]; 24];
    let mut fewest = usize::MAX;
    let mut channel: Vec<u8> = Vec::new();
    for row in 0..4 {
        for col in 0..6 {
            let (x0, y0) = (col as f32 / 6.0, row as f32 / 4.0);
            let (dx, dy) = (1.0 / 6.0, 1.0 / 4.0);
            let cell = guide.fraction(x0 + dx * 0.25, y0 + dy * 0.25, x0 + dx * 0.75, y0 + dy * 0.75);
            let px = frame.pixels_in(cell);
            fewest = fewest.min(px.len());
            for (c, out) in cells[row * 6 + col].iter_mut().enumerate() {
                channel.clear();
                channel.extend(px.iter().map(|p| p[c]));
                let mid = channel.len() / 2;
                let median = if channel.is_empty() {
                    0
                } else {
                    *channel.select_nth_unstable(mid).1
                };
                *out = linear_from_srgb_component(f64::from(median) / 255.0);
            }
        }
    }
    Ok((cells, fewest))
}

/// Reads the chart in `guide` and fits `model`, trying the four ways the chart can sit.
pub fn calibrate_from_frame(
    frame: &RgbFrame<'_>,
    guide: PixelRect,
    model: CorrectionModel,
) -> Result<ChartCalibration, ChartError> {
    let (cells, pixels_per_patch) = read_cells(frame, guide)?;
    let mut best: Option<(ChartCalibration, f32)> = None;
    let mut last_err = None;
    for orientation in ChartOrientation::ALL {
        let mut measured = [[0.0f64; 3]; 24];
        for row in 0..4 {
            for col in 0..6 {
                measured[orientation.patch_at(row, col)] = cells[row * 6 + col];
            }
        }
        match calibrate_colorchecker(&measured, model) {
            Ok(calibration) => {
                let score = calibration.report.mean_delta_e;
                if best.as_ref().is_none_or(|(_, s)| score < *s) {
                    best = Some((
                        ChartCalibration {
                            calibration,
                            orientation,
                            pixels_per_patch,
                        },
                        score,
                    ));
                }
            }
            Err(e) => last_err = Some(e),
        }
    }
    match (best, last_err) {
        (Some((c, score)), _) if score <= MAX_CHART_DELTA_E => Ok(c),
        (Some((_, score)), _) => Err(ChartError::NoChart { mean_delta_e: score }),
        (None, Some(e)) => Err(e.into()),
        (None, None) => Err(ChartError::NoChart {
            mean_delta_e: f32::INFINITY,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Camera, Light};

    fn photograph_chart(
        camera: &Camera,
        light: Light,
        guide: PixelRect,
        orientation: ChartOrientation,
    ) -> Vec<u8> {
        crate::sim::render_chart(camera, light, 1280, 720, guide, orientation, 9)
    }

    #[test]
    fn a_chart_held_in_the_guide_calibrates_under_three_lights() {
        let camera = Camera::typical();
        let visible = PixelRect::visible(1280, 720, 1080, 1920);
        let guide = guide_rect(visible);
        assert!(guide.width >= 270 && guide.height >= 180, "{guide:?}");
        for (light, orientation) in [
            (Light::D65, ChartOrientation::Upright),
            (Light::A, ChartOrientation::UpsideDown),
            (Light::F11, ChartOrientation::Mirrored),
        ] {
            let data = photograph_chart(&camera, light, guide, orientation);
            let frame = RgbFrame::new(1280, 720, &data).unwrap();
            let got = calibrate_from_frame(&frame, guide, CorrectionModel::Affine3x4).unwrap();
            assert_eq!(got.orientation, orientation, "{light:?}");
            assert!(
                got.calibration.report.mean_delta_e < 3.0,
                "{light:?}: {:?}",
                got.calibration.report
            );
            assert!(got.pixels_per_patch > 400);
        }
    }

    #[test]
    fn no_chart_or_a_tiny_guide_is_refused_with_a_reason() {
        let camera = Camera::typical();
        let guide = guide_rect(PixelRect::visible(1280, 720, 1080, 1920));
        let data = photograph_chart(
            &camera,
            Light::D65,
            PixelRect {
                x: 0,
                y: 0,
                width: 0,
                height: 0,
            },
            ChartOrientation::Upright,
        );
        let frame = RgbFrame::new(1280, 720, &data).unwrap();
        let err = calibrate_from_frame(&frame, guide, CorrectionModel::Affine3x4).unwrap_err();
        assert!(
            matches!(
                err,
                ChartError::NoChart { .. } | ChartError::Fit(CalibrationError::Degenerate)
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("chart") || err.to_string().contains("span"));
        let small = PixelRect {
            x: 0,
            y: 0,
            width: 30,
            height: 20,
        };
        assert!(matches!(
            calibrate_from_frame(&frame, small, CorrectionModel::Affine3x4),
            Err(ChartError::GuideTooSmall { .. })
        ));
    }
}
