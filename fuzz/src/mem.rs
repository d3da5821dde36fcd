//! An in-memory device for the `session` target, implementing [`SyncData`] over the replica
//! crate's ledgers (as `carnet-device` does over its store: changes verified, grouped per
//! document, each ledger updated once per batch).
//!
//! Every fuzz input starts from one shared [`Base`] (built once); a [`Device`] over it copies a
//! ledger only when a session changes it, so most inputs cost no copying at all.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::Role;
use carnet_replica::{
    ChangeHash, DeviceId, DeviceKey, DocId, DocLedger, Evaluation, OrgId, Received, Registry,
    RegistryLedger, RegistryOp, SignedChange,
};
use carnet_sync::{Applied, Digest, Message, Role as Side, Session, SessionError, SyncData};

use crate::fixture::{self, Fixture};

/// An invitation: the roles it grants, whether with an agreement, the device that used it.
pub type Invite = (Vec<Role>, bool, Option<[u8; 32]>);

/// A device's state, shared by every session run from it.
pub struct Base {
    /// The device's key.
    pub key: DeviceKey,
    /// Its registry ledger.
    pub registry: RegistryLedger,
    /// Its record documents.
    pub docs: BTreeMap<DocId, DocLedger>,
    /// Invitations it issued, by secret.
    pub tickets: BTreeMap<[u8; 16], Invite>,
    /// Its clock (ms), for the registry changes it makes.
    pub time: i64,
}

fn rebuild_registry(org: OrgId, received: impl IntoIterator<Item = Received>) -> RegistryLedger {
    let mut r = RegistryLedger::new(org);
    r.insert(received);
    r
}

fn can_read(registry: &RegistryLedger, me: &DeviceId, doc: &DocId) -> bool {
    doc.class().is_some_and(|c| {
        registry
            .registry()
            .is_some_and(|r| r.access(me, c).can_read())
    })
}

impl Base {
    /// Device `key` of `org` holding those of `changes` whose signatures verify (and, for record
    /// documents, that it may read).
    pub fn new(key: DeviceKey, org: OrgId, changes: &[(DocId, SignedChange)]) -> Base {
        let mut reg = Vec::new();
        let mut docs: BTreeMap<DocId, Vec<Received>> = BTreeMap::new();
        for (d, s) in changes {
            if let Ok(r) = Received::verify(&org, d, s.clone()) {
                match d {
                    DocId::Registry => reg.push(r),
                    _ => docs.entry(d.clone()).or_default().push(r),
                }
            }
        }
        let registry = rebuild_registry(org, reg);
        let me = key.id();
        let docs = docs
            .into_iter()
            .filter(|(d, _)| can_read(&registry, &me, d))
            .map(|(d, list)| (d.clone(), DocLedger::new(d, list, &registry)))
            .collect();
        Base {
            key,
            registry,
            docs,
            tickets: BTreeMap::new(),
            time: fixture::T0 + 1_000_000,
        }
    }

    /// The fixture's founder holding every fixture change, with invitations [`fixture::TICKET`]
    /// (unused) and [`fixture::USED_TICKET`] (used by device [`fixture::ACTIVE`]).
    pub fn founder(fx: &Fixture) -> Base {
        let mut b = Base::new(
            fixture::copy_key(&fx.keys[fixture::FOUNDER]),
            fx.org,
            &fx.all(),
        );
        b.tickets
            .insert(fixture::TICKET, (vec![Role::Staff], true, None));
        b.tickets.insert(
            fixture::USED_TICKET,
            (
                vec![Role::Member],
                false,
                Some(fx.keys[fixture::ACTIVE].id().0),
            ),
        );
        b
    }
}

/// A device as a session changes it: [`Base`] plus its own copies of what changed.
pub struct Device<'a> {
    base: &'a Base,
    registry: Option<RegistryLedger>,
    /// Documents changed (`Some`) or dropped because no longer readable (`None`).
    docs: BTreeMap<DocId, Option<DocLedger>>,
    tickets: BTreeMap<[u8; 16], Invite>,
    time: i64,
}

fn held(received: &BTreeMap<ChangeHash, Received>, eval: &Evaluation) -> Vec<[u8; 32]> {
    received
        .keys()
        .filter(|h| !eval.rejected.contains_key(h))
        .map(|h| h.0)
        .collect()
}

impl<'a> Device<'a> {
    /// Starts from `base`.
    pub fn new(base: &'a Base) -> Self {
        Device {
            base,
            registry: None,
            docs: BTreeMap::new(),
            tickets: base.tickets.clone(),
            time: base.time,
        }
    }

    /// This device's id.
    pub fn me(&self) -> DeviceId {
        self.base.key.id()
    }

    /// The registry ledger.
    pub fn registry(&self) -> &RegistryLedger {
        self.registry.as_ref().unwrap_or(&self.base.registry)
    }

    /// A record document's ledger, if held.
    pub fn doc(&self, id: &DocId) -> Option<&DocLedger> {
        match self.docs.get(id) {
            Some(own) => own.as_ref(),
            None => self.base.docs.get(id),
        }
    }

    /// The record documents held.
    pub fn doc_ids(&self) -> Vec<DocId> {
        let mut ids: BTreeSet<&DocId> = self.base.docs.keys().collect();
        ids.extend(self.docs.keys());
        ids.into_iter()
            .filter(|d| self.doc(d).is_some())
            .cloned()
            .collect()
    }

    fn rejected(&self) -> usize {
        self.registry().evaluation().rejected.len()
            + self
                .doc_ids()
                .iter()
                .filter_map(|d| self.doc(d))
                .map(|l| l.evaluation().rejected.len())
                .sum::<usize>()
    }

    /// Receives verified registry changes; returns how many were new.
    fn receive_registry(&mut self, list: Vec<Received>) -> usize {
        let mut reg = match self.registry.take() {
            Some(r) => r,
            None => rebuild_registry(
                self.base.registry.org(),
                self.base.registry.received().values().cloned(),
            ),
        };
        let before = reg.received().len();
        reg.insert(list);
        let new = reg.received().len() - before;
        self.registry = Some(reg);
        if new > 0 {
            // As `Replica`: drop what this device may no longer read, judge the rest again.
            let me = self.me();
            for id in self.doc_ids() {
                let ledger = if can_read(self.registry(), &me, &id) {
                    let received: Vec<Received> = self
                        .doc(&id)
                        .map(|l| l.received().values().cloned().collect())
                        .unwrap_or_default();
                    Some(DocLedger::new(id.clone(), received, self.registry()))
                } else {
                    None
                };
                self.docs.insert(id, ledger);
            }
        }
        new
    }

    /// Receives verified changes of one record document; `None` if it may not read it.
    fn receive_doc(&mut self, id: &DocId, list: Vec<Received>) -> Option<usize> {
        if !can_read(self.registry(), &self.me(), id) {
            return None;
        }
        let (before, ledger) = match self.docs.remove(id).flatten() {
            Some(mut own) => {
                let before = own.received().len();
                own.insert(list, self.registry());
                (before, own)
            }
            None => {
                let old: Vec<Received> = self
                    .base
                    .docs
                    .get(id)
                    .map(|l| l.received().values().cloned().collect())
                    .unwrap_or_default();
                let before = old.len();
                let all = old.into_iter().chain(list);
                (before, DocLedger::new(id.clone(), all, self.registry()))
            }
        };
        let new = ledger.received().len() - before;
        self.docs.insert(id.clone(), Some(ledger));
        Some(new)
    }

    fn ledger_held(&self, doc: &DocId) -> Vec<[u8; 32]> {
        match doc {
            DocId::Registry => {
                let l = self.registry();
                held(l.received(), l.evaluation())
            }
            _ => self
                .doc(doc)
                .map(|l| held(l.received(), l.evaluation()))
                .unwrap_or_default(),
        }
    }

    fn ledger_changes(&self, doc: &DocId, except: &BTreeSet<[u8; 32]>) -> Vec<Vec<u8>> {
        let (received, eval) = match doc {
            DocId::Registry => {
                let l = self.registry();
                (l.received(), l.evaluation())
            }
            _ => match self.doc(doc) {
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

    fn receive_all(&mut self, batches: Vec<(String, Vec<Vec<u8>>)>, registry: bool) -> Applied {
        let before = self.rejected();
        let org = self.registry().org();
        let mut applied = Applied::default();
        let mut by_doc: BTreeMap<DocId, Vec<Received>> = BTreeMap::new();
        for (doc, list) in batches {
            let doc_id = match doc.parse::<DocId>() {
                Ok(d) if (d == DocId::Registry) == registry => d,
                _ => {
                    applied.refused += list.len();
                    continue;
                }
            };
            for bytes in list {
                let verified = SignedChange::from_bytes(&bytes)
                    .ok()
                    .and_then(|s| Received::verify(&org, &doc_id, s).ok());
                match verified {
                    Some(r) => by_doc.entry(doc_id.clone()).or_default().push(r),
                    None => applied.refused += 1,
                }
            }
        }
        for (doc, list) in by_doc {
            let n = list.len();
            if doc == DocId::Registry {
                applied.new += self.receive_registry(list);
            } else {
                match self.receive_doc(&doc, list) {
                    Some(new) => applied.new += new,
                    None => applied.refused += n,
                }
            }
        }
        applied.rejected = self.rejected().saturating_sub(before);
        applied
    }

    fn redeem_now(&mut self, peer: &[u8; 32], secret: &[u8; 16]) -> Result<(), String> {
        let Some((roles, agreement, used_by)) = self.tickets.get(secret).cloned() else {
            return Err("unknown invitation".into());
        };
        match used_by {
            Some(by) if by == *peer => return Ok(()),
            Some(_) => return Err("the invitation was used".into()),
            None => {}
        }
        let me = self.me();
        if !self
            .registry()
            .registry()
            .is_some_and(|r| r.is_direction(&me))
        {
            return Err("this device may not enrol devices".into());
        }
        let device = DeviceId(*peer);
        let mut ops = vec![RegistryOp::Enrol {
            device,
            holder: "Joiner".into(),
            city: None,
            roles: roles.into_iter().collect(),
        }];
        if agreement {
            ops.push(RegistryOp::Agreement {
                device,
                signed_on: Some("2026-02-02".into()),
            });
        }
        self.time += 1_000;
        let key = &self.base.key;
        let mut doc = self.registry().doc_for(&me).map_err(|e| e.to_string())?;
        let change = Registry::apply(&mut doc, key, &ops, self.time)
            .map_err(|e| e.to_string())?
            .ok_or("nothing to enrol")?;
        let org = self.registry().org();
        let signed = SignedChange::sign(key, &org, &DocId::Registry, &change);
        let r = Received::verify(&org, &DocId::Registry, signed).map_err(|e| e.to_string())?;
        self.receive_registry(vec![r]);
        if let Some(t) = self.tickets.get_mut(secret) {
            t.2 = Some(*peer);
        }
        Ok(())
    }

    fn peer_reads(&self, peer: &DeviceId, class: carnet_model::FieldClass) -> bool {
        self.registry()
            .registry()
            .is_some_and(|r| r.access(peer, class).can_read())
    }
}

impl SyncData for Device<'_> {
    fn org(&self) -> [u8; 16] {
        *self.registry().org().0.as_bytes()
    }

    fn knows(&self, peer: &[u8; 32]) -> bool {
        self.registry()
            .registry()
            .and_then(|r| r.device(&DeviceId(*peer)))
            .is_some_and(|d| d.revoked.is_none())
    }

    fn redeem(&mut self, peer: &[u8; 32], secret: &[u8; 16]) -> Result<(), String> {
        // A device no session changed yet always ends in the same state after redeeming the
        // same invitation for the same peer: compute that once and start from it.
        let pristine =
            self.registry.is_none() && self.docs.is_empty() && self.time == self.base.time;
        let key = (self.base as *const Base as usize, *peer, *secret);
        if pristine {
            if let Some(joined) = JOINED.with(|j| j.borrow().get(&key).copied()) {
                *self = Device::new(joined);
                return Ok(());
            }
        }
        self.redeem_now(peer, secret)?;
        if pristine && self.time != self.base.time {
            let docs = self
                .doc_ids()
                .into_iter()
                .filter_map(|d| {
                    let received: Vec<Received> =
                        self.doc(&d)?.received().values().cloned().collect();
                    Some((d.clone(), DocLedger::new(d, received, self.registry())))
                })
                .collect();
            let joined: &'static Base = Box::leak(Box::new(Base {
                key: fixture::copy_key(&self.base.key),
                registry: rebuild_registry(
                    self.registry().org(),
                    self.registry().received().values().cloned(),
                ),
                docs,
                tickets: self.tickets.clone(),
                time: self.time,
            }));
            JOINED.with(|j| j.borrow_mut().insert(key, joined));
            *self = Device::new(joined);
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
            .doc_ids()
            .into_iter()
            .filter(|d| d.class().is_some_and(|c| self.peer_reads(&peer, c)))
            .filter_map(|d| {
                let h = self.ledger_held(&d);
                (!h.is_empty()).then(|| (d.to_string(), carnet_sync::doc_digest(&h)))
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

/// States after redeeming an invitation from a pristine device: (base, peer, secret) → state.
type Joined = BTreeMap<(usize, [u8; 32], [u8; 16]), &'static Base>;

thread_local! {
    static JOINED: std::cell::RefCell<Joined> = const { std::cell::RefCell::new(BTreeMap::new()) };
    static RESPONDER: &'static Base = Box::leak(Box::new(Base::founder(fixture::fixture())));
}

/// The fixture's founder holding everything: the responder every `session` input starts from.
pub fn responder() -> &'static Base {
    RESPONDER.with(|r| *r)
}

/// The peers a `session` input can be from, selected by its first byte.
pub const PEERS: [usize; 6] = [
    fixture::STAFF,
    fixture::MEMBER,
    fixture::ACTIVE,
    fixture::STRANGER,
    fixture::REVOKED,
    fixture::FOUNDER,
];

/// Runs a whole session between `initiator` (dialling, with `ticket`) and `responder`, as the
/// node does (stopping at the first error); returns every message delivered, in order, with
/// whether the initiator sent it, and how the session ended.
pub fn drive(
    initiator: &mut Device<'_>,
    responder: &mut dyn SyncData,
    responder_id: [u8; 32],
    ticket: Option<[u8; 16]>,
) -> (Vec<(bool, Message)>, Result<(), SessionError>) {
    let mut a = Session::new(Side::Initiator, responder_id, ticket);
    let mut b = Session::new(Side::Responder, initiator.me().0, None);
    let mut transcript = Vec::new();
    let mut to_b = a.start(initiator);
    for _ in 0..1_000 {
        if to_b.is_empty() {
            break;
        }
        let mut to_a = Vec::new();
        for m in to_b.drain(..) {
            transcript.push((true, m.clone()));
            match b.handle(m, responder) {
                Ok(out) => to_a.extend(out),
                Err(e) => {
                    if let Some(r) = Session::refusal(&e) {
                        transcript.push((false, r));
                    }
                    return (transcript, Err(e));
                }
            }
        }
        for m in to_a {
            transcript.push((false, m.clone()));
            match a.handle(m, initiator) {
                Ok(out) => to_b.extend(out),
                Err(e) => return (transcript, Err(e)),
            }
        }
    }
    (transcript, Ok(()))
}
