//! A whole replica in memory: the registry ledger and a ledger per record document. Used by
//! tests and simulations to drive many devices in one process (the device crate keeps the same
//! ledgers in its store instead).

use std::collections::BTreeMap;

use carnet_model::{FieldClass, FieldEdit, RecordKind};

use crate::ledger::author_heads;
use crate::{
    ChangeHash, DeviceId, DeviceKey, DocError, DocId, DocLedger, FieldState, OrgId, Reason,
    Received, RecordId, Registry, RegistryLedger, RegistryOp, SignedChange, VerifyError,
};

/// Why a received change was refused outright (not kept, not even in the quarantine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    /// The signature does not verify for this document and organisation.
    #[error("refused: {0}")]
    Signature(#[from] VerifyError),
    /// This device's role may not read the document's class: it never stores it.
    #[error("refused: this device may not read {0} documents")]
    NotReadable(FieldClass),
}

/// Why a local change was not made.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The device may not write this field.
    #[error("field `{field}` is {class}, which this device may not write: {reason}")]
    CannotWrite {
        /// The field.
        field: &'static str,
        /// Its class.
        class: FieldClass,
        /// Why.
        reason: Reason,
    },
    /// Only direction devices change the registry.
    #[error("only a direction device may change the registry")]
    NotDirection,
    /// The document could not be changed.
    #[error(transparent)]
    Doc(#[from] DocError),
}

/// One device's replica, in memory.
#[derive(Debug)]
pub struct Replica {
    me: DeviceId,
    registry: RegistryLedger,
    docs: BTreeMap<DocId, DocLedger>,
}

impl Replica {
    /// Founds an organisation: the genesis of its registry, by `key` as direction.
    pub fn found(
        key: &DeviceKey,
        org_name: &str,
        holder: &str,
        time_ms: i64,
    ) -> Result<(Replica, SignedChange), DocError> {
        let day = chrono::DateTime::from_timestamp_millis(time_ms)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string();
        let (_, change, org) = Registry::genesis(key, org_name, holder, None, &day, time_ms)?;
        let signed = SignedChange::sign(key, &org, &DocId::Registry, &change);
        let mut replica = Replica::new(key.id(), org);
        replica
            .receive(&DocId::Registry, signed.clone())
            .map_err(|_| DocError::WrongDocument)?;
        Ok((replica, signed))
    }

    /// An empty replica of organisation `org` for device `me`, waiting for the registry.
    pub fn new(me: DeviceId, org: OrgId) -> Replica {
        Replica {
            me,
            registry: RegistryLedger::new(org),
            docs: BTreeMap::new(),
        }
    }

    /// The registry ledger.
    pub fn registry(&self) -> &RegistryLedger {
        &self.registry
    }

    /// The ledger of a record document, if held.
    pub fn doc(&self, id: &DocId) -> Option<&DocLedger> {
        self.docs.get(id)
    }

    /// Every record document held.
    pub fn docs(&self) -> impl Iterator<Item = &DocLedger> {
        self.docs.values()
    }

    fn can_read(&self, class: FieldClass) -> bool {
        self.registry
            .registry()
            .is_some_and(|r| r.access(&self.me, class).can_read())
    }

    /// Receives one signed change of `doc`; returns whether it was new.
    pub fn receive(&mut self, doc: &DocId, signed: SignedChange) -> Result<bool, ReceiveError> {
        let r = Received::verify(&self.registry.org(), doc, signed)?;
        match doc.class() {
            None => {
                let new = self.registry.insert([r]);
                if new {
                    self.registry_changed();
                }
                Ok(new)
            }
            Some(class) => {
                if !self.can_read(class) {
                    return Err(ReceiveError::NotReadable(class));
                }
                let registry = &self.registry;
                match self.docs.get_mut(doc) {
                    Some(ledger) => Ok(ledger.insert([r], registry)),
                    None => {
                        self.docs
                            .insert(doc.clone(), DocLedger::new(doc.clone(), [r], registry));
                        Ok(true)
                    }
                }
            }
        }
    }

    /// After the registry changed: drop documents this device may no longer read, and judge
    /// every other change again.
    fn registry_changed(&mut self) {
        let readable: Vec<DocId> = self
            .docs
            .keys()
            .filter(|d| d.class().is_some_and(|c| self.can_read(c)))
            .cloned()
            .collect();
        self.docs.retain(|d, _| readable.contains(d));
        for ledger in self.docs.values_mut() {
            ledger.evaluate(&self.registry);
        }
    }

    /// Makes a registry change by `key` (this device's key).
    pub fn change_registry(
        &mut self,
        key: &DeviceKey,
        ops: &[RegistryOp],
        time_ms: i64,
    ) -> Result<Option<SignedChange>, LocalError> {
        if !self
            .registry
            .registry()
            .is_some_and(|r| r.is_direction(&key.id()))
        {
            return Err(LocalError::NotDirection);
        }
        let mut doc = self.registry.doc_for(&key.id())?;
        let Some(change) = Registry::apply(&mut doc, key, ops, time_ms)? else {
            return Ok(None);
        };
        let signed = SignedChange::sign(key, &self.registry.org(), &DocId::Registry, &change);
        self.receive(&DocId::Registry, signed.clone())
            .map_err(|_| LocalError::NotDirection)?;
        Ok(Some(signed))
    }

    /// Revokes `device`, keeping valid the changes of it this replica holds (the cut-off).
    pub fn revoke(
        &mut self,
        key: &DeviceKey,
        device: DeviceId,
        time_ms: i64,
    ) -> Result<Option<SignedChange>, LocalError> {
        // Revoking again would write a new cut-off, widening the first: a device is revoked once.
        let already = self
            .registry
            .registry()
            .and_then(|r| r.device(&device))
            .is_some_and(|d| d.revoked.is_some());
        if already {
            return Ok(None);
        }
        let mut cutoff = BTreeMap::new();
        let reg = &self.registry;
        let heads = author_heads(reg.received(), reg.evaluation(), &device);
        if !heads.is_empty() {
            cutoff.insert(DocId::Registry.to_string(), heads);
        }
        for l in self.docs.values() {
            let heads = author_heads(l.received(), l.evaluation(), &device);
            if !heads.is_empty() {
                cutoff.insert(l.id().to_string(), heads);
            }
        }
        self.change_registry(key, &[RegistryOp::Revoke { device, cutoff }], time_ms)
    }

    /// Writes `edits` to record `id` of `kind` as `key` (this device's key), after checking
    /// that the device may write every field; returns the new signed changes.
    pub fn write(
        &mut self,
        key: &DeviceKey,
        kind: RecordKind,
        id: RecordId,
        edits: &[FieldEdit],
        time_ms: i64,
    ) -> Result<Vec<(DocId, SignedChange)>, LocalError> {
        for e in edits {
            self.registry
                .may_write(&key.id(), e.field.class)
                .map_err(|reason| LocalError::CannotWrite {
                    field: e.field.name,
                    class: e.field.class,
                    reason,
                })?;
        }
        self.write_unchecked(key, kind, id, edits, time_ms)
    }

    /// Like [`Replica::write`] without checking rights first: what a hostile or outdated device
    /// does. For tests and simulations; honest code calls [`Replica::write`].
    pub fn write_unchecked(
        &mut self,
        key: &DeviceKey,
        kind: RecordKind,
        id: RecordId,
        edits: &[FieldEdit],
        time_ms: i64,
    ) -> Result<Vec<(DocId, SignedChange)>, LocalError> {
        let heads = self.registry.doc().heads();
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
            let registry = &self.registry;
            let ledger = self
                .docs
                .entry(doc_id.clone())
                .or_insert_with(|| DocLedger::new(doc_id.clone(), [], registry));
            let doc = ledger.doc_for(&key.id());
            doc.set_registry_heads(&heads);
            if let Some(change) = doc.edit_record(key, &class_edits, time_ms)? {
                let signed = SignedChange::sign(key, &self.registry.org(), &doc_id, &change);
                ledger.record_local(Received {
                    signed: signed.clone(),
                    change,
                    author: key.id(),
                });
                out.push((doc_id, signed));
            }
        }
        Ok(out)
    }

    /// Every change this replica holds (valid, rejected or pending), registry first, to deliver
    /// to another replica.
    pub fn all_changes(&self) -> Vec<(DocId, SignedChange)> {
        let mut out: Vec<(DocId, SignedChange)> = self
            .registry
            .received()
            .values()
            .map(|r| (DocId::Registry, r.signed.clone()))
            .collect();
        for ledger in self.docs.values() {
            out.extend(
                ledger
                    .received()
                    .values()
                    .map(|r| (ledger.id().clone(), r.signed.clone())),
            );
        }
        out
    }

    /// The quarantine: every rejected change with its reason.
    pub fn quarantine(&self) -> BTreeMap<(DocId, ChangeHash), Reason> {
        let mut out = BTreeMap::new();
        for (h, reason) in &self.registry.evaluation().rejected {
            out.insert((DocId::Registry, *h), reason.clone());
        }
        for ledger in self.docs.values() {
            for (h, reason) in &ledger.evaluation().rejected {
                out.insert((ledger.id().clone(), *h), reason.clone());
            }
        }
        out
    }

    /// The fields of record `id` of `kind` this replica holds.
    pub fn fields(&self, kind: RecordKind, id: RecordId) -> BTreeMap<String, FieldState> {
        let mut out = BTreeMap::new();
        for class in kind.classes() {
            if let Some(l) = self.docs.get(&DocId::record(kind, id, class)) {
                out.extend(l.doc().record_fields(kind));
            }
        }
        out
    }

    /// A summary to compare replicas: the registry's heads and each document's heads.
    pub fn state(&self) -> (Vec<ChangeHash>, BTreeMap<DocId, Vec<ChangeHash>>) {
        (
            self.registry.doc().heads(),
            self.docs
                .iter()
                .map(|(id, l)| (id.clone(), l.doc().heads()))
                .collect(),
        )
    }
}
