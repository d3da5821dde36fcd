//! The registry: the organisation's own document naming it, its devices, their roles,
//! confidentiality agreements and revocations, and the access policy.
//!
//! Layout (all at the root, see [`crate::Doc`] for why):
//! - `org/name`;
//! - per device `device/<hex key>/holder`, `…/city`, `…/enrolled_by`, `…/enrolled_at` (ms);
//! - `device/<hex>/role/<role>`: `true` granted, `false` removed;
//! - `device/<hex>/agreement`: the date the holder signed the confidentiality agreement, or
//!   `""` once withdrawn;
//! - `device/<hex>/revoked`: the revocation time (ms); a revoked device stays revoked;
//! - `device/<hex>/cutoff/<doc id>`: hex hashes, comma-separated, of that device's last changes
//!   in that document that stay valid (with their ancestors) after its revocation;
//! - `device/<hex>/kept/<doc id>`: the same after a removal of its rights (written with the
//!   removal, extended to re-admit reviewed work; `ledger.rs` rule 4). Apart from `cutoff`, so
//!   that a removal concurrent with a revocation never widens the revocation's cut-off;
//! - `policy/<role>/<class>`: `none`, `read` or `write`;
//! - `deleted/<kind>/<uuid>/{by,at}`: a record deleted by direction (a tombstone);
//! - `erased/<uuid>/{by,at,reason}`: a person erased by direction (RGPD art. 17): every
//!   document of that record is destroyed on every device and refused from then on;
//! - `erased/<uuid>/classes`: `all`, or the class codes erased (`per`: a personal file purged
//!   under the retention period; the record's other documents stay); concurrent values: the
//!   union, `all` winning;
//! - `retention/per-months`: months after a member's departure when her personal file is
//!   erased (0 or absent: never); concurrent values: the longest (erasing cannot be undone);
//! - `erased/<uuid>/m6`: for an expelled person, her M6 markers (comma-separated hex keyed
//!   hashes of her identity; concurrent values: the union): what stops her being admitted
//!   again, checkable only with the marker key that devices reading personal files hold;
//! - `erased/<uuid>/receipt/<hex>`: the time (ms) device `<hex>` destroyed them — the one key
//!   a device that is not direction may write (see `ledger.rs`).
//!
//! Concurrent values are read so that **removal wins**: a role is granted only if every
//! concurrent value says so, an agreement holds only if none withdraws it, a policy entry takes
//! the most restrictive of its concurrent values, and cut-offs are the union of concurrent ones.
//!
//! The organisation's id is the first 16 bytes of the hash of the registry's first change (the
//! genesis), so no second genesis can claim the organisation.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{Change, ChangeHash, ROOT, ScalarValue};
use carnet_model::{Access, FieldClass, Policy, RecordKind, Role};

use crate::{DeviceId, DeviceKey, Doc, DocError, DocId, OrgId, RecordId};

/// A device's revocation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Revocation {
    /// When it was revoked (ms since the epoch, as the revoking device said).
    pub at_ms: i64,
    /// Per document, the revoked device's last changes that stay valid (with their ancestors).
    pub cutoff: BTreeMap<String, BTreeSet<ChangeHash>>,
}

/// A device as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// The device's key.
    pub id: DeviceId,
    /// The person who holds the device.
    pub holder: String,
    /// The city the device works from, if given.
    pub city: Option<String>,
    /// The roles granted to the device.
    pub roles: BTreeSet<Role>,
    /// When its holder signed the confidentiality agreement (`YYYY-MM-DD`), if they did.
    pub agreement: Option<String>,
    /// The device that enrolled it (none for the founding device).
    pub enrolled_by: Option<DeviceId>,
    /// When it was enrolled, in milliseconds since the epoch.
    pub enrolled_at_ms: i64,
    /// Its revocation, if revoked.
    pub revoked: Option<Revocation>,
    /// Per document, its last changes that stay valid (with their ancestors) after a removal
    /// of its rights: what direction had seen of it then, or re-admitted since (`ledger.rs`
    /// rule 4).
    pub kept: BTreeMap<String, BTreeSet<ChangeHash>>,
}

/// The registry read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The organisation's id.
    pub org_id: OrgId,
    /// The organisation's name.
    pub org_name: String,
    /// Enrolled devices (revoked ones included, marked).
    pub devices: BTreeMap<DeviceId, DeviceEntry>,
    /// The access policy.
    pub policy: Policy,
    /// Records deleted by direction (undoing a mistake: a signed tombstone that takes the
    /// record out of lists and reports on every device; its history stays).
    pub deleted: BTreeMap<(RecordKind, RecordId), Deletion>,
    /// People erased by direction: their documents are destroyed everywhere.
    pub erased: BTreeMap<RecordId, Erasure>,
    /// Months after a member leaves when her personal file is erased (`None`: never).
    pub retention_months: Option<u32>,
}

/// A record's deletion, as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// The direction device that deleted it.
    pub by: Option<DeviceId>,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// A person's erasure, as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// The direction device that erased (the smallest key among concurrent erasures).
    pub by: Option<DeviceId>,
    /// When (ms since the epoch; the earliest of concurrent erasures).
    pub at_ms: i64,
    /// Why, as direction wrote it (no personal value: the CLI says so).
    pub reason: String,
    /// The devices that destroyed the person's documents, and when (ms).
    pub receipts: BTreeMap<DeviceId, i64>,
    /// For a record about the person (her signatures, her welfare check-ins…), erased with
    /// her: the person. Receipts are signed for the person's erasure only, covering these.
    pub of: Option<RecordId>,
    /// The classes erased, or `None` for the whole record.
    pub classes: Option<BTreeSet<FieldClass>>,
    /// For an expelled person, her M6 markers: keyed hashes of her identity that say nothing
    /// without the marker key (`carnet-device`'s `marker.rs`).
    pub markers: BTreeSet<Marker>,
}

/// An M6 expulsion marker: a keyed hash (BLAKE3) of an expelled person's identity, kept by her
/// erasure so that she is never admitted again; without the key it reveals nothing.
pub type Marker = [u8; 32];

impl Erasure {
    /// The devices of `registry` that have not confirmed this erasure yet (every enrolled
    /// device that is not revoked and signed no receipt).
    pub fn pending<'a>(&'a self, registry: &'a Registry) -> impl Iterator<Item = &'a DeviceEntry> {
        registry
            .devices
            .values()
            .filter(|d| d.revoked.is_none() && !self.receipts.contains_key(&d.id))
    }

    /// Whether this erasure covers the record's documents of `class`.
    pub fn covers(&self, class: FieldClass) -> bool {
        self.classes.as_ref().is_none_or(|c| c.contains(&class))
    }
}

/// Why a registry document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The document has no genesis.
    #[error("the registry has no genesis")]
    NoGenesis,
    /// The registry names another organisation than expected.
    #[error("the registry belongs to another organisation")]
    OtherOrganisation,
}

/// One change to the registry, made by a direction device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryOp {
    /// Enrols a device.
    Enrol {
        /// Its key.
        device: DeviceId,
        /// Who holds it.
        holder: String,
        /// Its city.
        city: Option<String>,
        /// Its roles.
        roles: BTreeSet<Role>,
    },
    /// Grants (`true`) or removes (`false`) a role.
    Role {
        /// The device.
        device: DeviceId,
        /// The role.
        role: Role,
        /// Granted or removed.
        granted: bool,
    },
    /// Records (`Some(date)`) or withdraws (`None`) the holder's confidentiality agreement.
    Agreement {
        /// The device.
        device: DeviceId,
        /// The date it was signed.
        signed_on: Option<String>,
    },
    /// Revokes a device; its changes outside `cutoff` become invalid everywhere.
    Revoke {
        /// The device.
        device: DeviceId,
        /// Per document, its last changes that stay valid.
        cutoff: BTreeMap<String, BTreeSet<ChangeHash>>,
    },
    /// Extends a revoked device's cut-off (re-admits reviewed work).
    ExtendCutoff {
        /// The device.
        device: DeviceId,
        /// The document.
        doc: String,
        /// The changes that stay valid (replaces the previous set for that document).
        heads: BTreeSet<ChangeHash>,
    },
    /// Sets what stays valid of a device's changes in one document after a removal of its
    /// rights: written with the removal (what the removing device had seen of it), or later
    /// to re-admit reviewed work (`ledger.rs` rule 4).
    Keep {
        /// The device.
        device: DeviceId,
        /// The document.
        doc: String,
        /// Its last changes that stay valid (replaces the previous set for that document).
        heads: BTreeSet<ChangeHash>,
    },
    /// Deletes a record (a tombstone: its documents stay, with their history, but it leaves
    /// every list and report). Concurrent deletions of one record are one deletion.
    Delete {
        /// Its kind.
        kind: RecordKind,
        /// The record.
        record: RecordId,
    },
    /// Erases a person (RGPD art. 17): every device destroys every document of the record and
    /// refuses its changes from then on. Concurrent erasures of one record are one erasure.
    Erase {
        /// The record.
        record: RecordId,
        /// Why (no personal value).
        reason: String,
        /// For a record about a person erased with her: the person.
        of: Option<RecordId>,
        /// The classes erased (`None`: the whole record).
        classes: Option<BTreeSet<FieldClass>>,
        /// For an expelled person, her M6 markers (none otherwise).
        markers: BTreeSet<Marker>,
    },
    /// Sets the retention period of personal files after a member leaves (`None`: never).
    Retention {
        /// Months.
        months: Option<u32>,
    },
    /// This device destroyed an erased person's documents (its receipt). The only registry
    /// change a device that is not direction may make, and only for itself.
    ErasureReceipt {
        /// The erased record.
        record: RecordId,
    },
    /// Sets the policy for a role and class.
    Policy {
        /// The role.
        role: Role,
        /// The class.
        class: FieldClass,
        /// The access.
        access: Access,
    },
}

fn text(values: &[ScalarValue]) -> Option<String> {
    match values.first()? {
        ScalarValue::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

fn hashes(text: &str) -> BTreeSet<ChangeHash> {
    text.split(',')
        .filter_map(|h| h.trim().parse::<ChangeHash>().ok())
        .collect()
}

fn join(hashes: &BTreeSet<ChangeHash>) -> String {
    hashes
        .iter()
        .map(|h| h.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The registry key of `device`'s receipt for the erasure of `record`.
pub fn receipt_key(record: &RecordId, device: &DeviceId) -> String {
    format!("erased/{record}/receipt/{device}")
}

/// The smallest of concurrent text values that parse as `T` (a deterministic choice among
/// concurrent writes).
fn smallest<T: std::str::FromStr + Ord>(values: &[ScalarValue]) -> Option<T> {
    values
        .iter()
        .filter_map(|v| match v {
            ScalarValue::Str(s) => s.parse::<T>().ok(),
            _ => None,
        })
        .min()
}

/// The earliest of concurrent times (ms).
fn earliest(values: &[ScalarValue]) -> Option<i64> {
    values
        .iter()
        .filter_map(|v| match v {
            ScalarValue::Int(t) => Some(*t),
            _ => None,
        })
        .min()
}

/// Reads one `erased/<uuid>/…` entry into `erased`.
fn read_erasure(
    erased: &mut BTreeMap<RecordId, Erasure>,
    rest: &str,
    values: &[ScalarValue],
) -> Option<()> {
    let (record, attr) = rest.split_once('/')?;
    let record = record.parse::<RecordId>().ok()?;
    let entry = erased.entry(record).or_insert(Erasure {
        by: None,
        at_ms: 0,
        reason: String::new(),
        receipts: BTreeMap::new(),
        of: None,
        classes: None,
        markers: BTreeSet::new(),
    });
    match attr {
        "by" => entry.by = smallest(values),
        "at" => entry.at_ms = earliest(values).unwrap_or_default(),
        "classes" => {
            let mut union = BTreeSet::new();
            for v in values {
                let ScalarValue::Str(text) = v else { continue };
                if text.as_str() == "all" {
                    entry.classes = None;
                    return Some(());
                }
                union.extend(text.split(',').filter_map(|c| c.parse::<FieldClass>().ok()));
            }
            entry.classes = Some(union);
        }
        "of" => entry.of = smallest(values),
        "m6" => {
            for v in values {
                let ScalarValue::Str(text) = v else { continue };
                entry.markers.extend(text.split(',').filter_map(|h| {
                    let mut m = [0; 32];
                    hex::decode_to_slice(h.trim(), &mut m).ok().map(|()| m)
                }));
            }
        }
        "reason" => entry.reason = smallest(values).unwrap_or_default(),
        _ => {
            let device = attr.strip_prefix("receipt/")?.parse::<DeviceId>().ok()?;
            entry.receipts.insert(device, earliest(values)?);
        }
    }
    Some(())
}

impl RegistryOp {
    fn write(
        &self,
        tx: &mut automerge::transaction::Transaction<'_>,
        by: DeviceId,
        time_ms: i64,
    ) -> Result<(), automerge::AutomergeError> {
        match self {
            RegistryOp::Enrol {
                device,
                holder,
                city,
                roles,
            } => {
                tx.put(ROOT, format!("device/{device}/holder"), holder.as_str())?;
                if let Some(city) = city {
                    tx.put(ROOT, format!("device/{device}/city"), city.as_str())?;
                }
                if by != *device {
                    tx.put(ROOT, format!("device/{device}/enrolled_by"), by.to_string())?;
                }
                tx.put(
                    ROOT,
                    format!("device/{device}/enrolled_at"),
                    ScalarValue::Int(time_ms),
                )?;
                for role in roles {
                    tx.put(ROOT, format!("device/{device}/role/{role}"), true)?;
                }
            }
            RegistryOp::Role {
                device,
                role,
                granted,
            } => {
                tx.put(ROOT, format!("device/{device}/role/{role}"), *granted)?;
            }
            RegistryOp::Agreement { device, signed_on } => {
                let value = signed_on.clone().unwrap_or_default();
                tx.put(ROOT, format!("device/{device}/agreement"), value)?;
            }
            RegistryOp::Revoke { device, cutoff } => {
                tx.put(
                    ROOT,
                    format!("device/{device}/revoked"),
                    ScalarValue::Int(time_ms),
                )?;
                for (doc, heads) in cutoff {
                    tx.put(ROOT, format!("device/{device}/cutoff/{doc}"), join(heads))?;
                }
            }
            RegistryOp::ExtendCutoff { device, doc, heads } => {
                tx.put(ROOT, format!("device/{device}/cutoff/{doc}"), join(heads))?;
            }
            RegistryOp::Keep { device, doc, heads } => {
                tx.put(ROOT, format!("device/{device}/kept/{doc}"), join(heads))?;
            }
            RegistryOp::Policy {
                role,
                class,
                access,
            } => {
                tx.put(
                    ROOT,
                    format!("policy/{role}/{}", class.code()),
                    access.name(),
                )?;
            }
            RegistryOp::Retention { months } => {
                tx.put(
                    ROOT,
                    "retention/per-months",
                    ScalarValue::Int(i64::from(months.unwrap_or(0))),
                )?;
            }
            RegistryOp::Erase {
                record,
                reason,
                of,
                classes,
                markers,
            } => {
                let scope = match classes {
                    None => "all".to_owned(),
                    Some(c) => c.iter().map(|c| c.code()).collect::<Vec<_>>().join(","),
                };
                tx.put(ROOT, format!("erased/{record}/classes"), scope)?;
                tx.put(ROOT, format!("erased/{record}/by"), by.to_string())?;
                if let Some(of) = of {
                    tx.put(ROOT, format!("erased/{record}/of"), of.to_string())?;
                }
                tx.put(
                    ROOT,
                    format!("erased/{record}/at"),
                    ScalarValue::Int(time_ms),
                )?;
                tx.put(ROOT, format!("erased/{record}/reason"), reason.as_str())?;
                if !markers.is_empty() {
                    let hexes: Vec<String> = markers.iter().map(hex::encode).collect();
                    tx.put(ROOT, format!("erased/{record}/m6"), hexes.join(","))?;
                }
            }
            RegistryOp::ErasureReceipt { record } => {
                tx.put(ROOT, receipt_key(record, &by), ScalarValue::Int(time_ms))?;
            }
            RegistryOp::Delete { kind, record } => {
                tx.put(ROOT, format!("deleted/{kind}/{record}/by"), by.to_string())?;
                tx.put(
                    ROOT,
                    format!("deleted/{kind}/{record}/at"),
                    ScalarValue::Int(time_ms),
                )?;
            }
        }
        Ok(())
    }
}

impl Registry {
    /// The genesis of an organisation's registry, made by its founding device, which it names
    /// as a *direction* device held by `holder`, who signs the confidentiality agreement on
    /// founding it (dated `agreement`, `YYYY-MM-DD`), with Mist's rules as the policy. Returns
    /// the document, its first change and the organisation's id (derived from that change).
    pub fn genesis(
        key: &DeviceKey,
        org_name: &str,
        holder: &str,
        city: Option<&str>,
        agreement: &str,
        time_ms: i64,
    ) -> Result<(Doc, Change, OrgId), DocError> {
        let mut doc = Doc::new(DocId::Registry);
        let me = key.id();
        let policy = Policy::mist_default();
        let mut ops = vec![RegistryOp::Enrol {
            device: me,
            holder: holder.to_owned(),
            city: city.map(str::to_owned),
            roles: BTreeSet::from([Role::Direction]),
        }];
        ops.push(RegistryOp::Agreement {
            device: me,
            signed_on: Some(agreement.to_owned()),
        });
        for role in Role::ALL {
            for class in FieldClass::ALL {
                ops.push(RegistryOp::Policy {
                    role,
                    class,
                    access: policy.get(role, class),
                });
            }
        }
        let change = doc.transact(key, time_ms, |tx| {
            tx.put(ROOT, "org/name", org_name)?;
            for op in &ops {
                op.write(tx, me, time_ms)?;
            }
            Ok(())
        })?;
        // A transaction that sets keys in an empty document always makes a change.
        let change = change.ok_or(DocError::WrongDocument)?;
        let org = OrgId::from_genesis(&change.hash().0);
        Ok((doc, change, org))
    }

    /// Applies registry operations as one change by `key` (which should be a direction
    /// device: others' registry changes are rejected by every replica).
    pub fn apply(
        doc: &mut Doc,
        key: &DeviceKey,
        ops: &[RegistryOp],
        time_ms: i64,
    ) -> Result<Option<Change>, DocError> {
        if *doc.id() != DocId::Registry {
            return Err(DocError::WrongDocument);
        }
        let me = key.id();
        doc.transact(key, time_ms, |tx| {
            for op in ops {
                op.write(tx, me, time_ms)?;
            }
            Ok(())
        })
    }

    /// Reads the registry from its document as it is now.
    pub fn read(doc: &Doc) -> Result<Registry, RegistryError> {
        Self::read_at(doc, None)
    }

    /// Reads the registry as it was at `heads` (all of which the document must hold).
    pub fn read_at(doc: &Doc, heads: Option<&[ChangeHash]>) -> Result<Registry, RegistryError> {
        let genesis = doc
            .changes()
            .into_iter()
            .find(|c| c.deps().is_empty())
            .ok_or(RegistryError::NoGenesis)?;
        let org_id = OrgId::from_genesis(&genesis.hash().0);
        let root = doc.root_at(heads);
        let org_name = root
            .get("org/name")
            .and_then(|v| text(v))
            .unwrap_or_default();
        let mut policy = Policy::mist_default();
        let mut devices: BTreeMap<DeviceId, DeviceEntry> = BTreeMap::new();
        let mut deleted: BTreeMap<(RecordKind, RecordId), Deletion> = BTreeMap::new();
        let mut erased: BTreeMap<RecordId, Erasure> = BTreeMap::new();
        let retention_months = root
            .get("retention/per-months")
            .and_then(|values| {
                values
                    .iter()
                    .filter_map(|v| match v {
                        ScalarValue::Int(m) => u32::try_from(*m).ok(),
                        _ => None,
                    })
                    .max()
            })
            .filter(|m| *m > 0);
        for (key, values) in &root {
            if let Some(rest) = key.strip_prefix("erased/") {
                read_erasure(&mut erased, rest, values);
                continue;
            }
            if let Some(rest) = key.strip_prefix("deleted/") {
                let mut parts = rest.split('/');
                let (Some(kind), Some(record), Some(attr), None) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                let (Ok(kind), Ok(record)) =
                    (kind.parse::<RecordKind>(), record.parse::<RecordId>())
                else {
                    continue;
                };
                let entry = deleted
                    .entry((kind, record))
                    .or_insert(Deletion { by: None, at_ms: 0 });
                // Concurrent deletions: the earliest, and its author, deterministically.
                match attr {
                    "by" => entry.by = smallest(values),
                    "at" => entry.at_ms = earliest(values).unwrap_or_default(),
                    _ => {}
                }
                continue;
            }
            if let Some(rest) = key.strip_prefix("policy/") {
                let Some((role, class)) = rest.split_once('/') else {
                    continue;
                };
                let (Ok(role), Ok(class)) = (role.parse::<Role>(), class.parse::<FieldClass>())
                else {
                    continue;
                };
                // The most restrictive of concurrent values wins.
                let access = values
                    .iter()
                    .filter_map(|v| match v {
                        ScalarValue::Str(s) => s.parse::<Access>().ok(),
                        _ => None,
                    })
                    .min();
                if let Some(access) = access {
                    policy.set(role, class, access);
                }
                continue;
            }
            let Some(rest) = key.strip_prefix("device/") else {
                continue;
            };
            let Some((hex, attr)) = rest.split_once('/') else {
                continue;
            };
            let Ok(id) = hex.parse::<DeviceId>() else {
                continue;
            };
            let entry = devices.entry(id).or_insert_with(|| DeviceEntry {
                id,
                holder: String::new(),
                city: None,
                roles: BTreeSet::new(),
                agreement: None,
                enrolled_by: None,
                enrolled_at_ms: 0,
                revoked: None,
                kept: BTreeMap::new(),
            });
            match attr {
                "holder" => entry.holder = text(values).unwrap_or_default(),
                "city" => entry.city = text(values),
                "enrolled_by" => entry.enrolled_by = text(values).and_then(|s| s.parse().ok()),
                "enrolled_at" => {
                    if let Some(ScalarValue::Int(t)) = values.first() {
                        entry.enrolled_at_ms = *t;
                    }
                }
                "agreement" => {
                    let all: Vec<String> = values
                        .iter()
                        .map(|v| match v {
                            ScalarValue::Str(s) => s.to_string(),
                            _ => String::new(),
                        })
                        .collect();
                    entry.agreement = if all.iter().any(String::is_empty) {
                        None
                    } else {
                        all.into_iter().max()
                    };
                }
                "revoked" => {
                    let at_ms = earliest(values).unwrap_or_default();
                    entry.revoked.get_or_insert_with(Revocation::default).at_ms = at_ms;
                }
                _ => {
                    if let Some(role) = attr
                        .strip_prefix("role/")
                        .and_then(|r| r.parse::<Role>().ok())
                    {
                        if values.iter().all(|v| *v == ScalarValue::Boolean(true)) {
                            entry.roles.insert(role);
                        }
                    } else if let Some(doc) = attr.strip_prefix("kept/") {
                        let union = values
                            .iter()
                            .filter_map(|v| match v {
                                ScalarValue::Str(s) => Some(hashes(s)),
                                _ => None,
                            })
                            .flatten()
                            .collect();
                        entry.kept.insert(doc.to_owned(), union);
                    } else if let Some(doc) = attr.strip_prefix("cutoff/") {
                        let mut union = BTreeSet::new();
                        for v in values {
                            if let ScalarValue::Str(s) = v {
                                union.extend(hashes(s));
                            }
                        }
                        // Cut-offs mean something only once the device is revoked.
                        entry
                            .revoked
                            .get_or_insert_with(Revocation::default)
                            .cutoff
                            .insert(doc.to_owned(), union);
                    }
                }
            }
        }
        // A cut-off without a revocation (written by an extension alone) revokes nothing.
        for entry in devices.values_mut() {
            let revoked = root.contains_key(&format!("device/{}/revoked", entry.id));
            if !revoked {
                entry.revoked = None;
            }
        }
        Ok(Registry {
            org_id,
            org_name,
            devices,
            policy,
            deleted,
            // A receipt without the erasure (which a valid change cannot write) erases nothing.
            erased: erased.into_iter().filter(|(_, e)| e.by.is_some()).collect(),
            retention_months,
        })
    }

    /// Reads the registry and checks that it is `org`'s.
    pub fn read_for(doc: &Doc, org: &OrgId) -> Result<Registry, RegistryError> {
        let registry = Registry::read(doc)?;
        if registry.org_id != *org {
            return Err(RegistryError::OtherOrganisation);
        }
        Ok(registry)
    }

    /// The device with this key, if enrolled (revoked or not).
    pub fn device(&self, id: &DeviceId) -> Option<&DeviceEntry> {
        self.devices.get(id)
    }

    /// What `device` may do with `class` under this registry's policy (none if unknown or
    /// revoked).
    pub fn access(&self, device: &DeviceId, class: FieldClass) -> Access {
        match self.device(device) {
            Some(d) if d.revoked.is_none() => {
                self.policy
                    .effective(&d.roles, d.agreement.is_some(), class)
            }
            _ => Access::None,
        }
    }

    /// Whether `record` was erased whole.
    pub fn is_erased(&self, record: &RecordId) -> bool {
        self.erased.get(record).is_some_and(|e| e.classes.is_none())
    }

    /// Whether `record`'s documents of `class` were erased.
    pub fn erases(&self, record: &RecordId, class: FieldClass) -> bool {
        self.erased.get(record).is_some_and(|e| e.covers(class))
    }

    /// Every M6 marker the erasures kept (of expelled people).
    pub fn markers(&self) -> impl Iterator<Item = &Marker> {
        self.erased.values().flat_map(|e| e.markers.iter())
    }

    /// The time (ms) registry `change` revokes `device` at, if it does (read from the change
    /// alone: a revoked device checks a revocation handed to it without its dependencies).
    pub fn revocation_in(change: &Change, device: &DeviceId) -> Option<i64> {
        let key = format!("device/{device}/revoked");
        change.decode().operations.iter().find_map(|op| {
            let automerge::legacy::Key::Map(k) = &op.key else {
                return None;
            };
            match op.primitive_value() {
                Some(ScalarValue::Int(t))
                    if *k == key && op.obj == automerge::legacy::ObjectId::Root =>
                {
                    Some(t)
                }
                _ => None,
            }
        })
    }

    /// Whether `device` is an enrolled, unrevoked direction device.
    pub fn is_direction(&self, device: &DeviceId) -> bool {
        self.device(device)
            .is_some_and(|d| d.revoked.is_none() && d.roles.contains(&Role::Direction))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeviceIdExt;

    #[test]
    fn genesis_names_the_founder_as_direction_and_derives_the_org() {
        let key = DeviceKey::generate().unwrap();
        let (doc, change, org) =
            Registry::genesis(&key, "Mist", "Ada", Some("Paris"), "2026-01-01", 5).unwrap();
        assert_eq!(change.actor_id(), &key.id().actor(0));
        assert_eq!(org, OrgId::from_genesis(&change.hash().0));
        let reg = Registry::read_for(&doc, &org).unwrap();
        assert_eq!(reg.org_name, "Mist");
        let me = reg.device(&key.id()).unwrap();
        assert_eq!(
            (me.holder.as_str(), me.city.as_deref()),
            ("Ada", Some("Paris"))
        );
        assert!(me.roles.contains(&Role::Direction));
        assert_eq!(me.enrolled_by, None);
        assert_eq!(reg.policy, Policy::mist_default());
        assert!(reg.is_direction(&key.id()));
        assert_eq!(
            Registry::read_for(&doc, &OrgId::random()),
            Err(RegistryError::OtherOrganisation)
        );
    }

    #[test]
    fn concurrent_erasures_keep_the_union_of_their_m6_markers() {
        let a = DeviceKey::generate().unwrap();
        let b = DeviceKey::generate().unwrap();
        let (mut da, _, _) = Registry::genesis(&a, "Mist", "A", None, "2026-01-01", 1).unwrap();
        let enrol = [RegistryOp::Enrol {
            device: b.id(),
            holder: "B".into(),
            city: None,
            roles: BTreeSet::from([Role::Direction]),
        }];
        Registry::apply(&mut da, &a, &enrol, 2).unwrap();
        let mut db = Doc::from_changes(DocId::Registry, da.changes()).unwrap();
        let her = RecordId::random();
        let erase = |m: u8| RegistryOp::Erase {
            record: her,
            reason: "x".into(),
            of: None,
            classes: None,
            markers: BTreeSet::from([[m; 32]]),
        };
        Registry::apply(&mut da, &a, &[erase(1)], 3).unwrap();
        Registry::apply(&mut db, &b, &[erase(2)], 3).unwrap();
        da.apply(db.changes()).unwrap();
        let reg = Registry::read(&da).unwrap();
        assert_eq!(reg.erased[&her].markers, BTreeSet::from([[1; 32], [2; 32]]));
        assert_eq!(reg.markers().count(), 2);
    }

    #[test]
    fn roles_agreements_policy_and_revocations_round_trip() {
        let key = DeviceKey::generate().unwrap();
        let staff = DeviceKey::generate().unwrap().id();
        let (mut doc, _, _) =
            Registry::genesis(&key, "Mist", "Ada", None, "2026-01-01", 1).unwrap();
        let ops = [RegistryOp::Enrol {
            device: staff,
            holder: "Bea".into(),
            city: None,
            roles: BTreeSet::from([Role::Staff]),
        }];
        Registry::apply(&mut doc, &key, &ops, 2).unwrap();
        let before = doc.heads();
        let reg = Registry::read(&doc).unwrap();
        assert_eq!(
            reg.access(&staff, FieldClass::Per),
            Access::None,
            "no agreement yet"
        );
        assert_eq!(reg.access(&staff, FieldClass::Com), Access::Write);
        let cut = BTreeSet::from([ChangeHash([1; 32])]);
        let ops = [
            RegistryOp::Agreement {
                device: staff,
                signed_on: Some("2026-01-02".into()),
            },
            RegistryOp::Policy {
                role: Role::Staff,
                class: FieldClass::Act,
                access: Access::Read,
            },
            RegistryOp::Revoke {
                device: staff,
                cutoff: BTreeMap::from([("member/x/per".to_string(), cut.clone())]),
            },
        ];
        Registry::apply(&mut doc, &key, &ops, 3).unwrap();
        let reg = Registry::read(&doc).unwrap();
        let bea = reg.device(&staff).unwrap();
        assert_eq!(bea.agreement.as_deref(), Some("2026-01-02"));
        assert_eq!(bea.revoked.as_ref().unwrap().cutoff["member/x/per"], cut);
        assert_eq!(reg.policy.get(Role::Staff, FieldClass::Act), Access::Read);
        assert_eq!(reg.access(&staff, FieldClass::Com), Access::None, "revoked");
        let old = Registry::read_at(&doc, Some(&before)).unwrap();
        assert!(
            old.device(&staff).unwrap().revoked.is_none(),
            "reading at old heads"
        );
    }

    #[test]
    fn removal_wins_over_a_concurrent_grant() {
        let a = DeviceKey::generate().unwrap();
        let b = DeviceKey::generate().unwrap();
        let x = DeviceKey::generate().unwrap().id();
        let (mut da, _, _) = Registry::genesis(&a, "Mist", "A", None, "2026-01-01", 1).unwrap();
        let enrol = [
            RegistryOp::Enrol {
                device: b.id(),
                holder: "B".into(),
                city: None,
                roles: BTreeSet::from([Role::Direction]),
            },
            RegistryOp::Enrol {
                device: x,
                holder: "X".into(),
                city: None,
                roles: BTreeSet::from([Role::Staff]),
            },
        ];
        Registry::apply(&mut da, &a, &enrol, 2).unwrap();
        let mut db = Doc::from_changes(DocId::Registry, da.changes()).unwrap();
        Registry::apply(
            &mut da,
            &a,
            &[RegistryOp::Role {
                device: x,
                role: Role::Staff,
                granted: false,
            }],
            3,
        )
        .unwrap();
        Registry::apply(
            &mut db,
            &b,
            &[
                RegistryOp::Role {
                    device: x,
                    role: Role::Staff,
                    granted: true,
                },
                RegistryOp::Agreement {
                    device: x,
                    signed_on: Some("2026-01-01".into()),
                },
            ],
            3,
        )
        .unwrap();
        Registry::apply(
            &mut da,
            &a,
            &[RegistryOp::Agreement {
                device: x,
                signed_on: None,
            }],
            4,
        )
        .unwrap();
        da.apply(db.changes()).unwrap();
        let reg = Registry::read(&da).unwrap();
        assert!(!reg.device(&x).unwrap().roles.contains(&Role::Staff));
        assert_eq!(reg.device(&x).unwrap().agreement, None);
    }
}
