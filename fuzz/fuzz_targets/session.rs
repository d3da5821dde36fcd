#![no_main]
//! Fuzz target `session`: see `carnet_fuzz::targets::session`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::session(data));
