//! The table the benchmark prints (Markdown, one column per size), as in
//! `docs/performance.md`.

use crate::memory::Memory;
use crate::size::Figures;

/// How one row of the table reads a size's figures.
type Cell = Box<dyn Fn(&Figures) -> String>;

/// A peak, with the resident memory it was counted from when the peak was reset.
fn peak(m: Option<Memory>) -> String {
    match m {
        None => "–".into(),
        Some(Memory {
            peak_mb,
            floor_mb: Some(floor),
            ..
        }) => format!("{peak_mb:.0} MB (from {floor:.0})"),
        Some(m) => format!("{:.0} MB", m.peak_mb),
    }
}

/// Prints the table of `all` sizes, then the line of devices (measure 7).
pub(crate) fn print(all: &[Figures], batch: usize, line_len: usize, end: f64, hop: f64) {
    let col = |f: &dyn Fn(&Figures) -> String| all.iter().map(f).collect::<Vec<_>>().join(" | ");
    let header = all
        .iter()
        .map(|f| format!("{} members", f.members))
        .collect::<Vec<_>>()
        .join(" | ");
    let setup = if batch == 0 {
        "setup: generated / written with write_checked (rules checked), one transaction".into()
    } else {
        format!(
            "setup: generated / written with write_checked (rules checked), {batch} records per transaction"
        )
    };
    println!("| measure | {header} |");
    println!("|---|{}", "---|".repeat(all.len()));
    let rows: Vec<(&str, Cell)> = vec![
        (
            "records / documents / signed changes",
            Box::new(|f| format!("{} / {} / {}", f.records, f.documents, f.changes)),
        ),
        (
            &setup,
            Box::new(|f| {
                format!(
                    "{:.2} s / {:.2} s ({} tx, {} warnings)",
                    f.generate_s, f.setup_s, f.batches, f.warnings
                )
            }),
        ),
        (
            "1. initial sync over iroh",
            Box::new(|f| format!("{:.3} s, {} KB", f.initial.secs, f.initial.bytes / 1024)),
        ),
        (
            "1. baseline: plain Automerge, in memory (documents)",
            Box::new(|f| format!("{:.3} s ({})", f.baseline_s, f.baseline_docs)),
        ),
        (
            "1. ratio (goal ≤ 2× at 10,000)",
            Box::new(|f| format!("{:.1}×", f.initial.secs / f.baseline_s)),
        ),
        (
            "2. incremental sync (one field)",
            Box::new(|f| {
                format!(
                    "{:.1} ms, {} B",
                    f.incremental.secs * 1e3,
                    f.incremental.bytes
                )
            }),
        ),
        (
            "2. incremental / initial (goal ≤ 1%)",
            Box::new(|f| format!("{:.2}%", 100.0 * f.incremental.secs / f.initial.secs)),
        ),
        (
            "3. nothing changed",
            Box::new(|f| {
                format!(
                    "{} msgs, {} B, {:.1} ms",
                    f.nochange.messages,
                    f.nochange.bytes,
                    f.nochange.secs * 1e3
                )
            }),
        ),
        (
            "4. verification (changes/s; changes verified)",
            Box::new(|f| format!("{:.0} ({})", f.verify_per_s, f.verified)),
        ),
        (
            "4. raw ed25519 (signatures/s)",
            Box::new(|f| format!("{:.0}", f.raw_verify_per_s)),
        ),
        (
            "4. ratio (goal ≥ 0.5×)",
            Box::new(|f| format!("{:.2}×", f.verify_per_s / f.raw_verify_per_s)),
        ),
        (
            "5. member list (members listed)",
            Box::new(|f| format!("{:.1} ms ({})", f.list_s * 1e3, f.listed)),
        ),
        (
            "5. raw scan of the sealed values",
            Box::new(|f| format!("{:.1} ms", f.raw_scan_s * 1e3)),
        ),
        (
            "5. ratio (goal ≤ 5×)",
            Box::new(|f| format!("{:.1}×", f.list_s / f.raw_scan_s)),
        ),
        (
            "5. member show (goal ≤ 5 ms)",
            Box::new(|f| format!("{:.2} ms", f.show_ms)),
        ),
        (
            "6. peak RSS, joining device during initial sync (goal ≤ 300 MB)",
            Box::new(|f| peak(f.joining_memory)),
        ),
        (
            "6. peak RSS, serving device during initial sync (goal ≤ 300 MB)",
            Box::new(|f| peak(f.serving_initial_memory)),
        ),
        (
            "6. peak RSS, serving device over its three sessions",
            Box::new(|f| peak(f.serving_memory)),
        ),
        (
            "6. peak RSS, setup process (generation, writes, measures 4–5)",
            Box::new(|f| peak(f.setup_memory)),
        ),
    ];
    for (name, f) in rows {
        println!("| {name} | {} |", col(&*f));
    }
    println!();
    println!(
        "7. a change crossing a line of {line_len} devices: {:.1} ms end to end, {:.1} ms one hop ({:.1}×)",
        end * 1e3,
        hop * 1e3,
        end / hop
    );
}
