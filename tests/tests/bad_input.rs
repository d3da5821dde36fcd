//! Guards against bad input from people: unknown fields, values of the wrong type, invalid
//! statuses and dates, unknown records, a wrong passphrase, a second `init`, commands before
//! `init`. Each is refused with a message naming the problem and a non-zero exit, and leaves the
//! store as it was: same records, same changes.

use carnet_tests::raw::{self, Dump};
use carnet_tests::{Home, PASSPHRASE, Snapshot, describe};

/// A home with one member and one project.
struct Fixture {
    home: Home,
    member: String,
    project: String,
}

impl Fixture {
    fn new() -> Fixture {
        let home = Home::init();
        let member = home.add_active_member(&[
            "--name",
            "Folake",
            "--group",
            "media",
            "--dob",
            "1985-07-07",
            "--phone",
            "06 00 00 00 00",
        ]);
        let project = home.add_project(&[
            "--title",
            "Jardin Partagé",
            "--start",
            "2025-03-01",
            "--end",
            "2025-10-31",
        ]);
        Fixture {
            home,
            member,
            project,
        }
    }

    /// Runs every case: each must fail cleanly, say everything in its `expected` list on
    /// standard error, and write nothing to the store (every stored value, sealed, as it was).
    /// All failures are reported together. Around all cases, the store's content (every
    /// document state and change, decrypted) and what carnet shows must be the same.
    fn assert_refused(&self, cases: &[(Vec<&str>, &[&str])]) {
        let before: Dump = raw::dump(&self.home);
        let shown: Snapshot = self.home.snapshot();
        let sealed = raw::sealed_tables(&self.home.store_path());
        let mut failures = Vec::new();
        for (args, expected) in cases {
            let out = self.home.carnet(args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let mut wrong = Vec::new();
            if out.status.success() {
                wrong.push("it succeeded".to_owned());
            }
            if out.status.code() == Some(101) || stderr.contains("panicked") {
                wrong.push("it crashed".to_owned());
            }
            if !out.stdout.is_empty() {
                wrong.push("it printed results".to_owned());
            }
            for needle in *expected {
                if !stderr.contains(needle) {
                    wrong.push(format!("its message does not say {needle:?}"));
                }
            }
            if raw::sealed_tables(&self.home.store_path()) != sealed {
                wrong.push("it wrote to the store".to_owned());
            }
            if !wrong.is_empty() {
                failures.push(format!("{}\n{}", wrong.join("; "), describe(args, &out)));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} bad inputs were mishandled:\n\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
        assert!(
            raw::dump(&self.home) == before,
            "the store's content changed"
        );
        assert_eq!(self.home.snapshot(), shown, "what carnet shows changed");
    }
}

/// A date no test machine has reached.
const FUTURE: &str = "2199-01-01";

#[test]
fn member_edits_with_bad_input_are_refused_and_change_nothing() {
    let fx = Fixture::new();
    let m = fx.member.as_str();
    let set = |rest: &[&'static str]| {
        let mut args = vec!["member", "set", m];
        args.extend_from_slice(rest);
        args
    };
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            set(&["--field", "shoe_size=42"]),
            &["unknown field `shoe_size`", "date_of_birth"],
        ),
        (
            set(&["--field", "speaks_french=maybe"]),
            &["speaks_french", "yes or no"],
        ),
        (
            set(&["--dob", "31/12/1990"]),
            &["date_of_birth", "YYYY-MM-DD"],
        ),
        (
            set(&["--field", "date_of_birth=2023-02-30"]),
            &["date_of_birth", "YYYY-MM-DD"],
        ),
        (
            set(&["--field", "date_of_birth=1899-12-31"]),
            &["date_of_birth"],
        ),
        (
            set(&["--status", "boss"]),
            &["status", "prospect, member, active, left, expelled"],
        ),
        (set(&["--field", "status"]), &["name=value"]),
        (
            set(&["--field", "display_name="]),
            &["display_name", "required"],
        ),
        (set(&["--name", ""]), &["display_name", "required"]),
        (set(&["--field", "status+=left"]), &["status", "not a list"]),
        (set(&["--field", "phone-=06"]), &["phone", "not a list"]),
        (
            set(&["--field", "working_groups+=a,,b"]),
            &["working_groups", "empty"],
        ),
        (set(&["--field", "phone=06\n07"]), &["phone", "line breaks"]),
        (set(&["--dob", FUTURE]), &["date_of_birth", "future"]),
        (set(&["--since", FUTURE]), &["member_since", "future"]),
        // A valid edit given with an invalid one is not written either, in any document.
        (
            set(&["--status", "left", "--field", "shoe_size=1"]),
            &["shoe_size"],
        ),
        (
            set(&["--status", "left", "--dob", FUTURE]),
            &["date_of_birth", "future"],
        ),
        (set(&[]), &["no field given"]),
        (
            vec!["member", "set", "nobody", "--status", "left"],
            &["no member matches"],
        ),
        (
            vec!["member", "set", &fx.project, "--status", "left"],
            &["no member matches"],
        ),
    ];
    fx.assert_refused(&cases);
}

#[test]
fn additions_with_bad_input_are_refused_and_add_nothing() {
    let fx = Fixture::new();
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (vec!["member", "add"], &["display_name", "required"]),
        (
            vec!["member", "add", "--name", "   "],
            &["display_name", "required"],
        ),
        (
            vec!["member", "add", "--name", "X", "--dob", FUTURE],
            &["date_of_birth", "future"],
        ),
        (
            vec!["member", "add", "--name", "X", "--field", "shoe_size=1"],
            &["shoe_size"],
        ),
        (
            vec!["member", "add", "--name", "X", "--status", "boss"],
            &["status"],
        ),
        (
            vec!["member", "add", "--name", "X", "--french", "maybe"],
            &["speaks_french"],
        ),
        (vec!["project", "add"], &["no field given"]),
        (
            vec!["project", "add", "--aims", "no title"],
            &["title", "required"],
        ),
        (
            vec![
                "project",
                "add",
                "--title",
                "T",
                "--start",
                "2025-06-01",
                "--end",
                "2025-05-31",
            ],
            &["period_end", "period_start"],
        ),
        (
            vec!["project", "add", "--title", "T", "--start", "2025-13-01"],
            &["period_start", "YYYY-MM-DD"],
        ),
        (
            vec!["project", "add", "--title", "T", "--field", "status=active"],
            &["unknown field `status`", "title"],
        ),
    ];
    fx.assert_refused(&cases);
}

#[test]
fn project_edits_and_lookups_with_bad_input_are_refused_and_change_nothing() {
    let fx = Fixture::new();
    let p = fx.project.as_str();
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            vec!["project", "set", p, "--end", "2025-02-28"],
            &["period_end", "period_start"],
        ),
        (
            vec!["project", "set", "jardin partagé", "--start", "2025-11-01"],
            &["period_end", "period_start"],
        ),
        (
            vec!["project", "set", p, "--field", "title="],
            &["title", "required"],
        ),
        (
            vec!["project", "set", p, "--field", "aims+=x"],
            &["aims", "not a list"],
        ),
        (
            vec!["project", "set", "nothing", "--aims", "x"],
            &["no project matches"],
        ),
        (
            vec!["project", "set", &fx.member, "--aims", "x"],
            &["no project matches"],
        ),
        (vec!["project", "show", ""], &["no project matches"]),
        (vec!["member", "show", "nobody"], &["no member matches"]),
        (vec!["history", "nobody"], &["no record matches"]),
        (vec!["member", "list", "--status", "boss"], &["status"]),
        (vec!["fields", "shoes"], &["<KIND>", "member, project"]),
        (vec!["member", "frobnicate"], &["frobnicate"]),
    ];
    fx.assert_refused(&cases);
}

#[test]
fn a_wrong_passphrase_is_refused_and_touches_nothing() {
    let fx = Fixture::new();
    let home = &fx.home;
    let before = home.store_bytes();
    let m = fx.member.as_str();
    for args in [
        &["member", "list"][..],
        &["member", "show", m],
        &["member", "add", "--name", "Intruder"],
        &["member", "set", m, "--status", "left"],
        &["project", "set", &fx.project, "--aims", "x"],
        &["history", m],
        &["verify"],
    ] {
        for (passphrase, message) in [
            ("not the right passphrase", "wrong passphrase"),
            (&PASSPHRASE[1..], "wrong passphrase"),
            ("", "passphrase is empty"),
        ] {
            // One bad passphrase per command is enough to show it touches nothing; the others
            // only for the cheapest command.
            if passphrase != "not the right passphrase" && args != ["member", "list"] {
                continue;
            }
            let out = home.carnet_with_passphrase(passphrase, args);
            carnet_tests::assert_failed_cleanly(args, &out);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(message), "{}", describe(args, &out));
            assert!(out.stdout.is_empty(), "{}", describe(args, &out));
        }
    }
    assert!(
        home.store_bytes() == before,
        "a wrong passphrase changed the store file"
    );
    assert_eq!(home.fields("member", m)["status"], "active");
}

#[test]
fn a_second_init_is_refused_and_touches_nothing() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Yetunde"]);
    let before = home.store_bytes();
    for args in [
        &[
            "init",
            "--org",
            carnet_tests::ORG,
            "--holder",
            carnet_tests::HOLDER,
        ][..],
        &["init", "--org", "Another Org", "--holder", "Someone"],
    ] {
        let err = home.fail(args);
        assert!(err.contains("already holds a Carnet store"), "{err}");
        let out = home.carnet_with_passphrase("a different passphrase", args);
        carnet_tests::assert_failed_cleanly(args, &out);
    }
    assert!(
        home.store_bytes() == before,
        "init changed an existing store"
    );
    let history = home.json(&["history", &id, "--json"]);
    assert_eq!(history["changes"][0]["device"], home.device_id());
}

#[test]
fn commands_before_init_are_refused_and_create_nothing() {
    let home = Home::new();
    let commands: [&[&str]; 8] = [
        &["member", "list"],
        &["member", "add", "--name", "X"],
        &["member", "show", "X"],
        &["member", "set", "X", "--status", "active"],
        &["project", "list"],
        &["project", "add", "--title", "T"],
        &["history", "X"],
        &["verify"],
    ];
    for args in commands {
        let err = home.fail(args);
        assert!(err.contains("run `carnet init` first"), "{args:?}: {err}");
    }
    assert!(!home.path().exists(), "a refused command created the home");

    // Nor in a home that exists but is empty.
    std::fs::create_dir(home.path()).unwrap();
    for args in commands {
        let err = home.fail(args);
        assert!(err.contains("run `carnet init` first"), "{args:?}: {err}");
    }
    assert!(carnet_tests::files_under(home.path()).is_empty());
}

#[test]
fn init_with_bad_arguments_is_refused_and_creates_no_store() {
    let home = Home::new();
    for (args, passphrase, message) in [
        (
            &["init", "--org", "O", "--holder", "H"][..],
            "short",
            "at least 8 characters",
        ),
        (
            &["init", "--org", "O", "--holder", "H"],
            "",
            "at least 8 characters",
        ),
        (
            &["init", "--org", "  ", "--holder", "H"],
            PASSPHRASE,
            "--org",
        ),
        (
            &["init", "--org", "O", "--holder", ""],
            PASSPHRASE,
            "--holder",
        ),
        (&["init", "--holder", "H"], PASSPHRASE, "--org"),
    ] {
        let out = home.carnet_with_passphrase(passphrase, args);
        carnet_tests::assert_failed_cleanly(args, &out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{}", describe(args, &out));
        assert!(!home.path().exists(), "{}", describe(args, &out));
    }
}

#[test]
fn a_store_in_use_is_refused_cleanly() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Oluwaseun"]);
    let held = home.open_store();
    for args in [
        &["member", "list"][..],
        &["member", "set", &id, "--status", "left"],
    ] {
        // Held by a process that does not lend it: the command waits its turn (1 s here, 30 by
        // default), saying so, then gives up naming the cause.
        let mut cmd = home.command(args);
        cmd.env("CARNET_STORE_WAIT", "1");
        let out = cmd.output().expect("running carnet");
        carnet_tests::assert_failed_cleanly(args, &out);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("waiting for it to finish"), "{args:?}: {err}");
        assert!(err.contains("in use"), "{args:?}: {err}");
    }
    drop(held);
    assert_eq!(home.fields("member", &id)["status"], "member");
}

#[test]
fn a_file_that_is_not_a_whole_store_is_refused_cleanly() {
    let home = Home::init();
    home.add_member(&["--name", "Chiamaka"]);
    let whole = home.store_bytes();
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("not a database", b"hello, this is not a database".to_vec()),
        ("cut to 100 bytes", whole[..100].to_vec()),
        ("cut in half", whole[..whole.len() / 2].to_vec()),
    ] {
        std::fs::write(home.store_path(), &bytes).unwrap();
        for args in [&["member", "list"][..], &["verify"]] {
            let out = home.carnet(args);
            carnet_tests::assert_failed_cleanly(args, &out);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.starts_with("carnet: error: "),
                "{what}: {}",
                describe(args, &out)
            );
        }
    }
}
