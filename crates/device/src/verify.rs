//! Verification of what is stored (each change's seal, envelope and signature; each
//! document's verdicts and state recomputed from its changes), record history, and the
//! quarantine.

use std::collections::BTreeSet;

use carnet_model::RecordKind;
use carnet_replica::{
    ChangeHash, DocId, DocLedger, HistoryEntry, Reason, RecordId, RegistryLedger,
};

use crate::Device;
use crate::error::ReadError;
use crate::state::DocState;

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryItem {
    /// A change whose seal and signature check out and which the access rules accept.
    Verified {
        /// The document (record × class) it belongs to.
        doc: DocId,
        /// What it did.
        entry: HistoryEntry,
        /// Its author's holder, from the registry.
        holder: String,
    },
    /// A correctly signed change the access rules reject (in the quarantine), or that waits
    /// for changes not received yet.
    Rejected {
        /// The document it belongs to.
        doc: DocId,
        /// What it did.
        entry: HistoryEntry,
        /// Its author's holder, if enrolled.
        holder: String,
        /// Why it is not applied.
        reason: String,
    },
    /// A stored change that fails its seal or signature: never to be trusted.
    Unverified {
        /// The document it is filed under.
        doc: DocId,
        /// The hash it is filed under.
        hash: ChangeHash,
        /// Why it fails.
        reason: String,
    },
}

/// Something `carnet verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The document concerned.
    pub doc: String,
    /// The change concerned, if one.
    pub change: Option<ChangeHash>,
    /// What is wrong (never a field value).
    pub what: String,
}

/// The outcome of `carnet verify`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Documents checked.
    pub documents: usize,
    /// Changes checked.
    pub changes: usize,
    /// Changes in the quarantine (rejected by the access rules: not tampering).
    pub quarantined: usize,
    /// What was found wrong.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether nothing was found wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One entry of the quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The document.
    pub doc: DocId,
    /// The change.
    pub entry: HistoryEntry,
    /// Why it was rejected.
    pub reason: Reason,
}

/// The verdicts on every change held for one document (see [`Device::verdicts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdicts {
    /// Changes the document is made of.
    pub valid: BTreeSet<ChangeHash>,
    /// Changes waiting for changes not received yet (held and forwarded, not applied).
    pub pending: BTreeSet<ChangeHash>,
    /// Changes rejected by the access rules (the quarantine; never forwarded).
    pub rejected: BTreeSet<ChangeHash>,
}

impl Device {
    /// The verdicts on the changes this device holds for `doc` (empty if it holds none), as
    /// stored beside the document (for the registry, as judged in memory).
    pub fn verdicts(&self, doc: &DocId) -> Result<Verdicts, ReadError> {
        if *doc == DocId::Registry {
            let eval = self.registry.evaluation();
            return Ok(Verdicts {
                valid: eval.valid.iter().copied().collect(),
                pending: eval.pending.iter().copied().collect(),
                rejected: eval.rejected.keys().copied().collect(),
            });
        }
        let Some(state) = self.state(&doc.to_string())? else {
            return Ok(Verdicts::default());
        };
        let pending: BTreeSet<ChangeHash> = state.pending.iter().map(|h| ChangeHash(*h)).collect();
        Ok(Verdicts {
            valid: state
                .held
                .iter()
                .map(|h| ChangeHash(*h))
                .filter(|h| !pending.contains(h))
                .collect(),
            pending,
            rejected: state.rejected().map(|(h, _)| h).collect(),
        })
    }

    fn holder(&self, entry: &HistoryEntry) -> String {
        self.registry()
            .and_then(|r| r.device(&entry.author))
            .map(|d| d.holder.clone())
            .unwrap_or_default()
    }

    /// The history of record `id` of `kind`, newest first; changes that fail verification come
    /// first, then rejected ones, each marked as such.
    pub fn history(&self, kind: RecordKind, id: RecordId) -> Result<Vec<HistoryItem>, ReadError> {
        self.show(kind, id)?;
        let mut bad = Vec::new();
        let mut good = Vec::new();
        for class in kind.classes() {
            let doc = DocId::record(kind, id, class);
            let mut received = Vec::new();
            for (hash, verdict) in self.stored_changes(&doc)? {
                match verdict {
                    Ok(r) => received.push(r),
                    Err(reason) => bad.push(HistoryItem::Unverified {
                        doc: doc.clone(),
                        hash,
                        reason,
                    }),
                }
            }
            let ledger = DocLedger::new(doc.clone(), received, &self.registry);
            let eval = ledger.evaluation();
            for (hash, r) in ledger.received() {
                let entry = HistoryEntry::of(&r.change, r.author);
                let holder = self.holder(&entry);
                let reason = eval
                    .rejected
                    .get(hash)
                    .map(|r| format!("rejected: {r}"))
                    .or_else(|| {
                        eval.pending
                            .contains(hash)
                            .then(|| "waiting for changes not received yet".to_owned())
                    });
                match reason {
                    None => good.push(HistoryItem::Verified {
                        doc: doc.clone(),
                        entry,
                        holder,
                    }),
                    Some(reason) => good.push(HistoryItem::Rejected {
                        doc: doc.clone(),
                        entry,
                        holder,
                        reason,
                    }),
                }
            }
        }
        good.sort_by_key(|item| match item {
            HistoryItem::Verified { entry, .. } | HistoryItem::Rejected { entry, .. } => {
                std::cmp::Reverse((entry.time_ms, entry.seq, entry.hash))
            }
            HistoryItem::Unverified { hash, .. } => std::cmp::Reverse((i64::MAX, 0, *hash)),
        });
        bad.extend(good);
        Ok(bad)
    }

    /// Every rejected change this device holds, with its reason.
    pub fn quarantine(&self) -> Result<Vec<Quarantined>, ReadError> {
        let mut out = Vec::new();
        let reg = &self.registry;
        for (hash, reason) in &reg.evaluation().rejected {
            if let Some(r) = reg.received().get(hash) {
                out.push(Quarantined {
                    doc: DocId::Registry,
                    entry: HistoryEntry::of(&r.change, r.author),
                    reason: reason.clone(),
                });
            }
        }
        for (name, value) in self.store.docs("")? {
            let Some(state) = value.ok().and_then(|b| DocState::from_bytes(&b)) else {
                continue;
            };
            if state.rejected.is_empty() {
                continue;
            }
            let Ok(doc) = name.parse::<DocId>() else {
                continue;
            };
            let stored = self.stored_changes(&doc)?;
            for (hash, reason) in state.rejected() {
                if let Some((_, Ok(r))) = stored.iter().find(|(h, _)| *h == hash) {
                    out.push(Quarantined {
                        doc: doc.clone(),
                        entry: HistoryEntry::of(&r.change, r.author),
                        reason: reason.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Re-verifies every stored change and document.
    pub fn verify(&self) -> Result<VerifyReport, ReadError> {
        let mut report = VerifyReport::default();
        let mut names: BTreeSet<String> =
            self.store.docs("")?.into_iter().map(|(n, _)| n).collect();
        names.extend(self.store.docs_with_changes()?);
        // The registry first: record documents are judged against it.
        let mut registry = RegistryLedger::new(self.org);
        let mut order: Vec<String> = names.into_iter().collect();
        order.sort_by_key(|n| n != "registry");
        for name in order {
            report.documents += 1;
            let mut problem = |change: Option<ChangeHash>, what: String| {
                report.problems.push(Problem {
                    doc: name.clone(),
                    change,
                    what,
                })
            };
            let Ok(doc_id) = name.parse::<DocId>() else {
                problem(None, "not a document id".into());
                continue;
            };
            let state = match self.store.doc(&name)? {
                None => {
                    problem(None, "changes stored without the document's state".into());
                    None
                }
                Some(Err(e)) => {
                    problem(None, format!("document state: {e}"));
                    None
                }
                Some(Ok(bytes)) => {
                    let state = DocState::from_bytes(&bytes);
                    if state.is_none() {
                        problem(None, "document state cannot be decoded".into());
                    }
                    state
                }
            };
            let mut received = Vec::new();
            let stored = self.stored_changes(&doc_id)?;
            report.changes += stored.len();
            let complete = stored.iter().all(|(_, v)| v.is_ok());
            for (hash, verdict) in stored {
                match verdict {
                    Ok(r) => received.push(r),
                    Err(e) => problem(Some(hash), e),
                }
            }
            let rebuilt = match &doc_id {
                DocId::Registry => {
                    registry.insert(received);
                    DocState::of_registry(&registry)
                }
                DocId::Record { kind, .. } => {
                    let ledger = DocLedger::new(doc_id.clone(), received, &registry);
                    DocState::of(&ledger, Some(*kind))
                }
                // Not stored as documents: `check_access_log` checks them.
                DocId::AccessLog(_) => continue,
            };
            report.quarantined += rebuilt.rejected.len();
            if let (Some(state), true) = (state, complete) {
                if rebuilt.heads != state.heads {
                    problem(None, "stored heads differ from the changes' heads".into());
                }
                if rebuilt.fields != state.fields {
                    problem(None, "stored fields differ from the changes".into());
                }
                if rebuilt.rejected != state.rejected || rebuilt.pending != state.pending {
                    problem(None, "stored verdicts differ from the changes".into());
                }
            }
        }
        // This device's access log: signatures, chain, head (who read a personal file).
        for what in self.check_access_log()? {
            report.problems.push(Problem {
                doc: "access-log".into(),
                change: None,
                what,
            });
        }
        Ok(report)
    }
}
