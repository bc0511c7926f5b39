//! Skin-tone analysis (only after the shopper agrees on screen) and the installer's colour
//! calibration (behind the PIN).
//!
//! Both take a few stills from the camera's sampler branch and keep them in memory only while
//! they are measured. The analysis result lives in the session and is wiped with it; the
//! calibration is the camera's, kept in settings for every later shopper.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use atelier_domain::calibration::chart::{
    ChartCalibration, ChartOrientation, calibrate_from_frame, guide_rect,
};
use atelier_domain::calibration::{COLORCHECKER_24, ColourCorrection, CorrectionModel};
use atelier_domain::colour::srgb_from_lab;
use atelier_domain::frame::{PixelRect, RgbFrame};
use atelier_domain::palette::{Contrast, Depth, Undertone};
use atelier_domain::skin::face::analyse_faces;
use atelier_domain::skin::{ConfidenceLevel, MONK_SWATCHES, SkinAnalysis, SkinError, SkinOptions};
use atelier_domain::{SessionPhase, catalog::NamedColour};
use atelier_media::SamplerBranch;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::CommandError;
use crate::analysis::{self, CaptureError};
use crate::state::{Kiosk, lock};

/// The settings key of the camera's colour calibration.
pub const CALIBRATION_KEY: &str = "camera.calibration";

/// Frames with a face pooled into one analysis, and how long to look for them.
const FACE_FRAMES: usize = 6;
const FACE_TIMEOUT: Duration = Duration::from_secs(4);

/// A colour, for the UI.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColourView {
    pub name_en: String,
    pub name_zh: String,
    pub hex: String,
}

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

fn colour_view(c: &NamedColour) -> ColourView {
    ColourView {
        name_en: c.name_en.clone(),
        name_zh: c.name_zh.clone(),
        hex: hex(srgb_from_lab(c.lab)),
    }
}

/// What the mirror shows after the analysis.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkinView {
    /// Monk Skin Tone, 1 (lightest) to 10 (deepest).
    pub monk: u8,
    /// The measured skin colour.
    pub skin_hex: String,
    /// The Monk swatch it is nearest to.
    pub monk_hex: String,
    /// `warm`, `neutral` or `cool`.
    pub undertone: String,
    /// `light`, `medium` or `deep`.
    pub depth: String,
    /// `low`, `medium` or `high`.
    pub contrast: String,
    /// 0–1.
    pub confidence: f32,
    /// `low`, `medium` or `high`: low asks for a retake.
    pub confidence_level: String,
    /// The camera was colour-calibrated for this room's light.
    pub calibrated: bool,
    pub flattering: Vec<ColourView>,
    pub avoid: Vec<ColourView>,
    /// Frames with a face that went into the answer.
    pub frames: u32,
}

/// The analysis's outcome: a result, or a plain reason the UI words for the shopper.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SkinOutcome {
    Ok {
        result: Box<SkinView>,
    },
    /// No face in view long enough: stand facing the mirror and try again.
    NoFace,
    /// A face, but too little of it looked like skin (a mask, strong coloured light).
    TooLittleSkin,
    /// The camera is unplugged or off.
    NoCamera,
}

fn words<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn skin_view(a: &SkinAnalysis, frames: usize) -> SkinView {
    let level = match a.confidence_level {
        ConfidenceLevel::Low => "low",
        ConfidenceLevel::Medium => "medium",
        ConfidenceLevel::High => "high",
    };
    SkinView {
        monk: a.monk,
        skin_hex: hex(srgb_from_lab(a.skin)),
        monk_hex: hex(MONK_SWATCHES[usize::from(a.monk.clamp(1, 10)) - 1]),
        undertone: words::<Undertone>(a.undertone),
        depth: words::<Depth>(a.depth),
        contrast: words::<Contrast>(a.contrast),
        confidence: a.confidence,
        confidence_level: level.to_owned(),
        calibrated: a.calibrated,
        flattering: a.palette.flattering.iter().map(colour_view).collect(),
        avoid: a.palette.avoid.iter().map(colour_view).collect(),
        frames: u32::try_from(frames).unwrap_or(u32::MAX),
    }
}

/// The camera's stored calibration, if any (a broken entry is logged and ignored).
pub fn stored_calibration(kiosk: &Kiosk) -> Option<StoredCalibration> {
    let db = lock(&kiosk.db);
    let raw = atelier_store::Settings::new(&db)
        .get(CALIBRATION_KEY)
        .ok()
        .flatten()?;
    match serde_json::from_str::<StoredCalibration>(&raw) {
        Ok(c) if c.chart.calibration.correction.is_finite() => Some(c),
        Ok(_) => {
            tracing::warn!("the stored calibration has non-finite numbers; ignored");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "the stored calibration cannot be read; ignored");
            None
        }
    }
}

/// Analyses the shopper's skin tone from a few seconds of camera frames. `consent` is the
/// shopper's "yes" on the consent screen: without it, and outside a session, nothing is taken.
#[tauri::command]
pub async fn analyse_skin(app: AppHandle, consent: bool) -> Result<SkinOutcome, CommandError> {
    if !consent {
        return Err(CommandError::BadRequest);
    }
    app.state::<Kiosk>().require(|c| c.privacy.skin_analysis)?;
    let in_session = {
        let kiosk = app.state::<Kiosk>();
        let phase = lock(&kiosk.session).view(std::time::Instant::now()).phase;
        phase != SessionPhase::Attract
    };
    if !in_session {
        return Err(CommandError::BadRequest);
    }
    tauri::async_runtime::spawn_blocking(move || analyse_blocking(&app))
        .await
        .map_err(|_| CommandError::Unavailable)?
}

fn analyse_blocking(app: &AppHandle) -> Result<SkinOutcome, CommandError> {
    let kiosk = app.state::<Kiosk>();
    let (camera, _) = match analysis::camera(app) {
        Ok(c) => c,
        Err(_) => return Ok(SkinOutcome::NoCamera),
    };
    let started = std::time::Instant::now();
    let frames = analysis::collect(
        &camera,
        SamplerBranch {
            max_width: 960,
            fps: 6,
            detect_faces: true,
        },
        FACE_TIMEOUT,
        |f| !f.faces.is_empty(),
        |kept| kept.len() >= FACE_FRAMES,
    );
    let frames = match frames {
        Ok(f) => f,
        Err(CaptureError::NoCamera) => return Ok(SkinOutcome::NoCamera),
        Err(e) => {
            tracing::error!(error = %e, "skin analysis could not take frames");
            return Err(CommandError::Unavailable);
        }
    };
    if frames.len() < 2 {
        tracing::info!(frames = frames.len(), "skin analysis: no face in view");
        return Ok(SkinOutcome::NoFace);
    }
    let calibration = stored_calibration(&kiosk);
    let correction: Option<ColourCorrection> = calibration.map(|c| c.chart.calibration.correction);
    let mut views = Vec::with_capacity(frames.len());
    for f in &frames {
        let (Ok(frame), Some(face)) = (RgbFrame::new(f.width, f.height, &f.rgb), f.faces.first()) else {
            continue;
        };
        let rect = PixelRect {
            x: face.x,
            y: face.y,
            width: face.width,
            height: face.height,
        };
        views.push((frame, rect));
    }
    let options = SkinOptions {
        correction: correction.as_ref(),
        ..SkinOptions::default()
    };
    let used = views.len();
    let result = analyse_faces(&views, &options);
    drop(views);
    drop(frames);
    match result {
        Ok(a) => {
            tracing::info!(
                monk = a.monk,
                undertone = ?a.undertone,
                confidence = a.confidence,
                calibrated = a.calibrated,
                took_ms = started.elapsed().as_millis() as u64,
                "skin analysed"
            );
            let view = skin_view(&a, used);
            *lock(&kiosk.skin) = Some(a);
            Ok(SkinOutcome::Ok {
                result: Box::new(view),
            })
        }
        Err(SkinError::NoPixels) => Ok(SkinOutcome::NoFace),
        Err(SkinError::TooLittleSkin { .. }) => Ok(SkinOutcome::TooLittleSkin),
        Err(e) => {
            tracing::error!(error = %e, "skin analysis failed");
            Err(CommandError::Unavailable)
        }
    }
}

/// The shopper's analysis this session, if she made one (for the UI after a reload).
#[tauri::command]
pub fn skin_result(kiosk: State<'_, Kiosk>) -> Result<Option<SkinView>, CommandError> {
    Ok(lock(&kiosk.skin).as_ref().map(|a| skin_view(a, FACE_FRAMES)))
}

/// The shopper asked to forget her analysis before the session ends.
#[tauri::command]
pub fn forget_skin(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    *lock(&kiosk.skin) = None;
    Ok(())
}

/// The calibration as stored in settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCalibration {
    pub chart: ChartCalibration,
    /// The camera source it was made with.
    pub source: String,
    pub at_unix: i64,
}

/// The calibration as the admin screen shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationView {
    pub mean_delta_e: f32,
    pub max_delta_e: f32,
    pub worst_patch: String,
    pub orientation: String,
    pub source: String,
    #[ts(type = "number")]
    pub at_unix: i64,
}

impl From<&StoredCalibration> for CalibrationView {
    fn from(c: &StoredCalibration) -> Self {
        let r = &c.chart.calibration.report;
        CalibrationView {
            mean_delta_e: r.mean_delta_e,
            max_delta_e: r.max_delta_e,
            worst_patch: COLORCHECKER_24
                .get(r.worst_patch)
                .map(|p| p.name.to_owned())
                .unwrap_or_default(),
            orientation: words::<ChartOrientation>(c.chart.orientation),
            source: c.source.clone(),
            at_unix: c.at_unix,
        }
    }
}

/// Where the guide frame sits on the mirror, as fractions of the preview (0–1), for the UI to
/// draw. The preview is mirrored; the guide is centred, so it sits the same either way.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuideView {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

/// The calibration's outcome.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum CalibrationOutcome {
    Ok {
        calibration: CalibrationView,
    },
    /// No chart could be read in the guide; `reason` says why (English, for the installer).
    NoChart {
        reason: String,
    },
    NoCamera,
}

/// The guide frame for the colour card.
#[tauri::command]
pub fn calibration_guide(kiosk: State<'_, Kiosk>) -> Result<GuideView, CommandError> {
    kiosk.require_admin()?;
    // In preview fractions the guide does not depend on the camera's size: the visible part is
    // the whole preview.
    let g = guide_rect(PixelRect {
        x: 0,
        y: 0,
        width: 10_000,
        height: 10_000,
    });
    Ok(GuideView {
        left: g.x as f32 / 10_000.0,
        top: g.y as f32 / 10_000.0,
        width: g.width as f32 / 10_000.0,
        height: g.height as f32 / 10_000.0,
    })
}

/// Reads the colour card held in the guide frame, fits the camera's colour correction, stores it
/// and reports its residual ΔE. Admin only.
#[tauri::command]
pub async fn calibrate_camera(app: AppHandle) -> Result<CalibrationOutcome, CommandError> {
    app.state::<Kiosk>().require_admin()?;
    tauri::async_runtime::spawn_blocking(move || calibrate_blocking(&app))
        .await
        .map_err(|_| CommandError::Unavailable)?
}

fn calibrate_blocking(app: &AppHandle) -> Result<CalibrationOutcome, CommandError> {
    let kiosk = app.state::<Kiosk>();
    let Ok((camera, (view_w, view_h))) = analysis::camera(app) else {
        return Ok(CalibrationOutcome::NoCamera);
    };
    // Up to five stills over two seconds; the best fit wins (a hand that moved blurs one).
    let frames = match analysis::collect(
        &camera,
        SamplerBranch {
            max_width: 1920,
            fps: 3,
            detect_faces: false,
        },
        Duration::from_secs(3),
        |_| true,
        |kept| kept.len() >= 5,
    ) {
        Ok(f) => f,
        Err(CaptureError::NoCamera) => return Ok(CalibrationOutcome::NoCamera),
        Err(e) => {
            tracing::error!(error = %e, "calibration could not take frames");
            return Err(CommandError::Unavailable);
        }
    };
    let mut best: Option<ChartCalibration> = None;
    let mut last_reason = String::from("no frame came from the camera");
    for f in &frames {
        let Ok(frame) = RgbFrame::new(f.width, f.height, &f.rgb) else {
            continue;
        };
        let guide = guide_rect(PixelRect::visible(f.width, f.height, view_w, view_h));
        match calibrate_from_frame(&frame, guide, CorrectionModel::Affine3x4) {
            Ok(c) => {
                let better = best
                    .as_ref()
                    .is_none_or(|b| c.calibration.report.mean_delta_e < b.calibration.report.mean_delta_e);
                if better {
                    best = Some(c);
                }
            }
            Err(e) => last_reason = e.to_string(),
        }
    }
    let Some(chart) = best else {
        tracing::warn!(reason = %last_reason, "calibration: no chart");
        return Ok(CalibrationOutcome::NoChart { reason: last_reason });
    };
    let stored = StoredCalibration {
        chart,
        source: lock(&kiosk.camera).source.clone(),
        at_unix: now_unix(),
    };
    let json = serde_json::to_string(&stored).map_err(|_| CommandError::Storage)?;
    atelier_store::Settings::new(&lock(&kiosk.db))
        .set(CALIBRATION_KEY, &json, stored.at_unix)
        .map_err(|e| {
            tracing::error!(error = %e, "storing the calibration failed");
            CommandError::Storage
        })?;
    let view = CalibrationView::from(&stored);
    tracing::info!(
        mean_delta_e = view.mean_delta_e,
        max_delta_e = view.max_delta_e,
        orientation = %view.orientation,
        "camera colour-calibrated"
    );
    Ok(CalibrationOutcome::Ok { calibration: view })
}

/// Forgets the camera's calibration (a new camera or new lights).
#[tauri::command]
pub fn clear_calibration(kiosk: State<'_, Kiosk>) -> Result<(), CommandError> {
    kiosk.require_admin()?;
    lock(&kiosk.db)
        .execute("DELETE FROM settings WHERE key = ?1", [CALIBRATION_KEY])
        .map_err(|_| CommandError::Storage)?;
    Ok(())
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
