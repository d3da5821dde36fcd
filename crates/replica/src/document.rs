//! One Automerge document (the registry, or one class of one record) and how record fields are
//! laid out in it.
//!
//! Every value sits at the document's root, never in nested objects: two devices that create
//! the same nested map concurrently would lose one side's fields. A scalar field is the root key
//! `name`; a set field is one root key `name/label` per label (value `true`), so that concurrent
//! additions and removals of different labels all survive a merge.

use std::collections::BTreeMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, Change, ChangeHash, ROOT, ReadDoc, ScalarValue};
use carnet_model::{EditOp, FieldEdit, FieldSpec, FieldType, RecordKind, Value};
use chrono::NaiveDate;

use crate::DeviceIdExt;
use crate::envelope::heads_message;
use crate::shape::{OpIndex, check_content};
use crate::{DeviceKey, DocId};

/// A document in memory.
pub struct Doc {
    id: DocId,
    am: Automerge,
    /// The actor epoch local changes are made with (see [`DeviceId::actor`]).
    pub(crate) epoch: u32,
    /// The registry heads the next local change names (in its message).
    registry_heads: Vec<ChangeHash>,
    /// The key of every operation held, to check new changes' predecessors.
    ops: OpIndex,
}

impl std::fmt::Debug for Doc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Doc")
            .field("id", &self.id)
            .field("heads", &self.heads())
            .finish()
    }
}

/// Why a document could not be built or changed.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// Automerge refused the changes.
    #[error("the document's changes cannot be applied")]
    Automerge(#[from] automerge::AutomergeError),
    /// Some changes depend on changes that are missing.
    #[error("the document is missing {0} changes that others depend on")]
    MissingDeps(usize),
    /// A change Automerge could not apply without failing inside (a malformed change).
    #[error("a change is malformed and cannot be applied")]
    Malformed,
    /// The edits are for another kind of record than this document holds.
    #[error("these fields do not belong in this document")]
    WrongDocument,
}

/// The current value of a field, and the other values concurrent edits left.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldState {
    /// The value Automerge chose as the winner.
    pub value: Value,
    /// Values set concurrently that lost; a person should settle them.
    pub conflicts: Vec<Value>,
}

impl Doc {
    /// An empty document.
    pub fn new(id: DocId) -> Self {
        Doc {
            id,
            am: Automerge::new(),
            epoch: 0,
            registry_heads: vec![],
            ops: OpIndex::default(),
        }
    }

    /// The registry heads the next local change is made at: they are written into the change
    /// itself, so its hash (and its author's signature) covers them.
    pub fn set_registry_heads(&mut self, heads: &[ChangeHash]) {
        self.registry_heads = heads.to_vec();
    }

    /// The document rebuilt from its (already verified) changes, in any order.
    pub fn from_changes(id: DocId, changes: Vec<Change>) -> Result<Self, DocError> {
        let mut doc = Doc::new(id);
        doc.apply(changes)?;
        Ok(doc)
    }

    /// Applies (already verified) changes; fails, applying none, if some depend on changes
    /// neither given nor held, or if one is malformed.
    pub fn apply(&mut self, changes: Vec<Change>) -> Result<(), DocError> {
        // What Carnet never writes, and operations overwriting another key's (which Automerge
        // accepts, then panics on), are refused before Automerge sees them.
        let given: std::collections::HashSet<ChangeHash> =
            changes.iter().map(Change::hash).collect();
        let missing: std::collections::HashSet<&ChangeHash> = changes
            .iter()
            .flat_map(|c| c.deps())
            .filter(|d| !given.contains(d) && !self.has(d))
            .collect();
        if !missing.is_empty() {
            return Err(DocError::MissingDeps(missing.len()));
        }
        let decoded = changes
            .iter()
            .map(check_content)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| DocError::Malformed)?;
        self.ops.admit(&decoded).map_err(|_| DocError::Malformed)?;
        // Automerge panics on some malformed changes (found by fuzzing): a signed change from a
        // peer must never crash this device, so a panic is caught and reported. The document
        // is then unusable: the caller rebuilds it from changes known to be good.
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.am.apply_changes(changes)
        }));
        match applied {
            Ok(result) => result?,
            Err(_) => return Err(DocError::Malformed),
        }
        let missing = self.am.get_missing_deps(&[]);
        if !missing.is_empty() {
            return Err(DocError::MissingDeps(missing.len()));
        }
        Ok(())
    }

    /// The document's id.
    pub fn id(&self) -> &DocId {
        &self.id
    }

    /// The document's heads, sorted.
    pub fn heads(&self) -> Vec<ChangeHash> {
        let mut heads = self.am.get_heads();
        heads.sort_unstable();
        heads
    }

    /// The change with this hash, if the document has it.
    pub fn change(&self, hash: &ChangeHash) -> Option<Change> {
        // Automerge can panic reading back changes of a document a malformed change got into
        // (found by fuzzing): treat it as absent rather than crash.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.am.get_change_by_hash(hash)
        }))
        .ok()
        .flatten()
    }

    /// Whether the document holds the change `hash`.
    pub fn has(&self, hash: &ChangeHash) -> bool {
        self.am.get_change_meta_by_hash(hash).is_some()
    }

    /// Every change of the document, in causal order.
    pub fn changes(&self) -> Vec<Change> {
        // As in [`Doc::change`]: never crash on a document made from malformed changes.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.am.get_changes(&[])))
            .unwrap_or_default()
    }

    /// Runs `f` in one Automerge transaction by `key`, committed with `time_ms`; returns the
    /// new change, or `None` if nothing changed.
    pub(crate) fn transact(
        &mut self,
        key: &DeviceKey,
        time_ms: i64,
        f: impl FnOnce(
            &mut automerge::transaction::Transaction<'_>,
        ) -> Result<(), automerge::AutomergeError>,
    ) -> Result<Option<Change>, DocError> {
        self.am.set_actor(key.id().actor(self.epoch));
        let mut tx = self.am.transaction();
        if let Err(e) = f(&mut tx) {
            tx.rollback();
            return Err(e.into());
        }
        let mut options = CommitOptions::default().with_time(time_ms);
        if let Some(message) = heads_message(&self.registry_heads) {
            options = options.with_message(message);
        }
        let (hash, _) = tx.commit_with(options);
        let change = hash.and_then(|h| self.am.get_change_by_hash(&h));
        if let Some(c) = &change {
            let decoded = check_content(c).map_err(|_| DocError::Malformed)?;
            self.ops
                .admit(std::slice::from_ref(&decoded))
                .map_err(|_| DocError::Malformed)?;
        }
        Ok(change)
    }

    /// Every root key with all its concurrent values (first the winner).
    pub(crate) fn root(&self) -> BTreeMap<String, Vec<ScalarValue>> {
        self.root_at(None)
    }

    /// Like [`Doc::root`], as the document was at `heads` (which it must contain).
    pub(crate) fn root_at(
        &self,
        heads: Option<&[ChangeHash]>,
    ) -> BTreeMap<String, Vec<ScalarValue>> {
        let mut out = BTreeMap::new();
        let keys: Vec<String> = match heads {
            Some(h) => self.am.keys_at(ROOT, h).collect(),
            None => self.am.keys(ROOT).collect(),
        };
        for key in keys {
            let all = match heads {
                Some(h) => self.am.get_all_at(ROOT, key.as_str(), h),
                None => self.am.get_all(ROOT, key.as_str()),
            };
            let values: Vec<ScalarValue> = all
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(v, _)| v.into_scalar().ok())
                .collect();
            if !values.is_empty() {
                out.insert(key, values);
            }
        }
        out
    }

    /// Applies people's edits of a record's fields as one change by `key`.
    pub fn edit_record(
        &mut self,
        key: &DeviceKey,
        edits: &[FieldEdit],
        time_ms: i64,
    ) -> Result<Option<Change>, DocError> {
        let class = self.id.class().ok_or(DocError::WrongDocument)?;
        if edits.iter().any(|e| e.field.class != class) {
            return Err(DocError::WrongDocument);
        }
        self.transact(key, time_ms, |tx| {
            for edit in edits {
                let name = edit.field.name;
                let prefix = format!("{name}/");
                // Read the labels as the transaction sees them now, so that several edits of
                // one list in one command apply in order (regression: `+=x` then `-=x` kept x).
                let labels = |tx: &mut automerge::transaction::Transaction<'_>| -> Vec<String> {
                    tx.keys(ROOT)
                        .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned))
                        .collect()
                };

                match &edit.op {
                    EditOp::Set(Value::Set(want)) => {
                        for have in labels(tx) {
                            if !want.contains(&have) {
                                tx.delete(ROOT, format!("{prefix}{have}"))?;
                            }
                        }
                        for label in want {
                            tx.put(ROOT, format!("{prefix}{label}"), true)?;
                        }
                    }
                    EditOp::Set(v) => tx.put(ROOT, name, to_scalar(v))?,
                    EditOp::Clear => {
                        if tx.get(ROOT, name)?.is_some() {
                            tx.delete(ROOT, name)?;
                        }
                        for have in labels(tx) {
                            tx.delete(ROOT, format!("{prefix}{have}"))?;
                        }
                    }
                    EditOp::Add(add) => {
                        for label in add {
                            tx.put(ROOT, format!("{prefix}{label}"), true)?;
                        }
                    }
                    EditOp::Remove(remove) => {
                        for have in labels(tx) {
                            if remove.contains(&have) {
                                tx.delete(ROOT, format!("{prefix}{have}"))?;
                            }
                        }
                    }
                }
            }
            Ok(())
        })
    }

    /// The record fields this document holds, with their conflicts. Keys or values that this
    /// version does not understand (written by a newer one) are left out.
    pub fn record_fields(&self, kind: RecordKind) -> BTreeMap<String, FieldState> {
        let mut out: BTreeMap<String, FieldState> = BTreeMap::new();
        for (key, values) in self.root() {
            if let Some((name, label)) = key.split_once('/') {
                let Some(spec) = kind.field(name).filter(|f| f.ty.is_set()) else {
                    continue;
                };
                let state = out
                    .entry(spec.name.to_owned())
                    .or_insert_with(|| FieldState {
                        value: Value::Set(Default::default()),
                        conflicts: vec![],
                    });
                if let Value::Set(s) = &mut state.value {
                    s.insert(label.to_owned());
                }
            } else if let Some(spec) = kind.field(&key) {
                let mut read = values.iter().filter_map(|v| from_scalar(spec, v));
                if let Some(value) = read.next() {
                    out.insert(
                        key,
                        FieldState {
                            value,
                            conflicts: read.collect(),
                        },
                    );
                }
            }
        }
        out
    }
}

/// How a value is written into a document (sets are written label by label, not here).
fn to_scalar(v: &Value) -> ScalarValue {
    match v {
        Value::Text(t) => ScalarValue::Str(t.as_str().into()),
        Value::Date(d) => ScalarValue::Str(d.format("%Y-%m-%d").to_string().into()),
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Set(_) => ScalarValue::Null,
    }
}

/// Reads a scalar as a value of `spec`'s type, if it is one.
fn from_scalar(spec: &FieldSpec, v: &ScalarValue) -> Option<Value> {
    let value = match (v, spec.ty) {
        (ScalarValue::Str(s), FieldType::Date) => {
            Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?)
        }
        (ScalarValue::Str(s), _) => Value::Text(s.to_string()),
        (ScalarValue::Boolean(b), _) => Value::Bool(*b),
        _ => return None,
    };
    value.fits(&spec.ty).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;
    use carnet_model::FieldClass;

    fn edits(kind: RecordKind, typed: &[&str]) -> Vec<FieldEdit> {
        typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect()
    }

    fn com_doc() -> Doc {
        Doc::new(DocId::record(
            RecordKind::Member,
            RecordId::random(),
            FieldClass::Com,
        ))
    }

    #[test]
    fn fields_round_trip_and_no_op_edits_make_no_change() {
        let key = DeviceKey::generate().unwrap();
        let mut doc = com_doc();
        let m = RecordKind::Member;
        let e = edits(
            m,
            &[
                "display_name=Ọlá",
                "status=member",
                "member_since=2024-03-01",
                "speaks_french=yes",
                "working_groups=media,advocacy",
            ],
        );
        assert!(doc.edit_record(&key, &e, 1).unwrap().is_some());
        let fields = doc.record_fields(m);
        assert_eq!(fields["display_name"].value, Value::Text("Ọlá".into()));
        assert_eq!(fields["member_since"].value.to_string(), "2024-03-01");
        assert_eq!(
            fields["working_groups"].value.to_string(),
            "advocacy, media"
        );
        assert!(
            doc.edit_record(&key, &e, 2).unwrap().is_none(),
            "same values again must not change anything"
        );
        let e = edits(m, &["working_groups-=media", "speaks_french="]);
        doc.edit_record(&key, &e, 3).unwrap();
        let fields = doc.record_fields(m);
        assert_eq!(fields["working_groups"].value.to_string(), "advocacy");
        assert!(!fields.contains_key("speaks_french"));
    }

    #[test]
    fn per_fields_are_refused_in_a_com_document() {
        let key = DeviceKey::generate().unwrap();
        let mut doc = com_doc();
        let e = edits(RecordKind::Member, &["last_name=X"]);
        assert!(matches!(
            doc.edit_record(&key, &e, 1),
            Err(DocError::WrongDocument)
        ));
    }

    #[test]
    fn concurrent_edits_merge_and_keep_conflicts_visible() {
        let (a, b) = (
            DeviceKey::generate().unwrap(),
            DeviceKey::generate().unwrap(),
        );
        let m = RecordKind::Member;
        let mut da = com_doc();
        da.edit_record(
            &a,
            &edits(
                m,
                &["display_name=Joy", "status=member", "working_groups=media"],
            ),
            1,
        )
        .unwrap();
        let mut db = Doc::from_changes(da.id().clone(), da.changes()).unwrap();
        da.edit_record(
            &a,
            &edits(m, &["status=active", "working_groups+=advocacy"]),
            2,
        )
        .unwrap();
        db.edit_record(&b, &edits(m, &["status=left", "working_groups+=roots"]), 2)
            .unwrap();
        da.apply(db.changes()).unwrap();
        db.apply(da.changes()).unwrap();
        assert_eq!(da.heads(), db.heads());
        let (fa, fb) = (da.record_fields(m), db.record_fields(m));
        assert_eq!(fa, fb);
        assert_eq!(
            fa["working_groups"].value.to_string(),
            "advocacy, media, roots"
        );
        assert_eq!(
            fa["status"].conflicts.len(),
            1,
            "the concurrent status must stay visible"
        );
    }

    #[test]
    fn missing_dependencies_are_reported() {
        let key = DeviceKey::generate().unwrap();
        let m = RecordKind::Member;
        let mut doc = com_doc();
        doc.edit_record(&key, &edits(m, &["display_name=A", "status=member"]), 1)
            .unwrap();
        doc.edit_record(&key, &edits(m, &["status=active"]), 2)
            .unwrap();
        let last = doc.changes().pop().unwrap();
        assert!(matches!(
            Doc::from_changes(doc.id().clone(), vec![last]),
            Err(DocError::MissingDeps(1))
        ));
    }
}
