//! The call bench's measuring stick, tested: a stamp drawn into a luma plane reads back as the same
//! time, also after the picture was scaled down, blurred and made noisy as an encoder would; a
//! misread cell is refused by the CRC. Pure, fast; a test target of its own so that `cargo test`
//! runs it while the bench itself (harness = false) does not.

#[allow(dead_code)] // only part of it is exercised here
mod stamp;
use stamp::*;

/// A grey frame with a little texture, as a test source's picture would be.
fn frame(height: usize, stride: usize) -> Vec<u8> {
    (0..stride * height).map(|i| 60 + ((i * 7) % 90) as u8).collect()
}

#[test]
fn stamps_round_trip_through_scaling_noise_and_blur_and_bad_ones_are_refused() {
    let values = [0u32, 1, 0x8000_0000, u32::MAX, 1_754_321_987, 0xdead_beef];
    // Drawn at the size it is read at, with padded strides.
    for &(w, h, stride) in &[
        (1280, 720, 1280),
        (640, 480, 640),
        (642, 362, 644),
        (320, 240, 320),
    ] {
        for &v in &values {
            let mut plane = frame(h, stride);
            draw(&mut plane, stride, w, h, v);
            assert_eq!(read(&plane, stride, w, h), Some(v), "{w}x{h} {v:#x}");
        }
    }
    // Drawn at 1280×720, read after a 2:1 box downscale with noise and a blur across cell
    // edges: the geometry is relative and the reader looks at the middle of each cell.
    let (w, h) = (1280, 720);
    let v = 1_754_321_987;
    let mut big = frame(h, w);
    draw(&mut big, w, w, h, v);
    let (sw, sh) = (w / 2, h / 2);
    let mut small: Vec<u8> = (0..sw * sh)
        .map(|i| {
            let (x, y) = (i % sw * 2, i / sw * 2);
            let s: u32 = [(x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1)]
                .iter()
                .map(|&(x, y)| u32::from(big[y * w + x]))
                .sum();
            let noise = ((i * 2_654_435_761) % 61) as i32 - 30;
            ((s / 4) as i32 + noise).clamp(0, 255) as u8
        })
        .collect();
    let blurred: Vec<u8> = (0..sw * sh)
        .map(|i| {
            let (x, y) = (i % sw, i / sw);
            let l = small[y * sw + x.saturating_sub(2)];
            let r = small[y * sw + (x + 2).min(sw - 1)];
            ((u16::from(l) + 2 * u16::from(small[i]) + u16::from(r)) / 4) as u8
        })
        .collect();
    assert_eq!(read(&blurred, sw, sw, sh), Some(v));
    // One cell flipped: the CRC refuses it.
    let (x0, x1, y1) = cell_rect(7, sw, sh);
    let flip = if small[(y1 / 2) * sw + (x0 + x1) / 2] > 128 {
        BLACK
    } else {
        WHITE
    };
    for y in 0..y1 {
        small[y * sw + x0..y * sw + x1].fill(flip);
    }
    assert_eq!(read(&small, sw, sw, sh), None);
    // No stamp at all (a textured, a black and a white picture), and frames too small to hold one.
    assert_eq!(read(&frame(h, w), w, w, h), None);
    assert_eq!(read(&vec![BLACK; w * h], w, w, h), None);
    assert_eq!(read(&vec![WHITE; w * h], w, w, h), None);
    assert_eq!(read(&[0; 16], 4, 4, 4), None);
    // Ages across the 2³² wrap.
    assert_eq!(age_ms(u32::MAX - 9, (1u64 << 32) + 20), 30);
    assert_eq!(age_ms(1000, 1042), 42);
    // CRC-8/SMBUS check value.
    assert_eq!(crc8(b"123456789"), 0xf4);
}
