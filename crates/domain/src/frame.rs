//! A borrowed still frame (packed 8-bit RGB) and rectangles in it: what the camera layer hands the
//! pure analysis code, with nothing of GStreamer in it.

/// Packed 8-bit RGB, row after row, no padding.
#[derive(Debug, Clone, Copy)]
pub struct RgbFrame<'a> {
    pub width: u32,
    pub height: u32,
    pub data: &'a [u8],
}

/// Why a frame cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {width}×{height} RGB frame needs {needed} bytes, got {got}")]
pub struct FrameSizeError {
    pub width: u32,
    pub height: u32,
    pub needed: usize,
    pub got: usize,
}

impl<'a> RgbFrame<'a> {
    /// A frame over `data`, checked to hold `width × height` pixels.
    pub fn new(width: u32, height: u32, data: &'a [u8]) -> Result<Self, FrameSizeError> {
        let needed = width as usize * height as usize * 3;
        if data.len() < needed {
            return Err(FrameSizeError {
                width,
                height,
                needed,
                got: data.len(),
            });
        }
        Ok(RgbFrame { width, height, data })
    }

    /// The pixel at (x, y); `None` outside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let p = self.data.get(i..i + 3)?;
        Some([p[0], p[1], p[2]])
    }

    /// Every pixel inside `rect` (clipped to the frame), row by row.
    pub fn pixels_in(&self, rect: PixelRect) -> Vec<[u8; 3]> {
        let r = rect.clipped(self.width, self.height);
        let mut out = Vec::with_capacity(r.width as usize * r.height as usize);
        for y in r.y..r.y + r.height {
            let start = (y as usize * self.width as usize + r.x as usize) * 3;
            let Some(row) = self.data.get(start..start + r.width as usize * 3) else {
                break;
            };
            out.extend(row.chunks_exact(3).map(|p| [p[0], p[1], p[2]]));
        }
        out
    }
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl PixelRect {
    /// The part of `self` inside a `width`×`height` frame (possibly empty).
    pub fn clipped(self, width: u32, height: u32) -> PixelRect {
        let x = self.x.min(width);
        let y = self.y.min(height);
        PixelRect {
            x,
            y,
            width: self.width.min(width - x),
            height: self.height.min(height - y),
        }
    }

    /// The sub-rectangle between fractions of this one: `(x0, y0)` to `(x1, y1)` in 0–1.
    pub fn fraction(self, x0: f32, y0: f32, x1: f32, y1: f32) -> PixelRect {
        let fx = |f: f32| self.x as f32 + f.clamp(0.0, 1.0) * self.width as f32;
        let fy = |f: f32| self.y as f32 + f.clamp(0.0, 1.0) * self.height as f32;
        let (ax, ay, bx, by) = (fx(x0).round(), fy(y0).round(), fx(x1).round(), fy(y1).round());
        PixelRect {
            x: ax as u32,
            y: ay as u32,
            width: (bx - ax).max(0.0) as u32,
            height: (by - ay).max(0.0) as u32,
        }
    }

    /// The part of a `width`×`height` frame a screen of aspect `view_w:view_h` shows when the
    /// frame is cropped to fill it, centred (what the preview does).
    pub fn visible(width: u32, height: u32, view_w: u32, view_h: u32) -> PixelRect {
        if view_w == 0 || view_h == 0 || width == 0 || height == 0 {
            return PixelRect {
                x: 0,
                y: 0,
                width,
                height,
            };
        }
        let frame = f64::from(width) / f64::from(height);
        let view = f64::from(view_w) / f64::from(view_h);
        if frame > view {
            let w = (f64::from(height) * view).round() as u32;
            PixelRect {
                x: (width - w.min(width)) / 2,
                y: 0,
                width: w.min(width),
                height,
            }
        } else {
            let h = (f64::from(width) / view).round() as u32;
            PixelRect {
                x: 0,
                y: (height - h.min(height)) / 2,
                width,
                height: h.min(height),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_clip_split_and_crop_like_the_preview() {
        let r = PixelRect {
            x: 100,
            y: 50,
            width: 100,
            height: 200,
        };
        assert_eq!(
            r.fraction(0.1, 0.5, 0.3, 0.75),
            PixelRect {
                x: 110,
                y: 150,
                width: 20,
                height: 50
            }
        );
        assert_eq!(r.clipped(150, 1000).width, 50);
        assert_eq!(r.clipped(50, 10).width, 0);
        // A landscape 1280×720 camera on a portrait 9:16 screen shows its middle 405 columns.
        assert_eq!(
            PixelRect::visible(1280, 720, 1080, 1920),
            PixelRect {
                x: 437,
                y: 0,
                width: 405,
                height: 720
            }
        );
        assert_eq!(PixelRect::visible(640, 480, 640, 480).width, 640);
    }

    #[test]
    fn frames_are_checked_and_read_by_rectangle() {
        assert!(RgbFrame::new(4, 4, &[0; 47]).is_err());
        let data: Vec<u8> = (0..4 * 3 * 3).map(|i| i as u8).collect();
        let f = RgbFrame::new(4, 3, &data).unwrap();
        assert_eq!(f.pixel(1, 1), Some([15, 16, 17]));
        assert_eq!(f.pixel(4, 0), None);
        let px = f.pixels_in(PixelRect {
            x: 3,
            y: 2,
            width: 5,
            height: 5,
        });
        assert_eq!(px, vec![[33, 34, 35]]);
    }
}
