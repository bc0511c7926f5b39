//! Command-line tools of the kiosk binary: `atelier catalog import FILE`, `atelier catalog sync`,
//! `atelier outbox flush`.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use atelier_store::import::{Format, ImportError, import_file};
use atelier_store::{KIOSK_MIGRATIONS, open};

use crate::startup::KIOSK_DB_FILE;

/// Exit code when the file cannot be read at all.
const EXIT_UNREADABLE: u8 = 1;
/// Exit code when no row was valid.
const EXIT_NO_VALID_ROW: u8 = 2;
/// Rejections printed in full; the rest are counted.
const SHOW_REJECTIONS: usize = 50;

/// `atelier catalog import FILE [--format csv|jsonl]`.
#[allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool's output is its product
pub fn catalog_import(data_dir: &Path, file: &Path, format: Option<&str>) -> anyhow::Result<ExitCode> {
    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => Format::Csv,
        Some("jsonl" | "json" | "ndjson") => Format::JsonLines,
        Some(other) => anyhow::bail!("unknown format {other:?}: use csv or jsonl"),
        None => Format::from_path(file).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot tell the format of {}: pass --format csv|jsonl",
                file.display()
            )
        })?,
    };
    std::fs::create_dir_all(data_dir)?;
    let mut conn = open(&data_dir.join(KIOSK_DB_FILE), &KIOSK_MIGRATIONS)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let started = Instant::now();
    let result = import_file(&mut conn, file, format, now, |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = match result {
        Ok(r) => r,
        Err(e @ (ImportError::Open { .. } | ImportError::Read(_) | ImportError::Header(_))) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
        Err(e) => return Err(e.into()),
    };
    for r in report.rejections.iter().take(SHOW_REJECTIONS) {
        eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
    }
    if report.rejected as usize > SHOW_REJECTIONS {
        eprintln!(
            "… and {} more rejected rows",
            report.rejected as usize - SHOW_REJECTIONS
        );
    }
    println!(
        "imported {} · updated {} · unchanged {} · rejected {}   ({:.1} s)",
        report.imported,
        report.updated,
        report.unchanged,
        report.rejected,
        started.elapsed().as_secs_f64()
    );
    if report.valid() == 0 {
        return Ok(ExitCode::from(EXIT_NO_VALID_ROW));
    }
    // Images referenced by the rows, relative to the file, made display-ready once.
    let base_dir = file.parent().unwrap_or(Path::new("."));
    let store = atelier_store::images::ImageStore::new(data_dir);
    let images = atelier_store::images::process_pending(&conn, &store, base_dir, now)?;
    for (source, why) in images.rejected.iter().take(SHOW_REJECTIONS) {
        eprintln!("image {source}: rejected: {why}");
    }
    let remote = if images.remote > 0 {
        format!(" · {} remote, fetched by catalog sync", images.remote)
    } else {
        String::new()
    };
    println!(
        "images: {} ready · {} rejected{remote}",
        images.ready,
        images.rejected.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `atelier catalog sync [--relay URL]`: pulls what changed on the relay's catalog hub since the
/// version this kiosk holds, stages it page by page (a killed sync resumes), then applies it all at
/// once. Without `--relay`, the relay from atelier.toml.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn catalog_sync(data_dir: &Path, relay: Option<&str>) -> anyhow::Result<ExitCode> {
    let (config, _) = atelier_config::load(
        &data_dir.join(atelier_config::KIOSK_CONFIG_FILE),
        atelier_config::parse_kiosk,
    );
    let auth = crate::catalog_sync::hub_auth(&config);
    let relay_url = relay.map_or(config.relay.url, str::to_owned);
    std::fs::create_dir_all(data_dir)?;
    if atelier_store::sync::cursor(&open(&data_dir.join(KIOSK_DB_FILE), &KIOSK_MIGRATIONS)?)?.resuming {
        eprintln!("resuming an interrupted sync");
    }
    let started = Instant::now();
    match crate::catalog_sync::run(data_dir, &relay_url, &auth, &mut |_| {}) {
        Ok(o) => {
            println!(
                "catalog version {} · pulled {} changes · {} variants updated · {} removed   ({:.2} s)",
                o.applied.version,
                o.pulled,
                o.applied.upserted,
                o.applied.deleted,
                started.elapsed().as_secs_f64()
            );
            for (source, why) in o.images.rejected.iter().take(SHOW_REJECTIONS) {
                eprintln!("image {source}: rejected: {why}");
            }
            println!(
                "images: {} ready · {} rejected",
                o.images.ready,
                o.images.rejected.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(crate::catalog_sync::SyncError::Pull(e)) => {
            eprintln!("error: {e} (what was pulled so far is kept; run again to resume)");
            Ok(ExitCode::from(EXIT_UNREADABLE))
        }
        Err(e) => Err(e.into()),
    }
}

/// `atelier outbox flush [--relay URL] [--max-batches N]`: one delivery pass of the analytics outbox
/// to the relay (what the kiosk does in the background), for installers and tests. Exit code 1 when
/// the relay could not be reached or refused; what was not delivered stays queued.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn outbox_flush(data_dir: &Path, relay: Option<&str>, max_batches: usize) -> anyhow::Result<ExitCode> {
    let (config, _) = atelier_config::load(
        &data_dir.join(atelier_config::KIOSK_CONFIG_FILE),
        atelier_config::parse_kiosk,
    );
    let auth = crate::catalog_sync::hub_auth(&config);
    let relay_url = relay.map_or(config.relay.url, str::to_owned);
    let base = match atelier_call::catalog_pull::hub_base(&relay_url) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    std::fs::create_dir_all(data_dir)?;
    let started = Instant::now();
    match crate::outbox::flush_file(&data_dir.join(KIOSK_DB_FILE), &base, &auth, max_batches) {
        Ok(o) => {
            println!(
                "delivered {} · refused {} · discarded {} · batches {} · waiting {}   ({:.2} s)",
                o.delivered,
                o.rejected,
                o.discarded,
                o.batches,
                o.remaining,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(atelier_store::outbox::DeliverError::Store(e)) => Err(e.into()),
        Err(e) => {
            eprintln!("error: {e} (what was not delivered stays queued; run again)");
            Ok(ExitCode::from(EXIT_UNREADABLE))
        }
    }
}

/// `atelier outbox …`.
#[derive(clap::Subcommand, Debug)]
pub enum OutboxAction {
    /// Delivers waiting analytics events to the relay once.
    Flush {
        /// The relay (ws://host:port/ws or http://host:port); default: the one in atelier.toml.
        #[arg(long)]
        relay: Option<String>,
        /// Stop after this many batches of 200 (default: all of them).
        #[arg(long)]
        max_batches: Option<usize>,
    },
}

/// Runs an `atelier outbox` subcommand.
pub fn outbox(data_dir: std::path::PathBuf, action: &OutboxAction) -> anyhow::Result<ExitCode> {
    match action {
        OutboxAction::Flush { relay, max_batches } => {
            outbox_flush(&data_dir, relay.as_deref(), max_batches.unwrap_or(usize::MAX))
        }
    }
}
