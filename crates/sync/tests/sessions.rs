//! Sync sessions between real devices in memory (`carnet-testkit`): convergence, read scope, a line of three devices
//! through a partition, incremental cost, revocation, strangers and invitations, and robustness
//! against messages a session does not expect.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use carnet_device::Device;
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{ChangeHash, DocId, Reason, RecordId};
use carnet_sync::{MAX_MESSAGE, Message, Role as Side, Session, SessionError, SyncData};
use carnet_testkit::{Faults, Outcome, Sender, T0, TestDevice, run_err};

const MEMBER: RecordKind = RecordKind::Member;

/// Runs a faithful session `a` → `b` that must succeed; returns everything it did.
fn run_full(a: &mut Device, b: &mut Device) -> Outcome {
    carnet_testkit::run(a, b)
}

/// Runs a faithful session `a` → `b` that must succeed; returns both sides' figures.
fn run(a: &mut Device, b: &mut Device) -> (carnet_sync::Stats, carnet_sync::Stats) {
    let o = run_full(a, b);
    (o.a, o.b)
}

/// Runs a session `a` → `b`, with an invitation's secret if given.
fn drive(a: &mut Device, b: &mut Device, ticket: Option<[u8; 16]>) -> Outcome {
    carnet_testkit::drive(
        a,
        b,
        Faults {
            ticket,
            ..Faults::default()
        },
    )
}

/// Runs a session `a` → `b` with messages of about `budget` bytes.
fn drive_budget(a: &mut Device, b: &mut Device, budget: usize) -> Outcome {
    carnet_testkit::drive(
        a,
        b,
        Faults {
            budget: Some(budget),
            ..Faults::default()
        },
    )
}

/// The fields of member `id` as `d` holds them (empty if none).
fn fields(d: &Device, id: RecordId) -> BTreeMap<String, carnet_replica::FieldState> {
    d.show(MEMBER, id).map(|v| v.fields).unwrap_or_default()
}

/// The valid changes of the registry and of every document `d` holds a valid change of.
type State = (BTreeSet<ChangeHash>, BTreeMap<DocId, BTreeSet<ChangeHash>>);

fn state(d: &Device) -> State {
    let reg = d.verdicts(&DocId::Registry).unwrap().valid;
    let docs = d
        .documents()
        .unwrap()
        .into_iter()
        .map(|doc| {
            let v = d.verdicts(&doc).unwrap().valid;
            (doc, v)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    (reg, docs)
}

/// Like [`state`], restricted to documents of classes both `x` and `y` may read (by `d`'s
/// registry).
fn shared_state(d: &Device, x: &carnet_replica::DeviceId, y: &carnet_replica::DeviceId) -> State {
    let (reg, docs) = state(d);
    let docs = docs
        .into_iter()
        .filter(|(doc, _)| {
            doc.class().is_some_and(|c| {
                d.registry()
                    .is_some_and(|r| r.access(x, c).can_read() && r.access(y, c).can_read())
            })
        })
        .collect();
    (reg, docs)
}

const REFUSED_PEER: &str = "this device is not enrolled, or was revoked";

/// A new device enrolled by `dir`, which has fetched the registry (and whatever it may read)
/// by dialling `dir`.
fn enrolled(dir: &mut TestDevice, roles: &[Role], agreement: bool) -> TestDevice {
    let mut dev = dir.enrol_new(roles, agreement);
    run(&mut dev, dir);
    dev
}

fn value(d: &Device, id: RecordId, field: &str) -> Option<String> {
    fields(d, id).get(field).map(|f| f.value.to_string())
}

/// How many record documents `d` holds (the registry left out).
/// The valid changes `d` holds, per document holding any.
fn valid_everything(d: &Device) -> BTreeMap<DocId, BTreeSet<ChangeHash>> {
    let mut docs = vec![DocId::Registry];
    docs.extend(d.documents().unwrap());
    docs.into_iter()
        .map(|doc| {
            let valid = d.verdicts(&doc).unwrap().valid.into_iter().collect();
            (doc, valid)
        })
        .filter(|(_, v): &(DocId, BTreeSet<ChangeHash>)| !v.is_empty())
        .collect()
}

fn record_docs(d: &Device) -> usize {
    d.documents()
        .unwrap()
        .into_iter()
        .filter(|doc| *doc != DocId::Registry)
        .count()
}

/// The documents of `d` whose class is `class`.
fn docs_of_class(d: &Device, class: FieldClass) -> Vec<DocId> {
    d.documents()
        .unwrap()
        .into_iter()
        .filter(|id| id.class() == Some(class))
        .collect()
}

/// Changes held and not rejected by `d` in the documents `peer` may read.
fn changes_readable_by(d: &TestDevice, peer: &carnet_replica::DeviceId) -> usize {
    d.summaries(peer)
        .iter()
        .map(|(doc, _)| d.doc_hashes(&doc.parse().unwrap()).len())
        .sum()
}

#[test]
fn two_devices_converge_and_a_second_session_is_three_messages() {
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);

    // Each writes while apart, including both creating the same record at once.
    let joy = dir.new_member("Joy", Some("needs housing"));
    let ali = staff.new_member("Ali", Some("met at the fair"));
    // (The real device checks the record as it will be: a record new to it needs its name and
    // status, so each writes them too.)
    staff.write(
        MEMBER,
        joy,
        &[
            "display_name=Joy",
            "status=member",
            "working_groups+=housing",
            "phone=0600",
        ],
    );
    dir.write(
        MEMBER,
        ali,
        &["display_name=Ali", "status=member", "speaks_french=yes"],
    );
    // Nothing of the other's has reached either yet.
    assert_eq!(value(&staff, joy, "case_notes"), None);
    assert_eq!(value(&dir, ali, "case_notes"), None);

    let o = run_full(&mut dir, &mut staff);
    assert!(o.a.changes_sent > 0 && o.b.changes_sent > 0, "{o:?}");
    assert_eq!(
        o.a.changes_sent, o.b.applied.new,
        "every change sent is new"
    );
    assert_eq!(
        o.b.changes_sent, o.a.applied.new,
        "every change sent is new"
    );
    assert_eq!(o.a.applied.rejected + o.a.applied.refused, 0);
    assert_eq!(o.b.applied.rejected + o.b.applied.refused, 0);

    let (d, s) = (dir.id(), staff.id());
    assert_eq!(shared_state(&dir, &d, &s), shared_state(&staff, &d, &s));
    assert_eq!(state(&dir), state(&staff), "both read all");
    for id in [joy, ali] {
        assert_eq!(fields(&dir, id), fields(&staff, id));
    }
    assert_eq!(value(&staff, joy, "display_name").as_deref(), Some("Joy"));
    assert_eq!(
        value(&dir, joy, "working_groups").as_deref(),
        Some("housing")
    );
    assert_eq!(value(&dir, joy, "phone").as_deref(), Some("0600"));
    assert_eq!(
        value(&dir, ali, "case_notes").as_deref(),
        Some("met at the fair")
    );
    assert_eq!(value(&staff, ali, "speaks_french").as_deref(), Some("yes"));

    // Nothing changed since: three messages, whoever dials.
    for o in [
        run_full(&mut staff, &mut dir),
        run_full(&mut dir, &mut staff),
    ] {
        assert_eq!(o.kinds(), ["Hello", "Welcome", "Done"]);
        assert_eq!(o.messages(), 3);
        assert_eq!(o.a.changes_sent + o.b.changes_sent, 0);
        assert_eq!(o.a.applied.new + o.b.applied.new, 0);
    }
}

#[test]
fn a_board_device_never_receives_nor_is_offered_personal_documents() {
    let mut dir = TestDevice::found_random();
    let mut members = Vec::new();
    for i in 0..6 {
        members.push(dir.new_member(&format!("M{i}"), Some(&format!("secret {i}"))));
    }
    let project = RecordId::random();
    dir.write(
        RecordKind::Project,
        project,
        &["title=Housing", "progress=two families"],
    );
    assert_eq!(docs_of_class(&dir, FieldClass::Per).len(), 6);

    let mut board = dir.enrol_new(&[Role::Board], false);
    let registry_held = dir.registry_hashes().len();
    let allowed = changes_readable_by(&dir, &board.id());
    let o = run_full(&mut board, &mut dir);

    // The board device holds every COM and PUB document, and no PER one.
    assert!(docs_of_class(&board, FieldClass::Per).is_empty());
    assert_eq!(docs_of_class(&board, FieldClass::Com).len(), 7);
    assert_eq!(docs_of_class(&board, FieldClass::Pub).len(), 1);
    for id in &members {
        assert!(value(&board, *id, "display_name").is_some());
        assert_eq!(value(&board, *id, "case_notes"), None);
    }
    // The director sent the registry and the allowed documents' changes, nothing else; no
    // message of either side names a personal document.
    assert_eq!(o.b.changes_sent, registry_held + allowed, "{o:?}");
    assert_eq!(o.a.applied.refused, 0, "nothing unreadable was even sent");
    for (doc, _) in o.changes_from(Sender::Responder) {
        let class = doc.parse::<DocId>().unwrap().class().unwrap();
        assert!(board.peer_reads(&board.id(), class), "{doc}");
    }
    let per: Vec<String> = o
        .docs_named()
        .into_iter()
        .filter(|d| d.ends_with("/per"))
        .collect();
    assert!(per.is_empty(), "personal documents named: {per:?}");
    assert!(
        board
            .summaries(&dir.id())
            .iter()
            .all(|(d, _)| !d.ends_with("/per"))
    );

    // Later edits of both classes, the director dialling: only the COM change travels.
    dir.write(MEMBER, members[0], &["status=active", "case_notes=moved"]);
    let o = run_full(&mut dir, &mut board);
    assert_eq!(o.a.changes_sent, 1, "{:?}", o.kinds());
    assert_eq!(o.b.changes_sent, 0);
    assert!(o.docs_named().iter().all(|d| !d.ends_with("/per")));
    assert!(docs_of_class(&board, FieldClass::Per).is_empty());
    assert_eq!(
        value(&board, members[0], "status").as_deref(),
        Some("active")
    );

    // Staff without a confidentiality agreement: the same scope for personal files.
    let mut staff = enrolled(&mut dir, &[Role::Staff], false);
    assert!(docs_of_class(&staff, FieldClass::Per).is_empty());
    assert_eq!(docs_of_class(&staff, FieldClass::Com).len(), 7);
    let o = run_full(&mut dir, &mut staff);
    assert_eq!(o.messages(), 3, "{:?}", o.kinds());

    // The policy narrows: board devices no longer read COM. The board device drops those
    // documents on hearing of it, and is sent no more of them.
    let t = dir.tick();
    let op = carnet_replica::RegistryOp::Policy {
        role: Role::Board,
        class: FieldClass::Com,
        access: carnet_model::Access::None,
    };
    dir.change_registry(&[op], t).unwrap();
    run(&mut board, &mut dir);
    assert!(docs_of_class(&board, FieldClass::Com).is_empty());
    assert_eq!(docs_of_class(&board, FieldClass::Pub).len(), 1);
    dir.write(MEMBER, members[1], &["status=left"]);
    let o = run_full(&mut dir, &mut board);
    assert_eq!(o.messages(), 3, "{:?}", o.kinds());
    assert!(docs_of_class(&board, FieldClass::Com).is_empty());
}

/// The changes of every `Push` in `msgs`, as (document, count).
fn pushed(msgs: &[Message]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for m in msgs {
        if let Message::Push { changes, .. } = m {
            out.extend(changes.iter().map(|(d, l)| (d.clone(), l.len())));
        }
    }
    out
}

#[test]
fn asking_for_a_personal_document_by_name_gets_nothing() {
    let mut dir = TestDevice::found_random();
    let joy = dir.new_member("Joy", Some("secret"));
    let per = DocId::record(MEMBER, joy, FieldClass::Per).to_string();
    let com = DocId::record(MEMBER, joy, FieldClass::Com).to_string();
    let board = enrolled(&mut dir, &[Role::Board], false);
    let ask = || Message::Push {
        changes: vec![],
        hashes: vec![(per.clone(), vec![]), (com.clone(), vec![])],
        want: vec![per.clone()],
        last: true,
    };

    // A board device dialling the director names the personal document.
    let mut s = Session::new(Side::Responder, board.id().0, None);
    s.handle(hello_of(&board, &dir), &mut *dir).unwrap();
    // Hashes and wants come after the bucket exchange (anything else is a protocol error).
    s.handle(
        Message::Buckets {
            digests: vec![[0; 32]; 256],
        },
        &mut *dir,
    )
    .unwrap();
    let out = s.handle(ask(), &mut *dir).unwrap();
    assert_eq!(pushed(&out), [(com.clone(), 1)], "{out:?}");

    // The director dialling a board device that names it in its answer.
    let mut s = Session::new(Side::Initiator, board.id().0, None);
    s.start(&*dir);
    let welcome = Message::Welcome {
        registry: carnet_sync::doc_digest(&board.registry_hashes()),
        root: [0; 32],
    };
    let out = s.handle(welcome, &mut *dir).unwrap();
    assert!(matches!(out[..], [Message::Buckets { .. }]), "{out:?}");
    let out = s
        .handle(
            Message::BucketDocs {
                buckets: vec![],
                docs: vec![],
                last: true,
            },
            &mut *dir,
        )
        .unwrap();
    assert!(matches!(out[..], [Message::Push { .. }]), "{out:?}");
    let out = s.handle(ask(), &mut *dir).unwrap();
    assert_eq!(pushed(&out), [(com, 1)], "{out:?}");
}

#[test]
fn three_devices_in_a_line_converge_after_a_partition() {
    let mut a = TestDevice::found_random();
    let mut b = a.enrol_new(&[Role::Staff], true);
    let mut c = a.enrol_new(&[Role::Staff], true);
    run(&mut b, &mut a);
    run(&mut c, &mut b); // C hears of the organisation through B only.
    let shared = a.new_member("Shared", Some("first notes"));
    run(&mut a, &mut b);
    run(&mut c, &mut b);
    assert_eq!(value(&c, shared, "display_name").as_deref(), Some("Shared"));

    // Partition: everyone writes, some of it to the same fields; A also changes the registry.
    let ra = a.new_member("FromA", Some("a notes"));
    let rb = b.new_member("FromB", None);
    let rc = c.new_member("FromC", Some("c notes"));
    a.write(
        MEMBER,
        shared,
        &["display_name=Shared A", "case_notes=by A"],
    );
    b.write(
        MEMBER,
        shared,
        &["display_name=Shared B", "working_groups+=b"],
    );
    c.write(
        MEMBER,
        shared,
        &["display_name=Shared C", "working_groups+=c", "phone=1"],
    );
    b.write(MEMBER, shared, &["status=active"]);
    let newcomer = a.enrol_new(&[Role::Board], false).id();

    run(&mut a, &mut b);
    run(&mut c, &mut b);
    run(&mut b, &mut a);

    let states = [state(&a), state(&b), state(&c)];
    assert_eq!(states[0], states[1]);
    assert_eq!(states[1], states[2]);
    for id in [shared, ra, rb, rc] {
        let f = fields(&a, id);
        assert!(!f.is_empty());
        assert_eq!(f, fields(&b, id));
        assert_eq!(f, fields(&c, id));
    }
    let f = fields(&c, shared);
    assert_eq!(f["working_groups"].value.to_string(), "b, c");
    assert_eq!(f["display_name"].conflicts.len(), 2, "{f:?}");
    assert_eq!(f["case_notes"].value.to_string(), "by A");
    assert_eq!(f["status"].value.to_string(), "active");
    assert!(
        c.registry().unwrap().device(&newcomer).is_some(),
        "the registry change crossed B"
    );
    for d in [&a, &b, &c] {
        assert!(d.quarantine().unwrap().is_empty());
    }
    // Every pair is level now.
    assert_eq!(run_full(&mut a, &mut b).messages(), 3);
    assert_eq!(run_full(&mut c, &mut b).messages(), 3);
}

/// Figures of one incremental-cost run.
#[derive(Debug)]
struct Cost {
    setup_ms: u128,
    full_bytes: usize,
    one_bytes: usize,
    one_messages: usize,
    none_bytes: usize,
    none_messages: usize,
}

fn incremental_cost(n: usize) -> Cost {
    let start = Instant::now();
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);
    let ids: Vec<RecordId> = (0..n)
        .map(|i| {
            let id = RecordId::random();
            dir.write(
                MEMBER,
                id,
                &[&format!("display_name=Member {i}"), "status=member"],
            );
            id
        })
        .collect();
    let full = run_full(&mut staff, &mut dir);
    assert_eq!(record_docs(&staff), n);
    assert_eq!(full.a.applied.new, n);
    let setup_ms = start.elapsed().as_millis();

    dir.write(MEMBER, ids[n / 2], &["display_name=Renamed"]);
    let one = run_full(&mut staff, &mut dir);
    assert_eq!(one.b.changes_sent, 1);
    assert_eq!(one.a.changes_sent, 0);
    assert_eq!(one.a.docs_received, 1);
    assert_eq!(
        value(&staff, ids[n / 2], "display_name").as_deref(),
        Some("Renamed")
    );
    let none = run_full(&mut staff, &mut dir);
    assert_eq!(none.kinds(), ["Hello", "Welcome", "Done"]);
    Cost {
        setup_ms,
        full_bytes: full.bytes(),
        one_bytes: one.bytes(),
        one_messages: one.messages(),
        none_bytes: none.bytes(),
        none_messages: none.messages(),
    }
}

#[test]
fn one_change_costs_about_the_same_with_100_or_2000_records() {
    let small = incremental_cost(100);
    let large = incremental_cost(2000);
    println!(
        "records | setup+full sync ms | full sync bytes | one change: msgs, bytes | no change: msgs, bytes"
    );
    for (n, c) in [(100, &small), (2000, &large)] {
        println!(
            "{n:>7} | {:>18} | {:>15} | {:>6}, {:>14} | {:>5}, {:>5}",
            c.setup_ms, c.full_bytes, c.one_messages, c.one_bytes, c.none_messages, c.none_bytes
        );
    }
    assert!(
        large.one_bytes < 2 * small.one_bytes,
        "one change among 2000 records cost {} bytes, among 100 {}",
        large.one_bytes,
        small.one_bytes
    );
    assert_eq!(small.one_messages, large.one_messages);
    for c in [&small, &large] {
        assert_eq!(c.none_messages, 3);
        assert!(c.none_bytes < 1024, "{c:?}");
    }
    assert!(
        large.full_bytes > 10 * small.full_bytes,
        "a full sync moves everything"
    );
}

#[test]
fn a_revoked_device_is_refused_and_its_late_changes_leave_every_replica() {
    let mut dir = TestDevice::found_random();
    let mut thief = enrolled(&mut dir, &[Role::Staff], true);
    let mut third = enrolled(&mut dir, &[Role::Staff], true);
    // Honest work, seen by everyone before the theft.
    let joy = thief.new_member("Joy", Some("honest notes"));
    run(&mut thief, &mut dir);
    run(&mut third, &mut dir);
    let before = fields(&third, joy);
    assert_eq!(before["case_notes"].value.to_string(), "honest notes");

    // The phone is stolen; the director revokes it, keeping what it had seen.
    dir.revoke(thief.id());
    let dir_before = valid_everything(&dir);
    thief.write(MEMBER, joy, &["status=expelled", "case_notes=forged"]);
    let ghost = thief.new_member("Ghost", Some("made up"));
    // The third device has not heard of the revocation: it takes the late changes.
    run(&mut thief, &mut third);
    assert_eq!(value(&third, joy, "status").as_deref(), Some("expelled"));
    assert_eq!(
        value(&third, ghost, "display_name").as_deref(),
        Some("Ghost")
    );
    // Honest work on top of the late changes: it depends on them, so it will leave too.
    third.write(MEMBER, joy, &["phone=0611"]);

    // The director shows the revoked device its revocation (issue 15, item 8): it hands in
    // what it signed, which goes to the director's quarantine (nothing of it becomes valid),
    // and forgets every record; it receives nothing else.
    let (ea, eb, o) = run_err(&mut thief, &mut dir);
    assert_eq!(ea, Some(SessionError::Revoked));
    assert_eq!(eb, None);
    assert_eq!(o.kinds(), ["Hello", "Revoked", "Push", "Done"]);
    assert_eq!(record_docs(&thief), 0, "the revoked device forgot");
    assert!(thief.revoked_at().is_some());
    assert_eq!(valid_everything(&dir), dir_before);
    let handed_in = dir
        .quarantine()
        .unwrap()
        .iter()
        .filter(|q| q.reason == Reason::Revoked)
        .count();
    assert_eq!(
        handed_in, 4,
        "its late changes, quarantined on the director"
    );

    // The third device syncs with the director: the revocation arrives first, the late changes
    // leave it, and none of them reaches the director.
    let o = run_full(&mut third, &mut dir);
    assert_eq!(fields(&third, joy), before);
    assert!(fields(&third, ghost).is_empty());
    assert!(fields(&dir, ghost).is_empty());
    assert_eq!(o.a.changes_sent, 0, "{:?}", o.kinds());
    assert_eq!(valid_everything(&dir), dir_before);
    let revoked = third
        .quarantine()
        .unwrap()
        .iter()
        .map(|q| &q.reason)
        .filter(|r| **r == Reason::Revoked)
        .count();
    assert_eq!(revoked, 4, "COM and PER of Joy, COM and PER of Ghost");
    let depends = third
        .quarantine()
        .unwrap()
        .iter()
        .map(|q| &q.reason)
        .filter(|r| **r == Reason::DependsOnRejected)
        .count();
    assert_eq!(depends, 1, "the phone number written on top of them");
    let (d, t) = (dir.id(), third.id());
    assert_eq!(shared_state(&dir, &d, &t), shared_state(&third, &d, &t));
    assert_eq!(run_full(&mut third, &mut dir).messages(), 3);
    // Written again (under a new actor epoch), it reaches the director.
    third.write(MEMBER, joy, &["phone=0611"]);
    let o = run_full(&mut third, &mut dir);
    assert_eq!(o.a.changes_sent, 1);
    assert_eq!(o.b.applied.new, 1);
    assert_eq!(o.b.applied.rejected, 0);
    assert_eq!(value(&dir, joy, "phone").as_deref(), Some("0611"));
    assert_eq!(
        value(&dir, joy, "case_notes").as_deref(),
        Some("honest notes")
    );
    assert_eq!(shared_state(&dir, &d, &t), shared_state(&third, &d, &t));
    let before = fields(&third, joy);

    // Now the third device shows it its revocation too; it has nothing left to hand in.
    let (ea, _, _) = run_err(&mut thief, &mut third);
    assert_eq!(ea, Some(SessionError::Revoked));
    assert_eq!(fields(&third, joy), before);

    // Whoever dials, no record change moves to or from the revoked device.
    let o = drive(&mut dir, &mut thief, None);
    assert_eq!(o.changes_from(Sender::Initiator).len(), 0);
    assert_eq!(o.changes_from(Sender::Responder).len(), 0);
    assert_eq!(fields(&third, joy), before);
    assert!(fields(&dir, ghost).is_empty());
}

#[test]
fn an_unknown_device_is_refused_and_receives_nothing() {
    let mut dir = TestDevice::found_random();
    dir.new_member("Joy", Some("secret"));
    let _staff = dir.enrol_new(&[Role::Staff], true);
    let dir_before = dir.held_everything();

    // Never enrolled, knowing only the organisation's id.
    let mut stranger = TestDevice::joining_random(dir.org());
    let (ea, eb, o) = run_err(&mut stranger, &mut dir);
    assert_eq!(eb, Some(SessionError::RefusedPeer(REFUSED_PEER.into())));
    assert_eq!(ea, Some(SessionError::Refused(REFUSED_PEER.into())));
    assert_eq!(o.kinds(), ["Hello", "Refuse"]);
    assert_eq!(o.b.changes_sent, 0);
    assert!(stranger.registry_ledger().received().is_empty());
    assert_eq!(record_docs(&stranger), 0);

    // Holding the registry does not make it a member.
    for (doc, signed) in dir.all_changes() {
        if doc == DocId::Registry {
            stranger.receive(&doc, vec![signed]).unwrap();
        }
    }
    let (_, eb, _) = run_err(&mut stranger, &mut dir);
    assert_eq!(eb, Some(SessionError::RefusedPeer(REFUSED_PEER.into())));
    assert_eq!(record_docs(&stranger), 0);

    // A made-up invitation is refused.
    let o = drive(&mut stranger, &mut dir, Some([7; 16]));
    assert!(
        matches!(o.b_result, Err(SessionError::RefusedPeer(_))),
        "{o:?}"
    );
    assert!(matches!(o.a_result, Err(SessionError::Refused(_))), "{o:?}");
    assert_eq!(record_docs(&stranger), 0);

    // A device of another organisation is refused.
    let mut other = TestDevice::found_random();
    let (_, eb, _) = run_err(&mut other, &mut dir);
    assert_eq!(
        eb,
        Some(SessionError::RefusedPeer("another organisation".into()))
    );
    assert_eq!(record_docs(&other), 0);
    assert_eq!(
        dir.held_everything(),
        dir_before,
        "the director took nothing"
    );
}

#[test]
fn an_invitation_enrols_once_and_grants_its_roles_scope() {
    let mut dir = TestDevice::found_random();
    let joy = dir.new_member("Joy", Some("secret"));
    let secret = dir.invite(&[Role::Board], false);

    let mut newcomer = TestDevice::joining_random(dir.org());
    let o = drive(&mut newcomer, &mut dir, Some(secret));
    assert!(o.a_result.is_ok() && o.b_result.is_ok(), "{o:?}");
    let reg = dir.registry().unwrap();
    assert_eq!(
        reg.device(&newcomer.id()).unwrap().roles,
        BTreeSet::from([Role::Board])
    );
    assert_eq!(
        value(&newcomer, joy, "display_name").as_deref(),
        Some("Joy")
    );
    assert_eq!(value(&newcomer, joy, "case_notes"), None);
    assert!(docs_of_class(&newcomer, FieldClass::Per).is_empty());
    assert_eq!(state(&newcomer).0, state(&dir).0);
    assert_eq!(run_full(&mut newcomer, &mut dir).messages(), 3);

    // The secret works once.
    let mut second = TestDevice::joining_random(dir.org());
    let o = drive(&mut second, &mut dir, Some(secret));
    assert!(
        matches!(o.b_result, Err(SessionError::RefusedPeer(_))),
        "{o:?}"
    );
    assert!(dir.registry().unwrap().device(&second.id()).is_none());
    assert_eq!(record_docs(&second), 0);
}

#[test]
fn unexpected_messages_are_errors_not_panics() {
    let mut dir = TestDevice::found_random();
    dir.new_member("Joy", Some("secret"));
    let mut staff = dir.enrol_new(&[Role::Staff], true);
    let peer = staff.id().0;
    let hello = Session::new(Side::Initiator, dir.id().0, None).start(&*staff)[0].clone();
    let protocol = |r: Result<Vec<Message>, SessionError>| {
        assert!(matches!(r, Err(SessionError::Protocol(_))), "{r:?}");
    };

    // Done before Hello.
    let mut s = Session::new(Side::Responder, peer, None);
    protocol(s.handle(Message::Done, &mut *dir));
    // Buckets with 3 digests after a valid Hello.
    let mut s = Session::new(Side::Responder, peer, None);
    assert!(matches!(
        s.handle(hello.clone(), &mut *dir).unwrap()[..],
        [Message::Welcome { .. }]
    ));
    let r = s.handle(
        Message::Buckets {
            digests: vec![[0; 32]; 3],
        },
        &mut *dir,
    );
    assert_eq!(
        r,
        Err(SessionError::Protocol("expected 256 bucket digests"))
    );
    // A second Hello, and messages only an initiator receives.
    for m in [
        hello.clone(),
        Message::Welcome {
            registry: [0; 32],
            root: [0; 32],
        },
        Message::Root { root: [0; 32] },
        Message::BucketDocs {
            buckets: vec![],
            docs: vec![],
            last: true,
        },
    ] {
        let mut s = Session::new(Side::Responder, peer, None);
        s.handle(hello.clone(), &mut *dir).unwrap();
        protocol(s.handle(m, &mut *dir));
    }
    // A Hello of another protocol version is refused with a reason.
    let mut s = Session::new(Side::Responder, peer, None);
    let r = s.handle(
        Message::Hello {
            version: 99,
            org: *dir.org().0.as_bytes(),
            ticket: None,
        },
        &mut *dir,
    );
    let err = r.unwrap_err();
    assert!(matches!(
        Session::refusal(&err),
        Some(Message::Refuse { reason }) if reason.contains("99")
    ));
    // An initiator receiving what only a responder receives, or Done before Welcome.
    for m in [
        hello.clone(),
        Message::Done,
        Message::Buckets {
            digests: vec![[0; 32]; 256],
        },
        Message::RegistryFinal { changes: vec![] },
    ] {
        let mut s = Session::new(Side::Initiator, dir.id().0, None);
        s.start(&*staff);
        protocol(s.handle(m, &mut *staff));
    }

    // Mutated and shuffled messages of a real session: errors at worst, never a panic.
    let mut board = dir.enrol_new(&[Role::Board], false);
    let o = run_full(&mut board, &mut dir);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut decoded = 0;
    for _ in 0..3000 {
        let (from, m) = &o.transcript[(rand() % o.transcript.len() as u64) as usize];
        let mut bytes = m.encode();
        for _ in 0..=(rand() % 4) {
            let i = (rand() % bytes.len() as u64) as usize;
            match rand() % 3 {
                0 => bytes[i] ^= 1 << (rand() % 8),
                1 => bytes.truncate(i.max(1)),
                _ => bytes.insert(i, rand() as u8),
            }
        }
        let Ok(m) = Message::decode(&bytes) else {
            continue;
        };
        decoded += 1;
        if *from == Sender::Initiator {
            let mut s = Session::new(Side::Responder, board.id().0, None);
            if !matches!(m, Message::Hello { .. }) {
                let _ = s.handle(hello_of(&board, &dir), &mut *dir);
            }
            let _ = s.handle(m, &mut *dir);
        } else {
            let mut s = Session::new(Side::Initiator, dir.id().0, None);
            s.start(&*board);
            let _ = s.handle(m, &mut *board);
        }
    }
    assert!(decoded > 100, "the mutations decode too rarely: {decoded}");
    for _ in 0..50 {
        let mut msgs: Vec<&Message> = o
            .transcript
            .iter()
            .filter(|(f, _)| *f == Sender::Initiator)
            .map(|(_, m)| m)
            .collect();
        for i in (1..msgs.len()).rev() {
            msgs.swap(i, (rand() % (i as u64 + 1)) as usize);
        }
        let mut s = Session::new(Side::Responder, board.id().0, None);
        for m in msgs {
            let _ = s.handle(m.clone(), &mut *dir);
        }
    }
    // Nothing forged got in, and the two still sync normally.
    assert!(dir.quarantine().unwrap().is_empty());
    assert_eq!(run_full(&mut board, &mut dir).messages(), 3);
}

fn hello_of(from: &TestDevice, to: &TestDevice) -> Message {
    Session::new(Side::Initiator, to.id().0, None).start(from.device())[0].clone()
}

#[test]
fn unsolicited_changes_in_a_push_are_verified_before_anything_is_kept() {
    let mut dir = TestDevice::found_random();
    let joy = dir.new_member("Joy", Some("secret"));
    let board = enrolled(&mut dir, &[Role::Board], false);
    // The board device forges a status change it may not write, and junk.
    let forged = board.forge(MEMBER, joy, &["status=expelled"], 5);
    let (doc, signed) = forged[0].clone();
    let mut s = Session::new(Side::Responder, board.id().0, None);
    s.handle(hello_of(&board, &dir), &mut *dir).unwrap();
    s.handle(
        Message::Buckets {
            digests: vec![[0; 32]; 256],
        },
        &mut *dir,
    )
    .unwrap();
    let out = s
        .handle(
            Message::Push {
                changes: vec![
                    (doc.to_string(), vec![signed.to_bytes()]),
                    ("member/x/com".into(), vec![vec![1, 2, 3]]),
                    (doc.to_string(), vec![vec![1, 0, 0]]),
                ],
                hashes: vec![],
                want: vec![],
                last: true,
            },
            &mut *dir,
        )
        .unwrap();
    assert!(matches!(out[..], [Message::Push { last: true, .. }]));
    let out = s
        .handle(
            Message::Push {
                changes: vec![],
                hashes: vec![],
                want: vec![],
                last: true,
            },
            &mut *dir,
        )
        .unwrap();
    assert_eq!(out, [Message::Done]);
    let applied = s.stats().applied;
    assert_eq!((applied.new, applied.rejected, applied.refused), (1, 1, 2));
    assert_eq!(value(&dir, joy, "status").as_deref(), Some("member"));
    assert!(matches!(
        dir.quarantine().unwrap().iter().map(|q| &q.reason).next(),
        Some(Reason::CannotWrite { .. })
    ));
}

#[test]
fn large_change_sets_are_split_under_the_message_limit() {
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);
    // Incompressible notes of ~90 KB in ~150 changes: ~13 MB, more than half a message. The
    // edit is built directly: validating 13 MB of typed text is slow in debug builds.
    let mut x: u64 = 1;
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let notes: String = (0..90_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect();
    let edit = carnet_model::FieldEdit {
        field: MEMBER.field("case_notes").unwrap(),
        op: carnet_model::EditOp::Set(carnet_model::Value::Text(notes)),
    };
    let ids: Vec<RecordId> = (0..150)
        .map(|i| {
            let id = RecordId::random();
            // (The real device checks the record as it will be: it needs its name and status,
            // written with it in its own, small COM document: two changes per record.)
            let com =
                ["display_name=Member", "status=member"].map(|t| MEMBER.parse_edit(t).unwrap());
            staff
                .put(
                    MEMBER,
                    id,
                    &[edit.clone(), com[0].clone(), com[1].clone()],
                    carnet_testkit::at(T0 + i),
                )
                .unwrap();
            id
        })
        .collect();
    let o = run_full(&mut staff, &mut dir);
    let pushes: Vec<usize> = o
        .transcript
        .iter()
        .filter(|(f, m)| *f == Sender::Initiator && matches!(m, Message::Push { .. }))
        .map(|(_, m)| m.encode().len())
        .collect();
    assert!(
        pushes.len() >= 3,
        "hashes, then at least two of changes: {pushes:?}"
    );
    assert!(pushes.iter().all(|n| *n <= MAX_MESSAGE), "{pushes:?}");
    assert!(o.a.bytes_sent > MAX_MESSAGE / 2);
    assert_eq!(o.b.applied.new, 2 * ids.len());
    for id in &ids {
        assert_eq!(fields(&dir, *id), fields(&staff, *id));
    }
    assert_eq!(run_full(&mut dir, &mut staff).messages(), 3);

    // The other way: a new device dialling the director receives them in several messages.
    let mut other = dir.enrol_new(&[Role::Staff], true);
    let o = run_full(&mut other, &mut dir);
    let pushes: Vec<usize> = o
        .transcript
        .iter()
        .filter(|(f, m)| *f == Sender::Responder && matches!(m, Message::Push { .. }))
        .map(|(_, m)| m.encode().len())
        .collect();
    assert!(pushes.len() >= 2, "{pushes:?}");
    assert!(pushes.iter().all(|n| *n <= MAX_MESSAGE), "{pushes:?}");
    assert_eq!(o.a.applied.new, 2 * ids.len() + dir.registry_hashes().len());
    for id in &ids {
        assert_eq!(fields(&dir, *id), fields(&other, *id));
    }
}

/// An initiator must not hand anything to a device its registry does not list as enrolled and
/// unrevoked (`architecture.md` §5.1). Regression: only the responder checked, so a director
/// dialling a stolen, revoked phone (or anything answering at an address it dials) sent it every
/// registry change it lacked: the keys, holders and cities of devices enrolled since the theft.
#[test]
fn an_initiator_refuses_a_revoked_or_unknown_responder() {
    let mut dir = TestDevice::found_random();
    dir.new_member("Joy", Some("secret"));
    let mut thief = enrolled(&mut dir, &[Role::Staff], true);
    dir.revoke(thief.id());
    let newcomer = dir.enrol_new(&[Role::Staff], true).id();

    let o = drive(&mut dir, &mut thief, None);
    assert!(
        matches!(o.a_result, Err(SessionError::RefusedPeer(_))),
        "{:?}",
        o.kinds()
    );
    let leaked = o.registry_from(Sender::Initiator);
    assert!(
        leaked.is_empty(),
        "the director sent {} registry changes to a revoked device (messages {:?})",
        leaked.len(),
        o.kinds()
    );
    assert!(
        thief.registry().unwrap().device(&newcomer).is_none(),
        "the stolen phone learnt of the device enrolled after the theft"
    );
    assert!(o.changes_from(Sender::Initiator).is_empty());

    // A device the director never enrolled, answering as a responder would.
    let stranger = carnet_replica::DeviceKey::generate().unwrap().id();
    let mut s = Session::new(Side::Initiator, stranger.0, None);
    s.start(&*dir);
    let welcome = Message::Welcome {
        registry: [0; 32],
        root: [0; 32],
    };
    let mut sent: BTreeMap<&str, usize> = BTreeMap::new();
    if let Ok(out) = s.handle(welcome, &mut *dir)
        && matches!(out[..], [Message::RegistryHashes { .. }])
    {
        let push = Message::RegistryPush {
            changes: vec![],
            hashes: vec![],
        };
        match s.handle(push, &mut *dir) {
            Ok(out) => {
                for m in out {
                    if let Message::RegistryFinal { changes } = m {
                        *sent.entry("registry changes").or_default() += changes.len();
                    }
                }
            }
            Err(e) => assert!(matches!(e, SessionError::RefusedPeer(_)), "{e:?}"),
        }
    }
    assert!(sent.is_empty(), "a stranger was sent {sent:?}");

    // A stranger holding a copy of the registry (so no registry exchange happens) still gets
    // no document.
    let mut copycat = TestDevice::joining_random(dir.org());
    for (doc, signed) in dir.all_changes() {
        if doc == DocId::Registry {
            copycat.receive(&doc, vec![signed]).unwrap();
        }
    }
    let o = drive(&mut dir, &mut copycat, None);
    assert!(
        o.changes_from(Sender::Initiator).is_empty(),
        "{:?}",
        o.kinds()
    );
    assert_eq!(record_docs(&copycat), 0);
}

/// Two distinct devices of `devs`, mutably.
fn pair(devs: &mut [TestDevice], i: usize, j: usize) -> (&mut TestDevice, &mut TestDevice) {
    assert_ne!(i, j);
    if i < j {
        let (x, y) = devs.split_at_mut(j);
        (&mut x[i], &mut y[0])
    } else {
        let (x, y) = devs.split_at_mut(i);
        (&mut y[0], &mut x[j])
    }
}

/// Whether `d`'s own registry says it was revoked.
fn knows_itself_revoked(d: &TestDevice) -> bool {
    d.registry()
        .and_then(|r| r.device(&d.id()))
        .is_some_and(|e| e.revoked.is_some())
}

/// Plays one seeded history on five devices (two direction, staff with and without the
/// agreement, board): writes, sessions between random pairs, grants, withdrawals and
/// revocations; then sessions until nothing moves. Returns the devices and who was revoked.
fn simulate(seed: u64, steps: usize) -> (Vec<TestDevice>, BTreeSet<usize>) {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut rand = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut a = TestDevice::found_random();
    let b = a.enrol_new(&[Role::Direction], true);
    let c = a.enrol_new(&[Role::Staff], true);
    let d = a.enrol_new(&[Role::Board], false);
    let e = a.enrol_new(&[Role::Staff], false);
    let mut devs = vec![a, b, c, d, e];
    for i in 1..devs.len() {
        let (dev, a) = pair(&mut devs, i, 0);
        run(dev, a);
    }
    let records: Vec<RecordId> = (0..4).map(|_| RecordId::random()).collect();
    let mut revoked = BTreeSet::new();
    for step in 0..steps {
        match rand(20) {
            0..=9 => {
                let who = rand(devs.len());
                let id = records[rand(records.len())];
                let edit = match rand(3) {
                    0 => format!("display_name=v{step}"),
                    1 => format!("working_groups+=g{}", rand(3)),
                    _ => format!("case_notes=n{step}"),
                };
                let dev = &mut devs[who];
                let mut edits = vec![MEMBER.parse_edit(&edit).unwrap()];
                // A new record needs its status (the device checks the record as it will be).
                if dev.show(MEMBER, id).is_err() {
                    edits.push(MEMBER.parse_edit("status=member").unwrap());
                }
                let now = dev.tick();
                let _ = dev.put(MEMBER, id, &edits, now);
            }
            10..=16 => {
                let i = rand(devs.len());
                let j = (i + 1 + rand(devs.len() - 1)) % devs.len();
                let (p, q) = pair(&mut devs, i, j);
                let o = drive(p, q, None);
                for r in [&o.a_result, &o.b_result] {
                    assert!(
                        matches!(
                            r,
                            Ok(())
                                | Err(SessionError::Refused(_)
                                    | SessionError::RefusedPeer(_)
                                    | SessionError::Revoked)
                        ),
                        "seed {seed} step {step}: {r:?} in {:?}",
                        o.kinds()
                    );
                }
            }
            _ => {
                let by = rand(2);
                let target = 2 + rand(3);
                let target_id = devs[target].id();
                let dev = &mut devs[by];
                let t = dev.tick();
                let op = match rand(4) {
                    0 => RegistryOpKind::Agreement(rand(2) == 0),
                    1 => RegistryOpKind::Role(rand(2) == 0),
                    // At most one revocation, late enough that the device wrote before.
                    2 if revoked.is_empty() && step > steps / 3 => RegistryOpKind::Revoke,
                    _ => RegistryOpKind::Agreement(true),
                };
                let done = match op {
                    RegistryOpKind::Agreement(signed) => dev.change_registry(
                        &[carnet_replica::RegistryOp::Agreement {
                            device: target_id,
                            signed_on: signed.then(|| "2026-02-02".into()),
                        }],
                        t,
                    ),
                    RegistryOpKind::Role(granted) => dev.change_registry(
                        &[carnet_replica::RegistryOp::Role {
                            device: target_id,
                            role: if target == 3 {
                                Role::Board
                            } else {
                                Role::Staff
                            },
                            granted,
                        }],
                        t,
                    ),
                    RegistryOpKind::Revoke => dev.device_mut().revoke(target_id, t),
                };
                if matches!(op, RegistryOpKind::Revoke) && done.is_ok() {
                    revoked.insert(target);
                }
            }
        }
    }
    // Sessions between every ordered pair until a whole round moves nothing.
    for round in 0.. {
        assert!(round < 10, "seed {seed}: no quiescence after 10 rounds");
        let mut moved = 0;
        for i in 0..devs.len() {
            for j in 0..devs.len() {
                if i != j {
                    let (p, q) = pair(&mut devs, i, j);
                    let o = drive(p, q, None);
                    moved += o.a.applied.new + o.b.applied.new;
                }
            }
        }
        if moved == 0 {
            break;
        }
    }
    (devs, revoked)
}

/// A kind of registry change in a simulated history.
#[derive(Clone, Copy)]
enum RegistryOpKind {
    Agreement(bool),
    Role(bool),
    Revoke,
}

#[test]
fn seeded_histories_of_five_devices_converge() {
    for seed in 1..=12 {
        let (mut devs, revoked) = simulate(seed, 80);
        let live: Vec<usize> = (0..devs.len()).filter(|i| !revoked.contains(i)).collect();
        for i in &revoked {
            if knows_itself_revoked(&devs[*i]) {
                assert_eq!(record_docs(&devs[*i]), 0, "seed {seed}: {i} wiped");
            }
        }
        let held: usize = devs[0].held_everything().values().map(BTreeSet::len).sum();
        println!(
            "seed {seed}: revoked {revoked:?}, director holds {held} changes in {} documents, quarantine {}",
            record_docs(&devs[0]),
            devs[0].quarantine().unwrap().len()
        );
        let reg = state(&devs[0]).0;
        for &i in &live {
            assert_eq!(state(&devs[i]).0, reg, "seed {seed}: registry of {i}");
            assert!(
                devs[i].registry_ledger().evaluation().pending.is_empty(),
                "seed {seed}"
            );
        }
        for &i in &live {
            for &j in &live {
                if i >= j {
                    continue;
                }
                let (p, q) = (devs[i].id(), devs[j].id());
                assert_eq!(
                    shared_state(&devs[i], &p, &q),
                    shared_state(&devs[j], &p, &q),
                    "seed {seed}: devices {i} and {j}"
                );
                let (di, dj) = pair(&mut devs, i, j);
                let o = run_full(di, dj);
                assert_eq!(o.messages(), 3, "seed {seed}: {i}→{j} {:?}", o.kinds());
            }
        }
    }
}

/// `architecture.md` §5.5: bound everything a peer can make you do. After answering the
/// initiator's bucket digests, a responder stays in the state that accepts them, so one peer
/// can send `Buckets` again and again in one session, and each time the responder computes its
/// summaries and answers with every document of the differing buckets (with all-zero digests,
/// every document the peer may read): unbounded work and traffic for the price of 8 KB each.
/// A `RegistryHashes` after the buckets restarts the registry exchange the same way.
#[test]

fn a_responder_answers_the_bucket_digests_once_per_session() {
    let mut dir = TestDevice::found_random();
    for i in 0..20 {
        dir.new_member(&format!("M{i}"), None);
    }
    let board = enrolled(&mut dir, &[Role::Board], false);
    let zeros = || Message::Buckets {
        digests: vec![[0; 32]; 256],
    };
    let mut s = Session::new(Side::Responder, board.id().0, None);
    s.handle(hello_of(&board, &dir), &mut *dir).unwrap();
    let first = s.handle(zeros(), &mut *dir).unwrap();
    assert!(matches!(first[..], [Message::BucketDocs { .. }]));
    let mut answered = 0;
    for _ in 0..100 {
        if s.handle(zeros(), &mut *dir).is_ok() {
            answered += 1;
        }
    }
    assert_eq!(
        answered,
        0,
        "answered {answered} more Buckets, {} bytes sent in all",
        s.stats().bytes_sent
    );
    let again = s.handle(Message::RegistryHashes { hashes: vec![] }, &mut *dir);
    assert!(matches!(again, Err(SessionError::Protocol(_))), "{again:?}");
}

/// A device that joined with an invitation may present it again (`carnet-device` accepts the
/// same device twice, so that a join whose session broke can be retried). Regression: a
/// responder given a ticket did not check that the peer is enrolled and unrevoked, so a revoked
/// phone replaying its old invitation was sent the whole registry it lacked (its own revocation
/// and every device enrolled since: keys, holders, cities).
#[test]
fn a_revoked_device_replaying_its_invitation_learns_nothing() {
    let mut dir = TestDevice::found_random();
    let secret = dir.invite(&[Role::Staff], true);
    let mut phone = TestDevice::joining_random(dir.org());
    let o = drive(&mut phone, &mut dir, Some(secret));
    assert!(o.a_result.is_ok() && o.b_result.is_ok(), "{o:?}");
    dir.revoke(phone.id());
    let newcomer = dir.enrol_new(&[Role::Staff], true).id();

    let o = drive(&mut phone, &mut dir, Some(secret));
    assert!(
        o.b_result.is_err(),
        "the director accepted: {:?}",
        o.kinds()
    );
    let leaked = o.registry_from(Sender::Responder);
    assert!(
        leaked.is_empty(),
        "sent {} registry changes to a revoked device: {:?}",
        leaked.len(),
        o.kinds()
    );
    assert!(phone.registry().unwrap().device(&newcomer).is_none());
}

/// `architecture.md` §5.1: refuse the peer unless the registry lists it as enrolled and not
/// revoked. An initiator checks only after a registry exchange; when the responder's registry
/// digest equals its own (a revoked device that has heard of its revocation, with a client that
/// keeps going), it runs the whole session and stores whatever the revoked device pushes (in
/// the quarantine: nothing becomes valid, but a revoked device can make it grow session after
/// session).
#[test]

fn an_initiator_refuses_a_revoked_responder_with_the_same_registry() {
    let mut dir = TestDevice::found_random();
    let joy = dir.new_member("Joy", None);
    let thief = enrolled(&mut dir, &[Role::Staff], true);
    dir.revoke(thief.id());
    // Written on the stolen device, which has not heard of its revocation.
    let late = thief.forge(MEMBER, joy, &["status=expelled"], 9);
    let before = dir.held_everything();

    let mut s = Session::new(Side::Initiator, thief.id().0, None);
    s.start(&*dir);
    let mut refused = None;
    let script = [
        Message::Welcome {
            registry: carnet_sync::doc_digest(&dir.registry_hashes()),
            root: [0; 32],
        },
        Message::BucketDocs {
            buckets: vec![],
            docs: vec![],
            last: true,
        },
        Message::Push {
            changes: vec![(late[0].0.to_string(), vec![late[0].1.to_bytes()])],
            hashes: vec![],
            want: vec![],
            last: true,
        },
        Message::Done,
    ];
    for m in script {
        if let Err(e) = s.handle(m, &mut *dir) {
            refused = Some(e);
            break;
        }
    }
    assert_eq!(
        dir.held_everything(),
        before,
        "the director stored the revoked device's change"
    );
    assert!(
        matches!(refused, Some(SessionError::RefusedPeer(_))),
        "{refused:?}"
    );
}

/// Every list a session sends is split under the size limit, not only changes. Regression: a
/// new device could not join an association of 10,000 generated members (about 536,000
/// documents): the responder's `BucketDocs` was one 45 MB message, over `MAX_MESSAGE`, and the
/// joiner refused it as malformed. Here the budget is shrunk so that 300 documents need several
/// messages of each kind, both ways.
#[test]
fn bucket_summaries_hashes_and_wants_are_split_under_the_message_budget() {
    const BUDGET: usize = 1_000;
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);
    let mine: Vec<RecordId> = (0..100)
        .map(|i| dir.new_member(&format!("D{i}"), Some(&format!("note {i}"))))
        .collect();
    let theirs: Vec<RecordId> = (0..50)
        .map(|i| staff.new_member(&format!("S{i}"), None))
        .collect();
    // Both hold these, then each changes them apart: the documents differ on both sides, so
    // hashes travel both ways.
    let shared: Vec<RecordId> = (0..50)
        .map(|i| dir.new_member(&format!("B{i}"), None))
        .collect();
    run(&mut staff, &mut dir);
    for (i, id) in shared.iter().enumerate() {
        dir.write(MEMBER, *id, &[&format!("working_groups+=g{i}")]);
        staff.write(MEMBER, *id, &["speaks_french=yes"]);
    }

    let o = drive_budget(&mut staff, &mut dir, BUDGET);
    assert!(o.a_result.is_ok() && o.b_result.is_ok(), "{o:?}");
    let count = |from: Sender, pick: fn(&Message) -> bool| {
        o.transcript
            .iter()
            .filter(|(f, m)| *f == from && pick(m))
            .count()
    };
    let bucket_docs = count(Sender::Responder, |m| {
        matches!(m, Message::BucketDocs { .. })
    });
    let initiator_pushes = count(Sender::Initiator, |m| matches!(m, Message::Push { .. }));
    let responder_pushes = count(Sender::Responder, |m| matches!(m, Message::Push { .. }));
    assert!(bucket_docs >= 5, "{bucket_docs} BucketDocs");
    assert!(initiator_pushes >= 4, "{initiator_pushes} pushes");
    assert!(responder_pushes >= 4, "{responder_pushes} pushes");
    // Each list message stays near the budget (a message holds at least one item).
    for (_, m) in &o.transcript {
        if matches!(m, Message::BucketDocs { .. } | Message::Push { .. }) {
            assert!(
                m.encode().len() <= BUDGET + 600,
                "{} bytes",
                m.encode().len()
            );
        }
    }
    // Exactly one message of each turn ends it.
    let lasts = o
        .transcript
        .iter()
        .filter(|(_, m)| {
            matches!(
                m,
                Message::BucketDocs { last: true, .. } | Message::Push { last: true, .. }
            )
        })
        .count();
    assert_eq!(lasts, 4, "BucketDocs, push, push back, final push");

    let (d, s) = (dir.id(), staff.id());
    assert_eq!(shared_state(&dir, &d, &s), shared_state(&staff, &d, &s));
    for id in mine.iter().chain(&theirs).chain(&shared) {
        assert_eq!(fields(&dir, *id), fields(&staff, *id));
    }
    assert_eq!(
        value(&staff, mine[7], "case_notes").as_deref(),
        Some("note 7")
    );
    assert_eq!(run_full(&mut staff, &mut dir).messages(), 3);
}

/// An initiator session of `from` and a responder session of `to`, both building messages of
/// about `budget` bytes.
fn budgeted(from: &TestDevice, to: &TestDevice, budget: usize) -> (Session, Session) {
    (
        Session::new(Side::Initiator, to.id().0, None).with_message_budget(budget),
        Session::new(Side::Responder, from.id().0, None).with_message_budget(budget),
    )
}

/// The node sends a turn as it builds it: `answer` gives the first messages, `next_message`
/// the rest one at a time. Driven that way a new device receives everything, in as many
/// messages as `handle` gives, and a message arriving before the turn is all sent is a
/// protocol error, not a mixed-up session.
#[test]
fn a_turn_built_one_message_at_a_time_delivers_everything() {
    const BUDGET: usize = 1_500;
    let mut dir = TestDevice::found_random();
    let ids: Vec<RecordId> = (0..60)
        .map(|i| dir.new_member(&format!("M{i}"), Some(&format!("note {i}"))))
        .collect();

    // The way the node drives a responder.
    let mut staff = dir.enrol_new(&[Role::Staff], true);
    let (mut a, mut b) = budgeted(&staff, &dir, BUDGET);
    let mut to_b = a.start(&*staff);
    let mut responder_sent = 0;
    while !to_b.is_empty() {
        let mut to_a = Vec::new();
        for m in to_b.drain(..) {
            to_a.extend(b.answer(m, &mut *dir).unwrap());
            while let Some(next) = b.next_message(dir.device()) {
                to_a.push(next);
            }
        }
        responder_sent += to_a.len();
        for m in to_a {
            to_b.extend(a.handle(m, &mut *staff).unwrap());
        }
    }
    assert!(a.is_done() && b.is_done());
    for id in &ids {
        assert_eq!(fields(&dir, *id), fields(&staff, *id));
    }
    assert_eq!(
        value(&staff, ids[9], "case_notes").as_deref(),
        Some("note 9")
    );
    let mut other = dir.enrol_new(&[Role::Staff], true);
    let o = drive_budget(&mut other, &mut dir, BUDGET);
    let by_handle = o
        .transcript
        .iter()
        .filter(|(f, _)| *f == Sender::Responder)
        .count();
    assert_eq!(responder_sent, by_handle);
    assert!(
        by_handle > 8,
        "{by_handle} messages: the turn was not split"
    );

    // A message arriving mid-turn.
    let mut late = dir.enrol_new(&[Role::Staff], true);
    let (mut a, mut b) = budgeted(&late, &dir, BUDGET);
    let mut to_b = a.start(&*late);
    loop {
        let m = to_b.remove(0);
        let mut to_a = b.answer(m, &mut *dir).unwrap();
        if let Some(first) = b.next_message(dir.device()) {
            if matches!(first, Message::Push { last: false, .. }) {
                let early = b.answer(Message::Done, &mut *dir);
                assert!(matches!(early, Err(SessionError::Protocol(_))), "{early:?}");
                return;
            }
            to_a.push(first);
        }
        for m in to_a {
            to_b.extend(a.handle(m, &mut *late).unwrap());
        }
        assert!(!to_b.is_empty(), "the session ended without a split turn");
    }
}

/// A responder session in `dir` that answered `from`'s `Hello` and `Buckets` (all differ): the
/// next message is the initiator's first turn of changes, hashes and wants.
fn awaiting_hashes(from: &TestDevice, dir: &mut TestDevice) -> Session {
    let mut s = Session::new(Side::Responder, from.id().0, None);
    s.handle(hello_of(from, dir), &mut **dir).unwrap();
    s.handle(
        Message::Buckets {
            digests: vec![[0; 32]; 256],
        },
        &mut **dir,
    )
    .unwrap();
    s
}

#[test]
fn changes_are_stored_message_by_message_while_the_initiators_turn_arrives() {
    // Regression (issue 15, item 7): the responder kept the initiator's first turn of changes
    // in memory until its last message, so an enrolled peer could make it hold up to the
    // session's whole bound (1 GiB) before anything was applied.
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);
    let joy = staff.new_member("Joy", None);
    let sent: Vec<(String, Vec<Vec<u8>>)> = staff
        .all_changes()
        .into_iter()
        .filter(|(doc, _)| *doc != DocId::Registry)
        .map(|(doc, c)| (doc.to_string(), vec![c.to_bytes()]))
        .collect();
    assert!(!sent.is_empty());
    let mut s = awaiting_hashes(&staff, &mut dir);
    let out = s
        .handle(
            Message::Push {
                changes: sent,
                hashes: vec![],
                want: vec![],
                last: false,
            },
            &mut *dir,
        )
        .unwrap();
    assert!(
        out.is_empty(),
        "the turn is not over: nothing to answer yet"
    );
    assert!(
        s.stats().applied.new > 0,
        "a message's changes are stored before the next message is read"
    );
    assert!(dir.device().show(RecordKind::Member, joy).is_ok());
}

#[test]
fn a_peer_cannot_make_this_side_hold_unbounded_lists() {
    let mut dir = TestDevice::found_random();
    let staff = enrolled(&mut dir, &[Role::Staff], true);
    let mut s = awaiting_hashes(&staff, &mut dir);
    // Wants of 1 MiB each, one message at a time, never ending the turn.
    let big = "w".repeat(1 << 20);
    let mut refused = None;
    for i in 0..200 {
        let r = s.handle(
            Message::Push {
                changes: vec![],
                hashes: vec![],
                want: vec![big.clone()],
                last: false,
            },
            &mut *dir,
        );
        if let Err(e) = r {
            refused = Some((i, e));
            break;
        }
    }
    let (at, e) = refused.expect("the session ended before 200 MiB were held");
    assert!(matches!(e, SessionError::TooMuch), "{e:?}");
    assert!(
        (carnet_sync::MAX_HELD_LISTS >> 20) <= at + 1,
        "refused after {at} MiB, below the bound"
    );
}

/// `staff`'s changes of `doc` in the order it made them, as a peer would send them.
fn changes_of(staff: &TestDevice, doc: &DocId) -> Vec<carnet_replica::SignedChange> {
    let mut all = staff.export(doc).unwrap();
    all.sort_by_key(|c| {
        carnet_replica::Received::verify(&staff.org(), doc, c.clone())
            .map(|r| r.change.seq())
            .unwrap_or(0)
    });
    all
}

#[test]
fn a_change_whose_author_the_registry_does_not_name_is_never_kept() {
    // Issue 15, item 2: such a change was stored (in the quarantine, or waiting for a
    // dependency withheld on purpose, then counted as held and forwarded).
    let mut dir = TestDevice::found_random();
    let joy = dir.new_member("Joy", None);
    // A stranger that holds the association's registry (any peer hands it out) but was never
    // enrolled signs a change of Joy's document.
    let mut stranger = TestDevice::joining_random(dir.org());
    let registry = dir.export(&DocId::Registry).unwrap();
    stranger.receive(&DocId::Registry, registry).unwrap();
    let forged = stranger.forge(MEMBER, joy, &["display_name=Jo"], 5);
    let (doc, signed) = forged[0].clone();
    let report = dir.receive(&doc, vec![signed.clone()]).unwrap();
    assert_eq!(report.new, 0, "{report:?}");
    assert_eq!(dir.dropped().unknown_author, 1);
    assert!(dir.quarantine().unwrap().is_empty(), "not even as evidence");
    assert!(!dir.export(&doc).unwrap().contains(&signed));
}

#[test]
fn waiting_changes_are_bounded_across_documents_too() {
    // Issue 15, item 2: the bounds per document let a device make a peer keep 256 waiting
    // changes in each of as many documents as it names.
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);
    let per_doc = carnet_device::MAX_WAITING_PER_AUTHOR;
    let docs = carnet_device::MAX_WAITING_PER_AUTHOR_ALL / per_doc + 1;
    let mut withheld = Vec::new();
    for d in 0..docs {
        let id = staff.new_member(&format!("M{d}"), None);
        for i in 0..per_doc {
            staff.write(MEMBER, id, &[&format!("display_name=M{d} {i}")]);
        }
        let doc = DocId::record(MEMBER, id, carnet_model::FieldClass::Com);
        let all = changes_of(&staff, &doc);
        withheld.push((doc.clone(), all[0].clone()));
        dir.receive(&doc, all[1..].to_vec()).unwrap();
    }
    let waiting: usize = withheld
        .iter()
        .map(|(doc, _)| dir.verdicts(doc).unwrap().pending.len())
        .sum();
    assert_eq!(waiting, carnet_device::MAX_WAITING_PER_AUTHOR_ALL);
    assert_eq!(
        dir.dropped().waiting as usize,
        docs * per_doc - carnet_device::MAX_WAITING_PER_AUTHOR_ALL
    );
    assert_eq!(
        dir.waiting_counts().total as usize,
        carnet_device::MAX_WAITING_PER_AUTHOR_ALL
    );
    // Another device's waiting changes are still kept.
    let mut other = enrolled(&mut dir, &[Role::Staff], true);
    let ada = other.new_member("Ada", None);
    other.write(MEMBER, ada, &["display_name=Ada L"]);
    let ada_doc = DocId::record(MEMBER, ada, carnet_model::FieldClass::Com);
    let ada_all = changes_of(&other, &ada_doc);
    dir.receive(&ada_doc, ada_all[1..].to_vec()).unwrap();
    assert_eq!(dir.verdicts(&ada_doc).unwrap().pending.len(), 1);
    // Once the withheld changes arrive, what waited is valid, the counts go down, and what
    // was dropped comes from the author at the next sync.
    for (doc, first) in &withheld {
        dir.receive(doc, vec![first.clone()]).unwrap();
    }
    assert_eq!(dir.waiting_counts().total, 1);
    run(&mut staff, &mut dir);
    for (doc, _) in &withheld {
        let v = dir.verdicts(doc).unwrap();
        assert_eq!((v.pending.len(), v.valid.len()), (0, per_doc + 1));
    }
}

#[test]
fn waiting_changes_are_bounded_never_forwarded_and_a_revocation_drops_them() {
    let mut dir = TestDevice::found_random();
    let mut staff = enrolled(&mut dir, &[Role::Staff], true);
    let joy = staff.new_member("Joy", None);
    let doc = DocId::record(MEMBER, joy, carnet_model::FieldClass::Com);
    let extra = carnet_device::MAX_WAITING_PER_AUTHOR + 20;
    for i in 0..extra {
        staff.write(MEMBER, joy, &[&format!("display_name=Joy {i}")]);
    }
    // The first change (the record's creation) is withheld: every later one waits for it.
    let all = changes_of(&staff, &doc);
    let withheld = all[0].clone();
    let report = dir.receive(&doc, all[1..].to_vec()).unwrap();
    let kept = dir.verdicts(&doc).unwrap().pending.len();
    assert_eq!(kept, carnet_device::MAX_WAITING_PER_AUTHOR, "{report:?}");
    assert_eq!(dir.dropped().waiting, 20);
    assert_eq!(dir.export(&doc).unwrap().len(), kept);
    // Waiting changes are not held: a third device syncing with this one receives none.
    let mut third = enrolled(&mut dir, &[Role::Staff], true);
    run(&mut third, &mut dir);
    assert!(third.export(&doc).unwrap().is_empty());
    // Once the withheld change arrives, what was kept up to the first dropped change becomes
    // valid (how much depends on which changes were dropped: the first ones by hash, and the
    // keys are random); what was dropped comes from a peer that holds it (the author here),
    // and the record is whole.
    dir.receive(&doc, vec![withheld]).unwrap();
    run(&mut staff, &mut dir);
    assert_eq!(dir.verdicts(&doc).unwrap().pending.len(), 0);
    assert_eq!(
        value(&dir, joy, "display_name"),
        Some(format!("Joy {}", extra - 1))
    );

    // A revocation drops the revoked device's waiting changes.
    let bo = staff.new_member("Bo", None);
    let bo_doc = DocId::record(MEMBER, bo, carnet_model::FieldClass::Com);
    for i in 0..5 {
        staff.write(MEMBER, bo, &[&format!("display_name=Bo {i}")]);
    }
    let bo_all = changes_of(&staff, &bo_doc);
    dir.receive(&bo_doc, bo_all[1..].to_vec()).unwrap();
    assert_eq!(dir.verdicts(&bo_doc).unwrap().pending.len(), 5);
    let staff_id = staff.id();
    dir.revoke(staff_id);
    assert_eq!(dir.verdicts(&bo_doc).unwrap().pending.len(), 0);
    assert!(dir.export(&bo_doc).unwrap().is_empty());
    assert_eq!(dir.dropped().revoked_waiting, 5);
}
