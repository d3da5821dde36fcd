//! Writing a table: CSV in the French spreadsheet dialect (`;`, UTF-8 byte-order mark, CRLF)
//! or the standard one (`,`, LF), and `.xlsx`; cells that a spreadsheet would run as a
//! formula are neutralised (OWASP "CSV injection").

use std::borrow::Cow;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A CSV dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// What French Excel and LibreOffice open as columns: `;`, UTF-8 with BOM, CRLF.
    #[default]
    French,
    /// RFC 4180 as most software reads it: `,`, no BOM, LF.
    Standard,
}

impl std::str::FromStr for Dialect {
    type Err = WriteError;
    fn from_str(s: &str) -> Result<Self, WriteError> {
        match s.to_lowercase().as_str() {
            "french" | "fr" | "excel" => Ok(Dialect::French),
            "standard" | "rfc4180" => Ok(Dialect::Standard),
            _ => Err(WriteError::UnknownDialect),
        }
    }
}

/// Why a table cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// `--dialect` names no known dialect.
    #[error("unknown CSV dialect: use french (;, BOM, CRLF) or standard (,)")]
    UnknownDialect,
    /// The CSV writer failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The xlsx writer failed (its messages name sheets and cells, not values).
    #[error("cannot write the .xlsx file: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A row holds more cells than the header row names.
    #[error("row {row} has more cells than the header row")]
    Width {
        /// The data row, 1 for the first after the header.
        row: usize,
    },
}

/// A table to write: its column names, which columns hold `YYYY-MM-DD` dates or numbers, and
/// its rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// The header row.
    pub headers: Vec<String>,
    /// Columns written as date cells in `.xlsx` (same length as `headers`, or empty).
    pub date_columns: Vec<bool>,
    /// Columns whose numbers are written as number cells in `.xlsx` (a report's counts, so
    /// that a spreadsheet adds them up); other text in them stays text ("<5"). Same length as
    /// `headers`, or empty.
    pub number_columns: Vec<bool>,
    /// The rows, one text per column.
    pub rows: Vec<Vec<String>>,
}

/// Whether a spreadsheet would read the cell as a formula (or a command, through DDE).
pub fn is_risky(cell: &str) -> bool {
    matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// The cell with a `'` in front when a spreadsheet would run it (`=HYPERLINK(…)` →
/// `'=HYPERLINK(…)`), or when it already starts with `'` followed by such a character, so
/// that [`unneutralise`] gives back exactly what was written.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if is_risky(cell) || cell.strip_prefix('\'').is_some_and(is_risky_or_quoted) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn is_risky_or_quoted(rest: &str) -> bool {
    is_risky(rest) || rest.strip_prefix('\'').is_some_and(is_risky_or_quoted)
}

/// The inverse of [`neutralise`], applied on import: a `'` in front of what a spreadsheet
/// would run is taken off.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_risky_or_quoted(rest) => rest,
        _ => cell,
    }
}

/// The sheet as CSV bytes in `dialect`, every risky cell neutralised.
pub fn write_csv(sheet: &Sheet, dialect: Dialect) -> Result<Vec<u8>, WriteError> {
    let mut bytes = Vec::new();
    let mut builder = csv::WriterBuilder::new();
    match dialect {
        Dialect::French => {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
            builder.delimiter(b';').terminator(csv::Terminator::CRLF);
        }
        Dialect::Standard => {
            builder
                .delimiter(b',')
                .terminator(csv::Terminator::Any(b'\n'));
        }
    }
    let mut w = builder.from_writer(&mut bytes);
    w.write_record(sheet.headers.iter().map(|h| neutralise(h).into_owned()))?;
    for (i, row) in sheet.rows.iter().enumerate() {
        if row.len() > sheet.headers.len() {
            return Err(WriteError::Width { row: i + 1 });
        }
        w.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
    }
    w.flush().map_err(csv::Error::from)?;
    drop(w);
    Ok(bytes)
}

/// The sheet as `.xlsx` bytes: every cell a string (never a formula), date columns as date
/// cells shown DD/MM/YYYY, numbers of number columns as numbers, and cells a spreadsheet would run marked with the "quote prefix"
/// attribute — Excel's own way of saying "text, although it starts with `=`" — so that
/// editing and saving the file again keeps them text.
pub fn write_xlsx(sheet: &Sheet, sheet_name: &str) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in sheet.headers.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| WriteError::Width { row: 0 })?;
        ws.write_string_with_format(0, col, h.as_str(), &bold)?;
        ws.set_column_width(col, 16)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        if row.len() > sheet.headers.len() {
            return Err(WriteError::Width { row: r + 1 });
        }
        let line = u32::try_from(r + 1).map_err(|_| WriteError::Width { row: r + 1 })?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| WriteError::Width { row: r + 1 })?;
            if cell.is_empty() {
                continue;
            }
            let as_date = sheet.date_columns.get(c).copied().unwrap_or(false)
                && cell.len() == 10
                && ExcelDateTime::parse_from_str(cell).is_ok();
            let number = sheet
                .number_columns
                .get(c)
                .copied()
                .unwrap_or(false)
                .then(|| number(cell))
                .flatten();
            if as_date {
                let d = ExcelDateTime::parse_from_str(cell)?;
                ws.write_datetime_with_format(line, col, &d, &date)?;
            } else if let Some(n) = number {
                ws.write_number(line, col, n)?;
            } else if is_risky(cell) || cell.starts_with('\'') {
                ws.write_string_with_format(line, col, cell.as_str(), &quoted)?;
            } else {
                ws.write_string(line, col, cell.as_str())?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A cell of a number column as a number: digits with at most one decimal point (and a minus
/// sign), as a report writes them; anything else (`<5`, `n/a`, `0612` whose zero would be
/// lost) stays text.
fn number(cell: &str) -> Option<f64> {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."));
    plain.then(|| cell.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, read_table};

    fn sheet() -> Sheet {
        Sheet {
            headers: vec![
                "display_name".into(),
                "member_since".into(),
                "address".into(),
            ],
            date_columns: vec![false, true, false],
            number_columns: vec![],
            rows: vec![
                vec![
                    "=HYPERLINK(\"http://x\")".into(),
                    "2015-03-14".into(),
                    "1 rue X; bât. B\n75001 Paris".into(),
                ],
                vec!["'=déjà".into(), "".into(), "-".into()],
                vec!["Ọláolúwa".into(), "1999-12-31".into(), "@home".into()],
            ],
        }
    }

    #[test]
    fn neutralising_is_undone_exactly() {
        for cell in [
            "=1+1", "+33 6", "-x", "@a", "\tx", "\rx", "'=x", "''=x", "'x", "x", "",
        ] {
            assert_eq!(unneutralise(&neutralise(cell)), cell, "{cell:?}");
            assert!(!is_risky(&neutralise(cell)), "{cell:?}");
        }
    }

    #[test]
    fn csv_dialects_round_trip() {
        let s = sheet();
        for dialect in [Dialect::French, Dialect::Standard] {
            let bytes = write_csv(&s, dialect).expect("csv");
            if dialect == Dialect::French {
                assert!(bytes.starts_with(b"\xEF\xBB\xBFdisplay_name;member_since;address\r\n"));
            } else {
                assert!(bytes.starts_with(b"display_name,member_since,address\n"));
            }
            let text = String::from_utf8(bytes.clone()).expect("utf-8");
            assert!(text.contains("'=HYPERLINK"), "{text}");
            let t = read_table(&bytes, "x.csv", &ReadOptions::default()).expect("read");
            let back: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| r.cells.iter().map(|c| unneutralise(c).to_owned()).collect())
                .collect();
            assert_eq!(back, s.rows);
            assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 4]);
        }
    }

    /// A report's counts are numbers a spreadsheet adds up; what is not a plain number in a
    /// number column stays text.
    #[test]
    fn number_columns_are_number_cells_in_xlsx() {
        let s = Sheet {
            headers: vec!["label".into(), "value".into()],
            date_columns: vec![],
            number_columns: vec![false, true],
            rows: [
                ["Joins", "15"],
                ["Leaves", "<5"],
                ["Mean", "10.9"],
                ["Code", "0612"],
                ["Other", "n/a"],
                ["Zero", "0"],
                ["Label", "-3"],
                ["Formula", "=1+1"],
            ]
            .iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect(),
        };
        let bytes = write_xlsx(&s, "Rapport").expect("xlsx");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet"),
            &mut xml,
        )
        .expect("xml");
        // Number cells have no type attribute (shared strings are t="s").
        for (cell, number) in [
            ("B2", true),
            ("B3", false),
            ("B4", true),
            ("B5", false),
            ("B6", false),
            ("B7", true),
            ("B8", true),
            ("B9", false),
        ] {
            let at = xml.find(&format!("<c r=\"{cell}\"")).expect(cell);
            let end = at + xml[at..].find('>').expect("tag");
            assert_eq!(!xml[at..end].contains("t=\"s\""), number, "{cell}: {xml}");
        }
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
        let t = read_table(&bytes, "r.xlsx", &ReadOptions::default()).expect("read");
        let back: Vec<&str> = t.rows.iter().map(|r| r.cells[1].as_str()).collect();
        assert_eq!(back, ["15", "<5", "10.9", "0612", "n/a", "0", "-3", "=1+1"]);
    }

    #[test]
    fn xlsx_round_trips_with_strings_and_date_cells() {
        let s = sheet();
        let bytes = write_xlsx(&s, "Membres").expect("xlsx");
        let t = read_table(&bytes, "x.xlsx", &ReadOptions::default()).expect("read");
        let back: Vec<Vec<String>> = t.rows.iter().map(|r| r.cells.clone()).collect();
        assert_eq!(back, s.rows);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet"),
            &mut xml,
        )
        .expect("xml");
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
        let t = read_table(
            &bytes,
            "x.xlsx",
            &ReadOptions {
                sheet: Some("membres".into()),
                ..Default::default()
            },
        )
        .expect("sheet by name");
        assert_eq!(t.rows.len(), 3);
    }
}
