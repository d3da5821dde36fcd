//! Erasure on real devices (issue 13): a device that is not direction may write its own
//! receipt for an erasure and nothing else in the registry; an erased person's documents leave
//! every device, and a late change to them — forged or from a device that had not heard — is
//! refused and never stored.
#![allow(clippy::unwrap_used)]

use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{DeviceKey, DocId, Registry, RegistryOp, SignedChange};
use carnet_testkit::{T0, TestDevice, key, run, unlevel};

/// A registry change made by `dev` with `ops`, signed with its key, whatever its role.
fn registry_change(dev: &TestDevice, ops: &[RegistryOp]) -> SignedChange {
    let k = DeviceKey::from_secret_bytes(&dev.endpoint_secret());
    let mut doc = dev.registry_ledger().doc_for(&dev.id()).unwrap();
    let change = Registry::apply(&mut doc, &k, ops, T0 + 5_000)
        .unwrap()
        .unwrap();
    SignedChange::sign(&k, &dev.org(), &DocId::Registry, &change)
}

fn rejected(dev: &TestDevice) -> usize {
    dev.registry_ledger().evaluation().rejected.len()
}

#[test]
fn receipts_are_the_only_registry_change_anyone_may_make_and_erased_documents_stay_gone() {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let mut staff = TestDevice::joining(key([2; 32]), dir.org(), T0);
    let mut board = TestDevice::joining(key([3; 32]), dir.org(), T0);
    dir.enrol(staff.id(), &[Role::Staff], true);
    dir.enrol(board.id(), &[Role::Board], false);
    // A staff device whose registry changes are forged by hand (its own honest changes would
    // reuse their sequence numbers, so it takes no other part).
    let mut forger = TestDevice::joining(key([4; 32]), dir.org(), T0);
    dir.enrol(forger.id(), &[Role::Staff], true);
    run(forger.device_mut(), dir.device_mut());
    run(staff.device_mut(), dir.device_mut());
    run(board.device_mut(), dir.device_mut());
    let her = dir.new_member("Zed", Some("notes about Zed"));
    let other = dir.new_member("Yan", Some("notes about Yan"));
    run(staff.device_mut(), dir.device_mut());
    run(board.device_mut(), dir.device_mut());
    let per = DocId::record(RecordKind::Member, her, FieldClass::Per);
    assert!(!staff.export(&per).unwrap().is_empty());
    assert!(!staff.traces_of(&[her]).is_empty() && !staff.stored_traces_of(&[her]).is_empty());

    // Before any erasure, a receipt is a registry change by a staff device: rejected.
    let early = registry_change(&forger, &[RegistryOp::ErasureReceipt { record: her }]);
    let before = rejected(&dir);
    dir.device_mut()
        .receive(&DocId::Registry, vec![early])
        .unwrap();
    assert_eq!(rejected(&dir), before + 1);

    // A staff device cannot erase.
    let forged = registry_change(
        &forger,
        &[RegistryOp::Erase {
            record: other,
            reason: "x".into(),
            of: None,
            classes: None,
            markers: Default::default(),
        }],
    );
    dir.device_mut()
        .receive(&DocId::Registry, vec![forged])
        .unwrap();
    assert!(!dir.registry().unwrap().is_erased(&other));

    let now = dir.tick();
    dir.device_mut().erase(her, "art. 17", now).unwrap();
    assert!(dir.export(&per).unwrap().is_empty());
    // The staff device changes her file before hearing of the erasure.
    let late = staff.write(RecordKind::Member, her, &["first_name=Zora"]);
    assert!(late.contains(&per));
    let late: Vec<SignedChange> = staff.export(&per).unwrap();
    run(staff.device_mut(), dir.device_mut());
    run(board.device_mut(), dir.device_mut());
    run(staff.device_mut(), dir.device_mut());
    run(board.device_mut(), dir.device_mut());
    for d in [&dir, &staff, &board] {
        for class in [FieldClass::Com, FieldClass::Per] {
            let doc = DocId::record(RecordKind::Member, her, class);
            assert!(d.export(&doc).unwrap().is_empty(), "{doc}");
        }
        assert!(d.show(RecordKind::Member, other).is_ok());
        assert_eq!(d.traces_of(&[her]), Vec::<String>::new());
        assert!(!d.traces_of(&[other]).is_empty());
        let erasure = &d.registry().unwrap().erased[&her];
        let mut confirmed: Vec<_> = erasure.receipts.keys().copied().collect();
        confirmed.sort();
        let mut all = vec![dir.id(), staff.id(), board.id()];
        all.sort();
        assert_eq!(confirmed, all, "three receipts");
    }
    for d in [&mut dir, &mut staff, &mut board] {
        assert_eq!(d.stored_traces_of(&[her]), Vec::<String>::new());
    }
    assert_eq!(unlevel(dir.device(), staff.device()), Vec::<String>::new());

    // Her file's changes, delivered late, are refused and not stored.
    let report = dir.device_mut().receive(&per, late).unwrap();
    assert_eq!(report.new, 0);
    assert!(report.refused.iter().all(|(_, why)| why.contains("erased")));
    assert!(!report.refused.is_empty());
    assert!(dir.export(&per).unwrap().is_empty());
    // Writing to her is refused too.
    let now = dir.tick();
    let err = dir
        .device_mut()
        .set(
            RecordKind::Member,
            her,
            &[RecordKind::Member.parse_edit("city=Lyon").unwrap()],
            now,
        )
        .unwrap_err();
    assert!(err.to_string().contains("erased"), "{err}");
    // A receipt with anything else in the same change is not a receipt: rejected whole.
    run(forger.device_mut(), dir.device_mut());
    let mixed = registry_change(
        &forger,
        &[
            RegistryOp::ErasureReceipt { record: her },
            RegistryOp::Role {
                device: forger.id(),
                role: Role::Direction,
                granted: true,
            },
        ],
    );
    let before = rejected(&dir);
    dir.device_mut()
        .receive(&DocId::Registry, vec![mixed])
        .unwrap();
    assert_eq!(rejected(&dir), before + 1);
    assert!(!dir.registry().unwrap().is_direction(&forger.id()));
}
