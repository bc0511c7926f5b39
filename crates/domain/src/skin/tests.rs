use super::*;
use crate::calibration::{CorrectionModel, calibrate_colorchecker, colorchecker_xyz_d65};
use crate::colour::xyz_from_lab;
use crate::rng::XorShift64;
use crate::sim::{Camera, Light};

fn lab(l: f32, a: f32, b: f32) -> Lab {
    Lab { l, a, b }
}

/// A face crop of `n` pixels whose skin has the colour `truth`: 70 % textured skin, 8 % specular
/// highlights, 8 % shadow, 8 % near-black hair, 6 % blue-grey background, photographed by `camera`.
fn face(truth: Lab, camera: &Camera, light: Light, n: usize, seed: u64) -> Vec<[u8; 3]> {
    let mut rng = XorShift64::new(seed);
    (0..n)
        .map(|_| {
            let r = rng.next_f64();
            let g = |rng: &mut XorShift64, sd: f64| (rng.gaussian() * sd) as f32;
            let surface = if r < 0.70 {
                lab(
                    truth.l + g(&mut rng, 3.0),
                    truth.a + g(&mut rng, 1.0),
                    truth.b + g(&mut rng, 1.0),
                )
            } else if r < 0.78 {
                lab((truth.l + 20.0).min(100.0), truth.a * 0.4, truth.b * 0.4)
            } else if r < 0.86 {
                lab(truth.l * 0.55, truth.a * 0.8, truth.b * 0.8)
            } else if r < 0.94 {
                lab(8.0, 1.0, 1.0)
            } else {
                lab(65.0, -2.0, -12.0)
            };
            camera.pixel(xyz_from_lab(surface), light, &mut rng)
        })
        .collect()
}

fn calibrate(camera: &Camera, light: Light, seed: u64) -> ColourCorrection {
    let mut rng = XorShift64::new(seed);
    let chart = colorchecker_xyz_d65().map(|x| camera.patch_mean_linear(x, light, &mut rng));
    calibrate_colorchecker(&chart, CorrectionModel::Affine3x4)
        .map(|c| c.correction)
        .unwrap_or(ColourCorrection::IDENTITY)
}

#[test]
fn every_monk_swatch_passes_the_skin_rule_and_maps_to_itself() {
    for (i, m) in monk_swatches_lab().iter().enumerate() {
        assert!(looks_like_skin(*m), "MST {}: {m:?}", i + 1);
        assert_eq!(nearest_monk(*m).0, i as u8 + 1);
        assert_eq!(nearest_monk(*m).1, 0.0);
    }
    for not_skin in [
        lab(60.0, 0.0, -20.0),
        lab(50.0, -30.0, 20.0),
        lab(50.0, 0.0, 0.0),
        lab(80.0, -1.0, 1.0),
        lab(99.0, 0.0, 2.0),
        lab(5.0, 1.0, 1.0),
        lab(40.0, 30.0, -20.0),
        lab(25.0, 5.0, -15.0),
    ] {
        assert!(!looks_like_skin(not_skin), "{not_skin:?}");
    }
}

#[test]
fn undertone_and_contrast_thresholds() {
    assert_eq!(undertone_of(lab(60.0, 15.0, 12.0)), Undertone::Cool); // h ≈ 39°
    assert_eq!(undertone_of(lab(60.0, 10.0, 17.0)), Undertone::Neutral); // h ≈ 60°
    assert_eq!(undertone_of(lab(60.0, 5.0, 20.0)), Undertone::Warm); // h ≈ 76°
    assert_eq!(undertone_of(lab(90.0, 3.0, 2.0)), Undertone::Neutral); // too little chroma to say
    assert_eq!(contrast_of(70.0, None), Contrast::Medium);
    assert_eq!(contrast_of(70.0, Some(55.0)), Contrast::Low);
    assert_eq!(contrast_of(70.0, Some(30.0)), Contrast::Medium);
    assert_eq!(contrast_of(80.0, Some(15.0)), Contrast::High);
}

#[test]
fn refuses_empty_input_no_skin_and_broken_corrections() {
    let options = SkinOptions::default();
    assert_eq!(analyse_skin(&[], &options), Err(SkinError::NoPixels));
    let blue = vec![[40u8, 80, 200]; 1000];
    assert!(matches!(
        analyse_skin(&blue, &options),
        Err(SkinError::TooLittleSkin { found: 0, .. })
    ));
    let broken = ColourCorrection {
        offset: [f64::NAN, 0.0, 0.0],
        ..ColourCorrection::IDENTITY
    };
    let options = SkinOptions {
        correction: Some(&broken),
        ..SkinOptions::default()
    };
    assert_eq!(
        analyse_skin(&[[200, 150, 120]; 100], &options),
        Err(SkinError::BadCorrection)
    );
}

/// One face per Monk swatch: (ΔE2000 of the estimate from the truth, Monk found, confidence);
/// `None` where the analysis refused.
fn run(light: Light, calibrated: bool) -> Vec<Option<(f32, u8, f32)>> {
    let camera = Camera::typical();
    let correction = calibrate(&camera, light, 100);
    let options = SkinOptions {
        correction: calibrated.then_some(&correction),
        ..SkinOptions::default()
    };
    monk_swatches_lab()
        .iter()
        .enumerate()
        .map(|(i, truth)| {
            let pixels = face(*truth, &camera, light, 20_000, i as u64 + 1);
            let a = analyse_skin(&pixels, &options).ok()?;
            Some((delta_e_2000(a.skin, *truth), a.monk, a.confidence))
        })
        .collect()
}

/// The ten Monk swatches as faces under three lights, before and after calibration.
///
/// Measured (mean ΔE2000 over Monk 1–8, uncorrected → calibrated): D65 3.2 → 0.7,
/// A 15.1 → 1.0, F11 9.6 → 0.8. Under tungsten the two deepest tones fail even calibrated: their
/// blue channel is below this camera's noise floor, so the estimate is 12–19 ΔE off; the analysis
/// knows, and reports a confidence near zero for them.
#[test]
fn calibration_recovers_skin_tone_under_d65_a_and_f11() {
    for light in [Light::D65, Light::A, Light::F11] {
        let before = run(light, false);
        let after = run(light, true);
        let mean8 =
            |r: &[Option<(f32, u8, f32)>]| r[..8].iter().map(|x| x.map_or(30.0, |x| x.0)).sum::<f32>() / 8.0;
        let msg = format!("{light:?}: before {before:?}\nafter {after:?}");
        assert!(mean8(&after) < 2.0, "{msg}");
        let exact = after
            .iter()
            .enumerate()
            .filter(|(i, r)| r.is_some_and(|r| r.1 == *i as u8 + 1))
            .count();
        let near = after
            .iter()
            .enumerate()
            .filter(|(i, r)| r.is_some_and(|r| r.1.abs_diff(*i as u8 + 1) <= 1))
            .count();
        assert!(exact >= 8 && near == 10, "{msg}");
        // Wherever the estimate is off, the confidence says so.
        for r in after.iter().flatten() {
            assert!(r.0 < 3.0 || r.2 < 0.15, "{msg}");
        }
        // Uncorrected, confidence is capped low whatever the numbers say.
        assert!(
            before
                .iter()
                .flatten()
                .all(|r| ConfidenceLevel::from_score(r.2) == ConfidenceLevel::Low),
            "{msg}"
        );
        if light != Light::D65 {
            assert!(mean8(&before) > 6.0, "{msg}");
        }
    }
    let daylight = run(Light::D65, true);
    let medium_or_better = daylight.iter().flatten().filter(|r| r.2 >= 0.45).count();
    assert!(medium_or_better >= 6, "{daylight:?}");
}

#[test]
fn realistic_skin_gets_a_sensible_undertone_and_palette() {
    let camera = Camera::typical();
    let correction = calibrate(&camera, Light::F11, 7);
    // A golden medium skin (h ≈ 72°) and a rosy light skin (h ≈ 45°).
    for (truth, undertone) in [
        (lab(62.0, 8.0, 24.0), Undertone::Warm),
        (lab(72.0, 14.0, 14.0), Undertone::Cool),
    ] {
        let pixels = face(truth, &camera, Light::F11, 30_000, 5);
        let options = SkinOptions {
            correction: Some(&correction),
            feature_l: Some(15.0),
            ..SkinOptions::default()
        };
        let a = analyse_skin(&pixels, &options).unwrap();
        assert_eq!(a.undertone, undertone, "{a:?}");
        assert_eq!(
            a.contrast,
            if truth.l > 65.0 {
                Contrast::High
            } else {
                Contrast::Medium
            }
        );
        assert!(a.contrast_measured && a.calibrated);
        assert_eq!(a.palette.flattering.len(), 8);
        assert!(!a.palette.avoid.is_empty());
        assert!(
            a.skin_fraction > 0.6 && a.skin_fraction < 0.95,
            "{}",
            a.skin_fraction
        );
    }
}

#[test]
fn a_720p_frame_is_subsampled_deterministically() {
    let camera = Camera::typical();
    let pixels = face(lab(55.0, 10.0, 22.0), &camera, Light::D65, 1280 * 720, 11);
    let options = SkinOptions::default();
    let a = analyse_skin(&pixels, &options).unwrap();
    assert_eq!(a, analyse_skin(&pixels, &options).unwrap());
    assert!(
        a.samples_used <= 65_536 && a.samples_used > 30_000,
        "{}",
        a.samples_used
    );
    let full = analyse_skin(
        &pixels,
        &SkinOptions {
            max_samples: usize::MAX,
            ..options
        },
    )
    .unwrap();
    assert!(
        delta_e_2000(a.skin, full.skin) < 0.3,
        "{:?} vs {:?}",
        a.skin,
        full.skin
    );
}

#[test]
fn few_pixels_mean_lower_confidence() {
    let camera = Camera::typical();
    let correction = calibrate(&camera, Light::D65, 3);
    let options = SkinOptions {
        correction: Some(&correction),
        ..SkinOptions::default()
    };
    let many = analyse_skin(
        &face(lab(55.0, 10.0, 22.0), &camera, Light::D65, 20_000, 1),
        &options,
    )
    .unwrap();
    let few = analyse_skin(
        &face(lab(55.0, 10.0, 22.0), &camera, Light::D65, 300, 1),
        &options,
    )
    .unwrap();
    assert!(
        few.confidence < many.confidence / 2.0,
        "{} vs {}",
        few.confidence,
        many.confidence
    );
    assert_eq!(few.confidence_level, ConfidenceLevel::Low);
}
