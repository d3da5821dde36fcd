//! The M6 expulsion marker on real devices (issue 13, `domain.md` §4 guarantee 11): erasing an
//! expelled person keeps a keyed hash of her identity in the registry; the key reaches staff
//! and direction devices only (never a board device); a device holding it refuses to admit
//! her again under a new record, however her names are typed, and admits anyone else. Also:
//! an erasure reaches the records about her that were deleted.
#![allow(clippy::unwrap_used)]

use carnet_device::{RecordWrite, WriteError};
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{DocId, RecordId};
use carnet_testkit::{T0, TestDevice, key, run};
use proptest::prelude::*;

/// Who is expelled then erased.
const FIRST: &str = "Ngozi Adaeze";
const LAST: &str = "Okafor";
const BORN: &str = "1990-04-02";

/// The rules (by number) a device's checks find blocking when `typed` creates a member.
fn blocked_by(dev: &TestDevice, typed: &[String]) -> Vec<&'static str> {
    let edits = typed
        .iter()
        .map(|t| RecordKind::Member.parse_edit(t).unwrap())
        .collect();
    let write = RecordWrite {
        kind: RecordKind::Member,
        id: RecordId::random(),
        edits,
        create: true,
    };
    let now = carnet_testkit::at(T0 + 1_000_000);
    match dev.check_writes(&[write], now) {
        Ok(_) => Vec::new(),
        Err(WriteError::Rules { findings }) => findings.iter().map(|f| f.rule.name()).collect(),
        Err(e) => panic!("{e}"),
    }
}

/// A prospect (no signature needed, so only M6 can block) with these names and birth date.
fn prospect(display: &str, first: &str, last: &str, born: &str) -> Vec<String> {
    let mut typed = vec![
        format!("display_name={display}"),
        "status=prospect".to_owned(),
    ];
    for (field, v) in [
        ("first_name", first),
        ("last_name", last),
        ("date_of_birth", born),
    ] {
        if !v.is_empty() {
            typed.push(format!("{field}={v}"));
        }
    }
    typed
}

/// An expelled person (left on `left_on`) with her legal names and date of birth, written by
/// `dir`; returns her id.
fn expelled(dir: &mut TestDevice, left_on: &str) -> RecordId {
    let her = RecordId::random();
    dir.write(
        RecordKind::Member,
        her,
        &[
            "display_name=Ada",
            "status=expelled",
            &format!("left_on={left_on}"),
            &format!("first_name={FIRST}"),
            &format!("last_name={LAST}"),
            &format!("date_of_birth={BORN}"),
        ],
    );
    her
}

/// Direction, a staff device with an agreement and a board device, in sync; direction has
/// expelled a person, recorded a welfare check-in about her and deleted it, then erased her.
/// Returns the devices, her id and the check-in's.
fn expelled_and_erased() -> (TestDevice, TestDevice, TestDevice, RecordId, RecordId) {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let mut staff = TestDevice::joining(key([2; 32]), dir.org(), T0);
    let mut board = TestDevice::joining(key([3; 32]), dir.org(), T0);
    dir.enrol(staff.id(), &[Role::Staff], true);
    dir.enrol(board.id(), &[Role::Board], false);
    let her = expelled(&mut dir, "2023-10-01");
    let check_in = RecordId::random();
    dir.write(
        RecordKind::Welfare,
        check_in,
        &[
            &format!("person={her}"),
            "checked_on=2023-11-01",
            "outcome=danger",
        ],
    );
    let now = dir.tick();
    dir.device_mut()
        .delete(RecordKind::Welfare, check_in, now)
        .unwrap();
    run(staff.device_mut(), dir.device_mut());
    run(board.device_mut(), dir.device_mut());
    assert!(!staff.traces_of(&[check_in]).is_empty());
    assert!(
        dir.marker_keys().unwrap().is_empty(),
        "no key before it is needed"
    );

    let now = dir.tick();
    dir.device_mut().erase(her, "art. 17", now).unwrap();
    for _ in 0..2 {
        run(staff.device_mut(), dir.device_mut());
        run(board.device_mut(), dir.device_mut());
    }
    (dir, staff, board, her, check_in)
}

#[test]
fn an_expelled_persons_erasure_keeps_a_marker_that_only_staff_and_direction_can_check() {
    let (dir, mut staff, mut board, her, check_in) = expelled_and_erased();
    // The markers (legal names, and display name, each with the date of birth) are in the
    // registry every device holds; the key only where personal files are read.
    for d in [&dir, &staff, &board] {
        let erasure = &d.registry().unwrap().erased[&her];
        assert_eq!(erasure.markers.len(), 2);
        assert!(erasure.receipts.contains_key(&staff.id()));
    }
    let keys = dir.marker_keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        staff
            .marker_keys()
            .unwrap()
            .iter()
            .map(|k| **k)
            .collect::<Vec<_>>(),
        keys.iter().map(|k| **k).collect::<Vec<_>>()
    );
    assert!(board.marker_keys().unwrap().is_empty());
    let secret_docs = |d: &TestDevice| {
        d.documents()
            .unwrap()
            .into_iter()
            .filter(|doc| {
                matches!(
                    doc,
                    DocId::Record {
                        kind: RecordKind::Secret,
                        ..
                    }
                )
            })
            .count()
    };
    assert_eq!(secret_docs(&dir), 1);
    assert_eq!(secret_docs(&staff), 1);
    assert_eq!(secret_docs(&board), 0, "a board device never holds the key");
    // The secret record is no record anyone lists, reports or exports.
    assert!(
        !dir.snapshot()
            .unwrap()
            .records
            .contains_key(&RecordKind::Secret)
    );

    // Her, again, however typed: refused with M6 on direction and on staff.
    for d in [&dir, &staff] {
        let again = prospect("Ngozi", FIRST, LAST, BORN);
        assert_eq!(blocked_by(d, &again), ["M6"]);
        let typed_otherwise = prospect("N.", "OKAFOR", "ngozi adaézé", BORN);
        assert_eq!(blocked_by(d, &typed_otherwise), ["M6"]);
        // Her display name with her date of birth, without legal names.
        assert_eq!(blocked_by(d, &prospect("ADA", "", "", BORN)), ["M6"]);
        // Someone else, or her names with another date of birth: admitted.
        assert!(blocked_by(d, &prospect("Chioma", "Chioma", "Okafor", BORN)).is_empty());
        assert!(blocked_by(d, &prospect("Ngozi", FIRST, LAST, "1991-04-02")).is_empty());
    }

    // The deleted check-in about her went with her, on every device, key included.
    for d in [&dir, &staff, &board] {
        assert_eq!(d.traces_of(&[her, check_in]), Vec::<String>::new());
    }
    assert_eq!(staff.stored_traces_of(&[check_in]), Vec::<String>::new());
    assert_eq!(board.stored_traces_of(&[check_in]), Vec::<String>::new());
}

#[test]
fn the_marker_key_stays_out_of_devices_that_may_not_read_personal_files() {
    let (mut dir, _, _, _, _) = expelled_and_erased();
    // A staff device without an agreement: no personal files, so no key.
    let mut unsigned = dir.enrol_new(&[Role::Staff], false);
    run(unsigned.device_mut(), dir.device_mut());
    assert!(!unsigned.can_read(FieldClass::Per));
    assert!(unsigned.marker_keys().unwrap().is_empty());
    assert!(unsigned.documents().unwrap().iter().all(|d| !matches!(
        d,
        DocId::Record {
            kind: RecordKind::Secret,
            ..
        }
    )));
    // A person who was not expelled leaves no marker.
    let left = dir.new_member("Bisi", Some("notes"));
    let now = dir.tick();
    dir.device_mut().erase(left, "art. 17", now).unwrap();
    assert!(dir.registry().unwrap().erased[&left].markers.is_empty());
}

/// How a person's name may be typed again: each letter's case, an accent here and there.
fn retyped(name: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec((any::<bool>(), any::<bool>()), name.chars().count()).prop_map(
        move |flips| {
            name.chars()
                .zip(flips)
                .map(|(c, (upper, accent))| {
                    let mut s: String = if upper {
                        c.to_uppercase().collect()
                    } else {
                        c.to_lowercase().collect()
                    };
                    if accent && c.is_alphabetic() {
                        s.push('\u{301}');
                    }
                    s
                })
                .collect()
        },
    )
}

#[test]
fn any_retyping_of_her_names_is_refused_and_another_birth_date_is_not() {
    let (_, staff, _, _, _) = expelled_and_erased();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    });
    let cases = (retyped(FIRST), retyped(LAST), any::<bool>(), 1..4000i64);
    runner
        .run(&cases, |(first, last, swap, days)| {
            let (a, b) = if swap {
                (&last, &first)
            } else {
                (&first, &last)
            };
            prop_assert_eq!(blocked_by(&staff, &prospect("X", a, b, BORN)), ["M6"]);
            let born: chrono::NaiveDate = BORN.parse().unwrap();
            let other = (born - chrono::Duration::days(days)).to_string();
            prop_assert!(blocked_by(&staff, &prospect("X", a, b, &other)).is_empty());
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_retention_period_erasing_an_expelled_persons_file_keeps_her_marker_too() {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let her = expelled(&mut dir, "2023-01-01");
    let now = dir.tick();
    dir.device_mut().set_retention(Some(6), now).unwrap();
    let now = dir.tick();
    assert_eq!(dir.device_mut().apply_retention(now).unwrap(), 1);
    let erasure = &dir.registry().unwrap().erased[&her];
    assert!(!erasure.covers(FieldClass::Com) && erasure.covers(FieldClass::Per));
    assert_eq!(erasure.markers.len(), 2);
    assert_eq!(
        blocked_by(&dir, &prospect("Ngozi", LAST, FIRST, BORN)),
        ["M6"]
    );
}
