//! *Importer / Import* and *Exporter / Export*: spreadsheets in and out through the same
//! `carnet-transfer` planning as `carnet import`/`export`, written through the same checked
//! write (`Device::write_checked`).
//!
//! Import is three steps on two pages: choose the kind and upload the file (multipart, at most
//! [`MAX_UPLOAD`] bytes); see how it was read (separator, encoding, dates), the first rows, a
//! field chosen for each column (pre-filled from the header row), every bad line and every
//! duplicate, nothing written; import all rows or none. The uploaded bytes hold personal
//! values: they wait in this process's memory only, tied to the unlocked session
//! (`session::Upload`), named in the page by a random id; the file's name is not kept.
//! Export: a kind, CSV (French dialect in French, standard in English, either chosen) or
//! `.xlsx`, personal fields only when asked and only on a device that may read them; the
//! download's name holds the kind and the day, never a value.

use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use carnet_device::Device;
use carnet_model::{FieldClass, FieldType, RecordKind};
use carnet_sheets::{DateOrder, Format, NameTemplate, ReadError, ReadOptions, Table, TextEncoding};
use carnet_transfer::{ImportPlan, Reason};
use maud::{Markup, html};
use zeroize::Zeroizing;

use crate::app::{Posted, Unlocked};
use crate::error::WebError;
use crate::forms;
use crate::i18n::{Lang, Tr};
use crate::pages::admin::{admin_page, error_summary, flashed};
use crate::session::Upload;

/// The largest spreadsheet accepted (8 MiB: tens of thousands of rows).
pub(crate) const MAX_UPLOAD: usize = 8 * 1024 * 1024;

/// The request body limit of the upload: beyond the file's limit, so that a file somewhat too
/// large is still read to its end and refused with a message rather than a cut connection.
pub(crate) const MAX_UPLOAD_BODY: usize = 3 * MAX_UPLOAD;

/// How many rows the preview shows.
const PREVIEW_ROWS: usize = 5;

/// Refusals by field id (`file`, `kind`, `col-3`, `joined_before`…).
type Errors = Vec<(String, String)>;

/// A column's letter as a spreadsheet shows it (1 → A, 27 → AA).
fn letter(column: usize) -> String {
    let mut n = column;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn kind_label(tr: Tr<'_>, kind: RecordKind) -> String {
    tr.t(&crate::keys::kind_key(kind))
}

fn kind_select(tr: Tr<'_>, chosen: RecordKind) -> Markup {
    html! {
        div.field {
            label for="kind" { (tr.t("transfer-kind")) }
            select id="kind" name="kind" {
                @for k in RecordKind::ALL {
                    option value=(k.to_string()) selected[k == chosen] { (kind_label(tr, k)) }
                }
            }
        }
    }
}

/// What the import of a file asks beyond its bytes: the kind, the field of each column, and
/// the command line's `--delimiter`, `--sheet`, `--date-format`, `--joined-before`,
/// `--display-name` and `--allow-duplicates`, as typed (kept as they are when the page comes
/// back).
#[derive(Debug, Clone)]
struct Settings {
    kind: RecordKind,
    read: ReadOptions,
    columns: Vec<Option<String>>,
    ymd: bool,
    joined_before: String,
    display_name: String,
    allow_duplicates: bool,
}

impl Settings {
    fn guessed(kind: RecordKind, table: &Table) -> Settings {
        Settings {
            kind,
            read: ReadOptions::default(),
            columns: carnet_transfer::guess_columns(kind, &table.headers),
            ymd: false,
            joined_before: String::new(),
            display_name: String::new(),
            allow_duplicates: false,
        }
    }

    /// The settings a form posted; columns the table does not have are dropped, fields the kind
    /// does not have are ignored. When the table's header row is not the one the form was made
    /// for (another file, another separator), the columns are matched again from it.
    fn posted(fields: &[(String, String)], table: &Table) -> Option<Settings> {
        let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let kind: RecordKind = get("kind")?.parse().ok()?;
        let names = kind.field_names();
        let columns = if get("layout") == Some(layout(table).as_str()) {
            (0..table.headers.len())
                .map(|i| {
                    get(&format!("col-{i}"))
                        .filter(|f| *f == "id" || names.contains(f))
                        .map(str::to_owned)
                })
                .collect()
        } else {
            carnet_transfer::guess_columns(kind, &table.headers)
        };
        Some(Settings {
            kind,
            read: read_options(fields),
            columns,
            ymd: get("date_order") == Some("ymd"),
            joined_before: get("joined_before").unwrap_or("").trim().to_owned(),
            display_name: get("display_name").unwrap_or("").trim().to_owned(),
            allow_duplicates: get("allow_duplicates").is_some(),
        })
    }

    fn order(&self) -> DateOrder {
        if self.ymd {
            DateOrder::Ymd
        } else {
            DateOrder::Dmy
        }
    }

    /// The hidden fields that carry these settings through a new upload (a corrected file).
    fn hidden(&self, table: &Table) -> Markup {
        html! {
            input type="hidden" name="layout" value=(layout(table));
            @for (i, c) in self.columns.iter().enumerate() {
                input type="hidden" name=(format!("col-{i}")) value=(c.as_deref().unwrap_or(""));
            }
            input type="hidden" name="date_order" value=(if self.ymd { "ymd" } else { "dmy" });
            input type="hidden" name="delimiter" value=(delimiter_word(self.read.delimiter));
            input type="hidden" name="sheet" value=(self.read.sheet.as_deref().unwrap_or(""));
            input type="hidden" name="joined_before" value=(self.joined_before);
            input type="hidden" name="display_name" value=(self.display_name);
            @if self.allow_duplicates { input type="hidden" name="allow_duplicates" value="yes"; }
        }
    }
}

/// How a form says which separator to read a CSV file with (`""`: detected).
fn read_options(fields: &[(String, String)]) -> ReadOptions {
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    ReadOptions {
        delimiter: match get("delimiter") {
            Some(";") => Some(b';'),
            Some(",") => Some(b','),
            Some("tab") => Some(b'\t'),
            _ => None,
        },
        sheet: get("sheet").filter(|s| !s.is_empty()).map(str::to_owned),
    }
}

/// The form's word for a separator.
fn delimiter_word(d: Option<u8>) -> &'static str {
    match d {
        Some(b';') => ";",
        Some(b',') => ",",
        Some(b'\t') => "tab",
        _ => "",
    }
}

/// The header row, to know whether a new file has the columns of the last one (whose choices
/// then carry over).
fn layout(table: &Table) -> String {
    table
        .headers
        .iter()
        .map(|h| carnet_sheets::fold(h))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// A file that could not be read, in the page's language.
fn read_error(tr: Tr<'_>, e: &ReadError) -> String {
    match e {
        ReadError::Empty => tr.t("import-read-empty"),
        ReadError::Csv { line, .. } => tr.ta("import-read-csv", &[("line", line.to_string())]),
        ReadError::MixedEncoding { line } => {
            tr.ta("import-read-mixed", &[("line", line.to_string())])
        }
        ReadError::NoSuchSheet { .. } | ReadError::NoSheet => tr.t("import-read-nosheet"),
        ReadError::Json { line, .. } => tr.ta("import-read-json", &[("line", line.to_string())]),
        ReadError::CellError { line, column } => tr.ta(
            "import-read-cell",
            &[("line", line.to_string()), ("column", letter(*column))],
        ),
        _ => tr.t("import-read-workbook"),
    }
}

/// A bad line's reason, in the page's language.
fn reason(tr: Tr<'_>, kind: RecordKind, r: &Reason) -> String {
    let field = |f: &str| tr.t(&forms::label_key(kind, f));
    match r {
        Reason::ExtraCell { column } => tr.ta("import-extra-cell", &[("column", letter(*column))]),
        Reason::BadDate {
            column, field: f, ..
        } => tr.ta(
            "import-bad-date",
            &[("column", letter(*column)), ("field", field(f))],
        ),
        Reason::FileImported { at, .. } => tr.ta(
            "import-file-imported",
            &[("date", tr.date(at.date_naive()))],
        ),
        Reason::AlreadyRecorded { .. } if kind == RecordKind::Member => tr.t("import-dup-recorded"),
        Reason::SameAsLine { first, .. } if kind == RecordKind::Member => {
            tr.ta("import-dup-line", &[("first", first.to_string())])
        }
        Reason::AlreadyRecorded { fields, .. } => tr.ta(
            "import-dup-recorded-fields",
            &[(
                "fields",
                fields
                    .iter()
                    .map(|f| field(f))
                    .collect::<Vec<_>>()
                    .join(", "),
            )],
        ),
        Reason::SameAsLine { first, fields } => tr.ta(
            "import-dup-line-fields",
            &[
                ("first", first.to_string()),
                (
                    "fields",
                    fields
                        .iter()
                        .map(|f| field(f))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
        Reason::BadId => tr.t("import-bad-id"),
        Reason::NoField => tr.t("import-no-field"),
        Reason::JoinedUnknown => tr.t("import-joined-unknown"),
        Reason::Reference {
            field: f, target, ..
        } => tr.ta(
            "import-reference",
            &[("field", field(f)), ("kind", kind_label(tr, *target))],
        ),
        Reason::Edit(e) => forms::edit_error(tr, kind, e).1,
        Reason::Write(e) => forms::write_error(tr, kind, e)
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join(" "),
        Reason::Rule { rule, .. } => forms::rule_message(tr, *rule),
    }
}

/// How the file was read, in words: its kind, separator and encoding.
fn format_words(tr: Tr<'_>, format: Format, ext: &str) -> Vec<String> {
    match format {
        Format::Csv {
            delimiter,
            encoding,
        } => {
            let sep = separator_words(tr, delimiter);
            let enc = match encoding {
                TextEncoding::Utf8 => "UTF-8",
                TextEncoding::Windows1252 => "Windows-1252 (Latin-1)",
                TextEncoding::Utf16 => "UTF-16",
            };
            vec![
                tr.t("import-format-csv"),
                tr.ta("import-separator", &[("sep", sep)]),
                tr.ta("import-encoding", &[("enc", enc.to_owned())]),
            ]
        }
        Format::Workbook => vec![tr.ta(
            "import-format-workbook",
            &[("ext", ext.trim_start_matches('.').to_owned())],
        )],
        Format::Json => vec![tr.t("import-format-json")],
    }
}

/// A separator in words ("point-virgule « ; »").
fn separator_words(tr: Tr<'_>, delimiter: u8) -> String {
    match delimiter {
        b';' => tr.t("import-sep-semicolon"),
        b',' => tr.t("import-sep-comma"),
        b'\t' => tr.t("import-sep-tab"),
        other => format!("« {} »", other as char),
    }
}

/// How the date columns are written: `DD/MM/YYYY`-like, ISO, both, or no date at all.
fn date_words(tr: Tr<'_>, table: &Table, s: &Settings) -> String {
    let (mut iso, mut other) = (false, false);
    for (i, c) in s.columns.iter().enumerate() {
        let is_date = c
            .as_deref()
            .and_then(|f| s.kind.field(f))
            .is_some_and(|f| f.ty == FieldType::Date);
        if !is_date {
            continue;
        }
        for row in &table.rows {
            let cell = row.cells.get(i).map(|c| c.trim()).unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            let b = cell.as_bytes();
            let year_first = b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
            if year_first { iso = true } else { other = true }
        }
    }
    let dmy = if s.ymd {
        tr.t("import-dates-ymd")
    } else {
        tr.t("import-dates-dmy")
    };
    match (iso, other) {
        (false, false) => tr.t("import-dates-none"),
        (true, false) if table.format == Format::Workbook => tr.t("import-dates-cells"),
        (true, false) => tr.t("import-dates-iso"),
        (false, true) => dmy,
        (true, true) => format!("{dmy}, {}", tr.t("import-dates-iso")),
    }
}

/// The upload form (a kind and a file), alone on `/import` or under the check page for a
/// corrected file (then carrying the settings chosen).
fn upload_form(
    u: &Unlocked,
    kind: RecordKind,
    errors: &Errors,
    carry: Option<Markup>,
    again: Option<&str>,
) -> Markup {
    let tr = u.tr();
    let e = errors.iter().find(|(f, _)| f == "file").map(|(_, m)| m);
    html! {
        form method="post" action="/import" enctype="multipart/form-data" id="upload-form" {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            @if let Some(c) = carry { (c) }
            (kind_select(tr, kind))
            div class=(if e.is_some() { "field has-error" } else { "field" }) {
                label for="file" { (tr.t(again.unwrap_or("import-file"))) }
                p.hint id="file-hint" {
                    (tr.ta("import-file-hint", &[("mb", (MAX_UPLOAD / (1024 * 1024)).to_string())]))
                }
                @if let Some(e) = e { p.error-message id="file-error" { (e) } }
                input type="file" id="file" name="file" aria-describedby="file-hint"
                    accept=".csv,.txt,.tsv,.xlsx,.xlsm,.xls,.ods,.json,text/csv";
            }
            button type="submit" id="read-file" class=[again.map(|_| "secondary")] {
                (tr.t("import-read"))
            }
        }
    }
}

/// `GET /import`.
pub(crate) async fn import_page(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    let body = html! {
        (flashed(&u))
        p { (tr.t("import-intro")) }
        (upload_form(&u, RecordKind::Member, &vec![], None, None))
    };
    Ok(admin_page(
        &u,
        "import-title",
        "/import",
        StatusCode::OK,
        body,
    ))
}

/// The upload form's page again, with its refusals.
fn upload_refused(u: &Unlocked, kind: RecordKind, errors: Errors) -> Response {
    let tr = u.tr();
    let body = html! {
        (error_summary(tr, &errors))
        p { (tr.t("import-intro")) }
        (upload_form(u, kind, &errors, None, None))
    };
    admin_page(
        u,
        "import-title",
        "/import",
        StatusCode::UNPROCESSABLE_ENTITY,
        body,
    )
}

/// `POST /import` (multipart): the file is read, kept in memory for this session, and the
/// check page shows how it was read and what importing it would do.
pub(crate) async fn upload(u: Unlocked, mut parts: Multipart) -> Result<Response, WebError> {
    let tr = u.tr();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut bytes = Zeroizing::new(Vec::new());
    let mut ext = String::new();
    let mut too_big = false;
    let mut got_file = false;
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_big = true;
                break;
            }
            Err(_) => return Err(WebError::BadForm),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            got_file = true;
            // Only what the name ends with is kept: the name may say whom the file is about.
            ext = field
                .file_name()
                .and_then(|n| n.rsplit_once('.'))
                .map(|(_, e)| format!(".{}", e.to_lowercase()))
                .filter(|e| e.len() <= 6 && e[1..].bytes().all(|b| b.is_ascii_alphanumeric()))
                .unwrap_or_default();
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if bytes.len() + chunk.len() > MAX_UPLOAD {
                            too_big = true;
                        } else if !too_big {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        too_big = true;
                        break;
                    }
                    Err(_) => return Err(WebError::BadForm),
                }
            }
        } else {
            let text = field.text().await.map_err(|_| WebError::BadForm)?;
            fields.push((name, text));
        }
    }
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    if !token.is_some_and(|t| crate::session::same(t, &u.info.session.csrf)) {
        return Err(WebError::CrossSite);
    }
    let kind = fields
        .iter()
        .find(|(k, _)| k == "kind")
        .and_then(|(_, v)| v.parse::<RecordKind>().ok())
        .unwrap_or(RecordKind::Member);
    let refuse =
        |key: &str, args: &[(&str, String)]| -> Errors { vec![("file".into(), tr.ta(key, args))] };
    if too_big {
        bytes.clear();
        let mb = (MAX_UPLOAD / (1024 * 1024)).to_string();
        return Ok(upload_refused(
            &u,
            kind,
            refuse("import-too-big", &[("mb", mb)]),
        ));
    }
    if !got_file || bytes.is_empty() {
        return Ok(upload_refused(&u, kind, refuse("import-no-file", &[])));
    }
    let name = format!("upload{ext}");
    // A corrected file is read as the last one was (separator, sheet), else as detected.
    let carried = read_options(&fields);
    let table = match carnet_sheets::read_table(&bytes, &name, &carried)
        .or_else(|_| carnet_sheets::read_table(&bytes, &name, &ReadOptions::default()))
    {
        Ok(t) => t,
        Err(e) => {
            return Ok(upload_refused(
                &u,
                kind,
                vec![("file".into(), read_error(tr, &e))],
            ));
        }
    };
    // A corrected file with the columns of the last one keeps the choices made for it.
    let settings = Settings::posted(&fields, &table)
        .filter(|s| s.kind == kind)
        .unwrap_or_else(|| Settings::guessed(kind, &table));
    let fingerprint = carnet_transfer::Fingerprint::of(&bytes);
    let upload = Upload {
        id: crate::session::token(),
        ext,
        bytes,
        at: std::time::Instant::now(),
    };
    let id = upload.id.clone();
    u.app
        .sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .set_upload(&u.info.id, upload);
    check_and_show(
        &u,
        (id, fingerprint),
        table,
        format_ext(&name),
        settings,
        false,
    )
    .await
}

fn format_ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| format!(".{e}"))
        .unwrap_or_default()
}

/// `POST /import/check`: the choices made on the check page, checked again (`action=check`)
/// or imported (`action=import`) when no line is bad.
pub(crate) async fn check(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let tr = u.tr();
    let id = form.get("upload").unwrap_or("").to_owned();
    let upload = u
        .app
        .sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .upload(&u.info.id, &id);
    let kind = form
        .get("kind")
        .and_then(|k| k.parse().ok())
        .unwrap_or(RecordKind::Member);
    let Some(upload) = upload else {
        return Ok(upload_refused(
            &u,
            kind,
            vec![("file".into(), tr.t("import-gone"))],
        ));
    };
    let name = format!("upload{}", upload.ext);
    let table = carnet_sheets::read_table(&upload.bytes, &name, &read_options(&form.fields))
        .or_else(|_| carnet_sheets::read_table(&upload.bytes, &name, &ReadOptions::default()))
        .map_err(|_| WebError::Internal("a kept upload no longer reads"))?;
    let settings = Settings::posted(&form.fields, &table).ok_or(WebError::BadForm)?;
    let go = form.get("action") == Some("import");
    let fingerprint = carnet_transfer::Fingerprint::of(&upload.bytes);
    check_and_show(
        &u,
        (id, fingerprint),
        table,
        upload.ext.clone(),
        settings,
        go,
    )
    .await
}

/// What checking the settings found: refusals of the settings themselves, and the plan.
struct Checked {
    errors: Errors,
    plan: Option<ImportPlan>,
    /// The fields this device may write (the columns' choices).
    writable: Vec<&'static str>,
    /// Columns matched to a field this device may not write, said in words.
    unwritable: Vec<String>,
}

/// Checks `settings` against the table and plans the import; imports when `go` and nothing
/// is wrong (then redirects to the records with the summary); otherwise shows the check page.
/// `(upload, fingerprint)`: the kept upload's id and its bytes' fingerprint.
async fn check_and_show(
    u: &Unlocked,
    (upload, fingerprint): (String, carnet_transfer::Fingerprint),
    table: Table,
    ext: String,
    settings: Settings,
    go: bool,
) -> Result<Response, WebError> {
    u.with_device(move |u, device| {
        check_on(
            u,
            device,
            (&upload, fingerprint),
            &table,
            &ext,
            settings,
            go,
        )
    })
    .await
}

/// [`check_and_show`]'s work, on the blocking pool with the device.
fn check_on(
    u: &Unlocked,
    device: &mut Device,
    (upload, fingerprint): (&str, carnet_transfer::Fingerprint),
    table: &Table,
    ext: &str,
    settings: Settings,
    go: bool,
) -> Result<Response, WebError> {
    let tr = u.tr();
    let now = u.app.now();
    let kind = settings.kind;
    let mut errors: Errors = vec![];
    // A field filled by two columns: said at the second.
    let mut seen: Vec<&str> = vec![];
    for (i, c) in settings.columns.iter().enumerate() {
        if let Some(f) = c.as_deref() {
            if seen.contains(&f) {
                errors.push((
                    column_id(i),
                    tr.ta(
                        "import-twice",
                        &[
                            ("column", letter(i + 1)),
                            ("field", field_label(tr, kind, f)),
                        ],
                    ),
                ));
            }
            seen.push(f);
        }
    }
    if settings.columns.iter().all(Option::is_none) {
        errors.push((column_id(0), tr.t("import-no-column")));
    }
    let joined_before = match settings.joined_before.as_str() {
        "" => None,
        d => match carnet_sheets::normalise_date(d, settings.order(), now.date_naive()) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(("joined_before".into(), tr.t("import-joined-before-bad")));
                None
            }
        },
    };
    let template = match settings.display_name.as_str() {
        "" => None,
        t => match NameTemplate::parse(t, &table.headers) {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(("display_name".into(), tr.t("import-display-name-bad")));
                None
            }
        },
    };
    // Only fields this device may write are offered; a column matched to another is left out,
    // and said so.
    let registry = device.registry().ok_or(WebError::Internal("no registry"))?;
    let me = device.id();
    let writable: Vec<&'static str> = kind
        .fields()
        .iter()
        .filter(|f| registry.access(&me, f.class).can_write())
        .map(|f| f.name)
        .collect();
    let mut settings = settings;
    let mut unwritable = vec![];
    for (i, c) in settings.columns.iter_mut().enumerate() {
        if let Some(f) = c.as_deref()
            && f != "id"
            && !writable.contains(&f)
        {
            unwritable.push(tr.ta(
                "import-unwritable",
                &[
                    ("column", letter(i + 1)),
                    ("field", field_label(tr, kind, f)),
                ],
            ));
            *c = None;
        }
    }
    let mut checked = Checked {
        errors,
        plan: None,
        writable,
        unwritable,
    };
    if checked.errors.is_empty() {
        let opts = carnet_transfer::ImportOptions {
            date_order: settings.order(),
            joined_before,
            display_name: template,
            allow_duplicates: settings.allow_duplicates,
            choice_word: Some(crate::choice_word),
            fingerprint: Some(fingerprint),
        };
        let plan = carnet_transfer::plan(device, kind, table, &settings.columns, &opts, now)
            .map_err(|e| match e {
                carnet_transfer::ImportError::Read(e) => WebError::Read(e),
                carnet_transfer::ImportError::Write(_) => WebError::Internal("checking the import"),
            })?;
        if go && plan.problems.is_empty() {
            let written = device.write_checked(&plan.writes, now).and_then(|written| {
                if let Some(fingerprint) = plan.fingerprint {
                    carnet_transfer::remember_import(device, kind, fingerprint, now)?;
                }
                Ok(written)
            });
            match written {
                Ok(written) => {
                    u.app
                        .sessions
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .drop_upload(&u.info.id);
                    let mut done = done_message(tr, kind, plan.rows);
                    if plan.taken_over() > 0 {
                        done.push(' ');
                        done.push_str(&tr.ta(
                            "import-done-taken-over",
                            &[("n", plan.taken_over().to_string())],
                        ));
                    }
                    if plan.blank_rows > 0 {
                        done.push(' ');
                        done.push_str(
                            &tr.ta("import-blank", &[("n", plan.blank_rows.to_string())]),
                        );
                    }
                    let mut messages = vec![done];
                    messages.extend(
                        written
                            .warnings
                            .iter()
                            .map(|w| forms::rule_warning(tr, w.rule)),
                    );
                    u.app
                        .sessions
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .flash(&u.info.id, messages);
                    let to = match crate::pages::records::segment(kind) {
                        Some(seg) => format!("/{seg}"),
                        None => "/import".to_owned(),
                    };
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => {
                    for (_, m) in forms::write_error(tr, kind, &e) {
                        checked.errors.push(("problems".into(), m));
                    }
                }
            }
        }
        checked.plan = Some(plan);
    }
    let body = check_body(u, upload, table, ext, &settings, &checked);
    let status = if checked.errors.is_empty()
        && checked.plan.as_ref().is_some_and(|p| p.problems.is_empty())
    {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(admin_page(u, "import-check-title", "/import", status, body))
}

/// "12 membres importés" (members), or "12 fiches importées (Projet)".
fn done_message(tr: Tr<'_>, kind: RecordKind, n: usize) -> String {
    match kind {
        RecordKind::Member => tr.ta("import-done-member", &[("n", n.to_string())]),
        k => tr.ta(
            "import-done",
            &[("n", n.to_string()), ("kind", kind_label(tr, k))],
        ),
    }
}

fn column_id(i: usize) -> String {
    format!("col-{i}")
}

fn field_label(tr: Tr<'_>, kind: RecordKind, field: &str) -> String {
    if field == "id" {
        tr.t("import-field-id")
    } else {
        tr.t(&forms::label_key(kind, field))
    }
}

/// The check page: how the file was read, the first rows with a field chosen per column, the
/// options, every bad line, and the import button when nothing is wrong.
fn check_body(
    u: &Unlocked,
    upload: &str,
    table: &Table,
    ext: &str,
    s: &Settings,
    checked: &Checked,
) -> Markup {
    let tr = u.tr();
    let kind = s.kind;
    let plan = checked.plan.as_ref();
    let problems = plan.map(|p| p.problems.as_slice()).unwrap_or(&[]);
    // Lines that look like duplicates (a file imported before is said on its own).
    let duplicates = problems
        .iter()
        .filter(|p| p.line > 0 && p.reason.is_duplicate())
        .count();
    let mut summary = checked.errors.clone();
    if !problems.is_empty() {
        summary.push((
            "problems".into(),
            tr.ta(
                "import-bad-lines",
                &[
                    (
                        "n",
                        plan.map(ImportPlan::bad_lines).unwrap_or(0).to_string(),
                    ),
                    ("rows", table.rows.len().to_string()),
                ],
            ),
        ));
    }
    let err = |id: &str| {
        checked
            .errors
            .iter()
            .find(|(f, _)| f == id)
            .map(|(_, m)| m.clone())
    };
    let fields: Vec<(&str, String)> = std::iter::once(("id", field_label(tr, kind, "id")))
        .chain(
            kind.fields()
                .iter()
                .filter(|f| checked.writable.contains(&f.name))
                .map(|f| (f.name, field_label(tr, kind, f.name))),
        )
        .collect();
    let ready = checked.errors.is_empty() && plan.is_some_and(|p| p.problems.is_empty());
    let is_member = kind == RecordKind::Member;
    html! {
        (error_summary(tr, &summary))
        section.record-section id="file-read" {
            h2 { (tr.t("import-how-read")) }
            ul {
                @for w in format_words(tr, table.format, ext) { li { (w) } }
                li { (tr.ta("import-rows", &[("n", table.rows.len().to_string())])) }
                @if table.blank_rows > 0 {
                    li { (tr.ta("import-blank", &[("n", table.blank_rows.to_string())])) }
                }
                li id="dates-read" { (tr.ta("import-dates", &[("how", date_words(tr, table, s))])) }
            }
        }
        form method="post" action="/import/check" id="check-form" novalidate {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            input type="hidden" name="upload" value=(upload);
            input type="hidden" name="kind" value=(kind.to_string());
            input type="hidden" name="layout" value=(layout(table));
            section.record-section id="columns" {
                h2 { (tr.ta("import-columns", &[("kind", kind_label(tr, kind))])) }
                p.hint { (tr.t("import-columns-hint")) }
                @if !checked.unwritable.is_empty() {
                    ul.notice id="unwritable" { @for m in &checked.unwritable { li { (m) } } }
                }
                div.table-wrap {
                    table.preview id="preview" {
                        thead {
                            tr {
                                th scope="col" { (tr.t("import-line")) }
                                @for (i, h) in table.headers.iter().enumerate() {
                                    @let id = column_id(i);
                                    @let e = err(&id);
                                    th scope="col" class=(if e.is_some() { "has-error" } else { "" }) {
                                        label for=(format!("col-{i}")) {
                                            span.column { (letter(i + 1)) } " " (h)
                                        }
                                        @if let Some(e) = &e { p.error-message id=(format!("{id}-error")) { (e) } }
                                        select id=(format!("col-{i}")) name=(format!("col-{i}")) {
                                            option value="" selected[s.columns.get(i).is_none_or(Option::is_none)] {
                                                (tr.t("import-ignore"))
                                            }
                                            @for (f, label) in &fields {
                                                option value=(f) selected[s.columns.get(i).and_then(|c| c.as_deref()) == Some(*f)] {
                                                    (label)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        tbody {
                            @for row in table.rows.iter().take(PREVIEW_ROWS) {
                                @let bad = problems.iter().any(|p| p.line == row.line);
                                tr class=[bad.then_some("bad-row")] {
                                    th scope="row" {
                                        (row.line)
                                        @if bad { " " span.tag.block { (tr.t("import-to-fix")) } }
                                    }
                                    @for i in 0..table.headers.len() {
                                        td { (row.cells.get(i).map(String::as_str).unwrap_or("")) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if table.rows.len() > PREVIEW_ROWS {
                    p.hint { (tr.ta("import-preview-more", &[("n", (table.rows.len() - PREVIEW_ROWS).to_string())])) }
                }
            }
            section.record-section id="options" {
                h2 { (tr.t("import-options")) }
                @if let Format::Csv { delimiter, .. } = table.format {
                    @let chosen = delimiter_word(s.read.delimiter);
                    div.field {
                        label for="delimiter" { (tr.t("import-delimiter")) }
                        p.hint id="delimiter-hint" { (tr.t("import-delimiter-hint")) }
                        select id="delimiter" name="delimiter" aria-describedby="delimiter-hint" {
                            option value="" selected[chosen.is_empty()] {
                                (tr.ta("import-delimiter-detected", &[("sep", separator_words(tr, delimiter))]))
                            }
                            @for (value, b) in [(";", b';'), (",", b','), ("tab", b'\t')] {
                                option value=(value) selected[chosen == value] { (separator_words(tr, b)) }
                            }
                        }
                    }
                }
                @if table.sheets.len() > 1 {
                    @let chosen = s.read.sheet.as_deref().unwrap_or(table.sheets[0].as_str());
                    div.field {
                        label for="sheet" { (tr.t("import-sheet")) }
                        p.hint id="sheet-hint" { (tr.t("import-sheet-hint")) }
                        select id="sheet" name="sheet" aria-describedby="sheet-hint" {
                            @for name in &table.sheets {
                                option value=(name) selected[carnet_sheets::fold(name) == carnet_sheets::fold(chosen)] { (name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="date_order" { (tr.t("import-date-order")) }
                    p.hint id="date_order-hint" { (tr.t("import-date-order-hint")) }
                    select id="date_order" name="date_order" aria-describedby="date_order-hint" {
                        option value="dmy" selected[!s.ymd] { (tr.t("import-dates-dmy")) }
                        option value="ymd" selected[s.ymd] { (tr.t("import-dates-ymd")) }
                    }
                }
                @if is_member {
                    @let e = err("joined_before");
                    div class=(if e.is_some() { "field has-error" } else { "field" }) {
                        label for="joined_before" { (tr.t("import-joined-before")) }
                        p.hint id="joined_before-hint" { (tr.t("import-joined-before-hint")) }
                        @if let Some(e) = &e { p.error-message id="joined_before-error" { (e) } }
                        input.date type="text" id="joined_before" name="joined_before" value=(s.joined_before)
                            inputmode="numeric" autocomplete="off" aria-describedby="joined_before-hint";
                    }
                }
                @if kind.field("display_name").is_some() {
                    @let e = err("display_name");
                    div class=(if e.is_some() { "field has-error" } else { "field" }) {
                        label for="display_name" { (tr.t("import-display-name")) }
                        p.hint id="display_name-hint" { (tr.t("import-display-name-hint")) }
                        @if let Some(e) = &e { p.error-message id="display_name-error" { (e) } }
                        input.long type="text" id="display_name" name="display_name" value=(s.display_name)
                            autocomplete="off" aria-describedby="display_name-hint";
                    }
                }
                @if is_member {
                    div.field {
                        ul.checks.wide {
                            li {
                                input type="checkbox" id="allow_duplicates" name="allow_duplicates" value="yes"
                                    checked[s.allow_duplicates] aria-describedby="allow_duplicates-hint";
                                label for="allow_duplicates" { (tr.t("import-allow-duplicates")) }
                            }
                        }
                        p.hint id="allow_duplicates-hint" { (tr.t("import-allow-duplicates-hint")) }
                    }
                }
            }
            section.record-section id="problems" {
                h2 { (tr.t("import-result")) }
                @if let Some(plan) = plan {
                    @if problems.is_empty() && checked.errors.is_empty() {
                        p.ready id="ready" {
                            (tr.ta("import-ready", &[("n", plan.rows.to_string())]))
                            @if plan.taken_over() > 0 {
                                " " (tr.ta("import-ready-taken-over", &[("n", plan.taken_over().to_string())]))
                            }
                        }
                        p.hint { (tr.t("import-nothing-yet")) }
                    } @else if !problems.is_empty() {
                        p { (tr.ta("import-bad-lines", &[("n", plan.bad_lines().to_string()), ("rows", plan.rows.to_string())])) }
                        @if duplicates > 0 {
                            p.notice id="duplicates" {
                                (tr.ta("import-duplicates", &[("n", duplicates.to_string())]))
                            }
                        }
                        ul.problems id="problem-list" {
                            @for p in problems {
                                li {
                                    @if p.line > 0 {
                                        strong { (tr.ta("import-line-n", &[("line", p.line.to_string())])) }
                                        " "
                                    }
                                    (reason(tr, kind, &p.reason))
                                }
                            }
                        }
                    }
                } @else {
                    p { (tr.t("import-fix-choices")) }
                }
                @for (f, m) in &checked.errors {
                    @if f == "problems" { p.error-message { (m) } }
                }
            }
            button.secondary type="submit" name="action" value="check" id="check-again" {
                (tr.t("import-check-again"))
            }
            @if ready {
                @if let Some(plan) = plan {
                    button type="submit" name="action" value="import" id="import-button" {
                        (tr.ta("import-button", &[("n", plan.rows.to_string())]))
                    }
                }
            }
        }
        section.record-section id="corrected" {
            h2 { (tr.t(if ready { "import-other" } else { "import-corrected" })) }
            p.hint { (tr.t(if ready { "import-other-hint" } else { "import-corrected-hint" })) }
            (upload_form(u, kind, &vec![], Some(s.hidden(table)),
                Some(if ready { "import-file-other" } else { "import-file-again" })))
        }
    }
}

/// `GET /export`.
pub(crate) async fn export_page(u: Unlocked) -> Result<Response, WebError> {
    let tr = u.tr();
    // Personal fields are offered only where this device may read some (its role and agreement).
    let may_personal = u
        .with_device(|_, device| {
            Ok([FieldClass::Per, FieldClass::Gov, FieldClass::Sec]
                .into_iter()
                .any(|c| device.can_read(c)))
        })
        .await?;
    let french = tr.lang == Lang::Fr;
    let formats = [
        ("csv-french", "export-csv-french", french),
        ("csv-standard", "export-csv-standard", !french),
        ("xlsx", "export-xlsx", false),
    ];
    let body = html! {
        p { (tr.t("export-intro")) }
        form method="post" action="/export" id="export-form" {
            input type="hidden" name="csrf" value=(u.info.session.csrf);
            (kind_select(tr, RecordKind::Member))
            div.field {
                fieldset id="format" {
                    legend { (tr.t("export-format")) }
                    ul.checks.wide {
                        @for (value, label, chosen) in formats {
                            li {
                                input type="radio" id=(format!("format-{value}")) name="format" value=(value) checked[chosen];
                                label for=(format!("format-{value}")) { (tr.t(label)) }
                            }
                        }
                    }
                }
            }
            @if may_personal {
                div.field {
                    ul.checks.wide {
                        li {
                            input type="checkbox" id="personal" name="personal" value="yes" aria-describedby="personal-hint";
                            label for="personal" { (tr.t("export-personal")) }
                        }
                    }
                    p.hint.notice id="personal-hint" { (tr.t("export-personal-hint")) }
                }
            }
            button type="submit" id="export-button" { (tr.t("export-button")) }
        }
    };
    Ok(admin_page(
        &u,
        "export-title",
        "/export",
        StatusCode::OK,
        body,
    ))
}

/// `POST /export`: the file, named by its kind and the day only; never stored by the browser's
/// cache (`no-store`, as every response).
pub(crate) async fn export(u: Unlocked, form: Posted) -> Result<Response, WebError> {
    let kind: RecordKind = form
        .get("kind")
        .and_then(|k| k.parse().ok())
        .ok_or(WebError::BadForm)?;
    let personal = form.get("personal") == Some("yes");
    let format = form.get("format").unwrap_or("csv-french");
    let sheet = u
        .with_device(move |_, device| {
            if personal {
                device.note_export(kind)?;
            }
            Ok(carnet_transfer::export_sheet(device, kind, personal)?)
        })
        .await?;
    let (bytes, content_type, ext) = match format {
        "xlsx" => (
            carnet_sheets::write_xlsx(&sheet, &kind.to_string()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "csv-standard" => (
            carnet_sheets::write_csv(&sheet, carnet_sheets::Dialect::Standard),
            "text/csv; charset=utf-8",
            "csv",
        ),
        "csv-french" => (
            carnet_sheets::write_csv(&sheet, carnet_sheets::Dialect::French),
            "text/csv; charset=utf-8",
            "csv",
        ),
        _ => return Err(WebError::BadForm),
    };
    let bytes = bytes.map_err(|_| WebError::Internal("cannot write the spreadsheet"))?;
    let day = u.app.now().date_naive().format("%Y-%m-%d");
    let disposition = format!("attachment; filename=\"carnet-{kind}-{day}.{ext}\"");
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
