//! The access log's entries (`domain.md` §4 guarantee 9: who read a personal file): one per
//! read of a personal or security document by this device — which record, which class, when,
//! how — signed by the device's key over domain-separated bytes that also bind the entry's
//! place in the log (its sequence number and the hash of the entry before it), so that an
//! entry removed, changed or put out of order breaks the chain `carnet verify` walks. No
//! entry holds a value: record ids, a class, a time and a word.

use serde::{Deserialize, Serialize};

use crate::identity::{DeviceIdExt, DeviceKey};
use carnet_model::{DeviceId, FieldClass, OrgId, RecordId};

/// Domain separation of what an entry's signature covers.
const DOMAIN: &[u8] = b"carnet/access-log/v1";

/// How a personal file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AccessKind {
    /// Shown by a command (`carnet member show`).
    Show,
    /// Shown on a page of the web interface.
    Page,
    /// Written to a file for the person (`carnet member export-file`, right of access).
    ExportFile,
    /// Exported with every record of its kind (`carnet export --include-personal`, the web
    /// interface's export); the entry's record is then the nil id.
    Export,
}

impl AccessKind {
    /// The word shown in the log.
    pub fn name(self) -> &'static str {
        match self {
            AccessKind::Show => "show",
            AccessKind::Page => "page",
            AccessKind::ExportFile => "export-file",
            AccessKind::Export => "export",
        }
    }
}

/// One signed entry of a device's access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// Its place in the log, from 0.
    pub seq: u64,
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
    /// The device that read.
    pub device: DeviceId,
    /// The record's kind, by name (`member`…).
    pub kind: String,
    /// The record read (nil for an export of every record of the kind).
    pub record: RecordId,
    /// The class read.
    pub class: FieldClass,
    /// How.
    pub how: AccessKind,
    /// [`AccessEntry::hash`] of the entry before (zeros for the first).
    pub prev: [u8; 32],
    /// The device's signature over [`AccessEntry::signing_bytes`].
    pub signature: Vec<u8>,
}

/// What an entry says, before it is signed.
#[derive(Debug, Clone)]
pub struct AccessRead {
    /// The record's kind, by name.
    pub kind: String,
    /// The record read.
    pub record: RecordId,
    /// The class read.
    pub class: FieldClass,
    /// How.
    pub how: AccessKind,
}

impl AccessEntry {
    /// The bytes the signature covers.
    pub fn signing_bytes(&self, org: &OrgId) -> Vec<u8> {
        let body = (
            org,
            self.seq,
            self.at_ms,
            self.device,
            &self.kind,
            self.record,
            self.class,
            self.how,
            self.prev,
        );
        let mut out = DOMAIN.to_vec();
        out.extend(postcard::to_stdvec(&body).unwrap_or_default());
        out
    }

    /// The entry after the one whose hash is `prev` (at `seq`), signed by `key`.
    pub fn sign(
        key: &DeviceKey,
        org: &OrgId,
        seq: u64,
        prev: [u8; 32],
        at_ms: i64,
        read: AccessRead,
    ) -> AccessEntry {
        let mut entry = AccessEntry {
            seq,
            at_ms,
            device: key.id(),
            kind: read.kind,
            record: read.record,
            class: read.class,
            how: read.how,
            prev,
            signature: Vec::new(),
        };
        entry.signature = key.sign(&entry.signing_bytes(org)).to_vec();
        entry
    }

    /// Whether the signature is its device's, for `org`.
    pub fn is_signed(&self, org: &OrgId) -> bool {
        self.device
            .verifies(&self.signing_bytes(org), &self.signature)
    }

    /// What the next entry names as `prev`.
    pub fn hash(&self, org: &OrgId) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(&self.signing_bytes(org));
        h.update(&self.signature);
        *h.finalize().as_bytes()
    }
}

/// What is wrong with a log (entries in the order stored), for `carnet verify`: each entry's
/// signature, the sequence without gaps, each entry naming the one before, and `head` (the
/// number of entries and the last one's hash, as recorded when it was written) matching.
pub fn check_log(
    org: &OrgId,
    device: &DeviceId,
    entries: &[AccessEntry],
    head: Option<(u64, [u8; 32])>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut prev = [0u8; 32];
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 {
            problems.push(format!(
                "entry {} is missing (found {} in its place)",
                i, e.seq
            ));
            break;
        }
        if e.device != *device || !e.is_signed(org) {
            problems.push(format!("entry {i} is not signed by this device"));
        }
        if e.prev != prev {
            problems.push(format!(
                "entry {i} does not follow the entry before it (changed or removed)"
            ));
        }
        prev = e.hash(org);
    }
    let held = (entries.len() as u64, prev);
    match head {
        None if !entries.is_empty() => problems.push("the log's head is missing".into()),
        Some((n, _)) if n != held.0 => problems.push(format!(
            "the log should hold {n} entries and holds {} (entries removed)",
            held.0
        )),
        Some((_, h)) if h != held.1 => {
            problems.push("the log's last entry is not the one recorded".into())
        }
        _ => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(n: u8) -> AccessRead {
        AccessRead {
            kind: "member".into(),
            record: RecordId(uuid::Uuid::from_bytes([n; 16])),
            class: FieldClass::Per,
            how: AccessKind::Show,
        }
    }

    fn log(key: &DeviceKey, org: &OrgId, n: u8) -> Vec<AccessEntry> {
        let mut out: Vec<AccessEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or([0; 32], |e| e.hash(org));
            out.push(AccessEntry::sign(
                key,
                org,
                i as u64,
                prev,
                1000 + i as i64,
                read(i),
            ));
        }
        out
    }

    #[test]
    fn a_log_checks_and_every_tampering_is_named() {
        let key = DeviceKey::generate().unwrap();
        let org = OrgId::random();
        let entries = log(&key, &org, 4);
        let head = Some((4, entries[3].hash(&org)));
        assert!(check_log(&org, &key.id(), &entries, head).is_empty());
        // Removed in the middle.
        let mut gap = entries.clone();
        gap.remove(1);
        assert!(!check_log(&org, &key.id(), &gap, head).is_empty());
        // Changed.
        let mut changed = entries.clone();
        changed[2].record = RecordId(uuid::Uuid::nil());
        assert!(!check_log(&org, &key.id(), &changed, head).is_empty());
        // The tail cut, head left.
        assert!(!check_log(&org, &key.id(), &entries[..3], head).is_empty());
        // Another organisation's signature.
        assert!(!check_log(&OrgId::random(), &key.id(), &entries, head).is_empty());
        // The head removed.
        assert!(!check_log(&org, &key.id(), &entries, None).is_empty());
    }
}
