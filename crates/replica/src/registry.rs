//! The registry: the organisation's own document naming it and its enrolled devices.
//!
//! Layout (all at the root, see [`crate::Doc`] for why): `org/id`, `org/name`;
//! per device `device/<hex key>/holder`, `…/city`, `…/enrolled_by`, `…/enrolled_at` (ms since
//! the epoch) and one key `…/role/<role>` = `true` per role granted.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{Change, ROOT, ScalarValue};
use carnet_model::Role;
use uuid::Uuid;

use crate::{DeviceId, DeviceKey, Doc, DocError, DocId, OrgId};

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
    /// The device that enrolled it (none for the founding device).
    pub enrolled_by: Option<DeviceId>,
    /// When it was enrolled, in milliseconds since the epoch.
    pub enrolled_at_ms: i64,
}

/// The registry read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The organisation's id.
    pub org_id: OrgId,
    /// The organisation's name.
    pub org_name: String,
    /// Enrolled devices.
    pub devices: BTreeMap<DeviceId, DeviceEntry>,
}

/// Why a registry document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The document does not name its organisation.
    #[error("the registry does not name its organisation")]
    NoOrganisation,
    /// The registry names another organisation than expected.
    #[error("the registry belongs to another organisation")]
    OtherOrganisation,
}

fn text(values: Option<&Vec<ScalarValue>>) -> Option<String> {
    match values?.first()? {
        ScalarValue::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

impl Registry {
    /// The genesis of an organisation's registry, made by its founding device, which it names
    /// as a *direction* device held by `holder`.
    pub fn genesis(
        key: &DeviceKey,
        org: OrgId,
        org_name: &str,
        holder: &str,
        city: Option<&str>,
        time_ms: i64,
    ) -> Result<(Doc, Change), DocError> {
        let mut doc = Doc::new(DocId::Registry);
        let me = key.id();
        let change = doc.transact(key, time_ms, |tx| {
            tx.put(ROOT, "org/id", org.0.to_string())?;
            tx.put(ROOT, "org/name", org_name)?;
            tx.put(ROOT, format!("device/{me}/holder"), holder)?;
            if let Some(city) = city {
                tx.put(ROOT, format!("device/{me}/city"), city)?;
            }
            tx.put(
                ROOT,
                format!("device/{me}/enrolled_at"),
                ScalarValue::Int(time_ms),
            )?;
            tx.put(ROOT, format!("device/{me}/role/{}", Role::Direction), true)?;
            Ok(())
        })?;
        // A transaction that sets keys in an empty document always makes a change.
        let change = change.ok_or(DocError::WrongDocument)?;
        Ok((doc, change))
    }

    /// Reads the registry from its document.
    pub fn read(doc: &Doc) -> Result<Registry, RegistryError> {
        let root = doc.root();
        let org_id = text(root.get("org/id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
            .map(OrgId)
            .ok_or(RegistryError::NoOrganisation)?;
        let org_name = text(root.get("org/name")).unwrap_or_default();
        let mut devices: BTreeMap<DeviceId, DeviceEntry> = BTreeMap::new();
        for (key, values) in &root {
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
                enrolled_by: None,
                enrolled_at_ms: 0,
            });
            match attr {
                "holder" => entry.holder = text(Some(values)).unwrap_or_default(),
                "city" => entry.city = text(Some(values)),
                "enrolled_by" => {
                    entry.enrolled_by = text(Some(values)).and_then(|s| s.parse().ok())
                }
                "enrolled_at" => {
                    if let Some(ScalarValue::Int(t)) = values.first() {
                        entry.enrolled_at_ms = *t;
                    }
                }
                _ => {
                    if let Some(role) = attr.strip_prefix("role/").and_then(|r| r.parse().ok())
                        && values.first() == Some(&ScalarValue::Boolean(true))
                    {
                        entry.roles.insert(role);
                    }
                }
            }
        }
        Ok(Registry {
            org_id,
            org_name,
            devices,
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

    /// The device with this key, if enrolled.
    pub fn device(&self, id: &DeviceId) -> Option<&DeviceEntry> {
        self.devices.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_names_the_founder_as_direction() {
        let key = DeviceKey::generate().unwrap();
        let org = OrgId::random();
        let (doc, change) = Registry::genesis(&key, org, "Mist", "Ada", Some("Paris"), 5).unwrap();
        assert_eq!(change.actor_id(), &key.id().actor());
        let reg = Registry::read_for(&doc, &org).unwrap();
        assert_eq!(reg.org_name, "Mist");
        let me = reg.device(&key.id()).unwrap();
        assert_eq!(me.holder, "Ada");
        assert_eq!(me.city.as_deref(), Some("Paris"));
        assert!(me.roles.contains(&Role::Direction));
        assert_eq!(me.enrolled_at_ms, 5);
        assert_eq!(
            Registry::read_for(&doc, &OrgId::random()),
            Err(RegistryError::OtherOrganisation)
        );
    }
}
