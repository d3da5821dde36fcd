//! Carnet's fuzz targets, as plain functions so that the libFuzzer binaries in `fuzz_targets/`
//! and the replay test (`tests/replay.rs`, which runs every committed seed and regression input
//! on stable) share them.
//!
//! - [`fixture`]: a deterministic organisation (fixed keys, fixed times), so that seeds made by
//!   `examples/gen_seeds.rs` stay meaningful (same org id, same hashes) in every run;
//! - [`mem`]: an in-memory [`carnet_sync::SyncData`] over a [`carnet_replica::Replica`];
//! - [`frames`]: the length-prefix scheme that splits one input into several byte strings;
//! - [`targets`]: the target bodies;
//! - [`seeds`]: the committed seed inputs, generated (`cargo run --example gen_seeds`).

pub mod fixture;
pub mod frames;
pub mod mem;
pub mod seeds;
pub mod targets;
