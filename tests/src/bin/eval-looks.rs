//! Fill-in-the-blank evaluation of the recommender on held-out, hand-curated looks.
//!
//! Imports the demo catalog into a fresh SQLite file (the kiosk's own import and candidate
//! query), builds the recommender for a store, and asks, for every curated look, which of four
//! garments of one category completes it (the true one and three decoys of other products),
//! answered by the recommender's compatibility score, a seeded random pick, and popularity. Ten
//! seeds (different blanks and decoys) give a mean and a spread.
//!
//! `cargo run --release -p atelier-tests --bin eval-looks [-- --looks FILE] [--catalog FILE]
//!  [--store ID] [--seeds N] [--json]`

#![allow(clippy::print_stdout)] // an evaluation's output is its product

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use atelier_domain::recommend::{LearnedWeights, Recommender, eval::fill_in_the_blank};
use atelier_store::import::{Format, import_file};
use atelier_store::{KIOSK_MIGRATIONS, open};
use serde_json::Value;

struct Args {
    looks: PathBuf,
    catalog: PathBuf,
    store: String,
    seeds: u64,
    json: bool,
}

fn args() -> anyhow::Result<Args> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut a = Args {
        looks: root.join("assets/demo-catalog/curated-looks.json"),
        catalog: root.join("assets/demo-catalog/catalog.csv"),
        store: "demo-sh".into(),
        seeds: 10,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--looks" => a.looks = value()?.into(),
            "--catalog" => a.catalog = value()?.into(),
            "--store" => a.store = value()?,
            "--seeds" => a.seeds = value()?.parse().context("--seeds takes a number")?,
            "--json" => a.json = true,
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

/// One curated look: its occasion and its garments (variant SKUs, as in the file).
struct Look {
    occasion: String,
    items: Vec<String>,
}

fn read_looks(path: &PathBuf) -> anyhow::Result<Vec<Look>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let looks = doc
        .get("looks")
        .and_then(Value::as_array)
        .context("the file has no \"looks\" array")?;
    Ok(looks
        .iter()
        .map(|l| Look {
            occasion: l
                .get("occasion")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            items: l
                .get("items")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
        })
        .collect())
}

#[derive(Default, serde::Serialize)]
struct Summary {
    looks: usize,
    questions: usize,
    skipped: usize,
    accuracy: (f32, f32),
    random: (f32, f32),
    popularity: (f32, f32),
    chance: f32,
}

fn mean_sd(v: &[f32]) -> (f32, f32) {
    let n = v.len().max(1) as f32;
    let mean = v.iter().sum::<f32>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n;
    (mean, var.sqrt())
}

fn run(
    recommender: &Recommender,
    looks: &[Vec<String>],
    occasion: Option<&str>,
    seeds: u64,
) -> anyhow::Result<Summary> {
    let prior = LearnedWeights::default();
    let (mut acc, mut rnd, mut pop) = (Vec::new(), Vec::new(), Vec::new());
    let mut s = Summary {
        looks: looks.len(),
        ..Summary::default()
    };
    for seed in 1..=seeds {
        let r = fill_in_the_blank(recommender, &prior, looks, occasion, seed)?;
        acc.push(r.accuracy);
        rnd.push(r.random_accuracy);
        pop.push(r.popularity_accuracy);
        s.questions += r.questions;
        s.skipped = r.skipped;
        s.chance = r.chance;
    }
    s.accuracy = mean_sd(&acc);
    s.random = mean_sd(&rnd);
    s.popularity = mean_sd(&pop);
    Ok(s)
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = tempfile::tempdir()?;
    let mut conn = open(&dir.path().join("eval.sqlite"), &KIOSK_MIGRATIONS)?;
    let report = import_file(&mut conn, &a.catalog, Format::Csv, 0, |_, _| {})?;
    if report.rejected > 0 {
        eprintln!("{} catalog rows rejected", report.rejected);
    }
    let set = atelier_store::recommend::candidates(&conn, &a.store)?;
    let aliases = set.aliases;
    let recommender = Recommender::new(set.candidates)?;
    let looks = read_looks(&a.looks)?;
    // Curated looks name sized variants; the recommender works per colour variant.
    let mut unknown = 0usize;
    let resolved: Vec<(String, Vec<String>)> = looks
        .iter()
        .map(|l| {
            let items = l
                .items
                .iter()
                .filter_map(|v| {
                    let c = aliases.get(v).cloned();
                    unknown += usize::from(c.is_none());
                    c
                })
                .collect();
            (l.occasion.clone(), items)
        })
        .collect();
    let all: Vec<Vec<String>> = resolved.iter().map(|(_, i)| i.clone()).collect();
    let mut by_occasion: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
    for (o, items) in &resolved {
        by_occasion.entry(o.as_str()).or_default().push(items.clone());
    }
    // The whole set, scored as if the shopper had not said the occasion; then each occasion's
    // looks scored for that occasion (popularity counted within the group).
    let mut rows: Vec<(String, Summary)> = vec![(
        "all (no occasion given)".into(),
        run(&recommender, &all, None, a.seeds)?,
    )];
    rows.push(("all (each look's occasion)".into(), {
        let mut acc = Vec::new();
        let mut s = Summary::default();
        for (o, looks) in &by_occasion {
            let r = run(&recommender, looks, Some(o), a.seeds)?;
            acc.push((r.questions as f32, r));
        }
        let total: f32 = acc.iter().map(|(q, _)| q).sum();
        let w = |f: fn(&Summary) -> f32| acc.iter().map(|(q, r)| q * f(r)).sum::<f32>() / total.max(1.0);
        s.looks = all.len();
        s.questions = total as usize;
        s.accuracy = (w(|r| r.accuracy.0), 0.0);
        s.random = (w(|r| r.random.0), 0.0);
        s.popularity = (w(|r| r.popularity.0), 0.0);
        s.chance = acc.first().map_or(0.25, |(_, r)| r.chance);
        s
    }));
    for (o, looks) in &by_occasion {
        rows.push((
            format!("occasion {o}"),
            run(&recommender, looks, Some(o), a.seeds)?,
        ));
    }
    if a.json {
        let v: Vec<Value> = rows
            .iter()
            .map(|(name, s)| serde_json::json!({"set": name, "summary": s}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "{} curated looks ({} garments not in the catalog), store {}, {} seeds; chance = {:.2}",
        looks.len(),
        unknown,
        a.store,
        a.seeds,
        rows[0].1.chance
    );
    println!();
    println!("| set | looks | questions | recommender | random | popularity |");
    println!("|---|---|---|---|---|---|");
    for (name, s) in &rows {
        println!(
            "| {name} | {} | {} | {:.3} ± {:.3} | {:.3} ± {:.3} | {:.3} ± {:.3} |",
            s.looks,
            s.questions,
            s.accuracy.0,
            s.accuracy.1,
            s.random.0,
            s.random.1,
            s.popularity.0,
            s.popularity.1
        );
    }
    Ok(())
}
