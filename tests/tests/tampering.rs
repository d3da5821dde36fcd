//! Guards against tampering with what is stored: an altered, swapped, replayed, misfiled or
//! corrupted change or document state is reported by `carnet verify` (non-zero exit, the
//! problem named), is never shown as verified by `carnet history`, and makes no command crash.
//!
//! The tampering is done as an intruder or a fault would, without re-signing anything: stored
//! values are rewritten through the library (sealed properly), through redb (not sealed), or
//! in the file's bytes.

use carnet_replica::SignedChange;
use carnet_tests::raw::{self, doc, hex};
use carnet_tests::{Home, assert_failed_cleanly, describe};
use serde_json::Value;

/// A home with one member (a card of two changes, a personal file of one) and one project.
struct Fixture {
    home: Home,
    member: String,
    other: String,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::new_in(Home::init())
    }

    fn new_in(home: Home) -> Fixture {
        let member = home.add_member(&["--name", "Amaka", "--dob", "1991-06-01"]);
        home.ok(&["member", "set", &member, "--status", "prospect"]);
        let other = home.add_member(&["--name", "Bisi"]);
        Fixture {
            home,
            member,
            other,
        }
    }

    fn com(&self) -> String {
        doc("member", &self.member, "com")
    }
}

/// `carnet verify` (and `--json`) fail, naming each of `problems` as (document, change hash).
fn assert_verify_reports(home: &Home, problems: &[(&str, Option<&[u8; 32]>)]) -> Value {
    let args = ["verify"];
    let out = home.carnet(&args);
    assert_failed_cleanly(&args, &out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("problem(s) found"),
        "{}",
        describe(&args, &out)
    );
    for (document, change) in problems {
        let line = match change {
            Some(h) => format!("TAMPERED {document} change {}", &hex(*h)[..12]),
            None => format!("TAMPERED {document}"),
        };
        assert!(
            text.contains(&line),
            "no {line:?}\n{}",
            describe(&args, &out)
        );
    }

    let report = verify_json(home);
    let listed = report["problems"].as_array().expect("a list of problems");
    for (document, change) in problems {
        let change = change.map(|h| Value::String(hex(h)));
        assert!(
            listed.iter().any(|p| p["document"] == *document
                && change.as_ref().is_none_or(|c| p["change"] == *c)
                && p["problem"].as_str().is_some_and(|s| !s.is_empty())),
            "{document} {change:?} not reported:\n{report:#}"
        );
    }
    report
}

/// `carnet verify --json`, which must fail cleanly.
fn verify_json(home: &Home) -> Value {
    let args = ["verify", "--json"];
    let out = home.carnet(&args);
    assert_failed_cleanly(&args, &out);
    let report: Value = serde_json::from_slice(&out.stdout).expect("verify --json prints JSON");
    assert_eq!(report["ok"], false, "{report:#}");
    report
}

/// `carnet history record` marks exactly the changes `bad` as not verified; every other change
/// is verified (and applied, unless it is in `unapplied`: built on a change that is not).
fn assert_history_flags(home: &Home, record: &str, bad: &[[u8; 32]], unapplied: &[[u8; 32]]) {
    let history = home.json(&["history", record, "--json"]);
    let changes = history["changes"].as_array().expect("a list of changes");
    let bad: Vec<String> = bad.iter().map(|h| hex(h)).collect();
    let unapplied: Vec<String> = unapplied.iter().map(|h| hex(h)).collect();
    for hash in bad.iter().chain(&unapplied) {
        assert!(
            changes.iter().any(|c| c["change"] == hash.as_str()),
            "change {hash} missing from history:\n{history:#}"
        );
    }
    for entry in changes {
        let hash = entry["change"].as_str().expect("a hash").to_owned();
        if bad.contains(&hash) {
            assert_eq!(entry["verified"], false, "{entry:#}");
            assert_eq!(entry["applied"], false, "{entry:#}");
            assert!(
                entry["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{entry:#}"
            );
            assert!(
                entry.get("holder").is_none() && entry.get("device").is_none(),
                "an unverified change has no known author: {entry:#}"
            );
        } else {
            assert_eq!(entry["verified"], true, "{entry:#}");
            assert_eq!(entry["applied"], !unapplied.contains(&hash), "{entry:#}");
        }
    }

    let human = home.ok(&["history", record]);
    assert_eq!(human.matches("NOT VERIFIED").count(), bad.len(), "{human}");
    for hash in &bad {
        assert!(
            human.contains(&format!("NOT VERIFIED change {}", &hash[..12])),
            "{human}"
        );
    }
    assert_eq!(
        human.matches("NOT APPLIED").count(),
        unapplied.len(),
        "{human}"
    );
    assert_eq!(
        human.matches("[signature verified]").count(),
        changes.len() - bad.len() - unapplied.len(),
        "{human}"
    );
}

/// The hashes of `record`'s changes in `document`, oldest first.
fn hashes_oldest_first(home: &Home, record: &str, document: &str) -> Vec<[u8; 32]> {
    let history = home.json(&["history", record, "--json"]);
    let mut out: Vec<[u8; 32]> = history["changes"]
        .as_array()
        .expect("a list of changes")
        .iter()
        .filter(|c| c["document"] == document)
        .map(|c| {
            let hex = c["change"].as_str().expect("a hash");
            let mut hash = [0u8; 32];
            for (i, byte) in hash.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
            }
            hash
        })
        .collect();
    out.reverse();
    out
}

/// Every problem `verify --json` lists that names a change names `hash`, and one does.
fn assert_only_change_named(report: &Value, document: &str, hash: &[u8; 32], what: &str) {
    let problems = report["problems"].as_array().expect("a list of problems");
    let named: Vec<&Value> = problems.iter().filter(|p| !p["change"].is_null()).collect();
    assert!(
        !named.is_empty()
            && named
                .iter()
                .all(|p| p["document"] == document && p["change"] == hex(hash).as_str()),
        "{what}: {report:#}"
    );
}

fn assert_clean(home: &Home) {
    let out = home.ok(&["verify"]);
    assert!(
        out.contains("all signatures and documents check out"),
        "{out}"
    );
}

#[test]
fn a_clean_store_verifies() {
    let home = Home::init();
    let empty = home.json(&["verify", "--json"]);
    assert_eq!(empty["ok"], true, "{empty:#}");
    let count = |report: &Value, what: &str| report[what].as_u64().expect("a count");

    let fx = Fixture::new_in(home);
    fx.home
        .add_project(&["--title", "Radio", "--field", "targets=weekly show"]);
    fx.home
        .ok(&["member", "set", "bisi", "--field", "working_groups+=media"]);
    assert_clean(&fx.home);
    let report = fx.home.json(&["verify", "--json"]);
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(report["problems"], serde_json::json!([]));
    // Every document and change is checked: Amaka's card and file, Bisi's card, the project's
    // two documents, and the signature each member's joining recorded; (2 + 1) + 2 + 2 + 2
    // changes.
    assert_eq!(
        count(&report, "documents"),
        count(&empty, "documents") + 7,
        "{report:#}"
    );
    assert_eq!(
        count(&report, "changes"),
        count(&empty, "changes") + 9,
        "{report:#}"
    );
}

#[test]
fn a_change_altered_by_one_byte_is_reported_and_never_shown_as_verified() {
    let fx = Fixture::new();
    let home = &fx.home;
    let com = fx.com();
    // The card's first change, on which the second (the status) is built.
    let [first, second] = hashes_oldest_first(home, &fx.member, &com)[..] else {
        panic!("the card has two changes")
    };
    let original = raw::changes(home, &com)
        .into_iter()
        .find(|(h, _)| *h == first)
        .expect("the first change")
        .1;
    let len = original.change.len();
    let altered = |bytes: Vec<u8>| SignedChange {
        change: bytes,
        ..original.clone()
    };
    let flipped = |i: usize| {
        let mut bytes = original.change.clone();
        bytes[i] ^= 0x01;
        bytes
    };

    // One byte in the middle.
    raw::put_change(home, &com, &first, &altered(flipped(len / 2)));
    let report = assert_verify_reports(home, &[(&com, Some(&first))]);
    assert_only_change_named(&report, &com, &first, "byte in the middle");
    // The change built on it is signed, but not applied without it.
    assert_history_flags(home, &fx.member, &[first], &[second]);
    // A document with a change that fails verification is not extended...
    let err = home.fail(&["member", "set", &fx.member, "--status", "left"]);
    assert!(err.contains("fails verification"), "{err}");
    assert_history_flags(home, &fx.member, &[first], &[second]);
    // ...and other records are untouched by it.
    assert_history_flags(home, &fx.other, &[], &[]);

    // In the header's checksum (which Automerge does not check), at the very start and end,
    // and one byte added.
    let variants = [
        ("checksum byte flipped", flipped(5)),
        ("first byte flipped", flipped(0)),
        ("last byte flipped", flipped(len - 1)),
        (
            "a byte appended",
            [original.change.as_slice(), &[0]].concat(),
        ),
    ];
    for (what, bytes) in variants {
        raw::put_change(home, &com, &first, &altered(bytes));
        assert_only_change_named(&verify_json(home), &com, &first, what);
    }

    // Put back, the original verifies again: what was reported was the alteration.
    raw::put_change(home, &com, &first, &original);
    assert_clean(home);
    assert_history_flags(home, &fx.member, &[], &[]);
}

#[test]
fn swapped_signatures_are_reported_and_never_shown_as_verified() {
    let fx = Fixture::new();
    let home = &fx.home;
    let com = fx.com();
    let mut changes = raw::changes(home, &com);
    assert_eq!(changes.len(), 2);
    let signature = changes[0].1.signature.clone();
    changes[0].1.signature = changes[1].1.signature.clone();
    changes[1].1.signature = signature;
    for (hash, signed) in &changes {
        raw::put_change(home, &com, hash, signed);
    }
    let (a, b) = (changes[0].0, changes[1].0);
    let report = assert_verify_reports(home, &[(&com, Some(&a)), (&com, Some(&b))]);
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["problem"].as_str().unwrap().contains("signature")),
        "{report:#}"
    );
    assert_history_flags(home, &fx.member, &[a, b], &[]);
}

#[test]
fn a_change_replayed_into_another_record_is_reported() {
    let fx = Fixture::new();
    let home = &fx.home;
    // Amaka's personal file, signed by this very device, filed under Bisi's id.
    let per = doc("member", &fx.member, "per");
    let (hash, signed) = raw::changes(home, &per).remove(0);
    let target = doc("member", &fx.other, "per");
    raw::put_change(home, &target, &hash, &signed);
    let report = assert_verify_reports(home, &[(&target, Some(&hash))]);
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["document"] == target.as_str()),
        "only the replayed copy is wrong: {report:#}"
    );
    assert_history_flags(home, &fx.other, &[hash], &[]);
    assert_history_flags(home, &fx.member, &[], &[]);
}

#[test]
fn altered_registry_heads_are_reported() {
    let fx = Fixture::new();
    let home = &fx.home;
    let per = doc("member", &fx.member, "per");
    let (hash, mut signed) = raw::changes(home, &per).remove(0);
    signed.registry_heads = vec![[7; 32]];
    raw::put_change(home, &per, &hash, &signed);
    assert_verify_reports(home, &[(&per, Some(&hash))]);
    assert_history_flags(home, &fx.member, &[hash], &[]);
}

#[test]
fn a_change_filed_under_another_hash_is_reported() {
    let fx = Fixture::new();
    let home = &fx.home;
    let com = fx.com();
    let changes = raw::changes(home, &com);
    let ((a, first), (b, second)) = (changes[0].clone(), changes[1].clone());
    raw::put_change(home, &com, &a, &second);
    raw::put_change(home, &com, &b, &first);
    let report = assert_verify_reports(home, &[(&com, Some(&a)), (&com, Some(&b))]);
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["problem"].as_str().unwrap().contains("hash")),
        "{report:#}"
    );
    assert_history_flags(home, &fx.member, &[a, b], &[]);
}

#[test]
fn garbage_in_place_of_a_change_is_reported() {
    let fx = Fixture::new();
    let home = &fx.home;
    let com = fx.com();
    let hash = hashes_oldest_first(home, &fx.member, &com)[1];
    for garbage in [&b""[..], b"\x02not an envelope", &[0x01; 200]] {
        raw::put_change_bytes(home, &com, &hash, garbage);
        assert_only_change_named(&verify_json(home), &com, &hash, "garbage");
    }
    assert_history_flags(home, &fx.member, &[hash], &[]);
}

#[test]
fn a_tampered_projection_is_reported() {
    let fx = Fixture::new();
    let home = &fx.home;
    let com = fx.com();
    let original = raw::doc_state(home, &com);
    assert_eq!(
        original.fields["display_name"].value,
        carnet_model::Value::Text("Amaka".into())
    );

    // The fields lists and lookups read, changed without a change.
    let mut state = original.clone();
    state.fields.get_mut("display_name").unwrap().value =
        carnet_model::Value::Text("Someone Else".into());
    raw::put_doc_state(home, &com, &state);
    let report = assert_verify_reports(home, &[(&com, None)]);
    assert!(
        report["problems"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("fields"),
        "{report:#}"
    );

    // Its heads.
    let mut state = original.clone();
    state.heads = vec![[9; 32]];
    raw::put_doc_state(home, &com, &state);
    let report = assert_verify_reports(home, &[(&com, None)]);
    assert!(
        report["problems"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("heads"),
        "{report:#}"
    );

    raw::put_doc_state(home, &com, &original);
    assert_clean(home);
}

#[test]
fn a_corrupted_or_moved_sealed_value_is_reported_not_a_crash() {
    let fx = Fixture::new();
    let home = &fx.home;
    let path = home.store_path();
    let per = doc("member", &fx.member, "per");
    let (hash, _) = raw::changes(home, &per).remove(0);

    // One byte of a sealed change's ciphertext, under the encryption.
    let sealed = raw::sealed_change(&path, &per, &hash);
    let mut flipped = sealed.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x80;
    raw::put_sealed_change(&path, &per, &hash, &flipped);
    let report = assert_verify_reports(home, &[(&per, Some(&hash))]);
    assert!(report.to_string().contains("authentication"), "{report:#}");
    assert_history_flags(home, &fx.member, &[hash], &[]);
    raw::put_sealed_change(&path, &per, &hash, &sealed);
    assert_clean(home);

    // One member's sealed personal file moved under another member's id.
    let other_per = doc("member", &fx.other, "per");
    raw::put_sealed_doc(&path, &other_per, &raw::sealed_doc(&path, &per));
    assert_verify_reports(home, &[(&other_per, None)]);
    for args in [
        &["member", "show", fx.other.as_str()][..],
        &["member", "set", &fx.other, "--phone", "1"],
    ] {
        let err = home.fail(args);
        assert!(err.contains("carnet verify"), "{args:?}: {err}");
    }
    // The list shows shared columns only and never opens a personal file: it still lists
    // both members (the damage is for `verify`, `show` and `set` to report).
    let list = home.ok(&["member", "list"]);
    assert!(list.contains("2 member(s)"), "{list}");
    // The record whose file was copied is still readable.
    assert_eq!(
        home.fields("member", &fx.member)["date_of_birth"],
        "1991-06-01"
    );
}

#[test]
fn a_byte_flipped_in_the_raw_file_is_reported_not_a_crash() {
    let fx = Fixture::new();
    let home = &fx.home;
    let path = home.store_path();
    let per = doc("member", &fx.member, "per");
    let (hash, _) = raw::changes(home, &per).remove(0);
    let sealed = raw::sealed_change(&path, &per, &hash);

    // Flip one byte of the sealed value wherever its bytes lie in the file (copy-on-write may
    // have left older copies too), without going through redb.
    let mut file = home.store_bytes();
    let starts: Vec<usize> = file
        .windows(sealed.len())
        .enumerate()
        .filter(|(_, w)| *w == sealed.as_slice())
        .map(|(i, _)| i)
        .collect();
    assert!(!starts.is_empty(), "the sealed value is stored as is");
    for start in starts {
        file[start + sealed.len() / 2] ^= 0x01;
    }
    std::fs::write(home.store_path(), &file).unwrap();

    // redb does not checksum pages on reads: the seal is what catches the flip.
    assert_verify_reports(home, &[(&per, Some(&hash))]);
    assert_history_flags(home, &fx.member, &[hash], &[]);
}

#[test]
fn a_tampered_registry_is_reported_and_allows_no_write() {
    let fx = Fixture::new();
    let home = &fx.home;
    let (hash, mut signed) = raw::changes(home, "registry").remove(0);
    let middle = signed.change.len() / 2;
    signed.change[middle] ^= 0x01;
    raw::put_change(home, "registry", &hash, &signed);
    let report = assert_verify_reports(home, &[("registry", Some(&hash))]);
    assert_only_change_named(&report, "registry", &hash, "the registry's change");
    // A registry change that no longer verifies is one the store's sealed record names and
    // its registry lacks: the device stops (issue 15), so it writes nothing...
    for args in [
        &["member", "add", "--name", "New"][..],
        &["member", "set", &fx.member, "--status", "left"],
        &["project", "add", "--title", "New"],
    ] {
        let err = home.fail(args);
        assert!(
            err.contains("rolled back or tampered with"),
            "{args:?}: {err}"
        );
    }
    // ...and reading does not crash.
    for args in [
        &["member", "list"][..],
        &["member", "show", &fx.member],
        &["history", &fx.member],
    ] {
        let out = home.carnet(args);
        if !out.status.success() {
            assert_failed_cleanly(args, &out);
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stdout.contains("[signature verified]"),
            "{}",
            describe(args, &out)
        );
    }
    assert_verify_reports(home, &[("registry", Some(&hash))]);
}
