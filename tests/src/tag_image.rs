//! Garment tags drawn as images: QR, EAN-13 and Code-128 at a chosen module size, on a white card
//! with a quiet zone, optionally blurred. For the tag-recognition tests and the demo clip.

use anyhow::{Context, bail};
use image::{GrayImage, Luma};

/// Which symbology to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Qr,
    Ean13,
    Code128,
}

/// Draws `code` with each module `module_px` pixels wide (bars are `bar_height` modules tall).
pub fn render(kind: Kind, code: &str, module_px: u32) -> anyhow::Result<GrayImage> {
    let m = module_px.max(1);
    match kind {
        Kind::Qr => {
            let qr = qrcode::QrCode::new(code.as_bytes()).context("the code does not fit a QR code")?;
            let n = qr.width() as u32;
            let colors = qr.to_colors();
            let quiet = 4;
            let side = (n + 2 * quiet) * m;
            let mut img = GrayImage::from_pixel(side, side, Luma([255]));
            for (i, c) in colors.iter().enumerate() {
                if *c == qrcode::Color::Dark {
                    let (x, y) = ((i as u32 % n + quiet) * m, (i as u32 / n + quiet) * m);
                    fill(&mut img, x, y, m, m);
                }
            }
            Ok(img)
        }
        Kind::Ean13 | Kind::Code128 => {
            let modules = match kind {
                Kind::Ean13 => barcoders::sym::ean13::EAN13::new(code)
                    .map_err(|e| anyhow::anyhow!("not an EAN-13 number: {e:?}"))?
                    .encode(),
                _ => barcoders::sym::code128::Code128::new(format!("Ɓ{code}"))
                    .map_err(|e| anyhow::anyhow!("cannot be Code-128 (set B): {e:?}"))?
                    .encode(),
            };
            if modules.is_empty() {
                bail!("nothing to draw");
            }
            let quiet = 10;
            let w = (modules.len() as u32 + 2 * quiet) * m;
            let h = (modules.len() as u32 * m / 3).max(30 * m);
            let mut img = GrayImage::from_pixel(w, h + 2 * quiet * m / 2, Luma([255]));
            for (i, bit) in modules.iter().enumerate() {
                if *bit == 1 {
                    fill(&mut img, (i as u32 + quiet) * m, quiet * m / 2, m, h);
                }
            }
            Ok(img)
        }
    }
}

fn fill(img: &mut GrayImage, x: u32, y: u32, w: u32, h: u32) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, Luma([0]));
        }
    }
}

/// Places `tag` on a mid-grey frame of `width`×`height` at (`x`, `y`), blurred by `sigma` pixels
/// (0 for sharp): a tag held up in front of a fitting-room wall.
pub fn on_frame(tag: &GrayImage, width: u32, height: u32, x: u32, y: u32, sigma: f32) -> GrayImage {
    let mut frame = GrayImage::from_pixel(width, height, Luma([118]));
    image::imageops::overlay(&mut frame, tag, x as i64, y as i64);
    if sigma > 0.0 {
        image::imageops::blur(&frame, sigma)
    } else {
        frame
    }
}

/// The EAN-13 check digit for 12 digits (the demo catalog's in-store numbers use it).
pub fn ean13_check_digit(first12: &str) -> Option<char> {
    if first12.len() != 12 || !first12.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_each_kind() {
        assert!(render(Kind::Qr, "AT-1001-BLU-M", 3).is_ok());
        assert!(render(Kind::Ean13, "2000001000014", 2).is_ok());
        assert!(render(Kind::Code128, "AT-1001-BLU-M", 2).is_ok());
        assert!(render(Kind::Ean13, "123", 2).is_err());
    }

    #[test]
    fn check_digit_matches_a_known_number() {
        // 400638133393 → 1 (a real EAN-13: 4006381333931).
        assert_eq!(ean13_check_digit("400638133393"), Some('1'));
        assert_eq!(ean13_check_digit("40063813339"), None);
    }
}
