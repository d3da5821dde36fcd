//! Spreadsheets in and out, as French associations have them: a table read from a file's
//! bytes — CSV with `;`, `,` or tab, UTF-8 (BOM or not), Windows-1252 or UTF-16, CRLF or LF,
//! quoted cells holding separators and new lines; `.xlsx` and `.ods` through calamine — with
//! rows numbered as a spreadsheet shows them and blank rows skipped and counted; headers
//! matched to field names in French and English; dates as people write them; and tables
//! written back as CSV (French or standard dialect) or `.xlsx`, formula-looking cells
//! neutralised.
//!
//! **Architecture invariant:** this crate knows text and bytes only. It knows no record kind
//! (field names are passed in), no store, no network, no clock (today is passed in), and prints
//! nothing; no error message repeats a cell's value.
//!
//! ```
//! use carnet_sheets::{read_table, ReadOptions, map_columns, normalise_date, DateOrder};
//!
//! let file = "\u{feff}Prénom;Date de naissance\r\nAdébáyọ̀;14/03/1991\r\n;\r\n";
//! let table = read_table(file.as_bytes(), "membres.csv", &ReadOptions::default()).unwrap();
//! assert_eq!((table.rows.len(), table.blank_rows, table.rows[0].line), (1, 1, 2));
//! let fields = ["first_name", "date_of_birth"];
//! let cols = map_columns(&table.headers, &fields, &[], &[], table.header_line).unwrap();
//! assert_eq!(cols[1].as_deref(), Some("date_of_birth"));
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
//! let dob = normalise_date(&table.rows[0].cells[1], DateOrder::Dmy, today).unwrap();
//! assert_eq!(dob, "1991-03-14");
//! ```

mod dates;
mod headers;
mod read;
mod write;

pub use dates::{DateError, DateOrder, normalise_date};
pub use headers::{MapError, NameTemplate, TemplateError, fold, guess_field, map_columns};
pub use read::{
    Format, ReadError, ReadOptions, Row, Table, TextEncoding, decode, detect_delimiter, read_table,
};
pub use write::{
    Dialect, Sheet, WriteError, is_risky, neutralise, unneutralise, write_csv, write_xlsx,
};
