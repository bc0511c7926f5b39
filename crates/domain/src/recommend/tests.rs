use std::collections::BTreeMap;

use super::*;
use crate::catalog::{Category, Gender, NamedColour, Pattern, Season};
use crate::colour::{Lab, delta_e_76};
use crate::palette::Palette;

fn shopper() -> Request {
    Request {
        sizes: BTreeMap::from([
            (SizeKind::Tops, vec!["M".to_owned()]),
            (SizeKind::Bottoms, vec!["M".to_owned(), "L".to_owned()]),
            (SizeKind::FullBody, vec!["M".to_owned()]),
            (SizeKind::Shoes, vec!["38".to_owned()]),
        ]),
        occasion: Some("work".to_owned()),
        gender: Some(Gender::Women),
        ..Request::default()
    }
}

fn catalog() -> Recommender {
    Recommender::new(synthetic::catalog(3000, 4, 42)).unwrap()
}

#[test]
fn looks_are_complete_in_stock_in_size_and_on_occasion() {
    let rec = catalog();
    let request = Request {
        budget_minor: Some(400_000),
        season: Some(Season::Autumn),
        ..shopper()
    };
    let out = rec.recommend(&request, &LearnedWeights::default());
    assert_eq!(out.looks.len(), 10);
    assert!(out.unknown_scans.is_empty());
    for look in &out.looks {
        assert!(look.total_minor <= 400_000, "{}", look.total_minor);
        assert_eq!(
            look.total_minor,
            look.items.iter().map(|i| i.price_minor).sum::<u64>()
        );
        let cats: Vec<Category> = look.items.iter().map(|i| i.category).collect();
        let has = |c: Category| cats.contains(&c);
        assert!(has(Category::Shoes), "{cats:?}");
        assert!(
            (has(Category::Top) && (has(Category::Bottom) || has(Category::Skirt)))
                || (has(Category::Knitwear) && has(Category::Bottom))
                || has(Category::Dress)
                || has(Category::Jumpsuit)
                || has(Category::Suit),
            "{cats:?}"
        );
        for item in &look.items {
            let c = rec.candidate(&item.variant_sku).unwrap();
            assert_ne!(c.gender, Gender::Men);
            assert!(c.seasons.contains(&Season::Autumn));
            assert!(c.occasion_tags.is_empty() || c.occasion_tags.iter().any(|o| o == "work"));
            let want: &[&str] = match SizeKind::of(c.category) {
                SizeKind::Tops | SizeKind::FullBody => &["M"],
                SizeKind::Bottoms => &["M", "L"],
                SizeKind::Shoes => &["38"],
                SizeKind::Accessories => &["ONE SIZE"],
            };
            assert!(
                c.sizes_in_stock.iter().any(|s| want.contains(&s.as_str())),
                "{:?}",
                c.sizes_in_stock
            );
        }
        assert!(look.reason_en.contains("right for work"), "{}", look.reason_en);
        assert!(look.reason_zh.contains("适合通勤"), "{}", look.reason_zh);
        let s = &look.score;
        assert!(s.total.is_finite() && s.harmony > 0.0 && s.occasion > 0.0 && s.budget >= 0.0);
    }
}

#[test]
fn same_request_same_answer() {
    let rec = catalog();
    let a = rec.recommend(&shopper(), &LearnedWeights::default());
    let b = rec.recommend(&shopper(), &LearnedWeights::default());
    assert_eq!(a, b);
    // Catalog order does not matter either.
    let mut shuffled = synthetic::catalog(3000, 4, 42);
    crate::rng::XorShift64::new(1).shuffle(&mut shuffled);
    let c = Recommender::new(shuffled)
        .unwrap()
        .recommend(&shopper(), &LearnedWeights::default());
    assert_eq!(a, c);
}

#[test]
fn looks_are_built_around_scanned_garments() {
    let rec = catalog();
    let top = rec
        .candidates
        .iter()
        .find(|c| {
            c.category == Category::Top
                && c.gender == Gender::Women
                && c.occasion_tags.contains(&"work".to_owned())
        })
        .unwrap()
        .clone();
    let request = Request {
        scanned: vec![top.variant_sku.clone(), "NOT-A-SKU".to_owned()],
        ..shopper()
    };
    let out = rec.recommend(&request, &LearnedWeights::default());
    assert_eq!(out.unknown_scans, vec!["NOT-A-SKU".to_owned()]);
    assert!(!out.looks.is_empty());
    for look in &out.looks {
        let scanned: Vec<&LookItem> = look.items.iter().filter(|i| i.scanned).collect();
        assert_eq!(scanned.len(), 1);
        assert_eq!(scanned[0].variant_sku, top.variant_sku);
        assert!(matches!(
            look.template,
            Template::TopBottomShoes | Template::TopSkirtShoes | Template::SuitShoes
        ));
    }
    assert!(
        out.looks
            .iter()
            .any(|l| l.template == Template::TopBottomShoes && l.items[0].scanned)
    );
}

#[test]
fn the_list_is_diverse() {
    let rec = catalog();
    let out = rec.recommend(&shopper(), &LearnedWeights::default());
    let mut product_sets: Vec<Vec<&str>> = out
        .looks
        .iter()
        .map(|l| {
            let mut v: Vec<&str> = l.items.iter().map(|i| i.product_sku.as_str()).collect();
            v.sort_unstable();
            v
        })
        .collect();
    product_sets.sort();
    product_sets.dedup();
    assert_eq!(
        product_sets.len(),
        out.looks.len(),
        "no two looks with the same products"
    );
    // The main garment is not the same product in more than three looks.
    let mut mains: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &out.looks {
        *mains.entry(l.items[0].product_sku.as_str()).or_default() += 1;
    }
    assert!(mains.values().all(|&n| n <= 3), "{mains:?}");
    // Without the diversity penalty, the list is more repetitive.
    let plain = catalog().with_weights(ScoreWeights {
        diversity: 0.0,
        ..ScoreWeights::default()
    });
    let out2 = plain.recommend(&shopper(), &LearnedWeights::default());
    let distinct = |looks: &[Look]| {
        let mut v: Vec<&str> = looks
            .iter()
            .flat_map(|l| l.items.iter().map(|i| i.product_sku.as_str()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    assert!(
        distinct(&out.looks) > distinct(&out2.looks),
        "{} vs {}",
        distinct(&out.looks),
        distinct(&out2.looks)
    );
}

#[test]
fn a_palette_pulls_colours_near_the_face_towards_it() {
    let rec = catalog();
    let dusty_blue = NamedColour {
        name_en: "dusty blue".into(),
        name_zh: "雾霾蓝".into(),
        lab: crate::colour::lab_from_srgb8([0x7E, 0x95, 0xAE]),
    };
    let mustard = NamedColour {
        name_en: "mustard".into(),
        name_zh: "芥末黄".into(),
        lab: crate::colour::lab_from_srgb8([0xCF, 0xA2, 0x3A]),
    };
    let palette = Palette {
        flattering: vec![dusty_blue.clone()],
        avoid: vec![mustard.clone()],
    };
    let near_face = |looks: &[Look], target: Lab| {
        let d: Vec<f32> = looks
            .iter()
            .flat_map(|l| l.items.iter())
            .filter(|i| {
                matches!(
                    i.category,
                    Category::Top | Category::Dress | Category::Jumpsuit | Category::Knitwear
                )
            })
            .map(|i| delta_e_76(i.colour.lab, target))
            .collect();
        d.iter().sum::<f32>() / d.len() as f32
    };
    let without = rec.recommend(&shopper(), &LearnedWeights::default());
    let with = rec.recommend(
        &Request {
            palette: Some(palette),
            ..shopper()
        },
        &LearnedWeights::default(),
    );
    assert!(near_face(&with.looks, dusty_blue.lab) < near_face(&without.looks, dusty_blue.lab) - 5.0);
    assert!(
        with.looks.iter().all(|l| l.score.palette > -0.2),
        "{:?}",
        with.looks.iter().map(|l| l.score.palette).collect::<Vec<_>>()
    );
    assert!(
        with.looks
            .iter()
            .flat_map(|l| &l.items)
            .all(|i| i.colour.name_en != "mustard"
                || i.category == Category::Shoes
                || i.category == Category::Bag)
    );
}

#[test]
fn a_purchased_pair_rises_in_rank() {
    let rec = catalog();
    let request = Request {
        count: 20,
        ..shopper()
    };
    let before = rec.recommend(&request, &LearnedWeights::default());
    let target = &before.looks[15];
    let pair: Vec<String> = target.items[..2].iter().map(|i| i.product_sku.clone()).collect();
    let rank_of = |looks: &[Look]| {
        looks
            .iter()
            .position(|l| pair.iter().all(|p| l.items.iter().any(|i| &i.product_sku == p)))
    };
    assert_eq!(rank_of(&before.looks), Some(15));
    let mut learned = LearnedWeights::default();
    for _ in 0..3 {
        learned.update(&Feedback::for_look(FeedbackKind::Purchase, target, Some("work")));
    }
    let after = rec.recommend(&request, &learned);
    let new_rank = rank_of(&after.looks);
    assert!(new_rank.is_some_and(|r| r < 5), "{new_rank:?}");
    // Friends skipping it pushes it down instead.
    let mut skipped = LearnedWeights::default();
    for _ in 0..3 {
        skipped.update(&Feedback::for_look(
            FeedbackKind::FriendSkip,
            target,
            Some("work"),
        ));
    }
    let down = rec.recommend(&request, &skipped);
    assert!(rank_of(&down.looks).is_none_or(|r| r > 15));
}

#[test]
fn empty_stock_in_size_gives_no_looks_rather_than_wrong_sizes() {
    let rec = catalog();
    let mut request = shopper();
    request.sizes.insert(SizeKind::Shoes, vec!["99".to_owned()]);
    let out = rec.recommend(&request, &LearnedWeights::default());
    assert!(out.looks.is_empty());
}

#[test]
fn reasons_name_the_relation_and_the_colours() {
    let mk = |sku: &str, cat: Category, name: &str, zh: &str, lab: Lab| Candidate {
        variant_sku: sku.into(),
        product_sku: sku.into(),
        name_en: sku.into(),
        name_zh: sku.into(),
        category: cat,
        gender: Gender::Women,
        colour: NamedColour {
            name_en: name.into(),
            name_zh: zh.into(),
            lab,
        },
        pattern: Pattern::Solid,
        style_tags: vec![],
        occasion_tags: vec![],
        seasons: Season::ALL.to_vec(),
        price_minor: 10_000,
        sizes_in_stock: vec!["M".into()],
    };
    let cat = vec![
        mk(
            "T1",
            Category::Top,
            "Dusty blue",
            "雾霾蓝",
            Lab {
                l: 61.0,
                a: -3.0,
                b: -14.0,
            },
        ),
        mk(
            "B1",
            Category::Bottom,
            "Navy",
            "藏青色",
            Lab {
                l: 18.0,
                a: 2.0,
                b: -15.0,
            },
        ),
        mk(
            "S1",
            Category::Shoes,
            "Black",
            "黑色",
            Lab {
                l: 8.0,
                a: 0.0,
                b: 0.0,
            },
        ),
    ];
    let rec = Recommender::new(cat).unwrap();
    let out = rec.recommend(&Request::default(), &LearnedWeights::default());
    assert_eq!(out.looks.len(), 1);
    let look = &out.looks[0];
    assert_eq!(look.relation, ColourRelation::NeutralAnchor);
    assert_eq!(
        look.reason_en,
        "Neutral anchor: the dusty blue top set off by the black shoes; easy to wear anywhere."
    );
    assert_eq!(look.reason_zh, "中性色打底：黑色鞋衬托雾霾蓝上衣，日常百搭。");
}

#[test]
fn duplicate_variants_are_refused() {
    let mut cat = synthetic::catalog(5, 1, 1);
    cat.push(cat[0].clone());
    assert!(matches!(
        Recommender::new(cat),
        Err(IndexError::DuplicateVariant(_))
    ));
}

#[test]
fn requests_and_answers_survive_json() {
    let rec = catalog();
    let request = Request {
        budget_minor: Some(500_000),
        palette: Some(crate::palette::palette_for(
            Lab {
                l: 60.0,
                a: 10.0,
                b: 20.0,
            },
            crate::palette::Undertone::Warm,
            crate::palette::Depth::Medium,
            crate::palette::Contrast::Medium,
        )),
        ..shopper()
    };
    let json = serde_json::to_string(&request).unwrap();
    assert!(json.contains("\"full_body\""), "{json}");
    let back: Request = serde_json::from_str(&json).unwrap();
    assert_eq!(back, request);
    let out = rec.recommend(&request, &LearnedWeights::default());
    let again: Recommendations = serde_json::from_str(&serde_json::to_string(&out).unwrap()).unwrap();
    assert_eq!(again.looks.len(), out.looks.len());
    assert_eq!(again.looks[0].items, out.looks[0].items);
}
