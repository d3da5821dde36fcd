//! Carnet's sync protocol as a state machine without IO: messages in, messages out.
//!
//! One session runs between an *initiator* (who dialled) and a *responder*. It brings the two
//! registries level first (the registry decides everything else), then finds which documents
//! differ among those **both** devices may read — comparing one root digest, then 256 bucket
//! digests, then per-document digests only in differing buckets, so the cost grows with what
//! changed, not with how many documents there are — and moves the missing signed changes. A
//! session where nothing changed is three messages.
//!
//! The device side is the [`SyncData`] trait, so the same session runs over iroh (crate
//! `carnet-node`) and in memory (tests, simulations). The wire format is in
//! `docs/protocol.md`.
//!
//! **Architecture invariant:** no sockets, no tokio, no clocks.

mod digest;
mod frame;
mod message;
mod session;

pub use digest::{Digest, bucket_digest, bucket_of, buckets, doc_digest, root};
pub use frame::{FrameDecoder, FrameError, LEN_PREFIX, encode_frame};
pub use message::{ALPN, DecodeError, MAX_MESSAGE, Message, PROTOCOL_VERSION};
pub use session::{Applied, HALTED, MAX_HELD_LISTS, Role, Session, SessionError, Stats, SyncData};
