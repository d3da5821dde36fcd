//! The redb file: tables, opening and unlocking, sealed reads and atomic write batches.

use std::collections::BTreeMap;
use std::path::Path;

use redb::{
    Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction,
};
use zeroize::Zeroizing;

use crate::crypto::{SealError, SecretKey};
use crate::keyring::{KdfParams, Keyring, UnlockError};
use crate::memory::Memory;
use crate::record_keys::{KeysError, KeysPlace, RecordKeys, personal_record};

/// Plain metadata: `format` (u32 BE), `keyring` (wrapped keys); other names hold sealed values.
pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
/// (document id, change hash) → sealed signed change.
pub(crate) const CHANGES: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("changes-1");
/// document id → sealed document state (heads and field projection).
pub(crate) const DOCS: TableDefinition<&str, &[u8]> = TableDefinition::new("docs-1");

/// The format this version writes. Migrations from older formats run in [`Store::open`].
/// 2: personal documents sealed under their record's key (`record_keys.rs`).
pub(crate) const FORMAT: u32 = 2;

/// Why a store could not be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// There is no store at that path.
    #[error("no Carnet store here; run `carnet init` first")]
    NotFound,
    /// A store already exists at that path.
    #[error("a Carnet store already exists here")]
    Exists,
    /// Another process has the store open.
    #[error("the store is in use by another carnet process (is `carnet serve` running?)")]
    InUse,
    /// The passphrase does not unlock the keyring.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The file is not a Carnet store, or its keyring is damaged.
    #[error("the file is not a Carnet store or its keyring is damaged")]
    NotAStore,
    /// The keyring asks for a key derivation above [`KdfParams::MAX`] (refused unrun).
    #[error(
        "the store's keyring asks for a costlier key derivation than Carnet allows (at most 256 MiB, 8 passes, 16 lanes): Carnet did not write it; the file was altered"
    )]
    Costs,
    /// The store was written by a newer version of Carnet.
    #[error("the store was written by a newer version of Carnet (format {0}); upgrade carnet")]
    Newer(u32),
    /// The operating system's random source failed.
    #[error("the system random source failed")]
    Random,
    /// The record key file beside the store could not be read.
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// The file could not be read or written.
    #[error("storage error")]
    Storage(#[from] redb::Error),
}

impl From<UnlockError> for OpenError {
    fn from(e: UnlockError) -> OpenError {
        match e {
            UnlockError::WrongPassphrase => OpenError::WrongPassphrase,
            UnlockError::Costs => OpenError::Costs,
            UnlockError::Damaged => OpenError::NotAStore,
        }
    }
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> OpenError {
        match e {
            StoreError::Storage(e) => OpenError::Storage(e),
            StoreError::Keys(e) => OpenError::Keys(e),
            StoreError::Random => OpenError::Random,
            StoreError::Suspended => OpenError::InUse,
        }
    }
}

/// Why reading or writing an open store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be read or written.
    #[error("storage error")]
    Storage(#[from] redb::Error),
    /// The operating system's random source failed (needed for nonces).
    #[error("the system random source failed")]
    Random,
    /// The store is suspended while another process uses the file.
    #[error("the store is lent to another carnet command for a moment")]
    Suspended,
    /// The record key file beside the store could not be read or written.
    #[error(transparent)]
    Keys(#[from] KeysError),
}

fn storage<E: Into<redb::Error>>(e: E) -> StoreError {
    StoreError::Storage(e.into())
}

/// redb's page cache (read cache and write buffer together). redb's default, 1 GiB, let a
/// device holding 10,000 members grow past 1 GB while syncing; a phone cannot spare that.
/// Measured in `docs/performance.md`.
pub(crate) const CACHE_BYTES: usize = 64 * 1024 * 1024;

pub(crate) fn builder() -> redb::Builder {
    let mut b = Database::builder();
    b.set_cache_size(CACHE_BYTES);
    b
}

pub(crate) fn open_err<E: Into<redb::Error>>(e: E) -> OpenError {
    match e.into() {
        redb::Error::DatabaseAlreadyOpen => OpenError::InUse,
        other => OpenError::Storage(other),
    }
}

/// Where a store's bytes live.
pub(crate) enum Place {
    /// A redb file (every real device).
    File(std::path::PathBuf),
    /// Memory (tests and simulations: `memory.rs`).
    Memory(Memory),
}

impl Place {
    fn keys(&self) -> KeysPlace {
        match self {
            Place::File(path) => KeysPlace::beside(path),
            Place::Memory(memory) => KeysPlace::Memory(memory.keys()),
        }
    }

    fn open(&self) -> Result<Database, OpenError> {
        match self {
            Place::File(path) => builder().open(path).map_err(open_err),
            Place::Memory(memory) => {
                let backend = memory.backend().ok_or(OpenError::InUse)?;
                builder().create_with_backend(backend).map_err(open_err)
            }
        }
    }
}

/// A value read back: its bytes, or the fact that it failed authentication.
pub type StoredValue = Result<Zeroizing<Vec<u8>>, SealError>;

/// An open, unlocked store.
pub struct Store {
    /// The open file; `None` while suspended (see [`Store::suspend`]).
    pub(crate) db: Option<Database>,
    pub(crate) place: Place,
    pub(crate) data_key: SecretKey,
    device_secret: Zeroizing<[u8; 32]>,
    /// The keys of records' personal documents (`record_keys.rs`).
    record_keys: std::sync::Mutex<RecordKeys>,
}

fn aad(table: &str, key: &[&[u8]]) -> Vec<u8> {
    let mut out = b"carnet/store/v1\0".to_vec();
    out.extend_from_slice(table.as_bytes());
    for part in key {
        out.push(0);
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// The keyring and format of an open database.
fn read_keyring(db: &impl ReadableDatabase) -> Result<(Keyring, u32), OpenError> {
    let tx = db.begin_read().map_err(open_err)?;
    let meta = tx.open_table(META).map_err(|_| OpenError::NotAStore)?;
    let format = meta
        .get("format")
        .map_err(open_err)?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_be_bytes)
        .ok_or(OpenError::NotAStore)?;
    let keyring = meta
        .get("keyring")
        .map_err(open_err)?
        .and_then(|v| Keyring::from_bytes(v.value()))
        .ok_or(OpenError::NotAStore)?;
    Ok((keyring, format))
}

impl Store {
    /// Creates a new store at `path` holding `device_secret`, locked by `passphrase`
    /// (argon2id with RFC 9106's second option).
    pub fn create(
        path: &Path,
        passphrase: &[u8],
        device_secret: &[u8; 32],
    ) -> Result<Store, OpenError> {
        Self::create_with(path, passphrase, device_secret, KdfParams::RFC9106_SECOND)
    }

    pub(crate) fn create_with(
        path: &Path,
        passphrase: &[u8],
        device_secret: &[u8; 32],
        kdf: KdfParams,
    ) -> Result<Store, OpenError> {
        if path.exists() {
            return Err(OpenError::Exists);
        }
        let (keyring, keys) =
            Keyring::create(passphrase, device_secret, kdf).map_err(|_| OpenError::Random)?;
        let db = builder().create(path).map_err(open_err)?;
        Self::init(db, Place::File(path.to_path_buf()), &keyring, keys)
    }

    /// Creates a new store in `memory` (which must be empty) holding `device_secret`, locked by
    /// `passphrase` with [`KdfParams::INSECURE_FOR_TESTS`]: in-memory stores are for tests and
    /// simulations, which open thousands of them. Everything else is as [`Store::create`].
    pub fn create_in_memory(
        memory: &Memory,
        passphrase: &[u8],
        device_secret: &[u8; 32],
    ) -> Result<Store, OpenError> {
        if !memory.is_empty() {
            return Err(OpenError::Exists);
        }
        let (keyring, keys) =
            Keyring::create(passphrase, device_secret, KdfParams::INSECURE_FOR_TESTS)
                .map_err(|_| OpenError::Random)?;
        let place = Place::Memory(memory.clone());
        let db = place.open()?;
        Self::init(db, place, &keyring, keys)
    }

    /// Writes the format and keyring of a new store.
    fn init(
        db: Database,
        place: Place,
        keyring: &Keyring,
        keys: crate::keyring::Unlocked,
    ) -> Result<Store, OpenError> {
        let tx = db.begin_write().map_err(open_err)?;
        {
            let mut meta = tx.open_table(META).map_err(open_err)?;
            meta.insert("format", FORMAT.to_be_bytes().as_slice())
                .map_err(open_err)?;
            meta.insert("keyring", keyring.to_bytes().as_slice())
                .map_err(open_err)?;
            tx.open_table(CHANGES).map_err(open_err)?;
            tx.open_table(DOCS).map_err(open_err)?;
        }
        tx.commit().map_err(open_err)?;
        Ok(Store::assemble(db, place, keys, RecordKeys::default()))
    }

    fn assemble(
        db: Database,
        place: Place,
        keys: crate::keyring::Unlocked,
        record_keys: RecordKeys,
    ) -> Store {
        Store {
            db: Some(db),
            place,
            data_key: keys.data_key,
            device_secret: keys.device_secret,
            record_keys: std::sync::Mutex::new(record_keys),
        }
    }

    /// Loads the record keys and brings an older format up to this one.
    pub(crate) fn finish_open(
        db: Database,
        place: Place,
        keys: crate::keyring::Unlocked,
        format: u32,
    ) -> Result<Store, OpenError> {
        let record_keys = RecordKeys::load(&place.keys(), &keys.data_key)?;
        let store = Store::assemble(db, place, keys, record_keys);
        if format < 2 {
            store.migrate_to_record_keys()?;
        }
        Ok(store)
    }

    /// Format 1 → 2: every personal document's values, sealed under the data key, are sealed
    /// again under their record's new key, in one transaction.
    fn migrate_to_record_keys(&self) -> Result<(), StoreError> {
        let mut batch = self.write()?;
        let mut docs: Vec<(String, Zeroizing<Vec<u8>>)> = Vec::new();
        let mut changes: Vec<(String, [u8; 32], Zeroizing<Vec<u8>>)> = Vec::new();
        {
            let table = batch.tx.open_table(DOCS).map_err(storage)?;
            for item in table.iter().map_err(storage)? {
                let (k, v) = item.map_err(storage)?;
                let doc = k.value();
                if personal_record(doc).is_some()
                    && let Ok(plain) = self
                        .data_key
                        .open(&aad("docs-1", &[doc.as_bytes()]), v.value())
                {
                    docs.push((doc.to_owned(), plain));
                }
            }
            let table = batch.tx.open_table(CHANGES).map_err(storage)?;
            for item in table.iter().map_err(storage)? {
                let (k, v) = item.map_err(storage)?;
                let (doc, hash) = k.value();
                if personal_record(doc).is_some()
                    && let (Ok(plain), Ok(h)) = (
                        self.data_key
                            .open(&aad("changes-1", &[doc.as_bytes(), hash]), v.value()),
                        <[u8; 32]>::try_from(hash),
                    )
                {
                    changes.push((doc.to_owned(), h, plain));
                }
            }
        }
        for (doc, plain) in &docs {
            batch.put_doc(doc, plain)?;
        }
        for (doc, hash, plain) in &changes {
            batch.put_change(doc, hash, plain)?;
        }
        {
            let mut meta = batch.tx.open_table(META).map_err(storage)?;
            meta.insert("format", FORMAT.to_be_bytes().as_slice())
                .map_err(storage)?;
        }
        batch.commit()
    }

    /// Opens and unlocks the store in `memory`, as [`Store::open`] does a file (a second handle
    /// on the same memory is what a second process is to the file). Fails with
    /// [`OpenError::InUse`] while another store holds it.
    pub fn open_in_memory(memory: &Memory, passphrase: &[u8]) -> Result<Store, OpenError> {
        if memory.is_empty() {
            return Err(OpenError::NotFound);
        }
        let place = Place::Memory(memory.clone());
        let db = place.open()?;
        let (keyring, format) = read_keyring(&db)?;
        if format > FORMAT {
            return Err(OpenError::Newer(format));
        }
        let keys = keyring.unlock(passphrase).map_err(OpenError::from)?;
        Store::finish_open(db, place, keys, format)
    }

    /// Opens and unlocks the store at `path`. With a wrong passphrase nothing is written.
    pub fn open(path: &Path, passphrase: &[u8]) -> Result<Store, OpenError> {
        if !path.exists() {
            return Err(OpenError::NotFound);
        }
        // Check the passphrase on a read-only handle first, so that a wrong one touches nothing.
        // A file left by a process that was killed needs redb's repair, which only a writable
        // handle does: then open it writable (the repair touches no content) and check there.
        let mut writable = None;
        let (keyring, format) = match ReadOnlyDatabase::open(path) {
            Ok(ro) => read_keyring(&ro)?,
            Err(redb::DatabaseError::RepairAborted) => {
                let db = builder().open(path).map_err(open_err)?;
                let found = read_keyring(&db)?;
                writable = Some(db);
                found
            }
            Err(e) => return Err(open_err(e)),
        };
        if format > FORMAT {
            return Err(OpenError::Newer(format));
        }
        let keys = keyring.unlock(passphrase).map_err(OpenError::from)?;
        let db = match writable {
            Some(db) => db,
            None => builder().open(path).map_err(open_err)?,
        };
        // Each later format adds its step in `finish_open`, in one write transaction.
        Store::finish_open(db, Place::File(path.to_path_buf()), keys, format)
    }

    pub(crate) fn db(&self) -> Result<&Database, StoreError> {
        self.db.as_ref().ok_or(StoreError::Suspended)
    }

    /// Closes the file (releasing its lock for another process) while keeping the keys in
    /// memory; [`Store::resume`] reopens it without asking for the passphrase again.
    pub fn suspend(&mut self) {
        self.db = None;
    }

    /// Compacts the file: live pages move into freed ones and the end is cut off. A freed page
    /// compaction does not need keeps what it held: to leave no deleted value in any page (an
    /// erasure), use [`Store::rewrite`]. Slow on a large store; not after every write.
    pub fn compact(&mut self) -> Result<(), StoreError> {
        let db = self.db.as_mut().ok_or(StoreError::Suspended)?;
        // redb compacts in passes; a pass that moved nothing means done.
        while db.compact().map_err(storage)? {}
        Ok(())
    }

    /// Reopens the file (or memory) after [`Store::suspend`].
    pub fn resume(&mut self) -> Result<(), OpenError> {
        if self.db.is_none() {
            self.db = Some(self.place.open()?);
            // The process that borrowed the store may have added record keys (or destroyed
            // some, erasing a person).
            let keys = RecordKeys::load(&self.place.keys(), &self.data_key)?;
            *self.keys_mut() = keys;
        }
        Ok(())
    }

    fn keys_mut(&self) -> std::sync::MutexGuard<'_, RecordKeys> {
        self.record_keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Destroys the keys of `records`' personal documents (an erasure): their values, wherever
    /// redb keeps them, can no longer be opened by anyone, and the key file no longer holds
    /// them. Returns whether any key was held.
    pub fn destroy_record_keys(&mut self, records: &[&str]) -> Result<bool, StoreError> {
        let mut keys = self.keys_mut();
        if !keys.remove(records) {
            return Ok(false);
        }
        keys.save(&Default::default(), &self.place.keys(), &self.data_key)?;
        Ok(true)
    }

    /// Destroys the keys of every record's personal documents (a revoked device forgetting
    /// everything it may no longer read). Returns whether any key was held.
    pub fn destroy_all_record_keys(&mut self) -> Result<bool, StoreError> {
        let mut keys = self.keys_mut();
        if !keys.clear() {
            return Ok(false);
        }
        keys.save(&Default::default(), &self.place.keys(), &self.data_key)?;
        Ok(true)
    }

    /// Whether this store holds a key for `record`'s personal documents.
    pub fn has_record_key(&self, record: &str) -> bool {
        self.keys_mut().contains(record)
    }

    /// Every record key held, for a backup.
    pub(crate) fn record_key_entries(&self) -> Vec<(String, [u8; 32])> {
        self.keys_mut().entries()
    }

    /// How many records' keys this store holds.
    pub fn record_key_count(&self) -> usize {
        self.keys_mut().len()
    }

    /// Whether `passphrase` unlocks this store's keyring (read from the open file, so a changed
    /// passphrase is the one checked). Used to unlock a web session again while the store stays
    /// open; takes as long as opening (argon2id).
    pub fn check_passphrase(&self, passphrase: &[u8]) -> Result<bool, OpenError> {
        let db = self.db.as_ref().ok_or(OpenError::InUse)?;
        let (keyring, _) = read_keyring(db)?;
        match keyring.unlock(passphrase) {
            Ok(_) => Ok(true),
            Err(UnlockError::WrongPassphrase) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes the passphrase: the keys are wrapped again under `new` (new salt, same costs)
    /// and the keyring replaced in one transaction, once `old` has unlocked it; then the file
    /// is compacted so that the old keyring's page is less likely to linger. The data key does
    /// not change: a copy of the store made before still opens with the old passphrase
    /// (`docs/storage.md`).
    pub fn change_passphrase(&mut self, old: &[u8], new: &[u8]) -> Result<(), OpenError> {
        let db = self.db.as_ref().ok_or(OpenError::InUse)?;
        let (keyring, _) = read_keyring(db)?;
        let keys = keyring.unlock(old).map_err(OpenError::from)?;
        let rewrapped = keyring.rewrap(&keys, new).map_err(|_| OpenError::Random)?;
        let tx = db.begin_write().map_err(open_err)?;
        {
            let mut meta = tx.open_table(META).map_err(open_err)?;
            meta.insert("keyring", rewrapped.to_bytes().as_slice())
                .map_err(open_err)?;
        }
        tx.commit().map_err(open_err)?;
        Ok(self.compact()?)
    }

    /// The device's secret key bytes.
    pub fn device_secret(&self) -> &[u8; 32] {
        &self.device_secret
    }

    fn open_value(&self, table: &str, key: &[&[u8]], sealed: &[u8]) -> StoredValue {
        self.data_key.open(&aad(table, key), sealed)
    }

    /// Opens a value of document `doc`: under its record's key if the document is personal (a
    /// destroyed key opens nothing), else under the data key.
    fn open_doc_value(&self, table: &str, doc: &str, key: &[&[u8]], sealed: &[u8]) -> StoredValue {
        match personal_record(doc) {
            Some(record) => match self.keys_mut().get(record) {
                Some(k) => k.open(&aad(table, key), sealed),
                None => Err(SealError),
            },
            None => self.open_value(table, key, sealed),
        }
    }

    /// The state stored for document `doc`, if any.
    pub fn doc(&self, doc: &str) -> Result<Option<StoredValue>, StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(DOCS).map_err(storage)?;
        let value = table.get(doc).map_err(storage)?;
        Ok(value.map(|v| self.open_doc_value("docs-1", doc, &[doc.as_bytes()], v.value())))
    }

    /// A sealed metadata value stored with [`WriteBatch::put_info`].
    pub fn info(&self, name: &str) -> Result<Option<StoredValue>, StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(META).map_err(storage)?;
        let value = table
            .get(format!("info/{name}").as_str())
            .map_err(storage)?;
        Ok(value.map(|v| self.open_value("meta-1", &[name.as_bytes()], v.value())))
    }

    /// Every sealed metadata value whose name starts with `prefix`, in name order (names
    /// without the prefix).
    pub fn infos(&self, prefix: &str) -> Result<Vec<(String, StoredValue)>, StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(META).map_err(storage)?;
        let start = format!("info/{prefix}");
        let mut out = Vec::new();
        for item in table.range(start.as_str()..).map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            let Some(name) = k.value().strip_prefix("info/") else {
                break;
            };
            if !name.starts_with(prefix) {
                break;
            }
            let name = name.to_owned();
            let value = self.open_value("meta-1", &[name.as_bytes()], v.value());
            out.push((name, value));
        }
        Ok(out)
    }

    /// Every document whose id starts with `prefix`, with its stored state, in id order.
    pub fn docs(&self, prefix: &str) -> Result<Vec<(String, StoredValue)>, StoreError> {
        self.docs_where(prefix, &|_| true)
    }

    /// Like [`Store::docs`], for the documents whose id `keep` accepts; the others are never
    /// opened (a list of shared columns does not decrypt personal files).
    pub fn docs_where(
        &self,
        prefix: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<(String, StoredValue)>, StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(DOCS).map_err(storage)?;
        let mut out = Vec::new();
        for item in table.range(prefix..).map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            let key = k.value();
            if !key.starts_with(prefix) {
                break;
            }
            if !keep(key) {
                continue;
            }
            let id = key.to_owned();
            let value = self.open_doc_value("docs-1", &id, &[id.as_bytes()], v.value());
            out.push((id, value));
        }
        Ok(out)
    }

    /// Every change stored for document `doc`, by hash.
    pub fn changes(&self, doc: &str) -> Result<Vec<([u8; 32], StoredValue)>, StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(CHANGES).map_err(storage)?;
        let mut out = Vec::new();
        for item in table.range((doc, [].as_slice())..).map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            let (d, hash) = k.value();
            if d != doc {
                break;
            }
            let value = self.open_doc_value("changes-1", d, &[d.as_bytes(), hash], v.value());
            let hash = <[u8; 32]>::try_from(hash).unwrap_or([0; 32]);
            out.push((hash, value));
        }
        Ok(out)
    }

    /// Reads every sealed document state under `prefix` whose id `keep` accepts, without
    /// opening the seals: the cost of the storage alone, for benchmarks. Returns (values,
    /// bytes).
    pub fn scan_sealed(
        &self,
        prefix: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<(usize, usize), StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(DOCS).map_err(storage)?;
        let (mut n, mut bytes) = (0, 0);
        for item in table.range(prefix..).map_err(storage)? {
            let (k, v) = item.map_err(storage)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            if !keep(k.value()) {
                continue;
            }
            n += 1;
            bytes += v.value().len();
        }
        Ok((n, bytes))
    }

    /// The ids of the documents that have changes stored.
    pub fn docs_with_changes(&self) -> Result<Vec<String>, StoreError> {
        let tx = self.db()?.begin_read().map_err(storage)?;
        let table = tx.open_table(CHANGES).map_err(storage)?;
        let mut out: Vec<String> = Vec::new();
        for item in table.iter().map_err(storage)? {
            let (k, _) = item.map_err(storage)?;
            let (d, _) = k.value();
            if out.last().map(String::as_str) != Some(d) {
                out.push(d.to_owned());
            }
        }
        Ok(out)
    }

    /// Starts a batch of writes, applied all together by [`WriteBatch::commit`] or not at all.
    pub fn write(&self) -> Result<WriteBatch<'_>, StoreError> {
        Ok(WriteBatch {
            store: self,
            tx: self.db()?.begin_write().map_err(storage)?,
            new_keys: BTreeMap::new(),
        })
    }
}

/// Writes applied together or not at all (one redb write transaction).
pub struct WriteBatch<'a> {
    store: &'a Store,
    tx: WriteTransaction,
    /// Keys made for records whose first personal value this batch writes; saved to the key
    /// file before the transaction commits.
    new_keys: BTreeMap<String, Zeroizing<[u8; 32]>>,
}

impl WriteBatch<'_> {
    fn seal(&self, table: &str, key: &[&[u8]], value: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.store
            .data_key
            .seal(&aad(table, key), value)
            .map_err(|_| StoreError::Random)
    }

    /// Seals a value of document `doc`: under its record's key if the document is personal
    /// (made now if the record has none yet), else under the data key.
    fn seal_doc(
        &mut self,
        table: &str,
        doc: &str,
        key: &[&[u8]],
        value: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let Some(record) = personal_record(doc) else {
            return self.seal(table, key, value);
        };
        let k = match self.store.keys_mut().get(record) {
            Some(k) => k,
            None => {
                let fresh = self.new_keys.entry(record.to_owned()).or_insert_with(|| {
                    Zeroizing::new(SecretKey::random().map(|k| *k.bytes()).unwrap_or_default())
                });
                if **fresh == [0; 32] {
                    return Err(StoreError::Random);
                }
                SecretKey::from_bytes(**fresh)
            }
        };
        k.seal(&aad(table, key), value)
            .map_err(|_| StoreError::Random)
    }

    /// Stores a sealed metadata value (read back with [`Store::info`]).
    pub fn put_info(&mut self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let sealed = self.seal("meta-1", &[name.as_bytes()], value)?;
        let mut table = self.tx.open_table(META).map_err(storage)?;
        table
            .insert(format!("info/{name}").as_str(), sealed.as_slice())
            .map_err(storage)?;
        Ok(())
    }

    /// Removes a metadata value (nothing happens when there is none).
    pub fn delete_info(&mut self, name: &str) -> Result<(), StoreError> {
        let mut table = self.tx.open_table(META).map_err(storage)?;
        table
            .remove(format!("info/{name}").as_str())
            .map_err(storage)?;
        Ok(())
    }

    /// Stores (sealed) the state of document `doc`.
    pub fn put_doc(&mut self, doc: &str, state: &[u8]) -> Result<(), StoreError> {
        let sealed = self.seal_doc("docs-1", doc, &[doc.as_bytes()], state)?;
        let mut table = self.tx.open_table(DOCS).map_err(storage)?;
        table.insert(doc, sealed.as_slice()).map_err(storage)?;
        Ok(())
    }

    /// Stores (sealed) a signed change of document `doc` under its hash.
    pub fn put_change(
        &mut self,
        doc: &str,
        hash: &[u8; 32],
        change: &[u8],
    ) -> Result<(), StoreError> {
        let sealed = self.seal_doc("changes-1", doc, &[doc.as_bytes(), hash], change)?;
        let mut table = self.tx.open_table(CHANGES).map_err(storage)?;
        table
            .insert((doc, hash.as_slice()), sealed.as_slice())
            .map_err(storage)?;
        Ok(())
    }

    /// Removes one change of document `doc` (a waiting or rejected change over the bounds a
    /// device keeps, or a revoked device's waiting change).
    pub fn delete_change(&mut self, doc: &str, hash: &[u8; 32]) -> Result<(), StoreError> {
        let mut table = self.tx.open_table(CHANGES).map_err(storage)?;
        table.remove((doc, hash.as_slice())).map_err(storage)?;
        Ok(())
    }

    /// Removes document `doc`: its state and every change of it (a device that may no longer
    /// read its class, or an erasure).
    pub fn delete_doc(&mut self, doc: &str) -> Result<(), StoreError> {
        {
            let mut table = self.tx.open_table(DOCS).map_err(storage)?;
            table.remove(doc).map_err(storage)?;
        }
        let mut table = self.tx.open_table(CHANGES).map_err(storage)?;
        let hashes: Vec<Vec<u8>> = table
            .range((doc, [].as_slice())..)
            .map_err(storage)?
            .map_while(|item| {
                let (k, _) = item.ok()?;
                let (d, h) = k.value();
                (d == doc).then(|| h.to_vec())
            })
            .collect();
        for h in hashes {
            table.remove((doc, h.as_slice())).map_err(storage)?;
        }
        Ok(())
    }

    /// Applies every write of the batch, durably. New record keys reach the key file first:
    /// a crash in between leaves a key for nothing, never a value without its key.
    pub fn commit(self) -> Result<(), StoreError> {
        if self.new_keys.is_empty() {
            return self.tx.commit().map_err(storage);
        }
        let mut keys = self.store.keys_mut();
        keys.save(
            &self.new_keys,
            &self.store.place.keys(),
            &self.store.data_key,
        )?;
        self.tx.commit().map_err(storage)?;
        keys.extend(self.new_keys);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_store(dir: &tempfile::TempDir) -> (std::path::PathBuf, Store) {
        let path = dir.path().join("c.redb");
        let store =
            Store::create_with(&path, b"pw", &[1; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        (path, store)
    }

    /// Someone with the disk (not the passphrase) rewrites the keyring's costs: opening used to
    /// derive them as written (4 TiB asked of argon2id: the process aborts). Refused unrun,
    /// with nothing written.
    #[test]
    fn a_keyring_rewritten_to_unbounded_costs_is_refused_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let (path, store) = new_store(&dir);
        drop(store);
        let db = builder().open(&path).unwrap();
        let (keyring, _) = read_keyring(&db).unwrap();
        let hostile = keyring.with_kdf(KdfParams {
            m_kib: u32::MAX,
            ..KdfParams::INSECURE_FOR_TESTS
        });
        let tx = db.begin_write().unwrap();
        tx.open_table(META)
            .unwrap()
            .insert("keyring", hostile.to_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
        drop(db);
        assert!(matches!(Store::open(&path, b"pw"), Err(OpenError::Costs)));
        assert!(matches!(Store::open(&path, b"no"), Err(OpenError::Costs)));
    }

    #[test]
    fn values_survive_reopening_and_are_not_in_the_clear() {
        let dir = tempfile::tempdir().unwrap();
        let (path, store) = new_store(&dir);
        let mut batch = store.write().unwrap();
        batch.put_doc("member/x/per", b"CANARY-doc").unwrap();
        batch
            .put_change("member/x/per", &[2; 32], b"CANARY-change")
            .unwrap();
        batch
            .put_change("member/y/per", &[3; 32], b"other")
            .unwrap();
        batch.put_doc("project/z/pub", b"p").unwrap();
        batch.put_info("org", b"CANARY-org").unwrap();
        batch.commit().unwrap();
        drop(store);
        let raw = std::fs::read(&path).unwrap();
        assert!(!raw.windows(6).any(|w| w == b"CANARY"));
        assert!(
            !raw.windows(32).any(|w| w == [1; 32]),
            "device secret in the clear"
        );
        let store = Store::open(&path, b"pw").unwrap();
        assert_eq!(store.device_secret(), &[1; 32]);
        assert_eq!(
            store
                .doc("member/x/per")
                .unwrap()
                .unwrap()
                .unwrap()
                .as_slice(),
            b"CANARY-doc"
        );
        let changes = store.changes("member/x/per").unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].0, [2; 32]);
        assert_eq!(
            store.docs_with_changes().unwrap(),
            vec!["member/x/per", "member/y/per"]
        );
        let members: Vec<String> = store
            .docs("member/")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(members, vec!["member/x/per"]);
        assert_eq!(
            store.info("org").unwrap().unwrap().unwrap().as_slice(),
            b"CANARY-org"
        );
        assert!(store.info("nothing").unwrap().is_none());
    }

    #[test]
    fn a_changed_passphrase_opens_the_store_and_the_old_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut store) = new_store(&dir);
        let mut batch = store.write().unwrap();
        batch.put_doc("member/x/per", b"kept").unwrap();
        batch.commit().unwrap();
        assert!(matches!(
            store.change_passphrase(b"not it", b"new passphrase"),
            Err(OpenError::WrongPassphrase)
        ));
        assert!(store.check_passphrase(b"pw").unwrap(), "nothing changed");
        store.change_passphrase(b"pw", b"new passphrase").unwrap();
        assert!(!store.check_passphrase(b"pw").unwrap());
        assert!(store.check_passphrase(b"new passphrase").unwrap());
        drop(store);
        assert!(matches!(
            Store::open(&path, b"pw"),
            Err(OpenError::WrongPassphrase)
        ));
        let store = Store::open(&path, b"new passphrase").unwrap();
        assert_eq!(store.device_secret(), &[1; 32]);
        let doc = store.doc("member/x/per").unwrap().unwrap().unwrap();
        assert_eq!(doc.as_slice(), b"kept");
    }

    #[test]
    fn deleting_a_document_removes_its_changes_only() {
        let dir = tempfile::tempdir().unwrap();
        let (_, store) = new_store(&dir);
        let mut batch = store.write().unwrap();
        batch.put_doc("member/x/per", b"s").unwrap();
        batch.put_change("member/x/per", &[2; 32], b"c").unwrap();
        batch.put_change("member/x/pes", &[2; 32], b"c").unwrap();
        batch.commit().unwrap();
        let mut batch = store.write().unwrap();
        batch.delete_doc("member/x/per").unwrap();
        batch.commit().unwrap();
        assert!(store.doc("member/x/per").unwrap().is_none());
        assert!(store.changes("member/x/per").unwrap().is_empty());
        assert_eq!(store.changes("member/x/pes").unwrap().len(), 1);
    }

    #[test]
    fn a_suspended_store_lets_another_handle_open_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut store) = new_store(&dir);
        store.suspend();
        assert!(matches!(store.doc("a"), Err(StoreError::Suspended)));
        {
            let other = Store::open(&path, b"pw").unwrap();
            let mut batch = other.write().unwrap();
            batch.put_doc("a", b"from the other").unwrap();
            batch.commit().unwrap();
        }
        store.resume().unwrap();
        assert_eq!(
            store.doc("a").unwrap().unwrap().unwrap().as_slice(),
            b"from the other"
        );
    }

    #[test]
    fn a_store_in_memory_is_held_once_lent_and_reopened_like_a_file() {
        let memory = Memory::new();
        assert!(matches!(
            Store::open_in_memory(&memory, b"pw"),
            Err(OpenError::NotFound)
        ));
        let mut store = Store::create_in_memory(&memory, b"pw", &[1; 32]).unwrap();
        assert!(matches!(
            Store::create_in_memory(&memory, b"pw", &[1; 32]),
            Err(OpenError::Exists)
        ));
        let mut batch = store.write().unwrap();
        batch.put_doc("a", b"CANARY-first").unwrap();
        batch.commit().unwrap();
        // Held: a second handle is refused, as a second process is by the file lock.
        assert!(matches!(
            Store::open_in_memory(&memory, b"pw"),
            Err(OpenError::InUse)
        ));
        // Lent: suspended, another handle writes, the first resumes and sees it.
        store.suspend();
        assert!(!memory.is_held());
        {
            assert!(matches!(
                Store::open_in_memory(&memory, b"nope"),
                Err(OpenError::WrongPassphrase)
            ));
            let other = Store::open_in_memory(&memory, b"pw").unwrap();
            let mut batch = other.write().unwrap();
            batch.put_doc("b", b"from the other").unwrap();
            batch.commit().unwrap();
        }
        store.resume().unwrap();
        assert_eq!(
            store.doc("b").unwrap().unwrap().unwrap().as_slice(),
            b"from the other"
        );
        // Restarted: dropped and reopened from the same bytes.
        drop(store);
        let raw = memory.bytes();
        assert!(!raw.windows(6).any(|w| w == b"CANARY"));
        let store = Store::open_in_memory(&memory, b"pw").unwrap();
        assert_eq!(store.device_secret(), &[1; 32]);
        assert_eq!(
            store.doc("a").unwrap().unwrap().unwrap().as_slice(),
            b"CANARY-first"
        );
    }

    /// Regression: the file of a process killed while the store was open needs redb's repair,
    /// which the read-only passphrase check cannot do: the store never opened again.
    #[test]
    fn a_store_left_open_by_a_killed_process_opens_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let (path, store) = new_store(&dir);
        let mut batch = store.write().unwrap();
        batch.put_doc("a", b"kept").unwrap();
        batch.commit().unwrap();
        // A copy taken while the store is open is what a killed process leaves behind.
        let crashed = dir.path().join("crashed.redb");
        std::fs::copy(&path, &crashed).unwrap();
        drop(store);
        assert!(
            matches!(
                ReadOnlyDatabase::open(&crashed),
                Err(redb::DatabaseError::RepairAborted)
            ),
            "the copy should need repair, as a killed process's file does"
        );
        assert!(matches!(
            Store::open(&crashed, b"nope"),
            Err(OpenError::WrongPassphrase)
        ));
        let reopened = Store::open(&crashed, b"pw").unwrap();
        assert_eq!(
            reopened.doc("a").unwrap().unwrap().unwrap().as_slice(),
            b"kept"
        );
    }

    #[test]
    fn a_dropped_batch_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (_, store) = new_store(&dir);
        let mut batch = store.write().unwrap();
        batch.put_doc("a", b"1").unwrap();
        drop(batch);
        assert!(store.doc("a").unwrap().is_none());
    }

    #[test]
    fn wrong_passphrase_and_missing_store_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (path, store) = new_store(&dir);
        drop(store);
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(
            Store::open(&path, b"nope"),
            Err(OpenError::WrongPassphrase)
        ));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "a wrong passphrase must touch nothing"
        );
        assert!(matches!(
            Store::open(&dir.path().join("none"), b"pw"),
            Err(OpenError::NotFound)
        ));
        assert!(matches!(
            Store::create(&path, b"pw", &[0; 32]),
            Err(OpenError::Exists)
        ));
    }

    #[test]
    fn destroying_a_record_key_makes_its_personal_values_unreadable_for_good() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut store) = new_store(&dir);
        let mut batch = store.write().unwrap();
        batch.put_doc("member/x/per", b"x's file").unwrap();
        batch
            .put_change("member/x/per", &[2; 32], b"x's change")
            .unwrap();
        batch.put_doc("member/x/com", b"x's shared fields").unwrap();
        batch.put_doc("member/y/per", b"y's file").unwrap();
        batch.commit().unwrap();
        assert!(store.has_record_key("x") && store.has_record_key("y"));
        assert!(!store.has_record_key("member"));
        assert_eq!(store.record_key_count(), 2);
        let key_file = dir.path().join("c.keys");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        assert!(store.destroy_record_keys(&["x"]).unwrap());
        assert!(!store.destroy_record_keys(&["x"]).unwrap());
        // The sealed bytes are still in redb, but nothing opens them, now or after reopening.
        assert_eq!(store.doc("member/x/per").unwrap().unwrap(), Err(SealError));
        assert_eq!(store.changes("member/x/per").unwrap()[0].1, Err(SealError));
        drop(store);
        let store = Store::open(&path, b"pw").unwrap();
        assert_eq!(store.doc("member/x/per").unwrap().unwrap(), Err(SealError));
        assert!(!store.has_record_key("x"));
        let ok = |d: &str| store.doc(d).unwrap().unwrap().unwrap().to_vec();
        assert_eq!(ok("member/x/com"), b"x's shared fields");
        assert_eq!(ok("member/y/per"), b"y's file");
    }

    #[test]
    fn a_format_1_store_moves_its_personal_values_under_record_keys() {
        let dir = tempfile::tempdir().unwrap();
        let (path, store) = new_store(&dir);
        // Written as format 1 did: everything under the data key.
        let batch = store.write().unwrap();
        let sealed = batch
            .seal("docs-1", &[b"member/x/per"], b"x's file")
            .unwrap();
        let change = batch
            .seal("changes-1", &[b"member/x/per", &[2; 32]], b"x's change")
            .unwrap();
        {
            let mut docs = batch.tx.open_table(DOCS).unwrap();
            docs.insert("member/x/per", sealed.as_slice()).unwrap();
            let mut changes = batch.tx.open_table(CHANGES).unwrap();
            changes
                .insert(("member/x/per", [2u8; 32].as_slice()), change.as_slice())
                .unwrap();
            let mut meta = batch.tx.open_table(META).unwrap();
            meta.insert("format", 1u32.to_be_bytes().as_slice())
                .unwrap();
        }
        batch.commit().unwrap();
        drop(store);

        let mut store = Store::open(&path, b"pw").unwrap();
        assert!(store.has_record_key("x"));
        assert_eq!(
            store
                .doc("member/x/per")
                .unwrap()
                .unwrap()
                .unwrap()
                .as_slice(),
            b"x's file"
        );
        assert_eq!(
            store.changes("member/x/per").unwrap()[0]
                .1
                .as_ref()
                .unwrap()
                .as_slice(),
            b"x's change"
        );
        store.destroy_record_keys(&["x"]).unwrap();
        assert_eq!(store.doc("member/x/per").unwrap().unwrap(), Err(SealError));
    }
}
