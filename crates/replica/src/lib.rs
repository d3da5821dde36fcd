//! Carnet's replica: records as Automerge documents (one per record × field class), the
//! organisation's registry, device keys, signed changes and their verification, and history.
//!
//! Every change a device makes has the device's ed25519 public key as its Automerge actor id and
//! travels and rests inside a [`SignedChange`]: the change bytes, the registry heads its author
//! had, and a signature over domain-separated bytes naming the organisation and the document,
//! so that it cannot be replayed elsewhere.
//!
//! **Architecture invariant:** this crate does no IO (no files, sockets or clocks: callers pass
//! the time), so that simulations can drive many replicas in one process.
//!
//! ```
//! use carnet_model::{FieldClass, RecordKind};
//! use carnet_replica::{DeviceKey, Doc, DocId, OrgId, RecordId, SignedChange};
//!
//! let key = DeviceKey::generate().unwrap();
//! let org = OrgId::random();
//! let doc_id = DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Com);
//! let mut doc = Doc::new(doc_id.clone());
//! let edits = [RecordKind::Member.parse_edit("display_name=Joy").unwrap()];
//! let change = doc.edit_record(&key, &edits, 1_700_000_000_000).unwrap().unwrap();
//! let signed = SignedChange::sign(&key, &org, &doc_id, &change);
//! let verified = signed.verify(&org, &doc_id).unwrap();
//! assert_eq!(verified.author, key.id());
//! // The same change presented as part of another document is refused.
//! let other = DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Com);
//! assert!(signed.verify(&org, &other).is_err());
//! ```

mod access;
mod document;
mod envelope;
mod history;
mod identity;
mod ledger;
mod registry;
mod shape;

pub use access::{AccessEntry, AccessKind, AccessRead, check_log};
pub use automerge::ChangeHash;
pub use document::{Doc, DocError, FieldState};
pub use envelope::{
    EnvelopeError, SIGNATURE_DOMAIN, SignedChange, VerifiedChange, VerifyError, registry_heads_of,
};
pub use history::{HistoryEntry, touched_fields};
pub use identity::{DeviceIdExt, DeviceKey, KeyError};
// The ids live on the ground floor (`carnet-model`); re-exported for the crates above.
pub use carnet_model::{DeviceId, DocId, DocIdError, OrgId, RecordId};
pub use ledger::{
    DocLedger, Evaluation, Reason, Received, RegistryLedger, RemovalEvent, author_heads,
};
pub use registry::{
    Deletion, DeviceEntry, Erasure, Marker, Registry, RegistryError, RegistryOp, Revocation,
    receipt_key,
};
pub use shape::ShapeError;
