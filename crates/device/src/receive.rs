//! Receiving changes from another device, and handing this device's changes out. Every
//! received change is verified (seal of the envelope, signature for this organisation and
//! document, then the access rules) before it is applied; a session's changes are stored in
//! one transaction.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::FieldClass;
use carnet_replica::{
    ChangeHash, DocId, DocLedger, OrgId, Received, Registry, RegistryOp, SignedChange, VerifyError,
};

use crate::Device;
use crate::bounds::{self, Dropped};
use crate::error::WriteError;

/// What receiving did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveReport {
    /// New changes stored.
    pub new: usize,
    /// Changes already held.
    pub known: usize,
    /// Changes refused outright, with why (bad signature, a class this device may not read).
    pub refused: Vec<(DocId, String)>,
    /// Changes newly rejected by the access rules (now in the quarantine).
    pub rejected: usize,
}

/// What record documents' verdicts depend on beyond the registry at the heads each change
/// names: every revocation and removal of a right, with the cut-offs.
type Narrowings = (
    Vec<(carnet_replica::DeviceId, Option<carnet_replica::Revocation>)>,
    Vec<(
        carnet_replica::ChangeHash,
        carnet_replica::DeviceId,
        FieldClass,
    )>,
    Vec<BTreeMap<String, std::collections::BTreeSet<carnet_replica::ChangeHash>>>,
);

/// Every revocation and removal of the registry, with the cut-offs.
fn narrowings(ledger: &carnet_replica::RegistryLedger) -> Narrowings {
    let devices = ledger
        .registry()
        .map(|r| r.devices.values().collect::<Vec<_>>())
        .unwrap_or_default();
    (
        devices.iter().map(|d| (d.id, d.revoked.clone())).collect(),
        ledger.removals().to_vec(),
        devices.iter().map(|d| d.kept.clone()).collect(),
    )
}

/// Documents whose signatures are checked together (on every core) before they are judged and
/// written one at a time.
const VERIFY_WINDOW: usize = 2048;

/// Checks the signature of every change of `docs` for this organisation and its document,
/// spreading the documents over the machine's cores; results keep the order given. A pure
/// function of its input, so every device reaches the same verdicts whatever its cores.
fn verify_all(
    org: &OrgId,
    docs: Vec<(DocId, Vec<SignedChange>)>,
) -> Vec<(DocId, Vec<Result<Received, VerifyError>>)> {
    let check = |part: Vec<(DocId, Vec<SignedChange>)>| -> Vec<_> {
        part.into_iter()
            .map(|(doc, changes)| {
                let checked = changes
                    .into_iter()
                    .map(|c| Received::verify(org, &doc, c))
                    .collect();
                (doc, checked)
            })
            .collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let changes: usize = docs.iter().map(|(_, c)| c.len()).sum();
    if cores == 1 || changes < 64 {
        return check(docs);
    }
    let per_part = docs.len().div_ceil(cores);
    let mut parts = Vec::new();
    let mut rest = docs.into_iter().peekable();
    while rest.peek().is_some() {
        parts.push(rest.by_ref().take(per_part).collect::<Vec<_>>());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || check(part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

impl Device {
    /// Every change this device holds for `doc`, valid or not, to hand to another device.
    pub fn export(&self, doc: &DocId) -> Result<Vec<SignedChange>, crate::ReadError> {
        Ok(self
            .stored_changes(doc)?
            .into_iter()
            .filter_map(|(_, r)| r.ok().map(|r| r.signed))
            .collect())
    }

    /// The ids of every document this device holds.
    pub fn documents(&self) -> Result<Vec<DocId>, crate::ReadError> {
        Ok(self
            .store
            .docs_with_changes()?
            .into_iter()
            .filter_map(|n| n.parse().ok())
            .collect())
    }

    /// Receives changes of `doc` from another device, in one transaction.
    pub fn receive(
        &mut self,
        doc: &DocId,
        changes: Vec<SignedChange>,
    ) -> Result<ReceiveReport, WriteError> {
        self.receive_many(vec![(doc.clone(), changes)])
    }

    /// Receives changes of several documents (a sync session), registry first, in one
    /// transaction. Documents are judged and written one at a time, so memory holds one
    /// Automerge document at a time whatever the size of the session.
    ///
    /// A registry that erases a person makes this device destroy every document of that
    /// record in the same transaction (and refuse this session's changes to them), then
    /// rewrite its store (`Store::rewrite`: no page keeps what was deleted) and sign its
    /// receipt.
    pub fn receive_many(
        &mut self,
        batches: Vec<(DocId, Vec<SignedChange>)>,
    ) -> Result<ReceiveReport, WriteError> {
        let (report, destroyed, _) = self.receive_inner(batches, false)?;
        self.settle_erasures(destroyed)?;
        Ok(report)
    }

    /// [`Device::receive_many`] for what a peer sent in a session, which also shows whether
    /// this device lost its own past: a change this device signed, for the registry or for a
    /// document whose state it holds without that change, means its store was put back from
    /// an older copy. The device then stops ([`Device::halted`]) before it signs a change that
    /// could reuse a sequence number. What the message held is stored all the same (its own
    /// lost changes are its past, and an erasure among them is carried out: an older copy of a
    /// store brings no erased person back).
    pub(crate) fn receive_from_peer(
        &mut self,
        batches: Vec<(DocId, Vec<SignedChange>)>,
    ) -> Result<ReceiveReport, WriteError> {
        /// What a device that lost its own past is told.
        const LOST: &str = "a peer holds changes this device signed that its store lacks \
                            (an older copy of the store was put back)";
        self.require_running()?;
        let (report, destroyed, lost) = self.receive_inner(batches, true)?;
        let stopped = lost.then(|| self.halt(LOST));
        // A stopped device destroys what an erasure asks, and signs no receipt.
        self.settle_erasures(destroyed)?;
        match stopped {
            Some(why) => Err(why.into()),
            None => Ok(report),
        }
    }

    /// Whether `r`, received from a peer for `doc`, is a change this device signed and lost
    /// (see [`Device::receive_from_peer`]). A document this device does not hold, or holds
    /// damaged, is fetched again legitimately (its documents were deleted when it lost the
    /// right to read their class, or its state failed authentication).
    fn lost_own(&self, doc: &DocId, r: &Received) -> bool {
        if r.author != self.id() {
            return false;
        }
        let hash = r.hash().0;
        match doc {
            DocId::Registry => !self.registry.received().contains_key(&r.hash()),
            DocId::Record { .. } => match self.state(&doc.to_string()) {
                Ok(Some(state)) => {
                    !state.held.contains(&hash)
                        && !state.pending.contains(&hash)
                        && !state.rejected.iter().any(|(h, _)| *h == hash)
                }
                _ => false,
            },
            // Access logs travel outside the document ledger (`access.rs`).
            DocId::AccessLog(_) => false,
        }
    }

    /// Whether `doc` belongs to an erased record.
    pub fn is_erased(&self, doc: &DocId) -> bool {
        match doc {
            DocId::Record { id, class, .. } => {
                self.registry().is_some_and(|r| r.erases(id, *class))
            }
            DocId::Registry | DocId::AccessLog(_) => false,
        }
    }

    /// After documents of erased people were destroyed: destroys their records' keys, rewrites
    /// the store (`Store::rewrite`: no page of its file keeps what was deleted, whatever key
    /// sealed it), then signs this device's receipt for every erasure it has not confirmed yet
    /// — once: a receipt the registry rejects is not retried here.
    pub(crate) fn settle_erasures(&mut self, destroyed: bool) -> Result<(), WriteError> {
        // Their keys first: from now on nothing of them opens, in the file or in any copy of
        // it made afterwards (`carnet_store`'s record keys).
        let erased: Vec<String> = self
            .registry()
            .map(|r| {
                r.erased
                    .iter()
                    .filter(|(_, e)| e.covers(FieldClass::Per) && e.covers(FieldClass::Sec))
                    .map(|(id, _)| id.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let erased: Vec<&str> = erased.iter().map(String::as_str).collect();
        let shredded = !erased.is_empty() && self.store.destroy_record_keys(&erased)?;
        if destroyed || shredded {
            self.store.rewrite()?;
        }
        let me = self.id();
        let Some(registry) = self.registry() else {
            return Ok(());
        };
        if registry.device(&me).is_none_or(|d| d.revoked.is_some()) || self.halted.is_some() {
            return Ok(());
        }
        let ops: Vec<RegistryOp> = registry
            .erased
            .iter()
            .filter(|(_, e)| e.of.is_none() && !e.receipts.contains_key(&me))
            .map(|(record, _)| RegistryOp::ErasureReceipt { record: *record })
            .collect();
        if ops.is_empty() {
            return Ok(());
        }
        let mut doc = self.registry.doc_for(&me)?;
        // The device's clock: fixed in seeded runs, so that a receipt is the same change every time.
        let now = crate::device::time_ms(self.clock.unwrap_or_else(chrono::Utc::now));
        let Some(change) = Registry::apply(&mut doc, &self.key, &ops, now)? else {
            return Ok(());
        };
        let signed = SignedChange::sign(&self.key, &self.org, &DocId::Registry, &change);
        let (_, destroyed, _) = self.receive_inner(vec![(DocId::Registry, vec![signed])], false)?;
        if destroyed {
            self.store.rewrite()?;
        }
        Ok(())
    }

    fn receive_inner(
        &mut self,
        batches: Vec<(DocId, Vec<SignedChange>)>,
        from_peer: bool,
    ) -> Result<(ReceiveReport, bool, bool), WriteError> {
        // Whether a peer sent a change this device signed and lost (`receive_from_peer`).
        let mut lost = false;
        let mut destroyed = false;
        let mut by_doc: BTreeMap<DocId, Vec<SignedChange>> = BTreeMap::new();
        for (doc, changes) in batches {
            by_doc.entry(doc).or_default().extend(changes);
        }
        let mut report = ReceiveReport::default();
        let mut dropped = Dropped::default();
        // Waiting changes across documents, as counted so far (`bounds.rs`), and whether they
        // were counted again from the documents in this delivery.
        let stored_waiting = self.waiting_counts();
        let mut waiting_all = stored_waiting.clone();
        let mut counted_again = false;
        let mut batch = self.store.write()?;
        let mut noted: Vec<(DocId, Vec<[u8; 32]>)> = Vec::new();
        let mut rejudge: std::collections::BTreeSet<DocId> = Default::default();
        let rejected = |e: &carnet_replica::Evaluation| e.rejected.len();

        // The registry first: it decides how everything else is judged.
        if let Some(changes) = by_doc.remove(&DocId::Registry) {
            let narrowings_before = narrowings(&self.registry);
            let mut new = Vec::new();
            for signed in changes {
                match Received::verify(&self.org, &DocId::Registry, signed) {
                    Ok(r) if self.registry.received().contains_key(&r.hash()) => report.known += 1,
                    Ok(r) => {
                        lost |= from_peer && self.lost_own(&DocId::Registry, &r);
                        new.push(r)
                    }
                    Err(e) => report.refused.push((DocId::Registry, e.to_string())),
                }
            }
            if !new.is_empty() {
                let before = rejected(self.registry.evaluation());
                report.new += new.len();
                let signed: Vec<SignedChange> = new.iter().map(|r| r.signed.clone()).collect();
                self.registry.insert(new);
                let after = rejected(self.registry.evaluation());
                report.rejected += after.saturating_sub(before);
                // A registry change found invalid now (say, a revoked device's) rejects the
                // record changes that name it as their registry heads, whatever the order
                // they came in.
                let rejections_changed = after != before;
                self.put_registry(&mut batch, &signed)?;
                noted.push((DocId::Registry, Vec::new()));
                let narrowings_changed = narrowings(&self.registry) != narrowings_before;
                // Drop what this device may no longer read; judge again the documents a
                // revocation or a waiting change concerns (verdicts depend on the registry only
                // through those: revocations, removals of rights and cut-offs). Documents of this session are judged below anyway.
                // Other devices' access logs, kept by a device that no longer reads security
                // documents.
                if self.registry().is_some() && !self.can_read(FieldClass::Sec) {
                    for name in self.peer_log_names()? {
                        batch.delete_info(&name)?;
                    }
                }
                for name in self.store.docs_with_changes()? {
                    let Ok(doc_id) = name.parse::<DocId>() else {
                        continue;
                    };
                    let Some(class) = doc_id.class() else {
                        continue;
                    };
                    // Delete only on a readable registry that says so: a registry that cannot be
                    // read (say, broken by a malformed change, found by fuzzing) must never
                    // erase this device's records.
                    if self.registry().is_some()
                        && (!self.can_read(class) || self.is_erased(&doc_id))
                    {
                        destroyed |= self.is_erased(&doc_id);
                        batch.delete_doc(&name)?;
                        by_doc.remove(&doc_id);
                        noted.push((doc_id, Vec::new()));
                        continue;
                    }
                    // A damaged state is judged again (and rewritten) like a waiting one.
                    let waiting = self
                        .state(&name)
                        .map_or(true, |s| s.is_some_and(|s| !s.pending.is_empty()));
                    if !(narrowings_changed || rejections_changed || waiting) {
                        continue;
                    }
                    if by_doc.contains_key(&doc_id) {
                        // Judged and written below, with this session's changes.
                        rejudge.insert(doc_id);
                    } else {
                        let ledger = self.ledger_without_damage(&doc_id)?;
                        let (ledger, _) =
                            self.purge_revoked_waiting(&mut batch, ledger, &mut dropped)?;
                        self.keep_doc(&mut batch, &ledger, &[])?;
                        noted.push((doc_id, crate::state::held_of(&ledger)));
                    }
                }
            }
        }

        // Signatures are checked a window of documents at a time on every core, then each
        // document is judged and written in order: memory holds one window of parsed changes.
        let mut by_doc = by_doc.into_iter().peekable();
        while by_doc.peek().is_some() {
            let window: Vec<(DocId, Vec<SignedChange>)> =
                by_doc.by_ref().take(VERIFY_WINDOW).collect();
            for (doc, checked) in verify_all(&self.org, window) {
                let Some(class) = doc.class() else { continue };
                let mut fresh = Vec::new();
                for r in checked {
                    match r {
                        // Judged by its author before anything is kept: a key the registry
                        // does not name (as of now, the registry being level with the peer's)
                        // never made a change any device may keep.
                        Ok(r) if !self.names(&r.author) => {
                            dropped.unknown_author += 1;
                            report.refused.push((
                                doc.clone(),
                                "signed by a key the registry does not name".to_owned(),
                            ));
                        }
                        Ok(r) => fresh.push(r),
                        Err(e) => report.refused.push((doc.clone(), e.to_string())),
                    }
                }
                if fresh.is_empty() && !rejudge.contains(&doc) {
                    continue;
                }
                if self.is_erased(&doc) {
                    // Never stored, never forwarded, however late it comes.
                    report.refused.push((
                        doc.clone(),
                        "the person was erased (see `carnet erasure status`)".to_owned(),
                    ));
                    continue;
                }
                if !self.can_read(class) {
                    report.refused.push((
                        doc.clone(),
                        format!("this device may not read {class} documents"),
                    ));
                    continue;
                }
                // Stored changes or a state that fail authentication are replaced by the
                // peer's good copies: damage stays on this device only until the next sync.
                let damaged_state = self.state(&doc.to_string()).is_err();
                let ledger = self.ledger_without_damage(&doc)?;
                let waiting_before = bounds::Waiting::of(&ledger);
                let (mut ledger, purged) =
                    self.purge_revoked_waiting(&mut batch, ledger, &mut dropped)?;
                let (known, mut added): (Vec<Received>, Vec<Received>) = fresh
                    .into_iter()
                    .partition(|r| ledger.received().contains_key(&r.hash()));
                lost |= from_peer && added.iter().any(|r| self.lost_own(&doc, r));
                report.known += known.len();
                // (The ledger was judged against the registry as it is now when it was loaded.)
                if added.is_empty() && !rejudge.contains(&doc) && !damaged_state && !purged {
                    continue;
                }
                let before = rejected(ledger.evaluation());
                ledger.insert(added.iter().cloned(), &self.registry);
                // Until nothing is over: dropping a rejected change leaves the changes built on
                // it waiting for it, which the waiting bounds then count (regression: a flood's
                // chain of over 1,024 rejected changes in one delivery left up to 1,015 of them
                // kept and waiting; simulator seeds 1169, 1201).
                loop {
                    let mut over =
                        bounds::over_bounds(&ledger, &added, &waiting_all.without(&waiting_before));
                    if over.across && !counted_again {
                        // Counts left too high by a revocation or a deleted document must not
                        // drop a change: count again from the documents, and judge again.
                        waiting_all = self.count_waiting()?;
                        counted_again = true;
                        over = bounds::over_bounds(
                            &ledger,
                            &added,
                            &waiting_all.without(&waiting_before),
                        );
                    }
                    let (waiting, rejected_over) = (over.waiting, over.rejected);
                    if waiting.is_empty() && rejected_over.is_empty() {
                        break;
                    }
                    dropped.waiting += waiting.len() as u64;
                    dropped.rejected += rejected_over.len() as u64;
                    let gone: BTreeSet<ChangeHash> =
                        waiting.union(&rejected_over).copied().collect();
                    ledger = bounds::without(&ledger, &gone, &self.registry);
                    added.retain(|r| !gone.contains(&r.hash()));
                    report.refused.extend(gone.iter().map(|_| {
                        (
                            doc.clone(),
                            "over the bounds of what a device keeps outside documents".to_owned(),
                        )
                    }));
                }
                report.new += added.len();
                report.rejected += rejected(ledger.evaluation()).saturating_sub(before);
                waiting_all = waiting_all
                    .without(&waiting_before)
                    .with(&bounds::Waiting::of(&ledger));
                self.keep_doc(&mut batch, &ledger, &added)?;
                noted.push((doc, crate::state::held_of(&ledger)));
            }
        }
        if waiting_all != stored_waiting {
            batch.put_info(
                bounds::WAITING_KEY,
                &postcard::to_stdvec(&waiting_all).unwrap_or_default(),
            )?;
        }
        if dropped.any() {
            let mut total = self.dropped();
            total.add(dropped);
            batch.put_info(
                bounds::DROPPED_KEY,
                &postcard::to_stdvec(&total).unwrap_or_default(),
            )?;
        }
        batch.commit()?;
        self.note(noted);
        Ok((report, destroyed, lost))
    }

    /// Writes `ledger`'s state and its `added` changes, or deletes the document when the
    /// bounds or a revocation left it no change (a state without changes would escape what
    /// walks the documents holding changes, such as an erasure).
    fn keep_doc(
        &self,
        batch: &mut carnet_store::WriteBatch<'_>,
        ledger: &DocLedger,
        added: &[Received],
    ) -> Result<(), WriteError> {
        if ledger.received().is_empty() {
            batch.delete_doc(&ledger.id().to_string())?;
        } else {
            self.put_doc(batch, ledger, added)?;
        }
        Ok(())
    }

    /// The waiting changes across documents, as last counted (`bounds.rs`).
    pub fn waiting_counts(&self) -> bounds::Waiting {
        self.store
            .info(bounds::WAITING_KEY)
            .ok()
            .flatten()
            .and_then(|v| v.ok())
            .and_then(|b| postcard::from_bytes(&b).ok())
            .unwrap_or_default()
    }

    /// The waiting changes across documents, counted from the documents themselves (those
    /// whose state says they keep some).
    fn count_waiting(&self) -> Result<bounds::Waiting, WriteError> {
        let mut out = bounds::Waiting::default();
        for name in self.store.docs_with_changes()? {
            let Ok(Some(state)) = self.state(&name) else {
                continue;
            };
            if state.pending.is_empty() {
                continue;
            }
            let Ok(doc) = name.parse::<DocId>() else {
                continue;
            };
            let pending: BTreeSet<[u8; 32]> = state.pending.iter().copied().collect();
            for (hash, verdict) in self.stored_changes(&doc)? {
                if let (true, Ok(r)) = (pending.contains(&hash.0), verdict) {
                    *out.by_author.entry(r.author).or_default() += 1;
                    out.total += 1;
                }
            }
        }
        Ok(out)
    }

    /// Whether the registry names `author` (enrolled now, or once and revoked).
    fn names(&self, author: &carnet_replica::DeviceId) -> bool {
        self.registry().is_some_and(|r| r.device(author).is_some())
    }

    /// `ledger` without its revoked authors' waiting changes, deleted from the store; and
    /// whether there were any.
    fn purge_revoked_waiting(
        &self,
        batch: &mut carnet_store::WriteBatch<'_>,
        ledger: DocLedger,
        dropped: &mut Dropped,
    ) -> Result<(DocLedger, bool), WriteError> {
        let Some(registry) = self.registry() else {
            return Ok((ledger, false));
        };
        let gone = bounds::revoked_waiting(&ledger, registry);
        if gone.is_empty() {
            return Ok((ledger, false));
        }
        let name = ledger.id().to_string();
        for h in &gone {
            batch.delete_change(&name, &h.0)?;
        }
        dropped.revoked_waiting += gone.len() as u64;
        Ok((bounds::without(&ledger, &gone, &self.registry), true))
    }

    /// What this device did not keep, since its store was made (see `bounds.rs`).
    pub fn dropped(&self) -> Dropped {
        self.store
            .info(bounds::DROPPED_KEY)
            .ok()
            .flatten()
            .and_then(|v| v.ok())
            .and_then(|b| postcard::from_bytes(&b).ok())
            .unwrap_or_default()
    }
}
