#![no_main]
//! Fuzz target `ticket`: see `carnet_fuzz::targets::ticket`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::ticket(data));
