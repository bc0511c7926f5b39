//! Colour science the catalog needs now: CIELAB values and the CIEDE2000 colour difference.
//! (The shopper-analysis work extends this with sRGB ↔ XYZ ↔ Lab conversions.)

use serde::{Deserialize, Serialize};

/// A CIELAB colour (D65), as measured on the garment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lab {
    pub l: f32,
    pub a: f32,
    pub b: f32,
}

impl Lab {
    /// A Lab value, if it is inside the gamut of real surface colours.
    pub fn new(l: f32, a: f32, b: f32) -> Option<Self> {
        let ok = (0.0..=100.0).contains(&l) && (-128.0..=128.0).contains(&a) && (-128.0..=128.0).contains(&b);
        ok.then_some(Self { l, a, b })
    }
}

/// D65 reference white, Y normalised to 1.
const WHITE_D65: [f64; 3] = [0.950_47, 1.0, 1.088_83];

/// XYZ (D65, Y in 0–1) from CIELAB.
pub fn xyz_from_lab(lab: Lab) -> [f64; 3] {
    let fy = (f64::from(lab.l) + 16.0) / 116.0;
    let fx = fy + f64::from(lab.a) / 500.0;
    let fz = fy - f64::from(lab.b) / 200.0;
    let inv = |t: f64| {
        if t > 6.0 / 29.0 {
            t * t * t
        } else {
            3.0 * (6.0f64 / 29.0).powi(2) * (t - 4.0 / 29.0)
        }
    };
    [
        WHITE_D65[0] * inv(fx),
        WHITE_D65[1] * inv(fy),
        WHITE_D65[2] * inv(fz),
    ]
}

/// 8-bit sRGB from CIELAB, clipped to the sRGB gamut.
pub fn srgb_from_lab(lab: Lab) -> [u8; 3] {
    let [x, y, z] = xyz_from_lab(lab);
    let linear = [
        3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z,
        -0.969_266 * x + 1.876_010_8 * y + 0.041_556 * z,
        0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z,
    ];
    linear.map(|c| {
        let c = c.clamp(0.0, 1.0);
        let v = if c <= 0.003_130_8 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        };
        (v * 255.0).round() as u8
    })
}

/// CIEDE2000 colour difference (Sharma, Wu, Dalal 2005), with kL = kC = kH = 1.
pub fn delta_e_2000(x: Lab, y: Lab) -> f32 {
    use std::f64::consts::PI;
    let (l1, a1, b1) = (f64::from(x.l), f64::from(x.a), f64::from(x.b));
    let (l2, a2, b2) = (f64::from(y.l), f64::from(y.a), f64::from(y.b));
    let deg = |r: f64| r * 180.0 / PI;
    let rad = |d: f64| d * PI / 180.0;

    let c1 = a1.hypot(b1);
    let c2 = a2.hypot(b2);
    let c_bar = (c1 + c2) / 2.0;
    let c7 = c_bar.powi(7);
    let g = 0.5 * (1.0 - (c7 / (c7 + 25f64.powi(7))).sqrt());
    let a1p = (1.0 + g) * a1;
    let a2p = (1.0 + g) * a2;
    let c1p = a1p.hypot(b1);
    let c2p = a2p.hypot(b2);
    let hue = |b: f64, ap: f64| {
        if b == 0.0 && ap == 0.0 {
            0.0
        } else {
            deg(b.atan2(ap)).rem_euclid(360.0)
        }
    };
    let h1p = hue(b1, a1p);
    let h2p = hue(b2, a2p);

    let dlp = l2 - l1;
    let dcp = c2p - c1p;
    let dhp = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p - h1p > 180.0 {
        h2p - h1p - 360.0
    } else {
        h2p - h1p + 360.0
    };
    let d_hp = 2.0 * (c1p * c2p).sqrt() * rad(dhp / 2.0).sin();

    let lp_bar = (l1 + l2) / 2.0;
    let cp_bar = (c1p + c2p) / 2.0;
    let hp_bar = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let t = 1.0 - 0.17 * rad(hp_bar - 30.0).cos()
        + 0.24 * rad(2.0 * hp_bar).cos()
        + 0.32 * rad(3.0 * hp_bar + 6.0).cos()
        - 0.20 * rad(4.0 * hp_bar - 63.0).cos();
    let d_theta = 30.0 * (-((hp_bar - 275.0) / 25.0).powi(2)).exp();
    let cp7 = cp_bar.powi(7);
    let r_c = 2.0 * (cp7 / (cp7 + 25f64.powi(7))).sqrt();
    let l50 = (lp_bar - 50.0).powi(2);
    let s_l = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let s_c = 1.0 + 0.045 * cp_bar;
    let s_h = 1.0 + 0.015 * cp_bar * t;
    let r_t = -rad(2.0 * d_theta).sin() * r_c;
    let (tl, tc, th) = (dlp / s_l, dcp / s_c, d_hp / s_h);
    (tl * tl + tc * tc + th * th + r_t * tc * th).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(l: f32, a: f32, b: f32) -> Lab {
        Lab { l, a, b }
    }

    /// Pairs from the test data published with Sharma, Wu & Dalal (2005).
    #[test]
    fn matches_published_ciede2000_pairs() {
        let cases = [
            (lab(50.0, 2.6772, -79.7751), lab(50.0, 0.0, -82.7485), 2.0425),
            (lab(50.0, 0.0, 0.0), lab(50.0, -1.0, 2.0), 2.3669),
            (lab(50.0, 2.5, 0.0), lab(73.0, 25.0, -18.0), 27.1492),
            (
                lab(60.2574, -34.0099, 36.2677),
                lab(60.4626, -34.1751, 39.4387),
                1.2644,
            ),
        ];
        for (x, y, want) in cases {
            let got = delta_e_2000(x, y);
            assert!((got - want).abs() < 1e-3, "{x:?} {y:?}: {got} != {want}");
            assert!((delta_e_2000(y, x) - want).abs() < 1e-3, "symmetric");
        }
        assert_eq!(delta_e_2000(lab(40.0, 10.0, -5.0), lab(40.0, 10.0, -5.0)), 0.0);
    }

    #[test]
    fn srgb_from_lab_matches_known_colours() {
        assert_eq!(srgb_from_lab(lab(100.0, 0.0, 0.0)), [255, 255, 255]);
        assert_eq!(srgb_from_lab(lab(0.0, 0.0, 0.0)), [0, 0, 0]);
        // sRGB red is Lab(53.24, 80.09, 67.20).
        let red = srgb_from_lab(lab(53.24, 80.09, 67.20));
        assert!(red[0] >= 253 && red[1] <= 2 && red[2] <= 2, "{red:?}");
    }

    #[test]
    fn lab_rejects_impossible_values() {
        assert!(Lab::new(101.0, 0.0, 0.0).is_none());
        assert!(Lab::new(f32::NAN, 0.0, 0.0).is_none());
        assert!(Lab::new(50.0, -20.0, 30.0).is_some());
    }
}
