//! `carnet-sim`: long simulation campaigns (`carnet-sim --runs 100000`). Not a library.

use anyhow::{Result, bail};
use clap::Parser;

/// Runs seeded simulations of six real devices (one hostile) and reports any failing seed.
#[derive(Parser)]
struct Args {
    /// Number of runs
    #[arg(long, default_value_t = 1000)]
    runs: usize,
    /// First seed
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Steps per run
    #[arg(long, default_value_t = 40)]
    steps: usize,
    /// Threads
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn main() -> Result<()> {
    let a = Args::parse();
    let t = std::time::Instant::now();
    let (totals, failures) = carnet_sim::run_many(a.seed, a.runs, a.steps, a.threads);
    println!(
        "{} runs of 6 real devices (1 hostile), {} steps each, in {:.1} s: {} sessions ({} cut mid-way, {} faulty, {} of the hostile device), {} complete sessions checked level, {} direct deliveries, {} lent writes, {} restarts, {} periodic syncs, {} narrowings ({} removals of the hostile device's rights, {} of its writes checked after one), {} hostile attempts, {} erasures ({} receipts checked), {} floods ({} changes; honest devices dropped {} by unknown keys, {} waiting, {} rejected over the bounds); {} divergent runs, {} complete syncs that left a readable change behind, {} accepted forgeries, {} runs that left an erased record behind, {} runs that kept more than the bounds",
        totals.runs,
        a.steps,
        t.elapsed().as_secs_f64(),
        totals.sessions,
        totals.cut,
        totals.faulty,
        totals.hostile_sessions,
        totals.checked,
        totals.deliveries,
        totals.lent,
        totals.restarts,
        totals.periodic,
        totals.narrowings,
        totals.removals,
        totals.after_removal,
        totals.attacks,
        totals.erasures,
        totals.receipts,
        totals.floods,
        totals.flooded,
        totals.dropped.unknown_author,
        totals.dropped.waiting,
        totals.dropped.rejected,
        totals.divergent,
        totals.left_behind,
        totals.accepted_forgeries,
        totals.unerased,
        totals.unbounded
    );
    for f in &failures {
        println!("FAILED {f}");
    }
    if !failures.is_empty() {
        bail!(
            "{} failing seed(s): add them to crates/sim/tests/simulation.rs REGRESSIONS",
            failures.len()
        );
    }
    Ok(())
}
