//! Errors of this device's operations, one enum per operation. None carries a field value.

use carnet_model::{EditError, RecordError, RecordKind};
use carnet_replica::{DocError, KeyError, RecordId};
use carnet_store::{OpenError, StoreError};

/// Why `carnet init` failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The home already holds a store.
    #[error("this home already holds a Carnet store; use another --home or remove it")]
    Exists,
    /// The home directory could not be made.
    #[error("cannot create the home directory")]
    Io(#[from] std::io::Error),
    /// The store could not be created.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// Writing the first documents failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The device key could not be made.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The registry's first change could not be made.
    #[error(transparent)]
    Doc(#[from] DocError),
}

/// Why the device could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenDeviceError {
    /// The store could not be opened or unlocked.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the store failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The store was rolled back or tampered with (see `anchor.rs`).
    #[error(transparent)]
    RolledBack(#[from] crate::anchor::RolledBack),
    /// The store has no readable organisation or registry.
    #[error("the store's organisation or registry is unreadable; run `carnet verify`")]
    Damaged,
}

/// Why a backup could not be restored. Nothing is left in the home when one of these is
/// returned before the store was made.
#[derive(Debug, thiserror::Error)]
pub enum RestoreDeviceError {
    /// The home already holds a store.
    #[error(
        "this home already holds a Carnet store; restore into another --home, or pass --replace to replace it"
    )]
    Exists,
    /// The home could not be made or the restored files moved into it.
    #[error("cannot write the home directory")]
    Io(#[from] std::io::Error),
    /// The new device key could not be made.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The backup could not be opened or made into a store.
    #[error(transparent)]
    Restore(#[from] carnet_store::RestoreError),
    /// The restored store does not open as a sound device.
    #[error(transparent)]
    Open(#[from] OpenDeviceError),
}

/// Why reading records failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// No record of that kind has that id.
    #[error("no {kind} has id {id}")]
    NotFound {
        /// The kind looked for.
        kind: RecordKind,
        /// The id.
        id: RecordId,
    },
    /// The record was erased (RGPD art. 17): nothing of it is held any more.
    #[error("this {kind} was erased on every device (see `carnet erasure status`)")]
    Erased {
        /// The kind looked for.
        kind: RecordKind,
    },
    /// A stored value failed authentication or could not be decoded.
    #[error("stored data of {doc} failed authentication or is damaged; run `carnet verify`")]
    Damaged {
        /// The document concerned.
        doc: String,
    },
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a record could not be named.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Nothing matched.
    #[error("no {kind} matches that id, id prefix or name; see `carnet {kind} list`")]
    NotFound {
        /// The kind looked for.
        kind: RecordKind,
    },
    /// Several records matched.
    #[error("{} {kind}s match; give more of the id: {}", matches.len(), list(matches))]
    Ambiguous {
        /// The kind looked for.
        kind: RecordKind,
        /// Each match's id and label (display name or title: never a personal-file field).
        matches: Vec<(RecordId, String)>,
    },
    /// No enrolled device matches.
    #[error("no device matches that id, id prefix or holder; see `carnet device list`")]
    NoDevice,
    /// Several devices match.
    #[error("several devices match; give more of the id: {}", matches.join(", "))]
    AmbiguousDevice {
        /// The ids of the matching devices.
        matches: Vec<String>,
    },
    /// Reading failed.
    #[error(transparent)]
    Read(#[from] ReadError),
}

fn list(matches: &[(RecordId, String)]) -> String {
    matches
        .iter()
        .map(|(id, label)| format!("{id} ({label})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a change could not be written. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The device named is not in the registry.
    #[error("no such device in the registry (see `carnet device list`)")]
    UnknownDevice,
    /// Only a device that knows it was revoked forgets its records.
    #[error("this device was not revoked: nothing to forget")]
    NotRevoked,
    /// An edit is invalid.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The record would be invalid after the edits.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Nothing to write.
    #[error("no field given; use --field name=value")]
    NoEdits,
    /// This device may not write a field.
    #[error("field `{field}` is {class}, which this device may not write: {reason}")]
    Forbidden {
        /// The field.
        field: &'static str,
        /// Its class.
        class: carnet_model::FieldClass,
        /// Why (names the device's roles).
        reason: carnet_replica::Reason,
    },
    /// Only direction devices change the registry.
    #[error("only a direction device may do this (it changes the registry)")]
    NotDirection,
    /// A merge names the same record twice.
    #[error("a member cannot be merged into herself: name two different records")]
    MergeItself,
    /// The record was erased: nothing of it may be written again.
    #[error("this {kind} was erased (see `carnet erasure status`): nothing of it can be written")]
    Erased {
        /// The record's kind.
        kind: RecordKind,
    },
    /// An expelled person's erasure keeps her M6 marker, made from her personal file, which
    /// this device may not read.
    #[error(
        "this person was expelled: her erasure keeps the M6 marker made from her personal file, \
         which this device may not read; erase her from a direction device with a \
         confidentiality agreement"
    )]
    MarkerUnreadable,
    /// The record could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The document could not be changed.
    #[error(transparent)]
    Doc(#[from] DocError),
    /// A stored change failed verification, so the document cannot be safely extended.
    #[error("a stored change of {doc} fails verification; run `carnet verify`")]
    Unverified {
        /// The document concerned.
        doc: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// This device stopped: its store was rolled back or tampered with.
    #[error(transparent)]
    RolledBack(#[from] crate::anchor::RolledBack),
    /// A device could not be named.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The association's rules refuse the write (each finding names its rule).
    #[error("refused by the association's rules:\n{}", rules(findings))]
    Rules {
        /// The blocking findings.
        findings: Vec<carnet_rules::Finding>,
    },
    /// A record to create already exists, or one record is written twice in one batch.
    #[error("a {kind} with this id is already held (or given twice)")]
    Exists {
        /// Its kind.
        kind: RecordKind,
    },
}

fn rules(findings: &[carnet_rules::Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let on = f
                .record
                .as_deref()
                .map(|id| format!(" ({} {})", f.kind, &id[..id.len().min(8)]))
                .unwrap_or_default();
            format!("  {} {}{on}: {}", f.rule, f.rule.summary(), f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
