//! The `csv_import` target: the reading side of `carnet import` — `carnet_sheets::read_table`
//! on a file's bytes and name (CSV with its separator and encoding detected, JSON, workbooks),
//! the columns matched to a record kind's fields, dates read as people write them — and CSV
//! written by `carnet_sheets::write_csv` read back.

use carnet_model::RecordKind;
use carnet_sheets::{
    DateOrder, Dialect, Format, NameTemplate, ReadOptions, Sheet, Table, TextEncoding, map_columns,
    normalise_date, read_table, unneutralise, write_csv,
};
use chrono::NaiveDate;

use crate::targets::guard;

/// File names (input byte 0, bits 0–1): the name says CSV, JSON or workbook (a zip or OLE file
/// is read as a workbook whatever its name).
pub const NAMES: [&str; 4] = ["membres.csv", "export.txt", "export.json", "classeur.xlsx"];

/// Separators given (`--delimiter`; input byte 0, bits 2–3): none (detected), `;`, `,`, tab.
pub const DELIMITERS: [Option<u8>; 4] = [None, Some(b';'), Some(b','), Some(b'\t')];

/// How many cells are read as dates per input.
const DATE_CELLS: usize = 64;

/// Input: byte 0 chooses the file name ([`NAMES`]), the separator ([`DELIMITERS`]) and, in
/// its high four bits, the record kind whose fields the headers are matched to; the rest is
/// the file. Checks that nothing panics; that reading is deterministic; that the header row
/// and every row hold a non-blank cell; that rows come after the header row in the order of
/// the file (their lines strictly increasing in CSV and workbooks, where a row is one line,
/// never decreasing in JSON, where objects may share a line); that a separator given is the
/// one used; that matched columns name the kind's fields (or `id`), each at most once; that a
/// date read is a calendar day in `YYYY-MM-DD`, read again as itself; that a display-name
/// template renders a row; and that the table written as CSV by `write_csv` (in either
/// dialect) reads back to the same headers and cells, one line per row, no blank row.
pub fn csv_import(data: &[u8]) {
    guard(|| csv_import_body(data));
}

fn csv_import_body(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(flags & 3)];
    let delimiter = DELIMITERS[usize::from((flags >> 2) & 3)];
    let kind = RecordKind::ALL[usize::from(flags >> 4) % RecordKind::ALL.len()];
    let options = ReadOptions {
        delimiter,
        sheet: None,
    };
    let first = read_table(bytes, name, &options);
    let again = read_table(bytes, name, &options);
    match (&first, &again) {
        (Ok(a), Ok(b)) => assert_eq!(summary(a), summary(b), "reading is not deterministic"),
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "reading is not deterministic")
        }
        _ => panic!("reading is not deterministic"),
    }
    let Ok(table) = first else {
        return;
    };
    check_table(&table);
    if let (
        Format::Csv {
            delimiter: used, ..
        },
        Some(given),
    ) = (table.format, delimiter)
    {
        assert_eq!(used, given, "a separator given was not used");
    }
    let fields: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
    columns(&table, &fields);
    dates(&table);
    template(&table);
    for dialect in [Dialect::French, Dialect::Standard] {
        write_back(&table, dialect);
    }
}

type Summary = (Vec<String>, u64, Vec<(u64, Vec<String>)>, usize, Format);

fn summary(t: &Table) -> Summary {
    (
        t.headers.clone(),
        t.header_line,
        t.rows.iter().map(|r| (r.line, r.cells.clone())).collect(),
        t.blank_rows,
        t.format,
    )
}

fn blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// What every table read holds.
fn check_table(table: &Table) {
    assert!(!blank(&table.headers), "a blank header row");
    assert!(
        !table.headers[0].starts_with('\u{feff}'),
        "a byte-order mark left in the first header"
    );
    let mut previous = table.header_line;
    for (i, row) in table.rows.iter().enumerate() {
        assert!(!blank(&row.cells), "a blank row among the rows");
        match table.format {
            Format::Json => assert!(
                row.line >= previous.max(1),
                "row {i} at line {} after line {previous}",
                row.line
            ),
            _ => assert!(
                row.line > previous,
                "row {i} at line {} after line {previous} (header line {})",
                row.line,
                table.header_line
            ),
        }
        previous = row.line;
    }
}

/// The columns matched to `fields`, as `carnet import` matches them.
fn columns(table: &Table, fields: &[&str]) {
    match map_columns(&table.headers, fields, &[], &[], table.header_line) {
        Ok(cols) => {
            assert_eq!(cols.len(), table.headers.len(), "one field per column");
            let mut seen = std::collections::BTreeSet::new();
            for f in cols.iter().flatten() {
                assert!(
                    f == "id" || fields.contains(&f.as_str()),
                    "a column matched to a field the kind lacks"
                );
                assert!(seen.insert(f.clone()), "two columns fill one field");
            }
        }
        Err(carnet_sheets::MapError::UnknownColumn { column, line, .. }) => {
            assert!((1..=table.headers.len()).contains(&column));
            assert_eq!(line, table.header_line);
        }
        Err(carnet_sheets::MapError::Twice { first, second, .. }) => {
            assert!(first < second && second <= table.headers.len());
        }
        Err(e) => panic!("no --map was given, yet: {e}"),
    }
}

/// Cells read as dates: a day of the calendar, which reads again as itself.
fn dates(table: &Table) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a day");
    let cells = table
        .headers
        .iter()
        .chain(table.rows.iter().flat_map(|r| &r.cells));
    for cell in cells.take(DATE_CELLS) {
        for order in [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd] {
            let Ok(day) = normalise_date(cell, order, today) else {
                continue;
            };
            assert!(
                NaiveDate::parse_from_str(&day, "%Y-%m-%d").is_ok() && day.len() == 10,
                "a date read is not YYYY-MM-DD: {day:?}"
            );
            assert_eq!(
                normalise_date(&day, order, today).as_deref(),
                Ok(day.as_str()),
                "a date read does not read again as itself"
            );
        }
    }
}

/// `--display-name "{first column} {last column:initial}."`, rendered for every row.
fn template(table: &Table) {
    let (Some(a), Some(b)) = (table.headers.first(), table.headers.last()) else {
        return;
    };
    if [a, b].iter().any(|h| h.contains(['{', '}', ':'])) {
        return;
    }
    let Ok(t) = NameTemplate::parse(&format!("{{{a}}} {{{b}:initial}}."), &table.headers) else {
        return;
    };
    let fold = carnet_sheets::fold;
    let last = table
        .headers
        .iter()
        .position(|h| fold(h) == fold(b))
        .expect("the last header");
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |c| c.trim());
        match t.render(&row.cells) {
            None => assert!(
                cell(0).is_empty() && cell(last).is_empty(),
                "no display name from a row holding its columns"
            ),
            Some(shown) => {
                // Runs of white space are one space in a display name.
                let first = cell(0).split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(!(cell(0).is_empty() && cell(last).is_empty()));
                assert!(
                    shown.starts_with(&first) && shown.ends_with('.'),
                    "display name {shown:?} from {:?} and {:?}",
                    cell(0),
                    cell(last)
                );
            }
        }
    }
}

/// The table written as CSV in `dialect` (cells as `carnet import` takes them: the `'` that
/// neutralised a formula taken off in CSV; rows cut or filled to the header's width, blank
/// ones left out) reads back to the same headers and cells.
fn write_back(table: &Table, dialect: Dialect) {
    let undo = table.format.may_be_neutralised();
    let cell = |c: &String| {
        if undo {
            unneutralise(c).to_owned()
        } else {
            c.clone()
        }
    };
    let headers: Vec<String> = table.headers.iter().map(cell).collect();
    let width = headers.len();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| {
            let mut cells: Vec<String> = r.cells.iter().map(cell).collect();
            cells.resize(width, String::new());
            cells
        })
        .filter(|cells| !blank(cells))
        .collect();
    if blank(&headers) {
        return;
    }
    let sheet = Sheet {
        headers: headers.clone(),
        date_columns: Vec::new(),
        number_columns: Vec::new(),
        rows: rows.clone(),
    };
    let written = write_csv(&sheet, dialect).expect("a table written as CSV");
    let delimiter = match dialect {
        Dialect::French => b';',
        Dialect::Standard => b',',
    };
    let options = ReadOptions {
        delimiter: Some(delimiter),
        sheet: None,
    };
    let back = read_table(&written, "export.csv", &options).expect("CSV we wrote reads back");
    assert_eq!(
        back.format,
        Format::Csv {
            delimiter,
            encoding: TextEncoding::Utf8
        }
    );
    let cells: Vec<Vec<String>> = back
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| unneutralise(c).to_owned()).collect())
        .collect();
    let back_headers: Vec<String> = back
        .headers
        .iter()
        .map(|c| unneutralise(c).to_owned())
        .collect();
    assert_eq!(
        back_headers, headers,
        "headers written and read back ({dialect:?})"
    );
    assert_eq!(cells, rows, "cells written and read back ({dialect:?})");
    assert_eq!(back.header_line, 1);
    assert_eq!(back.blank_rows, 0, "blank rows read back ({dialect:?})");
    check_table(&back);
}

/// What reading an input finds (for seeds whose bytes change on every run, see
/// `seeds::sealed`).
pub fn outcome(data: &[u8]) -> String {
    let Some((&flags, bytes)) = data.split_first() else {
        return String::new();
    };
    let options = ReadOptions {
        delimiter: DELIMITERS[usize::from((flags >> 2) & 3)],
        sheet: None,
    };
    match read_table(bytes, NAMES[usize::from(flags & 3)], &options) {
        Ok(t) => format!("{:?}", summary(&t)),
        Err(e) => e.to_string(),
    }
}
