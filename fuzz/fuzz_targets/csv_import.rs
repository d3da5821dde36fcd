#![no_main]
//! Fuzz target `csv_import`: see `carnet_fuzz::targets::csv_import`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| carnet_fuzz::targets::csv_import(data));
