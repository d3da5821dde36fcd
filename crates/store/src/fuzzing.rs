//! Entry points for Carnet's fuzz targets (`fuzz/`, the `keyring` target), hidden from the
//! documentation and for no other use: the store's own keyring and backup-file code, reachable
//! from outside the crate, with argon2id run only at costs a fuzzer can afford.
//!
//! At the store's costs (64 MiB, 3 passes) one derivation takes a third of a second: far too
//! slow to run per input. So [`Keyring::unlock`] and [`read_backup`] run the real unlocking
//! when the keyring's costs are at most [`AFFORDABLE`] or above [`KdfParams::MAX`] (which the
//! store must refuse without deriving anything: a fuzzer finds it out if it does not, by a
//! timeout or an allocation failure), and skip it in between. Parsing always runs.

use crate::backup::{open_backup, split_backup};
use crate::keyring::{self, KdfParams};
use crate::{RestoreError, Store};

pub use crate::keyring::UnlockError;

/// The costliest derivation the entries here run (well under a millisecond).
pub const AFFORDABLE: KdfParams = KdfParams {
    m_kib: 256,
    t: 2,
    p: 2,
};

/// Whether [`Keyring::unlock`] and [`read_backup`] run the real unlocking for `kdf`: cheap
/// costs, or costs above [`KdfParams::MAX`] (refused unrun).
pub fn runs(kdf: &KdfParams) -> bool {
    let cheap = kdf.m_kib <= AFFORDABLE.m_kib && kdf.t <= AFFORDABLE.t && kdf.p <= AFFORDABLE.p;
    cheap || !kdf.within_limits()
}

/// The keys a keyring wraps, as plain bytes to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The data key.
    pub data_key: [u8; 32],
    /// The device's secret key.
    pub device_secret: [u8; 32],
}

impl From<keyring::Unlocked> for Keys {
    fn from(k: keyring::Unlocked) -> Keys {
        Keys {
            data_key: *k.data_key.bytes(),
            device_secret: *k.device_secret,
        }
    }
}

impl Keys {
    fn unlocked(&self) -> keyring::Unlocked {
        keyring::Unlocked {
            data_key: crate::crypto::SecretKey::from_bytes(self.data_key),
            device_secret: zeroize::Zeroizing::new(self.device_secret),
        }
    }
}

/// A keyring as the store reads it from `meta-1` or a backup file's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring(keyring::Keyring);

impl Keyring {
    /// The store's parse of keyring bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Keyring> {
        keyring::Keyring::from_bytes(bytes).map(Keyring)
    }

    /// The bytes the store writes for it.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes()
    }

    /// The costs it asks for.
    pub fn kdf(&self) -> KdfParams {
        self.0.kdf()
    }

    /// A new keyring wrapping `device_secret` and a random data key under `passphrase` (the
    /// store's `Keyring::create`), if `kdf` is affordable.
    pub fn create(passphrase: &[u8], device_secret: &[u8; 32], kdf: KdfParams) -> Option<Keyring> {
        if !(runs(&kdf) && kdf.within_limits()) {
            return None;
        }
        keyring::Keyring::create(passphrase, device_secret, kdf)
            .ok()
            .map(|(k, _)| Keyring(k))
    }

    /// The same keyring asking for other costs (so no longer opening): a hostile file.
    pub fn with_kdf(&self, kdf: KdfParams) -> Keyring {
        Keyring(self.0.with_kdf(kdf))
    }

    /// The store's unlocking, if [`runs`] says it runs for these costs.
    pub fn unlock(&self, passphrase: &[u8]) -> Option<Result<Keys, UnlockError>> {
        runs(&self.0.kdf()).then(|| self.0.unlock(passphrase).map(Keys::from))
    }

    /// The store's re-wrapping (a passphrase change: new salt, same costs), if they run.
    pub fn rewrap(&self, keys: &Keys, passphrase: &[u8]) -> Option<Keyring> {
        if !runs(&self.0.kdf()) {
            return None;
        }
        self.0
            .rewrap(&keys.unlocked(), passphrase)
            .ok()
            .map(Keyring)
    }
}

/// What a backup file holds, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// The store format it was made in.
    pub format: u32,
    /// Entries of `meta-1` (but `format` and `keyring`).
    pub meta: usize,
    /// Stored changes.
    pub changes: usize,
    /// Stored documents.
    pub docs: usize,
    /// Record keys.
    pub record_keys: usize,
    /// The keys its keyring wraps.
    pub keys: Keys,
}

/// A backup file's header as `Store::restore` reads it: the keyring, and the length of the
/// sealed rest.
pub fn backup_header(backup: &[u8]) -> Result<(Keyring, usize), RestoreError> {
    split_backup(backup).map(|(k, sealed)| (Keyring(k), sealed.len()))
}

/// A backup file read as `Store::restore` reads it before making a store (header, keyring
/// unlocked, dump opened and parsed, format checked), if [`runs`] says the unlocking runs.
pub fn read_backup(backup: &[u8], passphrase: &[u8]) -> Option<Result<Contents, RestoreError>> {
    if let Ok((keyring, _)) = split_backup(backup)
        && !runs(&keyring.kdf())
    {
        return None;
    }
    Some(
        open_backup(backup, passphrase).map(|(_, keys, dump)| Contents {
            format: dump.format,
            meta: dump.meta.len(),
            changes: dump.changes.len(),
            docs: dump.docs.len(),
            record_keys: dump.record_keys.len(),
            keys: keys.into(),
        }),
    )
}

/// A backup of a new in-memory store (cheap costs, [`KdfParams::INSECURE_FOR_TESTS`]) holding
/// `device_secret` and `docs`, locked by `passphrase`: what the fuzz seeds start from.
pub fn backup_of(passphrase: &[u8], device_secret: &[u8; 32], docs: &[(&str, &[u8])]) -> Vec<u8> {
    let memory = crate::Memory::new();
    let made = Store::create_in_memory(&memory, passphrase, device_secret).and_then(|store| {
        let mut batch = store.write()?;
        for (id, value) in docs {
            batch.put_doc(id, value)?;
        }
        batch.commit()?;
        Ok(store.backup()?)
    });
    made.unwrap_or_default()
}

/// `backup` with its keyring replaced by `keyring` (the header's length written again).
pub fn with_keyring(backup: &[u8], keyring: &Keyring) -> Option<Vec<u8>> {
    let (_, sealed) = split_backup(backup).ok()?;
    let ring = keyring.to_bytes();
    let mut out = crate::backup::MAGIC.to_vec();
    out.extend_from_slice(&u32::try_from(ring.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&ring);
    out.extend_from_slice(sealed);
    Some(out)
}
