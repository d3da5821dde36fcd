//! Sealing values: XChaCha20-Poly1305 with a random 24-byte nonce per value, and the value's
//! place (table and key) as associated data, so a value moved to another key fails to open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;

/// A value failed to open: wrong key, or the bytes or their place were altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a stored value failed authentication (wrong key, or altered)")]
pub struct SealError;

/// A 32-byte symmetric key, zeroed on drop.
pub(crate) struct SecretKey(Zeroizing<[u8; 32]>);

impl SecretKey {
    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        SecretKey(Zeroizing::new(bytes))
    }

    pub(crate) fn random() -> Result<Self, getrandom::Error> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut())?;
        Ok(SecretKey(key))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Encrypts `plaintext` bound to `aad`: returns nonce ‖ ciphertext ‖ tag.
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, getrandom::Error> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)?;
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // Encryption only fails for inputs longer than 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`SecretKey::seal`] made with the same `aad`.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(self.0.as_ref().into());
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
            .map(Zeroizing::new)
            .map_err(|_| SealError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_place_and_unaltered() {
        let key = SecretKey::random().unwrap();
        let sealed = key.seal(b"docs-1/a", b"secret").unwrap();
        assert_eq!(
            key.open(b"docs-1/a", &sealed).unwrap().as_slice(),
            b"secret"
        );
        assert_eq!(key.open(b"docs-1/b", &sealed), Err(SealError));
        let mut altered = sealed.clone();
        altered[30] ^= 1;
        assert_eq!(key.open(b"docs-1/a", &altered), Err(SealError));
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        let other = SecretKey::random().unwrap();
        assert_eq!(other.open(b"docs-1/a", &sealed), Err(SealError));
    }
}
