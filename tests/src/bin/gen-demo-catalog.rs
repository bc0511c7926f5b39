//! Generates the demo catalog in `assets/demo-catalog/`: 400 products with names in English and
//! Simplified Chinese, a real store palette, stock for two demo stores, and a clean flat
//! illustration per product drawn in its colour and pattern. Deterministic: the same files on every
//! run.
//!
//!     cargo run -p atelier-tests --bin gen-demo-catalog -- [OUT_DIR]

#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::path::PathBuf;

use atelier_domain::colour::{Lab, srgb_from_lab};
use atelier_tests::rng::Rng;
use atelier_tests::tag_image::ean13_check_digit;

/// (en, zh, L, a, b): colours as fashion stores carry them.
const PALETTE: &[(&str, &str, f32, f32, f32)] = &[
    ("Black", "黑色", 16.0, 0.0, 0.0),
    ("Ivory", "象牙白", 93.0, 0.0, 8.0),
    ("Optic white", "本白", 96.0, 0.0, 2.0),
    ("Charcoal", "炭灰", 35.0, 0.0, -2.0),
    ("Heather grey", "麻灰", 62.0, 0.0, -1.0),
    ("Navy", "藏青", 22.0, 4.0, -25.0),
    ("Dusty blue", "雾霾蓝", 62.0, -3.0, -18.0),
    ("Denim blue", "牛仔蓝", 45.0, -2.0, -28.0),
    ("Milk-tea beige", "奶茶色", 74.0, 5.0, 18.0),
    ("Camel", "驼色", 60.0, 12.0, 30.0),
    ("Caramel", "焦糖色", 50.0, 20.0, 38.0),
    ("Burgundy", "酒红", 30.0, 35.0, 12.0),
    ("Rust", "铁锈红", 45.0, 35.0, 40.0),
    ("Blush pink", "裸粉", 82.0, 12.0, 8.0),
    ("Lavender", "薰衣草紫", 70.0, 10.0, -18.0),
    ("Sage green", "鼠尾草绿", 68.0, -10.0, 12.0),
    ("Olive", "橄榄绿", 48.0, -8.0, 30.0),
    ("Forest green", "墨绿", 30.0, -20.0, 6.0),
    ("Mustard", "芥末黄", 70.0, 5.0, 60.0),
    ("Cream", "奶油色", 92.0, 0.0, 15.0),
];

struct Kind {
    category: &'static str,
    count: usize,
    /// (en, zh, gender)
    nouns: &'static [(&'static str, &'static str, &'static str)],
    /// (en adjective, zh prefix, material text)
    materials: &'static [(&'static str, &'static str, &'static str)],
    price_range: (u64, u64),
}

const KINDS: &[Kind] = &[
    Kind {
        category: "top",
        count: 80,
        nouns: &[
            ("blouse", "衬衫", "women"),
            ("T-shirt", "T恤", "unisex"),
            ("camisole", "吊带背心", "women"),
            ("Oxford shirt", "牛津纺衬衫", "men"),
            ("polo shirt", "Polo衫", "men"),
            ("shirt", "衬衫", "women"),
        ],
        materials: &[
            ("Silk", "真丝", "100% mulberry silk"),
            ("Cotton", "纯棉", "100% cotton"),
            ("Linen", "亚麻", "100% linen"),
            ("Modal", "莫代尔", "modal blend"),
        ],
        price_range: (129, 899),
    },
    Kind {
        category: "bottom",
        count: 60,
        nouns: &[
            ("wide-leg trousers", "阔腿裤", "women"),
            ("jeans", "牛仔裤", "unisex"),
            ("chinos", "休闲裤", "men"),
            ("cigarette pants", "烟管裤", "women"),
            ("tailored trousers", "西裤", "men"),
        ],
        materials: &[
            ("Wool", "羊毛", "wool blend"),
            ("Cotton twill", "斜纹棉", "cotton twill"),
            ("Denim", "牛仔", "denim"),
            ("Linen", "亚麻", "linen"),
        ],
        price_range: (199, 999),
    },
    Kind {
        category: "dress",
        count: 50,
        nouns: &[
            ("wrap dress", "裹身连衣裙", "women"),
            ("slip dress", "吊带裙", "women"),
            ("shirt dress", "衬衫裙", "women"),
            ("midi dress", "中长连衣裙", "women"),
        ],
        materials: &[
            ("Silk", "真丝", "silk"),
            ("Cotton", "纯棉", "cotton poplin"),
            ("Knit", "针织", "fine knit"),
            ("Chiffon", "雪纺", "chiffon"),
        ],
        price_range: (359, 1599),
    },
    Kind {
        category: "skirt",
        count: 30,
        nouns: &[
            ("pleated skirt", "百褶裙", "women"),
            ("A-line skirt", "A字裙", "women"),
            ("pencil skirt", "铅笔裙", "women"),
        ],
        materials: &[
            ("Satin", "缎面", "satin"),
            ("Wool", "羊毛", "wool"),
            ("Denim", "牛仔", "denim"),
        ],
        price_range: (259, 899),
    },
    Kind {
        category: "outerwear",
        count: 50,
        nouns: &[
            ("trench coat", "风衣", "unisex"),
            ("wool coat", "大衣", "women"),
            ("blazer", "西装外套", "unisex"),
            ("down jacket", "羽绒服", "unisex"),
            ("denim jacket", "牛仔外套", "unisex"),
        ],
        materials: &[
            ("Classic", "经典", "cotton gabardine"),
            ("Double-faced", "双面", "wool and cashmere"),
            ("Lightweight", "轻薄", "recycled nylon"),
        ],
        price_range: (699, 3299),
    },
    Kind {
        category: "knitwear",
        count: 40,
        nouns: &[
            ("crewneck sweater", "圆领毛衣", "unisex"),
            ("cardigan", "开衫", "women"),
            ("turtleneck", "高领毛衣", "unisex"),
            ("V-neck sweater", "V领毛衣", "men"),
        ],
        materials: &[
            ("Cashmere", "羊绒", "100% cashmere"),
            ("Merino", "美利奴", "merino wool"),
            ("Cotton", "棉", "cotton knit"),
        ],
        price_range: (399, 1999),
    },
    Kind {
        category: "suit",
        count: 10,
        nouns: &[
            ("two-piece suit", "两件套西装", "men"),
            ("trouser suit", "西装套装", "women"),
        ],
        materials: &[("Wool", "羊毛", "super 110s wool")],
        price_range: (1999, 4999),
    },
    Kind {
        category: "jumpsuit",
        count: 10,
        nouns: &[("jumpsuit", "连体裤", "women")],
        materials: &[("Linen", "亚麻", "linen"), ("Crepe", "绉纱", "crepe")],
        price_range: (499, 1299),
    },
    Kind {
        category: "shoes",
        count: 40,
        nouns: &[
            ("loafers", "乐福鞋", "unisex"),
            ("ankle boots", "短靴", "women"),
            ("sneakers", "运动鞋", "unisex"),
            ("pumps", "高跟鞋", "women"),
            ("derby shoes", "德比鞋", "men"),
        ],
        materials: &[("Leather", "真皮", "calf leather"), ("Suede", "麂皮", "suede")],
        price_range: (499, 1899),
    },
    Kind {
        category: "bag",
        count: 20,
        nouns: &[
            ("tote bag", "托特包", "women"),
            ("crossbody bag", "斜挎包", "unisex"),
            ("shoulder bag", "单肩包", "women"),
        ],
        materials: &[("Leather", "真皮", "leather"), ("Canvas", "帆布", "canvas")],
        price_range: (399, 2599),
    },
    Kind {
        category: "accessory",
        count: 10,
        nouns: &[("scarf", "围巾", "unisex"), ("belt", "腰带", "unisex")],
        materials: &[
            ("Silk", "真丝", "silk twill"),
            ("Cashmere", "羊绒", "cashmere"),
            ("Leather", "真皮", "leather"),
        ],
        price_range: (199, 999),
    },
];

const STYLES: &[&str] = &[
    "minimal",
    "classic",
    "romantic",
    "street",
    "smart-casual",
    "boho",
    "sporty",
];
const OCCASIONS: &[&str] = &[
    "work",
    "casual",
    "date",
    "party",
    "wedding-guest",
    "travel",
    "weekend",
    "formal",
];
const PATTERNS: &[&str] = &[
    "solid", "solid", "solid", "solid", "stripe", "check", "dot", "floral",
];

fn sizes(category: &str, gender: &str) -> &'static [&'static str] {
    match (category, gender) {
        ("shoes", "men") => &["40", "41", "42", "43", "44"],
        ("shoes", _) => &["35", "36", "37", "38", "39"],
        ("bag" | "accessory", _) => &["F"],
        (_, "men") => &["S", "M", "L", "XL", "XXL"],
        _ => &["XS", "S", "M", "L", "XL"],
    }
}

fn seasons(category: &str, material: &str, rng: &mut Rng) -> &'static str {
    match (category, material) {
        (_, "Linen" | "Chiffon") => "spring|summer",
        ("outerwear" | "knitwear", _) | (_, "Wool" | "Cashmere" | "Double-faced") => "autumn|winter",
        _ => {
            const MIX: [&str; 4] = ["all", "spring|autumn", "spring|summer", "all"];
            MIX[rng.below(MIX.len())]
        }
    }
}

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/demo-catalog"));
    std::fs::create_dir_all(out.join("images"))?;
    let mut rng = Rng::new(0x5eed_a7e1_1e55);
    let mut csv = String::from(
        "sku,name_en,name_zh,category,gender,fit,pattern,material,style_tags,occasion_tags,seasons,price,currency,variant_sku,colour_en,colour_zh,colour_lab,size,stock,images,barcode\n",
    );
    let mut products = 0;
    // In-store GTIN-13s (prefix 20–29 is reserved for a retailer's own numbering).
    let mut variants: u64 = 0;
    for kind in KINDS {
        for i in 0..kind.count {
            let (noun_en, noun_zh, gender) = *rng.pick(kind.nouns);
            let (adj_en, adj_zh, material) = *rng.pick(kind.materials);
            let sku = format!("{}-{:03}", kind.category[..3].to_ascii_uppercase(), i + 1);
            let name_en = format!("{adj_en} {noun_en}");
            let name_zh = format!("{adj_zh}{noun_zh}");
            let fit = *rng.pick(&["slim", "regular", "regular", "relaxed", "oversized"]);
            let pattern = if matches!(kind.category, "shoes" | "bag") {
                "solid"
            } else {
                *rng.pick(PATTERNS)
            };
            let styles = format!("{}|{}", rng.pick(STYLES), rng.pick(STYLES));
            let occasions = format!("{}|{}", rng.pick(OCCASIONS), rng.pick(OCCASIONS));
            let seasons = seasons(kind.category, adj_en, &mut rng);
            let (lo, hi) = kind.price_range;
            // Prices as stores set them: ending in 9.
            let price = (lo + rng.next_u64() % (hi - lo)) / 10 * 10 + 9;
            let n_colours = 1 + rng.below(3);
            let mut colours: Vec<usize> = Vec::new();
            while colours.len() < n_colours {
                let c = rng.below(PALETTE.len());
                if !colours.contains(&c) {
                    colours.push(c);
                }
            }
            let image = format!("images/{}.png", sku.to_ascii_lowercase());
            for &c in &colours {
                let (cen, czh, l, a, b) = PALETTE[c];
                for size in sizes(kind.category, gender) {
                    let sh = if rng.below(5) == 0 { 0 } else { rng.below(7) };
                    let bj = if rng.below(5) == 0 { 0 } else { rng.below(7) };
                    let code: String = cen.split(' ').map(|w| w[..1].to_ascii_uppercase()).collect();
                    variants += 1;
                    let body = format!("20{variants:010}");
                    let check = ean13_check_digit(&body).unwrap_or('0');
                    let _ = writeln!(
                        csv,
                        "{sku},{name_en},{name_zh},{},{gender},{fit},{pattern},{material},{styles},{occasions},{seasons},{price}.00,CNY,{sku}-{code}{c:02}-{size},{cen},{czh},{l} {a} {b},{size},demo-sh:{sh}|demo-bj:{bj},{image},{body}{check}",
                        kind.category
                    );
                }
            }
            let (_, _, l, a, b) = PALETTE[colours[0]];
            let rgb = srgb_from_lab(Lab { l, a, b });
            draw(kind.category, noun_en, pattern, rgb).save(out.join(&image))?;
            products += 1;
        }
    }
    std::fs::write(out.join("catalog.csv"), csv)?;
    println!("wrote {products} products to {}", out.display());
    Ok(())
}

const W: u32 = 360;
const H: u32 = 450;

/// An axis-aligned rectangle as a polygon.
fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> Vec<(f32, f32)> {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
}

/// Silhouettes in a unit box, one polygon (or a few) per category; accessories by what they are.
fn shapes(category: &str, noun: &str) -> Vec<Vec<(f32, f32)>> {
    let tee = vec![
        (0.30, 0.15),
        (0.42, 0.12),
        (0.5, 0.17),
        (0.58, 0.12),
        (0.70, 0.15),
        (0.92, 0.32),
        (0.82, 0.42),
        (0.72, 0.35),
        (0.72, 0.88),
        (0.28, 0.88),
        (0.28, 0.35),
        (0.18, 0.42),
        (0.08, 0.32),
    ];
    let coat = vec![
        (0.30, 0.08),
        (0.42, 0.06),
        (0.5, 0.30),
        (0.58, 0.06),
        (0.70, 0.08),
        (0.88, 0.25),
        (0.90, 0.80),
        (0.78, 0.80),
        (0.76, 0.40),
        (0.76, 0.95),
        (0.24, 0.95),
        (0.24, 0.40),
        (0.22, 0.80),
        (0.10, 0.80),
        (0.12, 0.25),
    ];
    match category {
        "top" => vec![tee],
        "bottom" => vec![vec![
            (0.30, 0.08),
            (0.70, 0.08),
            (0.74, 0.92),
            (0.56, 0.92),
            (0.5, 0.35),
            (0.44, 0.92),
            (0.26, 0.92),
        ]],
        "dress" => vec![vec![
            (0.38, 0.06),
            (0.45, 0.06),
            (0.5, 0.14),
            (0.55, 0.06),
            (0.62, 0.06),
            (0.64, 0.30),
            (0.60, 0.42),
            (0.80, 0.92),
            (0.20, 0.92),
            (0.40, 0.42),
            (0.36, 0.30),
        ]],
        "skirt" => vec![vec![(0.32, 0.22), (0.68, 0.22), (0.82, 0.80), (0.18, 0.80)]],
        "knitwear" => vec![vec![
            (0.30, 0.12),
            (0.42, 0.10),
            (0.5, 0.14),
            (0.58, 0.10),
            (0.70, 0.12),
            (0.86, 0.30),
            (0.92, 0.78),
            (0.80, 0.80),
            (0.74, 0.40),
            (0.74, 0.85),
            (0.26, 0.85),
            (0.26, 0.40),
            (0.20, 0.80),
            (0.08, 0.78),
            (0.14, 0.30),
        ]],
        "jumpsuit" => vec![vec![
            (0.32, 0.06),
            (0.44, 0.06),
            (0.5, 0.14),
            (0.56, 0.06),
            (0.68, 0.06),
            (0.70, 0.40),
            (0.74, 0.94),
            (0.56, 0.94),
            (0.5, 0.55),
            (0.44, 0.94),
            (0.26, 0.94),
            (0.30, 0.40),
        ]],
        "shoes" => vec![vec![
            (0.10, 0.52),
            (0.34, 0.48),
            (0.50, 0.60),
            (0.85, 0.65),
            (0.92, 0.73),
            (0.90, 0.78),
            (0.10, 0.78),
        ]],
        "bag" => vec![
            vec![(0.20, 0.38), (0.80, 0.38), (0.85, 0.85), (0.15, 0.85)],
            vec![
                (0.35, 0.20),
                (0.65, 0.20),
                (0.65, 0.38),
                (0.60, 0.38),
                (0.60, 0.25),
                (0.40, 0.25),
                (0.40, 0.38),
                (0.35, 0.38),
            ],
        ],
        // A belt: the strap across, a buckle frame near one end, the tip cut at an angle.
        "accessory" if noun == "belt" => vec![
            vec![
                (0.10, 0.46),
                (0.86, 0.46),
                (0.94, 0.50),
                (0.86, 0.54),
                (0.10, 0.54),
            ],
            rect(0.06, 0.38, 0.09, 0.62),
            rect(0.20, 0.38, 0.23, 0.62),
            rect(0.06, 0.38, 0.23, 0.41),
            rect(0.06, 0.59, 0.23, 0.62),
        ],
        // A scarf hung folded: two tails of different length from the fold, fringed at the ends.
        "accessory" => {
            let mut parts = vec![
                rect(0.30, 0.08, 0.70, 0.17),
                vec![(0.30, 0.08), (0.48, 0.08), (0.46, 0.86), (0.28, 0.86)],
                vec![(0.52, 0.12), (0.70, 0.12), (0.72, 0.74), (0.54, 0.74)],
            ];
            for i in 0..5 {
                let x = 0.29 + i as f32 * 0.037;
                parts.push(rect(x, 0.86, x + 0.012, 0.92));
                let x = 0.55 + i as f32 * 0.037;
                parts.push(rect(x, 0.74, x + 0.012, 0.80));
            }
            parts
        }
        _ => vec![coat], // outerwear, suit
    }
}

/// Even-odd scanline fill of the polygons into a mask.
fn mask(polys: &[Vec<(f32, f32)>]) -> Vec<bool> {
    let mut m = vec![false; (W * H) as usize];
    for poly in polys {
        let pts: Vec<(f32, f32)> = poly.iter().map(|(x, y)| (x * W as f32, y * H as f32)).collect();
        for y in 0..H {
            let fy = y as f32 + 0.5;
            let mut xs: Vec<f32> = Vec::new();
            for i in 0..pts.len() {
                let (x1, y1) = pts[i];
                let (x2, y2) = pts[(i + 1) % pts.len()];
                if (y1 <= fy && y2 > fy) || (y2 <= fy && y1 > fy) {
                    xs.push(x1 + (fy - y1) / (y2 - y1) * (x2 - x1));
                }
            }
            xs.sort_by(f32::total_cmp);
            for pair in xs.chunks(2) {
                if let [a, b] = pair {
                    for x in (a.round().max(0.0) as u32)..(b.round().min(W as f32) as u32) {
                        m[(y * W + x) as usize] = true;
                    }
                }
            }
        }
    }
    m
}

fn shade(c: [u8; 3], f: f32) -> [u8; 3] {
    c.map(|v| {
        if f < 1.0 {
            (f32::from(v) * f) as u8
        } else {
            (f32::from(v) + (255.0 - f32::from(v)) * (f - 1.0)) as u8
        }
    })
}

fn draw(category: &str, noun: &str, pattern: &str, base: [u8; 3]) -> image::RgbaImage {
    let m = mask(&shapes(category, noun));
    let inside = |x: i64, y: i64| {
        x >= 0 && y >= 0 && x < W as i64 && y < H as i64 && m[(y as u32 * W + x as u32) as usize]
    };
    // Light colours get a darker pattern and outline; dark ones a lighter pattern.
    let light = base.iter().map(|&v| u32::from(v)).sum::<u32>() > 420;
    let accent = if light {
        shade(base, 0.78)
    } else {
        shade(base, 1.35)
    };
    let outline = if light { shade(base, 0.6) } else { shade(base, 1.5) };
    image::RgbaImage::from_fn(W, H, |x, y| {
        let (xi, yi) = (i64::from(x), i64::from(y));
        if !inside(xi, yi) {
            return image::Rgba([0, 0, 0, 0]);
        }
        let edge = [(-2, 0), (2, 0), (0, -2), (0, 2)]
            .iter()
            .any(|(dx, dy)| !inside(xi + dx, yi + dy));
        if edge {
            return image::Rgba([outline[0], outline[1], outline[2], 255]);
        }
        let on_pattern = match pattern {
            "stripe" => (y / 14) % 2 == 0,
            "check" => {
                (x / 22 + y / 22) % 2 == 0 && ((x % 22) < 4 || (y % 22) < 4) || (x % 22) < 2 || (y % 22) < 2
            }
            "dot" => {
                let (cx, cy) = (x % 26, y % 26);
                (cx as i32 - 13).pow(2) + (cy as i32 - 13).pow(2) < 16
            }
            "floral" => {
                let (cx, cy) = ((x % 40) as i32 - 20, (y % 40) as i32 - 20);
                [(0, -6), (6, 0), (0, 6), (-6, 0)]
                    .iter()
                    .any(|(px, py)| (cx - px).pow(2) + (cy - py).pow(2) < 14)
            }
            _ => false,
        };
        // A soft light from the upper left gives the flat shape some body.
        let light_f = 1.0 + 0.08 * (1.0 - (x as f32 / W as f32 + y as f32 / H as f32) / 2.0);
        let c = if on_pattern { accent } else { shade(base, light_f) };
        image::Rgba([c[0], c[1], c[2], 255])
    })
}
