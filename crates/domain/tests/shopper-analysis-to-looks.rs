//! The whole pure pipeline through the public API: a tinted camera photographs the chart and a
//! face, the chart calibrates the camera, the face gives a skin tone and a palette, and the palette
//! steers the looks recommended.

use std::collections::BTreeMap;

use atelier_domain::calibration::{CorrectionModel, calibrate_colorchecker, colorchecker_linear_rgb};
use atelier_domain::colour::{Lab, delta_e_2000, linear_rgb_from_lab, mat3_mul_vec, srgb8_from_linear_rgb};
use atelier_domain::recommend::{LearnedWeights, Recommender, Request, SizeKind, synthetic};
use atelier_domain::rng::XorShift64;
use atelier_domain::skin::{ConfidenceLevel, SkinOptions, analyse_skin};

/// A warm-lit camera: red up, blue down, some cross-talk.
const TINT: [[f64; 3]; 3] = [[0.95, 0.08, 0.0], [0.05, 0.78, 0.02], [0.0, 0.05, 0.45]];

fn camera(linear_srgb: [f64; 3]) -> [f64; 3] {
    mat3_mul_vec(&TINT, linear_srgb)
}

#[test]
fn a_calibrated_face_steers_the_looks() {
    let chart: Vec<[f64; 3]> = colorchecker_linear_rgb()
        .iter()
        .map(|p| camera(*p).map(|v| v.max(0.0)))
        .collect();
    let chart: [[f64; 3]; 24] = std::array::from_fn(|i| chart[i]);
    let calibration = calibrate_colorchecker(&chart, CorrectionModel::Matrix3x3).expect("chart fits");
    assert!(calibration.report.mean_delta_e < 1.0, "{:?}", calibration.report);

    let truth = Lab {
        l: 62.0,
        a: 9.0,
        b: 24.0,
    };
    let mut rng = XorShift64::new(4);
    let face: Vec<[u8; 3]> = (0..40_000)
        .map(|_| {
            let lab = Lab {
                l: truth.l + 3.0 * rng.gaussian() as f32,
                a: truth.a + rng.gaussian() as f32,
                b: truth.b + rng.gaussian() as f32,
            };
            srgb8_from_linear_rgb(camera(linear_rgb_from_lab(lab)))
        })
        .collect();

    let uncorrected = analyse_skin(&face, &SkinOptions::default()).expect("skin found");
    assert_eq!(uncorrected.confidence_level, ConfidenceLevel::Low);
    let options = SkinOptions {
        correction: Some(&calibration.correction),
        feature_l: Some(20.0),
        ..SkinOptions::default()
    };
    let skin = analyse_skin(&face, &options).expect("skin found");
    assert!(delta_e_2000(skin.skin, truth) < 1.5, "{:?}", skin.skin);
    assert!(
        delta_e_2000(uncorrected.skin, truth) > 5.0,
        "{:?}",
        uncorrected.skin
    );
    assert_eq!(skin.monk, 6);
    assert_ne!(skin.confidence_level, ConfidenceLevel::Low);

    let recommender = Recommender::new(synthetic::catalog(2000, 4, 8)).expect("catalog indexes");
    let request = Request {
        sizes: BTreeMap::from([
            (SizeKind::Tops, vec!["S".to_owned()]),
            (SizeKind::Shoes, vec!["37".to_owned()]),
        ]),
        occasion: Some("date".to_owned()),
        palette: Some(skin.palette.clone()),
        ..Request::default()
    };
    let looks = recommender.recommend(&request, &LearnedWeights::default()).looks;
    assert_eq!(looks.len(), 10);
    let mean_palette = looks.iter().map(|l| l.score.palette).sum::<f32>() / looks.len() as f32;
    assert!(mean_palette > 0.1, "{mean_palette}");
    let avoided: Vec<&str> = skin.palette.avoid.iter().map(|c| c.name_en.as_str()).collect();
    for look in &looks {
        // Nothing to avoid next to the face.
        assert!(
            !avoided.contains(&look.items[0].colour.name_en.as_str()),
            "{:?} {avoided:?}",
            look.items[0]
        );
    }
}
