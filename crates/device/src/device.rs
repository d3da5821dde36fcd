//! Opening this device's home and making, reading and listing records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use carnet_model::{FieldEdit, RecordKind, Value, check_record};
use carnet_replica::{
    DeviceId, DeviceKey, Doc, DocId, FieldState, OrgId, RecordId, Registry, SignedChange,
};
use carnet_store::{OpenError, Store};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{InitError, OpenDeviceError, ReadError, ResolveError, WriteError};
use crate::state::DocState;

/// The store's file name inside a home.
pub const STORE_FILE: &str = "carnet.redb";

/// This device, unlocked.
pub struct Device {
    pub(crate) store: Store,
    pub(crate) key: DeviceKey,
    pub(crate) org: OrgId,
    pub(crate) registry_doc: Doc,
    pub(crate) registry: Registry,
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

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// New changes were signed and stored, in these documents.
    Changed(Vec<DocId>),
    /// Every value given was already there: nothing was written.
    Unchanged,
}

fn damaged(doc: &str) -> ReadError {
    ReadError::Damaged {
        doc: doc.to_owned(),
    }
}

fn time_ms(now: DateTime<Utc>) -> i64 {
    now.timestamp_millis()
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

impl Device {
    /// The store file of the home `home`.
    pub fn store_path(home: &Path) -> PathBuf {
        home.join(STORE_FILE)
    }

    /// Creates an organisation on this device: the home, the device key, the encrypted store
    /// and the registry naming this device as *direction*, held by `holder`.
    pub fn init(
        home: &Path,
        passphrase: &[u8],
        org_name: &str,
        holder: &str,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Device, InitError> {
        let path = Self::store_path(home);
        if path.exists() {
            return Err(InitError::Exists);
        }
        std::fs::create_dir_all(home)?;
        restrict(home, 0o700)?;
        let key = DeviceKey::generate()?;
        let org = OrgId::random();
        let (registry_doc, change) =
            Registry::genesis(&key, org, org_name, holder, city, time_ms(now))?;
        let store = Store::create(&path, passphrase, &key.secret_bytes())?;
        restrict(&path, 0o600)?;
        let signed = SignedChange::sign(&key, &org, &DocId::Registry, &change, &[]);
        let mut batch = store.write()?;
        batch.put_info("org", org.0.as_bytes())?;
        batch.put_change("registry", &change.hash().0, &signed.to_bytes())?;
        let state = DocState::new(&registry_doc.heads(), BTreeMap::new());
        batch.put_doc("registry", &state.to_bytes())?;
        batch.commit()?;
        let registry = Registry::read(&registry_doc).map_err(|_| OpenError::NotAStore)?;
        Ok(Device {
            store,
            key,
            org,
            registry_doc,
            registry,
        })
    }

    /// Opens and unlocks the device at `home`.
    pub fn open(home: &Path, passphrase: &[u8]) -> Result<Device, OpenDeviceError> {
        let store = Store::open(&Self::store_path(home), passphrase)?;
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
            registry_doc: Doc::new(DocId::Registry),
            registry: Registry {
                org_id: org,
                org_name: String::new(),
                devices: BTreeMap::new(),
            },
        };
        // Only changes whose signatures verify make up the registry; `verify` reports the rest.
        let changes = device
            .verified_changes(&DocId::Registry)?
            .into_iter()
            .filter_map(|(_, c)| c.ok())
            .map(|v| v.change)
            .collect();
        device.registry_doc =
            Doc::from_changes(DocId::Registry, changes).map_err(|_| OpenDeviceError::Damaged)?;
        device.registry =
            Registry::read_for(&device.registry_doc, &org).map_err(|_| OpenDeviceError::Damaged)?;
        Ok(device)
    }

    /// This device's id.
    pub fn id(&self) -> DeviceId {
        self.key.id()
    }

    /// The organisation's id.
    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The registry as this device holds it.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn state(&self, doc: &str) -> Result<Option<DocState>, ReadError> {
        match self.store.doc(doc)? {
            None => Ok(None),
            Some(Err(_)) => Err(damaged(doc)),
            Some(Ok(bytes)) => DocState::from_bytes(&bytes)
                .map(Some)
                .ok_or_else(|| damaged(doc)),
        }
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
            return Err(ReadError::NotFound { kind, id });
        }
        Ok(RecordView { kind, id, fields })
    }

    /// Every record of `kind`, ordered by label then id.
    pub fn list(&self, kind: RecordKind) -> Result<Vec<RecordView>, ReadError> {
        let mut records: BTreeMap<RecordId, RecordView> = BTreeMap::new();
        for (doc, value) in self.store.docs(&format!("{kind}/"))? {
            let Ok(DocId::Record { id, .. }) = doc.parse::<DocId>() else {
                return Err(damaged(&doc));
            };
            let state = value
                .ok()
                .and_then(|b| DocState::from_bytes(&b))
                .ok_or_else(|| damaged(&doc))?;
            records
                .entry(id)
                .or_insert_with(|| RecordView {
                    kind,
                    id,
                    fields: BTreeMap::new(),
                })
                .fields
                .extend(state.fields);
        }
        let mut out: Vec<RecordView> = records.into_values().collect();
        out.sort_by_cached_key(|r| (r.label().to_lowercase(), r.id));
        Ok(out)
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
        let lower = query.to_lowercase();
        let matches: Vec<(RecordId, String)> = self
            .list(kind)?
            .into_iter()
            .filter(|r| {
                (lower.len() >= 4 && r.id.to_string().starts_with(&lower))
                    || r.label().to_lowercase() == lower
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

    /// Creates a record of `kind` from `edits`; returns its id.
    pub fn add(
        &mut self,
        kind: RecordKind,
        edits: &[FieldEdit],
        now: DateTime<Utc>,
    ) -> Result<RecordId, WriteError> {
        let id = RecordId::random();
        self.write(kind, id, BTreeMap::new(), edits, now)?;
        Ok(id)
    }

    /// Edits the existing record `id` of `kind`.
    pub fn set(
        &mut self,
        kind: RecordKind,
        id: RecordId,
        edits: &[FieldEdit],
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        let current = self.show(kind, id)?;
        self.write(kind, id, current.fields, edits, now)
    }

    fn write(
        &mut self,
        kind: RecordKind,
        id: RecordId,
        current: BTreeMap<String, FieldState>,
        edits: &[FieldEdit],
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        if edits.is_empty() {
            return Err(WriteError::NoEdits);
        }
        if self.registry.device(&self.id()).is_none() {
            return Err(WriteError::NotEnrolled);
        }
        // Check the record as it will be before touching any document.
        let mut after: BTreeMap<String, Value> =
            current.into_iter().map(|(k, s)| (k, s.value)).collect();
        for edit in edits {
            edit.apply_to(&mut after);
        }
        check_record(kind, &after, now.date_naive())?;

        let registry_heads = self.registry_doc.heads();
        let mut out = Vec::new();
        for class in kind.classes() {
            let class_edits: Vec<FieldEdit> = edits
                .iter()
                .filter(|e| e.field.class == class)
                .cloned()
                .collect();
            if class_edits.is_empty() {
                continue;
            }
            let doc_id = DocId::record(kind, id, class);
            let mut doc = self.load(&doc_id)?;
            if let Some(change) = doc.edit_record(&self.key, &class_edits, time_ms(now))? {
                let signed =
                    SignedChange::sign(&self.key, &self.org, &doc_id, &change, &registry_heads);
                out.push((doc, change.hash(), signed));
            }
        }
        if out.is_empty() {
            return Ok(Written::Unchanged);
        }
        let mut batch = self.store.write()?;
        let mut docs = Vec::new();
        for (doc, hash, signed) in out {
            let name = doc.id().to_string();
            batch.put_change(&name, &hash.0, &signed.to_bytes())?;
            let state = DocState::new(&doc.heads(), doc.record_fields(kind));
            batch.put_doc(&name, &state.to_bytes())?;
            docs.push(doc.id().clone());
        }
        batch.commit()?;
        Ok(Written::Changed(docs))
    }

    /// The document `doc_id` rebuilt from its stored changes, every one of which must verify.
    fn load(&self, doc_id: &DocId) -> Result<Doc, WriteError> {
        let mut changes = Vec::new();
        for (_, verdict) in self.verified_changes(doc_id)? {
            match verdict {
                Ok(v) => changes.push(v.change),
                Err(_) => {
                    return Err(WriteError::Unverified {
                        doc: doc_id.to_string(),
                    });
                }
            }
        }
        Ok(Doc::from_changes(doc_id.clone(), changes)?)
    }
}
