//! Planning an import on a real device in a temporary home: bad lines named by their
//! spreadsheet line, duplicates of a recorded member and of another row, a file imported
//! before, other kinds' identities, rows completing what an import of members took over, rows
//! naming one another, nothing written until the caller writes the plan; and an export
//! holding personal fields only on request.

use carnet_device::Device;
use carnet_model::RecordKind;
use carnet_sheets::read_table;
use carnet_transfer::{
    Fingerprint, ImportOptions, ImportPlan, Part, Reason, columns, export_sheet, guess_columns,
    plan, plan_together, remember_import,
};

const PASS: &[u8] = b"tests only: a transfer passphrase";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-14T12:00:00Z")
        .expect("date")
        .to_utc()
}

#[test]
fn a_plan_names_bad_lines_and_duplicates_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut device =
        Device::init(&dir.path().join("home"), PASS, "Asso", "Amara", None, now()).expect("init");
    let file = "Nom d'usage;Prénom;Date de naissance;Membre depuis;Remarque\r\n\
                Joy A.;Joy;14/03/1991;02/01/2020;\r\n\
                Ada B.;Ada;31/02/1990;02/01/2020;\r\n\
                Joy A.;Joy;14/03/1991;02/01/2020;\r\n\
                Efe C.;Efe;01/01/1985;;x\r\n";
    let table = read_table(file.as_bytes(), "m.csv", &Default::default()).expect("table");
    // An unknown column is refused where the command line matches columns, ignored where a
    // form starts from.
    assert!(columns(RecordKind::Member, &table, &[], None).is_err());
    let cols = guess_columns(RecordKind::Member, &table.headers);
    assert_eq!(cols[2].as_deref(), Some("date_of_birth"));
    assert_eq!(cols[4], None);
    let p = plan(
        &device,
        RecordKind::Member,
        &table,
        &cols,
        &ImportOptions::default(),
        now(),
    )
    .expect("plan");
    let lines: Vec<u64> = p.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4, 5], "{:?}", p.problems);
    assert!(matches!(
        p.problems[0].reason,
        Reason::BadDate {
            column: 3,
            field: "date_of_birth",
            ..
        }
    ));
    assert!(matches!(
        p.problems[1].reason,
        Reason::SameAsLine { first: 2, .. }
    ));
    assert!(matches!(p.problems[2].reason, Reason::JoinedUnknown));
    assert_eq!(p.bad_lines(), 3);
    for problem in &p.problems {
        let said = problem.reason.to_string();
        assert!(!said.contains("Joy") && !said.contains("31/02"), "{said}");
    }
    assert!(device.list(RecordKind::Member).expect("list").is_empty());

    // The rows fixed (a joining day for the rest, the duplicate allowed): one member and her
    // member-form signature per row, written by the caller through the rules.
    let table = read_table(
        file.replace("31/02", "28/02").as_bytes(),
        "m.csv",
        &Default::default(),
    )
    .expect("table");
    let opts = ImportOptions {
        joined_before: Some("2019-01-01".into()),
        allow_duplicates: true,
        ..Default::default()
    };
    let p = plan(&device, RecordKind::Member, &table, &cols, &opts, now()).expect("plan");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.rows, p.writes.len(), p.taken_over()), (4, 8, 4));
    device.write_checked(&p.writes, now()).expect("written");
    assert_eq!(device.list(RecordKind::Member).expect("list").len(), 4);

    // Again: every row is now a member already recorded.
    let p = plan(
        &device,
        RecordKind::Member,
        &table,
        &cols,
        &ImportOptions::default(),
        now(),
    )
    .expect("plan");
    assert!(
        p.problems
            .iter()
            .filter(|p| p.reason.is_duplicate())
            .count()
            >= 3,
        "{:?}",
        p.problems
    );

    let sheet = export_sheet(&device, RecordKind::Member, false).expect("export");
    assert_eq!(sheet.rows.len(), 4);
    assert!(!sheet.headers.iter().any(|h| h == "first_name"));
    let sheet = export_sheet(&device, RecordKind::Member, true).expect("export");
    assert!(sheet.headers.iter().any(|h| h == "first_name"));
}

fn device(dir: &tempfile::TempDir) -> Device {
    Device::init(&dir.path().join("home"), PASS, "Asso", "Amara", None, now()).expect("init")
}

/// Plans `file` (CSV text) as `kind` records, its columns guessed, the file's fingerprint given.
fn plan_file(device: &Device, kind: RecordKind, file: &str, opts: ImportOptions) -> ImportPlan {
    let table = read_table(file.as_bytes(), "x.csv", &Default::default()).expect("table");
    let cols = guess_columns(kind, &table.headers);
    let opts = ImportOptions {
        fingerprint: Some(Fingerprint::of(file.as_bytes())),
        ..opts
    };
    plan(device, kind, &table, &cols, &opts, now()).expect("plan")
}

/// Writes a plan that has no problem, and notes its file, as the command line does.
fn write(device: &mut Device, kind: RecordKind, p: &ImportPlan) {
    assert!(p.is_ready(), "{:?}", p.problems);
    device.write_checked(&p.writes, now()).expect("written");
    remember_import(device, kind, p.fingerprint.expect("a fingerprint"), now()).expect("noted");
}

#[test]
fn a_file_imported_before_is_refused_naming_when_and_activities_have_an_identity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut device = device(&dir);
    let file = "Titre;Type;Date\r\nGroupe de parole;talking-group;14/03/2026\r\n\
                Atelier CV;workshop;14/03/2026\r\n";
    let p = plan_file(
        &device,
        RecordKind::Activity,
        file,
        ImportOptions::default(),
    );
    write(&mut device, RecordKind::Activity, &p);

    // The same bytes again: the file is named as imported before, with the day, and each row
    // is an activity already recorded (title and date).
    let p = plan_file(
        &device,
        RecordKind::Activity,
        file,
        ImportOptions::default(),
    );
    assert!(
        matches!(
            p.problems[0],
            carnet_transfer::Problem {
                file: 0,
                line: 0,
                reason: Reason::FileImported {
                    kind: RecordKind::Activity,
                    at
                }
            } if at == now()
        ),
        "{:?}",
        p.problems
    );
    let said = p.problems[0].reason.to_string();
    assert!(said.contains("2026-03-14 at 12:00"), "{said}");
    let lines: Vec<u64> = p.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [0, 2, 3]);
    assert!(p.problems.iter().all(|p| p.reason.is_duplicate()));
    assert!(matches!(
        p.problems[1].reason,
        Reason::AlreadyRecorded {
            kind: RecordKind::Activity,
            fields: ["title", "date"]
        }
    ));
    // Told to, it imports them again.
    let again = ImportOptions {
        allow_duplicates: true,
        ..Default::default()
    };
    assert!(plan_file(&device, RecordKind::Activity, file, again).is_ready());

    // Another file: a row like a recorded activity (case and accents aside), two rows alike,
    // and one on another day, which is another activity.
    let other = "Titre;Type;Date\r\nGROUPE DE PAROLE;talking-group;2026-03-14\r\n\
                 Sortie;outreach;15/03/2026\r\nsortie ;outreach;15/03/2026\r\n\
                 Atelier CV;workshop;21/03/2026\r\n";
    let p = plan_file(
        &device,
        RecordKind::Activity,
        other,
        ImportOptions::default(),
    );
    let lines: Vec<u64> = p.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 4], "{:?}", p.problems);
    assert!(matches!(
        p.problems[1].reason,
        Reason::SameAsLine { first: 3, .. }
    ));
    for problem in &p.problems {
        let said = problem.reason.to_string();
        assert!(
            said.contains("title and date") && !said.to_lowercase().contains("sortie"),
            "{said}"
        );
    }

    // The fingerprint is kept sealed: neither it nor the file's name is in the store's bytes.
    drop(device);
    let store = std::fs::read(dir.path().join("home").join("carnet.redb")).expect("store");
    let fingerprint = Fingerprint::of(file.as_bytes()).0;
    assert!(!store.windows(32).any(|w| w == fingerprint));
    assert!(!store.windows(9).any(|w| w == b"Atelier C"));
}

/// An import of members takes over the signatures and decisions their status rests on; a later
/// import of those signatures and decisions (a spreadsheet of them, or `carnet export` of
/// another device) completes them instead of adding a second of each.
#[test]
fn signatures_and_decisions_complete_what_an_import_of_members_took_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut device = device(&dir);
    let members = "display_name;status;member_since;active_since\r\n\
                   Joy A.;active;02/01/2020;05/06/2021\r\nAda B.;member;03/03/2019;\r\n";
    let p = plan_file(
        &device,
        RecordKind::Member,
        members,
        ImportOptions::default(),
    );
    assert_eq!(p.taken_over(), 4);
    write(&mut device, RecordKind::Member, &p);

    // Joy's active form was signed before the vote that made her active; Ada signed twice
    // (she left and came back): her latest signature is the one taken over.
    let signatures = "person;form;signed_on;version;staff_meeting_on\r\n\
                      Joy A.;member;2020-01-02;2019-06;2019-12-20\r\n\
                      Joy A.;active;2021-05-01;2021-01;\r\n\
                      Ada B.;member;2016-01-01;2015-01;\r\n\
                      Ada B.;member;2019-03-03;2019-01;2019-03-01\r\n";
    let p = plan_file(
        &device,
        RecordKind::Signature,
        signatures,
        ImportOptions::default(),
    );
    assert!(p.is_ready(), "{:?}", p.problems);
    assert_eq!((p.rows, p.completed), (4, 3));
    assert_eq!(p.writes.iter().filter(|w| w.create).count(), 1);
    write(&mut device, RecordKind::Signature, &p);
    let mut held: Vec<String> = device
        .list(RecordKind::Signature)
        .expect("list")
        .iter()
        .map(|r| {
            let get = |f: &str| {
                r.fields
                    .get(f)
                    .map(|s| s.value.to_string())
                    .unwrap_or_default()
            };
            format!("{} {} {}", get("form"), get("signed_on"), get("version"))
        })
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            "active 2021-05-01 2021-01",
            "member 2016-01-01 2015-01",
            "member 2019-03-03 2019-01",
            "member 2020-01-02 2019-06"
        ]
    );

    let applications = "person;decision;vote_on;card_number\r\nJoy A.;accepted;2021-05-28;A-12\r\n";
    let p = plan_file(
        &device,
        RecordKind::Application,
        applications,
        ImportOptions::default(),
    );
    assert_eq!((p.completed, p.writes.len()), (1, 1), "{:?}", p.problems);
    write(&mut device, RecordKind::Application, &p);
    let apps = device.list(RecordKind::Application).expect("list");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].fields["vote_on"].value.to_string(), "2021-05-28");
    assert_eq!(apps[0].fields["card_number"].value.to_string(), "A-12");

    // Completed, they are ordinary records: the same rows again are duplicates.
    let again = signatures.replace("2019-06", "2019-07");
    let p = plan_file(
        &device,
        RecordKind::Signature,
        &again,
        ImportOptions::default(),
    );
    assert_eq!(p.completed, 0);
    assert_eq!(p.problems.len(), 4, "{:?}", p.problems);
}

/// A row may name another row of the same file, by name or by the id its id column gives
/// (partners endorsed by partners imported with them).
#[test]
fn rows_may_name_other_rows_of_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut device = device(&dir);
    let id = carnet_replica::RecordId::random();
    let file = format!(
        "id;name;endorsed_by;reviewed_by\r\n\
         ;Relais Sud;Amicale Nord;{id}\r\n\
         {id};Amicale Nord;;\r\n\
         ;Collectif Est;amicale nord, relais sud;\r\n"
    );
    let p = plan_file(
        &device,
        RecordKind::Partner,
        &file,
        ImportOptions::default(),
    );
    assert!(p.is_ready(), "{:?}", p.problems);
    write(&mut device, RecordKind::Partner, &p);
    let partners = device.list(RecordKind::Partner).expect("list");
    let by_name = |n: &str| {
        partners
            .iter()
            .find(|r| r.label() == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let nord = by_name("Amicale Nord").id.to_string();
    assert_eq!(nord, id.to_string());
    let sud = by_name("Relais Sud");
    assert_eq!(sud.fields["endorsed_by"].value.to_string(), nord);
    assert_eq!(sud.fields["reviewed_by"].value.to_string(), nord);
    let est = by_name("Collectif Est").fields["endorsed_by"]
        .value
        .to_string();
    assert!(
        est.contains(&nord) && est.contains(&sud.id.to_string()),
        "{est}"
    );
    // A name two rows share names neither; one no row has is still refused.
    let file = "name;endorsed_by\r\nA;C\r\nC;\r\nC;\r\nB;Z\r\n";
    let twice = ImportOptions {
        allow_duplicates: true,
        ..Default::default()
    };
    let p = plan_file(&device, RecordKind::Partner, file, twice);
    let lines: Vec<u64> = p.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 5], "{:?}", p.problems);
    assert!(matches!(p.problems[0].reason, Reason::Reference { .. }));
}

/// Files planned together are written together: a vote names a partner of the partners' file;
/// each problem names its file, and nothing of either is written while one is bad.
#[test]
fn files_planned_together_name_one_another_and_each_problem_its_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut device = device(&dir);
    let partners = "name;sector\r\nAmicale Nord;housing\r\n";
    let votes = "title;kind;held_on;result;subject_partner\r\n\
                 Accord;other;2026-01-10;passed;amicale nord\r\n\
                 Bilan;other;10/02/2026;maybe;\r\n";
    let read =
        |text: &str| read_table(text.as_bytes(), "x.csv", &Default::default()).expect("table");
    let (p_table, v_table) = (read(partners), read(votes));
    let p_cols = guess_columns(RecordKind::Partner, &p_table.headers);
    let v_cols = guess_columns(RecordKind::Vote, &v_table.headers);
    let parts = [
        Part {
            kind: RecordKind::Partner,
            table: &p_table,
            columns: &p_cols,
            fingerprint: Some(Fingerprint::of(partners.as_bytes())),
        },
        Part {
            kind: RecordKind::Vote,
            table: &v_table,
            columns: &v_cols,
            fingerprint: Some(Fingerprint::of(votes.as_bytes())),
        },
    ];
    let p = plan_together(&device, &parts, &ImportOptions::default(), now()).expect("plan");
    let at: Vec<(usize, u64)> = p.problems.iter().map(|p| (p.file, p.line)).collect();
    assert_eq!(at, [(1, 3)], "{:?}", p.problems);
    assert_eq!((p.rows, p.files.len(), p.files[1].rows), (3, 2, 2));

    let votes = votes.replace("maybe", "rejected");
    let v_table = read(&votes);
    let parts = [
        parts[0],
        Part {
            table: &v_table,
            fingerprint: Some(Fingerprint::of(votes.as_bytes())),
            ..parts[1]
        },
    ];
    let p = plan_together(&device, &parts, &ImportOptions::default(), now()).expect("plan");
    assert!(p.is_ready(), "{:?}", p.problems);
    device.write_checked(&p.writes, now()).expect("written");
    for f in &p.files {
        remember_import(
            &mut device,
            f.kind,
            f.fingerprint.expect("fingerprint"),
            now(),
        )
        .expect("noted");
    }
    let partner = device.list(RecordKind::Partner).expect("list")[0]
        .id
        .to_string();
    let named: Vec<String> = device
        .list(RecordKind::Vote)
        .expect("list")
        .iter()
        .filter_map(|v| v.fields.get("subject_partner").map(|s| s.value.to_string()))
        .collect();
    assert_eq!(named, [partner]);
    // Each file is remembered as its own kind.
    let again = plan_together(&device, &parts, &ImportOptions::default(), now()).expect("plan");
    let files: Vec<(usize, u64)> = again
        .problems
        .iter()
        .filter(|p| matches!(p.reason, Reason::FileImported { .. }))
        .map(|p| (p.file, p.line))
        .collect();
    assert_eq!(files, [(0, 0), (1, 0)]);
}
