//! One device core (issue 11): a repository-wide check, over every `.rs` file of the repository
//! (the workspace's crates and tests, and the fuzz package outside it; build output excluded),
//! that the device's write path exists once.
//!
//! There were four things acting as "the device" (`carnet_device::Device`, `Replica`, the
//! simulator's `MemDevice`, the fuzz package's copy), with three `SyncData` implementations:
//! the suites proved properties of copies, and missed a defect of the real one. So:
//! - exactly one type implements [`carnet_sync::SyncData`], `carnet_device::Device`, outside
//!   unit tests of the trait itself (`#[cfg(test)]` code in `crates/sync/src`);
//! - no product code signs changes but the device (and `carnet-replica`, which defines signing):
//!   `SignedChange::sign` appears elsewhere only in test support that forges on purpose (the
//!   test kit's `forge`, the simulator's hostile device, the fuzz harness) and in tests;
//! - nothing but the device files a change it signed as its own (`DocLedger::record_local`),
//!   which is what a second in-memory device would do.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The repository's root (this file is `crates/sync/tests/one_device.rs`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, build output and VCS data excluded, as paths relative to the
/// repository's root (with `/`).
fn rust_files(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            // Build output (`target/`, and a target dir given by CARGO_TARGET_DIR inside the
            // tree under any name holds a `CACHEDIR.TAG`), VCS data, the fuzzer's working files.
            if matches!(
                name.as_str(),
                "target" | ".git" | "corpus" | "artifacts" | "coverage"
            ) || path.join("CACHEDIR.TAG").exists()
            {
                continue;
            }
            rust_files(&path, base, out);
        } else if name.ends_with(".rs") {
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.push((rel, text));
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = root();
    let mut out = Vec::new();
    rust_files(&root, &root, &mut out);
    out.sort();
    // The check must see the whole repository, the fuzz package included.
    for must in [
        "crates/device/src/sync.rs",
        "crates/sync/src/session.rs",
        "crates/testkit/src/device.rs",
        "fuzz/src/targets.rs",
    ] {
        assert!(
            out.iter().any(|(p, _)| p == must),
            "the scan did not find {must}: it does not cover the repository"
        );
    }
    out
}

/// The implementing type of each `impl` header of the trait in `text`, with its byte offset.
fn sync_data_impls(text: &str) -> Vec<(usize, String)> {
    // Built so that this file does not match itself.
    let needle = ["SyncData", " for "].concat();
    let mut out = Vec::new();
    for (at, _) in text.match_indices(&needle) {
        // The item must be an `impl` header: `impl`, then no `;`, `{` or `}` up to here.
        let before = &text[..at];
        let Some(start) = before.rfind("impl") else {
            continue;
        };
        if before[start..].contains([';', '{', '}']) {
            continue;
        }
        let rest = &text[at + needle.len()..];
        let ty: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '<' | '>' | '\''))
            .collect();
        out.push((at, ty));
    }
    out
}

/// Whether offset `at` of `text` is in unit-test code (after a `#[cfg(test)]`).
fn in_test_code(text: &str, at: usize) -> bool {
    text[..at].contains("#[cfg(test)]")
}

/// Whether `path` is a test or test support that may forge signed changes on purpose.
fn forges_on_purpose(path: &str) -> bool {
    path.contains("/tests/")
        || path.starts_with("tests/")
        || path.starts_with("crates/testkit/")
        || path.starts_with("crates/sim/")
        || path.starts_with("fuzz/")
}

#[test]
fn exactly_one_type_implements_sync_data_the_real_device() {
    let mut impls = Vec::new();
    for (path, text) in sources() {
        for (at, ty) in sync_data_impls(&text) {
            if path.starts_with("crates/sync/src/") && in_test_code(&text, at) {
                continue;
            }
            impls.push(format!("{path}: {ty}"));
        }
    }
    assert_eq!(
        impls,
        vec!["crates/device/src/sync.rs: Device".to_string()],
        "SyncData must have one implementation, the real device's (carnet_device::Device): \
         a second one is a copy of the device that suites would test instead of it"
    );
}

#[test]
fn only_the_device_signs_changes_and_files_them_as_its_own() {
    let sign = ["SignedChange", "::sign("].concat();
    let file_own = [".record", "_local("].concat();
    let mut signers = Vec::new();
    let mut filers = Vec::new();
    for (path, text) in sources() {
        let product = !forges_on_purpose(&path);
        if product
            && text.contains(&sign)
            && !path.starts_with("crates/device/src/")
            && !path.starts_with("crates/replica/src/")
        {
            signers.push(path.clone());
        }
        if text.contains(&file_own) && !path.starts_with("crates/device/src/") {
            filers.push(path);
        }
    }
    assert!(
        signers.is_empty(),
        "product code outside carnet-device signs changes (a second write path): {signers:?}"
    );
    assert!(
        filers.is_empty(),
        "code outside carnet-device files a change it signed as its own (a copy of the \
         device): {filers:?}"
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The scanner finds impl headers, generic or path-qualified, and nothing else.
    let needle = ["SyncData", " for "].concat();
    let text = format!(
        "impl {needle}Device {{}}\nimpl<'a> carnet_sync::{needle}Copy<'a> {{}}\n\
         // a SyncData\nfn f() {{ let x = 1; }} // {needle}Nothing\n"
    );
    let found: Vec<String> = sync_data_impls(&text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(found, ["Device", "Copy<'a>"]);
    // And the real device's implementation is where the first check expects it.
    let device = std::fs::read_to_string(root().join("crates/device/src/sync.rs")).unwrap();
    assert_eq!(sync_data_impls(&device).len(), 1);
}
