//! Field edits typed by people (`name=value`, `name+=a`, `name-=a`) and whole-record checks.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::value::{ValueProblem, is_record_id, parse_labels};
use crate::{FieldClass, FieldSpec, FieldType, RecordKind, Value};

/// What an edit does to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// Replace the value (a set is replaced as a whole).
    Set(Value),
    /// Remove the value.
    Clear,
    /// Add labels to a set.
    Add(BTreeSet<String>),
    /// Remove labels from a set.
    Remove(BTreeSet<String>),
}

/// A validated change to one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    /// The field edited.
    pub field: &'static FieldSpec,
    /// What is done to it.
    pub op: EditOp,
}

/// `edits` of a record of `kind` grouped by the class of the field each touches, in the
/// order of `kind`'s classes, classes without edits left out: one document is written per
/// class (every writer — the device, and the test kit's forgeries — splits edits this way).
pub fn edits_by_class(kind: RecordKind, edits: &[FieldEdit]) -> Vec<(FieldClass, Vec<FieldEdit>)> {
    kind.classes()
        .into_iter()
        .filter_map(|class| {
            let of_class: Vec<FieldEdit> = edits
                .iter()
                .filter(|e| e.field.class == class)
                .cloned()
                .collect();
            (!of_class.is_empty()).then_some((class, of_class))
        })
        .collect()
}

/// Why an edit typed by a person was refused. Messages never repeat the value typed, which may
/// be personal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// Not of the form `name=value`, `name+=value` or `name-=value`.
    #[error("expected name=value, name+=value or name-=value; fields of a {kind}: {accepted}")]
    Syntax {
        /// The record kind edited.
        kind: RecordKind,
        /// The accepted field names, comma-separated.
        accepted: String,
    },
    /// The kind has no field of that name.
    #[error("unknown field `{name}` for a {kind}; accepted: {accepted}")]
    UnknownField {
        /// The name typed.
        name: String,
        /// The record kind edited.
        kind: RecordKind,
        /// The accepted field names, comma-separated.
        accepted: String,
    },
    /// The value does not fit the field.
    #[error("invalid value for field `{field}` ({class}): {problem}")]
    BadValue {
        /// The field.
        field: &'static str,
        /// The field's class.
        class: FieldClass,
        /// What is wrong and what is accepted.
        problem: String,
    },
    /// `+=` or `-=` on a field that is not a set.
    #[error("field `{field}` is not a list: use {field}=value")]
    NotASet {
        /// The field.
        field: &'static str,
    },
    /// A required field given an empty value.
    #[error("field `{field}` is required and cannot be emptied")]
    Required {
        /// The field.
        field: &'static str,
    },
}

impl RecordKind {
    /// Reads one `name=value` (or `name+=value`, `name-=value`) edit typed by a person.
    pub fn parse_edit(self, input: &str) -> Result<FieldEdit, EditError> {
        let accepted = || self.field_names().join(", ");
        let Some((lhs, rhs)) = input.split_once('=') else {
            return Err(EditError::Syntax {
                kind: self,
                accepted: accepted(),
            });
        };
        let (name, mode) = match lhs.as_bytes().last() {
            Some(b'+') => (&lhs[..lhs.len() - 1], Some(true)),
            Some(b'-') => (&lhs[..lhs.len() - 1], Some(false)),
            _ => (lhs, None),
        };
        let name = name.trim();
        let field = self
            .field(name)
            .or_else(|| self.field(&name.replace('-', "_")))
            .ok_or_else(|| EditError::UnknownField {
                name: name.chars().take(64).collect(),
                kind: self,
                accepted: accepted(),
            })?;
        field.edit(mode, rhs)
    }
}

impl FieldSpec {
    fn bad(&'static self, problem: ValueProblem) -> EditError {
        EditError::BadValue {
            field: self.name,
            class: self.class,
            problem: problem.describe(&self.ty),
        }
    }

    /// Builds an edit of this field from typed input; `add` is `Some(true)` for `+=`,
    /// `Some(false)` for `-=`, `None` for `=`.
    pub fn edit(&'static self, add: Option<bool>, input: &str) -> Result<FieldEdit, EditError> {
        let op = match add {
            Some(add) => {
                if !self.ty.is_set() {
                    return Err(EditError::NotASet { field: self.name });
                }
                let labels = parse_labels(input).map_err(|p| self.bad(p))?;
                if let FieldType::RefSet(_) = self.ty
                    && !labels.iter().all(|l| is_record_id(l))
                {
                    return Err(self.bad(ValueProblem::WrongType));
                }
                if add {
                    EditOp::Add(labels)
                } else {
                    EditOp::Remove(labels)
                }
            }
            None if input.trim().is_empty() => {
                if self.required {
                    return Err(EditError::Required { field: self.name });
                }
                EditOp::Clear
            }
            None => EditOp::Set(Value::parse(&self.ty, input).map_err(|p| self.bad(p))?),
        };
        Ok(FieldEdit { field: self, op })
    }
}

impl FieldEdit {
    /// Applies the edit to a plain view of a record's fields.
    pub fn apply_to(&self, fields: &mut BTreeMap<String, Value>) {
        let name = self.field.name.to_owned();
        match &self.op {
            EditOp::Set(v) => {
                fields.insert(name, v.clone());
            }
            EditOp::Clear => {
                fields.remove(&name);
            }
            EditOp::Add(labels) => {
                let entry = fields
                    .entry(name)
                    .or_insert_with(|| Value::Set(BTreeSet::new()));
                if let Value::Set(s) = entry {
                    s.extend(labels.iter().cloned());
                }
            }
            EditOp::Remove(labels) => {
                if let Some(Value::Set(s)) = fields.get_mut(&name) {
                    s.retain(|l| !labels.contains(l));
                    if s.is_empty() {
                        fields.remove(&name);
                    }
                }
            }
        }
    }
}

/// Why a record as a whole is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// A required field has no value.
    #[error("field `{field}` is required for a {kind}")]
    Missing {
        /// The record kind.
        kind: RecordKind,
        /// The missing field.
        field: &'static str,
    },
    /// A date lies in the future where it cannot.
    #[error("field `{field}` cannot be a date in the future")]
    Future {
        /// The field.
        field: &'static str,
    },
    /// A period ends before it starts.
    #[error("field `{end}` is before `{start}`")]
    PeriodReversed {
        /// The field holding the first day.
        start: &'static str,
        /// The field holding the last day.
        end: &'static str,
    },
}

/// Checks a whole record after edits: required fields, dates in the past, ordered periods.
pub fn check_record(
    kind: RecordKind,
    fields: &BTreeMap<String, Value>,
    today: NaiveDate,
) -> Result<(), RecordError> {
    for f in kind.fields() {
        if f.required && !fields.contains_key(f.name) {
            return Err(RecordError::Missing {
                kind,
                field: f.name,
            });
        }
    }
    let date = |name: &str| match fields.get(name) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    };
    let past_only: &[&'static str] = match kind {
        RecordKind::Member => &["date_of_birth", "member_since", "left_on"],
        RecordKind::Signature => &["signed_on"],
        RecordKind::Welfare => &["checked_on"],
        _ => &[],
    };
    for field in past_only {
        if date(field).is_some_and(|d| d > today) {
            return Err(RecordError::Future { field });
        }
    }
    for (start, end) in [
        ("period_start", "period_end"),
        ("start", "end"),
        ("started_on", "ended_on"),
    ] {
        if let (Some(s), Some(e)) = (date(start), date(end))
            && e < s
        {
            return Err(RecordError::PeriodReversed { start, end });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn edits_parse_and_name_the_field_on_error() {
        let m = RecordKind::Member;
        assert!(
            matches!(m.parse_edit("status=Active"), Ok(FieldEdit { op: EditOp::Set(Value::Text(t)), .. }) if t == "active")
        );
        let err = m.parse_edit("date_of_birth=31/12/1990").unwrap_err();
        assert!(err.to_string().contains("date_of_birth"), "{err}");
        assert!(!err.to_string().contains("1990"), "value leaked: {err}");
        assert!(matches!(
            m.parse_edit("shoe_size=42"),
            Err(EditError::UnknownField { .. })
        ));
        assert!(matches!(
            m.parse_edit("status"),
            Err(EditError::Syntax { .. })
        ));
        assert!(matches!(
            m.parse_edit("status+=left"),
            Err(EditError::NotASet { .. })
        ));
        assert!(matches!(
            m.parse_edit("display_name="),
            Err(EditError::Required { .. })
        ));
        assert!(matches!(
            m.parse_edit("phone="),
            Ok(FieldEdit {
                op: EditOp::Clear,
                ..
            })
        ));
        assert!(matches!(
            m.parse_edit("working-groups+=media"),
            Ok(FieldEdit {
                op: EditOp::Add(_),
                ..
            })
        ));
    }

    #[test]
    fn set_edits_apply() {
        let m = RecordKind::Member;
        let mut fields = BTreeMap::new();
        for e in [
            "working_groups=media,advocacy",
            "working_groups+=roots",
            "working_groups-=media",
        ] {
            m.parse_edit(e).unwrap().apply_to(&mut fields);
        }
        assert_eq!(
            fields
                .get("working_groups")
                .map(ToString::to_string)
                .as_deref(),
            Some("advocacy, roots")
        );
    }

    #[test]
    fn records_are_checked_whole() {
        let p = RecordKind::Project;
        let mut fields = BTreeMap::new();
        assert!(matches!(
            check_record(p, &fields, today()),
            Err(RecordError::Missing { field: "title", .. })
        ));
        for e in [
            "title=EVA",
            "period_start=2024-01-01",
            "period_end=2023-01-01",
        ] {
            p.parse_edit(e).unwrap().apply_to(&mut fields);
        }
        assert_eq!(
            check_record(p, &fields, today()),
            Err(RecordError::PeriodReversed {
                start: "period_start",
                end: "period_end"
            })
        );
        let mut member = BTreeMap::new();
        for e in [
            "display_name=A",
            "status=member",
            "date_of_birth=2030-01-01",
        ] {
            RecordKind::Member
                .parse_edit(e)
                .unwrap()
                .apply_to(&mut member);
        }
        assert!(matches!(
            check_record(RecordKind::Member, &member, today()),
            Err(RecordError::Future { .. })
        ));
    }
}
