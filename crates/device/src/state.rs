//! What `docs-1` holds per document: its heads, the projection of its fields that lists and
//! lookups read without loading the Automerge document, and the verdicts on its changes (the
//! quarantine and what waits).

use std::collections::BTreeMap;

use carnet_model::RecordKind;
use carnet_replica::{ChangeHash, DocLedger, FieldState, Reason};
use serde::{Deserialize, Serialize};

/// The stored state of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) struct DocState {
    /// The heads of the document made of its valid changes, sorted.
    pub(crate) heads: Vec<[u8; 32]>,
    /// Current field values (empty for the registry).
    pub(crate) fields: BTreeMap<String, FieldState>,
    /// Rejected changes and why: the quarantine.
    pub(crate) rejected: Vec<([u8; 32], Reason)>,
    /// Changes waiting for changes not received yet.
    pub(crate) pending: Vec<[u8; 32]>,
    /// Every change held that is not rejected (valid or waiting), sorted: what sync compares
    /// and hands out.
    pub(crate) held: Vec<[u8; 32]>,
}

/// The held (not rejected) change hashes of a ledger, sorted.
pub(crate) fn held_of(ledger: &DocLedger) -> Vec<[u8; 32]> {
    held(ledger.received().keys().copied(), ledger.evaluation())
}

fn held(
    received: impl Iterator<Item = ChangeHash>,
    eval: &carnet_replica::Evaluation,
) -> Vec<[u8; 32]> {
    // Valid changes only: waiting and rejected ones are never forwarded nor counted as held
    // (a change waiting for a dependency withheld on purpose goes no further).
    let mut out: Vec<[u8; 32]> = received
        .filter(|h| !eval.rejected.contains_key(h) && !eval.pending.contains(h))
        .map(|h| h.0)
        .collect();
    out.sort_unstable();
    out
}

impl DocState {
    /// The state of a ledger's document.
    pub(crate) fn of(ledger: &DocLedger, kind: Option<RecordKind>) -> Self {
        let eval = ledger.evaluation();
        DocState {
            heads: ledger.doc().heads().iter().map(|h| h.0).collect(),
            fields: kind
                .map(|k| ledger.doc().record_fields(k))
                .unwrap_or_default(),
            rejected: eval
                .rejected
                .iter()
                .map(|(h, r)| (h.0, r.clone()))
                .collect(),
            pending: eval.pending.iter().map(|h| h.0).collect(),
            held: held(ledger.received().keys().copied(), eval),
        }
    }

    /// The state of the registry.
    pub(crate) fn of_registry(ledger: &carnet_replica::RegistryLedger) -> Self {
        let eval = ledger.evaluation();
        DocState {
            heads: ledger.doc().heads().iter().map(|h| h.0).collect(),
            fields: BTreeMap::new(),
            rejected: eval
                .rejected
                .iter()
                .map(|(h, r)| (h.0, r.clone()))
                .collect(),
            pending: eval.pending.iter().map(|h| h.0).collect(),
            held: held(ledger.received().keys().copied(), eval),
        }
    }

    pub(crate) fn rejected(&self) -> impl Iterator<Item = (ChangeHash, &Reason)> {
        self.rejected.iter().map(|(h, r)| (ChangeHash(*h), r))
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}
