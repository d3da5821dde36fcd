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
