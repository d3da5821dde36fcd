//! Seeded simulations of five replicas, one hostile: partitions, sessions cut mid-way,
//! reordered and duplicated deliveries, registry changes and revocations, forgeries, replays,
//! writes outside the rules, withheld dependencies and junk. Zero divergence, zero accepted
//! forgeries. Failing seeds found so far are replayed first.

/// Seeds that once failed, each with what it caught.
const REGRESSIONS: &[(u64, &str)] = &[
    (
        19,
        "a device revoked during healing was compared with live ones (simulator)",
    ),
    (32, "same, another history"),
    (
        57,
        "the hostile insider was granted an agreement, so its PER writes were legitimate (simulator)",
    ),
    (
        59,
        "a revoked honest device never hears of the hostile device's revocation (simulator)",
    ),
    (
        122,
        "revoking an already revoked device widened its cut-off (product: now refused)",
    ),
];

const STEPS: usize = 30;

#[test]
fn regression_seeds_still_pass() {
    for (seed, what) in REGRESSIONS {
        if let Err(f) = carnet_sim::run(*seed, 40) {
            panic!("regression seed {seed} ({what}) fails again: {f}");
        }
    }
}

#[test]
fn a_thousand_seeded_runs_of_five_replicas_never_diverge_nor_accept_a_forgery() {
    let t = std::time::Instant::now();
    let (totals, failures) = carnet_sim::run_many(1_000, 1_000, STEPS, 2);
    println!(
        "{} simulation runs of 5 replicas (1 hostile), {STEPS} steps each, in {:.1} s: {} sessions ({} cut mid-way), {} direct deliveries, {} hostile attempts; {} divergent runs; {} accepted forgeries",
        totals.runs,
        t.elapsed().as_secs_f64(),
        totals.sessions,
        totals.cut,
        totals.deliveries,
        totals.attacks,
        totals.divergent,
        totals.accepted_forgeries
    );
    assert_eq!(totals.runs, 1_000);
    assert!(
        totals.attacks > 1_000,
        "the hostile device must actually attack"
    );
    assert!(totals.cut > 0 && totals.deliveries > 0);
    let seeds: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "failing seeds (add them to REGRESSIONS):\n{}",
        seeds.join("\n")
    );
    assert_eq!((totals.divergent, totals.accepted_forgeries), (0, 0));
}

#[test]
fn a_run_is_reproducible_from_its_seed() {
    assert_eq!(carnet_sim::run(7, STEPS), carnet_sim::run(7, STEPS));
}
