//! The keyring: the data key and the device secret key, wrapped by a key derived from the
//! passphrase with argon2id. Stored in the `meta-1` table under `keyring`.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::crypto::{SealError, SecretKey};

const AAD_DATA_KEY: &[u8] = b"carnet/keyring/v1/data-key";
const AAD_DEVICE_KEY: &[u8] = b"carnet/keyring/v1/device-key";

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes. What Carnet uses.
    pub const RFC9106_SECOND: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 4,
    };

    /// Tiny costs, for tests only: what in-memory stores ([`crate::Memory`]) use, and this
    /// crate's own unit tests. Never for a store on disk.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Option<SecretKey> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(32)).ok()?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase, salt, out.as_mut())
            .ok()?;
        Some(SecretKey::from_bytes(*out))
    }
}

/// What the keyring holds at rest: nothing usable without the passphrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Keyring {
    kdf: KdfParams,
    salt: [u8; 16],
    data_key: Vec<u8>,
    device_key: Vec<u8>,
}

/// The keys the passphrase unlocks.
pub(crate) struct Unlocked {
    pub(crate) data_key: SecretKey,
    pub(crate) device_secret: Zeroizing<[u8; 32]>,
}

fn to_key(bytes: &[u8]) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let mut out = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(SealError);
    }
    out.copy_from_slice(bytes);
    Ok(out)
}

impl Keyring {
    /// Wraps a new random data key and `device_secret` under `passphrase`.
    pub(crate) fn create(
        passphrase: &[u8],
        device_secret: &[u8; 32],
        kdf: KdfParams,
    ) -> Result<(Keyring, Unlocked), getrandom::Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)?;
        // Parameters are constants known to be valid.
        let wrap = kdf
            .derive(passphrase, &salt)
            .ok_or(getrandom::Error::UNSUPPORTED)?;
        let data_key = SecretKey::random()?;
        let keyring = Keyring {
            kdf,
            salt,
            data_key: wrap.seal(AAD_DATA_KEY, data_key.bytes())?,
            device_key: wrap.seal(AAD_DEVICE_KEY, device_secret)?,
        };
        Ok((
            keyring,
            Unlocked {
                data_key,
                device_secret: Zeroizing::new(*device_secret),
            },
        ))
    }

    /// The same keys wrapped under `passphrase` with a new salt and this keyring's costs (a
    /// passphrase change: nothing else in the store is touched).
    pub(crate) fn rewrap(
        &self,
        keys: &Unlocked,
        passphrase: &[u8],
    ) -> Result<Keyring, getrandom::Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)?;
        let wrap = self
            .kdf
            .derive(passphrase, &salt)
            .ok_or(getrandom::Error::UNSUPPORTED)?;
        Ok(Keyring {
            kdf: self.kdf,
            salt,
            data_key: wrap.seal(AAD_DATA_KEY, keys.data_key.bytes())?,
            device_key: wrap.seal(AAD_DEVICE_KEY, keys.device_secret.as_ref())?,
        })
    }

    /// Unwraps the keys; fails if the passphrase is wrong or the keyring altered.
    pub(crate) fn unlock(&self, passphrase: &[u8]) -> Result<Unlocked, SealError> {
        let wrap = self.kdf.derive(passphrase, &self.salt).ok_or(SealError)?;
        let data_key = to_key(&wrap.open(AAD_DATA_KEY, &self.data_key)?)?;
        let device_secret = to_key(&wrap.open(AAD_DEVICE_KEY, &self.device_key)?)?;
        Ok(Unlocked {
            data_key: SecretKey::from_bytes(*data_key),
            device_secret,
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Keyring> {
        postcard::from_bytes(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_passphrase_unlocks() {
        let (ring, keys) =
            Keyring::create(b"right", &[9; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        let ring = Keyring::from_bytes(&ring.to_bytes()).unwrap();
        let again = ring.unlock(b"right").unwrap();
        assert_eq!(*again.device_secret, [9; 32]);
        assert_eq!(again.data_key.bytes(), keys.data_key.bytes());
        assert!(ring.unlock(b"wrong").is_err());
    }

    #[test]
    fn a_rewrapped_keyring_opens_with_the_new_passphrase_only() {
        let (ring, keys) =
            Keyring::create(b"old one", &[7; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        let new = ring.rewrap(&keys, b"new one").unwrap();
        assert_ne!(new.salt, ring.salt);
        assert!(new.unlock(b"old one").is_err());
        let again = new.unlock(b"new one").unwrap();
        assert_eq!(*again.device_secret, [7; 32]);
        assert_eq!(again.data_key.bytes(), keys.data_key.bytes());
    }
}
