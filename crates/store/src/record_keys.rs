//! Per-record keys for personal documents (crypto-shredding, issue 13).
//!
//! The stored changes and state of a record's personal documents (`<kind>/<uuid>/per` and
//! `…/sec`) are sealed under a key of that record's own instead of the store's data key. The keys
//! live outside the redb file, in one small sealed file beside it (`carnet.keys`, sealed under
//! the data key), rewritten whole on every change through a temporary file and a rename. So
//! destroying a record's key ([`crate::Store::destroy_record_keys`]) leaves no copy of it in
//! the store's files: not in redb's free pages (the key never was in the redb file), not in the
//! key file (rewritten without it), not in a copy of the home made afterwards. What redb still
//! holds of the record — in live or freed pages — is sealed under a key that no longer exists.
//!
//! Keys are per device: they never travel. A device that may not read a personal class holds
//! no such document, so no key (a board device's key file stays empty).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use crate::crypto::SecretKey;

/// Associated data of the key file's seal.
const AAD: &[u8] = b"carnet/record-keys/v1";

/// The record a document's id names, if the document is personal (its values are sealed under
/// the record's key): `member/<uuid>/per` → `<uuid>`.
pub(crate) fn personal_record(doc: &str) -> Option<&str> {
    let mut parts = doc.split('/');
    let (Some(_kind), Some(record), Some(class), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    matches!(class, "per" | "sec").then_some(record)
}

/// Where the key file lives.
#[derive(Debug, Clone)]
pub(crate) enum KeysPlace {
    /// Beside the redb file.
    File(PathBuf),
    /// In memory, beside an in-memory store (shared by its handles).
    Memory(Arc<Mutex<Vec<u8>>>),
}

impl KeysPlace {
    /// The key file of the store at `store_path`.
    pub(crate) fn beside(store_path: &Path) -> KeysPlace {
        KeysPlace::File(store_path.with_extension("keys"))
    }

    fn read(&self) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            KeysPlace::File(path) => match std::fs::read(path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
            KeysPlace::Memory(bytes) => {
                let b = bytes.lock().unwrap_or_else(|p| p.into_inner());
                Ok((!b.is_empty()).then(|| b.clone()))
            }
        }
    }

    /// Replaces the file's content whole: a temporary file, synced, renamed over the old one,
    /// then the directory synced — the old content leaves the file system's names at once.
    fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            KeysPlace::File(path) => {
                let tmp = path.with_extension("keys.tmp");
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create(true).truncate(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let mut f = opts.open(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
                drop(f);
                std::fs::rename(&tmp, path)?;
                if let Some(dir) = path.parent()
                    && let Ok(d) = std::fs::File::open(dir)
                {
                    // Not every platform syncs directories; the rename is what matters.
                    let _ = d.sync_all();
                }
                Ok(())
            }
            KeysPlace::Memory(m) => {
                *m.lock().unwrap_or_else(|p| p.into_inner()) = bytes.to_vec();
                Ok(())
            }
        }
    }
}

/// Why the key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// The file could not be read or written.
    #[error("the record key file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
    /// The file fails authentication under the store's data key (damaged or replaced).
    #[error("the record key file is damaged or is not this store's")]
    Damaged,
    /// The random source failed.
    #[error("the system random source failed")]
    Random,
}

/// The keys of the records whose personal documents this device holds.
#[derive(Default)]
pub(crate) struct RecordKeys {
    keys: BTreeMap<String, Zeroizing<[u8; 32]>>,
}

impl RecordKeys {
    /// Reads the key file (none yet: no key).
    pub(crate) fn load(place: &KeysPlace, data_key: &SecretKey) -> Result<RecordKeys, KeysError> {
        let Some(sealed) = place.read()? else {
            return Ok(RecordKeys::default());
        };
        let plain = data_key
            .open(AAD, &sealed)
            .map_err(|_| KeysError::Damaged)?;
        let entries: Vec<(String, [u8; 32])> =
            postcard::from_bytes(&plain).map_err(|_| KeysError::Damaged)?;
        let keys = entries
            .into_iter()
            .map(|(r, k)| (r, Zeroizing::new(k)))
            .collect();
        Ok(RecordKeys { keys })
    }

    /// Writes every key (and `extra` ones) to the key file, sealed.
    pub(crate) fn save(
        &self,
        extra: &BTreeMap<String, Zeroizing<[u8; 32]>>,
        place: &KeysPlace,
        data_key: &SecretKey,
    ) -> Result<(), KeysError> {
        let entries: Vec<(&str, &[u8; 32])> = self
            .keys
            .iter()
            .chain(extra.iter())
            .map(|(r, k)| (r.as_str(), &**k))
            .collect();
        let plain =
            Zeroizing::new(postcard::to_allocvec(&entries).map_err(|_| KeysError::Damaged)?);
        let sealed = data_key.seal(AAD, &plain).map_err(|_| KeysError::Random)?;
        place.write(&sealed)?;
        Ok(())
    }

    /// Keys from a backup's entries.
    pub(crate) fn from_entries(entries: Vec<(String, [u8; 32])>) -> RecordKeys {
        RecordKeys {
            keys: entries
                .into_iter()
                .map(|(r, k)| (r, Zeroizing::new(k)))
                .collect(),
        }
    }

    /// Every key, for a backup.
    pub(crate) fn entries(&self) -> Vec<(String, [u8; 32])> {
        self.keys.iter().map(|(r, k)| (r.clone(), **k)).collect()
    }

    /// The key of `record`, if held.
    pub(crate) fn get(&self, record: &str) -> Option<SecretKey> {
        self.keys.get(record).map(|k| SecretKey::from_bytes(**k))
    }

    pub(crate) fn contains(&self, record: &str) -> bool {
        self.keys.contains_key(record)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn extend(&mut self, new: BTreeMap<String, Zeroizing<[u8; 32]>>) {
        self.keys.extend(new);
    }

    /// Forgets every key; whether any was held.
    pub(crate) fn clear(&mut self) -> bool {
        let any = !self.keys.is_empty();
        self.keys.clear();
        any
    }

    /// Forgets the keys of `records`; whether any was held.
    pub(crate) fn remove(&mut self, records: &[&str]) -> bool {
        let mut any = false;
        for r in records {
            any |= self.keys.remove(*r).is_some();
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_personal_documents_name_a_record() {
        assert_eq!(personal_record("member/abc/per"), Some("abc"));
        assert_eq!(personal_record("welfare/abc/sec"), Some("abc"));
        assert_eq!(personal_record("member/abc/com"), None);
        assert_eq!(personal_record("registry"), None);
        assert_eq!(personal_record("a/b/per/x"), None);
    }
}
