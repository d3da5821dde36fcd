//! Moving in and out: `carnet import` (CSV, .xlsx or .ods read by `carnet-sheets`; all rows or
//! none, every bad row named by its line as the spreadsheet shows it), `carnet export` (CSV in
//! the French or standard dialect, .xlsx or JSON of what this device may read) and
//! `carnet synthetic` (a fictitious association from `carnet-gen`). The spreadsheet work is in
//! `carnet-sheets`, rows to records and records to tables in `carnet-transfer` (which the web
//! interface's *Importer* and *Exporter* use too); this file reads the file and prints.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use carnet_device::{Device, RecordWrite};
use carnet_model::RecordKind;
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
    /// `--with KIND=FILE`: other files imported in the same write.
    pub(crate) with: Vec<String>,
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

/// `carnet import KIND FILE`: planned by `carnet-transfer` (shared with the web interface's
/// *Importer*), written all or none through the association's rules.
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
    let read = ReadOptions {
        delimiter: delimiter(opts.delimiter.as_deref())?,
        sheet: opts.sheet.clone(),
    };
    // The file, then those --with names: (kind, table, fingerprint).
    let mut files = vec![(kind, file.to_owned())];
    for with in &opts.with {
        let (k, f) = with
            .split_once('=')
            .context("--with expects KIND=FILE (e.g. vote=votes.csv)")?;
        files.push((k.trim().parse()?, f.into()));
    }
    let mut tables = Vec::new();
    for (kind, file) in &files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let table = carnet_sheets::read_table(&bytes, name, &read)?;
        tables.push((*kind, table, carnet_transfer::Fingerprint::of(&bytes)));
    }
    let template = opts
        .display_name
        .as_deref()
        .map(|t| NameTemplate::parse(t, &tables[0].1.headers))
        .transpose()?;
    let mut columns = Vec::new();
    for (i, (kind, table, _)) in tables.iter().enumerate() {
        // --map and the display-name template are the first file's.
        let (map, template) = if i == 0 {
            (opts.map.as_slice(), template.as_ref())
        } else {
            (&[][..], None)
        };
        columns.push(
            carnet_transfer::columns(*kind, table, map, template)
                .with_context(|| format!("the {kind} file"))?,
        );
    }
    let parts: Vec<carnet_transfer::Part<'_>> = tables
        .iter()
        .zip(&columns)
        .map(
            |((kind, table, fingerprint), columns)| carnet_transfer::Part {
                kind: *kind,
                table,
                columns,
                fingerprint: Some(*fingerprint),
            },
        )
        .collect();
    let plan = carnet_transfer::plan_together(
        device,
        &parts,
        &carnet_transfer::ImportOptions {
            date_order: order,
            joined_before,
            display_name: template,
            allow_duplicates: opts.allow_duplicates,
            choice_word: Some(carnet_web::choice_word),
            fingerprint: None,
        },
        now,
    )?;
    let rows = plan.rows;
    let blank = if plan.blank_rows > 0 {
        format!(" ({} blank row(s) skipped)", plan.blank_rows)
    } else {
        String::new()
    };
    if !plan.problems.is_empty() {
        match plan.bad_lines() {
            0 => eprintln!("the file cannot be imported; nothing was written:"),
            n => eprintln!("{n} of {rows} row(s) cannot be imported; nothing was written:"),
        }
        for p in &plan.problems {
            // With several files, each problem says whose (by kind: never a file's name).
            let file = match files.len() {
                1 => String::new(),
                _ => format!("{} file, ", files[p.file].0),
            };
            if p.line == 0 {
                eprintln!("  {file}{}", p.reason);
            } else {
                eprintln!("  {file}line {}: {}", p.line, p.reason);
            }
        }
        bail!("import refused: fix the lines above and run it again");
    }
    if opts.dry_run {
        println!("{rows} row(s) checked{blank}: all can be imported (dry run: nothing written)");
        return Ok(());
    }
    let checked = records::write(device, &plan.writes, now)?;
    for file in &plan.files {
        if let Some(fingerprint) = file.fingerprint {
            carnet_transfer::remember_import(device, file.kind, fingerprint, now)?;
        }
    }
    let changed = checked
        .written
        .iter()
        .filter(|w| matches!(w, carnet_device::Written::Changed(_)))
        .count();
    let completed = match plan.completed {
        0 => String::new(),
        n => format!(
            "; {n} row(s) completed a signature or decision taken over by an earlier import of members"
        ),
    };
    let what = plan
        .files
        .iter()
        .map(|f| format!("{} row(s) as {} records", f.rows, f.kind))
        .collect::<Vec<_>>()
        .join(" and ");
    println!(
        "imported {what}{blank} ({} record(s) written, with {} taken-over signature(s) and decision(s){completed})",
        changed,
        plan.taken_over()
    );
    Ok(())
}

/// `carnet export KIND`: the table is `carnet-transfer`'s (shared with the web interface's
/// *Exporter*).
pub(crate) fn export(
    device: &Device,
    kind: RecordKind,
    opts: &ExportOptions,
    out: Option<&Path>,
) -> Result<()> {
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
    let (mut bytes, count);
    if opts.personal {
        device.note_export(kind)?;
    }
    if opts.json {
        let rows = carnet_transfer::export_json(device, kind, opts.personal)?;
        count = rows.len();
        bytes = serde_json::to_vec_pretty(&rows)?;
        bytes.push(b'\n');
    } else {
        let sheet = carnet_transfer::export_sheet(device, kind, opts.personal)?;
        count = sheet.rows.len();
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
            eprintln!("exported {count} {kind} record(s) to {}", path.display());
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
