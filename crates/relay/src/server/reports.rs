//! Analytics over HTTP: `POST /api/events` from enrolled kiosks, the report (`/api/report` as JSON,
//! `/admin/report` as a page) and the admin token that guards it and the other admin routes.

use super::*;

/// The report's token: the configured one, else the public demo token on a demo relay.
pub(super) fn admin_token(options: &ServeOptions) -> Option<crate::analytics::AdminToken> {
    if let Some(t) = &options.admin_token {
        return Some(t.clone());
    }
    if options.demo {
        tracing::info!(
            admin_token = crate::analytics::DEMO_ADMIN_TOKEN,
            "analytics report at /admin/report (demo only; the token is public)"
        );
        return Some(crate::analytics::AdminToken::new(
            crate::analytics::DEMO_ADMIN_TOKEN,
        ));
    }
    tracing::info!("no admin token (--admin-token-file): the analytics report is off");
    None
}

/// `POST /api/events`: analytics records from an enrolled kiosk, stored once per key; the
/// answer lists the keys now held (docs/ANALYTICS.md).
pub(super) async fn post_events(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use atelier_protocol::analytics::{MAX_EVENTS_BODY_BYTES, MAX_EVENTS_PER_BATCH};
    let Some(enrolled) = enrollment(&hub, &headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            "events are taken from enrolled kiosks: send x-atelier-device and a bearer device key",
        )
            .into_response();
    };
    if body.len() > MAX_EVENTS_BODY_BYTES {
        return (StatusCode::PAYLOAD_TOO_LARGE, "send fewer events at once").into_response();
    }
    let upload: crate::analytics::LooseUpload = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(_) => return (StatusCode::BAD_REQUEST, "expected {\"events\": [...]}").into_response(),
    };
    if upload.events.len() > MAX_EVENTS_PER_BATCH {
        return (StatusCode::PAYLOAD_TOO_LARGE, "at most 200 events at once").into_response();
    }
    let now_ms = now_ms().0 as i64;
    let stored = crate::analytics::store_batch(
        &mut lock(&hub.db),
        &enrolled.device_id,
        &enrolled.store_id,
        &enrolled.room,
        upload.events,
        now_ms,
    );
    match stored {
        Ok(accepted) => Json(accepted).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "storing analytics events failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "events not stored; send them again later",
            )
                .into_response()
        }
    }
}

/// Why a request for an admin-only route was refused.
pub(super) enum AdminRefusal {
    /// The relay has no admin token.
    Off,
    /// No token, or not the admin token.
    BadToken,
}

/// Whether the request carries the relay's admin token (compared in constant time, see
/// [`crate::analytics::AdminToken::admits`]).
pub(super) fn admin_check(hub: &Hub, headers: &axum::http::HeaderMap) -> Result<(), AdminRefusal> {
    let token = hub.admin_token.as_ref().ok_or(AdminRefusal::Off)?;
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if token.admits(auth) {
        Ok(())
    } else {
        Err(AdminRefusal::BadToken)
    }
}

/// Why a report request was refused, if it was.
pub(super) fn report_refusal(hub: &Hub, headers: &axum::http::HeaderMap, browser: bool) -> Option<Response> {
    let refusal = admin_check(hub, headers).err()?;
    if let AdminRefusal::Off = refusal {
        return Some(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [("cache-control", "no-store")],
                "the report is off: start the relay with --admin-token-file",
            )
                .into_response(),
        );
    }
    // A browser asks for the token itself (any user name, the token as the password).
    let challenge = if browser {
        "Basic realm=\"Atelier relay admin\", charset=\"UTF-8\""
    } else {
        "Bearer"
    };
    Some(
        (
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", challenge), ("cache-control", "no-store")],
            "the report needs the relay's admin token",
        )
            .into_response(),
    )
}

fn report_for(
    hub: &Hub,
    q: &crate::analytics::ReportQuery,
) -> Result<crate::analytics::ReportJson, Box<Response>> {
    let range = crate::analytics::parse_query(q, now_ms().0 as i64)
        .map_err(|why| Box::new((StatusCode::BAD_REQUEST, why).into_response()))?;
    crate::analytics::build(&lock(&hub.db), &range).map_err(|e| {
        tracing::error!(error = %e, "building the analytics report failed");
        Box::new((StatusCode::INTERNAL_SERVER_ERROR, "report unavailable").into_response())
    })
}

/// `GET /api/report?from=&to=&store=&tz=`: the report as JSON, for the admin token.
pub(super) async fn api_report(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<crate::analytics::ReportQuery>,
) -> Response {
    if let Some(refusal) = report_refusal(&hub, &headers, false) {
        return refusal;
    }
    match report_for(&hub, &q) {
        Ok(report) => ([("cache-control", "no-store")], Json(report)).into_response(),
        Err(r) => *r,
    }
}

/// `GET /admin/report`: the report as a page (English or Chinese), for the admin token.
pub(super) async fn admin_report(
    State(hub): State<Arc<Hub>>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<crate::analytics::ReportQuery>,
) -> Response {
    if let Some(refusal) = report_refusal(&hub, &headers, true) {
        return refusal;
    }
    let lang = crate::analytics_page::Lang::pick(
        q.lang.as_deref(),
        headers.get("accept-language").and_then(|v| v.to_str().ok()),
    );
    match report_for(&hub, &q) {
        Ok(report) => (ADMIN_PAGE_HEADERS, crate::analytics_page::render(&report, lang)).into_response(),
        Err(r) => *r,
    }
}
