//! Planning an import: a table's columns matched to a kind's fields, each row turned into the
//! records it asks for (references given by name resolved, dates as people write them, choices
//! as the interface names them), bad lines and duplicates named by their spreadsheet line, and
//! the association's rules checked on every row at once. Nothing is written.

use std::collections::{BTreeMap, BTreeSet};

use carnet_device::{Device, ReadError, RecordWrite, ResolveError, WriteError};
use carnet_model::{EditError, EditOp, FieldEdit, FieldSpec, FieldType, RecordKind};
use carnet_replica::RecordId;
use carnet_rules::RuleId;
use carnet_sheets::{DateError, DateOrder, MapError, NameTemplate, Table};
use chrono::{DateTime, Utc};

/// Turns a choice written as an interface names it ("Membre actif") into its word (`active`):
/// `(kind, field, label)`. The translations are the web interface's, so the caller passes it.
pub type ChoiceWords = fn(RecordKind, &str, &str) -> Option<&'static str>;

/// How to read the rows, beyond the columns.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The order of day, month and year in dates that are not ISO.
    pub date_order: DateOrder,
    /// The day members without `member_since` joined before (`YYYY-MM-DD`): `--joined-before`.
    pub joined_before: Option<String>,
    /// Fills the display name of rows without one: `--display-name`.
    pub display_name: Option<NameTemplate>,
    /// Imports rows that look like members already recorded or like another row.
    pub allow_duplicates: bool,
    /// Choices written as the interface names them.
    pub choice_word: Option<ChoiceWords>,
}

/// Why an import could not even be planned (the device could not be read). Bad rows are not
/// errors: they are the plan's [`Problem`]s.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The device's records could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Checking the writes against the device failed for another reason than a rule.
    #[error(transparent)]
    Write(WriteError),
}

/// Why one line cannot be imported. The messages are the command line's (English); the web
/// interface words each variant in its page's language. None repeats a cell's value.
#[derive(Debug, thiserror::Error)]
pub enum Reason {
    /// A cell right of the last named column holds something.
    #[error("column {column} holds something but the first line names no column there")]
    ExtraCell {
        /// The column, 1 for the first.
        column: usize,
    },
    /// A date cell is not a date.
    #[error("column {column} (`{field}`): {error}")]
    BadDate {
        /// The column, 1 for the first.
        column: usize,
        /// The field it fills.
        field: &'static str,
        /// What is wrong with it.
        error: DateError,
    },
    /// The row looks like a member already recorded (display name and date of birth).
    #[error(
        "same display name and date of birth as a member already recorded (was this file \
         imported before? --allow-duplicates if they are different people)"
    )]
    AlreadyRecorded,
    /// The row looks like an earlier row of the file.
    #[error(
        "same display name and date of birth as line {first} (--allow-duplicates if they are \
         different people)"
    )]
    SameAsLine {
        /// The earlier row's line.
        first: u64,
    },
    /// The id column holds something that is not a record id.
    #[error("the id column holds something that is not a record id")]
    BadId,
    /// The row fills no field.
    #[error("the row gives no field")]
    NoField,
    /// A member who joins has no `member_since` and no `--joined-before` was given.
    #[error(
        "`member_since` is empty: give the day this member joined, or --joined-before DATE \
         for every row without it"
    )]
    JoinedUnknown,
    /// A reference names no record (or several).
    #[error("field `{field}` names a {target}: {error}")]
    Reference {
        /// The field.
        field: &'static str,
        /// The kind it names.
        target: RecordKind,
        /// Why the name was not found.
        error: ResolveError,
    },
    /// A value does not fit its field.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The record would be invalid (a required field missing, a period reversed…).
    #[error(transparent)]
    Write(WriteError),
    /// A rule of the association refuses the rows.
    #[error("rule {rule} ({}): {message}", rule.summary())]
    Rule {
        /// The rule.
        rule: RuleId,
        /// What is wrong (names no value).
        message: String,
    },
}

impl Reason {
    /// Whether the line was refused as a duplicate (which `allow_duplicates` imports anyway).
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Reason::AlreadyRecorded | Reason::SameAsLine { .. })
    }
}

/// One bad line.
#[derive(Debug)]
pub struct Problem {
    /// The line as the spreadsheet shows it (0: the rules found it about no one row).
    pub line: u64,
    /// Why.
    pub reason: Reason,
}

/// What an import would write, or why it cannot.
#[derive(Debug)]
pub struct ImportPlan {
    /// The records to write, all or none: each row's record, then for members who join the
    /// signatures and decisions taken over.
    pub writes: Vec<RecordWrite>,
    /// Every bad line, in line order; the import may go ahead only when there is none.
    pub problems: Vec<Problem>,
    /// The rows that hold something.
    pub rows: usize,
    /// The rows skipped because every cell was blank.
    pub blank_rows: usize,
}

impl ImportPlan {
    /// How many distinct lines are bad.
    pub fn bad_lines(&self) -> usize {
        self.problems
            .iter()
            .map(|p| p.line)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The signatures and decisions taken over beside the rows' own records.
    pub fn taken_over(&self) -> usize {
        self.writes.len().saturating_sub(self.rows)
    }
}

/// Which field each column fills, from the header row, `map` (`COLUMN=FIELD`, `COLUMN=` to
/// ignore one) and the columns a display-name template uses; an unknown column is refused.
pub fn columns(
    kind: RecordKind,
    table: &Table,
    map: &[String],
    template: Option<&NameTemplate>,
) -> Result<Vec<Option<String>>, MapError> {
    let used = template
        .map(|t| t.columns(&table.headers))
        .unwrap_or_default();
    carnet_sheets::map_columns(
        &table.headers,
        &kind.field_names(),
        map,
        &used,
        table.header_line,
    )
}

/// The field each column seems to fill from its header, unknown columns ignored and a field
/// filled once only (the first column naming it): what a form offers before a person chooses.
pub fn guess_columns(kind: RecordKind, headers: &[String]) -> Vec<Option<String>> {
    let fields = kind.field_names();
    let mut seen = BTreeSet::new();
    headers
        .iter()
        .map(|h| carnet_sheets::guess_field(h, &fields).filter(|f| seen.insert(f.clone())))
        .collect()
}

/// A `field=value` typed for `kind` as an edit; a reference field takes the names, ids or id
/// prefixes of the records it names (comma-separated for a list).
pub fn typed_edit(device: &Device, kind: RecordKind, typed: &str) -> Result<FieldEdit, Reason> {
    let Some((lhs, rhs)) = typed.split_once('=') else {
        return Ok(kind.parse_edit(typed)?);
    };
    let name = lhs.trim_end_matches(['+', '-']).trim();
    let Some(spec) = kind
        .field(name)
        .or_else(|| kind.field(&name.replace('-', "_")))
    else {
        return Ok(kind.parse_edit(typed)?);
    };
    let target = match spec.ty {
        FieldType::Ref(k) | FieldType::RefSet(k) => k,
        _ => return Ok(kind.parse_edit(typed)?),
    };
    if rhs.trim().is_empty() {
        return Ok(kind.parse_edit(typed)?);
    }
    let mut ids = Vec::new();
    for label in rhs.split(',') {
        let id = device
            .resolve(target, label)
            .map_err(|error| Reason::Reference {
                field: spec.name,
                target,
                error,
            })?;
        ids.push(id.to_string());
    }
    Ok(kind.parse_edit(&format!("{lhs}={}", ids.join(",")))?)
}

fn field(kind: RecordKind, name: &str) -> Result<&'static FieldSpec, EditError> {
    kind.field(name).ok_or_else(|| EditError::UnknownField {
        name: name.to_owned(),
        kind,
        accepted: kind.field_names().join(", "),
    })
}

fn taken_over(kind: RecordKind, values: &[(&str, String)]) -> Result<RecordWrite, EditError> {
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

/// The records one row asks for: the row's record, and for a member who joins (status
/// member or active) the signatures and decision her status rests on, taken over from the
/// spreadsheet and dated when she joined (see `docs/architecture.md`, import).
fn row_writes(
    device: &Device,
    kind: RecordKind,
    cells: &[(&'static str, String)],
    opts: &ImportOptions,
) -> Result<Vec<RecordWrite>, Reason> {
    let mut id = None;
    let mut edits: Vec<FieldEdit> = Vec::new();
    for (field, cell) in cells {
        if *field == "id" {
            id = Some(cell.parse::<RecordId>().map_err(|_| Reason::BadId)?);
            continue;
        }
        // A choice may be written as the interface names it ("Membre actif"), in either language.
        let cell = match (kind.field(field).map(|s| s.ty), opts.choice_word) {
            (Some(FieldType::Choice(words)), Some(choice)) if !words.contains(&cell.trim()) => {
                choice(kind, field, cell).map_or(cell.as_str(), |w| w)
            }
            _ => cell.as_str(),
        };
        edits.push(typed_edit(device, kind, &format!("{field}={cell}"))?);
    }
    if edits.is_empty() {
        return Err(Reason::NoField);
    }
    let (id, create) = match id {
        Some(id) => (id, device.show(kind, id).is_err()),
        None => (RecordId::random(), true),
    };
    let mut writes = vec![];
    if kind == RecordKind::Member && create {
        let value = |edits: &[FieldEdit], name: &str| {
            edits.iter().rev().find_map(|e| match &e.op {
                EditOp::Set(v) if e.field.name == name => Some(v.to_string()),
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
            let since = match (value(&edits, "member_since"), &opts.joined_before) {
                (Some(d), _) => d,
                (None, Some(d)) => d.clone(),
                (None, None) => return Err(Reason::JoinedUnknown),
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

/// What makes two members the same person for the duplicate check: the display name folded
/// (case, accents, spacing) and the date of birth.
fn person_key(name: &str, born: &str) -> (String, String) {
    (carnet_sheets::fold(name), born.trim().to_owned())
}

/// The members already recorded, by [`person_key`].
fn recorded_people(device: &Device) -> Result<BTreeSet<(String, String)>, ReadError> {
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

/// Plans importing `table`'s rows as `kind` records, column `i` filling field `columns[i]`
/// (`None` or an unknown name: ignored; `"id"`: the record to update). Every row is checked —
/// values, references, duplicates, the record's validity, then the association's rules on all
/// rows at once — and every bad line is named; nothing is written.
pub fn plan(
    device: &Device,
    kind: RecordKind,
    table: &Table,
    columns: &[Option<String>],
    opts: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportPlan, ImportError> {
    let today = now.date_naive();
    let specs: Vec<Option<(&'static str, FieldType)>> = columns
        .iter()
        .map(|c| match c.as_deref() {
            Some("id") => Some(("id", FieldType::Text)),
            Some(f) => kind.field(f).map(|s| (s.name, s.ty)),
            None => None,
        })
        .collect();
    let template = opts.display_name.as_ref();
    let fills_name = template.is_some() && kind.field("display_name").is_some();
    let check_people = kind == RecordKind::Member && !opts.allow_duplicates;
    let recorded = if check_people {
        recorded_people(device)?
    } else {
        BTreeSet::new()
    };
    let mut in_file: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut writes: Vec<RecordWrite> = Vec::new();
    let mut line_of: BTreeMap<String, u64> = BTreeMap::new();
    let undo_quotes = table.format.may_be_neutralised();
    for row in &table.rows {
        let line = row.line;
        let mut bad = |reason: Reason| problems.push(Problem { line, reason });
        if let Some(extra) = row
            .cells
            .iter()
            .skip(table.headers.len())
            .position(|c| !c.trim().is_empty())
        {
            bad(Reason::ExtraCell {
                column: table.headers.len() + extra + 1,
            });
            continue;
        }
        let mut cells: Vec<(&'static str, String)> = Vec::new();
        let mut refused = false;
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
                match carnet_sheets::normalise_date(cell, opts.date_order, today) {
                    Ok(d) => d,
                    Err(error) => {
                        bad(Reason::BadDate {
                            column: i + 1,
                            field: name,
                            error,
                        });
                        refused = true;
                        continue;
                    }
                }
            } else {
                cell.to_owned()
            };
            cells.push((name, cell));
        }
        if refused {
            continue;
        }
        if fills_name
            && !cells.iter().any(|(f, _)| *f == "display_name")
            && let Some(name) = template.and_then(|t| t.render(&row.cells))
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
                    bad(Reason::AlreadyRecorded);
                    continue;
                }
                if let Some(first) = in_file.get(&key) {
                    bad(Reason::SameAsLine { first: *first });
                    continue;
                }
                in_file.insert(key, line);
            }
        }
        let planned = row_writes(device, kind, &cells, opts).and_then(|ws| {
            for w in &ws {
                device.validate(w, now).map_err(Reason::Write)?;
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
            Err(reason) => bad(reason),
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
                    problems.push(Problem {
                        line,
                        reason: Reason::Rule {
                            rule: f.rule,
                            message: f.message,
                        },
                    });
                }
            }
            Err(e) => return Err(ImportError::Write(e)),
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok(ImportPlan {
        writes,
        problems,
        rows: table.rows.len(),
        blank_rows: table.blank_rows,
    })
}
