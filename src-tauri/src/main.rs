//! `atelier`: the fitting-room kiosk app.

mod analysis;
mod call;
mod camera;
mod catalog_sync;
mod cli;
mod commands;
mod doctor;
mod gpu;
mod images;
mod ipc;
mod outbox;
mod pin;
mod power;
mod provision;
mod recommend_cli;
mod relay_link;
mod sdnotify;
mod settings;
mod startup;
mod state;
mod tags;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use atelier_call::RelayStatus;
use atelier_domain::Session;
use clap::Parser;
use tauri::{Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::ipc::events;
use crate::pin::PinGate;
use crate::state::{Kiosk, lock};

/// The Atelier fitting-room kiosk. Without a subcommand it runs the kiosk.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Where the kiosk keeps atelier.toml and its database (default: the XDG data dir).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Demo mode: the embedded test camera source and the demo catalog.
    #[arg(long)]
    demo: bool,
    /// A normal window instead of fullscreen, for development.
    #[arg(long)]
    windowed: bool,
    /// Print a JSON line on stdout when the UI is interactive (used by the start-up benchmark).
    #[arg(long, hide = true)]
    report_ready: bool,
}

#[derive(clap::Subcommand, Debug)]
// Parsed once at start: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// The store's catalog in the kiosk's database.
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// Complete looks for a shopper profile from the cached catalog and this store's stock
    /// (profile format: docs/RECOMMEND_PROFILE.md).
    Recommend {
        /// The shopper profile (JSON).
        #[arg(long)]
        profile: PathBuf,
        /// Garments in hand: variant SKUs or GTINs, comma-separated (replaces the profile's list).
        #[arg(long)]
        scanned: Option<String>,
        /// An occasion such as work, date, party, travel (replaces the profile's).
        #[arg(long)]
        occasion: Option<String>,
        /// Whose stock (default: the store in atelier.toml).
        #[arg(long)]
        store: Option<String>,
        /// Print the looks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Self-test: camera frames, encoder, face detection, display, relay, TURN, catalog age,
    /// calibration, disk space, clock. Exit code 1 when a check fails.
    Doctor {
        /// Test this camera source instead of the configured one (auto, test, /dev/videoN, file:PATH).
        #[arg(long)]
        camera: Option<String>,
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// For installers: checks this machine against a hardware profile and writes the kiosk session
    /// (cage unit, udev rule, atelier.toml) under --root (docs/PROVISION.md). --dry-run writes nothing.
    Provision(provision::ProvisionArgs),
    /// Prints the argon2id hash of a PIN read from stdin, for `[admin] pin_hash` in atelier.toml
    /// (a PIN set at provisioning is stored this way; see `atelier provision --pin-file`).
    HashPin,
    /// The analytics outbox (docs/ANALYTICS.md).
    Outbox {
        #[command(subcommand)]
        action: cli::OutboxAction,
    },
}

#[derive(clap::Subcommand, Debug)]
enum CatalogAction {
    /// Imports products, variants and stock from a CSV or JSON Lines file (docs/CATALOG_FORMAT.md).
    Import {
        file: PathBuf,
        /// csv or jsonl; guessed from the file name when left out.
        #[arg(long)]
        format: Option<String>,
    },
    /// Pulls what changed on the relay's catalog hub and applies it all at once.
    Sync {
        /// The relay (ws://host:port/ws or http://host:port); default: the one in atelier.toml.
        #[arg(long)]
        relay: Option<String>,
    },
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let process_start = Instant::now();
    let args = Args::parse();
    let default_filter = if args.command.is_some() { "warn" } else { "info" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Some(Command::Recommend {
        profile,
        scanned,
        occasion,
        store,
        json,
    }) = &args.command
    {
        let data_dir = args.data_dir.clone().unwrap_or_else(startup::default_data_dir);
        return recommend_cli::run(
            &data_dir,
            recommend_cli::Options {
                profile,
                scanned: scanned.as_deref(),
                occasion: occasion.as_deref(),
                store: store.as_deref(),
                json: *json,
            },
        );
    }
    if let Some(Command::Doctor { camera, json }) = &args.command {
        let data_dir = args.data_dir.clone().unwrap_or_else(startup::default_data_dir);
        std::fs::create_dir_all(&data_dir)?;
        return doctor::cli(&data_dir, camera.as_deref(), *json);
    }
    if let Some(Command::HashPin) = &args.command {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return match pin::hash_pin(line.trim()) {
            Ok(h) => {
                use std::io::Write;
                writeln!(std::io::stdout(), "{h}")?;
                Ok(std::process::ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(std::process::ExitCode::from(2))
            }
        };
    }
    if let Some(Command::Outbox { action }) = &args.command {
        return cli::outbox(
            args.data_dir.clone().unwrap_or_else(startup::default_data_dir),
            action,
        );
    }
    if let Some(Command::Provision(p)) = &args.command {
        return provision::cli(p, args.data_dir.as_deref());
    }
    if let Some(Command::Catalog { action }) = &args.command {
        let data_dir = args.data_dir.clone().unwrap_or_else(startup::default_data_dir);
        return match action {
            CatalogAction::Import { file, format } => cli::catalog_import(&data_dir, file, format.as_deref()),
            CatalogAction::Sync { relay } => cli::catalog_sync(&data_dir, relay.as_deref()),
        };
    }
    let started = startup::start(args.data_dir.as_deref());
    tracing::info!(data_dir = %started.data_dir.display(), problems = started.problems.len(), demo = args.demo, "starting");

    let config = started.config;
    let kiosk = Kiosk {
        session: Mutex::new(Session::new(Kiosk::timeouts(&config))),
        language: Mutex::new(config.ui.language),
        relay: Mutex::new(RelayStatus::initial(&config.relay.url)),
        camera: Mutex::new(camera::CameraView::off()),
        pin_gate: Mutex::new(PinGate::default()),
        db: Mutex::new(started.db),
        catalog_sync_error: Mutex::new(None),
        catalog_syncing: std::sync::atomic::AtomicBool::new(false),
        snapshots: Mutex::new(Vec::new()),
        snapshot_seq: std::sync::atomic::AtomicU32::new(1),
        scans: Mutex::new(Vec::new()),
        tag_seq: std::sync::atomic::AtomicU32::new(1),
        tag_pending: Mutex::new(std::collections::VecDeque::new()),
        skin: Mutex::new(None),
        shown_looks: Mutex::new(Vec::new()),
        admin_until: Mutex::new(None),
        call: call::CallHandle::default(),
        call_view: Mutex::new(call::CallView::disabled()),
        problems: started.problems,
        data_dir: started.data_dir,
        config_path: started.config_path,
        demo: args.demo,
        process_start,
        report_ready: args.report_ready,
        settings: Mutex::new(std::sync::Arc::new(config)),
    };
    let fullscreen = kiosk.config().display.fullscreen && !args.windowed;
    let portrait = kiosk.config().display.orientation == atelier_config::Orientation::Portrait;
    // A two-way mirror needs no picture: the glass is the reflection. Otherwise the camera
    // pipeline runs even when `auto` finds no camera yet, so one plugged in later shows up.
    let camera_wanted = !kiosk.config().display.mirror_glass;
    let camera_source = match (camera_wanted, args.demo) {
        (false, _) => None,
        (true, true) => Some(demo_camera()),
        (true, false) => camera::resolve(kiosk.config().camera.source.clone()),
    };
    tune_webkit(camera_wanted);
    log_gpu();

    let power_slot = power::PowerSlot::new(&kiosk.config());
    tauri::Builder::default()
        .manage(kiosk)
        .manage(camera::CameraSlot::default())
        .manage(power_slot)
        .manage(relay_link::RelayLink::default())
        .manage(commands::looks::LooksIndex::default())
        .manage(commands::looks::Learning::default())
        .register_asynchronous_uri_scheme_protocol(images::SCHEME, images::handle)
        .invoke_handler(tauri::generate_handler![
            commands::kiosk::kiosk_snapshot,
            commands::kiosk::set_language,
            commands::kiosk::ui_ready,
            commands::session::start_session,
            commands::session::session_activity,
            commands::session::end_session,
            commands::admin::admin_unlock,
            commands::catalog::catalog_page,
            commands::catalog::catalog_categories,
            commands::camera::set_flattering,
            commands::camera::take_snapshot,
            commands::camera::delete_snapshot,
            commands::camera::lookup_tag,
            commands::camera::tag_shown,
            commands::looks::recommend_looks,
            commands::looks::bring_me,
            commands::looks::look_event,
            commands::skin::analyse_skin,
            commands::skin::skin_result,
            commands::skin::forget_skin,
            commands::skin::calibration_guide,
            commands::skin::calibrate_camera,
            commands::skin::clear_calibration,
            commands::call::call_view,
            commands::call::ask_friend,
            commands::call::ask_stylist,
            commands::call::cancel_advice,
            commands::call::hang_up,
            commands::call::call_mute,
            commands::call::call_camera_off,
            commands::call::board_action,
            commands::call::ask_staff,
            commands::call::cancel_ask,
            commands::kiosk::screen_touch,
            commands::admin::admin_settings,
            commands::admin::admin_save_settings,
            commands::admin::admin_preview_camera,
            commands::admin::admin_sync_catalog,
            commands::session::report_problem,
        ])
        .setup(move |app| {
            let (w, h) = if portrait {
                (608.0, 1080.0)
            } else {
                (1080.0, 608.0)
            };
            let window = WebviewWindowBuilder::new(app, "kiosk", WebviewUrl::App("index.html".into()))
                .title("Atelier")
                .decorations(false)
                .fullscreen(fullscreen)
                .inner_size(w, h)
                .build()?;
            let scale = window.scale_factor().unwrap_or(1.0);
            let mut video_size = ((w * scale) as u32, (h * scale) as u32);
            if fullscreen {
                // Without a window manager (a bare kiosk X session, Xvfb) the fullscreen request is
                // not honoured: cover the monitor ourselves as well.
                if let Ok(Some(monitor)) = window.current_monitor() {
                    let _ = window.set_position(*monitor.position());
                    let _ = window.set_size(*monitor.size());
                    video_size = (monitor.size().width, monitor.size().height);
                }
            }
            if camera_wanted {
                // Scaled in GStreamer to the exact size on screen, so the X server never scales.
                camera::start(app.handle(), &window, camera_source, video_size.0, video_size.1);
                camera::spawn_stats_reporter(app.handle().clone());
            }
            // The unit's watchdog is fed from this (the UI) thread's main loop.
            #[cfg(target_os = "linux")]
            sdnotify::start_watchdog();
            relay_link::start(app.handle());
            call::spawn(app.handle().clone());
            spawn_session_ticker(app.handle().clone());
            outbox::spawn(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The demo's camera: the bundled clip of a shopper showing garment tags when it is there (the
/// source tree or an installed copy), else the embedded test pattern. `ATELIER_DEMO_CAMERA`
/// overrides it (`test`, `file:…`).
fn demo_camera() -> atelier_domain::CameraSource {
    if let Some(s) = std::env::var("ATELIER_DEMO_CAMERA")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return s;
    }
    let clip = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo-clip/fitting-room.mp4");
    if clip.is_file() {
        return atelier_domain::CameraSource::File(clip.to_string_lossy().into_owned());
    }
    atelier_domain::CameraSource::Test
}

/// WebKit settings measured on the kiosk (see docs/ARCHITECTURE.md, "Memory"); an operator's own
/// environment always wins. Must run before any thread starts.
fn tune_webkit(video_layer: bool) {
    let set = |key: &str, value: &str| {
        if std::env::var_os(key).is_none() {
            #[allow(unsafe_code)]
            // SAFETY: called at the top of main, before Tauri, tokio or GStreamer start any thread,
            // so nothing reads the environment concurrently.
            unsafe {
                std::env::set_var(key, value)
            };
        }
    };
    // The page is flat 2D: painting it on the CPU instead of through GL saved ~55 MiB PSS with the
    // same CPU use.
    set("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
    if !video_layer {
        // Without a picture under the page, compositing buys nothing: ~110 MiB PSS less and cheaper
        // drawing. (With the picture it is required: without it the webview is opaque.)
        set("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// Says once at start-up where the page will be composited: on a GPU, or in software (slow lists;
/// `atelier doctor` says the same with the fix).
fn log_gpu() {
    match gpu::detect_here() {
        Ok(gpus) => match gpus.iter().find(|g| g.accessible) {
            Some(g) => {
                tracing::info!(node = %g.node, driver = ?g.driver, "GPU: the page is composited on it")
            }
            None if gpus.is_empty() => {
                tracing::warn!("no GPU render node: the page is composited in software, lists scroll slowly")
            }
            None => tracing::warn!(
                nodes = ?gpus.iter().map(|g| g.node.as_str()).collect::<Vec<_>>(),
                "a GPU is there but this user cannot open it (not in the render group): compositing in software"
            ),
        },
        Err(e) => tracing::warn!(error = %e, "could not look for a GPU"),
    }
}

/// Drives the session's timers (idle → "Still there?" → wipe) and refreshes the countdown.
fn spawn_session_ticker(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut last = None;
        loop {
            tick.tick().await;
            let kiosk = app.state::<Kiosk>();
            let now = Instant::now();
            let due = lock(&kiosk.session).poll_timeout().is_some_and(|t| t <= now);
            power::tick(&app);
            let mut language_changed = false;
            if due {
                let events = lock(&kiosk.session).handle_timeout(now);
                language_changed = kiosk.apply_session_events(&events);
            }
            let view = lock(&kiosk.session).view(now);
            // Emit only changes: phase, countdown second, new session.
            let key = (view.phase, view.number, view.still_there_secs_left);
            if last != Some(key) {
                last = Some(key);
                let _ = app.emit(events::SESSION, &view);
            }
            if language_changed {
                let _ = app.emit(events::LANGUAGE, *lock(&kiosk.language));
            }
        }
    });
}
