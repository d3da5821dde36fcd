//! The security issue's user-facing guarantees, end to end with the `carnet` binary: changing
//! the passphrase (the old one stops working, the records stay, a wrong current passphrase or a
//! short new one changes nothing, and it works while `carnet serve` holds the store).

use std::time::Duration;

use carnet_tests::{Home, PASSPHRASE, Running, listening_address};

const NEW: &str = "a brand new passphrase, tests only";

/// Runs `carnet passphrase` in `home` with the current passphrase `old` and the new one `new`.
fn change(home: &Home, old: &str, new: &str) -> std::process::Output {
    home.command(&["passphrase"])
        .env("CARNET_PASSPHRASE", old)
        .env("CARNET_NEW_PASSPHRASE", new)
        .output()
        .expect("running carnet passphrase")
}

#[test]
fn changing_the_passphrase_keeps_the_records_and_retires_the_old_one() {
    let home = Home::init();
    let member = home.add_member(&["--name", "Efua", "--city", "Lyon-Canari"]);

    // A wrong current passphrase, or a new one too short: refused, nothing changed.
    let out = change(&home, "not the passphrase", NEW);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));
    let out = change(&home, PASSPHRASE, "short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
    assert!(home.carnet(&["member", "list"]).status.success());

    let out = change(&home, PASSPHRASE, NEW);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("passphrase changed"));
    let old = home.carnet(&["member", "list"]);
    assert!(!old.status.success(), "the old passphrase still opens");
    assert!(String::from_utf8_lossy(&old.stderr).contains("wrong passphrase"));
    let shown = home.carnet_with_passphrase(NEW, &["member", "show", &member]);
    assert!(shown.status.success());
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains("Lyon-Canari"),
        "the personal file still opens"
    );
    assert!(
        !carnet_tests::contains(&home.store_bytes(), NEW.as_bytes()),
        "the passphrase is never stored"
    );
}

#[test]
fn the_passphrase_changes_while_serve_holds_the_store() {
    let home = Home::init();
    let member = home.add_member(&["--name", "Kossi"]);
    let mut serve = Running::spawn(
        home.command(&[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--no-mdns",
            "--every",
            "1",
        ]),
        "carnet serve",
    );
    serve
        .wait_for(Duration::from_secs(60), listening_address)
        .unwrap_or_else(|| panic!("serve printed no address:\n{}", serve.describe()));

    let out = change(&home, PASSPHRASE, NEW);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The daemon goes on (it keeps its keys); the other commands need the new passphrase.
    let shown = home.carnet_with_passphrase(NEW, &["member", "show", &member]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(!home.carnet(&["member", "list"]).status.success());
    assert!(
        serve.wait_exit(Duration::from_millis(10)).is_none(),
        "serve still runs"
    );
    serve.interrupt();
    assert!(
        home.carnet_with_passphrase(NEW, &["member", "list"])
            .status
            .success()
    );
}
