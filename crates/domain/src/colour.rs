//! Colour science: sRGB (8-bit and encoded) ↔ linear sRGB ↔ CIE XYZ ↔ CIELAB ↔ LCh, chromatic
//! adaptation (Bradford), and the CIEDE2000 colour difference.
//!
//! Conventions: XYZ has Y in 0–1; Lab and XYZ are relative to D65 unless a function names another
//! white; linear and encoded sRGB components are in 0–1 (values outside mean "out of gamut" and are
//! kept, not clipped, until a function says it clips). The sRGB ↔ XYZ matrices are the IEC 61966-2-1
//! primaries with the D65 white below, at the precision published by Lindbloom, so that
//! `xyz_from_linear_rgb` and `linear_rgb_from_xyz` are inverses to ~1e-7.

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

/// D65 reference white (CIE 1931 2°), Y normalised to 1.
pub const WHITE_D65: [f64; 3] = [0.950_47, 1.0, 1.088_83];
/// D50 reference white (ICC PCS), Y normalised to 1.
pub const WHITE_D50: [f64; 3] = [0.964_22, 1.0, 0.825_21];
/// CIE standard illuminant A (incandescent, 2856 K), Y normalised to 1.
pub const WHITE_A: [f64; 3] = [1.098_50, 1.0, 0.355_85];
/// CIE illuminant F11 (narrow tri-band fluorescent, 4000 K), Y normalised to 1.
pub const WHITE_F11: [f64; 3] = [1.009_62, 1.0, 0.643_50];

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
    srgb8_from_linear_rgb(linear_rgb_from_xyz(xyz_from_lab(lab)))
}

/// Linear sRGB → XYZ (D65).
const XYZ_FROM_RGB: [[f64; 3]; 3] = [
    [0.412_456_4, 0.357_576_1, 0.180_437_5],
    [0.212_672_9, 0.715_152_2, 0.072_175_0],
    [0.019_333_9, 0.119_192_0, 0.950_304_1],
];
/// XYZ (D65) → linear sRGB: the inverse of [`XYZ_FROM_RGB`].
const RGB_FROM_XYZ: [[f64; 3]; 3] = [
    [3.240_454_2, -1.537_138_5, -0.498_531_4],
    [-0.969_266_0, 1.876_010_8, 0.041_556_0],
    [0.055_643_4, -0.204_025_9, 1.057_225_2],
];

/// `m · v` for a 3×3 matrix.
pub fn mat3_mul_vec(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

/// `a · b` for 3×3 matrices.
pub fn mat3_mul(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

/// The inverse of a 3×3 matrix, or `None` if it is (numerically) singular.
pub fn mat3_inverse(m: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let c = |r0: usize, c0: usize, r1: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    let cof = [
        [c(1, 1, 2, 2), -c(1, 0, 2, 2), c(1, 0, 2, 1)],
        [-c(0, 1, 2, 2), c(0, 0, 2, 2), -c(0, 0, 2, 1)],
        [c(0, 1, 1, 2), -c(0, 0, 1, 2), c(0, 0, 1, 1)],
    ];
    let det = m[0][0] * cof[0][0] + m[0][1] * cof[0][1] + m[0][2] * cof[0][2];
    let scale = m.iter().flatten().fold(0.0f64, |acc, v| acc.max(v.abs()));
    if !det.is_finite() || det.abs() <= 1e-12 * scale.powi(3).max(f64::MIN_POSITIVE) {
        return None;
    }
    // The inverse is the transposed cofactor matrix over the determinant.
    let mut inv = [[0.0; 3]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = cof[j][i] / det;
        }
    }
    Some(inv)
}

/// Linear light from one encoded sRGB component (0–1), by the IEC 61966-2-1 curve.
pub fn linear_from_srgb_component(v: f64) -> f64 {
    if v <= 0.040_45 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// One encoded sRGB component (0–1) from linear light; negative input stays linear (mirrored).
pub fn srgb_component_from_linear(c: f64) -> f64 {
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// Linear sRGB (0–1) from an 8-bit sRGB pixel.
pub fn linear_rgb_from_srgb8(px: [u8; 3]) -> [f64; 3] {
    px.map(|v| linear_from_srgb_component(f64::from(v) / 255.0))
}

/// An 8-bit sRGB pixel from linear sRGB, clipped to the gamut and rounded.
pub fn srgb8_from_linear_rgb(rgb: [f64; 3]) -> [u8; 3] {
    rgb.map(|c| {
        let v = srgb_component_from_linear(c.clamp(0.0, 1.0));
        (v * 255.0).round().clamp(0.0, 255.0) as u8
    })
}

/// XYZ (D65, Y in 0–1) from linear sRGB.
pub fn xyz_from_linear_rgb(rgb: [f64; 3]) -> [f64; 3] {
    mat3_mul_vec(&XYZ_FROM_RGB, rgb)
}

/// Linear sRGB from XYZ (D65); out-of-gamut colours give components outside 0–1.
pub fn linear_rgb_from_xyz(xyz: [f64; 3]) -> [f64; 3] {
    mat3_mul_vec(&RGB_FROM_XYZ, xyz)
}

/// CIELAB relative to `white` from XYZ under the same white.
pub fn lab_from_xyz_with_white(xyz: [f64; 3], white: [f64; 3]) -> Lab {
    const EPS: f64 = 216.0 / 24_389.0; // (6/29)^3
    let f = |t: f64| {
        if t > EPS {
            t.cbrt()
        } else {
            t * (24_389.0 / 27.0) / 116.0 + 16.0 / 116.0
        }
    };
    let fx = f(xyz[0] / white[0]);
    let fy = f(xyz[1] / white[1]);
    let fz = f(xyz[2] / white[2]);
    Lab {
        l: (116.0 * fy - 16.0) as f32,
        a: (500.0 * (fx - fy)) as f32,
        b: (200.0 * (fy - fz)) as f32,
    }
}

/// XYZ under `white` from CIELAB relative to the same white.
pub fn xyz_from_lab_with_white(lab: Lab, white: [f64; 3]) -> [f64; 3] {
    let [x, y, z] = xyz_from_lab(lab);
    [
        x / WHITE_D65[0] * white[0],
        y / WHITE_D65[1] * white[1],
        z / WHITE_D65[2] * white[2],
    ]
}

/// CIELAB (D65) from XYZ (D65, Y in 0–1).
pub fn lab_from_xyz(xyz: [f64; 3]) -> Lab {
    lab_from_xyz_with_white(xyz, WHITE_D65)
}

/// CIELAB (D65) from linear sRGB.
pub fn lab_from_linear_rgb(rgb: [f64; 3]) -> Lab {
    lab_from_xyz(xyz_from_linear_rgb(rgb))
}

/// Linear sRGB from CIELAB (D65), not clipped.
pub fn linear_rgb_from_lab(lab: Lab) -> [f64; 3] {
    linear_rgb_from_xyz(xyz_from_lab(lab))
}

/// CIELAB (D65) from an 8-bit sRGB pixel.
pub fn lab_from_srgb8(px: [u8; 3]) -> Lab {
    lab_from_linear_rgb(linear_rgb_from_srgb8(px))
}

/// CIE LCh(ab): lightness, chroma and hue angle in degrees (0–360), the polar form of [`Lab`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lch {
    pub l: f32,
    pub c: f32,
    /// Hue angle in degrees, 0 ≤ h < 360; 0 for a neutral (C = 0).
    pub h_deg: f32,
}

/// LCh from CIELAB.
pub fn lch_from_lab(lab: Lab) -> Lch {
    let (a, b) = (f64::from(lab.a), f64::from(lab.b));
    let c = a.hypot(b);
    let h = if c == 0.0 {
        0.0
    } else {
        b.atan2(a).to_degrees().rem_euclid(360.0)
    };
    // rem_euclid can return 360.0 itself for tiny negative angles after rounding to f32.
    let h = h as f32;
    Lch {
        l: lab.l,
        c: c as f32,
        h_deg: if h >= 360.0 { 0.0 } else { h },
    }
}

/// CIELAB from LCh.
pub fn lab_from_lch(lch: Lch) -> Lab {
    let h = f64::from(lch.h_deg).to_radians();
    let c = f64::from(lch.c);
    Lab {
        l: lch.l,
        a: (c * h.cos()) as f32,
        b: (c * h.sin()) as f32,
    }
}

impl Lab {
    /// This colour in LCh.
    pub fn to_lch(self) -> Lch {
        lch_from_lab(self)
    }

    /// Chroma C*ab.
    pub fn chroma(self) -> f32 {
        self.a.hypot(self.b)
    }
}

/// The smallest angle between two hue angles in degrees, 0–180.
pub fn hue_distance_deg(h1: f32, h2: f32) -> f32 {
    let d = (h1 - h2).rem_euclid(360.0);
    if d > 180.0 { 360.0 - d } else { d }
}

/// CIE76 colour difference (Euclidean in Lab): cheap, for pre-filters; use [`delta_e_2000`] to judge.
pub fn delta_e_76(x: Lab, y: Lab) -> f32 {
    let (dl, da, db) = (x.l - y.l, x.a - y.a, x.b - y.b);
    (dl * dl + da * da + db * db).sqrt()
}

/// The Bradford cone-response matrix.
const BRADFORD: [[f64; 3]; 3] = [
    [0.895_1, 0.266_4, -0.161_4],
    [-0.750_2, 1.713_5, 0.036_7],
    [0.038_9, -0.068_5, 1.029_6],
];
/// The inverse of [`BRADFORD`].
const BRADFORD_INV: [[f64; 3]; 3] = [
    [0.986_992_9, -0.147_054_3, 0.159_962_7],
    [0.432_305_3, 0.518_360_3, 0.049_291_2],
    [-0.008_528_7, 0.040_042_8, 0.968_486_7],
];

/// The Bradford chromatic-adaptation matrix taking XYZ seen under `src_white` to the
/// corresponding colour under `dst_white`.
pub fn bradford_matrix(src_white: [f64; 3], dst_white: [f64; 3]) -> [[f64; 3]; 3] {
    let s = mat3_mul_vec(&BRADFORD, src_white);
    let d = mat3_mul_vec(&BRADFORD, dst_white);
    let gain = [
        [d[0] / s[0], 0.0, 0.0],
        [0.0, d[1] / s[1], 0.0],
        [0.0, 0.0, d[2] / s[2]],
    ];
    mat3_mul(&BRADFORD_INV, &mat3_mul(&gain, &BRADFORD))
}

/// XYZ seen under `src_white` adapted (Bradford) to `dst_white`.
pub fn adapt_xyz(xyz: [f64; 3], src_white: [f64; 3], dst_white: [f64; 3]) -> [f64; 3] {
    mat3_mul_vec(&bradford_matrix(src_white, dst_white), xyz)
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

    fn close3(got: [f64; 3], want: [f64; 3], tol: f64) -> bool {
        got.iter().zip(want).all(|(g, w)| (g - w).abs() <= tol)
    }

    fn close_lab(got: Lab, want: Lab, tol: f32) -> bool {
        (got.l - want.l).abs() <= tol && (got.a - want.a).abs() <= tol && (got.b - want.b).abs() <= tol
    }

    /// sRGB white and primaries against the published XYZ (IEC 61966-2-1 / Lindbloom) and Lab values.
    #[test]
    fn srgb_white_and_primaries_match_published_xyz_and_lab() {
        let cases: [([u8; 3], [f64; 3], Lab); 5] = [
            ([255, 255, 255], [0.950_47, 1.0, 1.088_83], lab(100.0, 0.0, 0.0)),
            (
                [255, 0, 0],
                [0.412_456, 0.212_673, 0.019_334],
                lab(53.2408, 80.0925, 67.2032),
            ),
            (
                [0, 255, 0],
                [0.357_576, 0.715_152, 0.119_192],
                lab(87.7347, -86.1827, 83.1793),
            ),
            (
                [0, 0, 255],
                [0.180_438, 0.072_175, 0.950_304],
                lab(32.2970, 79.1875, -107.8602),
            ),
            ([0, 0, 0], [0.0, 0.0, 0.0], lab(0.0, 0.0, 0.0)),
        ];
        for (px, xyz, want) in cases {
            let got_xyz = xyz_from_linear_rgb(linear_rgb_from_srgb8(px));
            assert!(close3(got_xyz, xyz, 1e-5), "{px:?}: {got_xyz:?}");
            let got = lab_from_srgb8(px);
            assert!(close_lab(got, want, 2e-3), "{px:?}: {got:?}");
            assert_eq!(srgb_from_lab(got), px);
        }
        // 18 % grey (sRGB 119) sits at L* ≈ 50.
        let grey = lab_from_srgb8([119, 119, 119]);
        assert!(
            (grey.l - 50.03).abs() < 0.02 && grey.a.abs() < 1e-3 && grey.b.abs() < 1e-3,
            "{grey:?}"
        );
    }

    #[test]
    fn srgb_curve_matches_the_standard_at_its_break_points() {
        assert!((linear_from_srgb_component(0.040_45) - 0.040_45 / 12.92).abs() < 1e-12);
        assert!((linear_from_srgb_component(0.5) - 0.214_041).abs() < 1e-6);
        assert!((srgb_component_from_linear(0.214_041_14) - 0.5).abs() < 1e-6);
        assert_eq!(linear_from_srgb_component(1.0), 1.0);
    }

    #[test]
    fn every_8bit_srgb_value_survives_the_round_trip_through_lab() {
        for r in (0..=255u16).step_by(5) {
            for g in (0..=255u16).step_by(5) {
                for b in (0..=255u16).step_by(5) {
                    let px = [r as u8, g as u8, b as u8];
                    assert_eq!(srgb_from_lab(lab_from_srgb8(px)), px);
                }
            }
        }
    }

    #[test]
    fn lab_xyz_and_linear_rgb_round_trips_within_1e_3() {
        for l in (0..=100).step_by(10) {
            for a in (-100..=100).step_by(20) {
                for b in (-100..=100).step_by(20) {
                    let x = lab(l as f32, a as f32, b as f32);
                    assert!(close_lab(lab_from_xyz(xyz_from_lab(x)), x, 1e-3), "{x:?}");
                    assert!(
                        close_lab(lab_from_linear_rgb(linear_rgb_from_lab(x)), x, 1e-3),
                        "{x:?}"
                    );
                    let d50 = lab_from_xyz_with_white(xyz_from_lab_with_white(x, WHITE_D50), WHITE_D50);
                    assert!(close_lab(d50, x, 1e-3), "{x:?}");
                    assert!(close_lab(lab_from_lch(lch_from_lab(x)), x, 1e-3), "{x:?}");
                }
            }
        }
        let rgb = [0.2, 0.5, 0.9];
        assert!(close3(linear_rgb_from_xyz(xyz_from_linear_rgb(rgb)), rgb, 1e-6));
    }

    #[test]
    fn lch_angles_and_chroma() {
        let cases = [
            (lab(50.0, 10.0, 0.0), 10.0, 0.0),
            (lab(50.0, 0.0, 10.0), 10.0, 90.0),
            (lab(50.0, -10.0, 0.0), 10.0, 180.0),
            (lab(50.0, 0.0, -10.0), 10.0, 270.0),
            (lab(50.0, 10.0, 10.0), 14.142_136, 45.0),
            (lab(50.0, 0.0, 0.0), 0.0, 0.0),
        ];
        for (x, c, h) in cases {
            let lch = x.to_lch();
            assert!(
                (lch.c - c).abs() < 1e-4 && (lch.h_deg - h).abs() < 1e-4,
                "{x:?}: {lch:?}"
            );
            assert!((x.chroma() - c).abs() < 1e-4);
        }
        assert_eq!(hue_distance_deg(350.0, 10.0), 20.0);
        assert_eq!(hue_distance_deg(90.0, 270.0), 180.0);
        assert_eq!(hue_distance_deg(30.0, 30.0), 0.0);
    }

    /// Lindbloom's published Bradford matrix from D65 to D50.
    #[test]
    fn bradford_d65_to_d50_matches_the_published_matrix() {
        let want = [
            [1.047_811_2, 0.022_886_6, -0.050_127],
            [0.029_542_4, 0.990_484_4, -0.017_049_1],
            [-0.009_234_5, 0.015_043_6, 0.752_131_6],
        ];
        let got = bradford_matrix(WHITE_D65, WHITE_D50);
        for (g, w) in got.iter().zip(want) {
            assert!(close3(*g, w, 2e-5), "{got:?}");
        }
        assert!(close3(adapt_xyz(WHITE_D65, WHITE_D65, WHITE_A), WHITE_A, 1e-5));
        let id = mat3_mul(&BRADFORD, &BRADFORD_INV);
        for (i, row) in id.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn mat3_inverse_inverts_and_refuses_singular() {
        let inv = mat3_inverse(&XYZ_FROM_RGB).unwrap();
        for (g, w) in inv.iter().zip(RGB_FROM_XYZ) {
            assert!(close3(*g, w, 1e-6), "{inv:?}");
        }
        assert!(mat3_inverse(&[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]]).is_none());
    }

    #[test]
    fn delta_e_76_is_euclidean() {
        assert_eq!(delta_e_76(lab(50.0, 0.0, 0.0), lab(53.0, 4.0, 0.0)), 5.0);
    }
}
