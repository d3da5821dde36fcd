//! Carnet's deterministic simulator, on the real device: six [`carnet_device::Device`]s in
//! memory (through `carnet-testkit`'s harness and session driver), driven from one seed through
//! edits, registry changes (enrolment, role grants and demotions, agreement withdrawals, policy
//! changes, revocations), partitions, sync sessions cut mid-way or with lost, duplicated and
//! reordered messages, direct deliveries, writes through the lending path while a daemon holds
//! the store, periodic daemon syncs, restarts, erasures of a member by a direction device, and a
//! hostile insider that takes part in sessions (and is demoted or revoked) while forging,
//! replaying, writing on after a removal of its rights it has not heard of (or naming old
//! registry heads) and flooding an honest device (changes whose dependency it withholds,
//! changes every device rejects, changes signed by a key never enrolled). A run is reproducible
//! from its seed.
//!
//! Checked: right after every session a side reports complete, neither side holds a readable
//! change the other lacks (quarantine excepted); at the end, once every honest pair has synced
//! until quiet, the live honest devices hold the same registry, documents and verdicts, no
//! forgery is valid on any honest device, no hostile write made after a removal of its right
//! (and not knowing of it) is valid on a live honest device holding the removal, no honest
//! device that heard of an erasure holds a change, a state or the key of the erased record,
//! every live honest device signed its receipt, and every honest device keeps within the bounds
//! (waiting and rejected changes per author and document, nothing signed by a key never
//! enrolled, no flood change it was not handed itself).
//!
//! **Architecture invariant:** no IO, no clocks, no unseeded randomness in what decides a run.

mod sim;

pub use sim::{Failure, FailureKind, RunReport, Totals, run, run_many};
