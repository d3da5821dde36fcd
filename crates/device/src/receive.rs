//! Receiving changes from another device, and handing this device's changes out. Every
//! received change is verified (seal of the envelope, signature for this organisation and
//! document, then the access rules) before it is applied; a session's changes are stored in
//! one transaction.

use std::collections::BTreeMap;

use carnet_replica::{ChangeHash, DocId, Received, SignedChange};

use crate::Device;
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

/// Every revocation of the registry, with its cut-off.
fn revocations(
    ledger: &carnet_replica::RegistryLedger,
) -> Vec<(carnet_replica::DeviceId, carnet_replica::Revocation)> {
    ledger
        .registry()
        .map(|r| {
            r.devices
                .values()
                .filter_map(|d| d.revoked.clone().map(|rev| (d.id, rev)))
                .collect()
        })
        .unwrap_or_default()
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
    /// transaction.
    pub fn receive_many(
        &mut self,
        mut batches: Vec<(DocId, Vec<SignedChange>)>,
    ) -> Result<ReceiveReport, WriteError> {
        batches.sort_by_key(|(d, _)| *d != DocId::Registry);
        let mut report = ReceiveReport::default();
        let mut batch = self.store.write()?;
        let revocations_before = revocations(&self.registry);
        let mut registry_new: Vec<SignedChange> = Vec::new();
        let mut purged: Vec<DocId> = Vec::new();
        let mut docs: BTreeMap<DocId, (carnet_replica::DocLedger, Vec<Received>)> = BTreeMap::new();
        let rejected_before = |e: &carnet_replica::Evaluation| e.rejected.len();
        for (doc, changes) in batches {
            let mut fresh = Vec::new();
            for signed in changes {
                match Received::verify(&self.org, &doc, signed) {
                    Ok(r) => fresh.push(r),
                    Err(e) => report.refused.push((doc.clone(), e.to_string())),
                }
            }
            match doc.class() {
                None => {
                    let known: Vec<ChangeHash> = fresh
                        .iter()
                        .map(Received::hash)
                        .filter(|h| self.registry.received().contains_key(h))
                        .collect();
                    report.known += known.len();
                    let before = rejected_before(self.registry.evaluation());
                    let new: Vec<Received> = fresh
                        .into_iter()
                        .filter(|r| !known.contains(&r.hash()))
                        .collect();
                    report.new += new.len();
                    registry_new.extend(new.iter().map(|r| r.signed.clone()));
                    self.registry.insert(new);
                    report.rejected +=
                        rejected_before(self.registry.evaluation()).saturating_sub(before);
                }
                Some(class) => {
                    if fresh.is_empty() {
                        continue;
                    }
                    if !self.can_read(class) {
                        report.refused.push((
                            doc.clone(),
                            format!("this device may not read {class} documents"),
                        ));
                        continue;
                    }
                    if !docs.contains_key(&doc) {
                        let ledger = self.ledger(&doc)?;
                        docs.insert(doc.clone(), (ledger, Vec::new()));
                    }
                    let Some((ledger, added)) = docs.get_mut(&doc) else {
                        continue;
                    };
                    for r in fresh {
                        if ledger.received().contains_key(&r.hash()) {
                            report.known += 1;
                        } else {
                            added.push(r);
                        }
                    }
                    let before = rejected_before(ledger.evaluation());
                    ledger.insert(added.iter().cloned(), &self.registry);
                    report.new += added.len();
                    report.rejected += rejected_before(ledger.evaluation()).saturating_sub(before);
                }
            }
        }
        if !registry_new.is_empty() {
            self.put_registry(&mut batch, &registry_new)?;
            let revocations_changed = revocations(&self.registry) != revocations_before;
            // The registry changed: drop what this device may no longer read, and judge every
            // other document again (a revocation may reject changes already applied).
            for name in self.store.docs_with_changes()? {
                let Ok(doc_id) = name.parse::<DocId>() else {
                    continue;
                };
                let Some(class) = doc_id.class() else {
                    continue;
                };
                if !self.can_read(class) {
                    batch.delete_doc(&name)?;
                    docs.remove(&doc_id);
                    purged.push(doc_id);
                    continue;
                }
                if let Some((ledger, _)) = docs.get_mut(&doc_id) {
                    ledger.evaluate(&self.registry);
                    continue;
                }
                // Verdicts on record changes depend on the registry only through revocations
                // (rule 3) and changes waiting for registry changes: judge again only then.
                let waiting = self.state(&name)?.is_some_and(|s| !s.pending.is_empty());
                if revocations_changed || waiting {
                    let ledger = self.ledger(&doc_id)?;
                    docs.insert(doc_id, (ledger, Vec::new()));
                }
            }
        }
        // A document is stored only once it holds a change (never an empty shell).
        for (ledger, added) in docs.values().filter(|(l, _)| !l.received().is_empty()) {
            self.put_doc(&mut batch, ledger, added)?;
        }
        batch.commit()?;
        let mut noted: Vec<(DocId, Vec<[u8; 32]>)> =
            purged.into_iter().map(|d| (d, Vec::new())).collect();
        noted.extend(
            docs.values()
                .map(|(l, _)| (l.id().clone(), crate::state::held_of(l))),
        );
        if !registry_new.is_empty() {
            noted.push((DocId::Registry, Vec::new()));
        }
        self.note(noted);
        Ok(report)
    }
}
