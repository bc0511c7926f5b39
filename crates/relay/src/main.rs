//! `atelier-relay`: the store's relay server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use atelier_config::{RELAY_CONFIG_FILE, load, parse_relay};
use atelier_relay::calls::{CallConfig, IceConfig, PasswordCost};
use atelier_relay::server::{ServeOptions, serve};
use clap::Parser;

/// The Atelier relay: presence, the catalog hub, and call signalling (the stylist queue, friend invites).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on; overrides `listen` in relay.toml. Defaults to 127.0.0.1:8787.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Also enroll the demo kiosk and add the demo stylist and staff accounts (in memory; their
    /// credentials are public and printed in the log). For demos and tests only.
    #[arg(long)]
    demo: bool,
    /// Where the relay keeps relay.toml and its database (default: the XDG data dir).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// The built web clients served at /join and /stylist (`npm run build` in ui/). Default:
    /// $ATELIER_WEB_DIR, else ui/dist/web under the current directory.
    #[arg(long)]
    web_dir: Option<PathBuf>,
    /// A file whose first line is the admin token (16+ characters) that opens the analytics
    /// report at /admin/report and /api/report. Without it the report is off (--demo: `demo-admin`).
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// How long a friend invite lasts, in seconds (default 600). For tests of expiry.
    #[arg(long, hide = true)]
    invite_ttl_secs: Option<u64>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// The catalog hub.
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// Stylist and staff accounts for calls. A running relay picks changes up when restarted.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Enrolls a kiosk for calls (or re-enrolls it with a new key) and prints its device key once.
    Enroll {
        /// The kiosk's `[kiosk] device_id`.
        #[arg(long)]
        device: String,
        /// The store whose staff may answer it.
        #[arg(long)]
        store: String,
        /// The fitting room, as stylists see it.
        #[arg(long)]
        room: String,
    },
}

#[derive(clap::Subcommand, Debug)]
enum AccountAction {
    /// Adds an account, or replaces it (new password; its sessions end at the next start).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Required for staff: the store whose requests they answer.
        #[arg(long)]
        store: Option<String>,
        /// The name shown to kiosks and colleagues.
        #[arg(long)]
        name: String,
        /// Read the password from the first line of stdin without a prompt (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Removes an account.
    Remove {
        #[arg(long)]
        username: String,
    },
    /// Lists the accounts (never their hashes).
    List,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum RoleArg {
    Stylist,
    Staff,
}

#[derive(clap::Subcommand, Debug)]
enum CatalogAction {
    /// Publishes a full catalog (CSV or JSON Lines, docs/CATALOG_FORMAT.md); kiosks pull the changes.
    /// Into this host's relay database, or with --relay uploaded to a running relay.
    Publish {
        file: PathBuf,
        /// Upload to the relay at this URL (http://host:port) instead of writing the local database.
        #[arg(long)]
        relay: Option<String>,
        /// With --relay: a file whose first line is the relay's admin token. Default: $ATELIER_ADMIN_TOKEN.
        #[arg(long, requires = "relay")]
        token_file: Option<PathBuf>,
    },
}

mod admin;
mod catalog_cli;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    // A remote publish touches no local data dir.
    if let Some(Command::Catalog {
        action:
            CatalogAction::Publish {
                file,
                relay: Some(relay),
                token_file,
            },
    }) = &args.command
    {
        return catalog_cli::publish_remote(relay, token_file.as_deref(), file);
    }
    let data_dir = match args.data_dir {
        Some(d) => d,
        None => dirs::data_dir()
            .context("no XDG data dir; pass --data-dir")?
            .join("atelier-relay"),
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;

    match &args.command {
        Some(Command::Catalog {
            action: CatalogAction::Publish { file, .. },
        }) => return catalog_cli::publish_local(&data_dir, file),
        Some(Command::Account { action }) => return admin::account(&data_dir, action),
        Some(Command::Enroll { device, store, room }) => {
            return admin::enroll(&data_dir, device, store, room);
        }
        None => {}
    }

    let (config, problems) = load(&data_dir.join(RELAY_CONFIG_FILE), parse_relay);
    for p in &problems {
        tracing::warn!("relay.toml: {p}");
    }
    if config.turn.turn_urls_without_secret() {
        tracing::warn!(
            "relay.toml: `turn.urls` has turn: URLs but `turn.secret` is not set; they are left out"
        );
    }
    let admin_token = args
        .admin_token_file
        .as_deref()
        .map(|path| {
            atelier_relay::analytics::AdminToken::from_file(path)
                .with_context(|| format!("--admin-token-file {}", path.display()))
        })
        .transpose()?;
    let listen = args.listen.unwrap_or(config.listen);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %data_dir.display(), "relay listening");
    #[allow(clippy::print_stdout)]
    {
        println!(
            "atelier-relay listening on http://{addr}/ (health: http://{addr}/healthz, kiosks: ws://{addr}/ws, calls: ws://{addr}/call, friends: http://{addr}/join, stylists: http://{addr}/stylist, report: http://{addr}/admin/report)"
        );
    }

    let mut calls = CallConfig {
        ice: IceConfig {
            urls: config.turn.urls.clone(),
            turn_secret: config.turn.secret.clone(),
            ttl: Duration::from_secs(u64::from(config.turn.ttl_secs)),
        },
        ..CallConfig::default()
    };
    if let Some(secs) = args.invite_ttl_secs {
        calls.invite_ttl = Duration::from_secs(secs.max(1));
    }
    let web_dir = atelier_relay::web::resolve_web_dir(args.web_dir.clone());
    if web_dir.join("join.html").is_file() {
        tracing::info!(web_dir = %web_dir.display(), "serving the friend page and the stylist console");
    } else {
        tracing::warn!(
            web_dir = %web_dir.display(),
            "the web clients are not built there: /join and /stylist answer 503 (npm run build in ui/)"
        );
    }
    let options = ServeOptions {
        heartbeat: Duration::from_secs(u64::from(config.heartbeat_interval_secs)),
        calls,
        password_cost: PasswordCost::STANDARD,
        demo: args.demo,
        web_dir: Some(web_dir),
        admin_token,
        max_publish_bytes: atelier_relay::server::MAX_PUBLISH_BYTES,
    };
    serve(listener, &data_dir, options, shutdown_signal()).await?;
    tracing::info!("relay stopped");
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
