//! A device whose store was put back from an older copy (issue 15, item 3): the store looks
//! sound from the disk, but a peer holding changes the device signed and lost shows it. The
//! device stops before it signs a change that could reuse a sequence number, and says so;
//! documents it fetches again for an honest reason (it lost, then regained, the right to read
//! them) do not stop it.
#![allow(clippy::unwrap_used)]

use carnet_device::{Device, OpenDeviceError, WriteError};
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{DocId, RegistryOp};
use carnet_sync::{HALTED, SessionError};
use carnet_testkit::{Faults, PASSPHRASE, T0, TestDevice, drive, key, run};

/// A copy of `dev`'s store and record keys as they are now (taken as one copies the closed
/// files of a home).
fn copy_of(dev: &mut TestDevice) -> carnet_device::Memory {
    dev.device_mut().suspend();
    let copy = dev.memory().copied();
    dev.device_mut().resume().unwrap();
    copy
}

fn assert_stopped(outcome: &carnet_testkit::Outcome, rolled_back_initiated: bool) {
    let (mine, theirs) = if rolled_back_initiated {
        (&outcome.a_result, &outcome.b_result)
    } else {
        (&outcome.b_result, &outcome.a_result)
    };
    assert!(
        matches!(mine, Err(SessionError::Halted(why)) if why.contains("rolled back or tampered with")),
        "{outcome:?}"
    );
    assert_eq!(
        theirs,
        &Err(SessionError::Refused(HALTED.into())),
        "{outcome:?}"
    );
}

#[test]
fn a_store_put_back_from_an_older_copy_stops_at_the_next_session_and_signs_nothing() {
    for rolled_back_initiates in [true, false] {
        let mut dir = TestDevice::found(key([1; 32]), T0);
        let mut staff = dir.enrol_new(&[Role::Staff], true);
        run(staff.device_mut(), dir.device_mut());
        let ada = staff.new_member("Ada", Some("first notes"));
        run(staff.device_mut(), dir.device_mut());
        let old = copy_of(&mut staff);

        // Newer changes, which the direction device receives.
        staff.write(RecordKind::Member, ada, &["display_name=Ada B"]);
        run(staff.device_mut(), dir.device_mut());
        let dir_held = dir.held_everything();

        // The disk is put back: the older copy is consistent, so it opens.
        drop(staff);
        let mut back = Device::open_in_memory(&old, PASSPHRASE).unwrap();
        assert!(back.halted().is_none());
        let outcome = if rolled_back_initiates {
            drive(&mut back, dir.device_mut(), Faults::default())
        } else {
            drive(dir.device_mut(), &mut back, Faults::default())
        };
        assert_stopped(&outcome, rolled_back_initiates);
        assert!(back.halted().is_some());

        // Stopped: no write, however small, and no change the peer could take for an
        // equivocation.
        let edit = RecordKind::Member.parse_edit("display_name=Ada C").unwrap();
        let err = back
            .set(
                RecordKind::Member,
                ada,
                &[edit],
                carnet_testkit::at(T0 + 99_000),
            )
            .unwrap_err();
        assert!(matches!(err, WriteError::RolledBack(_)), "{err}");
        let again = drive(&mut back, dir.device_mut(), Faults::default());
        assert!(again.a_result.is_err() && again.b_result.is_err());
        assert_eq!(dir.held_everything(), dir_held, "the peer received nothing");
        assert!(
            dir.verdicts(&DocId::record(RecordKind::Member, ada, FieldClass::Com))
                .unwrap()
                .rejected
                .is_empty()
        );

        // Noted in the store: reopening refuses, with the message.
        drop(back);
        match Device::open_in_memory(&old, PASSPHRASE) {
            Err(OpenDeviceError::RolledBack(why)) => assert!(
                why.to_string()
                    .contains("restore a backup with `carnet restore`"),
                "{why}"
            ),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn a_direction_device_that_lost_its_own_registry_change_stops() {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let mut other = dir.enrol_new(&[Role::Direction], true);
    run(other.device_mut(), dir.device_mut());
    let old = copy_of(&mut dir);
    // The revocation of a leaver, made here and received by the other direction device.
    let leaver = dir.enrol_new(&[Role::Staff], false);
    dir.revoke(leaver.id());
    run(other.device_mut(), dir.device_mut());

    drop(dir);
    let mut back = Device::open_in_memory(&old, PASSPHRASE).unwrap();
    let outcome = drive(&mut back, other.device_mut(), Faults::default());
    assert_stopped(&outcome, true);
}

#[test]
fn a_document_fetched_again_after_losing_the_right_to_read_it_does_not_stop_the_device() {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let mut staff = dir.enrol_new(&[Role::Staff], true);
    run(staff.device_mut(), dir.device_mut());
    let ada = staff.new_member("Ada", Some("notes"));
    run(staff.device_mut(), dir.device_mut());
    let per = DocId::record(RecordKind::Member, ada, FieldClass::Per);

    // The agreement withdrawn: the staff device deletes the personal files it wrote...
    let now = dir.tick();
    let withdraw = RegistryOp::Agreement {
        device: staff.id(),
        signed_on: None,
    };
    dir.device_mut().change_registry(&[withdraw], now).unwrap();
    run(staff.device_mut(), dir.device_mut());
    assert!(staff.export(&per).unwrap().is_empty());
    // ...and signed again: it receives its own change back, honestly.
    let now = dir.tick();
    let sign = RegistryOp::Agreement {
        device: staff.id(),
        signed_on: Some("2026-02-01".into()),
    };
    dir.device_mut().change_registry(&[sign], now).unwrap();
    let outcome = run(staff.device_mut(), dir.device_mut());
    assert!(
        outcome.a_result.is_ok() && outcome.b_result.is_ok(),
        "{outcome:?}"
    );
    assert!(staff.halted().is_none());
    assert_eq!(staff.export(&per).unwrap().len(), 1);
}
