//! Who read a personal file (`domain.md` §4 guarantee 9; issue 15, item 9): this device's
//! signed, append-only log of its own reads of personal and security documents. Each entry
//! (`carnet_replica::AccessEntry`) is sealed in the store's metadata under `access/<seq>`, with
//! the log's head (`access-head`: the number of entries and the last one's hash) written in
//! the same transaction; `carnet verify` walks the chain. The commands and pages that show or
//! export a personal file call [`Device::note_access`] before they show anything.

use carnet_model::{FieldClass, RecordKind};
use carnet_replica::{AccessEntry, AccessKind, AccessRead, RecordId, check_log};

use std::collections::BTreeSet;

use crate::error::{ReadError, WriteError};
use crate::{Device, RecordView};

const ENTRY_PREFIX: &str = "access/";
const HEAD_KEY: &str = "access-head";

fn entry_key(seq: u64) -> String {
    format!("{ENTRY_PREFIX}{seq:020}")
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

    /// This device's access log, oldest first; only the entries about `record` when given.
    /// An entry that cannot be read is left out (`carnet verify` names it).
    pub fn access_log(&self, record: Option<RecordId>) -> Result<Vec<AccessEntry>, ReadError> {
        Ok(self
            .stored_access_log()?
            .into_iter()
            .filter(|e| record.is_none_or(|r| e.record == r))
            .collect())
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
