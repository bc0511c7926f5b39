//! From face boxes to skin pixels: which parts of a detected face are skin worth measuring.
//!
//! A frontal-face detector's box (OpenCV's Haar cascade) runs from about the middle of the
//! forehead to just under the mouth, and from cheekbone to cheekbone. Inside it, fixed fractions
//! pick regions that are skin on nearly every face and nothing else:
//! - the **forehead** band above the brows (x 0.30–0.70, y 0.04–0.20),
//! - the two **cheeks** below the eyes, beside the nose (x 0.17–0.37 and 0.63–0.83, y 0.52–0.72).
//!
//! Eyes, brows, the nose's shine and shadow, lips and teeth, and the hair around the box are all
//! outside them; the skin rule and the percentile trimming in [`super::analyse_skin`] then drop the
//! fringe, a stray highlight and the odd shadow. The **eye band** (x 0.18–0.82, y 0.20–0.46) is kept
//! apart: its darkest tenth (brows, lashes, irises) is the feature lightness the contrast level
//! compares the skin with.
//!
//! Several frames are pooled: a shopper who blinks or turns a little in one frame still gives a
//! steady answer, and more pixels make a tighter estimate.

use crate::calibration::ColourCorrection;
use crate::frame::{PixelRect, RgbFrame};

use super::{SkinAnalysis, SkinError, SkinOptions, analyse_skin};

/// Skin regions inside a face box, as fractions `(x0, y0, x1, y1)`.
pub const SKIN_REGIONS: [(f32, f32, f32, f32); 3] = [
    (0.30, 0.04, 0.70, 0.20),
    (0.17, 0.52, 0.37, 0.72),
    (0.63, 0.52, 0.83, 0.72),
];
/// The eye band, as fractions of the face box.
pub const EYE_BAND: (f32, f32, f32, f32) = (0.18, 0.20, 0.82, 0.46);

/// Faces narrower than this many pixels are too small to measure.
pub const MIN_FACE_PX: u32 = 40;

/// The pixels of one face: its skin regions and its eye band.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacePixels {
    pub skin: Vec<[u8; 3]>,
    pub features: Vec<[u8; 3]>,
}

impl FacePixels {
    /// Adds the regions of `face` in `frame`.
    pub fn add(&mut self, frame: &RgbFrame<'_>, face: PixelRect) {
        for (x0, y0, x1, y1) in SKIN_REGIONS {
            self.skin.extend(frame.pixels_in(face.fraction(x0, y0, x1, y1)));
        }
        let (x0, y0, x1, y1) = EYE_BAND;
        self.features
            .extend(frame.pixels_in(face.fraction(x0, y0, x1, y1)));
    }
}

/// Analyses the faces of one or more frames together (one face per frame: the shopper's, the
/// largest). Faces smaller than [`MIN_FACE_PX`] are left out; with none left the answer is
/// [`SkinError::NoPixels`]. The contrast level is measured from the eye bands unless `options`
/// already carries a feature lightness.
pub fn analyse_faces(
    faces: &[(RgbFrame<'_>, PixelRect)],
    options: &SkinOptions<'_>,
) -> Result<SkinAnalysis, SkinError> {
    let mut pixels = FacePixels::default();
    for (frame, face) in faces {
        if face.width >= MIN_FACE_PX && face.height >= MIN_FACE_PX {
            pixels.add(frame, *face);
        }
    }
    let feature_l = options
        .feature_l
        .or_else(|| feature_lightness(&pixels.features, options.correction));
    analyse_skin(
        &pixels.skin,
        &SkinOptions {
            feature_l,
            ..*options
        },
    )
}

/// The 10th percentile of L* in the eye band: brows, lashes and irises, not the skin around them.
fn feature_lightness(pixels: &[[u8; 3]], correction: Option<&ColourCorrection>) -> Option<f32> {
    if pixels.len() < 50 {
        return None;
    }
    let c = correction.copied().unwrap_or(ColourCorrection::IDENTITY);
    let stride = pixels.len().div_ceil(8192);
    let mut l: Vec<f32> = pixels
        .iter()
        .step_by(stride)
        .map(|p| c.lab_from_camera_srgb8(*p).l)
        .filter(|v| v.is_finite())
        .collect();
    if l.is_empty() {
        return None;
    }
    let k = ((l.len() as f32 * 0.10) as usize).min(l.len() - 1);
    let (_, v, _) = l.select_nth_unstable_by(k, f32::total_cmp);
    Some(*v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::{Lab, srgb_from_lab};
    use crate::skin::nearest_monk;

    /// A drawn face: background, hair above, skin inside the box, dark eyes and brows in the eye
    /// band, red lips under the cheeks, a white highlight on the nose.
    fn draw_face(w: u32, h: u32, face: PixelRect, skin: Lab) -> Vec<u8> {
        let skin = srgb_from_lab(skin);
        let mut data = vec![0u8; (w * h * 3) as usize];
        for y in 0..h {
            for x in 0..w {
                let fx = (x as f32 - face.x as f32) / face.width as f32;
                let fy = (y as f32 - face.y as f32) / face.height as f32;
                let inside = (0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy);
                let px: [u8; 3] = if !inside {
                    if fy < 0.0 && fy > -0.3 {
                        [60, 40, 25]
                    } else {
                        [90, 120, 200]
                    }
                } else if (0.26..0.40).contains(&fy)
                    && ((0.25..0.42).contains(&fx) || (0.58..0.75).contains(&fx))
                {
                    [25, 20, 18]
                } else if (0.75..0.88).contains(&fy) && (0.30..0.70).contains(&fx) {
                    [170, 40, 60]
                } else if (0.45..0.65).contains(&fy) && (0.45..0.55).contains(&fx) {
                    [255, 255, 255]
                } else {
                    skin
                };
                let i = ((y * w + x) * 3) as usize;
                data[i..i + 3].copy_from_slice(&px);
            }
        }
        data
    }

    #[test]
    fn the_regions_find_the_skin_and_the_eyes_give_the_contrast() {
        let truth = Lab::new(62.0, 14.0, 20.0).unwrap();
        let face = PixelRect {
            x: 200,
            y: 120,
            width: 160,
            height: 160,
        };
        let data = draw_face(640, 360, face, truth);
        let frame = RgbFrame::new(640, 360, &data).unwrap();
        let a = analyse_faces(&[(frame, face)], &SkinOptions::default()).unwrap();
        assert!(crate::colour::delta_e_2000(a.skin, truth) < 1.0, "{:?}", a.skin);
        assert_eq!(a.monk, nearest_monk(truth).0);
        assert!(a.contrast_measured);
        // Skin L* 62 against eyes ≈ L* 8: high contrast.
        assert_eq!(a.contrast, crate::palette::Contrast::High);
        // Only skin was taken: no lips, eyes, highlight or background.
        assert!(a.skin_fraction > 0.95, "{}", a.skin_fraction);
    }

    #[test]
    fn tiny_faces_and_missing_faces_give_no_answer() {
        let face = PixelRect {
            x: 10,
            y: 10,
            width: 30,
            height: 30,
        };
        let data = draw_face(64, 64, face, Lab::new(60.0, 12.0, 18.0).unwrap());
        let frame = RgbFrame::new(64, 64, &data).unwrap();
        assert_eq!(
            analyse_faces(&[(frame, face)], &SkinOptions::default()),
            Err(SkinError::NoPixels)
        );
        assert_eq!(
            analyse_faces(&[], &SkinOptions::default()),
            Err(SkinError::NoPixels)
        );
    }
}
