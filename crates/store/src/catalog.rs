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

/// Variants matching `filter`.
pub fn search(conn: &Connection, filter: &Filter<'_>) -> Result<Vec<Hit>, StoreError> {
    // CIEDE2000 divides ΔL by S_L ≤ 1.8 (its largest value over L 0–100), so |ΔL| ≤ 1.8·ΔE:
    // a safe range on the indexed lab_l column. Hue and chroma are checked exactly below.
    let (l_min, l_max) = match filter.colour {
        Some((lab, max_de)) => (f64::from(lab.l - 1.8 * max_de), f64::from(lab.l + 1.8 * max_de)),
        None => (f64::MIN, f64::MAX),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT v.product_sku, v.variant_sku, v.size, COALESCE(s.quantity, 0), v.lab_l, v.lab_a, v.lab_b
         FROM variants v LEFT JOIN stock s ON s.variant_sku = v.variant_sku AND s.store_id = ?1
         WHERE (?2 IS NULL OR v.category = ?2) AND (?3 IS NULL OR v.size = ?3)
           AND v.lab_l BETWEEN ?4 AND ?5 AND (?6 = 0 OR s.quantity > 0)",
    )?;
    let rows = stmt.query_map(
        params![
            filter.store_id,
            filter.category.map(Category::as_str),
            filter.size.map(str::to_ascii_uppercase),
            l_min,
            l_max,
            filter.in_stock
        ],
        |r| {
            let lab = Lab {
                l: r.get::<_, f64>(4)? as f32,
                a: r.get::<_, f64>(5)? as f32,
                b: r.get::<_, f64>(6)? as f32,
            };
            Ok((
                Hit {
                    product_sku: r.get(0)?,
                    variant_sku: r.get(1)?,
                    size: r.get(2)?,
                    quantity: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    delta_e: None,
                },
                lab,
            ))
        },
    )?;
    let mut hits = Vec::new();
    for row in rows {
        let (mut hit, lab) = row?;
        if let Some((target, max_de)) = filter.colour {
            let de = delta_e_2000(target, lab);
            if de > max_de {
                continue;
            }
            hit.delta_e = Some(de);
        }
        hits.push(hit);
    }
    hits.sort_by(|a, b| {
        a.delta_e
            .unwrap_or(0.0)
            .total_cmp(&b.delta_e.unwrap_or(0.0))
            .then_with(|| a.variant_sku.cmp(&b.variant_sku))
    });
    hits.truncate(filter.limit);
    Ok(hits)
}
