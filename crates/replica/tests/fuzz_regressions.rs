//! Regressions found by the `document_load` and `ledger` fuzz targets (inputs in
//! `fuzz/regressions/`), written against `carnet-replica`'s public API: documents, envelopes
//! and ledgers. Those that deliver a crafted change to a whole device run on the real `Device`
//! (`crates/testkit/tests/fuzz_regressions.rs`).
//!
//! Automerge 0.12 panics on two kinds of malformed change, and gives a third kind (bytes that
//! are not its canonical encoding) back under another hash. Any device key can sign any change
//! bytes, so a writer that is enrolled — or was, and names registry heads from before its
//! revocation — can send one; a replica must refuse it, never panic nor lose data. And the
//! registry heads an envelope names were not covered by the change's hash, so one change could
//! come in two envelopes that were judged differently. All are fixed: changes are checked for
//! what Carnet writes (`shape.rs`) and carry their registry heads in their message.

use std::collections::BTreeSet;
use std::num::NonZeroU64;

use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
use automerge::{ActorId, Change, ChangeHash, ExpandedChange, ScalarValue};
use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{
    DeviceId, DeviceIdExt, DeviceKey, Doc, DocError, DocId, DocLedger, HistoryEntry, OrgId,
    Received, RecordId, Registry, RegistryLedger, RegistryOp, SignedChange, VerifyError,
};

const T0: i64 = 1_700_000_000_000;

/// A change of one op setting root key `key`, with the given `pred`, as received (parsed from
/// its bytes).
fn crafted(
    actor: &ActorId,
    seq: u64,
    start_op: u64,
    deps: Vec<ChangeHash>,
    key: &str,
    pred: Vec<OpId>,
) -> Change {
    crafted_with(actor, seq, start_op, deps, key, pred, None)
}

/// Like [`crafted`], with a change message (where registry heads are named).
fn crafted_with(
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
        start_op: NonZeroU64::new(start_op).expect("non-zero"),
        time: T0,
        message,
        deps,
        extra_bytes: vec![],
        author: None,
    };
    Change::from_bytes(Change::from(expanded).raw_bytes().to_vec()).expect("a change")
}

/// The registry of an organisation whose founder enrolled a staff device (which may write COM).
fn organisation() -> (DeviceKey, DeviceKey, RegistryLedger) {
    let founder = DeviceKey::generate().expect("key");
    let staff = DeviceKey::generate().expect("key");
    let (_, genesis, org) =
        Registry::genesis(&founder, "Mist", "Founder", None, "2023-11-14", T0).expect("found");
    let mut registry = RegistryLedger::new(org);
    let signed = SignedChange::sign(&founder, &org, &DocId::Registry, &genesis);
    registry.insert([Received::verify(&org, &DocId::Registry, signed).expect("genesis")]);
    let mut doc = registry.doc_for(&founder.id()).expect("registry");
    let ops = [RegistryOp::Enrol {
        device: staff.id(),
        holder: "Staff".into(),
        city: None,
        roles: BTreeSet::from([Role::Staff]),
    }];
    let enrol = Registry::apply(&mut doc, &founder, &ops, T0 + 1_000)
        .expect("enrol")
        .expect("a change");
    let signed = SignedChange::sign(&founder, &org, &DocId::Registry, &enrol);
    registry.insert([Received::verify(&org, &DocId::Registry, signed).expect("enrol")]);
    assert!(
        registry
            .registry()
            .is_some_and(|r| r.device(&staff.id()).is_some())
    );
    (founder, staff, registry)
}

fn member_com() -> DocId {
    DocId::record(RecordKind::Member, RecordId::random(), FieldClass::Com)
}

/// `regressions/document_load/unknown-actor-*`: automerge panics in `import_ops`
/// (`op_set2/change/batch.rs:1121`, `lookup_actor(..).unwrap()`) applying a change whose op names
/// an actor that authored no change of the document.
fn unknown_actor_change(author: &DeviceKey, registry_heads: &[ChangeHash]) -> Change {
    let stranger = ActorId::from([0x42u8; 32].as_slice());
    let mut sorted: Vec<String> = registry_heads.iter().map(|h| hex::encode(h.0)).collect();
    sorted.sort();
    let message =
        (!sorted.is_empty()).then(|| format!("carnet/registry-heads/v1 {}", sorted.join(" ")));
    crafted_with(
        &author.id().actor(0),
        1,
        1,
        vec![],
        "display_name",
        vec![OpId(1, stranger)],
        message,
    )
}

#[test]
fn a_change_naming_an_unknown_actor_does_not_load() {
    let staff = DeviceKey::generate().expect("key");
    // Panicked: `Doc::from_changes` → `Automerge::apply_changes`. Now refused before
    // Automerge sees it.
    assert!(matches!(
        Doc::from_changes(member_com(), vec![unknown_actor_change(&staff, &[])]),
        Err(DocError::Malformed)
    ));
}

/// `regressions/document_load/pred-other-key-*`: automerge applies a change whose op's `pred`
/// names an op of another key, then panics returning the document's changes
/// (`op_set2/change/collector.rs:299`, `assertion failed: self.data[index].is_none()`).
#[test]
fn a_document_holding_a_pred_naming_an_op_of_another_key_gives_its_changes_back() {
    let author = DeviceKey::generate().expect("key").id().actor(0);
    let first = crafted(&author, 1, 1, vec![], "display_name", vec![]);
    let second = crafted(
        &author,
        2,
        2,
        vec![first.hash()],
        "status",
        vec![OpId(1, author.clone())],
    );
    let hashes = [first.hash(), second.hash()];
    // Either the change is refused (it is now: `Malformed`), or the document gives back what it
    // holds.
    let loaded = Doc::from_changes(member_com(), vec![first, second]);
    assert!(matches!(loaded, Err(DocError::Malformed)));
    if let Ok(doc) = loaded {
        // Panicked: `Doc::changes` → `Automerge::get_changes` (where that panic is caught,
        // `Doc::changes` answers nothing and `Doc::change` nothing either).
        let back: Vec<ChangeHash> = doc.changes().iter().map(Change::hash).collect();
        assert_eq!(back, hashes, "the document does not give back its changes");
        for h in hashes {
            assert_eq!(doc.change(&h).map(|c| c.hash()), Some(h));
        }
    }
}

/// `regressions/document_load/non-canonical-*`: a change (by the key with secret `[1; 32]`)
/// whose value column's metadata was altered (one byte): automerge parses and applies it under
/// the hash of these bytes, but gives it back re-encoded under another hash (`Doc::change(h)` returns a
/// change whose hash is not `h`, and `Doc::changes()` — which `Registry::read` and
/// `RegistryLedger::doc_for` use — lists that other hash); with automerge's debug assertions
/// on, `Doc::changes()` panics (`op_set2/change/collector.rs:753`).
const NON_CANONICAL: &str = "856f4a837dcbcf2d01b50100208a88e3dd7409f195fd52db2d3cba5d72ca67\
    09bf1d94121bf3748801b40f6f5c010188f795ffbc31000006155d340142025607571370027a0c646973706c61\
    795f6e616d65067374617475730c6d656d6265725f73696e636517776f726b696e675f67726f7570732f616476\
    6f6361637914776f726b696e675f67726f7570732f6d656469610d737065616b735f6672656e63680606017d32\
    66a60103024a6f796d656d626572323032342d30332d30310600";

fn unhex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}

#[test]
fn a_change_that_is_not_canonically_encoded_is_refused() {
    let key = DeviceKey::from_secret_bytes(&[1; 32]);
    let mut bytes = unhex(NON_CANONICAL);
    // As the fuzzer found it, its header checksum is stale (so the envelope check refuses it);
    // a sender would set it right: the first 4 bytes of the hash, which does not cover them.
    let hash = Change::from_bytes(bytes.clone())
        .expect("automerge parses it")
        .hash();
    bytes[4..8].copy_from_slice(&hash.0[..4]);
    let change = Change::from_bytes(bytes).expect("automerge parses it");
    assert_eq!(change.hash(), hash);
    assert_eq!(DeviceId::from_actor(change.actor_id()), Some(key.id()));
    assert_ne!(
        Change::from(change.decode()).hash(),
        change.hash(),
        "the bytes are not automerge's own encoding"
    );
    // Either a document refuses it, or gives it back under the hash it was applied with.
    if let Ok(loaded) = Doc::from_changes(member_com(), vec![change.clone()]) {
        assert_eq!(
            loaded.change(&hash).map(|c| c.hash()),
            Some(hash),
            "the document gives the change back under another hash, or not at all"
        );
    }
    let (org, doc) = (OrgId::random(), member_com());
    let signed = SignedChange::sign(&key, &org, &doc, &change);
    // Accepted today: the envelope check compares the bytes with the parsed change's raw bytes
    // (the same bytes) and the checksum with the hash.
    assert!(
        signed.verify(&org, &doc).is_err(),
        "a change automerge would give back under another hash was accepted"
    );
}

/// `regressions/ledger/envelope-heads-*`: the registry heads an envelope names were signed but
/// not part of the change's hash, by which ledgers keep changes (and devices sync them). Its
/// author could sign one change twice, naming different registry heads; a ledger kept whichever
/// envelope it got last, and judged the change by it: two devices holding the same changes
/// disagreed for good. Now the heads are in the change itself: an envelope naming others does
/// not verify (a correctly signed twin is tested in `envelope.rs`).
#[test]
fn a_change_has_the_registry_heads_it_was_made_at_and_no_others() {
    let (_, staff, registry) = organisation();
    let org = registry.org();
    let doc = member_com();
    let edit = RecordKind::Member
        .parse_edit("display_name=Joy")
        .expect("an edit");
    let heads = registry.doc().heads();
    let mut d = Doc::new(doc.clone());
    d.set_registry_heads(&heads);
    let change = d
        .edit_record(&staff, &[edit], T0 + 5_000)
        .expect("edit")
        .expect("a change");
    let signed = SignedChange::sign(&staff, &org, &doc, &change);
    assert_eq!(signed.registry_heads(), heads);
    let r = Received::verify(&org, &doc, signed.clone()).expect("verifies");
    let ledger = DocLedger::new(doc.clone(), [r], &registry);
    assert!(ledger.evaluation().valid.contains(&change.hash()));
    let twin = SignedChange {
        registry_heads: vec![],
        ..signed
    };
    assert!(matches!(
        twin.verify(&org, &doc),
        Err(VerifyError::HeadsMismatch)
    ));
}

/// `regressions/document_load/decode-pred-actor-*`: a change (by the key with secret `[3; 32]`)
/// whose op's `pred` names actor index 2 of a change that lists two actors: automerge parses it,
/// then `Change::decode` panics (`change.rs:346`, `unwrap` on `None`). `HistoryEntry::of` decodes
/// every change `carnet history` and `carnet quarantine` show, rejected ones included, so any
/// key's change, once a peer delivered it, crashes them for good.
const BAD_PRED_ACTOR: &str = "856f4a837be8738201a00101fba8330653eb2a6184b8b8e73bd3b916c604e137\
    cbf8198998af113ae462e01c20ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1\
    0109f8a596ffbc310001208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0815\
    0e34014202560357087002710273027f0c646973706c61795f6e616d65017f017f8601496e7472756465727f01\
    7f027f01";

#[test]
fn the_history_of_a_change_whose_pred_names_no_actor_does_not_panic() {
    let key = DeviceKey::from_secret_bytes(&[3; 32]);
    let mut bytes = unhex(BAD_PRED_ACTOR);
    let hash = Change::from_bytes(bytes.clone())
        .expect("automerge parses it")
        .hash();
    bytes[4..8].copy_from_slice(&hash.0[..4]);
    let change = Change::from_bytes(bytes).expect("automerge parses it");
    assert_eq!(DeviceId::from_actor(change.actor_id()), Some(key.id()));
    let (org, doc) = (OrgId::random(), member_com());
    let signed = SignedChange::sign(&key, &org, &doc, &change);
    // Refusing it at the door would do; a change that is let in must have a history entry.
    if let Ok(r) = Received::verify(&org, &doc, signed) {
        // Panicked: `HistoryEntry::of` → `touched_fields` → `Change::decode`.
        let entry = HistoryEntry::of(&r.change, r.author);
        assert_eq!(entry.hash, hash);
    }
}
