//! Signed changes: the envelope every change travels and rests in, and its verification.
//!
//! The signature covers, in this order:
//! `"carnet/change/v1" ‖ org id (16 bytes) ‖ len(doc id) as u32 BE ‖ doc id (UTF-8) ‖
//! change hash (32 bytes) ‖ number of registry heads as u32 BE ‖ registry heads (sorted, 32 bytes each)`.
//! The change hash is Automerge's SHA-256 of the change chunk, so it covers the author (actor),
//! sequence number, dependencies, time and operations.

use automerge::{Change, ChangeHash};
use serde::{Deserialize, Serialize};

use crate::{DeviceId, DeviceKey, DocId, OrgId};

/// The domain-separation prefix of change signatures.
pub const SIGNATURE_DOMAIN: &[u8] = b"carnet/change/v1";

/// Version byte in front of an encoded envelope.
const ENVELOPE_VERSION: u8 = 1;

/// A change with the registry heads its author had and the author's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedChange {
    /// The Automerge change, as bytes.
    pub change: Vec<u8>,
    /// The registry heads the author had when making the change (empty for registry changes).
    pub registry_heads: Vec<[u8; 32]>,
    /// The author's ed25519 signature over [`SignedChange::signing_bytes`].
    pub signature: Vec<u8>,
}

/// A change whose signature was checked.
#[derive(Clone, Debug)]
pub struct VerifiedChange {
    /// The parsed Automerge change.
    pub change: Change,
    /// Its author, whose key signed it.
    pub author: DeviceId,
}

/// Why envelope bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Written by a newer or unknown format.
    #[error("unknown signed-change format version {0}")]
    Version(u8),
    /// Not a well-formed envelope.
    #[error("malformed signed change")]
    Malformed,
}

/// Why a signed change is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The change bytes are not a valid Automerge change.
    #[error("the change bytes are not a valid change")]
    BadChange,
    /// The change's actor id is not a device key.
    #[error("the change's author is not a device key")]
    NotADeviceKey,
    /// The signature does not match the change, document and organisation.
    #[error("the signature does not match the change")]
    BadSignature,
    /// The change is not the one expected (its hash differs from the one it is filed under).
    #[error("the change is not the one filed under its hash")]
    HashMismatch,
}

impl SignedChange {
    /// The bytes a change's signature covers.
    pub fn signing_bytes(
        org: &OrgId,
        doc: &DocId,
        hash: &ChangeHash,
        registry_heads: &[[u8; 32]],
    ) -> Vec<u8> {
        let doc = doc.to_string();
        let mut heads = registry_heads.to_vec();
        heads.sort_unstable();
        heads.dedup();
        let mut out =
            Vec::with_capacity(SIGNATURE_DOMAIN.len() + 16 + 4 + doc.len() + 36 + 32 * heads.len());
        out.extend_from_slice(SIGNATURE_DOMAIN);
        out.extend_from_slice(org.0.as_bytes());
        out.extend_from_slice(&(doc.len() as u32).to_be_bytes());
        out.extend_from_slice(doc.as_bytes());
        out.extend_from_slice(&hash.0);
        out.extend_from_slice(&(heads.len() as u32).to_be_bytes());
        for h in &heads {
            out.extend_from_slice(h);
        }
        out
    }

    /// Signs `change` (made by `key`) as part of document `doc` of organisation `org`.
    pub fn sign(
        key: &DeviceKey,
        org: &OrgId,
        doc: &DocId,
        change: &Change,
        registry_heads: &[ChangeHash],
    ) -> Self {
        let mut heads: Vec<[u8; 32]> = registry_heads.iter().map(|h| h.0).collect();
        heads.sort_unstable();
        heads.dedup();
        let message = Self::signing_bytes(org, doc, &change.hash(), &heads);
        SignedChange {
            change: change.raw_bytes().to_vec(),
            registry_heads: heads,
            signature: key.sign(&message).to_vec(),
        }
    }

    /// Checks the change and its signature as part of document `doc` of organisation `org`.
    pub fn verify(&self, org: &OrgId, doc: &DocId) -> Result<VerifiedChange, VerifyError> {
        let change = Change::from_bytes(self.change.clone()).map_err(|_| VerifyError::BadChange)?;
        let author = DeviceId::from_actor(change.actor_id()).ok_or(VerifyError::NotADeviceKey)?;
        let message = Self::signing_bytes(org, doc, &change.hash(), &self.registry_heads);
        if !author.verifies(&message, &self.signature) {
            return Err(VerifyError::BadSignature);
        }
        Ok(VerifiedChange { change, author })
    }

    /// Like [`SignedChange::verify`], and checks that the change is the one filed under `hash`.
    pub fn verify_as(
        &self,
        org: &OrgId,
        doc: &DocId,
        hash: &ChangeHash,
    ) -> Result<VerifiedChange, VerifyError> {
        let verified = self.verify(org, doc)?;
        if verified.change.hash() != *hash {
            return Err(VerifyError::HashMismatch);
        }
        Ok(verified)
    }

    /// The registry heads the author named.
    pub fn registry_heads(&self) -> Vec<ChangeHash> {
        self.registry_heads.iter().map(|h| ChangeHash(*h)).collect()
    }

    /// Encodes the envelope (version byte, then postcard).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![ENVELOPE_VERSION];
        // Serialising plain vectors to a Vec cannot fail.
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    /// Decodes an envelope written by [`SignedChange::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        match bytes.split_first() {
            Some((&ENVELOPE_VERSION, rest)) => match postcard::take_from_bytes(rest) {
                Ok((envelope, [])) => Ok(envelope),
                _ => Err(EnvelopeError::Malformed),
            },
            Some((&v, _)) => Err(EnvelopeError::Version(v)),
            None => Err(EnvelopeError::Malformed),
        }
    }
}
