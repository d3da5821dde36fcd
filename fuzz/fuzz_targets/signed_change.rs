#![no_main]
//! Fuzz target `signed_change`: see `carnet_fuzz::targets::signed_change`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::signed_change(data));
