//! This device: its home directory, its unlocked store, its key and its replica of the
//! organisation's documents. It turns people's edits into signed changes written atomically
//! with the documents' projections, answers lists and lookups from those projections, and
//! re-verifies everything on demand.
//!
//! The command line and (later) the daemon both work through [`Device`].
//!
//! For tests and simulations a device can keep its store in [`Memory`] (`memory.rs`): the same
//! device, without a home on disk.
//!
//! **Architecture invariant:** no network, no printing; personal values never appear in the
//! errors this crate returns.

mod access;
mod anchor;
mod backup;
mod bounds;
mod device;
mod error;
mod journal;
mod marker;
mod memory;
mod peers;
mod receive;
mod revoked;
mod state;
mod sync;
mod verify;
mod write;

pub use access::MAX_PEER_LOG;
pub use anchor::RolledBack;
pub use bounds::{
    Dropped, MAX_REJECTED_PER_AUTHOR, MAX_WAITING_ALL, MAX_WAITING_PER_AUTHOR,
    MAX_WAITING_PER_AUTHOR_ALL, MAX_WAITING_PER_DOC, Waiting,
};
pub use carnet_store::Memory;
pub use device::{Device, RecordView, STORE_FILE};
pub use peers::{AWAITING_CONFIRMATION, Held, Invitation, PeerRecord, SyncFigures, join_code};
pub use receive::ReceiveReport;

pub use write::{Checked, RecordWrite, SnapshotError, Written};

pub use error::{
    InitError, OpenDeviceError, ReadError, ResolveError, RestoreDeviceError, WriteError,
};
pub use verify::{HistoryItem, Problem, Quarantined, Verdicts, VerifyReport};
