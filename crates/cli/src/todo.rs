//! `carnet todo` (the association's rules: what needs attention today) and `carnet report`
//! (funders' figures, counts only).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use carnet_device::Device;
use carnet_model::RecordKind;
// A record's label for people reading `todo`, as the web interface's Today names it.
use carnet_web::labels::record_label as label;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// `carnet todo`.
pub(crate) fn todo(device: &Device, now: DateTime<Utc>, json: bool) -> Result<()> {
    let snapshot = device.snapshot()?;
    let today = now.date_naive();
    let findings = carnet_rules::todo(&snapshot, today);
    // Personal files the retention period erases within 30 days (or already due).
    let soon = today + chrono::Days::new(30);
    let retention: Vec<(carnet_replica::RecordId, String, NaiveDate)> = device
        .retention_schedule()?
        .into_iter()
        .filter(|(_, _, due)| *due <= soon)
        .collect();
    let retention_message = |due: NaiveDate| {
        if due <= today {
            "her retention period has ended: her personal file is erased by `carnet serve`/`carnet ui` on a direction device, or now by `carnet erasure retention`".to_owned()
        } else {
            format!(
                "her personal file will be erased on {} (retention period); export it for her first if she asks (`carnet member export-file`)",
                due.format("%Y-%m-%d")
            )
        }
    };
    if json {
        let mut items: Vec<serde_json::Value> = findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "rule": f.rule.to_string(),
                    "rule_summary": f.rule.summary(),
                    "severity": f.severity.name(),
                    "kind": f.kind.name(),
                    "record": f.record,
                    "label": f.record.as_deref().and_then(|id| label(&snapshot, f.kind, id)),
                    "due": f.due.map(|d| d.format("%Y-%m-%d").to_string()),
                    "message": f.message,
                })
            })
            .collect();
        items.extend(retention.iter().map(|(id, name, due)| {
            serde_json::json!({
                "rule": "retention",
                "rule_summary": "personal files are erased after the retention period",
                "severity": "remind",
                "kind": "member",
                "record": id.to_string(),
                "label": name,
                "due": due.format("%Y-%m-%d").to_string(),
                "message": retention_message(*due),
            })
        }));
        let out =
            serde_json::json!({ "today": today.format("%Y-%m-%d").to_string(), "items": items });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if findings.is_empty() && retention.is_empty() {
        println!("nothing needs attention today ({today})");
        return Ok(());
    }
    println!(
        "{} item(s) need attention today ({today}):",
        findings.len() + retention.len()
    );
    for (id, name, due) in &retention {
        let short = id.to_string();
        println!(
            "- [reminder] retention — member {} {name} (due {})",
            &short[..8],
            due.format("%Y-%m-%d")
        );
        println!("    {}", retention_message(*due));
    }
    for f in &findings {
        let what = match f.severity {
            carnet_rules::Severity::Block => "RULE BROKEN",
            carnet_rules::Severity::Warn => "warning",
            carnet_rules::Severity::Remind => "reminder",
        };
        let on = match f.record.as_deref() {
            Some(id) => {
                let name = label(&snapshot, f.kind, id)
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default();
                format!("{} {}{name}", f.kind, &id[..id.len().min(8)])
            }
            None => "organisation".to_owned(),
        };
        let due = f
            .due
            .map(|d| format!(" (due {})", d.format("%Y-%m-%d")))
            .unwrap_or_default();
        println!("- [{what}] {} {} — {on}{due}", f.rule, f.rule.summary());
        println!("    {}", f.message);
    }
    Ok(())
}

/// The flags of `carnet report`.
pub(crate) struct ReportArgs {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) project: Option<String>,
    pub(crate) suppress_below: u64,
    pub(crate) json: bool,
    pub(crate) csv: bool,
    /// `--format`: `csv` or `xlsx`.
    pub(crate) format: Option<String>,
    /// Whether `--dialect` was given (it applies to CSV only).
    pub(crate) dialect_given: bool,
    /// The CSV dialect (`french` or `standard`).
    pub(crate) dialect: String,
    /// `--out`: the file to create instead of printing.
    pub(crate) out: Option<PathBuf>,
}

/// The form `carnet report` writes.
#[derive(PartialEq)]
enum Form {
    Table,
    Json,
    Csv,
    Xlsx,
}

impl ReportArgs {
    /// The form asked for: `--json`, `--csv`, `--format`, or the `--out` file's extension.
    fn form(&self) -> Result<Form> {
        let ext = |e: &str| {
            self.out
                .as_deref()
                .and_then(Path::extension)
                .is_some_and(|x| x.eq_ignore_ascii_case(e))
        };
        let form = match self.format.as_deref() {
            Some("csv") => Form::Csv,
            Some("xlsx") => Form::Xlsx,
            Some(_) => anyhow::bail!("--format expects csv or xlsx"),
            None if self.json => Form::Json,
            None if self.csv || ext("csv") => Form::Csv,
            None if ext("xlsx") => Form::Xlsx,
            None => Form::Table,
        };
        if form == Form::Xlsx && self.out.is_none() {
            anyhow::bail!("an .xlsx report needs --out FILE");
        }
        if self.dialect_given && form != Form::Csv {
            anyhow::bail!("--dialect applies to a CSV report (--csv or --format csv)");
        }
        Ok(form)
    }
}

fn date(flag: &str, value: Option<&str>, default: NaiveDate) -> Result<NaiveDate> {
    match value {
        None => Ok(default),
        Some(v) => NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .with_context(|| format!("{flag} expects a date written YYYY-MM-DD")),
    }
}

/// `carnet report`.
pub(crate) fn report(device: &Device, now: DateTime<Utc>, a: ReportArgs) -> Result<()> {
    let today = now.date_naive();
    let january = NaiveDate::from_ymd_opt(today.year(), 1, 1).context("1 January")?;
    let from = date("--from", a.from.as_deref(), january)?;
    let to = date("--to", a.to.as_deref(), today)?;
    if to < from {
        anyhow::bail!("--to is before --from");
    }
    let form = a.form()?;
    if a.suppress_below == 0 {
        anyhow::bail!("--suppress-below must be at least 1 (1 shows every count)");
    }
    let project = match &a.project {
        Some(p) => Some(device.resolve(RecordKind::Project, p)?.to_string()),
        None => None,
    };
    let snapshot = device.snapshot()?;
    let request = carnet_report::Request {
        from,
        to,
        project,
        suppress_below: a.suppress_below,
    };
    let report = carnet_report::report(&snapshot, &request);
    let bytes = match form {
        Form::Json => {
            let mut json = serde_json::to_vec_pretty(&report.to_json())?;
            json.push(b'\n');
            json
        }
        Form::Csv => {
            let dialect: carnet_sheets::Dialect = a.dialect.parse()?;
            report.to_csv_in(dialect)?
        }
        Form::Xlsx => report.to_xlsx(XLSX_SHEET)?,
        Form::Table => report.to_table().into_bytes(),
    };
    match &a.out {
        Some(path) => {
            let mut file = crate::access::create_private(path)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            eprintln!("report written to {}", path.display());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

/// The name of an `.xlsx` report's sheet.
const XLSX_SHEET: &str = "Report";
