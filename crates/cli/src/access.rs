//! `carnet member export-file`: the right of access (RGPD art. 15). Everything this device holds
//! about one person — her record with her personal file, the records about her (signatures,
//! applications, welfare check-ins, mandates…), the records whose lists name her (activities
//! she attended, groups), and the history of her record (who changed which field, when) — as
//! JSON and as a readable text, in two new files only their owner may read. Deleted records
//! are included, marked deleted: their documents are still held, and the right of access
//! covers everything held.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use carnet_device::{Device, HistoryItem};
use carnet_model::{FieldType, RecordKind};
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::output;

/// Creates `path` for writing, readable by its owner only; refuses to overwrite.
pub(crate) fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}

/// The text form's file: `FILE.txt` beside `FILE` (`dossier.json` → `dossier.txt`).
fn text_path(out: &Path) -> PathBuf {
    out.with_extension("txt")
}

/// `carnet member export-file NAME --out FILE`.
pub(crate) fn export_file(
    device: &Device,
    record: &str,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<()> {
    let kind = RecordKind::Member;
    let id = device.resolve(kind, record)?;
    let person = device.show(kind, id)?;
    device.note_view(&person, carnet_replica::AccessKind::ExportFile)?;
    let who = id.to_string();
    let snapshot = device.snapshot_with_deleted()?;
    // When (and by which device's holder) a record was deleted, if it was.
    let deleted = |kind: RecordKind, id: &str| {
        let d = device.deletion(kind, id.parse().ok()?)?;
        Some(output::when(d.at_ms))
    };
    let mut about = Vec::new();
    let mut named_in = Vec::new();
    for (other, records) in &snapshot.records {
        if *other == kind {
            continue;
        }
        for (rid, r) in records {
            for f in other.fields() {
                match f.ty {
                    FieldType::Ref(RecordKind::Member) if r.text(f.name) == Some(who.as_str()) => {
                        if let Ok(view) = device.show(*other, rid.parse()?) {
                            about.push(view);
                        }
                    }
                    FieldType::RefSet(RecordKind::Member)
                        if r.set(f.name).any(|p| p == who.as_str()) =>
                    {
                        let label = r.text(other.label_field()).unwrap_or_default().to_owned();
                        let gone = deleted(*other, rid);
                        named_in.push((*other, rid.clone(), label, f.name, gone));
                    }
                    _ => {}
                }
            }
        }
    }
    let history = device.history(kind, id)?;
    let org = device
        .registry()
        .map(|r| r.org_name.clone())
        .unwrap_or_default();

    let changes: Vec<serde_json::Value> = history
        .iter()
        .filter_map(|item| match item {
            HistoryItem::Verified { doc, entry, holder } => Some(json!({
                "time": output::when(entry.time_ms),
                "class": doc.class().map(|c| c.to_string()),
                "fields": entry.fields,
                "by_device": entry.author.to_string(),
                "holder": holder,
            })),
            _ => None,
        })
        .collect();
    let doc = json!({
        "generated": now.to_rfc3339(),
        "organisation": org,
        "person": output::record_json(&person, true),
        "not_held_here": person.hidden.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "records_about_her": about
            .iter()
            .map(|v| {
                let mut j = output::record_json(v, true);
                j["deleted"] = json!(deleted(v.kind, &v.id.to_string()));
                j
            })
            .collect::<Vec<_>>(),
        "named_in": named_in
            .iter()
            .map(|(k, rid, label, field, gone)| json!({"kind": k.name(), "id": rid, "label": label, "field": field, "deleted": gone}))
            .collect::<Vec<_>>(),
        "history": changes,
    });

    let mut text = String::new();
    writeln!(
        text,
        "Données détenues sur une personne / Data held about one person"
    )?;
    writeln!(text, "{org} — {}", now.format("%d/%m/%Y %H:%M UTC"))?;
    writeln!(text)?;
    writeln!(text, "{}", output::record_text(&person))?;
    for view in &about {
        if let Some(at) = deleted(view.kind, &view.id.to_string()) {
            writeln!(text, "(deleted / supprimé {at})")?;
        }
        writeln!(text, "{}", output::record_text(view))?;
    }
    if !named_in.is_empty() {
        writeln!(text, "Named in / Nommée dans:")?;
        for (k, rid, label, field, gone) in &named_in {
            let gone = gone
                .as_ref()
                .map(|at| format!(" (deleted / supprimé {at})"))
                .unwrap_or_default();
            writeln!(text, "  {k} {rid} ({label}), field {field}{gone}")?;
        }
        writeln!(text)?;
    }
    writeln!(text, "History of her record / Historique (newest first):")?;
    for c in &changes {
        let fields: Vec<&str> = c["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .collect();
        writeln!(
            text,
            "  {}  {} ({}): {}",
            c["time"].as_str().unwrap_or_default(),
            c["holder"].as_str().unwrap_or_default(),
            c["class"].as_str().unwrap_or_default(),
            fields.join(", ")
        )?;
    }
    if !person.hidden.is_empty() {
        writeln!(
            text,
            "\nThis device may not read (so does not hold) her: {}",
            person
                .hidden
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }

    let txt = text_path(out);
    if txt == out {
        anyhow::bail!("name the JSON file with .json: the text form is written beside it as .txt");
    }
    // Both or neither: the text file is refused before the JSON is written.
    if txt.exists() {
        anyhow::bail!("cannot create {} (it must not exist yet)", txt.display());
    }
    let mut json_file = create_private(out)?;
    json_file.write_all(serde_json::to_string_pretty(&doc)?.as_bytes())?;
    json_file.sync_all()?;
    let mut text_file = create_private(&txt)?;
    text_file.write_all(text.as_bytes())?;
    text_file.sync_all()?;
    eprintln!(
        "warning: these files hold a personal file in the clear: hand them to the person, then delete them"
    );
    println!(
        "wrote {} (JSON) and {} (text): her record, {} record(s) about her, {} list(s) naming her, {} change(s) of history",
        out.display(),
        txt.display(),
        about.len(),
        named_in.len(),
        changes.len()
    );
    Ok(())
}
