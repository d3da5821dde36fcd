//! Carnet's store: one redb file per device, every value holding record content or secrets
//! encrypted with XChaCha20-Poly1305 under a random data key, and that data key and the device's
//! secret key wrapped by a key derived from the passphrase with argon2id. Personal documents
//! (`…/per`, `…/sec`) are sealed under a key of their record's own, kept outside the redb file
//! (`record_keys.rs`), so erasing a person can destroy what makes her documents readable.
//!
//! The store keeps opaque bytes under document ids; it knows nothing of Automerge or signatures.
//! `docs/storage.md` describes the tables, their keys and values, and the encryption.
//!
//! For tests and simulations a store can live in [`Memory`] instead of a file
//! ([`Store::create_in_memory`], [`Store::open_in_memory`]): the same tables, sealing and
//! keyring over redb's storage-backend seam, with a cheap key derivation.
//!
//! **Architecture invariant:** only this crate names redb; nothing here knows of iroh.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("carnet.redb");
//! let store = carnet_store::Store::create(&path, b"passphrase", &[7; 32]).unwrap();
//! let mut batch = store.write().unwrap();
//! batch.put_doc("registry", b"state").unwrap();
//! batch.commit().unwrap();
//! drop(store);
//! let store = carnet_store::Store::open(&path, b"passphrase").unwrap();
//! assert_eq!(store.doc("registry").unwrap().unwrap().unwrap().as_slice(), b"state");
//! assert!(carnet_store::Store::open(&path, b"wrong").is_err());
//! ```

mod backup;
mod crypto;
#[doc(hidden)]
pub mod fuzzing;
mod keyring;
mod memory;
mod record_keys;
mod rewrite;
mod store;

pub use backup::RestoreError;
pub use crypto::SealError;
pub use keyring::KdfParams;
pub use memory::Memory;
pub use record_keys::KeysError;
pub use store::{OpenError, Store, StoreError, StoredValue, WriteBatch};
