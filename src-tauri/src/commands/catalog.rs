//! Browsing the store's catalog.

use atelier_domain::catalog::Category;
use atelier_domain::colour::srgb_from_lab;
use tauri::State;

use super::CommandError;
use crate::ipc::{CardView, CatalogPage, CategoryCount, SwatchView};
use crate::state::{Kiosk, lock};

/// Cards per page, at most.
const MAX_PAGE: u32 = 48;

/// One page of product cards, optionally of one category, with this store's stock.
#[tauri::command]
pub fn catalog_page(
    kiosk: State<'_, Kiosk>,
    category: Option<String>,
    offset: u32,
    limit: u32,
) -> Result<CatalogPage, CommandError> {
    let category = match category.as_deref() {
        None | Some("") => None,
        Some(c) => Some(c.parse::<Category>().map_err(|_| CommandError::BadRequest)?),
    };
    let (cards, total) = atelier_store::catalog::cards(
        &lock(&kiosk.db),
        &kiosk.config().kiosk.store_id,
        category,
        offset,
        limit.clamp(1, MAX_PAGE),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "reading the catalog failed");
        CommandError::Storage
    })?;
    let cards = cards.into_iter().map(card_view).collect();
    Ok(CatalogPage { cards, total, offset })
}

/// A catalog card as the UI shows it.
pub fn card_view(c: atelier_store::catalog::Card) -> CardView {
    CardView {
        sku: c.sku,
        name_en: c.name_en,
        name_zh: c.name_zh,
        category: c.category,
        price_minor: c.price_minor,
        currency: c.currency,
        colours: c
            .colours
            .into_iter()
            .map(|(name_en, name_zh, lab)| {
                let [r, g, b] = srgb_from_lab(lab);
                SwatchView {
                    name_en,
                    name_zh,
                    hex: format!("#{r:02x}{g:02x}{b:02x}"),
                }
            })
            .collect(),
        sizes_in_stock: c.sizes_in_stock,
        image: c.image_hash.map(|h| crate::images::url(&h, "card")),
    }
}

/// The categories that have products, with their counts.
#[tauri::command]
pub fn catalog_categories(kiosk: State<'_, Kiosk>) -> Result<Vec<CategoryCount>, CommandError> {
    let counts = atelier_store::catalog::category_counts(&lock(&kiosk.db)).map_err(|e| {
        tracing::error!(error = %e, "reading the catalog failed");
        CommandError::Storage
    })?;
    Ok(counts
        .into_iter()
        .map(|(c, count)| CategoryCount {
            category: c.as_str().to_owned(),
            count,
        })
        .collect())
}
