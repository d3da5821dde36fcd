//! What a device keeps of changes that are not part of a document (issue 15, item 2: no
//! device can fill another's disk). A change whose author the registry does not name is never
//! kept (`receive.rs` refuses it before anything is stored); a change waiting for changes not
//! received yet, or rejected by the rules, is kept only within bounds per document and per
//! author — beyond them it is not stored (a peer that holds it valid sends it again once its
//! dependencies are here); a revoked device's waiting changes are dropped when the revocation
//! arrives. Waiting and rejected changes are never forwarded nor counted as held (`state.rs`).
//! What was not kept is counted, and `carnet quarantine` shows the bounds and the counts.
//!
//! Waiting changes are also bounded across documents ([`MAX_WAITING_PER_AUTHOR_ALL`] per
//! author, [`MAX_WAITING_ALL`] in all): a new record id makes a new document, so bounds per
//! document alone let an enrolled device make a peer keep 256 waiting changes in each of as
//! many documents as it names. The counts across documents ([`Waiting`], info key
//! `bounds-waiting`) follow every delivery; paths that drop waiting changes without a delivery
//! (a revocation, a deleted document) leave them too high, so before a change is dropped for
//! a bound across documents they are counted again from the documents themselves.

use std::collections::{BTreeMap, BTreeSet};

use carnet_replica::{ChangeHash, DeviceId, DocLedger, Received, Registry};
use serde::{Deserialize, Serialize};

/// The most changes of one author a document keeps waiting for their dependencies.
pub const MAX_WAITING_PER_AUTHOR: usize = 256;
/// The most changes a document keeps waiting for their dependencies, all authors together.
pub const MAX_WAITING_PER_DOC: usize = 1024;
/// The most rejected changes of one author a document keeps (the quarantine's evidence).
pub const MAX_REJECTED_PER_AUTHOR: usize = 1024;
/// The most changes of one author this device keeps waiting, all documents together.
pub const MAX_WAITING_PER_AUTHOR_ALL: usize = 4096;
/// The most changes this device keeps waiting, all documents and authors together.
pub const MAX_WAITING_ALL: usize = 16384;

/// The info key of the waiting changes' counts across documents.
pub(crate) const WAITING_KEY: &str = "bounds-waiting";

/// Waiting changes per author, in one document or across them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// Per author.
    pub by_author: BTreeMap<DeviceId, u64>,
    /// All authors together.
    pub total: u64,
}

impl Waiting {
    /// The waiting changes of `ledger`, per author.
    pub(crate) fn of(ledger: &DocLedger) -> Waiting {
        let mut out = Waiting::default();
        for h in &ledger.evaluation().pending {
            if let Some(r) = ledger.received().get(h) {
                *out.by_author.entry(r.author).or_default() += 1;
                out.total += 1;
            }
        }
        out
    }

    /// These counts without `part` (counts that include it).
    pub(crate) fn without(&self, part: &Waiting) -> Waiting {
        let mut out = self.clone();
        for (a, n) in &part.by_author {
            if let Some(m) = out.by_author.get_mut(a) {
                *m = m.saturating_sub(*n);
            }
        }
        out.by_author.retain(|_, n| *n > 0);
        out.total = out.total.saturating_sub(part.total);
        out
    }

    /// These counts with `part` added.
    pub(crate) fn with(&self, part: &Waiting) -> Waiting {
        let mut out = self.clone();
        for (a, n) in &part.by_author {
            *out.by_author.entry(*a).or_default() += n;
        }
        out.total += part.total;
        out
    }
}

/// The info key of the counts of what was not kept.
pub(crate) const DROPPED_KEY: &str = "bounds-dropped";

/// Changes this device did not keep, since its store was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// Changes signed by a key the registry does not name.
    pub unknown_author: u64,
    /// Waiting changes over the bounds.
    pub waiting: u64,
    /// Rejected changes over the bound.
    pub rejected: u64,
    /// Waiting changes of devices revoked since.
    pub revoked_waiting: u64,
}

impl Dropped {
    /// Whether anything was dropped.
    pub fn any(&self) -> bool {
        *self != Dropped::default()
    }

    pub(crate) fn add(&mut self, other: Dropped) {
        self.unknown_author += other.unknown_author;
        self.waiting += other.waiting;
        self.rejected += other.rejected;
        self.revoked_waiting += other.revoked_waiting;
    }
}

/// What [`over_bounds`] found.
pub(crate) struct Over {
    /// Waiting changes not to keep.
    pub waiting: BTreeSet<ChangeHash>,
    /// Rejected changes not to keep.
    pub rejected: BTreeSet<ChangeHash>,
    /// Whether a bound across documents dropped any.
    pub across: bool,
}

/// Of `added`, just inserted into `ledger`, the changes not to keep: waiting or rejected ones
/// over the bounds, counting what the document already keeps first and, across documents,
/// what `elsewhere` (the other documents) keeps waiting (so the same changes are dropped on
/// every device that receives them in the same order; taken in hash order within one
/// delivery).
pub(crate) fn over_bounds(ledger: &DocLedger, added: &[Received], elsewhere: &Waiting) -> Over {
    let eval = ledger.evaluation();
    let new: BTreeSet<ChangeHash> = added.iter().map(Received::hash).collect();
    let author = |h: &ChangeHash| ledger.received().get(h).map(|r| r.author);
    let mut waiting: BTreeMap<DeviceId, usize> = BTreeMap::new();
    let mut rejected: BTreeMap<DeviceId, usize> = BTreeMap::new();
    let mut all_waiting = 0;
    for h in eval.pending.iter().filter(|h| !new.contains(h)) {
        if let Some(a) = author(h) {
            *waiting.entry(a).or_default() += 1;
            all_waiting += 1;
        }
    }
    for h in eval.rejected.keys().filter(|h| !new.contains(h)) {
        if let Some(a) = author(h) {
            *rejected.entry(a).or_default() += 1;
        }
    }
    let (mut drop_waiting, mut drop_rejected) = (BTreeSet::new(), BTreeSet::new());
    let mut across = false;
    for h in &new {
        let Some(a) = author(h) else { continue };
        if eval.pending.contains(h) {
            let n = waiting.entry(a).or_default();
            let other = elsewhere.by_author.get(&a).copied().unwrap_or(0) as usize;
            let beyond = other + *n >= MAX_WAITING_PER_AUTHOR_ALL
                || elsewhere.total as usize + all_waiting >= MAX_WAITING_ALL;
            if *n >= MAX_WAITING_PER_AUTHOR || all_waiting >= MAX_WAITING_PER_DOC || beyond {
                across |= beyond;
                drop_waiting.insert(*h);
            } else {
                *n += 1;
                all_waiting += 1;
            }
        } else if eval.rejected.contains_key(h) {
            let n = rejected.entry(a).or_default();
            if *n >= MAX_REJECTED_PER_AUTHOR {
                drop_rejected.insert(*h);
            } else {
                *n += 1;
            }
        }
    }
    Over {
        waiting: drop_waiting,
        rejected: drop_rejected,
        across,
    }
}

/// The waiting changes of `ledger` whose authors `registry` holds revoked.
pub(crate) fn revoked_waiting(ledger: &DocLedger, registry: &Registry) -> BTreeSet<ChangeHash> {
    ledger
        .evaluation()
        .pending
        .iter()
        .filter(|h| {
            ledger.received().get(h).is_some_and(|r| {
                registry
                    .device(&r.author)
                    .is_some_and(|d| d.revoked.is_some())
            })
        })
        .copied()
        .collect()
}

/// `ledger` without the changes `gone`, judged again.
pub(crate) fn without(
    ledger: &DocLedger,
    gone: &BTreeSet<ChangeHash>,
    registry: &carnet_replica::RegistryLedger,
) -> DocLedger {
    let kept: Vec<Received> = ledger
        .received()
        .iter()
        .filter(|(h, _)| !gone.contains(h))
        .map(|(_, r)| r.clone())
        .collect();
    DocLedger::new(ledger.id().clone(), kept, registry)
}
