//! Enrolling kiosks by a one-time code: the admin page that makes codes (`/admin/enroll`, admin
//! token) and the endpoint a kiosk redeems one at (`POST /api/enroll`). The codes are
//! [`crate::enroll_codes`].

use super::*;

/// The enrollment page: a form for device, store and room, and the code it made.
fn enroll_page(message: Option<(&str, &str)>) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let result = match message {
        Some((label, value)) => format!("<p>{}</p><p class=code>{}</p>", esc(label), esc(value)),
        None => String::new(),
    };
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Atelier · enroll a kiosk / 登记镜子</title>\
         <style>body{{font:16px system-ui;margin:2rem;max-width:40rem}}label{{display:block;margin:.6rem 0}}\
         input{{font:inherit;padding:.3rem;width:100%}}.code{{font:700 2.4rem monospace;letter-spacing:.2em}}</style>\
         <h1>Enroll a kiosk · 登记镜子</h1>\
         <p>The installer types the code into <code>atelier provision --enroll-code CODE --relay URL</code>. \
         It works once, for 30 minutes; the kiosk gets its own key.</p>\
         {result}\
         <form method=post action=/admin/enroll>\
         <label>Device id · 设备编号 <input name=device required maxlength=64 pattern=\"[A-Za-z0-9._-]+\"></label>\
         <label>Store id · 门店编号 <input name=store required maxlength=64 pattern=\"[A-Za-z0-9._-]+\"></label>\
         <label>Room · 试衣间 <input name=room required maxlength=64></label>\
         <button>Make a code · 生成登记码</button></form>"
    );
    (ADMIN_PAGE_HEADERS, html).into_response()
}

/// `GET /admin/enroll`: the form (admin token).
pub(super) async fn admin_enroll_form(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(refusal) = report_refusal(&hub, &headers, true) {
        return refusal;
    }
    enroll_page(None)
}

/// `POST /admin/enroll`: makes a one-time code for the device, store and room in the form.
pub(super) async fn admin_enroll_create(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refusal) = report_refusal(&hub, &headers, true) {
        return refusal;
    }
    if body.len() > 4096 {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(&body) {
        fields.insert(k.into_owned(), v.into_owned());
    }
    let field = |k: &str| fields.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    match make_enroll_code(&hub, &field("device"), &field("store"), &field("room")) {
        Ok((code, _)) => enroll_page(Some(("Enrollment code (valid 30 minutes, once):", &code))),
        Err(why) => enroll_page(Some(("Not made:", &why))),
    }
}

fn make_enroll_code(hub: &Hub, device: &str, store: &str, room: &str) -> Result<(String, u64), String> {
    use atelier_protocol::{DeviceId, RoomName, StoreId};
    let device = DeviceId::new(device).map_err(|e| format!("device id: {e}"))?;
    let store = StoreId::new(store).map_err(|e| format!("store id: {e}"))?;
    let room = RoomName::new(room).map_err(|e| format!("room: {e}"))?;
    let (code, expires) = lock(&hub.enroll_codes).create(
        device.clone(),
        store,
        room,
        now_ms(),
        &mut crate::calls::OsEntropy,
    );
    tracing::info!(%device, "enrollment code made");
    Ok((code, expires.0))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EnrollRequest {
    code: String,
}

/// `POST /api/enroll {code}`: redeems a one-time code; the device is enrolled (at once, and in the
/// relay's database) with a fresh key, returned this once.
pub(super) async fn api_enroll(State(hub): State<Arc<Hub>>, body: axum::body::Bytes) -> Response {
    if body.len() > 1024 {
        return (StatusCode::PAYLOAD_TOO_LARGE, "expected {\"code\": \"…\"}").into_response();
    }
    let Ok(req) = serde_json::from_slice::<EnrollRequest>(&body) else {
        return (StatusCode::BAD_REQUEST, "expected {\"code\": \"…\"}").into_response();
    };
    let pending = match lock(&hub.enroll_codes).redeem(&req.code, now_ms()) {
        Ok(p) => p,
        Err(e @ crate::enroll_codes::CodeRefusal::Throttled) => {
            return (StatusCode::TOO_MANY_REQUESTS, e.to_string()).into_response();
        }
        Err(e) => return (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    };
    let key = crate::calls::random_token(&mut crate::calls::OsEntropy);
    let enrollment = crate::calls::Enrollment::new(
        pending.device_id.clone(),
        pending.store_id.clone(),
        pending.room.clone(),
        &key,
    );
    if let Err(e) = crate::call_db::save_enrollment(&lock(&hub.db), &enrollment) {
        tracing::error!(error = %e, "saving an enrollment failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "not enrolled; try again").into_response();
    }
    lock(&hub.calls).enrollments_mut().insert(enrollment);
    tracing::info!(device = %pending.device_id, store = %pending.store_id, "kiosk enrolled by code");
    Json(serde_json::json!({
        "deviceId": pending.device_id,
        "storeId": pending.store_id,
        "room": pending.room,
        "deviceKey": key,
    }))
    .into_response()
}
