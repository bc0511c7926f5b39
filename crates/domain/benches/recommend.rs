//! Benchmarks of the shopper-facing hot paths:
//! - `recommend/top10_50k_products`: ten looks from a synthetic catalog of 50 000 products
//!   (200 000 colour variants), for a rotating set of shoppers; target p95 ≤ 20 ms on the kiosk's
//!   two cores. Before criterion runs, the p50/p95 over 200 varied requests is printed to stderr.
//! - `skin/720p`: skin analysis of a 1280×720 sample set (target ≤ 50 ms), subsampled as shipped and
//!   with every pixel; `skin/face_6_frames_960`: the kiosk's own path after consent (six 960×540
//!   stills, face regions cut and pooled).
//!
//! Run: `CARGO_TARGET_DIR=/work/target-domain nice -n 10 cargo bench -p atelier-domain --bench recommend`

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use atelier_domain::calibration::ColourCorrection;
use atelier_domain::catalog::{Gender, Season};
use atelier_domain::colour::{Lab, srgb_from_lab};
use atelier_domain::frame::{PixelRect, RgbFrame};
use atelier_domain::palette::{Contrast, Depth, Undertone, palette_for};
use atelier_domain::recommend::{
    ColourRelation, Feedback, FeedbackKind, LearnedWeights, Recommender, Request, SizeKind, synthetic,
};
use atelier_domain::rng::XorShift64;
use atelier_domain::sim::{Camera, Light, render_face};
use atelier_domain::skin::face::analyse_faces;
use atelier_domain::skin::{SkinOptions, analyse_skin};
use criterion::{Criterion, criterion_group, criterion_main};

fn shoppers() -> Vec<Request> {
    let palettes = [
        palette_for(
            Lab {
                l: 70.0,
                a: 9.0,
                b: 20.0,
            },
            Undertone::Warm,
            Depth::Light,
            Contrast::Medium,
        ),
        palette_for(
            Lab {
                l: 40.0,
                a: 12.0,
                b: 14.0,
            },
            Undertone::Cool,
            Depth::Deep,
            Contrast::High,
        ),
    ];
    let mut out = Vec::new();
    let mut rng = XorShift64::new(99);
    for i in 0..16 {
        let size = synthetic::CLOTHING_SIZES[rng.below(5)].to_owned();
        let shoe = synthetic::SHOE_SIZES[rng.below(10)].to_owned();
        out.push(Request {
            sizes: BTreeMap::from([
                (SizeKind::Tops, vec![size.clone()]),
                (SizeKind::Bottoms, vec![size.clone()]),
                (SizeKind::FullBody, vec![size]),
                (SizeKind::Shoes, vec![shoe]),
            ]),
            occasion: Some(synthetic::OCCASIONS[i % synthetic::OCCASIONS.len()].to_owned()),
            style: (i % 2 == 0).then(|| synthetic::STYLES[i % synthetic::STYLES.len()].to_owned()),
            season: (i % 3 == 0).then_some(Season::Autumn),
            budget_minor: (i % 4 != 3).then_some(300_000 + 50_000 * i as u64),
            palette: (i % 2 == 1).then(|| palettes[i % 2].clone()),
            gender: Some(if i % 3 == 2 { Gender::Men } else { Gender::Women }),
            count: 10,
            ..Request::default()
        });
    }
    out
}

fn learned() -> LearnedWeights {
    // A few thousand past events, so pair lookups are part of the cost.
    let mut w = LearnedWeights::default();
    let mut rng = XorShift64::new(5);
    let products: Vec<String> = synthetic::catalog(50_000, 1, 7)
        .into_iter()
        .map(|c| c.product_sku)
        .collect();
    for _ in 0..5000 {
        let look: Vec<String> = (0..3)
            .map(|_| products[rng.below(products.len())].clone())
            .collect();
        w.update(&Feedback {
            kind: FeedbackKind::Opened,
            occasion: Some("work".into()),
            products: look,
            relation: ColourRelation::NeutralAnchor,
        });
    }
    w
}

fn bench_recommend(c: &mut Criterion) {
    let started = Instant::now();
    let rec = match Recommender::new(synthetic::catalog(50_000, 4, 7)) {
        Ok(r) => r,
        Err(e) => panic!("index: {e}"),
    };
    eprintln!("indexed {} variants in {:?}", rec.len(), started.elapsed());
    let learned = learned();
    let shoppers = shoppers();

    let mut times: Vec<f64> = Vec::new();
    let mut looks = 0usize;
    for i in 0..200 {
        let t = Instant::now();
        let out = rec.recommend(black_box(&shoppers[i % shoppers.len()]), &learned);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        looks += out.looks.len();
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "recommend top-10 over {} variants: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({:.1} looks per request)",
        rec.len(),
        times[100],
        times[190],
        times[199],
        looks as f64 / 200.0
    );

    let mut i = 0;
    c.bench_function("recommend/top10_50k_products", |b| {
        b.iter(|| {
            i += 1;
            black_box(rec.recommend(&shoppers[i % shoppers.len()], &learned))
        })
    });
}

fn frame_720p() -> Vec<[u8; 3]> {
    let mut rng = XorShift64::new(3);
    (0..1280 * 720)
        .map(|_| {
            let r = rng.next_f64();
            let lab = if r < 0.75 {
                Lab {
                    l: 62.0 + 4.0 * rng.gaussian() as f32,
                    a: 11.0 + rng.gaussian() as f32,
                    b: 20.0 + rng.gaussian() as f32,
                }
            } else if r < 0.9 {
                Lab {
                    l: 15.0,
                    a: 2.0,
                    b: 3.0,
                }
            } else {
                Lab {
                    l: 70.0,
                    a: -2.0,
                    b: -15.0,
                }
            };
            srgb_from_lab(lab)
        })
        .collect()
}

fn bench_skin(c: &mut Criterion) {
    let pixels = frame_720p();
    let correction = ColourCorrection {
        matrix: [[1.1, -0.05, -0.05], [-0.03, 1.05, -0.02], [0.0, -0.1, 1.1]],
        offset: [0.0; 3],
    };
    let shipped = SkinOptions {
        correction: Some(&correction),
        ..SkinOptions::default()
    };
    let every = SkinOptions {
        max_samples: usize::MAX,
        ..shipped
    };
    c.bench_function("skin/720p", |b| {
        b.iter(|| black_box(analyse_skin(black_box(&pixels), &shipped)))
    });
    c.bench_function("skin/720p_every_pixel", |b| {
        b.iter(|| black_box(analyse_skin(black_box(&pixels), &every)))
    });
    // What the kiosk runs after consent: six 960×540 stills (the sampler's size) of a face,
    // regions cut from each face box, pooled, calibrated.
    let camera = Camera::typical();
    let face = PixelRect {
        x: 400,
        y: 150,
        width: 160,
        height: 160,
    };
    let skin = Lab {
        l: 58.0,
        a: 12.0,
        b: 20.0,
    };
    let stills: Vec<Vec<u8>> = (0..6)
        .map(|seed| render_face(&camera, Light::D65, skin, 960, 540, face, seed))
        .collect();
    c.bench_function("skin/face_6_frames_960", |b| {
        b.iter(|| {
            let views: Vec<(RgbFrame<'_>, PixelRect)> = stills
                .iter()
                .filter_map(|d| RgbFrame::new(960, 540, d).ok().map(|f| (f, face)))
                .collect();
            black_box(analyse_faces(black_box(&views), &shipped))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench_recommend, bench_skin
}
criterion_main!(benches);
