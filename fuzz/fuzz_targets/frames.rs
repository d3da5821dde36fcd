#![no_main]
//! Fuzz target `frames`: see `carnet_fuzz::targets::frames`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::frames(data));
