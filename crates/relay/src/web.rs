//! The two web clients the relay serves: the friend page (`/join`) and the stylist console
//! (`/stylist`), built by `npm run build` in `ui/` into `ui/dist/web` (see `docs/WEB.md`).
//!
//! Only the two pages and the flat `assets/` folder next to them are served, by exact name; every
//! answer carries a strict content security policy (scripts, styles and images from the relay
//! itself, WebSockets only to the relay) and `referrer-policy: no-referrer`, so the invite token in
//! the friend link's fragment never travels further.

use std::path::{Path, PathBuf};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Where the relay looks for the built pages when neither `--web-dir` nor `ATELIER_WEB_DIR` says:
/// the build output, relative to the current directory (a repository checkout).
pub const DEFAULT_WEB_DIR: &str = "ui/dist/web";
/// The environment variable naming the pages' directory.
pub const WEB_DIR_ENV: &str = "ATELIER_WEB_DIR";
/// The URL prefix of the pages' scripts and styles (vite's `base` in `ui/vite.web.config.ts`).
pub const ASSETS_PREFIX: &str = "/web/assets/";

/// The pages' directory: the flag, else the environment, else [`DEFAULT_WEB_DIR`].
pub fn resolve_web_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os(WEB_DIR_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_WEB_DIR))
}

/// One of the served pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The friend's page, `/join`.
    Join,
    /// The stylist console, `/stylist`.
    Stylist,
    /// Store staff's fitting-room requests, `/staff`.
    Staff,
}

impl Page {
    fn file(self) -> &'static str {
        match self {
            Page::Join => "join.html",
            Page::Stylist => "stylist.html",
            Page::Staff => "staff.html",
        }
    }
}

/// The content security policy of every page and asset. `host` (the request's `Host`, checked) adds
/// the relay's own `ws:`/`wss:` origins, which older browsers do not count as `'self'`.
pub fn content_security_policy(host: Option<&str>) -> String {
    let sockets = host
        .filter(|h| is_plain_host(h))
        .map(|h| format!(" ws://{h} wss://{h}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; \
         media-src 'self' blob: mediastream:; font-src 'self'; connect-src 'self'{sockets}; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// `host[:port]` with nothing but letters, digits, dots, dashes, colons and IPv6 brackets.
fn is_plain_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// An asset's file name as vite writes it (`join-Ab12_x.js`): no separators, no leading dot.
fn is_asset_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The headers every answer of this module carries.
fn security_headers(headers: &mut HeaderMap, request: &HeaderMap) {
    let host = request.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(host)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=(), payment=()"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
}

fn not_built(dir: &Path, request: &HeaderMap) -> Response {
    tracing::warn!(dir = %dir.display(), "web clients requested but not built");
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "The web clients (friend page, stylist console) are not built on this relay.\n\
         Build them with `npm run build` in ui/, then start the relay with --web-dir ui/dist/web \
         (or set ATELIER_WEB_DIR).\n",
    )
        .into_response();
    security_headers(res.headers_mut(), request);
    res
}

fn file_response(bytes: Vec<u8>, name: &str, cache: &'static str, request: &HeaderMap) -> Response {
    let mut res = (
        [
            (header::CONTENT_TYPE, content_type(name)),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response();
    security_headers(res.headers_mut(), request);
    res
}

/// A page: `no-cache` (it names the current hashed assets), or 503 when the pages are not built.
pub async fn page(dir: Option<&Path>, page: Page, request: &HeaderMap) -> Response {
    let Some(dir) = dir else {
        return not_built(Path::new("(none configured)"), request);
    };
    match tokio::fs::read(dir.join(page.file())).await {
        Ok(bytes) => file_response(bytes, page.file(), "no-cache", request),
        Err(_) => not_built(dir, request),
    }
}

/// A script, style or image from `assets/`, by exact name. Vite puts a content hash in each name,
/// so they are cached for good.
pub async fn asset(dir: Option<&Path>, name: &str, request: &HeaderMap) -> Response {
    let Some(dir) = dir else {
        return not_built(Path::new("(none configured)"), request);
    };
    if !is_asset_name(name) {
        return not_found(request);
    }
    match tokio::fs::read(dir.join("assets").join(name)).await {
        Ok(bytes) => file_response(bytes, name, "public, max-age=31536000, immutable", request),
        Err(_) => {
            if tokio::fs::metadata(dir.join(Page::Join.file())).await.is_err() {
                not_built(dir, request)
            } else {
                not_found(request)
            }
        }
    }
}

fn not_found(request: &HeaderMap) -> Response {
    let mut res = (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response();
    security_headers(res.headers_mut(), request);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_cannot_leave_the_folder() {
        assert!(is_asset_name("join-Ab12_x.js"));
        assert!(is_asset_name("stylist-9f.css"));
        for bad in [
            "",
            "..",
            "../relay.sqlite",
            ".env",
            "a/b.js",
            "a\\b.js",
            "%2e%2e",
            "a b.js",
        ] {
            assert!(!is_asset_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_policy_names_the_relay_socket_only_for_a_plain_host() {
        let csp = content_security_policy(Some("127.0.0.1:8787"));
        assert!(
            csp.contains("connect-src 'self' ws://127.0.0.1:8787 wss://127.0.0.1:8787;"),
            "{csp}"
        );
        assert!(csp.contains("default-src 'none'"));
        assert!(csp.contains("script-src 'self';"));
        let odd = content_security_policy(Some("evil.example; script-src *"));
        assert!(odd.contains("connect-src 'self';"), "{odd}");
        assert!(!odd.contains("evil"));
    }

    #[test]
    fn the_flag_wins_over_the_default() {
        assert_eq!(resolve_web_dir(Some(PathBuf::from("/x"))), PathBuf::from("/x"));
    }
}
