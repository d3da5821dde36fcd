//! Guards `carnet history`: every change of a record, newest first, naming the device and its
//! holder, the fields it touched and that its signature verified; and that writing values a
//! record already has adds no change.

use carnet_tests::{HOLDER, Home};
use serde_json::Value;

fn fields_of(change: &Value) -> Vec<&str> {
    change["fields"]
        .as_array()
        .expect("a list of fields")
        .iter()
        .map(|f| f.as_str().expect("a field name"))
        .collect()
}

#[test]
fn history_names_device_holder_and_fields_newest_first() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Ifeoma", "--dob", "1988-02-03", "--phone", "0612"]);
    home.ok(&["member", "set", "Ifeoma", "--status", "prospect"]);
    home.ok(&["member", "set", "Ifeoma", "--field", "phone=0699"]);
    home.ok(&[
        "member",
        "set",
        "Ifeoma",
        "--field",
        "working_groups+=media",
    ]);
    home.ok(&["member", "set", "Ifeoma", "--field", "phone="]);

    let history = home.json(&["history", "ifeoma", "--json"]);
    assert_eq!(history["record"], id);
    assert_eq!(history["kind"], "member");
    let changes = history["changes"].as_array().expect("a list of changes");
    assert_eq!(
        changes.len(),
        6,
        "2 documents created, 4 edits:\n{history:#}"
    );
    for change in changes {
        assert_eq!(change["verified"], true, "{change:#}");
        assert_eq!(change["device"], home.device_id(), "{change:#}");
        assert_eq!(change["holder"], HOLDER, "{change:#}");
        assert_eq!(change["roles"], "direction", "{change:#}");
        let hash = change["change"].as_str().expect("a change hash");
        assert_eq!(hash.len(), 64, "{change:#}");
    }
    let times: Vec<i64> = changes
        .iter()
        .map(|c| c["time_ms"].as_i64().expect("a time"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {times:?}"
    );
    // Separate commands are at least one key derivation apart, so their times differ.
    assert!(times[3] > times[4], "edits after the creation: {times:?}");

    let touched: Vec<(Vec<&str>, &str)> = changes
        .iter()
        .map(|c| (fields_of(c), c["class"].as_str().expect("a class")))
        .collect();
    assert_eq!(
        touched[0],
        (vec!["phone"], "PER"),
        "clearing a field is a change"
    );
    assert_eq!(touched[1], (vec!["working_groups"], "COM"));
    assert_eq!(touched[2], (vec!["phone"], "PER"));
    assert_eq!(touched[3], (vec!["status"], "COM"));
    let mut created = vec![touched[4].clone(), touched[5].clone()];
    created.sort_by_key(|(_, class)| *class);
    assert_eq!(
        created,
        [
            (vec!["display_name", "member_since", "status"], "COM"),
            (vec!["date_of_birth", "phone"], "PER"),
        ]
    );
    assert_eq!(changes[0]["document"], format!("member/{id}/per"));
    assert_eq!(changes[1]["document"], format!("member/{id}/com"));

    // The same, for people: one line per change, in the same order.
    let human = home.ok(&["history", &id[..8]]);
    let mut lines = human.lines();
    assert_eq!(
        lines.next(),
        Some(format!("history of member {id} (newest first)").as_str())
    );
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines.len(), 6, "{human}");
    let short = &home.device_id()[..8];
    for (line, (fields, class)) in lines.iter().zip(&touched) {
        assert!(
            line.contains(&format!("device {short} ({HOLDER}, direction)")),
            "{line}"
        );
        assert!(
            line.contains(&format!("{class}: {}", fields.join(", "))),
            "{line}"
        );
        assert!(line.ends_with("[signature verified]"), "{line}");
        assert!(!line.contains("NOT VERIFIED"), "{line}");
    }
}

#[test]
fn history_of_a_project_follows_its_title() {
    let home = Home::init();
    let id = home.add_project(&["--title", "Cuisine Solidaire", "--start", "2025-09-01"]);
    home.ok(&[
        "project",
        "set",
        "cuisine solidaire",
        "--field",
        "progress=first meals served",
    ]);
    let history = home.json(&["history", "CUISINE SOLIDAIRE", "--json"]);
    assert_eq!(history["record"], id);
    assert_eq!(history["kind"], "project");
    let changes = history["changes"].as_array().expect("a list of changes");
    assert_eq!(changes.len(), 2, "{history:#}");
    assert_eq!(changes[0]["class"], "COM");
    assert_eq!(fields_of(&changes[0]), ["progress"]);
    assert_eq!(changes[1]["class"], "PUB");
    assert_eq!(fields_of(&changes[1]), ["period_start", "title"]);
    assert!(
        changes
            .iter()
            .all(|c| c["verified"] == true && c["holder"] == HOLDER)
    );
}

#[test]
fn setting_values_a_record_already_has_adds_no_change() {
    let home = Home::init();
    let id = home.add_member(&["--name", "Sade", "--group", "media", "--phone", "07"]);
    let before = home.json(&["history", &id, "--json"]);
    let out = home.ok(&[
        "member",
        "set",
        "sade",
        "--status",
        "member",
        "--field",
        "working_groups+=media",
        "--phone",
        "07",
    ]);
    assert!(out.contains("nothing written"), "{out}");
    assert_eq!(home.json(&["history", &id, "--json"]), before);
}
