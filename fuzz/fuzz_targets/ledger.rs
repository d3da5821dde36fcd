#![no_main]
//! Fuzz target `ledger`: see `carnet_fuzz::targets::ledger`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::ledger(data));
