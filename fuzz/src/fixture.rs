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
//! Changes: the genesis, four enrolments, a registry change by staff (rejected: not direction),
//! the revocation; record changes by the founder and staff (valid), by the member (rejected:
//! cannot write), by the unenrolled device (rejected: not enrolled) and by the revoked device
//! after its revocation (rejected: revoked).

use std::collections::BTreeSet;

use carnet_model::{RecordKind, Role};
use carnet_replica::{
    DeviceKey, DocId, OrgId, Received, RecordId, Registry, RegistryOp, Replica, SignedChange,
};

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

/// The invitation secret the fixture's responder honours (enrols as staff with an agreement).
pub const TICKET: [u8; 16] = [0x77; 16];
/// An invitation secret already used by device [`ACTIVE`].
pub const USED_TICKET: [u8; 16] = [0x66; 16];

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

impl Fixture {
    /// Builds the organisation (deterministic).
    pub fn build() -> Fixture {
        let keys: Vec<DeviceKey> = (0..6).map(key).collect();
        let (mut rep, genesis) =
            Replica::found(&keys[FOUNDER], "Mist", "Founder", T0).expect("founding");
        let org = rep.registry().org();
        let mut registry = vec![genesis];
        let mut t = T0;
        let mut tick = || {
            t += 1_000;
            t
        };
        for (i, roles, agreement) in [
            (STAFF, vec![Role::Staff], true),
            (MEMBER, vec![Role::Member], false),
            (ACTIVE, vec![Role::ActiveMember], false),
            (REVOKED, vec![Role::Staff], true),
        ] {
            let device = keys[i].id();
            let mut ops = vec![RegistryOp::Enrol {
                device,
                holder: format!("Holder {i}"),
                city: Some("Nice".into()),
                roles: roles.into_iter().collect(),
            }];
            if agreement {
                ops.push(RegistryOp::Agreement {
                    device,
                    signed_on: Some("2026-01-01".into()),
                });
            }
            let s = rep
                .change_registry(&keys[FOUNDER], &ops, tick())
                .expect("enrol")
                .expect("a change");
            registry.push(s);
        }

        let docs_of = |out: Vec<(DocId, SignedChange)>, all: &mut Vec<(DocId, SignedChange)>| {
            all.extend(out);
        };
        let mut docs = Vec::new();
        let edits = |kind: RecordKind, typed: &[&str]| -> Vec<carnet_model::FieldEdit> {
            typed
                .iter()
                .map(|e| kind.parse_edit(e).expect("edit"))
                .collect()
        };
        let m = RecordKind::Member;
        let p = RecordKind::Project;
        // Valid changes.
        let w = rep
            .write(
                &keys[FOUNDER],
                m,
                MEMBER_RECORD,
                &edits(
                    m,
                    &[
                        "display_name=Joy",
                        "status=member",
                        "member_since=2024-03-01",
                        "working_groups=media,advocacy",
                        "speaks_french=yes",
                        "first_name=Ọlá",
                        "case_notes=first meeting",
                    ],
                ),
                tick(),
            )
            .expect("write");
        docs_of(w, &mut docs);
        let w = rep
            .write(
                &keys[STAFF],
                m,
                MEMBER_RECORD,
                &edits(
                    m,
                    &["last_name=Okafor", "city=Nice", "working_groups+=roots"],
                ),
                tick(),
            )
            .expect("write");
        docs_of(w, &mut docs);
        let w = rep
            .write(
                &keys[FOUNDER],
                p,
                PROJECT_RECORD,
                &edits(
                    p,
                    &[
                        "title=Roof",
                        "period_start=2026-01-01",
                        "partners=a,b",
                        "targets=10 families",
                    ],
                ),
                tick(),
            )
            .expect("write");
        docs_of(w, &mut docs);
        let w = rep
            .write(
                &keys[REVOKED],
                m,
                MEMBER_RECORD,
                &edits(m, &["status=active"]),
                tick(),
            )
            .expect("write");
        docs_of(w, &mut docs);
        // A registry change by staff: rejected everywhere (not direction).
        let mut reg_doc = rep
            .registry()
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
            tick(),
        )
        .expect("apply")
        .expect("a change");
        let s = SignedChange::sign(&keys[STAFF], &org, &DocId::Registry, &change);
        rep.receive(&DocId::Registry, s.clone()).expect("receive");
        registry.push(s);
        // The revocation of device 5, keeping its change.
        let s = rep
            .revoke(&keys[FOUNDER], keys[REVOKED].id(), tick())
            .expect("revoke")
            .expect("a change");
        registry.push(s);
        // Rejected record changes (leaves, so the valid ones do not depend on them).
        for (i, doc_edits) in [
            (MEMBER, edits(m, &["display_name=Intruder"])),
            (STRANGER, edits(m, &["status=left"])),
            (REVOKED, edits(m, &["speaks_french=no"])),
        ] {
            let w = rep
                .write_unchecked(&keys[i], m, MEMBER_RECORD, &doc_edits, tick())
                .expect("write");
            docs_of(w, &mut docs);
        }
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
        }
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
