//! Verification of what is stored: each change's seal, envelope, signature and author; each
//! document rebuilt from its changes and compared with its stored state; and record history.

use std::collections::BTreeSet;

use carnet_model::{RecordKind, Role};
use carnet_replica::{
    ChangeHash, DeviceId, Doc, DocId, HistoryEntry, RecordId, SignedChange, VerifiedChange,
};

use crate::Device;
use crate::error::ReadError;
use crate::state::DocState;

/// One change in a record's history, verified or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryItem {
    /// A change whose seal, signature and author all check out.
    Verified {
        /// The document (record × class) it belongs to.
        doc: DocId,
        /// What it did.
        entry: HistoryEntry,
        /// Its author's holder, from the registry.
        holder: String,
    },
    /// A stored change that fails verification: never to be trusted or shown as verified.
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
    /// What was found wrong.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether nothing was found wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The verdict on one stored change.
pub(crate) type Verdict = Result<VerifiedChange, String>;

impl Device {
    /// Every stored change of `doc_id`, each with its verdict: its seal opens, its envelope
    /// parses, its signature is valid for this organisation and document, and it is the change
    /// filed under its hash.
    pub(crate) fn verified_changes(
        &self,
        doc_id: &DocId,
    ) -> Result<Vec<(ChangeHash, Verdict)>, ReadError> {
        let name = doc_id.to_string();
        let mut out = Vec::new();
        for (hash, value) in self.store.changes(&name)? {
            let hash = ChangeHash(hash);
            let verdict = value
                .map_err(|e| e.to_string())
                .and_then(|bytes| SignedChange::from_bytes(&bytes).map_err(|e| e.to_string()))
                .and_then(|signed| {
                    signed
                        .verify_as(&self.org, doc_id, &hash)
                        .map_err(|e| e.to_string())
                });
            out.push((hash, verdict));
        }
        Ok(out)
    }

    /// Whether `author` may have written to `doc_id` as far as this version checks: enrolled,
    /// and a direction device for the registry. (Role × class rules come with the policy.)
    fn author_problem(&self, doc_id: &DocId, author: &DeviceId) -> Option<String> {
        let Some(entry) = self.registry.device(author) else {
            return Some("its author is not an enrolled device".into());
        };
        if *doc_id == DocId::Registry && !entry.roles.contains(&Role::Direction) {
            return Some("its author is not a direction device".into());
        }
        None
    }

    /// The history of record `id` of `kind`, newest first; changes that fail verification
    /// come first, marked as such.
    pub fn history(&self, kind: RecordKind, id: RecordId) -> Result<Vec<HistoryItem>, ReadError> {
        self.show(kind, id)?;
        let mut bad = Vec::new();
        let mut good = Vec::new();
        for class in kind.classes() {
            let doc = DocId::record(kind, id, class);
            for (hash, verdict) in self.verified_changes(&doc)? {
                let checked = verdict.and_then(|v| match self.author_problem(&doc, &v.author) {
                    Some(p) => Err(p),
                    None => Ok(v),
                });
                match checked {
                    Ok(v) => {
                        let holder = self
                            .registry
                            .device(&v.author)
                            .map(|d| d.holder.clone())
                            .unwrap_or_default();
                        good.push(HistoryItem::Verified {
                            doc: doc.clone(),
                            entry: HistoryEntry::of(&v.change, v.author),
                            holder,
                        });
                    }
                    Err(reason) => bad.push(HistoryItem::Unverified {
                        doc: doc.clone(),
                        hash,
                        reason,
                    }),
                }
            }
        }
        good.sort_by_key(|item| match item {
            HistoryItem::Verified { entry, .. } => {
                std::cmp::Reverse((entry.time_ms, entry.seq, entry.hash))
            }
            HistoryItem::Unverified { hash, .. } => std::cmp::Reverse((i64::MAX, 0, *hash)),
        });
        bad.extend(good);
        Ok(bad)
    }

    /// Re-verifies every stored change and document.
    pub fn verify(&self) -> Result<VerifyReport, ReadError> {
        let mut report = VerifyReport::default();
        let mut names: BTreeSet<String> =
            self.store.docs("")?.into_iter().map(|(n, _)| n).collect();
        names.extend(self.store.docs_with_changes()?);
        for name in names {
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
            let mut valid = Vec::new();
            let verdicts = self.verified_changes(&doc_id)?;
            let count = verdicts.len();
            for (hash, verdict) in verdicts {
                match verdict {
                    Ok(v) => match self.author_problem(&doc_id, &v.author) {
                        Some(p) => problem(Some(hash), p),
                        None => valid.push(v.change),
                    },
                    Err(e) => problem(Some(hash), e),
                }
            }
            let complete = valid.len() == count;
            match Doc::from_changes(doc_id.clone(), valid) {
                Err(e) => problem(None, e.to_string()),
                Ok(doc) => {
                    if let (Some(state), true) = (state, complete) {
                        let heads: Vec<[u8; 32]> = doc.heads().iter().map(|h| h.0).collect();
                        if heads != state.heads {
                            problem(None, "stored heads differ from the changes' heads".into());
                        }
                        if let DocId::Record { kind, .. } = doc_id
                            && doc.record_fields(kind) != state.fields
                        {
                            problem(None, "stored fields differ from the changes".into());
                        }
                    }
                }
            }
            report.changes += count;
        }
        Ok(report)
    }
}
