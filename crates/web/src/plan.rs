//! What joining, leaving and rejoining record beside a member's status, shared by the command
//! line (`carnet member add|set`) and the web interface so that both write the same records:
//! a new member is a member from today unless told otherwise, and joining records her signature
//! of the member form (rule M1: "immediately become a member"); leaving or being expelled
//! records the day (`left_on`, which rejoining must follow: M5).

use carnet_device::{Device, ReadError, RecordWrite};
use carnet_model::{EditError, EditOp, FieldEdit, RecordKind, Value};
use carnet_replica::RecordId;
use chrono::{DateTime, Utc};

/// Why the records of a member's change could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// An edit is invalid.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The member could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
}

fn edit(kind: RecordKind, name: &'static str, value: &str) -> Result<FieldEdit, EditError> {
    match kind.field(name) {
        Some(f) => f.edit(None, value),
        None => Err(EditError::UnknownField {
            name: name.to_owned(),
            kind,
            accepted: kind.field_names().join(", "),
        }),
    }
}

/// The status an edit sets, if it sets one.
pub fn status_set(edits: &[FieldEdit]) -> Option<&str> {
    edits
        .iter()
        .rev()
        .find_map(|e| match (&e.field.name, &e.op) {
            (&"status", EditOp::Set(Value::Text(s))) => Some(s.as_str()),
            _ => None,
        })
}

fn given(edits: &[FieldEdit], name: &str) -> bool {
    edits.iter().any(|e| e.field.name == name)
}

fn day(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%d").to_string()
}

/// A member-form signature of `person` on `signed` (a date as typed).
fn signature(person: RecordId, signed: &str) -> Result<RecordWrite, EditError> {
    let kind = RecordKind::Signature;
    Ok(RecordWrite {
        kind,
        id: RecordId::random(),
        edits: vec![
            edit(kind, "person", &person.to_string())?,
            edit(kind, "form", "member")?,
            edit(kind, "signed_on", signed)?,
        ],
        create: true,
    })
}

/// The writes of a new member with `edits` (and her signature of the member form on `signed`,
/// or on the day she joins); returns her id first.
pub fn member_add(
    mut edits: Vec<FieldEdit>,
    signed: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(RecordId, Vec<RecordWrite>), EditError> {
    let kind = RecordKind::Member;
    if status_set(&edits).is_none() {
        edits.push(edit(kind, "status", "member")?);
    }
    let joined = matches!(status_set(&edits), Some("member" | "active"));
    if joined && !given(&edits, "member_since") {
        edits.push(edit(kind, "member_since", &day(now))?);
    }
    let id = RecordId::random();
    let mut writes = vec![];
    if joined || signed.is_some() {
        let since = edits.iter().find_map(|e| match (&e.field.name, &e.op) {
            (&"member_since", EditOp::Set(v)) => Some(v.to_string()),
            _ => None,
        });
        let signed = signed
            .map(str::to_owned)
            .or(since)
            .unwrap_or_else(|| day(now));
        writes.push(signature(id, &signed)?);
    }
    writes.insert(
        0,
        RecordWrite {
            kind,
            id,
            edits,
            create: true,
        },
    );
    Ok((id, writes))
}

/// The writes of a change of member `id`: leaving or being expelled records the day; `signed`
/// records a new member-form signature with the change.
pub fn member_set(
    device: &Device,
    id: RecordId,
    mut edits: Vec<FieldEdit>,
    signed: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<RecordWrite>, PlanError> {
    let kind = RecordKind::Member;
    let before = device.show(kind, id)?;
    let was = before.fields.get("status").map(|s| s.value.to_string());
    if let Some(status @ ("left" | "expelled")) = status_set(&edits)
        && was.as_deref() != Some(status)
        && !given(&edits, "left_on")
    {
        edits.push(edit(kind, "left_on", &day(now))?);
    }
    let mut writes = vec![RecordWrite {
        kind,
        id,
        edits,
        create: false,
    }];
    if let Some(signed) = signed {
        writes.push(signature(id, signed)?);
    }
    Ok(writes)
}
