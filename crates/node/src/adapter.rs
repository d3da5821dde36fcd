//! The device as the sync session sees it ([`SyncData`] over a [`Device`]).

use std::collections::BTreeSet;

use carnet_device::{Device, ReceiveReport};
use carnet_replica::{DeviceId, DocId, SignedChange};
use carnet_sync::{Applied, Digest, SyncData, doc_digest};
use chrono::Utc;

/// A device during one message of a session.
pub(crate) struct Adapter<'a> {
    pub(crate) device: &'a mut Device,
}

fn applied(r: Result<ReceiveReport, carnet_device::WriteError>, undecodable: usize) -> Applied {
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

impl Adapter<'_> {
    fn peer_reads(&self, peer: &[u8; 32], doc: &DocId) -> bool {
        let Some(class) = doc.class() else {
            return false;
        };
        self.device
            .registry()
            .is_some_and(|r| r.access(&DeviceId(*peer), class).can_read())
    }
}

impl SyncData for Adapter<'_> {
    fn org(&self) -> [u8; 16] {
        *self.device.org().0.as_bytes()
    }

    fn knows(&self, peer: &[u8; 32]) -> bool {
        self.device
            .registry()
            .and_then(|r| r.device(&DeviceId(*peer)))
            .is_some_and(|d| d.revoked.is_none())
    }

    fn redeem(&mut self, peer: &[u8; 32], secret: &[u8; 16]) -> Result<(), String> {
        self.device.redeem(DeviceId(*peer), secret, Utc::now())
    }

    fn registry_hashes(&self) -> Vec<[u8; 32]> {
        self.device.held(&DocId::Registry).unwrap_or_default()
    }

    fn registry_changes(&self, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        self.device
            .changes_for_peer(&DocId::Registry, except)
            .unwrap_or_default()
    }

    fn apply_registry(&mut self, changes: Vec<Vec<u8>>) -> Applied {
        if changes.is_empty() {
            return Applied::default();
        }
        let (ok, bad) = decode(changes);
        applied(self.device.receive_many(vec![(DocId::Registry, ok)]), bad)
    }

    fn summaries(&self, peer: &[u8; 32]) -> Vec<(String, Digest)> {
        let mut out: Vec<(String, Digest)> = self
            .device
            .held_all()
            .unwrap_or_default()
            .into_iter()
            .filter(|(doc, _)| self.peer_reads(peer, doc))
            .map(|(doc, held)| (doc.to_string(), doc_digest(&held)))
            .collect();
        out.sort();
        out
    }

    fn may_send(&self, peer: &[u8; 32], doc: &str) -> bool {
        doc.parse::<DocId>().is_ok_and(|d| {
            self.peer_reads(peer, &d)
                && self
                    .device
                    .can_read(d.class().unwrap_or(carnet_model::FieldClass::Sec))
        })
    }

    fn doc_hashes(&self, doc: &str) -> Vec<[u8; 32]> {
        doc.parse::<DocId>()
            .ok()
            .and_then(|d| self.device.held(&d).ok())
            .unwrap_or_default()
    }

    fn doc_changes(&self, doc: &str, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        doc.parse::<DocId>()
            .ok()
            .and_then(|d| self.device.changes_for_peer(&d, except).ok())
            .unwrap_or_default()
    }

    fn apply_docs(&mut self, batches: Vec<(String, Vec<Vec<u8>>)>) -> Applied {
        let mut bad = 0;
        let mut parsed = Vec::new();
        for (doc, changes) in batches {
            let Ok(doc) = doc.parse::<DocId>() else {
                bad += changes.len();
                continue;
            };
            if doc == DocId::Registry {
                bad += changes.len();
                continue;
            }
            let (ok, b) = decode(changes);
            bad += b;
            parsed.push((doc, ok));
        }
        applied(self.device.receive_many(parsed), bad)
    }
}
