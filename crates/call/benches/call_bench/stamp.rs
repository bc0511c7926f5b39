//! The call bench's measuring stick: a capture time stamped into a video frame as a row of black and
//! white blocks, read back from the decoded picture at the far end.
//!
//! The stamp is the capture time in Unix milliseconds modulo 2³² (32 bits, most significant first)
//! and a check byte, the CRC-8 of its four big-endian bytes (polynomial 0x07) XOR 0xA5 (so that an
//! all-black or all-white strip is no stamp): 40 cells across the top of the frame,
//! each `width / 40` wide and `height / 12` tall, black for 0 and white for 1. The geometry is a
//! fraction of the frame, so a stamp drawn at 1280×720 reads the same after the sender scaled the
//! picture down. A reader averages the middle half of each cell and cuts at mid grey; the CRC turns a
//! misread (a frame still blurred at its first low bitrate) into "no stamp" rather than a wrong time.
//!
//! The same code in JavaScript draws and reads stamps in Chromium (`tests/browser/bench-stamp.js`);
//! the page checks its own round trip on a canvas before the bench starts.
//!
//! Tested by `stamp_test.rs`, its own test target (`cargo test -p atelier-call --bench call_bench_stamp`,
//! also run by a plain `cargo test -p atelier-call`).

/// Cells in the strip: 32 bits of time and 8 of CRC.
pub const CELLS: usize = 40;
/// The strip's height is the frame's height divided by this.
pub const STRIP_DIVISOR: usize = 12;
/// XORed into the CRC: a uniform strip (value 0 with check 0, or all ones) must not check out.
pub const CHECK_XOR: u8 = 0xa5;
/// Luma of a 0 cell and a 1 cell (video range, as x264 and the browsers expect).
pub const BLACK: u8 = 16;
pub const WHITE: u8 = 235;

/// CRC-8, polynomial x⁸ + x² + x + 1 (0x07), initial 0, no reflection.
pub fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &b in bytes {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The check byte of `value`.
pub fn check(value: u32) -> u8 {
    crc8(&value.to_be_bytes()) ^ CHECK_XOR
}

/// The 40 cells of `value`: its 32 bits then its check byte's 8, most significant first.
pub fn cells(value: u32) -> [bool; CELLS] {
    let crc = check(value);
    let word = (u64::from(value) << 8) | u64::from(crc);
    let mut out = [false; CELLS];
    for (i, cell) in out.iter_mut().enumerate() {
        *cell = (word >> (CELLS - 1 - i)) & 1 == 1;
    }
    out
}

/// The value of 40 cells, if their check byte holds.
pub fn value_of(cells: &[bool; CELLS]) -> Option<u32> {
    let word = cells.iter().fold(0u64, |w, &c| (w << 1) | u64::from(c));
    let value = (word >> 8) as u32;
    (check(value) == (word & 0xff) as u8).then_some(value)
}

/// Cell `i`'s columns and the strip's rows, in a `width`×`height` frame: `(x0, x1, y1)`, rows `0..y1`.
pub fn cell_rect(i: usize, width: usize, height: usize) -> (usize, usize, usize) {
    (
        i * width / CELLS,
        (i + 1) * width / CELLS,
        (height / STRIP_DIVISOR).max(1),
    )
}

/// Draws `value` into a luma plane (8 bits per pixel, `stride` bytes per row).
pub fn draw(plane: &mut [u8], stride: usize, width: usize, height: usize, value: u32) {
    for (i, on) in cells(value).into_iter().enumerate() {
        let (x0, x1, y1) = cell_rect(i, width, height);
        let luma = if on { WHITE } else { BLACK };
        for y in 0..y1 {
            let row = y * stride;
            if let Some(px) = plane.get_mut(row + x0..row + x1) {
                px.fill(luma);
            }
        }
    }
}

/// Reads the stamp from a luma plane; `None` when there is none (or it does not check out).
pub fn read(plane: &[u8], stride: usize, width: usize, height: usize) -> Option<u32> {
    if width < CELLS * 2 || height < STRIP_DIVISOR * 2 || plane.len() < stride * height {
        return None;
    }
    let mut bits = [false; CELLS];
    for (i, bit) in bits.iter_mut().enumerate() {
        let (x0, x1, y1) = cell_rect(i, width, height);
        // The middle half of the cell: its edges bleed into the neighbours after compression.
        let (cw, ch) = (x1 - x0, y1);
        let (xa, xb) = (x0 + cw / 4, x1 - cw / 4);
        let (ya, yb) = (ch / 4, (ch - ch / 4).max(ch / 4 + 1));
        let mut sum = 0u64;
        let mut n = 0u64;
        for y in ya..yb {
            for &p in &plane[y * stride + xa..y * stride + xb] {
                sum += u64::from(p);
                n += 1;
            }
        }
        *bit = n > 0 && sum / n >= 128;
    }
    value_of(&bits)
}

/// Milliseconds from a stamp to `now_ms` (both Unix milliseconds modulo 2³²).
pub fn age_ms(stamp: u32, now_ms: u64) -> i64 {
    i64::from((now_ms as u32).wrapping_sub(stamp) as i32)
}
