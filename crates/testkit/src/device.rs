//! A real [`Device`] in memory, with a clock, for tests and simulations.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Deref, DerefMut};

use carnet_device::{Device, Memory};
use carnet_model::{FieldClass, FieldEdit, RecordKind, Role};
use carnet_replica::{
    ChangeHash, DeviceId, DeviceKey, DocId, DocLedger, OrgId, Received, RecordId, RegistryOp,
    SignedChange,
};
use chrono::{DateTime, Utc};

/// The passphrase of every test device's store.
pub const PASSPHRASE: &[u8] = b"carnet testkit passphrase";

/// The time test devices start at (ms since the epoch: November 2023).
pub const T0: i64 = 1_700_000_000_000;

/// `ms` milliseconds since the epoch as a time.
pub fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap()
}

/// The device key made from `seed`'s bytes (a seeded run makes the same keys).
pub fn key(seed: [u8; 32]) -> DeviceKey {
    DeviceKey::from_secret_bytes(&seed)
}

/// A real device whose store lives in memory, and its clock.
pub struct TestDevice {
    device: Option<Device>,
    memory: Memory,
    id: DeviceId,
    /// The device's own clock ([`Device::set_clock`]), kept across restarts and lending.
    clock: Option<DateTime<Utc>>,
    /// This device's clock (ms), advanced by [`TestDevice::tick`].
    pub time: i64,
}

impl TestDevice {
    /// Founds organisation "Mist" on a new direction device with key `key` at `time` (ms).
    pub fn found(key: DeviceKey, time: i64) -> TestDevice {
        let memory = Memory::new();
        let id = key.id();
        let device =
            Device::found_in_memory(&memory, PASSPHRASE, key, "Mist", "Founder", at(time)).unwrap();
        TestDevice {
            device: Some(device),
            memory,
            id,
            clock: None,
            time,
        }
    }

    /// Founds an organisation on a device with a random key (tests that need no seed).
    pub fn found_random() -> TestDevice {
        Self::found(DeviceKey::generate().unwrap(), T0)
    }

    /// A device with key `key` that will join `org`; it holds nothing yet.
    pub fn joining(key: DeviceKey, org: OrgId, time: i64) -> TestDevice {
        let memory = Memory::new();
        let id = key.id();
        let device = Device::join_in_memory(&memory, PASSPHRASE, key, org).unwrap();
        TestDevice {
            device: Some(device),
            memory,
            id,
            clock: None,
            time,
        }
    }

    /// A device with a random key that will join `org`.
    pub fn joining_random(org: OrgId) -> TestDevice {
        Self::joining(DeviceKey::generate().unwrap(), org, T0)
    }

    /// The device.
    pub fn device(&self) -> &Device {
        self.device.as_ref().unwrap()
    }

    /// The device, to change it.
    pub fn device_mut(&mut self) -> &mut Device {
        self.device.as_mut().unwrap()
    }

    /// The memory its store lives in.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// This device's id.
    pub fn id(&self) -> DeviceId {
        self.id
    }

    /// The organisation.
    pub fn org(&self) -> OrgId {
        self.device().org()
    }

    /// Advances the clock by a second; returns the new time.
    pub fn tick(&mut self) -> DateTime<Utc> {
        self.time += 1_000;
        at(self.time)
    }

    /// Fixes the time the device stamps what it does on its own (its erasure receipts, an
    /// enrolment when redeeming), here and in every device opened on its memory afterwards
    /// (restarts, lending): a seeded run makes the same changes every time.
    pub fn set_clock(&mut self, now: Option<DateTime<Utc>>) {
        self.clock = now;
        self.device_mut().set_clock(now);
    }

    /// Drops the device and opens it again from its memory, as a process restarting.
    pub fn restart(&mut self) {
        self.device = None;
        let mut device = Device::open_in_memory(&self.memory, PASSPHRASE).unwrap();
        device.set_clock(self.clock);
        self.device = Some(device);
    }

    /// Lends the store as `carnet serve` does to another command: the device suspends, a
    /// second device opened on the same memory runs `f` (then is dropped, as the command's
    /// process exits), and the first resumes.
    pub fn lend<R>(&mut self, f: impl FnOnce(&mut Device) -> R) -> R {
        self.device_mut().suspend();
        let out = {
            let mut other = Device::open_in_memory(&self.memory, PASSPHRASE).unwrap();
            other.set_clock(self.clock);
            f(&mut other)
        };
        self.device_mut().resume().unwrap();
        out
    }

    /// Enrols `id` with `roles` (and a confidentiality agreement if asked), by this direction
    /// device.
    pub fn enrol(&mut self, id: DeviceId, roles: &[Role], agreement: bool) {
        let mut ops = vec![RegistryOp::Enrol {
            device: id,
            holder: "Someone".into(),
            city: None,
            roles: roles.iter().copied().collect::<BTreeSet<Role>>(),
        }];
        if agreement {
            ops.push(RegistryOp::Agreement {
                device: id,
                signed_on: Some("2026-01-01".into()),
            });
        }
        let now = self.tick();
        self.device_mut().change_registry(&ops, now).unwrap();
    }

    /// Enrols a new device (random key) with `roles`; it holds nothing until it syncs.
    pub fn enrol_new(&mut self, roles: &[Role], agreement: bool) -> TestDevice {
        let dev = TestDevice::joining_random(self.org());
        self.enrol(dev.id(), roles, agreement);
        dev
    }

    /// Revokes `device`, by this direction device.
    pub fn revoke(&mut self, device: DeviceId) {
        let now = self.tick();
        self.device_mut().revoke(device, now).unwrap();
    }

    /// Writes `typed` edits (`name=value`) to record `id` of `kind` (created if new), checking
    /// rights; returns the documents changed.
    pub fn write(&mut self, kind: RecordKind, id: RecordId, typed: &[&str]) -> Vec<DocId> {
        let edits: Vec<FieldEdit> = typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect();
        let now = self.tick();
        match self.device_mut().put(kind, id, &edits, now).unwrap() {
            carnet_device::Written::Changed(docs) => docs,
            carnet_device::Written::Unchanged => Vec::new(),
        }
    }

    /// Writes a new member (COM, and PER when `personal` is given); returns its id.
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
}

impl Deref for TestDevice {
    type Target = Device;
    fn deref(&self) -> &Device {
        self.device()
    }
}

impl DerefMut for TestDevice {
    fn deref_mut(&mut self) -> &mut Device {
        self.device_mut()
    }
}

impl TestDevice {
    /// Issues an invitation granting `roles` (and the agreement if asked), valid a day; returns
    /// its secret.
    pub fn invite(&mut self, roles: &[Role], agreement: bool) -> [u8; 16] {
        let expires = Utc::now() + chrono::Duration::days(1);
        self.device_mut()
            .invite(
                roles.iter().copied().collect(),
                "Someone",
                None,
                agreement.then(|| "2026-01-01".to_string()),
                expires,
                false,
            )
            .unwrap()
    }

    /// Whether `peer` may read `class` according to this device's registry.
    pub fn peer_reads(&self, peer: &DeviceId, class: FieldClass) -> bool {
        self.registry()
            .is_some_and(|r| r.access(peer, class).can_read())
    }

    /// Every change held, whatever its verdict, per document (registry included).
    pub fn held_everything(&self) -> BTreeMap<DocId, BTreeSet<ChangeHash>> {
        let mut out = BTreeMap::new();
        let mut docs = vec![DocId::Registry];
        docs.extend(self.documents().unwrap());
        for doc in docs {
            let v = self.verdicts(&doc).unwrap();
            let all: BTreeSet<ChangeHash> = v
                .valid
                .into_iter()
                .chain(v.pending)
                .chain(v.rejected)
                .collect();
            out.insert(doc, all);
        }
        out
    }

    /// Every signed change held (any verdict), registry first.
    pub fn all_changes(&self) -> Vec<(DocId, SignedChange)> {
        let mut docs = vec![DocId::Registry];
        docs.extend(self.documents().unwrap());
        let mut out = Vec::new();
        for doc in docs {
            for c in self.export(&doc).unwrap() {
                out.push((doc.clone(), c));
            }
        }
        out
    }

    /// What this device still holds of records `ids` (any kind, any class): stored changes or
    /// a stored state under one of their documents, changes [`Device::export`] would hand out,
    /// and the keys of their personal documents in the store's key file. Empty once an erasure
    /// of the records reached the device.
    pub fn traces_of(&self, ids: &[RecordId]) -> Vec<String> {
        traces(self.device(), ids)
    }

    /// [`TestDevice::traces_of`] as a device opened afresh on this one's memory finds them
    /// (through [`TestDevice::lend`]): what its store and key file hold, not what the open
    /// device remembers.
    pub fn stored_traces_of(&mut self, ids: &[RecordId]) -> Vec<String> {
        self.lend(|d| traces(d, ids))
    }

    /// Signs `typed` edits of record `id` with this device's key behind its back: no rights
    /// checked, nothing stored (what a compromised device sends). Built on what it holds.
    pub fn forge(
        &self,
        kind: RecordKind,
        id: RecordId,
        typed: &[&str],
        time: i64,
    ) -> Vec<(DocId, SignedChange)> {
        self.forge_at(kind, id, typed, time, &self.registry_ledger().doc().heads())
    }

    /// [`TestDevice::forge`] naming registry `heads` (say, old ones, from before a removal of
    /// its rights: what a tampered device claims to have seen).
    pub fn forge_at(
        &self,
        kind: RecordKind,
        id: RecordId,
        typed: &[&str],
        time: i64,
        heads: &[ChangeHash],
    ) -> Vec<(DocId, SignedChange)> {
        let key = DeviceKey::from_secret_bytes(&self.endpoint_secret());
        let me = self.id();
        let org = self.org();
        let reg = self.registry_ledger();
        let edits: Vec<FieldEdit> = typed.iter().map(|t| kind.parse_edit(t).unwrap()).collect();
        let mut out = Vec::new();
        for (class, class_edits) in carnet_model::edits_by_class(kind, &edits) {
            let doc_id = DocId::record(kind, id, class);
            let received: Vec<Received> = self
                .export(&doc_id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| Received::verify(&org, &doc_id, s).ok())
                .collect();
            let mut ledger = DocLedger::new(doc_id.clone(), received, reg);
            let doc = ledger.doc_for(&me);
            doc.set_registry_heads(heads);
            if let Some(change) = doc.edit_record(&key, &class_edits, time).unwrap() {
                out.push((
                    doc_id.clone(),
                    SignedChange::sign(&key, &org, &doc_id, &change),
                ));
            }
        }
        out
    }
}

/// What `d` holds of records `ids` (see [`TestDevice::traces_of`]).
fn traces(d: &Device, ids: &[RecordId]) -> Vec<String> {
    let of_it = |name: &str| {
        name.parse::<DocId>()
            .is_ok_and(|doc| matches!(doc, DocId::Record { id, .. } if ids.contains(&id)))
    };
    let store = d.store();
    let mut out: Vec<String> = store
        .docs_with_changes()
        .unwrap()
        .into_iter()
        .filter(|name| of_it(name))
        .map(|name| format!("changes of {name}"))
        .collect();
    out.extend(
        store
            .docs_where("", &of_it)
            .unwrap()
            .into_iter()
            .map(|(name, _)| format!("the state of {name}")),
    );
    for &id in ids {
        for kind in RecordKind::ALL {
            for class in FieldClass::ALL {
                let doc = DocId::record(kind, id, class);
                let n = d.export(&doc).unwrap().len();
                if n > 0 {
                    out.push(format!("{n} change(s) of {doc} to export"));
                }
            }
        }
        if store.has_record_key(&id.to_string()) {
            out.push(format!("the key of {id}'s personal documents"));
        }
    }
    out
}
