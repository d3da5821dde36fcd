//! Access rules as every replica enforces them: the role × class matrix, forged and replayed
//! changes, revocation in both delivery orders, and convergence under random histories.

use std::collections::BTreeSet;

use automerge::ROOT;
use automerge::transaction::Transactable;
use carnet_model::{Access, FieldClass, Policy, RecordKind, Role};
use proptest::prelude::*;

use crate::{
    DeviceId, DeviceKey, Doc, DocId, LocalError, OrgId, Reason, ReceiveError, RecordId, RegistryOp,
    Replica, SignedChange,
};

/// An organisation: the founder's key and replica, and everything it has written.
struct Org {
    key: DeviceKey,
    dir: Replica,
}

impl Org {
    fn new() -> Org {
        let key = DeviceKey::generate().unwrap();
        let (dir, _) = Replica::found(&key, "Mist", "Founder", 1).unwrap();
        Org { key, dir }
    }

    fn org(&self) -> OrgId {
        self.dir.registry().org()
    }

    /// Enrols a new device with `roles` (and an agreement if asked); returns its key and a
    /// replica that has received the registry.
    fn enrol(&mut self, roles: &[Role], agreement: bool) -> (DeviceKey, Replica) {
        let key = DeviceKey::generate().unwrap();
        let mut ops = vec![RegistryOp::Enrol {
            device: key.id(),
            holder: "Someone".into(),
            city: None,
            roles: roles.iter().copied().collect(),
        }];
        if agreement {
            ops.push(RegistryOp::Agreement {
                device: key.id(),
                signed_on: Some("2026-01-01".into()),
            });
        }
        self.dir.change_registry(&self.key, &ops, 2).unwrap();
        let mut replica = Replica::new(key.id(), self.org());
        deliver(&self.dir, &mut replica);
        (key, replica)
    }
}

/// Delivers every change `from` holds to `to`, registry first, ignoring refusals.
fn deliver(from: &Replica, to: &mut Replica) {
    for (doc, signed) in from.all_changes() {
        let _ = to.receive(&doc, signed);
    }
}

/// A change of one field of class `class` in a fresh record document, signed by `key` on the
/// registry heads of `on`, bypassing every local check.
fn raw_change(key: &DeviceKey, on: &Replica, class: FieldClass) -> (DocId, SignedChange) {
    let id = DocId::record(RecordKind::Member, RecordId::random(), class);
    let mut doc = Doc::new(id.clone());
    doc.set_registry_heads(&on.registry().doc().heads());
    let change = doc
        .transact(key, 5, |tx| tx.put(ROOT, "probe", "x").map(|_| ()))
        .unwrap()
        .unwrap();
    let signed = SignedChange::sign(key, &on.registry().org(), &id, &change);
    (id, signed)
}

fn edits(kind: RecordKind, typed: &[&str]) -> Vec<carnet_model::FieldEdit> {
    typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect()
}

#[test]
fn every_role_and_class_is_enforced_locally_and_on_receipt() {
    let mut org = Org::new();
    let policy = Policy::mist_default();
    for role in Role::ALL {
        for agreement in [false, true] {
            let (key, mut mine) = org.enrol(&[role], agreement);
            for class in FieldClass::ALL {
                let expected = policy.effective(&BTreeSet::from([role]), agreement, class);
                let case = format!("{role} (agreement {agreement}) on {class}");
                // Locally: the device's own check.
                assert_eq!(
                    mine.registry().may_write(&key.id(), class).is_ok(),
                    expected.can_write(),
                    "local write, {case}"
                );
                // Received: the direction replica judges the device's change.
                let (doc, signed) = raw_change(&key, &mine, class);
                org.dir.receive(&doc, signed).unwrap();
                let rejected = org.dir.quarantine().keys().any(|(d, _)| *d == doc);
                assert_eq!(!rejected, expected.can_write(), "received write, {case}");
                // Reading: a direction change of that class reaches the device only if it may read.
                let (doc, signed) = raw_change(&org.key, &org.dir, class);
                let got = mine.receive(&doc, signed);
                assert_eq!(got.is_ok(), expected.can_read(), "read, {case}");
                if !expected.can_read() {
                    assert_eq!(got, Err(ReceiveError::NotReadable(class)));
                    assert!(
                        mine.doc(&doc).is_none(),
                        "stored a document it may not read, {case}"
                    );
                }
            }
        }
    }
}

#[test]
fn local_writes_name_the_field_class_and_role() {
    let mut org = Org::new();
    let (key, mut board) = org.enrol(&[Role::Board], false);
    let err = board
        .write(
            &key,
            RecordKind::Member,
            RecordId::random(),
            &edits(RecordKind::Member, &["status=left"]),
            3,
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("status") && text.contains("COM") && text.contains("board"),
        "{text}"
    );
    let (key, mut staff) = org.enrol(&[Role::Staff], false);
    let err = staff
        .write(
            &key,
            RecordKind::Member,
            RecordId::random(),
            &edits(RecordKind::Member, &["last_name=X"]),
            3,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("confidentiality agreement"),
        "{err}"
    );
}

#[test]
fn forged_and_replayed_changes_are_rejected_with_their_reason() {
    let mut org = Org::new();
    let (staff_key, staff) = org.enrol(&[Role::Staff], false);
    let (board_key, board) = org.enrol(&[Role::Board], false);

    // A bad signature: refused outright.
    let (doc, mut signed) = raw_change(&staff_key, &staff, FieldClass::Com);
    signed.signature[0] ^= 1;
    assert!(matches!(
        org.dir.receive(&doc, signed),
        Err(ReceiveError::Signature(_))
    ));

    // A valid signature by a key that is not enrolled.
    let stranger = DeviceKey::generate().unwrap();
    let (doc, signed) = raw_change(&stranger, &staff, FieldClass::Com);
    org.dir.receive(&doc, signed).unwrap();
    assert_eq!(
        org.dir
            .quarantine()
            .iter()
            .find(|((d, _), _)| *d == doc)
            .map(|(_, r)| r),
        Some(&Reason::NotEnrolled)
    );

    // A change replayed into another document, and into another organisation.
    let (_, signed) = raw_change(&staff_key, &staff, FieldClass::Com);
    let other = DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Com);
    assert!(matches!(
        org.dir.receive(&other, signed.clone()),
        Err(ReceiveError::Signature(_))
    ));
    let mut elsewhere = Org::new();
    assert!(matches!(
        elsewhere.dir.receive(&other, signed),
        Err(ReceiveError::Signature(_))
    ));
    let _ = elsewhere.enrol(&[], false);

    // Staff without an agreement writing PER.
    let (doc, signed) = raw_change(&staff_key, &staff, FieldClass::Per);
    org.dir.receive(&doc, signed).unwrap();
    let reason = org
        .dir
        .quarantine()
        .iter()
        .find(|((d, _), _)| *d == doc)
        .map(|(_, r)| r.clone());
    assert!(
        matches!(
            reason,
            Some(Reason::CannotWrite {
                class: FieldClass::Per,
                agreement: false,
                ..
            })
        ),
        "{reason:?}"
    );

    // A board device writing a member's status.
    let mut board = board;
    let id = RecordId::random();
    let written = board
        .write_unchecked(
            &board_key,
            RecordKind::Member,
            id,
            &edits(RecordKind::Member, &["status=expelled"]),
            4,
        )
        .unwrap();
    for (doc, signed) in written {
        org.dir.receive(&doc, signed).unwrap();
        let reason = org
            .dir
            .quarantine()
            .iter()
            .find(|((d, _), _)| *d == doc)
            .map(|(_, r)| r.clone());
        assert!(
            matches!(
                reason,
                Some(Reason::CannotWrite {
                    class: FieldClass::Com,
                    ..
                })
            ),
            "{reason:?}"
        );
    }
    assert!(org.dir.fields(RecordKind::Member, id).is_empty());

    // A device granting itself direction.
    let mut doc = Doc::from_changes(DocId::Registry, staff.registry().doc().changes()).unwrap();
    let grant = [RegistryOp::Role {
        device: staff_key.id(),
        role: Role::Direction,
        granted: true,
    }];
    let change = crate::Registry::apply(&mut doc, &staff_key, &grant, 5)
        .unwrap()
        .unwrap();
    let signed = SignedChange::sign(&staff_key, &org.org(), &DocId::Registry, &change);
    org.dir.receive(&DocId::Registry, signed).unwrap();
    assert_eq!(
        org.dir.quarantine().get(&(DocId::Registry, change.hash())),
        Some(&Reason::NotDirection)
    );
    assert!(
        !org.dir
            .registry()
            .registry()
            .unwrap()
            .is_direction(&staff_key.id())
    );
    assert!(matches!(
        Replica::new(staff_key.id(), org.org()).change_registry(&staff_key, &grant, 5),
        Err(LocalError::NotDirection)
    ));
}

#[test]
fn a_revoked_device_is_cut_off_whatever_the_order_of_arrival() {
    let mut org = Org::new();
    let (thief_key, mut thief) = org.enrol(&[Role::Staff], true);
    let id = RecordId::random();
    let m = RecordKind::Member;
    // Before the theft: honest work, which the direction device sees.
    for (doc, s) in thief
        .write(
            &thief_key,
            m,
            id,
            &edits(
                m,
                &["display_name=Joy", "status=member", "last_name=Okafor"],
            ),
            3,
        )
        .unwrap()
    {
        org.dir.receive(&doc, s).unwrap();
    }
    let mut other = Replica::new(org.key.id(), org.org());
    deliver(&org.dir, &mut other);
    // The phone is stolen; direction revokes it, keeping what it had seen.
    org.dir.revoke(&org.key, thief_key.id(), 4).unwrap();
    // The thief keeps writing (its replica does not know of the revocation).
    let late = thief
        .write(
            &thief_key,
            m,
            id,
            &edits(m, &["status=expelled", "last_name=Changed"]),
            5,
        )
        .unwrap();
    // Order A: the late changes arrive after the revocation.
    for (doc, s) in &late {
        org.dir.receive(doc, s.clone()).unwrap();
    }
    // Order B: they arrive before the revocation.
    for (doc, s) in &late {
        other.receive(doc, s.clone()).unwrap();
    }
    assert_eq!(
        other.fields(m, id)["status"].value.to_string(),
        "expelled",
        "applied before the revocation arrived"
    );
    deliver(&org.dir, &mut other);
    for replica in [&org.dir, &other] {
        let fields = replica.fields(m, id);
        assert_eq!(fields["status"].value.to_string(), "member");
        assert_eq!(fields["last_name"].value.to_string(), "Okafor");
        let revoked = replica
            .quarantine()
            .values()
            .filter(|r| **r == Reason::Revoked)
            .count();
        assert_eq!(revoked, 2, "both late changes quarantined");
    }
    assert_eq!(org.dir.state(), other.state());
    assert_eq!(org.dir.quarantine(), other.quarantine());
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    /// Actor writes a field of a record (bypassing its own checks when `force`).
    Write {
        actor: usize,
        record: usize,
        per: bool,
        value: u8,
        force: bool,
    },
    /// A direction actor grants or removes a role.
    Role {
        by: usize,
        target: usize,
        role: usize,
        granted: bool,
    },
    /// A direction actor records or withdraws an agreement.
    Agreement {
        by: usize,
        target: usize,
        signed: bool,
    },
    /// A direction actor revokes another actor (never the founder).
    Revoke { by: usize, target: usize },
    /// Actor `to` receives everything actor `from` holds.
    Sync { from: usize, to: usize },
}

const ACTORS: usize = 5;
const ROLES: [Role; 4] = [
    Role::Staff,
    Role::Board,
    Role::Direction,
    Role::ActiveMember,
];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..ACTORS, 0..3usize, any::<bool>(), any::<u8>(), any::<bool>())
            .prop_map(|(actor, record, per, value, force)| Step::Write { actor, record, per, value, force }),
        1 => (0..2usize, 1..ACTORS, 0..ROLES.len(), any::<bool>())
            .prop_map(|(by, target, role, granted)| Step::Role { by, target, role, granted }),
        1 => (0..2usize, 1..ACTORS, any::<bool>()).prop_map(|(by, target, signed)| Step::Agreement { by, target, signed }),
        1 => (0..2usize, 1..ACTORS).prop_map(|(by, target)| Step::Revoke { by, target }),
        2 => (0..ACTORS, 0..ACTORS).prop_map(|(from, to)| Step::Sync { from, to }),
    ]
}

/// Plays `steps`; returns every change made, and the founder's id.
fn play(steps: &[Step]) -> (Vec<(DocId, SignedChange)>, DeviceId, OrgId) {
    let keys: Vec<DeviceKey> = (0..ACTORS)
        .map(|_| DeviceKey::generate().unwrap())
        .collect();
    let (mut founder, _) = Replica::found(&keys[0], "Mist", "F", 1).unwrap();
    // Actor 1 is a second direction device; 2 staff with agreement; 3 board; 4 staff without.
    let roles = [
        Role::Direction,
        Role::Direction,
        Role::Staff,
        Role::Board,
        Role::Staff,
    ];
    let mut ops = Vec::new();
    for (i, key) in keys.iter().enumerate().skip(1) {
        ops.push(RegistryOp::Enrol {
            device: key.id(),
            holder: format!("A{i}"),
            city: None,
            roles: BTreeSet::from([roles[i]]),
        });
    }
    ops.push(RegistryOp::Agreement {
        device: keys[2].id(),
        signed_on: Some("2026-01-01".into()),
    });
    founder.change_registry(&keys[0], &ops, 2).unwrap();
    let org = founder.registry().org();
    let mut replicas: Vec<Replica> = keys.iter().map(|k| Replica::new(k.id(), org)).collect();
    replicas[0] = founder;
    for i in 1..ACTORS {
        let (a, b) = replicas.split_at_mut(i);
        deliver(&a[0], &mut b[0]);
    }
    let records: Vec<RecordId> = (0..3).map(|_| RecordId::random()).collect();
    let mut time = 10;
    for s in steps {
        time += 1;
        match *s {
            Step::Write {
                actor,
                record,
                per,
                value,
                force,
            } => {
                let field = if per {
                    format!("case_notes=v{value}")
                } else {
                    format!("display_name=v{value}")
                };
                let e = edits(RecordKind::Member, &[&field]);
                let r = &mut replicas[actor];
                let _ = if force {
                    r.write_unchecked(&keys[actor], RecordKind::Member, records[record], &e, time)
                } else {
                    r.write(&keys[actor], RecordKind::Member, records[record], &e, time)
                };
            }
            Step::Role {
                by,
                target,
                role,
                granted,
            } => {
                let op = RegistryOp::Role {
                    device: keys[target].id(),
                    role: ROLES[role],
                    granted,
                };
                let _ = replicas[by].change_registry(&keys[by], &[op], time);
            }
            Step::Agreement { by, target, signed } => {
                let op = RegistryOp::Agreement {
                    device: keys[target].id(),
                    signed_on: signed.then(|| "2026-02-02".into()),
                };
                let _ = replicas[by].change_registry(&keys[by], &[op], time);
            }
            Step::Revoke { by, target } => {
                let _ = replicas[by].revoke(&keys[by], keys[target].id(), time);
            }
            Step::Sync { from, to } if from != to => {
                let changes = replicas[from].all_changes();
                for (doc, signed) in changes {
                    let _ = replicas[to].receive(&doc, signed);
                }
            }
            Step::Sync { .. } => {}
        }
    }
    let mut all = Vec::new();
    for r in &replicas {
        all.extend(r.all_changes());
    }
    (all, keys[0].id(), org)
}

/// Delivers `changes` in the given order, then again until nothing new is accepted (as repeated
/// sync sessions would), to a new replica of the founder's device.
fn observe(
    changes: &[(DocId, SignedChange)],
    order: &[usize],
    me: DeviceId,
    org: OrgId,
) -> Replica {
    let mut r = Replica::new(me, org);
    for &i in order {
        let (doc, signed) = &changes[i];
        let _ = r.receive(doc, signed.clone());
    }
    loop {
        let mut new = false;
        for (doc, signed) in changes {
            new |= r.receive(doc, signed.clone()).unwrap_or(false);
        }
        if !new {
            return r;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Three replicas receiving the same changes in different orders end identical: registry,
    /// documents and quarantine.
    #[test]
    fn replicas_converge_whatever_the_history_and_delivery_order(
        steps in prop::collection::vec(step(), 1..30),
        seeds in prop::array::uniform3(any::<u64>()),
    ) {
        let (changes, me, org) = play(&steps);
        let orders: Vec<Vec<usize>> = seeds.iter().map(|seed| {
            let mut order: Vec<usize> = (0..changes.len()).collect();
            // A seeded Fisher–Yates shuffle (xorshift), so a failing case replays exactly.
            let mut x = seed | 1;
            for i in (1..order.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            order
        }).collect();
        let replicas: Vec<Replica> = orders.iter().map(|o| observe(&changes, o, me, org)).collect();
        for r in &replicas[1..] {
            prop_assert_eq!(r.state(), replicas[0].state());
            prop_assert_eq!(r.quarantine(), replicas[0].quarantine());
            prop_assert_eq!(r.registry().registry(), replicas[0].registry().registry());
        }
        prop_assert!(replicas[0].registry().evaluation().pending.is_empty());
    }
}

#[test]
fn policy_changes_are_data_in_the_registry() {
    let mut org = Org::new();
    let (key, board) = org.enrol(&[Role::Board], false);
    assert!(
        board
            .registry()
            .may_write(&key.id(), FieldClass::Act)
            .is_err()
    );
    let op = RegistryOp::Policy {
        role: Role::Board,
        class: FieldClass::Act,
        access: Access::Write,
    };
    org.dir.change_registry(&org.key, &[op], 6).unwrap();
    let mut board = board;
    deliver(&org.dir, &mut board);
    assert!(
        board
            .registry()
            .may_write(&key.id(), FieldClass::Act)
            .is_ok()
    );
}
