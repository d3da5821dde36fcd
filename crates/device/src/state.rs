//! What `docs-1` holds per document: its heads and, for records, the projection of its fields
//! that lists and lookups read without loading the Automerge document.

use std::collections::BTreeMap;

use carnet_replica::{ChangeHash, FieldState};
use serde::{Deserialize, Serialize};

/// The stored state of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) struct DocState {
    /// The document's heads, sorted.
    pub(crate) heads: Vec<[u8; 32]>,
    /// Current field values (empty for the registry).
    pub(crate) fields: BTreeMap<String, FieldState>,
}

impl DocState {
    pub(crate) fn new(heads: &[ChangeHash], fields: BTreeMap<String, FieldState>) -> Self {
        DocState {
            heads: heads.iter().map(|h| h.0).collect(),
            fields,
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}
