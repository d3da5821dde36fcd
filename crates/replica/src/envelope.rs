//! Signed changes: the envelope every change travels and rests in, and its verification.
//!
//! The signature covers, in this order:
//! `"carnet/change/v1" ‖ org id (16 bytes) ‖ len(doc id) as u32 BE ‖ doc id (UTF-8) ‖
//! change hash (32 bytes) ‖ number of registry heads as u32 BE ‖ registry heads (sorted, 32 bytes each)`.
//! The change hash is Automerge's SHA-256 of the change chunk, so it covers the author (actor),
//! sequence number, dependencies, time and operations — and the registry heads too: they are
//! written into the change's message (`carnet/registry-heads/v1` then each head in hex, sorted),
//! and an envelope must name exactly those. So one change has one set of registry heads, and
//! every device judges it the same way (an author signing one change twice with different heads
//! made two devices disagree for good; found by fuzzing).
//!
//! A change must also be Automerge's canonical encoding of itself and hold only root `put`s and
//! `delete`s ([`crate::shape`]).

use automerge::{Change, ChangeHash};
use serde::{Deserialize, Serialize};

use crate::shape::{ShapeError, check_content};
use crate::{DeviceId, DeviceIdExt, DeviceKey, DocId, OrgId};

/// The start of a change message that names registry heads.
const HEADS_MESSAGE: &str = "carnet/registry-heads/v1";

/// The first bytes of every Automerge chunk.
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The chunk type of a change (Carnet writes nothing else; 2 is a compressed change, 3 a bundle).
const CHANGE_CHUNK: u8 = 1;

/// Parses change bytes from anyone. Automerge 0.12 parses any chunk type before refusing what
/// is not a change, and panics or allocates without bound on some bundle chunks (a truncated
/// delta panics in hexane; another grew past 15 GB) and inflates compressed chunks without a
/// limit (found by fuzzing `signed_change`): only a plain change chunk reaches it, and a panic
/// is a refusal, never a crash.
fn parse_change(bytes: &[u8]) -> Result<Change, VerifyError> {
    if bytes.len() < 9 || bytes[..4] != CHUNK_MAGIC || bytes[8] != CHANGE_CHUNK {
        return Err(VerifyError::BadChange);
    }
    std::panic::catch_unwind(|| Change::from_bytes(bytes.to_vec()))
        .ok()
        .and_then(Result::ok)
        .ok_or(VerifyError::BadChange)
}

/// The change message naming `heads` (none when there are none).
pub(crate) fn heads_message(heads: &[ChangeHash]) -> Option<String> {
    if heads.is_empty() {
        return None;
    }
    let mut sorted: Vec<[u8; 32]> = heads.iter().map(|h| h.0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = HEADS_MESSAGE.to_owned();
    for h in sorted {
        out.push(' ');
        out.push_str(&hex::encode(h));
    }
    Some(out)
}

/// The registry heads a change's message names (sorted, distinct; none without a message).
pub fn registry_heads_of(change: &Change) -> Result<Vec<[u8; 32]>, ShapeError> {
    let Some(message) = change.message() else {
        return Ok(vec![]);
    };
    let mut words = message.split(' ');
    if words.next() != Some(HEADS_MESSAGE) {
        return Err(ShapeError::Heads);
    }
    let mut heads = Vec::new();
    for w in words {
        let mut h = [0u8; 32];
        hex::decode_to_slice(w, &mut h).map_err(|_| ShapeError::Heads)?;
        heads.push(h);
    }
    // Only the canonical form (sorted, distinct, at least one) is accepted.
    if heads.is_empty() || heads.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ShapeError::Heads);
    }
    Ok(heads)
}

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
    /// The change holds what Carnet never writes, or is not canonically encoded.
    #[error("the change is malformed: {0}")]
    Shape(#[from] ShapeError),
    /// The envelope names other registry heads than the change itself.
    #[error("the envelope's registry heads are not the change's")]
    HeadsMismatch,
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

    /// Signs `change` (made by `key`) as part of document `doc` of organisation `org`; the
    /// envelope names the registry heads the change's message holds (see
    /// [`crate::Doc::set_registry_heads`]).
    pub fn sign(key: &DeviceKey, org: &OrgId, doc: &DocId, change: &Change) -> Self {
        // A change whose message is not Carnet's names no heads; it will not verify.
        let heads = registry_heads_of(change).unwrap_or_default();
        let message = Self::signing_bytes(org, doc, &change.hash(), &heads);
        SignedChange {
            change: change.raw_bytes().to_vec(),
            registry_heads: heads,
            signature: key.sign(&message).to_vec(),
        }
    }

    /// Checks the change and its signature as part of document `doc` of organisation `org`.
    pub fn verify(&self, org: &OrgId, doc: &DocId) -> Result<VerifiedChange, VerifyError> {
        let change = parse_change(&self.change)?;
        // Automerge does not check a change's header checksum, nor refuse trailing bytes: insist
        // on the exact canonical bytes, so that no byte of a stored change can be altered
        // unnoticed (the hash covers everything else).
        let hash = change.hash();
        if change.raw_bytes() != self.change.as_slice()
            || self.change.get(4..8) != Some(&hash.0[..4])
        {
            return Err(VerifyError::BadChange);
        }
        let author = DeviceId::from_actor(change.actor_id()).ok_or(VerifyError::NotADeviceKey)?;
        if registry_heads_of(&change)? != self.registry_heads {
            return Err(VerifyError::HeadsMismatch);
        }
        let message = Self::signing_bytes(org, doc, &hash, &self.registry_heads);
        if !author.verifies(&message, &self.signature) {
            return Err(VerifyError::BadSignature);
        }
        // Checked last: it decodes the change, which costs more than the signature.
        check_content(&change)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Doc, RecordId};
    use carnet_model::{FieldClass, RecordKind};
    use proptest::prelude::*;

    fn signed_pair() -> (DeviceKey, OrgId, DocId, SignedChange, SignedChange) {
        let key = DeviceKey::generate().unwrap();
        let org = OrgId::random();
        let id = DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Per);
        let mut doc = Doc::new(id.clone());
        doc.set_registry_heads(&[ChangeHash([5; 32])]);
        let kind = RecordKind::Member;
        let one = doc
            .edit_record(&key, &[kind.parse_edit("last_name=Okafor").unwrap()], 1)
            .unwrap()
            .unwrap();
        let two = doc
            .edit_record(&key, &[kind.parse_edit("city=Nice").unwrap()], 2)
            .unwrap()
            .unwrap();
        let a = SignedChange::sign(&key, &org, &id, &one);
        let b = SignedChange::sign(&key, &org, &id, &two);
        (key, org, id, a, b)
    }

    #[test]
    fn envelopes_round_trip_and_verify() {
        let (key, org, id, a, _) = signed_pair();
        let back = SignedChange::from_bytes(&a.to_bytes()).unwrap();
        assert_eq!(back, a);
        let v = back.verify(&org, &id).unwrap();
        assert_eq!(v.author, key.id());
        assert!(back.verify_as(&org, &id, &v.change.hash()).is_ok());
        assert_eq!(
            back.verify_as(&org, &id, &ChangeHash([0; 32])).unwrap_err(),
            VerifyError::HashMismatch
        );
    }

    #[test]
    fn swapped_signatures_are_refused() {
        let (_, org, id, mut a, mut b) = signed_pair();
        std::mem::swap(&mut a.signature, &mut b.signature);
        assert_eq!(a.verify(&org, &id).unwrap_err(), VerifyError::BadSignature);
        assert_eq!(b.verify(&org, &id).unwrap_err(), VerifyError::BadSignature);
    }

    #[test]
    fn replays_into_another_document_or_organisation_and_altered_heads_are_refused() {
        let (_, org, id, a, _) = signed_pair();
        let other_doc = DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Per);
        assert_eq!(
            a.verify(&org, &other_doc).unwrap_err(),
            VerifyError::BadSignature
        );
        assert_eq!(
            a.verify(&OrgId::random(), &id).unwrap_err(),
            VerifyError::BadSignature
        );
        let mut heads = a.clone();
        heads.registry_heads = vec![[6; 32]];
        assert_eq!(
            heads.verify(&org, &id).unwrap_err(),
            VerifyError::HeadsMismatch
        );
    }

    /// Regression (fuzzing, `regressions/ledger/envelope-heads-*`): the registry heads were
    /// outside the change's hash, so an author could sign one change twice naming different
    /// heads, and two devices holding the same changes judged it differently for good. Now the
    /// heads are inside the change: a second envelope naming other heads does not verify, even
    /// correctly signed by the author.
    #[test]
    fn a_change_has_one_set_of_registry_heads_whatever_its_author_signs() {
        let (key, org, id, a, _) = signed_pair();
        let change = Change::from_bytes(a.change.clone()).unwrap();
        assert_eq!(registry_heads_of(&change).unwrap(), vec![[5; 32]]);
        for other in [vec![], vec![[6; 32]], vec![[5; 32], [6; 32]]] {
            let bytes = SignedChange::signing_bytes(&org, &id, &change.hash(), &other);
            let twin = SignedChange {
                change: a.change.clone(),
                registry_heads: other,
                signature: key.sign(&bytes).to_vec(),
            };
            assert_eq!(
                twin.verify(&org, &id).unwrap_err(),
                VerifyError::HeadsMismatch
            );
        }
    }

    #[test]
    fn a_signature_by_another_key_is_refused() {
        let (_, org, id, a, _) = signed_pair();
        let intruder = DeviceKey::generate().unwrap();
        let change = Change::from_bytes(a.change.clone()).unwrap();
        let mut forged = SignedChange::sign(&intruder, &org, &id, &change);
        forged.change = a.change.clone();
        assert_eq!(
            forged.verify(&org, &id).unwrap_err(),
            VerifyError::BadSignature
        );
    }

    #[test]
    fn bad_envelope_bytes_are_refused() {
        let (_, _, _, a, _) = signed_pair();
        let mut bytes = a.to_bytes();
        assert_eq!(SignedChange::from_bytes(&[]), Err(EnvelopeError::Malformed));
        bytes[0] = 9;
        assert_eq!(
            SignedChange::from_bytes(&bytes),
            Err(EnvelopeError::Version(9))
        );
        let mut longer = a.to_bytes();
        longer.push(0);
        assert_eq!(
            SignedChange::from_bytes(&longer),
            Err(EnvelopeError::Malformed)
        );
    }

    /// Regression (fuzzing, `fuzz/regressions/signed_change/bundle-chunk-*`): change bytes whose
    /// chunk type is a bundle (3) or a compressed change (2) made Automerge panic, or allocate
    /// without bound, before any signature was checked. They are refused at the door.
    #[test]
    fn chunks_other_than_a_plain_change_are_refused_before_automerge_parses_them() {
        let (_, org, id, a, _) = signed_pair();
        for chunk_type in [0u8, 2, 3, 4, 0xff] {
            let mut other = a.clone();
            other.change[8] = chunk_type;
            assert_eq!(other.verify(&org, &id).unwrap_err(), VerifyError::BadChange);
        }
        let mut short = a.clone();
        short.change.truncate(8);
        assert_eq!(short.verify(&org, &id).unwrap_err(), VerifyError::BadChange);
        let mut magic = a;
        magic.change[0] ^= 1;
        assert_eq!(magic.verify(&org, &id).unwrap_err(), VerifyError::BadChange);
    }

    #[test]
    fn trailing_bytes_after_a_change_are_refused() {
        let (_, org, id, mut a, _) = signed_pair();
        a.change.push(0);
        assert_eq!(a.verify(&org, &id).unwrap_err(), VerifyError::BadChange);
    }

    proptest! {
        /// Any one-byte alteration of the change bytes is caught.
        #[test]
        fn any_flipped_byte_of_a_change_fails_verification(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let (_, org, id, mut a, _) = signed_pair();
            let i = pos.index(a.change.len());
            a.change[i] ^= 1 << bit;
            prop_assert!(a.verify(&org, &id).is_err());
        }
    }
}
