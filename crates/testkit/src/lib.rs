//! Carnet's test kit: the one in-memory harness and the one in-memory session driver that the
//! simulator, the sync tests and the property tests share. Everything here runs the real
//! [`carnet_device::Device`] — its ledger, its store code (over [`carnet_device::Memory`]), its
//! journal and sync caches, its [`carnet_sync::SyncData`] — never a copy of it.
//!
//! - [`TestDevice`] (`device.rs`): a device in memory, deterministic for a key and a time, that
//!   can be restarted (dropped and reopened from its memory) and can lend its store as
//!   `carnet serve` does (suspend, let a second device on the same memory write, resume);
//!   [`TestDevice::traces_of`] lists what it still holds of a record (documents, changes,
//!   the personal-file key), which an erasure must leave empty.
//! - [`drive`] (`driver.rs`): an initiator and a responder [`carnet_sync::Session`] run against
//!   each other on two devices by passing encoded messages, as `carnet-node` does over QUIC
//!   (a turn sent whole, `next_message` until `None`, then the peer's answer), with faults:
//!   a connection cut after N messages, messages lost, duplicated or swapped, and a tampering
//!   hook through which a hostile peer rewrites or injects messages.
//! - [`unlevel`] (`level.rs`): what a peer holds and may share that a device lacks, the check
//!   that a session reporting itself complete really left both sides level.

// Test support: a failure here is a failed test or run, so unwrapping is the right response.
#![allow(clippy::unwrap_used)]

mod device;
mod driver;
mod level;

pub use device::{PASSPHRASE, T0, TestDevice, at, key};
pub use driver::{Faults, Outcome, Sender, Tamper, drive, kind, run, run_err};
pub use level::{unlevel, unlevel_except};
