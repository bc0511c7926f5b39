//! Catalog benchmark: import a synthetic catalog (default 50k products × 4 variants), re-import it
//! unchanged and with every price changed, then time lookups by SKU and by filter.
//!
//!     cargo run --release -p atelier-tests --bin bench-catalog -- [--products N]
//!
//! Targets: full CSV import ≤ 30 s; lookups by SKU and by filter p95 < 2 ms.

#![allow(clippy::print_stdout)] // a benchmark's output is its product

use std::time::{Duration, Instant};

use anyhow::Context;
use atelier_domain::catalog::Category;
use atelier_domain::colour::Lab;
use atelier_store::catalog::{Filter, product, search};
use atelier_store::import::{Format, import_file};
use atelier_store::{KIOSK_MIGRATIONS, open};
use atelier_tests::catalog_gen::write_csv;

fn main() -> anyhow::Result<()> {
    let mut products = 50_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--products" {
            products = args.next().context("--products N")?.parse()?;
        }
    }
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("catalog.csv");
    let csv2 = dir.path().join("catalog-prices.csv");
    write_csv(&csv, products, 7, 0, 0)?;
    write_csv(&csv2, products, 7, 1, products)?;
    let size_mb = std::fs::metadata(&csv)?.len() as f64 / 1e6;
    println!(
        "catalog: {products} products × 4 variants = {} rows, {size_mb:.1} MB CSV",
        products * 4
    );

    let mut conn = open(&dir.path().join("kiosk.sqlite"), &KIOSK_MIGRATIONS)?;
    for (label, path) in [
        ("full import (empty db)", &csv),
        ("re-import, unchanged", &csv),
        ("re-import, every price changed", &csv2),
    ] {
        let t = Instant::now();
        let r = import_file(&mut conn, path, Format::Csv, 1, |_, _| {})?;
        println!(
            "{label:<32} {:>6.2} s   imported {} updated {} unchanged {} rejected {}",
            t.elapsed().as_secs_f64(),
            r.imported,
            r.updated,
            r.unchanged,
            r.rejected
        );
    }

    let mut by_sku = Vec::new();
    for i in 0..5000u64 {
        let sku = format!("P{:06}", (i * 7919) % products as u64);
        let t = Instant::now();
        let p = product(&conn, &sku, "demo-sh")?;
        by_sku.push(t.elapsed());
        anyhow::ensure!(p.is_some_and(|p| p.variants.len() == 4), "{sku} not found whole");
    }
    report("lookup by SKU (product + 4 variants + stock)", &mut by_sku);

    let categories = [
        Category::Top,
        Category::Dress,
        Category::Outerwear,
        Category::Shoes,
    ];
    let targets = [
        Lab {
            l: 62.0,
            a: -3.0,
            b: -18.0,
        },
        Lab {
            l: 74.0,
            a: 5.0,
            b: 18.0,
        },
        Lab {
            l: 30.0,
            a: 35.0,
            b: 12.0,
        },
    ];
    let mut by_filter = Vec::new();
    let mut found = 0usize;
    for i in 0..2000usize {
        let filter = Filter {
            store_id: "demo-sh",
            category: Some(categories[i % categories.len()]),
            size: Some(["S", "M", "L"][i % 3]),
            in_stock: true,
            colour: Some((targets[i % targets.len()], 10.0)),
            limit: 24,
        };
        let t = Instant::now();
        found += search(&conn, &filter)?.len();
        by_filter.push(t.elapsed());
    }
    report("filter: category + size in stock + ΔE00 ≤ 10", &mut by_filter);
    println!(
        "(filters returned {:.1} hits on average, capped at 24)",
        found as f64 / 2000.0
    );
    Ok(())
}

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{label:<46} p50 {:.3} ms   p95 {:.3} ms   max {:.3} ms   (target p95 < 2 ms)",
        at(0.5),
        at(0.95),
        at(1.0)
    );
}
