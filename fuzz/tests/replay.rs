//! Replays every committed seed (`corpus-seeds/TARGET/`) and every kept crasher
//! (`regressions/TARGET/`) through the target functions, on stable and without a sanitizer:
//! `cargo test` in the `fuzz` folder. Also checks the committed seeds are what
//! `cargo run --example gen_seeds` makes now (those whose bytes change on every run: that
//! they have the outcome a fresh one has).

use std::io::Write;
use std::path::{Path, PathBuf};

use carnet_fuzz::targets;

/// A target's name and body.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 9] = [
    ("wire_message", targets::wire_message),
    ("signed_change", targets::signed_change),
    ("document_load", targets::document_load),
    ("ledger", targets::ledger),
    ("ticket", targets::ticket),
    ("session", targets::session),
    ("frames", targets::frames),
    ("keyring", targets::keyring),
    ("csv_import", targets::csv_import),
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// The address space the replays may use: an input that makes a target allocate without bound
/// (`regressions/signed_change/bundle-chunk-oom`) then aborts this test ("memory allocation of
/// N bytes failed") instead of exhausting the machine (3 GiB; libFuzzer stops at 2 GB of RSS).
const ADDRESS_SPACE: libc::rlim_t = 3 << 30;

fn cap_memory() {
    let limit = libc::rlimit {
        rlim_cur: ADDRESS_SPACE,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setrlimit reads the struct given; lowering the soft limit needs no privilege.
    let ok = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } == 0;
    assert!(ok, "setrlimit failed");
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs every input of `folder`; returns how many ran, after failing with the list of those
/// that panicked. Each regression input is named on stderr (uncaptured) before it runs, so
/// that one aborting the test process (out of memory) is known.
fn replay(folder: &str) -> usize {
    cap_memory();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut n = 0;
    let mut failed = Vec::new();
    for (name, run) in TARGETS {
        for path in inputs(&root.join(name)) {
            if folder == "regressions" {
                let mut err = std::io::stderr();
                let _ = writeln!(err, "replaying {folder}/{name}/{}", file_name(&path));
            }
            let bytes = std::fs::read(&path).expect("read input");
            if std::panic::catch_unwind(|| run(&bytes)).is_err() {
                failed.push(format!("{name}: {}", path.display()));
            }
            n += 1;
        }
    }
    assert!(
        failed.is_empty(),
        "these inputs fail:\n{}",
        failed.join("\n")
    );
    n
}

#[test]
fn seeds_run_without_failing() {
    assert!(replay("corpus-seeds") > 0, "no seeds found");
}

#[test]
fn regressions_run_without_failing() {
    replay("regressions");
}

#[test]
fn committed_seeds_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus-seeds");
    for (target, name, bytes) in carnet_fuzz::seeds::generate() {
        let path = root.join(target).join(&name);
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == bytes,
            "{} is stale: run `cargo run --example gen_seeds` in fuzz/",
            path.display()
        );
    }
    for (target, name, fresh) in carnet_fuzz::seeds::sealed() {
        let path = root.join(target).join(&name);
        let committed = std::fs::read(&path).unwrap_or_default();
        assert_eq!(
            carnet_fuzz::seeds::outcome(target, &committed),
            carnet_fuzz::seeds::outcome(target, &fresh),
            "{} is stale: run `cargo run --example gen_seeds` in fuzz/",
            path.display()
        );
    }
}
