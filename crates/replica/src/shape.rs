//! What a change may contain before any Automerge document is given it.
//!
//! Carnet's documents hold scalar values at their root only (see [`crate::Doc`]), so every
//! honest change is a list of `put` (a scalar) and `delete` operations on root keys. Anything
//! else — nested objects, lists, counters, text — is refused, and so are encodings that are not
//! Automerge's own (Automerge would give such a change back under another hash) and operations
//! that name as their predecessor an operation on another key or one that does not exist
//! (Automerge 0.12 accepts such a change, then panics reading the document's changes back; a
//! hostile insider could make a registry unreadable with one). All found by fuzzing: see
//! `tests/fuzz_regressions.rs`.

use std::collections::HashMap;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{ActorId, Change, ExpandedChange, ScalarValue};

/// Why a change's content is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// Automerge cannot decode it, or its bytes are not Automerge's canonical encoding of it.
    #[error("the change is not canonically encoded")]
    NotCanonical,
    /// It holds an operation Carnet never makes (nested objects, lists, counters, text).
    #[error("the change holds an operation carnet never makes")]
    Operation,
    /// An operation overwrites one that is not on its key, or that the document lacks.
    #[error("an operation names a predecessor on another key or one that does not exist")]
    Predecessor,
    /// It names more registry heads than a change can.
    #[error("the change's registry heads are malformed")]
    Heads,
}

/// The change decoded, if its bytes are Automerge's canonical encoding of it and every
/// operation is a root `put` of a scalar or a root `delete`.
pub(crate) fn check_content(change: &Change) -> Result<ExpandedChange, ShapeError> {
    // Automerge 0.12 panics decoding some malformed changes (a `pred` naming an actor index the
    // change does not list): refused, never a crash.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let decoded = change.decode();
        let again = Change::from(decoded.clone());
        (decoded, again)
    }));
    let Ok((decoded, again)) = decoded else {
        return Err(ShapeError::NotCanonical);
    };
    if again.raw_bytes() != change.raw_bytes() {
        return Err(ShapeError::NotCanonical);
    }
    for op in &decoded.operations {
        let scalar = match &op.action {
            OpType::Put(ScalarValue::Counter(_)) => false,
            OpType::Put(_) | OpType::Delete => true,
            _ => false,
        };
        if !scalar || op.insert || op.obj != ObjectId::Root || !matches!(op.key, Key::Map(_)) {
            return Err(ShapeError::Operation);
        }
    }
    Ok(decoded)
}

/// Which root key every operation of a document was on, to check the predecessors of the
/// operations of new changes before Automerge sees them.
#[derive(Debug, Default, Clone)]
pub(crate) struct OpIndex {
    keys: HashMap<(u64, ActorId), String>,
}

impl OpIndex {
    /// Checks the operations of `changes` (already through [`check_content`]) against the
    /// operations held and each other, and records them. On error nothing is recorded.
    pub(crate) fn admit(&mut self, changes: &[ExpandedChange]) -> Result<(), ShapeError> {
        let mut new: HashMap<(u64, ActorId), String> = HashMap::new();
        for c in changes {
            for (i, op) in c.operations.iter().enumerate() {
                let Key::Map(key) = &op.key else {
                    return Err(ShapeError::Operation);
                };
                let id = (c.start_op.get() + i as u64, c.actor_id.clone());
                new.insert(id, key.to_string());
            }
        }
        for c in changes {
            for (i, op) in c.operations.iter().enumerate() {
                let Key::Map(key) = &op.key else {
                    return Err(ShapeError::Operation);
                };
                let counter = c.start_op.get() + i as u64;
                for pred in op.pred.iter() {
                    let id = (pred.0, pred.1.clone());
                    let on = self.keys.get(&id).or_else(|| new.get(&id));
                    // A predecessor is an earlier operation on the same key.
                    if pred.0 >= counter || on.is_none_or(|k| k.as_str() != key.as_str()) {
                        return Err(ShapeError::Predecessor);
                    }
                }
            }
        }
        self.keys.extend(new);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceIdExt, DeviceKey, Doc, DocId, OrgId, RecordId, SignedChange, VerifyError};
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT};
    use carnet_model::{FieldClass, RecordKind};

    fn doc() -> Doc {
        Doc::new(DocId::record(
            RecordKind::Member,
            RecordId::random(),
            FieldClass::Com,
        ))
    }

    /// Nested objects, lists and counters are never written by Carnet: a change holding one is
    /// refused at the door, whoever signed it.
    #[test]
    fn changes_with_operations_carnet_never_makes_are_refused() {
        let key = DeviceKey::generate().unwrap();
        let org = OrgId::random();
        let d = doc();
        let mut am = automerge::Automerge::new().with_actor(key.id().actor(0));
        let mut tx = am.transaction();
        tx.put_object(ROOT, "display_name", ObjType::Map).unwrap();
        tx.commit();
        let nested = am.get_last_local_change().unwrap();
        let mut tx = am.transaction();
        tx.put(ROOT, "status", ScalarValue::counter(1)).unwrap();
        tx.commit();
        let counter = am.get_last_local_change();
        for change in std::iter::once(nested).chain(counter) {
            assert_eq!(check_content(&change).unwrap_err(), ShapeError::Operation);
            let signed = SignedChange::sign(&key, &org, d.id(), &change);
            assert_eq!(
                signed.verify(&org, d.id()).unwrap_err(),
                VerifyError::Shape(ShapeError::Operation)
            );
        }
    }

    /// Honest changes — puts and deletes at the root, overwriting what was there — pass.
    #[test]
    fn root_puts_and_deletes_pass() {
        let key = DeviceKey::generate().unwrap();
        let mut d = doc();
        let kind = RecordKind::Member;
        for typed in [
            "display_name=Joy",
            "working_groups=media,advocacy",
            "working_groups-=media",
            "display_name=Ada",
        ] {
            let change = d
                .edit_record(&key, &[kind.parse_edit(typed).unwrap()], 1)
                .unwrap()
                .unwrap();
            assert!(check_content(&change).is_ok(), "{typed}");
        }
        let again = Doc::from_changes(d.id().clone(), d.changes()).unwrap();
        assert_eq!(again.heads(), d.heads());
    }
}
