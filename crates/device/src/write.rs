//! Local writes: records, and registry changes (enrolment, roles, agreements, revocation,
//! policy). Each is checked against this device's rights first, signed, and stored with the
//! new state in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{
    Access, FieldClass, FieldEdit, FieldType, RecordKind, Role, Snapshot, Value, check_record,
};
use carnet_replica::{
    DeviceId, DocId, FieldState, Reason, Received, RecordId, Registry, RegistryOp, SignedChange,
    author_heads,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::Device;
use crate::device::time_ms;
use crate::error::{ReadError, WriteError};

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// New changes were signed and stored, in these documents.
    Changed(Vec<DocId>),
    /// Every value given was already there: nothing was written.
    Unchanged,
}

/// One record of a [`Device::write_checked`] batch.
#[derive(Debug, Clone)]
pub struct RecordWrite {
    /// Its kind.
    pub kind: RecordKind,
    /// Its id (a new random one for a record to create).
    pub id: RecordId,
    /// The edits.
    pub edits: Vec<FieldEdit>,
    /// Whether the record is created by this write (it must not exist yet).
    pub create: bool,
}

impl RecordWrite {
    /// Every record of `snapshot`, as records to create (a generated association, written by
    /// `carnet synthetic` and the benchmark).
    pub fn create_all(snapshot: &Snapshot) -> Result<Vec<RecordWrite>, SnapshotError> {
        let mut writes = Vec::new();
        for (kind, records) in &snapshot.records {
            for (id, record) in records {
                let mut edits = Vec::new();
                for (name, value) in &record.fields {
                    let spec = kind.field(name).ok_or(SnapshotError::UnknownField {
                        kind: *kind,
                        field: name.clone(),
                    })?;
                    edits.push(spec.edit(None, &value.to_string())?);
                }
                writes.push(RecordWrite {
                    kind: *kind,
                    id: id
                        .parse()
                        .map_err(|_| SnapshotError::BadId { kind: *kind })?,
                    edits,
                    create: true,
                });
            }
        }
        Ok(writes)
    }
}

/// Why a snapshot cannot be written as records.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// A field its kind does not have.
    #[error("{kind} has no field `{field}`")]
    UnknownField {
        /// The record's kind.
        kind: RecordKind,
        /// The field's name (a schema name, never a value).
        field: String,
    },
    /// A record id that is not a record id.
    #[error("a {kind} has an id that is not a record id")]
    BadId {
        /// The record's kind.
        kind: RecordKind,
    },
    /// A value its field refuses.
    #[error(transparent)]
    Edit(#[from] carnet_model::EditError),
}

/// What a checked write did.
#[derive(Debug, Clone)]
pub struct Checked {
    /// What was written for each record, in the order given.
    pub written: Vec<Written>,
    /// The association's rules' warnings about the write (it went ahead).
    pub warnings: Vec<carnet_rules::Finding>,
}

impl Device {
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

    /// Writes `edits` to record `id` of `kind`, creating it if this device holds nothing of it:
    /// this device's rights and the record as it will be are checked, not the life-cycle rules
    /// (as [`Device::add`] and [`Device::set`]). For callers that choose ids themselves (seeded
    /// simulations and tests).
    pub fn put(
        &mut self,
        kind: RecordKind,
        id: RecordId,
        edits: &[FieldEdit],
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        let current = match self.show(kind, id) {
            Ok(view) => view.fields,
            Err(ReadError::NotFound { .. }) => BTreeMap::new(),
            Err(e) => return Err(e.into()),
        };
        self.write(kind, id, current, edits, now)
    }

    fn write(
        &mut self,
        kind: RecordKind,
        id: RecordId,
        current: BTreeMap<String, FieldState>,
        edits: &[FieldEdit],
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        let current = current.into_iter().map(|(k, s)| (k, s.value)).collect();
        self.plan(kind, current, edits, now)?;
        let mut written = self.write_planned(&[(kind, id, edits)], now)?;
        Ok(written.pop().unwrap_or(Written::Unchanged))
    }

    /// Checks this device's rights on every edit, and the record as it will be; returns it.
    fn plan(
        &self,
        kind: RecordKind,
        mut after: BTreeMap<String, Value>,
        edits: &[FieldEdit],
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Value>, WriteError> {
        if edits.is_empty() {
            return Err(WriteError::NoEdits);
        }
        let me = self.id();
        for e in edits {
            self.registry
                .may_write(&me, e.field.class)
                .map_err(|reason| WriteError::Forbidden {
                    field: e.field.name,
                    class: e.field.class,
                    reason,
                })?;
        }
        // Check the record as it will be before touching any document.
        for edit in edits {
            edit.apply_to(&mut after);
        }
        check_record(kind, &after, now.date_naive())?;
        Ok(after)
    }

    /// Checks one record of a batch on its own: this device's rights on each edit, that a
    /// record to create does not exist and one to change does, and the record as it will be.
    /// Returns the record's fields as they will be.
    pub fn validate(
        &self,
        w: &RecordWrite,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Value>, WriteError> {
        let current: BTreeMap<String, Value> = match self.show(w.kind, w.id) {
            Ok(_) if w.create => return Err(WriteError::Exists { kind: w.kind }),
            Ok(view) => view.fields.into_iter().map(|(k, s)| (k, s.value)).collect(),
            Err(ReadError::NotFound { .. }) if w.create => BTreeMap::new(),
            Err(e) => return Err(e.into()),
        };
        self.plan(w.kind, current, &w.edits, now)
    }

    /// Every check [`Device::write_checked`] makes, without writing: returns the rules'
    /// warnings, or the first error (blocking rules as [`WriteError::Rules`]).
    pub fn check_writes(
        &self,
        writes: &[RecordWrite],
        now: DateTime<Utc>,
    ) -> Result<Vec<carnet_rules::Finding>, WriteError> {
        let mut seen = BTreeSet::new();
        let mut proposals = Vec::new();
        for w in writes {
            if !seen.insert((w.kind, w.id)) {
                return Err(WriteError::Exists { kind: w.kind });
            }
            proposals.push(carnet_rules::Proposal {
                kind: w.kind,
                id: w.id.to_string(),
                fields: self.validate(w, now)?,
            });
        }
        let snapshot = self.snapshot()?;
        let (mut blocks, warnings): (Vec<_>, Vec<_>) =
            carnet_rules::check(&snapshot, &proposals, now.date_naive())
                .into_iter()
                .partition(|f| f.severity == carnet_rules::Severity::Block);
        blocks.extend(self.m6_findings(&proposals, &snapshot)?);
        if !blocks.is_empty() {
            return Err(WriteError::Rules { findings: blocks });
        }
        Ok(warnings)
    }

    /// Writes several records in one transaction, after checking this device's rights, each
    /// record as it will be, and the association's life-cycle rules (`carnet-rules`) on the
    /// records this device holds with all of them applied. Nothing is written if any check
    /// fails; warnings that do not block are returned.
    pub fn write_checked(
        &mut self,
        writes: &[RecordWrite],
        now: DateTime<Utc>,
    ) -> Result<Checked, WriteError> {
        let warnings = self.check_writes(writes, now)?;
        let items: Vec<(RecordKind, RecordId, &[FieldEdit])> = writes
            .iter()
            .map(|w| (w.kind, w.id, w.edits.as_slice()))
            .collect();
        let written = self.write_planned(&items, now)?;
        Ok(Checked { written, warnings })
    }

    /// Signs the edits of each record (already checked) and stores every new change and
    /// projection in one transaction.
    fn write_planned(
        &mut self,
        items: &[(RecordKind, RecordId, &[FieldEdit])],
        now: DateTime<Utc>,
    ) -> Result<Vec<Written>, WriteError> {
        self.require_running()?;
        let me = self.id();
        let registry_heads = self.registry.doc().heads();
        let mut out = Vec::new();
        let mut per_record = Vec::new();
        for (kind, id, edits) in items {
            let mut docs = Vec::new();
            for (class, class_edits) in carnet_model::edits_by_class(*kind, edits) {
                if self.registry().is_some_and(|r| r.erases(id, class)) {
                    return Err(WriteError::Erased { kind: *kind });
                }
                let doc_id = DocId::record(*kind, *id, class);
                let mut ledger = self.ledger(&doc_id).map_err(|e| match e {
                    ReadError::Damaged { doc } => WriteError::Unverified { doc },
                    other => WriteError::Read(other),
                })?;
                let doc = ledger.doc_for(&me);
                doc.set_registry_heads(&registry_heads);
                if let Some(change) = doc.edit_record(&self.key, &class_edits, time_ms(now))? {
                    let signed = SignedChange::sign(&self.key, &self.org, &doc_id, &change);
                    let r = Received {
                        signed,
                        change,
                        author: me,
                    };
                    ledger.record_local(r.clone());
                    docs.push(doc_id);
                    out.push((ledger, r));
                }
            }
            per_record.push(if docs.is_empty() {
                Written::Unchanged
            } else {
                Written::Changed(docs)
            });
        }
        if out.is_empty() {
            return Ok(per_record);
        }
        let mut batch = self.store.write()?;
        for (ledger, r) in &out {
            self.put_doc(&mut batch, ledger, [r])?;
        }
        batch.commit()?;
        self.note(
            out.iter()
                .map(|(l, _)| (l.id().clone(), crate::state::held_of(l))),
        );
        Ok(per_record)
    }

    /// Refuses unless this device is an enrolled, unrevoked direction device.
    fn require_direction(&self) -> Result<(), WriteError> {
        let me = self.id();
        if self.registry().is_some_and(|r| r.is_direction(&me)) {
            Ok(())
        } else {
            Err(WriteError::NotDirection)
        }
    }

    /// Makes a registry change (direction devices only) and stores it; documents whose
    /// verdicts it changes are judged again in the same transaction.
    pub fn change_registry(
        &mut self,
        ops: &[RegistryOp],
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        self.require_running()?;
        self.require_direction()?;
        let me = self.id();
        let mut ops = ops.to_vec();
        ops.extend(self.removal_cutoffs(&ops, now)?);
        let mut doc = self.registry.doc_for(&me)?;
        let Some(change) = Registry::apply(&mut doc, &self.key, &ops, time_ms(now))? else {
            return Ok(Written::Unchanged);
        };
        let signed = SignedChange::sign(&self.key, &self.org, &DocId::Registry, &change);
        self.receive(&DocId::Registry, vec![signed])?;
        Ok(Written::Changed(vec![DocId::Registry]))
    }

    /// The cut-offs a registry change made of `ops` must carry (ledger rule 4): for every
    /// device whose right to write a class the change removes (a role removed, an agreement
    /// withdrawn, a policy narrowed), its last valid changes in each document of that class
    /// this device holds — what stays valid of it; anything else it wrote there without
    /// having seen the removal is rejected by every device.
    fn removal_cutoffs(
        &self,
        ops: &[RegistryOp],
        now: DateTime<Utc>,
    ) -> Result<Vec<RegistryOp>, WriteError> {
        let narrows = ops.iter().any(|op| {
            matches!(
                op,
                RegistryOp::Role { granted: false, .. }
                    | RegistryOp::Agreement {
                        signed_on: None,
                        ..
                    }
                    | RegistryOp::Policy { .. }
            )
        });
        let Some(before) = self.registry().filter(|_| narrows).cloned() else {
            return Ok(Vec::new());
        };
        // The registry as the change will make it (a scratch change, never stored).
        let mut doc = self.registry.doc_for(&self.id())?;
        Registry::apply(&mut doc, &self.key, ops, time_ms(now))?;
        let Ok(after) = Registry::read(&doc) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for device in before.devices.values().filter(|d| d.revoked.is_none()) {
            let lost: BTreeSet<FieldClass> = FieldClass::ALL
                .into_iter()
                .filter(|c| before.access(&device.id, *c).can_write())
                .filter(|c| !after.access(&device.id, *c).can_write())
                .collect();
            if lost.is_empty() {
                continue;
            }
            let cutoff = self.cutoff_of(&device.id, |c| c.is_some_and(|c| lost.contains(&c)))?;
            out.extend(cutoff.into_iter().map(|(doc, heads)| RegistryOp::Keep {
                device: device.id,
                doc,
                heads,
            }));
        }
        Ok(out)
    }

    /// `device`'s last valid changes in each document this device holds whose class (`None`
    /// for the registry) `within` accepts: a cut-off.
    fn cutoff_of(
        &self,
        device: &DeviceId,
        within: impl Fn(Option<FieldClass>) -> bool,
    ) -> Result<BTreeMap<String, BTreeSet<carnet_replica::ChangeHash>>, WriteError> {
        let mut cutoff = BTreeMap::new();
        if within(None) {
            let heads = author_heads(self.registry.received(), self.registry.evaluation(), device);
            if !heads.is_empty() {
                cutoff.insert(DocId::Registry.to_string(), heads);
            }
        }
        for name in self.store.docs_with_changes()? {
            let Ok(doc_id) = name.parse::<DocId>() else {
                continue;
            };
            if doc_id == DocId::Registry || !within(doc_id.class()) {
                continue;
            }
            let ledger = self.ledger(&doc_id)?;
            let heads = author_heads(ledger.received(), ledger.evaluation(), device);
            if !heads.is_empty() {
                cutoff.insert(name, heads);
            }
        }
        Ok(cutoff)
    }

    /// Enrols `device` with `roles`, held by `holder`.
    pub fn enrol(
        &mut self,
        device: DeviceId,
        holder: &str,
        roles: BTreeSet<Role>,
        city: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        let op = RegistryOp::Enrol {
            device,
            holder: holder.to_owned(),
            city: city.map(str::to_owned),
            roles,
        };
        self.change_registry(&[op], now)
    }

    /// Sets the policy of `role` on `class`.
    pub fn set_policy(
        &mut self,
        role: Role,
        class: FieldClass,
        access: Access,
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        self.change_registry(
            &[RegistryOp::Policy {
                role,
                class,
                access,
            }],
            now,
        )
    }

    /// Deletes record `id` of `kind` (direction only): a signed tombstone in the registry that
    /// takes it out of every list, lookup by name and report on every device; its documents
    /// and history stay (`history` by id shows who deleted it). For undoing mistakes; erasing a
    /// person's file is another thing.
    pub fn delete(
        &mut self,
        kind: RecordKind,
        id: RecordId,
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        self.change_registry(&[RegistryOp::Delete { kind, record: id }], now)
    }

    /// Merges member `duplicate` into member `keep` (direction only; undoing a person entered
    /// twice): every record that names the duplicate names the kept one instead (a single
    /// reference is replaced; in a list she is added and the duplicate removed; deleted records
    /// too, as they are still held), the kept
    /// record's empty fields take the duplicate's values (where this device may write them),
    /// all in one transaction; then the duplicate is deleted (a signed tombstone: its history
    /// stays). The association's life-cycle rules are not checked: what the merge leaves to
    /// settle (two member-form signatures, say) is listed by `carnet todo`. Returns the number
    /// of other records changed.
    pub fn merge(
        &mut self,
        keep: RecordId,
        duplicate: RecordId,
        now: DateTime<Utc>,
    ) -> Result<usize, WriteError> {
        self.require_direction()?;
        let me = self.id();
        if keep == duplicate {
            return Err(WriteError::MergeItself);
        }
        let member = RecordKind::Member;
        let kept = self.show(member, keep)?;
        let dup = self.show(member, duplicate)?;
        let (from, to) = (duplicate.to_string(), keep.to_string());
        let mut plans: Vec<(RecordKind, RecordId, Vec<FieldEdit>)> = Vec::new();
        // The kept record's empty fields, from the duplicate.
        let fill: Vec<FieldEdit> = member
            .fields()
            .iter()
            .filter(|f| !kept.fields.contains_key(f.name))
            .filter(|f| self.registry.may_write(&me, f.class).is_ok())
            .filter_map(|f| {
                dup.fields.get(f.name).map(|state| FieldEdit {
                    field: f,
                    op: carnet_model::EditOp::Set(state.value.clone()),
                })
            })
            .collect();
        if !fill.is_empty() {
            plans.push((member, keep, fill));
        }
        let mut others = 0;
        // Deleted records that name the duplicate are repointed too: they are still held, and
        // an erasure or the right of access of the kept person must find them.
        for (kind, records) in self.snapshot_with_deleted()?.records {
            for (rid, r) in records {
                let mut edits = Vec::new();
                for f in kind.fields() {
                    match f.ty {
                        FieldType::Ref(RecordKind::Member) if r.text(f.name) == Some(&from) => {
                            edits.push(FieldEdit {
                                field: f,
                                op: carnet_model::EditOp::Set(Value::Text(to.clone())),
                            });
                        }
                        FieldType::RefSet(RecordKind::Member)
                            if r.set(f.name).any(|p| p == from) =>
                        {
                            edits.push(FieldEdit {
                                field: f,
                                op: carnet_model::EditOp::Remove(BTreeSet::from([from.clone()])),
                            });
                            edits.push(FieldEdit {
                                field: f,
                                op: carnet_model::EditOp::Add(BTreeSet::from([to.clone()])),
                            });
                        }
                        _ => {}
                    }
                }
                if !edits.is_empty()
                    && let Ok(rid) = rid.parse::<RecordId>()
                {
                    others += 1;
                    plans.push((kind, rid, edits));
                }
            }
        }
        // Rights and each record as it will be, before anything is written.
        for (kind, id, edits) in &plans {
            let current = self
                .show(*kind, *id)?
                .fields
                .into_iter()
                .map(|(k, s)| (k, s.value))
                .collect();
            self.plan(*kind, current, edits, now)?;
        }
        let items: Vec<(RecordKind, RecordId, &[FieldEdit])> = plans
            .iter()
            .map(|(k, id, e)| (*k, *id, e.as_slice()))
            .collect();
        if !items.is_empty() {
            self.write_planned(&items, now)?;
        }
        self.delete(member, duplicate, now)?;
        Ok(others)
    }

    /// Sets how many months after a member leaves her personal file is erased (direction
    /// only; `None`: never, the default).
    pub fn set_retention(
        &mut self,
        months: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        self.change_registry(&[RegistryOp::Retention { months }], now)
    }

    /// Members who left (or were expelled) with a departure date, whose personal file the
    /// retention period will erase, with the day it is due; none when no period is set.
    pub fn retention_schedule(&self) -> Result<Vec<(RecordId, String, NaiveDate)>, ReadError> {
        let Some((months, registry)) = self
            .registry()
            .and_then(|r| r.retention_months.map(|m| (m, r)))
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for m in self.list(RecordKind::Member)? {
            let left = matches!(
                m.fields.get("status").map(|s| &s.value),
                Some(Value::Text(s)) if s == "left" || s == "expelled"
            );
            let Some(Value::Date(left_on)) = m.fields.get("left_on").map(|s| &s.value) else {
                continue;
            };
            if !left || registry.erases(&m.id, FieldClass::Per) {
                continue;
            }
            if let Some(due) = left_on.checked_add_months(chrono::Months::new(months)) {
                out.push((m.id, m.label(), due));
            }
        }
        out.sort_by_key(|(id, _, due)| (*due, *id));
        Ok(out)
    }

    /// Erases the personal files (PER and SEC documents) whose retention period ended by
    /// `now` (direction only): one signed erasure per member, scoped to those classes, with
    /// receipts as any erasure; her other documents stay (reports keep her membership).
    /// Returns how many were erased.
    pub fn apply_retention(&mut self, now: DateTime<Utc>) -> Result<usize, WriteError> {
        self.require_direction()?;
        let today = now.date_naive();
        let months = self
            .registry()
            .and_then(|r| r.retention_months)
            .unwrap_or_default();
        let due: Vec<RecordId> = self
            .retention_schedule()?
            .into_iter()
            .filter(|(_, _, due)| *due <= today)
            .map(|(record, _, _)| record)
            .collect();
        let mut ops = Vec::new();
        for record in due {
            // An expelled person's file is erased only with her M6 marker: a device that may
            // not read it leaves her to one that may (she stays listed by `carnet todo`).
            let markers = match self.markers_for(record, now) {
                Err(WriteError::MarkerUnreadable) => continue,
                other => other?,
            };
            ops.push(RegistryOp::Erase {
                record,
                reason: format!("retention: personal file erased {months} months after leaving"),
                of: None,
                classes: Some(BTreeSet::from([FieldClass::Per, FieldClass::Sec])),
                markers,
            });
        }
        if ops.is_empty() {
            return Ok(0);
        }
        self.change_registry(&ops, now)?;
        Ok(ops.len())
    }

    /// Erases person `id` (direction only; RGPD art. 17): a signed erasure in the registry.
    /// This device, and every device that receives it, destroys every document of the record
    /// (changes, state, quarantined evidence), rewrites its store, refuses the record's changes
    /// from then on and signs a receipt (see [`Device::receive_many`]). The records about her
    /// go too, deleted ones included. An expelled person's erasure keeps her M6 markers (a
    /// keyed hash of her identity, `marker.rs`), so that she is never admitted again; the
    /// device must then be able to read her personal file ([`WriteError::MarkerUnreadable`]).
    pub fn erase(
        &mut self,
        id: RecordId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Written, WriteError> {
        if self.registry().is_some_and(|r| r.is_erased(&id)) {
            return Ok(Written::Unchanged);
        }
        // Before the marker key may be made: only direction erases.
        self.require_direction()?;
        let markers = match self.markers_for(id, now) {
            Err(WriteError::Read(ReadError::NotFound { .. })) => BTreeSet::new(),
            other => other?,
        };
        let mut ops = vec![RegistryOp::Erase {
            record: id,
            reason: reason.to_owned(),
            of: None,
            classes: None,
            markers,
        }];
        // The records about her go with her: any record of another kind whose single
        // reference to a member names her (her signatures, applications, welfare check-ins,
        // mandates, referrals…). Lists of people (attendance, group members) keep her id,
        // which names nobody once she is erased: counts in reports stay true. Deleted records
        // are still held (a deleted welfare check-in keeps its personal file): they go too.
        let who = id.to_string();
        for (kind, records) in self.snapshot_with_deleted()?.records {
            if kind == RecordKind::Member {
                continue;
            }
            let about_her = |r: &carnet_model::Record| {
                kind.fields().iter().any(|f| {
                    f.ty == carnet_model::FieldType::Ref(RecordKind::Member)
                        && r.text(f.name) == Some(who.as_str())
                })
            };
            for (rid, r) in records {
                if about_her(&r)
                    && let Ok(rid) = rid.parse::<RecordId>()
                {
                    ops.push(RegistryOp::Erase {
                        record: rid,
                        reason: reason.to_owned(),
                        of: Some(id),
                        classes: None,
                        markers: BTreeSet::new(),
                    });
                }
            }
        }
        self.change_registry(&ops, now)
    }

    /// Re-admits the quarantined work of `device` (direction only, after reviewing it): every
    /// change it signed that its revocation or a removal of its rights set aside, with its own
    /// changes built on them, is kept from now on, on every device (`RegistryOp::ExtendCutoff`
    /// for a revoked device, `RegistryOp::Keep` for a removal). Each is then judged like any
    /// change: its author's rights as of the registry heads it names. Returns how many
    /// quarantined changes the entry covers.
    pub fn readmit(&mut self, device: DeviceId, now: DateTime<Utc>) -> Result<usize, WriteError> {
        self.require_direction()?;
        let entry = self
            .registry()
            .and_then(|r| r.device(&device))
            .cloned()
            .ok_or(WriteError::UnknownDevice)?;
        // Per document: the changes to keep, and whether a removal set some aside.
        let mut per_doc: BTreeMap<String, (BTreeSet<carnet_replica::ChangeHash>, bool)> =
            BTreeMap::new();
        let mut count = 0;
        for q in self.quarantine()? {
            let removal = matches!(q.reason, Reason::Removed { .. } | Reason::DirectionRemoved);
            let kind = removal || matches!(q.reason, Reason::Revoked | Reason::DependsOnRejected);
            if q.entry.author != device || !kind {
                continue;
            }
            count += 1;
            let doc = per_doc.entry(q.doc.to_string()).or_default();
            doc.0.insert(q.entry.hash);
            doc.1 |= removal;
        }
        let mut ops = Vec::new();
        for (doc, (mut heads, removal)) in per_doc {
            // Each entry replaces the document's previous set: keep what it kept.
            if let Some(revocation) = &entry.revoked {
                let mut all = heads.clone();
                all.extend(revocation.cutoff.get(&doc).into_iter().flatten());
                ops.push(RegistryOp::ExtendCutoff {
                    device,
                    doc: doc.clone(),
                    heads: all,
                });
                if !removal {
                    continue;
                }
            }
            heads.extend(entry.kept.get(&doc).into_iter().flatten());
            ops.push(RegistryOp::Keep { device, doc, heads });
        }
        if !ops.is_empty() {
            self.change_registry(&ops, now)?;
        }
        Ok(count)
    }

    /// Revokes `device`: its changes this device holds stay valid (the cut-off); any other
    /// change it made or makes is rejected by every device.
    pub fn revoke(&mut self, device: DeviceId, now: DateTime<Utc>) -> Result<Written, WriteError> {
        // Revoking again would write a new cut-off, widening the first: a device is revoked once.
        if self
            .registry()
            .and_then(|r| r.device(&device))
            .is_some_and(|d| d.revoked.is_some())
        {
            return Ok(Written::Unchanged);
        }
        let cutoff = self.cutoff_of(&device, |_| true)?;
        self.change_registry(&[RegistryOp::Revoke { device, cutoff }], now)
    }
}
