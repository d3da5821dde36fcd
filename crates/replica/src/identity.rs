//! Device identity: one ed25519 key per device, whose public half is the device id
//! ([`DeviceId`], in `carnet-model`), the Automerge actor id of every change the device makes
//! ([`DeviceIdExt`]), and its iroh endpoint id.

use std::fmt;

use automerge::ActorId;
use carnet_model::DeviceId;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

/// A device's secret signing key. Never leaves the device; zeroed when dropped.
pub struct DeviceKey(SigningKey);

/// Why a device key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The operating system's random source failed.
    #[error("the system random source failed")]
    Random(#[from] getrandom::Error),
}

impl DeviceKey {
    /// A new random key.
    pub fn generate() -> Result<Self, KeyError> {
        let mut secret = Zeroizing::new([0u8; 32]);
        getrandom::fill(secret.as_mut())?;
        Ok(DeviceKey(SigningKey::from_bytes(&secret)))
    }

    /// The key from its 32 secret bytes (as kept, wrapped, in the store).
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        DeviceKey(SigningKey::from_bytes(secret))
    }

    /// The 32 secret bytes, to be wrapped for storage.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// This device's id (its public key).
    pub fn id(&self) -> DeviceId {
        DeviceId(self.0.verifying_key().to_bytes())
    }

    /// Signs `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({})", self.id())
    }
}

/// What ties a [`DeviceId`] (defined in `carnet-model`, which knows no cryptography) to its
/// ed25519 key and to Automerge's actor ids.
pub trait DeviceIdExt: Sized {
    /// The Automerge actor id of this device's changes: its key, followed by an epoch (u32 BE)
    /// when not 0. A device moves to a new epoch in a document when some of its own changes
    /// there were rejected, so that it never makes two changes with one sequence number.
    fn actor(&self, epoch: u32) -> ActorId;
    /// The device whose key begins this actor id (32 bytes, or 36 with an epoch).
    fn from_actor(actor: &ActorId) -> Option<Self>;
    /// The epoch of an actor id (0 for a bare key).
    fn epoch_of(actor: &ActorId) -> u32;
    /// Whether `signature` is this device's signature of `message` (strict verification: no
    /// malleable or small-order forms).
    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool;
}

impl DeviceIdExt for DeviceId {
    fn actor(&self, epoch: u32) -> ActorId {
        let mut bytes = self.0.to_vec();
        if epoch > 0 {
            bytes.extend_from_slice(&epoch.to_be_bytes());
        }
        ActorId::from(bytes.as_slice())
    }

    fn from_actor(actor: &ActorId) -> Option<Self> {
        let bytes = actor.to_bytes();
        match bytes.len() {
            32 | 36 => <[u8; 32]>::try_from(&bytes[..32]).ok().map(DeviceId),
            _ => None,
        }
    }

    fn epoch_of(actor: &ActorId) -> u32 {
        actor
            .to_bytes()
            .get(32..36)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0)
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Some(key) = verifying_key(self) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        key.verify_strict(message, &sig).is_ok()
    }
}

/// The decompressed key of `id`, from a small cache: decompressing costs about a fifth of a
/// verification, and a sync verifies many changes by few authors.
fn verifying_key(id: &DeviceId) -> Option<VerifyingKey> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], VerifyingKey>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(k) = cache.lock().ok().and_then(|c| c.get(&id.0).copied()) {
        return Some(k);
    }
    let key = VerifyingKey::from_bytes(&id.0).ok()?;
    if let Ok(mut c) = cache.lock() {
        if c.len() >= 4096 {
            c.clear();
        }
        c.insert(id.0, key);
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_sign() {
        let key = DeviceKey::generate().unwrap();
        let again = DeviceKey::from_secret_bytes(&key.secret_bytes());
        assert_eq!(key.id(), again.id());
        let sig = key.sign(b"hello");
        assert!(key.id().verifies(b"hello", &sig));
        assert!(!key.id().verifies(b"hellp", &sig));
        assert_eq!(DeviceId::from_actor(&key.id().actor(0)), Some(key.id()));
        assert_eq!(DeviceId::from_actor(&key.id().actor(3)), Some(key.id()));
        assert_eq!(DeviceId::epoch_of(&key.id().actor(3)), 3);
        assert_eq!(key.id().to_string().parse::<DeviceId>(), Ok(key.id()));
    }
}
