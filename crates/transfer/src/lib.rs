//! Spreadsheets to records and back, for `carnet import`/`export` and the web interface's
//! *Importer* and *Exporter* pages alike: one code path.
//!
//! An import is *planned* from a table `carnet-sheets` read ([`plan`]; several files of
//! different kinds that name one another in one plan: [`plan_together`]): which field each column
//! fills ([`columns`] from the header row and `--map`, or [`guess_columns`] for a form to
//! start from), every bad line with its [`Reason`] (the line as the spreadsheet shows it),
//! duplicates — a file imported before ([`Fingerprint`]), records already recorded or another
//! row with the same identity ([`identity_fields`]) — and the [`RecordWrite`]s the rows ask
//! for — with, for members, the signatures and decision their status rests on, dated when they
//! joined, which a later import of those signatures or decisions completes. Nothing is written
//! here: the caller writes the plan's writes, all or none, with `Device::write_checked` (the
//! association's rules), the one write path, then notes the file ([`remember_import`]).
//! An export is a table of what this device may read ([`export_sheet`], [`export_json`]),
//! personal fields only on request.
//!
//! **Architecture invariant:** no IO of its own (the device is passed in), no printing, no
//! clock (the caller passes the time); no error or reason carries a cell's value.
//!
//! ```no_run
//! # fn demo(device: &carnet_device::Device, bytes: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! use carnet_model::RecordKind;
//! let table = carnet_sheets::read_table(bytes, "membres.csv", &Default::default())?;
//! let cols = carnet_transfer::columns(RecordKind::Member, &table, &[], None)?;
//! let opts = carnet_transfer::ImportOptions::default();
//! let plan = carnet_transfer::plan(device, RecordKind::Member, &table, &cols, &opts, chrono::Utc::now())?;
//! for p in &plan.problems {
//!     println!("line {}: {}", p.line, p.reason);
//! }
//! # Ok(()) }
//! ```

mod export;
mod files;
mod import;

pub use carnet_device::RecordWrite;
pub use export::{export_json, export_sheet, exported_fields};
pub use files::{Fingerprint, REMEMBERED, imported_at, remember_import};
pub use import::{
    ChoiceWords, FileSummary, ImportError, ImportOptions, ImportPlan, Part, Problem, Reason,
    columns, guess_columns, identity_fields, plan, plan_together, typed_edit,
};
