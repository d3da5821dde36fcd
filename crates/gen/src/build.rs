//! Building records field by field into the snapshot, collecting every personal (PER) value on
//! the way for canary scans.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{FieldClass, FieldType, Record, RecordKind, Snapshot, Value, normalize};
use chrono::NaiveDate;

/// What has been generated so far.
#[derive(Default)]
pub(crate) struct Out {
    pub(crate) snapshot: Snapshot,
    /// Personal values, with repeats (sorted and deduplicated once at the end).
    pub(crate) personal: Vec<String>,
}

/// `s` in Unicode NFC, as the model stores text (ASCII already is: most values, every id).
fn nfc(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        normalize(s)
    }
}

/// One record being built. Text is stored NFC-normalised and trimmed, as the model stores what
/// people type; empty text and empty sets are left out (the model reads them as "clear").
pub(crate) struct Rec {
    kind: RecordKind,
    fields: BTreeMap<String, Value>,
}

impl Rec {
    pub(crate) fn new(kind: RecordKind) -> Rec {
        Rec {
            kind,
            fields: BTreeMap::new(),
        }
    }

    fn put(mut self, name: &str, value: Value) -> Rec {
        debug_assert!(
            self.kind.field(name).is_some(),
            "{} has no field {name}",
            self.kind
        );
        self.fields.insert(name.to_owned(), value);
        self
    }

    /// Text, a choice word, a reference or a count.
    pub(crate) fn text(self, name: &str, value: impl AsRef<str>) -> Rec {
        let multi_line = matches!(
            self.kind.field(name).map(|f| f.ty),
            Some(FieldType::LongText)
        );
        let v = nfc(value.as_ref());
        let v = if multi_line { v } else { v.trim().to_owned() };
        if v.trim().is_empty() {
            return self;
        }
        self.put(name, Value::Text(v))
    }

    /// An optional text.
    pub(crate) fn opt(self, name: &str, value: Option<impl AsRef<str>>) -> Rec {
        match value {
            Some(v) => self.text(name, v),
            None => self,
        }
    }

    /// A count.
    pub(crate) fn count(self, name: &str, value: u64) -> Rec {
        self.put(name, Value::Text(value.to_string()))
    }

    /// A date.
    pub(crate) fn date(self, name: &str, value: NaiveDate) -> Rec {
        self.put(name, Value::Date(value))
    }

    /// An optional date.
    pub(crate) fn opt_date(self, name: &str, value: Option<NaiveDate>) -> Rec {
        match value {
            Some(d) => self.date(name, d),
            None => self,
        }
    }

    /// Yes or no.
    pub(crate) fn flag(self, name: &str, value: bool) -> Rec {
        self.put(name, Value::Bool(value))
    }

    /// A set of labels or of record ids.
    pub(crate) fn set<I, S>(self, name: &str, items: I) -> Rec
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let set: BTreeSet<String> = items
            .into_iter()
            .map(|s| nfc(s.as_ref()).trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if set.is_empty() {
            return self;
        }
        self.put(name, Value::Set(set))
    }

    /// Stores the record under `id`, noting its personal values.
    pub(crate) fn finish(self, out: &mut Out, id: &str) {
        for (name, value) in &self.fields {
            let Some(spec) = self.kind.field(name) else {
                continue;
            };
            // Choice words (a welfare outcome) are vocabulary shared by every record, not a
            // value that could single anyone out; record ids (a referral's `person`) are random
            // and name documents in the store's keys by design — what is personal is the link,
            // which stays sealed. Everything else personal is kept for scans.
            let vocabulary = matches!(
                spec.ty,
                FieldType::Choice(_) | FieldType::Ref(_) | FieldType::RefSet(_)
            );
            if spec.class == FieldClass::Per && !vocabulary {
                out.personal.push(value.to_string());
            }
        }
        out.snapshot.insert(
            self.kind,
            id,
            Record {
                fields: self.fields,
            },
        );
    }
}
