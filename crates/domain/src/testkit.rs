//! Test-only rendering: a camera-like model that photographs surfaces of known colour under a
//! chosen light, so calibration and skin analysis can be checked against ground truth.
//!
//! The model: the surface's D65 XYZ is carried to the test light by Bradford adaptation (its
//! corresponding colour), seen through a camera whose channels leak into each other, exposed so a
//! white surface sits just below clipping, given sensor noise, clipped, and encoded with a plain 2.2
//! gamma (not the sRGB curve the kiosk linearises with). Without spectral data it cannot model
//! metamerism, so real residuals will be higher than these.

use crate::colour::{
    WHITE_A, WHITE_D65, WHITE_F11, adapt_xyz, linear_rgb_from_srgb8, linear_rgb_from_xyz, mat3_mul_vec,
};
use crate::rng::XorShift64;

/// The light in the fitting room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    D65,
    A,
    F11,
}

impl Light {
    pub fn white(self) -> [f64; 3] {
        match self {
            Light::D65 => WHITE_D65,
            Light::A => WHITE_A,
            Light::F11 => WHITE_F11,
        }
    }
}

/// A camera with a fixed daylight white balance (no auto white balance), channel cross-talk,
/// noise and a 2.2 gamma.
pub struct Camera {
    pub mix: [[f64; 3]; 3],
    pub gamma: f64,
    /// Standard deviation of the noise per pixel, in linear units.
    pub noise_sd: f64,
}

impl Camera {
    pub fn typical() -> Self {
        Camera {
            // Rows sum to 1, so a D65 grey stays grey; off-diagonal terms desaturate and tint.
            mix: [[0.82, 0.15, 0.03], [0.10, 0.80, 0.10], [0.03, 0.17, 0.80]],
            gamma: 2.2,
            noise_sd: 0.01,
        }
    }

    fn raw(&self, xyz_d65: [f64; 3], light: Light) -> [f64; 3] {
        let lit = adapt_xyz(xyz_d65, WHITE_D65, light.white());
        mat3_mul_vec(&self.mix, linear_rgb_from_xyz(lit))
    }

    /// Auto-exposure: a perfect white lands at 0.95 in its brightest channel.
    fn exposure(&self, light: Light) -> f64 {
        let w = self.raw(WHITE_D65, light);
        0.95 / w[0].max(w[1]).max(w[2])
    }

    /// One 8-bit pixel of a surface with the given D65 XYZ.
    pub fn pixel(&self, xyz_d65: [f64; 3], light: Light, rng: &mut XorShift64) -> [u8; 3] {
        let k = self.exposure(light);
        self.raw(xyz_d65, light).map(|v| {
            let lin = (v * k + self.noise_sd * rng.gaussian()).clamp(0.0, 1.0);
            (lin.powf(1.0 / self.gamma) * 255.0).round() as u8
        })
    }

    /// The mean of a 16×16 patch of such pixels, each linearised with the sRGB curve first,
    /// as the kiosk measures a chart patch.
    pub fn patch_mean_linear(&self, xyz_d65: [f64; 3], light: Light, rng: &mut XorShift64) -> [f64; 3] {
        let mut sum = [0.0f64; 3];
        for _ in 0..256 {
            let p = linear_rgb_from_srgb8(self.pixel(xyz_d65, light, rng));
            for c in 0..3 {
                sum[c] += p[c];
            }
        }
        sum.map(|s| s / 256.0)
    }
}
