//! A revoked device forgets (issue 15, item 8). It learns of its own revocation from its
//! registry, or from a peer that answers its `Hello` with the signed revocation
//! ([`Device::accept_revocation`]); it hands in the changes it signed (so that direction can
//! review its unsynced work in the quarantine and re-admit it), then deletes every record
//! document, destroys every record key and rewrites its store ([`Device::forget`]). The
//! registry stays, so that it can say why.

use std::collections::BTreeSet;

use carnet_replica::{DocId, Received, Registry, SignedChange};

use crate::Device;
use crate::error::{ReadError, WriteError};

/// The sealed `meta-1` entry where a device keeps the time (ms) of a revocation a peer handed
/// it, whose registry dependencies it may never receive.
const NOTICE: &str = "revoked-notice";

impl Device {
    /// When this device was revoked (ms since the epoch, as direction's device said), if it
    /// knows it was: from its registry, or from a revocation a peer handed it.
    pub fn revoked_at(&self) -> Option<i64> {
        let me = self.id();
        self.registry()
            .and_then(|r| r.device(&me))
            .and_then(|d| d.revoked.as_ref())
            .map(|r| r.at_ms)
            .or_else(|| {
                let bytes = self.store.info(NOTICE).ok()??.ok()?;
                Some(i64::from_be_bytes(bytes.as_slice().try_into().ok()?))
            })
    }

    /// Checks `notice`, the signed revocation a peer handed over: a registry change signed for
    /// this organisation by a device this device's registry lists as direction, that revokes
    /// this device. Keeps it (in the registry, where it may wait for changes this device will
    /// never receive, and as a sealed note) and says whether it revokes this device. Nothing
    /// is deleted here: the session hands in this device's own changes first, then calls
    /// [`Device::forget`].
    pub fn accept_revocation(&mut self, notice: Vec<SignedChange>) -> Result<bool, WriteError> {
        let me = self.id();
        for signed in notice {
            let Ok(r) = Received::verify(&self.org, &DocId::Registry, signed.clone()) else {
                continue;
            };
            if !self
                .registry()
                .is_some_and(|reg| reg.is_direction(&r.author))
            {
                continue;
            }
            let Some(at) = Registry::revocation_in(&r.change, &me) else {
                continue;
            };
            let mut batch = self.store.write()?;
            batch.put_info(NOTICE, &at.to_be_bytes())?;
            batch.commit()?;
            self.receive_many(vec![(DocId::Registry, vec![signed])])?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The changes this device signed in the record documents it holds, valid or not: what it
    /// hands in when it learns it was revoked.
    pub fn own_changes(&self) -> Result<Vec<(DocId, SignedChange)>, ReadError> {
        let me = self.id();
        let mut out = Vec::new();
        for doc in self.documents()? {
            for (_, r) in self.stored_changes(&doc)? {
                if let Ok(r) = r
                    && r.author == me
                {
                    out.push((doc.clone(), r.signed));
                }
            }
        }
        Ok(out)
    }

    /// Forgets everything a revoked device may no longer read: deletes every record document
    /// (changes, state, quarantined evidence), destroys every record key and rewrites the
    /// store; the registry stays. Refused unless this device knows it was revoked.
    pub fn forget(&mut self) -> Result<(), WriteError> {
        if self.revoked_at().is_none() {
            return Err(WriteError::NotRevoked);
        }
        let docs: BTreeSet<DocId> = self.documents()?.into_iter().collect();
        let mut batch = self.store.write()?;
        let mut noted = Vec::new();
        for doc in docs.into_iter().filter(|d| *d != DocId::Registry) {
            batch.delete_doc(&doc.to_string())?;
            noted.push((doc, Vec::new()));
        }
        batch.commit()?;
        self.note(noted);
        self.forget_peer_logs()?;
        self.store.destroy_all_record_keys()?;
        self.store.rewrite()?;
        Ok(())
    }
}
