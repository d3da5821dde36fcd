//! Printing for people (tables, one field per line) and as JSON (`--json`).

use carnet_device::{Device, HistoryItem, Quarantined, RecordView, VerifyReport};
use carnet_model::{Access, FieldClass, RecordKind, Role, Value};
use carnet_replica::{DeviceId, DocId, HistoryEntry, RecordId, Registry};
use chrono::{DateTime, Utc};
use serde_json::{Map, json};
use unicode_width::UnicodeWidthStr;

/// A record as JSON; `personal` includes personal-file (and other personal-class) fields.
pub(crate) fn record_json(r: &RecordView, personal: bool) -> serde_json::Value {
    let mut fields = Map::new();
    let mut conflicts = Map::new();
    for (name, state) in &r.fields {
        let is_personal = r.kind.field(name).is_none_or(|f| f.class.is_personal());
        if is_personal && !personal {
            continue;
        }
        fields.insert(name.clone(), state.value.to_json());
        if !state.conflicts.is_empty() {
            conflicts.insert(
                name.clone(),
                state.conflicts.iter().map(Value::to_json).collect(),
            );
        }
    }
    let hidden: Vec<String> = r.hidden.iter().map(ToString::to_string).collect();
    json!({ "id": r.id.to_string(), "kind": r.kind.name(), "fields": fields, "conflicts": conflicts, "hidden_classes": hidden })
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
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) {
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
        // Lists show the shared fields only, never the personal file (as the table does).
        print_json(&records.iter().map(|r| record_json(r, false)).collect());
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
        _ => records
            .iter()
            .map(|r| {
                let mut row = vec![short(&r.id)];
                row.extend(listed_fields(kind).map(|f| field(r, f)));
                row
            })
            .collect(),
    };
    match kind {
        RecordKind::Member => table(&["ID", "NAME", "STATUS", "SINCE", "GROUPS"], &rows),
        RecordKind::Project => table(&["ID", "TITLE", "PERIOD", "FUNDERS"], &rows),
        _ => {
            let heads: Vec<String> = std::iter::once("ID".to_owned())
                .chain(listed_fields(kind).map(|f| f.to_uppercase()))
                .collect();
            let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
            table(&heads, &rows);
        }
    }
    println!("{} {kind}(s)", records.len());
    if let Some(r) = records.first().filter(|r| !r.hidden.is_empty()) {
        let hidden: Vec<String> = r.hidden.iter().map(ToString::to_string).collect();
        println!(
            "({} not held: this device may not read it)",
            hidden.join(", ")
        );
    }
}

/// The columns of a generic list: the kind's required fields, which are never personal.
fn listed_fields(kind: RecordKind) -> impl Iterator<Item = &'static str> {
    kind.fields()
        .iter()
        .filter(|f| f.required && !f.class.is_personal())
        .map(|f| f.name)
}

/// `member show`, `project show`: every field this device holds, grouped by class.
pub(crate) fn show(r: &RecordView, json: bool) {
    if json {
        print_json(&record_json(r, true));
        return;
    }
    print!("{}", record_text(r));
}

/// A record for people, one field per line, sections by class.
pub(crate) fn record_text(r: &RecordView) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", r.kind, r.id);
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
            let _ = writeln!(out, "  [{} — {what}]", spec.class);
        }
        let mut line = format!("  {:<24} {}", spec.name, state.value);
        if !state.conflicts.is_empty() {
            let others: Vec<String> = state.conflicts.iter().map(ToString::to_string).collect();
            line.push_str(&format!(
                "   (concurrent edits also set: {}; set it again to settle)",
                others.join(" | ")
            ));
        }
        let _ = writeln!(out, "{line}");
    }
    for class in &r.hidden {
        let _ = writeln!(
            out,
            "  [{class} — not held: this device may not read it (role or confidentiality agreement)]"
        );
    }
    out
}

pub(crate) fn when(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "unknown time".into())
}

fn roles_of(device: &Device, author: &DeviceId) -> String {
    device
        .registry()
        .and_then(|r| r.device(author))
        .map(|d| {
            d.roles
                .iter()
                .map(|r| r.name())
                .collect::<Vec<_>>()
                .join("+")
        })
        .unwrap_or_else(|| "not enrolled".into())
}

fn entry_json(
    device: &Device,
    doc: &DocId,
    entry: &HistoryEntry,
    holder: &str,
) -> serde_json::Value {
    json!({
        "change": entry.hash.to_string(),
        "document": doc.to_string(),
        "class": doc.class().map(|c| c.to_string()),
        "time": when(entry.time_ms),
        "time_ms": entry.time_ms,
        "device": entry.author.to_string(),
        "holder": holder,
        "roles": roles_of(device, &entry.author),
        "fields": entry.fields,
    })
}

fn entry_line(device: &Device, doc: &DocId, entry: &HistoryEntry, holder: &str) -> String {
    let fields: Vec<&str> = entry.fields.iter().map(String::as_str).collect();
    format!(
        "{}  device {} ({holder}, {})  {}: {}",
        when(entry.time_ms),
        entry.author.short(),
        roles_of(device, &entry.author),
        doc.class()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "registry".into()),
        fields.join(", "),
    )
}

/// `history`: newest first; failures first and loud.
pub(crate) fn history(
    device: &Device,
    kind: RecordKind,
    id: RecordId,
    items: &[HistoryItem],
    json: bool,
) {
    // Who deleted the record, and when, from the registry's signed tombstone.
    let deletion = device.deletion(kind, id).map(|d| {
        let by =
            d.by.map(|by| {
                let holder = device
                    .registry()
                    .and_then(|r| r.device(&by))
                    .map(|e| e.holder.clone())
                    .unwrap_or_default();
                format!("{} ({holder})", by.short())
            })
            .unwrap_or_default();
        (by, when(d.at_ms))
    });
    if json {
        let out: Vec<serde_json::Value> = items
            .iter()
            .map(|item| match item {
                HistoryItem::Verified { doc, entry, holder } => {
                    let mut v = entry_json(device, doc, entry, holder);
                    v["verified"] = json!(true);
                    v["applied"] = json!(true);
                    v
                }
                HistoryItem::Rejected {
                    doc,
                    entry,
                    holder,
                    reason,
                } => {
                    let mut v = entry_json(device, doc, entry, holder);
                    v["verified"] = json!(true);
                    v["applied"] = json!(false);
                    v["reason"] = json!(reason);
                    v
                }
                HistoryItem::Unverified { doc, hash, reason } => json!({
                    "change": hash.to_string(),
                    "document": doc.to_string(),
                    "class": doc.class().map(|c| c.to_string()),
                    "verified": false,
                    "applied": false,
                    "reason": reason,
                }),
            })
            .collect();
        let deleted = deletion.map(|(by, at)| json!({ "by": by, "at": at }));
        print_json(&json!({
            "record": id.to_string(),
            "kind": kind.name(),
            "deleted": deleted,
            "changes": out,
        }));
        return;
    }
    println!("history of {kind} {id} (newest first)");
    if let Some((by, at)) = &deletion {
        println!("  {at}  deleted by {by} (direction): it no longer appears in lists and reports");
    }
    for item in items {
        match item {
            HistoryItem::Verified { doc, entry, holder } => {
                println!(
                    "  {}  [signature verified]",
                    entry_line(device, doc, entry, holder)
                );
            }
            HistoryItem::Rejected {
                doc,
                entry,
                holder,
                reason,
            } => {
                println!(
                    "  {}  [signed, NOT APPLIED: {reason}]",
                    entry_line(device, doc, entry, holder)
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

/// `KIND show`: record `id`, its personal fields noted in the device's access log first.
pub(crate) fn show_read(
    device: &Device,
    kind: carnet_model::RecordKind,
    id: carnet_replica::RecordId,
    json: bool,
) -> anyhow::Result<()> {
    let view = device.show(kind, id)?;
    device.note_view(&view, carnet_replica::AccessKind::Show)?;
    show(&view, json);
    Ok(())
}

/// `access-log`: who read personal files on this device (entries never hold a value).
pub(crate) fn access_log(device: &Device, entries: &[carnet_replica::AccessEntry], json: bool) {
    if json {
        let out: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "seq": e.seq,
                    "at": when(e.at_ms),
                    "device": e.device.to_string(),
                    "kind": e.kind,
                    "record": e.record.to_string(),
                    "class": e.class.to_string(),
                    "how": e.how.name(),
                })
            })
            .collect();
        print_json(&json!(out));
        return;
    }
    if entries.is_empty() {
        println!("no personal file has been read on this device");
        return;
    }
    let holder = |id: &carnet_replica::DeviceId| {
        device
            .registry()
            .and_then(|r| r.device(id))
            .map(|d| d.holder.clone())
            .unwrap_or_default()
    };
    for e in entries {
        let record = if e.record.0.is_nil() {
            format!("every {}", e.kind)
        } else {
            format!("{} {}", e.kind, e.record)
        };
        let by = if e.device == device.id() {
            format!("this device ({})", holder(&e.device))
        } else {
            format!("device {} ({})", e.device.short(), holder(&e.device))
        };
        println!(
            "  {}  {}  {} ({})  by {by}",
            when(e.at_ms),
            e.how.name(),
            record,
            e.class
        );
    }
    println!("{} read(s) of personal files", entries.len());
}

/// `quarantine`.
pub(crate) fn quarantine(device: &Device, items: &[Quarantined], json: bool) {
    if json {
        let out: Vec<serde_json::Value> = items
            .iter()
            .map(|q| {
                let holder = device
                    .registry()
                    .and_then(|r| r.device(&q.entry.author))
                    .map(|d| d.holder.clone())
                    .unwrap_or_default();
                let mut v = entry_json(device, &q.doc, &q.entry, &holder);
                v["reason"] = json!(q.reason.to_string());
                v
            })
            .collect();
        print_json(&json!(out));
        return;
    }
    if items.is_empty() {
        println!("the quarantine is empty: no change has been rejected");
        bounds(device);
        return;
    }
    for q in items {
        let holder = device
            .registry()
            .and_then(|r| r.device(&q.entry.author))
            .map(|d| d.holder.clone())
            .unwrap_or_default();
        println!(
            "  {}  in {}",
            entry_line(device, &q.doc, &q.entry, &holder),
            q.doc
        );
        println!("      rejected: {}", q.reason);
    }
    println!("{} change(s) in the quarantine", items.len());
    bounds(device);
}

/// What the device keeps outside documents, and what it did not keep (`quarantine`).
fn bounds(device: &Device) {
    let d = device.dropped();
    println!(
        "kept outside documents, per device and document: at most {} changes waiting for \
         others ({} in all) and {} rejected ones",
        carnet_device::MAX_WAITING_PER_AUTHOR,
        carnet_device::MAX_WAITING_PER_DOC,
        carnet_device::MAX_REJECTED_PER_AUTHOR,
    );
    println!(
        "and across documents: at most {} waiting per device, {} in all (now {} waiting)",
        carnet_device::MAX_WAITING_PER_AUTHOR_ALL,
        carnet_device::MAX_WAITING_ALL,
        device.waiting_counts().total,
    );
    if d.any() {
        println!(
            "not kept: {} signed by keys the registry does not name, {} waiting and {} \
             rejected over those bounds, {} waiting from devices revoked since",
            d.unknown_author, d.waiting, d.rejected, d.revoked_waiting
        );
    } else {
        println!("nothing was dropped");
    }
}

/// `erasure status`: each erasure, the devices that confirmed it, and those still pending
/// (every enrolled device that is not revoked), with their last sync with this device.
pub(crate) fn erasures(device: &Device, json: bool) -> anyhow::Result<()> {
    let Some(registry) = device.registry() else {
        anyhow::bail!("this device has not received the registry yet: run `carnet sync`");
    };
    let peers = device.peers()?;
    let holder = |id: &DeviceId| {
        registry
            .device(id)
            .map(|d| d.holder.clone())
            .unwrap_or_default()
    };
    let rows: Vec<serde_json::Value> = registry
        .erased
        .iter()
        .filter(|(_, e)| e.of.is_none())
        .map(|(record, e)| {
            let with_her = registry
                .erased
                .values()
                .filter(|o| o.of == Some(*record))
                .count();
            let confirmed: Vec<serde_json::Value> = e
                .receipts
                .iter()
                .map(|(d, at)| json!({"device": d.to_string(), "holder": holder(d), "at": when(*at)}))
                .collect();
            let pending: Vec<serde_json::Value> = e
                .pending(registry)
                .map(|d| {
                    let last = peers
                        .get(&d.id.to_string())
                        .and_then(|p| p.last_sync_ms)
                        .map(when);
                    json!({"device": d.id.to_string(), "holder": d.holder, "last_sync": last})
                })
                .collect();
            json!({
                "record": record.to_string(),
                "at": when(e.at_ms),
                "by": e.by.as_ref().map(holder),
                "reason": e.reason,
                "records_about_her": with_her,
                "confirmed": confirmed,
                "pending": pending,
            })
        })
        .collect();
    if json {
        print_json(&json!(rows));
        return Ok(());
    }
    if rows.is_empty() {
        println!("no erasure");
        return Ok(());
    }
    for r in &rows {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
        println!(
            "member {}  erased {} by {}: {}",
            text(&r["record"]),
            text(&r["at"]),
            text(&r["by"]),
            text(&r["reason"])
        );
        println!(
            "  with {} record(s) about her (signatures, check-ins…)",
            r["records_about_her"]
        );
        let confirmed = r["confirmed"].as_array().map_or(0, Vec::len);
        let pending = r["pending"].as_array().map_or(0, Vec::len);
        println!("  confirmed by {confirmed} device(s), pending on {pending}");
        for c in r["confirmed"].as_array().into_iter().flatten() {
            println!(
                "    confirmed  {}  {}  {}",
                text(&c["holder"]),
                text(&c["at"]),
                text(&c["device"])
            );
        }
        for p in r["pending"].as_array().into_iter().flatten() {
            let last = p["last_sync"]
                .as_str()
                .map_or("never synced with this device".to_owned(), |l| {
                    format!("last sync {l}")
                });
            println!(
                "    pending    {}  {last}  {}",
                text(&p["holder"]),
                text(&p["device"])
            );
        }
    }
    Ok(())
}

/// `policy show`.
pub(crate) fn policy(registry: &Registry, json: bool) {
    if json {
        let mut out = Map::new();
        for role in Role::ALL {
            let row: Map<String, serde_json::Value> = FieldClass::ALL
                .iter()
                .map(|c| (c.to_string(), json!(registry.policy.get(role, *c).name())))
                .collect();
            out.insert(role.name().into(), serde_json::Value::Object(row));
        }
        print_json(&serde_json::Value::Object(out));
        return;
    }
    let mut header = vec!["ROLE"];
    let codes: Vec<String> = FieldClass::ALL.iter().map(ToString::to_string).collect();
    header.extend(codes.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = Role::ALL
        .iter()
        .map(|role| {
            let mut row = vec![role.name().to_owned()];
            row.extend(
                FieldClass::ALL
                    .iter()
                    .map(|c| match registry.policy.get(*role, *c) {
                        Access::None => "-".to_owned(),
                        Access::Read => "R".to_owned(),
                        Access::Write => "RW".to_owned(),
                    }),
            );
            row
        })
        .collect();
    table(&header, &rows);
    println!(
        "PER and SEC rights also need a signed confidentiality agreement (carnet device agreement)."
    );
    match registry.retention_months {
        Some(m) => println!(
            "Retention: personal files are erased {m} months after a member leaves (carnet policy retention)."
        ),
        None => println!(
            "Retention: none, personal files are kept after a member leaves (carnet policy retention MONTHS)."
        ),
    }
}

/// `device list`.
pub(crate) fn devices(me: &Device, registry: &Registry, json: bool) {
    let status = |d: &carnet_replica::DeviceEntry| {
        if d.revoked.is_some() {
            "revoked"
        } else {
            "active"
        }
    };
    if json {
        let out: Vec<serde_json::Value> = registry
            .devices
            .values()
            .map(|d| {
                json!({
                    "device": d.id.to_string(),
                    "holder": d.holder,
                    "city": d.city,
                    "roles": d.roles.iter().map(|r| r.name()).collect::<Vec<_>>(),
                    "agreement": d.agreement,
                    "status": status(d),
                    "enrolled": when(d.enrolled_at_ms),
                    "this_device": d.id == me.id(),
                })
            })
            .collect();
        print_json(&json!(out));
        return;
    }
    let rows: Vec<Vec<String>> = registry
        .devices
        .values()
        .map(|d| {
            let mark = if d.id == me.id() { " (this)" } else { "" };
            vec![
                format!("{}{mark}", d.id.short()),
                d.holder.clone(),
                roles_text(&d.roles),
                d.agreement.clone().unwrap_or_else(|| "-".into()),
                d.city.clone().unwrap_or_default(),
                status(d).to_owned(),
            ]
        })
        .collect();
    table(
        &["DEVICE", "HOLDER", "ROLES", "AGREEMENT", "CITY", "STATUS"],
        &rows,
    );
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
    println!(
        "`carnet import` takes {kind} records with the same {} for the same one (a duplicate).",
        carnet_transfer::identity_fields(kind).join(" and ")
    );
}

/// `status`.
pub(crate) fn status(device: &Device, json: bool) -> anyhow::Result<()> {
    let peers = device.peers()?;
    let quarantined = device.quarantine()?.len();
    let set_aside = device.set_aside()?;
    let holder = |id: &str| {
        id.parse::<DeviceId>()
            .ok()
            .and_then(|d| {
                device
                    .registry()
                    .and_then(|r| r.device(&d))
                    .map(|e| e.holder.clone())
            })
            .unwrap_or_default()
    };
    if json {
        let list: Vec<serde_json::Value> = peers
            .iter()
            .map(|(id, p)| {
                json!({
                    "device": id,
                    "holder": holder(id),
                    "addresses": p.addrs,
                    "last_sync": p.last_sync_ms.map(when),
                    "last_result": p.last_result,
                })
            })
            .collect();
        print_json(&json!({
            "device": device.id().to_string(),
            "peers": list,
            "quarantined": quarantined,
            "set_aside": set_aside,
        }));
        return Ok(());
    }
    println!("this device: {}", device.id());
    if peers.is_empty() {
        println!("no peer met yet (carnet serve, or carnet sync --peer ADDR)");
    } else {
        let rows: Vec<Vec<String>> = peers
            .iter()
            .map(|(id, p)| {
                vec![
                    id[..8].to_owned(),
                    holder(id),
                    p.last_sync_ms.map(when).unwrap_or_else(|| "never".into()),
                    p.last_result.clone(),
                ]
            })
            .collect();
        table(&["PEER", "HOLDER", "LAST SYNC", "LAST RESULT"], &rows);
    }
    println!("{quarantined} change(s) in the quarantine (carnet quarantine)");
    if !set_aside.is_empty() {
        println!(
            "{} document(s) set aside because their stored state is damaged (carnet verify names them); the next sync with a peer that holds them restores them",
            set_aside.len()
        );
    }
    Ok(())
}

/// A device's roles as the command line writes them (`staff+direction`).
pub(crate) fn roles_text(roles: &std::collections::BTreeSet<Role>) -> String {
    roles.iter().map(|r| r.name()).collect::<Vec<_>>().join("+")
}
