//! `BENCHMARKS.md`: the figures of one run as a Markdown table, with the machine they were
//! taken on. Everything below the `<!-- analysis -->` marker of an existing file is kept, so
//! the written analysis survives a new run.

use std::fmt::Write as _;

use crate::{Report, Row};

/// The marker below which a hand-written analysis is kept across runs.
pub const MARKER: &str = "<!-- analysis: kept by `cargo xtask bench` -->";

/// `value` in `unit` as the report shows it.
pub fn figure(value: f64, unit: &str) -> String {
    if value.is_nan() {
        return "—".into();
    }
    match unit {
        "B" => format!("{value:.0} B"),
        "MB" => format!("{value:.1} MB"),
        "s" if value < 1.0 => format!("{:.0} ms", value * 1000.0),
        "s" => format!("{value:.2} s"),
        "ms" if value < 1.0 => format!("{value:.3} ms"),
        _ => format!("{value:.1} {unit}"),
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or_else(String::new, |kib| {
            format!(", {:.0} GiB RAM", kib / 1_048_576.0)
        });
    format!(
        "{cpu}, {cores} cores available{mem}, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

fn verdict(row: &Row) -> &'static str {
    match row.met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "",
    }
}

/// The report as Markdown; `kept` is the analysis of the previous file, if any.
pub fn markdown(report: &Report, command: &str, kept: Option<&str>) -> String {
    let c = &report.config;
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `{command}` on {} in {:.0} s. Machine: {}. Build: {}.\n",
        chrono::Local::now().format("%Y-%m-%d %H:%M"),
        report.elapsed.as_secs_f64(),
        machine(),
        if cfg!(debug_assertions) {
            "debug (figures are not representative)"
        } else {
            "release"
        }
    );
    let _ = writeln!(
        md,
        "Workspace: {} notes with tags and skills, {} members, {} private documents. Each \
         whole-run measure ran {} times; {} edits and {} searches were timed one by one. \
         Ratios compare figures taken in the same run.\n",
        c.size.notes, c.size.members, c.size.private, c.runs, c.edits, c.searches
    );
    if let Some(scale) = c.scale {
        let _ = writeln!(
            md,
            "At scale (the rows that start \"at {} notes\"): {} notes, {} members, {} private \
             documents, each measure run once, beside its figure above.\n",
            scale.notes, scale.notes, scale.members, scale.private
        );
    }
    let _ = writeln!(md, "| measure | median | min | max | goal | |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for row in &report.rows {
        let s = &row.samples;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            row.measure,
            figure(s.median(), row.unit),
            figure(s.min(), row.unit),
            figure(s.max(), row.unit),
            if row.goal.is_empty() {
                String::new()
            } else {
                format!("{} (judged on {})", row.goal, row.judged)
            },
            verdict(row)
        );
    }
    let _ = writeln!(md, "\n## How each figure was taken\n");
    for row in report.rows.iter().filter(|r| !r.detail.is_empty()) {
        let _ = writeln!(md, "- **{}**: {}.", row.measure, row.detail);
    }
    let _ = writeln!(md, "\n{MARKER}\n");
    if let Some(kept) = kept {
        md.push_str(kept.trim_start_matches('\n'));
        if !md.ends_with('\n') {
            md.push('\n');
        }
    }
    md
}

/// The analysis kept from an existing `BENCHMARKS.md`.
pub fn kept_analysis(existing: &str) -> Option<&str> {
    existing.split_once(MARKER).map(|(_, after)| after)
}
