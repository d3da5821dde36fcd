//! Two store-backed devices of one organisation exchanging changes in one process: read scope,
//! write rules on receipt, revocation in both delivery orders, and persistence of verdicts.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use carnet_device::{Device, HistoryItem, Written};
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{DocId, Reason};
use chrono::Utc;

const PASS: &[u8] = b"a long test passphrase";

fn edits(kind: RecordKind, typed: &[&str]) -> Vec<carnet_model::FieldEdit> {
    typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect()
}

/// Hands every document `from` holds to `to`, registry first, as one session.
fn sync(from: &Device, to: &mut Device) -> carnet_device::ReceiveReport {
    let mut batches = Vec::new();
    for doc in from.documents().unwrap() {
        batches.push((doc.clone(), from.export(&doc).unwrap()));
    }
    to.receive_many(batches).unwrap()
}

/// The director's device of a new organisation, Mist, in `dir`.
fn director(dir: &Path) -> Device {
    Device::init(&dir.join("dir"), PASS, "Mist", "Ada", None, Utc::now()).unwrap()
}

fn join(dir: &Path, name: &str, director: &mut Device, roles: &[Role], agreement: bool) -> Device {
    let mut d = Device::create_joining(&dir.join(name), PASS, director.org()).unwrap();
    let roles: BTreeSet<Role> = roles.iter().copied().collect();
    director
        .enrol(d.id(), name, roles, Some("Marseille"), Utc::now())
        .unwrap();
    if agreement {
        let op = carnet_replica::RegistryOp::Agreement {
            device: d.id(),
            signed_on: Some("2026-01-01".into()),
        };
        director.change_registry(&[op], Utc::now()).unwrap();
    }
    sync(director, &mut d);
    d
}

fn scan_for(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let p = e.unwrap().path();
        if p.is_dir() {
            scan_for(&p, needle)
        } else {
            std::fs::read(&p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
        }
    })
}

#[test]
fn a_board_device_receives_member_cards_but_never_personal_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    let m = RecordKind::Member;
    let id = director
        .add(
            m,
            &edits(
                m,
                &["display_name=Joy", "status=member", "last_name=CANARY-LAST"],
            ),
            Utc::now(),
        )
        .unwrap();
    let mut board = join(dir.path(), "board", &mut director, &[Role::Board], true);
    let report = sync(&director, &mut board);
    assert!(
        report
            .refused
            .iter()
            .any(|(d, _)| d.class() == Some(FieldClass::Per)),
        "{report:?}"
    );
    let view = board.show(m, id).unwrap();
    assert_eq!(view.label(), "Joy");
    assert!(!view.fields.contains_key("last_name"));
    assert_eq!(view.hidden, vec![FieldClass::Per]);
    assert!(
        board
            .documents()
            .unwrap()
            .iter()
            .all(|d| d.class() != Some(FieldClass::Per))
    );
    drop(board);
    // Sealed anyway, but the PER document is not even there: no trace of its existence.
    assert!(!scan_for(&dir.path().join("board"), b"CANARY-LAST"));

    // A board device writing a member's status is refused locally…
    let mut board = Device::open(&dir.path().join("board"), PASS).unwrap();
    let err = board
        .set(m, id, &edits(m, &["status=left"]), Utc::now())
        .unwrap_err();
    assert!(
        err.to_string().contains("status") && err.to_string().contains("board"),
        "{err}"
    );
}

#[test]
fn staff_changes_are_accepted_and_history_names_the_author() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    let mut staff = join(dir.path(), "Bea", &mut director, &[Role::Staff], true);
    let m = RecordKind::Member;
    let id = staff
        .add(
            m,
            &edits(m, &["display_name=Ngozi", "status=member", "phone=+33 6"]),
            Utc::now(),
        )
        .unwrap();
    let report = sync(&staff, &mut director);
    assert_eq!(report.rejected, 0, "{report:?}");
    assert_eq!(
        director.show(m, id).unwrap().fields["phone"]
            .value
            .to_string(),
        "+33 6"
    );
    let history = director.history(m, id).unwrap();
    assert!(
        history
            .iter()
            .all(|h| matches!(h, HistoryItem::Verified { holder, .. } if holder == "Bea")),
        "{history:?}"
    );
    assert!(director.verify().unwrap().is_clean());
    // Nothing new: a second session stores nothing.
    let again = sync(&staff, &mut director);
    assert_eq!(again.new, 0);
}

#[test]
fn a_revoked_device_is_cut_off_in_both_orders_and_the_verdict_persists() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now;
    let mut director =
        Device::init(&dir.path().join("dir"), PASS, "Mist", "Ada", None, now()).unwrap();
    let mut thief = join(
        dir.path(),
        "lost-phone",
        &mut director,
        &[Role::Staff],
        true,
    );
    let mut other = join(dir.path(), "Chi", &mut director, &[Role::Staff], true);
    let m = RecordKind::Member;
    let id = thief
        .add(
            m,
            &edits(m, &["display_name=Esther", "status=member", "city=Nice"]),
            now(),
        )
        .unwrap();
    sync(&thief, &mut director);
    sync(&thief, &mut other);
    assert_eq!(
        director.revoke(thief.id(), now()).unwrap(),
        Written::Changed(vec![DocId::Registry])
    );
    // The thief writes on, not knowing.
    thief
        .set(m, id, &edits(m, &["status=left", "city=Elsewhere"]), now())
        .unwrap();
    // Director: the late changes arrive after the revocation.
    let report = sync(&thief, &mut director);
    assert!(report.rejected > 0, "{report:?}");
    // Other device: they arrive before the revocation, are applied, then leave.
    sync(&thief, &mut other);
    assert_eq!(
        other.show(m, id).unwrap().fields["city"].value.to_string(),
        "Elsewhere"
    );
    sync(&director, &mut other);
    for d in [&director, &other] {
        let v = d.show(m, id).unwrap();
        assert_eq!(v.fields["city"].value.to_string(), "Nice");
        assert_eq!(v.fields["status"].value.to_string(), "member");
        let q = d.quarantine().unwrap();
        assert_eq!(
            q.iter().filter(|q| q.reason == Reason::Revoked).count(),
            2,
            "{q:?}"
        );
        assert!(d.verify().unwrap().is_clean(), "{:?}", d.verify().unwrap());
    }
    // The verdicts survive closing and reopening.
    let other_home = dir.path().join("Chi");
    drop(other);
    let other = Device::open(&other_home, PASS).unwrap();
    assert_eq!(
        other.show(m, id).unwrap().fields["city"].value.to_string(),
        "Nice"
    );
    assert_eq!(other.quarantine().unwrap().len(), 2);
    let history = other.history(m, id).unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|h| matches!(h, HistoryItem::Rejected { .. }))
            .count(),
        2
    );
}

#[test]
fn withdrawing_an_agreement_removes_personal_files_from_that_device() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    let m = RecordKind::Member;
    let id = director
        .add(
            m,
            &edits(
                m,
                &["display_name=Joy", "status=member", "last_name=Okafor"],
            ),
            Utc::now(),
        )
        .unwrap();
    let mut staff = join(dir.path(), "Bea", &mut director, &[Role::Staff], true);
    sync(&director, &mut staff);
    assert!(staff.show(m, id).unwrap().fields.contains_key("last_name"));
    let op = carnet_replica::RegistryOp::Agreement {
        device: staff.id(),
        signed_on: None,
    };
    director.change_registry(&[op], Utc::now()).unwrap();
    sync(&director, &mut staff);
    let view = staff.show(m, id).unwrap();
    assert!(!view.fields.contains_key("last_name"));
    assert!(
        staff
            .documents()
            .unwrap()
            .iter()
            .all(|d| d.class() != Some(FieldClass::Per))
    );
    let err = staff
        .set(m, id, &edits(m, &["last_name=X"]), Utc::now())
        .unwrap_err();
    assert!(
        err.to_string().contains("confidentiality agreement"),
        "{err}"
    );
}

#[test]
fn a_stranger_gets_nothing_in_and_nothing_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    let mut stranger = Device::create_joining(&dir.path().join("x"), PASS, director.org()).unwrap();
    // Never enrolled: it cannot write…
    let m = RecordKind::Member;
    assert!(
        stranger
            .add(
                m,
                &edits(m, &["display_name=X", "status=member"]),
                Utc::now()
            )
            .is_err()
    );
    // …and what it forges is quarantined by the director.
    let mut rogue = Device::init(
        &dir.path().join("rogue"),
        PASS,
        "Fake",
        "Eve",
        None,
        Utc::now(),
    )
    .unwrap();
    rogue
        .add(
            m,
            &edits(m, &["display_name=Fake", "status=member"]),
            Utc::now(),
        )
        .unwrap();
    let report = sync(&rogue, &mut director);
    assert_eq!(
        report.new, 0,
        "changes of another organisation never verify: {report:?}"
    );
    assert!(!report.refused.is_empty());
    assert!(director.list(m).unwrap().is_empty());
}

/// Rule M9: the personal file needs the staff or direction role *and* a signed confidentiality
/// agreement. A staff device without one is refused, with the rule named; once the agreement
/// is recorded, the same write goes through.
#[test]
fn personal_files_need_the_role_and_a_confidentiality_agreement_rule_m9() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    let m = RecordKind::Member;
    let id = director
        .add(
            m,
            &edits(m, &["display_name=Joy", "status=member"]),
            Utc::now(),
        )
        .unwrap();
    let mut staff = join(dir.path(), "Sam", &mut director, &[Role::Staff], false);
    sync(&director, &mut staff);
    let err = staff
        .set(m, id, &edits(m, &["city=Nice"]), Utc::now())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("rule M9") && err.contains("agreement"),
        "{err}"
    );
    assert!(
        !err.contains("Nice"),
        "the value leaked into the error: {err}"
    );
    let board_err = {
        let mut board = join(dir.path(), "Bo", &mut director, &[Role::Board], true);
        sync(&director, &mut board);
        board
            .set(m, id, &edits(m, &["city=Nice"]), Utc::now())
            .unwrap_err()
            .to_string()
    };
    assert!(board_err.contains("rule M9"), "{board_err}");

    let op = carnet_replica::RegistryOp::Agreement {
        device: staff.id(),
        signed_on: Some("2026-01-01".into()),
    };
    director.change_registry(&[op], Utc::now()).unwrap();
    sync(&director, &mut staff);
    staff
        .set(m, id, &edits(m, &["city=Nice"]), Utc::now())
        .unwrap();
}

/// A session's signatures are checked on every core, a window of documents at a time; the
/// verdicts must not depend on that: every good change is stored, each forged or misfiled one
/// is refused under its own document, whatever its place among 300 documents.
#[test]
fn changes_checked_on_several_cores_keep_one_verdict_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    // Joined before the members exist: it holds only the registry.
    let mut staff = join(dir.path(), "staff", &mut director, &[Role::Staff], true);
    let m = RecordKind::Member;
    for i in 0..150 {
        let typed = [
            format!("display_name=M{i}"),
            "status=member".into(),
            format!("phone=+33 6 {i}"),
        ];
        let typed: Vec<&str> = typed.iter().map(String::as_str).collect();
        director.add(m, &edits(m, &typed), Utc::now()).unwrap();
    }
    let docs: Vec<DocId> = director
        .documents()
        .unwrap()
        .into_iter()
        .filter(|d| *d != DocId::Registry)
        .collect();
    assert!(docs.len() >= 300, "{} documents", docs.len());
    let mut batches: Vec<(DocId, Vec<carnet_replica::SignedChange>)> = docs
        .iter()
        .map(|d| (d.clone(), director.export(d).unwrap()))
        .collect();
    let mut bad = BTreeSet::new();
    for i in [3, 150, docs.len() - 1] {
        batches[i].1[0].signature[5] ^= 1;
        bad.insert(batches[i].0.clone());
    }
    // A good change filed under another document (a replay).
    let stray = batches[10].1[0].clone();
    batches[200].1.push(stray);
    bad.insert(batches[200].0.clone());
    let total: usize = batches.iter().map(|(_, c)| c.len()).sum();

    let report = staff.receive_many(batches).unwrap();
    let refused: BTreeSet<DocId> = report.refused.iter().map(|(d, _)| d.clone()).collect();
    assert_eq!(refused, bad, "{:?}", report.refused);
    assert_eq!(report.refused.len(), 4);
    assert_eq!(report.new, total - 4, "{report:?}");
    assert_eq!(report.rejected, 0);
    assert!(staff.verify().unwrap().is_clean());
    // The three documents whose only change was forged are not held; the rest are, with
    // the registry.
    let kept = staff.documents().unwrap().len();
    assert_eq!(kept, docs.len() - 3 + 1);
}

/// A list of shared columns never opens a personal file: with every member's personal
/// document damaged, `list_shared` (what `member list` shows) still answers, and the full
/// `list` answers without the damaged documents, which `set_aside` names.
#[test]
fn a_shared_list_never_opens_personal_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut director = director(dir.path());
    let m = RecordKind::Member;
    for name in ["Ngozi", "Amélie", "Fatou"] {
        let typed = [
            format!("display_name={name}"),
            "status=member".into(),
            "phone=+33 6".into(),
        ];
        let typed: Vec<&str> = typed.iter().map(String::as_str).collect();
        director.add(m, &edits(m, &typed), Utc::now()).unwrap();
    }
    let personal: Vec<DocId> = director
        .documents()
        .unwrap()
        .into_iter()
        .filter(|d| d.class() == Some(FieldClass::Per))
        .collect();
    assert_eq!(personal.len(), 3);
    let mut batch = director.store().write().unwrap();
    for doc in &personal {
        batch.put_doc(&doc.to_string(), b"not a state").unwrap();
    }
    batch.commit().unwrap();

    let listed = director.list_shared(m).unwrap();
    let labels: Vec<String> = listed.iter().map(|r| r.label()).collect();
    assert_eq!(labels, ["Amélie", "Fatou", "Ngozi"]);
    assert!(listed.iter().all(|r| !r.fields.contains_key("phone")));
    // The full list opens personal files: the damaged ones are set aside (the records are
    // still listed, without them) and named by `set_aside`.
    let full = director.list(m).unwrap();
    assert_eq!(full.len(), 3);
    assert!(full.iter().all(|r| !r.fields.contains_key("phone")));
    let mut aside = director.set_aside().unwrap();
    aside.sort();
    let mut expected: Vec<String> = personal.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(aside, expected);
    assert!(director.resolve(m, "fatou").is_ok());
}

/// The in-memory seam: the same device as on disk, deterministic for a key and a time, lent
/// (suspended while a second device on the same memory writes) and restarted (dropped and
/// reopened from the same memory).
#[test]
fn a_device_in_memory_is_deterministic_lendable_and_restartable() {
    use carnet_device::Memory;
    use carnet_replica::DeviceKey;
    let now = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
    let found = |m: &Memory| {
        Device::found_in_memory(
            m,
            PASS,
            DeviceKey::from_secret_bytes(&[9; 32]),
            "Mist",
            "Ada",
            now,
        )
        .unwrap()
    };
    let (ma, mb) = (Memory::new(), Memory::new());
    let (mut a, b) = (found(&ma), found(&mb));
    assert_eq!(a.org(), b.org(), "same key and time, same organisation");
    assert_eq!(
        a.held(&DocId::Registry).unwrap(),
        b.held(&DocId::Registry).unwrap()
    );
    assert!(Device::open_in_memory(&ma, PASS).is_err(), "held by `a`");
    let id = carnet_replica::RecordId::random();
    a.put(
        RecordKind::Member,
        id,
        &edits(RecordKind::Member, &["display_name=Zed", "status=member"]),
        now,
    )
    .unwrap();
    // Lent: `a` suspends, a second device on the same memory writes, `a` resumes and sees it.
    a.suspend();
    {
        let mut other = Device::open_in_memory(&ma, PASS).unwrap();
        other
            .set(
                RecordKind::Member,
                id,
                &edits(RecordKind::Member, &["display_name=Yan"]),
                now,
            )
            .unwrap();
    }
    a.resume().unwrap();
    assert_eq!(a.show(RecordKind::Member, id).unwrap().label(), "Yan");
    // Restarted.
    drop(a);
    let a = Device::open_in_memory(&ma, PASS).unwrap();
    assert_eq!(a.org(), b.org());
    assert_eq!(a.show(RecordKind::Member, id).unwrap().label(), "Yan");
    assert!(a.verify().unwrap().is_clean());
    let doc = DocId::record(RecordKind::Member, id, FieldClass::Com);
    let v = a.verdicts(&doc).unwrap();
    assert_eq!(
        (v.valid.len(), v.pending.len(), v.rejected.len()),
        (2, 0, 0)
    );
    assert!(
        !ma.bytes().windows(3).any(|w| w == b"Zed"),
        "sealed in memory too"
    );
}
