//! Guards secrecy at rest and in messages: no field value (personal or not), key or passphrase
//! is ever written to the home in the clear; refused values are never echoed; the human member
//! list never shows the personal file; the home and the store are private to their owner.

use carnet_tests::raw::{self, hex};
use carnet_tests::{Home, PASSPHRASE, describe, scan_files};

/// A value no other test or file could hold by chance.
fn canary(field: &str) -> String {
    format!("CANARY-{field}-q7Zr")
}

/// The personal (PER) text fields of a member.
const PER_TEXT: [&str; 9] = [
    "first_name",
    "last_name",
    "nationality",
    "phone",
    "address",
    "city",
    "immigration_status",
    "referring_organisation",
    "case_notes",
];

/// A date of birth no test uses elsewhere.
const DOB: &str = "1937-04-29";

fn assert_nothing_found(home: &Home, needles: &[String], what: &str) {
    let bytes: Vec<&[u8]> = needles.iter().map(|n| n.as_bytes()).collect();
    let found = scan_files(home.root(), &bytes);
    let found: Vec<String> = found
        .iter()
        .map(|(file, i)| format!("{} holds {}", file.display(), needles[*i]))
        .collect();
    assert!(
        found.is_empty(),
        "{what} in the clear:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_field_value_reaches_the_disk_in_the_clear() {
    let home = Home::new();
    home.ok(&[
        "init",
        "--org",
        &canary("org"),
        "--holder",
        &canary("holder"),
        "--city",
        &canary("device-city"),
    ]);
    let mut needles = vec![canary("org"), canary("holder"), canary("device-city")];

    let mut args = vec![
        "--name".to_owned(),
        canary("display_name"),
        "--group".to_owned(),
        canary("working_groups"),
        "--dob".to_owned(),
        DOB.to_owned(),
    ];
    for field in PER_TEXT {
        args.push("--field".into());
        args.push(format!("{field}={}", canary(field)));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let id = home.add_member(&args);
    // Edit some values, so that old and new versions both exist somewhere in the file's history.
    home.ok(&[
        "member",
        "set",
        &id,
        "--field",
        &format!("case_notes={}", canary("case_notes-2")),
        "--field",
        &format!("phone={}", canary("phone-2")),
        "--name",
        &canary("display_name-2"),
    ]);
    home.add_project(&[
        "--title",
        &canary("title"),
        "--aims",
        &canary("aims"),
        "--partner",
        &canary("partners"),
        "--funder",
        &canary("funders"),
        "--field",
        &format!("targets={}", canary("targets")),
        "--field",
        &format!("progress={}", canary("progress")),
    ]);
    needles.extend(
        PER_TEXT
            .iter()
            .chain(&[
                "display_name",
                "working_groups",
                "title",
                "aims",
                "partners",
                "funders",
                "targets",
                "progress",
            ])
            .map(|f| canary(f)),
    );
    needles.extend(["case_notes-2", "phone-2", "display_name-2"].map(canary));
    needles.extend([DOB.to_owned(), "CANARY".to_owned()]);

    // The values are really stored (so that not finding them means something)...
    let project = home.ok(&["project", "show", &canary("title")]);
    assert!(
        project.contains(&canary("progress")) && project.contains(&canary("funders")),
        "{project}"
    );
    let shown = home.ok(&["member", "show", &id]);
    for field in PER_TEXT
        .iter()
        .filter(|f| !["case_notes", "phone"].contains(f))
    {
        assert!(
            shown.contains(&canary(field)),
            "{field} not stored:\n{shown}"
        );
    }
    assert!(
        shown.contains(DOB) && shown.contains(&canary("phone-2")),
        "{shown}"
    );
    // ...and the scan finds what is in the clear.
    assert!(
        !scan_files(home.root(), &[b"changes-1"]).is_empty(),
        "the scan must see the store's table names"
    );
    assert_nothing_found(&home, &needles, "a field value");
}

#[test]
fn keys_and_passphrase_never_reach_the_disk_in_the_clear() {
    let home = Home::init();
    home.add_member(&["--name", "Kemi", "--phone", "0611"]);
    let device_secret = *home.open_store().device_secret();
    let (data_key, unwrapped_secret) = raw::unwrap_keyring(&home.store_path(), PASSPHRASE);
    // The keyring unwraps as docs/storage.md says, so the data key below is the real one.
    assert_eq!(unwrapped_secret, device_secret);
    let needles = [
        device_secret.to_vec(),
        data_key.to_vec(),
        hex(&device_secret).into_bytes(),
        hex(&data_key).into_bytes(),
        PASSPHRASE.as_bytes().to_vec(),
    ];
    let needles: Vec<&[u8]> = needles.iter().map(Vec::as_slice).collect();
    let found = scan_files(home.root(), &needles);
    assert!(
        found.is_empty(),
        "secrets in the clear (needle indexes): {found:?}"
    );
}

#[test]
fn refused_values_are_never_echoed() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Temi"]);
    let secret = canary("refused");
    let long = format!("{secret}{}", "x".repeat(1_100));
    let cases: Vec<Vec<String>> = vec![
        vec!["--field".into(), format!("date_of_birth={secret}")],
        vec!["--dob".into(), format!("{secret}-1990")],
        vec!["--field".into(), format!("first_name+={secret}")],
        vec!["--field".into(), format!("phone={secret}\nsecond line")],
        vec!["--field".into(), format!("last_name={long}")],
        vec!["--field".into(), format!("speaks_french={secret}")],
        vec!["--status".into(), secret.clone()],
        vec!["--field".into(), format!("working_groups+={secret},,x")],
    ];
    for case in &cases {
        for command in [
            vec!["member", "set", id.as_str()],
            vec!["member", "add", "--name", "X"],
        ] {
            let mut args = command.clone();
            args.extend(case.iter().map(String::as_str));
            let out = home.carnet(&args);
            carnet_tests::assert_failed_cleanly(&args, &out);
            let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
            assert!(
                !carnet_tests::contains(&all, b"CANARY"),
                "a refused value was echoed\n{}",
                describe(&args, &out)
            );
        }
    }
    // A record looked up by a personal value that matches nothing is not echoed either.
    let err = home.fail(&["member", "show", &secret]);
    assert!(!err.contains("CANARY"), "{err}");
}

#[test]
fn the_member_list_and_lookup_errors_never_show_the_personal_file() {
    let home = Home::init();
    let mut args = vec![
        "--name".to_owned(),
        "Zainab".to_owned(),
        "--dob".to_owned(),
        DOB.to_owned(),
    ];
    for field in PER_TEXT {
        args.push("--field".into());
        args.push(format!("{field}={}", canary(field)));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    home.add_member(&args);
    home.add_member(&["--name", "zainab"]);
    let table = home.ok(&["member", "list"]);
    let err = home.fail(&["member", "show", "ZAINAB"]);
    for shown in [&table, &err] {
        assert!(shown.contains("Zainab"), "{shown}");
        assert!(!shown.contains("CANARY") && !shown.contains(DOB), "{shown}");
    }
}

#[cfg(unix)]
#[test]
fn home_and_store_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    // A home that init creates...
    let home = Home::init();
    assert_eq!(mode(home.path()), 0o700, "home {}", home.path().display());
    assert_eq!(mode(&home.store_path()), 0o600);
    home.add_member(&["--name", "Efe"]);
    assert_eq!(mode(&home.store_path()), 0o600, "after a write");
    let files = carnet_tests::files_under(home.path());
    assert_eq!(files, [home.store_path()], "no other file in the home");
    assert!(
        !home.root().join("xdg").exists(),
        "nothing written outside CARNET_HOME"
    );

    // ...and a home that already existed, open to everyone.
    let open = Home::new();
    std::fs::create_dir(open.path()).unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    open.ok(&["init", "--org", "O", "--holder", "H"]);
    assert_eq!(mode(open.path()), 0o700);
    assert_eq!(mode(&open.store_path()), 0o600);
}
