//! Planning an import: a table's columns matched to a kind's fields, each row turned into the
//! records it asks for (references given by name or id resolved, among the records held and
//! the file's own rows; dates as people write them; choices as the interface names them), bad
//! lines and duplicates named by their spreadsheet line — a file imported before, a record
//! already recorded or another row with the same identity ([`identity_fields`]) — rows that
//! complete what an earlier import of members took over, and the association's rules checked
//! on every row at once. Nothing is written.

use std::collections::{BTreeMap, BTreeSet};

use carnet_device::{Device, ReadError, RecordWrite, ResolveError, WriteError};
use carnet_model::{EditError, EditOp, FieldEdit, FieldSpec, FieldType, RecordKind};
use carnet_replica::RecordId;
use carnet_rules::RuleId;
use carnet_sheets::{DateError, DateOrder, MapError, NameTemplate, Table};
use chrono::{DateTime, Utc};

use crate::files::Fingerprint;

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
    /// Imports a file imported before, and rows that look like records already recorded or
    /// like another row.
    pub allow_duplicates: bool,
    /// Choices written as the interface names them.
    pub choice_word: Option<ChoiceWords>,
    /// The file's fingerprint ([`Fingerprint::of`] its bytes), to refuse a file imported
    /// before as the same kind ([`crate::remember_import`] notes it after the write).
    pub fingerprint: Option<Fingerprint>,
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
    /// The whole file was imported before as records of this kind (its fingerprint is
    /// remembered by this device).
    #[error(
        "this file was imported as {kind} records before, on {} UTC (--allow-duplicates to \
         import it again)",
        at.format("%Y-%m-%d at %H:%M")
    )]
    FileImported {
        /// The kind it was imported as.
        kind: RecordKind,
        /// When (the last time).
        at: DateTime<Utc>,
    },
    /// The row has the identity of a record already recorded ([`identity_fields`]: a member's
    /// display name and date of birth, an activity's title and date…).
    #[error(
        "same {} as {} already recorded (was this file imported before? \
         --allow-duplicates if they are different)",
        phrase(fields),
        a_kind(*kind)
    )]
    AlreadyRecorded {
        /// The kind.
        kind: RecordKind,
        /// The fields compared.
        fields: &'static [&'static str],
    },
    /// The row has the identity of an earlier row of the file.
    #[error(
        "same {} as line {first} (--allow-duplicates if they are different)",
        phrase(fields)
    )]
    SameAsLine {
        /// The earlier row's line.
        first: u64,
        /// The fields compared.
        fields: &'static [&'static str],
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
    /// Whether the line (or the file) was refused as a duplicate (which `allow_duplicates`
    /// imports anyway).
    pub fn is_duplicate(&self) -> bool {
        matches!(
            self,
            Reason::FileImported { .. }
                | Reason::AlreadyRecorded { .. }
                | Reason::SameAsLine { .. }
        )
    }
}

/// "a member", "an activity".
fn a_kind(kind: RecordKind) -> String {
    let name = kind.name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// Field names as a phrase: "display name and date of birth", "person, form and signed on".
fn phrase(fields: &[&str]) -> String {
    let words: Vec<String> = fields.iter().map(|f| f.replace('_', " ")).collect();
    match words.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The fields that tell one record of `kind` from another for the duplicate check: a row with
/// the same values there as a record held, or as another row, is taken for the same one
/// (texts compared without case, accents or spacing; a row whose first such field is empty is
/// not compared).
pub fn identity_fields(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Member => &["display_name", "date_of_birth"],
        RecordKind::Project => &["title"],
        RecordKind::Signature => &["person", "form", "signed_on"],
        RecordKind::Application => &["person", "decision", "welcome_meeting_on", "vote_on"],
        RecordKind::Mentorship => &["mentee", "mentor", "started_on"],
        RecordKind::Group | RecordKind::Partner => &["name"],
        RecordKind::Activity => &["title", "date"],
        RecordKind::Mandate => &["role", "holder", "start"],
        RecordKind::Assembly | RecordKind::Meeting => &["title", "date"],
        RecordKind::Vote => &["title", "held_on"],
        RecordKind::Referral => &[
            "person",
            "partner",
            "destination",
            "direction",
            "referred_on",
        ],
        RecordKind::Welfare => &["person", "checked_on"],
        RecordKind::Secret => &[],
    }
}

/// A record's identity ([`identity_fields`]) from its values, `None` when its first identity
/// field is empty.
fn identity(kind: RecordKind, get: impl Fn(&str) -> Option<String>) -> Option<Vec<String>> {
    let key: Vec<String> = identity_fields(kind)
        .iter()
        .map(|f| get(f).map(|v| carnet_sheets::fold(&v)).unwrap_or_default())
        .collect();
    key.first().is_some_and(|k| !k.is_empty()).then_some(key)
}

/// What an import of members takes over beside each member who joins (see `row_writes`) and a
/// later import of signatures or applications completes rather than duplicates: a signature
/// of version [`TAKEN_OVER`], or an accepted application holding nothing but its person,
/// decision and vote date. Its key — the person and the form, or the person and `accepted` —
/// and its date.
fn taken_over_key<'a>(
    kind: RecordKind,
    get: impl Fn(&str) -> Option<String>,
    mut names: impl Iterator<Item = &'a str>,
) -> Option<((String, String), String)> {
    let person = get("person")?;
    match kind {
        RecordKind::Signature if get("version").as_deref() == Some(TAKEN_OVER) => {
            Some(((person, get("form")?), get("signed_on").unwrap_or_default()))
        }
        RecordKind::Application
            if get("decision").as_deref() == Some("accepted")
                && names.all(|n| matches!(n, "person" | "decision" | "vote_on")) =>
        {
            Some((
                (person, "accepted".to_owned()),
                get("vote_on").unwrap_or_default(),
            ))
        }
        _ => None,
    }
}

/// The version of the rules a taken-over signature names: the import's, not a real one.
const TAKEN_OVER: &str = "imported";

/// One bad line.
#[derive(Debug)]
pub struct Problem {
    /// The file it is in, when several are imported together ([`plan_together`]): its index
    /// among them, 0 for the first (and only, for [`plan`]).
    pub file: usize,
    /// The line as the spreadsheet shows it (0: the problem is the whole file's, or the rules
    /// found it about no one row).
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
    /// The rows that complete a signature or decision an earlier import of members took over
    /// (written to that record rather than as a second one).
    pub completed: usize,
    /// The (first) file's fingerprint, as the options gave it: what
    /// [`crate::remember_import`] notes.
    pub fingerprint: Option<Fingerprint>,
    /// Each file planned, in the order given: its kind, rows and fingerprint (one for
    /// [`plan`]; the figures above add them up).
    pub files: Vec<FileSummary>,
}

/// One file of a plan.
#[derive(Debug, Clone)]
pub struct FileSummary {
    /// The kind of its records.
    pub kind: RecordKind,
    /// Its rows that hold something.
    pub rows: usize,
    /// Its blank rows, skipped.
    pub blank_rows: usize,
    /// Its fingerprint, to note once written.
    pub fingerprint: Option<Fingerprint>,
}

/// One file of an import planned with others ([`plan_together`]).
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// The kind of its records.
    pub kind: RecordKind,
    /// Its table.
    pub table: &'a Table,
    /// The field each column fills ([`columns`]).
    pub columns: &'a [Option<String>],
    /// Its fingerprint ([`Fingerprint::of`] its bytes).
    pub fingerprint: Option<Fingerprint>,
}

impl ImportPlan {
    /// How many distinct lines are bad (problems of the whole file, line 0, aside).
    pub fn bad_lines(&self) -> usize {
        self.problems
            .iter()
            .map(|p| p.line)
            .filter(|l| *l > 0)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The signatures and decisions taken over beside the rows' own records.
    pub fn taken_over(&self) -> usize {
        self.writes.len().saturating_sub(self.rows)
    }

    /// Whether nothing stops the import: no bad line, no duplicate.
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
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
    typed_edit_in(device, kind, typed, &Rows::default())
}

/// The records an import's rows create, by kind, id and label (folded; a label two rows of
/// a kind share names neither), so that a row may name another row of its file or of a file
/// imported with it (a partner endorsed by another partner of the same file, removed by a vote
/// of the votes' file).
#[derive(Default)]
struct Rows {
    ids: BTreeSet<(RecordKind, RecordId)>,
    labels: BTreeMap<(RecordKind, String), Option<RecordId>>,
}

impl Rows {
    /// Notes that a row creates record `id` of `kind`, labelled `label`.
    fn add(&mut self, kind: RecordKind, id: RecordId, label: Option<&str>) {
        self.ids.insert((kind, id));
        if let Some(label) = label {
            self.labels
                .entry((kind, carnet_model::fold(label)))
                .and_modify(|seen| *seen = None)
                .or_insert(Some(id));
        }
    }

    /// The record of the rows `name` names, when the device holds none.
    fn resolve(&self, target: RecordKind, name: &str) -> Option<RecordId> {
        let name = name.trim();
        if let Ok(id) = name.to_lowercase().parse::<RecordId>() {
            return self.ids.contains(&(target, id)).then_some(id);
        }
        self.labels
            .get(&(target, carnet_model::fold(name)))
            .copied()
            .flatten()
    }
}

fn typed_edit_in(
    device: &Device,
    kind: RecordKind,
    typed: &str,
    rows: &Rows,
) -> Result<FieldEdit, Reason> {
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
        let id = match device.resolve(target, label) {
            Ok(id) => id,
            Err(error) => match (&error, rows.resolve(target, label)) {
                (ResolveError::NotFound { .. }, Some(id)) => id,
                _ => {
                    return Err(Reason::Reference {
                        field: spec.name,
                        target,
                        error,
                    });
                }
            },
        };
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

/// The value a write sets to `name`, as text.
fn set_value(edits: &[FieldEdit], name: &str) -> Option<String> {
    edits.iter().rev().find_map(|e| match &e.op {
        EditOp::Set(v) if e.field.name == name => Some(v.to_string()),
        _ => None,
    })
}

/// The records one row asks for, the row's own record being `id` (`create`: not held yet):
/// that record, and for a member who joins (status member or active) the signatures and
/// decision her status rests on, taken over from the spreadsheet and dated when she joined
/// (see `docs/architecture.md`, import).
fn row_writes(
    device: &Device,
    kind: RecordKind,
    cells: &[(&'static str, String)],
    opts: &ImportOptions,
    rows: &Rows,
    (id, create): (RecordId, bool),
) -> Result<Vec<RecordWrite>, Reason> {
    let mut edits: Vec<FieldEdit> = Vec::new();
    for (field, cell) in cells {
        // A choice may be written as the interface names it ("Membre actif"), in either language.
        let cell = match (kind.field(field).map(|s| s.ty), opts.choice_word) {
            (Some(FieldType::Choice(words)), Some(choice)) if !words.contains(&cell.trim()) => {
                choice(kind, field, cell).map_or(cell.as_str(), |w| w)
            }
            _ => cell.as_str(),
        };
        edits.push(typed_edit_in(
            device,
            kind,
            &format!("{field}={cell}"),
            rows,
        )?);
    }
    if edits.is_empty() {
        return Err(Reason::NoField);
    }
    let mut writes = vec![];
    if kind == RecordKind::Member && create {
        let status = set_value(&edits, "status");
        if status.is_none() {
            edits.push(field(kind, "status")?.edit(None, "member")?);
        }
        let status = status.unwrap_or_else(|| "member".to_owned());
        if status == "member" || status == "active" {
            // A member who joined before the import joined then, not on the import day: the
            // funders' report counts joins by the member-form signature's date.
            let since = match (set_value(&edits, "member_since"), &opts.joined_before) {
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
                    ("version", TAKEN_OVER.into()),
                ],
            )?);
            if status == "active" {
                let active = set_value(&edits, "active_since").unwrap_or(since);
                writes.push(taken_over(
                    RecordKind::Signature,
                    &[
                        ("person", id.to_string()),
                        ("form", "active".into()),
                        ("signed_on", active.clone()),
                        ("version", TAKEN_OVER.into()),
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

/// The identities ([`identity`]) of the `kind` records held, and the records an earlier import
/// took over ([`taken_over_key`]) with their dates.
type Held = (
    BTreeSet<Vec<String>>,
    BTreeMap<(String, String), Vec<(RecordId, String)>>,
);

fn held(device: &Device, kind: RecordKind) -> Result<Held, ReadError> {
    let mut identities = BTreeSet::new();
    let mut taken = BTreeMap::<_, Vec<_>>::new();
    for r in device.list(kind)? {
        let get = |f: &str| r.fields.get(f).map(|s| s.value.to_string());
        if let Some(key) = identity(kind, get) {
            identities.insert(key);
        }
        if let Some((key, date)) = taken_over_key(kind, get, r.fields.keys().map(String::as_str)) {
            taken.entry(key).or_default().push((r.id, date));
        }
    }
    Ok((identities, taken))
}

/// Which row completes each record an earlier import took over: among the rows with its key,
/// the one with its date, else the one with the latest date (a taken-over record stands for
/// the signature or decision the member's present status rests on). Returns, by row index,
/// the record it completes.
fn completions(
    taken: BTreeMap<(String, String), Vec<(RecordId, String)>>,
    rows: &[(usize, (String, String), String)],
) -> BTreeMap<usize, RecordId> {
    let mut out = BTreeMap::new();
    for (key, records) in taken {
        let mut free: Vec<&(usize, (String, String), String)> =
            rows.iter().filter(|(_, k, _)| *k == key).collect();
        for (id, date) in records {
            let pick = free.iter().position(|(_, _, d)| *d == date).or_else(|| {
                (0..free.len()).max_by(|a, b| free[*a].2.cmp(&free[*b].2).then(a.cmp(b)))
            });
            if let Some(p) = pick {
                out.insert(free.remove(p).0, id);
            }
        }
    }
    out
}

/// Plans importing `table`'s rows as `kind` records, column `i` filling field `columns[i]`
/// (`None` or an unknown name: ignored; `"id"`: the record to update, or to create under that
/// id). Every row is checked — values, references (to records held or to other rows of the
/// file), duplicates (the file imported before, records held, other rows), the record's
/// validity, then the association's rules on all rows at once — and every bad line is named;
/// nothing is written.
pub fn plan(
    device: &Device,
    kind: RecordKind,
    table: &Table,
    columns: &[Option<String>],
    opts: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportPlan, ImportError> {
    let part = Part {
        kind,
        table,
        columns,
        fingerprint: opts.fingerprint,
    };
    plan_together(device, &[part], opts, now)
}

/// A row's cells by the field each fills.
type Cells = Vec<(&'static str, String)>;

/// One row, on its way to becoming records.
struct Planned {
    file: usize,
    kind: RecordKind,
    line: u64,
    writes: Vec<RecordWrite>,
}

/// Plans importing several files in one write, all or none, as [`plan`] plans one: for
/// records that name one another across kinds (a partner removed by a coalition vote that
/// names it: neither may be written without the other), and whatever else is moved together.
/// Rows may name rows of any of the files; duplicates are looked for among the rows of every
/// file of a kind; the association's rules judge all the rows at once. Each problem names its
/// file ([`Problem::file`]). `opts.fingerprint` is not used: each part gives its own;
/// `opts.display_name` fills the first file's rows only (its template names that file's
/// columns).
pub fn plan_together(
    device: &Device,
    parts: &[Part<'_>],
    opts: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportPlan, ImportError> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut cells_of: Vec<(usize, RecordKind, u64, Cells)> = Vec::new();
    for (file, part) in parts.iter().enumerate() {
        if let Some(fingerprint) = part.fingerprint
            && !opts.allow_duplicates
            && let Some(at) = crate::files::imported_at(device, part.kind, fingerprint)?
        {
            problems.push(Problem {
                file,
                line: 0,
                reason: Reason::FileImported {
                    kind: part.kind,
                    at,
                },
            });
        }
        // The display-name template names the first file's columns.
        let template = opts.display_name.as_ref().filter(|_| file == 0);
        for (line, cells) in row_cells(part, opts, template, now, &mut |line, reason| {
            problems.push(Problem { file, line, reason })
        }) {
            cells_of.push((file, part.kind, line, cells));
        }
    }

    // Each row's record: the id its id column gives (created when not held), or a new one;
    // what the rows create, for rows that name one another.
    let mut own = Rows::default();
    let mut ids: Vec<Result<(RecordId, bool), Reason>> = Vec::new();
    for (_, kind, _, cells) in &cells_of {
        let given = cells.iter().find(|(f, _)| *f == "id").map(|(_, v)| v);
        let id = match given.map(|v| v.to_lowercase().parse::<RecordId>()) {
            None => Ok((RecordId::random(), true)),
            Some(Err(_)) => Err(Reason::BadId),
            Some(Ok(id)) => Ok((id, device.show(*kind, id).is_err())),
        };
        if let Ok((id, true)) = id {
            let label = cells.iter().find(|(f, _)| *f == kind.label_field());
            own.add(*kind, id, label.map(|(_, l)| l.as_str()));
        }
        ids.push(id);
    }

    // The records each row asks for.
    let mut planned: Vec<Planned> = Vec::new();
    for ((file, kind, line, cells), id) in cells_of.into_iter().zip(ids) {
        let cells: Vec<(&'static str, String)> =
            cells.into_iter().filter(|(f, _)| *f != "id").collect();
        match id.and_then(|id| row_writes(device, kind, &cells, opts, &own, id)) {
            Ok(writes) => planned.push(Planned {
                file,
                kind,
                line,
                writes,
            }),
            Err(reason) => problems.push(Problem { file, line, reason }),
        }
    }

    // Rows that complete what an earlier import took over, then duplicates, kind by kind.
    let mut completed = 0;
    let mut duplicate = vec![false; planned.len()];
    let kinds: BTreeSet<RecordKind> = parts.iter().map(|p| p.kind).collect();
    for kind in kinds {
        let (recorded, taken) = held(device, kind)?;
        let of_kind = |p: &&Planned| p.kind == kind;
        let keyed: Vec<(usize, (String, String), String)> = planned
            .iter()
            .enumerate()
            .filter(|(_, p)| of_kind(p) && p.writes[0].create)
            .filter_map(|(i, p)| {
                let get = |f: &str| set_value(&p.writes[0].edits, f);
                let (key, date) = match kind {
                    RecordKind::Signature => ((get("person")?, get("form")?), get("signed_on")),
                    RecordKind::Application if get("decision").as_deref() == Some("accepted") => {
                        ((get("person")?, "accepted".to_owned()), get("vote_on"))
                    }
                    _ => return None,
                };
                Some((i, key, date.unwrap_or_default()))
            })
            .collect();
        let completes = completions(taken, &keyed);
        completed += completes.len();
        for (i, id) in &completes {
            let w = &mut planned[*i].writes[0];
            w.id = *id;
            w.create = false;
        }
        if opts.allow_duplicates {
            continue;
        }
        let fields = identity_fields(kind);
        let mut first: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for (i, p) in planned.iter().enumerate() {
            if !of_kind(&p) || !p.writes[0].create || completes.contains_key(&i) {
                continue;
            }
            let Some(key) = identity(kind, |f| set_value(&p.writes[0].edits, f)) else {
                continue;
            };
            let reason = if recorded.contains(&key) {
                Reason::AlreadyRecorded { kind, fields }
            } else if let Some(first) = first.get(&key) {
                Reason::SameAsLine {
                    first: *first,
                    fields,
                }
            } else {
                first.insert(key, p.line);
                continue;
            };
            duplicate[i] = true;
            problems.push(Problem {
                file: p.file,
                line: p.line,
                reason,
            });
        }
    }

    // Each record on its own, then the association's rules on every row at once.
    let mut writes: Vec<RecordWrite> = Vec::new();
    let mut line_of: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for (p, dup) in planned.into_iter().zip(duplicate) {
        if dup {
            continue;
        }
        match p
            .writes
            .iter()
            .try_for_each(|w| device.validate(w, now).map(|_| ()).map_err(Reason::Write))
        {
            Ok(()) => {
                for w in p.writes {
                    line_of.insert(w.id.to_string(), (p.file, p.line));
                    writes.push(w);
                }
            }
            Err(reason) => problems.push(Problem {
                file: p.file,
                line: p.line,
                reason,
            }),
        }
    }
    if problems.is_empty() {
        match device.check_writes(&writes, now) {
            Ok(_) => {}
            Err(WriteError::Rules { findings }) => {
                for f in findings {
                    let (file, line) = f
                        .record
                        .as_deref()
                        .and_then(|id| line_of.get(id))
                        .copied()
                        .unwrap_or((0, 0));
                    problems.push(Problem {
                        file,
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
    problems.sort_by_key(|p| (p.file, p.line));
    let files: Vec<FileSummary> = parts
        .iter()
        .map(|p| FileSummary {
            kind: p.kind,
            rows: p.table.rows.len(),
            blank_rows: p.table.blank_rows,
            fingerprint: p.fingerprint,
        })
        .collect();
    Ok(ImportPlan {
        writes,
        problems,
        rows: files.iter().map(|f| f.rows).sum(),
        blank_rows: files.iter().map(|f| f.blank_rows).sum(),
        completed,
        fingerprint: parts.first().and_then(|p| p.fingerprint),
        files,
    })
}

/// The cells of each row of a file that holds something, by line: trimmed, un-neutralised
/// (CSV), dates normalised, the display name composed; a bad cell is said through `bad` and
/// its row left out.
fn row_cells(
    part: &Part<'_>,
    opts: &ImportOptions,
    template: Option<&NameTemplate>,
    now: DateTime<Utc>,
    bad: &mut dyn FnMut(u64, Reason),
) -> Vec<(u64, Cells)> {
    let (kind, table) = (part.kind, part.table);
    let today = now.date_naive();
    let specs: Vec<Option<(&'static str, FieldType)>> = part
        .columns
        .iter()
        .map(|c| match c.as_deref() {
            Some("id") => Some(("id", FieldType::Text)),
            Some(f) => kind.field(f).map(|s| (s.name, s.ty)),
            None => None,
        })
        .collect();
    let fills_name = template.is_some() && kind.field("display_name").is_some();
    let undo_quotes = table.format.may_be_neutralised();
    let mut rows = Vec::new();
    for row in &table.rows {
        let line = row.line;
        if let Some(extra) = row
            .cells
            .iter()
            .skip(table.headers.len())
            .position(|c| !c.trim().is_empty())
        {
            bad(
                line,
                Reason::ExtraCell {
                    column: table.headers.len() + extra + 1,
                },
            );
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
                        bad(
                            line,
                            Reason::BadDate {
                                column: i + 1,
                                field: name,
                                error,
                            },
                        );
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
        rows.push((line, cells));
    }
    rows
}
