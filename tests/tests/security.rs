//! The security issue's user-facing guarantees, end to end with the `carnet` binary: changing
//! the passphrase (the old one stops working, the records stay, a wrong current passphrase or a
//! short new one changes nothing, and it works while `carnet serve` holds the store).

use std::time::Duration;

use carnet_tests::{Home, PASSPHRASE, Running, STAFF, enrol, listening_address};

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

/// Runs `carnet args` in `home` with `input` on its standard input.
fn with_input(home: &Home, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = home
        .command(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running carnet");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writing stdin");
    child.wait_with_output().expect("carnet ends")
}

#[test]
fn personal_values_come_from_a_file_or_standard_input_and_inline_ones_are_warned_about() {
    let home = Home::init();
    let notes = home.root().join("notes.txt");
    std::fs::write(&notes, "CANARY-notes-from-a-file\n").expect("notes");
    let from_file = format!("case_notes=@{}", notes.display());
    let out = with_input(
        &home,
        &[
            "member", "add", "--name", "Adjoa", "-f", &from_file, "-f", "phone=@-",
        ],
        "CANARY-phone-from-stdin\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "no warning when nothing personal is typed inline"
    );
    let shown = home.ok(&["member", "show", "Adjoa"]);
    assert!(shown.contains("CANARY-notes-from-a-file"), "{shown}");
    assert!(shown.contains("CANARY-phone-from-stdin"), "{shown}");
    assert!(!shown.contains("@-") && !shown.contains("notes.txt"));

    // `@@` is a value that starts with `@`; a file that cannot be read is not named.
    home.ok(&["member", "set", "Adjoa", "-f", "working_groups=@@media"]);
    assert!(home.ok(&["member", "show", "Adjoa"]).contains("@media"));
    let out = home.carnet(&[
        "member",
        "add",
        "--name",
        "Ama",
        "-f",
        "case_notes=@/nowhere/ama-file.txt",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("case_notes") && !err.contains("ama-file"),
        "{err}"
    );

    // Inline: one warning, without the values.
    let out = home.carnet(&[
        "member",
        "add",
        "--name",
        "Abena",
        "--city",
        "CANARY-city",
        "-f",
        "phone=CANARY-phone",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning: a personal value").count(), 1, "{err}");
    assert!(!err.contains("CANARY"), "{err}");
}

#[test]
fn a_command_line_that_does_not_parse_never_shows_the_values_typed() {
    let home = Home::init();
    for args in [
        &["member", "add", "CANARY-bare-name"][..],
        &["member", "add", "--name", "X", "--frist-name=CANARY-first"],
        &[
            "member",
            "add",
            "--name",
            "X",
            "CANARY-stray",
            "--city",
            "Y",
        ],
    ] {
        let out = home.carnet(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let all = [out.stdout, out.stderr].concat();
        let text = String::from_utf8_lossy(&all);
        assert!(!text.contains("CANARY"), "{args:?} echoed a value: {text}");
        assert!(text.contains("carnet: error:"), "{text}");
    }
    // Help still works.
    assert!(home.ok(&["member", "add", "--help"]).contains("--name"));
}

/// At a terminal, `member add` asks for the personal file field by field (a pseudo-terminal
/// made by `script`, from util-linux); an answer that does not fit is asked again, without
/// being echoed in the refusal.
#[test]
fn member_add_at_a_terminal_asks_for_the_personal_file() {
    if !std::path::Path::new("/usr/bin/script").exists() {
        if std::env::var_os("CI").is_some() {
            panic!("/usr/bin/script (util-linux) is missing on CI");
        }
        eprintln!("SKIPPED: needs /usr/bin/script (util-linux)");
        return;
    }
    let home = Home::init();
    // first name, last name, date of birth (a bad one, then a good one), then Enter to the end.
    let answers = "CANARY-Akosua\n\n31/02/1990\n1990-02-03\n\n\n\n\n\n\n\n\n\n";
    let mut cmd = home.command_via(
        "sh",
        &[
            "-c",
            "exec script -qec \"$0 member add --name Akosua\" /dev/null",
        ],
        &[],
    );
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("script");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        for line in answers.split_inclusive('\n') {
            if stdin.write_all(line.as_bytes()).is_err() {
                break; // `script` ended: its output says why
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let out = child.wait_with_output().expect("script ends");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("personal file"), "{printed}");
    assert!(printed.contains("added member"), "{printed}");
    let fields = home.fields("member", "Akosua");
    assert_eq!(fields["first_name"], "CANARY-Akosua", "{fields}");
    assert_eq!(fields["date_of_birth"], "1990-02-03", "{fields}");
    assert!(fields.get("last_name").is_none(), "{fields}");
}

/// Every read of a personal file is noted in the device's signed, append-only access log
/// (issue 15, item 9; `domain.md` §4 guarantee 9): `show`, an export with personal fields;
/// not a list, not a record without personal fields. The log holds no value, and removing an
/// entry from the store (someone with the disk) is reported by `carnet verify`.
#[test]
fn who_read_a_personal_file_is_logged_and_a_removed_entry_is_reported() {
    use redb::{ReadableDatabase, TableDefinition};
    const CANARY: &str = "CANARY-access-log-0612";
    let d = Home::init();
    let ama = d.add_member(&["--name", "Ama", "--phone", CANARY]);
    d.add_member(&["--name", "Efe"]);
    d.ok(&["member", "list"]);
    d.ok(&["member", "show", "Efe"]);
    assert!(d.ok(&["access-log"]).contains("no personal file"));

    d.ok(&["member", "show", "Ama"]);
    d.ok(&["export", "member", "--json", "--include-personal"]);
    let log = d.json(&["access-log", "--json"]);
    let entries = log.as_array().expect("a list");
    assert_eq!(entries.len(), 2, "{log:#}");
    assert_eq!(entries[0]["how"], "show");
    assert_eq!(entries[0]["record"], ama.as_str());
    assert_eq!(entries[0]["class"], "PER");
    assert_eq!(entries[1]["how"], "export");
    assert_eq!(entries[1]["device"], d.device_id());
    assert!(!log.to_string().contains(CANARY));
    // One record's reads.
    let ama_only = d.json(&["access-log", "Ama", "--json"]);
    assert_eq!(ama_only.as_array().map(Vec::len), Some(1));
    let text = d.ok(&["access-log"]);
    assert!(text.contains("2 read(s)"), "{text}");
    d.ok(&["verify"]);

    // Someone with the disk (not the passphrase) removes the first entry.
    {
        let meta: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
        let db = redb::Database::open(d.store_path()).expect("opening the redb file");
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(meta).unwrap();
            let removed = t.remove("info/access/00000000000000000000").unwrap();
            assert!(
                removed.is_some(),
                "the first entry is where the log keeps it"
            );
        }
        tx.commit().unwrap();
        let _ = db.begin_read();
    }
    let out = d.carnet(&["verify"]);
    assert!(!out.status.success());
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("access-log"), "{said}");
}

#[test]
fn a_staff_devices_reads_reach_the_direction_device_at_the_next_sync() {
    let d = Home::init();
    let mut s = Home::new();
    enrol(&d, &mut s, &STAFF);
    let mut b = Home::new();
    enrol(&d, &mut b, &["--role", "board", "--holder", "Bea Board"]);
    let ama = d.add_member(&["--name", "Ama", "--phone", "0612"]);
    let (mut serve, addr) = d.serve(&["--bind", "127.0.0.1:0", "--no-mdns"]);
    let sync = |home: &Home| {
        let args = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
        let out = home.carnet(&args);
        assert!(
            out.status.success(),
            "{}",
            carnet_tests::describe(&args, &out)
        );
    };
    sync(&s);
    s.ok(&["member", "show", "Ama"]);
    sync(&s);
    sync(&b);
    // Direction (its serve lends the store) holds the staff device's entry, signed by it.
    let log = d.json(&["access-log", "--json"]);
    let entries = log.as_array().expect("a list");
    let from_staff: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["device"] == s.device_id())
        .collect();
    assert_eq!(from_staff.len(), 1, "{log:#}");
    assert_eq!(from_staff[0]["record"], ama.as_str());
    assert_eq!(from_staff[0]["how"], "show");
    let text = d.ok(&["access-log", "Ama"]);
    assert!(text.contains("Sam Staff"), "{text}");
    d.ok(&["verify"]);
    // The board device holds no log but its own (empty).
    assert!(b.ok(&["access-log"]).contains("no personal file"));
    serve.interrupt();
}
