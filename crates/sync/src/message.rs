//! The messages of a sync session and their encoding: a version byte, then postcard. Frames
//! on the wire are a u32 big-endian length followed by the message (see `docs/protocol.md`).

use serde::{Deserialize, Serialize};

use crate::Digest;

/// The ALPN of Carnet's sync protocol. It changes only with the framing or with
/// [`Message::Hello`]; other incompatible changes raise [`PROTOCOL_VERSION`], so that a device
/// on another version is refused with a reason instead of failing the handshake.
pub const ALPN: &[u8] = b"carnet/sync/1";

/// The protocol version inside [`Message::Hello`], whose encoding never changes: a device
/// speaking another version is refused with a message saying so. Version 2 split
/// [`Message::BucketDocs`] (it gained `last`).
pub const PROTOCOL_VERSION: u16 = 2;

/// The largest message accepted, in bytes; larger change sets are split.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

const ENCODING_VERSION: u8 = 1;

/// One message of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// Initiator → responder: who I am for (the organisation), and a ticket when joining.
    Hello {
        /// Protocol version.
        version: u16,
        /// The organisation's id.
        org: [u8; 16],
        /// The secret of an invitation ticket, when a new device joins.
        ticket: Option<[u8; 16]>,
    },
    /// Responder → initiator: accepted; the responder's registry digest and docs root (over the
    /// documents both may read).
    Welcome {
        /// Digest of the responder's registry changes.
        registry: Digest,
        /// Root digest of the responder's documents in scope.
        root: Digest,
    },
    /// Either side: the session is refused, and why.
    Refuse {
        /// Why, for people.
        reason: String,
    },
    /// Initiator → responder: the initiator's registry change hashes.
    RegistryHashes {
        /// Hashes of the registry changes held (valid or pending).
        hashes: Vec<[u8; 32]>,
    },
    /// Responder → initiator: registry changes the initiator lacks, and the responder's hashes.
    RegistryPush {
        /// Signed registry changes (envelopes).
        changes: Vec<Vec<u8>>,
        /// Hashes of the responder's registry changes.
        hashes: Vec<[u8; 32]>,
    },
    /// Initiator → responder: registry changes the responder lacks.
    RegistryFinal {
        /// Signed registry changes (envelopes).
        changes: Vec<Vec<u8>>,
    },
    /// Responder → initiator, after the registries are level: its docs root.
    Root {
        /// Root digest of the sender's documents in scope.
        root: Digest,
    },
    /// Initiator → responder: the 256 bucket digests.
    Buckets {
        /// Bucket digests, in bucket order.
        digests: Vec<Digest>,
    },
    /// Responder → initiator: the buckets that differ and the responder's documents in them;
    /// `last` ends the answer (a large association takes several messages to stay under
    /// [`MAX_MESSAGE`]: 10,000 members are about 45 MB of document ids and digests).
    BucketDocs {
        /// Differing buckets.
        buckets: Vec<u8>,
        /// The responder's (document, digest) in those buckets.
        docs: Vec<(String, Digest)>,
        /// Whether this ends the answer.
        last: bool,
    },
    /// Change hashes of documents, documents wanted whole, and signed changes; `last` ends the
    /// sender's turn (a turn may take several messages to stay under [`MAX_MESSAGE`]).
    Push {
        /// Signed changes per document.
        changes: Vec<(String, Vec<Vec<u8>>)>,
        /// The sender's change hashes of documents whose digests differ.
        hashes: Vec<(String, Vec<[u8; 32]>)>,
        /// Documents the sender lacks entirely and wants whole.
        want: Vec<String>,
        /// Whether this ends the sender's turn.
        last: bool,
    },
    /// Responder → initiator: the session is over.
    Done,
    /// Responder → initiator, instead of `Welcome`, to a device it holds revoked: the signed
    /// registry change(s) revoking it. The initiator checks them against its own registry,
    /// answers with one turn of `Push` holding only the changes it signed (direction reviews
    /// them in its quarantine), then, on `Done`, forgets every record.
    Revoked {
        /// Signed registry changes (envelopes) that revoke the initiator.
        notice: Vec<Vec<u8>>,
    },
}

/// Why bytes are not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Longer than [`MAX_MESSAGE`].
    #[error("message too large")]
    TooLarge,
    /// An unknown encoding version.
    #[error("unknown message encoding {0}")]
    Version(u8),
    /// Not a well-formed message.
    #[error("malformed message")]
    Malformed,
}

impl Message {
    /// Encodes the message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![ENCODING_VERSION];
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    /// Decodes a message, refusing oversized or malformed input.
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        if bytes.len() > MAX_MESSAGE {
            return Err(DecodeError::TooLarge);
        }
        match bytes.split_first() {
            Some((&ENCODING_VERSION, rest)) => match postcard::take_from_bytes(rest) {
                Ok((m, [])) => Ok(m),
                _ => Err(DecodeError::Malformed),
            },
            Some((&v, _)) => Err(DecodeError::Version(v)),
            None => Err(DecodeError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_junk_is_refused() {
        let m = Message::Push {
            changes: vec![("d".into(), vec![vec![1, 2]])],
            hashes: vec![],
            want: vec!["x".into()],
            last: true,
        };
        assert_eq!(Message::decode(&m.encode()), Ok(m));
        assert_eq!(Message::decode(&[]), Err(DecodeError::Malformed));
        assert_eq!(Message::decode(&[7, 1]), Err(DecodeError::Version(7)));
        assert_eq!(
            Message::decode(&[1, 200, 200, 200]),
            Err(DecodeError::Malformed)
        );
        let mut trailing = Message::Done.encode();
        trailing.push(0);
        assert_eq!(Message::decode(&trailing), Err(DecodeError::Malformed));
    }
}
