//! A deterministic organisation for the targets: fixed keys and times, so the organisation id,
//! every change hash and every signature are the same in every run (seeds written by
//! `examples/gen_seeds.rs` keep reaching the same code).
//!
//! Devices (index into [`Fixture::keys`]):
//! 0. the founder, *direction*;
//! 1. *staff* with a confidentiality agreement;
//! 2. *member* (reads COM, writes nothing of a member record);
//! 3. *active member* (no agreement);
//! 4. never enrolled;
//! 5. *staff* with an agreement, revoked after its first change.
//!
//! Changes: the genesis, four enrolments (the active member's through an invitation), a
//! registry change by staff (rejected: not direction), the revocation; record changes by the
//! founder and staff (valid), by the member (rejected: cannot write), by the unenrolled device
//! (rejected: not enrolled) and by the revoked device after its revocation (rejected: revoked).
//!
//! Every change is made by real devices (`carnet_device::Device` through `carnet-testkit`),
//! each with its own store in memory, as staff's laptops would; the rejected ones are signed
//! behind their devices' backs (`TestDevice::forge`, and a registry change crafted by staff),
//! as a compromised device sends them. The founder's store, holding everything, is kept
//! ([`Fixture::responder`]): the `session` target answers from a copy of it.

use std::collections::{BTreeMap, BTreeSet};

use carnet_device::{Device, Memory};
use carnet_model::{RecordKind, Role};
use carnet_replica::{
    DeviceKey, DocId, OrgId, Received, RecordId, Registry, RegistryOp, SignedChange,
};
use carnet_testkit::{PASSPHRASE, TestDevice, at};

/// The peers a `session` input can be from, selected by its first byte.
pub const PEERS: [usize; 6] = [STAFF, MEMBER, ACTIVE, STRANGER, REVOKED, FOUNDER];

/// The founding time (ms).
pub const T0: i64 = 1_700_000_000_000;

/// Index of the founder in [`Fixture::keys`].
pub const FOUNDER: usize = 0;
/// Index of the staff device.
pub const STAFF: usize = 1;
/// Index of the member device.
pub const MEMBER: usize = 2;
/// Index of the active member device.
pub const ACTIVE: usize = 3;
/// Index of the device never enrolled.
pub const STRANGER: usize = 4;
/// Index of the device revoked.
pub const REVOKED: usize = 5;

/// How inputs name the invitation the fixture's responder honours (enrols as staff with an
/// agreement). The device draws its secrets at random: the `session` target puts the real one
/// in place of this stand-in ([`Fixture::real_ticket`]).
pub const TICKET: [u8; 16] = [0x77; 16];
/// How inputs name the invitation device [`ACTIVE`] was enrolled by (used).
pub const USED_TICKET: [u8; 16] = [0x66; 16];

/// The time the responder's sessions stamp an enrolment with (a fixed clock, so that session
/// seeds stay the same).
pub const SESSION_TIME: i64 = T0 + 1_000_000;

/// The member record's id.
pub const MEMBER_RECORD: RecordId = RecordId(uuid_bytes(0x11));
/// The project record's id.
pub const PROJECT_RECORD: RecordId = RecordId(uuid_bytes(0x22));

const fn uuid_bytes(b: u8) -> uuid::Uuid {
    uuid::Uuid::from_bytes([b; 16])
}

/// The organisation.
pub struct Fixture {
    /// The devices' keys (see the module doc).
    pub keys: Vec<DeviceKey>,
    /// The organisation's id.
    pub org: OrgId,
    /// Every registry change, in the order made (valid or not).
    pub registry: Vec<SignedChange>,
    /// Every record change, in the order made (valid or not).
    pub docs: Vec<(DocId, SignedChange)>,
    /// [`Fixture::registry`], signature-checked.
    pub registry_received: Vec<Received>,
    /// [`Fixture::docs`], signature-checked.
    pub docs_received: Vec<(DocId, Received)>,
    /// The founder's store, holding every change, closed (see [`Fixture::responder`]).
    memory: Memory,
    /// The real secrets of [`TICKET`] and [`USED_TICKET`].
    tickets: BTreeMap<[u8; 16], [u8; 16]>,
}

/// The documents the fixture writes to.
pub fn doc_ids() -> [DocId; 4] {
    use carnet_model::FieldClass::{Com, Per, Pub};
    [
        DocId::record(RecordKind::Member, MEMBER_RECORD, Com),
        DocId::record(RecordKind::Member, MEMBER_RECORD, Per),
        DocId::record(RecordKind::Project, PROJECT_RECORD, Pub),
        DocId::record(RecordKind::Project, PROJECT_RECORD, Com),
    ]
}

/// Key `i` of the fixture (a fixed secret).
pub fn key(i: usize) -> DeviceKey {
    DeviceKey::from_secret_bytes(&[i as u8 + 1; 32])
}

/// A copy of a key.
pub fn copy_key(k: &DeviceKey) -> DeviceKey {
    DeviceKey::from_secret_bytes(&k.secret_bytes())
}

/// Every envelope `device` holds of `doc`.
fn held(device: &Device, doc: &DocId) -> BTreeSet<Vec<u8>> {
    device
        .export(doc)
        .expect("export")
        .iter()
        .map(SignedChange::to_bytes)
        .collect()
}

/// What `device` holds of `doc` that `before` does not list (the changes it just made).
fn made(device: &Device, doc: &DocId, before: &BTreeSet<Vec<u8>>) -> Vec<SignedChange> {
    device
        .export(doc)
        .expect("export")
        .into_iter()
        .filter(|s| !before.contains(&s.to_bytes()))
        .collect()
}

/// Everything `from` holds, per document, registry first.
fn everything(from: &Device) -> Vec<(DocId, Vec<SignedChange>)> {
    let mut all = vec![(
        DocId::Registry,
        from.export(&DocId::Registry).expect("export"),
    )];
    for doc in from.documents().expect("documents") {
        if doc != DocId::Registry {
            all.push((doc.clone(), from.export(&doc).expect("export")));
        }
    }
    all
}

/// Device `i` of the fixture's organisation, holding what `from` holds.
fn joined(i: usize, org: OrgId, from: &Device) -> TestDevice {
    let mut d = TestDevice::joining(key(i), org, T0);
    d.receive_many(everything(from)).expect("receive");
    d
}

/// Writes `typed` to record `id` of `kind` on `device` at `now`; returns the changes made.
fn write(
    device: &mut Device,
    kind: RecordKind,
    id: RecordId,
    typed: &[&str],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(DocId, SignedChange)> {
    let edits: Vec<_> = typed
        .iter()
        .map(|e| kind.parse_edit(e).expect("edit"))
        .collect();
    let docs: Vec<DocId> = kind
        .classes()
        .into_iter()
        .map(|c| DocId::record(kind, id, c))
        .collect();
    let before: Vec<_> = docs.iter().map(|d| held(device, d)).collect();
    device.put(kind, id, &edits, now).expect("write");
    let mut out = Vec::new();
    for (d, b) in docs.iter().zip(&before) {
        out.extend(made(device, d, b).into_iter().map(|s| (d.clone(), s)));
    }
    out
}

/// Gives `changes` to `to`.
fn deliver(to: &mut Device, changes: &[(DocId, SignedChange)]) {
    let batches = changes
        .iter()
        .map(|(d, s)| (d.clone(), vec![s.clone()]))
        .collect();
    to.receive_many(batches).expect("receive");
}

/// Ten years after the founding: when the fixture's invitations expire.
fn far() -> chrono::DateTime<chrono::Utc> {
    at(T0 + 10 * 365 * 86_400_000)
}

impl Fixture {
    /// Builds the organisation (deterministic).
    pub fn build() -> Fixture {
        let keys: Vec<DeviceKey> = (0..6).map(key).collect();
        let mut founder = TestDevice::found(key(FOUNDER), T0);
        let org = founder.org();
        let mut registry = founder.export(&DocId::Registry).expect("genesis");
        let mut t = T0;
        let mut tick = || {
            t += 1_000;
            at(t)
        };
        let mut tickets = BTreeMap::new();
        for (i, roles, agreement) in [
            (STAFF, vec![Role::Staff], true),
            (MEMBER, vec![Role::Member], false),
            (ACTIVE, vec![Role::ActiveMember], false),
            (REVOKED, vec![Role::Staff], true),
        ] {
            let device = keys[i].id();
            let before = held(&founder, &DocId::Registry);
            let holder = format!("Holder {i}");
            let roles: BTreeSet<Role> = roles.into_iter().collect();
            if i == ACTIVE {
                // Through an invitation, which stays used by this device.
                let secret = founder
                    .device_mut()
                    .invite(roles, &holder, Some("Nice"), None, far(), false)
                    .expect("invite");
                founder.redeem(device, &secret, tick()).expect("redeem");
                tickets.insert(USED_TICKET, secret);
            } else {
                let mut ops = vec![RegistryOp::Enrol {
                    device,
                    holder,
                    city: Some("Nice".into()),
                    roles,
                }];
                if agreement {
                    ops.push(RegistryOp::Agreement {
                        device,
                        signed_on: Some("2026-01-01".into()),
                    });
                }
                founder.change_registry(&ops, tick()).expect("enrol");
            }
            registry.extend(made(&founder, &DocId::Registry, &before));
        }
        let secret = founder
            .device_mut()
            .invite(
                BTreeSet::from([Role::Staff]),
                "Joiner",
                None,
                Some("2026-02-02".into()),
                far(),
                false,
            )
            .expect("invite");
        tickets.insert(TICKET, secret);

        let m = RecordKind::Member;
        let p = RecordKind::Project;
        let mut docs: Vec<(DocId, SignedChange)> = Vec::new();
        // Valid changes: the founder's, staff's, and the later revoked device's before its
        // revocation, each on its own device, delivered to the founder.
        let w = write(
            &mut founder,
            m,
            MEMBER_RECORD,
            &[
                "display_name=Joy",
                "status=member",
                "member_since=2023-03-01",
                "working_groups=media,advocacy",
                "speaks_french=yes",
                "first_name=Ọlá",
                "case_notes=first meeting",
            ],
            tick(),
        );
        docs.extend(w);
        let mut staff = joined(STAFF, org, &founder);
        let w = write(
            &mut staff,
            m,
            MEMBER_RECORD,
            &["last_name=Okafor", "city=Nice", "working_groups+=roots"],
            tick(),
        );
        deliver(&mut founder, &w);
        docs.extend(w);
        let w = write(
            &mut founder,
            p,
            PROJECT_RECORD,
            &[
                "title=Roof",
                "period_start=2026-01-01",
                "partners=a,b",
                "targets=10 families",
            ],
            tick(),
        );
        docs.extend(w);
        let mut revoked = joined(REVOKED, org, &founder);
        let w = write(&mut revoked, m, MEMBER_RECORD, &["status=active"], tick());
        deliver(&mut founder, &w);
        docs.extend(w);
        // A registry change by staff, crafted behind its device's back (which refuses to make
        // it): rejected everywhere (not direction).
        let mut reg_doc = staff
            .registry_ledger()
            .doc_for(&keys[STAFF].id())
            .expect("registry doc");
        let change = Registry::apply(
            &mut reg_doc,
            &keys[STAFF],
            &[RegistryOp::Role {
                device: keys[STAFF].id(),
                role: Role::Direction,
                granted: true,
            }],
            tick().timestamp_millis(),
        )
        .expect("apply")
        .expect("a change");
        let s = SignedChange::sign(&keys[STAFF], &org, &DocId::Registry, &change);
        founder
            .receive(&DocId::Registry, vec![s.clone()])
            .expect("receive");
        registry.push(s);
        // The revocation of device 5, keeping its change.
        let before = held(&founder, &DocId::Registry);
        founder
            .device_mut()
            .revoke(keys[REVOKED].id(), tick())
            .expect("revoke");
        registry.extend(made(&founder, &DocId::Registry, &before));
        // Rejected record changes (leaves, so the valid ones do not depend on them), forged by
        // the member's and the stranger's devices holding what the founder holds, and by the
        // revoked device, which does not know of its revocation.
        for (i, typed) in [
            (MEMBER, "display_name=Intruder"),
            (STRANGER, "status=left"),
            (REVOKED, "speaks_french=no"),
        ] {
            let forger = if i == REVOKED {
                None
            } else {
                Some(joined(i, org, &founder))
            };
            let by = forger.as_ref().unwrap_or(&revoked);
            let w = by.forge(m, MEMBER_RECORD, &[typed], tick().timestamp_millis());
            deliver(&mut founder, &w);
            docs.extend(w);
        }
        let memory = founder.memory().clone();
        drop(founder);
        let verify = |d: &DocId, s: &SignedChange| {
            Received::verify(&org, d, s.clone()).expect("a fixture change verifies")
        };
        let registry_received = registry
            .iter()
            .map(|s| verify(&DocId::Registry, s))
            .collect();
        let docs_received = docs
            .iter()
            .map(|(d, s)| (d.clone(), verify(d, s)))
            .collect();
        Fixture {
            keys,
            org,
            registry,
            docs,
            registry_received,
            docs_received,
            memory,
            tickets,
        }
    }

    /// The founder's device holding every fixture change and the two invitations, from a new
    /// copy of its store (each `session` input starts from the same state), its session clock
    /// set to [`SESSION_TIME`].
    pub fn responder(&self) -> Device {
        self.open_responder().0
    }

    /// [`Fixture::responder`], with the memory its store is in.
    pub fn open_responder(&self) -> (Device, Memory) {
        let memory = self.memory.copied();
        let mut d = Device::open_in_memory(&memory, PASSPHRASE).expect("open");
        d.set_clock(Some(at(SESSION_TIME)));
        (d, memory)
    }

    /// The secret a device issued for the stand-in `ticket` ([`TICKET`], [`USED_TICKET`]);
    /// any other value as it is.
    pub fn real_ticket(&self, ticket: [u8; 16]) -> [u8; 16] {
        self.tickets.get(&ticket).copied().unwrap_or(ticket)
    }

    /// The stand-in for a real secret (the reverse of [`Fixture::real_ticket`]).
    pub fn stand_in(&self, secret: [u8; 16]) -> [u8; 16] {
        self.tickets
            .iter()
            .find(|(_, real)| **real == secret)
            .map_or(secret, |(stand_in, _)| *stand_in)
    }

    /// Every change, registry first, as (document, envelope).
    pub fn all(&self) -> Vec<(DocId, SignedChange)> {
        self.registry
            .iter()
            .map(|s| (DocId::Registry, s.clone()))
            .chain(self.docs.iter().cloned())
            .collect()
    }

    /// The hashes of the fixture's registry changes.
    pub fn registry_hashes(&self) -> BTreeSet<[u8; 32]> {
        self.registry
            .iter()
            .map(|s| {
                automerge::Change::from_bytes(s.change.clone())
                    .expect("change")
                    .hash()
                    .0
            })
            .collect()
    }
}

thread_local! {
    static FIXTURE: &'static Fixture = Box::leak(Box::new(Fixture::build()));
}

/// The fixture, built once per thread.
pub fn fixture() -> &'static Fixture {
    FIXTURE.with(|f| *f)
}
