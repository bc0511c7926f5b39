//! Catalog search for the stylist console: the catalog the hub holds, grouped by product, matched by
//! name (English or Chinese), SKU or category, with the sizes and colours in one store's stock.
//!
//! [`search`] is pure over rows; [`search_db`] reads the hub's published rows.

use std::collections::BTreeMap;

use atelier_domain::catalog::CatalogRow;
use rusqlite::Connection;
use serde::Serialize;

/// Products one search returns at most.
pub const MAX_HITS: usize = 30;
/// Characters of the query that count; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 64;

/// A colour of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColourHit {
    pub name_en: String,
    pub name_zh: String,
    /// Units of this colour in the store, all sizes.
    pub in_store: u32,
}

/// A size of a product, with the store's stock of it (all colours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SizeHit {
    pub size: String,
    pub in_store: u32,
}

/// One variant (colour × size), for a card naming exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantHit {
    pub variant_sku: String,
    pub colour_en: String,
    pub size: String,
    pub in_store: u32,
}

/// One product as the stylist console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductHit {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: String,
    /// In the currency's minor unit.
    pub price_minor: u64,
    pub currency: String,
    /// In first-seen order (variant SKU order).
    pub colours: Vec<ColourHit>,
    /// Smallest first (XS, S, M…; numbers by value).
    pub sizes: Vec<SizeHit>,
    pub variants: Vec<VariantHit>,
    /// `/api/stylist/images/<sha256>` when the hub holds the product's first image.
    pub thumbnail: Option<String>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// The store whose stock is shown, if one was named.
    pub store: Option<String>,
    pub products: Vec<ProductHit>,
    /// Products that matched in all (more than `products` holds when cut at [`MAX_HITS`]).
    pub total: usize,
}

/// The query as matched: trimmed, lower-cased, cut to [`MAX_QUERY_CHARS`].
pub fn normalise_query(q: &str) -> String {
    q.trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect::<String>()
        .to_lowercase()
}

/// How well a product matches (lower is better), or `None`.
fn rank(hit: &ProductHit, variant_skus: &[String], q: &str) -> Option<u8> {
    if q.is_empty() {
        return Some(4);
    }
    let sku = hit.sku.to_lowercase();
    if sku == q || variant_skus.iter().any(|v| v.to_lowercase() == q) {
        return Some(0);
    }
    if sku.starts_with(q) {
        return Some(1);
    }
    let en = hit.name_en.to_lowercase();
    if en.starts_with(q) || hit.name_zh.starts_with(q) {
        return Some(2);
    }
    if en.contains(q) || hit.name_zh.contains(q) || hit.category == q || sku.contains(q) {
        return Some(3);
    }
    None
}

/// Sorts sizes as people read them: lettered sizes small to large, then numbers by value, then the rest.
fn size_order(size: &str) -> (u8, u64, String) {
    const LETTERS: [&str; 9] = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "4XL"];
    let upper = size.trim().to_ascii_uppercase();
    if let Some(i) = LETTERS.iter().position(|l| *l == upper) {
        return (0, i as u64, String::new());
    }
    match upper.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => (1, (n * 10.0) as u64, String::new()),
        _ => (2, 0, upper),
    }
}

fn thumbnail(images: &[String]) -> Option<String> {
    let sha = images.first()?.strip_prefix("hub:")?;
    let valid = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| format!("/api/stylist/images/{sha}"))
}

/// Searches `rows` (one per variant, any order) for `query`, with stock of `store`; at most `limit`
/// products, best matches first, then by SKU. An empty query lists products by SKU.
pub fn search(
    rows: impl IntoIterator<Item = CatalogRow>,
    query: &str,
    store: Option<&str>,
    limit: usize,
) -> SearchResult {
    let q = normalise_query(query);
    let mut products: BTreeMap<String, (ProductHit, Vec<String>)> = BTreeMap::new();
    let mut rows: Vec<CatalogRow> = rows.into_iter().collect();
    rows.sort_by(|a, b| a.variant.variant_sku.cmp(&b.variant.variant_sku));
    for row in rows {
        let in_store = store
            .and_then(|s| row.stock.iter().find(|l| l.store_id == s))
            .map_or(0, |l| l.quantity);
        let (hit, variant_skus) = products.entry(row.product.sku.clone()).or_insert_with(|| {
            (
                ProductHit {
                    sku: row.product.sku.clone(),
                    name_en: row.product.name_en.clone(),
                    name_zh: row.product.name_zh.clone(),
                    category: row.product.category.as_str().to_owned(),
                    price_minor: row.product.price_minor,
                    currency: row.product.currency.clone(),
                    colours: Vec::new(),
                    sizes: Vec::new(),
                    variants: Vec::new(),
                    thumbnail: None,
                },
                Vec::new(),
            )
        });
        if hit.thumbnail.is_none() {
            hit.thumbnail = thumbnail(&row.images);
        }
        let colour = &row.variant.colour;
        match hit.colours.iter_mut().find(|c| c.name_en == colour.name_en) {
            Some(c) => c.in_store += in_store,
            None => hit.colours.push(ColourHit {
                name_en: colour.name_en.clone(),
                name_zh: colour.name_zh.clone(),
                in_store,
            }),
        }
        match hit.sizes.iter_mut().find(|s| s.size == row.variant.size) {
            Some(s) => s.in_store += in_store,
            None => hit.sizes.push(SizeHit {
                size: row.variant.size.clone(),
                in_store,
            }),
        }
        hit.variants.push(VariantHit {
            variant_sku: row.variant.variant_sku.clone(),
            colour_en: colour.name_en.clone(),
            size: row.variant.size.clone(),
            in_store,
        });
        variant_skus.push(row.variant.variant_sku);
    }
    for (hit, _) in products.values_mut() {
        hit.sizes.sort_by_key(|s| size_order(&s.size));
    }
    let mut found: Vec<(u8, ProductHit)> = products
        .into_values()
        .filter_map(|(hit, variants)| rank(&hit, &variants, &q).map(|r| (r, hit)))
        .collect();
    // Stable: equal ranks stay in SKU order.
    found.sort_by_key(|(r, _)| *r);
    let total = found.len();
    SearchResult {
        store: store.map(str::to_owned),
        products: found.into_iter().take(limit).map(|(_, h)| h).collect(),
        total,
    }
}

/// Searches the catalog the hub has published (tombstones left out).
pub fn search_db(conn: &Connection, query: &str, store: Option<&str>) -> rusqlite::Result<SearchResult> {
    let mut stmt = conn.prepare_cached("SELECT row_json FROM catalog_rows WHERE row_json IS NOT NULL")?;
    let rows: Vec<CatalogRow> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .filter_map(|json| json.ok())
        // Rows were validated when published; one that no longer parses is left out.
        .filter_map(|json| serde_json::from_str(&json).ok())
        .collect();
    Ok(search(rows, query, store, MAX_HITS))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use atelier_domain::catalog::{
        Category, Fit, Gender, NamedColour, Pattern, ProductInfo, StockLevel, VariantInfo,
    };
    use atelier_domain::colour::Lab;

    fn row(sku: &str, name_en: &str, name_zh: &str, colour: &str, size: &str, sh: u32) -> CatalogRow {
        CatalogRow {
            product: ProductInfo {
                sku: sku.into(),
                name_en: name_en.into(),
                name_zh: name_zh.into(),
                category: Category::Top,
                gender: Gender::Unisex,
                fit: Fit::Regular,
                pattern: Pattern::Solid,
                material: "cotton".into(),
                style_tags: vec![],
                occasion_tags: vec![],
                seasons: vec![],
                price_minor: 25900,
                currency: "CNY".into(),
            },
            variant: VariantInfo {
                variant_sku: format!("{sku}-{colour}-{size}"),
                colour: NamedColour {
                    name_en: colour.into(),
                    name_zh: format!("{colour}色"),
                    lab: Lab {
                        l: 50.0,
                        a: 0.0,
                        b: 0.0,
                    },
                },
                size: size.into(),
                barcode: None,
            },
            stock: vec![
                StockLevel {
                    store_id: "sh".into(),
                    quantity: sh,
                },
                StockLevel {
                    store_id: "bj".into(),
                    quantity: 9,
                },
            ],
            images: vec![format!("hub:{}", "a".repeat(64))],
        }
    }

    fn rows() -> Vec<CatalogRow> {
        vec![
            row("TEE-2", "Linen shirt", "亚麻衬衫", "White", "M", 0),
            row("TEE-1", "Modal T-shirt", "莫代尔T恤", "Black", "S", 2),
            row("TEE-1", "Modal T-shirt", "莫代尔T恤", "Black", "M", 3),
            row("TEE-1", "Modal T-shirt", "莫代尔T恤", "Navy", "M", 1),
        ]
    }

    #[test]
    fn groups_variants_and_counts_the_stores_stock() {
        let r = search(rows(), "modal", Some("sh"), 30);
        assert_eq!(r.total, 1);
        let p = &r.products[0];
        assert_eq!(p.sku, "TEE-1");
        assert_eq!(p.variants.len(), 3);
        assert_eq!(
            p.sizes,
            vec![
                SizeHit {
                    size: "S".into(),
                    in_store: 2
                },
                SizeHit {
                    size: "M".into(),
                    in_store: 4
                }
            ]
        );
        assert_eq!(
            p.colours.iter().map(|c| c.in_store).collect::<Vec<_>>(),
            vec![5, 1]
        );
        assert_eq!(
            p.thumbnail.as_deref(),
            Some(format!("/api/stylist/images/{}", "a".repeat(64)).as_str())
        );
    }

    #[test]
    fn matches_chinese_names_skus_and_ranks_exact_skus_first() {
        assert_eq!(search(rows(), "衬衫", None, 30).products[0].sku, "TEE-2");
        let r = search(rows(), "tee", Some("sh"), 30);
        assert_eq!(r.total, 2);
        let r = search(rows(), "tee-2", None, 30);
        assert_eq!(r.products[0].sku, "TEE-2");
        assert_eq!(search(rows(), "tee-1-navy-m", None, 30).products[0].sku, "TEE-1");
        assert_eq!(search(rows(), "nothing like it", None, 30).total, 0);
    }

    #[test]
    fn an_empty_query_lists_by_sku_and_the_limit_holds() {
        let r = search(rows(), "  ", None, 1);
        assert_eq!(r.total, 2);
        assert_eq!(r.products.len(), 1);
        assert_eq!(r.products[0].sku, "TEE-1");
        assert!(
            r.products[0].sizes.iter().all(|s| s.in_store == 0),
            "no store, no stock"
        );
    }

    #[test]
    fn sizes_read_small_to_large() {
        let mut v = vec!["XL", "28", "S", "one size", "M", "26", "XS"];
        v.sort_by_key(|s| size_order(s));
        assert_eq!(v, vec!["XS", "S", "M", "XL", "26", "28", "one size"]);
    }

    #[test]
    fn long_queries_are_cut() {
        assert_eq!(normalise_query(&"X".repeat(500)).chars().count(), MAX_QUERY_CHARS);
    }
}
