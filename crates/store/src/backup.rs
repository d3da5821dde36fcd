//! Backups: a consistent, sealed copy of a whole store and its record keys in one file, and
//! the store made again from one under a new device key (`docs/storage.md`, "Backup").
//!
//! ```text
//! "carnet-backup/1\n" ‖ len (u32 BE) ‖ keyring ‖ seal(data key, "carnet/backup/v1", postcard Dump)
//! ```
//! The keyring is the store's own (wrapped under the passphrase, useless without it); the rest
//! is sealed whole under the data key, so the file shows neither document ids nor counts.

use std::path::Path;

use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::crypto::SecretKey;
use crate::keyring::{Keyring, UnlockError, Unlocked};
use crate::record_keys::{KeysPlace, RecordKeys};
use crate::store::{CHANGES, DOCS, FORMAT, META, Place, builder, open_err};
use crate::{OpenError, Store, StoreError};

/// The first bytes of every backup file.
pub(crate) const MAGIC: &[u8; 16] = b"carnet-backup/1\n";

/// Associated data of the sealed dump.
const AAD: &[u8] = b"carnet/backup/v1";

/// Everything a store holds but its keyring, as stored (values still sealed), and its record
/// keys.
#[derive(Serialize, Deserialize)]
pub(crate) struct Dump {
    pub(crate) format: u32,
    /// `meta-1` but `format` and `keyring`.
    pub(crate) meta: Vec<(String, Vec<u8>)>,
    pub(crate) changes: Vec<(String, Vec<u8>, Vec<u8>)>,
    pub(crate) docs: Vec<(String, Vec<u8>)>,
    pub(crate) record_keys: Vec<(String, [u8; 32])>,
}

/// Why a backup could not be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The file is not a Carnet backup, or it was damaged.
    #[error("the file is not a Carnet backup, or it is damaged")]
    NotABackup,
    /// The passphrase does not unlock the backup.
    #[error(
        "wrong passphrase (a backup opens with the passphrase its device had when it was made)"
    )]
    WrongPassphrase,
    /// The backup's keyring asks for a key derivation above [`crate::KdfParams::MAX`]
    /// (refused unrun).
    #[error(
        "the backup's keyring asks for a costlier key derivation than Carnet allows (at most 256 MiB, 8 passes, 16 lanes): Carnet did not write this file"
    )]
    Costs,
    /// The store could not be made.
    #[error(transparent)]
    Open(#[from] OpenError),
}

impl From<UnlockError> for RestoreError {
    fn from(e: UnlockError) -> RestoreError {
        match e {
            UnlockError::WrongPassphrase => RestoreError::WrongPassphrase,
            UnlockError::Costs => RestoreError::Costs,
            UnlockError::Damaged => RestoreError::NotABackup,
        }
    }
}

impl From<StoreError> for RestoreError {
    fn from(e: StoreError) -> RestoreError {
        RestoreError::Open(e.into())
    }
}

fn storage<E: Into<redb::Error>>(e: E) -> StoreError {
    StoreError::Storage(e.into())
}

impl Store {
    /// A backup of the whole store: every table read in one transaction (so the copy is
    /// consistent however the store is used meanwhile) and the record keys, sealed under the
    /// data key behind the store's keyring. Held in memory while it is made.
    pub fn backup(&self) -> Result<Vec<u8>, StoreError> {
        let db = self.db()?;
        let tx = db.begin_read().map_err(storage)?;
        let mut keyring = Vec::new();
        let mut dump = Dump {
            format: FORMAT,
            meta: Vec::new(),
            changes: Vec::new(),
            docs: Vec::new(),
            record_keys: self.record_key_entries(),
        };
        for item in tx
            .open_table(META)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (k, v) = item.map_err(storage)?;
            match k.value() {
                // An open store is of this format (`Store::open` migrated it).
                "format" => {}
                "keyring" => keyring = v.value().to_vec(),
                name => dump.meta.push((name.to_owned(), v.value().to_vec())),
            }
        }
        for item in tx
            .open_table(CHANGES)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (k, v) = item.map_err(storage)?;
            let (doc, hash) = k.value();
            dump.changes
                .push((doc.to_owned(), hash.to_vec(), v.value().to_vec()));
        }
        for item in tx
            .open_table(DOCS)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (k, v) = item.map_err(storage)?;
            dump.docs.push((k.value().to_owned(), v.value().to_vec()));
        }
        let plain = Zeroizing::new(postcard::to_allocvec(&dump).map_err(|_| StoreError::Random)?);
        let sealed = self
            .data_key
            .seal(AAD, &plain)
            .map_err(|_| StoreError::Random)?;
        let mut out = Vec::with_capacity(MAGIC.len() + 4 + keyring.len() + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(keyring.len() as u32).to_be_bytes());
        out.extend_from_slice(&keyring);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Makes a new store at `path` from `backup`, unlocked by `passphrase` (the one the
    /// backed-up device had), holding `device_secret` instead of the backed-up device's key,
    /// which it returns. The data key, and so every sealed value, stays the same; the keyring
    /// is wrapped again (new salt). The record keys are written first, then the store, in one
    /// transaction.
    pub fn restore(
        path: &Path,
        backup: &[u8],
        passphrase: &[u8],
        device_secret: &[u8; 32],
    ) -> Result<(Store, Zeroizing<[u8; 32]>), RestoreError> {
        if path.exists() {
            return Err(OpenError::Exists.into());
        }
        let (keyring, keys, dump) = open_backup(backup, passphrase)?;
        let old_secret = keys.device_secret;
        let keys = Unlocked {
            data_key: SecretKey::from_bytes(*keys.data_key.bytes()),
            device_secret: Zeroizing::new(*device_secret),
        };
        let keyring = keyring
            .rewrap(&keys, passphrase)
            .map_err(|_| OpenError::Random)?;

        let place = Place::File(path.to_path_buf());
        let record_keys = RecordKeys::from_entries(dump.record_keys);
        record_keys
            .save(
                &Default::default(),
                &KeysPlace::beside(path),
                &keys.data_key,
            )
            .map_err(OpenError::Keys)?;
        let db = builder().create(path).map_err(open_err)?;
        let tx = db.begin_write().map_err(open_err)?;
        {
            let mut meta = tx.open_table(META).map_err(open_err)?;
            meta.insert("format", dump.format.to_be_bytes().as_slice())
                .map_err(open_err)?;
            meta.insert("keyring", keyring.to_bytes().as_slice())
                .map_err(open_err)?;
            for (k, v) in &dump.meta {
                meta.insert(k.as_str(), v.as_slice()).map_err(open_err)?;
            }
            let mut changes = tx.open_table(CHANGES).map_err(open_err)?;
            for (doc, hash, v) in &dump.changes {
                changes
                    .insert((doc.as_str(), hash.as_slice()), v.as_slice())
                    .map_err(open_err)?;
            }
            let mut docs = tx.open_table(DOCS).map_err(open_err)?;
            for (doc, v) in &dump.docs {
                docs.insert(doc.as_str(), v.as_slice()).map_err(open_err)?;
            }
        }
        tx.commit().map_err(open_err)?;
        let store = Store::finish_open(db, place, keys, dump.format)?;
        Ok((store, old_secret))
    }
}

/// A backup file's keyring and the sealed rest, as its header divides them.
pub(crate) fn split_backup(backup: &[u8]) -> Result<(Keyring, &[u8]), RestoreError> {
    let rest = backup
        .strip_prefix(MAGIC.as_slice())
        .ok_or(RestoreError::NotABackup)?;
    let (len, rest) = rest.split_at_checked(4).ok_or(RestoreError::NotABackup)?;
    let len = u32::from_be_bytes(len.try_into().map_err(|_| RestoreError::NotABackup)?);
    let (keyring, sealed) = rest
        .split_at_checked(len as usize)
        .ok_or(RestoreError::NotABackup)?;
    let keyring = Keyring::from_bytes(keyring).ok_or(RestoreError::NotABackup)?;
    Ok((keyring, sealed))
}

/// What a backup holds, unlocked by `passphrase`: its keyring, its keys and its dump. Writes
/// nothing: [`Store::restore`] reads a backup through this, then makes the store.
pub(crate) fn open_backup(
    backup: &[u8],
    passphrase: &[u8],
) -> Result<(Keyring, Unlocked, Dump), RestoreError> {
    let (keyring, sealed) = split_backup(backup)?;
    let keys = keyring.unlock(passphrase)?;
    let plain = keys
        .data_key
        .open(AAD, sealed)
        .map_err(|_| RestoreError::NotABackup)?;
    let dump: Dump = postcard::from_bytes(&plain).map_err(|_| RestoreError::NotABackup)?;
    if dump.format > FORMAT {
        return Err(OpenError::Newer(dump.format).into());
    }
    Ok((keyring, keys, dump))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KdfParams;

    #[test]
    fn a_backup_is_sealed_and_restores_every_value_under_a_new_device_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        let store =
            Store::create_with(&path, b"pw", &[1; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        let mut batch = store.write().unwrap();
        batch.put_doc("member/x/per", b"CANARY-per").unwrap();
        batch
            .put_change("member/x/com", &[2; 32], b"CANARY-com")
            .unwrap();
        batch.put_info("org", b"CANARY-org").unwrap();
        batch.commit().unwrap();
        let backup = store.backup().unwrap();
        assert!(backup.starts_with(MAGIC));
        assert!(!backup.windows(6).any(|w| w == b"CANARY"));
        assert!(
            !backup.windows(12).any(|w| w == b"member/x/per"),
            "ids are sealed too"
        );
        assert!(
            !backup.windows(32).any(|w| w == [1; 32]),
            "device secret in the clear"
        );

        let other = dir.path().join("restored").join("c.redb");
        std::fs::create_dir_all(other.parent().unwrap()).unwrap();
        assert!(matches!(
            Store::restore(&other, &backup, b"nope", &[9; 32]),
            Err(RestoreError::WrongPassphrase)
        ));
        let mut cut = backup.clone();
        cut.truncate(backup.len() - 1);
        assert!(matches!(
            Store::restore(&other, &cut, b"pw", &[9; 32]),
            Err(RestoreError::NotABackup)
        ));
        assert!(!other.exists(), "a refused backup makes no store");
        let (restored, old) = Store::restore(&other, &backup, b"pw", &[9; 32]).unwrap();
        assert_eq!(*old, [1; 32]);
        assert_eq!(restored.device_secret(), &[9; 32]);
        assert!(restored.has_record_key("x"));
        let read = |s: &Store, d: &str| s.doc(d).unwrap().unwrap().unwrap().to_vec();
        assert_eq!(read(&restored, "member/x/per"), b"CANARY-per");
        assert_eq!(restored.changes("member/x/com").unwrap().len(), 1);
        assert_eq!(
            restored.info("org").unwrap().unwrap().unwrap().as_slice(),
            b"CANARY-org"
        );
        drop(restored);
        let reopened = Store::open(&other, b"pw").unwrap();
        assert_eq!(reopened.device_secret(), &[9; 32]);
        assert_eq!(read(&reopened, "member/x/per"), b"CANARY-per");
        assert!(matches!(
            Store::restore(&other, &backup, b"pw", &[9; 32]),
            Err(RestoreError::Open(OpenError::Exists))
        ));
    }

    /// `carnet restore FILE` reads a file anyone can have written: its keyring's argon2id
    /// costs used to be derived as the file asked (4 TiB of memory here: the process aborts).
    #[test]
    fn a_backup_asking_for_unbounded_key_derivation_is_refused_unrun() {
        let memory = crate::Memory::new();
        let store = Store::create_in_memory(&memory, b"pw", &[1; 32]).unwrap();
        let backup = store.backup().unwrap();
        let (keyring, sealed) = split_backup(&backup).unwrap();
        let hostile = keyring
            .with_kdf(KdfParams {
                m_kib: u32::MAX,
                t: u32::MAX,
                p: 1,
            })
            .to_bytes();
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&(hostile.len() as u32).to_be_bytes());
        file.extend_from_slice(&hostile);
        file.extend_from_slice(sealed);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        assert!(matches!(
            Store::restore(&path, &file, b"pw", &[9; 32]),
            Err(RestoreError::Costs)
        ));
        assert!(!path.exists());
        // The same file with its own costs restores.
        assert!(Store::restore(&path, &backup, b"pw", &[9; 32]).is_ok());
    }
}
