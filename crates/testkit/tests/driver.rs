//! The harness and the driver on real devices: a faithful session levels two devices, a cut one
//! reports failure, a borrowed write reaches the peer after the lender resumes (issue 11), a
//! restart keeps everything, and a tampering peer's forged change is refused.
#![allow(clippy::unwrap_used)]

use carnet_model::{RecordKind, Role};
use carnet_sync::Message;
use carnet_testkit::{Faults, Sender, T0, TestDevice, drive, key, run, unlevel};

fn pair() -> (TestDevice, TestDevice) {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let mut staff = TestDevice::joining(key([2; 32]), dir.org(), T0);
    dir.enrol(staff.id(), &[Role::Staff], true);
    // The joining device dials: it learns the registry from the device that enrolled it.
    run(staff.device_mut(), dir.device_mut());
    (dir, staff)
}

#[test]
fn a_faithful_session_levels_two_devices_and_a_cut_one_is_not_complete() {
    let (mut dir, mut staff) = pair();
    assert!(unlevel(dir.device(), staff.device()).is_empty());
    let id = dir.new_member("Zed", Some("notes"));
    staff.new_member("Yan", None);
    assert!(!unlevel(dir.device(), staff.device()).is_empty());
    let o = drive(
        staff.device_mut(),
        dir.device_mut(),
        Faults {
            cut: Some(3),
            ..Faults::default()
        },
    );
    assert!(o.cut && o.a_result.is_err() && o.b_result.is_err());
    run(staff.device_mut(), dir.device_mut());
    assert_eq!(unlevel(dir.device(), staff.device()), Vec::<String>::new());
    assert_eq!(
        staff.device().show(RecordKind::Member, id).unwrap().label(),
        "Zed"
    );
}

/// Issue 11: the daemon's caches, current before it lent its store, must not answer "nothing
/// changed" once it has the store back.
#[test]
fn a_write_made_while_the_store_was_lent_reaches_the_peer() {
    let (mut dir, mut staff) = pair();
    dir.new_member("Zed", None);
    run(staff.device_mut(), dir.device_mut());
    // Caches on both sides are current.
    run(staff.device_mut(), dir.device_mut());
    let now = dir.tick();
    let lent = dir.lend(|d| {
        d.add(
            RecordKind::Member,
            &[
                RecordKind::Member.parse_edit("display_name=Xu").unwrap(),
                RecordKind::Member.parse_edit("status=member").unwrap(),
            ],
            now,
        )
        .unwrap()
    });
    let o = run(staff.device_mut(), dir.device_mut());
    assert!(
        o.a.applied.new > 0,
        "the borrowed write was not sent: {:?}",
        o.kinds()
    );
    assert!(staff.device().show(RecordKind::Member, lent).is_ok());
    assert!(unlevel(dir.device(), staff.device()).is_empty());
    // And after a restart, everything is still there.
    staff.restart();
    assert!(staff.device().show(RecordKind::Member, lent).is_ok());
    assert!(unlevel(dir.device(), staff.device()).is_empty());
}

#[test]
fn a_forged_change_injected_by_a_tampering_peer_is_refused() {
    let (mut dir, mut staff) = pair();
    let id = staff.new_member("Yan", None);
    let mut tamper = |from: Sender, m: Message| -> Vec<Message> {
        match (from, m) {
            (
                Sender::Initiator,
                Message::Push {
                    mut changes,
                    hashes,
                    want,
                    last,
                },
            ) => {
                for (_, list) in changes.iter_mut() {
                    for c in list.iter_mut() {
                        // Flip a bit of the signature (the envelope ends with it).
                        let n = c.len();
                        c[n - 1] ^= 1;
                    }
                }
                vec![Message::Push {
                    changes,
                    hashes,
                    want,
                    last,
                }]
            }
            (_, m) => vec![m],
        }
    };
    let o = drive(
        staff.device_mut(),
        dir.device_mut(),
        Faults {
            tamper: Some(&mut tamper),
            ..Faults::default()
        },
    );
    assert!(o.b.applied.refused > 0, "{:?}", o.b.applied);
    assert_eq!(o.b.applied.new, 0);
    assert!(dir.device().show(RecordKind::Member, id).is_err());
}

/// An invitation presented in a session enrols the new device once; a change a board device
/// signs behind its device's back (a personal file it may not read) is refused or quarantined,
/// never applied, and never forwarded.
#[test]
fn an_invitation_enrols_once_and_a_forged_write_never_applies() {
    let mut dir = TestDevice::found(key([3; 32]), T0);
    let secret = dir.invite(&[Role::Board], false);
    let mut board = TestDevice::joining(key([4; 32]), dir.org(), T0);
    let o = drive(
        &mut board,
        &mut dir,
        Faults {
            ticket: Some(secret),
            ..Faults::default()
        },
    );
    assert!(o.a_result.is_ok() && o.b_result.is_ok(), "{:?}", o.kinds());
    assert!(dir.peer_reads(&board.id(), carnet_model::FieldClass::Com));
    assert!(!dir.peer_reads(&board.id(), carnet_model::FieldClass::Per));
    // The same secret from another device is refused.
    let mut other = TestDevice::joining(key([5; 32]), dir.org(), T0);
    let o = drive(
        &mut other,
        &mut dir,
        Faults {
            ticket: Some(secret),
            ..Faults::default()
        },
    );
    assert!(o.b_result.is_err());
    let id = dir.new_member("Joy", Some("secret"));
    run(&mut board, &mut dir);
    let forged = board.forge(
        RecordKind::Member,
        id,
        &["case_notes=forged", "status=left"],
        T0 + 9_000,
    );
    assert_eq!(forged.len(), 2, "one change per class");
    let writes_com = dir
        .registry_ledger()
        .may_write(&board.id(), carnet_model::FieldClass::Com)
        .is_ok();
    for (doc, signed) in forged {
        let hash = signed.verify(&dir.org(), &doc).unwrap().change.hash();
        let _ = dir.receive(&doc, vec![signed]);
        let valid = dir.verdicts(&doc).unwrap().valid.contains(&hash);
        let may = doc.class() == Some(carnet_model::FieldClass::Com) && writes_com;
        assert_eq!(valid, may, "{doc}: valid only within the board's rights");
    }
    let view = dir.show(RecordKind::Member, id).unwrap();
    assert_eq!(view.fields["case_notes"].value.to_string(), "secret");
    // What the director quarantined is never forwarded: the board device stays level.
    run(&mut board, &mut dir);
    assert!(unlevel(dir.device(), board.device()).is_empty());
}

/// An invitation with a confirmation step: each device that presents the ticket is told to
/// wait and noted; only the one the inviter confirms (by its code) is enrolled; a device that
/// was not confirmed, and any device once the invitation is cancelled, gets nothing.
#[test]
fn a_confirmed_invitation_enrols_only_the_device_the_inviter_confirmed() {
    let mut dir = TestDevice::found(key([3; 32]), T0);
    let secret = dir
        .device_mut()
        .invite(
            [Role::Staff].into_iter().collect(),
            "Someone",
            None,
            None,
            chrono::Utc::now() + chrono::Duration::hours(1),
            true,
        )
        .unwrap();
    let ticket = || Faults {
        ticket: Some(secret),
        ..Faults::default()
    };
    let mut thief = TestDevice::joining(key([6; 32]), dir.org(), T0);
    let mut staff = TestDevice::joining(key([7; 32]), dir.org(), T0);
    for d in [&mut thief, &mut staff] {
        let o = drive(d, &mut dir, ticket());
        let why = o.b_result.expect_err("refused until confirmed");
        assert!(
            why.to_string()
                .contains(carnet_device::AWAITING_CONFIRMATION),
            "{why}"
        );
        assert!(!dir.peer_reads(&d.id(), carnet_model::FieldClass::Com));
    }
    let inv = dir.invitation(&secret).unwrap().unwrap();
    assert_eq!(inv.presented, vec![thief.id().0, staff.id().0]);
    // The codes differ per device; a device that never presented cannot be confirmed.
    assert_ne!(
        carnet_device::join_code(&secret, &thief.id()),
        carnet_device::join_code(&secret, &staff.id())
    );
    let stranger = TestDevice::joining(key([8; 32]), dir.org(), T0);
    assert!(!dir.confirm_invitation(&secret, &stranger.id()).unwrap());
    assert!(dir.confirm_invitation(&secret, &staff.id()).unwrap());
    let o = drive(&mut thief, &mut dir, ticket());
    assert!(o.b_result.is_err(), "the thief is not the confirmed device");
    let o = drive(&mut staff, &mut dir, ticket());
    assert!(o.a_result.is_ok() && o.b_result.is_ok(), "{:?}", o.kinds());
    assert!(dir.peer_reads(&staff.id(), carnet_model::FieldClass::Com));
    assert!(!dir.peer_reads(&thief.id(), carnet_model::FieldClass::Com));

    // A cancelled invitation is refused to everybody, confirmed or not.
    let second = dir
        .device_mut()
        .invite(
            [Role::Board].into_iter().collect(),
            "Other",
            None,
            None,
            chrono::Utc::now() + chrono::Duration::hours(1),
            true,
        )
        .unwrap();
    let mut late = TestDevice::joining(key([9; 32]), dir.org(), T0);
    let with_second = || Faults {
        ticket: Some(second),
        ..Faults::default()
    };
    let _ = drive(&mut late, &mut dir, with_second());
    assert!(dir.confirm_invitation(&second, &late.id()).unwrap());
    dir.cancel_invitation(&second).unwrap();
    let o = drive(&mut late, &mut dir, with_second());
    assert!(o.b_result.is_err());
    assert!(!dir.peer_reads(&late.id(), carnet_model::FieldClass::Com));

    // An expired invitation is refused, even to the device whose code was confirmed.
    let now = chrono::Utc::now();
    let third = dir
        .device_mut()
        .invite(
            [Role::Staff].into_iter().collect(),
            "Late",
            None,
            None,
            now + chrono::Duration::minutes(15),
            true,
        )
        .unwrap();
    let with_third = || Faults {
        ticket: Some(third),
        ..Faults::default()
    };
    let mut slow = TestDevice::joining(key([10; 32]), dir.org(), T0);
    let _ = drive(&mut slow, &mut dir, with_third());
    assert!(dir.confirm_invitation(&third, &slow.id()).unwrap());
    dir.set_clock(Some(now + chrono::Duration::minutes(16)));
    let o = drive(&mut slow, &mut dir, with_third());
    let why = o.b_result.expect_err("expired");
    assert!(why.to_string().contains("expired"), "{why}");
    assert!(!dir.peer_reads(&slow.id(), carnet_model::FieldClass::Com));
    // Within its 15 minutes it would have enrolled: the clock is what refused it.
    dir.set_clock(Some(now + chrono::Duration::minutes(14)));
    let o = drive(&mut slow, &mut dir, with_third());
    assert!(o.a_result.is_ok() && o.b_result.is_ok(), "{:?}", o.kinds());
}
