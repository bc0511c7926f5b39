//! Synthetic catalogs for tests and benchmarks: `products` products × 4 variants (2 colours × 2
//! sizes), stock in two stores, deterministic for a given seed.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::rng::Rng;

const HEADER: &str = "sku,name_en,name_zh,category,gender,fit,pattern,material,style_tags,occasion_tags,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images";
const CATEGORIES: &[&str] = &[
    "top",
    "bottom",
    "dress",
    "skirt",
    "outerwear",
    "knitwear",
    "shoes",
    "bag",
    "accessory",
];
const COLOURS: &[(&str, &str, &str)] = &[
    ("Dusty blue", "雾霾蓝", "62 -3 -18"),
    ("Milk-tea beige", "奶茶色", "74 5 18"),
    ("Black", "黑色", "12 0 0"),
    ("Ivory", "象牙白", "93 0 8"),
    ("Burgundy", "酒红", "30 35 12"),
    ("Olive", "橄榄绿", "48 -8 30"),
    ("Camel", "驼色", "60 12 30"),
    ("Navy", "藏青", "22 4 -25"),
];
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];

/// Writes a CSV catalog of `products` × 4 variants. `price_bump` changes the price of the first
/// `bumped` products by that many cents, to make a file that updates just those.
pub fn write_csv(
    path: &Path,
    products: usize,
    seed: u64,
    price_bump: u64,
    bumped: usize,
) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "{HEADER}")?;
    let mut rng = Rng::new(seed);
    for p in 0..products {
        let category = rng.pick(CATEGORIES);
        let gender = rng.pick(&["women", "men", "unisex"]);
        let price = 99 + rng.next_u64() % 2000;
        let bump = if p < bumped { price_bump } else { 0 };
        let cents = (price * 100 + bump) % 10_000_000;
        let colours = [rng.pick(COLOURS), rng.pick(COLOURS)];
        let first_size = (rng.next_u64() % (SIZES.len() as u64 - 1)) as usize;
        for (ci, colour) in colours.iter().enumerate() {
            for size in &SIZES[first_size..first_size + 2] {
                let (sh, bj) = (rng.next_u64() % 6, rng.next_u64() % 6);
                writeln!(
                    out,
                    "P{p:06},Item {p},款式 {p},{category},{gender},regular,solid,cotton,classic|minimal,work|casual,spring|autumn,{}.{:02},CNY,P{p:06}-{ci}-{size},{},{},{},{size},demo-sh:{sh}|demo-bj:{bj},images/p{p:06}.png",
                    cents / 100,
                    cents % 100,
                    colour.0,
                    colour.1,
                    colour.2
                )?;
            }
        }
    }
    out.flush()
}
