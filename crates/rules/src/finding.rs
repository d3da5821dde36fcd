//! What the rules say back: findings (which rule, how serious, about which record) and the
//! proposed writes they judge.

use std::collections::BTreeMap;
use std::fmt;

use carnet_model::{RecordKind, Value};
use chrono::NaiveDate;

/// How serious a finding is.
///
/// In [`check`](crate::check), `Block` refuses the write and `Warn` is shown while the write goes
/// ahead. In [`todo`](crate::todo), `Block` marks a state that a check would have refused
/// (typically reached by merging concurrent changes, which is never silently "fixed"): a person
/// must resolve it; `Warn` is a warning rule or an invariant the association must restore;
/// `Remind` is something falling due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Refuses a write; in `todo`, a broken invariant a person must resolve.
    Block,
    /// Shown, but does not refuse anything.
    Warn,
    /// A reminder or task, with the day it falls due when there is one.
    Remind,
}

impl Severity {
    /// The lowercase word for this severity.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Block => "block",
            Severity::Warn => "warn",
            Severity::Remind => "remind",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rules of `domain.md` §2 this crate checks, by their number there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// Joining needs a signed member form.
    M1,
    /// Rejoining needs a new signature dated after the departure.
    M5,
    /// Expulsion is final.
    M6,
    /// Becoming active needs membership, a signed active form and Roots acceptance.
    A1,
    /// A mentor is chosen after the Roots vote.
    A2,
    /// Two months without working-group participation: review.
    A8,
    /// Two months without news: welfare check-in first.
    A9,
    /// Dropping an active member needs a vote.
    A10,
    /// Prefets.
    D1,
    /// Spokespersons.
    D2,
    /// A general assembly every six months; mandates renewed before they expire.
    D3,
    /// A resignation needs a prior conversation with a Roots member.
    D4,
    /// The board: 7 to 9 seats, at least half held by active members.
    D6,
    /// Coalition decisions: consensus, or one vote per organisation and 50%+1.
    C1,
    /// An organisation's admission to the coalition: two endorsements, two reviews.
    C2,
    /// A survivor member's readiness endorsed by an agency.
    C3,
    /// Removal from the coalition.
    C4,
    /// Withdrawal after attending under two thirds of the year's meetings.
    C5,
}

impl RuleId {
    /// Every rule, in order.
    pub const ALL: [RuleId; 18] = [
        RuleId::M1,
        RuleId::M5,
        RuleId::M6,
        RuleId::A1,
        RuleId::A2,
        RuleId::A8,
        RuleId::A9,
        RuleId::A10,
        RuleId::D1,
        RuleId::D2,
        RuleId::D3,
        RuleId::D4,
        RuleId::D6,
        RuleId::C1,
        RuleId::C2,
        RuleId::C3,
        RuleId::C4,
        RuleId::C5,
    ];

    /// The rule's number, as in `domain.md` §2 ("M1").
    pub fn name(self) -> &'static str {
        match self {
            RuleId::M1 => "M1",
            RuleId::M5 => "M5",
            RuleId::M6 => "M6",
            RuleId::A1 => "A1",
            RuleId::A2 => "A2",
            RuleId::A8 => "A8",
            RuleId::A9 => "A9",
            RuleId::A10 => "A10",
            RuleId::D1 => "D1",
            RuleId::D2 => "D2",
            RuleId::D3 => "D3",
            RuleId::D4 => "D4",
            RuleId::D6 => "D6",
            RuleId::C1 => "C1",
            RuleId::C2 => "C2",
            RuleId::C3 => "C3",
            RuleId::C4 => "C4",
            RuleId::C5 => "C5",
        }
    }

    /// The rule in one line.
    pub fn summary(self) -> &'static str {
        match self {
            RuleId::M1 => "joining needs a signed member form",
            RuleId::M5 => "rejoining needs a new member-form signature dated after leaving",
            RuleId::M6 => "expulsion is final: an expelled person is never re-admitted",
            RuleId::A1 => {
                "becoming active needs membership, a signed active-member form and Roots acceptance"
            }
            RuleId::A2 => "a mentor is chosen after the Roots vote",
            RuleId::A8 => {
                "two months without working-group participation flags the person for Roots and prefet review"
            }
            RuleId::A9 => {
                "two months without news calls for a welfare check-in first, never an automatic drop"
            }
            RuleId::A10 => "dropping an active member needs a meeting and a vote",
            RuleId::D1 => {
                "two prefets, active members, at least one French speaker, mandates of six months"
            }
            RuleId::D2 => {
                "two spokespersons, active members, at least one French speaker, with recorded exposure consent"
            }
            RuleId::D3 => {
                "a general assembly every six months; mandates renewed before they expire"
            }
            RuleId::D4 => "a resignation needs a prior conversation with a Roots member",
            RuleId::D6 => "the board has 7 to 9 seats, at least half held by active members",
            RuleId::C1 => "coalition decisions: consensus, or one vote per organisation and 50%+1",
            RuleId::C2 => {
                "an organisation joins the coalition with two endorsements and reviews by two other members"
            }
            RuleId::C3 => "a survivor member needs an agency's endorsement of readiness",
            RuleId::C4 => {
                "removal needs prior notice, a 50%+1 vote without the organisation, and an outcome signed by two members"
            }
            RuleId::C5 => {
                "attending under two thirds of the year's coalition meetings means automatic withdrawal"
            }
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something a rule found: a refused write, a warning, a reminder or a broken invariant.
///
/// The message never holds a field value (no names, no personal dates): only rule numbers,
/// counts, field names, record ids and the dates of mandates and general assemblies, so it can
/// be printed or logged on any device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// How serious it is.
    pub severity: Severity,
    /// The kind of record the finding is about.
    pub kind: RecordKind,
    /// That record's id (`None` for organisation-wide findings, e.g. "a GA is due").
    pub record: Option<String>,
    /// What is wrong and what to do next.
    pub message: String,
    /// For reminders and warnings that fall due: the day they do.
    pub due: Option<NaiveDate>,
}

impl Finding {
    pub(crate) fn new(
        rule: RuleId,
        severity: Severity,
        kind: RecordKind,
        record: Option<&str>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            kind,
            record: record.map(str::to_owned),
            message: message.into(),
            due: None,
        }
    }

    pub(crate) fn due(mut self, due: Option<NaiveDate>) -> Finding {
        self.due = due;
        self
    }

    /// Whether this finding refuses a write (or, in `todo`, marks a broken invariant).
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Block
    }

    /// The order findings are listed in: most serious first, then by rule, record and due date.
    #[allow(clippy::type_complexity)]
    fn sort_key(
        &self,
    ) -> (
        Severity,
        RuleId,
        RecordKind,
        Option<&str>,
        Option<NaiveDate>,
        &str,
    ) {
        (
            self.severity,
            self.rule,
            self.kind,
            self.record.as_deref(),
            self.due,
            self.message.as_str(),
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.severity, self.rule, self.kind)?;
        if let Some(id) = &self.record {
            write!(f, " {id}")?;
        }
        if let Some(due) = self.due {
            write!(f, " (due {})", due.format("%Y-%m-%d"))?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Sorts findings into their listing order and drops exact duplicates.
pub(crate) fn sort(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}

/// A record as it would be after a write: a new record, or the whole new state of an edited one
/// (its state before is the one in the snapshot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The record's kind.
    pub kind: RecordKind,
    /// The record's id.
    pub id: String,
    /// Every field the record would hold after the write.
    pub fields: BTreeMap<String, Value>,
}
