//! Funders' reports (`domain.md` §5): aggregate figures with small cells suppressed, never a name.
//!
//! [`report`] reads a [`Snapshot`] (as held by a device that may read personal files) and
//! computes, for a period and optionally one project:
//!
//! - **Membership**: active members, members who are not active and former members at the end
//!   of the period; joins, rejoins, departures (no reasons) and new active members in it.
//! - **Each project** running during the period (or with sessions in it), or only the project
//!   asked for: sessions, distinct participants, attendances and the mean attendance per
//!   session.
//! - **Activities**: talking groups held.
//! - **Referrals**: referrals by destination type, with the mean days to decision.
//! - **Governance**: general assemblies held.
//!
//! # What a report may contain
//!
//! Only counts, means and fixed words: section titles, category labels and project titles
//! (which are public). No name, id, date of birth, free text or any other field value of a
//! person ever reaches a label. Distinct counts are computed on record ids, which stay inside.
//!
//! # Suppression
//!
//! A count of people, or of things that happened to people (attendances, joins, departures,
//! referrals), from 1 to `suppress_below - 1` becomes [`Cell::Suppressed`], shown `<5` for the
//! default threshold of 5 (`domain.md` §5, "cells under 5"); `suppress_below` of 0 or 1 turns
//! suppression off. Zero stays 0: it says that nothing happened, not who it happened to, and a
//! funder needs to tell "none" from "a few". Counts of sessions and of assemblies are not
//! suppressed: they count events on the association's calendar, not people. A mean whose
//! population is suppressed (or empty) is [`Cell::NotApplicable`]. No section shows a total
//! next to its breakdown, so a suppressed cell cannot be recovered by subtraction within one
//! report. (Comparing reports over overlapping periods can still narrow small numbers down;
//! reports are for funders, who see figures a few times a year.)
//!
//! # Status on a date
//!
//! A member card carries the current status, `member_since` (latest member-form signature),
//! `left_on` (last departure) and `active_since`. The status at the end of the period is
//! rebuilt from those, the member-form signatures (each one a joining) and passed drop votes:
//!
//! - before the first member-form signature (or `member_since` when there is none): not counted;
//! - status left or expelled: a member until `left_on`, a former member from then;
//! - status member or active with a `left_on`: a former member from `left_on` until the first
//!   signature after it (she rejoined);
//! - active on a day when `active_since` is on or before it and her active period had not ended:
//!   it ends on `left_on` for former members, on the day of a passed drop vote for members
//!   dropped from the active community, and never for current active members.
//!
//! Approximations: only the last departure is recorded, so someone who left twice counts as a
//! member between her first departure and her second joining; a member who stopped being active
//! without a drop vote or a departure counts as never having been active; a card without dates
//! counts with its current status whatever the day; prospects are not members and are not
//! counted.
//!
//! ```
//! use carnet_model::{Record, RecordKind, Snapshot, Value};
//! use carnet_report::{Cell, Request, labels, report};
//! use chrono::NaiveDate;
//!
//! let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let mut snapshot = Snapshot::default();
//! for n in 0..7 {
//!     let mut card = Record::default();
//!     card.fields.insert("display_name".into(), Value::Text(format!("Member {n}")));
//!     card.fields.insert("status".into(), Value::Text("active".into()));
//!     card.fields.insert("member_since".into(), Value::Date(day(2023, 1, 10)));
//!     card.fields.insert("active_since".into(), Value::Date(day(2023, 3, 1)));
//!     snapshot.insert(RecordKind::Member, format!("00000000-0000-4000-8000-00000000000{n}"), card);
//! }
//! let r = report(&snapshot, &Request::new(day(2024, 1, 1), day(2024, 12, 31)));
//! assert_eq!(r.value(labels::MEMBERSHIP, labels::ACTIVE), Some(Cell::Count(7)));
//! assert_eq!(r.value(labels::MEMBERSHIP, labels::NOT_ACTIVE), Some(Cell::Count(0)));
//! assert!(!r.to_csv().contains("Member 3"));
//! ```
//!
//! **Architecture invariant:** this crate does no IO; it reads a snapshot and returns figures.

mod compute;
mod output;

use carnet_model::Snapshot;
use chrono::NaiveDate;

/// The default suppression threshold: cells under 5 are shown as "<5".
pub const DEFAULT_SUPPRESS_BELOW: u64 = 5;

/// Section titles and row labels, for callers that look figures up.
pub mod labels {
    /// Section: membership.
    pub const MEMBERSHIP: &str = "Membership";
    /// Active members on the last day of the period.
    pub const ACTIVE: &str = "Active members at the end of the period";
    /// Members who are not active members, on the last day of the period.
    pub const NOT_ACTIVE: &str = "Members not active at the end of the period";
    /// Former members (left or expelled, not told apart) on the last day of the period.
    pub const FORMER: &str = "Former members at the end of the period";
    /// First member-form signatures in the period.
    pub const JOINS: &str = "Joins in the period";
    /// Later member-form signatures (rejoining) in the period.
    pub const REJOINS: &str = "Rejoins in the period";
    /// Departures (leaving or expulsion) in the period.
    pub const DEPARTURES: &str = "Departures in the period";
    /// Members who became active members in the period.
    pub const NEW_ACTIVE: &str = "New active members in the period";
    /// Prefix of each project's section title, followed by the project's title.
    pub const PROJECT_PREFIX: &str = "Project: ";
    /// Sessions of a project in the period.
    pub const SESSIONS: &str = "Sessions";
    /// Distinct members present at a project's sessions.
    pub const PARTICIPANTS: &str = "Distinct participants";
    /// Members present, summed over a project's sessions.
    pub const ATTENDANCES: &str = "Attendances (present)";
    /// Attendances divided by sessions.
    pub const MEAN_ATTENDANCE: &str = "Mean attendances per session";
    /// Section: activities across projects.
    pub const ACTIVITIES: &str = "Activities";
    /// Talking groups held in the period, whatever their project.
    pub const TALKING_GROUPS: &str = "Talking groups held";
    /// Section: referrals.
    pub const REFERRALS: &str = "Referrals";
    /// Suffix of the referral count row of a destination.
    pub const REFERRALS_SUFFIX: &str = ": referrals";
    /// Suffix of the mean decision time row of a destination.
    pub const MEAN_DAYS_SUFFIX: &str = ": mean days to decision";
    /// Section: governance.
    pub const GOVERNANCE: &str = "Governance";
    /// General assemblies held in the period.
    pub const ASSEMBLIES: &str = "General assemblies held";

    /// The words a referral destination is reported under, by the schema's destination word.
    pub fn destination(word: &str) -> &'static str {
        match word {
            "acse" => "Ac.Sé protection scheme",
            "psp" => "Exit programme (PSP)",
            "lawyer" => "Lawyers",
            "housing" => "Housing",
            "psychologist" => "Psychologist",
            "coalition-partner" => "Coalition partner",
            "charity" => "Another charity",
            _ => "Other",
        }
    }
}

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// First day of the period (included).
    pub from: NaiveDate,
    /// Last day of the period (included); statuses are taken on this day.
    pub to: NaiveDate,
    /// Only this project's section (by project id); every project when `None`. An id that
    /// names no project gives no project section.
    pub project: Option<String>,
    /// Counts of people from 1 to `suppress_below - 1` are suppressed; 0 or 1 turns
    /// suppression off.
    pub suppress_below: u64,
}

impl Request {
    /// A request for every project over `from..=to`, with the default threshold.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Request {
        Request {
            from,
            to,
            project: None,
            suppress_below: DEFAULT_SUPPRESS_BELOW,
        }
    }
}

/// One figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A count.
    Count(u64),
    /// A count under the threshold, shown as "<5" (the threshold).
    Suppressed,
    /// A mean.
    Mean(f64),
    /// A mean that cannot be given: its population is empty or suppressed.
    NotApplicable,
}

/// One labelled figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What the figure is (fixed words, or a project title).
    pub label: String,
    /// The figure.
    pub value: Cell,
}

/// A titled group of figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The section's title.
    pub title: String,
    /// Its figures, in display order.
    pub rows: Vec<Row>,
}

impl Section {
    /// The row labelled `label`.
    pub fn row(&self, label: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.label == label)
    }
}

/// A report: its period, its threshold and its sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// The suppression threshold applied (shown in "<5").
    pub suppress_below: u64,
    /// The sections, in display order.
    pub sections: Vec<Section>,
}

impl Report {
    /// The section titled `title`.
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.title == title)
    }

    /// The figure labelled `label` in section `title`.
    pub fn value(&self, title: &str, label: &str) -> Option<Cell> {
        self.section(title)?.row(label).map(|r| r.value)
    }

    /// The report as one table: a `section,label,value` header, then a row per figure as
    /// [`Report::show`] writes it (the value column holding numbers, or "<5" and "n/a").
    pub fn to_sheet(&self) -> carnet_sheets::Sheet {
        carnet_sheets::Sheet {
            headers: vec!["section".into(), "label".into(), "value".into()],
            date_columns: vec![],
            number_columns: vec![false, false, true],
            rows: self
                .sections
                .iter()
                .flat_map(|s| {
                    s.rows
                        .iter()
                        .map(|r| vec![s.title.clone(), r.label.clone(), self.show(r.value)])
                })
                .collect(),
        }
    }

    /// The report as a spreadsheet file in `dialect` (French: `;`, BOM, CRLF, what French
    /// Excel opens as columns), cells a spreadsheet would run as formulas neutralised.
    pub fn to_csv_in(
        &self,
        dialect: carnet_sheets::Dialect,
    ) -> Result<Vec<u8>, carnet_sheets::WriteError> {
        carnet_sheets::write_csv(&self.to_sheet(), dialect)
    }

    /// The report as an `.xlsx` workbook of one sheet named `sheet_name`: counts and means
    /// as number cells, suppressed counts ("<5") and unavailable means ("n/a") as text, and
    /// no cell a formula.
    pub fn to_xlsx(&self, sheet_name: &str) -> Result<Vec<u8>, carnet_sheets::WriteError> {
        carnet_sheets::write_xlsx(&self.to_sheet(), sheet_name)
    }

    /// How `cell` is shown: a count, `<5`, a mean with one decimal, or `n/a`.
    pub fn show(&self, cell: Cell) -> String {
        match cell {
            Cell::Count(n) => n.to_string(),
            Cell::Suppressed => format!("<{}", self.suppress_below),
            Cell::Mean(m) => format!("{m:.1}"),
            Cell::NotApplicable => "n/a".to_owned(),
        }
    }
}

/// Computes the report `req` asks for over `snapshot`.
pub fn report(snapshot: &Snapshot, req: &Request) -> Report {
    compute::report(snapshot, req)
}
