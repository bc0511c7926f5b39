//! Head office publishes the catalog over HTTP (`POST /api/catalog/publish`, admin token): the body
//! is streamed into a file under the data dir, published like `atelier-relay catalog publish FILE`,
//! and deleted. One publish at a time; the others get 409.

use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

use atelier_store::import::{Format, ImportError};
use axum::body::Body;
use futures_util::StreamExt as _;
use tokio::io::AsyncWriteExt as _;

use super::*;
use crate::catalog_hub::{LocalImages, PublishSummary};

/// The largest catalog a publish over HTTP takes by default, in bytes (1 GiB; see
/// [`ServeOptions::max_publish_bytes`]).
pub const MAX_PUBLISH_BYTES: u64 = 1 << 30;

/// The folder under the data dir that holds uploads while they are published. Local image paths in an
/// uploaded catalog are read relative to it, and only inside it (see [`LocalImages::InsideFolder`]).
pub const UPLOAD_DIR: &str = "catalog-upload";

/// Name prefix of an upload in [`UPLOAD_DIR`] (left behind only if the relay died mid-publish).
const UPLOAD_PREFIX: &str = ".publish-";

/// Bytes gathered before each write to the upload file.
const WRITE_BUFFER_BYTES: usize = 256 * 1024;

#[derive(serde::Deserialize)]
pub(super) struct PublishQuery {
    format: Option<String>,
}

/// A JSON error answer: `{"error": "…"}`.
fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [("cache-control", "no-store")],
        Json(serde_json::json!({ "error": message })),
    )
        .into_response()
}

/// The file's format: `?format=csv|jsonl` first, else the content type; or the status and why not.
fn format_of(query: Option<&str>, content_type: Option<&str>) -> Result<Format, (StatusCode, &'static str)> {
    if let Some(q) = query {
        return match q.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::JsonLines),
            _ => Err((StatusCode::BAD_REQUEST, "format must be csv or jsonl")),
        };
    }
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match mime.as_deref() {
        Some("text/csv") => Ok(Format::Csv),
        Some(
            "application/x-ndjson"
            | "application/jsonl"
            | "application/jsonlines"
            | "application/x-jsonlines",
        ) => Ok(Format::JsonLines),
        _ => Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "say the catalog's format: ?format=csv|jsonl, or content-type text/csv or application/x-ndjson",
        )),
    }
}

/// The right to publish; given back when dropped (also when the client hangs up mid-upload).
struct PublishSlot(Arc<Hub>);

impl PublishSlot {
    fn take(hub: &Arc<Hub>) -> Option<Self> {
        let flag: &AtomicBool = &hub.publishing;
        flag.compare_exchange(false, true, AtomicOrdering::AcqRel, AtomicOrdering::Acquire)
            .ok()
            .map(|_| Self(hub.clone()))
    }
}

impl Drop for PublishSlot {
    fn drop(&mut self) {
        self.0.publishing.store(false, AtomicOrdering::Release);
    }
}

/// Why an upload did not arrive whole.
enum UploadError {
    TooLarge,
    /// The client's body broke off (it hung up, or sent malformed chunks).
    BrokenOff,
    /// Writing the file on the relay failed.
    Disk(std::io::Error),
}

/// Streams `body` into `file`, at most `max_bytes`; returns the bytes written.
async fn receive(body: Body, file: std::fs::File, max_bytes: u64) -> Result<u64, UploadError> {
    let mut out = tokio::io::BufWriter::with_capacity(WRITE_BUFFER_BYTES, tokio::fs::File::from_std(file));
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            tracing::debug!(error = %e, "catalog upload broke off");
            UploadError::BrokenOff
        })?;
        written = written.saturating_add(chunk.len() as u64);
        if written > max_bytes {
            return Err(UploadError::TooLarge);
        }
        out.write_all(&chunk).await.map_err(UploadError::Disk)?;
    }
    // Hands the last bytes to the file before another handle reads it.
    out.flush().await.map_err(UploadError::Disk)?;
    Ok(written)
}

/// A new upload file in [`UPLOAD_DIR`], deleted when dropped.
fn upload_file(data_dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = data_dir.join(UPLOAD_DIR);
    std::fs::create_dir_all(&dir)?;
    tempfile::Builder::new().prefix(UPLOAD_PREFIX).tempfile_in(dir)
}

/// Deletes uploads a relay that died mid-publish left behind.
pub(super) fn remove_leftover_uploads(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(data_dir.join(UPLOAD_DIR)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(UPLOAD_PREFIX) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => tracing::info!("removed a catalog upload left by an earlier run"),
                Err(e) => tracing::warn!(error = %e, "could not remove an old catalog upload"),
            }
        }
    }
}

/// The answer to a publish that ran: the summary, with an `error` when no row was valid.
#[derive(Serialize)]
struct Answer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(flatten)]
    summary: &'a PublishSummary,
}

/// `POST /api/catalog/publish[?format=csv|jsonl]`: publishes the catalog in the body (admin token;
/// docs/CATALOG_FORMAT.md). 200 with the summary; 400 when no row was valid (nothing published);
/// 401, 409 (another publish runs), 413, 415.
pub(super) async fn api_catalog_publish(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<PublishQuery>,
    body: Body,
) -> Response {
    match admin_check(&hub, &headers) {
        Ok(()) => {}
        Err(AdminRefusal::Off) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "publishing over HTTP is off: start the relay with --admin-token-file",
            );
        }
        Err(AdminRefusal::BadToken) => {
            let mut r = refuse(
                StatusCode::UNAUTHORIZED,
                "publishing needs the relay's admin token: authorization: Bearer <token>",
            );
            r.headers_mut()
                .insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let format = match format_of(q.format.as_deref(), text("content-type")) {
        Ok(f) => f,
        Err((status, why)) => return refuse(status, why),
    };
    let max_bytes = hub.max_publish_bytes;
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the catalog is larger than this relay takes ({max_bytes} bytes)"),
        )
    };
    let declared = text("content-length").and_then(|l| l.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_bytes) {
        return too_large();
    }
    // Taken before the body is read: a second upload is refused before it is sent.
    let Some(slot) = PublishSlot::take(&hub) else {
        return refuse(
            StatusCode::CONFLICT,
            "another catalog publish is running; try again when it has finished",
        );
    };
    let started = Instant::now();
    let (upload, file) = match upload_file(&hub.data_dir).and_then(|u| Ok((u.as_file().try_clone()?, u))) {
        Ok((file, upload)) => (upload, file),
        Err(e) => {
            tracing::error!(error = %e, "could not make a file for a catalog upload");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the relay could not take the upload",
            );
        }
    };
    // On every early return `upload` is dropped, which deletes the file.
    let bytes = match receive(body, file, max_bytes).await {
        Ok(n) => n,
        Err(UploadError::TooLarge) => return too_large(),
        Err(UploadError::BrokenOff) => {
            return refuse(StatusCode::BAD_REQUEST, "the upload broke off before its end");
        }
        Err(UploadError::Disk(e)) => {
            tracing::error!(error = %e, "writing a catalog upload failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the relay could not store the upload",
            );
        }
    };
    let data_dir = hub.data_dir.clone();
    // Runs to its end even if the client hangs up; the slot is freed after the upload is deleted.
    let outcome = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let published = atelier_store::open(&data_dir.join(crate::RELAY_DB_FILE), &crate::RELAY_MIGRATIONS)
            .map_err(ImportError::from)
            .and_then(|mut conn| {
                crate::catalog_hub::publish_with(
                    &mut conn,
                    upload.path(),
                    format,
                    &data_dir,
                    LocalImages::InsideFolder,
                )
            });
        if let Err(e) = upload.close() {
            tracing::warn!(error = %e, "could not delete a catalog upload");
        }
        published
    })
    .await;
    let report = match outcome {
        Ok(Ok(report)) => report,
        Ok(Err(e @ (ImportError::Header(_) | ImportError::Read(_)))) => {
            return refuse(StatusCode::BAD_REQUEST, &e.to_string());
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "publishing an uploaded catalog failed");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the catalog was not published; try again",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "the catalog publish task failed");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "the catalog was not published");
        }
    };
    let summary = PublishSummary::from(&report);
    tracing::info!(
        version = summary.version,
        changed = summary.changed,
        deleted = summary.deleted,
        unchanged = summary.unchanged,
        rejected = summary.rejected,
        images_missing = summary.images_missing,
        bytes,
        duration_ms = started.elapsed().as_millis() as u64,
        "catalog published over HTTP"
    );
    let (status, error) = if summary.valid_rows == 0 {
        (StatusCode::BAD_REQUEST, Some("no valid row: nothing published"))
    } else {
        (StatusCode::OK, None)
    };
    (
        status,
        [("cache-control", "no-store")],
        Json(Answer {
            error,
            summary: &summary,
        }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_query_then_the_content_type() {
        let ok = |q, ct| format_of(q, ct).ok();
        assert_eq!(ok(Some("csv"), None), Some(Format::Csv));
        assert_eq!(ok(Some("JSONL"), Some("text/csv")), Some(Format::JsonLines));
        assert_eq!(ok(None, Some("text/csv; charset=utf-8")), Some(Format::Csv));
        assert_eq!(ok(None, Some("application/x-ndjson")), Some(Format::JsonLines));
        assert_eq!(
            format_of(Some("xml"), None).err().map(|r| r.0),
            Some(StatusCode::BAD_REQUEST)
        );
        for ct in [None, Some("application/octet-stream")] {
            assert_eq!(
                format_of(None, ct).err().map(|r| r.0),
                Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            );
        }
    }
}
