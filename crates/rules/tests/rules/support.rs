//! Small builders for snapshots, records and proposals, and queries on findings.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{Record, RecordKind, Snapshot, Value};
use carnet_rules::{Finding, Proposal, RuleId, Severity};
use chrono::NaiveDate;

/// A calendar day.
pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

/// The day most tests run on.
pub(crate) fn today() -> NaiveDate {
    day(2026, 3, 1)
}

/// A record id made from a number (a valid lowercase UUID).
pub(crate) fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Fields of a record, built by chaining.
#[derive(Debug, Clone, Default)]
pub(crate) struct R(pub(crate) BTreeMap<String, Value>);

impl R {
    pub(crate) fn text(mut self, field: &str, value: &str) -> R {
        self.0.insert(field.into(), Value::Text(value.into()));
        self
    }
    pub(crate) fn date(mut self, field: &str, value: NaiveDate) -> R {
        self.0.insert(field.into(), Value::Date(value));
        self
    }
    pub(crate) fn flag(mut self, field: &str, value: bool) -> R {
        self.0.insert(field.into(), Value::Bool(value));
        self
    }
    pub(crate) fn set(mut self, field: &str, values: &[&str]) -> R {
        let set: BTreeSet<String> = values.iter().map(|v| (*v).to_owned()).collect();
        self.0.insert(field.into(), Value::Set(set));
        self
    }
    pub(crate) fn ids(self, field: &str, ids: &[&String]) -> R {
        let ids: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        self.set(field, &ids)
    }
    pub(crate) fn count(self, field: &str, n: u64) -> R {
        self.text(field, &n.to_string())
    }
    pub(crate) fn without(mut self, field: &str) -> R {
        self.0.remove(field);
        self
    }
}

/// A member with a status.
pub(crate) fn member(status: &str) -> R {
    R::default()
        .text("display_name", "Test member")
        .text("status", status)
}

/// An active member since a day.
pub(crate) fn active_member(since: NaiveDate) -> R {
    member("active").date("active_since", since)
}

/// A signature of `form` by `person`.
pub(crate) fn signature(person: &str, form: &str, signed_on: NaiveDate) -> R {
    R::default()
        .text("person", person)
        .text("form", form)
        .date("signed_on", signed_on)
}

/// An application of `person` with a decision.
pub(crate) fn application(person: &str, decision: &str) -> R {
    R::default()
        .text("person", person)
        .text("decision", decision)
}

/// A mandate of `role` held by `holder` from `start` to `end`.
pub(crate) fn mandate(role: &str, holder: &str, start: NaiveDate, end: NaiveDate) -> R {
    R::default()
        .text("role", role)
        .text("holder", holder)
        .date("start", start)
        .date("end", end)
}

/// A spokesperson mandate with consent recorded.
pub(crate) fn spokesperson(holder: &str, start: NaiveDate, end: NaiveDate) -> R {
    mandate("spokesperson", holder, start, end).date("exposure_consent_on", start)
}

/// A vote of `kind` with a result.
pub(crate) fn vote(kind: &str, result: &str, held_on: NaiveDate) -> R {
    R::default()
        .text("title", "A vote")
        .text("kind", kind)
        .text("result", result)
        .date("held_on", held_on)
}

/// A partner organisation with a coalition status.
pub(crate) fn partner(status: &str) -> R {
    R::default()
        .text("name", "An organisation")
        .text("coalition_status", status)
}

/// An activity on a day, with the members present.
pub(crate) fn activity(on: NaiveDate, present: &[&String]) -> R {
    R::default()
        .text("title", "An activity")
        .text("type", "workshop")
        .date("date", on)
        .ids("present", present)
}

/// A snapshot builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct S(pub(crate) Snapshot);

impl S {
    pub(crate) fn with(mut self, kind: RecordKind, id: &str, record: R) -> S {
        self.0.insert(kind, id, Record { fields: record.0 });
        self
    }
    pub(crate) fn snap(&self) -> &Snapshot {
        &self.0
    }
}

/// A proposed record.
pub(crate) fn propose(kind: RecordKind, id: &str, record: R) -> Proposal {
    Proposal {
        kind,
        id: id.into(),
        fields: record.0,
    }
}

/// The existing record `id` of `kind` in `snap`, to edit.
pub(crate) fn existing(snap: &S, kind: RecordKind, id: &str) -> R {
    R(snap
        .0
        .get(kind, id)
        .map(|r| r.fields.clone())
        .unwrap_or_default())
}

/// Whether some finding of `rule` refuses the write.
pub(crate) fn blocks(findings: &[Finding], rule: RuleId) -> bool {
    findings
        .iter()
        .any(|f| f.rule == rule && f.severity == Severity::Block)
}

/// The findings of `rule`.
pub(crate) fn of(findings: &[Finding], rule: RuleId) -> Vec<&Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

/// Whether a finding of `rule` and `severity` is about record `id`.
pub(crate) fn has(
    findings: &[Finding],
    rule: RuleId,
    severity: Severity,
    record: Option<&str>,
) -> bool {
    findings
        .iter()
        .any(|f| f.rule == rule && f.severity == severity && f.record.as_deref() == record)
}
