//! A deterministic synthetic catalog for tests, benchmarks and evaluation runs: products spread
//! over every category with colour variants drawn from the palette library, tags, seasons, prices
//! and sizes in stock. Not store data: proportions are plausible, nothing more.

use super::Candidate;
use crate::catalog::{Category, Gender, NamedColour, Pattern, Season};
use crate::palette::LIBRARY;
use crate::rng::XorShift64;

/// Occasion slugs the synthetic catalog uses.
pub const OCCASIONS: [&str; 7] = [
    "work",
    "casual",
    "date",
    "party",
    "weekend",
    "wedding-guest",
    "travel",
];
/// Style slugs the synthetic catalog uses.
pub const STYLES: [&str; 6] = ["minimal", "classic", "street", "romantic", "sporty", "boho"];
/// Clothing sizes.
pub const CLOTHING_SIZES: [&str; 5] = ["XS", "S", "M", "L", "XL"];
/// Shoe sizes (EU).
pub const SHOE_SIZES: [&str; 10] = ["35", "36", "37", "38", "39", "40", "41", "42", "43", "44"];

/// Cumulative share of products per category (per mille).
const CATEGORY_SHARE: [(Category, u32); 11] = [
    (Category::Top, 250),
    (Category::Bottom, 430),
    (Category::Skirt, 490),
    (Category::Dress, 590),
    (Category::Outerwear, 670),
    (Category::Knitwear, 740),
    (Category::Suit, 770),
    (Category::Jumpsuit, 800),
    (Category::Shoes, 920),
    (Category::Bag, 970),
    (Category::Accessory, 1000),
];

/// `products` products with `colours_per_product` colour variants each (at most the library size).
pub fn catalog(products: usize, colours_per_product: usize, seed: u64) -> Vec<Candidate> {
    let mut rng = XorShift64::new(seed);
    let colours: Vec<NamedColour> = LIBRARY.iter().map(|c| c.named()).collect();
    let per = colours_per_product.clamp(1, colours.len());
    let mut out = Vec::with_capacity(products * per);
    for p in 0..products {
        let roll = rng.below(1000) as u32;
        let category = CATEGORY_SHARE
            .iter()
            .find(|(_, c)| roll < *c)
            .map_or(Category::Top, |(c, _)| *c);
        let gender = match category {
            Category::Dress | Category::Skirt => Gender::Women,
            _ => match rng.below(20) {
                0..=10 => Gender::Women,
                11..=17 => Gender::Men,
                _ => Gender::Unisex,
            },
        };
        let pattern = match rng.below(10) {
            0..=6 => Pattern::Solid,
            7 => Pattern::Texture,
            8 => Pattern::Stripe,
            _ => Pattern::Check,
        };
        let pick = |rng: &mut XorShift64, list: &[&str], most: usize| -> Vec<String> {
            let n = 1 + rng.below(most);
            let mut v: Vec<String> = (0..n).map(|_| list[rng.below(list.len())].to_owned()).collect();
            v.sort();
            v.dedup();
            v
        };
        let occasion_tags = pick(&mut rng, &OCCASIONS, 2);
        let style_tags = pick(&mut rng, &STYLES, 2);
        let seasons = if rng.below(2) == 0 {
            Season::ALL.to_vec()
        } else {
            let a = Season::ALL[rng.below(4)];
            let b = Season::ALL[rng.below(4)];
            let mut s = vec![a, b];
            s.sort();
            s.dedup();
            s
        };
        let base_price: u64 = match category {
            Category::Suit | Category::Outerwear => 1200,
            Category::Dress | Category::Jumpsuit | Category::Shoes => 700,
            Category::Bag => 600,
            Category::Accessory => 150,
            _ => 350,
        };
        let price_minor = (base_price + rng.below(base_price as usize) as u64) * 100;
        let product_sku = format!("P{:02}-{p:06}", category as usize);
        let mut chosen: Vec<usize> = (0..colours.len()).collect();
        rng.shuffle(&mut chosen);
        for &ci in &chosen[..per] {
            let sizes: Vec<String> = match category {
                Category::Shoes => SHOE_SIZES
                    .iter()
                    .filter(|_| rng.below(10) < 6)
                    .map(|s| (*s).to_owned())
                    .collect(),
                Category::Bag | Category::Accessory => vec!["ONE SIZE".to_owned()],
                _ => CLOTHING_SIZES
                    .iter()
                    .filter(|_| rng.below(10) < 7)
                    .map(|s| (*s).to_owned())
                    .collect(),
            };
            out.push(Candidate {
                variant_sku: format!("{product_sku}-{ci:02}"),
                product_sku: product_sku.clone(),
                name_en: format!("{} {}", category.as_str(), p),
                name_zh: format!("单品{p}"),
                category,
                gender,
                colour: colours[ci].clone(),
                pattern,
                style_tags: style_tags.clone(),
                occasion_tags: occasion_tags.clone(),
                seasons: seasons.clone(),
                price_minor,
                sizes_in_stock: sizes,
            });
        }
    }
    out
}
