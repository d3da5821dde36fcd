//! What changed, for the sync layer's caches: the held hashes of every document in memory, and a
//! numbered log of the documents written since, so bucket digests can be updated instead of
//! recomputed (a sync where little changed then costs little, whatever the number of records).
//!
//! A cache proves it is current with a [`Stamp`]: the journal's generation (changed whenever
//! the journal forgets, e.g. after another process used the store) and the version it was
//! computed at. A stamp from another generation, or older than the log reaches, gets no answer
//! and the cache rebuilds: a cache can never be told "nothing changed" when it cannot know.

use std::collections::{BTreeMap, VecDeque};

use carnet_replica::DocId;

/// How many entries the log keeps; a cache older than that rebuilds.
const KEEP: usize = 100_000;

/// When a cache was computed: the journal generation and version. Opaque outside this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    generation: u64,
    version: u64,
}

#[derive(Debug)]
pub(crate) struct Journal {
    /// Changed whenever the journal forgets what it knew; never repeats within a process.
    generation: u64,
    /// Bumped by every committed write.
    version: u64,
    /// `since(v)` can answer for every `v >= base`.
    base: u64,
    log: VecDeque<(u64, DocId)>,
    /// Held (not rejected) change hashes per record document, once loaded.
    pub(crate) held: Option<BTreeMap<DocId, Vec<[u8; 32]>>>,
}

/// Generations are unique across every journal of the process, so a stamp of one device's
/// journal never matches another's (or a reopened device's).
fn next_generation() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Default for Journal {
    fn default() -> Self {
        Journal {
            generation: next_generation(),
            version: 0,
            base: 0,
            log: VecDeque::new(),
            held: None,
        }
    }
}

impl Journal {
    /// The stamp of the journal as it is now.
    pub(crate) fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.generation,
            version: self.version,
        }
    }

    /// Records committed writes: each document with its held hashes (empty: deleted).
    pub(crate) fn note(&mut self, docs: impl IntoIterator<Item = (DocId, Vec<[u8; 32]>)>) {
        self.version += 1;
        for (doc, held) in docs {
            if let Some(map) = self.held.as_mut()
                && doc != DocId::Registry
            {
                if held.is_empty() {
                    map.remove(&doc);
                } else {
                    map.insert(doc.clone(), held);
                }
            }
            self.log.push_back((self.version, doc));
        }
        while self.log.len() > KEEP {
            if let Some((v, _)) = self.log.pop_front() {
                // Other entries of version `v` may remain, but not all: only caches stamped at
                // `v` or later can still be answered.
                self.base = self.base.max(v);
            }
        }
    }

    /// Forgets everything (the store was changed by another process): every earlier stamp
    /// becomes unanswerable.
    pub(crate) fn reset(&mut self) {
        self.generation = next_generation();
        self.version += 1;
        self.base = self.version;
        self.log.clear();
        self.held = None;
    }

    /// The documents written after `stamp`, or `None` if the journal cannot prove it knows
    /// them all (another generation, or older than the log reaches).
    pub(crate) fn since(&self, stamp: Stamp) -> Option<Vec<DocId>> {
        if stamp.generation != self.generation
            || stamp.version < self.base
            || stamp.version > self.version
        {
            return None;
        }
        Some(
            self.log
                .iter()
                .filter(|(v, _)| *v > stamp.version)
                .map(|(_, d)| d.clone())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use carnet_model::FieldClass;
    use carnet_replica::RecordId;

    fn doc() -> DocId {
        DocId::record(
            carnet_model::RecordKind::Member,
            RecordId::random(),
            FieldClass::Com,
        )
    }

    #[test]
    fn a_stamp_taken_before_a_reset_is_never_answered() {
        // Regression (issue 11): `serve` lent its store to `carnet member add`, reset the
        // journal on getting it back, and a cache stamped one version before the reset was told
        // "nothing changed": the new member never reached a peer.
        let mut j = Journal::default();
        j.note([(doc(), vec![[1; 32]])]);
        let before = j.stamp();
        j.reset();
        assert_eq!(j.since(before), None);
        // Even once the version moved on past the stamp's.
        j.note([(doc(), vec![[2; 32]])]);
        assert_eq!(j.since(before), None);
        assert_eq!(j.since(j.stamp()), Some(vec![]));
    }

    #[test]
    fn stamps_of_another_journal_are_never_answered() {
        let a = Journal::default();
        let b = Journal::default();
        assert_eq!(a.stamp().version, b.stamp().version);
        assert_eq!(b.since(a.stamp()), None);
    }

    #[test]
    fn the_log_answers_what_it_still_holds_and_nothing_older() {
        let mut j = Journal::default();
        let first = j.stamp();
        let d = doc();
        j.note([(d.clone(), vec![[1; 32]])]);
        assert_eq!(j.since(first), Some(vec![d.clone()]));
        for _ in 0..KEEP {
            j.note([(doc(), vec![[3; 32]])]);
        }
        assert_eq!(j.since(first), None);
        let recent = j.stamp();
        j.note([(d.clone(), vec![])]);
        assert_eq!(j.since(recent), Some(vec![d]));
    }
}
