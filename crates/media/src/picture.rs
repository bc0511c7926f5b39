//! A camera picture's geometry: its size in square pixels, and the size it is encoded at.

use gstreamer_video as gst_video;

/// The size a `width`×`height` picture is encoded at: at most `max_height` high, the same shape,
/// both sides even (H.264's 4:2:0 needs them so).
pub(crate) fn encode_size(width: u32, height: u32, max_height: u32) -> (u32, u32) {
    let h = (height.min(max_height) & !1).max(2);
    let w = (u64::from(width) * u64::from(h) + u64::from(height) / 2) / u64::from(height.max(1));
    let w = (w.div_ceil(2) * 2).clamp(2, u64::from(u32::MAX) - 1) as u32;
    (w, h)
}

/// A picture's size in square pixels (a camera with non-square pixels is widened).
pub(crate) fn square_pixels(info: &gst_video::VideoInfo) -> (u32, u32) {
    let par = info.par();
    let (n, d) = (par.numer().max(1) as u64, par.denom().max(1) as u64);
    let width = (u64::from(info.width()) * n / d).min(u64::from(u32::MAX)) as u32;
    (width, info.height())
}

#[cfg(test)]
mod tests {
    use super::encode_size;

    #[test]
    fn encoded_pictures_keep_their_shape_with_even_sides() {
        assert_eq!(encode_size(1280, 720, 720), (1280, 720));
        assert_eq!(encode_size(1920, 1080, 720), (1280, 720));
        assert_eq!(encode_size(640, 480, 720), (640, 480));
        // A camera turned to portrait: 405 wide would not encode.
        assert_eq!(encode_size(720, 1280, 720), (406, 720));
        assert_eq!(encode_size(1080, 1920, 720), (406, 720));
        assert_eq!(encode_size(1081, 1921, 1080), (608, 1080));
        assert_eq!(encode_size(3, 3, 720), (2, 2));
    }
}
