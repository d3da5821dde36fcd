//! Writes the seed inputs to `corpus-seeds/TARGET/NAME` (run from the `fuzz` folder:
//! `cargo run --example gen_seeds`). Deterministic; removes seeds it no longer makes.

use std::collections::BTreeSet;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus-seeds");
    let seeds = carnet_fuzz::seeds::generate();
    let targets: BTreeSet<&str> = seeds.iter().map(|(t, _, _)| *t).collect();
    for t in &targets {
        let dir = root.join(t);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
    }
    for (t, name, bytes) in &seeds {
        std::fs::write(root.join(t).join(name), bytes)?;
    }
    for t in &targets {
        let n = seeds.iter().filter(|(x, _, _)| x == t).count();
        println!("{t}: {n} seeds");
    }
    Ok(())
}
