//! Prints how well skin analysis recovers known skin colours under three lights, before and after
//! calibration from a chart read in the guide frame (see `atelier_domain::skin::eval`).
//!
//! `cargo run --release -p atelier-domain --example skin-eval [--json]`

#![allow(clippy::print_stdout)] // an evaluation report is its product

use atelier_domain::sim::Light;
use atelier_domain::skin::eval::evaluate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let json = std::env::args().any(|a| a == "--json");
    let mut reports = Vec::new();
    for light in [Light::D65, Light::A, Light::F11] {
        reports.push(evaluate(light, 21)?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(());
    }
    println!(
        "Ten rendered faces (Monk 1–10 skin), 960×540, simulated camera; chart read from the guide frame."
    );
    println!();
    println!("| light | chart residual ΔE | mean ΔE uncalibrated → calibrated | MST exact | MST ±1 |");
    println!("|---|---|---|---|---|");
    for r in &reports {
        println!(
            "| {} | {:.2} | {:.1} → {:.1} | {} → {} of {} | {} → {} of {} |",
            r.light,
            r.chart_residual,
            r.mean_delta_e.0,
            r.mean_delta_e.1,
            r.monk_exact.0,
            r.monk_exact.1,
            r.faces,
            r.monk_within_one.0,
            r.monk_within_one.1,
            r.faces
        );
    }
    println!();
    println!("Calibrated, per Monk shade (ΔE, shade read, confidence):");
    for r in &reports {
        let cells: Vec<String> = r
            .per_face
            .iter()
            .map(|f| match f {
                Some((de, m, c)) => format!("{de:.1}/{m}/{c:.2}"),
                None => "—".into(),
            })
            .collect();
        println!("  {:>3}: {}", r.light, cells.join("  "));
    }
    Ok(())
}
