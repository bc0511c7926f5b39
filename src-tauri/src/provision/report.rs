//! How `atelier provision` tells the installer: the checks, each file change with its contents, the
//! summary and next steps (the JSON report's types stay in the parent).

use super::*;

pub(super) fn change_report(
    change: &FileChange,
    target: PathBuf,
    state: ChangeState,
    written: bool,
) -> ChangeReport<'_> {
    let (mode, symlink_to) = match &change.kind {
        ChangeKind::File { mode, .. } => (Some(format!("{mode:04o}")), None),
        ChangeKind::Symlink { target } => (None, Some(target.as_str())),
    };
    ChangeReport {
        path: &change.path,
        target: target.display().to_string(),
        mode,
        symlink_to,
        why: &change.why,
        state,
        written,
        preview: change.preview(),
    }
}

fn status_tag(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
    }
}

#[allow(clippy::print_stdout)]
pub(super) fn print_checks(plan: &Plan) {
    println!("\nChecks");
    for c in &plan.checks {
        println!("  {}  {:<16} {}", status_tag(c.status), c.name, c.message);
        if let Some(fix) = &c.fix {
            println!("        {:<16} → {fix}", "");
        }
    }
    println!("\nChanges");
}

#[allow(clippy::print_stdout)]
pub(super) fn print_change(change: &FileChange, target: &Path, state: ChangeState, apply: bool) {
    let verb = match (state, apply) {
        (ChangeState::Unchanged, _) => "unchanged",
        (ChangeState::New, true) => "wrote (new)",
        (ChangeState::Changed, true) => "wrote (changed)",
        (ChangeState::New, false) => "would write (new)",
        (ChangeState::Changed, false) => "would write (changed)",
    };
    let what = match &change.kind {
        ChangeKind::File { mode, .. } => format!("mode {mode:04o}"),
        ChangeKind::Symlink { target } => format!("symlink → {target}"),
    };
    println!("  {verb:<22} {} ({what})", target.display());
    println!("  {:<22} why: {}", "", change.why);
    // Full contents before writing them (a dry run, or a refusal); a diff against the old file
    // when it changes; nothing more once written.
    if !apply && state != ChangeState::Unchanged {
        let old = std::fs::read_to_string(target).ok();
        let preview = change.preview();
        match (state, old, &change.kind) {
            (ChangeState::Changed, Some(old), ChangeKind::File { .. }) if change.secret_keys.is_empty() => {
                let new: Vec<&str> = preview.lines().collect();
                let before: Vec<&str> = old.lines().collect();
                for l in &before {
                    if !new.contains(l) {
                        println!("      - {l}");
                    }
                }
                for l in &new {
                    if !before.contains(l) {
                        println!("      + {l}");
                    }
                }
            }
            _ => {
                for l in preview.lines() {
                    println!("      | {l}");
                }
            }
        }
    }
}

#[allow(clippy::print_stdout)]
pub(super) fn print_summary(report: &Report<'_>, profile: &HardwareProfile) {
    let count = |s| report.checks.iter().filter(|c| c.status == s).count();
    let written = report.changes.iter().filter(|c| c.written).count();
    let unchanged = report
        .changes
        .iter()
        .filter(|c| c.state == ChangeState::Unchanged)
        .count();
    println!("\nReport");
    println!("  profile   {} ({})", profile.id, report.profile_file);
    println!("  root      {}", report.root);
    println!(
        "  checks    {} passed, {} warnings, {} failed",
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail)
    );
    println!(
        "  files     {}",
        match report.result {
            "applied" => format!("{written} written, {unchanged} already up to date"),
            "refused" => "none written: a check failed (fix it, or --force)".to_owned(),
            _ if refuse_note(report) => format!(
                "{} would be written, {unchanged} already up to date (dry run; a check failed, so a real run would write nothing without --force)",
                report.changes.len() - unchanged
            ),
            _ => format!(
                "{} would be written, {unchanged} already up to date (dry run)",
                report.changes.len() - unchanged
            ),
        }
    );
    if !report.next_steps.is_empty() {
        println!("\nNext");
        for s in report.next_steps {
            println!("  - {s}");
        }
    }
}

fn refuse_note(report: &Report<'_>) -> bool {
    report.checks.iter().any(|c| c.status == Status::Fail)
}
