//! Moving in from spreadsheets and out again: `carnet import` writes all rows or none and names
//! every bad line; the fixed file imports; `carnet export` gives back the same values — accents
//! and non-Latin names included — and leaves personal files out unless asked.

use std::collections::BTreeMap;

use carnet_tests::{Home, raw};

const NAMES: [&str; 10] = [
    "Ọlámídé",
    "Chíàmàká",
    "Hélène",
    "Adébáyọ̀",
    "Ngozi",
    "Зоя",
    "مريم",
    "美玲",
    "Ifeoma",
    "Éloïse",
];

/// The header and 100 rows of a members spreadsheet; `bad` rows (0-based) get a bad value.
fn sheet(bad: &[(usize, &str, &str)]) -> (String, Vec<BTreeMap<String, String>>) {
    let header = [
        "Pseudonyme",
        "status",
        "member_since",
        "first_name",
        "last_name",
        "date_of_birth",
        "city",
        "speaks_french",
        "working_groups",
        "Commentaire",
    ];
    let mut rows = Vec::new();
    for i in 0..100 {
        let mut row = BTreeMap::new();
        row.insert(
            "Pseudonyme".to_owned(),
            format!("{} {i}", NAMES[i % NAMES.len()]),
        );
        let status = if i % 4 == 0 { "active" } else { "member" };
        row.insert("status".to_owned(), status.to_owned());
        row.insert(
            "member_since".to_owned(),
            format!("20{:02}-0{}-1{}", 15 + i % 10, 1 + i % 9, i % 10),
        );
        row.insert("first_name".to_owned(), format!("Prénom-{i}-ẹ̀"));
        row.insert("last_name".to_owned(), format!("Nom, {i} \"dit\" Ọ̀kọ̀"));
        row.insert(
            "date_of_birth".to_owned(),
            format!("19{:02}-1{}-0{}", 70 + i % 30, i % 3, 1 + i % 9),
        );
        row.insert(
            "city".to_owned(),
            ["Paris", "Marseille", "Nice", "Bayonne"][i % 4].to_owned(),
        );
        row.insert(
            "speaks_french".to_owned(),
            if i % 3 == 0 { "yes" } else { "no" }.to_owned(),
        );
        row.insert(
            "working_groups".to_owned(),
            if i % 2 == 0 { "media, advocacy" } else { "" }.to_owned(),
        );
        row.insert("Commentaire".to_owned(), "à revoir".to_owned());
        rows.push(row);
    }
    for (i, field, value) in bad {
        rows[*i].insert((*field).to_owned(), (*value).to_owned());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("header");
    for row in &rows {
        w.write_record(header.iter().map(|h| row[*h].as_str()))
            .expect("row");
    }
    let text = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    (text, rows)
}

const MAP: [&str; 4] = ["--map", "Pseudonyme=display_name", "--map", "Commentaire="];

#[test]
fn an_import_with_bad_rows_writes_nothing_and_the_fixed_file_round_trips_through_export() {
    let home = Home::init();
    // Rows 10, 45 and 87 are lines 12, 47 and 89 (line 1 names the columns).
    let (bad, _) = sheet(&[
        (10, "date_of_birth", "31/02/1990"),
        (45, "status", "boss"),
        (87, "speaks_french", "peut-être"),
    ]);
    let file = home.root().join("members.csv");
    std::fs::write(&file, &bad).expect("write csv");
    let path = file.to_str().expect("path");

    let before = raw::dump(&home);
    let mut args = vec!["import", "member", path];
    args.extend(MAP);
    let err = home.fail(&args);
    for line in ["line 12:", "line 47:", "line 89:"] {
        assert!(err.contains(line), "{line} not named: {err}");
    }
    assert_eq!(
        err.matches("line ").count(),
        3,
        "exactly the 3 bad lines: {err}"
    );
    assert!(
        err.contains("date_of_birth") && err.contains("status") && err.contains("speaks_french"),
        "{err}"
    );
    for value in ["31/02/1990", "boss", "peut-être"] {
        assert!(
            !err.contains(value),
            "an error repeats a value typed: {err}"
        );
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        raw::dump(&home) == before,
        "a refused import changed the store"
    );

    // An unknown column is named by its number (never by its text, which could be someone's
    // data in a file without a header line), with the way to map or ignore it.
    // ("Pseudonyme" is known, in French; "Commentaire" is column 10.)
    let err = home.fail(&["import", "member", path]);
    assert!(err.contains("column 10 ") && err.contains("--map"), "{err}");
    assert!(!err.contains("Commentaire"), "{err}");
    let headless = home.root().join("headless.csv");
    std::fs::write(&headless, "Ọlámídé,member,1990-01-01\n").expect("write csv");
    let err = home.fail(&["import", "member", headless.to_str().expect("path")]);
    assert!(
        !err.contains("Ọlámídé") && err.contains("column names"),
        "{err}"
    );

    let (good, rows) = sheet(&[]);
    std::fs::write(&file, &good).expect("write csv");
    let mut dry = args.clone();
    dry.push("--dry-run");
    assert!(home.ok(&dry).contains("100 row(s) checked"));
    assert!(raw::dump(&home) == before, "a dry run changed the store");
    let out = home.ok(&args);
    assert!(out.contains("imported 100 row(s)"), "{out}");
    let members = home.json(&["member", "list", "--json"]);
    assert_eq!(members.as_array().map(Vec::len), Some(100));

    // Export (personal files asked for, to a new file of the owner's only) gives back what
    // was imported.
    let exported = home.root().join("export.csv");
    let out = home.carnet(&[
        "export",
        "member",
        "--include-personal",
        "--dialect",
        "standard",
        "--out",
        exported.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        carnet_tests::describe(&["export"], &out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("in the clear"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exported)
            .expect("export")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the export is readable by others: {mode:o}"
        );
    }
    let mut reader = csv::Reader::from_path(&exported).expect("export csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let mut back: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.expect("row");
        let row: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_owned))
            .collect();
        back.insert(row["display_name"].clone(), row);
    }
    assert_eq!(back.len(), 100);
    let set = |s: &str| -> std::collections::BTreeSet<String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for row in &rows {
        let got = back
            .get(&row["Pseudonyme"])
            .unwrap_or_else(|| panic!("{} missing", row["Pseudonyme"]));
        for (col, field) in [
            ("status", "status"),
            ("member_since", "member_since"),
            ("first_name", "first_name"),
            ("last_name", "last_name"),
            ("date_of_birth", "date_of_birth"),
            ("city", "city"),
            ("speaks_french", "speaks_french"),
        ] {
            assert_eq!(got[field], row[col], "{field} of {}", row["Pseudonyme"]);
        }
        assert_eq!(set(&got["working_groups"]), set(&row["working_groups"]));
    }
    // Without --include-personal, no personal field leaves the device.
    let plain = home.ok(&["export", "member"]);
    assert!(
        !plain.contains("Prénom-") && !plain.contains("first_name"),
        "{plain}"
    );
    assert!(plain.contains("Ọlámídé 0"));
    // A second export to the same file is refused rather than overwriting it.
    home.fail(&[
        "export",
        "member",
        "--out",
        exported.to_str().expect("path"),
    ]);
}
