//! Moving in and out: `carnet import` (CSV, all rows or none, every bad row named by its line),
//! `carnet export` (CSV or JSON of what this device may read) and `carnet synthetic` (a
//! fictitious association from `carnet-gen`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use carnet_device::{Device, RecordWrite, WriteError};
use carnet_model::{FieldClass, FieldEdit, FieldSpec, RecordKind};
use carnet_replica::RecordId;
use chrono::{DateTime, Utc};

use crate::records;

/// Which field each CSV column fills (`None`: ignored; the `id` column is `Some("id")`).
fn columns(kind: RecordKind, headers: &[String], map: &[String]) -> Result<Vec<Option<String>>> {
    let mut mapping: BTreeMap<String, String> = BTreeMap::new();
    for m in map {
        let (col, field) = m
            .split_once('=')
            .context("--map expects COLUMN=FIELD (or COLUMN= to ignore a column)")?;
        let field = field.trim();
        if !field.is_empty() && field != "id" && kind.field(field).is_none() {
            bail!(
                "--map: a {kind} has no field `{field}`; accepted: id, {}",
                kind.field_names().join(", ")
            );
        }
        mapping.insert(col.trim().to_owned(), field.to_owned());
    }
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        let field = match mapping.get(h) {
            Some(f) if f.is_empty() => None,
            Some(f) => Some(f.clone()),
            None => {
                let guess = h.to_lowercase().replace(['-', ' '], "_");
                if guess == "id" {
                    Some("id".to_owned())
                } else if kind.field(&guess).is_some() {
                    Some(guess)
                } else {
                    // The column's name is not repeated: in a file whose first line is not
                    // the column names, it would be someone's data.
                    bail!(
                        "column {} of the first line is not a field of a {kind} (is the first \
                         line the column names?): map it with --map 'COLUMN=FIELD' or ignore it \
                         with --map 'COLUMN='; fields: id, {}",
                        i + 1,
                        kind.field_names().join(", ")
                    )
                }
            }
        };
        if let Some(f) = &field
            && let Some(other) = seen.insert(f.clone(), i + 1)
        {
            bail!("columns {other} and {} both fill `{f}`", i + 1);
        }
        out.push(field);
    }
    Ok(out)
}

/// The records one CSV row asks for: the row's record, and for a member who joins (status
/// member or active) the signatures and decision her status rests on, taken over from the
/// spreadsheet (see `docs/architecture.md`, import).
fn row_writes(
    device: &Device,
    kind: RecordKind,
    cols: &[Option<String>],
    row: &csv::StringRecord,
    now: DateTime<Utc>,
) -> Result<Vec<RecordWrite>> {
    let mut id = None;
    let mut edits: Vec<FieldEdit> = Vec::new();
    for (col, cell) in cols.iter().zip(row.iter()) {
        let (Some(field), cell) = (col, cell.trim()) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        if field == "id" {
            id = Some(
                cell.parse::<RecordId>()
                    .ok()
                    .context("the id column holds something that is not a record id")?,
            );
            continue;
        }
        edits.push(records::typed_edit(
            device,
            kind,
            &format!("{field}={cell}"),
        )?);
    }
    if edits.is_empty() {
        bail!("the row gives no field");
    }
    let (id, create) = match id {
        Some(id) => (id, device.show(kind, id).is_err()),
        None => (RecordId::random(), true),
    };
    let mut writes = vec![];
    if kind == RecordKind::Member && create {
        let value = |edits: &[FieldEdit], name: &str| {
            edits.iter().rev().find_map(|e| match &e.op {
                carnet_model::EditOp::Set(v) if e.field.name == name => Some(v.to_string()),
                _ => None,
            })
        };
        let status = value(&edits, "status");
        if status.is_none() {
            edits.push(field(kind, "status")?.edit(None, "member")?);
        }
        let status = status.unwrap_or_else(|| "member".to_owned());
        if status == "member" || status == "active" {
            let today = now.format("%Y-%m-%d").to_string();
            let since = value(&edits, "member_since").unwrap_or_else(|| today.clone());
            writes.push(taken_over(
                RecordKind::Signature,
                &[
                    ("person", id.to_string()),
                    ("form", "member".into()),
                    ("signed_on", since.clone()),
                    ("version", "imported".into()),
                ],
            )?);
            if status == "active" {
                let active = value(&edits, "active_since").unwrap_or(since);
                writes.push(taken_over(
                    RecordKind::Signature,
                    &[
                        ("person", id.to_string()),
                        ("form", "active".into()),
                        ("signed_on", active.clone()),
                        ("version", "imported".into()),
                    ],
                )?);
                writes.push(taken_over(
                    RecordKind::Application,
                    &[
                        ("person", id.to_string()),
                        ("decision", "accepted".into()),
                        ("vote_on", active),
                    ],
                )?);
            }
        }
    }
    writes.insert(
        0,
        RecordWrite {
            kind,
            id,
            edits,
            create,
        },
    );
    Ok(writes)
}

fn field(kind: RecordKind, name: &str) -> Result<&'static FieldSpec> {
    kind.field(name).context("internal: unknown field")
}

fn taken_over(kind: RecordKind, values: &[(&str, String)]) -> Result<RecordWrite> {
    let mut edits = Vec::new();
    for (name, v) in values {
        edits.push(field(kind, name)?.edit(None, v)?);
    }
    Ok(RecordWrite {
        kind,
        id: RecordId::random(),
        edits,
        create: true,
    })
}

/// `carnet import KIND FILE`.
pub(crate) fn import(
    device: &mut Device,
    kind: RecordKind,
    file: &Path,
    map: &[String],
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .context("the first line must name the columns")?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let cols = columns(kind, &headers, map)?;
    let mut problems: Vec<(u64, String)> = Vec::new();
    let mut writes: Vec<RecordWrite> = Vec::new();
    let mut line_of: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows = 0usize;
    for result in reader.records() {
        let row = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                problems.push((line, "not readable as CSV (quotes or encoding)".into()));
                continue;
            }
        };
        let line = row.position().map_or(0, csv::Position::line);
        rows += 1;
        if row.len() != headers.len() {
            problems.push((
                line,
                format!(
                    "{} cells where the first line names {}",
                    row.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let planned = row_writes(device, kind, &cols, &row, now).and_then(|ws| {
            for w in &ws {
                device.validate(w, now)?;
            }
            Ok(ws)
        });
        match planned {
            Ok(ws) => {
                for w in ws {
                    line_of.insert(w.id.to_string(), line);
                    writes.push(w);
                }
            }
            Err(e) => problems.push((line, format!("{e:#}"))),
        }
    }
    if problems.is_empty() {
        // The association's rules, on every row at once.
        match device.check_writes(&writes, now) {
            Ok(_) => {}
            Err(WriteError::Rules { findings }) => {
                for f in findings {
                    let line = f
                        .record
                        .as_deref()
                        .and_then(|id| line_of.get(id))
                        .copied()
                        .unwrap_or(0);
                    problems.push((
                        line,
                        format!("rule {} ({}): {}", f.rule, f.rule.summary(), f.message),
                    ));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !problems.is_empty() {
        problems.sort();
        eprintln!(
            "{} of {rows} row(s) cannot be imported; nothing was written:",
            problems
                .iter()
                .map(|p| p.0)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
        for (line, why) in &problems {
            eprintln!("  line {line}: {why}");
        }
        bail!("import refused: fix the lines above and run it again");
    }
    if dry_run {
        println!("{rows} row(s) checked: all can be imported (dry run: nothing written)");
        return Ok(());
    }
    let checked = records::write(device, &writes, now)?;
    let changed = checked
        .written
        .iter()
        .filter(|w| matches!(w, carnet_device::Written::Changed(_)))
        .count();
    println!(
        "imported {rows} row(s) as {kind} records ({} record(s) written, with {} taken-over signature(s) and decision(s))",
        changed,
        writes.len() - rows
    );
    Ok(())
}

/// The fields `export` writes: those this device may read, personal ones only when asked.
fn exported(device: &Device, kind: RecordKind, personal: bool) -> Vec<&'static FieldSpec> {
    kind.fields()
        .iter()
        .filter(|f| device.can_read(f.class))
        .filter(|f| personal || !(f.class.is_personal() || f.class == FieldClass::Sec))
        .collect()
}

/// `carnet export KIND`.
pub(crate) fn export(
    device: &Device,
    kind: RecordKind,
    json: bool,
    personal: bool,
    out: Option<&Path>,
) -> Result<()> {
    let fields = exported(device, kind, personal);
    let records = device.list(kind)?;
    let mut bytes = Vec::new();
    if json {
        let rows: Vec<serde_json::Value> = records
            .iter()
            .map(|r| {
                let mut obj = serde_json::Map::new();
                obj.insert("id".into(), r.id.to_string().into());
                for f in &fields {
                    if let Some(s) = r.fields.get(f.name) {
                        obj.insert(f.name.into(), s.value.to_json());
                    }
                }
                serde_json::Value::Object(obj)
            })
            .collect();
        bytes = serde_json::to_vec_pretty(&rows)?;
        bytes.push(b'\n');
    } else {
        let mut w = csv::Writer::from_writer(&mut bytes);
        let mut head = vec!["id"];
        head.extend(fields.iter().map(|f| f.name));
        w.write_record(&head)?;
        for r in &records {
            let mut row = vec![r.id.to_string()];
            row.extend(fields.iter().map(|f| {
                r.fields
                    .get(f.name)
                    .map(|s| s.value.to_string())
                    .unwrap_or_default()
            }));
            w.write_record(&row)?;
        }
        w.flush()?;
        drop(w);
    }
    if personal {
        eprintln!(
            "warning: this export holds personal files in the clear: keep it on an encrypted disk and delete it after use"
        );
    }
    match out {
        Some(path) => {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut file = opts.open(path).with_context(|| {
                format!("cannot create {} (it must not exist yet)", path.display())
            })?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            eprintln!(
                "exported {} {kind} record(s) to {}",
                records.len(),
                path.display()
            );
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

/// A synthetic association's records, as one batch of records to create.
pub(crate) fn association_writes(assoc: &carnet_gen::Association) -> Result<Vec<RecordWrite>> {
    Ok(RecordWrite::create_all(&assoc.snapshot)?)
}

/// `carnet synthetic`: a fictitious association written in one transaction, through the
/// association's rules like any write.
pub(crate) fn synthetic(
    device: &mut Device,
    seed: u64,
    members: Option<usize>,
    now: DateTime<Utc>,
) -> Result<()> {
    let scale = match members {
        Some(n) => carnet_gen::Scale::members(n),
        None => carnet_gen::Scale::mist(),
    };
    // Fictitious people must never mix with real ones (they would sync to every device): only
    // a device that holds nothing, or only what earlier runs made, takes a synthetic association.
    let runs: Vec<SyntheticRun> = device
        .setting(SYNTHETIC_RUNS)?
        .and_then(|b| postcard::from_bytes(&b).ok())
        .unwrap_or_default();
    let mut made = std::collections::BTreeSet::new();
    for run in &runs {
        let scale = match run.members {
            Some(n) => carnet_gen::Scale::members(n as usize),
            None => carnet_gen::Scale::mist(),
        };
        let day = chrono::NaiveDate::parse_from_str(&run.day, "%Y-%m-%d")
            .unwrap_or_else(|_| now.date_naive());
        let earlier = carnet_gen::generate(run.seed, &scale, day);
        for kind in RecordKind::ALL {
            made.extend(earlier.snapshot.of(kind).map(|(id, _)| id.to_owned()));
        }
    }
    let held = device.snapshot()?;
    let foreign = RecordKind::ALL
        .into_iter()
        .flat_map(|kind| held.of(kind).map(|(id, _)| id.to_owned()))
        .filter(|id| !made.contains(id))
        .count();
    if foreign > 0 {
        bail!(
            "this device holds {foreign} record(s) that `carnet synthetic` did not make, and fictitious people must never mix with real ones; try Carnet on a device of its own (carnet --home DIR init …)"
        );
    }
    let assoc = carnet_gen::generate(seed, &scale, now.date_naive());
    if assoc
        .snapshot
        .of(RecordKind::Member)
        .any(|(id, _)| made.contains(id))
    {
        bail!(
            "this device already holds the synthetic association of seed {seed}; choose another --seed"
        );
    }
    let writes = association_writes(&assoc)?;
    let n = writes.len();
    records::write(device, &writes, now)?;
    let mut runs = runs;
    runs.push(SyntheticRun {
        seed,
        members: members.map(|m| m as u64),
        day: now.date_naive().format("%Y-%m-%d").to_string(),
    });
    device.set_setting(SYNTHETIC_RUNS, &postcard::to_stdvec(&runs)?)?;
    println!("wrote a synthetic association (seed {seed}): {n} records");
    Ok(())
}

/// Where a device keeps the synthetic associations written on it.
const SYNTHETIC_RUNS: &str = "synthetic-runs";

/// One `carnet synthetic` run: enough to make its records again.
#[derive(serde::Serialize, serde::Deserialize)]
struct SyntheticRun {
    seed: u64,
    members: Option<u64>,
    day: String,
}
