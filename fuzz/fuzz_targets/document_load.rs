#![no_main]
//! Fuzz target `document_load`: see `carnet_fuzz::targets::document_load`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::document_load(data));
