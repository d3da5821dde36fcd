//! The keyring: the data key and the device secret key, wrapped by a key derived from the
//! passphrase with argon2id. Stored in the `meta-1` table under `keyring`, and at the head of
//! every backup file. Its costs are read from the file: a keyring asking for more than
//! [`KdfParams::MAX`] is refused before argon2id runs, so a hostile store or backup cannot make
//! Carnet allocate or compute without bound.

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

    /// The costliest derivation a keyring may ask for: four times the memory and under three
    /// times the passes Carnet writes ([`KdfParams::RFC9106_SECOND`]), room to raise them one
    /// day. The costs are read from the keyring, which whoever holds the file (or made a backup
    /// file) can write: without a bound, `m_kib = u32::MAX` asks argon2id for 4 TiB and
    /// `t = u32::MAX` runs for ever. At this bound a derivation holds 256 MiB for some seconds.
    pub const MAX: KdfParams = KdfParams {
        m_kib: 256 * 1024,
        t: 8,
        p: 16,
    };

    /// Whether every cost is within [`KdfParams::MAX`].
    pub fn within_limits(&self) -> bool {
        self.m_kib <= Self::MAX.m_kib && self.t <= Self::MAX.t && self.p <= Self::MAX.p
    }

    fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<SecretKey, UnlockError> {
        if !self.within_limits() {
            return Err(UnlockError::Costs);
        }
        // Costs argon2 refuses (no pass, no lane, less than 8 KiB per lane).
        let params =
            Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|_| UnlockError::Damaged)?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase, salt, out.as_mut())
            .map_err(|_| UnlockError::Damaged)?;
        Ok(SecretKey::from_bytes(*out))
    }
}

/// Why a keyring did not unlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnlockError {
    /// The passphrase does not open the wrapped keys (or they were altered).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The keyring asks for a key derivation above [`KdfParams::MAX`]: refused without running
    /// it (Carnet never writes one).
    #[error("the keyring asks for a costlier key derivation than Carnet allows")]
    Costs,
    /// The keyring's costs are ones argon2id refuses (Carnet never writes them).
    #[error("the keyring is damaged")]
    Damaged,
}

/// What the keyring holds at rest: nothing usable without the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
            .map_err(|_| getrandom::Error::UNSUPPORTED)?;
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
        // This keyring's costs unlocked it, so they are valid.
        let wrap = self
            .kdf
            .derive(passphrase, &salt)
            .map_err(|_| getrandom::Error::UNSUPPORTED)?;
        Ok(Keyring {
            kdf: self.kdf,
            salt,
            data_key: wrap.seal(AAD_DATA_KEY, keys.data_key.bytes())?,
            device_key: wrap.seal(AAD_DEVICE_KEY, keys.device_secret.as_ref())?,
        })
    }

    /// The argon2id costs it asks for.
    pub(crate) fn kdf(&self) -> KdfParams {
        self.kdf
    }

    /// The same keyring asking for other costs (which no longer open it): what a hostile file
    /// holds, for tests and fuzz seeds.
    pub(crate) fn with_kdf(&self, kdf: KdfParams) -> Keyring {
        Keyring {
            kdf,
            ..self.clone()
        }
    }

    /// Unwraps the keys; fails if the passphrase is wrong or the keyring altered, and refuses
    /// costs above [`KdfParams::MAX`] before deriving anything.
    pub(crate) fn unlock(&self, passphrase: &[u8]) -> Result<Unlocked, UnlockError> {
        let wrap = self.kdf.derive(passphrase, &self.salt)?;
        let open = |aad: &[u8], wrapped: &[u8]| -> Result<Zeroizing<[u8; 32]>, SealError> {
            to_key(&wrap.open(aad, wrapped)?)
        };
        let data_key =
            open(AAD_DATA_KEY, &self.data_key).map_err(|_| UnlockError::WrongPassphrase)?;
        let device_secret =
            open(AAD_DEVICE_KEY, &self.device_key).map_err(|_| UnlockError::WrongPassphrase)?;
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

    /// The costs come from the file: a keyring asking argon2id for 4 TiB, or for four billion
    /// passes, used to be derived as asked (an allocation failure aborting the process, or a
    /// command that never ends). It is refused before anything is derived.
    #[test]
    fn a_keyring_asking_for_unbounded_costs_is_refused_before_deriving() {
        let (ring, _) = Keyring::create(b"pw", &[3; 32], KdfParams::INSECURE_FOR_TESTS).unwrap();
        let cheap = KdfParams::INSECURE_FOR_TESTS;
        for kdf in [
            KdfParams {
                m_kib: u32::MAX,
                ..cheap
            },
            KdfParams {
                t: u32::MAX,
                ..cheap
            },
            KdfParams {
                p: 1 << 20,
                m_kib: 8 << 20,
                ..cheap
            },
            KdfParams {
                m_kib: KdfParams::MAX.m_kib + 1,
                ..cheap
            },
            KdfParams {
                t: KdfParams::MAX.t + 1,
                ..cheap
            },
        ] {
            assert!(!kdf.within_limits());
            let hostile = Keyring {
                kdf,
                ..ring.clone()
            };
            let hostile = Keyring::from_bytes(&hostile.to_bytes()).unwrap();
            assert_eq!(
                hostile.unlock(b"pw").err(),
                Some(UnlockError::Costs),
                "{kdf:?}"
            );
        }
        assert!(KdfParams::RFC9106_SECOND.within_limits());
        assert!(KdfParams::MAX.within_limits());
        // Costs argon2id refuses are a damaged keyring, not a wrong passphrase.
        let zero = Keyring {
            kdf: KdfParams { p: 0, ..cheap },
            ..ring
        };
        assert_eq!(zero.unlock(b"pw").err(), Some(UnlockError::Damaged));
    }
}
