//! `atelier recommend`: complete looks from the cached catalog and this store's stock, for staff
//! and tests. The shopper profile format is in docs/RECOMMEND_PROFILE.md.

#![allow(clippy::print_stdout)] // a command-line tool: stdout is its output

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use atelier_domain::catalog::{Gender, Season};
use atelier_domain::colour::Lab;
use atelier_domain::palette::{Depth, palette_for};
use atelier_domain::recommend::{LearnedWeights, Recommender, Request, SizeKind};
use atelier_domain::skin::{contrast_of, nearest_monk, undertone_of};
use atelier_store::{KIOSK_MIGRATIONS, open};
use serde::Deserialize;

use crate::startup::KIOSK_DB_FILE;

/// What a profile file holds (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Sizes per kind: `tops`, `bottoms`, `full_body`, `shoes`, `accessories`.
    #[serde(default)]
    pub sizes: BTreeMap<SizeKind, Vec<String>>,
    pub gender: Option<Gender>,
    pub occasion: Option<String>,
    pub style: Option<String>,
    pub season: Option<Season>,
    /// The most the whole look may cost, in the currency's major unit (yuan, euros).
    pub budget: Option<f64>,
    /// A measured skin colour, for a palette (as the skin analysis would give it).
    pub skin: Option<Skin>,
    /// Variant SKUs or GTINs of garments already in hand.
    #[serde(default)]
    pub scanned: Vec<String>,
    /// How many looks (default 10).
    pub count: Option<usize>,
}

/// A skin colour in CIELAB (D65) and, optionally, the lightness of hair or eyes (for contrast).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skin {
    pub lab: [f32; 3],
    pub feature_l: Option<f32>,
}

/// Options from the command line (they win over the profile).
pub struct Options<'a> {
    pub profile: &'a Path,
    pub scanned: Option<&'a str>,
    pub occasion: Option<&'a str>,
    pub store: Option<&'a str>,
    pub json: bool,
}

const EXIT_BAD_INPUT: u8 = 2;

pub fn run(data_dir: &Path, o: Options<'_>) -> anyhow::Result<ExitCode> {
    let text = match std::fs::read_to_string(o.profile) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", o.profile.display());
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let profile: Profile = match serde_json::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: {} line {} column {}: {e} (see docs/RECOMMEND_PROFILE.md)",
                o.profile.display(),
                e.line(),
                e.column()
            );
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let (config, _) = atelier_config::load(
        &data_dir.join(atelier_config::KIOSK_CONFIG_FILE),
        atelier_config::parse_kiosk,
    );
    let store_id = o.store.map(str::to_owned).unwrap_or(config.kiosk.store_id);
    let conn =
        open(&data_dir.join(KIOSK_DB_FILE), &KIOSK_MIGRATIONS).context("opening the kiosk database")?;
    let set = atelier_store::recommend::candidates(&conn, &store_id)?;
    if set.candidates.is_empty() {
        eprintln!(
            "error: the catalog is empty: run `atelier catalog import FILE` or `atelier catalog sync` first"
        );
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    if set.skipped > 0 {
        eprintln!(
            "warning: {} catalog rows could not be read and were left out",
            set.skipped
        );
    }

    // Scanned codes: a GTIN, a variant SKU or a product SKU, each to its colour's candidate.
    let codes: Vec<String> = match o.scanned {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        None => profile.scanned.clone(),
    };
    let mut scanned = Vec::new();
    for code in &codes {
        let found = atelier_store::catalog::find_by_code(&conn, code)?;
        let variant = found.and_then(|m| m.variant_sku);
        match variant.as_deref().and_then(|v| set.resolve(v)) {
            Some(c) => scanned.push(c.to_owned()),
            None => {
                eprintln!("error: {code:?} is not a variant in this catalog");
                return Ok(ExitCode::from(EXIT_BAD_INPUT));
            }
        }
    }

    let palette = profile.skin.as_ref().map(|s| {
        let lab = Lab {
            l: s.lab[0],
            a: s.lab[1],
            b: s.lab[2],
        };
        let (monk, _, _) = nearest_monk(lab);
        palette_for(
            lab,
            undertone_of(lab),
            Depth::from_monk(monk),
            contrast_of(lab.l, s.feature_l),
        )
    });
    let request = Request {
        sizes: profile.sizes.clone(),
        scanned,
        occasion: o.occasion.map(str::to_owned).or(profile.occasion.clone()),
        style: profile.style.clone(),
        season: profile.season,
        budget_minor: profile.budget.map(|b| (b.max(0.0) * 100.0).round() as u64),
        palette,
        gender: profile.gender,
        count: profile.count.unwrap_or(10),
    };
    let recommender = Recommender::new(set.candidates).context("indexing the catalog")?;
    let started = std::time::Instant::now();
    let result = recommender.recommend(&request, &LearnedWeights::default());
    let took = started.elapsed();

    if o.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(ExitCode::SUCCESS);
    }
    if result.looks.is_empty() {
        println!("no complete look is in stock for this profile here (try other sizes, occasion or budget)");
    }
    for (i, look) in result.looks.iter().enumerate() {
        println!(
            "{}. {:?} · ¥{:.2} · score {:.2} · {:?}",
            i + 1,
            look.template,
            look.total_minor as f64 / 100.0,
            look.score.total,
            look.relation
        );
        for item in &look.items {
            let name = recommender
                .candidate(&item.variant_sku)
                .map(|c| format!("{} {}", c.name_en, c.name_zh))
                .unwrap_or_default();
            println!(
                "     {:<10} {:<10} {} · {} {}{}",
                item.category.as_str(),
                item.product_sku,
                name,
                item.colour.name_en,
                item.colour.name_zh,
                if item.scanned { " (in hand)" } else { "" }
            );
        }
        println!("     {}", look.reason_en);
        println!("     {}", look.reason_zh);
    }
    eprintln!(
        "({} looks in {:.1} ms)",
        result.looks.len(),
        took.as_secs_f64() * 1000.0
    );
    Ok(ExitCode::SUCCESS)
}
