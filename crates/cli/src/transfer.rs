//! Moving in and out: `carnet import` (CSV, .xlsx or .ods read by `carnet-sheets`; all rows or
//! none, every bad row named by its line as the spreadsheet shows it), `carnet export` (CSV in
//! the French or standard dialect, .xlsx or JSON of what this device may read) and
//! `carnet synthetic` (a fictitious association from `carnet-gen`). The spreadsheet work is in
//! `carnet-sheets`; this file ties it to the device.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use carnet_device::{Device, RecordWrite, WriteError};
use carnet_model::{FieldClass, FieldEdit, FieldSpec, FieldType, RecordKind};
use carnet_replica::RecordId;
use carnet_sheets::{DateOrder, NameTemplate, ReadOptions};
use chrono::{DateTime, Utc};

use crate::records;

/// `carnet import`'s options beyond the kind and the file.
pub(crate) struct ImportOptions {
    /// `--map COLUMN=FIELD` overrides.
    pub(crate) map: Vec<String>,
    /// `--delimiter`.
    pub(crate) delimiter: Option<String>,
    /// `--sheet`.
    pub(crate) sheet: Option<String>,
    /// `--date-format`.
    pub(crate) date_format: String,
    /// `--display-name`.
    pub(crate) display_name: Option<String>,
    /// `--joined-before`.
    pub(crate) joined_before: Option<String>,
    /// `--allow-duplicates`.
    pub(crate) allow_duplicates: bool,
    /// `--dry-run`.
    pub(crate) dry_run: bool,
}

/// `carnet export`'s options beyond the kind and the file.
pub(crate) struct ExportOptions {
    /// `--json`.
    pub(crate) json: bool,
    /// `--format`.
    pub(crate) format: Option<String>,
    /// `--dialect`.
    pub(crate) dialect: String,
    /// `--include-personal`.
    pub(crate) personal: bool,
}

fn delimiter(given: Option<&str>) -> Result<Option<u8>> {
    let Some(d) = given else { return Ok(None) };
    Ok(Some(match d {
        "tab" | "\\t" | "\t" | "tabulation" => b'\t',
        d if d.len() == 1 && d.is_ascii() => d.as_bytes()[0],
        _ => bail!("--delimiter expects one character (`;`, `,`) or `tab`"),
    }))
}

/// The records one row asks for: the row's record, and for a member who joins (status
/// member or active) the signatures and decision her status rests on, taken over from the
/// spreadsheet and dated when she joined (see `docs/architecture.md`, import).
fn row_writes(
    device: &Device,
    kind: RecordKind,
    cells: &[(&'static str, String)],
    joined_before: Option<&str>,
) -> Result<Vec<RecordWrite>> {
    let mut id = None;
    let mut edits: Vec<FieldEdit> = Vec::new();
    for (field, cell) in cells {
        if *field == "id" {
            id = Some(
                cell.parse::<RecordId>()
                    .ok()
                    .context("the id column holds something that is not a record id")?,
            );
            continue;
        }
        // A choice may be written as the interface names it ("Membre actif"), in either language.
        let cell = match kind.field(field).map(|s| s.ty) {
            Some(carnet_model::FieldType::Choice(words)) if !words.contains(&cell.trim()) => {
                carnet_web::choice_word(kind, field, cell).map_or(cell.as_str(), |w| w)
            }
            _ => cell.as_str(),
        };
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
            // A member who joined before the import joined then, not on the import day: the
            // funders' report counts joins by the member-form signature's date.
            let since = match (value(&edits, "member_since"), joined_before) {
                (Some(d), _) => d,
                (None, Some(d)) => d.to_owned(),
                (None, None) => bail!(
                    "`member_since` is empty: give the day this member joined, or \
                     --joined-before DATE for every row without it"
                ),
            };
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

/// What makes two members the same person for the duplicate check: the display name folded
/// (case, accents, spacing) and the date of birth.
fn person_key(name: &str, born: &str) -> (String, String) {
    (carnet_sheets::fold(name), born.trim().to_owned())
}

/// The members already recorded, by [`person_key`].
fn recorded_people(device: &Device) -> Result<BTreeSet<(String, String)>> {
    let mut out = BTreeSet::new();
    for r in device.list(RecordKind::Member)? {
        let get = |f: &str| {
            r.fields
                .get(f)
                .map(|s| s.value.to_string())
                .unwrap_or_default()
        };
        out.insert(person_key(&get("display_name"), &get("date_of_birth")));
    }
    Ok(out)
}

/// `carnet import KIND FILE`.
pub(crate) fn import(
    device: &mut Device,
    kind: RecordKind,
    file: &Path,
    opts: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<()> {
    let today = now.date_naive();
    let order: DateOrder = opts.date_format.parse()?;
    let joined_before = match &opts.joined_before {
        Some(d) => Some(
            carnet_sheets::normalise_date(d, order, today)
                .map_err(|e| anyhow::anyhow!("--joined-before: {e}"))?,
        ),
        None => None,
    };
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let table = carnet_sheets::read_table(
        &bytes,
        name,
        &ReadOptions {
            delimiter: delimiter(opts.delimiter.as_deref())?,
            sheet: opts.sheet.clone(),
        },
    )?;
    let template = opts
        .display_name
        .as_deref()
        .map(|t| NameTemplate::parse(t, &table.headers))
        .transpose()?;
    let used = template
        .as_ref()
        .map(|t| t.columns(&table.headers))
        .unwrap_or_default();
    let fields = kind.field_names();
    let cols =
        carnet_sheets::map_columns(&table.headers, &fields, &opts.map, &used, table.header_line)?;
    let specs: Vec<Option<(&'static str, FieldType)>> = cols
        .iter()
        .map(|c| match c.as_deref() {
            Some("id") => Some(("id", FieldType::Text)),
            Some(f) => kind.field(f).map(|s| (s.name, s.ty)),
            None => None,
        })
        .collect();
    let fills_name = template.is_some() && kind.field("display_name").is_some();
    let check_people = kind == RecordKind::Member && !opts.allow_duplicates;
    let recorded = if check_people {
        recorded_people(device)?
    } else {
        BTreeSet::new()
    };
    let mut in_file: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut problems: Vec<(u64, String)> = Vec::new();
    let mut writes: Vec<RecordWrite> = Vec::new();
    let mut line_of: BTreeMap<String, u64> = BTreeMap::new();
    let rows = table.rows.len();
    let undo_quotes = table.format.may_be_neutralised();
    for row in &table.rows {
        let line = row.line;
        if let Some(extra) = row
            .cells
            .iter()
            .skip(table.headers.len())
            .position(|c| !c.trim().is_empty())
        {
            problems.push((
                line,
                format!(
                    "column {} holds something but the first line names no column there",
                    table.headers.len() + extra + 1
                ),
            ));
            continue;
        }
        let mut cells: Vec<(&'static str, String)> = Vec::new();
        let mut bad = false;
        for (i, (spec, cell)) in specs.iter().zip(&row.cells).enumerate() {
            let Some((name, ty)) = spec else { continue };
            let cell = if undo_quotes {
                carnet_sheets::unneutralise(cell.trim()).trim()
            } else {
                cell.trim()
            };
            if cell.is_empty() {
                continue;
            }
            let cell = if *ty == FieldType::Date {
                match carnet_sheets::normalise_date(cell, order, today) {
                    Ok(d) => d,
                    Err(e) => {
                        problems.push((line, format!("column {} (`{name}`): {e}", i + 1)));
                        bad = true;
                        continue;
                    }
                }
            } else {
                cell.to_owned()
            };
            cells.push((name, cell));
        }
        if bad {
            continue;
        }
        if fills_name
            && !cells.iter().any(|(f, _)| *f == "display_name")
            && let Some(name) = template.as_ref().and_then(|t| t.render(&row.cells))
        {
            cells.push(("display_name", name));
        }
        let creates = !cells.iter().any(|(f, _)| *f == "id");
        if check_people && creates {
            let get = |f: &str| {
                cells
                    .iter()
                    .find(|(n, _)| *n == f)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let key = person_key(&get("display_name"), &get("date_of_birth"));
            if !key.0.is_empty() {
                if recorded.contains(&key) {
                    problems.push((
                        line,
                        "same display name and date of birth as a member already recorded \
                         (was this file imported before? --allow-duplicates if they are \
                         different people)"
                            .into(),
                    ));
                    continue;
                }
                if let Some(first) = in_file.get(&key) {
                    problems.push((
                        line,
                        format!(
                            "same display name and date of birth as line {first} \
                             (--allow-duplicates if they are different people)"
                        ),
                    ));
                    continue;
                }
                in_file.insert(key, line);
            }
        }
        let planned = row_writes(device, kind, &cells, joined_before.as_deref()).and_then(|ws| {
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
    let blank = if table.blank_rows > 0 {
        format!(" ({} blank row(s) skipped)", table.blank_rows)
    } else {
        String::new()
    };
    if !problems.is_empty() {
        problems.sort();
        eprintln!(
            "{} of {rows} row(s) cannot be imported; nothing was written:",
            problems.iter().map(|p| p.0).collect::<BTreeSet<_>>().len()
        );
        for (line, why) in &problems {
            eprintln!("  line {line}: {why}");
        }
        bail!("import refused: fix the lines above and run it again");
    }
    if opts.dry_run {
        println!("{rows} row(s) checked{blank}: all can be imported (dry run: nothing written)");
        return Ok(());
    }
    let checked = records::write(device, &writes, now)?;
    let changed = checked
        .written
        .iter()
        .filter(|w| matches!(w, carnet_device::Written::Changed(_)))
        .count();
    println!(
        "imported {rows} row(s) as {kind} records{blank} ({} record(s) written, with {} taken-over signature(s) and decision(s))",
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
    opts: &ExportOptions,
    out: Option<&Path>,
) -> Result<()> {
    let fields = exported(device, kind, opts.personal);
    let records = device.list(kind)?;
    let xlsx = match opts.format.as_deref() {
        Some("xlsx") => true,
        Some("csv") => false,
        Some(_) => bail!("--format expects csv or xlsx"),
        None => out
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx")),
    };
    let dialect: carnet_sheets::Dialect = opts.dialect.parse()?;
    if xlsx && out.is_none() {
        bail!("an .xlsx export needs --out FILE");
    }
    let mut bytes;
    if opts.json {
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
        let mut sheet = carnet_sheets::Sheet {
            headers: vec!["id".into()],
            date_columns: vec![false],
            rows: Vec::new(),
        };
        sheet
            .headers
            .extend(fields.iter().map(|f| f.name.to_owned()));
        sheet
            .date_columns
            .extend(fields.iter().map(|f| f.ty == FieldType::Date));
        for r in &records {
            let mut row = vec![r.id.to_string()];
            row.extend(fields.iter().map(|f| {
                r.fields
                    .get(f.name)
                    .map(|s| s.value.to_string())
                    .unwrap_or_default()
            }));
            sheet.rows.push(row);
        }
        bytes = if xlsx {
            carnet_sheets::write_xlsx(&sheet, &kind.to_string())?
        } else {
            carnet_sheets::write_csv(&sheet, dialect)?
        };
    }
    if opts.personal {
        eprintln!(
            "warning: this export holds personal files in the clear: keep it on an encrypted disk and delete it after use"
        );
    }
    match out {
        Some(path) => {
            let mut file = crate::access::create_private(path)?;
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
