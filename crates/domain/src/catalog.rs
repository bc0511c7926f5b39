//! The store's catalog as the recommender needs it, and the validation of one imported row.
//!
//! An import row is one variant (colour × size) with its product's fields repeated, its stock per
//! store and its images. [`CatalogRow::parse`] turns named text fields into a typed row or a
//! [`RowError`] naming the field and the reason; it never panics on any input.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::colour::Lab;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The name used in files and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let t = s.trim().to_ascii_lowercase();
                match t.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("{s:?} is not one of: {}", [$($text),+].join(", "))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

text_enum!(
    /// What kind of garment or item.
    Category { Top = "top", Bottom = "bottom", Dress = "dress", Skirt = "skirt", Outerwear = "outerwear",
    Knitwear = "knitwear", Suit = "suit", Jumpsuit = "jumpsuit", Shoes = "shoes", Bag = "bag", Accessory = "accessory" }
);
text_enum!(
    /// Who the cut is made for.
    Gender { Women = "women", Men = "men", Unisex = "unisex" }
);
text_enum!(
    /// How the garment sits on the body.
    Fit { Slim = "slim", Regular = "regular", Relaxed = "relaxed", Oversized = "oversized" }
);
text_enum!(
    /// The surface pattern.
    Pattern { Solid = "solid", Stripe = "stripe", Check = "check", Floral = "floral", Dot = "dot", Print = "print",
    Texture = "texture" }
);
text_enum!(
    /// A season the item is sold for.
    Season { Spring = "spring", Summer = "summer", Autumn = "autumn", Winter = "winter" }
);

/// A colour as the store names it, with its measured CIELAB value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedColour {
    pub name_en: String,
    pub name_zh: String,
    pub lab: Lab,
}

/// The product-level fields of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInfo {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: Category,
    pub gender: Gender,
    pub fit: Fit,
    pub pattern: Pattern,
    pub material: String,
    /// Sorted, unique, lowercase slugs, e.g. `minimal`, `classic`.
    pub style_tags: Vec<String>,
    /// Sorted, unique, lowercase slugs, e.g. `work`, `wedding-guest`.
    pub occasion_tags: Vec<String>,
    /// Sorted, unique.
    pub seasons: Vec<Season>,
    /// In the currency's minor unit (fen, cents).
    pub price_minor: u64,
    /// ISO 4217, e.g. `CNY`.
    pub currency: String,
}

/// The variant-level fields of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantInfo {
    pub variant_sku: String,
    pub colour: NamedColour,
    pub size: String,
    /// The GTIN printed on the tag (EAN-13 usually; EAN-8, UPC-A and GTIN-14 accepted), check
    /// digit verified. Tags scanned at the mirror are looked up by it, or by SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
}

/// Stock of one variant in one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub store_id: String,
    pub quantity: u32,
}

/// One valid import row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogRow {
    pub product: ProductInfo,
    pub variant: VariantInfo,
    pub stock: Vec<StockLevel>,
    /// Image references (paths or URLs), in display order.
    pub images: Vec<String>,
}

/// Why a row was rejected: the field and a reason written for the person fixing the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub field: &'static str,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for RowError {}

/// The columns of an import file, in the documented order.
pub const COLUMNS: &[&str] = &[
    "sku",
    "name_en",
    "name_zh",
    "category",
    "gender",
    "fit",
    "pattern",
    "material",
    "style_tags",
    "occasion_tags",
    "seasons",
    "price",
    "currency",
    "variant_sku",
    "colour_en",
    "colour_zh",
    "colour_lab",
    "size",
    "stock",
    "images",
    "barcode",
];

/// Columns a row may leave empty.
const OPTIONAL: &[&str] = &[
    "style_tags",
    "occasion_tags",
    "images",
    "stock",
    "material",
    "pattern",
    "fit",
    "barcode",
];

fn err(field: &'static str, reason: impl Into<String>) -> RowError {
    RowError {
        field,
        reason: reason.into(),
    }
}

impl CatalogRow {
    /// Validates one row given a lookup of its fields by column name.
    pub fn parse<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<CatalogRow, RowError> {
        let field = |name: &'static str| -> Result<&'a str, RowError> {
            match get(name).map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v),
                _ if OPTIONAL.contains(&name) => Ok(""),
                Some(_) => Err(err(name, "is empty")),
                None => Err(err(name, "is missing")),
            }
        };
        let product = ProductInfo {
            sku: sku("sku", field("sku")?)?,
            name_en: text("name_en", field("name_en")?, 120)?,
            name_zh: text("name_zh", field("name_zh")?, 120)?,
            category: field("category")?.parse().map_err(|e| err("category", e))?,
            gender: field("gender")?.parse().map_err(|e| err("gender", e))?,
            fit: or_default(field("fit")?, "regular")
                .parse()
                .map_err(|e| err("fit", e))?,
            pattern: or_default(field("pattern")?, "solid")
                .parse()
                .map_err(|e| err("pattern", e))?,
            material: text_or_empty("material", field("material")?, 60)?,
            style_tags: tags("style_tags", field("style_tags")?)?,
            occasion_tags: tags("occasion_tags", field("occasion_tags")?)?,
            seasons: seasons(field("seasons")?)?,
            price_minor: price(field("price")?)?,
            currency: currency(field("currency")?)?,
        };
        let variant = VariantInfo {
            variant_sku: sku("variant_sku", field("variant_sku")?)?,
            colour: NamedColour {
                name_en: text("colour_en", field("colour_en")?, 40)?,
                name_zh: text("colour_zh", field("colour_zh")?, 40)?,
                lab: lab(field("colour_lab")?)?,
            },
            size: size(field("size")?)?,
            barcode: gtin(field("barcode")?)?,
        };
        Ok(CatalogRow {
            product,
            variant,
            stock: stock(field("stock")?)?,
            images: images(field("images")?)?,
        })
    }
}

/// Checks a GTIN's length and check digit (GS1: weights 3 and 1 from the right, excluding the
/// check digit itself).
pub fn gtin_is_valid(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != code.len() || ![8, 12, 13, 14].contains(&digits.len()) {
        return false;
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == check[0]
}

fn gtin(v: &str) -> Result<Option<String>, RowError> {
    if v.is_empty() {
        return Ok(None);
    }
    if !gtin_is_valid(v) {
        return Err(err(
            "barcode",
            "must be a GTIN of 8, 12, 13 or 14 digits with a correct check digit",
        ));
    }
    Ok(Some(v.to_owned()))
}

fn or_default<'a>(v: &'a str, default: &'a str) -> &'a str {
    if v.is_empty() { default } else { v }
}

fn sku(field: &'static str, v: &str) -> Result<String, RowError> {
    if v.len() > 40 || !v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(err(field, "must be 1 to 40 letters, digits, '-', '_' or '.'"));
    }
    Ok(v.to_owned())
}

fn text(field: &'static str, v: &str, max_chars: usize) -> Result<String, RowError> {
    if v.chars().count() > max_chars {
        return Err(err(field, format!("is longer than {max_chars} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(err(
            field,
            "contains control characters (a line break inside a name?)",
        ));
    }
    // Markup is kept as text: the UI always escapes it.
    Ok(v.to_owned())
}

fn text_or_empty(field: &'static str, v: &str, max_chars: usize) -> Result<String, RowError> {
    if v.is_empty() {
        Ok(String::new())
    } else {
        text(field, v, max_chars)
    }
}

fn tags(field: &'static str, v: &str) -> Result<Vec<String>, RowError> {
    let mut out: Vec<String> = Vec::new();
    for t in v.split('|').map(str::trim).filter(|t| !t.is_empty()) {
        let t = t.to_ascii_lowercase();
        if t.len() > 24 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(err(
                field,
                format!("tag {t:?}: use lowercase words joined by '-', at most 24 characters"),
            ));
        }
        out.push(t);
    }
    out.sort();
    out.dedup();
    if out.len() > 12 {
        return Err(err(field, "more than 12 tags"));
    }
    Ok(out)
}

fn seasons(v: &str) -> Result<Vec<Season>, RowError> {
    let mut out = Vec::new();
    for s in v.split('|').map(str::trim).filter(|s| !s.is_empty()) {
        if s.eq_ignore_ascii_case("all") {
            return Ok(Season::ALL.to_vec());
        }
        out.push(s.parse::<Season>().map_err(|e| err("seasons", e))?);
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(err(
            "seasons",
            "name at least one of spring, summer, autumn, winter (or all)",
        ));
    }
    Ok(out)
}

/// A decimal price such as `399`, `399.5` or `399.00` in the currency's major unit.
fn price(v: &str) -> Result<u64, RowError> {
    let bad = || err("price", format!("{v:?} is not a price like 399.00"));
    if v.starts_with('-') {
        return Err(err("price", "must not be negative"));
    }
    let (major, minor) = v.split_once('.').unwrap_or((v, ""));
    if major.is_empty() || major.len() > 9 || minor.len() > 2 {
        return Err(bad());
    }
    if !major.chars().chain(minor.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let major: u64 = major.parse().map_err(|_| bad())?;
    let minor: u64 = if minor.is_empty() {
        0
    } else {
        format!("{minor:0<2}").parse().map_err(|_| bad())?
    };
    Ok(major * 100 + minor)
}

fn currency(v: &str) -> Result<String, RowError> {
    if v.len() == 3 && v.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(v.to_ascii_uppercase())
    } else {
        Err(err(
            "currency",
            format!("{v:?} is not a 3-letter currency code such as CNY"),
        ))
    }
}

/// `L a b`, separated by spaces or commas, e.g. `62.1 -3.4 -18.0`.
fn lab(v: &str) -> Result<Lab, RowError> {
    let parts: Vec<f32> = v
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|p| !p.is_empty())
        .map(str::parse::<f32>)
        .collect::<Result<_, _>>()
        .map_err(|_| err("colour_lab", format!("{v:?} is not three numbers `L a b`")))?;
    match parts.as_slice() {
        [l, a, b] => {
            Lab::new(*l, *a, *b).ok_or_else(|| err("colour_lab", "L must be 0–100 and a, b −128–128"))
        }
        _ => Err(err("colour_lab", format!("{v:?} is not three numbers `L a b`"))),
    }
}

fn size(v: &str) -> Result<String, RowError> {
    if v.chars().count() > 12 || v.chars().any(|c| c.is_control()) {
        return Err(err("size", "is longer than 12 characters"));
    }
    Ok(v.to_ascii_uppercase())
}

/// `store:quantity` pairs separated by `|`, e.g. `sh-jingan:3|bj-sanlitun:0`.
fn stock(v: &str) -> Result<Vec<StockLevel>, RowError> {
    let mut out: Vec<StockLevel> = Vec::new();
    for pair in v.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let (store, qty) = pair
            .split_once(':')
            .ok_or_else(|| err("stock", format!("{pair:?} is not store:quantity")))?;
        let store = store.trim();
        if store.is_empty()
            || store.len() > 64
            || !store
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(err("stock", format!("{store:?} is not a store id")));
        }
        let qty = qty.trim();
        if qty.starts_with('-') {
            return Err(err("stock", format!("{store}: quantity must not be negative")));
        }
        let quantity: u32 = qty
            .parse()
            .map_err(|_| err("stock", format!("{store}: {qty:?} is not a whole number")))?;
        if out.iter().any(|s| s.store_id == store) {
            return Err(err("stock", format!("{store} is listed twice")));
        }
        out.push(StockLevel {
            store_id: store.to_owned(),
            quantity,
        });
    }
    out.sort_by(|a, b| a.store_id.cmp(&b.store_id));
    Ok(out)
}

fn images(v: &str) -> Result<Vec<String>, RowError> {
    let list: Vec<String> = v
        .split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if list.len() > 8
        || list
            .iter()
            .any(|p| p.len() > 512 || p.chars().any(char::is_control))
    {
        return Err(err("images", "at most 8 references of at most 512 characters"));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn gtins_need_a_right_check_digit() {
        for ok in [
            "4006381333931",
            "2000000000015",
            "96385074",
            "036000291452",
            "10614141000415",
        ] {
            assert!(gtin_is_valid(ok), "{ok}");
        }
        for bad in ["4006381333932", "400638133393", "", "40063813339a1", "١٢٣٤٥٦٧٨"] {
            assert!(!gtin_is_valid(bad), "{bad}");
        }
    }

    fn good() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("sku", "W-TOP-0001"),
            ("name_en", "Silk blouse"),
            ("name_zh", "真丝衬衫"),
            ("category", "top"),
            ("gender", "women"),
            ("fit", "regular"),
            ("pattern", "solid"),
            ("material", "100% silk"),
            ("style_tags", "Classic|minimal|classic"),
            ("occasion_tags", "work|date"),
            ("seasons", "spring|autumn"),
            ("price", "899.5"),
            ("currency", "cny"),
            ("variant_sku", "W-TOP-0001-BLU-M"),
            ("colour_en", "Dusty blue"),
            ("colour_zh", "雾霾蓝"),
            ("colour_lab", "62.1 -3.4 -18.0"),
            ("size", "m"),
            ("stock", "demo-sh:3|demo-bj:0"),
            ("images", "images/w-top-0001.png"),
        ])
    }

    fn parse(m: &HashMap<&'static str, &'static str>) -> Result<CatalogRow, RowError> {
        CatalogRow::parse(|k| m.get(k).copied())
    }

    #[test]
    fn a_good_row_is_normalised() {
        let r = parse(&good()).unwrap();
        assert_eq!(r.product.price_minor, 89950);
        assert_eq!(r.product.currency, "CNY");
        assert_eq!(r.product.style_tags, vec!["classic", "minimal"]);
        assert_eq!(r.product.seasons, vec![Season::Spring, Season::Autumn]);
        assert_eq!(r.variant.size, "M");
        assert_eq!(
            r.stock[0],
            StockLevel {
                store_id: "demo-bj".into(),
                quantity: 0
            }
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: &[(&str, &str, &str)] = &[
            ("price", "-10", "negative"),
            ("price", "12.345", "not a price"),
            ("price", "abc", "not a price"),
            ("category", "hat-stand", "not one of"),
            ("colour_lab", "50 0", "three numbers"),
            ("colour_lab", "150 0 0", "0–100"),
            ("stock", "demo-sh:-3", "negative"),
            ("stock", "demo-sh:3|demo-sh:1", "twice"),
            ("sku", "has space", "letters, digits"),
            ("name_en", "line\nbreak", "control"),
            ("seasons", "monsoon", "not one of"),
            ("currency", "yuan", "3-letter"),
        ];
        for (field, value, why) in cases {
            let mut m = good();
            m.insert(field, value);
            let e = parse(&m).unwrap_err();
            assert_eq!(e.field, *field, "{value}");
            assert!(e.reason.contains(why), "{field}={value}: {}", e.reason);
        }
    }

    #[test]
    fn missing_required_and_optional_columns() {
        let mut m = good();
        m.remove("name_zh");
        assert_eq!(
            parse(&m).unwrap_err(),
            RowError {
                field: "name_zh",
                reason: "is missing".into()
            }
        );
        let mut m = good();
        for k in [
            "style_tags",
            "occasion_tags",
            "images",
            "stock",
            "material",
            "pattern",
            "fit",
        ] {
            m.remove(k);
        }
        let r = parse(&m).unwrap();
        assert_eq!((r.product.fit, r.product.pattern), (Fit::Regular, Pattern::Solid));
    }

    #[test]
    fn markup_in_names_is_kept_as_text() {
        let mut m = good();
        m.insert("name_en", "<script>alert(1)</script>");
        assert_eq!(parse(&m).unwrap().product.name_en, "<script>alert(1)</script>");
    }

    #[test]
    fn huge_fields_are_rejected_not_stored() {
        let big = "x".repeat(10 * 1024 * 1024);
        let mut m: HashMap<&str, &str> = good();
        m.insert("name_en", &big);
        assert!(
            CatalogRow::parse(|k| m.get(k).copied())
                .unwrap_err()
                .reason
                .contains("longer than")
        );
    }
}
