//! Looks for the shopper: complete outfits from this store's stock in her sizes, built around the
//! garments she scanned, for the occasion, style and budget she picked; and "bring me this".

use std::sync::Arc;

use atelier_domain::analytics::Event;
use atelier_domain::colour::srgb_from_lab;
use atelier_domain::recommend::{
    ColourRelation, Feedback, FeedbackKind, LearnedWeights, Recommender, Request, SizeKind,
};
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
    /// This session's number for the look, for [`look_event`].
    pub id: u32,
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

/// What shoppers did with looks, learned across sessions: loaded from SQLite on first use, then
/// updated in memory and in SQLite with every event.
#[derive(Default)]
pub struct Learning(pub std::sync::Mutex<Option<LearnedWeights>>);

/// A look shown this session (wiped with it), to credit events to.
#[derive(Debug, Clone)]
pub struct ShownLook {
    pub products: Vec<String>,
    pub relation: ColourRelation,
    pub occasion: Option<String>,
    /// Kinds already credited (each counts once per session).
    pub credited: Vec<FeedbackKind>,
}

fn weights(kiosk: &Kiosk, learning: &Learning) -> LearnedWeights {
    let mut slot = lock(&learning.0);
    if slot.is_none() {
        *slot = Some(
            atelier_store::learning::load(&lock(&kiosk.db)).unwrap_or_else(|e| {
                tracing::error!(error = %e, "learned weights unreadable; starting from the prior");
                LearnedWeights::default()
            }),
        );
    }
    slot.clone().unwrap_or_default()
}

/// Credits `kind` to shown look `id` once: in memory and in SQLite. Returns whether it counted.
pub fn credit(kiosk: &Kiosk, learning: &Learning, id: usize, kind: FeedbackKind) -> bool {
    let feedback = {
        let mut shown = lock(&kiosk.shown_looks);
        let Some(look) = shown.get_mut(id) else {
            return false;
        };
        if look.credited.contains(&kind) {
            return false;
        }
        look.credited.push(kind);
        Feedback {
            kind,
            occasion: look.occasion.clone(),
            products: look.products.clone(),
            relation: look.relation,
        }
    };
    if let Err(e) = atelier_store::learning::record(&lock(&kiosk.db), &feedback) {
        tracing::error!(error = %e, "recording a look event failed");
        return false;
    }
    // The funnel for the relay's report: look numbers and SKUs only.
    let look = u32::try_from(id).unwrap_or(u32::MAX);
    let products = feedback.products.clone();
    let event = match kind {
        FeedbackKind::Shown => Some(Event::LookShown { look, products }),
        FeedbackKind::Opened => Some(Event::LookOpened { look, products }),
        FeedbackKind::Tried => Some(Event::LookTried { look, products }),
        FeedbackKind::Purchase => Some(Event::Purchase { products }),
        FeedbackKind::FriendKeep | FeedbackKind::FriendSkip | FeedbackKind::StylistPush => None,
    };
    if let Some(event) = event {
        crate::outbox::record(kiosk, event);
    }
    if let Some(w) = lock(&learning.0).as_mut() {
        w.update(&feedback);
    }
    tracing::debug!(?kind, look = id, "look event learned");
    true
}

/// Garments scanned in the fitting room: every look shown this session that has the product was
/// tried.
pub fn credit_tried(kiosk: &Kiosk, learning: &Learning, product_sku: &str) {
    let ids: Vec<usize> = lock(&kiosk.shown_looks)
        .iter()
        .enumerate()
        .filter(|(_, l)| l.products.iter().any(|p| p == product_sku))
        .map(|(i, _)| i)
        .collect();
    for id in ids {
        credit(kiosk, learning, id, FeedbackKind::Tried);
    }
}

pub struct Built {
    recommender: Recommender,
    aliases: std::collections::HashMap<String, String>,
}

fn index(kiosk: &Kiosk, looks: &LooksIndex) -> Result<Arc<Built>, CommandError> {
    if let Some(b) = lock(&looks.0).as_ref() {
        return Ok(b.clone());
    }
    let set = atelier_store::recommend::candidates(&lock(&kiosk.db), &kiosk.config().kiosk.store_id)
        .map_err(|e| {
            tracing::error!(error = %e, "reading the catalog for looks failed");
            CommandError::Storage
        })?;
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
    learning: State<'_, Learning>,
    request: LooksRequest,
) -> Result<Vec<LookView>, CommandError> {
    kiosk.require(|c| c.features.looks)?;
    let built = index(&kiosk, &looks)?;
    let learned = weights(&kiosk, &learning);
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
    let result = built.recommender.recommend(&req, &learned);
    let first_id = {
        let mut shown = lock(&kiosk.shown_looks);
        let first = shown.len();
        shown.extend(result.looks.iter().map(|l| ShownLook {
            products: l.items.iter().map(|i| i.product_sku.clone()).collect(),
            relation: l.relation,
            occasion: req.occasion.clone(),
            credited: Vec::new(),
        }));
        first
    };
    let db = lock(&kiosk.db);
    let currency = "CNY".to_owned();
    let out = result
        .looks
        .into_iter()
        .enumerate()
        .map(|(n, look)| LookView {
            id: u32::try_from(first_id + n).unwrap_or(u32::MAX),
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
    learning: State<'_, Learning>,
    look: Option<u32>,
    products: Vec<String>,
    size: Option<String>,
) -> Result<(), CommandError> {
    if products.is_empty() || products.len() > 8 || products.iter().any(|p| p.is_empty() || p.len() > 40) {
        return Err(CommandError::BadRequest);
    }
    // Queued in the outbox for the relay (and the staff page to come): SKUs and a size label only.
    crate::outbox::try_record(
        &kiosk,
        Event::BringMe {
            look,
            products: products.clone(),
            size: clean_size(size),
        },
    )
    .map_err(|e| {
        tracing::error!(error = %e, "queueing a bring-me request failed");
        CommandError::Storage
    })?;
    tracing::info!(products = products.len(), "bring-me request queued for staff");
    // Asking to try a look on is the strongest signal the fitting room gives before a purchase.
    if let Some(id) = look {
        credit(&kiosk, &learning, id as usize, FeedbackKind::Tried);
    }
    Ok(())
}

/// What the shopper did with a look on screen: `shown` (it was in view) or `opened` (she stayed
/// on it). Each counts once per look per session.
#[tauri::command]
pub fn look_event(
    kiosk: State<'_, Kiosk>,
    learning: State<'_, Learning>,
    id: u32,
    kind: String,
) -> Result<(), CommandError> {
    let kind = match kind.as_str() {
        "shown" => FeedbackKind::Shown,
        "opened" => FeedbackKind::Opened,
        // Tried, votes, pushes and purchases come from the kiosk's own events, not the page.
        _ => return Err(CommandError::BadRequest),
    };
    credit(&kiosk, &learning, id as usize, kind);
    Ok(())
}
