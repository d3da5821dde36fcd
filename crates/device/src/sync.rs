//! The device as a sync session sees it: [`SyncData`] over the real [`Device`], the only
//! implementation outside the sync crate's tests of the trait itself. The QUIC driver of
//! `carnet-node` and the in-memory driver of `carnet-testkit` both run sessions on it.
//!
//! Bucket digests per scope are cached inside the device and updated from its journal; a cache
//! whose [`Stamp`] the journal cannot answer is rebuilt, never trusted.

use std::collections::BTreeSet;
use std::collections::{BTreeMap, HashMap};

use carnet_model::FieldClass;
use carnet_replica::{DeviceId, DocId, OrgId, Received, Registry, SignedChange};
use carnet_sync::{Applied, Digest, SyncData, bucket_of, doc_digest};

use crate::journal::Stamp;
use crate::{Device, ReceiveReport};

/// The classes a scope covers and the registry heads it was computed on.
type ScopeKey = (Vec<FieldClass>, Vec<[u8; 32]>);

/// Bucket digests of the documents of one scope, kept up to date from the device's journal.
#[derive(Debug)]
struct ScopeCache {
    stamp: Stamp,
    docs: Vec<BTreeMap<String, Digest>>,
    digests: Vec<Digest>,
}

/// The bucket digests of every scope sessions asked for.
#[derive(Debug, Default)]
pub(crate) struct Caches(std::sync::Mutex<HashMap<ScopeKey, ScopeCache>>);

impl Caches {
    /// Forgets every scope (the device reopened its store).
    pub(crate) fn clear(&self) {
        match self.0.lock() {
            Ok(mut c) => c.clear(),
            Err(p) => p.into_inner().clear(),
        }
    }
}

fn bucket_digest(docs: &BTreeMap<String, Digest>) -> Digest {
    carnet_sync::bucket_digest(docs)
}

fn applied(r: Result<ReceiveReport, crate::WriteError>, undecodable: usize) -> Applied {
    match r {
        Ok(r) => Applied {
            new: r.new,
            rejected: r.rejected,
            refused: r.refused.len() + undecodable,
        },
        Err(e) => {
            tracing::warn!("could not store received changes: {e}");
            Applied {
                new: 0,
                rejected: 0,
                refused: undecodable,
            }
        }
    }
}

fn decode(changes: Vec<Vec<u8>>) -> (Vec<SignedChange>, usize) {
    let total = changes.len();
    let ok: Vec<SignedChange> = changes
        .iter()
        .filter_map(|b| SignedChange::from_bytes(b).ok())
        .collect();
    let bad = total - ok.len();
    (ok, bad)
}

impl Device {
    /// The classes both this device and `peer` may read.
    fn scope(&self, peer: &DeviceId) -> Vec<FieldClass> {
        FieldClass::ALL
            .into_iter()
            .filter(|c| {
                self.can_read(*c)
                    && self
                        .registry()
                        .is_some_and(|r| r.access(peer, *c).can_read())
            })
            .collect()
    }

    /// Runs `f` on the up-to-date bucket cache of `peer`'s scope.
    fn with_scope<R>(&self, peer: &DeviceId, f: impl FnOnce(&ScopeCache) -> R) -> R {
        let scope = self.scope(peer);
        let heads: Vec<[u8; 32]> = self
            .registry_ledger()
            .doc()
            .heads()
            .iter()
            .map(|h| h.0)
            .collect();
        let stamp = self.stamp();
        let mut caches = match self.sync_caches.0.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        let key = (scope.clone(), heads);
        let fresh = |device: &Device| {
            let mut docs: Vec<BTreeMap<String, Digest>> = vec![BTreeMap::new(); 256];
            for (doc, held) in device.held_all().unwrap_or_default() {
                if !held.is_empty() && doc.class().is_some_and(|c| scope.contains(&c)) {
                    let name = doc.to_string();
                    docs[bucket_of(&name) as usize].insert(name, doc_digest(&held));
                }
            }
            let digests = docs.iter().map(bucket_digest).collect();
            ScopeCache {
                stamp,
                docs,
                digests,
            }
        };
        let entry = caches.entry(key).or_insert_with(|| fresh(self));
        if entry.stamp != stamp {
            match self.changed_since(entry.stamp) {
                Some(changed) => {
                    let mut dirty = std::collections::BTreeSet::new();
                    for doc in changed {
                        if !doc.class().is_some_and(|c| scope.contains(&c)) {
                            continue;
                        }
                        let name = doc.to_string();
                        let b = bucket_of(&name) as usize;
                        let held = self.held_cached(&doc).unwrap_or_default();
                        if held.is_empty() {
                            entry.docs[b].remove(&name);
                        } else {
                            entry.docs[b].insert(name, doc_digest(&held));
                        }
                        dirty.insert(b);
                    }
                    for b in dirty {
                        entry.digests[b] = bucket_digest(&entry.docs[b]);
                    }
                    entry.stamp = stamp;
                }
                None => *entry = fresh(self),
            }
        }
        f(entry)
    }

    /// The access logs shared with `peer` (`access.rs`), as (name, digest): few documents
    /// (one per device at most), computed for each peer rather than cached per scope.
    fn log_summaries(&self, peer: &DeviceId) -> Vec<(String, Digest)> {
        self.log_owners()
            .unwrap_or_default()
            .into_iter()
            .filter(|owner| self.shares_log(peer, owner))
            .map(|owner| {
                let hashes = self.log_hashes(&owner);
                (DocId::AccessLog(owner).to_string(), doc_digest(&hashes))
            })
            .filter(|(_, d)| *d != doc_digest(&[]))
            .collect()
    }

    fn peer_reads(&self, peer: &DeviceId, doc: &DocId) -> bool {
        let Some(class) = doc.class() else {
            return false;
        };
        self.registry()
            .is_some_and(|r| r.access(peer, class).can_read())
    }
}

impl SyncData for Device {
    fn org(&self) -> OrgId {
        self.org()
    }

    fn knows(&self, peer: &DeviceId) -> bool {
        self.registry()
            .and_then(|r| r.device(peer))
            .is_some_and(|d| d.revoked.is_none())
    }

    fn redeem(&mut self, peer: &DeviceId, secret: &[u8; 16]) -> Result<(), String> {
        let now = self.now();
        self.redeem(*peer, secret, now)
    }

    fn registry_hashes(&self) -> Vec<[u8; 32]> {
        self.held(&DocId::Registry).unwrap_or_default()
    }

    fn registry_changes(&self, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        self.changes_for_peer(&DocId::Registry, except)
            .unwrap_or_default()
    }

    fn apply_registry(&mut self, changes: Vec<Vec<u8>>) -> Applied {
        if changes.is_empty() {
            return Applied::default();
        }
        let (ok, bad) = decode(changes);
        applied(self.receive_from_peer(vec![(DocId::Registry, ok)]), bad)
    }

    fn summaries(&self, peer: &DeviceId) -> Vec<(String, Digest)> {
        let mut out: Vec<(String, Digest)> = self
            .held_all()
            .unwrap_or_default()
            .into_iter()
            // A document whose every change was rejected holds nothing to compare.
            .filter(|(doc, held)| !held.is_empty() && self.peer_reads(peer, doc))
            .map(|(doc, held)| (doc.to_string(), doc_digest(&held)))
            .chain(self.log_summaries(peer))
            .collect();
        out.sort();
        out
    }

    fn bucket_digests(&self, peer: &DeviceId) -> Vec<Digest> {
        let logs = self.log_summaries(peer);
        self.with_scope(peer, |c| {
            let mut digests = c.digests.clone();
            let mut touched: BTreeMap<u8, BTreeMap<String, Digest>> = BTreeMap::new();
            for (name, digest) in logs {
                let b = bucket_of(&name);
                touched
                    .entry(b)
                    .or_insert_with(|| c.docs[b as usize].clone())
                    .insert(name, digest);
            }
            for (b, docs) in touched {
                digests[b as usize] = bucket_digest(&docs);
            }
            digests
        })
    }

    fn bucket_docs(&self, peer: &DeviceId, which: &BTreeSet<u8>) -> Vec<(String, Digest)> {
        let logs = self.log_summaries(peer);
        let mut out: Vec<(String, Digest)> = self.with_scope(peer, |c| {
            which
                .iter()
                .flat_map(|b| c.docs[*b as usize].iter().map(|(d, g)| (d.clone(), *g)))
                .collect()
        });
        out.extend(
            logs.into_iter()
                .filter(|(name, _)| which.contains(&bucket_of(name))),
        );
        out
    }

    fn may_send(&self, peer: &DeviceId, doc: &DocId) -> bool {
        if let DocId::AccessLog(owner) = doc {
            return self.shares_log(peer, owner);
        }
        self.peer_reads(peer, doc)
            && self.can_read(doc.class().unwrap_or(carnet_model::FieldClass::Sec))
    }

    fn doc_hashes(&self, doc: &DocId) -> Vec<[u8; 32]> {
        if let DocId::AccessLog(owner) = doc {
            return self.log_hashes(owner);
        }
        self.held(doc).unwrap_or_default()
    }

    fn doc_changes(&self, doc: &DocId, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        if let DocId::AccessLog(owner) = doc {
            return self.log_entries(owner, except);
        }
        self.changes_for_peer(doc, except).unwrap_or_default()
    }

    fn apply_docs(&mut self, batches: Vec<(DocId, Vec<Vec<u8>>)>) -> Applied {
        let mut bad = 0;
        let mut logs = crate::access::LogReceived::default();
        let mut parsed = Vec::new();
        for (doc, changes) in batches {
            match doc {
                DocId::Registry => {
                    bad += changes.len();
                    continue;
                }
                DocId::AccessLog(owner) => {
                    let got = self.receive_log(&owner, changes);
                    logs.new += got.new;
                    logs.refused += got.refused;
                    continue;
                }
                DocId::Record { .. } => {}
            }
            let (ok, b) = decode(changes);
            bad += b;
            parsed.push((doc, ok));
        }
        let mut out = applied(self.receive_from_peer(parsed), bad);
        out.new += logs.new;
        out.refused += logs.refused;
        out
    }

    fn halted(&self) -> Option<String> {
        self.halted.as_ref().map(ToString::to_string)
    }

    fn revocation_of(&self, peer: &DeviceId) -> Option<Vec<Vec<u8>>> {
        self.registry()?.device(peer)?.revoked.as_ref()?;
        let ledger = &self.registry;
        let notice: Vec<Vec<u8>> = ledger
            .evaluation()
            .valid
            .iter()
            .filter_map(|h| ledger.received().get(h))
            .filter(|r| Registry::revocation_in(&r.change, peer).is_some())
            .map(|r| r.signed.to_bytes())
            .collect();
        (!notice.is_empty()).then_some(notice)
    }

    fn accept_revocation(&mut self, notice: Vec<Vec<u8>>) -> bool {
        let (ok, _) = decode(notice);
        self.accept_revocation(ok).unwrap_or_else(|e| {
            tracing::warn!("could not keep this device's revocation: {e}");
            false
        })
    }

    fn own_changes(&self) -> Vec<(String, Vec<u8>)> {
        self.own_changes()
            .unwrap_or_default()
            .into_iter()
            .map(|(doc, signed)| (doc.to_string(), signed.to_bytes()))
            .collect()
    }

    fn forget(&mut self) {
        if let Err(e) = self.forget() {
            tracing::warn!("a revoked device could not forget its records: {e}");
        }
    }

    fn apply_from_revoked(
        &mut self,
        peer: &DeviceId,
        batches: Vec<(DocId, Vec<Vec<u8>>)>,
    ) -> Applied {
        let org = self.org();
        let mut bad = 0;
        let mut parsed = Vec::new();
        for (doc, changes) in batches {
            let (ok, b) = decode(changes);
            let total = ok.len();
            // Only what it signed itself, and never the registry.
            let own: Vec<SignedChange> = ok
                .into_iter()
                .filter(|s| {
                    doc != DocId::Registry
                        && Received::verify(&org, &doc, s.clone()).is_ok_and(|r| r.author == *peer)
                })
                .collect();
            bad += b + total - own.len();
            parsed.push((doc, own));
        }
        applied(self.receive_many(parsed), bad)
    }
}
