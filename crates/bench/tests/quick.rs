//! The benchmark keeps working: its short mode (smallest size, a 3-device line) runs in CI and
//! prints every row of the table. The figures themselves are for people, not assertions.

#[test]
fn the_benchmark_runs_in_short_mode_and_prints_its_table() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carnet-bench"))
        .args(["--quick", "--sizes", "60"])
        .output()
        .expect("run carnet-bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "1. initial sync",
        "2. incremental sync",
        "3. nothing changed",
        "4. verification",
        "5. member list",
        "6. peak RSS",
        "7. a change crossing a line of 3 devices",
    ] {
        assert!(stdout.contains(row), "missing row {row}:\n{stdout}");
    }
    println!("{stdout}");
}
