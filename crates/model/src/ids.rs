//! Identifiers: organisations, records, documents and devices. Ids are random (a device's is its
//! public key) and carry nothing personal.

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

/// A document: the registry, one class of one record (`member/<uuid>/per`), or one device's
/// access log (`access-log/<device hex>`: its signed entries of who read a personal file,
/// which travel between the device and direction devices only).
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
    /// The access log of one device (`domain.md` §4 guarantee 9).
    AccessLog(DeviceId),
}

impl DocId {
    /// The document holding `class` fields of record `id`.
    pub fn record(kind: RecordKind, id: RecordId, class: FieldClass) -> Self {
        DocId::Record { kind, id, class }
    }

    /// The field class of a record document (`None` for the registry and access logs, which
    /// have rules of their own).
    pub fn class(&self) -> Option<FieldClass> {
        match self {
            DocId::Registry | DocId::AccessLog(_) => None,
            DocId::Record { class, .. } => Some(*class),
        }
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocId::Registry => f.write_str("registry"),
            DocId::Record { kind, id, class } => write!(f, "{kind}/{id}/{}", class.code()),
            DocId::AccessLog(device) => write!(f, "{ACCESS_LOG}/{device}"),
        }
    }
}

/// The first part of an access log's name.
const ACCESS_LOG: &str = "access-log";

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
        if let Some(device) = s.strip_prefix(ACCESS_LOG).and_then(|d| d.strip_prefix('/')) {
            let doc = DocId::AccessLog(device.parse().map_err(|_| DocIdError)?);
            // Lowercase only: one document, one name.
            return if doc.to_string() == s {
                Ok(doc)
            } else {
                Err(DocIdError)
            };
        }
        let mut parts = s.split('/');
        let (Some(kind), Some(id), Some(class), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DocIdError);
        };
        let doc = DocId::Record {
            kind: RecordKind::from_doc_name(kind).map_err(|_| DocIdError)?,
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

/// A device's id: its ed25519 public key, which is also the Automerge actor id of every change
/// the device makes. What ties it to the key and to Automerge (signature checks, actor ids)
/// lives with the cryptography, in `carnet-replica` (`DeviceIdExt`): this crate knows neither.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeviceId(pub [u8; 32]);

/// Lowercase hexadecimal digits of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl DeviceId {
    /// The first 8 hex digits, for tables.
    pub fn short(&self) -> String {
        hex(&self.0[..4])
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({})", self.short())
    }
}

/// A string that is not a device id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a device id (expected 64 hexadecimal digits)")]
pub struct DeviceIdError;

impl FromStr for DeviceId {
    type Err = DeviceIdError;
    /// 64 hexadecimal digits, in either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.as_bytes();
        if digits.len() != 64 {
            return Err(DeviceIdError);
        }
        let value = |d: u8| (d as char).to_digit(16).ok_or(DeviceIdError);
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
            *byte = (value(pair[0])? * 16 + value(pair[1])?) as u8;
        }
        Ok(DeviceId(out))
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

    #[test]
    fn device_ids_round_trip_as_64_hex_digits() {
        let id = DeviceId(std::array::from_fn(|i| (i * 37) as u8));
        let text = id.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<DeviceId>(), Ok(id));
        assert_eq!(text.to_uppercase().parse::<DeviceId>(), Ok(id));
        assert_eq!(id.short(), text[..8]);
        for bad in [
            "",
            &text[..62],
            &format!("{text}00"),
            &format!("g{}", &text[1..]),
        ] {
            assert_eq!(bad.parse::<DeviceId>(), Err(DeviceIdError), "{bad}");
        }
        assert_eq!("é".repeat(32).parse::<DeviceId>(), Err(DeviceIdError));
    }
}
