//! The `img:` URI scheme: serves display-ready product images from the content-addressed cache.
//! Only `img://localhost/<64 hex>/<thumb|card|full>` resolves; anything else is a 404, so the page
//! can never name another file.

use std::borrow::Cow;

use tauri::http::{Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::Kiosk;

/// The scheme's name.
pub const SCHEME: &str = "img";

/// The URL of one rendition, as the page uses it.
pub fn url(hash: &str, size: &str) -> String {
    format!("{SCHEME}://localhost/{hash}/{size}")
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
    let data_dir = ctx.app_handle().state::<Kiosk>().data_dir.clone();
    let path = request.uri().path().to_owned();
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
    }
}
