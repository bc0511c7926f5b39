//! Renders the demo camera clip, `assets/demo-clip/fitting-room.mp4`: a shopper-sized figure in a
//! fitting room (breathing, swaying a little) who holds up two garment tags in turn — a QR code and
//! then an EAN-13 barcode of variants in the demo catalog — inside the portrait mirror's crop.
//! 10 s of 1280×720 at 30 fps, H.264 in MP4, drawn from shapes (no photos), deterministic.
//!
//! `cargo run -p atelier-tests --bin gen-demo-clip [OUT.mp4]`

use std::path::PathBuf;

use anyhow::{Context, bail};
use atelier_tests::tag_image::{Kind, render};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use image::{GrayImage, Rgb, RgbImage};

const W: u32 = 1280;
const H: u32 = 720;
const FPS: u32 = 30;
const SECONDS: u32 = 10;

/// The tags shown, with the frames they are in view: (kind, code, first frame, last frame).
/// The codes name demo-catalog variants (a QR code with a variant SKU, an EAN-13 GTIN).
pub const TAGS: &[(Kind, &str, u32, u32)] = &[
    (Kind::Qr, "TOP-001-B00-S", 60, 165),
    (Kind::Ean13, "2000000013473", 195, 285),
];

fn fill_rect(img: &mut RgbImage, x0: i32, y0: i32, x1: i32, y1: i32, c: [u8; 3]) {
    for y in y0.max(0)..y1.min(H as i32) {
        for x in x0.max(0)..x1.min(W as i32) {
            img.put_pixel(x as u32, y as u32, Rgb(c));
        }
    }
}

fn fill_ellipse(img: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, c: [u8; 3]) {
    let (x0, x1) = ((cx - rx).floor() as i32, (cx + rx).ceil() as i32);
    let (y0, y1) = ((cy - ry).floor() as i32, (cy + ry).ceil() as i32);
    for y in y0.max(0)..y1.min(H as i32) {
        for x in x0.max(0)..x1.min(W as i32) {
            let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
            if dx * dx + dy * dy <= 1.0 {
                img.put_pixel(x as u32, y as u32, Rgb(c));
            }
        }
    }
}

/// A trapezoid from (top y, left, right) to (bottom y, left, right).
fn fill_trapezoid(img: &mut RgbImage, top: (f32, f32, f32), bottom: (f32, f32, f32), c: [u8; 3]) {
    let (y0, y1) = (top.0 as i32, bottom.0 as i32);
    for y in y0.max(0)..y1.min(H as i32) {
        let t = (y as f32 - top.0) / (bottom.0 - top.0);
        let l = top.1 + (bottom.1 - top.1) * t;
        let r = top.2 + (bottom.2 - top.2) * t;
        for x in (l as i32).max(0)..(r as i32).min(W as i32) {
            img.put_pixel(x as u32, y as u32, Rgb(c));
        }
    }
}

fn background() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    for y in 0..H {
        for x in 0..W {
            // Warm grey wall, lit from above; panel seams every 160 px; a darker floor.
            let light = 1.0 - (y as f32 / H as f32) * 0.25;
            let seam = if x % 160 < 2 { 0.9 } else { 1.0 };
            let c = if y > 610 {
                [92, 80, 70]
            } else {
                let base = [196.0, 186.0, 172.0];
                [
                    (base[0] * light * seam) as u8,
                    (base[1] * light * seam) as u8,
                    (base[2] * light * seam) as u8,
                ]
            };
            img.put_pixel(x, y, Rgb(c));
        }
    }
    img
}

const SKIN: [u8; 3] = [214, 168, 140];
const HAIR: [u8; 3] = [52, 36, 28];
const TOP: [u8; 3] = [58, 76, 112]; // a dusty navy knit
const TROUSERS: [u8; 3] = [201, 176, 146]; // milk-tea beige

fn person(img: &mut RgbImage, frame: u32) {
    let t = frame as f32 / FPS as f32;
    let sway = (t * 1.3).sin() * 6.0;
    let breathe = (t * 1.9).sin() * 2.0;
    let cx = 640.0 + sway;
    // Legs and trousers.
    fill_trapezoid(
        img,
        (420.0, cx - 78.0, cx + 78.0),
        (700.0, cx - 92.0, cx + 92.0),
        TROUSERS,
    );
    fill_rect(img, cx as i32 - 3, 470, cx as i32 + 3, 700, [170, 146, 118]);
    // Torso (the top), arms, neck, head and hair.
    fill_trapezoid(
        img,
        (250.0, cx - 104.0 - breathe, cx + 104.0 + breathe),
        (440.0, cx - 86.0, cx + 86.0),
        TOP,
    );
    fill_trapezoid(
        img,
        (258.0, cx - 124.0, cx - 96.0),
        (470.0, cx - 132.0, cx - 104.0),
        TOP,
    );
    fill_trapezoid(
        img,
        (258.0, cx + 96.0, cx + 124.0),
        (470.0, cx + 104.0, cx + 132.0),
        TOP,
    );
    fill_ellipse(img, cx - 118.0, 486.0, 14.0, 18.0, SKIN);
    fill_rect(img, cx as i32 - 20, 200, cx as i32 + 20, 256, SKIN);
    fill_ellipse(img, cx, 150.0 + breathe * 0.5, 62.0, 80.0, HAIR);
    fill_ellipse(img, cx, 168.0 + breathe * 0.5, 50.0, 64.0, SKIN);
    fill_ellipse(img, cx - 18.0, 160.0, 5.0, 3.5, [60, 44, 40]);
    fill_ellipse(img, cx + 18.0, 160.0, 5.0, 3.5, [60, 44, 40]);
    fill_ellipse(img, cx, 198.0, 13.0, 4.0, [170, 96, 96]);
}

/// A hang tag: the code on a white card with a punched hole, held by a hand.
fn tag(img: &mut RgbImage, code: &GrayImage, cx: f32, cy: f32) {
    let (w, h) = (code.width() as i32, code.height() as i32);
    let (x0, y0) = (cx as i32 - w / 2, cy as i32 - h / 2);
    fill_rect(img, x0 - 12, y0 - 34, x0 + w + 12, y0 + h + 12, [250, 250, 246]);
    fill_ellipse(img, cx, (y0 - 20) as f32, 6.0, 6.0, [120, 110, 100]);
    for (x, y, p) in code.enumerate_pixels() {
        let (px, py) = (x0 + x as i32, y0 + y as i32);
        if (0..W as i32).contains(&px) && (0..H as i32).contains(&py) {
            let v = p.0[0];
            img.put_pixel(px as u32, py as u32, Rgb([v, v, v.saturating_sub(4)]));
        }
    }
    // Fingers at the card's lower right corner.
    fill_ellipse(img, (x0 + w + 8) as f32, (y0 + h) as f32, 22.0, 30.0, SKIN);
}

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/demo-clip/fitting-room.mp4"));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let codes: Vec<GrayImage> = TAGS
        .iter()
        .map(|(kind, code, _, _)| render(*kind, code, if *kind == Kind::Qr { 6 } else { 3 }))
        .collect::<anyhow::Result<_>>()?;

    gst::init()?;
    let pipeline = gst::parse::launch(
        "appsrc name=src format=time ! videoconvert ! video/x-raw,format=I420 \
         ! x264enc speed-preset=slow bitrate=900 key-int-max=60 ! video/x-h264,profile=high \
         ! mp4mux ! filesink name=out",
    )?
    .downcast::<gst::Pipeline>()
    .map_err(|_| anyhow::anyhow!("not a pipeline"))?;
    let src = pipeline
        .by_name("src")
        .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
        .context("appsrc")?;
    pipeline
        .by_name("out")
        .context("filesink")?
        .set_property("location", out.to_string_lossy().as_ref());
    src.set_caps(Some(
        &gst::Caps::builder("video/x-raw")
            .field("format", "RGB")
            .field("width", W as i32)
            .field("height", H as i32)
            .field("framerate", gst::Fraction::new(FPS as i32, 1))
            .build(),
    ));
    pipeline.set_state(gst::State::Playing)?;

    let bg = background();
    for frame in 0..FPS * SECONDS {
        let mut img = bg.clone();
        person(&mut img, frame);
        for ((_, _, first, last), code) in TAGS.iter().zip(&codes) {
            if (*first..=*last).contains(&frame) {
                // Brought in from the right over a third of a second, then held still at chest height.
                let k = ((frame - first) as f32 / 10.0).min(1.0);
                let cx = 900.0 - (900.0 - 640.0) * (1.0 - (1.0 - k).powi(2));
                tag(&mut img, code, cx, 345.0);
            }
        }
        let mut buffer = gst::Buffer::from_mut_slice(img.into_raw());
        {
            let b = buffer.get_mut().context("fresh buffer")?;
            let pts = gst::ClockTime::SECOND.mul_div_floor(frame as u64, FPS as u64);
            b.set_pts(pts);
            b.set_duration(gst::ClockTime::SECOND.mul_div_floor(1, FPS as u64));
        }
        src.push_buffer(buffer)?;
    }
    src.end_of_stream()?;
    let bus = pipeline.bus().context("bus")?;
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(120),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .context("the encoder did not finish in 2 minutes")?;
    pipeline.set_state(gst::State::Null)?;
    if let gst::MessageView::Error(e) = msg.view() {
        bail!("encoding failed: {}", e.error());
    }
    let size = std::fs::metadata(&out)?.len();
    eprintln!("wrote {} ({} KiB)", out.display(), size / 1024);
    Ok(())
}
