//! Undoing mistakes with the real `carnet` binary (issue 13): a record entered by mistake is
//! deleted by a direction device — a signed tombstone in the registry — and leaves every list,
//! lookup, report and `carnet todo` on every device after a sync, while its history stays and
//! names who deleted it. Other devices cannot delete.

use carnet_tests::{Home, STAFF, describe, enrol};

#[test]
fn a_record_deleted_by_direction_leaves_every_device_and_its_history_stays() {
    let d = Home::init();
    let mut s = Home::new();
    enrol(&d, &mut s, &STAFF);
    let kept = d.add_member(&["--name", "Amaka"]);
    let mistake = d.add_member(&["--name", "Amaka Doublon"]);
    let project = d.added(
        "project",
        &["--title", "Projet en trop", "--start", "2024-01-01"],
    );
    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    s.ok(&sync);
    assert!(s.ok(&["member", "list"]).contains("Doublon"));

    // Staff may not delete; without --yes and without a terminal, nothing is deleted either.
    let err = s.fail(&["member", "delete", &mistake, "--yes"]);
    assert!(err.contains("direction"), "{err}");
    let err = d.fail(&["member", "delete", &mistake]);
    assert!(err.contains("--yes"), "{err}");
    assert!(d.ok(&["member", "list"]).contains("Doublon"));

    let out = d.ok(&["member", "delete", "Amaka Doublon", "--yes"]);
    assert!(out.contains(&format!("deleted member {mistake}")), "{out}");
    d.ok(&["project", "delete", &project, "--yes"]);
    s.ok(&sync);
    let _ = serve.interrupt();

    for home in [&d, &s] {
        let list = home.ok(&["member", "list"]);
        assert!(
            !list.contains("Doublon") && list.contains("Amaka"),
            "{list}"
        );
        assert!(!home.ok(&["project", "list"]).contains("Projet en trop"));
        // Not found by its name any more…
        let err = home.fail(&["member", "show", "Amaka Doublon"]);
        assert!(!err.is_empty());
        // …but its history, asked for by id, stays and says who deleted it.
        let history = home.json(&["history", &mistake, "--json"]);
        assert!(
            history["deleted"]["by"]
                .as_str()
                .is_some_and(|by| by.contains(&d.device_id()[..8])),
            "{history}"
        );
        assert!(!history["changes"].as_array().unwrap().is_empty());
        let report = home.ok(&["report", "--suppress-below", "1"]);
        assert!(!report.contains("Projet en trop"), "{report}");
    }
    assert!(d.ok(&["member", "show", &kept]).contains("Amaka"));
    let args = ["verify"];
    let out = s.carnet(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
}

/// A deleted record leaves `carnet todo` too: an active member two months without news is a
/// reminder (A9) until she is deleted.
#[test]
fn a_deleted_record_leaves_todo() {
    let d = Home::init();
    d.set_today("2026-01-10");
    let name = "Doublon Actif";
    let id = d.add_active_member(&["--name", name, "--field", "last_contact=2026-01-10"]);
    d.set_today("2026-03-10");
    let records = |home: &Home| -> Vec<(String, String)> {
        home.json(&["todo", "--json"])["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                let field = |f: &str| i[f].as_str().unwrap_or_default().to_owned();
                (field("rule"), field("record"))
            })
            .collect()
    };
    assert!(
        records(&d).contains(&("A9".to_owned(), id.clone())),
        "{:?}",
        records(&d)
    );
    assert!(d.ok(&["todo"]).contains(name));
    d.ok(&["member", "delete", &id, "--yes"]);
    assert!(
        !records(&d).iter().any(|(_, record)| *record == id),
        "{:?}",
        records(&d)
    );
    let text = d.ok(&["todo"]);
    assert!(!text.contains(name), "{text}");
}

#[test]
fn a_person_entered_twice_is_merged_and_every_device_follows() {
    let d = Home::init();
    let mut s = Home::new();
    enrol(&d, &mut s, &STAFF);
    let keep = d.add_member(&["--name", "Chiamaka", "--city", "Lyon"]);
    let dup = d.add_member(&["--name", "Chiamaka O.", "--phone", "0655443322"]);
    let other = d.add_member(&["--name", "Bisi"]);
    let activity = d.added(
        "activity",
        &[
            "-f",
            "title=Atelier",
            "-f",
            "type=workshop",
            "-f",
            "date=2026-03-04",
            "-f",
            &format!("present={dup},{other}"),
        ],
    );
    let check_in = d.add_welfare(&dup);
    // A deleted check-in is still held: it follows her too, so that erasing or exporting the
    // kept person reaches it.
    let deleted = d.add_welfare(&dup);
    d.ok(&["welfare", "delete", &deleted, "--yes"]);
    let (mut serve, addr) = d.serve(&["--no-mdns", "--bind", "127.0.0.1:0"]);
    let sync = ["sync", "--peer", addr.as_str(), "--bind", "127.0.0.1:0"];
    s.ok(&sync);

    // Staff may not merge; the same record twice is refused.
    let err = s.fail(&["member", "merge", &keep, &dup, "--yes"]);
    assert!(err.contains("direction"), "{err}");
    let err = d.fail(&["member", "merge", &keep, &keep, "--yes"]);
    assert!(err.contains("herself"), "{err}");
    let out = d.ok(&["member", "merge", "Chiamaka", "Chiamaka O.", "--yes"]);
    // The activity, the check-ins (one deleted) and the member-form signature her membership
    // rested on.
    assert!(out.contains("4 record(s) now name"), "{out}");
    s.ok(&sync);
    let _ = serve.interrupt();

    for home in [&d, &s] {
        let list = home.ok(&["member", "list"]);
        assert!(!list.contains("Chiamaka O."), "{list}");
        let kept = home.fields("member", &keep);
        assert_eq!(kept["city"], "Lyon");
        assert_eq!(kept["phone"], "0655443322", "empty fields filled: {kept}");
        let present = home.fields("activity", &activity)["present"].clone();
        let present: Vec<&str> = present
            .as_array()
            .expect("a set")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            present.contains(&keep.as_str())
                && present.contains(&other.as_str())
                && !present.contains(&dup.as_str()),
            "{present:?}"
        );
        assert_eq!(home.fields("welfare", &check_in)["person"], keep.as_str());
        assert_eq!(home.fields("welfare", &deleted)["person"], keep.as_str());
    }
}
