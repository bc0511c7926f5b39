//! The till's side of the analytics funnel: `POST /api/till/purchases` (admin token) records what
//! was bought in a store, so the report's funnel ends in "bought". A till knows the store, rarely
//! the fitting room: its purchases count under the room it names, or `till`.

use atelier_protocol::{DeviceId, RoomName, StoreId};

use super::*;

/// The body a till sends: its store, optionally a room, and purchase records keyed `till-…`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TillUpload {
    store_id: String,
    room: Option<String>,
    events: Vec<serde_json::Value>,
}

/// The device name a till's records are stored under (their keys start with `till-`).
pub const TILL_DEVICE: &str = "till";

pub(super) async fn api_till_purchases(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use atelier_protocol::analytics::{MAX_EVENTS_BODY_BYTES, MAX_EVENTS_PER_BATCH};
    match admin_check(&hub, &headers) {
        Ok(()) => {}
        Err(AdminRefusal::Off) => {
            return (StatusCode::SERVICE_UNAVAILABLE, "this relay has no admin token").into_response();
        }
        Err(AdminRefusal::BadToken) => {
            return (StatusCode::UNAUTHORIZED, "send the admin token as a bearer token").into_response();
        }
    }
    if body.len() > MAX_EVENTS_BODY_BYTES {
        return (StatusCode::PAYLOAD_TOO_LARGE, "send fewer purchases at once").into_response();
    }
    let upload: TillUpload = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "expected {\"storeId\": \"…\", \"room\": \"…\" (optional), \"events\": [...]}",
            )
                .into_response();
        }
    };
    if upload.events.len() > MAX_EVENTS_PER_BATCH {
        return (StatusCode::PAYLOAD_TOO_LARGE, "at most 200 purchases at once").into_response();
    }
    let (Ok(store), Ok(room), Ok(device)) = (
        StoreId::new(upload.store_id),
        RoomName::new(upload.room.unwrap_or_else(|| TILL_DEVICE.to_owned())),
        DeviceId::new(TILL_DEVICE.to_owned()),
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            "a store id and a room name as kiosks have them",
        )
            .into_response();
    };
    // Only purchases: a till does not speak for what happened in a fitting room.
    let (purchases, others): (Vec<_>, Vec<_>) = upload
        .events
        .into_iter()
        .partition(|e| e.pointer("/event/kind").and_then(|k| k.as_str()) == Some("purchase"));
    let stored = crate::analytics::store_batch(
        &mut lock(&hub.db),
        &device,
        &store,
        &room,
        purchases,
        now_ms().0 as i64,
    );
    match stored {
        Ok(mut accepted) => {
            accepted.rejected.extend(
                others
                    .iter()
                    .filter_map(|e| e.get("key").and_then(|k| k.as_str()))
                    .filter(|k| k.starts_with("till-"))
                    .map(str::to_owned),
            );
            Json(accepted).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "storing till purchases failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "purchases not stored; send them again later",
            )
                .into_response()
        }
    }
}
