//! Moving in from spreadsheets and out again: `carnet import` writes all rows or none and names
//! every bad line; the fixed file imports; `carnet export` gives back the same values — accents
//! and non-Latin names included — and leaves personal files out unless asked; every record
//! kind of a whole association moves to a new device through CSV and JSON, references given
//! by id or by name.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{FieldType, RecordKind};
use carnet_tests::{Home, raw};
use serde_json::Value;

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

/// Every record kind that has a `list` command, in the order an import needs them: the kinds
/// a record names before it. Partners and votes name one another (a partner removed from the
/// coalition by a vote about it): they are imported together.
const KINDS: [RecordKind; 14] = [
    RecordKind::Member,
    RecordKind::Project,
    RecordKind::Assembly,
    RecordKind::Partner,
    RecordKind::Vote,
    RecordKind::Group,
    RecordKind::Signature,
    RecordKind::Application,
    RecordKind::Mentorship,
    RecordKind::Activity,
    RecordKind::Mandate,
    RecordKind::Meeting,
    RecordKind::Referral,
    RecordKind::Welfare,
];

const TODAY: &str = "2026-11-30";

/// An exported file: its kind, its path and its bytes.
type Exported = (RecordKind, String, Vec<u8>);

/// The `kind` records of `home`, every field `export --json --include-personal` gives.
fn exported(home: &Home, kind: RecordKind) -> Vec<Value> {
    let kind = kind.to_string();
    home.json(&["export", &kind, "--json", "--include-personal"])
        .as_array()
        .expect("an array")
        .clone()
}

/// The records as compared: by id, except signatures and applications, which an import of
/// members takes over under ids of its own (see `docs/architecture.md`, import) and which no
/// record names: those by their fields.
fn comparable(kind: RecordKind, records: &[Value]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for r in records {
        let mut r = r.as_object().expect("an object").clone();
        let id = r["id"].as_str().expect("an id").to_owned();
        if matches!(kind, RecordKind::Signature | RecordKind::Application) {
            r.remove("id");
            let fields = Value::Object(r).to_string();
            let n = (0..).find(|n| !out.contains_key(&format!("{fields} #{n}")));
            out.insert(format!("{fields} #{}", n.unwrap_or(0)), Value::Null);
        } else {
            out.insert(id, Value::Object(r));
        }
    }
    out
}

/// An exported CSV file (French dialect) with every reference to a record whose label
/// (display name, title, name) is unique and holds no comma given by that label instead of its
/// id; how many references were so rewritten.
fn by_name(
    csv_file: &[u8],
    kind: RecordKind,
    labels: &BTreeMap<String, String>,
) -> (Vec<u8>, usize) {
    let text = std::str::from_utf8(csv_file).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("a row").iter().map(str::to_owned).collect())
        .collect();
    let headers = rows[0].clone();
    let mut named = 0;
    for row in rows.iter_mut().skip(1) {
        for (cell, header) in row.iter_mut().zip(&headers) {
            let refs = kind
                .field(header)
                .is_some_and(|f| matches!(f.ty, FieldType::Ref(_) | FieldType::RefSet(_)));
            if !refs || cell.is_empty() {
                continue;
            }
            let names: Vec<String> = cell
                .split(',')
                .map(|id| match labels.get(id.trim()) {
                    Some(label) => {
                        named += 1;
                        label.clone()
                    }
                    None => id.trim().to_owned(),
                })
                .collect();
            *cell = names.join(", ");
        }
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in &rows {
        w.write_record(row).expect("a row");
    }
    (w.into_inner().expect("csv"), named)
}

/// A whole synthetic association — every record kind that has a `list` command — exported as
/// CSV and as JSON (personal files included) and imported into new devices kind after kind,
/// references given by id, or by name: every field of every record comes back. The members'
/// signatures and decisions, taken over when the members are imported, are completed by the
/// signatures' and applications' own files, not doubled.
#[test]
fn a_whole_association_moves_to_a_new_device_kind_by_kind_through_csv_and_json() {
    let source = Home::init();
    source.set_today(TODAY);
    source.ok(&["synthetic", "--members", "12"]);
    let dir = source.root().join("export");
    std::fs::create_dir(&dir).expect("a directory");
    let mut want = BTreeMap::new();
    let mut files: BTreeMap<&str, Vec<Exported>> = BTreeMap::new();
    // Labels of the records references name, where unique (folded) and free of commas.
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for kind in KINDS {
        let records = exported(&source, kind);
        assert!(
            !records.is_empty(),
            "the synthetic association has no {kind}"
        );
        let field = kind.label_field();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for r in &records {
            if let Some(l) = r[field].as_str() {
                *seen.entry(l.to_lowercase()).or_default() += 1;
            }
        }
        if matches!(
            kind,
            RecordKind::Member
                | RecordKind::Project
                | RecordKind::Group
                | RecordKind::Assembly
                | RecordKind::Partner
        ) {
            for r in &records {
                let (Some(id), Some(label)) = (r["id"].as_str(), r[field].as_str()) else {
                    continue;
                };
                if seen[&label.to_lowercase()] == 1 && !label.contains(',') {
                    labels.insert(id.to_owned(), label.to_owned());
                }
            }
        }
        want.insert(kind, comparable(kind, &records));
        for (form, flags) in [("csv", vec![]), ("json", vec!["--json"])] {
            let path = dir.join(format!("{kind}.{form}"));
            let p = path.to_str().expect("path");
            let k = kind.to_string();
            let mut args = vec!["export", k.as_str(), "--include-personal", "--out", p];
            args.extend(flags);
            source.ok(&args);
            let bytes = std::fs::read(&path).expect("the export");
            files
                .entry(form)
                .or_default()
                .push((kind, p.to_owned(), bytes));
        }
    }
    // The same CSV files with references by name.
    let mut named = 0;
    let by_names: Vec<Exported> = files["csv"]
        .iter()
        .map(|(kind, _, bytes)| {
            let (bytes, n) = by_name(bytes, *kind, &labels);
            named += n;
            let path = dir.join(format!("{kind}-by-name.csv"));
            std::fs::write(&path, &bytes).expect("write");
            (*kind, path.to_str().expect("path").to_owned(), bytes)
        })
        .collect();
    assert!(named > 100, "only {named} references given by name");
    files.insert("csv, references by name", by_names);

    std::thread::scope(|s| {
        for (form, files) in &files {
            let want = &want;
            s.spawn(move || {
                let home = Home::init();
                home.set_today(TODAY);
                let votes = files
                    .iter()
                    .find(|(k, _, _)| *k == RecordKind::Vote)
                    .map(|(_, path, _)| format!("vote={path}"))
                    .expect("the votes");
                for (kind, path, _) in files {
                    let k = kind.to_string();
                    let mut args = vec!["import", k.as_str(), path];
                    match kind {
                        RecordKind::Vote => continue,
                        RecordKind::Partner => args.extend(["--with", votes.as_str()]),
                        _ => {}
                    }
                    let out = home.ok(&args);
                    assert!(out.contains("imported "), "{form}, {kind}: {out}");
                }
                for kind in KINDS {
                    let got = comparable(kind, &exported(&home, kind));
                    let want = &want[&kind];
                    let missing: Vec<&String> =
                        want.keys().filter(|k| !got.contains_key(*k)).collect();
                    let extra: Vec<&String> =
                        got.keys().filter(|k| !want.contains_key(*k)).collect();
                    assert!(
                        missing.is_empty() && extra.is_empty(),
                        "{form}, {kind}: missing {missing:#?}, extra {extra:#?}"
                    );
                    for (id, w) in want {
                        assert_eq!(&got[id], w, "{form}, {kind} {id}");
                    }
                }
                // Each file again is recognised, and refused.
                let (kind, path, _) = &files[0];
                let err = home.fail(&["import", &kind.to_string(), path]);
                assert!(err.contains("this file was imported as"), "{form}: {err}");
            });
        }
    });
    let kinds: BTreeSet<RecordKind> = want.keys().copied().collect();
    assert_eq!(kinds.len(), 14);
}
