//! Identifiers: organisations, records and documents. Ids are random and carry nothing personal.

use std::fmt;
use std::str::FromStr;

use crate::{FieldClass, RecordKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An organisation (one registry, one set of records).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct OrgId(pub Uuid);

impl OrgId {
    /// The organisation founded by the registry genesis change whose hash is `hash`: its first
    /// 16 bytes, so no second genesis can claim the id.
    pub fn from_genesis(hash: &[u8; 32]) -> OrgId {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&hash[..16]);
        OrgId(Uuid::from_bytes(bytes))
    }

    /// A new random organisation id.
    pub fn random() -> Self {
        OrgId(Uuid::new_v4())
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A record (a member, a project…), which has one document per field class.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct RecordId(pub Uuid);

impl RecordId {
    /// A new random record id.
    pub fn random() -> Self {
        RecordId(Uuid::new_v4())
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for RecordId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(RecordId)
    }
}

/// A document: the registry, or one class of one record (`member/<uuid>/per`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum DocId {
    /// The organisation's registry of devices, roles and policy.
    Registry,
    /// The fields of one class of one record.
    Record {
        /// The record's kind.
        kind: RecordKind,
        /// The record.
        id: RecordId,
        /// The class of the fields this document holds.
        class: FieldClass,
    },
}

impl DocId {
    /// The document holding `class` fields of record `id`.
    pub fn record(kind: RecordKind, id: RecordId, class: FieldClass) -> Self {
        DocId::Record { kind, id, class }
    }

    /// The field class of a record document.
    pub fn class(&self) -> Option<FieldClass> {
        match self {
            DocId::Registry => None,
            DocId::Record { class, .. } => Some(*class),
        }
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocId::Registry => f.write_str("registry"),
            DocId::Record { kind, id, class } => write!(f, "{kind}/{id}/{}", class.code()),
        }
    }
}

/// A string that is not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a document id (expected `registry` or `KIND/UUID/CLASS`)")]
pub struct DocIdError;

impl FromStr for DocId {
    type Err = DocIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "registry" {
            return Ok(DocId::Registry);
        }
        let mut parts = s.split('/');
        let (Some(kind), Some(id), Some(class), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DocIdError);
        };
        let doc = DocId::Record {
            kind: kind.parse().map_err(|_| DocIdError)?,
            id: id.parse().map_err(|_| DocIdError)?,
            class: class.parse().map_err(|_| DocIdError)?,
        };
        // Only the canonical spelling, so that one document has exactly one name.
        if doc.to_string() != s {
            return Err(DocIdError);
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_round_trip() {
        let d = DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Per);
        assert_eq!(d.to_string().parse::<DocId>(), Ok(d.clone()));
        assert_eq!("registry".parse::<DocId>(), Ok(DocId::Registry));
        assert!("member/x/per".parse::<DocId>().is_err());
        let upper = d
            .to_string()
            .to_uppercase()
            .replace("MEMBER", "member")
            .replace("PER", "per");
        assert!(upper.parse::<DocId>().is_err());
    }
}
