//! The store's sealed record of its own state, and what stops a device whose store was rolled
//! back or tampered with (issue 15; `docs/storage.md`, "Rollback").
//!
//! Someone holding the disk but not the passphrase cannot forge a sealed value, but can delete
//! rows or put back older ones. The **anchor** (`meta-1` `info/anchor`, sealed under the data
//! key) names every registry change the store holds, and a counter that grows by one with each
//! registry write; it is written in the transaction of every registry change. Opening checks
//! it against the registry changes that verify: one deleted, damaged or put back from an older
//! copy, or an anchor missing or older than the registry, stops the device.
//!
//! A whole store put back (an older consistent copy, anchor included) looks sound from the
//! disk. Peers see it: a peer that sends this device a change it signed itself, for a document
//! whose state it holds without that change, shows that it lost its own past. The device then
//! stops (`info/rolled-back`), before it signs anything that could reuse a sequence number.

use std::fmt;

use carnet_store::{StoreError, WriteBatch};
use serde::{Deserialize, Serialize};

use crate::Device;

/// The sealed metadata entry of the anchor.
const ANCHOR: &str = "anchor";

/// The sealed metadata entry noting that a peer found this store rolled back.
const ROLLED_BACK: &str = "rolled-back";

/// The anchor: what the store's registry holds, sealed.
#[derive(Debug, Serialize, Deserialize)]
struct Anchor {
    /// Grows by one with every registry write.
    counter: u64,
    /// How many registry changes the store holds (every one whose seal and signature verify).
    changes: u64,
    /// `carnet_sync::doc_digest` of their hashes.
    digest: [u8; 32],
    /// The registry's heads.
    heads: Vec<[u8; 32]>,
}

/// Why this device stopped: its store was rolled back or tampered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolledBack {
    /// What was found (never a value).
    pub detail: String,
}

impl fmt::Display for RolledBack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this device's store was rolled back or tampered with: {}; restore a backup with \
             `carnet restore` or ask direction to enrol it again",
            self.detail
        )
    }
}

impl std::error::Error for RolledBack {}

fn stopped(detail: impl Into<String>) -> RolledBack {
    RolledBack {
        detail: detail.into(),
    }
}

impl Device {
    /// The registry as the anchor describes it: every change held, their digest, the heads.
    fn anchor_now(&self, counter: u64) -> Anchor {
        let hashes: Vec<[u8; 32]> = self.registry.received().keys().map(|h| h.0).collect();
        Anchor {
            counter,
            changes: hashes.len() as u64,
            digest: carnet_sync::doc_digest(&hashes),
            heads: self.registry.doc().heads().iter().map(|h| h.0).collect(),
        }
    }

    fn anchor(&self) -> Result<Option<Anchor>, RolledBack> {
        match self.store.info(ANCHOR) {
            Ok(None) => Ok(None),
            Ok(Some(Ok(bytes))) => postcard::from_bytes(&bytes)
                .map(Some)
                .map_err(|_| stopped("the sealed record of its registry is unreadable")),
            Ok(Some(Err(_))) => Err(stopped(
                "the sealed record of its registry fails authentication",
            )),
            Err(_) => Err(stopped("the sealed record of its registry cannot be read")),
        }
    }

    /// Writes the anchor of the registry as the ledger holds it now (the caller writes the
    /// registry's changes in the same batch).
    pub(crate) fn put_anchor(&self, batch: &mut WriteBatch<'_>) -> Result<(), StoreError> {
        let counter = self.anchor().ok().flatten().map_or(0, |a| a.counter) + 1;
        let anchor = self.anchor_now(counter);
        batch.put_info(ANCHOR, &postcard::to_stdvec(&anchor).unwrap_or_default())
    }

    /// Whether the store is sound: its anchor names exactly the registry changes that verify,
    /// and no peer found it rolled back. Read on opening and whenever the store comes back
    /// from another command.
    pub(crate) fn check_store(&self) -> Result<(), RolledBack> {
        if let Ok(Some(Ok(detail))) = self.store.info(ROLLED_BACK) {
            return Err(stopped(String::from_utf8_lossy(&detail).into_owned()));
        }
        let held = self.anchor_now(0);
        let Some(anchor) = self.anchor()? else {
            if held.changes == 0 {
                // A device waiting to join holds no registry yet.
                return Ok(());
            }
            return Err(stopped(
                "the sealed record of its registry is missing (a store made by a Carnet of \
                 before December 2026 has none: make it again)",
            ));
        };
        let received = self.registry.received();
        let missing = anchor
            .heads
            .iter()
            .filter(|h| !received.contains_key(&carnet_replica::ChangeHash(**h)))
            .count();
        if missing > 0 {
            return Err(stopped(format!(
                "its registry lacks {missing} change(s) its sealed record names"
            )));
        }
        if anchor.digest != held.digest {
            return Err(stopped(format!(
                "its registry holds {} change(s) that verify where its sealed record names {}",
                held.changes, anchor.changes
            )));
        }
        Ok(())
    }

    /// Why this device stopped, if it did (see [`RolledBack`]): it then writes nothing and
    /// takes part in no session.
    pub fn halted(&self) -> Option<&RolledBack> {
        self.halted.as_ref()
    }

    /// Refuses a write on a stopped device.
    pub(crate) fn require_running(&self) -> Result<(), crate::WriteError> {
        match &self.halted {
            Some(why) => Err(crate::WriteError::RolledBack(why.clone())),
            None => Ok(()),
        }
    }

    /// Stops this device: a peer showed that its store lost changes it had signed. Noted in
    /// the store, so that every later command refuses too.
    pub(crate) fn halt(&mut self, detail: &str) -> RolledBack {
        let why = stopped(detail);
        // Best effort: the session stops anyway, and the peer will show it again.
        if let Ok(mut batch) = self.store.write()
            && batch.put_info(ROLLED_BACK, detail.as_bytes()).is_ok()
        {
            let _ = batch.commit();
        }
        tracing::error!("{why}");
        self.halted = Some(why.clone());
        why
    }
}
