//! Spreadsheets as French associations have them (issue 14): `;`-separated UTF-8 with BOM and
//! CRLF, Windows-1252, `.xlsx` with date cells — French headers, DD/MM/YYYY dates, Yoruba
//! names, a quoted cell holding `;` and a new line, trailing blank rows — import with only the
//! kind and the file named, and every value survives; a bad line is named by the row number a
//! spreadsheet shows; export → import round-trips in CSV and .xlsx with formula-looking names
//! kept as text; long-standing members do not count as joining on the import day; duplicates
//! stop an import.

use std::collections::BTreeMap;
use std::io::Read;

use carnet_report::labels;
use carnet_tests::{Home, raw};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

const TODAY: &str = "2026-11-30";

const HEADERS: [&str; 9] = [
    "Pseudonyme",
    "Statut",
    "Prénom",
    "Nom",
    "Date de naissance",
    "Membre depuis",
    "Ville",
    "Téléphone",
    "Adresse",
];

/// Members as the spreadsheet holds them (dates DD/MM/YYYY) and the fields they must become.
struct Person {
    cells: [&'static str; 9],
}

const YORUBA: [Person; 4] = [
    Person {
        cells: [
            "Adébáyọ̀",
            "Membre",
            "Adébáyọ̀",
            "Ọláolúwa",
            "14/03/1991",
            "02/09/2015",
            "Besançon",
            "+33 6 12 34 56 78",
            "12 rue de l'Été; bât. B\n75011 Paris",
        ],
    },
    Person {
        cells: [
            "Ọláolúwa",
            "Membre actif",
            "Ọláolúwa",
            "Ògúnlẹ́yẹ",
            "01/01/1985",
            "15/06/2016",
            "Saint-Étienne",
            "06 98 76 54 32",
            "",
        ],
    },
    Person {
        cells: [
            "Hélène",
            "MEMBRE",
            "Hélène",
            "Lefèvre",
            "29/02/1988",
            "31/12/2019",
            "Nîmes",
            "",
            "3 place du Marché",
        ],
    },
    Person {
        cells: [
            "Éloïse",
            "member",
            "Éloïse",
            "Çelik",
            "07/11/2001",
            "05/05/2021",
            "Orléans",
            "",
            "",
        ],
    },
];

/// Windows-1252 cannot write Yoruba's dotted letters: Latin-1 people only, one of whom has an
/// address holding `;` and a CRLF new line (a quoted cell, as Excel writes it).
const LATIN: [Person; 2] = [
    Person {
        cells: [
            "Hélène",
            "MEMBRE",
            "Hélène",
            "Lefèvre",
            "29/02/1988",
            "31/12/2019",
            "Nîmes",
            "",
            "3 place du Marché; esc. B\r\n30000 Nîmes",
        ],
    },
    Person {
        cells: [
            "Éloïse",
            "Membre actif",
            "Éloïse",
            "Çelik",
            "07/11/2001",
            "05/05/2021",
            "Orléans",
            "",
            "",
        ],
    },
];

fn latin() -> &'static [Person] {
    &LATIN
}

fn iso(dmy: &str) -> String {
    let p: Vec<&str> = dmy.split('/').collect();
    format!("{}-{}-{}", p[2], p[1], p[0])
}

/// The fields each person must have after the import.
fn expected(p: &Person) -> BTreeMap<&'static str, String> {
    let fields = [
        "display_name",
        "status",
        "first_name",
        "last_name",
        "date_of_birth",
        "member_since",
        "city",
        "phone",
        "address",
    ];
    let mut out = BTreeMap::new();
    for (f, v) in fields.iter().zip(p.cells) {
        if v.is_empty() {
            continue;
        }
        let v = if f.contains("date") || f.contains("since") {
            iso(v)
        } else if *f == "status" {
            // Statuses as the French interface names them, any case, or the stored word.
            match v.to_lowercase().as_str() {
                "membre" => "member".to_owned(),
                "membre actif" => "active".to_owned(),
                word => word.to_owned(),
            }
        } else {
            v.to_owned()
        };
        out.insert(*f, v);
    }
    out
}

/// A CSV file the way French LibreOffice/Excel write one: `;`, CRLF, quotes where needed,
/// trailing blank rows.
fn french_csv(people: &[Person]) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(HEADERS).expect("header");
    for p in people {
        w.write_record(p.cells).expect("row");
    }
    let mut text = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    text.push_str(";;;;;;;;\r\n;;;;;;;;\r\n");
    text
}

/// Members by display name, with every field `export --json --include-personal` gives.
fn members(home: &Home) -> BTreeMap<String, BTreeMap<String, Value>> {
    let v = home.json(&["export", "member", "--json", "--include-personal"]);
    v.as_array()
        .expect("array")
        .iter()
        .map(|m| {
            let obj: BTreeMap<String, Value> = m
                .as_object()
                .expect("object")
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (m["display_name"].as_str().expect("name").to_owned(), obj)
        })
        .collect()
}

/// What an import took over beside each member, by display name: her signatures (form and
/// date) and applications (decision and date of the vote), sorted.
fn taken_over(home: &Home) -> BTreeMap<String, Vec<String>> {
    let names: BTreeMap<String, String> = members(home)
        .into_iter()
        .map(|(name, m)| (m["id"].as_str().expect("id").to_owned(), name))
        .collect();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let person = |r: &Value| names[r["person"].as_str().expect("person")].clone();
    for s in home
        .json(&["export", "signature", "--json"])
        .as_array()
        .expect("array")
    {
        out.entry(person(s)).or_default().push(format!(
            "{} form signed {}",
            s["form"].as_str().expect("form"),
            s["signed_on"].as_str().expect("signed_on")
        ));
    }
    for a in home
        .json(&["export", "application", "--json"])
        .as_array()
        .expect("array")
    {
        out.entry(person(a)).or_default().push(format!(
            "application {} voted {}",
            a["decision"].as_str().expect("decision"),
            a["vote_on"].as_str().expect("vote_on")
        ));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// What [`taken_over`] must find for `people`: signatures and decisions dated when each joined.
fn want_taken_over(people: &[Person]) -> BTreeMap<String, Vec<String>> {
    people
        .iter()
        .map(|p| {
            let want = expected(p);
            let since = &want["member_since"];
            let mut v = vec![format!("member form signed {since}")];
            if want["status"] == "active" {
                v.push(format!("active form signed {since}"));
                v.push(format!("application accepted voted {since}"));
            }
            v.sort();
            (want["display_name"].clone(), v)
        })
        .collect()
}

fn assert_imported(home: &Home, people: &[Person], what: &str) {
    let got = members(home);
    assert_eq!(got.len(), people.len(), "{what}: {got:#?}");
    for p in people {
        let want = expected(p);
        let m = got
            .get(&want["display_name"])
            .unwrap_or_else(|| panic!("{what}: {} missing", want["display_name"]));
        for (f, v) in &want {
            assert_eq!(m[*f].as_str(), Some(v.as_str()), "{what}: {f}");
        }
    }
}

#[test]
fn french_spreadsheets_import_with_only_the_kind_and_the_file() {
    // UTF-8 with a BOM, `;`, CRLF (LibreOffice "CSV UTF-8", Excel "CSV UTF-8 (délimité par des
    // points-virgules)").
    let home = Home::init();
    home.set_today(TODAY);
    let file = home.root().join("adhérentes.csv");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(french_csv(&YORUBA).as_bytes());
    std::fs::write(&file, &bytes).expect("write");
    let out = home.ok(&["import", "member", file.to_str().expect("path")]);
    assert!(
        out.contains("imported 4 row(s)") && out.contains("2 blank row(s) skipped"),
        "{out}"
    );
    assert_imported(&home, &YORUBA, "UTF-8 CSV");
    // The signatures and decisions their status rests on are dated when they joined, not on
    // the import day.
    assert_eq!(taken_over(&home), want_taken_over(&YORUBA), "UTF-8 CSV");

    // Windows-1252 (Excel's plain "CSV (séparateur : point-virgule)").
    let home = Home::init();
    home.set_today(TODAY);
    let file = home.root().join("adherentes-1252.csv");
    let text = french_csv(latin());
    assert!(
        text.contains("\"3 place du Marché; esc. B\r\n30000 Nîmes\""),
        "no quoted cell holding `;` and CRLF: {text}"
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "not really 1252");
    std::fs::write(&file, &bytes).expect("write");
    let out = home.ok(&["import", "member", file.to_str().expect("path")]);
    assert!(out.contains("imported 2 row(s)"), "{out}");
    assert_imported(&home, latin(), "Windows-1252 CSV");
    assert_eq!(
        taken_over(&home),
        want_taken_over(latin()),
        "Windows-1252 CSV"
    );

    // .xlsx from a spreadsheet library: dates of joining as date cells, dates of birth as bare
    // serial numbers (date cells that lost their format), the header on row 1, trailing
    // formatted blank rows, a second sheet.
    let home = Home::init();
    home.set_today(TODAY);
    let file = home.root().join("adhérentes.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Adhérentes").expect("name");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let wrap = Format::new().set_text_wrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, p) in YORUBA.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in p.cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if HEADERS[c] == "Membre depuis" {
                let d = ExcelDateTime::parse_from_str(&iso(v)).expect("date");
                ws.write_datetime_with_format(row, c as u16, &d, &date)
                    .expect("date cell");
            } else if HEADERS[c] == "Date de naissance" {
                // A date cell that lost its format: only the serial number is left.
                let d = ExcelDateTime::parse_from_str(&iso(v)).expect("date");
                ws.write_number(row, c as u16, d.to_excel())
                    .expect("number");
            } else {
                ws.write_string_with_format(row, c as u16, *v, &wrap)
                    .expect("cell");
            }
        }
    }
    for row in 5..8 {
        ws.write_blank(row, 0, &wrap).expect("blank");
    }
    let notes = book.add_worksheet();
    notes.set_name("Notes").expect("name");
    notes.write_string(0, 0, "autre feuille").expect("cell");
    book.save(&file).expect("xlsx");
    let path = file.to_str().expect("path");
    let out = home.ok(&["import", "member", path]);
    assert!(out.contains("imported 4 row(s)"), "{out}");
    assert_imported(&home, &YORUBA, ".xlsx");
    // --sheet reads another sheet (here one whose header is no field), or names none.
    let err = home.fail(&["import", "member", path, "--sheet", "notes"]);
    assert!(err.contains("column 1 of line 1"), "{err}");
    let err = home.fail(&["import", "member", path, "--sheet", "Feuille 9"]);
    assert!(err.contains("no sheet of that name"), "{err}");

    // Other kinds than members: activities with French headers and dates.
    let file = home.root().join("activités.csv");
    std::fs::write(
        &file,
        "\u{feff}Titre;Type;Date;Thème\r\nGroupe de parole;talking-group;14/03/2026;Droits; logement\r\n",
    )
    .expect("write");
    let err = home.fail(&["import", "activity", file.to_str().expect("path")]);
    assert!(err.contains("line 2: column 5 holds something"), "{err}");
    std::fs::write(
        &file,
        "\u{feff}Titre;Type;Date;Thème\r\nGroupe de parole;talking-group;14/03/2026;\"Droits; logement\"\r\n;;;\r\n",
    )
    .expect("write");
    let out = home.ok(&["import", "activity", file.to_str().expect("path")]);
    assert!(out.contains("imported 1 row(s)"), "{out}");
    let a = home.json(&["export", "activity", "--json"]);
    assert_eq!(a[0]["date"], "2026-03-14", "{a:#}");
    assert_eq!(a[0]["topic"], "Droits; logement", "{a:#}");
    // The same file again is recognised as imported before; another file with an activity of
    // the same title and date (however written) is a duplicate.
    let err = home.fail(&["import", "activity", file.to_str().expect("path")]);
    assert!(
        err.contains("this file was imported as activity records before, on 2026-11-30"),
        "{err}"
    );
    let other = home.root().join("autres.csv");
    std::fs::write(
        &other,
        "Titre;Type;Date\r\ngroupe de PAROLE;talking-group;2026-03-14\r\nAtelier;workshop;2026-03-14\r\n",
    )
    .expect("write");
    let err = home.fail(&["import", "activity", other.to_str().expect("path")]);
    assert!(
        err.contains("line 2: same title and date as an activity already recorded"),
        "{err}"
    );
    assert_eq!(err.matches("line ").count(), 1, "{err}");
}

/// `--date-format` reads dates in the order the spreadsheet wrote them — `ymd` with two-digit
/// years, `mdy` as English-language spreadsheets export them (03/14/1991) — `--joined-before`
/// included; the default (`dmy`) refuses such dates rather than guessing.
#[test]
fn dates_are_read_in_the_order_date_format_names_ymd_and_mdy() {
    let home = Home::init();
    home.set_today(TODAY);
    for (order, name, rows, joined_before) in [
        (
            "ymd",
            "ymd.csv",
            "Ada;91/03/14;15/09/02\r\nAbi;85/12/31;\r\n",
            "99/12/31",
        ),
        (
            "mdy",
            "mdy.csv",
            "Zoé;03/14/1991;09/02/2015\r\nZia;12/31/1985;\r\n",
            "01/31/2018",
        ),
    ] {
        let file = home.root().join(name);
        std::fs::write(
            &file,
            format!("Pseudonyme;Date de naissance;Membre depuis\r\n{rows}"),
        )
        .expect("write");
        let path = file.to_str().expect("path");
        let before = raw::dump(&home);
        let err = home.fail(&["import", "member", path, "--joined-before", joined_before]);
        assert!(err.contains("--joined-before"), "{order}: {err}");
        let err = home.fail(&["import", "member", path, "--joined-before", "2018-01-31"]);
        assert!(
            err.contains("line 2: column 2 (`date_of_birth`)")
                && err.contains("line 3: column 2 (`date_of_birth`)"),
            "{order}: {err}"
        );
        assert!(
            raw::dump(&home) == before,
            "a refused import changed the store"
        );
        let out = home.ok(&[
            "import",
            "member",
            path,
            "--date-format",
            order,
            "--joined-before",
            joined_before,
        ]);
        assert!(out.contains("imported 2 row(s)"), "{order}: {out}");
    }
    let m = members(&home);
    // (member_since, or the day --joined-before gave)
    for (name, born, since, joined) in [
        ("Ada", "1991-03-14", true, "2015-09-02"),
        ("Abi", "1985-12-31", false, "1999-12-31"),
        ("Zoé", "1991-03-14", true, "2015-09-02"),
        ("Zia", "1985-12-31", false, "2018-01-31"),
    ] {
        assert_eq!(m[name]["date_of_birth"], born, "{name}");
        if since {
            assert_eq!(m[name]["member_since"], joined, "{name}");
        } else {
            assert!(!m[name].contains_key("member_since"), "{name}");
        }
        let since = joined;
        assert_eq!(
            taken_over(&home)[name],
            [format!("member form signed {since}")],
            "{name}"
        );
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An OpenDocument spreadsheet put together by hand as LibreOffice structures one: `mimetype`
/// stored first, the manifest, and `content.xml` with string cells (a cell's lines as
/// paragraphs), date cells for the dates of joining, and blank rows at the end as one row
/// repeated (`table:number-rows-repeated`), which [`ods_from_library`] does not write.
fn ods(people: &[Person]) -> Vec<u8> {
    use std::io::Write;
    let mut rows = String::new();
    let cell = |v: &str| {
        let paragraphs: String = v
            .split('\n')
            .map(|l| format!("<text:p>{}</text:p>", xml_escape(l)))
            .collect();
        format!(
            "<table:table-cell office:value-type=\"string\" calcext:value-type=\"string\">{paragraphs}</table:table-cell>"
        )
    };
    rows.push_str("<table:table-row>");
    for h in HEADERS {
        rows.push_str(&cell(h));
    }
    rows.push_str("</table:table-row>");
    for p in people {
        rows.push_str("<table:table-row>");
        for (c, v) in p.cells.iter().enumerate() {
            if v.is_empty() {
                rows.push_str("<table:table-cell/>");
            } else if HEADERS[c] == "Membre depuis" {
                rows.push_str(&format!(
                    "<table:table-cell office:value-type=\"date\" office:date-value=\"{}\"><text:p>{v}</text:p></table:table-cell>",
                    iso(v)
                ));
            } else {
                rows.push_str(&cell(v));
            }
        }
        rows.push_str("</table:table-row>");
    }
    rows.push_str("<table:table-row table:number-rows-repeated=\"3\"><table:table-cell table:number-columns-repeated=\"9\"/></table:table-row>");
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" \
         xmlns:calcext=\"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0\" \
         office:version=\"1.3\"><office:body><office:spreadsheet>\
         <table:table table:name=\"Adhérentes\">{rows}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest \
         xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\">\
         <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
         <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
         </manifest:manifest>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).expect("mimetype");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("mimetype");
    zip.start_file("META-INF/manifest.xml", deflated)
        .expect("manifest");
    zip.write_all(manifest.as_bytes()).expect("manifest");
    zip.start_file("content.xml", deflated).expect("content");
    zip.write_all(content.as_bytes()).expect("content");
    zip.finish().expect("zip").into_inner()
}

/// The spreadsheet written by a spreadsheet library (spreadsheet-ods) as an application saves
/// one: string cells (the multi-line address holding `;` one cell of two paragraphs), "Membre
/// depuis" as date cells shown as dates, the dates of birth as DD/MM/YYYY text, a second sheet,
/// and trailing rows that hold nothing but formatting (calamine leaves them out of the sheet's
/// range: they are neither rows nor counted as blank).
fn ods_from_library(people: &[Person]) -> Vec<u8> {
    use spreadsheet_ods::{CellStyle, Sheet, WorkBook, format};
    let mut book = WorkBook::default();
    let dates = book.add_datetime_format(format::create_date_dmy_format("dates"));
    let date = book.add_cellstyle(CellStyle::new("date", &dates));
    let mut wrap = CellStyle::new_empty();
    wrap.set_name("wrap");
    wrap.set_wrap_option(spreadsheet_ods::style::units::WrapOption::Wrap);
    let wrap = book.add_cellstyle(wrap);
    let mut sheet = Sheet::new("Adhérentes");
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.set_value(0, c as u32, *h);
    }
    for (r, p) in people.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in p.cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if HEADERS[c] == "Membre depuis" {
                let day = chrono::NaiveDate::parse_from_str(&iso(v), "%Y-%m-%d").expect("date");
                sheet.set_styled_value(row, c as u32, day, &date);
            } else {
                sheet.set_styled_value(row, c as u32, *v, &wrap);
            }
        }
    }
    let last = people.len() as u32;
    for row in last + 1..last + 4 {
        for col in 0..HEADERS.len() as u32 {
            sheet.set_cellstyle(row, col, &wrap);
        }
    }
    book.push_sheet(sheet);
    let mut notes = Sheet::new("Notes");
    notes.set_value(0, 0, "autre feuille");
    book.push_sheet(notes);
    spreadsheet_ods::write_ods_buf(&mut book, Vec::new()).expect("an .ods file")
}

#[test]
fn an_ods_file_imports_with_only_the_kind_and_the_file() {
    // Written by a spreadsheet library.
    let home = Home::init();
    home.set_today(TODAY);
    let bytes = ods_from_library(&YORUBA);
    let content = zip_entry(&bytes, "content.xml");
    for part in [
        "office:value-type=\"date\"",
        "office:date-value=\"2015-09-02",
        "<text:p>12 rue de l&apos;Été; bât. B</text:p><text:p>75011 Paris</text:p>",
    ] {
        assert!(
            content.contains(part) || content.contains(&part.replace("&apos;", "'")),
            "{part}: {content}"
        );
    }
    let file = home.root().join("adhérentes.ods");
    std::fs::write(&file, &bytes).expect("write");
    let path = file.to_str().expect("path");
    let out = home.ok(&["import", "member", path]);
    assert!(out.contains("imported 4 row(s)"), "{out}");
    assert_imported(&home, &YORUBA, ".ods (spreadsheet-ods)");
    assert_eq!(taken_over(&home), want_taken_over(&YORUBA), ".ods");
    let err = home.fail(&["import", "member", path, "--sheet", "notes"]);
    assert!(err.contains("column 1 of line 1"), "{err}");

    // Put together by hand as LibreOffice structures one (repeated blank rows).
    let home = Home::init();
    home.set_today(TODAY);
    let file = home.root().join("adhérentes.ods");
    std::fs::write(&file, ods(&YORUBA)).expect("write");
    let out = home.ok(&["import", "member", file.to_str().expect("path")]);
    assert!(out.contains("imported 4 row(s)"), "{out}");
    assert_imported(&home, &YORUBA, ".ods (by hand)");
}

#[test]
fn a_bad_line_among_30_is_named_by_the_row_a_spreadsheet_shows_and_nothing_is_written() {
    let home = Home::init();
    home.set_today(TODAY);
    // Row 3 holds an address on two lines (one row in a spreadsheet, two lines of text), row
    // 10 is blank; the bad date is on row 23 of the spreadsheet (line 24 of the text, the
    // address of row 3 taking two).
    let mut rows = vec!["Pseudonyme;Prénom;Date de naissance;Membre depuis;Adresse".to_owned()];
    for i in 0..31 {
        let address = if i == 1 {
            "\"1 rue A; bât. C\r\n69001 Lyon\"".to_owned()
        } else {
            format!("{i} rue B")
        };
        let born = if i == 21 { "31/02/1990" } else { "14/03/1991" };
        rows.push(if i == 8 {
            ";;;;".to_owned()
        } else {
            format!("Ọlá {i};Adébáyọ̀;{born};01/09/2015;{address}")
        });
    }
    let text = format!("\u{feff}{}\r\n", rows.join("\r\n"));
    let bad_row = rows.iter().position(|r| r.contains("31/02")).expect("bad") + 1;
    assert_eq!(bad_row, 23);
    let file = home.root().join("trente.csv");
    std::fs::write(&file, text).expect("write");
    let before = raw::dump(&home);
    let err = home.fail(&["import", "member", file.to_str().expect("path")]);
    assert!(err.contains("line 23: column 3 (`date_of_birth`)"), "{err}");
    assert_eq!(err.matches("line ").count(), 1, "{err}");
    assert!(
        err.contains("30 row(s)") && err.contains("nothing was written"),
        "{err}"
    );
    for value in ["31/02", "Ọlá", "Adébáyọ̀", "rue"] {
        assert!(!err.contains(value), "a value in the error: {err}");
    }
    assert!(
        raw::dump(&home) == before,
        "a refused import changed the store"
    );
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = String::new();
    zip.by_name(name)
        .expect("entry")
        .read_to_string(&mut out)
        .expect("xml");
    out
}

#[test]
fn export_then_import_round_trips_in_csv_and_xlsx_and_formulas_stay_text() {
    let home = Home::init();
    home.set_today(TODAY);
    let file = home.root().join("in.csv");
    let mut text = french_csv(&YORUBA);
    text.push_str(
        "\"=HYPERLINK(\"\"http://x\"\")\";member;Zoé;-Martin;01/02/1970;03/04/2018;@Lyon;+33 1;\"''=déjà\"\r\n",
    );
    std::fs::write(&file, text).expect("write");
    home.ok(&["import", "member", file.to_str().expect("path")]);
    let original = members(&home);
    assert_eq!(original.len(), 5);
    assert_eq!(
        original["=HYPERLINK(\"http://x\")"]["address"].as_str(),
        Some("'=déjà"),
        "the `'` a spreadsheet puts before `=` to mark text is not part of the value"
    );

    // French CSV: the formula is text in the file's bytes.
    let csv_out = home.root().join("out.csv");
    home.ok(&[
        "export",
        "member",
        "--include-personal",
        "--out",
        csv_out.to_str().expect("path"),
    ]);
    let bytes = std::fs::read(&csv_out).expect("export");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFid;display_name;"),
        "not the French dialect"
    );
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(
        text.contains(";'-Martin;") && text.contains(";'@Lyon;"),
        "{text}"
    );
    for cell in text.split(['\n', ';']) {
        let cell = cell.trim_start_matches('"');
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "a cell a spreadsheet would run: {cell}"
        );
    }

    // .xlsx: strings, no formula element.
    let xlsx_out = home.root().join("out.xlsx");
    home.ok(&[
        "export",
        "member",
        "--include-personal",
        "--format",
        "xlsx",
        "--out",
        xlsx_out.to_str().expect("path"),
    ]);
    let bytes = std::fs::read(&xlsx_out).expect("export");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "{sheet}");
    assert!(zip_entry(&bytes, "xl/sharedStrings.xml").contains("=HYPERLINK"));
    // …marked "quote prefix", so that a spreadsheet that edits and saves it keeps it text.
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
    // Without --out, an .xlsx has nowhere to go.
    home.fail(&["export", "member", "--format", "xlsx"]);

    // JSON, as `export --json` writes it.
    let json_out = home.root().join("out.json");
    home.ok(&[
        "export",
        "member",
        "--include-personal",
        "--json",
        "--out",
        json_out.to_str().expect("path"),
    ]);

    for (what, path) in [("CSV", &csv_out), ("xlsx", &xlsx_out), ("JSON", &json_out)] {
        let other = Home::init();
        other.set_today(TODAY);
        let out = other.ok(&["import", "member", path.to_str().expect("path")]);
        assert!(out.contains("imported 5 row(s)"), "{what}: {out}");
        assert_eq!(members(&other), original, "{what} round trip");
    }

    // A device whose interface was set to English writes the standard dialect by default (the
    // file is where `carnet ui` remembers the choice); `--dialect` still decides.
    std::fs::write(home.path().join("ui-language"), "en").expect("language");
    let standard = home.ok(&["export", "member"]);
    assert!(standard.starts_with("id,display_name,"), "{standard}");
    assert!(!standard.contains('\r'));
    let french = home.ok(&["export", "member", "--dialect", "french"]);
    assert!(french.starts_with("\u{feff}id;display_name;"), "{french}");
    let report = home.ok(&["report", "--csv"]);
    assert!(
        !report.starts_with('\u{feff}') && report.contains(','),
        "{report}"
    );
}

/// `carnet report --format xlsx --out FILE` writes the figures `report --json` gives as one
/// sheet (read back with calamine): counts and means as number cells, suppressed counts and
/// unavailable means as text; it needs --out, keeps --dialect for CSV and never overwrites.
fn assert_xlsx_report(home: &Home, json: &Value) {
    use calamine::{Data, Reader};
    let period = [
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-31",
        "--suppress-below",
        "1",
    ];
    let file = home.root().join("rapport.xlsx");
    let path = file.to_str().expect("path");
    let mut args = vec!["report", "--format", "xlsx"];
    args.extend(period);
    let err = home.fail(&args);
    assert!(err.contains("--out"), "{err}");
    args.extend(["--out", path, "--dialect", "french"]);
    let err = home.fail(&args);
    assert!(err.contains("--dialect applies to a CSV report"), "{err}");
    args.truncate(args.len() - 2);
    home.ok(&args);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("an .xlsx workbook");
    assert_eq!(book.sheet_names(), ["Report"]);
    let range = book.worksheet_range("Report").expect("the sheet");
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, ["section", "label", "value"]);
    let mut want = Vec::new();
    for section in json["sections"].as_array().expect("sections") {
        for row in section["rows"].as_array().expect("rows") {
            let value = match &row["value"] {
                Value::Number(n) => Data::Float(n.as_f64().expect("a number")),
                Value::String(s) => Data::String(s.clone()),
                Value::Null => Data::String("n/a".into()),
                other => panic!("a report value {other}"),
            };
            want.push((
                section["title"].as_str().expect("title").to_owned(),
                row["label"].as_str().expect("label").to_owned(),
                value,
            ));
        }
    }
    let got: Vec<(String, String, Data)> = rows
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].clone()))
        .collect();
    assert_eq!(got, want);
    assert!(
        got.iter().any(|(_, _, v)| matches!(v, Data::Float(_))),
        "no number cell: {got:?}"
    );
    // The same file again is refused rather than overwritten; CSV keeps its dialect.
    let err = home.fail(&args);
    assert!(err.contains("must not exist yet"), "{err}");
    let mut csv = vec!["report", "--format", "csv", "--dialect", "standard"];
    csv.extend(period);
    assert!(home.ok(&csv).starts_with("section,label,value"));
}

#[test]
fn long_standing_members_are_not_counted_as_joining_and_duplicates_stop_an_import() {
    let home = Home::init();
    home.set_today(TODAY);
    // Twelve members, no display-name column (filled by a template), half without a date of
    // joining.
    let mut text = String::from("Prénom;Nom;Né(e) le;Date d'adhésion\n");
    for i in 0..12 {
        let since = if i % 2 == 0 { "03/03/2019" } else { "" };
        text.push_str(&format!("Ọlá{i};Adébáyọ̀;0{}/01/1990;{since}\n", 1 + i % 9));
    }
    let file = home.root().join("douze.csv");
    std::fs::write(&file, &text).expect("write");
    let path = file.to_str().expect("path");
    let template = ["--display-name", "{Prénom} {Nom:initial}."];
    let mut args = vec!["import", "member", path];
    args.extend(template);
    let err = home.fail(&args);
    for line in [3, 5, 7, 9, 11, 13] {
        assert!(
            err.contains(&format!("line {line}: `member_since`")),
            "{err}"
        );
    }
    assert!(err.contains("--joined-before"), "{err}");
    args.extend(["--joined-before", "01/01/2018"]);
    let out = home.ok(&args);
    assert!(out.contains("imported 12 row(s)"), "{out}");
    let m = members(&home);
    assert!(m.contains_key("Ọlá3 A."), "{:?}", m.keys());
    // Each member-form signature is dated `member_since`, or `--joined-before` without one.
    let signed = taken_over(&home);
    for i in 0..12 {
        let day = if i % 2 == 0 {
            "2019-03-03"
        } else {
            "2018-01-01"
        };
        assert_eq!(
            signed[&format!("Ọlá{i} A.")],
            [format!("member form signed {day}")],
            "{signed:#?}"
        );
    }

    let report = home.json(&[
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-31",
        "--suppress-below",
        "1",
        "--json",
    ]);
    assert_eq!(
        carnet_tests::report_cell(&report, labels::MEMBERSHIP, labels::JOINS).clone(),
        Value::from(0),
        "{report:#}"
    );
    assert_xlsx_report(&home, &report);

    // The same file again: the file is named as imported before, with the day, and every row
    // is a member already recorded.
    let before = raw::dump(&home);
    let err = home.fail(&args);
    assert!(
        err.contains("this file was imported as member records before, on 2026-11-30"),
        "{err}"
    );
    assert_eq!(err.matches("already recorded").count(), 12, "{err}");
    assert!(!err.contains("Ọlá"), "{err}");
    // Two rows of one file for the same person.
    let twice = home.root().join("twice.csv");
    std::fs::write(
        &twice,
        "Pseudonyme;Date de naissance;Membre depuis\nZoé;01/01/1990;01/01/2020\nzoe ;1990-01-01;01/01/2021\n",
    )
    .expect("write");
    let err = home.fail(&[
        "import",
        "member",
        twice.to_str().expect("path"),
        "--delimiter",
        ";",
    ]);
    assert!(
        err.contains("line 3: same display name and date of birth as line 2"),
        "{err}"
    );
    assert!(
        raw::dump(&home) == before,
        "a refused import changed the store"
    );
    let out = home.ok(&[
        "import",
        "member",
        twice.to_str().expect("path"),
        "--allow-duplicates",
    ]);
    assert!(out.contains("imported 2 row(s)"), "{out}");
}
