//! `atelier recommend` as a real process on the demo catalog: looks in stock in the shopper's
//! sizes, built around a scanned garment, JSON for machines, clear errors for bad input.

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::path::Path;
use std::process::Command;

fn atelier(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(atelier_tests::binary("atelier").unwrap())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn looks_from_stock_in_size_around_a_scan_and_clear_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let import = atelier(
        dir.path(),
        &[
            "catalog",
            "import",
            root.join("assets/demo-catalog/catalog.csv").to_str().unwrap(),
        ],
    );
    assert!(import.status.success());
    let profile = root.join("docs/examples/profile.json");
    let out = atelier(
        dir.path(),
        &[
            "recommend",
            "--profile",
            profile.to_str().unwrap(),
            "--scanned",
            "2000000013473",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let looks = v["looks"].as_array().unwrap();
    assert_eq!(looks.len(), 3, "the profile asks for 3");

    let db = rusqlite::Connection::open(dir.path().join("kiosk.sqlite")).unwrap();
    for look in looks {
        let items = look["items"].as_array().unwrap();
        // Built around the dress in hand (DRE-001 in black).
        assert!(
            items
                .iter()
                .any(|i| i["product_sku"] == "DRE-001" && i["scanned"] == true),
            "{look}"
        );
        assert!(
            !look["reason_en"].as_str().unwrap().is_empty()
                && !look["reason_zh"].as_str().unwrap().is_empty()
        );
        for item in items.iter().filter(|i| i["scanned"] == false) {
            // In stock here (demo-sh) in the shopper's size for its kind.
            let size = match item["category"].as_str().unwrap() {
                "shoes" => "38",
                "bag" | "accessory" => "%",
                _ => "M",
            };
            let stocked: i64 = db
                .query_row(
                    "SELECT COUNT(*) FROM variants v JOIN stock s ON s.variant_sku = v.variant_sku
                     WHERE v.product_sku = ?1 AND v.colour_name_en = ?2 AND v.size LIKE ?3
                       AND s.store_id = 'demo-sh' AND s.quantity > 0",
                    rusqlite::params![
                        item["product_sku"].as_str().unwrap(),
                        item["colour"]["name_en"].as_str().unwrap(),
                        size
                    ],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(stocked > 0, "not in stock in size {size}: {item}");
        }
    }
    // The same inputs give the same answer.
    let again = atelier(
        dir.path(),
        &[
            "recommend",
            "--profile",
            profile.to_str().unwrap(),
            "--scanned",
            "2000000013473",
            "--json",
        ],
    );
    assert_eq!(again.stdout, out.stdout);

    // A profile with a typo names its line; an unknown scan is named too.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"sizes\": {\"tops\": [\"M\"]},\n  \"ocasion\": \"work\"\n}\n",
    )
    .unwrap();
    let out = atelier(dir.path(), &["recommend", "--profile", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("ocasion"), "{err}");
    let out = atelier(
        dir.path(),
        &[
            "recommend",
            "--profile",
            profile.to_str().unwrap(),
            "--scanned",
            "NOPE-1",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE-1"));
}
