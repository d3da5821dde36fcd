//! Regressions found by the `document_load` fuzz target (inputs in `fuzz/regressions/`) that
//! deliver a crafted change to a whole device, on the real `Device` (the ones on documents,
//! envelopes and ledgers alone are `crates/replica/tests/fuzz_regressions.rs`).
//!
//! Automerge 0.12 panics on some malformed changes, and any device key can sign any change
//! bytes, so a writer that is enrolled — or was, and names registry heads from before its
//! revocation — can send one: a device must refuse it, never panic nor lose data.
#![allow(clippy::unwrap_used)]

use std::num::NonZeroU64;

use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
use automerge::{ActorId, Change, ChangeHash, ExpandedChange, ScalarValue};
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{DeviceIdExt, DeviceKey, DocId, RecordId, SignedChange};
use carnet_testkit::{T0, TestDevice, key};

/// A change of one op setting root key `key` to "x", with the given `pred` and message, as
/// received (parsed from its bytes).
fn crafted(
    actor: &ActorId,
    seq: u64,
    start_op: u64,
    deps: Vec<ChangeHash>,
    key: &str,
    pred: Vec<OpId>,
    message: Option<String>,
) -> Change {
    let expanded = ExpandedChange {
        operations: vec![Op {
            action: OpType::Put(ScalarValue::Str("x".into())),
            obj: ObjectId::Root,
            key: Key::Map(key.into()),
            pred: pred.into(),
            insert: false,
        }],
        actor_id: actor.clone(),
        hash: None,
        seq,
        start_op: NonZeroU64::new(start_op).unwrap(),
        time: T0,
        message,
        deps,
        extra_bytes: vec![],
        author: None,
    };
    Change::from_bytes(Change::from(expanded).raw_bytes().to_vec()).unwrap()
}

/// `regressions/document_load/unknown-actor-*`: automerge panics in `import_ops`
/// (`lookup_actor(..).unwrap()`) applying a change whose op names an actor that authored no
/// change of the document.
fn unknown_actor_change(author: &DeviceKey, registry_heads: &[ChangeHash]) -> Change {
    let stranger = ActorId::from([0x42u8; 32].as_slice());
    let mut sorted: Vec<String> = registry_heads
        .iter()
        .map(|h| h.0.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    sorted.sort();
    let message =
        (!sorted.is_empty()).then(|| format!("carnet/registry-heads/v1 {}", sorted.join(" ")));
    crafted(
        &author.id().actor(0),
        1,
        1,
        vec![],
        "display_name",
        vec![OpId(1, stranger)],
        message,
    )
}

/// A founder's device that enrolled a staff device (which may write COM); the staff key.
fn organisation() -> (TestDevice, DeviceKey) {
    let mut dir = TestDevice::found(key([1; 32]), T0);
    let staff = key([2; 32]);
    dir.enrol(staff.id(), &[Role::Staff], false);
    (dir, staff)
}

fn member_com() -> DocId {
    DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Com)
}

/// Whether `dir` holds `hash` as a valid change of `doc`.
fn valid(dir: &TestDevice, doc: &DocId, hash: ChangeHash) -> bool {
    dir.verdicts(doc).unwrap().valid.contains(&hash)
}

#[test]
fn an_enrolled_writer_cannot_crash_a_device_with_an_unknown_actor() {
    let (mut dir, staff) = organisation();
    let doc = member_com();
    let change = unknown_actor_change(&staff, &dir.registry_ledger().doc().heads());
    let signed = SignedChange::sign(&staff, &dir.org(), &doc, &change);
    // Panicked (on the replica that was the device's copy): receive → `DocLedger::new` →
    // `walk` → `Doc::apply`.
    let _ = dir.receive(&doc, vec![signed]);
    assert!(
        !valid(&dir, &doc, change.hash()),
        "a malformed change was accepted"
    );
    // The device goes on working, and still after a restart.
    dir.restart();
    dir.new_member("Joy", None);
}

#[test]
fn a_revoked_writer_naming_old_registry_heads_cannot_crash_a_device() {
    let (mut dir, staff) = organisation();
    let before_revocation = dir.registry_ledger().doc().heads();
    dir.revoke(staff.id());
    let doc = member_com();
    let change = unknown_actor_change(&staff, &before_revocation);
    let signed = SignedChange::sign(&staff, &dir.org(), &doc, &change);
    // Panicked too: the change is judged (and applied) against the registry it names, before
    // revocations are applied.
    let _ = dir.receive(&doc, vec![signed]);
    assert!(!valid(&dir, &doc, change.hash()));
}

#[test]
fn a_malformed_registry_change_neither_crashes_nor_erases_the_registry() {
    let (mut dir, _) = organisation();
    let founder = key([1; 32]);
    let member = dir.new_member("Joy", Some("notes"));
    let actor = founder.id().actor(0);
    let registry = dir.registry_ledger().doc();
    let changes = registry.changes();
    let seq = changes
        .iter()
        .filter(|c| c.actor_id() == &actor)
        .map(Change::seq)
        .max()
        .unwrap()
        + 1;
    let start_op = changes.iter().map(Change::max_op).max().unwrap() + 1;
    // Op 2 of the genesis sets the founder's `holder`, not `org/name`.
    let bad = crafted(
        &actor,
        seq,
        start_op,
        registry.heads(),
        "org/name",
        vec![OpId(2, actor.clone())],
        None,
    );
    let signed = SignedChange::sign(&founder, &dir.org(), &DocId::Registry, &bad);
    // Panicked: registry ledger insert → `Registry::read` → `Doc::changes`. Where
    // `Doc::changes` catches that panic and answers no changes, `Registry::read` finds no
    // genesis: the registry is gone, and with it every document this device may read.
    let _ = dir.receive(&DocId::Registry, vec![signed]);
    for restarted in [false, true] {
        if restarted {
            dir.restart();
        }
        assert!(
            dir.registry()
                .is_some_and(|r| r.is_direction(&founder.id())),
            "the registry was lost (restarted: {restarted})"
        );
        assert!(
            !dir.registry_ledger()
                .evaluation()
                .valid
                .contains(&bad.hash()),
            "a malformed registry change was accepted"
        );
        let fields = dir.show(RecordKind::Member, member).unwrap().fields;
        assert!(
            fields.contains_key("display_name") && fields.contains_key("case_notes"),
            "the device's records were erased (restarted: {restarted})"
        );
    }
}
