//! The cached catalog as the recommender's candidates: one per product colour, with the sizes in
//! stock in this store. Rows the database holds in an unexpected shape are skipped and counted,
//! never fatal.

use std::collections::{BTreeMap, HashMap};

use atelier_domain::catalog::{NamedColour, Season};
use atelier_domain::colour::Lab;
use atelier_domain::recommend::Candidate;
use rusqlite::{Connection, params};

use crate::StoreError;

/// The recommender's view of the cached catalog for one store.
#[derive(Debug, Default)]
pub struct CandidateSet {
    /// One per product colour, in SKU order (sold-out ones included: a garment in hand needs no stock).
    pub candidates: Vec<Candidate>,
    /// Every variant SKU (colour × size) → the SKU its colour's candidate carries.
    pub aliases: HashMap<String, String>,
    /// Rows skipped as unreadable.
    pub skipped: usize,
}

impl CandidateSet {
    /// The candidate SKU for a scanned variant SKU (any size of that colour).
    pub fn resolve(&self, variant_sku: &str) -> Option<&str> {
        self.aliases.get(variant_sku).map(String::as_str)
    }
}

/// The candidates for `store_id`.
pub fn candidates(conn: &Connection, store_id: &str) -> Result<CandidateSet, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.sku, p.name_en, p.name_zh, p.category, p.gender, p.pattern, p.style_tags, p.occasion_tags,
                p.seasons, p.price_minor, v.variant_sku, v.colour_name_en, v.colour_name_zh,
                v.lab_l, v.lab_a, v.lab_b, v.size, COALESCE(s.quantity, 0)
         FROM variants v JOIN products p ON p.sku = v.product_sku
         LEFT JOIN stock s ON s.variant_sku = v.variant_sku AND s.store_id = ?1
         ORDER BY p.sku, v.colour_name_en, v.variant_sku",
    )?;
    let mut by_colour: BTreeMap<(String, String), Candidate> = BTreeMap::new();
    let mut skipped = 0usize;
    let mut aliases = HashMap::new();
    let list = |s: String| -> Vec<String> {
        s.split('|')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut rows = stmt.query(params![store_id])?;
    while let Some(r) = rows.next()? {
        let sku: String = r.get(0)?;
        let colour_en: String = r.get(11)?;
        let size: String = r.get(16)?;
        let quantity: i64 = r.get(17)?;
        let key = (sku.clone(), colour_en.clone());
        let variant_sku: String = r.get(10)?;
        if let Some(c) = by_colour.get_mut(&key) {
            aliases.insert(variant_sku, c.variant_sku.clone());
            if quantity > 0 && !c.sizes_in_stock.contains(&size) {
                c.sizes_in_stock.push(size);
            }
            continue;
        }
        let parsed = (|| {
            Some(Candidate {
                variant_sku: r.get::<_, String>(10).ok()?,
                product_sku: sku.clone(),
                name_en: r.get(1).ok()?,
                name_zh: r.get(2).ok()?,
                category: r.get::<_, String>(3).ok()?.parse().ok()?,
                gender: r.get::<_, String>(4).ok()?.parse().ok()?,
                colour: NamedColour {
                    name_en: colour_en.clone(),
                    name_zh: r.get(12).ok()?,
                    lab: Lab {
                        l: r.get::<_, f64>(13).ok()? as f32,
                        a: r.get::<_, f64>(14).ok()? as f32,
                        b: r.get::<_, f64>(15).ok()? as f32,
                    },
                },
                pattern: r.get::<_, String>(5).ok()?.parse().ok()?,
                style_tags: list(r.get(6).ok()?),
                occasion_tags: list(r.get(7).ok()?),
                seasons: list(r.get(8).ok()?)
                    .iter()
                    .filter_map(|s| s.parse::<Season>().ok())
                    .collect(),
                price_minor: u64::try_from(r.get::<_, i64>(9).ok()?).ok()?,
                sizes_in_stock: if quantity > 0 {
                    vec![size.clone()]
                } else {
                    Vec::new()
                },
            })
        })();
        match parsed {
            Some(c) => {
                aliases.insert(variant_sku, c.variant_sku.clone());
                by_colour.insert(key, c);
            }
            None => skipped += 1,
        }
    }
    Ok(CandidateSet {
        candidates: by_colour.into_values().collect(),
        aliases,
        skipped,
    })
}
