//! Guards that members and projects are created, edited, listed, shown and named as people type
//! them, and that all of it survives closing and reopening the store: every `carnet` run is its
//! own process, so each command below reopens and unlocks the store.

use carnet_tests::Home;
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a JSON list")
        .iter()
        .map(|r| r["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn a_member_survives_reopening_through_a_series_of_edits() {
    let home = Home::init();
    let id = home.add_active_member(&[
        "--name",
        "Joy Okafor",
        "--since",
        "2024-03-01",
        "--group",
        "media",
        "--french",
        "yes",
        "--first-name",
        "Joy",
        "--last-name",
        "Okafor",
        "--dob",
        "1990-05-17",
        "--phone",
        "+33 6 12 34 56 78",
        "--city",
        "Lyon",
        "--field",
        "nationality=Nigerian",
        "--field",
        "case_notes=first line\nsecond line",
    ]);
    let mut want = json!({
        "display_name": "Joy Okafor",
        "status": "active",
        "member_since": "2024-03-01",
        "working_groups": ["media"],
        "speaks_french": true,
        "first_name": "Joy",
        "last_name": "Okafor",
        "date_of_birth": "1990-05-17",
        "phone": "+33 6 12 34 56 78",
        "city": "Lyon",
        "nationality": "Nigerian",
        "case_notes": "first line\nsecond line",
    });
    assert_eq!(home.fields("member", &id), want);

    // `+=` adds labels, by full id.
    home.ok(&[
        "member",
        "set",
        &id,
        "--field",
        "working_groups+=advocacy",
        "--field",
        "working-groups+=roots",
    ]);
    want["working_groups"] = json!(["advocacy", "media", "roots"]);
    assert_eq!(home.fields("member", &id), want);

    // `-=` removes one, `name=` clears a field, by display name in another case.
    home.ok(&[
        "member",
        "set",
        "joy okafor",
        "--field",
        "working_groups-=media",
        "--field",
        "phone=",
        "--status",
        "left",
    ]);
    want["working_groups"] = json!(["advocacy", "roots"]);
    want["status"] = json!("left");
    // Leaving records the day (rule M5: rejoining needs a signature after it).
    want["left_on"] = json!(home.today());
    want.as_object_mut().unwrap().remove("phone");
    assert_eq!(home.fields("member", &id), want);

    // Removing the last labels removes the field; `--group` replaces the whole list; by prefix.
    home.ok(&[
        "member",
        "set",
        &id[..8],
        "--field",
        "working_groups-=advocacy,roots",
        "--french",
        "no",
    ]);
    want.as_object_mut().unwrap().remove("working_groups");
    want["speaks_french"] = json!(false);
    assert_eq!(home.fields("member", &id), want);
    home.ok(&[
        "member",
        "set",
        id.as_str(),
        "--group",
        "roots",
        "--group",
        "media",
        "--name",
        "Joy O.",
    ]);
    want["working_groups"] = json!(["media", "roots"]);
    want["display_name"] = json!("Joy O.");
    home.ok(&["member", "set", &id, "--group", "media"]);
    want["working_groups"] = json!(["media"]);

    // After all that, every way of reading agrees.
    let shown = home.json(&["member", "show", "JOY O.", "--json"]);
    assert_eq!(shown["id"], id);
    assert_eq!(shown["kind"], "member");
    assert_eq!(shown["fields"], want);
    assert_eq!(shown["conflicts"], json!({}));
    let list = home.json(&["member", "list", "--json"]);
    assert_eq!(ids(&list), [id.as_str()]);
    // Lists carry the shared fields only, never the personal file.
    let mut shared = want.clone();
    if let Some(map) = shared.as_object_mut() {
        map.retain(|name, _| {
            carnet_model::RecordKind::Member
                .field(name)
                .is_some_and(|f| !f.class.is_personal())
        });
    }
    assert_eq!(list[0]["fields"], shared);

    let human = home.ok(&["member", "show", &id]);
    for (field, value) in [
        ("display_name", "Joy O."),
        ("working_groups", "media"),
        ("speaks_french", "no"),
        ("date_of_birth", "1990-05-17"),
        ("case_notes", "first line\nsecond line"),
    ] {
        let line = format!("  {field:<24} {value}\n");
        assert!(human.contains(&line), "missing {line:?} in:\n{human}");
    }
    assert!(
        !human.contains("phone"),
        "a cleared field is shown:\n{human}"
    );
}

#[test]
fn member_list_filters_by_status_and_group() {
    let home = Home::init();
    let ada = home.add_active_member(&["--name", "Ada", "--group", "media,advocacy"]);
    let bola = home.add_member(&["--name", "Bola", "--group", "Media"]);
    let chioma = home.add_member(&["--name", "Chioma", "--status", "left", "--group", "roots"]);
    let dayo = home.add_member(&["--name", "Dayo", "--status", "prospect"]);

    let all = home.json(&["member", "list", "--json"]);
    assert_eq!(
        ids(&all),
        [ada.as_str(), bola.as_str(), chioma.as_str(), dayo.as_str()],
        "ordered by name"
    );
    // A new member is a member unless told otherwise, and a member since a date; a prospect
    // is not yet one.
    assert_eq!(all[1]["fields"]["status"], "member");
    assert!(all[1]["fields"]["member_since"].is_string());
    assert!(all[3]["fields"].get("member_since").is_none());

    let filtered = |args: &[&str]| {
        let mut all = vec!["member", "list", "--json"];
        all.extend_from_slice(args);
        ids(&home.json(&all))
    };
    assert_eq!(filtered(&["--status", "active"]), [ada.as_str()]);
    assert_eq!(filtered(&["--status", "LEFT"]), [chioma.as_str()]);
    assert_eq!(filtered(&["--status", "member"]), [bola.as_str()]);
    assert_eq!(
        filtered(&["--group", "media"]),
        [ada.as_str(), bola.as_str()]
    );
    assert_eq!(
        filtered(&["--group", "MEDIA", "--status", "active"]),
        [ada.as_str()]
    );
    assert_eq!(filtered(&["--group", "nobody"]), Vec::<String>::new());

    let table = home.ok(&["member", "list"]);
    assert!(table.starts_with("ID"), "{table}");
    for name in ["Ada", "Bola", "Chioma", "Dayo", "4 member(s)"] {
        assert!(table.contains(name), "missing {name} in:\n{table}");
    }
    let roots = home.ok(&["member", "list", "--group", "roots"]);
    assert!(
        roots.contains("Chioma") && roots.contains("1 member(s)"),
        "{roots}"
    );
    assert!(!roots.contains("Ada"), "{roots}");
    assert!(!roots.contains("Bola"), "{roots}");
    assert_eq!(
        home.ok(&["member", "list", "--status", "expelled"]),
        "no members\n"
    );
}

#[test]
fn a_project_survives_reopening_through_a_series_of_edits() {
    let home = Home::init();
    let id = home.add_project(&[
        "--title",
        "Maison Sûre",
        "--start",
        "2025-01-01",
        "--end",
        "2026-12-31",
        "--aims",
        "Rehouse families leaving exploitation",
        "--partner",
        "Amicale du Nid",
        "--partner",
        "Secours Catholique",
        "--funder",
        "Fondation de France",
        "--field",
        "targets=10 families rehoused over 2 years",
    ]);
    let mut want = json!({
        "title": "Maison Sûre",
        "period_start": "2025-01-01",
        "period_end": "2026-12-31",
        "aims": "Rehouse families leaving exploitation",
        "partners": ["Amicale du Nid", "Secours Catholique"],
        "funders": ["Fondation de France"],
        "targets": "10 families rehoused over 2 years",
    });
    assert_eq!(home.fields("project", &id), want);

    home.ok(&[
        "project",
        "set",
        "maison sûre",
        "--field",
        "funders+=Région",
        "--field",
        "progress=3 families rehoused",
        "--end",
        "2027-06-30",
    ]);
    want["funders"] = json!(["Fondation de France", "Région"]);
    want["progress"] = json!("3 families rehoused");
    want["period_end"] = json!("2027-06-30");
    assert_eq!(home.fields("project", &id), want);

    home.ok(&[
        "project",
        "set",
        &id[..6],
        "--field",
        "aims=",
        "--field",
        "partners-=Amicale du Nid",
    ]);
    want.as_object_mut().unwrap().remove("aims");
    want["partners"] = json!(["Secours Catholique"]);

    let list = home.json(&["project", "list", "--json"]);
    assert_eq!(ids(&list), [id.as_str()]);
    assert_eq!(list[0]["kind"], "project");
    assert_eq!(list[0]["fields"], want);
    assert_eq!(home.fields("project", "MAISON SÛRE"), want);
    let table = home.ok(&["project", "list"]);
    for cell in [
        "Maison Sûre",
        "2025-01-01 – 2027-06-30",
        "Fondation de France, Région",
        "1 project(s)",
    ] {
        assert!(table.contains(cell), "missing {cell:?} in:\n{table}");
    }
}

#[test]
fn records_are_named_by_id_id_prefix_or_name_in_any_case() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Ngozi Chukwuemeka"]);
    let project = home.add_project(&["--title", "Atelier Couture"]);
    let upper = id.to_uppercase();
    for query in [
        id.as_str(),
        upper.as_str(),
        &id[..4],
        &id[..8],
        &upper[..8],
        "ngozi chukwuemeka",
        "NGOZI CHUKWUEMEKA",
        "  Ngozi Chukwuemeka ",
    ] {
        let shown = home.json(&["member", "show", query, "--json"]);
        assert_eq!(shown["id"], id, "member show {query:?}");
    }
    assert_eq!(
        home.json(&["project", "show", "atelier couture", "--json"])["id"],
        project
    );
    assert_eq!(
        home.json(&["history", &project[..5], "--json"])["kind"],
        "project"
    );

    // Fewer than 4 characters of an id name nothing; a project is not a member; a part of a
    // name is not a name.
    for query in [&id[..3], project.as_str(), "Ngozi"] {
        let err = home.fail(&["member", "show", query]);
        assert!(
            err.contains("no member matches"),
            "member show {query:?}: {err}"
        );
    }
}

#[test]
fn an_ambiguous_name_lists_the_matches_exits_non_zero_and_changes_nothing() {
    let home = Home::init();
    let first = home.add_member(&["--name", "Joy"]);
    let second = home.add_member(&["--name", "JOY", "--status", "prospect"]);

    for args in [
        &["member", "show", "joy"][..],
        &["member", "set", "Joy", "--status", "active"],
        &["history", "joy"],
    ] {
        let err = home.fail(args);
        assert!(
            err.contains(&first) && err.contains(&second),
            "{args:?} must list both matches: {err}"
        );
        assert!(err.contains("match"), "{args:?}: {err}");
    }
    assert_eq!(home.fields("member", &first)["status"], "member");
    assert_eq!(home.fields("member", &second)["status"], "prospect");

    // A name that is also the start of another record's id matches both.
    let prefix = &first[..6];
    let third = home.add_member(&["--name", prefix]);
    let err = home.fail(&["member", "show", prefix]);
    assert!(err.contains(&first) && err.contains(&third), "{err}");

    // A member and a project of the same name: each kind alone is clear, `history` is not.
    let member = home.add_member(&["--name", "Kente"]);
    let project = home.add_project(&["--title", "KENTE"]);
    assert_eq!(
        home.json(&["member", "show", "kente", "--json"])["id"],
        member
    );
    assert_eq!(
        home.json(&["project", "show", "kente", "--json"])["id"],
        project
    );
    let err = home.fail(&["history", "kente"]);
    assert!(err.contains(&project) && err.contains(&member), "{err}");
}

#[test]
fn accents_and_other_scripts_survive() {
    let home = Home::init();
    let name = "Adébáyọ̀ Ọlátúnjí";
    let notes = "Parle yorùbá et français.\nلا تتصل بعد الساعة 8 — 欢迎 👋";
    let id = home.add_member(&[
        "--name",
        name,
        "--first-name",
        "Adébáyọ̀",
        "--last-name",
        "Ọlátúnjí",
        "--city",
        "Ìbàdàn",
        "--group",
        "éducation",
        "--field",
        &format!("case_notes={notes}"),
    ]);
    let other = home.add_member(&["--name", "Ngozi Chukwuemeka"]);
    let project = home.add_project(&["--title", "欢迎", "--aims", "Accueil — مرحبا"]);

    let fields = home.fields("member", "ADÉBÁYỌ̀ ỌLÁTÚNJÍ");
    assert_eq!(fields["display_name"], name);
    assert_eq!(fields["first_name"], "Adébáyọ̀");
    assert_eq!(fields["last_name"], "Ọlátúnjí");
    assert_eq!(fields["city"], "Ìbàdàn");
    assert_eq!(fields["working_groups"], json!(["éducation"]));
    assert_eq!(fields["case_notes"], notes);
    assert_eq!(
        home.fields("member", "ngozi chukwuemeka")["display_name"],
        "Ngozi Chukwuemeka"
    );
    let p = home.fields("project", "欢迎");
    assert_eq!(p["title"], "欢迎");
    assert_eq!(p["aims"], "Accueil — مرحبا");

    let shown = home.ok(&["member", "show", &id]);
    assert!(shown.contains(name) && shown.contains(notes), "{shown}");
    let table = home.ok(&["member", "list"]);
    assert!(
        table.contains(name) && table.contains("éducation"),
        "{table}"
    );
    let list = home.json(&["member", "list", "--json"]);
    assert_eq!(
        ids(&list),
        [id.as_str(), other.as_str()],
        "ordered by name, case-insensitively"
    );
    assert!(home.ok(&["project", "list"]).contains("欢迎"));
    assert_eq!(home.json(&["history", "欢迎", "--json"])["record"], project);
}

// Bug: `Doc::edit_record` (crates/replica/src/document.rs) lists a set's labels from the keys
// the document had before the command, so a `-=`, `=` or clear of a list does not see labels
// added earlier in the same command; `FieldEdit::apply_to`, which the record is validated with,
// applies the edits in order. What is stored then differs from what was checked and shown.
#[test]

fn edits_of_one_list_in_one_command_apply_in_order() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Halima", "--group", "media"]);
    home.ok(&[
        "member",
        "set",
        &id,
        "--field",
        "working_groups+=roots",
        "--field",
        "working_groups-=roots",
    ]);
    assert_eq!(
        home.fields("member", &id)["working_groups"],
        json!(["media"])
    );
    home.ok(&[
        "member",
        "set",
        &id,
        "--group",
        "advocacy",
        "--field",
        "working_groups=",
    ]);
    assert!(
        home.fields("member", &id).get("working_groups").is_none(),
        "the list was cleared last"
    );
}

// Bug: `member list --group` compares with `eq_ignore_ascii_case` (crates/cli/src/main.rs),
// so "ÉDUCATION" does not find "éducation" though "MEDIA" finds "media" and names are matched
// in any case, accents included.
#[test]

fn the_group_filter_ignores_case_of_accented_letters_too() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Émilie", "--group", "éducation"]);
    let found = home.json(&["member", "list", "--group", "ÉDUCATION", "--json"]);
    assert_eq!(ids(&found), [id.as_str()]);
}

// Bug: names are compared code point by code point (`Device::resolve`), so "Émilie" typed
// decomposed (E + combining acute, as some keyboards and macOS produce) does not find the
// "Émilie" stored composed, and a second, identical-looking "Émilie" can be added without the
// lookup ever calling the two ambiguous.
#[test]

fn names_match_whatever_their_unicode_normalisation() {
    let home = Home::init();
    let id = home.add_member(&["--name", "\u{c9}milie"]);
    let decomposed = "E\u{301}milie";
    assert_eq!(
        home.json(&["member", "show", decomposed, "--json"])["id"],
        id
    );
}
