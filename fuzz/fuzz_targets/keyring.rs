#![no_main]
//! Fuzz target `keyring`: see `carnet_fuzz::targets::keyring`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::keyring(data));
