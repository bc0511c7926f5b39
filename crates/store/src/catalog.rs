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
