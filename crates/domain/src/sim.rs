//! A simulated camera for tests and evaluations: a camera-like model that photographs surfaces of
//! known colour under a chosen light, and renders whole frames (a face, a colour chart), so
//! calibration and skin analysis can be checked against ground truth.
//!
//! The model: the surface's D65 XYZ is carried to the test light by Bradford adaptation (its
//! corresponding colour), seen through a camera whose channels leak into each other, exposed so a
//! white surface sits just below clipping, given sensor noise, clipped, and encoded with a plain 2.2
//! gamma (not the sRGB curve the kiosk linearises with). Without spectral data it cannot model
//! metamerism, so real residuals will be higher than these.

use crate::calibration::chart::ChartOrientation;
use crate::calibration::colorchecker_xyz_d65;
use crate::colour::{Lab, xyz_from_lab};
use crate::colour::{
    WHITE_A, WHITE_D65, WHITE_F11, adapt_xyz, linear_rgb_from_srgb8, linear_rgb_from_xyz, mat3_mul_vec,
};
use crate::frame::PixelRect;
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

/// Renders a `width`×`height` frame of a face whose skin is `skin` (CIELAB, D65) inside `face`:
/// textured skin, dark brows and eyes in the eye band, lips, a specular highlight on the nose and
/// shadow along the jaw; dark hair above and a blue-grey wall around. Photographed by `camera`
/// under `light`, packed RGB.
pub fn render_face(
    camera: &Camera,
    light: Light,
    skin: Lab,
    width: u32,
    height: u32,
    face: PixelRect,
    seed: u64,
) -> Vec<u8> {
    let mut rng = XorShift64::new(seed);
    let lab = |l: f32, a: f32, b: f32| Lab { l, a, b };
    let mut data = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let fx = (x as f32 - face.x as f32) / face.width as f32;
            let fy = (y as f32 - face.y as f32) / face.height as f32;
            let inside = (0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy);
            let eye =
                (0.27..0.40).contains(&fy) && ((0.24..0.42).contains(&fx) || (0.58..0.76).contains(&fx));
            let surface = if !inside {
                if (-0.3..0.0).contains(&fy) && (-0.1..1.1).contains(&fx) {
                    lab(12.0, 2.0, 4.0)
                } else {
                    lab(65.0, -2.0, -12.0)
                }
            } else if eye {
                lab(10.0, 1.0, 2.0)
            } else if (0.76..0.88).contains(&fy) && (0.32..0.68).contains(&fx) {
                lab(skin.l * 0.8, skin.a + 22.0, skin.b + 4.0)
            } else if (0.45..0.62).contains(&fy) && (0.46..0.54).contains(&fx) {
                lab((skin.l + 22.0).min(98.0), skin.a * 0.4, skin.b * 0.4)
            } else if fy > 0.92 {
                lab(skin.l * 0.55, skin.a * 0.8, skin.b * 0.8)
            } else {
                let g = |rng: &mut XorShift64, sd: f64| (rng.gaussian() * sd) as f32;
                lab(
                    skin.l + g(&mut rng, 2.5),
                    skin.a + g(&mut rng, 1.0),
                    skin.b + g(&mut rng, 1.0),
                )
            };
            data.extend_from_slice(&camera.pixel(xyz_from_lab(surface), light, &mut rng));
        }
    }
    data
}

/// Renders a `width`×`height` frame with the ColorChecker's 24 patches filling `guide` (black
/// gaps between them, `orientation` as held), on a grey wall, photographed by `camera` under
/// `light`, packed RGB.
pub fn render_chart(
    camera: &Camera,
    light: Light,
    width: u32,
    height: u32,
    guide: PixelRect,
    orientation: ChartOrientation,
    seed: u64,
) -> Vec<u8> {
    let xyz = colorchecker_xyz_d65();
    let grey = [0.2, 0.21, 0.23];
    let black = [0.01, 0.01, 0.01];
    let mut rng = XorShift64::new(seed);
    let mut data = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let fx = (x as f32 - guide.x as f32) / guide.width as f32;
            let fy = (y as f32 - guide.y as f32) / guide.height as f32;
            let colour = if (0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy) {
                let (col, row) = ((fx * 6.0) as usize, (fy * 4.0) as usize);
                let (ix, iy) = (fx * 6.0 - col as f32, fy * 4.0 - row as f32);
                if !(0.08..=0.92).contains(&ix) || !(0.08..=0.92).contains(&iy) {
                    black
                } else {
                    xyz[orientation.patch_at(row, col)]
                }
            } else {
                grey
            };
            data.extend_from_slice(&camera.pixel(colour, light, &mut rng));
        }
    }
    data
}
