//! `atelier-relay catalog publish FILE`: on the relay host (into its database), or with `--relay URL`
//! uploaded to a running relay (`POST /api/catalog/publish`). Both print the same summary.

use std::path::Path;

use anyhow::{Context, bail};
use atelier_relay::catalog_hub::PublishSummary;
use atelier_store::import::Format;

/// The environment variable that may hold the admin token for `--relay`.
const TOKEN_ENV: &str = "ATELIER_ADMIN_TOKEN";

fn format_of(file: &Path) -> anyhow::Result<Format> {
    Format::from_path(file).context("the file must end in .csv or .jsonl")
}

/// Prints a publish's outcome; fails when nothing was published.
#[allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool's output is its product
fn print_summary(file: &Path, s: &PublishSummary) -> anyhow::Result<()> {
    for r in &s.rejections {
        eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
    }
    println!(
        "catalog version {} · changed {} · deleted {} · unchanged {} · rejected {}",
        s.version, s.changed, s.deleted, s.unchanged, s.rejected
    );
    for m in &s.missing_images {
        eprintln!("image {}: not published: {}", m.image, m.reason);
    }
    println!(
        "images on the hub: {} · missing {}",
        s.images_stored, s.images_missing
    );
    if s.valid_rows == 0 {
        bail!("no valid row: nothing published");
    }
    Ok(())
}

/// Publishes `file` into the relay database in `data_dir`.
pub(crate) fn publish_local(data_dir: &Path, file: &Path) -> anyhow::Result<()> {
    let format = format_of(file)?;
    let mut conn = atelier_store::open(
        &data_dir.join(atelier_relay::RELAY_DB_FILE),
        &atelier_relay::RELAY_MIGRATIONS,
    )?;
    let report = atelier_relay::catalog_hub::publish(&mut conn, file, format, data_dir)?;
    print_summary(file, &PublishSummary::from(&report))
}

/// The admin token: the first line of `token_file`, else `$ATELIER_ADMIN_TOKEN`.
fn admin_token(token_file: Option<&Path>) -> anyhow::Result<String> {
    let token = match token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading --token-file {}", path.display()))?;
            text.lines().next().unwrap_or("").trim().to_owned()
        }
        None => std::env::var(TOKEN_ENV)
            .map(|t| t.trim().to_owned())
            .with_context(|| format!("--relay needs the admin token: --token-file PATH or ${TOKEN_ENV}"))?,
    };
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        bail!("the admin token must be printable characters without spaces");
    }
    Ok(token)
}

/// Uploads `file` to the relay at `relay` (`http://host:port`), streaming it from disk.
pub(crate) fn publish_remote(relay: &str, token_file: Option<&Path>, file: &Path) -> anyhow::Result<()> {
    let format = format_of(file)?;
    let token = admin_token(token_file)?;
    let base = relay.trim_end_matches('/');
    if base.starts_with("https://") {
        bail!("--relay: this build speaks plain HTTP only (as the kiosks do); use http://host:port");
    }
    if !base.starts_with("http://") {
        bail!("--relay must be an http://host:port URL");
    }
    let (query, content_type) = match format {
        Format::Csv => ("csv", "text/csv"),
        Format::JsonLines => ("jsonl", "application/x-ndjson"),
    };
    let body = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    // Answers other than 2xx carry a JSON body worth showing.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut answer = agent
        .post(format!("{base}/api/catalog/publish?format={query}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        // The relay refuses (token, size, a publish already running) before the file is sent.
        .header("expect", "100-continue")
        .send(body)
        .with_context(|| format!("uploading the catalog to {base}"))?;
    let status = answer.status();
    let text = answer
        .body_mut()
        .read_to_string()
        .context("reading the relay's answer")?;
    match serde_json::from_str::<PublishSummary>(&text) {
        // 200, or 400 when no row was valid: the summary either way.
        Ok(summary) => print_summary(file, &summary),
        Err(_) => {
            let error = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_else(|| text.chars().take(200).collect());
            bail!("the relay refused the publish ({status}): {error}");
        }
    }
}
