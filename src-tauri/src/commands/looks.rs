//! Looks for the shopper: complete outfits from this store's stock in her sizes, built around the
//! garments she scanned, for the occasion, style and budget she picked; and "bring me this".

use std::sync::Arc;

use atelier_domain::colour::srgb_from_lab;
use atelier_domain::recommend::{LearnedWeights, Recommender, Request, SizeKind};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::CommandError;
use crate::state::{Kiosk, lock};

/// What the shopper picked on screen.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LooksRequest {
    pub occasion: Option<String>,
    pub style: Option<String>,
    /// The most a whole look may cost, in the currency's major unit.
    pub budget: Option<u32>,
    /// Clothing size (tops, bottoms, dresses), e.g. `M`.
    pub size: Option<String>,
    /// Shoe size, e.g. `38`.
    pub shoe_size: Option<String>,
}

/// One garment of a look, ready to draw.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LookItemView {
    pub product_sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: String,
    pub colour_en: String,
    pub colour_zh: String,
    pub hex: String,
    #[ts(type = "number")]
    pub price_minor: u64,
    pub image: Option<String>,
    /// Already in the shopper's hands.
    pub scanned: bool,
}

/// A look, with its reason in both languages.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LookView {
    pub items: Vec<LookItemView>,
    #[ts(type = "number")]
    pub total_minor: u64,
    pub currency: String,
    pub reason_en: String,
    pub reason_zh: String,
}

/// The recommender over the cached catalog, built on first use and again after the catalog changes.
#[derive(Default)]
pub struct LooksIndex(pub std::sync::Mutex<Option<Arc<Built>>>);

pub struct Built {
    recommender: Recommender,
    aliases: std::collections::HashMap<String, String>,
}

fn index(kiosk: &Kiosk, looks: &LooksIndex) -> Result<Arc<Built>, CommandError> {
    if let Some(b) = lock(&looks.0).as_ref() {
        return Ok(b.clone());
    }
    let set = atelier_store::recommend::candidates(&lock(&kiosk.db), &kiosk.config.kiosk.store_id).map_err(
        |e| {
            tracing::error!(error = %e, "reading the catalog for looks failed");
            CommandError::Storage
        },
    )?;
    let recommender = Recommender::new(set.candidates).map_err(|e| {
        tracing::error!(error = %e, "indexing the catalog for looks failed");
        CommandError::Unavailable
    })?;
    let built = Arc::new(Built {
        recommender,
        aliases: set.aliases,
    });
    *lock(&looks.0) = Some(built.clone());
    Ok(built)
}

/// Forgets the index (the catalog changed).
pub fn invalidate(looks: &LooksIndex) {
    *lock(&looks.0) = None;
}

fn slug(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_ascii_lowercase()).filter(|s| {
        !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

fn clean_size(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_ascii_uppercase()).filter(|s| {
        !s.is_empty() && s.len() <= 12 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
    })
}

/// Up to 8 looks for what the shopper picked.
#[tauri::command]
pub fn recommend_looks(
    kiosk: State<'_, Kiosk>,
    looks: State<'_, LooksIndex>,
    request: LooksRequest,
) -> Result<Vec<LookView>, CommandError> {
    let built = index(&kiosk, &looks)?;
    let mut sizes = std::collections::BTreeMap::new();
    if let Some(s) = clean_size(request.size) {
        for kind in [SizeKind::Tops, SizeKind::Bottoms, SizeKind::FullBody] {
            sizes.insert(kind, vec![s.clone()]);
        }
    }
    if let Some(s) = clean_size(request.shoe_size) {
        sizes.insert(SizeKind::Shoes, vec![s]);
    }
    let scanned: Vec<String> = lock(&kiosk.scans)
        .iter()
        .filter_map(|v| built.aliases.get(v).cloned())
        .collect();
    let req = Request {
        sizes,
        scanned,
        occasion: slug(request.occasion),
        style: slug(request.style),
        season: None,
        budget_minor: request.budget.map(|b| u64::from(b) * 100),
        palette: lock(&kiosk.skin).as_ref().map(|a| a.palette.clone()),
        gender: None,
        count: 8,
    };
    let result = built.recommender.recommend(&req, &LearnedWeights::default());
    let db = lock(&kiosk.db);
    let currency = "CNY".to_owned();
    let out = result
        .looks
        .into_iter()
        .map(|look| LookView {
            items: look
                .items
                .iter()
                .map(|item| {
                    let c = built.recommender.candidate(&item.variant_sku);
                    // Only the picture: a whole card would read every variant's stock again.
                    let image = atelier_store::catalog::first_image(&db, &item.product_sku)
                        .ok()
                        .flatten()
                        .map(|h| crate::images::url(&h, "thumb"));
                    let [r, g, b] = srgb_from_lab(item.colour.lab);
                    LookItemView {
                        product_sku: item.product_sku.clone(),
                        name_en: c.map(|c| c.name_en.clone()).unwrap_or_default(),
                        name_zh: c.map(|c| c.name_zh.clone()).unwrap_or_default(),
                        category: item.category.as_str().to_owned(),
                        colour_en: item.colour.name_en.clone(),
                        colour_zh: item.colour.name_zh.clone(),
                        hex: format!("#{r:02x}{g:02x}{b:02x}"),
                        price_minor: item.price_minor,
                        image,
                        scanned: item.scanned,
                    }
                })
                .collect(),
            total_minor: look.total_minor,
            currency: currency.clone(),
            reason_en: look.reason_en,
            reason_zh: look.reason_zh,
        })
        .collect();
    Ok(out)
}

/// The shopper asked staff to bring these products (in her size). Kept for the session and queued
/// in the outbox for the staff page.
#[tauri::command]
pub fn bring_me(
    kiosk: State<'_, Kiosk>,
    products: Vec<String>,
    size: Option<String>,
) -> Result<(), CommandError> {
    if products.is_empty() || products.len() > 8 || products.iter().any(|p| p.is_empty() || p.len() > 40) {
        return Err(CommandError::BadRequest);
    }
    let payload = serde_json::json!({
        "store": kiosk.config.kiosk.store_id,
        "room": kiosk.config.kiosk.room,
        "products": products,
        "size": clean_size(size),
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let key = format!(
        "bring-{}-{now}-{}",
        kiosk.config.kiosk.device_id,
        products.join("+")
    );
    lock(&kiosk.db)
        .execute(
            "INSERT OR IGNORE INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?1, 'bring_me', ?2, ?3)",
            rusqlite::params![key, payload.to_string(), now],
        )
        .map_err(|e| {
            tracing::error!(error = %e, "queueing a bring-me request failed");
            CommandError::Storage
        })?;
    tracing::info!(products = products.len(), "bring-me request queued for staff");
    Ok(())
}
