//! The `img:` URI scheme: serves display-ready product images from the content-addressed cache.
//! Only `img://localhost/<64 hex>/<thumb|card|full>` resolves; anything else is a 404, so the page
//! can never name another file.

use std::borrow::Cow;

use tauri::http::{Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::{Kiosk, lock};

/// The scheme's name.
pub const SCHEME: &str = "img";

/// The URL of one rendition, as the page uses it.
pub fn url(hash: &str, size: &str) -> String {
    format!("{SCHEME}://localhost/{hash}/{size}")
}

/// The URL of a snapshot held in memory for this session.
pub fn snapshot_url(id: u32) -> String {
    format!("{SCHEME}://localhost/snap/{id}")
}

/// Parses `/snap/<id>`.
fn parse_snapshot(path: &str) -> Option<u32> {
    let id = path.strip_prefix("/snap/")?;
    if id.is_empty() || id.len() > 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

/// Parses `/<hash>/<size>`, refusing anything else.
fn parse(path: &str) -> Option<(&str, &str)> {
    let (hash, size) = path.trim_start_matches('/').split_once('/')?;
    let hash_ok = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let size_ok = atelier_store::images::SIZES.iter().any(|(name, _)| *name == size);
    (hash_ok && size_ok).then_some((hash, size))
}

/// Handles one request off the main thread.
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let kiosk = ctx.app_handle().state::<Kiosk>();
    let path = request.uri().path().to_owned();
    if let Some(id) = parse_snapshot(&path) {
        // From memory: snapshots are never written anywhere.
        let jpeg = lock(&kiosk.snapshots)
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, j)| j.clone());
        let response = match jpeg {
            Some(bytes) => Response::builder()
                .header("Content-Type", "image/jpeg")
                .header("Cache-Control", "no-store")
                .body(Cow::Owned(bytes)),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Cow::Borrowed(&b""[..])),
        };
        match response {
            Ok(r) => responder.respond(r),
            Err(e) => tracing::error!(error = %e, "building a snapshot response failed"),
        }
        return;
    }
    let data_dir = kiosk.data_dir.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let response = match parse(&path) {
            Some((hash, size)) => {
                let file = atelier_store::images::ImageStore::new(&data_dir).path(hash, size);
                match std::fs::read(&file) {
                    Ok(bytes) => Response::builder()
                        .header("Content-Type", "image/jpeg")
                        .header("Cache-Control", "max-age=31536000, immutable")
                        .body(Cow::Owned(bytes)),
                    Err(_) => Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .body(Cow::Borrowed(&b""[..])),
                }
            }
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Cow::Borrowed(&b""[..])),
        };
        match response {
            Ok(r) => responder.respond(r),
            Err(e) => tracing::error!(error = %e, "building an image response failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_hash_and_known_size_resolve() {
        let h = "a".repeat(64);
        assert_eq!(parse(&format!("/{h}/card")), Some((h.as_str(), "card")));
        assert_eq!(parse(&format!("/{h}/../../etc/passwd")), None);
        assert_eq!(parse("/../../etc/passwd/card"), None);
        assert_eq!(parse(&format!("/{}/card", "A".repeat(64))), None);
        assert_eq!(parse(&format!("/{h}/huge")), None);
        assert_eq!(super::parse_snapshot("/snap/12"), Some(12));
        assert_eq!(super::parse_snapshot("/snap/../1"), None);
        assert_eq!(super::parse_snapshot("/snap/"), None);
    }
}
