//! Skin analysis and colour calibration end to end: the real kiosk under WebDriver, its camera on
//! a picture of a fitting room lit by warm tungsten-like light, with a real face (the astronaut
//! photo from scikit-image) and a ColorChecker held in the guide frame.
//!
//! The shopper agrees, gets a low-confidence reading (no calibration yet), the installer
//! calibrates from the chart in admin, the shopper retakes and now gets the same Monk shade as
//! the photo measured under neutral light; her looks favour her palette, and the next shopper
//! starts with nothing.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use atelier_domain::calibration::chart::guide_rect;
use atelier_domain::calibration::colorchecker_linear_rgb;
use atelier_domain::colour::{
    Lab, delta_e_2000, lab_from_srgb8, linear_from_srgb_component, srgb_component_from_linear,
};
use atelier_domain::frame::{PixelRect, RgbFrame};
use atelier_domain::skin::SkinOptions;
use atelier_domain::skin::face::analyse_faces;
use atelier_tests::kiosk::Kiosk;

fn asset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets").join(rel)
}

/// The room's light as the camera sees it: warm (tungsten-like) with a little channel crosstalk.
const CAST: [[f64; 3]; 3] = [[1.0, 0.06, 0.0], [0.04, 0.80, 0.03], [0.0, 0.06, 0.50]];

fn shoot(linear: [f64; 3]) -> [u8; 3] {
    let v = [0, 1, 2].map(|i| CAST[i][0] * linear[0] + CAST[i][1] * linear[1] + CAST[i][2] * linear[2]);
    v.map(|c| (srgb_component_from_linear(c.clamp(0.0, 1.0)) * 255.0).round() as u8)
}

/// `#rrggbb` → CIELAB.
fn hex_lab(hex: &str) -> Lab {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    lab_from_srgb8([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

fn linear(px: [u8; 3]) -> [f64; 3] {
    px.map(|c| linear_from_srgb_component(f64::from(c) / 255.0))
}

/// A 1280×720 frame: grey wall, the astronaut at the left, the chart filling the guide frame of a
/// 608×1080 portrait window; everything seen through [`CAST`].
fn scene(astronaut: &image::RgbImage, path: &Path) {
    let (w, h) = (1280u32, 720u32);
    let guide = guide_rect(PixelRect::visible(w, h, 608, 1080));
    let chart = colorchecker_linear_rgb();
    let mut img = image::RgbImage::new(w, h);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let mut lin = [0.18, 0.18, 0.18];
        if x < astronaut.width() && y >= 104 && y - 104 < astronaut.height() {
            lin = linear(astronaut.get_pixel(x, y - 104).0);
        }
        let fx = (x as f32 - guide.x as f32) / guide.width as f32;
        let fy = (y as f32 - guide.y as f32) / guide.height as f32;
        if (0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy) {
            let (col, row) = ((fx * 6.0) as usize, (fy * 4.0) as usize);
            let (ix, iy) = (fx * 6.0 - col as f32, fy * 4.0 - row as f32);
            lin = if !(0.08..=0.92).contains(&ix) || !(0.08..=0.92).contains(&iy) {
                [0.01, 0.01, 0.01]
            } else {
                chart[row * 6 + col]
            };
        }
        *px = image::Rgb(shoot(lin));
    }
    img.save(path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_reading_calibration_and_wipe() -> anyhow::Result<()> {
    let astronaut = image::open(asset("faces/astronaut.png"))?.to_rgb8();
    // What the photo itself says, under its own (neutral) light, from the face box the detector
    // finds in it: the shade the calibrated kiosk must agree with.
    let truth = analyse_faces(
        &[(
            RgbFrame::new(astronaut.width(), astronaut.height(), astronaut.as_raw())?,
            PixelRect {
                x: 175,
                y: 64,
                width: 97,
                height: 97,
            },
        )],
        &SkinOptions::default(),
    )?;

    let root = tempfile::tempdir()?;
    let kiosk_dir = root.path().join("kiosk");
    std::fs::create_dir_all(&kiosk_dir)?;
    std::fs::write(kiosk_dir.join("atelier.toml"), "[admin]\npin = \"4321\"\n")?;
    let picture = root.path().join("fitting-room.png");
    scene(&astronaut, &picture);
    let import = std::process::Command::new(atelier_tests::binary("atelier")?)
        .arg("--data-dir")
        .arg(&kiosk_dir)
        .args(["catalog", "import"])
        .arg(asset("demo-catalog/catalog.csv"))
        .output()?;
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let source = format!("file:{}", picture.display());
    let kiosk = Kiosk::launch_with_env(
        &kiosk_dir,
        &["--demo"],
        &[("ATELIER_DEMO_CAMERA", OsStr::new(&source))],
    )
    .await?;
    let result = async {
        kiosk
            .wait_attr("[data-testid=camera-status]", "data-state", "live", Duration::from_secs(20))
            .await?;
        kiosk.click("[data-testid=start-button]").await?;
        kiosk.click("[data-testid=colours-button]").await?;
        // Nothing is measured before she agrees.
        kiosk.element("[data-testid=skin-consent]", Duration::from_secs(5)).await?;
        kiosk.screenshot("skin-consent");
        kiosk.click("[data-testid=consent-yes]").await?;
        let first = kiosk.element("[data-testid=skin-result]", Duration::from_secs(15)).await?;
        let monk_before: u8 = first.attr("data-monk").await?.unwrap_or_default().parse()?;
        let skin_before = hex_lab(&first.attr("data-skin").await?.unwrap_or_default());
        assert_eq!(first.attr("data-calibrated").await?.as_deref(), Some("false"));
        // Uncalibrated, the reading is always low-confidence and offers a retake first.
        assert_eq!(first.attr("data-confidence").await?.as_deref(), Some("low"));
        let retake = kiosk.element("[data-testid=skin-retake]", Duration::from_secs(1)).await?;
        assert_eq!(retake.attr("class").await?.as_deref(), Some("primary"));
        let flatters = kiosk
            .element("[data-testid=palette-flatters]", Duration::from_secs(1))
            .await?
            .find_all(fantoccini::Locator::Css("li"))
            .await?;
        assert!(flatters.len() >= 3, "{} flattering colours", flatters.len());

        // The installer calibrates from the chart in the guide frame.
        kiosk
            .long_press("[data-testid=admin-corner]", Duration::from_millis(2000))
            .await?;
        kiosk.element("[data-testid=pin-prompt]", Duration::from_secs(5)).await?;
        kiosk.enter_pin("4321").await?;
        kiosk.element("[data-testid=admin-screen]", Duration::from_secs(5)).await?;
        kiosk.click("[data-testid=admin-calibrate]").await?;
        kiosk.element("[data-testid=calibrate-guide]", Duration::from_secs(5)).await?;
        kiosk.screenshot("calibrate-guide");
        kiosk.click("[data-testid=calibrate-capture]").await?;
        kiosk
            .wait_attr("[data-testid=calibrate-status]", "data-result", "ok", Duration::from_secs(15))
            .await?;
        let report = kiosk.text("[data-testid=calibrate-status]").await?;
        let mean: f32 = report
            .split("ΔE ")
            .nth(1)
            .map(|s| s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect::<String>())
            .unwrap_or_default()
            .parse()?;
        assert!(mean < 2.0, "calibration residual: {report}");
        kiosk.click("[data-testid=calibrate-close]").await?;

        // The shopper retakes: now calibrated, and the same shade as the photo in neutral light.
        kiosk.click("[data-testid=skin-retake]").await?;
        kiosk
            .wait_attr("[data-testid=skin-result]", "data-calibrated", "true", Duration::from_secs(15))
            .await?;
        let second = kiosk.element("[data-testid=skin-result]", Duration::from_secs(1)).await?;
        kiosk.screenshot("skin-result");
        let monk_after: u8 = second.attr("data-monk").await?.unwrap_or_default().parse()?;
        let confidence_after = second.attr("data-confidence").await?.unwrap_or_default();
        let skin_after = hex_lab(&second.attr("data-skin").await?.unwrap_or_default());
        let (de_before, de_after) = (delta_e_2000(skin_before, truth.skin), delta_e_2000(skin_after, truth.skin));
        eprintln!(
            "astronaut: truth MST {} {:?} ({:?}); under warm light: uncalibrated MST {monk_before} ΔE {de_before:.1}, \
             calibrated MST {monk_after} ΔE {de_after:.1} confidence {confidence_after}; chart {report}",
            truth.monk, truth.skin, truth.undertone
        );
        assert!(de_after < 3.0 && de_after < de_before, "calibration brings the reading to the photo's own");
        assert!(monk_after.abs_diff(truth.monk) <= 1, "MST {monk_after} vs {}", truth.monk);
        // A clear frontal face under a calibrated camera is no longer an uncertain reading.
        assert_ne!(confidence_after, "low");

        // Her looks now favour her palette.
        kiosk.click("[data-testid=skin-looks]").await?;
        kiosk.element("[data-testid=looks-screen]", Duration::from_secs(5)).await?;
        kiosk
            .wait_attr("[data-testid=looks-palette-note]", "data-testid", "looks-palette-note", Duration::from_secs(1))
            .await?;
        let note = kiosk.element("[data-testid=looks-palette-note]", Duration::from_secs(1)).await?;
        for _ in 0..50 {
            if note.attr("hidden").await?.is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(note.attr("hidden").await?.is_none(), "the looks say they follow her palette");
        kiosk.element("[data-testid=look]", Duration::from_secs(10)).await?;
        kiosk.screenshot("looks-in-my-colours");

        // The session ends: the next shopper is asked again, from scratch.
        kiosk.click("[data-testid=looks-back]").await?;
        kiosk.click("[data-testid=end-session]").await?;
        kiosk.element("[data-testid=attract-screen]", Duration::from_secs(5)).await?;
        kiosk.click("[data-testid=start-button]").await?;
        kiosk.click("[data-testid=colours-button]").await?;
        kiosk.element("[data-testid=skin-consent]", Duration::from_secs(5)).await?;
        anyhow::Ok(())
    }
    .await;
    let closed = kiosk.close().await;
    result?;
    closed
}
