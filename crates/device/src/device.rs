//! Opening this device's home, and reading and listing records from the projections.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use carnet_model::{FieldClass, RecordKind};
use carnet_replica::{
    ChangeHash, DeviceId, DeviceKey, DocId, DocLedger, FieldState, OrgId, Received, RecordId,
    Registry, RegistryLedger, SignedChange,
};
use carnet_store::{Store, WriteBatch};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{InitError, OpenDeviceError, ReadError, ResolveError};
use crate::state::DocState;

/// A stored change with its seal and signature checked, or why they fail.
pub(crate) type StoredVerdict = Result<Received, String>;

/// The store's file name inside a home.
pub const STORE_FILE: &str = "carnet.redb";

/// This device, unlocked.
pub struct Device {
    pub(crate) store: Store,
    pub(crate) key: DeviceKey,
    pub(crate) org: OrgId,
    pub(crate) registry: RegistryLedger,
    pub(crate) journal: std::sync::Mutex<crate::journal::Journal>,
    /// Bucket digests per sync scope, kept current from the journal (`sync.rs`).
    pub(crate) sync_caches: crate::sync::Caches,
    /// The time a session stamps what the device does on its own (redeeming an invitation,
    /// signing an erasure receipt):
    /// the wall clock when `None`; fixed by [`Device::set_clock`] in seeded runs.
    pub(crate) clock: Option<DateTime<Utc>>,
    /// Why this device stopped (its store was rolled back or tampered with: `anchor.rs`).
    pub(crate) halted: Option<crate::anchor::RolledBack>,
}

/// A record as this device holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    /// Its kind.
    pub kind: RecordKind,
    /// Its id.
    pub id: RecordId,
    /// Its fields, from every class document this device holds.
    pub fields: BTreeMap<String, FieldState>,
    /// The classes of this kind this device's role may not read (so holds nothing of).
    pub hidden: Vec<FieldClass>,
}

impl RecordView {
    /// The record's label (display name or title).
    pub fn label(&self) -> String {
        self.fields
            .get(self.kind.label_field())
            .map(|f| f.value.to_string())
            .unwrap_or_default()
    }
}

pub(crate) fn damaged(doc: &str) -> ReadError {
    ReadError::Damaged {
        doc: doc.to_owned(),
    }
}

pub(crate) fn time_ms(now: DateTime<Utc>) -> i64 {
    now.timestamp_millis()
}

#[cfg(unix)]
pub(crate) fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub(crate) fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Makes the home and its store for a new device key; returns the store and the key.
fn create_home(home: &Path, passphrase: &[u8]) -> Result<(Store, DeviceKey), InitError> {
    let path = Device::store_path(home);
    if path.exists() {
        return Err(InitError::Exists);
    }
    std::fs::create_dir_all(home)?;
    restrict(home, 0o700)?;
    let key = DeviceKey::generate()?;
    let store = Store::create(&path, passphrase, &key.secret_bytes())?;
    restrict(&path, 0o600)?;
    Ok((store, key))
}

impl Device {
    /// The store file of the home `home`.
    pub fn store_path(home: &Path) -> PathBuf {
        home.join(STORE_FILE)
    }

    /// Creates an organisation on this device: the home, the device key, the encrypted store
    /// and the registry naming this device as *direction*, held by `holder`, who signs the
    /// confidentiality agreement on founding it.
    pub fn init(
        home: &Path,
        passphrase: &[u8],
        org_name: &str,
        holder: &str,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Device, InitError> {
        let (store, key) = create_home(home, passphrase)?;
        Self::found(store, key, org_name, holder, city, now)
    }

    /// Founds the organisation on a new store (see [`Device::init`]).
    pub(crate) fn found(
        store: Store,
        key: DeviceKey,
        org_name: &str,
        holder: &str,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Device, InitError> {
        let today = now.format("%Y-%m-%d").to_string();
        let (_, change, org) =
            Registry::genesis(&key, org_name, holder, city, &today, time_ms(now))?;
        let signed = SignedChange::sign(&key, &org, &DocId::Registry, &change);
        let mut registry = RegistryLedger::new(org);
        registry.insert([Received {
            signed: signed.clone(),
            change,
            author: key.id(),
        }]);
        let device = Device {
            store,
            key,
            org,
            registry,
            journal: Default::default(),
            sync_caches: Default::default(),
            clock: None,
            halted: None,
        };
        let mut batch = device.store.write()?;
        batch.put_info("org", org.0.as_bytes())?;
        device.put_registry(&mut batch, [&signed])?;
        batch.commit()?;
        Ok(device)
    }

    /// Creates the home of a device that will join organisation `org`: a new key, an
    /// encrypted store and an empty registry, waiting to receive the registry from a device
    /// that enrols it.
    pub fn create_joining(home: &Path, passphrase: &[u8], org: OrgId) -> Result<Device, InitError> {
        let (store, key) = create_home(home, passphrase)?;
        Self::joining(store, key, org)
    }

    /// A device of `org` on a new store, waiting for the registry (see
    /// [`Device::create_joining`]).
    pub(crate) fn joining(store: Store, key: DeviceKey, org: OrgId) -> Result<Device, InitError> {
        let mut batch = store.write()?;
        batch.put_info("org", org.0.as_bytes())?;
        batch.commit()?;
        Ok(Device {
            store,
            key,
            org,
            registry: RegistryLedger::new(org),
            journal: Default::default(),
            sync_caches: Default::default(),
            clock: None,
            halted: None,
        })
    }

    /// Fixes the time sessions stamp what this device does on its own (the enrolment when it
    /// redeems an invitation, its erasure receipts), so that a seeded run (the fuzz package's seeds) makes the same
    /// changes every time; `None`, the default, is the wall clock. Every other write is given
    /// its time by the caller.
    pub fn set_clock(&mut self, now: Option<DateTime<Utc>>) {
        self.clock = now;
    }

    /// Now, as this device's clock says: the fixed time [`Device::set_clock`] gave, else the
    /// wall clock. What the daemon does on its own (the retention period) is dated by it.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }

    /// Opens and unlocks the device at `home`. A store that was rolled back or tampered with
    /// is refused ([`OpenDeviceError::RolledBack`]).
    pub fn open(home: &Path, passphrase: &[u8]) -> Result<Device, OpenDeviceError> {
        Self::running(Self::open_stopped(home, passphrase)?)
    }

    /// Opens and unlocks the device at `home` even if its store was rolled back or tampered
    /// with, to inspect it (`carnet verify`): [`Device::halted`] says why, and the device
    /// then writes nothing and takes part in no session.
    pub fn open_stopped(home: &Path, passphrase: &[u8]) -> Result<Device, OpenDeviceError> {
        Self::unlocked(Store::open(&Self::store_path(home), passphrase)?)
    }

    /// `device`, unless it stopped.
    pub(crate) fn running(device: Device) -> Result<Device, OpenDeviceError> {
        match device.halted {
            Some(why) => Err(OpenDeviceError::RolledBack(why)),
            None => Ok(device),
        }
    }

    /// The device of an open, unlocked store (see [`Device::open`]); [`Device::halted`] says
    /// whether its store is sound.
    pub(crate) fn unlocked(store: Store) -> Result<Device, OpenDeviceError> {
        let key = DeviceKey::from_secret_bytes(store.device_secret());
        let org = store
            .info("org")?
            .and_then(|v| v.ok())
            .and_then(|b| Uuid::from_slice(&b).ok())
            .map(OrgId)
            .ok_or(OpenDeviceError::Damaged)?;
        let mut device = Device {
            store,
            key,
            org,
            registry: RegistryLedger::new(org),
            journal: Default::default(),
            sync_caches: Default::default(),
            clock: None,
            halted: None,
        };
        // Only changes whose seals and signatures verify enter the ledger; `verify` reports
        // the others.
        let received = device
            .stored_changes(&DocId::Registry)?
            .into_iter()
            .filter_map(|(_, r)| r.ok());
        device.registry.insert(received);
        device.halted = device.check_store().err();
        Ok(device)
    }

    /// Closes the store file for a moment, so that another `carnet` command can use it (the
    /// daemon lends it through its control socket); the keys stay in memory.
    pub fn suspend(&mut self) {
        self.store.suspend();
    }

    /// Reopens the store after [`Device::suspend`] and reloads the registry, which the other
    /// command may have changed.
    pub fn resume(&mut self) -> Result<(), OpenDeviceError> {
        self.store.resume()?;
        if let Ok(mut j) = self.journal.lock() {
            j.reset();
        }
        self.sync_caches.clear();
        let mut registry = RegistryLedger::new(self.org);
        registry.insert(
            self.stored_changes(&DocId::Registry)?
                .into_iter()
                .filter_map(|(_, r)| r.ok()),
        );
        self.registry = registry;
        // The other command may have found the store rolled back; a sound store stays sound
        // (nothing that stopped this device is undone by another command).
        if let Err(why) = self.check_store() {
            self.halted = Some(why);
        }
        Ok(())
    }

    /// Whether `passphrase` unlocks this device's store (to unlock a web session again without
    /// closing the store).
    pub fn check_passphrase(&self, passphrase: &[u8]) -> Result<bool, OpenDeviceError> {
        Ok(self.store.check_passphrase(passphrase)?)
    }

    /// Changes the passphrase that unlocks this device's store (`old` must unlock it): see
    /// [`Store::change_passphrase`].
    pub fn change_passphrase(&mut self, old: &[u8], new: &[u8]) -> Result<(), OpenDeviceError> {
        Ok(self.store.change_passphrase(old, new)?)
    }

    /// The store underneath, for measurements and tools (reads only what is sealed).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// This device's id.
    pub fn id(&self) -> DeviceId {
        self.key.id()
    }

    /// The device's secret key bytes, for the network endpoint (the same key authenticates the
    /// device's connections and signs its changes).
    pub fn endpoint_secret(&self) -> zeroize::Zeroizing<[u8; 32]> {
        self.key.secret_bytes()
    }

    /// The organisation's id.
    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The key with which this association's devices recognise each other on a local network
    /// without announcing their own keys (derived from the registry's founding change, whose
    /// whole hash only the association's devices hold: the organisation's id shows half of
    /// it), or `None` before this device holds the registry.
    pub fn lan_key(&self) -> Option<[u8; 32]> {
        let org = self.org;
        self.registry
            .received()
            .keys()
            .find(|h| OrgId::from_genesis(&h.0) == org)
            .map(|h| blake3::derive_key("carnet 2026-12 lan discovery", &h.0))
    }

    /// The registry as this device holds it (`None` before a joining device received it).
    pub fn registry(&self) -> Option<&Registry> {
        self.registry.registry()
    }

    /// The registry's ledger (verdicts on registry changes).
    pub fn registry_ledger(&self) -> &RegistryLedger {
        &self.registry
    }

    /// Whether this device's role may read `class`.
    pub fn can_read(&self, class: FieldClass) -> bool {
        self.registry()
            .is_some_and(|r| r.access(&self.id(), class).can_read())
    }

    pub(crate) fn state(&self, doc: &str) -> Result<Option<DocState>, ReadError> {
        match self.store.doc(doc)? {
            None => Ok(None),
            Some(Err(_)) => Err(damaged(doc)),
            Some(Ok(bytes)) => DocState::from_bytes(&bytes)
                .map(Some)
                .ok_or_else(|| damaged(doc)),
        }
    }

    /// Every stored change of `doc_id`, with its seal and signature checked.
    pub(crate) fn stored_changes(
        &self,
        doc_id: &DocId,
    ) -> Result<Vec<(ChangeHash, StoredVerdict)>, ReadError> {
        let name = doc_id.to_string();
        let mut out = Vec::new();
        for (hash, value) in self.store.changes(&name)? {
            let hash = ChangeHash(hash);
            let verdict = value
                .map_err(|e| e.to_string())
                .and_then(|bytes| SignedChange::from_bytes(&bytes).map_err(|e| e.to_string()))
                .and_then(|signed| {
                    // One signature check, and the change must be the one filed under `hash`.
                    let r =
                        Received::verify(&self.org, doc_id, signed).map_err(|e| e.to_string())?;
                    if r.hash() != hash {
                        return Err(carnet_replica::VerifyError::HashMismatch.to_string());
                    }
                    Ok(r)
                });
            out.push((hash, verdict));
        }
        Ok(out)
    }

    /// The ledger of record document `doc_id` rebuilt from its stored changes; fails if one
    /// of them fails its seal or signature (it cannot be safely built upon).
    pub(crate) fn ledger(&self, doc_id: &DocId) -> Result<DocLedger, ReadError> {
        let mut received = Vec::new();
        for (_, verdict) in self.stored_changes(doc_id)? {
            received.push(verdict.map_err(|_| damaged(&doc_id.to_string()))?);
        }
        Ok(DocLedger::new(doc_id.clone(), received, &self.registry))
    }

    /// The ledger of record document `doc_id` from the stored changes that pass their seal and
    /// signature, leaving out damaged ones (as if never received: a peer's good copy then
    /// replaces them). For receiving only; writing builds on [`Device::ledger`], which refuses
    /// damage.
    pub(crate) fn ledger_without_damage(&self, doc_id: &DocId) -> Result<DocLedger, ReadError> {
        let received: Vec<Received> = self
            .stored_changes(doc_id)?
            .into_iter()
            .filter_map(|(_, verdict)| verdict.ok())
            .collect();
        Ok(DocLedger::new(doc_id.clone(), received, &self.registry))
    }

    /// Record documents whose stored state fails authentication or cannot be read: set aside
    /// by lists, reports and sync until a peer's copy (or `verify`) restores them.
    pub fn set_aside(&self) -> Result<Vec<String>, ReadError> {
        let mut out = Vec::new();
        for (name, value) in self.store.docs("")? {
            if name == "registry" {
                continue;
            }
            let readable = name.parse::<DocId>().is_ok()
                && value.ok().and_then(|b| DocState::from_bytes(&b)).is_some();
            if !readable {
                out.push(name);
            }
        }
        Ok(out)
    }

    /// Stores the registry's new changes and its state.
    pub(crate) fn put_registry<'a>(
        &self,
        batch: &mut WriteBatch<'_>,
        new: impl IntoIterator<Item = &'a SignedChange>,
    ) -> Result<(), carnet_store::StoreError> {
        for signed in new {
            let Ok(change) =
                carnet_replica::Received::verify(&self.org, &DocId::Registry, signed.clone())
            else {
                continue;
            };
            batch.put_change("registry", &change.hash().0, &signed.to_bytes())?;
        }
        batch.put_doc(
            "registry",
            &DocState::of_registry(&self.registry).to_bytes(),
        )?;
        self.put_anchor(batch)
    }

    /// Stores a record document's new changes and its state.
    pub(crate) fn put_doc<'a>(
        &self,
        batch: &mut WriteBatch<'_>,
        ledger: &DocLedger,
        new: impl IntoIterator<Item = &'a Received>,
    ) -> Result<(), carnet_store::StoreError> {
        let name = ledger.id().to_string();
        for r in new {
            batch.put_change(&name, &r.hash().0, &r.signed.to_bytes())?;
        }
        let kind = match ledger.id() {
            DocId::Record { kind, .. } => Some(*kind),
            DocId::Registry | DocId::AccessLog(_) => None,
        };
        batch.put_doc(&name, &DocState::of(ledger, kind).to_bytes())
    }

    /// The record `id` of `kind`, from the projections of its documents.
    pub fn show(&self, kind: RecordKind, id: RecordId) -> Result<RecordView, ReadError> {
        let mut fields = BTreeMap::new();
        let mut found = false;
        for class in kind.classes() {
            let doc = DocId::record(kind, id, class).to_string();
            if let Some(state) = self.state(&doc)? {
                found = true;
                fields.extend(state.fields);
            }
        }
        if !found {
            if self.registry().is_some_and(|r| r.is_erased(&id)) {
                return Err(ReadError::Erased { kind });
            }
            return Err(ReadError::NotFound { kind, id });
        }
        Ok(RecordView {
            kind,
            id,
            fields,
            hidden: self.hidden(kind),
        })
    }

    /// Whether (and by whom, when) record `id` was deleted.
    pub fn deletion(&self, kind: RecordKind, id: RecordId) -> Option<&carnet_replica::Deletion> {
        self.registry()?.deleted.get(&(kind, id))
    }

    fn hidden(&self, kind: RecordKind) -> Vec<FieldClass> {
        kind.classes()
            .into_iter()
            .filter(|c| !self.can_read(*c))
            .collect()
    }

    /// Every record of `kind`, ordered by label then id, with every field this device may read.
    pub fn list(&self, kind: RecordKind) -> Result<Vec<RecordView>, ReadError> {
        self.list_classes(kind, &kind.classes(), false)
    }

    /// Every record of `kind`, ordered by label then id, with its shared fields and its label
    /// only (the other personal classes' documents are not even opened): what lists show and
    /// filter on, and what names are looked up in.
    pub fn list_shared(&self, kind: RecordKind) -> Result<Vec<RecordView>, ReadError> {
        let label = kind.field(kind.label_field()).map(|f| f.class);
        let shared: Vec<FieldClass> = kind
            .classes()
            .into_iter()
            .filter(|c| !c.is_personal() || Some(*c) == label)
            .collect();
        self.list_classes(kind, &shared, false)
    }

    /// The records of `kind` with the documents of `classes`; deleted records only when
    /// `with_deleted`.
    fn list_classes(
        &self,
        kind: RecordKind,
        classes: &[FieldClass],
        with_deleted: bool,
    ) -> Result<Vec<RecordView>, ReadError> {
        let hidden = self.hidden(kind);
        let suffixes: Vec<String> = classes.iter().map(|c| format!("/{}", c.code())).collect();
        let keep = |doc: &str| suffixes.iter().any(|s| doc.ends_with(s.as_str()));
        let mut records: BTreeMap<RecordId, RecordView> = BTreeMap::new();
        for (doc, value) in self.store.docs_where(&format!("{kind}/"), &keep)? {
            // A document that fails authentication is set aside: the others are listed
            // without it (`verify` and `status` report it, and the next sync fetches it again).
            let Ok(DocId::Record { id, .. }) = doc.parse::<DocId>() else {
                continue;
            };
            if !with_deleted && self.deletion(kind, id).is_some() {
                continue;
            }
            let Some(state) = value.ok().and_then(|b| DocState::from_bytes(&b)) else {
                continue;
            };
            records
                .entry(id)
                .or_insert_with(|| RecordView {
                    kind,
                    id,
                    fields: BTreeMap::new(),
                    hidden: hidden.clone(),
                })
                .fields
                .extend(state.fields);
        }
        let mut out: Vec<RecordView> = records.into_values().collect();
        out.sort_by_cached_key(|r| (carnet_model::fold(&r.label()), r.id));
        Ok(out)
    }

    /// Every record this device holds, as plain values (what life-cycle rules, reports and
    /// exports are computed from). Reads projections only.
    pub fn snapshot(&self) -> Result<carnet_model::Snapshot, ReadError> {
        self.snapshot_of(false)
    }

    /// Every record this device holds, deleted ones included ([`Device::deletion`] says
    /// which): what an erasure, a merge and the right of access must reach, since a deleted
    /// record's documents are still held.
    pub fn snapshot_with_deleted(&self) -> Result<carnet_model::Snapshot, ReadError> {
        self.snapshot_of(true)
    }

    fn snapshot_of(&self, with_deleted: bool) -> Result<carnet_model::Snapshot, ReadError> {
        let mut snap = carnet_model::Snapshot::default();
        for kind in RecordKind::ALL {
            for r in self.list_classes(kind, &kind.classes(), with_deleted)? {
                let fields = r.fields.into_iter().map(|(k, s)| (k, s.value)).collect();
                snap.insert(kind, r.id.to_string(), carnet_model::Record { fields });
            }
        }
        Ok(snap)
    }

    /// Finds the one record of `kind` named by `query`: its id, an unambiguous prefix of its id
    /// (at least 4 characters), or its label (display name or title, any case).
    pub fn resolve(&self, kind: RecordKind, query: &str) -> Result<RecordId, ResolveError> {
        let query = query.trim();
        if let Ok(id) = query.parse::<RecordId>() {
            return match self.show(kind, id) {
                Ok(_) => Ok(id),
                Err(ReadError::NotFound { .. }) => Err(ResolveError::NotFound { kind }),
                Err(e) => Err(e.into()),
            };
        }
        let lower = carnet_model::fold(query);
        let matches: Vec<(RecordId, String)> = self
            .list_shared(kind)?
            .into_iter()
            .filter(|r| {
                (lower.len() >= 4 && r.id.to_string().starts_with(&lower))
                    || carnet_model::fold(&r.label()) == lower
            })
            .map(|r| {
                let label = r.label();
                (r.id, label)
            })
            .collect();
        match matches.len() {
            0 => Err(ResolveError::NotFound { kind }),
            1 => Ok(matches[0].0),
            _ => Err(ResolveError::Ambiguous { kind, matches }),
        }
    }

    /// The device named by `query`: its id, an id prefix (at least 4 hex digits) or its
    /// holder's name (any case).
    pub fn resolve_device(&self, query: &str) -> Result<DeviceId, ResolveError> {
        let lower = carnet_model::fold(query.trim());
        let registry = self.registry().ok_or(ResolveError::NoDevice)?;
        let found: Vec<DeviceId> = registry
            .devices
            .values()
            .filter(|d| {
                (lower.len() >= 4 && d.id.to_string().starts_with(&lower))
                    || carnet_model::fold(&d.holder) == lower
            })
            .map(|d| d.id)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(ResolveError::NoDevice),
            many => Err(ResolveError::AmbiguousDevice {
                matches: many.iter().map(|d| d.to_string()).collect(),
            }),
        }
    }
}
