//! "Flattering light": a gentle grade applied to the shopper's picture for the preview and calls
//! (never to the analysis branch, which must see true colours).
//!
//! Three touches on an I420 frame, in place: warmth (a small shift of the chroma planes towards
//! red-yellow, like a warm gel on a lamp), a soft tone curve (shadows lifted, highlights eased),
//! and edge-preserving smoothing of the luma (neighbours are averaged only where they differ
//! little, so skin texture softens while the edges of garments and features stay sharp).
//! Pure slice code, plus the buffer-probe adapter (`flatter`) the camera installs.

/// One plane of a frame: its bytes, the distance between rows, and its size in pixels.
pub struct Plane<'a> {
    pub data: &'a mut [u8],
    pub stride: usize,
    pub width: usize,
    pub height: usize,
}

/// How strong each touch is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grade {
    /// Chroma shift, in code values: Cb goes down by this, Cr up by 0.8 of it.
    pub warmth: i16,
    /// Shadows lifted by this many code values (fading to zero at white).
    pub lift: u8,
    /// Highest luma difference still smoothed.
    pub smooth_threshold: u8,
}

impl Default for Grade {
    fn default() -> Self {
        Grade {
            warmth: 5,
            lift: 10,
            smooth_threshold: 10,
        }
    }
}

fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Applies the grade to an I420 frame in place. Planes too small for their stated size are left
/// alone (the caller's caps and the buffer disagree; never index out of bounds).
pub fn apply_i420(grade: Grade, y: Plane<'_>, u: Plane<'_>, v: Plane<'_>) {
    let fits = |p: &Plane<'_>| {
        p.height == 0
            || p.width == 0
            || (p.stride >= p.width && p.data.len() >= (p.height - 1) * p.stride + p.width)
    };
    if !(fits(&y) && fits(&u) && fits(&v)) {
        return;
    }
    // Tone curve as a table: y' = y + lift·(1 − y/255), then a touch less contrast at the top.
    let mut tone = [0u8; 256];
    for (i, t) in tone.iter_mut().enumerate() {
        let x = i as f32;
        let lifted = x + grade.lift as f32 * (1.0 - x / 255.0);
        let eased = if lifted > 200.0 {
            200.0 + (lifted - 200.0) * 0.9
        } else {
            lifted
        };
        *t = clamp_u8(eased.round() as i32);
    }
    smooth_luma(y, grade.smooth_threshold, &tone);
    let cb = -(grade.warmth as i32);
    let cr = (grade.warmth as i32 * 4) / 5;
    shift_plane(u, cb);
    shift_plane(v, cr);
}

fn shift_plane(p: Plane<'_>, by: i32) {
    if by == 0 {
        return;
    }
    let mut table = [0u8; 256];
    for (i, t) in table.iter_mut().enumerate() {
        *t = clamp_u8(i as i32 + by);
    }
    for row in 0..p.height {
        let start = row * p.stride;
        for px in &mut p.data[start..start + p.width] {
            *px = table[*px as usize];
        }
    }
}

/// Edge-preserving smoothing of the luma plane, then the tone curve. Each pixel becomes the mean
/// of itself and those of its 4 neighbours within `threshold`; one row of history is kept so the
/// plane is processed in place.
fn smooth_luma(p: Plane<'_>, threshold: u8, tone: &[u8; 256]) {
    let (w, h, stride) = (p.width, p.height, p.stride);
    if w < 3 || h < 3 {
        for row in 0..h {
            for px in &mut p.data[row * stride..row * stride + w] {
                *px = tone[*px as usize];
            }
        }
        return;
    }
    let t = threshold as i32;
    let mut above: Vec<u8> = p.data[..w].to_vec();
    let mut current: Vec<u8> = vec![0; w];
    for row in 0..h {
        let start = row * stride;
        current.copy_from_slice(&p.data[start..start + w]);
        let below_start = if row + 1 < h { start + stride } else { start };
        for x in 0..w {
            let c = current[x] as i32;
            let mut sum = c;
            let mut n = 1;
            let mut take = |v: u8| {
                let v = v as i32;
                if (v - c).abs() <= t {
                    sum += v;
                    n += 1;
                }
            };
            take(above[x]);
            take(p.data[below_start + x]);
            if x > 0 {
                take(current[x - 1]);
            }
            if x + 1 < w {
                take(current[x + 1]);
            }
            p.data[start + x] = tone[((sum + n / 2) / n) as usize];
        }
        std::mem::swap(&mut above, &mut current);
    }
}

/// The GStreamer side: applies the grade to the I420 buffer passing `pad`, in a buffer probe.
mod probe {
    use gstreamer as gst;
    use gstreamer::prelude::*;
    use gstreamer_video as gst_video;
    use gstreamer_video::prelude::*;

    use super::{Grade, Plane, apply_i420};

    /// Applies the flattering light to the buffer passing `pad` (I420), copying it first if shared.
    pub(crate) fn flatter(pad: &gst::Pad, info: &mut gst::PadProbeInfo<'_>) {
        let Some(caps) = pad.current_caps() else { return };
        let Ok(vinfo) = gst_video::VideoInfo::from_caps(&caps) else {
            return;
        };
        if vinfo.format() != gst_video::VideoFormat::I420 {
            return;
        }
        let Some(gst::PadProbeData::Buffer(buffer)) = &mut info.data else {
            return;
        };
        let buffer = buffer.make_mut();
        let Ok(mut frame) = gst_video::VideoFrameRef::from_buffer_ref_writable(buffer, &vinfo) else {
            return;
        };
        let (w, h) = (vinfo.width() as usize, vinfo.height() as usize);
        let strides: Vec<usize> = frame
            .plane_stride()
            .iter()
            .map(|s| (*s).max(0) as usize)
            .collect();
        if strides.len() < 3 {
            return;
        }
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        // Three disjoint planes of one buffer: take them one at a time through raw parts would need
        // unsafe; instead copy the two small chroma planes out and back.
        let mut u = match frame.plane_data(1) {
            Ok(d) => d.to_vec(),
            Err(_) => return,
        };
        let mut v = match frame.plane_data(2) {
            Ok(d) => d.to_vec(),
            Err(_) => return,
        };
        let Ok(y) = frame.plane_data_mut(0) else { return };
        apply_i420(
            Grade::default(),
            Plane {
                data: y,
                stride: strides[0],
                width: w,
                height: h,
            },
            Plane {
                data: &mut u,
                stride: strides[1],
                width: cw,
                height: ch,
            },
            Plane {
                data: &mut v,
                stride: strides[2],
                width: cw,
                height: ch,
            },
        );
        if let Ok(d) = frame.plane_data_mut(1) {
            let n = d.len().min(u.len());
            d[..n].copy_from_slice(&u[..n]);
        }
        if let Ok(d) = frame.plane_data_mut(2) {
            let n = d.len().min(v.len());
            d[..n].copy_from_slice(&v[..n]);
        }
    }
}

pub(crate) use probe::flatter;

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        let mut d = vec![0; w * h];
        for y in 0..h {
            for x in 0..w {
                d[y * w + x] = f(x, y);
            }
        }
        d
    }

    fn run(y: &mut [u8], u: &mut [u8], v: &mut [u8], w: usize, h: usize) {
        apply_i420(
            Grade::default(),
            Plane {
                data: y,
                stride: w,
                width: w,
                height: h,
            },
            Plane {
                data: u,
                stride: w / 2,
                width: w / 2,
                height: h / 2,
            },
            Plane {
                data: v,
                stride: w / 2,
                width: w / 2,
                height: h / 2,
            },
        );
    }

    #[test]
    fn warms_and_lifts() {
        let (w, h) = (16, 8);
        let mut y = frame(w, h, |_, _| 40);
        let mut u = vec![128; w * h / 4];
        let mut v = vec![128; w * h / 4];
        run(&mut y, &mut u, &mut v, w, h);
        assert!(u.iter().all(|&c| c < 128), "less blue");
        assert!(v.iter().all(|&c| c > 128), "more red");
        assert!(
            y.iter().all(|&c| c > 40 && c < 52),
            "shadows lifted gently: {}",
            y[0]
        );
    }

    #[test]
    fn smooths_texture_but_keeps_edges() {
        let (w, h) = (32, 32);
        // Left half: fine texture around 120 (±4). Right half: 220. A hard edge in between.
        let src = frame(w, h, |x, y| {
            if x < 16 {
                116 + ((x + y) % 2 * 8) as u8
            } else {
                220
            }
        });
        let mut y = src.clone();
        let mut u = vec![128; w * h / 4];
        let mut v = vec![128; w * h / 4];
        run(&mut y, &mut u, &mut v, w, h);
        let spread = |d: &[u8]| {
            let row = &d[10 * w..10 * w + 14];
            row.iter().max().unwrap() - row.iter().min().unwrap()
        };
        assert!(
            spread(&y) <= spread(&src) / 2,
            "texture softened: {} vs {}",
            spread(&y),
            spread(&src)
        );
        // The edge stays a step of about 100 code values between columns 15 and 16.
        let step = y[10 * w + 16] as i32 - y[10 * w + 15] as i32;
        assert!(step > 80, "edge kept: {step}");
    }

    #[test]
    fn mismatched_planes_are_left_alone() {
        let mut y = vec![50u8; 10];
        let mut u = vec![128u8; 2];
        let mut v = vec![128u8; 2];
        apply_i420(
            Grade::default(),
            Plane {
                data: &mut y,
                stride: 64,
                width: 64,
                height: 48,
            },
            Plane {
                data: &mut u,
                stride: 32,
                width: 32,
                height: 24,
            },
            Plane {
                data: &mut v,
                stride: 32,
                width: 32,
                height: 24,
            },
        );
        assert!(y.iter().all(|&c| c == 50));
    }
}
