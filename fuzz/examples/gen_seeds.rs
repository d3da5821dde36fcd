//! Writes the seed inputs to `corpus-seeds/TARGET/NAME` (run from the `fuzz` folder:
//! `cargo run --example gen_seeds`). Deterministic seeds are written again; the others
//! (`carnet_fuzz::seeds::sealed`: random salts and nonces, dates) only when missing or when the
//! committed file no longer has a fresh one's outcome, so that they do not change on every
//! run. Removes seeds it no longer makes.

use std::collections::BTreeSet;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus-seeds");
    let seeds = carnet_fuzz::seeds::generate();
    let sealed = carnet_fuzz::seeds::sealed();
    let targets: BTreeSet<&str> = seeds.iter().chain(&sealed).map(|(t, _, _)| *t).collect();
    let made: BTreeSet<(&str, &str)> = seeds
        .iter()
        .chain(&sealed)
        .map(|(t, n, _)| (*t, n.as_str()))
        .collect();
    for t in &targets {
        let dir = root.join(t);
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if !name.is_some_and(|n| made.contains(&(*t, n.as_str()))) {
                std::fs::remove_file(&path)?;
            }
        }
    }
    for (t, name, bytes) in &seeds {
        std::fs::write(root.join(t).join(name), bytes)?;
    }
    for (t, name, bytes) in &sealed {
        let path = root.join(t).join(name);
        let current = std::fs::read(&path).is_ok_and(|committed| {
            let outcome = |b: &[u8]| carnet_fuzz::seeds::outcome(t, b);
            outcome(&committed) == outcome(bytes)
        });
        if !current {
            std::fs::write(&path, bytes)?;
        }
    }
    for t in &targets {
        let n = seeds
            .iter()
            .chain(&sealed)
            .filter(|(x, _, _)| x == t)
            .count();
        println!("{t}: {n} seeds");
    }
    Ok(())
}
