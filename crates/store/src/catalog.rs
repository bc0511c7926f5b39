//! Reading the catalog: a product by SKU, and variants by filter.

use atelier_domain::catalog::Category;
use atelier_domain::colour::{Lab, delta_e_2000};
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

/// A product with its variants and this store's stock.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecord {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: String,
    pub price_minor: i64,
    pub currency: String,
    pub variants: Vec<VariantRecord>,
}

/// One variant, with its stock in the store asked about.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRecord {
    pub variant_sku: String,
    pub colour_name_en: String,
    pub colour_name_zh: String,
    pub lab: Lab,
    pub size: String,
    pub quantity: u32,
}

/// What to look for.
#[derive(Debug, Clone)]
pub struct Filter<'a> {
    pub store_id: &'a str,
    pub category: Option<Category>,
    pub size: Option<&'a str>,
    /// Only variants with stock in `store_id`.
    pub in_stock: bool,
    /// A target colour and the largest CIEDE2000 difference accepted.
    pub colour: Option<(Lab, f32)>,
    pub limit: usize,
}

/// A variant that matched, closest colour first when a colour was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub product_sku: String,
    pub variant_sku: String,
    pub size: String,
    pub quantity: u32,
    pub delta_e: Option<f32>,
}

/// The product with this SKU, with stock for `store_id`.
pub fn product(conn: &Connection, sku: &str, store_id: &str) -> Result<Option<ProductRecord>, StoreError> {
    let head = conn
        .prepare_cached(
            "SELECT sku, name_en, name_zh, category, price_minor, currency FROM products WHERE sku = ?1",
        )?
        .query_row([sku], |r| {
            Ok(ProductRecord {
                sku: r.get(0)?,
                name_en: r.get(1)?,
                name_zh: r.get(2)?,
                category: r.get(3)?,
                price_minor: r.get(4)?,
                currency: r.get(5)?,
                variants: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut product) = head else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT v.variant_sku, v.colour_name_en, v.colour_name_zh, v.lab_l, v.lab_a, v.lab_b, v.size,
                COALESCE(s.quantity, 0)
         FROM variants v LEFT JOIN stock s ON s.variant_sku = v.variant_sku AND s.store_id = ?2
         WHERE v.product_sku = ?1 ORDER BY v.variant_sku",
    )?;
    product.variants = stmt
        .query_map(params![sku, store_id], |r| {
            Ok(VariantRecord {
                variant_sku: r.get(0)?,
                colour_name_en: r.get(1)?,
                colour_name_zh: r.get(2)?,
                lab: Lab {
                    l: r.get::<_, f64>(3)? as f32,
                    a: r.get::<_, f64>(4)? as f32,
                    b: r.get::<_, f64>(5)? as f32,
                },
                size: r.get(6)?,
                quantity: u32::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(product))
}

/// Variants matching `filter`: closest colour first (when a colour is given), then by SKU.
pub fn search(conn: &Connection, filter: &Filter<'_>) -> Result<Vec<Hit>, StoreError> {
    // CIEDE2000 divides ΔL by S_L ≤ 1.75 (its largest value over L 0–100), and the rest of the
    // formula adds a non-negative term, so |ΔL| ≤ 1.8·ΔE: a safe range on the indexed lab_l column.
    let (l_min, l_max) = match filter.colour {
        Some((lab, max_de)) => (f64::from(lab.l - 1.8 * max_de), f64::from(lab.l + 1.8 * max_de)),
        None => (f64::MIN, f64::MAX),
    };
    // Only the conditions in use, so SQLite walks the covering (category, size, lab_l, …) index.
    let mut sql = String::from(
        "SELECT v.product_sku, v.variant_sku, v.size, v.lab_l, v.lab_a, v.lab_b FROM variants v
         WHERE v.lab_l BETWEEN ?1 AND ?2",
    );
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(l_min), Box::new(l_max)];
    if let Some(c) = filter.category {
        args.push(Box::new(c.as_str()));
        sql += &format!(" AND v.category = ?{}", args.len());
    }
    if let Some(size) = filter.size {
        args.push(Box::new(size.to_ascii_uppercase()));
        sql += &format!(" AND v.size = ?{}", args.len());
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        let lab = Lab {
            l: r.get::<_, f64>(3)? as f32,
            a: r.get::<_, f64>(4)? as f32,
            b: r.get::<_, f64>(5)? as f32,
        };
        let hit = Hit {
            product_sku: r.get(0)?,
            variant_sku: r.get(1)?,
            size: r.get(2)?,
            quantity: 0,
            delta_e: None,
        };
        Ok((hit, lab))
    })?;
    let mut candidates = Vec::new();
    for row in rows {
        let (mut hit, lab) = row?;
        if let Some((target, max_de)) = filter.colour {
            let de = delta_e_2000(target, lab);
            if de > max_de {
                continue;
            }
            hit.delta_e = Some(de);
        }
        candidates.push(hit);
    }
    candidates.sort_by(|a, b| {
        a.delta_e
            .unwrap_or(0.0)
            .total_cmp(&b.delta_e.unwrap_or(0.0))
            .then_with(|| a.variant_sku.cmp(&b.variant_sku))
    });
    // Stock last, and only for as many candidates as it takes to fill the page.
    let mut stock =
        conn.prepare_cached("SELECT quantity FROM stock WHERE variant_sku = ?1 AND store_id = ?2")?;
    let mut hits = Vec::with_capacity(filter.limit);
    for mut hit in candidates {
        if hits.len() >= filter.limit {
            break;
        }
        let qty: Option<i64> = stock
            .query_row(params![hit.variant_sku, filter.store_id], |r| r.get(0))
            .optional()?;
        hit.quantity = u32::try_from(qty.unwrap_or(0)).unwrap_or(0);
        if filter.in_stock && hit.quantity == 0 {
            continue;
        }
        hits.push(hit);
    }
    Ok(hits)
}

/// A product as a browse card shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: String,
    pub price_minor: i64,
    pub currency: String,
    /// Distinct colours, in SKU order: (en, zh, Lab).
    pub colours: Vec<(String, String, Lab)>,
    /// Sizes with stock in the store, in the order the variants list them.
    pub sizes_in_stock: Vec<String>,
    /// The first display-ready image, if any.
    pub image_hash: Option<String>,
}

/// One page of cards, optionally of one category, and how many match in all.
pub fn cards(
    conn: &Connection,
    store_id: &str,
    category: Option<Category>,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Card>, u32), StoreError> {
    let cat = category.map(Category::as_str);
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM products WHERE ?1 IS NULL OR category = ?1")?
        .query_row([cat], |r| r.get(0))?;
    let mut page = conn.prepare_cached(&format!(
        "{CARD_HEAD} WHERE ?1 IS NULL OR p.category = ?1 ORDER BY p.category, p.sku LIMIT ?2 OFFSET ?3"
    ))?;
    let mut cards: Vec<Card> = page
        .query_map(params![cat, limit, offset], card_head)?
        .collect::<Result<_, _>>()?;
    let mut variants = conn.prepare_cached(CARD_VARIANTS)?;
    for card in &mut cards {
        fill_card(&mut variants, store_id, card)?;
    }
    Ok((cards, u32::try_from(total).unwrap_or(u32::MAX)))
}

/// A card's product fields and first ready image (read by [`card_head`]).
const CARD_HEAD: &str = "SELECT p.sku, p.name_en, p.name_zh, p.category, p.price_minor, p.currency,
        (SELECT image_hash FROM product_images i WHERE i.product_sku = p.sku AND i.image_hash IS NOT NULL
         ORDER BY position LIMIT 1)
     FROM products p";

fn card_head(r: &rusqlite::Row<'_>) -> rusqlite::Result<Card> {
    Ok(Card {
        sku: r.get(0)?,
        name_en: r.get(1)?,
        name_zh: r.get(2)?,
        category: r.get(3)?,
        price_minor: r.get(4)?,
        currency: r.get(5)?,
        colours: Vec::new(),
        sizes_in_stock: Vec::new(),
        image_hash: r.get(6)?,
    })
}

const CARD_VARIANTS: &str =
    "SELECT v.colour_name_en, v.colour_name_zh, v.lab_l, v.lab_a, v.lab_b, v.size, COALESCE(s.quantity, 0)
     FROM variants v LEFT JOIN stock s ON s.variant_sku = v.variant_sku AND s.store_id = ?2
     WHERE v.product_sku = ?1 ORDER BY v.variant_sku";

/// The card of one product, for this store.
pub fn card(conn: &Connection, store_id: &str, product_sku: &str) -> Result<Option<Card>, StoreError> {
    let head = conn
        .prepare_cached(&format!("{CARD_HEAD} WHERE p.sku = ?1"))?
        .query_row([product_sku], card_head)
        .optional()?;
    let Some(mut card) = head else { return Ok(None) };
    fill_card(&mut conn.prepare_cached(CARD_VARIANTS)?, store_id, &mut card)?;
    Ok(Some(card))
}

/// The first display-ready image of a product, if any.
pub fn first_image(conn: &Connection, product_sku: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT image_hash FROM product_images WHERE product_sku = ?1 AND image_hash IS NOT NULL
             ORDER BY position LIMIT 1",
        )?
        .query_row([product_sku], |r| r.get(0))
        .optional()?)
}

/// What a garment tag's code refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagMatch {
    pub product_sku: String,
    /// The exact variant when the tag names one (its GTIN or variant SKU).
    pub variant_sku: Option<String>,
}

/// Finds the product a scanned code names: a variant's GTIN, a variant SKU or a product SKU,
/// also when a QR code holds a link whose last path segment is one of those.
pub fn find_by_code(conn: &Connection, code: &str) -> Result<Option<TagMatch>, StoreError> {
    let code = code.trim();
    let mut candidates = vec![code];
    if let Some(last) = code.trim_end_matches('/').rsplit('/').next()
        && last != code
        && !last.is_empty()
    {
        candidates.push(last);
    }
    for c in candidates {
        let variant = conn
            .prepare_cached(
                "SELECT product_sku, variant_sku FROM variants WHERE barcode = ?1
                 UNION ALL SELECT product_sku, variant_sku FROM variants WHERE variant_sku = ?1
                 LIMIT 1",
            )?
            .query_row([c], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .optional()?;
        if let Some((product_sku, variant_sku)) = variant {
            return Ok(Some(TagMatch {
                product_sku,
                variant_sku: Some(variant_sku),
            }));
        }
        let product: Option<String> = conn
            .prepare_cached("SELECT sku FROM products WHERE sku = ?1")?
            .query_row([c], |r| r.get(0))
            .optional()?;
        if let Some(product_sku) = product {
            return Ok(Some(TagMatch {
                product_sku,
                variant_sku: None,
            }));
        }
    }
    Ok(None)
}

fn fill_card(
    variants: &mut rusqlite::CachedStatement<'_>,
    store_id: &str,
    card: &mut Card,
) -> Result<(), StoreError> {
    {
        let rows = variants.query_map(params![card.sku, store_id], |r| {
            let lab = Lab {
                l: r.get::<_, f64>(2)? as f32,
                a: r.get::<_, f64>(3)? as f32,
                b: r.get::<_, f64>(4)? as f32,
            };
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                lab,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        for row in rows {
            let (en, zh, lab, size, qty) = row?;
            if !card.colours.iter().any(|(e, _, _)| *e == en) {
                card.colours.push((en, zh, lab));
            }
            if qty > 0 && !card.sizes_in_stock.contains(&size) {
                card.sizes_in_stock.push(size);
            }
        }
        card.sizes_in_stock
            .sort_by(|a, b| size_rank(a).total_cmp(&size_rank(b)).then_with(|| a.cmp(b)));
    }
    Ok(())
}

/// Orders sizes as a store does: letter sizes by size, then numeric sizes by number, then the rest.
fn size_rank(size: &str) -> f64 {
    const LETTERS: [&str; 9] = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "F"];
    if let Some(i) = LETTERS.iter().position(|l| *l == size) {
        return i as f64;
    }
    size.parse::<f64>().map_or(10_000.0, |n| 100.0 + n)
}

/// Product counts per category, in the order of [`Category::ALL`], empty ones left out.
pub fn category_counts(conn: &Connection) -> Result<Vec<(Category, u32)>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT category, COUNT(*) FROM products GROUP BY category")?;
    let counts: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Category::ALL
        .iter()
        .filter_map(|c| {
            counts
                .iter()
                .find(|(name, _)| name == c.as_str())
                .map(|(_, n)| (*c, u32::try_from(*n).unwrap_or(0)))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::size_rank;

    #[test]
    fn sizes_sort_like_a_store() {
        let mut sizes = vec!["XL", "40", "S", "M", "XS", "38.5", "F", "custom"];
        sizes.sort_by(|a, b| size_rank(a).total_cmp(&size_rank(b)));
        assert_eq!(sizes, vec!["XS", "S", "M", "XL", "F", "38.5", "40", "custom"]);
    }
}
