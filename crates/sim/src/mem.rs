//! An in-memory device for sync tests: [`MemDevice`] implements [`SyncData`] over a
//! [`Replica`], and [`drive`] runs an initiator and a responder [`Session`] against each other
//! by passing encoded messages back and forth, recording every message.

// Test and simulation support: a failure here is a failed test or run, so unwrapping is the
// right response.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{FieldClass, RecordKind, Role};
use carnet_replica::{
    ChangeHash, DeviceId, DeviceKey, DocId, Evaluation, OrgId, Received, RecordId, RegistryOp,
    Replica, SignedChange,
};
use carnet_sync::{Applied, Digest, Message, Role as Side, Session, SessionError, Stats, SyncData};

/// An invitation a direction device issued: what redeeming its secret grants.
#[derive(Debug, Clone)]
pub struct Invite {
    /// Roles it grants.
    pub roles: BTreeSet<Role>,
    /// Whether it records a confidentiality agreement.
    pub agreement: bool,
    /// The device that used it. As in `carnet-device`, the same device may present it again
    /// (a join whose session broke is retried); no other may.
    pub used_by: Option<[u8; 32]>,
}

/// One device: its key, its replica, and the invitations it issued.
pub struct MemDevice {
    /// The device key.
    pub key: DeviceKey,
    /// Its replica.
    pub replica: Replica,
    /// Invitations it issued, by secret.
    pub tickets: BTreeMap<[u8; 16], Invite>,
    /// The clock this device writes with (ms), advanced on every local change.
    pub time: i64,
}

/// Hashes of the changes of a ledger that are not rejected (valid or waiting), sorted.
fn held(received: &BTreeMap<ChangeHash, Received>, eval: &Evaluation) -> Vec<[u8; 32]> {
    received
        .keys()
        .filter(|h| !eval.rejected.contains_key(h))
        .map(|h| h.0)
        .collect()
}

/// How many changes a replica holds in its quarantine.
fn rejected_count(r: &Replica) -> usize {
    r.registry().evaluation().rejected.len()
        + r.docs()
            .map(|l| l.evaluation().rejected.len())
            .sum::<usize>()
}

impl MemDevice {
    /// Founds an organisation on a new direction device.
    pub fn found() -> MemDevice {
        let key = DeviceKey::generate().unwrap();
        let (replica, _) = Replica::found(&key, "Mist", "Founder", 1_700_000_000_000).unwrap();
        MemDevice {
            key,
            replica,
            tickets: BTreeMap::new(),
            time: 1_700_000_000_000,
        }
    }

    /// Founds an organisation on a direction device with this key, at `time` (ms): fully
    /// deterministic, for seeded simulations.
    pub fn found_with(key: DeviceKey, time: i64) -> MemDevice {
        let (replica, _) = Replica::found(&key, "Mist", "Founder", time).unwrap();
        MemDevice {
            key,
            replica,
            tickets: BTreeMap::new(),
            time,
        }
    }

    /// A device of `org` with this key that holds nothing yet.
    pub fn blank_with(key: DeviceKey, org: OrgId, time: i64) -> MemDevice {
        MemDevice {
            replica: Replica::new(key.id(), org),
            key,
            tickets: BTreeMap::new(),
            time,
        }
    }

    /// A new device of `org` that holds nothing yet (not even the registry).
    pub fn blank(org: OrgId) -> MemDevice {
        let key = DeviceKey::generate().unwrap();
        MemDevice {
            replica: Replica::new(key.id(), org),
            key,
            tickets: BTreeMap::new(),
            time: 1_700_000_000_000,
        }
    }

    /// This device's id.
    pub fn id(&self) -> DeviceId {
        self.key.id()
    }

    /// The organisation.
    pub fn org_id(&self) -> OrgId {
        self.replica.registry().org()
    }

    fn tick(&mut self) -> i64 {
        self.time += 1_000;
        self.time
    }

    /// Enrols a new blank device with `roles` (and a confidentiality agreement if asked), by
    /// this direction device. The new device holds nothing until it syncs.
    pub fn enrol(&mut self, roles: &[Role], agreement: bool) -> MemDevice {
        let dev = MemDevice::blank(self.org_id());
        self.enrol_id(dev.id(), roles, agreement);
        dev
    }

    /// Enrols device `id` by this direction device.
    pub fn enrol_id(&mut self, id: DeviceId, roles: &[Role], agreement: bool) {
        let mut ops = vec![RegistryOp::Enrol {
            device: id,
            holder: "Someone".into(),
            city: None,
            roles: roles.iter().copied().collect(),
        }];
        if agreement {
            ops.push(RegistryOp::Agreement {
                device: id,
                signed_on: Some("2026-01-01".into()),
            });
        }
        let t = self.tick();
        self.replica
            .change_registry(&self.key, &ops, t)
            .unwrap()
            .unwrap();
    }

    /// Issues an invitation; returns its secret.
    pub fn invite(&mut self, roles: &[Role], agreement: bool, seed: u8) -> [u8; 16] {
        let secret = [seed; 16];
        self.tickets.insert(
            secret,
            Invite {
                roles: roles.iter().copied().collect(),
                agreement,
                used_by: None,
            },
        );
        secret
    }

    /// Writes `typed` edits (`name=value`) to record `id` of `kind`, checking rights first;
    /// returns the documents changed.
    pub fn write(&mut self, kind: RecordKind, id: RecordId, typed: &[&str]) -> Vec<DocId> {
        let edits: Vec<_> = typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect();
        let t = self.tick();
        self.replica
            .write(&self.key, kind, id, &edits, t)
            .unwrap()
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    /// Writes a new member record (COM, and PER when `personal` is given); returns its id.
    pub fn new_member(&mut self, name: &str, personal: Option<&str>) -> RecordId {
        let id = RecordId::random();
        let display = format!("display_name={name}");
        let mut edits = vec![display.as_str(), "status=member"];
        let notes = personal.map(|p| format!("case_notes={p}"));
        if let Some(n) = &notes {
            edits.push(n);
        }
        self.write(RecordKind::Member, id, &edits);
        id
    }

    /// Revokes `device`, by this direction device.
    pub fn revoke(&mut self, device: DeviceId) {
        let t = self.tick();
        self.replica.revoke(&self.key, device, t).unwrap().unwrap();
    }

    /// Whether `peer` may read `class` according to this device's registry.
    pub fn peer_reads(&self, peer: &DeviceId, class: FieldClass) -> bool {
        self.replica
            .registry()
            .registry()
            .is_some_and(|r| r.access(peer, class).can_read())
    }

    /// Every signed change held (any verdict), per document, as the hashes of their changes.
    pub fn held_everything(&self) -> BTreeMap<DocId, Vec<[u8; 32]>> {
        let mut out = BTreeMap::new();
        out.insert(
            DocId::Registry,
            self.replica
                .registry()
                .received()
                .keys()
                .map(|h| h.0)
                .collect(),
        );
        for l in self.replica.docs() {
            out.insert(l.id().clone(), l.received().keys().map(|h| h.0).collect());
        }
        out
    }

    fn ledger_held(&self, doc: &DocId) -> Vec<[u8; 32]> {
        match doc {
            DocId::Registry => {
                let l = self.replica.registry();
                held(l.received(), l.evaluation())
            }
            _ => self
                .replica
                .doc(doc)
                .map(|l| held(l.received(), l.evaluation()))
                .unwrap_or_default(),
        }
    }

    fn ledger_changes(&self, doc: &DocId, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        let (received, eval) = match doc {
            DocId::Registry => {
                let l = self.replica.registry();
                (l.received(), l.evaluation())
            }
            _ => match self.replica.doc(doc) {
                Some(l) => (l.received(), l.evaluation()),
                None => return Vec::new(),
            },
        };
        received
            .iter()
            .filter(|(h, _)| !eval.rejected.contains_key(h) && !except.contains(&h.0))
            .map(|(_, r)| r.signed.to_bytes())
            .collect()
    }

    /// Receives batches of envelopes: registry changes only when `registry`, record changes
    /// only otherwise (anything else is counted as refused).
    fn receive_all(&mut self, batches: Vec<(String, Vec<Vec<u8>>)>, registry: bool) -> Applied {
        let before = rejected_count(&self.replica);
        let mut applied = Applied::default();
        for (doc, list) in batches {
            let doc_id = match doc.parse::<DocId>() {
                Ok(d) if (d == DocId::Registry) == registry => d,
                _ => {
                    applied.refused += list.len();
                    continue;
                }
            };
            for bytes in list {
                let Ok(signed) = SignedChange::from_bytes(&bytes) else {
                    applied.refused += 1;
                    continue;
                };
                match self.replica.receive(&doc_id, signed) {
                    Ok(true) => applied.new += 1,
                    Ok(false) => {}
                    Err(_) => applied.refused += 1,
                }
            }
        }
        applied.rejected = rejected_count(&self.replica).saturating_sub(before);
        applied
    }
}

impl SyncData for MemDevice {
    fn org(&self) -> [u8; 16] {
        *self.org_id().0.as_bytes()
    }

    fn knows(&self, peer: &[u8; 32]) -> bool {
        self.replica
            .registry()
            .registry()
            .and_then(|r| r.device(&DeviceId(*peer)))
            .is_some_and(|d| d.revoked.is_none())
    }

    fn redeem(&mut self, peer: &[u8; 32], secret: &[u8; 16]) -> Result<(), String> {
        let Some(invite) = self.tickets.get(secret).cloned() else {
            return Err("unknown invitation".into());
        };
        match invite.used_by {
            Some(by) if by == *peer => return Ok(()),
            Some(_) => return Err("the invitation was used".into()),
            None => {}
        }
        let is_direction = self
            .replica
            .registry()
            .registry()
            .is_some_and(|r| r.is_direction(&self.id()));
        if !is_direction {
            return Err("this device may not enrol devices".into());
        }
        let roles: Vec<Role> = invite.roles.iter().copied().collect();
        self.enrol_id(DeviceId(*peer), &roles, invite.agreement);
        if let Some(i) = self.tickets.get_mut(secret) {
            i.used_by = Some(*peer);
        }
        Ok(())
    }

    fn registry_hashes(&self) -> Vec<[u8; 32]> {
        self.ledger_held(&DocId::Registry)
    }

    fn registry_changes(&self, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        self.ledger_changes(&DocId::Registry, except)
    }

    fn apply_registry(&mut self, changes: Vec<Vec<u8>>) -> Applied {
        self.receive_all(vec![(DocId::Registry.to_string(), changes)], true)
    }

    fn summaries(&self, peer: &[u8; 32]) -> Vec<(String, Digest)> {
        let peer = DeviceId(*peer);
        let mut out: Vec<(String, Digest)> = self
            .replica
            .docs()
            .filter(|l| l.id().class().is_some_and(|c| self.peer_reads(&peer, c)))
            .filter_map(|l| {
                let h = held(l.received(), l.evaluation());
                // A document whose every change was rejected is not held: listing it would
                // make two peers differ forever over a document neither can send.
                (!h.is_empty()).then(|| (l.id().to_string(), carnet_sync::doc_digest(&h)))
            })
            .collect();
        out.sort();
        out
    }

    fn may_send(&self, peer: &[u8; 32], doc: &str) -> bool {
        doc.parse::<DocId>()
            .ok()
            .and_then(|d| d.class())
            .is_some_and(|c| self.peer_reads(&DeviceId(*peer), c))
    }

    fn doc_hashes(&self, doc: &str) -> Vec<[u8; 32]> {
        match doc.parse::<DocId>() {
            Ok(d) if d != DocId::Registry => self.ledger_held(&d),
            _ => Vec::new(),
        }
    }

    fn doc_changes(&self, doc: &str, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        match doc.parse::<DocId>() {
            Ok(d) if d != DocId::Registry => self.ledger_changes(&d, except),
            _ => Vec::new(),
        }
    }

    fn apply_docs(&mut self, batches: Vec<(String, Vec<Vec<u8>>)>) -> Applied {
        self.receive_all(batches, false)
    }
}

/// Who sent a message in a transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The side that dialled.
    Initiator,
    /// The side that accepted.
    Responder,
}

/// What one session between two devices did.
#[derive(Debug)]
pub struct Outcome {
    /// The initiator's figures.
    pub a: Stats,
    /// The responder's figures.
    pub b: Stats,
    /// How the initiator's side ended.
    pub a_result: Result<(), SessionError>,
    /// How the responder's side ended.
    pub b_result: Result<(), SessionError>,
    /// Every message, in the order it was delivered.
    pub transcript: Vec<(Sender, Message)>,
}

impl Outcome {
    /// Messages of both sides.
    pub fn messages(&self) -> usize {
        self.a.messages_sent + self.b.messages_sent
    }

    /// Bytes of both sides.
    pub fn bytes(&self) -> usize {
        self.a.bytes_sent + self.b.bytes_sent
    }

    /// The names of the messages, in order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.transcript.iter().map(|(_, m)| kind(m)).collect()
    }

    /// Every document id named in any message (changes, hashes, wants, summaries).
    pub fn docs_named(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (_, m) in &self.transcript {
            match m {
                Message::Push {
                    changes,
                    hashes,
                    want,
                    ..
                } => {
                    out.extend(changes.iter().map(|(d, _)| d.clone()));
                    out.extend(hashes.iter().map(|(d, _)| d.clone()));
                    out.extend(want.iter().cloned());
                }
                Message::BucketDocs { docs, .. } => {
                    out.extend(docs.iter().map(|(d, _)| d.clone()));
                }
                _ => {}
            }
        }
        out
    }

    /// The signed record changes `from` sent, per document.
    pub fn changes_from(&self, from: Sender) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for (f, m) in &self.transcript {
            if *f == from
                && let Message::Push { changes, .. } = m
            {
                for (d, list) in changes {
                    out.extend(list.iter().map(|c| (d.clone(), c.clone())));
                }
            }
        }
        out
    }

    /// The signed registry changes `from` sent.
    pub fn registry_from(&self, from: Sender) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for (f, m) in &self.transcript {
            if *f == from {
                match m {
                    Message::RegistryPush { changes, .. } | Message::RegistryFinal { changes } => {
                        out.extend(changes.iter().cloned())
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// A message's name.
pub fn kind(m: &Message) -> &'static str {
    match m {
        Message::Hello { .. } => "Hello",
        Message::Welcome { .. } => "Welcome",
        Message::Refuse { .. } => "Refuse",
        Message::RegistryHashes { .. } => "RegistryHashes",
        Message::RegistryPush { .. } => "RegistryPush",
        Message::RegistryFinal { .. } => "RegistryFinal",
        Message::Root { .. } => "Root",
        Message::Buckets { .. } => "Buckets",
        Message::BucketDocs { .. } => "BucketDocs",
        Message::Push { .. } => "Push",
        Message::Done => "Done",
    }
}

/// The most messages a test session may take before it is declared looping.
const MAX_MESSAGES: usize = 1000;

/// Runs a session: `a` dials `b` (with an invitation's secret when `ticket` is given). Messages
/// go through the wire encoding. A side that fails sends the refusal, if any, and stops.
pub fn drive(a: &mut MemDevice, b: &mut MemDevice, ticket: Option<[u8; 16]>) -> Outcome {
    drive_cut(a, b, ticket, None)
}

/// Like [`drive`], but the connection drops after `cut` messages (if given): whatever was not
/// yet applied is lost, as when a peer walks out of range mid-session.
pub fn drive_cut(
    a: &mut MemDevice,
    b: &mut MemDevice,
    ticket: Option<[u8; 16]>,
    cut: Option<usize>,
) -> Outcome {
    let sa = Session::new(Side::Initiator, b.id().0, ticket);
    let sb = Session::new(Side::Responder, a.id().0, None);
    drive_sessions(a, b, sa, sb, cut)
}

/// Like [`drive`] without a ticket, both sides building messages of about `budget` bytes
/// ([`Session::with_message_budget`]), so that tests see large lists split.
pub fn drive_budget(a: &mut MemDevice, b: &mut MemDevice, budget: usize) -> Outcome {
    let sa = Session::new(Side::Initiator, b.id().0, None).with_message_budget(budget);
    let sb = Session::new(Side::Responder, a.id().0, None).with_message_budget(budget);
    drive_sessions(a, b, sa, sb, None)
}

fn drive_sessions(
    a: &mut MemDevice,
    b: &mut MemDevice,
    mut sa: Session,
    mut sb: Session,
    cut: Option<usize>,
) -> Outcome {
    let mut a_result = Ok(());
    let mut b_result = Ok(());
    let mut transcript = Vec::new();
    let mut to_b: Vec<Message> = sa.start(a);
    let mut to_a: Vec<Message> = Vec::new();
    while !to_b.is_empty() || !to_a.is_empty() {
        for m in std::mem::take(&mut to_b) {
            let wire = Message::decode(&m.encode()).unwrap();
            assert_eq!(wire, m, "a message changed on the wire");
            transcript.push((Sender::Initiator, m));
            if cut.is_some_and(|c| transcript.len() > c) {
                return Outcome {
                    a: sa.stats(),
                    b: sb.stats(),
                    a_result,
                    b_result,
                    transcript,
                };
            }
            if b_result.is_err() {
                continue;
            }
            match sb.handle(wire, b) {
                Ok(out) => to_a.extend(out),
                Err(e) => {
                    to_a.extend(Session::refusal(&e));
                    b_result = Err(e);
                }
            }
        }
        for m in std::mem::take(&mut to_a) {
            let wire = Message::decode(&m.encode()).unwrap();
            assert_eq!(wire, m, "a message changed on the wire");
            transcript.push((Sender::Responder, m));
            if cut.is_some_and(|c| transcript.len() > c) {
                return Outcome {
                    a: sa.stats(),
                    b: sb.stats(),
                    a_result,
                    b_result,
                    transcript,
                };
            }
            if a_result.is_err() {
                continue;
            }
            match sa.handle(wire, a) {
                Ok(out) => to_b.extend(out),
                Err(e) => {
                    to_b.extend(Session::refusal(&e));
                    a_result = Err(e);
                }
            }
        }
        assert!(
            transcript.len() <= MAX_MESSAGES,
            "the session loops: {:?}",
            transcript.iter().map(|(_, m)| kind(m)).collect::<Vec<_>>()
        );
    }
    if a_result.is_ok() && b_result.is_ok() {
        assert!(
            sa.is_done() && sb.is_done(),
            "a session stalled: initiator done {}, responder done {}, messages {:?}",
            sa.is_done(),
            sb.is_done(),
            transcript.iter().map(|(_, m)| kind(m)).collect::<Vec<_>>()
        );
    }
    Outcome {
        a: sa.stats(),
        b: sb.stats(),
        a_result,
        b_result,
        transcript,
    }
}

/// Runs a session `a` → `b` that must succeed; returns the initiator's and responder's figures.
pub fn run(a: &mut MemDevice, b: &mut MemDevice) -> (Stats, Stats) {
    let o = run_full(a, b);
    (o.a, o.b)
}

/// Like [`run`], returning everything the session did.
pub fn run_full(a: &mut MemDevice, b: &mut MemDevice) -> Outcome {
    let o = drive(a, b, None);
    if let Err(e) = &o.a_result {
        panic!("the initiator failed: {e}; messages {:?}", o.kinds());
    }
    if let Err(e) = &o.b_result {
        panic!("the responder failed: {e}; messages {:?}", o.kinds());
    }
    o
}

/// Runs a session `a` → `b` that must fail; returns the initiator's and responder's errors.
pub fn run_err(
    a: &mut MemDevice,
    b: &mut MemDevice,
) -> (Option<SessionError>, Option<SessionError>, Outcome) {
    let o = drive(a, b, None);
    assert!(
        o.a_result.is_err() || o.b_result.is_err(),
        "the session succeeded: {:?}",
        o.kinds()
    );
    (o.a_result.clone().err(), o.b_result.clone().err(), o)
}

/// Document heads of `r`, restricted to documents of classes both `x` and `y` may read
/// (according to `r`'s registry), with the registry heads. Documents without a valid change
/// are left out: a replica keeps the ledger of a document whose every change it quarantined,
/// which a peer that never received those changes does not have.
pub fn shared_state(
    r: &MemDevice,
    x: &DeviceId,
    y: &DeviceId,
) -> (Vec<ChangeHash>, BTreeMap<DocId, Vec<ChangeHash>>) {
    let (reg, docs) = r.replica.state();
    let docs = docs
        .into_iter()
        .filter(|(d, heads)| {
            !heads.is_empty()
                && d.class()
                    .is_some_and(|c| r.peer_reads(x, c) && r.peer_reads(y, c))
        })
        .collect();
    (reg, docs)
}
