//! M6 expulsion markers (`domain.md` §4, guarantee 11: "expulsion block without a dossier"):
//! when an expelled person is erased, her erasure keeps keyed hashes of her identity, and a
//! device holding the key refuses to admit anyone whose identity hashes to one of them.
//!
//! - **The key** is the association's, random, in the personal (PER) document of its one
//!   [`RecordKind::Secret`] record (`secret/<uuid>/per`, the id derived from the organisation's):
//!   access rules deliver it to the devices that may read personal files (staff with an
//!   agreement, direction) and to no other, so a board device never holds it. A direction
//!   device makes it the first time an expelled person is erased. Keys are a set: two direction
//!   devices making one concurrently both keep theirs, and markers are checked under every key.
//! - **The markers** sit in the registry with the erasure (`erased/<uuid>/m6`), where every
//!   device sees them: without the key they reveal nothing, not even to a board device that
//!   knows the person's names.
//! - **An identity** is a date of birth with the person's legal names (first and last), or with
//!   her display name: the words of the names folded without case or accents
//!   ([`carnet_model::fold_unaccented`]), in alphabetical order (so swapped first and last
//!   names still match), then the date. A person without a date of birth leaves no marker.
//!
//! Nothing here is ever logged or put in an error: identities and keys stay in memory.

use std::collections::{BTreeMap, BTreeSet};

use carnet_model::{EditOp, FieldClass, FieldEdit, RecordKind, Snapshot, Value, fold_unaccented};
use carnet_replica::{Marker, OrgId, RecordId};
use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::Device;
use crate::error::{ReadError, WriteError};

/// The field of the secret record holding the marker keys.
const KEYS_FIELD: &str = "marker_keys";

/// The association's secret record: one id per organisation, the same on every device.
pub(crate) fn secret_record(org: &OrgId) -> RecordId {
    let hash = blake3::derive_key("carnet/secret-record/v1", org.0.as_bytes());
    let mut id = [0; 16];
    id.copy_from_slice(&hash[..16]);
    RecordId(uuid::Uuid::from_bytes(id))
}

/// The identities of a person whose fields are `fields` (see the module's doc), each as the
/// bytes a marker hashes.
pub(crate) fn identities(fields: &BTreeMap<String, Value>) -> Vec<Zeroizing<String>> {
    let Some(Value::Date(born)) = fields.get("date_of_birth") else {
        return Vec::new();
    };
    let text = |name: &str| match fields.get(name) {
        Some(Value::Text(t)) => t.as_str(),
        _ => "",
    };
    let legal = Zeroizing::new(format!("{} {}", text("first_name"), text("last_name")));
    let mut out: Vec<Zeroizing<String>> = Vec::new();
    for names in [legal.as_str(), text("display_name")] {
        let folded = Zeroizing::new(fold_unaccented(names));
        let mut words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        words.sort_unstable();
        let identity = Zeroizing::new(format!("{}\0{}", words.join(" "), born.format("%Y-%m-%d")));
        if !out.contains(&identity) {
            out.push(identity);
        }
    }
    out
}

/// The marker of `identity` under `key`.
pub(crate) fn marker(key: &[u8; 32], identity: &str) -> Marker {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(b"carnet/m6-marker/v1\0");
    h.update(identity.as_bytes());
    *h.finalize().as_bytes()
}

impl Device {
    /// The association's M6 marker keys this device holds: none on a device that may not read
    /// personal files (it cannot check markers), or before any expelled person was erased.
    pub fn marker_keys(&self) -> Result<Vec<Zeroizing<[u8; 32]>>, ReadError> {
        if !self.can_read(FieldClass::Per) {
            return Ok(Vec::new());
        }
        let view = match self.show(RecordKind::Secret, secret_record(&self.org)) {
            Ok(view) => view,
            Err(ReadError::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut keys = Vec::new();
        if let Some(Value::Set(labels)) = view.fields.get(KEYS_FIELD).map(|s| &s.value) {
            for label in labels {
                let mut key = Zeroizing::new([0; 32]);
                if hex::decode_to_slice(label, key.as_mut_slice()).is_ok() {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }

    /// A marker key: the first this device holds, or a new one written to the secret record.
    fn marker_key_or_new(&mut self, now: DateTime<Utc>) -> Result<Zeroizing<[u8; 32]>, WriteError> {
        if let Some(key) = self.marker_keys()?.into_iter().next() {
            return Ok(key);
        }
        let mut key = Zeroizing::new([0; 32]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| carnet_store::StoreError::Random)?;
        let field = RecordKind::Secret
            .field(KEYS_FIELD)
            .ok_or(WriteError::NoEdits)?;
        let edit = FieldEdit {
            field,
            op: EditOp::Add(BTreeSet::from([hex::encode(key.as_slice())])),
        };
        self.put(RecordKind::Secret, secret_record(&self.org), &[edit], now)?;
        Ok(key)
    }

    /// The M6 markers the erasure of member `id` keeps: her identities' markers if she is
    /// expelled (the key made first if none exists yet), none otherwise. An expelled person's
    /// markers need her personal file: a device that may not read it refuses
    /// ([`WriteError::MarkerUnreadable`]) rather than erase her without them.
    pub(crate) fn markers_for(
        &mut self,
        id: RecordId,
        now: DateTime<Utc>,
    ) -> Result<BTreeSet<Marker>, WriteError> {
        let view = self.show(RecordKind::Member, id)?;
        let expelled = matches!(
            view.fields.get("status").map(|s| &s.value),
            Some(Value::Text(s)) if s == "expelled"
        );
        if !expelled {
            return Ok(BTreeSet::new());
        }
        if !self.can_read(FieldClass::Per) {
            return Err(WriteError::MarkerUnreadable);
        }
        let fields: BTreeMap<String, Value> =
            view.fields.into_iter().map(|(k, s)| (k, s.value)).collect();
        let identities = identities(&fields);
        if identities.is_empty() {
            return Ok(BTreeSet::new());
        }
        let key = self.marker_key_or_new(now)?;
        Ok(identities.iter().map(|i| marker(&key, i)).collect())
    }

    /// M6 on the member records of a write: those that admit someone
    /// ([`carnet_rules::m6_admits`]) whose identity matches a marker, under any key this device
    /// holds. A device without a key checks nothing (it may not read the identities either).
    pub(crate) fn m6_findings(
        &self,
        proposals: &[carnet_rules::Proposal],
        snapshot: &Snapshot,
    ) -> Result<Vec<carnet_rules::Finding>, ReadError> {
        let Some(registry) = self.registry() else {
            return Ok(Vec::new());
        };
        let markers: BTreeSet<&Marker> = registry.markers().collect();
        if markers.is_empty() {
            return Ok(Vec::new());
        }
        let keys = self.marker_keys()?;
        let mut out = Vec::new();
        for p in proposals.iter().filter(|p| p.kind == RecordKind::Member) {
            let before = snapshot.get(RecordKind::Member, &p.id);
            if !carnet_rules::m6_admits(before, &p.fields) {
                continue;
            }
            let matched = identities(&p.fields)
                .iter()
                .any(|i| keys.iter().any(|k| markers.contains(&marker(k, i))));
            if matched {
                out.push(carnet_rules::m6_marker_matched(&p.id));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn person(first: &str, last: &str, display: &str, born: &str) -> BTreeMap<String, Value> {
        let mut f = BTreeMap::new();
        for (name, v) in [
            ("first_name", first),
            ("last_name", last),
            ("display_name", display),
        ] {
            if !v.is_empty() {
                f.insert(name.to_owned(), Value::Text(v.to_owned()));
            }
        }
        if let Ok(d) = born.parse() {
            f.insert("date_of_birth".to_owned(), Value::Date(d));
        }
        f
    }

    #[test]
    fn identities_ignore_case_accents_word_order_and_need_a_date_of_birth() {
        let a = identities(&person("Ifeọma", "Okonkwo-Eze", "Ify", "1990-04-02"));
        let b = identities(&person("EZE", "ifeoma okonkwo", "IFY", "1990-04-02"));
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        let other_day = identities(&person("Ifeoma", "Okonkwo-Eze", "Ify", "1990-04-03"));
        assert!(other_day.iter().all(|i| !a.contains(i)));
        assert!(identities(&person("Ifeoma", "Okonkwo", "Ify", "")).is_empty());
        // Legal names written as the display name are the same identity.
        let as_display = identities(&person("", "", "Okonkwo Eze Ifeoma", "1990-04-02"));
        assert!(as_display.iter().all(|i| a.contains(i)));
    }

    #[test]
    fn markers_depend_on_the_key() {
        let i = identities(&person("Ada", "Obi", "", "1990-01-01"));
        assert_ne!(marker(&[1; 32], &i[0]), marker(&[2; 32], &i[0]));
        assert_eq!(marker(&[1; 32], &i[0]), marker(&[1; 32], &i[0]));
    }
}
