//! `atelier-relay`: the store's relay server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use atelier_config::{RELAY_CONFIG_FILE, load, parse_relay};
use atelier_relay::server::{ServeOptions, serve};
use clap::Parser;

/// The Atelier relay: signaling, presence and (later) the stylist queue for a store's kiosks.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on; overrides `listen` in relay.toml. Defaults to 127.0.0.1:8787.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Where the relay keeps relay.toml and its database (default: the XDG data dir).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// The catalog hub.
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
}

#[derive(clap::Subcommand, Debug)]
enum CatalogAction {
    /// Publishes a full catalog (CSV or JSON Lines, docs/CATALOG_FORMAT.md); kiosks pull the changes.
    Publish { file: PathBuf },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let data_dir = match args.data_dir {
        Some(d) => d,
        None => dirs::data_dir()
            .context("no XDG data dir; pass --data-dir")?
            .join("atelier-relay"),
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;

    if let Some(Command::Catalog {
        action: CatalogAction::Publish { file },
    }) = &args.command
    {
        return publish(&data_dir, file);
    }

    let (config, problems) = load(&data_dir.join(RELAY_CONFIG_FILE), parse_relay);
    for p in &problems {
        tracing::warn!("relay.toml: {p}");
    }
    let listen = args.listen.unwrap_or(config.listen);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %data_dir.display(), "relay listening");
    #[allow(clippy::print_stdout)]
    {
        println!(
            "atelier-relay listening on http://{addr}/ (health: http://{addr}/healthz, kiosks: ws://{addr}/ws)"
        );
    }

    let options = ServeOptions {
        heartbeat: Duration::from_secs(u64::from(config.heartbeat_interval_secs)),
    };
    serve(listener, &data_dir, options, shutdown_signal()).await?;
    tracing::info!("relay stopped");
    Ok(())
}

#[allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool's output is its product
fn publish(data_dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<()> {
    use atelier_store::import::Format;
    let format = Format::from_path(file).context("the file must end in .csv or .jsonl")?;
    let mut conn = atelier_store::open(
        &data_dir.join(atelier_relay::RELAY_DB_FILE),
        &atelier_relay::RELAY_MIGRATIONS,
    )?;
    let report = atelier_relay::catalog_hub::publish(&mut conn, file, format, data_dir)?;
    for r in report.rows.rejections.iter().take(50) {
        eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
    }
    println!(
        "catalog version {} · changed {} · deleted {} · unchanged {} · rejected {}",
        report.version, report.changed, report.deleted, report.unchanged, report.rows.rejected
    );
    for (image, why) in report.images_missing.iter().take(50) {
        eprintln!("image {image}: not published: {why}");
    }
    println!(
        "images on the hub: {} · missing {}",
        report.images_stored,
        report.images_missing.len()
    );
    if report.rows.valid_rows == 0 {
        anyhow::bail!("no valid row: nothing published");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
