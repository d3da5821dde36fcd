//! What changed, for the sync layer's caches: the held hashes of every document in memory, and a
//! numbered log of the documents written since, so bucket digests can be updated instead of
//! recomputed (a sync where little changed then costs little, whatever the number of records).

use std::collections::{BTreeMap, VecDeque};

use carnet_replica::DocId;

/// How many entries the log keeps; a cache older than that rebuilds.
const KEEP: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct Journal {
    /// Bumped by every committed write.
    pub(crate) version: u64,
    /// The oldest version `log` can answer from.
    base: u64,
    log: VecDeque<(u64, DocId)>,
    /// Held (not rejected) change hashes per record document, once loaded.
    pub(crate) held: Option<BTreeMap<DocId, Vec<[u8; 32]>>>,
}

impl Journal {
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
                self.base = v + 1;
            }
        }
    }

    /// Forgets everything (the store was changed by another process).
    pub(crate) fn reset(&mut self) {
        self.version += 1;
        self.base = self.version;
        self.log.clear();
        self.held = None;
    }

    /// The documents written after `version`, or `None` if the log no longer reaches back.
    pub(crate) fn since(&self, version: u64) -> Option<Vec<DocId>> {
        if version + 1 < self.base {
            return None;
        }
        Some(
            self.log
                .iter()
                .filter(|(v, _)| *v > version)
                .map(|(_, d)| d.clone())
                .collect(),
        )
    }
}
