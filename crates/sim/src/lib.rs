//! Carnet's deterministic simulator: many replicas in memory (the sans-IO `replica` and `sync`
//! crates), driven from one seed through random edits, registry changes, partitions, sync
//! sessions that drop mid-way, reordered and duplicated deliveries, and a hostile device
//! forging, replaying and flooding. A run is reproducible from its seed. At the end every honest
//! replica must agree, and no forgery may have been accepted anywhere.
//!
//! `mem` holds the in-memory device ([`mem::MemDevice`], a [`carnet_sync::SyncData`] over a
//! [`carnet_replica::Replica`]) and the session driver, also used by the sync crate's tests.
//!
//! **Architecture invariant:** no IO, no clocks, no unseeded randomness.

pub mod mem;
mod sim;

pub use sim::{Failure, RunReport, Totals, run, run_many};
