//! The bodies of the fuzz targets. Each must never panic on any input; the assertions in them
//! are properties whose failure is a bug (a crash libFuzzer reports). The `frames`, `keyring`
//! and `csv_import` targets have modules of their own (`framing.rs`, `keyring.rs`,
//! `csv_import.rs`), re-exported here.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use automerge::{Change, ChangeHash};
use carnet_model::{Access, FieldClass, RecordKind, Role};
use carnet_replica::{
    DeviceId, DeviceIdExt, Doc, DocError, DocId, DocLedger, HistoryEntry, Received, Registry,
    RegistryLedger, RegistryOp, SignedChange, author_heads, registry_heads_of, touched_fields,
};
use carnet_sync::{MAX_MESSAGE, Message, Role as Side, Session, SyncData};

use carnet_device::Device;

use crate::fixture::{self, Fixture, PEERS, fixture};
use crate::frames::{Choices, frames as split};

pub use crate::csv_import::csv_import;
pub use crate::framing::frames;
pub use crate::keyring::keyring;

/// `carnet_sync::Message::decode`; a decoded message re-encodes to bytes that decode to it.
pub fn wire_message(data: &[u8]) {
    guard(|| wire_message_body(data));
}

fn wire_message_body(data: &[u8]) {
    let Ok(m) = Message::decode(data) else {
        return;
    };
    let bytes = m.encode();
    assert!(
        bytes.len() <= data.len(),
        "re-encoding grew the message ({} > {})",
        bytes.len(),
        data.len()
    );
    assert_eq!(Message::decode(&bytes).as_ref(), Ok(&m), "round trip");
}

/// `SignedChange::from_bytes`, then `verify` / `verify_as` / `Received::verify` for the fixture's
/// organisation and every fixture document (so seeds made from real changes verify), and the
/// history entry of what verifies.
pub fn signed_change(data: &[u8]) {
    guard(|| signed_change_body(data));
}

fn signed_change_body(data: &[u8]) {
    let Ok(signed) = SignedChange::from_bytes(data) else {
        return;
    };
    assert_eq!(
        SignedChange::from_bytes(&signed.to_bytes()).as_ref(),
        Ok(&signed),
        "envelope round trip"
    );
    let fx = fixture();
    let mut verified_for = Vec::new();
    let docs = std::iter::once(DocId::Registry).chain(fixture::doc_ids());
    for doc in docs {
        let v = signed.verify(&fx.org, &doc);
        let r = Received::verify(&fx.org, &doc, signed.clone());
        assert_eq!(v.is_ok(), r.is_ok(), "verify and Received::verify disagree");
        if let Ok(v) = v {
            let hash = v.change.hash();
            assert_eq!(v.change.raw_bytes(), signed.change.as_slice());
            assert!(signed.verify_as(&fx.org, &doc, &hash).is_ok());
            assert!(
                signed
                    .verify_as(&fx.org, &doc, &ChangeHash([0; 32]))
                    .is_err()
                    || hash == ChangeHash([0; 32])
            );
            let entry = HistoryEntry::of(&v.change, v.author);
            assert_eq!(entry.author, v.author);
            verified_for.push(doc);
        }
    }
    // A signature names one document: it never verifies for two.
    assert!(
        verified_for.len() <= 1,
        "one envelope verified for {verified_for:?}"
    );
    // Nor for another organisation.
    let other = carnet_replica::OrgId(uuid::Uuid::from_bytes([0xAB; 16]));
    if let Some(doc) = verified_for.first() {
        assert!(signed.verify(&other, doc).is_err());
    }
}

/// Document loading: the input is u16-BE-length-framed Automerge change bytes (see
/// [`crate::frames::frames`]), parsed with `Change::from_bytes` and given to `Doc::from_changes` and, in
/// chunks, to `Doc::apply`; then `record_fields`, `Registry::read`, `touched_fields` and
/// `HistoryEntry::of`. A document loaded gives back exactly the changes it was given; a chunk
/// `apply` refuses leaves the document as it was; loading in chunks (when every chunk is
/// applied) gives the same document as loading at once.
pub fn document_load(data: &[u8]) {
    guard(|| raw_changes(data));
}

/// The ledgers: the input is a script (see [`ledger_script`]) that builds validly signed changes
/// by the fixture's devices, honest and not, and checks the registry's and documents' verdicts
/// do not depend on the order and grouping in which changes arrive.
pub fn ledger(data: &[u8]) {
    guard(|| ledger_script(data));
}

fn raw_changes(data: &[u8]) {
    let changes: Vec<Change> = split(data).take(64).filter_map(change_chunk).collect();
    for c in &changes {
        history(c, DeviceId([0; 32]));
        let _ = DeviceId::from_actor(c.actor_id());
        let _ = DeviceId::epoch_of(c.actor_id());
    }
    let id = fixture::doc_ids()[0].clone();
    let whole = Doc::from_changes(id.clone(), changes.clone());
    if let Ok(doc) = &whole {
        // A document gives back every change under the hash it was applied with, and no other
        // (`regressions/document_load/non-canonical-*`, `pred-other-key-*`).
        for c in &changes {
            let h = c.hash();
            assert_eq!(
                doc.change(&h).map(|back| back.hash()),
                Some(h),
                "the document returns another change for {h}, or none"
            );
        }
        let given: BTreeSet<ChangeHash> = changes.iter().map(Change::hash).collect();
        let back: BTreeSet<ChangeHash> = doc.changes().iter().map(Change::hash).collect();
        assert_eq!(
            back, given,
            "the document gives back other changes than it loaded"
        );
        for kind in RecordKind::ALL {
            let _ = doc.record_fields(kind);
        }
        let _ = Registry::read(doc);
        let _ = Registry::read_for(doc, &fixture().org);
        let heads = doc.heads();
        let _ = Registry::read_at(doc, Some(&heads));
        for h in &heads {
            assert!(doc.has(h));
        }
    }
    // The same changes in chunks of up to three. `apply` is all or nothing: a chunk refused
    // (missing dependencies, a malformed change) leaves the document as it was.
    let mut doc = Doc::new(id);
    let mut all_applied = true;
    for chunk in changes.chunks(3) {
        let before = doc.heads();
        let result = doc.apply(chunk.to_vec());
        if let Err(e @ (DocError::MissingDeps(_) | DocError::Malformed)) = &result {
            assert_eq!(
                doc.heads(),
                before,
                "a refused chunk ({e}) changed the document"
            );
        }
        all_applied &= result.is_ok();
    }
    let _ = doc.record_fields(RecordKind::Member);
    if let (Ok(whole), true) = (&whole, all_applied) {
        assert_eq!(
            whole.heads(),
            doc.heads(),
            "loading in chunks and at once differ"
        );
        assert_eq!(
            whole.record_fields(RecordKind::Member),
            doc.record_fields(RecordKind::Member)
        );
    }
}

/// `bytes` parsed as an Automerge change, if they are a change chunk (chunk type 1, what Carnet
/// writes). Only `SignedChange::verify` parses change bytes from peers, and the `signed_change`
/// and `session` targets feed it anything; here, other chunk types are skipped, because
/// automerge 0.12's `Change::from_bytes` parses a whole bundle (type 3) or inflates a compressed
/// change (type 2) before refusing it, and panics or allocates without bound on some
/// (`regressions/signed_change/bundle-*`): a harness parse must not find that bug again.
fn change_chunk(bytes: &[u8]) -> Option<Change> {
    if bytes.get(8) != Some(&1) {
        return None;
    }
    Change::from_bytes(bytes.to_vec()).ok()
}

/// The history entry of a change (what `carnet history` and `carnet quarantine` show): never a
/// panic, whatever the change (`regressions/document_load/decode-pred-actor-*`).
fn history(c: &Change, author: DeviceId) {
    let e = HistoryEntry::of(c, author);
    assert_eq!(e.hash, c.hash());
    assert_eq!(touched_fields(c), e.fields);
}

thread_local! {
    /// Inside [`guard`]: where the last panic happened, once one did.
    static GUARDED: std::cell::RefCell<Option<Option<String>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs a target body. Carnet catches some panics on purpose (automerge's, on malformed
/// changes), which libfuzzer-sys's panic hook would turn into crashes before they are caught;
/// so inside a target the hook only notes where a panic happened, and a panic that comes out of
/// `f` — one Carnet did not catch — is printed and goes on to libFuzzer, which reports it.
pub(crate) fn guard(f: impl FnOnce()) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let inside = GUARDED.with(|g| {
                let mut g = g.borrow_mut();
                match g.as_mut() {
                    Some(last) => {
                        let backtrace = std::backtrace::Backtrace::capture();
                        *last = Some(format!("{info}\n{backtrace}"));
                        true
                    }
                    None => false,
                }
            });
            if !inside {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| *g.borrow_mut() = Some(None));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let last = GUARDED.with(|g| g.borrow_mut().take()).flatten();
    if let Err(payload) = result {
        if let Some(note) = last {
            eprintln!("uncaught panic: {note}");
        }
        std::panic::resume_unwind(payload);
    }
}

/// Values edits are made of (each is tried as `field=value`; those a field refuses are skipped).
const VALUES: [&str; 10] = [
    "Joy",
    "member",
    "active",
    "left",
    "2024-03-01",
    "yes",
    "no",
    "media,advocacy",
    "",
    "Ọlá Okafor",
];

/// Builds up to 32 operations from `c`:
/// - 0: take a fixture registry change; 1: take a fixture record change;
/// - 2: a new record change by a fixture device (any, enrolled or not), on a chosen subset of
///   the document's changes, naming a chosen registry state, signed validly;
/// - 3: a new registry change by a fixture device on a chosen subset of the registry;
/// - 4: one byte of a change's envelope altered (it must not verify as another change);
/// - 5: every fixture change;
/// - 6: Automerge change bytes from the input (u16 LE length, bytes), signed validly by the
///   fixture device whose key is their actor, for a chosen document.
///
/// Then: the registry ledger and every document ledger are built from everything at once (every
/// valid change, and only those, must be in the document), and again from the same changes in a
/// chosen order and grouping, registry and documents interleaved; both must reach the same
/// verdicts, documents and registry.
fn ledger_script(data: &[u8]) {
    let fx = fixture();
    let mut c = Choices(data);
    let mut reg: Vec<Received> = Vec::new();
    let mut recs: Vec<(DocId, Received)> = Vec::new();
    let doc_ids = fixture::doc_ids();
    for _ in 0..32 {
        if c.is_empty() {
            break;
        }
        match c.pick(7) {
            0 => {
                reg.push(fx.registry_received[c.pick(fx.registry.len())].clone());
            }
            1 => {
                recs.push(fx.docs_received[c.pick(fx.docs.len())].clone());
            }
            2 => {
                if let Some((d, r)) = author_record(&mut c, fx, &reg, &recs, &doc_ids) {
                    recs.push((d, r));
                }
            }
            3 => {
                if let Some(r) = author_registry(&mut c, fx, &reg, &recs, &doc_ids) {
                    reg.push(r);
                }
            }
            4 => {
                let n = reg.len() + recs.len();
                if n == 0 {
                    continue;
                }
                let i = c.pick(n);
                let (doc, orig) = if i < reg.len() {
                    (DocId::Registry, &reg[i])
                } else {
                    let (d, r) = &recs[i - reg.len()];
                    (d.clone(), r)
                };
                let mut bytes = orig.signed.to_bytes();
                let pos = c.u16() as usize % bytes.len();
                bytes[pos] ^= c.byte().max(1);
                let Ok(s) = SignedChange::from_bytes(&bytes) else {
                    continue;
                };
                if let Ok(r) = Received::verify(&fx.org, &doc, s) {
                    // Only the envelope's encoding may differ, never what the signature covers.
                    assert_eq!(r.hash(), orig.hash(), "an altered envelope verified");
                    let set = |v: &[ChangeHash]| v.iter().copied().collect::<BTreeSet<_>>();
                    assert_eq!(
                        set(&r.signed.registry_heads()),
                        set(&orig.signed.registry_heads())
                    );
                }
            }
            5 => {
                reg.extend(fx.registry_received.iter().cloned());
                recs.extend(fx.docs_received.iter().cloned());
            }
            _ => {
                // Change bytes from the input, signed by the fixture device whose key is their
                // actor (what a Byzantine device sends), for a chosen document.
                let n = usize::from(c.u16());
                let Some(mut change) = change_chunk(c.bytes(n)) else {
                    continue;
                };
                let Some(key) = DeviceId::from_actor(change.actor_id())
                    .and_then(|id| fx.keys.iter().find(|k| k.id() == id))
                else {
                    continue;
                };
                let mut bytes = change.bytes().to_vec();
                // Set the header checksum right, as a sender would.
                let hash = change.hash();
                if bytes.len() >= 8 {
                    bytes[4..8].copy_from_slice(&hash.0[..4]);
                }
                let Ok(change) = Change::from_bytes(bytes) else {
                    continue;
                };
                let all = std::iter::once(DocId::Registry).chain(doc_ids.iter().cloned());
                let doc = all
                    .clone()
                    .nth(c.pick(1 + doc_ids.len()))
                    .unwrap_or(DocId::Registry);
                // The registry heads it names are those of its own message (the fixture's
                // record changes name the registry they were made at), whatever they are.
                let signed = SignedChange::sign(key, &fx.org, &doc, &change);
                if let Ok(r) = Received::verify(&fx.org, &doc, signed) {
                    let named: Vec<[u8; 32]> =
                        r.signed.registry_heads().iter().map(|h| h.0).collect();
                    assert_eq!(
                        registry_heads_of(&r.change).as_deref(),
                        Ok(named.as_slice()),
                        "a change verified with other registry heads than its own"
                    );
                    match doc {
                        DocId::Registry => reg.push(r),
                        _ => recs.push((doc, r)),
                    }
                }
            }
        }
    }

    // Everything at once.
    let mut registry = RegistryLedger::new(fx.org);
    registry.insert(reg.iter().cloned());
    let mut by_doc: BTreeMap<DocId, Vec<Received>> = BTreeMap::new();
    for (d, r) in &recs {
        by_doc.entry(d.clone()).or_default().push(r.clone());
    }
    let mut ledgers = BTreeMap::new();
    for (d, list) in &by_doc {
        let l = DocLedger::new(d.clone(), list.iter().cloned(), &registry);
        let kind = match d {
            DocId::Record { kind, .. } => *kind,
            DocId::Registry | DocId::AccessLog(_) => RecordKind::Member,
        };
        let _ = l.doc().record_fields(kind);
        // What `carnet history` and `carnet quarantine` show: every change received.
        for r in l.received().values() {
            history(&r.change, r.author);
        }
        for k in &fx.keys {
            let _ = author_heads(l.received(), l.evaluation(), &k.id());
        }
        // Every valid change is in the document, and nothing else.
        let e = l.evaluation();
        for h in &e.valid {
            assert!(
                l.doc().has(h),
                "a valid change is missing from the document"
            );
            assert!(!e.rejected.contains_key(h) && !e.pending.contains(h));
        }
        assert_eq!(
            l.doc().changes().len(),
            e.valid.len(),
            "the document holds changes that are not valid"
        );
        ledgers.insert(d.clone(), l);
    }

    // The same changes again in a chosen order and grouping (up to four batches, registry and
    // documents interleaved, documents judged again once the registry is complete, as a device
    // does): the verdicts must not depend on how the changes arrived.
    let mut order = reg.clone();
    c.shuffle(&mut order);
    let reg_batches = batches(&mut c, order);
    let mut doc_batches: BTreeMap<DocId, Vec<Vec<Received>>> = BTreeMap::new();
    for (d, list) in by_doc {
        let mut list = list;
        c.shuffle(&mut list);
        doc_batches.insert(d, batches(&mut c, list));
    }
    let mut inc = RegistryLedger::new(fx.org);
    let mut inc_docs: BTreeMap<DocId, DocLedger> = BTreeMap::new();
    for i in 0..4 {
        if let Some(b) = reg_batches.get(i) {
            inc.insert(b.iter().cloned());
        }
        for (d, bs) in &doc_batches {
            let Some(b) = bs.get(i) else { continue };
            match inc_docs.get_mut(d) {
                Some(l) => {
                    l.insert(b.iter().cloned(), &inc);
                }
                None => {
                    inc_docs.insert(
                        d.clone(),
                        DocLedger::new(d.clone(), b.iter().cloned(), &inc),
                    );
                }
            }
        }
    }
    assert_eq!(
        inc.evaluation(),
        registry.evaluation(),
        "registry verdicts depend on arrival order"
    );
    assert_eq!(inc.doc().heads(), registry.doc().heads());
    assert_eq!(inc.registry(), registry.registry());
    // Whatever else it holds, a registry whose genesis is valid can be read (a malformed
    // registry change made `Doc::changes`, so `Registry::read`, find nothing:
    // `regressions/ledger/registry-lost-*`).
    let genesis = fx.registry_received[0].hash();
    if registry.evaluation().valid.contains(&genesis) {
        assert!(
            registry.registry().is_some(),
            "the registry cannot be read although its genesis is valid"
        );
    }
    for (d, l) in &mut inc_docs {
        l.evaluate(&inc);
        let all = &ledgers[d];
        assert_eq!(
            l.evaluation(),
            all.evaluation(),
            "verdicts of {d} depend on arrival order"
        );
        assert_eq!(l.doc().heads(), all.doc().heads());
    }
}

/// `items` cut into 1 to 4 consecutive batches at chosen places.
fn batches<T>(c: &mut Choices<'_>, items: Vec<T>) -> Vec<Vec<T>> {
    let n = 1 + c.pick(4);
    let mut cuts: Vec<usize> = (1..n).map(|_| c.pick(items.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out: Vec<Vec<T>> = (0..n).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        let b = cuts.iter().filter(|cut| **cut <= i).count();
        out[b].push(item);
    }
    out
}

/// The changes of `list` that are `roots` or their ancestors, or `None` if one is missing.
fn closure(list: &[Change], roots: &[Change]) -> Vec<Change> {
    let by_hash: BTreeMap<ChangeHash, &Change> = list.iter().map(|c| (c.hash(), c)).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut stack: Vec<&Change> = roots.iter().collect();
    while let Some(ch) = stack.pop() {
        if !seen.insert(ch.hash()) {
            continue;
        }
        out.push(ch.clone());
        for d in ch.deps() {
            if let Some(dep) = by_hash.get(d) {
                stack.push(dep);
            }
        }
    }
    out
}

fn author_record(
    c: &mut Choices<'_>,
    fx: &Fixture,
    reg: &[Received],
    recs: &[(DocId, Received)],
    doc_ids: &[DocId],
) -> Option<(DocId, Received)> {
    let key = &fx.keys[c.pick(fx.keys.len())];
    let doc_id = doc_ids[c.pick(doc_ids.len())].clone();
    let DocId::Record { kind, class, .. } = doc_id else {
        return None;
    };
    let mine: Vec<Change> = recs
        .iter()
        .filter(|(d, _)| *d == doc_id)
        .map(|(_, r)| r.change.clone())
        .collect();
    let roots = c.subset(&mine);
    let mut doc = Doc::from_changes(doc_id.clone(), closure(&mine, &roots)).ok()?;
    let fields: Vec<_> = kind.fields().iter().filter(|f| f.class == class).collect();
    let mut edits = Vec::new();
    for _ in 0..1 + c.pick(3) {
        let f = fields[c.pick(fields.len())];
        let v = VALUES[c.pick(VALUES.len())];
        let op = ["=", "+=", "-="][c.pick(3)];
        if let Ok(e) = kind.parse_edit(&format!("{}{op}{v}", f.name)) {
            edits.push(e);
        }
    }
    let time = fixture::T0 + i64::from(c.u16()) * 1_000;
    let reg_changes: Vec<Change> = reg.iter().map(|r| r.change.clone()).collect();
    let heads: Vec<ChangeHash> = match c.pick(4) {
        // The heads of a chosen registry state (what an honest device names).
        0 | 1 => {
            let roots = c.subset(&reg_changes);
            match Doc::from_changes(DocId::Registry, closure(&reg_changes, &roots)) {
                Ok(d) => d.heads(),
                Err(_) => roots.iter().map(Change::hash).collect(),
            }
        }
        2 => Vec::new(),
        _ => {
            let mut h: Vec<ChangeHash> = c.subset(&reg_changes).iter().map(Change::hash).collect();
            h.push(ChangeHash([c.byte(); 32]));
            h
        }
    };
    // The heads are written into the change (its hash and signature cover them).
    doc.set_registry_heads(&heads);
    let change = doc.edit_record(key, &edits, time).ok()??;
    let signed = SignedChange::sign(key, &fx.org, &doc_id, &change);
    let set = |v: &[ChangeHash]| v.iter().copied().collect::<BTreeSet<_>>();
    assert_eq!(
        set(&signed.registry_heads()),
        set(&heads),
        "the envelope does not name the registry heads the change was made at"
    );
    let r = Received::verify(&fx.org, &doc_id, signed).expect("a freshly signed change verifies");
    Some((doc_id, r))
}

fn author_registry(
    c: &mut Choices<'_>,
    fx: &Fixture,
    reg: &[Received],
    recs: &[(DocId, Received)],
    doc_ids: &[DocId],
) -> Option<Received> {
    let key = &fx.keys[c.pick(fx.keys.len())];
    let all: Vec<Change> = reg.iter().map(|r| r.change.clone()).collect();
    let roots = c.subset(&all);
    let mut doc = Doc::from_changes(DocId::Registry, closure(&all, &roots)).ok()?;
    let device = fx.keys[c.pick(fx.keys.len())].id();
    let role = Role::ALL[c.pick(Role::ALL.len())];
    let op = match c.pick(6) {
        0 => RegistryOp::Enrol {
            device,
            holder: "H".into(),
            city: None,
            roles: c.subset(&Role::ALL).into_iter().collect(),
        },
        1 => RegistryOp::Role {
            device,
            role,
            granted: c.byte().is_multiple_of(2),
        },
        2 => RegistryOp::Agreement {
            device,
            signed_on: (c.byte().is_multiple_of(2)).then(|| "2026-03-03".to_owned()),
        },
        3 | 4 => {
            let mut cutoff = BTreeMap::new();
            for d in doc_ids {
                let hashes: Vec<ChangeHash> = recs
                    .iter()
                    .filter(|(x, _)| x == d)
                    .map(|(_, r)| r.hash())
                    .collect();
                let chosen: BTreeSet<ChangeHash> = c.subset(&hashes).into_iter().collect();
                if !chosen.is_empty() {
                    cutoff.insert(d.to_string(), chosen);
                }
            }
            if c.byte().is_multiple_of(2) {
                RegistryOp::Revoke { device, cutoff }
            } else {
                let (doc, heads) = cutoff
                    .into_iter()
                    .next()
                    .unwrap_or((doc_ids[0].to_string(), BTreeSet::new()));
                RegistryOp::ExtendCutoff { device, doc, heads }
            }
        }
        _ => RegistryOp::Policy {
            role,
            class: FieldClass::ALL[c.pick(FieldClass::ALL.len())],
            access: [Access::None, Access::Read, Access::Write][c.pick(3)],
        },
    };
    let time = fixture::T0 + i64::from(c.u16()) * 1_000;
    let change = Registry::apply(&mut doc, key, &[op], time).ok()??;
    let signed = SignedChange::sign(key, &fx.org, &DocId::Registry, &change);
    Some(
        Received::verify(&fx.org, &DocId::Registry, signed)
            .expect("a freshly signed change verifies"),
    )
}

/// `Ticket::from_str` and `PeerAddr::from_str` on the input as UTF-8; what parses prints back
/// to text that parses to the same value.
pub fn ticket(data: &[u8]) {
    guard(|| ticket_body(data));
}

fn ticket_body(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = carnet_node::Ticket::from_str(text) {
        let back = t.to_string();
        assert!(back.starts_with("carnet1"));
        assert_eq!(
            carnet_node::Ticket::from_str(&back).as_ref(),
            Ok(&t),
            "ticket round trip"
        );
    }
    if let Ok(p) = carnet_node::PeerAddr::from_str(text) {
        let back = p.to_string();
        assert_eq!(
            carnet_node::PeerAddr::from_str(&back).as_ref(),
            Ok(&p),
            "peer address round trip"
        );
    }
}

/// A responder [`Session`] on the real device (the fixture's founder holding every fixture
/// change, from a copy of its store: [`Fixture::responder`]) fed the messages framed in the
/// input after its first byte, which chooses the peer among [`PEERS`] (staff, member, active
/// member, stranger, revoked, the founder itself). A `Hello` naming a stand-in invitation
/// ([`fixture::TICKET`], [`fixture::USED_TICKET`]) presents the real one.
/// Undecodable frames are skipped; messages keep coming after errors. Checks that every answer
/// round-trips on the wire, fits [`MAX_MESSAGE`], goes only to a peer the responder knows, and
/// carries only documents the peer may read, as changes that verify for them.
pub fn session(data: &[u8]) {
    guard(|| session_body(data));
}

fn session_body(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let fx = fixture();
    let peer = fx.keys[PEERS[sel as usize % PEERS.len()]].id().0;
    // Opening the device costs far more than most sessions (it judges the whole registry), so
    // an open responder is kept for the next input as long as inputs leave its store's bytes
    // as they were at opening; one a session wrote to is dropped, and a new copy opened.
    let (mut dev, memory, opened) =
        RESPONDER
            .with(|r| r.borrow_mut().take())
            .unwrap_or_else(|| {
                let (dev, memory) = fx.open_responder();
                let opened = memory.bytes();
                (dev, memory, opened)
            });
    let mut s = Session::new(Side::Responder, peer, None);
    for frame in split(rest).take(256) {
        let Ok(mut msg) = Message::decode(frame) else {
            continue;
        };
        if let Message::Hello {
            ticket: Some(t), ..
        } = &mut msg
        {
            *t = fx.real_ticket(*t);
        }
        let out = match s.handle(msg, &mut dev) {
            Ok(out) => out,
            Err(e) => Session::refusal(&e).into_iter().collect(),
        };
        // A refusal, or a revoked peer told of its revocation (the signed registry changes
        // that revoke it, which every device of the organisation may hold) and, once it has
        // handed in its own changes, `Done`: nothing else goes to a peer the device does not
        // know.
        let refusal = out.iter().all(|m| {
            matches!(
                m,
                Message::Refuse { .. } | Message::Revoked { .. } | Message::Done
            )
        });
        if !out.is_empty() && !refusal {
            assert!(
                dev.knows(&DeviceId(peer)),
                "answered a peer it does not know"
            );
        }
        for m in &out {
            check_sent(m, &DeviceId(peer), &dev, fx);
        }
    }
    let stats = s.stats();
    assert!(stats.messages_received <= 256);
    if memory.bytes() == opened {
        RESPONDER.with(|r| *r.borrow_mut() = Some((dev, memory, opened)));
    }
}

thread_local! {
    /// The `session` target's responder while no input changed its store (see `session_body`).
    static RESPONDER: std::cell::RefCell<Option<(Device, carnet_device::Memory, Vec<u8>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Whether `envelope` verifies for `doc` (remembering those that did: a responder sends the
/// same few envelopes again and again).
fn verifies(fx: &Fixture, doc: &DocId, envelope: &[u8]) -> bool {
    thread_local! {
        static GOOD: std::cell::RefCell<BTreeSet<(DocId, Vec<u8>)>> =
            const { std::cell::RefCell::new(BTreeSet::new()) };
    }
    let key = (doc.clone(), envelope.to_vec());
    if GOOD.with(|g| g.borrow().contains(&key)) {
        return true;
    }
    let ok = SignedChange::from_bytes(envelope).is_ok_and(|s| s.verify(&fx.org, doc).is_ok());
    if ok {
        GOOD.with(|g| {
            let mut g = g.borrow_mut();
            if g.len() > 10_000 {
                g.clear();
            }
            g.insert(key);
        });
    }
    ok
}

fn check_sent(m: &Message, peer: &DeviceId, dev: &Device, fx: &Fixture) {
    let bytes = m.encode();
    assert!(bytes.len() <= MAX_MESSAGE, "message over the size limit");
    assert_eq!(Message::decode(&bytes).as_ref(), Ok(m), "round trip");
    let readable = |doc: &str| {
        let id = doc.parse::<DocId>().expect("a document id");
        assert!(
            dev.may_send(peer, &id),
            "sent {doc} to a peer that may not read it"
        );
        id
    };
    match m {
        Message::Push {
            changes,
            hashes,
            want,
            ..
        } => {
            for (doc, list) in changes {
                let id = readable(doc);
                for envelope in list {
                    assert!(verifies(fx, &id, envelope), "sent a change that fails");
                }
            }
            for (doc, _) in hashes {
                readable(doc);
            }
            for doc in want {
                readable(doc);
            }
        }
        Message::BucketDocs { docs, .. } => {
            for (doc, _) in docs {
                readable(doc);
            }
        }
        Message::RegistryPush { changes, .. } => {
            for envelope in changes {
                assert!(verifies(fx, &DocId::Registry, envelope));
            }
        }
        _ => {}
    }
}
