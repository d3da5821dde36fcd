//! Who read a personal file reaches direction (issue 15, item 9), on real devices: a staff
//! device's access log travels to direction devices and between them, never to a staff or
//! board device that is not its own; entries a device did not sign, or that rewrite a place
//! in a log already held, are refused; a device that stops reading security documents
//! forgets the logs of others.
#![allow(clippy::unwrap_used)]

use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{AccessEntry, AccessKind, AccessRead, DeviceKey, DocId, RegistryOp};
use carnet_sync::SyncData;
use carnet_testkit::{T0, TestDevice, key, run};

/// The devices whose entries `dev` holds.
fn logged_devices(dev: &TestDevice) -> Vec<carnet_replica::DeviceId> {
    let mut out: Vec<_> = dev
        .access_log(None)
        .unwrap()
        .iter()
        .map(|e| e.device)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn names_a_log(o: &carnet_testkit::Outcome) -> bool {
    o.docs_named().iter().any(|d| d.starts_with("access-log/"))
}

#[test]
fn a_staff_devices_reads_reach_direction_devices_only() {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let mut staff = TestDevice::joining(key([2; 32]), dir.org(), T0);
    let mut board = TestDevice::joining(key([3; 32]), dir.org(), T0);
    let mut dir2 = TestDevice::joining(key([4; 32]), dir.org(), T0);
    let mut other = TestDevice::joining(key([5; 32]), dir.org(), T0);
    dir.enrol(staff.id(), &[Role::Staff], true);
    dir.enrol(board.id(), &[Role::Board], false);
    dir.enrol(dir2.id(), &[Role::Direction], true);
    dir.enrol(other.id(), &[Role::Staff], true);
    let person = dir.new_member("Awa", Some("her file"));
    for d in [&mut staff, &mut board, &mut dir2, &mut other] {
        run(d, &mut dir);
    }

    // The staff device reads her file twice.
    for how in [AccessKind::Show, AccessKind::Page] {
        staff
            .note_access(RecordKind::Member, person, FieldClass::Per, how)
            .unwrap();
    }
    assert_eq!(staff.access_log(None).unwrap().len(), 2);

    // To another staff device and to a board device: nothing of the log.
    for d in [&mut other, &mut board] {
        let o = run(&mut staff, d);
        assert!(!names_a_log(&o), "{:?}", o.docs_named());
        assert!(d.access_log(None).unwrap().is_empty());
    }
    // To direction: both entries, checked; then on to the second direction device.
    let o = run(&mut staff, &mut dir);
    assert!(names_a_log(&o));
    assert_eq!(logged_devices(&dir), vec![staff.id()]);
    assert_eq!(dir.access_log(Some(person)).unwrap().len(), 2);
    assert!(dir.check_access_log().unwrap().is_empty());
    run(&mut dir2, &mut dir);
    assert_eq!(dir2.access_log(Some(person)).unwrap().len(), 2);
    // Direction never hands it to a staff or board device, even when they ask first.
    for d in [&mut other, &mut board] {
        let o = run(d, &mut dir);
        assert!(!names_a_log(&o), "{:?}", o.docs_named());
        assert!(d.access_log(None).unwrap().is_empty());
    }
    // Level: a second session moves no entry.
    let again = run(&mut staff, &mut dir);
    assert!(
        again
            .changes_from(carnet_testkit::Sender::Initiator)
            .is_empty()
            && again
                .changes_from(carnet_testkit::Sender::Responder)
                .is_empty(),
        "{:?}",
        again.kinds()
    );

    // A third read reaches direction at the next sync.
    staff
        .note_access(
            RecordKind::Member,
            person,
            FieldClass::Per,
            AccessKind::ExportFile,
        )
        .unwrap();
    run(&mut dir, &mut staff);
    assert_eq!(dir.access_log(Some(person)).unwrap().len(), 3);

    // Entries direction must refuse: signed by another key than the log's device, and a
    // second entry for a place already held (the staff device rewriting its past).
    let log = dir.access_log(Some(person)).unwrap();
    let thief = DeviceKey::from_secret_bytes(&other.endpoint_secret());
    let read = AccessRead {
        kind: "member".into(),
        record: person,
        class: FieldClass::Per,
        how: AccessKind::Show,
    };
    let mut forged = AccessEntry::sign(
        &thief,
        &dir.org(),
        3,
        log[2].hash(&dir.org()),
        1,
        read.clone(),
    );
    forged.device = staff.id();
    let staff_key = DeviceKey::from_secret_bytes(&staff.endpoint_secret());
    let rewritten = AccessEntry::sign(&staff_key, &dir.org(), 1, log[0].hash(&dir.org()), 9, read);
    let doc = DocId::AccessLog(staff.id());
    let before = dir.access_log(None).unwrap();
    let applied = SyncData::apply_docs(
        dir.device_mut(),
        vec![(
            doc,
            vec![
                postcard::to_stdvec(&forged).unwrap(),
                postcard::to_stdvec(&rewritten).unwrap(),
            ],
        )],
    );
    assert_eq!((applied.new, applied.refused), (0, 2));
    assert_eq!(dir.access_log(None).unwrap(), before);

    // The second direction device loses the direction role: it forgets others' logs.
    let now = dir.tick();
    dir.device_mut()
        .change_registry(
            &[
                RegistryOp::Role {
                    device: dir2.id(),
                    role: Role::Staff,
                    granted: true,
                },
                RegistryOp::Role {
                    device: dir2.id(),
                    role: Role::Direction,
                    granted: false,
                },
            ],
            now,
        )
        .unwrap();
    run(&mut dir2, &mut dir);
    assert!(dir2.access_log(None).unwrap().is_empty());
}
