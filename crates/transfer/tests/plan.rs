//! Planning an import on a real device in a temporary home: bad lines named by their
//! spreadsheet line, duplicates of a recorded member and of another row, nothing written
//! until the caller writes the plan; and an export holding personal fields only on request.

use carnet_device::Device;
use carnet_model::RecordKind;
use carnet_sheets::read_table;
use carnet_transfer::{ImportOptions, Reason, columns, export_sheet, guess_columns, plan};

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
        Reason::SameAsLine { first: 2 }
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
