//! Printing for people (tables, one field per line) and as JSON (`--json`).

use carnet_device::{Device, HistoryItem, RecordView, VerifyReport};
use carnet_model::{RecordKind, Value};
use carnet_replica::RecordId;
use chrono::{DateTime, Utc};
use serde_json::{Map, json};
use unicode_width::UnicodeWidthStr;

fn record_json(r: &RecordView) -> serde_json::Value {
    let mut fields = Map::new();
    let mut conflicts = Map::new();
    for (name, state) in &r.fields {
        fields.insert(name.clone(), state.value.to_json());
        if !state.conflicts.is_empty() {
            conflicts.insert(
                name.clone(),
                state.conflicts.iter().map(Value::to_json).collect(),
            );
        }
    }
    json!({ "id": r.id.to_string(), "kind": r.kind.name(), "fields": fields, "conflicts": conflicts })
}

fn field(r: &RecordView, name: &str) -> String {
    r.fields
        .get(name)
        .map(|f| f.value.to_string())
        .unwrap_or_default()
}

fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Prints a table of rows, each column as wide as its widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) {
    let width = |s: &str| UnicodeWidthStr::width(s);
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(width(c)))))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
}

fn short(id: &RecordId) -> String {
    id.to_string()[..8].to_owned()
}

/// `member list`, `project list`: the shared fields only, never the personal file.
pub(crate) fn list(kind: RecordKind, records: &[RecordView], json: bool) {
    if json {
        print_json(&records.iter().map(record_json).collect());
        return;
    }
    if records.is_empty() {
        println!("no {kind}s");
        return;
    }
    let rows: Vec<Vec<String>> = match kind {
        RecordKind::Member => records
            .iter()
            .map(|r| {
                vec![
                    short(&r.id),
                    r.label(),
                    field(r, "status"),
                    field(r, "member_since"),
                    field(r, "working_groups"),
                ]
            })
            .collect(),
        RecordKind::Project => records
            .iter()
            .map(|r| {
                let period = format!("{} – {}", field(r, "period_start"), field(r, "period_end"));
                vec![short(&r.id), r.label(), period, field(r, "funders")]
            })
            .collect(),
    };
    match kind {
        RecordKind::Member => table(&["ID", "NAME", "STATUS", "SINCE", "GROUPS"], &rows),
        RecordKind::Project => table(&["ID", "TITLE", "PERIOD", "FUNDERS"], &rows),
    }
    println!("{} {kind}(s)", records.len());
}

/// `member show`, `project show`: every field this device holds, grouped by class.
pub(crate) fn show(r: &RecordView, json: bool) {
    if json {
        print_json(&record_json(r));
        return;
    }
    println!("{} {}", r.kind, r.id);
    let mut class = None;
    for spec in r.kind.fields() {
        let Some(state) = r.fields.get(spec.name) else {
            continue;
        };
        if class != Some(spec.class) {
            class = Some(spec.class);
            let what = match spec.class {
                carnet_model::FieldClass::Per => "personal file",
                carnet_model::FieldClass::Pub => "public",
                _ => "shared with members",
            };
            println!("  [{} — {what}]", spec.class);
        }
        let mut line = format!("  {:<24} {}", spec.name, state.value);
        if !state.conflicts.is_empty() {
            let others: Vec<String> = state.conflicts.iter().map(ToString::to_string).collect();
            line.push_str(&format!(
                "   (concurrent edits also set: {}; set it again to settle)",
                others.join(" | ")
            ));
        }
        println!("{line}");
    }
}

fn when(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "unknown time".into())
}

/// `history`: newest first; failures first and loud.
pub(crate) fn history(
    device: &Device,
    kind: RecordKind,
    id: RecordId,
    items: &[HistoryItem],
    json: bool,
) {
    let roles = |author| {
        device
            .registry()
            .device(author)
            .map(|d| {
                d.roles
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .unwrap_or_default()
    };
    if json {
        let out: Vec<serde_json::Value> = items
            .iter()
            .map(|item| match item {
                HistoryItem::Verified { doc, entry, holder } => json!({
                    "change": entry.hash.to_string(),
                    "document": doc.to_string(),
                    "class": doc.class().map(|c| c.to_string()),
                    "time": when(entry.time_ms),
                    "time_ms": entry.time_ms,
                    "device": entry.author.to_string(),
                    "holder": holder,
                    "roles": roles(&entry.author),
                    "fields": entry.fields,
                    "verified": true,
                }),
                HistoryItem::Unverified { doc, hash, reason } => json!({
                    "change": hash.to_string(),
                    "document": doc.to_string(),
                    "class": doc.class().map(|c| c.to_string()),
                    "verified": false,
                    "reason": reason,
                }),
            })
            .collect();
        print_json(&json!({ "record": id.to_string(), "kind": kind.name(), "changes": out }));
        return;
    }
    println!("history of {kind} {id} (newest first)");
    for item in items {
        match item {
            HistoryItem::Verified { doc, entry, holder } => {
                let fields: Vec<&str> = entry.fields.iter().map(String::as_str).collect();
                println!(
                    "  {}  device {} ({holder}, {})  {}: {}  [signature verified]",
                    when(entry.time_ms),
                    entry.author.short(),
                    roles(&entry.author),
                    doc.class().map(|c| c.to_string()).unwrap_or_default(),
                    fields.join(", "),
                );
            }
            HistoryItem::Unverified { doc, hash, reason } => {
                println!(
                    "  !! NOT VERIFIED change {} in {}: {reason}",
                    &hash.to_string()[..12],
                    doc.class().map(|c| c.to_string()).unwrap_or_default()
                );
            }
        }
    }
}

/// `verify`.
pub(crate) fn verify(report: &VerifyReport, json: bool) {
    if json {
        let problems: Vec<serde_json::Value> = report
            .problems
            .iter()
            .map(|p| json!({ "document": p.doc, "change": p.change.map(|h| h.to_string()), "problem": p.what }))
            .collect();
        print_json(&json!({
            "documents": report.documents,
            "changes": report.changes,
            "ok": report.is_clean(),
            "problems": problems,
        }));
        return;
    }
    for p in &report.problems {
        match &p.change {
            Some(h) => println!(
                "TAMPERED {} change {}: {}",
                p.doc,
                &h.to_string()[..12],
                p.what
            ),
            None => println!("TAMPERED {}: {}", p.doc, p.what),
        }
    }
    if report.is_clean() {
        println!(
            "verified {} documents and {} changes: all signatures and documents check out",
            report.documents, report.changes
        );
    } else {
        println!(
            "checked {} documents and {} changes: {} problem(s) found",
            report.documents,
            report.changes,
            report.problems.len()
        );
    }
}

/// `fields KIND`.
pub(crate) fn fields(kind: RecordKind) {
    let rows: Vec<Vec<String>> = kind
        .fields()
        .iter()
        .map(|f| {
            let name = if f.required {
                format!("{} *", f.name)
            } else {
                f.name.to_owned()
            };
            vec![
                name,
                f.class.to_string(),
                f.ty.expected(),
                f.help.to_owned(),
            ]
        })
        .collect();
    table(&["FIELD", "CLASS", "VALUE", "MEANING"], &rows);
    println!("* required. Give fields as --field name=value.");
}
