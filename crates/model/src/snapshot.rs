//! A plain, in-memory view of every record a device can read: what life-cycle rules, reports
//! and exports are computed from (no Automerge, no store).

use std::collections::BTreeMap;

use crate::{RecordKind, Value};

/// One record: its kind, its id (a lowercase hyphenated UUID) and the fields the device holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// The fields, by name (only those of classes the device may read).
    pub fields: BTreeMap<String, Value>,
}

impl Record {
    /// The value of `field`, if set.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }

    /// The text (or choice, or reference) in `field`.
    pub fn text(&self, field: &str) -> Option<&str> {
        match self.fields.get(field) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The date in `field`.
    pub fn date(&self, field: &str) -> Option<chrono::NaiveDate> {
        match self.fields.get(field) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// The yes/no in `field`.
    pub fn flag(&self, field: &str) -> Option<bool> {
        match self.fields.get(field) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The labels (or ids) in the set `field`; empty when unset.
    pub fn set(&self, field: &str) -> impl Iterator<Item = &str> {
        let set = match self.fields.get(field) {
            Some(Value::Set(s)) => Some(s),
            _ => None,
        };
        set.into_iter().flatten().map(String::as_str)
    }

    /// The count in `field`.
    pub fn count(&self, field: &str) -> Option<u64> {
        self.fields.get(field).and_then(Value::as_count)
    }
}

/// Every record a device holds, by kind then id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Records by kind, then by id.
    pub records: BTreeMap<RecordKind, BTreeMap<String, Record>>,
}

impl Snapshot {
    /// Adds (or replaces) a record.
    pub fn insert(&mut self, kind: RecordKind, id: impl Into<String>, record: Record) {
        self.records
            .entry(kind)
            .or_default()
            .insert(id.into(), record);
    }

    /// The records of `kind`, with their ids.
    pub fn of(&self, kind: RecordKind) -> impl Iterator<Item = (&str, &Record)> {
        self.records
            .get(&kind)
            .into_iter()
            .flatten()
            .map(|(id, r)| (id.as_str(), r))
    }

    /// The record `id` of `kind`.
    pub fn get(&self, kind: RecordKind, id: &str) -> Option<&Record> {
        self.records.get(&kind).and_then(|m| m.get(id))
    }
}
