//! The recommender against held-out, hand-curated looks (fill in the blank, four options): it
//! must beat both a random pick and popularity, with and without the look's occasion. The
//! curated set itself is checked first (SKUs exist, looks complete, reuse bounded).

#![allow(clippy::unwrap_used)] // a test panics on purpose when its set-up fails

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[test]
fn the_recommender_beats_random_and_popularity_on_curated_looks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let check = Command::new("python3")
        .arg(root.join("scripts/check-curated-looks.py"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let out = Command::new(atelier_tests::binary("eval-looks").unwrap())
        .args(["--seeds", "5", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["set"] == name)
            .unwrap_or_else(|| panic!("no row {name}: {rows:?}"))["summary"]
            .clone()
    };
    let mean = |v: &Value, k: &str| v[k][0].as_f64().unwrap_or(0.0);
    let given = row("all (each look's occasion)");
    assert!(given["questions"].as_u64().unwrap_or(0) >= 400, "{given}");
    assert!(mean(&given, "accuracy") > mean(&given, "random") + 0.2, "{given}");
    assert!(
        mean(&given, "accuracy") > mean(&given, "popularity") + 0.2,
        "{given}"
    );
    let blind = row("all (no occasion given)");
    assert!(
        mean(&blind, "accuracy") > mean(&blind, "random") + 0.05,
        "{blind}"
    );
    assert!(mean(&blind, "accuracy") > mean(&blind, "popularity"), "{blind}");
}
