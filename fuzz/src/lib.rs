//! Carnet's fuzz targets, as plain functions so that the libFuzzer binaries in `fuzz_targets/`
//! and the replay test (`tests/replay.rs`, which runs every committed seed and regression input
//! on stable) share them.
//!
//! - [`fixture`]: a deterministic organisation (fixed keys, fixed times) made by real devices
//!   (`carnet_device::Device` in memory, through `carnet-testkit`), so that seeds made by
//!   `examples/gen_seeds.rs` stay meaningful (same org id, same hashes) in every run; the
//!   `session` target answers from a copy of its founder's store (no copy of the device: the
//!   sessions run on the real one, whose `SyncData` is the only implementation);
//! - [`frames`]: the length-prefix scheme that splits one input into several byte strings;
//! - [`targets`]: the target bodies, with those of the node's framing ([`framing`]), the
//!   keyring file and backup header ([`keyring`]) and the reading side of `carnet import`
//!   ([`csv_import`]) in modules of their own;
//! - [`seeds`]: the committed seed inputs, generated (`cargo run --example gen_seeds`).

pub mod csv_import;
pub mod fixture;
pub mod frames;
pub mod framing;
pub mod keyring;
pub mod seeds;
pub mod targets;
