//! Reading a table from a file's bytes: CSV in the dialects people have (separator detected,
//! UTF-8 with or without BOM, Windows-1252, UTF-16 from Excel's "Unicode text", CRLF or LF,
//! quoted cells) and `.xlsx`/`.ods`/`.xls` workbooks through calamine, date cells as dates.

use std::io::Cursor;

use calamine::{Data, DataType, Reader};

/// How to read a file; the defaults detect everything.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The CSV separator; `None` detects `;`, tab or `,` from the first line.
    pub delimiter: Option<u8>,
    /// The workbook sheet to read; `None` reads the first one.
    pub sheet: Option<String>,
}

/// The character encoding a CSV file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (with or without byte-order mark).
    Utf8,
    /// Windows-1252 (what French Excel writes as "CSV (séparateur: point-virgule)").
    Windows1252,
    /// UTF-16 with a byte-order mark (Excel's "Unicode text").
    Utf16,
}

/// The file's format, as told by its name (and, for workbooks, its contents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text.
    Csv {
        /// The separator used.
        delimiter: u8,
        /// The encoding the text was decoded from.
        encoding: TextEncoding,
    },
    /// A workbook (`.xlsx`, `.xlsm`, `.ods`, `.xls`, `.xlsb`).
    Workbook,
    /// A JSON array of objects, as `carnet export --json` writes it; a row's line is the
    /// line of the text where its object starts.
    Json,
}

impl Format {
    /// Whether cells may carry the `'` that [`crate::neutralise`] puts in front of
    /// formula-looking text: in CSV only (a workbook marks such text with an attribute, and a
    /// `'` in a workbook or JSON string is part of the value).
    pub fn may_be_neutralised(self) -> bool {
        matches!(self, Format::Csv { .. })
    }
}

/// One row of data: its line as a spreadsheet shows it, and its cells (never trimmed here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's number as a spreadsheet shows it: 1 is the header row.
    pub line: u64,
    /// The cells, as text; workbook date cells are `YYYY-MM-DD`.
    pub cells: Vec<String>,
}

/// A table read from a file: the header row, then the rows that hold something.
#[derive(Debug, Clone)]
pub struct Table {
    /// The column names of the header row (byte-order mark removed).
    pub headers: Vec<String>,
    /// The header row's line (1 unless a workbook sheet starts lower).
    pub header_line: u64,
    /// Rows with at least one non-blank cell.
    pub rows: Vec<Row>,
    /// Rows skipped because every cell was blank (e.g. `;;;`).
    pub blank_rows: usize,
    /// How the file was read.
    pub format: Format,
    /// A workbook's sheet names, in order (empty for CSV and JSON): what to choose from.
    pub sheets: Vec<String>,
}

/// Why a file could not be read as a table. No message repeats a cell's value.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file holds nothing, not even a header row.
    #[error("the file is empty: its first line must name the columns")]
    Empty,
    /// The CSV text is malformed at a line (an unclosed quote, mostly).
    #[error(
        "line {line}: not readable as CSV ({reason}); if the file comes from a spreadsheet, save it again as \"CSV UTF-8\""
    )]
    Csv {
        /// The line as a spreadsheet would show it.
        line: u64,
        /// What the CSV reader found, without the cell's text.
        reason: &'static str,
    },
    /// The text is UTF-8 but for a damaged stretch.
    #[error(
        "line {line}: the text is UTF-8 elsewhere but not on this line (a file edited with two encodings?): open it in the spreadsheet and save it again as \"CSV UTF-8\""
    )]
    MixedEncoding {
        /// The text line of the first damaged byte.
        line: u64,
    },
    /// The workbook could not be opened.
    #[error("not readable as a spreadsheet workbook (.xlsx, .ods, .xls): {0}")]
    Workbook(String),
    /// The sheet asked for is not in the workbook.
    #[error("the workbook has no sheet of that name; its sheets are numbered 1 to {count}")]
    NoSuchSheet {
        /// How many sheets the workbook has.
        count: usize,
    },
    /// The workbook has no sheet at all.
    #[error("the workbook has no sheet")]
    NoSheet,
    /// The JSON text is malformed or not an array of objects.
    #[error("line {line}: {reason}")]
    Json {
        /// The line of the text.
        line: u64,
        /// What is wrong, without the text.
        reason: &'static str,
    },
    /// A workbook cell holds an error value (`#DIV/0!`, `#REF!`…).
    #[error("line {line}, column {column}: the cell holds a spreadsheet error")]
    CellError {
        /// The row as the spreadsheet shows it.
        line: u64,
        /// The column, 1 for A.
        column: usize,
    },
}

/// Whether a file name says "workbook" rather than delimited text.
fn is_workbook(file_name: &str) -> bool {
    let lower = file_name.to_lowercase();
    [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Reads a table from a file's bytes; the file name tells workbooks from CSV.
pub fn read_table(
    bytes: &[u8],
    file_name: &str,
    options: &ReadOptions,
) -> Result<Table, ReadError> {
    // A zip (xlsx, ods) or an OLE file (xls) is a workbook whatever its name.
    let zip_or_ole =
        bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if file_name.to_lowercase().ends_with(".json") {
        read_json(bytes)
    } else if is_workbook(file_name) || zip_or_ole {
        read_workbook(bytes, options.sheet.as_deref())
    } else {
        read_csv(bytes, options.delimiter)
    }
}

/// Refuses UTF-8 text with a damaged stretch: read as Windows-1252, its accents would turn
/// into "Ã©" without a word. Text with no valid UTF-8 letter beyond ASCII is Windows-1252.
fn check_not_damaged_utf8(bytes: &[u8]) -> Result<(), ReadError> {
    let Err(e) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let utf8_letters = String::from_utf8_lossy(bytes)
        .chars()
        .any(|c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER);
    if utf8_letters {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1;
        return Err(ReadError::MixedEncoding { line });
    }
    Ok(())
}

/// Decodes CSV bytes: UTF-8 (BOM removed), UTF-16 with a BOM, otherwise Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (
            String::from_utf8_lossy(rest).into_owned(),
            TextEncoding::Utf8,
        );
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return (text.into_owned(), TextEncoding::Utf16);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), TextEncoding::Utf8),
        Err(_) => {
            // Every byte sequence is valid Windows-1252: what French Excel and older
            // LibreOffice versions write by default.
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), TextEncoding::Windows1252)
        }
    }
}

/// The separator of a CSV text: the most frequent of `;`, tab and `,` on its first line
/// (outside quotes); `;` wins ties, `,` when there is none.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b'\t', b','];
    let mut best = 2;
    for i in [1, 0] {
        if counts[i] > 0 && counts[i] >= counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// The byte offsets at which each spreadsheet row starts: after every line end outside
/// quoted cells (CRLF, LF or CR counting once), so that a quoted cell holding a new line stays
/// in its row, as it does in a spreadsheet. Quotes are read as the csv crate reads them: a
/// quote opens a quoted cell only at the start of a cell (elsewhere it is text), `""` inside
/// one is a quote, and text after its closing quote belongs to the cell.
fn row_starts(text: &str, delimiter: u8) -> Vec<usize> {
    #[derive(Clone, Copy)]
    enum At {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut starts = vec![0];
    let mut at = At::CellStart;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        at = match (at, bytes[i]) {
            (At::Quoted, b'"') => At::QuoteInQuoted,
            (At::Quoted, _) => At::Quoted,
            (At::QuoteInQuoted, b'"') => At::Quoted,
            (_, b'\r' | b'\n') => {
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                starts.push(i + 1);
                At::CellStart
            }
            (_, b) if b == delimiter => At::CellStart,
            (At::CellStart, b'"') => At::Quoted,
            _ => At::Unquoted,
        };
        i += 1;
    }
    starts
}

/// The spreadsheet row (1-based) of a record starting at `byte`. The csv crate gives a
/// record's start as the `\n` of the CRLF before it (the `\r` ended the previous record),
/// which made line numbers one too low on CRLF files: line ends are skipped first.
fn row_of(text: &str, starts: &[usize], byte: u64) -> u64 {
    let mut byte = usize::try_from(byte).unwrap_or(usize::MAX);
    while matches!(text.as_bytes().get(byte), Some(b'\r' | b'\n')) {
        byte += 1;
    }
    let idx = match starts.binary_search(&byte) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    idx as u64 + 1
}

fn csv_reason(e: &csv::Error) -> &'static str {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { .. } => "a different number of cells",
        csv::ErrorKind::Utf8 { .. } => "invalid text encoding",
        _ => "unbalanced quotes",
    }
}

/// Reads delimited text.
fn read_csv(bytes: &[u8], delimiter: Option<u8>) -> Result<Table, ReadError> {
    if !bytes.starts_with(&[0xFF, 0xFE]) && !bytes.starts_with(&[0xFE, 0xFF]) {
        check_not_damaged_utf8(bytes)?;
    }
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&text));
    let starts = row_starts(&text, delimiter);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut headers = None;
    let mut header_line = 1;
    let mut rows = Vec::new();
    let mut blank_rows = 0;
    for result in &mut records {
        let record = result.map_err(|e| ReadError::Csv {
            line: e.position().map_or(0, |p| row_of(&text, &starts, p.byte())),
            reason: csv_reason(&e),
        })?;
        let line = record
            .position()
            .map_or(0, |p| row_of(&text, &starts, p.byte()));
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if headers.is_none() {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            header_line = line;
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            blank_rows += 1;
            continue;
        }
        rows.push(Row { line, cells });
    }
    // Every row after the header that gave no data row is blank, including the wholly empty
    // lines the csv reader skips (a spreadsheet shows them as blank rows).
    let total = starts.iter().filter(|&&s| s < text.len()).count() as u64;
    let after_header = usize::try_from(total.saturating_sub(header_line)).unwrap_or(0);
    blank_rows = blank_rows.max(after_header.saturating_sub(rows.len()));
    let headers = headers.ok_or(ReadError::Empty)?;
    Ok(Table {
        headers: strip_bom(headers),
        header_line,
        rows,
        blank_rows,
        sheets: Vec::new(),
        format: Format::Csv {
            delimiter,
            encoding,
        },
    })
}

fn strip_bom(mut headers: Vec<String>) -> Vec<String> {
    if let Some(first) = headers.first_mut() {
        *first = first.trim_start_matches('\u{feff}').to_owned();
    }
    headers
}

/// The line on which each top-level array element that is an object starts.
fn object_lines(text: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let (mut line, mut depth, mut in_string, mut escaped) = (1u64, 0usize, false, false);
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\n' => line += 1,
            '{' | '[' => {
                if c == '{' && depth == 1 {
                    lines.push(line);
                }
                depth += 1;
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    lines
}

/// A JSON value as a cell: strings as they are, arrays joined with `, `, booleans
/// `yes`/`no`.
fn json_cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(json_cell).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// Reads a JSON array of objects (what `carnet export --json` writes): the columns are the
/// keys, in the order they first appear.
fn read_json(bytes: &[u8]) -> Result<Table, ReadError> {
    check_not_damaged_utf8(bytes)?;
    let (text, _) = decode(bytes);
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| ReadError::Json {
        line: e.line() as u64,
        reason: "not valid JSON",
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(ReadError::Json {
            line: 1,
            reason: "expected an array of objects, as `carnet export --json` writes",
        });
    };
    let lines = object_lines(&text);
    let mut headers: Vec<String> = Vec::new();
    for item in &items {
        if let serde_json::Value::Object(obj) = item {
            for k in obj.keys() {
                if !headers.contains(k) {
                    headers.push(k.clone());
                }
            }
        }
    }
    let mut rows = Vec::new();
    let mut blank_rows = 0;
    for (i, item) in items.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let serde_json::Value::Object(obj) = item else {
            return Err(ReadError::Json {
                line,
                reason: "an element of the array is not an object",
            });
        };
        let cells: Vec<String> = headers
            .iter()
            .map(|h| obj.get(h).map(json_cell).unwrap_or_default())
            .collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            blank_rows += 1;
            continue;
        }
        rows.push(Row { line, cells });
    }
    Ok(Table {
        headers,
        header_line: 1,
        rows,
        blank_rows,
        format: Format::Json,
        sheets: Vec::new(),
    })
}

/// A workbook cell as text: dates as `YYYY-MM-DD` (with the time when there is one), whole
/// numbers without a decimal point, booleans as `yes`/`no`.
fn cell_text(cell: &Data, line: u64, column: usize) -> Result<String, ReadError> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(_) | Data::DateTimeIso(_) => match cell.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
            Some(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => cell.as_date().map(|d| d.to_string()).unwrap_or_default(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => return Err(ReadError::CellError { line, column }),
    })
}

/// The most cells a sheet's used area may span (its first to its last cell): a hundred
/// thousand rows of forty columns.
const MAX_CELLS: u64 = 4_000_000;

/// An `.xlsx` sheet's cells. calamine makes a sheet one dense grid from its first cell to its
/// last: a file of a few kilobytes naming cells A1 and XFD1048576 asked for 17 billion cells,
/// and the process aborted. So the cells are read one by one first (as calamine's
/// `worksheet_range` reads them: empty ones left out), and a sheet spanning more than
/// [`MAX_CELLS`] is refused before any grid is made. (`.ods` and `.xls` sheets are still read
/// by `worksheet_range`.)
fn xlsx_range<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<calamine::Range<Data>, ReadError> {
    let failed =
        |e: calamine::XlsxError| ReadError::Workbook(workbook_reason(&calamine::Error::Xlsx(e)));
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet, say: no cells (as `worksheet_range` answers).
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(calamine::Range::default()),
        Err(e) => return Err(failed(e)),
    };
    let mut cells = Vec::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0, u32::MAX, 0);
    while let Some(cell) = reader.next_cell().map_err(failed)? {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        (top, bottom) = (top.min(row), bottom.max(row));
        (left, right) = (left.min(column), right.max(column));
        let area = (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1);
        if area > MAX_CELLS {
            return Err(ReadError::Workbook(format!(
                "the sheet's cells span more than {MAX_CELLS} cells"
            )));
        }
        cells.push(calamine::Cell::new(
            (row, column),
            Data::from(cell.get_value().clone()),
        ));
    }
    Ok(calamine::Range::from_sparse(cells))
}

/// Reads one sheet of a workbook.
fn read_workbook(bytes: &[u8], sheet: Option<&str>) -> Result<Table, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::Workbook(workbook_reason(&e)))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                let folded = crate::fold(wanted);
                names.iter().find(|n| crate::fold(n) == folded)
            })
            .cloned()
            .ok_or(ReadError::NoSuchSheet { count: names.len() })?,
        None => names.first().cloned().ok_or(ReadError::NoSheet)?,
    };
    let range = match &mut book {
        calamine::Sheets::Xlsx(xlsx) => xlsx_range(xlsx, &name)?,
        book => book
            .worksheet_range(&name)
            .map_err(|e| ReadError::Workbook(workbook_reason(&e)))?,
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut headers = None;
    let mut header_line = 1;
    let mut rows = Vec::new();
    let mut blank_rows = 0;
    for (i, row) in range.rows().enumerate() {
        let line = u64::from(first_row) + i as u64 + 1;
        let mut cells = Vec::with_capacity(row.len() + first_col as usize);
        // Columns left of the used range are empty; keep positions as the sheet shows them.
        cells.extend(std::iter::repeat_n(String::new(), first_col as usize));
        for (c, cell) in row.iter().enumerate() {
            cells.push(cell_text(cell, line, first_col as usize + c + 1)?);
        }
        let blank = cells.iter().all(|c| c.trim().is_empty());
        if headers.is_none() {
            if !blank {
                header_line = line;
                headers = Some(cells);
            }
            continue;
        }
        if blank {
            blank_rows += 1;
            continue;
        }
        rows.push(Row { line, cells });
    }
    Ok(Table {
        headers: strip_bom(headers.ok_or(ReadError::Empty)?),
        header_line,
        rows,
        blank_rows,
        format: Format::Workbook,
        sheets: names,
    })
}

/// calamine's error, reduced to its kind: its messages may quote cell contents.
fn workbook_reason(e: &calamine::Error) -> String {
    match e {
        calamine::Error::Io(_) => "the file cannot be read".into(),
        calamine::Error::Xlsx(_) => "damaged or unsupported .xlsx".into(),
        calamine::Error::Ods(_) => "damaged or unsupported .ods".into(),
        calamine::Error::Xls(_) => "damaged or unsupported .xls".into(),
        calamine::Error::Xlsb(_) => "damaged or unsupported .xlsb".into(),
        _ => "unknown workbook format".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &[u8]) -> Table {
        read_table(text, "members.csv", &ReadOptions::default()).expect("table")
    }

    #[test]
    fn french_excel_csv_with_bom_crlf_quotes_and_blank_rows() {
        let text = "\u{feff}Prénom;Nom;Adresse\r\nAda;Lovelace;\"1 rue X; bât. B\r\n75001 Paris\"\r\nỌlá;Adébáyọ̀;\r\n;;\r\n\r\nZoé;Martin;Nice\r\n;;\r\n";
        let t = csv(text.as_bytes());
        assert_eq!(t.headers, ["Prénom", "Nom", "Adresse"]);
        assert_eq!(
            t.format,
            Format::Csv {
                delimiter: b';',
                encoding: TextEncoding::Utf8
            }
        );
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        // Rows as a spreadsheet shows them: the multi-line cell stays in row 2, the blank
        // rows 4 and 5 are skipped and counted, and so is the trailing one.
        assert_eq!(lines, [2, 3, 6]);
        assert_eq!(t.blank_rows, 3);
        assert_eq!(t.rows[0].cells[2], "1 rue X; bât. B\r\n75001 Paris");
        assert_eq!(t.rows[1].cells[1], "Adébáyọ̀");
    }

    #[test]
    fn windows_1252_is_detected_and_converted() {
        let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode("Prénom;Ville\nHélène;Besançon\n");
        assert!(!bad);
        let t = csv(&bytes);
        assert_eq!(
            t.format,
            Format::Csv {
                delimiter: b';',
                encoding: TextEncoding::Windows1252
            }
        );
        assert_eq!(t.rows[0].cells, ["Hélène", "Besançon"]);
    }

    #[test]
    fn json_arrays_of_objects_with_their_lines() {
        let text = "[\n  {\n    \"id\": \"a\",\n    \"tags\": [\"x\", \"y\"]\n  },\n  {\"id\": \"b}\", \"ok\": true}\n]\n";
        let t = read_table(text.as_bytes(), "export.json", &ReadOptions::default()).expect("json");
        assert_eq!(t.headers, ["id", "tags", "ok"]);
        assert_eq!(t.rows[0].cells, ["a", "x, y", ""]);
        assert_eq!(t.rows[1].cells, ["b}", "", "yes"]);
        assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 6]);
        assert!(!t.format.may_be_neutralised());
        assert!(read_table(b"{}", "x.json", &ReadOptions::default()).is_err());
    }

    #[test]
    fn damaged_utf8_is_named_by_line_not_read_as_1252() {
        let mut bytes = "Prénom;Ville\nHélène;Nice\n".as_bytes().to_vec();
        bytes.extend(b"Zo\xe9;Lyon\n");
        let err = read_table(&bytes, "x.csv", &ReadOptions::default()).expect_err("mixed");
        assert!(matches!(err, ReadError::MixedEncoding { line: 3 }), "{err}");
        assert!(err.to_string().contains("CSV UTF-8"));
        assert!(!err.to_string().contains("Zo"));
    }

    #[test]
    fn separators_are_detected() {
        assert_eq!(detect_delimiter("a,b,c\n"), b',');
        assert_eq!(detect_delimiter("a;b;c\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter("one column\n"), b',');
        let t = csv(b"a,b\n1,2\n3,4\n");
        assert_eq!(t.rows[1].line, 3);
    }

    /// A quote inside a cell that does not start with one is text, for the csv crate as for
    /// a spreadsheet; the rows were numbered as if it opened a quoted cell, so every row after
    /// it took the line of the row before (two rows "at line 2"), and errors named the wrong
    /// line. Found by the `csv_import` fuzz target (`fuzz/regressions/csv_import/`).
    #[test]
    fn a_quote_inside_a_cell_is_text_and_rows_keep_their_lines() {
        let t = csv(b"a;b\r\n1;2 \"x\r\n3;4\r\n\"5\"\"\r\n\";6\"\"7\r\n8;9\r\n");
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        // The quoted cell on two lines of text is one row: `8;9` is row 5.
        assert_eq!(lines, [2, 3, 4, 5]);
        assert_eq!(t.rows[0].cells, ["1", "2 \"x"]);
        assert_eq!(t.rows[2].cells, ["5\"\r\n", "6\"\"7"]);
        assert_eq!(t.blank_rows, 0);
    }

    /// calamine made every sheet one dense grid from its first cell to its last: this
    /// workbook of a few kilobytes asked for 17 billion cells (550 GB) and `carnet import`
    /// aborted. Refused with a reason.
    #[test]
    fn a_workbook_spanning_billions_of_cells_is_refused_not_allocated() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Prénom").unwrap();
        sheet.write_string(1_048_575, 16_383, "far").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let err = read_table(&bytes, "x.xlsx", &ReadOptions::default()).expect_err("too large");
        assert!(matches!(err, ReadError::Workbook(_)), "{err}");
        assert!(err.to_string().contains("span more than"), "{err}");
        // A sheet whose cells start lower keeps its place.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 1, "Prénom").unwrap();
        sheet.write_string(4, 1, "Zoé").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table(&bytes, "x.xlsx", &ReadOptions::default()).unwrap();
        assert_eq!(t.header_line, 3);
        assert_eq!(t.headers, ["", "Prénom"]);
        assert_eq!(t.rows[0].line, 5);
        assert_eq!(t.blank_rows, 1);
    }

    #[test]
    fn unbalanced_quotes_are_named_by_line_without_the_text() {
        let t = csv(b"a;b\n1;2\n3;\"secret\n");
        // The csv crate tolerates an unclosed quote at the end; it keeps the text.
        assert_eq!(t.rows.len(), 2);
        assert!(read_table(b"", "x.csv", &ReadOptions::default()).is_err());
    }
}
