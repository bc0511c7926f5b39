//! The one-line reason shown with a look, in English and Simplified Chinese.

use super::LookItem;
use super::harmony::{ColourRelation, Swatch};
use crate::catalog::Category;

/// English and Chinese names of a category, as used in a sentence.
fn category_names(c: Category) -> (&'static str, &'static str) {
    match c {
        Category::Top => ("top", "上衣"),
        Category::Bottom => ("trousers", "裤装"),
        Category::Dress => ("dress", "连衣裙"),
        Category::Skirt => ("skirt", "半身裙"),
        Category::Outerwear => ("jacket", "外套"),
        Category::Knitwear => ("knit", "针织衫"),
        Category::Suit => ("suit", "西装"),
        Category::Jumpsuit => ("jumpsuit", "连体裤"),
        Category::Shoes => ("shoes", "鞋"),
        Category::Bag => ("bag", "包"),
        Category::Accessory => ("accessory", "配饰"),
    }
}

/// The Chinese name of an occasion slug; unknown slugs are shown as they are.
fn occasion_zh(slug: &str) -> &str {
    match slug {
        "work" => "通勤",
        "business" => "商务",
        "casual" => "休闲",
        "date" => "约会",
        "party" => "派对",
        "wedding-guest" => "婚礼宾客",
        "formal" => "正式场合",
        "weekend" => "周末",
        "travel" => "旅行",
        "vacation" => "度假",
        "sport" => "运动",
        "interview" => "面试",
        "dinner" => "晚宴",
        other => other,
    }
}

/// (English, Chinese) reason for a look with the given leading relation. `items` and `swatches`
/// are parallel.
pub(crate) fn reason(
    relation: ColourRelation,
    items: &[LookItem],
    swatches: &[Swatch],
    occasion: Option<&str>,
) -> (String, String) {
    let (first, second) = featured_pair(relation, swatches);
    let name = |i: usize| {
        let item = &items[i];
        let (cat_en, cat_zh) = category_names(item.category);
        (
            format!("{} {}", item.colour.name_en.to_lowercase(), cat_en),
            format!("{}{}", item.colour.name_zh, cat_zh),
        )
    };
    let ((a_en, a_zh), (b_en, b_zh)) = (name(first), name(second));
    let (en, zh) = match relation {
        ColourRelation::NeutralAnchor => (
            format!("Neutral anchor: the {a_en} set off by the {b_en}"),
            format!("中性色打底：{b_zh}衬托{a_zh}"),
        ),
        ColourRelation::Tonal if swatches.iter().all(|s| s.neutral) => (
            format!("Tonal neutrals: the {a_en} with the {b_en}"),
            format!("中性色同色系：{a_zh}配{b_zh}"),
        ),
        ColourRelation::Tonal => (
            format!("Tonal: the {a_en} with the {b_en}"),
            format!("同色系：{a_zh}配{b_zh}"),
        ),
        ColourRelation::Analogous => (
            format!("Analogous colours: the {a_en} next to the {b_en}"),
            format!("邻近色：{a_zh}配{b_zh}"),
        ),
        ColourRelation::Complementary => (
            format!("Complementary contrast: the {a_en} against the {b_en}"),
            format!("互补色对比：{a_zh}撞{b_zh}"),
        ),
        ColourRelation::Triadic => (
            format!("Triadic accent: the {a_en} with the {b_en}"),
            format!("三角色点缀：{a_zh}配{b_zh}"),
        ),
        ColourRelation::Clash => (
            format!("Bold mix: the {a_en} with the {b_en}"),
            format!("大胆混搭：{a_zh}配{b_zh}"),
        ),
    };
    match occasion {
        Some(o) => (
            format!("{en}; right for {o}."),
            format!("{zh}，适合{}。", occasion_zh(o)),
        ),
        None => (
            format!("{en}; easy to wear anywhere."),
            format!("{zh}，日常百搭。"),
        ),
    }
}

/// The two garments the reason names: for a neutral anchor, the accent and the neutral that
/// contrasts most with it in lightness; for an all-neutral look, the two furthest apart in
/// lightness; otherwise the two strongest accents (the pair the relation was judged on).
fn featured_pair(relation: ColourRelation, swatches: &[Swatch]) -> (usize, usize) {
    if swatches.len() < 2 {
        return (0, 0);
    }
    let mut by_chroma: Vec<usize> = (0..swatches.len()).collect();
    by_chroma.sort_by(|&a, &b| swatches[b].lch.c.total_cmp(&swatches[a].lch.c).then(a.cmp(&b)));
    let accents: Vec<usize> = by_chroma
        .iter()
        .copied()
        .filter(|&i| !swatches[i].neutral)
        .collect();
    let furthest_in_lightness = |from: usize, neutrals_only: bool| {
        (0..swatches.len())
            .filter(|&i| i != from && (!neutrals_only || swatches[i].neutral))
            .max_by(|&a, &b| {
                let d = |i: usize| (swatches[i].lch.l - swatches[from].lch.l).abs();
                d(a).total_cmp(&d(b)).then(b.cmp(&a))
            })
            .unwrap_or(if from == 0 { 1 } else { 0 })
    };
    match (relation, accents.as_slice()) {
        (_, []) => (0, furthest_in_lightness(0, false)),
        (ColourRelation::NeutralAnchor, [accent, ..]) => (*accent, furthest_in_lightness(*accent, true)),
        (_, [a, b, ..]) => (*a, *b),
        (_, [a]) => (*a, furthest_in_lightness(*a, false)),
    }
}
