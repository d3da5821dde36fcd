//! How a record is named for people in lists of findings (`carnet todo` and *Aujourd'hui*):
//! its display name or title, or, for a record whose label is a reference (a signature's
//! person…), the label of the record it names.

use carnet_model::{FieldType, RecordKind, Snapshot, Value};

/// The label of record `id` of `kind`, if held.
pub fn record_label(snapshot: &Snapshot, kind: RecordKind, id: &str) -> Option<String> {
    let record = snapshot.get(kind, id)?;
    let value = record.get(kind.label_field())?;
    if let (Some(spec), Value::Text(t)) = (kind.field(kind.label_field()), value)
        && let FieldType::Ref(target) = spec.ty
    {
        return record_label(snapshot, target, t);
    }
    Some(value.to_string())
}
