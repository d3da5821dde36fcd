//! Below the command line: reading and altering a home's store through the library and through
//! redb itself, as an attacker holding the file (and, for some tests, the passphrase) could.
//! The table and value layouts are those of `docs/storage.md`.

use std::collections::BTreeMap;
use std::path::Path;

use carnet_replica::{FieldState, SignedChange};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde::Deserialize;

use crate::Home;

/// `meta-1`: plain metadata and sealed `info/…` values.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
/// `changes-1`: (document id, change hash) → sealed signed change.
pub const CHANGES: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("changes-1");
/// `docs-1`: document id → sealed document state.
pub const DOCS: TableDefinition<&str, &[u8]> = TableDefinition::new("docs-1");

/// A 32-byte hash or key as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The id of the document holding `class` (`com`, `per`, `pub`) fields of record `id`.
pub fn doc(kind: &str, id: &str, class: &str) -> String {
    format!("{kind}/{id}/{class}")
}

/// Everything a store holds, decrypted: document states and changes, byte for byte.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dump {
    /// Document id → decrypted state.
    pub docs: BTreeMap<String, Vec<u8>>,
    /// (document id, change hash) → decrypted signed change.
    pub changes: BTreeMap<(String, [u8; 32]), Vec<u8>>,
}

/// Decrypts everything in `home`'s store with the library.
pub fn dump(home: &Home) -> Dump {
    let store = home.open_store();
    let mut out = Dump::default();
    for (doc, value) in store.docs("").expect("reading documents") {
        let bytes = value.expect("a document state that opens");
        out.docs.insert(doc, bytes.to_vec());
    }
    for doc in store.docs_with_changes().expect("listing documents") {
        for (hash, value) in store.changes(&doc).expect("reading changes") {
            let bytes = value.expect("a change that opens");
            out.changes.insert((doc.clone(), hash), bytes.to_vec());
        }
    }
    out
}

/// Every value of the store's tables as stored (sealed), by table and key, read with redb
/// without the passphrase. A value rewritten even with the same content differs, since every
/// seal has a fresh nonce; so equal tables mean nothing was written.
pub fn sealed_tables(path: &Path) -> BTreeMap<(String, String, Vec<u8>), Vec<u8>> {
    let db = redb::ReadOnlyDatabase::open(path).expect("opening the redb file");
    let tx = db.begin_read().expect("a read transaction");
    let mut out = BTreeMap::new();
    for (name, table) in [("meta-1", META), ("docs-1", DOCS)] {
        let table = tx.open_table(table).expect("a table");
        for item in table.iter().expect("iterating a table") {
            let (k, v) = item.expect("an entry");
            let key = (name.to_owned(), k.value().to_owned(), Vec::new());
            out.insert(key, v.value().to_vec());
        }
    }
    let table = tx.open_table(CHANGES).expect("the changes table");
    for item in table.iter().expect("iterating a table") {
        let (k, v) = item.expect("an entry");
        let (doc, hash) = k.value();
        let key = ("changes-1".to_owned(), doc.to_owned(), hash.to_vec());
        out.insert(key, v.value().to_vec());
    }
    out
}

/// The signed changes stored for `doc`, by hash, as the library reads them.
pub fn changes(home: &Home, doc: &str) -> Vec<([u8; 32], SignedChange)> {
    let store = home.open_store();
    store
        .changes(doc)
        .expect("reading changes")
        .into_iter()
        .map(|(hash, value)| {
            let bytes = value.expect("a change that opens");
            let signed = SignedChange::from_bytes(&bytes).expect("a well-formed envelope");
            (hash, signed)
        })
        .collect()
}

/// Stores `bytes` (sealed properly by the library) as the change `hash` of `doc`, replacing
/// what was there.
pub fn put_change_bytes(home: &Home, doc: &str, hash: &[u8; 32], bytes: &[u8]) {
    let store = home.open_store();
    let mut batch = store.write().expect("a write batch");
    batch
        .put_change(doc, hash, bytes)
        .expect("putting a change");
    batch.commit().expect("committing");
}

/// Stores `signed` as the change `hash` of `doc`, replacing what was there.
pub fn put_change(home: &Home, doc: &str, hash: &[u8; 32], signed: &SignedChange) {
    put_change_bytes(home, doc, hash, &signed.to_bytes());
}

/// The state of one document as `carnet-device` stores it (postcard; see `docs/storage.md`):
/// its heads and field projection, then what follows them (verdicts…), kept as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocState {
    /// The document's heads, sorted.
    pub heads: Vec<[u8; 32]>,
    /// Current field values.
    pub fields: BTreeMap<String, FieldState>,
    /// The encoded fields after these two, untouched.
    pub rest: Vec<u8>,
}

type HeadsAndFields = (Vec<[u8; 32]>, BTreeMap<String, FieldState>);

/// The stored state of `doc`.
pub fn doc_state(home: &Home, doc: &str) -> DocState {
    let store = home.open_store();
    let bytes = store
        .doc(doc)
        .expect("reading a document")
        .expect("a stored document")
        .expect("a document state that opens");
    let ((heads, fields), rest) = postcard::take_from_bytes::<HeadsAndFields>(&bytes)
        .expect("a DocState as docs/storage.md describes it");
    DocState {
        heads,
        fields,
        rest: rest.to_vec(),
    }
}

/// Replaces the stored state of `doc` (sealed properly by the library).
pub fn put_doc_state(home: &Home, doc: &str, state: &DocState) {
    let mut bytes = postcard::to_stdvec(&(&state.heads, &state.fields)).expect("encoding");
    bytes.extend_from_slice(&state.rest);
    let store = home.open_store();
    let mut batch = store.write().expect("a write batch");
    batch.put_doc(doc, &bytes).expect("putting a document");
    batch.commit().expect("committing");
}

/// The sealed bytes (nonce ‖ ciphertext ‖ tag) of change `hash` of `doc`, read with redb.
pub fn sealed_change(path: &Path, doc: &str, hash: &[u8; 32]) -> Vec<u8> {
    let db = redb::ReadOnlyDatabase::open(path).expect("opening the redb file");
    let tx = db.begin_read().expect("a read transaction");
    let table = tx.open_table(CHANGES).expect("the changes table");
    table
        .get((doc, hash.as_slice()))
        .expect("reading a change")
        .expect("a stored change")
        .value()
        .to_vec()
}

/// Overwrites the sealed bytes of change `hash` of `doc` with redb, bypassing the encryption.
pub fn put_sealed_change(path: &Path, doc: &str, hash: &[u8; 32], sealed: &[u8]) {
    let db = redb::Database::open(path).expect("opening the redb file");
    let tx = db.begin_write().expect("a write transaction");
    {
        let mut table = tx.open_table(CHANGES).expect("the changes table");
        table
            .insert((doc, hash.as_slice()), sealed)
            .expect("writing a change");
    }
    tx.commit().expect("committing");
}

/// Deletes change `hash` of `doc` with redb, as someone holding the file without the
/// passphrase can.
pub fn delete_change(path: &Path, doc: &str, hash: &[u8; 32]) {
    let db = redb::Database::open(path).expect("opening the redb file");
    let tx = db.begin_write().expect("a write transaction");
    {
        let mut table = tx.open_table(CHANGES).expect("the changes table");
        let removed = table
            .remove((doc, hash.as_slice()))
            .expect("deleting a change");
        assert!(removed.is_some(), "no such change");
    }
    tx.commit().expect("committing");
}

/// The sealed bytes of the state of `doc`, read with redb.
pub fn sealed_doc(path: &Path, doc: &str) -> Vec<u8> {
    let db = redb::ReadOnlyDatabase::open(path).expect("opening the redb file");
    let tx = db.begin_read().expect("a read transaction");
    let table = tx.open_table(DOCS).expect("the docs table");
    table
        .get(doc)
        .expect("reading a document")
        .expect("a stored document")
        .value()
        .to_vec()
}

/// Overwrites the sealed state of `doc` with redb, bypassing the encryption.
pub fn put_sealed_doc(path: &Path, doc: &str, sealed: &[u8]) {
    let db = redb::Database::open(path).expect("opening the redb file");
    let tx = db.begin_write().expect("a write transaction");
    {
        let mut table = tx.open_table(DOCS).expect("the docs table");
        table.insert(doc, sealed).expect("writing a document");
    }
    tx.commit().expect("committing");
}

#[derive(Deserialize)]
struct KdfParams {
    m_kib: u32,
    t: u32,
    p: u32,
}

#[derive(Deserialize)]
struct Keyring {
    kdf: KdfParams,
    salt: [u8; 16],
    data_key: Vec<u8>,
    device_key: Vec<u8>,
}

fn open_sealed(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Vec<u8> {
    let (nonce, body) = sealed.split_at(24);
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .expect("a keyring value that opens with the passphrase")
}

/// The keys the keyring of the store at `path` wraps, unwrapped as `docs/storage.md` says:
/// (data key, device secret key).
pub fn unwrap_keyring(path: &Path, passphrase: &str) -> ([u8; 32], [u8; 32]) {
    let bytes = {
        let db = redb::ReadOnlyDatabase::open(path).expect("opening the redb file");
        let tx = db.begin_read().expect("a read transaction");
        let table = tx.open_table(META).expect("the meta table");
        table
            .get("keyring")
            .expect("reading the keyring")
            .expect("a keyring")
            .value()
            .to_vec()
    };
    let ring: Keyring = postcard::from_bytes(&bytes).expect("a keyring as documented");
    let params = argon2::Params::new(ring.kdf.m_kib, ring.kdf.t, ring.kdf.p, Some(32))
        .expect("valid argon2 parameters");
    let mut wrap = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &ring.salt, &mut wrap)
        .expect("argon2id");
    let key = |aad: &[u8], sealed: &[u8]| -> [u8; 32] {
        open_sealed(&wrap, aad, sealed)
            .try_into()
            .expect("a 32-byte key")
    };
    (
        key(b"carnet/keyring/v1/data-key", &ring.data_key),
        key(b"carnet/keyring/v1/device-key", &ring.device_key),
    )
}

/// The record keys of the home at `home` (its key file `carnet.keys`, read as
/// `docs/storage.md` describes it: sealed under the data key, aad `carnet/record-keys/v1`,
/// postcard `[(uuid, key)]`), by record id. Test-only: the library never hands a key out.
pub fn record_keys(home: &Path, passphrase: &str) -> BTreeMap<String, [u8; 32]> {
    let (data_key, _) = unwrap_keyring(&home.join("carnet.redb"), passphrase);
    let Ok(sealed) = std::fs::read(home.join("carnet.keys")) else {
        return BTreeMap::new();
    };
    let plain = open_sealed(&data_key, b"carnet/record-keys/v1", &sealed);
    let entries: Vec<(String, [u8; 32])> = postcard::from_bytes(&plain).expect("a key file");
    entries.into_iter().collect()
}

/// The `aad` a sealed value is bound to (`docs/storage.md`, "Sealed values").
pub fn aad(table: &str, key: &[&[u8]]) -> Vec<u8> {
    let mut out = b"carnet/store/v1\0".to_vec();
    out.extend_from_slice(table.as_bytes());
    for part in key {
        out.push(0);
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// Every (key, value) pair `bytes` holds framed as redb 4 lays out a leaf page whose keys and
/// values are of variable width (`redb/src/tree_store/btree_base.rs`: type byte 1, a byte left
/// alone, the pair count as u16 LE, the end offset of each key then of each value as u32 LE
/// from the page's start, the keys, the values). Every offset is tried, not only page starts,
/// so that live pages, freed pages and leaves redb copied elsewhere are all found; a page whose
/// start was overwritten by a newer, smaller page is not (its pairs have lost their framing).
pub fn leaf_pairs(bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    /// Larger than any page Carnet's values need (redb grows a leaf to fit its largest value).
    const MAX_PAGE: usize = 1 << 24;
    let u32_at = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    };
    let mut out = Vec::new();
    for start in 0..bytes.len().saturating_sub(8) {
        if bytes[start] != 1 {
            continue;
        }
        let n = u16::from_le_bytes([bytes[start + 2], bytes[start + 3]]) as usize;
        if n == 0 {
            continue;
        }
        let section = 4 + 8 * n;
        let ends: Option<Vec<usize>> = (0..2 * n).map(|i| u32_at(start + 4 + 4 * i)).collect();
        let Some(ends) = ends else { continue };
        let framed = ends[0] >= section
            && ends.windows(2).all(|w| w[0] <= w[1])
            && ends[2 * n - 1] <= MAX_PAGE
            && start + ends[2 * n - 1] <= bytes.len();
        if !framed {
            continue;
        }
        let page = &bytes[start..start + ends[2 * n - 1]];
        for i in 0..n {
            let key_start = if i == 0 { section } else { ends[i - 1] };
            let value_start = ends[n + i - 1];
            out.push((
                page[key_start..ends[i]].to_vec(),
                page[value_start..ends[n + i]].to_vec(),
            ));
        }
    }
    out
}

/// Every sealed value found in a store file's bytes — in live and freed pages alike
/// ([`leaf_pairs`]) — that opens with one of `keys`. Each value is tried as a `docs-1`,
/// `changes-1` and `meta-1` value of the key it was found under, with every key.
pub fn openable_values(bytes: &[u8], keys: &[[u8; 32]]) -> Vec<Vec<u8>> {
    let ciphers: Vec<XChaCha20Poly1305> = keys
        .iter()
        .map(|k| XChaCha20Poly1305::new(k.into()))
        .collect();
    let mut out = Vec::new();
    for (key, value) in leaf_pairs(bytes) {
        if value.len() < 24 + 16 {
            continue;
        }
        let mut aads = vec![aad("docs-1", &[&key])];
        if let Some(name) = key.strip_prefix(b"info/") {
            aads.push(aad("meta-1", &[name]));
        }
        // A `changes-1` key: the document id's length (one byte below 254), the id, the hash.
        if let Some((&len, rest)) = key.split_first()
            && len < 254
            && rest.len() == len as usize + 32
        {
            let (doc, hash) = rest.split_at(len as usize);
            aads.push(aad("changes-1", &[doc, hash]));
        }
        let (nonce, body) = value.split_at(24);
        let opened = aads.iter().find_map(|aad| {
            ciphers.iter().find_map(|c| {
                c.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
                    .ok()
            })
        });
        out.extend(opened);
    }
    out
}

/// [`openable_values`] of `home`'s store file with the keys its device holds: its data key
/// (unwrapped with the passphrase) and every record key of its key file.
pub fn openable_in_file(home: &Home) -> Vec<Vec<u8>> {
    let (data_key, _) = unwrap_keyring(&home.store_path(), crate::PASSPHRASE);
    let mut keys = vec![data_key];
    keys.extend(record_keys(home.path(), crate::PASSPHRASE).into_values());
    openable_values(&home.store_bytes(), &keys)
}
