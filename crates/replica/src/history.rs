//! What a change did, for `carnet history`: its author, time and the fields it touched.

use std::collections::BTreeSet;

use automerge::legacy::{Key, ObjectId};
use automerge::{Change, ChangeHash};

use crate::DeviceId;

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The change's hash.
    pub hash: ChangeHash,
    /// Its author.
    pub author: DeviceId,
    /// When its author says it was made, in milliseconds since the epoch.
    pub time_ms: i64,
    /// The author's sequence number of this change.
    pub seq: u64,
    /// The fields it touched.
    pub fields: BTreeSet<String>,
}

/// The fields a change touched: the root keys it wrote, with a set's labels folded into the
/// set's field name (`working_groups/media` → `working_groups`).
pub fn touched_fields(change: &Change) -> BTreeSet<String> {
    // Automerge 0.12 panics decoding some malformed changes (found by fuzzing); a stored
    // change from a peer must not make `history` or `quarantine` crash: show no fields.
    let Ok(decoded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode()))
    else {
        return BTreeSet::new();
    };
    decoded
        .operations
        .iter()
        .filter(|op| op.obj == ObjectId::Root)
        .filter_map(|op| match &op.key {
            Key::Map(k) => Some(k.split('/').next().unwrap_or_default().to_owned()),
            Key::Seq(_) => None,
        })
        .collect()
}

impl HistoryEntry {
    /// The history entry of a verified change.
    pub fn of(change: &Change, author: DeviceId) -> Self {
        HistoryEntry {
            hash: change.hash(),
            author,
            time_ms: change.timestamp(),
            seq: change.seq(),
            fields: touched_fields(change),
        }
    }
}
