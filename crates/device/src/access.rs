//! Who read a personal file (`domain.md` §4 guarantee 9; issue 15, item 9): this device's
//! signed, append-only log of its own reads of personal and security documents. Each entry
//! (`carnet_replica::AccessEntry`) is sealed in the store's metadata under `access/<seq>`, with
//! the log's head (`access-head`: the number of entries and the last one's hash) written in
//! the same transaction; `carnet verify` walks the chain. The commands and pages that show or
//! export a personal file call [`Device::note_access`] before they show anything.
//!
//! The logs travel to direction devices only. In sessions a log is one more document
//! (`DocId::AccessLog(device)`, its entries' hashes compared as a document's changes are),
//! shared between two devices when each is the log's own device or may read security
//! documents: a staff device hands its log to direction, direction devices pass every log on
//! among themselves, and no log ever reaches a staff or board device that is not its own.
//! A direction device keeps another device's log under `access-of/<device>/<seq>`, accepting
//! only entries signed by that device that continue its chain (never a second entry for a
//! place already held), at most [`MAX_PEER_LOG`] of them.

use carnet_model::{DeviceId, FieldClass, RecordKind};
use carnet_replica::{AccessEntry, AccessKind, AccessRead, RecordId, check_log};

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{ReadError, WriteError};
use crate::{Device, RecordView};

const ENTRY_PREFIX: &str = "access/";
const HEAD_KEY: &str = "access-head";
/// Where a direction device keeps other devices' logs.
const PEER_PREFIX: &str = "access-of/";

/// The most entries a device keeps of another device's log (about 150 bytes each): a device
/// cannot fill direction's disk with reads it claims.
pub const MAX_PEER_LOG: u64 = 200_000;

fn entry_key(seq: u64) -> String {
    format!("{ENTRY_PREFIX}{seq:020}")
}

fn peer_entry_key(device: &DeviceId, seq: u64) -> String {
    format!("{PEER_PREFIX}{device}/{seq:020}")
}

/// What receiving part of another device's log did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LogReceived {
    /// Entries kept.
    pub new: usize,
    /// Entries refused (not this device's to keep, not signed by the log's device, a second
    /// entry for a place held, beyond the bound).
    pub refused: usize,
}

impl Device {
    /// Notes that this device read `class` of record `id` of `kind`, `how`: one signed entry
    /// at the end of its access log. Only personal and security classes are logged (other
    /// classes: nothing happens).
    pub fn note_access(
        &self,
        kind: RecordKind,
        id: RecordId,
        class: FieldClass,
        how: AccessKind,
    ) -> Result<(), WriteError> {
        if !matches!(class, FieldClass::Per | FieldClass::Sec) {
            return Ok(());
        }
        let (seq, prev) = self.access_head()?.unwrap_or((0, [0; 32]));
        let at = crate::device::time_ms(self.now());
        let entry = AccessEntry::sign(
            &self.key,
            &self.org,
            seq,
            prev,
            at,
            AccessRead {
                kind: kind.name().to_owned(),
                record: id,
                class,
                how,
            },
        );
        let head = (seq + 1, entry.hash(&self.org));
        let mut batch = self.store.write()?;
        batch.put_info(
            &entry_key(seq),
            &postcard::to_stdvec(&entry).unwrap_or_default(),
        )?;
        batch.put_info(HEAD_KEY, &postcard::to_stdvec(&head).unwrap_or_default())?;
        batch.commit()?;
        Ok(())
    }

    /// Notes the reads `view` is about to show: one entry per personal or security class it
    /// holds a field of (a record shown by a command or a page).
    pub fn note_view(&self, view: &RecordView, how: AccessKind) -> Result<(), WriteError> {
        let classes: BTreeSet<FieldClass> = view
            .fields
            .keys()
            .filter_map(|name| view.kind.field(name).map(|f| f.class))
            .collect();
        for class in classes {
            self.note_access(view.kind, view.id, class, how)?;
        }
        Ok(())
    }

    /// Notes an export of every record of `kind` with its personal fields: one entry per
    /// personal or security class of the kind this device may read, for the nil record.
    pub fn note_export(&self, kind: RecordKind) -> Result<(), WriteError> {
        for class in kind.classes() {
            if self.can_read(class) {
                self.note_access(kind, RecordId(uuid::Uuid::nil()), class, AccessKind::Export)?;
            }
        }
        Ok(())
    }

    fn access_head(&self) -> Result<Option<(u64, [u8; 32])>, ReadError> {
        Ok(self
            .store
            .info(HEAD_KEY)?
            .and_then(|v| v.ok())
            .and_then(|b| postcard::from_bytes(&b).ok()))
    }

    /// The access log entries this device holds, oldest first: its own and, on a direction
    /// device, those of every device whose log reached it; only the entries about `record`
    /// when given. An entry that cannot be read is left out (`carnet verify` names it).
    pub fn access_log(&self, record: Option<RecordId>) -> Result<Vec<AccessEntry>, ReadError> {
        let mut all = self.stored_access_log()?;
        for owner in self.log_owners()? {
            if owner != self.id() {
                all.extend(self.log_of(&owner)?);
            }
        }
        all.retain(|e| record.is_none_or(|r| e.record == r));
        all.sort_by_key(|e| (e.at_ms, e.device, e.seq));
        Ok(all)
    }

    /// Whether `holder` may hold `owner`'s access log: its own, or any when it may read
    /// security documents (direction, under the default policy).
    fn may_hold_log(&self, holder: &DeviceId, owner: &DeviceId) -> bool {
        holder == owner
            || self
                .registry()
                .is_some_and(|r| r.access(holder, FieldClass::Sec).can_read())
    }

    /// Whether `owner`'s access log is shared between this device and `peer`.
    pub(crate) fn shares_log(&self, peer: &DeviceId, owner: &DeviceId) -> bool {
        self.may_hold_log(&self.id(), owner) && self.may_hold_log(peer, owner)
    }

    /// The devices whose logs this device holds (its own first, when it logged anything).
    pub(crate) fn log_owners(&self) -> Result<Vec<DeviceId>, ReadError> {
        let mut out = Vec::new();
        if self.access_head()?.is_some() {
            out.push(self.id());
        }
        let mut others = BTreeSet::new();
        for (name, _) in self.store.infos(PEER_PREFIX)? {
            if let Some(owner) = name
                .strip_prefix(PEER_PREFIX)
                .and_then(|rest| rest.split('/').next())
                .and_then(|hex| hex.parse::<DeviceId>().ok())
            {
                others.insert(owner);
            }
        }
        out.extend(others.into_iter().filter(|o| *o != self.id()));
        Ok(out)
    }

    /// `owner`'s log as this device holds it, in order.
    pub(crate) fn log_of(&self, owner: &DeviceId) -> Result<Vec<AccessEntry>, ReadError> {
        if *owner == self.id() {
            return self.stored_access_log();
        }
        Ok(self
            .store
            .infos(&format!("{PEER_PREFIX}{owner}/"))?
            .into_iter()
            .filter_map(|(_, v)| v.ok())
            .filter_map(|b| postcard::from_bytes(&b).ok())
            .collect())
    }

    /// The hashes of `owner`'s entries held (what a session compares).
    pub(crate) fn log_hashes(&self, owner: &DeviceId) -> Vec<[u8; 32]> {
        self.log_of(owner)
            .unwrap_or_default()
            .iter()
            .map(|e| e.hash(&self.org))
            .collect()
    }

    /// `owner`'s entries held, except those whose hashes are in `except`, as sent.
    pub(crate) fn log_entries(
        &self,
        owner: &DeviceId,
        except: &BTreeSet<[u8; 32]>,
    ) -> Vec<Vec<u8>> {
        self.log_of(owner)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| !except.contains(&e.hash(&self.org)))
            .filter_map(|e| postcard::to_stdvec(&e).ok())
            .collect()
    }

    /// Keeps what a peer sent of `owner`'s log: entries signed by `owner` that continue the
    /// chain held. A device that may not hold the log keeps nothing; its own log is never
    /// taken from a peer.
    pub(crate) fn receive_log(&mut self, owner: &DeviceId, sent: Vec<Vec<u8>>) -> LogReceived {
        let mut out = LogReceived::default();
        let me = self.id();
        let enrolled = self.registry().is_some_and(|r| r.device(owner).is_some());
        if *owner == me || !enrolled || !self.may_hold_log(&me, owner) {
            let held: BTreeSet<[u8; 32]> = self.log_hashes(owner).into_iter().collect();
            out.refused = sent
                .iter()
                .filter_map(|b| postcard::from_bytes::<AccessEntry>(b).ok())
                .filter(|e| !held.contains(&e.hash(&self.org)))
                .count();
            out.refused += sent
                .iter()
                .filter(|b| postcard::from_bytes::<AccessEntry>(b).is_err())
                .count();
            return out;
        }
        let held = self.log_of(owner).unwrap_or_default();
        let mut next = held.len() as u64;
        let mut last = held.last().map_or([0; 32], |e| e.hash(&self.org));
        let mut incoming: BTreeMap<u64, AccessEntry> = BTreeMap::new();
        for bytes in &sent {
            match postcard::from_bytes::<AccessEntry>(bytes) {
                Ok(e) if e.device == *owner && e.is_signed(&self.org) => {
                    incoming.insert(e.seq, e);
                }
                _ => out.refused += 1,
            }
        }
        let mut keep = Vec::new();
        for (seq, e) in incoming {
            if seq < next {
                // A place already held: the same entry again, or a second one (refused).
                if held.get(seq as usize).map(|h| h.hash(&self.org)) != Some(e.hash(&self.org)) {
                    out.refused += 1;
                }
                continue;
            }
            if seq != next || e.prev != last || next >= MAX_PEER_LOG {
                out.refused += 1;
                continue;
            }
            last = e.hash(&self.org);
            next += 1;
            keep.push(e);
        }
        if keep.is_empty() {
            return out;
        }
        let written = (|| -> Result<(), WriteError> {
            let mut batch = self.store.write()?;
            for e in &keep {
                batch.put_info(
                    &peer_entry_key(owner, e.seq),
                    &postcard::to_stdvec(e).unwrap_or_default(),
                )?;
            }
            batch.commit()?;
            Ok(())
        })();
        match written {
            Ok(()) => out.new = keep.len(),
            Err(e) => {
                tracing::warn!("could not keep a peer's access log entries: {e}");
                out.refused += keep.len();
            }
        }
        out
    }

    /// The names under which this device keeps other devices' log entries.
    pub(crate) fn peer_log_names(&self) -> Result<Vec<String>, ReadError> {
        Ok(self
            .store
            .infos(PEER_PREFIX)?
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }

    /// Removes the other devices' logs this device keeps (a device that may no longer hold
    /// them: revoked, or no longer reading security documents).
    pub(crate) fn forget_peer_logs(&mut self) -> Result<(), WriteError> {
        let names = self.peer_log_names()?;
        if names.is_empty() {
            return Ok(());
        }
        let mut batch = self.store.write()?;
        for name in names {
            batch.delete_info(&name)?;
        }
        batch.commit()?;
        Ok(())
    }

    fn stored_access_log(&self) -> Result<Vec<AccessEntry>, ReadError> {
        Ok(self
            .store
            .infos(ENTRY_PREFIX)?
            .into_iter()
            .filter_map(|(_, v)| v.ok())
            .filter_map(|b| postcard::from_bytes(&b).ok())
            .collect())
    }

    /// What is wrong with this device's access log (empty when sound): unreadable entries,
    /// signatures, gaps, an entry changed or removed, the tail cut.
    pub fn check_access_log(&self) -> Result<Vec<String>, ReadError> {
        let stored = self.store.infos(ENTRY_PREFIX)?;
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for (name, v) in stored {
            match v
                .ok()
                .and_then(|b| postcard::from_bytes::<AccessEntry>(&b).ok())
            {
                Some(e) => entries.push(e),
                None => problems.push(format!("{name} cannot be read (damaged or forged)")),
            }
        }
        problems.extend(check_log(
            &self.org,
            &self.id(),
            &entries,
            self.access_head()?,
        ));
        // Other devices' logs: each a sound chain of its own device's entries.
        for owner in self.log_owners()? {
            if owner == self.id() {
                continue;
            }
            let log = self.log_of(&owner)?;
            let head = log.last().map(|e| (log.len() as u64, e.hash(&self.org)));
            for p in check_log(&self.org, &owner, &log, head) {
                problems.push(format!("the log of device {}: {p}", owner.short()));
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use carnet_model::{FieldClass, RecordKind};
    use carnet_replica::{AccessKind, RecordId};

    #[test]
    fn reads_are_logged_in_order_and_the_log_checks() {
        let memory = crate::Memory::default();
        let d = crate::Device::found_in_memory(
            &memory,
            b"a passphrase",
            carnet_replica::DeviceKey::generate().unwrap(),
            "Mist",
            "Ada",
            chrono::Utc::now(),
        )
        .unwrap();
        let a = RecordId::random();
        let b = RecordId::random();
        d.note_access(RecordKind::Member, a, FieldClass::Per, AccessKind::Show)
            .unwrap();
        // Shared classes are not logged.
        d.note_access(RecordKind::Member, b, FieldClass::Com, AccessKind::Show)
            .unwrap();
        d.note_access(RecordKind::Member, b, FieldClass::Per, AccessKind::Page)
            .unwrap();
        let log = d.access_log(None).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!((log[0].record, log[1].record), (a, b));
        assert_eq!(d.access_log(Some(a)).unwrap().len(), 1);
        assert!(d.check_access_log().unwrap().is_empty());
    }
}
