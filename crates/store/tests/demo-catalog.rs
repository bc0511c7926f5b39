//! The demo catalog in assets/ is complete and clean: it imports without a rejection, covers the
//! categories, genders, seasons and occasions a demo needs, stocks two stores, and every product's
//! image becomes display-ready.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::path::Path;

use atelier_store::images::{ImageStore, process_pending};
use atelier_store::import::{Format, import_file};
use atelier_store::{KIOSK_MIGRATIONS, open};

#[test]
fn the_demo_catalog_imports_cleanly_with_images() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-catalog");
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("kiosk.sqlite"), &KIOSK_MIGRATIONS).unwrap();
    let report = import_file(&mut conn, &demo.join("catalog.csv"), Format::Csv, 1, |_, _| {}).unwrap();
    assert_eq!(report.rejected, 0, "{:?}", report.rejections);

    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(count("SELECT COUNT(*) FROM products") >= 400);
    assert_eq!(count("SELECT COUNT(DISTINCT category) FROM products"), 11);
    assert_eq!(count("SELECT COUNT(DISTINCT gender) FROM products"), 3);
    assert_eq!(count("SELECT COUNT(DISTINCT store_id) FROM stock"), 2);
    for season in ["spring", "summer", "autumn", "winter"] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM products WHERE seasons LIKE '%{season}%'"
            )) > 20,
            "{season}"
        );
    }
    for occasion in ["work", "casual", "date", "party", "wedding-guest", "travel"] {
        assert!(
            count(&format!(
                "SELECT COUNT(*) FROM products WHERE occasion_tags LIKE '%{occasion}%'"
            )) > 10,
            "{occasion}"
        );
    }
    assert!(
        count("SELECT COUNT(*) FROM stock WHERE quantity = 0") > 0,
        "some sizes are sold out, as in a real store"
    );

    let images = process_pending(&conn, &ImageStore::new(dir.path()), &demo, 1).unwrap();
    assert!(images.rejected.is_empty(), "{:?}", images.rejected);
    assert_eq!(
        count("SELECT COUNT(*) FROM product_images WHERE image_hash IS NULL"),
        0
    );
    assert!(
        count(
            "SELECT COUNT(*) FROM products p WHERE NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_sku = p.sku)"
        ) == 0
    );
}

#[test]
fn garment_tags_find_their_product_by_gtin_sku_or_link() {
    use atelier_store::catalog::{TagMatch, card, find_by_code};
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-catalog");
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("kiosk.sqlite"), &KIOSK_MIGRATIONS).unwrap();
    import_file(&mut conn, &demo.join("catalog.csv"), Format::Csv, 1, |_, _| {}).unwrap();
    let variant = |v: &str| {
        Some(TagMatch {
            product_sku: "TOP-001".into(),
            variant_sku: Some(v.into()),
        })
    };
    assert_eq!(
        find_by_code(&conn, "2000000000015").unwrap(),
        variant("TOP-001-B00-XS")
    );
    assert_eq!(
        find_by_code(&conn, " TOP-001-B00-S ").unwrap(),
        variant("TOP-001-B00-S")
    );
    assert_eq!(
        find_by_code(&conn, "https://shop.example/p/TOP-001-B00-S").unwrap(),
        variant("TOP-001-B00-S")
    );
    assert_eq!(
        find_by_code(&conn, "TOP-001").unwrap(),
        Some(TagMatch {
            product_sku: "TOP-001".into(),
            variant_sku: None
        })
    );
    assert_eq!(find_by_code(&conn, "2000000009999").unwrap(), None);
    assert_eq!(find_by_code(&conn, "'; DROP TABLE products; --").unwrap(), None);
    let c = card(&conn, "demo-sh", "TOP-001").unwrap().unwrap();
    assert_eq!(c.name_en, "Modal T-shirt");
    assert!(!c.sizes_in_stock.is_empty());
    assert_eq!(card(&conn, "demo-sh", "NOPE").unwrap(), None);
}
