//! The schema: which record kinds exist, which fields they have, each field's type and class.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::FieldClass;

/// The membership statuses a member card accepts (`domain.md` §2, membership life cycle).
pub const MEMBER_STATUSES: &[&str] = &["prospect", "member", "active", "left", "expelled"];

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text on one line.
    Text,
    /// Free text that may span several lines.
    LongText,
    /// A calendar date, written `YYYY-MM-DD`.
    Date,
    /// Yes or no.
    Bool,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A set of short labels (merged item by item when devices edit concurrently).
    Set,
}

impl FieldType {
    /// What a person should type for this field, for help and error messages.
    pub fn expected(&self) -> String {
        match self {
            FieldType::Text => "text on one line".into(),
            FieldType::LongText => "text".into(),
            FieldType::Date => "a date written YYYY-MM-DD".into(),
            FieldType::Bool => "yes or no".into(),
            FieldType::Choice(words) => format!("one of {}", words.join(", ")),
            FieldType::Set => {
                "labels separated by commas (name=a,b sets, name+=a adds, name-=a removes)".into()
            }
        }
    }
}

/// One field of a record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name, as typed in `--field name=value` and stored in documents.
    pub name: &'static str,
    /// The field's class, which decides who may read and write it.
    pub class: FieldClass,
    /// The type of its value.
    pub ty: FieldType,
    /// Whether every record of the kind must have it.
    pub required: bool,
    /// One line of help.
    pub help: &'static str,
}

const fn field(
    name: &'static str,
    class: FieldClass,
    ty: FieldType,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        class,
        ty,
        required: false,
        help,
    }
}

const fn required(
    name: &'static str,
    class: FieldClass,
    ty: FieldType,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        class,
        ty,
        required: true,
        help,
    }
}

use FieldClass::{Com, Per, Pub};
use FieldType::{Bool, Choice, Date, LongText, Set, Text};

static MEMBER_FIELDS: &[FieldSpec] = &[
    required(
        "display_name",
        Com,
        Text,
        "name shown to members; may be a pseudonym",
    ),
    required("status", Com, Choice(MEMBER_STATUSES), "membership status"),
    field(
        "member_since",
        Com,
        Date,
        "date the member signed the rules",
    ),
    field(
        "working_groups",
        Com,
        Set,
        "working groups the member takes part in",
    ),
    field(
        "speaks_french",
        Com,
        Bool,
        "whether the member speaks French",
    ),
    field("first_name", Per, Text, "legal first name"),
    field("last_name", Per, Text, "legal last name"),
    field("date_of_birth", Per, Date, "date of birth"),
    field("nationality", Per, Text, "nationality"),
    field("phone", Per, Text, "phone number or messaging handle"),
    field("address", Per, LongText, "postal address"),
    field("city", Per, Text, "city of residence"),
    field(
        "immigration_status",
        Per,
        Text,
        "immigration or residence status",
    ),
    field(
        "referring_organisation",
        Per,
        Text,
        "charity that referred the member",
    ),
    field("case_notes", Per, LongText, "staff case notes"),
];

static PROJECT_FIELDS: &[FieldSpec] = &[
    required("title", Pub, Text, "project title"),
    field("period_start", Pub, Date, "first day of the project"),
    field("period_end", Pub, Date, "last day of the project"),
    field("aims", Pub, LongText, "what the project aims at"),
    field("partners", Pub, Set, "partner organisations"),
    field("funders", Pub, Set, "funders"),
    field(
        "targets",
        Com,
        LongText,
        "targets, e.g. 10 families rehoused over 2 years",
    ),
    field("progress", Com, LongText, "progress against the targets"),
];

/// A kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    /// A member: card (COM) and personal file (PER).
    Member,
    /// A project: public description (PUB), targets and progress (COM).
    Project,
}

impl RecordKind {
    /// Every record kind.
    pub const ALL: [RecordKind; 2] = [RecordKind::Member, RecordKind::Project];

    /// The name used in document ids and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Member => "member",
            RecordKind::Project => "project",
        }
    }

    /// The fields of this kind, in display order.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            RecordKind::Member => MEMBER_FIELDS,
            RecordKind::Project => PROJECT_FIELDS,
        }
    }

    /// The field named `name`, if this kind has one.
    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// The field that names a record of this kind in lists and lookups.
    pub fn label_field(self) -> &'static str {
        match self {
            RecordKind::Member => "display_name",
            RecordKind::Project => "title",
        }
    }

    /// The classes this kind has fields in, in [`FieldClass::ALL`] order: one document each.
    pub fn classes(self) -> Vec<FieldClass> {
        FieldClass::ALL
            .into_iter()
            .filter(|c| self.fields().iter().any(|f| f.class == *c))
            .collect()
    }

    /// The names of all fields, for messages listing what is accepted.
    pub fn field_names(self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.name).collect()
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A record kind name that is not one of [`RecordKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown record kind (accepted: member, project)")]
pub struct UnknownKind;

impl FromStr for RecordKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or(UnknownKind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_unique_name_without_separators() {
        for kind in RecordKind::ALL {
            let mut names = kind.field_names();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), kind.fields().len(), "{kind}");
            for f in kind.fields() {
                assert!(!f.name.contains('/') && !f.name.contains('='), "{}", f.name);
            }
            assert!(kind.field(kind.label_field()).is_some_and(|f| f.required));
        }
    }

    #[test]
    fn personal_file_fields_are_per() {
        let member = RecordKind::Member;
        for name in [
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "address",
            "case_notes",
        ] {
            assert_eq!(
                member.field(name).map(|f| f.class),
                Some(FieldClass::Per),
                "{name}"
            );
        }
        assert_eq!(member.classes(), vec![FieldClass::Com, FieldClass::Per]);
        assert_eq!(
            RecordKind::Project.classes(),
            vec![FieldClass::Pub, FieldClass::Com]
        );
    }
}
