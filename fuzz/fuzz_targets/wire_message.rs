#![no_main]
//! Fuzz target `wire_message`: see `carnet_fuzz::targets::wire_message`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::wire_message(data));
